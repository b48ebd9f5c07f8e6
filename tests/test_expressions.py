"""Word arithmetic: parsing ``a - b + c`` lines, and answers equal to gensim and to analogies."""

import re

import numpy as np
import pytest

from embtool import similarity
from embtool.errors import UnknownWordsError, UsageError
from embtool.expressions import Expression, is_expression, parse_expression, solve


def parse(line: str) -> Expression:
    return parse_expression(line.split())


def test_parse_signed_terms_in_order():
    expr = parse("king - man + woman")
    assert expr.terms == ((1, "king"), (-1, "man"), (1, "woman"))
    assert expr.positive == ["king", "woman"] and expr.negative == ["man"]
    assert expr.as_analogy() == ("king", "man", "woman")
    assert str(expr) == "king - man + woman"


def test_parse_leading_sign_hyphenated_words_and_chinese():
    assert parse_expression(["-", "man", "+", "well-known"]).terms == (
        (-1, "man"),
        (1, "well-known"),
    )
    expr = parse("国王 - 男人 + 女人")
    assert expr.as_analogy() == ("国王", "男人", "女人")
    assert parse("woman + king - man").as_analogy() == ("woman", "man", "king")
    assert parse("king + queen").as_analogy() is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("king - - man", "two operators in a row"),
        ("king man - woman", "missing + or - between 'king' and 'man'"),
        ("king -", "an expression ends with a word"),
        ("+", "an expression ends with a word"),
    ],
)
def test_parse_errors_name_the_problem(line, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        parse_expression(line.split())


def test_is_expression_needs_an_operator_token():
    assert is_expression(["king", "-", "man"])
    assert not is_expression(["well-known"])
    assert not is_expression(["king"])


def test_solve_matches_gensim_most_similar(toy_store):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(toy_store.dim)
    kv.add_vectors(list(toy_store.words), np.asarray(toy_store.vectors))
    expr = parse("queen - woman + man - apple")
    got = solve(toy_store, expr, k=4)
    want = kv.most_similar(positive=["queen", "man"], negative=["woman", "apple"], topn=4)
    assert [n.word for n in got.answers] == [w for w, _ in want]
    assert [n.score for n in got.answers] == pytest.approx([s for _, s in want], abs=1e-5)


def test_solve_of_an_analogy_equals_analogies(toy_store):
    got = solve(toy_store, parse("king - man + woman"), k=3)
    [want] = similarity.analogies(toy_store, [["king", "man", "woman"]], 3).results
    assert [n.word for n in got.answers] == [n.word for n in want.answers]
    assert [n.score for n in got.answers] == pytest.approx(
        [n.score for n in want.answers], abs=1e-6
    )
    assert got.answers[0].word == "queen"


def test_solve_folds_case_and_names_every_unknown_word(toy_store):
    got = solve(toy_store, parse("King - man + woman"), k=1)
    assert got.words == ("king", "man", "woman")
    with pytest.raises(UnknownWordsError) as info:
        solve(toy_store, parse("kingg - mann + woman"))
    assert set(info.value.words) == {"kingg", "mann"}
