"""Every command that takes words picks the Chinese default vectors for Chinese input, and the
sentence commands split Chinese with jieba (character split, with a note, when jieba is missing)."""

import json

import numpy as np
import pytest
from scipy.stats import spearmanr
from typer.testing import CliRunner

from embtool.cli import app
from embtool.corpus import Tokenizer, query_tokenizer
from embtool.vectors import save_vectors
from tests.chinese.conftest import ZH_WORDS
from tests.chinese.test_chinese_bias import _store as bias_store

pytest.importorskip("jieba")

runner = CliRunner()


def _ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def _unit(v):
    return v / np.linalg.norm(v)


def test_query_tokenizer_follows_the_store_language(monkeypatch):
    assert query_tokenizer("en") == (Tokenizer.regex, False)
    assert query_tokenizer("zh") == (Tokenizer.jieba, False)
    monkeypatch.setattr("embtool.corpus.jieba_available", lambda: False)
    assert query_tokenizer("zh") == (Tokenizer.char, True)


def test_sentence_similarity_chinese_uses_default_zh_and_jieba(defaults, toy_store):
    result = runner.invoke(
        app, ["sentence", "similarity", "国王和女王", "王子和公主", "-f", "json"]
    )
    got = _ok(result)[0]["similarity"]
    v = {w: np.asarray(toy_store[w], dtype=np.float64) for w in toy_store.words}
    # jieba: 国王 / 和 / 女王 (和 unknown, dropped); the regex split 国 王 ... finds nothing
    expected = _unit(v["king"] + v["queen"]) @ _unit(v["prince"] + v["princess"])
    assert got == pytest.approx(expected, abs=1e-6)
    assert result.stderr.count("Chinese vectors") == 1
    assert "1 unknown token(s) dropped from '国王和女王': 和" in result.stderr


def test_sentence_explain_words_with_jieba_and_without(defaults, monkeypatch):
    args = ["sentence", "similarity", "的苹果", "的汽车", "--explain", "-f", "json"]
    with_jieba = _ok(runner.invoke(app, args))
    assert [w["word"] for w in with_jieba[0]["words"]] == ["的", "苹果"]
    monkeypatch.setattr("embtool.corpus.jieba_available", lambda: False)
    result = runner.invoke(app, args)
    chars = _ok(result)
    assert [w["word"] for w in chars[0]["words"]] == ["的"]  # 苹 and 果 are not words here
    assert result.stderr.count("jieba is not installed") == 1


def test_explicit_tokenizer_wins(defaults):
    args = ["sentence", "similarity", "的苹果", "的汽车", "--explain", "-f", "json"]
    out = _ok(runner.invoke(app, [*args, "--tokenizer", "char"]))
    assert [w["word"] for w in out[0]["words"]] == ["的"]


def test_english_sentence_keeps_english_default(defaults, toy_store):
    result = runner.invoke(
        app, ["sentence", "similarity", "king queen", "prince car", "-f", "json"]
    )
    v = {w: np.asarray(toy_store[w], dtype=np.float64) for w in toy_store.words}
    expected = _unit(v["king"] + v["queen"]) @ _unit(v["prince"] + v["car"])
    assert _ok(result)[0]["similarity"] == pytest.approx(expected, abs=1e-6)
    assert "Chinese" not in result.stderr


def test_sentence_neighbors_and_vectors_chinese(defaults, tmp_path):
    corpus = tmp_path / "cands.txt"
    corpus.write_text("王子和公主\n苹果和橙子\n", encoding="utf-8")
    out = _ok(
        runner.invoke(
            app,
            ["sentence", "neighbors", "国王女王", "--corpus", str(corpus), "-k", "1", "-f", "json"],
        )
    )
    assert out[0]["neighbors"][0]["sentence"] == "王子和公主"
    dest = tmp_path / "s.vec"
    result = runner.invoke(app, ["sentence", "vectors", str(corpus), "--out", str(dest)])
    assert result.exit_code == 0, result.stderr
    assert "Chinese vectors" in result.stderr
    assert dest.read_text(encoding="utf-8").splitlines()[0] == "2 4"


