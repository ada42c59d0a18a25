"""How realistic is a corpus? Paragraph statistics of any corpus next to those of the real devsets.

    python bench/corpus_stats.py bench/corpus/gen-30mb-s1-f1000-v2          # a corpus and the devsets
    python bench/corpus_stats.py --devsets-only                            # the devsets alone
    python bench/corpus_stats.py CORPUS --max-articles 20000 --json out.json

Paragraphs are what ``newsbeam run`` sees (``paragraphs.split_paragraphs``, then ``comparison_key``), and the
statistics are those of the pipeline's near-duplicate stage with the default ``DedupSettings``:

* ``random_pair_jaccard``: mean Jaccard of the word-``shingle_size`` shingle sets (``MinHasher.shingles``) of
  ``--pairs`` random pairs of paragraphs of >= ``near_min_words`` words from different articles; also the share of
  such pairs with Jaccard >= 0.2 and the LSH candidate probability that pairs at their Jaccard have;
* ``words``: words per paragraph (quantiles), and ``ks_vs_geovirus``: the two-sample Kolmogorov-Smirnov statistic
  of the words-per-paragraph distribution (paragraphs of >= ``near_min_words`` words) against GeoVirus';
* ``exact_copy_share``: articles whose whole text (comparison keys of every paragraph) equals an earlier
  article's; ``near_dup_share``: the others whose paragraphs of >= ``near_min_words`` words are, for at least
  ``article_copy_share`` of them, exact or near (Jaccard >= ``threshold``, found by MinHash LSH) copies of
  paragraphs of one earlier article: newsbeam's ``duplicate_of_article`` rule. "Earlier" is by ``published``, then id.
  Also the share of paragraphs that are exact or near copies of a paragraph of another, earlier article.

The devsets (``../shared/devsets``, real Wikinews and Wikipedia text, never copied into this repository) need one
note. GeoVirus stores every article on one line without paragraph breaks, so newsbeam reads each as one paragraph
of 77-1,355 words. The reference paragraphs are therefore its sentences grouped in consecutive pairs
(``--devsets-sentences 2``, the default; a last odd sentence is a paragraph alone): a median of 38 words, like the
paragraphs of the news we wrote by hand for ``sample_corpus/`` (median 39). Wikigold has one sentence per line,
which newsbeam reads as one paragraph each; the same pairing is applied to its lines. ``--devsets-sentences 1``
(sentences) and ``0`` (as newsbeam reads the files) are reported with ``--all-groupings``. Without the devsets the
corpus is still measured and the devsets entries say they are absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from newsbeam.dedup.rules import DedupSettings, MinHasher, jaccard
from newsbeam.text.paragraphs import comparison_key, count_words, split_paragraphs

HERE = Path(__file__).resolve().parent
DEVSETS = HERE.parent.parent / "shared" / "devsets"
DEVSET_FILES = {"geovirus": "geovirus.jsonl", "wikigold": "wikigold.jsonl"}
_SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“(A-Z0-9])")


# --- Reading ----------------------------------------------------------------------------------------------------


def _jsonl_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.name.endswith((".jsonl", ".jsonl.gz")))


def read_articles(path: Path, max_articles: int | None = None) -> list[dict]:
    """Articles ``{"id", "published", "text"}`` of a JSONL(.gz) file or folder; other inputs through newsbeam."""
    files = _jsonl_files(path)
    out: list[dict] = []
    if files:
        for f in files:
            with (gzip.open(f, "rt", encoding="utf-8") if f.name.endswith(".gz") else f.open(encoding="utf-8")) as fh:
                for line in fh:
                    if line.strip():
                        r = json.loads(line)
                        out.append({"id": str(r.get("id", len(out))), "published": r.get("published") or "",
                                    "text": r.get("text") or "", "group": r.get("url") or str(r.get("id"))})
                        if max_articles and len(out) >= max_articles:
                            return out
        return out
    from newsbeam.ingest.readers import read_input
    from newsbeam.ingest.sources import list_inputs

    for ref in list_inputs([str(path)]):
        for kind, ev in read_input(ref):
            if kind == "article":
                aid = f"{ev['source_uri']}#{ev.get('location', '')}"
                out.append({"id": aid, "published": str(ev.get("published") or ""), "text": ev.get("text") or "",
                            "group": ev.get("url") or aid})
                if max_articles and len(out) >= max_articles:
                    return out
    return out


def sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text) if s.strip()]


def article_paragraphs(text: str, group_sentences: int = 0) -> list[str]:
    """Paragraphs as newsbeam splits them; with ``group_sentences`` > 0, each regrouped into runs of that many
    sentences (for text stored without paragraph breaks)."""
    paras = split_paragraphs(text)
    if group_sentences <= 0:
        return paras
    if len(paras) > 1 and max(len(sentences(p)) for p in paras) <= 1:  # one sentence per line (Wikigold)
        sents = paras
    else:
        sents = [s for p in paras for s in sentences(p)]
    return [" ".join(sents[i:i + group_sentences]) for i in range(0, len(sents), group_sentences)]


def devset_articles(name: str, devsets: Path = DEVSETS) -> list[dict] | None:
    f = devsets / DEVSET_FILES[name]
    return read_articles(f) if f.is_file() else None


# --- Statistics ------------------------------------------------------------------------------------------------


def ks_statistic(a: list[int] | np.ndarray, b: list[int] | np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs."""
    a, b = np.sort(np.asarray(a)), np.sort(np.asarray(b))
    if not len(a) or not len(b):
        return float("nan")
    grid = np.union1d(a, b)
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def _quantiles(x: list[int]) -> dict:
    if not x:
        return {}
    q = np.percentile(np.asarray(x), [10, 25, 50, 75, 90])
    return {"mean": round(float(np.mean(x)), 1), **{f"p{p}": float(v) for p, v in zip((10, 25, 50, 75, 90), q,
                                                                                        strict=True)}}


