"""Turn one ingested article into its rows: ids, paragraphs, hashes, language, tags and dedup references.

Pure function of its inputs (plus the per-worker taggers), so the whole per-article stage is unit-testable without
Beam, and two workers given the same article produce the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import xxhash

from newsbeam.dedup.contracts import Ref
from newsbeam.dedup.rules import DedupSettings, MinHasher, exact_key
from newsbeam.tags.sandbox import TAG_OFF, TAG_OK, TagOutcome
from newsbeam.tags.tagger import EMPTY_ARTICLE
from newsbeam.text.language import article_languages
from newsbeam.text.paragraphs import comparison_key, count_words, split_paragraphs, text_hash

# tag(paragraphs, title, taggable, text_bytes) -> TagOutcome: the budgeted tagging pass (see ``tag_sandbox``).
TagFn = Callable[[list[str], "str | None", list[bool], int], TagOutcome]

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
    # Dedup references (ids and hashes only): (exact_key, Ref); the stage that stages the rows sets ``Ref.shard``.
    refs: list[tuple[int, Ref]] = field(default_factory=list)
    # (text_hash, stored shingle set), for the paragraphs long enough for near dedup
    shingles: list[tuple[int, bytes]] = field(default_factory=list)
    # per paragraph: article_id, para_index, bands, shingles — staged so the index need not recompute them
    sigs: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Why the article's tags are empty when they are (status timeout or error), for the run record.
    tag_problem: dict | None = None


@dataclass
class _Tags:
    """An article's tags as its rows take them: empty (tagging off, timed out or failed) or the tagger's."""

    places: list[list[dict]]
    actors: list[list[dict]]
    article: dict
    columns: dict[str, list[list[dict]]]
    status: str


def _tag(raw: dict, texts: list[str], taggable: list[bool], tag: TagFn | None, counts: dict) -> tuple[_Tags, TagOutcome | None]:
    """Run the (budgeted) tagging pass; an article that is not tagged keeps empty tags and says why."""
    outcome = None
    if tag is not None and texts:
        outcome = tag(texts, raw.get("title"), taggable, counts["paragraph-text-bytes"])
    status = TAG_OFF if outcome is None else outcome.status
    if status not in (TAG_OK, TAG_OFF):
        counts[f"articles-tag-{status}"] = 1
    if outcome is not None and outcome.reused:
        counts["articles-tag-reused"] = 1
    if outcome is not None and outcome.tags is not None:
        t = outcome.tags
        for k, v in t.counts.items():
            counts[k] = counts.get(k, 0) + v
        return _Tags(t.places, t.actors, t.article, t.columns, status), outcome
    # Not tagged (tagging off, or the tagger timed out or failed): the article and its paragraphs are still
    # published, deduplicated as usual, with empty tags and the reason in ``tag_status``.
    return _Tags([[] for _ in texts], [[] for _ in texts], dict(EMPTY_ARTICLE), {}, status), outcome


def _article_row(raw: dict, aid: str, run_id: str, lang: str, texts: list[str], tags: _Tags) -> dict:
    return {
        "run_id": run_id,
        "article_id": aid,
        "source_id": raw.get("source_id"),
        "source_uri": raw["source_uri"],
        "location": raw.get("location") or "",
        "input_key": raw.get("input_key"),
        "source": raw.get("source"),
        "title": raw.get("title"),
        "url": raw.get("url"),
        "published": raw.get("published"),
        "published_raw": raw.get("published_raw"),
        "lang": lang,
        "n_paragraphs": len(texts),
        "n_duplicate_paragraphs": 0,
        "duplicate_of_article": None,
        "n_chars": sum(len(t) for t in texts),
        **tags.article,
        "tag_status": tags.status,
    }


def _paragraph_row(run_id: str, aid: str, i: int, text: str, h: int, words: int, lang: str, tags: _Tags,
                   columns: tuple[str, ...]) -> dict:
    row = {
        "run_id": run_id,
        "article_id": aid,
        "para_index": i,
        "text": text,
        "text_hash": h,
        "n_words": words,
        "lang": lang,
        "is_duplicate": False,
        "dup_kind": None,
        "duplicate_of": None,
        "dup_group": None,
        "similarity": None,
        "is_boilerplate": False,
        "places": tags.places[i],
        "actors": tags.actors[i],
    }
    for c in columns:  # registered taggers' columns; empty when the article was not tagged
        spans = tags.columns.get(c)
        row[c] = spans[i] if spans is not None else []
    return row


def build_article(
    raw: dict,
    *,
    run_id: str,
    dedup: DedupSettings,
    hasher: MinHasher | None,
    tag: TagFn | None,
    languages: tuple[str, ...],
    tag_columns: tuple[str, ...] = (),
) -> BuiltArticle:
    """One article's rows; ``tag_columns`` names the paragraphs columns of registered taggers (see
    ``tags/registry.py``), each filled from the tagging pass or left empty."""
    aid = article_id(raw["source_uri"], raw.get("location") or "")
    texts = split_paragraphs(raw.get("text") or "")
    keys = [comparison_key(t) for t in texts]
    hashes = [text_hash(k) for k in keys]
    words = [count_words(k) for k in keys]
    art_lang, langs = article_languages(texts, keys)
    taggable = [lg in languages for lg in langs]
    counts = {"paragraphs": len(texts), "paragraph-text-bytes": sum(len(t.encode("utf-8")) for t in texts)}
    counts["paragraphs-not-tagged-language"] = taggable.count(False) if tag is not None else 0
    tags, outcome = _tag(raw, texts, taggable, tag, counts)

    article = _article_row(raw, aid, run_id, art_lang, texts, tags)
    built = BuiltArticle(article, [], counts=counts)
    if tags.status not in (TAG_OK, TAG_OFF):
        built.tag_problem = {
            "article_id": aid, "source_uri": raw["source_uri"], "location": article["location"],
            "tag_status": tags.status, "detail": outcome.detail, "seconds": round(outcome.seconds, 2),
        }
    pub_us, source = published_us(raw.get("published")), raw.get("source") or ""
    for i, t in enumerate(texts):
        built.paragraphs.append(_paragraph_row(run_id, aid, i, t, hashes[i], words[i], langs[i], tags, tag_columns))
        built.refs.append((exact_key(hashes[i], words[i], aid, dedup), Ref(pub_us, aid, i, source, words[i])))
    if hasher is not None and dedup.near:
        # All of the article's fingerprints in one numpy pass, exact repeats (footers, wire copy) from the
        # worker's cache: a call per paragraph was most of the per-article MinHash time.
        near = [i for i in range(len(texts)) if words[i] >= dedup.near_min_words]
        fps, reused = hasher.cached([hashes[i] for i in near], [keys[i] for i in near])
        if reused:
            counts["near-fingerprints-reused"] = reused
        for i, (bands, sh_bytes) in zip(near, fps, strict=True):
            built.shingles.append((hashes[i], sh_bytes))
            built.sigs.append({"article_id": aid, "para_index": i, "bands": bands, "shingles": sh_bytes})
    return built


def empty_reject(raw: dict) -> dict:
    """The reject row of an article that had no paragraph left after cleaning."""
    return {
        "source_uri": raw["source_uri"],
        "location": raw.get("location") or "",
        "input_key": raw.get("input_key"),
        "reason": "empty",
        "detail": "no paragraph left after cleaning",
    }
