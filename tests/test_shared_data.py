"""The ../shared/data look-up used by the real-data tests: found from a clone or a worktree, never a silent skip."""

import subprocess
import sys
import textwrap

from tests.helpers import REPO_ROOT, shared_data


def _layout(tmp_path):
    """A main checkout with ../shared/data beside it and a worktree elsewhere pointing back to it."""
    main = tmp_path / "src" / "repo"
    (main / ".git" / "worktrees" / "wt").mkdir(parents=True)
    data = tmp_path / "src" / "shared" / "data" / "corpora"
    data.mkdir(parents=True)
    (data / "x.txt").write_text("x\n", encoding="utf-8")
    wt = tmp_path / "elsewhere" / "wt"
    wt.mkdir(parents=True)
    (wt / ".git").write_text(f"gitdir: {main / '.git' / 'worktrees' / 'wt'}\n", encoding="utf-8")
    return main, wt, data / "x.txt"


def test_shared_data_found_beside_a_clone_and_from_a_worktree(tmp_path):
    main, wt, target = _layout(tmp_path)
    assert shared_data("corpora", "x.txt", repo_root=main) == target
    assert shared_data("corpora", "x.txt", repo_root=wt) == target
    missing = shared_data("corpora", "nope.txt", repo_root=main)
    assert missing == tmp_path / "src" / "shared" / "data" / "corpora" / "nope.txt"


def _run_missing(tmp_path, env_value: str | None) -> subprocess.CompletedProcess:
    test = tmp_path / "test_missing.py"
    test.write_text(
        textwrap.dedent(
            """
            from tests.helpers import require_shared

            def test_needs_data():
                require_shared("no", "such", "file.txt")
            """
        ),
        encoding="utf-8",
    )
    import os

    env = {k: v for k, v in os.environ.items() if k != "EMBTOOL_REQUIRE_SHARED"}
    if env_value is not None:
        env["EMBTOOL_REQUIRE_SHARED"] = env_value
    env["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-q", "-p", "no:cacheprovider", str(test)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip


def test_missing_shared_data_skips_with_its_reason_or_fails_in_ci(tmp_path):
    skipped = _run_missing(tmp_path, None)
    assert skipped.returncode == 0, skipped.stdout
    assert "../shared/data/no/such/file.txt not found" in skipped.stdout
    assert "1 skipped" in skipped.stdout
    required = _run_missing(tmp_path, "1")
    assert required.returncode == 1
    assert "EMBTOOL_REQUIRE_SHARED=1 requires it" in required.stdout


def test_ci_requires_the_shared_data():
    assert "EMBTOOL_REQUIRE_SHARED=1" in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
