"""Language of a text as an ISO 639-1 code, or "und" when there is too little text to tell.

py3langid's model also knows dialects and languages without a two-letter code (``arz``, ``yue``, ``zxx``...). The
identifier is restricted to the two-letter languages, so Egyptian Arabic reads as ``ar`` and Cantonese as ``zh``
instead of leaking codes the schema does not promise. The model (a few MB) is loaded once per process, on first use,
into our own identifier so other users of py3langid's global one are not affected.
"""

from __future__ import annotations

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
