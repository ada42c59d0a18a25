"""Gazetteer contents, user gazetteers and the cache's versioning."""

from __future__ import annotations

import pickle

import pytest

from newsbeam.tags.places import PlaceTagger
from newsbeam.tags.places import gazetteer as gz
from newsbeam.tags.places.builder import TableBuilder
from newsbeam.tags.places.gazetteer import Gazetteer, load_gazetteer
from newsbeam.tags.places.names import variants


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def _first(g: Gazetteer, name: str) -> dict:
    ids = g.lookup(name)
    assert ids, name
    return g.entity(ids[0])


def test_quetta_is_a_city_in_balochistan(gaz):
    q = _first(gaz, "Quetta")
    assert (q["kind"], q["country_code"], q["admin1_code"], q["admin1_name"]) == ("city", "PK", "PK.02", "Balochistan")
    assert q["geonameid"] == 1167528
    assert 29.5 < q["lat"] < 31 and 66 < q["lon"] < 68


def test_admin1_spellings(gaz):
    for name in ("Balochistan", "Baluchistan"):
        b = _first(gaz, name)
        assert (b["kind"], b["admin1_code"], b["name"]) == ("admin1", "PK.02", "Balochistan")
    assert _first(gaz, "Khyber Pakhtunkhwa")["admin1_code"] == "PK.03"


def test_news_short_forms_of_countries(gaz):
    for name, cc in [("U.S.", "US"), ("US", "US"), ("USA", "US"), ("UK", "GB"), ("U.K.", "GB"),
                     ("Britain", "GB"), ("Russia", "RU"), ("South Korea", "KR"), ("DRC", "CD"), ("UAE", "AE")]:
        e = _first(gaz, name)
        assert (e["kind"], e["country_code"]) == ("country", cc), name


def test_exonyms_and_counties(gaz):
    assert _first(gaz, "Kiev")["name"] == "Kyiv"
    assert _first(gaz, "Bombay")["name"] == "Mumbai"
    cook = [gaz.entity(i) for i in gaz.lookup("Cook County")]
    assert any(c["kind"] == "admin2" and c["admin1_code"] == "US.IL" for c in cook)


def test_flags_and_tables(gaz):
    assert gaz.key_flags[gaz.key_id("Reading")] & gz.F_COMMON
    assert gaz.key_flags[gaz.key_id("Police")] & gz.F_HARD
    assert gaz.key_flags[gaz.key_id("Pakistani")] & gz.F_DEMONYM
    assert gaz.demonym_targets[gaz.key_id("Pakistani")] == (("PK", None),)
    assert gaz.key_flags[gaz.key_id("New York Times")] & gz.F_BLOCKER
    ocean = [gaz.entity(e) for e in gaz.key_cands[gaz.key_id("Indian Ocean")]]
    assert [(o["kind"], o["country_code"]) for o in ocean] == [("water", "")]  # a place now (world_features.tsv)
    assert gaz.entity(gaz.key_qualifier[gaz.key_id("Tex.")])["admin1_code"] == "US.TX"
    assert gaz.m49["PK"] == "Southern Asia"
    assert gaz.m49["KE"] == "Eastern Africa"
    assert gaz.admin1_name["PK.02"] == "Balochistan"


def test_loaded_from_cache(gaz):
    assert gaz.version.startswith(gz.BUILDER_VERSION + ".")
    gz.clear_memo()
    again = load_gazetteer()
    assert again.build_seconds == 0.0 and again.version == gaz.version
    assert load_gazetteer() is again  # memoised per process


def test_user_gazetteer_yaml_and_csv(tmp_path, gaz):
    y = tmp_path / "mine.yaml"
    y.write_text(
        "places:\n"
        "  - name: Sariab Bazaar\n"
        "    aliases: [Sariab Market]\n"
        "    kind: city\n"
        "    country_code: PK\n"
        "    admin1_code: PK.02\n"
        "    lat: 30.15\n"
        "    lon: 66.99\n"
        "  - alias: Shalkot\n"
        "    geonameid: 1167528\n",
        encoding="utf-8",
    )
    c = tmp_path / "mine.csv"
    c.write_text("name,aliases,kind,country_code,admin1_code,lat,lon,geonameid\n"
                 "Kachhi Plain,Kacchi Plain,user,PK,02,29.4,67.6,\n", encoding="utf-8")
    g = load_gazetteer((str(y), str(c)))
    assert g.version != gaz.version and "+u" in g.version
    tagger = PlaceTagger(g)
    text = "Traders in Sariab Market and Shalkot closed their shops, and farmers on the Kachhi Plain joined them."
    ms = tagger.tag_article([text]).mentions[0]
    got = [(m["text"], m["name"], m["kind"], m["country_code"], m["admin1_code"], m["geonameid"]) for m in ms]
    assert got == [
        ("Sariab Market", "Sariab Bazaar", "city", "PK", "PK.02", None),
        ("Shalkot", "Quetta", "city", "PK", "PK.02", 1167528),
        ("Kachhi Plain", "Kachhi Plain", "user", "PK", "PK.02", None),
    ]
    assert ms[0]["admin1_name"] == "Balochistan" and ms[0]["lat"] == 30.15
    # The base gazetteer is untouched.
    assert gaz.lookup("Sariab Market") == []


