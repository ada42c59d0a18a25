"""Actor-tagging evaluation: detection, typing, roles, countries and codes of the actor tagger on our own news set.

The gold set (``bench/gold/actors_gold.jsonl``) is one JSON object per article, written and annotated by us::

    {"id": "pk-01", "kind": "conflict", "paragraphs": ["...", ...],
     "actors": [{"para": 2, "start": 17, "end": 29, "text": "Mohsin Naqvi", "type": "PERSON",
                 "role": "interior minister", "country_code": "PK", "code": "PAKGOV", "name": "Mohsin Naqvi"}]}

Annotation guidelines (decided from the text alone, never from a tagger's output):

* **What is an actor mention.** Named people, organisations, armed groups, state bodies, security forces and news
  outlets, wherever they stand (also as a modifier: "a State Department spokesman", "RSF commander"); acronyms,
  both the defining "(ACR)" and every later "ACR"; surname-only later mentions of a named person; a country or
  capital that stands for its government as the subject or object of a speech, accusation, policy or military
  verb ("Islamabad denied", "urged Washington", "Russia launched drones"); and *unnamed agents*: collective nouns
  for security forces ("police", "troops", "security forces", "officers"), armed actors ("militants", "gunmen",
  "rebels", "separatists", "militias", "gangs"), the state ("the government", "authorities", "the junta",
  "lawmakers", a qualified "Afghan officials") and population groups ("civilians", "residents", "villagers",
  "passengers", "protesters", "students", "workers", "traders", "journalists", "displaced people").
* **Not annotated.** Pronouns and anaphoric nominals ("the group", "the minister", "his forces"); a bare
  "officials" or "people"; agent words used as modifiers of another noun ("police station", "a police
  spokesman", "militia leader"; a possessive one counts: "the [military]'s media wing"); plural demonyms for a population ("Ukrainians"); a country in a possessive or
  attributive role ("Kenya's interior minister", "Pakistan-based groups"), which is affiliation, not an actor; a
  member noun right after a named group ("Boko Haram fighters": only "Boko Haram").
* **Spans.** A person's span is the name without titles or possessive "'s" ("Interior Minister [Mohsin Naqvi]");
  an organisation's span is its name without a leading "the"; an unnamed agent's span includes a demonym or
  country adjective right before it ("[Pakistani security forces]", "[Kenyan police officers]") but not a
  possessive ("Pakistan's [army]"); a metonymic government's span is the place name ("[Kyiv] said").
* **Types.** PERSON; ORGANIZATION (companies, parties, unions, NGOs, international bodies); ARMED_GROUP (non-state
  armed groups, cartels and gangs, and agents such as "militants"); GOVERNMENT (governments, ministries,
  parliaments, courts, central banks and other state bodies); SECURITY_FORCE (police, military, paramilitary,
  intelligence, incl. state-backed auxiliaries); GROUP (civilians, protesters, workers, ...); MEDIA (outlets
  and journalists).
* **role** is annotated for people only: the function as the text states it, lower case ("interior minister",
  "spokesman", "security analyst", "general" for "Gen."); a later surname mention carries the full mention's
  role; null when the text gives none. Other types have role null.
* **country_code** is the ISO alpha-2 code of the country the actor belongs to or serves: a person's from a
  possessive, demonym, apposition or the organisation they speak for (a spokesman for the BLA is PK); an unnamed
  agent's from the article when the country is unambiguous (not for "journalists"/"reporters", whose country is
  seldom stated); null for international bodies, transnational groups
  and actors the text does not place.
* **code** is CAMEO-style: ISO3 + role (GOV, LEG, JUD, MIL, COP, SPY, REB, INS, SEP, CRM, OPP, PTY, BUS, LAB,
  MED, HRI, CVL, REF, NGO, UAF); "IGO", "NGO" or "IMG" for international bodies and transnational armed groups;
  a person takes the code of the office or group they serve; null when nothing codable is stated (an analyst).
* **name** is the canonical name: the full name for surname mentions, the long name for acronyms, the country's
  name for a metonymic government.

Scoring:

* Predicted and gold mentions are matched one to one by span overlap in the same paragraph, largest overlap
  first. *Untyped* matching ignores types and gives span precision/recall; *typed* matching only pairs mentions
  of the same type, and a typed pair is a true positive (per-type and overall P/R/F1).
* On the untyped pairs: role accuracy over gold mentions that have a role (strict: normalised strings equal;
  lenient: also when one role's words contain the other's or their head nouns agree, "home minister" vs
  "provincial home minister"); person-name accuracy (normalised canonical names equal: surname linking and title
  stripping); country and code accuracy, where a null must be predicted as null (``country_acc``) and, separately,
  over gold mentions that have a value (``country_acc_set``, ``code_acc_set``).

Splits: an article's optional ``"split"`` (default ``"dev"``) separates the articles rules were tuned on from a
``"heldout"`` set written afterwards and never used for tuning; the table reports ``split=<name>`` rows, and
``--split NAME`` scores (and lists errors for) that split only.

Real text (Wikigold): our gold set is written by the same hands that wrote the rules, so the evaluator also scores
persons and organisations on Wikigold (Wikipedia articles, CoNLL-style PER/ORG spans annotated by others), read
from ``../shared/devsets`` when it is there and skipped when it is not (a user's clone has no ``../shared``).
Scoring follows the devsets' convention: per document, the multiset of (type, normalised surface text) of the
tagger against the gold's, PER = our PERSON, ORG = our named organisations (ORGANIZATION, ARMED_GROUP, GOVERNMENT,
SECURITY_FORCE, MEDIA mentions that start with a capital or digit: unnamed agents such as "police" and
governments by metonymy, "Islamabad said", which CoNLL annotates as LOC, are not named organisations). Each line
of a document is one paragraph. The most frequent misses and false positives are printed after the figures.

The accurate mode: ``--ner-model NAME_OR_PATH`` (or ``--config pipelines/accurate.toml``, whose ``[tagging]
ner_model`` names it) scores the tagging pass with the spaCy merge (``newsbeam run --ner-model``); on Wikigold the
rules and the accurate mode are then printed side by side with their speed (documents per second and KB of text per
CPU second, tagging only: gazetteer and model are loaded and warmed up before the clock starts).

Run: ``.venv/bin/python bench/actor_eval.py [--gold PATH] [--split dev|heldout] [--json PATH] [--errors]
[--confusion] [--devsets DIR | --no-devsets] [--top N] [--ner-model NAME_OR_PATH | --config FILE]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEVSETS = HERE.parent.parent / "shared" / "devsets"
DEFAULT_GOLD = HERE / "gold" / "actors_gold.jsonl"
TYPES = ("PERSON", "ORGANIZATION", "ARMED_GROUP", "GOVERNMENT", "SECURITY_FORCE", "GROUP", "MEDIA")
# Abbreviated titles read as the role they abbreviate, so "Gen." and "general" agree.
ROLE_ABBREV = {"gen": "general", "lt gen": "lieutenant general", "maj gen": "major general", "brig": "brigadier",
               "brig gen": "brigadier general", "col": "colonel", "lt col": "lieutenant colonel", "adm": "admiral",
               "pres": "president", "gov": "governor", "sen": "senator", "rep": "representative", "dr": "doctor",
               "prof": "professor", "insp": "inspector", "sgt": "sergeant", "det": "detective", "capt": "captain",
               "defense minister": "defence minister", "defense secretary": "defence secretary"}
_ROLE_DROP = frozenset(("the", "a", "an", "its", "their", "his", "her", "country's", "group's", "former"))

Tagger = Callable[[list[str]], Sequence[Sequence[dict]]]


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(ln) for ln in fh if ln.strip()]


def match_spans(gold: Sequence[dict], pred: Sequence[dict], typed: bool = False) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs of overlapping spans in the same paragraph, largest overlap first
    (ties: earliest gold first). Overlap, not exact boundaries: "Pakistani security forces" and "security forces"
    are one mention, and boundary conventions differ between annotators and taggers more than meanings do."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if g["para"] != p["para"] or (typed and g["type"] != p["type"]):
                continue
            ov = min(g["end"], p["end"]) - max(g["start"], p["start"])
            if ov > 0:
                pairs.append((-ov, gi, pi))
    pairs.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi))
    return sorted(out)


def norm_role(role: str | None) -> str | None:
    """Lower case, no punctuation, no articles or possessive determiners, abbreviations expanded."""
    if not role:
        return None
    s = re.sub(r"[.,]", "", role.lower().replace("’", "'")).replace("-", " ")
    words = [w for w in s.split() if w not in _ROLE_DROP]
    s = " ".join(words)
    return ROLE_ABBREV.get(s, s) or None


def role_match(gold: str | None, pred: str | None) -> tuple[bool, bool]:
    """(strict, lenient) agreement of two roles. Lenient also accepts containment ("home minister" in
    "provincial home minister") and an equal head noun ("army spokesman" vs "spokesman")."""
    g, p = norm_role(gold), norm_role(pred)
    if g is None or p is None:
        return g == p, g == p
    if g == p:
        return True, True
    gw, pw = g.split(), p.split()
    lenient = f" {g} " in f" {p} " or f" {p} " in f" {g} " or gw[-1] == pw[-1]
    return False, lenient


def norm_name(name: str | None) -> str:
    """Accent-, case- and punctuation-blind form of a name ("Goïta" = "Goita", "al-Burhan" = "al Burhan")."""
    s = unicodedata.normalize("NFKD", name or "")
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold().replace("’", "'")
    s = re.sub(r"[^\w' ]+", " ", s)
    s = " ".join(s.split())
    return s[4:] if s.startswith("the ") else s


@dataclass
class Tally:
    """Counts for a group of articles; ratios are derived, so tallies can simply be added up."""

    gold: int = 0
    pred: int = 0
    tp: int = 0  # typed matches
    span_matched: int = 0  # untyped matches, credited to the gold mention's type
    span_matched_pred: int = 0  # the same matches credited to the predicted type (for per-type span precision)
    role_n: int = 0
    role_ok: int = 0
    role_ok_lenient: int = 0
    name_n: int = 0
    name_ok: int = 0
    country_ok: int = 0
    country_set_n: int = 0
    country_set_ok: int = 0
    code_ok: int = 0
    code_set_n: int = 0
    code_set_ok: int = 0

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def metrics(self) -> dict[str, Any]:
        p, r = _ratio(self.tp, self.pred), _ratio(self.tp, self.gold)
        return {
            "gold": self.gold,
            "pred": self.pred,
            "tp": self.tp,
            "precision": p,
            "recall": r,
            "f1": _f1(p, r),
            "span_precision": _ratio(self.span_matched_pred, self.pred),
            "span_recall": _ratio(self.span_matched, self.gold),
            "span_f1": _f1(_ratio(self.span_matched_pred, self.pred), _ratio(self.span_matched, self.gold)),
            "span_matched": self.span_matched,
            "role_n": self.role_n,
            "role_acc": _ratio(self.role_ok, self.role_n),
            "role_acc_lenient": _ratio(self.role_ok_lenient, self.role_n),
            "name_n": self.name_n,
            "name_acc": _ratio(self.name_ok, self.name_n),
            "country_acc": _ratio(self.country_ok, self.span_matched),
            "country_acc_set": _ratio(self.country_set_ok, self.country_set_n),
            "code_acc": _ratio(self.code_ok, self.span_matched),
            "code_acc_set": _ratio(self.code_set_ok, self.code_set_n),
        }


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _f1(p: float | None, r: float | None) -> float | None:
    return 2 * p * r / (p + r) if p is not None and r is not None and p + r > 0 else None


def flatten_mentions(mentions: Sequence[Sequence[dict]]) -> list[dict]:
    """The tagger's per-paragraph lists as one list with a ``para`` key, like the gold."""
    return [{**m, "para": p} for p, ms in enumerate(mentions) for m in ms]


