"""Issue 18's near-dup speed paths against plain reference implementations of what they replace.

Shingle hashes, band keys and candidate pairs are stored in the cross-run index or decide which paragraphs are
compared, so each fast path must give exactly what the straightforward code gives:

* ``MinHasher._gram_hashes`` (one word split and one hashing ``map`` per article) against ``_grams`` per key;
* ``BandBatcher.drain`` (per-text lists flattened once, a radix argsort on the band bucket) against the flat-list,
  ``%``-and-stable-sort drain it replaced;
* ``band_pairs`` (single entries dropped before the two-key sort) against ``candidate_pairs`` per band key;
* ``MinHasher._minima`` (permutation-major products) and ``_band_keys_of`` (XXH64 folded onto the 64-bit minima)
  against row-at-a-time signatures and one ``xxhash`` call per band;
* ``index_format.queue_index_file`` (an index file read column by column, band keys as one array) against the
  row-by-row loop ``ReadIndexFn`` ran before.
"""

from __future__ import annotations

import numpy as np
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbeam.dedup.batching import BAND_BUCKETS, BandBatcher, band_bucket
from newsbeam.dedup.contracts import BandBatch
from newsbeam.dedup.rules import DedupSettings, MinHasher, band_pairs, candidate_pairs
from newsbeam.text.paragraphs import comparison_key

HASHERS = {k: MinHasher(DedupSettings(shingle_size=k)) for k in (1, 2, 3)}

WORDS = ["the", "a", "minister", "said", "é", "北京", "naïve", "x" * 40, "", "2026", "🙂", "ß", "  "]
word = st.one_of(st.sampled_from(WORDS), st.text(min_size=0, max_size=10))
# Free text (spaces inside words too: a key split on b" " may have empty words), and what comparison_key makes of it.
raw_key = st.lists(word, min_size=0, max_size=60).map(" ".join)
key = st.one_of(raw_key, st.text(max_size=300).map(comparison_key), st.text(max_size=40))


def reference_gram_hashes(h: MinHasher, keys: list[str]) -> tuple[list[int], list[int]]:
    """Every key's shingle hashes one key at a time (the per-key loop ``_gram_hashes`` replaced)."""
    flat, counts = [], []
    for k in keys:
        hs = [xxhash.xxh32_intdigest(g) for g in h._grams(k)]
        flat.extend(hs)
        counts.append(len(hs))
    return flat, counts


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(key, min_size=1, max_size=10), k=st.sampled_from([1, 2, 3]))
def test_article_shingling_equals_per_key_shingling(keys, k):
    h = HASHERS[k]
    flat, counts = h._gram_hashes(keys)
    assert (flat.tolist(), counts.tolist()) == reference_gram_hashes(h, keys)


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(st.lists(word, min_size=3, max_size=40).map(" ".join), min_size=2, max_size=8),
       k=st.sampled_from([1, 2, 3]))
def test_article_shingling_fast_path_equals_per_key_shingling(keys, k):
    """Keys of at least k words take the one-split path (the strategy above mostly mixes in shorter ones)."""
    h = HASHERS[k]
    flat, counts = h._gram_hashes(keys)
    assert (flat.tolist(), counts.tolist()) == reference_gram_hashes(h, keys)
    # and so the fingerprints equal those of each key alone
    assert h.fingerprints(keys) == [h.fingerprints([x])[0] for x in keys]


def test_shingles_never_straddle_two_keys():
    h = HASHERS[2]
    flat, counts = h._gram_hashes(["alpha beta", "gamma delta epsilon"])
    want = [xxhash.xxh32_intdigest(g) for g in (b"alpha beta", b"gamma delta", b"delta epsilon")]
    assert flat.tolist() == want and counts.tolist() == [1, 2]


