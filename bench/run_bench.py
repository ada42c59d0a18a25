"""The benchmark: one command (``make bench``) that times R and ``newsbeam run`` on the same corpus, on this machine.

    python bench/run_bench.py [--size-mb 300] [--corpus PATH] [--configs exact-only,full,...] [--workers 1,2]
                              [--memory-sizes 100] [--out-json FILE]

Steps, all in one invocation so every ratio compares runs made under the same load:

1. the corpus: generated (``generate_corpus.py``, kept under bench/corpus/ and reused) or ``--corpus``;
2. a fresh gazetteer cache (``NEWSBEAM_CACHE`` = a new temporary folder): a cold 10-article run builds it, a warm
   one measures start-up; every later run uses that cache, so no run pays a rebuild a source edit triggered;
3. R (``reference.py``), then ``newsbeam run`` once per configuration and worker count;
4. ``--memory-sizes``: more corpora of other sizes, run with exact-only and full at the largest worker count, to see
   how peak memory grows with the input.

Numbers (bench/README.md has the full list): wall seconds; articles/s; MB/s = ``text_mb`` of the run's JSON summary
(10^6 bytes of cleaned paragraph text) / wall seconds; ``x R`` = MB/s / R's MB/s (higher is faster); peak RSS of
the whole process tree (sum over its processes at one poll) and of the largest single process; stage costs by
subtracting configurations; the issue's targets, reached or not. Results: bench/results/bench-<UTC stamp>.json and
Markdown on stdout; the exit code is 1 when a run failed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CONFIGS: dict[str, list[str]] = {
    "exact-only": ["--exact-only"],  # exact dedup only: no near duplicates, no tagging
    "dedup-no-tagging": ["--no-places", "--no-actors"],  # exact + near dedup
    "full": [],  # exact + near dedup, places, actors
    "places-only": ["--no-near", "--no-actors"],  # exact dedup + places
    "actors-only": ["--no-near", "--no-places"],  # exact dedup + actors (places run inside, not written)
}
NEEDS_ACTORS = ("actors-only",)
POLL_S = 0.2
PER_FILE = 1000  # articles per generated part file (~3 MB): files are the unit of parallel reading
STARTUP_ARTICLES = 10


@dataclass
class Measured:
    """One process tree's run: exit code, wall time, memory, and its captured output."""

    returncode: int
    wall_s: float
    peak_tree_rss_mb: float
    peak_proc_rss_mb: float
    max_procs: int
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)
    # User + system CPU seconds of the whole tree (every descendant that was waited for: Beam's workers and the
    # tagging processes are), from getrusage(RUSAGE_CHILDREN) around the run; None where that is unavailable.
    cpu_s: float | None = None


class TreeSampler:
    """Polls the RSS of a process and all its descendants in a thread until stopped.

    The tree's peak is the largest sum over one poll (what the machine had to hold at once; pages shared by forked
    workers count once per process, so this over-counts somewhat); the process peak is the largest RSS any single
    process of the tree reached.
    """

    def __init__(self, pid: int, interval: float = POLL_S):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_tree = 0
        self.per_proc: dict[int, int] = {}
        self.max_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        total = 0
        for p in procs:
            try:
                rss = p.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            total += rss
            self.per_proc[p.pid] = max(self.per_proc.get(p.pid, 0), rss)
        self.peak_tree = max(self.peak_tree, total)
        self.max_procs = max(self.max_procs, len(procs))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_proc(self) -> int:
        return max(self.per_proc.values(), default=0)


