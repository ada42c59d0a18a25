"""What an actor takes from its context: countries and the coding of governments and unnamed agents.

Why apart: names say who, the words around them say whose. A role's country comes from a possessive ("Pakistan's
foreign minister"), a demonym ("Pakistani"), a "<City>-based" prefix, "the country's" (the article's country) or
"of Pakistan" after it; an official whose country is unstated takes the government acting just before or the
article's primary country, which itself may come from the article's institutions when it names no place. A place
mention that ``places`` marked ``metonymy`` ("Islamabad has denied") is that country's GOVERNMENT actor; "the
government" and "Pakistani authorities" join the same identity (``<country>|GOVERNMENT|CC``). Unnamed agents
("security forces", "militants", "protesters") are typed from the dictionary and given the country of a demonym or
place right before them, else the article's.
"""

from __future__ import annotations

import bisect
from collections import Counter

from newsbeam.tags.actors import rules as R
from newsbeam.tags.actors.dictionary import K_AGENT, K_ROLE, ActorDictionary, ActorInfo, mention
from newsbeam.tags.actors.organisations import Org
from newsbeam.tags.spans import Occupancy


class People(dict):
    """Full name -> info, as found in the article, and each full name under every ending that follows one of its
    spaces ("García Harfuch" and "Harfuch" of "Omar García Harfuch"): ``ending`` answers "which full names end
    with ' ' + this" with one dict lookup, where a scan of every name was made per candidate (``_full_name_ending``)."""

    __slots__ = ("_endings",)

    def __init__(self) -> None:
        super().__init__()
        self._endings: dict[str, list[str]] = {}

    def __setitem__(self, name: str, info: ActorInfo) -> None:
        if name not in self:
            for j, ch in enumerate(name):
                if ch == " ":
                    self._endings.setdefault(name[j + 1 :], []).append(name)
        super().__setitem__(name, info)

    def setdefault(self, name: str, info: ActorInfo) -> ActorInfo:  # type: ignore[override]
        if name not in self:
            self[name] = info
        return self[name]

    def update(self, *args, **kwargs) -> None:  # type: ignore[override]
        for k, v in dict(*args, **kwargs).items():
            self[k] = v

    def ending(self, tail: str) -> list[ActorInfo]:
        """The infos of the full names that end with ``" " + tail``, in the order the names were found."""
        return [self[n] for n in self._endings.get(tail, ())]


class Article:
    """Per-article state: the article's country, people found so far (for surname links), governments acting."""

    def __init__(self, d: ActorDictionary, primary: str | None, counts: Counter):
        self.d = d
        self.primary = primary
        self.counts = counts
        self.people = People()  # full name -> info
        self.meto_seen: list[tuple[int, int, str | None]] = []  # (para, start, country) of acting governments
        self.last_role: tuple[str | None, str | None] | None = None  # (role text, CAMEO role) of the last official
        self.cue_orgs: dict[str, str | None] = {}  # names the context calls organisations -> CAMEO role
        self.agent_country: dict[str, str] = {}  # agent type -> country of its last demonym-qualified mention


class Context:
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
    org_by_end: dict[int, ActorInfo] = {}
    org_by_start: dict[int, ActorInfo] = {}

    def __init__(self, text: str, hits, places, demonyms, org_info: dict[tuple[int, int], ActorInfo],
                 para: int = 0):
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

    def country_place_at(self, s: int, e: int) -> str | None:
        """The country code of a country place mention exactly at (s, e) ("Britain" in "Britain's"), else None."""
        if self._no_geo:
            return None
        if not self._indexed:
            self._index()
        m = self.place_by_start.get(s)
        return m["country_code"] if m is not None and m["end"] == e and m.get("kind") == "country" else None

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
        if R.CONTEXT_COUNTRY.search(text, max(lo, rs - 30), rs):
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

    def org_after(self, re_: int, stop: int) -> ActorInfo | None:
        """ "a spokesman for the BLA": the organisation a role belongs to."""
        if not self._org_indexed:
            self._index_orgs()
        m = R.OF_ORG.match(self.text, re_)
        if m:
            info = self.org_by_start.get(m.end())
            if info is not None:
                return info
        return None

    def org_before(self, rs: int) -> ActorInfo | None:
        """ "BLA spokesman", "the BLA's commander"."""
        if not self._org_indexed:
            self._index_orgs()
        for gap in (" ", "'s ", "’s "):
            info = self.org_by_end.get(rs - len(gap))
            if info is not None and self.text[rs - len(gap) : rs] == gap:
                return info
        return None

    def org_ending(self, end: int) -> ActorInfo | None:
        if not self._org_indexed:
            self._index_orgs()
        return self.org_by_end.get(end)

    def armed_group_in_sentence(self, s: int, e: int) -> ActorInfo | None:
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
# Countries from the article

def country_from_actors(d: ActorDictionary, orgs_all: list[list[Org]], hits_all) -> str | None:
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
            if kind == K_ROLE and idx in d.role_country:
                votes[d.role_country[idx]] += 1
    if not votes:
        return None
    (cc, n), *rest = votes.most_common(2)
    return cc if not rest or rest[0][1] < n else None


