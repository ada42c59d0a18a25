"""The fixed rules of the actor tagger: name patterns, organisation head words, word tables, codes and identities.

Kept apart from the tagger so that the tables can be read (and unit tested) on their own: which capitalised word
makes a sequence an organisation, which type and CAMEO role a head word implies, how a code and an ``actor_id`` are
formed, which words keep a capitalised run from being a name. Everything here is pure and cheap; the tagger
compiles it once per process. The modules that apply these rules to an article are ``organisations`` (names of
bodies), ``people`` (names of persons) and ``context`` (countries and unnamed agents).
"""
from __future__ import annotations

import re
from functools import lru_cache

import pycountry

# Upper-case letters a name may start with: ASCII, Latin-1 and the common Latin Extended-A capitals.
UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪİĶŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŹŻŽ"
# One capitalised token: "Chaudhry", "Tehrik-i-Taliban", "People's", "al-Sisi", or an initial "W."; a plural
# possessive keeps its apostrophe before another capitalised word ("Manufacturers' Association").
NAME_TOK = rf"(?:[{UPPER}][\w'’\-]*\w(?:['’](?= [{UPPER}]))?|[{UPPER}]\.|[{UPPER}]|(?:al|el|ul|ud|ad|ash|as|at|az|bin)-[{UPPER}][\w'’\-]*\w)"
# Lower-case words allowed inside a capitalised sequence (organisation complements and name particles).
CONNECTORS = ("of", "for", "on", "and", "the", "to", "de", "da", "del", "der", "van", "von", "bin", "ibn", "dos",
              "du", "la", "le", "wal", "al", "y", "&")
ORG_CONNECTORS = frozenset(("of", "for", "on", "and", "the", "to", "&"))
# Two or more capitalised tokens joined by single spaces and connectors: the only spans that can be multi-word
# names of people or organisations found by pattern.
# Written for speed, matching exactly what "(?=[A-Z])(?<![\w'’.\-])NAME_TOK(?:(?: (?:CONNECTORS))* NAME_TOK)+"
# would: the pattern starts with a plain capital (the first token without the particle alternative, which cannot
# start with one) and only then looks behind it, so the engine skips lower-case text in C instead of trying every
# position; and a token's letters are taken atomically, since only a token ending at its last word character can
# be followed by a space or end the sequence (no backtracking letter by letter on "The", "Chaudhry said").
_RUN = r"(?>[\w'’\-]*\w)"
_FIRST_TOK = rf"[{UPPER}](?<![\w'’.\-].)(?:{_RUN}(?:['’](?= [{UPPER}]))?|\.|)"
_SEQ_TOK = (rf"(?:[{UPPER}]{_RUN}(?:['’](?= [{UPPER}]))?|[{UPPER}]\.|[{UPPER}]|"
            rf"(?:al|el|ul|ud|ad|ash|as|at|az|bin)-[{UPPER}]{_RUN})")
