"""The `embtool train` contract: output, errors, exit codes, atomic output, Ctrl-C, determinism."""

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
from embtool.vectors.io import load_vectors
from tests.helpers import REPO_ROOT, run_embtool
from tests.test_training import synthetic_lines

runner = CliRunner()
SAMPLE = REPO_ROOT / "data" / "corpora"
FAST = ["--dim", "8", "--epochs", "1", "--min-count", "2", "--workers", "1"]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    p = tmp_path / "corpus.txt"
    p.write_text("\n".join(synthetic_lines()) + "\n")
    return p


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_train_writes_store_and_prints_summary(corpus, tmp_path):
    out = tmp_path / "vec"
    result = invoke(
        "train", str(corpus), "--method", "skipgram", "--out", str(out), *FAST, "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["out"] == str(out) and record["method"] == "skipgram"
    assert record["dim"] == 8 and record["epochs"] == 1
    assert record["corpus_tokens"] == sum(len(x.split()) for x in synthetic_lines())
    store = load_vectors(out)
    assert len(store) == record["vocabulary_size"] and store.counts is not None
    meta = json.loads((out / "meta.json").read_text())
    assert meta["training"]["hyperparameters"]["method"] == "skipgram"
    assert meta["dtype"] == "float32"
    assert "note: trained" in result.stderr


def test_tsv_summary_has_header(corpus, tmp_path):
    result = invoke("train", str(corpus), "-o", str(tmp_path / "v"), *FAST, "-f", "tsv")
    assert result.exit_code == 0, result.stderr
    header, row = result.stdout.strip().split("\n")
    assert header.split("\t")[:3] == ["out", "method", "vocabulary_size"]
    assert row.split("\t")[1] == "cbow"


def test_default_out_is_vectors_method(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("train", str(corpus), "-m", "cbow", *FAST, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "vectors" / "cbow" / "vectors.npy").is_file()


@pytest.mark.parametrize("flag", ["-o", "--save-model"])
def test_unwritable_output_fails_before_any_training(corpus, tmp_path, monkeypatch, flag):
    """A destination that cannot be written is refused at once, not after training (#16 item 28)."""
    import embtool.training

    def no_training(*args, **kwargs):
        raise AssertionError("training started although the output cannot be written")

    monkeypatch.setattr(embtool.training, "train", no_training)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    bad = blocker / "sub" / "v"
    args = (
        ["-o", str(tmp_path / "ok"), "--save-model", str(bad)] if flag != "-o" else ["-o", str(bad)]
    )
    result = invoke("train", str(corpus), *args, *FAST)
    assert result.exit_code == 1
    assert (
        result.stderr.strip() == f"error: {bad}: cannot write there, {blocker} is not a directory"
    )
    assert not (tmp_path / "ok").exists()


def test_check_destination_probes_a_read_only_directory(tmp_path, monkeypatch):
    """The probe write is what decides (root passes permission checks; a read-only mount does not)."""
    import errno
    import tempfile

    from embtool.atomic import check_destination
    from embtool.errors import OutputError

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    with pytest.raises(OutputError, match=r"cannot write in .* \(Read-only file system\)"):
        check_destination(tmp_path / "v")
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_force(corpus, tmp_path):
    out = tmp_path / "v"
    assert invoke("train", str(corpus), "-o", str(out), *FAST).exit_code == 0
    before = (out / "vectors.npy").read_bytes()
    result = invoke("train", str(corpus), "-o", str(out), *FAST, "--seed", "2")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {out} already exists (pass --force to replace it)"
    assert (out / "vectors.npy").read_bytes() == before
    result = invoke("train", str(corpus), "-o", str(out), *FAST, "--seed", "2", "--force")
    assert result.exit_code == 0, result.stderr
    assert (out / "vectors.npy").read_bytes() != before


def test_float16_output(corpus, tmp_path):
    out = tmp_path / "v16"
    result = invoke("train", str(corpus), "-o", str(out), *FAST, "--dtype", "float16")
    assert result.exit_code == 0, result.stderr
    assert load_vectors(out).dtype == np.float16


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["missing.txt"], 1, "error: missing.txt: no such file or directory"),
        (["{corpus}", "--min-count", "100000"], 1, "error: no word occurs at least 100000 times"),
        (["{corpus}", "--negative", "0"], 2, "error: --negative 0 turns negative sampling off"),
        (["{corpus}", "--encoding", "nope"], 1, "error: unknown encoding 'nope'"),
        (["{empty}"], 1, "error: corpus is empty: no tokens in"),
    ],
)
def test_errors_are_one_line_and_write_nothing(corpus, tmp_path, args, code, message):
    empty = tmp_path / "empty.txt"
    empty.write_text("...\n")
    out = tmp_path / "never"
    args = [a.format(corpus=corpus, empty=empty) for a in args]
    result = invoke("train", *args, "-o", str(out), "--dim", "4", "--epochs", "1")
    assert result.exit_code == code, result.stderr
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not out.exists()


