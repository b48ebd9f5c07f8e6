"""word2vec text and binary files (GloVe text is word2vec text without a header; fastText .vec is word2vec text)."""

from __future__ import annotations

import codecs
import contextlib
import io
import lzma
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import numpy as np

from embtool.atomic import atomic_file
from embtool.errors import VectorFileError
from embtool.progress import ProgressCallback
from embtool.vectors.files import (
    _UTF8_BOM,
    _UTF16_BOMS,
    ReadReport,
    _check_words_writable,
    _decode,
    _open_out,
    _open_raw,
    _progress_reporter,
    _safe_readline,
    _words,
    is_stream,
)
from embtool.vectors.formats import _parse_header
from embtool.vectors.store import VectorStore

_CHUNK_ROWS = 8192
_TEXT_BLOCK_ROWS = (
    1024  # text lines parsed at a time: their strings are the reader's only extra memory
)
_BINARY_CHUNK = 4 << 20  # bytes read at a time by the binary reader
_GROW_BYTES = 64 << 20  # a compressed file's matrix grows by this much at a time
_MAX_WORD_BYTES = 10_000  # no real word is longer; a longer one means this is not word2vec binary


_GLOVE_UNK = "<unk>"
MAX_DIM = 1_000_000  # no embedding has more dims; a bigger header is a corrupt or foreign file
#: Longest text of one value and its separator ("-2.2250738585072014e-308 " is 25): with the word,
#: what bounds a text vector line, so one huge line (or a decompression bomb) is refused at once.
_MAX_VALUE_CHARS = 32


def _max_line_bytes(dim: int) -> int:
    """The longest a text vector line of ``dim`` values can be (word, values, line end)."""
    return _MAX_WORD_BYTES + dim * _MAX_VALUE_CHARS + 2


