"""Tagging under a per-article time budget, in a child process that can be stopped.

Why a process: the taggers are pure Python over text nobody controls. An endless loop in pure Python, a regular
expression stuck in C, or a crash cannot be interrupted from a thread: signals (SIGALRM) reach only the main thread,
and Beam runs DoFns in worker threads of its own on every runner. A child process can always be killed, and a
killed process burns no more CPU. So each worker process keeps one tagging child
(``python -m newsbeam.tags.sandbox``) while it has articles to tag (it is closed after ``IDLE_CLOSE_S`` without
one), sends it one article at a time over a pipe and waits at most the article's budget for the answer. On a timeout the child is killed (SIGKILL) and reaped, the article is published untagged with
``tag_status = "timeout"``, and the next article starts a fresh child. An exception in a tagger comes back as
``tag_status = "error"`` with its message; a child that dies (segfault, out of memory) gives ``"error"`` too.

The budget for an article is ``max(article_budget_s, article_budget_s_per_mb * MB of its text)``
(``[tagging]`` in the configuration; defaults 5 s and 2 s/MB). ``article_budget_s = 0`` tags in the worker's own
process with no budget (for measurements only: nothing then protects the run).

Wire format, both ways: an 8-byte big-endian length, then a pickle. Parent -> child: ``("init", TaggingConfig)``
once, then ``("tag", paragraphs, title, taggable)``. Child -> parent: ``("ready", None)``, then ``("ok",
ArticleTags)`` or ``("error", "ExceptionName: message")`` per article.

The child must not outlive its worker even when the worker is killed: on Linux it asks for ``PR_SET_PDEATHSIG``
itself as its first act (then checks that its parent is still the one that started it, which closes the race), and
it is started from one long-lived spawner thread, since the kernel sends that signal when the *thread* that started
the child ends and Beam retires idle worker threads; elsewhere a watcher thread in the child exits when its parent
changes. No ``preexec_fn``: Python code between fork and exec is unsafe in a process with other threads (Beam's
gRPC threads), and without it ``subprocess`` can use ``vfork``, which runs no at-fork handlers.

A child that dies before it is ready (a start-up failure of the machine, not of the taggers) is retried a few times;
its own last lines of stderr (kept in a temporary file) go into the error. If it still cannot start, the article is
published untagged with ``tag_status = "error"``; only a tagger that cannot be built from the configuration, or a
child that cannot be started for several articles in a row, fails the run.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from queue import Queue
from typing import Any

import xxhash

from newsbeam.config import TaggingConfig
from newsbeam.runtime.memory import freeze_long_lived
from newsbeam.runtime.watchdog import park_if_stopping
from newsbeam.tags.tagger import ArticleTags, Tagger

_LEN = struct.Struct(">Q")
# Building the taggers can take a while the first time (the gazetteer cache is built and written): not budgeted.
STARTUP_TIMEOUT_S = 600.0
# A child that dies before it is ready is started again this many times for the same article.
START_ATTEMPTS = 3
# After this many articles in a row whose tagging process could not start, the run fails (a broken environment).
MAX_START_FAILURES_IN_A_ROW = 5
STDERR_TAIL_BYTES = 2000
# A tagging process that has had no article for this long is closed; the next article starts one again (~0.7 s with
# the default taggers). Its tables (~0.2 GB) are otherwise held through every later stage of the run, since Beam
# keeps a worker's DoFns, and so their teardown, until the worker ends: at 100 MB of news with 2 workers, the two
# idle tagging processes were a quarter of the run's peak, reached while finalize ran. A worker busy with the
# per-article stage tags articles back to back (gaps well under a second), and the near-dup stages that follow take
# a few seconds even on a small night, so a few seconds tell a finished stage from a pause.
IDLE_CLOSE_S = 3.0
TAG_OK, TAG_TIMEOUT, TAG_ERROR, TAG_OFF = "ok", "timeout", "error", "off"


def article_budget(cfg: TaggingConfig, text_bytes: int) -> float:
    """Seconds one article may take: the configured floor, or more for long articles (0 = no budget)."""
    if cfg.article_budget_s <= 0:
        return 0.0
    return max(cfg.article_budget_s, cfg.article_budget_s_per_mb * text_bytes / 1e6)


@dataclass(frozen=True, slots=True)
class TagOutcome:
    """What tagging one article gave: its tags (None unless ``status`` is ok), a status and why."""

    tags: ArticleTags | None
    status: str
    detail: str = ""
    seconds: float = 0.0
    reused: bool = False  # the tags of an exact copy tagged earlier in this worker (TagReuse)


# --- Framing ------------------------------------------------------------------------------------------------------


def _write_frame(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LEN.pack(len(data)) + data)
    # Invariant: os.write returns >= 1 or raises, so each pass shortens what is left.
    while view:
        n = os.write(fd, view)
        view = view[n:]


class _Timeout(Exception):
    pass


class _Closed(Exception):
    pass


class _StartFailed(Exception):
    """A tagging process died or hung before it was ready: worth another try."""


class TaggerSetupError(RuntimeError):
    """The taggers cannot be built from this configuration: every article would fail, so the run stops."""


def _tail(f: Any) -> str:
    """The last lines a child wrote to its stderr file, on one line ('' when there is none)."""
    if f is None:
        return ""
    try:
        f.flush()
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - STDERR_TAIL_BYTES))
        text = f.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())[-STDERR_TAIL_BYTES:]


def _read_exact(fd: int, n: int, deadline: float | None, on_wait: Callable[[], None] | None) -> bytes:
    parts, got = [], 0
    # Invariant: each pass either reads >= 1 byte, raises (closed, timed out), or waits at most one second; the
    # deadline (when set) is fixed, so the loop ends by then.
    while got < n:
        timeout = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
        if timeout <= 0:
            raise _Timeout
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            if on_wait is not None:
                on_wait()
            continue
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise _Closed
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _read_frame(fd: int, deadline: float | None = None, on_wait: Callable[[], None] | None = None) -> Any:
    (size,) = _LEN.unpack(_read_exact(fd, _LEN.size, deadline, on_wait))
    return pickle.loads(_read_exact(fd, size, deadline, on_wait))


# --- Starting children from one long-lived thread ----------------------------------------------------------------


def _set_pdeathsig(expected_ppid: int) -> None:
    """In the child, first thing: die with the thread that started us; exit now if that already happened."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if expected_ppid and os.getppid() != expected_ppid:
        os._exit(0)


