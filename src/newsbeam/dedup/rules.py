"""Duplicate decisions: exact groups, MinHash/LSH near-duplicates, boilerplate and article-level copies.

Everything here is plain Python over ids and hashes, so the Beam graph (``graph.py``) can shuffle ids instead of
paragraph text, and every rule is unit-testable.

The rules (also in ``docs/dedup.md``):

* Exact: two paragraphs are exact duplicates when their comparison keys (``paragraphs.comparison_key``) hash alike.
* Canonical: a paragraph already published by an earlier run stays canonical; among new ones the earliest
  ``published`` wins (null last), then the smallest ``article_id``, then the smallest ``para_index``. That order is a
  total order on ids, so the choice never depends on file order, worker count or runner.
* Short paragraphs: below ``local_only_below`` words (datelines, "Advertisement") a paragraph only counts as a
  duplicate inside its own article; below ``near_min_words`` it is only ever an exact duplicate.
* Near: MinHash over word k-shingles, LSH banding proposes candidate pairs, and every candidate is verified by the
  actual shingle Jaccard against the canonical itself. A paragraph joins the earliest canonical it is verified
  against; a paragraph that is itself a near copy cannot be the canonical of another, so A~B~C never chains into A~C.
* Boilerplate: a duplicate group whose members come from at least ``boilerplate_min_articles`` different articles
  of the same source is boilerplate for that source.
* Article copies: an article whose paragraphs copy one other article for at least ``article_copy_share`` of its
  (non-short) paragraphs is ``duplicate_of_article`` that article.
"""

from __future__ import annotations

import sys
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import xxhash

NULL_PUBLISHED = (1 << 62)  # sorts after every real timestamp (microseconds since epoch)


@dataclass(frozen=True)
class DedupSettings:
    """Defaults chosen with ``bench/near_dup_eval.py``; the MinHash part is recorded in the cross-run index.

    40 bands of 5 rows rather than 32 of 4: the same recall on edited copies (0.997 against 0.998, worst edit type
    0.983 against 0.984) with 4-5 times fewer candidate pairs on a generated news corpus. False candidates grow with
    the square of the corpus and were most of the near-dup cost (and memory) at 100 MB.
    """

    shingle_size: int = 2
    num_perm: int = 200
    bands: int = 40
    threshold: float = 0.5
    near_min_words: int = 12
    local_only_below: int = 4
    boilerplate_min_articles: int = 3
    article_copy_share: float = 0.8
    max_bucket: int = 200
    seed: int = 20261123
    near: bool = True

    def __post_init__(self) -> None:
        if self.bands <= 0 or self.num_perm % self.bands:
            raise ValueError(f"num_perm ({self.num_perm}) must be a multiple of bands ({self.bands})")
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")

    def index_settings(self) -> dict:
        """The settings an index was built with: a run with others must not mix with it."""
        d = asdict(self)
        return {k: d[k] for k in ("shingle_size", "num_perm", "bands", "seed")}


def order_key(published_us: int | None, article_id: str, para_index: int) -> tuple[int, str, int]:
    """The canonical order: earliest published (null last), then article_id, then para_index."""
    return (NULL_PUBLISHED if published_us is None else published_us, article_id, para_index)


def pid(article_id: str, para_index: int) -> str:
    return f"{article_id}:{para_index}"


def exact_key(text_hash: int, n_words: int, article_id: str, s: DedupSettings) -> int:
    """The shuffle key for exact dedup; very short paragraphs are keyed per article so they only match locally."""
    if n_words < s.local_only_below:
        return xxhash.xxh64_intdigest(f"{text_hash}|{article_id}".encode()) - (1 << 63)
    return text_hash


# --- MinHash -------------------------------------------------------------------------------------------------

# Shingle sets are stored (staging files, the index, the shuffles) as the raw bytes of a sorted uint32 array; only
# this package reads or writes that format.
SHINGLE_DTYPE = np.uint32


def shingle_count(raw: bytes) -> int:
    """The number of shingles in a stored shingle set."""
    return len(raw) // SHINGLE_DTYPE().itemsize


