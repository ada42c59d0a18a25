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
of aliased classes), written out here on the model's arrays (``langid_model``: the table as row-major float32,
memory-mapped from the cache). A self-check at start-up compares the batch walk with py3langid's on a few texts and falls back to
py3langid's walk if they ever differ (another model), so a wrong count can only cost speed.
"""

from __future__ import annotations

import math

import numpy as np

from newsbeam.text.langid_model import LangidModel

WINDOW = 6
_KEY_BITS = 63  # (text, feature, position) keys are sorted as non-negative int64
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

    def __init__(self, model: LangidModel) -> None:
        self.model = model
        self._n_feats, self._n_classes = model.nb_ptc.shape
        self._reset = self._reset_byte()
        if self._reset is not None and not self._agrees_with_stock_walk():
            self._reset = None

    def _reset_byte(self) -> int | None:
        """A byte that sends every state to the start state, which counts no feature; None if the model has none."""
        m = self.model
        if m.output[0] >= 0:
            return None
        for b in range(256):
            if not np.any(m.nextmove[m.rowbase + b]):
                return b
        return None

    def _agrees_with_stock_walk(self) -> bool:
        bufs = [_encode(t) for t in _SELF_CHECK] * 3
        return all(_same(a, b) for a, b in zip(self._batch_counts(bufs), map(self._stock_counts, bufs), strict=True))

    # -- counting -------------------------------------------------------------------------------------------------

    def _stock_counts(self, buf: bytes) -> Counts:
        """py3langid's own walk (a Python loop over the bytes): the fallback, and the reference of the tests."""
        from py3langid.langid import visit_counts

        m = self.model
        visits = visit_counts(m.nextmove, m.rowbase, m.output, buf)
        if not visits:
            return None
        return (np.fromiter(map(int, visits.keys()), dtype=np.intp, count=len(visits)),
                np.fromiter(visits.values(), dtype=np.intp, count=len(visits)))

    def _batch_counts(self, bufs: list[bytes]) -> list[Counts]:
        """The counts of each text: one vectorised walk, then one sort of (text, feature, position) keys.

        Distinct features in order of first occurrence come from sorting keys that pack the text, the feature and the
        position into one int64: equal (text, feature) keys end up together with their first position first, so a
        plain (unstable, SIMD) sort replaces ``np.unique``'s stable argsort, ~10x cheaper on 4 million keys. The
        fields' widths follow from the batch's size; a batch too large for ``_KEY_BITS`` is counted in two halves
        (a single text always fits: 17 bits of features leave 46 for its positions).
        """
        if not bufs:
            return []
        size = sum(map(len, bufs)) + len(bufs) + WINDOW
        if len(bufs) > 1 and (len(bufs) * self._n_feats).bit_length() + size.bit_length() > _KEY_BITS:
            half = len(bufs) // 2
            return self._batch_counts(bufs[:half]) + self._batch_counts(bufs[half:])
        m = self.model
        sep = bytes([self._reset])  # type: ignore[list-item]
        data = np.frombuffer(sep * (WINDOW - 1) + sep.join(bufs), dtype=np.uint8).astype(np.intp)
        n = len(data) - (WINDOW - 1)
        state = np.zeros(n, dtype=np.intp)
        for k in range(WINDOW):
            state = m.nextmove[m.rowbase[state] + data[k:k + n]]
        feats = m.output[state]
        lens = np.fromiter(map(len, bufs), dtype=np.intp, count=len(bufs))
        text_of = np.repeat(np.arange(len(bufs), dtype=np.intp), lens + 1)[:n]  # separators belong to the text before
        pos = np.flatnonzero(feats >= 0)
        if not len(pos):
            return [None] * len(bufs)
        keys = text_of[pos] * self._n_feats + feats[pos]
        pos_bits = max(n.bit_length(), 1)
        packed = np.sort((keys.astype(np.int64) << pos_bits) | pos)
        keys = packed >> pos_bits
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        cnt = np.diff(np.append(starts, len(keys)))
        order = np.argsort(packed[starts] & ((1 << pos_bits) - 1))  # first positions are distinct: no ties
        uniq, cnt = keys[starts][order], cnt[order]
        owner = uniq // self._n_feats
        bounds = np.searchsorted(owner, np.arange(len(bufs) + 1), side="left")
        out: list[Counts] = []
        for t in range(len(bufs)):
            lo, hi = bounds[t], bounds[t + 1]
            out.append(None if lo == hi else (uniq[lo:hi] - t * self._n_feats, cnt[lo:hi]))
        return out

    def counts(self, bufs: list[bytes]) -> list[Counts]:
        """Feature counts of each encoded text, exactly as py3langid's walk makes them."""
        if self._reset is None:
            return [self._stock_counts(b) for b in bufs]
        return self._batch_counts(bufs)

    # -- scoring --------------------------------------------------------------------------------------------------

    def _classify_counts(self, buf: bytes, counts: Counts) -> tuple[str, float]:
        m = self.model
        if counts is None:
            scores = np.full(self._n_classes, 0.0, dtype=np.float32)
        else:
            idx, cnt = counts
            scores = np.log1p(cnt.astype(np.float32)) @ m.nb_ptc[idx] + m.nb_pc
        scores *= 1.0 / math.sqrt(len(buf) or 1)
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        for i, j in m.alias_pairs:
            scores[i] += scores[j]
            scores[j] = 0.0
        best = int(scores.argmax())
        return m.classes[best], float(scores[best])

    def classify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        """(language, normalised probability) of each text, as py3langid's ``classify`` gives them one by one."""
        bufs = [_encode(t) for t in texts]
        return [self._classify_counts(b, c) for b, c in zip(bufs, self.counts(bufs), strict=True)]


def _encode(text: str) -> bytes:
    """The bytes py3langid reads for a text (its own encoder: NFC, lower case when all upper, UTF-8)."""
    from py3langid.langid import LanguageIdentifier

    return LanguageIdentifier._encode(text)


def _same(a: Counts, b: Counts) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
