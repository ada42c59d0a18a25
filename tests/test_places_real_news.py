"""Places on the kinds of text real news is made of (issue #16): name-heavy sentences, short paragraphs, facilities
named after far-away places, places that name no town, demonyms, surnames that are also towns.

Each case goes through the production path a user gets: language labels (``article_languages``), then the tagging
pass (organisations, then places) on the paragraphs labelled English. Every sentence quoted in the issue is here
with its expected tuples, and three variants with other names and countries that we wrote.
"""

from __future__ import annotations

import pytest

from newsbeam.config import TaggingConfig
from newsbeam.tags.tagger import Tagger
from newsbeam.text.language import article_languages


@pytest.fixture(scope="module")
def tag():
    tagger = Tagger(TaggingConfig(places=True, actors=False))

    def run(*paragraphs: str) -> tuple[list[str], list[list[tuple]]]:
        paras = list(paragraphs)
        _, langs = article_languages(paras)
        tags = tagger.tag_article(paras, None, [lg == "en" for lg in langs])
        return langs, [[(m["text"], m["country_code"], m["kind"]) + (("demonym",) if m["demonym"] else ())
                        for m in ms] for ms in tags.places]

    return run


# -- name-heavy sentences: labelled English, places found ------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Prime Minister Shehbaz Sharif met President Asif Ali Zardari in Islamabad on Monday.",
     [("Islamabad", "PK", "city")]),
    ("President William Ruto met Prime Minister Musalia Mudavadi in Nairobi on Tuesday.", [("Nairobi", "KE", "city")]),
    ("Chancellor Olaf Scholz met President Emmanuel Macron in Berlin on Friday.", [("Berlin", "DE", "city")]),
    ("Prime Minister Narendra Modi met President Droupadi Murmu in New Delhi on Sunday.",
     [("New Delhi", "IN", "city")]),
])
def test_name_heavy_sentence_on_its_own(tag, text, expected):
    langs, places = tag(text)
    assert langs == ["en"]
    assert places == [expected]


# -- a facility named after a place elsewhere ------------------------------------------------------------------

@pytest.mark.parametrize("dateline,facility,expected", [
    ("MOGADISHU, Somalia — At least 12 people were killed when a car bomb exploded near a busy junction in the "
     "Somali capital on Saturday, police said.", "The wounded were taken to Madina hospital, a doctor there said.",
     [("MOGADISHU", "SO", "city"), ("Somalia", "SO", "country"), ("Somali", "SO", "country", "demonym")]),
    ("JUBA, South Sudan — Two people were killed when gunmen opened fire on a market in the capital, police said "
     "on Sunday.", "The injured were taken to Cairo hospital, a private clinic in the city.",
     [("JUBA", "SS", "city"), ("South Sudan", "SS", "country")]),
    ("ACCRA, Ghana — Thousands of supporters marched through the capital on Saturday, the organisers said.",
     "Later they gathered outside Wembley stadium in the east of the city.",
     [("ACCRA", "GH", "city"), ("Ghana", "GH", "country")]),
])
def test_facility_named_after_a_foreign_place_is_not_that_place(tag, dateline, facility, expected):
    langs, places = tag(dateline, facility)
    assert langs == ["en", "en"]
    assert places == [expected, []]


def test_facility_named_after_a_place_of_the_story_is_that_place(tag):
    _, places = tag("NAIROBI, Kenya — Three people died in a fire at a warehouse on Friday, the fire brigade said.",
                    "The injured were taken to a Mombasa hospital after the road reopened.")
    assert places == [[("NAIROBI", "KE", "city"), ("Kenya", "KE", "country")], [("Mombasa", "KE", "city")]]


# -- short paragraphs ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Valid one about Lagos, Nigeria.", [("Lagos", "NG", "city"), ("Nigeria", "NG", "country")]),
    ("A second one about Quetta, Pakistan.", [("Quetta", "PK", "city"), ("Pakistan", "PK", "country")]),
    ("News from Mombasa, Kenya on Monday.", [("Mombasa", "KE", "city"), ("Kenya", "KE", "country")]),
    ("Another one about Cusco, Peru.", [("Cusco", "PE", "city"), ("Peru", "PE", "country")]),
])
def test_short_text_alone_and_inside_an_english_article(tag, text, expected):
    langs, places = tag(text)
    assert (langs, places) == (["en"], [expected])
    lead = "The minister spoke to reporters in the capital after the meeting with donors, and said that more help was needed."
    langs, places = tag(lead, text)
    assert (langs, places) == (["en", "en"], [[], expected])


