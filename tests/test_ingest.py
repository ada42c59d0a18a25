import bz2
import gzip
import io
import json
import os
import socket
import threading
import tracemalloc
from collections import Counter
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import zstandard
from conftest import moto_s3
from nasty_corpus import STORY, build_nasty_corpus

from newsbeam.ingest.formats.text import parse_text_article
from newsbeam.ingest.readers import FORMATS, IngestOptions, read_input
from newsbeam.ingest.sniff import format_extension, kind_of
from newsbeam.ingest.sources import list_inputs, local_ref, remote_ref

OPTS = IngestOptions()


def run(ref, opts=OPTS):
    arts, rejs, counts = [], [], Counter()
    for kind, value in read_input(ref, opts):
        if kind == "article":
            arts.append(value)
        elif kind == "reject":
            rejs.append(value)
        else:
            assert kind == "count"
            counts[value] += 1
    return arts, rejs, counts


def read_file(path, data=None, opts=OPTS):
    path = Path(path)
    if data is not None:
        path.write_bytes(data)
    return run(local_ref(str(path)), opts)


def where(rejs):
    return [(r["location"], r["reason"]) for r in rejs]


ARTICLE_KEYS = {"source_uri", "location", "input_key", "source_id", "source", "title", "url", "published",
                "published_raw", "text"}
REJECT_KEYS = {"source_uri", "location", "input_key", "reason", "detail"}


# --- the nasty corpus ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nasty(tmp_path_factory):
    root = tmp_path_factory.mktemp("nasty")
    expected = build_nasty_corpus(root)
    return root, expected


def test_nasty_corpus_every_record_accounted_for(nasty):
    root, expected = nasty
    refs = list_inputs([str(root)])
    assert len(refs) == expected["inputs"]
    n_articles, reasons, counts = 0, Counter(), Counter()
    for ref in refs:
        arts, rejs, cnt = run(ref)
        assert arts or rejs, ref.uri  # no input vanishes
        for a in arts:
            assert set(a) == ARTICLE_KEYS and a["input_key"] == ref.key and a["source_uri"] == ref.uri
            assert a["text"].strip()
            assert a["published"] is None or a["published"].tzinfo == timezone.utc
        for r in rejs:
            assert set(r) == REJECT_KEYS and r["input_key"] == ref.key and r["detail"]
        n_articles += len(arts)
        reasons.update(r["reason"] for r in rejs)
        counts.update(cnt)
    assert n_articles == expected["articles"]
    assert dict(reasons) == expected["rejects"]
    # 17 files; mixed.jsonl holds 7 records, array.json 3, crawl.warc.gz 2 responses, cut.warc 2.
    assert n_articles + sum(reasons.values()) == 13 + 7 + 3 + 2 + 2
    assert dict(counts) == {"blank-lines": 2, "warc-other-records": 3}