def random_pair_jaccard(items: list[tuple[int, np.ndarray]], pairs: int, seed: int, s: DedupSettings) -> dict:
    """Mean shingle Jaccard of random pairs of paragraphs (article index, shingles) from different articles."""
    if len(items) < 2 or len({a for a, _ in items}) < 2:
        return {"pairs": 0}
    rng = random.Random(seed)
    js = []
    while len(js) < pairs:
        (a1, s1), (a2, s2) = items[rng.randrange(len(items))], items[rng.randrange(len(items))]
        if a1 != a2:
            js.append(jaccard(s1, s2))
    j = np.asarray(js)
    rows = s.num_perm // s.bands
    p_cand = 1 - (1 - j ** rows) ** s.bands
    return {"pairs": pairs, "mean": round(float(j.mean()), 5), "p99": round(float(np.percentile(j, 99)), 4),
            "share_ge_0.2": round(float((j >= 0.2).mean()), 5),
            "mean_lsh_candidate_probability": float(f"{p_cand.mean():.3g}")}


def copy_shares(arts: list[dict], keys: list[list[str]], hasher: MinHasher, s: DedupSettings) -> dict:
    """Exact whole-article copies and near copies (newsbeam's article-copy rule), in publication order."""
    order = sorted(range(len(arts)), key=lambda i: (arts[i]["published"], arts[i]["id"]))
    rank = {i: r for r, i in enumerate(order)}
    seen: set[tuple[str, ...]] = set()
    exact = set()
    for i in order:
        t = tuple(keys[i])
        if t in seen:
            exact.add(i)
        seen.add(t)
    # Distinct long paragraphs, their first occurrence, and LSH buckets over them.
    text_of: dict[str, int] = {}
    owners: list[list[int]] = []
    for i in order:
        for k in keys[i]:
            if count_words(k) >= s.near_min_words:
                t = text_of.setdefault(k, len(owners))
                if t == len(owners):
                    owners.append([])
                if not owners[t] or owners[t][-1] != i:
                    owners[t].append(i)
    texts = list(text_of)
    sh = [hasher.shingles(k) for k in texts]
    buckets: dict[int, list[int]] = defaultdict(list)
    for t, x in enumerate(sh):
        for b in hasher.band_keys(hasher.signature(x)):
            buckets[b].append(t)
    similar: dict[int, set[int]] = defaultdict(set)  # text -> near texts
    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        members = members[: s.max_bucket]
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                p = (members[x], members[y])
                if p in checked:
                    continue
                checked.add(p)
                if jaccard(sh[p[0]], sh[p[1]]) >= s.threshold:
                    similar[p[0]].add(p[1])
                    similar[p[1]].add(p[0])
    near_articles = 0
    para_exact = para_near = para_total = 0
    for i in order:
        if i in exact:
            continue
        r = rank[i]
        long_ = [text_of[k] for k in keys[i] if count_words(k) >= s.near_min_words]
        votes: dict[int, int] = defaultdict(int)
        for t in long_:
            para_total += 1
            src = {o for o in owners[t] if rank[o] < r}
            if src:
                para_exact += 1
            near_src = {o for u in similar.get(t, ()) for o in owners[u] if rank[o] < r} - src
            if near_src and not src:
                para_near += 1
            for o in src | near_src:
                votes[o] += 1
        if long_ and votes and max(votes.values()) >= s.article_copy_share * len(long_):
            near_articles += 1
    n = len(arts)
    return {"articles": n, "exact_copy_articles": len(exact),
            "exact_copy_share": round(len(exact) / n, 4) if n else None,
            "near_dup_articles": near_articles, "near_dup_share": round(near_articles / n, 4) if n else None,
            "long_paragraphs": para_total,
            "paragraph_exact_copy_share": round(para_exact / para_total, 4) if para_total else None,
            "paragraph_near_copy_share": round(para_near / para_total, 4) if para_total else None,
            "lsh_candidate_pairs": len(checked)}


