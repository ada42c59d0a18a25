"""JSON documents: one array of objects (location ``item:N``, 0-based), one object (location ``""``), or several
concatenated objects (``item:N``).

Parsed item by item from a stream, never buffering much more than one item, so memory stays bounded by
``max_article_bytes`` (named ``json_array`` so that it does not shadow the standard library's ``json``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from newsbeam.ingest.context import Event, Opened, Problem, ReadContext
from newsbeam.ingest.formats.json_common import CP1252_ERRORS, CUT_SHORT, JSON, ends_inside, json_error
from newsbeam.ingest.records import record
from newsbeam.ingest.streams import CHUNK, maybe_transcode

EXTENSIONS = frozenset({".json"})
_NONWS = re.compile(r"\S")


def read(ctx: ReadContext, opened: Opened) -> Iterator[Event]:
    yield from _read_json(ctx, maybe_transcode(opened.src, opened.peek))


class _TooLarge(Exception):
    """One value longer than the per-article cap: the rest of the document is not read."""


class _CutShort(ValueError):
    """The document stops inside a value or before its array is closed: nothing after it was lost."""


class _JsonStream:
    """Top-level JSON values (or array items) one at a time, never buffering much more than one of them."""

    def __init__(self, src: Any, cap: int):
        self.src, self.cap = src, cap
        self.dec = codecs.getincrementaldecoder("utf-8-sig")(errors=CP1252_ERRORS)
        self.buf, self.pos, self.eof = "", 0, False

    def _more(self, want: int) -> bool:
        if self.eof:
            return False
        data = self.src.read(max(want, CHUNK))
        self.eof = not data
        self.buf = self.buf[self.pos :] + self.dec.decode(data, final=self.eof)
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next non-whitespace character ("" at the end), without consuming it."""
        # Invariant: each pass finds the character, or reads more input (or learns it is at the end and returns).
        while True:
            m = _NONWS.search(self.buf, self.pos)
            if m:
                self.pos = m.start()
                return self.buf[self.pos]
            self.pos = len(self.buf)
            if not self._more(0):
                return ""

    def take(self) -> None:
        self.pos += 1

    def value(self) -> Any:
        # Invariant: each pass returns, raises, or reads more input; at the end of input it returns or raises.
        while True:
            try:
                obj, end = JSON.raw_decode(self.buf, self.pos)
                # A value that ends exactly at the buffer's end may continue (a number cut in two): read on.
                if end < len(self.buf) or self.eof:
                    if end - self.pos > self.cap:
                        raise _TooLarge
                    self.pos = end
                    return obj
            except (ValueError, RecursionError) as e:
                if self.eof:
                    if ends_inside(e, self.buf):
                        raise _CutShort(CUT_SHORT) from e
                    raise
                if len(self.buf) - self.pos > self.cap:
                    raise _TooLarge from None
            self._more(len(self.buf) - self.pos)  # doubling: a big item is re-parsed O(log n) times


@dataclass(slots=True)
class _Progress:
    """What the failure handling needs to know: items read, whether inside an array, the value held back."""

    idx: int = 0
    array: bool = False
    pending: tuple[int, Any] | None = None


def _read_json(ctx: ReadContext, src: Any) -> Iterator[Event]:
    """Every item becomes one article or reject; a failure rejects the rest at ``item:N`` after what was read."""
    js = _JsonStream(src, ctx.cap)
    at = _Progress()
    try:
        first = js.peek()
        if not first:
            yield ctx.reject("", "empty", "only whitespace")
            return
        if first == "[":
            # Several arrays in a row (files appended to each other) are read on; anything else after the array is
            # an error, not silently ignored; and reading to the end lets a cut compressed trailer be reported.
            while js.peek() == "[":
                yield from _array_items(ctx, js, at)
            if js.peek():
                raise ValueError(f"unexpected {js.peek()!r} after the JSON array")
            if at.idx == 0:
                yield ctx.reject("", "empty", "empty JSON array")
        else:
            yield from _top_level_values(ctx, js, at)
        return
    except _TooLarge:
        problem = ("too_large", f"JSON value longer than max_article_bytes={ctx.cap}; the rest was not read")
    except _CutShort as e:
        problem = ("malformed_json", str(e))
    except (ValueError, RecursionError) as e:
        problem = ("malformed_json", json_error(e) + ("; the rest was not read" if at.idx else ""))
    except Problem as p:
        problem = (p.reason, p.detail)
    if at.pending is not None:
        yield record(ctx, at.pending[1], f"item:{at.pending[0]}")
    loc = f"item:{at.idx}" if (at.array or at.idx) else ""
    yield ctx.reject(loc, *problem)


def _array_items(ctx: ReadContext, js: _JsonStream, at: _Progress) -> Iterator[Event]:
    """The items of a top-level array, ``item:N``; raises ValueError for a broken array."""
    at.array = True
    js.take()
    first = True
    # Invariant: each pass consumes one item (``value`` advances past it), breaks or raises.
    while True:
        c = js.peek()
        if c == "]":
            break
        if not first:
            if c != ",":
                if not c:
                    raise _CutShort("the input ends before the array is closed (the file is cut short?)")
                raise ValueError(f"expected ',' or ']' after item {at.idx - 1}, found {c!r}")
            js.take()
        if not js.peek():
            raise _CutShort("the input ends before the array is closed (the file is cut short?)")
        obj = js.value()
        yield record(ctx, obj, f"item:{at.idx}")
        at.idx += 1
        first = False
    js.take()


def _top_level_values(ctx: ReadContext, js: _JsonStream, at: _Progress) -> Iterator[Event]:
    """One object (location ""), or several concatenated ones (item:N): one value of look-ahead decides."""
    # Invariant: each pass consumes one value (``value`` advances past it) or raises.
    while js.peek():
        obj = js.value()
        if at.pending is not None:
            yield record(ctx, at.pending[1], f"item:{at.pending[0]}")
        at.pending = (at.idx, obj)
        at.idx += 1
    if at.pending is not None:
        yield record(ctx, at.pending[1], "" if at.idx == 1 else f"item:{at.pending[0]}")
        at.pending = None
