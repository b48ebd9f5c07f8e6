"""The one vector store every command reads and writes.

A :class:`VectorStore` holds words in row order, a float32 or float16 matrix (possibly
memory-mapped), optional per-word counts and metadata recording how the vectors were made.
Unit-normalised rows, the word index and counts read from a store are computed lazily, so opening a
400k-word store costs almost nothing until it is queried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embtool.errors import QUOTE_WORDS, UnknownWordsError, VectorFileError
from embtool.suggest import SuggestionIndex

if TYPE_CHECKING:
    from embtool.vectors.subwords import Subwords

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float16))
_SCAN_LOOKUPS = 16  # look-ups answered by scanning before the word index is built


@dataclass(frozen=True)
class Resolved:
    """A query word matched to a row; ``word`` differs from ``query`` when case was folded.

    ``oov`` marks a word outside the vocabulary whose vector was built from its character n-grams;
    its ``row`` is past the vocabulary's (``store.rows`` knows it; neighbour searches never return
    it).
    """

    query: str
    word: str
    row: int
    oov: bool = False

    @property
    def folded(self) -> bool:
        return self.query != self.word


class VectorStore:
    """Words and their vectors, with lazily cached norms, unit rows and word index.

    ``vectors`` is kept as given (a read-only memory map stays one); arithmetic is done in float32.
    ``subwords`` (fastText's n-gram matrix) lets :meth:`resolve` build vectors for unseen words.
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors: np.ndarray,
        *,
        counts: Sequence[int] | np.ndarray | Callable[[], np.ndarray] | None = None,
        meta: dict[str, Any] | None = None,
        path: str | Path | None = None,
        name: str | None = None,
        subwords: Subwords | None = None,
    ) -> None:
        if vectors.ndim != 2:
            raise VectorFileError(
                path or "<vectors>", f"expected a 2-D matrix, got {vectors.ndim}-D"
            )
        if len(words) != vectors.shape[0]:
            raise VectorFileError(
                path or "<vectors>",
                f"{len(words)} words but {vectors.shape[0]} vector rows",
            )
        if vectors.dtype not in SUPPORTED_DTYPES:
            vectors = vectors.astype(np.float32)
        self.words: list[str] = list(words)
        self._vectors = vectors
        self._counts: np.ndarray | None = None
        self._counts_loader: Callable[[], np.ndarray] | None = None
        self._source = path
        if callable(counts):
            self._counts_loader = counts
        else:
            self.counts = counts
        self.meta: dict[str, Any] = dict(meta or {})
        self.path: Path | None = Path(path) if path is not None else None
        self.name: str = name or (self.path.name if self.path is not None else "vectors")
        self.limit: int | None = None  # set when only the first N words of a file were loaded
        self._index: dict[str, int] | None = None
        self._lookups = 0
        self._suggestions: SuggestionIndex | None = None
        self._norms: np.ndarray | None = None
        self._unit: np.ndarray | None = None
        if subwords is not None and subwords.dim != vectors.shape[1]:
            raise VectorFileError(
                path or "<vectors>",
                f"n-gram matrix has {subwords.dim} dims but the vectors have {vectors.shape[1]}",
            )
        self.subwords: Subwords | None = subwords
        self._oov_rows: dict[
            str, int
        ] = {}  # word built from n-grams -> its row past the vocabulary
        self._oov_vectors: list[np.ndarray] = []
        self._oov_matrix: np.ndarray | None = None

    # -- counts -----------------------------------------------------------------------------
    @property
    def counts(self) -> np.ndarray | None:
        """Corpus frequency of every word (int64, row order), or None when unknown; a store's
        counts are parsed on first use."""
        if self._counts is None and self._counts_loader is not None:
            loader, self._counts_loader = self._counts_loader, None
            self.counts = loader()
        return self._counts

    @counts.setter
    def counts(self, counts: Sequence[int] | np.ndarray | None) -> None:
        self._counts_loader = None
        if counts is None:
            self._counts = None
            return
        arr = np.asarray(counts, dtype=np.int64)
        if arr.shape != (len(self.words),):
            raise VectorFileError(self._source or "<vectors>", "counts do not match the words")
        self._counts = arr

    @property
    def has_counts(self) -> bool:
        """Whether counts are known, without parsing them."""
        return self._counts is not None or self._counts_loader is not None

    def set_counts_loader(self, loader: Callable[[], np.ndarray]) -> None:
        """Defer parsing counts until first used (opening a store stays fast)."""
        self._counts = None
        self._counts_loader = loader

    # -- shape and access -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.words)

    def __repr__(self) -> str:
        return f"VectorStore({self.name!r}, {len(self)} words x {self.dim} dims, {self.dtype})"

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    @property
    def dtype(self) -> np.dtype:
        return self._vectors.dtype

    @property
    def vectors(self) -> np.ndarray:
        """The raw matrix, read-only (rows in word order)."""
        view = self._vectors.view()
        view.flags.writeable = False
        return view

    @property
    def index(self) -> dict[str, int]:
        """Word -> row; the first occurrence wins if a word repeats."""
        if self._index is None:
            index = dict(zip(self.words, range(len(self.words)), strict=True))
            if len(index) != len(self.words):  # a repeated word: keep its first row
                index = dict(
                    zip(reversed(self.words), range(len(self.words) - 1, -1, -1), strict=True)
                )
            self._index = index
        return self._index

    def find(self, word: str) -> int | None:
        """Row of ``word`` or None.  A few look-ups scan the word list (fast in C) instead of
        building the index, so a one-off query on a 400k-word store does not pay for a dict."""
        if self._index is None:
            self._lookups += 1
            if self._lookups <= _SCAN_LOOKUPS:
                try:
                    return self.words.index(word)
                except ValueError:
                    return None
        return self.index.get(word)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.find(word) is not None

    def row(self, word: str) -> int:
        """Row of ``word``.  Raises: UnknownWordsError."""
        row = self.find(word)
        if row is None:
            raise self.unknown([word])
        return row

    def vector(self, word: str) -> np.ndarray:
        """The raw vector of ``word`` as float32 (a copy).  Raises: UnknownWordsError."""
        return np.asarray(self._vectors[self.row(word)], dtype=np.float32)

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vector(word)

    def rows(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """Raw vectors of the given rows as a float32 array (rows past the vocabulary are words
        built from n-grams by :meth:`resolve`)."""
        rows = np.asarray(rows, dtype=np.int64)
        n = len(self.words)
        if not self._oov_vectors or rows.size == 0 or int(rows.max()) < n:
            return np.asarray(self._vectors[rows], dtype=np.float32)
        out = np.empty((*rows.shape, self.dim), dtype=np.float32)
        inside = rows < n
        out[inside] = self._vectors[rows[inside]]
        if self._oov_matrix is None or len(self._oov_matrix) != len(self._oov_vectors):
            self._oov_matrix = np.stack(self._oov_vectors)
        extra = self._oov_matrix
        out[~inside] = extra[rows[~inside] - n]
        return out

    # -- words outside the vocabulary (fastText subwords) -----------------------------------
    @property
    def has_subwords(self) -> bool:
        """Whether vectors can be built for words outside the vocabulary."""
        return self.subwords is not None

    def oov_vector(self, word: str) -> np.ndarray | None:
        """The vector fastText builds for ``word`` from its character n-grams (float32), or None
        when the store has no subwords or none of the word's n-grams is known."""
        if self.subwords is None:
            return None
        return self.subwords.vector(word)

    def oov_row(self, word: str) -> int | None:
        """A row past the vocabulary holding ``word``'s vector built from n-grams (made once per
        word), or None when it cannot be built."""
        row = self._oov_rows.get(word)
        if row is not None:
            return row
        vec = self.oov_vector(word)
        if vec is None:
            return None
        row = len(self.words) + len(self._oov_vectors)
        self._oov_vectors.append(vec)
        self._oov_rows[word] = row
        return row

    def oov_word(self, row: int) -> str | None:
        """The word built from n-grams at ``row``, or None for a vocabulary row."""
        if row < len(self.words):
            return None
        for word, r in self._oov_rows.items():
            if r == row:
                return word
        return None

    @property
    def built_words(self) -> list[str]:
        """Words outside the vocabulary whose vectors were built from n-grams so far."""
        return list(self._oov_rows)

    def count(self, word: str) -> int | None:
        """Corpus frequency of ``word`` when the store knows it."""
        if self.counts is None:
            return None
        return int(self.counts[self.row(word)])

    # -- norms and unit vectors -------------------------------------------------------------
    @property
    def norms(self) -> np.ndarray:
        """L2 norm of every row (float32), computed once."""
        if self._norms is None:
            norms = np.empty(len(self), dtype=np.float32)
            for start, block in self.blocks():
                norms[start : start + len(block)] = np.sqrt(np.einsum("ij,ij->i", block, block))
            self._check_finite(0, norms)
            self._norms = norms
        return self._norms

    def block_norms(self, start: int, block: np.ndarray) -> np.ndarray:
        """Norms of ``block`` (rows ``start``.. of this store): cached ones if known, else computed
        from the block in hand, which saves a separate pass over a large matrix."""
        if self._norms is not None:
            return self._norms[start : start + len(block)]
        norms = np.sqrt(np.einsum("ij,ij->i", block, block))
        self._check_finite(start, norms)
        return norms

    def _check_finite(self, start: int, norms: np.ndarray) -> None:
        """Refuse NaN/inf rows (a norm is finite exactly when its row is), naming the word; checked
        when norms are first computed, so opening a memory-mapped store stays free."""
        if not np.isfinite(norms).all():
            row = start + int(np.argmin(np.isfinite(norms)))
            raise VectorFileError(
                self._source or self.name,
                f"the vector of {self.words[row]!r} (row {row + 1}) has a NaN or infinite value",
            )

    def unit(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """Unit-normalised float32 vectors of the given rows (zero rows stay zero)."""
        rows = np.asarray(rows, dtype=np.int64)
        vecs = self.rows(rows)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.where(norms == 0, 1, norms)

    @property
    def unit_vectors(self) -> np.ndarray:
        """All rows unit-normalised, float32, computed once (costs a full float32 copy)."""
        if self._unit is None:
            norms = self.norms
            unit = np.empty((len(self), self.dim), dtype=np.float32)
            for start, block in self.blocks():
                stop = start + len(block)
                n = norms[start:stop, None]
                unit[start:stop] = block / np.where(n == 0, 1, n)
            unit.flags.writeable = False
            self._unit = unit
        return self._unit

    def blocks(
        self, size: int = 65536, stop: int | None = None
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(start, float32 block)`` over the first ``stop`` rows, ``size`` rows a time."""
        stop = len(self) if stop is None else min(stop, len(self))
        for start in range(0, stop, size):
            block = self._vectors[start : min(start + size, stop)]
            yield start, np.asarray(block, dtype=np.float32)

    # -- words ------------------------------------------------------------------------------
    def resolve(
        self,
        words: Iterable[str],
        *,
        fold_case: bool = True,
        suggest: bool = True,
        subwords: bool = True,
    ) -> list[Resolved]:
        """Match query words to rows. With ``fold_case``, a word missing as typed falls back to its
        lower-case form, else to its only other-case form (``paris`` -> ``Paris``); a word with
        several other-case forms stays unknown (they are suggested). Then, with ``subwords`` and a
        store that has them, a word still missing gets the vector built from its n-grams as typed
        (``Resolved.oov``), as gensim's ``FastTextKeyedVectors`` does.

        Raises: UnknownWordsError naming every word that could not be matched (with spelling
        suggestions unless ``suggest`` is false: a batch that skips such queries never shows them).
        """
        out: list[Resolved] = []
        missing: list[str] = []
        for q in words:
            row = self.find(q)
            if row is not None:
                out.append(Resolved(q, q, row))
                continue
            if fold_case:
                low = q.lower()
                row = self.find(low) if low != q else None
                if row is not None:
                    out.append(Resolved(q, low, row))
                    continue
                variants = self.suggestions.case_variants(q)
                if len(variants) == 1:
                    out.append(Resolved(q, variants[0], self.row(variants[0])))
                    continue
            if subwords and self.subwords is not None:
                row = self.oov_row(q)
                if row is not None:
                    out.append(Resolved(q, q, row, oov=True))
                    continue
            missing.append(q)
        if missing:
            raise self.unknown(missing) if suggest else UnknownWordsError(missing)
        return out

    def unknown(self, words: Sequence[str]) -> UnknownWordsError:
        """The error for ``words`` missing from this store, with spelling suggestions (and a
        reminder when ``limit`` kept only part of the vocabulary)."""
        where = self.name
        if self.limit is not None:
            where += f", first {self.limit:,} words loaded with `limit`"
        from embtool.language import unknown_words_hint

        shown = list(dict.fromkeys(words))[:QUOTE_WORDS]  # suggestions only for words it names
        hint = unknown_words_hint(words, self)
        if hint is None and self.subwords is not None:
            hint = "no character n-gram of theirs is known to these fastText subwords either"
        return UnknownWordsError(words, self.close_matches(shown), where, hint)

    @property
    def suggestions(self) -> SuggestionIndex:
        """The vocabulary index behind case fallback and spelling suggestions, built on first use."""
        if self._suggestions is None:
            self._suggestions = SuggestionIndex(self.words)
        return self._suggestions

    def close_matches(self, words: Iterable[str], n: int = 3) -> dict[str, list[str]]:
        """Spelling suggestions for unknown words: other-case forms first, then close spellings
        among the 200,000 most frequent words."""
        return self.suggestions.suggest(words, n)

    # -- gensim-style queries and conversion ----------------------------------------------------
    def most_similar(
        self,
        positive: Sequence[str] | str | None = None,
        negative: Sequence[str] | str | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """gensim's ``most_similar``: ``[(word, cosine), ...]`` best first (always a list).

        Raises: UnknownWordsError, UsageError."""
        from embtool.similarity import most_similar

        return most_similar(self, positive, negative, topn, restrict_vocab=restrict_vocab)

    def similarity(self, w1: str, w2: str) -> float:
        """gensim's ``similarity``: cosine of two words.  Raises: UnknownWordsError."""
        from embtool.similarity import similarities

        return similarities(self, [[w1, w2]], fold_case=False).results[0].similarity

    def to_keyed_vectors(self) -> Any:
        """A ``gensim.models.KeyedVectors`` with the same words, vectors and counts."""
        from gensim.models import KeyedVectors

        kv = KeyedVectors(self.dim, dtype=np.float32)
        kv.add_vectors(self.words, np.asarray(self._vectors, dtype=np.float32))
        if self.counts is not None:
            for word, count in zip(self.words, self.counts.tolist(), strict=True):
                kv.set_vecattr(word, "count", count)
        return kv

    @classmethod
    def from_keyed_vectors(cls, kv: Any, name: str | None = None) -> VectorStore:
        """A store from a ``gensim.models.KeyedVectors`` (counts kept when gensim has them)."""
        words = list(kv.index_to_key)
        counts = None
        if words and "count" in getattr(kv, "expandos", {}):
            counts = np.asarray(kv.expandos["count"][: len(words)], dtype=np.int64)
        return cls(words, np.asarray(kv.vectors), counts=counts, name=name or "keyed-vectors")

    # -- derived stores ---------------------------------------------------------------------
    def head(self, n: int) -> VectorStore:
        """The first ``n`` words (the most frequent, in a sorted store), sharing memory."""
        n = max(0, min(n, len(self)))
        store = VectorStore(
            self.words[:n],
            self._vectors[:n],
            counts=None if self._counts is None else self._counts[:n],
            meta=self.meta,
            path=self.path,
            name=self.name,
            subwords=self.subwords,
        )
        if self._counts_loader is not None:
            store.set_counts_loader(lambda: self.counts[:n])  # type: ignore[index]
        return store

    def subset(self, words: Iterable[str]) -> VectorStore:
        """A new in-memory store with just ``words`` (in the order given).

        Raises: UnknownWordsError.
        """
        resolved = self.resolve(words, fold_case=False, subwords=False)
        rows = np.array([r.row for r in resolved], dtype=np.int64)
        return VectorStore(
            [r.word for r in resolved],
            np.asarray(self._vectors[rows]),
            counts=None if self.counts is None else self.counts[rows],
            meta=self.meta,
            name=self.name,
        )
