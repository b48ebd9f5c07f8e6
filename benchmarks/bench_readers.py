"""Issue 15 point 10: the word2vec text and binary readers against gensim, speed and peak memory.

Run by hand from the repository root:  python -m benchmarks.bench_readers [--words 400000 --dim 300]
Random vectors are written once as word2vec binary and text under the temp dir (never the repo).
Each load runs in its own fresh process, which reports its load time and its whole-process peak RSS
(getrusage ru_maxrss); printed side by side for the same files in the same run:
- speed: gensim load_word2vec_format seconds / embtool load_vectors seconds (target >= 1.5 binary)
- memory: peak RSS / matrix bytes (target <= 1.25), whole process; also the peak above what
  the interpreter and the imports alone take (``--repeat N``: median seconds, largest RSS of N runs)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from embtool import VectorStore
from embtool.vectors.word2vec import write_word2vec

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "embtool-bench-readers"

_CHILD = """
import json, resource, sys, time
kind, path, binary = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
if kind == "gensim":
    from gensim.models import KeyedVectors
else:
    from embtool import load_vectors
imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
t = time.perf_counter()
if kind == "gensim":
    from gensim.models import KeyedVectors
    m = KeyedVectors.load_word2vec_format(path, binary=binary).vectors
else:
    from embtool import load_vectors
    m = load_vectors(path).vectors
seconds = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "rss": rss, "imports": imports, "shape": list(m.shape)}))
"""


def make_files(n: int, dim: int, seed: int = 0) -> tuple[Path, Path]:
    """The binary and text files of n random words x dim (cached between runs)."""
    binary, text = CACHE / f"random-{n}x{dim}.bin", CACHE / f"random-{n}x{dim}.txt"
    if not (binary.exists() and text.exists()):
        CACHE.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(seed)
        store = VectorStore(
            [f"w{i}" for i in range(n)], rng.standard_normal((n, dim), dtype=np.float32)
        )
        write_word2vec(store, binary, binary=True)
        write_word2vec(store, text)
    return binary, text


def _run(kind: str, path: Path, binary: bool) -> dict:
    """One load of ``path`` with ``kind`` (embtool or gensim) in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(path), "1" if binary else "0"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(out.stdout)


def measure_pair(path: Path, binary: bool, repeat: int = 1) -> tuple[dict, dict]:
    """embtool's and gensim's loads of ``path``, interleaved (the machine may be shared): for
    each, the median seconds, the largest peak RSS, and the RSS of the imports alone."""
    runs: dict[str, list[dict]] = {"embtool": [], "gensim": []}
    for _ in range(repeat):
        for kind in runs:
            runs[kind].append(_run(kind, path, binary))
    return tuple(  # type: ignore[return-value]
        {
            "seconds": statistics.median(r["seconds"] for r in rs),
            "rss": max(r["rss"] for r in rs),
            "imports": max(r["imports"] for r in rs),
        }
        for rs in runs.values()
    )


def main() -> None:
    """Print load time and peak memory of both readers next to gensim's, with the two ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=400_000)
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=1, help="runs per reader (median seconds)")
    ap.add_argument("--only", choices=["binary", "text"], help="measure one reader only")
    args = ap.parse_args()
    binary, text = make_files(args.words, args.dim)
    matrix_bytes = args.words * args.dim * 4
    print(f"{args.words:,} x {args.dim} (matrix {matrix_bytes / 1e6:,.0f} MB)")
    for label, path, is_binary in (("binary", binary, True), ("text", text, False)):
        if args.only and label != args.only:
            continue
        ours, theirs = measure_pair(path, is_binary, args.repeat)
        print(
            f"{label:6}  embtool {ours['seconds']:6.2f} s {ours['rss'] / 1e6:7,.0f} MB | "
            f"gensim {theirs['seconds']:6.2f} s {theirs['rss'] / 1e6:7,.0f} MB | "
            f"speed vs gensim {theirs['seconds'] / ours['seconds']:.2f}x | "
            f"peak RSS / matrix {ours['rss'] / matrix_bytes:.2f} "
            f"(gensim {theirs['rss'] / matrix_bytes:.2f}) | "
            f"above imports / matrix {(ours['rss'] - ours['imports']) / matrix_bytes:.2f} "
            f"(gensim {(theirs['rss'] - theirs['imports']) / matrix_bytes:.2f})"
        )


if __name__ == "__main__":
    main()
