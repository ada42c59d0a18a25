"""Write a synthetic news corpus as JSONL.gz, with planted exact and near duplicates, for the benchmarks.

Why planted duplicates: a benchmark corpus without them would time a dedup stage that never finds anything. Real
feeds mix wire stories republished word for word, wire copy lightly edited by each desk, background paragraphs that
a newsroom pastes into every story about a region, and per-outlet footers. All four are planted here, at rates
recorded in ``corpus.json`` next to the data so a run's duplicate counts can be checked against them.

    python bench/generate_corpus.py --mb 300 --out bench/corpus/300mb

Records: ``{"id", "title", "url", "published", "source", "text"}``; paragraphs are separated by blank lines.
Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import gzip
import heapq
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import textgen  # noqa: E402

WIRES = [("Global Wire Service", "gws.example", "GWS"), ("Continental Press Agency", "cpa.example", "CPA")]
OUTLETS = [
    ("The Daily Meridian", "dailymeridian.example"), ("Northern Courier", "northerncourier.example"),
    ("Coastal Herald", "coastalherald.example"), ("Frontier Post Online", "frontierpost.example"),
    ("Valley Times", "valleytimes.example"), ("Evening Ledger", "eveningledger.example"),
    ("Capital Observer", "capitalobserver.example"), ("Harbour Gazette", "harbourgazette.example"),
    ("Metro Daily", "metrodaily.example"), ("Highland Tribune", "highlandtribune.example"),
    ("Delta Star", "deltastar.example"), ("Plains Chronicle", "plainschronicle.example"),
]
FOOTER_TEMPLATES = [
    "Sign up for the {name} morning briefing to get the day's top stories in your inbox.",
    "Follow {name} on social media for live updates, photos and video from across the region.",
    "{name} relies on readers like you. Support independent journalism by becoming a subscriber today.",
]
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SPAN_DAYS = 90


@dataclass
class Rates:
    """Shares of the corpus that are planted duplicates (documented in corpus.json)."""

    wire: float = 0.15  # share of new stories that come from a wire service
    republish: tuple[int, int] = (0, 4)  # outlets republishing each wire story
    exact_share: float = 0.5  # republications copied word for word (else edited)
    edit_paragraph: float = 0.4  # in an edited republication, share of paragraphs with a light edit
    background: float = 0.08  # articles that paste a stock background paragraph about their city
    footer: float = 0.3  # outlet articles ending with the outlet's footer
    advert: float = 0.05  # articles with an "Advertisement" line (very short: local-only duplicate)


@dataclass
class Stats:
    articles: int = 0
    text_bytes: int = 0
    paragraphs: int = 0
    original_articles: int = 0
    wire_articles: int = 0
    exact_article_copies: int = 0
    edited_article_copies: int = 0
    edited_paragraphs: int = 0
    background_insertions: int = 0
    footer_insertions: int = 0
    advert_insertions: int = 0
    files: list[str] = field(default_factory=list)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]


class CorpusWriter:
    """Rolls over to a new part file every ``per_file`` records."""

    def __init__(self, out: Path, per_file: int, stats: Stats, level: int):
        self.out, self.per_file, self.stats, self.level = out, per_file, stats, level
        self.f = None
        self.in_file = 0

    def write(self, rec: dict) -> None:
        if self.f is None or self.in_file >= self.per_file:
            self.close()
            name = f"part-{len(self.stats.files):05d}.jsonl.gz"
            self.stats.files.append(name)
            self.f = gzip.open(self.out / name, "wt", encoding="utf-8", compresslevel=self.level)
            self.in_file = 0
        self.f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self.in_file += 1
        self.stats.articles += 1
        self.stats.text_bytes += len(rec["text"].encode("utf-8"))
        self.stats.paragraphs += rec["text"].count("\n\n") + 1

    def close(self) -> None:
        if self.f is not None:
            self.f.close()
            self.f = None


def _edited_copy(rng: random.Random, paragraphs: list[str], rates: Rates, stats: Stats) -> list[str]:
    """A desk's version of wire copy: some paragraphs lightly edited, sometimes the last one or two cut."""
    out = []
    for p in paragraphs:
        if len(p.split()) >= 25 and rng.random() < rates.edit_paragraph:
            kind = rng.choice(textgen.LIGHT_EDITS + ("combination",))
            e = textgen.wire_edit(rng, p, kind)
            if e is not None and e != p:
                out.append(e)
                stats.edited_paragraphs += 1
                continue
        out.append(p)
    if len(out) > 4 and rng.random() < 0.3:
        out = out[: -rng.randint(1, 2)]
    return out