def reference_band_drain(added: list[tuple[list[int], int, int]], buckets: int) -> list[tuple[int, BandBatch]]:
    """The drain as it was: three flat lists, ``%`` per entry, a stable sort on the int64 bucket."""
    keys = [x for band_keys, _, _ in added for x in band_keys]
    ths = [th for band_keys, th, _ in added for _ in band_keys]
    sizes = [n for band_keys, _, n in added for _ in band_keys]
    if not keys:
        return []
    k, t, z = (np.array(v, dtype=np.int64) for v in (keys, ths, sizes))
    b = np.remainder(k, buckets)
    order = np.argsort(b, kind="stable")
    k, t, z, b = k[order], t[order], z[order], b[order]
    cuts = np.flatnonzero(np.diff(b)) + 1
    return [(int(bb[0]), BandBatch(kk, tt, zz)) for kk, tt, zz, bb in
            zip(np.split(k, cuts), np.split(t, cuts), np.split(z, cuts), np.split(b, cuts), strict=True)]


int64 = st.integers(-(2**63), 2**63 - 1)


@settings(max_examples=150, deadline=None)
@given(added=st.lists(st.tuples(st.lists(int64, max_size=45), int64, st.integers(0, 10**6)), max_size=30))
def test_band_drain_equals_the_flat_list_drain(added):
    batcher = BandBatcher()
    for band_keys, th, n in added:
        batcher.add(band_keys, th, n)
    got, want = batcher.drain(), reference_band_drain(added, BAND_BUCKETS)
    assert [b for b, _ in got] == [b for b, _ in want]
    for (_, g), (_, w) in zip(got, want, strict=True):
        for gc, wc in zip(g, w, strict=True):
            assert gc.dtype == np.int64 and gc.tolist() == wc.tolist()
    assert batcher.n == 0 and batcher.drain() == []  # drained means empty
    assert all(band_bucket(int(x)) == b for b, batch in got for x in batch.band_keys)


def reference_band_pairs(keys, ths, sizes, max_bucket, threshold):
    """``candidate_pairs`` per band key, the size rule applied pair by pair (test_dedup's reference, any input)."""
    size_of = dict(zip(ths.tolist(), sizes.tolist(), strict=True))
    want, cut, ruled_out = [], 0, 0
    for band in sorted(set(keys.tolist())):
        members = ths[keys == band].tolist()
        cut += len(set(members)) > max_bucket
        for a, b in candidate_pairs(members, max_bucket):
            if min(size_of[a], size_of[b]) < threshold * max(size_of[a], size_of[b]):
                ruled_out += 1
            else:
                want.append((a, b))
    return sorted(want), cut, ruled_out


@settings(max_examples=200, deadline=None)
@given(entries=st.lists(st.tuples(st.integers(-5, 5), st.integers(-20, 20)), max_size=120),
       max_bucket=st.integers(2, 6), threshold=st.sampled_from([0.3, 0.5, 0.9]), spread=st.sampled_from([1, 2**59]))
def test_band_pairs_equal_candidate_pairs_per_band(entries, max_bucket, threshold, spread):
    keys = np.array([k * spread for k, _ in entries], dtype=np.int64)
    ths = np.array([t for _, t in entries], dtype=np.int64)
    sizes = np.array([(t * 7) % 23 + 1 for t in ths.tolist()], dtype=np.int64)  # one size per text
    a, b, n_cut, n_ruled_out = band_pairs(keys, ths, sizes, max_bucket, threshold)
    got = sorted(zip(a.tolist(), b.tolist(), strict=True))
    assert (got, n_cut, n_ruled_out) == reference_band_pairs(keys, ths, sizes, max_bucket, threshold)


def test_band_pairs_with_only_single_keys_pairs_nothing():
    keys = np.arange(10, dtype=np.int64)
    a, b, n_cut, n_ruled_out = band_pairs(keys, keys * 3, keys + 1, 5, 0.5)
    assert len(a) == len(b) == n_cut == n_ruled_out == 0


@settings(max_examples=60, deadline=None)
@given(articles=st.lists(st.lists(key, min_size=1, max_size=6), min_size=1, max_size=6),
       chunk=st.sampled_from([3, 50, 16_384]))
