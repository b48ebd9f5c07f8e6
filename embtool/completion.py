"""Prefix completion over a vocabulary: the words that start with what was typed.

The vocabulary is sorted once (lazily, on the first completion: about half a second for 400k
words) and each completion is two binary searches, so a Tab press costs microseconds whatever the
vocabulary size. :class:`PrefixIndex` (exact case, code-point order) serves ``embtool shell``'s tab
completion; :class:`FrequentPrefixIndex` (any case, most frequent first) the web explorer's search.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np


class PrefixIndex:
    """The words of ``words`` that start with a prefix, in code-point order."""

    def __init__(self, words: Sequence[str]) -> None:
        self._words = words
        self._sorted: list[str] | None = None

    def _index(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self._words)
        return self._sorted

    def complete(self, prefix: str, limit: int | None = 200) -> list[str]:
        """Up to ``limit`` words (all with None) beginning with ``prefix``, sorted."""
        words = self._index()
        start = bisect.bisect_left(words, prefix)
        if not prefix:
            stop = len(words)
        else:
            # every word with this prefix sorts before prefix + the highest code point
            stop = bisect.bisect_left(words, prefix + "\U0010ffff", lo=start)
        if limit is not None:
            stop = min(stop, start + limit)
        return words[start:stop]


class FrequentPrefixIndex:
    """Words that start with a prefix ignoring case, most frequent (lowest row) first: the web
    explorer's search box. The lower-cased words are sorted once; a prefix is a contiguous range
    of that order, and its first rows come from one partial sort."""

    def __init__(self, words: Sequence[str]) -> None:
        self._words = words
        self._keys: np.ndarray | None = None
        self._rows: np.ndarray | None = None

    def _build(self) -> tuple[np.ndarray, np.ndarray]:
        if self._keys is None or self._rows is None:
            lower = np.array([w.lower() for w in self._words], dtype=object)
            order = np.argsort(lower, kind="stable")
            self._keys = lower[order].astype(str)
            self._rows = order.astype(np.int64)
        return self._keys, self._rows

    def complete(self, prefix: str, n: int = 10) -> list[str]:
        """Up to ``n`` words starting with ``prefix`` (case-insensitive), most frequent first."""
        if not prefix or n <= 0:
            return []
        keys, rows = self._build()
        low = prefix.lower()
        start = int(np.searchsorted(keys, low, side="left"))
        # every string with this prefix sorts below prefix + the highest code point
        stop = int(np.searchsorted(keys, low + "\U0010ffff", side="left"))
        hits = rows[start:stop]
        if len(hits) > n:
            hits = np.partition(hits, n - 1)[:n]
        return [self._words[r] for r in np.sort(hits).tolist()]
