"""Where a run's CPU goes: start-up, our stages, and Beam's runner around them (issue 18's "Beam share").

Runs ``newsbeam run CORPUS --workers 1`` in this process under cProfile, with tagging in-process (article budget 0,
so the profile sees it; the budgeted child costs about the same, see README), and splits the profiled time into:

* ``startup``: everything before the pipeline runs (imports, listing, configuration) and after it (publishing);
* ``stages``: time inside our DoFns' ``setup``/``start_bundle``/``process``/``finish_bundle``/``teardown`` (the
  ``*Fn`` classes of the stage modules) and the small functions the graph maps over elements;
* ``beam``: the rest of the pipeline's time: encoding and decoding elements, the in-process data plane, bundles,
  shuffles (GroupByKey buffers), metrics.

One worker on purpose: it is the only mode where the whole job (runner and workers) is one process a profiler sees.
With several workers Beam adds worker processes and a gRPC data plane on top, which this does not measure. cProfile
slows Python code down (ours and Beam's alike), so the shares, not the seconds, are the figures to compare.

    .venv/bin/python bench/beam_share.py 'bench/corpus/gen-30mb-s1-f1000-news/part-*.jsonl.gz' [--config FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

STAGE_FILES = ("ingest/stages.py", "text/stages.py", "dedup/near.py", "dedup/transforms.py", "output/stages.py",
               "output/tombstone_stage.py", "graph.py")
STAGE_METHODS = ("setup", "start_bundle", "process", "finish_bundle", "teardown", "<lambda>")


def split_profile(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of the pipeline run and of our stage methods, from a cProfile of ``newsbeam run``."""
    pipeline = stages = total = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        f = filename.replace("\\", "/")
        if "/newsbeam/" in f and f.endswith("graph.py") and name == "run_job":
            pipeline = ct
        elif "/newsbeam/" in f and f.endswith(STAGE_FILES) and name in STAGE_METHODS:
            stages += ct
        if "/newsbeam/" in f and f.endswith("cli.py") and name == "main":
            total = ct
    return {"total": total, "pipeline": pipeline, "stages": stages}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", help="a file, folder or glob newsbeam reads")
    ap.add_argument("--config", help="extra newsbeam configuration (the article budget is set to 0 on top)")
    ap.add_argument("--flags", default="", help="more `newsbeam run` flags, e.g. '--exact-only'")
    a = ap.parse_args(argv)
    from newsbeam.cli import main as newsbeam_main

    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "budget0.toml"
        base = Path(a.config).read_text() if a.config else ""
        cfg.write_text(base + "\n[tagging]\narticle_budget_s = 0\n" if "[tagging]" not in base else base)
        out = Path(tmp) / "out"
        prof = cProfile.Profile()
        cpu0, wall0 = time.process_time(), time.monotonic()
        with contextlib.redirect_stdout(io.StringIO()) as captured:
            prof.enable()
            code = newsbeam_main(["run", a.corpus, "--out", str(out), "--workers", "1", "--quiet", "--config",
                                  str(cfg), *a.flags.split()])
            prof.disable()
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    summary = next((json.loads(line)["newsbeam_summary"] for line in captured.getvalue().splitlines()
                    if line.startswith('{"newsbeam_summary"')), {})
    parts = split_profile(pstats.Stats(prof))
    total, pipeline, stages = parts["total"], parts["pipeline"], parts["stages"]
    mb = summary.get("text_mb") or 0.0
    res = {
        "exit": code, "text_mb": mb, "cpu_s_unprofiled_process": round(cpu, 2), "wall_s": round(wall, 2),
        "profiled_s": {"total": round(total, 2), "startup_and_publish": round(total - pipeline, 2),
                       "stages": round(stages, 2), "beam": round(pipeline - stages, 2)},
        "shares_of_pipeline": {"stages": round(stages / pipeline, 3) if pipeline else None,
                               "beam": round((pipeline - stages) / pipeline, 3) if pipeline else None},
        "beam_s_per_10mb_profiled": round((pipeline - stages) / mb * 10, 2) if mb else None,
    }
    print(json.dumps({"beam_share": res}, indent=1))
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
