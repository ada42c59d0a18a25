"""`OUT/newsbeam.duckdb` survives what other DuckDB sessions do to it.

The story of the issue, with real processes: a user opens the views file read-write (as `duckdb OUT/newsbeam.duckdb`
does), changes something, and the session dies (SIGKILL) leaving `newsbeam.duckdb.wal`. DuckDB replays that WAL
on every later open, and once a run has replaced the file it refuses the file altogether ("WAL does not match
database file"). Our readers fall back to views built in memory; whoever rebuilds the views moves the WAL aside.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from newsbeam import cli
from newsbeam.output import store
from newsbeam.report import data as report_data

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ("Title: {title}\nDate: 2024-08-26\nSource: Frontier Herald\n\n"
           "{place} saw heavy rain on Monday and the river rose above the danger mark, officials said.\n\n"
           "Schools in {place} were closed for the rest of the week while engineers inspected the bridges.\n")

# Opens the views file read-write like the DuckDB CLI without -readonly, writes, and dies without closing.
DIE_AFTER_WRITE = """
import os, signal, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute(sys.argv[2])
os.kill(os.getpid(), signal.SIGKILL)
"""

# Holds the views file read-write until its stdin closes.
HOLD_OPEN = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("SELECT count(*) FROM articles").fetchall()
print("ready", flush=True)
sys.stdin.read()
"""


def _write(corpus: Path, name: str, place: str) -> None:
    corpus.mkdir(exist_ok=True)
    (corpus / f"{name}.txt").write_text(ARTICLE.format(title=f"Flood warning in {place}", place=place),
                                        encoding="utf-8")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("views_file")
    _write(base / "corpus", "quetta", "Quetta")
    assert cli.main(["run", str(base / "corpus"), "--out", str(base / "out"), "--exact-only", "--quiet"]) == 0
    return base / "out"


@pytest.fixture()
def out(published: Path, tmp_path: Path) -> Path:
    """A private copy of a real output folder, with its views rebuilt for its own location."""
    dest = (tmp_path / "out").resolve()
    shutil.copytree(published, dest)
    store.refresh_views(dest)
    return dest


def _die_after(out: Path, sql: str) -> None:
    r = subprocess.run([sys.executable, "-c", DIE_AFTER_WRITE, str(out / store.DB_NAME), sql], timeout=120)
    assert r.returncode == -9
    assert store.wal_path(out).exists(), "the dead session must have left its WAL"


