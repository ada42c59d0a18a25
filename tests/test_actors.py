"""Actor tagging on our own sentences: people with roles and countries, organisations, acronyms, governments by
metonymy, unnamed agents, media, user dictionaries and the organisation spans that hide places."""

from __future__ import annotations

import pytest

from newsbeam.output.schema import ACTOR, ARTICLE_ACTOR
from newsbeam.tags.actors import ActorResult, ActorTagger
from newsbeam.tags.actors import rules as R
from newsbeam.tags.places import PlaceTagger, load_gazetteer


@pytest.fixture(scope="module")
def places() -> PlaceTagger:
    return PlaceTagger(load_gazetteer())


@pytest.fixture(scope="module")
def actors() -> ActorTagger:
    return ActorTagger()


def tag(actors: ActorTagger, places: PlaceTagger, *paras: str) -> tuple[ActorResult, object]:
    paras_l = list(paras)
    org = actors.organisation_spans(paras_l)
    pr = places.tag_article(paras_l, blocked=org)
    return actors.tag_article(paras_l, pr.mentions, pr.demonyms, pr.primary_country, org_spans=org), pr


def by_text(r: ActorResult, p: int = 0) -> dict[str, dict]:
    return {m["text"]: m for m in r.mentions[p]}


def brief(m: dict) -> tuple:
    return m["name"], m["type"], m["role"], m["country_code"], m["code"], m["actor_id"]


def test_pre_title_person_exact_mention(actors, places):
    text = "Interior Minister Farhan Saleem Chaudhry told reporters in Quetta, Pakistan, that five attackers died."
    r, _ = tag(actors, places, text)
    m = by_text(r)["Farhan Saleem Chaudhry"]
    assert set(m) == {f.name for f in ACTOR}
    assert (m["start"], m["end"]) == (18, 40) and text[18:40] == "Farhan Saleem Chaudhry"
    assert brief(m) == ("Farhan Saleem Chaudhry", "PERSON", "interior minister", "PK", "PAKGOV",
                        "farhan saleem chaudhry|PERSON|PK")
    assert r.counts["actors-person"] == 1 and r.counts["actors-person-country-from-article"] == 1


def test_possessive_gives_country(actors, places):
    r, _ = tag(actors, places, "Pakistan's foreign minister Ayesha Malik said talks with Kabul would go on.")
    assert brief(by_text(r)["Ayesha Malik"])[1:5] == ("PERSON", "foreign minister", "PK", "PAKGOV")


def test_demonym_title_and_apposition(actors, places):
    r, _ = tag(actors, places,
               "Nigerian Defence Minister Bello Garba visited Maiduguri on Friday.",
               "Ali Raza, the country's defence minister, said the army would stay in Borno.")
    assert brief(by_text(r, 0)["Bello Garba"])[2:5] == ("defence minister", "NG", "NGAGOV")
    assert brief(by_text(r, 1)["Ali Raza"])[2:5] == ("defence minister", "NG", "NGAGOV")


def test_spokesman_for_armed_group_takes_its_country_and_code(actors, places):
    r, _ = tag(actors, places, "Jeeyand Baloch, a spokesman for the BLA, said the fighters had withdrawn.")
    m = by_text(r)
    assert brief(m["Jeeyand Baloch"])[2:5] == ("spokesman", "PK", "PAKSEP")
    assert brief(m["BLA"]) == ("Balochistan Liberation Army", "ARMED_GROUP", "separatist armed group", "PK",
                               "PAKSEP", "bla")


def test_analyst_based_in_a_city(actors, places):
    r, _ = tag(actors, places, "“The group has changed tactics,” said Lahore-based security analyst Nadia Hameed.")
    assert brief(by_text(r)["Nadia Hameed"]) == ("Nadia Hameed", "PERSON", "security analyst", "PK", None,
                                                 "nadia hameed|PERSON|PK")


