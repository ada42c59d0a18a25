"""The ``newsbeam`` command.

    newsbeam run INPUT... --out DIR [--workers N] [--config FILE] [options] [-- BEAM_OPTIONS]
    newsbeam query OUT "SQL" [--format table|csv|json]
    newsbeam status OUT [--json]
    newsbeam compact OUT [--config FILE] [--rebuild-index]
    newsbeam forget OUT (--run ID | --source NAME_OR_URI)... | --lift NAME_OR_URI
    newsbeam report OUT --html FILE [--since DATE] [--region NAME]

Exit codes: 0 ok, 1 internal error, 2 usage error, 3 reject rate exceeded (output still published), 4 locked,
5 stopped by --max-runtime (nothing published), 130 interrupted (Ctrl-C; nothing published).
Bad usage always gets a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import traceback
from pathlib import Path

from newsbeam import __version__
from newsbeam.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE, UsageError
from newsbeam.ingest.readers import FIELDS
from newsbeam.output.store import take_lock


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise UsageError(message)


_VIEWS = """views (the current version of every input; read-only):
  articles        one row per article (source, title, url, published, lang, tag_status, ...)
  paragraphs      one row per paragraph: text, duplicate flags, places, actors
  rejects         inputs and records that could not be read, with a reason
  runs            the published runs in order (run_id, seq, kind, inputs)
  input_versions  which run holds the current version of each input
  articles_all, paragraphs_all, rejects_all
                  every version ever published, superseded ones included
columns: newsbeam query OUT "DESCRIBE paragraphs"; schema: docs/schema.md"""

_EXIT_CODES = """exit codes: 0 ok, 1 internal error, 2 usage error (one line on stderr), 3 reject rate above --max-reject-rate
(output still published), 4 another run holds the output folder, 5 stopped by --max-runtime (nothing published),
130 interrupted by Ctrl-C (nothing published)"""

_RUN_EPILOG = f"""-- BEAM_OPTIONS
  everything after a lone -- goes to Apache Beam and is validated by it (an unknown option is a usage error),
  e.g. -- --runner=PortableRunner --job_endpoint=localhost:8099 --environment_type=EXTERNAL ...

workers: without --workers (or workers = N in the config), 1 worker for a single input file or less than
  5 MB of input (compressed files count 3x), else one per core (at most one per input file).

examples:
  newsbeam run sample_corpus --out out
  newsbeam run --manifest backfill.txt --out /data/news --workers 2
  newsbeam run /data/inbox --out /data/news --config pipelines/nightly.toml --quiet

