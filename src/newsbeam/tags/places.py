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
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsbeam.tags.gazetteer import F_BLOCKER, F_COMMON, F_DEMONYM, F_FIRSTNAME, F_HARD, F_USER, Gazetteer
from newsbeam.tags.spans import Occupancy

TITLE_WEIGHT = 2.0
FIRST_PARA_WEIGHT = 1.5
METONYMY_WEIGHT = 0.5
DEMONYM_WEIGHT = 0.5
FIRE_MIN = 4.6  # a reading must score at least this (a town of ~40,000 people with no other evidence)
MAX_CANDS = 40
UNIT_BONUS = 4.0  # "Borno state", "the state of Washington": a unit reading beats a city or country of that name

_LIST_GAPS = frozenset((", ", " and ", " or ", ", and ", ", or ", " & "))
_SENT_END = frozenset(".!?\"“”'‘’([{:;—–-•|")
PREPOSITIONS = frozenset(
    "in near at from to outside into across around toward towards via throughout within through between "
    "visited visiting entered reached leaving left fled outskirts suburb suburbs north south east west "
    "northern southern eastern western central".split()
)
# Capitalised at a sentence start these still announce a place ("In Reading, ..."); "Central" does not.
CAPITAL_PREPOSITIONS = frozenset("In Near At From Outside Inside Across Around Throughout Within Via".split())
FOREIGN_POP = 500_000  # below this a town (not a capital) in a country the article never mentions is penalised
SMALL_POP = 15000  # below this a town needs its region in the article, a preposition or a "Town, Region" pair
ANCHOR_POP = 100000  # pass-1 anchors: only places big enough to be sure of without context
# Capitalised words that may stand right before a place without making it part of another name.
PREFIX_OK = frozenset(
    "The A An In At On From To Near For By With And But Or Of Outside Inside Across Around Across Central Greater "
    "Northern Southern Eastern Western Northeastern Northwestern Southeastern Southwestern North South East West "
    "Upper Lower Inner Outer Metropolitan Downtown Rural Urban Coastal Occupied Mainland Suburban Old Historic "
    "Neighbouring Neighboring Nearby Restive Troubled Oil-rich Impoverished When While After Before Since During "
    "Like Unlike Both Between Including Also Only Even Until As If Although Though Where Why How What Who Whose "
    "Despite Amid Among Against Beyond Through Throughout Toward Towards Via Within Without Under Over Meanwhile "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December Today Yesterday Tonight Then Now Here There This That These Those Our "
    "Their His Her Its My Your We They He She It I Many Most Some All Every Each Several Few Other Another Such "
    "Rural-urban Post-war Pre-war Wartime Modern Ancient Medieval Colonial Soviet-era Independent".split()
)
TITLES = frozenset(
    "Mr Mr. Mrs Mrs. Ms Ms. Miss Dr Dr. Sir Dame Lord Lady Gen. Gen Lt. Col. Maj. Capt. Sgt. Sen. Rep. Gov. "
    "Prof. Prof President Senator Governor Judge Justice Prince Princess King Queen Sheikh Imam Father Pope "
    "Minister Secretary Ambassador Chancellor Mayor Coach Officer Inspector Commander General Colonel Captain "
    "Saint-".split()
)
# "the town of X", "residents of X": the noun before "of" says a place follows.
PLACE_NOUNS_OF = frozenset(
    "town towns city cities village villages hamlet suburb suburbs outskirts capital port island islands "
    "province provinces state states region regions district districts county counties municipality "
    "neighbourhood neighborhood parts residents people mayor governor streets centre center heart edge "
    "north south east west northeast northwest southeast southwest".split()
)
# Nouns that name an administrative unit, before "of" ("the state of Borno") or after the name ("Borno state",
# "Washington state", "York and Lebanon counties"): the unit reading is meant, not the city or the country.
UNIT_NOUNS = frozenset(
    "state states province provinces region regions oblast governorate county counties district districts "
    "prefecture parish department".split()
)
# Lower-case geographic nouns right after a name ("the Swat valley", "the Reading area") say it is a place.
GEO_AFTER = UNIT_NOUNS | frozenset("valley area border coast basin countryside city town village suburbs".split())
# Capitalised words that, right after a place name, make it part of the name of something else: a natural
# feature ("Columbia River"), a street, or an organisation ("Balochistan Liberation Army", "New York Times",
# "Birmingham City Council"). Places that really end in such a word ("Kansas City") are gazetteer keys and are
# matched whole, so they never reach this test.
FEATURE_HEADS = frozenset(
    "River Rivers Lake Lakes Mountains Mountain Mount Hills Island Islands Sea Ocean Strait Straits Gulf Bay "
    "Desert Canal Dam Peninsula Street Road Avenue Boulevard Highway Motorway Expressway "
    # Facilities named after a place or a sponsor ("the Emirates Stadium", "Jinnah International Airport").
    "Stadium Arena Airport International Hospital Hotel Prison Palace Cathedral Mosque".split()
)
ORG_HEADS = frozenset(
    "Liberation Army Front Airways Airlines Times Post Herald Tribune Gazette Chronicle Institute University "
    "College Council Borough Police Rangers United Rovers Wanderers Athletic Albion FC City".split()
)
# "University of Cambridge", "Bank of England": an organisation named after the place.
ORG_BEFORE_OF = frozenset(
    "University Bank Institute College Museum Academy Archbishop Bishop Duke Duchess Port".split())

