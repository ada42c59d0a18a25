import pytest

from newsbeam.text import language
from newsbeam.text.language import detect_lang


@pytest.mark.parametrize(
    "text,lang",
    [
        ("Police said at least five people were hurt and the area was sealed off after the blast.", "en"),
        ("Le conseil municipal a voté mercredi un budget réduit pour l'année prochaine.", "fr"),
        ("Die Bundesregierung hat am Mittwoch überraschend neue Maßnahmen beschlossen.", "de"),
        ("Правительство объявило в среду о новых мерах поддержки экономики страны.", "ru"),
        ("政府周三宣布了支持经济的新措施。工会提出批评，要求提高大城市工人的工资。政府表示将继续评估。", "zh"),
        ("حکومت نے بدھ کے روز معیشت کی مدد کے لیے نئے اقدامات کا اعلان کیا۔ مزدور یونینوں نے تنقید کی۔", "ur"),
    ],
)
def test_languages(text, lang):
    assert detect_lang(text) == lang


@pytest.mark.parametrize("text", ["", "Short one.", "12345 67890 !!! ??? 2026-04-12", "a b c d e f g h i j"])
def test_too_few_letters(text):
    assert detect_lang(text) == "und"


def test_deterministic_and_two_letter_codes_only():
    text = "Flooding closed the main road into the city for the second time this month."
    assert {detect_lang(text) for _ in range(5)} == {"en"}
    assert all(len(c) == 2 for c in language._get_batch().model.classes)
    assert language._get_batch() is language._get_batch()


def test_article_languages_fast_path_and_mixed_paragraphs():
    english = "The council said on Monday that the road would stay closed until the repairs were finished."
    french = "Le maire a déclaré lundi que la route resterait fermée jusqu'à la fin des travaux de réparation."
    art, langs = language.article_languages([english, french, english, "Ends."])
    assert art == "en" and langs == ["en", "fr", "en", "en"]
    art, langs = language.article_languages([french, french])
    assert art == "fr" and langs == ["fr", "fr"]
    assert language.article_languages([]) == ("und", [])
    n, share = language.english_share(english)
    assert n == 16 and share >= language.FAST_MIN_SHARE
    assert language.english_share(french)[1] < language.FAST_MIN_SHARE


def test_english_share_from_comparison_key_agrees():
    from newsbeam.text.paragraphs import comparison_key

    for text in ("The council said on Monday that the road would stay closed, officials said.",
                 "Le maire a déclaré lundi que la route resterait fermée jusqu'à la fin des travaux."):
        n1, s1 = language.english_share(text)
        n2, s2 = language.english_share(text, comparison_key(text))
        assert abs(n1 - n2) <= 1 and abs(s1 - s2) < 0.02  # apostrophes split words in one, not the other


def test_name_heavy_english_on_its_own_is_english():
    """py3langid reads the names as Malay; it is not confident, and the sentence has English words."""
    text = "Prime Minister Shehbaz Sharif met President Asif Ali Zardari in Islamabad on Monday."
    assert language.classify(text)[0] != "en" and language.classify(text)[1] < language.CONFIDENT
    assert language.article_languages([text]) == ("en", ["en"])
    assert language.article_languages(["Valid one about Lagos, Nigeria."]) == ("en", ["en"])
    assert language.article_languages(["Short one."]) == ("und", ["und"])  # one English word is not enough


def test_english_article_keeps_short_and_name_heavy_paragraphs_english():
    lead = "The council said on Monday that the road would stay closed until the repairs were finished."
    art, langs = language.article_languages([lead, "Results: Kenya 2 Ghana 1, Nigeria 0 Senegal 3.",
                                             "Manchester United 2 Liverpool 1; Arsenal 0 Chelsea 0.",
                                             "Der Bundeskanzler traf am Montag den Präsidenten in Berlin."])
    assert art == "en" and langs == ["en", "en", "en", "de"]  # German is confident, so it stays German


def test_other_languages_on_their_own_are_unchanged():
    for text, lg in (("Le président a rencontré le Premier ministre à Paris lundi.", "fr"),
                     ("El presidente se reunió con el primer ministro en Madrid el lunes.", "es")):
        assert language.article_languages([text]) == (lg, [lg])


def test_repeated_texts_are_classified_once_with_the_same_answer():
    """News repeats short lines word for word; the model walks each only once per process (``CLASSIFY_CACHE``)."""
    texts = ["Le gouvernement a annoncé mardi une nouvelle réforme des retraites.",
             "Die Regierung hat am Dienstag eine neue Rentenreform angekündigt.", "ok"]
    fresh = [_stock_classify(t) for t in texts[:2]]
    language._answers.clear()
    first = [language.classify(t) for t in texts]
    hits, misses = language._answers.hits, language._answers.misses
    again = [language.classify(t) for t in texts]
    assert first[:2] == [(lg, float(p)) for lg, p in fresh] and first == again
    assert first[0][0] == "fr" and first[1][0] == "de" and first[2] == ("und", 0.0)
    assert (language._answers.hits, language._answers.misses) == (hits + 2, misses)  # "ok" is too short to ask


def test_answer_cache_keeps_the_most_recent_answers():
    cache = language._AnswerCache(2)
    cache.put("a", ("en", 1.0))
    cache.put("b", ("de", 1.0))
    assert cache.get("a") == ("en", 1.0)  # "a" is now the most recent
    cache.put("c", ("fr", 1.0))
    assert cache.get("b") is None and cache.get("a") == ("en", 1.0) and cache.get("c") == ("fr", 1.0)


def _stock_classify(text):
    """py3langid's own answer, from an identifier made as py3langid makes it."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    stock = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    stock.set_languages(sorted({c for c in stock.nb_classes if len(c) == 2}))
    return stock.classify(text)
