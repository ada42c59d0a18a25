"""What the per-article tagging budget costs: the full pipeline with the budget (tagging in a child process per
worker, each article sent over a pipe) against ``article_budget_s = 0`` (tagging in the worker itself, no
protection), interleaved A/B/A/B in one invocation, CPU seconds of the whole process tree.

    .venv/bin/python bench/budget_overhead.py [--mb 10] [--pairs 3] [--workers 1] [--corpus PATH]

The corpus is generated with ``generate_corpus.py`` (seed 1) unless ``--corpus`` is given. The target is at most
5% more CPU with the budget.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

BENCH = Path(__file__).resolve().parent


def tree_cpu(cmd: list[str]) -> tuple[float, float, dict]:
    """(CPU seconds of the process and every descendant, wall seconds, run summary)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    root = psutil.Process(proc.pid)
    seen: dict[int, float] = {}
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    t = p.cpu_times()
                    seen[p.pid] = max(seen.get(p.pid, 0.0), t.user + t.system)
                except psutil.Error:
                    pass
            stop.wait(0.1)

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    out, _ = proc.communicate()
    stop.set()
    th.join()
    summary = next(json.loads(line)["newsbeam_summary"] for line in out.splitlines() if "newsbeam_summary" in line)
    return sum(seen.values()), time.monotonic() - t0, summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=10.0)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--workers", default="1")
    ap.add_argument("--corpus")
    a = ap.parse_args(argv)
    corpus = a.corpus
    if corpus is None:
        corpus = str(BENCH / "corpus" / f"gen-{a.mb:g}mb-s1-news")
        if not Path(corpus).exists():
            subprocess.run([sys.executable, str(BENCH / "generate_corpus.py"), "--mb", str(a.mb), "--out", corpus,
                            "--seed", "1"], check=True)
    newsbeam = str(Path(sys.executable).with_name("newsbeam"))
    with tempfile.TemporaryDirectory() as tmp:
        nobudget = Path(tmp) / "nobudget.toml"
        nobudget.write_text("[tagging]\narticle_budget_s = 0\n")
        configs = {"budget (default)": [], "no budget (in-process)": ["--config", str(nobudget)]}
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in configs}
        for i in range(a.pairs):
            order = list(configs) if i % 2 == 0 else list(reversed(configs))
            for name in order:
                out = Path(tmp) / f"out-{i}-{len(results[name])}-{name[:2]}"
                cpu, wall, summary = tree_cpu([newsbeam, "run", corpus, "--out", str(out), "--quiet",
                                               "--workers", a.workers, *configs[name]])
                results[name].append((cpu, wall))
                print(json.dumps({"run": name, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
                                  "articles": summary["articles"], "tag_timeouts": summary["tag_timeouts"]}),
                      flush=True)
    med = {k: statistics.median(c for c, _ in v) for k, v in results.items()}
    ratio = med["budget (default)"] / med["no budget (in-process)"]
    print(json.dumps({"median_cpu_s": {k: round(v, 2) for k, v in med.items()},
                      "budget_cpu_ratio": round(ratio, 3), "target": "<= 1.05"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
