"""Actor tagging: people with roles, organisations and armed groups, governments, security forces — typed and coded.

Why rules and dictionaries: users ask "who did what" over millions of paragraphs, offline. A statistical NER model
is optional (``newsbeam.tags.ner``); this tagger alone must run at corpus speed, so it is one Aho-Corasick pass per
paragraph (dictionary names, role words, unnamed agents), one compiled regex for capitalised sequences, and a little
Python per candidate.

How it decides, per article:

1. **Organisations first** (``organisation_spans``; ``tagging.py`` calls it before places, so "Balochistan Liberation
   Army" hides Balochistan): dictionary names, then capitalised sequences with a head word ("... Army", "Ministry of
   ...", "... Party", "... Bank") typed by ``actor_rules.classify_org``, then acronym definitions "Long Name (ACR)"
   whose later "ACR" mentions link to the long name's actor. A longer pattern name around a dictionary company
   wins ("Toyota Motor Corp"); a one-word company after a given name is a surname ("Doug Ford"). Then, once the
   places are known, names the context calls companies ("shares in X", "an analyst at X", "X, the carmaker,",
   "the X union", "X said in a statement") become organisations in every paragraph of the article.
2. **Governments**: a place mention that ``places.py`` marked ``metonymy`` ("Islamabad has denied") becomes a
   GOVERNMENT actor of its country with the same offsets; "the government" and "Pakistani authorities" join the
   same actor (identity ``<country>|GOVERNMENT|CC``).
3. **People**: a capitalised sequence is a person when a cue says so — a pre-title ("Interior Minister A B",
   "Gen. A B"), a role just before it ("security analyst A B", "BLA spokesman A B"), an apposition after it
   ("A B, the country's defence minister", "A B, a spokesman for C") — or, without a cue, when its first token is
   a known given name and nothing else (place, organisation, facility word) claims it. The role's country comes
   from a possessive ("Pakistan's foreign minister"), a demonym ("Pakistani"), a "<City>-based" prefix or the
   organisation the person speaks for; an official whose country is unstated gets the article's primary country.
   Later surname-only mentions ("Chaudhry said") link to the full name.
4. **Unnamed agents** ("security forces", "militants", "protesters"): typed from the dictionary, given the country
   of a demonym or place right before them, else the article's primary country.

Overlaps: organisations > governments by metonymy > dictionary people > people > unnamed agents; a later,
overlapping candidate is dropped. Every mention dict has exactly the ``schema.ACTOR`` keys.

User dictionaries (YAML; a list, or a mapping with key ``actors``; names and aliases match case-sensitively)::

    actors:
      - id: watch-omar-siddiqui        # becomes actor_id
        name: Omar Siddiqui
        aliases: [Siddiqui]
        type: PERSON                   # PERSON ORGANIZATION ARMED_GROUP GOVERNMENT SECURITY_FORCE GROUP MEDIA
        country: PK                    # ISO alpha-2, optional
        code: PAKREB                   # CAMEO-style, optional
        role: commander                # optional
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from newsbeam.output.schema import ACTOR, ACTOR_TYPES
from newsbeam.tags import actor_rules as R
from newsbeam.tags.given_names import load_given_names
from newsbeam.tags.spans import Occupancy
from newsbeam.tags.yaml_load import safe_load

DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # newsbeam/data
_CREDIT_LINE = re.compile(
    r"\s*[(\[]?\s*(?:additional |further )?(?:reporting|editing|writing|compiled|produced|translated|fact-checked|"
    r"graphics|photos?|video) (?:by|from)\b",
    re.IGNORECASE,
)
ACTOR_KEYS = tuple(f.name for f in ACTOR)
K_DICT, K_ROLE, K_AGENT, K_CUE = 0, 1, 2, 3
# Organisation types: these spans block places and win every overlap.
ORG_TYPES = frozenset(("ORGANIZATION", "ARMED_GROUP", "GOVERNMENT", "SECURITY_FORCE", "MEDIA"))
# Roles whose holder belongs to the article's country when no other country is stated.
STATE_ROLES = frozenset(("GOV", "MIL", "COP", "SPY", "JUD", "LEG", "OPP", "PTY"))
# Agents that are also adjectives ("police station", "government buildings"): skipped before these nouns.
ADJ_NOUNS = frozenset(
    "station stations checkpoint checkpoints post posts camp camps base bases convoy convoys vehicle vehicles truck "
    "trucks operation operations offensive chief chiefs headquarters building buildings office offices custody "
    "source sources statement statements raid raids patrol patrols unit units commander commanders helicopter "
    "helicopters jet jets aircraft drone drones hospital hospitals school schools leader leaders figures data policy "
    "policies spokesman spokeswoman spokesperson official officials employee employees officer officers "
    "installation installations facility facilities personnel academy ministry minister ministers spending "
    "budget job jobs contract contracts jeep uniform uniforms rule ruled regime court courts action investigation "
    "inquiry report reports records record property land lands debt bonds bond crackdown response presence "
    "control centre center agency agencies department".split()
)
# Lower-case nouns after which a one-word dictionary company is a place ("the Amazon rainforest").
GEO_NOUNS = frozenset("rainforest forest river basin region jungle delta valley basin coast".split())
# Dictionary roles whose names a longer pattern name may contain ("Toyota Motor Corp", "Labour Party").
WIDEN_ROLES = frozenset(("BUS", "LAB", "PTY"))
# International codes: a person speaking for such a body has no country of their own.
INTL_CODES = ("IGO", "NGO", "IMG")
CONTEXT_COUNTRY = re.compile(r"(?:the )?(?:country|nation|state|province|region|government)['’]s $")
APPOS_START = re.compile(r", (?:(?:who is|who was|who heads|now|then) )?(?:(?:the|a|an) )?")
_DICT_LOCK = threading.Lock()


@dataclass
class ActorResult:
    mentions: list[list[dict]]
    article_actors: list[dict]
    counts: Counter = field(default_factory=Counter)


@dataclass
class _Info:
    """What an actor is: everything in a mention except its offsets."""

    name: str
    type: str
    role: str | None
    country_code: str | None
    code: str | None
    actor_id: str
    role_code: str | None = None  # CAMEO role, kept to recode when the country is filled in later


@dataclass
class _Org:
    s: int
    e: int
    info: _Info | None  # None: a pattern organisation whose country waits for the article's primary country
    name: str = ""
    type: str = ""
    role_code: str | None = None
    cc: str | None = None
    source: str = "dictionary"


class ActorTagger:
    def __init__(self, user_dictionaries: tuple[str, ...] = ()):
        base = _read_yaml(DATA_DIR / "actors.yaml")
        entries = [_entry(e, "actors.yaml") for e in base.get("actors") or []]
        for path in user_dictionaries:
            entries.extend(load_user_dictionary(path))
        self.entries: list[_Info] = []
        self._roles: list[tuple[str, str | None]] = []  # (role text, CAMEO role or None)
        self._agents: list[tuple[str, str, str]] = []  # (canonical name, type, CAMEO role)
        self._qualified: set[int] = set()  # agents that need a demonym or country before them
        self._auto = ahocorasick.Automaton()
        keys: dict[str, tuple[int, int]] = {}
        # Later user entries override built-in ones with the same name.
        for e in entries:
            idx = len(self.entries)
            self.entries.append(e.pop("info"))
            for k in e["keys"]:
                keys[k] = (K_DICT, idx)
        for code, words in (base.get("roles") or {}).items():
            for w in words:
                idx = len(self._roles)
                self._roles.append((w.lower().rstrip("."), None if code == "-" else code))
                for k in _case_forms(str(w)):
                    keys.setdefault(k, (K_ROLE, idx))
        for a in base.get("agents") or []:
            idx = len(self._agents)
            self._agents.append((a["name"], a["type"], a["code"]))
            if a.get("qualified"):
                self._qualified.add(idx)
            for f in a["forms"]:
                for k in _case_forms(f):
                    keys.setdefault(k, (K_AGENT, idx))
        # Organisation cue words ("shares", "analyst"): their own keys, or the role entry they share a key with.
        self._cue_words = list(R.CUE_WORDS.items())
        cue_idx = {w: i for i, (w, _) in enumerate(self._cue_words)}
        self._role_cue = {i: cue_idx[r] for i, (r, _) in enumerate(self._roles) if r in cue_idx}
        for w, i in cue_idx.items():
            for k in _case_forms(w):
                keys.setdefault(k, (K_CUE, i))
        for k, (kind, idx) in keys.items():
            self._auto.add_word(k, (len(k), kind, idx))
        self._auto.make_automaton()
        # US Census names, the dictionary's own list and faker's international names (``given_names.py``).
        self.given_names = frozenset(_read_lines(DATA_DIR / "first_names.txt")) | frozenset(
            base.get("given_names") or ()) | load_given_names()
        self.country_words = _country_words()
        # First words of country names, also with a possessive: a name can only contain a country where one of
        # its words is one of these ("Northern" of "Northern Ireland", "Nigeria's").
        firsts = {k.split(" ")[0] for k in self.country_words}
        self._country_firsts = frozenset(firsts | {f + p for f in firsts for p in ("'s", "’s")})
        self._org_stop = R.LEADING_STOP - frozenset(R.ORG_HEADS) - {"Police", "Army", "Military", "Government"}
        self._local = threading.local()
        self._gov_cache: dict[str | None, _Info] = {}
        self._role_country = {i: R.ROLE_COUNTRY[r] for i, (r, _) in enumerate(self._roles) if r in R.ROLE_COUNTRY}
        self._agent_cache: dict[tuple[int, str | None], _Info] = {}

    # -- shared identities ------------------------------------------------------------------------------------

    def _government(self, cc: str | None) -> _Info:
        """The government of a country: one identity for "Islamabad has denied", "the government" and
        "Pakistani authorities" (memoised: identities are immutable)."""
        info = self._gov_cache.get(cc)
        if info is None:
            name = R.country_name(cc) if cc else "government"
            info = _Info(name, "GOVERNMENT", None, cc, R.make_code(cc, "GOV"), R.make_id(name, "GOVERNMENT", cc), "GOV")
            self._gov_cache[cc] = info
        return info

    def _agent_info(self, idx: int, cc: str | None) -> _Info:
        key = (idx, cc)
        info = self._agent_cache.get(key)
        if info is None:
            name, typ, role_code = self._agents[idx]
            info = _Info(name, typ, None, cc, R.make_code(cc, role_code), R.make_id(name, typ, cc), role_code)
            self._agent_cache[key] = info
        return info

    # -- matching ---------------------------------------------------------------------------------------------

    def _scan(self, text: str, cues: list | None = None) -> list[tuple[int, int, int, int]]:
        """Longest dictionary / role / agent matches at word boundaries: (start, end, kind, index); organisation
        cue words ("shares", "analyst") are also appended to ``cues``."""
        out = []
        n = len(text)
        if cues is None:
            cues = []
        role_cue = self._role_cue
        for end, (length, kind, idx) in self._auto.iter_long(text):
            s = end - length + 1
            if s > 0:
                c = text[s - 1]
                if c.isalnum() or c == "_" or c == "-":
                    continue
            end += 1
            if end < n:
                c = text[end]
                if c.isalnum() or c == "_" or (c == "-" and text[end - 1] != "."):
                    continue
            out.append((s, end, kind, idx))
            if kind == K_CUE or kind == K_ROLE and idx in role_cue:
                cues.append((s, end, kind, idx))
        return out

    # -- organisations ----------------------------------------------------------------------------------------

    def organisation_spans(self, paragraphs: list[str]) -> list[list[tuple[int, int]]]:
        """Spans of organisation and armed-group names per paragraph, for the place tagger to block."""
        orgs = self._org_stage(paragraphs)[0]
        return [[(o.s, o.e) for o in row] for row in orgs]

    def _org_stage(self, paragraphs: list[str]):
        """Organisations per paragraph plus the scans they came from; memoised for the article being tagged
        (``tagging.py`` asks for the spans first, then tags the same list)."""
        memo = getattr(self._local, "memo", None)
        if memo is not None and memo[0] is paragraphs and memo[1] == paragraphs:
            return memo[2]
        hits_all, seqs_all, orgs_all, cues_all = [], [], [], []
        acronyms: dict[str, _Org] = {}
        for text in paragraphs:
            cues: list = []
            hits = self._scan(text, cues) if text else []
            cues_all.append(cues)
            seqs = [m.span() for m in R.SEQ_RE.finditer(text)] if text else []
            orgs = self._orgs_in(text, hits, seqs, acronyms)
            hits_all.append(hits)
            seqs_all.append(seqs)
            orgs_all.append(orgs)
        if acronyms:
            self._link_acronyms(paragraphs, orgs_all, acronyms)
        result = (orgs_all, hits_all, seqs_all, cues_all)
        self._local.memo = (paragraphs, list(paragraphs), result)
        return result

    def _orgs_in(self, text: str, hits, seqs, acronyms: dict[str, _Org]) -> list[_Org]:
        orgs: list[_Org] = []
        entries = self.entries
        for s, e, kind, idx in hits:
            if kind == K_DICT and entries[idx].type in ORG_TYPES and not self._dict_org_vetoed(text, s, e):
                orgs.append(_Org(s, e, entries[idx]))
        # Dictionary organisations come from one leftmost-longest pass: sorted and never overlapping, so the ones a
        # pattern organisation overlaps are found by bisection (a scan of all of them per pattern was quadratic in
        # the paragraph's length). Pattern organisations never overlap each other (sequences are disjoint).
        dict_orgs, starts, dropped = orgs, [o.s for o in orgs], set()
        patterns: list[_Org] = []
        for ss, se in seqs:
            for org in self._pattern_orgs(text, ss, se):
                j = i = bisect.bisect_left(starts, org.e)
                while j > 0 and dict_orgs[j - 1].e > org.s:
                    j -= 1
                inner = [o for o in dict_orgs[j:i] if id(o) not in dropped]
                if inner and all(_widens(text, org, o) for o in inner):
                    dropped.update(id(o) for o in inner)
                    if inner[0].s == org.s:  # "Tesla Inc" is Tesla: the entry's country
                        org.cc = org.cc or inner[0].info.country_code
                    inner = []
                if not inner:
                    patterns.append(org)
        orgs = [o for o in dict_orgs if id(o) not in dropped] + patterns if dropped or patterns else dict_orgs
        if len(orgs) > 1:
            orgs.sort(key=_BY_S)
        for o in orgs:
            m = R.ACRONYM_DEF_RE.match(text, o.e)
            if m and sum(c.isupper() for c in m.group(1)) >= 2:
                acr = m.group(1)
                if acr not in acronyms or acronyms[acr].info is None or o.info is not None:
                    acronyms[acr] = o
        return orgs

    def _dict_org_vetoed(self, text: str, s: int, e: int) -> bool:
        """A one-word dictionary organisation that is really part of something else: a surname after a given name
        ("Doug Ford", "Michael Dell") or a geographic name before a landform noun ("Amazon rainforest")."""
        if " " in text[s:e]:
            return False
        if s > 1 and text[s - 1] == " " and text[s - 2].isalpha():
            if text[text.rfind(" ", 0, s - 1) + 1 : s - 1] in self.given_names:
                return True
        m = _NEXT_WORD.match(text, e) if text[e : e + 1] == " " else None
        return m is not None and m.group(1) in GEO_NOUNS

    def _pattern_orgs(self, text: str, ss: int, se: int) -> list[_Org]:
        """Organisations in a capitalised sequence; "and" after a complete name starts another one ("the Army
        and the Ministry of Interior"), "and" inside a complement does not ("Ministry of Interior and Justice")."""
        words = text[ss:se].split(" ")
        if not _any_head(words):
            return []
        toks = []
        a = ss
        for w in words:
            toks.append((a, a + len(w)))
            a += len(w) + 1
        out = []
        lo = 0
        for i, w in enumerate(words):
            if (w == "and" or w == "&") and i and _strip_poss(words[i - 1]) in R.ORG_HEADS:
                org = self._pattern_org(words[lo:i], toks[lo:i])
                if org is not None:
                    out.append(org)
                lo = i + 1
        org = self._pattern_org(words[lo:], toks[lo:])
        if org is not None:
            out.append(org)
        return out

    def _pattern_org(self, words: list[str], toks: list[tuple[int, int]]) -> _Org | None:
        """An organisation in a run of capitalised words: from its first significant word to its last head word
        (or the end of the head's "of ..." complement)."""
        heads = _heads(words)
        if not heads:
            return None
        first = 0
        while first < len(words) and (words[first] in self._org_stop or words[first] in R.ORG_CONNECTORS):  # +1
            first += 1
        last_head = heads[-1]
        if last_head < first:
            return None
        end_i = last_head
        if (last_head + 2 < len(words) and words[last_head + 1] in ("of", "for", "on")
                and words[last_head + 2] not in R.LEADING_STOP):  # not "Press Club on Sunday"
            end_i = len(words) - 1
            # Bounded: words[last_head] is a head word, never a connector, so end_i stops there at the latest.
            while end_i > last_head and words[end_i] in R.ORG_CONNECTORS:
                end_i -= 1
        if end_i == first and not (end_i + 1 < len(words) and words[end_i + 1] in ("of", "for", "on")):
            return None  # a lone head word ("Police said") is an unnamed agent, not a name
        name_words = [_strip_poss(w) if i == end_i else w for i, w in enumerate(words[first : end_i + 1], first)]
        s, e = toks[first][0], toks[end_i][1]
        if words[end_i] != name_words[-1]:
            e -= len(words[end_i]) - len(name_words[-1])
        head = _governing_head(words, heads, last_head)
        cc = self._country_in(name_words)
        typ, role = R.classify_org(name_words, head, cc)
        return _Org(s, e, None, name=" ".join(name_words), type=typ, role_code=role, cc=cc, source="pattern")

    def _country_in(self, words: list[str]) -> str | None:
        """The first country named inside a name, longest form first ("Northern Ireland" before "Ireland")."""
        firsts = self._country_firsts
        if firsts.isdisjoint(words):
            return None  # no word can start a country name: skip the joins
        cw = self.country_words
        for i in range(len(words)):
            if words[i] not in firsts:
                continue
            for k in (3, 2, 1):
                if i + k <= len(words):
                    cc = cw.get(_strip_poss(" ".join(words[i : i + k])))
                    if cc:
                        return cc
        return None

    def _link_acronyms(self, paragraphs: list[str], orgs_all: list[list[_Org]], acronyms: dict[str, _Org]) -> None:
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
                new = _Org(s, e, src.info, src.name, src.type, src.role_code, src.cc, source="acronym-linked")
                row.append(new)
                by_span[(s, e)] = new
                occ.add(s, e)
                changed = True
            if changed:
                row.sort(key=_BY_S)

    # -- the article ------------------------------------------------------------------------------------------

    def tag_article(
        self,
        paragraphs: list[str],
        places: Sequence[Sequence[dict]],
        demonyms: Sequence[Sequence[dict]],
        primary_country: str | None,
        org_spans: list[list[tuple[int, int]]] | None = None,
    ) -> ActorResult:
        orgs_all, hits_all, seqs_all, cues_all = self._org_stage(paragraphs)
        counts: Counter = Counter()
        if primary_country is None:
            primary_country = self._country_from_actors(orgs_all, hits_all)
            if primary_country is not None:
                counts["actors-article-country-from-actors"] += 1
        art = _Article(self, primary_country, counts)
        art.cue_orgs = self._cue_orgs(paragraphs, hits_all, cues_all, orgs_all, places)
        n = len(paragraphs)
        out: list[list[dict]] = [[] for _ in range(n)]
        for p, text in enumerate(paragraphs):
            if not text:
                continue
            pl = places[p] if p < len(places) else ()
            dm = demonyms[p] if p < len(demonyms) else ()
            out[p] = art.paragraph(p, text, orgs_all[p], hits_all[p], seqs_all[p], pl, dm)
        art.link_surnames(paragraphs, out)
        tally: dict[str, int] = {}  # counted locally, then added in first-seen order (as one by one would)
        for row in out:
            for m in row:
                key = _TYPE_COUNT_KEY.get(m["type"])
                if key is None:
                    key = _TYPE_COUNT_KEY.setdefault(m["type"], "actors-" + m["type"].lower().replace("_", "-"))
                tally[key] = tally.get(key, 0) + 1
        for key, k in tally.items():
            counts[key] += k
        return ActorResult(out, roll_up(out), counts)


    def _cue_orgs(self, paragraphs: list[str], hits_all, cues_all, orgs_all, places) -> dict[str, str | None]:
        """Capitalised names that the context calls a company, union or firm and no dictionary knows ("shares in
        Rivian", "an analyst at Jefferies", "Rivian, the electric carmaker,", "the IG Metall union"): name ->
        CAMEO role. Found once per article, so an earlier or later bare mention is the same organisation."""
        found: dict[str, str | None] = {}
        surname_memo: dict[str, bool] = {}
        place_names = {pm["text"] for row in places for pm in row} if places else set()
        for p, text in enumerate(paragraphs):
            if not text:
                continue
            cue_hits = cues_all[p]
            first = R.ORG_CUE_APPOS.search(text)  # most paragraphs have none: no iterator, no list
            if first is None and not cue_hits:
                continue
            cues = ([(m.start(), "BUS") for m in R.ORG_CUE_APPOS.finditer(text, first.start())]
                    if first is not None else [])
            pl = places[p] if places is not None and p < len(places) else ()
            # Everything a cued name must not overlap (organisations, places, dictionary hits), and where titles
            # end: indexed once per paragraph instead of scanned per cue.
            hits = hits_all[p]
            taken = Occupancy(len(text), [*((o.s, o.e) for o in orgs_all[p]), *((m["start"], m["end"]) for m in pl),
                                          *((h[0], h[1]) for h in hits)])
            role_ends = {h[1] for h in hits if h[2] == K_ROLE}
            ctx = (text, taken, role_ends, place_names, paragraphs, surname_memo)
            for hs, he, kind, idx in cue_hits:
                if kind == K_ROLE:
                    idx = self._role_cue[idx]
                before, after = self._cue_words[idx][1]
                if before != "-":
                    m = R.CUE_NAME_AFTER.match(text, he)
                    if m is not None and (m.group(1) != "in" or self._cue_words[idx][0][0] in "si"):
                        self._cue_candidate(ctx, m.start(2), m.end(2), before, found)
                if after != "-" and text[hs - 1 : hs] == " ":
                    cues.append((hs - (3 if text[hs - 3 : hs] in ("'s ", "’s ") else 1), after))
            for at, role in cues:
                if at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "'’"):
                    continue
                n = R.NAME_RUN_END.search(text, max(0, at - 80), at)
                if n is not None:
                    stmt = role == "STATEMENT"
                    self._cue_candidate(ctx, n.start(1), n.end(1), None if stmt else role, found, statement=stmt)
        return found

    def _cue_candidate(self, ctx, s: int, e: int, role: str | None, found: dict[str, str | None],
                       statement: bool = False) -> None:
        """Accept one cued name unless something else explains it: a stop word, country, place, role, title,
        known organisation or, for "X said in a statement", a person's name."""
        text, taken, role_ends, place_names, paragraphs, surname_memo = ctx
        words = text[s:e].split(" ")
        while words and (words[0] in R.LEADING_STOP or words[0] in R.ORG_CONNECTORS):
            s += len(words[0]) + 1
            words = words[1:]
        if not words or len(words) > 4:
            return
        core = _strip_poss(words[-1])
        e -= len(words[-1]) - len(core)
        words[-1] = core
        name = " ".join(words)
        cw = self.country_words
        if (name in found or name in place_names or name in cw or any(w in cw or w in R.NOT_NAME for w in words)
                or all(w in R.INTL_WORDS or w in R.ORG_HEADS or w in R.LEADING_STOP for w in words)
                or taken.hits(s, e)):
            return
        if s - 1 in role_ends or s - 2 in role_ends:
            return  # "spokeswoman Hadiza Bello said in a statement": a title makes a person
        if statement and (len(words) > 2 or any(w in self.given_names for w in words)):
            return
        if statement:
            if name not in surname_memo:  # a scan of the whole article: once per name
                surname_memo[name] = _is_surname(paragraphs, name)
            if surname_memo[name]:
                return
        found[name] = role

    def _country_from_actors(self, orgs_all: list[list[_Org]], hits_all) -> str | None:
        """An article without places still has a country when its institutions say so: dictionary state bodies,
        armed groups and parties ("Downing Street"), and roles tied to one country ("Home Secretary"). News
        outlets and international bodies say nothing about where the story is."""
        votes: Counter = Counter()
        for row in orgs_all:
            for o in row:
                if o.info is not None and o.info.country_code and o.info.type != "MEDIA":
                    votes[o.info.country_code] += 1
        for hits in hits_all:
            for _s, _e, kind, idx in hits:
                if kind == K_ROLE and idx in self._role_country:
                    votes[self._role_country[idx]] += 1
        if not votes:
            return None
        (cc, n), *rest = votes.most_common(2)
        return cc if not rest or rest[0][1] < n else None


