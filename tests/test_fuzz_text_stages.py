"""Property-based tests for every stage that takes free text: each call finishes within a hard budget and keeps
the stage's invariants (spans inside the text, on the text they claim, the same output twice).

`make test` runs the short "ci" profile; `make fuzz` runs the "fuzz" profile by hand (see ``adversarial.py``).
Every failing example hypothesis found is kept below as an explicit ``@example`` regression.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from adversarial import bounded, free_text, paragraph_lists
from hypothesis import example, given
from hypothesis import strategies as st

from newsbeam.config import TaggingConfig
from newsbeam.dedup.rules import DedupSettings, MinHasher
from newsbeam.ingest.dates import parse_published
from newsbeam.ingest.encoding import BinaryError, UndecodableError, decode_bytes, repair_text
from newsbeam.ingest.formats.text import parse_text_article
from newsbeam.ingest.readers import IngestOptions, read_input
from newsbeam.ingest.sources import InputRef
from newsbeam.tags.tagger import Tagger
from newsbeam.text.language import article_languages, detect_lang
from newsbeam.text.paragraphs import clean_text, comparison_key, count_words, split_paragraphs

# The phrases real news hung the actor tagger with (a title followed by a possessive), kept as regressions.
HANG_PHRASES = [
    "The President's spokesman said the talks would resume.",
    "The Queen's grandson attended.",
    "He won the King's Cup in 2019.",
    "Sheriff's Lt. John Smith said deputies responded.",
    "the Chancellor's Budget was delayed.",
    "Pakistan's President's office said.",
    "President’s",
    "Minister's Minister's Minister's",
    "President' A",
    "Funds from the US President's malaria plan arrived.",  # the shape of the hang in a GeoVirus article
]


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.shared(TaggingConfig())


def _check_spans(paragraphs: list[str], rows: list[list[dict]], non_overlapping: bool) -> None:
    assert len(rows) == len(paragraphs)
    for text, row in zip(paragraphs, rows, strict=True):
        last_end = -1
        for m in sorted(row, key=lambda m: (m["start"], m["end"])):
            assert 0 <= m["start"] < m["end"] <= len(text), m
            assert text[m["start"] : m["end"]] == m["text"], m
            if non_overlapping:
                assert m["start"] >= last_end, (m, row)
            last_end = max(last_end, m["end"])


# --- Text clean-up ------------------------------------------------------------------------------------------------


@given(free_text)
@example("\r\n\r\n\u2028\u2029\x00\x85")
def test_split_paragraphs_terminates_and_is_stable(text):
    paras = bounded(split_paragraphs, text)
    assert paras == bounded(split_paragraphs, text)
    for p in paras:
        assert p and p == p.strip()
        assert "\n" not in p and "\x00" not in p
        assert clean_text(p) == p  # cleaning is idempotent on its own output


@given(free_text)
def test_comparison_key_and_words(text):
    key = bounded(comparison_key, text)
    assert key == bounded(comparison_key, text)
    assert bounded(count_words, key) >= 0


@given(st.binary(max_size=3000) | free_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
@example(b"\xff\xfe" + "The President's".encode("utf-16-le"))
@example(b"\xef\xbb\xbf\x00\x00\x00")
def test_decode_bytes_terminates(data):
    try:
        text, enc = bounded(decode_bytes, data)
    except (UndecodableError, BinaryError):
        return
    assert isinstance(text, str) and enc
    assert bounded(decode_bytes, data) == (text, enc)


@given(free_text)
def test_repair_text_terminates(text):
    out = bounded(repair_text, text)
    assert out == bounded(repair_text, text)


@given(free_text)
def test_language_terminates(text):
    paras = split_paragraphs(text) or [text]
    lang, langs = bounded(article_languages, paras)
    assert len(langs) == len(paras) and isinstance(lang, str)
    assert bounded(detect_lang, text) == detect_lang(text)


@given(free_text)
@example("Jan 32 2024 25:61 GMT+99")
def test_parse_published_terminates(text):
    dt, raw = bounded(parse_published, text)
    assert dt is None or dt.tzinfo is not None
    assert bounded(parse_published, text) == (dt, raw)


@given(free_text)
def test_minhash_terminates(text):
    h = MinHasher(DedupSettings())
    key = comparison_key(text)
    sh = bounded(h.shingles, key)
    sig = bounded(h.signature, sh)
    assert bounded(h.band_keys, sig) == h.band_keys(h.signature(h.shingles(key)))


# --- Readers ----------------------------------------------------------------------------------------------------


@given(free_text)
def test_text_header_parsing_terminates(text):
    header, title, body = bounded(parse_text_article, text)
    assert isinstance(header, dict) and isinstance(body, str)


def _ref(path: Path) -> InputRef:
    return InputRef(uri=str(path), open_uri=str(path), size=path.stat().st_size, mtime=None, etag=None,
                    key=str(path))


@pytest.mark.parametrize("ext", [".txt", ".jsonl", ".json", ".html", ".warc", ".dat"])
@given(text=free_text, wrap=st.sampled_from(["raw", "json", "html"]))
def test_readers_never_raise(tmp_path_factory, ext, text, wrap):
    if wrap == "json":
        body = (json.dumps({"text": text, "title": text[:40]}) + "\n" + text).encode("utf-8", "surrogatepass")
    elif wrap == "html":
        body = f"<html><head><title>{text[:50]}</title></head><body><p>{text}</p><p>{text}</p></body></html>"
        body = body.encode("utf-8", "surrogatepass")
    else:
        body = text.encode("utf-8", "surrogatepass")
    path = tmp_path_factory.mktemp("in") / f"input{ext}"
    path.write_bytes(body)
    events = bounded(lambda: list(read_input(_ref(path), IngestOptions())))
    for kind, value in events:
        assert kind in ("article", "reject", "count")
        if kind == "article":
            assert isinstance(value["text"], str)
        elif kind == "reject":
            assert value["reason"]


# --- Taggers ----------------------------------------------------------------------------------------------------


@given(paragraph_lists)
@example(HANG_PHRASES)
@example(["President' A"])  # found by the fuzz profile on eb3b4b1 (seed 1): a title, a bare apostrophe, a capital
@example(["The President's spokesman said."])
@example(["Sheriff's Lt. Col. Gen. Dr. Mr. Smith's"])
def test_tagger_terminates_with_valid_spans(tagger, paragraphs):
    paragraphs = [p for text in paragraphs for p in split_paragraphs(text)] or ["empty"]
    tags = bounded(tagger.tag_article, paragraphs, None, [True] * len(paragraphs))
    _check_spans(paragraphs, tags.places, non_overlapping=True)
    _check_spans(paragraphs, tags.actors, non_overlapping=True)
    again = bounded(tagger.tag_article, paragraphs, None, [True] * len(paragraphs))
    assert again.places == tags.places and again.actors == tags.actors and again.article == tags.article


@given(paragraph_lists)
def test_organisation_spans_inside_text(tagger, paragraphs):
    paragraphs = [p for text in paragraphs for p in split_paragraphs(text)] or ["empty"]
    spans = bounded(tagger.actors.organisation_spans, paragraphs)
    for text, row in zip(paragraphs, spans, strict=True):
        for s, e in row:
            assert 0 <= s < e <= len(text)


@pytest.mark.parametrize("phrase", HANG_PHRASES)
def test_title_possessive_regressions(tagger, phrase):
    """The loop real news hit: a title word followed by 's, in every position we know of."""
    for text in (phrase, f"Officials said {phrase}", f"{phrase} {phrase}", phrase.upper()):
        paragraphs = split_paragraphs(text)
        tags = bounded(tagger.tag_article, paragraphs, None, [True] * len(paragraphs), seconds=10)
        _check_spans(paragraphs, tags.actors, non_overlapping=True)


