"""A tagger module that kills the tagging process while it starts (on import, only inside that process), for the
test of what happens when a tagging process cannot start: retried, then the article is published untagged."""

from __future__ import annotations

import os
import sys

if sys.argv and sys.argv[0].endswith("sandbox.py"):  # python -m newsbeam.tags.sandbox
    sys.stderr.write("simulated start-up crash of the tagging process\n")
    sys.stderr.flush()
    os._exit(3)


def tag(paragraphs: list[str], title: str | None) -> None:
    return None
