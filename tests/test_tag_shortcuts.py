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


# --- Keys added to the automata in trie_order, with guard keys ------------------------------------------------


def _texts_from_keys(keys: list[str], n: int = 400) -> list[str]:
    """Texts that walk deep into the trie: keys, cut keys and keys glued to each other and to prose, so that
    longest matches, fail links and the fail-over to a shorter key inside a longer one are all exercised; some
    hold the guards' sentinel or its stand-in."""
    import random

    rng = random.Random(18)
    prose = ["the report said", "in", "and", ",", ".", "—", "(Reuters) -", "officials in", "’s", "-", "\n", "\x00",
             "\x01", "h\x00", " \x00\x00"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 8)):
            k = rng.choice(keys)
            r = rng.random()
            parts.append(k[: rng.randint(1, len(k))] if r < 0.3 else (k + rng.choice("xs'") if r < 0.4 else k))
            parts.append(rng.choice(prose) if rng.random() < 0.7 else "")
        out.append(rng.choice(("", " ", "The ")).join(["", *parts]))
    return out


def _build(items, store=None):
    import ahocorasick

    a = ahocorasick.Automaton(*(() if store is None else (store,)))
    for k, v in items:
        a.add_word(k, v)
    a.make_automaton()
    return a


def _assert_same_matches(reference, fast, texts: list[str]) -> None:
    """``fast`` (built in trie_order, maybe guarded) gives what ``reference`` (keys in code-point order, no guards)
    gives on every text, the sentinel included: a guarded automaton reads ``guarded_text``."""
    from newsbeam.tags.trie_order import guarded_text, is_guarded

    guarded = is_guarded(fast)
    for t in texts:
        assert list(fast.iter_long(guarded_text(t) if guarded else t)) == list(reference.iter_long(t)), repr(t)


_CRAFTED = ["Bc", "aBcd", "aBc", "B", "ab", "abc d", "New York", "New York City", "York", "Yorkshire", "la Massana",
            "’Aïn", "Ain", "3rd", "the Emirates", "Emirates", "Ée", "Sa’ada", "x y"]


def test_guarded_trie_order_changes_no_match_on_crafted_keys():
    """Keys where pyahocorasick's leftmost-longest pass falls over to a shorter key inside a longer one ("Bc"
    inside "aBcd"), with first characters of every kind, and keys ending in guarded characters ("x y")."""
    from newsbeam.tags.trie_order import guard_items, insertion_order, is_guarded

    items = [(k, i) for i, k in enumerate(_CRAFTED)]
    fast = _build(insertion_order(guard_items(items, -1)))
    assert is_guarded(fast)
    texts = ["aBc", "aBc!", "xaBcd ", "New York Citys", "the Emirates’Aïn", "abc dab cd", "eÉe 3rd e", "aB", " x y",
             "x y\x00", "\x00", "h\x00 y\x00\x01", "Sa’ada’s"]
    _assert_same_matches(_build(sorted(items)), fast, texts + _texts_from_keys(_CRAFTED, 300))


def test_no_guards_for_keys_that_hold_the_sentinel():
    from newsbeam.tags.trie_order import guard_items, is_guarded

    for bad in ("A\x00b", "A\x01"):
        items = [("Alpha", 0), (bad, 1)]
        assert guard_items(items, -1) == items
        assert not is_guarded(_build(items))


def test_guarded_gazetteer_automaton_changes_no_place_match():
    """The gazetteer's automaton (trie_order, guards) against one of the same names in code-point order."""
    import ahocorasick

    from newsbeam.tags.trie_order import is_guarded

    gaz = load_gazetteer()
    assert is_guarded(gaz.automaton)
    real = [(k, v) for k, v in gaz.automaton.items() if v >= 0]
    assert len(real) == len(gaz.key_len)
    plain = _build(sorted(real), ahocorasick.STORE_INTS)
    texts = [p for paras in ARTICLES for p in paras] + _texts_from_keys([k for k, _ in real])
    _assert_same_matches(plain, gaz.automaton, texts)
    scanner = PlaceTagger(gaz)._scanner
    for t in texts:  # and the scan built on it (restarts after rejected matches included)
        fresh = scanner.scan(t)
        scanner.auto, scanner._guarded = plain, False
        try:
            assert scanner.scan(t) == fresh, repr(t)
        finally:
            scanner.auto, scanner._guarded = gaz.automaton, True


def test_guarded_actor_automaton_changes_no_match():
    from newsbeam.tags.trie_order import is_guarded

    d = ActorTagger().dictionary
    assert is_guarded(d.auto)
    real = [(k, v) for k, v in d.auto.items() if v[1] >= 0]
    texts = [p for paras in ARTICLES for p in paras] + _texts_from_keys([k for k, _ in real])
    _assert_same_matches(_build(sorted(real)), d.auto, texts)


def test_trie_order_puts_frequent_characters_first():
    from newsbeam.tags.trie_order import TEXT_CHAR_ORDER, insertion_order, rank_key

    assert len(set(TEXT_CHAR_ORDER)) == len(TEXT_CHAR_ORDER)
    assert [k for k, _ in insertion_order([("Ab", 0), ("ab", 1), (" a", 2), ("é", 3), ("e", 4)])] == [
        " a", "e", "ab", "Ab", "é"]
    assert rank_key("é") > rank_key("~")


def test_candidate_lists_sliced_in_the_tagger_equal_the_columns():
    """``PlaceTagger._candidate`` slices the packed candidate column itself: the same tuple for every key."""
    tagger = PlaceTagger(load_gazetteer())
    flat, end = tagger._cand_flat, tagger._cand_end
    cands = tagger._cands
    for kid in range(len(cands)):
        assert tuple(flat[end[kid - 1] if kid else 0 : end[kid]]) == cands[kid]


def test_full_names_by_ending_equal_a_scan_of_every_name():
    """``People.ending`` answers what ``_full_name_ending`` scanned every full name for, in the same order."""
    from newsbeam.tags.actors.context import People
    from newsbeam.tags.actors.dictionary import ActorInfo

    names = ["Omar García Harfuch", "Luis García Harfuch", "Asim Munir", "Syed Asim Munir", "Mary  Ann Lee", "Lee",
             "Ann Lee", "Jean-Paul Sartre", "Sartre Jr. Sartre"]
    people = People()
    for n in names + names[:3]:  # the repeats change nothing (setdefault keeps the first)
        people.setdefault(n, ActorInfo(n, "PERSON", None, None, None, n.lower()))
    people["Mohsin Naqvi"] = ActorInfo("Mohsin Naqvi", "PERSON", None, None, None, "mn")
    tails = {n[j + 1 :] for n in people for j in range(len(n))} | {"", " ", "Harfuch", "Munir", "Lee", "Ann Lee"}
    for tail in sorted(tails):
        assert people.ending(tail) == [i for n, i in people.items() if n.endswith(" " + tail)], tail
