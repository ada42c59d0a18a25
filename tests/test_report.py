"""`newsbeam report`: numbers, escaping, offline-ness, and a real headless-browser render of the page."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pycountry
import pytest

import newsbeam
from newsbeam import cli
from newsbeam.commands import report
from newsbeam.errors import UsageError
from newsbeam.output import schema, store
from newsbeam.report.data import Filters, collect, open_views
from newsbeam.report.html import plotly_bundle, plotly_bundle_version, safe_json
from newsbeam.report.map import (
    Place,
    countries_from_topology,
    country_name,
    map_figure_dict,
    ring_points,
    unwrap_ring,
    world_countries,
)

EVIL_TITLE = "<script>alert(1)</script>"
EVIL_SOURCE = "Bold <b>&</b> Co"
EVIL_ACTOR = "<img src=x onerror=alert(2)>"
SHARED = ("Officials in the provincial capital said the highway would stay closed for at least three more days "
          "while engineers inspect the damaged bridges and clear the debris left by the flood.")

ARTICLES = {
    "quetta.txt": ("Rail services halted in Quetta after attack", "2024-08-26", "Frontier Herald",
                   ["Gunmen opened fire on a passenger train near Quetta on Monday, wounding six people, police in "
                    "Balochistan said.", SHARED, "Rail traffic between Quetta and the rest of Pakistan was suspended "
                    "until further notice."]),
    "gwadar.txt": ("Port city of Gwadar on alert", "2024-08-27", "Frontier Herald",
                   ["Security was tightened across Gwadar on Tuesday after a warning of further attacks in "
                    "Balochistan.", SHARED]),
    "evil.txt": (EVIL_TITLE, "2024-05-02", EVIL_SOURCE,
                 ["Traders in Lagos closed their shops for a day to protest a sharp rise in market fees set by the "
                  "state government.", "The union said the shutdown in Lagos would be repeated next month if the "
                  "fees stay in place."]),
    "kyiv.txt": ("Air raid sirens sound across Kyiv", "2024-03-14", "Dnipro Valley News",
                 ["Residents of Kyiv spent the night in shelters as air defence units engaged drones over the city, "
                  "officials in Ukraine said.", "No casualties were reported in Kyiv by morning."]),
}


def _write_corpus(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, (title, date, source, paras) in ARTICLES.items():
        body = "\n\n".join(paras)
        (folder / name).write_text(f"Title: {title}\nDate: {date}\nSource: {source}\n\n{body}\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("report")
    _write_corpus(base / "corpus")
    rc = cli.main(["run", str(base / "corpus"), "--out", str(base / "out"), "--no-actors", "--quiet"])
    assert rc == 0
    return base / "out"


def _actor(name: str, typ: str, role: str | None, cc: str, mentions: int) -> dict:
    return {"actor_id": f"{name.lower()}|{typ}|{cc}", "name": name, "type": typ, "role": role,
            "country_code": cc, "code": None, "mentions": mentions}


@pytest.fixture(scope="module")
def out_with_actors(out: Path, tmp_path_factory) -> Path:
    """A copy of the real output with actors put into the articles (as the actor tagger would), views rebuilt."""
    dest = tmp_path_factory.mktemp("actors") / "out"
    shutil.copytree(out, dest)
    (dest / store.DB_NAME).unlink()
    by_title = {
        "Rail services halted in Quetta after attack": [
            _actor("Balochistan Liberation Army", "ARMED_GROUP", None, "PK", 2),
            _actor("police", "SECURITY_FORCE", None, "PK", 1), _actor("militants", "ARMED_GROUP", None, "PK", 3),
            _actor("Ali Raza", "PERSON", "interior minister", "PK", 1)],
        "Port city of Gwadar on alert": [_actor("Ali Raza", "PERSON", "minister", "PK", 3),
                                         _actor("Frontier Corps", "SECURITY_FORCE", None, "PK", 1),
                                         _actor("police", "SECURITY_FORCE", None, "PK", 2)],
        EVIL_TITLE: [_actor(EVIL_ACTOR, "ORGANIZATION", "<i>union</i>", "NG", 2)],
    }
    # The views read the published copy under _data/; articles/ holds links to it (copytree made them files).
    for f in [*(dest / "_data" / "articles").glob("run-*/*.parquet"), *(dest / "articles").glob("run-*/*.parquet")]:
        t = pq.read_table(f)
        actors = [by_title.get(title, []) for title in t.column("title").to_pylist()]
        i = t.schema.get_field_index("actors")
        t = t.set_column(i, t.schema.field(i), pa.array(actors, type=schema.ARTICLES.field("actors").type))
        pq.write_table(t, f)
    store.refresh_views(dest)
    return dest


def _build(out: Path, tmp_path: Path, **kw) -> str:
    path = tmp_path / "report.html"
    report.build_report(out, path, now=datetime(2026, 1, 1), **kw)
    return path.read_text(encoding="utf-8")


def _outside_bundle(html_text: str) -> str:
    bundle = plotly_bundle()
    assert html_text.count(bundle) == 1, "plotly.js must be inlined exactly once"
    return html_text.replace(bundle, "")


def _chart_specs(html_text: str) -> dict[str, dict]:
    found = re.findall(r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', html_text, re.S)
    return {k: json.loads(v) for k, v in found}


# --- pure parts -------------------------------------------------------------------------------------------


def test_parse_since_forms():
    now = datetime(2024, 8, 27, 15, 30)
    assert report.parse_since("2024-08-01", now) == datetime(2024, 8, 1)
    assert report.parse_since("2024-08-01T12:00:00+02:00", now) == datetime(2024, 8, 1, 10, 0)
    assert report.parse_since("2024-08-01T12:00Z", now) == datetime(2024, 8, 1, 12, 0)
    assert report.parse_since("today", now) == datetime(2024, 8, 27)
    assert report.parse_since("yesterday", now) == datetime(2024, 8, 26)
    assert report.parse_since("7d", now) == datetime(2024, 8, 20)
    with pytest.raises(UsageError):
        report.parse_since("last tuesday", now)


def test_topology_decoding_joins_reversed_arcs_and_unwraps_antimeridian():
    topo = {"type": "Topology", "transform": {"scale": [1, 1], "translate": [0, 0]},
            "arcs": [[[0, 0], [10, 0], [0, 10]], [[10, 10], [-10, 0], [0, -10]]],
            "objects": {"countries": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "586", "properties": {"name": "Square"}}]}}}
    (c,) = countries_from_topology(topo)
    assert c.code == "PK" and c.name == "Square"
    assert list(c.rings[0]) == [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    assert ring_points([~0], [[(0, 0), (1, 1), (2, 2)]]) == [(2, 2), (1, 1), (0, 0)]
    assert unwrap_ring([(179.0, 1.0), (-179.0, 2.0), (-178.0, 0.0)]) == [(179.0, 1.0), (181.0, 2.0), (182.0, 0.0)]


def test_shipped_outlines_are_small_and_complete():
    path = Path(newsbeam.__file__).parent / "data" / "world_110m.json"
    assert path.stat().st_size < 1_000_000
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert "Natural Earth" in meta["source"] and "public domain" in meta["license"]
    countries = world_countries()
    codes = {c.code for c in countries}
    assert len(countries) > 150 and {"PK", "NG", "UA", "US", "RU", "FJ"} <= codes
    russia = next(c for c in countries if c.code == "RU")
    for ring in russia.rings:  # no ring may jump across the map (that would smear a fill over the world)
        assert all(abs(a[0] - b[0]) < 180 for a, b in zip(ring, ring[1:], strict=False))


def test_country_names_are_the_short_ones_news_uses():
    assert [country_name(c) for c in ("CD", "IR", "RU", "KR", "VG", "VA", "GE", "XK")] == [
        "DR Congo", "Iran", "Russia", "South Korea", "British Virgin Islands", "Vatican City", "Georgia", "XK"]
    long_forms = {c.alpha_2: country_name(c.alpha_2) for c in pycountry.countries
                  if "," in country_name(c.alpha_2) or "(" in country_name(c.alpha_2)}
    assert not long_forms


def test_map_colours_by_world_region_one_colour_per_legend_entry():
    """30+ countries: a colour never stands for two legend entries (a cycled palette made Russia and Georgia both
    grey), neighbours in different regions differ, and the hover text names the country."""
    codes = [c.alpha_2 for c in pycountry.countries][:60:2] + ["RU", "GE", "CD"]
    places = [Place(f"P{i}", cc, "city", 10.0, float(i), 60 - i, 1) for i, cc in enumerate(codes)]
    fig = map_figure_dict(places, set(codes), html_escape)
    points = [t for t in fig["data"] if t.get("mode") == "markers"]
    colours = [t["marker"]["color"] for t in points]
    assert len(colours) == len(set(colours)) and len(points) <= 11
    by_country = {cd[3]: t["marker"]["color"] for t in points for cd in t["customdata"]}
    assert by_country["Russia (RU)"] != by_country["Georgia (GE)"]
    assert "DR Congo (CD)" in by_country
    assert any(t["name"].startswith("Eastern Europe") for t in points)


def test_plotly_bundle_is_the_light_one_of_the_installed_plotly(out: Path, tmp_path: Path):
    """The inlined bundle is plotly.js's cartesian build, of the version whose figure schema validated the specs."""
    from plotly.offline import get_plotlyjs_version

    assert plotly_bundle_version() == get_plotlyjs_version(), (
        "update src/newsbeam/data/plotly-cartesian.min.js: npm pack plotly.js-cartesian-dist-min@"
        + get_plotlyjs_version())
    page = _build(out, tmp_path)
    types = {t["type"] for spec in _chart_specs(page).values() for t in spec["data"]}
    assert types <= {"bar", "scatter", "heatmap"}  # what the cartesian bundle draws
    assert len(page.encode("utf-8")) < 2_200_000  # the full bundle made it 5.1 MB


