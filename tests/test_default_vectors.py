"""The shipped default vectors answer the classroom examples out of the box."""

import json

import numpy as np
import pytest

from embtool import load_vectors, similarity
from embtool.resources import default_vectors_path
from tests.helpers import REPO_ROOT, run_embtool

STORE = REPO_ROOT / "data" / "default-vectors"


@pytest.fixture(scope="module")
def store():
    return load_vectors(STORE)


def test_is_the_default_and_small(store):
    assert default_vectors_path().resolve() == STORE.resolve()
    size = sum(p.stat().st_size for p in STORE.iterdir())
    assert size <= 32 * 1024 * 1024
    assert len(store) == 50_000 and store.dim == 300 and store.dtype == np.float16
    assert store.counts is not None and np.all(np.diff(store.counts) <= 0)
    assert all(w == w.lower() for w in store.words[:1000])


def test_meta_records_how_it_was_made(store):
    t = store.meta["training"]
    assert t["command"].startswith("embtool train ")
    assert t["method"] == "skipgram"
    hp = t["hyperparameters"]
    assert [hp[k] for k in ("dim", "window", "negative", "sample", "min_count")] == [
        300,
        5,
        5,
        1e-4,
        10,
    ]
    assert (hp["epochs"], hp["workers"], hp["seed"]) == (3, 2, 1)
    assert t["corpus_tokens"] == 99_999_860
    assert len(t["corpus"]["files"][0]["sha256"]) == 64
    actions = [h["action"] for h in store.meta["history"]]
    assert actions[0] == "train" and actions[-1] == "convert"


@pytest.mark.parametrize(
    "query,answer",
    [
        (["king", "man", "woman"], "queen"),
        (["france", "paris", "rome"], "italy"),
        (["larger", "large", "small"], "smaller"),
        (["german", "germany", "spain"], "spanish"),
        (["King", "Man", "WOMAN"], "queen"),  # any case: the store is lower-case
    ],
)
def test_classroom_analogies_top_answer(store, query, answer):
    batch = similarity.analogies(store, [query], 1)
    assert batch.results[0].answers[0].word == answer


@pytest.mark.parametrize("word,expected", [("father", {"mother"}), ("car", {"vehicle", "truck"})])
def test_classroom_neighbours(store, word, expected):
    found = {n.word for n in similarity.neighbors(store, [word], 10).results[0].neighbors}
    assert found & expected


def test_out_of_the_box_cli():
    env = {"EMBTOOL_VECTORS": ""}
    result = run_embtool("analogy", "king", "man", "woman", "-k", "1", "-f", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["answers"][0]["word"] == "queen"
