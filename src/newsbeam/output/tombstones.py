"""Takedowns that stay taken down: the list of forgotten sources in ``OUT/_forgotten.json``.

``newsbeam forget --source X`` removes X's rows once; without a memory of it, the next ``run --reprocess``, a
``forget --run`` of the run that first read X, or one line appended to a JSONL feed that held X's articles would
publish them again. So every forgotten source (an outlet name, matched against the ``source`` column, or an input
URI, matched against ``source_uri``) is written here, and:

* ``run`` drops a forgotten source's articles right after reading (``tombstone_stage.py``), before any dedup or tagging
  (counter ``articles-forgotten-source``), so they reach neither the tables nor the dedup index;
* the views leave out articles and rejects that match (also rows still in the files, e.g. of an entry added by
  hand: ``compact`` then removes them);
* ``status`` lists the entries; ``newsbeam forget OUT --lift NAME`` removes one (kept under ``lifted`` for the
  record). Lifting brings nothing back by itself: the inputs that held the articles count as processed, so they
  come back when those inputs are read again (``run --reprocess``, or a changed input).

The file is written atomically, under the output lock, and read with the run records (``store.State``). A forget
writes its entries (``by``: its run id) before its record, the switch: an entry counts only once that record is
published, so a forget killed before it forgot nothing, and the next command removes the entry (``prune``).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from newsbeam.errors import UsageError

FILE_NAME = "_forgotten.json"


@dataclass(frozen=True)
class Tombstones:
    """The forgotten sources (names or URIs), each with when and by which forget; and what was lifted."""

    entries: tuple[dict, ...] = ()
    lifted: tuple[dict, ...] = ()
    values: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def of(cls, entries: Iterable[dict], lifted: Iterable[dict] = ()) -> Tombstones:
        entries = tuple(entries)
        return cls(entries, tuple(lifted), frozenset(e["value"] for e in entries))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def hides(self, source: str | None, source_uri: str | None) -> bool:
        """Does an article (or reject) of this outlet name / input URI belong to a forgotten source?"""
        return (source is not None and source in self.values) or (source_uri is not None and source_uri in self.values)

    def effective(self, published: set[str]) -> Tombstones:
        """The entries in force: written by a published forget, or by hand (no ``by``)."""
        keep = [e for e in self.entries if not e.get("by") or e["by"] in published]
        return self if len(keep) == len(self.entries) else Tombstones.of(keep, self.lifted)

    def to_json(self) -> dict:
        return {"version": 1, "forgotten": list(self.entries), "lifted": list(self.lifted)}


def path(out: Path) -> Path:
    return Path(out) / FILE_NAME


def read(out: Path) -> Tombstones:
    """The tombstones of ``OUT``; none when the file is missing. A damaged file is an error, never "no takedowns"."""
    try:
        text = path(out).read_text(encoding="utf-8")
    except FileNotFoundError:
        return Tombstones()
    try:
        data = json.loads(text)
        entries = [e for e in data.get("forgotten", []) if isinstance(e, dict) and isinstance(e.get("value"), str)]
        return Tombstones.of(entries, data.get("lifted", []))
    except (json.JSONDecodeError, AttributeError) as e:  # exit 2 for every command: never "no takedowns"
        raise UsageError(f"{path(out)} is damaged ({e}); it lists the sources that must never be published again: "
                         "repair it by hand") from e


def _write(out: Path, t: Tombstones) -> None:
    p = path(out)
    tmp = p.with_name(f".{p.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(json.dumps(t.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def add(out: Path, values: Iterable[str], run_id: str) -> Tombstones:
    """Add forgotten sources for the forget ``run_id`` about to be published (a value already there keeps its first
    entry). Caller holds the lock."""
    t = read(out)
    new = [{"value": v, "since": _now(), "by": run_id} for v in dict.fromkeys(values) if v not in t.values]
    if not new:
        return t
    t = Tombstones.of([*t.entries, *new], t.lifted)
    _write(out, t)
    return t


def prune(out: Path, published: set[str]) -> bool:
    """Drop entries of forgets that were never published (killed before their switch). Caller holds the lock."""
    t = read(out)
    live = t.effective(published)
    if live is t:
        return False
    _write(out, live)
    return True


def lift(out: Path, values: Iterable[str]) -> Tombstones:
    """Remove entries (they move to ``lifted`` with the time). Caller holds the lock and checked they exist."""
    t = read(out)
    gone = set(values)
    lifted = [{**e, "lifted": _now()} for e in t.entries if e["value"] in gone]
    t = Tombstones.of([e for e in t.entries if e["value"] not in gone], [*t.lifted, *lifted])
    _write(out, t)
    return t


def sql_filter(t: Tombstones, source_col: str | None, uri_col: str) -> str:
    """A SQL condition that is true for rows NOT of a forgotten source (``TRUE`` without tombstones)."""
    if not t:
        return "TRUE"
    vals = "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(t.values)) + "]"
    conds = [f"NOT list_contains({vals}, {uri_col})"]
    if source_col:
        conds.append(f"NOT list_contains({vals}, {source_col})")
    return " AND ".join(f"coalesce({c}, TRUE)" for c in conds)
