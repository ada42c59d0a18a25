"""Near-duplicate evaluation: does newsbeam's real dedup logic find edited wire copy and leave similar stories alone?

Target (the issue): precision >= 0.99 and recall >= 0.95 for paragraphs of >= 25 words with <= 10% of words changed.

The set: generated originals (``textgen``), copies with one realistic wire edit each (plus combinations), a heavy
truncation type that is deliberately outside the target, and hard negatives that must stay unique. Every item is
one paragraph; an item's *cluster* is its original's id for copies and its own id otherwise.

Decisions are made by the real functions (``newsbeam.dedup.rules``, ``newsbeam.text.paragraphs``), wired the way
``graph.py`` wires them: exact groups by ``text_hash`` first, MinHash/LSH candidates over distinct texts, Jaccard
verification, greedy ``resolve_near``, then one decision per exact group. ``--via-pipeline`` runs the real
``newsbeam run`` on the same set instead and scores its Parquet output identically.

Scoring:

* a *flag* is an item with ``duplicate_of`` set; it is correct iff the item and the item it points at are in the same
  cluster. precision = correct flags / flags.
* a copy is *found* iff it ends in the same duplicate group as its original (group = ``duplicate_of`` if flagged,
  else the item itself) and that group belongs to its cluster. recall = found / copies, per edit type; the target
  recall pools every type within 10%.
* a hard negative is *merged* when a wrong flag points from it or to it. Negatives: the same sentence templates
  re-rendered for another story (``neg_same_template``), also in the same place (``_place``), also with the same
  place, people and parties (``_cast``: a follow-up report by the same desk, the hardest), and a different story
  that repeats one long sentence of the original verbatim (``neg_shared_sentence``); and pairs of paragraphs with
  the very same wording but other names, places, numbers and days (``neg_formulaic``; n counts both members).

Run: ``python bench/near_dup_eval.py`` (writes bench/results/near_dup_eval.json, prints Markdown).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from newsbeam.dedup.contracts import NearVerdict, Ref
from newsbeam.dedup.decide import decide_group, near_verdicts, node_of
from newsbeam.dedup.rules import (
    DedupSettings,
    MinHasher,
    candidate_pairs,
    exact_key,
    jaccard,
    order_key,
)
from newsbeam.text.paragraphs import clean_text, comparison_key, count_words, text_hash

sys.path.insert(0, str(Path(__file__).resolve().parent))
import textgen  # noqa: E402

TARGET_TYPES = ("attribution", "added_clause", "dropped_word", "quotes", "case", "whitespace", "truncation",
                "synonym", "spread_substitution", "combination")
OUTSIDE_TYPES = ("heavy_truncation",)
NEGATIVE_TYPES = ("neg_same_template", "neg_same_template_place", "neg_same_template_cast", "neg_shared_sentence",
                  "neg_formulaic")
# Negatives reported but kept out of precision: text similarity cannot tell them from an edited copy (see score()).
INFO_NEGATIVES = ("neg_formulaic",)
# Edits whose comparison key must equal the original's (they only touch punctuation, case or spacing).
KEY_PRESERVING = ("quotes", "case", "whitespace")
TARGET_PRECISION, TARGET_RECALL, MAX_CHANGED = 0.99, 0.95, 0.10
BASE_US = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Item:
    id: str
    cluster: str
    kind: str
    text: str
    published_us: int
    changed: float = 0.0  # word edits / original words, on comparison keys
    base: str = ""  # the original a copy or hard negative was made from


# --- The evaluation set ---------------------------------------------------------------------------------------


@dataclass
class _Orig:
    item: Item
    topic: str
    templates: tuple[int, ...]
    place: dict[str, str]
    cast: dict[str, str]  # every article-level value the original used: place, people, parties, groups


def _key(text: str) -> str:
    return comparison_key(clean_text(text))


def build_set(
    seed: int = 7, n_originals: int = 3000, copies_per_type: int = 300, negatives_per_type: int = 300,
    copy_first_share: float = 0.2,
) -> list[Item]:
    """Originals, copies (one edit kind each) and hard negatives; deterministic for a seed.

    ``copy_first_share`` of copies are published before their original (crawl times are not wire times), which
    exercises the greedy resolution: the copy becomes the canonical and the original must verify against it.
    """
    gen = textgen.TextGen(seed)
    rng = random.Random(seed + 1)
    seen: set[str] = set()
    items: list[Item] = []
    origs: list[_Orig] = []

    def fresh(text: str) -> bool:
        k = _key(text)
        if k in seen:
            return False
        seen.add(k)
        return True

    while len(origs) < n_originals:
        ctx = gen.context()
        p = gen.paragraph(ctx, 25, 90)
        if not fresh(p.text):
            continue
        t = BASE_US + len(origs) * 600_000_000  # one original every ten minutes
        it = Item(f"o{len(origs):05d}", f"o{len(origs):05d}", "original", p.text, t)
        place = {k: ctx[k] for k in ("city", "region", "country")}
        cast = {k: v for k, v in ctx.items() if k in textgen.STICKY}
        origs.append(_Orig(it, p.topic, p.templates, place, cast))
        items.append(it)

    span = n_originals * 600_000_000
    n_copy = 0
    for kind in TARGET_TYPES + OUTSIDE_TYPES:
        made, tries = 0, 0
        while made < copies_per_type and tries < copies_per_type * 50:
            tries += 1
            o = rng.choice(origs).item
            edited = textgen.wire_edit(rng, o.text, kind)
            if edited is None or edited == o.text:
                continue
            ko, ke = _key(o.text), _key(edited)
            if count_words(ke) < 12:
                continue
            changed = textgen.changed_words(ko, ke) / count_words(ko)
            if kind in KEY_PRESERVING and ke != ko:
                continue
            if kind in TARGET_TYPES and (changed > MAX_CHANGED or (kind not in KEY_PRESERVING and ke == ko)):
                continue
            if kind not in KEY_PRESERVING and ke in seen:
                continue
            seen.add(ke)
            delay = rng.randint(60, 48 * 3600) * 1_000_000
            pub = o.published_us - delay if rng.random() < copy_first_share else o.published_us + delay
            items.append(Item(f"c{n_copy:05d}", o.cluster, kind, edited, pub, round(changed, 4), o.id))
            n_copy += 1
            made += 1

    n_neg = 0
    for kind in NEGATIVE_TYPES:
        made, tries = 0, 0
        while made < negatives_per_type and tries < negatives_per_type * 50:
            tries += 1
            o = rng.choice(origs)
            if kind == "neg_formulaic":
                made += _formulaic(gen, rng, o.topic, fresh, items, span, n_neg)
                n_neg += 2
                continue
            if kind == "neg_same_template":
                text = gen.paragraph(gen.context(o.topic), templates=o.templates).text
            elif kind == "neg_same_template_place":
                text = gen.paragraph(gen.context(o.topic, **o.place), templates=o.templates).text
            elif kind == "neg_same_template_cast":
                text = gen.paragraph(gen.context(o.topic, **o.cast), templates=o.templates).text
            else:
                text = _shared_sentence(gen, rng, o)
            if text is None or not fresh(text):
                continue
            nid = f"n{n_neg:05d}"
            items.append(Item(nid, nid, kind, text, BASE_US + rng.randrange(span), base=o.item.id))
            n_neg += 1
            made += 1
    return items


def _formulaic(gen: textgen.TextGen, rng: random.Random, topic: str, fresh, items: list[Item], span: int,
               n: int) -> int:
    """A pair of negatives (both counted under the kind) differing only in facts; the second's base is the first."""
    a, b = gen.formulaic_pair(topic)
    if min(len(a.split()), len(b.split())) < 25 or not fresh(a) or not fresh(b):
        return 0
    ia, ib = f"n{n:05d}", f"n{n + 1:05d}"
    ka, kb = _key(a), _key(b)
    changed = round(textgen.changed_words(ka, kb) / count_words(ka), 4)
    items.append(Item(ia, ia, "neg_formulaic", a, BASE_US + rng.randrange(span)))
    items.append(Item(ib, ib, "neg_formulaic", b, BASE_US + rng.randrange(span), changed, base=ia))
    return 2


