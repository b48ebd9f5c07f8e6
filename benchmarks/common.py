"""Shared set-up for the benchmarks: synthetic stores of realistic size, timing helpers."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks._paths import shared_data
from embtool import VectorStore, save_vectors

CACHE = Path(os.environ.get("EMBTOOL_BENCH_DIR", Path.home() / ".cache" / "embtool-bench"))
SHARED = shared_data()


def synthetic_words(n: int) -> list[str]:
    """Word list with the classroom words first, then w<i> fillers."""
    head = ["the", "king", "man", "woman", "queen", "paris", "france", "italy", "rome"]
    return head + [f"w{i}" for i in range(len(head), n)]


def synthetic_store(n: int = 400_000, dim: int = 300, seed: int = 0) -> Path:
    """A native store of n random words x dim (cached between runs)."""
    path = CACHE / f"synthetic-{n}x{dim}"
    if not (path / "vectors.npy").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(seed)
        vectors = rng.standard_normal((n, dim), dtype=np.float32)
        counts = np.arange(n, 0, -1) * 10
        store = VectorStore(
            synthetic_words(n),
            vectors,
            counts=counts,
            meta={"history": [{"action": "synthetic", "seed": seed}]},
        )
        save_vectors(store, path)
    return path


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Fastest wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def report(name: str, ours: float, anchor: float, anchor_name: str, unit: str = "s") -> None:
    """Print one benchmark line: our time, the anchor's, and the ratio."""
    print(
        f"{name:<48} ours {ours:9.4f} {unit}   {anchor_name} {anchor:9.4f} {unit}   "
        f"speed-up x{anchor / ours:7.1f}"
    )
