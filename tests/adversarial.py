"""Adversarial free text for the property-based tests, and a hard per-call time limit.

Real news broke the actor tagger with ordinary phrases ("The President's spokesman", "the King's Cup"), so the
strategies here are built from the pieces real copy is made of, chosen to hit the rules' edges: runs of capitalised
words, titles and roles with and without a possessive, possessive countries, initials and dots, acronyms in
brackets, quotes and dashes, all-caps headlines, very long tokens and sentences, mixed scripts, combining marks and
control characters. Sentences are assembled from these words by hypothesis, so they are not ours nor anyone's.

``bounded`` runs one call under a real timer (SIGALRM in the main thread): hypothesis's own ``deadline`` only
measures a call after it returns, so an endless loop would hang the suite instead of failing it. A loop stuck
inside C code that never returns to the interpreter is not interrupted by a signal; pytest-timeout (thread
method, see ``pyproject.toml``) ends the whole run in that case, so the suite still cannot hang.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

T = TypeVar("T")

# Profiles: "ci" runs in `make test`; "fuzz" is `make fuzz` (run by hand, see the Makefile for its size).
settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile(
    "fuzz", max_examples=1500, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# One call of a text stage on at most a few KB of text must finish well within this (the stages run at MB/s).
CALL_BUDGET_S = float(os.environ.get("NEWSBEAM_FUZZ_CALL_BUDGET", "5"))


class Stalled(AssertionError):
    """A call exceeded its budget: treated as a test failure (hypothesis then shrinks the example)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def _alarm(signum: int, frame: Any) -> None:
        raise Stalled(f"call did not finish within {seconds:.1f} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def bounded(fn: Callable[..., T], *args: Any, seconds: float | None = None, **kwargs: Any) -> T:
    with time_limit(seconds or CALL_BUDGET_S):
        return fn(*args, **kwargs)


TITLES = [
    "President", "Prime Minister", "Minister", "Interior Minister", "Defence Minister", "Foreign Secretary",
    "Secretary-General", "Secretary", "Chancellor", "Queen", "King", "Prince", "Sheriff", "Lt.", "Lt. Col.", "Gen.",
    "General", "Col.", "Sgt.", "Dr.", "Mr.", "Mrs.", "Ms.", "Gov.", "Governor", "Senator", "Sen.", "Rep.", "Judge",
    "Chief Justice", "Mayor", "Commissioner", "Inspector General", "Deputy", "Vice President", "Speaker", "Pope",
    "Archbishop", "Imam", "Commander", "Chief", "Spokesman", "spokesman", "minister", "president", "chief executive",
]
COUNTRIES = [
    "Pakistan", "Kenya", "Nigeria", "Britain", "United States", "U.S.", "UK", "Somalia", "Mali", "Iraq", "Russia",
    "China", "India", "France", "Germany", "Georgia", "Chad", "Niger", "Congo", "Sudan", "South Sudan", "Israel",
]
PLACES = [
    "Quetta", "Balochistan", "Islamabad", "Lagos", "Mogadishu", "Paris", "Texas", "Kabul", "Nairobi", "Gao",
    "New York", "Washington", "London", "Madina", "Borno", "Maiduguri", "Kandahar", "Springfield", "Jordan",
]
ORG_WORDS = [
    "Army", "Ministry", "of", "Interior", "Police", "Liberation", "Front", "Party", "Bank", "Court", "Council",
    "United", "Nations", "UN", "NATO", "African", "Union", "Islamic", "State", "Group", "Inc.", "Ltd", "Corp",
    "Department", "Justice", "Forces", "Brigade", "Movement", "and", "&", "the", "for", "on", "Commission",
]
NAMES = [
    "Joe", "Biden", "Olaf", "Scholz", "Asif", "Ali", "Zardari", "Shehbaz", "Sharif", "Antonio", "Guterres",
    "Kipchumba", "Murkomen", "Mohammed", "Badaru", "Abubakar", "David", "Lammy", "J.", "R.", "O'Neill", "al-Baghdadi",
    "bin", "Laden", "Mary-Jane", "de", "la", "Cruz", "van", "der", "Berg", "Ng", "Xi", "Jinping", "Élodie", "Łukasz",
]
FUNCTION = [
    "the", "a", "an", "said", "told", "met", "in", "on", "at", "of", "and", "with", "for", "by", "as", "that",
    "was", "is", "has", "will", "would", "after", "before", "near", "his", "her", "their", "its", "who", "against",
    "spokesman", "grandson", "Cup", "Budget", "troops", "attack", "curfew", "hospital", "province", "district",
]
POSSESSIVES = ["'s", "’s", "'", "’", "s'", ""]
PUNCT = [",", ".", ";", ":", "!", "?", "-", "—", "–", "(", ")", "[", "]", '"', "“", "”", "'", "‘", "’", "/", "&",
         "...", "…", " - ", " -- ", "«", "»"]
WEIRD = [
    "\u0301", "\u0308", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u2028", "\u2029", "\x00", "\x07", "\x0b", "\x0c",
    "\x1b", "\x7f", "\x85", "\u202e", "\ud7ff", "\U0001f600", "\t", "\r", "\r\n", "\n", "\n\n", "\u00a0", "\u3000",
]
SCRIPTS = ["Москва", "Київ", "بغداد", "كابول", "北京", "東京", "मुंबई", "ירושלים", "Ελλάδα", "서울", "İstanbul",
           "ŞANLIURFA", "ﬁnance", "Ⅻ", "①", "𝐁𝐨𝐥𝐝"]

_word = st.one_of(
    st.sampled_from(TITLES),
    st.sampled_from(COUNTRIES),
    st.sampled_from(PLACES),
    st.sampled_from(ORG_WORDS),
    st.sampled_from(NAMES),
    st.sampled_from(FUNCTION),
    st.sampled_from(SCRIPTS),
    st.from_regex(r"[A-Z]{2,6}", fullmatch=True),  # acronyms
    st.from_regex(r"[A-Z]\.", fullmatch=True),  # initials
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8),
)
_token = st.one_of(
    st.tuples(_word, st.sampled_from(POSSESSIVES)).map("".join),
    _word.map(str.upper),  # all-caps headline words
    st.sampled_from(PUNCT),
    st.sampled_from(WEIRD),
    st.tuples(st.just("("), st.from_regex(r"[A-Z]{2,6}", fullmatch=True), st.just(")")).map("".join),
    st.integers(min_value=0, max_value=10**6).map(str),
)
_sep = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "", "\t", " \u00a0", ". ", ", "])


