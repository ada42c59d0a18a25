import codecs
import random

import pytest

from newsbeam.ingest.encoding import BinaryError, UndecodableError, decode_bytes, repair_text

FRENCH = (
    "Le conseil municipal a voté mercredi un budget réduit pour l'année prochaine. "
    "Les élus de l'opposition ont critiqué la baisse des dépenses consacrées aux écoles."
)
POLISH = (
    "Rząd ogłosił w środę nowe przepisy dotyczące podatków. Związki zawodowe zapowiedziały protesty, "
    "a opozycja skrytykowała zmiany jako szkodliwe dla małych przedsiębiorstw w całym kraju."
)
RUSSIAN = "Правительство объявило в среду о новых мерах поддержки экономики. Профсоюзы выступили с критикой."
CHINESE = "政府周三宣布了支持经济的新措施。工会提出批评，要求提高大城市工人的工资。"


def test_ascii_and_utf8_fast_path():
    assert decode_bytes(b"plain words\n") == ("plain words\n", "utf-8")
    assert decode_bytes(FRENCH.encode()) == (FRENCH, "utf-8")
    assert decode_bytes(b"") == ("", "utf-8")


@pytest.mark.parametrize(
    "data,enc",
    [
        (codecs.BOM_UTF8 + "naïve café".encode(), "utf-8-sig"),
        ("naïve café".encode("utf-16"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + "naïve café".encode("utf-16-be"), "utf-16-be"),
        ("naïve café".encode("utf-32"), "utf-32-le"),
    ],
)
def test_bom(data, enc):
    assert decode_bytes(data) == ("naïve café", enc)


def test_utf16_without_bom():
    text = "A statement was issued late on Friday evening by the ministry.\n"
    assert decode_bytes(text.encode("utf-16-le")) == (text, "utf-16-le")
    assert decode_bytes(text.encode("utf-16-be")) == (text, "utf-16-be")


def test_latin1_pound_sign_is_pound():
    assert decode_bytes("The ticket costs £100 this year.".encode("latin-1")) == (
        "The ticket costs £100 this year.",
        "cp1252",
    )


def test_cp1252_punctuation_and_french():
    assert decode_bytes("He said “no” – twice…".encode("cp1252")) == ("He said “no” – twice…", "cp1252")
    assert decode_bytes(FRENCH.encode("latin-1")) == (FRENCH, "cp1252")


def test_central_european_and_cyrillic_and_cjk():
    assert decode_bytes(POLISH.encode("cp1250")) == (POLISH, "cp1250")
    assert decode_bytes(RUSSIAN.encode("cp1251")) == (RUSSIAN, "cp1251")
    assert decode_bytes(CHINESE.encode("gb18030")) == (CHINESE, "gb18030")


def test_declared_charset_is_used_when_not_utf8():
    assert decode_bytes(RUSSIAN.encode("koi8-r"), hint="koi8-r") == (RUSSIAN, "koi8-r")
    # A declared Latin-1 is read as Windows-1252, like browsers do.
    assert decode_bytes("“quoted”".encode("cp1252"), hint="iso-8859-1") == ("“quoted”", "cp1252")
    # Valid UTF-8 wins over a wrong declaration.
    assert decode_bytes("café".encode(), hint="iso-8859-1") == ("café", "utf-8")


def test_mojibake_is_repaired():
    # UTF-8 read as Windows-1252 (0x9D, undefined there, kept as U+009D as sloppy decoders do), saved as UTF-8.
    broken = "The cafÃ© said â€œhelloâ€\x9d"
    assert decode_bytes(broken.encode("utf-8"))[0] == "The café said “hello”"


def test_controls_removed_and_newlines_normalised():
    assert decode_bytes(b"a\x00b\x01c\r\nd\re\x0bf\x0cg\th")[0] == "abc\nd\ne\nf\ng\th"


def test_binary():
    with pytest.raises(BinaryError, match="NUL"):
        decode_bytes(random.Random(1).randbytes(4096))
    with pytest.raises(BinaryError, match="control"):
        decode_bytes(bytes([1, 2, 3, 4, 5, 6, 65, 66]) * 200)


def test_undecodable():
    rng = random.Random(2)
    with pytest.raises(UndecodableError):
        decode_bytes(bytes(b | 0x80 for b in rng.randbytes(3000)))


def test_repair_text_on_strings():
    assert repair_text("line\r\nnext\u2028same") == "line\nnext\u2028same"
    assert repair_text("lone \ud800 half") == "lone \ufffd half"
    assert repair_text("pair \ud83d\ude00") == "pair \U0001f600"
    assert repair_text("cafÃ©") == "café"
    assert repair_text("plain") == "plain"
