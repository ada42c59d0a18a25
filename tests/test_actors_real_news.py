"""Actors in sentences of the kind real news prints (issue #16): titles after a possessive or a nationality, "X
met Y", hyphenated and dotted titles, a code's country taken from the sentence before the article, untitled people
in reporting frames, and organisations no dictionary names.

Every case is one article (a list of paragraphs) with the tuples expected for its people or organisations:
(name, type, role, country, code). The sentences quoted in the issue come first in each group, then three variants
of our own with other names, titles and countries. Statements about office-holders are dated: ``DATE`` is the
article date at which each office was held as written (offices change; the tagger reads the role from the text,
so a later article naming another holder is read the same way).
"""

from __future__ import annotations

import pytest

from newsbeam.config import TaggingConfig
from newsbeam.tags.tagger import Tagger

DATE_2024 = "2024-06-15"  # Biden, Scholz, Guterres, Sunak-era cases
DATE_2025 = "2025-03-10"  # Murkomen, Badaru Abubakar, Lammy, Sharif, Zardari, Rutte, Starmer, Cooper

PEOPLE_CASES = [
    # --- a title after a possessive or a nationality -----------------------------------------------------------
    ("murkomen-issue", DATE_2025,
     ["Kenya's Interior Minister Kipchumba Murkomen said the curfew would stay in place.",
      "Officials in Nigeria reported a similar measure last year."],
     [("Kipchumba Murkomen", "PERSON", "interior minister", "KE", "KENGOV")]),
    ("badaru-issue", DATE_2025,
     ["Nigeria's Defence Minister Mohammed Badaru Abubakar visited troops in Maiduguri."],
     [("Mohammed Badaru Abubakar", "PERSON", "defence minister", "NG", "NGAGOV")]),
    ("lammy-issue", DATE_2025,
     ["Britain's Foreign Secretary David Lammy said the talks would continue."],
     [("David Lammy", "PERSON", "foreign secretary", "GB", "GBRGOV")]),
    ("forson-variant", DATE_2025,
     ["Ghana's Finance Minister Cassiel Ato Forson presented the budget in Accra."],
     [("Cassiel Ato Forson", "PERSON", "finance minister", "GH", "GHAGOV")]),
    ("gedion-variant", DATE_2025,
     ["Ethiopia's Foreign Minister Gedion Timothewos arrived in Nairobi on Sunday."],
     [("Gedion Timothewos", "PERSON", "foreign minister", "ET", "ETHGOV")]),
    ("demonym-variant", DATE_2025,
     ["Kenyan Interior Minister Kipchumba Murkomen visited Garissa."],
     [("Kipchumba Murkomen", "PERSON", "interior minister", "KE", "KENGOV")]),
    # --- "X met Y" ---------------------------------------------------------------------------------------------
    ("sharif-zardari-issue", DATE_2025,
     ["Prime Minister Shehbaz Sharif met President Asif Ali Zardari in Islamabad on Monday."],
     [("Shehbaz Sharif", "PERSON", "prime minister", "PK", "PAKGOV"),
      ("Asif Ali Zardari", "PERSON", "president", "PK", "PAKGOV")]),
    ("ruto-starmer-variant", DATE_2025,
     ["President William Ruto met Prime Minister Keir Starmer in Nairobi on Tuesday."],
     [("William Ruto", "PERSON", "president", "KE", "KENGOV"),
      ("Keir Starmer", "PERSON", "prime minister", "GB", "GBRGOV")]),
    ("zulum-oluyede-variant", DATE_2025,
     ["Governor Babagana Zulum met Chief of Army Staff Olufemi Oluyede in Maiduguri on Friday."],
     [("Babagana Zulum", "PERSON", "governor", "NG", "NGAGOV"),
      ("Olufemi Oluyede", "PERSON", "chief of army staff", "NG", "NGAMIL")]),
    ("dar-rubio-variant", DATE_2025,
     ["Foreign Minister Ishaq Dar met Secretary of State Marco Rubio in Washington."],
     [("Ishaq Dar", "PERSON", "foreign minister", "PK", "PAKGOV"),
      ("Marco Rubio", "PERSON", "secretary of state", "US", "USAGOV")]),
    # --- the sentence's country before the article's ----------------------------------------------------------
    ("biden-scholz-issue", DATE_2024,
     ["Militants attacked a checkpoint in Pakistan last week.",
      "President Joe Biden spoke to Chancellor Olaf Scholz by phone."],
     [("Joe Biden", "PERSON", "president", "US", "USAGOV"),
      ("Olaf Scholz", "PERSON", "chancellor", "DE", "DEUGOV")]),
    ("macron-meloni-variant", DATE_2024,
     ["A court in Pakistan adjourned the case.",
      "President Emmanuel Macron called Prime Minister Giorgia Meloni on Friday."],
     [("Emmanuel Macron", "PERSON", "president", "FR", "FRAGOV"),
      ("Giorgia Meloni", "PERSON", "prime minister", "IT", "ITAGOV")]),
    ("cooper-title-country-variant", DATE_2025,
     ["Flooding hit Pakistan again.", "Home Secretary Yvette Cooper announced new visa rules."],
     [("Yvette Cooper", "PERSON", "home secretary", "GB", "GBRGOV")]),
    ("lammy-title-country-variant", DATE_2025,
     ["Floods hit Sindh province in Pakistan.", "Foreign Secretary David Lammy pledged aid."],
     [("David Lammy", "PERSON", "foreign secretary", "GB", "GBRGOV")]),
    # --- titles with hyphens and dotted abbreviations ------------------------------------------------------------
    ("guterres-issue", DATE_2024,
     ["UN Secretary-General Antonio Guterres condemned the attack."],
     [("Antonio Guterres", "PERSON", "secretary-general", None, "IGO")]),
    ("rutte-variant", DATE_2025,
     ["NATO Secretary-General Mark Rutte said allies would respond."],
     [("Mark Rutte", "PERSON", "secretary-general", None, "IGO")]),
    ("tedros-variant", DATE_2024,
     ["WHO Director-General Tedros Adhanom Ghebreyesus warned of a cholera outbreak."],
     [("Tedros Adhanom Ghebreyesus", "PERSON", "director-general", None, "IGO")]),
    ("dotted-hyphen-variant", DATE_2024,
     ["Pakistan's army chief visited Quetta.",
      "Lt.-Gen. Ahmed Sharif Chaudhry told reporters the operation was over."],
     [("Ahmed Sharif Chaudhry", "PERSON", "lieutenant general", "PK", "PAKMIL")]),
    # --- untitled people in reporting frames ---------------------------------------------------------------------
    ("said-x", DATE_2025,
     ["Police in Lahore arrested a man.", "\"It is over,\" said Gedion Timothewos."],
     [("Gedion Timothewos", "PERSON", None, "PK", None)]),
    ("x-age-role", DATE_2025,
     ["Police in Lahore arrested a man.", "Kelechi Okonkwo, 32, a nurse, said the clinic was closed."],
     [("Kelechi Okonkwo", "PERSON", "nurse", "PK", "PAKHLH")]),
    ("according-to", DATE_2025,
     ["Police in Lahore arrested a man.", "The road is shut, according to Tariku Bekele, a trader."],
     [("Tariku Bekele", "PERSON", "trader", "PK", "PAKBUS")]),
]