def measure(cmd: list[str], timeout: float | None = None, env: dict | None = None) -> Measured:
    """Run ``cmd`` as its own process tree, timed by wall clock and watched by a ``TreeSampler``."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        ru0 = _children_cpu()
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        with TreeSampler(proc.pid) as sampler:
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                for child in psutil.Process(proc.pid).children(recursive=True):
                    child.kill()
                proc.kill()
                rc = proc.wait()
            wall = time.monotonic() - t0
        ru1 = _children_cpu()
        out.seek(0)
        err.seek(0)
        return Measured(rc, wall, sampler.peak_tree / 2**20, sampler.peak_proc / 2**20, sampler.max_procs,
                        out.read(), err.read(), None if ru0 is None or ru1 is None else ru1 - ru0)


def _children_cpu() -> float | None:
    try:
        import resource
    except ImportError:  # not on POSIX
        return None
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def summary_line(stdout: str, key: str) -> dict:
    """The run's own JSON summary (``{"newsbeam_summary": {...}}`` or ``{"reference_summary": {...}}``)."""
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{") and key in line:
            try:
                return json.loads(line)[key]
            except (json.JSONDecodeError, KeyError):
                continue
    return {}


def row(name: str, config: str, workers: int | None, m: Measured, summary: dict, ref_mb_s: float | None) -> dict:
    """One run's figures; ``x_R`` is its MB/s over R's MB/s (higher is faster, 1.0 = as fast as R)."""
    articles = summary.get("articles", 0)
    text_mb = summary.get("text_mb", 0.0)
    mb_s = text_mb / m.wall_s if m.wall_s else 0.0
    return {
        "name": name, "config": config, "workers": workers, "exit_code": m.returncode,
        "wall_s": round(m.wall_s, 2), "articles": articles,
        "articles_per_s": round(articles / m.wall_s, 1) if m.wall_s else 0.0,
        "text_mb": text_mb, "mb_per_s": round(mb_s, 3),
        "peak_tree_rss_mb": round(m.peak_tree_rss_mb, 1), "peak_proc_rss_mb": round(m.peak_proc_rss_mb, 1),
        "max_procs": m.max_procs, "x_R": round(mb_s / ref_mb_s, 3) if ref_mb_s else None,
        "cpu_s": round(m.cpu_s, 2) if m.cpu_s is not None else None,
        "cpu_s_per_mb": round(m.cpu_s / text_mb, 3) if m.cpu_s is not None and text_mb else None,
        "repeated_with_one_worker": bool(summary.get("repeated_with_one_worker")),
        "summary": summary,
        "stderr_tail": m.stderr.strip().splitlines()[-8:] if m.returncode else [],
    }


# --- Corpus and environment -----------------------------------------------------------------------------------


def ensure_corpus(mb: float, seed: int) -> Path:
    """A generated corpus of ``mb`` MB, kept under bench/corpus/ and reused by later invocations."""
    path = HERE / "corpus" / f"gen-{mb:g}mb-s{seed}-f{PER_FILE}-news"  # -news: not a corpus of the old generator
    if not (path / "corpus.json").exists():
        print(f"generating a {mb:g} MB corpus into {path} ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(HERE / "generate_corpus.py"), "--mb", str(mb), "--seed", str(seed),
                        "--per-file", str(PER_FILE), "--out", str(path)], check=True, stdout=subprocess.DEVNULL)
    return path


def corpus_inputs(corpus: Path) -> list[str]:
    """What to give ``newsbeam run``: a generated corpus' part files only (its corpus.json is not an article)."""
    if corpus.is_dir() and (corpus / "corpus.json").is_file():
        return [str(corpus / "part-*.jsonl.gz")]
    return [str(corpus)]


def startup_corpus(corpus: Path, dest: Path, n: int = STARTUP_ARTICLES) -> Path:
    """The first ``n`` articles of the corpus, as one JSONL file in ``dest``."""
    files = sorted(corpus.rglob("*.jsonl.gz")) or sorted(corpus.rglob("*.jsonl")) if corpus.is_dir() else [corpus]
    dest.mkdir(parents=True, exist_ok=True)
    out = dest / "startup.jsonl"
    opener = gzip.open if files[0].suffix == ".gz" else open
    with opener(files[0], "rt", encoding="utf-8") as f, out.open("w", encoding="utf-8") as o:
        for i, line in enumerate(f):
            if i >= n:
                break
            o.write(line)
    return out


def actors_available(python: str) -> bool:
    """Whether this checkout has the actor tagger: asked of a fresh interpreter, as the runs will be."""
    probe = subprocess.run([python, "-c", "import newsbeam.tags.actors"], capture_output=True)
    return probe.returncode == 0


