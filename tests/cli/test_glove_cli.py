"""The `embtool cooccur` and `embtool train --method glove` contracts."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool.cli import app
from embtool.training.cooccurrence import load_cooccurrence
from embtool.vectors.io import load_vectors
from tests.helpers import REPO_ROOT, run_embtool
from tests.test_training import synthetic_lines

runner = CliRunner()
CLASSROOM = (
    "i love machine learning\ni love deep learning\nmachine learning is fun\ndeep learning is fun\n"
)
GLOVE_FAST = ["--method", "glove", "--dim", "6", "--epochs", "3", "--min-count", "2"]


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


@pytest.fixture
def classroom(tmp_path: Path) -> Path:
    p = tmp_path / "classroom.txt"
    p.write_text(CLASSROOM)
    return p


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    p = tmp_path / "corpus.txt"
    p.write_text("\n".join(synthetic_lines(300)) + "\n")
    return p


# -- embtool cooccur -----------------------------------------------------------------------------
def test_cooccur_top_pairs_tsv(classroom):
    result = invoke(
        "cooccur", str(classroom), "-w", "2", "--min-count", "1", "--top", "6", "-f", "tsv"
    )
    assert result.exit_code == 0, result.stderr
    lines = [line.split("\t") for line in result.stdout.strip().split("\n")]
    assert lines[0] == ["rank", "word", "context", "count"]
    got = [(w, c, float(x)) for _, w, c, x in lines[1:]]
    assert got == [
        ("learning", "deep", 2.0), ("learning", "is", 2.0), ("learning", "machine", 2.0),
        ("fun", "is", 2.0), ("i", "love", 2.0), ("learning", "fun", 1.0),
    ]  # fmt: skip
    assert "note: counted 26 nonzero co-occurrences of 7 words in 16 tokens" in result.stderr


def test_cooccur_writes_file_and_summary(classroom, tmp_path):
    out = tmp_path / "c.npz"
    result = invoke(
        "cooccur", str(classroom), "-w", "2", "--min-count", "1", "-o", str(out), "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["out"] == str(out) and record["nonzeros"] == 26 and record["vocabulary_size"] == 7
    assert record["window"] == 2 and record["symmetric"] is True and record["corpus_tokens"] == 16
    cooc = load_cooccurrence(out)
    i = cooc.vocab.index
    assert cooc.to_scipy()[i["love"], i["machine"]] == 1.0
    assert cooc.to_scipy()[i["machine"], i["i"]] == 0.5


def test_cooccur_asymmetric_counts_left_context(classroom):
    result = invoke("cooccur", str(classroom), "-w", "1", "--min-count", "1", "--asymmetric",
                    "--top", "6", "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # left context only, (left word, right word): every adjacent pair occurs twice or once
    got = [(r["word"], r["context"], r["count"]) for r in json.loads(result.stdout)]
    assert got == [
        ("learning", "is", 2.0), ("deep", "learning", 2.0), ("i", "love", 2.0),
        ("is", "fun", 2.0), ("machine", "learning", 2.0), ("love", "deep", 1.0),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ([], 2, "error: nothing to do: pass --out FILE to save the counts and/or --top N"),
        (["--top", "3", "--min-count", "9"], 1, "error: no word occurs at least 9 times"),
        (
            ["--top", "3", "--min-count", "1", "--memory", "0.001"],
            1,
            "error: --memory 0.001 GB is too small",
        ),
        (["--top", "3", "--memory", "0"], 2, "error: --memory must be greater than 0"),
    ],
)
def test_cooccur_errors(classroom, args, code, message):
    result = invoke("cooccur", str(classroom), *args)
    assert result.exit_code == code
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().split("\n")) == 1
    assert result.stdout == ""


def test_cooccur_missing_corpus_and_existing_output(classroom, tmp_path):
    result = invoke("cooccur", str(tmp_path / "nope.txt"), "--top", "3")
    assert result.exit_code == 1 and "nope.txt" in result.stderr and "error:" in result.stderr
    out = tmp_path / "c.npz"
    out.write_bytes(b"keep me")
    result = invoke("cooccur", str(classroom), "--min-count", "1", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {out} already exists (pass --force to replace it)"
    assert out.read_bytes() == b"keep me"
    assert (
        invoke("cooccur", str(classroom), "--min-count", "1", "-o", str(out), "--force").exit_code
        == 0
    )
    assert load_cooccurrence(out).vocab_size == 7


def test_cooccur_help_has_example():
    result = invoke("cooccur", "--help")
    assert result.exit_code == 0
    assert "Example: embtool cooccur corpus.txt --window 10 --out cooc.npz" in " ".join(
        result.stdout.split()
    )


def test_cooccur_subprocess_stdin():
    proc = run_embtool("cooccur", "-", "-w", "2", "--min-count", "1", "--top", "1", "-f", "json",
                       input=CLASSROOM)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"word": "learning", "context": "deep", "count": 2.0}]


# -- embtool train --method glove ----------------------------------------------------------------
def test_classroom_example_trains(classroom, tmp_path):
    out = tmp_path / "glove"
    result = invoke("train", str(classroom), "--method", "glove", "--window", "2", "--dim", "5",
                    "--min-count", "1", "--out", str(out), "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["method"] == "glove" and record["vocabulary_size"] == 7 and record["dim"] == 5
    assert record["epochs"] == 25 and record["corpus_tokens"] == 16
    store = load_vectors(out)
    assert store.words == ["learning", "deep", "fun", "i", "is", "love", "machine"]
    assert store.counts.tolist() == [4, 2, 2, 2, 2, 2, 2]
    meta = json.loads((out / "meta.json").read_text())
    t = meta["training"]
    assert t["hyperparameters"]["x_max"] == 100.0 and t["hyperparameters"]["window"] == 2
    assert len(t["epoch_costs"]) == 25 and t["epoch_costs"][-1] < t["epoch_costs"][0]
    assert t["cooccurrence"]["nonzeros"] == 26
    assert meta["history"][-1]["method"] == "glove"
    assert "GloVe cost per nonzero" in result.stderr


def test_classroom_example_from_the_readme(classroom, tmp_path):
    # README: "deep" and "machine" share their contexts, so each is the other's nearest word
    out = tmp_path / "classroom"
    result = invoke("train", str(classroom), "--method", "glove", "--window", "2", "--dim", "5",
                    "--min-count", "1", "--epochs", "200", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    result = invoke("neighbors", "deep", "machine", "-k", "1", "--vectors", str(out), "-f", "json")
    assert result.exit_code == 0, result.stderr
    answers = {r["query"]: r["neighbors"][0]["word"] for r in json.loads(result.stdout)}
    assert answers == {"deep": "machine", "machine": "deep"}
    png = tmp_path / "classroom.png"
    result = invoke("plot", "--top", "7", "--vectors", str(out), "-o", str(png))
    assert result.exit_code == 0, result.stderr
    assert png.read_bytes().startswith(b"\x89PNG")


def test_rejected_like_word2vec(classroom, tmp_path):
    for method in ("cbow", "glove"):
        result = invoke(
            "train", str(classroom), "-m", method, "--min-count", "9", "-o", str(tmp_path / method)
        )
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            "error: no word occurs at least 9 times (--min-count 9); the most frequent, 'learning', "
            "occurs 4 times: lower --min-count or give more text"
        )
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    result = invoke("train", str(empty), "-m", "glove", "-o", str(tmp_path / "e"))
    assert result.exit_code == 1 and result.stderr.startswith(
        "error: corpus is empty: no tokens in"
    )
    assert not any(p.name in ("cbow", "glove", "e") for p in tmp_path.iterdir())


def test_glove_output_vectors_concat(corpus, tmp_path):
    out = tmp_path / "v"
    result = invoke("train", str(corpus), *GLOVE_FAST, "--output-vectors", "concat", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert load_vectors(out).dim == 12


def test_glove_counts_once_then_reuses(corpus, tmp_path):
    cooc = tmp_path / "c.npz"
    first = tmp_path / "a"
    result = invoke(
        "train", str(corpus), *GLOVE_FAST, "-w", "4", "--cooccurrence", str(cooc), "-o", str(first)
    )
    assert result.exit_code == 0, result.stderr
    assert cooc.is_file()
    # no corpus: window and min count come from the file
    second = tmp_path / "b"
    result = invoke("train", "--method", "glove", "--dim", "6", "--epochs", "3",
                    "--cooccurrence", str(cooc), "-o", str(second))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "reusing the co-occurrence counts" in result.stderr
    np.testing.assert_array_equal(load_vectors(first).vectors, load_vectors(second).vectors)
    meta = json.loads((second / "meta.json").read_text())["training"]
    assert meta["cooccurrence"]["reused"] is True and meta["hyperparameters"]["window"] == 4
    # asking for another window is refused in one line, and writes nothing
    result = invoke(
        "train",
        str(corpus),
        *GLOVE_FAST,
        "-w",
        "5",
        "--cooccurrence",
        str(cooc),
        "-o",
        str(tmp_path / "c"),
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {cooc} was counted with window 4 (requested 5): use matching options, another "
        "--cooccurrence path, or delete the file to count again"
    )
    assert not (tmp_path / "c").exists()


def test_glove_corrupt_cooccurrence_file(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = invoke(
        "train", "--method", "glove", "--cooccurrence", str(bad), "-o", str(tmp_path / "v")
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad}: not an embtool co-occurrence file")
    assert len(result.stderr.strip().split("\n")) == 1
    assert not (tmp_path / "v").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--method", "cbow", "--cooccurrence", "x.npz"],
            "error: --cooccurrence and --asymmetric are GloVe options",
        ),
        (
            ["--method", "glove", "--save-model", "m"],
            "error: --save-model and --resume are Word2Vec options",
        ),
        (["--method", "glove", "--batch-size", "99999999"], "error: --batch-size must be 1 to"),
        (["--method", "glove", "--x-max", "0"], "error: --x-max must be greater than 0"),
    ],
)
def test_glove_usage_errors(corpus, tmp_path, args, message):
    result = invoke("train", str(corpus), *args, "-o", str(tmp_path / "v"))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(message), result.stderr
    assert not (tmp_path / "v").exists()


def test_glove_deterministic_subprocess(corpus, tmp_path):
    outs = []
    for k in range(2):
        out = tmp_path / f"v{k}"
        proc = run_embtool(
            "train", str(corpus), *GLOVE_FAST, "--seed", "5", "-o", str(out), "-f", "json"
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["method"] == "glove"
        outs.append((out / "vectors.npy").read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.parametrize(("signame", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_glove_ctrl_c_leaves_nothing(tmp_path, signame, code):
    big = tmp_path / "big.txt"
    big.write_text(("\n".join(synthetic_lines(2000)) + "\n") * 5)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "never"
    cooc = tmp_path / "never.npz"
    proc = subprocess.Popen(
        [sys.executable, "-m", "embtool", "train", str(big), "-o", str(out), "-m", "glove",
         "--dim", "50", "--epochs", "500", "--min-count", "1", "--tmp-dir", str(tmp), "-v"],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    for line in proc.stderr:
        if line.startswith("note: epoch 1/500"):
            break  # training has begun
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert ("interrupted" if signame == "SIGINT" else "terminated") in err
    assert not out.exists() and not cooc.exists()
    assert list(tmp.iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".never")]
