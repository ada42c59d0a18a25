"""The graph's step that keeps forgotten sources out of a run (``tombstones.py`` says why).

Apart from ``tombstones.py`` so that reading the tombstones (``status``, ``query``) never imports Beam.
"""

from __future__ import annotations

import apache_beam as beam

from newsbeam.output.tombstones import Tombstones
from newsbeam.runtime.counters import CountingDoFn


class DropForgottenFn(CountingDoFn):
    """Article dicts -> those not of a forgotten source; counts ``articles-forgotten-source`` for the others."""

    def __init__(self, tombstones: Tombstones):
        super().__init__()
        self.tombstones = tombstones

    def process(self, article: dict):
        if self.tombstones.hides(article.get("source"), article.get("source_uri")):
            self.inc("articles-forgotten-source")
            return
        yield article


def drop_forgotten(articles: beam.PCollection, tombstones: Tombstones | None) -> beam.PCollection:
    """The graph's step (only present when there is something to drop, so graphs without takedowns stay as they were)."""
    if not tombstones:
        return articles
    return articles | "DropForgottenSources" >> beam.ParDo(DropForgottenFn(tombstones))
