"""HTML pages: one article per file (location ``""``), the main text found by trafilatura.

``html_article`` is also what a WARC response record becomes, so both formats extract pages the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from newsbeam.ingest.context import Event, Opened, ReadContext
from newsbeam.ingest.encoding import repair_text
from newsbeam.ingest.records import article, decode_article, inline
from newsbeam.ingest.streams import read_whole

EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".shtml"})
_BLOCK_TAGS = {"p", "head", "list", "item", "quote", "table", "row", "code", "div"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def read(ctx: ReadContext, opened: Opened) -> Iterator[Event]:
    data, rej = read_whole(ctx, opened)
    yield rej if rej is not None else html_article(ctx, "", data, url=opened.web_url, charset=None)


def _inline_text(el: Any) -> str:
    out = [el.text or ""]
    for sub in el:
        out.append("\n" if sub.tag == "lb" else _inline_text(sub))
        out.append(sub.tail or "")
    return "".join(out)


def _blocks(el: Any) -> Iterator[str]:
    """Trafilatura's output tree -> paragraphs: one per p/head/quote paragraph, list item and table row."""
    for child in el:
        tag = child.tag
        if tag == "list":
            for item in child.iter("item"):
                yield _inline_text(item)
        elif tag == "table":
            for row in child.iter("row"):
                cells = [" ".join(_inline_text(c).split()) for c in row.iter("cell")]
                yield " | ".join(c for c in cells if c)
        elif any(sub.tag in _BLOCK_TAGS for sub in child):
            yield from _blocks(child)
        else:
            yield _inline_text(child)


def html_text(body: Any, title: str | None) -> str:
    """Trafilatura's body tree -> paragraphs separated by blank lines, whitespace collapsed, headline dropped."""
    paras = []
    for block in _blocks(body):
        lines = [" ".join(ln.split()) for ln in block.split("\n")]
        para = "\n".join(ln for ln in lines if ln)
        if para:
            paras.append(para)
    # The headline is usually repeated as the first heading; it belongs in title, not text.
    if paras and title and " ".join(paras[0].split()).casefold() == " ".join(title.split()).casefold():
        paras = paras[1:]
    return "\n\n".join(paras)


def html_article(
    ctx: ReadContext, location: str, data: bytes, url: str | None, charset: str | None, fetch_date: str | None = None,
    source_id: str | None = None,
) -> Event:
    """One page -> one article or one reject; ``charset`` from HTTP headers, else the page's own meta tag."""
    if not data.strip():
        return ctx.reject(location, "empty", "only whitespace")
    if charset is None:
        m = _META_CHARSET.search(data[:4096])
        charset = m.group(1).decode("ascii", "replace") if m else None
    html, rej = decode_article(ctx, location, data, charset)
    if rej is not None:
        return rej
    import trafilatura  # an ImportError here is an install problem, not a bad page

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            # Dates from the page's markup only; no guessing from free text.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as e:  # lxml and trafilatura raise many types on hostile markup
        return ctx.reject(location, "extraction_failed", f"{e.__class__.__name__}: {e}")
    body = getattr(doc, "body", None) if doc is not None else None
    title = inline(getattr(doc, "title", None)) if doc is not None else None
    text = repair_text(html_text(body, title)) if body is not None else ""
    if not text.strip():
        return ctx.reject(location, "extraction_failed", "no main text found in the page")
    return article(
        ctx,
        location,
        source_id=source_id,
        source=getattr(doc, "sitename", None),
        title=title,
        url=getattr(doc, "url", None) or url,
        published=getattr(doc, "date", None) or fetch_date,
        text=text,
    )
