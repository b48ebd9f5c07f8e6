"""Attention weights and outputs against an independent NumPy reference; CLI contracts."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool.attention import AttentionError, attend, sinusoidal_positions
from embtool.cli import app
from embtool.resources import default_vectors_path
from embtool.vectors import load_vectors
from tests.helpers import TOY_PATH, run_embtool

runner = CliRunner()


def ref_softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def ref_pe(n, d):
    pe = np.zeros((n, d))
    for pos in range(n):
        for i in range(d):
            angle = pos / 10000 ** ((i - i % 2) / d)
            pe[pos, i] = np.sin(angle) if i % 2 == 0 else np.cos(angle)
    return pe


@pytest.fixture(scope="module")
def toy():
    return load_vectors(TOY_PATH)


def test_cos_attention_matches_reference_and_diagonal_dominates(toy):
    words = ["king", "queen", "man", "apple"]
    e = np.array([toy[w] for w in words], dtype=np.float64)
    got = attend(words, e, temperature=0.5)
    u = e / np.linalg.norm(e, axis=1, keepdims=True)
    p = ref_softmax(u @ u.T / 0.5)
    assert np.allclose(got.weights[0], p, atol=1e-12)
    assert np.allclose(got.outputs, p @ e, atol=1e-12)
    assert np.allclose(got.weights.sum(axis=-1), 1, atol=1e-6)
    assert (np.argmax(got.weights[0], axis=1) == np.arange(4)).all()


def test_positions_match_reference():
    assert np.allclose(sinusoidal_positions(7, 6), ref_pe(7, 6), atol=1e-12)


def test_dot_heads_random_on_shipped_vectors():
    store = load_vectors(default_vectors_path())
    words = ["the", "dog", "bites", "the", "man"]
    e = store.rows([store.index[w] for w in words]).astype(np.float64)
    got = attend(words, e, score="dot", projection="random", heads=3, seed=7, positions=True)
    x = e + ref_pe(5, 300)
    rng = np.random.default_rng(7)
    ws = []
    for _ in range(3):
        q, r = np.linalg.qr(rng.standard_normal((300, 300)))
        ws.append(q * np.sign(np.diag(r)))
    q, k, v = x @ ws[0], x @ ws[1], x @ ws[2]
    outs = []
    for h in range(3):
        s = slice(100 * h, 100 * h + 100)
        p = ref_softmax(q[:, s] @ k[:, s].T / 10.0)
        assert np.allclose(got.weights[h], p, atol=1e-6)
        outs.append(p @ v[:, s])
    assert np.allclose(got.outputs, np.hstack(outs), atol=1e-6)
    assert np.allclose(got.weights.sum(axis=-1), 1, atol=1e-6)
    assert np.allclose(ws[0].T @ ws[0], np.eye(300), atol=1e-9)


def test_word_order_mean_identical_attention_differs():
    store = load_vectors(default_vectors_path())
    a, b = ["dog", "bites", "man"], ["man", "bites", "dog"]
    ea = store.rows([store.index[w] for w in a]).astype(np.float64)
    eb = store.rows([store.index[w] for w in b]).astype(np.float64)
    assert np.allclose(ea.mean(axis=0), eb.mean(axis=0))
    pa = attend(a, ea, score="dot", positions=True).outputs
    pb = attend(b, eb, score="dot", positions=True).outputs
    assert not np.allclose(pa[0], pb[2], atol=1e-3)  # 'dog' in the two orders
    na = attend(a, ea, score="dot").outputs
    nb = attend(b, eb, score="dot").outputs
    assert np.allclose(na[0], nb[2])  # without positions, the same


def test_bad_inputs(toy):
    with pytest.raises(AttentionError, match="at least 2 words"):
        attend(["king"], toy["king"][None])
    with pytest.raises(AttentionError, match="does not divide"):
        attend(["king", "man"], np.stack([toy["king"], toy["man"]]), score="dot", heads=3)


def test_cli_weights_json_heatmap_and_errors(tmp_path):
    out = tmp_path / "att.svg"
    res = runner.invoke(
        app,
        [
            "attention",
            "weights",
            "king queen man",
            "--vectors",
            str(TOY_PATH),
            "--score",
            "dot",
            "--heads",
            "2",
            "--out",
            str(out),
            "-f",
            "json",
        ],
    )
    assert res.exit_code == 0, res.stderr
    recs = json.loads(res.stdout)
    assert len(recs) == 6 and sum(recs[0]["weights"].values()) == pytest.approx(1, abs=1e-6)
    assert out.read_text().count("head-") == 2
    res = runner.invoke(app, ["attention", "weights", "king", "--vectors", str(TOY_PATH)])
    assert res.exit_code == 1 and res.stderr.startswith("error:") and res.stderr.count("\n") == 1
    bad = run_embtool(
        "attention",
        "weights",
        "king man",
        "--vectors",
        str(TOY_PATH),
        "--score",
        "dot",
        "--heads",
        "3",
    )
    assert bad.returncode == 1 and "does not divide" in bad.stderr and bad.stdout == ""


def test_cli_predict_and_neighbors():
    res = runner.invoke(
        app, ["attention", "weights", "apple iphone screen", "-k", "3", "-f", "json"]
    )
    assert res.exit_code == 0, res.stderr
    near = [n["word"] for n in json.loads(res.stdout)[0]["neighbors"]]
    assert "iphone" in near or "ipad" in near
    res = runner.invoke(app, ["attention", "predict", "the united", "-f", "json"])
    assert json.loads(res.stdout)["next"][0]["word"] == "states"