_NOT_SENTENCE_END = frozenset("U.S. U.K. Mr. Mrs. Ms. Dr. St. Gen. Lt. Col. Sen. Rep. Gov. No. Ft. Mt. Jr. Sr.".split())

_SPEECH_VERBS = (
    "said|says|say|denied|denies|deny|rejected|rejects|reject|accused|accuses|accuse|blamed|blames|blame|"
    "condemned|condemns|condemn|warned|warns|warn|announced|announces|urged|urges|urge|demanded|demands|"
    "insisted|insists|claimed|claims|responded|responds|retaliated|retaliates|threatened|threatens|vowed|vows|"
    "refused|refuses|agreed|agrees|signed|signs|imposed|imposes|summoned|summons|protested|protests|expelled|"
    "expels|recalled|recalls|welcomed|welcomes|criticised|criticized|criticises|criticizes|dismissed|dismisses|"
    "ordered|orders|approved|approves|pledged|pledges|sanctioned|sanctions|recognised|recognized|recognises|"
    "recognizes|backed|backs|supported|supports|opposed|opposes|accepted|accepts|sought|seeks|wants|wanted|"
    "hopes|hoped|believes|believed|maintains|maintained|argued|argues|alleged|alleges|confirmed|confirms|"
    "declined|declines|offered|offers|negotiated|negotiates|denounced|denounces|praised|praises|called|calls|"
    "asked|asks|told|tells|declared|declares|decided|decides|launched|launches|deployed|deploys|vetoed|vetoes|"
    "objected|objects|suspended|suspends|retaliated|hit back|struck back|lodged|issued|issues|blocked|blocks"
)
_METO_AFTER = re.compile(
    r"(?:\s+(?:has|have|had|is|was|will|would|could|did|does|also|again|swiftly|quickly|strongly|repeatedly|"
    r"formally|officially|previously|later|then|now|not|never|already|has since|on \w+day))*\s+(?:" + _SPEECH_VERBS + r")\b"
)
_METO_BEFORE = re.compile(
    r"(?:accused|accuses|accusing|blamed|blames|blaming|urged|urges|urging|warned|warns|warning|criticised|"
    r"criticized|criticising|criticizing|condemned|condemns|sanctioned|pressed|pressured|pressuring|called on|"
    r"calling on|asked|told|thanked|praised|slammed|lashed out at|demanded that|pushed|accusations against|"
    r"allegations against|suspended|suspends|expelled|expels|invited|invites|lobbied|lobbying|persuade|persuaded|"
    r"restrain|restrained|rebuked|press|presses|pressing|pressure on|"
    # a party to talks and agreements ("signed a peace deal with Manila")
    r"(?:talks|deal|agreement|accord|treaty|truce|ceasefire|negotiations|relations|ties|cooperation|contacts|"
    r"dialogue|dispute|row|standoff|rift|alliance|partnership) with(?: the)?|"
    # the source of a political act ("a proposal from Washington")
    r"(?:proposal|proposals|request|requests|pressure|demand|demands|offer|offers|support|backing|assurances|"
    r"guarantees|approval|invitation|warning|warnings|criticism|objections|response|pledge|aid|funding|"
    r"sanctions|tariffs|ultimatum|protest) from(?: the)?)\s+$"
)
# The agent of a passive ("hosted by Saudi Arabia", "tariffs announced by Washington"), except participles that
# describe where a place lies or who visits it ("bordered by Iran", "visited by tourists" has no place after).
_METO_PASSIVE_BY = re.compile(r"\b([a-z]+ed|[a-z]+en|led|held|run|paid|sent|made) by(?: the)?\s+$")
_NOT_AGENT_BY = frozenset(
    "bordered surrounded flanked separated divided crossed visited followed preceded dominated shaken hit "
    "struck battered flooded ravaged affected hurt hampered overshadowed eclipsed overtaken beaten defeated "
    "outnumbered dwarfed matched".split())
# A country or capital as the subject of a clause: optional adverbs, an auxiliary or modal, then a verb. Which
# verb forms count depends on the auxiliary (see ``_subject_verb``).
_ADVS = ("also|again|later|then|now|still|already|never|not|swiftly|quickly|strongly|repeatedly|formally|"
         "officially|previously|reportedly|recently|since|so far|long|only|itself|too|even|further|increasingly|"
         "separately|publicly|privately|subsequently|eventually|finally|initially|quietly|openly|effectively")
_METO_SUBJECT = re.compile(
    r"(?:\s+(?:" + _ADVS + r"))*\s+(?:(has|have|had|is|was|are|were|will|would|could|can|should|must|may|might|"
    r"shall|did|does|do)(?:n't|n’t)?(?:\s+(?:" + _ADVS + r"))*\s+)?([a-z]+)\b"
)
# Verbs that, even with a place as grammatical subject, describe the place rather than its government ("Kyiv has
# seen heavy shelling", "Lebanon is struggling") or a national sports team ("Brazil won").
_NOT_GOV_VERBS = frozenset(
    "be been being is was are were seen see saw sees become became becomes remain remains remained experience "
    "experienced experiences experiencing suffer suffered suffers suffering witness witnessed witnesses endure "
    "endured endures record recorded records receive received receives receiving face faced faces facing win won "
    "wins winning lose lost loses losing beat beaten beats play played plays playing score scored scores qualify "
    "qualified qualifies draw drew drawn defeated defeat reach reached reaches border bordered borders lie lies lay "
    "sit sits stand stands grow grown grew growing fall fell fallen falling rise rose risen rising warm warmed "
    "flood flooded burn burned burning rank ranked ranks top topped led lead leads leading struggle struggled "
    "struggling brace braced bracing reel reeled reeling recover recovered recovering host-city has have had "
    "get got gets getting go goes going went gone come came comes coming look looks looked feel felt feels seem "
    "seems seemed appear appears appeared sweltered shivered woke wake wakes awoke counts count counted ranked "
    "boasts boasted boast produce produces produced export exports exported import imports imported".split())
