"""The cross-run index refuses other MinHash settings, and `compact --rebuild-index` moves it to new ones."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from newsbeam.cli import main

FAST = ["--no-places", "--no-actors", "--quiet"]
PARA = (
    "Engineers from the water board said on Tuesday that the pumping station beside the old canal would stay shut "
    "for another fortnight while inspectors checked every valve and the cracked intake pipe was replaced."
)
EDITED = PARA.replace("said on Tuesday", "said Tuesday").replace("every valve", "each valve")


def _summary(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])["newsbeam_summary"]


def test_settings_mismatch_and_rebuild(tmp_path: Path, capsys):
    day1, day2, out = tmp_path / "d1", tmp_path / "d2", tmp_path / "out"
    day1.mkdir()
    day2.mkdir()
    (day1 / "a.txt").write_text(f"Title: Station shut\nSource: Gazette\n\n{PARA}\n")
    assert main(["run", str(day1), "--out", str(out), *FAST]) == 0
    capsys.readouterr()
    cfg = tmp_path / "k3.toml"
    cfg.write_text("[dedup]\nshingle_size = 3\n")
    (day2 / "b.txt").write_text(f"Title: Station stays shut\nSource: Herald\n\n{EDITED}\n")

    code = main(["run", str(day2), "--out", str(out), "--config", str(cfg), *FAST])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--rebuild-index" in err

    assert main(["compact", str(out), "--rebuild-index", "--config", str(cfg)]) == 0
    capsys.readouterr()
    settings = json.loads((out / "_index" / "settings.json").read_text())
    assert settings["minhash"]["shingle_size"] == 3

    assert main(["run", str(day2), "--out", str(out), "--config", str(cfg), *FAST]) == 0
    s = _summary(capsys.readouterr().out)
    assert s["near_duplicates"] == 1
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    (dup_of,) = con.execute("select duplicate_of from paragraphs where dup_kind = 'near'").fetchone()
    (orig,) = con.execute("select article_id from articles where source = 'Gazette'").fetchone()
    assert dup_of == f"{orig}:0"
    # And the old settings are now the refused ones.
    assert main(["run", str(day2), "--out", str(out), "--reprocess", *FAST]) == 2
    capsys.readouterr()


def test_first_run_killed_at_publish_binds_no_settings(tmp_path: Path, capsys):
    """#17 F: a first run with other MinHash settings killed at publish must not leave settings that refuse the next
    run (which then suggested a `compact --rebuild-index` that cannot work on a folder with no published run)."""
    import os
    import signal
    import subprocess
    import sys

    day1, out = tmp_path / "d1", tmp_path / "out"
    day1.mkdir()
    (day1 / "a.txt").write_text(f"Title: Station shut\nSource: Gazette\n\n{PARA}\n")
    cfg = tmp_path / "k3.toml"
    cfg.write_text("[dedup]\nshingle_size = 3\n")
    for fault in ("publish-after-articles", "publish-before-record"):
        r = subprocess.run([sys.executable, "-m", "newsbeam.cli", "run", str(day1), "--out", str(out), "--config",
                            str(cfg), *FAST], capture_output=True, env={**os.environ, "NEWSBEAM_FAULT": fault})
        assert r.returncode == -signal.SIGKILL
    assert main(["run", str(day1), "--out", str(out), *FAST]) == 0
    capsys.readouterr()
    assert json.loads((out / "_index" / "settings.json").read_text())["minhash"]["shingle_size"] != 3
