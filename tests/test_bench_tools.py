"""The benchmark tools themselves: deterministic text, correct scoring, a working reference and measurement."""

import gzip
import importlib
import json
import random
import sys
from pathlib import Path

import pyarrow.parquet as pq

from newsbeam.dedup.rules import DedupSettings
from newsbeam.text.paragraphs import comparison_key

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
textgen = importlib.import_module("textgen")
nde = importlib.import_module("near_dup_eval")
reference = importlib.import_module("reference")
generate_corpus = importlib.import_module("generate_corpus")
run_bench = importlib.import_module("run_bench")

ORIGINAL = (
    "Police said on Saturday that five soldiers were killed when militants attacked a checkpoint near Turbat late "
    "on Friday. The provincial home minister told reporters that the attackers had fled across the border before "
    "troops arrived, and that a search operation was under way."
)


def _paragraphs(seed: int, n: int) -> list[str]:
    g = textgen.TextGen(seed)
    return [g.paragraph(g.context()).text for _ in range(n)]


def test_textgen_is_deterministic_and_in_bounds():
    a, b = _paragraphs(5, 40), _paragraphs(5, 40)
    assert a == b
    assert a != _paragraphs(6, 40)
    assert all(25 <= len(p.split()) <= 90 for p in a)
    g1, g2 = textgen.TextGen(9), textgen.TextGen(9)
    assert [g1.article().paragraphs for _ in range(5)] == [g2.article().paragraphs for _ in range(5)]


def test_every_template_renders_without_markup():
    g = textgen.TextGen(1)
    for topic in textgen.TOPICS:
        ctx = g.context(topic)
        for tid in range(len(textgen.SENTENCES[topic])):
            for _ in range(15):
                s = g.sentence(ctx, tid)
                assert not set(s) & set("[]{}|"), s
                assert s[0].isupper() or s[0].isdigit() or s[0] == '"', s


def test_template_compiler_rejects_stray_brackets():
    for bad in ("a ] b", "a | b", "[a|b"):
        try:
            textgen.compile_template(bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad!r}")


def test_wire_edits():
    rng = random.Random(0)
    edited = textgen.edit_attribution(random.Random(1), ORIGINAL)
    assert edited in (ORIGINAL.replace("said on Saturday", "said Saturday"), ORIGINAL.replace("told reporters", "said"))
    quoted = '"We will not leave," the mayor said. ' + ORIGINAL
    assert comparison_key(textgen.edit_quotes(rng, quoted)) == comparison_key(quoted)
    assert "“" in textgen.edit_quotes(rng, quoted)
    n = len(ORIGINAL.split())
    for seed in range(20):
        t = textgen.edit_truncation(random.Random(seed), ORIGINAL)
        assert t is not None and len(t.split()) >= 0.9 * n
        s = textgen.edit_spread_substitution(random.Random(seed), ORIGINAL)
        assert 0 < textgen.changed_words(comparison_key(ORIGINAL), comparison_key(s)) <= n // 10
    assert textgen.changed_words("a b c d", "a x c") == 2
    heavy = textgen.edit_heavy_truncation(rng, ORIGINAL)
    assert heavy == ORIGINAL.split(" The provincial")[0]


def _item(id_, cluster, kind, base=""):
    return nde.Item(id_, cluster, kind, f"text of {id_}", 0, 0.0, base)


