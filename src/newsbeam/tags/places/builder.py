"""The table under construction: entities and names accumulate here during the build, and ``finish`` turns them
into a ``Gazetteer`` (keys sorted, candidate lists ordered by prior, the automaton made, the columns packed)."""

from __future__ import annotations

import ahocorasick

from newsbeam.tags.places.names import usable_key, variants
from newsbeam.tags.places.table import F_DEMONYM, F_FIRSTNAME, Gazetteer, packed_columns
from newsbeam.tags.trie_order import guard_items, insertion_order


class TableBuilder:
    """Accumulates entities and names; ``finish`` turns them into a Gazetteer."""

    def __init__(self) -> None:
        self.ent: dict[str, list] = {k: [] for k in ("name", "gid", "kind", "cc", "a1", "lat", "lon", "pop", "prior", "cap")}
        self.names: dict[str, dict[int, bool]] = {}  # key -> {entity: is_alternate}
        self.flags: dict[str, int] = {}
        self.adj: dict[tuple[str, int], float] = {}
        self.qualifier: dict[str, int] = {}
        self.demonyms: dict[str, list[tuple[str, str | None]]] = {}

    def add_entity(self, name, gid, kind, cc, a1, lat, lon, pop, prior, cap=False) -> int:
        e = self.ent
        for k, v in zip(e, (name, gid, kind, cc, a1, lat, lon, pop, prior, cap), strict=True):
            e[k].append(v)
        return len(e["name"]) - 1

    def add_name(self, name: str, ent: int, alt: bool = False) -> None:
        for v in variants(name.strip()):
            if not usable_key(v):
                continue
            d = self.names.setdefault(v, {})
            d[ent] = d.get(ent, True) and alt

    def finish(self, common: dict[str, int], first_names: frozenset[str], **tables) -> Gazetteer:
        keys = set(self.names) | set(self.flags) | set(self.qualifier) | set(self.demonyms)
        key_text = sorted(keys)
        kid = {k: i for i, k in enumerate(key_text)}
        prior, kind, pop = self.ent["prior"], self.ent["kind"], self.ent["pop"]
        auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        key_flags, key_cands = [], []
        for k in key_text:
            fl = self.flags.get(k, 0) | common.get(k, 0) | (F_FIRSTNAME if k in first_names else 0)
            if k in self.demonyms:
                fl |= F_DEMONYM
            key_flags.append(fl)
            d = self.names.get(k, {})
            if any(not alt and (kind[e] in ("country", "admin1") or pop[e] >= 50000) for e, alt in d.items()):
                # "Islamabad" is also an alternate name of Chattogram: a real place of that name wins outright.
                d = {e: alt for e, alt in d.items() if not alt}
            order = sorted(d, key=lambda e, k=k: -(prior[e] + self.adj.get((k, e), 0.0) - (0.5 if d[e] else 0.0)))
            key_cands.append(tuple(~e if d[e] else e for e in order))
        # Key ids stay by code point; the order of adding and the guard keys (id -1, never given out) only make
        # the automaton faster: see trie_order for why they change no match.
        for k, i in insertion_order(guard_items(list(kid.items()), -1)):
            auto.add_word(k, i)
        auto.make_automaton()
        return Gazetteer(
            version="",
            build_seconds=0.0,
            automaton=auto,
            pair_adj={(kid[k], ent): v for (k, ent), v in self.adj.items() if k in kid},
            key_qualifier={kid[k]: ent for k, ent in self.qualifier.items()},
            demonym_targets={kid[k]: tuple(v) for k, v in self.demonyms.items()},
            first_names=first_names,
            **packed_columns(key_text, key_flags, key_cands, self.ent),
            **tables,
        )