def test_safe_json_cannot_close_a_script_and_round_trips():
    value = {"t": "</script><!-- & \u2028 -->"}
    text = safe_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


# --- the report from a real output folder -------------------------------------------------------------------


def test_counts_match_the_corpus(out: Path):
    con = open_views(out)
    d = collect(con, Filters())
    con.close()
    assert d.summary["articles"] == 4
    assert d.summary["duplicate_paragraphs"] == 1  # SHARED, second copy
    assert [r["reason"] for r in d.rejects] == ["empty"]
    assert sum(r["articles"] for r in d.per_day) == 4
    herald = next(r for r in d.per_source if r["source"] == "Frontier Herald")
    assert herald["paragraphs"] == 5 and herald["duplicate_paragraphs"] == 1 and herald["duplicate_pct"] == 20.0
    names = {p["name"] for p in d.places}
    assert {"Quetta", "Lagos", "Kyiv"} <= names
    assert next(r for r in d.top_regions if r["admin1_code"] == "PK.02")["articles"] == 2


def test_corpus_text_is_escaped_everywhere(out: Path, tmp_path: Path):
    page = _build(out, tmp_path)
    assert EVIL_TITLE not in page and "<b>&</b>" not in page
    assert html_escape(EVIL_TITLE) in page  # shown as text in the latest-articles table
    rest = _outside_bundle(page)
    # every script element is one of ours: plain inline code or a JSON chart spec
    tags = re.findall(r"<script[^>]*>", rest)
    assert all(t == "<script>" or re.fullmatch(r'<script type="application/json" data-chart="chart-[a-z-]+">', t)
               for t in tags)
    assert len(tags) == 3 + len(_chart_specs(page))
    # inside chart specs the source name is html-escaped too (plotly renders a little HTML in labels)
    specs = json.dumps(_chart_specs(page))
    assert "Bold &lt;b&gt;&amp;&lt;/b&gt; Co" in specs and "<b>&</b>" not in specs


