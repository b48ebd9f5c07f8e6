"""Running ``embtool serve`` as a real process and Debian's chromium under Playwright (tests and
benchmarks/bench_serve.py share this).

Playwright never downloads a browser here: it launches the system chromium (``apt-get install
chromium``). Without it the browser tests skip, unless ``EMBTOOL_REQUIRE_BROWSER=1`` (set by
.ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from tests.helpers import REPO_ROOT

REQUIRE_BROWSER_ENV = "EMBTOOL_REQUIRE_BROWSER"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """The system chromium, or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def browser_missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if find_chromium() is None:
        return "chromium is not installed (apt-get install -y chromium)"
    return None


@contextlib.contextmanager
def serve(*args: str, timeout: float = 120) -> Iterator[str]:
    """Run ``embtool serve --port 0 ARGS`` and yield its URL once it listens; stop it after."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "embtool", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    found: list[str] = []
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            m = re.search(r"at (http://\S+/) ", line)
            if m and not found:
                found.append(m.group(1))
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not ready.wait(timeout) or not found:
            raise RuntimeError("embtool serve did not start:\n" + "".join(lines))
        yield found[0]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def synthetic_store(path: Path, n: int = 100_000, dim: int = 32, seed: int = 0) -> Path:
    """A store of ``n`` made-up words in 20 Gaussian clusters (so the map has shape), saved at
    ``path`` unless it is there already."""
    from embtool import VectorStore, save_vectors

    if (path / "vectors.npy").exists():
        return path
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(20, dim))
    cluster = rng.integers(0, 20, size=n)
    vectors = (centres[cluster] + rng.normal(size=(n, dim))).astype(np.float32)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pu"]
    words = [
        syllables[cluster[i] % 10] + syllables[cluster[i] // 10] + f"{i:05d}" for i in range(n)
    ]
    return save_vectors(VectorStore(words, vectors, name=path.name), path)
