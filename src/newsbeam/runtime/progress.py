"""Progress of a running job, on a terminal only, and Beam's own chatter kept out of the way.

Beam metrics reach the driver only when the pipeline ends, and with ``--workers N`` the work happens in other
processes. So each worker-side DoFn instance writes its running totals to a small JSON file in the run's staging
folder (at most once a second); the driver sums those files every couple of seconds and redraws one status line on
stderr. Nothing of this is shown when stderr is not a terminal (cron) or with ``--quiet``; progress files are
best-effort and vanish with the staging folder.

Worker processes also log to the inherited stderr; ``worker_log`` points file descriptor 2 at
``OUT/_logs/<run_id>.log`` for the duration of the job, so a cron mail holds our summary, not gRPC chatter. On a
failure the last lines of that log are shown.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import TextIO

PROGRESS_DIR = "_progress"


class ProgressWriter:
    """Running totals of one DoFn instance, flushed to its own file so processes never share a file."""

    def __init__(self, staging: str, stage: str, every: float = 1.0):
        self.path = Path(staging) / PROGRESS_DIR / f"{stage}-{os.getpid()}-{uuid.uuid4().hex[:8]}.json"
        self.counts: Counter = Counter()
        # Not summed: what this instance is doing now (the article being tagged since when, the last one done).
        self.state: dict = {}
        self.every = every
        self._last = 0.0

    def add(self, **kv: int) -> None:
        self.counts.update(kv)
        now = time.monotonic()
        if now - self._last >= self.every:
            self.flush(now)

    def set_state(self, **kv) -> None:
        self.state.update(kv)
        now = time.monotonic()
        if now - self._last >= self.every:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        self._last = now if now is not None else time.monotonic()
        try:
            # Not parents=True: once a stopped run's staging folder is removed, a late flush must not recreate it.
            self.path.parent.mkdir(exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"counts": self.counts, "state": self.state}))
            os.replace(tmp, self.path)
        except OSError:
            pass  # progress is a courtesy; never fail a run for it


def _progress_files(staging: Path):
    for p in (Path(staging) / PROGRESS_DIR).glob("*.json"):
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(p.read_text())
            yield (data.get("counts", {}), data.get("state", {})) if "counts" in data else (data, {})


def read_progress(staging: Path) -> Counter:
    total: Counter = Counter()
    for counts, _state in _progress_files(staging):
        total.update(counts)
    return total


def read_states(staging: Path) -> list[dict]:
    return [state for _counts, state in _progress_files(staging) if state]


def stage_of(c: Counter, states: list[dict] | None = None) -> str:
    """The pipeline's stage from the workers' totals: reading, tagging (articles being processed) or writing."""
    if c.get("shards_final"):
        return "writing"
    if c.get("articles_done") or any(s.get("busy_since") for s in states or ()):
        return "tagging"
    if any(s.get("starting") for s in states or ()):
        return "starting taggers"
    return "reading"


def progress_line(c: Counter, n_inputs: int, seconds: float, states: list[dict] | None = None,
                  now: float | None = None, waiting: str | None = None) -> str:
    """One status line; with the workers' states it also names an article tagged for longer than its budget and
    says how long ago the last article finished, so that slow and stuck look different. ``waiting`` is what the
    job does before its first file moves (a first run building its tables), shown instead of counters at zero."""
    if waiting and not any(c.values()) and not any(s.get("busy_since") or s.get("last_done") for s in states or ()):
        return f"{waiting}  {seconds:.0f} s"
    mb = c.get("text_bytes", 0) / 1e6
    rate = mb / seconds if seconds > 0 else 0.0
    line = (
        f"{stage_of(c, states)} files {c.get('inputs', 0)}/{n_inputs}  articles read {c.get('articles', 0)}, "
        f"processed {c.get('articles_done', 0)}  {mb:.1f} MB  {rate:.2f} MB/s  {seconds:.0f} s"
    )
    if not states:
        return line
    now = time.time() if now is None else now
    done = [s["last_done"] for s in states if s.get("last_done")]
    if done:
        line += f"  last article done {now - max(done):.0f} s ago"
    slow = [s for s in states if s.get("busy_since") and now - s["busy_since"] > s.get("busy_budget", 0)]
    if slow:
        s = max(slow, key=lambda s: now - s["busy_since"])
        title = s.get("busy_title") or "(untitled)"
        line += f"  over budget: {title!r} {now - s['busy_since']:.0f} s (budget {s.get('busy_budget', 0):.0f} s)"
    return line


class ProgressPrinter:
    """Redraws one line on a terminal every ``every`` seconds while the job runs."""

    def __init__(self, staging: Path, n_inputs: int, stream: TextIO, every: float = 2.0, waiting: str | None = None):
        self.staging, self.n_inputs, self.stream, self.every = staging, n_inputs, stream, every
        self.waiting = waiting
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="newsbeam-progress", daemon=True)
        self._t0 = time.monotonic()

    def __enter__(self) -> ProgressPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError, ValueError):
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            line = progress_line(read_progress(self.staging), self.n_inputs, time.monotonic() - self._t0,
                                 read_states(self.staging), waiting=self.waiting)
            with contextlib.suppress(OSError, ValueError):
                self.stream.write("\r\033[K" + line)
                self.stream.flush()


@contextlib.contextmanager
def worker_log(path: Path):
    """Send file descriptor 2 (inherited by worker processes) to ``path``; yield a stream to the real stderr."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    real = io.TextIOWrapper(os.fdopen(os.dup(saved), "wb", buffering=0), write_through=True)
    old_stderr = sys.stderr
    sys.stderr = real
    try:
        yield real
    finally:
        sys.stderr = old_stderr
        with contextlib.suppress(OSError, ValueError):
            real.flush()
        os.dup2(saved, 2)
        os.close(saved)
        with contextlib.suppress(OSError, ValueError):
            real.close()


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
