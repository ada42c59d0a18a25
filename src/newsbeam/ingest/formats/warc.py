"""WARC archives: each response record is one input, read as an HTML page.

Its location is ``record:N``, the 0-based position of the record among all records of the file, and its
``source_id`` the WARC-Record-ID. The position, not the record id, because the id is only unique if the writer
made it so: a crawler that reuses ids, or a WARC appended to itself, gave several articles one ``article_id``
(a hash of input and location) and the views then multiplied their rows. A position is unique by construction.

Request, metadata and other records are no inputs of their own: they are only counted. Payloads are read with the
per-article cap. The page's own date comes first, else the record's WARC-Date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from newsbeam.ingest.context import Event, Opened, Problem, ReadContext
from newsbeam.ingest.formats.html import html_article
from newsbeam.ingest.sniff import PEEK, sniff_content
from newsbeam.ingest.streams import CHUNK, read_upto

EXTENSIONS = frozenset({".warc"})
_HTML_MIMES = {"text/html", "application/xhtml+xml"}
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def read(ctx: ReadContext, opened: Opened) -> Iterator[Event]:
    if not opened.peek.startswith(b"WARC/"):
        yield ctx.reject("", "truncated_archive", f"not a WARC file (starts with {opened.peek[:12]!r})")
        return
    yield from _read_warc(ctx, opened.src)


def _read_warc(ctx: ReadContext, src: Any) -> Iterator[Event]:
    """Each response record is one input; other record types are counted. Page date first, else WARC-Date."""
    from warcio.archiveiterator import ArchiveIterator

    loc, n = "", 0
    try:
        for record in ArchiveIterator(src):
            n += 1
            loc = f"record:{n - 1}"
            if record.rec_type != "response":
                ctx.counts.append("warc-other-records")
                loc = ""
                continue
            rid = (record.rec_headers.get_header("WARC-Record-ID") or "").strip().strip("<>")[:500] or None
            yield _warc_response(ctx, record, loc, rid)
            loc = ""
    except Problem as p:
        yield ctx.reject(loc, p.reason, p.detail)
        return
    except Exception as e:  # warcio raises assorted types for a cut or invalid archive
        what = "not a WARC file" if n == 0 else f"archive invalid or cut after {n} records"
        yield ctx.reject(loc, "truncated_archive", f"{what}: {e.__class__.__name__}: {e}")
        return
    if n == 0:
        yield ctx.reject("", "empty", "no WARC records")


def _warc_response(ctx: ReadContext, record: Any, loc: str, rid: str | None) -> Event:
    target = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>") or None
    wdate = record.rec_headers.get_header("WARC-Date")
    http = record.http_headers
    try:
        body = read_upto(record.content_stream(), ctx.cap + 1)
    except Problem:
        raise
    except Exception as e:  # a broken chunked or gzip payload spoils this record, not the archive
        _drain(record)
        return ctx.reject(loc, "extraction_failed", f"payload cannot be decoded: {e.__class__.__name__}: {e}")
    _drain(record)
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise Problem("truncated_archive", f"archive ends inside this record ({record.raw_stream.limit} bytes missing)")
    if http is None:
        return ctx.reject(loc, "not_html", "response without HTTP headers")
    status = (http.get_statuscode() or "").strip()
    if not status.startswith("2"):
        return ctx.reject(loc, "http_status", f"HTTP status {status or 'missing'}")
    if len(body) > ctx.cap:
        return ctx.reject(loc, "too_large", f"payload longer than max_article_bytes={ctx.cap}")
    ctype = http.get_header("Content-Type") or ""
    mime = ctype.split(";")[0].strip().lower()
    if mime not in _HTML_MIMES:
        looks_html = sniff_content(body[:PEEK]) == "html"
        if not (looks_html and mime in ("", "application/octet-stream", "text/plain")):
            return ctx.reject(loc, "not_html", f"Content-Type {mime or 'missing'}")
    m = _CT_CHARSET.search(ctype)
    return html_article(ctx, loc, body, url=target, charset=m.group(1) if m else None, fetch_date=wdate,
                        source_id=rid)


def _drain(record: Any) -> None:
    # Ends at the end of the record's stream (each pass consumes what it reads).
    while record.raw_stream.read(CHUNK):
        pass
