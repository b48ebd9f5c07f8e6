"""The query commands' contract: stdout data in every format, stdin batches, errors and exit codes."""

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from embtool.cli import app
from tests.helpers import REPO_ROOT, TOY_PATH, run_embtool

runner = CliRunner()
TOY = str(TOY_PATH)


def invoke(*args, input=None, env=None):
    return runner.invoke(app, list(args), input=input, env=env)


def test_analogy_json():
    result = invoke("analogy", "king", "man", "woman", "--vectors", TOY, "-f", "json", "-k", "2")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data[0]["query"] == ["king", "man", "woman"]
    assert data[0]["method"] == "add"
    assert [a["word"] for a in data[0]["answers"]] == ["queen", "princess"]


def test_analogy_tsv_has_header_and_full_precision():
    result = invoke("analogy", "king", "man", "woman", "--vectors", TOY, "-f", "tsv", "-k", "1")
    assert result.exit_code == 0, result.stderr
    header, row = result.stdout.strip().split("\n")
    assert header.split("\t") == ["a", "b", "c", "rank", "word", "score"]
    fields = row.split("\t")
    assert fields[:5] == ["king", "man", "woman", "1", "queen"]
    assert len(fields[5]) > 8  # repr precision, not a rounded table value


def test_piped_stdin_batch_jsonl():
    stdin = "king man woman\n# a comment\n\nqueen woman man\n"
    result = invoke("analogy", "--vectors", TOY, "-f", "jsonl", "-k", "1", input=stdin)
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["answers"][0]["word"] for r in records] == ["queen", "king"]


def test_dash_reads_stdin_for_neighbors():
    result = invoke(
        "neighbors", "-", "--vectors", TOY, "-f", "json", "-k", "1", input="king\nqueen\n"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(d["query"], d["neighbors"][0]["word"]) for d in data] == [
        ("king", "prince"),
        ("queen", "princess"),
    ]


def test_similarity_pairs_from_stdin():
    result = invoke(
        "similarity", "--vectors", TOY, "-f", "json", input="king queen\napple orange\n"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(d["word1"], d["word2"]) for d in data] == [("king", "queen"), ("apple", "orange")]
    assert data[1]["similarity"] > data[0]["similarity"]


def test_odd_one_out_table():
    result = invoke(
        "odd-one-out", "king", "queen", "prince", "apple", "--vectors", TOY, "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["odd"] == "apple"


def test_unknown_words_one_line_error_exit_1():
    result = invoke("analogy", "kingg", "man", "womann", "--vectors", TOY)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "error: 2 words not in vectors (toy.txt): 'kingg' (did you mean 'king'?)"
    )


def test_case_fold_note_on_stderr_not_stdout():
    result = invoke("analogy", "King", "man", "woman", "--vectors", TOY, "-f", "json", "-k", "1")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["words"] == ["king", "man", "woman"]
    assert "'King' is not in the vectors; using 'king'" in result.stderr


def test_exact_case_refuses_fallback():
    result = invoke("analogy", "King", "man", "woman", "--vectors", TOY, "--exact-case")
    assert result.exit_code == 1
    assert "'King' (did you mean 'king'?)" in result.stderr


def test_batch_unknown_fails_unless_skip_unknown():
    stdin = "king man woman\nfoo man bar\n"
    failed = invoke("analogy", "--vectors", TOY, "-f", "jsonl", input=stdin)
    assert failed.exit_code == 1
    assert failed.stdout == ""
    assert "'foo'" in failed.stderr and "'bar'" in failed.stderr
    skipped = invoke("analogy", "--vectors", TOY, "-f", "jsonl", "--skip-unknown", input=stdin)
    assert skipped.exit_code == 0
    assert len(skipped.stdout.splitlines()) == 1
    assert "skipped 'foo man bar'" in skipped.stderr


def test_wrong_word_count_is_usage_error():
    result = invoke("analogy", "king", "man", "--vectors", TOY)
    assert result.exit_code == 2
    assert "analogy needs 3 words" in result.stderr


def test_missing_vectors_file():
    result = invoke("neighbors", "king", "--vectors", "/nonexistent/vectors.txt")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: /nonexistent/vectors.txt: no such file or downloaded vector set"
    ]


def test_vectors_from_environment():
    result = invoke("similarity", "king", "queen", "-f", "json", env={"EMBTOOL_VECTORS": TOY})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["word1"] == "king"


