"""Conservation checks: every record a stage sends through a shuffle must arrive at the stage that reads it.

Why: Beam 2.77's in-process runner in ``multi_processing`` mode was seen here to lose elements of one shuffle
without any error (near-duplicate candidate pairs, 100 MB of text, 2 workers: 119 of 4,096 batches gone, a different
number each run), which made results depend on the worker count. Each shuffle therefore counts what its producers
send (``xfer-<name>-sent``) and what its consumers receive (``xfer-<name>-received``); a run whose counts differ is
not published. ``jobs`` then reruns it once with one worker (the in-process path, no data channel), and fails if even
that does not add up.
"""

from __future__ import annotations

from collections.abc import Mapping

# (what, sent counter, received counter, factor: received = factor x sent, only when near dedup is on)
CHECKS: tuple[tuple[str, str, str, int, bool], ...] = (
    ("rejects", "xfer-rejects-sent", "xfer-rejects-received", 1, False),
    ("paragraph references", "xfer-refs-sent", "xfer-refs-received", 1, False),
    ("shard ids", "xfer-shards-sent", "xfer-shards-received", 1, False),
    ("dedup decisions", "xfer-decisions-sent", "xfer-decisions-received", 1, False),
    ("final paragraph rows", "paragraphs", "xfer-paragraphs-final", 1, False),
    ("LSH band entries", "xfer-bands-sent", "xfer-bands-received", 1, True),
    ("shingle sets (first join)", "xfer-shingles-sent", "xfer-shingles-received-a", 1, True),
    ("shingle sets (second join)", "xfer-shingles-sent", "xfer-shingles-received-b", 1, True),
    ("candidate pairs", "xfer-pairs-sent", "xfer-pairs-received", 1, True),
    ("candidate pairs with shingles", "xfer-halves-sent", "xfer-halves-received", 1, True),
    ("verified edges", "near-candidates-verified", "xfer-edges-received", 1, True),
    ("edge ends", "near-candidates-verified", "xfer-edge-ends-received", 2, True),
    ("paragraph references (near nodes)", "xfer-refs-sent", "xfer-refs-received-nodes", 1, True),
    ("near nodes", "xfer-nodes-sent", "xfer-nodes-received", 1, True),
    ("near results", "xfer-near-sent", "xfer-near-received", 1, True),
)


def lost_in_transfer(counts: Mapping[str, int], near: bool) -> list[str]:
    """One line per shuffle whose received count differs from what was sent; empty when everything arrived."""
    out = []
    for what, sent_key, recv_key, factor, near_only in CHECKS:
        if near_only and not near:
            continue
        sent, received = counts.get(sent_key, 0) * factor, counts.get(recv_key, 0)
        if sent != received:
            out.append(f"{what}: {sent} sent, {received} received")
    return out
