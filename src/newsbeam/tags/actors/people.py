"""People: persons named with a title, a role, an apposition or a known given name; surnames linked to full names.

A capitalised sequence is a person when a cue says so — a pre-title ("Interior Minister A B", "Gen. A B"), a role
just before it ("security analyst A B", "BLA spokesman A B"), an apposition after it ("A B, the country's defence
minister", "A B, a spokesman for C") — or, without a cue, when its first token is a known given name and nothing
else (place, organisation, facility word) claims it. The role's country comes from ``context``; an official whose
country is unstated gets the article's primary country. Later surname-only mentions ("Chaudhry said") link to the
full name.

Given names (the first half of this module): international names from the person providers of ``faker`` (MIT).

Why: the tagger finds a person without a title or role cue only when the first word of a capitalised sequence is a
known given name ("Ngozi Adeyemi, who runs a pharmacy, said ..."). The US Census list in ``data/first_names.txt``
misses most names of the countries our users follow, so "Chukwuemeka Obi" or "Mehmet Yilmaz" went unseen. Faker is
maintained, released monthly and ships first-name lists for some eighty locales; we read only the name tuples of
its person providers (never the ``Faker`` object) and keep the names that are safe as a person cue.

Locales (``LOCALES``) are chosen for the regions our users follow plus the languages whose people are in the news
there; each row says why. Left out on purpose: locales in non-Latin scripts (``ar_*``, ``fa_IR``, ``ru_RU``,
``uk_UA``, ``hi_IN`` ...: news in English romanises those names, and the romanised forms come from other locales
such as ``en_PK`` or ``fr_DZ``); ``vi_VN`` (Vietnamese names are written family name first, so a given name is
never the first word, and its short syllables "Anh", "Long", "Son" are words); the English-speaking locales
(``en``, ``en_US``, ``en_GB`` ...: the Census list covers them, and their baby-name lists are full of words such
as "Hope", "Summer" and "Chance"); the Nordic and Icelandic lists (thousands of rare names, little news value).

Filters (``reject_reason``), each a way a name would make the tagger call a non-person a person:

* ``short``: fewer than three letters ("Bo", "Ed"): such tokens are initials and abbreviations.
* ``script``: not Latin script (the tagger's capitalised-word pattern would not match it anyway).
* ``shape``: not one capitalised word of letters (faker has typos such as "COmfort" and "Emine."; a name with a
  space, "Juan Carlos" or "Nana Ama", contributes only its first word, screened like any other).
* ``calendar``: English month and day names ("May", "June", "Sunday") start dates, not names.
* ``word``: common English words (``ENGLISH_WORDS``: "Innocent", "Lady", "Pastor"), the gazetteer's place names
  that are everyday words (``data/common_words.txt``), role words and titles of ``data/actors.yaml`` ("Imam",
  "Emir", "Queen") and the words the tagger's rules treat as non-name words (sentence openers, organisation heads
  in ``rules``): capitalised at a sentence start or as a title they would turn the following capitalised
  phrase into a person of that name.
* ``place``: names of countries (any of their names), of first-level regions and of cities of at least
  ``BIG_CITY_POP`` people (their main GeoNames name) in the gazetteer ("Victoria", "Georgia", "Santiago",
  "Florida", "Paris", "India"), demonyms, and the place-name heads and titles of ``NOT_GIVEN`` ("Wadi Halfa",
  "Azad Kashmir"): such a word starts place phrases far more often than it starts a person's name in news.

Each kept name with diacritics also gets its ASCII fold ("José" -> "Jose"), because news often drops them.

Cost: importing the provider modules and screening the names against the gazetteer takes about 1.5 s, mostly to
load the gazetteer, so ``load_given_names`` caches the result as a small JSON file in the gazetteer's cache folder
(``$NEWSBEAM_CACHE``), keyed by the faker version, this file and ``rules.py`` (whose words it blocks), the locale
list, ``actors.yaml`` and the gazetteer's source fingerprint; a cache hit costs a few milliseconds plus the
fingerprint.
"""

from __future__ import annotations

import calendar
import hashlib
import importlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from operator import itemgetter
from pathlib import Path

