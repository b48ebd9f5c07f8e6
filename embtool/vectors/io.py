"""Reading and writing vectors: the native store and the interchange formats.

Formats: the native store directory (``vectors.npy`` + ``vocab.txt`` + ``meta.json``), word2vec
text (header ``count dim``; also fastText's ``.vec``), word2vec binary, GloVe text (no header), the
TensorFlow Embedding Projector's TSV pair, and, only when explicitly allowed, gensim pickles.
``.gz``, ``.bz2`` and ``.xz`` are handled transparently, recognised by their magic bytes. The format
is sniffed from the content, never trusted from the file name. Every write goes to a temporary
sibling and is renamed into place, so an interrupted write never leaves half a file behind.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import datetime as _dt
import gzip
import io
import json
import lzma
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import IO, Any

import numpy as np

from embtool.atomic import atomic_dir, atomic_file
from embtool.errors import EmbtoolError, OutputError, UsageError, VectorFileError
from embtool.vectors.store import VectorStore

STORE_FORMAT = "embtool-store"
STORE_FORMAT_VERSION = 1
_CHUNK_ROWS = 8192
MAX_DIM = 1_000_000  # no embedding has more dims; a bigger header is a corrupt or foreign file
_NUMERIC_BYTES = frozenset(b"0123456789.-+eEnaifNAIF \t\r\n")


class VectorFormat(str, Enum):
    """Vector file formats embtool reads and writes."""

    store = "store"
    word2vec = "word2vec"
    word2vec_binary = "word2vec-binary"
    glove = "glove"
    fasttext = "fasttext"
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
            "projector": "TensorFlow projector TSV",
            "gensim": "gensim pickle",
        }[self.value]


@dataclass
class ReadReport:
    """What a reader noticed but tolerated (filled in when the caller asks for leniency)."""

    duplicates: list[tuple[int, str]] = field(default_factory=list)
    undecodable: list[tuple[int, int]] = field(default_factory=list)
    header: tuple[int, int] | None = None
    compression: str | None = None
    format: str | None = None


# -- low-level file access ----------------------------------------------------------------------
def _compression_of(head: bytes) -> str | None:
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    return None


Progress = Callable[[int, "int | None"], None]
"""Reader progress callback: ``(bytes of the file read so far, file size or None)``."""


def open_binary(path: str | Path) -> tuple[IO[bytes], str | None]:
    """Open ``path`` for reading bytes, decompressing gzip/bz2/xz by magic number.

    Raises: VectorFileError when the file is missing or unreadable.
    """
    f, kind, _ = _open_raw(path)
    return f, kind


def _open_raw(path: str | Path) -> tuple[IO[bytes], str | None, IO[bytes]]:
    """Like :func:`open_binary`, also returning the underlying (compressed) file for progress."""
    p = Path(path)
    try:
        raw = open(p, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except FileNotFoundError:
        raise VectorFileError(p, "no such file") from None
    except IsADirectoryError:
        raise VectorFileError(p, "is a directory but not an embtool store") from None
    except OSError as exc:
        raise VectorFileError(p, f"cannot read: {exc.strerror or exc}") from None
    head = raw.read(6)
    raw.seek(0)
    kind = _compression_of(head)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb"), kind, raw  # type: ignore[return-value]
    if kind == "bz2":
        return bz2.BZ2File(raw, "rb"), kind, raw  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(raw, "rb"), kind, raw  # type: ignore[return-value]
    return raw, None, raw


def _read_head(path: Path, size: int = 65536) -> tuple[bytes, str | None]:
    f, kind = open_binary(path)
    try:
        return _safe_read(f, size, path), kind
    finally:
        f.close()


def _safe_read(f: IO[bytes], size: int, path: Path) -> bytes:
    try:
        return f.read(size)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise VectorFileError(path, f"corrupt compressed data ({exc})") from None


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


_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def looks_like_gbk(raw: bytes) -> bool:
    """Do these undecodable bytes read as Chinese GBK (rather than, say, latin-1 letters)?"""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    # GB2312 characters are two bytes >= 0xA1; a latin-1 letter is one byte among ASCII.
    runs = re.findall(rb"[\x80-\xff]+", raw)
    return any("\u4e00" <= c <= "\u9fff" for c in text) and all(len(r) % 2 == 0 for r in runs)


def encoding_hint_at(path: str | Path, offset: int, encoding: str = "utf-8") -> str:
    """The --encoding to suggest for the line of ``path`` holding the undecodable byte at
    ``offset`` (in the uncompressed content), e.g. as :class:`ReadReport` records it."""
    try:
        f, _ = open_binary(path)
        with contextlib.closing(f):
            head = f.read(offset + 4096) if offset < (64 << 20) else b""
    except (EmbtoolError, OSError, EOFError, lzma.LZMAError):
        head = b""
    start = head.rfind(b"\n", 0, offset) + 1
    end = head.find(b"\n", offset)
    return _encoding_hint(head[start : end if end >= 0 else len(head)], encoding)


def _encoding_hint(raw: bytes, encoding: str) -> str:
    """The --encoding to suggest for a line that did not decode: GBK for Chinese, else latin-1."""
    if codecs.lookup(encoding).name != "gb18030" and looks_like_gbk(raw):
        return "--encoding gb18030 (the bytes read as Chinese GBK)"
    return "--encoding (e.g. latin-1)"


def _decode(
    raw: bytes,
    path: Path,
    line_no: int,
    offset: int,
    encoding: str,
    errors: str,
    report: ReadReport | None,
) -> str:
    try:
        return raw.decode(encoding, "strict")
    except UnicodeDecodeError as exc:
        if errors == "strict" and report is None:
            raise VectorFileError(
                path,
                f"cannot decode bytes as {encoding} at byte offset {offset + exc.start} "
                f"({raw[exc.start : exc.start + 4]!r}); pass {_encoding_hint(raw, encoding)} or "
                "--unicode-errors replace|ignore",
                line=line_no,
            ) from None
        if report is not None:
            report.undecodable.append((line_no, offset + exc.start))
        return raw.decode(encoding, "replace" if errors == "strict" else errors)
    except LookupError:
        raise VectorFileError(path, f"unknown encoding {encoding!r}") from None


# -- readers ------------------------------------------------------------------------------------
class _RowCollector:
    """Gathers rows in fixed-size float32 blocks, so memory follows the data actually read."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.blocks: list[np.ndarray] = []
        self.pending: list[np.ndarray] = []
        self.words: list[str] = []

    def add_block(self, words: list[str], values: np.ndarray) -> None:
        self.words.extend(words)
        self.blocks.append(values.astype(np.float32, copy=False))

    def add_row(self, word: str, values: np.ndarray) -> None:
        self.words.append(word)
        self.pending.append(values)
        if len(self.pending) >= _CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.blocks.append(np.stack(self.pending).astype(np.float32, copy=False))
            self.pending = []

    def matrix(self) -> np.ndarray:
        self.flush()
        if not self.blocks:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(self.blocks) == 1:
            return np.ascontiguousarray(self.blocks[0])
        return np.concatenate(self.blocks)


