"""Beam counters by name: every decision that drops, rejects or flags something is counted and shown in the summary."""

from __future__ import annotations

from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

NS = "newsbeam"


def _counter(name: str):
    return Metrics.counter(NS, name)


class CountingDoFn(beam.DoFn):
    """Counters are created lazily by name, so stage functions can report any decision they make.

    It has no other effect: a stage that trims memory says so (``runtime.memory.TrimMemoryPerBundle``).
    """

    def __init__(self) -> None:
        self._counters: dict[str, Any] = {}

    def inc(self, name: str, n: int = 1) -> None:
        if n:
            c = self._counters.get(name)
            if c is None:
                c = self._counters[name] = _counter(name)
            c.inc(n)