def test_nasty_corpus_details(nasty):
    root, _ = nasty
    arts, rejs, _ = read_file(root / "mixed.jsonl")
    assert [a["location"] for a in arts] == ["line:1", "line:4", "line:9"]
    assert where(rejs) == [("line:2", "malformed_json"), ("line:5", "malformed_json"), ("line:6", "missing_text"),
                           ("line:8", "malformed_json")]
    assert arts[0]["text"] == "Wheat prices fell for a third week in Lahore.\u2028Traders blamed imports."
    assert (arts[2]["published"], arts[2]["published_raw"]) == (None, "Ramadan 3")

    arts, rejs, _ = read_file(root / "compressed.txt")
    assert arts[0]["title"] == "Floods cut the coastal road near Pasni" and not rejs

    arts, rejs, counts = read_file(root / "crawl.warc.gz")
    assert [a["url"] for a in arts] == ["https://votes.example.net/swat"]
    assert arts[0]["location"][len("record:"):].isdigit()  # the record's position: unique by construction
    assert arts[0]["source_id"].startswith("urn:uuid:") and ">" not in arts[0]["source_id"]
    assert where(rejs)[0][1] == "not_html" and rejs[0]["detail"] == "Content-Type image/png"

    arts, rejs, _ = read_file(root / "cut.warc")
    assert [a["title"] for a in arts] == ["Voting in Dir"] and [r["reason"] for r in rejs] == ["truncated_archive"]

    for name, reason, detail in [
        ("gone.txt", "unreadable", "file not found (dangling symlink, or removed after listing)"),
        ("loop.txt", "unreadable", "symlink loop"),
        ("empty.txt", "empty", "0 bytes"),
    ]:
        assert read_file(root / name)[1][0]["detail"] == detail
        assert read_file(root / name)[1][0]["reason"] == reason
    assert where(read_file(root / "huge.jsonl")[1]) == [("line:1", "too_large")]
    assert read_file(root / "latin1.txt")[0][0]["text"].startswith("A season ticket now costs £450")


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_bounded_on_huge_line_and_bomb(nasty):
    root, _ = nasty
    huge = local_ref(str(root / "huge.jsonl"))
    assert huge.size == 100 * 1024 * 1024
    small = IngestOptions(max_article_bytes=1_000_000)
    assert _peak(lambda: run(huge, small)) < 6_000_000
    assert _peak(lambda: run(huge)) < 2 * OPTS.max_article_bytes + 6_000_000  # default cap: 20 MB, file: 100 MB
    bomb = local_ref(str(root / "bomb.txt.bz2"))
    assert _peak(lambda: run(bomb, small)) < 8_000_000
    assert where(run(bomb, small)[1]) == [("", "too_large")]


# --- plain text ---------------------------------------------------------------------------------------------------


def test_text_header_block():
    headers, title, body = parse_text_article(STORY)
    assert title == "Floods cut the coastal road near Gwadar"
    assert headers["date"] == "2026-04-12T08:00:00+05:00" and headers["source"] == "Coastal Desk"
    assert body.startswith("Heavy rain overnight") and body.count("\n\n") == 2 and "Title:" not in body


@pytest.mark.parametrize(
    "text,title,body",
    [
        ("Headline\n\nPara one.\n\nPara two.\n", "Headline", "Para one.\n\nPara two."),
        ("\n\n  Headline  \nLine one.\nLine two.", "Headline", "Line one.\nLine two."),
        ("Just one line of text.", None, "Just one line of text."),
        ("Date: 2026-04-12\n\nHeadline-less body.", None, "Headline-less body."),
        # "Source:" followed by text, not by a blank line: no header block; first line is the title.
        ("Source: officials said the road was closed.\nMore text.", "Source: officials said the road was closed.",
         "More text."),
        ("x" * 301 + "\nsecond", None, "x" * 301 + "\nsecond"),
        ("TITLE: Upper case keys\nid: 42\n\n    Indented first line.\nnext", "Upper case keys",
         "    Indented first line.\nnext"),
    ],
)
def test_text_title_rules(text, title, body):
    assert parse_text_article(text)[1:] == (title, body)


def test_text_article_fields(tmp_path):
    data = (
        b"Title: Bridge opens\nPublished: April 12, 2026\nID: br-1\n"
        b"URL: https://user:pw@www.example.org/bridge?token=abc&p=1\n\nThe new bridge opened.\r\n\r\nTraffic flowed.\n"
    )
    (a,), rejs, _ = read_file(tmp_path / "a.txt", data)
    assert not rejs
    assert a["title"] == "Bridge opens" and a["source_id"] == "br-1" and a["location"] == ""
    assert a["url"] == "https://www.example.org/bridge?p=1" and a["source"] == "example.org"
    assert a["published"] == datetime(2026, 4, 12, tzinfo=timezone.utc) and a["published_raw"] is None
    assert a["text"] == "The new bridge opened.\n\nTraffic flowed."


