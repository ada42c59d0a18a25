"""The output folder: run ids, the lock, publication, run records, the cross-run index and the DuckDB views.

Layout of ``OUT``::

    articles/run-<run_id>/part-NNNNN.parquet     (also paragraphs/, rejects/)
    _index/run-<run_id>/part-NNNNN.parquet        canonical paragraphs' hashes and MinHash data (cross-run dedup)
    _index/settings.json                          MinHash settings the index was built with
    _runs/<run_id>.json                           one record per run, written last: a run without it is not published
    _staging/<run_id>/                            work in progress; never read by views; removed by the next run
    newsbeam.duckdb                               views over the published runs, replaced atomically
    .lock                                         flock'ed by the running job; the kernel releases it if we die

Publication order makes ``kill -9`` safe at any moment: files are moved from staging into ``run-<run_id>`` folders,
then the run record is written (atomically), then the DuckDB file is replaced (atomically). Views only list files of
runs that have a record, so a query sees the previous complete state until the new database file lands; folders
without a record are leftovers of a killed run and are deleted by the next run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from newsbeam.output import schema
from newsbeam.output.staging import INDEX_SCHEMA

TABLE_NAMES = ("articles", "paragraphs", "rejects")
DB_NAME = "newsbeam.duckdb"


class Locked(RuntimeError):
    """Another run holds the lock on this output folder (exit code 4)."""


class IndexMismatch(RuntimeError):
    """The cross-run index was built with other MinHash settings."""


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


class OutputLock:
    """An exclusive, non-blocking flock on ``OUT/.lock``; released by the kernel when the process dies."""

    def __init__(self, out: Path, write_holder: bool = True):
        self.path = Path(out) / ".lock"
        self.fd: int | None = None
        self.write_holder = write_holder

    def __enter__(self) -> OutputLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = ""
            try:
                holder = os.read(fd, 200).decode(errors="replace").strip()
            except OSError:
                pass
            os.close(fd)
            raise Locked(f"another newsbeam run holds {self.path} ({holder or 'unknown holder'})") from None
        if self.write_holder:
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()} since {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n".encode())  # noqa: E501
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def run_records(out: Path) -> list[dict]:
    """Every run record, in run order (by ``seq``)."""
    recs = []
    for p in sorted((Path(out) / "_runs").glob("*.json")):
        try:
            recs.append(json.loads(p.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    return sorted(recs, key=lambda r: (r.get("seq", 0), r.get("run_id", "")))


def published_runs(out: Path) -> list[dict]:
    return [r for r in run_records(out) if r.get("published")]


def replaced_run_ids(out: Path) -> set[str]:
    """Runs whose files a published compaction rewrote: their records stay (ids, order, inputs), their files go."""
    return {i for r in published_runs(out) for i in r.get("replaces", [])}


def forgotten_run_ids(out: Path) -> set[str]:
    """Runs removed with ``newsbeam forget --run``: their inputs no longer count as processed."""
    return {i for r in published_runs(out) for i in r.get("forgets_runs", [])}


def live_runs(out: Path) -> list[dict]:
    """Published runs whose files the views read."""
    gone = replaced_run_ids(out)
    return [r for r in published_runs(out) if r["run_id"] not in gone]


def next_seq(out: Path) -> int:
    return max((r.get("seq", 0) for r in run_records(out)), default=0) + 1


def write_record(out: Path, record: dict) -> None:
    _write_json_atomic(Path(out) / "_runs" / f"{record['run_id']}.json", record)


def cleanup_unpublished(out: Path) -> list[str]:
    """Remove staging folders and run folders that have no published record (leftovers of killed runs)."""
    out = Path(out)
    published = {r["run_id"] for r in live_runs(out)}
    removed = []
    staging = out / "_staging"
    if staging.exists():
        for d in staging.iterdir():
            shutil.rmtree(d, ignore_errors=True)
            removed.append(str(d.relative_to(out)))
    for table in (*TABLE_NAMES, "_index"):
        base = out / table
        if not base.exists():
            continue
        for d in base.glob("run-*"):
            if d.name[4:] not in published:
                shutil.rmtree(d, ignore_errors=True)
                removed.append(str(d.relative_to(out)))
    return removed


# --- Cross-run index ------------------------------------------------------------------------------------------


def check_index_settings(out: Path, settings: dict, near: bool) -> None:
    """Refuse to mix MinHash settings: signatures made with other permutations cannot be compared."""
    path = Path(out) / "_index" / "settings.json"
    if not path.exists():
        return
    old = json.loads(path.read_text(encoding="utf-8"))
    old_settings = old.get("minhash", {})
    if near and old_settings and old_settings != settings:
        raise IndexMismatch(
            f"the dedup index in {path.parent} was built with MinHash settings {old_settings}, this run uses "
            f"{settings}; use the same settings, or rebuild the index with `newsbeam compact {out} --rebuild-index --config ...` (the new settings)"
        )


def index_files(out: Path) -> list[tuple[str, tuple[int, ...]]]:
    """Index files of the live runs, each with the URI hashes whose entries in it are stale.

    An entry is stale when a later published run processed its input again: the newer version's paragraphs are the
    ones that count as seen (a compaction's file holds the versions current at its ``seq``, so the same rule holds).
    """
    from newsbeam.text.articles import uri_hash

    forgotten = forgotten_run_ids(out)
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for r in published_runs(out):
        if r["run_id"] in forgotten:
            continue
        for i in r.get("inputs", []):
            if i.get("retry"):
                continue
            seq = int(r.get("seq", 0))
            first[i["uri"]] = min(first.get(i["uri"], seq), seq)
            last[i["uri"]] = max(last.get(i["uri"], seq), seq)
    again = [(u, first[u], last[u]) for u in last if last[u] > first[u]]
    files = []
    for r in live_runs(out):
        seq = int(r.get("seq", 0))
        stale = tuple(sorted({uri_hash(u) for u, f, la in again if f <= seq < la}))
        for p in sorted((Path(out) / "_index" / f"run-{r['run_id']}").glob("*.parquet")):
            files.append((str(p), stale))
    return files


# --- Publication ----------------------------------------------------------------------------------------------


def _move_parts(files: list[Path], dest: Path, schema_: pa.Schema) -> int:
    """Move shard files into ``dest`` as part-NNNNN.parquet (sorted, so names do not depend on timing).

    A table with no rows still gets one empty file, so views and ``read_parquet`` globs always find the run.
    """
    dest.mkdir(parents=True, exist_ok=True)
    files = sorted(files, key=lambda p: p.name)
    if not files:
        pq.write_table(schema_.empty_table(), dest / "part-00000.parquet", compression="zstd")
        return 1
    for i, f in enumerate(files):
        os.replace(f, dest / f"part-{i:05d}.parquet")
    return len(files)


def _fault(point: str) -> None:
    """Test hook: ``NEWSBEAM_FAULT=<point>`` kills this process with SIGKILL there (crash-safety tests)."""
    if os.environ.get("NEWSBEAM_FAULT") == point:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def publish(out: Path, run_id: str, staging: Path, record: dict) -> None:
    out = Path(out)
    _move_parts(list((staging / "tables" / "articles").glob("*.parquet")), out / "articles" / f"run-{run_id}", schema.ARTICLES)
    _fault("publish-after-articles")
    _move_parts(
        list((staging / "tables" / "paragraphs").glob("*.parquet")), out / "paragraphs" / f"run-{run_id}", schema.PARAGRAPHS
    )
    _move_parts(list((staging / "rejects").glob("*.parquet")), out / "rejects" / f"run-{run_id}", schema.REJECTS)
    _move_parts(list((staging / "index").glob("*.parquet")), out / "_index" / f"run-{run_id}", INDEX_SCHEMA)
    settings_path = out / "_index" / "settings.json"
    if not settings_path.exists() or record.get("dedup", {}).get("near"):
        _write_json_atomic(settings_path, {"minhash": record["index_settings"], "near": record["dedup"]["near"]})
    _fault("publish-before-record")
    record = {**record, "published": True}
    write_record(out, record)
    _fault("publish-before-views")
    shutil.rmtree(staging, ignore_errors=True)
    refresh_views(out)


# --- Views ----------------------------------------------------------------------------------------------------


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def view_sql(out: Path) -> list[str]:
    """SQL that defines the views over the published runs (absolute paths, so any working directory works)."""
    out = Path(out).resolve()
    runs = published_runs(out)
    live = live_runs(out)
    stmts = []
    values = ", ".join(f"('{r['run_id']}', {int(r['seq'])})" for r in runs) or "('', 0)"
    stmts.append(f"CREATE OR REPLACE TABLE runs_order AS SELECT * FROM (VALUES {values}) t(run_id, seq)")
    for table in TABLE_NAMES:
        files = []
        for r in live:
            files += sorted(str(p) for p in (out / table / f"run-{r['run_id']}").glob("*.parquet"))
        if files:
            src = f"read_parquet({_sql_list(files)}, union_by_name = true)"
        else:
            src = "(SELECT * FROM empty_" + table + ")"
            stmts.append(_empty_table_sql(table))
        stmts.append(f"CREATE OR REPLACE VIEW {table}_all AS SELECT * FROM {src}")
    stmts += [
        # The latest run that produced an article or a (non-transient) reject for each input: its version is shown.
        """CREATE OR REPLACE VIEW input_versions AS
           SELECT v.source_uri, arg_max(v.run_id, o.seq) AS run_id, max(o.seq) AS seq FROM (
             SELECT source_uri, run_id FROM articles_all
             UNION ALL SELECT source_uri, run_id FROM rejects_all WHERE reason <> 'unreachable'
           ) v JOIN runs_order o USING (run_id) GROUP BY v.source_uri""",
        """CREATE OR REPLACE VIEW articles AS
           SELECT a.* FROM articles_all a JOIN input_versions v USING (source_uri, run_id)""",
        """CREATE OR REPLACE VIEW rejects AS
           SELECT r.* FROM rejects_all r JOIN runs_order o USING (run_id)
           LEFT JOIN input_versions v ON v.source_uri = r.source_uri
           WHERE r.run_id = v.run_id
              OR (r.reason = 'unreachable' AND o.seq > coalesce(v.seq, 0)
                  AND o.seq = (SELECT max(o2.seq) FROM rejects_all r2 JOIN runs_order o2 USING (run_id)
                               WHERE r2.source_uri = r.source_uri))""",
        """CREATE OR REPLACE VIEW paragraphs AS
           SELECT p.*, count(*) OVER (PARTITION BY coalesce(p.dup_group, p.article_id || ':' || p.para_index::VARCHAR))
                  AS dup_count
           FROM paragraphs_all p JOIN (SELECT article_id, run_id FROM articles) a USING (article_id, run_id)""",
        "CREATE OR REPLACE VIEW runs AS SELECT * FROM runs_order WHERE run_id <> ''",
    ]
    return stmts


def _empty_table_sql(table: str) -> str:
    con = duckdb.connect()
    con.register("t", schema.TABLES[table].empty_table())
    cols = ", ".join(f'"{n}" {t}' for n, t in zip(con.sql("SELECT * FROM t").columns, con.sql("SELECT * FROM t").types, strict=True))
    con.close()
    return f"CREATE OR REPLACE TABLE empty_{table} ({cols})"


def connect_views(out: Path, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the views, built fresh from the run records (the fallback of every reader)."""
    con = con or duckdb.connect()
    for s in view_sql(out):
        con.execute(s)
    return con


def wal_path(out: Path) -> Path:
    """Where DuckDB keeps the write-ahead log of ``OUT/newsbeam.duckdb``.

    newsbeam never leaves one there: the views file is built under a temporary name and renamed into place. A WAL
    at this path was written by someone who opened the views file read-write (the DuckDB CLI without
    ``-readonly``, a notebook) and did not close it cleanly; DuckDB replays it on every later open, and once the
    file has been replaced it refuses the file altogether ("WAL does not match database file").
    """
    return Path(out) / f"{DB_NAME}.wal"


def quarantine_foreign_wal(out: Path) -> Path | None:
    """Move a foreign WAL aside (``newsbeam.duckdb.wal.quarantined-<UTC time>``) and say so in one warning line.

    Kept, not deleted: it may hold tables the user created in that session. Returns the new path, or None when
    there was no WAL.
    """
    import logging

    wal = wal_path(out)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    dest = wal.with_name(f"{wal.name}.quarantined-{stamp}")
    try:
        os.replace(wal, dest)
    except FileNotFoundError:
        return None
    logging.getLogger("newsbeam").warning(
        "newsbeam: warning: %s was left by a DuckDB session that opened the views file read-write; "
        "moved it to %s and rebuilt the views (open the file with `duckdb -readonly`)", wal, dest.name)
    return dest


def _build_views_file(out: Path, path: Path) -> None:
    """Write the views into a new database file at ``path`` (checkpointed: no WAL is left beside it)."""
    con = duckdb.connect(str(path))
    try:
        connect_views(out, con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = Path(str(path) + ".wal")
    if wal.exists():
        wal.unlink()


def views_stale(out: Path) -> bool:
    """The views file needs rebuilding: it predates the newest run record, or a foreign WAL sits beside it."""
    db = Path(out) / DB_NAME
    recs = list((Path(out) / "_runs").glob("*.json"))
    if not recs:
        return False
    if wal_path(out).exists():
        return True
    return not db.exists() or db.stat().st_mtime < max(r.stat().st_mtime for r in recs)


def refresh_views(out: Path) -> None:
    """Replace ``OUT/newsbeam.duckdb`` atomically: build a new file next to it, then rename.

    A foreign WAL is moved aside first: left in place it would be replayed against the new file and make it
    unreadable for every reader.
    """
    out = Path(out)
    tmp = out / f".{DB_NAME}.tmp-{os.getpid()}-{int(time.time() * 1000)}"
    _build_views_file(out, tmp)
    quarantine_foreign_wal(out)
    os.replace(tmp, out / DB_NAME)


def open_views_file(out: Path) -> duckdb.DuckDBPyConnection | None:
    """``OUT/newsbeam.duckdb`` opened read-only and checked, or None when a reader must build its own views.

    None when the file is missing or stale, a foreign WAL sits beside it, another process holds it read-write
    (DuckDB's lock), or it does not hold readable views (damaged, or written on another machine's paths).
    """
    db = Path(out) / DB_NAME
    if not db.exists() or views_stale(out):
        return None
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    # A copied or moved folder's file still names the old location, which may exist and hold other data.
    here = "'" + (str(Path(out).resolve()) + os.sep).replace("'", "''")
    try:
        for table in TABLE_NAMES:
            con.execute(f"SELECT count(*) FROM {table}").fetchone()
        defs = con.execute("SELECT sql FROM duckdb_views() WHERE view_name IN (?, ?, ?)",
                           [f"{t}_all" for t in TABLE_NAMES]).fetchall()
    except duckdb.Error:
        con.close()
        return None
    if len(defs) != len(TABLE_NAMES) or any("read_parquet(" in d and here not in d for (d,) in defs):
        con.close()
        return None
    return con


def sandbox_settings(out: Path, temp_dir: Path) -> list[tuple[str, Any]]:
    """DuckDB settings under which user SQL runs (``newsbeam query``), in the order they must be set.

    ``allowed_directories`` can only be set once the database is started and before external access is switched
    off; ``lock_configuration`` comes last. See ``open_sandboxed_views`` for what each one prevents.
    """
    return [
        ("temp_directory", str(temp_dir)),
        ("autoinstall_known_extensions", False),
        ("autoload_known_extensions", False),
        ("allow_community_extensions", False),
        ("allow_extension_repositories", "forbidden"),
        ("allow_persistent_secrets", False),
        # Trailing separator: DuckDB matches directory *prefixes*, and OUT-old/ must not pass for OUT/.
        ("allowed_directories", [str(Path(out).resolve()) + os.sep]),
        ("enable_external_access", False),
        ("lock_configuration", True),
    ]


@contextlib.contextmanager
def open_sandboxed_views(out: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for SQL we did not write: the views, read-only, confined to OUT, no extensions, locked.

    The views are built fresh from the run records into a private database file in a temporary folder (never
    ``OUT/newsbeam.duckdb``, which may be stale, damaged or held by another process), which is then opened with:

    * ``access_mode = READ_ONLY``: nothing can be created, dropped or changed, and every ``ATTACH`` is read-only
      too, so ``ATTACH 'OUT/newsbeam.duckdb'`` cannot damage the views file other DuckDB users open;
    * ``enable_external_access = false`` with ``allowed_directories = [OUT/]``: files outside OUT can be neither
      read nor written (``read_text('/etc/shadow')``, ``COPY ... TO '/tmp/x'``), and no URL can be opened;
    * extensions neither installed nor loaded (``INSTALL ... FROM url`` makes no request), no persistent secrets;
    * ``lock_configuration = true``: none of this can be ``SET`` back.

    DuckDB has no write-only restriction inside an allowed directory, so ``COPY ... TO 'OUT/...'`` is refused
    before it reaches DuckDB, by the statement check of ``newsbeam query``.
    """
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="newsbeam-query-") as tmp:
        path = Path(tmp) / "views.duckdb"
        _build_views_file(out, path)
        con = duckdb.connect(str(path), read_only=True)
        try:
            for name, value in sandbox_settings(out, Path(tmp) / "spill"):
                con.execute(f"SET {name} = $1", [value])
            yield con
        finally:
            con.close()


def take_lock(out: Path) -> OutputLock | None:
    """The output folder's lock, or None after telling the user who holds it (the caller exits 4)."""
    import sys

    try:
        return OutputLock(out).__enter__()
    except Locked as e:
        print(f"newsbeam: {e}", file=sys.stderr)
        return None