# Verbs whose plain past or present form, right after a country or capital, makes it an actor: speech,
# accusation, policy, diplomacy and military action. Regular past forms ("dropped") need not be listed.
_GOV_VERB_STEMS = (
    "say deny reject accuse blame condemn warn announce urge demand insist claim respond retaliate threaten vow "
    "refuse agree sign impose summon protest expel recall welcome criticise criticize dismiss order approve pledge "
    "sanction recognise recognize back support oppose accept seek want hope believe maintain argue allege confirm "
    "decline offer negotiate denounce praise call ask tell declare decide launch deploy veto object suspend lodge "
    "issue block regard consider view plan intend try drop ban arrest detain fund host attack invade annex bomb "
    "send supply provide pay invite ratify withdraw cut tighten ease lift extend renew appeal lobby push press "
    "mediate broker normalise normalize restore sever halt resume postpone cancel promise propose request require "
    "expect fear thank allow permit prevent stop strike shell target fire deport sanction respond insist accuse "
    "pursue prepare seize freeze release free jail charge sentence execute condemn mobilise mobilize hold keep "
    "give take make bring begin lead buy sell spend put set"
).split()
_IRREGULAR = {"say": "said", "seek": "sought", "tell": "told", "strike": "struck", "send": "sent", "pay": "paid",
              "withdraw": "withdrew", "hold": "held", "keep": "kept", "give": "gave given", "take": "took taken",
              "make": "made", "bring": "brought", "begin": "began begun", "lead": "led", "buy": "bought",
              "sell": "sold", "spend": "spent", "put": "put", "set": "set", "cut": "cut", "freeze": "froze frozen",
              "fire": "fired", "try": "tried", "deny": "denied", "ratify": "ratified", "drop": "dropped",
              "ban": "banned", "stop": "stopped", "permit": "permitted", "veto": "vetoed vetoes",
              "normalise": "normalised", "normalize": "normalized"}


