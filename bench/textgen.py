"""Seeded generator of English news paragraphs, articles and wire-style edits, from our own templates.

Why templates with heavy alternation: the near-duplicate evaluation needs paragraphs that look like real news (same
topic, same stock phrases, same places) yet are different stories, so that "unrelated but similar" is a real test of
the dedup thresholds. Each sentence template has many ``[a|b|c]`` choice points and ``{slot}`` values, so two
paragraphs built from the same templates still differ in a large share of their word pairs.

Template language: ``{name}`` is a value of the paragraph's context (drawn once per article or paragraph, so a
paragraph names one city and one person consistently); ``{@name}`` is a shared macro drawn fresh at each use;
``[a|b|]`` picks one option (options may nest and may be empty).

Everything is driven by one ``random.Random`` seeded by the caller, so a seed always gives the same text.
"""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

# --- Vocabulary ------------------------------------------------------------------------------------------------

# country -> (adjective, capital, currency)
COUNTRIES: dict[str, tuple[str, str, str]] = {
    "Pakistan": ("Pakistani", "Islamabad", "rupee"),
    "Afghanistan": ("Afghan", "Kabul", "afghani"),
    "Nigeria": ("Nigerian", "Abuja", "naira"),
    "Democratic Republic of the Congo": ("Congolese", "Kinshasa", "Congolese franc"),
    "Somalia": ("Somali", "Mogadishu", "Somali shilling"),
    "Syria": ("Syrian", "Damascus", "Syrian pound"),
    "Iraq": ("Iraqi", "Baghdad", "Iraqi dinar"),
    "Yemen": ("Yemeni", "Sanaa", "Yemeni rial"),
    "Sudan": ("Sudanese", "Khartoum", "Sudanese pound"),
    "Mali": ("Malian", "Bamako", "CFA franc"),
    "Burkina Faso": ("Burkinabe", "Ouagadougou", "CFA franc"),
    "Ukraine": ("Ukrainian", "Kyiv", "hryvnia"),
    "Myanmar": ("Myanmar", "Naypyitaw", "kyat"),
    "Philippines": ("Philippine", "Manila", "peso"),
    "India": ("Indian", "New Delhi", "rupee"),
    "Colombia": ("Colombian", "Bogotá", "peso"),
    "Mexico": ("Mexican", "Mexico City", "peso"),
    "Haiti": ("Haitian", "Port-au-Prince", "gourde"),
    "Kenya": ("Kenyan", "Nairobi", "shilling"),
    "Ghana": ("Ghanaian", "Accra", "cedi"),
    "Bangladesh": ("Bangladeshi", "Dhaka", "taka"),
    "Indonesia": ("Indonesian", "Jakarta", "rupiah"),
    "United Kingdom": ("British", "London", "pound"),
    "United States": ("American", "Washington", "dollar"),
    "Canada": ("Canadian", "Ottawa", "Canadian dollar"),
    "Australia": ("Australian", "Canberra", "Australian dollar"),
    "France": ("French", "Paris", "euro"),
    "Brazil": ("Brazilian", "Brasília", "real"),
    "South Africa": ("South African", "Pretoria", "rand"),
    "Uganda": ("Ugandan", "Kampala", "Ugandan shilling"),
}

# (city, first-level region, country); the first block is where conflict stories are set.
CONFLICT_PLACES: list[tuple[str, str, str]] = [
    ("Quetta", "Balochistan", "Pakistan"), ("Turbat", "Balochistan", "Pakistan"),
    ("Gwadar", "Balochistan", "Pakistan"), ("Peshawar", "Khyber Pakhtunkhwa", "Pakistan"),
    ("Bannu", "Khyber Pakhtunkhwa", "Pakistan"), ("Dera Ismail Khan", "Khyber Pakhtunkhwa", "Pakistan"),
    ("Kandahar", "Kandahar", "Afghanistan"), ("Jalalabad", "Nangarhar", "Afghanistan"),
    ("Kunduz", "Kunduz", "Afghanistan"), ("Herat", "Herat", "Afghanistan"),
    ("Maiduguri", "Borno", "Nigeria"), ("Damaturu", "Yobe", "Nigeria"), ("Kaduna", "Kaduna", "Nigeria"),
    ("Jos", "Plateau", "Nigeria"), ("Goma", "North Kivu", "Democratic Republic of the Congo"),
    ("Beni", "North Kivu", "Democratic Republic of the Congo"),
    ("Bukavu", "South Kivu", "Democratic Republic of the Congo"),
    ("Bunia", "Ituri", "Democratic Republic of the Congo"), ("Baidoa", "South West State", "Somalia"),
    ("Kismayo", "Jubaland", "Somalia"), ("Beledweyne", "Hirshabelle", "Somalia"),
    ("Aleppo", "Aleppo", "Syria"), ("Idlib", "Idlib", "Syria"), ("Deir ez-Zor", "Deir ez-Zor", "Syria"),
    ("Mosul", "Nineveh", "Iraq"), ("Kirkuk", "Kirkuk", "Iraq"), ("Ramadi", "Anbar", "Iraq"),
    ("Taiz", "Taiz", "Yemen"), ("Marib", "Marib", "Yemen"), ("Aden", "Aden", "Yemen"),
    ("El Fasher", "North Darfur", "Sudan"), ("Nyala", "South Darfur", "Sudan"), ("Gao", "Gao", "Mali"),
    ("Mopti", "Mopti", "Mali"), ("Djibo", "Sahel", "Burkina Faso"), ("Kharkiv", "Kharkiv Oblast", "Ukraine"),
    ("Zaporizhzhia", "Zaporizhzhia Oblast", "Ukraine"), ("Odesa", "Odesa Oblast", "Ukraine"),
    ("Sittwe", "Rakhine", "Myanmar"), ("Lashio", "Shan", "Myanmar"), ("Marawi", "Lanao del Sur", "Philippines"),
    ("Cotabato", "Maguindanao", "Philippines"), ("Srinagar", "Jammu and Kashmir", "India"),
    ("Imphal", "Manipur", "India"), ("Cúcuta", "Norte de Santander", "Colombia"),
    ("Tumaco", "Nariño", "Colombia"), ("Culiacán", "Sinaloa", "Mexico"), ("Port-au-Prince", "Ouest", "Haiti"),
]
OTHER_PLACES: list[tuple[str, str, str]] = [
    ("Karachi", "Sindh", "Pakistan"), ("Lahore", "Punjab", "Pakistan"), ("Nairobi", "Nairobi", "Kenya"),
    ("Mombasa", "Mombasa", "Kenya"), ("Lagos", "Lagos", "Nigeria"), ("Accra", "Greater Accra", "Ghana"),
    ("Kumasi", "Ashanti", "Ghana"), ("Dhaka", "Dhaka Division", "Bangladesh"),
    ("Chittagong", "Chittagong Division", "Bangladesh"), ("Jakarta", "Jakarta", "Indonesia"),
    ("Surabaya", "East Java", "Indonesia"), ("Cebu City", "Central Visayas", "Philippines"),
    ("Leeds", "England", "United Kingdom"), ("Glasgow", "Scotland", "United Kingdom"),
    ("Cardiff", "Wales", "United Kingdom"), ("Denver", "Colorado", "United States"),
    ("Tucson", "Arizona", "United States"), ("Toledo", "Ohio", "United States"),
    ("Winnipeg", "Manitoba", "Canada"), ("Halifax", "Nova Scotia", "Canada"),
    ("Adelaide", "South Australia", "Australia"), ("Lyon", "Auvergne-Rhône-Alpes", "France"),
    ("Recife", "Pernambuco", "Brazil"), ("São Paulo", "São Paulo", "Brazil"),
    ("Durban", "KwaZulu-Natal", "South Africa"), ("Johannesburg", "Gauteng", "South Africa"),
    ("Kampala", "Central Region", "Uganda"), ("Gulu", "Northern Region", "Uganda"),
    ("Pune", "Maharashtra", "India"), ("Medellín", "Antioquia", "Colombia"),
]
ALL_PLACES = CONFLICT_PLACES + OTHER_PLACES

