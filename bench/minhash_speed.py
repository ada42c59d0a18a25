"""CPU time of the per-article stage's MinHash work: the old per-paragraph path against the per-article one.

The per-article stage fingerprints every paragraph long enough for near dedup (band keys and the stored shingle
set). It used to call ``MinHasher.fingerprint`` once per paragraph, with one ``xxhash`` call per band; it now calls
``MinHasher.cached`` once per article (one numpy pass over all its paragraphs, band keys hashed in numpy, exact
repeats served from a per-worker cache). This benchmark times both over the same paragraphs — split and keyed with
newsbeam's own ``split_paragraphs`` and ``comparison_key`` — interleaved (old, new, old, new, ...) because the
machine is shared, checks that both give the same band keys and shingle bytes, and prints the CPU-second ratio.

    .venv/bin/python bench/minhash_speed.py CORPUS.jsonl[.gz] ... [--repeats 3] [--json FILE]

e.g. a part file of a corpus made by ``generate_corpus.py`` (``bench/corpus/gen-30mb-s1-f1000-news/part-00000.jsonl.gz``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import xxhash

from newsbeam.dedup.rules import DedupSettings, MinHasher
from newsbeam.text.paragraphs import comparison_key, count_words, split_paragraphs, text_hash


def load(paths: list[Path], s: DedupSettings) -> list[tuple[list[int], list[str]]]:
    """Per article: (text hashes, comparison keys) of its paragraphs long enough to be fingerprinted."""
    out = []
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                keys = [comparison_key(t) for t in split_paragraphs(json.loads(line).get("text") or "")]
                keys = [k for k in keys if count_words(k) >= s.near_min_words]
                if keys:
                    out.append(([text_hash(k) for k in keys], keys))
    return out


def old_fingerprint(h: MinHasher, key: str) -> tuple[list[int], bytes]:
    """The per-paragraph path as it was (commit 5acc1a7): shingles, a (shingles x perms) outer product, one
    ``xxhash`` call per band."""
    words = key.split(" ")
    if len(words) <= h.k:
        grams = [key]
    elif h.k == 2:
        grams = [a + " " + b for a, b in zip(words, words[1:], strict=False)]
    else:
        grams = [" ".join(words[i : i + h.k]) for i in range(len(words) - h.k + 1)]
    hashes = map(xxhash.xxh32_intdigest, map(str.encode, grams))
    sh = np.unique(np.fromiter(hashes, dtype=np.uint32, count=len(grams)))
    x = np.multiply.outer(sh.astype(np.uint64), h.a)
    x += h.b
    x >>= np.uint64(32)
    raw = x.min(axis=0).astype(np.uint32).tobytes()
    r = h.rows
    bands = [xxhash.xxh64_intdigest(raw[i * r * 4 : (i + 1) * r * 4], seed=i) - (1 << 63) for i in range(h.bands)]
    return bands, sh.tobytes()


def run_old(s: DedupSettings, articles) -> list:
    h = MinHasher(s)
    return [[old_fingerprint(h, k) for k in keys] for _, keys in articles]


def run_new(s: DedupSettings, articles) -> tuple[list, int]:
    h = MinHasher(s)  # a fresh worker: empty cache
    out, reused = [], 0
    for ths, keys in articles:
        fps, n = h.cached(ths, keys)
        out.append(fps)
        reused += n
    return out, reused


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="+", type=Path, help="JSONL article files (.gz or not)")
    ap.add_argument("--repeats", type=int, default=3, help="old/new pairs, interleaved (default 3)")
    ap.add_argument("--json", type=Path, help="also write the result here")
    a = ap.parse_args(argv)
    for p in a.corpus:
        if not p.is_file():
            print(f"minhash_speed: no such file: {p}", file=sys.stderr)
            return 2
    s = DedupSettings()
    articles = load(a.corpus, s)
    n_paras = sum(len(k) for _, k in articles)
    old_s, new_s = [], []
    for _ in range(a.repeats):
        t0 = time.process_time()
        old = run_old(s, articles)
        t1 = time.process_time()
        new, reused = run_new(s, articles)
        t2 = time.process_time()
        old_s.append(t1 - t0)
        new_s.append(t2 - t1)
        if old != new:
            print("minhash_speed: the two paths disagree", file=sys.stderr)
            return 1
    result = {
        "articles": len(articles), "paragraphs": n_paras, "reused": reused,
        "old_cpu_s": [round(x, 3) for x in old_s], "new_cpu_s": [round(x, 3) for x in new_s],
        "ratio_old_over_new": round(statistics.median(o / n for o, n in zip(old_s, new_s, strict=True)), 2),
        "identical": True,
    }
    print(f"{len(articles)} articles, {n_paras} fingerprinted paragraphs ({reused} exact repeats reused)")
    print(f"old per-paragraph CPU s: {result['old_cpu_s']}")
    print(f"new per-article   CPU s: {result['new_cpu_s']}")
    print(f"old / new (median of pairs): {result['ratio_old_over_new']}x; band keys and shingles identical")
    if a.json:
        a.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