def _shared_sentence(gen: textgen.TextGen, rng: random.Random, o: _Orig) -> str | None:
    """A different story of the same topic that repeats the original's longest sentence verbatim."""
    sents = textgen.sentences(o.item.text)
    longest = max(sents, key=lambda s: len(s.split()))
    if len(sents) < 2 or len(longest.split()) < 12:
        return None
    other = textgen.sentences(gen.paragraph(gen.context(o.topic), 30, 90).text)
    other.insert(rng.randrange(len(other) + 1), longest)
    return " ".join(other)


# --- The decision logic, as graph.py wires it ------------------------------------------------------------------


@dataclass
class Prepared:
    """Per-item keys and hashes, computed once for the whole grid."""

    items: list[Item]
    keys: list[str]
    hashes: list[int]
    words: list[int]
    orders: list[tuple[int, str, int]]


def prepare(items: list[Item]) -> Prepared:
    keys = [_key(it.text) for it in items]
    return Prepared(
        items,
        keys,
        [text_hash(k) for k in keys],
        [count_words(k) for k in keys],
        [order_key(it.published_us, it.id, 0) for it in items],
    )


class NearCache:
    """Shingles, signatures and verified pair similarities, shared across the settings grid."""

    def __init__(self, prep: Prepared):
        self.prep = prep
        self.shingles: dict[int, dict[int, np.ndarray]] = {}
        self.sigs: dict[tuple[int, int, int], dict[int, np.ndarray]] = {}
        self.sims: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)

    def distinct(self, s: DedupSettings) -> dict[int, str]:
        """Distinct texts long enough for near detection (ProcessArticlesFn emits bands only for those)."""
        p = self.prep
        return {h: k for h, k, n in zip(p.hashes, p.keys, p.words, strict=True) if n >= s.near_min_words}

    def candidate_edges(self, s: DedupSettings) -> tuple[list[tuple[int, int, float]], int]:
        """Every LSH candidate pair with its Jaccard (not yet thresholded), and the number of candidates."""
        distinct = self.distinct(s)
        hasher = MinHasher(s)
        sh = self.shingles.get(s.shingle_size)
        if sh is None:
            sh = self.shingles[s.shingle_size] = {h: hasher.shingles(k) for h, k in distinct.items()}
        sig_key = (s.shingle_size, s.num_perm, s.seed)
        sigs = self.sigs.get(sig_key)
        if sigs is None:
            sigs = self.sigs[sig_key] = {h: hasher.signature(a) for h, a in sh.items()}
        buckets: dict[int, list[int]] = defaultdict(list)
        for h in distinct:
            for b in hasher.band_keys(sigs[h]):
                buckets[b].append(h)
        pairs: set[tuple[int, int]] = set()
        for bucket in buckets.values():
            if len(set(bucket)) > 1:
                pairs.update(candidate_pairs(bucket, s.max_bucket))
        sims = self.sims[s.shingle_size]
        edges = []
        for a, b in pairs:
            sim = sims.get((a, b))
            if sim is None:
                sim = sims[(a, b)] = jaccard(sh[a], sh[b])
            edges.append((a, b, sim))
        return edges, len(pairs)


