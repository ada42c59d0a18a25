"""The dedup stages around the near-dup composite (``near.py``): earlier runs' index in, group decisions out."""

from __future__ import annotations

from newsbeam.dedup.batching import DedupRecords, unbatch
from newsbeam.dedup.contracts import Decision
from newsbeam.dedup.decide import decide_group
from newsbeam.dedup.index_format import queue_index_file
from newsbeam.dedup.rules import DedupSettings
from newsbeam.runtime.counters import CountingDoFn
from newsbeam.runtime.memory import TrimMemoryPerBundle


class ReadIndexFn(TrimMemoryPerBundle, CountingDoFn):
    """An earlier run's index file -> old refs, bands and shingles, batched as ProcessArticlesFn's.

    Entries of inputs that this run processes again (``superseded`` URI hashes), or that a later run processed
    again (``stale``), are skipped: a new version of an article must not be called a copy of its own old version.
    """

    def __init__(self, superseded: frozenset[int], near: bool, staging: str | None = None):
        super().__init__()
        self.superseded, self.near, self.staging = superseded, near, staging

    def process(self, item):
        path, stale = item
        stale = frozenset(stale)
        records = DedupRecords(self.staging)
        for name, n in queue_index_file(path, self.near, self.superseded | stale, records).items():
            self.inc(name, n)
        yield from records.drain()


def decide_bucket(grouped: dict, dedup: DedupSettings, inc) -> dict[str, list[Decision]]:
    """One bucket's exact groups and near verdicts -> its decisions by shard, groups in exact-key order."""
    refs = unbatch(grouped["ref"])
    near = unbatch([grouped["near"]])
    inc("xfer-refs-received", sum(len(v) for v in refs.values()))
    inc("xfer-near-received", len(grouped["near"]))
    by_shard: dict[str, list[Decision]] = {}
    for key in sorted(refs):
        for shard, decision in decide_group(refs[key], near.get(key, []), dedup, inc):
            by_shard.setdefault(shard, []).append(decision)
    return by_shard


class DecideGroupsFn(TrimMemoryPerBundle, CountingDoFn):
    """(bucket, {'ref': [[(key, Ref)]], 'near': [(text_hash, NearVerdict)]}) -> (shard, [Decision...]) per shard."""

    def __init__(self, dedup: DedupSettings):
        super().__init__()
        self.dedup = dedup

    def process(self, kv):
        _, grouped = kv
        by_shard = decide_bucket(grouped, self.dedup, self.inc)
        for shard in sorted(by_shard):
            self.inc("xfer-decisions-sent", len(by_shard[shard]))
            yield (shard, by_shard[shard])


__all__ = ["DecideGroupsFn", "ReadIndexFn", "decide_bucket"]
