"""Training: one entry point, :func:`train`, dispatching on :class:`Method` to a trainer.

Every trainer has the signature ``trainer(config, corpus, progress=None, **options) -> VectorStore``
where ``config`` is the method's frozen config dataclass, ``corpus`` a
:class:`~embtool.corpus.PreparedCorpus` (a tokenized file plus word counts) and ``progress`` a
callback receiving :class:`~embtool.corpus.ProgressEvent`. :func:`train` adds what every method
records: the corpus (paths, sha256, token counts), times and the history entry.

>>> from embtool.corpus import Corpus                                    # doctest: +SKIP
>>> from embtool.training import Word2VecConfig, Method, train           # doctest: +SKIP
>>> store = train(Word2VecConfig(Method.skipgram, dim=50), Corpus(["text.txt"]))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from embtool.corpus import Corpus, PreparedCorpus, ProgressCallback
from embtool.errors import UsageError
from embtool.store import VectorStore
from embtool.training.config import Method, TrainConfig, Word2VecConfig, default_workers

Trainer = Callable[..., VectorStore]


def _word2vec(
    config: TrainConfig,
    corpus: PreparedCorpus,
    progress: ProgressCallback | None = None,
    **options: Any,
) -> VectorStore:
    from embtool.training.word2vec import train_word2vec

    if not isinstance(config, Word2VecConfig):
        raise UsageError(f"{config.method.value} needs a Word2VecConfig")
    return train_word2vec(config, corpus, progress, **options)


TRAINERS: dict[Method, Trainer] = {
    Method.cbow: _word2vec,
    Method.skipgram: _word2vec,
}

CONFIGS: dict[Method, type[TrainConfig]] = {
    Method.cbow: Word2VecConfig,
    Method.skipgram: Word2VecConfig,
}


def train(
    config: TrainConfig,
    corpus: Corpus | PreparedCorpus,
    progress: ProgressCallback | None = None,
    *,
    tmp_dir: str | Path | None = None,
    **options: Any,
) -> VectorStore:
    """Train ``config.method`` on ``corpus`` and return the vectors.

    A :class:`Corpus` is read once into a tokenized temporary file (deleted afterwards, also on
    failure or Ctrl-C); a :class:`PreparedCorpus` is used as it is. ``options`` go to the trainer
    (Word2Vec: ``save_model``, ``resume``).
    Raises: CorpusError, TrainingError, UsageError.
    """
    trainer = TRAINERS.get(config.method)
    if trainer is None:
        raise UsageError(f"no trainer for method {config.method.value!r}")
    start = time.perf_counter()
    if isinstance(corpus, Corpus):
        with corpus.prepare(tmp_dir=tmp_dir, progress=progress) as prepared:
            store = trainer(config, prepared, progress, **options)
            return _record(store, config, prepared, time.perf_counter() - start)
    store = trainer(config, corpus, progress, **options)
    return _record(store, config, corpus, time.perf_counter() - start)


def _record(
    store: VectorStore, config: TrainConfig, corpus: PreparedCorpus, seconds: float
) -> VectorStore:
    training = store.meta.setdefault("training", {})
    training.setdefault("method", config.method.value)
    training.setdefault("hyperparameters", config.as_dict())
    training["corpus"] = corpus.describe()
    training["corpus_tokens"] = corpus.n_tokens
    training["wall_seconds"] = round(seconds, 3)
    training["finished"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    store.meta.setdefault("history", []).append(
        {
            "action": "train",
            "method": config.method.value,
            "seed": config.seed,
            "corpus_tokens": corpus.n_tokens,
            "vocabulary_size": len(store),
            "time": training["finished"],
        }
    )
    return store


__all__ = [
    "CONFIGS",
    "TRAINERS",
    "Method",
    "TrainConfig",
    "Trainer",
    "Word2VecConfig",
    "default_workers",
    "train",
]