class _Article:
    """Per-article state: people found so far (for surname links) and the article's country."""

    def __init__(self, tagger: ActorTagger, primary: str | None, counts: Counter):
        self.t = tagger
        self.primary = primary
        self.counts = counts
        self.people: dict[str, _Info] = {}  # full name -> info
        self.meto_seen: list[tuple[int, int, str | None]] = []  # (para, start, country) of acting governments
        self.last_role: tuple[str | None, str | None] | None = None  # (role text, CAMEO role) of the last official
        self.single: list[tuple[int, dict]] = []  # single-token title mentions to relink
        self.cue_orgs: dict[str, str | None] = {}  # names the context calls organisations -> CAMEO role

    # -- one paragraph ----------------------------------------------------------------------------------------

    def paragraph(self, p: int, text: str, orgs: list[_Org], hits, seqs, places, demonyms) -> list[dict]:
        if _CREDIT_LINE.match(text):
            # "Reporting by A in B; Editing by C": the newsroom's staff, not actors of the story.
            self.counts["actors-credit-line-skipped"] += 1
            return []
        taken = Occupancy(len(text))
        out: list[dict] = []
        org_info: dict[tuple[int, int], _Info] = {}
        if self.cue_orgs:
            orgs = self._with_cue_orgs(text, orgs, places)
        for o in orgs:
            info = o.info if o.info is not None else self._pattern_info(o)
            org_info[(o.s, o.e)] = info
            out.append(_mention(text, o.s, o.e, info))
            taken.add(o.s, o.e)
            self.counts["actors-" + o.source] += 1
        for m in places:
            if m.get("metonymy") and m.get("country_code") and not taken.hits(m["start"], m["end"]):
                info = self.government(m["country_code"])
                self.meto_seen.append((p, m["start"], info.country_code))
                out.append(_mention(text, m["start"], m["end"], info))
                taken.add(m["start"], m["end"])
                self.counts["actors-government-metonymy"] += 1
        if not seqs and not hits:
            return out
        ctx = _Context(text, hits, places, demonyms, org_info, p)
        entries = self.t.entries
        for s, e, kind, idx in hits:  # user-dictionary people and any other non-organisation entries
            if kind == K_DICT and entries[idx].type not in ORG_TYPES and not taken.hits(s, e):
                info = entries[idx]
                out.append(_mention(text, s, e, info))
                taken.add(s, e)
                if info.type == "PERSON":
                    self.people.setdefault(info.name, info)
                self.counts["actors-dictionary"] += 1
        for s, e, info in self._people(text, seqs, hits, taken, ctx):
            out.append(_mention(text, s, e, info))
            taken.add(s, e)
        for s, e, info in self._agents(text, hits, taken, ctx):
            out.append(_mention(text, s, e, info))
            taken.add(s, e)
            self.counts["actors-unnamed-agent"] += 1
        if len(out) > 1:
            out.sort(key=_BY_START)
        return out

    def _with_cue_orgs(self, text: str, orgs: list[_Org], places) -> list[_Org]:
        """The paragraph's organisations plus every free mention of a cued organisation name."""
        extra = []
        taken = None  # organisations, places and the extra mentions so far; built on the first occurrence
        for name, role in self.cue_orgs.items():
            for s in _find_word(text, name):
                e = s + len(name)
                if taken is None:
                    taken = Occupancy(len(text), [*((o.s, o.e) for o in orgs),
                                                  *((pm["start"], pm["end"]) for pm in places)])
                if not taken.hits(s, e):
                    taken.add(s, e)
                    extra.append(_Org(s, e, None, name=name, type="ORGANIZATION", role_code=role,
                                      cc=self.t._country_in(name.split(" ")), source="cue"))
        return sorted(orgs + extra, key=_BY_S) if extra else orgs

    def _pattern_info(self, o: _Org) -> _Info:
        """A pattern organisation belongs to the country in its name, else to the article's country: state
        bodies and armed groups always, other bodies unless their name says they are international."""
        cc = o.cc
        if cc is None and (o.type in ("GOVERNMENT", "SECURITY_FORCE", "ARMED_GROUP") or o.role_code in STATE_ROLES
                           or not R.INTL_WORDS.intersection(o.name.split())):
            cc = self.primary
        return _Info(o.name, o.type, None, cc, R.make_code(cc, o.role_code), R.make_id(o.name, o.type, cc),
                     o.role_code)

    def government(self, cc: str | None) -> _Info:
        return self.t._government(cc)

    # -- people -----------------------------------------------------------------------------------------------

    def _people(self, text: str, seqs, hits, taken, ctx: _Context):
        t = self.t
        role_at_start = {s: (e, idx) for s, e, kind, idx in hits if kind == K_ROLE} if seqs else {}
        found: list[tuple[int, int, _Info]] = []
        for ss, se in seqs:
            if taken.inside(ss, se):
                continue
            for piece in _pieces(text, ss, se, taken):
                if len(piece) == 1 and piece[0][0] not in role_at_start:
                    continue  # one word and no title: never a person on its own (``_person`` says None)
                r = self._person(text, piece, role_at_start, ctx)
                if r is not None:
                    found.append(r)
        found_at = Occupancy(len(text), ((a, b) for a, b, _ in found))
        # Title + one capitalised word: "President Ruto", "Gen. Munir", "Mr. Chaudhry".
        for s, e, kind, idx in hits:
            if kind != K_ROLE or not text[s].isupper() or text[e : e + 1] != " ":
                continue
            m = _ONE_TOKEN.match(text, e)
            if not m:
                continue
            ts, te = m.span(1)
            word = text[ts:te]
            if (word in R.LEADING_STOP or word in R.NOT_NAME or word in t.country_words or taken.hits(ts, te)
                    or found_at.covered(ts) or ctx.place_at(ts, te)):
                continue
            info = self._person_info(word, s, e, idx, ts, te, text, ctx, title_only=True)
            found.append((ts, te, info))
            found_at.add(ts, te)
        if len(found) > 1:
            found.sort(key=_FIRST)
        kept = []
        for s, e, info in found:
            # ``found`` is sorted by start and ``kept`` never overlaps itself, so a span overlaps a kept one
            # exactly when it starts before the end of the last one kept.
            if not taken.hits(s, e) and not (kept and s < kept[-1][1]):
                kept.append((s, e, info))
                if " " in info.name:
                    self.people.setdefault(info.name, info)
                self.counts["actors-person-" + ("cue" if info.role else "name")] += 1
        return kept

    def _person(self, text: str, piece: list[tuple[int, int]], role_at_start, ctx: _Context):
        """A person in one piece of a capitalised sequence, after stripping leading stop words and titles."""
        t = self.t
        role = None  # (start, end, role index) of a title inside the sequence
        cc_hint = None
        i = 0
        cw = t.country_words
        demonym_at = None if ctx._no_geo else ctx.demonym_at
        leading_stop = R.LEADING_STOP
        # Invariant: every pass of this loop either moves ``i`` forward by at least one token or leaves it. A
        # title is consumed with every token that starts before the title's end: the title's own first token
        # always (it starts at ``a`` < its end), and the token it ends inside ("President's" for the title
        # "President"), which the earlier ``piece[i][1] <= end`` test never consumed, so it looped for ever.
        while i < len(piece):
            a, b = piece[i]
            w = text[a:b]
            r = role_at_start.get(a)
            if r is not None and r[0] <= piece[-1][1]:
                role = (a, r[0], r[1])
                i += 1
                while i < len(piece) and piece[i][0] < r[0]:
                    i += 1
                continue
            d = demonym_at(a, b) if demonym_at is not None else None
            if d is not None or w in cw:
                cc_hint = d or cw[w]
                i += 1
                continue
            if w in leading_stop:
                i += 1
                continue
            break
        toks = piece[i:]
        if not toks or role is None and len(toks) == 1:
            return None
        s, e = toks[0][0], toks[-1][1]
        said = role is None and _SAID_AFTER.match(text, e) is not None
        if (role is None and text[toks[0][0] : toks[0][1]] not in t.given_names and text[e : e + 1] != ","
                and not ctx.hits_ending(s - 1) and text[s:e] not in self.people and not said
                and text[s - 2 : s] != ", " and text[e : e + 4] != " as "):
            return None  # no title, no given name, no apposition, no role before: not a person (fast path)
        last = text[toks[-1][0] : e]
        core = _strip_poss(last)
        e -= len(last) - len(core)
        words = [text[a:b] for a, b in toks[:-1]] + [core]
        if len(words) > 4 or len(words) == 1 and role is None:
            return None
        if not _NOT_PERSON_WORDS.isdisjoint(words):
            return None
        if len(words) == 1:
            if ctx.place_at(s, e):
                return None
            return s, e, self._person_info(words[0], role[0], role[1], role[2], s, e, text, ctx, cc_hint=cc_hint)
        name = " ".join(words)
        has_place = ctx.place_overlap(s, e)
        if role is not None:
            return s, e, self._person_info(name, role[0], role[1], role[2], s, e, text, ctx, cc_hint=cc_hint)
        info = self._cued(name, s, e, text, ctx)
        if info is not None:
            return s, e, info
        if name in self.people:
            return s, e, self.people[name]
        full = self._full_name_ending(name)
        if full is not None:
            return s, e, full  # "García Harfuch" after "Omar García Harfuch"
        if has_place or words[-1] in t.country_words:
            return None
        if words[0] not in t.given_names and not (said and len(words) <= 3 and self._name_like(words)):
            return None
        cc = self.primary
        return s, e, _Info(name, "PERSON", None, cc, None, R.make_id(name, "PERSON", cc))

    def _name_like(self, words: list[str]) -> bool:
        """Capitalised words before "said"/"told" that could be a person's name: no country word, no all-caps
        acronym, no word the dictionary or the organisation heads claim."""
        cw = self.t.country_words
        return all(not w.isupper() and w not in cw and not w.endswith(".") for w in words)

    def _full_name_ending(self, name: str) -> _Info | None:
        """A full name of this article that ends with ``name`` (a two-word surname's later mention)."""
        tail = " " + name
        hits = [i for n, i in self.people.items() if n.endswith(tail)]
        return hits[0] if len(hits) == 1 else None

    def _cued(self, name: str, s: int, e: int, text: str, ctx: _Context) -> _Info | None:
        """A role just before the name ("security analyst A B") or in an apposition after it ("A B, the ...")."""
        j = s - 1
        if j > 0 and text[j] == " ":
            for rs, re_, kind, idx in ctx.hits_ending(j):
                if kind == K_ROLE:
                    return self._person_info(name, rs, re_, idx, s, e, text, ctx)
        if j > 1 and text[j - 1] == ",":  # "the regional governor, Alexander Bogomaz, said"
            for rs, re_, kind, idx in ctx.hits_ending(j - 1):
                if kind == K_ROLE and text[rs].islower():
                    return self._person_info(name, rs, re_, idx, s, e, text, ctx)
        m = _AS_ROLE.match(text, e)
        if m:  # "confirmed Pete Hegseth as defense secretary"
            for rs, re_, kind, idx in ctx.hits_between(m.end(), m.end() + 40):
                if kind == K_ROLE and rs == m.end():
                    return self._person_info(name, rs, re_, idx, s, e, text, ctx)
        m = APPOS_START.match(text, e)
        if m:
            stop = _clause_end(text, m.end())
            for rs, re_, kind, idx in ctx.hits_between(m.end(), stop):
                if kind == K_ROLE and rs - m.end() <= 40:
                    return self._person_info(name, rs, re_, idx, s, e, text, ctx, appos=(m.end(), stop))
        return None

    def _person_info(self, name: str, rs: int, re_: int, ridx: int, s: int, e: int, text: str, ctx: _Context,
                     cc_hint: str | None = None, appos: tuple[int, int] | None = None,
                     title_only: bool = False) -> _Info:
        """Role, country and code of a person from the role words and what stands around them."""
        t = self.t
        role_text, role_code = t._roles[ridx]
        if appos is not None:
            role_text = _role_phrase(text, appos[0], re_) or role_text
        cc = cc_hint
        org = None
        lo = appos[0] if appos is not None else max(0, rs - 60)
        cc = cc or ctx.country_before(rs, lo, self.primary)
        if cc is None or appos is not None:
            org = ctx.org_after(re_, appos[1] if appos else re_ + 12) or ctx.org_before(rs)
            if cc is None and appos is not None:
                cc = ctx.country_after(re_, appos[1])
        intl = None
        if org is not None:
            if org.country_code is None and org.code and org.code.startswith(INTL_CODES) and cc_hint is None:
                intl = org.code[:3]  # "the UN special envoy", "a spokesman for the CPJ": no country of their own
                cc = None
            cc = cc or org.country_code
            if role_code is None and org.code:
                role_code = org.role_code or _role_of_code(org.code)
        if role_text == "counterpart" and self.last_role is not None:
            role_text, role_code = self.last_role  # "his German counterpart": the same office elsewhere
        if cc is None and intl is None:
            cc = self._implied_country(ridx, role_code, rs, ctx)
        if role_code in STATE_ROLES and role_text:
            self.last_role = (role_text, role_code)
        if intl is not None:
            code = intl
        else:
            code = R.make_code(cc, role_code) if role_code else None
        if role_text in ("mr", "mrs", "ms", "sir", "dame"):
            role_text = None
        info = self.people.get(name)
        if info is not None and not title_only:
            return info
        return _Info(name, "PERSON", role_text, cc, code, R.make_id(name, "PERSON", cc), role_code)

    def _implied_country(self, ridx: int, role_code: str | None, rs: int, ctx: _Context) -> str | None:
        """The country of a person whose text names none: an official takes the government acting just before
        in the same paragraph ("Kyiv said ... President Zelensky urged"), a role tied to one country's
        institutions its country when the article has none ("Home Secretary"), anyone else the article's."""
        if role_code in STATE_ROLES:
            near = [cc for p, st, cc in self.meto_seen if p == ctx.para and st < rs]
            if near and near[-1]:
                return near[-1]
        cc = self.primary or self.t._role_country.get(ridx)
        if cc is not None:
            self.counts["actors-person-country-from-article"] += 1
        return cc

    def link_surnames(self, paragraphs: list[str], out: list[list[dict]]) -> None:
        """Surname-only mentions ("Chaudhry said", "President Ruto") take the full name's identity."""
        by_surname: dict[str, _Info | None] = {}
        for name, info in self.people.items():
            sur = name.split()[-1]
            keys = [sur]
            if _NAME_PREFIX.match(sur):  # "al-Burhan" is also "Burhan"
                keys.append(sur[sur.index("-") + 1 :])
            for k in keys:
                by_surname[k] = None if k in by_surname and by_surname[k] is not info else info
        by_surname = {k: v for k, v in by_surname.items() if v is not None}
        if not by_surname:
            return
        for row in out:
            for m in row:
                if m["type"] == "PERSON" and " " not in m["name"] and m["name"] in by_surname:
                    full = by_surname[m["name"]]
                    _relink(m, full)
                    self.counts["actors-surname-linked"] += 1
        # All surnames found in one automaton pass per paragraph: a search of the paragraph per surname was
        # quadratic in long articles (they name more people).
        auto = ahocorasick.Automaton()
        for sur in by_surname:
            auto.add_word(sur, sur)
        auto.make_automaton()
        for p, text in enumerate(paragraphs):
            if not text:
                continue
            row = out[p]
            added = False
            row_at = None
            present: dict[str, list[int]] = {}
            for end, sur in auto.iter(text):
                present.setdefault(sur, []).append(end - len(sur) + 1)
            for sur, full in by_surname.items():
                if sur not in present:
                    continue
                if row_at is None:
                    row_at = Occupancy(len(text), ((m["start"], m["end"]) for m in row))
                for s in _find_word(text, sur, present[sur]):
                    e = s + len(sur)
                    if row_at.hits(s, e):
                        continue
                    row_at.add(s, e)
                    row.append(_mention(text, s, e, full))
                    self.counts["actors-surname-linked"] += 1
                    added = True
            if added:
                row.sort(key=_BY_START)

    # -- unnamed agents ---------------------------------------------------------------------------------------

    def _agents(self, text: str, hits, taken, ctx: _Context):
        """Unnamed agents. Not when they modify a noun ("police station") or are the member noun of a group named
        right before them ("Boko Haram fighters"); qualified ones ("forces", "officials") only with a demonym or
        country before them. Journalists keep no country (the text seldom says whose they are); armed agents in
        a sentence that names one armed group take that group's identity of country and code ("gunmen from the
        BLA"); forces qualified by a regional demonym ("Tigrayan forces") are an armed group."""
        t = self.t
        agents = t._agents
        next_word = _NEXT_WORD.match
        for s, e, kind, idx in hits:
            if kind != K_AGENT or taken.hits(s, e):
                continue
            name, typ, role_code = agents[idx]
            nxt = next_word(text, e)
            if nxt and nxt.group(1) in ADJ_NOUNS or text[e : e + 1] == "-":
                continue
            if s and text[s - 1] == "-":
                continue
            if (typ in ("ARMED_GROUP", "SECURITY_FORCE") and text[s - 1] == " " and ctx.org_info
                    and ctx.org_ending(s - 1) is not None):
                continue
            cc, s2 = (None, s) if ctx._no_geo else ctx.agent_country(s)
            if idx in t._qualified and s2 == s:
                continue
            if role_code == "MED":
                yield s2, e, t._agent_info(idx, None)
                continue
            if cc is None:
                cc = self.primary
            if typ == "GOVERNMENT" and role_code == "GOV":
                info = self.government(cc)
            elif typ == "ARMED_GROUP":
                group = ctx.armed_group_in_sentence(s, e)
                info = t._agent_info(idx, cc)
                if group is not None and group.code and s2 == s:
                    info = _Info(info.name, typ, None, group.country_code, group.code,
                                 R.make_id(name, typ, group.country_code), group.role_code)
            elif typ == "SECURITY_FORCE" and s2 < s and ctx.regional_demonym(s2, s):
                info = _Info(name, "ARMED_GROUP", None, cc, R.make_code(cc, "REB"),
                             R.make_id(text[s2:e], "ARMED_GROUP", cc), "REB")
            else:
                info = t._agent_info(idx, cc)
            if taken.hits(s2, e):
                s2 = s
            yield s2, e, info


