"""Typed errors raised by the library; the CLI turns each into one line on stderr and an exit code.

The library never prints or exits: it raises one of these, naming every problem it found at once.
Errors carry facts, not command-line wording: a setting is named by its Python parameter name in
backticks (`` `min_count` ``, `` `allow_pickle=True` ``), which ``embtool.cli.errors`` rewrites into
the flag (``--min-count``, ``--allow-pickle``); each error has a :class:`Category`, which the CLI
maps to an exit status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path

#: A parameter named in a message: `` `name` `` or `` `name=value` `` (Python parameter names).
OPTION_MENTION = re.compile(r"`([a-z][a-z0-9_]*)(?:=([^`]*))?`")


class Category(str, Enum):
    """What kind of failure an error is; the CLI chooses the exit status from it."""

    FAILURE = "failure"  # bad or missing input, failed training, unknown words, ...
    USAGE = "usage"  # the request itself: wrong arguments, settings out of range


#: How much of a user's input an error message quotes (a 10,000-word line is not repeated back).
QUOTE_CHARS = 120
#: How many words an error message lists before saying how many more there are.
QUOTE_WORDS = 10


def quote_input(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` as an error message quotes it: whole when short, else its start, an ellipsis and
    its full length, so that a message about a huge input line stays one readable line."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def quote_words(words: Sequence[str], limit: int = QUOTE_CHARS) -> str:
    """Words joined by spaces, as a message quotes a query (see :func:`quote_input`)."""
    return quote_input(" ".join(words), limit)


class EmbtoolError(Exception):
    """Base class of every error embtool reports to a user as one line."""

    category: Category = Category.FAILURE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    @property
    def options(self) -> tuple[str, ...]:
        """The Python parameter names this message mentions (in backticks), in order, once each."""
        return tuple(dict.fromkeys(m.group(1) for m in OPTION_MENTION.finditer(self.message)))


class UsageError(EmbtoolError):
    """The request itself is malformed (wrong number of words, conflicting options)."""

    category = Category.USAGE


class UnknownWordsError(EmbtoolError):
    """One or more query words are not in the vectors; carries close-match suggestions."""

    def __init__(
        self,
        words: Sequence[str],
        suggestions: Mapping[str, Sequence[str]] | None = None,
        vectors_name: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.words = list(dict.fromkeys(words))
        self.hint = hint
        self.suggestions = {w: list(s) for w, s in (suggestions or {}).items()}
        self.vectors_name = vectors_name
        n = len(self.words)
        where = f" ({vectors_name})" if vectors_name else ""
        parts = []
        for w in self.words[:QUOTE_WORDS]:
            shown = quote_input(w, 40)
            close = self.suggestions.get(w)
            if close:
                alts = " or ".join(repr(h) for h in close[:3])
                parts.append(f"{shown!r} (did you mean {alts}?)")
            else:
                parts.append(repr(shown))
        noun = "word" if n == 1 else "words"
        if n > QUOTE_WORDS:
            parts.append(f"and {n - QUOTE_WORDS:,} more")
        tail = f" ({hint})" if hint else ""
        super().__init__(f"{n:,} {noun} not in vectors{where}: " + ", ".join(parts) + tail)


class VectorFileError(EmbtoolError):
    """A vector file or store is missing, malformed or unsafe to read."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path} line {line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class TextNotVectorsError(VectorFileError):
    """A file given as vectors reads as plain text: say how to train vectors on it (the CLI names
    its ``train`` command instead of the Python function)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, self.phrase("use embtool.training.train(config, Corpus([path]))"))

    @staticmethod
    def phrase(how: str) -> str:
        """The reason, ending with ``how`` to train vectors on the text."""
        return f"looks like plain text, not vectors; to train vectors on it, {how}"


class CorpusError(EmbtoolError):
    """A training corpus is missing, unreadable, undecodable or empty."""


class TrainingError(EmbtoolError):
    """Training could not run or produced nothing usable."""


class BenchmarkError(EmbtoolError):
    """A benchmark name is unknown or a benchmark file is malformed."""


class BiasError(EmbtoolError):
    """A bias test or word list cannot be evaluated as asked."""


class UnknownWeatTestError(BiasError):
    """``name`` is not a bundled WEAT test; ``known`` lists them. The message points Python users
    to the loaders; the CLI points to its own ``--json`` option and word-list files instead."""

    PYTHON_OWN = "load your own with load_weat_tests() / weat_test_from_files()"

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = list(known)
        super().__init__(self.phrase(self.PYTHON_OWN))

    def phrase(self, own: str) -> str:
        """The message, ending with ``own``: how to give a test of one's own."""
        return (
            f"unknown WEAT test {self.name!r}; bundled tests: {', '.join(self.known)} "
            f"(or 1-10), or {own}"
        )


class WordListError(EmbtoolError):
    """A word-list, pairs or groups file is missing, unreadable or malformed (exit 1, every command)."""


class PlotError(EmbtoolError):
    """A plot cannot be drawn or written as asked."""


class DownloadError(EmbtoolError):
    """A pretrained vector set cannot be fetched, verified or converted."""


class UnknownVectorSetError(DownloadError):
    """``name`` is not a downloadable vector set; carries close names, or points to the catalogue
    (the CLI points to ``embtool download --list`` instead)."""

    PYTHON_LISTING = "embtool.pretrained.fetch_catalogue()"

    def __init__(self, name: str, reason: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.reason = reason
        self.suggestions = list(suggestions)
        super().__init__(self.phrase(self.PYTHON_LISTING))

    def phrase(self, listing: str) -> str:
        """The message, pointing to ``listing`` for the names when none is close."""
        if self.suggestions:
            alts = " or ".join(repr(c) for c in self.suggestions)
            return f"{self.reason} (did you mean {alts}?)"
        return f"{self.reason}; see: {listing}"


class OutputError(EmbtoolError):
    """An output path cannot be written."""


class OutputExistsError(OutputError):
    """An output path already exists and replacing it was not allowed; the CLI adds the flag."""

    def __init__(self, path: str | Path, what: str | None = None) -> None:
        self.path = str(path)
        self.what = what
        tail = f" ({what})" if what else ""
        super().__init__(f"{self.path} already exists{tail}")


class InvalidOptionError(UsageError):
    """A setting is out of range: ``option`` is the Python parameter name, ``need`` what it must be.

    Python users read ``min_count must be at least 1``; the CLI shows the flag (``--min-count``).
    ``need`` may name other settings in backticks (``must be between 0 and `alpha` ``); ``value``,
    when given, is the rejected value and is added as ``, got VALUE``.
    """

    def __init__(self, option: str, need: str, value: object = None) -> None:
        self.option = option
        self.need = need
        self.value = value
        super().__init__(self.phrase(option))

    def phrase(self, name: str) -> str:
        """The message with the setting called ``name`` (the CLI passes its flag)."""
        got = f", got {self.value!r}" if self.value is not None else ""
        return f"{name} {self.need}{got}"

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.option, *super().options)))


class CooccurrenceError(EmbtoolError):
    """A co-occurrence count cannot be made, read or reused as asked (corrupt file, other settings)."""


class AlignmentError(EmbtoolError):
    """Two vector spaces cannot be aligned or compared as asked (dimensions, anchors)."""
