"""Entity framing: actor table, mention finding, linking, role model training and the official format."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.entities.actors import ActorTable
from narrascope.entities.features import MentionInput, mention_tokens
from narrascope.entities.linking import link_mentions
from narrascope.entities.mentions import MentionFinder
from narrascope.ingest.annotations import RoleAnnotation
from narrascope.schema import Document, Entity, Label, Mention, Span
from narrascope.training.roles import learned_gazetteer


def test_actor_table_resolves_aliases_across_languages():
    table = ActorTable.default()
    for surface in ("Zelenskyy", "Zelensky", "Зеленского", "जेलेंस्की", "the Ukrainian president"):
        assert table.lookup(surface).id == "zelensky", surface
    for surface in ("Russia", "Русия", "России", "रूस", "Rússia"):
        assert table.lookup(surface).id == "russia", surface
    assert table.lookup("the West").id == table.lookup("Западът").id == table.lookup("Ocidente").id == "west"
    assert table.lookup("Jane Doe") is None


def test_actor_table_does_not_read_the_pronoun_us_as_the_usa():
    text = "They told us that the US and NATO knew."
    found = [(text[s:e], a.id) for s, e, a in ActorTable.default().find(text)]
    assert ("US", "usa") in found and ("NATO", "nato") in found
    assert all(surface != "us" for surface, _ in found)


def test_linking_groups_names_surnames_and_aliases():
    entities, index = link_mentions(["Vladimir Putin", "Zelenskyy", "Putin", "Zelensky", "the Ukrainian president",
                                     "Keir Starmer", "Starmer", "Kyiv"])
    names = [entities[i].name for i in index]
    assert names[0] == names[2] == "Vladimir Putin"
    assert names[1] == names[3] == names[4] == "Volodymyr Zelensky"
    assert names[5] == names[6] == "Keir Starmer"
    assert len(entities) == 4


def test_linking_reads_russian_case_endings():
    texts = ["Жозепа Борреля", "Борреля", "Жозеп Боррель", "Боррелем", "Сталинграда", "Сталинград", "Людмила Богила",
             "ЕП Богил", "Богила", "РИА Новости Крым", "Крыму", "местные власти", "Власти", "president of Mexico",
             "Mexico"]
    entities, index = link_mentions(texts)
    names = [entities[i].name for i in index]
    assert index[0] == index[1] == index[2] == index[3] and names[0] == "Жозеп Боррель"  # the nominative
    assert index[4] == index[5] and names[4] == "Сталинград"
    assert index[8] == index[6] != index[7]  # "Богила" as written before an inflected match
    assert index[10] != index[9]  # a place is no surname of a name of three words
    assert index[12] != index[11] and index[14] != index[13]  # a lower-case phrase takes no "surname"
    assert link_mentions(["Biden", "Joe Biden", "Bidens"])[1] == [0, 0, 1]  # Latin words are not stemmed


def test_linking_reads_the_case_endings_of_place_adjectives():
    """"Курская область" in its cases, and "Курской" alone, are one place; its neighbour is another."""
    texts = ["Курской области", "Курская область", "Курскую область", "Курской", "Белгородская область",
             "Белгородской", "Курск"]
    entities, index = link_mentions(texts)
    assert index[0] == index[1] == index[2] == index[3] and entities[index[0]].name in texts[:3]
    assert index[4] == index[5] != index[0] and entities[index[4]].name == "Белгородская область"
    assert index[6] not in (index[0], index[4])  # the city is not its region
    assert link_mentions(["Курская область", "Курска"])[1] == [0, 1]  # "Курска" (of the city) is no adjective
    assert link_mentions(["Курский район", "Курского района", "Курском районе"])[1] == [0, 0, 0]  # masculine too
    # nouns keep their own endings: "Николая", "Николаю", "Николаем" are one name, as before
    assert link_mentions(["Николая", "Николаю", "Николаем"])[1] == [0, 0, 0]
    assert link_mentions(["Движение", "Движения"])[1] == [0, 0]


def test_english_mentions_come_from_spacy_and_the_table():
    text = "Keir Starmer met Zelenskyy in London.\nThe Kremlin said NATO is escalating."
    found = {text[c.start:c.end] for c in MentionFinder(ner=True).find(text, "en")}
    assert {"Keir Starmer", "Zelenskyy", "London", "Kremlin", "NATO"} <= found


def test_every_country_is_one_actor_in_the_five_languages():
    """Countries beyond the main actors (CLDR names): one English name in every language, Hindi with or
    without the nukta, Russian in its cases; a lower-case word ("chad", "jordan") names no country."""
    table = ActorTable.default()
    for surface in ("Libya", "Либия", "Ливии", "Líbia", "लीबिया"):
        assert table.lookup(surface).name == "Libya", surface
    for surface in ("कज़ाखस्तान", "कजाखस्तान", "Казахстана", "Cazaquistão"):
        assert table.lookup(surface).id == "kazakhstan", surface  # the main actor keeps its id
    assert table.lookup("Нигерии").name == "Nigeria" and table.lookup("Нигера").name == "Niger"
    assert table.lookup("Türkiye").id == "turkey" and table.lookup("Burma").name == "Myanmar"
    assert table.lookup("Америка").id == "usa"  # in Russian news, the USA: not the continents
    text = "The chad stayed in Chad; Jordan, not jordan. नाइजीरिया और अफ्रीका।"
    found = [(text[s:e], a.name) for s, e, a in table.find(text)]
    assert found == [("Chad", "Chad"), ("Jordan", "Jordan"), ("नाइजीरिया", "Nigeria"), ("अफ्रीका", "Africa")]
    # the role model reads the main actors and their camps only, as it was trained
    assert ActorTable.main().lookup("Libya") is None and ActorTable.main().lookup("Швеции").id == "sweden"


def test_portuguese_and_hindi_mentions_without_ner():
    finder = MentionFinder(gazetteer=["Marina Silva"])
    text = "O Kremlin e o Ocidente discutem. Marina Silva e Joaquim Pereira da Costa responderam."
    found = {text[c.start:c.end] for c in finder.find(text, "pt")}
    assert {"Kremlin", "Ocidente", "Marina Silva", "Joaquim Pereira da Costa"} <= found
    hindi = "रूस और यूक्रेन के बीच युद्ध पर भारत ने चिंता जताई।"
    assert {hindi[c.start:c.end] for c in finder.find(hindi, "hi")} == {"रूस", "यूक्रेन", "भारत"}
    # Latin-script acronyms in Hindi text are organisations; a capitalised headline word is not an actor
    hindi = "FBI ने जांच शुरू की। Live Updates: IMEC गलियारे पर भारत की चर्चा।"
    assert {hindi[c.start:c.end] for c in finder.find(hindi, "hi")} == {"FBI", "IMEC", "भारत"}


def test_mentions_in_residue_are_skipped():
    text = "NATO expands.\nShare on Facebook NATO"
    found = MentionFinder().find(text, "en", regions=[(0, 13)])
    assert [(c.start, c.end) for c in found] == [(0, 4)]


def test_document_round_trips_entities():
    ev = [Span(0, 20, "NATO provoked Russia")]
    mention = Mention(0, 4, "NATO", "e1", Label("Antagonist", 0.8, ev), [Label("Instigator", 0.6, ev, "Antagonist")])
    doc = Document(text="NATO provoked Russia", entities=[Entity("e1", "NATO", "org", "nato", [mention],
                                                                    mention.main_role, mention.fine_roles)])
    again = Document.from_json(doc.to_json())
    assert again.entities == doc.entities


# ---- a tiny subtask-1 folder: villains who "invaded", victims who "suffered" ----------------------------

VILLAIN = ["{e} invaded the region and bombed the cities.", "{e} launched brutal attacks on towns.",
           "{e} ordered the strikes and lied about it."]
VICTIM = ["{e} suffered terrible losses when the bombs fell.", "The families of {e} lost their homes.",
          "{e} are starving after months of shelling."]
HERO = ["{e} protected the villagers and rebuilt the school.", "{e} defended the city bravely.",
        "{e} brought food and medicine to the refugees."]
ACTORS = {"Antagonist": ("Instigator", VILLAIN, ["Grelland", "Torvia", "General Mako"]),
          "Innocent": ("Victim", VICTIM, ["the villagers of Pesk", "civilians in Arn", "the farmers of Lutz"]),
          "Protagonist": ("Guardian", HERO, ["Captain Oru", "the rescue brigade", "Mayor Ilsa"])}


@pytest.fixture
def roles_train(tmp_path: Path) -> Path:
    rng = random.Random(1)
    folder = tmp_path / "train" / "EN"
    raw = folder / "raw-documents"
    raw.mkdir(parents=True)
    ann = []
    for i in range(30):
        name = f"EN_{i:03d}.txt"
        text = f"Report {i}\r\n\r\n"
        for main, (fine, pool, names) in rng.sample(sorted(ACTORS.items()), 2):
            entity = rng.choice(names)
            sentence = rng.choice(pool).format(e=entity)
            at = len(text) + sentence.index(entity)
            ann.append(f"{name}\t{entity}\t{at}\t{at + len(entity) - 1}\t{main}\t{fine}\r\n")
            text += sentence + " "
        (raw / name).write_text(text + "\r\n", encoding="utf-8", newline="")
    (folder / "subtask-1-annotations.txt").write_text("".join(ann), encoding="utf-8", newline="")
    return folder


def test_train_roles_then_predict_with_given_and_detected_mentions(roles_train: Path, tmp_path: Path):
    runner = CliRunner()
    model = tmp_path / "roles"
    result = runner.invoke(app, ["train", "roles", "--data", str(roles_train), "--out", str(model), "--folds", "3"])
    assert result.exit_code == 0, result.output
    assert (model / "meta.json").is_file() and (model / "weights.npz").is_file()

    gold = (roles_train / "subtask-1-annotations.txt").read_text(encoding="utf-8").splitlines()
    first = gold[0].split("\t")
    mentions = tmp_path / "mentions.txt"
    lines = ["\t".join(line.split("\t")[:4]) for line in gold[:12]]
    lines.append(f"{first[0]}\t{first[1]}\t{int(first[2]) + 2}\t{int(first[3]) + 2}")  # offsets off by 2
    lines.append("EN_999.txt\tGrelland\t0\t7")  # unknown article
    lines.append("EN_000.txt\tbroken line")  # missing columns
    mentions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "pred.txt"
    result = runner.invoke(app, ["predict", "roles", str(roles_train), "--mentions", str(mentions),
                                 "-o", str(out), "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert "line 14" in result.output and "unknown article" in result.output and "line 15" in result.output
    assert "offsets" in result.output and "line 13" in result.output
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 14  # every valid line, in order, nothing dropped
    assert [r[:4] for r in rows[:12]] == [line.split("\t") for line in lines[:12]]
    assert rows[12][2:4] == [str(int(first[2]) + 2), str(int(first[3]) + 2)]  # offsets as given
    correct = sum(r[4:] == g.split("\t")[4:] for r, g in zip(rows[:12], gold[:12]))
    assert correct >= 9, rows[:12]  # the synthetic roles are learnable

    result = runner.invoke(app, ["evaluate", "roles", "--gold", str(roles_train / "subtask-1-annotations.txt"),
                                 "--pred", str(out)])
    assert result.exit_code == 0 and "emr=" in result.output

    detected = tmp_path / "detected.txt"
    result = runner.invoke(app, ["predict", "roles", str(roles_train), "-o", str(detected), "--model", str(model)])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in detected.read_text(encoding="utf-8").splitlines()]
    assert rows and all(len(r) >= 6 and r[4] in ("Protagonist", "Antagonist", "Innocent") for r in rows)
    text = (roles_train / "raw-documents" / rows[0][0]).open(encoding="utf-8", newline="").read()
    assert text[int(rows[0][2]):int(rows[0][3]) + 1] == rows[0][1]  # END-INCLUSIVE, like the official files


def test_html_report_colours_mentions_by_role_and_escapes_them():
    from narrascope.report.html import render_report

    text = "Title\n\nThe <b>Regime</b> attacked the villagers of Pesk at dawn."
    ev = [Span(7, len(text), text[7:])]
    start = text.index("<b>Regime</b>")
    villain = Mention(start, start + 13, text[start:start + 13], "e1", Label("Antagonist", 0.9, ev),
                      [Label("Instigator", 0.7, ev, "Antagonist")])
    v_start = text.index("the villagers")
    victim = Mention(v_start, v_start + 13, "the villagers", "e2", Label("Innocent", 0.8, ev),
                     [Label("Victim", 0.8, ev, "Innocent")])
    doc = Document(text=text, id="x", title="Title", entities=[
        Entity("e1", "<b>Regime</b>", "org", "", [villain], villain.main_role, villain.fine_roles),
        Entity("e2", "the villagers", "group", "", [victim], victim.main_role, victim.fine_roles)])
    html = render_report([doc])
    assert "<b>Regime</b>" not in html and "&lt;b&gt;Regime&lt;/b&gt;" in html
    assert f'class="ent antagonist" id="d0-m{start}"' in html
    assert f'class="ent innocent" id="d0-m{v_start}"' in html
    assert "Instigator" in html and "Victim" in html


def test_analyze_casts_the_actors_of_an_article_with_evidence(nlp):
    from tests.conftest import WAR_TEXT

    doc = nlp(WAR_TEXT)
    assert doc.entities, "no entities found"
    for entity in doc.entities:
        for m in entity.mentions:
            assert doc.text[m.start:m.end] == m.text
            assert m.main_role.name in ("Protagonist", "Antagonist", "Innocent")
            assert m.fine_roles and all(r.parent == m.main_role.name for r in m.fine_roles)
            for span in m.main_role.evidence:
                assert span.start <= m.start and m.end <= span.end
                assert doc.text[span.start:span.end] == span.text
        assert entity.main_role is not None
    again = type(doc).from_json(doc.to_json())
    assert [e.name for e in again.entities] == [e.name for e in doc.entities]


def test_fast_mention_finding_without_ner_uses_tables_and_capitalisation():
    text = "The mayor, Vitali Klitschko, said Kyiv needs help. On Monday the Met Office and Greenpeace disagreed."
    found = {text[c.start:c.end] for c in MentionFinder().find(text, "en")}
    assert {"Vitali Klitschko", "Kyiv", "Met Office", "Greenpeace"} <= found
    assert not any("Monday" in f or f.startswith("On ") for f in found)


def test_fast_prediction_path_matches_the_stacked_features():
    import numpy as np

    from narrascope.entities.model import RoleModel
    from narrascope.pipeline import default_model_path

    model = RoleModel.from_disk(default_model_path("roles"))
    tokens = ["L:said R:invaded ID:russia SIDE:ru LANG:en", "R:suffered ID:civilians LANG:pt"]
    dense = np.random.default_rng(0).normal(size=(2, model.input_dim)).astype(np.float32)
    slow = model.predict_proba(model.features(tokens, dense))
    fast = model.predict_inputs(tokens, dense)
    for a, b in zip(slow, fast):
        assert np.allclose(a, b, atol=1e-5)


def _bare_role_model():
    from narrascope.entities.model import RoleModel
    from narrascope.training.roles import label_list

    return RoleModel(vectorizer=None, head=None, labels=label_list())


def _role_scores(model, main: dict[str, float], fine: dict[str, float]):
    import numpy as np

    fine_labels = model.labels[len(model.main_roles):]
    p_main = np.array([main[m] for m in model.main_roles])
    p_fine = np.array([fine.get(f, 0.01) for f in fine_labels])
    return p_main, p_fine


def test_pair_decoding_lets_a_confident_fine_role_choose_the_main_role():
    model = _bare_role_model()
    p_main, p_fine = _role_scores(model, {"Protagonist": 0.45, "Antagonist": 0.50, "Innocent": 0.05},
                                  {"Peacemaker": 0.80, "Instigator": 0.10, "Tyrant": 0.12})
    assert model.decode(p_main, p_fine) == ("Antagonist", [("Tyrant", 0.12)])  # main role first
    model.fine_weight = 0.5
    main, fines = model.decode(p_main, p_fine)
    assert main == "Protagonist" and [f for f, _ in fines] == ["Peacemaker"]
    # a weak main role still costs its pairs: the confident Innocent keeps its own fine role
    model.fine_weight = 2.0
    p_main, p_fine = _role_scores(model, {"Protagonist": 0.05, "Antagonist": 0.05, "Innocent": 0.90},
                                  {"Victim": 0.30, "Peacemaker": 0.40})
    assert model.decode(p_main, p_fine) == ("Innocent", [("Victim", 0.30)])


def test_main_role_score_ranks_the_decoded_role_first():
    import numpy as np

    model = _bare_role_model()
    p_main, p_fine = _role_scores(model, {"Protagonist": 0.45, "Antagonist": 0.50, "Innocent": 0.05},
                                  {"Peacemaker": 0.80, "Instigator": 0.10, "Tyrant": 0.12})
    assert np.allclose(model.main_scores(p_main, p_fine), p_main)  # main role first: the head's own scores
    model.fine_weight = 2.0
    scores = model.main_scores(p_main, p_fine)
    main, _ = model.decode(p_main, p_fine)
    assert main == "Protagonist" and p_main[0] < p_main[1]  # the pair, not the main column, chose it
    assert scores.sum() == pytest.approx(1.0) and int(np.argmax(scores)) == model.main_roles.index(main)
    # Protagonist's best pair 0.45 * 0.8**2 against Antagonist's 0.50 * 0.12**2 and Innocent's 0.05 * 0.01**2,
    # each as the geometric mean of its three factors
    pairs = np.array([0.45 * 0.8 ** 2, 0.50 * 0.12 ** 2, 0.05 * 0.01 ** 2]) ** (1 / 3)
    assert scores == pytest.approx(pairs / pairs.sum())


def test_decoding_weight_is_tuned_out_of_fold_and_kept_on_disk(tmp_path: Path):
    import json

    import numpy as np

    from narrascope.entities.model import RoleModel
    from narrascope.ingest.annotations import RoleAnnotation
    from narrascope.pipeline import default_model_path
    from narrascope.training.roles import tune_decoding

    model = _bare_role_model()
    # the main column leans the wrong way, the fine column knows better: pairing must win
    rows = [_role_scores(model, {"Protagonist": 0.45, "Antagonist": 0.50, "Innocent": 0.05},
                         {"Peacemaker": 0.80, "Tyrant": 0.10})] * 4
    gold = [RoleAnnotation("EN_1.txt", "Grelland", 0, 7, "Protagonist", ("Peacemaker",))] * 4
    p_main, p_fine = np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows])
    weight, ratio = tune_decoding(model, p_main, p_fine, gold, (0.0, 0.5, 1.0), (0.8, 1.1))
    assert weight > 0 and (model.fine_weight, model.second_ratio) == (weight, ratio)

    shipped = RoleModel.from_disk(default_model_path("roles"))
    shipped.fine_weight = 0.75
    shipped.to_disk(tmp_path / "roles")
    assert RoleModel.from_disk(tmp_path / "roles").fine_weight == 0.75
    meta = json.loads((tmp_path / "roles" / "meta.json").read_text(encoding="utf-8"))
    del meta["fine_weight"]  # a model folder written before pair decoding decodes as it did
    (tmp_path / "roles" / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert RoleModel.from_disk(tmp_path / "roles").fine_weight == 0.0


def test_mentions_keep_titles_and_groups_and_leave_out_things_that_are_no_actors():
    text = ("Never mind that former Russian president Dmitry Medvedev warned the Russian General Staff. "
            "US Secretary of State Antony Blinken met German generals in Berlin. British Storm Shadow and "
            "ATAC-MS missiles, WMD and World War III are no actors. The Bank of Russia said NOT now.")
    found = [text[c.start:c.end] for c in MentionFinder(gazetteer=["Russian", "Berlin"]).find(text, "en")]
    for name in ("former Russian president Dmitry Medvedev", "Russian General Staff",
                 "US Secretary of State Antony Blinken", "German generals", "Bank of Russia", "Berlin"):
        assert name in found, (name, found)
    for thing in ("Russian", "Staff", "British Storm Shadow", "ATAC", "WMD", "World War III", "III", "NOT", "Russia"):
        assert thing not in found, (thing, found)


def test_a_run_of_title_words_is_taken_in_only_up_to_an_office():
    """An office has a few words; a long run of title words ("NATO NATO NATO …", 50,000 of them took
    minutes, each mention walking back over all the others) is read only as far as one office."""
    text = "Yesterday " + "minister " * 30 + "Antony Blinken spoke. " + "NATO " * 3000
    found = [text[c.start:c.end] for c in MentionFinder().find(text, "en")]
    assert found[0] == "minister " * 7 + "minister Antony Blinken"
    assert found.count("NATO") > 2000


def test_linking_reads_names_behind_their_titles():
    entities, index = link_mentions(["former Russian president Dmitry Medvedev", "Medvedev",
                                     "German Chancellor Olaf Scholz", "Scholz", "Foreign Secretary David Lammy",
                                     "Lammy", "European Central Bank", "NATO Secretary General", "David Lammy"])
    names = [entities[i].name for i in index]
    assert names[0] == names[1] and "Medvedev" in names[0] and "president" not in names[0]
    assert names[2] == names[3] == "Olaf Scholz"
    assert index[4] == index[5] == index[8] and names[4] == "David Lammy"  # one person, with or without title
    assert names[6] == "European Central Bank"
    assert entities[index[7]].actor == ""  # an office, not whoever held it when the table was written


def test_mentions_read_initials_and_the_countries_beyond_the_main_actors():
    text = ("Denmark and Sweden sent jets. O físico John F. Clauser escreveu a A. Khmara. Президент В. В. Путин "
            "встретился с Лукашенко. Warming passed 1.5 C. Northern towns flooded. It left the U.K. Within days "
            "Finland joined.")
    finder = MentionFinder()
    found = [text[c.start:c.end] for c in finder.find(text, "en")]
    for name in ("Denmark", "Sweden", "John F. Clauser", "A. Khmara", "Путин", "Лукашенко", "U.K", "Finland"):
        assert name in found, (name, found)
    for thing in ("C. Northern", "U.K. Within", "K. Within"):
        assert thing not in found, (thing, found)
    table = ActorTable.default()
    for surface, actor in (("Швеции", "sweden"), ("Suécia", "sweden"), ("स्वीडन", "sweden"), ("Дании", "denmark"),
                           ("Лукашенко", "lukashenko"), ("Erdoğan", "erdogan"), ("U.K.", "uk")):
        assert table.lookup(surface).id == actor, surface
    assert table.lookup("Даниил") is None  # a name, not Denmark


def test_mention_features_read_the_words_around_the_mention_in_order():
    text = "Yesterday the brutal regime of Putin invaded Kyiv again."
    start = text.index("Putin")
    feats = mention_tokens(text, [(0, len(text))], [MentionInput(start, start + 5, "Putin", "putin")], "en")[0]
    toks = feats.split()
    # the four words before the mention and their three bigrams, never a word paired with itself
    assert [t for t in toks if t.startswith("L2:")] == ["L2:the_brutal", "L2:brutal_regime", "L2:regime_of"]
    assert "L1:of" in toks and "R1:invaded" in toks and "R2:invaded_kyiv" in toks
    short = mention_tokens("Only Putin knows.", [(0, 17)], [MentionInput(5, 10, "Putin", "putin")], "en")[0]
    assert not [t for t in short.split() if t.startswith("L2:")]  # one word before: no bigram



def test_framing_cues_say_what_the_sentence_does_to_the_mention_on_each_side():
    text = "Critics accused Moscow of lying. Moscow shelled the town. Civilians in Kharkiv suffered."
    found = [text.index(w) for w in ("Moscow", "Moscow shelled", "Kharkiv")]
    inputs = [MentionInput(found[0], found[0] + 6, "Moscow", "moscow"), MentionInput(found[1], found[1] + 6, "Moscow", "moscow"),
              MentionInput(found[2], found[2] + 7, "Kharkiv", "kharkiv")]
    sentences = [(0, 32), (33, 57), (58, len(text))]
    accused, shelling, victim = (set(t.split()) for t in mention_tokens(text, sentences, inputs, "en"))
    assert {"CUEL:blame", "CUER:deceit"} <= accused and not any(t.startswith("CUEL:deceit") for t in accused)
    assert "CUER:harm" in shelling and not any(t.startswith("CUEL:") for t in shelling)  # cues stay in their sentence
    assert {"CUEL:victim", "CUER:victim"} <= victim
    # inflected Russian and Hindi words, and whole-word entries: "lie" is not "lieutenant"
    ru = "Киев обвинили во лжи, погибли мирные жители."
    (ru_feats,) = mention_tokens(ru, [(0, len(ru))], [MentionInput(0, 4, "Киев", "kyiv")], "ru")
    assert {"CUER:blame", "CUER:deceit", "CUER:victim"} <= set(ru_feats.split())
    hi = "रूस ने हमला किया और नागरिक पीड़ित हुए।"
    (hi_feats,) = mention_tokens(hi, [(0, len(hi))], [MentionInput(0, 3, "रूस", "russia")], "hi")
    assert {"CUER:harm", "CUER:victim"} <= set(hi_feats.split())
    (plain,) = mention_tokens("A lieutenant met Biden.", [(0, 23)], [MentionInput(17, 22, "Biden", "biden")], "en")
    assert not any(t.startswith("CUE") for t in plain.split())
    (other,) = mention_tokens("X accused Biden.", [(0, 16)], [MentionInput(10, 15, "Biden", "biden")], "fr")
    assert not any(t.startswith("CUE") for t in other.split())  # no list for the language: no cue

class _LengthEmbedder:
    """A stand-in encoder: a text's vector is its length; it remembers what it read."""

    name, dim = "lengths", 2

    def __init__(self) -> None:
        self.read: list[str] = []

    def encode(self, texts: list[str]):
        import numpy as np

        self.read += texts
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_the_extra_reader_reads_only_the_mentions_of_its_languages(tmp_path: Path):
    import numpy as np

    from narrascope.components.clean import Cleaner
    from narrascope.components.entities import ExtraReader, mention_inputs, set_mentions
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.entities.model import RoleModel
    from narrascope.pipeline import Pipeline
    from narrascope.training.roles import RoleTrainingConfig, fit_role_model, label_list, targets

    english = Document(id="en", text="Grelland attacked Vostria. Vostria said Grelland lied.", language="en")
    hindi = Document(id="hi", text="रूस ने हमला किया। भारत ने चिंता जताई।", language="hi")
    main, extra = _LengthEmbedder(), _LengthEmbedder()
    docs = list(Pipeline([Cleaner(), SentenceSegmenter(), SentenceEmbedder(main)]).pipe([english, hindi]))
    set_mentions(english, [(0, 8), (18, 25)])
    set_mentions(hindi, [(0, 3), (18, 22)])
    rows, features, dense = mention_inputs(docs, main, 2, extra=ExtraReader(extra, 2, ("hi",)))
    strings = [f.string() for f in features]
    assert [doc.id for doc, _, _ in rows] == ["en", "en", "hi", "hi"] and dense.shape == (4, 12)
    assert not dense[:2, 6:].any()  # English mentions: zeros where the extra reader would be
    assert dense[2:, 6:].all()  # Hindi mentions: its sentence, mention and article vectors
    assert dense[2, 8] == len("रूस") and dense[2, 10] == len(hindi.text)
    assert set(extra.read) == {"रूस ने हमला किया।", "भारत ने चिंता जताई।", "रूस", "भारत", hindi.text}
    assert len(extra.read) == len(set(extra.read))  # each text encoded once

    config = RoleTrainingConfig(extra_embedder="lengths", dense_languages=(), char_blocks=())
    labels = label_list()
    gold = [_annotation("Antagonist", "Aggressor"), _annotation("Innocent", "Victim")] * 2
    model = fit_role_model(strings, dense, targets(gold, labels), config, labels, embedding_dim=2)
    assert (model.extra_embedder, model.extra_dim, model.extra_languages) == ("lengths", 2, ["hi"])
    model.to_disk(tmp_path / "roles")
    again = RoleModel.from_disk(tmp_path / "roles")
    assert (again.extra_embedder, again.dense_dim) == ("lengths", 12)
    assert np.allclose(again.predict_inputs(strings, dense)[0], model.predict_inputs(strings, dense)[0], atol=1e-3)


