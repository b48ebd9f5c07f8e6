"""The TensorFlow Embedding Projector's TSV pair (vectors.tsv + metadata.tsv)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np

from embtool.atomic import atomic_dir
from embtool.errors import VectorFileError
from embtool.vectors.files import _check_words_writable
from embtool.vectors.store import VectorStore


def _read_projector(path: Path, *, limit: int | None) -> VectorStore:
    try:
        vectors = np.loadtxt(
            path / "vectors.tsv", delimiter="\t", dtype=np.float32, ndmin=2, max_rows=limit
        )
    except ValueError as exc:
        raise VectorFileError(path / "vectors.tsv", f"malformed TSV ({exc})") from None
    meta_file = path / "metadata.tsv"
    if not meta_file.exists():
        raise VectorFileError(path, "no metadata.tsv beside vectors.tsv")
    lines = meta_file.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    counts = None
    if lines and "\t" in lines[0]:
        lines = lines[1:]
        split = [line.split("\t") for line in lines]
        words = [s[0] for s in split]
        with contextlib.suppress(ValueError, IndexError):
            counts = [int(s[1]) for s in split]
    else:
        words = lines
    if limit is not None:
        words = words[:limit]
        counts = counts[:limit] if counts is not None else None
    if len(words) != len(vectors):
        raise VectorFileError(
            path, f"metadata.tsv has {len(words)} words, vectors.tsv {len(vectors)} rows"
        )
    return VectorStore(words, vectors, counts=counts, path=path)


def write_projector(store: VectorStore, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``vectors.tsv`` + ``metadata.tsv`` (projector.tensorflow.org) into ``path``."""
    _check_words_writable(store, "\n\r\t", "metadata.tsv")
    fmt = "\t".join(["%.9g"] * store.dim)
    with atomic_dir(path, overwrite=overwrite) as tmp:
        with open(tmp / "vectors.tsv", "w", encoding="utf-8", newline="\n") as f:
            for _, block in store.blocks(size=4096):
                f.writelines(fmt % tuple(row) + "\n" for row in block.tolist())
        with open(tmp / "metadata.tsv", "w", encoding="utf-8", newline="\n") as f:
            if store.counts is not None:
                f.write("word\tcount\n")
                f.writelines(
                    f"{w}\t{c}\n" for w, c in zip(store.words, store.counts.tolist(), strict=True)
                )
            else:
                f.writelines(f"{w}\n" for w in store.words)
    return Path(path)
