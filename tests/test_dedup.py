import numpy as np
import pytest

from newsbeam.dedup.rules import (
    DedupSettings,
    Member,
    MinHasher,
    Node,
    ShingleSets,
    article_copy_of,
    band_pairs,
    boilerplate_sources,
    candidate_pairs,
    canonical_of,
    exact_key,
    jaccard,
    order_key,
    resolve_near,
)
from newsbeam.text.paragraphs import comparison_key

S = DedupSettings()


def test_canonical_order_published_then_id_then_index():
    a = Member(order_key(200, "b", 0), "s", "x")
    b = Member(order_key(100, "c", 5), "s", "x")
    c = Member(order_key(None, "a", 0), "s", "x")
    assert canonical_of([a, b, c]) is b
    d = Member(order_key(100, "c", 2), "s", "x")
    assert canonical_of([a, b, c, d]) is d


def test_old_run_stays_canonical():
    new = Member(order_key(1, "a", 0), "s", "x")
    old = Member(order_key(999, "z", 3), "", "x", old=True)
    assert canonical_of([new, old]) is old


def test_short_paragraphs_only_match_inside_their_article():
    assert exact_key(42, 2, "a1", S) != exact_key(42, 2, "a2", S)
    assert exact_key(42, 10, "a1", S) == exact_key(42, 10, "a2", S) == 42


def test_boilerplate_needs_min_articles_of_one_source():
    ms = [Member(order_key(1, f"a{i}", 9), "s", "Courier") for i in range(3)]
    assert boilerplate_sources(ms, 3) == {"Courier"}
    mixed = ms[:2] + [Member(order_key(1, "b", 9), "s", "Other")]
    assert boilerplate_sources(mixed, 3) == set()


def _sh(text):
    return MinHasher(S).shingles(comparison_key(text))


WIRE = (
    "The provincial government said on Saturday that five soldiers were killed when militants attacked a "
    "checkpoint near the town of Turbat late on Friday night, the third such attack this month."
)
EDITED = (
    "The provincial government said Saturday that five soldiers were killed when militants attacked a "
    "checkpoint near the town of Turbat late Friday night, the third such attack this month."
)
OTHER = (
    "Militants attacked a checkpoint near Turbat on Friday, killing five soldiers, according to a statement "
    "that the provincial government issued the next day after a meeting of its security committee."
)


def test_jaccard_separates_edit_from_rewrite():
    assert jaccard(_sh(WIRE), _sh(EDITED)) >= 0.7
    assert jaccard(_sh(WIRE), _sh(OTHER)) < 0.3
    assert jaccard(_sh(WIRE), _sh(WIRE)) == 1.0


def test_band_keys_collide_for_edits_and_are_deterministic():
    h1, h2 = MinHasher(S), MinHasher(S)
    k1 = h1.band_keys(h1.signature(_sh(WIRE)))
    assert k1 == h2.band_keys(h2.signature(_sh(WIRE)))
    assert len(k1) == S.bands
    assert set(k1) & set(h1.band_keys(h1.signature(_sh(EDITED))))


def test_candidate_pairs_cut_large_buckets():
    assert candidate_pairs([3, 1, 2, 1], 10) == [(1, 2), (1, 3), (2, 3)]
    assert len(candidate_pairs(range(100), 10)) == 45


def test_resolve_near_does_not_chain():
    nodes = {1: Node(1, order_key(1, "a", 0), False), 2: Node(2, order_key(2, "b", 0), False),
             3: Node(3, order_key(3, "c", 0), False)}
    # 1~2 and 2~3 but not 1~3: 3 must stay canonical, not chain to 1 through 2.
    out = resolve_near(nodes, [(1, 2, 0.8), (2, 3, 0.8)])
    assert out == {2: (1, 0.8)}
    # with a direct edge 1~3 it joins 1
    out = resolve_near(nodes, [(1, 2, 0.8), (2, 3, 0.8), (1, 3, 0.6)])
    assert out == {2: (1, 0.8), 3: (1, 0.6)}


def test_resolve_near_old_nodes_win():
    nodes = {1: Node(1, order_key(1, "a", 0), False), 2: Node(2, order_key(50, "z", 0), True)}
    assert resolve_near(nodes, [(1, 2, 0.9)]) == {1: (2, 0.9)}


