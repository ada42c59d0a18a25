"""Seeded generator of English news articles with the word statistics of real prose (the benchmark corpus).

Why not ``textgen``: its 58 sentence templates make unrelated paragraphs share whole phrases, so the word-bigram
Jaccard of two random paragraphs was about 5x that of real news and chance near-duplicate candidates about 30x as
frequent (issue 18). ``textgen`` stays what the near-duplicate evaluation needs (hard negatives built from the same
templates); this module is for corpora whose *unrelated* paragraphs should be as unrelated as real ones.

How: sentences are built, not filled in. A sentence draws a target length from a log-normal (median about 21
words, as in Wikinews), starts from one of several clause shapes (transitive, perfect, passive, modal, control
verb, copula, existential, reported speech, quotation) and grows by prepositional phrases, time phrases, relative
and subordinate clauses, coordination and attribution until it reaches that length. Every open-class slot draws its
word from a large lexicon with Zipfian weights (rank r has weight 1 / (r + 8)): articles on one topic draw 60% of
their nouns, verbs and adjectives from that topic's list, repeat a few keywords of their own, and name their own
people, places and organisations. Function words come from the grammar itself, so "of the", "in the", "said the"
are as common as they are in real text and shared rare phrases are not.

All vocabulary was written for this project; nothing is copied from any text. Deterministic for a seed.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import textgen  # noqa: E402  (names and places only)

# --- Lexicon ---------------------------------------------------------------------------------------------------
# Nouns: "singular" or "singular/plural" when the plural is irregular. Verbs: "base" or "base/past/participle".
# Lists are in rough order of frequency: the Zipfian draw favours the front.

GENERAL_NOUNS = """
government official year people week day month report statement country city area group plan decision
member leader minister police part number system case service issue law policy programme community family
world home school state force office council region meeting interview support change problem question money
time result action effort process project job week end start side point level rate cost price effect order
deal talk demand call request warning threat concern fear hope sign move step measure rule agreement
proposal vote election campaign party team centre district village town province border road street building
site facility hospital clinic station market company firm business industry sector worker employee staff
resident citizen child/children woman/women man/men student teacher doctor nurse farmer driver patient victim
witness expert analyst researcher scientist spokesperson spokesman spokeswoman director chief head chairman
president governor mayor judge lawyer prosecutor officer soldier commander volunteer
authority agency ministry department committee commission board court parliament assembly union organisation
charity network institute university laboratory
information data evidence figure study survey analysis review inquiry investigation trial hearing charge
claim allegation account record document letter message post video photo image website
food water fuel power energy electricity gas oil land crop harvest livestock animal forest river coast sea island
weather rain flood storm drought fire heat season winter summer
attack incident accident crash explosion damage loss death injury case outbreak infection disease illness
test vaccine treatment drug medicine
budget tax fund loan debt payment salary wage income profit share stake bank investor customer contract
network route flight train bus ship port airport vehicle car truck bridge tunnel highway
history tradition culture language religion church mosque temple festival ceremony event show match game
season title trophy player coach fan stadium
crowd protest rally march strike boycott dispute conflict crisis emergency shortage delay closure ban
restriction curfew lockdown
technology internet phone computer software app platform device system model machine
record rise fall increase decline drop growth recovery
""".split()

GENERAL_VERBS = """
say/said/said make/made/made take/took/taken give/gave/given find/found/found tell/told/told
hold/held/held keep/kept/kept leave/left/left bring/brought/brought build/built/built send/sent/sent
lose/lost/lost win/won/won meet/met/met pay/paid/paid spend/spent/spent sell/sold/sold buy/bought/bought
lead/led/led set/set/set put/put/put cut/cut/cut run/ran/run begin/began/begun break/broke/broken
choose/chose/chosen draw/drew/drawn drive/drove/driven fall/fell/fallen grow/grew/grown know/knew/known
rise/rose/risen see/saw/seen show/showed/shown speak/spoke/spoken write/wrote/written
announce confirm report reject approve accept receive release raise reduce increase launch open close
announce arrest charge accuse deny claim warn urge ask call order allow require expect plan
introduce propose support oppose criticise praise welcome condemn review examine investigate study
identify discover detect record measure track monitor test treat protect defend attack destroy damage
kill injure rescue evacuate relocate displace deploy withdraw remove replace restore repair
develop produce provide supply deliver transport export import offer share publish post
sign join form create establish organise host visit attend celebrate mark remember honour
prevent stop block delay cancel postpone suspend resume continue complete finish start
improve change affect involve include describe explain discuss debate consider decide
question interview contact inform notify alert advise recommend suggest
""".split()

GENERAL_ADJECTIVES = """
new local national public former other major first last main large small high low long short early late
recent current final general senior special local regional international foreign federal private military
political economic social financial legal medical official full serious significant important strong
possible likely available similar different single common key clear open free safe
young old rural urban northern southern eastern western central coastal remote nearby
annual weekly daily monthly additional extra further total average growing rising falling
independent temporary permanent emergency previous next separate joint official
""".split()

GENERAL_ADVERBS = """
also still already now later again recently currently soon quickly finally immediately previously
officially publicly reportedly largely partly mostly nearly almost only even
""".split()

TOPIC_NOUNS: dict[str, str] = {
    "health": """virus outbreak case patient infection vaccine vaccination dose hospital clinic ward symptom fever
        cough strain sample laboratory test epidemic pandemic quarantine isolation contact tracing surveillance
        health ministry doctor nurse mosquito bird pig poultry farm flu measles cholera malaria tuberculosis
        dengue antibody immunity mortality transmission carrier host pathogen bacterium/bacteria treatment
        diagnosis screening campaign coverage""",
    "conflict": """attack militant fighter rebel troop soldier army checkpoint convoy ambush bomb blast explosion
        gunman/gunmen casualty ceasefire truce offensive operation raid strike drone missile shell artillery
        weapon rifle militia insurgency insurgent hostage kidnapping camp refugee displacement frontline
        garrison patrol base stronghold""",
    "politics": """election vote ballot voter candidate campaign party coalition opposition parliament assembly
        senate lawmaker legislator bill amendment constitution referendum cabinet reshuffle minister premier
        president presidency term mandate seat majority poll coalition manifesto speech debate motion""",
    "economy": """inflation price market economy growth currency export import tariff trade investment
        investor bank loan interest budget deficit debt tax revenue subsidy wage salary unemployment job
        factory industry output production demand supply shortage stock share profit loss quarter forecast""",
    "environment": """climate emission pollution carbon forest wildlife species habitat river lake flood drought
        storm cyclone hurricane rainfall temperature heatwave wildfire glacier coastline reef conservation
        park reserve waste plastic recycling energy solar wind turbine dam reservoir""",
    "justice": """court judge trial verdict sentence prison jail prisoner suspect defendant lawyer prosecutor
        prosecution appeal ruling case charge offence crime fraud corruption bribery murder theft police
        investigation detective witness testimony evidence warrant bail""",
    "transport": """road highway bridge railway train station airport flight airline passenger bus ferry port
        ship vessel cargo traffic accident crash driver vehicle truck lorry route service timetable ticket
        fare strike delay closure repair""",
    "science": """study research researcher scientist university laboratory experiment data model telescope
        satellite spacecraft mission launch orbit planet star galaxy fossil species gene genome cell protein
        trial discovery journal paper finding technology software robot""",
    "sport": """match game team player coach club league championship tournament cup final semi-final season
        goal point score victory defeat draw title medal race runner athlete record stadium fan transfer
        contract injury squad""",
}

TOPIC_VERBS: dict[str, str] = {
    "health": "infect vaccinate isolate quarantine test diagnose treat spread hospitalise screen cull confirm",
    "conflict": "attack ambush bomb shell capture seize storm retreat advance shoot/shot/shot fight/fought/fought "
                "kidnap free target",
    "politics": "elect vote campaign nominate appoint resign dismiss govern legislate veto amend ratify endorse",
    "economy": "invest trade borrow lend/lent/lent export import tax subsidise hire employ fire forecast grow/grew/grown",
    "environment": "pollute flood burn melt protect conserve recycle plant emit clean",
    "justice": "sentence convict acquit arrest charge prosecute sue jail appeal rule testify",
    "transport": "fly/flew/flown sail drive/drove/driven land crash derail divert reroute board",
    "science": "discover observe measure analyse publish model sequence launch orbit detect",
    "sport": "score beat/beat/beaten defeat draw/drew/drawn qualify sign play train coach compete",
}

TOPIC_ADJECTIVES: dict[str, str] = {
    "health": "infected sick contagious viral deadly fatal mild severe vaccinated",
    "conflict": "armed hostile militant wounded dead injured heavy fierce",
    "politics": "electoral parliamentary presidential constitutional democratic ruling",
    "economy": "economic fiscal monetary commercial industrial annual quarterly",
    "environment": "environmental toxic renewable endangered extreme dry wet",
    "justice": "criminal guilty innocent judicial legal corrupt",
    "transport": "delayed cancelled busy crowded overnight direct",
    "science": "scientific genetic digital experimental solar early ancient",
    "sport": "unbeaten decisive home away professional competitive",
}

TOPICS = tuple(TOPIC_NOUNS)

ORG_HEADS = ("{c} {x} Ministry", "{p} {x} Agency", "{p} {x} Institute", "{c} {x} Council", "{p} {x} Authority",
             "{x} Workers' Union", "{c} {x} Commission", "{p} {x} Association", "{x} Board", "{p} {x} Office",
             "{c} {x} Service", "{x} Foundation", "{p} {x} Trust", "{x} Network", "{p} {x} Directorate")
ORG_FIELDS = ("Health", "Agriculture", "Transport", "Energy", "Education", "Finance", "Justice", "Environment",
              "Public Works", "Water Resources", "Fisheries", "Labour", "Trade", "Science", "Housing", "Tourism",
              "Communications", "Culture", "Defence", "Interior", "Planning", "Statistics")
ORG_PREFIXES = ("National", "Federal", "Regional", "Provincial", "Central", "State", "Royal", "Metropolitan")
TITLES = ("Minister", "Governor", "Mayor", "Director", "Senator", "Professor", "Dr", "Judge", "Commissioner",
          "Chief Executive", "Spokesperson", "Inspector", "Secretary", "Chairman", "General", "Colonel")
PREPOSITIONS = ("in", "in", "in", "on", "at", "for", "with", "from", "to", "near", "across", "after", "during",
                "over", "against", "under", "between", "through", "outside", "around", "without", "despite")
SUBORDINATORS = ("after", "as", "because", "while", "although", "before", "since", "when", "until", "even though",
                 "so that", "once", "unless", "if")
MODALS = ("will", "would", "could", "may", "might", "should", "must", "can")
CONTROL_VERBS = ("plan", "agree", "try", "decide", "refuse", "promise", "want", "hope", "fail", "vow", "threaten",
                 "seek", "need", "attempt", "prepare", "intend", "continue", "begin/began/begun")
REPORT_VERBS = ("said", "said", "said", "told reporters", "added", "noted", "explained", "warned", "stated",
                "confirmed", "argued", "insisted", "wrote", "claimed", "said in a statement", "told the press")
TIME_PHRASES = ("on {day}", "on {day}", "last week", "last month", "this week", "earlier this year",
                "in {month}", "since {month}", "on {day} morning", "late on {day}", "by {month}",
                "in {year}", "over the weekend", "for {n} days", "for the past {n} years", "within {n} weeks",
                "at the end of {month}", "two days later", "the following day", "last year", "next year")
DAYS, MONTHS = textgen.DAYS, textgen.MONTHS
NUM_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozens of", "hundreds of",
             "several", "many", "some", "few", "thousands of")


def _plural(noun: str) -> str:
    if noun.endswith(("s", "sh", "ch", "x", "z")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def _past(verb: str) -> str:
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    if len(verb) <= 4 and verb[-1] in "bdgmnpt" and verb[-2] in "aeiou" and verb[-3:-2] not in "aeiou":
        return verb + verb[-1] + "ed"  # stop, plan, ban
    return verb + "ed"


def _third(verb: str) -> str:
    return _plural(verb) if not verb.endswith("y") or verb[-2:-1] in "aeiou" else verb[:-1] + "ies"


@dataclass(frozen=True)
class Noun:
    sg: str
    pl: str


@dataclass(frozen=True)
class Verb:
    base: str
    past: str
    pp: str
    third: str


def _nouns(words: list[str]) -> list[Noun]:
    out = []
    for w in dict.fromkeys(words):
        sg, _, pl = w.partition("/")
        out.append(Noun(sg, pl or _plural(sg)))
    return out


def _verbs(words: list[str]) -> list[Verb]:
    out = []
    for w in dict.fromkeys(words):
        parts = w.split("/")
        base = parts[0]
        past = parts[1] if len(parts) > 1 else _past(base)
        pp = parts[2] if len(parts) > 2 else past
        out.append(Verb(base, past, pp, "has" if base == "have" else _third(base)))
    return out


class Zipf:
    """Draw from a list with weight 1 / (rank + offset): a few items are common, most are rare."""

    def __init__(self, items: list, offset: float = 8.0, exponent: float = 1.0):
        self.items = items
        self.cum = list(itertools.accumulate(1.0 / (r + offset) ** exponent for r in range(len(items))))

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


_G_NOUNS, _G_VERBS = _nouns(GENERAL_NOUNS), _verbs(GENERAL_VERBS)
_G_ADJ = list(dict.fromkeys(GENERAL_ADJECTIVES))
_T_NOUNS = {t: _nouns(v.split()) for t, v in TOPIC_NOUNS.items()}
_T_VERBS = {t: _verbs(v.split()) for t, v in TOPIC_VERBS.items()}
_T_ADJ = {t: v.split() for t, v in TOPIC_ADJECTIVES.items()}
_CONTROL = _verbs(list(CONTROL_VERBS))


def _an(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" and not word.startswith(("uni", "use", "one", "eu")) else "a"


@dataclass
class NewsArticle:
    title: str
    paragraphs: list[str]
    topic: str
    city: str
    region: str
    country: str


class NewsGen:
    """``article()`` for a whole story, ``paragraph(story, n_sentences)`` and ``sentence(story)`` for parts."""

    # Log-normal sentence length: median ~21 words with a long right tail (as measured on Wikinews text).
    SENT_MU, SENT_SIGMA, SENT_MIN, SENT_MAX = math.log(17.0), 0.45, 6, 70
    # Sentences per paragraph (wire style: mostly two, often one or three).
    PARA_SENTENCES = ((1, 0.22), (2, 0.56), (3, 0.22))

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        r = random.Random(seed * 7919 + 1)
        # The frequency order of each list is fixed per seed (shuffled within the front and back halves, so the
        # common words stay common), so two seeds do not share exactly the same rank order.
        self.g_nouns = Zipf(self._jumble(r, _G_NOUNS))
        self.g_verbs = Zipf(self._jumble(r, _G_VERBS))
        self.g_adj = Zipf(self._jumble(r, _G_ADJ))
        self.adverbs = Zipf(list(GENERAL_ADVERBS))
        self.t_nouns = {t: Zipf(self._jumble(r, v)) for t, v in _T_NOUNS.items()}
        self.t_verbs = {t: Zipf(self._jumble(r, v)) for t, v in _T_VERBS.items()}
        self.t_adj = {t: Zipf(self._jumble(r, v)) for t, v in _T_ADJ.items()}
        self.preps = Zipf(list(PREPOSITIONS), offset=3.0)
        self.subs = Zipf(list(SUBORDINATORS))
        self.reports = Zipf(list(REPORT_VERBS), offset=1.0)
        self.times = Zipf(list(TIME_PHRASES), offset=12.0)
        self.first = Zipf(r.sample(textgen.FIRST_NAMES, len(textgen.FIRST_NAMES)), offset=20.0)
        self.last = Zipf(r.sample(textgen.LAST_NAMES, len(textgen.LAST_NAMES)), offset=20.0)
        self.places = textgen.ALL_PLACES

    @staticmethod
    def _jumble(r: random.Random, items: list) -> list:
        half = len(items) // 3
        front, back = items[:half], items[half:]
        return r.sample(front, len(front)) + r.sample(back, len(back))

    # --- the story ---------------------------------------------------------------------------------------------

    def story(self) -> dict:
        rng = self.rng
        topic = rng.choice(TOPICS)
        city, region, country = rng.choice(self.places)
        adj, capital, _ = textgen.COUNTRIES.get(country, (country, country, ""))
        people = [(rng.choice(TITLES) if rng.random() < 0.5 else "", f"{self.first(rng)} {self.last(rng)}")
                  for _ in range(rng.randint(1, 4))]
        orgs = []
        for _ in range(rng.randint(1, 3)):
            head = rng.choice(ORG_HEADS)
            orgs.append(head.format(x=rng.choice(ORG_FIELDS), p=rng.choice(ORG_PREFIXES), c=adj))
        keywords = [self.t_nouns[topic](rng) for _ in range(rng.randint(2, 4))]
        return {"topic": topic, "city": city, "region": region, "country": country, "adj": adj,
                "capital": capital, "people": people, "orgs": orgs, "keywords": keywords, "mentioned": set()}

    # --- words -------------------------------------------------------------------------------------------------

    def noun(self, st: dict) -> Noun:
        rng = self.rng
        x = rng.random()
        if x < 0.12:
            return rng.choice(st["keywords"])
        return self.t_nouns[st["topic"]](rng) if x < 0.5 else self.g_nouns(rng)

    def verb(self, st: dict) -> Verb:
        return self.t_verbs[st["topic"]](self.rng) if self.rng.random() < 0.3 else self.g_verbs(self.rng)

    def adj(self, st: dict) -> str:
        return self.t_adj[st["topic"]](self.rng) if self.rng.random() < 0.3 else self.g_adj(self.rng)

    def number(self) -> str:
        rng = self.rng
        x = rng.random()
        if x < 0.35:
            return rng.choice(NUM_WORDS)
        if x < 0.7:
            return str(rng.randint(2, 99))
        if x < 0.9:
            return f"{rng.randint(1, 99) * 10 ** rng.randint(1, 2) + rng.randint(0, 9):,}"
        return f"{rng.randint(1, 9)}.{rng.randint(1, 9)} million"

    def person(self, st: dict, subject: bool = True) -> str:
        rng = self.rng
        title, name = rng.choice(st["people"])
        if name in st["mentioned"] and rng.random() < 0.6:
            return (title + " " if title and rng.random() < 0.5 else "") + name.split()[-1]
        st["mentioned"].add(name)
        if title and rng.random() < 0.6:
            return f"{title} {name}"
        a = self.adj(st)
        return f"{name}, {_an(a)} {a} {self.noun(st).sg}," if subject else name

    def place(self, st: dict) -> str:
        rng = self.rng
        x = rng.random()
        if x < 0.45:
            return st["city"]
        if x < 0.65:
            return st["region"]
        if x < 0.85:
            c = st["country"]
            return "the " + c if c.startswith(("United", "Democratic", "Philippines")) else c
        c, _, _ = rng.choice(self.places)
        return c

    def time(self) -> str:
        rng = self.rng
        return self.times(rng).format(day=rng.choice(DAYS), month=rng.choice(MONTHS), year=rng.randint(1990, 2025),
                                      n=rng.choice(NUM_WORDS[:9]))

    # --- phrases -----------------------------------------------------------------------------------------------

    def np(self, st: dict, plural: bool | None = None, proper: float = 0.15) -> tuple[list[str], bool]:
        """A noun phrase and whether it is plural."""
        rng = self.rng
        x = rng.random()
        if x < proper:
            y = rng.random()
            if y < 0.45:
                return [self.person(st, subject=False)], False
            if y < 0.75:
                return ["the", rng.choice(st["orgs"])], False
            return [self.place(st)], False
        pl = rng.random() < 0.35 if plural is None else plural
        n = self.noun(st)
        words: list[str] = []
        y = rng.random()
        if pl:
            if y < 0.3:
                words.append(self.number())
            elif y < 0.65:
                words.append("the")
            elif y < 0.75:
                words.append(rng.choice(("their", "its", "these", "other", "many", "some", "local")))
        else:
            words.append("the" if y < 0.5 else rng.choice(("a", "a", "its", "his", "her", "their", "this", "another",
                                                            "each", "one", "that", "every", "our")))
        if rng.random() < 0.35:
            words.append(self.adj(st))
        if rng.random() < 0.15:
            words.append(self.noun(st).sg)  # noun compound: "health ministry officials"
        words.append(n.pl if pl else n.sg)
        if words[0] == "a":
            words[0] = _an(words[1])
        if rng.random() < 0.14:
            words += ["of", rng.choice(("the", "the", "the", "a", "its")), self.noun(st).sg] if rng.random() < 0.5 else [
                "in", self.place(st)]
        return words, pl

    def pp(self, st: dict) -> list[str]:
        rng = self.rng
        if rng.random() < 0.3:
            return ["in" if rng.random() < 0.7 else rng.choice(("near", "outside", "across")), self.place(st)]
        return [self.preps(rng), *self.np(st, proper=0.1)[0]]

    def subject(self, st: dict) -> tuple[list[str], bool]:
        rng = self.rng
        x = rng.random()
        if x < 0.2:
            return self.person(st).split(), False
        if x < 0.28:
            return [rng.choice(("he", "she", "they", "it", "we"))], None  # type: ignore[return-value]
        if x < 0.38:
            return ["the", rng.choice(st["orgs"])], False
        return self.np(st, proper=0.0)

    def clause(self, st: dict, with_subject: bool = True) -> list[str]:
        """A finite clause, without the final full stop (only its verb phrase with ``with_subject=False``)."""
        rng = self.rng
        subj, pl = self.subject(st)
        if not with_subject:
            subj, pl = [], False
        if pl is None:
            pl = subj[0] in ("they", "we")
        v = self.verb(st)
        x = rng.random()
        obj = self.np(st)[0]
        adv = [self.adverbs(rng)] if rng.random() < 0.15 else []
        if x < 0.34:
            vp = [*adv, v.past, *obj]
        elif x < 0.46:
            vp = ["have" if pl else "has", *adv, v.pp, *obj]
        elif x < 0.58:
            vp = ["were" if pl else "was", *adv, v.pp] + (["by", *self.np(st)[0]] if rng.random() < 0.3 else [])
        elif x < 0.68:
            vp = [rng.choice(MODALS), *adv, v.base, *obj]
        elif x < 0.78:
            c = rng.choice(_CONTROL)
            vp = [*adv, c.past, "to", v.base, *obj]
        elif x < 0.86:
            vp = ["are" if pl else "is", *adv, rng.choice(("expected to", "likely to", "due to", "set to",
                                                             "unable to", "ready to")), v.base, *obj]
        elif x < 0.97:
            vp = ["were" if pl else "was", *adv, self.adj(st)]
        else:
            return ["there", "were", self.number(), self.noun(st).pl, *self.pp(st)] if with_subject else [
                "was", self.adj(st)]
        return [*subj, *vp]

    def speaker(self, st: dict) -> list[str]:
        rng = self.rng
        x = rng.random()
        if x < 0.5:
            return self.person(st, subject=False).split()
        if x < 0.7:
            return ["the", rng.choice(st["orgs"])]
        w, _ = self.np(st, plural=rng.random() < 0.5, proper=0.0)
        return w

    def sentence(self, st: dict) -> str:
        rng = self.rng
        target = min(self.SENT_MAX, max(self.SENT_MIN, round(rng.lognormvariate(self.SENT_MU, self.SENT_SIGMA))))
        kind = rng.random()
        words = self.clause(st)
        attributed = False
        while len(words) < target - 2:
            x = rng.random() * (0.46 if target - len(words) < 8 else 1.0)  # short ones only near the end
            if x < 0.34:
                words += self.pp(st)
            elif x < 0.46:
                words += self.time().split()
            elif x < 0.58:
                words += [",", rng.choice(("which", "who", "that", "which then", "who also")),
                          *self.clause(st, with_subject=False)]
            elif x < 0.72:
                words += [",", self.subs(rng), *self.clause(st)]
            elif x < 0.84:
                words += [",", rng.choice(("and", "but", "and", "while")), *self.clause(st)]
            elif x < 0.855 and not attributed:
                words += [",", "according to", *self.speaker(st)]
                attributed = True
            else:
                words += [rng.choice(("and", "and", "or", "including", "plus")), *self.np(st)[0]]
        if kind < 0.12:  # a quotation
            text = _join(words)
            sp = _join(self.speaker(st))
            return f"\"{_cap(text)},\" {sp} {self.reports(rng)}."
        if kind < 0.3 and not attributed:  # reported speech
            sp = self.speaker(st)
            lead = [*sp, self.reports(rng).split(" ")[0] if rng.random() < 0.5 else "said"]
            if rng.random() < 0.5:
                lead.append("that")
            return _cap(_join([*lead, *words])) + "."
        if kind < 0.42 and not attributed:
            return _cap(_join([*words, ",", *self.speaker(st), "said"])) + "."
        return _cap(_join(words)) + "."

    def paragraph(self, st: dict, sentences: int | None = None) -> str:
        if sentences is None:
            sentences = _weighted(self.rng, self.PARA_SENTENCES)
        return " ".join(self.sentence(st) for _ in range(sentences))

    def title(self, st: dict) -> str:
        rng = self.rng
        n, pl = self.np(st, proper=0.3)
        v = self.verb(st)
        words = [*n, v.base if pl else v.third, *self.np(st, proper=0.2)[0]]
        if rng.random() < 0.5:
            words += ["in", self.place(st)]
        return " ".join(w if w[0].isupper() else w.capitalize() if len(w) > 3 else w for w in _cap(_join(words)).split())

    def article(self) -> NewsArticle:
        st = self.story()
        n = min(20, max(2, round(self.rng.lognormvariate(math.log(6.5), 0.5))))
        paras = [self.paragraph(st) for _ in range(n)]
        return NewsArticle(self.title(st), paras, st["topic"], st["city"], st["region"], st["country"])

    def background(self, city: str, region: str, country: str) -> str:
        """A stock background paragraph about a place (pasted into several articles)."""
        st = self.story()
        st.update(city=city, region=region, country=country)
        return self.paragraph(st, 2)


def _weighted(rng: random.Random, pairs: tuple[tuple[int, float], ...]) -> int:
    x = rng.random()
    for value, p in pairs:
        x -= p
        if x < 0:
            return value
    return pairs[-1][0]


def _join(words: list[str]) -> str:
    return " ".join(words).replace(" ,", ",").replace(",,", ",").replace(", ,", ",")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]
