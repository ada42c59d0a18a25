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
"""

from __future__ import annotations

import re
import threading

MIN_LETTERS = 40
_SAMPLE_CHARS = 3000
_lock = threading.Lock()
_identifier = None


def _get():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                ident = LanguageIdentifier.from_model_file(MODEL_FILE)
                ident.set_languages(sorted({c for c in ident.nb_classes if len(c) == 2}))
                _identifier = ident
    return _identifier


def _enough_letters(text: str) -> bool:
    n = 0
    for ch in text:
        if ch.isalpha():
            n += 1
            if n >= MIN_LETTERS:
                return True
    return False


def detect_lang(text: str) -> str:
    """ISO 639-1 code of ``text`` (its first 3000 characters), "und" when it has fewer than 40 letters."""
    if not text:
        return "und"
    sample = text[:_SAMPLE_CHARS]
    if not _enough_letters(sample):
        return "und"
    return _get().classify(sample)[0]


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


def article_languages(paragraphs: list[str], keys: list[str] | None = None) -> tuple[str, list[str]]:
    """The article's language and each paragraph's; a paragraph too short to tell inherits the article's.

    ``keys``: the paragraphs' comparison keys, if already computed (a faster English check).
    """
    if not paragraphs:
        return "und", []
    sample = "\n".join(paragraphs)[:_ARTICLE_SAMPLE]
    n, share = english_share(sample)
    art = "en" if n >= 40 and share >= ARTICLE_MIN_SHARE else detect_lang(sample)
    langs = []
    for i, p in enumerate(paragraphs):
        if art == "en":
            n, share = english_share(p, keys[i] if keys is not None else None)
            if n >= FAST_MIN_WORDS and share >= FAST_MIN_SHARE:
                langs.append("en")
                continue
        lg = detect_lang(p)
        langs.append(art if lg == "und" else lg)
    return art, langs
