"""The output tables, defined once.

Every writer, reader, view and the generated ``docs/schema.md`` take their columns from here, so the Parquet files,
the DuckDB views and the documentation cannot drift apart. Each column carries its documentation (meaning and an
example) as Arrow field metadata.

Bump ``SCHEMA_VERSION`` whenever a column is added, removed or changes meaning; it is stored in every run record.
Views read older runs with ``union_by_name``, so adding a column never breaks them.
"""

from __future__ import annotations

from typing import NamedTuple

import pyarrow as pa

SCHEMA_VERSION = 5  # 5: places.demonym, place kinds for continents, regions, water and landforms

ACTOR_TYPES = ("PERSON", "ORGANIZATION", "ARMED_GROUP", "GOVERNMENT", "SECURITY_FORCE", "GROUP", "MEDIA")


def _f(name: str, typ: pa.DataType, doc: str, example: str = "") -> pa.Field:
    return pa.field(name, typ, metadata={"doc": doc, "example": example})


PLACE = pa.struct(
    [
        _f("text", pa.string(), "the matched text as it stands in the paragraph", "Quetta"),
        _f("start", pa.int32(), "0-based code-point offset into the paragraph text", "12"),
        _f("end", pa.int32(), "end offset, exclusive", "18"),
        _f("name", pa.string(), "canonical GeoNames name", "Quetta"),
        _f("geonameid", pa.int64(), "GeoNames id; null exactly for places GeoNames does not list: continents, "
           "world regions, seas and rivers, landforms (kinds continent, region, water, landform), the English "
           "counties newsbeam adds as admin2 (Berkshire, Merseyside, Greater Manchester, West Midlands, South "
           "Yorkshire, West Yorkshire, Tyne and Wear, Yorkshire: `extra_admin2` in data/news_names.yaml), and user "
           "places given without one", "1167528"),
        _f("kind", pa.string(), "country, admin1, admin2, city, user; places that name no town: continent, region "
           "(Middle East, Darfur), water (seas, lakes, rivers) or landform (mountains, deserts, islands)", "city"),
        _f("country_code", pa.string(), "ISO 3166-1 alpha-2 of the place (null for a continent or a sea)", "PK"),
        _f("admin1_name", pa.string(), "first-level region name (null for countries)", "Balochistan"),
        _f("admin1_code", pa.string(), "GeoNames admin1 code, country-prefixed", "PK.02"),
        _f("lat", pa.float64(), "latitude (WGS84); countries and regions at their territory's centre; null for "
           "demonyms", "30.18"),
        _f("lon", pa.float64(), "longitude (WGS84); null for demonyms", "67.00"),
        _f("confidence", pa.float32(), "0..1, how sure the resolver is of this reading (null for demonyms)", "0.92"),
        _f("metonymy", pa.bool_(), "the name stands for its government (also listed in actors)", "false"),
        _f("demonym", pa.bool_(), "a demonym or adjective ('Pakistani') linked to its country or region, not a "
           "place mention: filter with NOT demonym to count places only", "false"),
    ]
)

ACTOR = pa.struct(
    [
        _f("text", pa.string(), "the matched text as it stands in the paragraph", "Interior Minister Ali Raza"),
        _f("start", pa.int32(), "0-based code-point offset into the paragraph text", "0"),
        _f("end", pa.int32(), "end offset, exclusive", "26"),
        _f("name", pa.string(), "normalised actor name (titles and possessives removed)", "Ali Raza"),
        _f("type", pa.string(), "one of " + ", ".join(ACTOR_TYPES), "PERSON"),
        _f("role", pa.string(), "role or title when stated", "interior minister"),
        _f("country_code", pa.string(), "ISO 3166-1 alpha-2 the actor belongs to", "PK"),
        _f("code", pa.string(), "CAMEO-style code: country ISO3 + role", "PAKGOV"),
        _f("actor_id", pa.string(), "stable identity: dictionary id, else name|type|country", "ali raza|PERSON|PK"),
    ]
)

