"""Opening vector files: one opener that decompresses gzip/bz2/xz by magic bytes (shared with the corpus reader), reads that turn corrupt data into VectorFileError, and encoding hints."""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import lzma
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from embtool.errors import EmbtoolError, OutputError, VectorFileError
from embtool.vectors.store import VectorStore


@dataclass
class ReadReport:
    """What a reader noticed but tolerated (filled in when the caller asks for leniency)."""

    duplicates: list[tuple[int, str]] = field(default_factory=list)
    undecodable: list[tuple[int, int]] = field(default_factory=list)
    header: tuple[int, int] | None = None
    compression: str | None = None
    format: str | None = None


def compression_of(head: bytes) -> str | None:
    """The compression ("gzip", "bz2", "xz") that the first bytes of a file announce, or None.

    bz2 needs its block-size digit too, so a text line starting "BZh" is not taken for one.
    """
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) >= 4 and head[3:4].isdigit():
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    return None


def decompressing(raw: IO[bytes], kind: str | None) -> IO[bytes]:
    """``raw`` read through the decompressor ``kind`` names (as :func:`compression_of` says)."""
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if kind == "bz2":
        return bz2.BZ2File(raw, "rb")  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(raw, "rb")  # type: ignore[return-value]
    return raw


Progress = Callable[[int, "int | None"], None]


"""Reader progress callback: ``(bytes of the file read so far, file size or None)``."""


def is_stream(path: str | Path) -> bool:
    """Is ``path`` a pipe, a device or a socket (``<(zcat f.gz)``, ``/dev/stdin``, a FIFO): readable
    once, front to back, with no size and no seeking?"""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def require_regular(path: Path, why: str) -> None:
    """Refuse a pipe or device where a seekable file is needed (instead of blocking on it).

    Raises: VectorFileError saying so.
    """
    if is_stream(path):
        raise VectorFileError(path, f"is a pipe or device, not a regular file; {why}")


class _Replay(io.RawIOBase):
    """A pipe whose first bytes were read ahead (to sniff its format), then handed out once as a
    stream from its first byte."""

    def __init__(self, raw: IO[bytes], head_size: int) -> None:
        self._raw = raw
        chunks = []
        got = 0
        while got < head_size:
            data = raw.read(head_size - got)
            if not data:
                break
            chunks.append(data)
            got += len(data)
        self.head = b"".join(chunks)
        self._pos = 0
        self.taken = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._pos < len(self.head):
            n = min(len(buffer), len(self.head) - self._pos)
            buffer[:n] = self.head[self._pos : self._pos + n]
            self._pos += n
            return n
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


_HEAD_SIZE = 65536
_streams: dict[str, _Replay] = {}


@contextlib.contextmanager
def reading_stream(path: Path) -> Iterator[None]:
    """While inside, ``path`` (a pipe) is read once: sniffing sees its first bytes, and the one
    reader that opens it gets the whole stream. Outside a pipe this does nothing."""
    if not is_stream(path):
        yield
        return
    try:
        raw = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below
    except OSError as exc:
        raise VectorFileError(path, f"cannot read: {exc.strerror or exc}") from None
    replay = _Replay(raw, _HEAD_SIZE)  # type: ignore[arg-type]
    _streams[str(path)] = replay
    try:
        yield
    finally:
        del _streams[str(path)]
        replay.close()


def open_binary(path: str | Path) -> tuple[IO[bytes], str | None]:
    """Open ``path`` for reading bytes, decompressing gzip/bz2/xz by magic number.

    Raises: VectorFileError when the file is missing or unreadable.
    """
    f, kind, _ = _open_raw(path)
    return f, kind


def _open_raw(path: str | Path) -> tuple[IO[bytes], str | None, IO[bytes]]:
    """Like :func:`open_binary`, also returning the underlying (compressed) file for progress."""
    p = Path(path)
    replay = _streams.get(str(p))
    if replay is not None:
        if replay.taken:
            raise VectorFileError(p, "is a pipe, which can be read only once")
        replay.taken = True
        stream: IO[bytes] = io.BufferedReader(replay)  # type: ignore[arg-type]
        kind = compression_of(replay.head[:6])
        return decompressing(stream, kind), kind, stream
    try:
        raw = open(p, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except FileNotFoundError:
        raise VectorFileError(p, "no such file") from None
    except IsADirectoryError:
        raise VectorFileError(p, "is a directory but not an embtool store") from None
    except OSError as exc:
        raise VectorFileError(p, f"cannot read: {exc.strerror or exc}") from None
    kind = compression_of(raw.peek(6)[:6])  # peek: a pipe cannot seek back
    return decompressing(raw, kind), kind, raw


def _read_head(path: Path, size: int = _HEAD_SIZE) -> tuple[bytes, str | None]:
    replay = _streams.get(str(path))
    if replay is not None and not replay.taken:  # a pipe: its first bytes, read ahead
        kind = compression_of(replay.head[:6])
        if kind is None:
            return replay.head[:size], None
        with contextlib.closing(decompressing(io.BytesIO(replay.head), kind)) as f:
            try:
                return f.read(size), kind
            except (OSError, EOFError, lzma.LZMAError):
                return b"", kind  # the head holds only part of the compressed stream
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
    """The ``encoding`` to suggest (backticked, for the CLI to show as a flag) for the line of ``path`` holding the undecodable byte at
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
    """The ``encoding`` to suggest for a line that did not decode: GBK for Chinese, else latin-1."""
    if codecs.lookup(encoding).name != "gb18030" and looks_like_gbk(raw):
        return "`encoding=gb18030` (the bytes read as Chinese GBK)"
    return "`encoding` (e.g. latin-1)"


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
                "`unicode_errors=replace|ignore`",
                line=line_no,
            ) from None
        if report is not None:
            report.undecodable.append((line_no, offset + exc.start))
        return raw.decode(encoding, "replace" if errors == "strict" else errors)
    except LookupError:
        raise VectorFileError(path, f"unknown encoding {encoding!r}") from None


def _words(n: int) -> str:
    return f"{n:,} word" if n == 1 else f"{n:,} words"


def _safe_readline(f: IO[bytes], path: Path, size: int = 4096) -> bytes:
    try:
        return f.readline(size)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise VectorFileError(path, f"corrupt compressed data ({exc})") from None


def _progress_reporter(path: Path, raw: IO[bytes], progress: Progress | None) -> Callable[[], None]:
    if progress is None:
        return lambda: None
    try:
        total: int | None = None if is_stream(path) else path.stat().st_size
    except OSError:
        total = None

    def tick() -> None:
        with contextlib.suppress(OSError, ValueError):
            progress(raw.tell(), total)

    return tick


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
