"""Vectors from pipes and FIFOs: streamed where the format allows, refused at once where a seekable
file is needed (issue 16, item 30)."""

import gzip
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from embtool.errors import VectorFileError
from embtool.vectors import VectorStore, load_vectors, save_vectors
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX pipes and FIFOs")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(4)
    words = [f"w{i}" for i in range(300)]
    store = VectorStore(words, rng.standard_normal((300, 12)).astype(np.float32))
    out = {"store": save_vectors(store, tmp_path / "store")}
    out["text"] = save_vectors(store, tmp_path / "v.txt", "word2vec")
    out["binary"] = save_vectors(store, tmp_path / "v.bin", "word2vec-binary")
    out["glove"] = save_vectors(store, tmp_path / "v.glove", "glove")
    out["gz"] = tmp_path / "v.txt.gz"
    out["gz"].write_bytes(gzip.compress(out["text"].read_bytes()))
    return out


def _embtool_from_pipe(data: bytes, *args: str) -> subprocess.CompletedProcess:
    """Run embtool with ``--vectors /dev/fd/N``, N the read end of a real pipe fed ``data``."""
    feeder = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert feeder.stdin is not None and feeder.stdout is not None
    threading.Thread(
        target=lambda: (feeder.stdin.write(data), feeder.stdin.close()), daemon=True
    ).start()
    fd = feeder.stdout.fileno()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "embtool", *args, "--vectors", f"/dev/fd/{fd}"],
        pass_fds=(fd,),
        capture_output=True,
        env=env,
        timeout=120,
    )
    feeder.stdout.close()
    feeder.wait(timeout=60)
    return done


@pytest.mark.parametrize("kind", ["text", "binary", "glove", "gz"])
def test_neighbors_read_vectors_from_a_pipe(files, kind):
    # as `--vectors <(zcat f.gz)` gives: /dev/fd/N, a pipe that cannot seek
    piped = _embtool_from_pipe(
        files[kind].read_bytes(), "neighbors", "w7", "-k", "5", "--format", "tsv"
    )
    assert piped.returncode == 0, piped.stderr.decode()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    direct = subprocess.run(
        [
            sys.executable,
            "-m",
            "embtool",
            "neighbors",
            "w7",
            "-k",
            "5",
            "--format",
            "tsv",
            "--vectors",
            str(files["store"]),
        ],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert piped.stdout == direct.stdout and piped.stdout.count(b"\n") == 6


def test_a_pipe_of_garbage_is_one_line(files):
    piped = _embtool_from_pipe(b"this is not a vector file\n" * 10, "neighbors", "w7")
    assert piped.returncode == 1
    lines = piped.stderr.decode().strip().splitlines()
    assert (
        len(lines) == 1 and lines[0].startswith("error: /dev/fd/") and "Traceback" not in lines[0]
    )


def _feed_fifo(fifo: Path, data: bytes) -> threading.Thread:
    def write() -> None:
        with open(fifo, "wb") as f:
            f.write(data)

    t = threading.Thread(target=write, daemon=True)
    t.start()
    return t


@pytest.mark.parametrize("kind", ["text", "binary", "gz"])
def test_load_vectors_streams_a_fifo(tmp_path, files, kind):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = _feed_fifo(fifo, files[kind].read_bytes())
    store = load_vectors(fifo)
    writer.join(timeout=30)
    want = load_vectors(files["store"])
    assert store.words == want.words
    np.testing.assert_array_equal(np.asarray(store.vectors), np.asarray(want.vectors))


def test_a_fifo_in_place_of_vectors_npy_is_refused_at_once(tmp_path, files):
    store = tmp_path / "fifo_store"
    store.mkdir()
    (store / "vocab.txt").write_bytes((files["store"] / "vocab.txt").read_bytes())
    os.mkfifo(store / "vectors.npy")  # nobody writes it: opening it would block forever
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "embtool", "neighbors", "w7", "--vectors", str(store)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"error: {store / 'vectors.npy'}: is a pipe or device, not a regular file; a store's "
        "files must be regular files (vectors.npy is memory-mapped)"
    )
    with pytest.raises(VectorFileError, match="not a regular file"):
        load_vectors(store)