def test_results_and_lists_of_officials_inside_an_english_article(tag):
    langs, places = tag(
        "The ministry published the full list of winners on its website after the ceremony in the capital.",
        "Results: Kenya 2 Ghana 1, Nigeria 0 Senegal 3.",
        "Officials: Ali Raza (Lahore), Maria Lopez (Cebu), John Carter (Perth).",
    )
    assert langs == ["en", "en", "en"]
    assert places[1] == [("Kenya", "KE", "country"), ("Ghana", "GH", "country"), ("Nigeria", "NG", "country"),
                         ("Senegal", "SN", "country")]
    assert [p[:2] for p in places[2]] == [("Lahore", "PK"), ("Cebu", "PH"), ("Perth", "AU")]


def test_a_confident_other_language_paragraph_stays_untagged(tag):
    langs, places = tag(
        "The council said on Monday that the road would stay closed until the repairs were finished.",
        "Le président a rencontré le Premier ministre à Paris lundi.",
    )
    assert langs == ["en", "fr"] and places[1] == []


# -- places that name no town; demonyms; surnames; names of diseases, currencies, schools ----------------------

def test_continents_regions_seas_and_mountains(tag):
    _, places = tag("Aid was sent across Africa and the Middle East, to Darfur and to ships in the Mediterranean, "
                    "over the Himalayas.")
    assert places == [[("Africa", None, "continent"), ("Middle East", None, "region"), ("Darfur", "SD", "region"),
                       ("Mediterranean", None, "water"), ("Himalayas", None, "landform")]]


def test_demonyms_are_flagged_rows_with_their_country_and_no_point(tag):
    tagger = Tagger(TaggingConfig(places=True, actors=False))
    text = "Pakistani troops and Afghan officials met near the border in Balochistan, where Iranian traders work."
    rows = tagger.tag_article([text], None, [True]).places[0]
    assert [(r["text"], r["country_code"], r["demonym"]) for r in rows] == [
        ("Pakistani", "PK", True), ("Afghan", "AF", True), ("Balochistan", "PK", False), ("Iranian", "IR", True)]
    pak = rows[0]
    assert pak["name"] == "Pakistan" and pak["kind"] == "country" and pak["lat"] is None and pak["lon"] is None
    assert rows[2]["lat"] is not None


def test_surname_that_is_a_town_stays_the_person(tag):
    _, places = tag("The singer Annie Lennox spoke in Johannesburg on Friday.",
                    "Lennox said the money would go to clinics.",
                    "Later she flew from Johannesburg to Lennox, California.")
    assert places[0] == [("Johannesburg", "ZA", "city")]
    assert places[1] == []
    assert places[2][0] == ("Johannesburg", "ZA", "city") and places[2][1][:2] == ("Lennox", "US")


def test_diseases_currencies_and_schools_named_after_places(tag):
    _, places = tag("Cases of West Nile virus and Lassa fever rose after a US$460 million grant, teachers at "
                    "Franklin Elementary said.")
    assert places == [[]]


def test_local_story_resolves_by_its_state(tag):
    _, places = tag("Storms hit Texas on Sunday, and the National Weather Service said towns from Tyler to "
                    "Sherman were without power.", "In Paris, the county seat, the roof of the courthouse fell in.")
    assert ("Paris", "US", "city") in places[1]


# -- where a country or a region is put ------------------------------------------------------------------------

def _km(a, b):
    import math

    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.mark.parametrize("name,kind,centre,km", [
    ("United States", "country", (39.5, -98.5), 200),   # the middle of the lower 48, not Washington
    ("Australia", "country", (-25.5, 134.5), 200),       # not Canberra
    ("Russia", "country", (62.0, 97.0), 500),            # across the antimeridian: not in the Pacific
    ("Fiji", "country", (-17.5, 178.5), 300),
    ("France", "country", (46.5, 2.5), 150),             # French Guiana does not pull it into the Atlantic
    ("Texas", "admin1", (31.2, -99.5), 161),             # not Houston
    ("California", "admin1", (37.2, -119.5), 161),       # not Los Angeles
])
def test_countries_and_regions_stand_at_their_territory_centre(name, kind, centre, km):
    from newsbeam.tags.places import load_gazetteer

    g = load_gazetteer(())
    pts = [(g.ent_lat[i], g.ent_lon[i]) for i, n in enumerate(g.ent_name) if n == name and g.ent_kind[i] == kind]
    assert pts and _km(pts[0], centre) < km, pts
