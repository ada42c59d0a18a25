"""LSH band entries go to staging files; the shuffle carries only (band bucket, slice of a file).

Band entries are the largest dedup records by far: 40 per distinct paragraph text, 24 bytes each, 12 million (290 MB)
for 100 MB of news. Through the shuffle, Beam's local runner held them in its driver process, encoded, grouped and
partitioned again, several copies at once: the driver reached 1.7 GB at 100 MB of text without tagging, against
0.2 GB when near dedup is off (measured, 2 workers). So, like the candidate-pair halves (``near.py``), they are
written once by the worker that made them and read once by the worker that pairs a bucket.

One file per drain of a worker's ``BandBatcher``: an int64 array of shape (3, n) — band keys, text hashes, shingle
counts — sorted by bucket, so each bucket is one column slice. Files are written under a temporary name and renamed,
and never change; a retried bundle writes a new file and the old one is simply never referenced. The staging folder
(and these files with it) is removed when the run ends.
"""

from __future__ import annotations

import os
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import NamedTuple

import numpy as np

from newsbeam.dedup.contracts import BandBatch

BANDS_DIR = "bands"
# Band files a worker keeps open (memory-mapped) at once: each bucket reads a slice of every file, so they are opened
# once per worker rather than once per bucket.
OPEN_FILES = 512


class BandSlice(NamedTuple):
    """Columns ``start:stop`` of band file ``name``: one band bucket's entries from one drain."""

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
    table = np.concatenate([np.stack([b.band_keys, b.text_hashes, b.shingle_counts]) for _, b in batches], axis=1)
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
    """Reads ``BandSlice``s back, keeping the last ``OPEN_FILES`` files memory-mapped."""

    def __init__(self, staging: str):
        self.folder = Path(staging) / BANDS_DIR
        self.open: OrderedDict[str, np.ndarray] = OrderedDict()

    def _file(self, name: str) -> np.ndarray:
        table = self.open.get(name)
        if table is None:
            table = self.open[name] = np.load(self.folder / name, mmap_mode="r", allow_pickle=False)
            if len(self.open) > OPEN_FILES:
                self.open.popitem(last=False)
        else:
            self.open.move_to_end(name)
        return table

    def read(self, item: BandBatch | BandSlice) -> BandBatch:
        """A bucket's entries from one drain; a ``BandBatch`` given inline (tests, small graphs) is returned as is."""
        if isinstance(item, BandBatch):
            return item
        cols = np.array(self._file(item.name)[:, item.start : item.stop])  # a copy: the file may be closed later
        return BandBatch(cols[0], cols[1], cols[2])


__all__ = ["BANDS_DIR", "BandReader", "BandSlice", "write_band_batches"]
