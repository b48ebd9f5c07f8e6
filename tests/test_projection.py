"""PCA / t-SNE coordinates and word maps, cross-checked against scikit-learn and hand values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from embtool import VectorStore, load_vectors
from embtool.errors import PlotError, UnknownWordsError
from embtool.projection import (
    ProjectionMethod,
    bias_map,
    clamp_perplexity,
    expand_neighbors,
    map_words,
    parse_fit_on,
    project,
)
from tests.helpers import FIXTURES


def same_up_to_sign(a: np.ndarray, b: np.ndarray, atol: float = 1e-9) -> bool:
    """True when each column of a equals the same column of b or its negation."""
    return all(
        np.allclose(a[:, j], b[:, j], atol=atol) or np.allclose(a[:, j], -b[:, j], atol=atol)
        for j in range(a.shape[1])
    )


def test_pca_matches_scikit_learn_and_numpy_svd(toy_store):
    words = ["king", "queen", "man", "woman", "apple", "orange", "car", "paris"]
    x = toy_store.subset(words).vectors.astype(np.float64)
    wm = map_words(toy_store, words)
    ref = PCA(n_components=2).fit(x)
    assert wm.words == tuple(words)
    assert same_up_to_sign(wm.coords, ref.transform(x))
    assert wm.projection.explained_variance_ratio == pytest.approx(
        tuple(ref.explained_variance_ratio_), abs=1e-12
    )
    # The same from first principles: centre, SVD, project on the first two right singular vectors.
    xc = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    assert same_up_to_sign(wm.coords, xc @ vt[:2].T)
    assert wm.projection.explained_variance_ratio == pytest.approx(
        tuple((s**2 / (s**2).sum())[:2]), abs=1e-12
    )


def test_toy_square_by_hand(toy_store):
    # king, queen, man, woman differ in (royal, male, female) only: the PCA picture is a 2x1
    # rectangle with variance shares 2/3 and 1/3.
    wm = map_words(toy_store, ["king", "queen", "man", "woman"])
    r = np.sqrt(0.5)
    expected = np.array([[r, 0.5], [-r, 0.5], [r, -0.5], [-r, -0.5]])
    assert same_up_to_sign(wm.coords, expected)
    assert wm.projection.explained_variance_ratio == pytest.approx((2 / 3, 1 / 3))


def test_analogy_predicted_point_is_parallelogram_vertex(toy_store):
    wm = map_words(toy_store, ["apple", "car"], analogies=[["king", "man", "woman", "queen"]])
    assert wm.words == ("apple", "car", "king", "man", "woman", "queen")
    (quad,) = wm.analogies
    assert quad.words == ("king", "man", "woman", "queen")
    k, m, w, q = (wm.xy(x) for x in quad.words)
    # PCA is affine: P(king - man + woman) = P(king) - P(man) + P(woman), and in the toy vectors
    # king - man + woman is exactly queen.
    np.testing.assert_allclose(quad.predicted, k - m + w, atol=1e-12)
    np.testing.assert_allclose(quad.predicted, q, atol=1e-6)
    assert quad.label == "king − man + woman"


def test_fit_on_top_n_places_words_in_the_fitted_axes(toy_store):
    wm = map_words(toy_store, ["king", "queen"], fit_on=8)
    fit = toy_store.head(8).vectors.astype(np.float64)
    ref = PCA(n_components=2).fit(fit)
    x = toy_store.subset(["king", "queen"]).vectors.astype(np.float64)
    assert same_up_to_sign(wm.coords, ref.transform(x))
    assert wm.projection.fit_size == 8
    # A single word is fine when the axes come from elsewhere.
    one = map_words(toy_store, ["king"], fit_on=8)
    np.testing.assert_allclose(np.abs(one.coords), np.abs(wm.coords[:1]), atol=1e-12)


def test_normalize_uses_unit_vectors(toy_store):
    words = ["king", "queen", "apple", "car", "the"]
    x = toy_store.subset(words).vectors.astype(np.float64)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    wm = map_words(toy_store, words, normalize=True)
    assert same_up_to_sign(wm.coords, PCA(n_components=2).fit_transform(unit))


@settings(max_examples=40, deadline=None)
@given(
    x=arrays(np.float64, (6, 4), elements=st.floats(-10, 10, allow_nan=False, width=32)),
    shift=arrays(np.float64, (4,), elements=st.floats(-100, 100, allow_nan=False, width=32)),
)
def test_pca_coordinates_are_invariant_to_a_common_shift(x, shift):
    # Two clear directions of spread so that the components are well defined.
    x = x + np.diag([40.0, 20.0, 0, 0])[np.arange(6) % 4]
    a = project(x).coords
    b = project(x + shift).coords
    assert same_up_to_sign(a, b, atol=1e-6)


def test_tsne_equals_scikit_learn_with_same_settings(toy_store):
    words = toy_store.words
    wm = map_words(toy_store, words, method="tsne", perplexity=3.0, seed=7)
    x = toy_store.vectors.astype(np.float64)
    ref = TSNE(
        n_components=2,
        perplexity=3.0,
        random_state=7,
        init="pca",
        learning_rate="auto",
        method="exact",  # what embtool uses below EXACT_TSNE_MAX points
    ).fit_transform(x)
    np.testing.assert_allclose(wm.coords, ref, rtol=1e-6, atol=1e-6)
    assert wm.projection.method is ProjectionMethod.tsne
    assert wm.projection.perplexity == 3.0
    assert wm.projection.explained_variance_ratio is None
    assert wm.notes == ()


def test_tsne_perplexity_is_clamped_for_few_points_with_a_note(toy_store):
    wm = map_words(toy_store, ["king", "queen", "man", "woman", "apple"], method="tsne")
    assert wm.projection.perplexity == pytest.approx(4 / 3)
    assert wm.notes == ("t-SNE perplexity 30 is too large for 5 points; using 1.33333",)
    assert clamp_perplexity(30, 1000) == 30
    assert clamp_perplexity(30, 91) == 30
    assert clamp_perplexity(30, 90) == pytest.approx(89 / 3)
    assert clamp_perplexity(30, 2) == 1.0


def test_tsne_with_fit_on_embeds_fit_words_too(toy_store):
    wm = map_words(toy_store, ["apple", "car"], method="tsne", fit_on=6, seed=1)
    assert wm.coords.shape == (2, 2)
    assert wm.projection.fit_size == 8  # 6 fitting words + the 2 shown


def test_tsne_with_fit_on_embeds_a_word_of_the_fit_set_once(toy_store):
    # With --fit-on top:N the chosen words are usually among the N: each must be one t-SNE point,
    # not two identical ones (a twin at distance 0 skews its neighbourhood).
    top = np.asarray(toy_store.vectors[:6], dtype=np.float64)
    chosen = np.vstack([top[1], top[4], np.asarray(toy_store.vectors[8], dtype=np.float64)])
    proj = project(chosen, "tsne", fit=top, perplexity=2.0, seed=3)
    assert proj.fit_size == 7
    expected = TSNE(
        n_components=2, perplexity=2.0, random_state=3, init="pca", learning_rate="auto",
        method="exact",
    ).fit_transform(np.vstack([top, chosen[2:]]))  # fmt: skip
    np.testing.assert_allclose(proj.coords, expected[[1, 4, 6]], rtol=1e-6, atol=1e-6)


def test_unknown_words_are_all_named(toy_store):
    with pytest.raises(UnknownWordsError) as info:
        map_words(toy_store, ["king", "kingg"], analogies=[["king", "mann", "woman", "queen"]])
    assert info.value.words == ["kingg", "mann"]
    assert "did you mean 'king'" in str(info.value)


def test_skip_unknown_drops_words_and_their_analogies(toy_store):
    wm = map_words(
        toy_store,
        ["king", "kingg", "queen"],
        analogies=[["king", "mann", "woman", "queen"]],
        skip_unknown=True,
    )
    assert wm.words == ("king", "queen", "woman")
    assert wm.analogies == ()
    assert wm.skipped == ("kingg", "mann")


def test_case_folding_and_duplicates(toy_store):
    wm = map_words(toy_store, ["King", "king", "Queen", "man"])
    assert wm.words == ("king", "queen", "man")
    assert wm.folded == (("King", "king"), ("Queen", "queen"))
    with pytest.raises(UnknownWordsError):
        map_words(toy_store, ["King", "queen"], fold_case=False)


def test_groups_take_their_names_first_group_wins(toy_store):
    wm = map_words(
        toy_store,
        ["car", "apple"],
        groups={"fruit": ["apple", "orange"], "royal": ["king", "apple"]},
    )
    assert wm.words == ("car", "apple", "orange", "king")
    assert wm.groups == (None, "fruit", "fruit", "royal")


def test_expand_neighbors_matches_similarity(toy_store):
    from embtool.similarity import neighbors

    groups = expand_neighbors(toy_store, ["King", "apple"], 2)
    (king,) = neighbors(toy_store, ["king"], 2).results
    # cos(king, prince) = 2/sqrt(2.04 * 2.06) = 0.976, cos(king, the) = 0.22/sqrt(2.04 * 0.04)
    # = 0.770, cos(king, queen) = 1.04/2.04 = 0.510.
    assert groups == {"king": ["king", "prince", "the"], "apple": ["apple", "orange", "car"]}
    assert groups["king"][1:] == [n.word for n in king.neighbors]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"words": ["king"]}, "PCA needs at least 2 words, got 1 ('king')"),
        ({"words": ["king", "queen"], "method": "tsne"}, "t-SNE needs at least 3 points, got 2"),
        ({"words": []}, "no words to plot"),
        ({"words": ["king", "queen"], "fit_on": 1}, "fit on at least 2 words"),
        ({"analogies": [["king", "man", "woman"]]}, "analogy 1 needs 4 words"),
    ],
)
def test_bad_requests_raise_plot_errors(toy_store, kwargs, message):
    words = kwargs.pop("words", [])
    with pytest.raises(PlotError, match=message.replace("(", r"\(").replace(")", r"\)")):
        map_words(toy_store, words, **kwargs)


def test_project_rejects_one_dimension_and_nan():
    with pytest.raises(PlotError, match="1 dimension"):
        project(np.ones((3, 1)))
    bad = np.ones((3, 3))
    bad[1, 1] = np.nan
    with pytest.raises(PlotError, match="NaN"):
        project(bad)


def test_tiny_store_five_dims_few_words():
    # The classroom GloVe example: a handful of words in 5 dimensions.
    rng = np.random.default_rng(0)
    store = VectorStore(["the", "cat", "sat"], rng.normal(size=(3, 5)).astype(np.float32))
    wm = map_words(store, ["cat", "sat"])
    assert wm.coords.shape == (2, 2)
    # Two points: all variance on PC1, they sit symmetric about the origin.
    assert wm.projection.explained_variance_ratio == pytest.approx((1.0, 0.0), abs=1e-9)
    np.testing.assert_allclose(wm.coords[0], -wm.coords[1], atol=1e-9)
    wm3 = map_words(store, store.words)
    assert wm3.coords.shape == (3, 2)
    assert sum(wm3.projection.explained_variance_ratio) == pytest.approx(1.0)


def test_parse_fit_on():
    assert parse_fit_on("top:1000") == 1000
    assert parse_fit_on("TOP: 50") == 50
    for bad in ("1000", "top:", "top:1", "bottom:5", "top:x"):
        with pytest.raises(PlotError, match="expected top:N"):
            parse_fit_on(bad)


# -- bias axes -----------------------------------------------------------------------------------
GENDER_PATH = FIXTURES / "gender_toy.txt"
JOBS = ["nurse", "engineer", "doctor", "teacher", "carpenter"]


def test_bias_map_x_is_cosine_with_direction_y_is_pca_of_the_rest():
    from embtool.bias import bias_direction

    store = load_vectors(GENDER_PATH)
    d = bias_direction(store)
    bm = bias_map(store, JOBS, d)
    assert bm.words == tuple(JOBS)
    unit = store.subset(JOBS).vectors.astype(np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    np.testing.assert_allclose(bm.coords[:, 0], unit @ d.vector, atol=1e-12)
    rest = unit - np.outer(unit @ d.vector, d.vector)
    ref = PCA(n_components=1).fit(rest)
    assert same_up_to_sign(bm.coords[:, 1:], ref.transform(rest))
    assert bm.y_explained_variance_ratio == pytest.approx(ref.explained_variance_ratio_[0])
    # The toy puts nurse on the she side and engineer on the he side.
    assert bm.coords[0, 0] > 0 > bm.coords[1, 0]


def test_bias_map_second_direction_from_a_pair():
    from embtool.bias import bias_direction

    store = load_vectors(GENDER_PATH)
    d = bias_direction(store, [("she", "he")], method="pair")
    y = bias_direction(store, [("mother", "father")], method="pair")
    bm = bias_map(store, ["Nurse", "engineer"], d, y_direction=y)
    assert bm.words == ("nurse", "engineer") and bm.folded == (("Nurse", "nurse"),)
    u = store.subset(["nurse", "engineer", "mother", "father", "she", "he"]).vectors
    u = u.astype(np.float64)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    g = (u[4] - u[5]) / np.linalg.norm(u[4] - u[5])
    h = (u[2] - u[3]) / np.linalg.norm(u[2] - u[3])
    np.testing.assert_allclose(bm.coords, np.column_stack([u[:2] @ g, u[:2] @ h]), atol=1e-12)
    assert bm.y_explained_variance_ratio is None


def test_bias_map_errors():
    from embtool.bias import bias_direction

    store = load_vectors(GENDER_PATH)
    d = bias_direction(store)
    with pytest.raises(UnknownWordsError, match="'nursse'"):
        bias_map(store, ["nursse", "doctor"], d)
    assert bias_map(store, ["nursse", "doctor", "nurse"], d, skip_unknown=True).missing == (
        "nursse",
    )
    with pytest.raises(PlotError, match="needs at least 2 words, got 1"):
        bias_map(store, ["nurse"], d)
    with pytest.raises(PlotError, match="none of the 1 words"):
        bias_map(store, ["zzz"], d, skip_unknown=True)
