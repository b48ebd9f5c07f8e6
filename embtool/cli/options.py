"""Options shared by many commands, as ``Annotated`` types so every command spells them the same."""

from pathlib import Path
from typing import Annotated

import typer

from embtool.cli.output import Format

FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Output: table (default on a terminal), tsv (default when piped), json, jsonl.",
        case_sensitive=False,
    ),
]
TopK = Annotated[int, typer.Option("-k", "--top-k", min=1, help="Number of results per query.")]
SkipUnknownOpt = Annotated[
    bool,
    typer.Option(
        "--skip-unknown",
        help="In batch mode, report queries with unknown words on stderr and carry on.",
    ),
]
ExactCaseOpt = Annotated[
    bool,
    typer.Option(
        "--exact-case",
        help="Do not fall back to the lower-case form of a word missing from the vectors.",
    ),
]
RestrictOpt = Annotated[
    int | None,
    typer.Option(
        "--restrict", min=1, help="Only consider the N most frequent words (the first N rows)."
    ),
]
OutPath = Annotated[Path, typer.Option("--out", "-o", help="Where to write.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the output if it exists.")]
LineNumbersOpt = Annotated[
    bool,
    typer.Option(
        "--line-numbers",
        help="Start each result with the stdin line number of its query (to match skipped lines).",
    ),
]
