"""embtool info: what a vector file or store holds and how it was made."""

import json
from typing import Annotated, Any

import typer

from embtool.cli.app import app
from embtool.cli.errors import phrase_flags
from embtool.cli.options import FormatOpt
from embtool.cli.output import Format, Report, emit, note
from embtool.cli.progress import byte_progress
from embtool.cli.vectors import VectorSource, input_options, show_notes
from embtool.inspection import VectorInfo, inspect_vectors
from embtool.vectors.files import encoding_hint_at


def _short(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _subwords_cell(subwords: dict[str, Any] | None) -> str:
    if subwords is None:
        return "unknown (no subwords: vectors only for the vocabulary)"
    return (
        f"vectors built from character n-grams ({subwords['min_n']}-{subwords['max_n']} "
        f"characters, {subwords['bucket']:,} buckets)"
    )


def info_rows(info: VectorInfo) -> list[list[Any]]:
    """The report as (field, value) rows for a table or TSV."""
    c, n = info.case, info.norms
    rows: list[list[Any]] = [
        ["path", info.path],
        ["format", info.format_label],
        ["compression", info.compression or "none"],
        ["file bytes", info.file_bytes],
        ["words", info.words],
        ["dims", info.dim],
        ["dtype", info.dtype],
        ["header", " ".join(map(str, info.header)) if info.header else "none"],
        ["counts known", "yes" if info.counts_known else "no"],
        ["unseen words", _subwords_cell(info.subwords)],
        ["undecodable", info.undecodable_total],
        ["duplicates", info.duplicates_total],
        ["case lower", c.lower],
        ["case title", c.title],
        ["case upper", c.upper],
        ["case mixed", c.mixed],
        ["case uncased", c.uncased],
        ["words with a case twin", c.with_twin],
        ["norm min", n.min],
        ["norm mean", n.mean],
        ["norm median", n.median],
        ["norm max", n.max],
        ["zero vectors", n.zero],
    ]
    if info.limit is not None:
        rows.insert(5, ["limit", info.limit])
    for u in info.undecodable[:5]:
        rows.append(["undecodable at", f"line {u['line']}, byte offset {u['offset']}"])
    for d in info.duplicates[:5]:
        rows.append(["duplicate", f"{d['word']!r} on line {d['line']}"])
    for group in c.examples[:3]:
        rows.append(["case twins", " ".join(group)])
    for h in info.history:
        rows.append(["history", _short(h)])
    if info.training:
        rows.append(["training", _short(info.training)])
    return rows


@app.command("info")
@input_options("path")
def info_command(
    path: Annotated[
        str,
        typer.Argument(
            metavar="PATH",
            help="A store, a word2vec/GloVe/fastText file (.gz/.bz2/.xz fine), a projector "
            "directory, or the name of a downloaded set.",
            show_default=False,
        ),
    ],
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Describe vectors: format, size, encoding problems, duplicate words, case, norms, origin.

    Example: [bold]embtool info glove.6B.50d.txt[/bold]
    Reads leniently: duplicate words and bytes that do not decode are counted and located
    instead of stopping the read (line numbers; byte offsets count from the start of the
    uncompressed content).
    """
    resolved = source.resolve_path()
    with byte_progress(f"reading {resolved.name}") as progress:
        info = inspect_vectors(resolved, source.options, progress=progress)
    show_notes(info.meta)
    if info.undecodable and resolved.is_file():
        hint = encoding_hint_at(resolved, info.undecodable[0]["offset"], source.options.encoding)
        note(
            f"some words do not decode as {source.options.encoding} (see 'undecodable'); "
            f"pass {phrase_flags(hint)} to read them"
        )
    emit(
        Report([info.to_dict()], ["field", "value"], info_rows(info), title=info.path, single=True),
        fmt,
    )
