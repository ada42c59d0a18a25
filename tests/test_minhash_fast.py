"""The per-article MinHash path (``MinHasher.fingerprints``, ``cached``, numpy XXH64) against the per-paragraph one.

Band keys and shingle bytes are stored in the cross-run index and shuffled between stages, so the fast path must
give exactly the bytes the per-paragraph path gave (``reference_fingerprint``: that path as it was, kept once in
``bench/minhash_speed.py`` as the benchmark's baseline), for every setting a user may choose, and the numpy XXH64
must equal ``xxhash.xxh64_intdigest``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbeam.dedup import rules
from newsbeam.dedup.rules import DedupSettings, MinHasher, _xxh64_small
from newsbeam.text.articles import build_article
from newsbeam.text.paragraphs import comparison_key, text_hash

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
reference_fingerprint = importlib.import_module("minhash_speed").old_fingerprint

DEFAULT = DedupSettings()
# rows per band: 5 (default), 4, 1, 3 with 3-word shingles (numpy XXH64); 8 and 10 (the per-band xxhash fallback)
SETTINGS = [
    DEFAULT,
    DedupSettings(num_perm=128, bands=32),
    DedupSettings(num_perm=40, bands=40),
    DedupSettings(num_perm=60, bands=20, shingle_size=3),
    DedupSettings(num_perm=64, bands=8),
    DedupSettings(num_perm=100, bands=10, shingle_size=1),
]
HASHERS = {s: MinHasher(s) for s in SETTINGS}

WORDS = ["the", "a", "minister", "said", "on", "tuesday", "é", "北京", "naïve", "x" * 40, "", "2026", "🙂", "ß"]
word = st.one_of(st.sampled_from(WORDS), st.text(min_size=0, max_size=12).map(lambda t: t.replace(" ", "")))
key = st.one_of(
    st.lists(word, min_size=1, max_size=2).map(" ".join),  # 1- and 2-word keys: a single shingle
    st.lists(word, min_size=3, max_size=300).map(" ".join),  # up to long paragraphs
    st.text(max_size=200).map(comparison_key),  # whatever comparison_key makes of any text
)


@settings(max_examples=150, deadline=None)
@given(keys=st.lists(key, min_size=1, max_size=12), which=st.sampled_from(range(len(SETTINGS))))
def test_fingerprints_equal_the_per_paragraph_path(keys, which):
    h = HASHERS[SETTINGS[which]]
    want = [reference_fingerprint(h, k) for k in keys]
    assert h.fingerprints(keys) == want
    assert [h.fingerprint(k) for k in keys] == want
    assert [h.shingles(k).tobytes() for k in keys] == [sh for _, sh in want]


@settings(max_examples=40, deadline=None)
@given(keys=st.lists(key, min_size=1, max_size=8))
def test_signatures_cut_in_chunks_are_the_same(keys):
    h = HASHERS[DEFAULT]
    want = [reference_fingerprint(h, k) for k in keys]
    old = rules.SIGNATURE_CHUNK
    try:
        for chunk in (1, 2, 7):  # rows cut by chunk edges, rows spanning several chunks
            rules.SIGNATURE_CHUNK = chunk
            assert h.fingerprints(keys) == want
    finally:
        rules.SIGNATURE_CHUNK = old


def test_empty_key_list_and_short_keys():
    h = HASHERS[DEFAULT]
    assert h.fingerprints([]) == []
    for k in ("", "one", "two words", " ", "a  b"):  # every key has at least one shingle: no empty reduceat row
        bands, sh = h.fingerprint(k)
        assert len(sh) >= 4 and len(bands) == DEFAULT.bands
        assert (bands, sh) == reference_fingerprint(h, k)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(min_size=0, max_size=28).map(lambda b: b[: len(b) // 4 * 4]), seed=st.integers(0, 2**64 - 1))
def test_numpy_xxh64_equals_xxhash(data, seed):
    words = np.frombuffer(data, dtype="<u4").astype(np.uint32).reshape(1, -1)
    got = _xxh64_small(words, np.array([seed], dtype=np.uint64))
    assert int(got[0]) == xxhash.xxh64_intdigest(data, seed=seed)


def test_numpy_xxh64_fixed_vectors():
    # (input, seed, XXH64): the empty input's value is the one in xxHash's documentation; the others were taken from
    # python-xxhash and are written down so that a change on either side shows.
    vectors = [(b"", 0, 0xEF46DB3751D8E999), (bytes(range(20)), 0, 0xA3E3FBE96798D8AC),
               (bytes(range(20)), 39, 0x04B5E093290453C4), (bytes(range(16)), 7, 0x506DF9181E2573E0)]
    for data, seed, want in vectors:
        assert xxhash.xxh64_intdigest(data, seed=seed) == want
        words = np.frombuffer(data, dtype="<u4").astype(np.uint32)
        assert int(_xxh64_small(words, np.uint64(seed))) == want
    # many at once, one seed per element as the band keys use them
    words = np.frombuffer(bytes(range(20)), dtype="<u4").astype(np.uint32)
    got = _xxh64_small(np.stack([words, words]), np.array([0, 39], dtype=np.uint64))
    assert got.tolist() == [0xA3E3FBE96798D8AC, 0x04B5E093290453C4]


@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: f"{s.num_perm}x{s.bands}k{s.shingle_size}")
def test_band_keys_of_real_signatures_equal_xxhash(s):
    h = HASHERS[s]
    keys = [comparison_key(t) for t in (
        "The minister said on Tuesday that the new bridge over the river would open in the spring of next year.",
        "Advertisement",
        "Wire copy: officials in the capital confirmed the figures late on Monday, after a day of talks.",
    )]
    sigs = np.stack([h.signature(h.shingles(k)) for k in keys])
    rows = h.band_key_rows(sigs)
    assert rows.dtype == np.int64 and rows.shape == (len(keys), s.bands)
    assert rows.tolist() == [h.band_keys(sig) for sig in sigs]


def test_cache_serves_exact_repeats_and_stays_bounded():
    h = MinHasher(DEFAULT, cache_size=3)
    keys = [comparison_key(f"paragraph number {i} of the story, long enough to be fingerprinted here") for i in range(5)]
    ths = [text_hash(k) for k in keys]
    want = [reference_fingerprint(h, k) for k in keys]
    got, hits = h.cached(ths + ths[:1], keys + keys[:1])  # a repeat inside the article is computed once
    assert got == want + want[:1] and hits == 1
    assert len(h._cache) == 3  # the least recently used went first
    got, hits = h.cached(ths[2:], keys[2:])
    assert got == want[2:] and hits == 3
    got[0][0].append(0)  # callers own the lists they get: the cache is not changed through them
    assert h.cached(ths[2:3], keys[2:3]) == ([want[2]], 1)


def test_build_article_counts_reused_fingerprints():
    from datetime import datetime, timezone

    para = "The minister said on Tuesday that the new bridge over the river would open in the spring of next year."
    footer = "Copyright 2026 Example News. All rights reserved. Reproduction in whole or in part is not allowed here."
    raw = {"source_uri": "file:///a.jsonl", "location": "1", "text": f"{para}\n\n{footer}\n\n{footer}",
           "published": datetime(2026, 1, 1, tzinfo=timezone.utc), "source": "x"}
    h = MinHasher(DEFAULT)
    built = build_article(raw, run_id="r", dedup=DEFAULT, hasher=h, tag=None, languages=("en",))
    assert built.counts["near-fingerprints-reused"] == 1
    assert [(s["bands"], s["shingles"]) for s in built.sigs] == [
        reference_fingerprint(h, comparison_key(t)) for t in (para, footer, footer)]
    again = build_article({**raw, "location": "2"}, run_id="r", dedup=DEFAULT, hasher=h, tag=None, languages=("en",))
    assert again.counts["near-fingerprints-reused"] == 3 and again.sigs[0]["bands"] == built.sigs[0]["bands"]
