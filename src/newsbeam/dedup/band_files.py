"""LSH band entries go to staging files; the shuffle carries only (band bucket, slice of a file).

Band entries are the largest dedup records by far: 40 per distinct paragraph text, 24 bytes each, 12 million (290 MB)
for 100 MB of news. Through the shuffle, Beam's local runner held them in its driver process, encoded, grouped and
partitioned again, several copies at once: the driver reached 1.7 GB at 100 MB of text without tagging, against
0.2 GB when near dedup is off (measured, 2 workers). So, like the candidate-pair halves (``near.py``), they are
written once by the worker that made them and read once by the worker that pairs a bucket.

One file per drain of a worker's ``BandBatcher``: an int64 ``.npy`` array of shape (n, 3) — band key, text hash,
shingle count per row — sorted by bucket, so each bucket is one contiguous run of bytes, read with one ``read``
(not memory-mapped: mapped pages of every file a worker touched stayed in its resident set, about 0.4 GB per worker
at 300 MB of news). Files are written under a temporary name and renamed, and never change; a retried bundle writes
a new file and the old one is simply never referenced. The staging folder (and these files with it) is removed when
the run ends.
"""

from __future__ import annotations

import os
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import BinaryIO, NamedTuple

import numpy as np

from newsbeam.dedup.contracts import BandBatch

BANDS_DIR = "bands"
# Band files a worker keeps open at once: each bucket reads a slice of every file, so they are opened once per worker
# rather than once per bucket.
OPEN_FILES = 256
_ROW = 3 * 8  # bytes per entry: three int64


class BandSlice(NamedTuple):
    """Rows ``start:stop`` of band file ``name``: one band bucket's entries from one drain."""

    name: str
    start: int
    stop: int


def write_band_batches(staging: str, batches: list[tuple[int, BandBatch]]) -> list[tuple[int, BandSlice]]:
    """One drain's (bucket, BandBatch) list -> one file, and (bucket, BandSlice) for each bucket in it."""
    if not batches:
        return []
    folder = Path(staging) / BANDS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.npy"
    table = np.concatenate([np.stack([b.band_keys, b.text_hashes, b.shingle_counts], axis=1) for _, b in batches])
    table = np.ascontiguousarray(table, dtype="<i8")
    tmp = folder / f"{name}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        np.save(f, table, allow_pickle=False)
    os.replace(tmp, folder / name)
    out, start = [], 0
    for bucket, b in batches:
        stop = start + len(b.band_keys)
        out.append((bucket, BandSlice(name, start, stop)))
        start = stop
    return out


class BandReader:
    """Reads ``BandSlice``s back with one read each, keeping the last ``OPEN_FILES`` files open."""

    def __init__(self, staging: str):
        self.folder = Path(staging) / BANDS_DIR
        self.open: OrderedDict[str, tuple[BinaryIO, int]] = OrderedDict()  # name -> (file, offset of the data)

    def _file(self, name: str) -> tuple[BinaryIO, int]:
        got = self.open.get(name)
        if got is not None:
            self.open.move_to_end(name)
            return got
        f = open(self.folder / name, "rb")  # noqa: SIM115 - kept open across calls, closed when evicted
        version = np.lib.format.read_magic(f)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(f)
        if fortran or dtype != np.dtype("<i8") or len(shape) != 2 or shape[1] != 3:
            f.close()
            raise ValueError(f"{name}: not a band file ({shape}, {dtype})")
        got = self.open[name] = (f, f.tell())
        if len(self.open) > OPEN_FILES:
            self.open.popitem(last=False)[1][0].close()
        return got

    def read(self, item: BandBatch | BandSlice) -> BandBatch:
        """A bucket's entries from one drain; a ``BandBatch`` given inline (tests, small graphs) is returned as is."""
        if isinstance(item, BandBatch):
            return item
        f, data = self._file(item.name)
        n = item.stop - item.start
        f.seek(data + item.start * _ROW)
        raw = f.read(n * _ROW)
        if len(raw) != n * _ROW:
            raise ValueError(f"{item.name}: {len(raw)} bytes where {n * _ROW} were written")
        rows = np.frombuffer(raw, dtype="<i8").reshape(n, 3).astype(np.int64)  # a copy, in native order
        return BandBatch(rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy())

    def close(self) -> None:
        for f, _ in self.open.values():
            f.close()
        self.open.clear()


__all__ = ["BANDS_DIR", "BandReader", "BandSlice", "write_band_batches"]