def test_text_rejects(tmp_path):
    assert where(read_file(tmp_path / "h.txt", b"Title: only a header\n\n\n")[1]) == [("", "empty")]
    assert where(read_file(tmp_path / "w.txt", "  \n".encode("utf-16"))[1]) == [("", "empty")]
    assert where(read_file(tmp_path / "b.txt", b"\x00\x01\x02binary" * 100)[1]) == [("", "binary")]
    high = bytes(b | 0x80 for b in os.urandom(2000))
    assert where(read_file(tmp_path / "u.txt", high)[1]) == [("", "undecodable")]
    big = read_file(tmp_path / "big.txt", b"word " * 300, IngestOptions(max_article_bytes=1000))[1]
    assert where(big) == [("", "too_large")] and big[0]["detail"] == "1500 bytes, more than max_article_bytes=1000"


def test_unreadable_kinds(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    assert read_file(tmp_path / "folder.txt")[1][0]["detail"] == "is a directory"
    assert read_file(tmp_path / "pipe.txt")[1][0]["detail"] == "not a regular file (FIFO, socket or device)"


# --- the format table ---------------------------------------------------------------------------------------------


def test_format_table_extensions_are_disjoint():
    seen: dict[str, str] = {}
    for kind, fmt in FORMATS.items():
        for ext in fmt.extensions:
            assert ext not in seen, f"{ext} is claimed by {seen[ext]} and {kind}"
            assert ext.startswith(".") and ext == ext.lower(), ext
            seen[ext] = kind


@pytest.mark.parametrize(
    "name, peek, kind",
    [
        ("a.jsonl.gz", b"plain words", "jsonl"),  # a known extension decides, after the compression suffix
        ("a.json", b"WARC/1.0", "json"),  # ... even over a WARC header
        ("a.txt", b"WARC/1.0\r\n", "warc"),  # except a text extension: a WARC header outranks it
        ("a.txt", b"<html><body>", "text"),
        ("a.dat", b"\xef\xbb\xbf  <!DOCTYPE html>", "html"),  # unknown extension: sniffed
        ("a.dat", b'{ "text": 1}', "jsonl"),
        ("a.dat", b"[ {", "json"),
        ("a", b"Just prose.", "text"),
    ],
)
def test_format_kind_by_extension_then_content(name, peek, kind):
    by_ext = {ext: k for k, fmt in FORMATS.items() for ext in fmt.extensions}
    assert kind_of(format_extension(f"s3://b/dir/{name}"), peek, by_ext) == kind


# --- compression --------------------------------------------------------------------------------------------------


def test_compression_by_magic_and_extension(tmp_path):
    body = STORY.encode()
    two_frames = zstandard.ZstdCompressor().compress(body[:100]) + zstandard.ZstdCompressor().compress(body[100:])
    for name, data in [
        ("a.txt.gz", gzip.compress(body)),
        ("a.txt.bz2", bz2.compress(body)),
        ("a.txt.zst", two_frames),
        ("a.txt", gzip.compress(body)),  # wrong extension, magic decides
        ("a.txt.gz", body),  # not compressed after all
    ]:
        (a,), rejs, _ = read_file(tmp_path / name, data)
        assert a["title"] == "Floods cut the coastal road near Gwadar" and not rejs, name


def test_truncated_streams(tmp_path):
    body = (STORY * 50).encode()
    for name, data in [
        ("t.txt.gz", gzip.compress(body)[:-20]),
        ("t.txt.zst", zstandard.ZstdCompressor().compress(body)[:-5]),
        ("t.txt.bz2", bz2.compress(body)[:-10]),
        ("t.txt.gz", b"\x1f\x8b\x08\x00garbage that is not deflate data"),
    ]:
        arts, rejs, _ = read_file(tmp_path / name, data)
        assert not arts and where(rejs) == [("", "truncated_archive")], name


def test_truncated_jsonl_keeps_the_lines_before(tmp_path):
    lines = b"".join(json.dumps({"text": f"Report number {i} on the weather."}).encode() + b"\n" for i in range(2000))
    arts, rejs, _ = read_file(tmp_path / "cut.jsonl.gz", gzip.compress(lines)[:-200])
    assert 1500 < len(arts) < 2000 and arts[-1]["location"] == f"line:{len(arts)}"
    assert where(rejs) == [(f"line:{len(arts) + 1}", "truncated_archive")]


# --- JSON Lines and JSON ------------------------------------------------------------------------------------------


def test_jsonl_field_map_nested_and_types(tmp_path):
    rows = [
        {"body": ["First para.", "", "Second para."], "meta": {"when": 1775980800}, "headline": " A  title ",
         "link": "https://x.example/a?sig=secret", "uid": 7},
        {"body": "Text with\r\nCRLF", "meta": {"when": 1775980800000}, "outlet": "Daily"},
        {"body": 12},
    ]
    data = b"\xef\xbb\xbf" + b"\n".join(json.dumps(r).encode() for r in rows)  # BOM, no final newline
    opts = IngestOptions(field_map={"text": "body", "published": "meta.when", "title": "headline", "url": "link",
                                    "id": "uid", "source": "outlet"})
    arts, rejs, _ = read_file(tmp_path / "m.ndjson", data, opts)
    a, b = arts
    assert a["text"] == "First para.\n\nSecond para." and a["title"] == "A title" and a["source_id"] == "7"
    assert a["url"] == "https://x.example/a" and a["source"] == "x.example"
    assert a["published"] == b["published"] == datetime(2026, 4, 12, 8, tzinfo=timezone.utc)
    assert b["text"] == "Text with\nCRLF" and b["source"] == "Daily"
    assert where(rejs) == [("line:3", "missing_text")] and rejs[0]["detail"] == "'body' is a int, not text"


def test_jsonl_encodings(tmp_path):
    line = '{"text": "Price rose to £5 – analysts said"}\n'
    (a,), _, _ = read_file(tmp_path / "cp.jsonl", line.encode("cp1252"))
    assert a["text"] == "Price rose to £5 – analysts said"
    arts, rejs, _ = read_file(tmp_path / "u16.jsonl", (line * 3).encode("utf-16"))
    assert [x["text"] for x in arts] == ["Price rose to £5 – analysts said"] * 3 and not rejs
    moj = '{"text": "cafÃ© owners"}\n'
    assert read_file(tmp_path / "moj.jsonl", moj.encode())[0][0]["text"] == "café owners"


def test_jsonl_long_line_skipped_and_reading_goes_on(tmp_path):
    data = b'{"text": "' + b"x" * 5000 + b'"}\n{"text": "short one"}\n\n\n'
    arts, rejs, counts = read_file(tmp_path / "l.jsonl", data, IngestOptions(max_article_bytes=1000))
    assert where(rejs) == [("line:1", "too_large")] and [a["location"] for a in arts] == ["line:2"]
    assert counts == {"blank-lines": 2}
    assert where(read_file(tmp_path / "b.jsonl", b"\n \n\t\n")[1]) == [("", "empty")]


def test_json_array_streaming_across_chunks(tmp_path):
    items = [{"id": i, "text": f"Item {i} " + "word " * 100} for i in range(3000)]  # ~1.6 MB, several chunks
    arts, rejs, _ = read_file(tmp_path / "a.json", json.dumps(items).encode())
    assert len(arts) == 3000 and not rejs
    assert arts[2999]["location"] == "item:2999" and arts[2999]["source_id"] == "2999"


def test_json_shapes(tmp_path):
    one = read_file(tmp_path / "one.json", b'{"text": "single", "title": "T"}')
    assert [(a["location"], a["title"]) for a in one[0]] == [("", "T")]
    many = read_file(tmp_path / "many.json", b'{"text": "a"}\n{"text": "b"} {"x": 1}')
    assert [a["location"] for a in many[0]] == ["item:0", "item:1"] and where(many[1]) == [("item:2", "missing_text")]
    bad = read_file(tmp_path / "bad.json", b'[{"text": "a"}, {"text": "b"} {"text": "c"}]')
    assert [a["location"] for a in bad[0]] == ["item:0", "item:1"] and where(bad[1]) == [("item:2", "malformed_json")]
    cut = read_file(tmp_path / "cut.json", b'[{"text": "a"}, {"text": "b')
    assert where(cut[1]) == [("item:1", "malformed_json")]
    assert where(read_file(tmp_path / "e.json", b" [ ] ")[1]) == [("", "empty")]
    assert where(read_file(tmp_path / "n.json", b"nonsense")[1]) == [("", "malformed_json")]
    big = read_file(tmp_path / "big.json", json.dumps([{"text": "x" * 5000}]).encode(), IngestOptions(max_article_bytes=1000))
    assert where(big[1]) == [("item:0", "too_large")]


# --- HTML and WARC ------------------------------------------------------------------------------------------------


PAGE = (
    "<html><head><meta charset='windows-1251'><title>Новости</title></head><body><article><h1>Новости</h1>"
    "<p>Правительство объявило в среду о новых мерах поддержки экономики страны.</p>"
    "<ul><li>Первый пункт списка мер</li><li>Второй пункт списка мер</li></ul>"
    "<p>Профсоюзы выступили с критикой<br>и потребовали повышения зарплат.</p></article></body></html>"
)


def test_html_extraction(tmp_path):
    (a,), rejs, _ = read_file(tmp_path / "p.htm", PAGE.encode("cp1251"))
    assert a["title"] == "Новости" and not rejs
    assert a["text"] == (
        "Правительство объявило в среду о новых мерах поддержки экономики страны.\n\n"
        "Первый пункт списка мер\n\nВторой пункт списка мер\n\n"
        "Профсоюзы выступили с критикой\nи потребовали повышения зарплат."
    )
    no_text = read_file(tmp_path / "e.html", b"<html><head><title>x</title></head><body></body></html>")
    assert where(no_text[1]) == [("", "extraction_failed")]
    # Unknown extension: sniffed as HTML.
    assert read_file(tmp_path / "page", PAGE.encode("cp1251"))[0][0]["title"] == "Новости"


def _warc(records):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    for status, ctype, payload in records:
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://site.example/p", "response", payload=io.BytesIO(payload),
                                            http_headers=headers))
    return buf.getvalue()