def _scan_whole_text(tagger, text: str) -> list[tuple[int, int, int]]:
    """The place scan as it was before windows: restart on the whole text after each rejected match (on the text
    a guarded automaton reads: see ``tags/trie_order.py``)."""
    from newsbeam.tags.trie_order import guarded_text, is_guarded

    pt = tagger.places
    if is_guarded(pt._auto):
        text = guarded_text(text)
    out, n, pos = [], len(text), 0
    while pos < n:
        restart = -1
        for end, kid in pt._auto.iter_long(text, pos):
            s = end - pt._klen[kid] + 1
            ok = not (s > 0 and (text[s - 1].isalnum() or text[s - 1] in "_@"))
            end += 1
            if ok and end < n:
                ok = not (text[end].isalnum() or text[end] == "_")
            if not ok:
                restart = s + 1
                break
            out.append((s, end, kid))
        if restart < 0:
            break
        pos = restart
    return out


@pytest.mark.parametrize("window", [1, 7, 64, 8192])
@given(text=free_text)
@example(text="The Dominican Republic and Quetta, Pakistan; New York New Yorkers York")
def test_windowed_place_scan_equals_whole_text_scan(tagger, window, text):
    import newsbeam.tags.places.matching as places_module

    text = " ".join([text] * 3)
    saved, places_module._WINDOW = places_module._WINDOW, window
    try:
        assert bounded(tagger.places._scan, text) == _scan_whole_text(tagger, text)
    finally:
        places_module._WINDOW = saved
