"""`newsbeam forget --run`: a bad run disappears with its index entries, and its inputs are processed again."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from newsbeam.cli import main

FAST = ["--no-places", "--no-actors", "--quiet"]
TEXTS = {
    "a.txt": "Harbour cranes stood idle for a second day as dock workers waited for the wage talks to resume in the "
             "port city, union officials said on Wednesday evening after a short meeting.",
    "b.txt": "The regional library will open on Sundays from next month after volunteers offered to staff the "
             "reading rooms, the council announced in its weekly bulletin to residents.",
    "c.txt": "Farmers on the eastern plain began the barley harvest early this year because the dry spring left "
             "the fields ready two weeks ahead of the usual schedule, growers said.",
}


def _summary(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])["newsbeam_summary"]


def _count(out: Path, sql: str) -> int:
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_forget_run_then_rerun(tmp_path: Path, capsys):
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    for name in ("a.txt", "b.txt"):
        (inbox / name).write_text(f"Title: {name}\nSource: Daily\n\n{TEXTS[name]}\n")
    assert main(["run", str(inbox), "--out", str(out), *FAST]) == 0
    capsys.readouterr()
    (inbox / "c.txt").write_text(f"Title: c\nSource: Daily\n\n{TEXTS['c.txt']}\n")
    # c's text copied into a second file: a duplicate inside the run that will be forgotten.
    (inbox / "c_copy.txt").write_text(f"Title: c copy\nSource: Weekly\n\n{TEXTS['c.txt']}\n")
    assert main(["run", str(inbox), "--out", str(out), *FAST]) == 0
    day2 = _summary(capsys.readouterr().out)
    assert (day2["files"], day2["exact_duplicates"]) == (2, 1)
    assert _count(out, "select count(*) from articles") == 4

    assert main(["forget", str(out), "--run", day2["run_id"]]) == 0
    assert "articles-forgotten" in capsys.readouterr().out
    assert _count(out, "select count(*) from articles") == 2
    assert _count(out, "select count(*) from paragraphs where text like 'Farmers%'") == 0

    # The forgotten run's inputs count as not processed: the next run does them again, and its paragraphs are not
    # called copies of the forgotten ones (their index entries went with them).
    assert main(["run", str(inbox), "--out", str(out), *FAST]) == 0
    again = _summary(capsys.readouterr().out)
    assert (again["files"], again["articles"], again["exact_duplicates"]) == (2, 2, 1)
    assert _count(out, "select count(*) from paragraphs where text like 'Farmers%' and not is_duplicate") == 1

    assert main(["forget", str(out), "--run", "no-such-run"]) == 2
    assert main(["forget", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no published run" in err and "--run" in err
    assert main(["status", str(out), "--json"]) == 0
    kinds = [json.loads(x).get("kind", "run") for x in capsys.readouterr().out.splitlines()]
    assert kinds == ["run", "run", "forget", "run"]