SEQ_RE = re.compile(
    rf"{_FIRST_TOK}(?:(?: (?:{'|'.join(re.escape(c) for c in CONNECTORS)}))* {_SEQ_TOK})+"
)
TOKEN_RE = re.compile(r"\S+")
# A run of one to four capitalised tokens (a company name has no lower-case words but "of" and "&").
NAME_RUN = rf"{NAME_TOK}(?:(?: (?:of|&))? {NAME_TOK}){{0,3}}"
# Context cues that make an unknown capitalised name an organisation (``organisations.cue_orgs``).
# Cue words found by the tagger's dictionary scan: word -> (role of a name after "<word> at/of/for X", or
# "-" for none; role of a name right before "X <word>", or "-" for none). "STATEMENT" needs a non-person name.
CUE_WORDS: dict[str, tuple[str | None, str | None]] = {
    **dict.fromkeys(("shares", "stock", "stake", "stakes"), ("BUS", "BUS")),
    **dict.fromkeys(("chief executive", "chief executive officer", "CEO", "boss"), ("BUS", "BUS")),
    **dict.fromkeys(("analyst", "analysts", "economist", "economists", "strategist", "strategists", "banker",
                     "bankers", "investor", "investors"), ("BUS", "-")),
    **dict.fromkeys(("chairman", "chairwoman", "founder", "co-founder", "owner", "executive", "executives",
                     "employees", "engineers", "researchers", "spokesman", "spokeswoman", "spokesperson", "partner",
                     "partners", "lawyers"), (None, "-")),
    **dict.fromkeys(("share price", "board", "shareholders"), ("-", "BUS")),
    "union": ("-", "LAB"),
    **dict.fromkeys(("said in a statement", "said in a filing"), ("-", "STATEMENT")),
}
# The preposition and name after a cue word ("shares in X", "an analyst at X"); "in" only after shares/stakes.
CUE_NAME_AFTER = re.compile(rf" (in|of|at|for|with) (?:the )?({NAME_RUN})")
# "X, the carmaker,": an apposition whose head noun makes the name before it an organisation. Starts with a
# literal, so the scan skips ahead fast.
_ORG_NOUNS = ("maker|company|firm|group|bank|lender|carmaker|automaker|chipmaker|retailer|insurer|airline|"
              "conglomerate|start-up|startup|manufacturer|producer|supplier|developer|operator|broker|club|giant|"
              "corporation|outfit|chain|brewer|miner|utility|fund|investor|asset manager")
ORG_CUE_APPOS = re.compile(
    rf", (?:the|a|an) (?:[\w'’-]+ ){{0,4}}?(?:{_ORG_NOUNS})(?=[,.;:)]| (?:that|which|said|has|had|is|was|in|on|"
    r"for|with|whose|and|based|owned)\b)"
)
NAME_RUN_END = re.compile(rf"(?<![\w'’.\-])({NAME_RUN})$")
ACRONYM_DEF_RE = re.compile(r" \(([A-Z][A-Za-z0-9&\-]{1,9})\)")

# A bare all-capital token ("NCAA", "BWF", "MTV"), not inside a hyphenated or dotted word. Written to start with
# a plain capital and only then look behind it, so the engine skips lower-case text in C.
BARE_ACRONYM = re.compile(r"[A-Z](?<![\w'’.\-&/].)[A-Z0-9&]{1,7}(?![\w'’\-&/]|\.\w)")
ROMAN = re.compile(r"[IVXLCDM]+")
LETTER_DIGIT = re.compile(r"[A-Z][0-9]")
# Another all-capital word right before or after a token: a run of words set in capitals, not one acronym.
CAPS_NEIGHBOUR = re.compile(r"[A-Z]{3} $")
CAPS_NEXT = re.compile(r" [A-Z]{3}")
# All-capital abbreviations that are no organisation: units, currencies, time zones, titles, diseases, things.
NOT_ORG_ACRONYMS = frozenset(
    "USA UAE USSR GDP GNP CPI HIV AIDS DNA RNA CEO CFO COO CTO CIO VIP UFO GPS SMS USB PDF HTML FAQ ATM MBA MVP ERA "
    "RBI TKO GMT UTC EST PST CET EDT PDT CST BST IST PKT EAT WAT COVID SARS MERS WMD IED IEDS RPG OBE MBE CBE KBE "
    "LGBT LGBTQ ICU ISBN URL CCTV SUV NGO NGOS MPH KPH PPE UAV UAVS AWOL ASAP TBA RIP POW POWS CPU GPU RAM ROM LCD "
    "LED TNT APC APCS IDP IDPS MRI ECG PIN AKA NYC USD EUR GBP JPY INR PKR NGN KES ZAR RMB CNY CHF TBD UHF VHF DIY "
    "THE AND FOR NOT BUT YOU ARE WAS HIS HER ALL NEW OLD MPS CEOS DVD DVDS VCR BMX RPM KGS KMS CCS TVS ADS BBQ "
    "SOS OMG LOL AKM IPO IPOS ETF ETFS VAT GST ROI EBITDA EPS AGM EGM MOU MOUS LNG LPG CNG OPD ATV AWD KM "
    "QED NOK SEK DKK PLN RUB TRY UAH IRR EGP SAR AED QAR BDT LKR NPR AFN ETB".split()
)
# A team after its home place: one or two capitalised words, the last a plural ("Bruins", "Blue Jays").
TEAM_AFTER_PLACE = re.compile(rf" ([{UPPER}][a-z]+)(?: ([{UPPER}][a-z]+))?(?<=[a-rt-z]s)(?![\w'’\-]| [{UPPER}])")
# Plurals after a place name that make a place or a population, not a team.
NOT_TEAM_PLURALS = frozenset(
    "Heights Falls Springs Hills Plains Lakes Woods Gardens Keys Rapids Sands Meadows Flats Glades Narrows Cliffs "
    "Shoals Downs Fields Highlands Lowlands Wetlands Territories States Provinces Regions Districts Counties Towns "
    "Cities Villages Islands Mountains Rocks Waters Banks Ridges Peaks Forests Marshes Dunes Caves Pass Ports Docks "
    "Streets Roads Lanes Terraces Towers Heights Residents Citizens Officials Authorities Forces Police Times "
    "Games Olympics Championships Awards Talks Accords Protests Riots Elections Affairs Studies Sciences Works "
    "Areas Parts Agencies Airports Stations Hospitals Schools Universities Muslims Christians Jews Hindus Sikhs".split()
)

