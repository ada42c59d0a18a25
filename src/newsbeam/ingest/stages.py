"""The Beam stage of ingest: one input ref in, its article dicts and reject dicts out (``read_input`` does the work).

It lives here, with the readers, so that ``graph.py`` holds only the composition.
"""

from __future__ import annotations

import apache_beam as beam

from newsbeam.config import IngestConfig
from newsbeam.ingest.context import ReadContext
from newsbeam.ingest.readers import IngestOptions, read_input
from newsbeam.ingest.slices import InputSlice
from newsbeam.ingest.sources import InputRef
from newsbeam.runtime.counters import CountingDoFn
from newsbeam.runtime.memory import TrimMemoryPerBundle
from newsbeam.runtime.progress import ProgressWriter

__all__ = ["ReadInputsFn", "ingest_options", "read_ref"]


def ingest_options(ingest: IngestConfig) -> IngestOptions:
    """What the readers need from the ``[ingest]`` settings (manifests are read by the driver, not by a worker)."""
    return IngestOptions(
        field_map=dict(ingest.field_map),
        max_article_bytes=ingest.max_article_bytes,
        retries=ingest.retries,
        timeout=ingest.timeout,
        allowed_url_params=tuple(ingest.allowed_url_params),
    )


def read_ref(ref: InputRef, opts: IngestOptions, part: tuple[int, int] = (0, 1)):
    """``read_input``, except for a ref the listing already found to be a reject (a manifest entry outside the root
    or not found): that is one reject with the listing's reason, and the path is never opened."""
    if ref.problem is not None:
        reason, detail = ref.problem
        yield ReadContext(ref, opts).reject("", reason, detail)
        return
    yield from read_input(ref, opts, part)


class ReadInputsFn(TrimMemoryPerBundle, CountingDoFn):
    """InputSlice -> article dicts (main) and reject dicts (tag 'reject'). Never raises for bad input.

    A large input comes as several slices (``slices.py``); each yields its share of the records, and the input is
    counted once (by slice 0).
    """

    def __init__(self, opts: IngestOptions, staging: str | None = None):
        super().__init__()
        self.opts, self.staging = opts, staging

    def setup(self):
        self.progress = ProgressWriter(self.staging, "read") if self.staging else None

    def process(self, piece: InputSlice):
        whole = piece.index == 0
        if whole:
            self.inc("inputs-read")
        if piece.count > 1:
            self.inc("input-parts-read")
        for kind, value in read_ref(piece.ref, self.opts, (piece.index, piece.count)):
            if kind == "article":
                self.inc("articles-read")
                if self.progress:
                    self.progress.add(articles=1)
                yield value
            elif kind == "reject":
                self.inc(f"rejects-{value['reason']}")
                self.inc("xfer-rejects-sent")
                yield beam.pvalue.TaggedOutput("reject", value)
            else:
                self.inc(value)
        if self.progress and whole:
            self.progress.add(inputs=1)

    def finish_bundle(self):
        if self.progress:
            self.progress.flush()
