"""Staging files: where a run's rows wait, outside the published tables, until the run is complete.

Layout under ``OUT/_staging/<run_id>/``::

    shards/<shard>.articles.arrow        articles as processed, before dedup decisions
    shards/<shard>.paragraphs.arrow      paragraphs as processed (text + tags), before dedup decisions
    shards/<shard>.sigs.arrow            MinHash band keys and shingles of those paragraphs (for the index)
    rejects/<shard>.parquet
    bands/<name>.npy                     LSH band entries of one drain, by bucket (dedup/band_files.py)
    near/<name>.pkl                      candidate pairs with their first texts' shingles, for verification
    tables/<table>/<shard>.parquet       final rows, after decisions (published by renaming)
    index/<shard>.parquet                this run's canonical paragraphs for the cross-run index

Paragraph text is written once, here, by the worker that read it; the shuffle only carries hashes and ids, and each
shard is re-read by one worker to apply its decisions. That keeps memory proportional to the ids, not the text.

The shards are Arrow IPC files (zstd-compressed buffers), not Parquet: they are written once, read once by Finalize
and deleted, so Parquet's encoding (dictionaries, statistics, page decoding) bought nothing. Measured on the bench
corpus, writing and reading them back costs 0.14 CPU-s per 10 MB instead of 0.33, in slightly smaller files. The
published tables, the rejects and the index stay Parquet (``ShardWriter``, ``write_table``).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsbeam.dedup.index_format import INDEX_SCHEMA, SIG_SCHEMA
from newsbeam.output import schema

__all__ = [
    "INDEX_SCHEMA", "SIG_SCHEMA", "SHARD_TEXT_BYTES", "ArrowShardWriter", "ShardWriter", "StagedShard", "new_shard_id",
    "read_shard_file", "shard_path", "write_table",
]

# Paragraph text per shard before the reading worker starts a new one. Finalize holds one shard (text, tags, decisions)
# in memory at a time, so this bounds a worker's memory whatever the corpus size; 10 MB keeps that near 100 MB while
# leaving few enough files that the published tables need no compaction after an ordinary run.
SHARD_TEXT_BYTES = 10_000_000


def new_shard_id() -> str:
    return uuid.uuid4().hex[:12]


def shard_path(staging: str | Path, shard: str, part: str) -> Path:
    """Where a shard's ``part`` (articles, paragraphs or sigs) is staged."""
    return Path(staging) / "shards" / f"{shard}.{part}.arrow"


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
        self._writer: pq.ParquetWriter | pa.ipc.RecordBatchFileWriter | None = None
        self._tmp = self.path.with_name(self.path.name + f".tmp-{os.getpid()}")
        self.n_rows = 0
        self._failed = False  # a write failed: the file was removed, and must not reappear without those rows

    def add(self, row: dict) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.rows_per_group:
            self._flush()

    def extend(self, rows: list[dict]) -> None:
        """``add`` for a list of rows (an article's paragraphs): one call instead of one per row; a group may then
        end up to one list longer than ``rows_per_group``."""
        self._rows.extend(rows)
        if len(self._rows) >= self.rows_per_group:
            self._flush()

    def _open(self) -> pq.ParquetWriter | pa.ipc.RecordBatchFileWriter:
        return pq.ParquetWriter(self._tmp, self.schema, compression=self.compression)

    def _flush(self) -> None:
        if not self._rows or self._failed:
            return
        table = pa.Table.from_pylist(self._rows, schema=self.schema)
        try:
            if self._writer is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._writer = self._open()
            self._writer.write_table(table)
        except BaseException:
            self._abandon()
            raise
        self.n_rows += len(self._rows)
        self._rows = []

    def _abandon(self) -> None:
        """A write failed (disk full, say): close and remove the temp file now. The run's staging is removed on
        failure, but an open file's space is only freed when it is closed, and the failed run's record still has
        to be written to that disk."""
        writer, self._writer = self._writer, None
        self._rows, self._failed = [], True
        with contextlib.suppress(Exception):
            if writer is not None:
                writer.close()
        with contextlib.suppress(OSError):
            self._tmp.unlink()

    def close(self) -> bool:
        """Finish the file; returns False (and writes nothing) when no row was added."""
        if self._failed:
            raise OSError(f"{self.path}: an earlier write failed; the file was removed")
        self._flush()
        if self._writer is None:
            return False
        try:
            self._writer.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            self._abandon()
            raise
        return True


class ArrowShardWriter(ShardWriter):
    """A ``ShardWriter`` for files that only Finalize reads back: an Arrow IPC file, one record batch per group.

    Same temp-name-then-rename publishing as the Parquet writer. zstd on the buffers keeps the files as small as
    the lz4 Parquet they replace, at less than half its CPU to write and read (see the module docstring).
    """

    def __init__(self, path: Path, schema: pa.Schema, rows_per_group: int = 5000):
        super().__init__(path, schema, rows_per_group, compression="zstd")

    def _open(self) -> pa.ipc.RecordBatchFileWriter:
        options = pa.ipc.IpcWriteOptions(compression=self.compression)
        return pa.ipc.new_file(str(self._tmp), self.schema, options=options)


def read_shard_file(path: Path, schema: pa.Schema | None = None) -> pa.Table:
    """A staged shard file, read whole (not memory-mapped: the staging area may be a network file system); with
    ``schema``, a file written with another schema is an error rather than a silent cast."""
    with pa.OSFile(str(path)) as f:
        table = pa.ipc.open_file(f).read_all()
    if schema is not None and not table.schema.equals(schema, check_metadata=True):
        raise ValueError(f"{path}: staged with another schema than this code expects")
    return table


def write_table(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


class StagedShard:
    """The staging files of one shard as a worker writes it: articles, paragraphs and (near dedup on) signatures.

    Shards are read back once by Finalize and deleted (their format: see the module docstring). ``text_bytes`` is
    the paragraph text written so far, for cutting shards at ``SHARD_TEXT_BYTES``.
    """

    def __init__(self, staging: str, with_sigs: bool, paragraphs: pa.Schema = schema.PARAGRAPHS):
        self.id = new_shard_id()
        self.articles = ArrowShardWriter(shard_path(staging, self.id, "articles"), schema.ARTICLES, 2000)
        self.paragraphs = ArrowShardWriter(shard_path(staging, self.id, "paragraphs"), paragraphs, 5000)
        self.sigs = ArrowShardWriter(shard_path(staging, self.id, "sigs"), SIG_SCHEMA, 5000) if with_sigs else None
        self.text_bytes = 0

    def add(self, article: dict, paragraphs: list[dict], sigs: list[dict], text_bytes: int) -> None:
        self.articles.add(article)
        self.paragraphs.extend(paragraphs)
        if self.sigs is not None:
            self.sigs.extend(sigs)
        self.text_bytes += text_bytes

    def close(self) -> None:
        self.articles.close()
        self.paragraphs.close()
        if self.sigs is not None:
            self.sigs.close()
