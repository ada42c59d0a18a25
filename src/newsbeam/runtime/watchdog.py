"""The run-level watchdog (``--max-runtime``), Ctrl-C, and stopping a run's whole process tree.

A run that is still going past its limit is stopped from a timer thread, whatever the main thread is doing (it may
be blocked inside Beam's runner waiting on a stuck worker, where no exception can reach it): the thread writes the
failed run record, kills every process the run started (Beam workers, tagging processes), removes the staging area
and ends the process with exit code 5. Nothing is published and the kernel releases the output lock with the
process. Publishing itself is never interrupted: the watchdog waits for a publish in progress to finish (a publish
only moves files and takes well under a second), and that run then ends normally.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator

from newsbeam.errors import EXIT_INTERRUPTED, EXIT_TIMEOUT

# Set while a run is being stopped: code in this process that would react to its killed children (a tagging call
# whose process vanished) waits instead, so that nothing writes into the staging area being removed.
STOPPING = threading.Event()


def park_if_stopping() -> None:
    """Block this thread for good when the run is being stopped (the process ends in a moment)."""
    if STOPPING.is_set():
        threading.Event().wait()


def kill_descendants(timeout: float = 5.0) -> int:
    """Kill every process below this one (SIGKILL) and reap them; returns how many there were."""
    import psutil

    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return 0
    for c in children:
        with contextlib.suppress(psutil.Error):
            c.kill()
    psutil.wait_procs(children, timeout=timeout)
    return len(children)


class RunWatchdog:
    """Stops the run when ``seconds`` have passed or on SIGINT (Ctrl-C), unless the run is over first.

    ``on_stop(kind)`` (kind ``"timeout"`` or ``"interrupted"``) records and cleans up; then the process ends with
    exit code 5 or 130. Stopping runs in a thread of its own, never inside the signal handler, so it works
    whatever the main thread is blocked in; Beam would otherwise turn a KeyboardInterrupt raised inside a DoFn into
    a RuntimeError and two tracebacks. ``publishing()`` holds stopping off while the run publishes.
    """

    def __init__(self, seconds: float | None, on_stop: Callable[[str], None]):
        self.seconds, self.on_stop = seconds, on_stop
        self._done = threading.Event()
        self._publish = threading.Lock()
        self._old_sigint = None

    def __enter__(self) -> RunWatchdog:
        if self.seconds is not None:
            threading.Thread(target=self._timer, name="newsbeam-watchdog", daemon=True).start()
        if threading.current_thread() is threading.main_thread():
            self._old_sigint = signal.signal(signal.SIGINT, self._sigint)
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._old_sigint is not None:
            signal.signal(signal.SIGINT, self._old_sigint)

    @contextlib.contextmanager
    def publishing(self) -> Iterator[None]:
        with self._publish:
            yield
            self._done.set()  # published: the run is over as far as stopping it is concerned

    def _timer(self) -> None:
        if not self._done.wait(self.seconds):
            self._stop("timeout")

    def _sigint(self, signum: int, frame: object) -> None:
        threading.Thread(target=self._stop, args=("interrupted",), name="newsbeam-stop", daemon=True).start()

    def _stop(self, kind: str) -> None:
        code = EXIT_TIMEOUT if kind == "timeout" else EXIT_INTERRUPTED
        with self._publish:
            if self._done.is_set():
                if kind == "timeout":
                    return  # finished in time after all
                os._exit(code)  # Ctrl-C after the run was published: it stays published
            STOPPING.set()
            try:
                self.on_stop(kind)
            finally:
                sys.stderr.flush()
                os._exit(code)