def html_escape(s: str) -> str:
    import html

    return html.escape(s, quote=True)


def test_page_requests_nothing_over_the_network(out: Path, tmp_path: Path):
    # plotly.js itself holds URL strings for features this page does not use (tile maps, its logo link): the
    # browser test checks at run time that none is requested; here the rest of the page is checked as text.
    rest = _outside_bundle(_build(out, tmp_path))
    assert not re.search(r"""(?:src|href|action|data)\s*=\s*["']?\s*(?:https?:)?//""", rest, re.I)
    assert not re.search(r"<(?:link|iframe|img|object|embed|base)\b", rest, re.I)
    assert not re.search(r"https?://", rest), "only the plotly.js bundle may contain URL text"
    assert "fetch(" not in rest and "XMLHttpRequest" not in rest and "@import" not in rest
    types = {t.get("type") for spec in _chart_specs(rest).values() for t in spec["data"]}
    assert not types & {"scattergeo", "choropleth", "choroplethmapbox", "scattermapbox", "scattermap"}


def test_region_and_since_filters(out: Path, tmp_path: Path):
    con = open_views(out)
    pk = collect(con, Filters(region="pk"))
    by_name = collect(con, Filters(region="BALOCHISTAN"))
    by_code = collect(con, Filters(region="pk.02"))
    recent = collect(con, Filters(since=datetime(2024, 8, 1)))
    con.close()
    assert pk.summary["articles"] == by_name.summary["articles"] == by_code.summary["articles"] == 2
    assert {r["title"] for r in pk.latest} == {"Rail services halted in Quetta after attack",
                                              "Port city of Gwadar on alert"}
    assert recent.summary["articles"] == 2 and {p["country_code"] for p in recent.places} == {"PK"}


