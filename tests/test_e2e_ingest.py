"""`newsbeam run` over the nasty corpus plus loopback HTTP and S3 sources: every input is an article or a reject."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from conftest import moto_s3
from nasty_corpus import STORY, build_nasty_corpus

from newsbeam.cli import main


class _Files(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def log_message(self, *args):
        pass

    def _send(self, head: bool) -> None:
        body = self.files.get(self.path.split("?")[0])
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_GET(self):
        self._send(False)

    def do_HEAD(self):
        self._send(True)


@pytest.fixture()
def http():
    _Files.files = {"/wire/today.txt": STORY.replace("Gwadar", "Ormara").encode()}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def s3():
    lines = b"".join(json.dumps({"body": f"Bulletin {i}: the coastal road near Jiwani reopened to traffic today.",
                                 "headline": f"Bulletin {i}"}).encode() + b"\n" for i in range(3))
    with moto_s3({"inbox": {"feeds/bulletins.jsonl.gz": gzip.compress(lines)}}):
        yield "s3://inbox/feeds/"


def _summary(out: str) -> dict:
    return next(json.loads(x)["newsbeam_summary"] for x in out.splitlines() if x.startswith('{"newsbeam_summary"'))


def test_nasty_corpus_local_http_s3(tmp_path, http, s3, capsys):
    nasty = tmp_path / "nasty"
    expected = build_nasty_corpus(nasty)
    out = tmp_path / "out"
    missing = f"{http}/wire/tomorrow.txt"
    argv = ["run", str(nasty), f"{http}/wire/today.txt", missing, s3, "--out", str(out),
            "--no-actors", "--quiet"]
    # The S3 feed names its fields its own way: --field maps them; the other inputs have no such fields.
    code = main([*argv, "--field", "text=body", "--field", "title=headline"])
    s = _summary(capsys.readouterr().out)
    assert code == 0
    # Nasty corpus: 12 articles, 15 rejects; HTTP: 1 article + 1 unreachable; S3: 3 articles (one input).
    # With text=body the nasty JSON inputs (which use "text") lose their bodies: each record becomes missing_text.
    assert s["files"] == expected["inputs"] + 3
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    by_reason = dict(con.execute("select reason, count(*) from rejects group by 1").fetchall())
    assert by_reason["unreachable"] == 1
    assert con.execute("select count(*) from articles where source_uri like 's3://%'").fetchone()[0] == 3
    assert con.execute("select title from articles where source_uri like 's3://%' order by location").fetchall() \
        == [("Bulletin 0",), ("Bulletin 1",), ("Bulletin 2",)]
    # Every listed input has at least one row, and the summary agrees with the tables.
    n_art = con.execute("select count(*) from articles").fetchone()[0]
    n_rej = con.execute("select count(*) from rejects").fetchone()[0]
    assert (s["articles"], s["rejects"]) == (n_art, n_rej)
    uris = {u for (u,) in con.execute("select source_uri from articles union select source_uri from rejects").fetchall()}
    assert len(uris) == s["files"]
    con.close()

    # Without the field mapping: the expected counts of the nasty corpus hold exactly.
    out2 = tmp_path / "out2"
    code = main(["run", str(nasty), "--out", str(out2), "--no-actors", "--quiet"])
    s2 = _summary(capsys.readouterr().out)
    assert code == 0
    assert s2["articles"] == expected["articles"] and s2["rejects_by_reason"] == expected["rejects"]
    assert s2["articles"] + s2["rejects"] == 12 + sum(expected["rejects"].values())

    # --max-reject-rate: exit 3, output still published.
    out3 = tmp_path / "out3"
    code = main(["run", str(nasty), "--out", str(out3), "--no-actors", "--quiet", "--max-reject-rate", "0.3"])
    captured = capsys.readouterr()
    assert code == 3 and "reject rate" in captured.err
    assert duckdb.connect(str(out3 / "newsbeam.duckdb"), read_only=True).execute(
        "select count(*) from articles").fetchone()[0] == 12

    # The unreachable input appears later: the next run retries it and its article supersedes the reject.
    _Files.files["/wire/tomorrow.txt"] = STORY.replace("Gwadar", "Pasni").encode()
    code = main([*argv, "--field", "text=body", "--field", "title=headline"])
    s = _summary(capsys.readouterr().out)
    assert code == 0 and s["files"] == 1 and s["articles"] == 1
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    assert con.execute("select count(*) from rejects where reason = 'unreachable'").fetchone()[0] == 0
    assert con.execute(f"select count(*) from articles where source_uri = '{missing}'").fetchone()[0] == 1
    runs = [json.loads(p.read_text()) for p in sorted((out / "_runs").glob("*.json"))]
    assert all("testing" not in json.dumps(r) for r in runs)  # no credentials in run records
    assert Path(out / "_logs").is_dir()
