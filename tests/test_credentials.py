"""Secrets in URLs (issue #17 B): default-deny query parameters, fragments, fingerprints that keep signed URLs apart.

No secret may reach ``source_uri``, the ``url`` column, the run record, the logs or the rejects; two signed URLs
that strip to the same text must stay two inputs, and a rerun of the same URL must stay incremental.
"""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsbeam.config import ConfigError, load
from newsbeam.ingest.context import IngestOptions
from newsbeam.ingest.readers import read_input
from newsbeam.ingest.sources import (
    DEFAULT_ALLOWED_URL_PARAMS,
    identity_uri,
    list_inputs,
    local_ref,
    remote_ref,
    scrub_text,
    strip_credentials,
)

SECRETS = ("s3cr3t", "hm4c", "Zm9vYmFy", "eyJhbGciOiJIUzI1NiJ9", "S35510N", "fr4gt0k", "unkn0wn")


@pytest.mark.parametrize(
    "uri,clean",
    [
        ("https://cdn.example/a.txt?__token__=exp=1~acl=/*~hmac=hm4c&page=2", "https://cdn.example/a.txt?page=2"),
        ("https://cdn.example/a.txt?hdnts=st=1~exp=2~hmac=hm4c", "https://cdn.example/a.txt"),
        ("https://h/a?jwt=eyJhbGciOiJIUzI1NiJ9.e30.sig&id=7", "https://h/a?id=7"),
        ("https://h/a?session=S35510N&q=floods", "https://h/a?q=floods"),
        ("https://h/a?PHPSESSID=S35510N&Page=3", "https://h/a?Page=3"),  # names compared case-insensitively
        ("https://h/a#access_token=fr4gt0k&token_type=bearer", "https://h/a"),
        ("https://h/a?whatever=unkn0wn&utm_source=rss&utm_medium=feed", "https://h/a?utm_source=rss&utm_medium=feed"),
        # An allowed name does not make a JSON Web Token harmless.
        ("https://h/a?id=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.Zm9vYmFy", "https://h/a"),
        ("https://h/story.html;jsessionid=S35510N?p=4", "https://h/story.html?p=4"),
        ("https://me:s3cr3t@h/a", "https://h/a"),
        ("https://h/a?page=2", "https://h/a?page=2"),  # nothing to strip: unchanged, not re-encoded
        ("/relative/path?token=s3cr3t#frag", "/relative/path"),
    ],
)
def test_default_deny(uri, clean):
    assert strip_credentials(uri) == clean


def test_allow_list_is_configurable():
    uri = "https://h/a?edition=uk&page=2&sig=s3cr3t"
    assert strip_credentials(uri, ("edition",)) == "https://h/a?edition=uk"
    assert strip_credentials(uri, ("ed*", "page")) == "https://h/a?edition=uk&page=2"
    assert "utm_*" in DEFAULT_ALLOWED_URL_PARAMS and "page" in DEFAULT_ALLOWED_URL_PARAMS


def test_identity_keeps_signed_urls_apart_stably_and_without_the_secret():
    a = "https://b.example/feed.jsonl?X-Amz-Credential=AK&X-Amz-Signature=s3cr3t1&page=1"
    b = "https://b.example/feed.jsonl?X-Amz-Credential=AK&X-Amz-Signature=s3cr3t2&page=1"
    ia, ib = identity_uri(a), identity_uri(b)
    assert ia != ib and ia.startswith("https://b.example/feed.jsonl?page=1#stripped-") and len(ia) == len(ib)
    assert identity_uri(a) == ia  # stable: a rerun of the same URL has the same identity
    assert "s3cr3t" not in ia + ib and "AK" not in ia.split("#")[1].upper().replace("STRIPPED", "")
    # Parameter order and the fragment do not make another resource; user:password does.
    assert identity_uri("https://h/a?sig=x&tok=y&page=1#top") == identity_uri("https://h/a?tok=y&page=1&sig=x")
    assert identity_uri("https://u:p1@h/a") != identity_uri("https://u:p2@h/a")
    assert identity_uri("https://h/a?page=1#top") == "https://h/a?page=1"  # nothing secret: no mark


def test_remote_refs_keys_and_scrubbing():
    one = remote_ref("https://me:s3cr3t@h/a.txt?token=unkn0wn&v=2", 5, '"e1"')
    two = remote_ref("https://me:s3cr3t@h/a.txt?token=other&v=2", 5, '"e1"')
    assert one.uri != two.uri and one.key != two.key and one.key.startswith(one.uri + "|")
    assert not any(s in repr(one) + one.key for s in SECRETS)
    # S3 and GCS object keys are names: a '?' or '#' in them is kept, user:password is not.
    assert remote_ref("s3://AKIA:s3cr3t@bucket/odd?name#1.txt", 1, None).uri == "s3://bucket/odd?name#1.txt"
    text = "GET https://h/a?page=2&jwt=eyJhbGciOiJIUzI1NiJ9 failed; /local?session=S35510N&p=1#access_token=fr4gt0k"
    assert not any(s in scrub_text(text) for s in SECRETS) and "page=2" in scrub_text(text)


# --- the url column: JSON url, HTML canonical, WARC target URI ------------------------------------------------------


