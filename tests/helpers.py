"""Paths and a subprocess runner shared by the tests."""

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
#: Set to 1 (as .ci/run does) to turn a missing ../shared/data file into a failure, not a skip.
REQUIRE_SHARED_ENV = "EMBTOOL_REQUIRE_SHARED"


def _shared_roots(repo_root: Path) -> list[Path]:
    """../shared/data beside the repo root, then beside the main checkout when this is a git worktree."""
    roots = [repo_root.parent / "shared" / "data"]
    git_file = repo_root / ".git"
    if git_file.is_file():  # a worktree: ".git" holds "gitdir: <main>/.git/worktrees/<name>"
        text = git_file.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text.split(":", 1)[1].strip())
            if not gitdir.is_absolute():
                gitdir = (repo_root / gitdir).resolve()
            main_root = gitdir.parent.parent.parent
            roots.append(main_root.parent / "shared" / "data")
    return roots


def shared_data(*parts: str, repo_root: Path = REPO_ROOT) -> Path:
    """The path of a ../shared/data file (relative to the repo root); may not exist."""
    roots = _shared_roots(repo_root)
    for root in roots:
        if root.joinpath(*parts).exists():
            return root.joinpath(*parts)
    return roots[0].joinpath(*parts)


def require_shared(*parts: str, repo_root: Path = REPO_ROOT) -> Path:
    """A ../shared/data file, or a skip naming it and why (a failure when $EMBTOOL_REQUIRE_SHARED=1)."""
    import pytest

    path = shared_data(*parts, repo_root=repo_root)
    if not path.exists():
        rel = "/".join(("..", "shared", "data", *parts))
        why = f"{rel} not found (looked beside the repository root at {repo_root.parent})"
        if os.environ.get(REQUIRE_SHARED_ENV) == "1":
            pytest.fail(f"{why}; {REQUIRE_SHARED_ENV}=1 requires it", pytrace=False)
        pytest.skip(f"{why}; put the shared data there to run this test")
    return path


TOY_PATH = FIXTURES / "toy.txt"


def run_embtool(
    *args: str,
    input: str | None = None,
    env: dict | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """Run embtool as a real process (``python -m embtool``) and capture its output."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "embtool", *args],
        input=input,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
    )
