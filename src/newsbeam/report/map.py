"""The report's world map: country outlines decoded from the shipped TopoJSON, drawn as plain plotly scatter traces.

Plotly's own geo traces fetch their outlines from a CDN when the page opens, which breaks the report's promise of
opening offline; drawing filled lon/lat polygons on ordinary x/y axes needs nothing but the data we ship.

``data/world_110m.json`` wraps ``countries-110m.json`` of the npm package world-atlas 2.0.2 (ISC), made from
Natural Earth 1:110m Admin 0 countries (public domain); the file carries its source and licence text.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pycountry

from newsbeam.tags.places.topology import ring_points, unwrap_ring  # noqa: F401 - also the public names here

WORLD_FILE = "world_110m.json"
LAT_RANGE = (-58.0, 85.0)  # Antarctica is left out: no news is placed there and it would take a third of the map
LAND_COLOUR = "#e6e6e6"
MENTIONED_COLOUR = "#cfdcec"
BORDER_COLOUR = "#9a9a9a"
# Places are coloured by world region, not by country: a palette cycled over 30+ countries gave neighbours the same
# colour (Russia and Georgia both grey) with nothing to tell them apart. Ten regions, ten distinct colours, each
# named in the legend; the country is in every marker's hover text. Regions group UN M49 sub-regions
# (``data/m49.tsv``) so that no two neighbouring groups are too small to matter.
WORLD_REGIONS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("North America", "#4e79a7", frozenset({"Northern America"})),
    ("Latin America and the Caribbean", "#59a14f", frozenset({"Central America", "Caribbean", "South America"})),
    ("Northern, Western and Southern Europe", "#f28e2b",
     frozenset({"Northern Europe", "Western Europe", "Southern Europe"})),
    ("Eastern Europe", "#e15759", frozenset({"Eastern Europe"})),
    ("Western Asia and North Africa", "#b07aa1", frozenset({"Western Asia", "Northern Africa"})),
    ("Sub-Saharan Africa", "#9c755f",
     frozenset({"Eastern Africa", "Western Africa", "Middle Africa", "Southern Africa"})),
    ("South and Central Asia", "#bcbd22", frozenset({"Southern Asia", "Central Asia"})),
    ("East Asia", "#76b7b2", frozenset({"Eastern Asia"})),
    ("South-east Asia", "#ff9da7", frozenset({"South-eastern Asia"})),
    ("Oceania", "#17becf",
     frozenset({"Australia and New Zealand", "Melanesia", "Micronesia", "Polynesia"})),
)
NO_REGION = ("other (no country, or none in UN M49)", "#7f7f7f")
# Names the actor tagger's short list (``tags/actors/rules.COMMON_COUNTRY_NAMES``) leaves in ISO's long form.
SHORT_NAMES = {
    "VG": "British Virgin Islands", "VI": "US Virgin Islands", "VA": "Vatican City", "SH": "Saint Helena",
    "BQ": "Caribbean Netherlands", "FK": "Falkland Islands", "MF": "Saint Martin", "SX": "Sint Maarten",
    "CC": "Cocos Islands",
}


@dataclass(frozen=True)
class Country:
    """One country outline: ISO alpha-2 (empty when the atlas has no ISO id), name and lon/lat rings."""

    code: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True)
class Place:
    """A place to plot: where it is, whose it is and how often the selected articles mention it."""

    name: str
    country_code: str
    kind: str
    lat: float
    lon: float
    mentions: int
    articles: int


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Undo TopoJSON quantisation and delta encoding: every arc as absolute (lon, lat) points."""
    tr = topology.get("transform")
    sx, sy = tr["scale"] if tr else (1.0, 1.0)
    tx, ty = tr["translate"] if tr else (0.0, 0.0)
    out = []
    for arc in topology["arcs"]:
        x = y = 0.0
        pts = []
        for p in arc:
            if tr:
                x, y = x + p[0], y + p[1]
            else:
                x, y = p[0], p[1]
            pts.append((round(x * sx + tx, 3), round(y * sy + ty, 3)))
        out.append(pts)
    return out


def _alpha2(numeric_id: object) -> str:
    if numeric_id is None:
        return ""
    c = pycountry.countries.get(numeric=str(numeric_id).zfill(3))
    return c.alpha_2 if c else ""


