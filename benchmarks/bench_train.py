"""Issue 3 speed: `embtool train` vs gensim corpus_file on the same file; tokenizer throughput.

Run by hand from the repository root (heavy: use nice):
    nice -n 10 python -m benchmarks.bench_train [--corpus FILE] [--mb 60] [--epochs 1] [--repeat 3]

Every figure is printed next to its anchor measured in the same run:
- train:    `embtool train FILE -t whitespace -m skipgram|cbow` as a whole process vs a process
            calling gensim `Word2Vec(corpus_file=FILE, ...)` with the same settings (both include
            interpreter start-up, vocabulary scan, training; embtool also hashes the input and
            writes the store). words/s = corpus tokens x epochs / wall time. Runs alternate
            (gensim, embtool, gensim, ...) and the best of --repeat is kept for each, so that load
            from other processes hits both alike. Target: ratio >= 0.9.
- tokenize: the regex tokenizer over raw text (Corpus.prepare: read, decode, lower-case, tokenize,
            count, write the tokenized copy), in MB of input per CPU-second of this one process
            (= per core) and per wall second. Target: >= 5 MB/s per core. Anchor: the same pass
            with the whitespace tokenizer (str.split), the cheapest possible tokenizer.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._paths import REPO, cache, shared

GENSIM_SCRIPT = """
import sys, time, json
t0 = time.perf_counter()
from gensim.models import Word2Vec
path, sg, dim, epochs, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
m = Word2Vec(corpus_file=path, sg=sg, vector_size=dim, window=5, min_count=5, negative=5,
             sample=1e-3, epochs=epochs, workers=workers, seed=1)
print(json.dumps({"seconds": time.perf_counter() - t0, "tokens": m.corpus_total_words,
                  "vocab": len(m.wv)}))
"""


def tokenized_slice(mb: int, work: Path) -> Path:
    """The first ``mb`` MB of the shared 100M-token corpus (already tokenized), whole lines."""
    out = work / f"mix-{mb}MB.txt"
    if out.exists():
        return out
    cached = cache("mix-100M.txt")  # the decompressed corpus, when it is there
    if cached.exists():
        with open(cached, "rb") as f:
            data = f.read(mb * 1_000_000)
    else:
        import lzma

        with lzma.open(shared("corpora", "mix-100M.txt.xz"), "rb") as f:
            data = f.read(mb * 1_000_000)
    out.write_bytes(data[: data.rfind(b"\n") + 1])
    return out


def raw_english(mb: int, work: Path) -> Path:
    """Raw English with case and punctuation: licence texts shipped with the OS, repeated."""
    out = work / f"raw-{mb}MB.txt"
    if out.exists():
        return out
    parts = []
    for p in sorted(Path("/usr/share/common-licenses").glob("*")):
        if p.is_file():
            parts.append(p.read_text(encoding="utf-8", errors="replace"))
    text = "\n".join(parts)
    if not text:
        with gzip.open(shared("corpora", "enwiki2015_sample.txt.gz"), "rt") as f:
            text = f.read(5_000_000)
    reps = max(1, mb * 1_000_000 // len(text.encode()))
    out.write_text(text * reps, encoding="utf-8")
    return out


def run_gensim(path: Path, sg: int, dim: int, epochs: int, workers: int) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            GENSIM_SCRIPT,
            str(path),
            str(sg),
            str(dim),
            str(epochs),
            str(workers),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - t0


def run_embtool(path: Path, method: str, dim: int, epochs: int, workers: int, out: Path) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "embtool",
            "train",
            str(path),
            "-t",
            "whitespace",
            "-m",
            method,
            "--dim",
            str(dim),
            "--window",
            "5",
            "--min-count",
            "5",
            "--negative",
            "5",
            "--sample",
            "1e-3",
            "--epochs",
            str(epochs),
            "--workers",
            str(workers),
            "--seed",
            "1",
            "-o",
            str(out),
            "--force",
            "-f",
            "json",
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    record = json.loads(proc.stdout)
    record["process_seconds"] = time.perf_counter() - t0
    return record


def bench_training(path: Path, args: argparse.Namespace, work: Path) -> None:
    from embtool.corpus import Corpus

    with Corpus([path], tokenizer="whitespace").prepare() as prepared:
        tokens = prepared.n_tokens
    print(
        f"corpus: {path} ({path.stat().st_size / 1e6:.1f} MB, {tokens:,} tokens), "
        f"dim {args.dim}, epochs {args.epochs}, workers {args.workers}"
    )
    for method, sg in (("skipgram", 1), ("cbow", 0)):
        g_times, e_times, e_inner = [], [], []
        for _ in range(args.repeat):
            g_times.append(run_gensim(path, sg, args.dim, args.epochs, args.workers))
            rec = run_embtool(
                path, method, args.dim, args.epochs, args.workers, work / f"out-{method}"
            )
            e_times.append(rec["process_seconds"])
            e_inner.append(rec["train_seconds"])
        g, e = min(g_times), min(e_times)
        words = tokens * args.epochs
        print(
            f"train {method:<9} embtool {words / e:12,.0f} words/s ({e:6.1f} s)   "
            f"gensim corpus_file {words / g:12,.0f} words/s ({g:6.1f} s)   "
            f"ratio {g / e:5.2f}   [all runs: embtool {fmt(e_times)}; gensim {fmt(g_times)}; "
            f"embtool training alone {fmt(e_inner)}]"
        )


def fmt(xs: list[float]) -> str:
    return " ".join(f"{x:.1f}" for x in xs)


def bench_tokenizer(path: Path, tokenizer: str, repeat: int) -> tuple[float, float]:
    """(MB per CPU-second, MB per wall second) of Corpus.prepare over ``path``, best of ``repeat``."""
    from embtool.corpus import Corpus, word_pattern

    word_pattern()  # built once per process; not part of the per-MB cost
    size = path.stat().st_size / 1e6
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        with Corpus([path], tokenizer=tokenizer, lower=True).prepare():
            pass
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    return size / best_cpu, size / best_wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="an already-tokenized plain text file")
    parser.add_argument("--mb", type=int, default=60, help="MB of the shared corpus to train on")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--raw-mb", type=int, default=20)
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()

    work = Path(os.environ.get("EMBTOOL_BENCH_DIR", tempfile.gettempdir())) / "embtool-bench-train"
    work.mkdir(parents=True, exist_ok=True)

    raw = raw_english(args.raw_mb, work)
    for name, path in (("raw English", raw), ("tokenized mix", tokenized_slice(args.raw_mb, work))):
        cpu, wall = bench_tokenizer(path, "regex", args.repeat)
        cpu_ws, _ = bench_tokenizer(path, "whitespace", args.repeat)
        print(
            f"tokenize regex on {name:<14} {cpu:6.1f} MB/s per core ({wall:6.1f} MB/s wall)   "
            f"anchor whitespace+lower {cpu_ws:6.1f} MB/s per core   ratio {cpu / cpu_ws:4.2f}"
        )

    if not args.skip_train:
        path = args.corpus or tokenized_slice(args.mb, work)
        bench_training(path, args, work)


if __name__ == "__main__":
    main()
