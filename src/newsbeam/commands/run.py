"""``newsbeam run``: from the command line to a published run.

The driver does what must happen exactly once per run — list inputs, decide which are new, take the lock, run the
Beam graph, publish, write the record and the summary; the graph itself (``graph.py``) does the data work.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shlex
import shutil
import sys
import time
from argparse import Namespace
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from newsbeam import __version__
from newsbeam.config import Config, ConfigError, TaggingConfig, choose_workers, load
from newsbeam.errors import (
    EXIT_INTERNAL,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_REJECTS,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    UsageError,
)
from newsbeam.ingest.sources import list_inputs
from newsbeam.output.schema import SCHEMA_VERSION
from newsbeam.output.store import (
    DATA_DIR,
    TABLE_NAMES,
    IndexMismatch,
    State,
    check_index_settings,
    cleanup_unpublished,
    index_files,
    new_run_id,
    next_seq,
    publish,
    refresh_views,
    run_inputs,
    storage_problem,
    take_lock,
    views_stale,
    write_record,
)
from newsbeam.runtime.progress import (
    ProgressPrinter,
    log_tail,
    read_progress,
    read_states,
    stage_of,
    worker_log,
)
from newsbeam.runtime.runner import BeamOptionsError, validate_beam_args
from newsbeam.runtime.watchdog import RunWatchdog, kill_descendants, park_if_stopping
from newsbeam.tags.sandbox import read_tag_problems
from newsbeam.text.articles import uri_hash


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def select_inputs(refs: list, out: Path, reprocess: bool) -> tuple[list, list, frozenset[int]]:
    """Split listed inputs into (to process, skipped as already done) and the URIs whose old versions they supersede.

    An input is done when a published run processed the same version (same ``key``) and did not find it
    unreachable. A changed input (same URI, new key) is processed again and supersedes the old version.
    """
    done: set[str] = set()
    seen_uris: set[str] = set()
    state = State.read(out)
    forgotten = state.forgotten
    for r in state.published:
        if r["run_id"] in forgotten:
            continue
        for i in run_inputs(out, r):  # the run's .inputs.jsonl (or the list in an older record)
            seen_uris.add(i["uri"])
            if not i.get("retry"):
                done.add(i["key"])
    todo, skipped = [], []
    for ref in refs:
        if not reprocess and ref.key in done:
            skipped.append(ref)
        else:
            todo.append(ref)
    superseded = frozenset(uri_hash(ref.uri) for ref in todo if ref.uri in seen_uris)
    return todo, skipped, superseded


def _unreachable_keys(staging: Path) -> set[str]:
    import pyarrow.parquet as pq

    keys: set[str] = set()
    for f in (staging / "rejects").glob("*.parquet"):
        t = pq.read_table(f, columns=["reason", "input_key"]).to_pydict()
        keys.update(k for reason, k in zip(t["reason"], t["input_key"], strict=True) if reason == "unreachable")
    return keys


def summarize(counts: dict[str, int], seconds: float, n_inputs: int, n_skipped: int) -> dict:
    rejects = sum(v for k, v in counts.items() if k.startswith("rejects-"))
    articles = counts.get("articles", 0)
    text_mb = counts.get("paragraph-text-bytes", 0) / 1e6
    return {
        "files": n_inputs,
        "files_skipped_already_done": n_skipped,
        "articles": articles,
        "paragraphs": counts.get("paragraphs", 0),
        "duplicates": counts.get("paragraphs-exact-duplicate", 0) + counts.get("paragraphs-near-duplicate", 0),
        "exact_duplicates": counts.get("paragraphs-exact-duplicate", 0),
        "near_duplicates": counts.get("paragraphs-near-duplicate", 0),
        "boilerplate": counts.get("paragraphs-boilerplate", 0),
        "rejects": rejects,
        "rejects_by_reason": {k[8:]: v for k, v in sorted(counts.items()) if k.startswith("rejects-") and v},
        "places": counts.get("place-mentions", 0),
        "actors": counts.get("actor-mentions", 0),
        "tag_timeouts": counts.get("articles-tag-timeout", 0),
        "tag_errors": counts.get("articles-tag-error", 0),
        "seconds": round(seconds, 2),
        "text_mb": round(text_mb, 3),
        "mb_per_s": round(text_mb / seconds, 3) if seconds > 0 else 0.0,
        "reject_rate": round(rejects / (articles + rejects), 4) if articles + rejects else 0.0,
        "repeated_with_one_worker": bool(counts.get("runs-repeated-single-worker", 0)),
    }


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 input``, ``2 inputs``, ``1,204 articles``: counts people read, with thousands separators."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def _mb(x: float) -> str:
    """Megabytes to read at a glance: 0.004, 0.76, 24.2."""
    return f"{x:.3f}" if x < 0.1 else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def _hint(summary: dict, out: Path, status: str) -> str:
    """The one next command worth typing after this run."""
    o = shlex.quote(str(out))
    if status == "no_new_input":
        return f"newsbeam status {o}"
    if summary["tag_timeouts"] or summary["tag_errors"]:
        return f"newsbeam query {o} \"SELECT title, tag_status FROM articles WHERE tag_status <> 'ok'\""
    if status == "reject_rate_exceeded":
        return f"newsbeam query {o} \"SELECT reason, count(*) FROM rejects GROUP BY 1 ORDER BY 2 DESC\""
    return f"newsbeam query {o} \"SELECT source, count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC\""


def _human(summary: dict, run_id: str, out: Path, status: str) -> str:
    """The summary a person reads: one screen. Every counter, the configuration and the per-input list are in the
    run record (``OUT/_runs/<run_id>.json``, ``newsbeam status OUT --json``), not here."""
    s = summary
    skipped = s["files_skipped_already_done"]
    files = plural(s["files"], "file") + " read" + (f", {skipped:,} skipped (done by earlier runs)" if skipped else "")
    if status == "no_new_input":
        why = f"{plural(skipped, 'file')} skipped (done by earlier runs)" if skipped else "no input file"
        head = f"newsbeam run {run_id}: nothing new, {why}; nothing published"
        return "\n".join([head, f"  output      {out}", f"  next        {_hint(s, out, status)}"])
    reasons = sorted(s["rejects_by_reason"].items(), key=lambda kv: (-kv[1], kv[0]))
    why = ", ".join(f"{k} {v:,}" for k, v in reasons[:4]) + (f", {len(reasons) - 4} more" if len(reasons) > 4 else "")
    w = max(len(f"{s[k]:,}") for k in ("articles", "paragraphs", "rejects", "places"))
    lines = [
        f"newsbeam run {run_id}: {status}, {files}",
        f"  articles    {s['articles']:>{w},}",
        f"  paragraphs  {s['paragraphs']:>{w},}   duplicates {s['duplicates']:,} (near {s['near_duplicates']:,})"
        + (f", boilerplate {s['boilerplate']:,}" if s["boilerplate"] else ""),
        f"  rejects     {s['rejects']:>{w},}" + (f"   {why}" if why else ""),
        f"  places      {s['places']:>{w},}   actors {s['actors']:,}",
    ]
    if s["tag_timeouts"] or s["tag_errors"]:
        lines.append(f"  untagged    {s['tag_timeouts'] + s['tag_errors']:>{w},}   {s['tag_timeouts']:,} over the time "
                     f"budget, {s['tag_errors']:,} tagger errors (published without tags)")
    lines += [
        f"  time        {s['seconds']:.1f} s, {_mb(s['mb_per_s'])} MB/s ({_mb(s['text_mb'])} MB of paragraph text)",
        f"  output      {out}   (every counter: _runs/{run_id}.json)",
        f"  next        {_hint(s, out, status)}",
    ]
    return "\n".join(lines)


def _check_user_files(cfg: Config) -> None:
    """Read user gazetteers and dictionaries now: a bad file is a usage error, not a failure inside a worker."""
    from newsbeam.tags.actors import load_user_dictionary
    from newsbeam.tags.places import read_user_file

    checks = []
    if cfg.tagging.places or cfg.tagging.actors:
        checks += [(read_user_file, f) for f in cfg.tagging.user_gazetteers]
    if cfg.tagging.actors:
        checks += [(load_user_dictionary, f) for f in cfg.tagging.user_dictionaries]
    for read, path in checks:
        try:
            read(path)
        except (OSError, ValueError) as e:
            raise UsageError(str(e).splitlines()[0] if str(e) else f"cannot read {path}") from e
    from newsbeam.output.schema import paragraphs_schema
    from newsbeam.tags.tagger import tag_columns

    try:  # every extra tagger imports, the registry has an order, and the columns fit the paragraphs table
        paragraphs_schema(tag_columns(cfg.tagging))
    except ValueError as e:
        raise UsageError(str(e)) from e


def run_command(a: Namespace, overrides: dict, beam_args: list[str], log: logging.Logger) -> int:
    try:
        cfg = load(a.config, overrides)
        if not a.inputs and not cfg.ingest.manifests:
            raise UsageError("run needs an INPUT (file, folder, glob or URI) or a --manifest FILE "
                             "(or [ingest] manifests in the --config file)")
        validate_beam_args(beam_args)
        _check_user_files(cfg)
        if cfg.tagging.actors and cfg.tagging.ner_model:
            from newsbeam.tags.actors.ner import NerMerger

            try:
                NerMerger(cfg.tagging.ner_model).nlp  # noqa: B018 - load now: a bad model is a usage error
            except ValueError as e:
                raise UsageError(str(e)) from e
        refs = list_inputs(list(a.inputs), manifests=list(cfg.ingest.manifests), root=cfg.ingest.root,
                           allowed_params=cfg.ingest.allowed_url_params)
    except (ConfigError, BeamOptionsError) as e:
        raise UsageError(str(e)) from e
    out = Path(a.out).resolve()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out is not a folder: {a.out}")
    try:
        lock = take_lock(out)
    except OSError as e:  # read-only folder or file system, no permission, or no space for the lock file
        raise UsageError(f"cannot write to the output folder {out}: {storage_problem(e) or e}") from e
    if lock is None:
        return EXIT_LOCKED
    try:
        return _run_locked(cfg, refs, out, beam_args, log, quiet=a.quiet)
    except StorageFailure as e:
        print(f"newsbeam: error: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        lock.__exit__(None, None, None)


class StorageFailure(Exception):
    """The output folder could not take a write (disk full, read-only, no permission): one line, exit 1."""


def _local_runner(beam_args: list[str]) -> bool:
    return not any(a == "--runner" or a.startswith("--runner=") for a in beam_args)


def _run_checked(
    todo: list, cfg: Config, run_id: str, staging: Path, out: Path, superseded: frozenset[int], beam_args: list[str],
    log: logging.Logger,
    lost_first: list[str] | None = None,
) -> dict[str, int]:
    """``run_job``, then the conservation checks (``integrity.py``): a run in which the runner lost records between
    stages is never published. With the local runner and several workers it is rerun once with one worker; what the
    first attempt lost is appended to ``lost_first`` (it goes into the run record)."""
    from newsbeam.graph import run_job
    from newsbeam.runtime.integrity import lost_in_transfer

    if not todo:
        return {}
    counts = run_job(todo, cfg, run_id, staging, index_files(out), superseded, beam_args,
                     forgotten=State.read(out).tombstones)
    lost = lost_in_transfer(counts, cfg.dedup.near)
    if lost and cfg.workers > 1 and _local_runner(beam_args):
        log.warning("newsbeam: Beam's multi-process local runner lost records between stages (%s); running again "
                    "with one worker", "; ".join(lost))
        if lost_first is not None:
            lost_first.extend(lost)
        shutil.rmtree(staging)
        staging.mkdir(parents=True)
        counts = run_job(todo, replace(cfg, workers=1), run_id, staging, index_files(out), superseded, beam_args,
                         forgotten=State.read(out).tombstones)
        counts["runs-repeated-single-worker"] = 1
        lost = lost_in_transfer(counts, cfg.dedup.near)
    if lost:
        raise RuntimeError("the Beam runner lost records between stages, nothing was published: " + "; ".join(lost))
    return counts


def _input_list(todo: list, unreachable: set[str] = frozenset()) -> list[dict]:
    return [{"uri": r.uri, "key": r.key, "size": r.size, "mtime": r.mtime, "etag": r.etag,
             "retry": r.key in unreachable} for r in todo]


def _run_locked(cfg: Config, refs: list, out: Path, beam_args: list[str], log: logging.Logger, quiet: bool) -> int:
    """Clean up, pick the inputs, run the graph under the watchdog, then publish (``_finish``). Caller holds the lock."""
    try:
        _prepare_out(out, cfg, log)
    except OSError as e:
        if storage_problem(e) is None:
            raise
        raise StorageFailure(f"cannot write to {out}: {storage_problem(e)}; nothing was run") from e
    todo, skipped, superseded = select_inputs(refs, out, cfg.reprocess)
    chosen = cfg.workers is None
    if chosen:
        cfg = replace(cfg, workers=choose_workers([(r.uri, r.size) for r in todo]))
    run_id = new_run_id()
    staging = out / "_staging" / run_id
    started = _now()
    t0 = time.monotonic()
    attempt = _Attempt(cfg, out, staging, _running_record(run_id, next_seq(out), started, cfg, beam_args, out), todo, t0)
    try:
        staging.mkdir(parents=True)
        workers = (plural(cfg.workers, "worker") + (" (chosen from the work)" if chosen else "")
                   if _local_runner(beam_args) else "the runner given in the Beam options")
        log.info("newsbeam %s: run %s, %s (%s already done), %s", __version__, run_id, plural(len(todo), "input"),
                 f"{len(skipped):,}", workers)
        attempt.record["workers_chosen"] = chosen
        if todo and not _tables_cached(cfg.tagging):
            attempt.building_tables = True
            log.info("newsbeam: building the place and name tables once (10-20 s); later runs start in about 3 s")
        with RunWatchdog(cfg.max_runtime, attempt.on_stop) as watchdog:
            counts = _run_pipeline(attempt, superseded, beam_args, log, quiet)
            return _finish(attempt, counts, skipped, log, quiet, watchdog)
    except Exception as e:
        problem = storage_problem(e)
        if problem is None:
            raise
        raise StorageFailure(attempt.storage_failed(problem)) from e


def _tables_cached(tagging: TaggingConfig) -> bool:
    """Whether the taggers' tables (gazetteer, screened given names) are on disk; building them takes the first run
    about 15 s in which no file seems to move, so the driver says what is happening, once."""
    if not (tagging.places or tagging.actors):
        return True
    try:
        from newsbeam.tags.places.gazetteer import is_cached

        if not is_cached(tuple(tagging.user_gazetteers)):
            return False
        if tagging.actors:
            from newsbeam.tags.actors.people import given_names_cached

            return given_names_cached()
    except (OSError, ValueError):
        return True  # cannot tell (an unreadable user file fails later, with its own message): say nothing
    return True


def _prepare_out(out: Path, cfg: Config, log: logging.Logger) -> None:
    """Remove what an unfinished run left, bring the views up to date, and refuse an index built with other settings."""
    removed = cleanup_unpublished(out)
    if removed:
        log.info("completed or removed what earlier commands left: %s", ", ".join(removed))
    if removed or views_stale(out):
        refresh_views(out)
    try:
        check_index_settings(out, cfg.dedup.index_settings(), cfg.dedup.near)
    except IndexMismatch as e:
        raise UsageError(str(e)) from e


def _running_record(run_id: str, seq: int, started: str, cfg: Config, beam_args: list[str], out: Path) -> dict:
    """The record of a run that has started: what it was given; ``_finish`` or a failure path completes it."""
    return {
        "run_id": run_id,
        "seq": seq,
        "status": "running",
        "published": False,
        "started": started,
        "newsbeam_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "config": cfg.to_dict(),
        "config_hash": cfg.hash(),
        "dedup": cfg.to_dict()["dedup"],
        "index_settings": cfg.dedup.index_settings(),
        "beam_args": beam_args,
        "inputs": [],
        "beam_log": str(_log_path(out, run_id).relative_to(out)),
    }


def _log_path(out: Path, run_id: str) -> Path:
    return out / "_logs" / f"{run_id}.log"


@dataclass
class _Attempt:
    """One run between taking the lock and publishing: what its failure paths need to write its record."""

    cfg: Config
    out: Path
    staging: Path
    record: dict
    todo: list
    t0: float
    stage: str = "starting"  # starting -> pipeline -> checking -> publishing
    building_tables: bool = False  # a first run: the taggers' tables are built before the first file moves

    def stage_now(self) -> str:
        if self.stage == "pipeline":
            with contextlib.suppress(Exception):
                return stage_of(read_progress(self.staging), read_states(self.staging))
            return "pipeline"
        return self.stage

    def failed(self, status: str, error: str) -> None:
        """The record of a run that stopped before publishing: why, in which stage, and what it was given."""
        rec = {**self.record, "status": status, "stage": self.stage_now(), "error": error, "ended": _now(),
               "seconds": round(time.monotonic() - self.t0, 2), "inputs": _input_list(self.todo)}
        with contextlib.suppress(Exception):
            write_record(self.out, rec)

    def storage_failed(self, problem: str) -> str:
        """Take back everything of this unpublished run (space first), then try to write its failed record; the
        one line the user gets."""
        run_id = self.record["run_id"]
        shutil.rmtree(self.staging, ignore_errors=True)
        for d in [*(self.out / DATA_DIR / t / f"run-{run_id}" for t in TABLE_NAMES), self.out / "_index" / f"run-{run_id}"]:
            shutil.rmtree(d, ignore_errors=True)
        rec = self.out / "_runs" / f"{run_id}.json"
        self.failed("failed", f"cannot write to the output folder: {problem}")
        where = f"the failed run is recorded in {rec}" if rec.exists() else "no run record could be written"
        return f"run {run_id} stopped: cannot write to {self.out}: {problem}; nothing was published, {where}"

    def on_stop(self, kind: str) -> None:
        """Called by the watchdog (max_runtime or Ctrl-C) before it ends the process: nothing is published."""
        stage, max_runtime = self.stage_now(), self.cfg.max_runtime
        if kind == "timeout":
            why = f"stopped after max_runtime ({max_runtime:g} s) while {stage}"
            say = (f"newsbeam: run {self.record['run_id']} stopped: it ran longer than max_runtime ({max_runtime:g} s) "
                   f"while {stage}; nothing was published (exit {EXIT_TIMEOUT})")
        else:
            why, say = f"interrupted (SIGINT) while {stage}", "newsbeam: interrupted; nothing was published"
        self.failed(kind, why)
        kill_descendants()
        shutil.rmtree(self.staging, ignore_errors=True)
        clear = "\r\033[K" if sys.stderr.isatty() else ""
        print(clear + say, file=sys.stderr, flush=True)


def _run_pipeline(attempt: _Attempt, superseded: frozenset[int], beam_args: list[str], log: logging.Logger,
                  quiet: bool) -> dict[str, int]:
    """The checked pipeline, its workers' output in the run's log and a progress line on a terminal. A failure writes
    the failed record, ends the workers and shows the log's last lines before it propagates."""
    cfg, out, staging, record = attempt.cfg, attempt.out, attempt.staging, attempt.record
    log_path = _log_path(out, record["run_id"])
    try:
        with worker_log(log_path) as real_stderr:
            show = not quiet and real_stderr.isatty()
            waiting = "building the place and name tables (once)" if attempt.building_tables else None
            with ProgressPrinter(staging, len(attempt.todo), real_stderr, waiting=waiting) if show \
                    else contextlib.nullcontext():
                lost_first: list[str] = []
                attempt.stage = "pipeline"
                counts = _run_checked(attempt.todo, cfg, record["run_id"], staging, out, superseded, beam_args, log,
                                      lost_first)
                attempt.stage = "checking"
                if lost_first:
                    record["lost_in_first_attempt"] = lost_first
    except KeyboardInterrupt:
        park_if_stopping()  # SIGINT is the watchdog's (it records, cleans up and exits 130)
        raise
    except Exception as e:
        park_if_stopping()  # the watchdog is stopping the run (and killed what raised this): it reports
        kill_descendants()
        if storage_problem(e) is not None:
            raise  # the caller frees the space, writes the record and says it in one line
        attempt.failed("failed", f"{type(e).__name__}: {e}")
        tail = log_tail(log_path)
        if tail:
            print(f"newsbeam: last lines of {log_path}:\n{tail}", file=sys.stderr)
        raise
    return counts


