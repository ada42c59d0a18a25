"""The numbers behind ``newsbeam report``: DuckDB queries over the published views of an output folder.

Every query reads the temporary table ``sel``: the articles the report is about (after ``--since`` and
``--region``), so each section describes the same set. Results are plain lists of dicts, easy to test and to turn
into both a chart and the table under it.

Counting rules (also in docs/report.md):
* a *duplicate* paragraph is one flagged ``is_duplicate`` and not boilerplate (as ``articles.n_duplicate_paragraphs``);
* a *boilerplate* paragraph is one flagged ``is_boilerplate``;
* a *unique* paragraph is neither: new text;
* place mentions are counted in non-duplicate paragraphs only, so copied text does not inflate a place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb

from newsbeam.output.store import connect_views, open_views_file

RUN_START_SQL = "try_strptime(left(run_id, 16), '%Y%m%dT%H%M%SZ')"


@dataclass(frozen=True)
class Filters:
    """What the report is limited to: articles new since a time, and/or about one region or country."""

    since: datetime | None = None
    region: str | None = None

    def describe(self) -> str:
        parts = []
        if self.since is not None:
            parts.append(f"articles published since {self.since:%Y-%m-%d %H:%M} UTC "
                         "(undated ones: written by a run started since then)")
        if self.region:
            parts.append(f"primary region, admin1 code or country = {self.region}")
        return "; ".join(parts) or "all published articles"


@dataclass
class ReportData:
    """Everything the page shows, one list of row dicts per section."""

    filters: Filters
    summary: dict
    per_day: list[dict] = field(default_factory=list)
    per_run: list[dict] = field(default_factory=list)
    per_source: list[dict] = field(default_factory=list)
    places: list[dict] = field(default_factory=list)
    top_regions: list[dict] = field(default_factory=list)
    actors: list[dict] = field(default_factory=list)
    agents: list[dict] = field(default_factory=list)
    actor_types: list[dict] = field(default_factory=list)
    cooccurrence: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    repeated: list[dict] = field(default_factory=list)
    latest: list[dict] = field(default_factory=list)


def open_views(out: Path) -> duckdb.DuckDBPyConnection:
    """``OUT/newsbeam.duckdb`` opened read-only, or the views rebuilt in memory when that file cannot serve.

    In memory whenever the file is missing or stale, has a foreign WAL beside it, is held read-write by another
    DuckDB session (its lock would refuse us), is damaged, or points elsewhere (it holds absolute paths, so a moved
    or copied output folder still gets a report): a report must never depend on what others did to that file.
    """
    con = open_views_file(Path(out)) or connect_views(Path(out))
    con.execute("SET TimeZone = 'UTC'")
    return con


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    rel = con.execute(sql, params or [])
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def region_exists(con: duckdb.DuckDBPyConnection, region: str) -> bool:
    """Does any published article have this primary region name, admin1 code or country code?"""
    row = con.execute(
        "SELECT count(*) FROM articles WHERE lower(primary_region) = lower($1) "
        "OR upper(primary_region_code) = upper($1) OR upper(primary_country) = upper($1)",
        [region],
    ).fetchone()
    return bool(row and row[0])


def region_suggestions(con: duckdb.DuckDBPyConnection, region: str, n: int = 3) -> list[str]:
    """Closest known region names, for a helpful error message on a typo."""
    import difflib

    names = [r[0] for r in con.execute(
        "SELECT DISTINCT primary_region FROM articles WHERE primary_region IS NOT NULL").fetchall()]
    return difflib.get_close_matches(region, names, n=n, cutoff=0.6)


def select_articles(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    """Materialise the selected articles as temp table ``sel`` (small columns only; text stays in Parquet)."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE sel AS
        SELECT article_id, run_id, {RUN_START_SQL} AS run_start, coalesce(nullif(source, ''), '(unknown)') AS source,
               title, published, primary_country, primary_region, primary_region_code, regions, actors,
               n_paragraphs, n_duplicate_paragraphs
        FROM articles
        WHERE ($since::TIMESTAMP IS NULL
               OR coalesce(published::TIMESTAMP, {RUN_START_SQL}) >= $since::TIMESTAMP)
          AND ($region::VARCHAR IS NULL OR lower(primary_region) = lower($region)
               OR upper(primary_region_code) = upper($region) OR upper(primary_country) = upper($region))""",
        {"since": filters.since, "region": filters.region},
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE sel_par AS
        SELECT p.article_id, p.run_id, p.para_index, p.is_duplicate, p.is_boilerplate, p.dup_group, s.source
        FROM paragraphs p JOIN sel s USING (article_id, run_id)"""
    )


