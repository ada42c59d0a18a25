"""Write a synthetic news corpus as JSONL.gz, with planted exact and near duplicates, for the benchmarks.

The text comes from ``newsgen`` (the default, ``--generator news``): generated sentences with the word statistics
of real news, so that unrelated paragraphs are as unrelated as in real prose (random-pair shingle Jaccard within
1.5x of Wikinews', paragraph lengths within a Kolmogorov-Smirnov distance of 0.1; issue 18). ``--generator
templates`` gives the old corpus from ``textgen``'s 58 sentence templates (about 3x the real random-pair Jaccard).
Neither needs ``../shared/devsets``: they are only read, when present, to report how close the corpus is to them.

Why planted duplicates: a benchmark corpus without them would time a dedup stage that never finds anything. Real
feeds mix wire stories republished word for word, wire copy lightly edited by each desk, background paragraphs that
a newsroom pastes into every story about a region, and per-outlet footers. All four are planted here, at rates
recorded in ``corpus.json`` next to the data so a run's duplicate counts can be checked against them.

    python bench/generate_corpus.py --mb 300 --out bench/corpus/300mb

Records: ``{"id", "title", "url", "published", "source", "text"}``; paragraphs are separated by blank lines.
Deterministic for a seed. The JSON line printed at the end (and ``corpus.json``) has the planted counts and shares
and ``stats``: ``corpus_stats.measure`` on the first ``--stats-articles`` articles (random-pair Jaccard, KS
against GeoVirus, measured exact-copy and near-dup shares) next to the devsets' figures, or a note that the devsets
are absent.
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
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from newsbeam.text.paragraphs import comparison_key

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus_stats  # noqa: E402
import newsgen  # noqa: E402
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

    wire: float = 0.16  # share of new stories that come from a wire service (about 12% exact copies in all)
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
    real_text_exhausted: bool = False
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
    if len(out) > 3 and rng.random() < 0.2:  # a desk moves a paragraph up or down
        i = rng.randrange(1, len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    if [comparison_key(p) for p in out] == [comparison_key(p) for p in paragraphs[: len(out)]]:
        # Only case, quote or whitespace edits (or none): still the same text for dedup. Make it a near copy.
        long_ = [i for i, p in enumerate(out) if len(p.split()) >= 25] or list(range(len(out)))
        i = rng.choice(long_)
        e = textgen.wire_edit(rng, out[i], rng.choice(("dropped_word", "added_clause", "synonym", "truncation")))
        if e is not None and comparison_key(e) != comparison_key(out[i]):
            out[i] = e
            stats.edited_paragraphs += 1
    return out


GENERATORS = ("news", "templates", "real")
# Mean article size per generator (bytes of text), to spread publication times over SPAN_DAYS.
ARTICLE_BYTES = {"news": 1900, "templates": 2900, "real": 2500}


class _TemplateSource:
    """The old generator (``textgen``) behind the interface ``generate`` uses."""

    def __init__(self, seed: int):
        self.gen = textgen.TextGen(seed)

    def article(self):
        return self.gen.article()

    def background(self, art) -> str:
        g = self.gen
        bctx = g.context("conflict" if art.topic == "conflict" else "local", city=art.city, region=art.region,
                         country=art.country)
        return g.paragraph(g.context(parent=bctx), 30, 70).text


class _NewsSource:
    def __init__(self, seed: int):
        self.gen = newsgen.NewsGen(seed)

    def article(self):
        return self.gen.article()

    def background(self, art) -> str:
        return self.gen.background(art.city, art.region, art.country)


@dataclass
class _RealArticle:
    title: str
    paragraphs: list[str]
    city: None = None


class _RealSource:
    """Real articles (``--real-text``: JSON Lines files or folders, or anything newsbeam reads), each used once as
    an original, in a seeded order; the planted copies and edits are added around them as for generated text.

    Real text is never replicated: a copy of a copy would plant duplicates the rates do not say, so the corpus ends
    when the real text does (``Stats.real_text_exhausted``). Text stored without paragraph breaks (GeoVirus) gets
    its sentences grouped in pairs, as ``corpus_stats`` does. No stock background paragraphs (they are generated).
    """

    def __init__(self, seed: int, paths: list[str]):
        files = []
        for p in map(Path, paths):  # annotation files (``*_gold.jsonl``) beside the articles are not articles
            files += sorted(f for f in p.rglob("*.jsonl*") if "_gold." not in f.name) if p.is_dir() else [p]
        arts = [a for f in files for a in corpus_stats.read_articles(f)]
        random.Random(seed).shuffle(arts)
        self.items = iter(arts)

    def article(self) -> _RealArticle:
        a = next(self.items)  # StopIteration: the real text is used up
        paras = corpus_stats.article_paragraphs(a["text"])
        if len(paras) <= 1 or max(len(corpus_stats.sentences(p)) for p in paras) <= 1:
            paras = corpus_stats.article_paragraphs(a["text"], 2)
        words = paras[0].split() if paras else []
        return _RealArticle(" ".join(words[:8]), paras)

    def background(self, art) -> str:
        raise AssertionError("no background paragraphs for real text (rates.background is 0)")


def generate(out: Path, mb: float, seed: int = 1, per_file: int = 20_000, rates: Rates | None = None,
             level: int = 3, generator: str = "news", real_text: list[str] | None = None) -> Stats:
    rates = rates or Rates()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.jsonl.gz"):
        old.unlink()
    if generator == "real":
        gen = _RealSource(seed, real_text or [str(corpus_stats.DEVSETS)])
        rates = replace(rates, background=0.0)
    else:
        gen = _NewsSource(seed) if generator == "news" else _TemplateSource(seed)
    rng = random.Random(seed + 101)
    stats = Stats()
    w = CorpusWriter(out, per_file, stats, level)
    target = int(mb * 1e6)
    footers = {name: rng.choice(FOOTER_TEMPLATES).format(name=name) for name, _ in OUTLETS}
    background: dict[str, list[str]] = {}
    pending: list[tuple[int, int, dict]] = []  # (emit at article number, tiebreak, record)
    seq = 0
    # Spread publication times over the span for the expected number of articles.
    step_s = SPAN_DAYS * 86400 / max(1.0, target / ARTICLE_BYTES[generator])

    def record(sid: str, title: str, domain: str, source: str, when: datetime, paragraphs: list[str]) -> dict:
        url = f"https://{domain}/{when:%Y/%m/%d}/{_slug(title)}-{sid.rsplit('-', 1)[-1]}"
        return {"id": sid, "title": title, "url": url, "published": when.isoformat().replace("+00:00", "Z"),
                "source": source, "text": "\n\n".join(paragraphs)}

    n = 0
    while stats.text_bytes < target:
        while pending and pending[0][0] <= n:
            w.write(heapq.heappop(pending)[2])
        try:
            art = gen.article()
        except StopIteration:
            stats.real_text_exhausted = True
            break
        if not art.paragraphs:
            continue
        when = START + timedelta(seconds=n * step_s + rng.uniform(0, step_s))
        paras = art.paragraphs
        if rng.random() < rates.background:
            bg = background.get(art.city)
            if bg is None:
                bg = background[art.city] = [gen.background(art) for _ in range(2)]
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


def corpus_statistics(out: Path, max_articles: int, devsets: Path) -> dict:
    """``corpus_stats`` figures of the corpus' first articles and, when present, of the devsets (GeoVirus, the
    news reference, and Wikigold): random-pair Jaccard, KS statistic, measured exact-copy and near-dup shares."""
    ref = corpus_stats.geovirus_reference_words(devsets)
    r = corpus_stats.measure(corpus_stats.read_articles(out, max_articles), reference_words=ref)
    keep = ("articles", "paragraphs", "paragraphs_ge_min_words", "words_per_paragraph_ge_min_words",
            "random_pair_jaccard", "ks_vs_geovirus", "exact_copy_share", "near_dup_share",
            "paragraph_exact_copy_share", "paragraph_near_copy_share")
    res: dict = {"measured_on_articles": r["articles"], **{k: r[k] for k in keep if k in r}}
    if ref is None:
        res["devsets"] = (f"{devsets} absent: the corpus is generated all the same (it never needs them), but "
                          "there is no real text to compare it with (no KS statistic, no reference Jaccard)")
        return res
    dev = corpus_stats.devsets_stats(devsets)
    res["devsets"] = {name: {k: d[k] for k in ("articles", "paragraphs_ge_min_words", "random_pair_jaccard",
                                                "words_per_paragraph_ge_min_words") if k in d} if "absent" not in d
                      else d for name, d in dev.items()}
    res["devsets_paragraphs"] = "sentences grouped in pairs (GeoVirus has no paragraph breaks; corpus_stats.py)"
    geo = dev["geovirus"]["random_pair_jaccard"]["mean"]
    res["jaccard_ratio_to_geovirus"] = round(r["random_pair_jaccard"]["mean"] / geo, 2) if geo else None
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=300.0, help="megabytes (10^6) of article text to write")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "corpus" / "generated"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-file", type=int, default=20_000, help="articles per JSONL.gz file")
    ap.add_argument("--gzip-level", type=int, default=3)
    ap.add_argument("--generator", choices=GENERATORS, default="news",
                    help="news: realistic generated sentences (default); templates: the old textgen corpus; "
                         "real: the real articles of --real-text, each once, with the planted copies")
    ap.add_argument("--real-text", nargs="+", default=None,
                    help="with --generator real: JSONL files/folders or inputs newsbeam reads (default: the devsets)")
    ap.add_argument("--stats-articles", type=int, default=10_000,
                    help="measure the corpus statistics on its first N articles (0: skip)")
    ap.add_argument("--devsets", default=str(corpus_stats.DEVSETS),
                    help="real text to compare with, when present (never copied; default ../shared/devsets)")
    a = ap.parse_args(argv)
    out = Path(a.out)
    t0 = time.monotonic()
    stats = generate(out, a.mb, a.seed, a.per_file, level=a.gzip_level, generator=a.generator,
                     real_text=a.real_text)
    seconds = time.monotonic() - t0
    n = max(1, stats.articles)
    meta = {"mb_requested": a.mb, "seed": a.seed, "per_file": a.per_file, "generator": a.generator,
            "seconds": round(seconds, 1), "rates": Rates().__dict__, **stats.__dict__,
            "planted_exact_copy_share": round(stats.exact_article_copies / n, 4),
            "planted_near_dup_share": round(stats.edited_article_copies / n, 4)}
    if a.stats_articles > 0:
        t1 = time.monotonic()
        meta["stats"] = corpus_statistics(out, a.stats_articles, Path(a.devsets))
        meta["stats"]["seconds"] = round(time.monotonic() - t1, 1)
    (out / "corpus.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(json.dumps({"corpus": {k: v for k, v in meta.items() if k != "files"}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