def test_context_character_ngrams_are_those_of_char_wb_and_stay_in_the_sentence():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from narrascope.entities.features import (
        MentionInput,
        char_features,
        char_ngrams,
        mention_tokens,
        word_features,
    )

    window = "रूस को  Sanctions-hit a"
    expected = sorted(g.replace(" ", "_") for g in TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4))
                      .build_analyzer()(window))
    assert sorted(g[3:] for g in char_ngrams(window, "CL:")) == expected

    text = "Kyiv fell. Grelland attacked Vostria on Monday. Next."
    start = text.index("Vostria")
    [feats] = mention_tokens(text, [(0, 10), (11, 47), (48, 53)], [MentionInput(start, start + 7, "Vostria", "v")], "en")
    chars = char_features(feats)
    assert "CL:_att" in chars and "CR:_mo" in chars and "CM:vos" in chars  # the mention's own n-grams too
    assert not any("fel" in g or "nex" in g for g in chars)  # other sentences give none
    assert set(char_features(feats, ("CM:",))) == {g for g in chars if g.startswith("CM:")}
    assert set(char_features(feats, ("CL:", "CR:"))) == {g for g in chars if not g.startswith("CM:")}
    assert "L:attacked" in word_features(feats) and not any(t.startswith("CL:") for t in word_features(feats))


