"""The near-dup composite and the group decisions as Beam transforms, on small in-memory inputs (TestPipeline)."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from newsbeam.dedup.batching import DedupRecords, bucket
from newsbeam.dedup.contracts import Decision, NearVerdict, Ref
from newsbeam.dedup.near import NearDuplicates
from newsbeam.dedup.rules import DedupSettings, MinHasher
from newsbeam.dedup.transforms import DecideGroupsFn
from newsbeam.text.paragraphs import comparison_key, text_hash

S = DedupSettings()
WIRE = (
    "The provincial government said on Saturday that five soldiers were killed when militants attacked a "
    "checkpoint near the town of Turbat late on Friday night, the third such attack this month."
)
EDITED = (
    "The provincial government said Saturday that five soldiers were killed when militants attacked a "
    "checkpoint near the town of Turbat late Friday night, the third such attack this month."
)
OTHER = (
    "Harbour cranes stood idle for a second day as dock workers waited for the wage talks to resume in the "
    "port city, union officials said on Wednesday evening after a short meeting."
)


def _records(texts: list[tuple[str, Ref]]) -> tuple[DedupRecords, dict[str, int]]:
    """Dedup records for (text, ref) pairs, as ProcessArticlesFn sends them; and each text's hash."""
    hasher, records, hashes = MinHasher(S), DedupRecords(), {}
    for text, ref in texts:
        key = comparison_key(text)
        th = hashes[text] = text_hash(key)
        records.add_ref(th, ref)
        bands, sh = hasher.fingerprint(key)
        records.add_text(bands, th, sh)
    return records, hashes


def _drained(records: DedupRecords) -> dict[str, list]:
    out: dict[str, list] = {"ref": [], "band": [], "shingles": []}
    for tagged in records.drain():
        out[tagged.tag].append(tagged.value)
    return out


def test_near_duplicates_finds_the_edited_copy(tmp_path):
    texts = [(WIRE, Ref(100, "a", 0, "Daily", 30, "s1")), (EDITED, Ref(200, "b", 0, "Daily", 29, "s1")),
             (OTHER, Ref(150, "c", 0, "Daily", 28, "s2"))]
    records, th = _records(texts)
    batches = _drained(records)
    with BeamTestPipeline() as p:
        bands = p | "Bands" >> beam.Create(batches["band"])
        shingles = p | "Shingles" >> beam.Create(batches["shingles"])
        refs = p | "Refs" >> beam.Create(batches["ref"])
        near = (bands, shingles, refs) | NearDuplicates(S, str(tmp_path))
        sim = near | beam.Filter(lambda kv: kv[1][1].kind == "copy") | beam.Map(lambda kv: round(kv[1][1].similarity, 6))
        shapes = near | "Shape" >> beam.Map(lambda kv: (kv[0], kv[1][0], kv[1][1].kind, kv[1][1].target))
        assert_that(shapes, equal_to([
            (bucket(th[EDITED]), th[EDITED], "copy", "a:0"),
            (bucket(th[WIRE]), th[WIRE], "canon", None),
        ]), label="Verdicts")
        assert_that(sim, lambda got: got and 0.5 <= got[0] < 1.0, label="Similarity")


def test_near_duplicates_of_unrelated_texts_is_empty(tmp_path):
    records, _ = _records([(WIRE, Ref(100, "a", 0, "Daily", 30, "s1")), (OTHER, Ref(150, "c", 0, "Daily", 28, "s2"))])
    batches = _drained(records)
    with BeamTestPipeline() as p:
        pcolls = tuple(p | f"Create{tag}" >> beam.Create(batches[tag]) for tag in ("band", "shingles", "ref"))
        assert_that(pcolls | NearDuplicates(S, str(tmp_path)), equal_to([]))


def test_decide_groups_by_shard():
    """An exact group of three (one from an earlier run), and a near copy: decisions grouped per shard."""
    old = Ref(50, "z", 3, "Wire", 30, None)
    new1, new2 = Ref(100, "a", 0, "Daily", 30, "s1"), Ref(90, "b", 1, "Daily", 30, "s2")
    copy = Ref(120, "c", 0, "Daily", 30, "s1")
    grouped = {"ref": [[(7, old), (7, new1), (7, new2), (8, copy)]],
               "near": [(8, NearVerdict("copy", "q:0", 0.75))]}
    with BeamTestPipeline() as p:
        got = p | beam.Create([(7, grouped)]) | beam.ParDo(DecideGroupsFn(S))
        assert_that(got, equal_to([
            ("s1", [Decision("a", 0, "exact", "z:3", "z:3", 1.0, False),
                    Decision("c", 0, "near", "q:0", "q:0", 0.75, False)]),
            ("s2", [Decision("b", 1, "exact", "z:3", "z:3", 1.0, False)]),
        ]))
