"""The group decision, written once: which paragraph of a duplicate group is canonical and what the others become.

Used by the pipeline (``DecideGroupsFn`` and ``ResolveNearFn``), by ``newsbeam compact``/``forget`` when a group
lost its canonical (``repair_group``), and by ``bench/near_dup_eval.py``.

The canonical order is (run rank, published (null last), article_id, para_index). In a run, the run rank is 0 for a
paragraph of an earlier published run (from the index) and 1 for a new one: the index does not record which earlier
run, and it holds only canonicals, so an exact group rarely has more than one old member. Maintenance sees every
member's run and ranks by its ``seq``: the same rule ("earlier runs stay canonical") with the earlier runs told apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

from newsbeam.dedup.contracts import CANON, COPY, Decision, NearVerdict, Ref
from newsbeam.dedup.rules import (
    DedupSettings,
    Member,
    Node,
    boilerplate_sources,
    canonical_of,
    order_key,
    pid,
    resolve_near,
)

Inc = Callable[..., None]  # a DoFn's counter: inc(name, n=1)


def canonical_order(run_rank: int, published_us: int | None, article_id: str, para_index: int) -> tuple:
    """The key whose minimum is a group's canonical (see the module docstring)."""
    return (run_rank, order_key(published_us, article_id, para_index))


def member_of(ref: Ref) -> Member:
    return Member(order=order_key(ref.published_us, ref.article_id, ref.para_index), shard=ref.shard or "",
                  source=ref.source or "", old=ref.old)


def node_of(text_hash: int, refs: Iterable[Ref], near_min_words: int) -> Node | None:
    """A text's node in the near-dup graph: its canonical among its refs long enough for near dedup (None if none)."""
    best = None
    for r in refs:
        if r.n_words < near_min_words:
            continue
        cand = canonical_order(0 if r.old else 1, r.published_us, r.article_id, r.para_index)
        if best is None or cand < best:
            best = cand
    if best is None:
        return None
    rank, order = best
    return Node(text_hash, tuple(order), rank == 0)


def near_verdicts(nodes: dict[int, Node], edges: list[tuple[int, int, float]]) -> Iterator[tuple[int, NearVerdict]]:
    """(text_hash, verdict) for every text of the near-dup graph that is a copy or the canonical of a copy.

    Copies come first, in text-hash order, then the canonicals that have copies, in text-hash order.
    """
    result = resolve_near(nodes, edges)
    canon_with_copies = set()
    for th, (canon, sim) in sorted(result.items()):
        c = nodes[canon]
        canon_with_copies.add(canon)
        yield th, NearVerdict(COPY, pid(c.order[1], c.order[2]), sim)
    for th in sorted(canon_with_copies):
        yield th, NearVerdict(CANON)


def decide_group(
    refs: Sequence[Ref], near: Sequence[NearVerdict], dedup: DedupSettings, inc: Inc
) -> Iterator[tuple[str, Decision]]:
    """One exact group (its refs) and its near verdicts -> (shard, decision) for every new paragraph needing one."""
    members = [member_of(r) for r in refs]
    new = [m for m in members if not m.old]
    if not new:
        return
    copies = [n for n in near if n.kind == COPY]
    is_near_canon = any(n.kind == CANON for n in near)
    canon = canonical_of(members)
    boiler = boilerplate_sources(members, dedup.boilerplate_min_articles) if len(members) > 1 else set()
    if copies:
        target, sim = copies[0].target, copies[0].similarity
        for m in new:
            b = m.source in boiler
            inc("paragraphs-near-duplicate")
            inc("paragraphs-boilerplate", int(b))
            yield m.shard, Decision(m.order[1], m.order[2], "near", target, target, float(sim), b)
        return
    has_copies = len(members) > 1 or is_near_canon
    for m in new:
        b = m.source in boiler
        inc("paragraphs-boilerplate", int(b))
        if m is canon:
            if has_copies:
                yield m.shard, Decision(m.order[1], m.order[2], None, None, m.pid, None, b)
        else:
            inc("paragraphs-exact-duplicate")
            inc("paragraphs-duplicate-of-earlier-run", int(canon.old))
            yield m.shard, Decision(m.order[1], m.order[2], "exact", canon.pid, canon.pid, 1.0, b)


class GroupMember(NamedTuple):
    """A published paragraph of a group being repaired (``repair_group``)."""

    article_id: str
    para_index: int
    text_hash: int
    n_words: int
    published_us: int | None
    run_seq: int
    text: str

    def order(self) -> tuple:
        return canonical_order(self.run_seq, self.published_us, self.article_id, self.para_index)


def repair_group(
    members: Sequence[GroupMember], similarity: Callable[[GroupMember, GroupMember], float | None],
    threshold: float, inc: Inc,
) -> list[Decision]:
    """A published group whose canonical is gone, resolved again: its earliest member becomes the canonical and each
    other member stays a copy only if it still matches that canonical (same text hash: exact; else
    ``similarity(member, canon)`` >= ``threshold``: near; ``similarity`` returns None where near dedup cannot apply).

    Decisions leave ``is_boilerplate`` as it was (False here; the caller does not write it): boilerplate depends on
    the group's sources, which forgetting changes only by removing members.
    """
    members = sorted(members, key=GroupMember.order)
    canon = members[0]
    cpid = pid(canon.article_id, canon.para_index)
    inc("groups-repaired")
    out, copies = [], []
    for m in members[1:]:
        if m.text_hash == canon.text_hash:
            copies.append(Decision(m.article_id, m.para_index, "exact", cpid, cpid, 1.0, False))
            continue
        sim = similarity(m, canon)
        if sim is not None and sim >= threshold:
            copies.append(Decision(m.article_id, m.para_index, "near", cpid, cpid, float(sim), False))
            continue
        # No longer a copy of anything we keep: it stands alone, as its own canonical.
        inc("paragraphs-no-longer-duplicate")
        out.append(Decision(m.article_id, m.para_index, None, None, None, None, False))
    out.append(Decision(canon.article_id, canon.para_index, None, None, cpid if copies else None, None, False))
    return out + copies
