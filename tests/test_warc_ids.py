"""WARC articles get ids that are unique per input by construction, whatever the WARC-Record-IDs say.

``article_id`` is a hash of (source_uri, location). The location used to be ``record:<WARC-Record-ID>``, so a
crawler that reused an id, or a WARC appended to itself, gave several articles one ``article_id`` and the views
multiplied their rows (12 paragraph rows for 6 stored). The location is now the record's position in the file and
the WARC-Record-ID is kept as ``source_id``.
"""

from __future__ import annotations

import io
import json
import re

import duckdb

from newsbeam.cli import main
from newsbeam.ingest.readers import read_input
from newsbeam.ingest.sources import local_ref
from newsbeam.text.articles import article_id


def _page(i: int) -> bytes:
    paras = "".join(f"<p>Paragraph {j} of story {i}: the port of Gwadar reopened on Wednesday after the storm, "
                    f"and {j + 2} ships waited outside the breakwater for a berth.</p>" for j in range(3))
    return f"<html><head><title>Story {i}</title></head><body><article>{paras}</article></body></html>".encode()


def _warc(n: int, record_id: str | None = None, request_first: bool = False) -> bytes:
    """``n`` HTML responses; every record gets ``record_id`` when given (a writer that reuses ids)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    for i in range(n):
        url = f"https://port.example/s{i}"
        if request_first:
            req = w.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            w.write_record(req)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        warc_headers = {"WARC-Record-ID": record_id} if record_id else None
        rec = w.create_warc_record(url, "response", payload=io.BytesIO(_page(i)), http_headers=headers,
                                   warc_headers_dict=warc_headers)
        w.write_record(rec)
    return buf.getvalue()


def _articles(path) -> list[dict]:
    return [v for k, v in read_input(local_ref(str(path))) if k == "article"]


def test_repeated_record_ids_give_unique_locations_and_ids(tmp_path):
    p = tmp_path / "same.warc.gz"
    p.write_bytes(_warc(3, record_id="<urn:uuid:00000000-0000-0000-0000-000000000001>"))
    arts = _articles(p)
    assert [a["location"] for a in arts] == ["record:0", "record:1", "record:2"]
    assert {a["source_id"] for a in arts} == {"urn:uuid:00000000-0000-0000-0000-000000000001"}
    assert len({article_id(a["source_uri"], a["location"]) for a in arts}) == 3


def test_position_counts_every_record(tmp_path):
    p = tmp_path / "req.warc.gz"
    p.write_bytes(_warc(2, request_first=True))
    arts = _articles(p)
    assert [a["location"] for a in arts] == ["record:1", "record:3"]  # requests hold positions 0 and 2
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", a["source_id"]) for a in arts)


def test_warc_appended_to_itself_through_the_pipeline(tmp_path, capsys):
    one = _warc(2)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "twice.warc.gz").write_bytes(one + one)
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "in"), "--out", str(out), "--quiet", "--no-actors", "--no-places"]) == 0
    capsys.readouterr()
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    arts = con.execute("select article_id, location, source_id from articles order by location").fetchall()
    assert [a[1] for a in arts] == ["record:0", "record:1", "record:2", "record:3"]
    assert len({a[0] for a in arts}) == 4 and arts[0][2] == arts[2][2]  # same WARC-Record-ID, distinct ids
    stored = sum(
        duckdb.execute(f"select count(*) from read_parquet('{f}')").fetchone()[0]
        for f in (out / "paragraphs").rglob("*.parquet")
    )
    assert con.execute("select count(*) from paragraphs").fetchone()[0] == stored == 12  # 4 articles x 3
    dup = con.execute("select count(*) from paragraphs group by article_id, para_index having count(*) > 1").fetchall()
    assert dup == []
    record = json.loads(next((out / "_runs").glob("*.json")).read_text())
    assert record["status"] == "ok"
