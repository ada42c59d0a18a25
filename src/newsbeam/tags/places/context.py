"""Local context of a matched name: the words right before and after it in its paragraph ("in Reading", "the
town of Sake", "the Swat valley", "Whitney Houston", "Columbia River"), and what its neighbours in a list or a
"City, Region" pair share with it."""

from __future__ import annotations

from collections.abc import Callable, Container

from newsbeam.tags.places.candidate import Candidate
from newsbeam.tags.places.rules import (
    CAPITAL_PREPOSITIONS,
    DISEASE_AFTER,
    FACILITY_AFTER,
    FEATURE_HEADS,
    GEO_AFTER,
    LIST_GAPS,
    NOT_SENTENCE_END,
    ORG_BEFORE_OF,
    ORG_HEADS,
    ORG_LOOKAHEAD,
    ORG_SUFFIXES,
    PLACE_NOUNS_OF,
    PREFIX_OK,
    PREPOSITIONS,
    SENT_END,
    TITLES,
    UNIT_NOUNS,
)


def read_context(c: Candidate, text: str, title_mode: bool) -> None:
    """Set the context flags of ``c`` from the words around it in ``text`` (a title counts as sentence-initial)."""
    if title_mode:
        c.initial = True
    _read_after(c, text)
    _read_before(c, text)


def _read_after(c: Candidate, text: str) -> None:
    """The word after the name: a capitalised head ("River", "Army") or a geographic noun ("valley", "state")."""
    e = c.e
    if e + 1 < len(text) and text[e] == " ":
        nxt = next_word(text, e + 1)
        if nxt.lower() in DISEASE_AFTER:  # "West Nile virus", "Rift Valley Fever"
            c.head = "disease"
        elif text[e + 1].isupper():
            c.next_cap = True
            if nxt in FEATURE_HEADS:
                c.head = "feature"
            elif nxt in ORG_HEADS or _org_suffix_follows(text, e + 1):
                c.head = "org"
        elif nxt in GEO_AFTER:
            c.prep = True
            c.unit = nxt in UNIT_NOUNS
        elif nxt in FACILITY_AFTER:
            c.facility = True


def _org_suffix_follows(text: str, i: int) -> bool:
    """Whether the run of capitalised words starting at ``i`` ends, within ``ORG_LOOKAHEAD`` words, in an
    organisation suffix ("Science Magnet School", "Department of Agriculture", "Fresh LLC")."""
    n = len(text)
    for _ in range(ORG_LOOKAHEAD):
        j = i
        while j < n and not text[j].isspace() and text[j] not in ",;:()\"“”":
            j += 1
        word = text[i:j]
        if not word[:1].isupper():
            return False
        if word in ORG_SUFFIXES or word.rstrip(".,") in ORG_SUFFIXES:
            return True
        if j >= n or text[j] != " ":
            return False
        i = j + 1
    return False


def _read_before(c: Candidate, text: str) -> None:
    """The word before the name: a sentence end, a preposition, "<place noun> of", or a capitalised name part."""
    s = c.s
    j = s - 1
    while j >= 0 and text[j] == " ":  # j falls by one per pass, and stops at 0
        j -= 1
    if j < 0:
        c.initial = True
        return
    ch = text[j]
    if j == s - 2:  # exactly one space before the name
        k = text.rfind(" ", 0, j) + 1
        word = text[k : j + 1]
        c.prev_word = word
        if word in NOT_SENTENCE_END:
            c.prev_cap = word in TITLES
        elif word == "of":
            before = prev_word(text, k - 1)
            low = before.lower()
            if before in ORG_BEFORE_OF:
                c.head = "org"
            elif low in PLACE_NOUNS_OF:
                c.prep = True
                c.unit = low in UNIT_NOUNS
        elif ch in SENT_END and not (ch == "." and len(word) <= 3 and word[:1].isupper() and word.count(".") > 1):
            c.initial = True
        elif word in PREPOSITIONS or word in CAPITAL_PREPOSITIONS:
            c.prep = True
        elif word[:1].isupper() and word not in PREFIX_OK and (ch.isalnum() or word in TITLES):
            c.prev_cap = True  # "Whitney Houston", "Mr. Lincoln"; not "Karachi, Lahore"
    elif ch in SENT_END:
        c.initial = True


def link_neighbours(row: list[Candidate], text: str, pair: Callable[[Candidate, Candidate], None],
                    country_first: Container[int]) -> None:
    """Context shared by neighbours in one paragraph: "X, Y" pairs (``pair`` restricts both readings), and lists
    ("from Hattiesburg and Meridian", "Niger, Chad and Cameroon") that share a preposition or a country."""
    for a, b in zip(row, row[1:], strict=False):
        gap = text[a.e : b.s]
        if gap in (", ", ","):
            pair(a, b)
            if a.dateline:
                a.strong = max(a.strong, 6.0)
        if gap in LIST_GAPS:
            if a.prep and not (b.prev_cap or b.initial):
                b.prep = True  # "in Hattiesburg and Meridian": the preposition covers the whole list
            if a.kid in country_first:
                b.in_country_list = True
            if b.kid in country_first:
                a.in_country_list = True


def next_word(text: str, i: int) -> str:
    """The word starting at ``i`` (letters only, so "state," gives "state")."""
    j = i
    n = len(text)
    while j < n and text[j].isalpha():
        j += 1
    return text[i:j]


def prev_word(text: str, i: int) -> str:
    """The word ending just before the space at ``i`` ("town" in "the town of")."""
    j = i
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    return text[j:i]