def test_role_model_with_character_ngrams_and_language_copies_round_trips(tmp_path: Path):
    import numpy as np

    from narrascope.entities.model import CharBlock, RoleModel
    from narrascope.training.roles import RoleTrainingConfig, fit_role_model, label_list, targets

    strings = ["L:attacked R:said ID:russia LANG:en\tCL:_att CL:atta\tCR:_sa\tCM:_ru",  # words, CL:, CR:, CM:
               "L:help R:suffered ID:civilians LANG:hi\tCL:_को\tCR:_पी\tCM:_ci",
               "L:attacked R:fled ID:russia LANG:en\tCL:_att\tCR:_fl\tCM:_ru",
               "L:help R:suffered ID:civilians LANG:xx\tCL:_को\tCR:_पी\tCM:_ci"]
    dense = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
    gold = [_annotation("Antagonist", "Aggressor"), _annotation("Innocent", "Victim")] * 2
    labels = label_list()
    blocks = ((("CL:", "CR:"), 0.7), (("CM:",), 0.5), (("CR:",), 0.0))  # weight 0: no block
    config = RoleTrainingConfig(dense_languages=("EN", "HI"), char_blocks=blocks)
    model = fit_role_model(strings, dense, targets(gold, labels), config, labels, embedding_dim=2)
    assert model.dense_languages == ["en", "hi"] and model.dense_dim == 18
    assert [set(b.vectorizer.vocabulary_) for b in model.char_blocks] == [{"CL:_att", "CL:_को", "CR:_पी"},
                                                                         {"CM:_ru", "CM:_ci"}]  # min_df 2
    assert model.sparse_features(strings).shape[1] == len(model.vectorizer.vocabulary_) + 5
    with pytest.raises(ValueError, match="CX:"):
        CharBlock(("CX:",), 0.5)  # a group the feature strings do not have
    copies = model.dense_features(strings, dense)
    assert np.allclose(copies[:, :6], 0.5 * dense)
    assert copies[0, 6:12].any() and not copies[0, 12:].any()  # English: its own copy only
    assert not copies[3, 6:].any()  # a language without a copy reads the shared vectors alone
    slow = model.predict_proba(model.features(strings, dense))
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(slow, model.predict_inputs(strings, dense)))

    model.to_disk(tmp_path / "roles")
    again = RoleModel.from_disk(tmp_path / "roles")
    assert [(b.prefixes, b.weight) for b in again.char_blocks] == [(("CL:", "CR:"), 0.7), (("CM:",), 0.5)]
    assert again.dense_languages == ["en", "hi"]
    assert np.allclose(again.predict_inputs(strings, dense)[0], model.predict_inputs(strings, dense)[0], atol=1e-3)

    plain = fit_role_model(strings, dense, targets(gold, labels), RoleTrainingConfig(dense_languages=(), char_blocks=()),
                           labels, embedding_dim=2)
    plain.to_disk(tmp_path / "plain")  # as folders written before the n-grams: no char vocabulary at all
    assert not (tmp_path / "plain" / "char_vocabulary.json").exists()
    assert RoleModel.from_disk(tmp_path / "plain").char_blocks == []


