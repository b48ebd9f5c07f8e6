"""Shared fixtures: a hand-built toy store whose answers are known exactly."""

from pathlib import Path

import numpy as np
import pytest

from embtool import VectorStore, load_vectors
from embtool.vectors import save_vectors
from tests.helpers import TOY_PATH

# tests/fixtures/toy.txt: 12 words in 4 dims (royalty, male, female, other) where
# king - man + woman = queen exactly; prince/princess are near king/queen, apple/orange are fruit.


@pytest.fixture(scope="session")
def toy_store() -> VectorStore:
    """The toy vectors, loaded from the word2vec text fixture."""
    return load_vectors(TOY_PATH)


@pytest.fixture
def toy_store_dir(tmp_path: Path, toy_store: VectorStore) -> Path:
    """The toy vectors as a native store directory, with made-up descending counts."""
    store = VectorStore(
        toy_store.words,
        np.asarray(toy_store.vectors),
        counts=list(range(1000, 1000 - len(toy_store), -1)),
        meta={"history": [{"action": "fixture"}]},
    )
    return save_vectors(store, tmp_path / "toy-store")
