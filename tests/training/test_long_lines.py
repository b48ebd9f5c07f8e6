"""Long lines are trained on whole: gensim's corpus_file mode drops tokens past its batch limit."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool.cli import app
from embtool.corpus import PIECE_TOKENS, Corpus, Tokenizer

runner = CliRunner()


def _tokens(n: int = 25_000) -> list[str]:
    rng = np.random.default_rng(0)
    ranks = np.arange(1, 301)
    p = 1 / ranks / (1 / ranks).sum()  # Zipf-like, as text is
    return [f"w{i}" for i in rng.choice(300, size=n, p=p)]


def _train(tmp_path: Path, text: str, name: str, *extra: str) -> dict:
    corpus = tmp_path / f"{name}.txt"
    corpus.write_text(text)
    out = tmp_path / name
    args = ["train", str(corpus), "-o", str(out), "--dim", "8", "--epochs", "1"]
    result = runner.invoke(app, [*args, "--min-count", "1", "--workers", "1", *extra])
    assert result.exit_code == 0, result.stderr
    return json.loads((out / "meta.json").read_text())["training"]


@pytest.mark.parametrize("tokenizer", ["regex", "whitespace"])
def test_one_25000_token_line_trains_like_short_lines(tmp_path, tokenizer):
    toks = _tokens()
    long = _train(tmp_path, " ".join(toks) + "\n", "long", "-t", tokenizer)
    short_text = "".join(" ".join(toks[i : i + 20]) + "\n" for i in range(0, len(toks), 20))
    short = _train(tmp_path, short_text, "short", "-t", tokenizer)
    assert long["trained_words"] == 25_000
    # before: 10,000-token batches cut the line, about 13,000 of 25,000 words were trained
    assert long["effective_words"] == pytest.approx(short["effective_words"], rel=0.03)
    assert long["corpus"]["lines_split"] == 1
    assert long["corpus"]["tokenized_in_place"] is False  # whitespace: not read in place


def test_prepared_file_has_no_line_longer_than_a_piece(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text(" ".join(_tokens(2_500)) + "\nshort line\n")
    with Corpus([p], tokenizer=Tokenizer.whitespace).prepare() as prepared:
        lengths = [len(line.split()) for line in prepared.path.read_text().splitlines()]
        assert lengths == [PIECE_TOKENS, PIECE_TOKENS, 500, 2]
        assert prepared.n_tokens == 2_502 and prepared.n_split_lines == 1
        assert prepared.n_sentences == 4