import ahocorasick

from newsbeam.tags.actors import rules as R
from newsbeam.tags.actors.context import Article, Context, implied_country
from newsbeam.tags.actors.dictionary import DATA_DIR, K_ROLE, ActorInfo, mention, read_lines
from newsbeam.tags.places import gazetteer as G
from newsbeam.tags.spans import Occupancy
from newsbeam.tags.yaml_load import safe_load

# (locale, why it is in the list)
LOCALE_REASONS: tuple[tuple[str, str], ...] = (
    ("en_PK", "Pakistan: Urdu/Punjabi/Pashto/Baloch names, romanised"),
    ("en_IN", "India: Hindi/Bengali/Tamil names, romanised"),
    ("en_NG", "Nigeria: English and Christian given names as used there (Blessing, Chinedu)"),
    ("ha_NG", "Nigeria north, Sahel: Hausa names (Aliyu, Hadiza)"),
    ("ig_NG", "Nigeria south-east: Igbo names (Chukwuemeka, Adaeze)"),
    ("yo_NG", "Nigeria south-west: Yoruba names (Oluwaseun, Adebayo)"),
    ("en_KE", "Kenya, Somalia, Ethiopia border: Kikuyu, Luo, Kalenjin, Somali names"),
    ("sw", "East Africa: Swahili names"),
    ("tw_GH", "Ghana: Akan/Twi names (Kwame, Abena)"),
    ("zu_ZA", "South Africa: Zulu names"),
    ("fr_DZ", "Algeria, Maghreb, francophone Sahel: Arabic names in French spelling (Abdelkader)"),
    ("tr_TR", "Turkey, Syria north, Kurdish areas: Turkish names"),
    ("az_AZ", "Azerbaijan, Caucasus: Azerbaijani names"),
    ("uz_UZ", "Central Asia, Afghanistan north: Uzbek names"),
    ("id_ID", "Indonesia, Malaysia: Indonesian names"),
    ("en_TH", "Thailand, Myanmar border: Thai names, romanised"),
    ("es_ES", "Spain"),
    ("es_MX", "Mexico: cartel and security reporting"),
    ("es_CO", "Colombia: armed-conflict reporting"),
    ("es_AR", "Argentina, Southern Cone"),
    ("es_CL", "Chile, Andes"),
    ("pt_BR", "Brazil"),
    ("pt_PT", "Portugal, Lusophone Africa (Mozambique, Angola)"),
    ("fr_FR", "France, francophone Africa (Mali, Burkina Faso, Niger, DR Congo)"),
    ("fr_BE", "Belgium; its list also carries many Maghreb and Congolese names"),
    ("de_DE", "Germany; its list also carries many Turkish and Arabic names"),
    ("it_IT", "Italy"),
    ("pl_PL", "Poland"),
    ("ro_RO", "Romania, Moldova"),
    ("nl_NL", "Netherlands"),
    ("hr_HR", "Croatia, Bosnia, Serbia (Latin script)"),
)
LOCALES: tuple[str, ...] = tuple(loc for loc, _ in LOCALE_REASONS)
NAME_ATTRS = ("first_names", "first_names_male", "first_names_female")
MIN_LEN = 3
BIG_CITY_POP = 100_000
# Given names in the chosen locales that are common English words: found by screening the locales' names against an
# English dictionary word list at development time (faker 40.x) and reviewed by hand; rare words that are mainly
# names ("Nadir", "Yaw", "Serge", "Fares") stay. Names the Census list already has ("Will", "Mark", "Hope") are
# not repeated: the tagger's union keeps them as they were.
ENGLISH_WORDS = frozenset(
    "Azalea Baptist Bozo Coral Cord Divan Dodo Edit Else Fancy Feline Fem Floor Genesis Harm Harsh Ibis Immaculate "
    "Innocent Ion Jet Kick Kismet Lady Laze Loan Loot Lope Lore Martial Maxim Maxima Nacho Nail Pastor Prudence "
    "Purity Raid Safari Salami Scarlet Server Tiara Ties Toy Valid Wage Wolf".split()
)
# Words that head place names or are titles in the regions we follow, and that some locale lists as a given name:
# "Wadi Halfa", "Jabal Marra", "Mar del Plata", "Azad Kashmir", "Yeni Şafak", "Oba of Benin", "Ibn Sina Hospital".
NOT_GIVEN = frozenset("Wadi Jabal Jebel Mar Yeni Azad Oba Ibn Bin Sidi Ras Dar Bandar Kota Pulau Umm".split())