def test_sparse_index_gives_the_vectorisers_matrix_and_rows_decode_like_single_mentions():
    """The one-pass lookup scores with exactly the matrix the word and n-gram vectorisers give
    (repeated features, a feature string without n-grams, one with no known feature at all, blocks
    that share a group), and is rebuilt when a vectoriser is replaced; main-role scores of many
    rows equal row by row."""
    import numpy as np
    import scipy.sparse as sp

    from narrascope.entities.model import CharBlock, make_vectorizer
    from narrascope.training.roles import RoleTrainingConfig, fit_role_model, label_list, targets

    strings = ["L:attacked L:attacked R:said ID:russia LANG:en\tCL:_att CL:_att CL:atta\tCR:_sa\tCM:_ru",
               "L:help R:suffered ID:civilians LANG:pt\tCL:_ajud\tCR:_sof\tCM:_ci",
               "L:attacked R:fled ID:russia LANG:en\tCL:_att\tCR:_sa\tCM:_ru",
               "L:help R:suffered ID:civilians LANG:pt\tCL:_ajud\tCR:_sof\tCM:_ci"]
    dense = np.random.default_rng(1).normal(size=(4, 6)).astype(np.float32)
    gold = [_annotation("Antagonist", "Aggressor"), _annotation("Innocent", "Victim")] * 2
    labels = label_list()
    config = RoleTrainingConfig(dense_languages=(), char_blocks=((("CL:",), 0.5), (("CR:", "CM:"), 0.7)))
    model = fit_role_model(strings, dense, targets(gold, labels), config, labels, embedding_dim=2)
    queries = strings + ["L:attacked ID:russia", "unknown words only\tCX:_zz"]

    def stacked() -> np.ndarray:  # what the vectorisers give, block after block
        blocks = [model.vectorizer.transform(queries)]
        blocks += [b.vectorizer.transform(queries) * b.weight for b in model.char_blocks]
        return sp.hstack(blocks).toarray()

    expected = stacked()
    got = model.sparse_features(queries)
    assert got.shape == expected.shape and np.allclose(got.toarray(), expected, atol=1e-6)
    assert not got[5].toarray().any() and expected[0].max() > 0
    model.char_blocks = [CharBlock(("CL:",), 0.5).fit(strings)]  # replaced vectorisers: a new index
    model.vectorizer = make_vectorizer().fit(strings[:2] * 2)
    assert np.allclose(model.sparse_features(queries).toarray(), stacked(), atol=1e-6)
    model.char_blocks = [CharBlock(("CL:", "CR:"), 0.5).fit(strings), CharBlock(("CR:",), 0.7).fit(strings)]
    assert model.sparse_features(queries).shape[1] == len(model.vectorizer.vocabulary_) + 4 + 2  # CR: n-grams in both
    assert np.allclose(model.sparse_features(queries).toarray(), stacked(), atol=1e-6)

    model.fine_weight = 2.0
    p_main = np.random.default_rng(2).dirichlet(np.ones(3), size=5).astype(np.float32)
    p_fine = np.random.default_rng(3).uniform(0.01, 0.9, size=(5, len(labels) - 3)).astype(np.float32)
    rows = model.main_scores(p_main, p_fine)
    assert rows.shape == (5, 3) and np.allclose(rows.sum(axis=1), 1.0)
    for k in range(5):
        assert np.array_equal(rows[k], model.main_scores(p_main[k], p_fine[k]))
        assert model.decode(p_main[k], p_fine[k], rows[k]) == model.decode(p_main[k], p_fine[k])