def _check_finite(path: Path, values: np.ndarray, line_nos: list[int], words: list[str]) -> None:
    finite = np.isfinite(values)
    if not finite.all():
        bad = int(np.argmin(finite.all(axis=1)))
        raise VectorFileError(
            path, f"the vector of {words[bad]!r} has a NaN or infinite value", line=line_nos[bad]
        )


def _words(n: int) -> str:
    return f"{n:,} word" if n == 1 else f"{n:,} words"


def _safe_readline(f: IO[bytes], path: Path, size: int = 4096) -> bytes:
    try:
        return f.readline(size)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise VectorFileError(path, f"corrupt compressed data ({exc})") from None


def _check_header_size(
    path: Path, count: int, dim: int, bytes_per_value: float, compression: str | None
) -> None:
    """Refuse a header whose claimed size is impossible, before reading (or allocating) anything."""
    if count < 0 or dim <= 0:
        raise VectorFileError(path, f"header claims {count} words x {dim} dims", line=1)
    if dim > MAX_DIM:
        raise VectorFileError(
            path,
            f"header claims {dim:,} dims per vector (more than {MAX_DIM:,}); is this a "
            "vector file?",
            line=1,
        )
    if compression is None:
        size = path.stat().st_size
        need = count * dim * bytes_per_value
        if need > size:
            raise VectorFileError(
                path,
                f"header says {_words(count)} x {dim:,} dims, which needs at least "
                f"{int(need):,} bytes, but the file has only {size:,}: the header is wrong or "
                "the file is truncated",
                line=1,
            )


