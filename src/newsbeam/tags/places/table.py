"""The gazetteer table format: what a built gazetteer holds, and what its cache artifact pickles.

Column-oriented (one column per field, indexed by entity id or key id): the tagger reads a handful of fields for
each of thousands of candidates per article. Every tagging process (one per Beam worker) holds the whole table, so
the columns are packed rather than Python lists of objects: measured on the default gazetteer (287k places, 385k
names) the table held ~164 MB of Python objects as lists, ~55 MB packed (``pack_columns``):

* numbers are ``array.array`` (8 bytes a value instead of a pointer plus a 24-32 byte object);
* repeated strings (country and admin1 codes, kinds) are one shared object each, which the pickle keeps shared;
* entity names are one UTF-8 buffer with offsets (``StrColumn``), geonameids an array with -1 for none
  (``IdColumn``), a name's candidate entities one flat array with offsets (``CandColumn``);
* the names' texts are not kept at all: matching needs only their lengths (``key_len``), and the automaton maps
  a text to its key id.

The hot reads (``key_flags``, ``key_len``, the numeric columns) stay C-level indexing; the wrapped columns cost a
Python call per read and are read per candidate or per mention only.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

KINDS = ("country", "admin1", "admin2", "city", "user", "continent", "region", "water", "landform")
# Places that name no town (``data/world_features.tsv``): never penalised as a small town abroad.
FEATURE_KINDS = frozenset(("continent", "region", "water", "landform"))

# Name flags
F_COMMON = 1  # the name is an everyday English word
F_HARD = 2  # ... so common that a preposition before it proves nothing
F_FIRSTNAME = 4  # the name is a common given name
F_DEMONYM = 8  # "Pakistani": evidence, never a mention
F_BLOCKER = 16  # "Indian Ocean": consumes the span, yields nothing
F_USER = 32  # from a user gazetteer: always fires


class StrColumn:
    """Strings as one UTF-8 buffer and their end offsets (~1.1 bytes a character instead of a ~60-byte object)."""

    __slots__ = ("_buf", "_end")

    def __init__(self, values: Iterable[str] = ()):
        self._buf = bytearray()
        self._end = array("Q")
        for v in values:
            self.append(v)

    def append(self, s: str) -> None:
        self._buf += s.encode("utf-8", "surrogatepass")
        self._end.append(len(self._buf))

    def __getitem__(self, i: int) -> str:
        end = self._end
        if i < 0:
            i += len(end)
        return self._buf[end[i - 1] if i > 0 else 0 : end[i]].decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        return len(self._end)

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self._end)))

    def __getstate__(self) -> tuple:
        return self._buf, self._end

    def __setstate__(self, state: tuple) -> None:
        self._buf, self._end = state


class IdColumn:
    """Optional non-negative integers (geonameids) as one array, -1 standing for None."""

    __slots__ = ("_a",)

    def __init__(self, values: Iterable[int | None] = ()):
        self._a = array("q", (-1 if v is None else v for v in values))

    def append(self, v: int | None) -> None:
        self._a.append(-1 if v is None else v)

    def __getitem__(self, i: int) -> int | None:
        v = self._a[i]
        return None if v < 0 else v

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Iterator[int | None]:
        return (None if v < 0 else v for v in self._a)

    def __getstate__(self) -> array:
        return self._a

    def __setstate__(self, state: array) -> None:
        self._a = state


class CandColumn:
    """Each key's candidate entity ids (a tuple per key) as one flat array and the keys' end offsets in it."""

    __slots__ = ("_flat", "_end")

    def __init__(self, values: Iterable[tuple[int, ...]] = ()):
        self._flat = array("i")
        self._end = array("I")
        for v in values:
            self.append(v)

    def append(self, v: tuple[int, ...]) -> None:
        self._flat.extend(v)
        self._end.append(len(self._flat))

    def __getitem__(self, k: int) -> tuple[int, ...]:
        end = self._end
        if k < 0:
            k += len(end)
        return tuple(self._flat[end[k - 1] if k > 0 else 0 : end[k]])

    def __len__(self) -> int:
        return len(self._end)

    def arrays(self) -> tuple[array, array]:
        """The flat ids and the keys' end offsets, for the per-match loop of the place tagger, which slices them
        itself: a Python call per match cost ~1% of tagging (``PlaceTagger._candidate``)."""
        return self._flat, self._end

    def __iter__(self) -> Iterator[tuple[int, ...]]:
        # Slices in one loop, not ``self[k]`` per key: the taggers' set-up walks all ~385,000 keys three times, and a
        # method call per key made that ~0.3 s of every tagging process's start.
        flat, start = self._flat, 0
        for stop in self._end:
            yield tuple(flat[start:stop])
            start = stop

    def __getstate__(self) -> tuple:
        return self._flat, self._end

    def __setstate__(self, state: tuple) -> None:
        self._flat, self._end = state


def _shared(values: Iterable[Any]) -> list[Any]:
    """The values with every repeated string one object (the pickle then stores and loads it once)."""
    seen: dict[Any, Any] = {}
    return [seen.setdefault(v, v) if isinstance(v, str) else v for v in values]


@dataclass
class Gazetteer:
    """Packed column-oriented tables (see the module docstring) plus the automaton over all names.

    Key columns are indexed by key id (the automaton's value for a name), entity columns by entity id.
    """

    version: str
    build_seconds: float
    automaton: Any
    key_len: array  # "I": the name's length in characters
    key_flags: array  # "B": F_* flags
    key_cands: CandColumn  # entity ids, best prior first; ~id marks an alternate name
    pair_adj: dict[tuple[int, int], float]  # (key, entity) -> prior adjustment
    key_qualifier: dict[int, int]  # "Tex." -> the admin1 entity; valid only after "City, "
    demonym_targets: dict[int, tuple[tuple[str, str | None], ...]]
    ent_name: StrColumn
    ent_gid: IdColumn
    ent_kind: list[str]
    ent_cc: list[str]
    ent_a1: list[str | None]
    ent_lat: array  # "d"
    ent_lon: array  # "d"
    ent_pop: array  # "q"
    ent_prior: array  # "d"
    ent_capital: list[bool]
    admin1_name: dict[str, str]
    country_name: dict[str, str]
    country_ent: dict[str, int]
    admin1_ent: dict[str, int]
    m49: dict[str, str]
    first_names: frozenset[str]
    sources: dict[str, str] = field(default_factory=dict)

    def lookup(self, name: str) -> list[int]:
        """Entity ids that ``name`` (exactly as written) can mean, best prior first."""
        kid = self.automaton.get(name, -1)
        return [c if c >= 0 else ~c for c in self.key_cands[kid]] if kid >= 0 else []

    def key_id(self, name: str) -> int:
        return self.automaton.get(name, -1)

    def entity(self, i: int) -> dict[str, Any]:
        a1 = self.ent_a1[i]
        return {
            "name": self.ent_name[i],
            "geonameid": self.ent_gid[i],
            "kind": self.ent_kind[i],
            "country_code": self.ent_cc[i],
            "admin1_code": a1,
            "admin1_name": self.admin1_name.get(a1) if a1 else None,
            "lat": self.ent_lat[i],
            "lon": self.ent_lon[i],
            "population": self.ent_pop[i],
        }

    def __len__(self) -> int:
        return len(self.ent_name)


def packed_columns(key_text: list[str], key_flags: list[int], key_cands: list[tuple[int, ...]],
                   ent: dict[str, list]) -> dict[str, Any]:
    """The ``Gazetteer`` column fields from plain lists (``ent`` by the builder's short names)."""
    return {
        "key_len": array("I", map(len, key_text)),
        "key_flags": array("B", key_flags),
        "key_cands": CandColumn(key_cands),
        "ent_name": StrColumn(ent["name"]),
        "ent_gid": IdColumn(ent["gid"]),
        "ent_kind": _shared(map(sys.intern, ent["kind"])),
        "ent_cc": _shared(ent["cc"]),
        "ent_a1": _shared(ent["a1"]),
        "ent_lat": array("d", ent["lat"]),
        "ent_lon": array("d", ent["lon"]),
        "ent_pop": array("q", ent["pop"]),
        "ent_prior": array("d", ent["prior"]),
        "ent_capital": [bool(c) for c in ent["cap"]],
    }