def test_mention_features_score_exactly_like_their_feature_strings():
    """The prediction path reads ``MentionFeatures`` without writing strings: the same matrix as
    their strings, bit for bit (an entity's shared sentences, repeated and unknown words, n-gram
    groups read by two blocks, a cache of word columns kept across calls and dropped with the index)."""
    import numpy as np

    from narrascope.entities.features import MentionInput, mention_features
    from narrascope.entities.model import CharBlock
    from narrascope.training.roles import RoleTrainingConfig, fit_role_model, label_list, targets

    text = ("Grelland attacked Vostria again. Vostria said Grelland lied, lied and lied.\n"
            "Ünïcode Grelland, 'Vostria' — Grelland!\tVostria fled; Grelland’s army stayed.")
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.!;\n]+[.!;]?", text)]
    spans = [(m.start(), m.end()) for m in re.finditer(r"Grelland|Vostria", text)]
    mentions = [MentionInput(s, e, text[s:e], text[s:e]) for s, e in spans]
    features = mention_features(text, sentences, mentions, "en", ["URW: Blaming the war on others"])
    shared = [id(group) for f in features for group in f.shared]
    assert len(shared) > len(set(shared))  # a sentence's words shared by the mentions that read them
    strings = [f.string() for f in features]
    dense = np.random.default_rng(4).normal(size=(len(strings), 6)).astype(np.float32)
    labels = label_list()
    gold = [[_annotation("Antagonist", "Aggressor"), _annotation("Innocent", "Victim")][i % 2] for i in range(len(strings))]
    config = RoleTrainingConfig(dense_languages=("EN",), char_blocks=((("CL:", "CR:"), 0.7), (("CR:", "CM:"), 0.4)))
    model = fit_role_model(strings, dense, targets(gold, labels), config, labels, embedding_dim=2)
    assert model.sparse_index().also  # CR: n-grams in two blocks
    index = model.sparse_index()  # every mention's tokens in one pass: the columns each group's own lookup gives
    groups = [f.words + sorted(index.also)[:3] for f in features] + [[], ["unknown", *sorted(index.also)[:1]]]
    rows, cols = index.flat_columns(groups)
    for i, group in enumerate(groups):
        assert sorted(cols[rows == i].tolist()) == sorted(index.columns_of(group))
    for _ in range(2):  # the second time from the word-column cache
        assert (model.sparse_features(features) != model.sparse_features(strings)).nnz == 0
        assert all(np.array_equal(a, b) for a, b in zip(model.predict_inputs(features, dense),
                                                         model.predict_inputs(strings, dense)))
    model.char_blocks = [CharBlock(("CM:",), 0.5).fit(strings)]  # a new index: the cache is not reused
    assert (model.sparse_features(features) != model.sparse_features(strings)).nnz == 0
    assert model.sparse_features([]).shape == (0, model.sparse_features(strings).shape[1])