def shingles_from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype=SHINGLE_DTYPE)


# XXH64's constants (https://github.com/Cyan4973/xxHash, doc/xxhash_spec.md), for ``_xxh64_small``.
_P1 = np.uint64(0x9E3779B185EBCA87)
_P2 = np.uint64(0xC2B2AE3D27D4EB4F)
_P3 = np.uint64(0x165667B19E3779F9)
_P4 = np.uint64(0x85EBCA77C2B2AE63)
_P5 = np.uint64(0x27D4EB2F165667C5)
_SIGN = np.uint64(1 << 63)
_32 = np.uint64(32)
_HIGH = np.uint64(0xFFFFFFFF00000000)

# Shingles per numpy pass of ``MinHasher.signatures``: bounds the (num_perm x shingles) uint64 temporary (about 26 MB
# at 200 permutations) whatever the article; an article's paragraphs usually fit in one pass.
SIGNATURE_CHUNK = 16_384

# Exact repeats (footers, wire copy: about one paragraph in seven in news) reuse their fingerprint. Entries hold the
# band keys as int64 bytes (320 B at 40 bands) and the shingle set; ~0.7 KB each, so the cache stays near 10 MB.
FINGERPRINT_CACHE = 16_384


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """``np.unique(a)`` for a 1-d integer array: a sort and a neighbour test, several times cheaper on the small
    arrays MinHash makes (``np.unique`` has a fixed cost of about 15 us per call, once per paragraph)."""
    a = np.sort(a)
    keep = np.empty(len(a), dtype=bool)
    keep[:1] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def _rotl(x: np.ndarray, r: int, tmp: np.ndarray) -> None:
    """Rotate each uint64 of ``x`` left by ``r`` bits, in place (``tmp``: scratch of x's shape)."""
    np.right_shift(x, np.uint64(64 - r), out=tmp)
    x <<= np.uint64(r)
    x |= tmp


