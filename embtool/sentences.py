"""Sentence vectors from word vectors: plain mean, a/(a + p(w)) weighted mean, and SIF.

SIF (Arora, Liang & Ma, ICLR 2017) is the weighted mean with the projection on the first
principal component(s) of the batch removed, computed as the reference code PrincetonML/SIF does:
``TruncatedSVD(n_components=N, n_iter=7, random_state=0)`` on the uncentred sentence matrix.
sklearn is imported only when SIF runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from embtool.errors import EmbtoolError, UsageError
from embtool.vectors.store import VectorStore

DEFAULT_A = 1e-3


class SentenceError(EmbtoolError):
    """A sentence cannot be turned into a vector (empty, no known word, no word counts)."""


class SentenceMethod(str, Enum):
    mean = "mean"
    weighted = "weighted"
    sif = "sif"

    @property
    def needs_counts(self) -> bool:
        return self is not SentenceMethod.mean


@dataclass(frozen=True)
class TokenWeight:
    word: str
    weight: float


@dataclass(frozen=True)
class Sentence:
    """One input sentence: its tokens, the known ones with their weights, and the unknown ones.

    ``built`` are the known tokens outside the vocabulary whose vectors came from their character
    n-grams (a store with fastText subwords).
    """

    text: str
    tokens: tuple[str, ...]
    known: tuple[TokenWeight, ...]
    unknown: tuple[str, ...]
    built: tuple[str, ...] = ()


def _row(store: VectorStore, index: dict[str, int], word: str) -> int:
    """The row of a known token: its vocabulary row, else the row built from its n-grams."""
    row = index.get(word)
    if row is None:
        row = store.oov_row(word)
    if row is None:
        raise store.unknown([word])
    return row


@dataclass(frozen=True)
class SentenceVectors:
    """Vectors (n x dim, float64) of the sentences kept, in input order; ``skipped`` had no known word."""

    sentences: tuple[Sentence, ...]
    vectors: np.ndarray
    method: SentenceMethod
    a: float
    components: np.ndarray  # the principal components removed (SIF), else shape (0, dim)
    skipped: tuple[Sentence, ...]
    positions: tuple[int, ...]  # 0-based input position of each kept sentence


def read_frequencies(path: str | Path) -> dict[str, int]:
    """``word<TAB>count`` lines (or space-separated).  Raises: SentenceError with the line number."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SentenceError(f"{p}: cannot read as UTF-8 text ({exc})") from None
    out: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        try:
            count = int(parts[1])
            if count < 0 or len(parts) != 2:
                raise ValueError
        except (ValueError, IndexError):
            raise SentenceError(f"{p} line {n}: expected 'word<TAB>count'") from None
        out[parts[0]] = out.get(parts[0], 0) + count
    if not out:
        raise SentenceError(f"{p}: no 'word<TAB>count' lines")
    return out


def word_probabilities(
    store: VectorStore, frequencies: dict[str, int] | None = None
) -> Callable[[str], float]:
    """p(w) from ``frequencies`` (count / total) or else the store's counts (count / their sum).

    Raises: SentenceError when neither is available (never silent uniform weights).
    """
    if frequencies is not None:
        total = float(sum(frequencies.values()))
        return lambda w: frequencies.get(w, 0) / total
    if store.counts is None:
        raise SentenceError(
            f"{store.name} has no word counts: weighted and SIF need p(w); "
            "pass `frequencies` (word<TAB>count) or use `method=mean`"
        )
    counts = store.counts
    total = float(counts.sum())
    index = store.index
    # a token built from n-grams has no count: p(w) = 0, so its weight is a / (a + 0) = 1
    return lambda w: float(counts[index[w]]) / total if w in index else 0.0


def analyse(
    store: VectorStore,
    texts: Sequence[str],
    tokenizer: Callable[[str], list[str]],
    *,
    method: SentenceMethod = SentenceMethod.mean,
    a: float = DEFAULT_A,
    frequencies: dict[str, int] | None = None,
    fold_case: bool = True,
) -> list[Sentence]:
    """Tokenise each text and weigh its known tokens (1 for ``mean``, a/(a + p(w)) otherwise).

    Raises: SentenceError (empty sentence, no counts), UsageError (a <= 0).
    """
    method = SentenceMethod(method)
    if not a > 0:
        raise UsageError(f"a must be positive, got {a}")
    prob = word_probabilities(store, frequencies) if method.needs_counts else None
    index = store.index
    out = []
    for i, text in enumerate(texts, 1):
        tokens = tokenizer(text)
        if not tokens:
            raise SentenceError(f"sentence {i} is empty (no tokens): {text!r}")
        known, unknown, built = [], [], []
        for t in tokens:
            w = t if t in index else (t.lower() if fold_case and t.lower() in index else None)
            if w is None and store.oov_row(t) is not None:
                w = t
                built.append(t)
            if w is None:
                unknown.append(t)
                continue
            weight = 1.0 if prob is None else a / (a + prob(w))
            known.append(TokenWeight(w, weight))
        out.append(
            Sentence(text, tuple(tokens), tuple(known), tuple(unknown), tuple(dict.fromkeys(built)))
        )
    return out