def calendar_words() -> frozenset[str]:
    """English month and day names, full and abbreviated ("May", "Sept", "Sun"), from the C-locale calendar."""
    full = [*calendar.month_name[1:], *calendar.day_name]
    short = [*calendar.month_abbr[1:], *calendar.day_abbr, "Sept", "Tues", "Thurs"]
    return frozenset(full) | frozenset(short)


def rule_words() -> frozenset[str]:
    """Words the tagger's rules treat as titles, organisation heads or sentence openers, never as names."""
    return R.LEADING_STOP | R.NOT_NAME | frozenset(R.ORG_HEADS) | R.INTL_WORDS


def role_words(actors_yaml: Path = G.DATA_DIR / "actors.yaml") -> frozenset[str]:
    """One-word roles and titles of the actor dictionary, lower case without a final dot ("imam", "emir")."""
    with open(actors_yaml, encoding="utf-8") as fh:
        roles = (safe_load(fh) or {}).get("roles") or {}
    return frozenset(str(w).lower().rstrip(".") for ws in roles.values() for w in ws if " " not in str(w))


def faker_names(locales: Iterable[str]) -> dict[str, str]:
    """Every first name of these faker person providers -> the first locale that has it. A locale faker no
    longer ships is skipped: a renamed locale must not break tagging (the tests check that ours all exist)."""
    out: dict[str, str] = {}
    for loc in locales:
        try:
            provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ModuleNotFoundError:
            continue
        for attr in NAME_ATTRS:
            names = getattr(provider, attr, None)
            if isinstance(names, (list, tuple, dict)):  # OrderedDicts map name -> weight; properties are skipped
                for n in names:
                    if isinstance(n, str) and n.strip():
                        out.setdefault(n.split()[0], loc)  # "Juan Carlos" -> "Juan"
    return out


def ascii_fold(name: str) -> str:
    """The name without diacritics ("José" -> "Jose", "Şükrü" -> "Sukru"); "ı" (dotless i) reads as "i"."""
    return G.fold(name).replace("ı", "i")


def reject_reason(name: str, words: frozenset[str], is_place: Callable[[str], bool]) -> str | None:
    """Why ``name`` must not be a person cue (``short``, ``script``, ``shape``, ``calendar``, ``word``,
    ``place``; see the module docstring), or None to keep it. ``words``: blocked words, matched as written and in
    lower case; ``is_place``: whether the gazetteer reads the name as a country, region, big city or demonym."""
    if len(name) < MIN_LEN:
        return "short"
    if not G.is_latin(name):
        return "script"
    if not (name[0].isupper() and name[1:].islower() and all(c.isalpha() or c in "'’-" for c in name)):
        return "shape"
    if name in _CALENDAR:
        return "calendar"
    if name in words or name.lower() in words:
        return "word"
    if name in NOT_GIVEN or is_place(name):
        return "place"
    return None


def build_given_names(names: Iterable[str], words: frozenset[str], is_place: Callable[[str], bool]) -> frozenset[str]:
    """The names that pass ``reject_reason``, each with its ASCII fold if it has diacritics. The fold is screened
    on its own: "Asunción" is a place either way, and a fold can collide with a word the original is not."""
    out: set[str] = set()
    for n in names:
        for form in dict.fromkeys((n, ascii_fold(n))):
            if reject_reason(form, words, is_place) is None:
                out.add(form)
    return frozenset(out)


