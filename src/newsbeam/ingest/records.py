"""From what a reader found to one article event: JSON record field mapping, cleaning of the article fields.

Every format ends here, so an article looks the same whichever format it came from: titles and outlets on one line,
URLs without credentials, the outlet of last resort taken from the URL's host, dates parsed one way.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import datetime, timezone
from typing import Any

from newsbeam.ingest.context import Event, ReadContext
from newsbeam.ingest.dates import parse_published
from newsbeam.ingest.encoding import BinaryError, UndecodableError, decode_bytes, repair_text
from newsbeam.ingest.sources import strip_credentials

_WS = re.compile(r"\s+")


# --- Records (JSON / JSONL) ---------------------------------------------------------------------------------------


def _get(obj: dict, fm: dict[str, str], name: str) -> Any:
    key = fm.get(name, name)
    if key in obj:
        return obj[key]
    if "." in key:
        cur: Any = obj
        for part in key.split("."):
            if not isinstance(cur, dict) or part not in cur:
                return None
            cur = cur[part]
        return cur
    return None


def _scalar(v: Any) -> str | None:
    if v is None or isinstance(v, (dict, list)):
        return None
    s = str(v).strip()
    return s or None


def record(ctx: ReadContext, obj: Any, location: str) -> Event:
    """One JSON value -> one article or one reject, the fields found through ``field_map``."""
    if not isinstance(obj, dict):
        return ctx.reject(location, "malformed_json", f"a JSON {type(obj).__name__}, not an object")
    fm = ctx.opts.field_map
    text_field = fm.get("text", "text")
    value = _get(obj, fm, "text")
    if isinstance(value, list):
        value = "\n\n".join(v for v in value if isinstance(v, str) and v.strip())
    if value is None:
        return ctx.reject(location, "missing_text", f"no '{text_field}' field (map another one with --field text=NAME)")
    if not isinstance(value, str):
        return ctx.reject(location, "missing_text", f"'{text_field}' is a {type(value).__name__}, not text")
    text = strip_blank_lines(repair_text(value))
    if not text:
        return ctx.reject(location, "missing_text", f"'{text_field}' is empty")
    return article(
        ctx,
        location,
        source_id=_scalar(_get(obj, fm, "id")),
        source=_scalar(_get(obj, fm, "source")),
        title=_scalar(_get(obj, fm, "title")),
        url=_scalar(_get(obj, fm, "url")),
        published=_get(obj, fm, "published"),
        text=text,
    )


# --- Articles -----------------------------------------------------------------------------------------------------


def article(
    ctx: ReadContext,
    location: str,
    *,
    source_id: str | None,
    source: str | None,
    title: str | None,
    url: str | None,
    published: Any,
    text: str,
) -> Event:
    """The one article shape every format produces (the fields cleaned here, not by each format)."""
    url = _clean_url(url, ctx.opts.allowed_url_params)
    pub, pub_raw = _published(published)
    return "article", {
        "source_uri": ctx.ref.uri,
        "location": location,
        "input_key": ctx.ref.key,
        "source_id": source_id,
        "source": inline(source) or _host(url),
        "title": inline(title),
        "url": url,
        "published": pub,
        "published_raw": pub_raw,
        "text": text,
    }


def _published(value: Any) -> tuple[datetime | None, str | None]:
    """Strings through parse_published; numbers are Unix time (seconds, or milliseconds when > 1e11)."""
    if value is None or isinstance(value, (dict, list)):
        return None, None
    if isinstance(value, bool):
        return None, str(value)
    if isinstance(value, (int, float)):
        secs = value / 1000 if abs(value) > 1e11 else value
        try:
            dt = datetime.fromtimestamp(secs, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None, str(value)
        return (dt, None) if 1900 <= dt.year <= 2100 else (None, str(value))
    return parse_published(inline(str(value)))


def inline(s: str | None) -> str | None:
    """Repaired text on one line (whitespace runs become one space), or None when nothing is left."""
    if s is None:
        return None
    s = _WS.sub(" ", repair_text(s)).strip()
    return s or None


def _clean_url(url: str | None, allowed: tuple[str, ...]) -> str | None:
    """The article's own URL (JSON ``url``, a text header, WARC target, HTML canonical) as the ``url`` column: the
    same credential stripping as input URIs, without the fingerprint (``url`` is not an identity)."""
    url = inline(url)
    if not url:
        return None
    return strip_credentials(url.strip("<>"), allowed) or None


def _host(url: str | None) -> str | None:
    """The outlet of last resort: the URL's host without a leading 'www.'."""
    if not url:
        return None
    try:
        host = urllib.parse.urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def strip_blank_lines(text: str) -> str:
    """Leading and trailing blank lines go; the first line's indentation (a paragraph mark) stays."""
    lines = text.split("\n")
    a, b = 0, len(lines)
    while a < b and not lines[a].strip():
        a += 1
    while b > a and not lines[b - 1].strip():
        b -= 1
    return "\n".join(lines[a:b]).rstrip()


def decode_article(
    ctx: ReadContext, location: str, data: bytes, hint: str | None = None
) -> tuple[str | None, Event | None]:
    """(text, None), or (None, reject) for bytes that are binary, undecodable or only whitespace."""
    try:
        text, _enc = decode_bytes(data, hint)
    except BinaryError as e:
        return None, ctx.reject(location, "binary", str(e))
    except UndecodableError as e:
        return None, ctx.reject(location, "undecodable", str(e))
    if not text.strip():
        return None, ctx.reject(location, "empty", "only whitespace")
    return text, None
