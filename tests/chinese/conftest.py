"""Shared fixtures of the Chinese tests: toy vectors standing in for both shipped defaults."""

import numpy as np
import pytest

from embtool import VectorStore
from embtool.vectors import save_vectors

ZH_WORDS = [
    "的",
    "男人",
    "女人",
    "国王",
    "女王",
    "王子",
    "公主",
    "法国",
    "巴黎",
    "苹果",
    "橙子",
    "汽车",
]


@pytest.fixture
def defaults(tmp_path, toy_store, monkeypatch):
    """The toy vectors as the English default and, with Chinese words, as the Chinese default."""
    vecs = np.asarray(toy_store.vectors)
    en = save_vectors(VectorStore(toy_store.words, vecs), tmp_path / "en")
    zh = save_vectors(VectorStore(ZH_WORDS, vecs, meta={"language": "zh"}), tmp_path / "zh")
    monkeypatch.setattr("embtool.vectors.names.default_vectors_path", lambda: en)
    monkeypatch.setattr("embtool.vectors.names.default_zh_vectors_path", lambda: zh)
    monkeypatch.setattr("embtool.cli.vectors.default_zh_vectors_path", lambda: zh)
    monkeypatch.delenv("EMBTOOL_VECTORS", raising=False)
    return en, zh
