"""The output folder: run ids, the lock, publication, run records, the cross-run index and the DuckDB views.

Layout of ``OUT``::

    _data/articles/run-<run_id>/part-NNNNN.parquet  the files the views read (also paragraphs/, rejects/)
    articles/run-<run_id>/part-NNNNN.parquet        the same files (hard links), for ``read_parquet`` globs
    _index/run-<run_id>/part-NNNNN.parquet          canonical paragraphs' hashes and MinHash data (cross-run dedup)
    _index/settings.json                            MinHash settings the index was built with
    _runs/<run_id>.json                             one record per run: a run without a published one is not there
    _runs/<run_id>.inputs.jsonl                     the inputs a published run processed (kept out of the record)
    _forgotten.json                                 forgotten sources: never published again (``tombstones.py``)
    _staging/<run_id>/                              work in progress; never read; removed by the next run
    newsbeam.duckdb                                 views over the published runs, replaced atomically
    .lock                                           flock'ed by the running job; the kernel releases it if we die

Every door shows a published state. A run's files go from staging to ``_data/`` (which no documented glob reaches),
the new views file is built beside the old one, then the record is written (the switch), the views file renamed
into place, and only then do the ``articles/`` ``paragraphs/`` ``rejects/`` folders get the run (one rename per
table). ``kill -9`` before the record leaves every door on the previous state; after it, the next run, compact or
forget completes what is missing (``recover``).

Readers take ONE snapshot of the records (``State``) and list ``_data/`` files of its live runs. Files that a compact
or forget replaced leave the globs at once but stay in ``_data/`` for a grace period (``NEWSBEAM_REPLACED_GRACE_S``,
an hour by default), so a query or a DuckDB connection opened on the old views keeps working; the first run,
compact or forget after that deletes them.

The views file names absolute paths and the state it was built from (table ``views_meta``): ``views_stale`` compares
both with the folder, so a moved or copied folder, a takedown or a new run is noticed by the next command, which
rebuilds it. It is written in DuckDB storage version ``VIEWS_STORAGE_VERSION`` so that DuckDB 1.x clients (the CLI
a user installs) open it, and ``published`` is a plain TIMESTAMP in UTC in every view, so ``published::DATE`` is
the same day in any client whatever its time zone. Every connection newsbeam opens runs in UTC.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from newsbeam.output import schema, tombstones
from newsbeam.output.staging import INDEX_SCHEMA
from newsbeam.output.tombstones import Tombstones

TABLE_NAMES = ("articles", "paragraphs", "rejects")
DB_NAME = "newsbeam.duckdb"
DATA_DIR = "_data"
GRACE_ENV = "NEWSBEAM_REPLACED_GRACE_S"
DEFAULT_GRACE_S = 3600.0
INPUTS_SUFFIX = ".inputs.jsonl"
# DuckDB 1.0 through 1.5 (storage versions 64-68) read this; duckdb 2.x would otherwise write its newest format,
# which every 1.x client (the CLI a user installs) refuses.
VIEWS_STORAGE_VERSION = "v1.0.0"
# errnos that mean "the output folder cannot take this write" rather than a bug: reported in one line.
STORAGE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG)


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


def lock_holder(out: Path) -> str | None:
    """Who holds ``OUT/.lock`` right now, or None; never creates or writes anything (``status`` on a read-only folder).

    A missing ``.lock`` means no run ever started here; ``flock`` works on a descriptor opened read-only.
    """
    path = Path(out) / ".lock"
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode(errors="replace").strip()
            return f"another newsbeam run holds {path} ({holder or 'unknown holder'})"
        except OSError:
            return None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def storage_problem(exc: BaseException) -> str | None:
    """The OS's words when ``exc`` (or what caused it) is a write the output folder could not take, else None.

    Beam wraps a worker's ``OSError`` in its own exceptions as text, so the text is searched too.
    """
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno in STORAGE_ERRNOS:
            return os.strerror(e.errno)
        for no in STORAGE_ERRNOS:
            if f"[Errno {no}]" in str(e) or (no != errno.EPERM and os.strerror(no) in str(e)):
                return os.strerror(no)
        e = e.__cause__ or e.__context__
    return None


def _write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # a full disk must not leave a 0-byte record behind for ever
            tmp.unlink()
        raise


def run_records(out: Path) -> list[dict]:
    """Every run record, in run order (by ``seq``)."""
    recs = []
    for p in sorted((Path(out) / "_runs").glob("*.json")):
        try:
            recs.append(json.loads(p.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    return sorted(recs, key=lambda r: (r.get("seq", 0), r.get("run_id", "")))


@dataclass(frozen=True)
class State:
    """The run records, read ONCE: every answer a reader or writer derives (published, replaced, live) comes from
    the same snapshot, so a compact that lands in the middle cannot make a view list both the old and the new files.
    """

    records: tuple[dict, ...]
    # Every entry of _forgotten.json, also those a forget wrote before its record (the switch); see ``tombstones``.
    written_tombstones: Tombstones = Tombstones()

    @classmethod
    def read(cls, out: Path) -> State:
        return cls(tuple(run_records(out)), tombstones.read(out))

    def with_record(self, record: dict) -> State:
        """This state plus a record about to be written (the views file is built before the switch)."""
        rest = [r for r in self.records if r.get("run_id") != record["run_id"]]
        return State(tuple(sorted([*rest, record], key=lambda r: (r.get("seq", 0), r.get("run_id", "")))),
                     self.written_tombstones)

    @property
    def tombstones(self) -> Tombstones:
        """The forgotten sources in force: entries whose forget is published (a forget killed before its switch
        forgot nothing, like every other door shows), and entries written by hand (no ``by``)."""
        return self.written_tombstones.effective({r["run_id"] for r in self.published})

    def signature(self, out: Path) -> str:
        """What the views depend on: where the folder is, the published runs, the live ones and the tombstones.
        Stored in the views file; a file whose signature differs is stale (``views_stale``)."""
        import hashlib

        parts = [str(Path(out).resolve()), *(f"{r['run_id']}:{r.get('seq', 0)}" for r in self.published),
                 "live", *(r["run_id"] for r in self.live), "forgotten", *sorted(self.tombstones.values)]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]

    @property
    def forgotten_by(self) -> dict[str, str]:
        """Run id -> the ``forget`` record that removed it (``status`` shows it instead of the run's own status)."""
        return {i: r["run_id"] for r in self.published for i in r.get("forgets_runs", [])}

    @property
    def published(self) -> list[dict]:
        return [r for r in self.records if r.get("published")]

    @property
    def replaced(self) -> set[str]:
        """Runs whose files a published compaction rewrote: their records stay (ids, order, inputs), their files go."""
        return {i for r in self.published for i in r.get("replaces", [])}

    @property
    def forgotten(self) -> set[str]:
        """Runs removed with ``newsbeam forget --run``: their inputs no longer count as processed."""
        return {i for r in self.published for i in r.get("forgets_runs", [])}

    @property
    def live(self) -> list[dict]:
        """Published runs whose files the views read."""
        gone = self.replaced
        return [r for r in self.published if r["run_id"] not in gone]


def published_runs(out: Path) -> list[dict]:
    return State.read(out).published


def replaced_run_ids(out: Path) -> set[str]:
    return State.read(out).replaced


def forgotten_run_ids(out: Path) -> set[str]:
    return State.read(out).forgotten


def live_runs(out: Path) -> list[dict]:
    return State.read(out).live


def next_seq(out: Path) -> int:
    return max((r.get("seq", 0) for r in run_records(out)), default=0) + 1


def write_record(out: Path, record: dict) -> None:
    _write_json_atomic(Path(out) / "_runs" / f"{record['run_id']}.json", record)


def inputs_path(out: Path, run_id: str) -> Path:
    return Path(out) / "_runs" / f"{run_id}{INPUTS_SUFFIX}"


def write_inputs(out: Path, run_id: str, inputs: list[dict]) -> None:
    """A run's input list, one JSON object a line, beside its record (atomically: temporary name, rename).

    Kept out of the record so that every command that reads the records (``status``, ``query``, the views) reads
    kilobytes after years of nightly runs, not every input ever listed; only ``run`` reads these files.
    """
    path = inputs_path(out, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            for i in inputs:
                f.write(json.dumps(i, sort_keys=True, default=str) + "\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def run_inputs(out: Path, record: dict) -> list[dict]:
    """The inputs a run processed: its ``.inputs.jsonl`` file, or the list inside records written before it existed
    (and inside records of runs that did not publish)."""
    if "inputs" in record:
        return record["inputs"]
    if not record.get("n_inputs"):
        return []
    try:
        with open(inputs_path(out, record["run_id"]), encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:  # deleted by hand: its inputs count as not processed (a rerun supersedes, never doubles)
        return []


def n_inputs(record: dict) -> int:
    return int(record.get("n_inputs", len(record.get("inputs", []))))


def run_dir(out: Path, table: str, run_id: str) -> Path:
    """Where a run's files of ``table`` live: ``_data/`` (folders published before it existed: the table folder)."""
    d = Path(out) / DATA_DIR / table / f"run-{run_id}"
    return d if d.is_dir() else Path(out) / table / f"run-{run_id}"


def run_files(out: Path, table: str, run_id: str) -> list[str]:
    return sorted(str(p) for p in run_dir(out, table, run_id).glob("*.parquet"))


def grace_seconds() -> float:
    """How long files replaced by a compact or forget stay in ``_data/`` for readers that opened the old views."""
    try:
        return max(0.0, float(os.environ.get(GRACE_ENV, DEFAULT_GRACE_S)))
    except ValueError:
        return DEFAULT_GRACE_S


def _link_tree(src: Path, dest: Path, work: Path) -> None:
    """Make ``dest`` a folder of hard links to ``src``'s files, appearing at once (built in ``work``, renamed).

    A file system without hard links gets copies (twice the space, same result).
    """
    tmp = work / f"link-{secrets.token_hex(4)}"
    tmp.mkdir(parents=True)
    for f in sorted(src.glob("*.parquet")):
        try:
            os.link(f, tmp / f.name)
        except OSError as e:
            if e.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            shutil.copy2(f, tmp / f.name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.rename(tmp, dest)


def expose(out: Path, run_id: str, work: Path) -> None:
    """Give a published run its ``articles/`` ``paragraphs/`` ``rejects/`` folders (one rename each)."""
    out = Path(out)
    for t in TABLE_NAMES:
        src, dest = out / DATA_DIR / t / f"run-{run_id}", out / t / f"run-{run_id}"
        if src.is_dir() and not dest.exists():
            _link_tree(src, dest, work)


def hide(out: Path, run_ids: list[str]) -> None:
    """Take replaced runs out of the table folders (their ``_data/`` files stay for the grace period)."""
    for rid in run_ids:
        for t in TABLE_NAMES:
            d = Path(out) / t / f"run-{rid}"
            if d.is_dir() and (Path(out) / DATA_DIR / t / f"run-{rid}").is_dir():
                shutil.rmtree(d, ignore_errors=True)


def cleanup_unpublished(out: Path) -> list[str]:
    """Bring the folder to its published state after whatever happened (``recover``); returns what changed.

    Removes staging, temporary records and every run folder without a published record; completes a run or
    compact killed after its record (table folders, replaced folders hidden, settings); moves folders published
    before ``_data/`` existed there (hard links); deletes replaced files past the grace period. Caller holds the lock.
    """
    out = Path(out)
    st = State.read(out)
    published = {r["run_id"] for r in st.published}
    replaced = st.replaced
    changed: list[str] = []
    staging = out / "_staging"
    if staging.exists():
        for d in staging.iterdir():
            shutil.rmtree(d, ignore_errors=True)
            changed.append(str(d.relative_to(out)))
    if tombstones.prune(out, published):  # entries of a forget that died before its switch
        changed.append(tombstones.FILE_NAME)
    for f in (out / "_runs").glob(f"*{INPUTS_SUFFIX}"):  # written by a run killed before its record
        if f.name[: -len(INPUTS_SUFFIX)] not in published:
            with contextlib.suppress(OSError):
                f.unlink()
                changed.append(str(f.relative_to(out)))
    for tmp in [*(out / "_runs").glob(".*.tmp-*"), *out.glob(f".{DB_NAME}.tmp-*"),
                *out.glob(f".{tombstones.FILE_NAME}.tmp-*")]:
        with contextlib.suppress(OSError):
            tmp.unlink()
            changed.append(str(tmp.relative_to(out)))
    bases = [out / t for t in TABLE_NAMES] + [out / DATA_DIR / t for t in TABLE_NAMES] + [out / "_index"]
    for base in bases:
        for d in base.glob("run-*") if base.exists() else ():
            if d.name[4:] not in published:
                shutil.rmtree(d, ignore_errors=True)
                changed.append(str(d.relative_to(out)))
    work = staging / f"recover-{os.getpid()}"
    for r in st.live:
        rid = r["run_id"]
        for t in TABLE_NAMES:
            data, table = out / DATA_DIR / t / f"run-{rid}", out / t / f"run-{rid}"
            if not data.is_dir() and table.is_dir():
                _link_tree(table, data, work)
                changed.append(str(data.relative_to(out)))
            elif data.is_dir() and not table.exists():
                _link_tree(data, table, work)
                changed.append(str(table.relative_to(out)))
    when = {}
    for r in st.published:
        for rid in r.get("replaces", []):
            with contextlib.suppress(OSError):
                when[rid] = (out / "_runs" / f"{r['run_id']}.json").stat().st_mtime
    grace, now = grace_seconds(), time.time()
    for rid in sorted(replaced):
        doomed = [out / t / f"run-{rid}" for t in TABLE_NAMES] + [out / "_index" / f"run-{rid}"]
        if now - when.get(rid, 0.0) >= grace:
            doomed += [out / DATA_DIR / t / f"run-{rid}" for t in TABLE_NAMES]
        for d in doomed:
            if d.is_dir():
                shutil.rmtree(d, ignore_errors=True)
                changed.append(str(d.relative_to(out)))
    shutil.rmtree(work, ignore_errors=True)
    _settle_index_settings(out, st)
    return changed


def _settle_index_settings(out: Path, st: State) -> None:
    """``_index/settings.json`` describes the live index: none without a published run; a rebuild's settings."""
    path = out / "_index" / "settings.json"
    if not st.live:
        with contextlib.suppress(OSError):
            path.unlink()
        return
    last = st.live[-1]
    if last.get("index_rebuilt"):
        want = {"minhash": last["index_settings"], "near": last["dedup"]["near"]}
        with contextlib.suppress(OSError, json.JSONDecodeError):
            if json.loads(path.read_text(encoding="utf-8")) == want:
                return
        _write_json_atomic(path, want)


# --- Cross-run index ------------------------------------------------------------------------------------------


def check_index_settings(out: Path, settings: dict, near: bool) -> None:
    """Refuse to mix MinHash settings: signatures made with other permutations cannot be compared."""
    path = Path(out) / "_index" / "settings.json"
    if not path.exists() or not State.read(out).live:  # an empty index (a first run killed) binds nobody
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

    st = State.read(out)
    forgotten = st.forgotten
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for r in st.published:
        if r["run_id"] in forgotten:
            continue
        for i in run_inputs(out, r):
            if i.get("retry"):
                continue
            seq = int(r.get("seq", 0))
            first[i["uri"]] = min(first.get(i["uri"], seq), seq)
            last[i["uri"]] = max(last.get(i["uri"], seq), seq)
    again = [(u, first[u], last[u]) for u in last if last[u] > first[u]]
    files = []
    for r in st.live:
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


def publish(out: Path, run_id: str, staging: Path, record: dict) -> list[str]:
    """Make the staged run the published state of every door; returns the warnings of steps after the switch.

    Before the record: files into ``_data/`` and ``_index/`` (no glob reaches them) and the new views file beside
    the old one. The record is the switch. After it: the views file renamed into place, the table folders linked,
    the settings written. A failure before the switch raises (nothing published); after it, the run is published
    and what could not be finished is returned as warnings (``recover`` finishes it on the next command).
    """
    out = Path(out)
    data = out / DATA_DIR
    _move_parts(list((staging / "tables" / "articles").glob("*.parquet")), data / "articles" / f"run-{run_id}",
                schema.ARTICLES)
    _fault("publish-after-articles")
    _move_parts(list((staging / "tables" / "paragraphs").glob("*.parquet")), data / "paragraphs" / f"run-{run_id}",
                schema.PARAGRAPHS)
    _move_parts(list((staging / "rejects").glob("*.parquet")), data / "rejects" / f"run-{run_id}", schema.REJECTS)
    _move_parts(list((staging / "index").glob("*.parquet")), out / "_index" / f"run-{run_id}", INDEX_SCHEMA)
    record = {**record, "published": True}
    inputs = record.pop("inputs", [])
    write_inputs(out, run_id, inputs)
    record["n_inputs"] = len(inputs)
    views = build_views_tmp(out, State.read(out).with_record(record))
    _fault("publish-before-record")
    try:
        write_record(out, record)  # the switch
    except BaseException:
        with contextlib.suppress(OSError):
            views.unlink()
        raise
    return finish_switch(out, views, [run_id], [], staging, settings=(
        {"minhash": record["index_settings"], "near": record["dedup"]["near"]}
        if record.get("dedup", {}).get("near") or not (out / "_index" / "settings.json").exists() else None))


def finish_switch(out: Path, views: Path, new: list[str], replaced: list[str], work: Path,
                  settings: dict | None) -> list[str]:
    """Everything after a record was written: views file, table folders, settings. Never raises: the record is
    written, so the run is published; a step that fails is a warning and the next command completes it."""
    warnings = []
    steps = [("the views file", lambda: (_fault("publish-before-views"), install_views(out, views))),
             ("the table folders", lambda: (_fault("publish-before-folders"), hide(out, replaced),
                                            [expose(out, rid, work) for rid in new]))]
    if settings is not None:
        steps.append(("_index/settings.json",
                      lambda: _write_json_atomic(Path(out) / "_index" / "settings.json", settings)))
    for what, step in steps:
        try:
            step()
        except Exception as e:  # noqa: BLE001 - published already; reported, completed by the next command
            warnings.append(f"{what} could not be updated ({storage_problem(e) or e}); the next run, compact or "
                            "forget completes it")
    with contextlib.suppress(OSError):
        views.unlink()
    shutil.rmtree(work, ignore_errors=True)
    return warnings


# --- Views ----------------------------------------------------------------------------------------------------


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def view_sql(out: Path, state: State | None = None) -> list[str]:
    """SQL that defines the views over the published runs (absolute paths, so any working directory works).

    Built from one snapshot of the records and the ``_data/`` files of its live runs, which stay in place while
    any view built from that snapshot may read them. ``views_meta`` says where and from which state (``views_stale``).
    Articles and rejects of a forgotten source are left out (``tombstones.py``); ``published`` becomes a TIMESTAMP
    in UTC (the Parquet files hold a TIMESTAMPTZ, whose ``::DATE`` depends on the client's time zone).
    """
    out = Path(out).resolve()
    state = state or State.read(out)
    runs = state.published
    live = state.live
    t = state.tombstones
    stmts = ["CREATE OR REPLACE TABLE views_meta AS SELECT " + _sql_str(str(out)) + " AS out_path, "
             + _sql_str(state.signature(out)) + " AS state, " + _sql_str(VIEWS_STORAGE_VERSION) + " AS storage"]
    values = ", ".join(f"({_sql_str(r['run_id'])}, {int(r['seq'])}, {_sql_str(r.get('kind', 'run'))}, "
                       f"{n_inputs(r)})" for r in runs) or "('', 0, '', 0)"
    stmts.append(f"CREATE OR REPLACE TABLE runs_order AS SELECT * FROM (VALUES {values}) t(run_id, seq, kind, inputs)")
    for table in TABLE_NAMES:
        files = []
        for r in live:
            files += run_files(out, table, r["run_id"])
        if files:
            src = f"read_parquet({_sql_list(files)}, union_by_name = true)"
        else:
            src = "(SELECT * FROM empty_" + table + ")"
            stmts.append(_empty_table_sql(table))
        if table == "articles":  # epoch_us/make_timestamp: UTC whatever the client's TimeZone, no ICU needed
            stmts.append(f"CREATE OR REPLACE VIEW {table}_all AS SELECT * REPLACE "
                         f"(make_timestamp(epoch_us(published)) AS published) FROM {src}")
        else:
            stmts.append(f"CREATE OR REPLACE VIEW {table}_all AS SELECT * FROM {src}")
    stmts += [
        # The latest run that produced an article or a (non-transient) reject for each input: its version is shown.
        """CREATE OR REPLACE VIEW input_versions AS
           SELECT v.source_uri, arg_max(v.run_id, o.seq) AS run_id, max(o.seq) AS seq FROM (
             SELECT source_uri, run_id FROM articles_all
             UNION ALL SELECT source_uri, run_id FROM rejects_all WHERE reason <> 'unreachable'
           ) v JOIN runs_order o USING (run_id) GROUP BY v.source_uri""",
        f"""CREATE OR REPLACE VIEW articles AS
           SELECT a.* FROM articles_all a JOIN input_versions v USING (source_uri, run_id)
           WHERE {tombstones.sql_filter(t, "a.source", "a.source_uri")}""",
        f"""CREATE OR REPLACE VIEW rejects AS
           SELECT r.* FROM rejects_all r JOIN runs_order o USING (run_id)
           LEFT JOIN input_versions v ON v.source_uri = r.source_uri
           WHERE {tombstones.sql_filter(t, None, "r.source_uri")} AND (r.run_id = v.run_id
              OR (r.reason = 'unreachable' AND o.seq > coalesce(v.seq, 0)
                  AND o.seq = (SELECT max(o2.seq) FROM rejects_all r2 JOIN runs_order o2 USING (run_id)
                               WHERE r2.source_uri = r.source_uri)))""",
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


def connect_views(out: Path, con: duckdb.DuckDBPyConnection | None = None,
                  state: State | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the views, built fresh from the run records (the fallback of every reader)."""
    con = con or utc_connect()
    for s in view_sql(out, state):
        con.execute(s)
    return con


def utc_connect(database: str = ":memory:", read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Every connection newsbeam opens: in UTC, so a day or an hour never depends on the machine's time zone."""
    con = duckdb.connect(database, read_only=read_only)
    con.execute("SET TimeZone = 'UTC'")
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


def _build_views_file(out: Path, path: Path, state: State | None = None) -> None:
    """Write the views into a new database file at ``path`` (checkpointed: no WAL is left beside it), in storage
    version ``VIEWS_STORAGE_VERSION`` so that DuckDB 1.x clients can open it."""
    wal = Path(str(path) + ".wal")
    try:
        con = utc_connect()
        try:
            try:
                con.execute(f"ATTACH {_sql_str(str(path))} AS views_file (STORAGE_VERSION '{VIEWS_STORAGE_VERSION}')")
            except duckdb.Error:  # a DuckDB 1.x writer without the option writes a format 1.x reads anyway
                con.execute(f"ATTACH {_sql_str(str(path))} AS views_file")
            con.execute("USE views_file")
            connect_views(out, con, state)
            con.execute("CHECKPOINT views_file")
            con.execute("USE memory")
            con.execute("DETACH views_file")
        finally:
            con.close()
    except BaseException:
        for f in (path, wal):  # a full disk must not leave a half-written file behind
            with contextlib.suppress(OSError):
                f.unlink()
        raise
    if wal.exists():
        wal.unlink()


_HELD = ("held", "by another DuckDB session")


def _views_meta(db: Path) -> tuple[str, str] | None:
    """(folder, state signature) a views file was built for; ``_HELD`` when another process holds it read-write
    (DuckDB's lock: we cannot tell, and that session keeps its copy when the file is replaced); None when it cannot
    be read (damaged, written before ``views_meta`` existed)."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.IOException as e:
        return _HELD if "lock" in str(e).lower() else None
    except duckdb.Error:
        return None
    try:
        row = con.execute("SELECT out_path, state FROM views_meta").fetchone()
        return (row[0], row[1]) if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def views_stale(out: Path, state: State | None = None) -> bool:
    """The views file needs rebuilding: missing, a foreign WAL beside it, unreadable, or built for another folder
    (copied or moved: its absolute paths name the original) or another state (runs, compactions, takedowns)."""
    db = Path(out) / DB_NAME
    if not any((Path(out) / "_runs").glob("*.json")):
        return False
    if wal_path(out).exists() or not db.exists():
        return True
    state = state or State.read(out)
    meta = _views_meta(db)
    # A file held read-write by another session is left alone (every command rebuilding it would take the lock each
    # time); the next run that publishes replaces it, and readers that cannot open it build their own views.
    return meta != _HELD and meta != (str(Path(out).resolve()), state.signature(out))


def repair_views(out: Path) -> str | None:
    """Rebuild a stale views file from ``status``; returns what was done (one line for the user), or None.

    Takes the output lock without waiting: when a run holds it, that run rebuilds the file; a read-only folder is
    left as it is. ``query`` never reads the file and ``report`` reads it only when it is current, so they do not
    rebuild it (and never take the lock a starting cron run needs).
    """
    if not views_stale(out):
        return None
    try:
        lock = OutputLock(out).__enter__()
    except (Locked, OSError):
        return None
    try:
        if not views_stale(out):
            return None
        moved = quarantine_foreign_wal(out)  # said here: status sets up no log handler
        refresh_views(out)
    except Exception as e:  # noqa: BLE001 - a reader must still answer; the next run rebuilds the file
        return f"the views file is stale and could not be rebuilt ({storage_problem(e) or e})"
    finally:
        lock.__exit__(None, None, None)
    return f"rebuilt {Path(out) / DB_NAME}, which was stale (a moved or copied folder, or not yet updated)" + (
        f"; moved {wal_path(out).name}, left by a DuckDB session that opened it read-write, to {moved.name} "
        "(open the file with `duckdb -readonly`)" if moved else "")


def refresh_views(out: Path) -> None:
    """Replace ``OUT/newsbeam.duckdb`` atomically: build a new file next to it, then rename.

    A foreign WAL is moved aside first: left in place it would be replayed against the new file and make it
    unreadable for every reader.
    """
    install_views(out, build_views_tmp(out))


def build_views_tmp(out: Path, state: State | None = None) -> Path:
    """A new views file beside ``OUT/newsbeam.duckdb`` (a hidden temporary name), for ``install_views``."""
    tmp = Path(out) / f".{DB_NAME}.tmp-{os.getpid()}-{int(time.time() * 1000)}"
    _build_views_file(Path(out), tmp, state)
    return tmp


def install_views(out: Path, tmp: Path) -> None:
    """Rename a built views file into place, stamped now: it may have been built before the record it describes
    was written, and ``views_stale`` compares modification times."""
    quarantine_foreign_wal(out)
    os.utime(tmp)
    os.replace(tmp, Path(out) / DB_NAME)


def open_views_file(out: Path) -> duckdb.DuckDBPyConnection | None:
    """``OUT/newsbeam.duckdb`` opened read-only and checked, or None when a reader must build its own views.

    None when the file is missing or stale, a foreign WAL sits beside it, another process holds it read-write
    (DuckDB's lock), or it does not hold readable views (damaged, or written on another machine's paths).
    """
    db = Path(out) / DB_NAME
    # A copied or moved folder's file still names the old location, which may exist and hold other data: the
    # signature (folder and state) must match, not only the file open.
    if not db.exists() or views_stale(out):
        return None
    try:
        con = utc_connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    try:
        for table in TABLE_NAMES:
            con.execute(f"SELECT count(*) FROM {table}").fetchone()
    except duckdb.Error:
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
        ("TimeZone", "UTC"),
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
