"""The native store directory: vectors.npy (memory-mapped) + vocab.txt + meta.json."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from embtool.atomic import atomic_dir
from embtool.errors import OutputError, VectorFileError
from embtool.vectors.files import _check_words_writable, _words, require_regular
from embtool.vectors.store import VectorStore
from embtool.vectors.subwords import HASH_NAME, Subwords

STORE_FORMAT = "embtool-store"


STORE_FORMAT_VERSION = 1
NGRAMS_FILE = "ngrams.npy"
NGRAMS_USED_FILE = "ngrams_used.npy"


def _read_vocab(
    vocab_path: Path, limit: int | None
) -> tuple[list[str], int, Callable[[], np.ndarray] | None]:
    """Words (the first ``limit``), the total line count, and a deferred parser of the counts.

    The common ``word<TAB>count`` layout is split in one C-level pass; counts stay strings until used.
    """
    try:
        text = vocab_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VectorFileError(
            vocab_path, "missing: a store needs vocab.txt beside vectors.npy"
        ) from None
    except UnicodeDecodeError as exc:
        raise VectorFileError(
            vocab_path, f"not UTF-8 ({exc.reason} at byte offset {exc.start})"
        ) from None
    except OSError as exc:
        raise VectorFileError(vocab_path, f"cannot read: {exc.strerror or exc}") from None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    n_lines = text.count("\n") + 1 if text else 0
    keep = n_lines if limit is None else min(limit, n_lines)
    tabs = text.count("\t")
    if tabs == 0:
        words = text.split("\n") if text else []
        del words[keep:]
        return words, n_lines, None
    if tabs == n_lines:  # every line is word<TAB>count
        fields = text.replace("\n", "\t").split("\t")
        if len(fields) == 2 * n_lines:
            raw = fields[1 : 2 * keep : 2]

            def fast_counts() -> np.ndarray:
                try:
                    return np.array(raw, dtype=np.int64)
                except (ValueError, OverflowError):
                    return _parse_counts([f"_\t{c}" for c in raw], vocab_path)

            return fields[0 : 2 * keep : 2], n_lines, fast_counts
    lines = text.split("\n")[:keep]
    return (
        [line.partition("\t")[0] for line in lines],
        n_lines,
        (lambda: _parse_counts(lines, vocab_path)),
    )


def _parse_counts(lines: list[str], vocab_path: Path) -> np.ndarray:
    """The second, tab-separated column of vocab.txt lines (0 where a line has none)."""
    counts = np.zeros(len(lines), dtype=np.int64)
    for i, line in enumerate(lines):
        _, tab, rest = line.partition("\t")
        if not tab:
            continue
        try:
            counts[i] = int(rest)
        except ValueError:
            raise VectorFileError(
                vocab_path, f"count is not an integer: {rest[:40]!r}", line=i + 1
            ) from None
    return counts


def _open_npy(npy_path: Path, *, mmap: bool) -> np.ndarray:
    """Open a store's matrix, checking its header against the file size before mapping it."""
    fmt = np.lib.format
    try:
        with open(npy_path, "rb") as f:
            try:
                version = fmt.read_magic(f)
            except ValueError:
                raise VectorFileError(npy_path, "corrupt: not a .npy array file") from None
            try:
                reader = (
                    fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
                )
                shape, fortran, dtype = reader(f)
            except (ValueError, SyntaxError) as exc:
                raise VectorFileError(npy_path, f"corrupt .npy header ({exc})") from None
            data_offset = f.tell()
        size = npy_path.stat().st_size
    except FileNotFoundError:
        raise VectorFileError(
            npy_path, "missing: a store needs vectors.npy beside vocab.txt"
        ) from None
    except OSError as exc:
        raise VectorFileError(npy_path, f"cannot read: {exc.strerror or exc}") from None
    if len(shape) != 2 or dtype.kind != "f" or dtype.hasobject or fortran:
        raise VectorFileError(
            npy_path, f"expected a 2-D C-order float matrix, got shape {shape} of {dtype}"
        )
    need = data_offset + shape[0] * shape[1] * dtype.itemsize
    if size < need:
        raise VectorFileError(
            npy_path,
            f"corrupt: truncated ({size:,} bytes, but its header promises {shape[0]:,} x "
            f"{shape[1]:,} {dtype} values = {need:,} bytes)",
        )
    try:
        vectors = np.load(npy_path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError) as exc:
        reason = str(exc).split("\n")[0]
        raise VectorFileError(npy_path, f"corrupt .npy array ({reason})") from None
    if vectors.dtype.itemsize > 4:
        vectors = vectors.astype(np.float32)
    return vectors


def _read_store(path: Path, *, limit: int | None, mmap: bool) -> VectorStore:
    """Open a native store: the matrix memory-mapped, the words parsed, counts parsed lazily."""
    vocab_path = path / "vocab.txt"
    npy_path = path / "vectors.npy"
    for part in (npy_path, vocab_path, path / "meta.json"):
        require_regular(
            part, "a store's files must be regular files (vectors.npy is memory-mapped)"
        )
    vectors = _open_npy(npy_path, mmap=mmap)
    words, n_lines, counts = _read_vocab(vocab_path, limit)
    if n_lines != vectors.shape[0]:
        raise VectorFileError(
            path,
            f"corrupt store: vocab.txt has {_words(n_lines)} but vectors.npy has "
            f"{vectors.shape[0]:,} rows",
        )
    if len(words) < vectors.shape[0]:
        vectors = vectors[: len(words)]
    meta: dict[str, Any] = {}
    meta_path = path / "meta.json"
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise VectorFileError(meta_path, f"not valid JSON ({exc})") from None
        if not isinstance(meta, dict):
            raise VectorFileError(meta_path, "not a JSON object")
    subwords = _read_subwords(path, meta.get("subwords"), vectors.shape[1], mmap=mmap)
    return VectorStore(words, vectors, counts=counts, meta=meta, path=path, subwords=subwords)