def machine() -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=HERE, capture_output=True, text=True)
    return {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "platform": platform.platform(),
            "commit": commit.stdout.strip() or None, "src_modified": bool(dirty.stdout.strip())}


# --- Derived figures ------------------------------------------------------------------------------------------


def _find(rows: list[dict], config: str, workers: int | None = None, size: str = "main") -> dict | None:
    for r in rows:
        if r["config"] == config and r.get("size", "main") == size and (workers is None or r["workers"] == workers):
            if r["exit_code"] == 0:
                return r
    return None


def stage_costs(rows: list[dict]) -> list[dict]:
    """Seconds each stage adds, by subtracting configurations that differ only in that stage (same workers)."""
    pairs = [("near dedup", "dedup-no-tagging", "exact-only"), ("places + actors", "full", "dedup-no-tagging"),
             ("places", "places-only", "exact-only"), ("actors (with places inside)", "actors-only", "exact-only")]
    out = []
    for w in sorted({r["workers"] for r in rows if r["workers"]}):
        for stage, with_, without in pairs:
            a, b = _find(rows, with_, w), _find(rows, without, w)
            if a and b:
                out.append({"stage": stage, "workers": w, "seconds": round(a["wall_s"] - b["wall_s"], 2),
                            "from": f"{with_} - {without}"})
    return out


def memory_growth(rows: list[dict]) -> list[dict]:
    """Peak tree memory per configuration at each corpus size, and how much faster the input grew."""
    out = []
    for config in ("exact-only", "full"):
        runs = sorted((r for r in rows if r["config"] == config and r["exit_code"] == 0 and r.get("memory_run")),
                      key=lambda r: r["text_mb"])
        if len(runs) >= 2:
            lo, hi = runs[0], runs[-1]
            input_x = hi["text_mb"] / lo["text_mb"] if lo["text_mb"] else None
            mem_x = hi["peak_tree_rss_mb"] / lo["peak_tree_rss_mb"] if lo["peak_tree_rss_mb"] else None
            out.append({"config": config, "workers": hi["workers"],
                        "points": [(r["text_mb"], r["peak_tree_rss_mb"], r["peak_proc_rss_mb"]) for r in runs],
                        "input_growth": round(input_x, 2) if input_x else None,
                        "memory_growth": round(mem_x, 2) if mem_x else None,
                        "mb_memory_per_mb_input": round((hi["peak_tree_rss_mb"] - lo["peak_tree_rss_mb"])
                                                        / (hi["text_mb"] - lo["text_mb"]), 2)
                        if hi["text_mb"] > lo["text_mb"] else None})
    return out


def _target(name: str, measured: float | None, goal: float, at_most: bool = False, note: str = "") -> dict:
    if measured is None:
        return {"target": name, "goal": goal, "measured": None, "reached": None, "note": note or "not measured"}
    ok = measured <= goal if at_most else measured >= goal
    ratio = (goal / measured if at_most else measured / goal) if measured and goal else None
    return {"target": name, "goal": goal, "measured": round(measured, 3), "reached": ok,
            "share_of_goal": round(ratio, 3) if ratio is not None else None, "note": note}


