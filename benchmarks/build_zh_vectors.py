"""Rebuild the shipped Chinese vectors (data/default-vectors-zh) from the zhwiki extract.

Stages, each run as its own process so its wall time and peak RSS are measured:

1. convert  - Traditional -> Simplified with OpenCC t2s, streamed line by line;
2. segment  - jieba segmentation (embtool's ``jieba`` tokenizer, lower-cased), on all cores with
              a bounded ``multiprocessing`` pipeline; writes one space-separated line per paragraph;
3. train    - ``embtool train`` on the segmented file (``--tokenizer whitespace``, read in place);
4. store    - ``embtool convert --limit N --dtype float16`` into the shipped store, then the build
              record (source sha256, stage times and memory, versions, language "zh") is added to
              its ``meta.json``.

Usage (from the repository root; needs ``pip install -e '.[chinese]'``)::

    nice -n 10 python benchmarks/build_zh_vectors.py --work WORK

Every stage skips its work when its output already exists (delete it to redo that stage). What is
recorded into ``meta.json`` names the work directory ``WORK`` and the shared data ``../shared``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import multiprocessing
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a file: ``benchmarks`` is importable from the root

from benchmarks._paths import masked, shared_data  # noqa: E402

DEFAULT_SOURCE = shared_data() / "zh" / "corpora" / "zhwiki-extract.txt.xz"
BATCH_LINES = 2000


def _progress(label: str, done: int, total: int, started: float) -> None:
    """A one-line progress bar on stderr."""
    frac = min(done / total, 1.0) if total else 0.0
    bar = "#" * int(frac * 30)
    rate = done / max(time.monotonic() - started, 1e-9) / 1e6
    print(f"\r{label} [{bar:<30}] {frac:6.1%} {rate:.2f} MB/s", end="", file=sys.stderr, flush=True)


def _xz_lines(path: Path) -> Iterator[tuple[str, int, int]]:
    """Lines of an .xz (or plain) file with compressed bytes read so far and the total size."""
    total = path.stat().st_size
    raw = path.open("rb")
    try:
        stream = lzma.open(raw, "rt", encoding="utf-8") if path.suffix == ".xz" else None  # noqa: SIM115
        handle = stream if stream is not None else path.open("rt", encoding="utf-8")
        for line in handle:
            yield line, raw.tell() if stream is not None else handle.tell(), total
    finally:
        raw.close()


def stage_convert(source: Path, out: Path) -> dict:
    """OpenCC t2s, line by line; returns line and character counts."""
    import opencc

    converter = opencc.OpenCC("t2s")
    tmp = out.with_name(out.name + ".part")
    lines = chars = 0
    started = time.monotonic()
    with tmp.open("w", encoding="utf-8") as fh:
        for line, done, total in _xz_lines(source):
            text = converter.convert(line.rstrip("\n"))
            fh.write(text + "\n")
            lines += 1
            chars += len(text)
            if lines % 20000 == 0:
                _progress("convert", done, total, started)
    os.replace(tmp, out)
    print(file=sys.stderr)
    return {"lines": lines, "characters": chars}


_TOKENIZE = None


def _init_worker() -> None:
    global _TOKENIZE
    from embtool.corpus import make_tokenizer

    _TOKENIZE = make_tokenizer("jieba", lower=True)


def _segment_batch(lines: list[str]) -> tuple[str, int]:
    assert _TOKENIZE is not None
    out = []
    tokens = 0
    for line in lines:
        words = _TOKENIZE(line)
        tokens += len(words)
        out.append(" ".join(words) + "\n")
    return "".join(out), tokens


def _batches(path: Path, counter: list[int], max_lines: int | None) -> Iterator[list[str]]:
    batch: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if max_lines is not None and n >= max_lines:
                break
            counter[0] += len(line.encode("utf-8"))
            batch.append(line)
            if len(batch) == BATCH_LINES:
                yield batch
                batch = []
    if batch:
        yield batch


def stage_segment(source: Path, out: Path, processes: int, max_lines: int | None) -> dict:
    """jieba on ``processes`` cores; ``imap`` keeps order and at most a few batches in flight."""
    tmp = out.with_name(out.name + ".part")
    total = source.stat().st_size
    if max_lines is not None:
        total = total * max_lines // 1_173_438  # the extract's line count, for the progress bar
    counter = [0]
    tokens = lines = 0
    started = time.monotonic()
    with (
        multiprocessing.Pool(processes, initializer=_init_worker) as pool,
        tmp.open("w", encoding="utf-8") as fh,
    ):
        for i, (text, n) in enumerate(
            pool.imap(_segment_batch, _batches(source, counter, max_lines))
        ):
            fh.write(text)
            tokens += n
            lines += text.count("\n")
            if i % 10 == 0:
                _progress("segment", counter[0], total, started)
    os.replace(tmp, out)
    print(file=sys.stderr)
    return {"lines": lines, "tokens": tokens, "processes": processes, "max_lines": max_lines}


def sha256(path: Path) -> str:
    """sha256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _measured(argv: list[str]) -> dict:
    """Run ``argv``; its wall time and peak RSS (largest process, its children included)."""
    print("$ " + shlex.join(argv), file=sys.stderr)
    started = time.monotonic()
    proc = subprocess.Popen(argv)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"error: stage failed ({proc.returncode}): {shlex.join(argv)}")
    return {
        "wall_seconds": round(time.monotonic() - started, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "command": shlex.join(argv),
    }


def _embtool() -> str:
    return str(Path(sys.executable).with_name("embtool"))


def main() -> None:
    """Run the stages that have no output yet, then write the store and its build record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--work", type=Path, required=True, help="directory for intermediate files")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "default-vectors-zh")
    parser.add_argument("--method", default="skipgram")
    parser.add_argument("--dim", type=int, default=200)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--sample", default="1e-4")
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=80000, help="words kept in the store")
    parser.add_argument(
        "--max-lines", type=int, help="segment and train on only the first N paragraphs"
    )
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--stage", choices=["convert", "segment"], help=argparse.SUPPRESS)
    parser.add_argument("--stage-in", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stage-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.stage:  # a child run by _measured
        if args.stage == "convert":
            result = stage_convert(args.stage_in, args.stage_out)
        else:
            result = stage_segment(args.stage_in, args.stage_out, args.processes, args.max_lines)
        args.stage_out.with_name(args.stage_out.name + ".json").write_text(json.dumps(result))
        return

    work = Path(os.path.abspath(args.work))  # absolute in what is recorded: masked as WORK
    work.mkdir(parents=True, exist_ok=True)
    stats_path = work / "build-stats.json"
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    simplified = work / "zhwiki-t2s.txt"
    prefix = f"-first{args.max_lines}" if args.max_lines is not None else ""
    segmented = work / f"zhwiki-t2s-jieba{prefix}.txt"
    model = work / f"zh-{args.method}{args.dim}-e{args.epochs}{prefix}"
    me = [sys.executable, str(Path(__file__).resolve())]
    for name, src, dst in (
        ("convert", args.source, simplified),
        ("segment", simplified, segmented),
    ):
        if not dst.exists():
            argv = [*me, "--work", str(work), "--stage", name, "--stage-in", str(src)]
            argv += ["--stage-out", str(dst), "--processes", str(args.processes)]
            if args.max_lines is not None:
                argv += ["--max-lines", str(args.max_lines)]
            stats[name] = _measured(argv)
            stats[name].update(json.loads(dst.with_name(dst.name + ".json").read_text()))
            stats_path.write_text(json.dumps(stats, indent=2))
    if not model.exists():
        argv = [_embtool(), "train", str(segmented), "--tokenizer", "whitespace"]
        argv += ["--method", args.method, "--dim", str(args.dim), "--window", str(args.window)]
        argv += ["--negative", str(args.negative), "--sample", args.sample]
        argv += ["--min-count", str(args.min_count), "--epochs", str(args.epochs)]
        argv += ["--workers", str(args.workers), "--seed", str(args.seed)]
        argv += ["--out", str(model), "--verbose", "--format", "json"]
        stats["train"] = _measured(argv)
        stats_path.write_text(json.dumps(stats, indent=2))
    argv = [_embtool(), "convert", str(model), str(args.out), "--limit", str(args.limit)]
    argv += ["--dtype", "float16", "--force"]
    stats["store"] = _measured(argv)
    write_build_record(args, stats, work, segmented)
    stats_path.write_text(json.dumps(stats, indent=2))
    print(json.dumps(stats, indent=2))


def write_build_record(args: argparse.Namespace, stats: dict, work: Path, seg: Path) -> None:
    """Add language, source checksum, the stage record and versions to the store's meta.json.

    Every string of the record (the training command and corpus paths written by ``embtool train``
    and ``convert`` included) is masked: the work directory reads ``WORK``, the shared data
    ``../shared``, so a rebuild ships no machine-specific path."""
    import jieba
    import opencc

    meta_path = args.out / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["language"] = "zh"
    meta["build"] = {
        "recipe": "benchmarks/build_zh_vectors.py",
        "command": shlex.join(
            ["python", "benchmarks/build_zh_vectors.py", *_public_args(sys.argv[1:])]
        ),
        "source": {
            "path": os.path.abspath(args.source),
            "sha256": sha256(args.source),
            "licence": "CC BY-SA (Wikipedia contributors)",
        },
        "script_conversion": {"tool": "opencc", "config": "t2s", "version": _version("opencc")},
        "segmentation": {
            "tool": "jieba (embtool --tokenizer jieba, lower-cased)",
            "version": getattr(jieba, "__version__", _version("jieba")),
            "sha256_of_output": sha256(seg),
        },
        "seed": args.seed,
        "stages": {
            k: {kk: vv for kk, vv in v.items() if kk != "command"} for k, v in stats.items()
        },
    }
    del opencc
    meta = masked(meta, work)
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _public_args(argv: list[str]) -> list[str]:
    """The command line with the work directory shown as WORK, however it was spelled (relative
    paths are not caught by ``masked``); other absolute paths are masked with the record."""
    out: list[str] = []
    skip = False
    for a in argv:
        if skip:
            out.append("WORK")
            skip = False
            continue
        if a.startswith("--work="):
            out.append("--work=WORK")
            continue
        out.append(a)
        skip = a == "--work"
    return out


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    main()