def test_surname_links_to_full_name(actors, places):
    r, _ = tag(actors, places,
               "Interior Minister Farhan Saleem Chaudhry visited Quetta in Pakistan on Monday.",
               "Chaudhry said the attackers had crossed from Afghanistan, and Chaudhry's deputy agreed.")
    later = [m for m in r.mentions[1] if m["type"] == "PERSON"]
    assert [(m["text"], m["start"], m["end"]) for m in later] == [("Chaudhry", 0, 8), ("Chaudhry", 62, 70)]
    assert {m["actor_id"] for m in later} == {"farhan saleem chaudhry|PERSON|PK"}
    assert later[0]["role"] == "interior minister"
    top = r.article_actors[0]
    assert (top["actor_id"], top["mentions"], top["code"]) == ("farhan saleem chaudhry|PERSON|PK", 3, "PAKGOV")
    assert r.counts["actors-surname-linked"] == 2


def test_title_with_surname_only(actors, places):
    r, _ = tag(actors, places, "In Nairobi, Kenya, President Ruto met protest leaders.")
    assert brief(by_text(r)["Ruto"])[:5] == ("Ruto", "PERSON", "president", "KE", "KENGOV")


def test_given_name_without_cue_and_false_friends(actors, places):
    r, _ = tag(actors, places,
               "Sarah Mitchell opened the shelter near Grace Church while Reading Borough Council met.")
    m = by_text(r)
    assert brief(m["Sarah Mitchell"]) == ("Sarah Mitchell", "PERSON", None, None, None, "sarah mitchell|PERSON|")
    assert "Grace Church" not in m
    assert m["Reading Borough Council"]["type"] == "ORGANIZATION"


def test_metonymy_government_shares_offsets_with_place(actors, places):
    text = "Islamabad has denied the allegations, and Kabul rejected them too."
    r, pr = tag(actors, places, text)
    meto = [(p["start"], p["end"]) for p in pr.mentions[0] if p["metonymy"]]
    govs = [m for m in r.mentions[0] if m["type"] == "GOVERNMENT"]
    assert meto == [(m["start"], m["end"]) for m in govs] == [(0, 9), (42, 47)]
    assert [brief(m) for m in govs] == [
        ("Pakistan", "GOVERNMENT", None, "PK", "PAKGOV", "pakistan|GOVERNMENT|PK"),
        ("Afghanistan", "GOVERNMENT", None, "AF", "AFGGOV", "afghanistan|GOVERNMENT|AF"),
    ]
    assert r.counts["actors-government-metonymy"] == 2


def test_the_government_joins_the_metonymy_actor(actors, places):
    r, _ = tag(actors, places, "Pakistan has rejected the report.", "The government said it would appeal.")
    ids = [m["actor_id"] for row in r.mentions for m in row if m["type"] == "GOVERNMENT"]
    assert ids == ["pakistan|GOVERNMENT|PK", "pakistan|GOVERNMENT|PK"]


def test_acronym_definition_links_later_mentions(actors, places):
    r, _ = tag(actors, places,
               "The Sahel Freedom Brigade (SFB) claimed the ambush near Gao in Mali.",
               "Residents said SFB fighters left before dawn.")
    first = by_text(r, 0)
    long, acr = first["Sahel Freedom Brigade"], first["SFB"]
    later = by_text(r, 1)["SFB"]
    assert brief(long) == ("Sahel Freedom Brigade", "ARMED_GROUP", None, "ML", "MLISEP",
                           "sahel freedom brigade|ARMED_GROUP|ML")
    assert acr["actor_id"] == later["actor_id"] == long["actor_id"]
    assert (later["start"], later["end"]) == (15, 18)
    assert r.counts["actors-acronym-linked"] == 2


def test_article_acronym_beats_dictionary_reading(actors, places):
    r, _ = tag(actors, places,
               "The Armed Forces of Mindanao (AFP) said its troops had secured the town in the Philippines.",
               "AFP units later withdrew.")
    assert by_text(r, 1)["AFP"]["actor_id"] == by_text(r, 0)["Armed Forces of Mindanao"]["actor_id"]
    r2, _ = tag(actors, places, "Residents told AFP that the shelling stopped.")
    assert brief(by_text(r2)["AFP"])[1:] == ("MEDIA", "news agency", "FR", "FRAMED", "afp")


