"""Semantic textual similarity (STS): Pearson and Spearman ×100 of sentence-vector cosines vs gold.

Reads the STS Benchmark format (``genre file years id score s1 s2``, extra source columns ignored)
and the plain ``s1<TAB>s2<TAB>score`` format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embtool.errors import BenchmarkError
from embtool.evaluation.benchmarks import _read_lines
from embtool.evaluation.pairs import _correlations
from embtool.sentences import DEFAULT_A, SentenceMethod, cosine_rows, sentence_vectors
from embtool.vectors.store import VectorStore


@dataclass(frozen=True)
class STSPair:
    s1: str
    s2: str
    score: float


@dataclass(frozen=True)
class STSBenchmark:
    name: str
    source: str
    pairs: tuple[STSPair, ...]


@dataclass(frozen=True)
class STSResult:
    """Correlations ×100 over the pairs whose two sentences both have a known word."""

    benchmark: str
    store: str
    method: SentenceMethod
    tokenizer: str
    pairs: int
    used: int
    pearson: float | None
    spearman: float | None
    seconds: float

    @property
    def coverage(self) -> float:
        return self.used / self.pairs if self.pairs else 0.0


def _score(text: str, path: Path, n: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BenchmarkError(f"{path} line {n}: score {text!r} is not a number") from None
    if not np.isfinite(value):
        raise BenchmarkError(f"{path} line {n}: score {text!r} is not finite")
    return value


def read_sts(path: str | Path, *, name: str | None = None) -> STSBenchmark:
    """Read an STS file.  Raises: BenchmarkError naming the first malformed line."""
    p = Path(path)
    if p.is_dir():
        raise BenchmarkError(f"{p} is a directory; give an STS file (e.g. sts-test.csv)")
    if not p.exists():
        raise BenchmarkError(f"{p}: no such STS file")
    pairs = []
    for n, line in enumerate(_read_lines(p), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) == 3:
            s1, s2, score = fields[0], fields[1], _score(fields[2], p, n)
        elif len(fields) >= 7:
            score, s1, s2 = _score(fields[4], p, n), fields[5], fields[6]
        else:
            raise BenchmarkError(
                f"{p} line {n}: expected 's1<TAB>s2<TAB>score' or the STS Benchmark "
                f"'genre file years id score s1 s2' (7 tab-separated fields), got {len(fields)}"
            )
        if not s1.strip() or not s2.strip():
            raise BenchmarkError(f"{p} line {n}: empty sentence")
        pairs.append(STSPair(s1, s2, score))
    if not pairs:
        raise BenchmarkError(f"{p}: no sentence pairs")
    return STSBenchmark(name or p.stem, str(p), tuple(pairs))


def evaluate_sts(
    store: VectorStore,
    bench: STSBenchmark,
    tokenizer: Callable[[str], list[str]],
    *,
    method: SentenceMethod = SentenceMethod.mean,
    tokenizer_name: str = "regex",
    a: float = DEFAULT_A,
    components: int = 1,
    frequencies: dict[str, int] | None = None,
) -> STSResult:
    """Cosine of the two sentence vectors of every pair against the gold scores.

    All sentences of the file form one batch (the SIF component is the batch's), as in
    PrincetonML/SIF. Pairs with a sentence of no known word are left out (coverage says how many).
    Raises: SentenceError (no counts for weighted/SIF).
    """
    import time

    start = time.perf_counter()
    texts = [p.s1 for p in bench.pairs] + [p.s2 for p in bench.pairs]
    sv = sentence_vectors(
        store,
        texts,
        tokenizer,
        method=method,
        a=a,
        components=components,
        frequencies=frequencies,
        skip_unknown=True,
    )
    n = len(bench.pairs)
    full = np.zeros((2 * n, store.dim))
    known = np.zeros(2 * n, dtype=bool)
    full[list(sv.positions)] = sv.vectors
    known[list(sv.positions)] = True
    use = known[:n] & known[n:]
    model = cosine_rows(full[:n][use], full[n:][use])
    gold = np.array([p.score for p in bench.pairs])[use]
    _, _, pearson, _ = _correlations(gold, model)
    spearman = _correlations(gold, model)[0]
    return STSResult(
        benchmark=bench.name,
        store=store.name,
        method=SentenceMethod(method),
        tokenizer=tokenizer_name,
        pairs=n,
        used=int(use.sum()),
        pearson=None if pearson is None else 100 * pearson,
        spearman=None if spearman is None else 100 * spearman,
        seconds=time.perf_counter() - start,
    )


def parse_methods(spec: str) -> list[SentenceMethod]:
    """``mean,sif`` -> methods.  Raises: BenchmarkError for an unknown name."""
    out = []
    for name in (s.strip() for s in spec.split(",")):
        try:
            out.append(SentenceMethod(name))
        except ValueError:
            known = ", ".join(m.value for m in SentenceMethod)
            raise BenchmarkError(
                f"unknown sentence method {name!r} (choose from {known})"
            ) from None
    return list(dict.fromkeys(out))
