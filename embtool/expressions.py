"""Word arithmetic typed as an expression: ``king - man + woman``, ``国王 - 男人 + 女人``.

:func:`parse_expression` turns the tokens of such a line into signed terms; :func:`solve` answers
any expression with the words nearest the mean of the terms' signed unit vectors (gensim's
``most_similar(positive, negative)``, i.e. 3CosAdd), the query words excluded. An expression of
two added words and one subtracted is an analogy, and ``embtool shell`` answers it with
:func:`embtool.similarity.analogies` so the answer is exactly ``embtool analogy``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from embtool.errors import UsageError
from embtool.similarity import Neighbor, most_similar
from embtool.vectors.store import VectorStore

OPERATORS = ("+", "-")


@dataclass(frozen=True)
class Expression:
    """Signed terms in the order typed: ``(+1, "king"), (-1, "man"), (+1, "woman")``."""

    terms: tuple[tuple[int, str], ...]

    @property
    def positive(self) -> list[str]:
        return [w for s, w in self.terms if s > 0]

    @property
    def negative(self) -> list[str]:
        return [w for s, w in self.terms if s < 0]

    def as_analogy(self) -> tuple[str, str, str] | None:
        """``(a, b, c)`` for a - b + c (two words added, one subtracted, in any order), else None."""
        pos, neg = self.positive, self.negative
        if len(pos) == 2 and len(neg) == 1:
            return (pos[0], neg[0], pos[1])
        return None

    def __str__(self) -> str:
        text = " ".join(f"{'+' if s > 0 else '-'} {w}" for s, w in self.terms)
        return text.removeprefix("+ ")


def is_expression(tokens: Sequence[str]) -> bool:
    """True when the tokens contain a ``+`` or ``-`` operator token."""
    return any(t in OPERATORS for t in tokens)


def parse_expression(tokens: Sequence[str]) -> Expression:
    """Signed terms of ``word (+|-) word ...`` (a leading sign is allowed; operators are tokens of
    their own, so ``well-known`` stays one word).  Raises: UsageError for a misplaced operator."""
    terms: list[tuple[int, str]] = []
    sign: int | None = None
    for token in tokens:
        if token in OPERATORS:
            if sign is not None:
                raise UsageError(f"two operators in a row in {' '.join(tokens)!r}")
            sign = 1 if token == "+" else -1
            continue
        if sign is None and terms:
            raise UsageError(
                f"missing + or - between {terms[-1][1]!r} and {token!r} in {' '.join(tokens)!r}"
            )
        terms.append((1 if sign is None else sign, token))
        sign = None
    if sign is not None or not terms:
        raise UsageError(
            f"an expression ends with a word, e.g. king - man + woman; got {' '.join(tokens)!r}"
        )
    return Expression(tuple(terms))


@dataclass(frozen=True)
class ArithmeticResult:
    """The answers to an expression; ``words`` are its terms as matched in the vectors."""

    expression: Expression
    words: tuple[str, ...]
    answers: tuple[Neighbor, ...]


def solve(
    store: VectorStore, expression: Expression, k: int = 5, *, fold_case: bool = True
) -> ArithmeticResult:
    """The ``k`` words nearest the mean of the signed unit vectors of the expression's terms,
    the terms themselves excluded.  Raises: UnknownWordsError (every unknown word, with
    suggestions), UsageError."""
    resolved = store.resolve([w for _, w in expression.terms], fold_case=fold_case)
    words = [r.word for r in resolved]
    signs = [s for s, _ in expression.terms]
    pos = [w for s, w in zip(signs, words) if s > 0]
    neg = [w for s, w in zip(signs, words) if s < 0]
    answers = most_similar(store, pos, neg, topn=k)
    return ArithmeticResult(
        expression, tuple(words), tuple(Neighbor(w, score) for w, score in answers)
    )
