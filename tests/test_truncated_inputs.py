"""Inputs cut short: every complete record before the cut is kept, the broken tail is exactly one reject.

The reference for "complete" is computed independently of newsbeam: the longest prefix that zlib/bz2/zstd can
decode from the cut bytes, and the records that prefix holds whole. The gzip and bz2 readers of the standard
library dropped up to a whole read block of those (a 5-record WARC.gz cut 100 bytes short kept 3), and a small cut
archive lost everything because the sniffing peek raised.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import zlib
from collections import Counter
from pathlib import Path

import pytest
import zstandard

from newsbeam.ingest.context import Problem
from newsbeam.ingest.readers import read_input
from newsbeam.ingest.sources import local_ref
from newsbeam.ingest.streams import Bz2Reader, Guarded, GzipReader


def read(path: Path, data: bytes) -> tuple[list[dict], list[dict], Counter]:
    path.write_bytes(data)
    arts, rejs, counts = [], [], Counter()
    for kind, value in read_input(local_ref(str(path))):
        if kind == "article":
            arts.append(value)
        elif kind == "reject":
            rejs.append(value)
        else:
            counts[value] += 1
    return arts, rejs, counts


def decodable(comp: str, data: bytes) -> bytes:
    """The longest decodable prefix of cut compressed ``data`` (every member/stream/frame in a row)."""
    out, rest = b"", data
    while rest:
        if comp == "gz":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif comp == "bz2":
            d = bz2.BZ2Decompressor()
        else:
            d = zstandard.ZstdDecompressor().decompressobj()
        out += d.decompress(rest)
        rest = d.unused_data if d.eof else b""
    return out


COMPRESS = {
    "gz": gzip.compress,
    "bz2": lambda b: bz2.compress(b, 1),  # 100 kB blocks: a cut file has complete blocks before the cut one
    "zst": lambda b: zstandard.ZstdCompressor().compress(b),
}


def _records(n: int) -> list[dict]:
    return [{"id": str(i), "text": f"Report {i}: the river rose again near the bridge at Kalam, officials said "
                                   f"on Monday, and {i % 7} roads stayed closed."} for i in range(n)]


def _cuts(size: int) -> list[int]:
    return sorted({1, 3, 17, 100, 1000, size // 3, size // 2, size - 30} & set(range(1, size)))


@pytest.mark.parametrize("comp", sorted(COMPRESS))
def test_jsonl_cut_keeps_every_complete_line(tmp_path, comp):
    raw = b"".join(json.dumps(r).encode() + b"\n" for r in _records(4000))
    data = COMPRESS[comp](raw)
    for cut in _cuts(len(data)):
        arts, rejs, _ = read(tmp_path / f"c.jsonl.{comp}", data[:-cut])
        complete = decodable(comp, data[:-cut]).count(b"\n")
        assert [a["source_id"] for a in arts] == [str(i) for i in range(complete)], (comp, cut)
        assert [(r["location"], r["reason"]) for r in rejs] == [
            (f"line:{complete + 1}" if complete else "", "truncated_archive")], (comp, cut)
    assert "the file is cut short" in rejs[0]["detail"]


@pytest.mark.parametrize("comp", sorted(COMPRESS))
def test_json_array_cut_keeps_every_complete_item(tmp_path, comp):
    raw = ("[" + ",\n".join(json.dumps(r) for r in _records(4000)) + "]\n").encode()
    data = COMPRESS[comp](raw)
    for cut in _cuts(len(data)):
        arts, rejs, _ = read(tmp_path / f"c.json.{comp}", data[:-cut])
        complete = decodable(comp, data[:-cut]).count(b"}")
        assert [a["source_id"] for a in arts] == [str(i) for i in range(complete)], (comp, cut)
        # A cut only in the trailer (every item decoded) is still reported: the JSON reader reads to the end.
        assert [(r["location"], r["reason"]) for r in rejs] == [
            (f"item:{complete}" if complete else "", "truncated_archive")], (comp, cut)


def test_plain_json_cut_says_so(tmp_path):
    recs = _records(30)
    arr = ("[" + ",\n".join(json.dumps(r) for r in recs) + "]").encode()
    jsonl = b"".join(json.dumps(r).encode() + b"\n" for r in recs)
    for cut in (2, 10, 40):
        arts, rejs, _ = read(tmp_path / "a.json", arr[:-cut])
        assert len(arts) == 29 and [(r["location"], r["reason"]) for r in rejs] == [("item:29", "malformed_json")]
        assert rejs[0]["detail"] == "the input ends inside this value (the file is cut short?)"
        arts, rejs, _ = read(tmp_path / "a.jsonl", jsonl[:-cut])
        assert len(arts) == 29 and [(r["location"], r["reason"]) for r in rejs] == [("line:30", "malformed_json")]
        assert rejs[0]["detail"].endswith("; the input ends inside this line (the file is cut short?)")
    arts, rejs, _ = read(tmp_path / "a.json", arr[:-1])  # only the closing bracket is missing
    assert len(arts) == 30 and [r["location"] for r in rejs] == ["item:30"]
    assert rejs[0]["detail"] == "the input ends before the array is closed (the file is cut short?)"
    # A broken line in the middle is not called a cut.
    arts, rejs, _ = read(tmp_path / "b.jsonl", b'{"text": "one line"}\n{"text": "bro\n{"text": "two"}\n')
    assert len(arts) == 2 and "cut short" not in rejs[0]["detail"]


def test_json_after_the_array_is_not_ignored(tmp_path):
    one = json.dumps(_records(3)).encode()
    arts, rejs, _ = read(tmp_path / "two.json", one + b"\n" + one)  # appended exports: both arrays are read
    assert [a["location"] for a in arts] == [f"item:{i}" for i in range(6)] and not rejs
    arts, rejs, _ = read(tmp_path / "junk.json", one + b"\ntrailing junk")
    assert len(arts) == 3 and [(r["location"], r["reason"]) for r in rejs] == [("item:3", "malformed_json")]
    arts, rejs, _ = read(tmp_path / "empty.json", b"[] []")
    assert not arts and [r["reason"] for r in rejs] == ["empty"]


def _page(i: int) -> bytes:
    paras = "".join(f"<p>Paragraph {j} of report {i}: the council of Kalam met on Tuesday about the new bridge, "
                    f"the flooded road and the school that closed in week {j}.</p>" for j in range(4))
    return f"<html><head><title>Report {i}</title></head><body><article>{paras}</article></body></html>".encode()


def _warc(n: int, gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    for i in range(n):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        fixed = {"WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{i:012d}>", "WARC-Date": "2026-04-12T08:00:00Z"}
        w.write_record(w.create_warc_record(f"https://news.example/r{i}", "response", payload=io.BytesIO(_page(i)),
                                            http_headers=headers, warc_headers_dict=fixed))  # same bytes every run
    return buf.getvalue()


def test_warc_gz_cut_100_bytes_short_keeps_the_records_before(tmp_path):
    data = _warc(5, gz=True)  # one gzip member per record, as crawlers write them
    arts, rejs, _ = read(tmp_path / "w.warc.gz", data[:-100])
    assert [a["title"] for a in arts] == [f"Report {i}" for i in range(4)]
    assert [(r["location"], r["reason"]) for r in rejs] == [("record:4", "truncated_archive")]
    assert "cut short" in rejs[0]["detail"]


@pytest.mark.parametrize("per_record", [True, False])
def test_warc_gz_every_cut(tmp_path, per_record):
    raw = _warc(5, gz=per_record)
    data = raw if per_record else gzip.compress(raw, mtime=0)
    for cut in range(1, len(data) - 20, 29):
        arts, rejs, _ = read(tmp_path / "w.warc.gz", data[:-cut])
        complete = decodable("gz", data[:-cut]).count(b"</html>")
        assert [a["title"] for a in arts] == [f"Report {i}" for i in range(complete)], cut
        try:  # a cut exactly between two members leaves a valid, shorter file: nothing to report
            gzip.decompress(data[:-cut])
            assert not rejs, cut
        except (EOFError, OSError):  # cut inside a member (OSError: only its first byte is left)
            assert [r["reason"] for r in rejs] == ["truncated_archive"], cut


def test_gzip_padding_and_trailing_garbage(tmp_path):
    raw = b"".join(json.dumps(r).encode() + b"\n" for r in _records(5))
    arts, rejs, _ = read(tmp_path / "p.jsonl.gz", gzip.compress(raw[:200]) + gzip.compress(raw[200:]) + b"\0" * 512)
    assert len(arts) == 5 and not rejs  # zero padding after the members is allowed, as gzip(1) allows it
    arts, rejs, _ = read(tmp_path / "g.jsonl.gz", gzip.compress(raw) + b"not gzip at all")
    assert len(arts) == 5 and [(r["location"], r["reason"]) for r in rejs] == [("line:6", "truncated_archive")]
    assert "corrupt" in rejs[0]["detail"]


class _FailsAfter:
    """A source that delivers ``data`` and then fails the way a dropped connection does."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, n: int = -1) -> bytes:
        if not self.data:
            raise Problem("unreachable", "connection reset")
        out, self.data = self.data[:n], self.data[n:]
        return out

    def close(self) -> None:
        pass


@pytest.mark.parametrize("make,compress", [(GzipReader, gzip.compress), (Bz2Reader, bz2.compress)])
def test_error_below_the_decoder_comes_after_the_decoded_bytes(make, compress):
    raw = bytes(range(256)) * 400
    data = compress(raw)
    g = Guarded(make(_FailsAfter(data[: len(data) - 10])), "x")
    got = b""
    with pytest.raises(Problem) as e:
        while chunk := g.read(5000):
            got += chunk
    assert e.value.reason == "unreachable"  # the transport's reason, not a made-up truncation
    assert got == decodable("gz" if make is GzipReader else "bz2", data[: len(data) - 10]) and got


def test_gzip_bomb_output_is_bounded():
    bomb = gzip.compress(b"\0" * 50_000_000)
    r = GzipReader(io.BytesIO(bomb))
    assert len(r.read(1000)) == 1000 and len(r.buf) <= 2 << 20  # decoded on demand, not all at once
