"""The same job on Beam's portable path gives the same rows as the default in-process runner.

Why: a cluster runner (Flink, Spark, Dataflow) runs the graph in separate SDK worker processes that only see what
the installed package and the pipeline proto give them. Beam's Python local job service plus an EXTERNAL worker pool
is the closest stand-in this machine can run without Java: if a DoFn relied on state shared in one process, on a
main-session global or on a file only the driver wrote, the rows would differ (or the job would fail) here first.

Both services are started on 127.0.0.1 by the fixture, from the venv's Python, and killed afterwards. The worker
pool starts each SDK worker with a bare ``python`` looked up on PATH, so the venv's bin folder must come first on
PATH: without it the worker dies with "No module named 'apache_beam'" and the job hangs instead of failing, which is
why every wait below has a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PY = Path(sys.executable)
NEWSBEAM = PY.with_name("newsbeam")
RUN_TIMEOUT_S = 120
TABLES = ("articles", "paragraphs", "rejects")

WIRE = [
    "Flood defences along the River Ouse in York held overnight after the water rose to its highest level in "
    "four years, the Environment Agency said on Sunday, but dozens of homes in low-lying streets were evacuated "
    "as a precaution.",
    "Council workers spent the night filling sandbags at a depot on the edge of the city, and volunteers from "
    "three rowing clubs helped move elderly residents to a leisure centre that had been opened as a rest point.",
    "Forecasters expect further heavy rain across North Yorkshire on Tuesday, and river levels are not expected "
    "to fall until the end of the week.",
]
EDITED = [
    WIRE[0].replace("said on Sunday", "said Sunday"),
    WIRE[1].replace("three rowing clubs", "three local rowing clubs"),
    WIRE[2],
]
OTHER = [
    "A bus operator in Sheffield has cut evening services on six routes after failing to recruit enough drivers, "
    "leaving some suburbs without a bus after eight o'clock at night.",
    "The company said it had hired 40 drivers since the spring but that more than 60 posts remained vacant, and "
    "that it hoped to restore the timetable before Christmas.",
    "Advertisement",
]


def _articles() -> list[dict]:
    def art(i: str, source: str, day: int, paras: list[str]) -> dict:
        return {"id": i, "title": f"Story {i}", "url": f"https://{source}.example/{i}", "source": source,
                "published": f"2026-03-{day:02d}T08:00:00Z", "text": "\n\n".join(paras)}

    return [
        art("wire-1", "wire", 2, WIRE),
        art("copy-1", "courier", 3, WIRE),  # word for word
        art("edit-1", "herald", 4, EDITED),  # lightly edited: near duplicates
        art("other-1", "courier", 3, OTHER),
        art("other-2", "herald", 5, OTHER[:1] + ["Advertisement", OTHER[1]]),
        art("empty-1", "herald", 5, []),  # no paragraph left: a reject
    ]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("portable-in")
    with (d / "feed.jsonl").open("w", encoding="utf-8") as f:
        for rec in _articles():
            f.write(json.dumps(rec) + "\n")
        f.write('{"id": "broken", "text": \n')  # a bad JSON line: a reject
    (d / "note.txt").write_text("Police in Leeds said the road reopened on Monday afternoon.\n\n" + OTHER[0] + "\n",
                                encoding="utf-8")
    return d


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, proc: subprocess.Popen, deadline_s: float = 30.0) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"service on port {port} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listening on port {port} after {deadline_s} s")


def _stop(proc: subprocess.Popen) -> None:
    """End a service and the SDK workers it started (its own process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def portable(tmp_path_factory):
    """(job_port, pool_port, job service log path) of a running local job service and EXTERNAL worker pool."""
    logs = tmp_path_factory.mktemp("portable-logs")
    # tests/ on the workers' path too: the budget test chooses fault-injection taggers from fault_taggers.py.
    tests_dir = str(Path(__file__).resolve().parent)
    env = {**os.environ, "PATH": f"{PY.parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": os.pathsep.join(p for p in (tests_dir, os.environ.get("PYTHONPATH")) if p)}
    job_port, pool_port = _free_port(), _free_port()
    cmds = {
        "job_service": [str(PY), "-m", "apache_beam.runners.portability.local_job_service_main",
                        "--port", str(job_port)],
        "worker_pool": [str(PY), "-m", "apache_beam.runners.worker.worker_pool_main",
                        "--service_port", str(pool_port)],
    }
    procs = []
    try:
        for name, cmd in cmds.items():
            log = (logs / f"{name}.log").open("w")
            procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                          start_new_session=True))
        _wait_listening(job_port, procs[0])
        _wait_listening(pool_port, procs[1])
        yield job_port, pool_port, logs
    finally:
        for p in procs:
            _stop(p)


