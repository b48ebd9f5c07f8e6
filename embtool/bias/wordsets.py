"""The bundled bias word lists (Caliskan et al. 2017, Bolukbasi et al. 2016) and word look-ups."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embtool import wordlists
from embtool.errors import BiasError, UsageError
from embtool.resources import data_path
from embtool.vectors.store import VectorStore

BOLUKBASI_FILE = "bolukbasi2016.json"
WEAT_FILE = "weat_caliskan2017.json"
ZH_FILE = "zh_gender.json"  # Chinese lists written for embtool (see data/README.md)


@functools.cache
def _load_json(name: str) -> dict[str, Any]:
    path = data_path("bias", name)
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise BiasError(f"{path}: bundled bias data is missing; reinstall embtool") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise BiasError(f"{path}: cannot read bundled bias data ({exc})") from None


def bolukbasi_data() -> dict[str, Any]:
    """The Bolukbasi et al. (2016) lists as shipped in debiaswe (see data/README.md)."""
    return _load_json(BOLUKBASI_FILE)


def _zh(language: str) -> dict[str, Any] | None:
    return _load_json(ZH_FILE) if language == "zh" else None


def definitional_pairs(language: str = "en") -> list[tuple[str, str]]:
    """The 10 definitional pairs, (female, male) order: woman/man, girl/boy, she/he, ...
    (for ``language="zh"``: 她/他, 女人/男人, 母亲/父亲, ...)."""
    data = _zh(language) or bolukbasi_data()
    return [(a, b) for a, b in data["definitional_pairs"]]


def equalize_pairs(language: str = "en") -> list[tuple[str, str]]:
    """The 52 equalize pairs of debiaswe (monastery/convent, spokesman/spokeswoman, ...), or the
    Chinese ones."""
    data = _zh(language) or bolukbasi_data()
    return [(a, b) for a, b in data["equalize_pairs"]]


def gender_specific_words(full: bool = True, language: str = "en") -> list[str]:
    """Words gendered by definition: the 1,441-word learned list (or the 218-word seed), or the
    Chinese list."""
    zh = _zh(language)
    if zh is not None:
        return list(zh["gender_specific"])
    return list(bolukbasi_data()["gender_specific_full" if full else "gender_specific_seed"])


def bolukbasi_professions() -> list[str]:
    """The bundled 320 professions of Bolukbasi et al. (2016), in file order."""
    return [p[0] for p in bolukbasi_data()["professions"]]


def professions(language: str = "en") -> list[str]:
    """The bundled professions list of ``language``: Bolukbasi et al.'s 320, or for ``"zh"`` the
    Chinese list (embtool's own, see data/README.md)."""
    zh = _zh(language)
    if zh is not None:
        return list(zh["professions"])
    return bolukbasi_professions()


def profession_scores() -> dict[str, tuple[float, float]]:
    """Profession -> (definitional, stereotypical) gender score: crowd ratings in [-1, 1]."""
    return {w: (float(d), float(s)) for w, d, s in bolukbasi_data()["professions"]}


NEUTRAL_DEFINITIONAL_LIMIT = 0.5


def neutral_professions(language: str = "en") -> list[str]:
    """Professions not gendered by definition: |definitional score| < 0.5 and not gender-specific.

    285 of the 320 (drops actress, businessman, waiter, policeman, ...); the default neutral set N
    of DirectBias. For ``language="zh"``: the Chinese professions list (all neutral by design).
    """
    zh = _zh(language)
    if zh is not None:
        return list(zh["professions"])
    specific = set(gender_specific_words(True)) | set(gender_specific_words(False))
    return [
        w
        for w, (d, _) in profession_scores().items()
        if abs(d) < NEUTRAL_DEFINITIONAL_LIMIT and w not in specific
    ]


@dataclass(frozen=True)
class Lookup:
    """Words of a list found in the vectors (with their rows) and the ones that were not."""

    requested: tuple[str, ...]
    words: tuple[str, ...]
    rows: tuple[int, ...]
    missing: tuple[str, ...]
    folded: tuple[tuple[str, str], ...] = ()

    @property
    def coverage(self) -> float:
        return len(self.words) / len(self.requested) if self.requested else 0.0


def lookup(store: VectorStore, words: Iterable[str], *, fold_case: bool = True) -> Lookup:
    """Find ``words`` in ``store`` (lower-case fallback), keeping order and dropping duplicates."""
    index = store.index
    requested = tuple(dict.fromkeys(words))
    found: list[str] = []
    rows: list[int] = []
    missing: list[str] = []
    folded: list[tuple[str, str]] = []
    seen: set[int] = set()
    for w in requested:
        row = index.get(w)
        word = w
        if row is None and fold_case:
            row = index.get(w.lower())
            word = w.lower()
        if row is None:
            missing.append(w)
            continue
        if word != w:
            folded.append((w, word))
        if row in seen:
            continue
        seen.add(row)
        found.append(word)
        rows.append(row)
    return Lookup(requested, tuple(found), tuple(rows), tuple(missing), tuple(folded))


def unit64(store: VectorStore, rows: Sequence[int]) -> np.ndarray:
    """Unit-normalised float64 rows (so bias arithmetic does not inherit float32 rounding)."""
    vecs = store.rows(np.asarray(rows, dtype=np.int64)).astype(np.float64)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.where(norms == 0, 1.0, norms)


def split_pair(value: str, where: str) -> tuple[str, str]:
    """One pair written A:B (or A,B, A/B, full-width ：，, or "A B"); ``where`` names the source.

    Raises: UsageError.
    """
    pair = wordlists.split_pair(value)
    if pair is None:
        raise UsageError(f"{where}: expected a pair like she:he, got {value!r}")
    return pair


def read_pairs_file(path: Path) -> list[tuple[str, str]]:
    """Pairs from a file by the shared word-file rules (embtool.wordlists).  Raises: WordListError."""
    return wordlists.read_pairs(path)
