"""Word2Vec (CBOW and skip-gram) through gensim, trained in its fast ``corpus_file`` mode.

The vocabulary comes from the counts :class:`~embtool.corpus.PreparedCorpus` already made (so the
text is read once, not once more by gensim), and gensim's threads read the tokenized file directly.
gensim reports nothing during a ``corpus_file`` epoch, so progress within an epoch is measured by
watching how far each worker's file handle has read (``/proc/self/fdinfo``, on Linux), and from the
epoch callbacks elsewhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from embtool.corpus import PreparedCorpus
from embtool.errors import TrainingError
from embtool.progress import ProgressCallback, ProgressEvent
from embtool.training.config import Method, Word2VecConfig
from embtool.vectors.store import VectorStore


def stable_hash(text: str) -> int:
    """A hash that does not change with PYTHONHASHSEED (gensim seeds new words' vectors with it)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def check_vocabulary(corpus: PreparedCorpus, min_count: int) -> None:
    """Raises: TrainingError when no word occurs ``min_count`` times."""
    top = corpus.most_common(1)
    if not top or top[0][1] < min_count:
        word, count = top[0] if top else ("", 0)
        times = "time" if count == 1 else "times"
        raise TrainingError(
            f"no word occurs at least {min_count} times (`min_count={min_count}`); the most "
            f"frequent, {word!r}, occurs {count} {times}: lower `min_count` or give more text"
        )


def _fd_positions(path: str) -> dict[int, int]:
    """File offset of every descriptor this process has open on ``path`` (Linux only)."""
    out: dict[int, int] = {}
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return out
    for fd in fds:
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != path:
                continue
            with open(f"/proc/self/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("pos:"):
                        out[int(fd)] = int(line.split()[1])
                        break
        except (OSError, ValueError):
            continue
    return out


class _EpochProgress:
    """Turns epoch callbacks plus a watcher thread into progress events.

    gensim gives worker ``i`` of ``n`` the bytes from ``size * i / n`` onwards and stops it after
    its share of the words; how far its file handle has read tells how much of that share is done.
    """

    def __init__(
        self,
        progress: ProgressCallback,
        path: Path,
        epochs: int,
        words: int,
        workers: int,
        interval: float = 0.5,
    ) -> None:
        self.progress = progress
        self.path = os.path.realpath(path)
        self.size = max(1, os.path.getsize(path))
        self.epochs = epochs
        self.words = words
        self.workers = workers
        self.interval = interval
        self.offsets = [self.size / workers * i for i in range(workers)]
        self.share = self.size / workers
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.epoch = 0  # epochs finished
        self.in_epoch = False
        self.fd_worker: dict[int, int] = {}
        self.worker_done = [0.0] * workers
        self.seen_fds = False
        self.epoch_started = time.perf_counter()
        self.last_epoch_seconds: float | None = None
        self.thread = threading.Thread(target=self._watch, name="embtool-progress", daemon=True)

    def __enter__(self) -> _EpochProgress:
        self._emit(0.0)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    # gensim callbacks (main thread)
    def epoch_begin(self) -> None:
        with self.lock:
            self.in_epoch = True
            self.fd_worker = {}
            self.worker_done = [0.0] * self.workers
            self.seen_fds = False
            self.epoch_started = time.perf_counter()

    def epoch_end(self) -> None:
        with self.lock:
            self.in_epoch = False
            self.last_epoch_seconds = time.perf_counter() - self.epoch_started
            self.epoch += 1
            epoch = self.epoch
        self._emit(float(epoch), epoch, end=True)

    def _fraction(self) -> float:
        """How much of the current epoch is done, 0..1 (called with the lock held)."""
        positions = _fd_positions(self.path)
        if positions or self.seen_fds:
            self.seen_fds = self.seen_fds or bool(positions)
            live = set()
            for fd, pos in positions.items():
                worker = self.fd_worker.get(fd)
                if worker is None:
                    worker = max((i for i, o in enumerate(self.offsets) if o <= pos + 1), default=0)
                    self.fd_worker[fd] = worker
                live.add(worker)
                done = (pos - self.offsets[worker]) / self.share
                self.worker_done[worker] = min(1.0, max(self.worker_done[worker], done))
            for worker in set(self.fd_worker.values()) - live:
                self.worker_done[worker] = 1.0  # its file is closed: that worker has finished
            return min(0.999, sum(self.worker_done) / self.workers)
        if self.last_epoch_seconds:
            elapsed = time.perf_counter() - self.epoch_started
            return min(0.99, elapsed / self.last_epoch_seconds)
        return 0.0

    def _watch(self) -> None:
        while not self.stop.wait(self.interval):
            with self.lock:
                if not self.in_epoch:
                    continue
                epochs_done = self.epoch + self._fraction()
            self._emit(epochs_done)

    def _emit(self, epochs_done: float, epoch: int | None = None, end: bool = False) -> None:
        """``epoch`` is the one running (or, with ``end``, the one just finished), from 1."""
        epoch = epoch or min(self.epochs, int(epochs_done) + 1)
        event = ProgressEvent(
            "train",
            epochs_done * self.words,
            float(self.epochs * self.words),
            "words",
            epoch=epoch,
            epochs=self.epochs,
            final=end and epoch == self.epochs,
            info={"epoch_end": end},
        )
        with contextlib.suppress(Exception):  # a drawing problem must not stop training
            self.progress(event)


def _callbacks(watcher: _EpochProgress | None) -> list[Any]:
    from gensim.models.callbacks import CallbackAny2Vec

    class _Hook(CallbackAny2Vec):  # type: ignore[misc]
        def on_epoch_begin(self, model: Any) -> None:
            if watcher is not None:
                watcher.epoch_begin()

        def on_epoch_end(self, model: Any) -> None:
            if watcher is not None:
                watcher.epoch_end()

    return [_Hook()] if watcher is not None else []


def _versions() -> dict[str, str]:
    import gensim

    from embtool import __version__

    return {
        "embtool": __version__,
        "gensim": gensim.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def gensim_settings(config: Word2VecConfig, *, skipgram: bool) -> dict[str, Any]:
    """The constructor arguments gensim's Word2Vec and FastText share, from ``config``."""
    return {
        "vector_size": config.dim,
        "window": config.window,
        "min_count": config.min_count,
        "max_final_vocab": config.max_vocab,
        "sg": 1 if skipgram else 0,
        "hs": 1 if config.hs else 0,
        "negative": config.negative,
        "ns_exponent": config.ns_exponent,
        "cbow_mean": 1 if config.cbow_mean else 0,
        "sample": config.sample,
        "alpha": config.alpha,
        "min_alpha": config.min_alpha,
        "workers": config.workers,
        "seed": config.seed,
        "epochs": config.epochs,
        "hashfxn": stable_hash,
        "sorted_vocab": 1,
    }


def with_vocabulary(model: Any, corpus: PreparedCorpus, *, update: bool = False) -> Any:
    """Give ``model`` the corpus's vocabulary: counts made while reading, in first-occurrence
    order, exactly as gensim's own scan makes them."""
    model.build_vocab_from_freq(dict(corpus.counts), corpus_count=corpus.n_sentences, update=update)
    model.corpus_total_words = corpus.n_tokens
    return model


def run_training(
    model: Any,
    config: Word2VecConfig,
    corpus: PreparedCorpus,
    progress: ProgressCallback | None,
) -> tuple[int, int, float]:
    """Train ``model`` over the prepared corpus file, reporting epochs to ``progress``;
    returns (effective words, raw words, seconds)."""
    watcher = (
        _EpochProgress(progress, corpus.path, config.epochs, corpus.n_tokens, config.workers)
        if progress is not None
        else None
    )
    start = time.perf_counter()
    with watcher if watcher is not None else contextlib.nullcontext():
        effective, raw = model.train(
            corpus_file=str(corpus.path),
            total_examples=corpus.n_sentences,
            total_words=corpus.n_tokens,
            epochs=config.epochs,
            start_alpha=config.alpha,
            end_alpha=config.min_alpha,
            callbacks=_callbacks(watcher),
        )
    return int(effective), int(raw), time.perf_counter() - start


def training_record(
    config: Word2VecConfig,
    trainer: str,
    wv: Any,
    effective: int,
    raw: int,
    seconds: float,
    **extra: Any,
) -> dict[str, Any]:
    """``meta["training"]`` of a gensim run: method, settings, versions, ``extra``, times, words/s."""
    return {
        "method": config.method.value,
        "trainer": trainer,
        "hyperparameters": config.as_dict(),
        "seed": config.seed,
        "deterministic": config.deterministic,
        "vocabulary_size": len(wv),
        "dim": int(wv.vector_size),
        "versions": _versions(),
        **extra,
        "train_seconds": round(seconds, 3),
        "trained_words": raw,
        "effective_words": effective,
        "words_per_second": round(raw / seconds, 1) if seconds > 0 else None,
        "effective_words_per_second": round(effective / seconds, 1) if seconds > 0 else None,
    }


def _new_model(config: Word2VecConfig, corpus: PreparedCorpus) -> Any:
    from gensim.models import Word2Vec

    model = Word2Vec(**gensim_settings(config, skipgram=config.method is Method.skipgram))
    return with_vocabulary(model, corpus)


def _load_model(path: Path, config: Word2VecConfig, corpus: PreparedCorpus) -> Any:
    from gensim.models import Word2Vec

    try:
        model = Word2Vec.load(str(path))
    except FileNotFoundError:
        raise TrainingError(f"{path}: no such model file (`resume`)") from None
    except Exception as exc:
        raise TrainingError(
            f"{path}: not a gensim Word2Vec model saved by `save_model` "
            f"({type(exc).__name__}: {exc})"
        ) from None
    if not isinstance(model, Word2Vec):
        raise TrainingError(f"{path}: not a gensim Word2Vec model (`resume`)")
    model.workers = config.workers
    return with_vocabulary(model, corpus, update=True)


def _save_model(model: Any, path: Path) -> None:
    from embtool.atomic import atomic_file

    with atomic_file(path) as tmp:
        model.save(str(tmp), separately=[])


def model_config(model: Any, config: Word2VecConfig) -> Word2VecConfig:
    """The configuration a resumed model really trains with (its own shape and objective)."""
    import dataclasses

    return dataclasses.replace(
        config,
        method=Method.skipgram if model.sg else Method.cbow,
        dim=int(model.vector_size),
        window=int(model.window),
        hs=bool(model.hs),
        negative=int(model.negative),
        ns_exponent=float(model.ns_exponent),
        cbow_mean=bool(model.cbow_mean),
        min_count=int(model.min_count),
        sample=float(model.sample),
    )


def train_word2vec(
    config: Word2VecConfig,
    corpus: PreparedCorpus,
    progress: ProgressCallback | None = None,
    *,
    save_model: str | Path | None = None,
    resume: str | Path | None = None,
) -> VectorStore:
    """Train CBOW or skip-gram on a prepared corpus and return the vectors as a store.

    Words come in descending frequency with their counts; ``meta["training"]`` records the method,
    every hyper-parameter, the corpus, library versions, times and words/s. ``save_model`` also
    keeps gensim's full model (a pickle) so that ``resume`` can continue training it on more text.
    Raises: TrainingError (nothing reaches ``min_count``, an unusable model to resume).
    """
    check_vocabulary(corpus, config.min_count)
    if resume is not None:
        model = _load_model(Path(resume), config, corpus)
        config = model_config(model, config)
    else:
        model = _new_model(config, corpus)
    if len(model.wv) == 0:
        raise TrainingError(f"no word occurs at least {config.min_count} times (`min_count`)")

    effective, raw, seconds = run_training(model, config, corpus, progress)
    if save_model is not None:
        _save_model(model, Path(save_model))

    wv = model.wv
    counts = np.asarray(wv.expandos["count"], dtype=np.int64)
    vectors = np.ascontiguousarray(wv.vectors, dtype=np.float32)
    if not np.isfinite(vectors).all():
        raise TrainingError("training diverged (vectors hold NaN or infinity): lower `alpha`")
    training = training_record(
        config, "gensim.models.Word2Vec (corpus_file mode)", wv, effective, raw, seconds
    )
    if resume is not None:
        training["resumed_from"] = str(resume)
    if save_model is not None:
        training["model_saved"] = str(save_model)
    meta = {"training": training}
    return VectorStore(
        list(wv.index_to_key), vectors, counts=counts, meta=meta, name=f"{config.method.value}"
    )