def measure(arts: list[dict], *, group_sentences: int = 0, pairs: int = 20_000, seed: int = 0,
            copies: bool = True, reference_words: list[int] | None = None,
            settings: DedupSettings | None = None) -> dict:
    """Every statistic of one set of articles (see the module docstring)."""
    s = settings or DedupSettings()
    hasher = MinHasher(s)
    keys = [[comparison_key(p) for p in article_paragraphs(a["text"], group_sentences)] for a in arts]
    keys = [[k for k in ks if k] for ks in keys]
    words_all = [count_words(k) for ks in keys for k in ks]
    # Random pairs: distinct articles by their group (GeoVirus splits some articles over two records).
    group_ix: dict[str, int] = {}
    items = []
    for a, ks in zip(arts, keys, strict=True):
        g = group_ix.setdefault(a["group"], len(group_ix))
        items += [(g, k) for k in ks if count_words(k) >= s.near_min_words]
    long_words = [count_words(k) for _, k in items]
    if len(items) > 200_000:  # bound the hashing work; pairs are drawn from a fixed random sample
        items = random.Random(seed + 1).sample(items, 200_000)
    shingled = [(g, hasher.shingles(k)) for g, k in items]
    out = {"articles": len(arts), "paragraphs": len(words_all), "paragraphs_ge_min_words": len(long_words),
           "words_per_paragraph": _quantiles(words_all), "words_per_paragraph_ge_min_words": _quantiles(long_words),
           "random_pair_jaccard": random_pair_jaccard(shingled, pairs, seed, s)}
    if reference_words is not None:
        out["ks_vs_geovirus"] = round(ks_statistic(long_words, reference_words), 4)
        out["ks_vs_geovirus_all_paragraphs"] = round(ks_statistic(words_all, reference_words), 4)
    if copies:
        out.update(copy_shares(arts, keys, hasher, s))
    return out


def long_words_of(arts: list[dict], group_sentences: int, s: DedupSettings | None = None) -> list[int]:
    s = s or DedupSettings()
    return [n for a in arts for p in article_paragraphs(a["text"], group_sentences)
            if (n := count_words(comparison_key(p))) >= s.near_min_words]


def devsets_stats(devsets: Path = DEVSETS, group_sentences: int = 2, pairs: int = 20_000, seed: int = 0) -> dict:
    """Statistics of both devsets (or a note that they are absent)."""
    out: dict = {}
    geo = devset_articles("geovirus", devsets)
    ref = long_words_of(geo, group_sentences) if geo else None
    for name in DEVSET_FILES:
        arts = geo if name == "geovirus" else devset_articles(name, devsets)
        if arts is None:
            out[name] = {"absent": f"{devsets / DEVSET_FILES[name]} not found"}
            continue
        out[name] = {"grouping": _grouping_name(group_sentences),
                     **measure(arts, group_sentences=group_sentences, pairs=pairs, seed=seed, copies=False,
                               reference_words=ref)}
    return out


