"""The conservation checks that keep a run with records lost between stages from being published."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newsbeam.commands import run as jobs
from newsbeam.config import Config
from newsbeam.runtime.integrity import CHECKS, lost_in_transfer


def balanced() -> dict[str, int]:
    counts = {"paragraphs": 10, "near-candidates-verified": 3}
    for _, sent, received, factor, _ in CHECKS:
        counts.setdefault(sent, 7)
        counts[received] = counts[sent] * factor
    return counts


def test_balanced_counts_pass_and_each_shortfall_is_named():
    assert lost_in_transfer(balanced(), near=True) == []
    short = balanced()
    short["xfer-halves-received"] -= 5
    assert lost_in_transfer(short, near=True) == ["candidate pairs with shingles: 7 sent, 2 received"]


def test_near_only_checks_are_skipped_without_near_dedup():
    counts = balanced()
    counts["xfer-bands-received"] = 0
    assert lost_in_transfer(counts, near=False) == []
    assert lost_in_transfer(counts, near=True) == ["LSH band entries: 7 sent, 0 received"]


def test_edge_ends_count_twice():
    counts = balanced()
    counts["xfer-edge-ends-received"] = counts["near-candidates-verified"]
    assert lost_in_transfer(counts, near=True) == ["edge ends: 6 sent, 3 received"]


def _fake_runs(monkeypatch, results: list[dict]) -> list[int]:
    """Replace run_job by one returning the given counts in turn; returns the worker counts it was called with."""
    calls: list[int] = []

    def fake(todo, cfg, run_id, staging, index_files, superseded, beam_args, forgotten=None):
        calls.append(cfg.workers)
        (Path(staging) / "leftover").write_text("from the first attempt")
        return dict(results[len(calls) - 1])

    monkeypatch.setattr("newsbeam.graph.run_job", fake)
    return calls


def test_lost_records_with_several_local_workers_rerun_with_one(tmp_path, monkeypatch, caplog):
    lossy = balanced()
    lossy["xfer-refs-received"] -= 1
    calls = _fake_runs(monkeypatch, [lossy, balanced()])
    staging = tmp_path / "_staging" / "r1"
    staging.mkdir(parents=True)
    log = logging.getLogger("newsbeam.test")
    with caplog.at_level(logging.WARNING, logger="newsbeam.test"):
        lost_first: list[str] = []
        counts = jobs._run_checked(["x"], Config(workers=2), "r1", staging, tmp_path, frozenset(), [], log, lost_first)
    assert calls == [2, 1]
    assert lost_first == ["paragraph references: 7 sent, 6 received"]
    assert counts["runs-repeated-single-worker"] == 1
    assert "paragraph references: 7 sent, 6 received" in caplog.text
    assert sorted(p.name for p in staging.iterdir()) == ["leftover"]  # the first attempt's staging was cleared


def test_lost_records_with_one_worker_or_another_runner_fail(tmp_path, monkeypatch):
    lossy = balanced()
    lossy["xfer-decisions-received"] = 0
    log = logging.getLogger("newsbeam.test")
    for workers, beam_args in ((1, []), (2, ["--runner=PortableRunner"])):
        _fake_runs(monkeypatch, [lossy])
        staging = tmp_path / f"s{workers}"
        staging.mkdir()
        with pytest.raises(RuntimeError, match="dedup decisions: 7 sent, 0 received"):
            jobs._run_checked(["x"], Config(workers=workers), "r", staging, tmp_path, frozenset(), beam_args, log)
