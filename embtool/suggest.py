"""Spelling suggestions for unknown words, from a flat text index of the vocabulary.

The index is the lower-cased vocabulary joined into one newline-separated string plus each word's
offset in it, built once per store in a few tens of milliseconds. Other-case forms of a word are
found by one substring search (``\\nparis\\n``); close spellings by searching the word's padded
trigrams (the newline is the padding), counting the words that share most of them, and ranking only
those few with difflib's ratio. A suggestion costs milliseconds on a 400k-word vocabulary, where a
difflib scan of every word cost ~0.4 s. Other-case forms (``paris`` -> ``Paris``) come first.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

import numpy as np

_SHORTLIST = 64  # candidates sharing most trigrams that difflib then ranks
_CUTOFF = 0.75  # difflib ratio a suggestion must reach (as difflib.get_close_matches)


class SuggestionIndex:
    """Case variants over the whole vocabulary; close spellings among the ``search`` first
    (most frequent) words."""

    def __init__(self, words: Sequence[str], search: int = 200_000) -> None:
        self._words = words
        self._search = min(search, len(words))
        self._text: str | None = None
        self._starts: np.ndarray | None = None

    def _build(self) -> tuple[str, np.ndarray]:
        if self._text is None or self._starts is None:
            text = ("\n" + "\n".join(self._words) + "\n").lower()
            # lengths from the lower-cased words: lower() may change a word's length
            lengths = np.fromiter(
                (len(w) + 1 for w in text[1:-1].split("\n")), np.int64, len(self._words)
            )
            self._starts = np.concatenate([[0], np.cumsum(lengths)])
            self._text = text
        return self._text, self._starts

    def _rows_at(self, positions: Sequence[int]) -> np.ndarray:
        _, starts = self._build()
        return np.searchsorted(starts, np.asarray(positions, dtype=np.int64), side="right") - 1

    def case_variants(self, word: str) -> list[str]:
        """Other-case forms of ``word`` in the vocabulary, in row order (most frequent first)."""
        if "\n" in word:
            return []
        text, _ = self._build()
        needle = f"\n{word.lower()}\n"
        found, pos = [], text.find(needle)
        while pos >= 0:
            found.append(pos)
            pos = text.find(needle, pos + 1)
        return [w for w in (self._words[r] for r in self._rows_at(found)) if w != word]

    def close_spellings(self, word: str, n: int = 3) -> list[str]:
        """Up to ``n`` words spelled like ``word`` (difflib ratio >= 0.75 ignoring case, length
        within 2)."""
        if "\n" in word or not word:
            return []
        text, starts = self._build()
        text = text[: int(starts[self._search]) + 1]
        padded = f"\n{word.lower()}\n"
        hits = []
        for g in {padded[i : i + 3] for i in range(len(padded) - 2)}:
            positions = [m.start() for m in re.finditer(re.escape(g), text)]
            if positions:
                hits.append(np.unique(self._rows_at(positions)))
        if not hits:
            return []
        rows, shared = np.unique(np.concatenate(hits), return_counts=True)
        size = len(word)
        order = np.lexsort((rows, -shared))
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word.lower())  # case is not a spelling difference
        scored, seen = [], 0
        for r in rows[order].tolist():
            cand = self._words[r]
            if abs(len(cand) - size) > 2 or cand == word:
                continue
            seen += 1
            if seen > _SHORTLIST:
                break
            matcher.set_seq1(cand.lower())
            if matcher.real_quick_ratio() >= _CUTOFF and matcher.quick_ratio() >= _CUTOFF:
                ratio = matcher.ratio()
                if ratio >= _CUTOFF:
                    scored.append((-ratio, r, cand))
        return [c for _, _, c in sorted(scored)[:n]]

    def suggest(self, words: Iterable[str], n: int = 3) -> dict[str, list[str]]:
        """Suggestions per word: case variants first, then close spellings; words with none are
        left out."""
        out: dict[str, list[str]] = {}
        for w in words:
            found = self.case_variants(w)
            found += [c for c in self.close_spellings(w, n) if c not in found]
            if found:
                out[w] = found[:n]
        return out
