"""The place tagger's speed paths (issue #18) give exactly the answers of the straightforward code they replace.

* ``key_sets`` computes the per-match key sets over the packed columns at once; it replaced three walks over every
  key of the gazetteer (~0.2 s CPU at every tagging process's start). Checked against the ``reference_*``
  definitions on the default gazetteer and on generated small ones with every edge (names with no reading,
  alternate names, everyday-word and given-name flags, user places).
* ``Resolver.fires_alone`` answers "would this name inside an organisation be a place?" from pass 1's kept
  answers. Checked through the whole tagger, against a ``reference`` tagger built from the key-by-key sets, on
  free text full of real place names, with organisation spans blocked at random.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbeam.tags.places import PlaceTagger, load_gazetteer
from newsbeam.tags.places import key_sets as K
from newsbeam.tags.places import resolve as R
from newsbeam.tags.places import tagger as T
from newsbeam.tags.places.builder import TableBuilder
from newsbeam.tags.places.gazetteer import merge_user_places
from newsbeam.tags.places.table import F_COMMON, F_HARD, KINDS, Gazetteer


def _reference(gaz: Gazetteer) -> tuple[frozenset[int], frozenset[int], dict[int, int]]:
    return K.reference_has_country(gaz), K.reference_country_first(gaz), K.reference_single_country(gaz)


def test_default_gazetteer_sets_equal_the_key_by_key_ones():
    gaz = load_gazetteer()
    fast = K.key_sets(gaz)
    assert fast == _reference(gaz)
    assert fast[1] and fast[2]  # the real table has countries first and single-country names
    assert all(type(k) is int for k in fast[1]) and all(type(k) is int and type(v) is int for k, v in fast[2].items())


NAMES = ["Chad", "Jordan", "Georgia", "March", "Nice", "Turkey", "Reading", "Niger", "Paris", "Of"]


@st.composite
def _gazetteers(draw: st.DrawFn) -> Gazetteer:
    b = TableBuilder()
    n_ent = draw(st.integers(0, 8))
    for i in range(n_ent):
        kind = draw(st.sampled_from(KINDS[:4] + ("country", "country")))
        b.add_entity(f"E{i}", i, kind, draw(st.sampled_from(["US", "TD", "FR", ""])), None, 0.0, 0.0,
                     draw(st.integers(0, 200_000)), draw(st.floats(0, 9, allow_nan=False)))
    if n_ent:
        for name in draw(st.lists(st.sampled_from(NAMES), max_size=8)):
            b.add_name(name, draw(st.integers(0, n_ent - 1)), alt=draw(st.booleans()))
    common = {n: draw(st.sampled_from([F_COMMON, F_COMMON | F_HARD])) for n in
              draw(st.lists(st.sampled_from(NAMES), max_size=4))}  # some with no reading at all
    first = frozenset(draw(st.lists(st.sampled_from(NAMES), max_size=3)))
    gaz = b.finish(common, first, admin1_name={}, country_name={}, country_ent={}, admin1_ent={}, m49={})
    users = draw(st.lists(st.sampled_from(NAMES), max_size=2))
    if users:
        merge_user_places(gaz, [{"name": n, "kind": "country", "country_code": "TD", "lat": 1.0, "lon": 2.0}
                                for n in users])
    return gaz


@settings(max_examples=150, deadline=None)
@given(_gazetteers())
def test_small_gazetteer_sets_equal_the_key_by_key_ones(gaz):
    assert K.key_sets(gaz) == _reference(gaz)


def test_a_hard_country_name_is_in_has_country():
    """The default table has no everyday word that is a country; this one does, so the test above sees the case."""
    b = TableBuilder()
    chad = b.add_entity("Chad", 1, "country", "TD", None, 15.0, 19.0, 17_000_000, 8.0)
    town = b.add_entity("Chad", 2, "city", "US", "US.NE", 40.0, -100.0, 300, 1.0)
    b.add_name("Chad", town)
    b.add_name("Chad", chad, alt=True)
    gaz = b.finish({"Chad": F_COMMON | F_HARD}, frozenset(), admin1_name={}, country_name={}, country_ent={},
                   admin1_ent={}, m49={})
    kid = gaz.key_id("Chad")
    assert K.key_sets(gaz)[0] == frozenset({kid}) == K.reference_has_country(gaz)


@pytest.fixture(scope="module")
def taggers() -> tuple[PlaceTagger, PlaceTagger]:
    gaz = load_gazetteer()
    fast = PlaceTagger(gaz)
    with pytest.MonkeyPatch.context() as mp:  # the reference tagger is built from the key-by-key sets
        mp.setattr(T, "key_sets", _reference)
        mp.setattr(R, "key_sets", _reference)
        ref = PlaceTagger(gaz, reference=True)
    assert ref._country_first == fast._country_first and ref._resolver._single_country is not None
    return fast, ref


PLACES = ["Paris", "Texas", "Georgia", "Atlanta", "Chad", "Niger", "Jordan", "Reading", "Nice", "Turkey",
          "Washington", "Quetta", "Pakistan", "Lagos", "Nigeria", "India", "China", "Lincoln", "Nebraska",
          "Hope", "March", "Columbia River", "Bank of England", "Pakistani", "U.S.", "Mr.", "Houston"]
WORDS = ["in", "the", "town", "of", "and", "said", "state", "from", "to", "officials", "met", "Whitney", ",",
         ".", "—", "(Reuters)", "city", "near", "urged", "valley", "has", "denied"]


@st.composite
def _articles(draw: st.DrawFn) -> tuple[list[str], str | None, list[list[tuple[int, int]]]]:
    paras = draw(st.lists(st.lists(st.sampled_from(PLACES + WORDS) | st.text(max_size=6), max_size=25),
                          min_size=1, max_size=4))
    texts = [" ".join(words) for words in paras]
    if draw(st.booleans()) and texts[0]:  # a wire dateline
        texts[0] = texts[0].split(" ", 1)[0].upper() + ", " + " ".join(texts[0].split(" ")[1:]) + " — x"
    blocked = []
    for t in texts:  # organisation spans (a place inside one is no mention, but is counted if it would fire)
        n = len(t)
        spans = draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, 30)), max_size=3))
        blocked.append(sorted({(s, min(n, s + k)) for s, k in spans}))
    return texts, (texts[-1] if draw(st.booleans()) else None), blocked


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_articles())
def test_fast_paths_tag_free_text_like_the_reference(taggers, article):
    fast, ref = taggers
    texts, title, blocked = article
    for spans in (None, blocked):
        a = fast.tag_article(texts, title=title, blocked=spans)
        b = ref.tag_article(texts, title=title, blocked=spans)
        assert repr(a) == repr(b)


def test_fast_paths_on_a_news_story_with_evidence_and_organisations(taggers):
    """Stories where evidence moves readings (Paris, Texas; Georgia next to Atlanta) and organisations hold
    place names: the cases the generated text above reaches only by chance."""
    fast, ref = taggers
    stories = [
        (["PARIS, Texas — Officials in Paris said the roads to Dallas, Houston and Austin were closed.",
          "Georgia officials met in Atlanta and Savannah; the Bank of England and Texas Rangers were not there."],
         "Storms hit Paris", [[], [(60, 75), (80, 93)]]),
        (["In Tbilisi, Georgia, protesters gathered. Washington urged Moscow to talk, and Jordan denied it.",
          "Reading the report, officials in Reading said the University of Cambridge had no comment."],
         None, [[(73, 79)], [(62, 88)]]),
    ]
    for texts, title, blocked in stories:
        a = fast.tag_article(texts, title=title, blocked=blocked)
        assert repr(a) == repr(ref.tag_article(texts, title=title, blocked=blocked))
        assert a.mentions[0]  # the stories do tag places


def test_kept_answers_for_names_inside_organisations_tell_contexts_apart(taggers):
    """Inside an organisation's name, "Nice" at a sentence start is an everyday word and after "The" (with "town"
    after it) a place: the kept answer of the first must not be given to the second."""
    fast, ref = taggers
    text = "Officials met. Nice town hall said so. The Nice town hall said so."
    blocked = [[(15, 28), (42, 55)]]
    for tagger in (fast, ref, fast):
        assert tagger.tag_article([text], blocked=blocked).n_blocked == 1  # the second would fire on its own


def test_mention_rows_and_confidences_kept_per_process_equal_the_plain_ones(taggers, monkeypatch):
    """``result.Mentions`` keeps each entity's fields and each (score, margin, neighbour) confidence: every row it
    builds equals ``mention``'s, key order included, also once its memos have been cleared when full."""
    from newsbeam.tags.places import result as RS

    fast, _ = taggers
    gaz = fast.gaz
    texts = ["PARIS, Texas — Officials in Paris said the roads to Dallas, Houston and Austin were closed.",
             "Georgia officials met in Atlanta and Savannah. Washington urged Moscow to talk; Paris and Texas too."]
    art = T._Article(texts=texts, title_idx=-1, res=RS.PlaceResult(mentions=[[], []], demonyms=[[], []]))
    for p, text in enumerate(texts):
        art.cands.extend(fast._paragraph_candidates(art, p, text, None))
    fast._resolver.resolve_article(art.cands, art.demos)
    resolved = [c for c in art.cands if c.ents and c.best >= 0]
    assert len({c.best for c in resolved}) > 5 and len(resolved) > len({c.best for c in resolved})  # repeats
    monkeypatch.setattr(RS, "MEMO_MAX", 3)
    rows = RS.Mentions(gaz)
    for _ in range(2):  # the second round reads what the first kept (and what survived the clearing)
        for c in resolved:
            conf = rows.confidence(c)
            assert conf == RS.confidence(c)
            row, plain = rows.row(c, texts[c.para], conf), RS.mention(gaz, c, texts[c.para], conf)
            assert list(row.items()) == list(plain.items())
    assert 0 < len(rows._fields) <= 3 and 0 < len(rows._conf) <= 3


def test_readings_kept_per_key_equal_the_packed_column_and_stay_bounded(monkeypatch):
    """``PlaceTagger._key_ents`` keeps each name's readings (a tuple shared by its mentions): the same as the
    packed column's, for every key id kind (the first key, names with no reading), also after clearing when full."""
    gaz = load_gazetteer()
    pt = PlaceTagger(gaz)
    monkeypatch.setattr(T, "ENTS_MEMO_MAX", 5)
    kids = [0, 1, gaz.key_id("Paris"), gaz.key_id("Georgia"), gaz.key_id("Pakistani"), len(gaz.key_len) - 1]
    kids += [k for k in range(2, 4000, 97)] + [k for k in range(2000) if not gaz.key_cands[k]][:3]
    for kid in kids * 2:
        ents = pt._ents.get(kid)
        if ents is None:
            ents = pt._key_ents(kid)
        assert ents == tuple(gaz.key_cands[kid]), kid
        assert len(pt._ents) <= 5
    assert any(not gaz.key_cands[k] for k in kids) and len(gaz.key_cands[gaz.key_id("Paris")]) > 1