class _Context:
    """What surrounds a span in one paragraph: places, demonyms, organisations, role hits — indexed by offset."""

    # The offset indexes are built on first use (many paragraphs never ask for them); until then these shared
    # empty class-level defaults answer, and are never written to.
    _hit_starts: list[int] | None = None
    _hit_by_end: dict[int, list] | None = None
    _place_occ: Occupancy | None = None
    place_by_end: dict[int, dict] = {}
    place_by_start: dict[int, dict] = {}
    demo_by_end: dict[int, dict] = {}
    demo_by_start: dict[int, dict] = {}
    org_by_end: dict[int, _Info] = {}
    org_by_start: dict[int, _Info] = {}

    def __init__(self, text: str, hits, places, demonyms, org_info: dict[tuple[int, int], _Info], para: int = 0):
        self.para = para
        self.text = text
        self.hits = hits
        self.places = places or ()
        self.demonyms = demonyms or ()
        self.org_info = org_info
        self._no_geo = self._indexed = not places and not demonyms
        self._org_indexed = not org_info

    def _index(self) -> None:
        """Places and demonyms by start and end offset (a later one at the same offset wins, as before)."""
        self._indexed = True
        pbe, pbs, dbe, dbs = {}, {}, {}, {}
        for m in self.places:
            pbe[m["end"]] = m
            pbs[m["start"]] = m
        for d in self.demonyms:
            dbe[d["end"]] = d
            dbs[d["start"]] = d
        self.place_by_end, self.place_by_start, self.demo_by_end, self.demo_by_start = pbe, pbs, dbe, dbs

    def _index_orgs(self) -> None:
        self._org_indexed = True
        obe, obs = {}, {}
        for (s, e), i in self.org_info.items():
            obe[e] = i
            obs[s] = i
        self.org_by_end, self.org_by_start = obe, obs

    def hits_ending(self, end: int):
        if self._hit_by_end is None:
            self._hit_by_end = {}
            for h in self.hits:
                self._hit_by_end.setdefault(h[1], []).append(h)
        return self._hit_by_end.get(end, ())

    def hits_between(self, a: int, b: int):
        if self._hit_starts is None:
            self._hit_starts = [h[0] for h in self.hits]
        i = bisect.bisect_left(self._hit_starts, a)
        while i < len(self.hits) and self.hits[i][0] < b:  # i rises by one per pass
            if self.hits[i][1] <= b:
                yield self.hits[i]
            i += 1

    def place_at(self, s: int, e: int) -> bool:
        if not self._indexed:
            self._index()
        m = self.place_by_start.get(s)
        return m is not None and m["end"] == e

    def place_overlap(self, s: int, e: int) -> bool:
        if self._place_occ is None:
            self._place_occ = Occupancy(len(self.text), ((m["start"], m["end"]) for m in self.places))
        return self._place_occ.hits(s, e)

    def demonym_at(self, s: int, e: int) -> str | None:
        if not self._indexed:
            self._index()
        d = self.demo_by_start.get(s)
        return d["country_code"] if d is not None and d["end"] == e else None

    def country_before(self, rs: int, lo: int, primary: str | None) -> str | None:
        """Country of the words right before a role: "Pakistan's", "Pakistani", "Islamabad-based", "the
        country's" (the article's country)."""
        if not self._indexed:
            self._index()
        text = self.text
        d = self.demo_by_end.get(rs - 1)
        if d is not None:
            return d["country_code"]
        for gap in ("'s ", "’s ", " ", "-based "):
            m = self.place_by_end.get(rs - len(gap))
            if m is not None and m["start"] >= lo and text[rs - len(gap) : rs] == gap:
                if gap == " " and m["kind"] != "country":
                    continue
                return m["country_code"]
        if CONTEXT_COUNTRY.search(text, max(lo, rs - 30), rs):
            return primary
        k = max(lo, rs - 12)
        if text[k:rs].endswith(("provincial ", "federal ")):
            return primary
        return None

    def country_after(self, re_: int, stop: int) -> str | None:
        """ "... minister of Pakistan": a country named by "of"/"in" right after the role."""
        if not self._indexed:
            self._index()
        for gap in (" of ", " in "):
            if self.text[re_ : re_ + len(gap)] == gap:
                m = self.place_by_start.get(re_ + len(gap))
                if m is not None and m["end"] <= stop:
                    return m["country_code"]
        return None

    def org_after(self, re_: int, stop: int) -> _Info | None:
        """ "a spokesman for the BLA": the organisation a role belongs to."""
        if not self._org_indexed:
            self._index_orgs()
        m = _OF_ORG.match(self.text, re_)
        if m:
            info = self.org_by_start.get(m.end())
            if info is not None:
                return info
        return None

    def org_before(self, rs: int) -> _Info | None:
        """ "BLA spokesman", "the BLA's commander"."""
        if not self._org_indexed:
            self._index_orgs()
        for gap in (" ", "'s ", "’s "):
            info = self.org_by_end.get(rs - len(gap))
            if info is not None and self.text[rs - len(gap) : rs] == gap:
                return info
        return None

    def org_ending(self, end: int) -> _Info | None:
        if not self._org_indexed:
            self._index_orgs()
        return self.org_by_end.get(end)

    def armed_group_in_sentence(self, s: int, e: int) -> _Info | None:
        """The one named armed group of the sentence around a span, if exactly one is named there."""
        if not self.org_info:
            return None
        text = self.text
        a = max(text.rfind(". ", 0, s), text.rfind("; ", 0, s)) + 1
        b = text.find(". ", e)
        b = len(text) if b < 0 else b
        found = {i.actor_id: i for (os, oe), i in self.org_info.items()
                 if a <= os and oe <= b and i.type == "ARMED_GROUP"}
        return next(iter(found.values())) if len(found) == 1 else None

    def regional_demonym(self, s2: int, s: int) -> bool:
        """Whether the demonym before an agent names a region, not a country ("Tigrayan", "Kurdish")."""
        if not self._indexed:
            self._index()
        d = self.demo_by_start.get(s2)
        return d is not None and bool(d.get("admin1_code"))

    def agent_country(self, s: int) -> tuple[str | None, int]:
        """Country of an unnamed agent from a demonym or country name right before it (which joins the span),
        or a possessive ("Pakistan's army")."""
        if self._no_geo or self.text[s - 1 : s] != " ":
            return None, s  # every form below ends with a space right before the agent
        if not self._indexed:
            self._index()
        d = self.demo_by_end.get(s - 1)
        if d is not None and self.text[s - 1] == " ":
            return d["country_code"], d["start"]
        m = self.place_by_end.get(s - 1)
        if m is not None and self.text[s - 1] == " " and m["kind"] == "country":
            return m["country_code"], m["start"]
        for gap in ("'s ", "’s "):
            m = self.place_by_end.get(s - len(gap))
            if m is not None and self.text[s - len(gap) : s] == gap:
                return m["country_code"], s
        return None, s


