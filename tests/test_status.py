"""#19 items 6 and 11: `status` tells the truth about forgotten runs, rewrites and quiet nights.

A forgotten run is shown as forgotten (not "ok, 2 articles"); a compact or forget row shows the duplicates,
places and actors its files hold (what the views show); a run with no new input is recorded as `no_new_input`,
publishes nothing and is not a bar of the report's per-run chart.
"""

from __future__ import annotations

import json
from pathlib import Path

from newsbeam.cli import main
from newsbeam.output import store
from newsbeam.report import data as report_data

ARTICLE = ("Title: {title}\nSource: {source}\n\n"
           "Police in Quetta said the market reopened on Monday after the strike ended, and traders in Gwadar "
           "said the port road was clear again.\n\n{extra}\n")


def _write(folder: Path, name: str, source: str, extra: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(ARTICLE.format(title=name, source=source, extra=extra), encoding="utf-8")


def _status_rows(out: Path, capsys) -> dict[str, dict[str, str]]:
    capsys.readouterr()
    assert main(["status", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = lines[0].split()
    table = lines[1: 1 + len(store.State.read(out).records)]
    # "started" is two words: the columns after it move by one.
    return {ln.split()[0]: dict(zip(head[:4] + ["time"] + head[4:], ln.split(), strict=False)) for ln in table}


def _view_counts(out: Path) -> dict[str, int]:
    con = store.connect_views(out)
    row = con.execute("""SELECT count(*) FILTER (WHERE is_duplicate), count(*) FILTER (WHERE dup_kind = 'near'),
                                sum(len(places)), sum(len(actors)) FROM paragraphs""").fetchone()
    return dict(zip(["dups", "near", "places", "actors"], row, strict=True))


def test_status_after_forget_and_compact(tmp_path: Path, capsys):
    inbox, out = tmp_path / "in", tmp_path / "out"
    _write(inbox, "a.txt", "Frontier Herald", "The council will meet again next week to discuss the budget.")
    _write(inbox, "b.txt", "Frontier Herald", "Schools stayed open and the buses ran on the normal timetable.")
    assert main(["run", str(inbox), "--out", str(out), "--no-near", "--quiet"]) == 0
    first = store.State.read(out).published[0]["run_id"]
    _write(inbox, "c.txt", "Coast Daily", "Fishing boats returned to the harbour before the evening storm.")
    assert main(["run", str(inbox), "--out", str(out), "--no-near", "--quiet"]) == 0
    assert main(["forget", str(out), "--run", first]) == 0
    assert main(["compact", str(out)]) == 0
    rows = _status_rows(out, capsys)
    assert rows[first]["status"] == "forgotten"
    forget_id, compact_id = [r["run_id"] for r in store.State.read(out).published[-2:]]
    want = _view_counts(out)
    assert want["places"] > 0 and want["actors"] > 0
    got = {k: int(rows[compact_id][k]) for k in ("dups", "near", "places", "actors")}
    assert got == want
    assert int(rows[compact_id]["articles"]) == 1
    capsys.readouterr()
    assert main(["status", str(out)]) == 0
    assert f"{first} forgotten by {forget_id}" in capsys.readouterr().out
    assert main(["status", str(out), "--json"]) == 0
    recs = {r["run_id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert recs[first]["forgotten_by"] == forget_id and "forgotten_by" not in recs[compact_id]


def test_a_quiet_night_is_recorded_but_not_published_nor_charted(tmp_path: Path, capsys):
    inbox, out = tmp_path / "in", tmp_path / "out"
    _write(inbox, "a.txt", "Frontier Herald", "The council will meet again next week to discuss the budget.")
    assert main(["run", str(inbox), "--out", str(out), "--exact-only", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["run", str(inbox), "--out", str(out), "--exact-only", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)["newsbeam_summary"]
    assert (summary["status"], summary["files"], summary["files_skipped_already_done"]) == ("no_new_input", 0, 1)
    quiet = store.State.read(out).records[-1]
    assert quiet["status"] == "no_new_input" and not quiet["published"]
    assert not (out / store.DATA_DIR / "articles" / f"run-{quiet['run_id']}").exists()
    assert not list((out / "_staging").iterdir())
    rows = _status_rows(out, capsys)
    assert rows[quiet["run_id"]]["status"] == "no_new_input"
    assert store.open_views_file(out) is not None  # the record did not make the views file stale
    con = report_data.open_views(out)
    report_data.select_articles(con, report_data.Filters())
    assert [r["articles"] for r in report_data.per_run(con, None)] == [1]


def test_per_run_chart_leaves_out_old_empty_runs_and_rewrites(tmp_path: Path):
    """Folders written before `no_new_input` hold published runs without inputs; compact rows keep their runs."""
    inbox, out = tmp_path / "in", tmp_path / "out"
    _write(inbox, "a.txt", "Frontier Herald", "The council will meet again next week to discuss the budget.")
    assert main(["run", str(inbox), "--out", str(out), "--exact-only", "--quiet"]) == 0
    old = {"run_id": "20990101T000000Z-000000", "seq": store.next_seq(out), "status": "ok", "published": True,
           "inputs": [], "counts": {}}
    store.write_record(out, old)
    assert main(["compact", str(out)]) == 0
    con = report_data.open_views(out)
    report_data.select_articles(con, report_data.Filters())
    assert [(r["articles"]) for r in report_data.per_run(con, None)] == [1]
