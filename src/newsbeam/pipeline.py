"""The Beam graph, written once; every runner (in-process, portable, Flink, Spark, Dataflow) runs this same graph.

Element shapes after each step are given in comments, as in TFDS's C4 utilities. Text never enters a shuffle: it is
written to a staging shard by the worker that read it; GroupByKeys carry hashes and ids only (see ``staging.py``).

    inputs ─ ReadInputs ─┬─ rejects ─────────────────────────────────────────── WriteRejects
                         └─ articles ─ ProcessArticles ─┬─ shard ids ─────────┐
                                                        ├─ refs ─────┐        │
    earlier runs' index ─ ReadIndex ────────────────────┼─ bands ─ NearDuplicates ─ near decisions
                                                        └─ shingles ─┘        │
                                   refs + near decisions ─ DecideGroups ─ decisions ─ Finalize (per shard)
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindows

from . import schema
from .articles import build_article
from .config import Config
from .dedup import (
    DedupSettings,
    Member,
    MinHasher,
    Node,
    boilerplate_sources,
    candidate_pairs,
    canonical_of,
    jaccard,
    order_key,
    pid,
    resolve_near,
    shingles_from_bytes,
)
from .finalize import finalize_shard
from .ingest import IngestOptions, read_input
from .progress import ProgressWriter
from .staging import SIG_SCHEMA, ShardWriter, new_shard_id

NS = "newsbeam"
# LSH band entries travel in batches keyed by band_key % BAND_BUCKETS: one shuffled element per bucket and bundle
# instead of one per band and paragraph (32 per paragraph), which made the band shuffle the slowest step.
BAND_BUCKETS = 1024
BAND_FLUSH = 400_000


class _BandBatcher:
    """Collects (band_key, text_hash) pairs by bucket; emits (bucket, [(band_key, text_hash), ...])."""

    def __init__(self) -> None:
        self.buf: dict[int, list[tuple[int, int]]] = {}
        self.n = 0

    def add(self, band_key: int, th: int) -> None:
        self.buf.setdefault(band_key % BAND_BUCKETS, []).append((band_key, th))
        self.n += 1

    def drain(self) -> list[tuple[int, list[tuple[int, int]]]]:
        out = sorted(self.buf.items())
        self.buf, self.n = {}, 0
        return out


def _counter(name: str):
    return Metrics.counter(NS, name)


class _CountingDoFn(beam.DoFn):
    """Counters are created lazily by name, so stage functions can report any decision they make."""

    def __init__(self) -> None:
        self._counters: dict[str, Any] = {}

    def inc(self, name: str, n: int = 1) -> None:
        if n:
            c = self._counters.get(name)
            if c is None:
                c = self._counters[name] = _counter(name)
            c.inc(n)


# --- Reading --------------------------------------------------------------------------------------------------


class ReadInputsFn(_CountingDoFn):
    """InputRef -> article dicts (main) and reject dicts (tag 'reject'). Never raises for bad input."""

    def __init__(self, opts: IngestOptions, staging: str | None = None):
        super().__init__()
        self.opts, self.staging = opts, staging

    def setup(self):
        self.progress = ProgressWriter(self.staging, "read") if self.staging else None

    def process(self, ref):
        self.inc("inputs-read")
        for kind, value in read_input(ref, self.opts):
            if kind == "article":
                self.inc("articles-read")
                if self.progress:
                    self.progress.add(articles=1)
                yield value
            elif kind == "reject":
                self.inc(f"rejects-{value['reason']}")
                yield beam.pvalue.TaggedOutput("reject", value)
            else:
                self.inc(value)
        if self.progress:
            self.progress.add(inputs=1)

    def finish_bundle(self):
        if self.progress:
            self.progress.flush()


class WriteRejectsFn(_CountingDoFn):
    def __init__(self, run_id: str, staging: str):
        super().__init__()
        self.run_id, self.staging = run_id, staging

    def start_bundle(self):
        self.writer = ShardWriter(Path(self.staging) / "rejects" / f"{new_shard_id()}.parquet", schema.REJECTS)

    def process(self, rej):
        self.writer.add({**{f: rej.get(f) for f in schema.REJECTS.names}, "run_id": self.run_id})

    def finish_bundle(self):
        self.writer.close()


# --- Per-article work -----------------------------------------------------------------------------------------


class ProcessArticlesFn(_CountingDoFn):
    """article dict -> staged rows, plus (tagged) shard id, dedup refs, LSH bands and shingles.

    Outputs: 'shard' -> shard id (once per bundle); 'ref' -> (exact_key, ref tuple); 'band' -> (bucket,
    [(band_key, text_hash)]) batched per bundle; 'shingles' -> (text_hash, bytes); 'reject' -> reject dict (articles with no paragraph left).
    """

    def __init__(self, run_id: str, staging: str, cfg: Config):
        super().__init__()
        self.run_id, self.staging, self.cfg = run_id, staging, cfg

    def setup(self):
        from .tagging import Tagger

        t = self.cfg.tagging
        self.tagger = Tagger.shared(t) if (t.places or t.actors) else None
        self.hasher = MinHasher(self.cfg.dedup) if self.cfg.dedup.near else None
        self.progress = ProgressWriter(self.staging, "process")

    def start_bundle(self):
        self.shard = new_shard_id()
        base = Path(self.staging) / "shards"
        self.art_writer = ShardWriter(base / f"{self.shard}.articles.parquet", schema.ARTICLES, 2000)
        self.para_writer = ShardWriter(base / f"{self.shard}.paragraphs.parquet", schema.PARAGRAPHS, 5000)
        self.sig_writer = ShardWriter(base / f"{self.shard}.sigs.parquet", SIG_SCHEMA, 5000) if self.hasher else None
        self.announced = False
        self.bands = _BandBatcher()

    def process(self, raw):
        built = build_article(
            raw,
            run_id=self.run_id,
            dedup=self.cfg.dedup,
            hasher=self.hasher,
            tagger=self.tagger,
            languages=tuple(self.cfg.languages),
        )
        if not built.paragraphs:
            self.inc("rejects-empty")
            self.inc("articles-read", -1)
            yield beam.pvalue.TaggedOutput(
                "reject",
                {
                    "source_uri": raw["source_uri"],
                    "location": raw.get("location") or "",
                    "input_key": raw.get("input_key"),
                    "reason": "empty",
                    "detail": "no paragraph left after cleaning",
                },
            )
            return
        if not self.announced:
            self.announced = True
            yield beam.pvalue.TaggedOutput("shard", self.shard)
        self.art_writer.add(built.article)
        for p in built.paragraphs:
            self.para_writer.add(p)
        if self.sig_writer is not None:
            for sig in built.sigs:
                self.sig_writer.add(sig)
        self.inc("articles")
        for k, v in built.counts.items():
            self.inc(k, v)
        self.progress.add(articles_done=1, text_bytes=built.counts.get("paragraph-text-bytes", 0))
        for key, ref in built.refs:
            yield beam.pvalue.TaggedOutput("ref", (key, (*ref, self.shard)))
        for bk, th in built.bands:
            self.bands.add(bk, th)
        if self.bands.n >= BAND_FLUSH:
            for batch in self.bands.drain():
                yield beam.pvalue.TaggedOutput("band", batch)
        for s in built.shingles:
            yield beam.pvalue.TaggedOutput("shingles", s)

    def finish_bundle(self):
        self.art_writer.close()
        self.para_writer.close()
        if self.sig_writer is not None:
            self.sig_writer.close()
        self.progress.flush()
        for batch in self.bands.drain():
            yield beam.pvalue.TaggedOutput("band", GlobalWindows.windowed_value(batch))


class ReadIndexFn(_CountingDoFn):
    """An earlier run's index file -> old refs, bands and shingles (same tags as ProcessArticlesFn).

    Entries of inputs that this run processes again (``superseded`` URI hashes) are skipped: a new version of an
    article must not be called a copy of its own old version.
    """

    def __init__(self, superseded: frozenset[int], near: bool):
        super().__init__()
        self.superseded, self.near = superseded, near

    def process(self, item):
        path, stale = item
        stale = frozenset(stale)
        cols = ["text_hash", "article_id", "para_index", "published_us", "n_words", "source", "uri_hash"]
        if self.near:
            cols += ["bands", "shingles"]
        t = pq.read_table(path, columns=cols).to_pydict()
        bands = _BandBatcher()
        for i in range(len(t["text_hash"])):
            if t["uri_hash"][i] in self.superseded or t["uri_hash"][i] in stale:
                self.inc("index-entries-superseded")
                continue
            th = t["text_hash"][i]
            self.inc("index-entries-read")
            ref = (t["published_us"][i], t["article_id"][i], t["para_index"][i], t["source"][i], t["n_words"][i], None)
            yield beam.pvalue.TaggedOutput("ref", (th, ref))
            if self.near and t["bands"][i] is not None:
                for b in t["bands"][i]:
                    bands.add(b, th)
                yield beam.pvalue.TaggedOutput("shingles", (th, t["shingles"][i]))
        for batch in bands.drain():
            yield beam.pvalue.TaggedOutput("band", batch)


# --- Near duplicates ------------------------------------------------------------------------------------------


def _member(ref: tuple) -> Member:
    pub, aid, idx, source, _n_words, shard = ref
    return Member(order=order_key(pub, aid, idx), shard=shard or "", source=source or "", old=shard is None)


class BucketPairsFn(_CountingDoFn):
    """(bucket, [[(band_key, text_hash), ...], ...]) -> (smaller, larger) candidate pairs of each band key."""

    def __init__(self, max_bucket: int):
        super().__init__()
        self.max_bucket = max_bucket

    def process(self, kv):
        _, batches = kv
        by_band: dict[int, set[int]] = {}
        for batch in batches:
            for bk, th in batch:
                by_band.setdefault(bk, set()).add(th)
        for bk in sorted(by_band):
            distinct = by_band[bk]
            if len(distinct) < 2:
                continue
            if len(distinct) > self.max_bucket:
                self.inc("near-buckets-truncated")
            yield from candidate_pairs(distinct, self.max_bucket)


class VerifyPairsFn(_CountingDoFn):
    """(b, {'half': [(a, shingles_a)], 'sh': [shingles_b]}) -> verified edges (a, b, jaccard)."""

    def __init__(self, threshold: float):
        super().__init__()
        self.threshold = threshold

    def process(self, kv):
        b, grouped = kv
        sh_b = grouped["sh"]
        if not sh_b:
            return
        sb = shingles_from_bytes(sh_b[0])
        for a, sh_a in grouped["half"]:
            sim = jaccard(shingles_from_bytes(sh_a), sb)
            if sim >= self.threshold:
                self.inc("near-candidates-verified")
                yield (a, b, sim)
            else:
                self.inc("near-candidates-rejected")


def _attach_shingles(kv):
    """(a, {'pair': [b...], 'sh': [shingles_a]}) -> (b, (a, shingles_a))."""
    a, grouped = kv
    if not grouped["sh"]:
        return
    sh_a = grouped["sh"][0]
    for b in set(grouped["pair"]):
        yield (b, (a, sh_a))


def _nodes_in_edges(kv):
    """(text_hash, {'edge': [...], 'info': [(rank, order)]}) -> Node, for nodes that have edges."""
    th, grouped = kv
    if grouped["edge"] and grouped["info"]:
        rank, order = grouped["info"][0]
        yield Node(th, tuple(order), rank == 0)


class ResolveNearFn(_CountingDoFn):
    """All verified edges and their nodes (one key) -> (text_hash, ('copy', canonical_pid, sim) | ('canon',))."""

    def process(self, kv):
        _, items = kv
        nodes, edges = {}, []
        for kind, v in items:
            if kind == "n":
                nodes[v.text_hash] = v
            else:
                edges.append(v)
        result = resolve_near(nodes, edges)
        canon_with_copies = set()
        for th, (canon, sim) in sorted(result.items()):
            c = nodes[canon]
            canon_with_copies.add(canon)
            yield (th, ("copy", pid(c.order[1], c.order[2]), sim))
        for th in sorted(canon_with_copies):
            yield (th, ("canon",))


class NearDuplicates(beam.PTransform):
    """LSH candidates -> verified Jaccard edges -> greedy canonical clustering (ids only)."""

    def __init__(self, dedup: DedupSettings):
        super().__init__()
        self.dedup = dedup

    def expand(self, pcolls):
        bands, shingles, refs = pcolls
        s = self.dedup
        pairs = (
            bands
            | "GroupBands" >> beam.GroupByKey()  # bucket, [[(band_key, text_hash)]]
            | "BucketPairs" >> beam.ParDo(BucketPairsFn(s.max_bucket))  # (a, b)
            | "DistinctPairs" >> beam.Distinct()
        )
        one_shingles = shingles | "OneShinglesPerText" >> beam.CombinePerKey(min)  # text_hash, bytes
        halves = (
            {"pair": pairs, "sh": one_shingles}
            | "JoinA" >> beam.CoGroupByKey()
            | "AttachA" >> beam.FlatMap(_attach_shingles)  # b, (a, shingles_a)
        )
        edges = (
            {"half": halves, "sh": one_shingles}
            | "JoinB" >> beam.CoGroupByKey()
            | "Verify" >> beam.ParDo(VerifyPairsFn(s.threshold))  # (a, b, sim)
        )
        info = (
            refs
            | "EligibleRefs" >> beam.Filter(lambda kv: kv[1][4] >= s.near_min_words)
            | "NodeOrder"
            >> beam.Map(lambda kv: (kv[0], (0 if kv[1][5] is None else 1, order_key(kv[1][0], kv[1][1], kv[1][2]))))
            | "CanonicalOrder" >> beam.CombinePerKey(min)  # text_hash, (rank, order)
        )
        edge_nodes = edges | "EdgeNodes" >> beam.FlatMap(lambda e: [(e[0], 1), (e[1], 1)])
        nodes = {"edge": edge_nodes, "info": info} | "JoinNodes" >> beam.CoGroupByKey() | beam.FlatMap(_nodes_in_edges)
        everything = (
            (
                edges | "TagEdges" >> beam.Map(lambda e: (0, ("e", e))),
                nodes | "TagNodes" >> beam.Map(lambda n: (0, ("n", n))),
            )
            | "FlattenGraph" >> beam.Flatten()
            | "OneGraph" >> beam.GroupByKey()
        )
        return everything | "Resolve" >> beam.ParDo(ResolveNearFn())


# --- Decisions ------------------------------------------------------------------------------------------------


class DecideGroupsFn(_CountingDoFn):
    """(exact_key, {'ref': [...], 'near': [...]}) -> (shard, decision) for every new paragraph that needs one."""

    def __init__(self, dedup: DedupSettings):
        super().__init__()
        self.dedup = dedup

    def process(self, kv):
        _, grouped = kv
        members = [_member(r) for r in grouped["ref"]]
        new = [m for m in members if not m.old]
        if not new:
            return
        near = [n for n in grouped["near"] if n[0] == "copy"]
        is_near_canon = any(n[0] == "canon" for n in grouped["near"])
        canon = canonical_of(members)
        boiler = boilerplate_sources(members, self.dedup.boilerplate_min_articles) if len(members) > 1 else set()
        if near:
            _, target, sim = near[0]
            for m in new:
                b = m.source in boiler
                self.inc("paragraphs-near-duplicate")
                self.inc("paragraphs-boilerplate", int(b))
                yield (m.shard, (m.order[1], m.order[2], "near", target, target, float(sim), b))
            return
        has_copies = len(members) > 1 or is_near_canon
        for m in new:
            b = m.source in boiler
            self.inc("paragraphs-boilerplate", int(b))
            if m is canon:
                if has_copies:
                    yield (m.shard, (m.order[1], m.order[2], None, None, m.pid, None, b))
            else:
                self.inc("paragraphs-exact-duplicate")
                self.inc("paragraphs-duplicate-of-earlier-run", int(canon.old))
                yield (m.shard, (m.order[1], m.order[2], "exact", canon.pid, canon.pid, 1.0, b))


class FinalizeFn(_CountingDoFn):
    """(shard, {'shard': [...], 'dec': [decision...]}) -> final files for that shard."""

    def __init__(self, staging: str, dedup: DedupSettings):
        super().__init__()
        self.staging, self.dedup = staging, dedup

    def setup(self):
        self.hasher = MinHasher(self.dedup) if self.dedup.near else None

    def process(self, kv):
        shard, grouped = kv
        if not grouped["shard"]:
            return
        counts = finalize_shard(Path(self.staging), shard, list(grouped["dec"]), self.dedup, self.hasher)
        for k, v in counts.items():
            self.inc(k, v)
        ProgressWriter(self.staging, "final").add(shards_final=1)
        yield shard


# --- The whole job --------------------------------------------------------------------------------------------


class NewsbeamJob(beam.PTransform):
    """InputRefs -> staged final tables under ``staging``. Index files of earlier runs join the dedup."""

    def __init__(
        self, cfg: Config, run_id: str, staging: str, index_files: list[tuple[str, tuple[int, ...]]],
        superseded: frozenset[int],
    ):
        super().__init__()
        self.cfg, self.run_id, self.staging = cfg, run_id, staging
        self.index_files, self.superseded = index_files, superseded

    def expand(self, refs):
        cfg, d = self.cfg, self.cfg.dedup
        opts = IngestOptions(
            field_map=dict(cfg.ingest.field_map),
            max_article_bytes=cfg.ingest.max_article_bytes,
            retries=cfg.ingest.retries,
            timeout=cfg.ingest.timeout,
        )
        read = (
            refs
            | "SpreadInputs" >> beam.Reshuffle()
            | "ReadInputs" >> beam.ParDo(ReadInputsFn(opts, self.staging)).with_outputs("reject", main="article")
        )
        processed = read.article | "ProcessArticles" >> beam.ParDo(
            ProcessArticlesFn(self.run_id, self.staging, cfg)
        ).with_outputs("shard", "ref", "band", "shingles", "reject")
        _ = (
            (read.reject, processed.reject)
            | "AllRejects" >> beam.Flatten()
            | "WriteRejects" >> beam.ParDo(WriteRejectsFn(self.run_id, self.staging))
        )
        old = (
            refs.pipeline
            | "IndexFiles" >> beam.Create(self.index_files)
            | "ReadIndex" >> beam.ParDo(ReadIndexFn(self.superseded, d.near)).with_outputs("ref", "band", "shingles")
        )
        all_refs = (processed.ref, old.ref) | "AllRefs" >> beam.Flatten()  # exact_key, ref
        if d.near:
            bands = (processed.band, old.band) | "AllBands" >> beam.Flatten()
            shingles = (processed.shingles, old.shingles) | "AllShingles" >> beam.Flatten()
            near = (bands, shingles, all_refs) | "NearDuplicates" >> NearDuplicates(d)
        else:
            near = refs.pipeline | "NoNear" >> beam.Create([])
        decisions = (
            {"ref": all_refs, "near": near}
            | "GroupCopies" >> beam.CoGroupByKey()
            | "Decide" >> beam.ParDo(DecideGroupsFn(d))  # shard, decision
        )
        shards = processed.shard | "ShardKeys" >> beam.Map(lambda s: (s, None))
        return (
            {"shard": shards, "dec": decisions}
            | "GroupByShard" >> beam.CoGroupByKey()
            | "Finalize" >> beam.ParDo(FinalizeFn(self.staging, d))
        )


def run_job(
    refs: list,
    cfg: Config,
    run_id: str,
    staging: Path,
    index_files: list[tuple[str, tuple[int, ...]]],
    superseded: frozenset[int],
    beam_args: list[str],
) -> dict[str, int]:
    """Build and run the pipeline; returns the newsbeam counters."""
    from .runner import make_pipeline

    with make_pipeline(cfg.workers, beam_args) as p:
        _ = (
            p
            | "Inputs" >> beam.Create(refs)
            | "Newsbeam" >> NewsbeamJob(cfg, run_id, str(staging), index_files, superseded)
        )
    result = p.result
    counts: Counter = Counter()
    for c in result.metrics().query(beam.metrics.MetricsFilter().with_namespace(NS))["counters"]:
        counts[c.key.metric.name] += c.committed if c.committed is not None else c.attempted
    return dict(counts)
