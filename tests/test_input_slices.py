"""Large inputs read in parts (ingest/slices.py): every record in exactly one part, with its usual location.

The property: for any input and any number of parts, the parts' events together are the events of the whole input,
each once, in the same order inside a part; the counters come with part 0 only. Inputs are written by hypothesis:
records, blank lines, malformed JSON, JSON that is not an object, lines over the size cap, a file cut short.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbeam.ingest.readers import IngestOptions, read_input
from newsbeam.ingest.slices import SLICE_MIN_BYTES, InputSlice, slices_of, splittable
from newsbeam.ingest.sources import InputRef

OPTS = IngestOptions(max_article_bytes=300)


def local_ref(path: Path, problem: tuple[str, str] | None = None) -> InputRef:
    size = path.stat().st_size if path.exists() else None
    return InputRef(uri=str(path), open_uri=str(path), size=size, mtime=None, etag=None, key=str(path),
                    problem=problem)


def events(path: Path, part: tuple[int, int] = (0, 1)) -> list:
    return [(k, json.dumps(v, sort_keys=True, default=str)) for k, v in read_input(local_ref(path), OPTS, part)]


_line = st.one_of(
    st.builds(lambda t, i: json.dumps({"id": f"a{i}", "title": "T", "text": t}), st.text(min_size=1, max_size=80),
              st.integers(0, 10**6)),
    st.just(""),  # blank: counted, not a record
    st.just("{not json"),
    st.just("[1, 2]"),  # JSON, not an object
    st.just(json.dumps({"id": "x", "text": ""})),  # no text
    st.just(json.dumps({"text": "w " * 400})),  # over the 300-byte cap
)


def check_parts(path: Path, count: int) -> None:
    whole = events(path)
    parts = [events(path, (i, count)) for i in range(count)]
    counters = [e for e in whole if e[0] == "count"]
    records = [e for e in whole if e[0] != "count"]
    assert [e for e in parts[0] if e[0] == "count"] == counters
    assert all(e[0] != "count" for p in parts[1:] for e in p)
    # Record k of the whole input is in part k % count, in order.
    for i, p in enumerate(parts):
        assert [e for e in p if e[0] != "count"] == records[i::count]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line, max_size=25), count=st.integers(1, 4), cut=st.booleans(), gz=st.booleans())
def test_parts_partition_a_json_lines_input(tmp_path, lines, count, cut, gz):
    raw = ("\n".join(lines) + ("" if cut else "\n")).encode()
    path = tmp_path / ("in.jsonl.gz" if gz else "in.jsonl")
    data = gzip.compress(raw) if gz else raw
    if cut and gz and len(data) > 20:
        data = data[: len(data) * 2 // 3]  # a truncated archive: the tail is one reject, in one part
    path.write_bytes(data)
    check_parts(path, count)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.one_of(st.text(min_size=1, max_size=40), st.just("")), max_size=12), count=st.integers(2, 3))
def test_parts_partition_a_json_array_input(tmp_path, items, count):
    """Formats without a skip of their own (a JSON array here) are filtered after parsing: the same partition."""
    path = tmp_path / "in.json"
    path.write_text(json.dumps([{"id": str(i), "text": t} for i, t in enumerate(items)]))
    check_parts(path, count)


def test_an_unreadable_input_is_one_reject_in_part_zero(tmp_path):
    path = tmp_path / "gone.jsonl"
    path.write_text('{"text": "a"}\n')
    ref = local_ref(path)
    os.remove(path)
    parts = [list(read_input(ref, OPTS, (i, 2))) for i in range(2)]
    assert [k for k, _ in parts[0]] == ["reject"] and parts[1] == []


def test_which_inputs_are_read_in_parts(tmp_path):
    big = SLICE_MIN_BYTES
    assert splittable("/in/a.jsonl.gz", big) and splittable("file:///in/a.warc.gz", big)
    assert not splittable("/in/a.jsonl", big - 1)  # small: one part
    assert not splittable("/in/a.jsonl", None)  # size unknown
    assert not splittable("https://host/a.jsonl", big)  # remote: each part would download it again
    assert not splittable("s3://bucket/a.jsonl", big)
    assert not splittable("/in/page.html", big) and not splittable("/in/a.txt.gz", big)  # one article per file
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"{}\n" * 10)
    ref = local_ref(path)
    assert slices_of(ref, workers=3, min_bytes=1) == [InputSlice(ref, i, 3) for i in range(3)]
    assert slices_of(ref, workers=1, min_bytes=1) == [InputSlice(ref)]
    assert slices_of(ref, workers=3) == [InputSlice(ref)]  # 30 bytes: below the default size
    listed_reject = local_ref(path, problem=("outside_root", "not under --root"))
    assert slices_of(listed_reject, workers=3, min_bytes=1) == [InputSlice(listed_reject)]