def gazetteer_place_test(gaz: G.Gazetteer, min_city_pop: int = BIG_CITY_POP) -> Callable[[str], bool]:
    """``is_place`` for ``build_given_names``: the name (as written) is a demonym, any name of a country, or the
    main name of a first-level region or of a city of at least ``min_city_pop`` people. Alternate names of regions
    and cities do not count: GeoNames lists "Riyad" for Riyadh and obscure spellings of many towns."""

    def is_place(name: str) -> bool:
        kid = gaz.key_id(name)
        if kid < 0:
            return False
        if gaz.key_flags[kid] & G.F_DEMONYM:
            return True
        for c in gaz.key_cands[kid]:
            i = c if c >= 0 else ~c
            kind = gaz.ent_kind[i]
            if kind == "country" or c >= 0 and (
                    kind == "admin1" or kind == "city" and gaz.ent_pop[i] >= min_city_pop):
                return True
        return False

    return is_place


def blocked_words() -> frozenset[str]:
    """English words, the gazetteer's common-word place names, the dictionary's roles and the rules' words."""
    common = frozenset(w.lstrip("!") for w in G._read_lines("common_words.txt"))
    return ENGLISH_WORDS | common | role_words() | rule_words()


_CALENDAR = calendar_words()
# The files whose code builds the screened list: a change to either invalidates the cached list.
_TABLE_SOURCES = (__file__, R.__file__)
_MEMO: dict[tuple[str, ...], frozenset[str]] = {}
_LOCK = threading.Lock()


def _pkg_version() -> str:
    return G._pkg_version("faker")


def cache_key(locales: tuple[str, ...]) -> str:
    """What the screened list depends on: faker's version, the files that build it (this module, and ``rules.py``
    for the words it blocks), the locales, the dictionary's roles and the gazetteer (its fingerprint covers
    ``common_words.txt``)."""
    h = hashlib.sha256()
    h.update("|".join((_pkg_version(), *locales, G.source_fingerprint())).encode())
    for source in _TABLE_SOURCES:
        h.update(Path(source).read_bytes())
    h.update((G.DATA_DIR / "actors.yaml").read_bytes())  # its roles are blocked words
    return h.hexdigest()[:16]


def load_given_names(locales: tuple[str, ...] = LOCALES) -> frozenset[str]:
    """The screened international given names, memoised per process and cached on disk (building needs the
    gazetteer, which takes most of a second to load; a worker must start fast)."""
    with _LOCK:
        names = _MEMO.get(locales)
        if names is None:
            names = _load_uncached(locales)
            _MEMO[locales] = names
        return names


def given_names_cached(locales: tuple[str, ...] = LOCALES) -> bool:
    """Whether the screened list is on disk (else the first worker builds it, which needs the gazetteer)."""
    return (G.cache_dir() / f"given-names-{cache_key(locales)}.json").is_file()