def pattern_info(o: Org, primary: str | None) -> ActorInfo:
    """A pattern organisation belongs to the country in its name, else to the article's country: state
    bodies and armed groups always, other bodies unless their name says they are international."""
    cc = o.cc
    if cc is None and (o.type in ("GOVERNMENT", "SECURITY_FORCE", "ARMED_GROUP") or o.role_code in R.STATE_ROLES
                       or not R.INTL_WORDS.intersection(o.name.split())):
        cc = primary
    return ActorInfo(o.name, o.type, None, cc, R.make_code(cc, o.role_code), R.make_id(o.name, o.type, cc),
                     o.role_code)


def implied_country(art: Article, ridx: int, role_code: str | None, rs: int, ctx: Context) -> str | None:
    """The country of a person whose text names none: an official takes the government acting just before
    in the same paragraph ("Kyiv said ... President Zelensky urged"), a role tied to one country's
    institutions its country before the article's ("Foreign Secretary David Lammy" is British in a story about
    Pakistan too), anyone else the article's."""
    if role_code in R.STATE_ROLES:
        near = [cc for p, st, cc in art.meto_seen if p == ctx.para and st < rs]
        if near and near[-1]:
            return near[-1]
    own = art.d.role_country.get(ridx)
    if own is not None:
        return own
    cc = art.primary
    if cc is not None:
        art.counts["actors-person-country-from-article"] += 1
    return cc


def metonymy_governments(art: Article, p: int, text: str, places, taken: Occupancy, out: list[dict]) -> None:
    """ "Islamabad has denied": a place the place tagger read as acting is its country's government (appended to
    ``out`` and ``taken``)."""
    for m in places:
        if m.get("metonymy") and m.get("country_code") and not taken.hits(m["start"], m["end"]):
            info = art.d.government(m["country_code"])
            art.meto_seen.append((p, m["start"], info.country_code))
            out.append(mention(text, m["start"], m["end"], info))
            taken.add(m["start"], m["end"])
            art.counts["actors-government-metonymy"] += 1


# ---------------------------------------------------------------------------------------------------------------
# Unnamed agents

def agents(art: Article, text: str, hits, taken: Occupancy, ctx: Context):
    """Unnamed agents. Not when they modify a noun ("police station") or are the member noun of a group named
    right before them ("Boko Haram fighters"); qualified ones ("forces", "officials") only with a demonym or
    country before them. Journalists keep no country (the text seldom says whose they are); armed agents in
    a sentence that names one armed group take that group's identity of country and code ("gunmen from the
    BLA"); forces qualified by a regional demonym ("Tigrayan forces") are an armed group."""
    d = art.d
    table = d.agents
    next_word = R.NEXT_WORD.match
    for s, e, kind, idx in hits:
        if kind != K_AGENT or taken.hits(s, e):
            continue
        name, typ, role_code = table[idx]
        nxt = next_word(text, e)
        if nxt and nxt.group(1) in R.ADJ_NOUNS or text[e : e + 1] == "-":
            continue
        if s and text[s - 1] == "-":
            continue
        if (typ in ("ARMED_GROUP", "SECURITY_FORCE") and text[s - 1] == " " and ctx.org_info
                and ctx.org_ending(s - 1) is not None):
            continue
        cc, s2 = (None, s) if ctx._no_geo else ctx.agent_country(s)
        if idx in d.qualified and s2 == s:
            continue
        if role_code == "MED":
            yield s2, e, d.agent_info(idx, None)
            continue
        if cc is None:
            # "Nigerian troops ... the army said": an unqualified security force belongs to the country the
            # story last gave one, before the article's country (which may be one mentioned in passing).
            cc = art.agent_country.get(typ) or art.primary
        elif s2 != s and typ == "SECURITY_FORCE":  # not "the government": that is usually the story's own
            art.agent_country[typ] = cc
        info = _agent_identity(art, text, idx, s, s2, e, cc, ctx)
        if taken.hits(s2, e):
            s2 = s
        yield s2, e, info


def _agent_identity(art: Article, text: str, idx: int, s: int, s2: int, e: int, cc: str | None,
                    ctx: Context) -> ActorInfo:
    """The identity of an unnamed agent of country ``cc`` (``s2`` < ``s`` when a demonym or country joined it)."""
    d = art.d
    name, typ, role_code = d.agents[idx]
    if typ == "GOVERNMENT" and role_code == "GOV":
        return d.government(cc)
    if typ == "ARMED_GROUP":
        group = ctx.armed_group_in_sentence(s, e)
        info = d.agent_info(idx, cc)
        if group is not None and group.code and s2 == s:
            info = ActorInfo(info.name, typ, None, group.country_code, group.code,
                             R.make_id(name, typ, group.country_code), group.role_code)
        return info
    if typ == "SECURITY_FORCE" and s2 < s and ctx.regional_demonym(s2, s):
        return ActorInfo(name, "ARMED_GROUP", None, cc, R.make_code(cc, "REB"),
                         R.make_id(text[s2:e], "ARMED_GROUP", cc), "REB")
    return d.agent_info(idx, cc)
