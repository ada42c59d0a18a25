"""Refs and shingle sets through staging files (dedup/batch_files.py): a bucket reads back exactly what was drained."""

from __future__ import annotations

import pickle

from newsbeam.dedup.batch_files import BATCHES_DIR, PackedSlice, close_batch_files, write_packed_batches
from newsbeam.dedup.batching import NEAR_BUCKETS, Batcher, DedupRecords, batch_len, bucket, unbatch
from newsbeam.dedup.contracts import Ref


def test_drained_batches_come_back_from_their_file_slices(tmp_path):
    b = Batcher(buckets=8)
    for key in range(200):
        b.add(key * 977, Ref(key * 10**9 if key % 4 else None, f"art-{key}-é\ud800", key % 7, None, key, "s0"))
    drained = b.drain()
    slices = write_packed_batches(str(tmp_path), "refs", drained)
    files = list((tmp_path / BATCHES_DIR).iterdir())
    assert len(files) == 1 and files[0].name.startswith("refs-")  # one file per drain, none half-written
    assert [bk for bk, _ in slices] == [bk for bk, _ in drained]
    for (_, (n, raw)), (_, (m, where)) in zip(drained, slices, strict=True):
        assert isinstance(where, PackedSlice) and n == m
        assert unbatch([(m, where)]) == unbatch([(n, raw)])
    # Several slices of one bucket, from files in any order, merge as inline batches do.
    again = write_packed_batches(str(tmp_path), "refs", drained)
    assert len(list((tmp_path / BATCHES_DIR).iterdir())) == 2
    assert unbatch([slices[0][1], again[0][1]]) == unbatch([drained[0][1], drained[0][1]])
    assert write_packed_batches(str(tmp_path), "refs", []) == []
    close_batch_files()


def test_records_send_slices_with_a_staging_folder_and_inline_batches_without(tmp_path):
    def drained(records: DedupRecords) -> dict[str, list]:
        for i in range(300):
            records.add_ref(i * 1_000_003, ("ref", i))
            records.add_text([i, i + 1024], i * 7919, bytes(range(8)) * (1 + i % 5))
        out: dict[str, list] = {}
        for o in records.drain():
            out.setdefault(o.tag, []).append(o.value)
        return out

    spilled, inline = drained(DedupRecords(str(tmp_path))), drained(DedupRecords())
    for tag in ("ref", "shingles"):
        assert all(isinstance(v[1], PackedSlice) for _, v in spilled[tag])
        assert all(isinstance(v[1], bytes) for _, v in inline[tag])
        assert [bk for bk, _ in spilled[tag]] == [bk for bk, _ in inline[tag]]
        assert sum(batch_len(v) for _, v in spilled[tag]) == 300
        for (_, s), (_, i) in zip(spilled[tag], inline[tag], strict=True):
            assert unbatch([s]) == unbatch([i])
    assert {bk for bk, _ in spilled["ref"]} == {bucket(i * 1_000_003) for i in range(300)}
    assert {bk for bk, _ in spilled["shingles"]} == {(i * 7919) % NEAR_BUCKETS for i in range(300)}
    assert len(list((tmp_path / BATCHES_DIR).glob("*.bin"))) == 2  # refs and shingles: one file each per drain
    # What travels is small: a path and two numbers per bucket, whatever the batch holds.
    assert max(len(pickle.dumps(v)) for _, v in spilled["shingles"]) < 300
    close_batch_files()


def test_a_short_file_is_an_error_not_a_wrong_batch(tmp_path):
    slices = write_packed_batches(str(tmp_path), "shingles", [(1, (2, pickle.dumps([(1, b"a"), (2, b"b")])))])
    where = slices[0][1][1]
    with open(where.path, "r+b") as f:
        f.truncate(where.length - 3)
    close_batch_files()
    try:
        unbatch([slices[0][1]])
    except ValueError as e:
        assert "bytes at 0" in str(e)
    else:
        raise AssertionError("a cut batch file was read without an error")
    close_batch_files()
