"""Plain text (and Markdown): one article per file, location ``""``; an optional ``Key: value`` header block."""

from __future__ import annotations

import re
from collections.abc import Iterator

from newsbeam.ingest.context import Event, Opened, ReadContext
from newsbeam.ingest.records import article, decode_article, inline, strip_blank_lines
from newsbeam.ingest.streams import read_whole

EXTENSIONS = frozenset({".txt", ".text", ".md"})
_HEADER_LINE = re.compile(r"^[ \t]*(title|date|published|url|source|id)[ \t]*:[ \t]*(.*?)\s*$", re.IGNORECASE)
_MAX_TITLE_LINE = 300


def read(ctx: ReadContext, opened: Opened) -> Iterator[Event]:
    data, rej = read_whole(ctx, opened)
    yield rej if rej is not None else _text_article(ctx, "", data, url=opened.web_url)


def parse_text_article(text: str) -> tuple[dict[str, str], str | None, str]:
    """(header fields, title, body) of a plain-text article.

    A header block is ``Key: value`` lines at the top (keys Title, Date, Published, URL, Source, ID), ended by a
    blank line (or the end). Without one, the first non-empty line is the title, unless it is the only line or
    longer than 300 characters (then it is body text, not a headline). A header block without Title gives no title.
    """
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    headers: dict[str, str] = {}
    j = i
    while j < len(lines):
        m = _HEADER_LINE.match(lines[j])
        if not m:
            break
        headers.setdefault(m.group(1).lower(), m.group(2))
        j += 1
    if headers and (j == len(lines) or not lines[j].strip()):
        title = headers.get("title") or None
        return headers, title, strip_blank_lines("\n".join(lines[j:]))
    if i >= len(lines):
        return {}, None, ""
    first = lines[i].strip()
    rest = strip_blank_lines("\n".join(lines[i + 1 :]))
    if not rest or len(first) > _MAX_TITLE_LINE:
        return {}, None, strip_blank_lines("\n".join(lines[i:]))
    return {}, first, rest


def _text_article(ctx: ReadContext, location: str, data: bytes, url: str | None) -> Event:
    if not data.strip():
        return ctx.reject(location, "empty", "only whitespace")
    text, rej = decode_article(ctx, location, data)
    if rej is not None:
        return rej
    headers, title, body = parse_text_article(text or "")
    if not body:
        return ctx.reject(location, "empty", "no text after the title and header lines")
    return article(
        ctx,
        location,
        source_id=inline(headers.get("id")),
        source=headers.get("source"),
        title=title,
        url=headers.get("url") or url,
        published=headers.get("published") or headers.get("date"),
        text=body,
    )
