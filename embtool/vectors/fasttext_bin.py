"""Facebook fastText ``.bin`` models: read into a store with subwords, write a store back.

Both go through gensim (``load_facebook_model`` parses the binary format field by field, no
pickle; ``save_facebook_model`` writes it), imported only here and only when a ``.bin`` is used.
A ``.bin`` holds each word's own input vector and the n-gram matrix; a store holds the composed
word vectors fastText answers with (the mean of the word's own vector and its n-grams'), so the
writer recovers the own vectors from them. A store has no output layer: the written model's is
zero, fine for vectors and unseen words, not for continuing training.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from embtool.errors import OutputError, VectorFileError
from embtool.vectors.store import VectorStore
from embtool.vectors.subwords import Subwords, used_buckets


def subwords_of(wv: Any) -> Subwords:
    """The n-gram matrix and hashing parameters of a gensim ``FastTextKeyedVectors``."""
    ngrams = np.ascontiguousarray(wv.vectors_ngrams, dtype=np.float32)
    return Subwords(
        ngrams, int(wv.min_n), int(wv.max_n), used=used_buckets(wv.buckets_word, ngrams.shape[0])
    )


def store_from_model(model: Any, name: str, meta: dict[str, Any]) -> VectorStore:
    """A store (words, composed vectors, counts, subwords) from a gensim ``FastText`` model."""
    wv = model.wv
    vectors = np.ascontiguousarray(wv.vectors, dtype=np.float32)
    counts = None
    if "count" in getattr(wv, "expandos", {}):
        counts = np.asarray(wv.expandos["count"][: len(wv)], dtype=np.int64)
    return VectorStore(
        list(wv.index_to_key),
        vectors,
        counts=counts,
        meta=meta,
        name=name,
        subwords=subwords_of(wv),
    )


def read_fasttext_bin(path: str | Path, *, limit: int | None = None) -> VectorStore:
    """Open a Facebook fastText ``.bin`` model as a store that keeps its subwords.

    Raises: VectorFileError (not a fastText model, truncated, or a supervised model).
    """
    from gensim.models.fasttext import load_facebook_model

    p = Path(path)
    try:
        model = load_facebook_model(str(p))
    except MemoryError:
        raise VectorFileError(p, "too large to load into memory") from None
    except Exception as exc:  # gensim reports a damaged file as struct/assert/value errors
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise VectorFileError(
            p, f"not a readable fastText .bin model (corrupt or truncated: {reason})"
        ) from None
    wv = model.wv
    meta = {
        "source_model": {
            "format": "fasttext-bin",
            "min_n": int(wv.min_n),
            "max_n": int(wv.max_n),
            "bucket": int(wv.bucket),
            "architecture": "skipgram" if model.sg else "cbow",
            "window": int(model.window),
            "epochs": int(model.epochs),
        }
    }
    store = store_from_model(model, p.name, meta)
    store.path = p
    if limit is not None and limit < len(store):
        store = store.head(limit)
    return store


def _own_vectors(store: VectorStore, buckets_word: list[np.ndarray], order: list[int]) -> Any:
    """Each word's own input vector from its composed one: own = v * (1 + n) - sum(n-gram rows)."""
    assert store.subwords is not None
    ngrams = store.subwords.ngrams
    own = np.empty((len(order), store.dim), dtype=np.float32)
    for i, row in enumerate(order):
        hashes = np.asarray(buckets_word[i], dtype=np.int64)
        composed = store.rows([row])[0]
        own[i] = composed * np.float32(len(hashes) + 1) - np.asarray(
            ngrams[hashes], dtype=np.float32
        ).sum(axis=0, dtype=np.float32)
    return own


def write_fasttext_bin(store: VectorStore, path: str | Path) -> Path:
    """Write a store with subwords as a Facebook fastText ``.bin`` model, atomically.

    Raises: OutputError (a store without subwords).
    """
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model

    from embtool.atomic import atomic_file

    p = Path(path)
    sub = store.subwords
    if sub is None:
        raise OutputError(
            f"{store.name} has no subwords (no n-gram matrix): a fastText .bin needs them; "
            "write word2vec or fasttext (.vec) instead"
        )
    hp = store.meta.get("training", {}).get("hyperparameters", {})
    arch = hp.get("architecture", store.meta.get("source_model", {}).get("architecture"))
    counts = store.counts if store.counts is not None else np.arange(len(store), 0, -1)
    model = FastText(
        vector_size=store.dim,
        min_n=sub.min_n,
        max_n=sub.max_n,
        bucket=sub.bucket,
        sg=0 if arch == "cbow" else 1,
        window=int(hp.get("window", 5)),
        epochs=int(hp.get("epochs", 5)),
        negative=int(hp.get("negative", 5)) or 5,
        min_count=1,
        workers=1,
    )
    model.build_vocab_from_freq(dict(zip(store.words, counts.tolist(), strict=True)))
    model.corpus_total_words = int(np.sum(counts))
    order = [store.index[w] for w in model.wv.index_to_key]
    model.wv.vectors_vocab = _own_vectors(store, model.wv.buckets_word, order)
    model.wv.vectors_ngrams = np.ascontiguousarray(sub.ngrams, dtype=np.float32)
    model.syn1neg = np.zeros((len(order), store.dim), dtype=np.float32)
    with atomic_file(p) as tmp:
        save_facebook_model(model, str(tmp))
    return p
