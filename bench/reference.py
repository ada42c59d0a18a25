"""R: the plain single-process baseline that newsbeam's speed is compared with.

What a competent engineer would write without Beam: read the JSONL(.gz) files in order, split each text on blank
lines, clean and normalise each paragraph with newsbeam's own ``clean_text``/``comparison_key``, hash it with
``text_hash``, keep a dict of hash -> first paragraph id for exact dedup, and stream rows to Parquet with pyarrow.
No layout detection, no near duplicates, no tagging, no crash-safe publishing: the ratio newsbeam/R is the price of
those, of Beam, and of whatever overhead newsbeam should not have.

    python bench/reference.py CORPUS_DIR_OR_FILE... --out DIR

Prints one JSON line ``{"reference_summary": {...}}`` with the same ``text_mb`` definition as newsbeam's summary
(10^6 bytes of cleaned paragraph text), and ``seconds_parquet``: the part of ``seconds`` spent building Arrow tables
and writing Parquet (the rest is reading, splitting, normalising and hashing).
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsbeam.text.paragraphs import clean_text, comparison_key, count_words, text_hash

BLANK = re.compile(r"\n[ \t\u00a0]*\n")
SCHEMA = pa.schema([
    ("article_id", pa.string()), ("para_index", pa.int32()), ("text", pa.string()), ("text_hash", pa.int64()),
    ("n_words", pa.int32()), ("is_duplicate", pa.bool_()), ("duplicate_of", pa.string()),
])
BATCH_ROWS = 100_000


def input_files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and ".jsonl" in f.name)
        else:
            out.append(p)
    return out


def _open(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    if path.suffix == ".bz2":
        return bz2.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def records(files: list[Path]) -> Iterator[dict]:
    for f in files:
        with _open(f) as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def split_blank_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n")
    return [c for c in (clean_text(b) for b in BLANK.split(text)) if c]


def run(paths: list[str], out: Path) -> dict:
    t0 = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    writer = pq.ParquetWriter(out / "paragraphs.parquet", SCHEMA, compression="zstd")
    seen: dict[int, str] = {}
    cols: dict[str, list] = {name: [] for name in SCHEMA.names}
    n_articles = n_paras = n_dups = text_bytes = 0
    parquet_s = 0.0

    def flush() -> None:
        nonlocal parquet_s
        if cols["article_id"]:
            t = time.monotonic()
            writer.write_table(pa.Table.from_pydict(cols, schema=SCHEMA))
            for v in cols.values():
                v.clear()
            parquet_s += time.monotonic() - t

    for rec in records(input_files(paths)):
        aid = str(rec.get("id") or rec.get("url") or n_articles)
        n_articles += 1
        for i, para in enumerate(split_blank_lines(rec.get("text") or "")):
            key = comparison_key(para)
            h = text_hash(key)
            first = seen.get(h)
            if first is None:
                seen[h] = f"{aid}:{i}"
            else:
                n_dups += 1
            cols["article_id"].append(aid)
            cols["para_index"].append(i)
            cols["text"].append(para)
            cols["text_hash"].append(h)
            cols["n_words"].append(count_words(key))
            cols["is_duplicate"].append(first is not None)
            cols["duplicate_of"].append(first)
            n_paras += 1
            text_bytes += len(para.encode("utf-8"))
        if len(cols["article_id"]) >= BATCH_ROWS:
            flush()
    flush()
    t_close = time.monotonic()
    writer.close()
    parquet_s += time.monotonic() - t_close
    seconds = time.monotonic() - t0
    return {"articles": n_articles, "paragraphs": n_paras, "exact_duplicates": n_dups,
            "text_mb": round(text_bytes / 1e6, 3), "seconds": round(seconds, 2),
            "seconds_parquet": round(parquet_s, 2),
            "mb_per_s": round(text_bytes / 1e6 / seconds, 3) if seconds else 0.0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", help="JSONL(.gz|.bz2) files or folders")
    ap.add_argument("--out", required=True, help="output folder (paragraphs.parquet)")
    a = ap.parse_args(argv)
    print(json.dumps({"reference_summary": run(a.inputs, Path(a.out))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
