"""Where query words come from: the command line, or stdin (``-`` or a pipe), one query a line."""

import contextlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from embtool.bias.wordsets import read_pairs_file, split_pair
from embtool.errors import EmbtoolError, UnknownWordsError, UsageError, quote_words
from embtool.vectors.files import looks_like_gbk


def read_stdin() -> str:
    """All of stdin as text, decoded strictly in its encoding; a UTF-8 byte-order mark is dropped.

    Raises: UsageError naming the first line that does not decode (never a traceback).
    """
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text-only stream (tests, embedding)
        return sys.stdin.read().removeprefix("\ufeff")
    encoding = sys.stdin.encoding or "utf-8"
    data = buffer.read()
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line_no = data.count(b"\n", 0, exc.start) + 1
        line = data.split(b"\n")[line_no - 1]
        source = (
            "gb18030 -t utf-8: the bytes read as Chinese GBK"
            if looks_like_gbk(line)
            else "latin1 -t utf-8"
        )
        raise UsageError(
            f"stdin line {line_no} is not {encoding} text; convert it first (e.g. iconv -f {source})"
        ) from None


def stdin_numbered_lines() -> list[tuple[int, str]]:
    """(line number, text) of the non-blank lines of stdin, without ``#`` comment lines."""
    lines = []
    for n, line in enumerate(read_stdin().splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append((n, line))
    return lines


def stdin_lines() -> list[str]:
    """Non-blank lines of stdin, without ``#`` comment lines."""
    return [line for _, line in stdin_numbered_lines()]


def wants_stdin(args: Sequence[str] | None) -> bool:
    """True for ``-`` or for no arguments with a pipe on stdin.

    Raises: UsageError for no arguments with a terminal on stdin (never wait silently).
    """
    if args and list(args) == ["-"]:
        return True
    if args:
        return False
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError(
            "no words given: pass them as arguments, or pipe queries on stdin (or '-')"
        )
    return True


def read_queries(
    args: Sequence[str] | None, *, arity: int | None, what: str
) -> tuple[list[list[str]], bool]:
    """Queries from the arguments (one query) or stdin (one a line); returns (queries, batch?).

    ``arity`` is the number of words a query needs (None: any number, at least one).
    Raises: UsageError.
    """
    queries, _, batch = read_numbered_queries(args, arity=arity, what=what)
    return queries, batch


def read_numbered_queries(
    args: Sequence[str] | None, *, arity: int | None, what: str
) -> tuple[list[list[str]], list[int], bool]:
    """:func:`read_queries` plus each query's input line number (1 for the arguments).

    Raises: UsageError.
    """
    if wants_stdin(args):
        numbered = stdin_numbered_lines()
        queries = [line.split() for _, line in numbered]
        lines = [n for n, _ in numbered]
        if not queries:
            raise UsageError(f"no {what} queries on stdin")
        batch = True
    else:
        queries = [list(args or [])]
        lines = [1]
        batch = False
    if arity is not None:
        for n, q in zip(lines, queries, strict=True):
            if len(q) != arity:
                where = f"stdin line {n}" if batch else "arguments"
                raise UsageError(
                    f"{what} needs {arity} words, got {len(q):,} in {where}: {quote_words(q)}"
                )
    return queries, lines, batch


def read_words(args: Sequence[str] | None, *, what: str) -> tuple[list[str], bool]:
    """Single words from the arguments, or from stdin (one a line, or several separated by
    whitespace); returns (words, batch?)."""
    words, _, batch = read_numbered_words(args, what=what)
    return words, batch


def read_numbered_words(
    args: Sequence[str] | None, *, what: str
) -> tuple[list[str], list[int], bool]:
    """:func:`read_words` plus each word's input line number (1 for the arguments)."""
    if wants_stdin(args):
        numbered = [(n, w) for n, line in stdin_numbered_lines() for w in line.split()]
        if not numbered:
            raise UsageError(f"no {what} words on stdin")
        return [w for _, w in numbered], [n for n, _ in numbered], True
    words = list(args or [])
    return words, [1] * len(words), len(words) > 1


@contextlib.contextmanager
def skip_unknown_hint(batch: bool) -> Iterator[None]:
    """In batch mode, an unknown-word error also names ``--skip-unknown``, the way to carry on."""
    try:
        yield
    except UnknownWordsError as exc:
        if not batch:
            raise
        raise EmbtoolError(
            f"{exc}; pass --skip-unknown to skip such queries and answer the rest"
        ) from None


def parse_pairs(values: list[str] | None, path: Path | None) -> list[tuple[str, str]] | None:
    """Pairs from repeated ``--pair A:B`` values and a ``--pairs-file``; None when neither."""
    pairs = [split_pair(v, "--pair") for v in values or []]
    if path is not None:
        pairs += read_pairs_file(path)
    return pairs or None
