"""The README's user gazetteer and user dictionary, used as written, through the real pipeline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from newsbeam.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_yaml(first_line: str) -> str:
    """The README code block that starts with ``first_line`` (so the documentation is what we test)."""
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    (block,) = [b for b in blocks if b.startswith(first_line)]
    return block


def test_readme_user_places_and_actors(tmp_path, capsys):
    places = tmp_path / "my_places.yaml"
    places.write_text(readme_yaml("# pipelines/my_places.yaml"))
    actors = tmp_path / "my_actors.yaml"
    actors.write_text(readme_yaml("# pipelines/my_actors.yaml"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "story.txt").write_text(
        "Title: Commander seen near Sariab Road\nSource: Test\n\n"
        "Omar Siddiqui, who leads the Tehreek-e-Tahaffuz Front (TTF), was seen near Sariab Road in Quetta on "
        "Monday, residents said.\n\nThe TTF has not commented. Siddiqui was last reported in Pindi.\n"
    )
    out = tmp_path / "out"
    code = main(["run", str(tmp_path / "in"), "--out", str(out), "--quiet",
                 "--user-gazetteer", str(places), "--user-dictionary", str(actors)])
    assert code == 0
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    got = con.execute(
        "select x.text, x.actor_id, x.type, x.code from paragraphs, unnest(actors) t(x) "
        "where x.actor_id not like '%|%' order by para_index, x.start"
    ).fetchall()
    assert got == [
        ("Omar Siddiqui", "watch-omar-siddiqui", "PERSON", "PAKREB"),
        ("Tehreek-e-Tahaffuz Front", "tehreek-e-tahaffuz", "ARMED_GROUP", "PAKREB"),
        ("TTF", "tehreek-e-tahaffuz", "ARMED_GROUP", "PAKREB"),
        ("TTF", "tehreek-e-tahaffuz", "ARMED_GROUP", "PAKREB"),
        ("Siddiqui", "watch-omar-siddiqui", "PERSON", "PAKREB"),
    ]
    places_got = con.execute(
        "select x.name, x.kind, x.geonameid, x.admin1_code from paragraphs, unnest(places) t(x) "
        "order by para_index, x.start"
    ).fetchall()
    assert ("Sariab", "city", None, "PK.02") in places_got
    assert ("Rawalpindi", "city", 1166993, "PK.04") in places_got
    top = con.execute("select actors[1].actor_id, actors[1].mentions from articles").fetchone()
    assert top == ("tehreek-e-tahaffuz", 3)
    record = json.loads(next((out / "_runs").glob("*.json")).read_text())
    assert record["config"]["tagging"]["user_dictionaries"] == [str(actors)]
    from newsbeam.tags.places import load_gazetteer

    assert record["gazetteer_version"] == load_gazetteer((str(places),)).version and "+u" in record["gazetteer_version"]
    capsys.readouterr()


def test_bad_user_files_are_usage_errors(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Title: T\n\nSome text about a town, long enough to be read as a paragraph.\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  type: NOPE\n")
    for flag in ("--user-dictionary", "--user-gazetteer"):
        code = main(["run", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o"), flag, str(bad)])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("newsbeam: error:") and err.count("\n") == 1 and "bad.yaml" in err
    code = main(["run", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o"), "--user-dictionary",
                 str(tmp_path / "missing.yaml")])
    assert code == 2 and "missing.yaml" in capsys.readouterr().err
    assert not (tmp_path / "o" / "_runs").exists()


def test_user_entry_wins_over_the_built_in_dictionary(tmp_path):
    from newsbeam.tags.actors import ActorTagger
    from newsbeam.tags.places import PlaceTagger, load_gazetteer

    mine = tmp_path / "override.yaml"
    mine.write_text(
        "actors:\n  - id: my-bla\n    name: Balochistan Liberation Army\n    aliases: [BLA]\n"
        "    type: ARMED_GROUP\n    country: PK\n    code: PAKREB\n"
    )
    actors, places = ActorTagger((str(mine),)), PlaceTagger(load_gazetteer())
    paras = ["The Balochistan Liberation Army claimed the attack. The BLA said more would follow."]
    org = actors.organisation_spans(paras)
    pr = places.tag_article(paras, blocked=org)
    res = actors.tag_article(paras, pr.mentions, pr.demonyms, pr.primary_country, org_spans=org)
    assert [(m["text"], m["actor_id"], m["code"]) for m in res.mentions[0]] == [
        ("Balochistan Liberation Army", "my-bla", "PAKREB"),
        ("BLA", "my-bla", "PAKREB"),
    ]