def test_score_on_a_hand_made_case():
    items = [
        _item("o1", "o1", "original"), _item("c1", "o1", "synonym", "o1"), _item("c2", "o1", "truncation", "o1"),
        _item("o2", "o2", "original"), _item("n1", "n1", "neg_same_template", "o2"),
    ]
    sc = nde.score(items, {"c1": ("near", "o1", 0.8), "n1": ("near", "o2", 0.6)})
    assert (sc["flags"], sc["correct"], sc["precision"]) == (2, 1, 0.5)
    assert sc["per_kind"]["synonym"]["recall"] == 1.0
    assert sc["per_kind"]["truncation"]["recall"] == 0.0
    assert sc["recall"] == 0.5 and sc["worst_type_recall"] == 0.0
    assert sc["per_kind"]["neg_same_template"]["merged"] == 1
    assert sc["per_kind"]["synonym"]["precision"] == 1.0 and sc["per_kind"]["neg_same_template"]["precision"] == 0.0
    assert "precision" not in sc["per_kind"]["truncation"]  # never flagged
    # A copy published first becomes the canonical: the original and the other copy pointing at it are found.
    sc = nde.score(items, {"o1": ("near", "c1", 0.8), "c2": ("exact", "c1", 1.0)})
    assert sc["precision"] == 1.0 and sc["recall"] == 1.0
    # Two copies of one original are in the same cluster even when neither points at the original.
    sc = nde.score(items, {"c2": ("near", "c1", 0.7)})
    assert sc["precision"] == 1.0 and sc["per_kind"]["synonym"]["recall"] == 0.0
    merged = nde.merge_scores([sc, sc])
    assert merged["flags"] == 2 and merged["per_kind"]["truncation"]["n"] == 2


def test_decide_uses_the_real_rules():
    other = (
        "The central bank held its benchmark interest rate at 12 percent on Thursday, citing stubborn inflation "
        "and a weaker currency, and said it expected prices to ease by the end of the year."
    )
    items = [
        nde.Item("o", "o", "original", ORIGINAL, 100),
        nde.Item("case", "o", "case", ORIGINAL.upper(), 200),
        nde.Item("syn", "o", "synonym", ORIGINAL.replace("killed", "slain").replace("troops", "soldiers"), 300),
        nde.Item("x", "x", "original", other, 50),
    ]
    prep = nde.prepare(items)
    s = DedupSettings()
    cands, _ = nde.NearCache(prep).candidate_edges(s)
    d = nde.decide(prep, s, cands)
    assert d["case"] == ("exact", "o", 1.0)
    assert d["syn"][:2] == ("near", "o") and 0.5 <= d["syn"][2] < 1.0
    assert set(d) == {"case", "syn"}
    assert nde.score(items, d)["precision"] == 1.0


def test_build_set_is_deterministic_and_respects_the_budget():
    a = nde.build_set(3, n_originals=40, copies_per_type=3, negatives_per_type=2)
    b = nde.build_set(3, n_originals=40, copies_per_type=3, negatives_per_type=2)
    assert [(i.id, i.text) for i in a] == [(i.id, i.text) for i in b]
    kinds = {i.kind for i in a}
    assert set(nde.TARGET_TYPES) <= kinds and set(nde.NEGATIVE_TYPES) <= kinds
    text = {i.id: i.text for i in a}
    for it in a:
        if it.kind in nde.TARGET_TYPES:
            assert it.changed <= nde.MAX_CHANGED
        if it.kind in nde.KEY_PRESERVING:
            assert comparison_key(it.text) == comparison_key(text[it.cluster]) and it.text != text[it.cluster]


