"""Per-paragraph dedup records travel through the shuffles in batches, keyed by bucket, not one element each.

Beam's cost is per element, so this is what makes the shuffles cheap: refs, LSH band entries, shingles, near results
and decisions are grouped by ``key % BUCKETS`` (candidate pairs and shingles by ``key % NEAR_BUCKETS``) in the worker
that made them, and each bucket is grouped by its real key in plain Python after the GroupByKey.
"""

from __future__ import annotations

import pickle
from itertools import chain

import apache_beam as beam
import numpy as np
from apache_beam.transforms.window import GlobalWindows

from newsbeam.dedup.band_files import write_band_batches
from newsbeam.dedup.batch_files import PackedSlice, read_packed, write_packed_batches
from newsbeam.dedup.contracts import BandBatch, Ref
from newsbeam.dedup.rules import shingle_count

BUCKETS = 1024
FLUSH_AT = 400_000
# LSH band entries are bucketed more coarsely than refs (``band_bucket``): every drain of every worker sends one
# element per band bucket present (4,096 per 10 MB with one worker at 1024 buckets, 512 at 128), and a bucket's
# entries are paired in one vectorised ``band_pairs`` call, which costs less per entry on larger buckets (micro-
# benchmark on 1.2 M entries: 0.045 -> 0.037 CPU-s). Which bucket an entry lands in changes no decision: candidate
# pairs are made per band key.
BAND_BUCKETS = 128
assert BAND_BUCKETS & (BAND_BUCKETS - 1) == 0 and BAND_BUCKETS <= 1 << 16, "BandBatcher.drain needs a power of two"


class BandBatcher:
    """LSH band entries, 40 per distinct text: kept as the texts' band-key lists and bucketed with numpy when drained.

    Drains to (band bucket, (band_keys, text_hashes, shingle_counts)) int64 arrays — each pickles as one buffer. The
    shingle count lets candidate pairs that cannot reach the threshold be dropped before any join: Jaccard is at most
    min(|A|, |B|) / max(|A|, |B|). ``add`` only appends the caller's list (one call per text, not 40 list items
    times three); ``drain`` flattens them all in one ``np.fromiter``: extending three flat lists per text and
    converting 1.2 million Python ints per 10 MB with ``np.array`` was most of the cost of batching band entries.
    The lists are kept, not copied, until the next ``drain``: callers hand over band-key lists they never change.
    ``add_block`` takes many texts' entries already as arrays (an index file read column by column); entries keep
    the order they were added in, whichever way they came.
    """

    def __init__(self) -> None:
        self.keys: list[list[int]] = []
        self.ths: list[int] = []
        self.sizes: list[int] = []
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # flat (keys, texts, sizes), in order
        self.n = 0
        self._listed = 0  # entries in ``keys`` (not yet in ``blocks``)

    def add(self, band_keys: list[int], th: int, n_shingles: int) -> None:
        self.keys.append(band_keys)
        self.ths.append(th)
        self.sizes.append(n_shingles)
        self.n += len(band_keys)
        self._listed += len(band_keys)

    def add_block(self, band_keys: np.ndarray, per_text: np.ndarray, ths: np.ndarray, sizes: np.ndarray) -> None:
        """Many texts at once: text i has ``per_text[i]`` entries, the next ones of the flat int64 ``band_keys``."""
        self._seal()
        self.blocks.append((
            np.asarray(band_keys, dtype=np.int64),
            np.repeat(np.asarray(ths, dtype=np.int64), per_text),
            np.repeat(np.asarray(sizes, dtype=np.int64), per_text),
        ))
        self.n += len(band_keys)

    def _seal(self) -> None:
        """Turn the texts added one by one since the last block into a block (keeps the order of entries)."""
        if not self.keys:
            return
        per_text = np.fromiter(map(len, self.keys), dtype=np.int64, count=len(self.keys))
        k = np.fromiter(chain.from_iterable(self.keys), dtype=np.int64, count=self._listed)
        t = np.repeat(np.asarray(self.ths, dtype=np.int64), per_text)
        z = np.repeat(np.asarray(self.sizes, dtype=np.int64), per_text)
        self.blocks.append((k, t, z))
        self.keys, self.ths, self.sizes, self._listed = [], [], [], 0

    def drain(self) -> list[tuple[int, BandBatch]]:
        self._seal()
        blocks, n = self.blocks, self.n
        self.blocks, self.n = [], 0
        if not n:
            return []
        if len(blocks) == 1:
            k, t, z = blocks[0]
        else:
            k, t, z = (np.concatenate([b[i] for b in blocks]) for i in range(3))
        # ``k & (BAND_BUCKETS - 1)`` is ``k % BAND_BUCKETS`` (a power of two, two's complement); as uint16 the stable
        # argsort is a radix sort, ten times faster than on int64.
        b = (k & (BAND_BUCKETS - 1)).astype(np.uint16)
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


def band_bucket(band_key: int) -> int:
    """The band bucket of an LSH band entry (``BAND_BUCKETS``)."""
    return band_key % BAND_BUCKETS


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

    def add_texts(self, band_keys: np.ndarray, per_text: np.ndarray, ths: np.ndarray, shingles: list[bytes]) -> None:
        """``add_text`` for many texts whose band keys are one flat int64 array (text i: the next ``per_text[i]``)."""
        sizes = np.fromiter(map(shingle_count, shingles), dtype=np.int64, count=len(shingles))
        self.bands.add_block(band_keys, per_text, ths, sizes)
        add = self.shingles.add
        for th, sh in zip(np.asarray(ths).tolist(), shingles, strict=True):
            add(th, sh)

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