Decision = tuple[str, str, float]  # (dup_kind, duplicate_of item id, similarity)


def decide(prep: Prepared, s: DedupSettings, candidates: list[tuple[int, int, float]]) -> dict[str, Decision]:
    """item id -> decision, for flagged items only: the pipeline's own ``near_verdicts`` and ``decide_group``, fed
    as NearDuplicates and DecideGroupsFn feed them (every item is paragraph 0 of its own article, all new)."""
    groups: dict[int, list[Ref]] = defaultdict(list)
    refs_of: dict[int, list[Ref]] = defaultdict(list)
    for h, n, it in zip(prep.hashes, prep.words, prep.items, strict=True):
        ref = Ref(it.published_us, it.id, 0, "", n, "eval")
        groups[exact_key(h, n, it.id, s)].append(ref)
        refs_of[h].append(ref)
    near: dict[int, list[NearVerdict]] = defaultdict(list)
    if s.near:
        edges = [e for e in candidates if e[2] >= s.threshold]
        in_edges = {h for a, b, _ in edges for h in (a, b)}
        nodes = {h: node_of(h, refs_of[h], s.near_min_words) for h in in_edges}
        for h, verdict in near_verdicts(nodes, edges):
            near[h].append(verdict)
    out: dict[str, Decision] = {}
    for key, refs in groups.items():
        for _, d in decide_group(refs, near.get(key, []), s, _no_count):
            if d.dup_kind is not None:
                out[d.article_id] = (d.dup_kind, d.duplicate_of.rsplit(":", 1)[0], float(d.similarity))
    return out


def _no_count(name: str, n: int = 1) -> None:
    """The pipeline's counters are not needed here."""


# --- Scoring --------------------------------------------------------------------------------------------------


def score(items: list[Item], decisions: dict[str, Decision]) -> dict:
    """Counts and rates: precision over flags, recall per edit type, merge rate per negative type.

    Flags from or to a ``neg_formulaic`` paragraph are left out of precision and reported as that type's merge
    rate: two reports that differ only in a name and a number are often within 10% of their words, exactly like an
    edited copy, so no text-similarity threshold can both meet the recall target and keep them apart.
    """
    cluster = {it.id: it.cluster for it in items}
    info = {it.id for it in items if it.kind in INFO_NEGATIVES}

    def group(x: str) -> str:
        d = decisions.get(x)
        return d[1] if d else x

    def found(it: Item) -> bool:
        return group(it.id) == group(it.cluster) and cluster[group(it.id)] == it.cluster

    scored = {x: d for x, d in decisions.items() if x not in info and d[1] not in info}
    near = [x for x, d in scored.items() if d[0] == "near"]
    wrong_touch: set[str] = set()
    for x, d in decisions.items():
        if cluster[x] != cluster[d[1]]:
            wrong_touch.update((x, d[1]))
    per_kind: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    for it in items:
        row = per_kind[it.kind]
        row["n"] += 1
        if it.kind in TARGET_TYPES + OUTSIDE_TYPES:
            row["found"] += found(it)
        elif it.kind in NEGATIVE_TYPES:
            row["merged"] += it.id in wrong_touch
        if it.id in scored:
            row["flags"] += 1
            row["correct_flags"] += cluster[it.id] == cluster[scored[it.id][1]]
        if it.kind != "original" and (it.kind not in NEGATIVE_TYPES or it.kind in INFO_NEGATIVES) and it.base:
            row["n_changed"] += 1
            row["changed_sum"] += it.changed
            row["max_changed"] = max(row["max_changed"], it.changed)
            row["within_10pct"] += it.changed <= MAX_CHANGED
    counts = {
        "flags": len(scored),
        "correct": sum(1 for x, d in scored.items() if cluster[x] == cluster[d[1]]),
        "near_flags": len(near),
        "near_correct": sum(1 for x in near if cluster[x] == cluster[scored[x][1]]),
        "per_kind": {k: dict(v) for k, v in per_kind.items()},
    }
    return finish(counts)


