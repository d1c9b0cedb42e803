"""Fit and cross-validate the explanation model on SemEval-2025 Task 10 subtask-3 annotations."""

from __future__ import annotations

import hashlib
import statistics
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from narrascope.components.explain import NarrativeExplainer
from narrascope.errors import InputError
from narrascope.explain.claims import claim_sentence
from narrascope.explain.compose import MAX_WORDS, word_count
from narrascope.explain.model import FEATURES, ExplanationModel
from narrascope.explain.official import read_dominant
from narrascope.ingest.semeval import read_semeval_folder
from narrascope.schema import Document, Explanation, Taxonomy
from narrascope.training.data import LANGUAGES, language_folders
from narrascope.training.explanation_scorer import embedding_cosines, rouge_l_f1

ANNOTATIONS = "subtask-3-annotations.txt"
SEED = 0


@dataclass(frozen=True)
class ExplanationTrainingConfig:
    """The recipe, stored in meta.json."""

    ridge_alpha: float = 1.0
    budget_factor: float = 1.25  # words per language = factor x median length of its human explanations ...
    min_budget: int = 35  # ... clipped to this range
    max_budget: int = 70
    dominant_weight: float = 0.5
    folds: int = 5
    seed: int = SEED


@dataclass
class ExplanationExample:
    doc: Document  # segmented and embedded
    language: str  # ISO code, e.g. "en"
    narrative: str
    subnarrative: str | None
    explanation: str


@dataclass
class ExplanationDataset:
    examples: list[ExplanationExample] = field(default_factory=list)
    digest: str = ""

    def __len__(self) -> int:
        return len(self.examples)


def load_explanation_dataset(root: str | Path, languages: tuple[str, ...] = LANGUAGES,
                             embed: Callable[[list[Document]], list[Document]] | None = None) -> ExplanationDataset:
    """The articles with a subtask-3 explanation in each language folder under ``root`` (or ``root`` itself).

    ``embed`` runs the pre-processing components (cleaning, sentences, embeddings) over the
    articles; annotated ids without an article are reported.
    """
    folders = language_folders(Path(root), languages, ANNOTATIONS,
                               f"no SemEval language folders with {ANNOTATIONS} (EN/, BG/, ... each with "
                               "raw-documents/) found here")
    dataset = ExplanationDataset()
    digest = hashlib.sha256()
    for folder, lang in folders:
        gold = read_dominant(folder / ANNOTATIONS, with_explanation=True)
        docs = []
        for item in read_semeval_folder(folder):
            if isinstance(item, InputError):
                warnings.warn(str(item), stacklevel=2)
            elif item.id in gold:
                item.language = lang.lower()
                docs.append(item)
        missing = sorted(set(gold) - {d.id for d in docs})
        if missing:
            warnings.warn(f"{folder / ANNOTATIONS}: {len(missing)} annotated article(s) not in raw-documents/ "
                          f"(first: {missing[0]}); they are left out", stacklevel=2)
        for doc in (embed(docs) if embed else docs):
            row = gold[doc.id]
            dataset.examples.append(ExplanationExample(doc, doc.language, row.narrative, row.subnarrative,
                                                       row.explanation))
            for part in (doc.id, doc.text, row.narrative, row.subnarrative or "", row.explanation):
                digest.update(part.encode())
    dataset.digest = digest.hexdigest()
    return dataset


def label_space(taxonomy: Taxonomy) -> list[str]:
    return [x for x in list(taxonomy.narratives) + list(taxonomy.subnarratives)
            + list(taxonomy.unofficial_subnarratives) if x != "Other"]


def fit_explanation_model(examples: Sequence[ExplanationExample], gold_vectors: np.ndarray, embedder,
                          config: ExplanationTrainingConfig, claim_vectors: np.ndarray | None = None
                          ) -> ExplanationModel:
    """Prototypes from the human explanations (``gold_vectors``, one per example), the sentence scorer
    (ridge regression onto each sentence's cosine with its article's explanation) and word budgets."""
    from sklearn.linear_model import Ridge

    labels = label_space(Taxonomy.default())
    if claim_vectors is None:
        claim_vectors = claim_embeddings(labels, embedder)
    dim = claim_vectors.shape[1]
    prototypes = np.zeros((len(labels), dim), dtype=np.float32)
    index = {label: i for i, label in enumerate(labels)}
    for label, i in index.items():
        rows = [k for k, ex in enumerate(examples) if label in (ex.narrative, ex.subnarrative)]
        if rows:
            mean = gold_vectors[rows].mean(axis=0)
            prototypes[i] = mean / max(float(np.linalg.norm(mean)), 1e-9)
    model = ExplanationModel(labels, prototypes, claim_vectors, np.zeros(len(FEATURES), dtype=np.float32),
                             embedder=embedder.name, dominant_weight=config.dominant_weight)
    X, y = [], []
    for ex, gold in zip(examples, gold_vectors, strict=True):
        vectors, words = sentence_inputs(ex.doc)
        if len(vectors):
            X.append(model.features(vectors, words, ex.narrative, ex.subnarrative))
            y.append(vectors @ gold)
    ridge = Ridge(alpha=config.ridge_alpha).fit(np.concatenate(X), np.concatenate(y))
    model.coef = ridge.coef_.astype(np.float32)
    model.intercept = float(ridge.intercept_)
    lengths: dict[str, list[int]] = {}
    for ex in examples:
        lengths.setdefault(ex.language, []).append(word_count(ex.explanation))
    model.budgets = {lang: int(min(config.max_budget, max(config.min_budget, round(config.budget_factor
                                                                                   * statistics.median(n)))))
                     for lang, n in sorted(lengths.items())}
    model.default_budget = int(min(config.max_budget, max(config.min_budget, round(
        config.budget_factor * statistics.median([w for n in lengths.values() for w in n])))))
    return model


