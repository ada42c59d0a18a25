"""Country and region evidence: what the places of an article say about where it is, weighted by where they
stand (title, first paragraph) and how they are meant (metonymy, demonyms)."""

from __future__ import annotations

TITLE_WEIGHT = 2.0
FIRST_PARA_WEIGHT = 1.5
METONYMY_WEIGHT = 0.5
DEMONYM_WEIGHT = 0.5


class Evidence:
    """Country and region evidence, also kept per name so a name can be scored without its own evidence."""

    __slots__ = ("cev", "aev", "by_key")

    def __init__(self) -> None:
        self.cev: dict[str, float] = {}
        self.aev: dict[str, float] = {}
        self.by_key: dict[int, list[tuple[str, str | None, float]]] = {}

    def add(self, kid: int, cc: str, a1: str | None, w: float) -> None:
        if cc:
            self.cev[cc] = self.cev.get(cc, 0.0) + w
        if a1:
            self.aev[a1] = self.aev.get(a1, 0.0) + w
        self.by_key.setdefault(kid, []).append((cc, a1, w))

    def copy(self) -> Evidence:
        out = Evidence()
        out.cev, out.aev = dict(self.cev), dict(self.aev)
        out.by_key = {k: list(v) for k, v in self.by_key.items()}
        return out

    def excluding(self, kid: int) -> tuple[dict[str, float], dict[str, float]]:
        own = self.by_key.get(kid)
        if not own:
            return self.cev, self.aev
        cev, aev = dict(self.cev), dict(self.aev)
        for cc, a1, w in own:
            _take(cev, cc, w)
            _take(aev, a1, w)
        return cev, aev


def _take(ev: dict[str, float], key: str | None, w: float) -> None:
    if key is None or key not in ev:
        return
    left = ev[key] - w
    if left > 1e-9:
        ev[key] = left
    else:
        del ev[key]