def finish(c: dict) -> dict:
    """Rates from counts (also after summing the counts of several seeds)."""
    pk = c["per_kind"]
    for k, r in pk.items():
        if "found" in r:
            r["recall"] = r["found"] / r["n"]
        if k in NEGATIVE_TYPES:
            r["merged_rate"] = r.get("merged", 0) / r["n"]
        if r.get("flags"):
            r["precision"] = r.get("correct_flags", 0) / r["flags"]
        if r.get("n_changed"):
            r["mean_changed"] = r["changed_sum"] / r["n_changed"]
            r["share_within_10pct"] = r["within_10pct"] / r["n_changed"]
    target_n = sum(pk[k]["n"] for k in TARGET_TYPES if k in pk)
    target_found = sum(pk[k]["found"] for k in TARGET_TYPES if k in pk)
    return {
        **c,
        "precision": c["correct"] / c["flags"] if c["flags"] else 1.0,
        "near_precision": c["near_correct"] / c["near_flags"] if c["near_flags"] else 1.0,
        "recall": target_found / target_n if target_n else 0.0,
        "worst_type_recall": min((pk[k]["recall"] for k in TARGET_TYPES if k in pk), default=0.0),
    }


def merge_scores(scores: list[dict]) -> dict:
    out = {k: sum(s[k] for s in scores) for k in ("flags", "correct", "near_flags", "near_correct")}
    pk: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    for s in scores:
        for kind, r in s["per_kind"].items():
            for f in ("n", "found", "merged", "flags", "correct_flags", "n_changed", "changed_sum", "within_10pct"):
                if f in r:
                    pk[kind][f] += r[f]
            if "max_changed" in r:
                pk[kind]["max_changed"] = max(pk[kind]["max_changed"], r["max_changed"])
    out["per_kind"] = {k: dict(v) for k, v in pk.items()}
    return finish(out)


def base_similarities(prep: Prepared, cache: NearCache, shingle_size: int) -> dict[str, list[float]]:
    """Jaccard of each copy or negative to the original it was made from, per kind: what a threshold must clear
    (copies) or stay under (negatives)."""
    hasher = MinHasher(DedupSettings(shingle_size=shingle_size))
    sh = cache.shingles.get(shingle_size, {})
    idx = {it.id: i for i, it in enumerate(prep.items)}

    def shingles(i: int) -> np.ndarray:
        h = prep.hashes[i]
        return sh[h] if h in sh else hasher.shingles(prep.keys[i])

    sims: dict[str, list[float]] = defaultdict(list)
    for i, it in enumerate(prep.items):
        if it.base:
            sims[it.kind].append(jaccard(shingles(i), shingles(idx[it.base])))
    return dict(sims)


def summarize_sims(sims: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {k: {"mean": float(np.mean(v)), "min": float(np.min(v)), "max": float(np.max(v)),
                "p01": float(np.quantile(v, 0.01)), "p99": float(np.quantile(v, 0.99))} for k, v in sims.items()}


def diagnose(prep: Prepared, cache: NearCache, s: DedupSettings, candidates: list[tuple[int, int, float]],
             decisions: dict[str, Decision], limit: int = 25) -> dict:
    """Why each copy was missed, and which flags were wrong, so a failure can be looked at and not only counted.

    A miss is ``below_threshold`` (its Jaccard to the original is under the threshold), ``lsh_miss`` (above it,
    but the pair never shared a band) or ``resolution_order`` (verified, but greedy resolution had already made
    the original a copy of an earlier paragraph the copy does not verify against).
    """
    items = prep.items
    idx = {it.id: i for i, it in enumerate(items)}
    cluster = {it.id: it.cluster for it in items}
    kind = {it.id: it.kind for it in items}
    hasher = MinHasher(s)
    sh = cache.shingles.get(s.shingle_size, {})
    pairs = {(a, b) for a, b, _ in candidates}

    def group(x: str) -> str:
        return decisions[x][1] if x in decisions else x

    causes: dict[str, int] = defaultdict(int)
    misses = []
    for it in items:
        if it.kind not in TARGET_TYPES or (group(it.id) == group(it.cluster) and cluster[group(it.id)] == it.cluster):
            continue
        i, o = idx[it.id], idx[it.cluster]
        hi, ho = prep.hashes[i], prep.hashes[o]
        sim = jaccard(sh.get(hi, hasher.shingles(prep.keys[i])), sh.get(ho, hasher.shingles(prep.keys[o])))
        if sim < s.threshold:
            cause = "below_threshold"
        elif (min(hi, ho), max(hi, ho)) not in pairs:
            cause = "lsh_miss"
        else:
            cause = "resolution_order"
        causes[cause] += 1
        misses.append({"id": it.id, "kind": it.kind, "original": it.cluster, "jaccard": round(sim, 4),
                       "cause": cause, "copy_decision": decisions.get(it.id),
                       "original_decision": decisions.get(it.cluster)})
    wrong = [{"id": x, "kind": kind[x], "points_at": d[1], "target_kind": kind[d[1]], "dup_kind": d[0],
              "similarity": round(d[2], 4)} for x, d in decisions.items()
             if cluster[x] != cluster[d[1]] and kind[x] not in INFO_NEGATIVES]
    return {"miss_causes": dict(causes), "misses": misses[:limit], "n_misses": len(misses),
            "wrong_flags": wrong[:limit], "n_wrong": len(wrong)}


# --- Grid and recommendation ----------------------------------------------------------------------------------

GRID_SHINGLES = (1, 2, 3)
GRID_LSH = ((64, 16), (128, 16), (128, 32), (160, 32), (200, 40), (128, 64), (256, 64))  # (num_perm, bands)
GRID_THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8)
MINHASH_KEYS = ("shingle_size", "num_perm", "bands", "threshold")