class _DuplicateGuard:
    def __init__(self, path: Path, report: ReadReport | None) -> None:
        self.seen: dict[str, int] = {}
        self.path = path
        self.report = report

    def accept(self, word: str, line_no: int) -> bool:
        first = self.seen.get(word)
        if first is None:
            self.seen[word] = line_no
            return True
        if self.report is None:
            raise VectorFileError(
                self.path, f"duplicate word {word!r} (first seen on line {first})", line=line_no
            )
        self.report.duplicates.append((line_no, word))
        return False


def _progress_reporter(path: Path, raw: IO[bytes], progress: Progress | None) -> Callable[[], None]:
    if progress is None:
        return lambda: None
    try:
        total: int | None = path.stat().st_size
    except OSError:
        total = None

    def tick() -> None:
        with contextlib.suppress(OSError, ValueError):
            progress(raw.tell(), total)

    return tick


def _read_text(
    path: Path,
    *,
    has_header: bool | None,
    limit: int | None,
    encoding: str,
    unicode_errors: str,
    report: ReadReport | None,
    progress: Progress | None = None,
) -> VectorStore:
    f, compression, raw_file = _open_raw(path)
    tick = _progress_reporter(path, raw_file, progress)
    with contextlib.closing(f):
        reader = io.BufferedReader(f) if not isinstance(f, io.BufferedReader) else f
        line_no = 0
        offset = 0
        header: tuple[int, int] | None = None
        dim: int | None = None
        guard = _DuplicateGuard(path, report)
        collector: _RowCollector | None = None
        chunk_words: list[str] = []
        chunk_values: list[str] = []
        chunk_lines: list[int] = []
        want = limit

        def flush() -> None:
            if not chunk_words:
                return
            assert collector is not None and dim is not None
            try:
                values = np.array(chunk_values, dtype=np.float64)
            except ValueError:
                for ln, vals in zip(chunk_lines, _split_rows(chunk_values, dim), strict=False):
                    for v in vals:
                        try:
                            float(v)
                        except ValueError:
                            raise VectorFileError(
                                path, f"not a number: {v[:40]!r}", line=ln
                            ) from None
                raise
            values = values.reshape(-1, dim)
            _check_finite(path, values, chunk_lines, chunk_words)
            collector.add_block(list(chunk_words), values)
            tick()
            chunk_words.clear()
            chunk_values.clear()
            chunk_lines.clear()

        n_read = 0
        while True:
            try:
                raw = reader.readline()
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise VectorFileError(path, f"corrupt compressed data ({exc})") from None
            if not raw:
                break
            line_no += 1
            start_offset = offset
            offset += len(raw)
            if line_no == 1:
                if raw.startswith(_UTF16_BOMS):
                    raise VectorFileError(
                        path,
                        "the file is UTF-16 text; save it as UTF-8 "
                        "(e.g. iconv -f utf-16 -t utf-8 IN > OUT) and read that",
                    )
                if raw.startswith(_UTF8_BOM):  # as Windows Notepad writes UTF-8
                    raw = raw[len(_UTF8_BOM) :]
                    start_offset += len(_UTF8_BOM)
                header = _parse_header(raw) if has_header is not False else None
                if has_header and header is None:
                    raise VectorFileError(path, "expected a word2vec header 'COUNT DIM'", line=1)
                if header is not None:
                    count, dim = header
                    _check_header_size(path, min(count, limit or count), dim, 2, compression)
                    if report is not None:
                        report.header = header
                    collector = _RowCollector(dim)
                    if limit is None or limit > count:
                        want = count
                    continue
            stripped = raw.rstrip()
            if not stripped:
                continue
            text = _decode(stripped, path, line_no, start_offset, encoding, unicode_errors, report)
            parts = text.split(" ")
            if dim is None:
                dim = len(parts) - 1
                if dim < 1:
                    raise VectorFileError(
                        path,
                        "a line needs a word and at least one number" + _tab_hint(text),
                        line=line_no,
                    )
                collector = _RowCollector(dim)
            if len(parts) != dim + 1:
                raise VectorFileError(
                    path,
                    f"expected {dim + 1} fields (word + {dim} numbers), got {len(parts)}"
                    + _tab_hint(text),
                    line=line_no,
                )
            word = parts[0]
            if header is not None and n_read >= header[0]:
                raise VectorFileError(
                    path,
                    f"header says {_words(header[0])} but the file has more vector lines",
                    line=line_no,
                )
            if guard.accept(word, line_no):
                chunk_words.append(word)
                chunk_values.extend(parts[1:])
                chunk_lines.append(line_no)
                if len(chunk_words) >= _CHUNK_ROWS:
                    flush()
            n_read += 1
            if want is not None and n_read >= want and (header is None or want < header[0]):
                break
        flush()
    if line_no == 0 or (collector is None):
        raise VectorFileError(path, "empty file: no vectors")
    if header is not None and (limit is None or limit >= header[0]) and n_read != header[0]:
        raise VectorFileError(
            path, f"header says {_words(header[0])} but the file has {n_read:,} vector lines"
        )
    matrix = collector.matrix()
    if len(collector.words) == 0:
        raise VectorFileError(path, "no vectors in file")
    if report is not None:
        report.compression = compression
    return VectorStore(collector.words, matrix, path=path)