def targets(rows: list[dict], startup: dict | None, growth: list[dict], actors_used: bool) -> list[dict]:
    """Issue 18's targets on this machine, reached or not (ratios to R measured in the same invocation): x R on wall
    time, and the same ratio on CPU seconds (R's CPU-s per MB / the run's), which the machine's load moves less."""
    out = []
    ex2 = _find(rows, "exact-only", 2)
    full2 = _find(rows, "full", 2)
    note = "" if actors_used else "actors not available: full ran without actors"
    out.append(_target("full pipeline, 2 workers, x R", full2 and full2["x_R"], 0.25, note=note))
    out.append(_target("full pipeline, 2 workers, x R (stretch)", full2 and full2["x_R"], 0.5, note=note))
    out.append(_target("exact-dedup-only, 2 workers, x R", ex2 and ex2["x_R"], 1.0))
    ref = next((r for r in rows if r["config"] == "reference" and r.get("size", "main") == "main"), None)
    for name, run in (("full pipeline, 2 workers", full2), ("exact-dedup-only, 2 workers", ex2)):
        cpu_x = (ref["cpu_s_per_mb"] / run["cpu_s_per_mb"]) if ref and run and ref.get("cpu_s_per_mb") and \
            run.get("cpu_s_per_mb") else None
        out.append(_target(f"{name}, x R on CPU seconds (reported)", cpu_x, 0.25 if "full" in name else 1.0))
    fulls = sorted((r for r in rows if r["config"] == "full" and r["exit_code"] == 0 and r["workers"] == 2),
                   key=lambda r: r["text_mb"])
    at100 = min(fulls, key=lambda r: abs(r["text_mb"] - 100), default=None)
    out.append(_target("full: peak memory, all processes, at 100 MB (GB)",
                       at100["peak_tree_rss_mb"] / 1024 if at100 else None, 1.5, at_most=True,
                       note=f"measured at {at100['text_mb']:.0f} MB" if at100 else ""))
    for g in growth:
        out.append(_target(f"{g['config']}: memory per MB of text between the sizes measured (MB/MB)",
                           g["mb_memory_per_mb_input"], 2.0, at_most=True,
                           note=f"points (MB text, MB tree, MB proc): {g['points']}"))
    reruns = [f"{r['config']} w{r['workers']} {r.get('size', 'main')}" for r in rows if r.get("repeated_with_one_worker")]
    out.append(_target("runs repeated with one worker after the runner lost records", float(len(reruns)), 0.0,
                       at_most=True, note=", ".join(reruns)))
    out.append(_target("start-up: 10 articles, --workers 1, warm cache (s)", startup and startup["wall_s"], 5.0,
                       at_most=True))
    return out


# --- Report ---------------------------------------------------------------------------------------------------


