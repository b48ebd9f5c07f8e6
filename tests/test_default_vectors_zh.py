"""The shipped Chinese vectors answer the Chinese classroom examples out of the box."""

import pytest

from embtool import load_vectors, similarity
from tests.helpers import REPO_ROOT, run_embtool

STORE = REPO_ROOT / "data" / "default-vectors-zh"


@pytest.fixture(scope="module")
def store():
    return load_vectors(STORE)


def test_small_and_labelled_chinese(store):
    assert sum(p.stat().st_size for p in STORE.iterdir()) <= 32 * 1024 * 1024
    assert store.meta["language"] == "zh"
    assert len(store.meta["build"]["source"]["sha256"]) == 64
    assert store.meta["training"]["command"].startswith("embtool train ")


def test_capital_analogy_top_answer(store):
    batch = similarity.analogies(store, [["北京", "中国", "日本"]], 1)
    assert batch.results[0].answers[0].word == "东京"


def test_king_queen_analogy(store):
    # 王后 (queen consort) is first; 女王 (queen regnant) is further down, see README.zh-CN.md
    answers = [
        a.word
        for a in similarity.analogies(store, [["国王", "男人", "女人"]], 1).results[0].answers
    ]
    assert answers == ["王后"]


def test_father_neighbours(store):
    words = [n.word for n in similarity.neighbors(store, ["父亲"], 10).results[0].neighbors]
    assert words[0] == "母亲"


def test_chinese_query_needs_no_vectors_option():
    result = run_embtool("analogy", "北京", "中国", "日本", "-k", "1", "--format", "tsv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].split("\t")[4] == "东京"
    assert result.stderr.count("Chinese vectors") == 1
