"""Issue 11 speed: sentence vectors for the STS-B test subset, and attention over a 50-word sentence.

Run by hand from the repository root:  nice python -m benchmarks.bench_sentences
Needs ../shared/data/eval/sentence/stsbenchmark/sts-test.csv and the shipped default vectors.
Each figure is printed next to an anchor measured in the same run, and the answers are checked:
- sentence vectors (mean, weighted, SIF): embtool's batched ``sentence_vectors`` vs a plain
  per-sentence NumPy loop (PrincetonML/SIF's ``get_weighted_average`` shape, then the same
  TruncatedSVD component removal for SIF).
- attention: ``attend`` with random projections, 4 heads and positions vs a direct NumPy
  softmax(QKᵀ/√d)V written out head by head.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import SHARED, best_of, report
from embtool import load_vectors
from embtool.attention import Projection, Score, attend, projections, sinusoidal_positions
from embtool.corpus import make_tokenizer
from embtool.evaluation.sts import read_sts
from embtool.sentences import (
    SentenceMethod,
    analyse,
    principal_components,
    remove_components,
    sentence_vectors,
)

STS_TEST = SHARED / "eval" / "sentence" / "stsbenchmark" / "sts-test.csv"


def loop_vectors(store, texts, tokenizer, method: SentenceMethod) -> np.ndarray:
    """The anchor: one weighted average per sentence in a Python loop, then SIF's removal."""
    sentences = analyse(store, texts, tokenizer, method=method)
    out = np.array(
        [
            np.mean(
                [t.weight * np.asarray(store.vector(t.word), dtype=np.float64) for t in s.known],
                axis=0,
            )
            for s in sentences
            if s.known
        ]
    )
    if method is SentenceMethod.sif:
        out = remove_components(out, principal_components(out, 1))
    return out


def loop_attention(e: np.ndarray, heads: int, seed: int) -> np.ndarray:
    """The anchor: scaled dot-product attention written out head by head."""
    n, dim = e.shape
    wq, wk, wv = projections(dim, Projection.random, seed)
    x = e + sinusoidal_positions(n, dim)
    q, k, v = x @ wq, x @ wk, x @ wv
    d = dim // heads
    outs = []
    for h in range(heads):
        s = q[:, h * d : (h + 1) * d] @ k[:, h * d : (h + 1) * d].T / np.sqrt(d)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        outs.append(p @ v[:, h * d : (h + 1) * d])
    return np.concatenate(outs, axis=1)


def main() -> None:
    store = load_vectors("default")
    tokenizer = make_tokenizer("regex")
    bench = read_sts(STS_TEST)
    texts = [p.s1 for p in bench.pairs] + [p.s2 for p in bench.pairs]
    print(
        f"{len(bench.pairs)} pairs, {len(texts)} sentences, store {store.name} {len(store)}x{store.dim}"
    )
    sentence_vectors(store, texts[:10], tokenizer, method=SentenceMethod.sif)  # sklearn import
    for method in SentenceMethod:
        ours = sentence_vectors(store, texts, tokenizer, method=method).vectors
        anchor = loop_vectors(store, texts, tokenizer, method)
        assert np.allclose(ours, anchor, atol=1e-6), f"{method.value}: answers differ"
        report(
            f"sentence vectors, {method.value}",
            best_of(lambda m=method: sentence_vectors(store, texts, tokenizer, method=m)),
            best_of(lambda m=method: loop_vectors(store, texts, tokenizer, m)),
            "per-sentence loop",
        )
    words = [w for w in tokenizer(" ".join(texts)) if w in store][:50]
    e = np.asarray(store.rows([store.row(w) for w in words]), dtype=np.float64)
    kw = {"score": Score.dot, "projection": Projection.random, "positions": True, "heads": 4}
    ours_att = attend(words, e, seed=1, **kw).outputs
    assert np.allclose(ours_att, loop_attention(e, 4, 1), atol=1e-6), "attention answers differ"
    report(
        f"attention, {len(words)} words, 4 heads",
        best_of(lambda: attend(words, e, seed=1, **kw)),
        best_of(lambda: loop_attention(e, 4, 1)),
        "per-head NumPy",
    )


if __name__ == "__main__":
    main()
