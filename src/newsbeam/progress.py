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
        self.every = every
        self._last = 0.0

    def add(self, **kv: int) -> None:
        self.counts.update(kv)
        now = time.monotonic()
        if now - self._last >= self.every:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        self._last = now if now is not None else time.monotonic()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.counts))
            os.replace(tmp, self.path)
        except OSError:
            pass  # progress is a courtesy; never fail a run for it


def read_progress(staging: Path) -> Counter:
    total: Counter = Counter()
    for p in (Path(staging) / PROGRESS_DIR).glob("*.json"):
        with contextlib.suppress(OSError, ValueError):
            total.update(json.loads(p.read_text()))
    return total


def progress_line(c: Counter, n_inputs: int, seconds: float) -> str:
    mb = c.get("text_bytes", 0) / 1e6
    stage = "writing" if c.get("shards_final") else ("tagging" if c.get("articles_done") else "reading")
    rate = mb / seconds if seconds > 0 else 0.0
    return (
        f"{stage:<8} files {c.get('inputs', 0)}/{n_inputs}  articles read {c.get('articles', 0)}, "
        f"processed {c.get('articles_done', 0)}  {mb:.1f} MB  {rate:.2f} MB/s  {seconds:.0f} s"
    )


class ProgressPrinter:
    """Redraws one line on a terminal every ``every`` seconds while the job runs."""

    def __init__(self, staging: Path, n_inputs: int, stream: TextIO, every: float = 2.0):
        self.staging, self.n_inputs, self.stream, self.every = staging, n_inputs, stream, every
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
            line = progress_line(read_progress(self.staging), self.n_inputs, time.monotonic() - self._t0)
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