def markdown(result: dict) -> str:
    meta, rows = result["meta"], result["runs"]
    c = meta.get("corpus_meta", {})
    m = meta["machine"]
    lines = [f"## newsbeam benchmark {meta['timestamp']}", "",
             f"corpus: {meta['corpus']} ({c.get('articles', '?')} articles, {c.get('text_bytes', 0) / 1e6:.1f} MB "
             f"of article text); machine: {m['cpus']} CPUs, {m['memory_gb']} GB, load {m['load_avg_at_start']} at "
             f"start; actors {'used' if meta['actors_used'] else 'NOT available (runs use --no-actors)'}; "
             f"gazetteer cache build {meta.get('cache_build_s')} s", "",
             "| run | size | workers | exit | wall s | CPU s | articles/s | MB/s | x R | peak RSS tree MB | "
             "peak RSS proc MB | procs | duplicates (near) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        s = r["summary"]
        dups = s.get("duplicates", s.get("exact_duplicates", ""))
        near = s.get("near_duplicates")
        lines.append(f"| {r['name']} | {r.get('size', 'main')} | {r['workers'] or ''} | {r['exit_code']} | "
                     f"{r['wall_s']} | {r.get('cpu_s') or ''} | {r['articles_per_s']} | {r['mb_per_s']} | "
                     f"{r['x_R'] if r['x_R'] is not None else ''} | {r['peak_tree_rss_mb']} | "
                     f"{r['peak_proc_rss_mb']} | {r['max_procs']} | {dups}{f' ({near})' if near else ''}"
                     f"{' (repeated with 1 worker)' if r.get('repeated_with_one_worker') else ''} |")
    if result["stage_costs"]:
        lines += ["", "Stage costs (wall seconds a stage adds; difference of two configurations):", "",
                  "| stage | workers | seconds | from |", "|---|---:|---:|---|"]
        lines += [f"| {s['stage']} | {s['workers']} | {s['seconds']} | {s['from']} |" for s in result["stage_costs"]]
    ref = _find(rows, "reference", 1)
    if ref and ref["summary"].get("seconds_parquet") is not None:
        s = ref["summary"]
        lines += ["", f"R's own split: {s['seconds'] - s['seconds_parquet']:.2f} s reading, splitting, normalising "
                  f"and hashing; {s['seconds_parquet']:.2f} s building and writing Parquet."]
    if result["memory_growth"]:
        lines += ["", "Memory against input size (peak RSS, all processes):", "",
                  "| config | workers | (text MB, tree MB, proc MB) | input growth | memory growth | MB per input MB |",
                  "|---|---:|---|---:|---:|---:|"]
        for g in result["memory_growth"]:
            lines.append(f"| {g['config']} | {g['workers']} | {g['points']} | x{g['input_growth']} | "
                         f"x{g['memory_growth']} | {g['mb_memory_per_mb_input']} |")
    lines += ["", "Targets (issue 18):", "", "| target | goal | measured | reached | share of goal | note |",
              "|---|---:|---:|:-:|---:|---|"]
    for t in result["targets"]:
        mark = {True: "yes", False: "**no**", None: "—"}[t["reached"]]
        lines.append(f"| {t['target']} | {t['goal']} | {t['measured'] if t['measured'] is not None else '—'} | "
                     f"{mark} | {t.get('share_of_goal') or ''} | {t['note']} |")
    return "\n".join(lines)


# --- Main -----------------------------------------------------------------------------------------------------


@dataclass
class Bench:
    """Shared settings of one invocation's runs."""

    newsbeam: str
    env: dict
    work: Path
    timeout: float | None
    actors: bool
    rows: list[dict] = field(default_factory=list)

    def flags(self, config: str) -> list[str]:
        extra = [] if self.actors or "--no-actors" in CONFIGS[config] else ["--no-actors"]
        return [*CONFIGS[config], *extra]

    def newsbeam_run(self, name: str, config: str, workers: int, inputs: list[str], ref_mb_s: float | None,
                     **tags: object) -> dict:
        out = self.work / f"out-{len(self.rows)}"
        cmd = [self.newsbeam, "run", *inputs, "--out", str(out), "--workers", str(workers), "--quiet",
               *self.flags(config)]
        m = measure(cmd, self.timeout, self.env)
        r = row(name, config, workers, m, summary_line(m.stdout, "newsbeam_summary"), ref_mb_s)
        r.update(flags=self.flags(config), **tags)
        shutil.rmtree(out, ignore_errors=True)
        return self.add(r)

    def add(self, r: dict) -> dict:
        self.rows.append(r)
        print(f"  {r['name']:<34} {r.get('size', 'main'):>6} w{r['workers'] or '-'} exit {r['exit_code']} "
              f"{r['wall_s']:>8.1f} s {r['mb_per_s']:>7.3f} MB/s  tree {r['peak_tree_rss_mb']:>7.1f} MB",
              file=sys.stderr, flush=True)
        return r


def reference_run(b: Bench, corpus: Path, size: str) -> float | None:
    """R on the corpus; returns its MB/s (the denominator of every ``x R``) or None if it failed."""
    m = measure([sys.executable, str(HERE / "reference.py"), str(corpus), "--out", str(b.work / "ref")], b.timeout)
    r = row("R (reference)", "reference", 1, m, summary_line(m.stdout, "reference_summary"), None)
    ok = m.returncode == 0 and r["mb_per_s"] > 0
    r["x_R"] = 1.0 if ok else None
    r["size"] = size
    b.add(r)
    shutil.rmtree(b.work / "ref", ignore_errors=True)
    return r["mb_per_s"] if ok else None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", "--mb", dest="size_mb", type=float, default=300.0,
                    help="size of the generated corpus in 10^6 bytes of article text (default 300)")
    ap.add_argument("--corpus", help="use this corpus (folder, file or glob) instead of generating one")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--configs", default=",".join(CONFIGS), help=f"comma list of {', '.join(CONFIGS)}")
    ap.add_argument("--workers", default="1,2", help="comma list of worker counts (default 1,2)")
    ap.add_argument("--memory-sizes", default="100",
                    help="comma list of further corpus sizes (MB) run with exact-only and full at the largest "
                         "worker count, for memory against input size; '' for none (default 100)")
    ap.add_argument("--no-reference", action="store_true", help="skip R (x R is then empty)")
    ap.add_argument("--no-startup", action="store_true", help="skip the cache build and 10-article start-up runs")
    ap.add_argument("--newsbeam", default=str(Path(sys.executable).with_name("newsbeam")))
    ap.add_argument("--timeout", type=float, default=None, help="seconds before a run is killed")
    ap.add_argument("--work-dir", help="where run outputs go (default: a temporary folder, removed)")
    ap.add_argument("--out-json", "--out", dest="out_json",
                    help="result JSON (default bench/results/bench-<UTC stamp>.json)")
    a = ap.parse_args(argv)
    a.config_list = [c.strip() for c in a.configs.split(",") if c.strip()]
    unknown = [c for c in a.config_list if c not in CONFIGS]
    if unknown:
        ap.error(f"unknown config(s): {', '.join(unknown)}")
    a.worker_list = [int(w) for w in a.workers.split(",") if w.strip()]
    a.memory_list = [float(x) for x in a.memory_sizes.split(",") if x.strip()]
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    corpus = Path(a.corpus) if a.corpus else ensure_corpus(a.size_mb, a.seed)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    work = Path(a.work_dir or tempfile.mkdtemp(prefix="nb-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cache = work / "newsbeam-cache"
    python = str(Path(a.newsbeam).with_name("python"))
    actors = actors_available(python if Path(python).exists() else sys.executable)
    b = Bench(a.newsbeam, {**os.environ, "NEWSBEAM_CACHE": str(cache)}, work, a.timeout, actors)
    meta_file = corpus / "corpus.json"
    meta = {"timestamp": stamp, "corpus": str(corpus), "machine": machine(), "actors_used": actors,
            "corpus_meta": json.loads(meta_file.read_text()) if meta_file.is_file() else {},
            "configs": a.config_list, "workers": a.worker_list, "memory_sizes": a.memory_list,
            "newsbeam_cache": "fresh temporary folder (NEWSBEAM_CACHE)"}
    startup = None
    try:
        small = [str(startup_corpus(corpus, work / "startup-in"))]
        if not a.no_startup:
            cold = b.newsbeam_run("start-up, cold cache (builds it)", "full", 1, small, None, size="10 art")
            startup = b.newsbeam_run("start-up, warm cache", "full", 1, small, None, size="10 art")
            meta["cache_build_s"] = round(cold["wall_s"] - startup["wall_s"], 2)
        else:
            # The cache is fresh: without this untimed run, the first run that tags would pay its build (~8 s).
            warm = measure([a.newsbeam, "run", *small, "--out", str(work / "warm-up"), "--workers", "1", "--quiet"],
                           a.timeout, b.env)
            shutil.rmtree(work / "warm-up", ignore_errors=True)
            meta["cache_build"] = f"untimed warm-up run, exit {warm.returncode}"
        ref = None if a.no_reference else reference_run(b, corpus, "main")
        inputs = corpus_inputs(corpus)
        for config in a.config_list:
            if config in NEEDS_ACTORS and not actors:
                print(f"  skipping {config}: newsbeam.tags.actors is not importable", file=sys.stderr)
                continue
            for w in a.worker_list:
                b.newsbeam_run(f"newsbeam {config}", config, w, inputs, ref,
                               memory_run=config in ("exact-only", "full") and w == max(a.worker_list))
        for mb in a.memory_list:
            other = ensure_corpus(mb, a.seed)
            ref_other = None if a.no_reference else reference_run(b, other, f"{mb:g}MB")
            for config in ("exact-only", "full"):
                b.newsbeam_run(f"newsbeam {config}", config, max(a.worker_list), corpus_inputs(other), ref_other,
                               size=f"{mb:g}MB", memory_run=True)
    finally:
        if not a.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    growth = memory_growth(b.rows)
    result = {"meta": meta, "runs": b.rows, "startup": startup and {k: startup[k] for k in ("wall_s", "exit_code")},
              "stage_costs": stage_costs(b.rows), "memory_growth": growth,
              "targets": targets(b.rows, startup, growth, actors)}
    path = Path(a.out_json) if a.out_json else RESULTS / f"bench-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(markdown(result))
    print(f"\nwrote {path}")
    return 0 if all(r["exit_code"] == 0 for r in b.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
