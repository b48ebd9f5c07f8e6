"""Issue 5 speed: the full Google analogy set, batched, against gensim's evaluate_word_analogies.

Run by hand from the repository root, niced:
    nice -n 10 python -m benchmarks.bench_evaluate [--case default|large|both] [--threads N]

Two cases, each on the same vectors for both tools, every figure next to its anchor from this run:
- default: the shipped default store (data/default-vectors) if present, else the first 50,000 words
  of a word2vec binary (--base, default baseline/sg300.bin in the benchmark cache,
  $EMBTOOL_BENCH_CACHE or ../cache), else 50,000 random
  vectors with the Google words first; --restrict 30000.
- large: 400,000 x 300 (the --base words first, random vectors after); --restrict 300000.
  gensim streams the whole matrix per question here, so by default it answers an evenly spread
  sample of --gensim-questions questions and its full time is extrapolated (--full-gensim: all).
Checks: identical correct/incorrect lists question for question (on the gensim-answered set), and
the matrix-product rate of our run (2 * questions * restrict * dim FLOPs over the time spent in
the batched engine) against numpy.matmul on the same shapes. BLAS threads are set explicitly:
ours runs --threads chunks of questions at once, one BLAS thread each; the numpy anchor uses
--threads BLAS threads (all cores by default); gensim --gensim-threads (1 by default: its
one-question matrix-vector products are fastest single-threaded).
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import embtool.evaluation.analogy as analogy_mod
from benchmarks._paths import cache
from embtool import VectorStore, load_vectors
from embtool.evaluation import evaluate_analogies, load_benchmark, read_analogy
from embtool.resources import default_vectors_path
from embtool.vectors import ReadOptions

BASE = cache("baseline", "sg300.bin")


def google_words() -> list[str]:
    bench = load_benchmark("google", "analogy")
    words = []
    for s in bench.sections:
        for q in s.questions:
            words += [q.a, *q.b, q.c, *q.answers]
    return list(dict.fromkeys(w.lower() for w in words))


def build_store(n: int, dim: int, base: Path | None, seed: int = 0) -> tuple[VectorStore, str]:
    """n x dim: the base vectors' words first (or the Google words), random vectors after."""
    rng = np.random.default_rng(seed)
    if n <= 50_000 and default_vectors_path().exists():
        store = load_vectors(default_vectors_path())
        return store, f"shipped default vectors ({len(store):,} x {store.dim})"
    if base is not None and base.exists():
        real = load_vectors(base, ReadOptions(limit=min(n, 50_000)))
        words, head = list(real.words), np.asarray(real.vectors, dtype=np.float32)
        what = f"{len(words):,} words of {base.name}"
    else:
        words = google_words()
        head = rng.standard_normal((len(words), dim), dtype=np.float32)
        what = f"{len(words):,} Google words with random vectors"
    dim = head.shape[1]
    matrix = np.empty((n, dim), dtype=np.float32)
    matrix[: len(words)] = head
    if n > len(words):
        scale = float(np.median(np.linalg.norm(head, axis=1))) / np.sqrt(dim)
        for start in range(len(words), n, 65536):
            stop = min(start + 65536, n)
            matrix[start:stop] = rng.standard_normal((stop - start, dim), dtype=np.float32) * scale
        what += f" + {n - len(words):,} random filler words"
    taken = set(words)
    words += [f"filler{i}" for i in range(n) if f"filler{i}" not in taken][: n - len(words)]
    return VectorStore(words, matrix, name=f"bench-{n}"), f"{n:,} x {dim}: {what}"


def sample_file(path: str, every: int, out: Path) -> Path:
    """Every ``every``-th question of each section, sections kept (Google format)."""
    lines, i = [], 0
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            lines.append(line)
        elif line.strip():
            if i % every == 0:
                lines.append(line)
            i += 1
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def sections_of(result) -> list[tuple[str, list, list]]:
    out: dict[str, tuple[list, list]] = {}
    for o in result.details:
        if o.oov:
            continue
        q = o.question
        quad = (q.a.upper(), q.b[0].upper(), q.c.upper(), q.answers[0].upper())
        out.setdefault(o.section, ([], []))[0 if o.correct else 1].append(quad)
    return [(name, c, i) for name, (c, i) in out.items()]


def timed_engine():
    """Wrap the batched-engine part of evaluation (all chunks), to time the matrix-product part."""
    spent = [0.0]
    original = analogy_mod._solve_in_chunks

    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0

    analogy_mod._solve_in_chunks = wrapper
    return spent, lambda: setattr(analogy_mod, "_solve_in_chunks", original)


