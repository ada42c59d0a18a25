"""The point a country or a first-level region stands for: the centre of its territory, not its capital.

Why: a mention of "Canada" or "Texas" is about the whole territory. Geocoders and gazetteers (GeoNames' country and
region features, Wikipedia's coordinates) and every geoparsing evaluation put such a place at its geographic
centre, so a capital point (Ottawa, Houston) is "wrong" by 1,000 km or more there and on any map that spreads
mentions over a country. Cities keep their own points.

* Countries: the area-weighted centroid of the polygons of ``data/world_110m.json`` (Natural Earth 1:110m, public
  domain) that lie within ``NEAR_KM`` of the country's largest polygon, so that far-away parts (French Guiana,
  Alaska, Hawaii) do not drag metropolitan France or the United States into the sea. Countries too small for
  the 1:110m map keep their capital's point.
* Regions: the midpoint of the trimmed extent (``TRIM`` quantiles) of the points GeoNames gives for the region's
  second-level units and towns: these cover a region's territory, and the midpoint of their extent is not pulled
  towards where most people live the way their mean is. Regions with fewer than ``MIN_POINTS`` such points keep
  their biggest city's point.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from newsbeam.tags.places.topology import ring_points, unwrap_ring

NEAR_KM = 2000.0
TRIM = 0.03
MIN_POINTS = 4
_EARTH_KM = 6371.0088


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs (quantised, delta-encoded) as lists of (lon, lat)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def _ring(arcs: list[list[tuple[float, float]]], idx: list[int]) -> list[tuple[float, float]]:
    """The ring's points with longitudes unwrapped (no jump over 180 degrees), so rings across the antimeridian
    (Fiji, Chukotka) have a sane area and centre. (Arcs here are decoded unrounded, unlike the map's.)"""
    return unwrap_ring(ring_points(idx, arcs))


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def _area_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(area, lat, lon) of a ring by the shoelace formula on longitudes scaled by the cosine of the mean latitude
    (good enough for a representative point at 1:110m)."""
    if len(ring) < 3:
        return 0.0, 0.0, 0.0
    k = math.cos(math.radians(sum(p[1] for p in ring) / len(ring)))
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        x0, x1 = x0 * k, x1 * k
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        return 0.0, 0.0, 0.0
    return abs(a) / 2, cy / (3 * a), _wrap(cx / (3 * a) / k)


def country_centres(path: Path) -> dict[int, tuple[float, float]]:
    """ISO 3166 numeric code -> (lat, lon) of the country's centre, for the countries the map draws."""
    topo = json.loads(path.read_text(encoding="utf-8"))["topology"]
    arcs = _decode_arcs(topo)
    out: dict[int, tuple[float, float]] = {}
    for geo in topo["objects"]["countries"]["geometries"]:
        gid = geo.get("id")
        if not gid or not str(gid).isdigit():
            continue
        polys = geo["arcs"] if geo["type"] == "MultiPolygon" else [geo["arcs"]] if geo["type"] == "Polygon" else []
        parts = [_area_centroid(_ring(arcs, p[0])) for p in polys if p]
        parts = [p for p in parts if p[0] > 0]
        if not parts:
            continue
        big = max(parts)
        near = [p for p in parts if _km(p[1], p[2], big[1], big[2]) <= NEAR_KM]
        # Longitudes of the parts are taken relative to the largest one, so parts on both sides of the
        # antimeridian average to a point between them, not to the other side of the world.
        rel = [(a, lat, big[2] + _wrap(lon - big[2])) for a, lat, lon in near]
        total = sum(p[0] for p in rel)
        out[int(gid)] = (round(sum(p[0] * p[1] for p in rel) / total, 4),
                         round(_wrap(sum(p[0] * p[2] for p in rel) / total), 4))
    return out


def extent_midpoint(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Midpoint of the trimmed latitude and longitude extent of ``points``; None below ``MIN_POINTS``."""
    if len(points) < MIN_POINTS:
        return None
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    if lons[-1] - lons[0] > 180:  # a region across the antimeridian (Chukotka, Alaska's Aleutians): keep its city
        return None
    lo = int(TRIM * (len(points) - 1))
    hi = len(points) - 1 - lo
    return round((lats[lo] + lats[hi]) / 2, 4), round((lons[lo] + lons[hi]) / 2, 4)
