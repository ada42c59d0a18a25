"""#19 items 2, 3 and 4: the views file works for other DuckDB clients, in other places and other time zones.

* A DuckDB 1.x client (installed from the package index, as a user would) opens ``OUT/newsbeam.duckdb`` and
  queries every view: duckdb 2.x would write its newest storage format, which 1.x refuses.
* A copied or moved folder: the views file names absolute paths; the next newsbeam command notices and rebuilds
  it, so the copy reads its own files (and keeps working once the original is gone).
* Time zones: ``published::DATE`` is the UTC day whether ``newsbeam query`` or a plain DuckDB client runs it, with
  ``TZ`` set to New York or Tokyo.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from newsbeam import cli
from newsbeam.output import store

ROOT = Path(__file__).resolve().parents[1]
# 03:00 UTC is the evening before in New York; 20:00 UTC is the next morning in Tokyo.
ARTICLES = [("early.txt", "2024-01-26T03:00:00Z", "Quetta"), ("late.txt", "2024-01-26T20:00:00Z", "Gwadar")]
TEXT = ("Title: Rain in {place}\nDate: {date}\nSource: Frontier Herald\n\n"
        "{place} saw heavy rain on Friday and the river rose above the danger mark, officials said.\n")
DAY_QUERY = "SELECT published::DATE AS day, count(*) AS n FROM articles GROUP BY ALL ORDER BY ALL"

# Runs SQL over a views file with whichever duckdb is importable (PYTHONPATH picks the 1.x one); prints JSON.
CLIENT = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
out = {"version": duckdb.__version__}
for sql in sys.argv[2:]:
    out[sql] = [[str(v) for v in row] for row in con.execute(sql).fetchall()]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("portable")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, date, place in ARTICLES:
        (corpus / name).write_text(TEXT.format(place=place, date=date), encoding="utf-8")
    assert cli.main(["run", str(corpus), "--out", str(base / "out"), "--exact-only", "--quiet"]) == 0
    return base / "out"


def _client(db: Path, *sql: str, env: dict | None = None, pythonpath: Path | None = None) -> dict:
    e = {**os.environ, **(env or {})}
    if pythonpath is not None:
        e["PYTHONPATH"] = str(pythonpath)
    r = subprocess.run([sys.executable, "-c", CLIENT, str(db), *sql], capture_output=True, text=True, env=e,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _newsbeam(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsbeam.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.mark.parametrize("tz", ["America/New_York", "Asia/Tokyo", "UTC"])
def test_the_readme_per_day_query_gives_the_utc_day_in_any_time_zone(published: Path, tz: str):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r'# Articles per country and day\n\$Q "([^"]+)"', readme)
    assert m, "the README's per-day query moved"
    r = _newsbeam("query", str(published), m.group(1), "--format", "csv", env={"TZ": tz})
    assert r.returncode == 0, r.stderr
    assert [ln.split(",")[1] for ln in r.stdout.split()[1:]] == ["2024-01-26"]
    # Every connection newsbeam opens is in UTC, so a TIMESTAMPTZ a user makes is shown in UTC too.
    r = _newsbeam("query", str(published), "SELECT current_setting('TimeZone') AS tz", "--format", "csv",
                  env={"TZ": tz})
    assert r.stdout.split() == ["tz", "UTC"]
    # A DuckDB client that sets nothing (the CLI) gets the same day from the views file.
    got = _client(published / store.DB_NAME, DAY_QUERY, "SELECT min(published), max(published) FROM articles",
                  env={"TZ": tz})
    assert got[DAY_QUERY] == [["2024-01-26", "2"]]
    assert got["SELECT min(published), max(published) FROM articles"] == [["2024-01-26 03:00:00",
                                                                           "2024-01-26 20:00:00"]]


def test_a_moved_or_copied_folder_is_noticed_and_rebuilt_by_the_next_command(published: Path, tmp_path: Path,
                                                                              capsys):
    original = tmp_path / "original"
    shutil.copytree(published, original)
    store.refresh_views(original)
    copy = tmp_path / "copy"
    shutil.copytree(original, copy)
    # The copy's file still reads the original's files; every newsbeam command sees that it is stale.
    assert store.views_stale(copy) and not store.views_stale(original)
    assert store.open_views_file(copy) is None
    capsys.readouterr()
    assert cli.main(["status", str(copy)]) == 0
    assert "rebuilt" in capsys.readouterr().err
    assert not store.views_stale(copy)
    shutil.rmtree(original)  # the original is gone: the copy's views file still works
    assert _client(copy / store.DB_NAME, "SELECT count(*) FROM articles")["SELECT count(*) FROM articles"] == [["2"]]
    # The views name the copy's own files.
    con = duckdb.connect(str(copy / store.DB_NAME), read_only=True)
    defs = " ".join(d for (d,) in con.execute("SELECT sql FROM duckdb_views() WHERE NOT internal").fetchall())
    con.close()
    assert str(copy.resolve()) in defs and "original" not in defs


def test_status_moves_a_foreign_wal_aside_and_says_so(published: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    shutil.copytree(published, out)
    store.refresh_views(out)
    store.wal_path(out).write_bytes(b"left by a read-write session")
    capsys.readouterr()
    assert cli.main(["status", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newsbeam.duckdb.wal" in err and "-readonly" in err
    assert not store.wal_path(out).exists() and len(list(out.glob("*.quarantined-*"))) == 1
    assert not store.views_stale(out)


def test_status_on_a_moved_read_only_folder_answers(published: Path, small_fs: Path, capsys):
    """Rebuilding is best effort: a folder nobody may write to is left as it is (query builds its own views).
    A read-only tmpfs (``small_fs`` in conftest.py: ``chmod`` does not stop root)."""
    copy = small_fs / "out"
    shutil.copytree(published, copy)
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    assert store.views_stale(copy)
    r = _newsbeam("status", str(copy))
    assert r.returncode == 0 and r.stderr == "" and "ok" in r.stdout
    r = _newsbeam("query", str(copy), "SELECT count(*) AS n FROM articles", "--format", "csv")
    assert r.returncode == 0 and r.stdout.split()[-1] == "2"


@pytest.fixture(scope="session", params=["duckdb<2", "duckdb==1.0.0"])
def duckdb_1x(request, tmp_path_factory) -> Path:
    """A DuckDB 1.x from the package index (the newest, and the oldest the README promises), installed into a
    folder of the test session, not the venv."""
    target = tmp_path_factory.mktemp("duckdb_1x")
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                        "--target", str(target), request.param], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        reason = (r.stderr.strip().splitlines() or ["pip failed"])[-1]
        pytest.skip(f"cannot install {request.param} from the package index: {reason}")
    return target


def test_a_duckdb_1x_client_queries_every_view(published: Path, tmp_path: Path, duckdb_1x: Path):
    out = tmp_path / "out"
    shutil.copytree(published, out)
    assert cli.main(["compact", str(out)]) == 0  # rebuilds the file here; a compacted folder's views too
    con = duckdb.connect(str(out / store.DB_NAME), read_only=True)
    views = sorted(v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall())
    tables = sorted(t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
    con.close()
    assert {"articles", "paragraphs", "rejects", "runs"} <= set(views)
    sql = [f"SELECT count(*) FROM {v}" for v in views + tables] + [DAY_QUERY]
    got = _client(out / store.DB_NAME, *sql, pythonpath=duckdb_1x)
    assert got["version"].startswith("1."), got["version"]
    assert got["SELECT count(*) FROM articles"] == [["2"]]
    assert got[DAY_QUERY] == [["2024-01-26", "2"]]
    want = _client(out / store.DB_NAME, *sql)  # the same answers as the duckdb newsbeam uses
    assert {k: v for k, v in got.items() if k != "version"} == {k: v for k, v in want.items() if k != "version"}
