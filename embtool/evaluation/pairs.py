"""Word-similarity benchmarks: Spearman (and Pearson) correlation of cosines with human scores.

Matches gensim's ``evaluate_word_pairs`` (same case folding, same restricted vocabulary; the
``zero`` OOV policy is its ``dummy4unknown=True``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from embtool.evaluation.benchmarks import SimilarityBenchmark
from embtool.evaluation.vocab import CaseMode, SimilarityOOV, WordLookup, effective_restrict
from embtool.similarity import cosines64
from embtool.vectors.store import VectorStore

#: Fewer scored pairs than this and a rank correlation says little (one swap moves rho by ~0.1 or
#: more at n = 10): results are flagged ``reliable = False``, still reported.
MIN_CORRELATION_PAIRS = 10


@dataclass(frozen=True)
class SimilarityResult:
    """Correlations over the pairs scored; ``used`` pairs had both words in the vocabulary."""

    benchmark: str
    source: str
    store: str
    restrict: int
    case: CaseMode
    oov: SimilarityOOV
    pairs: int
    used: int
    scored: int  # pairs entering the correlation (= used with skip, = pairs otherwise)
    spearman: float | None
    spearman_p: float | None
    pearson: float | None
    pearson_p: float | None
    oov_words: tuple[str, ...]

    kind = "similarity"

    @property
    def coverage(self) -> float:
        return self.used / self.pairs if self.pairs else 0.0

    @property
    def reliable(self) -> bool:
        """Whether enough pairs were scored for the correlations to mean something."""
        return self.scored >= MIN_CORRELATION_PAIRS

    @property
    def score(self) -> float | None:
        """The headline number: Spearman's rho."""
        return self.spearman


def _finite(x: float) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _correlations(gold: np.ndarray, model: np.ndarray) -> tuple[float | None, ...]:
    if len(gold) < 2 or np.ptp(gold) == 0 or np.ptp(model) == 0:
        return None, None, None, None
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = stats.spearmanr(gold, model)
        p = stats.pearsonr(gold, model)
    return _finite(s[0]), _finite(s[1]), _finite(p[0]), _finite(p[1])


def _unit64(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norms == 0, 1, norms)


def mean_vector(store: VectorStore, rows: int) -> np.ndarray:
    """Mean of the first ``rows`` raw vectors, accumulated block by block in float64."""
    total = np.zeros(store.dim, dtype=np.float64)
    for _, block in store.blocks(stop=rows):
        total += block.sum(axis=0, dtype=np.float64)
    return total / max(rows, 1)


def evaluate_similarity(
    store: VectorStore,
    benchmark: SimilarityBenchmark,
    *,
    case: CaseMode | str = CaseMode.fold,
    oov: SimilarityOOV | str = SimilarityOOV.skip,
    restrict: int | None = None,
    lookup: WordLookup | None = None,
) -> SimilarityResult:
    """Spearman and Pearson correlation between cosine similarity and the benchmark's scores.

    ``restrict`` (default: the whole vocabulary) limits the words that count as known.
    """
    case, oov = CaseMode(case), SimilarityOOV(oov)
    if (
        lookup is None
        or lookup.case is not case
        or lookup.size != effective_restrict(store, restrict)
    ):
        lookup = WordLookup(store, restrict, case, lookup.subwords if lookup else False)
    n = len(benchmark.pairs)
    rows = np.full((n, 2), -1, dtype=np.int64)
    missing: list[str] = []
    for i, p in enumerate(benchmark.pairs):
        for j, w in enumerate((p.word1, p.word2)):
            r = lookup.row(w)
            if r is None:
                missing.append(w)
            else:
                rows[i, j] = r
    known = (rows >= 0).all(axis=1)
    gold = np.array([p.score for p in benchmark.pairs], dtype=np.float64)
    model = np.zeros(n, dtype=np.float64)
    if known.any():
        model[known] = cosines64(store.rows(rows[known, 0]), store.rows(rows[known, 1]))
    if oov is SimilarityOOV.skip:
        use = known
    else:
        use = np.ones(n, dtype=bool)
        if oov is SimilarityOOV.mean and not known.all():
            mean = _unit64(mean_vector(store, lookup.size))
            for i in np.flatnonzero(~known).tolist():
                vecs = [_unit64(store.rows([r]))[0] if r >= 0 else mean for r in rows[i].tolist()]
                model[i] = float(cosines64(vecs[0], vecs[1])[0])
    spearman, spearman_p, pearson, pearson_p = _correlations(gold[use], model[use])
    return SimilarityResult(
        benchmark=benchmark.name,
        source=benchmark.source,
        store=store.name,
        restrict=lookup.size,
        case=case,
        oov=oov,
        pairs=n,
        used=int(known.sum()),
        scored=int(use.sum()),
        spearman=spearman,
        spearman_p=spearman_p,
        pearson=pearson,
        pearson_p=pearson_p,
        oov_words=tuple(dict.fromkeys(missing)),
    )
