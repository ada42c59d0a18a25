"""Optional statistical NER: people and organisations from a spaCy model the user provides, merged with the rules.

Why optional and merged this way: the rule tagger (``newsbeam.tags.actors``) knows roles, countries, codes and the
dictionary's identities, and runs at corpus speed; a statistical model finds names the rules miss (people without a
cue or a common given name, organisations without a head word) but knows nothing of roles or codes. So the rules
win every overlap and spaCy only adds what they left untouched: ``PERSON`` becomes a PERSON actor, ``ORG`` an
ORGANIZATION actor, both without role, country or code.

The model is whatever ``spacy.load`` accepts: an installed package name or a path to a saved pipeline. Official
models are not on the package index; install one once, e.g. ``python -m spacy download en_core_web_sm`` on a
machine with network access, or ``pip install`` its wheel from the spaCy models release page; then pass its name.
It is loaded lazily, once per worker process, on first use. ``pipelines/accurate.toml`` names one that installs
from the package index with pinned hashes (``pipelines/accurate-requirements.txt``).

Before the merge, the model's entities are made consistent across the article (``harmonise``), because a small
model labels each sentence on its own: "Dewa Budjana" is a PERSON in one sentence and "Budjana" an ORG in the next.
On Wikigold (real Wikipedia text annotated by others) this took the accurate mode's person F1 from 74.8 to 78.3 and
organisation F1 from 54.4 to 54.9 (``bench/actor_eval.py --ner-model``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from newsbeam.tags.actors.rules import make_id
from newsbeam.tags.actors.tagger import ActorResult, roll_up

LABELS = {"PERSON": "PERSON", "PER": "PERSON", "ORG": "ORGANIZATION"}
_LEADING = ("the ", "The ")


_POSSESSIVE = re.compile(r"\s*['’]s$")


def _key(surface: str) -> str:
    """The form under which mentions of one name are compared: spaces collapsed, possessive "'s" removed."""
    return _POSSESSIVE.sub("", " ".join(surface.split()))


def harmonise(
    paragraphs: Sequence[str],
    ents: Sequence[Sequence[tuple[int, int, str]]],
    rule_mentions: Sequence[Sequence[dict]] = (),
    skipped: Counter | None = None,
) -> list[list[tuple[int, int, str]]]:
    """The model's PERSON/ORG entities of one article, made consistent across it; other labels pass unchanged.

    A statistical model labels each sentence on its own, so one name gets different labels in one article. Three
    article-level rules, each measured on Wikigold before it was kept:

    * a name whose words are part of a longer person name in the article (from the rules or from the model's
      multi-word PERSON entities) is a PERSON: "Budjana" after "Dewa Budjana" (the model said ORG);
    * otherwise a name takes the label the model gave it most often in the article (a tie keeps each label);
    * a one-word PERSON that is not part of such a longer name is dropped and counted
      (``actors-ner-single-name-skipped``): alone, the small model's one-word persons were right about a third of
      the time ("Caloi", a bicycle maker; "Reading", a town), which cost more precision than they gave recall.
      Rules still find one-word people with a cue ("Mr. Budjana", a known surname).
    """
    votes: dict[str, Counter] = defaultdict(Counter)
    for text, found in zip(paragraphs, ents, strict=True):
        for s, e, label in found:
            if label in LABELS:
                votes[_key(text[s:e])][LABELS[label]] += 1

    def majority(key: str) -> str | None:
        c = votes[key]
        return "PERSON" if c["PERSON"] > c["ORGANIZATION"] else "ORGANIZATION" if c["ORGANIZATION"] > c[
            "PERSON"] else None

    people = {tuple(k.split()) for k in votes if len(k.split()) >= 2 and majority(k) == "PERSON"}
    people |= {tuple(_key(m["text"]).split()) for ms in rule_mentions for m in ms
               if m["type"] == "PERSON" and len(m["text"].split()) >= 2}

    def part_of_person(words: tuple[str, ...]) -> bool:
        n = len(words)
        return any(len(p) > n and any(p[i : i + n] == words for i in range(len(p) - n + 1)) for p in people)

    linked = {key for key in votes if part_of_person(tuple(key.split()))}
    out = []
    for text, found in zip(paragraphs, ents, strict=True):
        kept = []
        for s, e, label in found:
            if label in LABELS:
                key = _key(text[s:e])
                typ = "PERSON" if key in linked else majority(key) or LABELS[label]
                if typ == "PERSON" and key not in linked and len(key.split()) == 1:
                    if skipped is not None:
                        skipped["actors-ner-single-name-skipped"] += 1
                    continue
                label = "PERSON" if typ == "PERSON" else "ORG"
            kept.append((s, e, label))
        out.append(kept)
    return out


def merge(
    rule_mentions: Sequence[dict],
    ner_ents: Iterable[tuple[int, int, str]],
    text: str,
    place_spans: Sequence[tuple[int, int]] = (),
    skipped: Counter | None = None,
) -> list[dict]:
    """Rule mentions plus the NER entities (start, end, label) that overlap none of them, sorted by start.

    Entities with other labels are ignored; a leading "the" is trimmed from organisations ("the Harbour Guild").
    An entity lying inside a place the gazetteer found ("Niamey" read as a PERSON, "Tigray" as an ORG) is dropped and
    counted in ``skipped``: on our gold set those were most of the errors spaCy added. An entity that only contains a
    place ("Bank of England") is kept.
    """
    out = list(rule_mentions)
    taken = [(m["start"], m["end"]) for m in rule_mentions]
    for s, e, label in ner_ents:
        typ = LABELS.get(label)
        if typ is None:
            continue
        if text.startswith(_LEADING, s) and e - s > 4:
            s += 4
        name = " ".join(text[s:e].split())
        if text[e - 2 : e] in ("'s", "’s"):
            e -= 2
            name = name[:-2]
        if not name or any(a < e and s < b for a, b in taken):
            continue
        if any(a <= s and e <= b for a, b in place_spans):
            if skipped is not None:
                skipped["actors-ner-place-skipped"] += 1
            continue
        taken.append((s, e))
        out.append({"text": text[s:e], "start": s, "end": e, "name": name, "type": typ, "role": None,
                    "country_code": None, "code": None, "actor_id": make_id(name, typ, None)})
    out.sort(key=lambda m: m["start"])
    return out


class NerMerger:
    """Runs a spaCy pipeline over an article's paragraphs and merges its entities into an ActorResult."""

    def __init__(self, model: str):
        self.model = model
        self._nlp: Any = None

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            try:
                import spacy
            except ImportError as e:
                raise ValueError("NER needs spaCy: pip install 'newsbeam[ner]'") from e
            try:
                self._nlp = spacy.load(self.model)
            except OSError as e:
                raise ValueError(f"spaCy model {self.model!r} cannot be loaded: {str(e).splitlines()[0]}") from None
        return self._nlp

    def entities(self, paragraphs: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """(start, end, label) per paragraph; code-point offsets, as spaCy's ``start_char``/``end_char`` are."""
        docs = self.nlp.pipe(list(paragraphs))
        return [[(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents] for doc in docs]

    def apply(
        self, paragraphs: Sequence[str], result: ActorResult, places: Sequence[Sequence[dict]] | None = None
    ) -> ActorResult:
        """The rule result with NER people and organisations added; article actors and counts recomputed.

        ``places``: the place mentions of each paragraph; entities inside one are not added.
        """
        counts = Counter(result.counts)
        ents = harmonise(paragraphs, self.entities(paragraphs), result.mentions, counts)
        mentions = []
        if places is None:
            places = [[] for _ in paragraphs]
        for text, rules, found, pl in zip(paragraphs, result.mentions, ents, places, strict=True):
            spans = [(p["start"], p["end"]) for p in pl]
            merged = merge(rules, found, text, spans, counts) if text else list(rules)
            own = {id(m) for m in rules}
            for m in merged:
                if id(m) not in own:
                    counts["actors-ner-" + m["type"].lower()] += 1
                    counts["actors-" + m["type"].lower()] += 1
            mentions.append(merged)
        return ActorResult(mentions, roll_up(mentions), counts)
