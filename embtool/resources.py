"""Where embtool finds its shipped data and keeps downloaded vectors."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_VECTORS_NAME = "default-vectors"
DEFAULT_ZH_VECTORS_NAME = "default-vectors-zh"


def data_dir() -> Path:
    """The shipped ``data/`` directory: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if candidate.is_dir():
            return candidate
    return here / "data"


def data_path(*parts: str) -> Path:
    """Path of a shipped data file (which may not exist)."""
    return data_dir().joinpath(*parts)


def default_vectors_path() -> Path:
    """The vectors used when neither ``--vectors`` nor ``EMBTOOL_VECTORS`` is given."""
    return data_path(DEFAULT_VECTORS_NAME)


def default_zh_vectors_path() -> Path:
    """The shipped Chinese vectors: ``--vectors default-zh``, and Chinese queries by default."""
    return data_path(DEFAULT_ZH_VECTORS_NAME)


def embtool_home() -> Path:
    """Cache directory for downloaded vector sets: ``EMBTOOL_HOME``, else the user's cache dir."""
    env = os.environ.get("EMBTOOL_HOME")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base).expanduser() if base else Path.home() / ".cache"
    return root / "embtool"


def downloaded_store_path(name: str) -> Path:
    """Where ``embtool download NAME`` keeps the converted native store of NAME."""
    return embtool_home() / "vectors" / name
