"""The benchmark: one command (``make bench``) that times R and ``newsbeam run`` on the same corpus, on this machine.

    python bench/run_bench.py [--mb 300] [--corpus PATH] [--configs exact-only,full,places,actors] [--workers 1,2]

Steps: generate the corpus (or take ``--corpus``; a generated one is kept under bench/corpus/ and reused), run the
reference R (``bench/reference.py``), then ``newsbeam run`` once per configuration and worker count, each into a
fresh output folder, and finally a start-up run (10 articles, ``--workers 1``). Every run is a separate process
tree, timed by wall clock and watched with psutil every 0.2 s.

Numbers (see bench/README.md): wall seconds; articles/s; MB/s = ``text_mb`` from the run's JSON summary line (10^6
bytes of cleaned paragraph text) / wall seconds; peak RSS of the whole process tree (sum over processes at the same
poll) and of the largest single process; ``x R`` = wall seconds / R's wall seconds in this invocation.
Results: bench/results/bench-<timestamp>.json and a Markdown table on stdout.
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
    "exact-only": ["--exact-only"],
    "full": [],
    "places": ["--no-near", "--no-actors"],
    "actors": ["--no-near", "--no-places"],
}
# Not in the default list: isolates the dedup cost (exact + near, no tagging).
EXTRA_CONFIGS: dict[str, list[str]] = {"near-only": ["--no-places", "--no-actors"]}
ALL_CONFIGS = {**CONFIGS, **EXTRA_CONFIGS}
POLL_S = 0.2


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


def measure(cmd: list[str], timeout: float | None = None, env: dict | None = None) -> Measured:
    """Run ``cmd``, polling the RSS of it and all its descendants until it exits.

    The tree's peak is the largest sum over one poll (what the machine had to hold at once); the process peak is
    the largest RSS any single process reached.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        root = psutil.Process(proc.pid)
        peak_tree, per_proc, max_procs = 0, {}, 0
        stop = threading.Event()

        def poll() -> None:
            nonlocal peak_tree, max_procs
            while not stop.is_set():
                try:
                    procs = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    return
                total = 0
                for p in procs:
                    try:
                        rss = p.memory_info().rss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    total += rss
                    per_proc[p.pid] = max(per_proc.get(p.pid, 0), rss)
                peak_tree = max(peak_tree, total)
                max_procs = max(max_procs, len(procs))
                stop.wait(POLL_S)

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        wall = time.monotonic() - t0
        stop.set()
        watcher.join()
        out.seek(0)
        err.seek(0)
        return Measured(rc, wall, peak_tree / 2**20, max(per_proc.values(), default=0) / 2**20, max_procs,
                        out.read(), err.read())


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


def row(name: str, config: str, workers: int | None, m: Measured, summary: dict, ref_wall: float | None) -> dict:
    articles = summary.get("articles", 0)
    text_mb = summary.get("text_mb", 0.0)
    return {
        "name": name, "config": config, "workers": workers, "exit_code": m.returncode,
        "wall_s": round(m.wall_s, 2), "articles": articles,
        "articles_per_s": round(articles / m.wall_s, 1) if m.wall_s else 0.0,
        "text_mb": text_mb, "mb_per_s": round(text_mb / m.wall_s, 3) if m.wall_s else 0.0,
        "peak_tree_rss_mb": round(m.peak_tree_rss_mb, 1), "peak_proc_rss_mb": round(m.peak_proc_rss_mb, 1),
        "max_procs": m.max_procs, "x_R": round(m.wall_s / ref_wall, 2) if ref_wall else None,
        "summary": summary,
        "stderr_tail": m.stderr.strip().splitlines()[-5:] if m.returncode else [],
    }


def ensure_corpus(mb: float, seed: int, corpus: str | None) -> Path:
    if corpus:
        return Path(corpus)
    path = HERE / "corpus" / f"gen-{mb:g}mb-s{seed}"
    if not (path / "corpus.json").exists():
        print(f"generating {mb:g} MB corpus into {path} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate_corpus.py"), "--mb", str(mb), "--seed", str(seed),
                        "--out", str(path)], check=True, stdout=subprocess.DEVNULL)
    return path


def startup_corpus(corpus: Path, dest: Path, n: int = 10) -> Path:
    """The first ``n`` articles of the corpus, as one JSONL file."""
    files = sorted(corpus.rglob("*.jsonl.gz")) or sorted(corpus.rglob("*.jsonl"))
    dest.mkdir(parents=True, exist_ok=True)
    out = dest / "startup.jsonl"
    with (gzip.open(files[0], "rt", encoding="utf-8") if files[0].suffix == ".gz" else files[0].open()) as f, \
            out.open("w", encoding="utf-8") as o:
        for i, line in enumerate(f):
            if i >= n:
                break
            o.write(line)
    return dest


def machine() -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True)
    return {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "commit": commit.stdout.strip() or None}


