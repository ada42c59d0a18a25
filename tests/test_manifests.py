"""Manifest entries and the root (issue #17 C): where entries resolve, what they may reach, what a bad entry costs.

A manifest is data, often written by another program: its entries resolve against its own folder, may not leave
that folder (or ``--root`` / ``[ingest] root`` when set), and a bad entry is one counted reject, never the end of
the run. Command-line inputs are the operator's own: confined only when a root is set (a usage error then).
"""

from __future__ import annotations

import json
import os

import duckdb
import pytest

from newsbeam.cli import main
from newsbeam.config import load
from newsbeam.ingest.readers import IngestOptions
from newsbeam.ingest.sources import UsageError, list_inputs
from newsbeam.ingest.stages import read_ref

STORY = ("Harbour reopens\n\nThe port authority in Gwadar reopened the eastern berth on Monday after three weeks of "
         "repairs, officials said.\n")


@pytest.fixture
def layout(tmp_path):
    """data/inbox/{a.txt, feeds/manifest.txt, feeds/b.txt}, data/other/c.txt, secret/key.txt (outside data)."""
    inbox = tmp_path / "data" / "inbox"
    (inbox / "feeds").mkdir(parents=True)
    (tmp_path / "data" / "other").mkdir()
    (tmp_path / "secret").mkdir()
    (inbox / "a.txt").write_text(STORY)
    (inbox / "feeds" / "b.txt").write_text(STORY.replace("Gwadar", "Pasni"))
    (tmp_path / "data" / "other" / "c.txt").write_text(STORY.replace("Gwadar", "Ormara"))
    (tmp_path / "secret" / "key.txt").write_text("top secret\n")
    return tmp_path


def _problems(refs):
    return {os.path.basename(r.uri): r.problem[0] for r in refs if r.problem}


def _ok(refs):
    return sorted(os.path.basename(r.uri) for r in refs if not r.problem)


def test_entries_resolve_against_the_manifest_folder(layout, monkeypatch):
    manifest = layout / "data" / "inbox" / "feeds" / "manifest.txt"
    manifest.write_text("b.txt\n./b.txt\n")
    monkeypatch.chdir(layout / "data" / "other")  # where cron happens to start us does not matter
    refs = list_inputs([], manifests=[str(manifest)])
    assert _ok(refs) == ["b.txt"] and refs[0].open_uri == str(layout / "data" / "inbox" / "feeds" / "b.txt")


def test_without_root_entries_stay_in_the_manifest_folder(layout):
    feeds = layout / "data" / "inbox" / "feeds"
    manifest = feeds / "manifest.txt"
    escape = os.path.relpath("/etc/hostname", feeds)  # ../../../../.. etc/hostname
    manifest.write_text(f"b.txt\n../a.txt\n{escape}\nfile:///etc/shadow\n{layout / 'secret' / 'key.txt'}\n"
                        f"{(layout / 'secret' / 'key.txt').as_uri()}\n{layout / 'secret'}/*.txt\n")
    refs = list_inputs([], manifests=[str(manifest)])
    assert _ok(refs) == ["b.txt"]
    assert _problems(refs) == {"a.txt": "outside_root", "hostname": "outside_root", "shadow": "outside_root",
                               "key.txt": "outside_root", "%2A.txt": "outside_root"}  # the glob, unexpanded
    # Nothing outside was looked at: no size, no date, never opened; the detail says how to allow more.
    for r in refs:
        if r.problem:
            assert (r.size, r.mtime, r.open_uri) == (None, None, "") and r.key == f"{r.uri}|outside_root"
            assert "--root" in r.problem[1]


def test_root_widens_and_confines(layout):
    data = layout / "data"
    manifest = data / "inbox" / "feeds" / "manifest.txt"
    manifest.write_text(f"b.txt\n../a.txt\n../../other/c.txt\n{layout / 'secret' / 'key.txt'}\n"
                        f"{os.path.relpath('/etc/hostname', manifest.parent)}\n")
    refs = list_inputs([], manifests=[str(manifest)], root=str(data))
    assert _ok(refs) == ["a.txt", "b.txt", "c.txt"]
    assert _problems(refs) == {"key.txt": "outside_root", "hostname": "outside_root"}
    # Command-line inputs: inside the root fine, outside a usage error; no root: not confined.
    assert _ok(list_inputs([str(data / "other")], root=str(data))) == ["c.txt"]
    with pytest.raises(UsageError, match="outside --root"):
        list_inputs([str(layout / "secret" / "key.txt")], root=str(data))
    assert _ok(list_inputs([str(layout / "secret" / "key.txt")])) == ["key.txt"]
    with pytest.raises(UsageError, match="root: not a folder"):
        list_inputs([str(data)], root=str(data / "nope"))


