"""#19 item 16: run records stay small; a run's input list lives beside it and only `run` reads it.

After years of nightly runs every command would otherwise parse every input ever listed (24 MB of records after
one run over 100,000 inputs). Records written before the split (inputs inside) keep working.
"""

from __future__ import annotations

import json
from pathlib import Path

from newsbeam.cli import main
from newsbeam.output import store

FAST = ["--exact-only", "--quiet"]


def _corpus(folder: Path, n: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        (folder / f"note{i:04d}.txt").write_text(
            f"Title: Note {i}\n\nNotice {i}: the ward office at desk {i} opens at nine on weekdays, residents were "
            f"told in letter number {i * 7 + 3}.\n", encoding="utf-8")


def _record_path(out: Path, run_id: str) -> Path:
    return out / "_runs" / f"{run_id}.json"


def test_records_stay_small_and_readers_do_not_need_the_input_lists(tmp_path: Path, capsys):
    inbox, out = tmp_path / "in", tmp_path / "out"
    _corpus(inbox / "small", 2)
    assert main(["run", str(inbox / "small"), "--out", str(out), *FAST]) == 0
    _corpus(inbox / "big", 400)
    assert main(["run", str(inbox / "big"), "--out", str(out), *FAST]) == 0
    small, big = store.State.read(out).published
    assert "inputs" not in big and big["n_inputs"] == 400
    # The record does not grow with the inputs; the list is in its own file.
    assert _record_path(out, big["run_id"]).stat().st_size < 1.5 * _record_path(out, small["run_id"]).stat().st_size
    listed = [json.loads(x) for x in store.inputs_path(out, big["run_id"]).read_text().splitlines()]
    assert len(listed) == 400 and {"uri", "key", "size", "mtime", "etag", "retry"} <= set(listed[0])

    # status and query do not read the input lists: they answer with the lists unreadable.
    for rid in (small["run_id"], big["run_id"]):
        store.inputs_path(out, rid).rename(store.inputs_path(out, rid).with_suffix(".moved"))
        store.inputs_path(out, rid).mkdir()  # opening it would raise IsADirectoryError
    capsys.readouterr()
    assert main(["status", str(out)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert any(big["run_id"] in ln and " 400 " in ln for ln in table)
    assert main(["query", str(out), "SELECT count(*) AS n, max(inputs) AS m FROM runs", "--format", "csv"]) == 0
    assert capsys.readouterr().out.split()[-1] == "2,400"
    for rid in (small["run_id"], big["run_id"]):
        store.inputs_path(out, rid).rmdir()
        store.inputs_path(out, rid).with_suffix(".moved").rename(store.inputs_path(out, rid))

    # run reads them: nothing is processed twice.
    capsys.readouterr()
    assert main(["run", str(inbox), "--out", str(out), *FAST]) == 0
    assert json.loads(capsys.readouterr().out)["newsbeam_summary"]["files_skipped_already_done"] == 402


def test_records_written_with_the_inputs_inside_still_count(tmp_path: Path, capsys):
    inbox, out = tmp_path / "in", tmp_path / "out"
    _corpus(inbox, 3)
    assert main(["run", str(inbox), "--out", str(out), *FAST]) == 0
    (rec,) = store.State.read(out).published
    # The record as an older newsbeam wrote it: the list inside, no .inputs.jsonl.
    path = store.inputs_path(out, rec["run_id"])
    old = {k: v for k, v in rec.items() if k != "n_inputs"}
    old["inputs"] = [json.loads(x) for x in path.read_text().splitlines()]
    path.unlink()
    store.write_record(out, old)
    capsys.readouterr()
    assert main(["run", str(inbox), "--out", str(out), *FAST]) == 0
    summary = json.loads(capsys.readouterr().out)["newsbeam_summary"]
    assert (summary["files"], summary["files_skipped_already_done"]) == (0, 3)
    assert main(["status", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["n_inputs"] == 3


def test_a_run_killed_before_its_record_leaves_no_input_list(tmp_path: Path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    _corpus(inbox, 2)
    assert main(["run", str(inbox), "--out", str(out), *FAST]) == 0
    orphan = store.inputs_path(out, "20990101T000000Z-abcdef")
    orphan.write_text('{"uri": "x", "key": "y"}\n')
    with store.OutputLock(out):
        changed = store.cleanup_unpublished(out)
    assert str(orphan.relative_to(out)) in changed and not orphan.exists()