def _count_read_only(out: Path) -> int:
    con = duckdb.connect(str(out / store.DB_NAME), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()


def _report(out: Path, tmp_path: Path) -> tuple[int, str]:
    html = tmp_path / "report.html"
    rc = cli.main(["report", str(out), "--html", str(html)])
    return rc, html.read_text(encoding="utf-8") if html.exists() else ""


def _query_count(out: Path, capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    rc = cli.main(["query", str(out), "SELECT count(*) AS n FROM articles", "--format", "csv"])
    return rc, capsys.readouterr().out.split()


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture()
def warnings_logged():
    """Warnings of the 'newsbeam' logger (the CLI turns its propagation off, so caplog would not see them)."""
    h = _Records()
    log = logging.getLogger("newsbeam")
    log.addHandler(h)
    try:
        yield h.lines
    finally:
        log.removeHandler(h)


def test_dead_session_wal_does_not_break_report_or_query_and_the_next_run_repairs_it(
        out: Path, tmp_path: Path, capsys):
    _die_after(out, "CREATE TABLE my_notes AS SELECT 42 AS answer")
    # Before any repair: our commands fall back to views built in memory.
    assert _report(out, tmp_path)[0] == 0
    assert _query_count(out, capsys) == (0, ["n", "1"])

    corpus = tmp_path / "corpus2"
    _write(corpus, "gwadar", "Gwadar")
    capsys.readouterr()
    assert cli.main(["run", str(corpus), "--out", str(out), "--exact-only", "--quiet"]) == 0

    assert not store.wal_path(out).exists()
    kept = list(out.glob(f"{store.DB_NAME}.wal.quarantined-*"))
    assert len(kept) == 1 and kept[0].stat().st_size > 0
    # One warning line, on stderr even with --quiet (cron mails or logs it).
    assert [ln for ln in capsys.readouterr().err.splitlines() if "newsbeam.duckdb.wal" in ln] == [
        f"newsbeam: warning: {out / store.DB_NAME}.wal was left by a DuckDB session that opened the views file "
        f"read-write; moved it to {kept[0].name} and rebuilt the views (open the file with `duckdb -readonly`)"]
    # The file every DuckDB user opens works again, with the new run's article.
    assert _count_read_only(out) == 2
    rc, page = _report(out, tmp_path)
    assert rc == 0 and "Flood warning in Gwadar" in page
    assert _query_count(out, capsys) == (0, ["n", "2"])


def test_refresh_with_a_foreign_wal_quarantines_it_with_one_warning(out: Path, warnings_logged):
    _die_after(out, "DROP VIEW articles")
    store.refresh_views(out)
    assert not store.wal_path(out).exists()
    name = next(out.glob(f"{store.DB_NAME}.wal.quarantined-*")).name
    assert re.fullmatch(r"newsbeam\.duckdb\.wal\.quarantined-\d{8}T\d{6}\.\d{6}Z", name)
    assert len(warnings_logged) == 1 and name in warnings_logged[0] and "-readonly" in warnings_logged[0]
    assert _count_read_only(out) == 1
    store.refresh_views(out)  # nothing to quarantine: no second warning, no second file
    assert len(warnings_logged) == 1 and len(list(out.glob("*.quarantined-*"))) == 1


def test_a_run_with_nothing_new_still_repairs_the_views_file(out: Path, published: Path):
    _die_after(out, "DROP VIEW articles")
    assert store.views_stale(out)
    assert cli.main(["run", str(published.parent / "corpus"), "--out", str(out), "--exact-only", "--quiet"]) == 0
    assert not store.wal_path(out).exists()
    assert _count_read_only(out) == 1


def test_open_session_holding_the_file_does_not_block_report_or_query(out: Path, tmp_path: Path, capsys):
    p = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, str(out / store.DB_NAME)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        with pytest.raises(duckdb.IOException, match="lock"):  # what `report` used to die on
            duckdb.connect(str(out / store.DB_NAME), read_only=True)
        rc, page = _report(out, tmp_path)
        assert rc == 0 and "Flood warning in Quetta" in page
        assert _query_count(out, capsys) == (0, ["n", "1"])
        # A run publishing meanwhile replaces the file; the session keeps its old copy.
        corpus = tmp_path / "corpus2"
        _write(corpus, "gwadar", "Gwadar")
        assert cli.main(["run", str(corpus), "--out", str(out), "--exact-only", "--quiet"]) == 0
        assert _count_read_only(out) == 2
    finally:
        p.stdin.close()
        p.wait(timeout=60)


def test_report_reads_the_views_file_only_when_it_serves(out: Path, tmp_path: Path):
    con = store.open_views_file(out)
    assert con is not None and con.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    con.close()
    # A copy of the folder: its file names the original location, which now holds other data; the report of the
    # copy must describe the copy.
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    for f in (out / "articles").glob("run-*/*.parquet"):
        pq.write_table(pq.read_table(f).slice(0, 0), f)
    assert store.open_views_file(copy) is None
    con = report_data.open_views(copy)
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    con.close()
    # A damaged file: the report still works.
    (out / store.DB_NAME).write_bytes(b"not a database")
    assert store.open_views_file(out) is None
    assert _report(out, tmp_path)[0] == 0


def test_readme_opens_the_views_file_read_only():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [ln for ln in readme.splitlines() if re.match(r"\s*duckdb\s", ln)]
    assert lines and all("-readonly" in ln for ln in lines), lines
