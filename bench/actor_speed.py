"""Throughput of the rule-based actor tagger, in MB (10^6 bytes of UTF-8 paragraph text) per second on one core.

Both wall-clock and process CPU time are reported: on a shared machine the CPU figure is the per-core speed.

Usage: ``python bench/actor_speed.py [--corpus DIR] [--mb N]``. The articles are the ``.txt`` files of the sample
corpus (header block dropped, blank lines or single newlines separate paragraphs), repeated until N MB are
reached. Place results are computed once per article beforehand and not timed, so the figure is the actor tagger
alone (``organisation_spans`` + ``tag_article``); ``--combined`` also times the place tagger in between, which is
the cost of the whole tagging pass.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from newsbeam.tags.actors import ActorTagger
from newsbeam.tags.places import PlaceTagger, load_gazetteer

HEADER = re.compile(r"^(?:Title|Date|Source|URL|ID):", re.I)


def read_articles(folder: Path) -> list[list[str]]:
    """Plain-text articles of the corpus as lists of whitespace-collapsed paragraphs."""
    out = []
    for path in sorted(folder.rglob("*.txt")):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        lines = [ln for ln in text.splitlines() if not HEADER.match(ln)]
        body = "\n".join(lines)
        parts = re.split(r"\n\s*\n", body) if "\n\n" in body else body.split("\n")
        paras = [" ".join(p.split()) for p in parts if p.strip()]
        if paras:
            out.append(paras)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(Path(__file__).resolve().parent.parent / "sample_corpus"))
    ap.add_argument("--mb", type=float, default=5.0)
    ap.add_argument("--combined", action="store_true", help="also time the place tagger")
    args = ap.parse_args()
    articles = read_articles(Path(args.corpus))
    if not articles:
        raise SystemExit(f"no .txt articles under {args.corpus}")
    t0 = time.perf_counter()
    actors = ActorTagger()
    t_load = time.perf_counter() - t0
    places = PlaceTagger(load_gazetteer())
    pre = []
    for paras in articles:
        org = actors.organisation_spans(paras)
        pr = places.tag_article(paras, blocked=org)
        pre.append((paras, pr))
    sizes = [sum(len(p.encode()) for p in paras) for paras in articles]
    per_round = sum(sizes)
    rounds = max(1, int(args.mb * 1_000_000 / per_round + 0.999))
    n_mentions = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for paras, pr in pre:
            paras = list(paras)  # a new list per article, as the pipeline gives
            org = actors.organisation_spans(paras)
            if args.combined:
                pr = places.tag_article(paras, blocked=org)
            ar = actors.tag_article(paras, pr.mentions, pr.demonyms, pr.primary_country, org_spans=org)
            n_mentions += sum(len(r) for r in ar.mentions)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    mb = rounds * per_round / 1e6
    what = "places + actors" if args.combined else "actors"
    print(f"{what}: {len(articles)} articles x {rounds} rounds = {mb:.2f} MB in {dt:.2f} s wall, {cpu:.2f} s CPU -> {mb / dt:.2f} MB/s wall, "
          f"{mb / cpu:.2f} MB per CPU-second "
          f"({n_mentions / rounds:.0f} actor mentions per round; dictionary load {t_load:.2f} s)")


if __name__ == "__main__":
    main()
