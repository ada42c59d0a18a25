"""YAML files are data: alias bombs, recursive aliases and Python tags are refused with one line naming the file.

A 300-byte user gazetteer of nested aliases grew a run to 5.7 GB in 40 s, and a ``!!python/`` tag in a gazetteer
ended the run with exit 1 and a traceback (the same tag in a dictionary gave the documented exit 2).
"""

from __future__ import annotations

import time

import pytest
import yaml

from newsbeam.cli import main
from newsbeam.tags.actors.dictionary import DATA_DIR, load_user_dictionary
from newsbeam.tags.places import read_user_file
from newsbeam.tags.yaml_load import YamlRefused, safe_load

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['Kalam'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
) + "places:\n  - name: Kalam\n    aliases: *i\n"  # the shape that grew to 5.7 GB: str() of the aliases
PYTHON_TAG = "places:\n  - !!python/object/apply:os.system [\"echo owned\"]\n"
RECURSIVE = "places: &p\n  - name: Kalam\n    aliases: *p\n"


def test_alias_bomb_is_refused_quickly():
    t0 = time.monotonic()
    with pytest.raises(YamlRefused, match=r"expand it to \d{3},\d{3},\d{3} nodes from \d+ written"):
        safe_load(BOMB)
    assert time.monotonic() - t0 < 2  # counted on the node graph, never expanded


def test_alias_cap_is_on_what_aliases_add():
    doc = "a: &a [x, y, z]\nb: [" + ", ".join(["*a"] * 10) + "]\n"  # 10 aliases of a 4-node list add 40 nodes
    assert len(safe_load(doc, max_alias_nodes=40)["b"]) == 10
    with pytest.raises(YamlRefused):
        safe_load(doc, max_alias_nodes=39)
    big = "places:\n" + "".join(f"  - {{name: Place {i}, lat: 1.0, lon: 2.0}}\n" for i in range(3000))
    assert len(safe_load(big, max_alias_nodes=0)["places"]) == 3000  # a file's own nodes are never capped


def test_python_tags_and_recursion_are_refused():
    with pytest.raises(YamlRefused, match=r"!!python/object/apply:os.system is not allowed .*\(line 2\)"):
        safe_load(PYTHON_TAG)
    with pytest.raises(YamlRefused, match="recursive alias"):
        safe_load(RECURSIVE)


def test_builtin_data_loads_as_before():
    for name in ("actors.yaml", "news_names.yaml"):
        text = (DATA_DIR / name).read_text(encoding="utf-8")
        assert safe_load(text) == yaml.safe_load(text)


@pytest.mark.parametrize("body,why", [(BOMB, "alias bomb"), (PYTHON_TAG, "!!python/object/apply:os.system"),
                                      (RECURSIVE, "recursive alias"), ("places: [\n", "not valid YAML"),
                                      ("places:\n  - name: \xff\n", None)])
def test_user_files_fail_with_one_line_naming_the_file(tmp_path, body, why):
    f = tmp_path / "mine.yaml"
    if why is None:  # not UTF-8
        f.write_bytes(body.encode("latin-1"))
        why = "not UTF-8"
    else:
        f.write_text(body, encoding="utf-8")
    for load, what in [(read_user_file, "user gazetteer"), (load_user_dictionary, "actor dictionary")]:
        with pytest.raises(ValueError) as e:
            load(str(f))
        msg = str(e.value)
        assert msg.startswith(f"{what} {f}: ") and why in msg and "\n" not in msg


@pytest.mark.parametrize("body", [BOMB, PYTHON_TAG])
@pytest.mark.parametrize("flag", ["--user-gazetteer", "--user-dictionary"])
def test_cli_exit_2(tmp_path, capsys, body, flag):
    f = tmp_path / "mine.yaml"
    f.write_text(body, encoding="utf-8")
    (tmp_path / "a.txt").write_text("Title: T\n\nThe road to Kalam reopened on Monday.\n")
    t0 = time.monotonic()
    code = main(["run", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "--quiet", flag, str(f)])
    assert code == 2 and time.monotonic() - t0 < 20
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(f) in err and "Traceback" not in err