@st.composite
def _sentence(draw: st.DrawFn) -> str:
    toks = draw(st.lists(_token, min_size=1, max_size=40))
    seps = draw(st.lists(_sep, min_size=len(toks), max_size=len(toks)))
    return "".join(t + s for t, s in zip(toks, seps, strict=True))


# A very long token or a very long sentence: the length cases (kept a few KB so a call costs milliseconds).
_long = st.one_of(
    st.integers(min_value=200, max_value=3000).map(lambda n: "A" * n),
    st.integers(min_value=50, max_value=400).map(lambda n: "President's " * n),
    st.integers(min_value=50, max_value=300).map(lambda n: "Minister " * n),
    st.integers(min_value=50, max_value=300).map(lambda n: "the Army and " * n),
    st.integers(min_value=50, max_value=300).map(lambda n: "J. " * n),
    st.integers(min_value=20, max_value=200).map(lambda n: "Pakistan's Interior Minister " * n),
)

free_text = st.one_of(
    _sentence(),
    st.lists(_sentence(), min_size=1, max_size=6).map(" ".join),
    st.lists(_sentence(), min_size=1, max_size=6).map("\n\n".join),
    st.tuples(_sentence(), _long, _sentence()).map(" ".join),
    st.text(max_size=300),
)
"""Adversarial article or paragraph text."""

paragraph_lists = st.lists(free_text, min_size=1, max_size=5)
"""Several paragraphs of one article."""

if os.environ.get("NEWSBEAM_FUZZ_GENERATED_ONLY"):  # measure what generation alone finds (no @example cases)
    from hypothesis import Phase

    settings.register_profile("generated", parent=settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci")),
                              phases=[Phase.generate, Phase.shrink])
    settings.load_profile("generated")
