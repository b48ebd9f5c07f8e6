"""Faults while writing: a full disk, writers killed with -9 (issue 16, items 24 and 32)."""

import builtins
import errno
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool.atomic import atomic_dir, sweep_stale, temp_prefix
from embtool.cli import app
from embtool.vectors import VectorStore, save_vectors
from tests.helpers import REPO_ROOT

runner = CliRunner()


class _FullFile:
    """A file that takes ``room`` bytes, then fails as a full disk does."""

    def __init__(self, f, room: int) -> None:
        self._f = f
        self._room = room

    def write(self, data):
        self._room -= len(data)
        if self._room < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._f.write(data)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def disk_full(monkeypatch, under: Path, room: int = 1000) -> None:
    """Every file opened for writing under ``under`` (or by descriptor) fills up after ``room``."""
    real = builtins.open

    def fake(file, mode="r", *args, **kwargs):
        f = real(file, mode, *args, **kwargs)
        inside = isinstance(file, int) or str(Path(file).absolute()).startswith(str(under))
        if inside and any(c in mode for c in "wax"):
            return _FullFile(f, room)
        return f

    monkeypatch.setattr(builtins, "open", fake)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(500)]
    store = VectorStore(words, rng.standard_normal((500, 8), dtype=np.float32))
    save_vectors(store, tmp_path / "src")
    return tmp_path / "src"


@pytest.mark.parametrize("name", ["out", "out.txt", "out.bin.gz"])
def test_disk_full_on_convert_is_one_line_and_leaves_old_out(tmp_path, src, monkeypatch, name):
    outdir = tmp_path / "full"
    outdir.mkdir()
    out = outdir / name
    assert runner.invoke(app, ["convert", str(src), str(out)]).exit_code == 0
    before = sorted((p.name, p.read_bytes()) for p in outdir.rglob("*") if p.is_file())
    disk_full(monkeypatch, outdir)
    result = runner.invoke(app, ["convert", str(src), str(out), "--force"])
    assert result.exit_code == 1, result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"error: no space left on device writing {out}"
    assert "Traceback" not in result.stderr
    after = sorted((p.name, p.read_bytes()) for p in outdir.rglob("*") if p.is_file())
    assert after == before  # the old OUT untouched, no temporary left
    assert [p.name for p in outdir.iterdir()] == [name]


def test_disk_full_in_train_tmp_dir(tmp_path, monkeypatch):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\n" * 2000)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    disk_full(monkeypatch, tmp)
    out = tmp_path / "never"
    result = runner.invoke(app, ["train", str(corpus), "-o", str(out), "--tmp-dir", str(tmp)])
    assert result.exit_code == 1, result.stderr
    line = result.stderr.strip()
    assert line.startswith("error: no space left on device writing ") and "\n" not in line
    assert list(tmp.iterdir()) == [] and not out.exists()


def test_a_killed_writers_temporaries_are_removed_by_the_next_write(tmp_path, src):
    # a writer killed with -9 mid-write leaves its sibling; the next write to the place removes it
    out = tmp_path / "out"
    script = (
        "import os, sys\n"
        "from embtool.atomic import atomic_dir\n"
        "with atomic_dir(sys.argv[1]) as tmp:\n"
        "    (tmp / 'vectors.npy').write_bytes(b'x' * 1000)\n"
        "    os._exit(9)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run([sys.executable, "-c", script, str(out)], env=env, check=False)
    stale = [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert len(stale) == 1 and stale[0].name.endswith(".tmp")
    live = tmp_path / f"{temp_prefix('out')}busy.tmp"  # this (live) process's: kept
    live.mkdir()
    assert runner.invoke(app, ["convert", str(src), str(out)]).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["src", "out", live.name])
    assert sweep_stale(tmp_path, "out") == []


def test_atomic_dir_temporaries_carry_the_pid(tmp_path):
    with atomic_dir(tmp_path / "x") as tmp:
        assert tmp.name.startswith(f".x.{os.getpid()}-")


# A training run killed with -9 while its scratch files exist: the tokenized corpus (prepare) and
# the co-occurrence spill directory (count_cooccurrences), both in --tmp-dir.
_KILLED_SCRATCH = """
import os, sys
from embtool.corpus import prepare_corpus
from embtool.training.cooccurrence import build_vocabulary, count_cooccurrences
corpus, tmp_dir, what = sys.argv[1:4]
if what == "corpus":
    prepare_corpus([corpus], tmp_dir=tmp_dir, progress=lambda *a, **k: os._exit(9))
else:
    sentences = [line.split() for line in open(corpus)]
    vocab = build_vocabulary(sentences, min_count=1)
    count_cooccurrences(sentences, vocab, tmp_dir=tmp_dir, progress=lambda *a: os._exit(9))
"""


@pytest.mark.parametrize("what", ["corpus", "cooc"])
def test_a_killed_trainings_scratch_files_are_removed_by_the_next_run(tmp_path, what):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\n" * 3000)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_SCRATCH, str(corpus), str(tmp), what], env=env, check=False
    )
    assert done.returncode == 9
    left = list(tmp.iterdir())
    assert len(left) == 1 and left[0].name.startswith(f".embtool-{what}.")  # pid-tagged
    live = tmp / f"{temp_prefix('embtool-' + what)}busy.tmp"  # this live process's: kept
    live.mkdir()
    out = tmp_path / "vectors"
    args = ["train", str(corpus), "-o", str(out), "--tmp-dir", str(tmp), "--min-count", "1"]
    if what == "cooc":
        args += ["--method", "glove", "--epochs", "1"]
    result = runner.invoke(app, [*args, "--epochs", "1", "--dim", "8"])
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp.iterdir()] == [live.name]