def _finish(attempt: _Attempt, counts: dict, skipped: list, log: logging.Logger, quiet: bool,
            watchdog: RunWatchdog) -> int:
    """Summary, run record and publish of a run whose pipeline finished."""
    cfg, record, todo, staging, out = attempt.cfg, attempt.record, attempt.todo, attempt.staging, attempt.out
    run_id = record["run_id"]
    seconds = time.monotonic() - attempt.t0
    if counts.get("runs-repeated-single-worker"):
        log.warning("newsbeam: the multi-process runner lost records between stages; the run was repeated with one "
                    "worker (what was lost: 'lost_in_first_attempt' in _runs/%s.json)", run_id)
    summary = summarize(counts, seconds, len(todo), len(skipped))
    unreachable = _unreachable_keys(staging)
    problems, n_problems = read_tag_problems(str(staging))
    gaz_version = None
    if cfg.tagging.places or cfg.tagging.actors:
        from newsbeam.tags.places import gazetteer_version

        gaz_version = gazetteer_version(tuple(cfg.tagging.user_gazetteers))
    record.update(
        {
            "ended": _now(),
            "seconds": round(seconds, 2),
            "counts": {**counts, **{k: v for k, v in summary.items() if isinstance(v, (int, float))}},
            "summary": summary,
            "gazetteer_version": gaz_version,
            "inputs": _input_list(todo, unreachable),
            "tag_problems": problems,
            "tag_problems_total": n_problems,
        }
    )
    if n_problems:
        log.warning("newsbeam: %s published untagged (tagging timed out or failed); see tag_status in "
                    "the articles table and 'tag_problems' in _runs/%s.json", plural(n_problems, "article"), run_id)
    exceeded = cfg.max_reject_rate is not None and summary["reject_rate"] > cfg.max_reject_rate
    record["status"] = "reject_rate_exceeded" if exceeded else "ok"
    record["exit_code"] = EXIT_REJECTS if exceeded else EXIT_OK
    attempt.stage = "publishing"
    if not todo:
        # A quiet night: nothing to publish (no empty run in the views or the report's per-run chart), but a record
        # so that `status` shows the run happened.
        record.update(status="no_new_input", published=False)
        write_record(out, record)
        shutil.rmtree(staging, ignore_errors=True)
    else:
        with watchdog.publishing():
            for warning in publish(out, run_id, staging, record):
                log.warning("newsbeam: warning: run %s is published, but %s", run_id, warning)
    log.info("%s", _human(summary, run_id, out, record["status"]))  # stderr (not with --quiet) and --log-file
    print(json.dumps({"newsbeam_summary": {"run_id": run_id, "status": record["status"], **summary}}, sort_keys=True))
    if exceeded:
        print(f"newsbeam: reject rate {summary['reject_rate']} exceeds --max-reject-rate {cfg.max_reject_rate}",
              file=sys.stderr)
        return EXIT_REJECTS
    return EXIT_OK


__all__ = ["run_command", "select_inputs", "summarize", "EXIT_INTERNAL", "EXIT_USAGE"]
