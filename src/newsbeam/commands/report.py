"""``newsbeam report OUT --html PATH [--since DATE] [--region NAME]``: the corpus at a glance, in one HTML file.

The page opens offline: plotly.js (its cartesian bundle, 1.5 MB) is inlined once, the world map is drawn from
country outlines shipped in ``data/world_110m.json`` (Natural Earth 110m), and nothing is fetched at view time.
Numbers come from the published views (``OUT/newsbeam.duckdb``, opened read-only), so a report never sees a
half-published run.

Wired into the CLI through ``add_parser(subparsers)`` and ``run(args)``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from newsbeam import __version__
from newsbeam.errors import EXIT_OK, EXIT_USAGE, UsageError
from newsbeam.report import data
from newsbeam.report.html import Column, Section, html_table, page


class _Charts:
    """report_charts imports plotly (slow); the ``newsbeam`` command builds this parser for every subcommand."""

    def __getattr__(self, name: str):
        from newsbeam.report import charts as report_charts

        return getattr(report_charts, name)


charts = _Charts()

@dataclass(frozen=True)
class ReportResult:
    """What ``build_report`` wrote: the file, its size, and how many articles and charts it covers."""

    path: Path
    bytes: int
    articles: int
    charts: int


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand to the ``newsbeam`` parser."""
    p = subparsers.add_parser("report", help="write a self-contained HTML report (map and charts) of an output folder")
    p.add_argument("out", metavar="OUT", help="output folder of newsbeam run")
    p.add_argument("--html", required=True, metavar="PATH", help="where to write the HTML file")
    p.add_argument("--since", metavar="DATE",
                   help="only articles published since DATE (YYYY-MM-DD, ISO time, today, yesterday or Nd)")
    p.add_argument("--region", metavar="NAME",
                   help="only articles whose primary region name, admin1 code (PK.02) or country code (PK) is NAME")


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """A naive UTC datetime from YYYY-MM-DD, an ISO time (offsets converted to UTC), today, yesterday or Nd."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
    t = text.strip().lower()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if t == "today":
        return midnight
    if t == "yesterday":
        return midnight - timedelta(days=1)
    m = re.fullmatch(r"(\d{1,4})d", t)
    if m:
        return midnight - timedelta(days=int(m.group(1)))
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since takes YYYY-MM-DD, an ISO time, today, yesterday or Nd, got {text!r}") from None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _check_out(out: str) -> Path:
    p = Path(out)
    if not (p / "_runs").is_dir():
        raise UsageError(f"not a newsbeam output folder (no published run): {out}")
    return p


def _check_html(path: str) -> Path:
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"--html must be a file path, {path} is a directory")
    if not p.parent.resolve().is_dir():
        raise UsageError(f"--html: folder {p.parent} does not exist")
    return p


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def _cards(d: data.ReportData) -> list[tuple[str, str]]:
    s = d.summary
    n_rejects = sum(r["rejects"] for r in d.rejects)
    return [
        ("articles", f"{s['articles']:,}"),
        ("unique paragraphs", f"{s['unique_paragraphs']:,}"),
        ("duplicate paragraphs", _pct(s["duplicate_paragraphs"], s["paragraphs"])),
        ("boilerplate paragraphs", _pct(s["boilerplate_paragraphs"], s["paragraphs"])),
        ("sources", f"{s['sources']:,}"),
        ("places on the map", f"{len(d.places):,}"),
        ("named actors (top listed)", f"{len(d.actors):,}"),
        ("rejected inputs", f"{n_rejects:,}"),
        ("runs", f"{len(d.per_run):,}"),
    ]


def _n(key: str, label: str) -> Column:
    return Column(key, label, numeric=True)


def _activity_sections(d: data.ReportData) -> list[Section]:
    undated = next((r["articles"] for r in d.per_day if r["day"] is None), 0)
    day_note = f" {undated} undated articles are counted in the table only (day: undated)." if undated else ""
    day_rows = [{**r, "day": r["day"] if r["day"] is not None else "undated"} for r in d.per_day]
    return [
        Section("per-day", "Articles per day",
                "Articles by publication day (UTC) and the paragraphs of new text (not duplicates, not "
                "boilerplate) they carry." + day_note,
                charts.per_day_figure(d.per_day),
                html_table([Column("day", "day"), _n("articles", "articles"),
                            _n("unique_paragraphs", "unique paragraphs")], day_rows)),
        Section("per-run", "Articles per run",
                "Articles by the run that wrote their current version (a re-processed input counts for its "
                "latest run only).",
                charts.per_run_figure(d.per_run),
                html_table([_n("seq", "#"), Column("run_id", "run id"), Column("started", "started (UTC)"),
                            _n("articles", "articles"), _n("unique_paragraphs", "unique paragraphs")],
                           d.per_run[-100:])),
        Section("sources", "Duplicate and boilerplate rate per source",
                "Share of each outlet's paragraphs that copy text seen elsewhere (duplicate) or repeat across the "
                "outlet's own articles (boilerplate: sign-up boxes, copyright lines).",
                charts.per_source_figure(d.per_source),
                html_table([Column("source", "source"), _n("articles", "articles"), _n("paragraphs", "paragraphs"),
                            _n("unique_paragraphs", "unique"), _n("duplicate_paragraphs", "duplicate"),
                            _n("boilerplate_paragraphs", "boilerplate"), _n("duplicate_pct", "duplicate %"),
                            _n("boilerplate_pct", "boilerplate %")], d.per_source, limit=60)
                + (html_table([_n("copies", "copies"), _n("sources", "sources"), Column("boilerplate", "boilerplate"),
                               Column("snippet", "paragraph (start)")], d.repeated,
                              caption="Most repeated paragraphs") if d.repeated else "")),
    ]


def _geo_sections(d: data.ReportData) -> list[Section]:
    return [
        Section("map", "Map of places mentioned",
                "Every place with coordinates, sized by its mentions in non-duplicate paragraphs and coloured by "
                "world region (groups of UN M49 sub-regions; the country is in each marker's hover text); countries "
                "with mentioned places are shaded. Outlines: Natural Earth 1:110m.",
                charts.map_figure(d.places),
                html_table([Column("name", "place"), Column("country_code", "country"), Column("kind", "kind"),
                            _n("mentions", "mentions"), _n("articles", "articles"), _n("lat", "lat"),
                            _n("lon", "lon")], d.places, limit=30, caption="Most mentioned places")),
        Section("regions", "Top regions",
                "First-level regions (states, provinces) by the number of articles mainly about them, next to the "
                "number of articles that mention them at all.",
                charts.regions_figure(d.top_regions),
                html_table([Column("region", "region"), Column("admin1_code", "admin1 code"),
                            Column("country_code", "country"), _n("articles", "articles (main region)"),
                            _n("articles_mentioning", "articles mentioning")], d.top_regions)
                if d.top_regions else ""),
    ]


def _actor_sections(d: data.ReportData) -> list[Section]:
    no_actors = "No actors are tagged in the selected articles (runs with --no-actors tag none)."
    matrix = ""
    if d.cooccurrence:
        actor_names, region_names, z = charts.cooccurrence_matrix(d.cooccurrence)
        cols = [Column("actor", "actor")] + [_n(f"r{i}", name) for i, name in enumerate(region_names)]
        rows = [{"actor": a, **{f"r{i}": v for i, v in enumerate(zrow)}} for a, zrow in zip(actor_names, z, strict=True)]
        matrix = html_table(cols, rows)
    actor_cols = [Column("name", "actor"), Column("type", "type"), Column("country_code", "country"),
                  Column("code", "code"), Column("roles", "roles"), _n("articles", "articles"),
                  _n("mentions", "mentions")]
    return [
        Section("actors", "Top named actors by type",
                "People, organisations, armed groups and governments by the number of articles they appear in, "
                "with their country and the roles the articles give them. Unnamed agents (police, militants, "
                "civilians ...) are in the next section.",
                charts.actors_figure(d.actors),
                (html_table([Column("type", "type"), _n("actors", "actors"), _n("articles", "articles"),
                             _n("mentions", "mentions")], d.actor_types, caption="By type (named and unnamed)")
                 + html_table(actor_cols, d.actors, caption="Top named actors"))
                if d.actors or d.actor_types else "", empty_note=no_actors),
        Section("agents", "Unnamed agents",
                "Actors the articles name by their kind, not by name (\"police\", \"militants\", \"civilians\"), "
                "counted per country: they appear in most conflict stories, so they are kept apart from the named "
                "actors.",
                charts.actors_figure(d.agents, what="unnamed agents"),
                html_table(actor_cols, d.agents, caption="Top unnamed agents") if d.agents else "",
                empty_note=no_actors if not d.actor_types else "No unnamed agents in the selected articles."),
        Section("actor-regions", "Named actors and regions",
                "Which named actors appear in articles about which regions (main region of the article); cells "
                "count articles.", charts.cooccurrence_figure(d.cooccurrence), matrix, empty_note=no_actors),
    ]


def _other_sections(d: data.ReportData) -> list[Section]:
    region_note = " Rejects have no text to place, so --region does not filter them." if d.filters.region else ""
    return [
        Section("rejects", "Rejected inputs by reason",
                "Inputs that produced no article (empty, binary, undecodable, malformed ...)." + region_note,
                charts.rejects_figure(d.rejects),
                html_table([Column("reason", "reason"), _n("rejects", "rejected inputs"),
                            Column("example_detail", "example")], d.rejects) if d.rejects else "",
                empty_note="No rejected inputs."),
        Section("latest", "Latest articles", "The most recently published of the selected articles.", None,
                html_table([Column("published", "published (UTC)"), Column("title", "title"),
                            Column("source", "source"), Column("primary_region", "region"),
                            Column("primary_country", "country")], d.latest) if d.latest else ""),
    ]


def render(d: data.ReportData, out_name: str, generated: datetime) -> tuple[str, int]:
    """The page for the collected data, and how many charts it has."""
    sections = _geo_sections(d) + _activity_sections(d) + _actor_sections(d) + _other_sections(d)
    s = d.summary
    span = ""
    if s["first_published"] is not None:
        span = f"published {s['first_published']:%Y-%m-%d} to {s['last_published']:%Y-%m-%d} (UTC)"
    subtitle = [f"Output folder: {out_name}", f"Showing: {d.filters.describe()}",
                f"{s['articles']:,} articles ({s['dated']:,} dated) {span}".strip()]
    footer = (f"Generated {generated:%Y-%m-%d %H:%M} UTC by newsbeam {__version__}. "
              "Map outlines: Natural Earth 1:110m (public domain) via world-atlas. Charts: plotly.")
    html_text = page(f"newsbeam report: {out_name}", subtitle, _cards(d), sections, footer)
    return html_text, sum(sec.figure is not None for sec in sections)


def build_report(out: Path, html_path: Path, since: datetime | None = None, region: str | None = None,
                 now: datetime | None = None) -> ReportResult:
    """Query ``out``, render the page and write it atomically to ``html_path``."""
    con = data.open_views(Path(out))
    try:
        if region is not None and not data.region_exists(con, region):
            hint = data.region_suggestions(con, region)
            raise UsageError(f"--region {region!r} matches no primary region, admin1 code or country code"
                                   + (f" (did you mean {', '.join(hint)}?)" if hint else ""))
        collected = data.collect(con, data.Filters(since=since, region=region))
    finally:
        con.close()
    text, n_charts = render(collected, Path(out).resolve().name, now or datetime.now(timezone.utc))
    html_path = Path(html_path)
    tmp = html_path.with_name(f".{html_path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, html_path)
    return ReportResult(html_path, len(text.encode("utf-8")), collected.summary["articles"], n_charts)


def run(args: argparse.Namespace) -> int:
    """Entry point for ``newsbeam report``: 0 on success, 2 (one line on stderr) on bad usage."""
    try:
        out = _check_out(args.out)
        html_path = _check_html(args.html)
        since = parse_since(args.since) if args.since else None
        region = args.region.strip() if args.region is not None else None
        if region == "":
            raise UsageError("--region must not be empty")
        result = build_report(out, html_path, since=since, region=region)
    except UsageError as e:
        print(f"newsbeam report: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    print(f"newsbeam report: wrote {result.path} ({result.articles:,} articles, {result.charts} charts, "
          f"{result.bytes / 1e6:.1f} MB)")
    return EXIT_OK