ARTICLE_ACTOR = pa.struct(
    [
        _f("actor_id", pa.string(), "stable identity, as in paragraphs.actors", "ali raza|PERSON|PK"),
        _f("name", pa.string(), "normalised actor name", "Ali Raza"),
        _f("type", pa.string(), "actor type", "PERSON"),
        _f("role", pa.string(), "most specific role seen in the article", "interior minister"),
        _f("country_code", pa.string(), "ISO alpha-2", "PK"),
        _f("code", pa.string(), "CAMEO-style code", "PAKGOV"),
        _f("mentions", pa.int32(), "mentions in the article", "3"),
    ]
)

REGION = pa.struct(
    [
        _f("admin1_code", pa.string(), "GeoNames admin1 code", "PK.02"),
        _f("name", pa.string(), "region name", "Balochistan"),
        _f("country_code", pa.string(), "ISO alpha-2", "PK"),
        _f("score", pa.float32(), "share of the article's place evidence for this region", "0.61"),
    ]
)

RUN_ID = _f("run_id", pa.string(), "the run that wrote the row", "20261123T120000Z-3fa2c1")

ARTICLES = pa.schema(
    [
        RUN_ID,
        _f("article_id", pa.string(), "first 16 hex of sha256(source_uri + '\\n' + location)", "9c1d0e5a7b3f2c44"),
        _f("source_id", pa.string(), "the record's own id, if it has one", "afp-2026-0412"),
        _f("source_uri", pa.string(), "absolute URI of the input file, credentials stripped", "file:///data/a.txt"),
        _f("location", pa.string(), "where in the input: line:N, item:N, record:N (the WARC record's position; its WARC-Record-ID is source_id), or empty", "line:3"),
        _f("input_key", pa.string(), "identity of the input version (URI + size + mtime or ETag)", "…"),
        _f("source", pa.string(), "outlet: source field, Source: header, site name or URL host", "Dawn"),
        _f("title", pa.string(), "headline", "Blast hits Quetta market"),
        _f("url", pa.string(), "article URL (credentials and signing tokens stripped)", "https://example.org/a"),
        _f("published", pa.timestamp("us", tz="UTC"), "publication time in UTC", "2026-04-12 08:00:00+00"),
        _f("published_raw", pa.string(), "the original date text when it could not be parsed", "Ramadan 3"),
        _f("lang", pa.string(), "ISO 639-1 language of the article, und when too short", "en"),
        _f("n_paragraphs", pa.int32(), "paragraphs in the article", "9"),
        _f("n_duplicate_paragraphs", pa.int32(), "paragraphs flagged as duplicates (boilerplate excluded)", "2"),
        _f("duplicate_of_article", pa.string(), "article this one copies (>= share of its paragraphs)", ""),
        _f("primary_country", pa.string(), "ISO alpha-2 of the country the article is mostly about", "PK"),
        _f("primary_region", pa.string(), "admin1 name of the main region", "Balochistan"),
        _f("primary_region_code", pa.string(), "GeoNames admin1 code of the main region", "PK.02"),
        _f("m49_subregion", pa.string(), "UN M49 sub-region of the primary country", "Southern Asia"),
        _f("countries", pa.list_(pa.string()), "all countries mentioned, most mentioned first", "[PK, AF]"),
        _f("regions", pa.list_(REGION), "ranked first-level regions", ""),
        _f("actors", pa.list_(ARTICLE_ACTOR), "actors of the article, most mentioned first", ""),
        _f("n_chars", pa.int64(), "code points of cleaned paragraph text", "4210"),
        _f("tag_status", pa.string(), "ok; timeout or error (tagging exceeded its budget or failed: tags are "
           "empty, the article is otherwise complete); off when tagging was switched off", "ok"),
    ]
)

