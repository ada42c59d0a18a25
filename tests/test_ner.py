"""The optional spaCy merge, tested for real: a tiny pipeline (blank English + entity ruler) is built and saved in
the test, then loaded by path exactly as a user's model would be."""

from __future__ import annotations

import pytest
from conftest import tiny_spacy_model

from newsbeam.output.schema import ACTOR
from newsbeam.tags.actors import ActorResult, ActorTagger
from newsbeam.tags.actors.ner import NerMerger, merge


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> str:
    return tiny_spacy_model(tmp_path_factory.mktemp("ner"), [
        {"label": "PERSON", "pattern": "Ekwueme Tamuno"},
        {"label": "ORG", "pattern": [{"LOWER": "the"}, {"TEXT": "Harbour"}, {"TEXT": "Guild"}]},
        {"label": "ORG", "pattern": "Balochistan Liberation Army"},
        {"label": "GPE", "pattern": "Quetta"},
        {"label": "PERSON", "pattern": [{"TEXT": "Farhan"}, {"TEXT": "Saleem"}]},
    ])


def test_merge_rules_win_and_new_entities_are_added(model_dir):
    paragraphs = [
        "Interior Minister Farhan Saleem Chaudhry met Ekwueme Tamuno of the Harbour Guild in Quetta.",
        "The Balochistan Liberation Army said nothing.",
    ]
    tagger = ActorTagger()
    rules = tagger.tag_article(paragraphs, [[], []], [[], []], "PK")
    merger = NerMerger(model_dir)
    assert merger._nlp is None  # loaded lazily
    out = merger.apply(paragraphs, rules)
    assert isinstance(out, ActorResult)
    got = [(m["text"], m["start"], m["end"], m["type"], m["actor_id"]) for m in out.mentions[0]]
    assert got == [
        ("Farhan Saleem Chaudhry", 18, 40, "PERSON", "farhan saleem chaudhry|PERSON|PK"),  # rule span wins
        ("Ekwueme Tamuno", 45, 59, "PERSON", "ekwueme tamuno|PERSON|"),
        ("Harbour Guild", 67, 80, "ORGANIZATION", "harbour guild|ORGANIZATION|"),
    ]
    assert all(set(m) == {f.name for f in ACTOR} for m in out.mentions[0])
    assert [m["actor_id"] for m in out.mentions[1]] == ["bla"]  # dictionary span kept, no duplicate
    assert out.counts["actors-ner-person"] == 1 and out.counts["actors-ner-organization"] == 1
    assert {a["actor_id"] for a in out.article_actors} >= {"ekwueme tamuno|PERSON|", "bla"}


def test_merge_function_ignores_other_labels():
    text = "Quetta police met Amal Haddad."
    rule = [{"text": "police", "start": 7, "end": 13, "name": "police", "type": "SECURITY_FORCE", "role": None,
             "country_code": "PK", "code": "PAKCOP", "actor_id": "police|SECURITY_FORCE|PK"}]
    out = merge(rule, [(0, 6, "GPE"), (7, 13, "ORG"), (18, 29, "PERSON")], text)
    assert [(m["text"], m["type"]) for m in out] == [("police", "SECURITY_FORCE"), ("Amal Haddad", "PERSON")]


def test_entity_inside_a_place_is_dropped_and_counted_but_one_containing_a_place_is_kept():
    from collections import Counter

    text = "Officials in Niamey met the Bank of Lagos board."
    places = [(13, 19), (36, 41)]  # Niamey, Lagos
    skipped: Counter = Counter()
    out = merge([], [(13, 19, "PERSON"), (28, 41, "ORG")], text, places, skipped)
    assert [(m["text"], m["type"]) for m in out] == [("Bank of Lagos", "ORGANIZATION")]
    assert skipped == Counter({"actors-ner-place-skipped": 1})


def test_missing_model_is_a_clear_error(tmp_path):
    merger = NerMerger(str(tmp_path / "no_such_model"))
    with pytest.raises(ValueError, match="cannot be loaded"):
        merger.entities(["text"])
