"""Issue 14 speed: `embtool shell` answer latency after the first load, on a 400k x 300 store.

Run by hand from the repository root:  nice python -m benchmarks.bench_shell [--words 400000 --dim 300]

One `embtool shell --vectors STORE` process is fed queries through a pipe, one at a time; each
answer's latency is the wall time from writing the line to reading the whole answer (TSV: a header
plus one row per result). Printed next to the anchor measured in the same run: the same query as
its own `embtool analogy ...` / `embtool neighbors ...` process (start-up + open + answer), which is
what every query cost before the shell. Target: each answer < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import best_of, report, synthetic_store

REPO = Path(__file__).resolve().parent.parent
TARGET_MS = 50.0


class Shell:
    """An `embtool shell` process spoken to through pipes."""

    def __init__(self, store: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "embtool", "shell", "--vectors", str(store)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=env,
        )

    def ask(self, line: str, out_lines: int, err_lines: int = 0) -> tuple[float, list[str]]:
        """Send one query; (seconds until its whole answer was read, the answer's lines)."""
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr
        t0 = time.perf_counter()
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        got = [self.proc.stdout.readline() for _ in range(out_lines)]
        got += [self.proc.stderr.readline() for _ in range(err_lines)]
        return time.perf_counter() - t0, [g.rstrip("\n") for g in got]

    def close(self) -> int:
        assert self.proc.stdin
        self.proc.stdin.close()
        return self.proc.wait(timeout=60)


def _run(args: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(
        [sys.executable, "-m", "embtool", *args], capture_output=True, env=env, check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20, help="answers timed per query kind")
    args = parser.parse_args()

    path = synthetic_store(args.words, args.dim)
    print(f"store: {path} ({args.words:,} x {args.dim})")

    t0 = time.perf_counter()
    shell = Shell(path)
    t_first, first = shell.ask("king - man + woman", 6)
    t_first = time.perf_counter() - t0
    assert first[0].split("\t") == ["a", "b", "c", "rank", "word", "score"], first
    print(f"start-up + load + first answer: {t_first:.2f} s")

    n = args.words
    kinds = {
        # name: (query for repeat i, answer lines on stdout, lines on stderr, anchor command)
        "analogy  a - b + c": (
            lambda i: f"w{1000 + i} - w{2000 + i} + w{3000 + i}",
            6,
            0,
            ["analogy", "w1000", "w2000", "w3000"],
        ),
        "arithmetic a - b + c - d": (
            lambda i: f"w{1000 + i} - w{2000 + i} + w{3000 + i} - w{4000 + i}",
            6,
            0,
            None,
        ),
        "neighbors -k 10": (
            lambda i: f"neighbors w{(i * 7919) % (n - 10) + 10} -k 10",
            11,
            0,
            ["neighbors", "w4242", "-k", "10"],
        ),
        "sim": (lambda i: f"sim w{10 + i} w{20 + i}", 2, 0, ["similarity", "w10", "w20"]),
        "odd": (lambda i: f"odd king man woman w{50 + i}", 2, 0, None),
        "unknown word (suggestions)": (lambda i: f"w{n + 17 + i}x", 0, 1, None),
    }
    rows = []
    for name, (query, out_lines, err_lines, anchor_args) in kinds.items():
        times = []
        for i in range(args.repeat):
            t, lines = shell.ask(query(i), out_lines, err_lines)
            if err_lines:
                assert lines[-1].startswith("error: 1 word not in vectors"), lines
            times.append(t)
        median = statistics.median(times)
        p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
        anchor = None
        if anchor_args is not None:
            anchor = best_of(lambda a=anchor_args: _run([*a, "--vectors", str(path)]), repeat=3)
        rows.append((name, median, p95, anchor))
    # The floor of any full-vocabulary answer: one bare NumPy matrix-vector product over the
    # store (what a neighbour or analogy query must at least read), measured in this run.
    import numpy as np

    from embtool import load_vectors

    matrix = np.asarray(load_vectors(path).vectors)
    query_vec = np.ones(args.dim, dtype=np.float32)
    t_matvec = statistics.median(
        [best_of(lambda: matrix @ query_vec, repeat=1) for _ in range(args.repeat)]
    )
    status = shell.close()
    assert status == 1, status  # the unknown-word lines failed; everything else answered

    print(
        f"\nper-answer latency after the first load ({args.repeat} answers each; target "
        f"< {TARGET_MS:.0f} ms)"
    )
    for name, median, p95, _ in rows:
        flag = "ok" if p95 * 1000 < TARGET_MS else "OVER"
        print(f"  {name:<28} median {median * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   {flag}")
    print()
    for name, median, _, anchor in rows:
        if anchor is not None:
            report(f"shell answer vs own process: {name}", median, anchor, "embtool process")
    for name, median, _, _ in rows[:3]:  # the full-vocabulary scans
        report(f"shell answer vs bare matvec: {name}", median, t_matvec, "numpy M @ q")
    print(f"\nload average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
