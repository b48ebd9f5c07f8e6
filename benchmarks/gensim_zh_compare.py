"""gensim's Word2Vec called directly on the segmented zhwiki file that build_zh_vectors.py wrote,
with the settings of the shipped Chinese vectors, kept the same way (top N words, float16), so
``embtool evaluate`` compares the two stores on equal terms: a check that ``embtool train`` adds
nothing and loses nothing on the way to gensim.

Usage (from the repository root, after build_zh_vectors.py has segmented the extract)::

    nice -n 10 python benchmarks/gensim_zh_compare.py WORK/zhwiki-t2s-jieba.txt \\
        --method skipgram --epochs 1 --out WORK/gensim-skipgram-e1
    embtool evaluate WORK/gensim-skipgram-e1 data/default-vectors-zh -m add -m mul
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np


def main() -> None:
    """Train, keep the top words as float16, save as a native store with a record of the run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("segmented", type=Path, help="one paragraph a line, words space-separated")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--method", choices=["skipgram", "cbow"], default="skipgram")
    parser.add_argument("--dim", type=int, default=200)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-4)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=80000)
    args = parser.parse_args()

    import gensim
    from gensim.models import Word2Vec

    from embtool.vectors import VectorStore, save_vectors

    started = time.monotonic()
    cpu0 = time.process_time()
    model = Word2Vec(
        corpus_file=str(args.segmented),
        sg=1 if args.method == "skipgram" else 0,
        vector_size=args.dim,
        window=args.window,
        negative=args.negative,
        sample=args.sample,
        min_count=args.min_count,
        epochs=args.epochs,
        workers=args.workers,
        seed=args.seed,
    )
    wall = time.monotonic() - started
    kv = model.wv
    n = min(args.limit, len(kv.index_to_key))
    words = list(kv.index_to_key[:n])  # gensim sorts the vocabulary by count
    counts = [int(kv.get_vecattr(w, "count")) for w in words]
    record = {
        "trainer": f"gensim {gensim.__version__} Word2Vec (corpus_file), called directly",
        "script": "benchmarks/gensim_zh_compare.py",
        "method": args.method,
        "hyperparameters": {
            k: getattr(args, k)
            for k in ("dim", "window", "negative", "sample", "min_count", "epochs", "workers")
        },
        "seed": args.seed,
        "vocabulary_size": len(kv.index_to_key),
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(time.process_time() - cpu0, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    store = VectorStore(
        words,
        np.asarray(kv.vectors[:n], dtype=np.float16),
        counts=counts,
        meta={"language": "zh", "gensim_direct": record},
    )
    save_vectors(store, args.out, overwrite=True)
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
