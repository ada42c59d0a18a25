"""The cross-run dedup index and the staged signatures: their Arrow schemas and how a row is made and read back.

The index holds each published run's canonical paragraphs without their text: what later runs compare against.
Band keys and shingle sets are stored as ``MinHasher.fingerprint`` makes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsbeam.dedup.contracts import IndexRow, Ref
from newsbeam.dedup.rules import DedupSettings, MinHasher
from newsbeam.text.articles import published_us, uri_hash
from newsbeam.text.paragraphs import comparison_key

if TYPE_CHECKING:
    from newsbeam.dedup.batching import DedupRecords

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


def queue_index_file(path: str, near: bool, skip_uris: frozenset[int], records: DedupRecords) -> dict[str, int]:
    """Queue an index file's rows into ``records`` as old refs, band entries and shingle sets, column by column;
    returns the counts of what was skipped and sent (``ReadIndexFn`` adds them to the run's counters).

    Rows whose ``uri_hash`` is in ``skip_uris`` are skipped. The records queued, and their order, are those of
    ``read_index_rows`` row by row (``add_ref`` for every row kept, ``add_text`` for those with band keys): every
    run reads every earlier run's whole index, so this is paid per run for the whole store, and building a row
    tuple and 40 Python ints per stored text, then flattening the ints again, was most of it (the generated 10 MB
    corpus's index, queued and drained into staging files: 0.48 -> 0.33 CPU-s, median of 7 interleaved pairs).
    """
    t = pq.read_table(path, columns=_REF_COLUMNS + (_NEAR_COLUMNS if near else []))
    n = t.num_rows
    if skip_uris and n:
        skipped = pc.fill_null(pc.is_in(t.column("uri_hash"), value_set=pa.array(sorted(skip_uris), pa.int64())), False)
        t = t.filter(pc.invert(skipped))
    kept = t.num_rows
    counts = {"index-entries-superseded": n - kept} if n > kept else {}
    if kept:
        counts["index-entries-read"] = counts["xfer-refs-sent"] = kept
    ths = t.column("text_hash").to_pylist()
    refs = map(Ref, *(t.column(c).to_pylist() for c in ("published_us", "article_id", "para_index", "source", "n_words")))
    for th, ref in zip(ths, refs, strict=True):
        records.add_ref(th, ref)
    if near and kept:
        with_bands = t.filter(pc.is_valid(t.column("bands")))
        bands = with_bands.column("bands").combine_chunks()
        offsets = bands.offsets.to_numpy()
        keys = bands.values.to_numpy()[offsets[0] : offsets[-1]] if len(bands) else np.empty(0, dtype=np.int64)
        shingles = with_bands.column("shingles").to_pylist()
        records.add_texts(keys, np.diff(offsets), with_bands.column("text_hash").to_numpy(), shingles)
        if shingles:  # as the row-by-row loop counted: present once a text is sent, even with no band key
            counts["xfer-bands-sent"], counts["xfer-shingles-sent"] = len(keys), len(shingles)
    return counts