class _Spawner:
    """Starts children from one daemon thread that lives as long as the process (see the module docstring)."""

    def __init__(self) -> None:
        self._q: Queue[tuple[list[str], Any, Future]] = Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def popen(self, argv: list[str], stderr: Any) -> subprocess.Popen:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="newsbeam-tag-spawner", daemon=True)
                self._thread.start()
        fut: Future = Future()
        self._q.put((argv, stderr, fut))
        return fut.result()

    def _loop(self) -> None:
        # Invariant: each pass takes one request off the queue and answers it.
        while True:
            argv, stderr, fut = self._q.get()
            try:
                fut.set_result(subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                stderr=stderr, close_fds=True))
            except BaseException as e:  # noqa: BLE001 - handed to the caller
                fut.set_exception(e)


_SPAWNER = _Spawner()


# --- The parent side ----------------------------------------------------------------------------------------------


class SandboxedTagger:
    """``tag_article`` in a child process under a budget; one per worker process (``shared``), used under a lock.

    A child idle for ``idle_close_s`` seconds is closed by a watcher thread (``_close_when_idle``), which lives only
    while there is a child; 0 keeps the child until ``close``.
    """

    _instances: dict[TaggingConfig, SandboxedTagger] = {}
    _instances_lock = threading.Lock()

    def __init__(self, cfg: TaggingConfig, idle_close_s: float = IDLE_CLOSE_S):
        self.cfg = cfg
        self.proc: subprocess.Popen | None = None
        self.stderr: Any = None  # the child's stderr, a temporary file read only when it fails
        self.lock = threading.Lock()
        self.restarts = 0
        self.start_failures_in_a_row = 0
        self.idle_close_s = idle_close_s
        self.idle_closes = 0  # children closed for being idle (tests, logs)
        self.last_used = time.monotonic()
        self._idle_watcher: threading.Thread | None = None

    @classmethod
    def shared(cls, cfg: TaggingConfig) -> SandboxedTagger:
        with cls._instances_lock:
            inst = cls._instances.get(cfg)
            if inst is None:
                inst = cls._instances[cfg] = cls(cfg)
            return inst

    # -- the child's life --

    def _start_once(self, on_start: Callable[[], None] | None) -> subprocess.Popen:
        """One child, ready to tag; raises ``_StartFailed`` (worth another try) or ``TaggerSetupError`` (not)."""
        err = tempfile.TemporaryFile()
        proc = _SPAWNER.popen([sys.executable, "-m", "newsbeam.tags.sandbox", str(os.getpid())], err)
        try:
            _write_frame(proc.stdin.fileno(), ("init", self.cfg))
            kind, detail = _read_frame(proc.stdout.fileno(), time.monotonic() + STARTUP_TIMEOUT_S, on_start)
        except (_Timeout, _Closed, OSError, EOFError, pickle.UnpicklingError) as e:
            self._kill(proc)
            code = proc.poll()
            tail = _tail(err)
            err.close()
            raise _StartFailed(f"the tagging process did not start ({type(e).__name__}, exit code {code})"
                               + (f"; it said: {tail}" if tail else "")) from e
        if kind != "ready":
            self._kill(proc)
            err.close()
            raise TaggerSetupError(f"the tagging process could not build its taggers: {detail}")
        self._close_stderr()
        self.stderr = err
        return proc

    def _start(self, on_start: Callable[[], None] | None) -> subprocess.Popen:
        """A ready child, trying up to ``START_ATTEMPTS`` times."""
        last: _StartFailed | None = None
        # Invariant: at most START_ATTEMPTS passes, each bounded by STARTUP_TIMEOUT_S.
        for _ in range(START_ATTEMPTS):
            try:
                proc = self._start_once(on_start)
            except _StartFailed as e:
                park_if_stopping()  # the run's watchdog killed it
                last = e
                continue
            self.start_failures_in_a_row = 0
            return proc
        self.start_failures_in_a_row += 1
        if self.start_failures_in_a_row >= MAX_START_FAILURES_IN_A_ROW:
            raise RuntimeError(f"{last} ({self.start_failures_in_a_row} articles in a row)")
        assert last is not None
        raise last

    def _close_stderr(self) -> None:
        if self.stderr is not None:
            with contextlib.suppress(Exception):
                self.stderr.close()
            self.stderr = None

    @staticmethod
    def _kill(proc: subprocess.Popen) -> None:
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(Exception):
            proc.wait(timeout=30)
        for f in (proc.stdin, proc.stdout):
            with contextlib.suppress(Exception):
                f.close()

    def close(self) -> None:
        with self.lock:
            if self.proc is not None:
                self._kill(self.proc)
                self.proc = None
            self._close_stderr()

    def _watch_idle(self) -> None:
        """Under ``self.lock``, with a child running: make sure a watcher will close it once idle."""
        if self.idle_close_s > 0 and (self._idle_watcher is None or not self._idle_watcher.is_alive()):
            self._idle_watcher = threading.Thread(target=self._close_when_idle, name="newsbeam-tag-idle", daemon=True)
            self._idle_watcher.start()

    def _close_when_idle(self) -> None:
        # Invariant: each pass either ends the thread (no child left, or the child was closed) or sleeps until the
        # child would be idle long enough; an article in progress holds the lock, so the check waits for it and then
        # sees a fresh ``last_used``.
        while True:
            with self.lock:
                if self.proc is None:
                    self._idle_watcher = None
                    return
                idle = time.monotonic() - self.last_used
                if idle >= self.idle_close_s:
                    self._kill(self.proc)
                    self.proc = None
                    self._close_stderr()
                    self.idle_closes += 1
                    self._idle_watcher = None
                    return
                wait = self.idle_close_s - idle
            time.sleep(wait + 0.01)

    # -- one article --

    def tag_article(self, paragraphs: list[str], title: str | None, taggable: list[bool], budget: float,
                    on_wait: Callable[[], None] | None = None,
                    on_start: Callable[[], None] | None = None) -> TagOutcome:
        """Tag one article within ``budget`` seconds; ``on_wait`` is called about once a second while waiting,
        ``on_start`` likewise while a new tagging process builds its taggers (not counted in the budget)."""
        with self.lock:
            try:
                return self._tag_locked(paragraphs, title, taggable, budget, on_wait, on_start)
            finally:
                self.last_used = time.monotonic()
                if self.proc is not None:
                    self._watch_idle()

    def _tag_locked(self, paragraphs: list[str], title: str | None, taggable: list[bool], budget: float,
                    on_wait: Callable[[], None] | None, on_start: Callable[[], None] | None) -> TagOutcome:
        if self.proc is None or self.proc.poll() is not None:
            if self.proc is not None:
                self.restarts += 1
                self._kill(self.proc)
                self.proc = None
            try:
                self.proc = self._start(on_start)
            except _StartFailed as e:
                return TagOutcome(None, TAG_ERROR, str(e)[:500], 0.0)
        proc = self.proc
        t0 = time.monotonic()
        try:
            _write_frame(proc.stdin.fileno(), ("tag", paragraphs, title, taggable))
            kind, value = _read_frame(proc.stdout.fileno(), t0 + budget, on_wait)
        except _Timeout:
            self._kill(proc)
            self.proc = None
            return TagOutcome(None, TAG_TIMEOUT, f"tagging took longer than its budget of {budget:.1f} s",
                              time.monotonic() - t0)
        except (_Closed, OSError, EOFError, pickle.UnpicklingError) as e:
            park_if_stopping()  # the run's watchdog killed the child: no article outcome to report
            code = proc.poll()
            self._kill(proc)
            self.proc = None
            how = f"exit code {code}" if code is not None else type(e).__name__
            tail = _tail(self.stderr)
            if tail:
                how += f"; it said: {tail}"
            return TagOutcome(None, TAG_ERROR, f"the tagging process died ({how})", time.monotonic() - t0)
        seconds = time.monotonic() - t0
        if kind == "ok":
            return TagOutcome(value, TAG_OK, "", seconds)
        return TagOutcome(None, TAG_ERROR, str(value)[:500], seconds)


