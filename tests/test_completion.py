"""Prefix completion: exactly the words with the prefix, sorted, on any vocabulary."""

from hypothesis import given
from hypothesis import strategies as st

from embtool.completion import PrefixIndex

WORDS = ["queen", "Queen", "quee", "queens", "query", "北京", "北京大学", "北", "q", "", "apple"]


def test_prefix_matches_sorted_and_limited():
    index = PrefixIndex(WORDS)
    assert index.complete("quee") == ["quee", "queen", "queens"]
    assert index.complete("Q") == ["Queen"]
    assert index.complete("北京") == ["北京", "北京大学"]
    assert index.complete("zz") == []
    assert index.complete("q", limit=2) == ["q", "quee"]
    assert index.complete("", limit=None) == sorted(WORDS)


@given(st.lists(st.text(max_size=6), max_size=40), st.text(max_size=3))
def test_prefix_matches_equal_a_scan(words, prefix):
    index = PrefixIndex(words)
    assert index.complete(prefix, limit=None) == sorted(w for w in words if w.startswith(prefix))