{_EXIT_CODES}"""


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="newsbeam", description="News articles in, deduplicated and tagged Parquet out.",
                epilog=_EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"newsbeam {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    r = sub.add_parser("run", help="process inputs into an output folder", epilog=_RUN_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       usage="newsbeam run [INPUT ...] --out DIR [--manifest FILE] [--workers N] [--config FILE]\n"
                             "                    [options] [-- BEAM_OPTIONS]",
                       description="Read new inputs, deduplicate and tag them, and publish them into DIR "
                                   "atomically.\nInputs an earlier run processed are skipped (--reprocess reads "
                                   "them again).")
    r.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="files, folders (recursive), globs, https:// URLs, s3:// or gs:// URIs; optional with "
                        "--manifest or [ingest] manifests")
    r.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    r.add_argument("--workers", type=int, metavar="N",
                   help="worker processes (>= 2 runs Beam multi_processing); default: chosen from the work")
    r.add_argument("--config", metavar="FILE", help="TOML configuration file")
    r.add_argument("--manifest", action="append", default=[], metavar="FILE",
                   help="file listing one input path or URI per line, # starts a comment (repeatable)")
    r.add_argument("--root", metavar="DIR",
                   help="local inputs and manifest entries must lie inside this folder (config: [ingest] root)")
    r.add_argument("--field", action="append", default=[], metavar="NAME=FIELD", help="JSON field mapping")
    r.add_argument("--reprocess", action="store_true", default=None, help="process inputs seen by earlier runs")
    r.add_argument("--max-reject-rate", type=float, metavar="R", help="exit 3 when rejects/(articles+rejects) exceeds this")
    r.add_argument("--exact-only", action="store_true", help="exact dedup only: no near-dup, no tagging")
    r.add_argument("--no-near", action="store_true", help="skip near-duplicate detection")
    r.add_argument("--no-places", action="store_true", help="skip place tagging")
    r.add_argument("--no-actors", action="store_true", help="skip actor tagging")
    r.add_argument("--user-gazetteer", action="append", default=[], metavar="FILE", help="YAML/CSV of your own places")
    r.add_argument("--user-dictionary", action="append", default=[], metavar="FILE", help="YAML of your own actors")
    r.add_argument("--ner-model", metavar="NAME_OR_PATH", help="spaCy model name or path merged with the rule-based actors (extra: ner)")
    r.add_argument("--max-runtime", metavar="DURATION",
                   help="stop a run still going after this long (90m, 2h or seconds): nothing is published, exit 5")
    r.add_argument("--quiet", action="store_true", help="print only the JSON summary line")
    r.add_argument("--log-file", metavar="FILE", help="also write the log here")

    q = sub.add_parser("query", help="run SQL over the views of an output folder", epilog=_VIEWS,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Run one read-only SQL statement (SELECT, WITH, FROM, DESCRIBE, SHOW, "
                                   "SUMMARIZE, PIVOT,\nEXPLAIN) over the views of OUT with DuckDB; times are UTC.")
    q.add_argument("out", metavar="OUT", help="an output folder written by newsbeam run")
    q.add_argument("sql", metavar="SQL", help='the statement, quoted, e.g. "SELECT count(*) FROM articles"')
    q.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table (default, for reading), csv or json (one object per line; for > FILE)")

    s = sub.add_parser("status", help="show the runs of an output folder",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="One line per run (published, failed, stopped, compact and forget runs), why "
                                   "a run stopped,\nthe forgotten sources, and whether a run is in progress.",
                       epilog="The same views are in OUT/newsbeam.duckdb (open it with duckdb -readonly).\n\n"
                              + _VIEWS)
    s.add_argument("out", metavar="OUT", help="an output folder written by newsbeam run")
    s.add_argument("--json", action="store_true",
                   help="one JSON run record per line: every counter, the configuration, the stage of a stop")

    c = sub.add_parser("compact", help="merge run files and drop superseded rows; the views show the same rows")
    c.add_argument("out")
    c.add_argument("--config", help="TOML configuration (its dedup settings; needed with --rebuild-index)")
    c.add_argument("--rebuild-index", action="store_true",
                   help="recompute the cross-run dedup index with the configuration's MinHash settings")

    f = sub.add_parser("forget", help="remove a run or a source's articles and everything derived from them")
    f.add_argument("out")
    f.add_argument("--run", action="append", default=[], metavar="RUN_ID", help="a run to remove (repeatable)")
    f.add_argument("--source", action="append", default=[], metavar="NAME_OR_URI",
                   help="an outlet name (the source column) or an input URI whose articles go, now and in every "
                        "later run (repeatable)")
    f.add_argument("--lift", action="append", default=[], metavar="NAME_OR_URI",
                   help="stop forgetting a source (its articles return when their inputs are read again)")

    from newsbeam.commands import report

    report.add_parser(sub)
    return p


def _overrides(a: argparse.Namespace) -> dict:
    """The configuration keys that ``run``'s flags set (flags win over the TOML file)."""
    o: dict = {}
    if a.workers is not None:
        o["workers"] = a.workers
    if a.reprocess:
        o["reprocess"] = True
    if a.max_reject_rate is not None:
        o["max_reject_rate"] = a.max_reject_rate
    if a.max_runtime is not None:
        from newsbeam.config import ConfigError, parse_duration

        try:
            o["max_runtime"] = parse_duration(a.max_runtime)
        except ConfigError as e:
            raise UsageError(f"--max-runtime: {e}") from e
    for section, values in (("ingest", _ingest_overrides(a)), ("dedup", _dedup_overrides(a)),
                            ("tagging", _tagging_overrides(a))):
        if values:
            o[section] = values
    return o


def _ingest_overrides(a: argparse.Namespace) -> dict:
    ingest: dict = {}
    if a.field:
        fm = {}
        for item in a.field:
            if "=" not in item:
                raise UsageError(f"--field takes NAME=FIELD, got {item!r}")
            k, v = item.split("=", 1)
            if k not in FIELDS:
                raise UsageError(f"--field: unknown newsbeam field {k!r}")
            fm[k] = v
        ingest["field_map"] = fm
    if a.manifest:
        ingest["manifests"] = [str(Path(m).resolve()) for m in a.manifest]
    if a.root is not None:
        ingest["root"] = str(Path(a.root).expanduser().resolve()) if a.root.strip() else a.root
    return ingest


def _dedup_overrides(a: argparse.Namespace) -> dict:
    return {"near": False} if (a.exact_only or a.no_near) else {}


