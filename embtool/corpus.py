"""Training text: files, directories and stdin streamed line by line, and the tokenizers.

A :class:`Corpus` names its sources (files, directories searched recursively for text files, ``-``
for stdin; ``.gz``/``.bz2``/``.xz`` decompressed by magic number) and a tokenizer. Iterating it
yields one list of tokens per non-empty line and can be repeated (stdin can be read only once).
:meth:`Corpus.prepare` reads the text once into a :class:`PreparedCorpus`: a tokenized UTF-8 file
(one line of space-separated tokens per input line) plus word counts, token totals and the sha256
of every input. That file is what gensim's fast ``corpus_file`` mode and the GloVe co-occurrence
counter read; when the input already is such a file (one plain UTF-8 file, ``whitespace``
tokenizer, case kept) it is used in place and no copy is made. A temporary file is deleted when the
prepared corpus is closed, whether training succeeded, failed or was interrupted.

Memory does not grow with corpus size beyond the word counts.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import hashlib
import io
import lzma
import os
import re
import sys
import tempfile
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO, Any

from embtool.errors import CorpusError, InvalidOptionError
from embtool.progress import ProgressCallback, ProgressEvent, Throttle
from embtool.vectors.files import compression_of, decompressing

STDIN = "-"
# gensim cuts longer lines into pieces of this many tokens (MAX_WORDS_IN_BATCH); so do our counts.
MAX_SENTENCE_TOKENS = 10_000
# Longer lines are written as pieces of this many tokens. gensim's corpus_file reader fills each
# 10,000-word batch with one line too many and drops what passes 10,000 kept words, so pieces of
# 10,000 would still lose up to half a long line; 1,000-token pieces lose nothing unless more than
# 91% of the words survive --sample and --min-count (e.g. --sample 0).
PIECE_TOKENS = 1_000
_BLOCK_BYTES = 1 << 22
_SNIFF_BYTES = 8192
_ASCII_WHITESPACE = b" \t\n\r\x0b\x0c"


# -- tokenizers ---------------------------------------------------------------------------------
class Tokenizer(str, Enum):
    """How lines are split into tokens."""

    regex = "regex"
    whitespace = "whitespace"
    jieba = "jieba"
    char = "char"

    @property
    def lowercases_by_default(self) -> bool:
        """``whitespace`` keeps already-tokenized text verbatim; the others lower-case."""
        return self is not Tokenizer.whitespace


# Han ideographs (with 々 and 〇) and Japanese kana: scripts written without spaces, one token each.
_SINGLE = "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{_SINGLE}]+")


_ONE_HAN = re.compile(f"[{_SINGLE}]")


def mostly_single_characters(words: Sequence[str], top: int = 1000) -> bool:
    """True when most of the ``top`` most frequent words are single Han/kana characters: Chinese
    or Japanese text split per character where word segmentation (jieba) may have been wanted."""
    head = words[:top]
    singles = sum(1 for w in head if len(w) == 1 and _ONE_HAN.match(w))
    return len(head) > 0 and singles > len(head) / 2


@functools.lru_cache(maxsize=1)
def _marks_class() -> str:
    """A regex class of the combining marks (Mn, Mc, Me): हिन्दी or e + U+0301 stay one word."""
    codes = [c for c in range(0x20000) if unicodedata.category(chr(c))[0] == "M"]
    codes += [c for c in range(0xE0100, 0xE01F0) if unicodedata.category(chr(c))[0] == "M"]
    ranges: list[tuple[int, int]] = []
    for c in codes:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


@functools.lru_cache(maxsize=1)
def word_pattern() -> re.Pattern[str]:
    """Words: runs of Unicode letters and digits (with their combining marks), inner apostrophes
    kept (``don't``), underscores and punctuation dropped; each Han character or kana a token."""
    letter = f"[^\\W_{_SINGLE}]"
    run = f"{letter}+(?:[{_marks_class()}]+{letter}*)*"
    return re.compile(f"{run}(?:'{run})*|[{_SINGLE}]")


def _regex_tokenizer(lower: bool) -> Callable[[str], list[str]]:
    findall = word_pattern().findall

    def tokenize(line: str) -> list[str]:
        if lower:
            line = line.lower()
        return findall(line.replace("\u2019", "'"))

    return tokenize


def _whitespace_tokenizer(lower: bool) -> Callable[[str], list[str]]:
    if lower:
        return lambda line: line.lower().split()
    return str.split


def _import_jieba() -> Any:
    try:
        import jieba  # type: ignore[import-not-found]
    except ImportError:
        raise CorpusError(
            "the jieba tokenizer needs the optional package jieba: "
            "pip install 'embtool[chinese]' (or pip install jieba), or use `tokenizer=char`"
        ) from None
    import logging

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading to stderr otherwise
    return jieba


def _jieba_tokenizer(lower: bool) -> Callable[[str], list[str]]:
    jieba = _import_jieba()
    words = _regex_tokenizer(lower)
    han_run = _HAN_RUN

    def tokenize(line: str) -> list[str]:
        # jieba segments the Han runs; everything else (English, digits) is split into words as
        # the regex tokenizer does, so that "don't" or "2019" survive mixed text intact.
        out: list[str] = []
        pos = 0
        for m in han_run.finditer(line):
            if m.start() > pos:
                out.extend(words(line[pos : m.start()]))
            out.extend(w for w in jieba.lcut(m.group(), HMM=True) if not w.isspace())
            pos = m.end()
        if pos < len(line):
            out.extend(words(line[pos:]))
        return out

    return tokenize


SCRIPT_CONVERSIONS = ("t2s", "s2t")


def make_script_converter(kind: str) -> Callable[[str], str]:
    """An OpenCC text converter: ``t2s`` (Traditional to Simplified) or ``s2t`` (and back).

    Raises: CorpusError for another name or when the optional package opencc is missing.
    """
    if kind not in SCRIPT_CONVERSIONS:
        raise InvalidOptionError("convert", "must be t2s or s2t", kind)
    try:
        import opencc  # type: ignore[import-not-found]
    except ImportError:
        raise CorpusError(
            f"`convert={kind}` needs the optional package opencc: pip install 'embtool[chinese]'"
        ) from None
    return opencc.OpenCC(kind).convert


_FACTORIES: dict[Tokenizer, Callable[[bool], Callable[[str], list[str]]]] = {
    Tokenizer.regex: _regex_tokenizer,
    Tokenizer.whitespace: _whitespace_tokenizer,
    Tokenizer.jieba: _jieba_tokenizer,
    # Han characters one by one, Latin/digit runs whole: the same word pattern as regex.
    Tokenizer.char: _regex_tokenizer,
}


def jieba_available() -> bool:
    """True when the optional package jieba can be imported (``embtool[chinese]``)."""
    import importlib.util

    return importlib.util.find_spec("jieba") is not None


def query_tokenizer(language: str) -> tuple[Tokenizer, bool]:
    """The tokenizer for sentences queried against vectors in ``language``, and whether it is a
    fallback: jieba for Chinese vectors (trained on jieba words), or character split when jieba
    is not installed (True: most Chinese words will then be unknown); regex otherwise."""
    if language != "zh":
        return Tokenizer.regex, False
    if jieba_available():
        return Tokenizer.jieba, False
    return Tokenizer.char, True


def make_tokenizer(
    kind: Tokenizer | str, *, lower: bool | None = None
) -> Callable[[str], list[str]]:
    """A function from one line of text to its tokens.

    ``lower=None`` uses the tokenizer's default (lower-case for all but ``whitespace``).
    Raises: CorpusError when ``jieba`` is asked for but not installed.
    """
    kind = Tokenizer(kind)
    if lower is None:
        lower = kind.lowercases_by_default
    return _FACTORIES[kind](lower)


def tokenize(
    text: str, kind: Tokenizer | str = Tokenizer.regex, *, lower: bool | None = None
) -> list[str]:
    """Tokens of ``text`` (all its lines).  Raises: CorpusError (missing jieba)."""
    tok = make_tokenizer(kind, lower=lower)
    return [t for line in text.split("\n") for t in tok(line)]


# -- sources ------------------------------------------------------------------------------------
def _looks_like_text(path: Path) -> bool:
    """No NUL byte in the first bytes of the content; a compressed file is judged by what it
    decompresses to, so a .gz of binary data is skipped as the binary file itself is."""
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
            kind = compression_of(head)
            if kind is not None:
                f.seek(0)
                with contextlib.closing(decompressing(f, kind)) as inner:  # type: ignore[arg-type]
                    head = inner.read(_SNIFF_BYTES)
    except (OSError, EOFError, lzma.LZMAError):
        return True  # let reading it report the problem
    return b"\x00" not in head


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _resolve_sources(paths: Sequence[str | Path]) -> tuple[list[str], list[str]]:
    """Expand directories into their text files; returns (files, skipped non-text files).

    Raises: CorpusError for a missing or unreadable path, or a directory without text files.
    """
    if not paths:
        raise CorpusError("no corpus given: pass files, directories or '-' for stdin")
    files: list[str] = []
    skipped: list[str] = []
    stdin_seen = False
    for given in paths:
        raw = str(given)
        if raw == STDIN:
            if stdin_seen:
                raise CorpusError("'-' (stdin) is given more than once")
            stdin_seen = True
            files.append(STDIN)
            continue
        p = Path(raw).expanduser()
        if p.is_dir():
            found: list[str] = []
            for root, dirs, names in os.walk(p, onerror=None):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith("."):
                        continue
                    fp = Path(root) / name
                    if not fp.is_file():
                        continue
                    if _looks_like_text(fp):
                        found.append(str(fp))
                    else:
                        skipped.append(str(fp))
            if not found:
                raise CorpusError(f"{p}: directory has no text files")
            files.extend(found)
        elif p.exists():
            if not p.is_file():
                raise CorpusError(f"{p}: not a regular file or directory")
            if not os.access(p, os.R_OK):
                raise CorpusError(f"{p}: cannot read (permission denied)")
            files.append(str(p))
        else:
            raise CorpusError(f"{p}: no such file or directory")
    return files, skipped


_SPACE = re.compile(rb"[ \t\r\x0b\x0c]")


def _piece_end(data: bytes) -> int:
    """Where to cut a line too long to hold: after its last ASCII space, else at a character
    boundary (never inside a UTF-8 sequence), so no token or character is split by the cut."""
    tail = data[-(1 << 16) :]
    for m in reversed(list(_SPACE.finditer(tail))):
        return len(data) - len(tail) + m.end()
    cut = len(data)
    while cut > len(data) - 4 and (data[cut - 1] & 0xC0) == 0x80:
        cut -= 1
    if (data[cut - 1] & 0xC0) == 0xC0:  # a lead byte whose continuation is not here yet
        cut -= 1
    return cut


class _HashingReader(io.RawIOBase):
    """Passes bytes through while hashing them and counting how many went by."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.nbytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self.raw.readinto(b)  # type: ignore[attr-defined]
        if n:
            self.sha256.update(memoryview(b)[:n])
            self.nbytes += n
        return n or 0

    def drain(self) -> None:
        while self.read(1 << 20):
            pass


@dataclass(frozen=True)
class SourceInfo:
    """What was read from one input: its path, sha256 of its bytes as stored, and what it held."""

    path: str
    sha256: str
    bytes: int
    compression: str | None
    lines: int
    tokens: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "compression": self.compression,
            "lines": self.lines,
            "tokens": self.tokens,
        }


class _Source:
    """One open input: decompressed, hashed, read in blocks that end at line boundaries."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = "<stdin>" if path == STDIN else path
        try:
            if path == STDIN:
                raw: IO[bytes] = sys.stdin.buffer
                self.size: int | None = None
            else:
                raw = open(path, "rb")  # noqa: SIM115 - closed in close()
                self.size = os.fstat(raw.fileno()).st_size
        except OSError as exc:
            raise CorpusError(f"{path}: cannot read ({_os_reason(exc)})") from None
        self._raw = raw
        self.tee = _HashingReader(raw)
        buffered = io.BufferedReader(self.tee, buffer_size=1 << 16)
        try:
            head = buffered.peek(6)[:6]
        except OSError as exc:
            self.close()
            raise CorpusError(f"{self.name}: cannot read ({_os_reason(exc)})") from None
        self.compression = compression_of(head)
        self.stream: IO[bytes] = decompressing(buffered, self.compression)  # type: ignore[arg-type]

    @property
    def bytes_read(self) -> int:
        return self.tee.nbytes

    def blocks(self) -> Iterator[tuple[int, int, bytes]]:
        """Yield ``(byte offset, line number, block)``; each block holds whole lines.

        Offsets and line numbers (1-based, of the block's first line) count decompressed bytes.
        Raises: CorpusError for corrupt compressed data or a read error.
        """
        carry = b""
        offset = 0
        line_no = 1
        first = True
        while True:
            try:
                chunk = self.stream.read(_BLOCK_BYTES)
            except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
                what = "corrupt or truncated compressed data" if self.compression else "read error"
                raise CorpusError(f"{self.name}: {what} ({exc})") from None
            if first:
                first = False
                if chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[3:]
                    offset = 3
            if not chunk:
                if carry:
                    yield offset, line_no, carry
                return
            data = carry + chunk if carry else chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) < _BLOCK_BYTES:
                    carry = data
                    continue
                cut = _piece_end(data)  # one huge line: read it in pieces, memory stays bounded
            block, carry = data[:cut], data[cut:]
            yield offset, line_no, block
            offset += len(block)
            line_no += block.count(b"\n")

    def finish(self) -> tuple[str, int]:
        """Hash whatever the decompressor left unread; returns (sha256 hex, bytes)."""
        with contextlib.suppress(OSError):
            self.tee.drain()
        return self.tee.sha256.hexdigest(), self.tee.nbytes

    def close(self) -> None:
        if self.path != STDIN:
            with contextlib.suppress(OSError):
                self._raw.close()


