"""The stage contracts and the plain functions behind the stages: group decisions, group repair, article rows,
staging and finalize, tested directly (no Beam)."""

from __future__ import annotations

import pickle

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from newsbeam.dedup.contracts import Decision, IndexRow, NearVerdict, Ref
from newsbeam.dedup.decide import GroupMember, decide_group, near_verdicts, repair_group
from newsbeam.dedup.index_format import INDEX_SCHEMA, index_entry, read_index_rows
from newsbeam.dedup.rules import DedupSettings, MinHasher, Node, order_key, shingle_count
from newsbeam.output.finalize import finalize_shard
from newsbeam.output.staging import StagedShard
from newsbeam.text.articles import build_article, empty_reject

S = DedupSettings()
LONG = "Harbour cranes stood idle for a second day as dock workers waited for the wage talks to resume in the port."


class Counts(dict):
    def __call__(self, name: str, n: int = 1) -> None:
        self[name] = self.get(name, 0) + n


def test_contracts_are_tuples_that_pickle_by_name():
    r = Ref(1, "a", 0, "src", 12, "s")
    assert tuple(r) == (1, "a", 0, "src", 12, "s") and r[4] == r.n_words and not r.old
    assert Ref(1, "a", 0, "src", 12).old
    assert pickle.loads(pickle.dumps([r, r], protocol=pickle.HIGHEST_PROTOCOL)) == [r, r]
    assert NearVerdict("canon") == ("canon", None, None)
    assert IndexRow(1, "a", 0, None, 12, "", 9, None, None).ref() == Ref(None, "a", 0, "", 12, None)


def test_decide_group_exact_canonical_is_the_old_member():
    refs = [Ref(100, "a", 0, "Daily", 20, "s1"), Ref(50, "z", 3, "Wire", 20, None), Ref(10, "b", 2, "Daily", 20, "s2")]
    inc = Counts()
    got = list(decide_group(refs, [], S, inc))
    assert got == [("s1", Decision("a", 0, "exact", "z:3", "z:3", 1.0, False)),
                   ("s2", Decision("b", 2, "exact", "z:3", "z:3", 1.0, False))]
    assert inc["paragraphs-exact-duplicate"] == 2 and inc["paragraphs-duplicate-of-earlier-run"] == 2


def test_decide_group_canonical_with_copies_gets_its_group_and_boilerplate():
    refs = [Ref(100 + i, f"a{i}", 0, "Daily", 20, "s") for i in range(3)]
    got = [d for _, d in decide_group(refs, [], S, Counts())]
    assert got[0] == Decision("a0", 0, None, None, "a0:0", None, True)
    assert all(d.dup_kind == "exact" and d.is_boilerplate for d in got[1:])
    # Alone, a paragraph needs a decision only when it is the canonical of a near copy.
    assert list(decide_group(refs[:1], [], S, Counts())) == []
    assert [d for _, d in decide_group(refs[:1], [NearVerdict("canon")], S, Counts())] == [
        Decision("a0", 0, None, None, "a0:0", None, False)]


def test_decide_group_near_copy_and_old_only_groups():
    refs = [Ref(100, "a", 0, "Daily", 20, "s1"), Ref(200, "b", 0, "Daily", 20, "s2")]
    got = [d for _, d in decide_group(refs, [NearVerdict("copy", "q:1", 0.6)], S, Counts())]
    assert got == [Decision("a", 0, "near", "q:1", "q:1", 0.6, False), Decision("b", 0, "near", "q:1", "q:1", 0.6, False)]
    assert list(decide_group([Ref(1, "z", 0, "W", 20, None)], [], S, Counts())) == []


def test_near_verdicts_copies_first_then_canonicals():
    nodes = {1: Node(1, order_key(1, "a", 0), False), 2: Node(2, order_key(2, "b", 0), False),
             3: Node(3, order_key(3, "c", 0), False)}
    got = list(near_verdicts(nodes, [(1, 2, 0.8), (1, 3, 0.6)]))
    assert got == [(2, NearVerdict("copy", "a:0", 0.8)), (3, NearVerdict("copy", "a:0", 0.6)), (1, NearVerdict("canon"))]


def _member(aid, th, seq, pub=None, words=20, text=""):
    return GroupMember(aid, 0, th, words, pub, seq, text)


