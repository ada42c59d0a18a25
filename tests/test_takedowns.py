"""#19 item 5: a forgotten source stays forgotten, and a typo is not a takedown.

Every way a forgotten outlet's articles used to come back is tried with the real pipeline: ``run --reprocess``,
``forget --run`` of the run that first read them, and one line appended to the JSON Lines feed that held them.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from newsbeam.cli import main
from newsbeam.output import store, tombstones

FAST = ["--exact-only", "--quiet"]
SENTENCES = {
    "Valley Courier": "Crews reopened the valley road after clearing the rockfall that had cut off three villages "
                      "for most of the week, the roads office said on Tuesday.",
    "Harbour Gazette": "The harbour board approved a new ferry timetable that adds an early crossing on weekdays "
                       "for commuters working in the old town, officials confirmed.",
    "Plains Herald": "Grain merchants on the plains reported the first barley deliveries of the season, two weeks "
                     "earlier than usual after a dry and warm spring.",
}


def _line(source: str, n: int) -> str:
    return json.dumps({"id": f"{source}-{n}", "title": f"{source} story {n}", "source": source,
                       "text": f"Story {n}. {SENTENCES[source]}"}) + "\n"


@pytest.fixture()
def folder(tmp_path: Path) -> tuple[Path, Path]:
    """A feed with two outlets' articles and a text file of a third, published by one run."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "feed.jsonl").write_text(_line("Valley Courier", 1) + _line("Harbour Gazette", 1)
                                      + _line("Valley Courier", 2), encoding="utf-8")
    (inbox / "plains.txt").write_text(f"Title: Barley\nSource: Plains Herald\n\n{SENTENCES['Plains Herald']}\n",
                                      encoding="utf-8")
    assert main(["run", str(inbox), "--out", str(out), *FAST]) == 0
    return inbox, out


