"""Hard debias: neutral words lose their projection, equalize pairs become symmetric."""

import numpy as np
import pytest

from embtool import VectorStore, load_vectors
from embtool.bias import bias_direction, hard_debias
from embtool.vectors import save_vectors

DEFINITIONAL = [("she", "he"), ("woman", "man"), ("girl", "boy"), ("mother", "father")]
SPECIFIC = ["she", "he", "woman", "man", "girl", "boy", "mother", "father", "queen", "king"]
EQUALIZE = [("queen", "king"), ("Mother", "Father"), ("nun", "monk")]


@pytest.fixture
def store():
    rng = np.random.default_rng(42)
    words = [*SPECIFIC, "Mother", "Father", "nun", "monk", "nurse", "doctor", "table", "zero"]
    g = np.zeros(12)
    g[0] = 1.0
    vecs = rng.normal(size=(len(words), 12))
    for i, w in enumerate(words):
        sign = (
            1 if w in ("she", "woman", "girl", "mother", "queen", "Mother", "nun", "nurse") else -1
        )
        vecs[i] += 1.5 * sign * g
    vecs[words.index("zero")] = 0.0
    return VectorStore(
        words, vecs.astype(np.float32), meta={"history": [{"action": "fixture"}]}, name="random"
    )


def debiaswe_reference(store, g):
    """debiaswe.debias(), word by word, for comparison."""
    vecs = np.asarray(store.vectors, dtype=np.float64).copy()
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    vecs /= np.where(norms == 0, 1, norms)
    index = store.index
    for i, w in enumerate(store.words):
        if w not in SPECIFIC:
            vecs[i] = vecs[i] - g * (vecs[i] @ g)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    vecs /= np.where(norms == 0, 1, norms)
    cands = {
        x
        for a, b in EQUALIZE
        for x in [(a.lower(), b.lower()), (a.title(), b.title()), (a.upper(), b.upper())]
    }
    for a, b in cands:
        if a in index and b in index:
            y = (vecs[index[a]] + vecs[index[b]]) / 2
            y = y - g * (y @ g)
            z = np.sqrt(1 - y @ y)
            if (vecs[index[a]] - vecs[index[b]]) @ g < 0:
                z = -z
            vecs[index[a]] = z * g + y
            vecs[index[b]] = -z * g + y
    return vecs


def test_hard_debias_properties(store):
    new, info = hard_debias(
        store, definitional=DEFINITIONAL, equalize=EQUALIZE, gender_specific=SPECIFIC
    )
    g = bias_direction(store, DEFINITIONAL).vector
    np.testing.assert_array_equal(info.direction.vector, g)
    vecs = np.asarray(new.vectors, dtype=np.float64)
    for w in ["nurse", "doctor", "table", "nun", "monk"]:
        if w not in ("nun", "monk"):
            assert abs(vecs[new.row(w)] @ g) < 1e-6
    for a, b in [("queen", "king"), ("mother", "father"), ("Mother", "Father"), ("nun", "monk")]:
        va, vb = vecs[new.row(a)], vecs[new.row(b)]
        assert va @ g == pytest.approx(-(vb @ g), abs=1e-6)
        np.testing.assert_allclose(va - (va @ g) * g, vb - (vb @ g) * g, atol=1e-6)
        if a in ("queen", "mother"):  # the others were neutralized first: no order left
            assert va @ g > 0  # keeps the original order (female side positive)
    norms = np.linalg.norm(vecs, axis=1)
    np.testing.assert_allclose(np.delete(norms, new.row("zero")), 1.0, atol=1e-6)
    assert norms[new.row("zero")] == 0
    assert set(info.equalized) == {
        ("queen", "king"),
        ("mother", "father"),
        ("Mother", "Father"),
        ("nun", "monk"),
    }
    assert info.neutralized == len(store) - len(SPECIFIC)
    # pairs whose words were both neutralized first have no side left: their sign is a coin flip
    # of rounding in either implementation, so compare the other rows
    degenerate = [new.row(w) for w in ("nun", "monk", "Mother", "Father")]
    np.testing.assert_allclose(
        np.delete(vecs, degenerate, axis=0),
        np.delete(debiaswe_reference(store, g), degenerate, axis=0),
        atol=1e-6,
    )


def test_gender_specific_words_only_normalised(store):
    new, _ = hard_debias(store, definitional=DEFINITIONAL, equalize=[], gender_specific=SPECIFIC)
    v = store.vector("she").astype(np.float64)
    np.testing.assert_allclose(new.vector("she"), v / np.linalg.norm(v), atol=1e-7)


def test_provenance_and_atomic_save(tmp_path, store):
    new, _ = hard_debias(
        store, definitional=DEFINITIONAL, equalize=EQUALIZE, gender_specific=SPECIFIC
    )
    assert [h["action"] for h in new.meta["history"]] == ["fixture", "debias"]
    assert new.meta["debias"]["direction"]["pairs"][0] == ["she", "he"]
    assert store.meta["history"] == [{"action": "fixture"}]  # the source is untouched
    path = save_vectors(new, tmp_path / "debiased")
    back = load_vectors(path)
    assert back.meta["debias"]["neutralized"] == len(store) - len(SPECIFIC)
    np.testing.assert_array_equal(back.vectors, new.vectors)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_default_lists_on_bias_store(bias_store):
    from tests.bias.conftest import PAIRS

    new, info = hard_debias(bias_store, definitional=PAIRS)
    g = info.direction.vector
    for w in ["nurse", "engineer", "homemaker", "programmer", "receptionist"]:
        assert abs(new.vector(w).astype(np.float64) @ g) < 1e-6
    # she/he are a bundled equalize pair (he, she): symmetric about the neutral subspace
    she, he = new.vector("she").astype(np.float64), new.vector("he").astype(np.float64)
    assert she @ g == pytest.approx(-(he @ g), abs=1e-6)
