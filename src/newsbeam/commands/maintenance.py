"""``newsbeam compact`` and ``newsbeam forget``: rewrite the published dataset without changing what it means.

Both end the same way: the rows the views show (minus what is forgotten) are written once more as one new published
"run" whose record lists the runs it ``replaces``; the views and the dedup index then read only the new files. The
record is the switch, written atomically, so a kill before it leaves the old state and a kill after it leaves the new
one (the next command completes or removes what is left either way). Rows keep their original ``run_id``. The new
files are written under ``OUT/_data/`` and the views file is built before the record, so no door shows them early;
the replaced runs leave the table folders right after it, and their ``_data/`` files stay for the grace period so
that readers holding the old views keep working (``store.cleanup_unpublished`` deletes them later).

Forgetting paragraphs can orphan duplicates that pointed at them: each broken group is resolved again with the same
rules as a run (earlier runs stay canonical, then earliest ``published``, smallest ``article_id``, ``para_index``);
a former copy is compared with its new canonical again (exact key, else shingle Jaccard) and stays a duplicate only
if it still passes. Article-level fields (``n_duplicate_paragraphs``, ``duplicate_of_article``) follow.

A forgotten source (``--source``) is also written to the tombstones (``OUT/_forgotten.json``; in force once the
forget's record is published): later runs never publish its articles again, whatever is reprocessed or forgotten
later. ``lift`` removes a tombstone. An unknown source is a usage error with the
nearest names, never a silent no-op recorded as a takedown.

Memory: groups are repaired in Python, everything else streams through DuckDB, so the cost is the size of the broken
groups, not of the dataset.
"""

from __future__ import annotations

import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsbeam.config import Config
from newsbeam.dedup.contracts import Decision
from newsbeam.dedup.decide import GroupMember, repair_group
from newsbeam.dedup.index_format import INDEX_SCHEMA, index_entry
from newsbeam.dedup.rules import DedupSettings, MinHasher, article_copy_of, jaccard
from newsbeam.output import schema, tombstones
from newsbeam.output.store import (
    DATA_DIR,
    TABLE_NAMES,
    State,
    _fault,
    build_views_tmp,
    cleanup_unpublished,
    connect_views,
    finish_switch,
    index_files,
    new_run_id,
    next_seq,
    refresh_views,
    write_record,
)
from newsbeam.text.articles import published_us
from newsbeam.text.paragraphs import comparison_key


@dataclass
class Outcome:
    run_id: str | None
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _ids(values) -> str:
    return "(" + ", ".join(_sql_str(v) for v in values) + ")" if values else "(NULL)"


# The views' rows that are kept, as temporary tables of the DuckDB session (the published table, its temp table).
_KEPT = (("articles", "a"), ("paragraphs", "p"), ("rejects", "r"))
_ORDER = {"articles": "article_id", "paragraphs": "article_id, para_index", "rejects": "source_uri, location"}