# Capitalised words that begin sentences or precede names without being part of them.
LEADING_STOP = frozenset(
    "The A An In At On From To Near For By With And But Or Of Outside Inside Across Around After Before Since During "
    "When While Where Why How What Who Whose Whom Despite Amid Among Against Beyond Through Throughout Toward "
    "Towards Via Within Without Under Over Meanwhile Also Only Even Until As If Although Though Both Between "
    "Including Like Unlike Then Now Here There This That These Those Our Their His Her Its My Your We They He She It "
    "I Many Most Some All Every Each Several Few Other Another Such Yesterday Today Tonight Last Next Earlier Later "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December Former Acting Deputy Senior Top Local Mr Mrs Ms Dr Sir Dame Then-"
    "President Then-Prime Late Said Says Asked Told According Speaking Police Army Military Government".split()
)
# Words that never end or form a person's name (facilities, collective nouns, calendar words).
NOT_NAME = frozenset(
    "Day Street Road Avenue Square Park Bridge River Valley Airport Station Market Hotel Hospital School University "
    "College Church Mosque Temple Stadium Tower Centre Center Camp Prison Jail Port Harbour Harbor Highway Lake "
    "Mountain Mountains Island Islands Province Region District County State City Town Village Republic Kingdom "
    "Islamic Muslim Muslims Christian Christians God Allah Eid Ramadan Christmas Easter Cup League Games Olympics "
    "News Times Post Daily Herald Monitor Ledger Courier Express Tribune Journal Gazette Review Press Report "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December North South East West Northern Southern Eastern Western Central Act Law "
    "Bill Code Plan Project Programme Program Initiative Strategy Operation Accord Agreement Treaty Summit Conference "
    "Forum Award Prize War Revolution Uprising Spring Border Line Zone Corridor Road Gate Mall".split()
)

