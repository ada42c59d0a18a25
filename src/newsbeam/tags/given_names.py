"""International given names for the actor tagger, from the person providers of ``faker`` (MIT).

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
  in ``actor_rules``): capitalised at a sentence start or as a title they would turn the following capitalised
  phrase into a person of that name.
* ``place``: names of countries (any of their names), of first-level regions and of cities of at least
  ``BIG_CITY_POP`` people (their main GeoNames name) in the gazetteer ("Victoria", "Georgia", "Santiago",
  "Florida", "Paris", "India"), demonyms, and the place-name heads and titles of ``NOT_GIVEN`` ("Wadi Halfa",
  "Azad Kashmir"): such a word starts place phrases far more often than it starts a person's name in news.

Each kept name with diacritics also gets its ASCII fold ("José" -> "Jose"), because news often drops them.

Cost: importing the provider modules and screening the names against the gazetteer takes about 1.5 s, mostly to
load the gazetteer, so ``load_given_names`` caches the result as a small JSON file in the gazetteer's cache folder
(``$NEWSBEAM_CACHE``), keyed by the faker version, this file, the locale list, ``actors.yaml`` and the gazetteer's
source fingerprint; a cache hit costs a few milliseconds plus the fingerprint.
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
from pathlib import Path

from newsbeam.tags import actor_rules as R
from newsbeam.tags import gazetteer as G
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
_MEMO: dict[tuple[str, ...], frozenset[str]] = {}
_LOCK = threading.Lock()


def _pkg_version() -> str:
    return G._pkg_version("faker")


def cache_key(locales: tuple[str, ...]) -> str:
    """What the screened list depends on: faker's version, this module, the locales, the dictionary's roles and
    the gazetteer (its fingerprint covers ``common_words.txt``)."""
    h = hashlib.sha256()
    h.update("|".join((_pkg_version(), *locales, G.source_fingerprint())).encode())
    h.update(Path(__file__).read_bytes())
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