def _tagging_overrides(a: argparse.Namespace) -> dict:
    tagging: dict = {}
    if a.exact_only:
        tagging.update(places=False, actors=False)
    if a.no_places:
        tagging["places"] = False
    if a.no_actors:
        tagging["actors"] = False
    if a.user_gazetteer:
        tagging["user_gazetteers"] = [str(Path(f).resolve()) for f in a.user_gazetteer]
    if a.ner_model:
        tagging["ner_model"] = a.ner_model
    if a.user_dictionary:
        tagging["user_dictionaries"] = [str(Path(f).resolve()) for f in a.user_dictionary]
    return tagging


def _setup_logging(quiet: bool, log_file: str | None) -> logging.Logger:
    log = logging.getLogger("newsbeam")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.handlers.clear()
    if not quiet:
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(h)
    if log_file:
        fh = logging.FileHandler(log_file)
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(fh)
    # Beam is chatty at INFO/WARNING about its own internals; our summary says what matters.
    logging.getLogger("apache_beam").setLevel(logging.ERROR)
    return log


def main(argv: list[str] | None = None) -> int:
    # Libraries that call logging.warning() at import would otherwise install a root handler printing to stderr
    # (Beam's "apitools not found"); our own messages go through the 'newsbeam' logger.
    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.NullHandler())
    argv = list(sys.argv[1:] if argv is None else argv)
    beam_args: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, beam_args = argv[:i], argv[i + 1 :]
    try:
        a = _parser().parse_args(argv)
        if a.command is None:
            raise UsageError("a command is required: run, query, status, compact, forget or report (see --help)")
        if a.command == "run":
            from newsbeam.commands.run import run_command

            return run_command(a, _overrides(a), beam_args, _setup_logging(a.quiet, a.log_file))
        if beam_args:
            raise UsageError("Beam options (after --) only apply to 'run'")
        if a.command == "query":
            return _query(a)
        if a.command == "status":
            return _status(a)
        if a.command in ("compact", "forget"):
            return _maintain(a)
        if a.command == "report":
            from newsbeam.commands.report import run as run_report

            return run_report(a)
    except UsageError as e:
        print(f"newsbeam: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\r\033[Knewsbeam: interrupted; nothing was published" if sys.stderr.isatty()
              else "newsbeam: interrupted; nothing was published", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - the last line of defence reports and exits 1
        print(f"newsbeam: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK


def _first_run_in_progress(out: str) -> str | None:
    """Who holds the lock of a folder that has no run record yet: a first run is writing it."""
    from newsbeam.output.store import lock_holder

    return None if (Path(out) / "_runs").is_dir() else lock_holder(Path(out))


def _require_out(out: str) -> Path:
    p = Path(out)
    if not (p / "_runs").is_dir():
        running = _first_run_in_progress(out)
        if running:
            raise UsageError(f"no run published in {out} yet: the first run is in progress ({running})")
        raise UsageError(f"not a newsbeam output folder (no published run): {out}")
    return p


# Statements ``newsbeam query`` runs: those that only read. EXPLAIN is judged by what it explains (EXPLAIN ANALYZE
# executes it); MULTI (a PIVOT without an IN list: DuckDB creates an enum type, then runs the statement around it)
# by its keywords, since its type does not tell whether that statement is a SELECT or a COPY.
_READING_STATEMENTS = ("SELECT", "CALL")
_EXPLAIN_PREFIX = re.compile(r"^\s*explain\b\s*(?:analy[sz]e\b\s*)?(?:\([^()]*\)\s*)?", re.I)
_WRITING_KEYWORDS = frozenset({
    "ALTER", "ATTACH", "CHECKPOINT", "COPY", "CREATE", "DELETE", "DETACH", "DROP", "EXPORT", "IMPORT", "INSERT",
    "INSTALL", "LOAD", "MERGE", "PRAGMA", "RESET", "SET", "TRUNCATE", "UPDATE", "USE", "VACUUM",
})


def _writing_keyword(sql: str) -> str | None:
    """The first keyword of ``sql`` (DuckDB's tokenizer: not in strings, comments or quoted names) that writes."""
    import duckdb

    for pos, kind in duckdb.tokenize(sql):
        if kind == duckdb.token_type.keyword:
            m = re.match(r"\w+", sql[pos:])
            if m and m.group(0).upper() in _WRITING_KEYWORDS:
                return m.group(0).upper()
    return None


def _not_read_only(con, sql: str, depth: int = 0) -> str | None:
    """Why ``sql`` is refused (the first statement that is not a read), or None when every statement only reads.

    DuckDB's own settings already keep a query read-only and inside OUT (``store.open_sandboxed_views``), but
    DuckDB cannot forbid writing *inside* an allowed directory: ``COPY ... TO 'OUT/articles/run-X/extra.parquet'``
    would add rows to every consumer's views. So only reading statements reach DuckDB, judged by DuckDB's own
    parser and tokenizer rather than by matching text.
    """
    for st in con.extract_statements(sql):
        kind = st.type.name
        if kind in _READING_STATEMENTS:
            continue
        if kind == "MULTI":
            found = _writing_keyword(st.query)
            if found is None:
                continue
            what = f"{found} statements are"
        elif kind == "EXPLAIN" and depth == 0:
            inner = _EXPLAIN_PREFIX.sub("", st.query, count=1)
            try:
                if inner != st.query and len(con.extract_statements(inner)) == 1 and \
                        _not_read_only(con, inner, depth + 1) is None:
                    continue
            except Exception:  # noqa: BLE001 - an EXPLAIN we cannot take apart is refused below
                pass
            what = "EXPLAIN of a statement that writes is"
        else:
            what = f"{kind} statements are"
        return (f"newsbeam query only reads: {what} not allowed (use SELECT, WITH, FROM, DESCRIBE, SHOW, "
                "SUMMARIZE, PIVOT or EXPLAIN of those; to export, send --format csv or json to a file)")
    return None


def _query(a: argparse.Namespace) -> int:
    """Run the user's SQL over fresh views, read-only, with file access confined to OUT (see the README)."""
    import duckdb

    from newsbeam.output.store import open_sandboxed_views

    out = _require_out(a.out)
    with open_sandboxed_views(out) as con:
        try:
            refused = _not_read_only(con, a.sql)
            if refused:
                raise UsageError(refused)
            rel = con.sql(a.sql)
            if rel is None:
                return EXIT_OK
            _print_relation(rel, a.format)
        except BrokenPipeError:
            # `newsbeam query ... | head`: the reader has what it wanted; silence the final flush too.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except duckdb.Error as e:
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            if isinstance(e, duckdb.PermissionException):
                msg += f" (newsbeam query reads files under {out.resolve()} only)"
            raise UsageError(msg) from e
    return EXIT_OK


def _print_relation(rel, fmt: str) -> None:
    """Nested values as JSON, FLOATs at float32 precision, no Python reprs: ``output/export.py`` says why."""
    if fmt == "table":
        rel.show(max_width=200, max_rows=100000, max_col_width=60)
        return
    from newsbeam.output import export

    write = export.write_csv if fmt == "csv" else export.write_json_lines
    write(sys.stdout, rel.columns, rel.types, rel.fetchall())


def _status(a: argparse.Namespace) -> int:
    from newsbeam.output.store import State, lock_holder, n_inputs, repair_views

    first = _first_run_in_progress(a.out)
    if first:  # not an error: the folder is being written for the first time
        print(json.dumps({"running": first}) if a.json else f"no run published yet; in progress: {first}")
        return EXIT_OK
    out = _require_out(a.out)
    note = repair_views(out)  # a moved folder or a stale views file: rebuilt when we may write (lock free)
    if note:
        print(f"newsbeam: {note}", file=sys.stderr)
    state = State.read(out)  # one snapshot; nothing else is created or written (status works read-only)
    recs = list(state.records)
    replaced, forgotten_by = state.replaced, state.forgotten_by
    running = lock_holder(out)
    if a.json:
        for r in recs:
            extra = {"files_compacted": r["run_id"] in replaced, "n_inputs": n_inputs(r)}
            if r["run_id"] in forgotten_by:
                extra["forgotten_by"] = forgotten_by[r["run_id"]]
            print(json.dumps({**r, **extra}, sort_keys=True, default=str))
        for t in state.tombstones.entries:
            print(json.dumps({"forgotten_source": t}, sort_keys=True))
        if running:
            print(json.dumps({"running": running}))
        return EXIT_OK
    cols = ("run_id", "kind", "status", "started", "secs", "inputs", "articles", "paras", "dups", "near", "rejects",
            "places", "actors", "MB/s")
    rows = []
    for r in recs:
        c = r.get("counts", {})
        rewritten = r.get("kind", "run") != "run"  # compact/forget records written before they counted these

        def n(key: str, c=c, rewritten=rewritten) -> str:
            return str(c[key]) if key in c else ("-" if rewritten else "0")

        status = "forgotten" if r["run_id"] in forgotten_by else r.get("status", "")
        rows.append((
            r["run_id"], r.get("kind", "run") + ("*" if r["run_id"] in replaced else ""), status,
            (r.get("started") or "")[:19].replace("T", " "), f"{r.get('seconds', 0) or 0:.1f}",
            str(n_inputs(r)), n("articles"), n("paragraphs"), n("duplicates"), n("near_duplicates"), n("rejects"),
            n("places"), n("actors"), str(c.get("mb_per_s", "")),
        ))
    widths = [max(len(x) for x in col) for col in zip(cols, *rows, strict=True)]
    for row in (cols, *rows):
        print("  ".join(v.ljust(w) if i < 4 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))))
    if replaced:
        print("* files merged into a later compact run; the record stays for history and incremental runs")
    for rid, by in forgotten_by.items():
        print(f"{rid} forgotten by {by}: its rows are gone and its inputs count as not processed")
    for r in recs:  # why a run that did not publish stopped, and which articles were published untagged
        if r.get("error"):
            print(f"{r['run_id']} {r.get('status')} in stage {r.get('stage', '?')}: {r['error']}")
        if r.get("tag_problems_total"):
            print(f"{r['run_id']}: {r['tag_problems_total']} article(s) published untagged (tag_status timeout or "
                  "error; listed under tag_problems in status --json)")
    if state.tombstones:
        print(f"forgotten sources (never published again; `newsbeam forget {a.out} --lift NAME` lifts one):")
        for t in state.tombstones.entries:
            by = f"forget {t['by']}" if t.get("by") else "written by hand"
            print(f"  {t['value']}  since {str(t.get('since', '?'))[:19].replace('T', ' ')} ({by})")
    if running:
        print(f"in progress: {running}")
    return EXIT_OK


