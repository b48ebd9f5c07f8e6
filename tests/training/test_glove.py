"""GloVe training: gradients, AdaGrad against the reference update, cost, determinism, outputs."""

import itertools
import math

import numpy as np
import pytest

from embtool.cli.errors import phrase_error
from embtool.corpus import Corpus
from embtool.errors import CooccurrenceError, TrainingError, UsageError
from embtool.training import GloveConfig, Method, OutputVectors, train, train_from_cooccurrence
from embtool.training.cooccurrence import (
    CooccurrenceSettings,
    build_vocabulary,
    count_cooccurrences,
    count_corpus,
)
from embtool.training.glove import (
    adagrad_step,
    batch_gradients,
    glove_cost,
    init_params,
    stable_batch_size,
    train_glove,
    weighting,
)
from tests.test_training import synthetic_lines


@pytest.fixture(scope="module")
def zipf_cooc():
    lines = [line.split() for line in synthetic_lines(400)]
    return count_corpus(lines, min_count=2, settings=CooccurrenceSettings(window=5))


def tiny_problem(dtype=np.float64):
    rng = np.random.default_rng(3)
    W, C, _, _ = init_params(6, 4, rng)
    W = W.astype(dtype) * 20  # away from zero so every term matters
    C = C.astype(dtype) * 20
    W[:, 5] = 1.0  # the constant columns stay 1
    C[:, 4] = 1.0
    # duplicates on both sides: word 1 three times, context 2 twice, a word with itself
    i = np.array([1, 1, 0, 1, 5, 3], dtype=np.int32)
    j = np.array([2, 4, 2, 1, 0, 3], dtype=np.int32)
    x = np.array([3.0, 0.5, 12.0, 1.0, 7.5, 2.25])
    logx = np.log(x).astype(dtype)
    fx = weighting(x, 10.0, 0.75).astype(dtype)
    return W, C, i, j, logx, fx


def test_weighting_function():
    f = weighting(np.array([1.0, 10.0, 50.0, 100.0, 1000.0]), 100.0, 0.75)
    np.testing.assert_allclose(f, [0.01**0.75, 0.1**0.75, 0.5**0.75, 1.0, 1.0], rtol=1e-6)


def test_init_params_layout_and_range():
    W, C, HW, HC = init_params(1000, 10, np.random.default_rng(0))
    assert W.shape == C.shape == (1000, 12) and W.dtype == np.float32
    # reference: (rand - 0.5) / (dim + 1) for vectors and biases alike
    assert np.abs(W[:, :11]).max() <= 0.5 / 11 and np.abs(W[:, :11]).max() > 0.45 / 11
    assert np.all(W[:, 11] == 1) and np.all(C[:, 10] == 1)
    assert np.all(HW == 1) and np.all(HC == 1)


def test_gradients_match_finite_differences_with_duplicates():
    W, C, i, j, logx, fx = tiny_problem()
    cost, ui, GW, Wu, uj, GC, _ = batch_gradients(W, C, i, j, logx, fx)
    assert cost == pytest.approx(glove_cost(W, C, i, j, logx, fx), rel=1e-12)
    assert ui.tolist() == [0, 1, 3, 5] and uj.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(Wu, W[ui])
    eps = 1e-6
    for P, rows, G, const in ((W, ui, GW, 5), (C, uj, GC, 4)):
        numeric = np.zeros_like(G)
        for r, row in enumerate(rows):
            for col in range(P.shape[1]):
                if col == const:
                    continue  # the constant 1 is not a parameter
                keep = P[row, col]
                P[row, col] = keep + eps
                up = glove_cost(W, C, i, j, logx, fx)
                P[row, col] = keep - eps
                down = glove_cost(W, C, i, j, logx, fx)
                P[row, col] = keep
                numeric[r, col] = (up - down) / (2 * eps)
        np.testing.assert_allclose(G, numeric, rtol=1e-6, atol=1e-8)
        assert np.all(G[:, const] == 0)


