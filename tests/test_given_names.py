"""International given names from faker: the filter keeps names and drops places, words and dates; the tagger finds
an uncued international name; the on-disk cache is used; the names gold set is well formed."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from newsbeam.tags.actors import ActorTagger
from newsbeam.tags.actors import people as N
from newsbeam.tags.places import PlaceTagger
from newsbeam.tags.places import gazetteer as G

ROOT = Path(__file__).resolve().parents[1]
NAMES_GOLD = ROOT / "bench" / "gold" / "actors_names_gold.jsonl"
PLACES = frozenset(("Santiago", "Victoria"))


def fake_place(name: str) -> bool:
    return name in PLACES


@pytest.fixture(scope="module")
def words() -> frozenset[str]:
    return N.blocked_words()


@pytest.fixture(scope="module")
def gaz() -> G.Gazetteer:
    return G.load_gazetteer()


def test_reject_reasons(words):
    assert N.reject_reason("Santiago", words, fake_place) == "place"
    assert N.reject_reason("Innocent", words, fake_place) == "word"  # common English word
    assert N.reject_reason("Reading", words, fake_place) == "word"  # data/common_words.txt
    assert N.reject_reason("Imam", words, fake_place) == "word"  # a title in actors.yaml roles
    assert N.reject_reason("Wadi", words, fake_place) == "place"  # a place-name head ("Wadi Halfa")
    assert N.reject_reason("May", words, fake_place) == "calendar"
    assert N.reject_reason("Jo", words, fake_place) == "short"
    assert N.reject_reason("Emine.", words, fake_place) == "shape"
    assert N.reject_reason("Мехмет", words, fake_place) == "script"
    for name in ("Chukwuemeka", "Oluwaseun", "Mehmet", "Adaeze", "Asma’u"):
        assert N.reject_reason(name, words, fake_place) is None, name


def test_build_adds_ascii_fold_and_screens_it(words):
    out = N.build_given_names(["José", "Şükrü", "Chukwuemeka", "Innocent", "Victoria", "Fatıma"], words, fake_place)
    assert {"José", "Jose", "Şükrü", "Sukru", "Chukwuemeka", "Fatıma", "Fatima"} <= out
    assert not {"Innocent", "Victoria"} & out
    assert N.ascii_fold("Aydın") == "Aydin"


def test_gazetteer_place_test(gaz):
    is_place = N.gazetteer_place_test(gaz)
    for name in ("Victoria", "Georgia", "Santiago", "Florida", "Paris", "India", "Pakistani"):
        assert is_place(name), name
    for name in ("Chukwuemeka", "Mehmet", "Adrian"):  # Adrian, Michigan is a city of 20,000: too small
        assert not is_place(name), name


def test_loaded_names_cover_our_regions_and_exclude_places():
    names = N.load_given_names()
    assert len(names) > 5000
    for name in ("Chukwuemeka", "Mehmet", "Adaeze", "Aliyu", "Hadiza", "Kwabena", "Wanjiku", "Abdelkader", "Agus",
                 "Sebastián", "Sebastian"):
        assert name in names, name
    for name in ("Victoria", "Georgia", "Santiago", "Florida", "Paris", "India", "May", "Innocent", "Imam", "Wadi"):
        assert name not in names, name


def test_every_locale_ships_latin_names():
    """Guards the locale list against faker renaming or emptying a locale (``faker_names`` would skip it)."""
    for loc in N.LOCALES:
        module = importlib.import_module(f"faker.providers.person.{loc}")
        assert any(G.is_latin(n) for n in N.faker_names([loc])), (loc, module)


def test_disk_cache_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBEAM_CACHE", str(tmp_path))
    monkeypatch.setattr(N, "faker_names", lambda locales: {"Chukwuemeka": "ig_NG", "Paris": "fr_FR"})
    monkeypatch.setattr(N, "gazetteer_place_test", lambda gaz: lambda n: n == "Paris")
    monkeypatch.setattr(G, "load_gazetteer", lambda: None)
    assert N._load_uncached(("ig_NG",)) == frozenset({"Chukwuemeka"})
    assert len(list(tmp_path.glob("given-names-*.json"))) == 1

    def no_build(locales):
        raise AssertionError("built again despite the cache")

    monkeypatch.setattr(N, "faker_names", no_build)
    assert N._load_uncached(("ig_NG",)) == frozenset({"Chukwuemeka"})


def test_tagger_finds_uncued_international_name(gaz):
    actors, places = ActorTagger(), PlaceTagger(gaz)
    paras = ["Chukwuemeka Nwosu waited three hours at the bus park in Enugu before a driver agreed to take him "
             "to Onitsha.", "Nwosu had hoped to reach his sister's wedding by noon."]
    org = actors.organisation_spans(paras)
    pr = places.tag_article(paras, blocked=org)
    res = actors.tag_article(paras, pr.mentions, pr.demonyms, pr.primary_country, org_spans=org)
    people = [(m["text"], m["name"], m["country_code"]) for ms in res.mentions for m in ms if m["type"] == "PERSON"]
    assert people == [("Chukwuemeka Nwosu", "Chukwuemeka Nwosu", "NG"), ("Nwosu", "Chukwuemeka Nwosu", "NG")]


def test_names_gold_is_well_formed():
    arts = [json.loads(ln) for ln in NAMES_GOLD.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(arts) >= 12 and len({a["id"] for a in arts}) == len(arts)
    assert sum(m["type"] == "PERSON" for a in arts for m in a["actors"]) >= 60
    for a in arts:
        for m in a["actors"]:
            assert set(m) == {"para", "start", "end", "text", "type", "role", "country_code", "code", "name"}, m
            assert a["paragraphs"][m["para"]][m["start"] : m["end"]] == m["text"], (a["id"], m)
