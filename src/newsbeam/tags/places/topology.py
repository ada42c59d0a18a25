"""TopoJSON rings as point lists, shared by the place centres (build time) and the report's map.

A ring is a list of arc ids (``~i`` is arc ``i`` reversed; joined arcs share their end point). Rings that cross the
antimeridian (Fiji, Chukotka) must be unwrapped before their area, centre or fill is computed.
"""

from __future__ import annotations

import math


def ring_points(arc_ids: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Join a ring's arcs; a negative id ``~i`` means arc ``i`` reversed, and joined arcs share their end point."""
    pts: list[tuple[float, float]] = []
    for i in arc_ids:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(arc[1:] if pts else arc)
    return pts


def unwrap_ring(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make a ring that crosses the antimeridian continuous (longitudes may then pass 180) so its fill is right."""
    out = [ring[0]] if ring else []
    for lon, lat in ring[1:]:
        prev = out[-1][0]
        if not (math.isfinite(lon) and math.isfinite(prev)):
            out.append((lon, lat))  # the loops below would never end on an infinite longitude
            continue
        # Invariant: each pass moves lon 360 degrees towards prev; both finite, so they end.
        while lon - prev > 180:
            lon -= 360
        while prev - lon > 180:
            lon += 360
        out.append((lon, lat))
    return out
