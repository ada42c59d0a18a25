"""The Beam graph, written once; every runner (in-process, portable, Flink, Spark, Dataflow) runs this same graph.

Element shapes after each step are given in comments, as in TFDS's C4 utilities. Text never enters a shuffle: it is
written to a staging shard by the worker that read it; GroupByKeys carry hashes and ids only (see ``staging.py``),
batched per bucket (``batching.py``); the near-duplicate transforms live in ``near.py``.

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

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.transforms.window import GlobalWindows

from newsbeam.config import Config
from newsbeam.dedup.batching import FLUSH_AT, NEAR_BUCKETS, BandBatcher, Batcher, unbatch
from newsbeam.dedup.near import NearDuplicates
from newsbeam.dedup.rules import (
    DedupSettings,
    Member,
    MinHasher,
    boilerplate_sources,
    canonical_of,
    order_key,
)
from newsbeam.ingest.readers import IngestOptions, read_input
from newsbeam.output import schema
from newsbeam.output.finalize import finalize_shard
from newsbeam.output.staging import SHARD_TEXT_BYTES, SIG_SCHEMA, ShardWriter, new_shard_id
from newsbeam.runtime.counters import NS, CountingDoFn
from newsbeam.runtime.memory import Trimmer, configure_allocator, release_unused
from newsbeam.runtime.progress import ProgressWriter
from newsbeam.tags.sandbox import close_tag_fn, make_tag_fn, write_tag_problem
from newsbeam.text.articles import build_article

# --- Reading --------------------------------------------------------------------------------------------------


class ReadInputsFn(CountingDoFn):
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
                self.inc("xfer-rejects-sent")
                yield beam.pvalue.TaggedOutput("reject", value)
            else:
                self.inc(value)
        if self.progress:
            self.progress.add(inputs=1)

    def finish_bundle(self):
        if self.progress:
            self.progress.flush()


class WriteRejectsFn(CountingDoFn):
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


# --- Per-article work -----------------------------------------------------------------------------------------

BATCHED = ("ref", "band", "shingles")


class ProcessArticlesFn(CountingDoFn):
    """article dict -> staged rows, plus (tagged) shard id and batched dedup records.

    Outputs: 'shard' -> shard id (once per bundle); 'ref' -> (bucket, [(exact_key, ref tuple)]); 'band' -> (bucket,
    [(band_key, text_hash)]); 'shingles' -> (near bucket, [(text_hash, bytes)]); 'reject' -> reject dict (articles with
    no paragraph left). Batches are emitted when large and at the end of the bundle.
    """

    def __init__(self, run_id: str, staging: str, cfg: Config):
        super().__init__()
        self.run_id, self.staging, self.cfg = run_id, staging, cfg

    def setup(self):
        self.progress = ProgressWriter(self.staging, "process")
        self.tag = make_tag_fn(self.cfg.tagging, self.progress)
        self.hasher = MinHasher(self.cfg.dedup) if self.cfg.dedup.near else None

    def teardown(self):
        close_tag_fn(self.cfg.tagging)

    def start_bundle(self):
        super().start_bundle()
        self._open_shard()
        self.batches = {"ref": Batcher(), "band": BandBatcher(), "shingles": Batcher(NEAR_BUCKETS)}
        self.near_sent: set[int] = set()

    def _open_shard(self):
        self.shard = new_shard_id()
        base = Path(self.staging) / "shards"
        # Shards are read back once by Finalize and deleted: a fast codec, not a small file.
        fast = "lz4"
        self.art_writer = ShardWriter(base / f"{self.shard}.articles.parquet", schema.ARTICLES, 2000, fast)
        self.para_writer = ShardWriter(base / f"{self.shard}.paragraphs.parquet", schema.PARAGRAPHS, 5000, fast)
        self.sig_writer = ShardWriter(base / f"{self.shard}.sigs.parquet", SIG_SCHEMA, 5000, fast) if self.hasher else None
        self.shard_text_bytes = 0
        self.announced = False

    def _close_shard(self):
        self.art_writer.close()
        self.para_writer.close()
        if self.sig_writer is not None:
            self.sig_writer.close()

    def _drain(self, windowed: bool):
        for tag, batcher in self.batches.items():
            for batch in batcher.drain():
                yield beam.pvalue.TaggedOutput(tag, GlobalWindows.windowed_value(batch) if windowed else batch)

    def process(self, raw):
        built = build_article(
            raw,
            run_id=self.run_id,
            dedup=self.cfg.dedup,
            hasher=self.hasher,
            tag=self.tag,
            languages=tuple(self.cfg.languages),
        )
        if not built.paragraphs:
            self.inc("rejects-empty")
            self.inc("xfer-rejects-sent")
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
            self.inc("xfer-shards-sent")
            yield beam.pvalue.TaggedOutput("shard", self.shard)
        if built.tag_problem is not None:
            write_tag_problem(self.staging, built.tag_problem)
        self.art_writer.add(built.article)
        for p in built.paragraphs:
            self.para_writer.add(p)
        if self.sig_writer is not None:
            for sig in built.sigs:
                self.sig_writer.add(sig)
        self.inc("articles")
        for k, v in built.counts.items():
            self.inc(k, v)
        text_bytes = built.counts.get("paragraph-text-bytes", 0)
        self.progress.add(articles_done=1, text_bytes=text_bytes)
        self.shard_text_bytes += text_bytes
        refs, bands, shingles = self.batches["ref"], self.batches["band"], self.batches["shingles"]
        self.inc("xfer-refs-sent", len(built.refs))
        for key, ref in built.refs:
            refs.add(key, (*ref, self.shard))
        # A text's band keys and shingles depend on its text only: once per bundle is enough (the near-dup steps
        # make (band, text) entries distinct anyway), and a quarter of a news corpus repeats a text already seen.
        seen = self.near_sent
        for sig, (th, sh) in zip(built.sigs, built.shingles, strict=True):
            if th in seen:
                self.inc("near-texts-sent-once")
                continue
            seen.add(th)
            bands.add(sig["bands"], th, len(sh) // 4)
            shingles.add(th, sh)
            self.inc("xfer-bands-sent", len(sig["bands"]))
            self.inc("xfer-shingles-sent")
        if refs.n + bands.n + shingles.n >= FLUSH_AT:
            yield from self._drain(windowed=False)
        if self.shard_text_bytes >= SHARD_TEXT_BYTES:
            # A bundle can be half the corpus (the local runner splits a stage among its workers); Finalize reads a
            # whole shard into memory, so shards are cut between articles at a fixed size instead.
            self.inc("shards-cut-at-size")
            self._close_shard()
            self._open_shard()

    def finish_bundle(self):
        self._close_shard()
        self.progress.flush()
        yield from self._drain(windowed=True)


class ReadIndexFn(CountingDoFn):
    """An earlier run's index file -> old refs, bands and shingles, batched as ProcessArticlesFn's.

    Entries of inputs that this run processes again (``superseded`` URI hashes), or that a later run processed
    again (``stale``), are skipped: a new version of an article must not be called a copy of its own old version.
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
        batches = {"ref": Batcher(), "band": BandBatcher(), "shingles": Batcher(NEAR_BUCKETS)}
        for i in range(len(t["text_hash"])):
            if t["uri_hash"][i] in self.superseded or t["uri_hash"][i] in stale:
                self.inc("index-entries-superseded")
                continue
            th = t["text_hash"][i]
            self.inc("index-entries-read")
            self.inc("xfer-refs-sent")
            batches["ref"].add(
                th, (t["published_us"][i], t["article_id"][i], t["para_index"][i], t["source"][i], t["n_words"][i], None)
            )
            if self.near and t["bands"][i] is not None:
                batches["band"].add(t["bands"][i], th, len(t["shingles"][i]) // 4)
                batches["shingles"].add(th, t["shingles"][i])
                self.inc("xfer-bands-sent", len(t["bands"][i]))
                self.inc("xfer-shingles-sent")
        for tag, batcher in batches.items():
            for batch in batcher.drain():
                yield beam.pvalue.TaggedOutput(tag, batch)


# --- Decisions ------------------------------------------------------------------------------------------------


def _member(ref: tuple) -> Member:
    pub, aid, idx, source, _n_words, shard = ref
    return Member(order=order_key(pub, aid, idx), shard=shard or "", source=source or "", old=shard is None)




def decide_group(refs: list[tuple], near: list[tuple], dedup: DedupSettings, inc):
    """One exact group (its refs) and its near result -> (shard, decision) for every new paragraph needing one."""
    members = [_member(r) for r in refs]
    new = [m for m in members if not m.old]
    if not new:
        return
    copies = [n for n in near if n[0] == "copy"]
    is_near_canon = any(n[0] == "canon" for n in near)
    canon = canonical_of(members)
    boiler = boilerplate_sources(members, dedup.boilerplate_min_articles) if len(members) > 1 else set()
    if copies:
        _, target, sim = copies[0]
        for m in new:
            b = m.source in boiler
            inc("paragraphs-near-duplicate")
            inc("paragraphs-boilerplate", int(b))
            yield (m.shard, (m.order[1], m.order[2], "near", target, target, float(sim), b))
        return
    has_copies = len(members) > 1 or is_near_canon
    for m in new:
        b = m.source in boiler
        inc("paragraphs-boilerplate", int(b))
        if m is canon:
            if has_copies:
                yield (m.shard, (m.order[1], m.order[2], None, None, m.pid, None, b))
        else:
            inc("paragraphs-exact-duplicate")
            inc("paragraphs-duplicate-of-earlier-run", int(canon.old))
            yield (m.shard, (m.order[1], m.order[2], "exact", canon.pid, canon.pid, 1.0, b))


class DecideGroupsFn(CountingDoFn):
    """(bucket, {'ref': [[(key, ref)]], 'near': [(text_hash, result)]}) -> (shard, [decision...]) per shard."""

    def __init__(self, dedup: DedupSettings):
        super().__init__()
        self.dedup = dedup

    def process(self, kv):
        _, grouped = kv
        refs = unbatch(grouped["ref"])
        near = unbatch([grouped["near"]])
        self.inc("xfer-refs-received", sum(len(v) for v in refs.values()))
        self.inc("xfer-near-received", len(grouped["near"]))
        by_shard: dict[str, list] = {}
        for key in sorted(refs):
            for shard, decision in decide_group(refs[key], near.get(key, []), self.dedup, self.inc):
                by_shard.setdefault(shard, []).append(decision)
        for shard in sorted(by_shard):
            self.inc("xfer-decisions-sent", len(by_shard[shard]))
            yield (shard, by_shard[shard])


class FinalizeFn(CountingDoFn):
    """(shard, {'shard': [...], 'dec': [[decision...]]}) -> final files for that shard."""

    def __init__(self, staging: str, dedup: DedupSettings):
        super().__init__()
        self.staging, self.dedup = staging, dedup

    def process(self, kv):
        shard, grouped = kv
        decisions = [d for batch in grouped["dec"] for d in batch]
        self.inc("xfer-decisions-received", len(decisions))
        self.inc("xfer-shards-received", len(grouped["shard"]))
        if not grouped["shard"]:
            return
        counts = finalize_shard(Path(self.staging), shard, decisions, self.dedup)
        release_unused()
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
        ).with_outputs("shard", *BATCHED, "reject")
        _ = (
            (read.reject, processed.reject)
            | "AllRejects" >> beam.Flatten()
            | "WriteRejects" >> beam.ParDo(WriteRejectsFn(self.run_id, self.staging))
        )
        old = (
            refs.pipeline
            | "IndexFiles" >> beam.Create(self.index_files)
            | "ReadIndex" >> beam.ParDo(ReadIndexFn(self.superseded, d.near)).with_outputs(*BATCHED)
        )
        all_refs = (processed.ref, old.ref) | "AllRefs" >> beam.Flatten()  # bucket, [(exact_key, ref)]
        if d.near:
            bands = (processed.band, old.band) | "AllBands" >> beam.Flatten()
            shingles = (processed.shingles, old.shingles) | "AllShingles" >> beam.Flatten()
            near = (bands, shingles, all_refs) | "NearDuplicates" >> NearDuplicates(d, self.staging)
        else:
            near = refs.pipeline | "NoNear" >> beam.Create([])
        decisions = (
            {"ref": all_refs, "near": near}
            | "GroupCopies" >> beam.CoGroupByKey()
            | "Decide" >> beam.ParDo(DecideGroupsFn(d))  # shard, [decision]
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
    from newsbeam.runtime.runner import make_pipeline

    configure_allocator()
    with Trimmer(), make_pipeline(cfg.workers, beam_args) as p:
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
