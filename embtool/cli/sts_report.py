"""The STS part of ``embtool evaluate --sts``: every store x file x method, one report."""

import dataclasses
from collections.abc import Sequence

from embtool.cli.output import Report
from embtool.cli.vectors import VectorSource
from embtool.corpus import Tokenizer, make_tokenizer
from embtool.evaluation.sts import evaluate_sts, parse_methods, read_sts


def run_sts(
    source: VectorSource, stores: Sequence[str] | None, files: Sequence[str], methods: str
) -> Report:
    """Read the STS files, score each store with each method.  Raises: BenchmarkError, SentenceError."""
    wanted = parse_methods(methods)
    benches = [read_sts(f) for f in files]
    sources = [dataclasses.replace(source, vectors=s) for s in stores] if stores else [source]
    for s in sources:
        s.resolve_path()
    tokenizer = make_tokenizer(Tokenizer.regex)
    records = []
    for src in sources:
        store = src.open()
        for bench in benches:
            for method in wanted:
                r = evaluate_sts(store, bench, tokenizer, method=method, tokenizer_name="regex")
                records.append(
                    {
                        "store": r.store,
                        "benchmark": r.benchmark,
                        "kind": "sts",
                        "method": r.method.value,
                        "tokenizer": r.tokenizer,
                        "pairs": r.pairs,
                        "used": r.used,
                        "coverage": r.coverage,
                        "pearson": r.pearson,
                        "spearman": r.spearman,
                        "seconds": r.seconds,
                    }
                )
    columns = ["store", "benchmark", "method", "pearson", "spearman", "coverage", "tokenizer"]
    rows = [[r[c] for c in columns] for r in records]
    return Report(records, columns, rows, title="STS (x100)")