def generate(out: Path, mb: float, seed: int = 1, per_file: int = 20_000, rates: Rates | None = None,
             level: int = 3) -> Stats:
    rates = rates or Rates()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.jsonl.gz"):
        old.unlink()
    gen = textgen.TextGen(seed)
    rng = random.Random(seed + 101)
    stats = Stats()
    w = CorpusWriter(out, per_file, stats, level)
    target = int(mb * 1e6)
    footers = {name: rng.choice(FOOTER_TEMPLATES).format(name=name) for name, _ in OUTLETS}
    background: dict[str, list[str]] = {}
    pending: list[tuple[int, int, dict]] = []  # (emit at article number, tiebreak, record)
    seq = 0
    # Spread publication times over the span for the expected number of articles (about 2.9 kB each).
    step_s = SPAN_DAYS * 86400 / max(1.0, target / 2900)

    def record(sid: str, title: str, domain: str, source: str, when: datetime, paragraphs: list[str]) -> dict:
        url = f"https://{domain}/{when:%Y/%m/%d}/{_slug(title)}-{sid.rsplit('-', 1)[-1]}"
        return {"id": sid, "title": title, "url": url, "published": when.isoformat().replace("+00:00", "Z"),
                "source": source, "text": "\n\n".join(paragraphs)}

    n = 0
    while stats.text_bytes < target:
        while pending and pending[0][0] <= n:
            w.write(heapq.heappop(pending)[2])
        art = gen.article()
        when = START + timedelta(seconds=n * step_s + rng.uniform(0, step_s))
        paras = art.paragraphs
        if rng.random() < rates.background:
            bg = background.get(art.city)
            if bg is None:
                bctx = gen.context("conflict" if art.topic == "conflict" else "local", city=art.city,
                                   region=art.region, country=art.country)
                bg = background[art.city] = [gen.paragraph(gen.context(parent=bctx), 30, 70).text for _ in range(2)]
            paras = paras[:]
            paras.insert(rng.randint(1, len(paras)), rng.choice(bg))
            stats.background_insertions += 1
        is_wire = rng.random() < rates.wire
        if is_wire:
            wname, wdomain, code = rng.choice(WIRES)
            sid = f"{code.lower()}-{n:08d}"
            w.write(record(sid, art.title, wdomain, wname, when, paras))
            stats.wire_articles += 1
            for k in range(rng.randint(*rates.republish)):
                name, domain = rng.choice(OUTLETS)
                later = when + timedelta(minutes=rng.randint(5, 36 * 60))
                exact = rng.random() < rates.exact_share
                body = paras if exact else _edited_copy(rng, paras, rates, stats)
                if exact:
                    stats.exact_article_copies += 1
                else:
                    stats.edited_article_copies += 1
                cid = f"{domain.split('.')[0][:6]}-{n:08d}{k}"
                seq += 1
                heapq.heappush(pending, (n + rng.randint(1, 400), seq, record(cid, art.title, domain, name, later,
                                                                              body)))
        else:
            name, domain = rng.choice(OUTLETS)
            paras = paras[:]
            if rng.random() < rates.advert:
                paras.insert(rng.randint(1, len(paras)), "Advertisement")
                stats.advert_insertions += 1
            if rng.random() < rates.footer:
                paras.append(footers[name])
                stats.footer_insertions += 1
            w.write(record(f"{domain.split('.')[0][:6]}-{n:08d}", art.title, domain, name, when, paras))
        stats.original_articles += 1
        n += 1
    for _, _, rec in sorted(pending):
        w.write(rec)
    w.close()
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=300.0, help="megabytes (10^6) of article text to write")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "corpus" / "generated"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-file", type=int, default=20_000, help="articles per JSONL.gz file")
    ap.add_argument("--gzip-level", type=int, default=3)
    a = ap.parse_args(argv)
    out = Path(a.out)
    t0 = time.monotonic()
    stats = generate(out, a.mb, a.seed, a.per_file, level=a.gzip_level)
    seconds = time.monotonic() - t0
    meta = {"mb_requested": a.mb, "seed": a.seed, "per_file": a.per_file, "seconds": round(seconds, 1),
            "rates": Rates().__dict__, **stats.__dict__}
    (out / "corpus.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(json.dumps({"corpus": {k: v for k, v in meta.items() if k != "files"}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
