"""Packed refs and shingle sets go to staging files; the shuffle carries only (bucket, (count, slice of a file)).

After the band entries (``band_files.py``) and the candidate-pair halves (``near.py``), the refs (one per paragraph)
and the shingle sets (one per distinct text) were what grew the local runner's driver with the corpus: each is
consumed by two joins (refs: ``GroupCopies`` and ``JoinNodes``; shingles: ``JoinA`` and ``JoinB``), and that runner
keeps every element of a shuffle in its driver process, encoded, until the stage that reads it has run. At 300 MB of
news the driver reached 1.37 GB with 2 workers (0.18 GB at start). So a worker writes each drained batch once, and
the steps that use it read it where it lies.

One file per drain and kind (``refs-<uuid>.bin``, ``shingles-<uuid>.bin``) under ``<staging>/batches/``: the
pickled batches of the drain one after the other, by bucket. A ``PackedSlice`` names the file by its absolute path,
so ``unbatch`` (``batching.py``) can read it back in any process without being told where the staging folder is.
Files are written under a temporary name and renamed, and never change; a retried bundle writes a new file and the
old one is simply never referenced; the staging folder goes when the run ends.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from typing import NamedTuple

BATCHES_DIR = "batches"
# Batch files a process keeps open at once (each bucket reads a slice of every file of a kind).
OPEN_FILES = 256


class PackedSlice(NamedTuple):
    """Bytes ``offset:offset + length`` of the file at ``path``: one bucket's pickled batch from one drain."""

    path: str
    offset: int
    length: int


def write_packed_batches(staging: str, kind: str, batches: list[tuple[int, tuple[int, bytes]]]
                         ) -> list[tuple[int, tuple[int, PackedSlice]]]:
    """One drain's (bucket, (n, pickled items)) list -> one file, and (bucket, (n, PackedSlice)) for each bucket."""
    if not batches:
        return []
    folder = os.path.join(os.path.abspath(staging), BATCHES_DIR)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{kind}-{uuid.uuid4().hex}.bin")
    tmp = f"{path}.tmp-{os.getpid()}"
    out, offset = [], 0
    with open(tmp, "wb") as f:
        for bucket, (n, raw) in batches:
            f.write(raw)
            out.append((bucket, (n, PackedSlice(path, offset, len(raw)))))
            offset += len(raw)
    os.replace(tmp, path)
    return out


class _OpenFiles:
    """File descriptors of the last ``OPEN_FILES`` batch files read in this process; ``pread`` needs no seek, so
    threads of one worker can share them."""

    def __init__(self) -> None:
        self.fds: OrderedDict[str, int] = OrderedDict()
        self.lock = threading.Lock()

    def read(self, where: PackedSlice) -> bytes:
        with self.lock:
            fd = self.fds.get(where.path)
            if fd is None:
                fd = self.fds[where.path] = os.open(where.path, os.O_RDONLY)
                if len(self.fds) > OPEN_FILES:
                    os.close(self.fds.popitem(last=False)[1])
            else:
                self.fds.move_to_end(where.path)
            raw = os.pread(fd, where.length, where.offset)
        if len(raw) != where.length:
            raise ValueError(f"{where.path}: {len(raw)} bytes at {where.offset} where {where.length} were written")
        return raw

    def close(self) -> None:
        with self.lock:
            for fd in self.fds.values():
                os.close(fd)
            self.fds.clear()


_FILES = _OpenFiles()


def read_packed(where: PackedSlice) -> bytes:
    """The pickled batch a ``PackedSlice`` points at."""
    return _FILES.read(where)


def close_batch_files() -> None:
    """Close the batch files this process holds open (tests; a worker's are closed when it ends)."""
    _FILES.close()


__all__ = ["BATCHES_DIR", "PackedSlice", "close_batch_files", "read_packed", "write_packed_batches"]
