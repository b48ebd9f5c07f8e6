"""Vector file formats: the format enum, sniffing a file's format from its content, and the output format a file name asks for."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import numpy as np

from embtool.errors import UsageError, VectorFileError
from embtool.vectors.files import _UTF8_BOM, _read_head

FASTTEXT_MAGIC = (793712314).to_bytes(4, "little")  # every Facebook fastText model starts so
_NUMERIC_BYTES = frozenset(b"0123456789.-+eEnaifNAIF \t\r\n")


class VectorFormat(str, Enum):
    """Vector file formats embtool reads and writes."""

    store = "store"
    word2vec = "word2vec"
    word2vec_binary = "word2vec-binary"
    glove = "glove"
    fasttext = "fasttext"
    fasttext_bin = "fasttext-bin"
    projector = "projector"
    gensim = "gensim"

    @property
    def label(self) -> str:
        return {
            "store": "embtool store",
            "word2vec": "word2vec text",
            "word2vec-binary": "word2vec binary",
            "glove": "GloVe text",
            "fasttext": "fastText .vec (word2vec text)",
            "fasttext-bin": "fastText .bin model",
            "projector": "TensorFlow projector TSV",
            "gensim": "gensim pickle",
        }[self.value]


def _parse_header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) != 2:
        return None
    try:
        count, dim = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    return count, dim


def _is_store_dir(path: Path) -> bool:
    """A store directory, possibly damaged: reading it reports which part is missing."""
    return path.is_dir() and ((path / "vectors.npy").exists() or (path / "vocab.txt").exists())


def _is_projector_dir(path: Path) -> bool:
    return path.is_dir() and (path / "vectors.tsv").exists()


def _plausible_binary(payload: bytes) -> bool:
    """Do these bytes read as float32 values of a believable size (as word2vec binary)?

    Text digits reinterpreted as float32 give magnitudes around 1e-19..1e-7 or above 1e19, never
    embedding-like values, so this tells word2vec binary from text on the first record alone.
    """
    n = len(payload) // 4
    if n == 0:
        return False
    values = np.frombuffer(payload[: 4 * n], dtype="<f4").astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        size = np.abs(values)
        ok = (values == 0) | ((size >= 1e-6) & (size <= 1e6))
    return bool(ok.mean() >= 0.5)


def sniff_format(path: str | Path) -> VectorFormat:
    """Tell a vector file's format from its content (never from its name).

    Raises: VectorFileError when the file is missing, empty or not a vector file.
    """
    p = Path(path)
    if p.is_dir():
        if _is_store_dir(p):
            return VectorFormat.store
        if _is_projector_dir(p):
            return VectorFormat.projector
        raise VectorFileError(p, "directory is not an embtool store (no vectors.npy + vocab.txt)")
    head, _ = _read_head(p)
    if not head.strip():
        raise VectorFileError(p, "empty file: no vectors")
    if head.startswith(b"\x93NUMPY"):
        raise VectorFileError(
            p, "is a bare .npy array; pass the store directory that holds it with vocab.txt"
        )
    if head.startswith(FASTTEXT_MAGIC):
        return VectorFormat.fasttext_bin
    if head[:1] == b"\x80" or head.startswith(b"PK\x03\x04"):
        return VectorFormat.gensim
    first, _, rest = head.removeprefix(_UTF8_BOM).partition(b"\n")
    header = _parse_header(first)
    if header is None:
        return VectorFormat.glove
    # word2vec: text or binary? Look at the first record's payload after the word.
    _, dim = header
    rest = rest.lstrip(b"\r\n")
    space = rest.find(b" ")
    if space < 0 or dim <= 0:
        return VectorFormat.word2vec
    payload = rest[space + 1 : space + 1 + 4 * min(dim, 64)]
    line = rest[space + 1 :].split(b"\n", 1)[0].rstrip()
    if line and all(b in _NUMERIC_BYTES for b in line) and len(line.split()) == dim:
        return VectorFormat.word2vec
    if _plausible_binary(payload):
        return VectorFormat.word2vec_binary
    # Odd float values: a text file with a broken first line, or binary with tiny/huge values.
    if _looks_like_text(rest.split(b"\n", 1)[0]):
        return VectorFormat.word2vec
    return VectorFormat.word2vec_binary


def _looks_like_text(line: bytes) -> bool:
    """No control bytes, and UTF-8 (or mostly ASCII, as in a latin-1 file)."""
    if any((b < 0x20 and b not in (0x09, 0x0D)) or b == 0x7F for b in line):
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return sum(b < 0x80 for b in line) >= 0.9 * len(line)
    return True


_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz")


_SUFFIX_FORMATS = {
    ".bin": VectorFormat.word2vec_binary,
    ".txt": VectorFormat.word2vec,
    ".vec": VectorFormat.fasttext,
    ".w2v": VectorFormat.word2vec,
}


def guess_output_format(path: str | Path) -> tuple[VectorFormat, str]:
    """The format to write ``path`` in, judged by its extension, and why.

    ``.bin`` -> word2vec binary; ``.txt``/``.vec`` (optionally ``.gz``/``.bz2``/``.xz``) -> word2vec
    text; no extension -> a native store.  Raises: UsageError when the extension says nothing.
    """
    p = Path(path)
    name = p.name.lower()
    compressed = next((c for c in _COMPRESSION_SUFFIXES if name.endswith(c)), None)
    inner = Path(name[: -len(compressed)]) if compressed else Path(name)
    if inner.suffix in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[inner.suffix], f"from the {inner.suffix}{compressed or ''} extension"
    if compressed:
        return VectorFormat.word2vec, f"a {compressed} file without .bin"
    if not inner.suffix or _is_store_dir(p):
        return VectorFormat.store, "a path without extension"
    raise UsageError(
        f"cannot tell the output format from the extension of {p.name!r}; pass "
        "`to=store|word2vec|word2vec-binary|glove|fasttext|fasttext-bin|projector`"
    )


def looks_like_prose(path: str | Path, lines: int = 20) -> bool:
    """Do the first lines of ``path`` read as running text (a corpus) rather than vectors?

    In a vector line every field after the word is a number; in prose almost none are.
    """
    try:
        head, _ = _read_head(Path(path))
    except VectorFileError:
        return False
    if b"\x00" in head:  # UTF-16 or binary: its own error says more
        return False
    numeric = total = 0
    for line in head.splitlines()[:lines]:
        for field in line.split()[1:]:
            total += 1
            try:
                float(field)
            except ValueError:
                continue
            numeric += 1
    return total >= 3 and numeric <= 0.1 * total