def test_limit_restricts_loaded_words_and_the_error_says_so():
    result = invoke("neighbors", "queen", "--vectors", TOY, "--limit", "3")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: 1 word not in vectors (toy.txt, first 3 words loaded with --limit): 'queen'"
    )


def test_native_store_vectors(toy_store_dir):
    result = invoke(
        "analogy", "king", "man", "woman", "--vectors", str(toy_store_dir), "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["answers"][0]["word"] == "queen"


@pytest.mark.parametrize("command", ["neighbors", "analogy", "similarity", "odd-one-out"])
def test_help_has_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert f"embtool {command}" in result.stdout
    assert "Example" in result.stdout


def test_subprocess_pipeline():
    proc = run_embtool("analogy", "--vectors", TOY, "-k", "1", input="king man woman\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1].split("\t")[4] == "queen"  # piped: TSV by default


def test_subprocess_error_has_no_traceback():
    proc = run_embtool("neighbors", "zzzz", "--vectors", TOY)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("error: 1 word not in vectors")


def test_no_words_from_a_terminal_is_usage_error(monkeypatch):
    from embtool.cli import inputs
    from embtool.errors import UsageError

    class Terminal:
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    with pytest.raises(UsageError):
        inputs.read_words(None, what="neighbors")


def test_query_path_imports_no_heavy_modules():
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['embtool', 'analogy', 'king', 'man', 'woman', '--vectors', {TOY!r}, '-f', 'json']\n"
        "try:\n"
        "    runpy.run_module('embtool', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('gensim', 'matplotlib', 'sklearn', 'scipy', 'starlette', 'uvicorn'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60
    )
    assert "HEAVY []" in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)[0]["answers"][0]["word"] == "queen"


ZH = str(TOY_PATH.parent / "zh_toy.txt")


def test_byte_order_mark_and_crlf_on_stdin_are_ignored():
    # A word list saved by Windows Notepad: UTF-8 with a BOM, CRLF line ends.
    result = invoke(
        "neighbors", "--vectors", ZH, "-f", "json", "-k", "1", input="\ufeff北京\r\n上海\r\n"
    )
    assert result.exit_code == 0, result.stderr
    assert [d["query"] for d in json.loads(result.stdout)] == ["北京", "上海"]


def test_stdin_that_is_not_utf8_is_one_clear_error():
    proc = subprocess.run(
        [sys.executable, "-m", "embtool", "neighbors", "--vectors", ZH],
        input="北京\n".encode("gbk"),
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert proc.stderr.decode().splitlines() == [
        "error: stdin line 1 is not utf-8 text; convert it first "
        "(e.g. iconv -f gb18030 -t utf-8: the bytes read as Chinese GBK)"
    ]


def test_stdin_decoding_errors_never_give_a_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "embtool", "similarity", "--vectors", TOY],
        input="king queen\ncaf\xe9 king\n".encode("latin-1"),
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
    )
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [
        "error: stdin line 2 is not utf-8 text; convert it first (e.g. iconv -f latin1 -t utf-8)"
    ]


def test_neighbors_reads_several_words_on_a_stdin_line():
    # `echo king queen | embtool neighbors` asks about two words, as the arguments would.
    result = invoke(
        "neighbors", "--vectors", TOY, "-f", "json", "-k", "1", input="king queen\nman\n"
    )
    assert result.exit_code == 0, result.stderr
    assert [(d["query"], d["neighbors"][0]["word"]) for d in json.loads(result.stdout)] == [
        ("king", "prince"),
        ("queen", "princess"),
        ("man", "prince"),
    ]


def test_table_prints_words_that_look_like_rich_markup_literally(tmp_path):
    # Real vocabularies hold tokens like '[/b]' or '[red]': a table must show them, not parse them.
    path = tmp_path / "v.txt"
    path.write_text("3 2\n[/b] 1 0\n[red]x 0.9 0.1\nking 0.8 0.3\n", encoding="utf-8")
    result = invoke("neighbors", "king", "--vectors", str(path), "-f", "table", "-k", "2")
    assert result.exit_code == 0, result.stderr
    cells = [c.strip() for line in result.stdout.splitlines() for c in line.split("│")]
    assert "[red]x" in cells and "[/b]" in cells


def test_vectors_default_names_the_shipped_store(tmp_path):
    result = invoke("similarity", "king", "queen", "--vectors", "default", "-f", "json")
    assert result.exit_code == 0, result.stderr
    plain = invoke("similarity", "king", "queen", "-f", "json")
    assert json.loads(result.stdout) == json.loads(plain.stdout)
