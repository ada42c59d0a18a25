"""Organisations: dictionary names, pattern names with a head word, article-defined acronyms and cued names.

Why first and apart: organisation spans block the place tagger ("Balochistan Liberation Army" hides Balochistan),
so ``tags/tagger.py`` asks for them before places, then tags the same paragraphs; and they win every overlap with
people and agents. The order inside: dictionary names, then capitalised sequences with a head word ("... Army",
"Ministry of ...", "... Party", "... Bank") typed by ``rules.classify_org``, then acronym definitions
"Long Name (ACR)" whose later "ACR" mentions link to the long name's actor. A longer pattern name around a
dictionary company wins ("Toyota Motor Corp"); a one-word company after a given name is a surname ("Doug Ford").
Once the places are known, names the context calls companies ("shares in X", "an analyst at X", "X, the carmaker,",
"the X union", "X said in a statement") become organisations in every paragraph of the article (``cue_orgs``);
bare acronyms no dictionary knows and teams named after their home place join last (``late_orgs``), where a place
reading already won.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from newsbeam.tags.actors import rules as R
from newsbeam.tags.actors.dictionary import K_DICT, K_ROLE, ActorDictionary, ActorInfo
from newsbeam.tags.spans import Occupancy

BY_S = attrgetter("s")
# Connectors after which, with no head word before them, an organisation's name starts ("... of the X University").
_START_CONNECTORS = frozenset(("of", "for", "at", "from"))
# Capitalised words that never start a pattern organisation's name (the heads and "Police", "Army", "Military",
# "Government" can).
_ORG_STOP = R.LEADING_STOP - frozenset(R.ORG_HEADS) - {"Police", "Army", "Military", "Government"}


@dataclass
class Org:
    """An organisation candidate of one paragraph."""

    s: int
    e: int
    info: ActorInfo | None  # None: a pattern organisation whose country waits for the article's primary country
    name: str = ""
    type: str = ""
    role_code: str | None = None
    cc: str | None = None
    source: str = "dictionary"


class OrgStage(NamedTuple):
    """Per paragraph: the organisations, and the dictionary scan, capitalised sequences and cue hits they came
    from (the later stages reuse them rather than scan again)."""

    orgs: list[list[Org]]
    hits: list[list[tuple[int, int, int, int]]]
    seqs: list[list[tuple[int, int]]]
    cues: list[list[tuple[int, int, int, int]]]


def find_organisations(d: ActorDictionary, paragraphs: list[str]) -> OrgStage:
    """Organisations of every paragraph of an article, acronyms linked across paragraphs."""
    hits_all, seqs_all, orgs_all, cues_all = [], [], [], []
    acronyms: dict[str, Org] = {}
    for text in paragraphs:
        cues: list = []
        hits = d.scan(text, cues) if text else []
        cues_all.append(cues)
        seqs = [m.span() for m in R.SEQ_RE.finditer(text)] if text else []
        orgs = orgs_in(d, text, hits, seqs, acronyms)
        hits_all.append(hits)
        seqs_all.append(seqs)
        orgs_all.append(orgs)
    if acronyms:
        link_acronyms(paragraphs, orgs_all, acronyms)
    return OrgStage(orgs_all, hits_all, seqs_all, cues_all)


def orgs_in(d: ActorDictionary, text: str, hits, seqs, acronyms: dict[str, Org]) -> list[Org]:
    """The organisations of one paragraph, sorted by start; acronym definitions after them go to ``acronyms``."""
    entries = d.entries
    dict_orgs = [Org(s, e, entries[idx]) for s, e, kind, idx in hits
                 if kind == K_DICT and entries[idx].type in R.ORG_TYPES and not dict_org_vetoed(d, text, s, e)]
    orgs = _with_pattern_orgs(d, text, seqs, dict_orgs)
    if len(orgs) > 1:
        orgs.sort(key=BY_S)
    _note_acronyms(text, orgs, acronyms)
    return orgs


def _with_pattern_orgs(d: ActorDictionary, text: str, seqs, dict_orgs: list[Org]) -> list[Org]:
    """The dictionary organisations plus the pattern ones that overlap none of them, or that only widen them."""
    # Dictionary organisations come from one leftmost-longest pass: sorted and never overlapping, so the ones a
    # pattern organisation overlaps are found by bisection (a scan of all of them per pattern was quadratic in
    # the paragraph's length). Pattern organisations never overlap each other (sequences are disjoint).
    starts, dropped = [o.s for o in dict_orgs], set()
    patterns: list[Org] = []
    for ss, se in seqs:
        for org in pattern_orgs(d, text, ss, se):
            j = i = bisect.bisect_left(starts, org.e)
            while j > 0 and dict_orgs[j - 1].e > org.s:
                j -= 1
            inner = [o for o in dict_orgs[j:i] if id(o) not in dropped]
            if inner and all(widens(text, org, o) for o in inner):
                dropped.update(id(o) for o in inner)
                if inner[0].s == org.s:  # "Tesla Inc" is Tesla: the entry's country
                    org.cc = org.cc or inner[0].info.country_code
                inner = []
            if not inner:
                patterns.append(org)
    return [o for o in dict_orgs if id(o) not in dropped] + patterns if dropped or patterns else dict_orgs


def _note_acronyms(text: str, orgs: list[Org], acronyms: dict[str, Org]) -> None:
    """"Long Name (ACR)": the acronym's organisation (a dictionary one replaces a pattern one)."""
    for o in orgs:
        m = R.ACRONYM_DEF_RE.match(text, o.e)
        if m and sum(c.isupper() for c in m.group(1)) >= 2:
            acr = m.group(1)
            if acr not in acronyms or acronyms[acr].info is None or o.info is not None:
                acronyms[acr] = o


