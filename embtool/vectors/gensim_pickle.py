"""gensim pickles (.model/.kv), read only when the caller allows unpickling."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np

from embtool.errors import VectorFileError
from embtool.vectors.store import VectorStore


def _read_gensim(path: Path, *, limit: int | None) -> VectorStore:
    from gensim.utils import SaveLoad

    try:
        obj = SaveLoad.load(str(path))
    except Exception as exc:
        raise VectorFileError(
            path, f"cannot load gensim pickle ({type(exc).__name__}: {exc})"
        ) from None
    kv = getattr(obj, "wv", obj)
    if not hasattr(kv, "index_to_key") or not hasattr(kv, "vectors"):
        raise VectorFileError(path, f"pickle holds a {type(obj).__name__}, not gensim vectors")
    words = list(kv.index_to_key)
    vectors = np.asarray(kv.vectors, dtype=np.float32)
    counts = None
    with contextlib.suppress(KeyError, AttributeError, TypeError):
        counts = [int(kv.get_vecattr(w, "count")) for w in words]
    if limit is not None:
        words, vectors = words[:limit], vectors[:limit]
        counts = counts[:limit] if counts else None
    return VectorStore(words, vectors, counts=counts, path=path)
