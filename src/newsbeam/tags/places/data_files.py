"""Our own data files the gazetteer is built from (``src/newsbeam/data``), and the versions of the packages that
ship the rest: the inputs of the build, which the cache fingerprint hashes."""

from __future__ import annotations

import gzip
import importlib.metadata
from pathlib import Path
from typing import Any

from newsbeam.tags.places.table import F_COMMON, F_HARD
from newsbeam.tags.yaml_load import safe_load

DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # newsbeam/data
DATA_FILES = ("geonames_admin.tsv.gz", "m49.tsv", "news_names.yaml", "common_words.txt", "first_names.txt",
              "world_110m.json", "world_features.tsv")  # world_110m: the countries' shapes give their centre points


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def read_lines(name: str) -> list[str]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return [ln.rstrip("\n") for ln in fh if ln.strip() and not ln.startswith("#")]


def load_common_words() -> dict[str, int]:
    out = {}
    for w in read_lines("common_words.txt"):
        if w.startswith("!"):
            out[w[1:]] = F_COMMON | F_HARD
        else:
            out[w] = F_COMMON
    return out


def load_admin_rows() -> list[list[str]]:
    with gzip.open(DATA_DIR / "geonames_admin.tsv.gz", "rt", encoding="utf-8") as fh:
        return [ln.rstrip("\n").split("\t") for ln in fh if not ln.startswith("#")]


def load_m49() -> dict[str, str]:
    """ISO2 country code -> UN M49 sub-region name."""
    m49 = {}
    for ln in read_lines("m49.tsv"):
        cc, _code, name = ln.split("\t")
        m49[cc] = name
    return m49


def load_news_names() -> dict[str, Any]:
    return safe_load((DATA_DIR / "news_names.yaml").read_text(encoding="utf-8"))


def load_world_features() -> list[tuple[str, str, str, float, float, list[str]]]:
    """(name, kind, country code or "", lat, lon, other names) of the places that name no town
    (``world_features.tsv``: continents, seas, rivers, mountain ranges...)."""
    out = []
    for ln in read_lines("world_features.tsv"):
        name, kind, cc, lat, lon, alts = (ln.split("\t") + [""] * 6)[:6]
        out.append((name, kind, cc, float(lat), float(lon), [a for a in alts.split("|") if a]))
    return out
