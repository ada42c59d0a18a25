"""Cost per MB of one article made of a single very long paragraph: the per-article stage must be near-linear.

Real inputs do this: text with no line breaks becomes one paragraph, and the per-article cap is 20 MB. A stage that
compares every candidate span with every span already taken is quadratic, and one such paragraph then stalls a
worker for minutes. This benchmark builds paragraphs of 10 KB, 100 KB, 1 MB and 5 MB from real news text (the
GeoVirus Wikinews articles in ``../shared/devsets`` when present, else our sample corpus), runs each stage of the
per-article work on it and reports CPU seconds per MB; the target is that 5 MB costs at most twice as much per MB as
10 KB.

    .venv/bin/python bench/long_paragraphs.py [--sizes 10000,100000,1000000,5000000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVSETS = ROOT.parent / "shared" / "devsets"


def real_text() -> tuple[str, str]:
    """(text, where it came from): real prose joined into one line."""
    gv = DEVSETS / "geovirus.jsonl"
    if gv.exists():
        texts = [json.loads(line)["text"] for line in gv.open(encoding="utf-8")]
        return " ".join(" ".join(t.split()) for t in texts), "devsets/geovirus.jsonl (Wikinews)"
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((ROOT / "sample_corpus").rglob("*.txt"))]
    return " ".join(" ".join(t.split()) for t in texts), "sample_corpus/*.txt"


def paragraph_of(source: str, size: int) -> str:
    reps = size // max(1, len(source)) + 1
    text = (" ".join([source] * reps))[:size]
    return text[: text.rfind(" ")] if " " in text else text


def _cpu(fn, *args):
    t0 = time.process_time()
    out = fn(*args)
    return time.process_time() - t0, out


def measure(text: str) -> dict[str, float]:
    from newsbeam.config import TaggingConfig
    from newsbeam.dedup.rules import DedupSettings, MinHasher
    from newsbeam.tags.tagger import Tagger
    from newsbeam.text.language import article_languages
    from newsbeam.text.paragraphs import comparison_key, split_paragraphs

    tagger = Tagger.shared(TaggingConfig())
    hasher = MinHasher(DedupSettings())
    split_s, paras = _cpu(split_paragraphs, text)
    key_s, keys = _cpu(lambda: [comparison_key(p) for p in paras])
    lang_s, _ = _cpu(article_languages, paras, keys)
    org_s, _ = _cpu(tagger.actors.organisation_spans, paras)
    tag_s, _ = _cpu(tagger.tag_article, paras, None, [True] * len(paras))
    mh_s, _ = _cpu(lambda: [hasher.band_keys(hasher.signature(hasher.shingles(k))) for k in keys])
    mb = len(text.encode("utf-8")) / 1e6
    total = split_s + key_s + lang_s + tag_s + mh_s
    return {"mb": round(mb, 3), "paragraphs": len(paras), "split": split_s / mb, "keys": key_s / mb,
            "language": lang_s / mb, "organisations (inside tagging)": org_s / mb, "tagging": tag_s / mb,
            "minhash": mh_s / mb, "total": total / mb}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000,5000000")
    ap.add_argument("--json", help="also write the rows here")
    a = ap.parse_args(argv)
    source, where = real_text()
    sizes = [int(s) for s in a.sizes.split(",")]
    measure(paragraph_of(source, 2000))  # build the taggers and warm caches outside the measurement
    rows = []
    print(f"one paragraph of real text ({where}); CPU seconds per MB of text", file=sys.stderr)
    for size in sizes:
        row = {"size_bytes": size, **measure(paragraph_of(source, size))}
        rows.append(row)
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
    if len(rows) > 1:
        ratio = rows[-1]["total"] / rows[0]["total"]
        print(f"total s/MB at {sizes[-1]} B / at {sizes[0]} B: {ratio:.2f} (target <= 2)", flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps({"source": where, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
