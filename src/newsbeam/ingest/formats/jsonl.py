"""JSON Lines: one JSON object per line; location ``line:N`` (1-based).

Lines are split by a streaming reader that discards an over-long line while reading it, so memory stays bounded by
``max_article_bytes`` whatever the file's size. A blank line is no input of its own: it is only counted.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Any

from newsbeam.ingest.context import Event, Opened, Problem, ReadContext
from newsbeam.ingest.formats.json_common import CP1252_ERRORS, JSON, ends_inside, json_error
from newsbeam.ingest.records import record
from newsbeam.ingest.streams import CHUNK, maybe_transcode

EXTENSIONS = frozenset({".jsonl", ".ndjson", ".jsonlines"})
_UTF8_BOM = codecs.BOM_UTF8


def read(ctx: ReadContext, opened: Opened) -> Iterator[Event]:
    yield from _read_jsonl(ctx, maybe_transcode(opened.src, opened.peek))


def _lines(src: Any, cap: int) -> Iterator[tuple[int, bytes | None, bool]]:
    """(1-based line number, bytes, ended by a newline) split on b"\\n" only; bytes None for a line longer than
    cap, which is never held."""
    line_no, parts, size, skipping = 0, [], 0, False
    # Invariant: the outer loop reads a non-empty chunk per pass or ends; the inner one moves ``start`` past a
    # newline per pass or ends, so each chunk is scanned once.
    while True:
        chunk = src.read(CHUNK)
        if not chunk:
            break
        start = 0
        while True:
            i = chunk.find(b"\n", start)
            piece = chunk[start:] if i < 0 else chunk[start:i]
            if not skipping:
                size += len(piece)
                if size > cap:
                    skipping, parts = True, []
                elif piece:
                    parts.append(piece)
            if i < 0:
                break
            line_no += 1
            yield line_no, None if skipping else b"".join(parts), True
            parts, size, skipping, start = [], 0, False, i + 1
    if size or skipping:  # a last line without a newline: complete, or where the file was cut
        yield line_no + 1, None if skipping else b"".join(parts), False


def _read_jsonl(ctx: ReadContext, src: Any) -> Iterator[Event]:
    last, records = 0, 0
    try:
        for line_no, raw, ended in _lines(src, ctx.cap):
            last = line_no
            loc = f"line:{line_no}"
            if raw is None:
                records += 1
                yield ctx.reject(loc, "too_large", f"line longer than max_article_bytes={ctx.cap}")
                continue
            if line_no == 1 and raw.startswith(_UTF8_BOM):
                raw = raw[len(_UTF8_BOM) :]
            if not raw.strip():
                ctx.counts.append("blank-lines")
                continue
            records += 1
            if not ctx.owns_next():  # another part of this input keeps this line (slices.py): do not decode it
                yield ctx.skip()
                continue
            text = raw.decode("utf-8", errors=CP1252_ERRORS)
            try:
                obj = JSON.decode(text)
            except (ValueError, RecursionError) as e:
                # Only the last line can be cut short; saying so tells a broken export from a broken record.
                cut = not ended and ends_inside(e, text)
                yield ctx.reject(loc, "malformed_json", json_error(e) + ("; the input ends inside this line "
                                                                         "(the file is cut short?)" if cut else ""))
                continue
            yield record(ctx, obj, loc)
    except Problem as p:
        yield ctx.reject(f"line:{last + 1}", p.reason, p.detail)
        return
    if records == 0:
        yield ctx.reject("", "empty", "no JSON lines, only blank lines")
