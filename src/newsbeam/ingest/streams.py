"""Byte-stream wrappers between a transport and a format reader: decompression, put-back, transcoding.

Decompression is chosen by magic bytes (``magic``), never by name alone. Decompression never produces much more
than asked for: zstd is fed in 1 KiB steps, which bounds one step's output to about 32 MB even for a crafted bomb.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import zlib
from typing import Any

import zstandard

from newsbeam.ingest.context import Event, Opened, Problem, ReadContext

CHUNK = 1 << 20
COMPRESSION_EXT = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd"}


def magic(head: bytes) -> str | None:
    """The compression named by the first bytes (the extension may lie either way; magic bytes do not)."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"BZh") and head[4:10] == b"1AY&SY":
        return "bz2"
    return None


def decompressor(comp: str, src: Any) -> Any:
    """A reader of the decompressed bytes of ``src`` (wrap it in ``Guarded`` to get truncated_archive problems)."""
    if comp == "gzip":
        return gzip.GzipFile(fileobj=src, mode="rb")
    if comp == "bz2":
        return bz2.BZ2File(src, mode="rb")
    return ZstdReader(src)


class Prefixed:
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


class Guarded:
    """Turns a decompressor's complaints (early end, corrupt data) into a truncated_archive problem.

    Reads in small steps and reports the problem one call late, so the data decompressed before the cut is still
    delivered (the JSON lines before a truncation become articles).
    """

    _STEP = 16384

    def __init__(self, inner: Any, comp: str):
        self.inner, self.comp = inner, comp
        self.error: Problem | None = None

    def read(self, n: int = -1) -> bytes:
        if self.error is not None:
            raise self.error
        want = n if n is not None and n >= 0 else float("inf")
        parts, got = [], 0
        # Invariant: each pass adds >= 1 byte to ``got``, or breaks (end of stream, first error after data).
        while got < want:
            try:
                chunk = self.inner.read(int(min(want - got, self._STEP)))
            except Problem:
                raise
            except (EOFError, zlib.error, zstandard.ZstdError, OSError, ValueError) as e:
                self.error = Problem("truncated_archive", f"{self.comp} stream ends early or is corrupt: {e}")
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


class ZstdReader:
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
        if self.pos > CHUNK and self.pos * 2 > len(self.buf):
            del self.buf[: self.pos]
            self.pos = 0
        return out

    def close(self) -> None:
        self.src.close()


class Transcode:
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


def maybe_transcode(src: Any, peek: bytes) -> Any:
    """A re-encoding wrapper for UTF-32/16 (by BOM, else by the zero bytes of ASCII-heavy UTF-16); else ``src``."""
    if peek.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return Transcode(src, "utf-32")
    if peek.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Transcode(src, "utf-16")
    sample = peek[: len(peek) // 2 * 2]
    if len(sample) >= 4:
        half = len(sample) // 2
        if sample[1::2].count(0) >= 0.4 * half and sample[0::2].count(0) <= 0.02 * half:
            return Transcode(src, "utf-16-le")
        if sample[0::2].count(0) >= 0.4 * half and sample[1::2].count(0) <= 0.02 * half:
            return Transcode(src, "utf-16-be")
    return src


def read_upto(stream: Any, n: int) -> bytes:
    """Exactly n bytes, or fewer only at the end of the stream."""
    parts, got = [], 0
    # Invariant: each pass adds >= 1 byte to ``got`` or stops at the end of the stream.
    while got < n:
        chunk = stream.read(min(n - got, CHUNK * 4))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    data = b"".join(parts)
    return data[:n] if len(data) > n else data


def read_whole(ctx: ReadContext, opened: Opened) -> tuple[bytes, Event | None]:
    """(bytes, None) of a one-article file read with the cap, or (b"", too_large reject).

    A larger uncompressed object is rejected from its size without reading it; a compressed one is read up to one
    byte past the cap, so memory stays bounded by ``max_article_bytes`` either way.
    """
    size = opened.size
    if not opened.compression and size is not None and size > ctx.cap:
        return b"", ctx.reject("", "too_large", f"{size} bytes, more than max_article_bytes={ctx.cap}")
    data = read_upto(opened.src, ctx.cap + 1)
    if len(data) > ctx.cap:
        return b"", ctx.reject("", "too_large", f"more than max_article_bytes={ctx.cap} bytes after decompression")
    return data, None
