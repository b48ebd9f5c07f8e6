"""Vectors by name: ``default`` (the shipped set), ``default-zh`` (the shipped Chinese set), a set fetched with ``embtool download``, or
``EMBTOOL_VECTORS`` when no name is given, resolved to the path to open."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from embtool.errors import VectorFileError
from embtool.resources import default_vectors_path, default_zh_vectors_path, downloaded_store_path

DEFAULT_NAME = "default"  # names the shipped vectors explicitly
DEFAULT_ZH_NAME = "default-zh"  # the shipped Chinese vectors
ENV_VAR = "EMBTOOL_VECTORS"


def default_path(language: str = "en") -> Path:
    """The shipped vectors (the Chinese ones for ``"zh"``).  Raises: VectorFileError when none are
    installed."""
    default = default_zh_vectors_path() if language == "zh" else default_vectors_path()
    if not default.exists():
        raise VectorFileError(
            default,
            "no default vectors are installed; pass `vectors=PATH` or set EMBTOOL_VECTORS",
        )
    return default


def named_path(name: str) -> Path | None:
    """The path ``name`` stands for when it is not an existing path: ``default`` or a downloaded
    set; None when it names nothing known."""
    if name == DEFAULT_NAME:
        return default_path()
    if name == DEFAULT_ZH_NAME:
        return default_path("zh")
    if "/" not in name and os.sep not in name:
        named = downloaded_store_path(name)
        if named.is_dir():
            return named
    return None


def resolve_vectors(given: str | Path | None = None, *, words: Sequence[str] | None = None) -> Path:
    """The path to open for ``given``: an existing path, ``default``, ``default-zh``, a downloaded
    set's name; when nothing is given, ``EMBTOOL_VECTORS`` or else the shipped vectors (the
    Chinese ones when the query ``words`` are mostly Chinese and they are installed).

    Raises: VectorFileError when nothing usable is found.
    """
    given = given if given not in (None, "") else os.environ.get(ENV_VAR) or None
    if given is None:
        from embtool.language import CHINESE, words_language

        if words and words_language(words) == CHINESE and default_zh_vectors_path().exists():
            return default_zh_vectors_path()
        return default_path()
    path = Path(given).expanduser()
    if path.exists():
        return path
    named = named_path(str(given))
    if named is not None:
        return named
    text = str(given)
    hint = (
        f"; to fetch the pretrained set, run: embtool download {text}"
        if "/" not in text and "." not in text
        else ""
    )
    raise VectorFileError(path, f"no such file or downloaded vector set{hint}")
