"""Fault-injection taggers for the budget tests, chosen through ``[tagging] extra_taggers`` so that they run where
the real taggers run: in the tagging process of every Beam worker.

Each misbehaves only on paragraphs that contain its marker, so the other articles of the same run are tagged as
usual. ``spin`` loops in pure Python and never checks a budget; ``block`` is stuck inside C (a catastrophic regular
expression: the interpreter never regains control, so no signal or exception can stop it); ``explode`` raises.
"""

from __future__ import annotations

import re

SPIN, BLOCK, RAISE = "FAULT-SPIN", "FAULT-BLOCK", "FAULT-RAISE"
_CATASTROPHIC = re.compile(r"(a+)+$")


def _has(paragraphs: list[str], marker: str) -> bool:
    return any(marker in p for p in paragraphs)


def spin(paragraphs: list[str], title: str | None) -> dict[str, int]:
    n = 0
    while _has(paragraphs, SPIN):
        n += 1
    return {"fault-spin-called": 1}


def block(paragraphs: list[str], title: str | None) -> None:
    if _has(paragraphs, BLOCK):
        _CATASTROPHIC.match("a" * 60 + "b")  # 2**60 steps inside the regex engine


def explode(paragraphs: list[str], title: str | None) -> None:
    if _has(paragraphs, RAISE):
        raise RuntimeError("injected tagger fault")
