"""Place-tagging evaluation: detection and resolution quality of ``PlaceTagger`` on our own annotated news set.

The gold set (``bench/gold/places_gold.jsonl``) is one JSON object per article, written by us::

    {"id": "us-01", "kind": "us_local", "split": "dev", "paragraphs": ["...", ...],
     "places": [{"para": 0, "start": 0, "end": 5, "text": "PARIS", "geonameid": 4717560, "place_kind": "city",
                 "name": "Paris", "country_code": "US", "admin1_code": "US.TX", "lat": 33.6609, "lon": -95.5555}]}

What is annotated: every mention of a country, a first- or second-level administrative unit, a populated place
(city, town, village, neighbourhood) or an inhabited island, including metonymic uses ("Moscow said") and
state abbreviations after "City, " ("Paris, Tex."). Not annotated: demonyms and adjectives ("Pakistani"),
places inside the name of an organisation, team, company, university or facility ("Texas Rangers", "Bank of
England", "Port of Mobile"), continents and vague regions ("the Midwest", "Middle East"), and natural features
(rivers, lakes, seas): predictions of the kinds continent, region and water are left out of this set's scores. Coordinates
are the GeoNames point of the place; for countries and regions, the same representative point the gazetteer
documents (the centre of the territory, ``tags/places/centres.py``); a few places GeoNames
packages do not carry (an island, a neighbourhood) have ``geonameid`` null and hand-entered coordinates.

Scoring (how the geoparsing literature scores, e.g. the LGL evaluations of Mordecai and CLAVIN):

* predicted and gold mentions *match* when their spans overlap in the same paragraph; pairs are matched one to one,
  largest overlap first. precision = matched predictions / predictions, recall = matched gold / gold.
* over matched gold mentions: country accuracy; admin1 accuracy (over matched gold that has an admin1 code, i.e.
  every place below country level); exact GeoNames id accuracy (over gold that has an id); the share resolved
  within 161 km (100 miles, haversine between predicted and gold coordinates); median error in km.
* ``acc@161 all`` = gold mentions that are matched *and* within 161 km / all gold mentions: an unmatched gold
  mention counts as a miss, so this one number combines detection and resolution.

Published reference points on LGL local news (within 161 km): Mordecai 3 82.7 %, CLAVIN about 71 %.

Real text (``--real``, and by default when ``../shared/devsets`` is beside the project): the hand-written set above
was written by the same hands as the rules, so it flatters them. GeoVirus (Wikinews articles, every located place
annotated with coordinates) and Wikigold (Wikipedia, CoNLL LOC spans, no coordinates) are scored as the devsets'
README says, so the figures compare with other tools: each article goes through the production path (paragraph
split, language labels, organisations then places: what a user gets), a place is *detected* when a prediction has
the same surface text (case- and space-insensitive) in the same article (multisets: two gold "Lagos" need two
predicted), and *resolved* when the detected pair is within 161 km. Demonyms are a separate, flagged list and are
not place predictions. The most frequent misses, false alarms and wrong readings are printed after the table, so
the next person sees what is left.

Run: ``.venv/bin/python bench/place_eval.py [--gold PATH] [--json PATH] [--errors] [--real | --no-real] [--top N]``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# One matching rule for both evaluations (overlap, one to one, largest overlap first); bench/ is on sys.path.
from actor_eval import match_spans, write_outputs

HERE = Path(__file__).resolve().parent
DEVSETS = HERE.parent.parent / "shared" / "devsets"
DEFAULT_GOLD = HERE / "gold" / "places_gold.jsonl"
WITHIN_KM = 161.0
EARTH_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance: the standard geoparsing error measure."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(ln) for ln in fh if ln.strip()]


@dataclass
class Tally:
    """Counts for one group of articles; ratios are derived, so tallies can simply be added up."""

    gold: int = 0
    pred: int = 0
    matched: int = 0
    country_ok: int = 0
    admin1_n: int = 0
    admin1_ok: int = 0
    gid_n: int = 0
    gid_ok: int = 0
    within: int = 0
    errors_km: list[float] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for k in ("gold", "pred", "matched", "country_ok", "admin1_n", "admin1_ok", "gid_n", "gid_ok", "within"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.errors_km.extend(other.errors_km)

    def metrics(self) -> dict[str, Any]:
        p = _ratio(self.matched, self.pred)
        r = _ratio(self.matched, self.gold)
        f1 = 2 * p * r / (p + r) if p is not None and r is not None and p + r > 0 else None
        return {
            "gold": self.gold,
            "pred": self.pred,
            "matched": self.matched,
            "precision": p,
            "recall": r,
            "f1": f1,
            "country_acc": _ratio(self.country_ok, self.matched),
            "admin1_acc": _ratio(self.admin1_ok, self.admin1_n),
            "geonameid_acc": _ratio(self.gid_ok, self.gid_n),
            "acc161_matched": _ratio(self.within, self.matched),
            "acc161_all": _ratio(self.within, self.gold),
            "median_km": round(statistics.median(self.errors_km), 1) if self.errors_km else None,
        }


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def flatten_mentions(mentions: Sequence[Sequence[dict]]) -> list[dict]:
    """The tagger's per-paragraph lists as one list with a ``para`` key, like the gold."""
    return [{**m, "para": p} for p, ms in enumerate(mentions) for m in ms]


