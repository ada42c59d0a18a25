"""The stages that write a run's output: rejects as they come, and each shard's final rows once decided."""

from __future__ import annotations

from pathlib import Path

from newsbeam.dedup.contracts import Decision
from newsbeam.dedup.rules import DedupSettings
from newsbeam.output import schema
from newsbeam.output.finalize import finalize_shard
from newsbeam.output.staging import ShardWriter, new_shard_id
from newsbeam.runtime.counters import CountingDoFn
from newsbeam.runtime.memory import TrimMemoryPerBundle, release_unused
from newsbeam.runtime.progress import ProgressWriter


class WriteRejectsFn(TrimMemoryPerBundle, CountingDoFn):
    """reject dict -> a row of this bundle's rejects staging file."""

    def __init__(self, run_id: str, staging: str):
        super().__init__()
        self.run_id, self.staging = run_id, staging

    def start_bundle(self):
        super().start_bundle()
        self.writer = ShardWriter(Path(self.staging) / "rejects" / f"{new_shard_id()}.parquet", schema.REJECTS)

    def process(self, rej):
        self.inc("xfer-rejects-received")
        self.writer.add({**{f: rej.get(f) for f in schema.REJECTS.names}, "run_id": self.run_id})

    def finish_bundle(self):
        self.writer.close()


class FinalizeFn(TrimMemoryPerBundle, CountingDoFn):
    """(shard, {'shard': [...], 'dec': [[Decision...]]}) -> final files for that shard; yields the shard id."""

    def __init__(self, staging: str, dedup: DedupSettings):
        super().__init__()
        self.staging, self.dedup = staging, dedup

    def process(self, kv):
        shard, grouped = kv
        decisions: list[Decision] = [d for batch in grouped["dec"] for d in batch]
        self.inc("xfer-decisions-received", len(decisions))
        self.inc("xfer-shards-received", len(grouped["shard"]))
        if not grouped["shard"]:
            return
        counts = finalize_shard(Path(self.staging), shard, decisions, self.dedup)
        release_unused()  # a shard's text and tags were just freed (see runtime/memory.py)
        for k, v in counts.items():
            self.inc(k, v)
        ProgressWriter(self.staging, "final").add(shards_final=1)
        yield shard