# Organisation head words: (type, CAMEO role or None). "ARMY" marks heads whose type depends on a country word.
ORG_HEADS: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(("Ministry", "Department", "Cabinet", "Government", "Presidency", "Secretariat",
                     "Administration", "Office", "Directorate", "Inspectorate"), ("GOVERNMENT", "GOV")),
    **dict.fromkeys(("Treasury", "Exchequer"), ("GOVERNMENT", "GOV")),
    **dict.fromkeys(("Parliament", "Assembly", "Senate", "Congress", "Duma", "Legislature"), ("GOVERNMENT", "LEG")),
    **dict.fromkeys(("Court", "Tribunal"), ("ORGANIZATION", "JUD")),
    **dict.fromkeys(("Army", "Forces", "Force", "Corps", "Navy", "Guard", "Guards", "Rangers", "Marines",
                     "Gendarmerie", "Military"), ("ARMY", "MIL")),
    **dict.fromkeys(("Police", "Constabulary"), ("SECURITY_FORCE", "COP")),
    **dict.fromkeys(("Brigade", "Brigades", "Battalion", "Battalions", "Militia", "Mujahideen", "Resistance",
                     "Liberation"), ("ARMED_GROUP", "REB")),
    **dict.fromkeys(("Party",), ("ORGANIZATION", "PTY")),
    **dict.fromkeys(("Bank", "Company", "Corporation", "Corp", "Inc", "Ltd", "Holdings", "Airlines", "Airways",
                     "Group"), ("ORGANIZATION", "BUS")),
    **dict.fromkeys(("Club", "Chamber"), ("ORGANIZATION", "BUS")),
    **dict.fromkeys(("News", "Radio", "Broadcasting", "Magazine", "Television"), ("MEDIA", "MED")),
    **dict.fromkeys(("University", "Institute", "College", "School", "Academy"), ("ORGANIZATION", "EDU")),
    **dict.fromkeys(("Hospital",), ("ORGANIZATION", "HLH")),
    **dict.fromkeys(("Records", "Recordings", "Railway", "Railways", "Publishing", "Publishers", "Laboratory"),
                    ("ORGANIZATION", "BUS")),
    **dict.fromkeys(("Conference", "Orchestra", "Band", "Institution", "Museum", "Library", "Scouts", "FC", "HC",
                     "A.F.C.", "F.C."), ("ORGANIZATION", None)),
    **dict.fromkeys(("Foundation", "Charity", "Trust"), ("ORGANIZATION", "NGO")),
    **dict.fromkeys(("Council", "Commission", "Committee", "Agency", "Organisation", "Organization", "Union",
                     "Association", "Federation", "League", "Alliance", "Network", "Fund", "Authority",
                     "Front", "Movement", "Coalition", "Board", "Bureau", "Service", "Services", "Society",
                     "Centre", "Center"), ("ORGANIZATION", None)),
}
# Company suffixes and business head words ("Rivian Automotive", "Acme Capital", "Vale SA"): weak heads, which
# type a name only when no earlier head governs them through a complement ("Ministry of Energy" is a ministry).
WEAK_HEADS = frozenset(
    "Inc. LLC PLC Plc AG SA SE GmbH NV Co Motors Capital Partners Technologies Technology Energy Pharmaceuticals "
    "Pharma Industries Systems Media Electronics Investments Ventures Securities Insurance Labs Laboratories "
    "Entertainment Studios Telecom Communications Petroleum Mining Advisors Advisers Associates Brands Foods "
    "Logistics Semiconductor Semiconductors Therapeutics Financial Bancorp Resources Enterprises Solutions Software "
    "Robotics Biotech Exchange Automotive Aerospace Airline Club Chamber News".split()
)
ORG_HEADS.update({w: ("ORGANIZATION", "BUS") for w in WEAK_HEADS if w not in ORG_HEADS})
# Words inside a name that make it an armed group, and which role they imply.
ARMED_WORDS = {"Liberation": "SEP", "Independence": "SEP", "Separatist": "SEP", "Freedom": "SEP",
               "Jihad": "INS", "Mujahideen": "INS", "Islamic": "INS", "Resistance": "REB", "Rebel": "REB",
               "Rebels": "REB", "Revolutionary": "REB", "Insurgent": "INS", "Militia": "REB", "Brigade": "REB",
               "Brigades": "REB", "Battalion": "REB"}
