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

import dataclasses
import datetime as _dt
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from embtool.corpus import Corpus, PreparedCorpus, ProgressCallback
from embtool.errors import UsageError
from embtool.training.config import (
    Architecture,
    FastTextConfig,
    GloveConfig,
    Method,
    OutputVectors,
    TrainConfig,
    Word2VecConfig,
    default_workers,
)
from embtool.vectors.store import VectorStore

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


def _glove(
    config: TrainConfig,
    corpus: PreparedCorpus,
    progress: ProgressCallback | None = None,
    **options: Any,
) -> VectorStore:
    from embtool.training.glove import train_glove_store

    if not isinstance(config, GloveConfig):
        raise UsageError("glove needs a GloveConfig")
    return train_glove_store(config, corpus, progress, **options)


def _fasttext(
    config: TrainConfig,
    corpus: PreparedCorpus,
    progress: ProgressCallback | None = None,
    **options: Any,
) -> VectorStore:
    from embtool.training.fasttext import train_fasttext

    if not isinstance(config, FastTextConfig):
        raise UsageError("fasttext needs a FastTextConfig")
    return train_fasttext(config, corpus, progress, **options)


TRAINERS: dict[Method, Trainer] = {
    Method.cbow: _word2vec,
    Method.skipgram: _word2vec,
    Method.glove: _glove,
    Method.fasttext: _fasttext,
}

CONFIGS: dict[Method, type[TrainConfig]] = {
    Method.cbow: Word2VecConfig,
    Method.skipgram: Word2VecConfig,
    Method.glove: GloveConfig,
    Method.fasttext: FastTextConfig,
}


def make_config(
    method: Method | str, saved: Mapping[str, Any] | None = None, **given: Any
) -> TrainConfig:
    """The config of ``method``: each field from ``given`` (None means "not given"), else from
    ``saved`` (the settings a reused co-occurrence count was made with), else the dataclass default.

    Raises: UsageError for a given option the method does not have, or a value out of range.
    """
    method = Method(method)
    cls = CONFIGS[method]
    fields = {f.name for f in dataclasses.fields(cls)} - {"method"}
    given = {k: v for k, v in given.items() if v is not None}
    foreign = [k for k in given if k not in fields]
    if foreign:
        names = ", ".join(f"`{k}`" for k in foreign)
        raise UsageError(f"{names} does not apply to `method={method.value}`")
    values = {k: v for k, v in (saved or {}).items() if k in SAVED_SETTINGS and v is not None}
    values.update(given)
    return cls(method, **values)


# What a saved co-occurrence count fixes for GloVe training when the command line does not say.
SAVED_SETTINGS = ("window", "min_count", "max_vocab", "symmetric")


def cooccurrence_settings(path: str | Path) -> dict[str, Any]:
    """The settings a saved co-occurrence count was made with (``saved`` for :func:`make_config`).

    Raises: CooccurrenceError (missing or corrupt file).
    """
    from embtool.training.cooccurrence import read_cooccurrence_meta

    meta = read_cooccurrence_meta(path)
    return {k: meta[k] for k in SAVED_SETTINGS if k in meta}


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
    (Word2Vec: ``save_model``, ``resume``; GloVe: ``cooccurrence``).
    Raises: CorpusError, TrainingError, UsageError.
    """
    trainer = TRAINERS.get(config.method)
    if trainer is None:
        raise UsageError(f"no trainer for method {config.method.value!r}")
    start = time.perf_counter()
    if config.method is Method.glove:
        options.setdefault("tmp_dir", tmp_dir)
    if isinstance(corpus, Corpus):
        with corpus.prepare(tmp_dir=tmp_dir, progress=progress) as prepared:
            store = trainer(config, prepared, progress, **options)
            return _record(store, config, prepared, time.perf_counter() - start)
    store = trainer(config, corpus, progress, **options)
    return _record(store, config, corpus, time.perf_counter() - start)


def train_from_cooccurrence(
    config: GloveConfig,
    path: str | Path,
    progress: ProgressCallback | None = None,
    *,
    corpus: Corpus | None = None,
) -> VectorStore:
    """Train GloVe on a saved co-occurrence count, without reading the corpus again.

    With ``corpus``, the count must have been made from the same paths, tokenizer and case.
    Raises: CooccurrenceError (missing, corrupt, or counted with other settings), TrainingError.
    """
    from embtool.training.glove import corpus_source, train_glove_store

    start = time.perf_counter()
    source = corpus_source(corpus.describe()) if corpus is not None else None
    store = train_glove_store(config, None, progress, cooccurrence=path, source=source)
    return _record(store, config, _Counted(store), time.perf_counter() - start)


def check_cooccurrence(
    config: GloveConfig, path: str | Path, *, corpus: Corpus | None = None
) -> None:
    """Whether :func:`train_from_cooccurrence` can reuse the count in ``path`` for ``config`` (and,
    with ``corpus``, was counted from the same text), without training.

    Raises: CooccurrenceError.
    """
    from embtool.training.glove import check_saved_counts, corpus_source

    check_saved_counts(config, path, corpus_source(corpus.describe()) if corpus else None)


class _Counted:
    """The corpus of a saved count, as far as its metadata tells (for :func:`_record`)."""

    def __init__(self, store: VectorStore) -> None:
        training = store.meta["training"]
        self._describe = training.pop("corpus", None) or {}
        self.n_tokens = training.pop("corpus_tokens", None) or 0

    def describe(self) -> dict[str, Any]:
        return self._describe


def _record(
    store: VectorStore, config: TrainConfig, corpus: PreparedCorpus | _Counted, seconds: float
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
    "Architecture",
    "FastTextConfig",
    "GloveConfig",
    "Method",
    "OutputVectors",
    "TrainConfig",
    "Trainer",
    "Word2VecConfig",
    "check_cooccurrence",
    "cooccurrence_settings",
    "default_workers",
    "make_config",
    "train",
    "train_from_cooccurrence",
]