def _args(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="newsbeam")
    report.add_parser(p.add_subparsers(dest="command"))
    return p.parse_args(["report", *argv])


def test_cli_usage_errors_are_one_line_exit_2(out: Path, tmp_path: Path, capsys):
    html_path = str(tmp_path / "r.html")
    cases = [
        _args(str(out), "--html", html_path, "--region", "Balochstan"),
        _args(str(out), "--html", html_path, "--since", "someday"),
        _args(str(tmp_path), "--html", html_path),
        _args(str(out), "--html", str(tmp_path / "missing" / "r.html")),
    ]
    for a in cases:
        assert report.run(a) == 2
        err = capsys.readouterr().err
        assert err.startswith("newsbeam report: error: ") and err.count("\n") == 1, err
    assert "did you mean Balochistan" in _first_err(out, html_path, capsys)
    assert not Path(html_path).exists()
    assert report.run(_args(str(out), "--html", html_path, "--region", "Balochistan")) == 0
    assert "2 articles" in capsys.readouterr().out and Path(html_path).stat().st_size > 1_000_000


def _first_err(out: Path, html_path: str, capsys) -> str:
    report.run(_args(str(out), "--html", html_path, "--region", "Balochstan"))
    return capsys.readouterr().err


def test_actor_sections_with_actors(out_with_actors: Path, tmp_path: Path):
    con = open_views(out_with_actors)
    d = collect(con, Filters())
    con.close()
    ali = next(a for a in d.actors if a["name"] == "Ali Raza")
    assert ali["articles"] == 2 and ali["mentions"] == 4 and ali["country_code"] == "PK"
    assert ali["roles"] == ["interior minister", "minister"]
    assert {t["type"] for t in d.actor_types} == {"ARMED_GROUP", "PERSON", "SECURITY_FORCE", "ORGANIZATION"}
    pair = next(r for r in d.cooccurrence if r["actor"] == "Ali Raza")
    assert pair["admin1_code"] == "PK.02" and pair["articles"] == 2
    page = _build(out_with_actors, tmp_path)
    specs = _chart_specs(page)
    assert {"chart-actors", "chart-actor-regions"} <= specs.keys()
    assert specs["chart-actor-regions"]["data"][0]["type"] == "heatmap"
    assert EVIL_ACTOR not in page and "<i>union</i>" not in page
    assert html_escape(EVIL_ACTOR) in page and html_escape("<i>union</i>") in page


