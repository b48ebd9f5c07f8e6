"""GloVe benchmarks: embtool's NumPy GloVe against the Stanford reference C tools, same run.

Run by hand from the repository root (heavy parts under ``nice``)::

    nice -n 10 python benchmarks/bench_glove.py cooccur            # counting speed + exact parity
    nice -n 10 python benchmarks/bench_glove.py epoch              # training: CPU us per nonzero
    nice -n 10 python benchmarks/bench_glove.py quality            # WordSim-353, 3 seeds, 50 epochs
    nice -n 10 python benchmarks/bench_glove.py memory            # 100M tokens (--corpus FILE)

The reference tools (github.com/stanfordnlp/GloVe, ``src/vocab_count.c``, ``cooccur.c``,
``glove.c``) are not part of embtool: build them yourself with
``gcc -O3 -march=native -funroll-loops -pthread -o X X.c -lm`` into a directory named by
``--ref`` (default ``$EMBTOOL_GLOVE_REF``, else ``glove-ref`` in the benchmark cache,
``$EMBTOOL_BENCH_CACHE`` or ``../cache``). The shared data (the Wikipedia sample, WordSim-353) is
looked up in ``$EMBTOOL_SHARED_DATA``, else ``../shared/data``; ``memory`` reads the decompressed
``mix-100M.txt`` from the cache by default. ``glove`` needs a
``-seed N`` option (``srand(N)`` in ``main``) for the multi-seed quality run; the reference
``shuffle`` is replaced by a full NumPy shuffle of the binary records (seeded).
Parts that need the reference are skipped, with a note, when it is missing.

Every figure is printed as ``ours / reference`` measured in the same run; CPU time (user + sys,
children included for the reference) is the fair measure on a shared machine, wall time is shown too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._paths import cache, shared_data  # noqa: E402
from embtool.training.cooccurrence import (  # noqa: E402
    CooccurrenceSettings,
    build_vocabulary,
    count_cooccurrences,
    count_words,
)
from embtool.training.glove import GloveConfig, train_glove  # noqa: E402

SHARED = shared_data()
WIKI = SHARED / "corpora" / "enwiki2015_sample.txt.gz"
WS353 = SHARED / "eval" / "similarity" / "wordsim353.tsv"
CREC = np.dtype([("w1", "<i4"), ("w2", "<i4"), ("val", "<f8")])


def ref_dir(arg: str | None) -> Path | None:
    d = Path(arg or os.environ.get("EMBTOOL_GLOVE_REF") or cache("glove-ref"))
    if all((d / t).exists() for t in ("vocab_count", "cooccur", "glove")):
        return d
    print(
        f"note: reference GloVe tools not found in {d}; reference figures skipped", file=sys.stderr
    )
    return None


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_ref(
    cmd: list[str], stdin: Path | None = None, stdout: Path | None = None
) -> tuple[float, float]:
    """Run a reference tool; return (wall, cpu) seconds."""
    c0, t0 = cpu_children(), time.perf_counter()
    with (
        open(stdin, "rb") if stdin else open(os.devnull, "rb") as fi,
        open(stdout, "wb") if stdout else open(os.devnull, "wb") as fo,
    ):
        subprocess.run(cmd, stdin=fi, stdout=fo, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0, cpu_children() - c0


def corpus_slice(tokens: int, work: Path, source: Path = WIKI) -> Path:
    """The first whole lines of ``source`` holding about ``tokens`` tokens, as plain text."""
    out = work / f"corpus-{tokens}.txt"
    if out.exists():
        return out
    opener = gzip.open if source.suffix == ".gz" else open
    n = 0
    with opener(source, "rt", encoding="utf-8") as fi, open(out, "w", encoding="utf-8") as fo:
        for line in fi:
            fo.write(line)
            n += len(line.split())
            if n >= tokens:
                break
    return out


def sentences(path: Path) -> list[list[str]]:
    # The reference splits on spaces, tabs and newlines only; the shared corpora use single spaces.
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f]


def ours_count(path: Path, min_count: int, window: int, memory: float = 4.0):
    """(cooc, wall, cpu) for vocabulary + counting, reading the file like the reference does."""
    t0, c0 = time.perf_counter(), cpu_self()
    lines = sentences(path)
    counts, _, _ = count_words(lines)
    vocab = build_vocabulary(counts, min_count=min_count)
    cooc = count_cooccurrences(lines, vocab, CooccurrenceSettings(window=window), memory_gb=memory)
    return cooc, time.perf_counter() - t0, cpu_self() - c0


def ref_count(ref: Path, path: Path, work: Path, min_count: int, window: int, memory: float = 4.0):
    vocab = work / "vocab.txt"
    out = work / "cooccurrence.bin"
    w1, c1 = run_ref(
        [str(ref / "vocab_count"), "-min-count", str(min_count), "-verbose", "0"], path, vocab
    )
    w2, c2 = run_ref(
        [
            str(ref / "cooccur"),
            "-vocab-file",
            str(vocab),
            "-window-size",
            str(window),
            "-verbose",
            "0",
            "-memory",
            str(memory),
            "-overflow-file",
            str(work / "overflow"),
        ],
        path,
        out,
    )
    return vocab, out, (w1, c1), (w2, c2)


def parity(cooc, vocab_file: Path, bin_file: Path) -> tuple[int, int, float]:
    """(our nnz, reference nnz, max relative difference) comparing the matrices word by word."""
    import scipy.sparse as sp

    words = [line.split(" ")[0] for line in vocab_file.read_text(encoding="utf-8").splitlines()]
    index = cooc.vocab.index
    missing = [w for w in words if w not in index]
    if missing or len(words) != len(index):
        raise SystemExit(f"vocabularies differ: {len(words)} vs {len(index)}, e.g. {missing[:3]}")
    m = np.array([index[w] for w in words])
    rec = np.fromfile(bin_file, dtype=CREC)
    v = len(words)
    ref = sp.csr_matrix((rec["val"], (m[rec["w1"] - 1], m[rec["w2"] - 1])), shape=(v, v))
    ref.sort_indices()
    ours = cooc.to_scipy().astype(np.float64)
    same = np.array_equal(ours.indptr, ref.indptr) and np.array_equal(ours.indices, ref.indices)
    rel = float(np.max(np.abs(ours.data - ref.data) / ref.data)) if same else float("inf")
    return ours.nnz, ref.nnz, rel


# -- cooccur -------------------------------------------------------------------------------------
def bench_cooccur(args: argparse.Namespace) -> None:
    ref = ref_dir(args.ref)
    with tempfile.TemporaryDirectory(prefix="bench-glove-") as tmp:
        work = Path(tmp)
        for tokens in args.tokens:
            path = corpus_slice(tokens, work)
            best_ours = best_ref = (float("inf"), float("inf"))
            ref_vc = (float("inf"), float("inf"))
            for rep in range(args.repeat):
                cooc, wall, cpu = ours_count(path, args.min_count, args.window)
                best_ours = min(best_ours, (cpu, wall))
                if ref is not None:
                    vf, bf, vc, co = ref_count(ref, path, work, args.min_count, args.window)
                    best_ref = min(best_ref, (co[1], co[0]))
                    ref_vc = min(ref_vc, (vc[1] + co[1], vc[0] + co[0]))
                    if rep == 0:
                        n1, n2, rel = parity(cooc, vf, bf)
                        print(
                            f"{tokens:>10,} tokens: parity nnz ours {n1:,} ref {n2:,}, max rel diff {rel:.2e}"
                        )
            line = (
                f"{tokens:>10,} tokens  window {args.window}  min-count {args.min_count}: "
                f"ours (vocab+count) cpu {best_ours[0]:.2f}s wall {best_ours[1]:.2f}s"
            )
            if ref is not None:
                line += (
                    f" | ref cooccur cpu {best_ref[0]:.2f}s wall {best_ref[1]:.2f}s,"
                    f" ref vocab_count+cooccur cpu {ref_vc[0]:.2f}s wall {ref_vc[1]:.2f}s"
                    f" | speed ratio ref/ours: cpu {ref_vc[0] / best_ours[0]:.2f}x"
                    f" (cooccur alone {best_ref[0] / best_ours[0]:.2f}x), wall {ref_vc[1] / best_ours[1]:.2f}x"
                )
            print(line, flush=True)


# -- epoch ---------------------------------------------------------------------------------------
def shuffled_bin(cooc, work: Path, seed: int = 1) -> tuple[Path, Path]:
    """The count as the reference's shuffled binary file + vocab file (ids are 1-based ranks)."""
    rows, cols, x = cooc.triples()
    rec = np.empty(x.size, dtype=CREC)
    rec["w1"] = rows + 1
    rec["w2"] = cols + 1
    rec["val"] = x
    np.random.default_rng(seed).shuffle(rec)
    binf = work / f"cooc-{x.size}.shuf.bin"
    rec.tofile(binf)
    vocabf = work / f"vocab-{x.size}.txt"
    vocabf.write_text(
        "".join(
            f"{w} {c}\n" for w, c in zip(cooc.vocab.words, cooc.vocab.counts.tolist(), strict=True)
        ),
        encoding="utf-8",
    )
    return binf, vocabf