def _tab_hint(text: str) -> str:
    if "\t" not in text:
        return ""
    return (
        "; the fields are separated by tabs, but vector files use single spaces "
        "(try: tr '\\t' ' ' < IN > OUT)"
    )


def _split_rows(values: list[str], dim: int) -> Iterator[list[str]]:
    for i in range(0, len(values), dim):
        yield values[i : i + dim]


def _read_binary(
    path: Path,
    *,
    limit: int | None,
    encoding: str,
    unicode_errors: str,
    report: ReadReport | None,
    progress: Progress | None = None,
) -> VectorStore:
    f, compression, raw_file = _open_raw(path)
    tick = _progress_reporter(path, raw_file, progress)
    with contextlib.closing(f):
        first = _safe_readline(f, path)
        header = _parse_header(first)
        if header is None:
            raise VectorFileError(path, "expected a word2vec header 'COUNT DIM'", line=1)
        count, dim = header
        want = count if limit is None else min(count, limit)
        _check_header_size(path, want, dim, 4, compression)
        if report is not None:
            report.header = header
        row_bytes = 4 * dim
        buf = bytearray()
        pos = 0
        eof = False
        offset = len(first)  # file offset of buf[0]

        def fill(n: int) -> bool:
            nonlocal buf, pos, eof, offset
            while len(buf) - pos < n and not eof:
                if pos:
                    offset += pos
                    del buf[:pos]
                    pos = 0
                try:
                    data = f.read(1 << 20)
                except (OSError, EOFError, lzma.LZMAError) as exc:
                    raise VectorFileError(path, f"corrupt compressed data ({exc})") from None
                tick()
                if not data:
                    eof = True
                buf.extend(data)
            return len(buf) - pos >= n

        collector = _RowCollector(dim)
        guard = _DuplicateGuard(path, report)
        for i in range(want):
            record = i + 1
            while True:
                fill(1)
                if pos < len(buf) and buf[pos] in (0x0A, 0x0D):
                    pos += 1
                    continue
                break
            while True:
                space = buf.find(b" ", pos)
                if space >= 0 or eof:
                    break
                fill(len(buf) - pos + (1 << 16))
            if space < 0:
                raise VectorFileError(
                    path,
                    f"truncated: header says {count:,} words but the file ends after {i:,}",
                )
            if space - pos > 10_000:
                raise VectorFileError(
                    path,
                    f"word {record} is over 10,000 bytes long; is this really word2vec binary?",
                )
            raw_word = bytes(buf[pos:space])
            word_offset = offset + pos
            pos = space + 1
            if not fill(row_bytes):
                raise VectorFileError(
                    path,
                    f"truncated: vector {record} of {count:,} "
                    f"({raw_word[:40].decode(encoding, 'replace')!r}) is cut short",
                )
            values = np.frombuffer(bytes(buf[pos : pos + row_bytes]), dtype="<f4")
            pos += row_bytes
            word = _decode(raw_word, path, record, word_offset, encoding, unicode_errors, report)
            if not np.isfinite(values).all():
                raise VectorFileError(
                    path, f"vector {record} ({word!r}) has a NaN or infinite value"
                )
            if guard.accept(word, record):
                collector.add_row(word, values)
        if limit is None or limit >= count:
            while fill(1) and buf[pos] in b" \t\r\n":
                pos += 1
            if fill(1):
                raise VectorFileError(
                    path,
                    f"header says {_words(count)} but the file has more data after the last one "
                    f"(at byte {offset + pos:,})",
                )
    if not collector.words and want > 0:
        raise VectorFileError(path, "no vectors in file")
    if want == 0:
        raise VectorFileError(path, "header says the file holds no vectors")
    if report is not None:
        report.compression = compression
    return VectorStore(collector.words, collector.matrix(), path=path)


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
    return VectorStore(words, vectors, counts=counts, meta=meta, path=path)


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