def grid_settings(base: DedupSettings) -> list[DedupSettings]:
    """The grid, plus ``base`` itself so the current defaults are always scored."""
    out = [replace(base, shingle_size=k, num_perm=p, bands=b, threshold=t)
           for k in GRID_SHINGLES for p, b in GRID_LSH for t in GRID_THRESHOLDS]
    return out + ([base] if base not in out else [])


def _skey(s: DedupSettings) -> tuple:
    return tuple(getattr(s, k) for k in MINHASH_KEYS)


def run_seed(seed: int, n_originals: int, copies: int, negatives: int, copy_first_share: float,
             base: DedupSettings) -> dict:
    """Everything one seed contributes: per-setting scores and diagnostics, candidate counts, base similarities."""
    items = build_set(seed, n_originals, copies, negatives, copy_first_share)
    prep = prepare(items)
    cache = NearCache(prep)
    out: dict = {"n_items": len(items), "settings": {}, "sims": {}}
    by_lsh: dict[tuple, list[DedupSettings]] = defaultdict(list)
    for s in grid_settings(base):
        by_lsh[(s.shingle_size, s.num_perm, s.bands)].append(s)
    for group in by_lsh.values():
        cands, n_pairs = cache.candidate_edges(group[0])
        n_texts = len(cache.distinct(group[0]))
        for s in group:
            decisions = decide(prep, s, cands)
            out["settings"][_skey(s)] = {"score": score(items, decisions), "candidate_pairs": n_pairs,
                                         "band_records": n_texts * s.bands,
                                         "diagnostics": diagnose(prep, cache, s, cands, decisions)}
    for k in sorted({s.shingle_size for s in grid_settings(base)}):
        out["sims"][k] = base_similarities(prep, cache, k)
    return out


def margin(row: dict) -> float:
    """How far a setting clears the targets, as the smaller share of headroom left on the worst edit type's recall
    and on precision (1.0 = perfect on both, 0 = exactly at a target, negative = missed)."""
    return min((row["worst_type_recall"] - TARGET_RECALL) / (1 - TARGET_RECALL),
               (row["precision"] - TARGET_PRECISION) / (1 - TARGET_PRECISION))


def lsh_catch(threshold: float, bands: int, rows: int) -> float:
    """Probability that a pair exactly at the threshold shares at least one band (the LSH S-curve)."""
    return 1 - (1 - threshold**rows) ** bands


