"""`newsbeam query` only reads: read-only, files confined to OUT, no extensions, configuration locked.

Two layers are tested separately, so each one is proven on its own:

* DuckDB's own settings (``store.open_sandboxed_views``): the errors asserted are DuckDB's permission and read-only
  errors, raised by DuckDB itself;
* the statement check of ``newsbeam query`` (``cli._not_read_only``), which refuses writing statements before they
  reach DuckDB, because DuckDB cannot forbid writing inside a directory it lets us read.

"No request" is checked with a real HTTP server on 127.0.0.1 that records every request: CI has no network, so an
``INSTALL`` that merely failed would prove nothing. A control test shows the same server does receive the request
from an unrestricted DuckDB.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from newsbeam import cli
from newsbeam.output import store

TEXT = ("Title: Rail services halted in Quetta\nDate: 2024-08-26\nSource: Frontier Herald\n\n"
        "Gunmen opened fire on a passenger train near Quetta on Monday, wounding six people, police said.\n\n"
        "Rail traffic between Quetta and the rest of the country was suspended until further notice.\n")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("qsafe")
    (base / "corpus").mkdir()
    (base / "corpus" / "quetta.txt").write_text(TEXT, encoding="utf-8")
    assert cli.main(["run", str(base / "corpus"), "--out", str(base / "out"), "--exact-only", "--quiet"]) == 0
    # A folder whose name starts with OUT's: DuckDB matches allowed directories by prefix.
    (base / "out-old").mkdir()
    (base / "out-old" / "secret.txt").write_text("not yours\n", encoding="utf-8")
    (base / "secret.txt").write_text("not yours either\n", encoding="utf-8")
    return (base / "out").resolve()


@pytest.fixture()
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A real server on 127.0.0.1 that answers 404 and records every request path."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}", hits
    finally:
        srv.shutdown()
        srv.server_close()


def _query(out: Path, sql: str, capsys, fmt: str = "csv") -> tuple[int, str, str]:
    rc = cli.main(["query", str(out), sql, "--format", fmt])
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def _one_run(out: Path) -> str:
    return next((out / "articles").glob("run-*")).name


def _files(out: Path) -> set[str]:
    return {str(p.relative_to(out)) for p in out.rglob("*") if p.name != ".lock"}


# --- DuckDB's own layer -----------------------------------------------------------------------------------------


def test_sandbox_reads_views_and_parquet_under_out(out: Path):
    with store.open_sandboxed_views(out) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        assert con.execute(f"SELECT count(*) FROM read_parquet('{out}/paragraphs/**/*.parquet')").fetchone() == (2,)
        settings = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration',"
            " 'autoinstall_known_extensions', 'autoload_known_extensions', 'allow_community_extensions',"
            " 'access_mode')").fetchall())
    assert settings == {"enable_external_access": "false", "lock_configuration": "true",
                        "autoinstall_known_extensions": "false", "autoload_known_extensions": "false",
                        "allow_community_extensions": "false", "access_mode": "read_only"}


@pytest.mark.parametrize("path", ["/etc/shadow", "/etc/passwd", "{base}/secret.txt", "{base}/out-old/secret.txt",
                                  "{out}/../secret.txt"])
def test_sandbox_cannot_read_outside_out(out: Path, path: str):
    path = path.format(base=out.parent, out=out)
    with store.open_sandboxed_views(out) as con, pytest.raises(duckdb.PermissionException, match="disabled"):
        con.execute(f"SELECT * FROM read_text('{path}')").fetchall()


def test_sandbox_cannot_write_outside_out(out: Path, tmp_path: Path):
    target = tmp_path / "leak.csv"
    with store.open_sandboxed_views(out) as con, pytest.raises(duckdb.PermissionException):
        con.execute(f"COPY (SELECT * FROM paragraphs) TO '{target}'")
    assert not target.exists()


def test_sandbox_is_read_only_even_for_an_attached_views_file(out: Path):
    with store.open_sandboxed_views(out) as con:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("DROP VIEW articles")
        con.execute(f"ATTACH '{out / store.DB_NAME}' AS db")
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("DROP VIEW db.articles")
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("CREATE TABLE db.notes AS SELECT 1 AS x")
    shared = duckdb.connect(str(out / store.DB_NAME), read_only=True)
    assert shared.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    shared.close()


@pytest.mark.parametrize("stmt", ["SET enable_external_access = true", "RESET enable_external_access",
                                  "SET allowed_directories = ['/']", "SET lock_configuration = false",
                                  "SET autoinstall_known_extensions = true", "SET custom_extension_repository = 'x'"])
def test_sandbox_configuration_is_locked(out: Path, stmt: str):
    with store.open_sandboxed_views(out) as con, pytest.raises(duckdb.Error, match="configuration has been locked"):
        con.execute(stmt)


def test_unrestricted_duckdb_does_request_the_extension(http_server, tmp_path: Path):
    """Control: without our settings, the same statement reaches the server (so the tests below can fail)."""
    url, hits = http_server
    con = duckdb.connect(config={"extension_directory": str(tmp_path / "ext")})
    with pytest.raises(duckdb.Error):
        con.execute(f"INSTALL httpfs FROM '{url}'")
    con.close()
    assert hits and hits[0].endswith("httpfs.duckdb_extension.gz")


def test_sandbox_install_from_url_makes_no_request(out: Path, http_server):
    url, hits = http_server
    with store.open_sandboxed_views(out) as con:
        for stmt in (f"INSTALL httpfs FROM '{url}'", f"FORCE INSTALL httpfs FROM '{url}'"):
            with pytest.raises(duckdb.PermissionException):
                con.execute(stmt)
        with pytest.raises(duckdb.PermissionException):  # autoload/autoinstall of httpfs for a URL: refused
            con.execute(f"SELECT * FROM read_csv('{url}/data.csv')").fetchall()
        with pytest.raises(duckdb.PermissionException, match="disabled through configuration"):
            con.execute("LOAD httpfs")
    assert hits == []


def test_sandbox_leaves_no_files_behind(out: Path):
    before = _files(out)
    with store.open_sandboxed_views(out) as con:
        tmp = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0]).parent
        assert tmp.is_dir() and not tmp.is_relative_to(out)
    assert not tmp.exists()
    assert _files(out) == before


# --- newsbeam query: the statement check and the whole command --------------------------------------------------


def test_query_still_answers_reading_sql(out: Path, capsys):
    rc, stdout, _ = _query(out, "SELECT count(*) AS n FROM paragraphs", capsys)
    assert (rc, stdout.split()) == (0, ["n", "2"])
    rc, stdout, _ = _query(out, f"SELECT count(*) AS n FROM read_parquet('{out}/articles/**/*.parquet')", capsys)
    assert (rc, stdout.split()) == (0, ["n", "1"])
    for sql in ("WITH x AS (SELECT * FROM articles) SELECT title FROM x", "DESCRIBE articles", "SHOW TABLES",
                "SUMMARIZE articles", "PIVOT articles ON lang USING count(*)", "EXPLAIN SELECT * FROM articles",
                "WITH p AS (PIVOT articles ON lang USING count(*)) SELECT * FROM p",
                "SELECT 'copy' AS \"create\", 1 AS copy_count -- COPY in a comment",
                "EXPLAIN ANALYZE SELECT count(*) FROM paragraphs", "FROM rejects", "CALL pragma_version()"):
        rc, stdout, err = _query(out, sql, capsys)
        assert rc == 0, (sql, err)


@pytest.mark.parametrize("template", [
    "COPY (SELECT * FROM articles) TO '{run}/part-99999.parquet' (FORMAT parquet)",
    "SELECT 1; COPY (SELECT * FROM articles) TO '{run}/part-99999.parquet' (FORMAT parquet)",
    "EXPLAIN ANALYZE COPY (SELECT * FROM articles) TO '{run}/part-99999.parquet' (FORMAT parquet)",
    "/* note */ EXPLAIN /* x */ ANALYZE COPY (SELECT * FROM articles) TO '{run}/part-99999.parquet'",
    "EXPORT DATABASE '{run}'",
    "COPY (PIVOT articles ON lang USING count(*)) TO '{run}/part-99999.parquet' (FORMAT parquet)",
    "EXPLAIN ANALYZE COPY (PIVOT articles ON lang USING count(*)) TO '{run}/part-99999.parquet'",
    "COPY (SELECT 1 AS x) TO '{tmp}/leak.csv'",
])
def test_query_refuses_writes_into_out_and_anywhere(out: Path, tmp_path: Path, capsys, template: str):
    """A COPY into a published run folder would add rows to every consumer's views: refused, nothing written."""
    before = _files(out)
    sql = template.format(run=out / "articles" / _one_run(out), tmp=tmp_path)
    rc, _, err = _query(out, sql, capsys)
    assert rc == 2
    assert err.startswith("newsbeam: error: newsbeam query only reads") and err.count("\n") == 1
    assert _files(out) == before and not (tmp_path / "leak.csv").exists()
    rc, stdout, _ = _query(out, "SELECT count(*) AS n FROM articles", capsys)
    assert stdout.split() == ["n", "1"]


