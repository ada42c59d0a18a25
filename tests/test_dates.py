from datetime import datetime, timezone

import pytest

from newsbeam.ingest.dates import parse_published


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2026-04-12T08:00:00+05:00", utc(2026, 4, 12, 3, 0)),
        ("2026-04-12T08:00:00Z", utc(2026, 4, 12, 8, 0)),
        ("2026-04-12T08:00:00.250000+00:00", utc(2026, 4, 12, 8, 0, 0, 250000)),
        ("2026-04-12 08:00", utc(2026, 4, 12, 8, 0)),  # naive = UTC
        ("2026-04-12", utc(2026, 4, 12)),
        ("20260412", utc(2026, 4, 12)),
        ("2026/04/12", utc(2026, 4, 12)),
        ("Sun, 12 Apr 2026 08:00:00 +0500", utc(2026, 4, 12, 3, 0)),
        ("Sun, 12 Apr 2026 08:00:00 GMT", utc(2026, 4, 12, 8, 0)),
        ("Mon, 13 Apr 2026 09:15:00 -0000", utc(2026, 4, 13, 9, 15)),
        ("12 April 2026", utc(2026, 4, 12)),
        ("April 12, 2026", utc(2026, 4, 12)),
        ("April 12, 2026 10:30 PKT", utc(2026, 4, 12, 5, 30)),
        ("April 12, 2026 10:30 EST", utc(2026, 4, 12, 15, 30)),
        ("Published: April 12, 2026", utc(2026, 4, 12)),
        ("25/12/2026", utc(2026, 12, 25)),
        ("12/25/2026", utc(2026, 12, 25)),
        ("12.04.2026", utc(2026, 4, 12)),  # dotted dates are day-first
        ("  2026-04-12  ", utc(2026, 4, 12)),
    ],
)
def test_parsed(value, expected):
    dt, raw = parse_published(value)
    assert raw is None
    assert dt == expected
    assert dt.tzinfo == timezone.utc


@pytest.mark.parametrize(
    "value",
    [
        "Ramadan 3",
        "3",
        "Tuesday",
        "April 2026",  # no day
        "2026",
        "yesterday",
        "04/05/2026",  # April 5 or May 4: not guessed
        "12-04-2026",
        "April 31, 2026",
        "12 Apr 2026 10:00 XYZT",  # unknown zone: not silently UTC
        "0001-01-01",
        "1712345678",
        "x" * 200,
    ],
)
def test_not_guessed(value):
    assert parse_published(value) == (None, value.strip())


def test_empty():
    assert parse_published(None) == (None, None)
    assert parse_published("") == (None, None)
    assert parse_published("   ") == (None, None)
