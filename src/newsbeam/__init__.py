"""newsbeam: scraped news articles in, deduplicated and tagged paragraphs out (Parquet + DuckDB)."""

__version__ = "0.1.0"
