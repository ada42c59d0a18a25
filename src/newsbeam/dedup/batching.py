"""Per-paragraph dedup records travel through the shuffles in batches, keyed by bucket, not one element each.

Beam's cost is per element, so this is what makes the shuffles cheap: refs, LSH band entries, shingles, near results
and decisions are grouped by ``key % BUCKETS`` (candidate pairs and shingles by ``key % NEAR_BUCKETS``) in the worker
that made them, and each bucket is grouped by its real key in plain Python after the GroupByKey.
"""

from __future__ import annotations

import pickle

import apache_beam as beam
import numpy as np
from apache_beam.transforms.window import GlobalWindows

from newsbeam.dedup.band_files import write_band_batches
from newsbeam.dedup.batch_files import PackedSlice, read_packed, write_packed_batches
from newsbeam.dedup.contracts import BandBatch, Ref
from newsbeam.dedup.rules import shingle_count

BUCKETS = 1024
FLUSH_AT = 400_000


class BandBatcher:
    """LSH band entries, 32 per paragraph: kept in flat lists and bucketed with numpy when drained.

    Drains to (bucket, (band_keys, text_hashes, shingle_counts)) int64 arrays — each pickles as one buffer. The
    shingle count lets candidate pairs that cannot reach the threshold be dropped before any join: Jaccard is at most
    min(|A|, |B|) / max(|A|, |B|).
    """

    def __init__(self) -> None:
        self.keys: list[int] = []
        self.ths: list[int] = []
        self.sizes: list[int] = []
        self.n = 0

    def add(self, band_keys: list[int], th: int, n_shingles: int) -> None:
        self.keys.extend(band_keys)
        self.ths.extend([th] * len(band_keys))
        self.sizes.extend([n_shingles] * len(band_keys))
        self.n += len(band_keys)

    def drain(self) -> list[tuple[int, BandBatch]]:
        if not self.keys:
            return []
        k = np.array(self.keys, dtype=np.int64)
        t = np.array(self.ths, dtype=np.int64)
        z = np.array(self.sizes, dtype=np.int64)
        self.keys, self.ths, self.sizes, self.n = [], [], [], 0
        b = np.remainder(k, BUCKETS)
        order = np.argsort(b, kind="stable")
        k, t, z, b = k[order], t[order], z[order], b[order]
        cuts = np.flatnonzero(np.diff(b)) + 1
        return [
            (int(bb[0]), BandBatch(kk, tt, zz))
            for kk, tt, zz, bb in zip(
                np.split(k, cuts), np.split(t, cuts), np.split(z, cuts), np.split(b, cuts), strict=True
            )
        ]


def bucket(key: int) -> int:
    return key % BUCKETS


# Candidate pairs and shingles meet in coarser buckets: most LSH candidates are rejected on verification, so pairs
# are many (hundreds of thousands for 30 MB of news); batching them by ``a % NEAR_BUCKETS`` keeps the element count
# at (band buckets x NEAR_BUCKETS) whatever the number of pairs. A near bucket holds 1/64 of the shingles.
NEAR_BUCKETS = 64


class Batcher:
    """Collects (key, value) items by bucket; drains to (bucket, packed batch) elements.

    A batch travels as one pickled ``bytes``: the runner passes it through several shuffle stages (flatten, group,
    join) and decodes and re-encodes every element at each; tens of thousands of small tuples per batch made those
    stages slow and left each worker's memory hundreds of MB higher. Only the step that uses the items unpacks them.
    """

    def __init__(self, buckets: int = BUCKETS) -> None:
        self.buf: dict[int, list[tuple]] = {}
        self.n = 0
        self.buckets = buckets

    def add(self, key: int, value) -> None:
        self.buf.setdefault(key % self.buckets, []).append((key, value))
        self.n += 1

    def drain(self) -> list[tuple[int, tuple[int, bytes]]]:
        out = [(b, pack(items)) for b, items in sorted(self.buf.items())]
        self.buf, self.n = {}, 0
        return out


def pack(items: list[tuple]) -> tuple[int, bytes]:
    """A batch as (number of items, pickled items): counted without unpacking."""
    return len(items), pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)


def batch_len(batch) -> int:
    return batch[0] if isinstance(batch, tuple) else len(batch)


def unbatch(batches) -> dict:
    """Packed batches (or plain lists of (key, value)) -> {key: [value, ...]}: one bucket's records by real key.

    A packed batch is (n, pickled items), or (n, ``PackedSlice``) when it waits in a staging file
    (``batch_files.py``)."""
    out: dict = {}
    for batch in batches:
        if isinstance(batch, tuple):
            raw = batch[1]
            items = pickle.loads(read_packed(raw) if isinstance(raw, PackedSlice) else raw)
        else:
            items = batch
        for k, v in items:
            out.setdefault(k, []).append(v)
    return out


# The tagged outputs a stage that sends dedup records has, in this order: refs, band entries, shingles.
RECORD_TAGS = ("ref", "band", "shingles")


class DedupRecords:
    """The dedup records a worker sends, batched per bucket: refs (by exact key), LSH band entries and shingle sets
    (by text hash). ``drain`` yields them as Beam tagged outputs; call it when ``full`` and at the end of a bundle
    (``windowed``: from ``finish_bundle``, which must give each element a window).

    With a ``staging`` folder (the job always gives one), band entries are written to a band file there and travel
    as (bucket, ``BandSlice``) references (``band_files.py``), refs and shingle sets to a batch file, as (bucket,
    (n, ``PackedSlice``)) (``batch_files.py``); without, all travel inline.
    """

    def __init__(self, staging: str | None = None) -> None:
        self.refs, self.bands, self.shingles = Batcher(), BandBatcher(), Batcher(NEAR_BUCKETS)
        self.staging = staging

    def add_ref(self, exact_key: int, ref: Ref) -> None:
        self.refs.add(exact_key, ref)

    def add_text(self, band_keys: list[int], text_hash: int, shingles: bytes) -> None:
        """A distinct text's band entries and shingle set (stored bytes, see ``rules.shingle_count``)."""
        self.bands.add(band_keys, text_hash, shingle_count(shingles))
        self.shingles.add(text_hash, shingles)

    @property
    def full(self) -> bool:
        return self.refs.n + self.bands.n + self.shingles.n >= FLUSH_AT

    def drain(self, windowed: bool = False):
        for tag, batcher in zip(RECORD_TAGS, (self.refs, self.bands, self.shingles), strict=True):
            batches = batcher.drain()
            if self.staging is not None:
                if batcher is self.bands:
                    batches = write_band_batches(self.staging, batches)
                else:
                    batches = write_packed_batches(self.staging, tag, batches)
            for batch in batches:
                yield beam.pvalue.TaggedOutput(tag, GlobalWindows.windowed_value(batch) if windowed else batch)
