from pathlib import Path

from newsbeam.output import schema


def test_schema_doc_is_current():
    doc = Path(__file__).resolve().parents[1] / "docs" / "schema.md"
    assert doc.read_text(encoding="utf-8") == schema.doc_markdown(), "regenerate with: make schema-doc"


def test_every_column_documented():
    for table in schema.TABLES.values():
        for f in table:
            assert f.metadata and f.metadata.get(b"doc"), f.name


def test_required_columns_present():
    assert {"run_id", "article_id", "source_uri", "location", "primary_region_code", "actors"} <= set(
        schema.ARTICLES.names
    )
    assert {"text_hash", "is_duplicate", "dup_kind", "duplicate_of", "dup_group", "places"} <= set(
        schema.PARAGRAPHS.names
    )
    assert set(schema.REJECTS.names) >= {"source_uri", "location", "reason", "detail"}


def test_every_view_is_documented_with_its_columns(tmp_path: Path):
    """The views store.py builds are exactly the documented ones, with the documented columns and types."""
    from newsbeam.output import store

    (tmp_path / "_runs").mkdir()
    con = store.connect_views(tmp_path)
    built = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    views = {v.name: v for v in schema.VIEWS}
    assert {n for n, t in built.items() if t == "VIEW"} == set(views)
    assert {n for n, t in built.items() if t != "VIEW"} == set(schema.INTERNAL_TABLES)
    for v in schema.VIEWS:
        got = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {v.name}").fetchall()]
        table = list(schema.TABLES[v.table].names) if v.table else []
        assert [n for n, _ in got] == table + [c.name for c in v.columns], v.name
        assert got[len(table):] == [(c.name, c.type) for c in v.columns], v.name
    con.close()
    doc = schema.doc_markdown()
    assert "## view `runs`" in doc and "| `inputs` | `INTEGER` |" in doc


def test_geonameid_doc_says_exactly_which_places_have_none():
    """Every gazetteer entry without a GeoNames id is of a kind, or one of the admin2 names, the doc lists."""
    from newsbeam.tags.places.gazetteer import load_gazetteer

    doc = schema.PLACE.field("geonameid").metadata[b"doc"].decode()
    g = load_gazetteer()
    missing = {(k, n) for k, n, gid in zip(g.ent_kind, g.ent_name, g.ent_gid, strict=True) if gid is None}
    assert missing, "the gazetteer has places without an id"
    for kind, name in missing:
        if kind == "admin2":
            assert name in doc, name
        else:
            assert kind in doc, kind
    assert "user places" in doc
