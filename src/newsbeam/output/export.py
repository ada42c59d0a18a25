"""How ``newsbeam query --format csv|json`` writes values: as text that DuckDB, pandas, polars, jq and spreadsheets
read back to the value DuckDB holds.

Why not ``str()`` / ``json.dumps(default=str)``: a list or a struct came out as a Python repr
(``{'admin1_code': 'NG.49', ...}``) that no reader can take apart, a blob as ``b'...'``, and every FLOAT (float32:
``places[].confidence``, ``similarity``, ``regions[].score``) as the double nearest to it, ``0.7960000038146973``.

Decisions:

* Nested values (lists, structs, maps, arrays) are JSON: a JSON value in JSON lines, JSON text in a CSV cell.
  A map whose keys are not scalars becomes a list of ``{"key": ..., "value": ...}`` objects.
* The Parquet files keep float32 (rounding before writing would change nothing: 0.796 has no exact float32). The
  writer prints each FLOAT as the shortest decimal that reads back to the same float32 (``0.796``), as DuckDB's
  own CLI and ``CAST(x AS VARCHAR)`` do; DOUBLEs keep Python's shortest round-trip repr. The walk follows the
  column's DuckDB type, so a FLOAT inside a list of structs is found too.
* A JSON-typed column is embedded as JSON in JSON lines and written as its text in CSV.
* NaN and infinities: ``nan``/``inf``/``-inf`` in a CSV cell (DuckDB and pandas read them), ``null`` in JSON,
  which has no such numbers (a strict parser such as ``jq`` would refuse the line).
* Booleans are ``true``/``false`` in both; a blob is DuckDB's text form (``\\xFF`` escapes); dates and times are
  ISO-like text as before; a DECIMAL is a JSON number when a double holds it exactly, else a string.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import struct
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, TextIO

Conv = Callable[[Any], Any]
NESTED = ("list", "array", "struct", "map", "union")


def float32_text(value: float) -> str:
    """The shortest decimal that reads back to the same float32 (``0.7960000038146973`` -> ``0.796``)."""
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    try:
        target = _f32(value)
    except OverflowError:  # not a float32 at all (a DOUBLE passed by mistake): print it whole
        return repr(value)
    for digits in range(1, 10):  # 9 significant digits always suffice for a float32
        text = f"{target:.{digits}g}"
        try:
            if _f32(float(text)) == target:
                return text
        except OverflowError:  # rounded up past the largest float32 (3.4028235e38 -> 3.403e+38): more digits
            continue
    return repr(target)


def _f32(value: float) -> float:
    """``value`` rounded to the nearest float32 (and back to a Python float)."""
    return struct.unpack("<f", struct.pack("<f", value))[0]


def _float32(v: Any) -> Any:
    if v is None or not math.isfinite(v):
        return None
    return float(float32_text(v))


def blob_text(value: bytes) -> str:
    """DuckDB's text form of a BLOB: printable ASCII as is, every other byte (and the backslash) as ``\\xNN``."""
    return "".join(chr(b) if 32 <= b < 127 and b != 0x5C else f"\\x{b:02X}" for b in value)


def interval_text(value: dt.timedelta) -> str:
    """An INTERVAL the way DuckDB prints one: ``3 days 01:00:00``, ``-01:00:00`` (not Python's ``-1 day, 23:00``)."""
    us = value // dt.timedelta(microseconds=1)
    sign = "-" if us < 0 else ""
    days, rest = divmod(abs(us), 86_400_000_000)
    secs, micro = divmod(rest, 1_000_000)
    clock = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}" + (f".{micro:06d}" if micro else "")
    if not days:
        return sign + clock
    text = f"{sign}{days} day{'s' if days != 1 else ''}"
    return text if not rest else f"{text} {sign}{clock}"


def _decimal(v: Decimal) -> float | int | str:
    if v == v.to_integral_value():
        return int(v)
    f = float(v)
    return f if Decimal(repr(f)) == v else str(v)


def plain(v: Any) -> Any:
    """A JSON value for anything the DuckDB client returns, without type information (inside unions)."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k if isinstance(k, str) else json.dumps(plain(k)): plain(x) for k, x in v.items()}
    return scalar_text(v)


def scalar_text(v: Any) -> str:
    """Text of a non-JSON scalar: blob, interval, decimal, date/time, UUID, anything else by ``str``."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        return blob_text(bytes(v))
    if isinstance(v, dt.timedelta):
        return interval_text(v)
    return str(v)  # Decimal, date, time, datetime (as before: ``2024-01-26 03:00:00+00:00``), UUID, others


def _children(t: Any) -> list[tuple[str, Any]]:
    try:
        return list(t.children)
    except Exception:  # noqa: BLE001 - DuckDB raises for a type without children
        return []


def converter(t: Any) -> Conv:
    """A function from a value of DuckDB type ``t`` (as the Python client returns it) to a JSON value."""
    tid = t.id
    if tid == "float":
        return _float32
    if str(t) == "JSON":
        return lambda v: None if v is None else json.loads(v)
    if tid in ("list", "array"):
        child = converter(dict(_children(t))["child"])
        return lambda v: None if v is None else [child(x) for x in v]
    if tid == "struct":
        fields = {name: converter(ct) for name, ct in _children(t)}
        return lambda v: None if v is None else {k: fields.get(k, plain)(x) for k, x in v.items()}
    if tid == "map":
        return _map_converter(t)
    if tid == "decimal":
        return lambda v: None if v is None else _decimal(v)
    return plain


def _map_converter(t: Any) -> Conv:
    kids = dict(_children(t))
    key_t, val_t = kids["key"], kids["value"]
    key, val = converter(key_t), converter(val_t)
    if key_t.id in NESTED:  # the client returns {"key": [...], "value": [...]}; JSON keys must be strings
        return lambda v: None if v is None else [
            {"key": key(k), "value": val(x)} for k, x in zip(v["key"], v["value"], strict=True)]

    def as_object(v: Any) -> Any:
        if v is None:
            return None
        out = {}
        for k, x in v.items():
            kk = key(k)
            out[kk if isinstance(kk, str) else json.dumps(kk)] = val(x)
        return out

    return as_object


def csv_cell(t: Any) -> Conv:
    """A function from a value of DuckDB type ``t`` to the text of its CSV cell."""
    tid = t.id
    if tid in NESTED:
        conv = converter(t)
        return lambda v: "" if v is None else json.dumps(conv(v), ensure_ascii=False, separators=(",", ":"))
    if tid == "float":
        return lambda v: "" if v is None else float32_text(v)
    if tid == "decimal":
        return lambda v: "" if v is None else str(v)

    def cell(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, str)):
            return str(v)
        if isinstance(v, float):
            return repr(v) if math.isfinite(v) else float32_text(v)  # a DOUBLE: its own shortest repr
        return scalar_text(v)

    return cell


def write_csv(out: TextIO, columns: Sequence[str], types: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """A header and one CSV record per row (RFC 4180 quoting by ``csv.writer``)."""
    cells = [csv_cell(t) for t in types]
    w = csv.writer(out)
    w.writerow(columns)
    for row in rows:
        w.writerow([f(v) for f, v in zip(cells, row, strict=True)])


def write_json_lines(out: TextIO, columns: Sequence[str], types: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """One JSON object per row and line, valid for strict parsers (no NaN)."""
    convs = [converter(t) for t in types]
    for row in rows:
        obj = {c: f(v) for c, f, v in zip(columns, convs, row, strict=True)}
        out.write(json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n")