def rewrite(
    out: Path,
    kind: str,
    cfg: Config,
    forget_runs: tuple[str, ...] = (),
    forget_sources: tuple[str, ...] = (),
    rebuild_index: bool = False,
) -> Outcome:
    """Write the visible rows, minus forgotten ones, as one new run that replaces every live run. Caller holds the lock."""
    out = Path(out).resolve()
    cleanup_unpublished(out)
    state = State.read(out)
    live = state.live
    known = {r["run_id"] for r in state.published}
    for rid in forget_runs:
        if rid not in known:
            raise ValueError(f"no published run {rid} in {out}")
    if not live:
        return Outcome(None, {})
    dedup = cfg.dedup
    con = connect_views(out, state=state)
    run_id = new_run_id()
    if forget_sources:
        _check_sources(con, forget_sources, state.tombstones)
        state = State(state.records, tombstones.add(out, forget_sources, run_id))
    counts: dict[str, int] = defaultdict(int)
    # Rows of every source in force go, not only of this forget's: an entry written by hand hides rows that are still
    # in the files, and their duplicates must be repaired like any other.
    _keep_rows(con, forget_runs, tuple(dict.fromkeys([*forget_sources, *sorted(state.tombstones.values)])),
               counts)

    hasher = MinHasher(dedup) if dedup.near else None
    promoted = _repair_groups(con, dedup, hasher, counts)
    _repair_articles(con, dedup, counts)

    dest = {t: out / DATA_DIR / t / f"run-{run_id}" for t in TABLE_NAMES}
    dest["_index"] = out / "_index" / f"run-{run_id}"
    try:
        _write_tables(con, dest)
        _write_index(con, out, dest["_index"], dedup, hasher, promoted, rebuild_index, counts)
        for t, tmp in _KEPT:
            counts[t] = con.execute(f"SELECT count(*) FROM {tmp}").fetchone()[0]
        _content_counts(con, counts)
        record = _record(run_id, next_seq(out), kind, cfg, live, forget_runs, forget_sources, counts)
        record["index_rebuilt"] = rebuild_index
        con.close()
        warnings = _switch(out, record, state, dedup if rebuild_index else None)
    except BaseException:
        if not (out / "_runs" / f"{run_id}.json").exists():  # not published: take back what was written
            for d in dest.values():
                shutil.rmtree(d, ignore_errors=True)
        raise
    return Outcome(run_id, dict(counts), warnings)


def _check_sources(con, sources: tuple[str, ...], known: tombstones.Tombstones) -> None:
    """Every ``--source`` must name an outlet (``source``) or an input URI (``source_uri``) of some published row,
    in any version, or an existing tombstone: a typo must not exit 0 and record a takedown that removed nothing."""
    import difflib

    have = {v for (v,) in con.execute(
        """SELECT source FROM articles_all WHERE source IS NOT NULL UNION SELECT source_uri FROM articles_all
           UNION SELECT source_uri FROM rejects_all""").fetchall()} | set(known.values)
    for src in sources:
        if src in have:
            continue
        near = difflib.get_close_matches(src, sorted(have), n=3, cutoff=0.6)
        near += [v for v in sorted(have) if v.lower() == src.lower() and v not in near]
        hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else \
            " (names are matched exactly; see `newsbeam query OUT \"SELECT DISTINCT source FROM articles\"`)"
        raise ValueError(f"no article or reject of source {src!r} (an outlet name or an input URI) is published"
                         + hint)


def lift(out: Path, values: tuple[str, ...]) -> list[str]:
    """Remove tombstones (``forget --lift``) and rebuild the views file; returns the values lifted.

    Nothing comes back by itself: the inputs that held the articles count as processed, so they return when those
    inputs are read again (``run --reprocess`` or a changed input). Caller holds the lock.
    """
    import difflib

    out = Path(out).resolve()
    current = tombstones.read(out)
    for v in values:
        if v not in current.values:
            near = difflib.get_close_matches(v, sorted(current.values), n=3, cutoff=0.6)
            listed = ", ".join(repr(x) for x in sorted(current.values)) or "none"
            raise ValueError(f"{v!r} is not a forgotten source" + (
                f"; did you mean {', '.join(repr(n) for n in near)}?" if near else f" (forgotten: {listed})"))
    tombstones.lift(out, values)
    cleanup_unpublished(out)
    refresh_views(out)
    return list(values)


def _content_counts(con, counts) -> None:
    """The counts ``status`` shows for a run (duplicates, near, places, actors) for what the new files hold."""
    dups, near, places, actors = con.execute(
        """SELECT count(*) FILTER (WHERE is_duplicate), count(*) FILTER (WHERE dup_kind = 'near'),
                  coalesce(sum(len(places)), 0), coalesce(sum(len(actors)), 0) FROM p""").fetchone()
    counts.update(duplicates=dups, near_duplicates=near, places=int(places), actors=int(actors))


