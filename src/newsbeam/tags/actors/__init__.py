"""The actor tagger, split by role: ``dictionary`` (the compiled dictionaries and identities), ``rules`` (word
tables and name patterns), ``organisations``, ``people`` (with the given-name list), ``context`` (countries,
governments, unnamed agents), ``tagger`` (``ActorTagger``, composing them) and ``ner`` (the optional spaCy merge,
imported only when a model is configured)."""

from newsbeam.tags.actors.dictionary import load_user_dictionary
from newsbeam.tags.actors.tagger import ActorResult, ActorTagger, roll_up

__all__ = ["ActorResult", "ActorTagger", "load_user_dictionary", "roll_up"]
