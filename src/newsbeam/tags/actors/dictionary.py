"""The actor dictionaries: the built-in ``data/actors.yaml`` and the users' files, compiled into one automaton.

Why one Aho-Corasick automaton: the tagger must run at corpus speed, so dictionary names, role words ("interior
minister"), unnamed agents ("security forces") and organisation cue words ("shares", "analyst") are all found in one
pass per paragraph; each key carries its kind (``K_DICT`` ... ``K_CUE``) and an index into the table of its kind.
This module also owns the identity record of an actor (``ActorInfo``) and the memoised identities of governments
and unnamed agents, whose codes and ids come from ``rules``.

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

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick

from newsbeam.output.schema import ACTOR_TYPES
from newsbeam.tags.actors import rules as R
from newsbeam.tags.trie_order import guard_items, guarded_text, insertion_order, is_guarded
from newsbeam.tags.yaml_load import load_user_yaml, safe_load

DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # newsbeam/data
# What an automaton key is: a dictionary name, a role word, an unnamed agent or an organisation cue word.
K_DICT, K_ROLE, K_AGENT, K_CUE = 0, 1, 2, 3


@dataclass
class ActorInfo:
    """What an actor is: everything in a mention except its offsets."""

    name: str
    type: str
    role: str | None
    country_code: str | None
    code: str | None
    actor_id: str
    role_code: str | None = None  # CAMEO role, kept to recode when the country is filled in later


def mention(text: str, s: int, e: int, info: ActorInfo) -> dict:
    """One mention dict with exactly the ``schema.ACTOR`` keys."""
    return {"text": text[s:e], "start": s, "end": e, "name": info.name, "type": info.type, "role": info.role,
            "country_code": info.country_code, "code": info.code, "actor_id": info.actor_id}


class ActorDictionary:
    """The compiled dictionaries: entries, roles, agents and cue words behind one automaton, the given names and
    country words the rules consult, and the memoised identities of governments and agents."""

    def __init__(self, base: dict, entries: list[dict], given_names: frozenset[str]):
        """``base``: the built-in ``actors.yaml``; ``entries``: ``dictionary_entries`` (built-in then user
        entries); ``given_names``: every given name that makes a capitalised sequence a person."""
        self.entries: list[ActorInfo] = []
        self.roles: list[tuple[str, str | None]] = []  # (role text, CAMEO role or None)
        self.agents: list[tuple[str, str, str]] = []  # (canonical name, type, CAMEO role)
        self.qualified: set[int] = set()  # agents that need a demonym or country before them
        self.auto = ahocorasick.Automaton()
        keys: dict[str, tuple[int, int]] = {}
        self._add_entries(entries, keys)
        self._add_roles(base, keys)
        self._add_agents(base, keys)
        self._add_cue_words(keys)
        # Frequent characters first, and guard keys (never given out): see tags/trie_order for why they change no
        # match and make the pass faster.
        items = [(k, (len(k), kind, idx)) for k, (kind, idx) in keys.items()]
        for k, v in insertion_order(guard_items(items, (0, -1, -1))):
            self.auto.add_word(k, v)
        self.auto.make_automaton()
        self._guarded = is_guarded(self.auto)
        self.given_names = given_names
        self.caps_words: frozenset[str] = frozenset()  # words and names in capitals (``organisations.caps_words``)
        self.country_words = country_words()
        # First words of country names, also with a possessive: a name can only contain a country where one of
        # its words is one of these ("Northern" of "Northern Ireland", "Nigeria's").
        firsts = {k.split(" ")[0] for k in self.country_words}
        self.country_firsts = frozenset(firsts | {f + p for f in firsts for p in ("'s", "’s")})
        # Known people's countries: a sentence-level fact, ahead of the article's country (``person_info``).
        self.person_country: dict[str, str] = {str(k): str(v).upper()
                                               for k, v in (base.get("person_countries") or {}).items()}
        self.role_country = {i: R.ROLE_COUNTRY[r] for i, (r, _) in enumerate(self.roles) if r in R.ROLE_COUNTRY}
        self._gov_cache: dict[str | None, ActorInfo] = {}
        self._agent_cache: dict[tuple[int, str | None], ActorInfo] = {}

    def _add_entries(self, entries: list[dict], keys: dict[str, tuple[int, int]]) -> None:
        # Later user entries override built-in ones with the same name.
        for e in entries:
            idx = len(self.entries)
            self.entries.append(e.pop("info"))
            for k in e["keys"]:
                keys[k] = (K_DICT, idx)

    def _add_roles(self, base: dict, keys: dict[str, tuple[int, int]]) -> None:
        for code, words in (base.get("roles") or {}).items():
            for w in words:
                idx = len(self.roles)
                text = w.lower().rstrip(".")
                self.roles.append((R.ROLE_ABBREV.get(text.replace(".", ""), text), None if code == "-" else code))
                for k in case_forms(str(w)):
                    keys.setdefault(k, (K_ROLE, idx))

    def _add_agents(self, base: dict, keys: dict[str, tuple[int, int]]) -> None:
        for a in base.get("agents") or []:
            idx = len(self.agents)
            self.agents.append((a["name"], a["type"], a["code"]))
            if a.get("qualified"):
                self.qualified.add(idx)
            for f in a["forms"]:
                for k in case_forms(f):
                    keys.setdefault(k, (K_AGENT, idx))

    def _add_cue_words(self, keys: dict[str, tuple[int, int]]) -> None:
        # Organisation cue words ("shares", "analyst"): their own keys, or the role entry they share a key with.
        self.cue_words = list(R.CUE_WORDS.items())
        cue_idx = {w: i for i, (w, _) in enumerate(self.cue_words)}
        self.role_cue = {i: cue_idx[r] for i, (r, _) in enumerate(self.roles) if r in cue_idx}
        for w, i in cue_idx.items():
            for k in case_forms(w):
                keys.setdefault(k, (K_CUE, i))

    # -- shared identities ------------------------------------------------------------------------------------

    def government(self, cc: str | None) -> ActorInfo:
        """The government of a country: one identity for "Islamabad has denied", "the government" and
        "Pakistani authorities" (memoised: identities are immutable)."""
        info = self._gov_cache.get(cc)
        if info is None:
            name = R.country_name(cc) if cc else "government"
            info = ActorInfo(name, "GOVERNMENT", None, cc, R.make_code(cc, "GOV"), R.make_id(name, "GOVERNMENT", cc),
                             "GOV")
            self._gov_cache[cc] = info
        return info

    def agent_info(self, idx: int, cc: str | None) -> ActorInfo:
        key = (idx, cc)
        info = self._agent_cache.get(key)
        if info is None:
            name, typ, role_code = self.agents[idx]
            info = ActorInfo(name, typ, None, cc, R.make_code(cc, role_code), R.make_id(name, typ, cc), role_code)
            self._agent_cache[key] = info
        return info

    # -- matching ---------------------------------------------------------------------------------------------

    def scan(self, text: str, cues: list | None = None) -> list[tuple[int, int, int, int]]:
        """Longest dictionary / role / agent matches at word boundaries: (start, end, kind, index); organisation
        cue words ("shares", "analyst") are also appended to ``cues``."""
        if self._guarded:
            text = guarded_text(text)  # same length, same boundaries: only a sentinel becomes the stand-in
        out = []
        n = len(text)
        if cues is None:
            cues = []
        role_cue = self.role_cue
        for end, (length, kind, idx) in self.auto.iter_long(text):
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

    def country_in(self, words: list[str]) -> str | None:
        """The first country named inside a name, longest form first ("Northern Ireland" before "Ireland")."""
        firsts = self.country_firsts
        if firsts.isdisjoint(words):
            return None  # no word can start a country name: skip the joins
        cw = self.country_words
        for i in range(len(words)):
            if words[i] not in firsts:
                continue
            for k in (3, 2, 1):
                if i + k <= len(words):
                    cc = cw.get(R.strip_poss(" ".join(words[i : i + k])))
                    if cc:
                        return cc
        return None


# ---------------------------------------------------------------------------------------------------------------
# Loading

def read_builtin() -> dict:
    """The built-in dictionary ``data/actors.yaml``: actors, roles, agents and given names."""
    return read_yaml(DATA_DIR / "actors.yaml")


def dictionary_entries(base: dict, user_dictionaries: tuple[str, ...] = ()) -> list[dict]:
    """The built-in entries, then every user file's (a user file with a problem raises ``ValueError``)."""
    entries = [_entry(e, "actors.yaml") for e in base.get("actors") or []]
    for path in user_dictionaries:
        entries.extend(load_user_dictionary(path))
    return entries