def test_symlinks_out_of_the_root_are_rejects(layout):
    inbox = layout / "data" / "inbox"
    os.symlink(layout / "secret" / "key.txt", inbox / "link.txt")
    os.symlink(layout / "secret", inbox / "linkdir")
    os.symlink(inbox / "a.txt", inbox / "inside.txt")  # a link that stays inside is fine
    refs = list_inputs([str(inbox)], root=str(inbox))
    assert _ok(refs) == ["a.txt", "b.txt", "inside.txt"]
    assert _problems(refs) == {"link.txt": "outside_root", "linkdir": "outside_root"}
    # A manifest entry that is a link out of the manifest's folder is caught the same way.
    (inbox / "m.txt").write_text("link.txt\nlinkdir\n")
    assert _problems(list_inputs([], manifests=[str(inbox / "m.txt")])) == {"link.txt": "outside_root",
                                                                          "linkdir": "outside_root"}
    # A root that is itself a symlink cannot be used to widen it: its real path is what counts.
    os.symlink(inbox, layout / "inbox-link")
    assert _problems(list_inputs([], manifests=[str(inbox / "m.txt")], root=str(layout / "inbox-link"))) \
        == {"link.txt": "outside_root", "linkdir": "outside_root"}


def test_missing_entries_are_rejects_not_usage_errors(layout):
    manifest = layout / "data" / "inbox" / "m.txt"
    manifest.write_text("a.txt\ngone.txt\nnothing-*.txt\nfile://otherhost/a.txt\n")
    refs = list_inputs([], manifests=[str(manifest)])
    assert _ok(refs) == ["a.txt"]
    by_uri = {r.uri: r.problem for r in refs if r.problem}
    assert sorted(reason for reason, _ in by_uri.values()) == ["unreadable"] * 3
    assert any("manifest entry not found: gone.txt" == d for _, d in by_uri.values())
    # Read, each is exactly one reject with the listing's reason; the path is never opened.
    (gone,) = [r for r in refs if r.uri.endswith("gone.txt")]
    events = list(read_ref(gone, IngestOptions()))
    assert events == [("reject", {"source_uri": gone.uri, "location": "", "input_key": gone.key,
                                  "reason": "unreadable", "detail": "manifest entry not found: gone.txt"})]


def test_config_root_is_relative_to_the_config_file(layout, monkeypatch):
    cfg = layout / "data" / "job.toml"
    cfg.write_text('[ingest]\nroot = "inbox"\nmanifests = ["inbox/m.txt"]\n')
    monkeypatch.chdir(layout / "secret")
    c = load(str(cfg), {})
    assert c.ingest.root == str(layout / "data" / "inbox")
    assert c.ingest.manifests == (str(layout / "data" / "inbox" / "m.txt"),)
    cfg.write_text("[ingest]\nroot = 3\n")
    with pytest.raises(ValueError, match="root"):
        load(str(cfg), {})


def _summary(out: str) -> dict:
    return next(json.loads(x)["newsbeam_summary"] for x in out.splitlines() if x.startswith('{"newsbeam_summary"'))


def test_run_goes_on_with_bad_entries(layout, capsys):
    inbox = layout / "data" / "inbox"
    manifest = inbox / "m.txt"
    manifest.write_text(f"a.txt\ngone.txt\nfile://{layout / 'secret' / 'key.txt'}\n../other/c.txt\n")
    out = layout / "out"
    argv = ["run", str(inbox / "feeds" / "b.txt"), "--manifest", str(manifest), "--out", str(out), "--exact-only",
            "--quiet"]
    assert main(argv) == 0
    s = _summary(capsys.readouterr().out)
    assert s["articles"] == 2 and s["rejects_by_reason"] == {"outside_root": 2, "unreadable": 1}
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    rejects = dict(con.execute("select regexp_extract(source_uri, '[^/]+$'), reason from rejects").fetchall())
    assert rejects == {"gone.txt": "unreadable", "key.txt": "outside_root", "c.txt": "outside_root"}
    assert "top secret" not in str(con.execute("select * from rejects").fetchall())
    con.close()
    # --root widens: c.txt is read now (its key changed); the rejected entries that did not change are not redone.
    assert main([*argv, "--root", str(layout / "data")]) == 0
    s = _summary(capsys.readouterr().out)
    assert (s["articles"], s["rejects"], s["files"]) == (1, 0, 1)
    # A root that is not a folder is a usage error (exit 2, one line).
    assert main([*argv, "--root", str(layout / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert "root: not a folder" in err and len(err.splitlines()) == 1
