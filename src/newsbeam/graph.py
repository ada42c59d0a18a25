"""The Beam graph, written once; every runner (in-process, portable, Flink, Spark, Dataflow) runs this same graph.

Element shapes between the steps are named below (``RefBatch``, ``BandEntries``...), as in TFDS's C4 utilities.
Text never enters a shuffle: it is written to a staging shard by the worker that read it; GroupByKeys carry hashes
and ids only (see ``output/staging.py``), batched per bucket (``dedup/batching.py``). The stages live with their
role: ``ingest/stages.py`` (reading), ``text/stages.py`` (per article), ``dedup/near.py`` (the near-dup composite),
``dedup/transforms.py`` (index, decisions), ``output/stages.py`` (rejects, finalize).

    inputs ─ SliceInputs (large files in parts) ─ ReadInputs ─┬─ rejects ──────────────────── WriteRejects
                         ┌────────────────────────────────────┘
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

from newsbeam.config import Config
from newsbeam.dedup.band_files import BandSlice
from newsbeam.dedup.batching import RECORD_TAGS
from newsbeam.dedup.contracts import Decision, NearVerdict
from newsbeam.dedup.near import NearDuplicates
from newsbeam.dedup.transforms import DecideGroupsFn, ReadIndexFn
from newsbeam.ingest import slices
from newsbeam.ingest.stages import ReadInputsFn, ingest_options
from newsbeam.output.stages import FinalizeFn, WriteRejectsFn
from newsbeam.output.staging import SHARD_TEXT_BYTES
from newsbeam.output.tombstone_stage import drop_forgotten
from newsbeam.output.tombstones import Tombstones
from newsbeam.runtime.counters import NS
from newsbeam.runtime.memory import Trimmer, configure_allocator
from newsbeam.text.stages import PROCESS_TAGS, ProcessArticlesFn

# --- Element shapes -------------------------------------------------------------------------------------------

Packed = tuple[int, bytes]  # (number of items, pickled [(key, value), ...]): see dedup/batching.py
RefBatch = tuple[int, Packed]  # (bucket(exact_key), packed [(exact_key, Ref)])
BandEntries = tuple[int, BandSlice]  # (band_bucket(band_key), where its entries are: see dedup/band_files.py)
ShingleBatch = tuple[int, Packed]  # (text_hash % NEAR_BUCKETS, packed [(text_hash, stored shingle set)])
NearResult = tuple[int, tuple[int, NearVerdict]]  # (bucket(text_hash), (text_hash, NearVerdict))
ShardDecisions = tuple[str, list[Decision]]  # (shard id, the decisions for that shard's paragraphs)

# --- The whole job --------------------------------------------------------------------------------------------


class NewsbeamJob(beam.PTransform):
    """InputRefs -> staged final tables under ``staging``. Index files of earlier runs join the dedup."""

    def __init__(
        self, cfg: Config, run_id: str, staging: str, index_files: list[tuple[str, tuple[int, ...]]],
        superseded: frozenset[int], forgotten: Tombstones | None = None,
    ):
        super().__init__()
        self.cfg, self.run_id, self.staging = cfg, run_id, staging
        self.index_files, self.superseded, self.forgotten = index_files, superseded, forgotten

    def expand(self, refs):
        read_fn = ReadInputsFn(ingest_options(self.cfg.ingest), self.staging)
        read = (
            refs
            | "SliceInputs" >> beam.FlatMap(slices.slices_of, self.cfg.workers, slices.SLICE_MIN_BYTES)  # InputSlice
            | "SpreadInputs" >> beam.Reshuffle()
            | "ReadInputs" >> beam.ParDo(read_fn).with_outputs("reject", main="article")
        )
        articles = drop_forgotten(read.article, self.forgotten)  # takedowns stay taken down (output/tombstones.py)
        processed = articles | "ProcessArticles" >> beam.ParDo(
            ProcessArticlesFn(self.run_id, self.staging, self.cfg, SHARD_TEXT_BYTES)
        ).with_outputs(*PROCESS_TAGS)
        _ = (
            (read.reject, processed.reject)
            | "AllRejects" >> beam.Flatten()
            | "WriteRejects" >> beam.ParDo(WriteRejectsFn(self.run_id, self.staging))
        )
        decisions = self._decisions(refs.pipeline, processed)  # ShardDecisions
        shards = processed.shard | "ShardKeys" >> beam.Map(lambda s: (s, None))  # (shard id, None)
        return (
            {"shard": shards, "dec": decisions}
            | "GroupByShard" >> beam.CoGroupByKey()
            | "Finalize" >> beam.ParDo(FinalizeFn(self.staging, self.cfg.dedup))
        )

    def _decisions(self, pipeline, processed):
        """This run's dedup records and the earlier runs' index -> ShardDecisions."""
        d = self.cfg.dedup
        old = (
            pipeline
            | "IndexFiles" >> beam.Create(self.index_files)
            | "ReadIndex" >> beam.ParDo(ReadIndexFn(self.superseded, d.near, self.staging)).with_outputs(*RECORD_TAGS)
        )
        all_refs = (processed.ref, old.ref) | "AllRefs" >> beam.Flatten()  # RefBatch
        if d.near:
            bands = (processed.band, old.band) | "AllBands" >> beam.Flatten()  # BandEntries
            shingles = (processed.shingles, old.shingles) | "AllShingles" >> beam.Flatten()  # ShingleBatch
            near = (bands, shingles, all_refs) | "NearDuplicates" >> NearDuplicates(d, self.staging)  # NearResult
        else:
            near = pipeline | "NoNear" >> beam.Create([])
        return (
            {"ref": all_refs, "near": near}
            | "GroupCopies" >> beam.CoGroupByKey()
            | "Decide" >> beam.ParDo(DecideGroupsFn(d))  # ShardDecisions
        )


def run_job(
    refs: list,
    cfg: Config,
    run_id: str,
    staging: Path,
    index_files: list[tuple[str, tuple[int, ...]]],
    superseded: frozenset[int],
    beam_args: list[str],
    forgotten: Tombstones | None = None,
) -> dict[str, int]:
    """Build and run the pipeline; returns the newsbeam counters."""
    from newsbeam.runtime.runner import make_pipeline

    configure_allocator()
    with Trimmer(), make_pipeline(cfg.workers, beam_args) as p:
        _ = (
            p
            | "Inputs" >> beam.Create(refs)
            | "Newsbeam" >> NewsbeamJob(cfg, run_id, str(staging), index_files, superseded, forgotten)
        )
    result = p.result
    counts: Counter = Counter()
    for c in result.metrics().query(beam.metrics.MetricsFilter().with_namespace(NS))["counters"]:
        counts[c.key.metric.name] += c.committed if c.committed is not None else c.attempted
    return dict(counts)