def case_forms(w: str) -> list[str]:
    """A lower-case role or agent as written, capitalised and in title case, also across hyphens ("Interior
    Minister", "Secretary-General"); a dotted abbreviation of two words also hyphenated ("Lt.-Gen.")."""
    forms = [w]
    if w[:1].islower():
        forms.append(w[0].upper() + w[1:])
        title = " ".join(x[0].upper() + x[1:] if x not in ("of", "the", "for") else x for x in w.split())
        forms.append(title)
        forms.append("-".join(x[:1].upper() + x[1:] for x in title.split("-")))
    if ". " in w and w.count(" ") == 1:
        forms.append(w.replace(". ", ".-"))
    return list(dict.fromkeys(forms))


def read_lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


def read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return safe_load(f) or {}


def country_words() -> dict[str, str]:
    """Country names, short forms and demonyms -> ISO alpha-2, for country words inside organisation names
    ("Nigerian Army") and before roles. From pycountry and the gazetteer's own news-name list."""
    import pycountry

    out: dict[str, str] = {}
    for c in pycountry.countries:
        for n in (c.name, getattr(c, "common_name", None)):
            if n and "," not in n:
                out[n] = c.alpha_2
    news = read_yaml(DATA_DIR / "news_names.yaml")
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
    data = load_user_yaml(path, "actor dictionary") or {}
    items = data.get("actors") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise ValueError(f"actor dictionary {path}: expected a list of actors (or a mapping with key 'actors')")
    return [_entry(e, path, i) for i, e in enumerate(items)]


def _entry(e: Any, src: str, i: int = 0) -> dict:
    """Validate one dictionary entry and turn it into an ActorInfo plus its match keys."""
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
    info = ActorInfo(name.strip(), typ, str(role) if role else None, cc, code, aid, R.role_of_code(code or ""))
    keys = [k.strip() for k in [name, *aliases] if any(c.isupper() or c.isdigit() for c in k)]
    return {"info": info, "keys": keys}