NATIONAL_WORDS = frozenset(("National", "People's", "Peoples", "Popular", "Democratic", "United", "Patriotic"))
# Words of trade unions and staff bodies: with these a "Congress", "Federation" or "Union" is labour, not a state
# body ("Nigeria Labour Congress", "Police Federation").
LABOUR_WORDS = frozenset(("Labour", "Labor", "Trade", "Trades", "Workers", "Workers'", "Employees", "Teachers",
                          "Teachers'", "Nurses", "Doctors", "Journalists", "Miners", "Transport", "Transit", "Police",
                          "Dockers", "Farmers", "Unions"))
LABOUR_HEADS = frozenset(("Congress", "Federation", "Confederation", "Union", "Association"))
# Words that make a pattern organisation international rather than national: it then gets no article country.
INTL_WORDS = frozenset(("International", "World", "Global", "United", "Nations", "UN", "European", "African",
                        "Asian", "Arab", "Islamic", "Pacific", "Atlantic", "Regional", "Intergovernmental",
                        "Commonwealth", "Red", "Inter-American", "Latin", "Gulf"))
# Role words that belong to one country's institutions: the holder's country when the text names none and the
# article has no country of its own ("Home Secretary Yvette Cooper").
ROLE_COUNTRY = {"home secretary": "GB", "shadow home secretary": "GB", "foreign secretary": "GB",
                "shadow foreign secretary": "GB", "shadow chancellor": "GB", "chancellor of the exchequer": "GB",
                "defense secretary": "US", "secretary of state": "US", "house speaker": "US"}
# Abbreviated titles (lower case, without dots) -> the role they stand for, so "Maj. Gen." reads "major general".
ROLE_ABBREV = {"gen": "general", "lt gen": "lieutenant general", "maj gen": "major general", "brig": "brigadier",
               "brig gen": "brigadier general", "col": "colonel", "lt col": "lieutenant colonel", "adm": "admiral",
               "pres": "president", "gov": "governor", "sen": "senator", "rep": "representative",
               "prof": "professor", "insp": "inspector", "sgt": "sergeant", "det": "detective", "capt": "captain",
               "maj": "major", "lt": "lieutenant"}
RIGHTS_WORDS = frozenset(("Human", "Rights"))
STATE_BANK_WORDS = frozenset(("Central", "State", "Reserve", "National"))

# Country names that pycountry spells formally; the actor name of a country's government uses these.
COMMON_COUNTRY_NAMES = {
    "RU": "Russia", "CD": "DR Congo", "CG": "Republic of the Congo", "PS": "Palestine", "GB": "United Kingdom",
    "US": "United States", "CI": "Ivory Coast", "TR": "Turkey", "KR": "South Korea", "KP": "North Korea",
    "IR": "Iran", "SY": "Syria", "TZ": "Tanzania", "VE": "Venezuela", "BO": "Bolivia", "TW": "Taiwan", "LA": "Laos",
    "VN": "Vietnam", "MD": "Moldova", "CZ": "Czech Republic", "MK": "North Macedonia", "FM": "Micronesia",
}


@lru_cache(maxsize=512)
def alpha3(cc: str | None) -> str | None:
    """ISO alpha-3 of an alpha-2 code (None when unknown: user codes such as XK fall back to themselves)."""
    if not cc:
        return None
    c = pycountry.countries.get(alpha_2=cc.upper())
    if c is not None:
        return c.alpha_3
    return {"XK": "XKX", "EH": "ESH"}.get(cc.upper())


@lru_cache(maxsize=512)
def country_name(cc: str) -> str:
    """The short English name news uses for a country ("Iran", not "Iran, Islamic Republic of")."""
    if cc in COMMON_COUNTRY_NAMES:
        return COMMON_COUNTRY_NAMES[cc]
    c = pycountry.countries.get(alpha_2=cc)
    if c is None:
        return cc
    return getattr(c, "common_name", None) or c.name


def make_code(cc: str | None, role_code: str | None) -> str | None:
    """CAMEO-style code: the country's ISO3 + role ("PAKGOV"); None when either part is unknown."""
    if not role_code:
        return None
    a3 = alpha3(cc)
    return a3 + role_code if a3 else None


_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"'})


