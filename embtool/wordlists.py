"""The one reader of user word files: word lists, pairs and groups, for every command.

Rules, the same everywhere: UTF-8 with an optional byte-order mark (Windows Notepad writes one),
blank lines and lines starting with ``#`` skipped, surrounding whitespace ignored. Every problem is
a ``WordListError`` naming the file (and the line), so every command gives it one exit code.
"""

from __future__ import annotations

import re
from pathlib import Path

from embtool.errors import WordListError

# full-width ：and ，are what a Chinese keyboard types
PAIR_SEPARATORS = (":", "：", ",", "，", "/")


def read_text(path: str | Path, what: str = "word-list") -> str:
    """The file's text, BOM removed.  Raises: WordListError (missing, a directory, not UTF-8)."""
    p = Path(path)
    try:
        return p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise WordListError(f"{p}: no such {what} file") from None
    except IsADirectoryError:
        raise WordListError(f"{p}: is a directory, not a {what} file") from None
    except UnicodeDecodeError as exc:
        raise WordListError(
            f"{p}: cannot read {what} file: not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None
    except OSError as exc:
        raise WordListError(f"{p}: cannot read {what} file ({exc.strerror or exc})") from None


def content_lines(text: str) -> list[tuple[int, str]]:
    """(line number, stripped line) for each line that is neither blank nor a ``#`` comment."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append((n, line))
    return out


def read_lines(path: str | Path, what: str = "word-list") -> list[tuple[int, str]]:
    """The content lines of a file, numbered.  Raises: WordListError."""
    return content_lines(read_text(path, what))


def words_in(text: str) -> list[str]:
    """The whitespace-separated words of the content lines of ``text`` (stdin, a file)."""
    return [w for _, line in content_lines(text.removeprefix("\ufeff")) for w in line.split()]


def read_word_list(path: str | Path) -> tuple[str, ...]:
    """Words of a file (whitespace-separated, any number a line), first occurrence kept.

    Raises: WordListError when the file is missing, unreadable or has no words.
    """
    words = words_in(read_text(path))
    if not words:
        raise WordListError(f"{path}: word list is empty (expected one word per line)")
    return tuple(dict.fromkeys(words))


def split_pair(value: str) -> tuple[str, str] | None:
    """``she:he``, ``she,he``, ``she/he`` or ``she he`` -> (she, he); None when not a pair."""
    for sep in PAIR_SEPARATORS:
        if sep in value:
            parts = [p.strip() for p in value.split(sep)]
            break
    else:
        parts = value.split()
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """Pairs from a file, one ``A B`` (or ``A:B``) a line.  Raises: WordListError."""
    pairs = []
    for n, line in read_lines(path, "pairs"):
        pair = split_pair(line)
        if pair is None:
            raise WordListError(f"{path} line {n}: expected a pair like she:he, got {line!r}")
        pairs.append(pair)
    if not pairs:
        raise WordListError(f"{path}: no pairs in the file (expected one 'A B' pair per line)")
    return pairs


def read_group_lines(path: str | Path) -> dict[str, list[str]]:
    """Groups from ``word<TAB>group`` lines (an optional ``word<TAB>group`` header skipped).

    Raises: WordListError.
    """
    groups: dict[str, list[str]] = {}
    for n, line in read_lines(path, "groups"):
        fields = [f.strip() for f in re.split(r"\t", line)]
        if len(fields) < 2 or not fields[0] or not fields[1]:
            raise WordListError(f"{path} line {n}: expected word<TAB>group")
        if n == 1 and fields[:2] == ["word", "group"]:
            continue
        groups.setdefault(fields[1], []).append(fields[0])
    return groups
