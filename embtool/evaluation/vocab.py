"""How benchmark words meet the vectors: case handling, the restricted vocabulary, OOV policies.

The rules are gensim's ``evaluate_word_analogies`` / ``evaluate_word_pairs`` (and the original
word2vec ``compute-accuracy``): only the first ``restrict`` words count as known; with case folding
every word is compared by its upper-case form, and a word's vector is that of the first (most
frequent) of its case variants among those words.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from embtool.vectors.store import VectorStore

DEFAULT_RESTRICT = 30_000  # the word2vec tool's suggestion for compute-accuracy


class CaseMode(str, Enum):
    """``fold``: compare words case-insensitively (gensim's ``case_insensitive=True``)."""

    fold = "fold"
    exact = "exact"


class AnalogyOOV(str, Enum):
    """Questions with a word outside the vocabulary: left out, or counted as wrong answers; or
    ``seen-abc``, Chinese-Word-Vectors' convention (Li et al. 2018, ``ana_eval_dense.py``): a
    question is seen when a, b and c are known, and a seen question whose answer d is unknown is
    answered wrong; accuracy = correct / seen."""

    skip = "skip"
    count_wrong = "count-wrong"
    seen_abc = "seen-abc"


class SimilarityOOV(str, Enum):
    """Pairs with an unknown word: left out; scored 0 (gensim's ``dummy4unknown``); or the unknown
    word replaced by the mean vector of the vocabulary (as in Jastrzebski et al.'s benchmarks)."""

    skip = "skip"
    zero = "zero"
    mean = "mean"


def effective_restrict(store: VectorStore, restrict: int | None) -> int:
    """How many leading words count: ``restrict`` capped at the vocabulary; None or 0: all."""
    return len(store) if restrict is None or restrict <= 0 else min(int(restrict), len(store))


class WordLookup:
    """Benchmark word -> row, over the first ``restrict`` words of a store, in a case mode.

    With ``subwords`` (and a store that has fastText n-grams), a question word that is not in the
    store at all gets the vector built from its n-grams (a row past the vocabulary); answers must
    still be vocabulary words, since only those can be found.
    """

    def __init__(
        self, store: VectorStore, restrict: int | None, case: CaseMode, subwords: bool = False
    ) -> None:
        self.store = store
        self.subwords = subwords and store.has_subwords
        self.case = CaseMode(case)
        self.size = effective_restrict(store, restrict)
        words = store.words[: self.size]
        keys = map(str.upper, reversed(words)) if self.case is CaseMode.fold else reversed(words)
        # built back to front, so the first (most frequent) of several variants wins
        self.rows: dict[str, int] = dict(zip(keys, range(self.size - 1, -1, -1)))

    def key(self, word: str) -> str:
        return word.upper() if self.case is CaseMode.fold else word

    def row(self, word: str) -> int | None:
        """The row of a question word (built from n-grams when allowed and not in the store)."""
        row = self.rows.get(self.key(word))
        if row is None and self.subwords and word not in self.store:
            row = self.store.oov_row(word)
        return row

    def answer_row(self, word: str) -> int | None:
        """The row of a word that must be in the (restricted) vocabulary: an answer."""
        return self.rows.get(self.key(word))

    def first_row(self, words: Iterable[str]) -> int | None:
        """Row of the first of ``words`` that is known (BATS lists alternatives)."""
        for w in words:
            r = self.rows.get(self.key(w))
            if r is not None:
                return r
        for w in words:
            r = self.row(w)
            if r is not None:
                return r
        return None

    def row_key(self, row: int) -> str:
        if row >= len(self.store.words):
            return self.key(self.store.oov_word(row) or "")
        return self.key(self.store.words[row])
