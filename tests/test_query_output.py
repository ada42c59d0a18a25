"""`newsbeam query --format csv|json`: nested values as JSON, FLOATs without float32 noise, no Python reprs."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pytest

from newsbeam import cli
from newsbeam.output import export

SQL = """SELECT 0.796::FLOAT AS f, 0.1::DOUBLE AS d, [{'code': 'NG.49', 'score': 0.61::FLOAT}] AS regions,
    {'a': [0.3::FLOAT, NULL], 'b': true} AS s, map(['k'], [0.7::FLOAT]) AS m, map([[1, 2]], ['v']) AS mk,
    '{"x": 1}'::JSON AS j, from_hex('5C01FF41') AS b, true AS t, 'nan'::FLOAT AS nf, 1.50::DECIMAL(5, 2) AS dec,
    interval '-1 hour' AS iv, interval '3 days 2 hours' AS iv2, '2024-01-26'::DATE AS day, NULL::INTEGER AS n"""


def _rel():
    con = duckdb.connect()
    rel = con.sql(SQL)
    return rel.columns, rel.types, rel.fetchall()


def test_csv_cells_are_json_and_clean_floats(tmp_path: Path):
    cols, types, rows = _rel()
    buf = io.StringIO()
    export.write_csv(buf, cols, types, rows)
    (rec,) = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert rec["f"] == "0.796" and rec["d"] == "0.1"
    assert json.loads(rec["regions"]) == [{"code": "NG.49", "score": 0.61}]
    assert rec["regions"] == '[{"code":"NG.49","score":0.61}]'
    assert json.loads(rec["s"]) == {"a": [0.3, None], "b": True}
    assert json.loads(rec["m"]) == {"k": 0.7}
    assert json.loads(rec["mk"]) == [{"key": [1, 2], "value": "v"}]
    assert rec["j"] == '{"x": 1}' and rec["b"] == "\\x5C\\x01\\xFFA" and rec["t"] == "true"
    assert rec["nf"] == "nan" and rec["dec"] == "1.50" and rec["iv"] == "-01:00:00"
    assert rec["iv2"] == "3 days 02:00:00" and rec["day"] == "2024-01-26" and rec["n"] == ""
    assert "{'" not in buf.getvalue() and "b'" not in buf.getvalue()
    # DuckDB reads the cells back to the same values (the float at float32 precision)
    path = tmp_path / "q.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    back = duckdb.sql(f"SELECT f::FLOAT = 0.796::FLOAT AS same, json_extract(regions, '$[0].code') AS c "
                      f"FROM read_csv('{path}', header = true, all_varchar = true)").fetchall()
    assert back == [(True, '"NG.49"')]


def test_json_lines_are_strict_json_with_nested_values():
    cols, types, rows = _rel()
    buf = io.StringIO()
    export.write_json_lines(buf, cols, types, rows)
    line = buf.getvalue()
    assert line.count("\n") == 1 and "0000" not in line
    obj = json.loads(line, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert obj["f"] == 0.796 and obj["regions"] == [{"code": "NG.49", "score": 0.61}]
    assert obj["j"] == {"x": 1} and obj["nf"] is None and obj["dec"] == 1.5 and obj["b"] == "\\x5C\\x01\\xFFA"
    assert obj["iv"] == "-01:00:00" and obj["day"] == "2024-01-26" and obj["n"] is None


@pytest.mark.parametrize("value", [0.796, 0.61, 1e-40, 3.4e38, 3.4028234663852886e38, -2.5e-3, 16777217.0, 0.1, 1 / 3])
def test_float32_text_is_shortest_and_round_trips(value: float):
    import numpy as np

    f32 = np.float32(value)
    text = export.float32_text(float(f32))
    assert np.float32(float(text)) == f32
    assert len(text) <= len(repr(float(f32)))


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("query_output")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "jos.txt").write_text(
        "Title: Curfew in Jos\nDate: 2024-05-02\nSource: Plateau Courier\n\n"
        "Authorities in Jos imposed a curfew on Thursday after clashes in Plateau State, Nigeria, police said.\n\n"
        "Traders in Jos said the curfew would hurt the market.\n", encoding="utf-8")
    assert cli.main(["run", str(corpus), "--out", str(base / "out"), "--no-actors", "--quiet"]) == 0
    return base / "out"


def test_query_csv_and_json_of_real_output(out: Path, capsys):
    capsys.readouterr()
    sql = "SELECT article_id, para_index, places, similarity FROM paragraphs ORDER BY para_index"
    assert cli.main(["query", str(out), sql, "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert "{'" not in text and "0000000" not in text, text[:500]
    first = next(csv.DictReader(io.StringIO(text)))
    places = json.loads(first["places"])
    jos = next(p for p in places if p["name"] == "Jos")
    assert jos["admin1_code"] == "NG.49" and jos["country_code"] == "NG"
    assert len(repr(jos["confidence"])) <= 5  # 0.xyz: rounded to 3 places by the tagger, printed as such
    assert cli.main(["query", str(out), "SELECT regions FROM articles", "--format", "json"]) == 0
    (obj,) = [json.loads(ln) for ln in capsys.readouterr().out.splitlines()]
    assert obj["regions"][0]["admin1_code"] == "NG.49"
    assert all(len(repr(r["score"])) <= 5 for r in obj["regions"])


def test_readme_pandas_example_keeps_arrow_types(out: Path, monkeypatch):
    """The README's pandas example reads Parquet with dtype_backend="pyarrow" (without it a nested int with a null
    becomes a float), and it runs as written where pandas is installed."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "pandas" in b]
    assert len(blocks) == 1, "the README's pandas example moved"
    code = blocks[0]
    calls = re.findall(r"read_parquet\(([^)]*)\)", code)
    assert calls and all('dtype_backend="pyarrow"' in c for c in calls), calls
    pd = pytest.importorskip("pandas")
    monkeypatch.chdir(out.parent)
    env: dict = {}
    exec(compile(code, "README.md", "exec"), env)  # noqa: S102 - our own documentation
    places = env["paragraphs"]["places"]
    assert isinstance(places.dtype, pd.ArrowDtype)
    ids = [p["geonameid"] for ps in places.dropna() for p in ps]
    assert ids and all(i is None or isinstance(i, int) for i in ids)
