"""Synthetic news articles for the dedup tests and benchmark: distinct stories, light-edit copies, rewrites.

Every story is a set of facts (people, places, an organisation, numbers, an event) told
through sentence templates that each have two wordings. A *copy* is the same text with
light edits (words swapped, a sentence dropped, a footer added); a *rewrite* tells the
same facts in the other wording, in another order, as content farms do; a *translation*
tells them in Russian. Distinct stories share templates and filler, the hard negatives.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

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


@dataclass
class Article:
    id: str
    text: str
    date: str
    language: str = "en"
    origin: str = ""  # the id of the article it copies or rewrites
    kind: str = "distinct"  # distinct | copy | rewrite | translation


def _facts(rng: random.Random) -> dict:
    a1, a2 = (f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(2))
    p1, p2 = rng.sample(PLACES, 2)
    ev, ev2 = rng.choice(EVENTS)
    act, act2 = rng.choice(ACTIONS)
    return {"a1": a1, "a2": a2, "p1": p1, "p2": p2, "org": rng.choice(ORGS), "ev": ev, "ev2": ev2, "act": act,
            "act2": act2, "day": rng.choice(DAYS), "n1": rng.randint(12, 4000), "n2": rng.randint(3, 90),
            "n3": rng.randint(2, 900), "n4": rng.randint(5, 60)}


def _title(facts: dict, second: bool) -> str:
    return (f"{facts['ev2'].capitalize()} hits {facts['p1']} as {facts['org']} weighs response" if second
            else f"{facts['p1']}: {facts['ev']} leaves {facts['n1']} affected")


def _story(rng: random.Random, facts: dict, picks: list[int], wording: list[int], fillers: list[str],
           second_title: bool = False) -> str:
    sentences = [TEMPLATES[i][w].format(**facts) for i, w in zip(picks, wording, strict=True)]
    for filler in fillers:
        sentences.insert(rng.randrange(len(sentences) + 1), filler)
    sentences = [s[0].upper() + s[1:] for s in sentences]
    paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
    return _title(facts, second_title) + "\n\n" + "\n\n".join(paragraphs)


def _copy(rng: random.Random, text: str) -> str:
    """Light edits: a few words swapped for synonyms, one sentence dropped, a footer."""
    title, _, body = text.partition("\n\n")
    sentences = body.replace("\n\n", " ").split(". ")
    if len(sentences) > 6:
        del sentences[rng.randrange(1, len(sentences))]
    words = ". ".join(sentences).split(" ")
    words = [SWAPS.get(w, w) if rng.random() < 0.5 else w for w in words]
    return f"{title}\n\n{' '.join(words)}\n\nRead more news from the region on our website."


def generate(n_distinct: int = 2000, n_copies: int = 50, n_rewrites: int = 20, n_translations: int = 0,
             seed: int = 13) -> list[Article]:
    """``n_distinct`` stories, then copies, rewrites and Russian translations of some of them, shuffled;
    each derived article is dated after its origin."""
    rng = random.Random(seed)
    stories: list[tuple[Article, dict, list[int]]] = []
    for i in range(n_distinct):
        facts = _facts(rng)
        picks = rng.sample(range(len(TEMPLATES)), rng.randint(7, 10))
        wording = [rng.randrange(2) for _ in picks]
        text = _story(rng, facts, picks, wording, rng.sample(FILLER, 2))
        stories.append((Article(f"s{i}", text, f"2025-03-{1 + i % 20:02d}"), facts, picks))
    derived: list[Article] = []
    origins = rng.sample(range(n_distinct), n_copies + n_rewrites + n_translations)
    for k, index in enumerate(origins):
        article, facts, picks = stories[index]
        later = f"2025-03-{int(article.date[-2:]) + rng.randint(1, 8):02d}"
        if k < n_copies:
            derived.append(Article(f"c{k}", _copy(rng, article.text), later, origin=article.id, kind="copy"))
        elif k < n_copies + n_rewrites:
            order = rng.sample(picks, len(picks))[: max(6, len(picks) - 1)]
            wording = [1 - _wording_of(article.text, i, facts) for i in order]
            text = _story(rng, facts, order, wording, rng.sample(FILLER, 2), second_title=True)
            derived.append(Article(f"r{k}", text, later, origin=article.id, kind="rewrite"))
        else:
            ru = [RU[i].format(**facts) for i in range(len(RU))]
            text = f"{facts['p1']}: {facts['n1']} пострадавших\n\n" + " ".join(ru)
            derived.append(Article(f"t{k}", text, later, language="ru", origin=article.id, kind="translation"))
    articles = [story[0] for story in stories] + derived
    rng.shuffle(articles)
    return articles


def _wording_of(text: str, template: int, facts: dict) -> int:
    return 0 if TEMPLATES[template][0].format(**facts) in text else 1