def test_organisation_spans_block_places(actors, places):
    paras = ["The Balochistan Liberation Army said the Ministry of Interior had lied.", "No group was named."]
    spans = actors.organisation_spans(paras)
    assert spans == [[(4, 31), (41, 61)], []]
    pr = places.tag_article(paras, blocked=spans)
    assert pr.mentions[0] == [] and pr.n_blocked >= 1


def test_pattern_organisations_typed(actors, places):
    r, _ = tag(actors, places,
               "The Ghanaian Army and the Ministry of Interior said the Arakan Liberation Party and the "
               "Kano Traders Union had met in Abuja, Nigeria.")
    m = by_text(r)
    assert brief(m["Ghanaian Army"])[1:5] == ("SECURITY_FORCE", None, "GH", "GHAMIL")
    assert brief(m["Ministry of Interior"])[1:5] == ("GOVERNMENT", None, "NG", "NGAGOV")
    assert brief(m["Arakan Liberation Party"])[1:5] == ("ORGANIZATION", None, "NG", "NGAPTY")
    assert brief(m["Kano Traders Union"])[1:5] == ("ORGANIZATION", None, "NG", "NGALAB")  # a national union


def test_unnamed_agents(actors, places):
    text = ("Pakistani security forces surrounded the police station in Quetta while protesters gathered and "
            "militants fired on soldiers.")
    r, _ = tag(actors, places, text)
    got = [(m["text"], m["type"], m["country_code"], m["code"], m["actor_id"]) for m in r.mentions[0]]
    assert got == [
        ("Pakistani security forces", "SECURITY_FORCE", "PK", "PAKCOP", "security forces|SECURITY_FORCE|PK"),
        ("protesters", "GROUP", "PK", "PAKCVL", "protesters|GROUP|PK"),
        ("militants", "ARMED_GROUP", "PK", "PAKINS", "militants|ARMED_GROUP|PK"),
        ("soldiers", "SECURITY_FORCE", "PK", "PAKMIL", "military|SECURITY_FORCE|PK"),
    ]
    assert r.mentions[0][0]["start"] == 0 and r.counts["actors-unnamed-agent"] == 4


def test_media_and_dictionary_groups(actors, places):
    r, _ = tag(actors, places,
               "GOMA, Congo (Reuters) - M23 rebels and Hezbollah were discussed at the UN, Al Jazeera reported.")
    m = by_text(r)
    assert brief(m["Reuters"])[1:] == ("MEDIA", "news agency", "GB", "GBRMED", "reuters")
    assert brief(m["M23 rebels"])[1:] == ("ARMED_GROUP", "rebel group", "CD", "CODREB", "m23")
    assert brief(m["Hezbollah"])[4:] == ("LBNINS", "hezbollah")
    assert brief(m["UN"])[3:] == (None, "IGOUNO", "un")
    assert m["Al Jazeera"]["country_code"] == "QA"


def test_article_actors_rollup(actors, places):
    r, _ = tag(actors, places, "The BLA said it attacked Turbat in Pakistan.", "The BLA named Reuters as its source.")
    assert [a["actor_id"] for a in r.article_actors][:2] == ["bla", "reuters"]
    assert r.article_actors[0]["mentions"] == 2
    assert all(set(a) == {f.name for f in ARTICLE_ACTOR} for a in r.article_actors)
    assert r.counts["actors-armed-group"] == 2 and r.counts["actors-media"] == 1


def test_offsets_are_code_points(actors, places):
    text = "“Réfugiés” 🙂 — Interior Minister Farhan Saleem Chaudhry spoke in Pakistan."
    r, _ = tag(actors, places, text)
    for m in r.mentions[0]:
        assert text[m["start"] : m["end"]] == m["text"]
    assert "Farhan Saleem Chaudhry" in by_text(r)