def load_vectors(
    path: str | Path,
    *,
    format: VectorFormat | str | None = None,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_pickle: bool = False,
    mmap: bool = True,
    report: ReadReport | None = None,
    progress: Progress | None = None,
) -> VectorStore:
    """Open vectors in any supported format; the format is sniffed unless given.

    ``limit`` keeps only the first N words. Passing a ``report`` makes the reader lenient about
    duplicate words (first kept) and undecodable bytes (replaced), recording them instead.
    ``progress`` is called now and then while a text or binary file is read.
    Raises: VectorFileError naming the file, the line and the problem.
    """
    p = Path(path)
    if not p.exists():
        raise VectorFileError(p, "no such file or directory")
    if limit is not None and limit < 1:
        raise VectorFileError(p, f"--limit must be at least 1, got {limit}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise VectorFileError(p, f"unknown encoding {encoding!r} (try utf-8 or latin-1)") from None
    try:
        codecs.lookup_error(unicode_errors)
    except LookupError:
        raise VectorFileError(
            p, f"unknown --unicode-errors {unicode_errors!r} (use strict, replace or ignore)"
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
                "Pass --allow-pickle only if you trust it, or convert it to word2vec format",
            )
        store = _read_gensim(p, limit=limit)
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
        store = _read_text(
            p,
            has_header=has_header,
            limit=limit,
            encoding=encoding,
            unicode_errors=unicode_errors,
            report=report,
            progress=progress,
        )
    if fmt is not VectorFormat.store:
        store.meta.setdefault("history", []).append(
            {"action": "load", "path": str(p), "format": fmt.value, "limit": limit}
        )
    store.meta.setdefault("source_format", fmt.value)
    if limit is not None and len(store) >= limit:
        store.limit = limit
    return store


# -- writers ------------------------------------------------------------------------------------
def _embtool_version() -> str:
    from embtool import __version__

    return __version__


def _check_words_writable(store: VectorStore, forbidden: str, what: str) -> None:
    for i, w in enumerate(store.words):
        if not w or any(c in w for c in forbidden):
            raise OutputError(
                f"word {i + 1} ({w!r}) cannot be written to {what}: it is empty "
                "or contains whitespace that the format uses as a separator"
            )


def _open_out(tmp: Path, final: Path) -> IO[bytes]:
    suffix = final.suffix.lower()
    if suffix == ".gz":
        return gzip.open(tmp, "wb", compresslevel=6)  # type: ignore[return-value]
    if suffix == ".bz2":
        return bz2.open(tmp, "wb")  # type: ignore[return-value]
    if suffix == ".xz":
        return lzma.open(tmp, "wb")  # type: ignore[return-value]
    return open(tmp, "wb")


# meta.json fields that describe the file itself; rewritten on every save, never carried over.
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
    meta = {k: v for k, v in store.meta.items() if k not in _STORE_OWN_KEYS}
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
        with open(tmp / "vectors.npy", "wb") as f:
            np.lib.format.write_array_header_1_0(
                f,
                {
                    "descr": np.lib.format.dtype_to_descr(target),
                    "fortran_order": False,
                    "shape": (len(store), store.dim),
                },
            )
            for _, block in store.blocks():
                f.write(np.ascontiguousarray(block, dtype=target).tobytes())
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


def _text_rows(store: VectorStore, sep: str = " ") -> Iterator[str]:
    fmt = sep.join(["%.9g"] * store.dim)
    for start, block in store.blocks(size=4096):
        for i, row in enumerate(block.tolist()):
            yield f"{store.words[start + i]}{sep}{fmt % tuple(row)}\n"


def write_word2vec(
    store: VectorStore, path: str | Path, *, binary: bool = False, header: bool = True
) -> Path:
    """Write word2vec text (``header=False`` gives GloVe text) or binary, atomically.

    Values are written with 9 significant digits, which round-trips float32 exactly.
    Raises: OutputError.
    """
    path = Path(path)
    _check_words_writable(store, " \n\r\t", "word2vec/GloVe files")
    with atomic_file(path) as tmp, _open_out(tmp, path) as f:
        if header:
            f.write(f"{len(store)} {store.dim}\n".encode())
        if binary:
            for start, block in store.blocks(size=4096):
                block = np.ascontiguousarray(block, dtype="<f4")
                for i in range(len(block)):
                    f.write(
                        store.words[start + i].encode("utf-8") + b" " + block[i].tobytes() + b"\n"
                    )
        else:
            buf: list[str] = []
            for line in _text_rows(store):
                buf.append(line)
                if len(buf) >= 2048:
                    f.write("".join(buf).encode("utf-8"))
                    buf.clear()
            f.write("".join(buf).encode("utf-8"))
    return path


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


WRITERS: dict[VectorFormat, Callable[..., Path]] = {
    VectorFormat.store: lambda s, p, overwrite=False, dtype=None: write_store(
        s, p, overwrite=overwrite, dtype=dtype
    ),
    VectorFormat.word2vec: lambda s, p, **_: write_word2vec(s, p),
    VectorFormat.fasttext: lambda s, p, **_: write_word2vec(s, p),
    VectorFormat.word2vec_binary: lambda s, p, **_: write_word2vec(s, p, binary=True),
    VectorFormat.glove: lambda s, p, **_: write_word2vec(s, p, header=False),
    VectorFormat.projector: lambda s, p, overwrite=False, **_: write_projector(
        s, p, overwrite=overwrite
    ),
}


def save_vectors(
    store: VectorStore,
    path: str | Path,
    format: VectorFormat | str,
    *,
    overwrite: bool = False,
    dtype: str | None = None,
) -> Path:
    """Write ``store`` to ``path`` in ``format`` (atomically).  Raises: OutputError."""
    fmt = VectorFormat(format)
    if fmt is VectorFormat.gensim:
        raise OutputError("embtool does not write pickles; use word2vec or store")
    p = Path(path)
    if fmt not in (VectorFormat.store, VectorFormat.projector) and p.exists() and not overwrite:
        raise OutputError(f"{p} already exists (pass --force to replace it)")
    if fmt not in (VectorFormat.store, VectorFormat.projector) and p.is_dir():
        raise OutputError(f"{p} is a directory")
    return WRITERS[fmt](store, p, overwrite=overwrite, dtype=dtype)


# -- conversion ---------------------------------------------------------------------------------
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
        f"cannot tell the output format from the extension of {p.name!r}; pass --to "
        "store|word2vec|word2vec-binary|glove|fasttext|projector"
    )


