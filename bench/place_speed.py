"""Throughput of the place tagger in MB of paragraph text per second on one core.

Usage: ``python bench/place_speed.py [FOLDER] [--mb N]``. With a folder, every ``*.txt`` file under it is an article
(blank lines separate paragraphs, the first paragraph is the title); without one, news-like articles are generated
from our own templates with a fixed seed. The gazetteer is loaded (or built) first and not timed.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

from newsbeam.tags.places import PlaceTagger, load_gazetteer

PLACES = [
    ("Quetta", "Balochistan", "Pakistan"), ("Peshawar", "Khyber Pakhtunkhwa", "Pakistan"),
    ("Lahore", "Punjab", "Pakistan"), ("Kandahar", "Kandahar", "Afghanistan"), ("Mosul", "Nineveh", "Iraq"),
    ("Goma", "North Kivu", "Democratic Republic of the Congo"), ("Maiduguri", "Borno", "Nigeria"),
    ("Kharkiv", "Kharkiv Oblast", "Ukraine"), ("Aleppo", "Aleppo Governorate", "Syria"),
    ("Houston", "Texas", "United States"), ("Springfield", "Illinois", "United States"),
    ("Reading", "Berkshire", "England"), ("Culiacán", "Sinaloa", "Mexico"), ("Imphal", "Manipur", "India"),
    ("Nairobi", "Nairobi County", "Kenya"), ("Lyon", "Auvergne-Rhône-Alpes", "France"),
]
PEOPLE = ["Ali Raza", "Maria Lopez", "John Carter", "Amina Yusuf", "Olena Shevchenko", "David Kim", "Sarah Jordan"]
FILLER = [
    "The figures were published after weeks of delays, and several members of the committee questioned whether "
    "the methodology used by the statistics office was still fit for purpose.",
    "Prices for basic goods have risen sharply over the past year, and economists expect the central bank to keep "
    "interest rates on hold at its next meeting, according to a survey of analysts.",
    "“We have been waiting for answers for a long time,” one resident said, asking not to be named because she "
    "feared reprisals. “Nobody tells us anything, and the children are frightened.”",
    "The company said its quarterly revenue rose by 4 percent, helped by strong demand for its products and lower "
    "shipping costs, although profit margins narrowed because of higher wages.",
    "Opposition lawmakers said they would challenge the decision in court, arguing that the new rules were passed "
    "without proper consultation and would restrict the work of journalists and charities.",
    "Rescue workers used heavy machinery to clear the rubble, and hospitals appealed for blood donations as the "
    "number of injured continued to rise through the night.",
]
TEMPLATES = [
    "{city}, {country} — Officials said on {day} that at least {n} people were killed when {what} near a market "
    "in {city}, the capital of {region}.",
    "The attack in {city} was the latest in a series of incidents across {region}, where security forces have "
    "struggled to contain armed groups, {person} said in a statement to reporters.",
    "Residents of {city} told reporters that the roads leading to the {adj} border had been closed since {day}, "
    "and that shops in the old quarter remained shut.",
    "{capital} has denied the allegations and said it would cooperate with any independent investigation into "
    "the events in {region}.",
    "Reading the report, analysts in {capital} noted that nice weather had little to do with the turnout, and "
    "that the police had arrested {n} people in March.",
    "Speaking at a press conference, {person} said the government of {country} would send more troops to {city} "
    "and the surrounding districts of {region} in the coming weeks.",
    "The {adj} ministry said talks with neighbouring countries would continue in {capital} next month, while "
    "humanitarian agencies warned that food prices in {city} had doubled since January.",
]
CAPITALS = {"Pakistan": "Islamabad", "Afghanistan": "Kabul", "Iraq": "Baghdad", "Nigeria": "Abuja",
            "Democratic Republic of the Congo": "Kinshasa", "Ukraine": "Kyiv", "Syria": "Damascus",
            "United States": "Washington", "England": "London", "Mexico": "Mexico City", "India": "New Delhi",
            "Kenya": "Nairobi", "France": "Paris"}
ADJ = {"Pakistan": "Pakistani", "Afghanistan": "Afghan", "Iraq": "Iraqi", "Nigeria": "Nigerian",
       "Democratic Republic of the Congo": "Congolese", "Ukraine": "Ukrainian", "Syria": "Syrian",
       "United States": "American", "England": "British", "Mexico": "Mexican", "India": "Indian",
       "Kenya": "Kenyan", "France": "French"}


def generate(mb: float, seed: int = 7) -> list[tuple[str, list[str]]]:
    rng = random.Random(seed)
    out, size = [], 0
    while size < mb * 1_000_000:
        city, region, country = rng.choice(PLACES)
        ctx = {"city": city, "region": region, "country": country, "capital": CAPITALS[country],
               "adj": ADJ[country], "person": rng.choice(PEOPLE), "n": rng.randint(2, 60),
               "day": rng.choice(["Monday", "Tuesday", "Friday"]),
               "what": rng.choice(["a bomb exploded", "gunmen opened fire", "a drone struck"])}
        paras = [TEMPLATES[0].format(**ctx)]
        for _ in range(rng.randint(5, 12)):
            # Typical news: about one paragraph in three names a place; the rest is reporting around it.
            paras.append(rng.choice(TEMPLATES[1:]).format(**ctx) if rng.random() < 0.35 else rng.choice(FILLER))
        out.append((f"Attack in {city} kills {ctx['n']}", paras))
        size += sum(len(p.encode()) for p in paras)
    return out


def read_folder(folder: str) -> list[tuple[str, list[str]]]:
    out = []
    for f in sorted(Path(folder).rglob("*.txt")):
        blocks = [re.sub(r"\s+", " ", b).strip() for b in re.split(r"\n\s*\n", f.read_text(errors="replace"))]
        blocks = [b for b in blocks if b]
        if len(blocks) >= 2:
            out.append((blocks[0], blocks[1:]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?")
    ap.add_argument("--mb", type=float, default=5.0, help="MB of generated text (without a folder)")
    ap.add_argument("--repeat", type=int, default=1, help="passes over a folder (small folders)")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    gaz = load_gazetteer()
    tagger = PlaceTagger(gaz)
    load_s = time.perf_counter() - t0
    articles = read_folder(a.folder) * a.repeat if a.folder else generate(a.mb)
    nbytes = sum(len(p.encode()) for _, ps in articles for p in ps)
    n_mentions = 0
    t0 = time.perf_counter()
    for title, paras in articles:
        r = tagger.tag_article(paras, title=title)
        n_mentions += sum(len(m) for m in r.mentions)
    dt = time.perf_counter() - t0
    print(f"gazetteer load {load_s:.2f}s (build {gaz.build_seconds:.1f}s); {len(articles)} articles, "
          f"{nbytes / 1e6:.2f} MB, {n_mentions} place mentions in {dt:.2f}s: {nbytes / 1e6 / dt:.2f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
