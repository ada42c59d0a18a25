"""Apply a shard's dedup decisions to its staged rows and write the final table files and index entries.

One call per shard, on one worker: the decisions (ids only) arrive through the shuffle, the text is read back from the
shard file the reading worker wrote, so paragraph text never travels through a GroupByKey.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from newsbeam.dedup.contracts import Decision
from newsbeam.dedup.index_format import INDEX_SCHEMA, SIG_SCHEMA
from newsbeam.dedup.rules import DedupSettings, article_copy_of
from newsbeam.output import schema
from newsbeam.output.staging import read_shard_file, shard_path, write_table
from newsbeam.text.articles import uri_hash


def finalize_shard(
    staging: Path, shard: str, decisions: list[Decision], dedup: DedupSettings
) -> dict[str, int]:
    """Columns in, columns out: text and tag structs stay in Arrow; only ids, counts and decisions become Python.

    Converting whole rows to Python and back cost more than all of the dedup decisions on a tagged corpus.
    (Kept as one function of ~60 lines on purpose: it is one columnar pass, and its parts share eight parallel
    per-row lists that a split would have to pass around.)
    """
    counts: dict[str, int] = defaultdict(int)
    arts = read_shard_file(shard_path(staging, shard, "articles"), schema.ARTICLES)
    paras = read_staged_paragraphs(shard_path(staging, shard, "paragraphs"))
    p_aid = paras.column("article_id").to_pylist()
    p_idx = paras.column("para_index").to_pylist()
    n_words = paras.column("n_words").to_pylist()
    n = paras.num_rows
    kind: list = [None] * n
    dup_of: list = [None] * n
    group: list = [None] * n
    sim: list = [None] * n
    boiler = [False] * n
    by_id = {(d.article_id, d.para_index): d for d in decisions}
    rows_of: dict[str, list[int]] = defaultdict(list)
    for r, key in enumerate(zip(p_aid, p_idx, strict=True)):
        d = by_id.get(key)
        if d is not None:
            kind[r], dup_of[r], group[r], sim[r] = d.dup_kind, d.duplicate_of, d.dup_group, d.similarity
            boiler[r] = bool(d.is_boilerplate)
        rows_of[key[0]].append(r)

    a_ids = arts.column("article_id").to_pylist()
    n_dup, copy_of = [], []
    index_rows: list[int] = []  # paragraph rows that enter the cross-run index, in article order
    index_arts: list[int] = []  # and the article row of each
    for a_row, aid in enumerate(a_ids):
        rows = rows_of.get(aid, [])
        n_dup.append(sum(1 for r in rows if kind[r] is not None and not boiler[r]))
        eligible = [n_words[r] >= dedup.local_only_below and not boiler[r] for r in rows]
        copy = article_copy_of(aid, [dup_of[r] for r in rows], eligible, dedup.article_copy_share)
        copy_of.append(copy)
        if copy:
            counts["articles-copy-of-article"] += 1
        for r in rows:
            if kind[r] is None and n_words[r] >= dedup.local_only_below:
                index_rows.append(r)
                index_arts.append(a_row)

    paras = _replace(
        paras,
        is_duplicate=[k is not None for k in kind],
        dup_kind=kind,
        duplicate_of=dup_of,
        dup_group=group,
        similarity=sim,
        is_boilerplate=boiler,
    )
    arts = _replace(arts, n_duplicate_paragraphs=n_dup, duplicate_of_article=copy_of)
    write_table(staging / "tables" / "articles" / f"{shard}.parquet", arts)
    write_table(staging / "tables" / "paragraphs" / f"{shard}.parquet", paras)
    index = _index_table(shard_path(staging, shard, "sigs"), paras, arts, index_rows, index_arts)
    write_table(staging / "index" / f"{shard}.parquet", index)
    counts["index-entries"] += len(index_rows)
    counts["xfer-paragraphs-final"] += paras.num_rows
    return dict(counts)


def read_staged_paragraphs(path: Path) -> pa.Table:
    """A shard's paragraphs: the fixed columns, then whatever columns registered taggers added
    (``schema.paragraphs_schema``)."""
    table = read_shard_file(path)
    extra = tuple(f for f in table.schema if f.name not in schema.PARAGRAPHS.names)
    expected = schema.paragraphs_schema(extra)
    if not table.schema.equals(expected, check_metadata=True):
        raise ValueError(f"{path}: staged with another paragraphs schema than this code expects")
    return table


def _replace(table: pa.Table, **columns: list) -> pa.Table:
    for name, values in columns.items():
        i = table.schema.get_field_index(name)
        field = table.schema.field(i)
        table = table.set_column(i, field, pa.array(values, type=field.type))
    return table


def _index_table(
    sig_path: Path, paras: pa.Table, arts: pa.Table, rows: list[int], art_rows: list[int]
) -> pa.Table:
    """The index rows of the selected paragraphs, taken column by column from the staged tables."""
    take = pa.array(rows, type=pa.int64())
    a_take = pa.array(art_rows, type=pa.int64())
    p_aid = paras.column("article_id").take(take)
    p_idx = paras.column("para_index").take(take)
    n_words = paras.column("n_words").take(take)
    if sig_path.exists():
        st = read_shard_file(sig_path, SIG_SCHEMA)
        where = {
            key: i
            for i, key in enumerate(
                zip(st.column("article_id").to_pylist(), st.column("para_index").to_pylist(), strict=True)
            )
        }
        s_take = pa.array(
            [where.get(k) for k in zip(p_aid.to_pylist(), p_idx.to_pylist(), strict=True)], type=pa.int64()
        )
        bands, shingles = st.column("bands").take(s_take), st.column("shingles").take(s_take)
    else:
        # Only when no paragraph of the shard was long enough for near-dup signatures (or near dedup is off).
        bands = pa.nulls(len(rows), INDEX_SCHEMA.field("bands").type)
        shingles = pa.nulls(len(rows), pa.binary())
    source = pc.fill_null(arts.column("source").take(a_take), "")
    # Hashed once per article, then taken per index row (an article has ~8 paragraphs).
    uri_hashes = pa.array([uri_hash(u) for u in arts.column("source_uri").to_pylist()], type=pa.int64())
    columns = {
        "text_hash": paras.column("text_hash").take(take),
        "article_id": p_aid,
        "para_index": p_idx,
        "published_us": arts.column("published").take(a_take).cast(pa.int64()),
        "n_words": n_words,
        "source": source,
        "uri_hash": uri_hashes.take(a_take),
        "bands": bands,
        "shingles": shingles,
    }
    return pa.Table.from_arrays(
        [pa.chunked_array(c) if isinstance(c, pa.Array) else c for c in columns.values()], schema=INDEX_SCHEMA
    )
