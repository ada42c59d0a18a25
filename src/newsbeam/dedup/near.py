"""Near-duplicate paragraphs as Beam transforms: LSH candidates -> verified Jaccard edges -> greedy clustering.

Only ids, hashes, band keys and shingle hashes move; see ``docs/dedup.md``. The decision rules themselves are plain
functions in ``rules.py`` and ``decide.py``.
"""

from __future__ import annotations

import os
import pickle
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import apache_beam as beam
import numpy as np
from apache_beam.transforms.window import GlobalWindows

from newsbeam.dedup.band_files import BandReader
from newsbeam.dedup.batching import NEAR_BUCKETS, batch_len, bucket, unbatch
from newsbeam.dedup.contracts import BandBatch, NearHalf
from newsbeam.dedup.decide import near_verdicts, node_of
from newsbeam.dedup.rules import DedupSettings, ShingleSets, band_pairs
from newsbeam.runtime.counters import CountingDoFn
from newsbeam.runtime.memory import TrimMemoryPerBundle

__all__ = ["NearDuplicates"]


def distinct_rows(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (first, second) pairs, sorted by first then second: np.unique(axis=0) without its structured-view
    sort, which was half of the candidate-pair step."""
    order = np.lexsort((second, first))
    f, s = first[order], second[order]
    keep = np.ones(len(f), dtype=bool)
    keep[1:] = (f[1:] != f[:-1]) | (s[1:] != s[:-1])
    return f[keep], s[keep]


class PendingPairs:
    """Candidate pairs kept across a bundle's band buckets, sent as one array per near bucket: one element per band
    bucket and near bucket made 65,000 tiny elements, and Beam's cost is per element."""

    def __init__(self):
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []
        self.n = 0

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        if len(a):
            self.parts.append((a, b))
            self.n += len(a)

    def drain(self) -> Iterator[tuple[int, np.ndarray]]:
        """(a % NEAR_BUCKETS, (n, 2) array of (a, b) rows) for every near bucket held; empties the buffer."""
        if not self.parts:
            return
        a = np.concatenate([p[0] for p in self.parts])
        b = np.concatenate([p[1] for p in self.parts])
        self.parts, self.n = [], 0
        for nb, a_g, b_g in by_near_bucket(a, b, a):
            yield nb, np.stack([a_g, b_g], axis=1)


class BucketPairsFn(TrimMemoryPerBundle, CountingDoFn):
    """(bucket, [BandSlice or BandBatch]) -> (a % NEAR_BUCKETS, pairs array) of band keys two texts share.

    Pairs are (a, b) with a < b. A pair whose shingle counts alone rule out the threshold (Jaccard <= smaller /
    larger) is dropped here, exactly, and counted. Pairs wait in ``PendingPairs`` until there are many, or the bundle
    ends.
    """

    FLUSH_PAIRS = 500_000

    def __init__(self, max_bucket: int, threshold: float, staging: str):
        super().__init__()
        self.max_bucket, self.threshold, self.staging = max_bucket, threshold, staging

    def setup(self):
        self.bands = BandReader(self.staging)

    def teardown(self):
        self.bands.close()

    def start_bundle(self):
        super().start_bundle()
        self.pending = PendingPairs()

    def process(self, kv):
        batches: list[BandBatch] = [self.bands.read(x) for x in kv[1]]
        keys = np.concatenate([b.band_keys for b in batches])
        self.inc("xfer-bands-received", len(keys))
        ths = np.concatenate([b.text_hashes for b in batches])
        sizes = np.concatenate([b.shingle_counts for b in batches])
        a, b, n_cut, n_ruled_out = band_pairs(keys, ths, sizes, self.max_bucket, self.threshold)
        self.inc("near-buckets-truncated", n_cut)
        self.inc("near-candidates-size-ruled-out", n_ruled_out)
        self.pending.add(a, b)
        if self.pending.n >= self.FLUSH_PAIRS:
            yield from self._send()

    def finish_bundle(self):
        for nb, pairs in self._send():
            yield GlobalWindows.windowed_value((nb, pairs))

    def _send(self):
        for nb, pairs in self.pending.drain():
            self.inc("xfer-pairs-sent", len(pairs))
            yield nb, pairs


def _known_rows(col: np.ndarray, table: dict[int, bytes]) -> tuple[np.ndarray, list[int]]:
    """A mask of the rows whose text hash in ``col`` has shingles in ``table``, and those texts (distinct, sorted)."""
    texts = np.unique(col)
    known = np.fromiter((t in table for t in texts.tolist()), dtype=bool, count=len(texts))
    return known[np.searchsorted(texts, col)], texts[known].tolist()


def by_near_bucket(a: np.ndarray, b: np.ndarray, key: np.ndarray):
    """(near bucket of ``key``, a rows, b rows) for each near bucket present, in bucket order (stable inside)."""
    nb = np.remainder(key, NEAR_BUCKETS)
    order = np.argsort(nb, kind="stable")
    a, b, nb = a[order], b[order], nb[order]
    cuts = np.flatnonzero(np.diff(nb)) + 1
    for a_g, b_g, nb_g in zip(np.split(a, cuts), np.split(b, cuts), np.split(nb, cuts), strict=True):
        if len(a_g):
            yield int(nb_g[0]), a_g, b_g


class HalfRef(NamedTuple):
    """Where one half is: bytes ``offset:offset + length`` of staging file ``near/<name>``."""

    name: str
    offset: int
    length: int


def write_halves(staging: str, halves: list[NearHalf]) -> list[HalfRef]:
    """Write the halves one AttachA call makes into one file under ``<staging>/near/``, each pickled on its own.

    One file per call, not per half: a file per (bucket of first texts, bucket of second texts) made up to 4,096
    small files per run, and creating files cost 5% of a two-worker run's CPU on this machine's ext4 (inode
    allocation next to recently deleted ones). A retried bundle writes a new file.
    """
    folder = Path(staging) / "near"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.pkl"
    tmp = folder / f"{name}.tmp-{os.getpid()}"
    refs, offset = [], 0
    with open(tmp, "wb") as f:
        for half in halves:
            raw = pickle.dumps(half, protocol=pickle.HIGHEST_PROTOCOL)
            f.write(raw)
            refs.append(HalfRef(name, offset, len(raw)))
            offset += len(raw)
    os.replace(tmp, folder / name)
    return refs


def read_half(staging: str, ref: HalfRef) -> NearHalf:
    with open(Path(staging) / "near" / ref.name, "rb") as f:
        f.seek(ref.offset)
        raw = f.read(ref.length)
    return pickle.loads(raw)


class AttachAFn(TrimMemoryPerBundle, CountingDoFn):
    """(near bucket, {'pair': [pairs array], 'sh': [[(th, bytes)]]}) -> (b % NEAR_BUCKETS, (HalfRef, pairs)).

    A ``NearHalf`` (``contracts.py``) carries each first text's shingles once per bucket of second texts. Pairs found in several bands arrive several times; they are made distinct here.
    A pair whose first text has no shingles in this bucket should not exist (every band entry comes with its text's
    shingles); it is counted.

    Halves are the largest data of the job (about 1 GB for 300 MB of news) and go to a staging file, one per call
    (``write_halves``); the shuffle carries (where each half is, number of pairs). Through the shuffle, they held 6 GB in the local runner's driver at 300 MB,
    and that runner's multi-process mode lost some of them without an error in both 300 MB runs measured (1.6% in one).
    """

    def __init__(self, staging: str):
        super().__init__()
        self.staging = staging

    def process(self, kv):
        _, grouped = kv
        self.inc("xfer-shingles-received-a", sum(map(batch_len, grouped["sh"])))
        arrays = [x for x in grouped["pair"] if len(x)]
        self.inc("xfer-pairs-received", sum(len(x) for x in arrays))
        if not arrays:
            return
        both = np.concatenate(arrays)
        a_col, b_col = distinct_rows(both[:, 0], both[:, 1])
        self.inc("near-candidates-distinct", len(a_col))
        sh = {th: v[0] for th, v in unbatch(grouped["sh"]).items()}
        keep, _ = _known_rows(a_col, sh)
        if not keep.all():
            self.inc("near-pairs-missing-shingles", int(len(keep) - keep.sum()))
            a_col, b_col = a_col[keep], b_col[keep]
        buckets, halves = [], []
        for nb, a_g, b_g in by_near_bucket(a_col, b_col, b_col):
            texts = np.unique(a_g).tolist()
            self.inc("xfer-halves-sent", len(a_g))
            buckets.append(nb)
            halves.append(NearHalf(a_g, b_g, ShingleSets.from_bytes(texts, [sh[t] for t in texts])))
        for nb, half, ref in zip(buckets, halves, write_halves(self.staging, halves), strict=True):
            yield (nb, (ref, len(half.firsts)))


class VerifyPairsFn(TrimMemoryPerBundle, CountingDoFn):
    """(near bucket, {'half': [(HalfRef, n)], 'sh': [[(th, bytes)]]}) -> verified edges (a, b, jaccard)."""

    def __init__(self, threshold: float, staging: str):
        super().__init__()
        self.threshold, self.staging = threshold, staging

    def process(self, kv):
        _, grouped = kv
        halves = [read_half(self.staging, ref) for ref, _ in grouped["half"]]
        self.inc("xfer-shingles-received-b", sum(map(batch_len, grouped["sh"])))
        self.inc("xfer-halves-received", sum(len(h.firsts) for h in halves))
        if not halves:
            return
        sh = {th: v[0] for th, v in unbatch(grouped["sh"]).items()}
        a_col = np.concatenate([h.firsts for h in halves])
        b_col = np.concatenate([h.seconds for h in halves])
        keep, seconds = _known_rows(b_col, sh)
        if not keep.all():
            self.inc("near-pairs-missing-shingles", int(len(keep) - keep.sum()))
            a_col, b_col = a_col[keep], b_col[keep]
        if not len(a_col):
            return
        second_shingles = ShingleSets.from_bytes(seconds, [sh[t] for t in seconds])
        sets = ShingleSets.concat([h.first_shingles for h in halves] + [second_shingles])
        sims = sets.jaccard(sets.rows_of(a_col), sets.rows_of(b_col))
        ok = sims >= self.threshold
        self.inc("near-candidates-verified", int(ok.sum()))
        self.inc("near-candidates-rejected", int(len(ok) - ok.sum()))
        yield from zip(a_col[ok].tolist(), b_col[ok].tolist(), sims[ok].tolist(), strict=True)


class EdgeNodesFn(TrimMemoryPerBundle, CountingDoFn):
    """(bucket, {'edge': [text_hash], 'ref': [[(key, ref)]]}) -> Node for every text that has an edge."""

    def __init__(self, near_min_words: int):
        super().__init__()
        self.near_min_words = near_min_words

    def process(self, kv):
        _, grouped = kv
        self.inc("xfer-refs-received-nodes", sum(map(batch_len, grouped["ref"])))
        self.inc("xfer-edge-ends-received", len(grouped["edge"]))
        if not grouped["edge"]:
            return
        refs = unbatch(grouped["ref"])
        for th in sorted(set(grouped["edge"])):
            node = node_of(th, refs.get(th, []), self.near_min_words)
            if node is not None:
                self.inc("xfer-nodes-sent")
                yield node


class ResolveNearFn(TrimMemoryPerBundle, CountingDoFn):
    """All verified edges and their nodes (one key) -> (bucket, (text_hash, NearVerdict))."""

    def process(self, kv):
        _, items = kv
        nodes, edges = {}, []
        n_nodes = 0
        for kind, v in items:
            if kind == "n":
                nodes[v.text_hash] = v
                n_nodes += 1
            else:
                edges.append(v)
        self.inc("xfer-nodes-received", n_nodes)
        self.inc("xfer-edges-received", len(edges))
        for th, verdict in near_verdicts(nodes, edges):
            self.inc("xfer-near-sent")
            yield (bucket(th), (th, verdict))


class NearDuplicates(beam.PTransform):
    """LSH candidates -> verified Jaccard edges -> greedy canonical clustering (ids only).

    Inputs are bucketed batches; candidate pairs travel in batches per near bucket; verified edges (few) one by one.
    The clustering runs on one key: it sees only verified edges, not paragraphs.
    """

    def __init__(self, dedup: DedupSettings, staging: str):
        super().__init__()
        self.dedup, self.staging = dedup, staging

    def expand(self, pcolls):
        bands, shingles, refs = pcolls
        s = self.dedup
        pairs = (
            bands
            | "GroupBands" >> beam.GroupByKey()  # bucket, [(band_keys, text_hashes)]
            # a % NEAR_BUCKETS, pairs array
            | "BucketPairs" >> beam.ParDo(BucketPairsFn(s.max_bucket, s.threshold, self.staging))
        )
        halves = (
            {"pair": pairs, "sh": shingles}
            | "JoinA" >> beam.CoGroupByKey()
            | "AttachA" >> beam.ParDo(AttachAFn(self.staging))  # b % NEAR_BUCKETS, (HalfRef, pairs in it)
        )
        edges = (
            {"half": halves, "sh": shingles}
            | "JoinB" >> beam.CoGroupByKey()
            | "Verify" >> beam.ParDo(VerifyPairsFn(s.threshold, self.staging))  # (a, b, sim)
        )
        edge_nodes = edges | "EdgeNodes" >> beam.FlatMap(lambda e: [(bucket(e[0]), e[0]), (bucket(e[1]), e[1])])
        nodes = (
            {"edge": edge_nodes, "ref": refs}
            | "JoinNodes" >> beam.CoGroupByKey()
            | "Nodes" >> beam.ParDo(EdgeNodesFn(s.near_min_words))  # Node
        )
        everything = (
            (
                edges | "TagEdges" >> beam.Map(lambda e: (0, ("e", e))),
                nodes | "TagNodes" >> beam.Map(lambda n: (0, ("n", n))),
            )
            | "FlattenGraph" >> beam.Flatten()
            | "OneGraph" >> beam.GroupByKey()
        )
        return everything | "Resolve" >> beam.ParDo(ResolveNearFn())  # bucket, (text_hash, result)