def test_decoding_rows_breaks_ties_by_the_later_role_name():
    import numpy as np

    from narrascope.training.roles import RoleTrainingConfig, fit_role_model, label_list, targets

    labels = label_list()
    model = fit_role_model(["ID:a", "ID:b"] * 2, np.zeros((4, 6), np.float32),
                           targets([_annotation("Antagonist", "Aggressor"), _annotation("Innocent", "Victim")] * 2,
                                   labels), RoleTrainingConfig(dense_languages=(), char_blocks=()), labels,
                           embedding_dim=2)
    fine = labels[3:]
    p_main = np.array([[0.2, 0.7, 0.1]], np.float32)  # Antagonist
    p_fine = np.full((1, len(fine)), 0.125, np.float32)
    p_fine[0, fine.index("Instigator")] = p_fine[0, fine.index("Tyrant")] = 0.5
    p_fine[0, fine.index("Victim")] = 0.75  # an Innocent role: never within Antagonist
    assert model.decode_rows(p_main, p_fine) == [("Antagonist", [("Tyrant", 0.5)])]  # second_ratio 1.1: one role
    model.second_ratio = 0.5
    [(main, fines)] = model.decode_rows(p_main, p_fine)
    assert main == "Antagonist" and [f for f, _ in fines] == ["Tyrant", "Instigator"]
    assert model.decode(p_main[0], p_fine[0]) == (main, fines)


def test_mentions_inside_regions_whatever_their_order_and_overlap():
    from narrascope.entities.mentions import _inside

    regions = [(50, 60), (0, 30), (10, 20), (55, 80)]
    inside = _inside(regions)
    for start, end in [(0, 5), (12, 30), (25, 31), (30, 40), (52, 70), (56, 80), (79, 81), (10, 20)]:
        assert inside(start, end) == any(s <= start and end <= e for s, e in regions), (start, end)
    assert not _inside([])(0, 1)


def test_role_model_folder_of_session_14_reads_its_single_context_block(tmp_path: Path):
    """Folders written with one n-gram block (``char_weight`` in meta.json, one vocabulary list)
    still load, read only the context n-grams, and predict as before."""
    import json

    import numpy as np

    from narrascope.entities.model import RoleModel
    from narrascope.errors import ModelError
    from narrascope.training.roles import RoleTrainingConfig, fit_role_model, label_list, targets

    strings = ["L:attacked ID:russia LANG:en\tCL:_att\tCR:_sa\tCM:_ru", "L:help ID:civilians LANG:en\tCL:_को\tCR:_पी\tCM:_ci",
               "L:attacked ID:russia LANG:en\tCL:_att\tCR:_sa\tCM:_ru", "L:help ID:civilians LANG:en\tCL:_को\tCR:_पी\tCM:_ci"]
    dense = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
    gold = [_annotation("Antagonist", "Aggressor"), _annotation("Innocent", "Victim")] * 2
    labels = label_list()
    config = RoleTrainingConfig(dense_languages=(), char_blocks=((("CL:", "CR:"), 0.7),))
    model = fit_role_model(strings, dense, targets(gold, labels), config, labels, embedding_dim=2)
    model.to_disk(tmp_path / "roles")
    meta_path, vocab_path = tmp_path / "roles" / "meta.json", tmp_path / "roles" / "char_vocabulary.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["char_blocks"]
    meta["char_weight"] = 0.7
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    vocab_path.write_text(json.dumps(json.loads(vocab_path.read_text(encoding="utf-8"))[0]), encoding="utf-8")
    old = RoleModel.from_disk(tmp_path / "roles")
    assert [(b.prefixes, b.weight) for b in old.char_blocks] == [(("CL:", "CR:"), 0.7)]
    assert np.allclose(old.predict_inputs(strings, dense)[0], model.predict_inputs(strings, dense)[0], atol=1e-3)

    vocab_path.unlink()
    with pytest.raises(ModelError, match="retrain the role model"):
        RoleModel.from_disk(tmp_path / "roles")