def _keep_rows(con, forget_runs: tuple[str, ...], forget_sources: tuple[str, ...], counts) -> None:
    """Temp tables ``gone`` (article ids no kept row has) and ``a``, ``p``, ``r`` (the visible rows that stay)."""
    cond = []
    if forget_runs:
        cond.append(f"run_id IN {_ids(forget_runs)}")
    if forget_sources:
        cond.append(f"source IN {_ids(forget_sources)} OR source_uri IN {_ids(forget_sources)}")
    gone_where = " OR ".join(f"({c})" for c in cond) or "FALSE"
    # By (article, run): an input processed again keeps its article ids, so forgetting the run that read an old
    # version must not take the current version (another run's row with the same id) with it.
    con.execute(f"CREATE TEMP TABLE gone_rows AS SELECT article_id || '|' || run_id AS k FROM articles_all "
                f"WHERE {gone_where}")
    con.execute("CREATE TEMP TABLE a AS SELECT * FROM articles WHERE article_id || '|' || run_id NOT IN "
                "(SELECT k FROM gone_rows)")
    pcols = _quoted(_paragraph_columns(con))
    con.execute(f"CREATE TEMP TABLE p AS SELECT {pcols} FROM paragraphs WHERE article_id || '|' || run_id NOT IN "
                "(SELECT k FROM gone_rows)")
    # The article ids no kept row has: duplicates that pointed at their paragraphs are repaired.
    con.execute("CREATE TEMP TABLE gone AS SELECT DISTINCT split_part(k, '|', 1) AS article_id FROM gone_rows "
                "WHERE split_part(k, '|', 1) NOT IN (SELECT article_id FROM a)")
    rej_where = []
    if forget_runs:
        rej_where.append(f"run_id IN {_ids(forget_runs)}")
    if forget_sources:
        rej_where.append(f"source_uri IN {_ids(forget_sources)}")
    rej_drop = " OR ".join(rej_where) or "FALSE"
    con.execute(f"CREATE TEMP TABLE r AS SELECT * FROM rejects WHERE NOT ({rej_drop})")
    counts["articles-forgotten"] = con.execute(
        "SELECT (SELECT count(*) FROM articles) - (SELECT count(*) FROM a)").fetchone()[0]
    counts["rejects-forgotten"] = con.execute(
        f"SELECT count(*) FROM rejects WHERE {rej_drop}"
    ).fetchone()[0]
    counts["superseded-rows-dropped"] = con.execute(
        "SELECT (SELECT count(*) FROM articles_all) - (SELECT count(*) FROM articles)"
    ).fetchone()[0]


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _paragraph_columns(con) -> list[str]:
    """The fixed paragraphs columns, then those that registered taggers added in any live run (tags/registry.py):
    compacting keeps a tag type's column."""
    fixed = schema.PARAGRAPHS.names
    return [*fixed, *sorted(c for c in con.sql("SELECT * FROM paragraphs_all LIMIT 0").columns if c not in fixed)]


def _write_tables(con, dest: dict[str, Path]) -> None:
    """Create the new run's folders and write its articles, paragraphs and rejects (one sorted file each)."""
    for d in dest.values():
        d.mkdir(parents=True, exist_ok=True)
    for t, tmp in _KEPT:
        names = _paragraph_columns(con) if t == "paragraphs" else schema.TABLES[t].names
        rel = con.sql(f"SELECT {_quoted(names)} FROM {tmp} ORDER BY {_ORDER[t]}").to_arrow_table()
        target = schema.TABLES[t]
        if t == "paragraphs":
            target = schema.paragraphs_schema(tuple(rel.schema.field(n) for n in names[len(target.names):]))
        pq.write_table(rel.cast(target), dest[t] / "part-00000.parquet", compression="zstd")


def _record(
    run_id: str, seq: int, kind: str, cfg: Config, live: list[dict], forget_runs: tuple[str, ...],
    forget_sources: tuple[str, ...], counts: dict[str, int],
) -> dict:
    """The new run's record: published, replacing every live run."""
    return {
        "run_id": run_id,
        "seq": seq,
        "kind": kind,
        "status": "ok",
        "published": True,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "replaces": [r["run_id"] for r in live],
        "forgets_runs": list(forget_runs),
        "forgets_sources": list(forget_sources),
        "n_inputs": 0,
        "counts": dict(counts),
        "dedup": cfg.to_dict()["dedup"],
        "index_settings": cfg.dedup.index_settings(),
    }