def test_attention_chinese_sentence(defaults, toy_store):
    out = _ok(runner.invoke(app, ["attention", "weights", "国王女王", "-f", "json"]))
    assert [r["word"] for r in out] == ["国王", "女王"]
    for r in out:
        assert sum(r["weights"].values()) == pytest.approx(1.0)
    result = runner.invoke(app, ["attention", "predict", "国王女王", "-k", "2", "-f", "json"])
    nxt = [n["word"] for n in _ok(result)["next"]]
    unit = np.asarray(toy_store.vectors, dtype=np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    scores = unit @ _unit(unit[3] + unit[4])  # rows of king, queen = 国王, 女王
    scores[[3, 4]] = -np.inf
    assert nxt[0] == ZH_WORDS[int(np.argmax(scores))] == "的"  # 王子 and 公主 tie for second
    assert set(nxt) <= {"的", "王子", "公主"}
    assert result.stderr.count("Chinese vectors") == 1


def test_evaluate_chinese_benchmark_file_uses_default_zh(defaults, tmp_path, toy_store):
    bench = tmp_path / "zh-sim.txt"
    bench.write_text("国王 女王 9\n苹果 橙子 8\n国王 汽车 1\n男人 苹果 2\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "-s", str(bench), "-f", "json"])
    out = _ok(result)
    assert out[0]["store"] == "zh"
    assert out[0]["coverage"] == 1.0
    v = np.asarray(toy_store.vectors, dtype=np.float64)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    rows = [(3, 4), (9, 10), (3, 11), (1, 9)]  # the pairs' rows in ZH_WORDS order
    model = [float(v[i] @ v[j]) for i, j in rows]
    assert out[0]["spearman"] == pytest.approx(spearmanr([9, 8, 1, 2], model).statistic)
    assert result.stderr.count("Chinese vectors") == 1


@pytest.fixture
def bias_default(tmp_path, monkeypatch):
    """A Chinese store with the gender pairs and four professions as the Chinese default."""
    zh = save_vectors(bias_store(), tmp_path / "zh-bias")
    monkeypatch.setattr("embtool.vectors.names.default_zh_vectors_path", lambda: zh)
    monkeypatch.setattr("embtool.cli.vectors.default_zh_vectors_path", lambda: zh)
    monkeypatch.delenv("EMBTOOL_VECTORS", raising=False)
    return zh


def test_bias_project_chinese_words_without_vectors_option(bias_default):
    result = runner.invoke(app, ["bias", "project", "医生", "护士", "-f", "json"])
    got = {r["word"]: r["projection"] for r in _ok(result)}
    # 医生 leans 0.5 along the female axis (cos 0.5/sqrt(1.25)); 护士 has no gender component
    assert got["医生"] == pytest.approx(0.5 / np.sqrt(1.25), abs=1e-6)
    assert got["护士"] == pytest.approx(0.0, abs=1e-6)
    assert result.stderr.count("Chinese vectors") == 1


def test_professions_follow_the_store_language(bias_default):
    out = _ok(
        runner.invoke(
            app, ["bias", "project", "--professions", "--vectors", str(bias_default), "-f", "json"]
        )
    )
    assert {r["word"] for r in out} == {"医生", "护士", "教师", "老师"}  # not the English 320
    ripa = _ok(runner.invoke(app, ["bias", "ripa", "医生", "护士", "-f", "json"]))
    assert ripa["pairs"] == [["她", "他"]]  # the Chinese default pair


def test_plot_bias_chinese_professions(bias_default, tmp_path):
    coords = tmp_path / "c.tsv"
    result = runner.invoke(
        app, ["plot", "bias", "--vectors", str(bias_default), "--coords", str(coords)]
    )
    assert result.exit_code == 0, result.stderr
    words = [line.split("\t")[0] for line in coords.read_text(encoding="utf-8").splitlines()[1:]]
    assert sorted(words) == sorted(["医生", "护士", "教师", "老师"])


def test_compare_and_align_take_default_zh_by_name(defaults, tmp_path):
    out = _ok(
        runner.invoke(app, ["compare", "default-zh", "default-zh", "国王", "-k", "2", "-f", "json"])
    )
    assert out[0]["cosine"] == pytest.approx(1.0, abs=1e-6)
    a, b = out[0]["neighbors_a"], out[0]["neighbors_b"]
    assert [n["word"] for n in a] == [n["word"] for n in b]
    assert [n["score"] for n in a] == pytest.approx([n["score"] for n in b], abs=1e-6)
    dest = tmp_path / "aligned"
    result = runner.invoke(app, ["align", "default-zh", "default-zh", "--out", str(dest)])
    assert result.exit_code == 0, result.stderr
    assert (dest / "vocab.txt").read_text(encoding="utf-8").split()[:2] == ["的", "男人"]


def test_ect_with_chinese_group_files_picks_default_zh(bias_default, tmp_path):
    f, m = tmp_path / "f.txt", tmp_path / "m.txt"
    f.write_text("她\n女人\n", encoding="utf-8")
    m.write_text("他\n男人\n", encoding="utf-8")
    result = runner.invoke(
        app, ["bias", "ect", "--group1", str(f), "--group2", str(m), "-f", "json"]
    )
    rec = _ok(result)
    assert rec["groups"][0]["words"] == ["她", "女人"]
    assert rec["attributes"]["words"] == ["医生", "护士", "教师", "老师"]  # Chinese professions
    assert result.stderr.count("Chinese vectors") == 1
