"""One reader for word lists, pairs and groups: BOM, '#' comments, blank lines; one error, one exit code."""

import json

import pytest
from typer.testing import CliRunner

from embtool.cli import app
from embtool.errors import WordListError
from embtool.wordlists import read_group_lines, read_pairs, read_word_list, words_in
from tests.helpers import TOY_PATH

runner = CliRunner()
BOM = "\ufeff"


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_rules_bom_comments_blank_lines(tmp_path):
    words = write(tmp_path, "w.txt", BOM + "king\n# a comment\n\n  queen  \r\nman woman\nking\n")
    assert read_word_list(words) == ("king", "queen", "man", "woman")
    pairs = write(tmp_path, "p.txt", BOM + "# pairs\nshe he\n\nwoman:man\r\n")
    assert read_pairs(pairs) == [("she", "he"), ("woman", "man")]
    groups = write(
        tmp_path, "g.tsv", BOM + "word\tgroup\n# c\nking\troyal\nqueen\troyal\n\napple\tfruit\n"
    )
    assert read_group_lines(groups) == {"royal": ["king", "queen"], "fruit": ["apple"]}
    assert words_in(BOM + "a b\n#x\n c\n") == ["a", "b", "c"]


@pytest.mark.parametrize(
    "text,message",
    [
        (b"\xff\xfek\x00", "cannot read word-list file: not UTF-8"),
        (b"# only a comment\n\n", "word list is empty"),
    ],
)
def test_bad_word_list_is_one_error_type(tmp_path, text, message):
    p = tmp_path / "bad.txt"
    p.write_bytes(text)
    with pytest.raises(WordListError, match=message):
        read_word_list(p)
    with pytest.raises(WordListError, match="no such word-list file"):
        read_word_list(tmp_path / "missing.txt")
    with pytest.raises(WordListError, match=r"bad\.txt line 1: expected a pair"):
        read_pairs(write(tmp_path, "bad.txt", "one two three\n"))


def test_bom_file_reads_alike_in_bias_and_plot(tmp_path):
    toy = str(TOY_PATH)
    x = write(tmp_path, "x.txt", BOM + "king\nprince\n")
    y = write(tmp_path, "y.txt", "queen\nprincess\n")
    a = write(tmp_path, "a.txt", BOM + "# attrs\nman\n")
    b = write(tmp_path, "b.txt", "woman\n")
    result = runner.invoke(
        app, ["bias", "weat", "--targets", str(x), str(y), "--attributes", str(a), str(b),
              "--vectors", toy, "-f", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert "\ufeff" not in json.dumps(record, ensure_ascii=False)
    assert "king" in json.dumps(record)
    plotted = runner.invoke(
        app, ["plot", "--words-file", str(x), "queen", "--vectors", toy, "-f", "json"]
    )
    assert plotted.exit_code == 0, plotted.stderr
    assert sorted(p["word"] for p in json.loads(plotted.stdout)["points"]) == [
        "king",
        "prince",
        "queen",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["plot", "king", "queen", "--words-file", "{bad}"],
        ["bias", "weat", "--targets", "{bad}", "{good}", "--attributes", "{good}", "{good}"],
        ["bias", "direct-bias", "--pairs-file", "{bad}"],
        ["bias", "ect", "--group1", "{bad}"],
        ["plot", "king", "queen", "--group", "{bad}"],
    ],
)
def test_a_bad_file_is_exit_1_everywhere(tmp_path, args):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00k")
    good = write(tmp_path, "good.txt", "king\n")
    argv = [a.format(bad=bad, good=good) for a in args]
    result = runner.invoke(app, [*argv, "--vectors", str(TOY_PATH), "-f", "json"])
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: {bad}: cannot read ") and "not UTF-8" in line
