"""Vectors by name in the library: ``default``, downloaded sets and ``EMBTOOL_VECTORS``."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import embtool
from embtool.cli import app
from embtool.errors import VectorFileError
from embtool.resources import default_vectors_path, downloaded_store_path
from embtool.vectors import VectorStore, save_vectors
from embtool.vectors.names import resolve_vectors
from tests.helpers import TOY_PATH

needs_default = pytest.mark.skipif(
    not default_vectors_path().exists(), reason="the shipped default vectors are not installed"
)


@needs_default
def test_load_vectors_default_opens_the_shipped_vectors(monkeypatch):
    monkeypatch.delenv("EMBTOOL_VECTORS", raising=False)
    store = embtool.load_vectors("default")
    assert store.path == default_vectors_path()
    assert embtool.load_vectors().path == default_vectors_path()


def test_load_vectors_opens_a_downloaded_set_by_name(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("EMBTOOL_HOME", str(tmp_path / "home"))
    words = ["king", "queen", "man"]
    target = downloaded_store_path("glove-wiki-gigaword-50")
    target.parent.mkdir(parents=True)
    save_vectors(VectorStore(words, np.eye(3, dtype=np.float32)), target)
    store = embtool.load_vectors("glove-wiki-gigaword-50")
    assert store.words == words
    assert store.path == target


def test_no_name_means_embtool_vectors(tmp_path: Path, monkeypatch):
    path = save_vectors(VectorStore(["a", "b"], np.eye(2, dtype=np.float32)), tmp_path / "s")
    monkeypatch.setenv("EMBTOOL_VECTORS", str(path))
    assert resolve_vectors(None) == path
    assert embtool.load_vectors().words == ["a", "b"]


def test_an_unknown_name_says_how_to_fetch_it(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("EMBTOOL_HOME", str(tmp_path / "home"))
    with pytest.raises(VectorFileError, match="run: embtool download nosuchset"):
        resolve_vectors("nosuchset")
    with pytest.raises(VectorFileError, match="no such file or directory"):
        embtool.load_vectors("nosuchset")


def test_a_plain_text_corpus_given_as_vectors_points_to_train(tmp_path: Path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the king spoke to the queen\nand the man met a woman there\n")
    with pytest.raises(VectorFileError, match=r"plain text, not vectors.*embtool\.training\.train"):
        embtool.load_vectors(corpus)
    result = CliRunner().invoke(app, ["similarity", "king", "queen", "--vectors", str(corpus)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "looks like plain text" in lines[0] and "embtool train" in lines[0]


def test_stanford_glove_header_without_the_unk_row_is_read(tmp_path: Path):
    # glove's -write-header 1 counts the vocabulary but then appends an <unk> row it did not count
    path = tmp_path / "vectors.txt"
    path.write_text("2 3\nking 1 0 0\nqueen 0 1 0\n<unk> 0.5 0.5 0\n")
    store = embtool.load_vectors(path)
    assert store.words == ["king", "queen", "<unk>"]
    assert np.array_equal(store.vector("<unk>"), np.array([0.5, 0.5, 0], dtype=np.float32))
    assert "<unk>" in store.meta["notes"][0]
    path.write_text("2 3\nking 1 0 0\nqueen 0 1 0\n<unk> 0.5 0.5 0\nextra 1 1 1\n")
    with pytest.raises(VectorFileError, match="more vector lines"):
        embtool.load_vectors(path)
    path.write_text("2 3\nking 1 0 0\nqueen 0 1 0\nprince 0.5 0.5 0\n")
    with pytest.raises(VectorFileError, match="more vector lines"):
        embtool.load_vectors(path)


def test_the_glove_unk_note_is_shown_on_stderr_by_queries_and_info(tmp_path: Path):
    path = tmp_path / "vectors.txt"
    path.write_text("2 3\nking 1 0 0\nqueen 0 1 0\n<unk> 0.5 0.5 0\n")
    result = CliRunner().invoke(app, ["similarity", "king", "queen", "--vectors", str(path)])
    assert result.exit_code == 0, result.output
    assert "<unk>" not in result.stdout
    assert "also read the extra <unk> row" in result.stderr
    result = CliRunner().invoke(app, ["info", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "also read the extra <unk> row" in result.stderr
    assert json.loads(result.stdout)["words"] == 3
    result = CliRunner().invoke(app, ["similarity", "king", "queen", "--vectors", str(TOY_PATH)])
    assert "<unk>" not in result.stderr


def test_a_float16_store_holding_inf_is_refused_naming_the_word(tmp_path: Path):
    from embtool import similarity

    vectors = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float16)
    path = save_vectors(VectorStore(["a", "b", "c"], vectors), tmp_path / "s", dtype="float16")
    npy = np.load(path / "vectors.npy")
    npy[1, 0] = np.inf
    np.save(path / "vectors.npy", npy)
    store = embtool.load_vectors(path)
    with pytest.raises(VectorFileError, match=r"the vector of 'b' \(row 2\) has a NaN or infinite"):
        store.norms  # noqa: B018
    with pytest.raises(VectorFileError, match="'b'"):
        similarity.neighbors(embtool.load_vectors(path), ["a"], k=2)
