"""What the two JSON formats (JSON Lines, JSON arrays) share: the lenient decoder and the error wording."""

from __future__ import annotations

import codecs
import json

JSON = json.JSONDecoder(strict=False)  # raw tabs/newlines inside strings are common in scraped exports
CP1252_ERRORS = "newsbeam-cp1252"  # codec error handler name, registered below
_UNDEFINED_1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 inside a JSON document are almost always Windows-1252 (mixed-encoding exports)."""
    bad = err.object[err.start : err.end]  # type: ignore[attr-defined]
    return "".join(chr(b) if b in _UNDEFINED_1252 else bytes([b]).decode("cp1252") for b in bad), err.end  # type: ignore[attr-defined]


codecs.register_error(CP1252_ERRORS, _cp1252_fallback)


def json_error(e: BaseException) -> str:
    """The reject detail for a value that does not parse."""
    if isinstance(e, json.JSONDecodeError):
        return f"{e.msg} (line {e.lineno}, column {e.colno})"
    if isinstance(e, RecursionError):
        return "nested too deeply"
    return str(e)


CUT_SHORT = "the input ends inside this value (the file is cut short?)"


def ends_inside(e: BaseException, text: str) -> bool:
    """Whether a parse error only says that the text stopped too early (a cut file), not that it is wrong.

    With the lenient decoder an unterminated string runs to the end of the text, and every other "expecting ..."
    error at the end of the text asked for more input: both mean the value was cut, which users should be told.
    """
    if not isinstance(e, json.JSONDecodeError):
        return False
    return e.msg.startswith("Unterminated string") or e.pos >= len(text.rstrip())
