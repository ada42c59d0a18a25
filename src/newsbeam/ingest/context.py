"""The types every reading layer shares: options, the event shape, the reject path and the opened stream.

They live apart from ``readers`` so transports, record mapping and format readers can all use them without
importing the dispatcher (and without an import cycle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from newsbeam.ingest.sources import DEFAULT_ALLOWED_URL_PARAMS, InputRef, scrub_text

Event = tuple[str, Any]  # ("article", dict) | ("reject", dict) | ("count", counter name) | (SKIP, None)
SKIP = "skip"  # a record another part of the input keeps (slices.py); never leaves ``read_input``


@dataclass(frozen=True)
class IngestOptions:
    field_map: dict[str, str] = field(default_factory=dict)  # newsbeam field -> record field ("a.b" = nested)
    max_article_bytes: int = 20_000_000  # per article, decompressed
    retries: int = 3  # remote: retries after the first attempt
    timeout: float = 30.0  # remote: seconds per connection / read
    backoff: float = 0.5  # remote: sleep backoff * 2**k before retry k+1
    allowed_url_params: tuple[str, ...] = DEFAULT_ALLOWED_URL_PARAMS  # kept in the url column; the rest is secret


FIELDS = ("text", "id", "title", "url", "published", "source")  # the names field_map may map


class Problem(Exception):
    """A reason to reject, raised from deep inside a reader and turned into one reject where it is caught."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class ReadContext:
    """One input being read: its ref and options, the per-article cap, and the counters to emit at the end.

    ``part`` = (index, count) when the input is read in parts (``slices.py``): ``seen`` counts the records (articles
    and rejects) yielded so far, whether this part keeps them or not, so a reader can skip the work of a record that
    is not its part's (``owns_next``).
    """

    def __init__(self, ref: InputRef, opts: IngestOptions, part: tuple[int, int] = (0, 1)):
        self.ref, self.opts = ref, opts
        self.cap = opts.max_article_bytes
        self.counts: list[str] = []
        self.part_index, self.part_count = part
        self.seen = 0

    def owns_next(self) -> bool:
        """Whether the next record this input yields belongs to this part (always, for an input read whole)."""
        return self.seen % self.part_count == self.part_index

    def skip(self) -> Event:
        """What a reader yields instead of a record that is not this part's: it is counted, then dropped."""
        return SKIP, None

    def reject(self, location: str, reason: str, detail: str) -> Event:
        detail = scrub(" ".join(str(detail).split()), self.ref)[:500]
        return "reject", {
            "source_uri": self.ref.uri,
            "location": location,
            "input_key": self.ref.key,
            "reason": reason,
            "detail": detail,
        }


class Opened(NamedTuple):
    """An input after opening, decompression and sniffing: what a format reader gets."""

    src: Any  # the (decompressed) byte stream, ``peek`` still in front
    peek: bytes  # its first bytes (up to sniff.PEEK), already used to choose the format
    compression: str | None  # "gzip" | "bz2" | "zstd" | None, from the magic bytes
    size: int | None  # the stored object's size, when known
    web_url: str | None  # the input's own URL when fetched over HTTP(S): a one-article file's fallback URL


Reader = Callable[[ReadContext, Opened], Iterator[Event]]


def scrub(text: str, ref: InputRef) -> str:
    """No credentials in anything we store: the opened URI becomes the clean one, other URLs are stripped."""
    if ref.open_uri and ref.open_uri != ref.uri:
        text = text.replace(ref.open_uri, ref.uri)
    return scrub_text(text)
