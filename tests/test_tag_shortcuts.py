"""The taggers' speed shortcuts give exactly the answers of the work they skip (issue #18: identical output).

Each shortcut is checked against the slow path it replaces: a suffix test before a regex search must never skip
a window the search would match; readings kept per process must equal the readings of a fresh tagger; surnames
taken in a different loop order must come out in the same order.
"""

from __future__ import annotations

import re

import pytest

from newsbeam.tags.actors import ActorTagger
from newsbeam.tags.places import PlaceTagger, load_gazetteer
from newsbeam.tags.places import metonymy as M
from newsbeam.tags.spans import Occupancy


def _alternatives() -> list[str]:
    """Every phrase ``_METO_BEFORE`` accepts, with and without the optional "the"."""
    out = M._BEFORE_VERBS.split("|")
    for nouns, prep in ((M._BEFORE_WITH, "with"), (M._BEFORE_FROM, "from")):
        for n in nouns.split("|"):
            out += [f"{n} {prep}", f"{n} {prep} the"]
    return out


@pytest.mark.parametrize("gap", [" ", "  ", " \n", "\u00a0", "\t "])
def test_meto_before_suffix_test_never_skips_a_match(gap):
    for alt in _alternatives():
        for lead in ("They ", "The ministry un", ""):
            text = lead + alt + gap + "Washington"
            s = text.index("Washington")
            lo = max(0, s - 50)
            assert M._METO_BEFORE.search(text, lo, s), alt
            assert text[lo:s].rstrip().endswith(M._METO_BEFORE_ENDS), alt


def test_meto_passive_suffix_test_never_skips_a_match():
    for phrase in ("hosted by", "announced by the", "led by", "sent by the  ", "taken by\u00a0"):
        text = "The talks " + phrase + " Saudi Arabia"
        s = text.index("Saudi")
        assert M._METO_PASSIVE_BY.search(text, max(0, s - 50), s)
        assert text[max(0, s - 50) : s].rstrip().endswith(("by", "the"))


def test_meto_before_is_the_pattern_it_was():
    """The pattern is assembled from the lists the suffix test reads: a word added to one is in both."""
    assert re.compile(M._METO_BEFORE.pattern).pattern.endswith(r")\s+$")
    for alt in _alternatives():
        assert alt.rsplit(" ", 1)[-1] in M._METO_BEFORE_ENDS


ARTICLES = [
    ["Reading the report, officials in Reading said the roads to Quetta were closed.",
     "Mr. Lincoln visited Lincoln, Nebraska, and then Paris, Texas, before flying to Paris."],
    ["Georgia officials met in Atlanta and Savannah; Georgia denied the claims.",
     "In Tbilisi, Georgia, protesters gathered. Washington urged Moscow to talk."],
    ["Whitney Houston sang in Houston. Houston police said Jordan Peterson spoke in Jordan."],
]


def _place_rows(tagger: PlaceTagger, paras: list[str]) -> tuple:
    r = tagger.tag_article(paras, title=None)
    return repr((r.mentions, r.demonyms, r.primary_country, r.countries, r.regions))


def test_readings_kept_per_process_equal_a_fresh_taggers():
    gaz = load_gazetteer()
    warm = PlaceTagger(gaz)
    for paras in ARTICLES + ARTICLES[::-1]:  # every article after others have filled the kept readings
        _place_rows(warm, paras)
    assert warm._resolver._no_evidence_memo
    for paras in ARTICLES:
        assert _place_rows(warm, paras) == _place_rows(PlaceTagger(gaz), paras)


def test_kept_readings_are_bounded(monkeypatch):
    from newsbeam.tags.places import resolve

    monkeypatch.setattr(resolve, "NO_EVIDENCE_MEMO_MAX", 2)
    tagger = PlaceTagger(load_gazetteer())
    for paras in ARTICLES * 2:
        _place_rows(tagger, paras)
        assert len(tagger._resolver._no_evidence_memo) <= 2 + sum(p.count(" ") for p in paras)


def test_surnames_of_several_people_in_one_paragraph_keep_their_order():
    actors = ActorTagger()
    paras = ["Interior Minister Mohsin Naqvi and army chief Asim Munir met Prime Minister Shehbaz Sharif.",
             "Sharif, Munir and Naqvi said the talks went well; Naqvi added that Munir agreed."]
    places = [[] for _ in paras]
    r = actors.tag_article(paras, places, places, "PK")
    second = [(m["start"], m["name"]) for m in r.mentions[1]]
    assert [n for _, n in second] == ["Shehbaz Sharif", "Asim Munir", "Mohsin Naqvi", "Mohsin Naqvi", "Asim Munir"]
    assert second == sorted(second)


def test_occupancy_clamps_as_before():
    occ = Occupancy(10)
    occ.add(-5, 3)
    occ.add(8, 50)
    assert list(occ) == [(0, 3), (8, 10)]
    assert occ.hits(-3, 1) and occ.hits(9, 99) and not occ.hits(3, 8) and not occ.hits(5, 4)
