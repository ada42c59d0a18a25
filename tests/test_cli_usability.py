"""What a first-time user meets on the command line (issue #19): manifest-only runs, a one-screen summary with the
counters in the run record, workers chosen from the work, help texts that say what they take, a first run that
says why it is slow, and `status` while the first run is writing the folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsbeam.cli import main
from newsbeam.config import AUTO_WORKERS_MIN_BYTES, choose_workers, load
from newsbeam.ingest.slices import SLICE_MIN_BYTES
from newsbeam.output.store import OutputLock

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--exact-only", "--quiet"]
# The keys of the JSON summary line cron users and tests parse: kept (new ones may be added).
SUMMARY_KEYS = {
    "run_id", "status", "files", "files_skipped_already_done", "articles", "paragraphs", "duplicates",
    "exact_duplicates", "near_duplicates", "boilerplate", "rejects", "rejects_by_reason", "places", "actors",
    "tag_timeouts", "tag_errors", "seconds", "text_mb", "mb_per_s", "reject_rate", "repeated_with_one_worker",
}


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsbeam.cli", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def _article(i: int) -> str:
    return (f"Title: Harbour report {i}\nSource: Coast Daily\n\n"
            f"Crews in Gwadar cleared the harbour road on day {i} after the storm closed it for a week.\n\n"
            f"The port authority said ferries to Karachi would run again from the morning of day {i + 1}.\n")


def _inbox(folder: Path, n: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"a{i}.txt").write_text(_article(i))
    (folder / "copy.txt").write_text(_article(0).replace("Harbour report 0", "Harbour report again"))
    return folder


def _summary(text: str) -> dict:
    lines = [x for x in text.splitlines() if x.startswith('{"newsbeam_summary"')]
    assert len(lines) == 1, text
    return json.loads(lines[0])["newsbeam_summary"]


# --- 1. --manifest without a positional INPUT ----------------------------------------------------------------


def test_run_with_only_a_manifest(tmp_path, capsys):
    inbox = _inbox(tmp_path / "inbox")
    manifest = inbox / "files.txt"
    manifest.write_text("# tonight\na0.txt\na1.txt\n")
    assert main(["run", "--manifest", str(manifest), "--out", str(tmp_path / "o1"), *FAST]) == 0
    assert _summary(capsys.readouterr().out)["files"] == 2
    # The same from the configuration file ([ingest] manifests, relative to the config file).
    cfg = tmp_path / "backfill.toml"
    cfg.write_text('[ingest]\nmanifests = ["inbox/files.txt"]\n')
    assert main(["run", "--config", str(cfg), "--out", str(tmp_path / "o2"), *FAST]) == 0
    assert _summary(capsys.readouterr().out)["files"] == 2


def test_run_without_any_input_is_one_usage_line(tmp_path, capsys):
    assert main(["run", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "INPUT" in err and "--manifest" in err


# --- 10. one screen of summary; the counters in the run record and status --json ---------------------------------


def test_summary_is_one_screen_and_the_counters_are_in_the_record(tmp_path):
    inbox, out = _inbox(tmp_path / "inbox"), tmp_path / "out"
    r = cli("run", str(inbox), "--out", str(out), "--no-places", "--no-actors")
    assert r.returncode == 0, r.stderr
    # stdout: exactly the machine-readable line, every key it always had.
    assert len(r.stdout.strip().splitlines()) == 1
    summary = _summary(r.stdout)
    assert SUMMARY_KEYS <= set(summary) and summary["files"] == 4 and summary["duplicates"] >= 2
    # stderr: one readable screen, no counter dump, no configuration.
    human = r.stderr[r.stderr.index(f"newsbeam run {summary['run_id']}:"):]
    assert len(human.splitlines()) <= 10 and len(human) < 1000, human
    assert all(len(line.replace(str(out), "OUT")) <= 110 for line in human.splitlines()), human
    for word in ("articles", "paragraphs", "duplicates", "near", "rejects", "places", "actors", " s,", "MB/s",
                 str(out), "newsbeam query", f"_runs/{summary['run_id']}.json"):
        assert word in human, (word, human)
    assert "counters" not in human and "config" not in human and "xfer-" not in human and "{" not in human
    # Every counter and the configuration are in the run record and in status --json.
    rec = json.loads((out / "_runs" / f"{summary['run_id']}.json").read_text())
    for counts in (rec["counts"], next(json.loads(x) for x in cli("status", str(out), "--json").stdout.splitlines()
                                       if json.loads(x).get("run_id") == summary["run_id"])["counts"]):
        assert counts.get("paragraphs-exact-duplicate", 0) + counts.get("paragraphs-near-duplicate", 0) == \
            summary["duplicates"] and counts["paragraphs"] == summary["paragraphs"]
        assert any(k.startswith("xfer-") for k in counts) and counts["articles"] == 4
    assert rec["config"]["tagging"]["places"] is False and rec["summary"]["files"] == 4


def test_quiet_night_summary(tmp_path):
    inbox, out = _inbox(tmp_path / "inbox", 1), tmp_path / "out"
    assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    r = cli("run", str(inbox), "--out", str(out), "--exact-only")
    assert r.returncode == 0 and _summary(r.stdout)["status"] == "no_new_input"
    assert "nothing new, 2 files skipped (done by earlier runs); nothing published" in r.stderr
    assert f"newsbeam status {out}" in r.stderr
    assert "0 inputs (2 already done), 1 worker" in r.stderr  # plurals: "1 worker", not "1 workers"


# --- 12. workers from the work ---------------------------------------------------------------------------------


def test_choose_workers_from_the_work():
    big = AUTO_WORKERS_MIN_BYTES
    # A large local file of many records is read in one part per worker (ingest/slices.py); a remote one, or one
    # article per file, is one part.
    assert choose_workers([("/in/a.jsonl", 10 * big)], cores=8) == 8
    assert choose_workers([("https://x/a.jsonl", 10 * big)], cores=8) == 1
    assert choose_workers([("/in/a.html", 10 * big)], cores=8) == 1
    assert choose_workers([("/in/a.txt", 1000), ("/in/b.txt", 1000)], cores=8) == 1  # a small night
    unsplit = SLICE_MIN_BYTES - 1  # files below the size that is split: at most one worker per file
    assert choose_workers([("/in/a.jsonl", unsplit), ("/in/b.jsonl", unsplit)], cores=8) == 2
    assert choose_workers([(f"/in/{i}.jsonl", big) for i in range(5)], cores=2) == 2  # at most one per core
    assert choose_workers([(f"/in/{i}.jsonl", big) for i in range(5)], cores=1) == 1
    # Compressed files count for their text; an unknown size (remote, no length) counts as large.
    half = big // 2
    assert choose_workers([("/in/a.jsonl", half - 1), ("/in/b.jsonl", half - 1)], cores=2) == 1
    assert choose_workers([("/in/a.jsonl.gz", half - 1), ("/in/b.jsonl.gz", half - 1)], cores=2) == 2
    assert choose_workers([("https://x/a", None), ("https://x/b", None)], cores=2) == 2


def test_nightly_config_leaves_workers_to_the_work():
    cfg = load(str(ROOT / "pipelines" / "nightly.toml"), {})
    assert cfg.workers is None
    assert load(str(ROOT / "pipelines" / "nightly.toml"), {"workers": 2}).workers == 2


def test_run_records_the_workers_it_chose_and_an_explicit_setting_wins(tmp_path, capsys):
    def record(out: Path) -> dict:
        run_id = _summary(capsys.readouterr().out)["run_id"]
        return json.loads((out / "_runs" / f"{run_id}.json").read_text())

    inbox = _inbox(tmp_path / "inbox")
    assert main(["run", str(inbox), "--out", str(tmp_path / "o1"), *FAST]) == 0
    rec = record(tmp_path / "o1")
    assert rec["config"]["workers"] == 1 and rec["workers_chosen"] is True
    cfg = tmp_path / "two.toml"
    cfg.write_text("workers = 2\n")
    assert main(["run", str(inbox), "--out", str(tmp_path / "o2"), "--config", str(cfg), *FAST]) == 0
    rec = record(tmp_path / "o2")
    assert rec["config"]["workers"] == 2 and rec["workers_chosen"] is False


# --- 13. help texts and messages ----------------------------------------------------------------------------------


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as e:
        main([*argv, "--help"])
    assert e.value.code == 0
    return capsys.readouterr().out


VIEWS = ("articles", "paragraphs", "rejects", "runs", "input_versions", "articles_all", "paragraphs_all",
         "rejects_all")


def test_help_texts_describe_arguments_views_beam_options_and_exit_codes(capsys):
    run = _help(capsys, "run")
    assert "-- BEAM_OPTIONS" in run and "--runner=" in run
    assert all(code in run for code in ("0 ok", "2 usage", "3 reject", "4 another", "5 stopped", "130 interrupted"))
    assert "--manifest FILE" in run and "chosen from the work" in run
    for cmd in ("query", "status"):
        text = _help(capsys, cmd)
        assert "OUT " in text and "an output folder written by newsbeam run" in text
        assert all(f"  {v}" in text or f" {v}," in text or f" {v}\n" in text for v in VIEWS), text
    assert "SQL " in _help(capsys, "query")


def test_a_glob_that_matches_nothing_says_so(tmp_path, capsys):
    assert main(["run", str(tmp_path / "*.jsonl"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no file matches {tmp_path / '*.jsonl'}" in err


# --- 9. the first run says why it is slow ---------------------------------------------------------------------------


def test_first_run_says_the_tables_are_built_once(tmp_path):
    inbox, cache = _inbox(tmp_path / "inbox"), tmp_path / "cache"
    env = {"NEWSBEAM_CACHE": str(cache)}
    note = "building the place and name tables once"
    r = cli("run", str(inbox / "a0.txt"), "--out", str(tmp_path / "o"), "--no-actors", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count(note) == 1 and list(cache.glob("gazetteer-*.pkl"))
    r = cli("run", str(inbox / "a1.txt"), "--out", str(tmp_path / "o"), "--no-actors", env=env)
    assert r.returncode == 0 and note not in r.stderr
    # Without tagging no table is needed, and nothing is said.
    r = cli("run", str(inbox / "a2.txt"), "--out", str(tmp_path / "o2"), "--exact-only",
            env={"NEWSBEAM_CACHE": str(tmp_path / "empty")})
    assert r.returncode == 0 and note not in r.stderr


# --- 16. status while the first run writes the folder -----------------------------------------------------------------


def test_status_and_query_while_the_first_run_is_in_progress(tmp_path, capsys):
    out = tmp_path / "out"
    with OutputLock(out):  # what a first run holds before anything is published
        assert main(["status", str(out)]) == 0
        text = capsys.readouterr().out
        assert "no run published yet; in progress" in text and "not a newsbeam output folder" not in text
        assert main(["status", str(out), "--json"]) == 0
        assert "running" in json.loads(capsys.readouterr().out)
        assert main(["query", str(out), "select 1"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "the first run is in progress" in err
    assert main(["status", str(out)]) == 2  # lock released, still nothing published: not an output folder
    assert "not a newsbeam output folder" in capsys.readouterr().err


def test_progress_line_says_the_tables_are_being_built():
    """On a terminal the first run shows what it waits for instead of 'reading files 0/1 ... 0.00 MB/s'."""
    from collections import Counter

    from newsbeam.runtime.progress import progress_line

    note = "building the place and name tables (once)"
    assert progress_line(Counter(), 1, 12.4, [{"starting": True}], waiting=note) == f"{note}  12 s"
    moving = progress_line(Counter(inputs=1, articles=3), 1, 14.0, [], waiting=note)
    assert note not in moving and "files 1/1" in moving
    assert progress_line(Counter(), 1, 3.0, []).startswith("reading files 0/1")