# ---------------------------------------------------------------------------------------------------------------
# helpers

_CLAUSE_STOP = re.compile(r'[,;:()—–"“”]|\.(?=[ "”]|\Z)')
# Words that keep a capitalised run from being a person's name.
_NOT_PERSON_WORDS = R.NOT_NAME | frozenset(R.ORG_HEADS) | R.LEADING_STOP
_BY_S = attrgetter("s")
_BY_START = itemgetter("start")
_FIRST = itemgetter(0)
_TYPE_COUNT_KEY: dict[str, str] = {}  # actor type -> its counter name ("actors-armed-group")
_ONE_TOKEN = re.compile(rf" ({R.NAME_TOK})(?![\w'’\-]| {R.NAME_TOK})")
_NEXT_WORD = re.compile(r" ([a-z]+)")
_PREV_WORD = re.compile(rf"({R.NAME_TOK}) $")
_NAME_PREFIX = re.compile(r"(?:al|el|Al|El)-[A-Z]")
_SAID_AFTER = re.compile(r" (?:said|says|told|added|wrote|stated|explained|noted|argued|insisted)\b")
_AS_ROLE = re.compile(r" as (?:(?:the|its|his|her|their|a|an) )?")
_OF_ORG = re.compile(r" (?:for|of|at|with|from) (?:the )?")