def geovirus_reference_words(devsets: Path = DEVSETS, group_sentences: int = 2) -> list[int] | None:
    geo = devset_articles("geovirus", devsets)
    return long_words_of(geo, group_sentences) if geo else None


def _grouping_name(n: int) -> str:
    return {0: "as newsbeam reads the file", 1: "one sentence per paragraph"}.get(n, f"{n} sentences per paragraph")


# --- Report ----------------------------------------------------------------------------------------------------


def table(rows: dict[str, dict]) -> str:
    lines = ["| set | articles | paragraphs (>= 12 words) | words/para p25-p50-p75 | random-pair Jaccard | "
             "pairs J >= 0.2 | KS vs GeoVirus | exact-copy share | near-dup share |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|"]
    for name, r in rows.items():
        if "absent" in r:
            lines.append(f"| {name} | absent: {r['absent']} | | | | | | | |")
            continue
        w = r["words_per_paragraph_ge_min_words"]
        j = r["random_pair_jaccard"]
        lines.append(
            f"| {name} | {r['articles']:,} | {r['paragraphs']:,} ({r['paragraphs_ge_min_words']:,}) | "
            f"{w.get('p25', 0):g}-{w.get('p50', 0):g}-{w.get('p75', 0):g} | {j.get('mean', '')} | "
            f"{j.get('share_ge_0.2', '')} | {r.get('ks_vs_geovirus', '—')} | {r.get('exact_copy_share', '—')} | "
            f"{r.get('near_dup_share', '—')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("corpus", nargs="*", help="corpus folders or files (JSONL, JSONL.gz, or anything newsbeam reads)")
    ap.add_argument("--devsets", default=str(DEVSETS), help=f"devsets folder (default {DEVSETS})")
    ap.add_argument("--devsets-only", action="store_true")
    ap.add_argument("--no-devsets", action="store_true")
    ap.add_argument("--devsets-sentences", type=int, default=2,
                    help="devsets reference paragraphs: consecutive sentences per paragraph (0: as newsbeam reads)")
    ap.add_argument("--all-groupings", action="store_true", help="also report the devsets with groupings 0 and 1")
    ap.add_argument("--pairs", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-articles", type=int, default=None, help="read only the first N articles of each corpus")
    ap.add_argument("--json", help="also write everything here")
    a = ap.parse_args(argv)
    if not a.corpus and not a.devsets_only:
        a.devsets_only = True
    devsets = Path(a.devsets)
    rows: dict[str, dict] = {}
    result: dict = {"devsets_sentences_per_paragraph": a.devsets_sentences}
    ref = None
    if not a.no_devsets:
        d = devsets_stats(devsets, a.devsets_sentences, a.pairs, a.seed)
        result["devsets"] = d
        rows.update({f"{k} (devset)": v for k, v in d.items()})
        if a.all_groupings:
            for g in {0, 1, 2} - {a.devsets_sentences}:
                for k, v in devsets_stats(devsets, g, a.pairs, a.seed).items():
                    rows[f"{k} (devset, {_grouping_name(g)})"] = v
                    result.setdefault("devsets_other_groupings", {})[f"{k}:{g}"] = v
        ref = geovirus_reference_words(devsets, a.devsets_sentences)
        if ref is None:
            print(f"note: {devsets} has no GeoVirus: no KS statistic or devsets reference", file=sys.stderr)
    if not a.devsets_only:
        for c in a.corpus:
            arts = read_articles(Path(c), a.max_articles)
            r = measure(arts, pairs=a.pairs, seed=a.seed, reference_words=ref)
            rows[c] = r
            result.setdefault("corpora", {})[c] = r
    geo = rows.get("geovirus (devset)", {}).get("random_pair_jaccard", {}).get("mean")
    if geo:
        for r in result.get("corpora", {}).values():
            m = r["random_pair_jaccard"].get("mean")
            r["jaccard_ratio_to_geovirus"] = round(m / geo, 2) if m else None
    print(table(rows))
    for c, r in result.get("corpora", {}).items():
        if "jaccard_ratio_to_geovirus" in r:
            print(f"\n{c}: random-pair Jaccard {r['jaccard_ratio_to_geovirus']}x GeoVirus'")
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
