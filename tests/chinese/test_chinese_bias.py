"""Bias commands on Chinese vectors use the Chinese word lists with no files given."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool import VectorStore, bias
from embtool.cli import app
from embtool.vectors import save_vectors

runner = CliRunner()


def _store() -> VectorStore:
    """Female words at +x, male words at -x, professions between, with a known lean."""
    pairs = bias.definitional_pairs("zh")
    prof = bias.neutral_professions("zh")[:4]
    words, rows = [], []
    for i, (f, m) in enumerate(pairs):
        other = np.zeros(len(pairs) + 5)
        other[i + 1] = 1.0
        words += [f, m]
        rows += [np.r_[1.0, other[1:]], np.r_[-1.0, other[1:]]]
    for j, w in enumerate(prof):
        v = np.zeros(len(pairs) + 5)
        v[0] = 0.5 if j % 2 == 0 else 0.0
        v[len(pairs) + 1 + j] = 1.0
        words.append(w)
        rows.append(v)
    return VectorStore(words, np.array(rows, dtype=np.float32))


def test_chinese_lists():
    assert bias.definitional_pairs("zh")[:3] == [("她", "他"), ("女人", "男人"), ("母亲", "父亲")]
    assert "医生" in bias.neutral_professions("zh")
    assert bias.definitional_pairs()[0] == ("woman", "man")


def test_direction_from_chinese_pairs_by_script():
    store = _store()  # no meta.json language: judged by its Han words
    d = bias.bias_direction(store, None, method="pca")
    assert set(d.pairs) == set(bias.definitional_pairs("zh"))
    assert abs(abs(float(d.vector[0])) - 1.0) < 1e-6


def test_direct_bias_cli_on_chinese_store(tmp_path):
    path = save_vectors(_store(), tmp_path / "zh")
    result = runner.invoke(app, ["bias", "direct-bias", "--vectors", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["words"] == ["医生", "护士", "教师", "老师"]  # the Chinese professions list
    # two of the four lean 0.5 along the gender axis: cos = 0.5 / sqrt(1.25), mean |cos| over 4
    assert out["direct_bias"] == pytest.approx(2 * 0.5 / np.sqrt(1.25) / 4, abs=1e-6)


def test_debias_chinese_store_before_after_with_chinese_lists(tmp_path):
    path = save_vectors(_store(), tmp_path / "zh")
    out = tmp_path / "zh-debiased"
    result = runner.invoke(app, ["debias", str(path), "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rec = json.loads(result.stdout)
    rows = {c["measure"]: c for c in rec["comparison"]}
    # the Chinese professions: two of four lean 0.5 along the 她-他 axis; none after neutralizing
    assert rows["DirectBias_1 (professions)"]["before"] == pytest.approx(
        2 * 0.5 / np.sqrt(1.25) / 4, abs=1e-6
    )
    assert rows["DirectBias_1 (professions)"]["after"] == pytest.approx(0.0, abs=1e-6)
    # ECT before: cos(m_female, a) = -cos(m_male, a) for every profession (the pairs sit at +-x):
    # ranks exactly reversed, rho = -1; after, all those cosines are 0: undefined
    assert rows["ECT (professions)"]["before"] == pytest.approx(-1.0)
    assert rows["ECT (professions)"]["after"] is None
    assert "ECT left out: after: ECT undefined" in result.stderr
    assert not any(m.startswith("WEAT") for m in rows)  # the bundled WEAT sets are English
    assert "career-family" not in result.stderr
    assert "no gender test word sets in this store's language (zh)" in result.stderr
    # the Chinese benchmarks, not the English suite, measure the cost
    assert {m for m in rows if m.endswith(("accuracy", "spearman"))} == {
        "ca8-semantic accuracy",
        "ca8-morphological accuracy",
        "ws240 spearman",
        "ws297 spearman",
        "cos960 spearman",
    }
    assert rec["debias"]["equalized"]  # Chinese equalize pairs were found in the store
