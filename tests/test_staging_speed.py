"""Staging shards in their fast format (Arrow IPC, issue #18): rows come back exactly as staged, the files still
appear only when complete, and the final tables keep their Parquet settings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbeam.dedup.contracts import Decision
from newsbeam.dedup.index_format import SIG_SCHEMA
from newsbeam.dedup.rules import DedupSettings
from newsbeam.output import schema
from newsbeam.output.finalize import finalize_shard, read_staged_paragraphs
from newsbeam.output.staging import StagedShard, read_shard_file, shard_path

# Free text as the stages may hand it over: any code point but lone surrogates (ingest/encoding.py replaces those
# with U+FFFD before any stage sees the text; staging refuses them, see the last test).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
OPT_TEXT = st.none() | TEXT
I32 = st.integers(-(2**31), 2**31 - 1)
I64 = st.integers(-(2**63), 2**63 - 1)
F32 = st.none() | st.floats(width=32, allow_nan=False)
F64 = st.none() | st.floats(allow_nan=False)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
WHEN = st.none() | st.integers(-(2**50), 2**50).map(lambda us: EPOCH + timedelta(microseconds=us))
PLACE = st.fixed_dictionaries({
    "text": OPT_TEXT, "start": st.none() | I32, "end": st.none() | I32, "name": OPT_TEXT, "geonameid": st.none() | I64,
    "kind": OPT_TEXT, "country_code": OPT_TEXT, "admin1_name": OPT_TEXT, "admin1_code": OPT_TEXT, "lat": F64,
    "lon": F64, "confidence": F32, "metonymy": st.none() | st.booleans(), "demonym": st.none() | st.booleans(),
})
ACTOR = st.fixed_dictionaries({f.name: (st.none() | I32) if f.type == pa.int32() else OPT_TEXT
                               for f in schema.ACTOR})
ARTICLE_ACTOR = st.fixed_dictionaries({f.name: (st.none() | I32) if f.type == pa.int32() else OPT_TEXT
                                       for f in schema.ARTICLE_ACTOR})
REGION = st.fixed_dictionaries({"admin1_code": OPT_TEXT, "name": OPT_TEXT, "country_code": OPT_TEXT, "score": F32})
# A registered tagger's column (tags/registry.py): it must survive staging like the built-in ones.
EXTRA = pa.field("quotes", pa.list_(pa.struct([pa.field("text", pa.string()), pa.field("start", pa.int32())])),
                 metadata={"doc": "quotes", "example": ""})
QUOTE = st.fixed_dictionaries({"text": OPT_TEXT, "start": st.none() | I32})


def _article(i: int):
    return st.fixed_dictionaries({
        "run_id": TEXT, "article_id": st.just(f"a{i}"), "source_id": OPT_TEXT, "source_uri": TEXT, "location": TEXT,
        "input_key": OPT_TEXT, "source": OPT_TEXT, "title": OPT_TEXT, "url": OPT_TEXT, "published": WHEN,
        "published_raw": OPT_TEXT, "lang": OPT_TEXT, "n_paragraphs": I32, "n_duplicate_paragraphs": I32,
        "duplicate_of_article": OPT_TEXT, "primary_country": OPT_TEXT, "primary_region": OPT_TEXT,
        "primary_region_code": OPT_TEXT, "m49_subregion": OPT_TEXT, "countries": st.lists(OPT_TEXT, max_size=3),
        "regions": st.lists(REGION, max_size=2), "actors": st.lists(ARTICLE_ACTOR, max_size=2),
        "n_chars": I64, "tag_status": OPT_TEXT,
    })


def _paragraph(aid: str, i: int):
    return st.fixed_dictionaries({
        "run_id": TEXT, "article_id": st.just(aid), "para_index": st.just(i), "text": TEXT, "text_hash": I64,
        "n_words": I32, "lang": OPT_TEXT, "is_duplicate": st.none() | st.booleans(), "dup_kind": OPT_TEXT,
        "duplicate_of": OPT_TEXT, "dup_group": OPT_TEXT, "similarity": F32, "is_boilerplate": st.none() | st.booleans(),
        "places": st.lists(PLACE, max_size=2), "actors": st.lists(ACTOR, max_size=2),
        "quotes": st.lists(QUOTE, max_size=2),
    })


@st.composite
def _articles(draw):
    """(article, paragraphs, sigs) per article: what build_article hands to StagedShard.add."""
    out = []
    for i in range(draw(st.integers(1, 5))):
        art = draw(_article(i))
        paras = [draw(_paragraph(art["article_id"], j)) for j in range(draw(st.integers(0, 4)))]
        sigs = [{"article_id": p["article_id"], "para_index": p["para_index"],
                 "bands": draw(st.none() | st.lists(I64, max_size=4)), "shingles": draw(st.none() | st.binary(max_size=16))}
                for p in paras if draw(st.booleans())]
        out.append((art, paras, sigs))
    return out


def _stage(tmp_path, articles, rows_per_group: int = 3) -> StagedShard:
    shard = StagedShard(str(tmp_path), with_sigs=True, paragraphs=schema.paragraphs_schema((EXTRA,)))
    for w in (shard.articles, shard.paragraphs, shard.sigs):
        w.rows_per_group = rows_per_group  # several record batches per file, and a partial last one
    for art, paras, sigs in articles:
        shard.add(art, paras, sigs, sum(len(p["text"].encode()) for p in paras))
    shard.close()
    return shard


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(articles=_articles())
def test_staged_rows_come_back_as_staged(tmp_path_factory, articles):
    tmp = tmp_path_factory.mktemp("stage")
    shard = _stage(tmp, articles)
    arts = read_shard_file(shard_path(tmp, shard.id, "articles"), schema.ARTICLES)
    assert arts.to_pylist() == [a for a, _, _ in articles]
    paras = [p for _, ps, _ in articles for p in ps]
    sigs = [s for _, _, ss in articles for s in ss]
    if paras:
        staged = read_staged_paragraphs(shard_path(tmp, shard.id, "paragraphs"))
        assert staged.schema.equals(schema.paragraphs_schema((EXTRA,)), check_metadata=True)
        assert staged.to_pylist() == paras
    else:
        assert not shard_path(tmp, shard.id, "paragraphs").exists()
    if sigs:
        assert read_shard_file(shard_path(tmp, shard.id, "sigs"), SIG_SCHEMA).to_pylist() == sigs


def _simple(n_articles: int, n_paras: int) -> list:
    out = []
    for i in range(n_articles):
        art = {f: None for f in schema.ARTICLES.names} | {
            "run_id": "r1", "article_id": f"a{i:03d}", "source_uri": f"file:///{i}.txt", "location": "",
            "n_paragraphs": n_paras, "n_duplicate_paragraphs": 0, "countries": [], "regions": [], "actors": [],
            "n_chars": 10, "tag_status": "off"}
        paras = [{f: None for f in schema.PARAGRAPHS.names} | {
            "run_id": "r1", "article_id": art["article_id"], "para_index": j, "text": f"Paragraph {j} of {i}, é ✓.",
            "text_hash": i * 1000 + j, "n_words": 40, "lang": "en", "is_duplicate": False, "is_boilerplate": False,
            "places": [], "actors": [], "quotes": []} for j in range(n_paras)]
        sigs = [{"article_id": art["article_id"], "para_index": j, "bands": [i, j], "shingles": b"\x01\x02\x03\x04"}
                for j in range(n_paras)]
        out.append((art, paras, sigs))
    return out


def test_a_shard_file_appears_only_when_closed_and_is_arrow(tmp_path):
    shard = StagedShard(str(tmp_path), with_sigs=True, paragraphs=schema.paragraphs_schema((EXTRA,)))
    shard.paragraphs.rows_per_group = 2
    for art, paras, sigs in _simple(3, 3):
        shard.add(art, paras, sigs, 10)
    final = shard_path(tmp_path, shard.id, "paragraphs")
    assert not final.exists() and list(final.parent.glob(final.name + ".tmp-*"))  # written so far, under a temp name
    shard.close()
    assert final.exists() and not list(final.parent.glob("*.tmp-*"))
    assert final.suffix == ".arrow"
    with pa.OSFile(str(final)) as f:
        reader = pa.ipc.open_file(f)
        assert reader.num_record_batches == 3  # flushed per article once 2 rows were waiting
        assert sum(reader.get_batch(i).num_rows for i in range(3)) == 9


def test_final_tables_are_the_staged_rows_in_the_same_parquet_settings(tmp_path):
    """Finalize reads the Arrow shard and writes what the Parquet staging wrote: same rows, same schema (with its
    documentation), zstd with dictionaries and statistics, one row group per file."""
    articles = _simple(4, 3)
    shard = _stage(tmp_path, articles, rows_per_group=5)
    aid = articles[1][0]["article_id"]
    canon = articles[0][0]["article_id"]
    decisions = [Decision(canon, 0, None, None, f"{canon}:0", None, False),
                 Decision(aid, 0, "exact", f"{canon}:0", f"{canon}:0", 1.0, False)]
    finalize_shard(tmp_path, shard.id, decisions, DedupSettings())
    for table, rows, sch in (("articles", [a for a, _, _ in articles], schema.ARTICLES),
                             ("paragraphs", [p for _, ps, _ in articles for p in ps],
                              schema.paragraphs_schema((EXTRA,)))):
        path = tmp_path / "tables" / table / f"{shard.id}.parquet"
        got = pq.read_table(path)
        assert got.schema.equals(_parquet_round_trip(sch.empty_table()).schema, check_metadata=True)
        expected = pa.Table.from_pylist(rows, schema=sch).to_pylist()
        for r in expected:
            if table == "paragraphs" and r["article_id"] == aid and r["para_index"] == 0:
                r |= {"is_duplicate": True, "dup_kind": "exact", "duplicate_of": f"{canon}:0",
                      "dup_group": f"{canon}:0", "similarity": 1.0}
            if table == "paragraphs" and r["article_id"] == canon and r["para_index"] == 0:
                r["dup_group"] = f"{canon}:0"
            if table == "articles" and r["article_id"] == aid:
                r["n_duplicate_paragraphs"] = 1  # one of three paragraphs: not a copy of the article
        assert got.to_pylist() == expected
        meta = pq.ParquetFile(path).metadata
        assert meta.num_row_groups == 1
        text = meta.row_group(0).column(sch.get_field_index("article_id"))
        assert text.compression == "ZSTD" and "RLE_DICTIONARY" in text.encodings and text.is_stats_set


def _parquet_round_trip(table: pa.Table) -> pa.Table:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return pq.read_table(pa.BufferReader(sink.getvalue()))


def test_reading_a_shard_staged_with_another_schema_fails(tmp_path):
    shard = _stage(tmp_path, _simple(1, 1))
    with pytest.raises(ValueError, match="another schema"):
        read_shard_file(shard_path(tmp_path, shard.id, "paragraphs"), schema.PARAGRAPHS)


def test_a_lone_surrogate_is_refused_as_before(tmp_path):
    """Staging never accepted lone surrogates (UTF-8 cannot hold them); ingest replaces them before any stage, so
    one reaching staging is a bug upstream and must fail loudly, not be written altered."""
    (art, paras, sigs), = _simple(1, 1)
    paras[0]["text"] = "half \ud83d of an emoji"
    shard = StagedShard(str(tmp_path), with_sigs=True, paragraphs=schema.paragraphs_schema((EXTRA,)))
    shard.add(art, paras, sigs, 10)
    with pytest.raises(UnicodeEncodeError):
        shard.close()
    assert not shard_path(tmp_path, shard.id, "paragraphs").exists()


def test_a_full_disk_frees_the_half_written_shard_at_once(small_fs):
    """The failed write's temp file is closed and removed straight away: the run's staging is removed on failure
    anyway, but an open file keeps its space until closed, and the failed run's record must still fit."""
    import os

    def free() -> int:
        st_ = os.statvfs(small_fs)
        return st_.f_bavail * st_.f_frsize

    before = free()
    shard = StagedShard(str(small_fs), with_sigs=False)
    (art, paras, sigs), = _simple(1, 1)
    big = [{**paras[0], "para_index": j, "text": os.urandom(3000).hex()} for j in range(100)]
    with pytest.raises(OSError):
        for _ in range(200):  # ~120 MB of text for a 16 MB file system
            shard.add(art, big, sigs, 600_000)
    assert not list((small_fs / "shards").glob("*.tmp-*"))
    assert free() > before - 1_000_000  # the space is back while this process still runs
    with pytest.raises(OSError, match="earlier write failed"):
        shard.paragraphs.close()  # and no shard missing the failed rows can be published afterwards
    assert not list((small_fs / "shards").glob("*"))