def claim_embeddings(labels: list[str], embedder) -> np.ndarray:
    """Each label's English claim sentence, embedded (the multilingual encoder carries it to other languages)."""
    return np.asarray(embedder.encode([claim_sentence(label, None, "en") for label in labels]), dtype=np.float32)


def unit_rows(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-9)


def sentence_inputs(doc: Document) -> tuple[np.ndarray, np.ndarray]:
    vectors = doc.vectors.get("sentences")
    if vectors is None or len(vectors) == 0:
        return np.zeros((0, 1), dtype=np.float32), np.zeros(0, dtype=np.float32)
    words = np.array([word_count(s.text) for s in doc.sentences[: len(vectors)]], dtype=np.float32)
    return vectors[: len(words)], words


def explain_examples(model: ExplanationModel, examples: Sequence[ExplanationExample]) -> list[Explanation]:
    """The explanation of each example's gold dominant narrative (the subtask-3 setting)."""
    explainer = NarrativeExplainer(model)
    return [explainer.explain(ex.doc, ex.narrative, ex.subnarrative) for ex in examples]


def first_words(text: str, n: int = MAX_WORDS) -> str:
    """The trivial baseline: the article's first ``n`` words."""
    return " ".join(text.split()[:n])


def article_folds(examples: Sequence[ExplanationExample], k: int, seed: int) -> np.ndarray:
    """Fold of each example; articles with the same text share a fold (the training data repeats a few)."""
    keys = [hashlib.sha1(ex.doc.text.strip().encode()).hexdigest() for ex in examples]
    unique = sorted(set(keys))
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of = {key: int(order[i] % k) for i, key in enumerate(unique)}
    return np.array([fold_of[key] for key in keys])


def cross_validate(dataset: ExplanationDataset, embedder, config: ExplanationTrainingConfig,
                   progress: Callable[[str], None] | None = None) -> tuple[list[Explanation], np.ndarray]:
    """Out-of-fold explanations of every example (each fold's model never saw its articles) and the
    embeddings of the human explanations."""
    examples = dataset.examples
    gold_vectors = unit_rows(embedder.encode([ex.explanation for ex in examples]))
    claims = claim_embeddings(label_space(Taxonomy.default()), embedder)
    folds = article_folds(examples, config.folds, config.seed)
    predicted: list[Explanation | None] = [None] * len(examples)
    for k in range(config.folds):
        if progress:
            progress(f"fold {k + 1}/{config.folds}")
        train = np.flatnonzero(folds != k)
        test = np.flatnonzero(folds == k)
        model = fit_explanation_model([examples[i] for i in train], gold_vectors[train], embedder, config, claims)
        for i, explanation in zip(test, explain_examples(model, [examples[i] for i in test]), strict=True):
            predicted[i] = explanation
    return [p for p in predicted if p is not None], gold_vectors


def proxy_scores(predictions: Sequence[str], references: Sequence[str], languages: Sequence[str],
                 embedder, reference_vectors: np.ndarray | None = None) -> dict[str, dict[str, float]]:
    """Per language: mean embedding cosine with the reference and mean ROUGE-L F1."""
    if reference_vectors is None:
        cosines = embedding_cosines(predictions, references, embedder)
    else:
        cosines = (unit_rows(embedder.encode(list(predictions))) * reference_vectors).sum(axis=1)
    rouge = np.array([rouge_l_f1(p, r) for p, r in zip(predictions, references, strict=True)])
    out: dict[str, dict[str, float]] = {}
    langs = np.array(languages)
    for lang in sorted(set(languages)):
        mask = langs == lang
        out[lang] = {"n": int(mask.sum()), "cosine": round(float(cosines[mask].mean()), 4),
                     "rouge_l": round(float(rouge[mask].mean()), 4)}
    return out
