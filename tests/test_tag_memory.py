"""The gazetteer's packed columns (issue #18: the tagging process held ~280 MB of tables as Python objects).

The packed columns must read back exactly what the builder put in (the tagger's output depends on every value),
survive the cache's pickle, accept the appends of a user gazetteer merge, and keep the loaded table small.
"""

from __future__ import annotations

import pickle
import tracemalloc
from array import array

import pytest

from newsbeam.tags.places import gazetteer as gz
from newsbeam.tags.places.builder import TableBuilder
from newsbeam.tags.places.gazetteer import load_gazetteer, merge_user_places
from newsbeam.tags.places.table import CandColumn, IdColumn, StrColumn

NAMES = ["Quetta", "", "Zürich", "São Paulo", "Ḩalab", "\ud800x", "東京"]  # empty, non-Latin, a lone surrogate


def test_str_column_reads_back_every_string():
    col = pickle.loads(pickle.dumps(StrColumn(NAMES), protocol=pickle.HIGHEST_PROTOCOL))
    assert list(col) == NAMES and len(col) == len(NAMES)
    assert [col[i] for i in range(len(NAMES))] == NAMES
    assert col[-1] == NAMES[-1] and col[-len(NAMES)] == NAMES[0]
    col.append("Sariab")
    assert col[len(NAMES)] == "Sariab" and col[len(NAMES) - 1] == NAMES[-1]
    with pytest.raises(IndexError):
        col[len(NAMES) + 1]


def test_id_column_keeps_none_apart_from_numbers():
    values = [1167528, None, 0, 13711233, None]
    col = pickle.loads(pickle.dumps(IdColumn(values)))
    assert list(col) == values and [col[i] for i in range(5)] == values and col[-1] is None
    col.append(None)
    col.append(7)
    assert col[5] is None and col[6] == 7 and len(col) == 7


def test_cand_column_reads_back_tuples_with_alternate_marks():
    values = [(3,), (), (5, ~2, 0), (~0,), (2**31 - 1, ~(2**31 - 1))]
    col = pickle.loads(pickle.dumps(CandColumn(values)))
    assert list(col) == values and [col[k] for k in range(len(values))] == values
    assert all(type(col[k]) is tuple for k in range(len(values))) and all(type(t) is tuple for t in col)
    assert col[-1] == values[-1] and len(col) == len(values)
    with pytest.raises(IndexError):
        col[len(values)]


def _tiny() -> gz.Gazetteer:
    b = TableBuilder()
    a = b.add_entity("Testville", 1, "city", "ZZ", "ZZ.01", 1.5, -2.25, 1000, 3.0)
    c = b.add_entity("Zürich", None, "city", "CH", None, 47.37, 8.55, 341730, 5.5, cap=True)
    b.add_name("Testville", a)
    b.add_name("Zürich", c)
    b.add_name("Testville", c, alt=True)
    return b.finish({}, frozenset(), admin1_name={"ZZ.01": "One"}, country_name={}, country_ent={},
                    admin1_ent={}, m49={})


def test_built_columns_are_packed_and_read_back_the_builder_values():
    g = pickle.loads(pickle.dumps(_tiny(), protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(g.ent_lat, array) and isinstance(g.key_flags, array) and isinstance(g.key_cands, CandColumn)
    assert g.entity(0) == {"name": "Testville", "geonameid": 1, "kind": "city", "country_code": "ZZ",
                           "admin1_code": "ZZ.01", "admin1_name": "One", "lat": 1.5, "lon": -2.25,
                           "population": 1000}
    z = g.entity(1)
    assert (z["name"], z["geonameid"], z["population"], z["lat"]) == ("Zürich", None, 341730, 47.37)
    assert g.ent_capital == [False, True] and g.ent_prior[1] == 5.5
    assert g.lookup("Zurich") == [1] and g.lookup("Testville") == [1, 0]  # ASCII fold; by prior
    assert g.key_cands[g.key_id("Testville")] == (~1, 0)  # ~: an alternate name
    assert g.key_len[g.key_id("Zurich")] == len("Zurich")


def test_user_merge_appends_to_packed_columns():
    g = _tiny()
    merge_user_places(g, [{"name": "Sariab", "aliases": ["Sariab Road"], "kind": "city", "country_code": "pk",
                           "lat": 30.15, "lon": 66.99},
                          {"alias": "Zurich City", "name": "Zurich City", "geonameid": None},
                          {"name": "Testville Junction", "geonameid": 1}])
    e = g.lookup("Sariab")[0]
    assert g.entity(e)["name"] == "Sariab" and g.entity(e)["lat"] == 30.15 and g.entity(e)["country_code"] == "PK"
    assert g.lookup("Sariab Road") == [e] and g.lookup("Testville") == [1, 0]
    assert g.key_flags[g.key_id("Sariab")] & gz.F_USER
    assert len(g.key_len) == len(g.key_flags) == len(g.key_cands)
    assert g.key_len[g.key_id("Sariab Road")] == len("Sariab Road")
    assert g.lookup("Testville Junction") == [0]  # an alias of an existing GeoNames place


def test_cold_build_writes_and_reloads_the_packed_artifact(gazetteer_cache):
    gazetteer_cache.use(_tiny, "cold")
    built = load_gazetteer()
    gz.clear_memo()
    cached = load_gazetteer()
    assert built.build_seconds > 0 and cached.build_seconds == 0.0
    assert cached.version == built.version == f"{gz.BUILDER_VERSION}.cold"
    assert [cached.entity(i) for i in range(len(cached))] == [built.entity(i) for i in range(len(built))]
    assert list(cached.key_cands) == list(built.key_cands)


def test_default_gazetteer_loads_in_under_150_mb():
    """Loading the real artifact allocated 255 MB (Python lists of objects) before the columns were packed,
    ~123 MB after (about 80 of them the automaton)."""
    gz.clear_memo()
    load_gazetteer()  # built into the cache if missing, outside the measurement
    gz.clear_memo()
    tracemalloc.start()
    try:
        g = load_gazetteer()
        size, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        gz.clear_memo()
    assert len(g) > 200_000
    assert size < 150e6, f"{size / 1e6:.0f} MB"