def _switch(out: Path, record: dict, state: State, rebuilt: DedupSettings | None) -> list[str]:
    """Publish the new run: views file built first, the record is the switch, then views, folders, settings.

    The replaced runs leave the table folders now; their ``_data/`` files stay for the grace period (readers that
    opened the old views read them), and ``cleanup_unpublished`` deletes them later. Returns warnings of steps
    after the switch that could not be done (the next command completes them).
    """
    views = build_views_tmp(out, state.with_record(record))
    try:
        _fault("compact-before-record")
        write_record(out, record)  # the switch
    except BaseException:
        views.unlink(missing_ok=True)
        raise
    settings = {"minhash": rebuilt.index_settings(), "near": rebuilt.near} if rebuilt is not None else None
    return finish_switch(out, views, [record["run_id"]], record["replaces"], out / "_staging" / record["run_id"],
                         settings)


def _repair_groups(con, dedup: DedupSettings, hasher: MinHasher | None, counts) -> set[tuple[str, int]]:
    """Re-resolve duplicate groups whose canonical was forgotten; returns the paragraphs promoted to canonical."""
    rows = con.execute(
        """SELECT p.article_id, p.para_index, p.text, p.text_hash, p.n_words, p.dup_group, a.published, o.seq
           FROM p JOIN a USING (article_id) JOIN runs_order o ON o.run_id = a.run_id
           WHERE p.dup_group IS NOT NULL
             AND split_part(p.dup_group, ':', 1) IN (SELECT article_id FROM gone)"""
    ).fetchall()
    groups: dict[str, list[GroupMember]] = defaultdict(list)
    for aid, idx, text, th, nw, grp, pub, seq in rows:
        groups[grp].append(GroupMember(aid, idx, th, nw, published_us(pub), seq, text))

    canon_shingles: dict[str, object] = {}  # the current group's canonical, shingled once per group

    def similarity(m: GroupMember, canon: GroupMember) -> float | None:
        if hasher is None or min(m.n_words, canon.n_words) < dedup.near_min_words:
            return None
        if canon.text not in canon_shingles:
            canon_shingles.clear()
            canon_shingles[canon.text] = hasher.shingles(comparison_key(canon.text))
        return jaccard(hasher.shingles(comparison_key(m.text)), canon_shingles[canon.text])

    def inc(name: str, n: int = 1) -> None:
        counts[name] += n

    patch: list[Decision] = []
    for members in groups.values():
        patch += repair_group(members, similarity, dedup.threshold, inc)
    promoted = {(d.article_id, d.para_index) for d in patch if d.dup_kind is None}
    if patch:
        tbl = pa.table(
            {
                "article_id": [d.article_id for d in patch],
                "para_index": pa.array([d.para_index for d in patch], pa.int32()),
                "dup_kind": pa.array([d.dup_kind for d in patch], pa.string()),
                "duplicate_of": pa.array([d.duplicate_of for d in patch], pa.string()),
                "dup_group": pa.array([d.dup_group for d in patch], pa.string()),
                "similarity": pa.array([d.similarity for d in patch], pa.float32()),
            }
        )
        con.register("patch", tbl)
        con.execute(
            """UPDATE p SET dup_kind = patch.dup_kind, duplicate_of = patch.duplicate_of,
                 dup_group = patch.dup_group, similarity = patch.similarity,
                 is_duplicate = patch.dup_kind IS NOT NULL
               FROM patch WHERE p.article_id = patch.article_id AND p.para_index = patch.para_index"""
        )
        con.unregister("patch")
    counts["paragraphs-repaired"] = len(patch)
    return promoted


