"""The allocator settings the local runner's processes start with."""

from __future__ import annotations

import sys

import pytest

from newsbeam.dedup.batching import Batcher, batch_len, unbatch
from newsbeam.runtime import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_configure_allocator_passes_the_threshold_to_workers(monkeypatch):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    memory.configure_allocator()
    import os

    if memory._mallopt is not None:
        assert os.environ["MALLOC_MMAP_THRESHOLD_"] == str(memory.MMAP_THRESHOLD)


def test_a_users_allocator_setting_is_kept(monkeypatch):
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "1048576")
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    memory.configure_allocator()
    import os

    assert os.environ["MALLOC_MMAP_THRESHOLD_"] == "1048576"
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"


def test_arrow_uses_the_system_allocator_here_and_in_the_workers(monkeypatch):
    """pyarrow's mimalloc pool kept freed blocks: 0.24 GB more at the peak of a 100 MB run (runtime/memory.py)."""
    import os
    import subprocess

    import pyarrow as pa

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    before = pa.default_memory_pool()
    try:
        memory.configure_allocator()
        assert pa.default_memory_pool().backend_name == "system"
        assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"
        worker = subprocess.run([sys.executable, "-c", "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"],
                                capture_output=True, text=True, check=True)
        assert worker.stdout.strip() == "system"  # a process started afterwards, as Beam's workers are
    finally:
        pa.set_memory_pool(before)


def test_release_unused_and_the_trimmer_run():
    memory.release_unused()
    with memory.Trimmer(interval=0.01) as t:
        pass
    assert not t._thread.is_alive()


def test_packed_batches_round_trip():
    b = Batcher(buckets=4)
    for key in range(10):
        b.add(key, ("ref", key))
    drained = b.drain()
    assert [bucket for bucket, _ in drained] == [0, 1, 2, 3]
    assert sum(batch_len(batch) for _, batch in drained) == 10
    grouped = unbatch([batch for bucket, batch in drained if bucket == 1])
    assert grouped == {1: [("ref", 1)], 5: [("ref", 5)], 9: [("ref", 9)]}
    # Unpacked lists (near results) are accepted too.
    assert unbatch([[(7, "x"), (7, "y")]]) == {7: ["x", "y"]} and batch_len([(7, "x")]) == 1


def test_the_per_article_stage_freezes_what_it_keeps_for_life(tmp_path):
    """After setup, the worker's long-lived objects (the language model among them) are out of the collector's
    reach, so full collections stop walking them for every bundle."""
    import gc

    from newsbeam.config import Config
    from newsbeam.text import language
    from newsbeam.text.stages import ProcessArticlesFn

    gc.unfreeze()
    fn = ProcessArticlesFn("run", str(tmp_path), Config(workers=1))
    fn.setup()
    try:
        assert language._batch is not None  # loaded at setup, not on the first article
        assert gc.get_freeze_count() > 10_000
    finally:
        fn.teardown()
        gc.unfreeze()