def markdown(rows: list[dict], meta: dict) -> str:
    c = meta.get("corpus_meta", {})
    lines = [f"## newsbeam benchmark {meta['timestamp']}", "",
             f"corpus: {meta['corpus']} ({c.get('articles', '?')} articles, {c.get('text_bytes', 0) / 1e6:.1f} MB "
             f"of article text); machine: {meta['machine']['cpus']} CPUs, {meta['machine']['memory_gb']} GB", "",
             "| run | workers | exit | wall s | articles/s | MB/s | x R | peak RSS tree MB | peak RSS proc MB | "
             "procs | duplicates |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        s = r["summary"]
        dups = s.get("duplicates", s.get("exact_duplicates", ""))
        lines.append(f"| {r['name']} | {r['workers'] or ''} | {r['exit_code']} | {r['wall_s']} | "
                     f"{r['articles_per_s']} | {r['mb_per_s']} | {r['x_R'] if r['x_R'] is not None else ''} | "
                     f"{r['peak_tree_rss_mb']} | {r['peak_proc_rss_mb']} | {r['max_procs']} | {dups} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=300.0, help="size of the generated corpus (10^6 bytes of text)")
    ap.add_argument("--corpus", help="use this corpus (folder or file) instead of generating one")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--configs", default=",".join(CONFIGS), help=f"comma list of {', '.join(ALL_CONFIGS)}")
    ap.add_argument("--workers", default="1,2", help="comma list of worker counts")
    ap.add_argument("--no-reference", action="store_true", help="skip R (x R is then empty)")
    ap.add_argument("--no-startup", action="store_true", help="skip the 10-article start-up run")
    ap.add_argument("--startup-config", default="full", choices=sorted(ALL_CONFIGS),
                    help="configuration of the start-up run")
    ap.add_argument("--newsbeam", default=str(Path(sys.executable).with_name("newsbeam")))
    ap.add_argument("--timeout", type=float, default=None, help="seconds before a run is killed")
    ap.add_argument("--work-dir", help="where run outputs go (default: a temporary folder, removed)")
    ap.add_argument("--out", help="result JSON (default bench/results/bench-<timestamp>.json)")
    a = ap.parse_args(argv)

    configs = [c.strip() for c in a.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in ALL_CONFIGS]
    if unknown:
        ap.error(f"unknown config(s): {', '.join(unknown)}")
    workers = [int(w) for w in a.workers.split(",") if w.strip()]
    corpus = ensure_corpus(a.mb, a.seed, a.corpus)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    work = Path(a.work_dir or tempfile.mkdtemp(prefix="nb-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    meta_file = corpus / "corpus.json"
    meta = {"timestamp": stamp, "corpus": str(corpus), "machine": machine(),
            "corpus_meta": json.loads(meta_file.read_text()) if meta_file.is_file() else {},
            "configs": configs, "workers": workers}
    rows: list[dict] = []

    def progress(r: dict) -> None:
        print(f"  {r['name']:<24} exit {r['exit_code']}  {r['wall_s']:>8.1f} s  {r['mb_per_s']:>7.3f} MB/s  "
              f"tree {r['peak_tree_rss_mb']:>8.1f} MB", file=sys.stderr, flush=True)

    try:
        ref_wall = None
        if not a.no_reference:
            m = measure([sys.executable, str(HERE / "reference.py"), str(corpus), "--out", str(work / "ref")],
                        a.timeout)
            rows.append(row("R (reference)", "reference", 1, m, summary_line(m.stdout, "reference_summary"), None))
            ref_wall = m.wall_s if m.returncode == 0 else None
            rows[-1]["x_R"] = 1.0 if ref_wall else None
            progress(rows[-1])
            shutil.rmtree(work / "ref", ignore_errors=True)
        for config in configs:
            for w in workers:
                out = work / f"out-{config}-w{w}"
                cmd = [a.newsbeam, "run", str(corpus), "--out", str(out), "--workers", str(w), "--quiet",
                       *ALL_CONFIGS[config]]
                m = measure(cmd, a.timeout)
                rows.append(row(f"newsbeam {config}", config, w, m, summary_line(m.stdout, "newsbeam_summary"),
                                ref_wall))
                progress(rows[-1])
                shutil.rmtree(out, ignore_errors=True)
        if not a.no_startup:
            small = startup_corpus(corpus, work / "startup-in")
            out = work / "out-startup"
            m = measure([a.newsbeam, "run", str(small), "--out", str(out), "--workers", "1", "--quiet",
                         *ALL_CONFIGS[a.startup_config]], a.timeout)
            rows.append(row(f"newsbeam start-up (10 articles, {a.startup_config})", a.startup_config, 1, m,
                            summary_line(m.stdout, "newsbeam_summary"), None))
            progress(rows[-1])
    finally:
        if not a.work_dir:
            shutil.rmtree(work, ignore_errors=True)

    result = {"meta": meta, "runs": rows}
    path = Path(a.out) if a.out else RESULTS / f"bench-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(markdown(rows, meta))
    print(f"\nwrote {path}")
    return 0 if all(r["exit_code"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
