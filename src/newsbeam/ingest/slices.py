"""Large inputs read in parts, so that one big file does not leave all but one worker idle.

Beam's local runner hands the inputs of a stage to its workers element by element: a run over one 300 MB JSON Lines
dump is one element, so one worker read it and did all of the per-article work (splitting, tagging, MinHash) while
the others waited (measured: 2 workers 49 s against 1 worker 52 s on 30 MB in one file; 33 s when the same text is
in 18 files). A local input of at least ``SLICE_MIN_BYTES`` is therefore read as ``workers`` parts: part ``i`` of
``n`` reads the whole stream but keeps only the records whose ordinal (counting every article and reject the input
yields, in reading order) is ``i`` modulo ``n``. Reading is deterministic, so each record lands in exactly one part,
with the location (and so the ``article_id``) it has when the input is read whole: the tables do not depend on the
number of parts. Things an input yields once (counters such as ``blank-lines``, the "input read" count) come from
part 0 only.

What it costs: each part decompresses the whole input (about 0.1 s per 10 MB of text with gzip); JSON Lines skip
the JSON decoding of lines that are not theirs (``ReadContext.owns_next``); other formats parse everything and drop
what is not theirs. Remote inputs are never split (each part would download the object again), and neither are
formats of one article per file.
"""

from __future__ import annotations

from typing import NamedTuple

from newsbeam.ingest.formats import html, text
from newsbeam.ingest.sniff import format_extension
from newsbeam.ingest.sources import InputRef, scheme_of

# Stored bytes (compressed when the file is): about 10 MB of news text in a gzip file, 5 s of work for one worker.
SLICE_MIN_BYTES = 4_000_000
_ONE_ARTICLE = html.EXTENSIONS | text.EXTENSIONS


class InputSlice(NamedTuple):
    """Part ``index`` of ``count`` of one input (0 of 1: the whole input)."""

    ref: InputRef
    index: int = 0
    count: int = 1


def splittable(uri: str, size: int | None, min_bytes: int = SLICE_MIN_BYTES) -> bool:
    """Whether an input is read in parts when there are several workers: local, large, not one article per file."""
    return (
        size is not None
        and size >= min_bytes
        and scheme_of(uri) in ("", "file")
        and format_extension(uri) not in _ONE_ARTICLE
    )


def slices_of(ref: InputRef, workers: int, min_bytes: int = SLICE_MIN_BYTES) -> list[InputSlice]:
    """The parts to read ``ref`` in: one per worker for a splittable input, else the whole input."""
    if workers < 2 or ref.problem is not None or not splittable(ref.uri, ref.size, min_bytes):
        return [InputSlice(ref)]
    return [InputSlice(ref, i, workers) for i in range(workers)]


__all__ = ["SLICE_MIN_BYTES", "InputSlice", "slices_of", "splittable"]