def _find_word(text: str, word: str, starts: list[int] | None = None):
    """Start offsets of ``word`` standing as a whole word (a possessive "'s" may follow).

    ``starts``, when given, are all the (sorted) offsets where ``word`` occurs, found by the caller in one pass for
    many words; they are stepped through exactly as the ``find`` loop would (skipping occurrences that start
    inside the previous one).
    """
    n = len(word)
    if n == 0:
        return  # find("") matches everywhere without moving: nothing to look for
    if starts is None:
        i = text.find(word)
        found = []
        # Invariant: each pass restarts the search n >= 1 characters further on: at most len(text) / n passes.
        while i >= 0:
            found.append(i)
            i = text.find(word, i + n)
        starts = found
    nxt = 0
    for i in starts:
        if i < nxt:
            continue
        nxt = i + n
        before = text[i - 1] if i else " "
        after = text[i + n : i + n + 1]
        if not (before.isalnum() or before in "'’-_") and not (after.isalnum() or after in "-_"):
            yield i


def _strip_poss(w: str) -> str:
    return w[:-2] if w.endswith(("'s", "’s")) else w


# Head words as written, also with a possessive ("Army's"): one set lookup per word instead of stripping each.
_HEAD_FORMS = frozenset(R.ORG_HEADS) | frozenset(h + p for h in R.ORG_HEADS for p in ("'s", "’s"))


