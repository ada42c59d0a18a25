"""Near-duplicate paragraphs as Beam transforms: LSH candidates -> verified Jaccard edges -> greedy clustering.

Only ids, hashes, band keys and shingle hashes move; see ``docs/dedup.md``. The decision rules themselves are plain
functions in ``dedup.py``.
"""

from __future__ import annotations

import apache_beam as beam
import numpy as np

from .batching import NEAR_BUCKETS, bucket, unbatch
from .counters import CountingDoFn
from .dedup import (
    DedupSettings,
    Node,
    candidate_pairs,
    jaccard,
    order_key,
    pid,
    resolve_near,
    shingles_from_bytes,
)

__all__ = ["NearDuplicates"]


def distinct_rows(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (first, second) pairs, sorted by first then second: np.unique(axis=0) without its structured-view
    sort, which was half of the candidate-pair step."""
    order = np.lexsort((second, first))
    f, s = first[order], second[order]
    keep = np.ones(len(f), dtype=bool)
    keep[1:] = (f[1:] != f[:-1]) | (s[1:] != s[:-1])
    return f[keep], s[keep]


class BucketPairsFn(CountingDoFn):
    """(bucket, [(band_keys, text_hashes, sizes)]) -> (a % NEAR_BUCKETS, pairs array) of band keys two texts share.

    Pairs are (a, b) with a < b; one element per near bucket and band bucket. A pair whose shingle counts alone rule
    out the threshold (Jaccard <= smaller / larger) is dropped here, exactly, and counted.
    """

    def __init__(self, max_bucket: int, threshold: float):
        super().__init__()
        self.max_bucket = max_bucket
        self.threshold = threshold

    def process(self, kv):
        _, batches = kv
        batches = list(batches)
        keys = np.concatenate([b[0] for b in batches])
        self.inc("xfer-bands-received", len(keys))
        ths = np.concatenate([b[1] for b in batches])
        sizes = dict(zip(ths.tolist(), np.concatenate([b[2] for b in batches]).tolist(), strict=True))
        k, t = distinct_rows(keys, ths)  # distinct (band_key, text_hash), sorted
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
        ends = np.r_[starts[1:], len(k)]
        shared = (ends - starts) >= 2
        out: dict[int, list[tuple[int, int]]] = {}
        for s, e in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
            if e - s > self.max_bucket:
                self.inc("near-buckets-truncated")
            for a, b in candidate_pairs(t[s:e].tolist(), self.max_bucket):
                sa, sb = sizes[a], sizes[b]
                if min(sa, sb) < self.threshold * max(sa, sb):
                    self.inc("near-candidates-size-ruled-out")
                    continue
                out.setdefault(a % NEAR_BUCKETS, []).append((a, b))
        for nb in sorted(out):
            self.inc("xfer-pairs-sent", len(out[nb]))
            yield (nb, np.array(out[nb], dtype=np.int64))


class AttachAFn(CountingDoFn):
    """(near bucket, {'pair': [pairs array], 'sh': [[(th, bytes)]]}) -> (b % NEAR_BUCKETS, [(a, b, shingles_a)]).

    Pairs found in several bands arrive several times; they are made distinct here. A pair whose first text has no
    shingles in this bucket should not exist (every band entry comes with its text's shingles); it is counted.
    """

    def process(self, kv):
        _, grouped = kv
        self.inc("xfer-shingles-received-a", sum(len(b) for b in grouped["sh"]))
        arrays = [x for x in grouped["pair"] if len(x)]
        self.inc("xfer-pairs-received", sum(len(x) for x in arrays))
        if not arrays:
            return
        both = np.concatenate(arrays)
        a_col, b_col = distinct_rows(both[:, 0], both[:, 1])
        pairs = np.stack([a_col, b_col], axis=1)
        sh = {th: v[0] for th, v in unbatch(grouped["sh"]).items()}
        out: dict[int, list] = {}
        for a, b in pairs.tolist():
            sh_a = sh.get(a)
            if sh_a is None:
                self.inc("near-pairs-missing-shingles")
                continue
            out.setdefault(b % NEAR_BUCKETS, []).append((a, b, sh_a))
        self.inc("near-candidates-distinct", len(pairs))
        for nb in sorted(out):
            self.inc("xfer-halves-sent", len(out[nb]))
            yield (nb, out[nb])


class VerifyPairsFn(CountingDoFn):
    """(near bucket, {'half': [[(a, b, shingles_a)]], 'sh': [[(th, bytes)]]}) -> verified edges (a, b, jaccard)."""

    def __init__(self, threshold: float):
        super().__init__()
        self.threshold = threshold

    def process(self, kv):
        _, grouped = kv
        self.inc("xfer-shingles-received-b", sum(len(b) for b in grouped["sh"]))
        self.inc("xfer-halves-received", sum(len(h) for h in grouped["half"]))
        if not grouped["half"]:
            return
        sh = {th: v[0] for th, v in unbatch(grouped["sh"]).items()}
        for a, b, sh_a in (h for half in grouped["half"] for h in half):
            if b not in sh:
                self.inc("near-pairs-missing-shingles")
                continue
            sim = jaccard(shingles_from_bytes(sh_a), shingles_from_bytes(sh[b]))
            if sim >= self.threshold:
                self.inc("near-candidates-verified")
                yield (a, b, sim)
            else:
                self.inc("near-candidates-rejected")


def _node_info(refs: list[tuple], near_min_words: int) -> tuple[int, tuple] | None:
    """(rank, order) of a text's canonical among its refs: old ones (rank 0) first, then the canonical order."""
    best = None
    for r in refs:
        if r[4] < near_min_words:
            continue
        cand = (0 if r[5] is None else 1, order_key(r[0], r[1], r[2]))
        if best is None or cand < best:
            best = cand
    return best


class EdgeNodesFn(CountingDoFn):
    """(bucket, {'edge': [text_hash], 'ref': [[(key, ref)]]}) -> Node for every text that has an edge."""

    def __init__(self, near_min_words: int):
        super().__init__()
        self.near_min_words = near_min_words

    def process(self, kv):
        _, grouped = kv
        self.inc("xfer-refs-received-nodes", sum(len(b) for b in grouped["ref"]))
        self.inc("xfer-edge-ends-received", len(grouped["edge"]))
        if not grouped["edge"]:
            return
        refs = unbatch(grouped["ref"])
        for th in sorted(set(grouped["edge"])):
            info = _node_info(refs.get(th, []), self.near_min_words)
            if info is not None:
                rank, order = info
                self.inc("xfer-nodes-sent")
                yield Node(th, tuple(order), rank == 0)


class ResolveNearFn(CountingDoFn):
    """All verified edges and their nodes (one key) -> (bucket, (text_hash, ('copy', pid, sim) | ('canon',)))."""

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
        result = resolve_near(nodes, edges)
        canon_with_copies = set()
        for th, (canon, sim) in sorted(result.items()):
            c = nodes[canon]
            canon_with_copies.add(canon)
            self.inc("xfer-near-sent")
            yield (bucket(th), (th, ("copy", pid(c.order[1], c.order[2]), sim)))
        for th in sorted(canon_with_copies):
            self.inc("xfer-near-sent")
            yield (bucket(th), (th, ("canon",)))


class NearDuplicates(beam.PTransform):
    """LSH candidates -> verified Jaccard edges -> greedy canonical clustering (ids only).

    Inputs are bucketed batches; candidate pairs travel in batches per near bucket; verified edges (few) one by one.
    The clustering runs on one key: it sees only verified edges, not paragraphs.
    """

    def __init__(self, dedup: DedupSettings):
        super().__init__()
        self.dedup = dedup

    def expand(self, pcolls):
        bands, shingles, refs = pcolls
        s = self.dedup
        pairs = (
            bands
            | "GroupBands" >> beam.GroupByKey()  # bucket, [(band_keys, text_hashes)]
            | "BucketPairs" >> beam.ParDo(BucketPairsFn(s.max_bucket, s.threshold))  # a % NEAR_BUCKETS, pairs array
        )
        halves = (
            {"pair": pairs, "sh": shingles}
            | "JoinA" >> beam.CoGroupByKey()
            | "AttachA" >> beam.ParDo(AttachAFn())  # b % NEAR_BUCKETS, [(a, b, shingles_a)]
        )
        edges = (
            {"half": halves, "sh": shingles}
            | "JoinB" >> beam.CoGroupByKey()
            | "Verify" >> beam.ParDo(VerifyPairsFn(s.threshold))  # (a, b, sim)
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
