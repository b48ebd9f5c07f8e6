"""Loading, saving and converting vectors in any supported format."""

from __future__ import annotations

import codecs
import contextlib
import datetime as _dt
from collections.abc import Callable
from pathlib import Path

import numpy as np

from embtool.atomic import restore_parked
from embtool.errors import (
    InvalidOptionError,
    OutputError,
    OutputExistsError,
    TextNotVectorsError,
    UsageError,
    VectorFileError,
)
from embtool.vectors.files import Progress, ReadReport, reading_stream, require_regular
from embtool.vectors.formats import (
    _COMPRESSION_SUFFIXES,
    VectorFormat,
    looks_like_prose,
    sniff_format,
)
from embtool.vectors.gensim_pickle import _read_gensim
from embtool.vectors.names import named_path, resolve_vectors
from embtool.vectors.native import _read_store, write_store
from embtool.vectors.options import ReadOptions
from embtool.vectors.projector import _read_projector, write_projector
from embtool.vectors.store import VectorStore
from embtool.vectors.word2vec import _read_binary, _read_text, write_word2vec


def load_vectors(
    path: str | Path | None = None,
    options: ReadOptions | None = None,
    *,
    mmap: bool = True,
    report: ReadReport | None = None,
    progress: Progress | None = None,
) -> VectorStore:
    """Open vectors in any supported format; the format is sniffed unless given.

    ``path`` is a file or store, ``"default"`` (the shipped vectors) or the name of a set fetched
    with ``embtool download``; None means ``EMBTOOL_VECTORS``, else the shipped vectors.

    ``options`` says how to read (:class:`ReadOptions`; its ``limit`` keeps only the first N words). Passing a ``report`` makes the reader lenient about
    duplicate words (first kept) and undecodable bytes (replaced), recording them instead.
    ``progress`` is called now and then while a text or binary file is read.
    Raises: VectorFileError naming the file, the line and the problem.
    """
    opts = options or ReadOptions()
    format, limit = opts.format, opts.limit
    if path is None:
        p = resolve_vectors(None)
    else:
        p = Path(path)
        if not p.exists() and restore_parked(p) is None:
            named = named_path(str(path))
            if named is None:
                raise VectorFileError(p, "no such file or directory")
            p = named
    if limit is not None and limit < 1:
        raise InvalidOptionError("limit", "must be at least 1", limit)
    with reading_stream(p):  # a pipe (<(zcat f.gz), a FIFO) is read once, front to back
        return _load(p, opts, format, mmap=mmap, report=report, progress=progress)


def _load(
    p: Path,
    opts: ReadOptions,
    format: VectorFormat | str | None,
    *,
    mmap: bool,
    report: ReadReport | None,
    progress: Progress | None,
) -> VectorStore:
    limit, encoding = opts.limit, opts.encoding
    unicode_errors, allow_pickle = opts.unicode_errors, opts.allow_pickle
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise VectorFileError(p, f"unknown encoding {encoding!r} (try utf-8 or latin-1)") from None
    try:
        codecs.lookup_error(unicode_errors)
    except LookupError:
        raise VectorFileError(
            p, f"unknown `unicode_errors` {unicode_errors!r} (use strict, replace or ignore)"
        ) from None
    fmt = VectorFormat(format) if format is not None else sniff_format(p)
    if report is not None:
        report.format = fmt.value
    if fmt in (VectorFormat.store, VectorFormat.projector) and not p.is_dir():
        raise VectorFileError(p, f"a {fmt.label} is a directory, but this is a file")
    if fmt is VectorFormat.store:
        store = _read_store(p, limit=limit, mmap=mmap)
    elif fmt is VectorFormat.projector:
        store = _read_projector(p, limit=limit)
    elif fmt is VectorFormat.gensim:
        if not allow_pickle:
            raise VectorFileError(
                p,
                "is a Python pickle (gensim .model/.kv); loading it can run code from the file. "
                "Pass `allow_pickle=True` only if you trust it, or convert it to word2vec format",
            )
        require_regular(p, "a gensim pickle is read from a file")
        store = _read_gensim(p, limit=limit)
    elif fmt is VectorFormat.fasttext_bin:
        from embtool.vectors.fasttext_bin import read_fasttext_bin

        if p.is_dir():
            raise VectorFileError(p, "is a directory, not a fastText .bin model")
        store = read_fasttext_bin(p, limit=limit)
    elif fmt is VectorFormat.word2vec_binary:
        store = _read_binary(
            p,
            limit=limit,
            encoding=encoding,
            unicode_errors=unicode_errors,
            report=report,
            progress=progress,
        )
    else:
        if p.is_dir():
            raise VectorFileError(p, "is a directory but not an embtool store")
        has_header = {VectorFormat.glove: False}.get(fmt, True)
        try:
            store = _read_text(
                p,
                has_header=has_header,
                limit=limit,
                encoding=encoding,
                unicode_errors=unicode_errors,
                report=report,
                progress=progress,
            )
        except VectorFileError:
            if format is None and fmt is VectorFormat.glove and looks_like_prose(p):
                raise TextNotVectorsError(p) from None
            raise
    if fmt is not VectorFormat.store:
        store.meta.setdefault("history", []).append(
            {"action": "load", "path": str(p), "format": fmt.value, "limit": limit}
        )
    store.meta.setdefault("source_format", fmt.value)
    if limit is not None and len(store) >= limit:
        store.limit = limit
    return store