def _annotation(main: str, fine: str):
    from narrascope.ingest.annotations import RoleAnnotation

    return RoleAnnotation("X.txt", "X", 0, 0, main, (fine,))


def test_mention_boundaries_are_those_the_annotators_mark():
    text = ("Climate Change\n\nThe Met Office said Michael Mann’s graph and Russia's army were the words of "
            "Ukrainian President Volodymyr Zelensky, after the resignation of Mr. Guterres. Wagner's chief Yevgeny "
            "Prigozhin told us President Biden lied, said the US Department of Defense. It denied North Korean "
            "assistance. Zelensky Enemy of Ukraine Sends In The Last Reserves. Critics say Hillary Clinton and Hunter "
            "Biden met Mark Van den Oever and Caroline van der Plas. Although Ukrainians fought, Clinton lost.\n"
            "Long-range missiles. F-16 jets. The US Navy sailed. He blamed the West.")
    found = [text[c.start:c.end] for c in MentionFinder(gazetteer=["Clinton", "Met Office"]).find(text, "en")]
    for name in ("Met Office", "Michael Mann", "Russia", "Ukrainian President Volodymyr Zelensky", "Mr. Guterres",
                 "chief Yevgeny Prigozhin", "President Biden", "US Department of Defense", "Zelensky", "Ukraine",
                 "Hillary Clinton", "Biden", "Mark Van den Oever", "Caroline van der Plas", "Ukrainians", "F-16", "US Navy", "West"):
        assert name in found, (name, found)
    assert not any("\n" in f or f.endswith(("’s", "'s")) or f.startswith(("of ", "s ", "us ", "the ")) for f in found), found
    for wrong in ("North Korean", "Department", "Defense", "Hunter Biden", "Although Ukrainians", "Long-range", "Navy"):
        assert wrong not in found, (wrong, found)
    assert not any(word in f for f in found for word in ("Enemy", "Sends", "Reserves")), found

    hindi = ("पीएम मोदी ने कहा कि यूक्रेन के राष्ट्रपति और रूसी राष्ट्रपति व्लादिमीर पुतिन मिलेंगे। कार्यवाहक गवर्नर "
             "एलेक्सी स्मिरनोव (Alexei Smirnov) ने कहा। राष्ट्रपति चुनाव और मंत्री स्तर की बैठक हुई। पश्चिमी नेता "
             "हर प्रस्ताव को ठुकरा देते हैं।")
    found = [hindi[c.start:c.end] for c in MentionFinder().find(hindi, "hi")]
    assert {"मोदी", "यूक्रेन", "व्लादिमीर पुतिन", "एलेक्सी स्मिरनोव"} <= set(found), found
    assert not {"चुनाव", "स्तर", "हर प्रस्ताव", "प्रस्ताव"} & set(found), found
    assert not any("पीएम" in f or "राष्ट्रपति" in f for f in found), found

    russian = "Вчера российские медики прибыли, а Украиной правят украинские власти. Украинской военной техники нет."
    found = [russian[c.start:c.end] for c in MentionFinder().find(russian, "ru")]
    assert {"российские медики", "украинские власти"} <= set(found), found
    assert not any(f.startswith(("Украиной ", "Украинской военной")) for f in found), found
    bulgarian = "Днес украинските въоръжени сили и западни държави отговориха. Украйна атакува гражданската инфраструктура."
    found = [bulgarian[c.start:c.end] for c in MentionFinder().find(bulgarian, "bg")]
    assert {"украинските въоръжени сили", "западни държави", "Украйна"} <= set(found), found
    wars = "Това води към Третата световна война, а не към мир. Они говорят о риске Третьей мировой войны."
    for language in ("bg", "ru"):  # an ordinal of a world war names no actor
        assert not MentionFinder().find(wars, language), [wars[c.start:c.end] for c in MentionFinder().find(wars, language)]
    portuguese = "O Serviço de Segurança da Ucrânia acusou a Federação da Rússia e o Governo da Alemanha."
    found = [portuguese[c.start:c.end] for c in MentionFinder().find(portuguese, "pt")]
    assert {"Serviço de Segurança da Ucrânia", "Federação da Rússia", "Alemanha"} <= set(found), found

    # a learned surname with the first name before it, where the capitalised run starts with another actor
    # or with the sentence's first word; not a capitalised verb before an acronym
    finder = MentionFinder(gazetteer=["Бербок", "Краснов", "Buttigieg", "Reuters", "BBC"])
    russian = "Вчера глава МИД Германии Анналена Бербок заявила. Генпрокурор РФ Игорь Краснов дал указание."
    found = [russian[c.start:c.end] for c in finder.find(russian, "ru")]
    assert {"Германии", "Анналена Бербок", "РФ", "Игорь Краснов"} <= set(found), found
    english = "Like Pete Buttigieg, he left. Reuters Joins BBC in a Failed Check."
    found = [english[c.start:c.end] for c in finder.find(english, "en")]
    assert {"Pete Buttigieg", "Reuters", "BBC"} <= set(found) and "Joins BBC" not in found, found


def test_learned_gazetteer_leaves_out_common_words_the_annotators_marked_once():
    def marked(mention: str) -> RoleAnnotation:
        return RoleAnnotation("a.txt", mention, 0, len(mention) - 1, "Innocent", ("Victim",), 1)

    gold = [marked("लोग"), marked("Kuleba"), marked("Kuleba")]
    texts = {"a.txt": "लोग यहां हैं। " * 150 + "Kuleba said so.", "b.txt": "Kuleba and Kuleba met लोग."}
    assert learned_gazetteer(gold) == ["Kuleba", "लोग"]  # without the texts: every surface marked
    assert learned_gazetteer(gold, texts) == ["Kuleba"]  # "लोग" (people): 1 mark in 151 uses
    assert learned_gazetteer(gold, texts, min_rate=0.005) == ["Kuleba", "लोग"]


def test_learned_gazetteer_leaves_out_phrases_whose_inner_name_the_annotators_marked():
    from narrascope.ingest.annotations import RoleAnnotation

    text = "O presidente Vladimir Putin falou. " * 4 + "O Presidente Vladimir Putin e o regime de Kiev."
    phrase = text.index("Presidente Vladimir Putin")
    gold = [RoleAnnotation("a.txt", "Presidente Vladimir Putin", phrase, phrase + 24, "Antagonist", ("Tyrant",))]
    for k in range(3):  # "Vladimir Putin" inside the phrase, three times
        start = text.index("Vladimir Putin", 35 * k)
        gold.append(RoleAnnotation("a.txt", "Vladimir Putin", start, start + 13, "Antagonist", ("Tyrant",)))
    assert learned_gazetteer(gold) == ["Presidente Vladimir Putin", "Vladimir Putin"]
    # marked once as a phrase, three times as the name inside it: the finder should find the name
    assert learned_gazetteer(gold, {"a.txt": text}) == ["Vladimir Putin"]
    assert learned_gazetteer(gold[:3], {"a.txt": text}) == ["Presidente Vladimir Putin", "Vladimir Putin"]


