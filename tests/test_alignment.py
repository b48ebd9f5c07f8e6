"""Orthogonal Procrustes alignment, word shifts, neighbour overlap and CSLS, against NumPy references."""

import json

import numpy as np
import pytest
from scipy.stats import ortho_group

from embtool import alignment, load_vectors
from embtool.errors import AlignmentError, UnknownWordsError
from embtool.vectors.store import VectorStore

N, DIM = 300, 16


def random_store(seed: int = 0, n: int = N, dim: int = DIM, name: str = "a") -> VectorStore:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dim)).astype(np.float32)
    return VectorStore(
        [f"w{i}" for i in range(n)], x, counts=list(range(10 * n, 0, -10)), name=name
    )


def rotated(
    store: VectorStore, q: np.ndarray, *, seed: int = 1, drop: int = 0, noise: float = 0.0
) -> VectorStore:
    """``store`` rotated by ``q``, rows shuffled, the last ``drop`` shuffled words removed."""
    rng = np.random.default_rng(seed)
    y = np.asarray(store.vectors, dtype=np.float64) @ q
    y += noise * rng.normal(size=y.shape)
    order = rng.permutation(len(store))[: len(store) - drop]
    return VectorStore(
        [store.words[i] for i in order],
        y[order].astype(np.float32),
        counts=store.counts[order],
        name="b",
    )


def unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def q() -> np.ndarray:
    return ortho_group.rvs(DIM, random_state=7)


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("center", [True, False])
def test_random_rotation_is_recovered(q, normalize, center):
    a = random_store()
    b = rotated(a, q, drop=5)
    fit = alignment.align(a, b, normalize=normalize, center=center)
    assert np.abs(fit.transform - q).max() < 1e-5
    assert len(fit.anchors) == N - 5
    aligned = alignment.apply_alignment(a, fit)
    rows = [b.index[w] for w in aligned.words if w in b.index]
    expected = np.asarray(b.vectors, dtype=np.float64)[rows]
    if normalize:
        expected = unit(expected)
    got = np.asarray(aligned.vectors)[[aligned.index[b.words[r]] for r in rows]]
    assert np.abs(got - expected).max() < 1e-5
    assert fit.cosine_after == pytest.approx(1.0, abs=1e-6)
    assert fit.cosine_before < 0.5
    assert fit.residual < 1e-4


def test_solution_equals_direct_svd_reference(q):
    a = random_store()
    b = rotated(a, q, noise=0.3)
    fit = alignment.align(a, b)
    words = list(a.words)
    x = unit(a.vectors)
    y = unit(b.rows([b.index[w] for w in words]))
    xc, yc = x - x.mean(axis=0), y - y.mean(axis=0)
    u, _, vt = np.linalg.svd(xc.T @ yc)
    w = u @ vt
    np.testing.assert_allclose(fit.transform, w, atol=1e-10)
    np.testing.assert_allclose(fit.offset, y.mean(axis=0) - x.mean(axis=0) @ w, atol=1e-10)
    mapped = x @ w + fit.offset
    assert fit.residual == pytest.approx(np.linalg.norm(mapped - y), rel=1e-10)
    before = np.mean(np.sum(x * y, axis=1))
    after = np.mean(np.sum(unit(mapped) * y, axis=1))
    assert fit.cosine_before == pytest.approx(before, abs=1e-6)
    assert fit.cosine_after == pytest.approx(after, abs=1e-6)
    assert fit.cosine_after > fit.cosine_before + 0.5


def test_b_to_a_is_the_inverse_rotation(q):
    a = random_store()
    b = rotated(a, q, noise=0.3, drop=4)
    forward = alignment.align(a, b)
    backward = alignment.align(b, a)
    np.testing.assert_allclose(backward.transform, forward.transform.T, atol=1e-10)
    np.testing.assert_allclose(forward.transform @ backward.transform, np.eye(DIM), atol=1e-10)


def test_top_anchors_are_the_most_frequent_shared_words(q):
    a = random_store()
    b = rotated(a, q, drop=10)
    top = alignment.common_anchors(a, b, top=40)
    shared = [w for w in a.words if w in b.index]
    assert top == shared[:40]  # counts fall with the row, so the first 40 shared rows
    fit = alignment.align(a, b, top=40)
    assert [s for s, _ in fit.anchors] == top
    assert fit.spec.top == 40