def dict_org_vetoed(d: ActorDictionary, text: str, s: int, e: int) -> bool:
    """A one-word dictionary organisation that is really part of something else: a surname after a given name
    ("Doug Ford", "Michael Dell") or a geographic name before a landform noun ("Amazon rainforest")."""
    if " " in text[s:e]:
        return False
    if s > 1 and text[s - 1] == " " and text[s - 2].isalpha():
        if text[text.rfind(" ", 0, s - 1) + 1 : s - 1] in d.given_names:
            return True
    m = R.NEXT_WORD.match(text, e) if text[e : e + 1] == " " else None
    return m is not None and m.group(1) in R.GEO_NOUNS


def pattern_orgs(d: ActorDictionary, text: str, ss: int, se: int) -> list[Org]:
    """Organisations in a capitalised sequence; "and" after a complete name starts another one ("the Army
    and the Ministry of Interior"), "and" inside a complement does not ("Ministry of Interior and Justice")."""
    words = text[ss:se].split(" ")
    if not R.any_head(words):
        return []
    toks = []
    a = ss
    for w in words:
        toks.append((a, a + len(w)))
        a += len(w) + 1
    out = []
    lo = 0
    for i, w in enumerate(words):
        if (w == "and" or w == "&") and i and R.strip_poss(words[i - 1]) in R.ORG_HEADS:
            org = pattern_org(d, words[lo:i], toks[lo:i])
            if org is not None:
                out.append(org)
            lo = i + 1
    org = pattern_org(d, words[lo:], toks[lo:])
    if org is not None:
        out.append(org)
    return out


