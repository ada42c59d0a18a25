"""Regenerate the sample-corpus files that cannot be written or reviewed as plain UTF-8 text.

Compressed inputs (.gz, .bz2, .zst), the Latin-1 and BOM+CRLF files, the empty file and the fake scan are produced
here so a diff of this script is the review of those files, and so editors and git attributes never silently
"fix" their bytes. Output is byte-for-byte deterministic: gzip mtime is 0, zstd level and bz2 level are fixed and
the fake scan comes from a fixed hash chain, so re-running it leaves `git status` clean.

Run from anywhere:  python tests/make_sample_binaries.py
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import textwrap
from pathlib import Path

import zstandard

HERE = Path(__file__).resolve().parent.parent / "sample_corpus"

# The Meridian Wire story (see wire/lagos_ledger_zamfara_kidnapping.txt for the verbatim copy). The Savannah Post
# copy below drops one word ("shortly") from the second paragraph and adds its own intro line.
SAVANNAH_WIRE_COPY = [
    "The Savannah Post is carrying this report from Meridian Wire as part of our coverage of insecurity in the "
    "north.",
    "GUSAU, Nigeria (Meridian Wire) — Gunmen on motorcycles abducted at least 37 people, most of them women and "
    "children, in a night-time raid on a farming village in northwest Nigeria's Zamfara State, police said on "
    "Saturday, the latest in a wave of mass kidnappings for ransom across the region.",
    "The attackers arrived in Kadisau village in Maru local government area before midnight on Thursday, "
    "firing into the air to scatter residents before herding their captives into the surrounding forest, police "
    "spokeswoman Hadiza Musa Bello said in a statement.",
    "“They came on more than 50 motorcycles, three men on each one,” said Lawal Sani, a farmer who escaped by "
    "hiding in a grain store. “They took my two daughters and my brother’s wife. We heard them shouting that the "
    "village had refused to pay the levy.”",
    "Armed groups known locally as bandits have for years raided villages, kidnapped travellers and imposed taxes "
    "on farmers across northwest Nigeria. They operate from camps in vast forests that straddle Zamfara, Katsina "
    "and Kaduna states, and security forces have struggled to dislodge them.",
    "Zamfara State Governor Abdulkadir Yakubu condemned the attack and said troops and police had been deployed to "
    "track the kidnappers. He urged residents not to negotiate with the gunmen or pay ransoms, a policy that many "
    "families say leaves them with no other option.",
    "The Nigerian army said in a separate statement that air force jets had struck a bandit hideout in the "
    "Dansadau forest on Friday, killing “scores of terrorists,” but did not say whether the strike was linked to "
    "the kidnapping. The claim could not be independently verified.",
    "Nigeria's federal government has come under growing pressure to restore security in the north, where "
    "kidnapping has become a lucrative industry. A survey by a Lagos-based research firm estimated that Nigerians "
    "paid the equivalent of more than $1.4 billion in ransoms in the 12 months to April.",
]

SAVANNAH_POST = [
    {
        "id": "sp-2024-05-18-0093",
        "title": "Bandits abduct 37 villagers in Zamfara night raid",
        "url": "https://savannahpost.example/north-west/zamfara-kadisau-abduction",
        "published": "2024-05-18T16:20:00Z",
        "sep": "\n\n",
        "paras": SAVANNAH_WIRE_COPY,
    },
    {
        "id": "sp-2024-03-04-0051",
        "title": "ISWAP fighters attack military base in northern Borno, residents say",
        "url": "https://savannahpost.example/north-east/malam-fatori-base-attack",
        "published": "2024-03-04T18:30:00+01:00",
        "sep": "\n\n",
        "paras": [
            "MAIDUGURI, Nigeria — Fighters from Islamic State West Africa Province (ISWAP) attacked a military base "
            "in the town of Malam Fatori in northeast Nigeria's Borno State late on Sunday, burning vehicles and "
            "forcing hundreds of residents to flee toward the border with Niger, residents and security sources "
            "said.",
            "The attackers arrived in gun trucks shortly after sunset and exchanged fire with soldiers for about "
            "three hours, according to a member of a civilian militia that works alongside the army, who asked not "
            "to be named because he was not authorised to speak to reporters.",
            "The army said in a statement that troops had repelled the attack and killed \"several terrorists\", and "
            "that two soldiers had been wounded. It did not comment on reports from residents that the base's "
            "armoury had been looted.",
            "ISWAP split from Boko Haram in 2016 and has since become the dominant jihadist group around Lake Chad, "
            "where it taxes fishermen and farmers and attacks military positions. Its fighters have repeatedly "
            "targeted bases in northern Borno, close to the lake.",
            "The conflict in northeast Nigeria has killed more than 40,000 people and displaced about two million "
            "since 2009, according to the United Nations. Aid agencies say funding cuts have forced them to reduce "
            "food rations in camps around Maiduguri.",
        ],
    },
    {
        "id": "sp-2024-06-10-0117",
        "title": "Five police officers killed by roadside bomb in Kenya's Mandera county",
        "url": "https://savannahpost.example/east-africa/mandera-roadside-bomb",
        "published": "2024-06-10T12:00:00+03:00",
        "sep": "\n",
        "paras": [
            "MANDERA, Kenya — Five Kenyan police officers were killed when their vehicle struck a roadside bomb near "
            "the Somali border in Mandera county on Monday, police said, in an attack they blamed on al-Shabaab "
            "militants.",
            "The officers were escorting a water truck between the towns of Elwak and Kotulo when the explosive went "
            "off, a regional police commander said. Two other officers were taken to hospital in Mandera town with "
            "serious injuries.",
            "Al-Shabaab, which is linked to al-Qaeda and is fighting to overthrow the federal government in Somalia, "
            "frequently plants improvised explosives along roads in Kenya's north-east and has attacked schools, "
            "buses and telecommunications masts in the region.",
            "Interior Cabinet Secretary Joseph Mutua Kariuki said security operations along the border would be "
            "stepped up and urged residents to report strangers to the police. Local leaders said several schools "
            "in the area had closed after teachers refused to stay.",
            "Kenya has troops in Somalia as part of an African Union force, and the militants say their attacks "
            "inside Kenya are retaliation for that deployment.",
        ],
    },
    {
        "id": "sp-2024-06-09-0112",
        "title": "Shelling of El Fasher hospital kills patients as RSF tightens siege",
        "url": "https://savannahpost.example/sudan/el-fasher-hospital-shelling",
        "published": "2024-06-09T20:15:00+02:00",
        "sep": "\n\n",
        "paras": [
            "Artillery shells hit the main hospital in El Fasher, the capital of Sudan's North Darfur state, on "
            "Saturday, killing at least nine patients and relatives, medics said, as the paramilitary Rapid Support "
            "Forces (RSF) pressed an offensive on the last city in Darfur held by the army.",
            "Doctors Without Borders said the hospital had been hit several times in recent weeks and was now "
            "working with a handful of staff. Surgeons had been operating by torchlight since fuel for the "
            "generators ran out, the medical charity said.",
            "The RSF has been fighting the Sudanese Armed Forces since April 2023 in a war that the United Nations "
            "says has displaced more than 10 million people. The RSF and allied Arab militias are accused of "
            "ethnically targeted killings in West Darfur, and both sides of other abuses.",
            "Residents said the RSF had surrounded the city, cutting off roads used by traders and aid convoys. "
            "\"We eat one meal a day, if we are lucky,\" said a teacher reached by satellite phone, who asked that "
            "his name not be used.",
            "The UN Security Council has demanded an end to the siege. The RSF said its forces were targeting army "
            "positions and accused the military of using civilians as shields.",
        ],
    },
    {
        "id": "sp-2024-05-27-0101",
        "title": "Burkina army says it repelled attack on besieged Djibo",
        "url": "https://savannahpost.example/sahel/djibo-attack-repelled",
        "published": "2024-05-27T09:30:00+00:00",
        "sep": "\n\n",
        "paras": [
            "OUAGADOUGOU, Burkina Faso — Burkina Faso's army said it had repelled a large attack by jihadist "
            "fighters on the northern town of Djibo, where tens of thousands of displaced people have lived under a "
            "blockade for more than two years.",
            "Residents said the fighting lasted most of Sunday and that a military camp and a water station on the "
            "edge of the town had been damaged. State television said dozens of attackers had been killed but gave "
            "no figure for losses among soldiers or civilians.",
            "JNIM, the al-Qaeda affiliate active across the Sahel, has encircled Djibo since 2022, laying mines on "
            "access roads and attacking supply convoys. The town is now supplied mostly by military helicopters and "
            "occasional escorted convoys.",
            "The ruling junta has restricted reporting on the conflict and suspended several foreign media outlets, "
            "making casualty figures hard to verify. Human Rights Watch has accused both the army and jihadist "
            "groups of killing civilians.",
            "Ouagadougou has expelled French troops, turned to Russia for military support and joined Mali and "
            "Niger in a new confederation of Sahel states.",
        ],
    },
    {
        "id": "sp-2024-04-22-0077",
        "title": "Separatists blamed for killing of village chief in Cameroon's Northwest region",
        "url": "https://savannahpost.example/central-africa/bamenda-chief-killed",
        "published": "2024-04-22T15:00:00+01:00",
        "sep": "\n\n",
        "paras": [
            "BAMENDA, Cameroon — Suspected separatist fighters killed a traditional chief and two of his guards in "
            "Cameroon's English-speaking Northwest region, local officials said on Monday, accusing the armed groups "
            "of punishing community leaders who had urged residents to defy a lockdown the separatists imposed.",
            "Gunmen stormed the chief's palace in a village near Bamenda overnight, according to the regional "
            "governor's office. Nobody has claimed responsibility, but the government blamed separatists who have "
            "fought since 2017 for an independent state they call Ambazonia.",
            "The conflict, rooted in grievances over the marginalisation of English speakers in a mostly "
            "French-speaking country, has killed more than 6,000 people and displaced hundreds of thousands, "
            "according to the International Crisis Group.",
            "Rights groups have accused both the separatists and the army of killing civilians and burning "
            "villages. Yaoundé has rejected calls for international mediation.",
        ],
    },
]

SOMALIA = (
    "Title: Gunmen and suicide bomber kill dozens at Mogadishu beach\n"
    "Date: 2024-08-03T11:00:00+03:00\n"
    "Source: Horn Daily Monitor\n"
    "URL: https://horndailymonitor.example/somalia/lido-beach-attack\n"
    "\n",
    [
        "MOGADISHU, Somalia — At least 32 people were killed and dozens wounded when a suicide bomber blew himself "
        "up and gunmen opened fire on crowds at Lido beach in the Somali capital on Friday evening, police said.",
        "Families had gathered at beachfront restaurants for the start of the weekend when the attack began. "
        "Witnesses described people running into the sea to escape the gunfire. A police spokesman said one "
        "attacker was captured and the others were killed.",
        "Al-Shabaab claimed responsibility in a statement on a website affiliated with the group. The "
        "al-Qaeda-linked militants have carried out several attacks on hotels and restaurants at Lido in recent "
        "years, despite checkpoints on the roads leading to the beach.",
        "\"My brother went to buy tea and never came back,\" said Abdirahman Nur, who was searching for relatives "
        "at Madina hospital. \"Every year they promise us security, and every year we bury people.\"",
        "The African Union mission, which is gradually handing responsibility for security to Somali forces, "
        "condemned the attack. Government officials said an offensive against al-Shabaab in central Somalia would "
        "continue.",
    ],
)

ZAPORIZHZHIA = (
    "Drone strikes training centre at Zaporizhzhia nuclear plant, IAEA says\n",
    [
        "The International Atomic Energy Agency said on Sunday that a drone had struck the training centre of the "
        "Zaporizhzhia nuclear power plant in southern Ukraine, the latest in a series of attacks on Europe's "
        "largest nuclear facility, which has been under Russian control since March 2022.",
        "IAEA experts stationed at the site saw the aftermath of the strike and reported no casualties or damage "
        "to safety systems, the agency said. The plant's six reactors have been in cold shutdown for months, "
        "reducing but not removing the risk of an accident.",
        "The Russian-installed management of the plant blamed Ukrainian forces for the attack. Kyiv denied any "
        "involvement and accused Moscow of staging provocations to discredit Ukraine.",
        "\"Attacking a nuclear power plant is completely unacceptable, whoever is responsible,\" the agency's "
        "director general said in a statement, urging both sides to respect the principles agreed for protecting "
        "the site.",
        "The plant lies on the southern bank of the Dnipro river in the town of Enerhodar, across the water from "
        "Ukrainian-held Nikopol, which is shelled almost daily. Residents of Nikopol say they regularly hear "
        "explosions near the plant.",
    ],
)

MYANMAR = (
    "Title: Ethnic armed alliance says it has captured Lashio military command\n"
    "Date: 2024-08-04\n"
    "Source: Mekong Dispatch\n"
    "URL: https://mekongdispatch.example/myanmar/lashio-command-captured\n"
    "\n",
    [
        "YANGON, Myanmar — An alliance of ethnic armed groups said on Saturday that it had captured the "
        "headquarters of the Myanmar military's Northeastern Command in Lashio, the largest town in northern Shan "
        "State, in one of the heaviest defeats for the junta since it seized power in 2021.",
        "The Myanmar National Democratic Alliance Army (MNDAA), part of a coalition known as the Three "
        "Brotherhood Alliance, posted photographs of its fighters at the command's gate. The military did not "
        "comment, but pro-army social media accounts said contact with the base had been lost.",
        "Lashio lies on the main trade route to China, and its fall leaves the junta with few footholds in the "
        "north-east of the country. Beijing, which has brokered ceasefires in Shan State before, called on all "
        "sides to stop fighting and to protect Chinese citizens and projects.",
        "Thousands of residents fled the town as fighting intensified last month, many of them toward Mandalay, "
        "according to aid workers. Rights groups say air strikes on towns taken by resistance groups have killed "
        "dozens of civilians.",
        "Naypyitaw has introduced a conscription law to replenish its depleted ranks, and thousands of young "
        "people have fled abroad or joined resistance forces to avoid being drafted.",
    ],
)

# Latin-1 only: straight quotes and hyphens, no dashes or curly quotes (encode() below checks it).
LATIN1 = (
    "Title: Stadium security firm fined £240,000 over crush at Cardiff concert\n"
    "Date: 2024-02-20\n"
    "Source: Severn Valley Gazette\n"
    "URL: https://severnvalleygazette.example/news/cardiff-concert-crush-fine\n"
    "\n",
    [
        "A private security company has been fined £240,000 after a crowd crush at a concert in Cardiff left 14 "
        "people injured, two of them seriously, when an exit gate was found locked during an evacuation.",
        "Cardiff Crown Court heard that stewards employed by Gatehouse Event Security had been told to keep the "
        "north gate shut to stop people entering without tickets, and that nobody with a key was nearby when the "
        "fire alarm sounded.",
        "Judge Rhiannon Pryce said the firm had shown \"a serious failure to plan for the most obvious emergency\" "
        "and ordered it to pay £38,500 in costs on top of the fine.",
        "One of those injured, Zoë Llewellyn, 27, said she had been pinned against a barrier for several minutes. "
        "\"I thought I was going to die in front of my sister,\" she said in a statement read to the court by the "
        "prosecutor.",
        "The company's managing director, Sébastien Morel, said it had overhauled its training and would no longer "
        "work at venues without a full evacuation plan agreed with South Wales Police and the fire service.",
        "The Health and Safety Executive said the case should serve as a warning to every event organiser in the "
        "country.",
    ],
)

BOM_CRLF = (
    "Title: Displaced Yazidi families begin returning to Sinjar as camps close\n"
    "Date: 2024-07-30T10:00:00+03:00\n"
    "Source: Tigris Report\n"
    "URL: https://tigrisreport.example/iraq/sinjar-returns-camps-close\n"
    "\n",
    [
        "SINJAR, Iraq — Hundreds of Yazidi families have returned to the Sinjar district of northern Iraq in recent "
        "weeks as the federal government moves to close displacement camps in the Kurdistan region, but many say "
        "they are coming back to destroyed homes and few jobs.",
        "Baghdad has offered each returning family a grant of 4 million dinars, about $3,000, and set a deadline "
        "for closing the camps in Duhok province, where tens of thousands of Yazidis have lived since Islamic "
        "State overran Sinjar in 2014.",
        "\"Our house has no roof and the school has no teachers, but at least it is our land,\" said Khalil Murad, "
        "45, who returned with his wife and five children to a village at the foot of Mount Sinjar. \"In the camp "
        "we were waiting for nothing.\"",
        "Sinjar is contested between the federal government and the Kurdistan Regional Government, and several "
        "armed groups, including a Yazidi militia linked to the Kurdistan Workers' Party (PKK), operate in the "
        "district. Turkish drone strikes have targeted the militia's commanders.",
        "The UN says more than 200,000 Yazidis remain displaced and that mass graves from the 2014 genocide are "
        "still being excavated. Aid agencies warn that closing the camps without services in Sinjar could push "
        "families to leave Iraq altogether.",
    ],
)


def blank_line_text(head: str, paras: list[str]) -> str:
    return head + "\n\n".join(paras) + "\n"


def line_per_paragraph_text(head: str, paras: list[str]) -> str:
    return head + "\n".join(paras) + "\n"


def hard_wrapped_text(head: str, paras: list[str], width: int = 72) -> str:
    # break_on_hyphens=False: a line ending in a real hyphen ("al-Qaeda-") would be re-joined as one word.
    blocks = [
        "\n".join(textwrap.wrap(p, width, break_on_hyphens=False, break_long_words=False)) for p in paras
    ]
    return head + "\n\n".join(blocks) + "\n"


def jsonl_bytes(records: list[dict], source: str) -> bytes:
    lines = []
    for r in records:
        rec = {"id": r["id"], "title": r["title"], "url": r["url"], "published": r["published"], "source": source,
               "text": r["sep"].join(r["paras"])}
        lines.append(json.dumps(rec, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def fake_scan(n_bytes: int = 3072) -> bytes:
    """A TIFF-looking blob with NULs: what a scraper saves when a link points at an image, not an article."""
    out = bytearray(b"II*\x00\x08\x00\x00\x00")
    block = b"newsbeam scan_0032"
    while len(out) < n_bytes:
        block = hashlib.sha256(block).digest()
        out += block[:24] + b"\x00" * 8
    return bytes(out[:n_bytes])


def build() -> dict[str, bytes]:
    """Relative path -> exact bytes of every generated file."""
    return {
        "feeds/savannah_post_archive.jsonl.gz": gzip.compress(
            jsonl_bytes(SAVANNAH_POST, "Savannah Post"), compresslevel=9, mtime=0
        ),
        "archive/somalia_lido_beach_attack.txt.gz": gzip.compress(
            blank_line_text(*SOMALIA).encode("utf-8"), compresslevel=9, mtime=0
        ),
        "archive/ukraine_zaporizhzhia_drone.txt.bz2": bz2.compress(
            line_per_paragraph_text(*ZAPORIZHZHIA).encode("utf-8"), compresslevel=9
        ),
        "archive/myanmar_lashio_command.txt.zst": zstandard.ZstdCompressor(level=10).compress(
            hard_wrapped_text(*MYANMAR).encode("utf-8")
        ),
        "misc/cardiff_crush_fine_latin1.txt": blank_line_text(*LATIN1).encode("latin-1"),
        "misc/sinjar_returns_bom_crlf.txt": b"\xef\xbb\xbf"
        + blank_line_text(*BOM_CRLF).replace("\n", "\r\n").encode("utf-8"),
        "misc/empty.txt": b"",
        "misc/scan_0032.txt": fake_scan(),
    }


def main() -> None:
    for rel, data in build().items():
        path = HERE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{rel}: {len(data)} bytes")


if __name__ == "__main__":
    main()
