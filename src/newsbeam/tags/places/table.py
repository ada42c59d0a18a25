"""The gazetteer table format: what a built gazetteer holds, and what its cache artifact pickles.

Column-oriented (one plain list per field, indexed by entity id or key id) because plain lists index fastest from
Python, and the tagger reads a handful of fields for each of thousands of candidates per article.
"""

from __future__ import annotations

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


@dataclass
class Gazetteer:
    """Column-oriented tables (plain lists index fastest from Python) plus the automaton over all names."""

    version: str
    build_seconds: float
    automaton: Any
    key_text: list[str]
    key_flags: list[int]
    key_cands: list[tuple[int, ...]]  # entity ids, best prior first; ~id marks an alternate name
    pair_adj: dict[tuple[int, int], float]  # (key, entity) -> prior adjustment
    key_qualifier: dict[int, int]  # "Tex." -> the admin1 entity; valid only after "City, "
    demonym_targets: dict[int, tuple[tuple[str, str | None], ...]]
    ent_name: list[str]
    ent_gid: list[int | None]
    ent_kind: list[str]
    ent_cc: list[str]
    ent_a1: list[str | None]
    ent_lat: list[float]
    ent_lon: list[float]
    ent_pop: list[int]
    ent_prior: list[float]
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
