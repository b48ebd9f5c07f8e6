"""RIPA, ECT and RND against direct computations from their definitions."""

import numpy as np
import pytest

from embtool.bias import ect, ripa, rnd
from embtool.errors import BiasError

ATTRS = ["nurse", "engineer", "doctor", "homemaker", "programmer"]


def test_ripa_closed_form(bias_store):
    r = ripa(bias_store, [("she", "he")], ["nurse", "homemaker", "programmer", "pilot"])
    # b = e0; RIPA uses the raw vectors: nurse = (3, 0, 0, 4) -> 3
    assert {s.word: s.value for s in r.words} == pytest.approx(
        {"nurse": 3.0, "homemaker": 4.0, "programmer": -4.0}, abs=1e-12
    )
    assert r.value == pytest.approx(1.0, abs=1e-12)
    assert r.attributes.missing == ("pilot",) and not r.normalize
    unit = ripa(bias_store, [("she", "he")], ["nurse"], normalize=True)
    assert unit.words[0].value == pytest.approx(0.6, abs=1e-12)
    two = ripa(bias_store, [("she", "he"), ("woman", "man")], ["nurse"], normalize=True)
    assert two.words[0].value == pytest.approx(0.6, abs=1e-12)
    assert two.words[0].std == pytest.approx(0.0, abs=1e-12)


def test_ripa_errors(bias_store):
    with pytest.raises(BiasError, match="identical vectors"):
        ripa(bias_store, [("she", "she")], ["nurse"])
    with pytest.raises(BiasError, match="none of the 1 RIPA words"):
        ripa(bias_store, [("she", "he")], ["pilot"])
    with pytest.raises(BiasError, match="at least one pair"):
        ripa(bias_store, [], ["nurse"])


def _unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _vec(store, words):
    return np.array([store.vector(w) for w in words], dtype=np.float64)


def test_ect_from_definition(bias_store):
    r = ect(bias_store, ["she", "woman", "girl"], ["he", "man", "boy"], ATTRS)
    m1 = _unit(_vec(bias_store, ["she", "woman", "girl"])).mean(axis=0)
    m2 = _unit(_vec(bias_store, ["he", "man", "boy"])).mean(axis=0)
    a = _unit(_vec(bias_store, ATTRS))
    c1, c2 = a @ _unit(m1), a @ _unit(m2)
    r1, r2 = np.argsort(np.argsort(c1)), np.argsort(np.argsort(c2))
    n = len(ATTRS)
    rho = 1 - 6 * np.sum((r1 - r2) ** 2) / (n * (n * n - 1))  # no ties here
    assert r.value == pytest.approx(rho, abs=1e-12)
    assert [s.value for s in r.words] == pytest.approx(list(c1 - c2), abs=1e-12)
    same = ect(bias_store, ["she", "he"], ["she", "he"], ATTRS)
    assert same.value == pytest.approx(1.0)
    with pytest.raises(BiasError, match="at least 2 attribute"):
        ect(bias_store, ["she"], ["he"], ["nurse"])


def test_rnd_from_definition(bias_store):
    g1, g2 = ["she", "woman", "girl"], ["he", "man", "boy"]
    r = rnd(bias_store, g1, g2, ATTRS)
    v1, v2 = _unit(_vec(bias_store, g1)).mean(axis=0), _unit(_vec(bias_store, g2)).mean(axis=0)
    a = _unit(_vec(bias_store, ATTRS))
    per = np.linalg.norm(a - v1, axis=1) - np.linalg.norm(a - v2, axis=1)
    assert r.value == pytest.approx(per.sum(), abs=1e-12)
    assert r.extra["mean"] == pytest.approx(per.mean(), abs=1e-12)
    raw = rnd(bias_store, g1, g2, ATTRS, normalize=False)
    v1, v2 = _vec(bias_store, g1).mean(axis=0), _vec(bias_store, g2).mean(axis=0)
    a = _vec(bias_store, ATTRS)
    per = np.linalg.norm(a - v1, axis=1) - np.linalg.norm(a - v2, axis=1)
    assert raw.value == pytest.approx(per.sum(), abs=1e-12)
    # the nurse sits closer to the female mean: ||a - v1|| < ||a - v2||
    assert r.words[0].word == "nurse" and r.words[0].value < 0
    with pytest.raises(BiasError, match="the group 1 word set is empty"):
        rnd(bias_store, [], g2, ATTRS)
