"""Which language a query or a store is in (Chinese or not), judged by script or by meta.json."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

CHINESE = "zh"
ENGLISH = "en"
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")


def is_chinese(word: str) -> bool:
    """True when ``word`` contains a Han character (CJK script)."""
    return _HAN.search(word) is not None


def is_latin(word: str) -> bool:
    """True when ``word`` contains a Latin letter and no Han character."""
    return _LATIN.search(word) is not None and not is_chinese(word)


def words_language(words: Iterable[str]) -> str | None:
    """``"zh"`` when most of ``words`` are Chinese, ``"en"`` when most are Latin, else None."""
    words = [w for w in words if w.strip()]
    if not words:
        return None
    han = sum(map(is_chinese, words))
    if han * 2 > len(words):
        return CHINESE
    if sum(map(is_latin, words)) * 2 > len(words):
        return ENGLISH
    return None


def store_language(store: Any, sample: int = 1000) -> str:
    """The store's language: ``meta.json``'s ``language``, else judged by its top words' script."""
    meta = getattr(store, "meta", None) or {}
    lang = meta.get("language")
    if isinstance(lang, str) and lang:
        return lang
    return CHINESE if words_language(list(store.words[:sample])) == CHINESE else ENGLISH


def unknown_words_hint(missing: Sequence[str], store: Any) -> str | None:
    """A pointer to the other shipped vectors when the missing words are in the other script."""
    lang = words_language(missing)
    have = store_language(store)
    if lang == CHINESE and have != CHINESE:
        return "these vectors are not Chinese; for Chinese words use `vectors=default-zh`"
    if lang == ENGLISH and have == CHINESE:
        return "these are Chinese vectors; for English words use `vectors=default`"
    return None
