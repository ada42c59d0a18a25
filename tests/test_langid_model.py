"""The language model's cache: built once, memory-mapped afterwards, never a reason for a run to fail."""

import numpy as np
import pytest

from newsbeam.text import langid_model, language


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache directory and no model loaded in this process; the usual model again afterwards."""
    monkeypatch.setenv("NEWSBEAM_CACHE", str(tmp_path / "cache"))
    langid_model.forget_loaded_model()
    yield tmp_path / "cache"
    langid_model.forget_loaded_model()


def _mapped(a) -> bool:
    """Whether the array's memory is a read-only map of a cache file (not memory of this process's own)."""
    while a is not None and not isinstance(a, np.memmap):
        a = a.base
    return a is not None


def _same_model(a, b):
    assert a.classes == b.classes and a.alias_pairs == b.alias_pairs
    for name in langid_model._ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name


def test_first_load_writes_the_cache_and_the_next_maps_it(fresh_cache):
    first = langid_model.load_model()
    folder = fresh_cache / f"langid-{langid_model.fingerprint()}"
    assert sorted(p.name for p in folder.iterdir()) == sorted([*(f"{n}.npy" for n in langid_model._ARRAYS),
                                                              "meta.json"])
    langid_model.forget_loaded_model()
    again = langid_model.load_model()
    assert _mapped(again.nb_ptc) and _mapped(again.nextmove)
    assert type(again.nb_ptc) is np.ndarray  # not np.memmap, whose Python __getitem__ made every gather slow
    _same_model(first, again)
    _same_model(again, langid_model.build_model())
    assert not list(fresh_cache.glob("*.tmp"))


def test_a_cut_cache_file_is_rebuilt_not_trusted(fresh_cache):
    langid_model.load_model()
    folder = fresh_cache / f"langid-{langid_model.fingerprint()}"
    table = folder / "nb_ptc.npy"
    table.write_bytes(table.read_bytes()[:1000])
    langid_model.forget_loaded_model()
    model = langid_model.load_model()
    _same_model(model, langid_model.build_model())
    assert _mapped(model.nb_ptc)  # written again, and mapped
    assert table.stat().st_size > 1000


def test_an_unwritable_cache_still_gives_the_model(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NEWSBEAM_CACHE", str(blocker / "cache"))
    langid_model.forget_loaded_model()
    try:
        model = langid_model.load_model()
        assert not _mapped(model.nb_ptc)
        assert language._get_batch().classify_many(["Die Regierung hat am Dienstag eine neue Reform angekündigt."])
    finally:
        langid_model.forget_loaded_model()


def test_models_of_other_versions_are_removed(fresh_cache):
    stale = fresh_cache / "langid-0000000000000000"
    stale.mkdir(parents=True)
    (stale / "meta.json").write_text("{}")
    langid_model.load_model()
    assert not stale.exists()
    assert (fresh_cache / f"langid-{langid_model.fingerprint()}").is_dir()