def pattern_org(d: ActorDictionary, words: list[str], toks: list[tuple[int, int]]) -> Org | None:
    """An organisation in a run of capitalised words: from its first significant word to its last head word
    (or the end of the head's "of ..." complement)."""
    heads = R.head_indexes(words)
    if not heads:
        return None
    first = 0
    while first < len(words) and (words[first] in _ORG_STOP or words[first] in R.ORG_CONNECTORS):  # +1
        first += 1
    last_head = heads[-1]
    if last_head < first:
        return None
    # "Professor Amos Frumkin of the Hebrew University", "Secretary of the Department of Public Safety": words
    # before a connector that no head word governs are a person or a title, not the start of the name.
    c = last_head - 1
    while c > first and not (words[c] in _START_CONNECTORS and R.strip_poss(words[c - 1]) not in R.ORG_HEADS):
        c -= 1  # bounded: c falls by one per pass and stops at ``first``
    if c > first and not any(first <= h < c for h in heads):
        first = c + 1
        while first < last_head and (words[first] in _ORG_STOP or words[first] in R.ORG_CONNECTORS):
            first += 1
    end_i = last_head
    if (last_head + 2 < len(words) and words[last_head + 1] in ("of", "for", "on")
            and words[last_head + 2] not in R.LEADING_STOP):  # not "Press Club on Sunday"
        end_i = len(words) - 1
        # Bounded: words[last_head] is a head word, never a connector, so end_i stops there at the latest.
        while end_i > last_head and words[end_i] in R.ORG_CONNECTORS:
            end_i -= 1
    if end_i == first and not (end_i + 1 < len(words) and words[end_i + 1] in ("of", "for", "on")):
        return None  # a lone head word ("Police said") is an unnamed agent, not a name
    name_words = [R.strip_poss(w) if i == end_i else w for i, w in enumerate(words[first : end_i + 1], first)]
    s, e = toks[first][0], toks[end_i][1]
    if words[end_i] != name_words[-1]:
        e -= len(words[end_i]) - len(name_words[-1])
    head = R.governing_head(words, heads, last_head)
    cc = d.country_in(name_words)
    typ, role = R.classify_org(name_words, head, cc)
    return Org(s, e, None, name=" ".join(name_words), type=typ, role_code=role, cc=cc, source="pattern")


def widens(text: str, pattern: Org, d: Org) -> bool:
    """Whether a pattern organisation is a longer name around a company, union or party of the dictionary ("Tesla
    Inc", "Nigeria Labour Congress", "Peoples Democratic Party"): then the longer name is the mention. Not when
    the extra words join another name ("Barclays and Lloyds Banking Group") or the entry is an institution
    ("UN Interim Force in Lebanon" keeps its UN)."""
    if d.info is None or d.info.role_code not in R.WIDEN_ROLES or not (pattern.s <= d.s and d.e <= pattern.e):
        return False
    extra = text[pattern.s : d.s] + " " + text[d.e : pattern.e]
    return (pattern.s, pattern.e) != (d.s, d.e) and " and " not in extra and " & " not in extra


def link_acronyms(paragraphs: list[str], orgs_all: list[list[Org]], acronyms: dict[str, Org]) -> None:
    """Every later standalone "ACR" of an article-defined acronym is a mention of the long name's actor."""
    # Each alternative starts with its literal capital and only then looks behind it (for a letter, digit or
    # hyphen before the acronym): the leading letters let the regex engine skip ahead in C.
    alts = sorted(map(re.escape, acronyms), key=len, reverse=True)
    rx = re.compile("(" + "|".join(a[0] + r"(?<![\w\-].)" + a[1:] for a in alts) + r")(?![\w\-])")
    for p, text in enumerate(paragraphs):
        if not text:
            continue
        row = orgs_all[p]
        changed = False
        by_span = occ = None  # built on the first match: most paragraphs have none
        for m in rx.finditer(text):
            s, e = m.span()
            src = acronyms[m.group(1)]
            if by_span is None:
                by_span = {}
                for o in row:
                    by_span.setdefault((o.s, o.e), o)
                occ = Occupancy(len(text), ((o.s, o.e) for o in row))
            same = by_span.get((s, e))
            if same is not None:  # a dictionary reading of the same letters loses to the article's definition
                if src.info is not None and same.info is src.info:
                    continue
                row.remove(same)
            elif occ.hits(s, e):
                continue
            new = Org(s, e, src.info, src.name, src.type, src.role_code, src.cc, source="acronym-linked")
            row.append(new)
            by_span[(s, e)] = new
            occ.add(s, e)
            changed = True
        if changed:
            row.sort(key=BY_S)


# ---------------------------------------------------------------------------------------------------------------
# Names the context calls organisations