def countries_from_topology(topology: dict, object_name: str = "countries") -> list[Country]:
    """Country outlines from a world-atlas style topology (ids are ISO 3166-1 numeric codes)."""
    arcs = decode_arcs(topology)
    result = []
    for geom in topology["objects"][object_name]["geometries"]:
        kind = geom.get("type")
        if kind == "Polygon":
            polygons = [geom["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geom["arcs"]
        else:
            continue
        rings = tuple(tuple(unwrap_ring(ring_points(r, arcs))) for poly in polygons for r in poly)
        if all(max(lat for _, lat in r) < LAT_RANGE[0] for r in rings if r):
            continue
        result.append(Country(_alpha2(geom.get("id")), (geom.get("properties") or {}).get("name", ""), rings))
    return result


@lru_cache(maxsize=1)
def world_countries() -> tuple[Country, ...]:
    """The shipped Natural Earth 110m outlines (read once per process)."""
    text = resources.files("newsbeam").joinpath("data", WORLD_FILE).read_text(encoding="utf-8")
    return tuple(countries_from_topology(json.loads(text)["topology"]))


def _rings_xy(rings: list[tuple[tuple[float, float], ...]]) -> tuple[list, list]:
    """Rings as one x/y pair of lists with None between rings; a ring past +-180 is drawn again shifted by 360."""
    xs: list = []
    ys: list = []
    for ring in rings:
        lons = [p[0] for p in ring]
        shifts = [0.0]
        if max(lons) > 180:
            shifts.append(-360.0)
        if min(lons) < -180:
            shifts.append(360.0)
        for s in shifts:
            xs += [lon + s for lon in lons] + [None]
            ys += [p[1] for p in ring] + [None]
    return xs, ys


def country_name(code: str) -> str:
    """The short name news uses ("DR Congo", "Iran", "Russia"), never ISO's long form ("Congo, The Democratic
    Republic of the"): the same names as the government actors; the code itself when pycountry does not know it."""
    if not code:
        return "unknown"
    if code in SHORT_NAMES:
        return SHORT_NAMES[code]
    from newsbeam.tags.actors.rules import country_name as news_name

    name = news_name(code)
    name = re.sub(r"\s*\(.*?\)", "", name)  # "Holy See (Vatican City State)" and the like
    return name.split(", ")[0]  # "Korea, Republic of" style names left: the part before the comma


@lru_cache(maxsize=1)
def m49_subregions() -> dict[str, str]:
    """ISO alpha-2 -> UN M49 sub-region name, from ``data/m49.tsv``."""
    text = resources.files("newsbeam").joinpath("data", "m49.tsv").read_text(encoding="utf-8")
    rows = (ln.split("\t") for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))
    return {r[0]: r[2] for r in rows if len(r) >= 3}


def world_region(code: str) -> tuple[str, str]:
    """The legend label and colour of a country's world region (``NO_REGION`` for none)."""
    sub = m49_subregions().get(code or "")
    for label, colour, subs in WORLD_REGIONS:
        if sub in subs:
            return label, colour
    return NO_REGION


def marker_sizes(mentions: list[int], largest: float = 38.0, smallest: float = 6.0) -> list[float]:
    """Marker diameters whose area grows with mentions (so a place mentioned 4x looks 4x as big, not 16x)."""
    top = max(mentions, default=1) or 1
    return [round(max(smallest, largest * math.sqrt(m / top)), 1) for m in mentions]




def map_figure_dict(places: list[Place], mentioned: set[str], esc, countries: tuple[Country, ...] | None = None) -> dict:
    """A plotly figure (as a dict) of the countries with points on top; ``esc`` escapes corpus strings."""
    countries = countries if countries is not None else world_countries()
    traces: list[dict] = []
    base_x, base_y = _rings_xy([r for c in countries for r in c.rings])
    traces.append(_fill_trace("countries", base_x, base_y, LAND_COLOUR))
    hit_x, hit_y = _rings_xy([r for c in countries if c.code in mentioned for r in c.rings])
    if hit_x:
        traces.append(_fill_trace("countries mentioned", hit_x, hit_y, MENTIONED_COLOUR))
    regions: dict[tuple[str, str], list[Place]] = {}
    for p in places:
        regions.setdefault(world_region(p.country_code), []).append(p)
    order = sorted(regions, key=lambda r: (-sum(p.mentions for p in regions[r]), r[0]))
    sizes = dict(zip([id(p) for p in places], marker_sizes([p.mentions for p in places]), strict=True))
    for label, colour in order:
        pts = sorted(regions[(label, colour)], key=lambda p: (-p.mentions, p.name))
        n_countries = len({p.country_code for p in pts if p.country_code})
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": esc(f"{label} ({n_countries} {'country' if n_countries == 1 else 'countries'})"
                            if n_countries else label),
                "x": [p.lon for p in pts],
                "y": [p.lat for p in pts],
                "text": [esc(p.name) for p in pts],
                "customdata": [[esc(p.kind), p.mentions, p.articles,
                                esc(f"{country_name(p.country_code)} ({p.country_code})" if p.country_code
                                    else "no country")] for p in pts],
                "hovertemplate": "<b>%{text}</b> (%{customdata[0]}), %{customdata[3]}<br>%{customdata[1]} mentions "
                "in %{customdata[2]} articles<extra>%{fullData.name}</extra>",
                "marker": {
                    "size": [sizes[id(p)] for p in pts],
                    "color": colour,
                    "opacity": 0.8,
                    "line": {"width": 0.6, "color": "#ffffff"},
                },
            }
        )
    layout = {
        "title": {"text": "Places mentioned (marker area = mentions in non-duplicate paragraphs)"},
        "xaxis": {"range": [-180, 180], "visible": False, "fixedrange": False},
        "yaxis": {"range": list(LAT_RANGE), "visible": False, "scaleanchor": "x", "scaleratio": 1},
        "height": 620,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "plot_bgcolor": "#f4f8fb",
        "legend": {"title": {"text": "world region"}, "itemsizing": "constant"},
        "showlegend": True,
    }
    return {"data": traces, "layout": layout}


def _fill_trace(name: str, xs: list, ys: list, colour: str) -> dict:
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": xs,
        "y": ys,
        "fill": "toself",
        "fillcolor": colour,
        "line": {"color": BORDER_COLOUR, "width": 0.5},
        "hoverinfo": "skip",
        "showlegend": False,
    }
