"""Staging files: where a run's rows wait, outside the published tables, until the run is complete.

Layout under ``OUT/_staging/<run_id>/``::

    shards/<shard>.articles.parquet      articles as processed, before dedup decisions
    shards/<shard>.paragraphs.parquet    paragraphs as processed (text + tags), before dedup decisions
    shards/<shard>.sigs.parquet          MinHash band keys and shingles of those paragraphs (for the index)
    rejects/<shard>.parquet
    bands/<name>.npy                     LSH band entries of one drain, by bucket (dedup/band_files.py)
    near/<name>.pkl                      candidate pairs with their first texts' shingles, for verification
    tables/<table>/<shard>.parquet       final rows, after decisions (published by renaming)
    index/<shard>.parquet                this run's canonical paragraphs for the cross-run index

Paragraph text is written once, here, by the worker that read it; the shuffle only carries hashes and ids, and each
shard is re-read by one worker to apply its decisions. That keeps memory proportional to the ids, not the text.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsbeam.dedup.index_format import INDEX_SCHEMA, SIG_SCHEMA
from newsbeam.output import schema

__all__ = ["INDEX_SCHEMA", "SIG_SCHEMA", "SHARD_TEXT_BYTES", "ShardWriter", "StagedShard", "new_shard_id", "write_table"]

# Paragraph text per shard before the reading worker starts a new one. Finalize holds one shard (text, tags, decisions)
# in memory at a time, so this bounds a worker's memory whatever the corpus size; 10 MB keeps that near 100 MB while
# leaving few enough files that the published tables need no compaction after an ordinary run.
SHARD_TEXT_BYTES = 10_000_000


def new_shard_id() -> str:
    return uuid.uuid4().hex[:12]


class ShardWriter:
    """Append rows to one Parquet file in row groups, so a worker never holds a whole shard in memory.

    The file appears under its final name only when closed (write to a temp name, then rename), so a reader never
    sees a half-written shard.
    """

    def __init__(self, path: Path, schema: pa.Schema, rows_per_group: int = 5000, compression: str = "zstd"):
        self.path = Path(path)
        self.compression = compression
        self.schema = schema
        self.rows_per_group = rows_per_group
        self._rows: list[dict] = []
        self._writer: pq.ParquetWriter | None = None
        self._tmp = self.path.with_name(self.path.name + f".tmp-{os.getpid()}")
        self.n_rows = 0

    def add(self, row: dict) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.rows_per_group:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        table = pa.Table.from_pylist(self._rows, schema=self.schema)
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self._tmp, self.schema, compression=self.compression)
        self._writer.write_table(table)
        self.n_rows += len(self._rows)
        self._rows = []

    def close(self) -> bool:
        """Finish the file; returns False (and writes nothing) when no row was added."""
        self._flush()
        if self._writer is None:
            return False
        self._writer.close()
        os.replace(self._tmp, self.path)
        return True


def write_table(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


class StagedShard:
    """The staging files of one shard as a worker writes it: articles, paragraphs and (near dedup on) signatures.

    Shards are read back once by Finalize and deleted: a fast codec, not a small file. ``text_bytes`` is the
    paragraph text written so far, for cutting shards at ``SHARD_TEXT_BYTES``.
    """

    def __init__(self, staging: str, with_sigs: bool, paragraphs: pa.Schema = schema.PARAGRAPHS):
        self.id = new_shard_id()
        base = Path(staging) / "shards"
        fast = "lz4"
        self.articles = ShardWriter(base / f"{self.id}.articles.parquet", schema.ARTICLES, 2000, fast)
        self.paragraphs = ShardWriter(base / f"{self.id}.paragraphs.parquet", paragraphs, 5000, fast)
        self.sigs = ShardWriter(base / f"{self.id}.sigs.parquet", SIG_SCHEMA, 5000, fast) if with_sigs else None
        self.text_bytes = 0

    def add(self, article: dict, paragraphs: list[dict], sigs: list[dict], text_bytes: int) -> None:
        self.articles.add(article)
        for p in paragraphs:
            self.paragraphs.add(p)
        if self.sigs is not None:
            for sig in sigs:
                self.sigs.add(sig)
        self.text_bytes += text_bytes

    def close(self) -> None:
        self.articles.close()
        self.paragraphs.close()
        if self.sigs is not None:
            self.sigs.close()
