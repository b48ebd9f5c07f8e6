"""fastText interop: Facebook .bin in and out (through gensim), .vec out, damaged stores and files."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool.cli import app
from embtool.errors import OutputError, VectorFileError
from embtool.inspection import inspect_vectors
from embtool.pretrained import subwords_note
from embtool.vectors import VectorFormat, load_vectors, save_vectors, sniff_format
from tests.test_training import synthetic_lines

runner = CliRunner()
OOV = ["w1x", "w12w3", "xw5"]


@pytest.fixture(scope="module")
def fb(tmp_path_factory) -> tuple[Path, object]:
    """A Facebook-format .bin written by gensim, and the gensim model it came from."""
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model

    d = tmp_path_factory.mktemp("fb")
    corpus = d / "tok.txt"
    corpus.write_text("\n".join(synthetic_lines()) + "\n")
    model = FastText(
        corpus_file=str(corpus),
        vector_size=8,
        min_count=2,
        epochs=2,
        seed=3,
        workers=1,
        bucket=3000,
    )
    save_facebook_model(model, str(d / "model.bin"))
    return d / "model.bin", model


def test_reads_facebook_bin_with_subwords(fb):
    path, model = fb
    assert sniff_format(path) is VectorFormat.fasttext_bin
    store = load_vectors(path)
    assert store.words == model.wv.index_to_key
    np.testing.assert_allclose(np.asarray(store.vectors), model.wv.vectors, atol=1e-6)
    assert (store.subwords.min_n, store.subwords.max_n, store.subwords.bucket) == (3, 6, 3000)
    for word in OOV:
        np.testing.assert_allclose(store.oov_vector(word), model.wv[word], atol=1e-6)


def test_bin_to_store_to_bin_round_trip(fb, tmp_path):
    from gensim.models.fasttext import load_facebook_model

    path, model = fb
    runner.invoke(app, ["convert", str(path), str(tmp_path / "st")], catch_exceptions=False)
    info = inspect_vectors(tmp_path / "st")
    assert info.oov_vectors and info.subwords["bucket"] == 3000
    result = runner.invoke(
        app, ["convert", str(tmp_path / "st"), str(tmp_path / "out.bin"), "--to", "fasttext-bin"]
    )
    assert result.exit_code == 0, result.stderr
    again = load_facebook_model(str(tmp_path / "out.bin"))
    for word in model.wv.index_to_key:
        np.testing.assert_allclose(again.wv[word], model.wv[word], atol=1e-5)
    for word in OOV:
        np.testing.assert_allclose(again.wv[word], model.wv[word], atol=1e-5)


def test_vec_output_says_subwords_are_lost(fb, tmp_path):
    path, model = fb
    result = runner.invoke(app, ["convert", str(path), str(tmp_path / "m.vec"), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert "carries no subwords" in result.stderr
    vec = load_vectors(tmp_path / "m.vec")
    assert vec.subwords is None and vec.words == model.wv.index_to_key


def test_store_without_subwords_cannot_become_a_bin(tmp_path):
    store = load_vectors("default").head(10)
    with pytest.raises(OutputError, match="has no subwords"):
        save_vectors(store, tmp_path / "x.bin", "fasttext-bin")
    assert not (tmp_path / "x.bin").exists()


def test_corrupt_bin_is_one_line_and_writes_nothing(fb, tmp_path):
    path, _ = fb
    bad = tmp_path / "bad.bin"
    bad.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(VectorFileError, match=r"not a readable fastText \.bin model"):
        load_vectors(bad)
    result = runner.invoke(app, ["convert", str(bad), str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"error: {bad}: not a readable fastText .bin model (corrupt")
    assert not any(line.startswith("Traceback") for line in lines)
    assert not (tmp_path / "out").exists()


def test_missing_or_misshapen_ngram_file_is_one_line(fb, tmp_path):
    path, _ = fb
    store = load_vectors(path)
    save_vectors(store, tmp_path / "st")
    for damage, message in [
        ("missing", "missing: meta.json says this store keeps subwords (fastText n-grams)"),
        ("shape", "wrong shape: 10 x 8, but meta.json says bucket 3,000 x 8 dims"),
    ]:
        broken = tmp_path / damage
        shutil.copytree(tmp_path / "st", broken)
        (broken / "ngrams.npy").unlink()
        if damage == "shape":
            np.save(broken / "ngrams.npy", np.zeros((10, 8), dtype=np.float32))
        result = runner.invoke(app, ["neighbors", "w1", "--vectors", str(broken)])
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [f"error: {broken / 'ngrams.npy'}: {message}"]


def test_info_says_whether_unseen_words_get_vectors(fb, tmp_path):
    path, _ = fb
    result = runner.invoke(app, ["info", str(path), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["oov_vectors"] is True
    assert record["subwords"]["hash"] == "fasttext-fnv1a32-signed-char"
    result = runner.invoke(app, ["info", "default", "-f", "tsv"])
    assert "unseen words\tunknown (no subwords" in result.stdout


def test_download_of_the_subword_set_says_it_has_none():
    assert "has no subwords" in subwords_note("fasttext-wiki-news-subwords-300")
    assert subwords_note("glove-wiki-gigaword-50") is None
