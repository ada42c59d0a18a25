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
