"""#17 D: every door (views file, `newsbeam query`, raw Parquet globs, status) shows a published state.

Kills are real SIGKILLs at the fault points of `store.publish` and `maintenance._switch` (``NEWSBEAM_FAULT``); the
held DuckDB connection is a real one opened on ``newsbeam.duckdb`` before `compact`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_cron import FAST, _corpus, cli

from newsbeam.output import store

GLOB_Q = "select count(*) from read_parquet('{out}/{t}/**/*.parquet')"


def _doors(out: Path) -> dict[str, int]:
    """Article and paragraph counts as each door shows them (the globs read every version, so no duplicates here)."""
    con = duckdb.connect()
    got = {f"glob_{t}": con.execute(GLOB_Q.format(out=out, t=t)).fetchone()[0] for t in ("articles", "paragraphs")}
    con.close()
    view = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    got["file_articles"] = view.execute("select count(*) from articles").fetchone()[0]
    view.close()
    r = cli("query", str(out), "select count(*) as n from articles", "--format", "csv")
    assert r.returncode == 0, r.stderr
    got["query_articles"] = int(r.stdout.split()[-1])
    return got


def _killed(args: list[str], fault: str) -> None:
    r = subprocess.run([sys.executable, "-m", "newsbeam.cli", *args], capture_output=True,
                       env={**os.environ, "NEWSBEAM_FAULT": fault}, timeout=300)
    assert r.returncode == -signal.SIGKILL, r.stderr


@pytest.mark.parametrize("fault", ["publish-after-articles", "publish-before-record"])
def test_kill_at_publish_shows_no_unpublished_rows_through_any_door(tmp_path, fault):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _corpus(inbox, 5)
    assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    before = _doors(out)
    assert before == {"glob_articles": 5, "glob_paragraphs": 30, "file_articles": 5, "query_articles": 5}
    _corpus(inbox, 40, start=5)
    _killed(["run", str(inbox), "--out", str(out), *FAST], fault)
    assert _doors(out) == before
    assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    assert _doors(out) == {"glob_articles": 45, "glob_paragraphs": 270, "file_articles": 45, "query_articles": 45}


@pytest.mark.parametrize("fault", ["publish-before-views", "publish-before-folders"])
def test_kill_after_the_record_is_completed_by_the_next_command(tmp_path, fault):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _corpus(inbox, 5)
    assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    _corpus(inbox, 10, start=5)
    _killed(["run", str(inbox), "--out", str(out), *FAST], fault)
    # The record is the switch: `query` (built from the records) already shows the new run.
    r = cli("query", str(out), "select count(*) as n from articles", "--format", "csv")
    assert r.stdout.split()[-1] == "15"
    r = cli("run", str(inbox), "--out", str(out), *FAST)
    assert r.returncode == 0 and json.loads(r.stdout)["newsbeam_summary"]["files"] == 0
    assert _doors(out) == {"glob_articles": 15, "glob_paragraphs": 90, "file_articles": 15, "query_articles": 15}


@pytest.mark.parametrize("command", [["compact"], ["forget", "--source", "Test Outlet 1"]])
@pytest.mark.parametrize("fault", ["compact-before-record", "publish-before-views", "publish-before-folders"])
def test_kill_in_compact_or_forget_never_doubles_or_serves_forgotten_rows(tmp_path, command, fault):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _corpus(inbox, 6)
    assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    _corpus(inbox, 6, start=6)
    assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    before = _doors(out)
    assert before["glob_articles"] == 12
    _killed([command[0], str(out), *command[1:]], fault)
    after = _doors(out)
    gone = 4 if command[0] == "forget" else 0  # a0001 a0004 a0007 a0010 are Test Outlet 1
    if fault == "compact-before-record":
        assert after == before
        gone = 0  # killed before its switch: nothing was forgotten
    else:
        # The record is written: query shows the new state; no door ever shows doubled rows.
        assert after["query_articles"] == 12 - gone
        assert after["glob_articles"] in (12, 12 - gone) and after["file_articles"] in (12, 12 - gone)
    # The next command completes the switch: every door agrees.
    assert cli("status", str(out)).returncode == 0
    assert cli("compact", str(out)).returncode == 0
    assert _doors(out) == {"glob_articles": 12 - gone, "glob_paragraphs": 6 * (12 - gone),
                           "file_articles": 12 - gone, "query_articles": 12 - gone}


def test_views_read_the_records_once(tmp_path, monkeypatch):
    """A compact landing between two reads of the records would make a view list old and new files (doubled)."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _corpus(inbox, 3)
    assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    reads = []
    real = store.run_records
    monkeypatch.setattr(store, "run_records", lambda o: reads.append(o) or real(o))
    store.view_sql(out)
    assert len(reads) == 1


def test_connection_held_open_across_compact_and_queries_during_it_keep_working(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    for day in range(3):
        _corpus(inbox, 4, start=4 * day)
        assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    held = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    q = "select count(*), count(distinct article_id) from paragraphs"
    assert held.execute(q).fetchone() == (72, 12)
    # Queries while compact runs: never doubled, never failing.
    p = subprocess.Popen([sys.executable, "-m", "newsbeam.cli", "compact", str(out)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    seen = set()
    while p.poll() is None:
        r = cli("query", str(out), "select count(*) as n from paragraphs", "--format", "csv")
        assert r.returncode == 0, r.stderr
        seen.add(r.stdout.split()[-1])
    assert p.returncode == 0, p.stderr.read()
    assert seen <= {"72"}
    assert held.execute(q).fetchone() == (72, 12)  # the old views' files are still there
    assert len(list((out / "articles").iterdir())) == 1  # but the globs see only the compacted run
    held.close()
    # After the grace period the next command deletes the replaced files.
    assert len(list((out / store.DATA_DIR / "articles").iterdir())) == 4
    r = cli("compact", str(out), env={store.GRACE_ENV: "0"})
    assert r.returncode == 0, r.stderr
    assert len(list((out / store.DATA_DIR / "articles").iterdir())) == 2  # the first compact's and the new one
    r = cli("compact", str(out), env={store.GRACE_ENV: "0"})
    assert len(list((out / store.DATA_DIR / "articles").iterdir())) == 2
    assert _doors(out)["glob_paragraphs"] == 72