def grid_row(skey: tuple, sc: dict, candidate_pairs: float, band_records: float) -> dict:
    k, num_perm, bands, thr = skey
    pk = sc["per_kind"]
    r = {
        "shingle_size": k, "num_perm": num_perm, "bands": bands, "rows": num_perm // bands, "threshold": thr,
        "lsh_catch_at_threshold": round(lsh_catch(thr, bands, num_perm // bands), 4),
        "candidate_pairs": round(candidate_pairs), "lsh_work": round(band_records + candidate_pairs),
        "precision": sc["precision"], "recall": sc["recall"], "worst_type_recall": sc["worst_type_recall"],
        "heavy_truncation_recall": pk.get("heavy_truncation", {}).get("recall"),
        "negatives_merged": int(sum(pk.get(n, {}).get("merged", 0) for n in NEGATIVE_TYPES
                                    if n not in INFO_NEGATIVES)),
        "formulaic_merged_rate": pk.get("neg_formulaic", {}).get("merged_rate"),
    }
    r["meets_target"] = r["precision"] >= TARGET_PRECISION and r["worst_type_recall"] >= TARGET_RECALL
    r["margin"] = round(margin(r), 4)
    return r


MIN_MARGIN = 0.5


def recommend(rows: list[dict], current: dict) -> tuple[dict, str]:
    """The defaults to recommend, and why.

    Changing ``shingle_size``, ``num_perm`` or ``bands`` makes every existing cross-run index unusable, so the
    current defaults stay while they meet both targets on every edit type with at least half of the headroom to
    spare (margin >= 0.5). Otherwise: the largest margin in steps of 0.25 (finer differences are within the
    seed-to-seed noise), then the least LSH work (band records shuffled plus candidate pairs verified: the cost at
    scale), then the best heavy-truncation recall.
    """
    if current["meets_target"] and current["margin"] >= MIN_MARGIN:
        return current, f"current defaults meet every target with margin {current['margin']:.2f} >= {MIN_MARGIN}"

    def key(r: dict) -> tuple:
        return (r["meets_target"], int(r["margin"] * 4) / 4, -r["lsh_work"], r["heavy_truncation_recall"] or 0.0)

    best = max(rows, key=key)
    return best, (f"current defaults fall short (margin {current['margin']:.2f}); best by margin, then LSH work, "
                  "then heavy-truncation recall")


# --- Via the real pipeline ------------------------------------------------------------------------------------


def _iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def write_jsonl(items: list[Item], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for it in items:
            rec = {"id": it.id, "title": it.id, "url": f"https://eval.example/{it.id}",
                   "published": _iso(it.published_us), "source": "eval", "text": it.text}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def settings_toml(s: DedupSettings) -> str:
    keys = ("shingle_size", "num_perm", "bands", "threshold", "near_min_words")
    return "[dedup]\n" + "".join(f"{k} = {getattr(s, k)}\n" for k in keys) + "\n[tagging]\nplaces = false\nactors = false\n"


def via_pipeline(items: list[Item], s: DedupSettings, newsbeam: str, workers: int = 1) -> tuple[dict, dict]:
    """Run the real CLI on the set; returns (decisions, run summary). Items map back through source_id or url."""
    from newsbeam.output.store import connect_views

    with tempfile.TemporaryDirectory(prefix="nb-eval-") as tmp:
        t = Path(tmp)
        (t / "in").mkdir()
        write_jsonl(items, t / "in" / "eval.jsonl")
        (t / "eval.toml").write_text(settings_toml(s), encoding="utf-8")
        cmd = [newsbeam, "run", str(t / "in"), "--out", str(t / "out"), "--config", str(t / "eval.toml"),
               "--workers", str(workers), "--quiet"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"newsbeam run failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
        summary = {}
        for line in proc.stdout.splitlines():
            if line.startswith('{"newsbeam_summary"'):
                summary = json.loads(line)["newsbeam_summary"]
        con = connect_views(t / "out")  # the published views, as `newsbeam query` sees them
        rows = con.sql(
            """SELECT coalesce(a.source_id, regexp_extract(a.url, '[^/]+$')) AS item, p.para_index, p.dup_kind,
                      p.duplicate_of, p.similarity, p.article_id
               FROM paragraphs p JOIN articles a USING (article_id, run_id)"""
        ).fetchall()
        con.close()
    aid_to_item = {r[5]: r[0] for r in rows}
    decisions: dict[str, Decision] = {}
    extra = 0
    for item, para_index, kind, dup_of, sim, _aid in rows:
        if para_index != 0:
            extra += 1  # an item split into more than one paragraph: reported, not scored
            continue
        if kind is not None:
            target_aid = dup_of.rsplit(":", 1)[0]
            decisions[item] = (kind, aid_to_item.get(target_aid, target_aid), float(sim or 0.0))
    summary["extra_paragraphs"] = extra
    summary["items_out"] = len({r[0] for r in rows})
    return decisions, summary


# --- Report ---------------------------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _block_lines(label: str, blk: dict) -> list[str]:
    s, sc = blk["settings"], blk["score"]
    d = blk["diagnostics"]
    lines = ["", f"### {label}: shingle_size={s['shingle_size']}, num_perm={s['num_perm']}, bands={s['bands']} "
             f"(rows {s['num_perm'] // s['bands']}), threshold={s['threshold']}", "",
             f"precision **{sc['precision']:.4f}** over {sc['flags']} flags (near only: {sc['near_precision']:.4f} "
             f"over {sc['near_flags']}); recall (edits <= 10%) **{sc['recall']:.4f}**, worst type "
             f"{sc['worst_type_recall']:.4f}; misses by cause: {json.dumps(d['miss_causes'])}; wrong flags: "
             f"{d['n_wrong']}", "",
             "| type | n | recall | precision (flags) | merged | Jaccard to base: mean (p01–p99) | mean changed | "
             "max changed |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind in ("original",) + TARGET_TYPES + OUTSIDE_TYPES + NEGATIVE_TYPES:
        r = sc["per_kind"].get(kind)
        if r is None:
            continue
        j = blk["base_jaccard"].get(kind)
        jac = f"{j['mean']:.3f} ({j['p01']:.2f}–{j['p99']:.2f})" if j else "—"
        lines.append(f"| {kind} | {int(r['n'])} | {_pct(r.get('recall'))} | {_flag_precision(r)} | {_merged(r)} | "
                     f"{jac} | {_pct(r.get('mean_changed'))} | {_pct(r.get('max_changed'))} |")
    return lines


def _flag_precision(r: dict) -> str:
    """Precision of the flags set on paragraphs of one type, with their count (— when none was flagged)."""
    return f"{r['precision']:.4f} ({int(r['flags'])})" if r.get("flags") else "—"


def _merged(r: dict) -> str:
    return f"{int(r['merged'])} ({r['merged_rate']:.3f})" if "merged_rate" in r else ""


def _pipeline_lines(vp: dict) -> list[str]:
    """Per-type precision and recall of the decisions the real ``newsbeam run`` published."""
    sc = vp["score"]
    lines = ["", f"### via `newsbeam run` (seed {vp['seed']}, recommended settings: the published Parquet)", "",
             f"precision **{sc['precision']:.4f}** over {sc['flags']} flags; recall (edits <= 10%) "
             f"**{sc['recall']:.4f}**, worst type {sc['worst_type_recall']:.4f}; items whose decision differs from "
             f"the in-process mirror: {vp['disagreements']}; items split into more than one paragraph: "
             f"{vp['summary'].get('extra_paragraphs')} (run: {vp['summary'].get('seconds')} s, "
             f"{vp['summary'].get('articles')} articles)", "",
             "| type | n | recall | precision (flags) | merged |", "|---|---:|---:|---:|---:|"]
    for kind in ("original",) + TARGET_TYPES + OUTSIDE_TYPES + NEGATIVE_TYPES:
        r = sc["per_kind"].get(kind)
        if r is not None:
            lines.append(f"| {kind} | {int(r['n'])} | {_pct(r.get('recall'))} | {_flag_precision(r)} | "
                         f"{_merged(r)} |")
    return lines


def markdown(result: dict) -> str:
    p = result["params"]
    lines = ["## Near-duplicate evaluation", "",
             f"Seeds {p['seeds']}: {p['n_items']} paragraphs in all; per seed {p['n_originals']} originals, "
             f"{p['copies_per_type']} copies per edit type, {p['negatives_per_type']} hard negatives per type; "
             f"{p['copy_first_share']:.0%} of copies published before their original. Targets: precision >= "
             f"{TARGET_PRECISION}, recall >= {TARGET_RECALL} for edits of <= {MAX_CHANGED:.0%} of the words."]
    lines += ["", f"Recommendation rule: {result['recommendation_reason']}."]
    lines += _block_lines("recommended", result["recommended"])
    if result["recommended"]["settings"] != result["current_defaults"]["settings"]:
        lines += _block_lines("current defaults", result["current_defaults"])
    lines += ["", "### Largest margins in the grid (top 3 per shingle size)", "",
              "| k | perm | bands×rows | thr | margin | precision | worst type | heavy trunc | formulaic merged | "
              "LSH work |", "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["best_margins"]:
        lines.append(f"| {r['shingle_size']} | {r['num_perm']} | {r['bands']}×{r['rows']} | {r['threshold']} | "
                     f"{r['margin']:.2f} | {r['precision']:.4f} | {r['worst_type_recall']:.3f} | "
                     f"{_pct(r['heavy_truncation_recall'])} | {_pct(r['formulaic_merged_rate'])} | {r['lsh_work']} |")
    if result.get("via_pipeline"):
        lines += _pipeline_lines(result["via_pipeline"])
    lines += ["", "### Settings grid (all seeds pooled)", "",
              "| k | perm | bands×rows | thr | P(cand) at thr | candidates | precision | recall | worst type | "
              "heavy trunc | neg merged | formulaic merged | margin | LSH work | ok |",
              "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|"]
    for r in result["grid"]:
        lines.append(f"| {r['shingle_size']} | {r['num_perm']} | {r['bands']}×{r['rows']} | {r['threshold']} | "
                     f"{r['lsh_catch_at_threshold']:.3f} | {r['candidate_pairs']} | {r['precision']:.4f} | "
                     f"{r['recall']:.4f} | {r['worst_type_recall']:.3f} | {_pct(r['heavy_truncation_recall'])} | "
                     f"{r['negatives_merged']} | {_pct(r['formulaic_merged_rate'])} | {r['margin']:.2f} | "
                     f"{r['lsh_work']} | {'✓' if r['meets_target'] else ''} |")
    return "\n".join(lines)


def _block(skey: tuple, per_seed: list[dict], base: DedupSettings) -> dict:
    """One setting's pooled score, base similarities and diagnostics over every seed."""
    s = replace(base, **dict(zip(MINHASH_KEYS, skey, strict=True)))
    sims: dict[str, list[float]] = defaultdict(list)
    for r in per_seed:
        for kind, v in r["sims"][s.shingle_size].items():
            sims[kind] += v
    diags = [r["settings"][skey]["diagnostics"] for r in per_seed]
    causes: dict[str, int] = defaultdict(int)
    for d in diags:
        for c, n in d["miss_causes"].items():
            causes[c] += n
    return {
        "settings": asdict(s),
        "score": merge_scores([r["settings"][skey]["score"] for r in per_seed]),
        "base_jaccard": summarize_sims(sims),
        "diagnostics": {"miss_causes": dict(causes), "n_misses": sum(d["n_misses"] for d in diags),
                        "n_wrong": sum(d["n_wrong"] for d in diags),
                        "misses": [m for d in diags for m in d["misses"]][:25],
                        "wrong_flags": [w for d in diags for w in d["wrong_flags"]][:25]},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="7,11,23", help="comma list; each seed is a separate set, scores are pooled")
    ap.add_argument("--originals", type=int, default=3000, help="originals per seed")
    ap.add_argument("--copies", type=int, default=300, help="copies per edit type and seed")
    ap.add_argument("--negatives", type=int, default=300, help="hard negatives per type and seed")
    ap.add_argument("--copy-first-share", type=float, default=0.2)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="seeds evaluated in parallel")
    ap.add_argument("--out", default=str(RESULTS / "near_dup_eval.json"))
    ap.add_argument("--no-pipeline", dest="via_pipeline", action="store_false",
                    help="skip the real `newsbeam run` on the first seed's set (scored the same way; on by default)")
    ap.add_argument("--via-pipeline", dest="via_pipeline", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--newsbeam", default=str(Path(sys.executable).with_name("newsbeam")))
    ap.add_argument("--workers", type=int, default=1, help="--workers for the --via-pipeline run")
    a = ap.parse_args(argv)

    t0 = time.monotonic()
    seeds = [int(x) for x in a.seeds.split(",") if x.strip()]
    base = DedupSettings()
    args = [(sd, a.originals, a.copies, a.negatives, a.copy_first_share, base) for sd in seeds]
    if a.jobs > 1 and len(seeds) > 1:
        with ProcessPoolExecutor(min(a.jobs, len(seeds))) as ex:
            per_seed = list(ex.map(run_seed, *zip(*args, strict=True)))
    else:
        per_seed = [run_seed(*x) for x in args]
    grid = []
    for skey in per_seed[0]["settings"]:
        res = [r["settings"][skey] for r in per_seed]
        grid.append(grid_row(skey, merge_scores([x["score"] for x in res]),
                             float(np.mean([x["candidate_pairs"] for x in res])),
                             float(np.mean([x["band_records"] for x in res]))))
    current = next(r for r in grid if (r["shingle_size"], r["num_perm"], r["bands"], r["threshold"]) == _skey(base))
    best, why = recommend(grid, current)
    best_key = (best["shingle_size"], best["num_perm"], best["bands"], best["threshold"])
    ranked = sorted((r for r in grid if r["meets_target"]), key=lambda r: (-r["margin"], r["lsh_work"]))
    alternatives = [r for k in GRID_SHINGLES for r in [x for x in ranked if x["shingle_size"] == k][:3]]
    result = {
        "params": {"seeds": seeds, "n_items": sum(r["n_items"] for r in per_seed), "n_originals": a.originals,
                   "copies_per_type": a.copies, "negatives_per_type": a.negatives,
                   "copy_first_share": a.copy_first_share,
                   "targets": {"precision": TARGET_PRECISION, "recall": TARGET_RECALL, "max_changed": MAX_CHANGED}},
        "recommendation_reason": why,
        "recommended": _block(best_key, per_seed, base),
        "best_margins": alternatives,
        "current_defaults": _block(_skey(base), per_seed, base),
        "grid": grid,
    }
    if a.via_pipeline:
        rec = replace(base, **dict(zip(MINHASH_KEYS, best_key, strict=True)))
        items = build_set(seeds[0], a.originals, a.copies, a.negatives, a.copy_first_share)
        decisions, summary = via_pipeline(items, rec, a.newsbeam, a.workers)
        prep = prepare(items)
        cands, _ = NearCache(prep).candidate_edges(rec)
        mine = decide(prep, rec, cands)
        differing = sum(1 for it in items
                        if (mine.get(it.id) or (None, None))[:2] != (decisions.get(it.id) or (None, None))[:2])
        result["via_pipeline"] = {"seed": seeds[0], "summary": summary, "score": score(items, decisions),
                                  "disagreements": differing}
    result["seconds"] = round(time.monotonic() - t0, 1)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(markdown(result))
    print(f"\nwrote {out} in {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
