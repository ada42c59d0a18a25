"""An exact copy of an article tagged earlier in the same worker reuses its tags: same output, less work."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from newsbeam.cli import main
from newsbeam.config import TaggingConfig
from newsbeam.tags.sandbox import TAG_ERROR, TAG_OK, TagOutcome, TagReuse, make_tag_fn
from newsbeam.tags.tagger import ArticleTags

TESTS = Path(__file__).resolve().parent
CALLS: list[tuple[str, ...]] = []


def counting(paragraphs: list[str], title: str | None) -> dict[str, int]:
    """An extra tagger that records each call (the tests run it in-process, article_budget_s = 0)."""
    CALLS.append(tuple(paragraphs))
    return {"counting-calls": 1}


def test_the_key_tells_apart_what_changes_the_tags():
    k = TagReuse.key
    base = k(["Quetta police said.", "Two died."], "Blast", [True, True])
    assert base == k(["Quetta police said.", "Two died."], "Blast", [True, True])
    assert base != k(["Quetta police said.", "Two died"], "Blast", [True, True])
    assert base != k(["Quetta police said.", "Two died."], "Blast!", [True, True])
    assert base != k(["Quetta police said.", "Two died."], "Blast", [True, False])
    assert k(["ab", "c"], None, [True, True]) != k(["a", "bc"], None, [True, True])  # boundaries count


def test_only_ok_outcomes_are_kept_and_the_oldest_goes_first():
    r = TagReuse(size=2)
    ok = TagOutcome(ArticleTags([[]], [[]]), TAG_OK)
    r.put(b"err", TagOutcome(None, TAG_ERROR, "boom"))
    assert r.get(b"err") is None
    r.put(b"a", ok)
    r.put(b"b", ok)
    assert r.get(b"a") == ok  # a is now the most recent (kept pickled: an equal copy comes back)
    r.put(b"c", ok)
    assert r.get(b"b") is None and r.get(b"a") == ok and r.get(b"c") == ok
    assert r.reused == 3
    assert all(isinstance(v, bytes) for v in r.kept.values())  # compact: 14 MB for 4,096 news articles, not 68


def test_a_copy_is_not_tagged_again(monkeypatch):
    monkeypatch.syspath_prepend(str(TESTS))
    CALLS.clear()
    tag = make_tag_fn(TaggingConfig(article_budget_s=0, extra_taggers=("test_tag_reuse:counting",)))
    first = tag(["Police in Quetta said two men were held."], "Arrests", [True], 40)
    again = tag(["Police in Quetta said two men were held."], "Arrests", [True], 40)
    other = tag(["Police in Quetta said two men were held."], "Other title", [True], 40)
    assert len(CALLS) == 2 and not first.reused and again.reused and not other.reused
    assert again.tags == first.tags and again.status == TAG_OK


@pytest.mark.e2e
def test_a_run_with_wire_copies_gives_the_same_tags_and_counts_the_reuse(tmp_path):
    text = "Officials in Quetta said the market would reopen on Monday.\n\nPolice in Lahore arrested two men."
    arts = [{"id": f"a{i}", "title": "Markets", "published": f"2026-11-30T0{i}:00:00Z", "source": f"Outlet {i}",
             "text": text} for i in range(3)]
    inp = tmp_path / "feed.jsonl"
    inp.write_text("".join(json.dumps(a) + "\n" for a in arts))
    out = tmp_path / "out"
    assert main(["run", str(inp), "--out", str(out), "--quiet"]) == 0
    rec = json.loads(next((out / "_runs").glob("*.json")).read_text())
    assert rec["counts"]["articles-tag-reused"] == 2
    con = duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)
    tags = con.execute("""select a.source_id, list(p.places order by p.para_index), list(p.actors order by p.para_index)
                          from paragraphs p join articles a using (article_id) group by 1 order by 1""").fetchall()
    con.close()
    assert tags[0][1] and tags[0][1:] == tags[1][1:] == tags[2][1:]