def test_named_actors_and_unnamed_agents_are_listed_apart(out_with_actors: Path, tmp_path: Path):
    """Police and militants are in every conflict story: they get their own section, not the named actors' top."""
    con = open_views(out_with_actors)
    d = collect(con, Filters())
    con.close()
    assert [a["name"] for a in d.agents] == ["police", "militants"]  # police: 2 articles, militants: 1
    assert not {"police", "militants"} & {a["name"] for a in d.actors}
    assert "Ali Raza" in {a["name"] for a in d.actors}
    assert not {"police", "militants"} & {r["actor"] for r in d.cooccurrence}
    specs = _chart_specs(_build(out_with_actors, tmp_path))
    named = {y for t in specs["chart-actors"]["data"] for y in t["y"]}
    agents = {y for t in specs["chart-agents"]["data"] for y in t["y"]}
    assert "police (PK)" in agents and "police (PK)" not in named and "Ali Raza (PK)" in named


# --- a real browser -----------------------------------------------------------------------------------------


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it with apt-get)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return exe


def _chrome(exe: str, profile: Path, *args: str, url: str) -> subprocess.CompletedProcess:
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}", "--window-size=1400,3000",
           "--hide-scrollbars", "--virtual-time-budget=10000", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_headless_browser_renders_map_and_charts(out_with_actors: Path, tmp_path: Path):
    exe = _chromium()
    path = tmp_path / "report.html"
    report.build_report(out_with_actors, path)
    url = path.resolve().as_uri()
    dom = _chrome(exe, tmp_path / "p1", "--enable-logging=stderr", "--v=0", "--dump-dom", url=url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for bad in ("Uncaught", "Failed to load resource", "ERR_NAME_NOT_RESOLVED"):
        assert bad not in dom.stderr, dom.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", dom.stdout)
    assert body, dom.stdout[:500]
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    assert "data-errors" not in attrs, attrs.get("data-errors")
    assert attrs.get("data-rendered") == "ok"
    assert int(attrs["data-charts"]) == 9 and attrs["data-charts-drawn"] == attrs["data-charts"]
    assert attrs["data-remote-resources"] == "0"
    map_div = dom.stdout[dom.stdout.index('id="chart-map"'):dom.stdout.index('id="chart-regions"')]
    assert "main-svg" in map_div and len(re.findall(r'class="point[ "]', map_div)) >= 3  # place markers drawn
    assert len(re.findall(r'class="js-fill"', map_div)) >= 2  # country outlines drawn as filled shapes
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom.stdout
    png = tmp_path / "shot.png"
    shot = _chrome(exe, tmp_path / "p2", f"--screenshot={png}", url=url)
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000


@pytest.mark.slow
def test_headless_browser_count_axes_tick_at_round_numbers(tmp_path: Path):
    """Counts are ticked at round numbers on both axes of the per-day chart (the right axis was synced to the left
    one's grid and read 3.05, 6.1, 9.14 ...)."""
    from datetime import date, timedelta

    from newsbeam.report import charts
    from newsbeam.report.html import Section, page

    exe = _chromium()
    rows = [{"day": date(2024, 1, 1) + timedelta(days=i), "articles": 1 + i % 4, "unique_paragraphs": 1 + (5 * i) % 12}
            for i in range(20)]
    path = tmp_path / "ticks.html"
    path.write_text(page("ticks", [], [], [Section("per-day", "per day", "", charts.per_day_figure(rows), "")], ""),
                    encoding="utf-8")
    dom = _chrome(exe, tmp_path / "p", "--dump-dom", url=path.resolve().as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    ticks = re.findall(r'class="(y2?)tick"[^>]*><text[^>]*>([^<]*)<', dom.stdout)
    assert {axis for axis, _ in ticks} == {"y", "y2"}, ticks
    odd = [(axis, t) for axis, t in ticks if not re.fullmatch(r"\d+", t)]
    assert not odd, odd
