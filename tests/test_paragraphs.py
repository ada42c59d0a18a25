from hypothesis import given, settings
from hypothesis import strategies as st

from newsbeam.text.paragraphs import (
    BLANK_LINES,
    HARD_WRAPPED,
    LINE_PER_PARAGRAPH,
    clean_text,
    comparison_key,
    count_words,
    detect_layout,
    split_paragraphs,
    text_hash,
)

BLANK = "First paragraph runs here.\nIt continues on a second line.\n\nSecond paragraph.\n\n\nThird one."
PER_LINE = (
    "The council met on Monday to discuss the budget for next year.\n"
    "Members argued for three hours.\n"
    "A vote is expected next week, officials said."
)
WRAPPED = (
    "The provincial government said that the new checkpoints would stay in\n"
    "place until the end of the month, and that traders should expect secur-\n"
    "ity checks at every entrance to the old market.\n"
    "\n"
    "Shopkeepers said the measures had already cut the number of customers\n"
    "who travel from nearby villages on market days by almost half."
)
INDENTED = (
    "  The provincial government said that the new checkpoints would stay in\n"
    "place until the end of the month, and traders should expect more delays.\n"
    "  Shopkeepers said the measures had already cut the number of customers\n"
    "who travel from nearby villages on market days by almost a half, sadly."
)


def test_layouts_detected():
    assert detect_layout(BLANK) == BLANK_LINES
    assert detect_layout(PER_LINE) == LINE_PER_PARAGRAPH
    assert detect_layout(WRAPPED) == HARD_WRAPPED
    assert detect_layout(INDENTED) == HARD_WRAPPED


def test_blank_line_split_joins_wrapped_lines():
    assert split_paragraphs(BLANK) == [
        "First paragraph runs here. It continues on a second line.",
        "Second paragraph.",
        "Third one.",
    ]


def test_line_per_paragraph():
    assert len(split_paragraphs(PER_LINE)) == 3


def test_hard_wrapped_rejoins_hyphenated_words():
    paras = split_paragraphs(WRAPPED)
    assert len(paras) == 2
    assert "security checks" in paras[0]
    assert "\n" not in paras[0]


def test_indented_paragraph_starts():
    paras = split_paragraphs(INDENTED)
    assert len(paras) == 2
    assert paras[1].startswith("Shopkeepers said")


def test_windows_newlines():
    assert split_paragraphs("One.\r\n\r\nTwo.") == ["One.", "Two."]


def test_clean_text_removes_invisible_and_controls():
    assert clean_text("a\u200bb\u00adc \x07 d\t\te") == "abc d e"
    assert clean_text("Cafe\u0301") == "Café"


def test_comparison_key_ignores_punctuation_case_and_quotes():
    a = comparison_key("“We will not leave,” the mayor said — firmly.")
    b = comparison_key('"We will NOT leave" the mayor said, firmly')
    assert a == b == "we will not leave the mayor said firmly"
    assert text_hash(a) == text_hash(b)
    assert -(2**63) <= text_hash(a) < 2**63


def test_count_words():
    assert count_words("") == 0
    assert count_words("one two three") == 3


def _clean_text_reference(s: str) -> str:
    """clean_text as first written: NFC, every invisible character deleted, controls to spaces, spaces collapsed."""
    import unicodedata

    from newsbeam.text.paragraphs import _CONTROL, _INVISIBLE

    s = unicodedata.normalize("NFC", s).translate(_INVISIBLE)
    return " ".join(_CONTROL.sub(" ", s).split())


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u202a\u202b\u202c\u202d\u202e\x07\x1f\t\n äé€"))))
def test_clean_text_fast_paths_equal_the_reference(text):
    """The ASCII path and the "nothing invisible here" check are speed only: same text as the plain definition."""
    assert clean_text(text) == _clean_text_reference(text)


def test_punctuation_deletion_of_the_key_equals_the_table_on_every_code_point():
    """``comparison_key`` deletes punctuation with a bitmap regex for text below U+10000: the same code points as
    the table of every Unicode punctuation character (checked on all of them, not a sample)."""
    from newsbeam.text.paragraphs import _PUNCT_BMP, _PUNCT_TABLE

    every = "".join(chr(i) for i in range(0x10000) if not 0xD800 <= i < 0xE000)
    assert _PUNCT_BMP.sub("", every) == every.translate(_PUNCT_TABLE)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_comparison_key_equals_its_plain_definition(text):
    import unicodedata

    from newsbeam.text.paragraphs import _PUNCT_TABLE

    plain = " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_PUNCT_TABLE).split())
    assert comparison_key(text) == plain