def _read(path: Path, opts: IngestOptions | None = None):
    events = list(read_input(local_ref(str(path)), opts))
    return [v for k, v in events if k == "article"]


def _warc(target: str, html: bytes) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    w.write_record(w.create_warc_record(target, "response", payload=io.BytesIO(html), http_headers=headers))
    return buf.getvalue()


BODY = "<p>" + "The harbour authority in Gwadar reopened the eastern berth on Monday after repairs. " * 4 + "</p>"


def test_url_column_is_stripped_in_every_format(tmp_path):
    signed = "https://news.example/story?__token__=hm4c&session=S35510N&page=2#fr4gt0k"
    (tmp_path / "a.jsonl").write_text(json.dumps({"text": "Some text about the port.", "url": signed}) + "\n")
    (tmp_path / "b.txt").write_text(f"Title: Port\nURL: {signed}\n\nSome text about the port.\n")
    (tmp_path / "c.html").write_text(f'<html><head><title>Port</title><link rel="canonical" href="{signed}">'
                                     f"</head><body><article>{BODY}</article></body></html>")
    (tmp_path / "d.warc").write_bytes(_warc(signed, f"<html><body><article>{BODY}</article></body></html>".encode()))
    for name in ("a.jsonl", "b.txt", "c.html", "d.warc"):
        (art,) = _read(tmp_path / name)
        assert art["url"] == "https://news.example/story?page=2", name
        assert not any(s in json.dumps(art, default=str) for s in SECRETS), name
    # The configured allow-list reaches the readers.
    (art,) = _read(tmp_path / "a.jsonl", IngestOptions(allowed_url_params=("session",)))
    assert art["url"] == "https://news.example/story?session=S35510N"


def test_config_key(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ingest]\nallowed_url_params = ["edition", "page"]\n')
    assert load(str(cfg), {}).ingest.allowed_url_params == ("edition", "page")
    assert load(None, {}).ingest.allowed_url_params == DEFAULT_ALLOWED_URL_PARAMS
    cfg.write_text("[ingest]\nallowed_url_params = [1]\n")
    with pytest.raises(ConfigError, match="allowed_url_params"):
        load(str(cfg), {})


# --- a whole run over a loopback server ------------------------------------------------------------------------------


class _Feed(BaseHTTPRequestHandler):
    """Serves a different story per signature, as a CDN serving two signed objects behind one path would."""

    def log_message(self, *args):
        pass

    def _send(self, head: bool) -> None:
        sig = self.path.partition("X-Amz-Signature=")[2].split("&")[0]
        place = {"s3cr3t1": "Gwadar", "s3cr3t2": "Pasni"}.get(sig)
        if place is None:
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = (f"Harbour reopens in {place}\n\nThe port authority in {place} reopened the eastern berth on Monday "
                f"after three weeks of repairs, officials in {place} said.\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", f'"v1-{place}"')
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_GET(self):
        self._send(False)

    def do_HEAD(self):
        self._send(True)


@pytest.fixture()
def feed():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_listing_keeps_signed_urls_apart(feed):
    urls = [f"{feed}/story.txt?X-Amz-Signature={s}&page=1" for s in ("s3cr3t1", "s3cr3t2", "s3cr3t1")]
    refs = list_inputs(urls)
    assert len(refs) == 2 and len({r.key for r in refs}) == 2  # the repeated URL is one input
    assert all(r.uri.startswith(f"{feed}/story.txt?page=1#stripped-") for r in refs)


def test_run_keeps_signed_urls_apart_and_stores_no_secret(tmp_path, feed, capsys):
    import duckdb

    from newsbeam.cli import main

    urls = [f"{feed}/story.txt?X-Amz-Signature={s}&page=1#fr4gt0k" for s in ("s3cr3t1", "s3cr3t2")]
    manifest = tmp_path / "urls.txt"
    manifest.write_text("\n".join(urls) + "\n")
    out = tmp_path / "out"
    argv = ["run", "--manifest", str(manifest), "--out", str(out), "--exact-only", "--log-file", str(tmp_path / "l")]
    assert main([*argv, urls[0]]) == 0
    first = capsys.readouterr()
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    rows = con.execute("select article_id, source_uri, url, title from articles order by title").fetchall()
    con.close()
    assert [r[3] for r in rows] == ["Harbour reopens in Gwadar", "Harbour reopens in Pasni"]
    assert len({r[0] for r in rows}) == 2 and len({r[1] for r in rows}) == 2  # two inputs, two article ids
    assert all(r[1].startswith(f"{feed}/story.txt?page=1#stripped-") for r in rows)
    assert {r[2] for r in rows} == {f"{feed}/story.txt?page=1"}
    # No secret in any file of the output folder, in the log or on the terminal.
    stored = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file()) + (tmp_path / "l").read_bytes()
    assert not any(s.encode() in stored for s in SECRETS)
    assert not any(s in first.out + first.err for s in SECRETS)
    # A rerun of the same URLs is incremental: nothing new.
    assert main([*argv, urls[1]]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["newsbeam_summary"]
    assert (summary["files"], summary["files_skipped_already_done"]) == (0, 2)