@dataclass
class ArticleScore:
    """One article's tallies: 'all' plus one per gold/predicted type; errors and type confusions for inspection."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    confusion: Counter = field(default_factory=Counter)


def score_article(gold: Sequence[dict], pred: Sequence[dict]) -> ArticleScore:
    out = ArticleScore()

    def t(key: str) -> Tally:
        return out.tallies.setdefault(key, Tally())

    for g in gold:
        t("all").gold += 1
        t(g["type"]).gold += 1
    for p in pred:
        t("all").pred += 1
        t(p["type"]).pred += 1
    for gi, _ in match_spans(gold, pred, typed=True):
        t("all").tp += 1
        t(gold[gi]["type"]).tp += 1
    pairs = match_spans(gold, pred)
    for gi, pi in pairs:
        g, p = gold[gi], pred[pi]
        out.confusion[(g["type"], p["type"])] += 1
        t("all").span_matched_pred += 1
        t(p["type"]).span_matched_pred += 1
        for tal in (t("all"), t(g["type"])):
            _score_pair(tal, g, p)
        wrong = _wrong_fields(g, p)
        if wrong:
            out.errors.append({"kind": "wrong", "para": g["para"], "text": g["text"], "pred_text": p["text"],
                               "wrong": wrong, "gold": _brief(g), "pred": _brief(p)})
    mg, mp = {gi for gi, _ in pairs}, {pi for _, pi in pairs}
    out.errors += [{"kind": "miss", "para": g["para"], "text": g["text"], "gold": _brief(g)}
                   for i, g in enumerate(gold) if i not in mg]
    out.errors += [{"kind": "false", "para": p["para"], "text": p["text"], "pred": _brief(p)}
                   for i, p in enumerate(pred) if i not in mp]
    return out


def _score_pair(tal: Tally, g: dict, p: dict) -> None:
    tal.span_matched += 1
    if g.get("role"):
        strict, lenient = role_match(g["role"], p.get("role"))
        tal.role_n += 1
        tal.role_ok += strict
        tal.role_ok_lenient += lenient
    if g["type"] == "PERSON":
        tal.name_n += 1
        tal.name_ok += norm_name(g["name"]) == norm_name(p.get("name"))
    tal.country_ok += g.get("country_code") == p.get("country_code")
    tal.code_ok += g.get("code") == p.get("code")
    if g.get("country_code"):
        tal.country_set_n += 1
        tal.country_set_ok += g["country_code"] == p.get("country_code")
    if g.get("code"):
        tal.code_set_n += 1
        tal.code_set_ok += g["code"] == p.get("code")


def _wrong_fields(g: dict, p: dict) -> list[str]:
    wrong = []
    if g["type"] != p["type"]:
        wrong.append("type")
    if g.get("role") and not role_match(g["role"], p.get("role"))[1]:
        wrong.append("role")
    if g["type"] == "PERSON" and norm_name(g["name"]) != norm_name(p.get("name")):
        wrong.append("name")
    if g.get("country_code") != p.get("country_code"):
        wrong.append("country")
    if g.get("code") != p.get("code"):
        wrong.append("code")
    return wrong


def _brief(m: dict) -> str:
    bits = [m.get("type"), m.get("name") or m.get("text"), m.get("role"), m.get("country_code"), m.get("code")]
    return " | ".join("-" if b is None else str(b) for b in bits)


def split_of(article: dict) -> str:
    """The article's split: "dev" unless the gold line says otherwise (``"split": "heldout"``)."""
    return article.get("split") or "dev"


