"""Read one input (local or remote, maybe compressed) into article and reject records.

``read_input`` is the only entry point the pipeline calls. It never raises for bad input: every file, JSON record and
WARC response becomes exactly one article or one reject, and things that are not inputs of their own (blank JSONL
lines, WARC request/metadata records) are only counted. That rule is what lets a run report
``articles + rejects == records`` and lets users find every dropped record in the ``rejects`` table.

Layers, each with one job, so a failure is reported by the layer that understands it:

* raw bytes (``transport``): a local file, or a remote object through smart_open with retries and resume-on-error
  (failures: ``unreadable`` / ``unreachable``);
* decompression (``streams``) chosen by magic bytes first, extension second (a zstd file named ``.txt`` is still
  read); a stream that ends early or is corrupt is ``truncated_archive``;
* the format (``sniff``), chosen by the extension left after removing the compression suffix, or sniffed for
  unknown ones; then the format's reader (``formats/``, one module each, listed in ``FORMATS``), which turns what it
  finds into articles through ``records``.

Adding a format means one module in ``formats/`` (``EXTENSIONS`` and ``read``) and one line in ``FORMATS``.

Memory is bounded by ``max_article_bytes`` per article: single-article files are read with that cap (a larger
local or remote object is rejected from its size without reading it), JSON Lines are split with a streaming line
reader that discards an over-long line while reading it, JSON arrays are parsed item by item, WARC payloads are
read with the cap. Decompression never produces much more than the cap either (zstd is fed in 1 KiB steps, which
bounds one step's output to about 32 MB even for a crafted bomb).

Locations: ``""`` for one-article files, ``line:N`` (1-based) for JSON Lines, ``item:N`` (0-based) for JSON arrays
and files of several concatenated JSON objects, ``record:N`` (0-based, counting every record) for WARC, whose
WARC-Record-ID is the article's ``source_id``. A location is unique within its input by construction, because the
``article_id`` is a hash of input and location.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import NamedTuple

from newsbeam.ingest.context import (
    FIELDS,
    SKIP,
    Event,
    IngestOptions,
    Opened,
    Problem,
    ReadContext,
    Reader,
    scrub,
)
from newsbeam.ingest.formats import html, json_array, jsonl, text, warc
from newsbeam.ingest.sniff import PEEK, format_extension, kind_of
from newsbeam.ingest.sources import InputRef, scheme_of
from newsbeam.ingest.streams import Guarded, Prefixed, decompressor, magic, read_upto
from newsbeam.ingest.transport import open_raw

__all__ = ["FIELDS", "FORMATS", "Event", "IngestOptions", "read_input"]  # FIELDS, IngestOptions: from context

log = logging.getLogger(__name__)


class Format(NamedTuple):
    """One row of the format table: how to read the format, and the file extensions that select it."""

    read: Reader  # (context, opened input) -> events
    extensions: frozenset[str]  # lower-case, with the dot; disjoint across formats


FORMATS: dict[str, Format] = {
    "jsonl": Format(jsonl.read, jsonl.EXTENSIONS),
    "json": Format(json_array.read, json_array.EXTENSIONS),
    "html": Format(html.read, html.EXTENSIONS),
    "warc": Format(warc.read, warc.EXTENSIONS),
    "text": Format(text.read, text.EXTENSIONS),
}
_BY_EXTENSION = {ext: kind for kind, fmt in FORMATS.items() for ext in fmt.extensions}


def read_input(ref: InputRef, opts: IngestOptions | None = None, part: tuple[int, int] = (0, 1)) -> Iterator[Event]:
    """Yield ("article", dict), ("reject", dict) and ("count", counter name) for one input.

    ``part`` = (index, count): only the records of that part of the input (``slices.py``); the counters, which
    belong to the input as a whole, come with part 0.
    """
    ctx = ReadContext(ref, opts or IngestOptions(), part)
    for kind, value in _guarded(ctx):
        mine = ctx.owns_next()  # every record counts, also one a reader skipped (SKIP): parts stay aligned
        ctx.seen += 1
        if mine and kind != SKIP:
            yield kind, value
    if ctx.part_index == 0:
        for name in ctx.counts:
            yield "count", name


def _guarded(ctx: ReadContext) -> Iterator[Event]:
    """``_read``, with every error turned into a reject: records and rejects only (counters stay in ``ctx``)."""
    ref = ctx.ref
    try:
        yield from _read(ctx)
    except Problem as p:
        yield ctx.reject("", p.reason, p.detail)
    except Exception as e:  # the promise is "never raises for bad input"; log what we did not foresee
        # A traceback may quote the opened URI; it is logged only when that URI carries no credentials.
        log.warning("unexpected error reading %s: %s", ref.uri, scrub(repr(e), ref), exc_info=ref.open_uri == ref.uri)
        yield ctx.reject("", "unreadable", f"unexpected {e.__class__.__name__}: {e}")


def _read(ctx: ReadContext) -> Iterator[Event]:
    """Open, decompress, sniff, then hand the stream to the format's reader; the raw stream is always closed."""
    ref = ctx.ref
    scheme = scheme_of(ref.open_uri)
    raw, size = open_raw(ctx, scheme)
    try:
        head = read_upto(raw, 16)
        if not head:
            yield ctx.reject("", "empty", "0 bytes")
            return
        ext = format_extension(ref.uri)
        comp = magic(head)  # the extension may lie either way; magic bytes do not
        src = Prefixed(head, raw)
        if comp:
            src = Guarded(decompressor(comp, src), comp)
        # A Guarded stream returns what it decoded before a cut and raises only on the next read: reading the peek
        # with ``read_upto`` would lose it, and a small cut archive would yield nothing at all.
        peek = src.read(PEEK) if comp else read_upto(src, PEEK)
        if not peek:
            yield ctx.reject("", "empty", f"{comp} stream decompresses to 0 bytes")
            return
        kind = kind_of(ext, peek, _BY_EXTENSION)
        web_url = ref.uri if scheme in ("http", "https") else None
        yield from FORMATS[kind].read(ctx, Opened(Prefixed(peek, src), peek, comp, size, web_url))
    finally:
        try:
            raw.close()
        except Exception:  # closing a broken connection must not turn a result into an error
            pass
