"""Explanations of the dominant narrative: composition, model, official formats, CLI, training data."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.components.explain import NarrativeExplainer
from narrascope.errors import ModelError
from narrascope.explain.claims import claim_sentence
from narrascope.explain.compose import CUT_QUOTE, MAX_WORDS, compose, select_quotes, trim_to_words, word_count
from narrascope.explain.model import FEATURES, ExplanationModel
from narrascope.explain.official import read_dominant
from narrascope.pipeline import EXPLANATION_MODEL, default_model_path
from narrascope.schema import Document, Explanation, Label, Span
from narrascope.training.explanation_scorer import rouge_l_f1, tokens
from tests.paths import SHARED

runner = CliRunner()
TRAIN = SHARED / "data" / "semeval2025_t10" / "train"
WEST = "URW: Blaming the war on others rather than the invader"
WEST_SUB = f"{WEST}: The West are the aggressors"
FEAR = "URW: Amplifying war-related fears"
FEAR_SUB = f"{FEAR}: By continuing the war we risk WWIII"

ARTICLE = (
    "Who pushed Europe to the brink?\r\n\r\n"
    "For thirty years NATO moved its bases east, closer and closer to Russia's border, ignoring every warning. "
    "Western capitals armed Kyiv and blocked every peace proposal, because a long war serves their interests. "
    "The weather in the capital was mild on Tuesday.\r\n"
    "If the escalation continues, one wrong step could drag the whole continent into World War III.\r\n"
)


def _check(explanation: Explanation, text: str) -> None:
    assert word_count(explanation.text) <= MAX_WORDS
    pos = 0
    for quote in explanation.quotes:
        assert text[quote.start:quote.end] == quote.text and quote.text.strip() == quote.text
        at = explanation.text.find(quote.text, pos)
        assert at >= pos, "each quote appears verbatim, in order, in the explanation"
        pos = at + len(quote.text)


# ---- composition ---------------------------------------------------------------
def test_trim_cuts_after_a_clause_and_keeps_offsets():
    text = "Before. " + "One two three four five six seven, eight nine ten eleven twelve thirteen fourteen."
    start = text.index("One")
    s, e = trim_to_words(text, start, len(text), 10)
    assert text[s:e] == "One two three four five six seven"
    assert trim_to_words(text, start, len(text), 3) is None  # too little would remain
    assert trim_to_words(text, start, len(text), 40) == (start, len(text))
    # no clause ends within the limit: the sentence is left out, not cut mid-phrase
    plain = "One two three four five six seven eight nine ten eleven twelve thirteen fourteen."
    assert trim_to_words(plain, 0, len(plain), 10) is None
    assert trim_to_words(text, start, len(text), 6) is None  # the clause ends after word 7


def test_select_quotes_fits_the_budget_and_skips_repeats():
    text = ("Alpha beta gamma delta epsilon. Alpha beta gamma delta epsilon. "
            "Zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau.")
    sentences = [Span(0, 31, text[0:31]), Span(32, 63, text[32:63]), Span(64, len(text), text[64:])]
    vectors = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    regions = select_quotes(text, sentences, np.array([0.9, 0.8, 0.5]), vectors, budget=12)
    assert [(s, e) for s, e, _ in regions] == [(0, 31)]  # repeat skipped; the last has no clause to end at
    text = text.replace("mu nu", "mu, nu")
    regions = select_quotes(text, sentences[:2] + [Span(64, len(text), text[64:])], np.array([0.9, 0.8, 0.5]),
                            vectors, budget=12)
    assert [(s, e) for s, e, _ in regions] == [(0, 31), (64, text.index(", nu"))]  # cut where its clause ends
    assert regions[-1][2] is True
    assert sum(word_count(text[s:e]) for s, e, _ in regions) <= 12


def test_compose_claims_in_the_article_language_and_generic_for_unknown_labels():
    assert claim_sentence(WEST, WEST_SUB, "en") == "The article presents the West as the aggressor."
    assert claim_sentence(WEST, WEST_SUB, "ru").startswith("Статья")
    assert claim_sentence(WEST, None, "bg").startswith("Статията")
    assert claim_sentence(WEST, f"{WEST}: Other", "pt").startswith("O artigo")  # an "Other" sub: the narrative's
    assert claim_sentence(WEST, None, "hi").startswith("यह लेख")
    assert claim_sentence(WEST, None, "de") == claim_sentence(WEST, None, "en")
    assert "Made-up claim" in claim_sentence("URW: Made-up claim", None, "en")
    text = "Title\n\n" + " ".join(["word"] * 200)
    explanation = compose(text, WEST, WEST_SUB, "en", [(7, len(text), False)])
    assert explanation.quotes == []  # 200 words never fit into 80
    explanation = compose(text, WEST, WEST_SUB, "en", [(7, 7 + len("word word word word") , True)])
    assert explanation.quotes[0].label == CUT_QUOTE and explanation.text.endswith("word word word word…")
    headline = compose("Title\n\nBody text here.", WEST, None, "en", [(0, 5, False), (7, 22, False)])
    assert headline.text.endswith("Title. Body text here.")  # a full stop after a bare headline


def test_explanation_round_trips_through_json_and_old_documents_still_read():
    doc = Document(text=ARTICLE, id="a")
    doc.explanation = Explanation(WEST, WEST_SUB, "Claim. NATO moved", [Span(10, 15, "x", label="quote")], 0.5)
    again = Document.from_json(doc.to_json())
    assert again.explanation == doc.explanation
    old = doc.to_dict()
    old["schema_version"] = 2
    del old["explanation"]
    assert Document.from_dict(old).explanation is None


def test_rouge_l_and_tokens_in_any_script():
    assert rouge_l_f1("the cat sat on the mat", "the cat sat on the mat") == pytest.approx(1.0)
    assert rouge_l_f1("the cat sat", "a dog ran") == 0.0
    # LCS "the cat on mat" (4) of 6 and 5 words
    assert rouge_l_f1("The cat, sat on the mat!", "the cat lay on mat") == pytest.approx(2 * (4 / 6) * (4 / 5) / (4 / 6 + 4 / 5))
    assert tokens("यह लेख युद्ध से जुड़े डर को बढ़ाता है।") == ["यह", "लेख", "युद्ध", "से", "जुड़े", "डर", "को", "बढ़ाता", "है"]
    assert tokens("«Статья» — о войне.") == ["статья", "о", "войне"]


# ---- the model and the component -------------------------------------------------
def _toy_model() -> ExplanationModel:
    labels = [WEST, WEST_SUB, FEAR, FEAR_SUB]
    proto = np.eye(4, 8, dtype=np.float32)
    return ExplanationModel(labels, proto, proto.copy(), np.ones(len(FEATURES), dtype=np.float32), 0.0,
                            {"en": 30}, 40, 0.5)


def test_dominant_is_supported_by_a_specific_sub_narrative():
    model = _toy_model()
    narratives = [Label(WEST, 0.55), Label(FEAR, 0.6), Label("Other", 0.9)]
    subs = [Label(WEST_SUB, 0.5, parent=WEST), Label(f"{FEAR}: Other", 0.1, parent=FEAR)]
    assert model.dominant(narratives, subs) == (WEST, WEST_SUB, 0.55)  # 0.55 + 0.25 beats 0.6 + 0.05
    assert model.dominant([Label(FEAR, 0.6)], [Label(f"{FEAR}: Other", 0.4, parent=FEAR)]) == (FEAR, None, 0.6)
    assert model.dominant([Label("Other", 1.0)], []) is None


def test_model_round_trips_and_rejects_a_mismatch(tmp_path: Path):
    model = _toy_model()
    model.to_disk(tmp_path / "m")
    again = ExplanationModel.from_disk(tmp_path / "m")
    assert again.labels == model.labels and again.budgets == {"en": 30}
    assert np.allclose(again.prototypes, model.prototypes)
    meta = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))
    meta["labels"] = meta["labels"][:2]
    (tmp_path / "m" / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="retrain"):
        ExplanationModel.from_disk(tmp_path / "m")
    assert not any(p.suffix in (".pkl", ".pickle") for p in (tmp_path / "m").iterdir())


def test_the_pipeline_explains_the_dominant_narrative_with_grounded_quotes(nlp):
    assert "explain" in nlp.names
    doc = nlp(ARTICLE)
    explanation = doc.explanation
    assert explanation is not None and explanation.narrative in [n.name for n in doc.narratives]
    assert explanation.quotes, "the explanation quotes the article"
    _check(explanation, doc.text)
    # any narrative can be explained on demand, in the article's language
    explainer = nlp.get("explain")
    other = explainer.explain(doc, FEAR, FEAR_SUB)
    assert other.text.startswith("The article warns that continuing the war risks World War III.")
    _check(other, doc.text)


def test_reports_show_the_explanation_with_linked_quotes(tmp_path: Path):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8", newline="")
    result = runner.invoke(app, ["analyze", str(article), "--html", str(tmp_path / "r.html"),
                                 "--json", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    assert "dominant:" in result.output
    row = json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert row["explanation"]["quotes"] and row["explanation"]["text"]
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'class="explain"' in html and 'href="#d0-q0"' in html and 'id="d0-q0"' in html


# ---- official formats -------------------------------------------------------------
@pytest.fixture
def subtask3_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "EN"
    raw = folder / "raw-documents"
    raw.mkdir(parents=True)
    (raw / "EN_UA_1.txt").write_text(ARTICLE, encoding="utf-8", newline="")
    (raw / "EN_UA_2.txt").write_text("Sirens again\n\nAir raid sirens sounded across the city. Officials warned that "
                                     "nuclear strikes could follow if the war goes on.\n", encoding="utf-8")
    (folder / "subtask-3-dominant-narratives.txt").write_text(
        f"EN_UA_1.txt\t{WEST}\t{WEST_SUB}\n"
        f"EN_UA_2.txt\t{FEAR}\tnone\n"
        "EN_UA_2.txt\tURW: Praise of Russia\tnone\n"  # repeated id
        "EN_UA_9.txt\tURW: Praise of Russia\tnone\n"  # not in the folder
        "broken line\n", encoding="utf-8")
    return folder


def test_read_dominant_warns_and_keeps_the_valid_lines(subtask3_folder: Path, tmp_path: Path):
    path = tmp_path / "d.txt"
    path.write_text(f"a\tURW: Not a narrative\tnone\nb\t{WEST}\t{FEAR_SUB}\nc\t{FEAR}\n", encoding="utf-8")
    with pytest.warns(UserWarning) as caught:
        rows = read_dominant(path)
    messages = " | ".join(str(w.message) for w in caught)
    assert "line 1" in messages and "not in the taxonomy" in messages
    assert "line 2" in messages and "does not belong" in messages
    assert "line 3" in messages and "expected 3" in messages
    assert sorted(rows) == ["a", "b"] and rows["a"].subnarrative is None


def test_predict_and_evaluate_explanations(subtask3_folder: Path, tmp_path: Path):
    out = tmp_path / "pred.txt"
    result = runner.invoke(app, ["predict", "explanations", str(subtask3_folder), "--dominant",
                                 str(subtask3_folder / "subtask-3-dominant-narratives.txt"), "-o", str(out)])
    assert result.exit_code == 1, result.output  # EN_UA_9 is missing: reported, and the exit code says so
    assert "EN_UA_9.txt" in result.output and "line 3" in result.output and "line 5" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [x.split("\t")[0] for x in lines] == ["EN_UA_1.txt", "EN_UA_2.txt"]
    first, second = (x.split("\t", 1)[1] for x in lines)
    assert first.startswith("The article presents the West as the aggressor.")
    assert second.startswith("The article amplifies fears related to the war.") and "sirens" in second
    assert all(word_count(x) <= MAX_WORDS for x in (first, second))

    gold = tmp_path / "gold.txt"
    gold.write_text(f"EN_UA_1.txt\t{WEST}\t{WEST_SUB}\tThe text blames NATO and the West for the war.\n"
                    f"EN_UA_2.txt\t{FEAR}\tnone\tThe article warns about a nuclear war.\n"
                    f"EN_UA_3.txt\t{FEAR}\tnone\tA missing prediction.\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "explanations", "--gold", str(gold), "--pred", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 gold article(s) have no prediction" in result.output
    scores = dict(x.split("=") for x in result.output.strip().splitlines()[-1].split("\t"))
    assert 0.0 < float(scores["rouge_l_f1"]) < 1.0 and 0.0 < float(scores["cosine_usem3"]) < 1.0


def test_predict_without_dominant_uses_the_classifier(subtask3_folder: Path, tmp_path: Path):
    out = tmp_path / "pred.txt"
    result = runner.invoke(app, ["predict", "explanations", str(subtask3_folder), "-o", str(out)])
    lines = out.read_text(encoding="utf-8").splitlines()
    written = {x.split("\t")[0] for x in lines}
    # every article is either explained or reported as having no narrative
    for name in ("EN_UA_1.txt", "EN_UA_2.txt"):
        assert name in written or name in result.output
    assert result.exit_code == (0 if len(written) == 2 else 1)


def test_bertscore_needs_a_model_folder_and_says_what_to_install(subtask3_folder: Path, tmp_path: Path):
    gold = tmp_path / "gold.txt"
    gold.write_text(f"EN_UA_1.txt\t{WEST}\tnone\tThe text blames the West.\n", encoding="utf-8")
    pred = tmp_path / "pred.txt"
    pred.write_text("EN_UA_1.txt\tThe article blames the West.\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "explanations", "--gold", str(gold), "--pred", str(pred),
                                 "--bertscore-model", str(tmp_path)])
    assert result.exit_code == 2 and "config.json" in result.output
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    try:
        import bert_score  # noqa: F401
    except ImportError:
        result = runner.invoke(app, ["evaluate", "explanations", "--gold", str(gold), "--pred", str(pred),
                                     "--bertscore-model", str(tmp_path)])
        assert result.exit_code == 2 and "narrascope[bertscore]" in result.output


# ---- training ------------------------------------------------------------------------
def test_train_explanations_on_a_tiny_folder(tmp_path: Path):
    rng = random.Random(0)
    folder = tmp_path / "train" / "EN"
    (folder / "raw-documents").mkdir(parents=True)
    war = ["NATO expanded east for decades.", "The West armed Kyiv and blocked peace.",
           "Washington wants a long war.", "Europe is on the brink of World War III."]
    filler = ["The weather was mild.", "A bakery opened on the main street.", "The council met on Monday."]
    lines = []
    for i in range(12):
        body = " ".join(rng.sample(war, 2) + rng.sample(filler, 2))
        (folder / "raw-documents" / f"EN_{i}.txt").write_text(f"Article {i}\n\n{body}\n", encoding="utf-8")
        lines.append(f"EN_{i}.txt\t{WEST}\t{WEST_SUB if i % 2 else 'none'}\tThe text blames the West for the war.\n")
    (folder / "subtask-3-annotations.txt").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "explanations", "--data", str(tmp_path / "train"), "--out", str(out),
                                 "--languages", "EN", "--folds", "3"])
    assert result.exit_code == 0, result.output
    model = ExplanationModel.from_disk(out)
    assert model.budgets == {"en": 35} and model.meta["trained_on"]["articles"] == 12
    assert set(model.meta["cv_metrics"]["model"]["en"]) == {"n", "cosine", "rouge_l"}


@pytest.mark.skipif(not TRAIN.is_dir(), reason="../shared/data is not beside the checkout")
@pytest.mark.slow
def test_every_quote_matches_the_text_on_every_training_article():
    from narrascope.embed.base import get_embedder
    from narrascope.training.explanations import explain_examples, load_explanation_dataset
    from narrascope.training.train import clean_and_embed

    explainer = NarrativeExplainer(ExplanationModel.from_disk(default_model_path(EXPLANATION_MODEL)))
    embedder = get_embedder(explainer.model.embedder)
    dataset = load_explanation_dataset(TRAIN, embed=lambda docs: clean_and_embed(docs, embedder))
    assert len(dataset) > 1000
    explanations = explain_examples(explainer.model, dataset.examples)
    for example, explanation in zip(dataset.examples, explanations, strict=True):
        _check(explanation, example.doc.text)
    assert sum(bool(e.quotes) for e in explanations) >= 0.95 * len(explanations)