def test_sentence_of_finds_the_sentence_around_an_offset_or_none():
    """The binary search gives what a scan of the sentences gives, in the gaps between them too."""
    import random

    from narrascope.entities.features import sentence_of

    rng = random.Random(5)
    for _ in range(200):
        sentences, at = [], 0
        for _ in range(rng.randint(0, 12)):
            start = at + rng.randint(0, 3)  # a gap (whitespace, a dropped line) or none
            at = start + rng.randint(1, 9)
            sentences.append((start, at))
        for offset in range(-2, at + 3):
            scan = next((i for i, (s, e) in enumerate(sentences) if s <= offset < e), -1)
            assert sentence_of(sentences, offset) == scan


def test_mention_features_say_which_camp_stands_on_which_side_of_the_mention():
    """Who stands beside whom: the camps of the other actors of its sentence, left or right of it,
    alone and crossed with its own camp; another mention of the same entity is not another actor."""
    from narrascope.entities.features import MentionInput, mention_features

    text = "Russia shelled Kharkiv while NATO watched, and Russia denied it. Zelensky thanked Biden."
    names = ["Russia", "Kharkiv", "NATO", "Russia", "Zelensky", "Biden"]
    spans, at = [], 0
    for name in names:
        start = text.index(name, at)
        spans.append((start, start + len(name)))
        at = start + len(name)
    mentions = [MentionInput(s, e, text[s:e], text[s:e]) for s, e in spans]
    sentences = [(0, 64), (65, len(text))]
    features = mention_features(text, sentences, mentions, "en")
    co = [sorted(w for w in f.words if w.startswith("CO")) for f in features]
    assert co[0] == ["COR:none", "COR:west", "COSR:ru_none", "COSR:ru_west"]  # Russia: not itself, later
    assert co[1] == ["COL:ru", "COR:ru", "COR:west", "COSL:none_ru", "COSR:none_ru", "COSR:none_west"]  # Kharkiv
    assert co[2] == ["COL:none", "COL:ru", "COR:ru", "COSL:west_none", "COSL:west_ru", "COSR:west_ru"]  # NATO
    assert co[3] == ["COL:none", "COL:west", "COSL:ru_none", "COSL:ru_west"]
    assert co[4] == ["COR:west", "COSR:ua_west"] and co[5] == ["COL:ua", "COSL:west_ua"]  # its own sentence only


def _copies_folder(tmp_path: Path, texts: list[str]) -> Path:
    folder = tmp_path / "copies" / "EN"
    (folder / "raw-documents").mkdir(parents=True)
    lines = []
    for i, text in enumerate(texts):
        (folder / "raw-documents" / f"EN_{i}.txt").write_text(text, encoding="utf-8", newline="")
        at = text.index("NATO")
        lines.append(f"EN_{i}.txt\tNATO\t{at}\t{at + 3}\tAntagonist\tInstigator\n")
    (folder / "subtask-1-annotations.txt").write_text("".join(lines), encoding="utf-8")
    return folder


def test_exact_copies_fall_in_one_fold(tmp_path: Path):
    """The training data holds the same text under two ids; cross-validation must not split them."""
    import numpy as np

    from narrascope.training.roles import document_folds, load_role_dataset

    texts = [f"Title {i}\n\nNATO sent more weapons, report {i} says." for i in range(6)]
    texts.insert(3, texts[1])  # EN_3 is a copy of EN_1
    data = load_role_dataset(_copies_folder(tmp_path, texts))
    assert data.originals == [0, 1, 2, 1, 4, 5, 6]
    groups = np.arange(len(data.docs))  # one mention per document
    for seed in range(5):
        for _, test in document_folds(data.fold_groups(groups), 3, seed):
            assert (1 in test) == (3 in test)


def test_story_groups_keep_copies_and_stories_together(tmp_path: Path):
    """train roles tunes on story-cluster folds: a story's articles, and copies of a text, share a group."""
    import numpy as np

    from narrascope.training.roles import load_role_dataset

    grain = [f"Grain\n\nNATO and the grain corridor: wheat exports, Odesa ports, shipping insurance, {w}."
             for w in "barley maize rye oats millet sorghum rice spelt quinoa buckwheat teff farro".split()]
    energy = [f"Gas\n\nNATO and the gas price: pipelines, winter heating bills, energy subsidies, {w}."
              for w in "coal oil diesel petrol kerosene propane butane methane lignite peat uranium hydrogen".split()]
    texts = [t for pair in zip(grain, energy) for t in pair]
    texts.append(texts[0])  # a copy of the first grain article
    data = load_role_dataset(_copies_folder(tmp_path, texts))
    group = dict(zip((doc.id for doc in data.docs), data.story_groups(np.arange(len(data.docs)))))  # a mention each
    assert group["EN_24.txt"] == group["EN_0.txt"]
    grain_groups = {group[f"EN_{i}.txt"] for i in range(0, 24, 2)}
    assert not grain_groups & {group[f"EN_{i}.txt"] for i in range(1, 24, 2)}  # no cluster holds both stories


def test_train_roles_needs_enough_distinct_articles(tmp_path: Path):
    text = "Title\n\nNATO sent more weapons."
    folder = _copies_folder(tmp_path, [text, text, text + " Again."])
    result = CliRunner().invoke(app, ["train", "roles", "--data", str(folder), "--out", str(tmp_path / "m"),
                                      "--folds", "3"])
    assert result.exit_code == 2, result.output
    assert "E303" in result.output and "only 2 distinct" in result.output and "--folds" in result.output
    assert not (tmp_path / "m").exists()


def test_predict_roles_with_an_empty_mentions_file(tmp_path: Path):
    folder = _copies_folder(tmp_path, ["Title\n\nNATO sent more weapons."])
    empty = tmp_path / "mentions.txt"
    empty.write_text("\n", encoding="utf-8")
    out = tmp_path / "pred.txt"
    result = CliRunner().invoke(app, ["predict", "roles", str(folder), "--mentions", str(empty), "-o", str(out)])
    assert result.exit_code == 2 and "E302" in result.output and "no mentions" in result.output
    assert not out.exists()


def test_technical_acronyms_are_no_actors():
    from narrascope.entities.mentions import MentionFinder

    text = ("Subscribe to our RSS feed. The GPS signal over the Baltic was jammed, NATO said, and the "
            "FBI and the AI of the TV channel were blamed.\n")
    found = {text[c.start:c.end] for c in MentionFinder().find(text, "en")}
    assert {"NATO", "FBI"} <= found and not found & {"RSS", "GPS", "AI", "TV"}


def test_sparse_index_counts_negative_occurrences_and_refuses_a_negative_total():
    """A mention's own sentence is taken back from its entity's portrait as negative counts: a column
    taken back as often as it occurs disappears; one taken back more often is an error, not NaN."""
    import numpy as np

    from narrascope.entities.model import SparseIndex
    from narrascope.heads.tfidf import FittedVocabulary

    index = SparseIndex.of([FittedVocabulary({"a": 0, "b": 1, "c": 2}, np.ones(3))], [1.0])
    rows, cols = np.array([0, 1]), np.array([0, 0])
    X = index.from_flat(rows, cols, 2, [(np.array([1, 2, 1]), np.array([2, 1, -2])), None])
    assert X[0].indices.tolist() == [0, 2] and X[1].indices.tolist() == [0]
    with pytest.raises(ValueError, match="negative count"):
        index.from_flat(rows, cols, 2, [(np.array([1]), np.array([-1])), None])