def _decode_error(
    name: str,
    compression: str | None,
    encoding: str,
    block: bytes,
    offset: int,
    line_no: int,
    exc: UnicodeDecodeError,
) -> CorpusError:
    at = offset + exc.start
    line = line_no + block.count(b"\n", 0, exc.start)
    where = "byte offset" if compression is None else "byte offset (decompressed)"
    bad = block[exc.start : exc.start + 4]
    return CorpusError(
        f"{name}: cannot decode as {encoding} at {where} {at} (line {line}, bytes {bad!r}); "
        "pass `encoding` (e.g. latin-1) or `errors=replace|ignore`"
    )


def _decode(
    source: _Source, block: bytes, offset: int, line_no: int, encoding: str, errors: str
) -> str:
    try:
        return block.decode(encoding, errors)
    except UnicodeDecodeError as exc:
        raise _decode_error(
            source.name, source.compression, encoding, block, offset, line_no, exc
        ) from None


def _split_lines(text: str) -> list[str]:
    """Lines split at ``\n`` only (not at the other characters ``str.splitlines`` breaks on)."""
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _sentences(n_tokens: int) -> int:
    return -(-n_tokens // PIECE_TOKENS)


# -- the corpus ---------------------------------------------------------------------------------
class Corpus:
    """Files, directories and/or stdin, read line by line through a tokenizer.

    Iterating yields one token list per non-empty line, and may be repeated (except over stdin).
    Raises (on construction): CorpusError for a missing or unreadable path, a directory without text
    files, an unknown encoding, or a missing optional tokenizer.
    """

    def __init__(
        self,
        paths: Sequence[str | Path],
        *,
        tokenizer: Tokenizer | str = Tokenizer.regex,
        lower: bool | None = None,
        encoding: str = "utf-8",
        errors: str = "strict",
        convert: str | None = None,
    ) -> None:
        self.tokenizer = Tokenizer(tokenizer)
        self.lower = self.tokenizer.lowercases_by_default if lower is None else lower
        try:
            self.encoding = codecs.lookup(encoding).name
        except LookupError:
            raise CorpusError(f"unknown encoding {encoding!r} (`encoding`)") from None
        if errors not in ("strict", "replace", "ignore"):
            raise InvalidOptionError("errors", "must be strict, replace or ignore", errors)
        self.errors = errors
        self.files, self.skipped = _resolve_sources(paths)
        self.paths = [str(p) for p in paths]
        self._tokenize = make_tokenizer(self.tokenizer, lower=self.lower)
        self.convert = convert
        self._convert = make_script_converter(convert) if convert else None
        self._stdin_used = False

    def __repr__(self) -> str:
        return f"Corpus({self.files!r}, tokenizer={self.tokenizer.value!r}, lower={self.lower})"

    def _open(self, path: str) -> _Source:
        if path == STDIN:
            if self._stdin_used:
                raise CorpusError(
                    "stdin can be read only once; prepare() the corpus and iterate the prepared one"
                )
            self._stdin_used = True
        return _Source(path)

    def describe(self) -> dict[str, Any]:
        """How the text is read, for a store's metadata."""
        return {
            "paths": self.paths,
            "tokenizer": self.tokenizer.value,
            "lowercase": self.lower,
            "encoding": self.encoding,
            "errors": self.errors,
            **({"convert": self.convert} if self.convert else {}),
        }

    def _texts(self, source: _Source) -> Iterator[str]:
        convert = self._convert
        for offset, line_no, block in source.blocks():
            text = _decode(source, block, offset, line_no, self.encoding, self.errors)
            yield convert(text) if convert is not None else text

    def lines(self) -> Iterator[str]:
        """The decoded lines of every source, in order (without line ends)."""
        for path in self.files:
            source = self._open(path)
            try:
                for text in self._texts(source):
                    for line in _split_lines(text):
                        yield line.rstrip("\r")
            finally:
                source.close()

    def __iter__(self) -> Iterator[list[str]]:
        tok = self._tokenize
        for line in self.lines():
            tokens = tok(line)
            if tokens:
                yield tokens

    # -- one pass into a tokenized file ---------------------------------------------------------
    def _in_place_candidate(self) -> bool:
        if len(self.files) != 1 or self.files[0] == STDIN:
            return False
        if self.tokenizer is not Tokenizer.whitespace or self.lower or self.convert:
            return False
        if self.encoding not in ("utf-8", "ascii"):
            return False
        with open(self.files[0], "rb") as f:
            head = f.read(6)
        return compression_of(head) is None and not head.startswith(codecs.BOM_UTF8)

    def prepare(
        self, *, tmp_dir: str | Path | None = None, progress: ProgressCallback | None = None
    ) -> PreparedCorpus:
        """Read everything once: count words, hash inputs and write the tokenized text.

        Use the result as a context manager; closing it deletes its temporary file.
        Raises: CorpusError (unreadable or undecodable input, or no tokens at all).
        """
        if self._in_place_candidate():
            prepared = self._count_in_place(progress)
            if prepared is not None:
                return prepared
        return self._tokenize_to_file(tmp_dir, progress)

    def _total_bytes(self) -> int | None:
        sizes = []
        for path in self.files:
            if path == STDIN:
                return None
            try:
                sizes.append(os.path.getsize(path))
            except OSError:
                return None
        return sum(sizes)

    def _count_in_place(self, progress: ProgressCallback | None) -> PreparedCorpus | None:
        """Count an already-tokenized plain UTF-8 file without copying it.

        Returns None when the file is not usable in place as gensim would read it (undecodable
        bytes being tolerated, or Unicode spaces that gensim's ASCII split would not split on).
        """
        start = time.perf_counter()
        path = self.files[0]
        source = self._open(path)
        counts: Counter[bytes] = Counter()
        lines = tokens = sentences = 0
        report = _Reporter(progress, self._total_bytes())
        try:
            for offset, line_no, block in source.blocks():
                try:
                    block.decode("utf-8", "strict")
                except UnicodeDecodeError as exc:
                    if self.errors == "strict":
                        raise _decode_error(
                            source.name, None, self.encoding, block, offset, line_no, exc
                        ) from None
                    return None
                for line in block.split(b"\n"):
                    toks = line.split()
                    if toks:
                        n = len(toks)
                        if n > PIECE_TOKENS:
                            return None  # gensim would drop tokens of it: write it in pieces
                        lines += 1
                        tokens += n
                        sentences += _sentences(n)
                        counts.update(toks)
                report(source.bytes_read)
            sha, nbytes = source.finish()
        finally:
            source.close()
        words: dict[str, int] = {}
        for key, count in counts.items():
            word = key.decode("utf-8")
            if len(word.split()) != 1:
                return None  # holds a Unicode space: str.split() and gensim would disagree
            words[word] = count
        report(nbytes, final=True)
        info = SourceInfo(path, sha, nbytes, None, lines, tokens)
        return PreparedCorpus._make(
            self, Path(path), False, words, [info], sentences, time.perf_counter() - start
        )

    def _tokenize_to_file(
        self, tmp_dir: str | Path | None, progress: ProgressCallback | None
    ) -> PreparedCorpus:
        start = time.perf_counter()
        from embtool.atomic import scratch_dir, scratch_prefix

        where = scratch_dir(tmp_dir)
        try:
            prefix = scratch_prefix("embtool-corpus", where)
            fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=where)
        except OSError as exc:
            raise CorpusError(
                f"cannot create a temporary file in {where} ({_os_reason(exc)}); pass `tmp_dir`"
            ) from None
        tmp = Path(tmp_name)
        try:
            prepared = self._write_tokens(fd, tmp, progress, start)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            from embtool.atomic import disk_full_error, is_disk_full

            if is_disk_full(exc):
                raise disk_full_error(f"{tmp} (the tokenized corpus; `tmp_dir`)") from None
            raise
        return prepared

    def _write_tokens(
        self, fd: int, tmp: Path, progress: ProgressCallback | None, start: float
    ) -> PreparedCorpus:
        tok = self._tokenize
        counts: Counter[str] = Counter()
        infos: list[SourceInfo] = []
        sentences = split = 0
        report = _Reporter(progress, self._total_bytes())
        done_before = 0
        with open(fd, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
            for path in self.files:
                source = self._open(path)
                lines = tokens = 0
                try:
                    for text in self._texts(source):
                        rows: list[str] = []
                        for line in _split_lines(text):
                            toks = tok(line)
                            if toks:
                                n = len(toks)
                                lines += 1
                                tokens += n
                                sentences += _sentences(n)
                                counts.update(toks)
                                if n > PIECE_TOKENS:
                                    split += 1
                                    rows.extend(
                                        " ".join(toks[i : i + PIECE_TOKENS])
                                        for i in range(0, n, PIECE_TOKENS)
                                    )
                                else:
                                    rows.append(" ".join(toks))
                        if rows:
                            rows.append("")
                            out.write("\n".join(rows))
                        report(done_before + source.bytes_read)
                    sha, nbytes = source.finish()
                finally:
                    source.close()
                done_before += nbytes
                infos.append(
                    SourceInfo(source.name, sha, nbytes, source.compression, lines, tokens)
                )
        report(done_before, final=True)
        prepared = PreparedCorpus._make(
            self, tmp, True, dict(counts), infos, sentences, time.perf_counter() - start
        )
        prepared.n_split_lines = split
        return prepared


class _Reporter:
    """Read progress in bytes, a few events per second."""

    def __init__(self, progress: ProgressCallback | None, total: int | None) -> None:
        self.progress = None if progress is None else Throttle(progress)
        self.total = total

    def __call__(self, done: int, final: bool = False) -> None:
        if self.progress is not None:
            total = done if final else self.total
            self.progress(ProgressEvent("read", done, total, "bytes", final=final))


class PreparedCorpus:
    """A corpus read once: a tokenized UTF-8 file plus its word counts and totals.

    ``path`` holds one line of space-separated tokens per non-empty input line. ``counts`` maps
    each word to its frequency, in order of first occurrence. Iterating yields token lists again (as
    often as needed). Use as a context manager: leaving it deletes a temporary ``path``.
    Raises (on creation): CorpusError when the corpus holds no tokens.
    """

    path: Path
    temporary: bool
    counts: dict[str, int]
    sources: list[SourceInfo]
    n_tokens: int
    n_lines: int
    n_sentences: int
    n_split_lines: int
    read_seconds: float
    corpus: Corpus

    @classmethod
    def _make(
        cls,
        corpus: Corpus,
        path: Path,
        temporary: bool,
        counts: dict[str, int],
        sources: list[SourceInfo],
        sentences: int,
        seconds: float,
    ) -> PreparedCorpus:
        self = cls.__new__(cls)
        self.corpus = corpus
        self.path = path
        self.temporary = temporary
        self.counts = counts
        self.sources = sources
        self.n_tokens = sum(s.tokens for s in sources)
        self.n_lines = sum(s.lines for s in sources)
        self.n_sentences = sentences
        self.read_seconds = seconds
        self.n_split_lines = 0
        if self.n_tokens == 0:
            self.close()
            names = ", ".join(s.path for s in sources[:3]) + (" ..." if len(sources) > 3 else "")
            raise CorpusError(
                f"corpus is empty: no tokens in {names} (tokenizer {corpus.tokenizer.value})"
            )
        return self

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        progress: ProgressCallback | None = None,
        tmp_dir: str | Path | None = None,
    ) -> PreparedCorpus:
        """An already-tokenized file (space-separated tokens, one unit per line), used as it is."""
        return Corpus([path], tokenizer=Tokenizer.whitespace, lower=False).prepare(
            progress=progress, tmp_dir=tmp_dir
        )

    def __enter__(self) -> PreparedCorpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the temporary tokenized file (a no-op for a file used in place)."""
        if self.temporary:
            with contextlib.suppress(OSError):
                self.path.unlink()

    def __iter__(self) -> Iterator[list[str]]:
        with open(self.path, encoding="utf-8", newline="\n") as f:
            for line in f:
                tokens = line.split()
                if tokens:
                    yield tokens

    def most_common(self, n: int | None = None) -> list[tuple[str, int]]:
        """Words by descending count; ties in order of first occurrence."""
        return Counter(self.counts).most_common(n)

    @property
    def n_types(self) -> int:
        return len(self.counts)

    def describe(self) -> dict[str, Any]:
        """Where the text came from and what it held, for a store's metadata."""
        return {
            **self.corpus.describe(),
            "files": [s.as_dict() for s in self.sources],
            "tokens": self.n_tokens,
            "lines": self.n_lines,
            "types": self.n_types,
            "read_seconds": round(self.read_seconds, 3),
            "tokenized_in_place": not self.temporary,
            "lines_split": self.n_split_lines,
            "piece_tokens": PIECE_TOKENS,
        }


def prepare_corpus(
    paths: Iterable[str | Path],
    *,
    tokenizer: Tokenizer | str = Tokenizer.regex,
    lower: bool | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    convert: str | None = None,
    tmp_dir: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> PreparedCorpus:
    """``Corpus(paths, ...).prepare(...)`` in one call.  Raises: CorpusError."""
    corpus = Corpus(
        list(paths),
        tokenizer=tokenizer,
        lower=lower,
        encoding=encoding,
        errors=errors,
        convert=convert,
    )
    return corpus.prepare(tmp_dir=tmp_dir, progress=progress)