FIRST_NAMES = (
    "Ali Hamid Nasreen Bilal Farida Kamran Sadia Tariq Amina Yusuf Chidi Ngozi Emeka Halima Musa Aisha Jean-Pierre "
    "Esperance Didier Faraji Abdirahman Hodan Mahad Fadumo Omar Layla Karim Rania Hassan Nour Oleksandr Iryna "
    "Taras Olena Min Aung Thandar Kyaw Rosalinda Jomar Divya Arjun Meera Rohan Camila Andrés Valentina Mateo "
    "Kwame Akosua Wanjiru Otieno Farhana Rafiq Siti Budi Eleanor Gareth Fiona Marcus Denise Priya Thomas Claire "
    "Lucas Beatriz Sipho Nomvula Grace Moses Joseph Esther"
).split()
LAST_NAMES = (
    "Raza Baloch Khattak Marri Durrani Qureshi Yousafzai Haider Okafor Adeyemi Bello Danjuma Ibrahim Lukusa "
    "Kabongo Mbala Tshisekedi-Nkulu Warsame Farah Elmi Hirsi Haddad Khalil Mansour Saleh Kovalenko Shevchuk "
    "Bondar Melnyk Tun Htet Naing Santos Dimaporo Ampatuan Bhat Lone Singh Rahman Herrera Castaño Ramírez "
    "Quintero Mensah Boateng Owusu Kamau Odhiambo Chowdhury Hossain Wibowo Santoso Pritchard Morgan Davies "
    "Fletcher Novak Carvalho Ferreira Dlamini Nkosi Okello Mugisha Ssempala Akhtar Siddiqui Varga Lindqvist"
).split()

GROUPS: dict[str, list[str]] = {
    "Pakistan": ["the Pakistani Taliban", "Baloch separatists", "an outlawed militant group"],
    "Afghanistan": ["Islamic State Khorasan", "the local Islamic State affiliate", "anti-Taliban fighters"],
    "Nigeria": ["Boko Haram", "ISWAP fighters", "armed bandits", "jihadist fighters"],
    "Democratic Republic of the Congo": ["M23 rebels", "ADF fighters", "a local militia", "CODECO militiamen"],
    "Somalia": ["al-Shabaab", "al-Shabaab fighters", "clan militias"],
    "Syria": ["Islamic State remnants", "armed factions", "Islamic State sleeper cells"],
    "Iraq": ["Islamic State remnants", "an Islamic State cell", "an armed faction"],
    "Yemen": ["Houthi forces", "Houthi fighters", "an al-Qaeda affiliate"],
    "Sudan": ["the Rapid Support Forces", "RSF fighters", "armed tribesmen"],
    "Mali": ["JNIM fighters", "jihadist fighters", "Islamic State Sahel"],
    "Burkina Faso": ["JNIM fighters", "jihadist fighters", "armed men on motorcycles"],
    "Ukraine": ["Russian forces", "Russian troops", "Russian drone units"],
    "Myanmar": ["the Arakan Army", "resistance fighters", "junta troops"],
    "Philippines": ["Abu Sayyaf gunmen", "a pro-Islamic State group", "communist rebels"],
    "India": ["suspected militants", "armed ethnic groups", "insurgents"],
    "Colombia": ["ELN guerrillas", "dissident FARC fighters", "the Clan del Golfo"],
    "Mexico": ["cartel gunmen", "members of a drug cartel", "a criminal gang"],
    "Haiti": ["gang members", "the Viv Ansanm gang coalition", "armed gangs"],
}
GENERIC_GROUPS = ["gunmen", "militants", "armed men", "unidentified attackers", "insurgents"]

ROLES: dict[str, list[str]] = {
    "conflict": ["Police Chief", "District Commissioner", "Army Spokesman", "Provincial Home Minister",
                 "Deputy Inspector General", "Interior Minister", "Military Spokesman", "Provincial Governor",
                 "Regional Police Commander", "Defence Minister"],
    "politics": ["Prime Minister", "Opposition Leader", "Foreign Minister", "Interior Minister", "Senator",
                 "Information Minister", "Chief Minister", "Speaker", "President", "Justice Minister"],
    "economy": ["Finance Minister", "Central Bank Governor", "Trade Minister", "Chief Economist",
                "Commerce Secretary", "Energy Minister", "Chamber of Commerce President", "Planning Minister"],
    "local": ["Mayor", "Councillor", "Deputy Mayor", "Fire Chief", "Head Teacher", "Council Leader",
              "Police Inspector", "Transport Commissioner", "Health Officer"],
}
PARTIES = ["the People's Renewal Party", "the National Unity Alliance", "the Democratic Front",
           "the Justice and Progress Party", "the Citizens' Movement", "the Federal Reform Party",
           "the Green Coalition", "the Workers' League", "the Liberty Party", "the Heritage Union"]
COMPANIES = ["Meridian Cement", "Northstar Textiles", "Crescent Power", "Atlas Fertilisers", "Riverbend Foods",
             "Summit Telecom", "Harbourline Shipping", "Pinnacle Steel", "Evergreen Agro", "Coastal Refining",
             "Silverline Motors", "Keystone Bank", "Bluewater Utilities", "Granite Pharma", "Sunrise Dairies"]
OUTLETS = ["The Daily Meridian", "the Northern Courier", "the Coastal Herald", "Frontier Radio",
           "the Valley Times", "Metro Television", "the Evening Ledger", "Channel Nine News"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
NUM_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]

# --- Templates -------------------------------------------------------------------------------------------------

MACROS: dict[str, str] = {
    "day_ref": "[on {day}|late on {day}|early on {day}|on {day} night|on {day} morning|on {day} evening]",
    "said": "[said|said on {day}|told reporters|told reporters on {day}|said in a statement|"
            "said in a statement on {day}|told {outlet}|said late on {day}]",
    "official": "[police|officials|a police official|a senior security official|the provincial government|"
                "local authorities|the military|hospital officials|{role} {person}|{person}, the {role_lc},]",
    "speaker": "[{role} {person}|{person}, the {role_lc},|{person}, [a local resident|a shopkeeper|a teacher|"
               "a witness|an analyst|a trader],|a [resident|witness|shopkeeper] who gave [his|her] name only as "
               "{first}]",
    "pct_unit": "[percent|per cent]",
}