def test_reused_scratch_gives_each_article_a_fresh_hashers_signatures(articles, chunk):
    """``signatures`` reuses one work array across calls of every size (grown, then reused smaller, cut in
    chunks): each article's fingerprints must equal those of a hasher that never computed anything before."""
    from newsbeam.dedup import rules

    old = rules.SIGNATURE_CHUNK
    rules.SIGNATURE_CHUNK = chunk
    try:
        shared = MinHasher(DedupSettings())
        for keys in articles:
            assert shared.fingerprints(keys) == MinHasher(DedupSettings()).fingerprints(keys)
        assert len(shared._buf) <= chunk * len(shared.a)  # never more than one chunk of products
    finally:
        rules.SIGNATURE_CHUNK = old


def test_band_pairs_equals_candidate_pairs_per_band():
    """A large random case (bands shared by many texts, cut buckets, pairs ruled out by size, pairs sharing two
    bands listed twice) against the per-band reference."""
    rng = np.random.default_rng(11)
    n = 4000
    keys = rng.integers(0, 300, size=n).astype(np.int64) * 7919 - 10**6
    ths = rng.integers(-50, 400, size=n).astype(np.int64)
    size_of = {int(t): int(rng.integers(5, 60)) for t in np.unique(ths)}
    sizes = np.array([size_of[int(t)] for t in ths], dtype=np.int64)
    want, cut, ruled_out = reference_band_pairs(keys, ths, sizes, 12, 0.5)
    a, b, n_cut, n_ruled_out = band_pairs(keys, ths, sizes, 12, 0.5)
    got = list(zip(a.tolist(), b.tolist(), strict=True))
    assert (n_cut, n_ruled_out) == (cut, ruled_out) and cut > 0 and ruled_out > 0
    assert sorted(got) == want and len(set(want)) < len(want)
    assert all(x < y for x, y in got)


def reference_signatures(h: MinHasher, shingles: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each row's MinHash signature one row at a time, shingle-major: the high 32 bits of min (a * x + b) mod 2^64."""
    ends = np.r_[starts[1:], len(shingles)]
    rows = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        x = shingles[s:e].astype(np.uint64)[:, None]
        rows.append(((x * h.a + h.b).min(axis=0) >> np.uint64(32)).astype(np.uint32))
    return np.array(rows, dtype=np.uint32).reshape(len(starts), len(h.a))


def reference_band_keys(h: MinHasher, sig: np.ndarray) -> list[int]:
    """One ``xxhash.xxh64_intdigest`` per band of a signature's bytes: what the index has always stored."""
    r = h.rows
    raw = sig.astype("<u4").tobytes()
    return [xxhash.xxh64_intdigest(raw[i * r * 4 : (i + 1) * r * 4], seed=i) - (1 << 63) for i in range(h.bands)]


@settings(max_examples=80, deadline=None)
@given(lens=st.lists(st.integers(1, 40), min_size=1, max_size=8), seed=st.integers(0, 2**32 - 1),
       rows=st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8]), chunk=st.sampled_from([1, 7, 64, 2048]))