PARAGRAPHS = pa.schema(
    [
        RUN_ID,
        _f("article_id", pa.string(), "the article the paragraph belongs to", "9c1d0e5a7b3f2c44"),
        _f("para_index", pa.int32(), "0-based position in the article", "0"),
        _f("text", pa.string(), "cleaned text (NFC, whitespace collapsed, controls removed)", "…"),
        _f("text_hash", pa.int64(), "64-bit xxh64 of the comparison key, as signed int64", "-812…"),
        _f("n_words", pa.int32(), "words in the paragraph", "42"),
        _f("lang", pa.string(), "ISO 639-1, und when too short", "en"),
        _f("is_duplicate", pa.bool_(), "true exactly when dup_kind is not null", "true"),
        _f("dup_kind", pa.string(), "exact or near; null on canonicals and unique paragraphs", "exact"),
        _f("duplicate_of", pa.string(), "article_id:para_index of the canonical; null on a canonical", "…:3"),
        _f("dup_group", pa.string(), "canonical's article_id:para_index, also on a canonical with copies", "…:3"),
        _f("similarity", pa.float32(), "shingle Jaccard to the canonical (1.0 exact); null on a canonical", "0.91"),
        _f("is_boilerplate", pa.bool_(), "repeated across many articles of the same source", "false"),
        _f("places", pa.list_(PLACE), "place mentions", ""),
        _f("actors", pa.list_(ACTOR), "actor mentions", ""),
    ]
)

REJECTS = pa.schema(
    [
        RUN_ID,
        _f("source_uri", pa.string(), "absolute URI of the input, credentials stripped", "file:///data/x.bin"),
        _f("location", pa.string(), "where in the input, as in articles.location", "line:7"),
        _f("input_key", pa.string(), "identity of the input version", "…"),
        _f("reason", pa.string(), "reason code: empty, binary, undecodable, too_large, malformed_json, ...", "binary"),
        _f("detail", pa.string(), "human-readable detail", "NUL bytes in the first 4 KiB"),
    ]
)

TABLES: dict[str, pa.Schema] = {"articles": ARTICLES, "paragraphs": PARAGRAPHS, "rejects": REJECTS}


class ViewColumn(NamedTuple):
    """A column a view adds or defines itself (DuckDB type as ``DESCRIBE`` shows it)."""

    name: str
    type: str
    doc: str
    example: str = ""


class View(NamedTuple):
    """A view of ``OUT/newsbeam.duckdb`` (and of ``newsbeam query``): over which table, what it shows, which columns
    it adds to that table's (or, with no table, all of its columns). ``store.view_sql`` builds them; a test compares
    this list with the views it builds, so a view cannot be added or changed without its documentation."""

    name: str
    table: str | None
    doc: str
    columns: tuple[ViewColumn, ...] = ()


VIEWS: tuple[View, ...] = (
    View("articles", "articles", "the articles of the latest version of each input (an input read again by a later "
         "run shows that run's rows only), without the sources taken down by `forget --source`; `published` is a "
         "`TIMESTAMP` in UTC, so `published::DATE` is the UTC day in every client"),
    View("paragraphs", "paragraphs", "the paragraphs of the articles in `articles`", (
        ViewColumn("dup_count", "BIGINT", "size of the duplicate group across all published runs (1 for a unique "
                   "paragraph)", "3"),)),
    View("rejects", "rejects", "the rejects of the latest version of each input; an `unreachable` input keeps its "
         "latest `unreachable` row until a later run reads it"),
    View("runs", None, "one row per published run record, in publication order: runs, and the `compact` and "
         "`forget` rewrites (their rows keep the `run_id` of the run that wrote them); a run that found no new input "
         "publishes nothing and is not here (`newsbeam status` lists every run; folders written before that rule "
         "have such runs with `inputs` 0)", (
             ViewColumn("run_id", "VARCHAR", "the run's id, as in the tables' `run_id` and `_runs/<run_id>.json`",
                        "20261123T120000Z-3fa2c1"),
             ViewColumn("seq", "INTEGER", "order of the run records (1, 2, ...; a run that published nothing leaves a "
                        "gap); of two versions of an input, the higher `seq` is shown", "7"),
             ViewColumn("kind", "VARCHAR", "run, compact or forget", "run"),
             ViewColumn("inputs", "INTEGER", "inputs the run processed (0 for compact and forget)", "120"))),
    View("input_versions", None, "which run's version of each input the views show (the latest run that produced "
         "an article or a non-transient reject for it)", (
             ViewColumn("source_uri", "VARCHAR", "the input, as in `articles.source_uri`", "file:///data/a.txt"),
             ViewColumn("run_id", "VARCHAR", "the run whose rows are shown", "20261123T120000Z-3fa2c1"),
             ViewColumn("seq", "INTEGER", "that run's `runs.seq`", "7"))),
    View("articles_all", "articles", "every article row of every live run, replaced versions and taken-down "
         "sources included (for audits; `articles` is what you want)"),
    View("paragraphs_all", "paragraphs", "every paragraph row of every live run (no `dup_count`)"),
    View("rejects_all", "rejects", "every reject row of every live run"),
)