def test_user_dictionary(tmp_path, places):
    f = tmp_path / "watch.yaml"
    f.write_text(
        "actors:\n"
        "  - {id: p-omar, name: Omar Siddiqui, aliases: [Siddiqui], type: PERSON, country: pk, code: PAKREB,"
        " role: commander}\n"
        "  - {id: g-tide, name: Red Tide Front, type: ARMED_GROUP, country: ML, code: MLIREB}\n",
        encoding="utf-8",
    )
    at = ActorTagger((str(f),))
    r, _ = tag(at, places, "Omar Siddiqui of the Red Tide Front was seen in Gao, Mali.", "Siddiqui fled.")
    m = by_text(r)
    assert brief(m["Omar Siddiqui"]) == ("Omar Siddiqui", "PERSON", "commander", "PK", "PAKREB", "p-omar")
    assert brief(m["Red Tide Front"])[1:] == ("ARMED_GROUP", None, "ML", "MLIREB", "g-tide")
    assert by_text(r, 1)["Siddiqui"]["actor_id"] == "p-omar"


@pytest.mark.parametrize(
    "content, reason",
    [
        ("actors: [{name: X Y}]\n", "type must be one of"),
        ("actors: [{name: X Y, type: PERSON, country: Narnia}]\n", "ISO 3166-1 alpha-2"),
        ("actors: [{name: X Y, type: PERSON, colour: red}]\n", "unknown field(s) colour"),
        ("actors: {name: [unclosed\n", "not valid YAML"),
        ("hello\n", "expected a list of actors"),
        ("actors: [{name: X Y, type: PERSON, code: pak-gov}]\n", "code must be upper-case"),
    ],
)
def test_bad_user_dictionary(tmp_path, content, reason):
    f = tmp_path / "bad.yaml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as e:
        ActorTagger((str(f),))
    assert reason in str(e.value) and "\n" not in str(e.value) and "bad.yaml" in str(e.value)


