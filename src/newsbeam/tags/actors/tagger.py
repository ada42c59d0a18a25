"""Actor tagging: people with roles, organisations and armed groups, governments, security forces — typed and coded.

Why rules and dictionaries: users ask "who did what" over millions of paragraphs, offline. A statistical NER model
is optional (``ner``); this tagger alone must run at corpus speed, so it is one Aho-Corasick pass per paragraph
(dictionary names, role words, unnamed agents: ``dictionary``), one compiled regex for capitalised sequences
(``rules``), and a little Python per candidate.

How it decides, per article (this class only composes the stages):

1. **Organisations first** (``organisation_spans``, ``organisations``): ``tags/tagger.py`` calls it before places,
   so "Balochistan Liberation Army" hides Balochistan; names the context calls companies join once places are known.
2. **Governments** (``context``): a place mention that ``places`` marked ``metonymy`` ("Islamabad has denied") is
   a GOVERNMENT actor of its country with the same offsets.
3. **People** (``people``): a capitalised sequence with a title, a role, an apposition or a known given name; later
   surname-only mentions link to the full name.
4. **Unnamed agents** (``context``): "security forces", "militants", "protesters", typed from the dictionary and
   given the country of a demonym or place right before them, else the article's primary country.

Overlaps: organisations > governments by metonymy > dictionary people > people > unnamed agents; a later,
overlapping candidate is dropped. Every mention dict has exactly the ``schema.ACTOR`` keys.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from newsbeam.tags.actors import context as C
from newsbeam.tags.actors import organisations as O
from newsbeam.tags.actors import people as P
from newsbeam.tags.actors import rules as R
from newsbeam.tags.actors.dictionary import (
    K_DICT,
    ActorDictionary,
    ActorInfo,
    dictionary_entries,
    mention,
    read_builtin,
)
from newsbeam.tags.spans import Occupancy

_BY_START = itemgetter("start")
_TYPE_COUNT_KEY: dict[str, str] = {}  # actor type -> its counter name ("actors-armed-group")


@dataclass
class ActorResult:
    mentions: list[list[dict]]
    article_actors: list[dict]
    counts: Counter = field(default_factory=Counter)


class ActorTagger:
    def __init__(self, user_dictionaries: tuple[str, ...] = ()):
        base = read_builtin()
        entries = dictionary_entries(base, user_dictionaries)
        self.dictionary = ActorDictionary(base, entries, P.known_given_names(base))
        self.dictionary.caps_words = O.caps_words(self.dictionary.given_names, P.blocked_words())
        self._local = threading.local()

    def organisation_spans(self, paragraphs: list[str]) -> list[list[tuple[int, int]]]:
        """Spans of organisation and armed-group names per paragraph, for the place tagger to block."""
        orgs = self._org_stage(paragraphs).orgs
        return [[(o.s, o.e) for o in row] for row in orgs]

    def _org_stage(self, paragraphs: list[str]) -> O.OrgStage:
        """Organisations per paragraph plus the scans they came from; memoised for the article being tagged
        (``tags/tagger.py`` asks for the spans first, then tags the same list)."""
        memo = getattr(self._local, "memo", None)
        if memo is not None and memo[0] is paragraphs and memo[1] == paragraphs:
            return memo[2]
        result = O.find_organisations(self.dictionary, paragraphs)
        self._local.memo = (paragraphs, list(paragraphs), result)
        return result

    def tag_article(
        self,
        paragraphs: list[str],
        places: Sequence[Sequence[dict]],
        demonyms: Sequence[Sequence[dict]],
        primary_country: str | None,
        org_spans: list[list[tuple[int, int]]] | None = None,
    ) -> ActorResult:
        d = self.dictionary
        stage = self._org_stage(paragraphs)
        counts: Counter = Counter()
        if primary_country is None:
            primary_country = C.country_from_actors(d, stage.orgs, stage.hits)
            if primary_country is not None:
                counts["actors-article-country-from-actors"] += 1
        art = C.Article(d, primary_country, counts)
        art.cue_orgs = O.cue_orgs(d, paragraphs, stage, places)
        n = len(paragraphs)
        out: list[list[dict]] = [[] for _ in range(n)]
        for p, text in enumerate(paragraphs):
            if not text:
                continue
            pl = places[p] if p < len(places) else ()
            dm = demonyms[p] if p < len(demonyms) else ()
            out[p] = _paragraph(art, p, text, stage.orgs[p], stage.hits[p], stage.seqs[p], pl, dm)
        P.link_surnames(art, paragraphs, out, places)
        _count_types(out, counts)
        return ActorResult(out, roll_up(out), counts)


def _paragraph(art: C.Article, p: int, text: str, orgs: list[O.Org], hits, seqs, places, demonyms) -> list[dict]:
    """The mentions of one paragraph, by the order of precedence of the module docstring."""
    if R.CREDIT_LINE.match(text):
        # "Reporting by A in B; Editing by C": the newsroom's staff, not actors of the story.
        art.counts["actors-credit-line-skipped"] += 1
        return []
    taken = Occupancy(len(text))
    out: list[dict] = []
    org_info: dict[tuple[int, int], ActorInfo] = {}
    if art.cue_orgs:
        orgs = O.with_cue_orgs(art.d, art.cue_orgs, text, orgs, places)
    orgs = O.late_orgs(art.d, text, orgs, places, hits)
    for o in orgs:
        info = o.info if o.info is not None else C.pattern_info(o, art.primary)
        org_info[(o.s, o.e)] = info
        out.append(mention(text, o.s, o.e, info))
        taken.add(o.s, o.e)
        art.counts["actors-" + o.source] += 1
    C.metonymy_governments(art, p, text, places, taken, out)
    if not seqs and not hits:
        return out
    ctx = C.Context(text, hits, places, demonyms, org_info, p)
    entries = art.d.entries
    for s, e, kind, idx in hits:  # user-dictionary people and any other non-organisation entries
        if kind == K_DICT and entries[idx].type not in R.ORG_TYPES and not taken.hits(s, e):
            info = entries[idx]
            out.append(mention(text, s, e, info))
            taken.add(s, e)
            if info.type == "PERSON":
                art.people.setdefault(info.name, info)
            art.counts["actors-dictionary"] += 1
    for s, e, info in P.people(art, text, seqs, hits, taken, ctx):
        out.append(mention(text, s, e, info))
        taken.add(s, e)
    for s, e, info in C.agents(art, text, hits, taken, ctx):
        out.append(mention(text, s, e, info))
        taken.add(s, e)
        art.counts["actors-unnamed-agent"] += 1
    if len(out) > 1:
        out.sort(key=_BY_START)
    return out


def _count_types(out: list[list[dict]], counts: Counter) -> None:
    """One counter per actor type ("actors-armed-group")."""
    tally: dict[str, int] = {}  # counted locally, then added in first-seen order (as one by one would)
    for row in out:
        for m in row:
            key = _TYPE_COUNT_KEY.get(m["type"])
            if key is None:
                key = _TYPE_COUNT_KEY.setdefault(m["type"], "actors-" + m["type"].lower().replace("_", "-"))
            tally[key] = tally.get(key, 0) + 1
    for key, k in tally.items():
        counts[key] += k


def roll_up(mentions: list[list[dict]]) -> list[dict]:
    """Per-article actors: one row per actor_id, the longest role seen, most mentioned first."""
    acc: dict[str, dict[str, Any]] = {}
    for row in mentions:
        for m in row:
            aid = m["actor_id"]
            a = acc.get(aid)
            if a is None:
                acc[aid] = {"actor_id": aid, "name": m["name"], "type": m["type"], "role": m["role"],
                            "country_code": m["country_code"], "code": m["code"], "mentions": 1}
                continue
            a["mentions"] += 1
            role = m["role"]
            if role and len(role) > len(a["role"] or ""):
                a["role"] = role
            if not a["code"]:
                a["code"] = m["code"]
            if not a["country_code"]:
                a["country_code"] = m["country_code"]
    return sorted(acc.values(), key=lambda a: (-a["mentions"], a["actor_id"]))
