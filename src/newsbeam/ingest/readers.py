"""Read one input (local or remote, maybe compressed) into article and reject records.

``read_input`` is the only entry point the pipeline calls. It never raises for bad input: every file, JSON record and
WARC response becomes exactly one article or one reject, and things that are not inputs of their own (blank JSONL
lines, WARC request/metadata records) are only counted. That rule is what lets a run report
``articles + rejects == records`` and lets users find every dropped record in the ``rejects`` table.

Layers, each with one job, so a failure is reported by the layer that understands it:

* raw bytes: a local file, or a remote object through smart_open with retries and resume-on-error
  (failures: ``unreadable`` / ``unreachable``);
* decompression chosen by magic bytes first, extension second (a zstd file named ``.txt`` is still read); a stream
  that ends early or is corrupt is ``truncated_archive``;
* the format, chosen by the extension left after removing the compression suffix, or sniffed for unknown ones.

Memory is bounded by ``max_article_bytes`` per article: single-article files are read with that cap (a larger
local or remote object is rejected from its size without reading it), JSON Lines are split with a streaming line
reader that discards an over-long line while reading it, JSON arrays are parsed item by item, WARC payloads are
read with the cap. Decompression never produces much more than the cap either (zstd is fed in 1 KiB steps, which
bounds one step's output to about 32 MB even for a crafted bomb).

Locations: ``""`` for one-article files, ``line:N`` (1-based) for JSON Lines, ``item:N`` (0-based) for JSON arrays
and files of several concatenated JSON objects, ``record:<WARC-Record-ID without angle brackets>`` for WARC, e.g.
``record:urn:uuid:3089aab5-4738-43e5-b784-0afa3a0e3982``.
"""

from __future__ import annotations

import bz2
import codecs
import errno
import gzip
import json
import logging
import os
import re
import stat
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import zstandard

from newsbeam.ingest.dates import parse_published
from newsbeam.ingest.encoding import BinaryError, UndecodableError, decode_bytes, repair_text
from newsbeam.ingest.sources import (
    InputRef,
    s3_client,
    scheme_of,
    scrub_text,
    split_bucket,
    strip_credentials,
)

log = logging.getLogger(__name__)

Event = tuple[str, Any]


@dataclass(frozen=True)
class IngestOptions:
    field_map: dict[str, str] = field(default_factory=dict)  # newsbeam field -> record field ("a.b" = nested)
    max_article_bytes: int = 20_000_000  # per article, decompressed
    retries: int = 3  # remote: retries after the first attempt
    timeout: float = 30.0  # remote: seconds per connection / read
    backoff: float = 0.5  # remote: sleep backoff * 2**k before retry k+1


FIELDS = ("text", "id", "title", "url", "published", "source")  # the names field_map may map
_CHUNK = 1 << 20
_PEEK = 4096
_COMPRESSION_EXT = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd"}
_TEXT_EXT = {".txt", ".text", ".md"}
_JSONL_EXT = {".jsonl", ".ndjson", ".jsonlines"}
_JSON_EXT = {".json"}
_HTML_EXT = {".html", ".htm", ".xhtml", ".shtml"}
_WARC_EXT = {".warc"}
_UTF8_BOM = codecs.BOM_UTF8
_HEADER_LINE = re.compile(r"^[ \t]*(title|date|published|url|source|id)[ \t]*:[ \t]*(.*?)\s*$", re.IGNORECASE)
_MAX_TITLE_LINE = 300
_WS = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_NONWS = re.compile(r"\S")
_JSON = json.JSONDecoder(strict=False)  # raw tabs/newlines inside strings are common in scraped exports
_HTML_MIMES = {"text/html", "application/xhtml+xml"}
_UNDEFINED_1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 inside a JSON document are almost always Windows-1252 (mixed-encoding exports)."""
    bad = err.object[err.start : err.end]  # type: ignore[attr-defined]
    return "".join(chr(b) if b in _UNDEFINED_1252 else bytes([b]).decode("cp1252") for b in bad), err.end  # type: ignore[attr-defined]


codecs.register_error("newsbeam-cp1252", _cp1252_fallback)


class _Problem(Exception):
    """A reason to reject, raised from deep inside a reader and turned into one reject where it is caught."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class _Ctx:
    def __init__(self, ref: InputRef, opts: IngestOptions):
        self.ref, self.opts = ref, opts
        self.cap = opts.max_article_bytes
        self.counts: list[str] = []

    def reject(self, location: str, reason: str, detail: str) -> Event:
        detail = _scrub(" ".join(str(detail).split()), self.ref)[:500]
        return "reject", {
            "source_uri": self.ref.uri,
            "location": location,
            "input_key": self.ref.key,
            "reason": reason,
            "detail": detail,
        }


