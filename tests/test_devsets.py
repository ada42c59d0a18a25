"""Real text nobody here wrote, through the whole pipeline, in every CI run: it must finish, account for every
article, and no article may need the tagging budget.

Reads ``../shared/devsets`` (GeoVirus: Wikinews; Wikigold: Wikipedia) from beside the project when it is there
(CI and developers have it; a user's clone does not, and then these tests skip). Nothing from it is copied into
the repository.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

DEVSETS = Path(__file__).resolve().parent.parent.parent / "shared" / "devsets"
ARTICLE_FILES = [DEVSETS / "geovirus.jsonl", DEVSETS / "wikigold.jsonl"]  # the *_gold files hold spans, not articles
LIMIT_S = 45

pytestmark = pytest.mark.skipif(not all(f.exists() for f in ARTICLE_FILES), reason="../shared/devsets not present")


@pytest.mark.e2e
@pytest.mark.parametrize("workers", ["1", "2"])
def test_devsets_run_finishes_and_accounts_for_every_article(tmp_path, workers):
    out = tmp_path / "out"
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "newsbeam.cli", "run", *map(str, ARTICLE_FILES), "--out", str(out), "--quiet",
         "--workers", workers],
        capture_output=True, text=True, timeout=LIMIT_S * 4,
    )
    seconds = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert seconds < LIMIT_S, f"the devsets took {seconds:.1f} s with {workers} worker(s)"
    lines = sum(1 for f in ARTICLE_FILES for line in f.open(encoding="utf-8") if line.strip())
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    articles = con.execute("select count(*) from articles").fetchone()[0]
    rejects = dict(con.execute("select reason, count(*) from rejects group by 1").fetchall())
    status = dict(con.execute("select tag_status, count(*) from articles group by 1").fetchall())
    tagged = con.execute("select count(*) from articles where len(countries) > 0").fetchone()[0]
    con.close()
    assert articles + sum(rejects.values()) == lines
    assert set(rejects) <= {"missing_text"}  # Wikigold has one empty document
    assert status == {"ok": articles}, status  # with the default budget no real article needs it
    assert tagged > articles // 2  # and the taggers did run
    summary = json.loads(proc.stdout.strip().splitlines()[-1])["newsbeam_summary"]
    assert summary["tag_timeouts"] == 0 and summary["tag_errors"] == 0
    print(f"devsets: {articles} articles, {workers} worker(s), {seconds:.1f} s")
