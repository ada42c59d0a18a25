"""Bytes of unknown encoding -> clean Unicode text.

Scraped news arrives as UTF-8, UTF-8 with a BOM, UTF-16 (with or without BOM, from Windows tools), legacy Western
code pages and double-encoded "mojibake" (``cafÃ©``). ``decode_bytes`` tries the cheap, certain answers first (BOM,
strict UTF-8) so the common case costs one ``bytes.decode``; guessing (charset-normalizer) only runs on bytes that are
not UTF-8. A guess between Windows-1252 and Windows-1250 is settled by which one turns the high bytes into letters
inside words, because charset-normalizer often swaps the two and a Latin-1 pound sign (0xA3) must stay "£".

``repair_text`` is the part that also applies to strings that were never bytes here (JSON fields): mojibake repair,
line-break normalisation and removal of control characters. ftfy is slow (a few MB/s), so it runs only when a cheap
regex finds the signature of mojibake.
"""

from __future__ import annotations

import codecs
import re

import ftfy
from charset_normalizer import from_bytes


class UndecodableError(ValueError):
    """No encoding explains the bytes."""


class BinaryError(ValueError):
    """The bytes are not text (NULs or many control bytes)."""


_SAMPLE = 65536
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HIGH = bytes(range(0x80, 0x100))
# Control bytes that never occur in text files; \t \n \r \f \v and ESC are allowed.
_CTRL = bytes([*range(0x01, 0x09), 0x0E, 0x0F, *range(0x10, 0x1B), *range(0x1C, 0x20), 0x7F])
# Code pages charset-normalizer confuses with one another on Western and Central European text.
_LATIN_FAMILY = {"cp1252", "cp1250", "iso8859-2", "iso8859-15", "iso8859-9", "cp1254", "mac-roman", "mac-latin2",
                 "cp850", "cp437"}
