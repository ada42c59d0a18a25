"""Choosing each name's reading by the article's context: population and kind priors, local context, and the
country and region evidence of the other places, in three passes (anchors, everyone, final readings).

Score = population/kind prior + name adjustment + local context + evidence for the reading's country and region;
a reading fires only above ``FIRE_MIN`` and past the gates of ``rules.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from newsbeam.tags.places.candidate import Candidate
from newsbeam.tags.places.evidence import DEMONYM_WEIGHT, Evidence
from newsbeam.tags.places.key_sets import key_sets
from newsbeam.tags.places.rules import TITLES, gates
from newsbeam.tags.places.table import F_USER, FEATURE_KINDS, Gazetteer

FIRE_MIN = 4.6  # a reading must score at least this (a town of ~40,000 people with no other evidence)
MAX_CANDS = 40
UNIT_BONUS = 4.0  # "Borno state", "the state of Washington": a unit reading beats a city or country of that name
FOREIGN_POP = 500_000  # below this a town (not a capital) in a country the article never mentions is penalised
SMALL_POP = 15000  # below this a town needs its region in the article, a preposition or a "Town, Region" pair
ANCHOR_POP = 100000  # pass-1 anchors: only places big enough to be sure of without context
NO_EVIDENCE_MEMO_MAX = 50_000  # pass-1 readings kept per process: 3,194 after 5,000 news articles (1 MB); <= ~15 MB

Demonym = tuple[int, int, int, int]  # paragraph, start, end, key id


class Resolver:
    """Scores the readings of candidates; holds the gazetteer columns the scoring reads."""

    def __init__(self, gaz: Gazetteer, single_country: dict[int, int] | None = None, reference: bool = False):
        """``single_country``: ``key_sets.key_sets(gaz)[2]`` if the caller has it (computed here otherwise).
        ``reference``: answer ``fires_alone`` without the kept pass-1 answers (what it is checked against)."""
        self._reference = reference
        self._qual = gaz.key_qualifier
        self._adj = gaz.pair_adj
        self._prior = gaz.ent_prior
        self._kind = gaz.ent_kind
        self._cc = gaz.ent_cc
        self._a1 = gaz.ent_a1
        self._cap = gaz.ent_capital
        self._first = gaz.first_names
        self._pop = gaz.ent_pop
        self._demonym_targets = gaz.demonym_targets
        self._adj_keys = frozenset(k for k, _ in gaz.pair_adj)
        self._no_evidence_memo: dict[tuple, tuple] = {}  # see ``resolve_all``
        # Keys with one reading, a country: resolved without scoring in pass 1 (``resolve_all``).
        self._single_country = single_country if single_country is not None else key_sets(gaz)[2]

    # -- one candidate ----------------------------------------------------------------------------------------

    def resolve(self, c: Candidate, cev: dict[str, float], aev: dict[str, float]) -> str | None:
        """Pick the best reading that passes the gates; returns the gate that blocked the best one, if any.

        Score = population/kind prior + name adjustment + local context + evidence for the reading's country and
        region. Evidence bonuses grow with the log of the evidence: one mention of Chicago must not turn "Paris"
        into Paris, Illinois, but a story full of Texas places makes it Paris, Texas. A town in a country the
        article never mentions is penalised (an Ethiopian story's "Fano" is the militia, not the Italian town).
        """
        best, best_s, blocked_by, scored = self._score_readings(c, cev, aev)
        if best >= 0 and not c.flags & F_USER and self._too_weak(c, best, best_s, aev):
            best, blocked_by = -1, blocked_by or "weak"
        c.best, c.score = best, best_s
        c.margin = self._margin(best, best_s, scored) if best >= 0 and len(scored) > 1 else 5.0
        return None if best >= 0 else blocked_by

    def _score_readings(self, c: Candidate, cev: dict[str, float], aev: dict[str, float]
                        ) -> tuple[int, float, str | None, list[tuple[float, int]]]:
        """(best reading, its score, the gate that blocked a reading, (score, reading) of every reading scored)."""
        g_country, g_admin1, g_other = gates(c, self._first)
        kinds, prior, ccs, a1s, pops, caps = self._kind, self._prior, self._cc, self._a1, self._pop, self._cap
        adj = self._adj if c.kid in self._adj_keys else None
        strong, prep, unit = c.strong, c.prep, c.unit
        tot = sum(cev.values()) if cev else 0.0
        foreign = min(2.5, 0.5 + 0.5 * tot)
        ents = c.ents if len(c.ents) <= MAX_CANDS else c.ents[:MAX_CANDS]
        # A country the article never mentions loses to a same-name region of a country it does mention
        # (Georgia the state in a story about Alabama towns); with no such rival the country keeps its prior.
        rival_in_ev = False
        if cev and len(ents) > 1:  # a plain loop: a generator per candidate cost more than the test
            for e in ents:
                r = ~e if e < 0 else e
                if cev.get(ccs[r]) and kinds[r] != "country":
                    rival_in_ev = True
                    break
        best, best_s = -1, -1e9
        blocked_by = None
        scored = []
        for ent in ents:
            alt = ent < 0
            real = ~ent if alt else ent
            kind = kinds[real]
            why = g_country if kind == "country" else (g_admin1 if kind == "admin1" else g_other)
            if why is None and c.facility and cev and not cev.get(ccs[real]):
                why = "facility"  # "Madina hospital" in a Somali story: a name, not Madinah in Saudi Arabia
            if why is not None:
                blocked_by = blocked_by or why
                continue
            sc = prior[real] + strong
            is_unit = kind == "admin1" or kind == "admin2"
            if adj is not None:
                a = adj.get((c.kid, real), 0.0)
                sc += max(a, 0.0) if unit and is_unit else a  # "Washington state" is not the capital city
            if alt:
                sc -= 0.5
            w = cev.get(ccs[real]) if cev else None
            if w:
                sc += 1.0 + 0.5 * math.log1p(w)
            elif (cev and kind != "country" and pops[real] < FOREIGN_POP and not strong and not caps[real]
                  and kind not in FEATURE_KINDS):
                sc -= foreign
            elif kind == "country" and rival_in_ev and not strong and not c.in_country_list:
                sc -= foreign
            if unit and is_unit:
                sc += UNIT_BONUS
            if kind != "country":
                a1 = a1s[real]
                if a1 is not None and aev:
                    w = aev.get(a1)
                    if w:
                        sc += 1.0 + 0.75 * math.log1p(w)
                if prep and (kind == "city" or kind == "admin2"):
                    sc += 1.0
            scored.append((sc, real))
            if sc > best_s:
                best, best_s = real, sc
        return best, best_s, blocked_by, scored

    def _too_weak(self, c: Candidate, best: int, best_s: float, aev: dict[str, float]) -> bool:
        """A reading below ``FIRE_MIN``, or a village or district with no preposition, pair or region evidence."""
        kind = self._kind[best]
        if kind != "country" and best_s < FIRE_MIN:
            return True
        return (kind == "admin2" or (kind == "city" and self._pop[best] < SMALL_POP)) and not (
            c.prep or c.strong or aev.get(self._a1[best] or "")
        )

    def _margin(self, best: int, best_s: float, scored: list[tuple[float, int]]) -> float:
        """The margin is measured against readings elsewhere: a city and its own same-name province agree."""
        ccs, a1s = self._cc, self._a1
        bcc, ba1 = ccs[best], a1s[best]
        others = [sc for sc, e in scored
                  if e != best and (ccs[e] != bcc or (a1s[e] != ba1 and a1s[e] is not None and ba1 is not None))]
        return best_s - max(others) if others else 5.0

    def pair(self, x: Candidate, y: Candidate) -> None:
        """ "X, Y": keep only readings where Y contains X (Paris, Texas; Reading, Berkshire; Quetta, Pakistan)."""
        kind, cc, a1 = self._kind, self._cc, self._a1
        if x.ents and y.ents:
            kx, ky = kind[~x.ents[0] if x.ents[0] < 0 else x.ents[0]], kind[~y.ents[0] if y.ents[0] < 0 else y.ents[0]]
            if kx == ky and kx in ("country", "admin1"):
                return  # "California, Colorado", "China, Japan": a list of states or countries, not "Town, Region"
        yents = [~e if e < 0 else e for e in y.ents[:MAX_CANDS]]
        yents = [e for e in yents if kind[e] in ("country", "admin1", "admin2")]
        q = self._qual.get(y.kid)
        if q is not None:
            yents.append(q)
        if not yents:
            return
        best = None
        for xe in x.ents:
            xr = ~xe if xe < 0 else xe
            for ye in yents:
                if xr == ye:
                    continue
                yk = kind[ye]
                ok = cc[xr] == cc[ye] if yk == "country" else (a1[xr] is not None and a1[xr] == a1[ye])
                if ok and kind[xr] != "country":
                    val = (self._prior[xr] + self._adj.get((x.kid, xr), 0.0)
                           + self._prior[ye] + self._adj.get((y.kid, ye), 0.0))
                    if best is None or val > best[0]:
                        best = (val, xe, ye)
        if best is None:
            return
        _, xe, ye = best
        x.ents = [xe]
        x.strong = max(x.strong, 6.0)
        y.ents = [ye]
        y.strong = max(y.strong, 3.0)

    # -- the article ------------------------------------------------------------------------------------------

    def resolve_all(self, cands: list[Candidate], ev: Evidence | None, skip: Callable[[Candidate], bool]) -> None:
        """Resolve every candidate not skipped, once per distinct (name, context): repeats of a name in the same
        context necessarily get the same reading."""
        # With no evidence (pass 1) a reading depends on the name and its context alone, so those answers are kept
        # for the process; the key holds every field ``resolve`` reads when ``strong`` is 0 (``ents`` is the
        # name's own list until a pair makes it strong). Kept answers equal fresh ones: output does not change.
        memo: dict[tuple, tuple] = {} if ev is not None else self._no_evidence_memo
        if len(memo) > NO_EVIDENCE_MEMO_MAX:
            memo.clear()  # bounds memory on a long run (keys hold the word before a capitalised name)
        excl: dict[int, tuple[dict[str, float], dict[str, float]]] = {}
        empty: tuple[dict[str, float], dict[str, float]] = ({}, {})
        single = self._single_country
        for c in cands:
            if not c.ents or skip(c):
                continue
            ent = single.get(c.kid) if ev is None and not c.prev_cap else None
            if ent is not None:  # "Pakistan": one reading, nothing to weigh
                c.best, c.score, c.margin, c.why = ent, self._prior[ent] + c.strong, 5.0, None
                continue
            key = None
            if not c.strong:
                key = (c.kid, c.prep, c.unit, c.in_country_list, c.initial, c.prev_cap, c.next_cap, c.prev_word if c.prev_cap else "")
                hit = memo.get(key)
                if hit is not None:
                    c.best, c.score, c.margin, c.why = hit
                    continue
            if ev is None:
                cev, aev = empty
            else:
                pair = excl.get(c.kid)
                if pair is None:
                    pair = excl[c.kid] = ev.excluding(c.kid)
                cev, aev = pair
            c.why = self.resolve(c, cev, aev)
            if key is not None:
                memo[key] = (c.best, c.score, c.margin, c.why)

    def fires_alone(self, c: Candidate) -> bool:
        """Whether ``c`` (not strong) has a reading that fires with no evidence at all, as ``resolve(c, {}, {})``
        says; the answer is pass 1's, kept per process under the same key (``resolve_all``): a name inside an
        organisation is asked this once per context, not once per mention (issue #18)."""
        if self._reference or c.strong:
            self.resolve(c, {}, {})
            return c.best >= 0
        memo = self._no_evidence_memo
        key = (c.kid, c.prep, c.unit, c.in_country_list, c.initial, c.prev_cap, c.next_cap,
               c.prev_word if c.prev_cap else "")
        hit = memo.get(key)
        if hit is None:
            if len(memo) > NO_EVIDENCE_MEMO_MAX:
                memo.clear()
            why = self.resolve(c, {}, {})
            hit = memo[key] = (c.best, c.score, c.margin, why)
        return hit[0] >= 0

    def resolve_article(self, cands: list[Candidate], demos: list[Demonym]) -> Evidence:
        """Resolve every candidate of an article in passes; returns the evidence of pass 2, which decides what the
        article's demonyms refer to."""
        # Pass 1: evidence from readings that need no coherence to be sure. Evidence is kept per name, so that a
        # name is never its own evidence (four mentions of "Fano" do not make an Ethiopian story Italian).
        ev1 = Evidence()
        self.resolve_all(cands, None, _never)
        for c in cands:
            b = c.best
            if c.ents and b >= 0 and not c.facility and (c.strong > 0 or (c.margin >= 1.5 and (self._kind[b] in ("country", "admin1")
                                                                 or self._pop[b] >= ANCHOR_POP))):
                c.anchor = True
                c.first = b
                ev1.add(c.kid, self._cc[b], self._a1[b], c.weight)
        self._add_demonym_evidence(ev1, demos)

        # Pass 2: every candidate with the anchors' evidence; its readings are the evidence for the final pass.
        ev2 = ev1.copy()
        self.resolve_all(cands, ev1, _is_anchor)
        for c in cands:
            if c.ents and not c.anchor and c.best >= 0:
                ev2.add(c.kid, self._cc[c.best], self._a1[c.best], c.weight)

        # Pass 3: final readings.
        if ev2.cev == ev1.cev and ev2.aev == ev1.aev:
            # Nothing new was learnt in pass 2: only anchors with several readings still need the evidence.
            self.resolve_all(cands, ev2, _not_multi_anchor)
        else:
            self.resolve_all(cands, ev2, _single_anchor)
        if any(c.anchor and c.best != c.first for c in cands):
            # An ambiguous anchor changed its mind once the evidence came in (Georgia next to Alabama towns): its
            # first reading's evidence was wrong, so the others are scored again with the final readings.
            ev3 = Evidence()
            for c in cands:
                if c.ents and c.best >= 0:
                    ev3.add(c.kid, self._cc[c.best], self._a1[c.best], c.weight)
            self._add_demonym_evidence(ev3, demos)
            self.resolve_all(cands, ev3, _single_anchor)
        return ev2

    def _add_demonym_evidence(self, ev: Evidence, demos: list[Demonym]) -> None:
        """A demonym is evidence for its first target ("Pakistani": PK), under no name of its own."""
        for _p, _s, _e, kid in demos:
            cc, a1 = self._demonym_targets[kid][0]
            ev.add(-1, cc, a1, DEMONYM_WEIGHT)

    def one_sense_per_article(self, cands: list[Candidate]) -> None:
        """A name the article has already shown to be a place ("READING, England —", "in Hope") is that place
        again where only its being an everyday word or a small town held it back ("the edge of Reading").
        Sentence-initial occurrences and those inside a longer capitalised name stay gated: "Reading the report"
        is still a verb, "Reading Borough Council" an organisation."""
        seen: dict[int, Candidate] = {}
        for c in cands:
            if c.best >= 0 and c.kid not in seen:
                seen[c.kid] = c
        if not seen:
            return
        for c in cands:
            if c.best >= 0 or c.why not in ("common", "weak") or c.initial or c.prev_cap or c.next_cap:
                continue
            src = seen.get(c.kid)
            if src is not None:
                c.best, c.score, c.margin, c.why = src.best, src.score - 1.0, src.margin, None


    def person_sense(self, cands: list[Candidate]) -> None:
        """A name the article uses as a person's surname ("Willie Campbell", "Annie Lennox", "President Zardari")
        is that person again where it stands alone ("Campbell's lawyer said"): only a place preposition, a
        "Town, Region" pair, a dateline or a unit noun keeps a later mention a place."""
        first = self._first
        surnames = {c.kid for c in cands
                    if c.why in ("person", "name") and c.prev_cap and (c.prev_word in first or c.prev_word in TITLES)}
        if not surnames:
            return
        for c in cands:
            if c.best >= 0 and c.kid in surnames and not (c.prep or c.strong or c.dateline or c.unit):
                c.best, c.why = -1, "person"


def _never(c: Candidate) -> bool:
    return False


def _is_anchor(c: Candidate) -> bool:
    return c.anchor


def _not_multi_anchor(c: Candidate) -> bool:
    return not c.anchor or len(c.ents) == 1


def _single_anchor(c: Candidate) -> bool:
    return c.anchor and len(c.ents) == 1  # a single certain reading cannot change
