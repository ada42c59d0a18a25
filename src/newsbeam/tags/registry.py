"""The taggers by name, what each one needs from the others, and the one shape of what every tagger gives back.

Why a registry: the order of the tagging pass is a fact about the taggers, not about the code that calls them.
Today organisations come before places (an organisation's name hides the places inside it: "Balochistan Liberation
Army" is a group, not a mention of Balochistan) and places before actors (a capital that "denied the allegations" is
a government; "Pakistan's interior minister" takes Pakistan from the place tagger). A tagger declares the names it
``needs``; the pass runs them in dependency order (ties in registration order), so a new tagger that must run before
places (person-name candidates, say) is one more entry, not a change to a fixed sequence.

Every tagger returns a ``TagResult``: spans per paragraph (each span a dict with at least ``start``, ``end`` and
``text``, code-point offsets into the paragraph), article-level fields, named counts, and ``candidates`` — whatever a
later tagger may consume (organisation spans, the place tagger's full result).

A tag type of your own: define a ``TaggerSpec`` with a ``column`` (an Arrow ``list<struct<start, end, text, ...>>``
field) in any importable module and name it in the configuration, ``[tagging] extra_taggers = ["mymod:MY_SPEC"]``.
Its spans land in that column of the ``paragraphs`` table; it runs in the tagging process under the per-article
budget like the built-in taggers. (A plain function there, ``fn(paragraphs, title) -> counts``, is the older, simpler
kind of extra tagger: it runs after the pass and can only add counters.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from newsbeam.config import TaggingConfig

SpanRows = list[list[dict]]  # per paragraph, the spans found there
SPAN_FIELDS = {"start": pa.int32(), "end": pa.int32(), "text": pa.string()}


@dataclass(slots=True)
class TagResult:
    """What every tagger gives back, in one shape."""

    spans: SpanRows
    article: dict[str, Any] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    candidates: Any = None


@dataclass(slots=True)
class TagContext:
    """One article as the taggers see it, and the results of the taggers already run."""

    texts: list[str]  # paragraph texts; "" for a paragraph not in a tagged language
    title: str | None
    results: dict[str, TagResult] = field(default_factory=dict)

    def get(self, name: str) -> TagResult | None:
        """The result of tagger ``name`` (None when it is not enabled in this configuration)."""
        return self.results.get(name)

    def empty(self) -> SpanRows:
        return [[] for _ in self.texts]


TagFn = Callable[[TagContext], TagResult]


@dataclass(frozen=True)
class TaggerSpec:
    """A tagger by name: how to build it (once per tagging process), what it needs, and its output column.

    ``build(cfg, shared)`` returns the function that tags one article; ``shared`` is a dict the taggers of one pass
    share heavy objects through (the gazetteer, the actor dictionary). ``needs`` names taggers whose results it reads
    (``ctx.get(name)``); a needed tagger that is switched off gives None. ``enabled(cfg)`` says whether it runs.
    ``column``: the paragraphs column its spans go to (None for the built-in taggers, whose columns are part of the
    fixed schema, and for taggers that only make candidates).
    """

    name: str
    build: Callable[[TaggingConfig, dict], TagFn]
    needs: tuple[str, ...] = ()
    column: pa.Field | None = None
    enabled: Callable[[TaggingConfig], bool] = lambda cfg: True

    def check(self) -> None:
        """Refuse a column that is not a list of spans (a ``ValueError``, a usage error at the start of a run)."""
        if self.column is None:
            return
        t = self.column.type
        if not (pa.types.is_list(t) and pa.types.is_struct(t.value_type)):
            raise ValueError(f"tagger {self.name!r}: column {self.column.name!r} must be list<struct<...>>")
        names = {t.value_type.field(i).name: t.value_type.field(i).type for i in range(t.value_type.num_fields)}
        for k, typ in SPAN_FIELDS.items():
            if names.get(k) != typ:
                raise ValueError(f"tagger {self.name!r}: column {self.column.name!r} needs a field {k}: {typ}")


def run_order(specs: Iterable[TaggerSpec]) -> list[TaggerSpec]:
    """The specs in dependency order, ties in the order given; unknown needs and cycles are ``ValueError``s."""
    specs = list(specs)
    by_name = {s.name: s for s in specs}
    if len(by_name) != len(specs):
        raise ValueError("two taggers share a name: " + ", ".join(sorted(n for n, c in Counter(
            s.name for s in specs).items() if c > 1)))
    for s in specs:
        for n in s.needs:
            if n not in by_name:
                raise ValueError(f"tagger {s.name!r} needs {n!r}, which no tagger provides")
    done: list[TaggerSpec] = []
    placed: set[str] = set()
    # Invariant: each pass places at least one spec (else the rest form a cycle and we stop), so at most len(specs)
    # passes.
    while len(done) < len(specs):
        ready = [s for s in specs if s.name not in placed and all(n in placed for n in s.needs)]
        if not ready:
            left = [s.name for s in specs if s.name not in placed]
            raise ValueError("taggers need each other in a cycle: " + ", ".join(left))
        done.append(ready[0])
        placed.add(ready[0].name)
    return done
