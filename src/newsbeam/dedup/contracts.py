"""The records that travel between the dedup stages, by name.

They are ``NamedTuple``s on purpose: they stay tuples (positional code, sorting and equality are unchanged), they
pickle compactly inside the packed batches (``batching.py``: the class is written once per batch, then memoised),
and Beam's coders pass them through like any other picklable value.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from newsbeam.dedup.rules import ShingleSets


class Ref(NamedTuple):
    """One paragraph in an exact group, ids only. ``shard`` is None for a paragraph of an earlier run (from the index).

    Travels as (exact_key, Ref) in the 'ref' batches, keyed by ``bucket(exact_key)``.
    """

    published_us: int | None
    article_id: str
    para_index: int
    source: str | None
    n_words: int
    shard: str | None = None

    @property
    def old(self) -> bool:
        return self.shard is None


class BandBatch(NamedTuple):
    """LSH band entries of one band bucket, as parallel int64 arrays: one entry per (band key, text)."""

    band_keys: np.ndarray
    text_hashes: np.ndarray
    shingle_counts: np.ndarray


class NearVerdict(NamedTuple):
    """The near-dup result for one distinct text: ``copy`` of ``target`` (a paragraph id) with ``similarity``, or
    ``canon`` (the canonical of at least one near copy)."""

    kind: str  # COPY or CANON
    target: str | None = None
    similarity: float | None = None


COPY, CANON = "copy", "canon"


class NearHalf(NamedTuple):
    """Candidate pairs of one near bucket of second texts, with the shingles of their first texts.

    Row i is the pair (``firsts[i]``, ``seconds[i]``) of text hashes; ``first_shingles`` holds each distinct first
    text once, so its shingles travel once per bucket of second texts, not once per pair. Written to a staging file
    by ``AttachAFn``, read back by ``VerifyPairsFn`` (``near.py``).
    """

    firsts: np.ndarray  # int64 text hashes
    seconds: np.ndarray  # int64 text hashes
    first_shingles: ShingleSets


class Decision(NamedTuple):
    """The dedup fields of one paragraph, as Finalize applies them to its staged row."""

    article_id: str
    para_index: int
    dup_kind: str | None  # None, 'exact' or 'near'
    duplicate_of: str | None
    dup_group: str | None
    similarity: float | None
    is_boilerplate: bool


class IndexRow(NamedTuple):
    """One canonical paragraph in the cross-run index (``index_format.INDEX_SCHEMA``, same field order)."""

    text_hash: int
    article_id: str
    para_index: int
    published_us: int | None
    n_words: int
    source: str
    uri_hash: int
    bands: list[int] | None
    shingles: bytes | None

    def ref(self) -> Ref:
        """As an old member of its exact group: no shard, since its rows are already published."""
        return Ref(self.published_us, self.article_id, self.para_index, self.source, self.n_words, None)