def matmul_rate(store: VectorStore, m: int, restrict: int, chunk: int, threads: int) -> float:
    """FLOP/s of numpy.matmul on the same product, (m x dim) @ (dim x restrict), in blocks."""
    rng = np.random.default_rng(1)
    q = rng.standard_normal((min(m, chunk), store.dim), dtype=np.float32)
    rows = 8192
    out = np.empty((len(q), rows), dtype=np.float32)
    vocab = np.asarray(store.vectors[:restrict])
    reps = max(1, m // len(q))
    with threadpool_limits(threads, user_api="blas"):
        np.matmul(q, vocab[:rows].T, out=out)  # warm up
        t0 = time.perf_counter()
        for _ in range(reps):
            for start in range(0, restrict, rows):
                block = vocab[start : start + rows]
                np.matmul(q, block.T, out=out[:, : len(block)])
        seconds = time.perf_counter() - t0
    return 2.0 * reps * len(q) * restrict * store.dim / seconds


def run_case(name: str, n: int, restrict: int, args: argparse.Namespace) -> None:
    from gensim.models import KeyedVectors

    store, what = build_store(n, 300, args.base)
    google = load_benchmark("google", "analogy")
    print(
        f"\n== {name}: {what}; restrict {restrict:,}; threads ours {args.threads}, "
        f"gensim {args.gensim_threads}"
    )
    store.norms  # noqa: B018 - computed once, as any real run does before the questions

    spent, restore = timed_engine()
    try:
        t0 = time.perf_counter()
        ours = evaluate_analogies(
            store, google, restrict=restrict, details=True, threads=args.threads
        )
        t_ours = time.perf_counter() - t0
    finally:
        restore()
    answered = ours.total.answered
    flops = 2.0 * answered * restrict * store.dim
    print(
        f"ours:   {t_ours:8.2f} s for {ours.total.questions:,} questions ({answered:,} answered), "
        f"accuracy {ours.score:.4f}"
    )

    kv = KeyedVectors(store.dim)
    kv.add_vectors(store.words, np.asarray(store.vectors))
    full = args.full_gensim or name == "default"
    with tempfile.TemporaryDirectory() as tmp:
        every = 1 if full else -(-len(google) // args.gensim_questions)
        path = (
            google.source if full else str(sample_file(google.source, every, Path(tmp) / "s.txt"))
        )
        with threadpool_limits(args.gensim_threads, user_api="blas"):
            t0 = time.perf_counter()
            g_score, g_sections = kv.evaluate_word_analogies(
                path, restrict_vocab=restrict, case_insensitive=True
            )
            t_gensim = time.perf_counter() - t0
        mine = (
            ours
            if full
            else evaluate_analogies(store, read_analogy(path), restrict=restrict, details=True)
        )
    g_answered = sum(len(s["correct"]) + len(s["incorrect"]) for s in g_sections[:-1])
    same = sections_of(mine) == [
        (s["section"], s["correct"], s["incorrect"])
        for s in g_sections[:-1]
        if s["correct"] or s["incorrect"]
    ]
    if full:
        t_gensim_full = t_gensim
        print(f"gensim: {t_gensim:8.2f} s, accuracy {g_score:.4f}")
    else:
        t_gensim_full = t_gensim * answered / max(g_answered, 1)
        print(
            f"gensim: {t_gensim:8.2f} s for a sample of {g_answered:,} answered questions "
            f"(every {every}th) -> {t_gensim_full:.1f} s extrapolated to {answered:,}; "
            f"sample accuracy gensim {g_score:.4f}, ours {mine.score:.4f}"
        )
    print(f"identical correct/incorrect lists, question for question: {same}")
    print(
        f"speed-up vs gensim: x{t_gensim_full / t_ours:.1f} (whole evaluation), "
        f"x{t_gensim_full / spent[0]:.1f} (matrix part only)"
    )

    rate_ours = flops / spent[0]
    rate_np = matmul_rate(store, answered, restrict, analogy_mod.DEFAULT_CHUNK, args.threads)
    print(
        f"matrix part: {spent[0]:.2f} s = {rate_ours / 1e9:.1f} GFLOP/s; numpy.matmul on the "
        f"same shapes {rate_np / 1e9:.1f} GFLOP/s -> {100 * rate_ours / rate_np:.0f}% "
        "(target >= 60%)"
    )

    # memory: one round of chunks (one per thread) is the whole working set
    every = max(1, len(google) // (analogy_mod.DEFAULT_CHUNK * args.threads))
    with tempfile.TemporaryDirectory() as tmp:
        one_chunk = read_analogy(sample_file(google.source, every, Path(tmp) / "chunk.txt"))
    tracemalloc.start()
    evaluate_analogies(store, one_chunk, restrict=restrict, threads=args.threads)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    full_matrix = 4.0 * answered * restrict
    print(
        f"memory: peak {peak / 2**20:.0f} MiB traced during a run (a full questions x "
        f"vocabulary score matrix would be {full_matrix / 2**30:.1f} GiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["default", "large", "both"], default="both")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--gensim-threads", type=int, default=1)
    parser.add_argument(
        "--gensim-questions",
        type=int,
        default=2000,
        help="large case: questions gensim answers (time extrapolated)",
    )
    parser.add_argument(
        "--full-gensim", action="store_true", help="large case: gensim answers all questions"
    )
    parser.add_argument("--base", type=Path, default=BASE, help="word2vec file for real vectors")
    args = parser.parse_args()
    logging.getLogger("gensim").setLevel(logging.WARNING)
    if args.case in ("default", "both"):
        run_case("default", 50_000, 30_000, args)
    if args.case in ("large", "both"):
        run_case("large", 400_000, 300_000, args)


if __name__ == "__main__":
    main()
