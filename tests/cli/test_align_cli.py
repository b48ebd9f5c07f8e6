"""align, compare, translate and evaluate --translation: the command contracts."""

import json

import numpy as np
import pytest
from scipy.stats import ortho_group
from typer.testing import CliRunner

from embtool import alignment, load_vectors, save_vectors
from embtool.cli import app
from embtool.vectors.store import VectorStore
from tests.helpers import run_embtool

runner = CliRunner()
N, DIM = 200, 12


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def stores(tmp_path):
    """Store a, and b = a rotated, with a little noise, 'w0' moved far, rows shuffled, 4 words gone."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, DIM))
    q = ortho_group.rvs(DIM, random_state=1)
    y = x @ q + 0.05 * rng.normal(size=x.shape)
    y[0] = -y[0]
    words = [f"w{i}" for i in range(N)]
    counts = list(range(N * 10, 0, -10))
    a = save_vectors(VectorStore(words, x.astype(np.float32), counts=counts), tmp_path / "a")
    order = rng.permutation(N)[:-4]
    b = save_vectors(
        VectorStore(
            [words[i] for i in order],
            y[order].astype(np.float32),
            counts=[counts[i] for i in order],
        ),
        tmp_path / "b",
    )
    return a, b, q


def test_align_writes_the_rotated_store_and_reports(stores, tmp_path):
    a, b, q = stores
    out = tmp_path / "a-on-b"
    result = invoke("align", a, b, "--out", out, "-f", "json")
    assert result.exit_code == 0, result.stderr
    rec = json.loads(result.stdout)
    assert rec["anchors"] == N - 4
    assert rec["cosine_after"] > 0.95 > 0.3 > rec["cosine_before"]
    assert rec["output"] == str(out) and rec["words"] == N
    meta = json.loads((out / "meta.json").read_text())["alignment"]
    assert meta["residual"] == pytest.approx(rec["residual"])
    assert np.abs(alignment.load_transform(out) - q).max() < 0.05
    assert len((out / "anchors.tsv").read_text().splitlines()) == N - 4
    again = invoke("align", a, b, "--out", out)
    assert again.exit_code == 1
    assert again.stderr.strip() == f"error: {out} already exists (pass --force to replace it)"


def test_align_no_normalize_no_center_keeps_the_scale(stores, tmp_path):
    a, b, _ = stores
    out = tmp_path / "raw"
    result = invoke("align", a, b, "--out", out, "--no-normalize", "--no-center", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rec = json.loads(result.stdout)
    assert (rec["normalize"], rec["center"]) == (False, False)
    src, got = load_vectors(a), load_vectors(out)
    np.testing.assert_allclose(
        np.linalg.norm(got.vectors, axis=1), np.linalg.norm(src.vectors, axis=1), rtol=1e-5
    )


def test_align_with_a_pairs_file_and_top(stores, tmp_path):
    a, b, _ = stores
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("".join(f"w{i}\tw{i}\n" for i in range(100, 150)), encoding="utf-8")
    out = tmp_path / "p"
    result = invoke("align", a, b, "--anchors", pairs, "--out", out, "-f", "json")
    assert result.exit_code == 0, result.stderr
    rec = json.loads(result.stdout)
    assert (rec["anchors"], rec["anchor_mode"], rec["anchor_file"]) == (50, "pairs", str(pairs))
    top = invoke("align", a, b, "--top", "30", "--out", tmp_path / "t", "-f", "json")
    assert json.loads(top.stdout)["anchors"] == 30


def test_align_bad_inputs_are_one_line_each(stores, tmp_path):
    a, b, _ = stores
    small = save_vectors(VectorStore(["w1", "w2"], np.ones((2, 5), np.float32)), tmp_path / "small")
    result = invoke("align", a, small, "--out", tmp_path / "x")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: a has 12 dimensions and small has 5: an orthogonal rotation needs equal "
        "dimensions (train both with the same dimension)"
    )
    result = invoke("align", a, b, "--top", "5", "--out", tmp_path / "x")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: only 5 shared words for 12 dimensions: the rotation would be underdetermined "
        "(need at least 12 anchors)"
    )
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("w1\tw1\nfoo\tw2\nw3\tbar\nw4\tw4\n", encoding="utf-8")
    result = invoke("align", a, b, "--anchors", pairs, "--out", tmp_path / "x")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {pairs}: 2 of 4 pairs name unknown words; 1 not in a: 'foo'; 1 not in b: 'bar'"
    )
    assert not (tmp_path / "x").exists()


def test_compare_ranks_the_moved_word_first(stores):
    a, b, _ = stores
    result = invoke("compare", a, b, "-k", "3", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert "aligned a to b on 196 anchors" in result.stderr
    rows = json.loads(result.stdout)
    changed = [r for r in rows if r["kind"] == "changed"]
    stable = [r for r in rows if r["kind"] == "stable"]
    assert len(changed) == len(stable) == 3
    assert changed[0]["word"] == "w0" and changed[0]["cosine"] < -0.8
    assert stable[0]["cosine"] > 0.99
    assert [r["rank"] for r in changed] == [1, 2, 3]


def test_compare_uses_a_recorded_alignment_and_min_count(stores, tmp_path):
    a, b, _ = stores
    out = tmp_path / "al"
    assert invoke("align", a, b, "--out", out).exit_code == 0
    result = invoke("compare", out, b, "--min-count", "1500", "-k", "200", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert "al was aligned to b (meta.json); using it as is" in result.stderr
    rows = json.loads(result.stdout)
    assert {r["word"] for r in rows} <= {f"w{i}" for i in range(51)}
    assert all(r["count_a"] >= 1500 and r["count_b"] >= 1500 for r in rows)


def test_compare_words_side_by_side(stores):
    a, b, _ = stores
    result = invoke("compare", a, b, "w0", "w5", "-k", "4", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["word"] for d in data] == ["w0", "w5"]
    store_a = load_vectors(a)
    expected = [
        w for w in np.array(store_a.words)[np.argsort(-store_a.unit_vectors @ store_a.unit([5])[0])]
    ][1:5]
    assert [n["word"] for n in data[1]["neighbors_a"]] == expected
    assert len(data[1]["neighbors_b"]) == 4
    assert data[0]["cosine"] < -0.8 and data[1]["cosine"] > 0.9
    tsv = invoke("compare", a, b, "w5", "-k", "2", "-f", "tsv")
    header, *rows = tsv.stdout.strip().split("\n")
    assert header.split("\t") == [
        "word", "cosine", "jaccard", "rank", "neighbor_a", "score_a", "neighbor_b", "score_b"
    ]  # fmt: skip
    assert [r.split("\t")[3] for r in rows] == ["1", "2"]
    unknown = invoke("compare", a, b, "w5", "w1x")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "error: 1 word not in vectors (a): 'w1x' (did you mean 'w1'?)"


def test_translate_and_evaluate_translation(stores, tmp_path):
    a, b, _ = stores
    out = tmp_path / "al"
    assert invoke("align", a, b, "--out", out).exit_code == 0
    result = invoke("translate", "w7", "w8", "--from", out, "--to", b, "-k", "2", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["translations"][0]["word"] for d in data] == ["w7", "w8"]
    csls = invoke("translate", "w7", "--from", out, "--to", b, "--method", "csls", "-f", "json")
    assert json.loads(csls.stdout)[0]["translations"][0]["word"] == "w7"
    test = tmp_path / "test.tsv"
    test.write_text("".join(f"w{i}\tw{i}\n" for i in range(10, 40)) + "w0\tw0\nzz\tw1\n")
    ev = invoke("evaluate", out, "--translation", test, "--to", b, "-f", "json")
    assert ev.exit_code == 0, ev.stderr
    rec = json.loads(ev.stdout)
    assert (rec["queries"], rec["covered"], rec["oov_words"]) == (32, 31, ["zz"])
    assert rec["p@1"] == pytest.approx(30 / 31)  # w0 was moved away in b
    unknown = invoke("translate", "nope", "--from", out, "--to", b)
    assert unknown.exit_code == 1 and unknown.stderr.startswith("error: 1 word not in vectors")


def test_align_in_a_subprocess_and_help_has_an_example(stores, tmp_path):
    a, b, _ = stores
    proc = run_embtool("align", str(a), str(b), "--out", str(tmp_path / "s"), "-f", "tsv")
    assert proc.returncode == 0, proc.stderr
    header, row = proc.stdout.strip().split("\n")
    assert header.split("\t")[:3] == ["source", "target", "method"]
    assert row.split("\t")[:3] == ["a", "b", "orthogonal-procrustes"]
    for command in ("align", "compare", "translate"):
        help_text = invoke(command, "--help").stdout
        assert f"embtool {command}" in help_text and "Example" in help_text


def test_plot_aligned_with_writes_image_and_coordinates(stores, tmp_path):
    a, b, _ = stores
    png = tmp_path / "moved.png"
    result = invoke(
        "plot", "--vectors", a, "--aligned-with", b, "w0", "w1", "w2", "-o", png, "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    assert png.stat().st_size > 1000
    data = json.loads(result.stdout)
    assert (data["a"], data["b"]) == ("a->b", "b")
    points = {p["word"]: p for p in data["points"]}
    assert list(points) == ["w0", "w1", "w2"]
    assert points["w0"]["cosine"] < -0.8 < 0.9 < points["w1"]["cosine"]
    bad = invoke("plot", "--vectors", a, "--aligned-with", b, "w0", "nope", "-f", "json")
    assert bad.exit_code == 1
    assert bad.stderr.strip() == "error: 1 word not in vectors (a): 'nope'"