def _repair_articles(con, dedup: DedupSettings, counts) -> None:
    """Recount duplicates and article copies for articles whose paragraphs changed or whose original is gone."""
    con.execute(
        """UPDATE a SET n_duplicate_paragraphs = s.n FROM (
             SELECT article_id, count(*) FILTER (WHERE is_duplicate AND NOT is_boilerplate)::INTEGER AS n
             FROM p GROUP BY article_id) s
           WHERE a.article_id = s.article_id AND a.n_duplicate_paragraphs <> s.n"""
    )
    rows = con.execute(
        """SELECT article_id, list(duplicate_of ORDER BY para_index), list(n_words ORDER BY para_index),
                  list(is_boilerplate ORDER BY para_index)
           FROM p WHERE article_id IN (
             SELECT article_id FROM a WHERE duplicate_of_article IN (SELECT article_id FROM gone)
                                      OR duplicate_of_article IS NULL)
           GROUP BY article_id"""
    ).fetchall()
    updates = []
    for aid, dups, words, boiler in rows:
        eligible = [w >= dedup.local_only_below and not b for w, b in zip(words, boiler, strict=True)]
        updates.append((aid, article_copy_of(aid, dups, eligible, dedup.article_copy_share)))
    if updates:
        con.register("acopy", pa.table({"article_id": [u[0] for u in updates],
                                        "copy_of": pa.array([u[1] for u in updates], pa.string())}))
        changed = con.execute(
            """SELECT count(*) FROM a JOIN acopy USING (article_id)
               WHERE a.duplicate_of_article IS DISTINCT FROM acopy.copy_of"""
        ).fetchone()[0]
        con.execute(
            "UPDATE a SET duplicate_of_article = acopy.copy_of FROM acopy WHERE a.article_id = acopy.article_id"
        )
        con.unregister("acopy")
        counts["articles-copy-updated"] = changed


def _write_index(con, out: Path, dest: Path, dedup, hasher, promoted, rebuild: bool, counts) -> None:
    """Merge the live index, minus stale and forgotten entries, plus promoted canonicals (or rebuild it all)."""
    new_rows: list[dict] = []
    if rebuild:
        where = f"NOT p.is_duplicate AND p.n_words >= {int(dedup.local_only_below)}"
    else:
        where = "FALSE"
    keys = pa.table(
        {"article_id": [k[0] for k in promoted], "para_index": pa.array([k[1] for k in promoted], pa.int32())}
    )
    con.register("promoted", keys)
    cur = con.execute(
        f"""SELECT p.article_id, p.para_index, p.text, p.text_hash, p.n_words, a.published, a.source, a.source_uri
            FROM p JOIN a USING (article_id)
            WHERE ({where}) OR ((p.article_id, p.para_index) IN (SELECT (article_id, para_index) FROM promoted)
                                AND p.n_words >= {int(dedup.local_only_below)})"""
    )
    cols = ["article_id", "para_index", "text", "text_hash", "n_words", "published", "source", "source_uri"]
    while batch := cur.fetchmany(2000):
        for row in batch:
            d = dict(zip(cols, row, strict=True))
            new_rows.append(index_entry(d, d, dedup, hasher))
    kept = 0
    writer = pq.ParquetWriter(dest / "part-00000.parquet", INDEX_SCHEMA, compression="zstd")
    try:
        if not rebuild:
            live_ids = {r[0] for r in con.execute("SELECT article_id FROM a").fetchall()}
            for path, stale in index_files(out):
                t = pq.read_table(path, schema=INDEX_SCHEMA)
                stale_set = set(stale)
                mask = [
                    aid in live_ids and uh not in stale_set and (aid, idx) not in promoted
                    for aid, uh, idx in zip(
                        t.column("article_id").to_pylist(), t.column("uri_hash").to_pylist(),
                        t.column("para_index").to_pylist(), strict=True,
                    )
                ]
                t = t.filter(pa.array(mask, pa.bool_()))
                kept += t.num_rows
                writer.write_table(t)
        writer.write_table(pa.Table.from_pylist(new_rows, INDEX_SCHEMA))
    finally:
        writer.close()
    counts["index-entries"] = kept + len(new_rows)
    counts["index-entries-added"] = len(new_rows)