def evaluate(articles: Iterable[dict], tag: Tagger) -> tuple[dict[str, Tally], list[dict], Counter]:
    """Run ``tag(paragraphs) -> per-paragraph actor lists`` over the gold articles. Tallies: 'all', one per type,
    and one per article kind (``kind=conflict``, ...)."""
    tallies: dict[str, Tally] = {"all": Tally()}
    errors: list[dict] = []
    confusion: Counter = Counter()
    for art in articles:
        pred = flatten_mentions(tag(art["paragraphs"]))
        sc = score_article(art["actors"], pred)
        for key, tal in sc.tallies.items():
            tallies.setdefault(key, Tally()).add(tal)
        if art.get("kind"):
            tallies.setdefault(f"kind={art['kind']}", Tally()).add(sc.tallies.get("all", Tally()))
        tallies.setdefault(f"split={split_of(art)}", Tally()).add(sc.tallies.get("all", Tally()))
        errors += [{"id": art["id"], **e} for e in sc.errors]
        confusion.update(sc.confusion)
    return tallies, errors, confusion


COLUMNS = (("gold", "gold", "d"), ("pred", "pred", "d"), ("tp", "TP", "d"), ("precision", "P", "%"),
           ("recall", "R", "%"), ("f1", "F1", "%"), ("span_precision", "span P", "%"), ("span_recall", "span R", "%"),
           ("role_acc", "role", "%"), ("role_acc_lenient", "role~", "%"), ("name_acc", "name", "%"),
           ("country_acc", "country", "%"), ("code_acc", "code", "%"), ("country_acc_set", "country*", "%"),
           ("code_acc_set", "code*", "%"))


