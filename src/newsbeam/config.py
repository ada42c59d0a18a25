"""One home for configuration: defaults, then a TOML file (``--config``), then command-line flags.

The effective configuration is printed in the run summary and stored in the run record with its hash, so a run can
always be explained and repeated. Unknown keys in the file are an error: a typo must not silently do nothing.

Example ``newsbeam.toml`` (every key optional)::

    workers = 2
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

import hashlib
import json
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


@dataclass(frozen=True)
class Config:
    workers: int = 1
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
    if t == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{name}: expected an integer, got {value!r}")
    if t.startswith("float") and not (value is None or isinstance(value, (int, float))):
        raise ConfigError(f"{name}: expected a number, got {value!r}")
    return value


def _apply(cls: type, base: Any, values: dict[str, Any], where: str) -> Any:
    known = {f.name for f in fields(cls)}
    updates = {}
    for k, v in values.items():
        if k not in known:
            raise ConfigError(f"unknown setting {where}{k}")
        updates[k] = _coerce(cls, k, v)
    try:
        return replace(base, **updates)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{where.rstrip('.') or 'config'}: {e}") from e


def merge(base: Config, values: dict[str, Any], where: str = "") -> Config:
    """Apply a nested dict of settings (from TOML or flags) on top of ``base``."""
    top = {k: v for k, v in values.items() if k not in _SECTIONS}
    cfg = _apply(Config, base, top, where)
    for section, cls in _SECTIONS.items():
        if section in values:
            if not isinstance(values[section], dict):
                raise ConfigError(f"[{section}] must be a table")
            cfg = replace(cfg, **{section: _apply(cls, getattr(cfg, section), values[section], f"{section}.")})
    if cfg.workers < 1:
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
        cfg = merge(cfg, data)
    return merge(cfg, overrides)
