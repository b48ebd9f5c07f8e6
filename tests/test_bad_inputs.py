"""Every broken input in tests/fixtures/bad/: one exact line on stderr, exit 1, no traceback."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from embtool.cli import app
from tests.helpers import FIXTURES, run_embtool

BAD = FIXTURES / "bad"
runner = CliRunner()

# fixture -> the problem after "error: <path>" (the path prefix is checked too)
EXPECTED = {
    "wrong_fields.txt": " line 3: expected 5 fields (word + 4 numbers), got 4",
    "non_numeric.txt": " line 3: not a number: 'two'",
    "nan.txt": " line 3: the vector of 'toad' has a NaN or infinite value",
    "inf_glove.txt": " line 2: the vector of 'toad' has a NaN or infinite value",
    "header_more_words.txt": ": header says 3 words but the file has 2 vector lines",
    "header_fewer_words.txt": " line 3: header says 1 word but the file has more vector lines",
    "header_fewer_words.bin": ": header says 1 word but the file has more data after the last one "
    "(at byte 21)",
    "duplicate.txt": " line 4: duplicate word 'frog' (first seen on line 2)",
    "truncated.bin": ": truncated: vector 2 of 2 ('toad') is cut short",
    "latin1.txt": " line 2: cannot decode bytes as utf-8 at byte offset 7 (b'\\xe9 0.'); pass "
    "--encoding (e.g. latin-1) or --unicode-errors replace|ignore",
    "empty.txt": ": empty file: no vectors",
    "absurd_header.txt": " line 1: header says 1,000,000,000,000 words x 300 dims, which needs at "
    "least 600,000,000,000,000 bytes, but the file has only 35: the header is wrong or the file "
    "is truncated",
    "absurd_header.bin": " line 1: header says 1,000,000,000,000 words x 3 dims, which needs at "
    "least 12,000,000,000,000 bytes, but the file has only 33: the header is wrong or the file "
    "is truncated",
    "not_a_store": ": directory is not an embtool store (no vectors.npy + vocab.txt)",
    "vocab_mismatch_store": ": corrupt store: vocab.txt has 2 words but vectors.npy has 3 rows",
}
# Problems reported on a file inside the fixture directory.
EXPECTED_INSIDE = {
    "truncated_npy_store": (
        "vectors.npy",
        ": corrupt: truncated (145 bytes, but its header promises 3 x 2 float32 values = "
        "153 bytes)",
    ),
    "garbage_npy_store": ("vectors.npy", ": corrupt: not a .npy array file"),
}


def expected_line(name: str) -> str:
    if name in EXPECTED_INSIDE:
        inner, problem = EXPECTED_INSIDE[name]
        return f"error: {BAD / name / inner}{problem}"
    return f"error: {BAD / name}{EXPECTED[name]}"


ALL = sorted([*EXPECTED, *EXPECTED_INSIDE])


def test_every_fixture_has_an_expected_message():
    on_disk = {p.name for p in BAD.iterdir() if p.suffix != ".py"}
    assert on_disk == set(ALL)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("command", ["convert", "neighbors"])
def test_bad_input_is_one_line_and_exit_1(tmp_path: Path, name: str, command: str):
    if command == "convert":
        args = ["convert", str(BAD / name), str(tmp_path / "out"), "--to", "store"]
    else:
        args = ["neighbors", "frog", "--vectors", str(BAD / name)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [expected_line(name)]
    assert list(tmp_path.iterdir()) == []  # no half-written output


def test_missing_file(tmp_path: Path):
    result = runner.invoke(app, ["convert", str(tmp_path / "nope.txt"), str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'nope.txt'}: no such file or downloaded vector set"
    ]


def test_missing_name_suggests_download(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("EMBTOOL_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["info", "glove-twitter-25"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: glove-twitter-25: no such file or downloaded vector set; to fetch the pretrained "
        "set, run: embtool download glove-twitter-25"
    ]


@pytest.mark.parametrize(
    "options, words",
    [
        (["--encoding", "latin-1"], ["café", "naïve"]),
        (["--unicode-errors", "replace"], ["caf\ufffd", "na\ufffdve"]),
        (["--unicode-errors", "ignore"], ["caf", "nave"]),
    ],
)
def test_undecodable_bytes_load_with_the_offered_options(tmp_path: Path, options, words):
    out = tmp_path / "store"
    result = runner.invoke(app, ["convert", str(BAD / "latin1.txt"), str(out), *options])
    assert result.exit_code == 0, result.stderr
    assert (out / "vocab.txt").read_text(encoding="utf-8").split() == words


def test_bad_input_in_a_real_process(tmp_path: Path):
    proc = run_embtool("convert", str(BAD / "truncated.bin"), str(tmp_path / "out"), "-t", "store")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [expected_line("truncated.bin")]
    assert "Traceback" not in proc.stderr


def test_info_reads_leniently_what_strict_readers_refuse():
    result = runner.invoke(app, ["info", str(BAD / "duplicate.txt"), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["duplicates_total"] == 1
    assert info["duplicates"] == [{"line": 4, "word": "frog"}]
    assert info["words"] == 2
