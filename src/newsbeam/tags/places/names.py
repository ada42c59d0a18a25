"""Name forms: the spellings under which one gazetteer name is stored (folded, capitalised, Saint / St., particle
twins), and which of them may become automaton keys. Shared by the build and by user gazetteers, so a user's
"St Albans" is stored exactly as GeoNames' "Saint Albans" is."""

from __future__ import annotations

import re
import unicodedata


def fold(s: str) -> str:
    """ASCII-fold Latin letters: news often drops diacritics (Zurich, Sao Paulo, Tamil Nadu)."""
    out = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return out.replace("’", "'").replace("‘", "'")


def is_latin(s: str) -> bool:
    return all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in s)


def usable_key(s: str) -> bool:
    """Keys must contain a capital: the tagger is case-sensitive and lower-case keys would fire on prose."""
    return len(s) >= 2 and any(c.isupper() for c in s) and not s[0].isspace() and not s[-1].isspace()


# GeoNames writes "Saint Albans" and "St. Petersburg"; news writes both, and "St Albans" too.
_SAINT_FORMS = (("Saint ", ("St. ", "St ")), ("Sainte ", ("Ste. ", "Ste ")))
_PARTICLE_GAP = re.compile(r"(?<=\w)([ -])(in|on|upon|under|le|la|les|de|du|des|en|sur|au|aux|by|am|an|im)\1(?=\w)")


def variants(name: str) -> list[str]:
    """The name, its ASCII fold, a capitalised form of names GeoNames writes with a lower-case particle, and the
    hyphenated or spaced twin of names with an inner particle (GeoNames has "Barrow in Furness" and
    "Stoke-on-Trent", news writes both ways), and the Saint / St. / St forms."""
    out = [name]
    f = fold(name)
    if f != name:
        out.append(f)
    for v in list(out):
        if v[:1].islower():
            out.append(v[:1].upper() + v[1:])
    for v in list(out):
        _add_saint_forms(v, out)
    for v in list(out):
        if _PARTICLE_GAP.search(v):
            twin = _PARTICLE_GAP.sub(lambda m: ("-" if m.group(1) == " " else " ") + m.group(2)
                                     + ("-" if m.group(1) == " " else " "), v)
            if twin not in out:
                out.append(twin)
    return out


def _add_saint_forms(v: str, out: list[str]) -> None:
    """Append the other Saint / St. / St spellings of ``v`` (if it starts with one) that ``out`` lacks."""
    for long, shorts in _SAINT_FORMS:
        for form in (long, *shorts):
            if v.startswith(form):
                rest = v[len(form):]
                out.extend(f + rest for f in (long, *shorts) if f != form and f + rest not in out)
                break