def _any_head(words: list[str]) -> bool:
    return not _HEAD_FORMS.isdisjoint(words)


def _heads(words: list[str]) -> list[int]:
    """Indexes of organisation head words ("Army", "Ministry", also with a possessive: "Army's")."""
    return [i for i, w in enumerate(words) if w in _HEAD_FORMS]


def _is_surname(paragraphs: list[str], name: str) -> bool:
    """Whether a one-word name stands after a given capitalised name somewhere in the article ("Jane Rivian")."""
    if " " in name:
        return False
    for text in paragraphs:
        for s in _find_word(text, name):
            if _PREV_WORD.search(text, max(0, s - 30), s):
                return True
    return False


def _governing_head(words: list[str], heads: list[int], last: int) -> str:
    """The head word that types a pattern name: its last head, unless that is a weak business word inside the
    complement of an earlier head ("Ministry of Energy", "Institute of Technology")."""
    head = _strip_poss(words[last])
    if head in R.WEAK_HEADS:
        for j in heads:
            if j < last and words[j + 1] in ("of", "for", "on") and _strip_poss(words[j]) not in R.WEAK_HEADS:
                return _strip_poss(words[j])
    return head


def _widens(text: str, pattern: _Org, d: _Org) -> bool:
    """Whether a pattern organisation is a longer name around a company, union or party of the dictionary ("Tesla
    Inc", "Nigeria Labour Congress", "Peoples Democratic Party"): then the longer name is the mention. Not when
    the extra words join another name ("Barclays and Lloyds Banking Group") or the entry is an institution
    ("UN Interim Force in Lebanon" keeps its UN)."""
    if d.info is None or d.info.role_code not in WIDEN_ROLES or not (pattern.s <= d.s and d.e <= pattern.e):
        return False
    extra = text[pattern.s : d.s] + " " + text[d.e : pattern.e]
    return (pattern.s, pattern.e) != (d.s, d.e) and " and " not in extra and " & " not in extra


