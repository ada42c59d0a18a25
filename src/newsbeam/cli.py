"""The ``newsbeam`` command.

    newsbeam run INPUT... --out DIR [--workers N] [--config FILE] [options] [-- BEAM_OPTIONS]
    newsbeam query OUT "SQL" [--format table|csv|json]
    newsbeam status OUT [--json]
    newsbeam compact OUT [--config FILE] [--rebuild-index]
    newsbeam forget OUT (--run ID | --source NAME_OR_URI)...
    newsbeam report OUT --html FILE [--since DATE] [--region NAME]

Exit codes: 0 ok, 1 internal error, 2 usage error, 3 reject rate exceeded (output still published), 4 locked,
5 stopped by --max-runtime (nothing published), 130 interrupted (Ctrl-C; nothing published).
Bad usage always gets a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
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


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="newsbeam", description="News articles in, deduplicated and tagged Parquet out.")
    p.add_argument("--version", action="version", version=f"newsbeam {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    r = sub.add_parser("run", help="process inputs into an output folder")
    r.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories, globs or URIs")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--workers", type=int, help="worker processes (>= 2 runs Beam multi_processing)")
    r.add_argument("--config", help="TOML configuration file")
    r.add_argument("--manifest", action="append", default=[], help="file listing one input URI per line")
    r.add_argument("--field", action="append", default=[], metavar="NAME=FIELD", help="JSON field mapping")
    r.add_argument("--reprocess", action="store_true", default=None, help="process inputs seen by earlier runs")
    r.add_argument("--max-reject-rate", type=float, help="exit 3 when rejects/(articles+rejects) exceeds this")
    r.add_argument("--exact-only", action="store_true", help="exact dedup only: no near-dup, no tagging")
    r.add_argument("--no-near", action="store_true", help="skip near-duplicate detection")
    r.add_argument("--no-places", action="store_true", help="skip place tagging")
    r.add_argument("--no-actors", action="store_true", help="skip actor tagging")
    r.add_argument("--user-gazetteer", action="append", default=[], help="YAML/CSV of your own places")
    r.add_argument("--user-dictionary", action="append", default=[], help="YAML of your own actors")
    r.add_argument("--ner-model", help="spaCy model name or path merged with the rule-based actors (extra: ner)")
    r.add_argument("--max-runtime", metavar="DURATION",
                   help="stop a run still going after this long (90m, 2h or seconds): nothing is published, exit 5")
    r.add_argument("--quiet", action="store_true", help="print only the JSON summary line")
    r.add_argument("--log-file", help="also write the log here")

    q = sub.add_parser("query", help="run SQL over the views of an output folder")
    q.add_argument("out")
    q.add_argument("sql")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")

    s = sub.add_parser("status", help="show the runs of an output folder")
    s.add_argument("out")
    s.add_argument("--json", action="store_true")

    c = sub.add_parser("compact", help="merge run files and drop superseded rows; the views show the same rows")
    c.add_argument("out")
    c.add_argument("--config", help="TOML configuration (its dedup settings; needed with --rebuild-index)")
    c.add_argument("--rebuild-index", action="store_true",
                   help="recompute the cross-run dedup index with the configuration's MinHash settings")

    f = sub.add_parser("forget", help="remove a run or a source's articles and everything derived from them")
    f.add_argument("out")
    f.add_argument("--run", action="append", default=[], metavar="RUN_ID", help="a run to remove (repeatable)")
    f.add_argument("--source", action="append", default=[], metavar="NAME_OR_URI",
                   help="an outlet name (the source column) or an input URI whose articles go (repeatable)")

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


def _require_out(out: str) -> Path:
    p = Path(out)
    if not (p / "_runs").is_dir():
        raise UsageError(f"not a newsbeam output folder (no published run): {out}")
    return p


def _query(a: argparse.Namespace) -> int:
    import duckdb

    from newsbeam.output.store import connect_views

    con = connect_views(_require_out(a.out))
    try:
        rel = con.sql(a.sql)
    except duckdb.Error as e:
        raise UsageError(str(e).splitlines()[0]) from e
    if rel is None:
        return EXIT_OK
    if a.format == "table":
        rel.show(max_width=200, max_rows=100000, max_col_width=60)
    elif a.format == "csv":
        import csv

        w = csv.writer(sys.stdout)
        w.writerow(rel.columns)
        for row in rel.fetchall():
            w.writerow(row)
    else:
        cols = rel.columns
        for row in rel.fetchall():
            print(json.dumps(dict(zip(cols, row, strict=True)), default=str, ensure_ascii=False))
    return EXIT_OK


def _status(a: argparse.Namespace) -> int:
    from newsbeam.output.store import Locked, OutputLock, replaced_run_ids, run_records

    out = _require_out(a.out)
    recs = run_records(out)
    replaced = replaced_run_ids(out)
    running = None
    try:
        with OutputLock(out, write_holder=False):
            pass
    except Locked as e:
        running = str(e)
    if a.json:
        for r in recs:
            print(json.dumps({**r, "files_compacted": r["run_id"] in replaced}, sort_keys=True, default=str))
        if running:
            print(json.dumps({"running": running}))
        return EXIT_OK
    cols = ("run_id", "kind", "status", "started", "secs", "inputs", "articles", "paras", "dups", "near", "rejects",
            "places", "actors", "MB/s")
    rows = []
    for r in recs:
        c = r.get("counts", {})
        rows.append((
            r["run_id"], r.get("kind", "run") + ("*" if r["run_id"] in replaced else ""), r.get("status", ""),
            (r.get("started") or "")[:19].replace("T", " "), f"{r.get('seconds', 0) or 0:.1f}",
            str(len(r.get("inputs", []))), str(c.get("articles", 0)), str(c.get("paragraphs", 0)),
            str(c.get("duplicates", 0)), str(c.get("near_duplicates", 0)), str(c.get("rejects", 0)),
            str(c.get("places", 0)), str(c.get("actors", 0)), str(c.get("mb_per_s", "")),
        ))
    widths = [max(len(x) for x in col) for col in zip(cols, *rows, strict=True)]
    for row in (cols, *rows):
        print("  ".join(v.ljust(w) if i < 4 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))))
    if replaced:
        print("* files merged into a later compact run; the record stays for history and incremental runs")
    for r in recs:  # why a run that did not publish stopped, and which articles were published untagged
        if r.get("error"):
            print(f"{r['run_id']} {r.get('status')} in stage {r.get('stage', '?')}: {r['error']}")
        if r.get("tag_problems_total"):
            print(f"{r['run_id']}: {r['tag_problems_total']} article(s) published untagged (tag_status timeout or "
                  "error; listed under tag_problems in status --json)")
    if running:
        print(f"in progress: {running}")
    return EXIT_OK


def _maintain(a: argparse.Namespace) -> int:
    from newsbeam.commands.maintenance import rewrite
    from newsbeam.config import ConfigError, load
    from newsbeam.output.store import IndexMismatch, check_index_settings

    out = _require_out(a.out).resolve()
    if a.command == "forget" and not (a.run or a.source):
        raise UsageError("forget needs --run ID or --source NAME_OR_URI")
    try:
        cfg = load(getattr(a, "config", None), {})
    except ConfigError as e:
        raise UsageError(str(e)) from e
    rebuild = bool(getattr(a, "rebuild_index", False))
    lock = take_lock(out)
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
    finally:
        lock.__exit__(None, None, None)
    if res.run_id is None:
        print(f"newsbeam {a.command}: nothing published in {a.out}")
    else:
        print(f"newsbeam {a.command}: wrote {res.run_id} " + json.dumps(res.counts, sort_keys=True))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