def score_article(gold: Sequence[dict], pred: Sequence[dict]) -> tuple[Tally, list[dict]]:
    """Tally one article; also returns its errors (misses, false alarms, wrong readings) for inspection."""
    t = Tally(gold=len(gold), pred=len(pred))
    errors: list[dict] = []
    pairs = match_spans(gold, pred)
    for gi, pi in pairs:
        g, p = gold[gi], pred[pi]
        t.matched += 1
        km = haversine_km(g["lat"], g["lon"], p["lat"], p["lon"])
        t.errors_km.append(km)
        ok_cc = g["country_code"] == p.get("country_code")
        t.country_ok += ok_cc
        if g.get("admin1_code"):
            t.admin1_n += 1
            t.admin1_ok += g["admin1_code"] == p.get("admin1_code")
        if g.get("geonameid") is not None:
            t.gid_n += 1
            t.gid_ok += g["geonameid"] == p.get("geonameid")
        t.within += km <= WITHIN_KM
        if km > WITHIN_KM or not ok_cc:
            errors.append({"type": "wrong", "text": g["text"], "para": g["para"], "gold": _where(g),
                           "pred": _where(p), "km": round(km)})
    mg = {gi for gi, _ in pairs}
    mp = {pi for _, pi in pairs}
    errors += [{"type": "miss", "text": g["text"], "para": g["para"], "gold": _where(g)}
               for i, g in enumerate(gold) if i not in mg]
    errors += [{"type": "false", "text": p["text"], "para": p["para"], "pred": _where(p)}
               for i, p in enumerate(pred) if i not in mp]
    return t, errors


def _where(m: dict) -> str:
    return f"{m.get('name') or m.get('text')} [{m.get('admin1_code') or m.get('country_code')}]"


def evaluate(articles: Iterable[dict], tag) -> tuple[dict[str, Tally], list[dict]]:
    """Run ``tag(paragraphs) -> per-paragraph mention lists`` over the gold articles; tallies per kind, per split
    (``split=dev``: the articles the tagger was improved on; ``split=heldout``: written afterwards) and 'all'."""
    tallies: dict[str, Tally] = {"all": Tally()}
    errors: list[dict] = []
    for art in articles:
        pred = flatten_mentions(tag(art["paragraphs"]))
        t, errs = score_article(art["places"], pred)
        tallies.setdefault(art["kind"], Tally()).add(t)
        if art.get("split"):
            tallies.setdefault(f"split={art['split']}", Tally()).add(t)
        tallies["all"].add(t)
        errors += [{"id": art["id"], **e} for e in errs]
    return tallies, errors


NOT_IN_GOLD = frozenset(("continent", "region", "water"))


def in_gold_scope(mentions: list[list[dict]]) -> list[list[dict]]:
    """The hand-written set does not annotate continents, world regions or seas: those predictions are dropped
    (islands it does annotate, so landforms stay)."""
    return [[m for m in ms if m.get("kind") not in NOT_IN_GOLD] for ms in mentions]


COLUMNS = (("gold", "gold", "d"), ("pred", "pred", "d"), ("precision", "P", "%"), ("recall", "R", "%"),
           ("f1", "F1", "%"), ("country_acc", "country", "%"), ("admin1_acc", "admin1", "%"),
           ("geonameid_acc", "id", "%"), ("acc161_matched", "@161 matched", "%"), ("acc161_all", "@161 all", "%"),
           ("median_km", "median km", "f"))


