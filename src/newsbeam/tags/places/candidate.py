"""One matched place name and what its context says about it: the record every step of the tagger reads and
fills in (context, then readings, then metonymy)."""

from __future__ import annotations

from collections.abc import Sequence


class Candidate:
    """One matched place name and what the context says about it."""

    __slots__ = ("para", "s", "e", "kid", "flags", "ents", "strong", "prep", "initial", "prev_cap",
                 "prev_word", "next_cap", "dateline", "best", "score", "margin", "weight", "meto", "anchor", "first", "why",
                 "unit", "head", "in_country_list", "facility")

    def __init__(self, para: int, s: int, e: int, kid: int, flags: int, ents: Sequence[int], weight: float):
        self.para, self.s, self.e, self.kid, self.flags, self.ents = para, s, e, kid, flags, ents
        self.weight = weight
        self.strong = 0.0  # bonus from a dateline or a "City, Region" pair
        self.prep = self.initial = self.prev_cap = self.next_cap = self.dateline = self.meto = False
        self.anchor = False
        self.unit = False  # an administrative-unit noun next to it ("Borno state", "the state of Borno")
        self.head: str | None = None  # "feature" / "org": the name is part of a longer non-place name
        self.in_country_list = False  # listed with a country ("Niger, Chad and Cameroon")
        self.facility = False  # a facility noun follows ("Madina hospital"): maybe a name, not the place
        self.first = -1  # an anchor's reading before any evidence
        self.prev_word = ""
        self.best = -1
        self.score = self.margin = 0.0
        self.why: str | None = None
