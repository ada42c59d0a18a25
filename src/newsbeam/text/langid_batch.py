"""py3langid's answers for many texts at once, bit-identical to ``LanguageIdentifier.classify`` on each.

Why: on real multilingual news, language id was the largest per-article cost (every paragraph of a German or
Spanish article goes to the model). py3langid counts its byte n-gram features by walking a DFA one byte at a time
in Python (~0.1 us a byte), then scores the counts.

How the walk is done here: the model's DFA is *6-definite*: after any 6 bytes its state no longer depends on the
state it started from (``tests/test_language_batch.py`` proves it for the installed model by following the images
of the whole state set). So the state after byte ``i`` is the one reached from the start state by reading bytes
``i-5 .. i``, and six vectorised steps give every position's state at once. Texts are joined by a byte that sends
every state back to the start state and counts no feature (NUL in this model), so no window reads across two texts
differently from py3langid's own walk, which starts each text at the start state. The counts of each text are kept in
the order of first occurrence, the order of py3langid's ``Counter``, because the float32 sum of a score depends on it.

Scoring is py3langid's (``log1p(counts) @ table[features] + prior``, then its length-tempered softmax and the folding
of aliased classes), written out here on the same arrays; ``_speed_up_scoring`` in ``language`` stores the table as
row-major float32. A self-check at start-up compares the batch walk with py3langid's on a few texts and falls back to
py3langid's walk if they ever differ (another model), so a wrong count can only cost speed.
"""

from __future__ import annotations

import math
from array import array

import numpy as np

WINDOW = 6
# Below this many bytes in a batch, numpy's fixed costs (~40 us) exceed py3langid's byte loop.
SMALL_BATCH_BYTES = 400
_SELF_CHECK = (
    "Die Regierung hat am Dienstag eine neue Rentenreform angekündigt.",
    "Le gouvernement a annoncé mardi une nouvelle réforme.\x00 Zéro\x00",
    "Полиция задержала двух мужчин после пожара на складе.",
    "市政府周三表示，新的地铁线路将于明年年底前开通。",
    "ok",
    "",
)

Counts = tuple[np.ndarray, np.ndarray] | None  # (feature indexes, counts) in order of first occurrence, or none


class BatchIdentifier:
    """Classify many texts per call with one numpy walk over all their bytes (see the module docstring)."""

    def __init__(self, ident) -> None:
        if not getattr(ident, "_norm_probs", False):
            raise ValueError("BatchIdentifier needs an identifier made with norm_probs=True")
        self.ident = ident
        nm = ident.tk_nextmove
        if isinstance(nm, array) and nm.itemsize == 4 and nm.typecode in "IL":
            self._nm = np.frombuffer(nm, dtype=np.uint32)
        else:
            self._nm = np.asarray(nm, dtype=np.int64)
        self._rb = np.asarray(ident._rowbase, dtype=np.intp)
        self._out = np.asarray(ident.tk_output, dtype=np.intp)
        self._n_classes = len(ident.nb_classes)
        self._reset = self._reset_byte()
        if self._reset is not None and not self._agrees_with_stock_walk():
            self._reset = None

    def _reset_byte(self) -> int | None:
        """A byte that sends every state to the start state, which counts no feature; None if the model has none."""
        if self._out[0] >= 0:
            return None
        for b in range(256):
            if not np.any(self._nm[self._rb + b]):
                return b
        return None

    def _agrees_with_stock_walk(self) -> bool:
        bufs = [self.ident._encode(t) for t in _SELF_CHECK] * 3
        return all(_same(a, b) for a, b in zip(self._batch_counts(bufs), map(self._stock_counts, bufs), strict=True))

    # -- counting -------------------------------------------------------------------------------------------------

    def _stock_counts(self, buf: bytes) -> Counts:
        from py3langid.langid import visit_counts

        visits = visit_counts(self.ident.tk_nextmove, self.ident._rowbase, self.ident.tk_output, buf)
        if not visits:
            return None
        return (np.fromiter(visits.keys(), dtype=np.intp, count=len(visits)),
                np.fromiter(visits.values(), dtype=np.intp, count=len(visits)))

    def _batch_counts(self, bufs: list[bytes]) -> list[Counts]:
        if not bufs:
            return []
        sep = bytes([self._reset])  # type: ignore[list-item]
        data = np.frombuffer(sep * (WINDOW - 1) + sep.join(bufs), dtype=np.uint8).astype(np.intp)
        n = len(data) - (WINDOW - 1)
        state = np.zeros(n, dtype=np.intp)
        for k in range(WINDOW):
            state = self._nm[self._rb[state] + data[k:k + n]]
        feats = self._out[state]
        lens = np.fromiter(map(len, bufs), dtype=np.intp, count=len(bufs))
        text_of = np.repeat(np.arange(len(bufs), dtype=np.intp), lens + 1)[:n]  # separators belong to the text before
        hit = feats >= 0
        n_feats = len(self.ident.nb_ptc)
        keys = text_of[hit] * n_feats + feats[hit]
        uniq, first, cnt = np.unique(keys, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")  # keys are in position order: texts in turn, first occurrences
        uniq, cnt = uniq[order], cnt[order]
        owner = uniq // n_feats
        bounds = np.searchsorted(owner, np.arange(len(bufs) + 1), side="left")
        out: list[Counts] = []
        for t in range(len(bufs)):
            lo, hi = bounds[t], bounds[t + 1]
            out.append(None if lo == hi else (uniq[lo:hi] - t * n_feats, cnt[lo:hi]))
        return out

    def counts(self, bufs: list[bytes]) -> list[Counts]:
        """Feature counts of each encoded text, exactly as py3langid's walk makes them."""
        if self._reset is None or sum(map(len, bufs)) < SMALL_BATCH_BYTES:
            return [self._stock_counts(b) for b in bufs]
        return self._batch_counts(bufs)

    # -- scoring --------------------------------------------------------------------------------------------------

    def _classify_counts(self, buf: bytes, counts: Counts) -> tuple[str, float]:
        ident = self.ident
        if counts is None:
            scores = np.full(self._n_classes, 0.0, dtype=np.float32)
        else:
            idx, cnt = counts
            scores = np.log1p(cnt.astype(np.float32)) @ ident.nb_ptc[idx] + ident.nb_pc
        scores *= 1.0 / math.sqrt(len(buf) or 1)
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        for i, j in ident._alias_pairs:
            scores[i] += scores[j]
            scores[j] = 0.0
        best = int(scores.argmax())
        conf = float(scores[best])
        if ident.min_confidence is not None and conf < ident.min_confidence:
            return "und", conf
        return ident.nb_classes[best], conf

    def classify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        """(language, normalised probability) of each text, as ``ident.classify`` gives them one by one."""
        bufs = [self.ident._encode(t) for t in texts]
        return [self._classify_counts(b, c) for b, c in zip(bufs, self.counts(bufs), strict=True)]


def _same(a: Counts, b: Counts) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