def format_table(metrics: dict[str, dict[str, Any]]) -> str:
    """A Markdown table, one row per article kind, 'all' last."""
    head = "| kind | " + " | ".join(c[1] for c in COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 1)]
    for kind in sorted(metrics, key=lambda k: (k == "all", k.startswith("split="), k)):
        cells = []
        for key, _, fmt in COLUMNS:
            v = metrics[kind][key]
            cells.append("–" if v is None else f"{100 * v:.1f}" if fmt == "%" else f"{v:.1f}" if fmt == "f" else str(v))
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- real text: the shared development sets ------------------------------------------------------------------

REAL_SETS = {  # name -> (articles file, gold file, gold filter): Wikigold's places are its LOC spans
    "geovirus": ("geovirus.jsonl", "geovirus_gold.jsonl", None),
    "wikigold": ("wikigold.jsonl", "wikigold_gold.jsonl", "LOC"),
}


def load_real(name: str, root: Path = DEVSETS) -> list[dict] | None:
    """``[{"id", "text", "places": [gold rows]}]`` of one development set, or None when it is not there."""
    art_file, gold_file, typ = REAL_SETS[name]
    ap, gp = root / art_file, root / gold_file
    if not (ap.exists() and gp.exists()):
        return None
    arts = {a["id"]: {**a, "places": []} for a in load_gold(ap)}
    for g in load_gold(gp):
        if g["id"] in arts and (typ is None or g.get("type") == typ):
            arts[g["id"]]["places"].append(g)
    return [a for a in arts.values() if a.get("text")]


def norm_surface(text: str) -> str:
    """The devsets' comparison: case- and space-insensitive surface text."""
    return " ".join(text.split()).casefold()


@dataclass
class RealTally:
    gold: int = 0
    pred: int = 0
    detected: int = 0
    located: int = 0  # detected pairs whose gold has coordinates
    within: int = 0

    def add(self, o: RealTally) -> None:
        for k in ("gold", "pred", "detected", "located", "within"):
            setattr(self, k, getattr(self, k) + getattr(o, k))

    def metrics(self) -> dict[str, Any]:
        p, r = _ratio(self.detected, self.pred), _ratio(self.detected, self.gold)
        return {"gold": self.gold, "pred": self.pred, "detected": self.detected, "precision": p, "recall": r,
                "f1": 2 * p * r / (p + r) if p and r else None, "acc161_detected": _ratio(self.within, self.located),
                "acc161_all": _ratio(self.within, self.gold) if self.located else None}


def score_real_article(gold: Sequence[dict], pred: Sequence[dict]) -> tuple[RealTally, list[dict]]:
    """Multiset match on normalised surface text; within a surface, a gold row takes a prediction within 161 km
    when there is one (same-surface mentions are interchangeable). Returns the tally and the errors."""
    t = RealTally(gold=len(gold), pred=len(pred))
    errors: list[dict] = []
    by_pred: dict[str, list[dict]] = {}
    for p in pred:
        by_pred.setdefault(norm_surface(p["text"]), []).append(p)
    for g in gold:
        pool = by_pred.get(norm_surface(g["text"]))
        if not pool:
            errors.append({"type": "miss", "text": g["text"]})
            continue
        t.detected += 1
        if g.get("lat") is None:
            pool.pop(0)
            continue
        t.located += 1
        kms = [haversine_km(g["lat"], g["lon"], p["lat"], p["lon"]) for p in pool]
        i = min(range(len(pool)), key=kms.__getitem__)
        p = pool.pop(i)
        if kms[i] <= WITHIN_KM:
            t.within += 1
        else:
            errors.append({"type": "wrong", "text": g["text"], "gold": g.get("wikipedia", "").rsplit("/", 1)[-1],
                           "pred": f"{p.get('name')} [{p.get('admin1_code') or p.get('country_code')}]",
                           "km": round(kms[i])})
    errors += [{"type": "false", "text": p["text"], "pred": f"{p.get('name')} [{p.get('country_code')}]"}
               for pool in by_pred.values() for p in pool]
    return t, errors


