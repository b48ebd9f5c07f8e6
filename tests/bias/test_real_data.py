"""Slow checks on the shipped default vectors (skipped until they are installed)."""

import numpy as np
import pytest

from embtool import load_vectors
from embtool.bias import (
    bias_direction,
    bundled_weat_tests,
    direct_bias,
    hard_debias,
    neutral_professions,
    weat_many,
)
from embtool.resources import default_vectors_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def default_store():
    path = default_vectors_path()
    if not path.exists():
        pytest.skip(f"no default vectors at {path}")
    return load_vectors(path)


def test_weat_all_on_default_vectors(default_store):
    batch = weat_many(default_store, bundled_weat_tests(), permutations=2000, seed=0)
    by_name = {r.test: r for r in batch.results}
    # the two baseline tests hold in every corpus the paper and its replications looked at
    for name in ("flowers-insects", "instruments-weapons"):
        if name in by_name:
            assert by_name[name].effect_size > 0.5, by_name[name]
    for r in batch.results:
        assert -2 <= r.effect_size <= 2 and 0 < r.p_value <= 1


def test_debias_default_vectors(default_store):
    store = default_store.head(50_000)
    new, info = hard_debias(store)
    g = info.direction.vector
    words = [w for w in neutral_professions() if w in new.index]
    proj = new.unit(np.array([new.row(w) for w in words])).astype(np.float64) @ g
    assert np.max(np.abs(proj)) < 1e-6
    assert direct_bias(new, info.direction).value < 1e-6
    assert bias_direction(store).method == "pca"
