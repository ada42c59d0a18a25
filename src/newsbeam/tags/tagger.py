"""The one tagging pass over an article: organisations first, then places, then actors.

The order matters: an organisation's name hides the places inside it ("Balochistan Liberation Army" is a group, not a
mention of Balochistan), and actors need the places (a capital that "denied the allegations" is a government; a
possessive "Pakistan's interior minister" gives a person's country).

Taggers are heavy (gazetteer automata, dictionaries), so ``Tagger.shared`` builds one per worker process and reuses
it; nothing heavy is ever pickled into the pipeline graph.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from newsbeam.config import TaggingConfig


@dataclass
class ArticleTags:
    places: list[list[dict]]
    actors: list[list[dict]]
    article: dict[str, Any] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)


EMPTY_ARTICLE = {
    "primary_country": None,
    "primary_region": None,
    "primary_region_code": None,
    "m49_subregion": None,
    "countries": [],
    "regions": [],
    "actors": [],
}


def load_extra_tagger(path: str) -> Callable[[list[str], str | None], dict[str, int] | None]:
    """An extra tagger by import path, ``"package.module:function"``.

    The function gets ``(paragraphs, title)`` and may return named counts to add to the run's counters. It runs in
    the tagging process after the built-in taggers, under the same per-article budget (the fault-injection taggers
    of the tests are chosen this way). A bad path is a ``ValueError`` (a usage error at the start of a run).
    """
    module, _, attr = path.partition(":")
    if not module or not attr:
        raise ValueError(f"tagging.extra_taggers: expected 'module:function', got {path!r}")
    try:
        fn = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as e:
        raise ValueError(f"tagging.extra_taggers: cannot import {path!r}: {e}") from e
    if not callable(fn):
        raise ValueError(f"tagging.extra_taggers: {path!r} is not callable")
    return fn


class Tagger:
    _instances: ClassVar[dict[Any, Tagger]] = {}

    def __init__(self, cfg: TaggingConfig):
        self.cfg = cfg
        self.places = None
        self.actors = None
        self.gazetteer_version = None
        if cfg.places or cfg.actors:
            from newsbeam.tags.places import PlaceTagger, load_gazetteer

            gaz = load_gazetteer(tuple(cfg.user_gazetteers))
            self.gazetteer_version = gaz.version
            # Actors need place mentions (metonymy, possessives), so the place tagger also runs for actors-only runs;
            # its output is then dropped.
            self.places = PlaceTagger(gaz)
        if cfg.actors:
            from newsbeam.tags.actors import ActorTagger

            self.actors = ActorTagger(tuple(cfg.user_dictionaries))
        self.ner = None
        if cfg.actors and cfg.ner_model:
            from newsbeam.tags.actors.ner import NerMerger

            self.ner = NerMerger(cfg.ner_model)
        self.extra = [load_extra_tagger(path) for path in cfg.extra_taggers]

    @classmethod
    def shared(cls, cfg: TaggingConfig) -> Tagger:
        key = (cfg.places, cfg.actors, tuple(cfg.user_gazetteers), tuple(cfg.user_dictionaries), cfg.ner_model,
               tuple(cfg.extra_taggers))
        if key not in cls._instances:
            cls._instances[key] = cls(cfg)
        return cls._instances[key]

    def tag_article(self, paragraphs: list[str], title: str | None, taggable: list[bool]) -> ArticleTags:
        """Tag the paragraphs whose language the taggers handle (``taggable``); the others get empty lists."""
        tags = self._tag_builtin(paragraphs, title, taggable)
        for fn in self.extra:
            extra_counts = fn(paragraphs, title)
            if extra_counts:
                tags.counts.update(extra_counts)
        return tags

    def _tag_builtin(self, paragraphs: list[str], title: str | None, taggable: list[bool]) -> ArticleTags:
        n = len(paragraphs)
        counts: Counter = Counter()
        if self.places is None or not any(taggable):
            return ArticleTags([[] for _ in range(n)], [[] for _ in range(n)], dict(EMPTY_ARTICLE), counts)
        texts = [p if ok else "" for p, ok in zip(paragraphs, taggable, strict=True)]
        org_spans = self.actors.organisation_spans(texts) if self.actors else None
        pr = self.places.tag_article(texts, title=title, blocked=org_spans)
        counts["places-inside-organisation"] += pr.n_blocked
        counts["places-common-word-skipped"] += pr.n_common_word_skipped
        article = {
            "primary_country": pr.primary_country,
            "primary_region": pr.primary_region,
            "primary_region_code": pr.primary_region_code,
            "m49_subregion": pr.m49_subregion,
            "countries": list(pr.countries),
            "regions": list(pr.regions),
            "actors": [],
        }
        places = pr.mentions if self.cfg.places else [[] for _ in range(n)]
        actors: list[list[dict]] = [[] for _ in range(n)]
        if self.actors is not None:
            ar = self.actors.tag_article(texts, pr.mentions, pr.demonyms, pr.primary_country, org_spans=org_spans)
            if self.ner is not None:
                ar = self.ner.apply(texts, ar, pr.mentions)
            actors = ar.mentions
            article["actors"] = ar.article_actors
            counts.update(ar.counts)
        if not self.cfg.places:
            for k in ("primary_country", "primary_region", "primary_region_code", "m49_subregion"):
                article[k] = None
            article["countries"], article["regions"] = [], []
        counts["place-mentions"] += sum(len(m) for m in places)
        counts["actor-mentions"] += sum(len(m) for m in actors)
        return ArticleTags(places, actors, article, counts)
