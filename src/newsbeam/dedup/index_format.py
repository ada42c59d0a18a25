"""The cross-run dedup index and the staged signatures: their Arrow schemas and how a row is made and read back.

The index holds each published run's canonical paragraphs without their text: what later runs compare against.
Band keys and shingle sets are stored as ``MinHasher.fingerprint`` makes them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from newsbeam.dedup.contracts import IndexRow
from newsbeam.dedup.rules import DedupSettings, MinHasher
from newsbeam.text.articles import published_us, uri_hash
from newsbeam.text.paragraphs import comparison_key

INDEX_SCHEMA = pa.schema(
    [
        pa.field("text_hash", pa.int64()),
        pa.field("article_id", pa.string()),
        pa.field("para_index", pa.int32()),
        pa.field("published_us", pa.int64()),
        pa.field("n_words", pa.int32()),
        pa.field("source", pa.string()),
        pa.field("uri_hash", pa.int64()),
        pa.field("bands", pa.list_(pa.int64())),
        pa.field("shingles", pa.binary()),
    ]
)
assert tuple(INDEX_SCHEMA.names) == IndexRow._fields


SIG_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string()),
        pa.field("para_index", pa.int32()),
        pa.field("bands", pa.list_(pa.int64())),
        pa.field("shingles", pa.binary()),
    ]
)

# The columns a run reads from an earlier run's index; the two near-dup ones only when near dedup is on.
_REF_COLUMNS = ["text_hash", "article_id", "para_index", "published_us", "n_words", "source", "uri_hash"]
_NEAR_COLUMNS = ["bands", "shingles"]


def index_entry(
    p: dict, a: dict, dedup: DedupSettings, hasher: MinHasher | None, sig: tuple | None = None
) -> dict:
    """One canonical paragraph's row in the cross-run index: what later runs compare against, without its text.

    ``sig`` is (bands, shingle bytes) when the reading worker already computed them.
    """
    bands, sh = sig if sig is not None else (None, None)
    if sig is None and hasher is not None and dedup.near and p["n_words"] >= dedup.near_min_words:
        bands, sh = hasher.fingerprint(comparison_key(p["text"]))
    row = IndexRow(
        text_hash=p["text_hash"],
        article_id=p["article_id"],
        para_index=p["para_index"],
        published_us=published_us(a["published"]),
        n_words=p["n_words"],
        source=a["source"] or "",
        uri_hash=uri_hash(a["source_uri"]),
        bands=bands,
        shingles=sh,
    )
    return row._asdict()


def read_index_rows(path: str, near: bool) -> Iterator[IndexRow]:
    """The rows of one index file, in file order; ``bands`` and ``shingles`` are None (not read) without ``near``."""
    cols = _REF_COLUMNS + (_NEAR_COLUMNS if near else [])
    t = pq.read_table(path, columns=cols).to_pydict()
    n = len(t["text_hash"])
    none = [None] * n
    yield from map(IndexRow._make, zip(*(t.get(c, none) for c in IndexRow._fields), strict=True))