def _lift(a: argparse.Namespace, out: Path) -> int:
    """``forget --lift``: a forgotten source may be published again (alone: it is not a takedown's partner)."""
    from newsbeam.commands.maintenance import lift

    if a.run or a.source:
        raise UsageError("--lift cannot be combined with --run or --source")
    lock = _write_lock(out)
    if lock is None:
        return EXIT_LOCKED
    try:
        lifted = lift(out, tuple(a.lift))
    except ValueError as e:
        raise UsageError(str(e)) from e
    finally:
        lock.__exit__(None, None, None)
    print(f"newsbeam forget: lifted {', '.join(repr(v) for v in lifted)}; later runs publish its articles again. "
          "Inputs already processed stay processed: `newsbeam run INPUT... --out OUT --reprocess` reads them again")
    return EXIT_OK


def _write_lock(out: Path):
    """The output folder's lock for a command that writes (None: another run holds it; one line said so); a folder
    that cannot be written is a usage error."""
    from newsbeam.output.store import storage_problem

    try:
        return take_lock(out)
    except OSError as e:
        raise UsageError(f"cannot write to the output folder {out}: {storage_problem(e) or e}") from e


def _maintain(a: argparse.Namespace) -> int:
    from newsbeam.commands.maintenance import rewrite
    from newsbeam.config import ConfigError, load
    from newsbeam.output.store import IndexMismatch, check_index_settings, storage_problem

    out = _require_out(a.out).resolve()
    if a.command == "forget" and getattr(a, "lift", None):
        return _lift(a, out)
    if a.command == "forget" and not (a.run or a.source):
        raise UsageError("forget needs --run ID, --source NAME_OR_URI or --lift NAME_OR_URI")
    try:
        cfg = load(getattr(a, "config", None), {})
    except ConfigError as e:
        raise UsageError(str(e)) from e
    rebuild = bool(getattr(a, "rebuild_index", False))
    lock = _write_lock(out)
    if lock is None:
        return EXIT_LOCKED
    try:
        if not rebuild:
            try:
                check_index_settings(out, cfg.dedup.index_settings(), cfg.dedup.near)
            except IndexMismatch as e:
                raise UsageError(str(e)) from e
        try:
            res = rewrite(out, a.command, cfg, tuple(getattr(a, "run", ())), tuple(getattr(a, "source", ())), rebuild)
        except ValueError as e:
            raise UsageError(str(e)) from e
        except Exception as e:
            if storage_problem(e) is None:
                raise
            print(f"newsbeam: error: {a.command} stopped: cannot write to {out}: {storage_problem(e)}; the published "
                  "state is unchanged", file=sys.stderr)
            return EXIT_INTERNAL
    finally:
        lock.__exit__(None, None, None)
    if res.run_id is None:
        print(f"newsbeam {a.command}: nothing published in {a.out}")
    else:
        print(f"newsbeam {a.command}: wrote {res.run_id} " + json.dumps(res.counts, sort_keys=True))
    for w in res.warnings:
        print(f"newsbeam: warning: {a.command} {res.run_id} is published, but {w}", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