def read_input(ref: InputRef, opts: IngestOptions | None = None) -> Iterator[Event]:
    """Yield ("article", dict), ("reject", dict) and ("count", counter name) for one input."""
    ctx = _Ctx(ref, opts or IngestOptions())
    try:
        yield from _read(ctx)
    except _Problem as p:
        yield ctx.reject("", p.reason, p.detail)
    except Exception as e:  # the promise is "never raises for bad input"; log what we did not foresee
        # A traceback may quote the opened URI; it is logged only when that URI carries no credentials.
        log.warning("unexpected error reading %s: %s", ref.uri, _scrub(repr(e), ref), exc_info=ref.open_uri == ref.uri)
        yield ctx.reject("", "unreadable", f"unexpected {e.__class__.__name__}: {e}")
    for name in ctx.counts:
        yield "count", name


# --- Opening and decompressing ------------------------------------------------------------------------------------


def _read(ctx: _Ctx) -> Iterator[Event]:
    ref = ctx.ref
    scheme = scheme_of(ref.open_uri)
    if scheme in ("", "file"):
        raw, size = _open_local(ref.open_uri)
    else:
        raw, size = _open_remote(ctx, scheme), ref.size
    try:
        head = _read_upto(raw, 16)
        if not head:
            yield ctx.reject("", "empty", "0 bytes")
            return
        name = urllib.parse.unquote(urllib.parse.urlsplit(ref.uri).path.rsplit("/", 1)[-1]).lower()
        stem, ext = os.path.splitext(name)
        comp = _magic(head)  # the extension may lie either way; magic bytes do not
        if ext in _COMPRESSION_EXT:
            ext = os.path.splitext(stem)[1]
        src: Any = _Prefixed(head, raw)
        if comp:
            src = _Guarded(_decompressor(comp, src), comp)
        peek = _read_upto(src, _PEEK)
        if not peek:
            yield ctx.reject("", "empty", f"{comp} stream decompresses to 0 bytes")
            return
        src = _Prefixed(peek, src)
        kind = _kind(ext, peek)
        if kind == "jsonl":
            yield from _read_jsonl(ctx, _maybe_transcode(src, peek))
        elif kind == "json":
            yield from _read_json(ctx, _maybe_transcode(src, peek))
        elif kind == "warc":
            if not peek.startswith(b"WARC/"):
                yield ctx.reject("", "truncated_archive", f"not a WARC file (starts with {peek[:12]!r})")
                return
            yield from _read_warc(ctx, src)
        else:
            if not comp and size is not None and size > ctx.cap:
                yield ctx.reject("", "too_large", f"{size} bytes, more than max_article_bytes={ctx.cap}")
                return
            data = _read_upto(src, ctx.cap + 1)
            if len(data) > ctx.cap:
                yield ctx.reject("", "too_large", f"more than max_article_bytes={ctx.cap} bytes after decompression")
                return
            url = ref.uri if scheme in ("http", "https") else None
            if kind == "html":
                yield _html_article(ctx, "", data, url=url, charset=None)
            else:
                yield _text_article(ctx, "", data, url=url)
    finally:
        try:
            raw.close()
        except Exception:  # closing a broken connection must not turn a result into an error
            pass


