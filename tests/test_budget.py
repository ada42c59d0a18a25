"""No article can stall a run: the per-article tagging budget, the run watchdog, Ctrl-C.

The misbehaving taggers (``fault_taggers.py``) are chosen through the configuration, so they run where real
taggers run: in the tagging process of each Beam worker, with 1 and 2 workers. After a timeout no process may
still burn CPU on the article, and after a stopped run no process of the run may be left at all.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import psutil
import pytest

from newsbeam.cli import main
from newsbeam.config import TaggingConfig, load
from newsbeam.runtime.progress import progress_line
from newsbeam.tags.sandbox import (
    MAX_START_FAILURES_IN_A_ROW,
    TAG_ERROR,
    TAG_OK,
    TAG_TIMEOUT,
    SandboxedTagger,
    article_budget,
)

TESTS = Path(__file__).resolve().parent
FAULTS = ["fault_taggers:spin", "fault_taggers:block", "fault_taggers:explode"]
SHARED = "Officials in Quetta said the market would reopen on Monday after repairs to the damaged roof."


def _articles() -> list[dict]:
    def art(i: str, extra: str) -> dict:
        return {"id": i, "title": f"Story {i}", "published": "2026-11-30T08:00:00Z", "source": "Test Wire",
                "text": f"{SHARED}\n\n{extra}"}

    return [
        art("ok-1", "Police in Lahore arrested two men after a raid in the old city, a spokesman said."),
        art("spin", "The FAULT-SPIN marker makes the spinning tagger loop for ever in pure Python."),
        art("block", "The FAULT-BLOCK marker makes the blocking tagger stick inside the regex engine."),
        art("raise", "The FAULT-RAISE marker makes the exploding tagger raise an exception."),
        art("ok-2", "Flooding closed the main road into Karachi for a second day, residents said."),
    ]


def _setup(tmp_path: Path, budget: float = 1.0, faults: list[str] = FAULTS) -> tuple[Path, Path]:
    inp = tmp_path / "in" / "feed.jsonl"
    inp.parent.mkdir(parents=True)
    inp.write_text("".join(json.dumps(a) + "\n" for a in _articles()))
    cfg = tmp_path / "faults.toml"
    cfg.write_text(f"[tagging]\nextra_taggers = {json.dumps(faults)}\narticle_budget_s = {budget}\n")
    return inp, cfg


def _env(mark: str) -> dict:
    path = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "NEWSBEAM_TEST_MARK": mark}


def _marked(mark: str) -> list[psutil.Process]:
    """Processes (other than this one) started with our marker in their environment: what a run left behind."""
    found = []
    for p in psutil.process_iter():
        try:
            if p.pid != os.getpid() and p.environ().get("NEWSBEAM_TEST_MARK") == mark:
                found.append(p)
        except psutil.Error:
            continue
    return found


def _cpu_burners(procs: list[psutil.Process], window: float = 1.0) -> list[psutil.Process]:
    before = {}
    for p in procs:
        try:
            before[p.pid] = (p, sum(p.cpu_times()[:2]))
        except psutil.Error:
            pass
    time.sleep(window)
    out = []
    for p, t in before.values():
        try:
            if sum(p.cpu_times()[:2]) - t > 0.3 * window:
                out.append(p)
        except psutil.Error:
            pass
    return out


def _check_output(out: Path) -> None:
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    status = dict(con.execute("select source_id, tag_status from articles").fetchall())
    assert status == {"ok-1": TAG_OK, "ok-2": TAG_OK, "spin": TAG_TIMEOUT, "block": TAG_TIMEOUT, "raise": TAG_ERROR}
    # Untagged articles are complete otherwise: both paragraphs, and the shared one is deduplicated across all five.
    rows = con.execute("""select a.source_id, count(*), sum(len(p.places)), sum(len(p.actors)),
                                 count(*) filter (where p.dup_kind = 'exact')
                          from articles a join paragraphs p using (article_id) group by 1""").fetchall()
    by_id = {r[0]: r[1:] for r in rows}
    assert {k: v[0] for k, v in by_id.items()} == dict.fromkeys(status, 2)
    assert sum(v[3] for v in by_id.values()) == 4  # the shared paragraph: one canonical, four exact copies
    for k in ("spin", "block", "raise"):
        assert by_id[k][1] == 0 and by_id[k][2] == 0
    assert by_id["ok-1"][1] >= 2 and by_id["ok-2"][1] >= 2  # Quetta + Lahore / Karachi are places
    rec = json.loads(next((out / "_runs").glob("*.json")).read_text())
    assert rec["counts"]["articles-tag-timeout"] == 2 and rec["counts"]["articles-tag-error"] == 1
    assert rec["tag_problems_total"] == 3
    problems = {p["location"]: p for p in rec["tag_problems"]}
    assert {p["tag_status"] for p in problems.values()} == {TAG_TIMEOUT, TAG_ERROR}
    assert any("injected tagger fault" in p["detail"] for p in problems.values())
    con.close()


@pytest.mark.e2e
def test_budget_one_worker_in_process(tmp_path, monkeypatch, capsys):
    inp, cfg = _setup(tmp_path)
    monkeypatch.setenv("PYTHONPATH", _env("x")["PYTHONPATH"])
    out = tmp_path / "out"
    assert main(["run", str(inp), "--out", str(out), "--config", str(cfg), "--quiet"]) == 0
    capsys.readouterr()
    _check_output(out)
    # No process or thread of ours still burns CPU on the stopped articles.
    me = psutil.Process()
    assert _cpu_burners(me.children(recursive=True)) == []
    t = sum(me.cpu_times()[:2])
    time.sleep(1.0)
    assert sum(me.cpu_times()[:2]) - t < 0.3


@pytest.mark.e2e
@pytest.mark.slow
def test_budget_two_workers_leaves_no_process(tmp_path):
    inp, cfg = _setup(tmp_path)
    out, mark = tmp_path / "out", uuid.uuid4().hex
    proc = subprocess.run([sys.executable, "-m", "newsbeam.cli", "run", str(inp), "--out", str(out), "--config",
                           str(cfg), "--workers", "2", "--quiet"], capture_output=True, text=True, timeout=300,
                          env=_env(mark))
    assert proc.returncode == 0, proc.stderr
    _check_output(out)
    time.sleep(0.5)
    assert _marked(mark) == []


def test_sandbox_kills_a_stuck_child_and_recovers(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", _env("x")["PYTHONPATH"])
    cfg = TaggingConfig(places=False, actors=False, extra_taggers=tuple(FAULTS))
    sb = SandboxedTagger(cfg)
    try:
        assert sb.tag_article(["calm text"], None, [True], 5.0).status == TAG_OK
        first = sb.proc
        t0 = time.monotonic()
        out = sb.tag_article(["FAULT-BLOCK here"], None, [True], 0.5)
        assert out.status == TAG_TIMEOUT and out.tags is None and time.monotonic() - t0 < 5
        assert first.poll() is not None  # killed and reaped
        assert not psutil.pid_exists(first.pid) or psutil.Process(first.pid).status() == psutil.STATUS_ZOMBIE
        err = sb.tag_article(["FAULT-RAISE here"], None, [True], 5.0)
        assert err.status == TAG_ERROR and "RuntimeError: injected tagger fault" in err.detail
        assert sb.tag_article(["calm again"], None, [True], 5.0).status == TAG_OK
    finally:
        sb.close()


def test_an_idle_tagging_process_is_closed_and_started_again(monkeypatch):
    """Beam keeps a worker's DoFns (and so the tagging process) until the worker ends: an idle child must go."""
    monkeypatch.setenv("PYTHONPATH", _env("x")["PYTHONPATH"])
    cfg = TaggingConfig(places=False, actors=False, extra_taggers=tuple(FAULTS))
    sb = SandboxedTagger(cfg, idle_close_s=1.0)
    try:
        first = sb.tag_article(["calm text"], None, [True], 5.0)
        child = sb.proc
        for _ in range(6):  # busy: articles 0.3 s apart for 1.8 s, longer than the idle limit
            time.sleep(0.3)
            assert sb.tag_article(["calm text"], None, [True], 5.0).status == TAG_OK
        assert sb.proc is child and child.poll() is None and sb.idle_closes == 0
        deadline = time.monotonic() + 10
        while sb.proc is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sb.proc is None and sb.idle_closes == 1
        assert child.poll() is not None  # killed and reaped: no process left holding the tables
        assert not psutil.pid_exists(child.pid) or psutil.Process(child.pid).status() == psutil.STATUS_ZOMBIE
        again = sb.tag_article(["calm text"], None, [True], 5.0)
        assert again.status == TAG_OK and again.tags == first.tags and sb.proc is not child
        assert sb.restarts == 0  # an idle close is not a failure
    finally:
        sb.close()
    assert sb.proc is None


