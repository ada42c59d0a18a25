"""Plotly figures for ``newsbeam report``, one per section, built from the rows of ``report_data``.

Every string that comes from the corpus (outlet, region, actor, role, place names) goes through ``esc`` before it
reaches a figure: plotly renders a small HTML subset in labels and hover text, so an outlet called ``<b>x</b>``
would otherwise be drawn bold, and one with a link tag would become a link. Escaped, it is shown literally.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import plotly.graph_objects as go

from newsbeam.report.map import Place, country_name, map_figure_dict

ARTICLES_COLOUR = "#4c78a8"
UNIQUE_COLOUR = "#f58518"
DUPLICATE_COLOUR = "#e45756"
BOILERPLATE_COLOUR = "#9d755d"
MENTION_COLOUR = "#bab0ac"
REJECT_COLOUR = "#b279a2"
ACTOR_TYPE_COLOURS = {
    "PERSON": "#4c78a8",
    "ORGANIZATION": "#72b7b2",
    "ARMED_GROUP": "#e45756",
    "GOVERNMENT": "#54a24b",
    "SECURITY_FORCE": "#f58518",
    "GROUP": "#b279a2",
    "MEDIA": "#9d755d",
}
TEMPLATE = "plotly_white"

Esc = Callable[[object], str]


def esc(value: object) -> str:
    """HTML-escape anything shown in the page or handed to plotly (None becomes an empty string)."""
    return "" if value is None else html.escape(str(value), quote=True)


def _layout(title: str, height: int, **extra: object) -> dict:
    base = {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "template": TEMPLATE,
        "height": height,
        "margin": {"l": 60, "r": 30, "t": 60, "b": 60},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        "hoverlabel": {"namelength": -1},
    }
    base.update(extra)
    return base


def _fig(data: list, layout: dict) -> dict:
    """Validate through plotly's figure class (catches a misspelt property at build time) and return a dict."""
    return go.Figure(data=data, layout=layout).to_plotly_json()


def count_axis(title: str, values: list[int]) -> dict:
    """An axis for counts: starts at zero and, for small counts, ticks at whole numbers only."""
    axis: dict = {"title": {"text": title}, "rangemode": "tozero"}
    if max(values, default=0) <= 10:
        axis["dtick"] = 1
    return axis


def _bar_height(n: int) -> int:
    return max(260, 110 + 26 * n)


def per_day_figure(rows: list[dict]) -> dict | None:
    dated = [r for r in rows if r["day"] is not None]
    if not dated:
        return None
    days = [r["day"].isoformat() for r in dated]
    return _fig(
        [
            go.Bar(x=days, y=[r["articles"] for r in dated], name="articles", marker_color=ARTICLES_COLOUR,
                   hovertemplate="%{x}: %{y} articles<extra></extra>"),
            go.Scatter(x=days, y=[r["unique_paragraphs"] for r in dated], name="unique paragraphs", yaxis="y2",
                       mode="markers+lines" if len(dated) < 60 else "lines", marker_color=UNIQUE_COLOUR,
                       hovertemplate="%{x}: %{y} unique paragraphs<extra></extra>"),
        ],
        _layout("Articles and unique paragraphs per publication day (UTC)", 380,
                xaxis={"title": {"text": "publication day"}, "type": "date"},
                yaxis=count_axis("articles", [r["articles"] for r in dated]),
                # tickmode auto: plotly.js otherwise syncs an overlaying axis's ticks to the left axis's grid,
                # which put unique paragraphs at 3.05, 6.1, 9.14 ...
                yaxis2={**count_axis("unique paragraphs", [r["unique_paragraphs"] for r in dated]),
                        "overlaying": "y", "side": "right", "showgrid": False, "tickmode": "auto"}),
    )


def run_label(row: dict) -> str:
    started = row.get("started")
    when = started.strftime("%Y-%m-%d %H:%M") if started else row["run_id"]
    return f"#{row['seq']} {when}"


