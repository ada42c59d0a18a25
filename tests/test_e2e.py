"""The real Beam pipeline on sample_corpus/, checked through DuckDB: exact counts, specific tags, determinism.

The expected numbers come from docs/sample_corpus.md (what the corpus was written to contain), not from a run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from newsbeam.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "sample_corpus"
EXTRA: list[str] = []


def run_cli(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    summary = None
    for line in out.splitlines():
        if line.startswith('{"newsbeam_summary"'):
            summary = json.loads(line)["newsbeam_summary"]
    return code, summary, err


def con(out: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(out / "newsbeam.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e") / "out"
    code = main(["run", str(SAMPLE), "--out", str(out), "--quiet", *EXTRA])
    assert code == 0
    return out


def test_sample_counts(sample_run):
    c = con(sample_run)
    assert c.execute("select count(*) from articles").fetchone()[0] == 47
    assert c.execute("select count(*) from paragraphs").fetchone()[0] == 288
    kinds = dict(c.execute("select coalesce(dup_kind, '-'), count(*) from paragraphs group by 1").fetchall())
    assert kinds == {"-": 255, "exact": 30, "near": 3}
    assert c.execute("select count(*) from paragraphs where is_boilerplate").fetchone()[0] == 10
    assert c.execute("select count(*) from paragraphs where is_duplicate <> (dup_kind is not null)").fetchone()[0] == 0
    rejects = c.execute("select reason, source_uri from rejects order by reason").fetchall()
    assert [(r, Path(u).name) for r, u in rejects] == [("binary", "scan_0032.txt"), ("empty", "empty.txt")]
    # Every input file is accounted for: 37 files -> articles or rejects.
    files = c.execute("select count(distinct source_uri) from (select source_uri from articles union all "
                  "select source_uri from rejects)").fetchone()[0]
    assert files == 37


def test_sample_duplicates(sample_run):
    c = con(sample_run)
    # The Odesa story carried twice in one file: its second half points into the first half.
    odesa = c.execute(
        "select p.para_index, p.duplicate_of, a.article_id from paragraphs p join articles a using (article_id) "
        "where a.source_uri like '%odesa_port_strike_doubled.txt' and p.is_duplicate order by p.para_index"
    ).fetchall()
    assert len(odesa) == 5 and all(d.split(":")[0] == aid for _, d, aid in odesa)
    # The Zamfara wire story: three republications point to the earliest article.
    copies = c.execute(
        "select a.source, o.source from articles a join articles o on a.duplicate_of_article = o.article_id "
        "order by a.source"
    ).fetchall()
    assert len(copies) == 3 and {o for _, o in copies} == {"The Lagos Ledger"}
    near = c.execute("select similarity from paragraphs where dup_kind = 'near'").fetchall()
    assert all(0.5 <= s < 1.0 for (s,) in near)
    # Canonicals of a group carry dup_group but no duplicate_of; dup_count counts the whole group.
    bad = c.execute(
        "select count(*) from paragraphs p where p.dup_group is not null and p.dup_count < 2"
    ).fetchone()[0]
    assert bad == 0
    # Boilerplate is left out of n_duplicate_paragraphs.
    boiler_articles = c.execute(
        "select count(*) from articles where source = 'The Harbour Courier' and n_duplicate_paragraphs = 0"
    ).fetchone()[0]
    assert boiler_articles == 5


def test_sample_places(sample_run):
    c = con(sample_run)
    regions = dict(
        c.execute("select regexp_extract(source_uri, '[^/]+$'), primary_region_code from articles").fetchall()
    )
    assert regions["quetta_railway_station_attack.txt"] == "PK.02"
    assert regions["paris_texas_body_cameras.txt"] == "US.TX"
    assert regions["springfield_capitol_metal_detectors.txt"] == "US.IL"
    assert regions["georgia_election_office_security.txt"] == "US.GA"
    assert regions["reading_station_stabbing.txt"] == "GB.ENG"
    quetta = c.execute(
        "select distinct pl.geonameid, pl.country_code, pl.admin1_code from paragraphs, unnest(places) as u(pl) "
        "where pl.name = 'Quetta'"
    ).fetchall()
    assert quetta == [(1167528, "PK", "PK.02")]
    # "Balochistan Liberation Army" is a group: the province inside it is not a place mention.
    inside = c.execute(
        "select count(*) from paragraphs, unnest(places) as u(pl) "
        "where substr(text, pl.start + 1, 40) like 'Balochistan Liberation Army%'"
    ).fetchone()[0]
    assert inside == 0
    # Offsets are code-point offsets into the paragraph text.
    mismatched = c.execute(
        "select count(*) from paragraphs, unnest(places) as u(pl) "
        "where substr(text, pl.start + 1, pl.\"end\" - pl.start) <> pl.text"
    ).fetchone()[0]
    assert mismatched == 0
    m49 = c.execute("select m49_subregion from articles where primary_country = 'PK' limit 1").fetchone()[0]
    assert m49 == "Southern Asia"


def test_sample_actors(sample_run):
    c = con(sample_run)
    where = "where a.source_uri like '%quetta_railway_station_attack.txt'"
    actors = {
        (x["name"], x["type"], x["role"], x["country_code"], x["code"])
        for (x,) in c.execute(f"select unnest(a.actors) from articles a {where}").fetchall()
    }
    assert ("Balochistan Liberation Army", "ARMED_GROUP", "separatist armed group", "PK", "PAKSEP") in actors
    assert ("Farhan Saleem Chaudhry", "PERSON", "interior minister", "PK", "PAKGOV") in actors
    assert ("Nadia Hameed", "PERSON", "security analyst", "PK", None) in actors
    # The acronym defined once links later mentions to the same actor.
    ids = dict(c.execute(
        f"select x.text, x.actor_id from paragraphs p join articles a using (article_id), unnest(p.actors) as t(x) "
        f"{where} and x.text in ('BLA', 'Balochistan Liberation Army')"
    ).fetchall())
    assert ids["BLA"] == ids["Balochistan Liberation Army"]
    # A capital or country standing for its government is both a place (metonymy) and a GOVERNMENT actor.
    bad = c.execute(
        "select count(*) from paragraphs p, unnest(p.places) as t(pl) where pl.metonymy and not exists ("
        "select 1 from unnest(p.actors) as u(x) where x.type = 'GOVERNMENT' and x.start = pl.start)"
    ).fetchone()[0]
    assert bad == 0
    assert c.execute("select count(*) from paragraphs, unnest(places) as t(pl) where pl.metonymy").fetchone()[0] > 0
    # Offsets of actors are code-point offsets too, and every type is one of the seven.
    mismatched = c.execute(
        "select count(*) from paragraphs, unnest(actors) as u(x) "
        "where substr(text, x.start + 1, x.\"end\" - x.start) <> x.text"
    ).fetchone()[0]
    assert mismatched == 0
    types = {t for (t,) in c.execute("select distinct x.type from paragraphs, unnest(actors) as u(x)").fetchall()}
    assert types <= {"PERSON", "ORGANIZATION", "ARMED_GROUP", "GOVERNMENT", "SECURITY_FORCE", "GROUP", "MEDIA"}
    assert len(types) == 7


def _rows(out: Path) -> dict[str, list]:
    c = con(out)
    tables = {}
    for t, order in (("articles", "article_id"), ("paragraphs", "article_id, para_index"),
                     ("rejects", "source_uri, location")):
        cols = [r[0] for r in c.execute(f"describe {t}").fetchall() if r[0] not in ("run_id", "input_key")]
        tables[t] = c.execute(f"select {', '.join(cols)} from {t} order by {order}").fetchall()
    return tables


def test_deterministic_across_workers_and_order(sample_run, tmp_path, capsys):
    """Two workers, inputs listed in reverse order, a copied folder in another place: the same rows."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    out = tmp_path / "out2"
    # Same source_uri is needed for identical ids, so run the original folder, files listed in reverse order.
    files = sorted((p for p in SAMPLE.rglob("*") if p.is_file()), reverse=True)
    code, summary, _ = run_cli(capsys, "run", *map(str, files), "--out", str(out), "--workers", "2", "--quiet", *EXTRA)
    assert code == 0 and summary["articles"] == 47
    assert _rows(out) == _rows(sample_run)