WRITERS: dict[VectorFormat, Callable[..., Path]] = {
    VectorFormat.store: lambda s, p, overwrite=False, dtype=None: write_store(
        s, p, overwrite=overwrite, dtype=dtype
    ),
    VectorFormat.word2vec: lambda s, p, **_: write_word2vec(s, p),
    VectorFormat.fasttext: lambda s, p, **_: write_word2vec(s, p),
    VectorFormat.word2vec_binary: lambda s, p, **_: write_word2vec(s, p, binary=True),
    VectorFormat.glove: lambda s, p, **_: write_word2vec(s, p, header=False),
    VectorFormat.fasttext_bin: lambda s, p, **_: _write_fasttext_bin(s, p),
    VectorFormat.projector: lambda s, p, overwrite=False, **_: write_projector(
        s, p, overwrite=overwrite
    ),
}


def _write_fasttext_bin(store: VectorStore, path: Path) -> Path:
    from embtool.vectors.fasttext_bin import write_fasttext_bin

    return write_fasttext_bin(store, path)


def save_vectors(
    store: VectorStore,
    path: str | Path,
    format: VectorFormat | str = VectorFormat.store,
    *,
    overwrite: bool = False,
    dtype: str | None = None,
) -> Path:
    """Write ``store`` to ``path`` in ``format`` (a native store unless told), atomically; the one way
    to save vectors.  Raises: OutputError."""
    fmt = VectorFormat(format)
    if fmt is VectorFormat.gensim:
        raise OutputError("embtool does not write pickles; use word2vec or store")
    p = Path(path)
    if fmt not in (VectorFormat.store, VectorFormat.projector) and p.exists() and not overwrite:
        raise OutputExistsError(p)
    if fmt not in (VectorFormat.store, VectorFormat.projector) and p.is_dir():
        raise OutputError(f"{p} is a directory")
    return WRITERS[fmt](store, p, overwrite=overwrite, dtype=dtype)


def convert_vectors(
    source: str | Path,
    out: str | Path,
    to: VectorFormat | str,
    *,
    options: ReadOptions | None = None,
    dtype: str | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> VectorStore:
    """Read vectors in any format (as ``options`` say) and write them in ``to``, recording where
    they came from.

    A written store's ``meta.json`` keeps the source's own history (a store's training record, say)
    and gains ``{"action": "convert", "source": ..., "source_format": ..., "limit": ...}``.
    Returns the store that was written.  Raises: VectorFileError, OutputError, UsageError.
    """
    to = VectorFormat(to)
    src, dst = Path(source), Path(out)
    if dtype is not None and to is not VectorFormat.store:
        raise UsageError(f"`dtype` applies to native stores only, not to {to.label}")
    if to is VectorFormat.gensim:
        raise UsageError("embtool does not write gensim pickles; use `to='store'` or word2vec")
    if to in (VectorFormat.store, VectorFormat.projector) and dst.name.lower().endswith(
        _COMPRESSION_SUFFIXES
    ):
        raise UsageError(f"a {to.label} is a directory and cannot be compressed: {dst}")
    with contextlib.suppress(OSError):
        if dst.exists() and dst.resolve() == src.resolve():
            raise OutputError(f"{dst} is the input itself; write the conversion somewhere else")
    if dst.exists() and not overwrite:
        raise OutputExistsError(dst)
    limit = (options or ReadOptions()).limit
    store = load_vectors(src, options, progress=progress)
    fmt = store.meta.get("source_format")
    history = [
        h
        for h in store.meta.get("history", [])
        if not (h.get("action") == "load" and h.get("path") == str(src))
    ]
    history.append(
        {
            "action": "convert",
            "source": str(src.resolve()),
            "source_format": fmt,
            "limit": limit,
            "to": to.value,
            "dtype": str(np.dtype(dtype)) if dtype else str(store.dtype),
            "when": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        }
    )
    store.meta["history"] = history
    save_vectors(store, dst, to, overwrite=overwrite, dtype=dtype)
    return store
