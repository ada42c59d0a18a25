"""Places: the gazetteer (every place name with its readings, built from package data and cached) and the place
tagger that finds and resolves place names in an article.

Gazetteer: ``gazetteer.py`` (loading, caching; the overview of sources), ``table.py`` (the format),
``gazetteer_build.py`` with ``builder.py``, ``names.py`` and ``data_files.py`` (the build), ``user_places.py``,
``derive.py``. Tagger: ``tagger.py`` (the overview of how it decides) composing ``matching.py``, ``context.py``,
``rules.py``, ``resolve.py``, ``evidence.py``, ``metonymy.py`` and ``result.py``.
"""

from newsbeam.tags.places.gazetteer import (
    Gazetteer,
    gazetteer_version,
    load_gazetteer,
    read_user_file,
)
from newsbeam.tags.places.result import PlaceResult
from newsbeam.tags.places.tagger import PlaceTagger

__all__ = ["Gazetteer", "PlaceResult", "PlaceTagger", "gazetteer_version", "load_gazetteer", "read_user_file"]