def make_real_tagger() -> Any:
    """``text -> flat list of place mentions`` through the production path: paragraphs, language labels (only
    English paragraphs are tagged), organisations, then places."""
    from newsbeam.config import TaggingConfig
    from newsbeam.tags.tagger import Tagger as NBTagger
    from newsbeam.text.language import article_languages
    from newsbeam.text.paragraphs import split_paragraphs

    tagger = NBTagger(TaggingConfig(places=True, actors=False))

    def tag(text: str) -> list[dict]:
        paras = split_paragraphs(text)
        _, langs = article_languages(paras)
        tags = tagger.tag_article(paras, None, [lg == "en" for lg in langs])
        return [m for m in flatten_mentions(tags.places) if not m.get("demonym")]  # demonyms are no places

    return tag


def evaluate_real(articles: Iterable[dict], tag) -> tuple[RealTally, list[dict]]:
    total, errors = RealTally(), []
    for art in articles:
        t, errs = score_real_article(art["places"], tag(art["text"]))
        total.add(t)
        errors += [{"id": art["id"], **e} for e in errs]
    return total, errors


def top_errors(errors: list[dict], n: int) -> str:
    """The most frequent misses, false alarms and wrong readings, by surface text (what to fix next)."""
    out = []
    for typ, title in (("miss", "misses"), ("false", "false alarms"), ("wrong", "wrong readings (> 161 km)")):
        cnt = Counter(e["text"] if typ == "miss" else f"{e['text']} -> {e['pred']}" + (
            f" (gold {e['gold']})" if typ == "wrong" else "") for e in errors if e["type"] == typ)
        total = sum(cnt.values())
        out.append(f"top {title} ({total}): " + ", ".join(f"{k} x{v}" for k, v in cnt.most_common(n)))
    return "\n".join(out)


def format_real_table(metrics: dict[str, dict[str, Any]]) -> str:
    lines = ["| set | gold | pred | P | R | F1 | within 161 km of detected | @161 all |", "|---|---|---|---|---|---|---|---|"]
    for name, m in metrics.items():
        cells = [str(m["gold"]), str(m["pred"])] + [
            "–" if m[k] is None else f"{100 * m[k]:.1f}"
            for k in ("precision", "recall", "f1", "acc161_detected", "acc161_all")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", default=str(DEFAULT_GOLD))
    ap.add_argument("--json", help="write the metrics (and the error list) to this path")
    ap.add_argument("--errors", action="store_true", help="print every miss, false alarm and wrong reading")
    ap.add_argument("--real", action=argparse.BooleanOptionalAction, default=None,
                    help="also score the real development sets in ../shared/devsets (default: when present)")
    ap.add_argument("--top", type=int, default=25, help="how many of the most frequent real-text errors to list")
    args = ap.parse_args(argv)

    from newsbeam.tags.places import PlaceTagger, load_gazetteer

    tagger = PlaceTagger(load_gazetteer(()))
    gold = load_gold(args.gold)
    tallies, errors = evaluate(gold, lambda paras: in_gold_scope(tagger.tag_article(list(paras)).mentions))
    metrics = {k: t.metrics() for k, t in tallies.items()}
    print(f"{len(gold)} articles, {tallies['all'].gold} gold place mentions ({args.gold})\n")
    print(format_table(metrics))
    result: dict[str, Any] = {"gold": str(args.gold), "articles": len(gold), "metrics": metrics, "errors": errors}
    if args.real is not False:
        real = {name: load_real(name) for name in REAL_SETS}
        if args.real and not any(real.values()):
            print(f"place_eval: no development sets in {DEVSETS}", file=sys.stderr)
            return 2
        real_tag = make_real_tagger()
        real_metrics, real_errors = {}, {}
        for name, arts in real.items():
            if arts is None:
                print(f"\n{name}: skipped ({DEVSETS} not present)")
                continue
            tally, errs = evaluate_real(arts, real_tag)
            real_metrics[name], real_errors[name] = tally.metrics(), errs
        if real_metrics:
            print("\nReal text (../shared/devsets; detected = same surface text, resolved = within 161 km):\n")
            print(format_real_table(real_metrics))
            for name, errs in real_errors.items():
                print(f"\n{name}:\n" + top_errors(errs, args.top))
        result["real"] = {"metrics": real_metrics, "errors": real_errors}
    write_outputs(errors, args.errors, args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
