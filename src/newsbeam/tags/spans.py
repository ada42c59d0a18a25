"""Which characters of one paragraph are already taken by spans: overlap tests in time proportional to the span.

The taggers test every candidate against the spans taken so far ("does this name overlap an organisation, a place,
a person already found?"). Scanning a list of taken spans for each candidate is quadratic in a paragraph's length,
and a paragraph can be megabytes long (text with no line breaks). Here each taken character is marked in a
bytearray, so adding a span and testing one cost O(its length), whatever the number of spans already taken.

    >>> occ = Occupancy(20)
    >>> occ.add(3, 8)
    >>> occ.hits(7, 12), occ.hits(8, 12), occ.inside(4, 6), occ.inside(4, 9)
    (True, False, True, False)
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable


class Occupancy:
    """Spans taken in a text of ``n`` characters (allocated on first use: most paragraphs take few spans)."""

    __slots__ = ("n", "_mask", "_owner", "_spans")

    def __init__(self, n: int, spans: Iterable[tuple[int, int]] = ()):
        self.n = n
        self._mask: bytearray | None = None
        self._owner: array | None = None  # for ``inside``: the index of the span that took each character
        self._spans: list[tuple[int, int]] = []
        for s, e in spans:
            self.add(s, e)

    def add(self, s: int, e: int) -> None:
        # Comparisons, not max()/min(): this runs for every span every tagger takes (~5 per paragraph).
        if s < 0:
            s = 0
        if e > self.n:
            e = self.n
        if e <= s:
            return
        mask = self._mask
        if mask is None:
            mask = self._mask = bytearray(self.n)
        mask[s:e] = b"\x01" * (e - s)
        if self._owner is not None:
            self._owner[s:e] = array("i", [len(self._spans)]) * (e - s)
        self._spans.append((s, e))

    def hits(self, s: int, e: int) -> bool:
        """Does [s, e) share a character with a taken span?"""
        # ``find`` clamps an end past the text itself; a negative start would count from the end, so it is clamped.
        mask = self._mask
        return mask is not None and mask.find(1, s if s > 0 else 0, e) >= 0

    def covered(self, i: int) -> bool:
        """Is character ``i`` taken?"""
        return self._mask is not None and 0 <= i < self.n and self._mask[i] == 1

    def inside(self, s: int, e: int) -> bool:
        """Is [s, e) inside one taken span? (Taken spans do not overlap each other: the taggers only take free
        characters, so the span that took character ``s`` is the only candidate.)"""
        if not self.covered(s):
            return False
        if self._owner is None:
            self._owner = array("i", [-1]) * self.n
            for k, (a, b) in enumerate(self._spans):
                self._owner[a:b] = array("i", [k]) * (b - a)
        a, b = self._spans[self._owner[s]]
        return a <= s and e <= b

    def __bool__(self) -> bool:
        return bool(self._spans)

    def __iter__(self):
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)
