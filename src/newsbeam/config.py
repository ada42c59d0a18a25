"""One home for configuration: defaults, then a TOML file (``--config``), then command-line flags.

The effective configuration is stored in the run record with its hash (``newsbeam status OUT --json``), so a run can
always be explained and repeated. Unknown keys in the file are an error that names the file and the nearest key: a
typo must not silently do nothing.

Example ``newsbeam.toml`` (every key optional)::

    workers = 2                     # default: chosen from the work (see ``choose_workers``)
    max_reject_rate = 0.2
    max_runtime = "2h"
    languages = ["en"]

    [ingest]
    field_map = { text = "body", published = "date" }
    max_article_bytes = 20000000
    root = "/data/inbox"            # local inputs must lie inside (manifest entries: their manifest's folder)
    allowed_url_params = ["page", "id", "utm_*"]   # kept in stored URLs; every other parameter is a secret

    [dedup]
    threshold = 0.5
    near = true

    [tagging]
    places = true
    actors = true
    user_gazetteers = ["my_places.yaml"]
    user_dictionaries = ["watchlist.yaml"]
    article_budget_s = 5.0          # per article: max(this, article_budget_s_per_mb * MB of text)
    article_budget_s_per_mb = 2.0
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from newsbeam.dedup.rules import DedupSettings
from newsbeam.ingest.sources import DEFAULT_ALLOWED_URL_PARAMS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(ValueError):
    """A bad configuration file or value: reported as a usage error (exit 2)."""


@dataclass(frozen=True)
class IngestConfig:
    field_map: dict[str, str] = field(default_factory=dict)
    max_article_bytes: int = 20_000_000
    retries: int = 3
    timeout: float = 30.0
    manifests: tuple[str, ...] = ()
    # Local inputs must lie inside this folder (symlinks resolved; relative to the config file). None: command-line
    # inputs are not confined, manifest entries are confined to their manifest's folder.
    root: str | None = None
    # Query parameters kept in stored URIs and the url column (glob patterns, case-insensitive). Every other
    # parameter, user:password and #fragments are removed as secrets: an allow-list, because a list of secret
    # names is never complete.
    allowed_url_params: tuple[str, ...] = DEFAULT_ALLOWED_URL_PARAMS

    def __post_init__(self):
        if self.root is not None and (not isinstance(self.root, str) or not self.root.strip()):
            raise ValueError(f"root must be a folder path, got {self.root!r}")
        if not all(isinstance(p, str) and p.strip() for p in self.allowed_url_params):
            raise ValueError(f"allowed_url_params must be a list of parameter names, got {self.allowed_url_params!r}")


@dataclass(frozen=True)
class TaggingConfig:
    places: bool = True
    actors: bool = True
    user_gazetteers: tuple[str, ...] = ()
    user_dictionaries: tuple[str, ...] = ()
    ner_model: str | None = None
    # Per-article budget: max(article_budget_s, article_budget_s_per_mb * MB of text); 0 = no budget, in-process.
    article_budget_s: float = 5.0
    article_budget_s_per_mb: float = 2.0
    # Extra tagger functions ("module:function"), called after the built-in taggers in the tagging process.
    extra_taggers: tuple[str, ...] = ()


# Below this much input (bytes on disk, compressed files counted at ``COMPRESSED_RATIO`` times their size) or with a
# single input file, a run uses one worker. Measured on this 2-core machine (full pipeline, warm caches, README
# "Command line"): Beam's multi-process mode costs about 2.4 s to start (one small file: 2.7 s with 1 worker,
# 5.1 s with 2; one 2 MB file: 6.3 s and 8.7 s) and then saves about 0.6 s per MB of text (4 files, 7.5 MB:
# 13.7 s and 11.4 s; 24 MB: 34.0 s and 23.9 s), so it pays from about 4 MB of text on.
AUTO_WORKERS_MIN_BYTES = 5_000_000
COMPRESSED_RATIO = 3.0
_COMPRESSED = (".gz", ".bz2", ".zst", ".zstd", ".xz")


def choose_workers(inputs: list[tuple[str, int | None]], cores: int | None = None) -> int:
    """The worker count when the user set none, from the work: ``inputs`` are (uri, size in bytes or None).

    One worker for less than ``AUTO_WORKERS_MIN_BYTES`` of (estimated uncompressed) input, because starting Beam's
    worker processes costs more than a small night gains from them; otherwise one worker per core, but never more
    than there are parts to read: a file is one part, except a large local file, which is read in one part per
    worker (``ingest/slices.py``). An unknown size (a remote object without a length) counts as large.
    """
    from newsbeam.ingest.slices import splittable  # late: ingest modules import this one

    if cores is None:  # the cores this process may use (a container's or taskset's limit), not the machine's
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    parts = sum(cores if splittable(uri, size) else 1 for uri, size in inputs)
    if parts <= 1 or cores <= 1:
        return 1
    total = 0.0
    for uri, size in inputs:
        if size is None:
            total += AUTO_WORKERS_MIN_BYTES
        else:
            total += size * (COMPRESSED_RATIO if uri.lower().endswith(_COMPRESSED) else 1)
    if total < AUTO_WORKERS_MIN_BYTES:
        return 1
    return max(1, min(cores, parts))


@dataclass(frozen=True)
class Config:
    # None: chosen from the work by the driver (``choose_workers``); a number set in the file or by --workers wins.
    workers: int | None = None
    max_reject_rate: float | None = None
    # Run-level watchdog, in seconds ("90m", "2h" or a number in a file or on the command line): a run past it
    # stops, publishes nothing and exits 5. None = no limit.
    max_runtime: float | None = None
    reprocess: bool = False
    languages: tuple[str, ...] = ("en",)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    tagging: TaggingConfig = field(default_factory=TaggingConfig)

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self), default=list))

    def hash(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


_SECTIONS = {"ingest": IngestConfig, "dedup": DedupSettings, "tagging": TaggingConfig}


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")


def parse_duration(value: str | float | int) -> float:
    """Seconds in ``90m``, ``2h``, ``45s``, ``1d`` or a plain number of seconds.

    >>> parse_duration("90m"), parse_duration("2h"), parse_duration(30)
    (5400.0, 7200.0, 30.0)
    """
    if isinstance(value, bool):
        raise ConfigError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    m = _DURATION.match(str(value))
    if not m:
        raise ConfigError(f"not a duration (use e.g. 90m, 2h or seconds): {value!r}")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2) or "s"]


def _coerce(cls: type, name: str, value: Any) -> Any:
    if cls is Config and name == "max_runtime" and value is not None:
        return parse_duration(value)
    t = str({f.name: f for f in fields(cls)}[name].type)
    if isinstance(value, list) or t.startswith("tuple"):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{name}: expected a list, got {value!r}")
        return tuple(value)
    if t.startswith("dict") and not isinstance(value, dict):
        raise ConfigError(f"{name}: expected a table, got {value!r}")
    if t == "bool" and not isinstance(value, bool):
        raise ConfigError(f"{name}: expected true or false, got {value!r}")
    if t.startswith("int") and (isinstance(value, bool) or not isinstance(value, int)) \
            and not (value is None and "None" in t):
        raise ConfigError(f"{name}: expected an integer, got {value!r}")
    if t.startswith("float") and not (value is None or isinstance(value, (int, float))):
        raise ConfigError(f"{name}: expected a number, got {value!r}")
    return value


def _unknown(where: str, key: str, known: set[str], source: str | None) -> ConfigError:
    """'unknown setting dedup.treshold in FILE (did you mean threshold?)': which file, and the likely fix."""
    msg = f"unknown setting {where}{key}" + (f" in {source}" if source else "")
    close = difflib.get_close_matches(str(key), sorted(known), n=1)
    if not close and not where:
        close = [f"[{s}] {key}" for s, c in _SECTIONS.items() if key in {f.name for f in fields(c)}]
    return ConfigError(msg + (f" (did you mean {close[0]}?)" if close else ""))


def _apply(cls: type, base: Any, values: dict[str, Any], where: str, source: str | None = None) -> Any:
    known = {f.name for f in fields(cls)}
    updates = {}
    for k, v in values.items():
        if k not in known:
            raise _unknown(where, k, known | (set(_SECTIONS) if cls is Config else set()), source)
        updates[k] = _coerce(cls, k, v)
    try:
        return replace(base, **updates)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{where.rstrip('.') or 'config'}: {e}") from e


def merge(base: Config, values: dict[str, Any], where: str = "", source: str | None = None) -> Config:
    """Apply a nested dict of settings (from TOML or flags) on top of ``base``; ``source`` (the file) is named in
    every error, so a cron mail says which file to fix."""
    try:
        return _merge(base, values, where, source)
    except ConfigError as e:
        if source and source not in str(e):
            raise ConfigError(f"{source}: {e}") from e
        raise


def _merge(base: Config, values: dict[str, Any], where: str, source: str | None) -> Config:
    top = {k: v for k, v in values.items() if k not in _SECTIONS}
    cfg = _apply(Config, base, top, where, source)
    for section, cls in _SECTIONS.items():
        if section in values:
            if not isinstance(values[section], dict):
                raise ConfigError(f"[{section}] must be a table")
            cfg = replace(cfg, **{section: _apply(cls, getattr(cfg, section), values[section], f"{section}.",
                                                  source)})
    if cfg.workers is not None and cfg.workers < 1:
        raise ConfigError("workers must be >= 1")
    if cfg.max_reject_rate is not None and not 0 <= cfg.max_reject_rate <= 1:
        raise ConfigError("max_reject_rate must be between 0 and 1")
    if cfg.tagging.article_budget_s < 0 or cfg.tagging.article_budget_s_per_mb < 0:
        raise ConfigError("tagging.article_budget_s and article_budget_s_per_mb must be >= 0")
    if cfg.max_runtime is not None and cfg.max_runtime <= 0:
        raise ConfigError("max_runtime must be a positive duration")
    return cfg


def load(path: str | None, overrides: dict[str, Any]) -> Config:
    """Defaults, then the TOML file, then flags."""
    cfg = Config()
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {path}")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"config file {path}: {e}") from e
        # Relative user files are relative to the config file, not to wherever cron runs us.
        tag = data.get("tagging", {})
        for key in ("user_gazetteers", "user_dictionaries"):
            if key in tag and isinstance(tag[key], list):
                tag[key] = [str((p.parent / f).resolve()) if not Path(f).is_absolute() else f for f in tag[key]]
        ing = data.get("ingest", {})
        if isinstance(ing, dict) and isinstance(ing.get("root"), str) and ing["root"].strip():
            ing["root"] = str((p.parent / Path(ing["root"]).expanduser()).resolve())
        if isinstance(ing, dict) and isinstance(ing.get("manifests"), list):
            ing["manifests"] = [str((p.parent / f).resolve()) if isinstance(f, str) else f for f in ing["manifests"]]
        cfg = merge(cfg, data, source=path)
    return merge(cfg, overrides)
