"""``embtool serve`` as a command: help, where it listens, the host warning, clean errors."""

import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from typer.testing import CliRunner

from embtool.cli import app
from tests.helpers import REPO_ROOT, TOY_PATH, run_embtool

runner = CliRunner()
TOY = str(TOY_PATH)


def test_help_has_an_example_and_says_local():
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout and "embtool serve" in result.stdout
    assert "--host" in result.stdout and "127.0.0.1" in result.stdout


def start(*args: str) -> tuple[subprocess.Popen, str, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "embtool", "serve", "--port", "0", "--vectors", TOY, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    lines = []
    assert proc.stderr is not None
    for line in proc.stderr:
        lines.append(line)
        if "serving" in line:
            return proc, line.split(" at ")[1].split()[0], lines
    raise AssertionError("no 'serving' line: " + "".join(lines))


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    out, _ = proc.communicate(timeout=20)
    return out


def test_listens_on_localhost_only_by_default_and_answers():
    proc, url, lines = start()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert not any("warning" in line for line in lines)
        with urllib.request.urlopen(url + "api/analogy?a=king&b=man&c=woman", timeout=30) as r:
            assert b'"queen"' in r.read()
        port = int(url.rsplit(":", 1)[1].strip("/"))
        # not reachable on another address of this machine
        other = socket.gethostbyname(socket.gethostname())
        if not other.startswith("127."):
            with pytest.raises(OSError):
                socket.create_connection((other, port), timeout=2).close()
    finally:
        assert stop(proc) == ""  # nothing on stdout


def test_another_host_only_with_a_warning():
    proc, url, lines = start("--host", "0.0.0.0")
    try:
        assert url.startswith("http://0.0.0.0:")
        warning = [line for line in lines if line.startswith("warning:")]
        assert len(warning) == 1 and "not only on this machine" in warning[0]
    finally:
        stop(proc)


def test_port_in_use_is_one_clean_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_embtool("serve", "--port", str(port), "--vectors", TOY, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: cannot listen on 127.0.0.1:{port}: already in use (choose another with --port)"
    )
    assert result.stdout == ""


def test_missing_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = runner.invoke(app, ["serve", "--vectors", TOY])
    assert result.exit_code == 1
    assert "pip install 'embtool[serve]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_vectors_are_one_clean_error():
    t0 = time.monotonic()
    result = run_embtool("serve", "--port", "0", "--vectors", "no-such-vectors", timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "no-such-vectors" in result.stderr
    assert time.monotonic() - t0 < 60


def test_the_listening_socket_is_tcp_so_responses_are_not_delayed():
    from embtool.cli.serve import listen

    # asyncio sets TCP_NODELAY only on connections of an IPPROTO_TCP socket; a proto-0 socket
    # made every keep-alive response wait ~40 ms for the client's delayed ACK
    sock = listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
