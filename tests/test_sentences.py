"""Sentence vectors (mean, weighted, SIF) and STS against independent NumPy/sklearn references."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool import VectorStore
from embtool.cli import app
from embtool.corpus import make_tokenizer
from embtool.errors import BenchmarkError, UsageError
from embtool.evaluation.sts import evaluate_sts, read_sts
from embtool.resources import default_vectors_path
from embtool.sentences import SentenceError, read_frequencies, sentence_vectors
from embtool.vectors import load_vectors
from tests.helpers import FIXTURES, SHARED_DATA, TOY_PATH, run_embtool

TOK = make_tokenizer("whitespace")
SENTS = ["king queen", "man woman the", "apple orange", "prince princess king", "car the"]


@pytest.fixture(scope="module")
def counted() -> VectorStore:
    toy = load_vectors(TOY_PATH)
    return VectorStore(toy.words, np.asarray(toy.vectors), counts=np.arange(100, 100 + len(toy)))


@pytest.fixture(scope="module")
def shipped() -> VectorStore:
    return load_vectors(default_vectors_path())


def reference(store, sents, a, method, npc=1):
    """PrincetonML/SIF, rewritten from its source: weighted average, then remove pc via SVD."""
    words = store.words
    vecs = np.asarray(store.vectors, dtype=np.float64)
    counts = store.counts.astype(np.float64)
    p = counts / counts.sum()
    emb = []
    for s in sents:
        idx = [words.index(w) for w in s.split() if w in words]
        w = np.ones(len(idx)) if method == "mean" else a / (a + p[idx])
        emb.append(w @ vecs[idx] / len(idx))
    emb = np.array(emb)
    if method == "sif":
        from sklearn.decomposition import TruncatedSVD

        svd = TruncatedSVD(n_components=npc, n_iter=7, random_state=0).fit(emb)
        pc = svd.components_
        emb = (
            emb - emb.dot(pc.transpose()).dot(pc) if npc > 1 else emb - emb.dot(pc.transpose()) * pc
        )
    return emb


@pytest.mark.parametrize("method", ["mean", "weighted", "sif"])
def test_methods_match_reference_on_toy(counted, method):
    got = sentence_vectors(counted, SENTS, TOK, method=method, a=0.01)
    assert np.allclose(got.vectors, reference(counted, SENTS, 0.01, method), atol=1e-6)


def test_sif_two_components_and_orthogonal_to_removed(counted):
    got = sentence_vectors(counted, SENTS, TOK, method="sif", a=0.01, components=2)
    assert np.allclose(got.vectors, reference(counted, SENTS, 0.01, "sif", 2), atol=1e-6)
    assert np.allclose(got.vectors @ got.components.T, 0, atol=1e-9)


def test_sif_matches_reference_on_shipped_vectors(shipped):
    sents = [
        "the cat sat on the mat",
        "a dog ran in the park",
        "stocks fell sharply today",
        "the market closed lower",
        "she plays the piano",
    ]
    tok = make_tokenizer("regex")
    for method in ("weighted", "sif"):
        got = sentence_vectors(shipped, sents, tok, method=method)
        idx = [[shipped.index[w] for w in tok(s)] for s in sents]
        counts = shipped.counts.astype(np.float64)
        p = counts / counts.sum()
        emb = np.array(
            [(1e-3 / (1e-3 + p[i])) @ np.asarray(shipped.rows(i), np.float64) / len(i) for i in idx]
        )
        if method == "sif":
            _, _, vt = np.linalg.svd(emb, full_matrices=False)  # plain SVD: same first direction
            pc = vt[:1]
            emb = emb - emb @ pc.T @ pc
        assert np.allclose(got.vectors, emb, atol=1e-6)


def test_mean_ignores_word_order_and_counts_unknown(counted):
    got = sentence_vectors(counted, ["king man zzz", "man king"], TOK)
    assert np.allclose(got.vectors[0], got.vectors[1])
    assert got.sentences[0].unknown == ("zzz",)


def test_bad_sentences(counted):
    with pytest.raises(SentenceError, match="sentence 2 is empty"):
        sentence_vectors(counted, ["king", "  "], TOK)
    with pytest.raises(SentenceError, match="sentence 1 has no word in the vectors"):
        sentence_vectors(counted, ["zzz yyy", "king"], TOK)
    kept = sentence_vectors(counted, ["zzz yyy", "king"], TOK, skip_unknown=True)
    assert kept.positions == (1,) and kept.skipped[0].text == "zzz yyy"
    with pytest.raises(SentenceError, match="no word counts"):
        sentence_vectors(load_vectors(TOY_PATH), ["king"], TOK, method="sif")
    with pytest.raises(UsageError):
        sentence_vectors(counted, ["king", "queen"], TOK, method="sif", a=0)


def test_frequencies_file_replaces_counts(tmp_path):
    toy = load_vectors(TOY_PATH)
    f = tmp_path / "freq.tsv"
    f.write_text("king\t1\nqueen\t3\n")
    got = sentence_vectors(
        toy, ["king queen"], TOK, method="weighted", a=1.0, frequencies=read_frequencies(f)
    )
    expected = (1 / 1.25 * toy["king"] + 1 / 1.75 * toy["queen"]) / 2
    assert np.allclose(got.vectors[0], expected, atol=1e-6)


def test_read_sts_formats_and_errors():
    bench = read_sts(FIXTURES / "sts_toy.tsv")
    assert len(bench.pairs) == 5 and bench.pairs[0].score == 4.5
    with pytest.raises(BenchmarkError, match="line 2: expected"):
        read_sts(FIXTURES / "sts_bad_fields.tsv")
    with pytest.raises(BenchmarkError, match="line 2: score 'x'"):
        read_sts(FIXTURES / "sts_bad_score.tsv")


def test_evaluate_sts_matches_scipy(counted):
    from scipy import stats

    bench = read_sts(FIXTURES / "sts_toy.tsv")
    r = evaluate_sts(counted, bench, TOK, method="mean")
    ref = reference(
        counted, [p.s1 for p in bench.pairs] + [p.s2 for p in bench.pairs], 1e-3, "mean"
    )
    cos = np.einsum("ij,ij->i", ref[:5], ref[5:]) / (
        np.linalg.norm(ref[:5], axis=1) * np.linalg.norm(ref[5:], axis=1)
    )
    gold = [p.score for p in bench.pairs]
    assert r.pearson == pytest.approx(100 * stats.pearsonr(gold, cos)[0], abs=1e-6)
    assert r.spearman == pytest.approx(100 * stats.spearmanr(gold, cos)[0], abs=1e-6)
    assert r.used == 5


@pytest.mark.slow
def test_sts_benchmark_sif_beats_mean(shipped):
    bench = read_sts(SHARED_DATA / "eval" / "sentence" / "stsbenchmark" / "sts-test.csv")
    assert len(bench.pairs) == 879
    tok = make_tokenizer("regex")
    mean = evaluate_sts(shipped, bench, tok, method="mean")
    sif = evaluate_sts(shipped, bench, tok, method="sif")
    assert sif.spearman > mean.spearman + 10


runner = CliRunner()


def test_cli_similarity_json_and_errors():
    res = runner.invoke(
        app, ["sentence", "similarity", "dog bites man", "man bites dog", "-f", "json"]
    )
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)[0]["similarity"] == pytest.approx(1.0, abs=1e-9)
    res = runner.invoke(app, ["sentence", "similarity", "king", "--vectors", str(TOY_PATH)])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    res = runner.invoke(
        app, ["sentence", "similarity", "king", "queen", "-m", "sif", "--vectors", str(TOY_PATH)]
    )
    assert res.exit_code == 1 and "no word counts" in res.stderr and res.stdout == ""


def test_cli_evaluate_sts_subprocess(toy_store_dir):
    res = run_embtool(
        "evaluate",
        "--vectors",
        str(toy_store_dir),
        "--sts",
        str(FIXTURES / "sts_toy.tsv"),
        "--sentence-method",
        "mean,sif",
        "-f",
        "json",
    )
    assert res.returncode == 0, res.stderr
    recs = json.loads(res.stdout)
    assert [r["method"] for r in recs] == ["mean", "sif"] and recs[0]["used"] == 5
    bad = run_embtool(
        "evaluate",
        "--vectors",
        str(toy_store_dir),
        "--sts",
        str(FIXTURES / "sts_bad_fields.tsv"),
    )
    assert bad.returncode == 1 and "line 2" in bad.stderr and bad.stderr.count("\n") == 1


def test_cli_vectors_writes_file(tmp_path):
    src = tmp_path / "s.txt"
    src.write_text("king queen\nman woman\n")
    out = tmp_path / "s.vec"
    res = runner.invoke(
        app, ["sentence", "vectors", str(src), "--out", str(out), "--vectors", str(TOY_PATH)]
    )
    assert res.exit_code == 0, res.stderr
    back = load_vectors(out)
    toy = load_vectors(TOY_PATH)
    assert back.words == ["king_queen", "man_woman"]
    assert np.allclose(back["king_queen"], (toy["king"] + toy["queen"]) / 2, atol=1e-6)
