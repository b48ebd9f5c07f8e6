"""embtool shell: piped and interactive sessions answer as the commands do, on the shipped vectors."""

import fcntl
import json
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import embtool.cli.vectors as cli_vectors
from embtool.cli import app
from embtool.cli.shell import Session, history_path
from embtool.cli.vectors import StoreCache, VectorSource, keep_stores_open
from embtool.resources import default_zh_vectors_path
from tests.helpers import REPO_ROOT, TOY_PATH, run_embtool

runner = CliRunner()
TOY = str(TOY_PATH)
needs_zh = pytest.mark.skipif(
    not default_zh_vectors_path().exists(), reason="the shipped Chinese vectors are not installed"
)


def shell(script: str, *args: str, env: dict | None = None):
    return runner.invoke(app, ["shell", *args], input=script, env=env)


def command_json(*args: str):
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def json_documents(text: str) -> list:
    """The JSON values printed one after another (each answer is one indented document)."""
    decoder, out, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        value, i = decoder.raw_decode(text, i)
        out.append(value)
    return out


# -- piped mode, real processes -------------------------------------------------------------------


def test_piped_analogy_on_the_shipped_vectors_puts_queen_first():
    result = run_embtool("shell", input="king - man + woman\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == ["a", "b", "c", "rank", "word", "score"]  # TSV when piped
    assert lines[1].split("\t")[:5] == ["king", "man", "woman", "1", "queen"]
    assert "embtool>" not in result.stdout  # no prompt when piped
    assert result.stderr == ""


@needs_zh
def test_piped_chinese_analogy_uses_the_chinese_default():
    result = run_embtool("shell", input=":format json\n国王 - 男人 + 女人\n")
    assert result.returncode == 0, result.stderr
    [record] = json.loads(result.stdout)
    assert record["query"] == ["国王", "男人", "女人"]
    assert record["answers"][0]["word"] == "王后"
    assert "Chinese query" in result.stderr
    expected = run_embtool("analogy", "国王", "男人", "女人", "--format", "json")
    assert json.loads(expected.stdout) == [record]


def test_piped_exit_status_is_the_first_failure_and_the_session_goes_on():
    script = "kingg\nsim cat dog\nfoo bar\n"
    result = run_embtool("shell", input=script)
    assert result.returncode == 1  # the unknown word came first; the usage error second
    assert result.stdout.splitlines()[1].split("\t")[:2] == ["cat", "dog"]
    command = run_embtool("neighbors", "kingg")
    assert command.returncode == 1
    err_lines = result.stderr.splitlines()
    assert err_lines[0] == command.stderr.strip()  # the command's own one-line message
    assert err_lines[0].startswith("error: 1 word not in vectors") and "'king'" in err_lines[0]
    assert err_lines[1].startswith("error: unknown command 'foo'")
    assert "Traceback" not in result.stderr


def test_piped_usage_error_first_gives_status_2():
    result = run_embtool("shell", input="foo bar\nkingg\n")
    assert result.returncode == 2


def test_bad_vectors_fail_at_start():
    result = run_embtool("shell", "--vectors", "no-such-set", input="king\n")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: no-such-set: no such file or downloaded vector set")


# -- the same answers as the commands (CliRunner) -------------------------------------------------


def test_json_records_equal_the_commands_records():
    script = (
        ":format json\n"
        "king - man + woman\n"
        "neighbors frog -k 5\n"
        "sim cat dog\n"
        "odd breakfast lunch dinner car\n"
        'sentence similarity "dog bites man" "man bites dog"\n'
        'attention predict "the united" -k 3\n'
    )
    result = shell(script)
    assert result.exit_code == 0, result.stderr
    got = json_documents(result.stdout)
    assert got == [
        command_json("analogy", "king", "man", "woman"),
        command_json("neighbors", "frog", "-k", "5"),
        command_json("similarity", "cat", "dog"),
        command_json("odd-one-out", "breakfast", "lunch", "dinner", "car"),
        command_json("sentence", "similarity", "dog bites man", "man bites dog"),
        command_json("attention", "predict", "the united", "-k", "3"),
    ]
    assert got[0][0]["answers"][0]["word"] == "queen"
    assert got[3][0]["odd"] == "car"


@needs_zh
def test_chinese_neighbors_and_vectors_switch():
    script = ":format json\nneighbors 北京 -k 5\n:vectors default-zh\n北京 -k 5\n:vectors\n"
    result = shell(script)
    assert result.exit_code == 0, result.stderr
    answers, shown = result.stdout.rsplit("\n", 2)[:2]
    first, second = json_documents(answers)
    expected = command_json("neighbors", "北京", "-k", "5", "--vectors", "default-zh")
    assert first == expected == second
    assert expected[0]["neighbors"][0]["word"] == "天津"
    assert shown == "default-zh"
    assert "default-vectors-zh (80,000 words" in result.stderr


def test_vectors_switch_to_a_path_and_a_bad_name_keeps_the_old():
    script = f":vectors {TOY}\n:format json\nking - man + woman -k 1\n:vectors nope\nqueen -k 1\n"
    result = shell(script)
    assert result.exit_code == 1
    analogy, neighbors = json_documents(result.stdout)
    assert [a["word"] for a in analogy[0]["answers"]] == ["queen"]
    assert analogy == command_json("analogy", "king", "man", "woman", "-k", "1", "--vectors", TOY)
    assert neighbors[0]["neighbors"][0]["word"] == "princess"  # still the toy vectors
    assert "error: nope: no such file or downloaded vector set" in result.stderr


def test_other_arithmetic_is_answered_with_its_own_record():
    result = shell(":format json\nqueen - woman + man - prince -k 2\n", "--vectors", TOY)
    assert result.exit_code == 0, result.stderr
    [record] = json.loads(result.stdout)
    assert record["expression"] == "queen - woman + man - prince"
    assert record["positive"] == ["queen", "man"] and record["negative"] == ["woman", "prince"]
    assert len(record["answers"]) == 2
    assert not {"queen", "woman", "man", "prince"} & {a["word"] for a in record["answers"]}


def test_formats_switch_and_tsv_matches_the_command():
    result = shell(":format tsv\nsim cat dog\n:format\n")
    assert result.exit_code == 0, result.stderr
    expected = runner.invoke(app, ["similarity", "cat", "dog", "--format", "tsv"]).stdout
    assert result.stdout == expected + "tsv\n"


def test_bad_lines_print_usage_and_never_end_the_session():
    script = (
        "neighbors\n"  # nothing to look up: must not read the rest of stdin as words
        "neighbors -k 3\n"
        "sim cat\n"
        "king - - man\n"
        ":format xml\n"
        'sentence similarity "unclosed\n'
        "neighbors cat --bogus\n"
        "sim cat dog\n"
    )
    result = shell(script)
    assert result.exit_code == 2
    assert result.stdout.splitlines()[-1].split("\t")[:2] == ["cat", "dog"]
    err = result.stderr
    assert err.count("error: neighbors: nothing to look up") == 2
    assert "Usage: neighbors [OPTIONS] [words]..." in err
    assert "error: similarity needs 2 words, got 1 in arguments: cat" in err
    assert "error: two operators in a row in 'king - - man'" in err
    assert "error: :format takes one of table, tsv, json, jsonl, auto; got 'xml'" in err
    assert "error: cannot split the line: No closing quotation" in err
    assert "No such option: --bogus" in err


def test_quit_stops_reading_and_help_goes_to_stdout():
    result = shell(":help\n:quit\nkingg\n")
    assert result.exit_code == 0, result.stderr
    assert "king - man + woman" in result.stdout and ":vectors [NAME]" in result.stdout
    assert result.stderr == ""


def test_the_store_is_loaded_once(monkeypatch):
    calls = []
    real = cli_vectors.load_vectors

    def counting(path, options):
        calls.append(Path(path).name)
        return real(path, options)

    monkeypatch.setattr(cli_vectors, "load_vectors", counting)
    result = shell("king - man + woman\nsim cat dog\nfrog\nodd breakfast lunch dinner car\n")
    assert result.exit_code == 0, result.stderr
    assert calls == ["default-vectors"]


# -- completion -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def session():
    with keep_stores_open(StoreCache()) as cache:
        s = Session(VectorSource(), cache)
        s.open()
        yield s


def test_completion_of_vocabulary_words(session):
    words = session.completions("quee")
    assert "queen" in words and "queens" in words
    store = session.cache.last
    assert words == sorted(w for w in store.words if w.startswith("quee"))
    assert session.completions("zzzzqx") == []
    assert len(session.completions("a", limit=50)) == 50


@needs_zh
def test_completion_of_chinese_words_uses_the_chinese_vectors(session):
    words = session.completions("北京")
    assert "北京" in words and "北京大学" in words
    assert all(w.startswith("北京") for w in words)


def test_completion_of_commands_and_arguments(session):
    assert session.command_completions(":v") == [":vectors"]
    assert session.command_completions("si") == ["sim", "similarity"]
    assert session.argument_completions(["sentence"], "si") == ["similarity"]
    assert session.argument_completions([":format"], "j") == ["json", "jsonl"]
    assert session.argument_completions([":vectors"], "default-") == ["default-zh"]
    assert "frog" in session.argument_completions(["neighbors"], "fro")


# -- interactive mode on a pseudo-terminal --------------------------------------------------------


def _read_until(fd: int, needle: bytes, timeout: float = 120) -> bytes:
    data, end = b"", time.monotonic() + timeout
    while needle not in data:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out waiting for {needle!r}; got {data[-500:]!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    return data


def _own_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty (so Ctrl-C is SIGINT)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_interactive_session_keeps_history_in_embtool_home(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "EMBTOOL_HOME": str(home), "TERM": "dumb"}
    env.pop("EMBTOOL_VECTORS", None)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "embtool", "shell"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
        preexec_fn=_own_terminal,
    )
    os.close(follower)
    try:
        _read_until(leader, b"embtool> ")
        os.write(leader, b"sim cat dog\r")
        out = _read_until(leader, b"embtool> ")
        assert b"0.6730" in out  # a Rich table on a terminal, 4 decimals
        os.write(leader, b"kingg\r")
        out = _read_until(leader, b"embtool> ")
        assert b"error: 1 word not in vectors" in out  # and the session goes on
        os.write(leader, b"sim cat")
        _read_until(leader, b"sim cat")  # echoed: readline is reading the line
        os.write(leader, b"\x03")  # Ctrl-C drops the line, the session goes on
        _read_until(leader, b"embtool> ")
        os.write(leader, b"odd breakfast lunch dinner car\r")
        assert b"car" in _read_until(leader, b"embtool> ")
        os.write(leader, b"quee\t\t")  # Tab completion
        out = _read_until(leader, b"queens")
        assert b"queen" in out
        os.write(leader, b"\x15\x04")  # clear the line, then Ctrl-D
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    saved = (home / "shell_history").read_text(encoding="utf-8").splitlines()
    assert saved == ["sim cat dog", "kingg", "odd breakfast lunch dinner car"]


def test_history_path_follows_embtool_home(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBTOOL_HOME", str(tmp_path / "h"))
    assert history_path() == tmp_path / "h" / "shell_history"


def test_a_closed_pipe_stops_the_session():
    # ~300 KB of answers: more than a pipe holds, so the shell is still writing when we close
    script = "frog -k 50\n" * 200 + "kingg\n" * 5
    proc = subprocess.Popen(
        [sys.executable, "-m", "embtool", "shell"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert proc.stdin and proc.stdout and proc.stderr
    proc.stdin.write(script.encode())
    proc.stdin.close()
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    assert proc.wait(timeout=120) == 141
    assert b"error:" not in proc.stderr.read()  # stopped: the unknown words were never looked up
