"""Metonymy: whether a country or a capital stands for its government ("Islamabad has denied", "urged
Washington", "a deal with Manila") rather than for the place. Conservative by design: a locative phrase, a
modifier or a place noun after the name never is."""

from __future__ import annotations

import re

from newsbeam.tags.places.candidate import Candidate
from newsbeam.tags.places.context import next_word, prev_word
from newsbeam.tags.places.rules import GEO_AFTER, PREPOSITIONS
from newsbeam.tags.places.table import Gazetteer

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
# What may come right before an acting government: verbs ("urged Washington"), a party to talks and agreements
# ("signed a peace deal with Manila") and the source of a political act ("a proposal from Washington").
_BEFORE_VERBS = (
    "accused|accuses|accusing|blamed|blames|blaming|urged|urges|urging|warned|warns|warning|criticised|"
    "criticized|criticising|criticizing|condemned|condemns|sanctioned|pressed|pressured|pressuring|called on|"
    "calling on|asked|told|thanked|praised|slammed|lashed out at|demanded that|pushed|accusations against|"
    "allegations against|suspended|suspends|expelled|expels|invited|invites|lobbied|lobbying|persuade|persuaded|"
    "restrain|restrained|rebuked|press|presses|pressing|pressure on"
)
_BEFORE_WITH = (
    "talks|deal|agreement|accord|treaty|truce|ceasefire|negotiations|relations|ties|cooperation|contacts|"
    "dialogue|dispute|row|standoff|rift|alliance|partnership"
)
_BEFORE_FROM = (
    "proposal|proposals|request|requests|pressure|demand|demands|offer|offers|support|backing|assurances|"
    "guarantees|approval|invitation|warning|warnings|criticism|objections|response|pledge|aid|funding|"
    "sanctions|tariffs|ultimatum|protest"
)
_METO_BEFORE = re.compile(
    r"(?:" + _BEFORE_VERBS + r"|(?:" + _BEFORE_WITH + r") with(?: the)?|(?:" + _BEFORE_FROM + r") from(?: the)?)\s+$"
)
# The word every match of ``_METO_BEFORE`` ends with (before the trailing spaces): a window whose text, trailing
# spaces stripped, ends with none of them cannot match, which a suffix test finds ~4x faster than the search that
# tries each of the 50 start positions (metonymy was ~7% of place tagging, mostly these searches).
_METO_BEFORE_ENDS = tuple(sorted({a.rsplit(" ", 1)[-1] for a in _BEFORE_VERBS.split("|")} | {"with", "from", "the"}))
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


class Metonymy:
    """Marks the resolved candidates that stand for a government; reads the kind and capital columns."""

    def __init__(self, gaz: Gazetteer):
        self._kind = gaz.ent_kind
        self._cap = gaz.ent_capital

    def _is_metonymy(self, c: Candidate, text: str) -> bool:
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
        if nxt in ("-", "'", "’") or (nxt == " " and next_word(text, e + 1) in GEO_AFTER):
            return False
        lo = max(0, c.s - 50)
        lead = text[lo : c.s].rstrip()  # both patterns end in spaces: what they must end with comes before
        if lead.endswith(_METO_BEFORE_ENDS) and _METO_BEFORE.search(text, lo, c.s):
            return True
        m = _METO_PASSIVE_BY.search(text, lo, c.s) if lead.endswith(("by", "the")) else None
        if m and m.group(1) not in _NOT_AGENT_BY:
            return True
        if c.prep:
            return False
        prev = c.prev_word.lower()
        if prev in _NOT_SUBJECT_PREV:
            # "the" belongs to some country names ("and the United States have ..."): look one word further.
            if prev != "the" or self._kind[ent] != "country":
                return False
            before = prev_word(text, c.s - 5) if c.s >= 5 and text[c.s - 5] == " " else ""
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

    def mark(self, cands: list[Candidate], texts: list[str]) -> None:
        """Set ``meto`` on every resolved candidate; then a country or capital coordinated with a metonymic one
        ("Britain and the United States have carried out strikes", "called on Washington and Paris") shares
        its reading."""
        prev: Candidate | None = None
        for c in cands:
            if not c.ents or c.best < 0:
                continue
            c.meto = self._is_metonymy(c, texts[c.para])
            if prev is not None and prev.para == c.para and prev.meto != c.meto and self._coordinated(prev, c, texts):
                prev.meto = c.meto = True
            prev = c

    def _coordinated(self, a: Candidate, b: Candidate, texts: list[str]) -> bool:
        text = texts[a.para]
        if a.e >= b.s or text[a.e : b.s] not in _COORD_GAPS:
            return False
        ka, kb = self._kind[a.best], self._kind[b.best]
        return (ka == "country" or self._cap[a.best]) and (kb == "country" or self._cap[b.best]) and \
            text[b.e : b.e + 1] not in ("-", "'", "’")
