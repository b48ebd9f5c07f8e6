"""Issue 2 speed: opening a 400k x 300 store, one analogy as a whole process, 1,000 batched analogies.

Run by hand from the repository root:  python -m benchmarks.bench_query [--words 400000 --dim 300]
Every figure is printed next to its anchor measured in the same run:
- open:   load_vectors(native store)            vs gensim KeyedVectors.load_word2vec_format(text)
- single: `embtool analogy king man woman`       (whole process; target < 1 s)
- batch:  1,000 analogies piped into one process vs a loop of gensim most_similar (same vectors;
          answers must be identical)
- rate:   the batched path's matrix-product FLOP rate vs numpy.matmul on the same shapes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.common import CACHE, best_of, report, synthetic_store
from embtool import load_vectors, similarity
from embtool.vectors.word2vec import write_word2vec

REPO = Path(__file__).resolve().parent.parent


def _run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "embtool", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--skip-text-load", action="store_true", help="skip gensim's (slow) text load anchor"
    )
    args = parser.parse_args()

    from gensim.models import KeyedVectors

    path = synthetic_store(args.words, args.dim)
    store = load_vectors(path)
    print(f"store: {path} ({len(store):,} x {store.dim}, {store.dtype})")

    # 1. Opening the store vs gensim loading the same vectors as word2vec text.
    t_open = best_of(lambda: load_vectors(path), repeat=5)
    if args.skip_text_load:
        print(f"{'open native store':<48} ours {t_open:9.4f} s   (target < 0.1 s)")
    else:
        text = CACHE / f"synthetic-{args.words}x{args.dim}.txt"
        if not text.exists():
            write_word2vec(store, text)
        t0 = time.perf_counter()
        KeyedVectors.load_word2vec_format(str(text))
        t_gensim = time.perf_counter() - t0
        report("open native store vs gensim text load", t_open, t_gensim, "gensim")

    # 2. One analogy as a whole process.
    t_single = best_of(lambda: _run(["analogy", "king", "man", "woman", "--vectors", str(path)]))
    t_python = best_of(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
    print(
        f"{'embtool analogy king man woman (process)':<48} ours {t_single:9.4f} s   "
        f"bare python start {t_python:.4f} s   (target < 1 s)"
    )

    # 3. 1,000 analogies through stdin vs a loop of gensim most_similar on the same vectors.
    rng = np.random.default_rng(7)
    triples = rng.choice(min(len(store), 30_000), size=(args.queries, 3), replace=True)
    triples = triples[
        (triples[:, 0] != triples[:, 1])
        & (triples[:, 1] != triples[:, 2])
        & (triples[:, 0] != triples[:, 2])
    ]
    queries = [[store.words[i] for i in t] for t in triples]
    stdin = "".join(" ".join(q) + "\n" for q in queries)
    t0 = time.perf_counter()
    proc = _run(["analogy", "-", "-k", "1", "--vectors", str(path), "-f", "tsv"], stdin=stdin)
    t_batch = time.perf_counter() - t0
    ours = [line.split("\t")[4] for line in proc.stdout.splitlines()[1:]]

    kv = KeyedVectors(store.dim)
    kv.add_vectors(store.words, np.asarray(store.vectors))
    kv.fill_norms()
    t0 = time.perf_counter()
    theirs = [kv.most_similar(positive=[a, c], negative=[b], topn=1)[0][0] for a, b, c in queries]
    t_loop = time.perf_counter() - t0
    same = sum(o == t for o, t in zip(ours, theirs))
    report(f"{len(queries)} analogies piped (process) vs gensim loop", t_batch, t_loop, "gensim")
    print(f"{'':<48} identical answers: {same}/{len(queries)}")

    # 4. Matrix-product rate of the batched path vs numpy.matmul on the same shapes.
    rows = np.array([[store.index[w] for w in q] for q in queries], dtype=np.int64)
    targets = similarity.analogy_targets(store, rows)
    m = len(targets)
    block_rows = max(1024, min(65536, similarity._BLOCK_ELEMENTS // m))
    blocks = [b for _, b in store.blocks(size=block_rows)]
    flop = 2.0 * m * len(store) * store.dim

    def matmul_only() -> None:
        for b in blocks:
            np.matmul(targets, b.T)

    t_mm = best_of(matmul_only, repeat=3)
    t_path = best_of(lambda: similarity.solve_analogies_chunked(store, rows, k=1), repeat=3)
    print(
        f"{'batched analogy path, compute part':<48} {flop / t_path / 1e9:8.1f} GFLOP/s   "
        f"numpy.matmul same shapes {flop / t_mm / 1e9:8.1f} GFLOP/s   "
        f"ratio {t_mm / t_path:5.0%} (target >= 60%)"
    )


if __name__ == "__main__":
    main()
