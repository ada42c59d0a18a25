"""Language of a text as an ISO 639-1 code, or "und" when there is too little text to tell.

py3langid's model also knows dialects and languages without a two-letter code (``arz``, ``yue``, ``zxx``...). The
identifier is restricted to the two-letter languages, so Egyptian Arabic reads as ``ar`` and Cantonese as ``zh``
instead of leaking codes the schema does not promise. The model (a few MB) is loaded once per process, on first use,
into our own identifier so other users of py3langid's global one are not affected.

Speed: py3langid walks every byte in Python (about 1 MB/s here), which made language detection most of a run's
time. ``article_languages`` therefore uses a cheap test first: English news prose has 20-40% of its words among a
few dozen function words that other languages do not use, so an article whose first 1,000 characters (at least 40
words) have at least 20% of them is English, and so is a paragraph of an English article with at least 8 words and
15% of them. Anything else goes to py3langid (the article on its 1,000-character sample). A paragraph that fails the test (a quote in another language, a foreign footer) is classified by
py3langid on its own. Other article languages are classified paragraph by paragraph.

Short and name-heavy English (a sports result, a list of officials, "Prime Minister Shehbaz Sharif met President
Asif Ali Zardari in Islamabad on Monday.") has few function words, and py3langid reads the names as Malay, Hausa
or Maltese, so such paragraphs used to get no tags at all. Another language is therefore only believed when
py3langid is confident of it (normalised probability >= ``CONFIDENT``; real French, German or Spanish sentences of
one line score 0.9 and more, name-heavy English 0.1-0.5): in an English article a paragraph that is not
confidently another language is English, and a text whose own language py3langid cannot tell with confidence is
English when it has at least ``CUE_MIN`` English words (function words, weekdays, months, news titles and verbs),
even below the 40 letters ``detect_lang`` needs.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

MIN_LETTERS = 40
_LETTER_HEAD = 80
CLASSIFY_CACHE = 8192
_SAMPLE_CHARS = 3000
_lock = threading.Lock()
_batch = None


def _get_batch():
    global _batch
    if _batch is None:
        with _lock:
            if _batch is None:
                from newsbeam.text.langid_batch import BatchIdentifier
                from newsbeam.text.langid_model import load_model

                _batch = BatchIdentifier(load_model())
    return _batch


def load_language_model() -> None:
    """Load py3langid's model now (a worker does it at setup, so it is frozen with its other long-lived objects)."""
    _get_batch()


def _enough_letters(text: str) -> bool:
    """At least ``MIN_LETTERS`` letters (``str.isalpha``) in ``text``.

    Counted with ``map`` over the first ``_LETTER_HEAD`` characters, which settles most paragraphs, then over the
    rest: a Python loop per character cost 5-6 us a paragraph."""
    if len(text) < MIN_LETTERS:
        return False
    n = sum(map(str.isalpha, text[:_LETTER_HEAD]))
    return n >= MIN_LETTERS or n + sum(map(str.isalpha, text[_LETTER_HEAD:])) >= MIN_LETTERS


def detect_lang(text: str) -> str:
    """ISO 639-1 code of ``text`` (its first 3000 characters), "und" when it has fewer than 40 letters."""
    if not text:
        return "und"
    return classify(text)[0]


# Frequent English function words that are not also common words of other Latin-script languages ("a", "in", "on",
# "an", "die", "so" are left out on purpose).
_EN_FUNCTION = frozenset(
    "the of and to that for with was were by from said his her has have had are be been will not but its they their "
    "who which this after also more than about into would there when we he she it at or after our you been".split()
)
_WORD = re.compile(r"[^\W\d_]+")
FAST_MIN_WORDS = 8
FAST_MIN_SHARE = 0.15
ARTICLE_MIN_SHARE = 0.2
_ARTICLE_SAMPLE = 1000


def english_share(text: str, key: str | None = None) -> tuple[int, float]:
    """(number of words, share of them that are English function words).

    ``key`` is the paragraph's comparison key (casefolded, punctuation dropped) when the caller has it: splitting it
    is much cheaper than a regular expression over the text.
    """
    if key is not None:
        words = key.split()
        if not words:
            return 0, 0.0
        en = _EN_FUNCTION
        return len(words), sum(map(en.__contains__, words)) / len(words)
    words = _WORD.findall(text.lower())
    if not words:
        return 0, 0.0
    en = _EN_FUNCTION
    return len(words), sum(map(en.__contains__, words)) / len(words)