def test_scale_multiplies_gradients():
    W, C, i, j, logx, fx = tiny_problem()
    _, _, g1, _, _, c1, _ = batch_gradients(W, C, i, j, logx, fx)
    _, _, g2, _, _, c2, _ = batch_gradients(W, C, i, j, logx, fx, scale=0.05)
    np.testing.assert_allclose(g2, 0.05 * g1)
    np.testing.assert_allclose(c2, 0.05 * c1)


def reference_sgd(W, C, HW, HC, i, j, logx, fx, eta, dim):
    """glove.c's per-record update, transcribed (biases at column dim / dim + 1 here)."""
    W, C, HW, HC = W.copy(), C.copy(), HW.copy(), HC.copy()
    bw, bc = dim, dim + 1
    for a, b, lx, f in zip(i, j, logx, fx, strict=True):
        diff = W[a, :dim] @ C[b, :dim] + W[a, bw] + C[b, bc] - lx
        fdiff = f * diff * eta
        for k in range(dim):
            t1 = fdiff * C[b, k]
            t2 = fdiff * W[a, k]
            W[a, k] -= t1 / math.sqrt(HW[a, k])
            C[b, k] -= t2 / math.sqrt(HC[b, k])
            HW[a, k] += t1 * t1
            HC[b, k] += t2 * t2
        W[a, bw] -= fdiff / math.sqrt(HW[a, bw])
        C[b, bc] -= fdiff / math.sqrt(HC[b, bc])
        HW[a, bw] += fdiff * fdiff
        HC[b, bc] += fdiff * fdiff
    return W, C, HW, HC


