"""Bundled Chinese benchmarks: COS960's format, and the suite chosen by the store's language."""

import json

import numpy as np
import pytest
from scipy.stats import spearmanr
from typer.testing import CliRunner

from embtool import VectorStore
from embtool.cli import app
from embtool.errors import BenchmarkError
from embtool.evaluation import evaluate_store, load_benchmark, read_similarity, suite
from embtool.vectors import save_vectors

runner = CliRunner()


def test_chinese_suite_and_english_suite_are_disjoint():
    assert suite("analogy", "zh") == ["ca8-semantic", "ca8-morphological"]
    assert suite("similarity", "zh") == ["ws240", "ws297", "cos960"]
    assert "ca8-semantic" not in suite("analogy") and "ws353" in suite("similarity")


def test_bundled_files_have_their_sizes():
    sizes = {name: len(load_benchmark(name, "similarity").pairs) for name in ("ws240", "ws297")}
    assert sizes == {"ws240": 240, "ws297": 297}
    cos = {
        p: len(load_benchmark(f"cos960-{p}", "similarity").pairs) for p in ("noun", "verb", "adj")
    }
    assert cos == {"noun": 480, "verb": 240, "adj": 240}
    ca8 = load_benchmark("ca8-semantic", "analogy")
    assert len(ca8) == 7636
    assert sorted(s.name for s in ca8.sections) == ["geography", "history", "nature", "people"]
    assert len(load_benchmark("ca8-morphological", "analogy")) == 10177


def test_cos960_format_takes_the_mean(tmp_path):
    path = tmp_path / "cos.txt"
    path.write_text("小心谨慎 谨慎小心 4.0 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 \n繁琐 烦琐 3.5 3 4\n")
    bench = read_similarity(path)
    assert [(p.word1, p.word2, p.score) for p in bench.pairs] == [
        ("小心谨慎", "谨慎小心", 4.0),
        ("繁琐", "烦琐", 3.5),
    ]


def test_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("国王 女王 3.0\n国王 女王 x 4 5\n")
    with pytest.raises(BenchmarkError, match=r"bad.txt line 2"):
        read_similarity(path)


def _zh_store(language: str | None) -> VectorStore:
    rng = np.random.default_rng(0)
    pairs = load_benchmark("ws240", "similarity").pairs
    words = list(dict.fromkeys(w for p in pairs for w in (p.word1, p.word2)))
    meta = {"language": language} if language else {}
    return VectorStore(words, rng.standard_normal((len(words), 8)).astype(np.float32), meta=meta)


@pytest.mark.parametrize("language", ["zh", None])  # from meta.json, or judged by script
def test_chinese_store_runs_the_chinese_suite(language):
    store = _zh_store(language)
    run = evaluate_store(store)
    names = [r.benchmark for r in run.results]
    assert names == ["ca8-semantic", "ca8-morphological", "ws240", "ws297", "cos960"]
    ws = next(r for r in run.results if r.benchmark == "ws240")
    pairs = load_benchmark("ws240", "similarity").pairs
    unit = store.vectors / np.linalg.norm(store.vectors, axis=1, keepdims=True)
    ix = {w: i for i, w in enumerate(store.words)}
    cos = [float(unit[ix[p.word1]] @ unit[ix[p.word2]]) for p in pairs]
    expected = spearmanr([p.score for p in pairs], cos).statistic
    assert ws.score == pytest.approx(expected, abs=1e-6)


def test_evaluate_cli_on_chinese_store_no_coverage_warnings(tmp_path):
    path = save_vectors(_zh_store("zh"), tmp_path / "zh")
    result = runner.invoke(app, ["evaluate", "--vectors", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "ws240" in text and "cos960" in text and "ws353" not in text
    assert json.loads(text)
