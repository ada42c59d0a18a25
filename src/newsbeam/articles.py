"""Turn one ingested article into its rows: ids, paragraphs, hashes, language, tags and dedup references.

Pure function of its inputs (plus the per-worker taggers), so the whole per-article stage is unit-testable without
Beam, and two workers given the same article produce the same rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

import xxhash

from .dedup import DedupSettings, MinHasher, exact_key
from .language import article_languages
from .paragraphs import comparison_key, count_words, split_paragraphs, text_hash
from .tagging import EMPTY_ARTICLE, Tagger

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def article_id(source_uri: str, location: str) -> str:
    """First 16 hex chars of sha256(source_uri + '\\n' + location): stable, and never contains ':'."""
    return hashlib.sha256(f"{source_uri}\n{location}".encode()).hexdigest()[:16]


def uri_hash(source_uri: str) -> int:
    return xxhash.xxh64_intdigest(source_uri.encode()) - (1 << 63)


def published_us(published: datetime | None) -> int | None:
    if published is None:
        return None
    if published.tzinfo is None:
        published = published.replace(tzinfo=timezone.utc)
    return (published - EPOCH) // _US


_US = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc) - EPOCH


@dataclass
class BuiltArticle:
    article: dict
    paragraphs: list[dict]
    # Dedup references (ids and hashes only): (exact_key, (published_us, article_id, para_index, source, n_words))
    refs: list[tuple] = field(default_factory=list)
    # (band_key, text_hash) for paragraphs long enough for near-dup detection
    bands: list[tuple[int, int]] = field(default_factory=list)
    # (text_hash, shingle bytes)
    shingles: list[tuple[int, bytes]] = field(default_factory=list)
    # per paragraph: article_id, para_index, bands, shingles — staged so the index need not recompute them
    sigs: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def build_article(
    raw: dict,
    *,
    run_id: str,
    dedup: DedupSettings,
    hasher: MinHasher | None,
    tagger: Tagger | None,
    languages: tuple[str, ...],
) -> BuiltArticle:
    aid = article_id(raw["source_uri"], raw.get("location") or "")
    texts = split_paragraphs(raw.get("text") or "")
    keys = [comparison_key(t) for t in texts]
    hashes = [text_hash(k) for k in keys]
    words = [count_words(k) for k in keys]
    art_lang, langs = article_languages(texts, keys)
    taggable = [lg in languages for lg in langs]
    counts = {"paragraphs": len(texts), "paragraph-text-bytes": sum(len(t.encode("utf-8")) for t in texts)}
    counts["paragraphs-not-tagged-language"] = taggable.count(False) if tagger is not None else 0

    if tagger is not None and texts:
        tags = tagger.tag_article(texts, raw.get("title"), taggable)
        places, actors, art_tags = tags.places, tags.actors, tags.article
        for k, v in tags.counts.items():
            counts[k] = counts.get(k, 0) + v
    else:
        places = [[] for _ in texts]
        actors = [[] for _ in texts]
        art_tags = dict(EMPTY_ARTICLE)

    pub = raw.get("published")
    pub_us = published_us(pub)
    source = raw.get("source") or ""
    article = {
        "run_id": run_id,
        "article_id": aid,
        "source_id": raw.get("source_id"),
        "source_uri": raw["source_uri"],
        "location": raw.get("location") or "",
        "input_key": raw.get("input_key"),
        "source": raw.get("source"),
        "title": raw.get("title"),
        "url": raw.get("url"),
        "published": pub,
        "published_raw": raw.get("published_raw"),
        "lang": art_lang,
        "n_paragraphs": len(texts),
        "n_duplicate_paragraphs": 0,
        "duplicate_of_article": None,
        "n_chars": sum(len(t) for t in texts),
        **art_tags,
    }
    paras = []
    built = BuiltArticle(article, paras, counts=counts)
    for i, t in enumerate(texts):
        paras.append(
            {
                "run_id": run_id,
                "article_id": aid,
                "para_index": i,
                "text": t,
                "text_hash": hashes[i],
                "n_words": words[i],
                "lang": langs[i],
                "is_duplicate": False,
                "dup_kind": None,
                "duplicate_of": None,
                "dup_group": None,
                "similarity": None,
                "is_boilerplate": False,
                "places": places[i],
                "actors": actors[i],
            }
        )
        built.refs.append((exact_key(hashes[i], words[i], aid, dedup), (pub_us, aid, i, source, words[i])))
        if hasher is not None and dedup.near and words[i] >= dedup.near_min_words:
            sh = hasher.shingles(keys[i])
            sh_bytes = sh.tobytes()
            bands = hasher.band_keys(hasher.signature(sh))
            built.shingles.append((hashes[i], sh_bytes))
            built.sigs.append({"article_id": aid, "para_index": i, "bands": bands, "shingles": sh_bytes})
            for b in bands:
                built.bands.append((b, hashes[i]))
    return built