def tag_in_process(tagger: Tagger, paragraphs: list[str], title: str | None, taggable: list[bool]) -> TagOutcome:
    """No budget (``article_budget_s = 0``): an exception still leaves the article untagged, never lost."""
    t0 = time.monotonic()
    try:
        return TagOutcome(tagger.tag_article(paragraphs, title, taggable), TAG_OK, "", time.monotonic() - t0)
    except Exception as e:  # noqa: BLE001 - a tagger's bug must not lose the article
        return TagOutcome(None, TAG_ERROR, f"{type(e).__name__}: {e}"[:500], time.monotonic() - t0)


# --- What the per-article stage calls --------------------------------------------------------------------------

TAG_PROBLEMS_DIR = "tag_problems"


# Articles whose tags a worker keeps for reuse (most recent first out): wire copies usually arrive close together.
REUSE_ARTICLES = 4096


class TagReuse:
    """Tags of recent articles by their exact input, so a word-for-word copy is not tagged again.

    Tagging is a pure function of (paragraphs, title, which paragraphs are taggable): an exact copy gets the same
    tags whether it is tagged again or not, so reusing them changes no output; only ``ok`` outcomes are kept (a
    timeout depends on the machine's load, an error may be transient). Wire copies are 10-15% of a news feed.

    Outcomes are kept pickled: as Python objects 4,096 articles of news held 68 MB per worker, pickled 14 MB
    (measured on the bench corpus); only the 10-15% that are reused are unpickled again.
    """

    def __init__(self, size: int = REUSE_ARTICLES):
        self.size = size
        self.kept: OrderedDict[bytes, bytes] = OrderedDict()
        self.reused = 0

    @staticmethod
    def key(paragraphs: list[str], title: str | None, taggable: list[bool]) -> bytes:
        h = xxhash.xxh3_128()
        h.update((title or "").encode("utf-8", "surrogatepass") + b"\x00" + bytes(taggable))
        for p in paragraphs:
            h.update(len(p).to_bytes(8, "little") + p.encode("utf-8", "surrogatepass"))
        return h.digest()

    def get(self, key: bytes) -> TagOutcome | None:
        raw = self.kept.get(key)
        if raw is None:
            return None
        self.kept.move_to_end(key)
        self.reused += 1
        return pickle.loads(raw)

    def put(self, key: bytes, outcome: TagOutcome) -> None:
        if outcome.status != TAG_OK:
            return
        self.kept[key] = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        if len(self.kept) > self.size:
            self.kept.popitem(last=False)

    def wrap(self, tag: Callable[..., TagOutcome]) -> Callable[..., TagOutcome]:
        """``tag`` with reuse: an exact copy of a kept article returns its outcome, marked ``reused``."""

        def tag_or_reuse(paragraphs: list[str], title: str | None, taggable: list[bool], text_bytes: int) -> TagOutcome:
            key = self.key(paragraphs, title, taggable)
            kept = self.get(key)
            if kept is not None:
                return replace(kept, seconds=0.0, reused=True)
            outcome = tag(paragraphs, title, taggable, text_bytes)
            self.put(key, outcome)
            return outcome

        return tag_or_reuse


