"""--convert t2s|s2t: Chinese script normalised through OpenCC while a corpus is read."""

import gzip
import json
import sys

import pytest
from typer.testing import CliRunner

from embtool.cli import app
from embtool.corpus import Corpus, prepare_corpus
from embtool.errors import CorpusError, InvalidOptionError
from tests.helpers import run_embtool

pytest.importorskip("opencc")

TRADITIONAL = "國王 與 王后 說 漢語\n這個 國家 的 語言\n"


@pytest.fixture
def trad(tmp_path):
    path = tmp_path / "trad.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(TRADITIONAL * 3)
    return path


def test_corpus_t2s_converts_every_line(trad):
    lines = list(Corpus([trad], tokenizer="whitespace", convert="t2s"))
    assert lines[0] == ["国王", "与", "王后", "说", "汉语"]
    assert lines[1] == ["这个", "国家", "的", "语言"]
    assert len(lines) == 6


def test_corpus_s2t_round_trip(tmp_path):
    path = tmp_path / "simp.txt"
    path.write_text("国王 说 汉语\n", encoding="utf-8")
    assert list(Corpus([path], tokenizer="whitespace", convert="s2t")) == [["國王", "說", "漢語"]]


def test_without_convert_text_is_unchanged(trad):
    assert next(iter(Corpus([trad], tokenizer="whitespace")))[0] == "國王"


def test_prepare_records_convert_and_counts_simplified(trad):
    with prepare_corpus([trad], tokenizer="whitespace", convert="t2s") as prepared:
        assert prepared.describe()["convert"] == "t2s"
        counts = dict(prepared.most_common())
        assert counts["国王"] == 3 and "國王" not in counts


def test_plain_whitespace_file_is_not_read_in_place_when_converting(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(TRADITIONAL, encoding="utf-8")
    with prepare_corpus([path], tokenizer="whitespace", convert="t2s") as prepared:
        assert prepared.describe()["tokenized_in_place"] is False
        assert [line[0] for line in prepared] == ["国王", "这个"]


def test_unknown_conversion(trad):
    with pytest.raises(InvalidOptionError, match=r"^convert must be t2s or s2t, got 'hk2s'$"):
        Corpus([trad], convert="hk2s")


def test_missing_opencc_names_the_extra(monkeypatch, trad):
    monkeypatch.setitem(sys.modules, "opencc", None)  # makes `import opencc` fail
    with pytest.raises(CorpusError, match=r"pip install 'embtool\[chinese\]'"):
        Corpus([trad], convert="t2s")


def test_train_convert_cli(trad, tmp_path):
    out = tmp_path / "store"
    result = CliRunner().invoke(
        app,
        [
            "train",
            str(trad),
            "--tokenizer",
            "whitespace",
            "--convert",
            "t2s",
            "--dim",
            "8",
            "--min-count",
            "1",
            "--epochs",
            "1",
            "--workers",
            "1",
            "--seed",
            "1",
            "--out",
            str(out),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    vocab = (out / "vocab.txt").read_text(encoding="utf-8")
    assert "国王" in vocab and "國王" not in vocab
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["training"]["corpus"]["convert"] == "t2s"


def test_cooccur_convert_subprocess(trad, tmp_path):
    result = run_embtool(
        "cooccur",
        str(trad),
        "--tokenizer",
        "whitespace",
        "--convert",
        "t2s",
        "--min-count",
        "1",
        "--top",
        "3",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert "国" in result.stdout and "國" not in result.stdout


def test_cli_missing_opencc_is_one_line(trad, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "opencc", None)
    result = CliRunner().invoke(
        app, ["train", str(trad), "--convert", "t2s", "--out", str(tmp_path / "s")]
    )
    assert result.exit_code != 0
    assert "pip install 'embtool[chinese]'" in result.output
    assert "Traceback" not in result.output