TOPIC_MACROS: dict[str, dict[str, str]] = {
    "conflict": {
        "quote": "[We will not allow [these criminals|the attackers|terrorists] to [threaten|terrorise|destroy] "
                 "[the people of {city}|our communities|the peace we have built]|The situation [is now under "
                 "control|remains tense|is calm but tense] and [security has been tightened|extra forces have "
                 "been deployed|the roads have been reopened] [across the city|around {city}|in the district]|"
                 "[They|The gunmen] came [at night|before dawn|on motorcycles|in two pickup trucks] and "
                 "[started shooting|opened fire|set fire to the houses] [without warning|at everyone they saw|"
                 "as people ran]|[My brother|My neighbour|Our driver|A cousin of mine] was [among the dead|killed|"
                 "badly hurt], and [we still do not know why|nobody has told us anything|the police have not "
                 "come]|[Those responsible|The perpetrators] will be [found and punished|brought to justice|"
                 "hunted down], and [no one|nobody] will be spared]",
    },
    "politics": {
        "quote": "[[This|The] [bill|decision|ruling|vote] [is|was] [a victory for|a blow to|a test for] "
                 "[democracy|the people of {region}|ordinary voters|the rule of law]|We [will|are going to] "
                 "[take this to the courts|keep fighting|return to the streets] [until|unless] [the government "
                 "listens|our demands are met|justice is done]|[Nobody|No one] [in this country|in {region}] "
                 "[should|will] [be above the law|fear the police|be silenced for what they believe]|The "
                 "[government|opposition|coalition] [has|] [lost|run out of|no longer has] the [trust|patience|"
                 "support] of [voters|the public|its own members], and [it knows it|the polls show it|everyone "
                 "can see it]]",
    },
    "economy": {
        "quote": "[[Prices|Costs] have [gone up|doubled|risen] [every month|twice this year|faster than wages], and "
                 "[we|our customers|families like mine] [cannot keep up|are cutting back|have stopped buying "
                 "meat]|[The|This] [decision|rate rise|budget] [should|will|could] [help|bring] [inflation|prices|"
                 "the currency] [back under control|down|to stability] [by the end of the year|in the coming "
                 "months|over time]|[Investors|Businesses|Markets] [need|want|are waiting for] [clarity|stability|"
                 "a clear plan] [from the government|on tax policy|before they commit]|We [have had to|were forced "
                 "to] [lay off|let go] {num} [workers|staff|people] [since {month}|this year], and [more cuts may "
                 "follow|orders are still falling|the banks will not lend to us]]",
    },
    "local": {
        "quote": "[We have been [waiting|asking|campaigning] [for this|for years|for a long time] and it is "
                 "[good|a relief|about time] [to see something done|that the council is listening|to have an "
                 "answer]|[Nobody|No one] [told us|warned us|explained] [anything|why|what was going on], and we "
                 "[had to wait for hours|had to walk to work|found out from social media]|[This|The new] "
                 "[centre|clinic|library|service] will make a [real|huge|big] difference to [families|older "
                 "people|children|everyone] [in {city}|in this part of town|who live here]|We [are|were] "
                 "[doing everything we can|working with the council|talking to residents] to [fix this|put things "
                 "right|get services back to normal] [as quickly as possible|this week|before the winter]]",
    },
}