def _xxh64_small(words: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """XXH64 of inputs shorter than 32 bytes, element-wise: equal to ``xxhash.xxh64_intdigest(input, seed)``.

    ``words``: uint32 array (..., m), m < 8: each input as m little-endian 4-byte words (4 * m bytes); ``seeds``:
    uint64, the shape of ``words[..., 0]`` or broadcastable to it. This is XXH64's short-input path (no stripes):
    seed + PRIME64_5 + length, one round per 8-byte word, one per trailing 4-byte word, the avalanche; numpy's
    uint64 arithmetic wraps modulo 2^64 as the C code does (the rounds: ``_xxh64_short``). The arrays are small (an
    article's bands), so numpy's cost per call, not per element, is what counts. One ``xxhash`` call per
    (paragraph, band) was a quarter of the fingerprint time.
    """
    m = words.shape[-1]
    w = words.astype(np.uint64)
    h = np.empty(w.shape[:-1], dtype=np.uint64)
    h[...] = seeds + _P5 + np.uint64(4 * m)
    pairs = m // 2
    k = np.left_shift(w[..., 1 : 2 * pairs : 2], np.uint64(32))  # the 8-byte little-endian word at byte 8 * j
    k |= w[..., 0 : 2 * pairs : 2]
    return _xxh64_short(h, [k[..., j] for j in range(pairs)], w[..., m - 1] if m % 2 else None, k)


def _xxh64_short(h: np.ndarray, words: list[np.ndarray], tail: np.ndarray | None, block: np.ndarray) -> np.ndarray:
    """The rest of XXH64's short-input path from its start value ``h`` (seed + PRIME64_5 + length), in place:
    one round per 8-byte word (``words``: views into ``block``, each shaped like ``h``), one for a trailing 4-byte
    word (``tail``, widened to uint64; changed in place), then the avalanche.

    Each 8-byte word's own round (multiply, rotate, multiply) does not depend on the running hash, so it is done
    on the whole ``block`` of words at once; only the folding into ``h`` is a loop.
    """
    tmp = np.empty_like(h)
    if words:
        block *= _P2
        _rotl(block, 31, np.empty_like(block))
        block *= _P1
    for k in words:
        h ^= k
        _rotl(h, 27, tmp)
        h *= _P1
        h += _P4
    if tail is not None:
        tail *= _P1
        h ^= tail
        _rotl(h, 23, tmp)
        h *= _P2
        h += _P3
    for shift, prime in ((33, _P2), (29, _P3), (32, None)):  # the avalanche
        np.right_shift(h, np.uint64(shift), out=tmp)
        h ^= tmp
        if prime is not None:
            h *= prime
    return h


def _xxh64_of_minima(m: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """``_xxh64_small`` of every band of every text, straight from ``MinHasher._minima``: an (bands, n) uint64 array.

    ``m``: uint64 (bands, r, n), r < 8: the full 64-bit minima, permutation-major (``_minima``'s layout), whose high
    halves are the signature values; ``h0``: seed + PRIME64_5 + 4 * r per band, shape (bands, 1). XXH64 reads a band's
    bytes as little-endian 8-byte words; the word at byte 8 * j is ``sig[2j] | sig[2j+1] << 32``, which is
    ``m[2j] >> 32 | m[2j+1] & 0xFFFFFFFF00000000`` (on a little-endian machine: the caller checks), so the shift to
    uint32 signatures and their widening back are never made; the rounds are ``_xxh64_short``'s, as for
    ``_xxh64_small``. Fewer numpy calls: numpy's cost per call, not per element, is most of the time on one
    article's few hundred bands.
    """
    r = m.shape[1]
    pairs = r // 2
    h = np.empty((m.shape[0], m.shape[2]), dtype=np.uint64)
    h[...] = h0
    k = m[:, 0 : 2 * pairs : 2] >> _32
    k |= m[:, 1 : 2 * pairs : 2] & _HIGH
    return _xxh64_short(h, [k[:, j] for j in range(pairs)], m[:, r - 1] >> _32 if r % 2 else None, k)


class MinHasher:
    """Word-shingle MinHash with multiply-shift permutations, vectorised with numpy.

    The permutation parameters come from a fixed seed, so signatures are identical on every worker and every run —
    a requirement for the cross-run index. ``fingerprints`` does a whole article's paragraphs in one numpy pass and
    is what the per-article stage calls; ``fingerprint`` is the same for one key.
    """

    def __init__(self, s: DedupSettings, cache_size: int = FINGERPRINT_CACHE):
        rng = np.random.default_rng(s.seed)
        self.k = s.shingle_size
        self.a = rng.integers(1, 2**63, size=s.num_perm, dtype=np.uint64) | np.uint64(1)
        self.b = rng.integers(0, 2**63, size=s.num_perm, dtype=np.uint64)
        self.bands = s.bands
        self.rows = s.num_perm // s.bands
        self.seeds = np.arange(self.bands, dtype=np.uint64)
        self._h0 = (self.seeds + _P5 + np.uint64(4 * self.rows))[:, None]  # XXH64's start per band (``_xxh64_of_minima``)
        self._a_col, self._b_col = self.a[:, None], self.b[:, None]
        # text hash -> (band keys as int64 bytes, shingle bytes), least recently used first; see ``cached``.
        self.cache_size = cache_size
        self._cache: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()
        self._buf = np.empty(0, dtype=np.uint64)  # ``_scratch``'s memory

    def _scratch(self, cols: int) -> np.ndarray:
        """A (num_perm, cols) uint64 work array, reused by every call (so a MinHasher serves one thread at a time,
        as its cache already requires). It grows by doubling up to ``SIGNATURE_CHUNK`` columns (26 MB at 200
        permutations) and stays at the largest size needed so far."""
        need = cols * len(self.a)
        if len(self._buf) < need:
            grow = min(max(2 * len(self._buf), need), SIGNATURE_CHUNK * len(self.a))
            self._buf = np.empty(max(grow, need), dtype=np.uint64)
        return self._buf[:need].reshape(len(self.a), cols)

    def _grams(self, key: str) -> Iterable[bytes]:
        """The UTF-8 bytes of the key's word k-shingles (the whole key when it is shorter).

        Splitting the encoded key on b" " gives the encoded words (a space is one byte, never part of another
        character), so the key is encoded once rather than once per shingle.
        """
        words = key.encode().split(b" ")
        k = self.k
        if len(words) <= k:
            return (b" ".join(words),)
        return map(b" ".join, zip(*(words[i:] for i in range(k)), strict=False))

    def _gram_hashes(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(xxh32 of every key's k-shingles, in key order, as uint64; shingles per key): ``_grams`` of each key.

        The keys are joined by spaces and split once, and the k-word windows of that one word list are hashed in
        one C-level ``map``: per-key Python work (encode, split, zip, extend) happens once per article (measured on
        the generated 10 MB corpus: 0.25 -> 0.23 CPU-s; the join and hash per shingle, in C, are the rest). The
        k - 1 windows that straddle two keys are then dropped. Joining
        keys by b" " and splitting on it gives exactly each key's own words in order (a space is one byte, never
        part of another character), so every window inside a key is that key's shingle, byte for byte. A key of
        fewer than k words is one shingle (the whole key), not a window: such a batch takes the per-key path.
        """
        k = self.k
        n_words = [key.count(" ") + 1 for key in keys]
        if min(n_words) < k or len(keys) == 1:
            hashes: list[int] = []
            counts = np.empty(len(keys), dtype=np.int64)
            for i, key in enumerate(keys):
                n = len(hashes)
                hashes.extend(map(xxhash.xxh32_intdigest, self._grams(key)))
                counts[i] = len(hashes) - n
            return np.fromiter(hashes, dtype=np.uint64, count=len(hashes)), counts
        words = " ".join(keys).encode().split(b" ")
        windows = map(b" ".join, zip(*(words[i:] for i in range(k)), strict=False)) if k > 1 else iter(words)
        every = np.fromiter(map(xxhash.xxh32_intdigest, windows), dtype=np.uint64, count=len(words) - k + 1)
        counts = np.asarray(n_words, dtype=np.int64) - (k - 1)  # each key has >= k words: >= 1 window
        if k == 1:
            return every, counts
        # Window j starts at word j; key i's words are [first_i, first_i + n_i), its windows start in
        # [first_i, first_i + n_i - k]; the k - 1 starts after that (before the next key) straddle a boundary.
        keep = np.ones(len(every), dtype=bool)
        ends = np.cumsum(n_words)[:-1]  # the first word of keys 1..n-1
        for j in range(1, k):
            keep[ends - j] = False
        return every[keep], counts

    def shingles(self, key: str) -> np.ndarray:
        """Sorted unique 32-bit hashes of the key's word k-shingles (the whole key when it is shorter)."""
        return _sorted_unique(np.fromiter(map(xxhash.xxh32_intdigest, self._grams(key)), dtype=np.uint32))

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        return self.signatures(shingles, np.zeros(1, dtype=np.int64))[0]

    def signatures(self, shingles: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """The signature of each row of a flat shingle array (row i starts at ``starts[i]``; no row is empty)."""
        m = self._minima(shingles, starts)
        m >>= _32
        return m.T.astype(np.uint32, order="C")

    def _minima(self, shingles: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """(num_perm, rows) uint64: each row's minimum of (a * x + b) mod 2^64 per permutation, before the shift.

        The hash is (a * x + b) mod 2^64, its high 32 bits kept. Taking the high bits is monotone, so the minimum
        is taken on the full 64-bit values and shifted once (``signatures``), or never (``_band_keys_of``). Rows are
        reduced with ``np.minimum.reduceat`` over chunks of ``SIGNATURE_CHUNK`` shingles; a row cut by a chunk edge
        is the minimum of its parts.

        Permutation-major: the products are (num_perm, shingles), so each row's minimum is a reduction over
        contiguous memory, not an element-wise minimum of rows of 200 values (measured on 3,000 article-sized
        inputs: 0.22 -> 0.19 CPU-s). They go into ``_scratch``, kept between calls: a fresh array per article is
        over 64 KB as soon as an article has 41 shingles, and the pipeline sets glibc's mmap threshold to 64 KB
        (``runtime/memory.py``), so each was a new mapping whose pages the kernel zeroed and faulted in (2.4 GB of
        such arrays per 10 MB of news; 1.39 -> 0.82 CPU-s for the generated 10 MB corpus's fingerprints).
        """
        total, n = len(shingles), len(starts)
        if shingles.dtype != SHINGLE_DTYPE:  # stored shingles are uint32 (widened exactly by the multiply); else as is
            shingles = shingles.astype(np.uint64)
        if total <= SIGNATURE_CHUNK:
            # wraps modulo 2^64 on purpose
            h = np.multiply(self._a_col, shingles, out=self._scratch(total), dtype=np.uint64)
            h += self._b_col
            return np.minimum.reduceat(h, starts, axis=1)
        m = np.full((len(self.a), n), np.iinfo(np.uint64).max, dtype=np.uint64)
        for c0 in range(0, total, SIGNATURE_CHUNK):
            c1 = min(total, c0 + SIGNATURE_CHUNK)
            h = np.multiply(self._a_col, shingles[c0:c1], out=self._scratch(c1 - c0), dtype=np.uint64)
            h += self._b_col
            lo = int(np.searchsorted(starts, c0, side="right")) - 1  # the row holding shingle c0
            hi = int(np.searchsorted(starts, c1, side="left"))  # rows starting before c1
            part = np.minimum.reduceat(h, np.maximum(starts[lo:hi] - c0, 0), axis=1)
            np.minimum(m[:, lo:hi], part, out=m[:, lo:hi])
        return m

    def fingerprint(self, key: str) -> tuple[list[int], bytes]:
        """A comparison key's LSH band keys and its stored shingle set: what the index and the shuffles carry."""
        return self.fingerprints([key])[0]

    def fingerprints(self, keys: Sequence[str]) -> list[tuple[list[int], bytes]]:
        """``[fingerprint(k) for k in keys]`` in one numpy pass: one sort, one outer product, one band hash."""
        if not keys:
            return []
        bands, shingles, starts, ends = self._fingerprint_arrays(keys)
        rows = bands.tolist()
        return [(rows[i], shingles[starts[i] : ends[i]].tobytes()) for i in range(len(keys))]

    def _fingerprint_arrays(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[int], list[int]]:
        """(band keys (n, bands) int64, every key's shingles in one flat array, row starts, row ends).

        Every key has at least one shingle (a key of fewer than k words is one shingle, the empty key too), so no
        row is empty. Each shingle is tagged with its key's number in the high 32 bits, so one ``np.unique`` sorts
        and deduplicates every key's shingles at once.
        """
        flat, counts = self._gram_hashes(keys)
        if len(keys) == 1:  # nothing to tell apart (an article with one text not seen before)
            shingles = _sorted_unique(flat).astype(SHINGLE_DTYPE)
            starts = np.zeros(1, dtype=np.int64)
            return self._band_keys_of(self._minima(shingles, starts)), shingles, [0], [len(shingles)]
        tagged = _sorted_unique((np.repeat(np.arange(len(keys), dtype=np.uint64), counts) << _32) | flat)
        shingles = tagged.astype(SHINGLE_DTYPE)  # the low 32 bits
        lens = np.bincount((tagged >> _32).astype(np.intp), minlength=len(keys))
        ends = np.cumsum(lens)
        starts = ends - lens
        return self._band_keys_of(self._minima(shingles, starts)), shingles, starts.tolist(), ends.tolist()

    def _band_keys_of(self, minima: np.ndarray) -> np.ndarray:
        """``band_key_rows(signatures)`` straight from ``_minima``'s (num_perm, n) array, as an (n, bands) int64 view:
        the shift, the transposed uint32 copy and its widening back to uint64 are folded into
        ``_xxh64_of_minima``'s first step."""
        r = self.rows
        if r * 4 >= 32 or sys.byteorder != "little":
            minima >>= _32
            return self.band_key_rows(minima.T.astype(np.uint32, order="C"))
        h = _xxh64_of_minima(minima.reshape(self.bands, r, minima.shape[1]), self._h0)
        h ^= _SIGN
        return h.view(np.int64).T  # h - 2^63, as a signed int64

    def cached(self, text_hashes: Sequence[int], keys: Sequence[str]) -> tuple[list[tuple[list[int], bytes]], int]:
        """``fingerprints(keys)`` through a bounded LRU cache keyed by each key's text hash; returns (fingerprints,
        how many came from the cache or from an earlier equal key of the same call).

        A fingerprint depends on the comparison key only, and equal text hashes are equal keys everywhere in dedup
        (exact groups are keyed on them), so the cache changes the time, never the output.
        """
        out: list = [None] * len(keys)
        todo: dict[int, list[int]] = {}
        hits = 0
        cache = self._cache
        for i, th in enumerate(text_hashes):
            got = cache.get(th)
            if got is not None:
                cache.move_to_end(th)
                out[i] = (np.frombuffer(got[0], dtype=np.int64).tolist(), got[1])
                hits += 1
            else:
                todo.setdefault(th, []).append(i)
        if todo:
            bands, shingles, starts, ends = self._fingerprint_arrays([keys[idx[0]] for idx in todo.values()])
            rows = bands.tolist()
            for j, (th, idx) in enumerate(todo.items()):
                sh = shingles[starts[j] : ends[j]].tobytes()
                out[idx[0]] = (rows[j], sh)
                for i in idx[1:]:
                    out[i] = (list(rows[j]), sh)
                hits += len(idx) - 1
                if self.cache_size > 0:
                    cache[th] = (bands[j].tobytes(), sh)
            while len(cache) > self.cache_size:
                cache.popitem(last=False)
        return out, hits

    def band_key_rows(self, signatures: np.ndarray) -> np.ndarray:
        """``band_keys`` of each row of an (n, num_perm) uint32 array, as an (n, bands) int64 array.

        A band of fewer than 8 rows (under 32 bytes; 5 by default) is hashed by ``_xxh64_small`` for all rows and
        bands at once; longer bands take ``band_keys``' per-band path. Either way the keys are those of
        ``xxhash.xxh64_intdigest``, so indexes built earlier stay compatible.
        """
        n, r = len(signatures), self.rows
        if r * 4 >= 32:
            return np.array([self.band_keys(s) for s in signatures], dtype=np.int64).reshape(n, self.bands)
        v = signatures.reshape(n, self.bands, r)
        if sys.byteorder != "little":  # xxhash reads the bytes of ``tobytes()`` as little-endian words
            v = v.byteswap()
        h = _xxh64_small(v, self.seeds)
        h ^= _SIGN
        return h.view(np.int64)  # h - 2^63, as a signed int64

    def band_keys(self, signature: np.ndarray) -> list[int]:
        """One int64 per band: the band's index and values hashed together."""
        r = self.rows
        raw = signature.tobytes()
        return [
            xxhash.xxh64_intdigest(raw[i * r * 4 : (i + 1) * r * 4], seed=i) - (1 << 63) for i in range(self.bands)
        ]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two sorted unique shingle arrays."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    # Both are sorted and unique, so a value present in both appears twice in a row once merged: cheaper than
    # np.intersect1d, which also builds the intersection itself.
    both = np.concatenate((a, b))
    both.sort()
    inter = int(np.count_nonzero(both[1:] == both[:-1]))
    return inter / (len(a) + len(b) - inter)


# Pairs verified per numpy pass: bounds the temporary arrays (about 1.5 KB per pair) whatever the bucket size.
JACCARD_CHUNK = 20_000


@dataclass(frozen=True)
class ShingleSets:
    """Many texts' shingle sets in one flat array (row i: ``values[offsets[i]:offsets[i] + lens[i]]``).

    Candidate pairs are verified in bulk against it: a Python loop calling ``jaccard`` once per pair was most of
    the near-dup verification time, and a hundred thousand small ``bytes`` objects per bucket most of its memory.
    """

    texts: np.ndarray  # int64 text hashes, one per row (a text may have several rows: they are equal)
    lens: np.ndarray  # int64
    values: np.ndarray  # uint32, each row sorted and unique

    @classmethod
    def from_bytes(cls, texts: Sequence[int], raw: Sequence[bytes]) -> ShingleSets:
        return cls(
            np.asarray(texts, dtype=np.int64).reshape(-1),
            np.fromiter((shingle_count(r) for r in raw), dtype=np.int64, count=len(raw)),
            shingles_from_bytes(b"".join(raw)),
        )

    @classmethod
    def concat(cls, parts: Sequence[ShingleSets]) -> ShingleSets:
        return cls(
            np.concatenate([p.texts for p in parts]),
            np.concatenate([p.lens for p in parts]),
            np.concatenate([p.values for p in parts]),
        )

    def rows_of(self, ths: np.ndarray) -> np.ndarray:
        """The row of each text hash (every one must be present)."""
        uniq, first = np.unique(self.texts, return_index=True)
        return first[np.searchsorted(uniq, ths)]

    def jaccard(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        """Exact Jaccard of each pair of rows, as ``jaccard`` would compute it one pair at a time."""
        offsets = np.cumsum(self.lens) - self.lens
        out = np.empty(len(rows_a), dtype=np.float64)
        for s in range(0, len(rows_a), JACCARD_CHUNK):
            ra, rb = rows_a[s : s + JACCARD_CHUNK], rows_b[s : s + JACCARD_CHUNK]
            la, lb = self.lens[ra], self.lens[rb]
            # Tag each shingle with its pair number in the high 32 bits: after one sort, a shingle in both sets of a
            # pair is two equal neighbours, and the pair number says whose intersection it counts for.
            keys = np.concatenate((self._tagged(offsets[ra], la), self._tagged(offsets[rb], lb)))
            keys.sort()
            same = keys[1:][keys[1:] == keys[:-1]]
            inter = np.bincount((same >> np.uint64(32)).astype(np.int64), minlength=len(ra))
            union = la + lb - inter
            with np.errstate(invalid="ignore", divide="ignore"):
                out[s : s + len(ra)] = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
        return out

    def _tagged(self, starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
        total = int(lens.sum())
        pair = np.repeat(np.arange(len(lens), dtype=np.uint64), lens)
        pos = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lens) - lens - starts, lens)
        return (pair << np.uint64(32)) | self.values[pos].astype(np.uint64)


# --- Exact groups --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One paragraph in a duplicate group: ids only. ``old`` marks a paragraph of an earlier published run."""

    order: tuple[int, str, int]
    shard: str
    source: str
    old: bool = False

    @property
    def pid(self) -> str:
        return pid(self.order[1], self.order[2])


def canonical_of(members: Sequence[Member]) -> Member:
    """Earlier runs win; then the canonical order."""
    old = [m for m in members if m.old]
    return min(old or members, key=lambda m: m.order)


def boilerplate_sources(members: Sequence[Member], min_articles: int) -> set[str]:
    """Sources for which this group is boilerplate: repeated in >= min_articles distinct articles of that source."""
    per_source: dict[str, set[str]] = defaultdict(set)
    for m in members:
        if m.source:
            per_source[m.source].add(m.order[1])
    return {src for src, arts in per_source.items() if len(arts) >= min_articles}


def candidate_pairs(bucket: Iterable[int], max_bucket: int) -> list[tuple[int, int]]:
    """Pairs of distinct text hashes that share an LSH band, as (smaller, larger).

    A bucket larger than ``max_bucket`` (a stock phrase that many paragraphs share) is cut to its ``max_bucket``
    smallest hashes, deterministically, to keep the work quadratic in a bounded number; the cut is counted.
    """
    hashes = sorted(set(bucket))
    if len(hashes) > max_bucket:
        hashes = hashes[:max_bucket]
    return [(hashes[i], hashes[j]) for i in range(len(hashes)) for j in range(i + 1, len(hashes))]


def band_pairs(
    keys: np.ndarray, ths: np.ndarray, sizes: np.ndarray, max_bucket: int, threshold: float
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``candidate_pairs`` for every band key at once, minus the pairs that sizes alone rule out.

    ``keys``, ``ths``, ``sizes``: one LSH band entry per position (band key, text hash, shingle count), repeats
    allowed. Returns (a, b, groups cut at ``max_bucket``, pairs ruled out by size): a < b, the pairs of distinct texts
    that share a band key and whose Jaccard can reach ``threshold`` (it is at most smaller / larger size). A Python
    loop over the pairs was most of this step's time.

    Most band keys of real text belong to one entry only and pair with nothing, so one plain sort of the keys first
    keeps the entries whose key occurs at least twice, and only those are sorted by (key, text): the two-key sort of
    every entry was half of this function's time. Dropping single entries changes nothing: a group of one entry
    has no pair and is never cut.
    """
    by_key = np.argsort(keys)
    sk = keys[by_key]
    same = sk[1:] == sk[:-1]
    shared = np.zeros(len(sk), dtype=bool)
    shared[1:] = same
    shared[:-1] |= same
    sel = by_key[shared]
    keys, ths, sizes = keys[sel], ths[sel], sizes[sel]
    order = np.lexsort((ths, keys))
    k, t, z = keys[order], ths[order], sizes[order]
    first = np.ones(len(k), dtype=bool)
    first[1:] = (k[1:] != k[:-1]) | (t[1:] != t[:-1])
    k, t, z = k[first], t[first], z[first]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    lens = np.diff(np.r_[starts, len(k)])
    n_cut = int((lens > max_bucket).sum())
    m = np.minimum(lens, max_bucket)
    # Each entry at position p of its (cut) group pairs with the m - 1 - p entries after it.
    pos = np.arange(len(k)) - np.repeat(starts, lens)
    partners = np.maximum(np.repeat(m, lens) - 1 - pos, 0)
    left = np.repeat(np.arange(len(k)), partners)
    right = left + 1 + (np.arange(len(left)) - np.repeat(np.cumsum(partners) - partners, partners))
    za, zb = z[left], z[right]
    fits = ~(np.minimum(za, zb) < threshold * np.maximum(za, zb))
    return t[left][fits], t[right][fits], n_cut, int(len(fits) - fits.sum())


@dataclass(frozen=True)
class Node:
    """A distinct text (an exact group) in the near-dup graph, represented by its exact canonical."""

    text_hash: int
    order: tuple[int, str, int]
    old: bool


def resolve_near(nodes: dict[int, Node], edges: Iterable[tuple[int, int, float]]) -> dict[int, tuple[int, float]]:
    """Greedy, order-based clustering of verified near edges: text_hash -> (canonical text_hash, similarity).

    Nodes are visited in canonical order (old ones first); a node becomes a copy of the earliest canonical it has a
    verified edge to, otherwise it is a canonical itself. Only direct edges count, so there is no chaining. Old
    nodes are always canonical: published decisions are never revised.
    """
    adj: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for a, b, sim in edges:
        adj[a].append((b, sim))
        adj[b].append((a, sim))
    rank = {h: (0 if n.old else 1, n.order) for h, n in nodes.items()}
    canonical: set[int] = set()
    out: dict[int, tuple[int, float]] = {}
    for h in sorted(nodes, key=lambda x: rank[x]):
        if nodes[h].old:
            canonical.add(h)
            continue
        best = None
        for other, sim in adj.get(h, ()):
            if other in canonical and rank[other] < rank[h] and (best is None or rank[other] < rank[best[0]]):
                best = (other, sim)
        if best is None:
            canonical.add(h)
        else:
            out[h] = best
    return out


# --- Per-article rules ---------------------------------------------------------------------------------------


def article_copy_of(
    article_id: str, dup_targets: Sequence[str | None], eligible: Sequence[bool], share: float
) -> str | None:
    """The article this one copies, when >= ``share`` of its eligible paragraphs point into that one article.

    ``dup_targets`` holds each paragraph's ``duplicate_of`` (``article_id:para_index`` or None).
    """
    considered = [t for t, ok in zip(dup_targets, eligible, strict=True) if ok]
    if not considered:
        return None
    counts = Counter(t.rsplit(":", 1)[0] for t in considered if t)
    counts.pop(article_id, None)
    if not counts:
        return None
    best, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return best if n / len(considered) >= share else None