def norm_name(name: str) -> str:
    """Lower-case identity form of a name: straight quotes, no leading article, no possessive, single spaces."""
    s = " ".join(name.translate(_QUOTES).casefold().split())
    if s.startswith("the "):
        s = s[4:]
    if s.endswith("'s"):
        s = s[:-2]
    return s


def make_id(name: str, typ: str, cc: str | None) -> str:
    """The stable identity of an actor that no dictionary names: ``normalised name|TYPE|CC``."""
    return f"{norm_name(name)}|{typ}|{cc or ''}"


def classify_org(tokens: list[str], head: str, country: str | None) -> tuple[str, str | None]:
    """Type and CAMEO role of an organisation found by pattern, from its head word and the words around it.

    A national army ("Nigerian Army", "Kenya Defence Forces") is a security force; an "Army" with no country in
    its name ("Arakan Army") is an armed group; "Liberation" makes a separatist group unless the name calls itself
    national or popular ("National Liberation Army" fights for the state, not for a region).
    """
    typ, role = ORG_HEADS[head]
    words = set(tokens)
    if head in LABOUR_HEADS and words & LABOUR_WORDS:
        return "ORGANIZATION", "LAB"
    if "Police" in words and head != "Police":
        return "SECURITY_FORCE", "COP"  # "South African Police Service"
    if head in ("Court", "Tribunal") or "Prosecution" in words or "Prosecutor" in words or "Prosecutors" in words:
        return "GOVERNMENT", "JUD"  # national courts and prosecution services are state bodies
    if "Intelligence" in words or (head in ("Service", "Services") and "Security" in words):
        return "SECURITY_FORCE", "SPY"
    if head == "Authority":
        return "GOVERNMENT", "GOV"  # "Transit Authority", "Civil Aviation Authority"
    if head == "Union" and not words & INTL_WORDS:
        return "ORGANIZATION", "LAB"  # "Amalgamated Transit Union"; the EU and AU are dictionary entries
    armed = [ARMED_WORDS[w] for w in tokens if w in ARMED_WORDS]
    if typ == "ARMY":
        if country is not None and not armed:
            return "SECURITY_FORCE", "MIL"
        typ = "ARMED_GROUP"
    if typ == "ARMED_GROUP" or (armed and typ == "ORGANIZATION" and head in ("Front", "Movement", "Army")):
        if "SEP" in armed and not words & NATIONAL_WORDS:
            return "ARMED_GROUP", "SEP"
        if "INS" in armed:
            return "ARMED_GROUP", "INS"
        return "ARMED_GROUP", "REB"
    if head == "Bank" and (words & STATE_BANK_WORDS or (country is not None and "of" in words
                                                        and tokens[-1] not in ("America", "China"))):
        return "GOVERNMENT", "GOV"  # a central bank: "Central Bank of Nigeria", "Bank of Japan"
    if role is None and RIGHTS_WORDS <= words:
        return "ORGANIZATION", "HRI"
    return typ, role


# ---------------------------------------------------------------------------------------------------------------
# Word tables of the tagger (moved here from the tagger itself)

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
# Words that keep a capitalised run from being a person's name.
NOT_PERSON_WORDS = NOT_NAME | frozenset(ORG_HEADS) | LEADING_STOP
# Words before a role that give it the article's country ("the country's defence minister").
CONTEXT_COUNTRY = re.compile(r"(?:the )?(?:country|nation|state|province|region|government)['’]s $")
# The start of an apposition after a name: "A B, the country's defence minister", "A B, who heads ...".
APPOS_START = re.compile(r", (?:\d{1,3}, )?(?:(?:who is|who was|who heads|now|then) )?(?:(?:the|a|an) )?")
# A reporting frame right before a name: "said Gedion Timothewos", "according to Amina Yusuf".
SAID_BEFORE = re.compile(r"(?:\b(?:said|says|told|added|according to|asked)) $")
# "Reporting by A in B; Editing by C": a credit line names the newsroom's staff, not actors of the story.
CREDIT_LINE = re.compile(
    r"\s*[(\[]?\s*(?:additional |further )?(?:reporting|editing|writing|compiled|produced|translated|fact-checked|"
    r"graphics|photos?|video) (?:by|from)\b",
    re.IGNORECASE,
)
CLAUSE_STOP = re.compile(r'[,;:()—–"“”]|\.(?=[ "”]|\Z)')
ONE_TOKEN = re.compile(rf" ({NAME_TOK})(?![\w'’\-]| {NAME_TOK})")
NEXT_WORD = re.compile(r" ([a-z]+)")
PREV_WORD = re.compile(rf"({NAME_TOK}) $")
NAME_PREFIX = re.compile(r"(?:al|el|Al|El)-[A-Z]")
SAID_AFTER = re.compile(r" (?:said|says|told|added|wrote|stated|explained|noted|argued|insisted)\b")
AS_ROLE = re.compile(r" as (?:(?:the|its|his|her|their|a|an) )?")
OF_ORG = re.compile(r" (?:for|of|at|with|from) (?:the )?")


