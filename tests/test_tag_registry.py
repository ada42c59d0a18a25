"""The tagger registry: order from declared needs, one result shape, and a tag type of our own with its own column.

``WEAPONS`` below is a whole new tag type defined in this one file: it is named in a configuration
(``extra_taggers = ["test_tag_registry:WEAPONS"]``), runs inside the tagging process of the real pipeline under the
per-article budget, reads the place tagger's candidates (it declares ``needs=("places",)``), and its spans come out
as a ``weapons`` column of the ``paragraphs`` table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from newsbeam.cli import main
from newsbeam.config import TaggingConfig
from newsbeam.tags.registry import TagContext, TaggerSpec, TagResult, run_order
from newsbeam.tags.tagger import BUILTIN_TAGGERS, Tagger, registered_specs, tag_columns

TESTS = Path(__file__).resolve().parent

_WEAPON = re.compile(r"\b(rifles?|mortars?|drones?|rockets?|grenades?)\b", re.IGNORECASE)
WEAPON_SPAN = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string()),
                         ("kind", pa.string()), ("place_in_paragraph", pa.bool_())])


def _build_weapons(cfg: TaggingConfig, shared: dict):
    def tag(ctx: TagContext) -> TagResult:
        places = ctx.get("places")
        rows = []
        for i, text in enumerate(ctx.texts):
            has_place = bool(places and places.spans[i])
            rows.append([{"start": m.start(), "end": m.end(), "text": m.group(0),
                          "kind": m.group(1).lower().rstrip("s"), "place_in_paragraph": has_place}
                         for m in _WEAPON.finditer(text)])
        return TagResult(rows, counts={"weapon-mentions": sum(map(len, rows))})

    return tag


WEAPONS = TaggerSpec("weapons", _build_weapons, needs=("places",),
                     column=pa.field("weapons", pa.list_(WEAPON_SPAN)))


def _spec(name: str, *needs: str) -> TaggerSpec:
    return TaggerSpec(name, lambda cfg, shared: (lambda ctx: TagResult(ctx.empty())), needs=needs)


def test_order_comes_from_needs_not_from_the_list():
    order = [s.name for s in run_order([_spec("actors", "places", "people"), _spec("places", "people"),
                                        _spec("people")])]
    assert order == ["people", "places", "actors"]
    assert [s.name for s in run_order(BUILTIN_TAGGERS)] == ["organisations", "places", "actors"]
    # Ties keep the order given.
    assert [s.name for s in run_order([_spec("b"), _spec("a")])] == ["b", "a"]


def test_unknown_needs_cycles_and_bad_columns_are_refused():
    with pytest.raises(ValueError, match="no tagger provides"):
        run_order([_spec("a", "nobody")])
    with pytest.raises(ValueError, match="cycle"):
        run_order([_spec("a", "b"), _spec("b", "a")])
    with pytest.raises(ValueError, match="share a name"):
        run_order([_spec("a"), _spec("a")])
    bad = TaggerSpec("x", _build_weapons, column=pa.field("x", pa.list_(pa.struct([("start", pa.int32())]))))
    with pytest.raises(ValueError, match="needs a field end"):
        bad.check()
    with pytest.raises(ValueError, match="must be list<struct"):
        TaggerSpec("y", _build_weapons, column=pa.field("y", pa.string())).check()


def test_a_registered_tagger_runs_after_what_it_needs_and_fills_its_column(monkeypatch):
    monkeypatch.syspath_prepend(str(TESTS))
    cfg = TaggingConfig(extra_taggers=("test_tag_registry:WEAPONS",))
    assert [s.name for s in registered_specs(cfg)] == ["organisations", "places", "actors", "weapons"]
    assert [f.name for f in tag_columns(cfg)] == ["weapons"]
    assert tag_columns(TaggingConfig()) == ()
    tags = Tagger(cfg).tag_article(["Two rockets hit a market in Quetta on Monday.", "No arms here."], None,
                                   [True, True])
    assert [s["text"] for s in tags.columns["weapons"][0]] == ["rockets"]
    assert tags.columns["weapons"][0][0]["place_in_paragraph"] is True  # it read the place tagger's result
    assert tags.columns["weapons"][1] == []
    assert tags.counts["weapon-mentions"] == 1 and tags.places[0]  # the built-in taggers ran as before


@pytest.mark.e2e
def test_the_new_tag_type_has_its_column_in_the_output(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH")) if p))
    monkeypatch.syspath_prepend(str(TESTS))
    inp = tmp_path / "feed.jsonl"
    arts = [
        {"id": "a1", "title": "Attack", "published": "2026-11-30T08:00:00Z", "source": "Test Wire",
         "text": "Militants fired mortars at a checkpoint near Quetta, police said.\n\nNobody was hurt."},
        {"id": "a2", "title": "Quiet", "published": "2026-11-30T09:00:00Z", "source": "Test Wire",
         "text": "The market in Lahore reopened on Monday after repairs."},
    ]
    inp.write_text("".join(json.dumps(a) + "\n" for a in arts))
    cfg = tmp_path / "weapons.toml"
    cfg.write_text('[tagging]\nextra_taggers = ["test_tag_registry:WEAPONS"]\n')
    out = tmp_path / "out"
    assert main(["run", str(inp), "--out", str(out), "--config", str(cfg), "--quiet"]) == 0
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    rows = con.execute("""select a.source_id, p.para_index, p.weapons, a.tag_status
                          from paragraphs p join articles a using (article_id) order by 1, 2""").fetchall()
    con.close()
    by = {(r[0], r[1]): r[2] for r in rows}
    assert by[("a1", 0)] == [{"start": 16, "end": 23, "text": "mortars", "kind": "mortar",
                              "place_in_paragraph": True}]
    assert by[("a1", 1)] == [] and by[("a2", 0)] == []
    assert {r[3] for r in rows} == {"ok"}
    # Compacting keeps the tag type's column and its values.
    assert main(["compact", str(out)]) == 0
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    assert con.execute("select count(*) from paragraphs where len(weapons) > 0").fetchone()[0] == 1
    con.close()
    # A run without the tagger has no such column; the views still read both runs side by side.
    out2 = tmp_path / "plain"
    assert main(["run", str(inp), "--out", str(out2), "--quiet"]) == 0
    con = duckdb.connect(str(out2 / "newsbeam.duckdb"), read_only=True)
    assert "weapons" not in con.sql("select * from paragraphs limit 0").columns
    con.close()
