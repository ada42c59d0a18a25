"""Publication dates: many spellings in, one UTC instant out, or the raw text kept when it cannot be read.

A wrong date is worse than no date (it moves an article into another week of every analysis), so the parser never
guesses: a value that leaves the year, month or day open ("Ramadan 3", "Tuesday", "3 May"), or a numeric date that
reads differently day-first and month-first ("04/05/2026"), is returned as raw text. Times without an offset are
taken as UTC (scraped feeds rarely say otherwise and a fixed rule is reproducible).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from dateutil import parser as _dparser
from dateutil.tz import tzoffset

UTC = timezone.utc
_MIN_YEAR, _MAX_YEAR = 1900, 2100
_LABEL = re.compile(r"^(?:published|updated|posted|date)(?:\s+on)?\s*:?\s*", re.IGNORECASE)
# Slashed and dashed numeric dates are ambiguous; dotted ones (12.04.2026) are day-first everywhere they are used.
_NUMERIC_DMY = re.compile(r"^\s*\d{1,2}([/\-])\d{1,2}\1\d{2,4}\b")
_DOTTED_DMY = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.\d{2,4}\b")
# Abbreviations dateutil does not know; common in news datelines. IST is read as India Standard Time.
_TZ_HOURS = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "PKT": 5, "IST": 5.5, "AFT": 4.5, "NPT": 5.75, "BDT": 6, "ICT": 7, "WIB": 7, "SGT": 8, "HKT": 8,
    "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "SAST": 2, "WAT": 1, "EAT": 3, "GST": 4,
}
# Two different defaults: a component dateutil filled in from the default differs between the two parses.
_DEFAULT_A = datetime(1904, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(1908, 2, 2, 0, 0, 0)


class _UnknownZone(ValueError):
    pass


def _tzinfos(name: str, offset: int | None):
    if offset is not None:
        return tzoffset(name, offset)
    if not name:
        return None
    hours = _TZ_HOURS.get(name.upper())
    if hours is None:
        raise _UnknownZone(name)
    return tzoffset(name, int(hours * 3600))


def parse_published(value: str | None) -> tuple[datetime | None, str | None]:
    """Returns (UTC datetime, None) when the value is a date, (None, raw text) when it is not, (None, None) if empty."""
    if value is None:
        return None, None
    raw = str(value).strip()
    if not raw:
        return None, None
    dt = _parse(raw)
    if dt is None or not (_MIN_YEAR <= dt.year <= _MAX_YEAR):
        return None, raw
    return dt, None


def _parse(raw: str) -> datetime | None:
    iso = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        return _utc(datetime.fromisoformat(iso))
    except ValueError:
        pass
    if len(raw) > 80:
        return None
    # dateutil also reads RFC 2822 ("Sun, 12 Apr 2026 08:00:00 +0500"); email.utils would accept unknown zones.
    return _parse_loose(_LABEL.sub("", raw))


def _parse_loose(raw: str) -> datetime | None:
    dayfirst = bool(_DOTTED_DMY.match(raw))
    try:
        a = _dparser.parse(raw, default=_DEFAULT_A, tzinfos=_tzinfos, dayfirst=dayfirst)
        b = _dparser.parse(raw, default=_DEFAULT_B, tzinfos=_tzinfos, dayfirst=dayfirst)
        if (a.year, a.month, a.day) != (b.year, b.month, b.day):
            return None  # year, month or day was not in the text
        if _NUMERIC_DMY.match(raw):
            other = _dparser.parse(raw, default=_DEFAULT_A, tzinfos=_tzinfos, dayfirst=True)
            if other != a:
                return None  # 04/05/2026: April or May?
    except (ValueError, OverflowError, TypeError, _UnknownZone):
        return None
    return _utc(a)


def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    off = dt.utcoffset()
    if off is None or abs(off) > timedelta(hours=18):
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