def test_repair_group_earlier_run_first_then_each_copy_checked_again():
    members = [_member("late", 5, seq=2, pub=0), _member("early", 5, seq=1, pub=1),
               _member("near", 6, seq=1, pub=5), _member("gone", 7, seq=1, pub=6)]
    sims = {"near": 0.7, "gone": 0.2}
    inc = Counts()
    got = repair_group(members, lambda m, c: sims[m.article_id], 0.5, inc)
    assert got == [Decision("gone", 0, None, None, None, None, False),
                   Decision("early", 0, None, None, "early:0", None, False),
                   Decision("near", 0, "near", "early:0", "early:0", 0.7, False),
                   Decision("late", 0, "exact", "early:0", "early:0", 1.0, False)]
    assert inc == {"groups-repaired": 1, "paragraphs-no-longer-duplicate": 1}
    # No similarity (near dedup off or short): a different text stands alone; the canonical has no group left.
    alone = repair_group([_member("x", 1, 1), _member("y", 2, 1)], lambda m, c: None, 0.5, Counts())
    assert [d.dup_group for d in alone] == [None, None]


def test_build_article_rows_refs_and_fingerprints():
    raw = {"source_uri": "file:///a.txt", "location": "", "title": "T", "source": "Daily", "text": f"{LONG}\n\nShort."}
    hasher = MinHasher(S)
    built = build_article(raw, run_id="r1", dedup=S, hasher=hasher, tag=None, languages=("en",))
    aid = built.article["article_id"]
    assert [p["para_index"] for p in built.paragraphs] == [0, 1] and built.article["n_paragraphs"] == 2
    assert [ref for _, ref in built.refs] == [Ref(None, aid, 0, "Daily", built.paragraphs[0]["n_words"]),
                                              Ref(None, aid, 1, "Daily", 1)]
    assert len(built.sigs) == len(built.shingles) == 1  # the short paragraph has no near-dup fingerprint
    (th, sh), sig = built.shingles[0], built.sigs[0]
    assert th == built.paragraphs[0]["text_hash"] and sig["shingles"] == sh and len(sig["bands"]) == S.bands
    assert shingle_count(sh) == len(np.frombuffer(sh, dtype=np.uint32))
    assert empty_reject(raw)["reason"] == "empty"


def test_staged_shard_then_finalize_applies_decisions(tmp_path):
    hasher = MinHasher(S)
    raws = [{"source_uri": f"file:///{n}.txt", "location": "", "source": "Daily", "text": LONG} for n in "ab"]
    built = [build_article(r, run_id="r1", dedup=S, hasher=hasher, tag=None, languages=("en",)) for r in raws]
    shard = StagedShard(str(tmp_path), with_sigs=True)
    for b in built:
        shard.add(b.article, b.paragraphs, b.sigs, b.counts["paragraph-text-bytes"])
    shard.close()
    assert shard.text_bytes == 2 * len(LONG.encode())
    a, b = (x.article["article_id"] for x in built)
    canon, copy = sorted([a, b])
    decisions = [Decision(canon, 0, None, None, f"{canon}:0", None, False),
                 Decision(copy, 0, "exact", f"{canon}:0", f"{canon}:0", 1.0, False)]
    counts = finalize_shard(tmp_path, shard.id, decisions, S)
    assert counts == {"articles-copy-of-article": 1, "index-entries": 1, "xfer-paragraphs-final": 2}
    paras = pq.read_table(tmp_path / "tables" / "paragraphs" / f"{shard.id}.parquet").to_pylist()
    assert {p["article_id"]: p["dup_kind"] for p in paras} == {canon: None, copy: "exact"}
    arts = pq.read_table(tmp_path / "tables" / "articles" / f"{shard.id}.parquet").to_pylist()
    assert {x["article_id"]: x["duplicate_of_article"] for x in arts} == {canon: None, copy: canon}
    index = list(read_index_rows(str(tmp_path / "index" / f"{shard.id}.parquet"), near=True))
    assert [(r.article_id, r.para_index) for r in index] == [(canon, 0)]
    p0 = next(p for p in built if p.article["article_id"] == canon)
    assert index[0].shingles == p0.shingles[0][1]
    # index_entry recomputes the same row from the text (as maintenance does).
    entry = index_entry(p0.paragraphs[0], {**p0.article, "source": "Daily"}, S, hasher)
    assert IndexRow(**entry) == index[0]
    assert list(read_index_rows(str(tmp_path / "index" / f"{shard.id}.parquet"), near=False))[0].bands is None


def test_index_rows_match_the_index_schema(tmp_path):
    row = IndexRow(1, "a", 0, None, 12, "", 9, [1, 2], b"\x00" * 8)
    pq.write_table(pa.Table.from_pylist([row._asdict()], INDEX_SCHEMA), tmp_path / "i.parquet")
    assert list(read_index_rows(str(tmp_path / "i.parquet"), near=True)) == [row]