def test_user_gazetteer_rejects_entries_without_name(tmp_path):
    y = tmp_path / "bad.yaml"
    y.write_text("- kind: city\n  lat: 1\n", encoding="utf-8")
    with pytest.raises(ValueError):
        gz.read_user_file(str(y))


def _tiny_build() -> Gazetteer:
    b = TableBuilder()
    e = b.add_entity("Testville", 1, "city", "ZZ", None, 1.0, 2.0, 1000, 3.0)
    b.add_name("Testville", e)
    return b.finish({}, frozenset(), admin1_name={}, country_name={}, country_ent={}, admin1_ent={}, m49={})


def test_cache_rebuilt_when_version_changes(gazetteer_cache):
    tmp_path = gazetteer_cache.path
    gazetteer_cache.use(_tiny_build, "aaaa")
    first = load_gazetteer()
    assert first.build_seconds > 0 and first.version == f"{gz.BUILDER_VERSION}.aaaa"
    assert (tmp_path / "gazetteer-aaaa.pkl").is_file()
    assert not list(tmp_path.glob("*.tmp"))  # written atomically
    gz.clear_memo()
    cached = load_gazetteer()
    assert cached.build_seconds == 0.0 and cached.lookup("Testville")
    gazetteer_cache.use(fingerprint="bbbb")
    rebuilt = load_gazetteer()
    assert rebuilt.build_seconds > 0 and rebuilt.version.endswith(".bbbb")
    assert (tmp_path / "gazetteer-bbbb.pkl").is_file()
    assert not (tmp_path / "gazetteer-aaaa.pkl").exists()  # stale artifacts are pruned
    # A corrupt artifact is rebuilt, not trusted.
    (tmp_path / "gazetteer-bbbb.pkl").write_bytes(b"not a pickle")
    gz.clear_memo()
    assert load_gazetteer().build_seconds > 0
    with open(tmp_path / "gazetteer-bbbb.pkl", "rb") as fh:
        assert isinstance(pickle.load(fh), Gazetteer)


def test_fingerprint_covers_data_files():
    fp = gz.source_fingerprint()
    assert len(fp) == 16 and fp == gz.source_fingerprint()
    assert all((gz.DATA_DIR / f).is_file() for f in gz.DATA_FILES)
    assert sum((gz.DATA_DIR / f).stat().st_size for f in gz.DATA_FILES) < 15_000_000


def test_name_variants():
    assert variants("Barrow in Furness") == ["Barrow in Furness", "Barrow-in-Furness"]
    assert variants("Stoke-on-Trent") == ["Stoke-on-Trent", "Stoke on Trent"]
    assert variants("Saint Albans") == ["Saint Albans", "St. Albans", "St Albans"]
    assert variants("St. Petersburg") == ["St. Petersburg", "Saint Petersburg", "St Petersburg"]
    assert variants("Les Cayes") == ["Les Cayes"]


def test_saint_and_particle_forms_resolve(gaz):
    assert _first(gaz, "St. Petersburg")["country_code"] == "RU"  # not only the Florida city
    assert _first(gaz, "Barrow-in-Furness")["geonameid"] == 2656241
    assert "US.VT" in {gaz.entity(i)["admin1_code"] for i in gaz.lookup("St. Albans")}


def test_proper_names_are_not_flagged_as_everyday_words(gaz):
    for name in ("Texas", "California", "Scotland", "Wales", "York", "Russia"):
        assert not gaz.key_flags[gaz.key_id(name)] & gz.F_COMMON, name
    for name in ("Reading", "Nice", "Mobile", "Rivers"):
        assert gaz.key_flags[gaz.key_id(name)] & gz.F_COMMON, name
