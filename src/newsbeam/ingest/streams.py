"""Byte-stream wrappers between a transport and a format reader: decompression, put-back, transcoding.

Decompression is chosen by magic bytes (``magic``), never by name alone. Decompression never produces much more
than asked for: zstd is fed in 1 KiB steps, which bounds one step's output to about 32 MB even for a crafted bomb.
"""

from __future__ import annotations

import bz2
import codecs
import zlib
from abc import ABC, abstractmethod
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
    """A reader of the decompressed bytes of ``src`` (wrap it in ``Guarded`` to get truncated_archive problems).

    Our own incremental decoders, not ``gzip.GzipFile``/``bz2.BZ2File``: those decode into an internal buffer and
    raise at a cut without returning what the same call had already decoded, so a file cut short lost up to a
    whole read block of complete records before the cut (or everything, when the file was smaller than a block).
    """
    if comp == "gzip":
        return GzipReader(src)
    if comp == "bz2":
        return Bz2Reader(src)
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
    """Turns a decoder's complaints (early end, corrupt data) into a truncated_archive problem.

    Reads in small steps and reports a problem one call late, so every byte decoded before the cut is still
    delivered (the JSON lines and WARC records before a truncation become articles). A ``Problem`` of the layer
    below (an unreadable file, a lost connection) is passed on unchanged, also one call late.
    """

    _STEP = 16384

    def __init__(self, inner: Any, comp: str):
        self.inner, self.comp = inner, comp
        self.error: Problem | None = None
        self.delivered = 0

    def read(self, n: int = -1) -> bytes:
        if self.error is not None:
            raise self.error
        want = n if n is not None and n >= 0 else float("inf")
        parts, got = [], 0
        # Invariant: each pass adds >= 1 byte to ``got``, or breaks (end of stream, first error after data).
        while got < want:
            try:
                chunk = self.inner.read(int(min(want - got, self._STEP)))
            except Problem as p:
                self.error = p
            except (EOFError, zlib.error, zstandard.ZstdError, OSError, ValueError) as e:
                self.error = self._problem(e)
            if self.error is not None:
                if parts:
                    break
                raise self.error
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        out = b"".join(parts)
        self.delivered += len(out)
        return out

    def _problem(self, e: BaseException) -> Problem:
        if isinstance(e, EOFError):
            return Problem("truncated_archive", f"{self.comp} stream ends early, after {self.delivered} "
                           f"decompressed bytes (the file is cut short): {e}")
        return Problem("truncated_archive", f"{self.comp} data corrupt after {self.delivered} decompressed bytes: "
                       f"{e.__class__.__name__}: {e}")

    def close(self) -> None:
        self.inner.close()


class _Decoder(ABC):
    """An incremental decoder of one compressed byte stream (possibly several members/frames/streams in a row).

    ``_step`` decodes a little into ``buf``; ``read`` hands out what is buffered. An error (a cut, corrupt data,
    a failing file below) is kept and raised only once everything decoded before it has been handed out: that is
    what keeps the complete records before a cut. Output per step is bounded, so a bomb never fills memory.
    """

    _IN = 65536  # compressed bytes read from the source at a time

    def __init__(self, src: Any):
        self.src = src
        self.pending = b""  # compressed bytes read but not yet given to the decoder
        self.buf = bytearray()
        self.pos = 0
        self.inside = False  # inside a member/frame/stream: its end has not been seen yet
        self.eof = False
        self.error: BaseException | None = None

    def _input(self) -> bytes:
        """The compressed bytes not yet decoded (reads more when none are left); b"" at the end of the input."""
        if not self.pending:
            self.pending = self.src.read(self._IN)
            if not self.pending:
                self.eof = True
                if self.inside:
                    raise EOFError(f"the input ends inside a {self._unit}")
        return self.pending

    _unit = "member"

    @abstractmethod
    def _step(self) -> None:
        """One decoding step: consume input, produce output, or set ``eof`` (each decoder defines it)."""

    def read(self, n: int = -1) -> bytes:
        # Invariant: each ``_step`` consumes >= 1 input byte, produces output, reads more input, or sets ``eof``
        # (or raises, which stops the loop).
        while (n is None or n < 0 or len(self.buf) - self.pos < n) and not self.eof and self.error is None:
            try:
                self._step()
            except Exception as e:  # kept for after the buffered bytes: see the class docstring
                self.error = e
        end = len(self.buf) if n is None or n < 0 else min(len(self.buf), self.pos + n)
        out = bytes(self.buf[self.pos : end])
        self.pos = end
        if self.pos > CHUNK and self.pos * 2 > len(self.buf):
            del self.buf[: self.pos]
            self.pos = 0
        if not out and self.error is not None and (n is None or n != 0):
            raise self.error
        return out

    def close(self) -> None:
        self.src.close()


class GzipReader(_Decoder):
    """Multi-member gzip (zero padding between or after members is skipped, as gzip(1) and ``gzip`` do)."""

    def __init__(self, src: Any):
        super().__init__(src)
        self.obj: Any = None

    def _step(self) -> None:
        data = self._input()
        if not data:
            return
        if not self.inside:
            rest = data.lstrip(b"\x00")
            if not rest:
                self.pending = b""
                return
            data = rest
            self.obj, self.inside = zlib.decompressobj(16 + zlib.MAX_WBITS), True
        out = self.obj.decompress(data, CHUNK)
        if not out and len(self.obj.unconsumed_tail) >= len(data) and not self.obj.eof:
            raise zlib.error("gzip decoder made no progress")  # never loop on the same bytes
        self.buf += out
        self.pending = self.obj.unconsumed_tail
        if self.obj.eof:
            self.pending = self.obj.unused_data + self.pending
            self.inside = False


class Bz2Reader(_Decoder):
    """Multi-stream bz2. bz2 decodes whole blocks (up to 900 kB), so everything before the cut block is kept."""

    _unit = "bz2 stream"

    def __init__(self, src: Any):
        super().__init__(src)
        self.obj: Any = None

    def _step(self) -> None:
        if self.inside and not self.obj.needs_input:
            data = b""  # more output of input the decoder already holds
        else:
            data = self._input()
            if not data:
                return
            self.pending = b""
            if not self.inside:
                self.obj, self.inside = bz2.BZ2Decompressor(), True
        before = len(self.buf)
        self.buf += self.obj.decompress(data, CHUNK)
        if self.obj.eof:
            self.pending = self.obj.unused_data
            self.inside = False
        elif not data and len(self.buf) == before:
            raise OSError("bz2 decoder made no progress")  # never loop on the same state


class ZstdReader(_Decoder):
    """Multi-frame zstd that notices a stream cut inside a frame (python-zstandard's stream_reader does not).

    Fed in 1 KiB steps, which bounds one step's output to about 32 MB even for a crafted bomb.
    """

    _FEED = 1024
    _unit = "zstd frame"

    def __init__(self, src: Any):
        super().__init__(src)
        self.dctx = zstandard.ZstdDecompressor()
        self.obj = self.dctx.decompressobj()

    def _step(self) -> None:
        data = self._input()
        if not data:
            return
        chunk, self.pending = data[: self._FEED], data[self._FEED :]
        self.inside = True
        self.buf += self.obj.decompress(chunk)
        if self.obj.eof:
            if len(self.obj.unused_data) >= len(chunk):  # nothing of the chunk consumed: never loop on it
                raise EOFError("zstd frame ends without consuming input")
            self.pending = self.obj.unused_data + self.pending
            self.obj = self.dctx.decompressobj()
            self.inside = False


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
