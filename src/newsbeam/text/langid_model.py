"""py3langid's model, restricted to the two-letter languages, kept as plain arrays in the cache directory.

Why: py3langid ships its model xz-compressed. Unpacking it, restricting it to our languages and laying the feature
table out for fast scoring took ~0.7 s of CPU in every worker process of every run, a third of a small nightly
run's start-up. The arrays are written once into the cache directory (``$NEWSBEAM_CACHE``, else
``~/.cache/newsbeam``, the gazetteer's) as ``.npy`` files and memory-mapped afterwards: a process is ready in a few
milliseconds, and the workers of one machine share the pages instead of each holding its own copy.

The folder's name hashes py3langid's version, numpy's major version and this module's source, so a new py3langid or a
change here builds a new one; it is written under a temporary name and renamed, so concurrent workers never read a
half-written model; a cache that cannot be written (read-only home) only costs the build in each process.

Why the feature table is float32 and row-major: py3langid keeps the per-feature log-probabilities as float16 in
column-major order and scores a text as ``log1p(counts) @ table[features]``. Gathering rows of a column-major table
and multiplying float32 by float16 (numpy's mixed-type product takes a slow path, ~20x slower than float32 by
float32) cost ~80 us of a ~150 us call on a 300-byte paragraph; laid out this way the same two steps take ~5 us.
The widening is exact and the product sums in the same order, so every probability is bit-identical to py3langid's
(``tests/test_language_batch.py`` compares with a stock identifier).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

CACHE_FORMAT = "1"
_ARRAYS = ("nb_ptc", "nb_pc", "nextmove", "rowbase", "output")


@dataclass(frozen=True)
class LangidModel:
    """What scoring and the DFA walk read; ``classes`` and ``alias_pairs`` as py3langid's restricted identifier has
    them (an alias pair (i, j): class j is another name of class i, its probability is folded into i)."""

    nb_ptc: np.ndarray  # (features, classes) float32, row-major
    nb_pc: np.ndarray  # (classes,) float32 prior
    nextmove: np.ndarray  # DFA transitions, indexed by rowbase[state] + byte
    rowbase: np.ndarray  # (states,) start of each state's row in nextmove
    output: np.ndarray  # (states,) feature counted on entering a state, -1 for none
    classes: tuple[str, ...]
    alias_pairs: tuple[tuple[int, int], ...]


def cache_dir() -> Path:
    return Path(os.environ.get("NEWSBEAM_CACHE") or Path.home() / ".cache" / "newsbeam")


def fingerprint() -> str:
    h = hashlib.sha256()
    h.update(f"{CACHE_FORMAT}|{version('py3langid')}|{np.__version__.split('.')[0]}".encode())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def build_model() -> LangidModel:
    """The restricted model, from py3langid's package data (~0.7 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(sorted({c for c in ident.nb_classes if len(c) == 2}))
    if ident.min_confidence is not None:  # py3langid 0.4 has no default threshold; scoring here assumes none
        raise RuntimeError("py3langid identifier has a confidence threshold newsbeam does not expect")
    nextmove = ident.tk_nextmove
    dtype = np.uint32 if getattr(nextmove, "itemsize", 8) == 4 else np.int64
    return LangidModel(
        nb_ptc=np.ascontiguousarray(ident.nb_ptc, dtype=np.float32),
        nb_pc=np.ascontiguousarray(ident.nb_pc, dtype=np.float32),
        nextmove=np.asarray(nextmove, dtype=dtype),
        rowbase=np.asarray(ident._rowbase, dtype=np.intp),
        output=np.asarray(ident.tk_output, dtype=np.intp),
        classes=tuple(ident.nb_classes),
        alias_pairs=tuple((int(i), int(j)) for i, j in ident._alias_pairs),
    )


def _write(model: LangidModel, folder: Path) -> None:
    """Write the model into ``folder`` atomically (a temporary folder renamed); losing a race is fine."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", suffix=".tmp", dir=folder.parent))
    except OSError:
        return  # the cache cannot be written (a file in the way, no space, read-only): the model in hand is used
    try:
        for name in _ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(model, name), allow_pickle=False)
        meta = {"classes": list(model.classes), "alias_pairs": [list(p) for p in model.alias_pairs]}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        os.rename(tmp, folder)
    except OSError:
        pass  # another process renamed its copy first, or the cache is read-only: the model in hand is used
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _read(folder: Path) -> LangidModel | None:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        # Plain ndarray views of the maps: indexing an ``np.memmap`` goes through its Python ``__getitem__``
        # (measured: 0.6 s of CPU per 10 MB of real news in the scoring's row gathers).
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
                  for name in _ARRAYS}
        model = LangidModel(classes=tuple(meta["classes"]),
                            alias_pairs=tuple((int(i), int(j)) for i, j in meta["alias_pairs"]), **arrays)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    n_feat, n_cls = model.nb_ptc.shape if model.nb_ptc.ndim == 2 else (0, 0)
    if not (n_cls == len(model.classes) == len(model.nb_pc) and len(model.rowbase) == len(model.output) > 0
            and n_feat > 0 and model.nb_ptc.dtype == np.float32):
        return None  # cut or foreign files: build again
    return model


def _prune(directory: Path, keep: str) -> None:
    """Folders of other fingerprints are dead (~110 MB each)."""
    try:
        for d in directory.glob("langid-*"):
            if d.name != keep and not d.name.endswith(".tmp"):
                shutil.rmtree(d, ignore_errors=True)
    except OSError:
        pass


_lock = threading.Lock()
_model: LangidModel | None = None


def load_model() -> LangidModel:
    """The model, memoised per process: memory-mapped from the cache, built and cached on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                folder = cache_dir() / f"langid-{fingerprint()}"
                model = _read(folder)
                if model is None:
                    if folder.exists():  # cut or foreign: the rename below could not replace it
                        shutil.rmtree(folder, ignore_errors=True)
                    built = build_model()
                    _write(built, folder)
                    model = _read(folder) or built  # memory-mapped when the cache took it
                    _prune(folder.parent, folder.name)
                _model = model
    return _model


def forget_loaded_model() -> None:
    """Drop the memoised model (tests that point the cache elsewhere)."""
    global _model
    with _lock:
        _model = None
