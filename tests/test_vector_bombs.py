"""Huge lines and decompression bombs as vector files: refused at once, naming the file and the
offset, after reading a bounded amount (issue 16, item 23, vector side)."""

import gzip
import zlib
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool.cli import app
from embtool.errors import VectorFileError
from embtool.vectors import load_vectors

runner = CliRunner()


def _gz(path: Path, head: bytes, zeros: int) -> Path:
    """``head`` then ``zeros`` NUL bytes, gzip-compressed as a bomb is (a few KB per 10 MB)."""
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    with open(path, "wb") as f:
        f.write(c.compress(head))
        for _ in range(zeros >> 20):
            f.write(c.compress(block))
        f.write(c.flush())
    return path


def test_a_text_line_longer_than_the_header_allows_is_refused(tmp_path):
    p = tmp_path / "v.txt"
    p.write_text("2 3\nw " + "0.5 " * 10_000 + "\nv 1 2 3\n")
    with pytest.raises(VectorFileError) as exc:
        load_vectors(p)
    assert str(exc.value) == (
        f"{p} line 2: line at byte offset 4 is longer than any vector line (3 values allow "
        "at most 10,098 bytes); is this a vector file?"
    )


def test_a_bomb_with_a_word2vec_header_is_refused_at_the_second_line(tmp_path):
    p = _gz(tmp_path / "bomb.txt.gz", b"1000000 300\n", 64 << 20)
    result = runner.invoke(app, ["neighbors", "the", "--vectors", str(p)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {p} line 2: line at byte offset 12 is longer than any vector line (300 values "
        "allow at most 19,602 bytes); is this a vector file?"
    )


def test_a_bomb_without_header_is_refused_at_the_first_line(tmp_path):
    p = _gz(tmp_path / "zeros.gz", b"", 64 << 20)
    with pytest.raises(VectorFileError, match=r"line 1: line at byte offset 0 is longer than any"):
        load_vectors(p)


def test_a_huge_headerless_line_is_refused(tmp_path):
    p = tmp_path / "one_line.txt"
    with open(p, "w") as f:
        f.write("word")
        for _ in range(100):
            f.write(" 0.123" * 70_000)  # 42 MB, no newline: more values than any embedding
    with pytest.raises(VectorFileError, match=r"line 1: line at byte offset 0 is longer than any"):
        load_vectors(p)


def test_a_binary_bomb_stops_at_the_first_oversized_record(tmp_path):
    head = b"1000000 300\nw " + np.ones(300, dtype="<f4").tobytes()
    p = _gz(tmp_path / "bomb.bin.gz", head, 16 << 20)
    with pytest.raises(VectorFileError, match=r"record 2 at byte offset 1,214 has no word under"):
        load_vectors(p)


def test_blank_space_after_the_last_binary_record_is_read_in_bounded_chunks(tmp_path):
    head = b"1 2\nw " + np.ones(2, dtype="<f4").tobytes()
    p = tmp_path / "tail.bin.gz"
    p.write_bytes(gzip.compress(head + b"\n" * (24 << 20), 1))
    store = load_vectors(p)
    assert store.words == ["w"]