def test_inputs_read_in_parts_give_the_same_rows(sample_run, tmp_path, capsys, monkeypatch):
    """Every file of several records read in three parts by three workers (ingest/slices.py): the same rows, and
    each input counted once."""
    from newsbeam.ingest import slices

    monkeypatch.setattr(slices, "SLICE_MIN_BYTES", 1)
    out = tmp_path / "out"
    code, summary, _ = run_cli(capsys, "run", str(SAMPLE), "--out", str(out), "--workers", "3", "--quiet", *EXTRA)
    assert code == 0 and summary["articles"] == 47 and summary["files"] == 37
    counts = json.loads(next((out / "_runs").glob("*.json")).read_text())["counts"]
    several = [p for p in SAMPLE.rglob("*") if p.is_file() and slices.splittable(str(p), p.stat().st_size, 1)]
    assert len(several) == 2  # the two JSON Lines files; the others hold one article each
    assert counts["input-parts-read"] == 3 * len(several)
    assert counts["inputs-read"] == 37
    assert _rows(out) == _rows(sample_run)


def test_shards_cut_at_size_give_the_same_rows(sample_run, tmp_path, capsys, monkeypatch):
    """Shards cut every few kilobytes (instead of every 10 MB): many shard files, the same rows."""
    import newsbeam.graph

    monkeypatch.setattr(newsbeam.graph, "SHARD_TEXT_BYTES", 5_000)
    out = tmp_path / "out"
    code, summary, _ = run_cli(capsys, "run", str(SAMPLE), "--out", str(out), "--workers", "1", "--quiet", *EXTRA)
    assert code == 0 and summary["articles"] == 47
    run = json.loads(next((out / "_runs").glob("*.json")).read_text())
    cuts = run["counts"]["shards-cut-at-size"]
    assert cuts >= 10
    assert len(list((out / "paragraphs").rglob("*.parquet"))) == cuts + 1
    assert _rows(out) == _rows(sample_run)