def _row_order(key: str) -> tuple:
    return (key == "all", key.startswith("split="), key.startswith("kind="), TYPES.index(key) if key in TYPES else 99, key)


def format_table(metrics: dict[str, dict[str, Any]]) -> str:
    """A Markdown table: one row per type, then per article kind, then per split, 'all' last."""
    lines = ["| group | " + " | ".join(c[1] for c in COLUMNS) + " |", "|" + "---|" * (len(COLUMNS) + 1)]
    for key in sorted(metrics, key=_row_order):
        cells = []
        for col, _, fmt in COLUMNS:
            v = metrics[key][col]
            cells.append("–" if v is None else f"{100 * v:.1f}" if fmt == "%" else str(v))
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_confusion(confusion: Counter) -> str:
    """Gold type (rows) against predicted type (columns) over the span-matched pairs."""
    short = {t: t[:5] for t in TYPES}
    lines = ["| gold \\ pred | " + " | ".join(short[t] for t in TYPES) + " |", "|" + "---|" * (len(TYPES) + 1)]
    for g in TYPES:
        lines.append(f"| {g} | " + " | ".join(str(confusion.get((g, p), 0)) for p in TYPES) + " |")
    return "\n".join(lines)


def make_tagger(cfg: Any = None) -> Tagger:
    """The production tagging pass (places + actors, built-in dictionaries), as the pipeline runs it; ``cfg``: a
    ``TaggingConfig`` to use instead (e.g. one with ``ner_model``, the accurate mode)."""
    from newsbeam.config import TaggingConfig
    from newsbeam.tags.tagger import Tagger as NBTagger

    tagger = NBTagger(cfg if cfg is not None else TaggingConfig(places=True, actors=True))

    def tag(paragraphs: list[str]) -> list[list[dict]]:
        return tagger.tag_article(list(paragraphs), None, [True] * len(paragraphs)).actors

    return tag


