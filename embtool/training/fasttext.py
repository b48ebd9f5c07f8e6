"""fastText (subword) training through gensim's ``FastText`` in its ``corpus_file`` mode.

The same path as Word2Vec (:mod:`embtool.training.word2vec`): the vocabulary comes from the counts
the prepared corpus already made, gensim's threads read the tokenized file, progress is watched
from outside. The store it returns keeps the n-gram matrix and the hashing parameters
(:class:`~embtool.vectors.subwords.Subwords`), so unseen words get vectors after saving too.

Before training, :func:`memory_estimate` says what the model will take: gensim's own estimate
counts the n-gram matrix once, but training holds about twice that (gensim#1824: the matrix, plus
the per-word n-gram bucket lists and the composed word vectors), so the estimate here is the
measured figure, and :func:`check_memory` refuses a model that will not fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from embtool.corpus import PreparedCorpus, ProgressCallback
from embtool.errors import InvalidOptionError, TrainingError
from embtool.training.config import FastTextConfig
from embtool.training.word2vec import (
    check_vocabulary,
    gensim_settings,
    run_training,
    training_record,
    with_vocabulary,
)
from embtool.vectors.fasttext_bin import store_from_model
from embtool.vectors.store import VectorStore

_FLOAT = 4  # bytes per float32


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a fastText model takes while training.

    ``ngrams``: the n-gram matrix alone (bucket x dim x 4). ``total``: what training needs, as
    measured with gensim 4.4 (peak 1.17x the matrix at bucket 2M x dim 100, plus the word vectors
    and the interpreter; benchmarks/bench_fasttext.py). ``upper``: twice the matrix plus the word
    vectors, the overhead gensim#1824 reports for older gensim (its own estimate counts the matrix
    once). Training is refused when ``total`` exceeds ``available``.
    """

    ngrams: int
    total: int
    upper: int
    available: int | None

    @property
    def fits(self) -> bool:
        return self.available is None or self.total <= self.available


def available_memory() -> int | None:
    """Memory this process may still take (MemAvailable on Linux), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


_BASE = 150_000_000  # the interpreter with numpy and gensim loaded, measured


def memory_estimate(
    config: FastTextConfig, vocabulary: int, available: int | None = None
) -> MemoryEstimate:
    """What training ``config`` on ``vocabulary`` words will take (see :class:`MemoryEstimate`):
    the n-gram matrix, the word vectors (own, composed, output layer) and ~500 bytes of
    vocabulary per word."""
    ngrams = config.bucket * config.dim * _FLOAT
    words = vocabulary * (3 * config.dim * _FLOAT + 500)
    total = int(1.25 * ngrams) + words + _BASE
    return MemoryEstimate(ngrams, total, 2 * ngrams + words, available)


def check_memory(estimate: MemoryEstimate) -> None:
    """Raises: InvalidOptionError (``bucket``) when the model will not fit in memory."""
    if not estimate.fits:
        assert estimate.available is not None
        raise InvalidOptionError(
            "bucket",
            "is too large for this machine: training needs about "
            f"{format_bytes(estimate.total)} (n-gram matrix {format_bytes(estimate.ngrams)}) but "
            f"{format_bytes(estimate.available)} is free; lower `bucket` or `dim`",
        )


def format_bytes(n: float) -> str:
    """``800 MB``, ``1.6 GB``, ``40 kB``: a size for a message."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            value = n / scale
            return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    return f"{int(n)} bytes"


def _new_model(config: FastTextConfig, corpus: PreparedCorpus) -> Any:
    from gensim.models import FastText

    model = FastText(
        **gensim_settings(config, skipgram=config.skipgram),
        min_n=config.min_n,
        max_n=config.max_n,
        bucket=config.bucket,
    )
    return with_vocabulary(model, corpus)


def train_fasttext(
    config: FastTextConfig,
    corpus: PreparedCorpus,
    progress: ProgressCallback | None = None,
    *,
    available: int | None = None,
) -> VectorStore:
    """Train fastText on a prepared corpus; the store keeps its n-gram matrix.

    ``available`` is the memory budget in bytes (default: what the machine has free).
    Raises: TrainingError (nothing reaches min_count), InvalidOptionError (will not fit).
    """
    check_vocabulary(corpus, config.min_count)
    vocabulary = sum(1 for c in corpus.counts.values() if c >= config.min_count)
    if config.max_vocab is not None:
        vocabulary = min(vocabulary, config.max_vocab)
    estimate = memory_estimate(
        config, vocabulary, available if available is not None else available_memory()
    )
    check_memory(estimate)
    model = _new_model(config, corpus)
    if len(model.wv) == 0:
        raise TrainingError(f"no word occurs at least {config.min_count} times (`min_count`)")
    effective, raw, seconds = run_training(model, config, corpus, progress)
    training = training_record(
        config,
        "gensim.models.FastText (corpus_file mode)",
        model.wv,
        effective,
        raw,
        seconds,
        memory_estimate_bytes=estimate.total,
    )
    if not np.isfinite(model.wv.vectors).all():
        raise TrainingError("training diverged (vectors hold NaN or infinity): lower `alpha`")
    return store_from_model(model, config.method.value, {"training": training})