def ref_train(
    ref: Path,
    binf: Path,
    vocabf: Path,
    out: Path,
    *,
    dim: int,
    epochs: int,
    threads: int,
    x_max: float,
    seed: int,
    text: bool,
) -> tuple[float, float, list[float]]:
    cmd = [
        str(ref / "glove"),
        "-input-file",
        str(binf),
        "-vocab-file",
        str(vocabf),
        "-save-file",
        str(out),
        "-vector-size",
        str(dim),
        "-threads",
        str(threads),
        "-iter",
        str(epochs),
        "-x-max",
        str(x_max),
        "-eta",
        "0.05",
        "-alpha",
        "0.75",
        "-binary",
        "0" if text else "1",
        "-model",
        "2",
        "-seed",
        str(seed),
        "-verbose",
        "2",
    ]
    c0, t0 = cpu_children(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    costs = [float(line.split("cost:")[1]) for line in proc.stderr.splitlines() if "cost:" in line]
    return time.perf_counter() - t0, cpu_children() - c0, costs


def bench_epoch(args: argparse.Namespace) -> None:
    ref = ref_dir(args.ref)
    with tempfile.TemporaryDirectory(prefix="bench-glove-") as tmp:
        work = Path(tmp)
        print(
            f"GloVe training, dim {args.dim}, {args.epochs} epoch(s); us = microseconds per nonzero per epoch"
        )
        for tokens in args.tokens:
            path = corpus_slice(tokens, work)
            cooc, _, _ = ours_count(path, args.min_count, args.window)
            nnz = cooc.nnz
            line = f"{tokens:>10,} tokens {nnz:>11,} nonzeros:"
            cfg = GloveConfig(dim=args.dim, epochs=args.epochs, x_max=10.0, seed=1)
            ours: dict[int, tuple[float, float]] = {}
            for workers in args.workers:
                r = train_glove(cooc, GloveConfig(**{**cfg.__dict__, "workers": workers}))
                cpu = sum(e.cpu_seconds for e in r.epochs) / len(r.epochs)
                wall = sum(e.seconds for e in r.epochs) / len(r.epochs)
                line += (
                    f" ours/{workers}w cpu {1e6 * cpu / nnz:.3f}us wall {1e6 * wall / nnz:.3f}us;"
                )
                ours[workers] = (cpu, wall)
            if ref is not None:
                binf, vocabf = shuffled_bin(cooc, work)
                for threads in args.threads:
                    # one extra epoch run subtracts the fixed cost (start-up, writing the vectors)
                    w1, c1, _ = ref_train(
                        ref,
                        binf,
                        vocabf,
                        work / "v",
                        dim=args.dim,
                        epochs=1,
                        threads=threads,
                        x_max=10.0,
                        seed=1,
                        text=False,
                    )
                    w2, c2, _ = ref_train(
                        ref,
                        binf,
                        vocabf,
                        work / "v",
                        dim=args.dim,
                        epochs=1 + args.epochs,
                        threads=threads,
                        x_max=10.0,
                        seed=1,
                        text=False,
                    )
                    cpu = (c2 - c1) / args.epochs
                    wall = (w2 - w1) / args.epochs
                    # compare like with like: ours with as many workers as the reference's threads
                    ours_cpu, ours_wall = ours.get(threads, ours[args.workers[0]])
                    line += (
                        f" ref/{threads}t cpu {1e6 * cpu / nnz:.3f}us wall {1e6 * wall / nnz:.3f}us"
                        f" (ours/ref cpu {ours_cpu / cpu:.2f}, wall {ours_wall / wall:.2f});"
                    )
            print(line, flush=True)
            cooc.close()


# -- quality -------------------------------------------------------------------------------------
def load_pairs(path: Path) -> list[tuple[str, str, float]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        a, b, s = line.split("\t")[:3]
        pairs.append((a.lower(), b.lower(), float(s)))
    return pairs


def spearman(words: list[str], vectors: np.ndarray, pairs) -> tuple[float, int]:
    from scipy.stats import spearmanr

    index = {w: i for i, w in enumerate(words)}
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    got, gold = [], []
    for a, b, s in pairs:
        if a in index and b in index:
            got.append(float(unit[index[a]] @ unit[index[b]]))
            gold.append(s)
    return float(spearmanr(got, gold).statistic), len(got)


def read_glove_text(path: Path) -> tuple[list[str], np.ndarray]:
    words, rows = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.rstrip().split(" ")
        if parts[0] == "<unk>":
            continue
        words.append(parts[0])
        rows.append(np.array(parts[1:], dtype=np.float64))
    return words, np.vstack(rows)


def bench_quality(args: argparse.Namespace) -> None:
    if not WS353.exists() or not WIKI.exists():
        raise SystemExit(f"needs {WS353} and {WIKI}")
    ref = ref_dir(args.ref)
    pairs = load_pairs(WS353)
    results: dict[str, list[float]] = {"ours": [], "reference": []}
    with tempfile.TemporaryDirectory(prefix="bench-glove-") as tmp:
        work = Path(tmp)
        path = corpus_slice(args.tokens[0], work)
        cooc, _, _ = ours_count(path, args.min_count, args.window)
        print(
            f"corpus {path.name}: {cooc.meta['tokens']:,} tokens, vocabulary {cooc.vocab_size:,}, "
            f"{cooc.nnz:,} nonzeros; dim {args.dim}, window {args.window}, x_max {args.x_max}, "
            f"{args.epochs} epochs",
            flush=True,
        )
        binf, vocabf = shuffled_bin(cooc, work) if ref is not None else (None, None)
        for seed in args.seeds:
            t0 = time.perf_counter()
            r = train_glove(
                cooc,
                GloveConfig(
                    dim=args.dim,
                    epochs=args.epochs,
                    x_max=args.x_max,
                    seed=seed,
                    workers=args.workers[0],
                    batch_size=args.batch_size,
                ),
            )
            rho, n = spearman(r.words, r.vectors, pairs)
            results["ours"].append(rho)
            print(
                f"seed {seed} ours: WS353 {rho:.4f} ({n} pairs), final cost {r.costs[-1]:.5f}, "
                f"{time.perf_counter() - t0:.0f}s",
                flush=True,
            )
            if ref is not None:
                w, _, costs = ref_train(
                    ref,
                    binf,
                    vocabf,
                    work / f"ref{seed}",
                    dim=args.dim,
                    epochs=args.epochs,
                    threads=1,
                    x_max=args.x_max,
                    seed=seed,
                    text=True,
                )
                words, vecs = read_glove_text(work / f"ref{seed}.txt")
                rho_ref, n_ref = spearman(words, vecs, pairs)
                results["reference"].append(rho_ref)
                print(
                    f"seed {seed} reference: WS353 {rho_ref:.4f} ({n_ref} pairs), final cost {costs[-1]:.5f}, "
                    f"{w:.0f}s",
                    flush=True,
                )
    summary = {k: (float(np.mean(v)), v) for k, v in results.items() if v}
    for k, (mean, vals) in summary.items():
        print(
            f"{k}: mean WS353 Spearman {mean:.4f} over seeds {args.seeds}: {[round(x, 4) for x in vals]}"
        )
    if len(summary) == 2:
        print(f"difference ours - reference: {summary['ours'][0] - summary['reference'][0]:+.4f}")
    print(json.dumps({k: v for k, v in results.items()}))


# -- memory --------------------------------------------------------------------------------------
def bench_memory(args: argparse.Namespace) -> None:
    """Count a big corpus within --memory; prints peak RSS of this process and the rate."""
    corpus = Path(args.corpus)
    if not corpus.exists():
        raise SystemExit(f"no corpus at {corpus}")

    def lines():
        with open(corpus, encoding="utf-8") as f:
            for line in f:
                yield line.split()

    t0, c0 = time.perf_counter(), cpu_self()
    counts, tokens, nlines = count_words(lines())
    vocab = build_vocabulary(counts, min_count=args.min_count)
    del counts
    t1 = time.perf_counter()
    print(
        f"vocabulary: {len(vocab):,} words from {tokens:,} tokens, {nlines:,} lines in {t1 - t0:.0f}s",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-glove-", dir=args.tmp) as tmp:
        cooc = count_cooccurrences(
            lines(),
            vocab,
            CooccurrenceSettings(window=args.window),
            memory_gb=args.memory,
            tmp_dir=tmp,
        )
        t2 = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        print(
            f"counted: {cooc.stored_nnz:,} stored ({cooc.nnz:,} nonzeros), {cooc.meta['spilled_runs']} "
            f"spilled runs, chunk {cooc.meta['chunk_tokens']:,} tokens"
        )
        print(
            f"time: vocabulary {t1 - t0:.0f}s + counting {t2 - t1:.0f}s = {t2 - t0:.0f}s wall, "
            f"{cpu_self() - c0:.0f}s cpu; {tokens / (t2 - t0) / 1e6:.2f}M tokens/s overall, "
            f"{tokens / (t2 - t1) / 1e6:.2f}M tokens/s counting"
        )
        print(f"peak RSS {peak:.2f} GB with --memory {args.memory} GB")
        cooc.close()


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("what", choices=["cooccur", "epoch", "quality", "memory"])
    p.add_argument("--ref", help="directory with the compiled reference tools")
    p.add_argument("--tokens", type=int, nargs="+", help="corpus slice sizes (tokens)")
    p.add_argument("--window", type=int, default=10)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--dim", type=int, default=50)
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--x-max", type=float, default=10.0)
    p.add_argument("--batch-size", type=int, default=GloveConfig.batch_size)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--corpus", default=str(cache("mix-100M.txt")))
    p.add_argument("--memory", type=float, default=4.0)
    p.add_argument("--tmp", default=None, help="where spilled partial counts go")
    args = p.parse_args()
    defaults = {
        "cooccur": ([500_000, 2_000_184], 1),
        "epoch": ([250_000, 500_000, 1_000_000, 2_000_184], 2),
        "quality": ([2_000_184], 50),
        "memory": ([0], 0),
    }
    tokens, epochs = defaults[args.what]
    args.tokens = args.tokens or tokens
    args.epochs = args.epochs or epochs
    if args.what == "memory":
        args.min_count = 10 if args.min_count == 5 else args.min_count
    {
        "cooccur": bench_cooccur,
        "epoch": bench_epoch,
        "quality": bench_quality,
        "memory": bench_memory,
    }[args.what](args)


if __name__ == "__main__":
    main()
