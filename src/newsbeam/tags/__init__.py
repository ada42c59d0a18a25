"""Tagging: the tagger registry, the sandbox with its per-article budget, places (gazetteer) and actors."""