SENTENCES: dict[str, list[str]] = {
    "conflict": [
        "[At least |Nearly |More than |]{num} [people|civilians|soldiers|police officers|villagers|worshippers|"
        "passengers] were [killed|left dead|killed and {num2} wounded|killed and {num2} others injured] when {group} "
        "[attacked|stormed|opened fire on|ambushed] a [checkpoint|crowded market|police station|bus terminal|"
        "village|military convoy|mosque|wedding party] [in|near|on the outskirts of] {city} {@day_ref}, {@official} "
        "{@said}.",
        "The [attack|assault|raid|ambush|bombing] was the [latest|third|deadliest|second|fourth] in a [series|"
        "string|wave] of [incidents|attacks|assaults] [in|across] {region} [this month|this year|since {month}|in "
        "recent weeks|since the start of the year], [and it has raised|which deepened|and it has revived] "
        "[fears|concerns|alarm] [among residents|among aid groups|in {capital}|among local traders] [about|over] "
        "[the security situation|a return to wider fighting|the safety of the main highway|the ability of the "
        "authorities to protect civilians].",
        "No group [immediately claimed|has claimed|claimed] responsibility [for the attack|for the blast|for the "
        "killings], but [suspicion|blame] [fell|quickly fell|is likely to fall] on {group}, [long blamed|blamed|"
        "held responsible] for [similar|several|dozens of] [attacks|raids|bombings] in the "
        "[area|region|province|district] [over the past year|in recent months|since {year}].",
        "\"{@quote},\" {@speaker} {@said}.",
        "[Security forces|Troops|Police] [launched|began|mounted] a [search operation|manhunt|clearance operation|"
        "sweep] [in the surrounding area|in nearby villages|along the highway|in the hills outside {city}] and "
        "[arrested|detained|killed] {num2} [suspects|suspected militants|people|gunmen], {@official} {@said}.",
        "[The wounded|Those injured|Survivors] were [taken|rushed|flown] to [hospitals|the main hospital|a "
        "military hospital|the district hospital] in {city}, where [doctors|medical staff|officials] said "
        "[several|some|{num2}|at least {num2}] [were|remained] in [critical|serious|a critical] condition.",
        "The {country_adj} [army|military|government] [said|said in a statement|announced] [it had|that it had|"
        "that troops had] [killed|neutralised] {num3} [militants|insurgents|fighters] in [air strikes|ground "
        "operations|a raid|clashes] [in|across] {region} [over the weekend|on {day}|during the past week|since "
        "{day}], [a claim that could not be independently verified|but did not give details|without providing "
        "evidence|though the figures could not be confirmed].",
        "[Residents|Witnesses|People living nearby] said they heard [several explosions|heavy gunfire|a loud "
        "blast|sustained shooting] [for more than an hour|shortly after midnight|before dawn|around {time}] and "
        "[saw smoke rising over|watched people flee from|could see fires burning in] [the old city|the eastern "
        "districts|the market area|the neighbourhood].",
        "[The United Nations|Aid agencies|The International Committee of the Red Cross|Humanitarian groups] "
        "[have warned|warned|said] that [the fighting|the violence|the insecurity] has displaced [more than|"
        "nearly|about] {big} people [in|across] {region} [since {month}|this year|in the past year], [with|and] "
        "[many|most|thousands] [living|sheltering|staying] in [camps|schools|makeshift shelters|host "
        "communities] [with little access to|without] [food|clean water|health care].",
        "{group_cap} [said in a statement|claimed in a message posted online|said on its website] that it "
        "[was behind|carried out|had carried out] the [attack|raid|bombing], [saying|adding] [it had targeted|"
        "its fighters had targeted] [security forces|government officials|those working with the government].",
        "[Authorities|Officials] [imposed|declared|announced] a [curfew|security lockdown|ban on motorcycles|ban on "
        "public gatherings] [in|across] {city} and [suspended|shut down|cut] [mobile internet|mobile phone "
        "services|schools|traffic on the main highway] [for {num} days|until further notice|until at least {day}].",
        "The [district|area|town] [lies|sits] [about|some|roughly] {km} kilometres [from|north of|south of|east "
        "of|west of] {capital} and has [long been|been] [a stronghold of|contested by|a flashpoint for] [armed "
        "groups|{group}|rival militias] [since {year}|for years|for more than a decade].",
        "{@speaker} [said|told reporters|told {outlet}] that the [attackers|gunmen|militants] had [arrived|come|"
        "crossed] [on motorcycles|in several vehicles|from across the border|on foot] and [fled|escaped|"
        "withdrawn] [before|as] [reinforcements|troops|police] [arrived|reached the scene].",
        "[Funerals|Burials|Funeral prayers] for [the victims|the dead|some of those killed] were [held|expected "
        "to be held] [on {day}|later on {day}|the following day] in {city}, where [hundreds|thousands|crowds] of "
        "[mourners|people|residents] [gathered|turned out] [demanding|calling for] [better protection|justice|the "
        "resignation of local officials].",
        "[A ceasefire|A truce|A local peace deal] [agreed|brokered|announced] [in {month}|last year|earlier this "
        "year] [has|had] [largely collapsed|failed to hold|come under strain], with [both sides|the two sides|the "
        "warring parties] [accusing each other of|blaming each other for] [violations|breaking the agreement|"
        "fresh attacks].",
        "[Local officials|Community leaders|Elders] [complained|warned|said] that [the government|the "
        "authorities|the security forces] had [ignored|failed to act on|not responded to] [warnings|repeated "
        "warnings|reports] [of|about] [an imminent attack|armed men gathering|militant movements] [in the area|"
        "near {city}|along the border].",
        "[The|An] [explosion|blast|bomb] [tore through|ripped through|struck] [a crowded|a busy|the main] "
        "[market|bus station|street|square] [in|near] {city} [at around {time}|during the morning rush|as shops "
        "were opening|shortly after Friday prayers], {@official} {@said}.",
        "[Among the dead|Among those killed|Among the casualties] were {num2} [soldiers|police officers|members "
        "of the security forces|children|women], [the|a] [military|police|hospital] [spokesman|spokeswoman|"
        "statement] [said|added].",
    ],
    "politics": [
        "{role} {person} [announced|said|confirmed] [on {day}|] that [the government|the ruling coalition|{party}] "
        "would [introduce|table|push through] [a bill|legislation|a package of reforms] [to reform|to "
        "overhaul|aimed at strengthening|aimed at reforming] [the electoral system|local government|the police|the civil service|anti-corruption "
        "laws] [before|by|ahead of] [the end of the year|the next election|{month}].",
        "[Opposition|Rival] [lawmakers|parties|leaders] [walked out of|boycotted|disrupted] [parliament|the "
        "assembly|the session] [on {day}|] [in protest at|to protest against] [the arrest of|the treatment of] "
        "[their leader|{person2}|a senior party official], [calling it|describing it as] [politically motivated|an "
        "attack on democracy|unconstitutional].",
        "The [election commission|electoral authority] [said|announced] that [voting|the election|the "
        "by-election|the referendum] [in {region}|in {city}|across the country] would [take place|be held] on "
        "{month} {dom}, and that [about|more than|nearly] {big} [registered voters|people] [were|are] "
        "[eligible|expected] to [cast ballots|vote|take part].",
        "\"{@quote},\" {@speaker} {@said}.",
        "{party_cap} [won|secured|took] {num3} of the {seats} seats [in|on] the [provincial assembly|city "
        "council|national parliament|regional legislature], [according to|based on] [official results|preliminary "
        "results|results released on {day}], [leaving it|putting it] [short of|just short of|well ahead of] [a "
        "majority|an outright majority|its nearest rival].",
        "[The|A] [cabinet|government] [reshuffle|shake-up] [saw|brought] [{person2}|a former finance minister|a "
        "close ally of the president] [named|appointed] [as {role2_lc}|to the post of {role2_lc}], [replacing|"
        "taking over from|succeeding] {person3}, who [resigned|stepped down|was dismissed] [last month|in {month}|"
        "after weeks of criticism] [over|amid] [a corruption inquiry|a row over spending|poor health|"
        "disagreements over policy].",
        "[Critics|Rights groups|Analysts] [say|argue|have warned] that the [bill|law|proposal|measure] [would|"
        "could] [give|hand] [the executive|the government|security agencies] [sweeping|broad|unchecked] powers "
        "to [detain suspects|monitor communications|ban protests|shut down newspapers] [without|with little] "
        "[judicial oversight|court approval|scrutiny].",
        "[Thousands of|Hundreds of|Several thousand] [supporters|protesters|demonstrators] [gathered|rallied|"
        "marched] in {city} [on {day}|over the weekend|on {day} afternoon] [to demand|demanding] [early "
        "elections|the release of political prisoners|the resignation of the {role2_lc}|an end to fuel price "
        "rises], [while|as] [police|riot police|security forces] [fired tear gas|blocked roads|made several "
        "arrests|watched from a distance].",
        "[Talks|Negotiations|Discussions] between [the government|{party}] and [opposition leaders|{party2}|the "
        "regional administration] [over|on] [a new budget|power sharing|the electoral timetable|constitutional "
        "changes] [broke down|stalled|resumed] [on {day}|this week|late on {day}], with [neither side willing to|"
        "both sides refusing to|both sides agreeing to] [make concessions|give ground|return to the table].",
        "{person}, who has [led|headed] {party} [since {year}|for nearly a decade|since the last election], [is|"
        "was] [widely seen as|expected to be|tipped to be] [the frontrunner|a likely candidate|a contender] [for|"
        "in] [the presidency|the next election|the party leadership contest].",
        "The [supreme court|high court|constitutional court] [ruled|decided|found] [on {day}|] that [the "
        "dissolution of the assembly|the delay to the vote|the emergency decree|the arrest of the governor] was "
        "[unconstitutional|illegal|lawful|valid], a [decision|ruling|verdict] that [could|is likely to|may] "
        "[reshape|upend|settle] [the political landscape|the election timetable|the dispute] [in {region}|in the "
        "province|nationally].",
        "[Foreign|Visiting] [ministers|diplomats|envoys] from [{num} countries|neighbouring states|the region] "
        "[met|gathered] in {capital} [on {day}|this week] [to discuss|for talks on] [border security|trade|a new "
        "regional agreement|refugee returns], [the|a] [foreign ministry|government spokesman|statement] [said|"
        "added].",
        "Turnout [was|stood at|reached] [about|around|just over] {pct} {@pct_unit}, [lower|higher|slightly lower|"
        "well above] than [in {year}|at the last election|officials had expected][, which analysts attributed "
        "to|, which observers blamed on|; analysts linked it to] [voter apathy|heavy rain|security fears|a "
        "boycott call].",
        "{person} [told|assured] [supporters|party members|a rally] in {city} [on {day}|last week|] that {party} "
        "would [cut|lower|freeze] [fuel prices|electricity bills|taxes on small businesses] and [create|bring] "
        "[{big} jobs|new investment|better schools] [if it won|within two years of taking office|by {year}].",
    ],
    "economy": [
        "The [central bank|monetary policy committee] [raised|cut|held] [its benchmark|its key|the policy] "
        "[interest rate|lending rate] [to|at] {rate} {@pct_unit} [on {day}|at its {month} meeting|this week], "
        "[citing|pointing to] [stubborn inflation|slowing growth|a weaker currency|rising food prices].",
        "[Inflation|Consumer price inflation|Annual inflation] [rose|fell|eased|climbed|accelerated] to {pct} "
        "{@pct_unit} in {month}[ from|, up from|, down from] {pct2} {@pct_unit} [a month earlier|in the previous "
        "month|a year ago], [the statistics office|the national statistics bureau|official data] [said|showed] "
        "[on {day}|this week|].",
        "[Food|Fuel|Electricity|Rice|Wheat flour] prices in {city} have [risen|jumped|climbed|soared] [by nearly|"
        "by more than|about] {pct} {@pct_unit} [since {month}|this year|in the past three months], [squeezing|"
        "hurting|putting pressure on] [household budgets|low-income families|small businesses|traders].",
        "{company} [said|reported|announced] [on {day}|] that its [quarterly|annual|half-year] [profit|revenue|"
        "net income|sales] [rose|fell|jumped|slipped] {pct} {@pct_unit} to {money}, [beating|missing|in line "
        "with] [analysts' expectations|market forecasts|its own guidance].",
        "The {currency} [weakened|strengthened|slipped|recovered] to {fx} [against the dollar|per dollar|to the US "
        "dollar] [on {day}|in early trading|by midday], its [lowest|highest|weakest|strongest] [level|point] "
        "[since {month}|in {num} months|this year], [traders|dealers|bankers] [said|told {outlet}].",
        "[Exporters|Manufacturers|Farmers|Textile mills] [in {region}|across the country|in and around {city}] "
        "[have warned|complained|said] that [power cuts|high energy costs|port delays|new export duties] [were|"
        "have been] [forcing|pushing] [them|factories|many firms] to [cut production|lay off workers|delay "
        "orders|close temporarily].",
        "The [government|finance ministry|treasury] [expects|forecasts|has projected] [the economy|growth|gross "
        "domestic product] to [grow|expand] [by|] {rate} {@pct_unit} [this year|in the fiscal year|next year], "
        "[down from|up from|compared with] [an earlier forecast of|] {rate2} {@pct_unit}.",
        "[A|The] {money} [loan|financing package|bailout|credit line] from [the International Monetary Fund|the "
        "World Bank|a group of lenders|regional partners] [is|was] [expected|due|set] to [be approved|be "
        "disbursed|arrive] [in {month}|by the end of the year|next month], [subject to|depending on] [the "
        "passage of|progress on|agreement on] [tax reforms|subsidy cuts|the budget].",
        "{@speaker} {@said} that the [new|proposed|revised] [tax|tariff|levy|budget measures] [would|could|was "
        "expected to] [raise|generate|bring in] [about|some|an extra] {money} [a year|annually|this year] and "
        "[help reduce the deficit|fund social programmes|pay for roads and schools].",
        "\"{@quote},\" {@speaker} {@said}.",
        "Shares on the {exchange} [rose|fell|closed] {pct_small} {@pct_unit} [higher|lower|] [on {day}|in thin "
        "trading|by the close], [led by|dragged down by|with gains in|with losses in] [banks|energy companies|"
        "cement makers|telecom shares].",
        "[Unemployment|Youth unemployment|The jobless rate] [in {region}|in the country|nationally] [stood at|"
        "rose to|fell to|remained at] {pct} {@pct_unit} [in the last quarter|in {month}|at the end of {year}], "
        "[according to|data from|figures from] [the labour ministry|the statistics office|a survey released on "
        "{day}].",
        "[Work on|Construction of] [a new|the] [port|highway|power plant|rail line|industrial zone] [near|outside|"
        "in] {city}, [funded|financed|backed] by {money} [in|of] [foreign investment|public money|loans], [has "
        "been|was] [delayed|halted|resumed|completed] [after|following|because of] [disputes over land|funding "
        "shortfalls|security concerns|a change of contractor].",
        "[Traders|Shopkeepers|Wholesalers] in {city} said [demand|sales|footfall] had [fallen|dropped|slowed] "
        "[sharply|by about a third|for a third month] [since {month}|this year|after the budget], as "
        "[customers|families|buyers] [held back|cut spending|switched to cheaper brands].",
    ],
    "local": [
        "The {city} [city council|municipal council|district council] [voted|agreed|decided] [on {day}|late on "
        "{day}|this week] to [raise|cut|freeze] [parking charges|property taxes|bus fares|water rates] [by|] "
        "{pct_small} {@pct_unit} [from|starting in|as of] {month}, [despite|after|following] [objections from|"
        "protests by|a petition signed by] [residents|local businesses|{num3} residents].",
        "[Heavy rain|Flash floods|A storm|Strong winds] [overnight|on {day}|late on {day}] [flooded|damaged|cut "
        "off] [dozens of|several|{num2}] [homes|roads|villages|schools] [in|around|on the edge of] {city}, "
        "[forcing|prompting] [the closure of|the evacuation of|emergency crews to clear] [the main road|a primary "
        "school|low-lying streets|the riverside market].",
        "[A|The] [new|long-awaited|refurbished] [hospital wing|public library|sports centre|bus terminal|"
        "community clinic] [opened|was opened|reopened] [in|on the outskirts of] {city} [on {day}|this week|last "
        "month], [after|following] [{num} years of|nearly {num} years of|a decade of] [delays|planning|"
        "construction|fundraising] [and complaints from residents|at a cost of {money}].",
        "Police in {city} [are|were] [appealing for|asking for|seeking] [witnesses|information|help from the "
        "public] [after|following] [a robbery|a break-in|a hit-and-run|an arson attack|an assault] [at|near] [a "
        "jewellery shop|a petrol station|the high street|a school|a bus stop] [on {day}|late on {day}|early on "
        "{day}].",
        "[Residents|Parents|Shop owners|Commuters] [said|complained|told {outlet}] that the [roadworks|water "
        "shortages|power cuts|rubbish collections|bus delays] had [gone on|continued|worsened] [for weeks|for "
        "months|since {month}] [with no explanation|without any warning|despite repeated complaints] [from the "
        "council|from the authorities|from the utility company].",
        "The [school|hospital|council|water board|transport authority] [said|confirmed|announced] [on {day}|] "
        "that it [would|will|planned to] [hire|recruit|train] {num3} [new|additional|extra] [teachers|nurses|"
        "drivers|staff] [over the next year|in the coming months|within two years] [to cut waiting times|to ease "
        "shortages|to improve services|to meet rising demand].",
        "\"{@quote},\" {@speaker} {@said}.",
        "[A local|An annual|A weekend|The annual] [festival|market|fair|marathon|book fair] [drew|attracted|brought] [more "
        "than|about|nearly|some] {big} [visitors|people|runners|families] [to|into] [the centre of {city}|{city}|"
        "the old town] [on {day}|over the weekend|last week], [organisers|the council|police] [said|estimated|"
        "reported].",
        "[A|The] [fire|blaze] [broke out|started] [at|in] [a warehouse|a block of flats|a textile factory|a "
        "restaurant|the old market] [in|on the east side of|in central] {city} [shortly after|at around|just "
        "before] {time}, and [firefighters|crews] [took|needed|spent] [{num} hours|several hours|most of the "
        "night] to [bring it under control|put it out|contain it].",
        "[Council|City|Local] officials [said|admitted|acknowledged] that the [budget|plan|project|scheme] was "
        "[running|now] {pct_small} {@pct_unit} [over budget|behind schedule|short of funds], but [promised|"
        "pledged|insisted] that [it|work] would be [finished|completed|back on track] by {month}.",
        "[Volunteers|Neighbours|Students] [in|from] {city} [collected|raised|handed out] [{big} meals|food "
        "parcels|{money}|winter clothes] [for|to] [families affected by the floods|people sleeping rough|the "
        "local food bank|older residents] [over the weekend|this month|since {month}], {@speaker} {@said}.",
        "The [road|bridge|station|park] [will|is set to] [remain closed|stay shut|be closed] [for {num} weeks|until "
        "the end of {month}|until repairs are finished], [and|while] [drivers|commuters|residents] [have "
        "been|are being] [advised|told|asked] to [use other routes|allow extra time|take the bus].",
    ],
}

