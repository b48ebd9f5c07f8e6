"""How many threads to run by default: one per CPU core this process may use.

Training (gensim/GloVe workers) and batched queries (analogy chunks run side by side) both start
from this count, so ``taskset`` or a container's CPU limit is honoured the same way everywhere.
"""

from __future__ import annotations

import os


def default_workers() -> int:
    """The CPU cores this process may run on (its affinity mask where the OS has one), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