AGENT_CASES = [
    # "the army said" in a story about Nigerian troops that mentions Pakistan: the story's own force, not PAKMIL.
    ("army-issue",
     ["Nigerian troops attacked a militant camp on Tuesday.", "The army said ten fighters died in the raid.",
      "Pakistan condemned the bombing in Quetta."],
     1, "army", ("SECURITY_FORCE", "NG", "NGAMIL")),
    ("troops-variant",
     ["Sudanese soldiers retook the bridge.", "The troops said the town was calm.", "Egypt hosted talks in Cairo."],
     1, "troops", ("SECURITY_FORCE", "SD", "SDNMIL")),
    ("police-variant",
     ["Kenyan police fired tear gas in Nairobi.", "The police said 20 people were held.",
      "Uganda closed its border at Busia."],
     1, "police", ("SECURITY_FORCE", "KE", "KENCOP")),
    ("soldiers-variant",
     ["Malian soldiers patrolled near Gao.", "The soldiers said the convoy was attacked.",
      "Niger and Burkina Faso sent envoys to Niamey."],
     1, "soldiers", ("SECURITY_FORCE", "ML", "MLIMIL")),
]

ORG_CASES = [
    # Acronyms no dictionary has, a team named after its home place, new head nouns, and a name after "of the".
    ("acronym", ["The ACLU sued the state, and the NCAA changed its rules."], ["ACLU", "NCAA"]),
    ("team", ["The Quetta Gladiators beat the Karachi Kings in Lahore."], ["Quetta Gladiators", "Karachi Kings"]),
    ("heads", ["She studied at Crescent City High School and signed with Virgin Records."],
     ["Crescent City High School", "Virgin Records"]),
    ("of-the", ["Professor Amina Yusuf of the Bayero University said the data were wrong."], ["Bayero University"]),
]
NOT_ORGS = [
    ["GDP grew as the CEO of the firm watched the DVD."],  # common non-organisation abbreviations
    ["BREAKING NEWS FROM THE CAPITAL"],  # a headline in capitals
    ["Troops were sent to the Golan Heights.", "Residents of Lahore left."],  # landform plural after a place
]