def _load_uncached(locales: tuple[str, ...]) -> frozenset[str]:
    path = G.cache_dir() / f"given-names-{cache_key(locales)}.json"
    try:
        return frozenset(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    names = build_given_names(faker_names(locales), blocked_words(), gazetteer_place_test(G.load_gazetteer()))
    _write_json(sorted(names), path)
    return names


def _write_json(obj: list[str], path: Path) -> None:
    """Write to a temporary name and rename, so concurrent workers never read half a file; older lists are
    removed. A read-only cache only costs the next process a rebuild."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("given-names-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def known_given_names(base: dict) -> frozenset[str]:
    """Every given name that makes an uncued capitalised sequence a person: the US Census names, the dictionary's
    own list and faker's screened international names (``load_given_names``)."""
    return frozenset(read_lines(DATA_DIR / "first_names.txt")) | frozenset(
        base.get("given_names") or ()) | load_given_names()


# ---------------------------------------------------------------------------------------------------------------
# People in a paragraph

_FIRST = itemgetter(0)
_BY_START = itemgetter("start")


def people(art: Article, text: str, seqs, hits, taken: Occupancy, ctx: Context) -> list[tuple[int, int, ActorInfo]]:
    """The people of one paragraph, sorted and not overlapping each other or ``taken``; full names are
    remembered in ``art.people`` for later surname mentions."""
    role_at_start = {s: (e, idx) for s, e, kind, idx in hits if kind == K_ROLE} if seqs else {}
    found: list[tuple[int, int, ActorInfo]] = []
    for ss, se in seqs:
        if taken.inside(ss, se):
            continue
        for piece in _titles_joined(R.pieces(text, ss, se, taken), role_at_start):
            if len(piece) == 1 and piece[0][0] not in role_at_start:
                continue  # one word and no title: never a person on its own (``_person`` says None)
            r = _person(art, text, piece, role_at_start, ctx)
            if r is not None:
                found.append(r)
    _add_titled_words(art, text, hits, taken, ctx, found)
    if len(found) > 1:
        found.sort(key=_FIRST)
    kept = []
    for s, e, info in found:
        # ``found`` is sorted by start and ``kept`` never overlaps itself, so a span overlaps a kept one
        # exactly when it starts before the end of the last one kept.
        if not taken.hits(s, e) and not (kept and s < kept[-1][1]):
            kept.append((s, e, info))
            if " " in info.name:
                art.people.setdefault(info.name, info)
            art.counts["actors-person-" + ("cue" if info.role else "name")] += 1
    return kept


def _titles_joined(pieces: list[list[tuple[int, int]]], role_at_start) -> list[list[tuple[int, int]]]:
    """Pieces of a sequence re-joined where a title runs across a connector ("Chief of Army Staff Olufemi
    Oluyede", "Secretary of State Marco Rubio"): the title and the name after it are one piece."""
    if len(pieces) < 2:
        return pieces
    out: list[list[tuple[int, int]]] = []
    i = 0
    while i < len(pieces):  # i rises by at least one per pass
        cur = list(pieces[i])
        i += 1
        r = role_at_start.get(cur[0][0])
        if r is not None:
            while i < len(pieces) and r[0] > cur[-1][1] and pieces[i][0][0] < r[0]:
                cur += pieces[i]
                i += 1
        out.append(cur)
    return out


def _add_titled_words(art: Article, text: str, hits, taken: Occupancy, ctx: Context,
                      found: list[tuple[int, int, ActorInfo]]) -> None:
    """Title + one capitalised word: "President Ruto", "Gen. Munir", "Mr. Chaudhry" (appended to ``found``)."""
    cw = art.d.country_words
    found_at = Occupancy(len(text), ((a, b) for a, b, _ in found))
    for s, e, kind, idx in hits:
        if kind != K_ROLE or not text[s].isupper() or text[e : e + 1] != " ":
            continue
        m = R.ONE_TOKEN.match(text, e)
        if not m:
            continue
        ts, te = m.span(1)
        word = text[ts:te]
        if (word in R.LEADING_STOP or word in R.NOT_NAME or word in cw or taken.hits(ts, te)
                or found_at.covered(ts) or ctx.place_at(ts, te)):
            continue
        info = person_info(art, word, s, e, idx, ts, te, text, ctx, title_only=True)
        found.append((ts, te, info))
        found_at.add(ts, te)


def _leading_cues(text: str, piece: list[tuple[int, int]], role_at_start, ctx: Context, cw: dict[str, str]):
    """Skip the leading stop words, country words and titles of a piece: (index of its first name token, the
    title inside it as (start, end, role index) or None, the country of a demonym or country word or None)."""
    role = None  # (start, end, role index) of a title inside the sequence
    cc_hint = None
    i = 0
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
        if w.endswith(("'s", "’s")) and i + 1 < len(piece):
            # "Kenya's Interior Minister Kipchumba Murkomen": a country's possessive before a title is the
            # holder's country, not the first word of a name.
            stem = w[:-2]
            cc = cw.get(stem) or ctx.country_place_at(a, b - 2)
            if cc is not None:
                cc_hint = cc
                i += 1
                continue
        if w in leading_stop:
            i += 1
            continue
        break
    return i, role, cc_hint


def _person(art: Article, text: str, piece: list[tuple[int, int]], role_at_start, ctx: Context):
    """A person in one piece of a capitalised sequence, after stripping leading stop words and titles."""
    d = art.d
    i, role, cc_hint = _leading_cues(text, piece, role_at_start, ctx, d.country_words)
    toks = piece[i:]
    if not toks or role is None and len(toks) == 1:
        return None
    s, e = toks[0][0], toks[-1][1]
    said = role is None and (R.SAID_AFTER.match(text, e) is not None
                             or R.SAID_BEFORE.search(text, max(0, s - 14), s) is not None)
    if (role is None and text[toks[0][0] : toks[0][1]] not in d.given_names and text[e : e + 1] != ","
            and not ctx.hits_ending(s - 1) and text[s:e] not in art.people and not said
            and text[s - 2 : s] != ", " and text[e : e + 4] != " as "):
        return None  # no title, no given name, no apposition, no role before: not a person (fast path)
    last = text[toks[-1][0] : e]
    core = R.strip_poss(last)
    e -= len(last) - len(core)
    words = [text[a:b] for a, b in toks[:-1]] + [core]
    if len(words) > 4 or len(words) == 1 and role is None:
        return None
    if not R.NOT_PERSON_WORDS.isdisjoint(words):
        return None
    if len(words) == 1:
        if ctx.place_at(s, e):
            return None
        return s, e, person_info(art, words[0], role[0], role[1], role[2], s, e, text, ctx, cc_hint=cc_hint)
    name = " ".join(words)
    has_place = ctx.place_overlap(s, e)
    if role is not None:
        return s, e, person_info(art, name, role[0], role[1], role[2], s, e, text, ctx, cc_hint=cc_hint)
    return _uncued_person(art, text, name, words, s, e, said, has_place, ctx)


def _uncued_person(art: Article, text: str, name: str, words: list[str], s: int, e: int, said: bool,
                   has_place: bool, ctx: Context):
    """A name of two to four words with no title inside: a role around it, an earlier mention, or a given name."""
    info = _cued(art, name, s, e, text, ctx)
    if info is not None:
        return s, e, info
    if name in art.people:
        return s, e, art.people[name]
    full = _full_name_ending(art, name)
    if full is not None:
        return s, e, full  # "García Harfuch" after "Omar García Harfuch"
    if has_place or words[-1] in art.d.country_words:
        return None
    if words[0] not in art.d.given_names and not (said and len(words) <= 3 and _name_like(art, words)):
        return None
    cc = art.primary
    return s, e, ActorInfo(name, "PERSON", None, cc, None, R.make_id(name, "PERSON", cc))


def _name_like(art: Article, words: list[str]) -> bool:
    """Capitalised words before "said"/"told" that could be a person's name: no country word, no all-caps
    acronym, no word the dictionary or the organisation heads claim."""
    cw = art.d.country_words
    return all(not w.isupper() and w not in cw and not w.endswith(".") for w in words)


def _full_name_ending(art: Article, name: str) -> ActorInfo | None:
    """A full name of this article that ends with ``name`` (a two-word surname's later mention)."""
    hits = art.people.ending(name)  # == [i for n, i in art.people.items() if n.endswith(" " + name)]
    return hits[0] if len(hits) == 1 else None


def _cued(art: Article, name: str, s: int, e: int, text: str, ctx: Context) -> ActorInfo | None:
    """A role just before the name ("security analyst A B") or in an apposition after it ("A B, the ...")."""
    j = s - 1
    if j > 0 and text[j] == " ":
        for rs, re_, kind, idx in ctx.hits_ending(j):
            if kind == K_ROLE:
                return person_info(art, name, rs, re_, idx, s, e, text, ctx)
    if j > 1 and text[j - 1] == ",":  # "the regional governor, Alexander Bogomaz, said"
        for rs, re_, kind, idx in ctx.hits_ending(j - 1):
            if kind == K_ROLE and text[rs].islower():
                return person_info(art, name, rs, re_, idx, s, e, text, ctx)
    m = R.AS_ROLE.match(text, e)
    if m:  # "confirmed Pete Hegseth as defense secretary"
        for rs, re_, kind, idx in ctx.hits_between(m.end(), m.end() + 40):
            if kind == K_ROLE and rs == m.end():
                return person_info(art, name, rs, re_, idx, s, e, text, ctx)
    m = R.APPOS_START.match(text, e)
    if m:
        stop = R.clause_end(text, m.end())
        for rs, re_, kind, idx in ctx.hits_between(m.end(), stop):
            if kind == K_ROLE and rs - m.end() <= 40:
                return person_info(art, name, rs, re_, idx, s, e, text, ctx, appos=(m.end(), stop))
    return None


def person_info(art: Article, name: str, rs: int, re_: int, ridx: int, s: int, e: int, text: str, ctx: Context,
                cc_hint: str | None = None, appos: tuple[int, int] | None = None,
                title_only: bool = False) -> ActorInfo:
    """Role, country and code of a person from the role words and what stands around them."""
    role_text, role_code = art.d.roles[ridx]
    if appos is not None:
        role_text = R.role_phrase(text, appos[0], re_) or role_text
    cc = cc_hint
    org = None
    lo = appos[0] if appos is not None else max(0, rs - 60)
    cc = cc or ctx.country_before(rs, lo, art.primary) or art.d.person_country.get(name)
    if cc is None or appos is not None:
        org = ctx.org_after(re_, appos[1] if appos else re_ + 12) or ctx.org_before(rs)
        if cc is None and appos is not None:
            cc = ctx.country_after(re_, appos[1])
    intl = None
    if org is not None:
        if org.country_code is None and org.code and org.code.startswith(R.INTL_CODES) and cc_hint is None:
            intl = org.code[:3]  # "the UN special envoy", "a spokesman for the CPJ": no country of their own
            cc = None
        cc = cc or org.country_code
        if role_code is None and org.code:
            role_code = org.role_code or R.role_of_code(org.code)
    if role_text == "counterpart" and art.last_role is not None:
        role_text, role_code = art.last_role  # "his German counterpart": the same office elsewhere
    if cc is None and intl is None:
        cc = implied_country(art, ridx, role_code, rs, ctx)
    if role_code in R.STATE_ROLES and role_text:
        art.last_role = (role_text, role_code)
    if intl is not None:
        code = intl
    else:
        code = R.make_code(cc, role_code) if role_code else None
    if role_text in ("mr", "mrs", "ms", "sir", "dame"):
        role_text = None
    info = art.people.get(name)
    if info is not None and not title_only:
        return info
    return ActorInfo(name, "PERSON", role_text, cc, code, R.make_id(name, "PERSON", cc), role_code)


# ---------------------------------------------------------------------------------------------------------------
# Surnames

def link_surnames(art: Article, paragraphs: list[str], out: list[list[dict]], places=()) -> None:
    """Surname-only mentions ("Chaudhry said", "President Ruto") take the full name's identity, and so does a
    two-word ending of a longer name found in the same paragraph ("Omar García Harfuch said ... García Harfuch
    added": the full name was not yet known when the shorter one was read)."""
    if not art.people:
        return
    # One pass: two-word endings relinked, and where each full name's words are first seen (for weak keys).
    first_seen: dict[str, tuple[int, int]] = {}
    for p, row in enumerate(out):
        for m in row:
            if m["type"] != "PERSON" or " " not in m["name"]:
                continue
            if m["name"].count(" ") == 1:
                full = _full_name_ending(art, m["name"])
                if full is not None:
                    _relink(m, full)
            words = m["name"].split()
            first_seen.setdefault(words[0], (p, m["start"]))
            first_seen.setdefault(words[-1], (p, m["start"]))
    by_surname = _by_surname(art.people)
    unique = set(by_surname)
    _add_given_name_keys(art, by_surname)
    if not by_surname:
        return
    # Shared surnames and given names are weaker links: only from the first full name on ("Caloi is a bicycle
    # maker ... Luiz Caloi founded it") and never a word the place tagger read as a place.
    place_words = {m["text"] for row in places for m in row} if places else set()
    weak_from = {k: ((len(out), 0) if k in place_words else first_seen.get(k, (0, 0))) for k in by_surname
                 if k not in unique or by_surname[k].name == k}
    for row in out:
        for m in row:
            if m["type"] == "PERSON" and " " not in m["name"] and m["name"] in by_surname:
                full = by_surname[m["name"]]
                _relink(m, full)
                art.counts["actors-surname-linked"] += 1
    _add_surname_mentions(art, paragraphs, out, by_surname, weak_from)


def _by_surname(people: dict[str, ActorInfo]) -> dict[str, ActorInfo]:
    """Surname -> the one full name that has it ("al-Burhan" is also "Burhan"). A surname two people share
    ("Carlo Citrone" and his father "John Citrone") links to neither, but its later mentions are still a person:
    they get an identity of the surname alone, with the country the namesakes share (else none), so "Citrone
    opened a gym" is found without being pinned on the wrong Citrone."""
    by_surname: dict[str, ActorInfo | None] = {}
    shared: dict[str, list[ActorInfo]] = {}
    for name, info in people.items():
        sur = name.split()[-1]
        keys = [sur]
        if R.NAME_PREFIX.match(sur):  # "al-Burhan" is also "Burhan"
            keys.append(sur[sur.index("-") + 1 :])
        for k in keys:
            prev = by_surname.get(k)
            if k in by_surname and prev is not info:
                shared.setdefault(k, [prev] if prev is not None else []).append(info)
                by_surname[k] = None
            else:
                by_surname[k] = info
    out = {k: v for k, v in by_surname.items() if v is not None}
    for k, infos in shared.items():
        if k in people:
            continue
        ccs = {i.country_code for i in infos}
        cc = ccs.pop() if len(ccs) == 1 else None
        out[k] = ActorInfo(k, "PERSON", None, cc, None, R.make_id(k, "PERSON", cc))
    return out


def _add_given_name_keys(art: Article, by_surname: dict[str, ActorInfo]) -> None:
    """A known given name that starts exactly one full name of the article, and is no surname, country word or
    other person's name, also links to that person ("Angelo Fresquet ... Angelo's family"): features and
    profiles call ordinary people, children and victims by their first names."""
    firsts: dict[str, ActorInfo | None] = {}
    for name, info in art.people.items():
        first = name.split()[0]
        if first in art.d.given_names and first not in art.d.country_words and first not in by_surname:
            firsts[first] = None if first in firsts and firsts[first] is not info else info
    for first, info in firsts.items():
        if info is not None and first not in art.people:
            by_surname[first] = info


def _add_surname_mentions(art: Article, paragraphs: list[str], out: list[list[dict]],
                          by_surname: dict[str, ActorInfo],
                          weak_from: dict[str, tuple[int, int]] | None = None) -> None:
    """Every free whole-word surname of the article becomes a mention of its full name (a weak key only from
    its paragraph in ``weak_from`` on)."""
    weak_from = weak_from or {}
    # All surnames found in one automaton pass per paragraph: a search of the paragraph per surname was
    # quadratic in long articles (they name more people).
    auto = ahocorasick.Automaton()
    for sur in by_surname:
        auto.add_word(sur, sur)
    auto.make_automaton()
    rank = {sur: i for i, sur in enumerate(by_surname)}
    for p, text in enumerate(paragraphs):
        if not text:
            continue
        row = out[p]
        added = False
        row_at = None
        present: dict[str, list[int]] = {}
        for end, sur in auto.iter(text):
            present.setdefault(sur, []).append(end - len(sur) + 1)
        # The surnames found, in ``by_surname`` order (which one takes an overlap first), without walking all of
        # the article's surnames for every paragraph.
        for sur in sorted(present, key=rank.__getitem__) if len(present) > 1 else present:
            full = by_surname[sur]
            after = weak_from.get(sur)
            if after is not None and after[0] > p:
                continue
            if row_at is None:
                row_at = Occupancy(len(text), ((m["start"], m["end"]) for m in row))
            for s in R.find_word(text, sur, present[sur]):
                e = s + len(sur)
                if after is not None and (p, s) < after:
                    continue
                if row_at.hits(s, e):
                    continue
                row_at.add(s, e)
                row.append(mention(text, s, e, full))
                art.counts["actors-surname-linked"] += 1
                added = True
        if added:
            row.sort(key=_BY_START)


def _relink(m: dict, full: ActorInfo) -> None:
    role = m["role"]
    m.update(name=full.name, country_code=full.country_code, code=full.code, actor_id=full.actor_id,
             role=full.role or role)
