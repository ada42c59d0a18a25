"""Scheduled runs: three days of arrivals, kill -9 at several moments, two runs at once, status, compact, forget.

These run the real pipeline, mostly in subprocesses (a killed or locked process must be a real one).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from newsbeam.cli import main
from newsbeam.output.store import OutputLock

FAST = ["--no-actors", "--no-places", "--quiet"]  # the scheduling machinery does not depend on tagging


def cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsbeam.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def rows(out: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


WORDS = (
    "river road bridge council market school clinic harbour station village valley hill farm mill depot square "
    "morning evening night week month officials residents crews engineers volunteers drivers teachers farmers "
    "reported confirmed described recorded noted announced repaired cleared closed opened inspected measured "
    "water power traffic supplies shelter fuel grain timber cables pumps barriers signals ferries buses trucks "
    "north south east west upper lower old new main narrow wide quiet busy damaged flooded blocked restored "
    "after before during while because although until since despite near along across behind beyond"
).split()


def story(i: int, topic: str, paragraphs: int = 4) -> str:
    """A short article of our own making: seeded word sequences, so unrelated stories share no paragraph."""
    import random

    def para(k: int) -> str:
        rnd = random.Random(i * 1000 + k)
        return f"The {topic} update {i}.{k}: " + " ".join(rnd.choice(WORDS) for _ in range(28)) + "."

    body = [para(k) for k in range(paragraphs)]
    return f"Title: {topic.capitalize()} report {i}\nSource: Test Outlet {i % 3}\n\n" + "\n\n".join(body) + "\n"


def test_three_days_of_arrivals(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    # Day 1: three stories.
    for i in range(3):
        (inbox / f"day1_{i}.txt").write_text(story(i, "flooding"))
    r = cli("run", str(inbox), "--out", str(out), *FAST)
    assert r.returncode == 0, r.stderr
    day1 = json.loads(r.stdout.strip().splitlines()[-1])["newsbeam_summary"]
    assert (day1["files"], day1["articles"], day1["duplicates"]) == (3, 3, 0)

    # Day 2: two new stories arrive and day1_0 is corrected in place (new size and mtime).
    for i in range(10, 12):
        (inbox / f"day2_{i}.txt").write_text(story(i, "road closure"))
    time.sleep(0.01)
    (inbox / "day1_0.txt").write_text(story(0, "flooding") + "\nCorrection: an earlier version gave the wrong day.\n")
    r = cli("run", str(inbox), "--out", str(out), *FAST)
    assert r.returncode == 0, r.stderr
    day2 = json.loads(r.stdout.strip().splitlines()[-1])["newsbeam_summary"]
    assert (day2["files"], day2["files_skipped_already_done"], day2["articles"]) == (3, 2, 3)
    # The corrected article replaces its old version in the views: no double counting, and its unchanged paragraphs
    # are not called copies of their own earlier version.
    assert rows(out, "select count(*) from articles")[0][0] == 5
    assert rows(out, "select count(*) from articles_all")[0][0] == 6
    assert rows(out, "select count(*) from paragraphs where is_duplicate")[0][0] == 0
    assert rows(out, "select count(*) from paragraphs where text like 'Correction:%'")[0][0] == 1

    # Day 3: day1_1's story re-published under a new name by another outlet.
    (inbox / "day3_reprint.txt").write_text(story(1, "flooding").replace("Test Outlet 1", "Reprint Weekly"))
    r = cli("run", str(inbox), "--out", str(out), *FAST)
    assert r.returncode == 0, r.stderr
    day3 = json.loads(r.stdout.strip().splitlines()[-1])["newsbeam_summary"]
    assert (day3["files"], day3["articles"], day3["exact_duplicates"]) == (1, 1, 4)
    orig = rows(out, "select article_id from articles where source_uri like '%day1_1.txt'")[0][0]
    copy = rows(out, "select duplicate_of_article, n_duplicate_paragraphs from articles where source = 'Reprint Weekly'")
    assert copy == [(orig, 4)]
    assert rows(out, "select count(distinct split_part(duplicate_of, ':', 1)) from paragraphs "
                     "where is_duplicate")[0] == (1,)
    assert rows(out, "select count(*) from runs")[0][0] == 3

    # Nothing new on day 4: a run that processes nothing still leaves a record, `no_new_input`, and publishes
    # nothing (no empty run in the views).
    r = cli("run", str(inbox), "--out", str(out), *FAST)
    assert r.returncode == 0 and json.loads(r.stdout.strip())["newsbeam_summary"]["files"] == 0
    status = cli("status", str(out))
    assert status.returncode == 0 and len(status.stdout.strip().splitlines()) == 5
    assert "no_new_input" in status.stdout.splitlines()[-1]
    recs = [json.loads(x) for x in cli("status", str(out), "--json").stdout.splitlines()]
    assert [r["status"] for r in recs] == ["ok"] * 3 + ["no_new_input"]
    assert [r["published"] for r in recs] == [True] * 3 + [False]
    assert rows(out, "select count(*) from runs")[0][0] == 3
    assert all({"started", "ended", "n_inputs", "counts", "config", "config_hash", "newsbeam_version"} <= set(r)
               for r in recs)

    # Compaction keeps what the views show and drops the superseded version.
    before = rows(out, "select article_id, para_index, text, dup_kind, duplicate_of, dup_count from paragraphs "
                       "order by all")
    r = cli("compact", str(out))
    assert r.returncode == 0, r.stderr
    assert rows(out, "select article_id, para_index, text, dup_kind, duplicate_of, dup_count from paragraphs "
                     "order by all") == before
    assert rows(out, "select count(*) from articles_all")[0][0] == 6
    assert len(list((out / "articles").iterdir())) == 1
    # A later run still sees history through the compacted index.
    (inbox / "day5_reprint.txt").write_text(story(11, "road closure").replace("Test Outlet 2", "Late Wire"))
    r = cli("run", str(inbox), "--out", str(out), *FAST)
    assert r.returncode == 0 and json.loads(r.stdout.strip())["newsbeam_summary"]["exact_duplicates"] == 4

    # Forget the original outlet of day1_1: the reprint becomes the canonical of its paragraphs.
    r = cli("forget", str(out), "--source", "Test Outlet 1")
    assert r.returncode == 0, r.stderr
    assert rows(out, "select count(*) from articles where source = 'Test Outlet 1'")[0][0] == 0
    assert rows(out, "select duplicate_of_article, n_duplicate_paragraphs from articles "
                     "where source = 'Reprint Weekly'") == [(None, 0)]
    assert rows(out, "select count(*) from paragraphs where duplicate_of like ? || '%'".replace("?", f"'{orig}'"))[0] \
        == (0,)


def _corpus(folder: Path, n: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        (folder / f"a{i:04d}.txt").write_text(story(i, "storm damage", paragraphs=6))


def _state(out: Path) -> tuple:
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and "_logs" not in p.parts
                   and p.name != ".lock")
    return files, rows(out, "select article_id, para_index, dup_kind, duplicate_of from paragraphs order by all")


@pytest.mark.parametrize("fault", ["beam", "publish-after-articles", "publish-before-record", "publish-before-views"])
def test_kill_minus_nine_leaves_published_state_and_rerun_completes(tmp_path, fault):
    inbox, out, ref = tmp_path / "inbox", tmp_path / "out", tmp_path / "ref"
    _corpus(inbox, 20)
    assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    _corpus(inbox, 150, start=20)
    # The same story twice so the killed run would have had cross-run duplicates to write.
    (inbox / "again.txt").write_text(story(3, "storm damage", paragraphs=6).replace("Test Outlet 0", "Again"))
    before = _state(out)
    cmd = [sys.executable, "-m", "newsbeam.cli", "run", str(inbox), "--out", str(out), *FAST]
    if fault == "beam":
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not list((out / "_staging").glob("*/_progress/*.json")) and time.monotonic() < deadline:
            time.sleep(0.05)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
    else:
        r = subprocess.run(cmd, capture_output=True, env={**os.environ, "NEWSBEAM_FAULT": fault}, timeout=300)
        assert r.returncode == -signal.SIGKILL
    # Published state unchanged (the killed run's leftovers are not in the views).
    after_files, after_rows = _state(out)
    assert after_rows == before[1]
    if fault != "publish-before-views":
        assert set(after_files) >= set(before[0])
    # The next run cleans up and does the work; the result equals an uninterrupted run.
    r = cli("run", str(inbox), "--out", str(out), *FAST)
    assert r.returncode == 0, r.stderr
    assert not list((out / "_staging").glob("*"))
    done = json.loads(r.stdout.strip())["newsbeam_summary"]
    if fault == "publish-before-views":
        assert done["files"] == 0  # the killed run had published its record: its work counts
    else:
        assert done["files"] == 151
    # The reference: the same two runs, uninterrupted (run 1 saw a0000..a0019).
    assert cli("run", str(inbox / "a000*"), str(inbox / "a001*"), "--out", str(ref), *FAST).returncode == 0
    assert cli("run", str(inbox), "--out", str(ref), *FAST).returncode == 0
    q = ("select regexp_extract(a.source_uri, '[^/]+$'), p.para_index, p.dup_kind, p.duplicate_of is not null "
         "from paragraphs p join articles a using (article_id) order by all")
    got, want = rows(out, q), rows(ref, q)
    assert got == want and len(got) == 171 * 6


def test_lock_exit_4_and_concurrent_runs(tmp_path, capsys):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _corpus(inbox, 30)
    with OutputLock(out):
        r = cli("run", str(inbox), "--out", str(out), *FAST)
        assert r.returncode == 4 and "another newsbeam run holds" in r.stderr and r.stderr.count("\n") == 1
        assert main(["compact", str(out)]) in (2, 4)  # nothing published yet -> usage error; else locked
    capsys.readouterr()
    # Two runs started at once: one does the work, the other is refused or finds nothing left to do.
    cmd = [sys.executable, "-m", "newsbeam.cli", "run", str(inbox), "--out", str(out), *FAST]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stdout.read()) for p in procs]
    codes = sorted(c for c, _ in results)
    assert codes in ([0, 4], [0, 0])
    assert rows(out, "select count(*) from articles")[0][0] == 30
    assert sum(json.loads(o.strip())["newsbeam_summary"]["files"] for c, o in results if c == 0) == 30


def test_progress_only_on_a_terminal(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _corpus(inbox, 5)
    r = cli("run", str(inbox), "--out", str(out), "--no-actors", "--no-places", "--log-file", str(tmp_path / "l.log"))
    assert r.returncode == 0
    assert "\r" not in r.stderr and "articles read" not in r.stderr  # not a terminal: no progress line
    # The human summary is on stderr, stdout holds only the JSON line (cron parses it).
    assert ["articles", "5"] in [ln.split() for ln in r.stderr.splitlines()]
    assert r.stdout.strip().startswith('{"newsbeam_summary"')
    assert len(r.stdout.strip().splitlines()) == 1
    assert "INFO:apache_beam" not in r.stderr and "apitools" not in r.stderr
    assert (tmp_path / "l.log").read_text().strip()
    assert list((out / "_logs").glob("*.log"))