def test_pairs_with_other_words_map_across(q):
    a = random_store()
    b = rotated(a, q)
    b = VectorStore([w.upper() for w in b.words], np.asarray(b.vectors), name="b")
    pairs = [(f"w{i}", f"W{i}") for i in range(0, N, 2)]
    fit = alignment.align(a, b, pairs=pairs, pairs_file="dict.tsv", normalize=False)
    assert np.abs(fit.transform - q).max() < 1e-5
    assert fit.spec == alignment.AnchorSpec("pairs", file="dict.tsv")


def test_different_dimensions_are_refused():
    a, b = random_store(dim=16), random_store(dim=8, name="b")
    with pytest.raises(AlignmentError) as info:
        alignment.align(a, b)
    assert str(info.value).startswith("a has 16 dimensions and b has 8")
    assert "\n" not in str(info.value)


def test_fewer_anchors_than_dimensions_are_refused(q):
    a = random_store()
    b = rotated(a, q)
    with pytest.raises(AlignmentError, match=r"only 10 shared words for 16 dimensions"):
        alignment.align(a, b, top=10)
    pairs = [("w1", "w1")] * 20 + [("w2", "w2")]
    with pytest.raises(
        AlignmentError, match=r"only 2 distinct source words .*need at least 16 anchors"
    ):
        alignment.align(a, b, pairs=pairs)


def test_unknown_anchor_words_are_counted_and_named(q):
    a = random_store()
    b = rotated(a, q)
    pairs = [(f"w{i}", f"w{i}") for i in range(30)] + [("zz", "w1"), ("w2", "yy"), ("xx", "qq")]
    with pytest.raises(AlignmentError) as info:
        alignment.align(a, b, pairs=pairs, pairs_file="dict.tsv")
    assert str(info.value) == (
        "dict.tsv: 3 of 33 pairs name unknown words; 2 not in a: 'zz', 'xx'; 2 not in b: 'yy', 'qq'"
    )


