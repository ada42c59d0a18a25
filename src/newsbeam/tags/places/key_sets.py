"""The key-id sets the place tagger tests per match, computed once per tagging process from the packed columns.

Why numpy (issue #18): the tagger needs three facts about the gazetteer's ~385,000 names, "an everyday word that
can be a country" (``has_country``), "first reading a country" (``country_first``) and "one reading, a country"
(``single_country``). Read key by key through ``CandColumn.__iter__`` they cost three walks that build a tuple per
key, ~0.2 s CPU at the start of every tagging process (1.15 million generator steps in a profile of the full
pipeline); over the flat candidate array and its end offsets the same sets take ~0.02 s.

The ``reference_*`` functions are the straightforward key-by-key definitions; ``tests/test_place_speed.py`` checks
that both give the same sets, on the default gazetteer and on small ones with every edge (no readings, alternate
names, user places, first names).
"""

from __future__ import annotations

from array import array

import numpy as np

from newsbeam.tags.places.table import F_FIRSTNAME, F_HARD, F_USER, CandColumn, Gazetteer


def key_sets(gaz: Gazetteer) -> tuple[frozenset[int], frozenset[int], dict[int, int]]:
    """(``has_country``, ``country_first``, ``single_country``): see the ``reference_*`` functions."""
    if not (isinstance(gaz.key_cands, CandColumn) and isinstance(gaz.key_flags, array)):
        return reference_has_country(gaz), reference_country_first(gaz), reference_single_country(gaz)
    flat_a, end_a = gaz.key_cands.arrays()
    n = len(end_a)
    if n == 0:
        return frozenset(), frozenset(), {}
    flat = np.frombuffer(flat_a, dtype=f"i{flat_a.itemsize}").astype(np.int64) if len(flat_a) else np.zeros(0, np.int64)
    end = np.frombuffer(end_a, dtype=f"u{end_a.itemsize}").astype(np.int64)
    flags = np.frombuffer(gaz.key_flags, dtype=f"u{gaz.key_flags.itemsize}")
    start = np.zeros(n, dtype=np.int64)
    start[1:] = end[:-1]
    length = end - start
    is_country = np.fromiter((k == "country" for k in gaz.ent_kind), dtype=bool, count=len(gaz.ent_kind))
    real = np.where(flat < 0, ~flat, flat)
    flat_country = is_country[real] if len(real) else np.zeros(0, dtype=bool)

    # has_country: an everyday-word key ("F_HARD") with any reading, alternate or not, that is a country.
    any_country = np.zeros(n, dtype=bool)
    any_country[np.repeat(np.arange(n), length)[flat_country]] = True
    has_country = np.flatnonzero(((flags & F_HARD) != 0) & any_country)

    # country_first / single_country: the first reading is a country's own name (not an alternate).
    nonempty = length > 0
    first = np.full(n, -1, dtype=np.int64)
    first[nonempty] = flat[start[nonempty]]
    first_country = (first >= 0) & is_country[np.maximum(first, 0)] if len(is_country) else np.zeros(n, dtype=bool)
    country_first = np.flatnonzero(first_country)
    single = np.flatnonzero(first_country & (length == 1) & ((flags & (F_FIRSTNAME | F_USER)) == 0))
    return (frozenset(has_country.tolist()), frozenset(country_first.tolist()),
            dict(zip(single.tolist(), first[single].tolist(), strict=True)))


def reference_has_country(gaz: Gazetteer) -> frozenset[int]:
    """Everyday-word keys ("F_HARD") that can be a country: they may fire without a pair or a dateline."""
    return frozenset(
        k for k, c in enumerate(gaz.key_cands) if gaz.key_flags[k] & F_HARD and any(
            gaz.ent_kind[~e if e < 0 else e] == "country" for e in c)
    )


def reference_country_first(gaz: Gazetteer) -> frozenset[int]:
    """Keys whose first reading is a country (by its own name): a list holding one is a list of countries."""
    return frozenset(k for k, c in enumerate(gaz.key_cands) if c and c[0] >= 0 and gaz.ent_kind[c[0]] == "country")


def reference_single_country(gaz: Gazetteer) -> dict[int, int]:
    """Keys with one reading, a country by its own name, that are no given name or user place: key -> entity."""
    return {
        k: c[0] for k, c in enumerate(gaz.key_cands)
        if len(c) == 1 and c[0] >= 0 and gaz.ent_kind[c[0]] == "country"
        and not gaz.key_flags[k] & (F_FIRSTNAME | F_USER)
    }