def make_tag_fn(cfg: TaggingConfig, progress: Any = None) -> Callable[..., TagOutcome] | None:
    """The tagging call of ``build_article`` for this configuration (None when tagging is off).

    ``progress`` (a ``progress.ProgressWriter``) is told which article is being tagged and for how long, so the
    driver's progress line can tell a slow run from a stuck one. Exact copies of a recent article reuse its tags
    (``TagReuse``); the outcome then says so (``reused``), for the counter ``articles-tag-reused``.
    """
    if not (cfg.places or cfg.actors or cfg.extra_taggers):
        return None
    reuse = TagReuse()
    if cfg.article_budget_s <= 0:
        tagger = Tagger.shared(cfg)
        return reuse.wrap(lambda paragraphs, title, taggable, text_bytes:
                          tag_in_process(tagger, paragraphs, title, taggable))
    sandbox = SandboxedTagger.shared(cfg)

    def tag(paragraphs: list[str], title: str | None, taggable: list[bool], text_bytes: int) -> TagOutcome:
        budget = article_budget(cfg, text_bytes)
        t0 = time.time()
        on_wait = on_start = None
        if progress is not None:
            def on_wait() -> None:
                progress.set_state(busy_since=t0, busy_budget=budget, busy_title=(title or "")[:80], starting=False)

            def on_start() -> None:
                progress.set_state(starting=True)
        outcome = sandbox.tag_article(paragraphs, title, taggable, budget, on_wait, on_start)
        if progress is not None:
            progress.set_state(busy_since=None, last_done=time.time(), starting=False)
        return outcome

    return reuse.wrap(tag)