def test_usage_errors_from_typer(corpus):
    result = invoke("train", str(corpus), "--method", "word2vec")
    assert result.exit_code == 2
    assert "'word2vec' is not one of" in " ".join(result.stderr.split())


def test_help_has_example():
    result = invoke("train", "--help")
    assert result.exit_code == 0
    assert "Example: embtool train corpus.txt --method skipgram" in " ".join(result.stdout.split())


def test_mixed_chinese_english_char_tokenizer(tmp_path):
    p = tmp_path / "zh.txt"
    p.write_text(
        "我爱北京 I love Beijing\n北京是首都 Beijing is the capital\n" * 20, encoding="utf-8"
    )
    out = tmp_path / "zh"
    result = invoke(
        "train",
        str(p),
        "-t",
        "char",
        "-o",
        str(out),
        "--min-count",
        "1",
        "--dim",
        "4",
        "--epochs",
        "1",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    words = load_vectors(out).words
    assert set(words) == {
        "我",
        "爱",
        "北",
        "京",
        "i",
        "love",
        "beijing",
        "是",
        "首",
        "都",
        "is",
        "the",
        "capital",
    }


def test_stdin_corpus(tmp_path):
    out = tmp_path / "s"
    text = "\n".join(synthetic_lines()) + "\n"
    result = invoke("train", "-", "-o", str(out), *FAST, "-f", "json", input=text)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["corpus_tokens"] == len(text.split())


def test_default_sample_corpus(tmp_path):
    assert sorted(p.name for p in SAMPLE.iterdir()) == ["stdlib_sotu.txt.gz"]
    out = tmp_path / "d"
    result = run_embtool("train", "-o", str(out), "--dim", "10", "--epochs", "1", "-f", "json")
    assert result.returncode == 0, result.stderr
    assert "training on the shipped sample corpus" in result.stderr
    assert json.loads(result.stdout)["corpus_tokens"] == 1_813_085


def test_deterministic_runs_byte_identical_subprocess(corpus, tmp_path):
    outs = []
    for name, hash_seed in (("a", "1"), ("b", "2")):
        out = tmp_path / name
        result = run_embtool(
            "train",
            str(corpus),
            "-o",
            str(out),
            "--deterministic",
            "-m",
            "skipgram",
            "--dim",
            "8",
            "--epochs",
            "2",
            "-f",
            "json",
            env={"PYTHONHASHSEED": hash_seed},
        )
        assert result.returncode == 0, result.stderr
        outs.append(out)
    assert (outs[0] / "vectors.npy").read_bytes() == (outs[1] / "vectors.npy").read_bytes()
    assert (outs[0] / "vocab.txt").read_bytes() == (outs[1] / "vocab.txt").read_bytes()
    meta = json.loads((outs[0] / "meta.json").read_text())
    assert meta["training"]["command"].startswith(f"embtool train {corpus} -o ")
    assert meta["training"]["hyperparameters"]["workers"] == 1


@pytest.mark.parametrize(("signame", "code"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_ctrl_c_leaves_no_store_and_no_temp_file(tmp_path, signame, code):
    big = tmp_path / "big.txt"
    big.write_text(("\n".join(synthetic_lines(2000)) + "\n") * 10)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "never"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "embtool",
            "train",
            str(big),
            "-o",
            str(out),
            "-m",
            "skipgram",
            "--dim",
            "50",
            "--epochs",
            "50",
            "--min-count",
            "1",
            "--tmp-dir",
            str(tmp),
            "-v",
        ],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()  # "note: read ... MB of text": training has begun
    assert line.startswith("note: read"), line
    assert len(list(tmp.iterdir())) == 1  # the tokenized copy
    line = proc.stderr.readline()  # the first of 50 epochs is done: interrupt mid-training
    assert line.startswith("note: epoch 1/50"), line
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err  # one policy for every command, as the README says
    assert ("interrupted" if signame == "SIGINT" else "terminated") in err
    assert "Traceback" not in err
    assert not out.exists()
    assert list(tmp.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".never")] == []


def test_trained_store_answers_queries(corpus, tmp_path):
    out = tmp_path / "q"
    assert invoke("train", str(corpus), "-o", str(out), *FAST).exit_code == 0
    result = run_embtool("neighbors", "w1", "--vectors", str(out), "-k", "3", "-f", "json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)[0]["neighbors"]) == 3


def test_save_model_then_resume(corpus, tmp_path):
    model = tmp_path / "m.model"
    result = invoke(
        "train", str(corpus), "-o", str(tmp_path / "a"), *FAST, "--save-model", str(model)
    )
    assert result.exit_code == 0, result.stderr
    assert model.is_file()
    result = invoke(
        "train", str(corpus), "-o", str(tmp_path / "b"), *FAST, "--resume", str(model), "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    meta = json.loads((tmp_path / "b" / "meta.json").read_text())
    assert meta["training"]["resumed_from"] == str(model)
    result = invoke(
        "train", str(corpus), "-o", str(tmp_path / "c"), "--resume", str(tmp_path / "none.model")
    )
    assert result.exit_code == 1
    assert (
        result.stderr.strip() == f"error: {tmp_path / 'none.model'}: no such model file (--resume)"
    )


def test_word2vec_options_rejected_for_glove(corpus, tmp_path):
    result = invoke(
        "train", str(corpus), "-m", "glove", "--negative", "3", "--hs", "-o", str(tmp_path / "g")
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --negative, --hs does not apply to --method glove (Word2Vec options)"
    )
    assert not (tmp_path / "g").exists()


def test_chinese_split_into_characters_by_default_gets_a_jieba_hint(tmp_path):
    p = tmp_path / "zh.txt"
    p.write_text("我爱北京天安门\n北京是中国的首都\n上海是一个大城市\n" * 20, encoding="utf-8")
    result = invoke(
        "train",
        str(p),
        "-o",
        str(tmp_path / "zh"),
        "--min-count",
        "1",
        "--dim",
        "4",
        "--epochs",
        "1",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert "most words are single Chinese characters" in result.stderr
    assert "--tokenizer jieba" in result.stderr
    explicit = invoke(
        "train",
        str(p),
        "-t",
        "char",
        "-o",
        str(tmp_path / "zh-char"),
        "--min-count",
        "1",
        "--dim",
        "4",
        "--epochs",
        "1",
        "-f",
        "json",
    )
    assert explicit.exit_code == 0, explicit.stderr
    assert "single Chinese characters" not in explicit.stderr
    english = invoke(
        "train", "-o", str(tmp_path / "en"), "--dim", "4", "--epochs", "1", "-f", "json"
    )
    assert english.exit_code == 0, english.stderr
    assert "single Chinese characters" not in english.stderr


def test_training_summary_names_both_clocks():
    from embtool.cli.train import training_summary

    t = {"method": "skipgram", "corpus_tokens": 21_000_000, "wall_seconds": 54.31,
         "train_seconds": 40.04, "words_per_second": 393_521.4}  # fmt: skip
    assert training_summary(t, 1234, 100, Path("v")) == (
        "trained 1,234 words x 100 dims on 21,000,000 tokens in 54.3 s wall, "
        "40.0 s training at 393,521 words/s -> v"
    )
    glove = {"method": "glove", "corpus_tokens": 10, "wall_seconds": 2.0, "train_seconds": 1.5}
    assert training_summary(glove, 5, 3, Path("g")).endswith("in 2.0 s wall, 1.5 s training -> g")
