"""Digest every row of every output table of a newsbeam output folder, to prove a refactor changed nothing.

Two runs over the same inputs must write the same rows; only their run ids differ. This script reduces an
output folder to one digest per table, leaving out the columns that differ between identical runs, so that
"same behaviour" becomes "same digests"::

    python bench/table_digest.py OUT                  # one line per table: rows, digest
    python bench/table_digest.py OUT --json           # {table: {"rows": N, "digest": "...", ...}}
    python bench/table_digest.py OUT --compare OUT2   # exit 1 when a table differs, with example rows

A typical check: run the old and the new code over the same input files into two folders, then ``--compare``
them. Inputs must be the same files at the same paths: ``article_id`` hashes the input URI and ``input_key``
holds size and mtime, so a copied corpus gives other rows (``--ignore input_key`` leaves the mtime out).

What is read (DuckDB only, no newsbeam import, so it checks any version of the code):

* every view and table of ``OUT/newsbeam.duckdb``, opened read-only: ``articles``, ``paragraphs``,
  ``rejects`` (what users see), the ``*_all`` views (every published version), ``input_versions``, ``runs``
  and ``runs_order``; the ``empty_<table>`` placeholders are skipped. Staging and unpublished runs never
  appear there.
* ``_index``: the cross-run dedup index, read with ``read_parquet`` from the ``OUT/_index/run-<id>/`` folders
  of the live runs (a run record with ``published: true``, not listed in a published record's ``replaces``:
  the rule of ``store.live_runs``), and ``_index/settings.json``. Either is left out when absent.

Columns left out: ``run_id`` in every table (time of the run plus random hex), and any other column named
``*_run_id`` or ``*_run_ids``. The tables hold no processing timestamps (start, end and timings live only in
the run records, which are not digested); ``published`` is the articles' own date and is kept.

Digest of a table: each row becomes ``md5(to_json(struct_pack(<kept columns, by name>)))`` (BLOBs as hex,
timestamps in UTC; lists keep their order, which is output too); the row hashes are sorted and hashed again
(in 4096 buckets by prefix, then the sorted bucket hashes), so row order and file layout do not matter but
duplicated rows do. ``schema`` is the md5 of the column names and types in table order (excluded ones too).
Without the views file, the live runs' Parquet files are digested as the ``*_all`` tables instead.
Exit status: 0 same (or no ``--compare``), 1 different, 2 a folder or table could not be read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

DB_NAME = "newsbeam.duckdb"
INDEX_TABLE = "_index"
TABLE_DIRS = ("articles", "paragraphs", "rejects")
SETTINGS_TABLE = "_index/settings.json"

# Listed first in the output, in this order; any other view or table follows alphabetically.
PREFERRED_ORDER = (
    "articles",
    "paragraphs",
    "rejects",
    INDEX_TABLE,
    SETTINGS_TABLE,
    "articles_all",
    "paragraphs_all",
    "rejects_all",
    "input_versions",
    "runs",
    "runs_order",
)

# Columns identifying a row, to name example rows that differ (those missing from a table are skipped).
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id",),
    "articles_all": ("article_id",),
    "paragraphs": ("article_id", "para_index"),
    "paragraphs_all": ("article_id", "para_index"),
    INDEX_TABLE: ("article_id", "para_index"),
    "rejects": ("source_uri", "location"),
    "rejects_all": ("source_uri", "location"),
    "input_versions": ("source_uri",),
    "runs": ("seq",),
    "runs_order": ("seq",),
}

RUN_ID_COLUMN = re.compile(r"(^|_)run_ids?$")
SKIPPED_OBJECTS = re.compile(r"^empty_")
BUCKET_CHARS = 3  # 16**3 buckets of row hashes
MAX_EXAMPLES = 5
MAX_VALUE_CHARS = 120


class DigestError(RuntimeError):
    """The folder cannot be digested (not an output folder, views pointing elsewhere, unreadable files)."""


@dataclass
class Table:
    """One table of one output folder: a SQL relation plus its columns as (name, DuckDB type)."""

    name: str
    relation: str
    columns: list[tuple[str, str]]
    excluded: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def kept(self) -> list[tuple[str, str]]:
        return sorted((c for c in self.columns if c[0] not in self.excluded), key=lambda c: c[0])

    def row_json_sql(self) -> str:
        parts = [f"{_ident(n)} := {_value_sql(n, t)}" for n, t in self.kept]
        return f"to_json(struct_pack({', '.join(parts)}))" if parts else "'{}'"

    def row_hash_sql(self) -> str:
        return f"md5({self.row_json_sql()})"

    def keys(self) -> list[str]:
        names = {n for n, _ in self.kept}
        return [k for k in KEY_COLUMNS.get(self.name, ()) if k in names]

    def schema_digest(self) -> str:
        return hashlib.md5("\n".join(f"{n} {t}" for n, t in self.columns).encode()).hexdigest()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _value_sql(name: str, typ: str) -> str:
    return f"hex({_ident(name)})" if typ.upper() == "BLOB" else _ident(name)


def _is_excluded(column: str, ignored: set[str], table: str) -> bool:
    return bool(RUN_ID_COLUMN.search(column)) or column in ignored or f"{table}.{column}" in ignored


# --- Reading an output folder -------------------------------------------------------------------------------


def _run_records(out: Path) -> list[dict[str, Any]]:
    recs = []
    for p in sorted((out / "_runs").glob("*.json")):
        try:
            recs.append(json.loads(p.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    return recs


def _live_run_ids(out: Path) -> list[str]:
    """Runs whose files the views read: published, and not replaced by a published compaction or forget."""
    published = [r for r in _run_records(out) if r.get("published")]
    replaced = {i for r in published for i in r.get("replaces", [])}
    ordered = sorted(published, key=lambda r: (r.get("seq", 0), r.get("run_id", "")))
    return [r["run_id"] for r in ordered if r.get("run_id") and r["run_id"] not in replaced]


def _check_views(con: duckdb.DuckDBPyConnection, alias: str, out: Path) -> None:
    """The views hold absolute paths: refuse a views file that reads another folder (OUT copied or moved)."""
    root = str(out) + os.sep
    sqls = con.execute(
        "SELECT sql FROM duckdb_views() WHERE database_name = ? AND NOT internal", [alias]
    ).fetchall()
    for (sql,) in sqls:
        for path in re.findall(r"'((?:[^']|'')*\.parquet)'", sql or ""):
            if not path.replace("''", "'").startswith(root):
                raise DigestError(
                    f"the views in {out / DB_NAME} read {path}, outside {out} (folder copied or moved?)"
                )


def _views_stale(out: Path) -> bool:
    """Same rule as ``store.views_stale``: the views file predates the newest run record."""
    db = out / DB_NAME
    recs = list((out / "_runs").glob("*.json"))
    return bool(recs) and (not db.exists() or db.stat().st_mtime < max(r.stat().st_mtime for r in recs))


def open_folder(con: duckdb.DuckDBPyConnection, out: Path, alias: str, ignored: set[str]) -> dict[str, Table]:
    """Attach ``OUT/newsbeam.duckdb`` read-only as ``alias`` and describe every table to digest."""
    out = out.resolve()
    if not out.is_dir():
        raise DigestError(f"{out} is not a folder")
    db = out / DB_NAME
    tables: dict[str, Table] = {}
    if db.exists():
        if _views_stale(out):
            print(
                f"warning: {db} is older than the newest run record; digesting the views as they are",
                file=sys.stderr,
            )
        con.execute(f"ATTACH {_str(str(db))} AS {_ident(alias)} (READ_ONLY)")
        _check_views(con, alias, out)
        rows = con.execute(
            """SELECT table_name, column_name, data_type FROM duckdb_columns()
               WHERE database_name = ? AND schema_name = 'main' ORDER BY table_name, column_index""",
            [alias],
        ).fetchall()
        for tname, cname, ctype in rows:
            if SKIPPED_OBJECTS.match(tname):
                continue
            rel = f"{_ident(alias)}.main.{_ident(tname)}"
            tables.setdefault(tname, Table(tname, rel, [])).columns.append((cname, ctype))
    elif not (out / "_runs").is_dir():
        raise DigestError(f"{out} is not a newsbeam output folder (no {DB_NAME}, no _runs/)")
    else:
        # What the *_all views would read; the other views (latest versions, dup_count) need the views file.
        print(f"warning: no {db}; digesting the live runs' Parquet files as *_all tables", file=sys.stderr)
        for name in TABLE_DIRS:
            if (t := _parquet_table(con, out, name, f"{name}_all")) is not None:
                tables[t.name] = t
    if (t := _parquet_table(con, out, INDEX_TABLE, INDEX_TABLE)) is not None:
        tables[t.name] = t
    for t in tables.values():
        t.excluded = [n for n, _ in t.columns if _is_excluded(n, ignored, t.name)]
    return tables


def _parquet_table(con: duckdb.DuckDBPyConnection, out: Path, folder: str, name: str) -> Table | None:
    """The Parquet files of the live runs in ``OUT/<folder>/run-<id>/``, read as the views read them."""
    files = [
        str(p) for rid in _live_run_ids(out) for p in sorted((out / folder / f"run-{rid}").glob("*.parquet"))
    ]
    if not files:
        return None
    rel = f"read_parquet([{', '.join(_str(f) for f in files)}], union_by_name = true)"
    try:
        cols = con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()
    except duckdb.Error as e:
        return Table(name, rel, [], error=str(e).splitlines()[0])
    return Table(name, rel, [(c[0], c[1]) for c in cols])


def settings_digest(out: Path) -> dict[str, Any] | None:
    path = out.resolve() / INDEX_TABLE / "settings.json"
    if not path.exists():
        return None
    canon = json.dumps(json.loads(path.read_text(encoding="utf-8")), sort_keys=True, separators=(",", ":"))
    return {
        "rows": 1,
        "digest": hashlib.md5(canon.encode()).hexdigest(),
        "schema": "",
        "excluded": [],
        "content": canon,
    }


# --- Digests ------------------------------------------------------------------------------------------------


def table_digest(con: duckdb.DuckDBPyConnection, t: Table) -> dict[str, Any]:
    sql = f"""
        WITH h AS (SELECT {t.row_hash_sql()} AS h FROM {t.relation}),
             b AS (SELECT left(h, {BUCKET_CHARS}) AS bucket, count(*) AS n,
                          md5(string_agg(h, '' ORDER BY h)) AS d
                   FROM h GROUP BY bucket)
        SELECT coalesce(sum(n), 0)::BIGINT, md5(coalesce(string_agg(bucket || d, '' ORDER BY bucket), ''))
        FROM b"""
    base = {"schema": t.schema_digest(), "excluded": t.excluded}
    if t.error:
        return {"rows": None, "digest": None, **base, "error": t.error}
    try:
        n, digest = con.execute(sql).fetchone()
    except duckdb.Error as e:
        return {"rows": None, "digest": None, **base, "error": str(e).splitlines()[0]}
    return {"rows": int(n), "digest": digest, **base}


def digest_folder(
    con: duckdb.DuckDBPyConnection, out: Path, alias: str, ignored: set[str], only: set[str] | None
) -> tuple[dict[str, Table], dict[str, dict[str, Any]]]:
    tables = open_folder(con, out, alias, ignored)
    result: dict[str, dict[str, Any]] = {}
    for name in _ordered(tables):
        if only is None or name in only:
            result[name] = table_digest(con, tables[name])
    settings = settings_digest(out)
    if settings is not None and (only is None or SETTINGS_TABLE in only):
        result[SETTINGS_TABLE] = settings
    return tables, {k: result[k] for k in _ordered(result)}


def _ordered(names: Any) -> list[str]:
    rank = {n: i for i, n in enumerate(PREFERRED_ORDER)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


# --- Comparing two folders ----------------------------------------------------------------------------------


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _key_text(keys: list[str], row: dict[str, Any]) -> str:
    return ", ".join(f"{k}={row.get(k)!r}" for k in keys)


def row_examples(con: duckdb.DuckDBPyConnection, a: Table, b: Table) -> dict[str, Any]:
    """Rows in one table and not the other (as multisets), with up to MAX_EXAMPLES examples of each kind.

    Rows compare on the columns both sides keep. With key columns, a key found among the unmatched rows of
    both sides is a changed row (shown with the columns that differ); the others are only in A or only in B.
    """
    common = sorted({n for n, _ in a.kept} & {n for n, _ in b.kept})
    ta = Table(a.name, a.relation, [c for c in a.columns if c[0] in common])
    tb = Table(b.name, b.relation, [c for c in b.columns if c[0] in common])
    keys = ta.keys()
    kcols = "".join(f", {_ident(k)}" for k in keys)
    for tmp, t in (("_dl", ta), ("_dr", tb)):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {tmp} AS SELECT {t.row_hash_sql()} AS h{kcols} FROM {t.relation}"
        )
    con.execute("CREATE OR REPLACE TEMP TABLE _ol AS SELECT h FROM _dl EXCEPT ALL SELECT h FROM _dr")
    con.execute("CREATE OR REPLACE TEMP TABLE _or AS SELECT h FROM _dr EXCEPT ALL SELECT h FROM _dl")
    n_left = con.execute("SELECT count(*) FROM _ol").fetchone()[0]
    n_right = con.execute("SELECT count(*) FROM _or").fetchone()[0]
    result: dict[str, Any] = {"rows_only_in_a": int(n_left), "rows_only_in_b": int(n_right)}
    temps = ["_dl", "_dr", "_ol", "_or"]

    def rows(
        t: Table, only: str, limit: int, keyset: str = "", match: dict[str, Any] | None = None
    ) -> list[Any]:
        match = match or {}
        where = "".join(f" AND {_ident(k)} IS NOT DISTINCT FROM ?" for k in match)
        if keyset:
            on = " AND ".join(f"s.{_ident(k)} IS NOT DISTINCT FROM x.{_ident(k)}" for k in keys)
            where += f" AND EXISTS (SELECT 1 FROM {keyset} s WHERE {on})"
        order = ", ".join(_ident(k) for k in keys) or "__j"
        sql = f"""SELECT __j FROM (SELECT {t.row_hash_sql()} AS __h, {t.row_json_sql()} AS __j, *
                                  FROM {t.relation}) x
                  WHERE __h IN (SELECT h FROM {only}){where} ORDER BY {order} LIMIT {limit}"""
        return [json.loads(j) for (j,) in con.execute(sql, list(match.values())).fetchall()]

    def show(row: dict[str, Any]) -> str:
        return _key_text(keys, row) if keys else _short(row)

    if keys:
        kl = ", ".join(_ident(k) for k in keys)
        for side, dt, ot in (("_kl", "_dl", "_ol"), ("_kr", "_dr", "_or")):
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {side} AS "
                f"SELECT DISTINCT {kl} FROM {dt} WHERE h IN (SELECT h FROM {ot})"
            )
        con.execute("CREATE OR REPLACE TEMP TABLE _kc AS SELECT * FROM _kl INTERSECT SELECT * FROM _kr")
        con.execute("CREATE OR REPLACE TEMP TABLE _ka AS SELECT * FROM _kl EXCEPT SELECT * FROM _kr")
        con.execute("CREATE OR REPLACE TEMP TABLE _kb AS SELECT * FROM _kr EXCEPT SELECT * FROM _kl")
        temps += ["_kl", "_kr", "_kc", "_ka", "_kb"]
        for label, tmp in (("keys_changed", "_kc"), ("keys_only_in_a", "_ka"), ("keys_only_in_b", "_kb")):
            result[label] = int(con.execute(f"SELECT count(*) FROM {tmp}").fetchone()[0])
        changed: list[str] = []
        for row in rows(ta, "_ol", MAX_EXAMPLES, "_kc"):
            other = rows(tb, "_or", 1, match={k: row.get(k) for k in keys})[0]
            cols = [c for c in common if row.get(c) != other.get(c)]
            detail = "; ".join(f"{c}: {_short(row.get(c))} -> {_short(other.get(c))}" for c in cols)
            changed.append(f"{show(row)}: {detail or 'same values, other number of copies'}")
        result["examples_changed"] = changed
        result["examples_only_in_a"] = [show(r) for r in rows(ta, "_ol", MAX_EXAMPLES, "_ka")]
        result["examples_only_in_b"] = [show(r) for r in rows(tb, "_or", MAX_EXAMPLES, "_kb")]
    else:
        result["examples_only_in_a"] = [show(r) for r in rows(ta, "_ol", MAX_EXAMPLES)]
        result["examples_only_in_b"] = [show(r) for r in rows(tb, "_or", MAX_EXAMPLES)]
    for tmp in temps:
        con.execute(f"DROP TABLE {tmp}")
    return result


def compare(
    con: duckdb.DuckDBPyConnection,
    ta: dict[str, Table],
    da: dict[str, dict[str, Any]],
    tb: dict[str, Table],
    db: dict[str, dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    diffs: dict[str, dict[str, Any]] = {}
    for name in _ordered(set(da) | set(db)):
        a, b = da.get(name), db.get(name)
        if a is None or b is None:
            diffs[name] = {"problem": "only in " + ("B" if a is None else "A")}
            continue
        if "error" in a or "error" in b:
            side = "A" if "error" in a else "B"
            diffs[name] = {"problem": f"unreadable in {side}: {(a if side == 'A' else b)['error']}"}
            continue
        d: dict[str, Any] = {}
        if a["schema"] != b["schema"]:
            ca, cb = ta[name].columns, tb[name].columns
            d["schema"] = {
                "only_in_a": [f"{n} {t}" for n, t in ca if (n, t) not in cb],
                "only_in_b": [f"{n} {t}" for n, t in cb if (n, t) not in ca],
                "same_columns_other_order": sorted(ca) == sorted(cb),
            }
        if a["excluded"] != b["excluded"]:
            d["excluded"] = {"a": a["excluded"], "b": b["excluded"]}
        if (a["rows"], a["digest"]) != (b["rows"], b["digest"]):
            d["rows"] = {"a": a["rows"], "b": b["rows"]}
            if name in ta and name in tb:
                d.update(row_examples(con, ta[name], tb[name]))
            elif "content" in a and "content" in b:
                d["content"] = {"a": a["content"], "b": b["content"]}
        if d:
            diffs[name] = d
    return diffs


# --- Command line -------------------------------------------------------------------------------------------


def _print_digests(out: Path, digests: dict[str, dict[str, Any]]) -> None:
    print(out)
    for name, d in digests.items():
        if "error" in d:
            print(f"  {name:<22}     ERROR  {d['error']}")
            continue
        excl = f"  (without {', '.join(d['excluded'])})" if d["excluded"] else ""
        print(f"  {name:<22} {d['rows']:>9} rows  {d['digest']}{excl}")


def _rows_text(d: dict[str, Any] | None) -> str:
    return "-" if d is None else "ERROR" if "error" in d else str(d["rows"])


def _print_side_by_side(
    a: Path, b: Path, da: dict[str, dict[str, Any]], db: dict[str, dict[str, Any]], diffs: dict[str, Any]
) -> None:
    print(f"A {a}\nB {b}")
    for name in _ordered(set(da) | set(db)):
        x, y = da.get(name), db.get(name)
        rows = f"{_rows_text(x):>9} {_rows_text(y):>9}"
        digest = (x or y or {}).get("digest") or "-"
        if name not in diffs:
            print(f"  same       {name:<22} {rows} rows  {digest}")
        else:
            da_, db_ = (x or {}).get("digest") or "-", (y or {}).get("digest") or "-"
            print(f"  DIFFERENT  {name:<22} {rows} rows  A {da_}  B {db_}")


def _print_diffs(diffs: dict[str, dict[str, Any]]) -> None:
    for name, d in diffs.items():
        if "problem" in d:
            print(f"DIFFERENT {name}: {d['problem']}")
            continue
        print(f"DIFFERENT {name}:")
        if "schema" in d:
            s = d["schema"]
            if s["same_columns_other_order"]:
                print("  schema: same columns, other order")
            else:
                print(f"  schema: only in A {s['only_in_a']}, only in B {s['only_in_b']}")
        if "excluded" in d:
            print(f"  excluded columns: A {d['excluded']['a']}, B {d['excluded']['b']}")
        if "rows" in d:
            print(f"  rows: A {d['rows']['a']}, B {d['rows']['b']}")
        if "rows_only_in_a" in d:
            print(f"  unmatched rows: {d['rows_only_in_a']} in A, {d['rows_only_in_b']} in B")
            if d["rows_only_in_a"] == d["rows_only_in_b"] == 0:
                print(
                    "  (the rows agree on the columns both sides keep: the other columns make the difference)"
                )
        if "keys_changed" in d:
            print(
                f"  by key: {d['keys_changed']} changed, {d['keys_only_in_a']} only in A, "
                f"{d['keys_only_in_b']} only in B"
            )
        for label, kind in (("changed", "examples_changed"), ("only in A", "examples_only_in_a")):
            for e in d.get(kind, []):
                print(f"    {label}: {e}")
        for e in d.get("examples_only_in_b", []):
            print(f"    only in B: {e}")
        if "content" in d:
            print(f"    A: {d['content']['a']}")
            print(f"    B: {d['content']['b']}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="newsbeam output folder (A)")
    p.add_argument(
        "--compare", type=Path, metavar="OUT2", help="second output folder (B): exit 1 when they differ"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--tables", help="comma-separated tables to digest (default: all)")
    p.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="[TABLE.]COLUMN",
        help="also leave out this column (repeatable), e.g. input_key when the inputs were copied",
    )
    args = p.parse_args(argv)
    only = {t.strip() for t in args.tables.split(",") if t.strip()} if args.tables else None
    ignored = set(args.ignore)

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    try:
        ta, da = digest_folder(con, args.out, "a", ignored, only)
        tb, db = digest_folder(con, args.compare, "b", ignored, only) if args.compare else ({}, {})
        diffs = compare(con, ta, da, tb, db) if args.compare else {}
    except DigestError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        con.close()
    unknown = sorted((only or set()) - set(da) - set(db))
    if unknown:
        print(f"warning: no such table: {', '.join(unknown)}", file=sys.stderr)
    if args.compare is None:
        if args.json:
            print(json.dumps(da, indent=2, ensure_ascii=False))
        else:
            _print_digests(args.out, da)
    elif args.json:
        print(
            json.dumps(
                {"same": not diffs, "a": da, "b": db, "differences": diffs}, indent=2, ensure_ascii=False
            )
        )
    else:
        _print_side_by_side(args.out, args.compare, da, db, diffs)
        _print_diffs(diffs)
        print("SAME: every table has the same rows" if not diffs else f"{len(diffs)} table(s) differ")
    if _errors(da) or _errors(db):
        print("error: some tables could not be read", file=sys.stderr)
        return 2
    return 1 if diffs else 0


def _errors(digests: dict[str, dict[str, Any]]) -> list[str]:
    return [name for name, d in digests.items() if "error" in d]


if __name__ == "__main__":
    sys.exit(main())