PARA_FLAGS = """count(*) AS paragraphs,
    count(*) FILTER (WHERE NOT is_duplicate AND NOT is_boilerplate) AS unique_paragraphs,
    count(*) FILTER (WHERE is_duplicate AND NOT is_boilerplate) AS duplicate_paragraphs,
    count(*) FILTER (WHERE is_boilerplate) AS boilerplate_paragraphs"""


def summary(con: duckdb.DuckDBPyConnection) -> dict:
    a = _rows(con, """SELECT count(*) AS articles, count(published) AS dated, min(published) AS first_published,
                      max(published) AS last_published, count(DISTINCT source) AS sources,
                      count(DISTINCT run_id) AS runs FROM sel""")[0]
    p = _rows(con, f"SELECT {PARA_FLAGS} FROM sel_par")[0]
    return {**a, **p}


def per_day(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Articles and unique paragraphs by publication day (UTC); undated articles in one row with day None."""
    return _rows(con, f"""
        SELECT s.published::DATE AS day, count(DISTINCT s.article_id) AS articles,
               coalesce(sum(p.unique_paragraphs), 0)::BIGINT AS unique_paragraphs
        FROM sel s LEFT JOIN (SELECT article_id, run_id, {PARA_FLAGS} FROM sel_par GROUP BY ALL) p
          USING (article_id, run_id)
        GROUP BY day ORDER BY day NULLS LAST""")


def per_run(con: duckdb.DuckDBPyConnection, since: datetime | None) -> list[dict]:
    """Articles (their current version) and unique paragraphs by the run that wrote them, runs in order.

    A run that read no input (a quiet night recorded before ``no_new_input`` records existed) and the ``compact`` /
    ``forget`` rewrites (their rows keep the run that wrote them) are not runs of the chart: they would be empty bars.
    """
    return _rows(con, f"""
        WITH a AS (SELECT run_id, count(*) AS articles FROM sel GROUP BY run_id),
             p AS (SELECT run_id, {PARA_FLAGS} FROM sel_par GROUP BY run_id)
        SELECT r.run_id, r.seq, {RUN_START_SQL.replace('run_id', 'r.run_id')} AS started,
               coalesce(a.articles, 0) AS articles, coalesce(p.unique_paragraphs, 0) AS unique_paragraphs
        FROM runs r LEFT JOIN a USING (run_id) LEFT JOIN p USING (run_id)
        WHERE a.articles IS NOT NULL
           OR (r.kind = 'run' AND r.inputs > 0 AND ($since::TIMESTAMP IS NULL
               OR {RUN_START_SQL.replace('run_id', 'r.run_id')} >= $since::TIMESTAMP))
        ORDER BY r.seq""", {"since": since})


def per_source(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Duplicate and boilerplate rates per outlet, biggest outlets (by paragraphs) first."""
    return _rows(con, f"""
        SELECT p.source, a.articles, p.paragraphs, p.unique_paragraphs, p.duplicate_paragraphs,
               p.boilerplate_paragraphs,
               round(100.0 * p.duplicate_paragraphs / nullif(p.paragraphs, 0), 1) AS duplicate_pct,
               round(100.0 * p.boilerplate_paragraphs / nullif(p.paragraphs, 0), 1) AS boilerplate_pct
        FROM (SELECT source, {PARA_FLAGS} FROM sel_par GROUP BY source) p
        JOIN (SELECT source, count(*) AS articles FROM sel GROUP BY source) a USING (source)
        ORDER BY p.paragraphs DESC, p.source""")


def places(con: duckdb.DuckDBPyConnection, limit: int = 600) -> list[dict]:
    """Places with coordinates, mentions counted in non-duplicate paragraphs of the selected articles."""
    return _rows(con, """
        WITH m AS (
            SELECT p.article_id, unnest(p.places) AS pl
            FROM paragraphs p JOIN sel s USING (article_id, run_id)
            WHERE NOT p.is_duplicate)
        SELECT any_value(pl.name) AS name, coalesce(pl.country_code, '') AS country_code,
               any_value(pl.kind) AS kind, round(avg(pl.lat), 4) AS lat, round(avg(pl.lon), 4) AS lon,
               count(*) AS mentions, count(DISTINCT article_id) AS articles
        FROM m WHERE pl.lat IS NOT NULL AND pl.lon IS NOT NULL
        GROUP BY coalesce(pl.geonameid::VARCHAR, pl.name || '@' || round(pl.lat, 2) || ',' || round(pl.lon, 2)),
                 coalesce(pl.country_code, '')
        ORDER BY mentions DESC, articles DESC, name LIMIT $1""", [limit])


def top_regions(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict]:
    """Regions by the number of articles mainly about them, with how many more articles mention them at all."""
    return _rows(con, """
        WITH prim AS (
            SELECT primary_region_code AS code, any_value(primary_region) AS region,
                   any_value(primary_country) AS country_code, count(*) AS articles
            FROM sel WHERE primary_region_code IS NOT NULL GROUP BY primary_region_code),
        ment AS (
            SELECT r.admin1_code AS code, count(DISTINCT article_id) AS articles_mentioning
            FROM (SELECT article_id, unnest(regions) AS r FROM sel) GROUP BY code)
        SELECT prim.region, prim.code AS admin1_code, prim.country_code, prim.articles,
               coalesce(ment.articles_mentioning, prim.articles) AS articles_mentioning
        FROM prim LEFT JOIN ment USING (code)
        ORDER BY prim.articles DESC, articles_mentioning DESC, prim.region LIMIT $1""", [limit])


@lru_cache(maxsize=1)
def agent_names() -> tuple[str, ...]:
    """The names the actor tagger gives unnamed agents ("police", "militants", "civilians", "government": the
    ``agents`` list of ``data/actors.yaml``)."""
    from newsbeam.tags.actors.dictionary import read_builtin

    return tuple(sorted({a["name"] for a in read_builtin().get("agents") or []}))


GENERIC_SQL = "(ac.name IN (SELECT unnest($agents::VARCHAR[])) AND contains(ac.actor_id, '|'))"


def actors(con: duckdb.DuckDBPyConnection, limit: int = 30, generic: bool = False) -> list[dict]:
    """Actors by the number of articles they appear in, with their type, country and most frequent roles.

    Named actors (people, organisations, groups, governments) and unnamed agents ("police" of a country,
    "militants", "civilians") are listed apart (``generic``): the agents are in nearly every conflict story, so one
    list was all police and militants and hid the names a reader looks for. An agent is an actor whose name is one
    of ``agent_names`` and whose id is the tagger's ``name|TYPE|CC`` (a dictionary entry of that name is named).
    """
    return _rows(con, f"""
        WITH x AS (SELECT article_id, ac FROM (SELECT article_id, unnest(actors) AS ac FROM sel)
                   WHERE {GENERIC_SQL} = $generic),
        roles AS (
            SELECT ac.actor_id AS actor_id, ac.role AS role, count(*) AS n FROM x
            WHERE ac.role IS NOT NULL AND ac.role <> '' GROUP BY ALL),
        rr AS (SELECT actor_id, list(role ORDER BY n DESC, role)[1:3] AS roles FROM roles GROUP BY actor_id)
        SELECT x.ac.actor_id AS actor_id, mode(x.ac.name) AS name, mode(x.ac.type) AS type,
               coalesce(mode(x.ac.country_code), '') AS country_code, mode(x.ac.code) AS code,
               count(DISTINCT x.article_id) AS articles, coalesce(sum(x.ac.mentions), 0)::BIGINT AS mentions,
               coalesce(any_value(rr.roles), []) AS roles
        FROM x LEFT JOIN rr ON rr.actor_id = x.ac.actor_id
        GROUP BY x.ac.actor_id
        ORDER BY articles DESC, mentions DESC, name LIMIT $limit""",
        {"limit": limit, "generic": generic, "agents": list(agent_names())})


def actor_types(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """How many distinct actors, articles and mentions each actor type has."""
    return _rows(con, """
        WITH x AS (SELECT article_id, unnest(actors) AS ac FROM sel)
        SELECT coalesce(ac.type, '(none)') AS type, count(DISTINCT ac.actor_id) AS actors,
               count(DISTINCT article_id) AS articles, coalesce(sum(ac.mentions), 0)::BIGINT AS mentions
        FROM x GROUP BY ALL ORDER BY articles DESC, type""")


def cooccurrence(con: duckdb.DuckDBPyConnection, n_actors: int = 15, n_regions: int = 12) -> list[dict]:
    """Articles per (named actor, primary region) pair, for the most frequent named actors and regions (unnamed
    agents would fill the rows: police are in every region)."""
    return _rows(con, f"""
        WITH x AS (
            SELECT DISTINCT article_id, primary_region_code AS code, primary_region AS region,
                   primary_country AS country_code, ac.actor_id AS actor_id, ac.name AS name,
                   ac.country_code AS actor_country
            FROM (SELECT *, unnest(actors) AS ac FROM sel) a
            WHERE primary_region_code IS NOT NULL AND NOT {GENERIC_SQL}),
        ta AS (SELECT actor_id, count(DISTINCT article_id) AS n FROM x GROUP BY actor_id
               ORDER BY n DESC, actor_id LIMIT $n_actors),
        tr AS (SELECT code, count(DISTINCT article_id) AS n FROM x GROUP BY code ORDER BY n DESC, code
               LIMIT $n_regions)
        SELECT x.actor_id, mode(x.name) AS actor, coalesce(mode(x.actor_country), '') AS actor_country,
               x.code AS admin1_code, mode(x.region) AS region,
               mode(x.country_code) AS country_code, count(DISTINCT x.article_id) AS articles,
               any_value(ta.n) AS actor_total, any_value(tr.n) AS region_total
        FROM x JOIN ta USING (actor_id) JOIN tr USING (code)
        GROUP BY x.actor_id, x.code ORDER BY actor_total DESC, x.actor_id, region_total DESC, x.code""",
        {"n_actors": n_actors, "n_regions": n_regions, "agents": list(agent_names())})


def rejects(con: duckdb.DuckDBPyConnection, since: datetime | None) -> list[dict]:
    """Rejected inputs by reason (not region-specific: a reject has no text to place)."""
    return _rows(con, f"""
        SELECT reason, count(*) AS rejects, any_value(detail) AS example_detail FROM rejects
        WHERE $since::TIMESTAMP IS NULL OR {RUN_START_SQL} >= $since::TIMESTAMP
        GROUP BY reason ORDER BY rejects DESC, reason""", {"since": since})


def repeated(con: duckdb.DuckDBPyConnection, limit: int = 10, snippet: int = 180) -> list[dict]:
    """The most copied paragraphs among the selected articles: the duplicate groups with the most members."""
    return _rows(con, """
        WITH g AS (
            SELECT dup_group, count(*) AS copies, count(DISTINCT source) AS sources,
                   bool_or(is_boilerplate) AS boilerplate
            FROM sel_par WHERE dup_group IS NOT NULL GROUP BY dup_group HAVING count(*) > 1
            ORDER BY copies DESC, dup_group LIMIT $1)
        SELECT g.copies, g.sources, g.boilerplate,
               (SELECT left(any_value(p.text), $2) FROM paragraphs p
                WHERE p.article_id || ':' || p.para_index::VARCHAR = g.dup_group) AS snippet
        FROM g ORDER BY g.copies DESC, g.dup_group""", [limit, snippet])


def latest(con: duckdb.DuckDBPyConnection, limit: int = 15) -> list[dict]:
    """The most recently published selected articles (undated ones last)."""
    return _rows(con, """
        SELECT title, source, published, primary_region, primary_country FROM sel
        ORDER BY published DESC NULLS LAST, title LIMIT $1""", [limit])


def collect(con: duckdb.DuckDBPyConnection, filters: Filters) -> ReportData:
    """Run every query for the report."""
    select_articles(con, filters)
    return ReportData(
        filters=filters,
        summary=summary(con),
        per_day=per_day(con),
        per_run=per_run(con, filters.since),
        per_source=per_source(con),
        places=places(con),
        top_regions=top_regions(con),
        actors=actors(con),
        agents=actors(con, limit=20, generic=True),
        actor_types=actor_types(con),
        cooccurrence=cooccurrence(con),
        rejects=rejects(con, filters.since),
        repeated=repeated(con),
        latest=latest(con),
    )
