"""A hand-built store where bias answers are known in closed form.

Axis 0 is the gender axis: every definitional pair differs only there, so the direction is exactly
e0 (positive = the female side). Vectors are small integers (exact in float32); their unit vectors
have cosines like 3/5 and 4/5 with e0.
"""

import numpy as np
import pytest

from embtool import VectorStore
from embtool.vectors import save_vectors

BIAS_WORDS = {
    "she": (1, 1, 0, 0),
    "he": (-1, 1, 0, 0),
    "woman": (3, 0, 4, 0),
    "man": (-3, 0, 4, 0),
    "girl": (1, 0, 0, 1),
    "boy": (-1, 0, 0, 1),
    "nurse": (3, 0, 0, 4),  # cos with e0 = 3/5
    "engineer": (-1, 0, 1, 0),  # -1/sqrt(2)
    "doctor": (0, 1, 1, 1),  # 0
    "homemaker": (4, 3, 0, 0),  # 4/5
    "programmer": (-4, 0, 3, 0),  # -4/5
    "receptionist": (4, 0, 0, 3),  # 4/5
    "table": (0, 2, 0, 0),  # 0
}
PAIRS = [("woman", "man"), ("she", "he"), ("girl", "boy")]


def make_store(words=BIAS_WORDS) -> VectorStore:
    return VectorStore(
        list(words),
        np.array(list(words.values()), dtype=np.float32),
        meta={"history": [{"action": "fixture"}]},
        name="bias-toy",
    )


@pytest.fixture
def bias_store() -> VectorStore:
    return make_store()


@pytest.fixture
def bias_store_dir(tmp_path, bias_store):
    return save_vectors(bias_store, tmp_path / "bias-toy")
