"""Replacing an existing store with --force is crash-safe, also for concurrent writers (issue 16, 25-26)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool import atomic
from embtool.atomic import atomic_dir, restore_parked
from embtool.cli import app
from embtool.errors import OutputExistsError
from embtool.vectors import VectorStore, load_vectors, save_vectors
from tests.helpers import REPO_ROOT

runner = CliRunner()

# A writer replacing OUT that dies (kill -9) at the worst moment: in fallback mode (no
# renameat2), right after the old store was parked; in swap mode, right after the atomic swap.
_CRASH = """
import os, shutil, sys
import embtool.atomic as a
from embtool.vectors import load_vectors, save_vectors
src, out, mode = sys.argv[1:4]
if mode == "fallback":
    a._exchange = lambda x, y: False
    real = os.replace
    def replace(s, d):
        if str(s).endswith(".tmp"):  # the new store moving in: the old one is already parked
            os._exit(9)
        return real(s, d)
    os.replace = replace
else:
    shutil.rmtree = lambda *args, **kwargs: os._exit(9)  # after the swap, before the old goes
save_vectors(load_vectors(src), out, overwrite=True)
"""


def _store(path: Path, seed: int, n: int) -> Path:
    rng = np.random.default_rng(seed)
    words = [f"s{seed}w{i}" for i in range(n)]
    save_vectors(VectorStore(words, rng.standard_normal((n, 6), dtype=np.float32)), path)
    return path


def _crash(src: Path, out: Path, mode: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-c", _CRASH, str(src), str(out), mode], env=env)
    assert done.returncode == 9


@pytest.fixture
def old_and_new(tmp_path):
    return _store(tmp_path / "out", 1, 50), _store(tmp_path / "new", 2, 70)


def _complete(out: Path) -> VectorStore:
    store = load_vectors(out)
    assert store.vectors.shape[0] == len(store.words) and len(store.words) in (50, 70)
    return store


def test_killed_after_parking_the_old_store_an_open_restores_it(tmp_path, old_and_new):
    out, new = old_and_new
    _crash(new, out, "fallback")
    assert not out.exists()  # the crash happened where the old code lost OUT
    store = _complete(out)  # any open finds the parked store and puts it back
    assert store.words[0] == "s1w0" and out.is_dir()
    left = [p.suffix for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert left == [".tmp"]  # the unfinished new store (swept by the next write); nothing parked


def test_killed_after_parking_the_next_write_restores_then_refuses(tmp_path, old_and_new):
    out, new = old_and_new
    _crash(new, out, "fallback")
    result = runner.invoke(app, ["convert", str(new), str(out)])  # no --force: OUT is back
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert _complete(out).words[0] == "s1w0"
    assert runner.invoke(app, ["convert", str(new), str(out), "--force"]).exit_code == 0
    assert _complete(out).words[0] == "s2w0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "out"]  # all swept


def test_killed_after_the_swap_out_is_the_new_store(tmp_path, old_and_new):
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux only")
    out, new = old_and_new
    _crash(new, out, "swap")
    assert _complete(out).words[0] == "s2w0"
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert len(leftovers) == 1 and leftovers[0].suffix == ".tmp"  # the old store, swept later
    assert runner.invoke(app, ["convert", str(new), str(out), "--force"]).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "out"]


def test_replacement_uses_the_atomic_swap_on_linux(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux only")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "in_a").touch()
    assert atomic._exchange(a, b)  # this machine's kernel and file system do it
    assert (b / "in_a").exists() and not (a / "in_a").exists()


def test_fallback_replacement_keeps_old_when_moving_in_fails(tmp_path, monkeypatch):
    out = _store(tmp_path / "out", 1, 50)
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    real = os.replace

    def failing(s, d):
        if str(s).endswith(".tmp"):
            raise OSError(5, "Input/output error")
        return real(s, d)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError), atomic_dir(out, overwrite=True) as tmp:
        (tmp / "vocab.txt").write_text("x\n")
    assert _complete(out).words[0] == "s1w0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_live_writers_parked_store_is_left_alone(tmp_path):
    parked = tmp_path / ".out.1-abcd.old"  # pid 1 is always alive
    parked.mkdir()
    (parked / "vocab.txt").write_text("a\n")
    assert restore_parked(tmp_path / "out") is None and parked.exists()


# Each process replaces OUT again and again with its own store, as `convert --force` does; each
# rename is slowed down so that the two writers' replacements overlap.
_REPEAT = """
import os, sys, time
from typer.testing import CliRunner
import embtool.atomic as a
from embtool.cli import app
src, out, mode, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if mode == "fallback":
    a._exchange = lambda x, y: False
real = os.replace
def slow(s, d):
    real(s, d)
    time.sleep(0.02)
os.replace = slow
runner = CliRunner()
open(out + "-ready-" + str(os.getpid()), "w").close()  # start together
parent = os.path.dirname(out)
while sum(f.startswith("out-ready-") for f in os.listdir(parent)) < 2:
    time.sleep(0.01)
for _ in range(n):
    result = runner.invoke(app, ["convert", src, out, "--force"])
    if result.exit_code != 0 or result.exception and not isinstance(result.exception, SystemExit):
        sys.stderr.write(result.stderr + repr(result.exception))
        sys.exit(1)
"""


@pytest.mark.parametrize("mode", ["swap", "fallback"])
def test_two_concurrent_force_converts_each_land_whole(tmp_path, old_and_new, mode):
    out, new = old_and_new
    other = _store(tmp_path / "other", 3, 90)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _REPEAT, str(src), str(out), mode, "25"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for src in (new, other)
    ]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    assert errors == ["", ""]
    store = load_vectors(out)
    assert store.words[0] in ("s2w0", "s3w0")
    assert len(store.words) == {"s2w0": 70, "s3w0": 90}[store.words[0]]
    for ready in tmp_path.glob("out-ready-*"):
        ready.unlink()
    for ready in tmp_path.glob("out-ready-*"):
        ready.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "other", "out"]


def test_a_concurrent_writer_that_may_not_overwrite_fails_cleanly(tmp_path):
    # another writer creates OUT while this one (no --force) is still writing
    out = tmp_path / "out"
    with pytest.raises(OutputExistsError), atomic_dir(out) as tmp:
        (tmp / "vocab.txt").write_text("a\n")
        _store(tmp_path / "out", 1, 50)
    assert _complete(out).words[0] == "s1w0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