def weighted_average(store: VectorStore, sentence: Sentence) -> np.ndarray:
    """Σ weight·vector / number of known tokens (PrincetonML/SIF's ``get_weighted_average``)."""
    index = store.index
    rows = [_row(store, index, t.word) for t in sentence.known]
    weights = np.array([t.weight for t in sentence.known], dtype=np.float64)
    vecs = np.asarray(store.rows(rows), dtype=np.float64)
    return weights @ vecs / len(rows)


def principal_components(x: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` right singular vectors of ``x``, as PrincetonML/SIF computes them."""
    from sklearn.decomposition import TruncatedSVD

    svd = TruncatedSVD(n_components=n, n_iter=7, random_state=0)
    svd.fit(x)
    return svd.components_


def remove_components(x: np.ndarray, pc: np.ndarray) -> np.ndarray:
    """x - x·pcᵀ·pc: the projection on the given components removed."""
    return x - x @ pc.T @ pc


def sentence_vectors(
    store: VectorStore,
    texts: Sequence[str],
    tokenizer: Callable[[str], list[str]],
    *,
    method: SentenceMethod = SentenceMethod.mean,
    a: float = DEFAULT_A,
    components: int = 1,
    frequencies: dict[str, int] | None = None,
    skip_unknown: bool = False,
    fold_case: bool = True,
) -> SentenceVectors:
    """One vector per text by ``method``; SIF removes ``components`` principal components of the batch.

    Raises: SentenceError (empty or all-unknown sentence unless ``skip_unknown``, no counts),
    UsageError (bad ``a`` or ``components``).
    """
    method = SentenceMethod(method)
    sentences = analyse(
        store, texts, tokenizer, method=method, a=a, frequencies=frequencies, fold_case=fold_case
    )
    empty = [(i, s) for i, s in enumerate(sentences, 1) if not s.known]
    if empty and not skip_unknown:
        i, s = empty[0]
        more = f" (and {len(empty) - 1} more)" if len(empty) > 1 else ""
        raise SentenceError(
            f"sentence {i} has no word in the vectors ({store.name}): {s.text!r}{more}; "
            "use `skip_unknown=True` to leave such sentences out"
        )
    kept = [s for s in sentences if s.known]
    index = store.index
    rows = np.array([_row(store, index, t.word) for s in kept for t in s.known], dtype=np.int64)
    weights = np.array([t.weight for s in kept for t in s.known], dtype=np.float64)
    lengths = np.array([len(s.known) for s in kept], dtype=np.int64)
    vectors = np.zeros((len(kept), store.dim), dtype=np.float64)
    if len(kept):
        weighted = np.asarray(store.rows(rows), dtype=np.float64) * weights[:, None]
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        vectors = np.add.reduceat(weighted, starts, axis=0) / lengths[:, None]
    pc = np.zeros((0, store.dim))
    if method is SentenceMethod.sif:
        if not 1 <= components < max(2, store.dim):
            raise UsageError(f"components must be between 1 and {store.dim - 1}, got {components}")
        if len(kept) < 2:
            raise SentenceError(
                "SIF removes the common component of a batch: it needs at least 2 sentences"
            )
        pc = principal_components(vectors, components)
        vectors = remove_components(vectors, pc)
    return SentenceVectors(
        tuple(kept),
        vectors,
        method,
        a,
        pc,
        tuple(s for s in sentences if not s.known),
        tuple(i for i, s in enumerate(sentences) if s.known),
    )


def cosine_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two equal-shape matrices (0 where a row is zero)."""
    nx = np.linalg.norm(x, axis=1)
    ny = np.linalg.norm(y, axis=1)
    denom = np.where((nx == 0) | (ny == 0), 1.0, nx * ny)
    return np.einsum("ij,ij->i", x, y) / denom