def test_missing_user_dictionary(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        ActorTagger((str(tmp_path / "nope.yaml"),))


def test_rules_codes_ids_and_classification():
    assert R.make_code("PK", "GOV") == "PAKGOV" and R.make_code(None, "GOV") is None
    assert R.make_code("PK", None) is None
    assert R.make_id("The Pakistan Army’s", "SECURITY_FORCE", "PK") == "pakistan army|SECURITY_FORCE|PK"
    assert R.country_name("RU") == "Russia" and R.country_name("IR") == "Iran"
    assert R.classify_org(["Kenya", "Defence", "Forces"], "Forces", "KE") == ("SECURITY_FORCE", "MIL")
    assert R.classify_org(["Kachin", "Independence", "Army"], "Army", None) == ("ARMED_GROUP", "SEP")
    assert R.classify_org(["National", "Liberation", "Army"], "Army", None) == ("ARMED_GROUP", "REB")
    assert R.classify_org(["State", "Bank", "of", "Pakistan"], "Bank", "PK") == ("GOVERNMENT", "GOV")
    assert R.classify_org(["Human", "Rights", "Council"], "Council", None) == ("ORGANIZATION", "HRI")


# -- governments by metonymy beyond speech verbs (places.py decides the flag) ----------------------------------


def _meto(places: PlaceTagger, *paras: str) -> dict[str, bool]:
    r = places.tag_article(list(paras))
    return {m["text"]: m["metonymy"] for ms in r.mentions for m in ms}


def test_metonymy_subject_with_auxiliary_modal_or_past(places):
    meto = _meto(places, "Lisbon was preparing a reply, and Chile would not sign the pact.",
                 "Nairobi had detained two activists. Peru suspended talks after Ecuador tightened its visa rules.",
                 "Kyiv has seen heavy shelling. Norway won the final.")
    assert meto == {"Lisbon": True, "Chile": True, "Nairobi": True, "Peru": True, "Ecuador": True,
                    "Kyiv": False, "Norway": False}


def test_metonymy_objects_sources_agents_and_coordination(places):
    meto = _meto(places, "Rebels signed a truce with Bangkok in March, ending a plan from Hanoi.",
                 "The summit was hosted by Qatar. Envoys kept pressing Tehran.",
                 "Canada and the United States have imposed new duties; the bloc urged Oslo and Stockholm to wait.")
    assert meto["Bangkok"] is True and meto["Qatar"] is True and meto["Tehran"] is True
    assert meto["Canada"] is True and meto["United States"] is True and meto["Oslo"] is True
    assert meto["Stockholm"] is True and meto.get("Hanoi") is False  # "a plan" is not one of the political acts
    r = places.tag_article(["He flew from Bangkok to Oslo, then stayed near Tehran with Canada-based aides."])
    assert not any(m["metonymy"] for m in r.mentions[0])


def test_metonymic_object_is_a_government_actor(actors, places):
    r, _ = tag(actors, places, "The bloc has warned Minsk over the border crossings.")
    assert brief(by_text(r)["Minsk"])[1:5] == ("GOVERNMENT", None, "BY", "BLRGOV")


# -- pattern organisations ---------------------------------------------------------------------------------------


def test_pattern_org_state_bodies_unions_and_police():
    assert R.classify_org(["Lusaka", "High", "Court"], "Court", None) == ("GOVERNMENT", "JUD")
    assert R.classify_org(["National", "Prosecution", "Service"], "Service", None) == ("GOVERNMENT", "JUD")
    assert R.classify_org(["Harbour", "Transit", "Authority"], "Authority", None) == ("GOVERNMENT", "GOV")
    assert R.classify_org(["Bank", "of", "Korea"], "Bank", "KR") == ("GOVERNMENT", "GOV")
    assert R.classify_org(["Bank", "of", "America"], "Bank", "US") == ("ORGANIZATION", "BUS")
    assert R.classify_org(["Ghana", "Trades", "Congress"], "Congress", "GH") == ("ORGANIZATION", "LAB")
    assert R.classify_org(["Malawi", "Police", "Service"], "Service", "MW") == ("SECURITY_FORCE", "COP")
    assert R.classify_org(["Police", "Federation"], "Federation", None) == ("ORGANIZATION", "LAB")
    assert R.classify_org(["State", "Security", "Service"], "Service", None) == ("SECURITY_FORCE", "SPY")


def test_pattern_org_takes_article_country_unless_international(actors, places):
    r, _ = tag(actors, places, "The Nkhata Group and the International Rice Council met in Lilongwe, Malawi.")
    m = by_text(r)
    assert brief(m["Nkhata Group"])[1:5] == ("ORGANIZATION", None, "MW", "MWIBUS")
    assert brief(m["International Rice Council"])[3] is None


# -- unnamed agents ----------------------------------------------------------------------------------------------


def test_new_agents_and_qualified_agents(actors, places):
    r, _ = tag(actors, places,
               "Farmers and traders in Tamale, Ghana, said detectives questioned two drivers.",
               "Ghanaian forces and Togolese officials met, but his forces and officials stayed away.",
               "Reporters saw workers return.")
    m0, m1, m2 = by_text(r, 0), by_text(r, 1), by_text(r, 2)
    assert brief(m0["Farmers"])[1:5] == ("GROUP", None, "GH", "GHACVL")
    assert brief(m0["traders"])[1:5] == ("GROUP", None, "GH", "GHABUS")
    assert brief(m0["detectives"])[1:5] == ("SECURITY_FORCE", None, "GH", "GHACOP")
    assert brief(m0["drivers"])[1] == "GROUP"
    assert brief(m1["Ghanaian forces"])[1:5] == ("SECURITY_FORCE", None, "GH", "GHAMIL")
    assert brief(m1["Togolese officials"])[1:5] == ("GOVERNMENT", None, "TG", "TGOGOV")
    assert "forces" not in m1 and "officials" not in m1
    assert brief(m2["Reporters"])[3:5] == (None, None)  # whose journalists the text does not say
    assert brief(m2["workers"])[4] == "GHALAB"


def test_member_noun_and_group_code_in_sentence(actors, places):
    r, _ = tag(actors, places, "Fighters from the Kachin Independence Army shelled a post near Myitkyina, Myanmar.",
               "Arakan Army fighters held the bridge.")
    m0, m1 = by_text(r, 0), by_text(r, 1)
    assert brief(m0["Fighters"])[3:5] == ("MM", "MMRREB")  # the dictionary's code for the KIA
    assert "fighters" not in m1 and "Arakan Army" in m1


def test_legislatures_as_agents(actors, places):
    r, _ = tag(actors, places, "The Senate and parliament in Dodoma, Tanzania, debated the bill.")
    m = by_text(r)
    assert brief(m["Senate"])[1:5] == ("GOVERNMENT", None, "TZ", "TZALEG")
    assert brief(m["parliament"])[1:5] == ("GOVERNMENT", None, "TZ", "TZALEG")


# -- people ------------------------------------------------------------------------------------------------------


def test_role_before_comma_as_role_and_counterpart(actors, places):
    r, _ = tag(actors, places,
               "Chile's foreign minister Ana Lobos met her Peruvian counterpart Tomas Quispe in Lima.",
               "The provincial governor, Marta Ruiz, said lawmakers confirmed Paolo Venn as finance minister.")
    m0, m1 = by_text(r, 0), by_text(r, 1)
    assert brief(m0["Tomas Quispe"])[2:5] == ("foreign minister", "PE", "PERGOV")
    assert brief(m1["Marta Ruiz"])[2] == "governor"
    assert brief(m1["Paolo Venn"])[2] == "finance minister"


def test_name_before_speech_verb_and_suffix_link(actors, places):
    r, _ = tag(actors, places, "Zorba Kentwell said the port in Mombasa, Kenya, would reopen.",
               "Tobi Manzi Okafor told traders to wait.", "Manzi Okafor added that fees would fall.")
    m0 = by_text(r, 0)
    assert brief(m0["Zorba Kentwell"])[1:4] == ("PERSON", None, "KE")
    assert by_text(r, 2)["Manzi Okafor"]["actor_id"] == by_text(r, 1)["Tobi Manzi Okafor"]["actor_id"]


def test_people_of_international_bodies_and_country_roles(actors, places):
    r, _ = tag(actors, places, "Lena Ekdal, the UN special rapporteur on Laos, visited Vientiane, Laos.")
    assert brief(by_text(r)["Lena Ekdal"])[2:5] == ("special rapporteur", None, "IGO")
    r, _ = tag(actors, places, "Home Secretary Dana Crowe said the Police Federation was consulted.")
    m = by_text(r)
    assert brief(m["Dana Crowe"])[2:5] == ("home secretary", "GB", "GBRGOV")
    assert brief(m["Police Federation"])[1:5] == ("ORGANIZATION", None, "GB", "GBRLAB")


def test_official_takes_acting_government_before_him(actors, places):
    r, _ = tag(actors, places, "Moscow fired missiles at Kyiv and Lviv overnight, Russian officials said.",
               "Kyiv said three people died. President Oleh Danko urged allies to send air defences.")
    assert brief(by_text(r, 1)["Oleh Danko"])[3:5] == ("UA", "UKRGOV")


def test_surname_without_arabic_article_links(actors, places):
    r, _ = tag(actors, places, "General Kamal al-Zubeidi, the army chief, spoke in Khartoum, Sudan.",
               "Zubeidi said the offensive would continue.")
    assert by_text(r, 1)["Zubeidi"]["name"] == "Kamal al-Zubeidi"


def test_wire_credit_lines_tag_no_one(actors, places):
    res, _ = tag(
        actors, places,
        "Interior Minister Ali Raza said the road would reopen on Friday.",
        "Reporting by Amadou Traore in Bamako and Lena Fischer in Dakar; Editing by Mark Heinrich",
        "(Additional reporting by Sara Khan in Karachi; Writing by Tom Hale)",
    )
    assert [m["name"] for m in res.mentions[0]] == ["Ali Raza"]
    assert res.mentions[1] == [] and res.mentions[2] == []
    assert res.counts["actors-credit-line-skipped"] == 2


# -- generic news: companies, cues, business heads -------------------------------------------------------------


def test_company_dictionary_beats_given_name_person(actors, places):
    r, _ = tag(actors, places, "Wells Fargo and Morgan Stanley trimmed forecasts, while Nvidia and BYD rose.")
    got = {t: brief(m)[1:5] for t, m in by_text(r).items()}
    assert got["Wells Fargo"] == ("ORGANIZATION", None, "US", "USABUS")
    assert got["Morgan Stanley"] == ("ORGANIZATION", None, "US", "USABUS")
    assert got["BYD"] == ("ORGANIZATION", None, "CN", "CHNBUS")


def test_eu_central_bank_is_international_and_its_president_too(actors, places):
    r, _ = tag(actors, places, "In Frankfurt, ECB President Christine Lagarde said the European Central Bank would wait.")
    got = by_text(r)
    assert brief(got["European Central Bank"])[1:5] == ("ORGANIZATION", None, None, "IGO")
    assert brief(got["Christine Lagarde"])[3:5] == (None, "IGO")


def test_executive_takes_company_country_not_article_country(actors, places):
    r, _ = tag(actors, places, "In Berlin, Tesla chief Elon Musk met German officials about the plant.")
    assert brief(by_text(r)["Elon Musk"])[1:5] == ("PERSON", "chief", "US", "USABUS")


def test_one_word_company_after_given_name_is_a_surname(actors, places):
    r, _ = tag(actors, places, "Premier Doug Ford said the Ford plant would stay open.")
    got = by_text(r)
    assert got["Doug Ford"]["type"] == "PERSON"
    assert got["Ford"]["type"] == "ORGANIZATION"


def test_company_name_before_landform_noun_is_not_a_company(actors, places):
    text = "Fires in the Amazon rainforest spread, Amazon said it would donate money."
    r, _ = tag(actors, places, text)
    orgs = [m["start"] for m in r.mentions[0] if m["type"] == "ORGANIZATION"]
    assert orgs == [text.index("Amazon said")]


def test_longer_pattern_name_wins_over_dictionary_company_inside(actors, places):
    r, _ = tag(actors, places, "Toyota Motor Corp and the Peoples Democratic Party of Nigeria both issued statements.")
    got = by_text(r)
    assert brief(got["Toyota Motor Corp"])[1:5] == ("ORGANIZATION", None, "JP", "JPNBUS")
    pdp = got["Peoples Democratic Party of Nigeria"]
    assert pdp["country_code"] != "US" and pdp["code"].endswith("PTY")


def test_corporate_suffixes_and_governing_head():
    assert {"Inc.", "LLC", "GmbH", "Capital", "Motors", "Club"} <= R.WEAK_HEADS
    assert R.ORG_HEADS["GmbH"] == ("ORGANIZATION", "BUS") and R.ORG_HEADS["News"] == ("MEDIA", "MED")
    from newsbeam.tags.actors.rules import governing_head
    words = "Ministry of Energy".split()
    assert governing_head(words, [0, 2], 2) == "Ministry"
    assert governing_head("Halvard Energy".split(), [1], 1) == "Energy"


def test_unknown_companies_by_suffix(actors, places):
    r, _ = tag(actors, places, "Orsolin Capital Partners bought a stake, and Brenner Logistics GmbH sold its unit.",
               "The European Automobile Manufacturers' Association published the figures.")
    got = by_text(r)
    assert brief(got["Orsolin Capital Partners"])[1] == "ORGANIZATION"
    assert brief(got["Brenner Logistics GmbH"])[1] == "ORGANIZATION"
    assert "European Automobile Manufacturers' Association" in by_text(r, 1)


def test_context_cues_make_unknown_names_companies(actors, places):
    r, _ = tag(actors, places,
               "Shares in Velmora jumped after the deal. Quintrell, the battery maker, said output would double.",
               "Sarah Oduya, an analyst at Pellham Ridge, said Velmora shares were cheap. Tarsk said in a statement "
               "it had no plans to sell.",
               "Members of the Korvan union voted to strike against Quintrell.")
    p0, p1, p2 = by_text(r, 0), by_text(r, 1), by_text(r, 2)
    assert p0["Velmora"]["type"] == "ORGANIZATION"
    assert p0["Quintrell"]["type"] == "ORGANIZATION"
    assert p1["Pellham Ridge"]["type"] == "ORGANIZATION" and p1["Velmora"]["type"] == "ORGANIZATION"
    assert p1["Tarsk"]["type"] == "ORGANIZATION"
    assert p1["Sarah Oduya"]["type"] == "PERSON" and p1["Sarah Oduya"]["role"] == "analyst"
    assert p2["Korvan"]["type"] == "ORGANIZATION" and p2["Quintrell"]["type"] == "ORGANIZATION"
    assert r.counts["actors-cue"] >= 5


def test_context_cues_leave_places_people_and_markets_alone(actors, places):
    r, _ = tag(actors, places,
               "Shares in Tokyo fell as Asian shares slid. Maria Keller said in a statement she would resign.",
               "Keller said in a statement that the talks were over.")
    assert all(m["type"] != "ORGANIZATION" for row in r.mentions for m in row)
    assert by_text(r, 1)["Keller"]["type"] == "PERSON"


def test_title_before_statement_cue_and_weekday_after_head(actors, places):
    r, _ = tag(actors, places, "Police spokeswoman Hadiza Okafor said in a statement that two men were held.",
               "Reporters gathered at the Press Club on Sunday.")
    assert by_text(r, 0)["Hadiza Okafor"]["type"] == "PERSON"
    assert "Press Club" in by_text(r, 1)


def test_fast_name_sequence_pattern_matches_its_plain_definition():
    """SEQ_RE is written for speed; it must find exactly what the plain definition in actors/rules.py finds."""
    import re
    from pathlib import Path

    from newsbeam.tags.actors import rules as R

    plain = re.compile(
        rf"(?=[{R.UPPER}])(?<![\w'’.\-]){R.NAME_TOK}"
        rf"(?:(?: (?:{'|'.join(re.escape(c) for c in R.CONNECTORS)}))* {R.NAME_TOK})+"
    )
    texts = [
        "Interior Minister Ahmed al-Rashid and U.N. envoy J. K. Osei met in New York's Upper East Side.",
        "O'Neill’s Bank of the West, Smith-Jones & Co and the Ministry of Defence of Mali said.",
        "x-Ray Team, .Net Corp, 'Quoted Name' and Anne-Marie Dupont de la Tour ud-Din Khan.",
        "BLA (Balochistan Liberation Army) — A B C D said; Chaudhry said The End.",
    ]
    root = Path(__file__).resolve().parent.parent / "sample_corpus"
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.rglob("*.txt"))]
    for t in texts:
        assert [m.span() for m in R.SEQ_RE.finditer(t)] == [m.span() for m in plain.finditer(t)]


def test_case_forms_title_case_across_hyphens_and_dotted_abbreviations():
    from newsbeam.tags.actors.dictionary import case_forms

    assert "Secretary-General" in case_forms("secretary-general")
    assert "Director-General" in case_forms("director-general")
    assert "Lt.-Gen." in case_forms("Lt. Gen.")


def test_titles_joined_across_connectors_and_always_advances():
    from newsbeam.tags.actors import people as P

    text = "Chief of Army Staff Olufemi Oluyede"
    pieces = [[(0, 5)], [(9, 13), (14, 19), (20, 27), (28, 35)]]
    joined = P._titles_joined(pieces, {0: (19, 0)})
    assert joined == [[(0, 5), (9, 13), (14, 19), (20, 27), (28, 35)]]
    assert text[joined[0][-1][0]:joined[0][-1][1]] == "Oluyede"
    # a role ending inside the first piece joins nothing; a role start that is not a piece start is ignored
    assert P._titles_joined(pieces, {0: (5, 0)}) == pieces
    assert P._titles_joined(pieces, {9: (40, 0)}) == pieces
