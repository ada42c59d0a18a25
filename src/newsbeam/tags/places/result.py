"""What the place tagger returns for an article, and how resolved candidates become its rows: mention dicts with
a confidence, and the article summary (primary country and region, ranked countries and regions)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from newsbeam.tags.places.candidate import Candidate
from newsbeam.tags.places.table import Gazetteer


@dataclass
class PlaceResult:
    mentions: list[list[dict]]
    demonyms: list[list[dict]]
    primary_country: str | None = None
    primary_region: str | None = None
    primary_region_code: str | None = None
    countries: list[str] = field(default_factory=list)
    regions: list[dict] = field(default_factory=list)
    m49_subregion: str | None = None
    n_blocked: int = 0
    n_common_word_skipped: int = 0

    def rows(self) -> list[list[dict]]:
        """What the ``places`` column holds per paragraph: the mentions and the demonyms ("Pakistani", flagged
        ``demonym``, no coordinates: an adjective says whose, not where), in text order. Analysts count or drop
        the demonyms with one filter; the place mentions alone stay in ``mentions`` for the other taggers."""
        out = []
        for ms, ds in zip(self.mentions, self.demonyms, strict=True):
            out.append(sorted((*ms, *ds), key=lambda m: m["start"]) if ds else ms)
        return out


def confidence(c: Candidate) -> float:
    return confidence_of(c.score, c.margin, c.prev_cap)


def confidence_of(score: float, margin: float, prev_cap: bool) -> float:
    base = 1.0 / (1.0 + math.exp(-(score - 4.0) / 1.5))
    conf = base * (1.0 - 0.5 * math.exp(-max(margin, 0.0)))
    if prev_cap:
        conf *= 0.8
    return round(min(0.99, max(0.05, conf)), 3)


# Entries per memo of ``Mentions`` (<= ~5 MB each); cleared when full. After 6,300 news articles: 1,900 entities,
# 7,400 confidences.
MEMO_MAX = 20_000


class Mentions:
    """Builds mention rows, keeping per process what repeats across mentions and articles (issue #18).

    A mention's gazetteer fields depend on its reading alone, and four of them are packed columns that decode or
    look up per read (``table.py``): read once per entity, not once per mention. Its confidence depends on
    (score, margin, person-name neighbour) alone, and repeats of a name in the same context score the same: two
    exponentials once per distinct triple. Kept values are those the plain computation gives: output does not
    change.
    """

    def __init__(self, g: Gazetteer):
        self._g = g
        self._fields: dict[int, tuple] = {}
        self._conf: dict[tuple[float, float, bool], float] = {}

    def confidence(self, c: Candidate) -> float:
        key = (c.score, c.margin, c.prev_cap)
        conf = self._conf.get(key)
        if conf is None:
            if len(self._conf) >= MEMO_MAX:
                self._conf.clear()
            conf = self._conf[key] = confidence_of(*key)
        return conf

    def row(self, c: Candidate, text: str, conf: float) -> dict:
        """``mention(g, c, text, conf)``, with the entity's fields read once per process."""
        e = c.best
        f = self._fields.get(e)
        if f is None:
            if len(self._fields) >= MEMO_MAX:
                self._fields.clear()
            g = self._g
            a1 = g.ent_a1[e]
            f = self._fields[e] = (g.ent_name[e], g.ent_gid[e], g.ent_kind[e], g.ent_cc[e] or None,
                                   g.admin1_name.get(a1) if a1 else None, a1, g.ent_lat[e], g.ent_lon[e])
        name, gid, kind, cc, a1_name, a1, lat, lon = f
        return {
            "text": text[c.s : c.e],
            "start": c.s,
            "end": c.e,
            "name": name,
            "geonameid": gid,
            "kind": kind,
            "country_code": cc,
            "admin1_name": a1_name,
            "admin1_code": a1,
            "lat": lat,
            "lon": lon,
            "confidence": conf,
            "metonymy": c.meto,
            "demonym": False,
        }


def mention(g: Gazetteer, c: Candidate, text: str, conf: float) -> dict:
    """A mention row, read straight from the columns: what ``Mentions.row`` gives (the reference tagger uses it)."""
    e = c.best
    a1 = g.ent_a1[e]
    kind = g.ent_kind[e]
    return {
        "text": text[c.s : c.e],
        "start": c.s,
        "end": c.e,
        "name": g.ent_name[e],
        "geonameid": g.ent_gid[e],
        "kind": kind,
        "country_code": g.ent_cc[e] or None,
        "admin1_name": g.admin1_name.get(a1) if a1 else None,
        "admin1_code": a1,
        "lat": g.ent_lat[e],
        "lon": g.ent_lon[e],
        "confidence": conf,
        "metonymy": c.meto,
        "demonym": False,
    }


def demonym_row(g: Gazetteer, text: str, s: int, e: int, cc: str, a1: str | None) -> dict:
    """A demonym as a row of the places column: the country (or region) it refers to, flagged, no point."""
    ent = g.admin1_ent.get(a1) if a1 else g.country_ent.get(cc)
    kind = g.ent_kind[ent] if ent is not None else ("admin1" if a1 else "country")
    return {"text": text[s:e], "start": s, "end": e,
            "name": g.ent_name[ent] if ent is not None else (g.admin1_name.get(a1) if a1 else g.country_name.get(cc)),
            "geonameid": g.ent_gid[ent] if ent is not None else None, "kind": kind, "country_code": cc,
            "admin1_name": g.admin1_name.get(a1) if a1 else None, "admin1_code": a1, "lat": None, "lon": None,
            "confidence": None, "metonymy": False, "demonym": True}


def summarise(g: Gazetteer, res: PlaceResult, cev: dict[str, float], aev: dict[str, float], order: dict[str, int]) -> None:
    ranked = sorted(cev, key=lambda cc: (-cev[cc], order.get(cc, 99)))
    res.countries = ranked
    res.primary_country = ranked[0] if ranked else None
    total = sum(aev.values())
    regions = sorted(aev, key=lambda a: -aev[a])
    res.regions = [
        {"admin1_code": a, "name": g.admin1_name.get(a, a), "country_code": a.split(".")[0],
         "score": round(aev[a] / total, 3)}
        for a in regions
    ]
    for r in res.regions:
        if r["country_code"] == res.primary_country:
            res.primary_region, res.primary_region_code = r["name"], r["admin1_code"]
            break
    res.m49_subregion = g.m49.get(res.primary_country) if res.primary_country else None
