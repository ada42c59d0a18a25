"""Apply a shard's dedup decisions to its staged rows and write the final table files and index entries.

One call per shard, on one worker: the decisions (ids only) arrive through the shuffle, the text is read back from the
shard file the reading worker wrote, so paragraph text never travels through a GroupByKey.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import schema
from .articles import published_us, uri_hash
from .dedup import DedupSettings, MinHasher, article_copy_of
from .paragraphs import comparison_key
from .staging import INDEX_SCHEMA, write_table

# decision: (article_id, para_index, dup_kind, duplicate_of, dup_group, similarity, is_boilerplate)
Decision = tuple


def finalize_shard(
    staging: Path, shard: str, decisions: list[Decision], dedup: DedupSettings, hasher: MinHasher | None
) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    arts = pq.read_table(staging / "shards" / f"{shard}.articles.parquet", schema=schema.ARTICLES).to_pylist()
    paras = pq.read_table(staging / "shards" / f"{shard}.paragraphs.parquet", schema=schema.PARAGRAPHS).to_pylist()
    sig_path = staging / "shards" / f"{shard}.sigs.parquet"
    sigs: dict[tuple[str, int], tuple] = {}
    if sig_path.exists():
        st = pq.read_table(sig_path).to_pydict()
        sigs = {
            (a, i): (b, sh)
            for a, i, b, sh in zip(st["article_id"], st["para_index"], st["bands"], st["shingles"], strict=True)
        }
    by_id = {(d[0], d[1]): d for d in decisions}
    per_article: dict[str, list[dict]] = defaultdict(list)
    for p in paras:
        d = by_id.get((p["article_id"], p["para_index"]))
        if d is not None:
            _, _, kind, dup_of, group, sim, boiler = d
            p["dup_kind"] = kind
            p["is_duplicate"] = kind is not None
            p["duplicate_of"] = dup_of
            p["dup_group"] = group
            p["similarity"] = sim
            p["is_boilerplate"] = bool(boiler)
        per_article[p["article_id"]].append(p)

    index_rows = []
    for a in arts:
        ps = per_article.get(a["article_id"], [])
        a["n_duplicate_paragraphs"] = sum(1 for p in ps if p["is_duplicate"] and not p["is_boilerplate"])
        eligible = [p["n_words"] >= dedup.local_only_below and not p["is_boilerplate"] for p in ps]
        a["duplicate_of_article"] = article_copy_of(
            a["article_id"], [p["duplicate_of"] for p in ps], eligible, dedup.article_copy_share
        )
        if a["duplicate_of_article"]:
            counts["articles-copy-of-article"] += 1
        for p in ps:
            if p["is_duplicate"] or p["n_words"] < dedup.local_only_below:
                continue
            index_rows.append(index_entry(p, a, dedup, hasher, sigs.get((p["article_id"], p["para_index"]))))
    write_table(staging / "tables" / "articles" / f"{shard}.parquet", pa.Table.from_pylist(arts, schema.ARTICLES))
    write_table(
        staging / "tables" / "paragraphs" / f"{shard}.parquet", pa.Table.from_pylist(paras, schema.PARAGRAPHS)
    )
    write_table(staging / "index" / f"{shard}.parquet", pa.Table.from_pylist(index_rows, INDEX_SCHEMA))
    counts["index-entries"] += len(index_rows)
    return dict(counts)


def index_entry(
    p: dict, a: dict, dedup: DedupSettings, hasher: MinHasher | None, sig: tuple | None = None
) -> dict:
    """One canonical paragraph's row in the cross-run index: what later runs compare against, without its text.

    ``sig`` is (bands, shingle bytes) when the reading worker already computed them.
    """
    bands, sh = sig if sig is not None else (None, None)
    if sig is None and hasher is not None and dedup.near and p["n_words"] >= dedup.near_min_words:
        arr = hasher.shingles(comparison_key(p["text"]))
        bands, sh = hasher.band_keys(hasher.signature(arr)), arr.tobytes()
    return {
        "text_hash": p["text_hash"],
        "article_id": p["article_id"],
        "para_index": p["para_index"],
        "published_us": published_us(a["published"]),
        "n_words": p["n_words"],
        "source": a["source"] or "",
        "uri_hash": uri_hash(a["source_uri"]),
        "bands": bands,
        "shingles": sh,
    }