# ---------------------------------------------------------------------------------------------------------------
# Wikigold: persons and organisations on real text

WIKIGOLD_TYPES = {"PER": "PER", "ORG": "ORG"}
ORG_LIKE = frozenset(("ORGANIZATION", "ARMED_GROUP", "GOVERNMENT", "SECURITY_FORCE", "MEDIA"))


def norm_surface(text: str) -> str:
    """Case-, accent- and space-insensitive surface form without a leading "the" or a trailing possessive, so
    "The Mad Capsule Markets" = "Mad Capsule Markets" and "U.S." tokenised or not compare equal."""
    s = norm_name(text.replace("'s", "") if text.endswith("'s") else text)
    return s.replace(" ", "")


def wikigold_type(m: dict) -> str | None:
    """The CoNLL type a predicted mention stands for, or None when it is no named person or organisation: an
    unnamed agent ("police", "Pakistani security forces": its last word is lower case) or a country standing for
    its government ("Islamabad said", whose name is the country's: LOC in CoNLL)."""
    if m["type"] == "PERSON":
        return "PER"
    if m["type"] not in ORG_LIKE:
        return None
    words = m["text"].split()
    if not words or not (words[-1][:1].isupper() or words[-1][:1].isdigit()):
        return None
    if m["type"] == "GOVERNMENT" and m.get("country_code") and m["name"] == _country_name(m["country_code"]):
        return None
    return "ORG"


def _country_name(cc: str) -> str:
    from newsbeam.tags.actors.rules import country_name

    return country_name(cc)


def load_wikigold(devsets: Path) -> tuple[list[dict], dict[str, list[dict]]] | None:
    """Wikigold's documents and gold spans per document, or None when the devsets are absent."""
    art, gold = devsets / "wikigold.jsonl", devsets / "wikigold_gold.jsonl"
    if not (art.is_file() and gold.is_file()):
        return None
    docs = load_gold(art)
    spans: dict[str, list[dict]] = {}
    for g in load_gold(gold):
        spans.setdefault(g["id"], []).append(g)
    return docs, spans


