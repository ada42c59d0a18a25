"""#17 F (output side): a full disk and a read-only output folder, on real file systems.

A small tmpfs (``small_fs`` in conftest.py) fills up for real; ``mount -o remount,ro`` makes it read-only for
real (``chmod a-w`` would not stop root, which runs these tests here). Both need root with CAP_SYS_ADMIN: skipped
elsewhere, with the reason.
"""

from __future__ import annotations

import json
import subprocess

from test_cron import FAST, _corpus, cli, rows


def _one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    return stderr


def test_disk_full_one_line_failed_record_staging_cleaned(small_fs, tmp_path):
    inbox, out = tmp_path / "inbox", small_fs / "out"
    _corpus(inbox, 3)
    assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    _corpus(inbox, 400, start=3)
    # Leave about 400 KB: enough for the lock, logs and a record listing 400 inputs, not for their staging.
    free = subprocess.run(["df", "-B1", "--output=avail", str(small_fs)], capture_output=True, text=True)
    (small_fs / "filler").write_bytes(b"\0" * (int(free.stdout.split()[-1]) - 400_000))
    r = cli("run", str(inbox), "--out", str(out), *FAST)
    assert r.returncode == 1
    err = _one_line(r.stderr)
    assert "No space left on device" in err and "nothing was published" in err
    assert not any((out / "_staging").iterdir())
    assert not list((out / "_runs").glob(".*tmp*")) and not list(out.glob(".*tmp*"))
    recs = [json.loads(p.read_text()) for p in (out / "_runs").glob("*.json")]
    failed = [x for x in recs if x["status"] == "failed"]
    assert "the failed run is recorded" in err and len(failed) == 1
    assert "No space left on device" in failed[0]["error"] and not failed[0]["published"]
    assert rows(out, "select count(*) from articles") == [(3,)]
    assert cli("status", str(out)).returncode == 0
    # Space back: the next run does the work.
    (small_fs / "filler").unlink()
    r = cli("run", str(inbox), "--out", str(out), *FAST)
    assert r.returncode == 0, r.stderr
    assert rows(out, "select count(*) from articles") == [(403,)]


def test_read_only_output_folder(small_fs, tmp_path):
    inbox, out = tmp_path / "inbox", small_fs / "out"
    _corpus(inbox, 3)
    assert cli("run", str(inbox), "--out", str(out), *FAST).returncode == 0
    _corpus(inbox, 3, start=3)
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    r = cli("status", str(out))
    assert r.returncode == 0 and r.stderr == "" and "ok" in r.stdout
    r = cli("query", str(out), "select count(*) as n from articles", "--format", "csv")
    assert r.returncode == 0 and r.stdout.split()[-1] == "3"
    for args in (["run", str(inbox), "--out", str(out), *FAST], ["compact", str(out)],
                 ["forget", str(out), "--source", "x"]):
        r = cli(*args)
        assert r.returncode == 2, r.stderr
        assert "Read-only file system" in _one_line(r.stderr)
    # A folder that does not exist yet, on a read-only file system.
    r = cli("run", str(inbox), "--out", str(small_fs / "new"), *FAST)
    assert r.returncode == 2 and "Read-only file system" in _one_line(r.stderr)