TITLES: dict[str, list[str]] = {
    "conflict": ["[Attack|Blast|Gunmen] [kills|leave] {num} [in|near] {city}",
                 "{num_cap} dead as {group} [strike|attack] {region}",
                 "[Curfew|Lockdown] in {city} after [deadly|overnight] [attack|clashes]",
                 "[Troops|Police] [hunt|search for] attackers after {city} [raid|bombing]"],
    "politics": ["[Opposition|Lawmakers] [walk out|protest] over [arrest|bill] in {capital}",
                 "{party_cap} [wins|claims] [most seats|majority] in {region} [vote|poll]",
                 "[Court|Judges] [rules|rule] on [assembly|decree] in {region}",
                 "{role} [announces|unveils] [reforms|new bill]"],
    "economy": ["[Inflation|Prices] [rise|climb|ease] in {country}",
                "{company} [profit|revenue|sales] [rises|falls]",
                "[Central bank|Policy makers] [raise|cut|hold] rates",
                "{currency_cap} [slides|recovers] against dollar"],
    "local": ["[Floods|Storm] [hit|batter] {city}", "{city} council [votes|agrees] to [raise|cut] [fares|taxes]",
              "[New|Refurbished] [library|clinic|sports centre] opens in {city}",
              "Police [appeal|seek witnesses] after {city} [robbery|fire]"],
}