def test_read_pairs(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text("\ufeff# comment\nhouse\tHaus\n\ndog Hund\n", encoding="utf-8")
    assert alignment.read_pairs(path) == [("house", "Haus"), ("dog", "Hund")]
    path.write_text("house\tHaus\ncat\n", encoding="utf-8")
    with pytest.raises(AlignmentError, match=r"d.tsv line 2: expected 'source<TAB>target', got 1"):
        alignment.read_pairs(path)


def test_saved_store_records_transform_anchors_and_residual(tmp_path, q):
    a = random_store()
    b = rotated(a, q, noise=0.1, drop=3)
    fit = alignment.align(a, b, top=100)
    out = alignment.save_aligned(alignment.apply_alignment(a, fit), fit, tmp_path / "al")
    store = load_vectors(out)
    assert store.words == a.words
    assert list(store.counts) == list(a.counts)
    meta = json.loads((out / "meta.json").read_text())["alignment"]
    assert meta["anchors"] == 100
    assert meta["residual"] == pytest.approx(fit.residual)
    assert meta["target"] == "b" and meta["source"] == "a"
    np.testing.assert_array_equal(alignment.load_transform(out), fit.transform)
    np.testing.assert_array_equal(np.load(out / alignment.OFFSET_FILE), fit.offset)
    lines = (out / alignment.ANCHORS_FILE).read_text().splitlines()
    assert lines == [f"{s}\t{t}" for s, t in fit.anchors]
    expected = unit(a.vectors) @ fit.transform + fit.offset
    np.testing.assert_allclose(store.vectors, expected, atol=1e-5)


def test_word_shifts_and_overlap_against_brute_force(q):
    a = random_store()
    b = rotated(a, q, noise=0.5, drop=20)
    fit = alignment.align(a, b)
    aligned = alignment.apply_alignment(a, fit)
    cmp = alignment.compare(aligned, b, neighbours=5)
    words = [w for w in a.words if w in b.index]
    assert [s.word for s in cmp.shifts] == words
    xa = unit(aligned.rows([aligned.index[w] for w in words]))
    xb = unit(b.rows([b.index[w] for w in words]))
    np.testing.assert_allclose([s.cosine for s in cmp.shifts], np.sum(xa * xb, axis=1), atol=1e-5)

    def top5(m: np.ndarray) -> list[set[int]]:
        s = m @ m.T
        np.fill_diagonal(s, -np.inf)
        return [set(np.argsort(-row, kind="stable")[:5].tolist()) for row in s]

    ta, tb = top5(xa), top5(xb)
    jac = [len(x & y) / len(x | y) for x, y in zip(ta, tb, strict=True)]
    np.testing.assert_allclose([s.jaccard for s in cmp.shifts], jac)
    assert cmp.ranked()[0].cosine == min(s.cosine for s in cmp.shifts)
    assert cmp.median_cosine == pytest.approx(np.median(np.sum(xa * xb, axis=1)), abs=1e-5)


def test_overlap_needs_no_alignment(q):
    a = random_store()
    b = rotated(a, q)
    cmp = alignment.compare(a, b, neighbours=8)
    assert all(s.jaccard == 1.0 for s in cmp.shifts)  # a rotation keeps every neighbourhood
    assert cmp.mean_cosine < 0.5  # while raw cosines across unaligned spaces mean nothing


def test_min_count_filters_both_sides():
    a = random_store()
    b = VectorStore(a.words, np.asarray(a.vectors), counts=list(range(1, N + 1)), name="b")
    # a counts 10 * (300 - i) for w{i}, b counts i + 1: both >= 250 for i in 249..275
    assert alignment.shared_words(a, b, min_count=250) == [f"w{i}" for i in range(249, 276)]
    no_counts = VectorStore(a.words, np.asarray(a.vectors), name="plain")
    with pytest.raises(AlignmentError, match="plain has no word counts"):
        alignment.shared_words(a, no_counts, min_count=5)


def test_word_shifts_name_unknown_words():
    a = random_store()
    with pytest.raises(UnknownWordsError, match="'nope'"):
        alignment.word_shifts(a, a, ["w1", "nope"])


def csls_reference(xs: np.ndarray, xt: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    """Conneau et al.'s CSLS written out plainly: full similarity matrices, sorted means."""
    cos_qt = q @ xt.T
    r_t = np.sort(cos_qt, axis=1)[:, ::-1][:, :k].mean(axis=1)
    cos_ts = xt @ xs.T
    r_s = np.sort(cos_ts, axis=1)[:, ::-1][:, :k].mean(axis=1)
    return 2 * cos_qt - r_t[:, None] - r_s[None, :]


def test_csls_equals_numpy_reference():
    rng = np.random.default_rng(3)
    xs, xt = unit(rng.normal(size=(80, 8))), unit(rng.normal(size=(60, 8)))
    got = alignment.csls_scores(xs[:10], xs, xt, k=5)
    np.testing.assert_allclose(got, csls_reference(xs, xt, xs[:10], 5), atol=1e-12)

    src = VectorStore([f"s{i}" for i in range(80)], xs.astype(np.float32), name="src")
    tgt = VectorStore([f"t{i}" for i in range(60)], xt.astype(np.float32), name="tgt")
    ref = csls_reference(unit(src.vectors), unit(tgt.vectors), unit(src.vectors[:10]), 5)
    found = alignment.translate(
        src, tgt, [f"s{i}" for i in range(10)], k=3, method=alignment.Retrieval.csls, csls_k=5
    )
    for i, t in enumerate(found):
        best = np.argsort(-ref[i], kind="stable")[:3]
        assert [c.word for c in t.candidates] == [f"t{j}" for j in best]
        np.testing.assert_allclose([c.score for c in t.candidates], ref[i][best], atol=1e-5)
    nn = alignment.translate(src, tgt, ["s0"], k=1)[0].candidates[0]
    assert nn.word == f"t{int(np.argmax(unit(tgt.vectors) @ unit(src.vectors[:1])[0]))}"


def test_csls_demotes_a_hub():
    # The hub h (0 degrees) is near three source words; x (25.8) is a little nearer h than m (57.6).
    def at(*degrees: float) -> np.ndarray:
        r = np.radians(degrees)
        return np.stack([np.cos(r), np.sin(r)], axis=1).astype(np.float32)

    src = VectorStore(["x", "y1", "y2", "y3"], at(25.8, 5, -5, 3), name="src")
    tgt = VectorStore(["h", "m"], at(0, 57.6), name="tgt")
    assert alignment.translate(src, tgt, ["x"], k=1)[0].candidates[0].word == "h"
    csls = alignment.translate(src, tgt, ["x"], k=1, method=alignment.Retrieval.csls, csls_k=3)
    assert csls[0].candidates[0].word == "m"


def test_translation_precision_counts_hits_within_k(q):
    a = random_store()
    b = rotated(a, q, noise=0.05)
    aligned = alignment.apply_alignment(a, alignment.align(a, b))
    pairs = [("w0", "w0"), ("w1", "w5"), ("w1", "w1"), ("w2", "w3"), ("nope", "w4")]
    score = alignment.translation_precision(aligned, b, pairs)
    assert (score.pairs, score.queries, score.covered) == (5, 4, 3)
    assert score.oov_words == ("nope",)
    found = alignment.translate(aligned, b, ["w2"], k=5)[0]
    w2_in_5 = "w3" in [c.word for c in found.candidates]
    assert score.precision[1] == pytest.approx(2 / 3)
    assert score.precision[5] == pytest.approx((2 + w2_in_5) / 3)


def test_shift_map_is_one_pca_of_both_spaces(q):
    a = random_store()
    b = rotated(a, q, noise=0.3)
    aligned = alignment.apply_alignment(a, alignment.align(a, b))
    words = ["w1", "w2", "w3", "w4"]
    sm = alignment.shift_map(aligned, b, words)
    pts = np.vstack(
        [
            unit(aligned.rows([aligned.index[w] for w in words])),
            unit(b.rows([b.index[w] for w in words])),
        ]
    )
    from sklearn.decomposition import PCA

    ref = PCA(n_components=2, svd_solver="full").fit(pts)
    xy = ref.transform(pts)
    signs = np.sign(np.sum(xy * np.vstack([sm.xy_a, sm.xy_b]), axis=0))  # PCA axes' sign is free
    np.testing.assert_allclose(np.vstack([sm.xy_a, sm.xy_b]), xy * signs, atol=1e-5)
    np.testing.assert_allclose(
        sm.explained_variance_ratio, ref.explained_variance_ratio_, atol=1e-6
    )
    with pytest.raises(AlignmentError, match="at least two words"):
        alignment.shift_map(aligned, b, ["w1"])


def test_plot_shifts_draws_an_arrow_per_word(q):
    from embtool.plotting import plot_shifts

    a = random_store()
    b = rotated(a, q, noise=0.3)
    aligned = alignment.apply_alignment(a, alignment.align(a, b))
    sm = alignment.shift_map(aligned, b, ["w1", "w2", "w3"])
    fig = plot_shifts(sm, title="moved")
    ax = fig.axes[0]
    by_gid = {c.get_gid(): c for c in ax.collections}
    np.testing.assert_allclose(by_gid["shift-a"].get_offsets(), sm.xy_a)
    np.testing.assert_allclose(by_gid["shift-b"].get_offsets(), sm.xy_b)
    arrows = [p for p in ax.patches if p.get_gid() == "shift-arrow"]
    assert len(arrows) == 3
    assert [t.get_text() for t in ax.texts if t.get_gid() == "label"] == ["w1", "w2", "w3"]


def test_ranked_by_jaccard_puts_the_least_overlap_first():
    shifts = (
        alignment.WordShift("x", 0.9, None, None, 0.5),
        alignment.WordShift("y", 0.1, None, None, 1.0),
        alignment.WordShift("z", 0.5, None, None, 0.0),
    )
    cmp = alignment.Comparison(shifts, neighbours=3, min_count=1)
    assert [s.word for s in cmp.ranked("jaccard")] == ["z", "x", "y"]
    assert [s.word for s in cmp.ranked()] == ["y", "z", "x"]
    assert cmp.mean_jaccard == pytest.approx(0.5)