# Plain loops rather than any(<generator>): these run for every candidate over lists of a few spans, where the
# generator's setup costs more than the test.
def _pieces(text: str, ss: int, se: int, taken) -> list[list[tuple[int, int]]]:
    """Split a capitalised sequence into runs of name tokens: at organisation connectors ("of", "and") and at
    tokens another actor already took."""
    out: list[list[tuple[int, int]]] = []
    cur: list[tuple[int, int]] = []
    check = taken.hits(ss, se)
    connectors = R.ORG_CONNECTORS
    words = text[ss:se].split(" ")
    a = ss
    if not check and connectors.isdisjoint(words):  # the usual case: one piece of every token
        for w in words:
            b = a + len(w)
            cur.append((a, b))
            a = b + 1
        return [cur]
    for w in words:
        b = a + len(w)
        if w in connectors or (check and taken.hits(a, b)):
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append((a, b))
        a = b + 1
    if cur:
        out.append(cur)
    return out


def _clause_end(text: str, start: int) -> int:
    """The first clause stop within 120 characters (a full stop only before a space, a quote or the end)."""
    end = min(len(text), start + 120)
    # One character past the window, so a full stop at its edge sees what follows it; a stop found there is
    # outside the window.
    m = _CLAUSE_STOP.search(text, start, end + 1)
    return m.start() if m is not None and m.start() < end else end