TOPICS = ("conflict", "politics", "economy", "local")
# Keys that stay fixed for a whole article (its place, people, parties); the rest is drawn per paragraph.
STICKY = frozenset({"city", "region", "country", "country_adj", "capital", "currency", "currency_cap", "person",
                    "person2", "person3", "first", "role", "role_lc", "role2_lc", "group", "group_cap", "party",
                    "party_cap", "party2", "company", "exchange", "outlet"})

# --- Template compiler and renderer ---------------------------------------------------------------------------

Parts = list  # of str | ("s", name) | ("m", name) | ("a", [Parts, ...])


def _parse_seq(s: str, i: int, top: bool) -> tuple[Parts, int]:
    parts: Parts = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            parts.append("".join(buf))
            buf.clear()

    while i < len(s):
        c = s[i]
        if c == "{":
            j = s.index("}", i)
            name = s[i + 1 : j]
            flush()
            parts.append(("m", name[1:]) if name.startswith("@") else ("s", name))
            i = j + 1
        elif c == "[":
            flush()
            opts, i = _parse_alt(s, i + 1)
            parts.append(("a", opts))
        elif c in "|]":
            if top:
                raise ValueError(f"stray {c} at {i} in template: {s!r}")
            break
        else:
            buf.append(c)
            i += 1
    flush()
    return parts, i


def _parse_alt(s: str, i: int) -> tuple[list[Parts], int]:
    opts: list[Parts] = []
    while True:
        seq, i = _parse_seq(s, i, False)
        opts.append(seq)
        if i >= len(s):
            raise ValueError(f"unclosed [ in template: {s!r}")
        if s[i] == "|":
            i += 1
            continue
        return opts, i + 1


def compile_template(s: str) -> Parts:
    parts, i = _parse_seq(s, 0, True)
    if i != len(s):
        raise ValueError(f"stray ] or | in template: {s!r}")
    return parts


def _compile_macros(src: dict[str, str]) -> dict[str, list[Parts]]:
    """A macro is stored as its list of options so each use draws afresh."""
    out = {}
    for name, text in src.items():
        parts = compile_template(text)
        out[name] = parts[0][1] if len(parts) == 1 and isinstance(parts[0], tuple) and parts[0][0] == "a" else [parts]
    return out


_GLOBAL_MACROS = _compile_macros(MACROS)
_TOPIC_MACROS = {t: {**_GLOBAL_MACROS, **_compile_macros(m)} for t, m in TOPIC_MACROS.items()}
_SENTENCES = {t: [compile_template(s) for s in ss] for t, ss in SENTENCES.items()}
_TITLES = {t: [compile_template(s) for s in ss] for t, ss in TITLES.items()}


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


class Context(dict):
    """Slot values drawn lazily on first use, so a paragraph pays only for the slots its templates name.

    A paragraph context inherits the article's sticky keys (place, people, parties) and draws numbers itself.
    """

    def __init__(self, rng: random.Random, topic: str, parent: Context | None = None, **fixed: str):
        super().__init__(fixed)
        self.rng, self.topic, self.parent = rng, topic, parent

    def __missing__(self, key: str) -> str:
        if self.parent is not None and key in STICKY:
            v = self.parent[key]
        else:
            v = _draw(self, key)
        self[key] = v
        return v


def _number(rng: random.Random) -> str:
    n = rng.randint(2, 40)
    return NUM_WORDS[n - 2] if n <= 12 and rng.random() < 0.7 else str(n)


def _place(ctx: Context) -> None:
    pool = CONFLICT_PLACES if ctx.topic == "conflict" else ALL_PLACES
    city, region, country = ctx.rng.choice(pool)
    ctx.setdefault("city", city)
    ctx.setdefault("region", region)
    ctx.setdefault("country", country)


def _draw(ctx: Context, key: str) -> str:
    rng = ctx.rng
    if key in ("city", "region", "country"):
        _place(ctx)
        return ctx[key]
    if key in ("country_adj", "capital", "currency"):
        adj, capital, currency = COUNTRIES[ctx["country"]]
        return {"country_adj": adj, "capital": capital, "currency": currency}[key]
    if key == "currency_cap":
        return _cap(ctx["currency"])
    if key in ("person", "person2", "person3"):
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if key == "first":
        return rng.choice(FIRST_NAMES)
    if key == "role":
        return rng.choice(ROLES[ctx.topic])
    if key == "role_lc":
        return ctx["role"].lower()
    if key == "role2_lc":
        return rng.choice(ROLES["politics"]).lower()
    if key == "group":
        own = GROUPS.get(ctx["country"], [])
        return rng.choice(own) if own and rng.random() < 0.7 else rng.choice(GENERIC_GROUPS)
    if key == "group_cap":
        return _cap(ctx["group"])
    if key in ("party", "party2"):
        return rng.choice(PARTIES)
    if key == "party_cap":
        return _cap(ctx["party"])
    if key == "company":
        return rng.choice(COMPANIES)
    if key == "exchange":
        return f"{ctx['city']} stock exchange" if rng.random() < 0.5 else "national stock exchange"
    if key == "outlet":
        return rng.choice(OUTLETS)
    if key in ("day", "day2"):
        return rng.choice(DAYS)
    if key == "month":
        return rng.choice(MONTHS)
    if key == "dom":
        return str(rng.randint(1, 28))
    if key == "year":
        return str(rng.randint(2008, 2025))
    if key == "time":
        return rng.choice(["9 a.m.", "noon", "10:30 p.m.", "7 a.m.", "midnight", "3 p.m.", "5:45 p.m.", "11 a.m."])
    if key in ("num", "num2"):
        return _number(rng)
    if key == "num_cap":
        return _cap(ctx["num"])
    if key == "num3":
        return str(rng.randint(12, 140))
    if key == "seats":
        return str(int(ctx["num3"]) * 2 + rng.randint(5, 60))
    if key == "big":
        return f"{rng.randint(1, 95) * 1000 + rng.choice([0, 200, 500, 750]):,}"
    if key in ("pct", "pct2", "rate", "rate2"):
        return f"{rng.randint(2, 38)}.{rng.randint(0, 9)}"
    if key == "pct_small":
        return f"{rng.randint(0, 4)}.{rng.randint(1, 9)}"
    if key == "money":
        unit = rng.choice(["million", "billion"])
        cur = rng.choice(["$", "", ""])
        amount = f"{rng.randint(2, 950)}" if unit == "million" else f"{rng.randint(1, 30)}.{rng.randint(0, 9)}"
        return f"${amount} {unit}" if cur else f"{amount} {unit} {ctx['currency']}s"
    if key == "fx":
        return f"{rng.randint(2, 3000)}.{rng.randint(0, 99):02d}"
    if key == "km":
        return str(rng.randint(3, 60) * 5)
    raise KeyError(f"unknown template slot {key!r}")