def test_a_tagging_process_that_cannot_start_is_retried_then_the_article_is_untagged(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", _env("x")["PYTHONPATH"])
    cfg = TaggingConfig(places=False, actors=False, extra_taggers=("fault_start:tag",))
    sb = SandboxedTagger(cfg)
    try:
        for _ in range(MAX_START_FAILURES_IN_A_ROW - 1):
            out = sb.tag_article(["calm text"], None, [True], 5.0)
            assert out.status == TAG_ERROR and out.tags is None
            assert "did not start" in out.detail and "exit code 3" in out.detail
            assert "simulated start-up crash" in out.detail  # the child's own words reach the run record
        with pytest.raises(RuntimeError, match="articles in a row"):
            sb.tag_article(["calm text"], None, [True], 5.0)
    finally:
        sb.close()


def test_budget_formula_and_config():
    cfg = TaggingConfig()
    assert article_budget(cfg, 1000) == 5.0
    assert article_budget(cfg, 5_000_000) == pytest.approx(10.0)
    assert article_budget(TaggingConfig(article_budget_s=0), 10**9) == 0.0
    assert load(None, {"max_runtime": "90m"}).max_runtime == 5400
    assert load(None, {"max_runtime": 30}).max_runtime == 30


def test_bad_extra_tagger_is_a_usage_error(tmp_path, capsys):
    inp, cfg = _setup(tmp_path, faults=["no_such_module:nothing"])
    assert main(["run", str(inp), "--out", str(tmp_path / "o"), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "extra_taggers" in err[0]


def test_bad_duration_is_a_usage_error(tmp_path, capsys):
    inp, _cfg = _setup(tmp_path)
    assert main(["run", str(inp), "--out", str(tmp_path / "o"), "--max-runtime", "soon"]) == 2
    assert "max-runtime" in capsys.readouterr().err


def test_progress_line_tells_slow_from_stuck():
    now = 1000.0
    states = [{"last_done": now - 40, "busy_since": now - 37, "busy_budget": 5.0, "busy_title": "Quetta blast"},
              {"last_done": now - 2}]
    line = progress_line({"articles_done": 3, "inputs": 1}, 2, 60.0, states, now=now)
    assert line.startswith("tagging")
    assert "last article done 2 s ago" in line and "over budget: 'Quetta blast' 37 s (budget 5 s)" in line
    assert "over budget" not in progress_line({}, 2, 1.0, [{"busy_since": now - 1, "busy_budget": 5}], now=now)


def _stuck_run(tmp_path: Path, mark: str, *extra: str) -> subprocess.Popen:
    inp, cfg = _setup(tmp_path, budget=600, faults=["fault_taggers:spin"])
    return subprocess.Popen([sys.executable, "-m", "newsbeam.cli", "run", str(inp), "--out", str(tmp_path / "out"),
                             "--config", str(cfg), "--quiet", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env(mark))


def _record(out: Path) -> dict:
    recs = [json.loads(p.read_text()) for p in (out / "_runs").glob("*.json")]
    assert len(recs) == 1
    return recs[0]


@pytest.mark.e2e
@pytest.mark.parametrize("workers", ["1", "2"])
def test_max_runtime_stops_the_run(tmp_path, workers):
    mark = uuid.uuid4().hex
    proc = _stuck_run(tmp_path, mark, "--max-runtime", "20", "--workers", workers)
    out_text, err = proc.communicate(timeout=120)
    assert proc.returncode == 5, err
    assert "stopped: it ran longer than max_runtime (20 s) while tagging; nothing was published" in err
    out = tmp_path / "out"
    rec = _record(out)
    assert rec["status"] == "timeout" and rec["stage"] == "tagging" and not rec["published"]
    assert "max_runtime" in rec["error"] and len(rec["inputs"]) == 1
    assert not list(out.glob("articles/run-*")) and not any((out / "_staging").iterdir())
    time.sleep(0.5)
    assert _marked(mark) == []
    # The lock went with the process: the next run starts (and, with a sane budget, finishes).
    inp, cfg = _setup(tmp_path / "again")
    assert subprocess.run([sys.executable, "-m", "newsbeam.cli", "run", str(inp), "--out", str(out), "--config",
                           str(cfg), "--quiet"], env=_env(mark), capture_output=True, timeout=300).returncode == 0
    status = subprocess.run([sys.executable, "-m", "newsbeam.cli", "status", str(out)], capture_output=True,
                            text=True, env=_env(mark), timeout=60)
    assert "timeout" in status.stdout and "max_runtime" in status.stdout


@pytest.mark.e2e
def test_ctrl_c_exits_130_with_one_line(tmp_path):
    mark = uuid.uuid4().hex
    proc = _stuck_run(tmp_path, mark)
    out = tmp_path / "out"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((out / "_staging").glob("*/shards")):
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _stdout, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["newsbeam: interrupted; nothing was published"]
    rec = _record(out)
    assert rec["status"] == "interrupted" and rec["error"] and len(rec["inputs"]) == 1
    time.sleep(0.5)
    assert _marked(mark) == []