def test_band_keys_from_permutation_major_minima_equal_xxhash_of_signatures(lens, seed, rows, chunk):
    """``_minima`` (permutation-major, cut in chunks) and ``_band_keys_of`` (XXH64 folded onto the 64-bit minima)
    against the row-at-a-time signatures and one ``xxhash`` call per band, for every band width (1 to 7 rows take
    ``_xxh64_of_minima``: odd and even, with and without a trailing 4-byte word; 8 takes the per-band fallback)."""
    from newsbeam.dedup import rules

    rng = np.random.default_rng(seed)
    shingles = rng.integers(0, 2**32, size=sum(lens), dtype=np.uint64).astype(np.uint32)
    shingles[: len(shingles) // 3] = np.uint32(2**32 - 1)  # extreme values too
    starts = np.r_[0, np.cumsum(lens)[:-1]].astype(np.int64)
    h = MinHasher(DedupSettings(num_perm=6 * rows, bands=6))
    old = rules.SIGNATURE_CHUNK
    rules.SIGNATURE_CHUNK = chunk
    try:
        want_sigs = reference_signatures(h, shingles, starts)
        got_sigs = h.signatures(shingles, starts)
        assert got_sigs.flags.c_contiguous and np.array_equal(got_sigs, want_sigs)
        got = h._band_keys_of(h._minima(shingles, starts))
    finally:
        rules.SIGNATURE_CHUNK = old
    assert got.dtype == np.int64 and got.shape == (len(lens), 6)
    assert got.tolist() == [reference_band_keys(h, s) for s in want_sigs]
    assert got.tolist() == h.band_key_rows(want_sigs).tolist()


def reference_queue_index(path: str, near: bool, skip: frozenset[int], records) -> dict[str, int]:
    """What ``ReadIndexFn`` did for one index file before ``queue_index_file``: one ``IndexRow`` at a time."""
    from newsbeam.dedup.index_format import read_index_rows

    counts: dict[str, int] = {}
    for row in read_index_rows(path, near):
        if row.uri_hash in skip:
            counts["index-entries-superseded"] = counts.get("index-entries-superseded", 0) + 1
            continue
        for name in ("index-entries-read", "xfer-refs-sent"):
            counts[name] = counts.get(name, 0) + 1
        records.add_ref(row.text_hash, row.ref())
        if near and row.bands is not None:
            records.add_text(row.bands, row.text_hash, row.shingles)
            counts["xfer-bands-sent"] = counts.get("xfer-bands-sent", 0) + len(row.bands)
            counts["xfer-shingles-sent"] = counts.get("xfer-shingles-sent", 0) + 1
    return counts


def _drained(records) -> list:
    return [(o.tag, o.value[0], [x.tolist() for x in o.value[1]] if o.tag == "band" else o.value[1])
            for o in records.drain()]


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 5), st.booleans(), st.integers(0, 3), st.booleans()), max_size=60),
       group=st.sampled_from([1, 7, 1000]), near=st.booleans(), skip=st.sets(st.integers(0, 5), max_size=3),
       before=st.integers(0, 3))
def test_index_file_queued_by_columns_equals_row_by_row(tmp_path_factory, rows, group, near, skip, before):
    """``queue_index_file`` queues the same refs, band entries and shingle sets, in the same order, with the same
    counts, as the row-by-row loop it replaced: skipped URIs, rows without band keys (short paragraphs), empty band
    lists, null dates, several row groups, and texts added one by one before the file (``add_block`` after ``add``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from newsbeam.dedup.batching import DedupRecords
    from newsbeam.dedup.index_format import INDEX_SCHEMA, queue_index_file

    rng = np.random.default_rng(len(rows) * 7 + group)
    table = []
    for i, (uri, has_bands, n_bands, dated) in enumerate(rows):
        bands = rng.integers(-(2**63), 2**63 - 1, size=n_bands * 13, dtype=np.int64).tolist() if has_bands else None
        table.append({"text_hash": int(rng.integers(-(2**63), 2**63 - 1)) if i % 5 else 42, "article_id": f"a{i % 7}",
                      "para_index": i, "published_us": 10**15 + i if dated else None, "n_words": 20 + i,
                      "source": "src" if i % 3 else "", "uri_hash": uri, "bands": bands,
                      "shingles": rng.bytes(4 * (i % 9 + 1)) if has_bands else None})
    path = str(tmp_path_factory.mktemp("idx") / "part.parquet")
    pq.write_table(pa.Table.from_pylist(table, schema=INDEX_SCHEMA), path, row_group_size=group)
    got, want = DedupRecords(), DedupRecords()
    for r in (got, want):  # texts this worker queued before reading the file
        for j in range(before):
            r.add_text([j, -j, 2**62 + j], 1000 + j, b"\x01\x00\x00\x00" * (j + 1))
    skip = frozenset(skip)
    assert queue_index_file(path, near, skip, got) == reference_queue_index(path, near, skip, want)
    assert _drained(got) == _drained(want)
