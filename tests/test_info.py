"""embtool info: format, size, problems, case profile, norms and provenance, on known inputs."""

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool import VectorStore
from embtool.cli import app
from embtool.inspection import case_profile, inspect_vectors, word_case
from embtool.vectors import save_vectors
from tests.helpers import TOY_PATH, run_embtool

runner = CliRunner()


@pytest.mark.parametrize(
    "word, case",
    [
        ("paris", "lower"),
        ("Paris", "title"),
        ("New-York", "title"),
        ("A", "title"),
        ("USA", "upper"),
        ("U.S.", "upper"),
        ("iPhone", "mixed"),
        ("1984", "uncased"),
        ("北京", "uncased"),
        ("élan", "lower"),
    ],
)
def test_word_case(word: str, case: str):
    assert word_case(word) == case


def test_case_profile_counts_twins():
    profile = case_profile(["Paris", "paris", "PARIS", "apple", "Apple", "car", "1984"])
    assert (profile.lower, profile.title, profile.upper, profile.mixed, profile.uncased) == (
        3,
        2,
        1,
        0,
        1,
    )
    assert profile.with_twin == 5
    assert profile.twin_groups == 2
    assert profile.examples == [["Paris", "paris", "PARIS"], ["apple", "Apple"]]


def test_info_on_the_toy_vectors():
    info = inspect_vectors(TOY_PATH)
    assert (info.format, info.words, info.dim, info.dtype, info.header) == (
        "word2vec",
        12,
        4,
        "float32",
        [12, 4],
    )
    assert info.compression is None
    assert info.file_bytes == TOY_PATH.stat().st_size
    assert info.counts_known is False
    assert info.case.lower == 12
    # norms by hand: 'the' = 0.2, 'prince' = sqrt(0.81 + 1 + 0.25)
    assert info.norms.min == pytest.approx(0.2)
    assert info.norms.max == pytest.approx(1.5)  # car: sqrt(0.25 + 1 + 1)
    assert info.norms.zero == 0


def test_info_reports_problems_it_tolerates(tmp_path: Path):
    path = tmp_path / "messy.txt.gz"
    body = b"4 2\nParis 1 2\nparis 3 4\nParis 0 0\ncaf\xe9 0 0\n"
    path.write_bytes(gzip.compress(body))
    result = runner.invoke(app, ["info", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["compression"] == "gzip"
    assert info["words"] == 3
    assert info["duplicates_total"] == 1
    assert info["duplicates"] == [{"line": 4, "word": "Paris"}]
    assert info["undecodable_total"] == 1
    assert info["undecodable"] == [{"line": 5, "offset": body.index(b"\xe9")}]
    assert info["case"]["with_twin"] == 2
    assert info["norms"]["zero"] == 1
    assert info["norms"]["max"] == pytest.approx(5.0)


def test_info_on_a_store_shows_how_it_was_made(tmp_path: Path):
    store = VectorStore(
        ["a", "b"],
        np.array([[3, 4], [0, 0]], dtype=np.float32),
        counts=[5, 2],
        meta={
            "history": [{"action": "train", "method": "cbow"}],
            "training": {"method": "cbow", "seed": 7},
        },
    )
    save_vectors(store, tmp_path / "s", dtype="float16")
    result = runner.invoke(app, ["info", str(tmp_path / "s"), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["format"] == "store"
    assert info["dtype"] == "float16"
    assert info["counts_known"] is True
    assert info["header"] == [2, 2]
    assert info["history"] == [{"action": "train", "method": "cbow"}]
    assert info["training"] == {"method": "cbow", "seed": 7}
    assert info["meta"]["format"] == "embtool-store"
    assert info["norms"]["max"] == 5.0


def test_info_tsv_is_field_value_pairs():
    result = runner.invoke(app, ["info", str(TOY_PATH), "--format", "tsv"])
    assert result.exit_code == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0] == ["field", "value"]
    fields = dict(rows[1:])
    assert fields["format"] == "word2vec text"
    assert fields["words"] == "12"
    assert fields["dims"] == "4"
    assert fields["counts known"] == "no"


def test_info_limit():
    result = runner.invoke(app, ["info", str(TOY_PATH), "--limit", "3", "-f", "json"])
    assert json.loads(result.stdout)["words"] == 3


def test_info_help_has_an_example():
    result = runner.invoke(app, ["info", "--help"])
    assert "Example: embtool info" in " ".join(result.stdout.split())


def test_info_in_a_real_process():
    proc = run_embtool("info", str(TOY_PATH), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["words"] == 12


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        (
            "2 2\n北京 1 2\n上海 3 4\n".encode("gbk"),
            "--encoding gb18030 (the bytes read as Chinese GBK)",
        ),
        ("2 2\nparis 1 2\ncafé 3 4\n".encode("latin-1"), "--encoding (e.g. latin-1)"),
    ],
)
def test_info_says_which_encoding_to_try(tmp_path: Path, body: bytes, hint: str):
    # GBK words all turn into U+FFFD runs, so info also sees false duplicates: say why.
    path = tmp_path / "v.txt"
    path.write_bytes(body)
    result = runner.invoke(app, ["info", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["undecodable_total"] >= 1
    assert result.stderr.splitlines() == [
        f"note: some words do not decode as utf-8 (see 'undecodable'); pass {hint} to read them"
    ]
