"""User gazetteers: YAML or CSV files of a user's own places and aliases, merged into a loaded gazetteer (the
file format is described in ``gazetteer.py``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newsbeam.tags.places.names import usable_key, variants
from newsbeam.tags.places.table import (
    F_BLOCKER,
    F_COMMON,
    F_DEMONYM,
    F_HARD,
    F_USER,
    KINDS,
    CandColumn,
    Gazetteer,
)
from newsbeam.tags.yaml_load import load_user_yaml


def read_user_file(path: str) -> list[dict[str, Any]]:
    """Rows of a user gazetteer (YAML or CSV), normalised to dicts; a malformed file raises a one-line ValueError
    naming the file (the run reports it as a usage error; a YAML error or refusal used to escape as a traceback)."""
    if path.lower().endswith((".yaml", ".yml")):
        data = load_user_yaml(path, "user gazetteer") or []
        rows = data.get("places", []) if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError(f"{path}: expected a list of places (or a 'places:' list)")
    else:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as e:
            raise ValueError(f"user gazetteer {path}: not UTF-8 text (byte {e.start})") from None
        rows = list(csv.DictReader(io.StringIO(text)))
        for r in rows:
            al = r.get("aliases") or ""
            r["aliases"] = [a.strip() for a in al.split("|") if a.strip()]
    out = []
    for i, r in enumerate(rows):
        r = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in r.items() if k}
        r = {k: v for k, v in r.items() if v not in ("", None)}
        if "alias" in r and "name" not in r:
            r["aliases"] = [r.pop("alias"), *(r.get("aliases") or [])]
        if isinstance(r.get("aliases"), str):
            r["aliases"] = [r["aliases"]]
        if "name" not in r and "geonameid" not in r:
            raise ValueError(f"{path}: entry {i + 1} has neither a name nor a geonameid")
        out.append(r)
    return out


def merge_user_places(gaz: Gazetteer, rows: Iterable[dict[str, Any]]) -> None:
    """Add user places and aliases to ``gaz`` in place and rebuild its automaton."""
    by_gid: dict[int, int] = {}
    for i, g in enumerate(gaz.ent_gid):
        if g is not None and (g not in by_gid or gaz.ent_kind[i] != "city"):
            by_gid.setdefault(g, i)
    new_names: list[tuple[str, int]] = []
    for r in rows:
        gid = int(r["geonameid"]) if r.get("geonameid") not in (None, "") else None
        is_alias = gid is not None and gid in by_gid and "lat" not in r and "kind" not in r
        e = by_gid[gid] if is_alias else _add_user_entity(gaz, r, gid)
        for n in [r.get("name"), *(r.get("aliases") or [])]:
            if n:
                new_names.append((str(n), e))
    auto = gaz.automaton
    cands = list(gaz.key_cands)  # the packed column is rebuilt once, not per key
    for name, e in new_names:
        for v in variants(name):
            if usable_key(v):
                _add_user_key(gaz, cands, v, e)
    gaz.key_cands = CandColumn(cands)
    auto.make_automaton()


def _add_user_entity(gaz: Gazetteer, r: dict[str, Any], gid: int | None) -> int:
    """Append the place of row ``r`` to the entity columns; returns its entity id."""
    kind = str(r.get("kind") or "user")
    kind = kind if kind in KINDS else "user"
    cc = str(r.get("country_code") or "").upper()
    a1 = r.get("admin1_code")
    if a1 and "." not in str(a1) and cc:
        a1 = f"{cc}.{a1}"
    e = len(gaz.ent_name)
    gaz.ent_name.append(str(r["name"]))
    gaz.ent_gid.append(gid)
    gaz.ent_kind.append(kind)
    gaz.ent_cc.append(cc)
    gaz.ent_a1.append(str(a1) if a1 else None)
    gaz.ent_lat.append(float(r.get("lat", 0.0)))
    gaz.ent_lon.append(float(r.get("lon", 0.0)))
    gaz.ent_pop.append(int(r.get("population", 0) or 0))
    gaz.ent_prior.append(9.0)
    gaz.ent_capital.append(False)
    return e


def _add_user_key(gaz: Gazetteer, cands: list[tuple[int, ...]], v: str, e: int) -> None:
    """Make key ``v`` name entity ``e`` first: user names always fire and win over GeoNames readings.
    ``cands`` is the key_cands column as a list, written back by the caller."""
    auto = gaz.automaton
    kid = auto.get(v, -1)
    if kid < 0:
        kid = len(gaz.key_len)
        gaz.key_len.append(len(v))
        gaz.key_flags.append(0)
        cands.append(())
        auto.add_word(v, kid)
    gaz.key_flags[kid] = (gaz.key_flags[kid] | F_USER) & ~(F_COMMON | F_HARD | F_BLOCKER | F_DEMONYM)
    cands[kid] = (e, *(c for c in cands[kid] if c != e and c != ~e))
    gaz.pair_adj[(kid, e)] = gaz.pair_adj.get((kid, e), 0.0) + 2.0