def test_reference_runs_on_a_tiny_corpus(tmp_path, capsys):
    repeated = "Sign up for the morning briefing to get the day's top stories in your inbox every day."
    recs = [
        {"id": "a1", "text": f"First story about a flood in Leeds.\n\n{repeated}"},
        {"id": "a2", "text": f"Second story, about a fire.\n \n{repeated.upper()}\n\nThird paragraph."},
        {"id": "a3", "text": ""},
    ]
    src = tmp_path / "in"
    src.mkdir()
    with gzip.open(src / "part-00000.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write("\n".join(json.dumps(r) for r in recs) + "\n")
    assert reference.main([str(src), "--out", str(tmp_path / "out")]) == 0
    summary = json.loads(capsys.readouterr().out)["reference_summary"]
    assert (summary["articles"], summary["paragraphs"], summary["exact_duplicates"]) == (3, 5, 1)
    assert 0 <= summary["seconds_parquet"] <= summary["seconds"]
    rows = pq.read_table(tmp_path / "out" / "paragraphs.parquet").to_pylist()
    dup = [r for r in rows if r["is_duplicate"]]
    assert [(r["article_id"], r["para_index"], r["duplicate_of"]) for r in dup] == [("a2", 1, "a1:1")]


def test_generate_corpus_plants_duplicates(tmp_path):
    stats = generate_corpus.generate(tmp_path, mb=0.3, seed=4, per_file=40)
    files = sorted(tmp_path.glob("part-*.jsonl.gz"))
    assert len(files) == len(stats.files) >= 2
    recs = [json.loads(line) for f in files for line in gzip.open(f, "rt", encoding="utf-8")]
    assert len(recs) == stats.articles
    assert all(set(r) == {"id", "title", "url", "published", "source", "text"} for r in recs)
    assert len({r["id"] for r in recs}) == len(recs)
    texts = [r["text"] for r in recs]
    assert stats.exact_article_copies > 0
    assert len(texts) - len(set(texts)) >= stats.exact_article_copies
    again = generate_corpus.generate(tmp_path / "again", mb=0.3, seed=4, per_file=40)
    assert again.text_bytes == stats.text_bytes


def test_measure_sees_memory_and_reads_summaries():
    m = run_bench.measure([sys.executable, "-c", "import time; x = bytearray(60_000_000); time.sleep(0.8)"])
    assert m.returncode == 0 and m.wall_s >= 0.8
    assert m.peak_tree_rss_mb >= 50 and m.peak_proc_rss_mb >= 50
    out = 'log line\n{"newsbeam_summary": {"articles": 10, "text_mb": 2.0}}\n'
    assert run_bench.summary_line(out, "newsbeam_summary") == {"articles": 10, "text_mb": 2.0}
    r = run_bench.row("x", "full", 1, m, {"articles": 10, "text_mb": 2.0}, ref_mb_s=1.0 / m.wall_s)
    assert r["x_R"] == 2.0 and r["mb_per_s"] == round(2.0 / m.wall_s, 3)
    busy = run_bench.measure([sys.executable, "-c", "import time\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.5: pass"])
    assert 0.5 <= busy.cpu_s < 5 and m.cpu_s < busy.cpu_s  # the tree's CPU seconds, not its wall time


def test_tree_sampler_sums_the_whole_process_tree():
    child = "import time; x = bytearray(80_000_000); time.sleep(1.2)"
    parent = (f"import subprocess, sys, time; x = bytearray(80_000_000); "
              f"p = subprocess.Popen([sys.executable, '-c', {child!r}]); p.wait()")
    m = run_bench.measure([sys.executable, "-c", parent])
    assert m.returncode == 0 and m.max_procs == 2
    assert 75 <= m.peak_proc_rss_mb < 150
    assert m.peak_tree_rss_mb >= 150 > m.peak_proc_rss_mb


def _run_row(config, workers, wall, mb=10.0, tree=500.0, **extra):
    return {"config": config, "workers": workers, "exit_code": 0, "wall_s": wall, "text_mb": mb,
            "mb_per_s": mb / wall, "x_R": (mb / wall) / 5.0, "peak_tree_rss_mb": tree, "peak_proc_rss_mb": tree / 2,
            **extra}


def test_stage_costs_memory_growth_and_targets():
    rows = [
        _run_row("reference", 1, 2.0, cpu_s_per_mb=0.1),
        _run_row("exact-only", 1, 4.0), _run_row("exact-only", 2, 2.0, memory_run=True, cpu_s_per_mb=0.2),
        _run_row("dedup-no-tagging", 1, 6.0), _run_row("full", 1, 30.0),
        _run_row("full", 2, 20.0, tree=2000.0, memory_run=True),
        _run_row("exact-only", 2, 1.0, mb=5.0, tree=400.0, size="5MB", memory_run=True),
        _run_row("full", 2, 10.0, mb=5.0, tree=1900.0, size="5MB", memory_run=True),
        {**_run_row("places-only", 1, 3.0), "exit_code": 1},
    ]
    costs = {(c["stage"], c["workers"]): c["seconds"] for c in run_bench.stage_costs(rows)}
    assert costs == {("near dedup", 1): 2.0, ("places + actors", 1): 24.0}
    growth = {g["config"]: g for g in run_bench.memory_growth(rows)}
    assert growth["exact-only"]["input_growth"] == 2.0 and growth["exact-only"]["memory_growth"] == 1.25
    startup = {"wall_s": 4.0}
    t = {x["target"]: x for x in run_bench.targets(rows, startup, list(growth.values()), actors_used=True)}
    assert t["exact-dedup-only, 2 workers, x R"]["measured"] == 1.0 and t["exact-dedup-only, 2 workers, x R"]["reached"]
    assert t["full pipeline, 2 workers, x R"]["measured"] == 0.1 and not t["full pipeline, 2 workers, x R"]["reached"]
    assert t["exact-dedup-only, 2 workers, x R on CPU seconds (reported)"]["measured"] == 0.5
    assert t["full pipeline, 2 workers, x R on CPU seconds (reported)"]["reached"] is None  # no CPU figure
    peak = t["full: peak memory, all processes, at 100 MB (GB)"]
    assert peak["measured"] == round(2000 / 1024, 3) and peak["reached"] is False and "10 MB" in peak["note"]
    per_mb = t["full: memory per MB of text between the sizes measured (MB/MB)"]
    assert per_mb["measured"] == 20.0 and per_mb["reached"] is False  # (2000 - 1900) MB / (10 - 5) MB
    assert t["runs repeated with one worker after the runner lost records"]["reached"] is True
    assert t["start-up: 10 articles, --workers 1, warm cache (s)"]["reached"] is True
    rows.append({**_run_row("full", 1, 40.0), "repeated_with_one_worker": True})
    t = {x["target"]: x for x in run_bench.targets(rows, startup, list(growth.values()), actors_used=True)}
    assert t["runs repeated with one worker after the runner lost records"]["reached"] is False


def test_corpus_inputs_leave_out_the_corpus_description(tmp_path):
    from newsbeam.ingest.sources import list_inputs

    generate_corpus.generate(tmp_path, mb=0.05, seed=2, per_file=10)
    (tmp_path / "corpus.json").write_text("{}")
    refs = list_inputs(run_bench.corpus_inputs(tmp_path))
    assert refs and all(r.uri.rsplit("/", 1)[-1].startswith("part-") for r in refs)
    assert run_bench.corpus_inputs(tmp_path / "part-00000.jsonl.gz") == [str(tmp_path / "part-00000.jsonl.gz")]
    small = run_bench.startup_corpus(tmp_path, tmp_path / "startup", n=3)
    assert len(small.read_text().splitlines()) == 3


def test_no_startup_still_builds_the_cache_before_any_timed_run(tmp_path):
    """With ``--no-startup`` the fresh gazetteer cache used to be built inside the first timed run that tags (~8 s
    of a 45 s full run): an untimed warm-up run now builds it first, and is no row of the results."""
    src = tmp_path / "in"
    src.mkdir()
    with gzip.open(src / "part-00000.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write("".join(json.dumps({"id": f"a{i}", "text": f"Story {i} about a flood."}) + "\n" for i in range(12)))
    calls = tmp_path / "calls.jsonl"
    fake = tmp_path / "fake-newsbeam"
    fake.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"with open({str(calls)!r}, 'a') as f:\n"
        "    f.write(json.dumps({'argv': sys.argv[1:], 'cache': os.environ.get('NEWSBEAM_CACHE')}) + '\\n')\n"
        "print(json.dumps({'newsbeam_summary': {'articles': 12, 'text_mb': 0.001}}))\n"
    )
    fake.chmod(0o755)
    out = tmp_path / "bench.json"
    assert run_bench.main(["--corpus", str(src), "--newsbeam", str(fake), "--no-reference", "--no-startup",
                           "--configs", "full", "--workers", "1", "--memory-sizes", "", "--out-json", str(out),
                           "--work-dir", str(tmp_path / "work")]) == 0
    seen = [json.loads(line) for line in calls.read_text().splitlines()]
    assert len(seen) == 2 and seen[0]["cache"] == seen[1]["cache"]  # the warm-up fills the cache the runs use
    assert seen[0]["argv"][1].endswith("startup.jsonl") and str(src) in " ".join(seen[1]["argv"])
    result = json.loads(out.read_text())
    assert [r["config"] for r in result["runs"]] == ["full"]
    assert result["meta"]["cache_build"] == "untimed warm-up run, exit 0"
