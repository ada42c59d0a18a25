"""The benchmark corpus has the paragraph statistics of real news (issue 18): fast checks on a small corpus.

Comparisons with the real devsets (``../shared/devsets``, never copied into the repository) skip when absent.
"""

from __future__ import annotations

import gzip
import importlib
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))
corpus_stats = importlib.import_module("corpus_stats")
generate_corpus = importlib.import_module("generate_corpus")
newsgen = importlib.import_module("newsgen")

HAVE_DEVSETS = (corpus_stats.DEVSETS / "geovirus.jsonl").is_file()


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    stats = generate_corpus.generate(out, mb=1.5, seed=3, per_file=300)
    return out, stats


def test_newsgen_is_deterministic_and_varied():
    a, b = newsgen.NewsGen(5).article(), newsgen.NewsGen(5).article()
    assert a == b and a.paragraphs and a.title
    g = newsgen.NewsGen(6)
    paras = [p for _ in range(50) for p in g.article().paragraphs]
    assert len(set(paras)) == len(paras)
    assert all((p[0].isupper() or p[0] in '"0123456789') and p[-1] in '."' for p in paras)


def test_ks_statistic():
    assert corpus_stats.ks_statistic([1, 2, 3], [1, 2, 3]) == 0.0
    assert corpus_stats.ks_statistic([1, 2], [3, 4]) == 1.0
    assert corpus_stats.ks_statistic([1, 2, 3, 4], [3, 4, 5, 6]) == 0.5


def test_sentence_grouping():
    text = "One two three. Four five six! \"Seven eight,\" he said. Nine ten."
    assert corpus_stats.article_paragraphs(text, 2) == ["One two three. Four five six!",
                                                        "\"Seven eight,\" he said. Nine ten."]
    assert corpus_stats.article_paragraphs("A b.\nC d.\nE f.", 2) == ["A b. C d.", "E f."]
    assert corpus_stats.article_paragraphs(text, 0) == [text]


def test_small_corpus_shares_and_format(small_corpus):
    out, stats = small_corpus
    recs = [json.loads(line) for f in sorted(out.glob("part-*.jsonl.gz")) for line in gzip.open(f, "rt")]
    assert len(recs) == stats.articles
    assert all(set(r) == {"id", "title", "url", "published", "source", "text"} for r in recs)
    r = corpus_stats.measure(corpus_stats.read_articles(out), pairs=4000)
    assert 0.07 <= r["exact_copy_share"] <= 0.18
    assert 0.06 <= r["near_dup_share"] <= 0.18
    assert r["random_pair_jaccard"]["mean"] < 0.0075  # the template corpus: about 0.014
    assert 30 <= r["words_per_paragraph_ge_min_words"]["p50"] <= 48


@pytest.mark.skipif(not HAVE_DEVSETS, reason="../shared/devsets not present")
def test_small_corpus_matches_geovirus(small_corpus):
    out, _ = small_corpus
    ref = corpus_stats.geovirus_reference_words()
    geo = corpus_stats.devsets_stats(pairs=4000)["geovirus"]["random_pair_jaccard"]["mean"]
    r = corpus_stats.measure(corpus_stats.read_articles(out), pairs=4000, reference_words=ref, copies=False)
    assert r["ks_vs_geovirus"] <= 0.1
    assert geo / 1.5 <= r["random_pair_jaccard"]["mean"] <= geo * 1.5


def test_generator_reports_statistics_without_devsets(tmp_path, capsys):
    assert generate_corpus.main(["--mb", "0.2", "--out", str(tmp_path / "c"), "--per-file", "100",
                                 "--devsets", str(tmp_path / "nowhere")]) == 0
    meta = json.loads(capsys.readouterr().out)["corpus"]
    st = meta["stats"]
    assert "absent" in st["devsets"] and "ks_vs_geovirus" not in st
    assert {"random_pair_jaccard", "exact_copy_share", "near_dup_share"} <= set(st)
    assert meta["planted_exact_copy_share"] >= 0 and meta["generator"] == "news"
