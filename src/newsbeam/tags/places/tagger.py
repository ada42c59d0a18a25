"""Place tagging: find place names in an article's paragraphs and resolve each to one GeoNames reading.

How it decides, in order:

1. **Matching.** One Aho-Corasick pass (longest match) per paragraph over every gazetteer name, case-sensitive,
   kept only at word boundaries (a match that fails the boundary test restarts the scan just after its start, so
   it cannot hide a real name). Lower-case prose ("reading the report") can never match.
2. **Local context.** Datelines ("QUETTA, Pakistan —", "LAGOS (Reuters) -", "PORT-AU-PRINCE, Haiti —"),
   "City, Region" pairs ("Paris, Texas", "Paris, Tex.", "Reading, Berkshire") that restrict both sides to
   compatible readings, a place preposition before the name ("in Reading") or a place noun ("the town of Sake",
   "the Swat valley"), shared by the rest of a list ("from Hattiesburg and Meridian"), unit nouns that ask for the
   region ("Borno state", "Washington state"), sentence-initial position, and capitalised neighbours that make the
   name part of a person's name ("Whitney Houston", "Paris Hilton"), an organisation's ("Balochistan Liberation
   Army", "Bank of England": counted in ``n_blocked``) or a feature's ("Columbia River").
3. **Gates.** Names that are everyday words ("Nice", "Reading", "Police") fire only with place context; the most
   common ones ("March", "Of", "Police") only with a dateline or a "City, Region" pair. Villages and alternate
   names need the article's other evidence (their region or country is mentioned) or a preposition.
4. **Coherence.** Unambiguous mentions (countries, regions, big cities with one reading) give country and region
   evidence; every reading is then scored as population prior + evidence for its country and region + local
   context. So "Paris" in a French story is Paris, France, and in a story about Texas towns it is Paris, Texas;
   Georgia is the country next to Tbilisi and the state next to Atlanta. A country the article never mentions
   loses to a same-name region of the country it does mention, unless it is listed with other countries; an
   anchor that changes its reading once evidence comes in triggers one more round with the final readings.
   One sense per article: a name the story has shown to be a place is that place again where only its being an
   everyday word or a small town held it back (never sentence-initially: "Reading the report").
5. **Article summary.** Country and region evidence, weighted (title 2, first paragraph 1.5, metonymic mentions
   half), gives ``primary_country``, ``primary_region``, ``countries`` and ``regions``.

Metonymy is conservative: a country or a capital directly followed by a speech/policy verb ("Islamabad has
denied", "Washington said") or directly after an accusation verb ("blamed India for"), never after a preposition.

Everything heavy (the automaton, candidate lists, priors) is precomputed in the gazetteer; the per-article work is
one automaton pass plus a little Python per candidate.

Where each step lives: ``matching.py`` (1), ``context.py`` and ``rules.py`` (2, 3), ``resolve.py`` and
``evidence.py`` (4), ``metonymy.py``, ``result.py`` (5); this module composes them per article.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import NamedTuple

from newsbeam.tags.places.candidate import Candidate
from newsbeam.tags.places.context import link_neighbours, read_context
from newsbeam.tags.places.evidence import (
    DEMONYM_WEIGHT,
    FIRST_PARA_WEIGHT,
    METONYMY_WEIGHT,
    TITLE_WEIGHT,
    Evidence,
)
from newsbeam.tags.places.key_sets import key_sets
from newsbeam.tags.places.matching import NameScanner
from newsbeam.tags.places.metonymy import Metonymy
from newsbeam.tags.places.resolve import Demonym, Resolver
from newsbeam.tags.places.result import Mentions, PlaceResult, confidence, demonym_row, mention, summarise
from newsbeam.tags.places.table import F_BLOCKER, F_DEMONYM, F_HARD, F_USER, Gazetteer
from newsbeam.tags.spans import Occupancy

_BY_START = itemgetter("start")
# Key ids whose readings are kept (``_key_ents``; <= ~3 MB); cleared when full. After 6,300 news articles: 4,000.
ENTS_MEMO_MAX = 20_000


@dataclass
class _Article:
    """One article while it is tagged: its texts (the title last), the result so far, candidates and demonyms."""

    texts: list[str]
    title_idx: int  # -1: no title
    res: PlaceResult
    cands: list[Candidate] = field(default_factory=list)
    demos: list[Demonym] = field(default_factory=list)
    dl_kid: int = -1  # the dateline's name: an everyday word ("HOPE, Ark. —") is that place all through the story


class _Paragraph(NamedTuple):
    index: int
    text: str
    weight: float  # of its evidence: title, first paragraph or other
    is_title: bool
    dateline: tuple[int, int, int] | None  # (start, end, key id) of a dateline's name
    blocked: Occupancy | None  # organisation spans: a place inside one is not a mention


class PlaceTagger:
    def __init__(self, gaz: Gazetteer, reference: bool = False):
        """``reference``: the straightforward code the fast paths replace (issue #18), for tests that compare."""
        self.gaz = gaz
        self._scanner = NameScanner(gaz)
        # The windowed scan is checked against a whole-text scan through these (tests/test_fuzz_text_stages.py).
        self._auto, self._klen, self._scan = self._scanner.auto, self._scanner.klen, self._scanner.scan
        # Per-match key sets, over the packed columns at once (``key_sets.py``: ~0.2 s less CPU per process start).
        self._has_country, self._country_first, single_country = key_sets(gaz)
        self._resolver = Resolver(gaz, single_country, reference)
        self._metonymy = Metonymy(gaz)
        if reference:
            self._confidence: Callable[[Candidate], float] = confidence
            self._row: Callable[[Candidate, str, float], dict] = partial(mention, gaz)
        else:  # the same values, with what repeats kept per process
            rows = Mentions(gaz)
            self._confidence, self._row = rows.confidence, rows.row
        self._reference = reference
        self._flags = gaz.key_flags
        self._cands = gaz.key_cands
        self._cand_flat, self._cand_end = gaz.key_cands.arrays()  # ``_cands[kid]`` without a call (``_key_ents``)
        self._ents: dict[int, tuple[int, ...]] = {}  # readings per key id (``_key_ents``)
        self._qual = gaz.key_qualifier
        self._cc = gaz.ent_cc
        self._a1 = gaz.ent_a1

    def tag_article(
        self,
        paragraphs: list[str],
        title: str | None = None,
        blocked: list[list[tuple[int, int]]] | None = None,
    ) -> PlaceResult:
        n_par = len(paragraphs)
        art = _Article(texts=list(paragraphs), title_idx=-1,
                       res=PlaceResult(mentions=[[] for _ in range(n_par)], demonyms=[[] for _ in range(n_par)]))
        if title:
            art.texts.append(title)
            art.title_idx = n_par
        for p, text in enumerate(art.texts):
            if text:
                art.cands.extend(self._paragraph_candidates(art, p, text, blocked))
        ev = self._resolver.resolve_article(art.cands, art.demos)
        self._resolver.one_sense_per_article(art.cands)
        self._resolver.person_sense(art.cands)
        self._metonymy.mark(art.cands, art.texts)
        fcev: dict[str, float] = {}
        faev: dict[str, float] = {}
        order: dict[str, int] = {}
        self._emit_mentions(art, fcev, faev, order)
        self._emit_demonyms(art, ev, fcev, faev, order)
        for lists in (art.res.mentions, art.res.demonyms):
            for lst in lists:
                if len(lst) > 1:  # most paragraphs hold none or one: no sort (and no key function) for them
                    lst.sort(key=_BY_START)
        summarise(self.gaz, art.res, fcev, faev, order)
        return art.res

    # -- candidates -------------------------------------------------------------------------------------------

    def _paragraph_candidates(self, art: _Article, p: int, text: str,
                              blocked: list[list[tuple[int, int]]] | None) -> list[Candidate]:
        """The candidates of one paragraph, in text order, with their local context and their neighbours'."""
        is_title = p == art.title_idx
        weight = TITLE_WEIGHT if is_title else (FIRST_PARA_WEIGHT if p == 0 else 1.0)
        matches = self._scanner.scan(text)
        dl = self._scanner.dateline(text) if p == 0 else None
        if dl is not None:
            matches = [dl, *(m for m in matches if m[0] >= dl[1])]
            art.dl_kid = dl[2]
        if not matches:  # a third of paragraphs name nothing: no blocked spans to index, no neighbours to link
            return []
        spans = blocked[p] if (blocked and p < len(blocked) and not is_title) else ()
        spans = Occupancy(len(text), spans) if spans else None  # O(span) tests, not O(spans) each
        para = _Paragraph(p, text, weight, is_title, dl, spans)
        row: list[Candidate] = []
        for s, e, kid in matches:
            c = self._candidate(art, para, s, e, kid)
            if c is not None:
                row.append(c)
        link_neighbours(row, text, self._resolver.pair, self._country_first)
        return row

    def _candidate(self, art: _Article, para: _Paragraph, s: int, e: int, kid: int) -> Candidate | None:
        """The candidate for one match, or None where the match is no place mention: a blocked name, a name inside
        an organisation or a longer non-place name, a demonym (kept as evidence), or an everyday word."""
        fl = self._flags[kid]
        if fl & F_BLOCKER:
            return None
        p, text, dl = para.index, para.text, para.dateline
        if para.blocked is not None and para.blocked.hits(s, e):
            if not fl & F_DEMONYM and self._would_fire(p, s, e, kid, text):
                art.res.n_blocked += 1
            return None
        if fl & F_DEMONYM:
            art.demos.append((p, s, e, kid))
            return None
        ents = self._ents.get(kid)  # (always None for the reference tagger, which keeps none)
        if ents is None:
            ents = self._key_ents(kid)
        if not ents and kid not in self._qual:
            return None
        if (fl & F_HARD and kid not in self._has_country and text[e : e + 1] != "," and (dl is None or s)
                and kid != art.dl_kid):
            # "March", "Police": only a "Town, Region" pair or a dateline could make these places.
            art.res.n_common_word_skipped += 1
            return None
        c = Candidate(p, s, e, kid, fl, ents, para.weight)
        c.dateline = dl is not None and s == dl[0] and kid == dl[2]
        if c.dateline:
            c.strong = 3.0
        read_context(c, text, para.is_title)
        if c.head is not None and not fl & F_USER and not c.dateline:
            if c.head == "org":
                art.res.n_blocked += 1
            return None
        return c

    def _key_ents(self, kid: int) -> tuple[int, ...]:
        """``tuple(self._cands[kid])``, kept per process (``_ents``): a name's readings were unpacked from the
        packed column (an array slice, then a tuple of new ints) at every mention; a tuple is shared safely, since
        a candidate's readings are replaced, never changed in place (``Resolver.pair``)."""
        if self._reference:
            return tuple(self._cands[kid])
        if len(self._ents) >= ENTS_MEMO_MAX:
            self._ents.clear()
        end = self._cand_end
        ents = self._ents[kid] = tuple(self._cand_flat[end[kid - 1] if kid else 0 : end[kid]])
        return ents

    def _would_fire(self, p: int, s: int, e: int, kid: int, text: str) -> bool:
        """Whether a match inside an organisation's name would have been a place mention on its own."""
        if not self._cands[kid]:
            return False
        c = Candidate(p, s, e, kid, self._flags[kid], list(self._cands[kid]), 1.0)
        read_context(c, text, False)
        c.prev_cap = c.next_cap = False  # the organisation's other words are not a person's name
        return self._resolver.fires_alone(c)

    # -- the result -------------------------------------------------------------------------------------------

    def _emit_mentions(self, art: _Article, fcev: dict[str, float], faev: dict[str, float],
                       order: dict[str, int]) -> None:
        """Mentions of the resolved candidates, and their evidence (weighted by confidence) for the summary."""
        res, texts, conf_of, row = art.res, art.texts, self._confidence, self._row
        for c in art.cands:
            if not c.ents:
                continue
            if c.best < 0:
                if c.why == "common":
                    res.n_common_word_skipped += 1
                continue
            w = c.weight
            if c.meto:
                w *= METONYMY_WEIGHT
            conf = conf_of(c)
            self._add_evidence(c.best, w * conf, fcev, faev)
            order.setdefault(self._cc[c.best], len(order))
            if c.para != art.title_idx:
                res.mentions[c.para].append(row(c, texts[c.para], conf))

    def _emit_demonyms(self, art: _Article, ev: Evidence, fcev: dict[str, float], faev: dict[str, float],
                       order: dict[str, int]) -> None:
        """Each demonym means the target with the most pass-2 evidence (first listed on a tie)."""
        cev, aev = ev.cev, ev.aev
        res, texts, title_idx = art.res, art.texts, art.title_idx
        for p, s, e, kid in art.demos:
            targets = self.gaz.demonym_targets[kid]
            cc, a1 = max(targets, key=lambda t: (cev.get(t[0], 0.0) + (aev.get(t[1], 0.0) if t[1] else 0.0),
                                                 -targets.index(t)))
            fcev[cc] = fcev.get(cc, 0.0) + DEMONYM_WEIGHT * (TITLE_WEIGHT if p == title_idx else 1.0)
            order.setdefault(cc, len(order))
            if a1:
                faev[a1] = faev.get(a1, 0.0) + DEMONYM_WEIGHT
            if p != title_idx:
                res.demonyms[p].append(demonym_row(self.gaz, texts[p], s, e, cc, a1))

    def _add_evidence(self, ent: int, w: float, cev: dict[str, float], aev: dict[str, float]) -> None:
        cc = self._cc[ent]
        if cc:
            cev[cc] = cev.get(cc, 0.0) + w
        a1 = self._a1[ent]
        if a1:
            aev[a1] = aev.get(a1, 0.0) + w