def test_warc_statuses_and_zstd(tmp_path):
    page = PAGE.replace("windows-1251", "utf-8").encode()
    data = _warc([("200 OK", "text/html", page), ("404 Not Found", "text/html", page), ("200 OK", "", page),
                  ("200 OK", "text/html", b"<html><body></body></html>")])
    arts, rejs, _ = read_file(tmp_path / "w.warc.zst", zstandard.ZstdCompressor().compress(data))
    assert len(arts) == 2 and arts[0]["published"].year >= 2024  # fetch date from WARC-Date (page has none)
    assert [r["reason"] for r in rejs] == ["http_status", "extraction_failed"]
    assert rejs[0]["detail"] == "HTTP status 404"
    notwarc = read_file(tmp_path / "n.warc", b"this is not a warc file at all\n")[1]
    assert where(notwarc) == [("", "truncated_archive")] and notwarc[0]["detail"].startswith("not a WARC file")


# --- remote: a real local HTTP server ------------------------------------------------------------------------------


class _Server(BaseHTTPRequestHandler):
    """Serves ``files`` with Range support; /flaky.txt fails twice with 503; /cut.jsonl drops its first
    connection halfway and then answers the first Range request (smart_open's own resume) with 503, so only
    newsbeam's reopen-and-seek gets the rest."""

    files: dict = {}
    requests: list = []

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _serve(self, head):
        path = self.path.split("?")[0]
        rng = self.headers.get("Range")
        self.requests.append((path, rng))
        seen = [r for p, r in self.requests if p == path]
        if path == "/flaky.txt" and len(seen) <= 2:
            return self._status(503)
        if path == "/cut.jsonl" and rng and sum(1 for r in seen if r) == 1:
            return self._status(503)
        if path not in self.files:
            return self._status(404)
        body = self.files[path]
        start = int(rng.split("=")[1].split("-")[0]) if rng else 0
        self.send_response(206 if rng else 200)
        self.send_header("Content-Length", str(len(body) - start))
        self.send_header("ETag", '"e1"')
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.end_headers()
        if head:
            return
        if path == "/cut.jsonl" and len(seen) == 1:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.wfile.write(body[start:])

    def _status(self, code):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def http():
    _Server.files = {
        "/story.txt": STORY.replace("https://news.example.org/floods-gwadar",
                                    "https://ed:pw@news.example.org/floods?X-Amz-Signature=ab12&p=2").encode(),
        "/flaky.txt": b"Flaky\n\nServed after two failures.",
        "/cut.jsonl": b"".join(json.dumps({"text": f"Line {i} of the feed."}).encode() + b"\n" for i in range(5000)),
        "/page": PAGE.encode("cp1251"),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


FAST = IngestOptions(retries=3, backoff=0.01, timeout=5)


def test_http_article_and_credentials_stripped(http):
    (ref,) = list_inputs([f"http://me:secret@{http}/story.txt?token=t0k&v=1"])
    (a,), rejs, _ = run(ref, FAST)
    assert a["source_uri"].startswith(f"http://{http}/story.txt?v=1#stripped-")  # a fingerprint, not the secrets
    assert ref.key.startswith(a["source_uri"] + "|")
    assert a["url"] == "https://news.example.org/floods?p=2"
    assert "secret" not in repr(a) and "t0k" not in repr(a) and "ab12" not in repr(a) and "pw" not in a["url"]
    (page,), _, _ = run(list_inputs([f"http://{http}/page"])[0], FAST)
    assert page["title"] == "Новости" and page["url"] == f"http://{http}/page" and page["source"] == http


def test_http_retries_and_resume(http):
    (a,), rejs, counts = run(remote_ref(f"http://{http}/flaky.txt", None, None), FAST)
    assert a["text"] == "Served after two failures." and counts["remote-retries"] == 2
    arts, rejs, counts = run(remote_ref(f"http://{http}/cut.jsonl", None, None), FAST)
    assert len(arts) == 5000 and not rejs and counts["remote-retries"] == 1
    assert arts[-1]["text"] == "Line 4999 of the feed."
    cut = [(p, r) for p, r in _Server.requests if p == "/cut.jsonl"]
    assert cut[0] == ("/cut.jsonl", None) and cut[-1][1] is not None and cut[-1][1] != "bytes=0-"  # resumed


def test_http_unreachable(http):
    missing = run(remote_ref(f"http://u:pw@{http}/missing.txt?sig=zz", None, None), FAST)
    assert where(missing[1]) == [("", "unreachable")] and missing[1][0]["detail"] == "HTTP 404 Not Found"
    assert missing[2]["remote-retries"] == 0  # 404 is not retried
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    ref = remote_ref(f"http://user:pw@127.0.0.1:{port}/a.txt?X-Amz-Signature=s1g", None, None)
    (rej,) = run(ref, IngestOptions(retries=1, backoff=0.01, timeout=2))[1]
    assert rej["reason"] == "unreachable" and rej["detail"].endswith("(after 2 attempts)")
    assert rej["source_uri"].startswith(f"http://127.0.0.1:{port}/a.txt#stripped-")
    assert "pw" not in rej["detail"] and "s1g" not in rej["detail"]


# --- remote: a real S3-compatible server (moto) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3():
    lines = b"".join(json.dumps({"text": f"Story {i} from the wire."}).encode() + b"\n" for i in range(3))
    objects = {"2026/04/wire.jsonl.gz": gzip.compress(lines), "2026/04/story.txt": STORY.encode()}
    with moto_s3({"feeds": objects}) as client:
        yield client


def test_s3_read(s3):
    refs = list_inputs(["s3://feeds/2026/"])
    assert [r.uri for r in refs] == ["s3://feeds/2026/04/story.txt", "s3://feeds/2026/04/wire.jsonl.gz"]
    story, wire = (run(r, FAST) for r in refs)
    assert story[0][0]["title"] == "Floods cut the coastal road near Gwadar"
    assert [a["location"] for a in wire[0]] == ["line:1", "line:2", "line:3"]
    assert wire[0][0]["input_key"] == refs[1].key and not wire[1]
    gone = run(remote_ref("s3://feeds/2026/04/gone.txt", None, None), FAST)
    assert where(gone[1]) == [("", "unreachable")] and "NoSuchKey" in gone[1][0]["detail"]