# Symbols a Western text plausibly contains; anything else non-alphabetic among the high chars counts against.
_PLAUSIBLE_SYMBOLS = set("£€©®°±·¶§«»¿¡¼½¾¢¥ªº²³µ\u00a0‘’“”–—…•™†‡‰‹›„‚´¨¬¦¸¯×÷")
# Searched in the UTF-8 bytes, where both start with a literal byte and re scans fast (5x faster than a str class):
# a UTF-8 lead byte read as cp1252/Latin-1 (Â..ô, bytes C3 82..C3 B4) followed by a continuation byte read the
# same way (U+0080..U+00BF or one of cp1252's punctuation characters) is mojibake; so is any C1 control.
_MOJIBAKE = re.compile(
    rb"\xc3[\x82-\xb4](?:\xc2[\x80-\xbf]|\xe2\x80[\x93\x94\x98-\x9a\x9c-\x9e\xa0-\xa2\xa6\xb0\xb9\xba]"
    rb"|\xe2\x82\xac|\xe2\x84\xa2|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92|\xcb[\x86\x9c])"
)
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_C0_BYTES = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    normalization=None,
    explain=False,
)
# C0 and C1 controls except \t and \n (\r, \v and \f are turned into \n before this runs).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def decode_bytes(data: bytes, hint: str | None = None) -> tuple[str, str]:
    """Decode and repair; returns (text, encoding name). ``hint`` is a declared charset (HTTP header, meta tag).

    Order: BOM, UTF-16 without BOM, binary check, strict UTF-8, the declared charset, Western code pages when the
    evidence is thin, charset-normalizer. Raises BinaryError or UndecodableError.
    """
    if not data:
        return "", "utf-8"
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return repair_text(data[len(bom) :].decode(enc.removesuffix("-sig"), errors="replace")), enc
    enc16 = _utf16_without_bom(data[:_SAMPLE])
    if enc16:
        return repair_text(data[: len(data) // 2 * 2].decode(enc16, errors="replace")), enc16
    _check_binary(data[:_SAMPLE])
    try:
        return repair_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    enc = _guess_legacy(data, hint)
    return repair_text(data.decode(enc, errors="replace")), enc


def repair_text(text: str) -> str:
    """Mojibake repair, \\r\\n / \\r / \\v / \\f -> \\n, lone surrogates -> U+FFFD, control characters removed.

    Every test runs on the UTF-8 bytes (memchr-speed ``in`` and ``translate``), so clean text costs one encode.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        # Surrogates (from JSON escapes): join valid pairs, replace lone halves, which UTF-8 writers reject.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        raw = text.encode("utf-8")
    has_c1 = b"\xc2" in raw and _C1.search(raw) is not None
    if has_c1 or (b"\xc3" in raw and _MOJIBAKE.search(raw)):
        text = ftfy.fix_text(text, _FTFY)
    if has_c1 or len(raw.translate(None, _C0_BYTES)) != len(raw):
        text = _CONTROLS.sub("", text.replace("\x0b", "\n").replace("\x0c", "\n"))
    return text


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text of mostly Latin script has a NUL in every other byte; random binary does not."""
    n = len(sample) // 2
    if n < 2:
        return None
    even_nul = sample[0 : 2 * n : 2].count(0)
    odd_nul = sample[1 : 2 * n : 2].count(0)
    if odd_nul >= 0.4 * n and even_nul <= 0.02 * n:
        return "utf-16-le"
    if even_nul >= 0.4 * n and odd_nul <= 0.02 * n:
        return "utf-16-be"
    return None


def _check_binary(sample: bytes) -> None:
    nul = sample.count(0)
    if nul > max(2, len(sample) // 1000):
        raise BinaryError(f"{nul} NUL bytes in the first {len(sample)} bytes")
    ctrl = len(sample) - len(sample.translate(None, _CTRL))
    if ctrl > max(4, len(sample) // 20):
        raise BinaryError(f"{ctrl} control bytes in the first {len(sample)} bytes")


def _guess_legacy(data: bytes, hint: str | None) -> str:
    sample = data[:_SAMPLE]
    declared = _codec(hint)
    if declared and not declared.startswith("utf"):
        if declared in _LATIN_FAMILY:
            return _western(sample)
        try:
            data.decode(declared)
            return declared
        except UnicodeDecodeError:
            pass
    high = len(sample) - len(sample.translate(None, _HIGH))
    if high <= 16:
        # Too little evidence for a statistical guess: a lone 0xA3 must read as a pound sign, not a Cyrillic letter.
        return _western(sample)
    best = from_bytes(sample).best()
    if best is None:
        # Western text is mostly ASCII with its accented letters inside words; anything else stays unexplained.
        text = sample.decode("cp1252", errors="replace")
        if high > 0.3 * len(sample) or _western_score(text) < 0.7 * high:
            raise UndecodableError("no text encoding explains the bytes")
        return "cp1252"
    enc = _codec(best.encoding) or "cp1252"
    if enc in _LATIN_FAMILY:
        return _western(sample)
    return enc


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        canonical = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    # Browsers read a declared Latin-1 or ASCII as Windows-1252; so do we (it only adds characters in 0x80-0x9F).
    return {"iso8859-1": "cp1252", "ascii": "cp1252", "utf-8-sig": "utf-8"}.get(canonical, canonical)


def _western(sample: bytes) -> str:
    """Windows-1252 unless Windows-1250 turns clearly more high bytes into letters inside words."""
    s1252 = _western_score(sample.decode("cp1252", errors="replace"))
    s1250 = _western_score(sample.decode("cp1250", errors="replace"))
    return "cp1250" if s1250 > s1252 else "cp1252"


def _western_score(text: str) -> float:
    score = 0.0
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ord(ch) < 0x80:
            continue
        if ch.isalpha():
            if (i > 0 and text[i - 1].isalpha()) or (i < last and text[i + 1].isalpha()):
                score += 1
            else:
                score += 0.5
        elif ch in _PLAUSIBLE_SYMBOLS:
            score += 1
        else:
            score -= 1
    return score
