"""Queries on words outside the vocabulary of a fastText store: vectors from n-grams, as gensim."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool.cli import app
from embtool.corpus import Corpus
from embtool.training import train
from embtool.vectors import load_vectors, save_vectors
from tests.test_training import synthetic_lines
from tests.training.test_fasttext import gensim_fasttext, small

runner = CliRunner()


@pytest.fixture(scope="module")
def ft(tmp_path_factory) -> tuple[Path, object]:
    """A saved fastText store and gensim's model trained identically (one worker)."""
    d = tmp_path_factory.mktemp("ft")
    corpus = d / "tok.txt"
    corpus.write_text("\n".join(synthetic_lines()) + "\n")
    store = train(small(), Corpus([corpus], tokenizer="whitespace"))
    save_vectors(store, d / "store")
    return d / "store", gensim_fasttext(corpus, sg=1)


def run(*args: str) -> tuple[object, str]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_neighbors_of_unseen_word_equal_gensim(ft):
    store, ref = ft
    out, err = run("neighbors", "w1x", "w2", "-k", "5", "--vectors", str(store), "-f", "json")
    assert out[0]["oov"] is True and out[0]["oov_words"] == ["w1x"]
    assert "oov" not in out[1]
    assert "'w1x' is not in the vectors; its vector is built from its character n-grams" in err
    expected = ref.wv.most_similar("w1x", topn=5)
    assert [n["word"] for n in out[0]["neighbors"]] == [w for w, _ in expected]
    np.testing.assert_allclose(
        [n["score"] for n in out[0]["neighbors"]], [s for _, s in expected], atol=1e-5
    )


def test_similarity_analogy_and_odd_one_out_accept_unseen_words(ft):
    store, ref = ft
    out, _ = run("similarity", "w1x", "w3", "--vectors", str(store), "-f", "json")
    assert out[0]["oov"] is True
    assert out[0]["similarity"] == pytest.approx(float(ref.wv.similarity("w1x", "w3")), abs=1e-5)
    out, _ = run("analogy", "w1x", "w2", "w3", "--vectors", str(store), "-f", "json", "-k", "3")
    assert out[0]["oov_words"] == ["w1x"]
    # w1x - w2 + w3 by 3CosAdd, as gensim's most_similar(positive=[w1x, w3], negative=[w2])
    expected = ref.wv.most_similar(positive=["w1x", "w3"], negative=["w2"], topn=3)
    assert [a["word"] for a in out[0]["answers"]] == [w for w, _ in expected]


def test_word_with_no_known_ngram_is_still_unknown(ft):
    store, _ = ft
    result = runner.invoke(app, ["neighbors", "W7", "--exact-case", "--vectors", str(store)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: 1 word not in vectors (store): 'W7' (did you mean 'w7'?) (no character n-gram "
        "of theirs is known to these fastText subwords either)"
    ]


def test_sentence_and_plot_use_built_vectors(ft, tmp_path):
    store, ref = ft
    out, _ = run(
        "sentence",
        "similarity",
        "w1x w2",
        "w2 w3",
        "--explain",
        "--vectors",
        str(store),
        "-f",
        "json",
    )
    assert out[0]["oov_words"] == ["w1x"] and out[0]["unknown"] == []
    assert "oov" not in out[1]
    out, _ = run("sentence", "similarity", "w1x w2", "w2 w3", "--vectors", str(store), "-f", "json")
    mean_a = (ref.wv["w1x"] + ref.wv["w2"]) / 2
    mean_b = (ref.wv["w2"] + ref.wv["w3"]) / 2
    cos = mean_a @ mean_b / np.linalg.norm(mean_a) / np.linalg.norm(mean_b)
    assert out[0]["similarity"] == pytest.approx(float(cos), abs=1e-5)
    out, _ = run("plot", "words", "w1x", "w2", "w3", "--vectors", str(store), "-f", "json")
    points = {p["word"]: p for p in out["points"]}
    assert points["w1x"]["oov"] is True and "oov" not in points["w2"]


def test_evaluate_reports_accuracy_both_ways(ft, tmp_path):
    store, _ = ft
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("w1 w2 3\nw1x w3 2\nw2 w4 1\nw3 w1y 4\nw5 w6 2\n")
    out, err = run("evaluate", str(store), "--similarity", str(pairs), "-f", "json")
    assert "has fastText subwords: also scoring it with OOV words built" in err
    plain, built = out
    assert (plain["store"], plain["used"], plain["oov_words"]) == ("store", 3, ["w1x", "w1y"])
    assert "oov_from_subwords" not in plain
    assert (built["store"], built["used"], built["oov_words"]) == ("store+subwords", 5, [])
    assert built["oov_from_subwords"] is True


def test_store_reopened_answers_like_in_memory(ft):
    store, ref = ft
    s = load_vectors(store)
    for word in ["w1x", "w12w3", "xw5"]:
        (res,) = s.resolve([word])
        assert res.oov
        np.testing.assert_allclose(s.rows([res.row])[0], ref.wv[word], atol=1e-6)


def test_evaluate_both_methods_on_a_subword_store(ft, tmp_path):
    """-m add -m mul: both runs (plain and +subwords) carry both methods, rows aligned by store."""
    store, _ = ft
    bench = tmp_path / "ana.txt"
    bench.write_text(": s\nw1 w2 w3 w4\nw1x w2 w3 w4\nw5 w6 w7 w8\n")
    args = ["evaluate", str(store), "-a", str(bench), "-m", "add", "-m", "mul", "-f", "json"]
    out, _ = run(*args)
    assert [(r["store"], r["method"]) for r in out] == [
        ("store", "add"),
        ("store", "mul"),
        ("store+subwords", "add"),
        ("store+subwords", "mul"),
    ]
    assert out[0]["answered"] == 2 and out[2]["answered"] == 3  # w1x built from n-grams
    table = runner.invoke(app, [*args[:-2], "-f", "tsv"])
    assert table.exit_code == 0, table.stderr
    assert {line.split("\t")[2] for line in table.stdout.splitlines()[1:]} == {
        "accuracy (add)",
        "accuracy (mul)",
    }
