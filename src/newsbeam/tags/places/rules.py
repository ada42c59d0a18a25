"""The place tagger's rules about words: which words around a name make it a place, part of a person's or an
organisation's name, or a sentence start, and the gates that keep everyday words and names of people from firing
without place context."""

from __future__ import annotations

from newsbeam.tags.places.candidate import Candidate
from newsbeam.tags.places.table import F_COMMON, F_FIRSTNAME, F_HARD, F_USER

LIST_GAPS = frozenset((", ", " and ", " or ", ", and ", ", or ", " & "))
SENT_END = frozenset(".!?\"“”'‘’([{:;—–-•|")
PREPOSITIONS = frozenset(
    "in near at from to outside into across around toward towards via throughout within through between "
    "visited visiting entered reached leaving left fled outskirts suburb suburbs north south east west "
    "northern southern eastern western central".split()
)
# Capitalised at a sentence start these still announce a place ("In Reading, ..."); "Central" does not.
CAPITAL_PREPOSITIONS = frozenset("In Near At From Outside Inside Across Around Throughout Within Via".split())
# Capitalised words that may stand right before a place without making it part of another name.
PREFIX_OK = frozenset(
    "The A An In At On From To Near For By With And But Or Of Outside Inside Across Around Across Central Greater "
    "Northern Southern Eastern Western Northeastern Northwestern Southeastern Southwestern North South East West "
    "Upper Lower Inner Outer Metropolitan Downtown Rural Urban Coastal Occupied Mainland Suburban Old Historic "
    "Neighbouring Neighboring Nearby Restive Troubled Oil-rich Impoverished When While After Before Since During "
    "Like Unlike Both Between Including Also Only Even Until As If Although Though Where Why How What Who Whose "
    "Despite Amid Among Against Beyond Through Throughout Toward Towards Via Within Without Under Over Meanwhile "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December Today Yesterday Tonight Then Now Here There This That These Those Our "
    "Their His Her Its My Your We They He She It I Many Most Some All Every Each Several Few Other Another Such "
    "Rural-urban Post-war Pre-war Wartime Modern Ancient Medieval Colonial Soviet-era Independent".split()
)
TITLES = frozenset(
    "Mr Mr. Mrs Mrs. Ms Ms. Miss Dr Dr. Sir Dame Lord Lady Gen. Gen Lt. Col. Maj. Capt. Sgt. Sen. Rep. Gov. "
    "Prof. Prof President Senator Governor Judge Justice Prince Princess King Queen Sheikh Imam Father Pope "
    "Minister Secretary Ambassador Chancellor Mayor Coach Officer Inspector Commander General Colonel Captain "
    "Saint-".split()
)
# "the town of X", "residents of X": the noun before "of" says a place follows.
PLACE_NOUNS_OF = frozenset(
    "town towns city cities village villages hamlet suburb suburbs outskirts capital port island islands "
    "province provinces state states region regions district districts county counties municipality "
    "neighbourhood neighborhood parts residents people mayor governor streets centre center heart edge "
    "north south east west northeast northwest southeast southwest".split()
)
# Nouns that name an administrative unit, before "of" ("the state of Borno") or after the name ("Borno state",
# "Washington state", "York and Lebanon counties"): the unit reading is meant, not the city or the country.
UNIT_NOUNS = frozenset(
    "state states province provinces region regions oblast governorate county counties district districts "
    "prefecture parish department".split()
)
# Lower-case geographic nouns right after a name ("the Swat valley", "the Reading area") say it is a place.
GEO_AFTER = UNIT_NOUNS | frozenset("valley area border coast basin countryside city town village suburbs".split())
# Capitalised words that, right after a place name, make it part of the name of something else: a natural
# feature ("Columbia River"), a street, or an organisation ("Balochistan Liberation Army", "New York Times",
# "Birmingham City Council"). Places that really end in such a word ("Kansas City") are gazetteer keys and are
# matched whole, so they never reach this test.
FEATURE_HEADS = frozenset(
    "River Rivers Lake Lakes Mountains Mountain Mount Hills Island Islands Sea Ocean Strait Straits Gulf Bay "
    "Desert Canal Dam Peninsula Street Road Avenue Boulevard Highway Motorway Expressway "
    # Facilities named after a place or a sponsor ("the Emirates Stadium", "Jinnah International Airport").
    "Stadium Arena Airport International Hospital Hotel Prison Palace Cathedral Mosque".split()
)
# Lower-case facility nouns right after a name ("Madina hospital", "Kenyatta airport"): the facility may be named
# after a place far away (Madina hospital is in Mogadishu), so only a reading in a country the article is about
# is kept ("a Lagos hospital" in a Nigerian story is Lagos).
FACILITY_AFTER = frozenset(
    "hospital hospitals clinic airport airstrip stadium mosque church cathedral school college university hotel "
    "prison jail barracks".split()
)
# Lower-case nouns right after a name that make it the name of a disease or a virus ("West Nile virus", "Rift
# Valley fever", "Reston ebolavirus", "Lassa fever"), not a mention of the place.
DISEASE_AFTER = frozenset("virus viruses ebolavirus fever".split())
# Capitalised words that end the name of an organisation, a company or a facility a few words after a place name
# ("Franklin Elementary", "Metz Fresh LLC", "Auckland Zoo"): the place is part of that name. Government bodies
# and school districts are not here: "the U.S. Department of Agriculture" and "the Santa Ana Unified School
# District" still say where.
ORG_SUFFIXES = frozenset(
    "Elementary Academy Zoo Company Corporation Corp Corp. Inc Inc. LLC Ltd Ltd. Group Association "
    "Foundation Society University College Club Foods Farms".split()
)
ORG_LOOKAHEAD = 4  # capitalised words looked at after the name for an organisation suffix
ORG_HEADS = frozenset(
    "Liberation Army Front Airways Airlines Times Post Herald Tribune Gazette Chronicle Institute University "
    "College Council Borough Police Rangers United Rovers Wanderers Athletic Albion FC City".split()
)
# "University of Cambridge", "Bank of England": an organisation named after the place.
ORG_BEFORE_OF = frozenset(
    "University Bank Institute College Museum Academy Archbishop Bishop Duke Duchess Port".split())

NOT_SENTENCE_END = frozenset("U.S. U.K. Mr. Mrs. Ms. Dr. St. Gen. Lt. Col. Sen. Rep. Gov. No. Ft. Mt. Jr. Sr.".split())


def gates(c: Candidate, first_names: frozenset[str]) -> tuple[str | None, str | None, str | None]:
    """Why a country / an admin1 / any other reading may not fire here (None: it may)."""
    fl = c.flags
    if fl & F_USER or c.strong > 0:
        return None, None, None
    if fl & F_FIRSTNAME and (c.prev_cap or c.next_cap):
        return "person", "person", "person"
    common = "common" if fl & F_COMMON and (fl & F_HARD or c.initial or not c.prep) else None
    if c.prev_cap:
        person = "person" if (c.prev_word in first_names or c.prev_word in TITLES) else None
        return person, person or common, "name"
    return None, common, common