CONFIDENT = 0.8
CUE_MIN = 2
# English words that are not function words but are frequent in exactly the short, name-heavy lines the function
# word test misses (results, line-ups, who met whom on which day).
_EN_CUES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december one two three four five president minister prime governor mayor senator "
    "secretary chief police officials government army rebels troops people week year years day today yesterday "
    "met meets meeting visited said says told killed injured wounded arrested won beat scored drew lost results "
    "match team league cup final against valid new old".split()
)


def classify(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, normalised probability) of ``text``; ("und", 0.0) with fewer than 40 letters."""
    return classify_many([text])[0]


class _AnswerCache:
    """The last ``CLASSIFY_CACHE`` answers by sample (a pure function of it), least recently used dropped first.

    The texts that reach py3langid are mostly short lines that fail the English test, and news repeats them word
    for word (bylines, "Advertisement", a source's footer, wire copy): the cache skips the model walk for them.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.answers: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, sample: str) -> tuple[str, float] | None:
        found = self.answers.get(sample)
        if found is not None:
            self.answers.move_to_end(sample)
            self.hits += 1
        return found

    def put(self, sample: str, answer: tuple[str, float]) -> None:
        self.misses += 1
        self.answers[sample] = answer
        if len(self.answers) > self.size:
            self.answers.popitem(last=False)

    def clear(self) -> None:
        self.answers.clear()
        self.hits = self.misses = 0


_answers = _AnswerCache(CLASSIFY_CACHE)


def classify_many(texts: list[str]) -> list[tuple[str, float]]:
    """``classify`` of each text, the texts the cache does not know walked through the model in one batch
    (``langid_batch``: one numpy pass over all their bytes instead of a Python loop per byte)."""
    samples = [t[:_SAMPLE_CHARS] for t in texts]
    out: list[tuple[str, float] | None] = [None] * len(samples)
    todo: dict[str, list[int]] = {}
    for i, sample in enumerate(samples):
        if not sample or not _enough_letters(sample):
            out[i] = ("und", 0.0)
            continue
        found = _answers.get(sample)
        if found is not None:
            out[i] = found
        else:
            todo.setdefault(sample, []).append(i)
    if todo:
        for sample, answer in zip(todo, _get_batch().classify_many(list(todo)), strict=True):
            _answers.put(sample, answer)
            for i in todo[sample]:
                out[i] = answer
    return out  # type: ignore[return-value]


def english_cues(text: str) -> int:
    """How many of the words of ``text`` are English function words or English cue words."""
    en, cues = _EN_FUNCTION, _EN_CUES
    return sum(1 for w in _WORD.findall(text.lower()) if w in en or w in cues)


def _text_language(text: str, answer: tuple[str, float] | None = None) -> str:
    """The language of a text on its own: py3langid's when it is confident, English when py3langid is not and the
    text has English words, else py3langid's guess ("und" when too short and not English).

    ``answer``: ``classify(text)`` when the caller already has it (a batch)."""
    lg, prob = answer if answer is not None else classify(text)
    if lg != "en" and prob < CONFIDENT and english_cues(text) >= CUE_MIN:
        return "en"
    return lg


def article_languages(paragraphs: list[str], keys: list[str] | None = None) -> tuple[str, list[str]]:
    """The article's language and each paragraph's; a paragraph too short to tell inherits the article's, and in
    an English article so does one that is not confidently another language.

    ``keys``: the paragraphs' comparison keys, if already computed (a faster English check).
    """
    if not paragraphs:
        return "und", []
    sample = "\n".join(paragraphs)[:_ARTICLE_SAMPLE]
    n, share = english_share(sample)
    art = "en" if n >= 40 and share >= ARTICLE_MIN_SHARE else _text_language(sample)
    if art == "en":
        langs = ["en"] * len(paragraphs)
        unsure = []
        for i, p in enumerate(paragraphs):
            n, share = english_share(p, keys[i] if keys is not None else None)
            if n < FAST_MIN_WORDS or share < FAST_MIN_SHARE:
                unsure.append(i)
        for i, (lg, prob) in zip(unsure, classify_many([paragraphs[i] for i in unsure]), strict=True):
            langs[i] = lg if lg != "en" and lg != "und" and prob >= CONFIDENT else "en"
        return art, langs
    langs = []
    for p, answer in zip(paragraphs, classify_many(paragraphs), strict=True):
        lg = _text_language(p, answer)
        langs.append(art if lg == "und" else lg)
    return art, langs