def _magic(head: bytes) -> str | None:
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"BZh") and head[4:10] == b"1AY&SY":
        return "bz2"
    return None


def _kind(ext: str, peek: bytes) -> str:
    if ext in _JSONL_EXT:
        return "jsonl"
    if ext in _JSON_EXT:
        return "json"
    if ext in _HTML_EXT:
        return "html"
    if ext in _WARC_EXT or peek.startswith(b"WARC/"):
        return "warc"
    if ext in _TEXT_EXT:
        return "text"
    # Unknown extension: sniff. Prose rarely starts with '{"' or '[{', and a page nearly always shows <html early.
    start = peek.lstrip(_UTF8_BOM + b" \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start[:1024] or b"<body" in start[:2048]:
        return "html"
    if re.match(rb'\{\s*"', start):
        return "jsonl"
    if re.match(rb"\[\s*\{", start):
        return "json"
    return "text"


def _decompressor(comp: str, src: Any) -> Any:
    if comp == "gzip":
        return gzip.GzipFile(fileobj=src, mode="rb")
    if comp == "bz2":
        return bz2.BZ2File(src, mode="rb")
    return _ZstdReader(src)


def _open_local(path: str) -> tuple[Any, int]:
    try:
        st = os.stat(path)
    except OSError as e:
        raise _Problem("unreadable", _os_reason(e)) from e
    if stat.S_ISDIR(st.st_mode):
        raise _Problem("unreadable", "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise _Problem("unreadable", "not a regular file (FIFO, socket or device)")
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by _read
    except OSError as e:
        raise _Problem("unreadable", _os_reason(e)) from e
    return _LocalReader(f), st.st_size


def _os_reason(e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return "symlink loop"
    if e.errno == errno.ENOENT:
        return "file not found (dangling symlink, or removed after listing)"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if e.errno == errno.EISDIR:
        return "is a directory"
    return f"{e.__class__.__name__}: {e.strerror or e}"


class _LocalReader:
    """Read errors of the file itself are 'unreadable', unlike errors of a decompressor above it."""

    def __init__(self, f):
        self.f = f

    def read(self, n: int = -1) -> bytes:
        try:
            return self.f.read(n)
        except OSError as e:
            raise _Problem("unreadable", _os_reason(e)) from e

    def close(self) -> None:
        self.f.close()


class _Prefixed:
    """A stream with already-read bytes put back in front (for sniffing magic bytes and formats)."""

    def __init__(self, head: bytes, rest: Any):
        self.head, self.rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if self.head:
            if n is None or n < 0:
                out, self.head = self.head + self.rest.read(), b""
                return out
            out, self.head = self.head[:n], self.head[n:]
            return out
        return self.rest.read(n)

    def close(self) -> None:
        self.rest.close()


class _Guarded:
    """Turns a decompressor's complaints (early end, corrupt data) into a truncated_archive problem.

    Reads in small steps and reports the problem one call late, so the data decompressed before the cut is still
    delivered (the JSON lines before a truncation become articles).
    """

    _STEP = 16384

    def __init__(self, inner: Any, comp: str):
        self.inner, self.comp = inner, comp
        self.error: _Problem | None = None

    def read(self, n: int = -1) -> bytes:
        if self.error is not None:
            raise self.error
        want = n if n is not None and n >= 0 else float("inf")
        parts, got = [], 0
        # Invariant: each pass adds >= 1 byte to ``got``, or breaks (end of stream, first error after data).
        while got < want:
            try:
                chunk = self.inner.read(int(min(want - got, self._STEP)))
            except _Problem:
                raise
            except (EOFError, zlib.error, zstandard.ZstdError, OSError, ValueError) as e:
                self.error = _Problem("truncated_archive", f"{self.comp} stream ends early or is corrupt: {e}")
                if parts:
                    break
                raise self.error from e
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def close(self) -> None:
        self.inner.close()


class _ZstdReader:
    """Multi-frame zstd that notices a stream cut inside a frame (python-zstandard's stream_reader does not)."""

    _FEED = 1024

    def __init__(self, src: Any):
        self.src = src
        self.dctx = zstandard.ZstdDecompressor()
        self.obj = self.dctx.decompressobj()
        self.pending = b""
        self.buf = bytearray()
        self.pos = 0
        self.in_frame = False
        self.eof = False

    def _step(self) -> None:
        if not self.pending:
            self.pending = self.src.read(65536)
            if not self.pending:
                self.eof = True
                if self.in_frame:
                    raise EOFError("zstd stream ends inside a frame")
                return
        chunk, self.pending = self.pending[: self._FEED], self.pending[self._FEED :]
        self.in_frame = True
        self.buf += self.obj.decompress(chunk)
        if self.obj.eof:
            if len(self.obj.unused_data) >= len(chunk):  # nothing of the chunk consumed: never loop on it
                raise EOFError("zstd frame ends without consuming input")
            self.pending = self.obj.unused_data + self.pending
            self.obj = self.dctx.decompressobj()
            self.in_frame = False

    def read(self, n: int = -1) -> bytes:
        # Invariant: each ``_step`` consumes >= 1 input byte, reads more input, or sets ``eof`` (or raises).
        while (n is None or n < 0 or len(self.buf) - self.pos < n) and not self.eof:
            self._step()
        end = len(self.buf) if n is None or n < 0 else min(len(self.buf), self.pos + n)
        out = bytes(self.buf[self.pos : end])
        self.pos = end
        if self.pos > _CHUNK and self.pos * 2 > len(self.buf):
            del self.buf[: self.pos]
            self.pos = 0
        return out

    def close(self) -> None:
        self.src.close()


class _Transcode:
    """UTF-16/32 JSON re-encoded as UTF-8, so the byte-level line splitter and JSON reader work unchanged."""

    def __init__(self, src: Any, encoding: str):
        self.src = src
        self.dec = codecs.getincrementaldecoder(encoding)(errors="replace")
        self.done = False

    def read(self, n: int = -1) -> bytes:
        if self.done:
            return b""
        data = self.src.read(-1 if n is None or n < 0 else max(n, 4))
        if not data or n is None or n < 0:
            self.done = True
        return self.dec.decode(data, final=self.done).encode("utf-8")

    def close(self) -> None:
        self.src.close()


def _maybe_transcode(src: Any, peek: bytes) -> Any:
    if peek.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _Transcode(src, "utf-32")
    if peek.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _Transcode(src, "utf-16")
    sample = peek[: len(peek) // 2 * 2]
    if len(sample) >= 4:
        half = len(sample) // 2
        if sample[1::2].count(0) >= 0.4 * half and sample[0::2].count(0) <= 0.02 * half:
            return _Transcode(src, "utf-16-le")
        if sample[0::2].count(0) >= 0.4 * half and sample[1::2].count(0) <= 0.02 * half:
            return _Transcode(src, "utf-16-be")
    return src


def _read_upto(stream: Any, n: int) -> bytes:
    """Exactly n bytes, or fewer only at the end of the stream."""
    parts, got = [], 0
    # Invariant: each pass adds >= 1 byte to ``got`` or stops at the end of the stream.
    while got < n:
        chunk = stream.read(min(n - got, _CHUNK * 4))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    data = b"".join(parts)
    return data[:n] if len(data) > n else data


# --- Remote -------------------------------------------------------------------------------------------------------


def _open_remote(ctx: _Ctx, scheme: str) -> Any:
    import smart_open

    ref, opts = ctx.ref, ctx.opts
    if scheme in ("http", "https"):
        params: dict[str, Any] = {"timeout": opts.timeout}
    elif scheme == "s3":
        params = {"client": s3_client(opts.timeout, attempts=1)}
    elif scheme == "gs":
        params = {}
    else:
        raise _Problem("unreachable", f"unsupported scheme {scheme}://")
    target = ref.open_uri
    if scheme == "s3":
        bucket, key = split_bucket(target)
        target = f"s3://{bucket}/{key}"  # credentials only from the standard places, never from the URI

    def opener() -> Any:
        return smart_open.open(target, "rb", compression="disable", transport_params=params)

    return _RemoteReader(ctx, opener, _with_retries(ctx, opener))


def _with_retries(ctx: _Ctx, fn: Callable[[], Any]) -> Any:
    opts = ctx.opts
    last: BaseException | None = None
    for attempt in range(opts.retries + 1):
        if attempt:
            ctx.counts.append("remote-retries")
            time.sleep(opts.backoff * 2 ** (attempt - 1))
        try:
            return fn()
        except Exception as e:
            if not _transient(e):
                raise _Problem("unreachable", _describe(e)) from e
            last = e
    raise _Problem("unreachable", f"{_describe(last)} (after {opts.retries + 1} attempts)")


class _RemoteReader:
    """Reads on; after a transient error reopens and seeks to where it was (HTTP ranges, S3 ranged GETs)."""

    def __init__(self, ctx: _Ctx, opener: Callable[[], Any], stream: Any):
        self.ctx, self.opener, self.stream = ctx, opener, stream
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        try:
            data = self.stream.read(n)
        except Exception as e:
            if not _transient(e):
                raise _Problem("unreachable", f"read failed at byte {self.pos}: {_describe(e)}") from e
            data = self._resume(n)
        self.pos += len(data)
        return data

    def _resume(self, n: int) -> bytes:
        def again() -> bytes:
            try:
                self.stream.close()
            except Exception:  # the old connection is already broken
                pass
            self.stream = self.opener()
            if self.pos:
                self.stream.seek(self.pos)
            return self.stream.read(n)

        return _with_retries(self.ctx, again)

    def close(self) -> None:
        self.stream.close()


def _transient(e: BaseException) -> bool:
    """Worth retrying: connection problems, timeouts, throttling and server errors; not 404/403/no credentials."""
    import requests

    if isinstance(e, requests.HTTPError):
        status = e.response.status_code if e.response is not None else None
        return status is None or status in (408, 425, 429) or status >= 500
    if isinstance(e, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)):
        return True
    try:
        import botocore.exceptions as bx
    except ImportError:  # pragma: no cover - boto3 comes with smart-open[s3]
        bx = None
    if bx is not None:
        err = getattr(e, "backend_error", e)  # smart_open wraps ClientError in OSError
        if isinstance(err, bx.ClientError):
            meta = err.response.get("ResponseMetadata", {})
            code = err.response.get("Error", {}).get("Code", "")
            status = meta.get("HTTPStatusCode") or 0
            return status >= 500 or status == 429 or code in ("SlowDown", "Throttling", "RequestTimeout")
        if isinstance(e, (bx.NoCredentialsError, bx.PartialCredentialsError, bx.ParamValidationError)):
            return False
        if isinstance(e, (bx.HTTPClientError, bx.ConnectionError)):
            return True
    if isinstance(e, (ConnectionError, TimeoutError)):
        return True
    mod = type(e).__module__
    return mod.startswith("urllib3") or (mod.startswith("http.client") and isinstance(e, Exception))


def _describe(e: BaseException | None) -> str:
    if e is None:
        return "unknown error"
    import requests

    if isinstance(e, requests.HTTPError) and e.response is not None:
        return f"HTTP {e.response.status_code} {e.response.reason or ''}".strip()
    err = getattr(e, "backend_error", None)
    if err is not None and hasattr(err, "response"):
        code = err.response.get("Error", {}).get("Code", "")
        return f"S3 error {code}".strip()
    if type(e).__name__ == "NoCredentialsError":
        return "no credentials found (environment, config files or instance role)"
    text = str(e).splitlines()[0] if str(e) else ""
    return f"{e.__class__.__name__}: {text}"


def _scrub(text: str, ref: InputRef) -> str:
    """No credentials in anything we store: the opened URI becomes the clean one, other URLs are stripped."""
    if ref.open_uri and ref.open_uri != ref.uri:
        text = text.replace(ref.open_uri, ref.uri)
    return scrub_text(text)


# --- JSON Lines ---------------------------------------------------------------------------------------------------


def _lines(src: Any, cap: int) -> Iterator[tuple[int, bytes | None]]:
    """(1-based line number, bytes) split on b"\\n" only; None for a line longer than cap, which is never held."""
    line_no, parts, size, skipping = 0, [], 0, False
    # Invariant: the outer loop reads a non-empty chunk per pass or ends; the inner one moves ``start`` past a
    # newline per pass or ends, so each chunk is scanned once.
    while True:
        chunk = src.read(_CHUNK)
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
            yield line_no, None if skipping else b"".join(parts)
            parts, size, skipping, start = [], 0, False, i + 1
    if size or skipping:
        yield line_no + 1, None if skipping else b"".join(parts)


def _read_jsonl(ctx: _Ctx, src: Any) -> Iterator[Event]:
    last, records = 0, 0
    try:
        for line_no, raw in _lines(src, ctx.cap):
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
            try:
                obj = _JSON.decode(raw.decode("utf-8", errors="newsbeam-cp1252"))
            except (ValueError, RecursionError) as e:
                yield ctx.reject(loc, "malformed_json", _json_error(e))
                continue
            yield _record(ctx, obj, loc)
    except _Problem as p:
        yield ctx.reject(f"line:{last + 1}", p.reason, p.detail)
        return
    if records == 0:
        yield ctx.reject("", "empty", "no JSON lines, only blank lines")


def _json_error(e: BaseException) -> str:
    if isinstance(e, json.JSONDecodeError):
        return f"{e.msg} (line {e.lineno}, column {e.colno})"
    if isinstance(e, RecursionError):
        return "nested too deeply"
    return str(e)


# --- JSON ---------------------------------------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


class _JsonStream:
    """Top-level JSON values (or array items) one at a time, never buffering much more than one of them."""

    def __init__(self, src: Any, cap: int):
        self.src, self.cap = src, cap
        self.dec = codecs.getincrementaldecoder("utf-8-sig")(errors="newsbeam-cp1252")
        self.buf, self.pos, self.eof = "", 0, False

    def _more(self, want: int) -> bool:
        if self.eof:
            return False
        data = self.src.read(max(want, _CHUNK))
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
                obj, end = _JSON.raw_decode(self.buf, self.pos)
                # A value that ends exactly at the buffer's end may continue (a number cut in two): read on.
                if end < len(self.buf) or self.eof:
                    if end - self.pos > self.cap:
                        raise _TooLarge
                    self.pos = end
                    return obj
            except (ValueError, RecursionError):
                if self.eof:
                    raise
                if len(self.buf) - self.pos > self.cap:
                    raise _TooLarge from None
            self._more(len(self.buf) - self.pos)  # doubling: a big item is re-parsed O(log n) times


def _read_json(ctx: _Ctx, src: Any) -> Iterator[Event]:
    js = _JsonStream(src, ctx.cap)
    idx, array = 0, False
    pending: tuple[int, Any] | None = None
    try:
        first = js.peek()
        if not first:
            yield ctx.reject("", "empty", "only whitespace")
            return
        if first == "[":
            array = True
            js.take()
            # Invariant: each pass consumes one item (``value`` advances past it), breaks or raises.
            while True:
                c = js.peek()
                if c == "]":
                    break
                if idx:
                    if c != ",":
                        raise ValueError(f"expected ',' or ']' after item {idx - 1}, found {c!r}" if c else
                                         "array not closed")
                    js.take()
                if not js.peek():
                    raise ValueError("array not closed")
                obj = js.value()
                yield _record(ctx, obj, f"item:{idx}")
                idx += 1
            if idx == 0:
                yield ctx.reject("", "empty", "empty JSON array")
        else:
            # One object (location ""), or several concatenated ones (item:N): one value of look-ahead decides.
            while js.peek():
                obj = js.value()
                if pending is not None:
                    yield _record(ctx, pending[1], f"item:{pending[0]}")
                pending = (idx, obj)
                idx += 1
            if pending is not None:
                yield _record(ctx, pending[1], "" if idx == 1 else f"item:{pending[0]}")
                pending = None
        return
    except _TooLarge:
        problem = ("too_large", f"JSON value longer than max_article_bytes={ctx.cap}; the rest was not read")
    except (ValueError, RecursionError) as e:
        problem = ("malformed_json", _json_error(e) + ("; the rest was not read" if idx else ""))
    except _Problem as p:
        problem = (p.reason, p.detail)
    if pending is not None:
        yield _record(ctx, pending[1], f"item:{pending[0]}")
    loc = f"item:{idx}" if (array or idx) else ""
    yield ctx.reject(loc, *problem)


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


def _record(ctx: _Ctx, obj: Any, location: str) -> Event:
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
    text = _strip_blank_lines(repair_text(value))
    if not text:
        return ctx.reject(location, "missing_text", f"'{text_field}' is empty")
    return _article(
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


def _article(
    ctx: _Ctx,
    location: str,
    *,
    source_id: str | None,
    source: str | None,
    title: str | None,
    url: str | None,
    published: Any,
    text: str,
) -> Event:
    url = _clean_url(url)
    pub, pub_raw = _published(published)
    return "article", {
        "source_uri": ctx.ref.uri,
        "location": location,
        "input_key": ctx.ref.key,
        "source_id": source_id,
        "source": _inline(source) or _host(url),
        "title": _inline(title),
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
    return parse_published(_inline(str(value)))


def _inline(s: str | None) -> str | None:
    if s is None:
        return None
    s = _WS.sub(" ", repair_text(s)).strip()
    return s or None


def _clean_url(url: str | None) -> str | None:
    url = _inline(url)
    if not url:
        return None
    return strip_credentials(url.strip("<>"))


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


def _strip_blank_lines(text: str) -> str:
    """Leading and trailing blank lines go; the first line's indentation (a paragraph mark) stays."""
    lines = text.split("\n")
    a, b = 0, len(lines)
    while a < b and not lines[a].strip():
        a += 1
    while b > a and not lines[b - 1].strip():
        b -= 1
    return "\n".join(lines[a:b]).rstrip()


def _decode(ctx: _Ctx, location: str, data: bytes, hint: str | None = None) -> tuple[str | None, Event | None]:
    try:
        text, _enc = decode_bytes(data, hint)
    except BinaryError as e:
        return None, ctx.reject(location, "binary", str(e))
    except UndecodableError as e:
        return None, ctx.reject(location, "undecodable", str(e))
    if not text.strip():
        return None, ctx.reject(location, "empty", "only whitespace")
    return text, None


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
        return headers, title, _strip_blank_lines("\n".join(lines[j:]))
    if i >= len(lines):
        return {}, None, ""
    first = lines[i].strip()
    rest = _strip_blank_lines("\n".join(lines[i + 1 :]))
    if not rest or len(first) > _MAX_TITLE_LINE:
        return {}, None, _strip_blank_lines("\n".join(lines[i:]))
    return {}, first, rest


def _text_article(ctx: _Ctx, location: str, data: bytes, url: str | None) -> Event:
    if not data.strip():
        return ctx.reject(location, "empty", "only whitespace")
    text, rej = _decode(ctx, location, data)
    if rej is not None:
        return rej
    headers, title, body = parse_text_article(text or "")
    if not body:
        return ctx.reject(location, "empty", "no text after the title and header lines")
    return _article(
        ctx,
        location,
        source_id=_inline(headers.get("id")),
        source=headers.get("source"),
        title=title,
        url=headers.get("url") or url,
        published=headers.get("published") or headers.get("date"),
        text=body,
    )


# --- HTML ---------------------------------------------------------------------------------------------------------


_BLOCK_TAGS = {"p", "head", "list", "item", "quote", "table", "row", "code", "div"}


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


def _html_article(
    ctx: _Ctx, location: str, data: bytes, url: str | None, charset: str | None, fetch_date: str | None = None
) -> Event:
    if not data.strip():
        return ctx.reject(location, "empty", "only whitespace")
    if charset is None:
        m = _META_CHARSET.search(data[:4096])
        charset = m.group(1).decode("ascii", "replace") if m else None
    html, rej = _decode(ctx, location, data, charset)
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
    title = _inline(getattr(doc, "title", None)) if doc is not None else None
    text = repair_text(html_text(body, title)) if body is not None else ""
    if not text.strip():
        return ctx.reject(location, "extraction_failed", "no main text found in the page")
    return _article(
        ctx,
        location,
        source_id=None,
        source=getattr(doc, "sitename", None),
        title=title,
        url=getattr(doc, "url", None) or url,
        published=getattr(doc, "date", None) or fetch_date,
        text=text,
    )


# --- WARC ---------------------------------------------------------------------------------------------------------


def _read_warc(ctx: _Ctx, src: Any) -> Iterator[Event]:
    """Each response record is one input; other record types are counted. Page date first, else WARC-Date."""
    from warcio.archiveiterator import ArchiveIterator

    loc, n = "", 0
    try:
        for record in ArchiveIterator(src):
            n += 1
            rid = (record.rec_headers.get_header("WARC-Record-ID") or f"index-{n - 1}").strip().strip("<>")
            loc = f"record:{rid}"
            if record.rec_type != "response":
                ctx.counts.append("warc-other-records")
                loc = ""
                continue
            yield _warc_response(ctx, record, loc)
            loc = ""
    except _Problem as p:
        yield ctx.reject(loc, p.reason, p.detail)
        return
    except Exception as e:  # warcio raises assorted types for a cut or invalid archive
        what = "not a WARC file" if n == 0 else f"archive invalid or cut after {n} records"
        yield ctx.reject(loc, "truncated_archive", f"{what}: {e.__class__.__name__}: {e}")
        return
    if n == 0:
        yield ctx.reject("", "empty", "no WARC records")


def _warc_response(ctx: _Ctx, record: Any, loc: str) -> Event:
    target = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>") or None
    wdate = record.rec_headers.get_header("WARC-Date")
    http = record.http_headers
    try:
        body = _read_upto(record.content_stream(), ctx.cap + 1)
    except _Problem:
        raise
    except Exception as e:  # a broken chunked or gzip payload spoils this record, not the archive
        _drain(record)
        return ctx.reject(loc, "extraction_failed", f"payload cannot be decoded: {e.__class__.__name__}: {e}")
    _drain(record)
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise _Problem("truncated_archive", f"archive ends inside this record ({record.raw_stream.limit} bytes missing)")
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
        looks_html = _kind("", body[:_PEEK]) == "html"
        if not (looks_html and mime in ("", "application/octet-stream", "text/plain")):
            return ctx.reject(loc, "not_html", f"Content-Type {mime or 'missing'}")
    m = _CT_CHARSET.search(ctype)
    return _html_article(ctx, loc, body, url=target, charset=m.group(1) if m else None, fetch_date=wdate)


def _drain(record: Any) -> None:
    # Ends at the end of the record's stream (each pass consumes what it reads).
    while record.raw_stream.read(_CHUNK):
        pass