def per_run_figure(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    labels = [esc(run_label(r)) for r in rows]
    return _fig(
        [
            go.Bar(x=labels, y=[r["articles"] for r in rows], name="articles", marker_color=ARTICLES_COLOUR),
            go.Bar(x=labels, y=[r["unique_paragraphs"] for r in rows], name="unique paragraphs",
                   marker_color=UNIQUE_COLOUR),
        ],
        _layout("Articles and unique paragraphs per run (current version of each input)", 360, barmode="group",
                xaxis={"title": {"text": "run (sequence number, start time UTC)"}, "type": "category"},
                yaxis={"title": {"text": "count"}, "rangemode": "tozero"}, bargap=0.35),
    )


def per_source_figure(rows: list[dict], top: int = 25) -> dict | None:
    rows = rows[:top]
    if not rows:
        return None
    names = [esc(r["source"]) for r in rows][::-1]
    dup = [r["duplicate_pct"] or 0 for r in rows][::-1]
    boiler = [r["boilerplate_pct"] or 0 for r in rows][::-1]
    paras = [r["paragraphs"] for r in rows][::-1]
    return _fig(
        [
            go.Bar(y=names, x=dup, name="duplicate", orientation="h", marker_color=DUPLICATE_COLOUR,
                   customdata=paras, hovertemplate="%{y}: %{x}% duplicate of %{customdata} paragraphs<extra></extra>"),
            go.Bar(y=names, x=boiler, name="boilerplate", orientation="h", marker_color=BOILERPLATE_COLOUR,
                   customdata=paras, hovertemplate="%{y}: %{x}% boilerplate of %{customdata} paragraphs<extra></extra>"),
        ],
        _layout(f"Duplicate and boilerplate rate per source (top {len(rows)} by paragraphs)", _bar_height(len(rows)),
                barmode="group", margin={"l": 200, "r": 30, "t": 60, "b": 50},
                xaxis={"title": {"text": "% of the source's paragraphs"}, "rangemode": "tozero", "ticksuffix": "%"},
                yaxis={"type": "category", "automargin": True}),
    )


def map_figure(rows: list[dict]) -> dict:
    places = [Place(r["name"] or "", r["country_code"] or "", r["kind"] or "", float(r["lat"]), float(r["lon"]),
                    int(r["mentions"]), int(r["articles"])) for r in rows]
    fig = map_figure_dict(places, {p.country_code for p in places}, esc)
    fig["layout"]["template"] = TEMPLATE
    fig["layout"]["title"]["x"] = 0.01
    return _fig(fig["data"], fig["layout"])


def region_label(row: dict) -> str:
    return f"{row['region']} ({row['country_code']})" if row.get("country_code") else str(row["region"])


def regions_figure(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    labels = [esc(region_label(r)) for r in rows][::-1]
    return _fig(
        [
            go.Bar(y=labels, x=[r["articles"] for r in rows][::-1], name="main region of the article",
                   orientation="h", marker_color=ARTICLES_COLOUR),
            go.Bar(y=labels, x=[r["articles_mentioning"] for r in rows][::-1], name="mentioned in the article",
                   orientation="h", marker_color=MENTION_COLOUR),
        ],
        _layout(f"Top {len(rows)} regions by articles", _bar_height(len(rows)), barmode="group",
                margin={"l": 220, "r": 30, "t": 60, "b": 50},
                xaxis=count_axis("articles", [r["articles_mentioning"] for r in rows]),
                yaxis={"type": "category", "automargin": True}),
    )


def actor_label(row: dict) -> str:
    return f"{row['name']} ({row['country_code']})" if row.get("country_code") else str(row["name"])


def actors_figure(rows: list[dict], top: int = 25, what: str = "named actors") -> dict | None:
    rows = rows[:top]
    if not rows:
        return None
    order = [esc(actor_label(r)) for r in rows][::-1]
    data = []
    for typ in sorted({r["type"] or "" for r in rows}):
        sub = [r for r in rows if (r["type"] or "") == typ]
        data.append(go.Bar(
            y=[esc(actor_label(r)) for r in sub], x=[r["articles"] for r in sub], name=esc(typ or "untyped"),
            orientation="h", marker_color=ACTOR_TYPE_COLOURS.get(typ, "#888888"),
            customdata=[[r["mentions"], esc("; ".join(r["roles"] or [])) or "-"] for r in sub],
            hovertemplate="%{y}: %{x} articles, %{customdata[0]} mentions<br>roles: %{customdata[1]}"
                          "<extra>%{fullData.name}</extra>"))
    return _fig(data, _layout(
        f"Top {len(rows)} {what} by articles, coloured by type", _bar_height(len(rows)),
        margin={"l": 230, "r": 30, "t": 60, "b": 50}, barmode="stack",
        xaxis=count_axis("articles", [r["articles"] for r in rows]),
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": order, "automargin": True}))


def cooccurrence_matrix(rows: list[dict]) -> tuple[list[str], list[str], list[list[int]]]:
    """Actors (rows, most frequent first), regions (columns) and article counts, zero where they never meet."""
    actors: dict[str, str] = {}
    regions: dict[str, str] = {}
    for r in rows:
        actors.setdefault(r["actor_id"], actor_label({"name": r["actor"], "country_code": r["actor_country"]}))
        regions.setdefault(r["admin1_code"], region_label(r))
    region_order = sorted(regions, key=lambda c: (-max(x["region_total"] for x in rows if x["admin1_code"] == c), c))
    counts = {(r["actor_id"], r["admin1_code"]): r["articles"] for r in rows}
    z = [[counts.get((a, c), 0) for c in region_order] for a in actors]
    return [actors[a] for a in actors], [regions[c] for c in region_order], z


def cooccurrence_figure(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    actor_names, region_names, z = cooccurrence_matrix(rows)
    return _fig(
        [go.Heatmap(z=z, x=[esc(r) for r in region_names], y=[esc(a) for a in actor_names], colorscale="Blues",
                    texttemplate="%{z}", xgap=1, ygap=1,
                    colorbar={"title": {"text": "articles"}, **({"dtick": 1} if max(map(max, z)) <= 10 else {})},
                    hovertemplate="%{y} in %{x}: %{z} articles<extra></extra>")],
        _layout("Actors x regions: articles mentioning the actor, by the article's main region",
                max(320, 140 + 28 * len(actor_names)), margin={"l": 200, "r": 30, "t": 60, "b": 140},
                xaxis={"title": {"text": "main region of the article"}, "type": "category", "tickangle": -35},
                yaxis={"type": "category", "autorange": "reversed", "automargin": True}),
    )


def rejects_figure(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    return _fig(
        [go.Bar(x=[esc(r["reason"]) for r in rows], y=[r["rejects"] for r in rows], marker_color=REJECT_COLOUR,
                name="rejects", hovertemplate="%{x}: %{y} rejected inputs<extra></extra>")],
        _layout("Rejected inputs by reason", 320, showlegend=False, bargap=0.55,
                xaxis={"title": {"text": "reason"}, "type": "category"},
                yaxis=count_axis("rejected inputs", [r["rejects"] for r in rows])),
    )


__all__ = [
    "actors_figure", "cooccurrence_figure", "cooccurrence_matrix", "country_name", "esc", "map_figure",
    "per_day_figure", "per_run_figure", "per_source_figure", "regions_figure", "rejects_figure",
]