def _run(corpus: Path, out: Path, beam_args: list[str]) -> dict:
    cmd = [str(NEWSBEAM), "run", str(corpus), "--out", str(out), "--no-actors", "--quiet"]
    if beam_args:
        cmd += ["--", *beam_args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith('{"newsbeam_summary"'))
    return json.loads(line)["newsbeam_summary"]


def _rows(out: Path, table: str) -> list[str]:
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    try:
        cols = [c for c in con.sql(f"SELECT * FROM {table} LIMIT 0").columns if c != "run_id"]
        return sorted(repr(r) for r in con.sql(f"SELECT {', '.join(cols)} FROM {table}").fetchall())
    finally:
        con.close()


def test_portable_runner_gives_the_same_rows(corpus, portable, tmp_path):
    job_port, pool_port, logs = portable
    a = _run(corpus, tmp_path / "A", ["--runner=PortableRunner", f"--job_endpoint=localhost:{job_port}",
                                      "--environment_type=EXTERNAL", f"--environment_config=localhost:{pool_port}"])
    b = _run(corpus, tmp_path / "B", [])
    # The portable run really went through the job service and its external workers.
    assert "Running job" in (logs / "job_service.log").read_text()
    assert "Starting worker" in (logs / "worker_pool.log").read_text()
    # Not a trivial corpus: both duplicate kinds, a local-only short paragraph and rejects are exercised.
    assert b["exact_duplicates"] >= 3 and b["near_duplicates"] >= 2 and b["rejects"] >= 2, b
    keys = ("articles", "paragraphs", "duplicates", "exact_duplicates", "near_duplicates", "rejects", "places")
    assert {k: a[k] for k in keys} == {k: b[k] for k in keys}
    for table in TABLES:
        rows_a, rows_b = _rows(tmp_path / "A", table), _rows(tmp_path / "B", table)
        assert rows_a, table
        only_a, only_b = sorted(set(rows_a) - set(rows_b)), sorted(set(rows_b) - set(rows_a))
        assert rows_a == rows_b, f"{table}: only portable {only_a[:2]}, only default {only_b[:2]}"


def test_portable_runner_keeps_the_tagging_budget(portable, tmp_path):
    """A tagger that spins, one stuck in C and one that raises, inside the portable runner's external workers:
    the run still finishes and publishes those articles untagged."""
    from test_budget import _check_output, _env, _setup

    job_port, pool_port, _logs = portable
    inp, cfg = _setup(tmp_path)
    out = tmp_path / "out"
    cmd = [str(NEWSBEAM), "run", str(inp), "--out", str(out), "--config", str(cfg), "--quiet", "--",
           "--runner=PortableRunner", f"--job_endpoint=localhost:{job_port}", "--environment_type=EXTERNAL",
           f"--environment_config=localhost:{pool_port}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, env=_env("portable"))
    pool_log = (_logs / "worker_pool.log").read_text(errors="replace")
    assert proc.returncode == 0, proc.stderr[-3000:] + "\n--- worker pool log ---\n" + pool_log[-3000:]
    _check_output(out)
