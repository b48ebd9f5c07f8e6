"""Where the benchmarks find their big inputs: one rule, and no machine-specific paths.

- shared data: ``$EMBTOOL_SHARED_DATA``, else ``<repo>/../shared/data`` (from a git worktree one
  level deeper, ``<repo>/../../shared/data`` when only that one exists);
- cache (the decompressed 100M-token corpus, the baseline models, the reference GloVe binaries):
  ``$EMBTOOL_BENCH_CACHE``, else ``<repo>/../cache`` beside the repository like ``../shared`` (again
  ``<repo>/../../cache`` from a worktree when only that one exists).

``masked`` rewrites those locations (and a build's work directory) in text that a build records
into a shipped ``meta.json``, so provenance names ``../shared/...`` and ``WORK/...``, never the
machine it ran on. Standard library only: scripts run as files import it too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _beside_repo(name: str) -> Path:
    """``<repo>/../name``, or ``<repo>/../../name`` when only that one exists (a worktree)."""
    near, far = REPO.parent / name, REPO.parent.parent / name
    return far if not near.exists() and far.is_dir() else near


def shared_data() -> Path:
    """The shared data directory (``$EMBTOOL_SHARED_DATA`` or ``../shared/data``)."""
    env = os.environ.get("EMBTOOL_SHARED_DATA")
    return Path(env) if env else _beside_repo("shared") / "data"


def shared(*parts: str) -> Path:
    """A file under the shared data; exits with a one-line message when it is missing."""
    path = shared_data().joinpath(*parts)
    if not path.exists():
        raise SystemExit(f"error: shared data not found: {path}")
    return path


def cache_dir() -> Path:
    """The benchmarks' cache of big derived inputs (``$EMBTOOL_BENCH_CACHE`` or ``../cache``)."""
    env = os.environ.get("EMBTOOL_BENCH_CACHE")
    return Path(env) if env else _beside_repo("cache")


def cache(*parts: str) -> Path:
    """A path under the cache directory (it may not exist: callers fall back or skip)."""
    return cache_dir().joinpath(*parts)


def _spellings(path: Path) -> set[str]:
    """The absolute spellings of ``path``: as given (made absolute, ``..`` folded) and with
    symlinks resolved."""
    return {os.path.abspath(path), str(path.resolve())}


def masked(value: object, work: Path | None = None) -> object:
    """``value`` (str, or lists/dicts of them) with the work directory shown as ``WORK`` and the
    shared directory as ``../shared``; only whole path prefixes (followed by ``/``, a space, a
    quote or the end) are replaced, longest spelling first."""
    names: dict[str, str] = {}
    shared_root = shared_data().parent
    roots = {REPO.parent / "shared", REPO.parent.parent / "shared"}
    for root in {shared_root} | {r for r in roots if r.is_dir()}:
        for spelling in _spellings(root):
            names.setdefault(spelling, "../shared")
    if work is not None:
        for spelling in _spellings(work):
            names[spelling] = "WORK"
    names = {k: v for k, v in names.items() if k not in ("/", "")}
    pattern = re.compile(
        r"(?<![\w.\-/])("
        + "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
        + r")(?=[/\s\"']|$)"
    )

    def walk(v: object) -> object:
        if isinstance(v, str):
            return pattern.sub(lambda m: names[m.group(1)], v)
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v

    return walk(value)
