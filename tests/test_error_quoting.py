"""Errors quote a user's input in bounded length (issue 16, item 31): a 10,000-word line is not
repeated back as one 78 KB message."""

import pytest
from typer.testing import CliRunner

from embtool.cli import app
from embtool.errors import UnknownWordsError, quote_input

runner = CliRunner()


def test_quote_input_keeps_short_text_and_cuts_long_text():
    assert quote_input("king man woman") == "king man woman"
    long = "x" * 5000
    assert quote_input(long) == "x" * 120 + "… (5,000 characters)"


@pytest.mark.parametrize(("command", "need"), [("analogy", 3), ("similarity", 2)])
def test_a_10000_word_stdin_line_gives_a_short_error(command, need):
    line = " ".join(f"qzx{i}" for i in range(10_000))
    result = runner.invoke(app, [command], input=line + "\n")
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "\n" not in message and len(message) < 300
    assert message.startswith(
        f"error: {command} needs {need} words, got 10,000 in stdin line 1: qzx0 "
    )
    assert message.endswith(f"… ({len(line):,} characters)")


def test_unknown_words_error_names_ten_and_counts_the_rest():
    words = [f"qzx{i}" for i in range(10_000)]
    message = str(UnknownWordsError(words, {"qzx3": ["qx3"]}, "toy"))
    assert message == (
        "10,000 words not in vectors (toy): 'qzx0', 'qzx1', 'qzx2', 'qzx3' (did you mean 'qx3'?), "
        "'qzx4', 'qzx5', 'qzx6', 'qzx7', 'qzx8', 'qzx9', and 9,990 more"
    )


def test_neighbors_of_a_10000_word_line_is_one_short_line():
    line = " ".join(f"qzx{i}" for i in range(10_000))
    result = runner.invoke(app, ["neighbors"], input=line + "\n")
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert "\n" not in message and len(message) < 400 and "and 9,990 more" in message
