"""Band entries through staging files (dedup/band_files.py): what a bucket reads back is what was drained."""

from __future__ import annotations

import numpy as np

from newsbeam.dedup.band_files import BANDS_DIR, BandReader, BandSlice, write_band_batches
from newsbeam.dedup.batching import BandBatcher, DedupRecords, bucket
from newsbeam.dedup.contracts import BandBatch


def test_drained_buckets_come_back_from_their_file_slices(tmp_path):
    rng = np.random.default_rng(7)
    batcher = BandBatcher()
    for th in range(300):
        batcher.add([int(x) for x in rng.integers(-(2**62), 2**62, size=40)], th, int(rng.integers(1, 90)))
    batches = batcher.drain()
    slices = write_band_batches(str(tmp_path), batches)
    assert len(list((tmp_path / BANDS_DIR).glob("*.npy"))) == 1  # one file per drain, nothing left half-written
    assert [b for b, _ in slices] == [b for b, _ in batches]
    reader = BandReader(str(tmp_path))
    for (_, want), (_, where) in zip(batches, slices, strict=True):
        assert isinstance(where, BandSlice)
        got = reader.read(where)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)
    assert sum(s.stop - s.start for _, s in slices) == 300 * 40


def test_records_send_band_slices_with_a_staging_folder_and_arrays_without(tmp_path):
    def bands(records: DedupRecords) -> list:
        records.add_text([11, 12 + 1024], 5, b"\0" * 16)
        return [o.value for o in records.drain() if o.tag == "band"]

    spilled = bands(DedupRecords(str(tmp_path)))
    inline = bands(DedupRecords())
    assert all(isinstance(v, BandSlice) for _, v in spilled) and all(isinstance(v, BandBatch) for _, v in inline)
    assert [b for b, _ in spilled] == [b for b, _ in inline] == [bucket(11), bucket(12)]
    reader = BandReader(str(tmp_path))
    for (_, s), (_, a) in zip(spilled, inline, strict=True):
        assert [list(x) for x in reader.read(s)] == [list(x) for x in reader.read(a)]