def evaluate_wikigold(docs: Sequence[dict], spans: dict[str, list[dict]], tag: Tagger) -> dict[str, Any]:
    """Per type: gold, predicted and matched counts (multisets of normalised surfaces per document), P/R/F1, and
    the misses and false positives with how often each surface occurs."""
    tp: Counter = Counter()
    n_gold: Counter = Counter()
    n_pred: Counter = Counter()
    misses: dict[str, Counter] = {"PER": Counter(), "ORG": Counter()}
    false: dict[str, Counter] = {"PER": Counter(), "ORG": Counter()}
    for doc in docs:
        g = Counter((WIKIGOLD_TYPES[x["type"]], norm_surface(x["text"])) for x in spans.get(doc["id"], ())
                    if x["type"] in WIKIGOLD_TYPES)
        surf: dict[tuple[str, str], str] = {}
        for x in spans.get(doc["id"], ()):
            if x["type"] in WIKIGOLD_TYPES:
                surf.setdefault((x["type"], norm_surface(x["text"])), x["text"])
        pred: Counter = Counter()
        for m in flatten_mentions(tag(doc["text"].split("\n"))):
            t = wikigold_type(m)
            if t is not None:
                key = (t, norm_surface(m["text"]))
                pred[key] += 1
                surf.setdefault(key, m["text"])
        both = g & pred
        for (t, _), k in g.items():
            n_gold[t] += k
        for (t, _), k in pred.items():
            n_pred[t] += k
        for (t, _), k in both.items():
            tp[t] += k
        for key, k in (g - pred).items():
            misses[key[0]][surf[key]] += k
        for key, k in (pred - g).items():
            false[key[0]][surf[key]] += k
    out: dict[str, Any] = {}
    for t in ("PER", "ORG"):
        p, r = _ratio(tp[t], n_pred[t]), _ratio(tp[t], n_gold[t])
        out[t] = {"gold": n_gold[t], "pred": n_pred[t], "tp": tp[t], "precision": p, "recall": r, "f1": _f1(p, r),
                  "misses": misses[t].most_common(), "false_positives": false[t].most_common()}
    return out


def format_wikigold(res: dict[str, Any], top: int) -> str:
    """The figures as a Markdown table, then the ``top`` most frequent misses and false positives per type."""
    def pct(v: float | None) -> str:
        return "–" if v is None else f"{100 * v:.1f}"

    lines = ["| Wikigold | gold | pred | TP | P | R | F1 |", "|---|---|---|---|---|---|---|"]
    for t, name in (("PER", "persons"), ("ORG", "organisations")):
        r = res[t]
        lines.append(f"| {name} | {r['gold']} | {r['pred']} | {r['tp']} | {pct(r['precision'])} | "
                     f"{pct(r['recall'])} | {pct(r['f1'])} |")
    for t in ("PER", "ORG"):
        for key, label in (("misses", "missed"), ("false_positives", "false positives")):
            items = res[t][key][:top]
            lines.append(f"\n{t} {label} ({sum(k for _, k in res[t][key])}), most frequent: "
                         + "; ".join(f"{s} ×{k}" if k > 1 else s for s, k in items))
    return "\n".join(lines)


def time_wikigold(docs: Sequence[dict], spans: dict[str, list[dict]], tag: Tagger) -> dict[str, Any]:
    """``evaluate_wikigold`` plus its speed: one warm-up document first (lazy loads: gazetteer, spaCy model), then
    wall and CPU seconds of tagging and scoring every document, documents/s and KB of text per CPU second."""
    import time

    if docs:
        tag(docs[0]["text"].split("\n"))
    wall, cpu = time.perf_counter(), time.process_time()
    res = evaluate_wikigold(docs, spans, tag)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    kb = sum(len(d["text"].encode("utf-8")) for d in docs) / 1000
    res["speed"] = {"documents": len(docs), "kb": round(kb, 1), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                    "docs_per_s": round(len(docs) / wall, 1) if wall else None,
                    "kb_per_cpu_s": round(kb / cpu, 1) if cpu else None}
    return res


