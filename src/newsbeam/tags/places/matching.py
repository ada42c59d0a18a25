"""Finding place names in a paragraph: one Aho-Corasick pass (longest match) over every gazetteer name, kept
only at word boundaries, and the wire dateline that may open an article ("QUETTA, Pakistan —")."""

from __future__ import annotations

import re

from newsbeam.tags.places.table import F_BLOCKER, F_DEMONYM, Gazetteer
from newsbeam.tags.trie_order import guarded_text, is_guarded

_PARTICLES = "of|the|and|de|del|du|da|do|dos|das|di|des|la|le|les|el|al|au|aux|en|es|sur|upon|on|am|an|im"
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# Wire datelines: "QUETTA, Pakistan —", "LAGOS (Reuters) -", "BAMAKO, March 2 (Reuters) -",
# "KYIV, Ukraine, March 2, 2026 (AP) —".
_DATELINE = re.compile(
    r"\s*([A-Z][A-Z'’.\-]+(?: [A-Z][A-Z'’.\-]+){0,3})"
    r"(?:,\s*(?!" + _MONTHS + r" \d)[A-Z][\w.’']*(?: (?:[A-Z][\w.’']*|" + _PARTICLES + r")){0,4})?"
    r"(?:,?\s*" + _MONTHS + r" \d{1,2}(?:,? \d{4})?)?"
    r"\s*(?:\([^)]{1,40}\)\s*)?"
    r"(?:[—–-]{1,2}|:)\s"
)
# "Port-Au-Prince" -> "Port-au-Prince", "Dar Es Salaam" -> "Dar es Salaam": particles inside an upper-case dateline.
_INNER_PARTICLE = re.compile(r"(?<=[ \-])(" + "|".join(w.capitalize() for w in _PARTICLES.split("|")) + r")(?=[ \-])")

# Characters the place automaton scans per call (see ``NameScanner.scan``).
_WINDOW = 8192


class NameScanner:
    """The automaton over all gazetteer names, and the key lengths that turn its match ends into spans."""

    def __init__(self, gaz: Gazetteer):
        self.auto = gaz.automaton
        self.klen = gaz.key_len
        self._longest = max(self.klen, default=1)
        self._flags = gaz.key_flags
        self._cands = gaz.key_cands
        self._guarded = is_guarded(self.auto)  # built with guard keys: texts go through ``guarded_text``

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        """Longest matches at word boundaries: (start, end, key id).

        The automaton's leftmost-longest pass consumes the text it matched, so a key that fails the word-boundary
        test ("The D" in "The Dominican Republic") would hide the real name behind it: after a rejected match the
        scan restarts one character after its start.

        The automaton is run over windows of ``_WINDOW`` characters (plus the longest key), not over the whole text
        from each restart: every call converts the string it is given, so restarting on a megabyte paragraph cost
        a megabyte per rejected match (quadratic). A match that starts in a window's last ``longest key``
        characters may be cut by the window's end, so it is left to the next window, which starts there.
        Invariant: every pass of the outer loop moves ``pos`` forward (past a rejected match's start, to a later
        match's start, or to the end of the window or of the last match taken).
        """
        if self._guarded:
            text = guarded_text(text)  # same length, same boundaries: only a sentinel becomes the stand-in
        out = []
        klen = self.klen
        n = len(text)
        span = _WINDOW + self._longest
        pos = 0
        while pos < n:
            window = text if pos == 0 and n <= span else text[pos : pos + span]
            last = pos + span >= n  # this window reaches the end of the text
            limit = len(window) if last else _WINDOW  # matches starting at or after this go to the next window
            nxt = pos + limit
            for end, kid in self.auto.iter_long(window):
                rel = end - klen[kid] + 1
                if rel >= limit:
                    nxt = pos + rel
                    break
                s = pos + rel
                e = pos + end + 1
                ok = True
                if s > 0:
                    c = text[s - 1]
                    ok = not (c.isalnum() or c == "_" or c == "@")
                if ok and e < n:
                    c = text[e]
                    ok = not (c.isalnum() or c == "_" or c == "$")  # "US$460 million", "HK$": a currency
                if not ok:
                    nxt = s + 1
                    break
                out.append((s, e, kid))
                nxt = max(nxt, e)
            else:
                if last:
                    break
            pos = nxt
        return out

    def dateline(self, text: str) -> tuple[int, int, int] | None:
        """The name a wire dateline opens with, as a match (start, end, key id), if the text starts with one."""
        m = _DATELINE.match(text)
        if not m or len(m.group(1)) < 3:
            return None
        raw = m.group(1)
        title = raw.title()
        for form in (title, _INNER_PARTICLE.sub(lambda p: p.group(1).lower(), title),
                     " ".join(w.capitalize() for w in raw.split(" ")), raw):
            form = form.replace("'S", "'s").replace("’S", "’s")
            kid = self.auto.get(form, -1)
            if kid >= 0 and self._cands[kid] and not self._flags[kid] & (F_BLOCKER | F_DEMONYM):
                return (m.start(1), m.end(1), kid)
        return None
