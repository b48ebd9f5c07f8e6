"""embtool convert: every format to every format, the guessed output format, provenance, --force."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool import VectorStore, load_vectors, save_vectors
from embtool.cli import app
from embtool.cli.errors import phrase_error
from embtool.errors import OutputError, UsageError
from embtool.vectors import VectorFormat, convert_vectors, guess_output_format
from tests.helpers import REPO_ROOT, TOY_PATH, run_embtool

runner = CliRunner()


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("v.bin", VectorFormat.word2vec_binary),
        ("v.bin.gz", VectorFormat.word2vec_binary),
        ("v.txt", VectorFormat.word2vec),
        ("v.txt.bz2", VectorFormat.word2vec),
        ("wiki.en.vec", VectorFormat.fasttext),
        ("wiki.en.vec.xz", VectorFormat.fasttext),
        ("v.gz", VectorFormat.word2vec),
        ("vectors/news", VectorFormat.store),
    ],
)
def test_output_format_is_guessed_from_the_extension(name: str, fmt: VectorFormat):
    assert guess_output_format(Path(name))[0] is fmt


def test_unknown_extension_asks_for_to():
    with pytest.raises(UsageError, match=r"; pass `to=store\|word2vec\|") as exc:
        guess_output_format(Path("glove.6B.50d"))
    shown = phrase_error(exc.value)
    assert (
        "; pass --to store|word2vec|word2vec-binary|glove|fasttext|fasttext-bin|projector" in shown
    )


# fasttext-bin needs a store with subwords: tests/test_fasttext_interop.py converts one
@pytest.mark.parametrize(
    "to",
    [f for f in VectorFormat if f not in (VectorFormat.gensim, VectorFormat.fasttext_bin)],
    ids=lambda f: f.value,
)
def test_cli_converts_to_every_format(tmp_path: Path, toy_store: VectorStore, to: VectorFormat):
    out = tmp_path / ("out" if to in (VectorFormat.store, VectorFormat.projector) else "out.gz")
    result = runner.invoke(
        app, ["convert", str(TOY_PATH), str(out), "--to", to.value, "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record == {
        "source": str(TOY_PATH),
        "source_format": "word2vec",
        "output": str(out),
        "format": to.value,
        "words": 12,
        "dim": 4,
        "dtype": "float32",
    }
    back = load_vectors(out)
    assert back.words == toy_store.words
    np.testing.assert_array_equal(np.asarray(back.vectors), np.asarray(toy_store.vectors))


def test_cli_says_which_format_it_guessed(tmp_path: Path):
    result = runner.invoke(app, ["convert", str(TOY_PATH), str(tmp_path / "toy.bin"), "-f", "tsv"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "note: writing word2vec binary (from the .bin extension; --to chooses another format)"
    ]
    header, row = result.stdout.splitlines()
    assert (
        dict(zip(header.split("\t"), row.split("\t"), strict=True))["format"] == "word2vec-binary"
    )
    assert load_vectors(tmp_path / "toy.bin").meta["source_format"] == "word2vec-binary"


def test_store_records_provenance(tmp_path: Path):
    out = tmp_path / "toy"
    result = runner.invoke(
        app, ["convert", str(TOY_PATH), str(out), "--limit", "5", "--dtype", "float16"]
    )
    assert result.exit_code == 0, result.stderr
    meta = json.loads((out / "meta.json").read_text())
    assert meta["dtype"] == "float16"
    assert meta["shape"] == [5, 4]
    (entry,) = meta["history"]
    assert {k: entry[k] for k in ("action", "source", "source_format", "limit", "to", "dtype")} == {
        "action": "convert",
        "source": str(TOY_PATH.resolve()),
        "source_format": "word2vec",
        "limit": 5,
        "to": "store",
        "dtype": "float16",
    }
    assert load_vectors(out).words == ["the", "man", "woman", "king", "queen"]


def test_converting_a_store_keeps_its_history_and_training(tmp_path: Path, toy_store_dir: Path):
    meta_path = toy_store_dir / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["training"] = {"method": "cbow", "seed": 1}
    meta_path.write_text(json.dumps(meta))
    out = convert_vectors(toy_store_dir, tmp_path / "copy", "store").meta
    written = json.loads((tmp_path / "copy" / "meta.json").read_text())
    assert written["training"] == {"method": "cbow", "seed": 1}
    assert [h["action"] for h in written["history"]] == ["fixture", "convert"]
    assert written["history"][-1]["source_format"] == "store"
    assert written["has_counts"] is True
    assert out["history"] == written["history"]
    assert load_vectors(tmp_path / "copy").counts.tolist() == list(range(1000, 988, -1))


def test_force_is_needed_to_overwrite(tmp_path: Path):
    out = tmp_path / "toy"
    assert runner.invoke(app, ["convert", str(TOY_PATH), str(out)]).exit_code == 0
    before = (out / "vectors.npy").read_bytes()
    again = runner.invoke(app, ["convert", str(TOY_PATH), str(out), "--limit", "2"])
    assert again.exit_code == 1
    assert (
        again.stderr.splitlines()[-1] == f"error: {out} already exists (pass --force to replace it)"
    )
    assert (out / "vectors.npy").read_bytes() == before
    forced = runner.invoke(app, ["convert", str(TOY_PATH), str(out), "--limit", "2", "--force"])
    assert forced.exit_code == 0, forced.stderr
    assert load_vectors(out).words == ["the", "man"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["toy"]  # no temporary leftovers


def test_converting_onto_itself_is_refused(tmp_path: Path, toy_store_dir: Path):
    with pytest.raises(OutputError, match="is the input itself"):
        convert_vectors(toy_store_dir, toy_store_dir, "store", overwrite=True)


def test_dtype_only_for_stores(tmp_path: Path):
    result = runner.invoke(
        app, ["convert", str(TOY_PATH), str(tmp_path / "v.txt"), "--dtype", "float16"]
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "error: --dtype applies to native stores only, not to word2vec text"
    )
    assert list(tmp_path.iterdir()) == []


def test_forced_input_format(tmp_path: Path):
    src = tmp_path / "weird.dat"
    src.write_text("frog 1 2\ntoad 3 4\n")
    result = runner.invoke(
        app, ["convert", str(src), str(tmp_path / "out"), "--vectors-format", "glove", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["source_format"] == "glove"


def test_help_has_an_example():
    result = runner.invoke(app, ["convert", "--help"])
    assert result.exit_code == 0
    assert "Example: embtool convert" in " ".join(result.stdout.split())


def test_convert_in_a_real_process(tmp_path: Path):
    out = tmp_path / "toy.txt.gz"
    proc = run_embtool("convert", str(TOY_PATH), str(out), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["format"] == "word2vec"
    assert load_vectors(out).words == load_vectors(TOY_PATH).words


@pytest.mark.parametrize(("signame", "code"), [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_a_killed_convert_leaves_nothing_behind(tmp_path: Path, signame: str, code: int):
    # `timeout`, batch schedulers and closed terminals stop a long convert with SIGTERM/SIGHUP,
    # not Ctrl-C; the temporary sibling must go in every case.
    rng = np.random.default_rng(0)
    src = save_vectors(
        VectorStore(
            [f"w{i}" for i in range(200_000)], rng.standard_normal((200_000, 20), dtype=np.float32)
        ),
        tmp_path / "src",
    )
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "embtool", "convert", str(src), str(out / "v.txt.gz")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    deadline = time.monotonic() + 60
    while not any(out.iterdir()) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "convert finished before it could be stopped"
    proc.send_signal(getattr(signal, signame))
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    assert stdout == ""
    assert "Traceback" not in stderr
    assert list(out.iterdir()) == []
