"""The one tagging pass over an article: every enabled tagger, in the order the registry derives from their needs.

The built-in taggers are registered here: organisations, then places (which must not tag the places inside an
organisation's name), then actors (which read both). See ``registry.py`` for why the order is declared, not coded,
and how a tag type of your own gets its own column.

Taggers are heavy (gazetteer automata, dictionaries), so ``Tagger.shared`` builds one per process and reuses it;
nothing heavy is ever pickled into the pipeline graph.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pyarrow as pa

from newsbeam.config import TaggingConfig
from newsbeam.tags.registry import TagContext, TaggerSpec, TagResult, run_order


@dataclass
class ArticleTags:
    """One article's tags as the pipeline stores them: the built-in columns, registered taggers' columns by name,
    article-level fields and counts."""

    places: list[list[dict]]
    actors: list[list[dict]]
    article: dict[str, Any] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    columns: dict[str, list[list[dict]]] = field(default_factory=dict)


EMPTY_ARTICLE = {
    "primary_country": None,
    "primary_region": None,
    "primary_region_code": None,
    "m49_subregion": None,
    "countries": [],
    "regions": [],
    "actors": [],
}


# --- The built-in taggers --------------------------------------------------------------------------------------


def _gazetteer(cfg: TaggingConfig, shared: dict) -> Any:
    if "gazetteer" not in shared:
        from newsbeam.tags.places import load_gazetteer

        shared["gazetteer"] = load_gazetteer(tuple(cfg.user_gazetteers))
    return shared["gazetteer"]


def _actor_tagger(cfg: TaggingConfig, shared: dict) -> Any:
    if "actor_tagger" not in shared:
        from newsbeam.tags.actors import ActorTagger

        shared["actor_tagger"] = ActorTagger(tuple(cfg.user_dictionaries))
    return shared["actor_tagger"]


def _build_organisations(cfg: TaggingConfig, shared: dict) -> Callable[[TagContext], TagResult]:
    actors = _actor_tagger(cfg, shared)

    def tag(ctx: TagContext) -> TagResult:
        return TagResult(ctx.empty(), candidates=actors.organisation_spans(ctx.texts))

    return tag


def _build_places(cfg: TaggingConfig, shared: dict) -> Callable[[TagContext], TagResult]:
    from newsbeam.tags.places import PlaceTagger

    places = shared["place_tagger"] = PlaceTagger(_gazetteer(cfg, shared))

    def tag(ctx: TagContext) -> TagResult:
        orgs = ctx.get("organisations")
        pr = places.tag_article(ctx.texts, title=ctx.title, blocked=orgs.candidates if orgs else None)
        counts = Counter({"places-inside-organisation": pr.n_blocked,
                          "places-common-word-skipped": pr.n_common_word_skipped})
        if not cfg.places:  # run only because actors need it: its own output is dropped
            return TagResult(ctx.empty(), {}, counts, candidates=pr)
        article = {"primary_country": pr.primary_country, "primary_region": pr.primary_region,
                   "primary_region_code": pr.primary_region_code, "m49_subregion": pr.m49_subregion,
                   "countries": list(pr.countries), "regions": list(pr.regions)}
        counts["place-mentions"] += sum(len(m) for m in pr.mentions)
        counts["place-demonyms"] += sum(len(d) for d in pr.demonyms)
        return TagResult(pr.rows(), article, counts, candidates=pr)  # rows: mentions + flagged demonyms

    return tag


def _build_actors(cfg: TaggingConfig, shared: dict) -> Callable[[TagContext], TagResult]:
    actors = _actor_tagger(cfg, shared)
    ner = None
    if cfg.ner_model:
        from newsbeam.tags.actors.ner import NerMerger

        ner = NerMerger(cfg.ner_model)

    def tag(ctx: TagContext) -> TagResult:
        pr = ctx.get("places").candidates
        orgs = ctx.get("organisations")
        ar = actors.tag_article(ctx.texts, pr.mentions, pr.demonyms, pr.primary_country,
                                org_spans=orgs.candidates if orgs else None)
        if ner is not None:
            ar = ner.apply(ctx.texts, ar, pr.mentions)
        counts = Counter(ar.counts)
        counts["actor-mentions"] += sum(len(m) for m in ar.mentions)
        return TagResult(ar.mentions, {"actors": ar.article_actors}, counts)

    return tag


BUILTIN_TAGGERS: tuple[TaggerSpec, ...] = (
    TaggerSpec("organisations", _build_organisations, enabled=lambda cfg: cfg.actors),
    TaggerSpec("places", _build_places, needs=("organisations",), enabled=lambda cfg: cfg.places or cfg.actors),
    TaggerSpec("actors", _build_actors, needs=("organisations", "places"), enabled=lambda cfg: cfg.actors),
)
BUILTIN_COLUMNS = {"places": "places", "actors": "actors"}  # tagger -> its column in the fixed schema


# --- Taggers named in the configuration ----------------------------------------------------------------------


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
    if isinstance(fn, TaggerSpec):
        fn.check()
        return fn
    if not callable(fn):
        raise ValueError(f"tagging.extra_taggers: {path!r} is neither a TaggerSpec nor callable")
    return fn


def registered_specs(cfg: TaggingConfig) -> list[TaggerSpec]:
    """The built-in taggers and the ``TaggerSpec``s named in ``extra_taggers``, in dependency order."""
    extra = [t for t in map(load_extra_tagger, cfg.extra_taggers) if isinstance(t, TaggerSpec)]
    return run_order([*BUILTIN_TAGGERS, *extra])


def tag_columns(cfg: TaggingConfig) -> tuple[pa.Field, ...]:
    """The paragraphs columns that registered taggers add to the fixed schema (none by default)."""
    cols = [s.column for s in registered_specs(cfg) if s.column is not None and s.enabled(cfg)]
    names = [c.name for c in cols]
    if len(set(names)) != len(names):
        raise ValueError("tagging.extra_taggers: two taggers write the same column")
    return tuple(cols)


class Tagger:
    """All enabled taggers of one configuration, built once per process, run in dependency order per article."""

    _instances: ClassVar[dict[Any, Tagger]] = {}

    def __init__(self, cfg: TaggingConfig):
        self.cfg = cfg
        shared: dict = {}
        self.pass_ = [(spec, spec.build(cfg, shared)) for spec in registered_specs(cfg) if spec.enabled(cfg)]
        self.places = shared.get("place_tagger")
        self.actors = shared.get("actor_tagger")
        self.gazetteer_version = shared["gazetteer"].version if "gazetteer" in shared else None
        # Plain functions in extra_taggers: run after the pass on every paragraph, counts only.
        self.extra = [t for t in map(load_extra_tagger, cfg.extra_taggers) if not isinstance(t, TaggerSpec)]

    @classmethod
    def shared(cls, cfg: TaggingConfig) -> Tagger:
        key = (cfg.places, cfg.actors, tuple(cfg.user_gazetteers), tuple(cfg.user_dictionaries), cfg.ner_model,
               tuple(cfg.extra_taggers))
        if key not in cls._instances:
            cls._instances[key] = cls(cfg)
        return cls._instances[key]

    def tag_article(self, paragraphs: list[str], title: str | None, taggable: list[bool]) -> ArticleTags:
        """Tag the paragraphs whose language the taggers handle (``taggable``); the others get empty lists."""
        tags = self._tag_pass(paragraphs, title, taggable)
        for fn in self.extra:
            extra_counts = fn(paragraphs, title)
            if extra_counts:
                tags.counts.update(extra_counts)
        return tags

    def _tag_pass(self, paragraphs: list[str], title: str | None, taggable: list[bool]) -> ArticleTags:
        n = len(paragraphs)
        tags = ArticleTags([[] for _ in range(n)], [[] for _ in range(n)], dict(EMPTY_ARTICLE), Counter(),
                           {s.column.name: [[] for _ in range(n)] for s, _ in self.pass_ if s.column is not None})
        if not self.pass_ or not any(taggable):
            return tags
        ctx = TagContext([p if ok else "" for p, ok in zip(paragraphs, taggable, strict=True)], title)
        # Invariant: one call per enabled tagger, in dependency order.
        for spec, fn in self.pass_:
            result = ctx.results[spec.name] = fn(ctx)
            tags.article.update(result.article)
            tags.counts.update(result.counts)
            if spec.name in BUILTIN_COLUMNS:
                setattr(tags, BUILTIN_COLUMNS[spec.name], result.spans)
            elif spec.column is not None:
                tags.columns[spec.column.name] = result.spans
        return tags