def test_second_run_is_incremental_and_sees_history(sample_run, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(sample_run, out)
    code, summary, _ = run_cli(capsys, "run", str(SAMPLE), "--out", str(out), "--quiet", *EXTRA)
    assert code == 0 and summary["files"] == 0 and summary["files_skipped_already_done"] == 37
    new = tmp_path / "new"
    new.mkdir()
    c = con(out)
    para, aid, idx = c.execute(
        "select text, article_id, para_index from paragraphs p join articles a using (article_id) "
        "where a.source_uri like '%quetta_railway_station_attack.txt' and not is_duplicate "
        "and n_words >= 25 order by para_index limit 1"
    ).fetchone()
    c.close()
    words = para.split()
    edited = " ".join(words[:-3]) + " the officials added on Sunday."  # a wire edit: a changed ending
    (new / "reprint.txt").write_text(
        "Title: Railway station attack\nSource: Another Outlet\n\n" + para + "\n\n" + edited
        + "\n\nA line written only for this test about the weather in a town far from anywhere.\n"
    )
    code, summary, _ = run_cli(capsys, "run", str(new), "--out", str(out), "--quiet", *EXTRA)
    assert code == 0 and summary["articles"] == 1
    assert (summary["exact_duplicates"], summary["near_duplicates"]) == (1, 1)
    dup = con(out).execute(
        "select duplicate_of, dup_kind from paragraphs p join articles a using (article_id) "
        "where a.source = 'Another Outlet' and is_duplicate order by para_index"
    ).fetchall()
    assert dup == [(f"{aid}:{idx}", "exact"), (f"{aid}:{idx}", "near")]
    # The quiet second run is recorded as no_new_input (status shows it) but publishes nothing, so not in `runs`.
    runs = con(out).execute("select count(*) from runs").fetchone()[0]
    assert runs == 2
    statuses = sorted(json.loads(p.read_text()).get("status") for p in (out / "_runs").glob("*.json"))
    assert statuses.count("no_new_input") == 1


def test_usage_errors(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert code == 2 and err.count("\n") == 1 and "input not found" in err
    code, _, err = run_cli(capsys, "run", str(tmp_path / "*.nothing"), "--out", str(tmp_path / "o"))
    assert code == 2 and err.count("\n") == 1
    code, _, err = run_cli(capsys, "run", str(SAMPLE), "--out", str(tmp_path / "o"), "--", "--no_such_option=1")
    assert code == 2 and "unknown Beam option" in err and err.count("\n") == 1
    code, _, err = run_cli(
        capsys, "run", str(SAMPLE), "--out", str(tmp_path / "o"), "--", "--direct_running_mode=multi_threading"
    )
    assert code == 2 and "multi_threading" in err
    code, _, err = run_cli(capsys, "frobnicate")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run_cli(capsys, "query", str(tmp_path), "select 1")
    assert code == 2 and "not a newsbeam output folder" in err
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").glob("articles/*"))


def test_query_formats(sample_run, capsys):
    code = main(["query", str(sample_run), "select count(*) as n from articles", "--format", "json"])
    assert code == 0 and json.loads(capsys.readouterr().out) == {"n": 47}
    code = main(["query", str(sample_run), "select nonsense from nowhere"])
    out, err = capsys.readouterr()
    assert code == 2 and err.startswith("newsbeam: error:") and err.count("\n") == 1