class _Rows:
    """The words and the final float32 matrix of a text file, filled in place as blocks are parsed.

    With a trustworthy row count (a header vouched for by the file's size) the matrix is allocated
    once; otherwise it grows in place (``ndarray.resize``: realloc, which moves no data for large
    blocks), and shrinks to the rows read at the end. No block is ever kept besides the matrix,
    so peak memory is the matrix plus one block being parsed.
    """

    def __init__(self, dim: int, rows: int | None = None) -> None:
        self.dim = dim
        self.words: list[str] = []
        self.step = max(_CHUNK_ROWS, _GROW_BYTES // (4 * dim))
        self.matrix = np.empty((_CHUNK_ROWS if rows is None else rows, dim), dtype=np.float32)

    def add_block(self, words: list[str], values: np.ndarray) -> None:
        n, k = len(self.words), len(words)
        capacity = len(self.matrix)
        if n + k > capacity:
            capacity = max(n + k, capacity + min(capacity, self.step))
            self.matrix.resize((capacity, self.dim), refcheck=False)
        self.matrix[n : n + k] = values
        self.words.extend(words)

    def finish(self) -> np.ndarray:
        if len(self.words) < len(self.matrix):
            self.matrix.resize((len(self.words), self.dim), refcheck=False)
        return self.matrix


def _check_finite(path: Path, values: np.ndarray, line_nos: list[int], words: list[str]) -> None:
    finite = np.isfinite(values)
    if not finite.all():
        bad = int(np.argmin(finite.all(axis=1)))
        raise VectorFileError(
            path, f"the vector of {words[bad]!r} has a NaN or infinite value", line=line_nos[bad]
        )


def _check_rows_finite(
    path: Path, matrix: np.ndarray, words: list[str], start: int, stop: int
) -> None:
    """Refuse rows ``start:stop`` of a binary file's matrix if one holds NaN or inf."""
    finite = np.isfinite(matrix[start:stop]).all(axis=1)
    if not finite.all():
        bad = start + int(np.argmin(finite))
        raise VectorFileError(
            path, f"vector {bad + 1} ({words[bad]!r}) has a NaN or infinite value"
        )


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
    if compression is None and not is_stream(path):  # a pipe has no size to check against
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
    """Refuses a word seen before, or (with a report) skips it and lists it in the report.

    Without a report only the set of words is kept (no line number per word: the largest extra
    memory of a reader after the matrix); ``first_line(word)`` finds the first line again on the
    one occasion it is needed, the error.
    """

    def __init__(
        self, path: Path, report: ReadReport | None, first_line: Callable[[str], int]
    ) -> None:
        self.words: set[str] = set()
        self.lines: dict[str, int] = {}
        self.path = path
        self.report = report
        self.first_line = first_line

    def accept(self, word: str, line_no: int) -> bool:
        if self.report is None:
            if word not in self.words:
                self.words.add(word)
                return True
            raise VectorFileError(
                self.path,
                f"duplicate word {word!r} (first seen on line {self.first_line(word)})",
                line=line_no,
            )
        if word not in self.lines:
            self.lines[word] = line_no
            return True
        self.report.duplicates.append((line_no, word))
        return False

    def accept_block(self, words: list[str], first_line: int) -> bool:
        """Accept all ``words`` (lines ``first_line``, ``first_line + 1``, ...) at once if none
        repeats another or one seen before; otherwise change nothing and return False, so the
        caller goes word by word with :meth:`accept` (which raises or reports the duplicate)."""
        if self.report is None:
            new = set(words)
            if len(new) != len(words) or not self.words.isdisjoint(new):
                return False
            self.words |= new
            return True
        lines = dict(zip(words, range(first_line, first_line + len(words)), strict=True))
        if len(lines) != len(words) or not self.lines.keys().isdisjoint(lines):
            return False
        self.lines.update(lines)
        return True


def _open_reading(
    path: Path, progress: ProgressCallback | None
) -> tuple[IO[bytes], str | None, Callable[[], None]]:
    """Both readers' start: the (decompressed) file, its compression, and a progress ``tick()``."""
    f, compression, raw_file = _open_raw(path)
    return f, compression, _progress_reporter(path, raw_file, progress)


def _read_text(
    path: Path,
    *,
    has_header: bool | None,
    limit: int | None,
    encoding: str,
    unicode_errors: str,
    report: ReadReport | None,
    progress: ProgressCallback | None = None,
) -> VectorStore:
    f, compression, tick = _open_reading(path, progress)
    with contextlib.closing(f):
        reader = f if isinstance(f, io.BufferedReader) else io.BufferedReader(f)  # type: ignore[type-var]
        line_no = 0
        offset = 0
        header: tuple[int, int] | None = None
        dim: int | None = None
        collector: _Rows | None = None
        chunk_words: list[str] = []
        chunk_values: list[str] = []
        chunk_lines: list[int] = []
        row_lines = array("q")  # the line of every row kept, for the duplicate-word error

        def first_line(word: str) -> int:
            kept = (collector.words if collector is not None else []) + chunk_words
            return row_lines[kept.index(word)]

        guard = _DuplicateGuard(path, report, first_line)
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
        glove_unk = False
        while True:
            bound = _max_line_bytes(MAX_DIM if dim is None else dim)
            if line_no == 0:
                bound = max(bound, 4096)  # the header line
            try:
                raw = reader.readline(bound + 1)
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise VectorFileError(path, f"corrupt compressed data ({exc})") from None
            if not raw:
                break
            if len(raw) > bound:
                allows = (
                    f"{dim:,} values allow at most {bound:,}"
                    if dim is not None
                    else f"no vector line is longer than {bound:,}"
                )
                raise VectorFileError(
                    path,
                    f"line at byte offset {offset:,} is longer than any vector line ({allows} "
                    "bytes); is this a vector file?",
                    line=line_no + 1,
                )
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
                    if limit is None or limit > count:
                        want = count
                    # an uncompressed file's size vouches for the header (checked above)
                    collector = _Rows(dim, (want or 0) + 1 if compression is None else None)
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
                collector = _Rows(dim)
            if len(parts) != dim + 1:
                raise VectorFileError(
                    path,
                    f"expected {dim + 1} fields (word + {dim} numbers), got {len(parts)}"
                    + _tab_hint(text),
                    line=line_no,
                )
            word = parts[0]
            if header is not None and n_read >= header[0]:
                if n_read == header[0] and word == _GLOVE_UNK and not glove_unk:
                    glove_unk = True  # Stanford GloVe's -write-header 1 does not count <unk>
                else:
                    raise VectorFileError(
                        path,
                        f"header says {_words(header[0])} but the file has more vector lines",
                        line=line_no,
                    )
            if guard.accept(word, line_no):
                row_lines.append(line_no)
                chunk_words.append(word)
                chunk_values.extend(parts[1:])
                chunk_lines.append(line_no)
                if len(chunk_words) >= _TEXT_BLOCK_ROWS:
                    flush()
            n_read += 1
            if want is not None and n_read >= want and (header is None or want < header[0]):
                break
        flush()
    if line_no == 0 or (collector is None):
        raise VectorFileError(path, "empty file: no vectors")
    if (
        header is not None
        and (limit is None or limit >= header[0])
        and n_read != header[0] + glove_unk
    ):
        raise VectorFileError(
            path, f"header says {_words(header[0])} but the file has {n_read:,} vector lines"
        )
    matrix = collector.finish()
    if len(collector.words) == 0:
        raise VectorFileError(path, "no vectors in file")
    if report is not None:
        report.compression = compression
    store = VectorStore(collector.words, matrix, path=path)
    if glove_unk:
        assert header is not None
        store.meta["notes"] = [
            f"header says {_words(header[0])}; also read the extra {_GLOVE_UNK} row after them "
            "(as Stanford GloVe writes with -write-header 1, and as gensim reads it)"
        ]
    return store


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


#: Codecs whose decoding of ``b" ".join(words)`` is the words' decodings joined by " " (byte 0x20
#: is never inside a multibyte character and no state carries over), so a block of words is
#: decoded with one call and split; other codecs decode word by word.
_SPLITTABLE_CODECS = frozenset(
    {"utf-8", "ascii", "iso8859-1", "cp1252", "gbk", "gb2312", "gb18030", "big5"}
)


def _decode_block(raws: list[bytes], joined: bytes, encoding: str) -> list[str] | None:
    """The words of ``raws`` (``joined`` is ``b" ".join(raws)``) decoded strictly, or None if one
    does not decode (the caller then decodes word by word, which raises, reports or replaces as
    asked)."""
    try:
        if codecs.lookup(encoding).name in _SPLITTABLE_CODECS:
            words = joined.decode(encoding).split(" ")
            return words if len(words) == len(raws) else None
        return [raw.decode(encoding) for raw in raws]
    except (UnicodeDecodeError, LookupError):
        return None


def _read_binary(
    path: Path,
    *,
    limit: int | None,
    encoding: str,
    unicode_errors: str,
    report: ReadReport | None,
    progress: ProgressCallback | None = None,
) -> VectorStore:
    """Read word2vec binary: ``COUNT DIM\\n`` then COUNT records ``word<space><DIM float32>``,
    each optionally followed by newlines.

    Speed: the records of each buffered chunk are only located in Python (one ``find`` of the
    space per record); their words are decoded with one call and checked for duplicates as a
    set, and their vectors copied into the final matrix with one NumPy gather. Anything unusual
    (a word that does not decode, a duplicate, a record cut by the end of the buffer or the
    file, a word longer than allowed) goes through the record-by-record path, which raises,
    reports or tolerates exactly as it always has.
    """
    f, compression, tick = _open_reading(path, progress)
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
        # the size of an uncompressed file vouches for the header; a compressed one grows its
        # matrix as rows arrive (in place: realloc), so a lying header allocates nothing
        step = max(_CHUNK_ROWS, _GROW_BYTES // row_bytes)
        capacity = want if compression is None else min(want, _CHUNK_ROWS)
        matrix = np.empty((capacity, dim), dtype="<f4")
        words: list[str] = []
        # without a report no record is skipped, so record i + 1 is row i
        guard = _DuplicateGuard(path, report, lambda word: words.index(word) + 1)
        chunk = max(_BINARY_CHUNK, 2 * (row_bytes + _MAX_WORD_BYTES))
        buf = b""
        pos = 0
        eof = False
        offset = len(first)  # file offset of buf[0]

        n = 0  # rows kept
        checked = 0  # rows checked for NaN/inf

        def refill() -> None:
            """Keep the unread tail of ``buf`` and append the next chunk of the file."""
            nonlocal buf, pos, eof, offset
            try:
                data = f.read(chunk)
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise VectorFileError(path, f"corrupt compressed data ({exc})") from None
            tick()
            if not data:
                eof = True
            offset += pos
            buf = buf[pos:] + data
            pos = 0

        def make_room(rows: int) -> None:
            """Grow the matrix (of a compressed file) to hold ``rows`` rows."""
            nonlocal capacity
            if rows <= capacity:
                return
            while capacity < rows:
                capacity = min(want, capacity + min(capacity, step))
            matrix.resize((capacity, dim), refcheck=False)

        def keep(word: str, start: int) -> None:
            """Append one row: ``word`` and the vector at ``buf[start:]``."""
            nonlocal n, checked
            make_room(n + 1)
            memoryview(matrix[n]).cast("B")[:] = buf[start : start + row_bytes]  # type: ignore[arg-type]
            words.append(word)
            n += 1
            if n - checked >= _CHUNK_ROWS:
                _check_rows_finite(path, matrix, words, checked, n)
                checked = n

        def keep_block(raws: list[bytes], spaces: list[int], first: int) -> None:
            """Keep records ``first + 1 ...``: ``raws[j]`` is a word, its vector follows the
            space at ``buf[spaces[j]]``."""
            nonlocal n, checked
            joined = b" ".join(raws)
            if b"\n" in joined or b"\r" in joined:  # newlines before a word are not part of it
                raws = [raw.lstrip(b"\n\r") for raw in raws]
                joined = b" ".join(raws)
            block = _decode_block(raws, joined, encoding)
            if block is not None and guard.accept_block(block, first + 1):
                k = len(block)
                make_room(n + k)
                u8 = np.frombuffer(buf, dtype=np.uint8)
                rows = np.lib.stride_tricks.as_strided(
                    u8, shape=(len(u8) - row_bytes + 1, row_bytes), strides=(1, 1), writeable=False
                )
                # one gather of all the block's vectors (rows[s] is the bytes from s on)
                matrix[n : n + k].view(np.uint8)[...] = rows[np.array(spaces, dtype=np.intp) + 1]
                del u8, rows
                words.extend(block)
                n += k
                if n - checked >= _CHUNK_ROWS:
                    _check_rows_finite(path, matrix, words, checked, n)
                    checked = n
                return
            for j, (raw, space) in enumerate(zip(raws, spaces, strict=True)):
                record = first + j + 1
                if block is not None:
                    word = block[j]
                else:
                    word_offset = offset + space - len(raw)
                    word = _decode(raw, path, record, word_offset, encoding, unicode_errors, report)
                if guard.accept(word, record):
                    keep(word, space + 1)

        i = 0  # records read
        window = _MAX_WORD_BYTES + 1
        while i < want:
            # the fast scan: locate records only, up to the next NaN/inf check (as if all kept)
            stop = min(want - i, _CHUNK_ROWS - (n - checked))
            raws: list[bytes] = []
            spaces: list[int] = []
            add_raw, add_space = raws.append, spaces.append
            find, end, p, k = buf.find, len(buf), pos, 0
            while p < end and buf[p] in b"\n\r":  # after a record the slow path took
                p += 1
            while k < stop:
                space = find(b" ", p, p + window)
                if space < 0:
                    break
                after = space + 1 + row_bytes
                if after > end:
                    break
                add_raw(buf[p:space])
                add_space(space)
                p = after
                k += 1
                if p < end and buf[p] == 10:  # the newline word2vec writes after a vector
                    p += 1
            if k:
                keep_block(raws, spaces, i)
                pos = p
                i += k
                if k == stop:
                    continue
            if i >= want:
                break
            # record by record: one record the scan could not take (or an error)
            if len(buf) - pos < row_bytes + _MAX_WORD_BYTES + 2 and not eof:
                refill()
            while pos < len(buf) and buf[pos] in b"\n\r":
                pos += 1
            space = buf.find(b" ", pos, pos + _MAX_WORD_BYTES + 1)
            if space < 0:
                if eof and len(buf) - pos <= _MAX_WORD_BYTES:
                    raise VectorFileError(
                        path,
                        f"truncated: header says {count:,} words but the file ends after {i:,}",
                    )
                raise VectorFileError(
                    path,
                    f"record {i + 1} at byte offset {offset + pos:,} has no word under "
                    f"{_MAX_WORD_BYTES:,} bytes; is this really word2vec binary?",
                )
            raw_word = buf[pos:space]
            word_offset = offset + pos
            pos = space + 1
            if len(buf) - pos < row_bytes:
                raise VectorFileError(
                    path,
                    f"truncated: vector {i + 1} of {count:,} "
                    f"({raw_word[:40].decode(encoding, 'replace')!r}) is cut short",
                )
            word = _decode(raw_word, path, i + 1, word_offset, encoding, unicode_errors, report)
            if guard.accept(word, i + 1):
                keep(word, pos)
            pos += row_bytes
            i += 1
        _check_rows_finite(path, matrix, words, checked, n)
        if limit is None or limit >= count:
            while True:
                rest = buf[pos:].lstrip(b" \t\r\n")
                if rest or eof:
                    break
                pos = len(buf)  # only blank space so far: drop it, read on (bounded)
                refill()
            if rest:
                raise VectorFileError(
                    path,
                    f"header says {_words(count)} but the file has more data after the last one "
                    f"(at byte {offset + len(buf) - len(rest):,})",
                )
    if n < capacity:
        matrix.resize((n, dim), refcheck=False)
    if want == 0:
        raise VectorFileError(path, "header says the file holds no vectors")
    if not words:
        raise VectorFileError(path, "no vectors in file")
    if report is not None:
        report.compression = compression
    return VectorStore(words, matrix, path=path)


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