def _sources(out: Path) -> list[tuple[str, int]]:
    """Articles per source through the views file and through `newsbeam query` (they must agree)."""
    con = duckdb.connect(str(out / store.DB_NAME), read_only=True)
    try:
        got = con.execute("SELECT source, count(*) FROM articles GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        con.close()
    con = store.connect_views(out)
    assert con.execute("SELECT source, count(*) FROM articles GROUP BY 1 ORDER BY 1").fetchall() == got
    return got


def _last_record(out: Path) -> dict:
    return store.State.read(out).records[-1]


def test_unknown_source_is_a_usage_error_with_near_matches_and_records_nothing(folder, capsys):
    _, out = folder
    before = sorted(p.name for p in (out / "_runs").iterdir())
    capsys.readouterr()
    assert main(["forget", str(out), "--source", "Valley Currier"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'Valley Currier'" in err and "did you mean 'Valley Courier'" in err
    assert main(["forget", str(out), "--source", "No Such Outlet"]) == 2
    assert "No Such Outlet" in capsys.readouterr().err
    assert sorted(p.name for p in (out / "_runs").iterdir()) == before
    assert not tombstones.path(out).exists()
    assert _sources(out) == [("Harbour Gazette", 1), ("Plains Herald", 1), ("Valley Courier", 2)]


def test_forgotten_source_stays_forgotten_through_reprocess_forget_run_and_a_grown_feed(folder, capsys):
    inbox, out = folder
    first_run = store.State.read(out).published[0]["run_id"]
    assert main(["forget", str(out), "--source", "Valley Courier"]) == 0
    assert _sources(out) == [("Harbour Gazette", 1), ("Plains Herald", 1)]

    # 1. forget --run of the run that first read them: its inputs count as not processed, the next run reads the
    # feed again, and its Valley Courier articles are dropped before dedup, and counted.
    assert main(["forget", str(out), "--run", first_run]) == 0
    assert _sources(out) == []
    assert main(["run", str(inbox), "--out", str(out), *FAST]) == 0
    assert _sources(out) == [("Harbour Gazette", 1), ("Plains Herald", 1)]
    assert _last_record(out)["counts"]["articles-forgotten-source"] == 2
    # Nothing of theirs reached the tables at all (not only hidden by the views).
    con = store.connect_views(out)
    assert con.execute("SELECT count(*) FROM articles_all WHERE source = 'Valley Courier'").fetchone() == (0,)

    # 2. --reprocess reads everything again.
    assert main(["run", str(inbox), "--out", str(out), *FAST, "--reprocess"]) == 0
    assert _sources(out) == [("Harbour Gazette", 1), ("Plains Herald", 1)]
    assert _last_record(out)["counts"]["articles-forgotten-source"] == 2

    # 3. One line appended to the feed: a changed input, read again.
    with open(inbox / "feed.jsonl", "a", encoding="utf-8") as f:
        f.write(_line("Harbour Gazette", 2))
    assert main(["run", str(inbox), "--out", str(out), *FAST]) == 0
    assert _sources(out) == [("Harbour Gazette", 2), ("Plains Herald", 1)]
    assert _last_record(out)["counts"]["articles-forgotten-source"] == 2


def test_forget_run_of_an_old_version_keeps_the_current_one(folder):
    """The run that first read an input is forgotten after a later run read it again: the current version stays
    (article ids are the same across versions; the rows are told apart by run)."""
    inbox, out = folder
    first_run = store.State.read(out).published[0]["run_id"]
    assert main(["run", str(inbox), "--out", str(out), *FAST, "--reprocess"]) == 0
    assert main(["forget", str(out), "--run", first_run]) == 0
    assert _sources(out) == [("Harbour Gazette", 1), ("Plains Herald", 1), ("Valley Courier", 2)]


def test_status_lists_the_tombstones_and_lift_lets_the_source_back(folder, capsys):
    inbox, out = folder
    feed_uri = store.connect_views(out).execute(
        "SELECT DISTINCT source_uri FROM articles WHERE source = 'Plains Herald'").fetchone()[0]
    assert main(["forget", str(out), "--source", "Valley Courier", "--source", feed_uri]) == 0
    capsys.readouterr()
    assert main(["status", str(out)]) == 0
    text = capsys.readouterr().out
    assert "forgotten sources" in text and "Valley Courier" in text and feed_uri in text and "--lift" in text
    assert main(["status", str(out), "--json"]) == 0
    listed = [json.loads(x)["forgotten_source"]["value"] for x in capsys.readouterr().out.splitlines()
              if "forgotten_source" in x]
    assert listed == ["Valley Courier", feed_uri]

    # Lifting a name that is not forgotten: a usage error naming what is.
    assert main(["forget", str(out), "--lift", "Valley Courir"]) == 2
    assert "did you mean 'Valley Courier'" in capsys.readouterr().err
    assert main(["forget", str(out), "--lift", "Valley Courier", "--run", "x"]) == 2

    assert main(["forget", str(out), "--lift", "Valley Courier"]) == 0
    assert "--reprocess" in capsys.readouterr().out
    t = tombstones.read(out)
    assert t.values == {feed_uri} and [e["value"] for e in t.lifted] == ["Valley Courier"]
    # Nothing comes back by itself; reading the inputs again does, except the URI still forgotten.
    assert _sources(out) == [("Harbour Gazette", 1)]
    assert main(["run", str(inbox), "--out", str(out), *FAST, "--reprocess"]) == 0
    assert _sources(out) == [("Harbour Gazette", 1), ("Valley Courier", 2)]


def test_a_forget_that_never_published_forgot_nothing(folder):
    """Its entry (written before its record, the switch) is not in force, and the next command removes it."""
    _, out = folder
    tombstones.add(out, ["Valley Courier"], "20991231T000000Z-dead00")
    assert store.State.read(out).tombstones.values == frozenset()
    assert ("Valley Courier", 2) in _sources(out)
    with store.OutputLock(out):
        assert tombstones.FILE_NAME in store.cleanup_unpublished(out)
    assert tombstones.read(out).entries == ()
    # An entry written by hand (no run) is in force: the views hide the rows at once, compact removes them.
    (out / tombstones.FILE_NAME).write_text(json.dumps({"forgotten": [{"value": "Harbour Gazette"}]}))
    store.refresh_views(out)
    assert _sources(out) == [("Plains Herald", 1), ("Valley Courier", 2)]
    assert main(["compact", str(out)]) == 0
    con = store.connect_views(out)
    assert con.execute("SELECT count(*) FROM articles_all WHERE source = 'Harbour Gazette'").fetchone() == (0,)


def test_a_damaged_tombstone_list_stops_every_command_with_one_line(folder, capsys):
    inbox, out = folder
    tombstones.path(out).write_text("{not json")
    for args in (["status", str(out)], ["run", str(inbox), "--out", str(out), *FAST], ["compact", str(out)]):
        capsys.readouterr()
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "_forgotten.json is damaged" in err