def close_tag_fn(cfg: TaggingConfig) -> None:
    inst = SandboxedTagger._instances.get(cfg)
    if inst is not None:
        inst.close()


def write_tag_problem(staging: str, problem: dict) -> None:
    """One article whose tagging timed out or failed, as one small JSON file for the run record."""
    import json

    folder = os.path.join(staging, TAG_PROBLEMS_DIR)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{problem['article_id']}-{os.getpid()}-{time.monotonic_ns()}.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(problem, f, sort_keys=True)
    os.replace(path + ".tmp", path)


def read_tag_problems(staging: str, limit: int = 1000) -> tuple[list[dict], int]:
    """(up to ``limit`` problems sorted by article, their total number): what the run record lists."""
    import json
    from pathlib import Path

    seen: dict[str, dict] = {}
    for p in sorted(Path(staging, TAG_PROBLEMS_DIR).glob("*.json")):
        with contextlib.suppress(OSError, ValueError):
            rec = json.loads(p.read_text(encoding="utf-8"))
            seen.setdefault(rec["article_id"], rec)  # an article retried by the runner is listed once
    problems = [seen[k] for k in sorted(seen)]
    return problems[:limit], len(problems)


# --- The child side -----------------------------------------------------------------------------------------------


def _watch_parent(ppid: int) -> None:
    # Invariant: sleeps a second per pass; ends the process once the parent is gone.
    while True:
        time.sleep(1.0)
        if os.getppid() != ppid:
            os._exit(0)


def serve(fd_in: int, fd_out: int, expected_ppid: int = 0) -> None:
    """The child's loop: build the taggers, then answer one article at a time until the pipe closes."""
    _set_pdeathsig(expected_ppid)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    try:
        kind, cfg = _read_frame(fd_in)
        tagger = Tagger(cfg)
    except _Closed:
        return
    except Exception as e:  # noqa: BLE001 - reported to the parent, which fails the run with it
        _write_frame(fd_out, ("failed", f"{type(e).__name__}: {e}"))
        return
    # The taggers' tables are millions of long-lived objects: out of the collector's way, so its full
    # collections (triggered by the objects each article allocates) do not walk them again and again.
    freeze_long_lived()
    _write_frame(fd_out, ("ready", None))
    # Invariant: each pass reads one whole request or returns (the parent closed the pipe).
    while True:
        try:
            _kind, paragraphs, title, taggable = _read_frame(fd_in)
        except _Closed:
            return
        try:
            reply = ("ok", tagger.tag_article(paragraphs, title, taggable))
        except Exception as e:  # noqa: BLE001 - one article's error, reported with the article
            reply = ("error", f"{type(e).__name__}: {e}")
        _write_frame(fd_out, reply)


if __name__ == "__main__":
    # Our stdout is the reply pipe: anything a library prints must not corrupt it, so fd 1 becomes stderr.
    out_fd = os.dup(1)
    os.dup2(2, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle; it stops us
    serve(0, out_fd, int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 0)