def _role_phrase(text: str, start: int, re_: int) -> str | None:
    """The role as written in an apposition, without articles and possessives: "provincial home minister"."""
    phrase = text[start:re_]
    words = phrase.split()
    if len(words) > 5:
        return None
    while words and (words[0].endswith(("'s", "’s")) or words[0] in ("the", "a", "an", "its", "their")
                     or any(c.isdigit() for c in words[0])):
        words = words[1:]
    if not words or any(w[:1].isupper() and w.lower() not in ("provincial", "federal") for w in words[:-2]):
        return None
    return " ".join(words).lower()


def _role_of_code(code: str) -> str | None:
    return code[3:] if len(code) > 3 and code[:3].isupper() and not code.startswith(("IGO", "NGO", "IMG")) else None


def _mention(text: str, s: int, e: int, info: _Info) -> dict:
    return {"text": text[s:e], "start": s, "end": e, "name": info.name, "type": info.type, "role": info.role,
            "country_code": info.country_code, "code": info.code, "actor_id": info.actor_id}


def _relink(m: dict, full: _Info) -> None:
    role = m["role"]
    m.update(name=full.name, country_code=full.country_code, code=full.code, actor_id=full.actor_id,
             role=full.role or role)


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


def _case_forms(w: str) -> list[str]:
    """A lower-case role or agent as written, capitalised and in title case ("Interior Minister")."""
    forms = [w]
    if w[:1].islower():
        forms.append(w[0].upper() + w[1:])
        forms.append(" ".join(x[0].upper() + x[1:] if x not in ("of", "the", "for") else x for x in w.split()))
    return list(dict.fromkeys(forms))


def _read_lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


def _read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return safe_load(f) or {}


def _country_words() -> dict[str, str]:
    """Country names, short forms and demonyms -> ISO alpha-2, for country words inside organisation names
    ("Nigerian Army") and before roles. From pycountry and the gazetteer's own news-name list."""
    import pycountry

    out: dict[str, str] = {}
    for c in pycountry.countries:
        for n in (c.name, getattr(c, "common_name", None)):
            if n and "," not in n:
                out[n] = c.alpha_2
    news = _read_yaml(DATA_DIR / "news_names.yaml")
    for cc, names in (news.get("country_aliases") or {}).items():
        for n in names:
            if len(n) > 3 or n.isupper():
                out.setdefault(n, cc)
    for cc, names in (news.get("demonyms") or {}).items():
        for n in names:
            out.setdefault(n, cc)
    for cc, n in R.COMMON_COUNTRY_NAMES.items():
        out.setdefault(n, cc)
    out.update({"Northern Ireland": "GB", "England": "GB", "Scotland": "GB", "Wales": "GB", "Scottish": "GB",
                "Welsh": "GB", "English": "GB"})
    return out


def load_user_dictionary(path: str) -> list[dict]:
    """Read a user YAML dictionary; any problem is a ``ValueError`` with a one-line reason naming the file."""
    try:
        data = _read_yaml(Path(path))
    except OSError as e:
        raise ValueError(f"actor dictionary {path}: cannot read ({e.strerror or e})") from None
    except yaml.YAMLError as e:
        raise ValueError(f"actor dictionary {path}: not valid YAML ({str(e).splitlines()[0]})") from None
    items = data.get("actors") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise ValueError(f"actor dictionary {path}: expected a list of actors (or a mapping with key 'actors')")
    return [_entry(e, path, i) for i, e in enumerate(items)]


def _entry(e: Any, src: str, i: int = 0) -> dict:
    """Validate one dictionary entry and turn it into an _Info plus its match keys."""
    where = f"actor dictionary {src}: entry {i + 1}"
    if not isinstance(e, dict):
        raise ValueError(f"{where}: expected a mapping with id, name, type")
    unknown = set(e) - {"id", "name", "aliases", "type", "country", "code", "role"}
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    name, typ = e.get("name"), e.get("type")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: 'name' is required")
    if typ not in ACTOR_TYPES:
        raise ValueError(f"{where} ({name}): type must be one of {', '.join(ACTOR_TYPES)}, not {typ!r}")
    cc = e.get("country")
    if cc is not None and (not isinstance(cc, str) or R.alpha3(cc) is None):
        raise ValueError(f"{where} ({name}): country must be an ISO 3166-1 alpha-2 code, not {cc!r}")
    cc = cc.upper() if cc else None
    aliases = e.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ValueError(f"{where} ({name}): 'aliases' must be a list of names")
    code = e.get("code")
    if code is not None and not (isinstance(code, str) and re.fullmatch(r"[A-Z]{3,12}", code)):
        raise ValueError(f"{where} ({name}): code must be upper-case letters such as PAKGOV, not {code!r}")
    aid = str(e["id"]) if e.get("id") is not None else R.make_id(name, typ, cc)
    role = e.get("role")
    info = _Info(name.strip(), typ, str(role) if role else None, cc, code, aid, _role_of_code(code or ""))
    keys = [k.strip() for k in [name, *aliases] if any(c.isupper() or c.isdigit() for c in k)]
    return {"info": info, "keys": keys}
