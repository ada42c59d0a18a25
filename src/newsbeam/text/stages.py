"""The per-article stage: article dicts -> staged rows, plus the dedup records that travel on (ids and hashes)."""

from __future__ import annotations

import apache_beam as beam

from newsbeam.config import Config
from newsbeam.dedup.batching import RECORD_TAGS, DedupRecords
from newsbeam.dedup.rules import MinHasher
from newsbeam.output import schema
from newsbeam.output.staging import SHARD_TEXT_BYTES, StagedShard
from newsbeam.runtime.counters import CountingDoFn
from newsbeam.runtime.memory import TrimMemoryPerBundle, freeze_long_lived
from newsbeam.runtime.progress import ProgressWriter
from newsbeam.tags.sandbox import close_tag_fn, make_tag_fn, write_tag_problem
from newsbeam.tags.tagger import tag_columns
from newsbeam.text.articles import BuiltArticle, build_article, empty_reject
from newsbeam.text.language import load_language_model

# ProcessArticlesFn's tagged outputs (its main output is unused).
PROCESS_TAGS = ("shard", *RECORD_TAGS, "reject")


def send_records(built: BuiltArticle, shard: str, records: DedupRecords, sent: set[int], inc) -> None:
    """Queue one article's refs (with its shard) and its texts' band entries and shingles.

    A text's band keys and shingles depend on its text only: once per bundle is enough (the near-dup steps make
    (band, text) entries distinct anyway), and a quarter of a news corpus repeats a text already seen. ``sent``
    holds the text hashes already queued in this bundle.
    """
    inc("xfer-refs-sent", len(built.refs))
    for key, ref in built.refs:
        records.add_ref(key, ref._replace(shard=shard))
    for sig, (th, sh) in zip(built.sigs, built.shingles, strict=True):
        if th in sent:
            inc("near-texts-sent-once")
            continue
        sent.add(th)
        records.add_text(sig["bands"], th, sh)
        inc("xfer-bands-sent", len(sig["bands"]))
        inc("xfer-shingles-sent")


def stage_rows(built: BuiltArticle, shard: StagedShard, staging: str, progress: ProgressWriter, inc) -> None:
    """Write one article's rows to the shard, and count them (and its tagging problem, if any)."""
    if built.tag_problem is not None:
        write_tag_problem(staging, built.tag_problem)
    text_bytes = built.counts.get("paragraph-text-bytes", 0)
    shard.add(built.article, built.paragraphs, built.sigs, text_bytes)
    inc("articles")
    for k, v in built.counts.items():
        inc(k, v)
    progress.add(articles_done=1, text_bytes=text_bytes)


class ProcessArticlesFn(TrimMemoryPerBundle, CountingDoFn):
    """article dict -> staged rows, plus (tagged) shard id and batched dedup records.

    Outputs: 'shard' -> shard id (once per shard written); 'ref', 'band', 'shingles' -> batched dedup records
    (``DedupRecords``); 'reject' -> reject dict (articles with no paragraph left). Batches are emitted when large and
    at the end of the bundle. ``shard_text_bytes``: see ``staging.SHARD_TEXT_BYTES``.
    """

    def __init__(self, run_id: str, staging: str, cfg: Config, shard_text_bytes: int = SHARD_TEXT_BYTES):
        super().__init__()
        self.run_id, self.staging, self.cfg, self.shard_text_bytes = run_id, staging, cfg, shard_text_bytes

    def setup(self):
        self.progress = ProgressWriter(self.staging, "process")
        self.tag = make_tag_fn(self.cfg.tagging, self.progress)
        self.hasher = MinHasher(self.cfg.dedup) if self.cfg.dedup.near else None
        # Columns of taggers registered in the configuration (none by default): see tags/registry.py.
        columns = tag_columns(self.cfg.tagging)
        self.tag_column_names = tuple(c.name for c in columns)
        self.paragraph_schema = schema.paragraphs_schema(columns)
        load_language_model()  # now rather than on the first article: it is long-lived, and frozen with the rest
        freeze_long_lived()

    def teardown(self):
        close_tag_fn(self.cfg.tagging)

    def start_bundle(self):
        super().start_bundle()
        self.shard, self.announced = self._new_shard(), False
        self.records, self.near_sent = DedupRecords(self.staging), set()

    def process(self, raw):
        cfg = self.cfg
        built = build_article(raw, run_id=self.run_id, dedup=cfg.dedup, hasher=self.hasher, tag=self.tag,
                              languages=tuple(cfg.languages), tag_columns=self.tag_column_names)
        if not built.paragraphs:
            for name, n in (("rejects-empty", 1), ("xfer-rejects-sent", 1), ("articles-read", -1)):
                self.inc(name, n)
            yield beam.pvalue.TaggedOutput("reject", empty_reject(raw))
            return
        if not self.announced:
            self.announced = True
            self.inc("xfer-shards-sent")
            yield beam.pvalue.TaggedOutput("shard", self.shard.id)
        stage_rows(built, self.shard, self.staging, self.progress, self.inc)
        send_records(built, self.shard.id, self.records, self.near_sent, self.inc)
        if self.records.full:
            yield from self.records.drain()
        if self.shard.text_bytes >= self.shard_text_bytes:
            # A bundle can be half the corpus (the local runner splits a stage among its workers); Finalize reads a
            # whole shard into memory, so shards are cut between articles at a fixed size instead.
            self.inc("shards-cut-at-size")
            self.shard.close()
            self.shard, self.announced = self._new_shard(), False

    def _new_shard(self) -> StagedShard:
        return StagedShard(self.staging, self.hasher is not None, self.paragraph_schema)

    def finish_bundle(self):
        self.shard.close()
        self.progress.flush()
        yield from self.records.drain(windowed=True)
