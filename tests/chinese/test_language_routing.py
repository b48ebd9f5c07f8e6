"""Chinese queries pick the Chinese default vectors; a word in the other script gets a hint."""

import json

import numpy as np
from typer.testing import CliRunner

from embtool import VectorStore
from embtool.cli import app
from embtool.language import store_language, unknown_words_hint, words_language
from tests.chinese.conftest import ZH_WORDS

runner = CliRunner()


def _json(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_chinese_analogy_uses_chinese_default_and_says_so_once(defaults):
    result = runner.invoke(app, ["analogy", "国王", "男人", "女人", "--format", "json"])
    assert _json(result)[0]["answers"][0]["word"] == "女王"
    assert result.stderr.count("Chinese vectors") == 1
    assert "default-zh" in result.stderr


def test_english_analogy_keeps_english_default(defaults):
    result = runner.invoke(app, ["analogy", "king", "man", "woman", "--format", "json"])
    assert _json(result)[0]["answers"][0]["word"] == "queen"
    assert "Chinese" not in result.stderr


def test_vectors_default_zh_explicit(defaults):
    result = runner.invoke(
        app, ["neighbors", "国王", "-k", "1", "--vectors", "default-zh", "-f", "json"]
    )
    assert _json(result)[0]["neighbors"][0]["word"] == "王子"
    assert "Chinese query" not in result.stderr  # chosen, not guessed: no note


def test_chinese_word_in_english_vectors_hints_at_default_zh(defaults):
    en, _ = defaults
    result = runner.invoke(app, ["neighbors", "国王", "--vectors", str(en)])
    assert result.exit_code != 0
    assert "not in vectors" in result.stderr and "--vectors default-zh" in result.stderr


def test_english_word_in_chinese_vectors_hints_at_default(defaults):
    result = runner.invoke(app, ["similarity", "king", "queen", "--vectors", "default-zh"])
    assert result.exit_code != 0
    assert "--vectors default" in result.stderr and "default-zh" not in result.stderr


def test_words_and_store_language(toy_store):
    assert words_language(["国王", "男人", "king"]) == "zh"
    assert words_language(["king", "国王"]) is None
    assert words_language(["king", "man"]) == "en"
    assert store_language(toy_store) == "en"
    unlabelled = VectorStore(ZH_WORDS, np.asarray(toy_store.vectors))
    assert store_language(unlabelled) == "zh"  # judged by script
    labelled = VectorStore(toy_store.words, np.asarray(toy_store.vectors), meta={"language": "zh"})
    assert store_language(labelled) == "zh"  # meta.json wins
    assert unknown_words_hint(["国王"], unlabelled) is None