def _read_subwords(path: Path, info: Any, dim: int, *, mmap: bool) -> Subwords | None:
    """The n-gram matrix meta.json announces (memory-mapped), checked against its parameters."""
    if info is None:
        return None
    where = path / "meta.json"
    if not isinstance(info, dict):
        raise VectorFileError(where, '"subwords" is not a JSON object')
    try:
        min_n, max_n, bucket = int(info["min_n"]), int(info["max_n"]), int(info["bucket"])
        name = str(info["hash"])
    except (KeyError, TypeError, ValueError) as exc:
        raise VectorFileError(where, f'"subwords" lacks a valid {exc}') from None
    if name != HASH_NAME:
        raise VectorFileError(where, f"n-grams hashed with {name!r}, which embtool cannot compute")
    if not 1 <= min_n <= max_n or bucket < 1:
        raise VectorFileError(where, f"bad n-gram parameters min_n={min_n} max_n={max_n}")
    ngrams_path = path / str(info.get("file", NGRAMS_FILE))
    if not ngrams_path.exists():
        raise VectorFileError(
            ngrams_path, "missing: meta.json says this store keeps subwords (fastText n-grams)"
        )
    ngrams = _open_npy(ngrams_path, mmap=mmap)
    if ngrams.shape != (bucket, dim):
        raise VectorFileError(
            ngrams_path,
            f"wrong shape: {ngrams.shape[0]:,} x {ngrams.shape[1]:,}, but meta.json says "
            f"bucket {bucket:,} x {dim:,} dims",
        )
    used = None
    used_path = path / str(info.get("used_file", NGRAMS_USED_FILE))
    if used_path.exists():
        try:
            used = np.load(used_path, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise VectorFileError(used_path, f"corrupt ({str(exc).splitlines()[0]})") from None
        if used.dtype != np.uint8 or used.shape != ((bucket + 7) // 8,):
            raise VectorFileError(used_path, f"wrong shape {used.shape} for bucket {bucket:,}")
    return Subwords(ngrams, min_n, max_n, used=used, hash=name)


def _embtool_version() -> str:
    from embtool import __version__

    return __version__


_STORE_OWN_KEYS = frozenset(
    [
        "format",
        "format_version",
        "shape",
        "dtype",
        "has_counts",
        "written",
        "embtool_version",
        "source_format",
    ]
)


def store_meta(store: VectorStore, dtype: np.dtype) -> dict[str, Any]:
    """The meta.json content for ``store``: format fields first, then how it was made."""
    meta = {k: v for k, v in store.meta.items() if k not in _STORE_OWN_KEYS | {"subwords"}}
    if store.subwords is not None:
        meta["subwords"] = {
            **store.subwords.describe(),
            "file": NGRAMS_FILE,
            "used_file": NGRAMS_USED_FILE,
        }
    return {
        "format": STORE_FORMAT,
        "format_version": STORE_FORMAT_VERSION,
        "shape": [len(store), store.dim],
        "dtype": str(dtype),
        "has_counts": store.counts is not None,
        "written": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "embtool_version": _embtool_version(),
        **meta,
    }


def _write_npy(
    path: Path,
    shape: tuple[int, int],
    blocks: Iterable[tuple[int, np.ndarray]],
    dtype: np.dtype,
) -> None:
    """Write a 2-D matrix as .npy from ``(start, block)`` pieces (a memory map is never read whole)."""
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(
            f,
            {
                "descr": np.lib.format.dtype_to_descr(dtype),
                "fortran_order": False,
                "shape": shape,
            },
        )
        for _, block in blocks:
            f.write(np.ascontiguousarray(block, dtype=dtype).tobytes())


def _row_blocks(matrix: np.ndarray, rows: int = 65536) -> Iterator[tuple[int, np.ndarray]]:
    for start in range(0, matrix.shape[0], rows):
        yield start, matrix[start : start + rows]


def write_store(
    store: VectorStore, path: str | Path, *, dtype: str | None = None, overwrite: bool = False
) -> Path:
    """Write a native store directory atomically.  Raises: OutputError."""
    path = Path(path)
    target = np.dtype(dtype) if dtype else store.dtype
    if target not in (np.dtype(np.float32), np.dtype(np.float16)):
        raise OutputError(f"store dtype must be float32 or float16, not {target}")
    _check_words_writable(store, "\n\r\t", "vocab.txt")
    if target == np.float16:
        peak = float(np.abs(store.vectors).max()) if len(store) else 0.0
        if peak > 65000:
            raise OutputError(f"values up to {peak:.3g} overflow float16; keep float32")
    with atomic_dir(path, overwrite=overwrite) as tmp:
        _write_npy(tmp / "vectors.npy", (len(store), store.dim), store.blocks(), target)
        if store.subwords is not None:
            ngrams = store.subwords.ngrams
            _write_npy(tmp / NGRAMS_FILE, ngrams.shape, _row_blocks(ngrams), target)
            used = store.subwords.used
            if used is not None:
                np.save(tmp / NGRAMS_USED_FILE, np.asarray(used, dtype=np.uint8))
        with open(tmp / "vocab.txt", "w", encoding="utf-8", newline="\n") as f:
            if store.counts is not None:
                f.writelines(
                    f"{w}\t{c}\n" for w, c in zip(store.words, store.counts.tolist(), strict=True)
                )
            else:
                f.writelines(f"{w}\n" for w in store.words)
        with open(tmp / "meta.json", "w", encoding="utf-8") as f:
            json.dump(store_meta(store, target), f, indent=2, ensure_ascii=False)
            f.write("\n")
    return path
