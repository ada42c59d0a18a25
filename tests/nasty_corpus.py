"""Build a corpus of hostile inputs (plus a few good ones) and say exactly what reading it must produce.

Used by tests/test_ingest.py (read_input over every file) and by the end-to-end test (the real pipeline).

Unreadable file: the tests run as root, for whom ``chmod 000`` changes nothing, so the unreadable input is a
*dangling symlink* (``gone.txt`` -> a target that does not exist): listing sees it, opening it fails for every user.
A symlink pointing at itself is the symlink loop. Neither needs a FIFO (which would block a reader).

The 100 MB single-line JSON Lines file is written sparse (seek + write), so building it takes milliseconds and almost
no disk; reading it still streams 100 MB through the line reader.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import random
from pathlib import Path

import zstandard

HUGE_BYTES = 100 * 1024 * 1024

STORY = (
    "Title: Floods cut the coastal road near Gwadar\n"
    "Date: 2026-04-12T08:00:00+05:00\n"
    "Source: Coastal Desk\n"
    "URL: https://news.example.org/floods-gwadar\n"
    "\n"
    "Heavy rain overnight washed away a section of the coastal highway east of Gwadar, officials said on Sunday.\n"
    "\n"
    "Traffic between the port and Karachi was diverted through inland roads, adding several hours to the trip.\n"
    "\n"
    "The provincial disaster authority said repair crews would need at least a week to rebuild the embankment.\n"
)

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Market fire contained | Valley Times</title>
<meta property="og:site_name" content="Valley Times">
<link rel="canonical" href="https://valley.example.com/news/market-fire">
<meta property="article:published_time" content="2026-03-02T10:30:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Market fire contained</h1>
<p>Firefighters in Mingora brought a blaze at the old cloth market under control late on Monday night.</p>
<p>Shop owners said dozens of stalls were destroyed before the fire engines could reach the narrow lanes.</p>
<p>The district administration promised compensation and ordered an inquiry into the cause of the fire.</p>
</article><footer>All rights reserved.</footer></body></html>"""


def _warc(records: list[tuple[str, str, str | None, bytes]], gz: bool) -> bytes:
    """records: (type, target URI, Content-Type or None for requests, payload)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "newsbeam-tests"}))
    for rtype, uri, ctype, payload in records:
        if rtype == "response":
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(uri, "response", payload=io.BytesIO(payload), http_headers=headers)
        else:
            rec = writer.create_warc_record(uri, rtype, payload=io.BytesIO(payload))
        writer.write_record(rec)
    return buf.getvalue()


def _page(title: str, place: str) -> bytes:
    paras = "".join(
        f"<p>{s}</p>"
        for s in (
            f"Residents of {place} lined up at polling stations from early morning, election staff said.",
            f"Turnout in {place} was higher than at the last vote, according to the provisional count.",
            "Observers reported only minor delays caused by missing ballot boxes at two rural stations.",
        )
    )
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paras}</article></body></html>".encode()


def build_nasty_corpus(root: Path) -> dict:
    """Write the corpus under ``root``; return {"articles": n, "rejects": {reason: n}, "inputs": files listed}."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20260412)

    # Good inputs: 1 + 1 + 1 + 1 + 1 articles.
    (root / "story.txt").write_text(STORY, encoding="utf-8")
    (root / "latin1.txt").write_bytes(
        "Ticket prices rise\n\nA season ticket now costs £450, up from £400 last year, the club said.\n"
        .encode("latin-1")
    )
    (root / "utf16.txt").write_bytes(
        "Port reopens\r\n\r\nThe harbour reopened to cargo ships on Tuesday after the storm passed.\r\n".encode("utf-16")
    )
    (root / "page.html").write_text(PAGE, encoding="utf-8")
    # zstd content behind a .txt name: found by its magic bytes.
    (root / "compressed.txt").write_bytes(zstandard.ZstdCompressor().compress(STORY.replace("Gwadar", "Pasni").encode()))

    # JSON Lines: 3 articles, 3 malformed_json, 1 missing_text, 2 blank lines (counted only).
    lines = [
        json.dumps({"id": "a1", "text": "Wheat prices fell for a third week in Lahore.\u2028Traders blamed imports.",
                    "title": "Wheat prices fall", "published": "April 12, 2026"}),
        "{not json at all",
        "",
        json.dumps({"id": "a2", "text": "Schools in Peshawar will reopen on Monday after the winter break."}) + "\r",
        json.dumps(["a", "list", "not", "an", "object"]),
        json.dumps({"id": "a3", "title": "No body here"}),
        "   ",
        '{"id": "a4", "text": "unterminated string}',
        json.dumps({"id": "a5", "text": "The ferry service to Manora island resumed.", "published": "Ramadan 3"}),
    ]
    (root / "mixed.jsonl").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))

    # JSON array: 2 articles, 1 missing_text.
    (root / "array.json").write_text(json.dumps([
        {"text": "Power cuts returned to Quetta as demand rose with the heat.", "url": "https://q.example/p"},
        {"text": "Bus fares in Multan will stay unchanged this quarter, the transport office said."},
        {"text": "   "},
    ]), encoding="utf-8")

    # Rejects, one each.
    (root / "empty.txt").write_bytes(b"")  # empty
    (root / "blank.txt").write_bytes(b" \n\t\r\n  \n")  # empty
    (root / "random.bin").write_bytes(rng.randbytes(4096))  # binary
    gz = gzip.compress(STORY.encode() * 40, mtime=0)
    (root / "truncated.txt.gz").write_bytes(gz[: len(gz) // 2])  # truncated_archive
    bomb = bz2.compress(b"A" * (30 * 1024 * 1024))
    (root / "bomb.txt.bz2").write_bytes(bomb)  # too_large (30 MB once decompressed, default cap 20 MB)
    os.symlink("does-not-exist.txt", root / "gone.txt")  # unreadable (dangling symlink)
    os.symlink("loop.txt", root / "loop.txt")  # unreadable (symlink loop)

    # 100 MB single line, sparse: too_large at line:1.
    with open(root / "huge.jsonl", "wb") as f:
        f.write(b'{"text": "')
        f.seek(HUGE_BYTES - 3)
        f.write(b'"}\n')

    # WARC (gzip): 1 article (HTML response), 1 not_html (PNG response), request + warcinfo counted only.
    (root / "crawl.warc.gz").write_bytes(_warc([
        ("request", "https://votes.example.net/swat", None, b"GET /swat HTTP/1.1\r\nHost: votes.example.net\r\n\r\n"),
        ("response", "https://votes.example.net/swat", "text/html; charset=utf-8", _page("Voting in Swat", "Swat")),
        ("response", "https://votes.example.net/logo.png", "image/png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(200)),
    ], gz=True))

    # WARC cut inside its second response: 1 article, then truncated_archive.
    cut = _warc([
        ("response", "https://votes.example.net/dir", "text/html", _page("Voting in Dir", "Dir")),
        ("response", "https://votes.example.net/chitral", "text/html", _page("Voting in Chitral", "Chitral")),
    ], gz=False)
    (root / "cut.warc").write_bytes(cut[: cut.rindex(b"Turnout in Chitral")])

    # Hidden files are not inputs.
    (root / ".hidden.txt").write_text(STORY, encoding="utf-8")

    return {
        "articles": 5 + 3 + 2 + 1 + 1,
        "rejects": {
            "malformed_json": 3,
            "missing_text": 2,
            "empty": 2,
            "binary": 1,
            "truncated_archive": 2,
            "too_large": 2,
            "unreadable": 2,
            "not_html": 1,
        },
        "inputs": 17,
    }