def _verb_forms(stems: list[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(present "-s" forms, past forms) of the listed verbs; plain "-ed" pasts are also recognised by shape."""
    pres, past = set(), set()
    for v in stems:
        pres.add(v[:-1] + "ies" if v.endswith("y") and v[-2] not in "aeiou" else
                 v + "es" if v.endswith(("s", "sh", "ch", "x", "o")) else v + "s")
        past.update(_IRREGULAR.get(v, v + "d" if v.endswith("e") else v + "ed").split())
    return frozenset(pres), frozenset(past)


_GOV_PRESENT, _GOV_PAST = _verb_forms(_GOV_VERB_STEMS)
_GOV_BASE = frozenset(_GOV_VERB_STEMS)
# Words before a place that make it a location or a modifier, never an acting government.
_NOT_SUBJECT_PREV = frozenset("the of in from to for by at on with against a an near into across via".split())
_COORD_GAPS = frozenset((" and ", " and the ", ", ", ", and ", ", and the ", " or ", " nor "))
_PARTICLES = "of|the|and|de|del|du|da|do|dos|das|di|des|la|le|les|el|al|au|aux|en|es|sur|upon|on|am|an|im"
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# Wire datelines: "QUETTA, Pakistan —", "LAGOS (Reuters) -", "BAMAKO, March 2 (Reuters) -",
# "KYIV, Ukraine, March 2, 2026 (AP) —".
_DATELINE = re.compile(
    r"\s*([A-Z][A-Z'’.\-]+(?: [A-Z][A-Z'’.\-]+){0,3})"
    r"(?:,\s*(?!" + _MONTHS + r" \d)[A-Z][\w.’']*(?: (?:[A-Z][\w.’']*|" + _PARTICLES + r")){0,4})?"
    r"(?:,?\s*" + _MONTHS + r" \d{1,2}(?:,? \d{4})?)?"
    r"\s*(?:\([^)]{1,40}\)\s*)?"
    r"(?:[—–-]{1,2}|:)\s"
)
# "Port-Au-Prince" -> "Port-au-Prince", "Dar Es Salaam" -> "Dar es Salaam": particles inside an upper-case dateline.
_INNER_PARTICLE = re.compile(r"(?<=[ \-])(" + "|".join(w.capitalize() for w in _PARTICLES.split("|")) + r")(?=[ \-])")


@dataclass
class PlaceResult:
    mentions: list[list[dict]]
    demonyms: list[list[dict]]
    primary_country: str | None = None
    primary_region: str | None = None
    primary_region_code: str | None = None
    countries: list[str] = field(default_factory=list)
    regions: list[dict] = field(default_factory=list)
    m49_subregion: str | None = None
    n_blocked: int = 0
    n_common_word_skipped: int = 0


class _Cand:
    """One matched place name and what the context says about it."""

    __slots__ = ("para", "s", "e", "kid", "flags", "ents", "strong", "prep", "initial", "prev_cap",
                 "prev_word", "next_cap", "dateline", "best", "score", "margin", "weight", "meto", "anchor", "first", "why",
                 "unit", "head", "in_country_list")

    def __init__(self, para: int, s: int, e: int, kid: int, flags: int, ents: Sequence[int], weight: float):
        self.para, self.s, self.e, self.kid, self.flags, self.ents = para, s, e, kid, flags, ents
        self.weight = weight
        self.strong = 0.0  # bonus from a dateline or a "City, Region" pair
        self.prep = self.initial = self.prev_cap = self.next_cap = self.dateline = self.meto = False
        self.anchor = False
        self.unit = False  # an administrative-unit noun next to it ("Borno state", "the state of Borno")
        self.head: str | None = None  # "feature" / "org": the name is part of a longer non-place name
        self.in_country_list = False  # listed with a country ("Niger, Chad and Cameroon")
        self.first = -1  # an anchor's reading before any evidence
        self.prev_word = ""
        self.best = -1
        self.score = self.margin = 0.0
        self.why: str | None = None


# Characters the place automaton scans per call (see ``PlaceTagger._scan``).
_WINDOW = 8192


class PlaceTagger:
    def __init__(self, gaz: Gazetteer):
        self.gaz = gaz
        self._auto = gaz.automaton
        self._klen = [len(k) for k in gaz.key_text]
        self._longest = max(self._klen, default=1)
        self._flags = gaz.key_flags
        self._cands = gaz.key_cands
        self._qual = gaz.key_qualifier
        self._adj = gaz.pair_adj
        self._prior = gaz.ent_prior
        self._kind = gaz.ent_kind
        self._cc = gaz.ent_cc
        self._a1 = gaz.ent_a1
        self._cap = gaz.ent_capital
        self._first = gaz.first_names
        self._pop = gaz.ent_pop
        self._adj_keys = frozenset(k for k, _ in gaz.pair_adj)
        self._has_country = frozenset(
            k for k, c in enumerate(gaz.key_cands) if gaz.key_flags[k] & F_HARD and any(
                gaz.ent_kind[~e if e < 0 else e] == "country" for e in c)
        )
        self._country_first = frozenset(
            k for k, c in enumerate(gaz.key_cands) if c and c[0] >= 0 and gaz.ent_kind[c[0]] == "country")
        self._single_country = {
            k: c[0] for k, c in enumerate(gaz.key_cands)
            if len(c) == 1 and c[0] >= 0 and gaz.ent_kind[c[0]] == "country" and not gaz.key_flags[k] & (F_FIRSTNAME | F_USER)
        }

    # -- matching ---------------------------------------------------------------------------------------------

    def _scan(self, text: str) -> list[tuple[int, int, int]]:
        """Longest matches at word boundaries: (start, end, key id).

        The automaton's leftmost-longest pass consumes the text it matched, so a key that fails the word-boundary
        test ("The D" in "The Dominican Republic") would hide the real name behind it: after a rejected match the
        scan restarts one character after its start.

        The automaton is run over windows of ``_WINDOW`` characters (plus the longest key), not over the whole text
        from each restart: every call converts the string it is given, so restarting on a megabyte paragraph cost
        a megabyte per rejected match (quadratic). A match that starts in a window's last ``longest key``
        characters may be cut by the window's end, so it is left to the next window, which starts there.
        Invariant: every pass of the outer loop moves ``pos`` forward (past a rejected match's start, to a later
        match's start, or to the end of the window or of the last match taken).
        """
        out = []
        klen = self._klen
        n = len(text)
        span = _WINDOW + self._longest
        pos = 0
        while pos < n:
            window = text if pos == 0 and n <= span else text[pos : pos + span]
            last = pos + span >= n  # this window reaches the end of the text
            limit = len(window) if last else _WINDOW  # matches starting at or after this go to the next window
            nxt = pos + limit
            for end, kid in self._auto.iter_long(window):
                rel = end - klen[kid] + 1
                if rel >= limit:
                    nxt = pos + rel
                    break
                s = pos + rel
                e = pos + end + 1
                ok = True
                if s > 0:
                    c = text[s - 1]
                    ok = not (c.isalnum() or c == "_" or c == "@")
                if ok and e < n:
                    c = text[e]
                    ok = not (c.isalnum() or c == "_")
                if not ok:
                    nxt = s + 1
                    break
                out.append((s, e, kid))
                nxt = max(nxt, e)
            else:
                if last:
                    break
            pos = nxt
        return out

    def _dateline(self, text: str) -> tuple[int, int, int] | None:
        m = _DATELINE.match(text)
        if not m or len(m.group(1)) < 3:
            return None
        raw = m.group(1)
        title = raw.title()
        for form in (title, _INNER_PARTICLE.sub(lambda p: p.group(1).lower(), title),
                     " ".join(w.capitalize() for w in raw.split(" ")), raw):
            form = form.replace("'S", "'s").replace("’S", "’s")
            kid = self._auto.get(form, -1)
            if kid >= 0 and self._cands[kid] and not self._flags[kid] & (F_BLOCKER | F_DEMONYM):
                return (m.start(1), m.end(1), kid)
        return None

    # -- context ----------------------------------------------------------------------------------------------

    def _context(self, c: _Cand, text: str, title_mode: bool) -> None:
        s, e = c.s, c.e
        if title_mode:
            c.initial = True
        if e + 1 < len(text) and text[e] == " ":
            nxt = _next_word(text, e + 1)
            if text[e + 1].isupper():
                c.next_cap = True
                if nxt in FEATURE_HEADS:
                    c.head = "feature"
                elif nxt in ORG_HEADS:
                    c.head = "org"
            elif nxt in GEO_AFTER:
                c.prep = True
                c.unit = nxt in UNIT_NOUNS
        j = s - 1
        while j >= 0 and text[j] == " ":  # j falls by one per pass, and stops at 0
            j -= 1
        if j < 0:
            c.initial = True
            return
        ch = text[j]
        if j == s - 2:  # exactly one space before the name
            k = text.rfind(" ", 0, j) + 1
            word = text[k : j + 1]
            c.prev_word = word
            if word in _NOT_SENTENCE_END:
                c.prev_cap = word in TITLES
            elif word == "of":
                before = _prev_word(text, k - 1)
                low = before.lower()
                if before in ORG_BEFORE_OF:
                    c.head = "org"
                elif low in PLACE_NOUNS_OF:
                    c.prep = True
                    c.unit = low in UNIT_NOUNS
            elif ch in _SENT_END and not (ch == "." and len(word) <= 3 and word[:1].isupper() and word.count(".") > 1):
                c.initial = True
            elif word in PREPOSITIONS or word in CAPITAL_PREPOSITIONS:
                c.prep = True
            elif word[:1].isupper() and word not in PREFIX_OK and (ch.isalnum() or word in TITLES):
                c.prev_cap = True  # "Whitney Houston", "Mr. Lincoln"; not "Karachi, Lahore"
        elif ch in _SENT_END:
            c.initial = True

    # -- scoring ----------------------------------------------------------------------------------------------

    def _gates(self, c: _Cand) -> tuple[str | None, str | None, str | None]:
        """Why a country / an admin1 / any other reading may not fire here (None: it may)."""
        fl = c.flags
        if fl & F_USER or c.strong > 0:
            return None, None, None
        if fl & F_FIRSTNAME and (c.prev_cap or c.next_cap):
            return "person", "person", "person"
        common = "common" if fl & F_COMMON and (fl & F_HARD or c.initial or not c.prep) else None
        if c.prev_cap:
            person = "person" if (c.prev_word in self._first or c.prev_word in TITLES) else None
            return person, person or common, "name"
        return None, common, common

    def _resolve(self, c: _Cand, cev: dict[str, float], aev: dict[str, float]) -> str | None:
        """Pick the best reading that passes the gates; returns the gate that blocked the best one, if any.

        Score = population/kind prior + name adjustment + local context + evidence for the reading's country and
        region. Evidence bonuses grow with the log of the evidence: one mention of Chicago must not turn "Paris"
        into Paris, Illinois, but a story full of Texas places makes it Paris, Texas. A town in a country the
        article never mentions is penalised (an Ethiopian story's "Fano" is the militia, not the Italian town).
        """
        g_country, g_admin1, g_other = self._gates(c)
        kinds, prior, ccs, a1s, pops, caps = self._kind, self._prior, self._cc, self._a1, self._pop, self._cap
        adj = self._adj if c.kid in self._adj_keys else None
        strong, prep, unit = c.strong, c.prep, c.unit
        tot = sum(cev.values()) if cev else 0.0
        foreign = min(2.5, 0.5 + 0.5 * tot)
        ents = c.ents if len(c.ents) <= MAX_CANDS else c.ents[:MAX_CANDS]
        # A country the article never mentions loses to a same-name region of a country it does mention
        # (Georgia the state in a story about Alabama towns); with no such rival the country keeps its prior.
        rival_in_ev = bool(cev) and len(ents) > 1 and any(
            cev.get(ccs[~e if e < 0 else e]) and kinds[~e if e < 0 else e] != "country" for e in ents)
        best, best_s = -1, -1e9
        blocked_by = None
        scored = []
        for ent in ents:
            alt = ent < 0
            real = ~ent if alt else ent
            kind = kinds[real]
            why = g_country if kind == "country" else (g_admin1 if kind == "admin1" else g_other)
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
            elif cev and kind != "country" and pops[real] < FOREIGN_POP and not strong and not caps[real]:
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
        if best >= 0 and not c.flags & F_USER:
            kind = kinds[best]
            if kind != "country" and best_s < FIRE_MIN:
                best, blocked_by = -1, blocked_by or "weak"
            elif (kind == "admin2" or (kind == "city" and pops[best] < SMALL_POP)) and not (
                prep or strong or aev.get(a1s[best] or "")
            ):
                best, blocked_by = -1, blocked_by or "weak"
        c.best, c.score = best, best_s
        # The margin is measured against readings elsewhere: a city and its own same-name province agree.
        c.margin = 5.0
        if best >= 0 and len(scored) > 1:
            bcc, ba1 = ccs[best], a1s[best]
            others = [sc for sc, e in scored
                      if e != best and (ccs[e] != bcc or (a1s[e] != ba1 and a1s[e] is not None and ba1 is not None))]
            if others:
                c.margin = best_s - max(others)
        return None if best >= 0 else blocked_by

    def _resolve_all(self, cands: list[_Cand], ev: _Evidence | None, skip) -> None:
        """Resolve every candidate not skipped, once per distinct (name, context): repeats of a name in the same
        context necessarily get the same reading."""
        memo: dict[tuple, tuple] = {}
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
            c.why = self._resolve(c, cev, aev)
            if key is not None:
                memo[key] = (c.best, c.score, c.margin, c.why)

    def _pair(self, x: _Cand, y: _Cand) -> None:
        """ "X, Y": keep only readings where Y contains X (Paris, Texas; Reading, Berkshire; Quetta, Pakistan)."""
        kind, cc, a1 = self._kind, self._cc, self._a1
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

    def tag_article(
        self,
        paragraphs: list[str],
        title: str | None = None,
        blocked: list[list[tuple[int, int]]] | None = None,
    ) -> PlaceResult:
        gaz = self.gaz
        flags_of, cands_of, qual = self._flags, self._cands, self._qual
        n_par = len(paragraphs)
        res = PlaceResult(mentions=[[] for _ in range(n_par)], demonyms=[[] for _ in range(n_par)])
        cands: list[_Cand] = []
        demos: list[tuple[int, int, int, int]] = []  # para, start, end, key
        texts = list(paragraphs)
        dl_kid = -1  # the dateline's name: an everyday word ("HOPE, Ark. —") is that place all through the story
        title_idx = -1
        if title:
            texts.append(title)
            title_idx = n_par
        for p, text in enumerate(texts):
            if not text:
                continue
            is_title = p == title_idx
            weight = TITLE_WEIGHT if is_title else (FIRST_PARA_WEIGHT if p == 0 else 1.0)
            matches = self._scan(text)
            dl = self._dateline(text) if p == 0 else None
            if dl is not None:
                matches = [dl, *(m for m in matches if m[0] >= dl[1])]
                dl_kid = dl[2]
            spans = blocked[p] if (blocked and p < len(blocked) and not is_title) else ()
            spans = Occupancy(len(text), spans) if spans else None  # O(span) tests, not O(spans) each
            row: list[_Cand] = []
            for s, e, kid in matches:
                fl = flags_of[kid]
                if fl & F_BLOCKER:
                    continue
                if spans is not None and spans.hits(s, e):
                    if not fl & F_DEMONYM and self._would_fire(p, s, e, kid, text):
                        res.n_blocked += 1
                    continue
                if fl & F_DEMONYM:
                    demos.append((p, s, e, kid))
                    continue
                ents = cands_of[kid]
                if not ents and kid not in qual:
                    continue
                if (fl & F_HARD and kid not in self._has_country and text[e : e + 1] != "," and (dl is None or s)
                        and kid != dl_kid):
                    # "March", "Police": only a "Town, Region" pair or a dateline could make these places.
                    res.n_common_word_skipped += 1
                    continue
                c = _Cand(p, s, e, kid, fl, ents, weight)
                c.dateline = dl is not None and s == dl[0] and kid == dl[2]
                if c.dateline:
                    c.strong = 3.0
                self._context(c, text, is_title)
                if c.head is not None and not fl & F_USER and not c.dateline:
                    if c.head == "org":
                        res.n_blocked += 1
                    continue
                row.append(c)
            for a, b in zip(row, row[1:], strict=False):
                gap = texts[p][a.e : b.s]
                if gap in (", ", ","):
                    self._pair(a, b)
                    if a.dateline:
                        a.strong = max(a.strong, 6.0)
                if gap in _LIST_GAPS:
                    if a.prep and not (b.prev_cap or b.initial):
                        b.prep = True  # "in Hattiesburg and Meridian": the preposition covers the whole list
                    if a.kid in self._country_first:
                        b.in_country_list = True
                    if b.kid in self._country_first:
                        a.in_country_list = True
            cands.extend(row)

        # Pass 1: evidence from readings that need no coherence to be sure. Evidence is kept per name, so that a
        # name is never its own evidence (four mentions of "Fano" do not make an Ethiopian story Italian).
        ev1 = _Evidence()
        self._resolve_all(cands, None, _never)
        for c in cands:
            b = c.best
            if c.ents and b >= 0 and (c.strong > 0 or (c.margin >= 1.5 and (self._kind[b] in ("country", "admin1")
                                                                 or self._pop[b] >= ANCHOR_POP))):
                c.anchor = True
                c.first = b
                ev1.add(c.kid, self._cc[b], self._a1[b], c.weight)
        for _p, _s, _e, kid in demos:
            cc, a1 = gaz.demonym_targets[kid][0]
            ev1.add(-1, cc, a1, DEMONYM_WEIGHT)

        # Pass 2: every candidate with the anchors' evidence; its readings are the evidence for the final pass.
        ev2 = ev1.copy()
        self._resolve_all(cands, ev1, _is_anchor)
        for c in cands:
            if c.ents and not c.anchor and c.best >= 0:
                ev2.add(c.kid, self._cc[c.best], self._a1[c.best], c.weight)

        # Pass 3: final readings.
        fcev: dict[str, float] = {}
        faev: dict[str, float] = {}
        order: dict[str, int] = {}
        cev, aev = ev2.cev, ev2.aev
        if ev2.cev == ev1.cev and ev2.aev == ev1.aev:
            # Nothing new was learnt in pass 2: only anchors with several readings still need the evidence.
            self._resolve_all(cands, ev2, _not_multi_anchor)
        else:
            self._resolve_all(cands, ev2, _single_anchor)
        if any(c.anchor and c.best != c.first for c in cands):
            # An ambiguous anchor changed its mind once the evidence came in (Georgia next to Alabama towns): its
            # first reading's evidence was wrong, so the others are scored again with the final readings.
            ev3 = _Evidence()
            for c in cands:
                if c.ents and c.best >= 0:
                    ev3.add(c.kid, self._cc[c.best], self._a1[c.best], c.weight)
            for _p, _s, _e, kid in demos:
                cc, a1 = gaz.demonym_targets[kid][0]
                ev3.add(-1, cc, a1, DEMONYM_WEIGHT)
            self._resolve_all(cands, ev3, _single_anchor)
        self._one_sense_per_article(cands)
        self._mark_metonymy(cands, texts)
        for c in cands:
            if not c.ents:
                continue
            if c.best < 0:
                if c.why == "common":
                    res.n_common_word_skipped += 1
                continue
            w = c.weight
            if c.meto:
                w *= METONYMY_WEIGHT
            conf = self._confidence(c)
            self._add_evidence(c.best, w * conf, fcev, faev)
            order.setdefault(self._cc[c.best], len(order))
            if c.para != title_idx:
                res.mentions[c.para].append(self._mention(c, texts[c.para], conf))

        for p, s, e, kid in demos:
            targets = gaz.demonym_targets[kid]
            cc, a1 = max(targets, key=lambda t: (cev.get(t[0], 0.0) + (aev.get(t[1], 0.0) if t[1] else 0.0),
                                                 -targets.index(t)))
            fcev[cc] = fcev.get(cc, 0.0) + DEMONYM_WEIGHT * (TITLE_WEIGHT if p == title_idx else 1.0)
            order.setdefault(cc, len(order))
            if a1:
                faev[a1] = faev.get(a1, 0.0) + DEMONYM_WEIGHT
            if p != title_idx:
                res.demonyms[p].append({"text": texts[p][s:e], "start": s, "end": e, "country_code": cc,
                                        "admin1_code": a1})
        for lst in res.mentions:
            lst.sort(key=lambda m: m["start"])
        for lst in res.demonyms:
            lst.sort(key=lambda m: m["start"])
        self._summarise(res, fcev, faev, order)
        return res

    def _one_sense_per_article(self, cands: list[_Cand]) -> None:
        """A name the article has already shown to be a place ("READING, England —", "in Hope") is that place
        again where only its being an everyday word or a small town held it back ("the edge of Reading").
        Sentence-initial occurrences and those inside a longer capitalised name stay gated: "Reading the report"
        is still a verb, "Reading Borough Council" an organisation."""
        seen: dict[int, _Cand] = {}
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

    def _would_fire(self, p: int, s: int, e: int, kid: int, text: str) -> bool:
        """Whether a match inside an organisation's name would have been a place mention on its own."""
        if not self._cands[kid]:
            return False
        c = _Cand(p, s, e, kid, self._flags[kid], list(self._cands[kid]), 1.0)
        self._context(c, text, False)
        c.prev_cap = c.next_cap = False  # the organisation's other words are not a person's name
        self._resolve(c, {}, {})
        return c.best >= 0

    def _add_evidence(self, ent: int, w: float, cev: dict[str, float], aev: dict[str, float]) -> None:
        cc = self._cc[ent]
        if cc:
            cev[cc] = cev.get(cc, 0.0) + w
        a1 = self._a1[ent]
        if a1:
            aev[a1] = aev.get(a1, 0.0) + w

    def _confidence(self, c: _Cand) -> float:
        base = 1.0 / (1.0 + math.exp(-(c.score - 4.0) / 1.5))
        conf = base * (1.0 - 0.5 * math.exp(-max(c.margin, 0.0)))
        if c.prev_cap:
            conf *= 0.8
        return round(min(0.99, max(0.05, conf)), 3)

    def _is_metonymy(self, c: _Cand, text: str) -> bool:
        """Whether a country or capital stands for its government here: the subject of a speech, policy or
        military verb ("Islamabad denied", "Mexico would not accept", "Moscow was trying", "Hungary dropped"),
        the object of a diplomatic or accusing verb ("urged Washington", "keep pressing Budapest"), a party to
        talks and deals ("a peace deal with Manila"), the source of a political act ("a proposal from
        Washington") or the agent of a passive ("hosted by Saudi Arabia"). A locative phrase ("in Moscow",
        "near Kabul"), a modifier ("Pakistan-based", "Kenya's minister") or a place noun after it ("the
        Kabul valley") never is."""
        ent = c.best
        if not (self._kind[ent] == "country" or self._cap[ent]):
            return False
        e = c.e
        nxt = text[e : e + 1]
        if nxt in ("-", "'", "’") or (nxt == " " and _next_word(text, e + 1) in GEO_AFTER):
            return False
        lo = max(0, c.s - 50)
        if _METO_BEFORE.search(text, lo, c.s):
            return True
        m = _METO_PASSIVE_BY.search(text, lo, c.s)
        if m and m.group(1) not in _NOT_AGENT_BY:
            return True
        if c.prep:
            return False
        prev = c.prev_word.lower()
        if prev in _NOT_SUBJECT_PREV:
            # "the" belongs to some country names ("and the United States have ..."): look one word further.
            if prev != "the" or self._kind[ent] != "country":
                return False
            before = _prev_word(text, c.s - 5) if c.s >= 5 and text[c.s - 5] == " " else ""
            if before.lower() in _NOT_SUBJECT_PREV or before.lower() in PREPOSITIONS:
                return False
        if _METO_AFTER.match(text, e):
            return True
        return self._subject_verb(text, e)

    @staticmethod
    def _subject_verb(text: str, e: int) -> bool:
        """A verb right after a place (after adverbs and an auxiliary) that makes the place its acting subject:
        after "will/would/could/did ..." a base form, after "is/was ..." an "-ing" form, after "has/had" a
        participle, and with no auxiliary a past or "-s" form of a listed verb or any regular past ("dropped"),
        unless a passive "by" follows or the verb describes the place itself ("has seen", "won")."""
        m = _METO_SUBJECT.match(text, e)
        if not m:
            return False
        aux, verb = m.group(1), m.group(2)
        if verb in _NOT_GOV_VERBS or len(verb) < 3:
            return False
        if aux is None:
            if verb in _GOV_PRESENT or verb in _GOV_PAST:
                return True
            return verb.endswith("ed") and len(verb) > 4 and not text.startswith(" by ", m.end())
        if aux in ("is", "was", "are", "were"):
            return verb.endswith("ing")
        if aux in ("has", "have", "had"):
            return verb.endswith(("ed", "en")) or verb in _GOV_PAST
        return verb in _GOV_BASE or verb.endswith(("ise", "ize", "ate", "ect", "ore", "ain", "end", "ept")) or (
            verb not in _NOT_GOV_VERBS and not verb.endswith(("ly", "ing", "ed", "s")))

    def _mark_metonymy(self, cands: list[_Cand], texts: list[str]) -> None:
        """Set ``meto`` on every resolved candidate; then a country or capital coordinated with a metonymic one
        ("Britain and the United States have carried out strikes", "called on Washington and Paris") shares
        its reading."""
        prev: _Cand | None = None
        for c in cands:
            if not c.ents or c.best < 0:
                continue
            c.meto = self._is_metonymy(c, texts[c.para])
            if prev is not None and prev.para == c.para and prev.meto != c.meto and self._coordinated(prev, c, texts):
                prev.meto = c.meto = True
            prev = c

    def _coordinated(self, a: _Cand, b: _Cand, texts: list[str]) -> bool:
        text = texts[a.para]
        if a.e >= b.s or text[a.e : b.s] not in _COORD_GAPS:
            return False
        ka, kb = self._kind[a.best], self._kind[b.best]
        return (ka == "country" or self._cap[a.best]) and (kb == "country" or self._cap[b.best]) and \
            text[b.e : b.e + 1] not in ("-", "'", "’")

    def _mention(self, c: _Cand, text: str, conf: float) -> dict:
        g, e = self.gaz, c.best
        a1 = self._a1[e]
        kind = self._kind[e]
        return {
            "text": text[c.s : c.e],
            "start": c.s,
            "end": c.e,
            "name": g.ent_name[e],
            "geonameid": g.ent_gid[e],
            "kind": kind,
            "country_code": self._cc[e] or None,
            "admin1_name": g.admin1_name.get(a1) if a1 else None,
            "admin1_code": a1,
            "lat": g.ent_lat[e],
            "lon": g.ent_lon[e],
            "confidence": conf,
            "metonymy": c.meto,
        }

    def _summarise(self, res: PlaceResult, cev: dict[str, float], aev: dict[str, float], order: dict[str, int]) -> None:
        g = self.gaz
        ranked = sorted(cev, key=lambda cc: (-cev[cc], order.get(cc, 99)))
        res.countries = ranked
        res.primary_country = ranked[0] if ranked else None
        total = sum(aev.values())
        regions = sorted(aev, key=lambda a: -aev[a])
        res.regions = [
            {"admin1_code": a, "name": g.admin1_name.get(a, a), "country_code": a.split(".")[0],
             "score": round(aev[a] / total, 3)}
            for a in regions
        ]
        for r in res.regions:
            if r["country_code"] == res.primary_country:
                res.primary_region, res.primary_region_code = r["name"], r["admin1_code"]
                break
        res.m49_subregion = g.m49.get(res.primary_country) if res.primary_country else None


def _next_word(text: str, i: int) -> str:
    """The word starting at ``i`` (letters only, so "state," gives "state")."""
    j = i
    n = len(text)
    while j < n and text[j].isalpha():
        j += 1
    return text[i:j]


def _prev_word(text: str, i: int) -> str:
    """The word ending just before the space at ``i`` ("town" in "the town of")."""
    j = i
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    return text[j:i]


def _never(c: _Cand) -> bool:
    return False


def _is_anchor(c: _Cand) -> bool:
    return c.anchor


def _not_multi_anchor(c: _Cand) -> bool:
    return not c.anchor or len(c.ents) == 1


def _single_anchor(c: _Cand) -> bool:
    return c.anchor and len(c.ents) == 1  # a single certain reading cannot change


class _Evidence:
    """Country and region evidence, also kept per name so a name can be scored without its own evidence."""

    __slots__ = ("cev", "aev", "by_key")

    def __init__(self) -> None:
        self.cev: dict[str, float] = {}
        self.aev: dict[str, float] = {}
        self.by_key: dict[int, list[tuple[str, str | None, float]]] = {}

    def add(self, kid: int, cc: str, a1: str | None, w: float) -> None:
        if cc:
            self.cev[cc] = self.cev.get(cc, 0.0) + w
        if a1:
            self.aev[a1] = self.aev.get(a1, 0.0) + w
        self.by_key.setdefault(kid, []).append((cc, a1, w))

    def copy(self) -> _Evidence:
        out = _Evidence()
        out.cev, out.aev = dict(self.cev), dict(self.aev)
        out.by_key = {k: list(v) for k, v in self.by_key.items()}
        return out

    def excluding(self, kid: int) -> tuple[dict[str, float], dict[str, float]]:
        own = self.by_key.get(kid)
        if not own:
            return self.cev, self.aev
        cev, aev = dict(self.cev), dict(self.aev)
        for cc, a1, w in own:
            _take(cev, cc, w)
            _take(aev, a1, w)
        return cev, aev


def _take(ev: dict[str, float], key: str | None, w: float) -> None:
    if key is None or key not in ev:
        return
    left = ev[key] - w
    if left > 1e-9:
        ev[key] = left
    else:
        del ev[key]