def cue_orgs(d: ActorDictionary, paragraphs: list[str], stage: OrgStage, places) -> dict[str, str | None]:
    """Capitalised names that the context calls a company, union or firm and no dictionary knows ("shares in
    Rivian", "an analyst at Jefferies", "Rivian, the electric carmaker,", "the IG Metall union"): name ->
    CAMEO role. Found once per article, so an earlier or later bare mention is the same organisation."""
    found: dict[str, str | None] = {}
    surname_memo: dict[str, bool] = {}
    place_names = {pm["text"] for row in places for pm in row} if places else set()
    for p, text in enumerate(paragraphs):
        if not text:
            continue
        cue_hits = stage.cues[p]
        first = R.ORG_CUE_APPOS.search(text)  # most paragraphs have none: no iterator, no list
        if first is None and not cue_hits:
            continue
        cues = ([(m.start(), "BUS") for m in R.ORG_CUE_APPOS.finditer(text, first.start())]
                if first is not None else [])
        pl = places[p] if places is not None and p < len(places) else ()
        # Everything a cued name must not overlap (organisations, places, dictionary hits), and where titles
        # end: indexed once per paragraph instead of scanned per cue.
        hits = stage.hits[p]
        taken = Occupancy(len(text), [*((o.s, o.e) for o in stage.orgs[p]), *((m["start"], m["end"]) for m in pl),
                                      *((h[0], h[1]) for h in hits)])
        role_ends = {h[1] for h in hits if h[2] == K_ROLE}
        ctx = (d, text, taken, role_ends, place_names, paragraphs, surname_memo)
        for hs, he, kind, idx in cue_hits:
            if kind == K_ROLE:
                idx = d.role_cue[idx]
            before, after = d.cue_words[idx][1]
            if before != "-":
                m = R.CUE_NAME_AFTER.match(text, he)
                if m is not None and (m.group(1) != "in" or d.cue_words[idx][0][0] in "si"):
                    _cue_candidate(ctx, m.start(2), m.end(2), before, found)
            if after != "-" and text[hs - 1 : hs] == " ":
                cues.append((hs - (3 if text[hs - 3 : hs] in ("'s ", "’s ") else 1), after))
        for at, role in cues:
            if at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "'’"):
                continue
            n = R.NAME_RUN_END.search(text, max(0, at - 80), at)
            if n is not None:
                stmt = role == "STATEMENT"
                _cue_candidate(ctx, n.start(1), n.end(1), None if stmt else role, found, statement=stmt)
    return found


def _cue_candidate(ctx, s: int, e: int, role: str | None, found: dict[str, str | None],
                   statement: bool = False) -> None:
    """Accept one cued name unless something else explains it: a stop word, country, place, role, title,
    known organisation or, for "X said in a statement", a person's name."""
    d, text, taken, role_ends, place_names, paragraphs, surname_memo = ctx
    words = text[s:e].split(" ")
    while words and (words[0] in R.LEADING_STOP or words[0] in R.ORG_CONNECTORS):
        s += len(words[0]) + 1
        words = words[1:]
    if not words or len(words) > 4:
        return
    core = R.strip_poss(words[-1])
    e -= len(words[-1]) - len(core)
    words[-1] = core
    name = " ".join(words)
    cw = d.country_words
    if (name in found or name in place_names or name in cw or any(w in cw or w in R.NOT_NAME for w in words)
            or all(w in R.INTL_WORDS or w in R.ORG_HEADS or w in R.LEADING_STOP for w in words)
            or taken.hits(s, e)):
        return
    if s - 1 in role_ends or s - 2 in role_ends:
        return  # "spokeswoman Hadiza Bello said in a statement": a title makes a person
    if statement and (len(words) > 2 or any(w in d.given_names for w in words)):
        return
    if statement:
        if name not in surname_memo:  # a scan of the whole article: once per name
            surname_memo[name] = R.is_surname(paragraphs, name)
        if surname_memo[name]:
            return
    found[name] = role


def with_cue_orgs(d: ActorDictionary, cued: dict[str, str | None], text: str, orgs: list[Org], places) -> list[Org]:
    """The paragraph's organisations plus every free mention of a cued organisation name."""
    extra = []
    taken = None  # organisations, places and the extra mentions so far; built on the first occurrence
    for name, role in cued.items():
        for s in R.find_word(text, name):
            e = s + len(name)
            if taken is None:
                taken = Occupancy(len(text), [*((o.s, o.e) for o in orgs),
                                              *((pm["start"], pm["end"]) for pm in places)])
            if not taken.hits(s, e):
                taken.add(s, e)
                extra.append(Org(s, e, None, name=name, type="ORGANIZATION", role_code=role,
                                 cc=d.country_in(name.split(" ")), source="cue"))
    return sorted(orgs + extra, key=BY_S) if extra else orgs