def convert_vectors(
    source: str | Path,
    out: str | Path,
    to: VectorFormat | str,
    *,
    source_format: VectorFormat | str | None = None,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_pickle: bool = False,
    dtype: str | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> VectorStore:
    """Read vectors in any format and write them in ``to``, recording where they came from.

    A written store's ``meta.json`` keeps the source's own history (a store's training record, say)
    and gains ``{"action": "convert", "source": ..., "source_format": ..., "limit": ...}``.
    Returns the store that was written.  Raises: VectorFileError, OutputError, UsageError.
    """
    to = VectorFormat(to)
    src, dst = Path(source), Path(out)
    if dtype is not None and to is not VectorFormat.store:
        raise UsageError(f"--dtype applies to native stores only, not to {to.label}")
    if to is VectorFormat.gensim:
        raise UsageError("embtool does not write gensim pickles; use --to store or word2vec")
    if to in (VectorFormat.store, VectorFormat.projector) and dst.name.lower().endswith(
        _COMPRESSION_SUFFIXES
    ):
        raise UsageError(f"a {to.label} is a directory and cannot be compressed: {dst}")
    with contextlib.suppress(OSError):
        if dst.exists() and dst.resolve() == src.resolve():
            raise OutputError(f"{dst} is the input itself; write the conversion somewhere else")
    if dst.exists() and not overwrite:
        raise OutputError(f"{dst} already exists (pass --force to replace it)")
    store = load_vectors(
        src,
        format=source_format,
        limit=limit,
        encoding=encoding,
        unicode_errors=unicode_errors,
        allow_pickle=allow_pickle,
        progress=progress,
    )
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