def test_article_copy_rule():
    targets = ["x:0", "x:1", "x:2", "x:3", None]
    assert article_copy_of("a", targets, [True] * 5, 0.8) == "x"
    assert article_copy_of("a", targets, [True] * 5, 0.9) is None
    assert article_copy_of("a", ["a:0", "a:1"], [True, True], 0.8) is None
    assert article_copy_of("a", [], [], 0.8) is None


def test_settings_validation():
    with pytest.raises(ValueError):
        DedupSettings(num_perm=100, bands=32)


def test_shingle_sets_jaccard_equals_the_pairwise_function():
    """The bulk verification gives exactly (bit for bit) what ``jaccard`` gives one pair at a time."""
    rng = np.random.default_rng(7)
    pool = rng.integers(0, 2**32, size=300, dtype=np.uint64).astype(np.uint32)
    sets = [np.unique(rng.choice(pool, size=int(rng.integers(1, 80)))) for _ in range(200)]
    sets.append(sets[3].copy())  # a set equal to another one
    texts = list(range(1000, 1000 + len(sets)))
    raw = [s.tobytes() for s in sets]
    # Two stores holding overlapping texts, as a bucket receives them from several workers.
    store = ShingleSets.concat([ShingleSets.from_bytes(texts[:150], raw[:150]),
                                ShingleSets.from_bytes(texts[100:], raw[100:])])
    a = rng.integers(0, len(sets), size=5000)
    b = rng.integers(0, len(sets), size=5000)
    got = store.jaccard(store.rows_of(np.asarray(texts)[a]), store.rows_of(np.asarray(texts)[b]))
    want = [jaccard(sets[i], sets[j]) for i, j in zip(a, b, strict=True)]
    assert got.tolist() == want
    assert store.jaccard(store.rows_of(np.array([1003])), store.rows_of(np.array([1000 + 200]))).tolist() == [1.0]


def test_shingle_sets_work_in_chunks(monkeypatch):
    import newsbeam.dedup.rules

    monkeypatch.setattr(newsbeam.dedup.rules, "JACCARD_CHUNK", 7)
    sets = [np.array([1, 2, 3], dtype=np.uint32), np.array([2, 3, 4, 5], dtype=np.uint32)]
    store = ShingleSets.from_bytes([1, 2], [s.tobytes() for s in sets])
    rows_a, rows_b = np.array([0, 1] * 10), np.array([1, 1] * 10)
    assert store.jaccard(rows_a, rows_b).tolist() == [0.4, 1.0] * 10


def test_band_pairs_of_nothing():
    empty = np.array([], dtype=np.int64)
    a, b, n_cut, n_ruled_out = band_pairs(empty, empty, empty, 10, 0.5)
    assert len(a) == len(b) == n_cut == n_ruled_out == 0


def test_halves_go_through_staging_files(tmp_path):
    """One file per call, each half at its own offset, read back without reading the others."""
    from newsbeam.dedup.contracts import NearHalf
    from newsbeam.dedup.near import read_half, write_halves

    sets = ShingleSets.from_bytes([5, 9], [np.array([1, 2], dtype=np.uint32).tobytes(),
                                           np.array([3], dtype=np.uint32).tobytes()])
    first = NearHalf(np.array([5, 9, 9]), np.array([11, 12, 13]), sets)
    second = NearHalf(np.array([9]), np.array([14]), ShingleSets.from_bytes([9], [np.array([3], np.uint32).tobytes()]))
    refs = write_halves(str(tmp_path), [first, second])
    again = write_halves(str(tmp_path), [first])
    assert len({r.name for r in refs}) == 1 and again[0].name != refs[0].name
    assert sorted(p.name for p in (tmp_path / "near").iterdir()) == sorted({refs[0].name, again[0].name})
    assert refs[1].offset == refs[0].length
    a, b, back = read_half(str(tmp_path), refs[0])
    assert a.tolist() == [5, 9, 9] and b.tolist() == [11, 12, 13]
    assert back.values.tolist() == [1, 2, 3] and back.lens.tolist() == [2, 1] and back.texts.tolist() == [5, 9]
    a, b, back = read_half(str(tmp_path), refs[1])
    assert a.tolist() == [9] and b.tolist() == [14] and back.values.tolist() == [3]
