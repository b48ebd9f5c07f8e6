"""One way to print results: Rich table on a terminal, TSV when piped, or JSON / JSON Lines.

Commands build a :class:`Report` (JSON records plus a flat table view of the same data) and hand it to
:func:`emit`; stdout carries nothing else. Messages go through :data:`err` (stderr).
"""

import io
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from embtool.errors import OutputError
from embtool.records import json_safe

err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(str, Enum):
    auto = "auto"
    table = "table"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"


@dataclass
class Report:
    """A command's result: ``records`` for JSON, ``columns`` + ``rows`` for table and TSV."""

    records: list[dict[str, Any]]
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    title: str | None = None
    notes: list[str] = field(default_factory=list)
    single: bool = False  # JSON: print the one record as an object, not a one-element list
    #: A compact table shown instead when this one is wider than the terminal (table format only),
    #: with the line that says what it leaves out.
    narrow: "Report | None" = None
    narrow_note: str | None = None


def resolve_format(fmt: Format) -> Format:
    """``auto`` means a table on a terminal and TSV in a pipe."""
    if fmt is Format.auto:
        return Format.table if sys.stdout.isatty() else Format.tsv
    return fmt


def _tsv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value).replace("\t", " ").replace("\n", " ")


def _table_cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4f}" if math.isfinite(value) else "–"
    return str(value)


def emit(report: Report, fmt: Format, out: TextIO | None = None) -> None:
    """Write ``report`` in ``fmt`` to ``out`` (default stdout; ``auto`` follows stdout's kind)."""
    fmt = resolve_format(fmt)
    if out is None:
        out = sys.stdout
    if fmt is Format.json:
        data = report.records[0] if report.single and len(report.records) == 1 else report.records
        out.write(json.dumps(json_safe(data), ensure_ascii=False, indent=2) + "\n")
    elif fmt is Format.jsonl:
        for record in report.records:
            out.write(json.dumps(json_safe(record), ensure_ascii=False) + "\n")
    elif fmt is Format.tsv:
        lines = ["\t".join(report.columns)]
        lines.extend("\t".join(_tsv_cell(v) for v in row) for row in report.rows)
        out.write("\n".join(lines) + "\n")
    else:
        console = Console(file=out, highlight=False)
        table = _table(report)
        needed = _natural_width(console, table) if report.narrow is not None else 0
        if report.narrow is not None and needed > console.width:
            if report.narrow_note:
                note(
                    f"{report.narrow_note} (the full table needs {needed} columns, the terminal "
                    f"has {console.width})"
                )
            table = _table(report.narrow)
        console.print(table)
    out.flush()


def write_report_file(report: Report, path: str | Path) -> Path:
    """Write ``report`` to a file, JSON for ``.json`` and TSV otherwise, atomically.

    Raises: OutputError.
    """
    from embtool.atomic import atomic_file

    path = Path(path)
    text = io.StringIO()
    emit(report, Format.json if path.suffix.lower() == ".json" else Format.tsv, text)
    try:
        with atomic_file(path) as tmp:
            tmp.write_text(text.getvalue(), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def _table(report: Report) -> Table:
    # Cells are Text, not markup: vocabularies hold tokens like '[/b]' that Rich would parse.
    # A cell too wide for the terminal wraps (fold) rather than losing its end to an ellipsis.
    title = Text(report.title) if report.title is not None else None
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in report.columns:
        numeric = any(
            isinstance(r[report.columns.index(col)], (int, float)) for r in report.rows[:1]
        )
        table.add_column(Text(col), justify="right" if numeric else "left", overflow="fold")
    for row in report.rows:
        table.add_row(*(Text(_table_cell(v)) for v in row))
    return table


def _natural_width(console: Console, table: Table) -> int:
    """How wide ``table`` is when nothing is wrapped or cut."""
    return Measurement.get(console, console.options.update(width=1 << 16), table).maximum


def note(message: str) -> None:
    """A one-line message on stderr (never on stdout)."""
    err.print(f"[dim]note:[/dim] {escape(message)}", markup=True)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/yellow] {escape(message)}", markup=True)


def note_folded(pairs: Sequence[tuple[str, str]]) -> None:
    """Tell the user which query words were matched by their lower-case form."""
    seen: set[tuple[str, str]] = set()
    for query, word in pairs:
        if query != word and (query, word) not in seen:
            seen.add((query, word))
            note(f"{query!r} is not in the vectors; using {word!r}")


def note_skipped(skipped: Sequence[Any], answered: int | None = None) -> None:
    """Report batch queries left out for unknown words (``--skip-unknown``), then, when
    ``answered`` is given and something was skipped, one summary line for the batch."""
    for s in skipped:
        missing = ", ".join(repr(w) for w in s.missing)
        warn(f"skipped {' '.join(s.query)!r}: not in vectors: {missing}")
    if answered is not None and skipped:
        total = answered + len(skipped)
        note(
            f"{answered:,} of {total:,} queries answered, {len(skipped):,} skipped (unknown words)"
        )


def with_line_numbers(
    report: Report, record_lines: Sequence[int], row_lines: Sequence[int] | None = None
) -> Report:
    """``report`` with the input line number of each query first (``--line-numbers``): a ``line``
    column in table/TSV and a ``line`` key in every JSON record. ``row_lines`` defaults to one
    row per record."""
    if row_lines is None:
        row_lines = record_lines
    records = [{"line": n, **r} for n, r in zip(record_lines, report.records, strict=True)]
    rows = [[n, *row] for n, row in zip(row_lines, report.rows, strict=True)]
    return Report(
        records, ["line", *report.columns], rows, report.title, report.notes, report.single
    )


def note_direction(choice: Any) -> Any:
    """Tell the user where a bias direction came from and what was left out; return it.

    A non-dominant PC1 is a warning for pairs the user gave, a note for the bundled ones."""
    d = choice.direction
    if choice.source is not None:
        note(f"direction from {choice.source} ({d.method}, {len(d.pairs)} pairs)")
        return d
    if choice.dropped:
        shown = ", ".join(f"{a}:{b}" for a, b in choice.dropped)
        warn(
            f"{len(choice.dropped)} of {len(choice.asked)} pairs not in the vectors, left out: {shown}"
        )
    if d.method == "pca":
        r = d.explained_variance_ratio
        note(
            f"direction: PCA of {len(d.pairs)} pair{'s' if len(d.pairs) != 1 else ''}; "
            f"PC1 explains {r[0]:.1%} of their variance"
            + (f", PC2 {r[1]:.1%}" if len(r) > 1 else "")
        )
        if not d.dominant and not choice.bundled:
            warn(
                "the first principal component does not dominate (PC1 < 2 x PC2): the pairs do "
                "not agree on one direction; check them or use --method pair"
            )
        elif not d.dominant:  # the bundled pairs: nothing for the user to fix, say what it means
            note(
                "PC1 < 2 x PC2: in these vectors the bundled pairs share a weaker gender direction "
                "than in Bolukbasi et al.'s (numbers are still computed on PC1)"
            )
    return d