# ---------------------------------------------------------------------------------------------------------------
# Names found once the places are known: bare acronyms and teams named after their home place

def caps_words(given_names: frozenset[str], words: frozenset[str]) -> frozenset[str]:
    """Given names and everyday words as written in capitals: an all-capital token that is one of them is a name
    or word set in capitals ("BOB", "RACE"), not an acronym."""
    return frozenset(w.upper() for w in given_names | words if len(w) >= 3)


def late_orgs(d: ActorDictionary, text: str, orgs: list[Org], places, hits) -> list[Org]:
    """Organisations only the place results make safe, appended to ``orgs`` (which stays sorted):

    * a bare acronym no dictionary knows ("NCAA", "BWF", "ACLU"): news names most bodies by their letters, and
      an all-capital token of three or more characters that is no place, country word, role, roman numeral or
      common non-organisation abbreviation (``R.NOT_ORG_ACRONYMS``: "GDP", "CEO", "DVD") is one. Not in
      paragraphs written in capitals (headlines).
    * a team named after its home place ("Boston Bruins", "Quetta Gladiators", "Toronto Blue Jays"): a place
      followed by one or two capitalised words ending in a plural that is no landform ("Golan Heights").

    Why after places: an acronym that is a place ("USA", "NYC") or a place word inside a team name is decided by
    the place tagger first, so this never hides a place the way the early organisation stage does."""
    extra: list[Org] = []
    spans = None
    cw = d.country_words
    headline = None
    for m in R.BARE_ACRONYM.finditer(text):
        s, e = m.span()
        w = m.group()
        if headline is None:
            headline = text.upper() == text  # computed only for paragraphs with a candidate
        if headline:
            break
        if (w in R.NOT_ORG_ACRONYMS or w in cw or R.ROMAN.fullmatch(w) or sum(c.isupper() for c in w) < 2
                or len(w) < 3 or R.LETTER_DIGIT.search(w)):
            # a digit after letters makes a model, product or index ("EZ2DJ", "BEL20", "F16"), not a body
            continue
        if w in d.caps_words or R.CAPS_NEIGHBOUR.search(text, max(0, s - 4), s) or R.CAPS_NEXT.match(text, e):
            continue  # a word or name set in capitals ("HUMANITY", "BOB"), or one of a run of them
        if spans is None:
            spans = _late_taken(orgs, places, hits)
        if _overlaps(spans, s, e):
            continue
        spans.append((s, e))
        extra.append(Org(s, e, ActorInfo(w, "ORGANIZATION", None, None, None, R.make_id(w, "ORGANIZATION", None)),
                         name=w, type="ORGANIZATION", source="acronym"))
    for pm in places:
        pe = pm["end"]
        if text[pe : pe + 1] != " " or pm.get("kind") not in ("city", "admin1", "admin2"):
            continue
        m = R.TEAM_AFTER_PLACE.match(text, pe)
        if m is None:
            continue
        last = m.group(2) or m.group(1)
        if last in R.NOT_TEAM_PLURALS or last in R.NOT_NAME or last[:-1] in cw or last in cw:
            continue
        s, e = pm["start"], m.end()
        if spans is None:
            spans = _late_taken(orgs, places, hits)
        if _overlaps(spans, pe, e):
            continue
        spans.append((s, e))
        name = text[s:e]
        cc = pm.get("country_code")
        extra.append(Org(s, e, ActorInfo(name, "ORGANIZATION", None, cc, None, R.make_id(name, "ORGANIZATION", cc)),
                         name=name, type="ORGANIZATION", cc=cc, source="team"))
    return sorted(orgs + extra, key=BY_S) if extra else orgs


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Whether (s, e) overlaps any span: a plain scan, since a paragraph has few candidates and few spans."""
    for a, b in spans:
        if a < e and s < b:
            return True
    return False


def _late_taken(orgs: list[Org], places, hits) -> list[tuple[int, int]]:
    """What a late organisation must not overlap: organisations, places and every dictionary, role or agent hit."""
    return [*((o.s, o.e) for o in orgs), *((pm["start"], pm["end"]) for pm in places), *((h[0], h[1]) for h in hits)]
