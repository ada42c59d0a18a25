"""YAML reading through libyaml when PyYAML was built with it.

The pure-Python loader spent about 0.9 s of every worker's start-up parsing the bundled actor lists; libyaml's
loader builds the same Python objects (same safe subset, same ``yaml.YAMLError`` on bad input) about 10x faster.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: str | bytes | IO) -> Any:
    return yaml.load(stream, Loader=_Loader)  # noqa: S506 - a safe loader, libyaml's or PyYAML's