def test_query_refuses_attach_and_drop_of_the_views_file(out: Path, capsys):
    rc, _, err = _query(out, f"ATTACH '{out / store.DB_NAME}' AS db; DROP VIEW db.articles", capsys)
    assert rc == 2 and "ATTACH statements are not allowed" in err
    con = duckdb.connect(str(out / store.DB_NAME), read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    con.close()


def test_query_reading_a_file_outside_out_is_duckdbs_permission_error(out: Path, capsys):
    rc, stdout, err = _query(out, "SELECT * FROM read_text('/etc/shadow')", capsys)
    assert rc == 2 and stdout == ""
    assert err.startswith('newsbeam: error: Permission Error: Cannot access file "/etc/shadow"')
    assert err.count("\n") == 1
    rc, _, err = _query(out, f"SELECT * FROM read_text('{out.parent}/out-old/secret.txt')", capsys)
    assert rc == 2 and "Permission Error" in err


def test_query_install_from_url_makes_no_request(out: Path, http_server, capsys):
    url, hits = http_server
    for sql in (f"INSTALL httpfs FROM '{url}'", f"SELECT * FROM read_csv('{url}/data.csv')",
                f"SELECT * FROM read_parquet('{url}/data.parquet')"):
        rc, _, err = _query(out, sql, capsys)
        assert rc == 2, err
    assert hits == []


@pytest.mark.parametrize("sql", ["SET enable_external_access = true", "SET VARIABLE x = 1", "USE db",
                                 "CREATE TABLE t AS SELECT 1", "CREATE TEMP TABLE t AS SELECT 1", "DROP VIEW articles",
                                 "LOAD httpfs", "CHECKPOINT; VACUUM", "IMPORT DATABASE 'x'", "PRAGMA show_tables",
                                 "BEGIN TRANSACTION"])
def test_not_read_only_names_the_statement(sql: str):
    con = duckdb.connect()
    assert cli._not_read_only(con, sql) is not None
    assert cli._not_read_only(con, "SELECT 1; FROM range(3); EXPLAIN SELECT 2") is None


def test_query_output_to_a_closed_pipe_is_not_an_error(out: Path, tmp_path: Path):
    import subprocess
    import sys

    cmd = (f"{sys.executable} -m newsbeam.cli query {out} 'SELECT * FROM range(200000)' --format csv | head -1")
    r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "range\n" and r.stderr == ""