def format_side_by_side(results: dict[str, dict[str, Any]]) -> str:
    """One row per mode: Wikigold person and organisation P/R/F1 and the speed, as a Markdown table."""
    def pct(v: float | None) -> str:
        return "–" if v is None else f"{100 * v:.1f}"

    lines = ["| mode | persons P | R | F1 | organisations P | R | F1 | docs/s | KB/CPU-s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        sp = r.get("speed", {})
        lines.append(f"| {name} | " + " | ".join(pct(r[t][k]) for t in ("PER", "ORG")
                                                  for k in ("precision", "recall", "f1"))
                     + f" | {sp.get('docs_per_s', '–')} | {sp.get('kb_per_cpu_s', '–')} |")
    return "\n".join(lines)


def tagging_config(config: str | None, ner_model: str | None) -> Any:
    """The ``[tagging]`` section of a TOML configuration (``newsbeam run --config``), ``ner_model`` set on top."""
    from dataclasses import replace

    from newsbeam.config import TaggingConfig, load

    cfg = load(config, {}).tagging if config else TaggingConfig(places=True, actors=True)
    return replace(cfg, ner_model=ner_model) if ner_model else cfg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", default=str(DEFAULT_GOLD))
    ap.add_argument("--split", help="score only the articles of this split (dev, heldout)")
    ap.add_argument("--json", help="write the metrics, type confusion and error list to this path")
    ap.add_argument("--errors", action="store_true", help="print every miss, false alarm and wrong reading")
    ap.add_argument("--confusion", action="store_true", help="print the gold-type x predicted-type table")
    ap.add_argument("--devsets", default=str(DEVSETS), help="folder of the real annotated sets (Wikigold)")
    ap.add_argument("--no-devsets", action="store_true", help="score our gold set only")
    ap.add_argument("--top", type=int, default=25, help="how many Wikigold misses and false positives to list")
    ap.add_argument("--ner-model", help="the accurate mode: merge this spaCy model (package name or path)")
    ap.add_argument("--config", help="a newsbeam TOML configuration whose [tagging] section is scored")
    args = ap.parse_args(argv)
    try:
        cfg = tagging_config(args.config, args.ner_model)
    except ValueError as e:
        ap.error(str(e))
    if cfg.ner_model:
        from newsbeam.tags.actors.ner import NerMerger

        try:
            NerMerger(cfg.ner_model).nlp  # noqa: B018 - a model that cannot load is a usage error, said once
        except ValueError as e:
            ap.error(str(e))

    gold = load_gold(args.gold)
    if args.split:
        gold = [a for a in gold if split_of(a) == args.split]
        if not gold:
            ap.error(f"no articles in split {args.split!r}")
    tag = make_tagger(cfg)
    if cfg.ner_model:
        print(f"accurate mode: rules + spaCy model {cfg.ner_model}")
    tallies, errors, confusion = evaluate(gold, tag)
    metrics = {k: t.metrics() for k, t in tallies.items()}
    print(f"{len(gold)} articles, {tallies['all'].gold} gold actor mentions ({args.gold})\n")
    print(format_table(metrics))
    print("\nrole/role~: strict/lenient role accuracy; country/code: exact agreement incl. nulls on span-matched "
          "mentions; country*/code*: over matched gold mentions that have a value.")
    if args.confusion:
        print("\n" + format_confusion(confusion))
    wiki = None if args.no_devsets else load_wikigold(Path(args.devsets))
    wiki_res = None
    if wiki is not None:
        wiki_res = time_wikigold(wiki[0], wiki[1], tag)
        print(f"\nWikigold ({len(wiki[0])} documents, {args.devsets}): persons and organisations, multisets of "
              "(type, normalised surface) per document\n")
        if cfg.ner_model:
            rules_res = time_wikigold(wiki[0], wiki[1], make_tagger())
            print(format_side_by_side({"rules": rules_res, f"rules + {cfg.ner_model}": wiki_res}) + "\n")
            wiki_res = {"rules": rules_res, "accurate": wiki_res, "ner_model": cfg.ner_model}
            print(format_wikigold(wiki_res["accurate"], args.top))
        else:
            print(format_wikigold(wiki_res, args.top))
    elif not args.no_devsets:
        print(f"\nWikigold skipped: {args.devsets} has no wikigold.jsonl / wikigold_gold.jsonl")
    write_outputs(errors, args.errors, args.json, {
        "gold": str(args.gold), "articles": len(gold), "metrics": metrics,
        "confusion": [{"gold": g, "pred": p, "n": n} for (g, p), n in sorted(confusion.items())], "errors": errors,
        "wikigold": wiki_res})
    return 0


def write_outputs(errors: list[dict], show_errors: bool, json_path: str | None, result: dict) -> None:
    """The evaluations' shared tail: errors as JSON lines on stdout when asked, the whole result as a JSON file."""
    if show_errors:
        print()
        for e in errors:
            print(json.dumps(e, ensure_ascii=False))
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    sys.exit(main())