@pytest.fixture(scope="module")
def tag():
    tagger = Tagger(TaggingConfig(places=True, actors=True))

    def run(paragraphs: list[str]) -> list[list[dict]]:
        return tagger.tag_article(list(paragraphs), None, [True] * len(paragraphs)).actors

    return run


def _people(rows: list[list[dict]]) -> set[tuple]:
    return {(m["name"], m["type"], m["role"], m["country_code"], m["code"]) for row in rows for m in row
            if m["type"] == "PERSON"}


@pytest.mark.parametrize(("case", "date", "paragraphs", "expected"), PEOPLE_CASES, ids=[c[0] for c in PEOPLE_CASES])
def test_people_in_real_news_sentences(tag, case, date, paragraphs, expected):
    assert date  # the article date the offices are stated for
    got = _people(tag(paragraphs))
    for exp in expected:
        assert exp in got, (case, got)


@pytest.mark.parametrize(("case", "paragraphs", "para", "text", "expected"), AGENT_CASES,
                         ids=[c[0] for c in AGENT_CASES])
def test_unqualified_force_takes_the_storys_country(tag, case, paragraphs, para, text, expected):
    rows = tag(paragraphs)
    got = {m["text"]: (m["type"], m["country_code"], m["code"]) for m in rows[para]}
    assert got.get(text) == expected, (case, rows[para])


@pytest.mark.parametrize(("case", "paragraphs", "names"), ORG_CASES, ids=[c[0] for c in ORG_CASES])
def test_organisations_without_dictionary_entry(tag, case, paragraphs, names):
    got = {m["text"] for row in tag(paragraphs) for m in row if m["type"] == "ORGANIZATION"}
    for n in names:
        assert n in got, (case, got)


@pytest.mark.parametrize("paragraphs", NOT_ORGS)
def test_no_organisation_from_abbreviations_headlines_or_landforms(tag, paragraphs):
    got = [m["text"] for row in tag(paragraphs) for m in row if m["type"] == "ORGANIZATION"]
    assert got == []


def test_shared_surname_is_still_a_person_after_the_full_names(tag):
    """Two people share a surname: later bare mentions are a person (not linked to either); a mention before any
    full name is not (a company named after its founders)."""
    rows = tag(["Okafor Motors was founded in 1990.",
                "Chinedu Okafor runs the firm with his brother Emeka Okafor.",
                "Okafor said sales rose."])
    assert not any(m["text"] == "Okafor" and m["type"] == "PERSON" for m in rows[0])
    later = [m for m in rows[2] if m["text"] == "Okafor"]
    assert later and later[0]["type"] == "PERSON" and later[0]["name"] == "Okafor"


def test_given_name_links_to_the_one_person_who_has_it(tag):
    rows = tag(["Amina Bello, 12, was rescued from the rubble in Kano.", "Amina said she was hungry."])
    later = [m for m in rows[1] if m["text"] == "Amina"]
    assert later and later[0]["name"] == "Amina Bello"
