"""YAML reading for every YAML file newsbeam loads (built-in data, user gazetteers, user dictionaries).

Through libyaml when PyYAML was built with it: the pure-Python loader spent about 0.9 s of every worker's start-up
parsing the bundled actor lists; libyaml's loader builds the same Python objects (same safe subset, same
``yaml.YAMLError`` on bad input) about 10x faster.

Two guards, both checked on the composed node graph before any Python object is built:

* Aliases may add at most ``MAX_ALIAS_NODES`` nodes beyond those written in the file. A few lines of nested
  aliases ("billion laughs") stand for 10**9 nodes; PyYAML shares them, but everything that walks the data (our
  normalisation of gazetteer rows) expands them, and one such 300-byte gazetteer grew a run to 5.7 GB in 40 s.
  A file without aliases is never refused, however large. A recursive alias is refused too.
* Tags of the ``!!python/`` family are refused with a clear reason (the safe loader would refuse them anyway, but
  with a multi-line ``ConstructorError`` that reached users as a traceback): a data file is never code.

A refused file raises ``YamlRefused`` (a ``ValueError``); ``load_user_yaml`` turns every problem of a user's file
into one ``ValueError`` line that names the file, which the run command reports as a usage error (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_ALIAS_NODES = 1_000_000  # nodes that aliases may add beyond the file's own
_PYTHON_TAG = "tag:yaml.org,2002:python/"


class YamlRefused(ValueError):
    """A YAML document that is refused before it is built: an alias bomb, a recursive alias, a Python tag."""


def safe_load(stream: str | bytes | IO, max_alias_nodes: int = MAX_ALIAS_NODES) -> Any:
    """The document's data, like ``yaml.safe_load``, after the checks of this module (``YamlRefused``)."""
    loader = _Loader(stream)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_nodes(node, max_alias_nodes)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def check_nodes(root: yaml.Node, max_alias_nodes: int = MAX_ALIAS_NODES) -> None:
    """Refuse Python tags, recursive aliases and more than ``max_alias_nodes`` nodes added by aliases.

    An alias is the very node object of its anchor, so the expanded size is the size of the graph counted with
    multiplicity: memoised per node, this is linear in the file's own nodes whatever the expansion.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    # Invariant: each node is expanded (pushed with its children) once and summed once; every pass pops one entry.
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlRefused(f"a recursive alias (line {node.start_mark.line + 1})")
        tag = node.tag or ""
        if tag.startswith(_PYTHON_TAG):
            raise YamlRefused(f"the tag !!{tag[len('tag:yaml.org,2002:'):]} is not allowed in a data file "
                              f"(line {node.start_mark.line + 1})")
        on_path.add(key)
        stack.append((node, True))
        for c in _children(node):
            if id(c) in on_path:
                raise YamlRefused(f"a recursive alias (line {c.start_mark.line + 1})")
            if id(c) not in size:
                stack.append((c, False))
    expanded, own = size[id(root)], len(size)
    if expanded - own > max_alias_nodes:
        raise YamlRefused(f"its aliases expand it to {expanded:,} nodes from {own:,} written (at most "
                          f"{max_alias_nodes:,} more are allowed): an alias bomb?")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for kv in node.value for n in kv]
    return []


def load_user_yaml(path: str | Path, what: str) -> Any:
    """A user's YAML file; any problem (unreadable, not UTF-8, not YAML, refused) is one ``ValueError`` line
    ``"<what> <path>: <reason>"``, so that the user sees which file to fix and the run exits with a usage error."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            return safe_load(f)
    except OSError as e:
        raise ValueError(f"{what} {path}: cannot read ({e.strerror or e})") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"{what} {path}: not UTF-8 text (byte {e.start})") from None
    except YamlRefused as e:
        raise ValueError(f"{what} {path}: refused: {e}") from None
    except yaml.YAMLError as e:
        raise ValueError(f"{what} {path}: not valid YAML ({_first_line(e)})") from None
    except RecursionError:
        raise ValueError(f"{what} {path}: not valid YAML (nested too deeply)") from None


def _first_line(e: yaml.YAMLError) -> str:
    """What is wrong and where, on one line (PyYAML's own message spans several)."""
    problem, mark = getattr(e, "problem", None), getattr(e, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    return lines[0][:300] if lines else e.__class__.__name__
