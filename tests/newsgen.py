"""Synthetic news articles for the dedup tests and benchmark: distinct stories, light-edit copies, rewrites.

Every story is a set of facts (people, places, an organisation, numbers, an event) told
through sentence templates that each have two wordings. A *copy* is the same text with
light edits (words swapped, a sentence dropped, a footer added); a *rewrite* tells the
same facts in the other wording, in another order, as content farms do; a *translation*
tells them in Russian. Distinct stories share templates and filler, the hard negatives.
Stories come in English or, with ``language="hi"``, in Hindi (Devanagari: no capitals, so no
capitalised names for the deduplicator to take as facts).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

FIRST = ["Anna", "Boris", "Carla", "Dmitri", "Elena", "Frank", "Greta", "Hassan", "Irina", "Jonas", "Katya", "Liam",
         "Marta", "Nikolai", "Olga", "Pavel", "Rosa", "Sergei", "Tomas", "Vera", "Wiktor", "Yusuf", "Zofia", "Aleksei",
         "Bianca", "Cyril", "Dana", "Emil", "Fiona", "Gleb"]
LAST = ["Novak", "Petrov", "Schulz", "Kowalski", "Rossi", "Ivanova", "Dupont", "Horvat", "Lindqvist", "Moreau",
        "Kuznetsov", "Silva", "Bauer", "Nagy", "Popescu", "Jensen", "Volkov", "Marin", "Fischer", "Sokolova",
        "Keller", "Varga", "Orlov", "Costa", "Weber", "Belova", "Lang", "Dimitrov", "Hansen", "Zielinski"]
PLACES = ["Kharkiv", "Odesa", "Lviv", "Dnipro", "Kursk", "Belgorod", "Warsaw", "Vilnius", "Riga", "Tallinn", "Berlin",
          "Brussels", "Vienna", "Prague", "Budapest", "Bucharest", "Sofia", "Helsinki", "Oslo", "Geneva", "Istanbul",
          "Ankara", "Minsk", "Chisinau", "Tbilisi", "Yerevan", "Baku", "Paris", "Madrid", "Lisbon", "Rome", "Athens"]
ORGS = ["NATO", "the European Union", "the United Nations", "the Red Cross", "the IAEA", "the OSCE", "the G7",
        "the World Bank", "the IMF", "the Council of Europe", "the Pentagon", "the Kremlin", "the State Department"]
EVENTS = [("drone strike", "drone attack"), ("missile attack", "rocket strike"), ("power outage", "blackout"),
          ("cyber attack", "hacking campaign"), ("fuel shortage", "petrol crisis"), ("grain blockade", "blockade of grain"),
          ("border incident", "clash at the border"), ("prisoner exchange", "swap of prisoners"),
          ("flood", "inundation"), ("heatwave", "spell of extreme heat"), ("protest", "street demonstration"),
          ("arms delivery", "weapons shipment"), ("sanctions package", "round of sanctions"),
          ("evacuation", "mass evacuation"), ("gas price spike", "surge in gas prices")]
ACTIONS = [("send observers", "dispatch monitors"), ("freeze the assets", "block the funds"),
           ("open a humanitarian corridor", "set up a safe passage for civilians"),
           ("impose new tariffs", "introduce fresh import duties"), ("suspend the talks", "put negotiations on hold"),
           ("deliver air defence systems", "supply anti-aircraft batteries"),
           ("launch an investigation", "open an inquiry"), ("raise its military budget", "increase defence spending"),
           ("close the airspace", "shut the skies to flights"), ("expel the diplomats", "order the envoys out")]
TEMPLATES = [
    ("{a1} said on {day} that {org} would {act} in {p1}.",
     "{org} is set to {act2} in {p1}, {a1} announced on {day}."),
    ("At least {n1} people were affected by the {ev} in {p1}, local officials reported.",
     "Local authorities said the {ev2} in {p1} had hit no fewer than {n1} residents."),
    ("The {ev} began shortly after midnight and lasted for {n2} hours.",
     "It started just after midnight, and the {ev2} went on for {n2} hours."),
    ("{a2}, a spokesperson for {org}, called the situation in {p2} deeply worrying.",
     "Speaking for {org}, {a2} described events in {p2} as a cause of serious concern."),
    ("Critics argue that the decision to {act} comes far too late for the people of {p1}.",
     "For the residents of {p1}, the move to {act2} arrives much too late, its critics say."),
    ("Officials in {p2} estimated the damage at {n3} million euros.",
     "The bill for the damage stands at {n3} million euros, according to officials in {p2}."),
    ("{a1} warned that a repeat of the {ev} could not be ruled out this winter.",
     "Another {ev2} this winter remains possible, {a1} cautioned."),
    ("Around {n2} volunteers travelled from {p2} to help with the response.",
     "Some {n2} volunteers made the trip from {p2} to join the relief effort."),
    ("Opposition politicians accused the government of ignoring earlier warnings about the {ev}.",
     "The government ignored previous alerts about the {ev2}, opposition figures charged."),
    ("{a2} added that {org} had been in contact with authorities in {p1} since {day}.",
     "Since {day}, {org} has kept in touch with the authorities in {p1}, {a2} said."),
    ("Residents of {p1} described long queues for water and bread.",
     "People in {p1} spoke of waiting in long lines for bread and water."),
    ("The last comparable {ev} in the region took place {n4} years ago.",
     "Nothing like this {ev2} had happened in the region for {n4} years."),
]
FILLER = ["Markets reacted calmly to the news.", "The weather is expected to remain cold for the rest of the week.",
          "Schools in the region will stay open.", "Further updates are expected later in the day.",
          "The ministry did not respond to a request for comment.", "Analysts said the long-term effects were unclear.",
          "Rail services were running with some delays.", "A press conference is scheduled for tomorrow morning.",
          "Several embassies issued travel advice to their citizens.", "Prices in local shops rose slightly.",
          "The story is developing and will be updated.", "Independent journalists could not verify every claim."]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SWAPS = {"said": "stated", "people": "persons", "officials": "authorities", "long": "lengthy", "help": "assist",
         "deeply": "very", "damage": "destruction", "began": "started", "warned": "cautioned", "added": "noted"}
# Russian versions of the first six templates (first wording), for translations
RU = ["{a1} заявил в {day}, что {org} намерена {act} в городе {p1}.",
      "По данным местных властей, от последствий события ({ev}) в городе {p1} пострадали не менее {n1} человек.",
      "Всё началось вскоре после полуночи и продолжалось {n2} часов.",
      "{a2}, представитель организации {org}, назвал ситуацию в городе {p2} крайне тревожной.",
      "Критики считают, что решение {act} принято слишком поздно для жителей города {p1}.",
      "Чиновники в городе {p2} оценили ущерб в {n3} миллионов евро."]

# Hindi: the same kinds of facts and templates, written in Hindi (two wordings each)
HI_FIRST = ["अन्ना", "बोरिस", "कार्ला", "दिमित्री", "एलेना", "फ्रैंक", "ग्रेटा", "हसन", "इरीना", "योनास", "कात्या", "लियाम",
            "मार्टा", "निकोलाई", "ओल्गा", "पावेल", "रोज़ा", "सर्गेई", "तोमास", "वेरा", "विक्टर", "यूसुफ", "ज़ोफ़िया",
            "अलेक्सेई", "बियांका", "सिरिल", "दाना", "एमिल", "फियोना", "ग्लेब"]
HI_LAST = ["नोवाक", "पेत्रोव", "शुल्ज़", "कोवाल्स्की", "रॉसी", "इवानोवा", "दुपों", "होर्वात", "लिंडक्विस्ट", "मोरो",
           "कुज़नेत्सोव", "सिल्वा", "बाउर", "नाज", "पोपेस्कु", "जेन्सन", "वोल्कोव", "मारिन", "फिशर", "सोकोलोवा",
           "केलर", "वर्गा", "ओर्लोव", "कोस्टा", "वेबर", "बेलोवा", "लांग", "दिमित्रोव", "हैन्सन", "ज़िलिंस्की"]
HI_PLACES = ["खारकीव", "ओडेसा", "ल्वीव", "द्निप्रो", "कुर्स्क", "बेलगोरोद", "वारसॉ", "विल्नियस", "रीगा", "तालिन",
             "बर्लिन", "ब्रसेल्स", "वियना", "प्राग", "बुडापेस्ट", "बुखारेस्ट", "सोफिया", "हेलसिंकी", "ओस्लो", "जिनेवा",
             "इस्तांबुल", "अंकारा", "मिन्स्क", "किशिनाउ", "त्बिलिसी", "येरेवान", "बाकू", "पेरिस", "मैड्रिड", "लिस्बन",
             "रोम", "एथेंस"]
HI_ORGS = ["नाटो", "यूरोपीय संघ", "संयुक्त राष्ट्र", "रेड क्रॉस", "आईएईए", "ओएससीई", "जी7", "विश्व बैंक", "आईएमएफ",
           "यूरोप परिषद", "पेंटागन", "क्रेमलिन", "अमेरिकी विदेश विभाग"]
HI_EVENTS = [("ड्रोन हमले", "ड्रोन प्रहार"), ("मिसाइल हमले", "रॉकेट हमले"), ("बिजली कटौती", "ब्लैकआउट"),
             ("साइबर हमले", "हैकिंग अभियान"), ("ईंधन संकट", "पेट्रोल की किल्लत"), ("अनाज नाकेबंदी", "अनाज की घेराबंदी"),
             ("सीमा विवाद", "सरहद पर झड़प"), ("कैदियों की अदला-बदली", "बंदियों के आदान-प्रदान"), ("बाढ़", "जलप्रलय"),
             ("लू", "भीषण गर्मी"), ("विरोध प्रदर्शन", "सड़क आंदोलन"), ("हथियार आपूर्ति", "हथियारों की खेप"),
             ("प्रतिबंध पैकेज", "प्रतिबंधों के नए दौर"), ("निकासी", "बड़े पैमाने पर निकासी"),
             ("गैस के दामों में उछाल", "गैस की कीमतों में तेज़ी")]
HI_ACTIONS = [("पर्यवेक्षक भेजेगा", "निगरानी दल रवाना करेगा"), ("संपत्तियां जब्त करेगा", "धनराशि पर रोक लगाएगा"),
              ("मानवीय गलियारा खोलेगा", "नागरिकों के लिए सुरक्षित रास्ता बनाएगा"),
              ("नए शुल्क लगाएगा", "आयात पर ताज़ा कर थोपेगा"), ("वार्ता स्थगित करेगा", "बातचीत पर विराम लगाएगा"),
              ("वायु रक्षा प्रणाली देगा", "विमानभेदी तोपें मुहैया कराएगा"), ("जांच शुरू करेगा", "पड़ताल आरंभ करेगा"),
              ("सैन्य बजट बढ़ाएगा", "रक्षा खर्च में इज़ाफ़ा करेगा"), ("हवाई क्षेत्र बंद करेगा", "उड़ानों के लिए आसमान बंद करेगा"),
              ("राजनयिकों को निष्कासित करेगा", "दूतों को देश छोड़ने का आदेश देगा")]
HI_TEMPLATES = [
    ("{a1} ने {day} को कहा कि {org} {p1} में {act}।",
     "{a1} ने {day} को घोषणा की कि {org} जल्द ही {p1} में {act2}।"),
    ("स्थानीय अधिकारियों के अनुसार {p1} में {ev} से कम से कम {n1} लोग प्रभावित हुए।",
     "{p1} के स्थानीय प्रशासन ने बताया कि {ev2} की चपेट में {n1} से कम निवासी नहीं आए।"),
    ("यह सिलसिला आधी रात के कुछ देर बाद शुरू हुआ और {n2} घंटे तक चलता रहा।",
     "आधी रात के ठीक बाद शुरुआत हुई और {ev2} का दौर {n2} घंटे जारी रहा।"),
    ("{org} के प्रवक्ता {a2} ने {p2} की स्थिति को बेहद चिंताजनक बताया।",
     "{org} की ओर से बोलते हुए {a2} ने {p2} की घटनाओं को गंभीर चिंता का विषय कहा।"),
    ("आलोचकों का तर्क है कि यह फैसला {p1} के लोगों के लिए बहुत देर से आया है।",
     "आलोचकों के मुताबिक {p1} के निवासियों के लिए यह कदम काफी विलंब से उठाया गया।"),
    ("{p2} के अधिकारियों ने नुकसान का अनुमान {n3} मिलियन यूरो लगाया।",
     "{p2} के अफसरों के अनुसार क्षति का बिल {n3} मिलियन यूरो तक पहुंच गया है।"),
    ("{a1} ने चेतावनी दी कि इस सर्दी में फिर से {ev} की आशंका से इनकार नहीं किया जा सकता।",
     "{a1} ने आगाह किया कि इस सर्दी एक और {ev2} संभव है।"),
    ("लगभग {n2} स्वयंसेवक मदद के लिए {p2} से पहुंचे।",
     "राहत कार्य में हाथ बंटाने के लिए करीब {n2} वॉलंटियर {p2} से आए।"),
    ("विपक्षी नेताओं ने सरकार पर {ev} के बारे में पहले की चेतावनियों को नज़रअंदाज़ करने का आरोप लगाया।",
     "विपक्ष का आरोप है कि सरकार ने {ev2} को लेकर मिले पुराने संकेतों की अनदेखी की।"),
    ("{a2} ने यह भी कहा कि {org} {day} से {p1} के अधिकारियों के संपर्क में है।",
     "{a2} के अनुसार {day} से ही {org} का {p1} के प्रशासन से लगातार संपर्क बना हुआ है।"),
    ("{p1} के निवासियों ने पानी और रोटी के लिए लंबी कतारों का वर्णन किया।",
     "{p1} में लोगों ने बताया कि उन्हें रोटी और पानी के लिए लंबी लाइनों में इंतज़ार करना पड़ा।"),
    ("क्षेत्र में इसी तरह की पिछली घटना {n4} साल पहले हुई थी।",
     "इलाके में ऐसा {ev2} पिछले {n4} वर्षों में नहीं देखा गया था।"),
]
HI_FILLER = ["बाज़ार ने इस खबर पर शांत प्रतिक्रिया दी।", "सप्ताह के बाकी दिनों में मौसम ठंडा रहने की उम्मीद है।",
             "क्षेत्र के स्कूल खुले रहेंगे।", "दिन में बाद में और जानकारी आने की उम्मीद है।",
             "मंत्रालय ने टिप्पणी के अनुरोध का जवाब नहीं दिया।", "विश्लेषकों ने कहा कि दीर्घकालिक प्रभाव स्पष्ट नहीं हैं।",
             "रेल सेवाएं कुछ देरी के साथ चल रही थीं।", "कल सुबह एक संवाददाता सम्मेलन निर्धारित है।",
             "कई दूतावासों ने अपने नागरिकों के लिए यात्रा सलाह जारी की।", "स्थानीय दुकानों में कीमतें थोड़ी बढ़ गईं।",
             "यह खबर अपडेट की जा रही है।", "स्वतंत्र पत्रकार हर दावे की पुष्टि नहीं कर सके।"]
HI_DAYS = ["सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार"]
HI_SWAPS = {"कहा": "बताया", "लोग": "व्यक्ति", "अधिकारियों": "अफसरों", "लंबी": "लम्बी", "मदद": "सहायता",
            "बेहद": "अत्यंत", "नुकसान": "हानि", "शुरू": "आरंभ", "साल": "वर्ष", "पहले": "पूर्व"}


@dataclass
class Lexicon:
    """What stories of one language are made of."""

    first: list[str]
    last: list[str]
    places: list[str]
    orgs: list[str]
    events: list[tuple[str, str]]
    actions: list[tuple[str, str]]
    templates: list[tuple[str, str]]
    filler: list[str]
    days: list[str]
    swaps: dict[str, str]
    stop: str  # what ends a sentence
    titles: tuple[str, str] = field(default=("{p1}: {ev} leaves {n1} affected",
                                            "{Ev2} hits {p1} as {org} weighs response"))
    footer: str = "Read more news from the region on our website."


LEXICONS = {
    "en": Lexicon(FIRST, LAST, PLACES, ORGS, EVENTS, ACTIONS, TEMPLATES, FILLER, DAYS, SWAPS, "."),
    "hi": Lexicon(HI_FIRST, HI_LAST, HI_PLACES, HI_ORGS, HI_EVENTS, HI_ACTIONS, HI_TEMPLATES, HI_FILLER, HI_DAYS,
                  HI_SWAPS, "।", ("{p1}: {ev} से {n1} लोग प्रभावित", "{p1} में {ev2}, {org} जवाब पर कर रहा विचार"),
                  "क्षेत्र की और खबरें हमारी वेबसाइट पर पढ़ें।"),
}


@dataclass
class Article:
    id: str
    text: str
    date: str
    language: str = "en"
    origin: str = ""  # the id of the article it copies or rewrites
    kind: str = "distinct"  # distinct | copy | rewrite | translation


def _facts(rng: random.Random, lex: Lexicon) -> dict:
    a1, a2 = (f"{rng.choice(lex.first)} {rng.choice(lex.last)}" for _ in range(2))
    p1, p2 = rng.sample(lex.places, 2)
    ev, ev2 = rng.choice(lex.events)
    act, act2 = rng.choice(lex.actions)
    return {"a1": a1, "a2": a2, "p1": p1, "p2": p2, "org": rng.choice(lex.orgs), "ev": ev, "ev2": ev2,
            "Ev2": ev2.capitalize(), "act": act, "act2": act2, "day": rng.choice(lex.days),
            "n1": rng.randint(12, 4000), "n2": rng.randint(3, 90), "n3": rng.randint(2, 900), "n4": rng.randint(5, 60)}


def _story(rng: random.Random, lex: Lexicon, facts: dict, picks: list[int], wording: list[int], fillers: list[str],
           second_title: bool = False) -> str:
    sentences = [lex.templates[i][w].format(**facts) for i, w in zip(picks, wording, strict=True)]
    for filler in fillers:
        sentences.insert(rng.randrange(len(sentences) + 1), filler)
    sentences = [s[0].upper() + s[1:] for s in sentences]
    paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
    return lex.titles[second_title].format(**facts) + "\n\n" + "\n\n".join(paragraphs)


def _copy(rng: random.Random, lex: Lexicon, text: str) -> str:
    """Light edits: a few words swapped for synonyms, one sentence dropped, a footer."""
    title, _, body = text.partition("\n\n")
    stop = lex.stop + " "
    sentences = body.replace("\n\n", " ").split(stop)
    if len(sentences) > 6:
        del sentences[rng.randrange(1, len(sentences))]
    words = stop.join(sentences).split(" ")
    words = [lex.swaps.get(w, w) if rng.random() < 0.5 else w for w in words]
    return f"{title}\n\n{' '.join(words)}\n\n{lex.footer}"


def generate(n_distinct: int = 2000, n_copies: int = 50, n_rewrites: int = 20, n_translations: int = 0,
             seed: int = 13, language: str = "en") -> list[Article]:
    """``n_distinct`` stories in ``language`` ("en" or "hi"), then copies, rewrites and (from English) Russian
    translations of some of them, shuffled; each derived article is dated after its origin."""
    lex = LEXICONS[language]
    if n_translations and language != "en":
        raise ValueError("translations are written from English stories only")
    rng = random.Random(seed)
    stories: list[tuple[Article, dict, list[int]]] = []
    for i in range(n_distinct):
        facts = _facts(rng, lex)
        picks = rng.sample(range(len(lex.templates)), rng.randint(7, 10))
        wording = [rng.randrange(2) for _ in picks]
        text = _story(rng, lex, facts, picks, wording, rng.sample(lex.filler, 2))
        stories.append((Article(f"s{i}", text, f"2025-03-{1 + i % 20:02d}", language), facts, picks))
    derived: list[Article] = []
    origins = rng.sample(range(n_distinct), n_copies + n_rewrites + n_translations)
    for k, index in enumerate(origins):
        article, facts, picks = stories[index]
        later = f"2025-03-{int(article.date[-2:]) + rng.randint(1, 8):02d}"
        if k < n_copies:
            derived.append(Article(f"c{k}", _copy(rng, lex, article.text), later, language, article.id, "copy"))
        elif k < n_copies + n_rewrites:
            order = rng.sample(picks, len(picks))[: max(6, len(picks) - 1)]
            wording = [1 - _wording_of(lex, article.text, i, facts) for i in order]
            text = _story(rng, lex, facts, order, wording, rng.sample(lex.filler, 2), second_title=True)
            derived.append(Article(f"r{k}", text, later, language, article.id, "rewrite"))
        else:
            ru = [RU[i].format(**facts) for i in range(len(RU))]
            text = f"{facts['p1']}: {facts['n1']} пострадавших\n\n" + " ".join(ru)
            derived.append(Article(f"t{k}", text, later, language="ru", origin=article.id, kind="translation"))
    articles = [story[0] for story in stories] + derived
    rng.shuffle(articles)
    return articles


def _wording_of(lex: Lexicon, text: str, template: int, facts: dict) -> int:
    return 0 if lex.templates[template][0].format(**facts) in text else 1