def _render(parts: Parts, ctx: Context, macros: dict[str, list[Parts]], out: list[str], choice: Callable) -> None:
    for p in parts:
        if type(p) is str:
            out.append(p)
            continue
        kind, v = p
        if kind == "s":
            out.append(ctx[v])
        elif kind == "a":
            _render(choice(v), ctx, macros, out, choice)
        else:
            _render(choice(macros[v]), ctx, macros, out, choice)


_SPACE_FIX = re.compile(r" +([,.;])| {2,}")


def _tidy(s: str) -> str:
    return _cap(_SPACE_FIX.sub(lambda m: m.group(1) or " ", s).strip())


# --- Public generator -----------------------------------------------------------------------------------------


@dataclass
class Paragraph:
    text: str
    topic: str
    templates: tuple[int, ...]
    n_words: int


@dataclass
class Article:
    title: str
    topic: str
    city: str
    region: str
    country: str
    paragraphs: list[str] = field(default_factory=list)


class TextGen:
    """All randomness flows from one seeded ``random.Random``: same seed, same calls -> same text."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def context(self, topic: str | None = None, parent: Context | None = None, **fixed: str) -> Context:
        topic = topic or (parent.topic if parent is not None else self.rng.choice(TOPICS))
        return Context(self.rng, topic, parent, **fixed)

    def sentence(self, ctx: Context, tid: int, choice: Callable | None = None) -> str:
        out: list[str] = []
        _render(_SENTENCES[ctx.topic][tid], ctx, _TOPIC_MACROS[ctx.topic], out, choice or self.rng.choice)
        return _tidy("".join(out))

    def paragraph(
        self,
        ctx: Context,
        min_words: int = 25,
        max_words: int = 90,
        templates: tuple[int, ...] | None = None,
    ) -> Paragraph:
        """Sentences from distinct templates until a drawn target length in [min_words, max_words] is reached.

        Given ``templates``, the same sentence templates are rendered again with this context: the "same
        template, different story" hard negative.
        """
        if templates is not None:
            sents = [self.sentence(ctx, t) for t in templates]
            text = " ".join(sents)
            return Paragraph(text, ctx.topic, tuple(templates), len(text.split()))
        rng = self.rng
        n_templates = len(_SENTENCES[ctx.topic])
        target = rng.randint(min_words, max_words)
        order = rng.sample(range(n_templates), n_templates)
        sents: list[str] = []
        used: list[int] = []
        words = 0
        for tid in order:
            s = self.sentence(ctx, tid)
            n = s.count(" ") + 1
            if words + n > max_words:
                continue
            sents.append(s)
            used.append(tid)
            words += n
            if words >= target:
                break
        if words < min_words:  # only possible with very tight bounds: pad with the shortest template we have
            return self.paragraph(ctx, min_words, max_words + 10)
        return Paragraph(" ".join(sents), ctx.topic, tuple(used), words)

    def formulaic_pair(self, topic: str, min_words: int = 25, max_words: int = 90) -> tuple[str, str]:
        """Two stories told with the very same words except names, places, numbers and days.

        The hardest honest negative: wire agencies file casualty counts and market closes this way, and a
        paragraph that differs only in its facts is a different report, not a copy.
        """
        rng = self.rng
        ctx_a, ctx_b = self.context(topic), self.context(topic)
        tids = self.paragraph(ctx_a, min_words, max_words).templates
        a, b = [], []
        for tid in tids:
            picks: list[int] = []

            def record(opts: list, picks: list[int] = picks):
                i = rng.randrange(len(opts))
                picks.append(i)
                return opts[i]

            a.append(self.sentence(ctx_a, tid, record))
            replay = iter(picks)
            b.append(self.sentence(ctx_b, tid, lambda opts, replay=replay: opts[next(replay)]))
        return " ".join(a), " ".join(b)

    def title(self, ctx: Context) -> str:
        out: list[str] = []
        _render(self.rng.choice(_TITLES[ctx.topic]), ctx, _TOPIC_MACROS[ctx.topic], out, self.rng.choice)
        return _tidy("".join(out))

    def article(self, topic: str | None = None, n_paragraphs: tuple[int, int] = (3, 12)) -> Article:
        """An article: one place and cast, paragraphs of 15-90 words (news has short one-sentence paragraphs)."""
        actx = self.context(topic)
        art = Article(self.title(actx), actx.topic, actx["city"], actx["region"], actx["country"])
        for _ in range(self.rng.randint(*n_paragraphs)):
            pctx = self.context(parent=actx)
            lo = 25 if self.rng.random() < 0.8 else 12
            art.paragraphs.append(self.paragraph(pctx, lo, 90).text)
        return art


# --- Wire edits -----------------------------------------------------------------------------------------------

_DAY = "(" + "|".join(DAYS) + ")"
ATTRIBUTION_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"\bsaid on {_DAY}\b"), r"said \1"),
    (re.compile(rf"\bsaid late on {_DAY}\b"), r"said late \1"),
    (re.compile(rf"\btold reporters on {_DAY}\b"), r"said \1"),
    (re.compile(r"\btold reporters\b"), "said"),
    (re.compile(r"\bsaid in a statement\b"), "said"),
    (re.compile(r"\btold (?:The Daily Meridian|the Northern Courier|the Coastal Herald|Frontier Radio|the Valley "
                r"Times|Metro Television|the Evening Ledger|Channel Nine News)\b"), "said"),
]
CLAUSES: list[str] = [
    "officials said", "police said", "a spokesman said", "the statement said", "he added", "she added",
    "witnesses said", "according to officials", "the ministry said later", "local media reported",
    "the agency was told", "a police source said", "residents told reporters", "a senior official said",
    "the army said in a statement",
]
SYNONYMS: dict[str, list[str]] = {
    "killed": ["slain", "left dead"], "wounded": ["injured", "hurt"], "injured": ["wounded", "hurt"],
    "attacked": ["assaulted", "hit"], "attack": ["assault", "strike"], "people": ["persons", "individuals"],
    "soldiers": ["troops"], "troops": ["soldiers"], "officials": ["authorities"], "authorities": ["officials"],
    "residents": ["locals", "inhabitants"], "about": ["around", "some"], "nearly": ["almost"],
    "almost": ["nearly"], "began": ["started"], "launched": ["started", "began"], "town": ["city"],
    "announced": ["said", "declared"], "percent": ["per cent"], "per": ["pc"], "rose": ["climbed", "increased"],
    "fell": ["dropped", "declined"], "said": ["stated"], "told": ["informed"], "government": ["administration"],
    "help": ["assist"], "meeting": ["session"], "large": ["big"], "big": ["large"], "demand": ["call for"],
    "shortly": ["soon"], "several": ["a number of"], "dozens": ["scores"], "protesters": ["demonstrators"],
    "demonstrators": ["protesters"], "bill": ["draft law"], "law": ["legislation"], "vote": ["ballot"],
    "prices": ["costs"], "council": ["authority"], "hospital": ["clinic"], "road": ["street"],
    "two": ["2"], "three": ["3"], "four": ["4"], "five": ["5"], "six": ["6"], "seven": ["7"], "eight": ["8"],
    "nine": ["9"], "ten": ["10"], "more": ["over"],
}
_SENT_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[\"“A-Z])")
_WORD = re.compile(r"\S+")


def sentences(text: str) -> list[str]:
    return [s for s in _SENT_SPLIT.split(text) if s]


def changed_words(original: str, edited: str) -> int:
    """Word edits between two comparison keys: the size of every non-equal block (replace counts its longer side)."""
    a, b = original.split(), edited.split()
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal")


def _budget(text: str) -> int:
    """Words an edit may change and stay within "<= 10% of words"."""
    return max(1, len(text.split()) // 10)


def edit_attribution(rng: random.Random, text: str) -> str | None:
    rules = [(p, r) for p, r in ATTRIBUTION_RULES if p.search(text)]
    if not rules:
        return None
    p, r = rng.choice(rules)
    return p.sub(r, text)


def edit_added_clause(rng: random.Random, text: str) -> str | None:
    budget = _budget(text)
    fits = [c for c in CLAUSES if len(c.split()) <= budget]
    ends = [m.start() for m in re.finditer(r"\.(?=\s|$)", text)]
    if not fits or not ends:
        return None
    at = rng.choice(ends)
    return f"{text[:at]}, {rng.choice(fits)}{text[at:]}"


def edit_dropped_word(rng: random.Random, text: str) -> str | None:
    words = text.split(" ")
    candidates = [i for i in range(1, len(words) - 1) if words[i].isalpha() and words[i].islower()]
    if not candidates:
        return None
    i = rng.choice(candidates)
    return " ".join(words[:i] + words[i + 1 :])


def edit_quotes(rng: random.Random, text: str) -> str | None:
    """Straight quotes become curly (and back), as CMS and wire systems disagree on them."""
    if '"' in text or "'" in text:
        out, opening = [], True
        for ch in text:
            if ch == '"':
                out.append("“" if opening else "”")
                opening = not opening
            elif ch == "'":
                out.append("’")
            else:
                out.append(ch)
        return "".join(out)
    if "“" in text or "’" in text:
        return text.replace("“", '"').replace("”", '"').replace("’", "'")
    return None


def edit_case(rng: random.Random, text: str) -> str | None:
    words = text.split(" ")
    mode = rng.randrange(3)
    if mode == 0:  # an all-caps dateline-style opening
        k = rng.randint(1, min(3, len(words)))
        return " ".join([w.upper() for w in words[:k]] + words[k:])
    if mode == 1:  # titles lower-cased ("Interior Minister" -> "interior minister")
        lowered = [w.lower() if i and w[:1].isupper() else w for i, w in enumerate(words)]
        return " ".join(lowered) if lowered != words else text.lower()
    return text.upper() if rng.random() < 0.3 else text.lower()


def edit_whitespace(rng: random.Random, text: str) -> str | None:
    # No line breaks: inside a one-paragraph article a newline would change how the layout detector splits it.
    mode = rng.randrange(3)
    if mode == 0:
        return re.sub(r"\. ", ".  ", text)
    if mode == 1:
        return "\u00a0" + text.replace(", ", ",\u00a0") + " \t"
    return text.replace(" ", "  ")


def edit_truncation(rng: random.Random, text: str) -> str | None:
    """The end of the last sentence trimmed, keeping at least 90% of the words (a desk cutting to fit)."""
    words = text.split()
    budget = _budget(text)
    sents = sentences(text)
    last = sents[-1].split()
    if len(sents) > 1 and len(last) <= budget:
        return " ".join(sents[:-1])
    if len(last) <= budget + 2:
        return None
    k = rng.randint(1, budget)
    kept = words[: len(words) - k]
    tail = kept[-1].rstrip(",;:")
    return " ".join(kept[:-1] + [tail]).rstrip(".") + "."


def edit_heavy_truncation(rng: random.Random, text: str) -> str | None:
    """The whole last sentence dropped although it is more than 10% of the words: outside the target on purpose."""
    sents = sentences(text)
    if len(sents) < 2 or len(sents[-1].split()) <= _budget(text):
        return None
    kept = " ".join(sents[:-1])
    return kept if len(kept.split()) >= 12 else None


def edit_synonym(rng: random.Random, text: str) -> str | None:
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if w.lower() in SYNONYMS]
    if not idx:
        return None
    n = rng.randint(1, max(1, min(len(idx), _budget(text) // 2 or 1)))
    for i in rng.sample(idx, n):
        w = words[i]
        rep = rng.choice(SYNONYMS[w.lower()])
        words[i] = _cap(rep) if w[:1].isupper() else rep
    return " ".join(words)


FILLERS = ["local", "new", "major", "other", "main", "recent", "further", "key", "senior", "large"]
_CORE = re.compile(r"^([\"“‘(]*)(.*?)([\"”’),.;:!?]*)$")


def edit_spread_substitution(rng: random.Random, text: str) -> str | None:
    """Exactly 10% of the words replaced, evenly spread: the worst case inside the target for shingle overlap,
    since every replacement breaks k shingles of its own."""
    words = text.split(" ")
    budget = _budget(text)
    if budget < 2:
        return None
    step = len(words) / budget
    for j in range(budget):
        i = min(len(words) - 1, int((j + rng.uniform(0.25, 0.75)) * step))
        lead, core, trail = _CORE.match(words[i]).groups()
        options = [o for o in SYNONYMS.get(core.lower(), []) if " " not in o] or [f for f in FILLERS if f != core]
        rep = rng.choice(options)
        words[i] = lead + (_cap(rep) if core[:1].isupper() else rep) + trail
    return " ".join(words)


EDITS: dict[str, Callable[[random.Random, str], str | None]] = {
    "attribution": edit_attribution,
    "added_clause": edit_added_clause,
    "dropped_word": edit_dropped_word,
    "quotes": edit_quotes,
    "case": edit_case,
    "whitespace": edit_whitespace,
    "truncation": edit_truncation,
    "synonym": edit_synonym,
    "spread_substitution": edit_spread_substitution,
    "heavy_truncation": edit_heavy_truncation,
}
LIGHT_EDITS = ("attribution", "added_clause", "dropped_word", "quotes", "case", "whitespace", "truncation", "synonym")


def edit_combination(rng: random.Random, text: str) -> str | None:
    """Two or three light edits in a row (the caller checks that the total stays within 10% of the words)."""
    kinds = rng.sample(LIGHT_EDITS, rng.randint(2, 3))
    out, applied = text, 0
    for k in kinds:
        e = EDITS[k](rng, out)
        if e is not None and e != out:
            out, applied = e, applied + 1
    return out if applied >= 2 else None


EDITS["combination"] = edit_combination


def wire_edit(rng: random.Random, text: str, kind: str) -> str | None:
    """Apply one edit kind; None when it does not apply to this text (no attribution phrase, no quotes...)."""
    return EDITS[kind](rng, text)
