"""The batch language identifier must give py3langid's answers bit for bit (it is a speed change only)."""

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbeam.text import langid_batch, language
from newsbeam.text.langid_batch import WINDOW, BatchIdentifier

_STOCK: list = []


def _stock():
    """An identifier exactly as py3langid makes it (float16 column-major table, its own walk)."""
    if not _STOCK:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        stock = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        stock.set_languages(sorted({c for c in stock.nb_classes if len(c) == 2}))
        _STOCK.append(stock)
    return _STOCK[0]


def test_the_installed_model_is_window_definite():
    """Proof of the property the batch walk rests on: after any WINDOW bytes the DFA is in one state, whatever
    state it started in. Follows the image of the whole state set under every byte string, as sets (strings that
    lead to the same set need not be followed twice), until every image is a single state."""
    bi = language._get_batch()
    nm, rb = bi.model.nextmove, bi.model.rowbase
    sets = [np.arange(len(rb))]
    for _depth in range(WINDOW):
        images: dict[bytes, np.ndarray] = {}
        for states in sets:
            img = nm[rb[states][:, None] + np.arange(256)[None, :]]
            varied = np.flatnonzero(img.min(axis=0) != img.max(axis=0))
            for b in varied:
                u = np.unique(img[:, b])
                images[u.tobytes()] = u
        sets = list(images.values())
    assert sets == []


def test_the_batch_path_is_in_use():
    bi = language._get_batch()
    assert bi._reset is not None  # the model has a reset byte and the start-up self-check passed


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
_NEWSISH = st.sampled_from([
    "Der Stadtrat stimmte am Mittwoch für den Bau einer neuen Umgehungsstraße.",
    "La policía detuvo a tres sospechosos tras el robo en el puerto.",
    "The ministry said the talks would resume in Geneva next month.",
    "Власти объявили эвакуацию жителей прибрежных районов.",
    "Le conseil municipal a voté le budget à l'unanimité.",
    "東京都は来週から新しい防災計画を実施すると発表した。",
    "\x00\x00",
    "",
])


@settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(_TEXT, _NEWSISH), min_size=0, max_size=12), st.booleans())
def test_batch_answers_equal_py3langid_one_by_one(texts, stock_walk):
    """Both walks (numpy batch; py3langid's loop, the fallback) and the scoring give the stock answers."""
    bi = language._get_batch()
    if stock_walk:
        bi = object.__new__(BatchIdentifier)
        bi.__dict__.update(language._get_batch().__dict__)
        bi._reset = None
    stock = _stock()
    assert bi.classify_many(texts) == [(lg, float(p)) for lg, p in map(stock.classify, texts)]


def test_model_table_is_the_fast_layout():
    """The float32 row-major feature table (a speed change: see langid_model) against py3langid's float16 one."""
    model = language._get_batch().model
    assert model.nb_ptc.dtype == np.float32 and model.nb_ptc.flags["C_CONTIGUOUS"]
    assert _stock().nb_ptc.dtype != np.float32


def test_counts_are_in_order_of_first_occurrence_like_py3langid():
    bi = language._get_batch()
    bufs = [langid_batch._encode(t) for t in ("abcabc xyz", "", "zzz abc", "\x00abc\x00")] * 40
    for mine, theirs in zip(bi._batch_counts(bufs), map(bi._stock_counts, bufs), strict=True):
        assert langid_batch._same(mine, theirs)


def test_a_batch_too_large_for_one_sort_key_is_counted_in_parts(monkeypatch):
    """Keys pack (text, feature, position) into an int64; a batch whose fields need more bits is split in halves
    (down to single texts) and must count exactly what py3langid counts."""
    bi = language._get_batch()
    texts = ["Die Regierung hat am Dienstag eine Reform angekündigt.", "", "x", "Le gouvernement a annoncé mardi."]
    bufs = [langid_batch._encode(t) for t in texts] * 9
    one_text = (bi._n_feats.bit_length() + (max(map(len, bufs)) + 1 + langid_batch.WINDOW).bit_length())
    monkeypatch.setattr(langid_batch, "_KEY_BITS", one_text)  # only single texts fit now
    for mine, theirs in zip(bi._batch_counts(bufs), map(bi._stock_counts, bufs), strict=True):
        assert langid_batch._same(mine, theirs)


def test_a_model_without_a_reset_byte_falls_back_to_the_stock_walk():
    """If no byte sends every state home, the batch walk would read across texts: it must not be used."""
    model = language._get_batch().model
    output = np.array(model.output)
    output[0] = 7  # the start state now counts a feature: joining texts would add counts
    assert BatchIdentifier(dataclasses.replace(model, output=output))._reset is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab É1_ ²Ⅻ語\u0301-"), max_size=200), st.integers(0, 120))
def test_enough_letters_is_the_plain_count(text, pad):
    """The letter test counts in two ``map`` passes; it must agree with counting letter by letter, around the
    threshold and the split point too."""
    text = "x" * pad + text
    assert language._enough_letters(text) == (sum(ch.isalpha() for ch in text) >= language.MIN_LETTERS)