# ---------------------------------------------------------------------------------------------------------------
# Pure helpers over words and offsets

def find_word(text: str, word: str, starts: list[int] | None = None):
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


def strip_poss(w: str) -> str:
    return w[:-2] if w.endswith(("'s", "’s")) else w


# Head words as written, also with a possessive ("Army's"): one set lookup per word instead of stripping each.
_HEAD_FORMS = frozenset(ORG_HEADS) | frozenset(h + p for h in ORG_HEADS for p in ("'s", "’s"))


def any_head(words: list[str]) -> bool:
    return not _HEAD_FORMS.isdisjoint(words)


def head_indexes(words: list[str]) -> list[int]:
    """Indexes of organisation head words ("Army", "Ministry", also with a possessive: "Army's")."""
    return [i for i, w in enumerate(words) if w in _HEAD_FORMS]


def governing_head(words: list[str], heads: list[int], last: int) -> str:
    """The head word that types a pattern name: its last head, unless that is a weak business word inside the
    complement of an earlier head ("Ministry of Energy", "Institute of Technology")."""
    head = strip_poss(words[last])
    if head in WEAK_HEADS:
        for j in heads:
            if j < last and words[j + 1] in ("of", "for", "on") and strip_poss(words[j]) not in WEAK_HEADS:
                return strip_poss(words[j])
    return head


def is_surname(paragraphs: list[str], name: str) -> bool:
    """Whether a one-word name stands after a given capitalised name somewhere in the article ("Jane Rivian")."""
    if " " in name:
        return False
    for text in paragraphs:
        for s in find_word(text, name):
            if PREV_WORD.search(text, max(0, s - 30), s):
                return True
    return False


# Plain loops rather than any(<generator>): these run for every candidate over lists of a few spans, where the
# generator's setup costs more than the test.
def pieces(text: str, ss: int, se: int, taken) -> list[list[tuple[int, int]]]:
    """Split a capitalised sequence into runs of name tokens: at organisation connectors ("of", "and") and at
    tokens another actor already took."""
    out: list[list[tuple[int, int]]] = []
    cur: list[tuple[int, int]] = []
    check = taken.hits(ss, se)
    connectors = ORG_CONNECTORS
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


def clause_end(text: str, start: int) -> int:
    """The first clause stop within 120 characters (a full stop only before a space, a quote or the end)."""
    end = min(len(text), start + 120)
    # One character past the window, so a full stop at its edge sees what follows it; a stop found there is
    # outside the window.
    m = CLAUSE_STOP.search(text, start, end + 1)
    return m.start() if m is not None and m.start() < end else end


def role_phrase(text: str, start: int, re_: int) -> str | None:
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


def role_of_code(code: str) -> str | None:
    """The CAMEO role of a national code ("PAKGOV" -> "GOV"); None for international and unknown codes."""
    return code[3:] if len(code) > 3 and code[:3].isupper() and not code.startswith(INTL_CODES) else None