def test_one_batch_without_duplicates_equals_the_reference_updates():
    rng = np.random.default_rng(5)
    dim = 4
    W, C, HW, HC = (a.astype(np.float64) for a in init_params(8, dim, rng))
    HW += rng.random(HW.shape)  # accumulators already grown
    HC += rng.random(HC.shape)
    i = np.array([0, 3, 5, 7], dtype=np.int32)  # distinct rows: the updates do not interact
    j = np.array([2, 1, 6, 4], dtype=np.int32)
    x = np.array([2.0, 5.0, 40.0, 1.0])
    logx, fx = np.log(x), weighting(x, 10.0, 0.75).astype(np.float64)
    expected = reference_sgd(W, C, HW, HC, i, j, logx, fx, 0.05, dim)
    _, ui, GW, Wu, uj, GC, Cu = batch_gradients(W, C, i, j, logx, fx, scale=0.05)
    adagrad_step(W, HW, ui, GW, Wu)
    adagrad_step(C, HC, uj, GC, Cu)
    for got, want in zip((W, C, HW, HC), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert np.all(W[:, dim + 1] == 1) and np.all(C[:, dim] == 1)


def test_adagrad_step_sums_duplicates_and_clips():
    P = np.zeros((3, 2))
    H = np.full((3, 2), 4.0)
    G = np.array([[1.0, -6.0], [0.5, 0.25]])
    rows = np.array([0, 2])
    adagrad_step(P, H, rows, G.copy(), P[rows].copy())
    np.testing.assert_allclose(P, [[-0.5, 3.0], [0, 0], [-0.25, -0.125]])
    np.testing.assert_allclose(H, [[5.0, 40.0], [4, 4], [4.25, 4.0625]])
    P[:] = 0
    H[:] = 4.0
    adagrad_step(P, H, rows, G.copy(), P[rows].copy(), clip=0.5)
    np.testing.assert_allclose(P[0], [-0.25, 0.25])


def test_cost_decreases_and_is_recorded(zipf_cooc):
    result = train_glove(zipf_cooc, GloveConfig(dim=8, epochs=15, x_max=10, workers=1))
    costs = result.costs
    assert len(costs) == 15
    assert all(b < a for a, b in itertools.pairwise(costs))
    assert costs[-1] < 0.5 * costs[0]
    meta = result.training_meta()
    assert meta["epoch_costs"] == costs and meta["nonzeros"] == zipf_cooc.nnz
    assert meta["hyperparameters"]["x_max"] == 10 and meta["hyperparameters"]["seed"] == 1


def test_reported_cost_is_the_objective_before_each_update(zipf_cooc):
    # with one batch per epoch, epoch 1's cost is J(initial parameters) / nnz exactly
    config = GloveConfig(
        dim=6, epochs=1, x_max=10, batch_size=10**6, learning_rate=1e-6, workers=1, seed=4
    )
    result = train_glove(zipf_cooc, config)
    rows, cols, x = zipf_cooc.triples()
    W, C, _, _ = init_params(zipf_cooc.vocab_size, 6, np.random.default_rng(4))
    expected = glove_cost(W, C, rows, cols, np.log(x.astype(np.float64)), weighting(x, 10, 0.75))
    assert result.batch_size == x.size
    assert result.costs[0] == pytest.approx(expected / x.size, rel=1e-5)


def test_batch_shrinks_on_small_matrices(zipf_cooc):
    # heaviest word: total f 20 on 100 nonzeros; lr 0.05 -> 100 / (0.05 * 20) = 100 per batch
    rows = np.array([0] * 20 + [1] * 80, dtype=np.int32)
    cols = np.arange(100, dtype=np.int32) % 7
    fx = np.where(rows == 1, 0.25, 0.125).astype(np.float32)
    assert stable_batch_size(rows, cols, fx, 7, 0.05, 10**6) == 100
    assert stable_batch_size(rows, cols, fx, 7, 0.5, 10**6) == 10
    assert stable_batch_size(rows, cols, fx, 7, 0.05, 64) == 64
    result = train_glove(zipf_cooc, GloveConfig(dim=4, epochs=1, x_max=10, workers=1))
    assert 1 < result.batch_size < zipf_cooc.nnz
    assert result.training_meta()["batch_size_used"] == result.batch_size


def test_deterministic_per_seed_and_threads(zipf_cooc):
    base = dict(dim=8, epochs=3, x_max=10, batch_size=512)
    a = train_glove(zipf_cooc, GloveConfig(**base, seed=3, workers=1))
    b = train_glove(zipf_cooc, GloveConfig(**base, seed=3, workers=1))
    two = train_glove(zipf_cooc, GloveConfig(**base, seed=3, workers=2))
    other = train_glove(zipf_cooc, GloveConfig(**base, seed=4, workers=1))
    np.testing.assert_array_equal(a.vectors, b.vectors)
    np.testing.assert_array_equal(a.vectors, two.vectors)
    assert two.config.threads == 2
    assert not np.array_equal(a.vectors, other.vectors)


def test_output_vectors(zipf_cooc):
    base = dict(dim=5, epochs=2, x_max=10, workers=1)
    wc = train_glove(zipf_cooc, GloveConfig(**base)).vectors
    w = train_glove(zipf_cooc, GloveConfig(**base, output_vectors="w")).vectors
    cat = train_glove(zipf_cooc, GloveConfig(**base, output_vectors=OutputVectors.concat)).vectors
    assert wc.shape == w.shape == (zipf_cooc.vocab_size, 5) and cat.shape[1] == 10
    np.testing.assert_array_equal(cat[:, :5], w)
    np.testing.assert_allclose(cat[:, :5] + cat[:, 5:], wc, rtol=1e-6)


def test_learns_the_structure():
    # two topics that never share a line: words end up nearest to their own topic
    rng = np.random.default_rng(0)
    a, b = [f"a{k}" for k in range(6)], [f"b{k}" for k in range(6)]
    lines = [list(rng.choice(a if n % 2 else b, size=8)) for n in range(600)]
    cooc = count_corpus(lines, min_count=1, settings=CooccurrenceSettings(window=3))
    result = train_glove(cooc, GloveConfig(dim=10, epochs=30, x_max=10, workers=1))
    unit = result.vectors / np.linalg.norm(result.vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    topic = np.array([w[0] for w in result.words])
    for k in range(len(result.words)):
        order = [m for m in np.argsort(-sims[k]) if m != k]
        assert all(topic[m] == topic[k] for m in order[:5])


def test_config_validation():
    with pytest.raises(UsageError, match=r"^x_max must be greater than 0$"):
        GloveConfig(x_max=0)
    with pytest.raises(UsageError, match=r"^batch_size must be 1 to"):
        GloveConfig(batch_size=1 << 24)
    with pytest.raises(UsageError, match=r"^grad_clip") as exc:
        GloveConfig(grad_clip=-1)
    assert phrase_error(exc.value) == "--grad-clip must be greater than 0"
    with pytest.raises(UsageError, match=r"^memory_gb must be greater than 0$") as exc:
        GloveConfig(memory_gb=0)
    assert phrase_error(exc.value) == "--memory must be greater than 0"
    with pytest.raises(UsageError, match="glove, not cbow"):
        GloveConfig(Method.cbow)
    assert GloveConfig(workers=8).threads == 2 and GloveConfig(workers=1).threads == 1


def test_empty_matrix_and_divergence():
    lines = [["a"], ["b"], ["a"]]  # no line with two words
    vocab = build_vocabulary(lines, min_count=1)
    cooc = count_cooccurrences(lines, vocab)
    with pytest.raises(TrainingError, match="no co-occurring word pairs"):
        train_glove(cooc, GloveConfig(dim=3, epochs=1))
    lines = [list("abcabcab")] * 20
    cooc = count_corpus(lines, min_count=1)
    with pytest.raises(TrainingError, match=r"diverged.*lower `learning_rate`") as exc:
        train_glove(cooc, GloveConfig(dim=3, epochs=5, learning_rate=1e30, x_max=1))
    assert "lower --learning-rate (now 1e+30) or set --grad-clip" in phrase_error(exc.value)


def test_progress_events(zipf_cooc):
    events = []
    train_glove(
        zipf_cooc,
        GloveConfig(dim=4, epochs=2, batch_size=256, workers=1),
        progress=events.append,
        report_every=2,
    )
    ends = [e for e in events if e.info.get("epoch_end")]
    assert [e.epoch for e in ends] == [1, 2] and ends[-1].final
    assert all(
        e.stage == "train" and e.unit == "pairs" and e.total == zipf_cooc.nnz for e in events
    )
    assert len(events) > 2 and "cost" in events[0].info


# -- through embtool.training.train ---------------------------------------------------------------
@pytest.fixture
def corpus_file(tmp_path):
    p = tmp_path / "tok.txt"
    p.write_text("\n".join(synthetic_lines(300)) + "\n")
    return p


def test_train_dispatch_writes_store_meta_and_reuses_counts(corpus_file, tmp_path):
    config = GloveConfig(dim=6, window=4, min_count=2, epochs=3, x_max=10, workers=1)
    saved = tmp_path / "cooc.npz"
    store = train(config, Corpus([corpus_file], tokenizer="whitespace"), cooccurrence=saved)
    assert saved.is_file()
    t = store.meta["training"]
    assert t["method"] == "glove" and t["hyperparameters"]["window"] == 4
    assert len(t["epoch_costs"]) == 3 and t["cooccurrence"]["reused"] is False
    assert t["corpus_tokens"] == sum(len(s.split()) for s in synthetic_lines(300))
    assert store.meta["history"][-1]["action"] == "train"
    # words in descending frequency, with their counts
    assert np.all(np.diff(store.counts) <= 0)
    again = train_from_cooccurrence(config, saved)
    np.testing.assert_array_equal(np.asarray(again.vectors), np.asarray(store.vectors))
    assert again.meta["training"]["cooccurrence"]["reused"] is True
    assert again.meta["training"]["corpus_tokens"] == t["corpus_tokens"]
    with pytest.raises(CooccurrenceError, match=r"window 4 \(requested 5\)"):
        train_from_cooccurrence(GloveConfig(dim=6, window=5, min_count=2), saved)
    with pytest.raises(CooccurrenceError, match="tokenizer whitespace \\(requested regex\\)"):
        train_from_cooccurrence(config, saved, corpus=Corpus([corpus_file]))
