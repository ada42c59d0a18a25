"""Which format an input is: by the extension left after removing the compression suffix, else by its first bytes.

The extension table itself is built from the readers' format table (each format declares its extensions), so this
module only knows the content signatures and the one ordering rule between extension and content.
"""

from __future__ import annotations

import codecs
import os
import re
import urllib.parse
from collections.abc import Mapping

from newsbeam.ingest.streams import COMPRESSION_EXT

PEEK = 4096  # bytes of the decompressed start that sniffing may look at
_UTF8_BOM = codecs.BOM_UTF8


def format_extension(uri: str) -> str:
    """The lower-case extension of the URI's file name, with one compression suffix removed (``a.jsonl.gz``)."""
    name = urllib.parse.unquote(urllib.parse.urlsplit(uri).path.rsplit("/", 1)[-1]).lower()
    stem, ext = os.path.splitext(name)
    if ext in COMPRESSION_EXT:
        ext = os.path.splitext(stem)[1]
    return ext


def kind_of(ext: str, peek: bytes, by_extension: Mapping[str, str]) -> str:
    """The format kind: a known extension decides, except that a WARC header outranks a text extension."""
    kind = by_extension.get(ext)
    if kind == "text":
        return "warc" if peek.startswith(b"WARC/") else "text"
    return kind or sniff_content(peek)


def sniff_content(peek: bytes) -> str:
    """The format kind from the first bytes alone (an unknown extension, or a WARC payload's content check)."""
    if peek.startswith(b"WARC/"):
        return "warc"
    # Unknown extension: sniff. Prose rarely starts with '{"' or '[{', and a page nearly always shows <html early.
    start = peek.lstrip(_UTF8_BOM + b" \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start[:1024] or b"<body" in start[:2048]:
        return "html"
    if re.match(rb'\{\s*"', start):
        return "jsonl"
    if re.match(rb"\[\s*\{", start):
        return "json"
    return "text"