INTERNAL_TABLES = ("runs_order", "views_meta", "empty_articles", "empty_paragraphs", "empty_rejects")


def paragraphs_schema(tag_columns: tuple[pa.Field, ...] = ()) -> pa.Schema:
    """PARAGRAPHS plus the columns of the taggers registered in the configuration (``tags/registry.py``), after the
    fixed ones; with none registered it is PARAGRAPHS itself. Views read runs with ``union_by_name``, so runs with
    and without such a column live side by side."""
    clash = [f.name for f in tag_columns if f.name in PARAGRAPHS.names]
    if clash:
        raise ValueError(f"a tagger column may not replace a paragraphs column: {', '.join(clash)}")
    return pa.schema([*PARAGRAPHS, *tag_columns]) if tag_columns else PARAGRAPHS


def doc_markdown() -> str:
    """Render the schema as Markdown: ``docs/schema.md`` is generated by this and checked by a test."""
    lines = [
        "# Output schema",
        "",
        f"Generated from `src/newsbeam/output/schema.py` (schema_version {SCHEMA_VERSION}); a test checks it is current.",
        "Regenerate with `python -m newsbeam.output.schema > docs/schema.md`.",
        "",
        "Files: `OUT/<table>/run-<run_id>/part-NNNNN.parquet`. The views (below, after the tables) show only the",
        "latest version of each input and add `dup_count` to `paragraphs`; the `runs` view lists the published runs.",
        "",
    ]

    def rows(fields, prefix=""):
        for f in fields:
            md = {k.decode(): v.decode() for k, v in (f.metadata or {}).items()}
            yield f"| `{prefix}{f.name}` | `{f.type}` | {md.get('doc', '')} | {md.get('example', '')} |"
            t = f.type
            if pa.types.is_list(t) and pa.types.is_struct(t.value_type):
                yield from rows(list(t.value_type), prefix=f"{prefix}{f.name}[].")

    for name, schema in TABLES.items():
        lines += [f"## `{name}`", "", "| column | type | meaning | example |", "|---|---|---|---|"]
        lines += list(rows(list(schema)))
        lines.append("")
    lines += views_markdown()
    return "\n".join(lines)


def views_markdown() -> list[str]:
    """The views section of ``docs/schema.md``: what each view shows and the columns it adds or defines."""
    lines = ["# Views", "",
             "`newsbeam query` and `OUT/newsbeam.duckdb` (open it with `duckdb -readonly`) have these views. "
             f"Tables {', '.join(f'`{t}`' for t in INTERNAL_TABLES)} are their plumbing, not an interface.", ""]
    for v in VIEWS:
        cols = f"Columns: those of the table [`{v.table}`](#{v.table})" if v.table else "Columns"
        more = ", and:" if v.table and v.columns else ("." if v.table else ":")
        lines += [f"## view `{v.name}`", "", f"{v.doc[0].upper()}{v.doc[1:]}. {cols}{more}", ""]
        if v.columns:
            lines += ["| column | type | meaning | example |", "|---|---|---|---|"]
            lines += [f"| `{c.name}` | `{c.type}` | {c.doc} | {c.example} |" for c in v.columns]
            lines.append("")
    return lines


if __name__ == "__main__":
    print(doc_markdown(), end="")
