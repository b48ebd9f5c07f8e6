"""embtool plot: words in 2-D (PCA or t-SNE), analogy parallelograms, and bias axes.

Two forms share one command name: ``embtool plot WORD... --out FILE`` (the ``words`` subcommand,
chosen whenever the first argument is not a subcommand name) and ``embtool plot bias ...``.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from typer.core import TyperCommand, TyperGroup

from embtool import bias, projection
from embtool.bias.direction import DirectionMethod
from embtool.bias.wordsets import split_pair
from embtool.cli.app import app, reflow
from embtool.cli.inputs import parse_pairs, read_stdin, wants_stdin
from embtool.cli.options import DirectionFileOpt, ExactCaseOpt, MethodOpt, PairOpt, PairsFileOpt
from embtool.cli.output import Format, Report, emit, err, note, note_direction, note_folded, warn
from embtool.cli.spaces import shift_plot
from embtool.cli.vectors import VectorSource, note_built, vector_options
from embtool.errors import UsageError
from embtool.language import store_language
from embtool.projection import ProjectionMethod
from embtool.records import word_map_record
from embtool.vectors.store import VectorStore
from embtool.wordlists import read_group_lines, read_text, read_word_list, words_in

DEFAULT_COMMAND = "words"
METHOD_NAMES = {ProjectionMethod.pca: "PCA", ProjectionMethod.tsne: "t-SNE"}


class PlotGroup(TyperGroup):
    """``embtool plot``: runs the ``words`` subcommand unless the first argument names another one.

    So ``embtool plot king queen -o a.png`` is ``embtool plot words king queen -o a.png``, while
    ``embtool plot bias ...`` runs the bias plot (plot the word 'bias' itself with
    ``embtool plot words bias``).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        help_names = set(ctx.help_option_names or ["--help"])
        if args and args[0] not in self.commands and args[0] not in help_names:
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


def _join_analogies(args: list[str]) -> list[str]:
    """Turn ``--analogy A B C D`` (four arguments) into one option value ``"A B C D"``.

    A value that already holds spaces or commas (``--analogy "king man woman queen"``,
    ``--analogy=king,man,woman,queen``) is kept as it is.
    """
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg not in ("--analogy", "-a"):
            out.append(arg)
            i += 1
            continue
        rest = args[i + 1 :]
        if rest and re.search(r"[\s,，]", rest[0]):
            out += [arg, rest[0]]
            i += 2
            continue
        taken: list[str] = []
        for tok in rest[:4]:
            if tok.startswith("-") and len(tok) > 1:
                break
            taken.append(tok)
        out += [arg, " ".join(taken)]
        i += 1 + len(taken)
    return out


class PlotWordsCommand(TyperCommand):
    """Lets ``--analogy`` take four words without quotes (Typer options take one value each)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _join_analogies(list(args)))


plot_app = typer.Typer(
    cls=PlotGroup,
    name="plot",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Plot words in 2-D: [bold]embtool plot WORD... --out FILE[/bold] (PCA or t-SNE; groups, "
    "neighbours, analogy parallelograms), or [bold]embtool plot bias ...[/bold] (words on a bias "
    "direction).\n\n"
    "The first form is the [bold]words[/bold] subcommand, used whenever the first argument is not "
    "a subcommand name: 'embtool plot king queen -o a.png' = 'embtool plot words king queen -o "
    "a.png'. See [bold]embtool plot words --help[/bold] and [bold]embtool plot bias --help[/bold] "
    "for the options.\n\n"
    "Example: [bold]embtool plot king queen man woman --analogy king man woman queen "
    "-o royal.png[/bold]",
)
app.add_typer(plot_app, name="plot")


# -- shared options ------------------------------------------------------------------------------
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Image to write: .png, .svg or .pdf (by extension). Replaced if it exists.",
        show_default=False,
    ),
]
DpiOpt = Annotated[
    int, typer.Option("--dpi", min=10, max=2400, help="Resolution of PNG output (dots per inch).")
]
SizeOpt = Annotated[str, typer.Option("--size", help="Figure size in inches, WIDTHxHEIGHT.")]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Figure title.")]
FontOpt = Annotated[
    Path | None,
    typer.Option(
        "--font",
        envvar="EMBTOOL_FONT",
        show_envvar=True,
        help="Font file (.ttf/.otf/.ttc) for the labels. Default: matplotlib's font, with an "
        "installed CJK font (or the bundled WenQuanYi Micro Hei) as fallback for characters it "
        "lacks.",
    ),
]
CoordsOpt = Annotated[
    Path | None,
    typer.Option(
        "--coords",
        help="Also write the 2-D coordinates: JSON for a .json name, else TSV "
        "(word, x, y, group, kind).",
    ),
]
PlotFormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Print the coordinates on stdout: table, tsv, json, jsonl. Default: print nothing.",
        case_sensitive=False,
    ),
]
MaxLabelsOpt = Annotated[
    int,
    typer.Option("--max-labels", min=0, help="Label at most this many points (the first ones)."),
]
PlotSkipUnknownOpt = Annotated[
    bool,
    typer.Option(
        "--skip-unknown",
        help="Leave out words that are not in the vectors (with a warning) instead of failing.",
    ),
]
WordsFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--words-file", help="Read words from this file (whitespace-separated, '#' comments)."
    ),
]


def parse_size(text: str) -> tuple[float, float]:
    """``'8x6'`` -> (8.0, 6.0).  Raises: UsageError."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*[xX×,]\s*(\d+(?:\.\d*)?)\s*", text)
    if not m or not (0 < float(m.group(1)) <= 100 and 0 < float(m.group(2)) <= 100):
        raise UsageError(f"--size {text!r}: expected WIDTHxHEIGHT in inches, e.g. 8x6 (each 0-100)")
    return float(m.group(1)), float(m.group(2))


def read_words_file(path: Path) -> list[str]:
    """Words of a --words-file (the shared word-list rules).  Raises: WordListError."""
    return list(read_word_list(path))


def _split_members(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,，]+", text) if w]


def read_groups(specs: list[str]) -> dict[str, list[str]]:
    """Groups from ``NAME=w1,w2`` values or from files: JSON ``{"name": ["w1", ...]}`` or TSV lines
    ``word<TAB>group`` (an optional ``word<TAB>group`` header is skipped).  Raises: UsageError."""
    groups: dict[str, list[str]] = {}
    for spec in specs:
        path = Path(spec).expanduser()
        if "=" in spec and not path.is_file():
            name, _, members = spec.partition("=")
            words = _split_members(members)
            if not name.strip() or not words:
                raise UsageError(f"--group {spec!r}: expected NAME=word1,word2,...")
            groups.setdefault(name.strip(), []).extend(words)
            continue
        if not path.is_file():
            raise UsageError(
                f"--group {spec!r}: expected NAME=word1,word2,... or a JSON/TSV file of groups"
            )
        if path.suffix.lower() == ".json":
            text = read_text(path, "groups")
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise UsageError(f"--group {path}: not valid JSON ({exc})") from None
            if not isinstance(data, dict) or not all(
                isinstance(v, list) and all(isinstance(w, str) for w in v) for v in data.values()
            ):
                raise UsageError(f'--group {path}: expected {{"group": ["word", ...], ...}}')
            for name, words in data.items():
                groups.setdefault(str(name), []).extend(words)
            continue
        for name, words in read_group_lines(path).items():
            groups.setdefault(name, []).extend(words)
    return groups


def parse_analogies(values: list[str]) -> list[tuple[str, str, str, str]]:
    """``--analogy`` values (each 'A B C D') -> 4-tuples.  Raises: UsageError."""
    out = []
    for value in values:
        words = _split_members(value)
        if len(words) != 4:
            raise UsageError(
                f"--analogy needs 4 words A B C D (A - B + C = D, e.g. king man woman queen), "
                f"got {len(words)}: {' '.join(words) or '(none)'}"
            )
        out.append((words[0], words[1], words[2], words[3]))
    return out


def check_outputs(
    out: Path | None,
    coords: Path | None,
    fmt: Format | None,
    size: tuple[float, float],
    dpi: float,
) -> None:
    """Fail before any work when nothing is asked for, an output cannot be written, or the image
    would be too big to draw."""
    from embtool.plotting import check_canvas, check_writable, image_format

    if out is None and coords is None and fmt is None:
        raise UsageError(
            "nothing to write: pass --out FILE (.png, .svg or .pdf), --coords FILE or --format json"
        )
    if out is not None:
        image_format(out)
        check_writable(out)
        check_canvas(size, dpi)
    if coords is not None:
        check_writable(coords)


def _xy(x: float, y: float) -> dict[str, float]:
    return {"x": float(x), "y": float(y)}


def coords_report(
    wm: projection.WordMap, output: Path | None, fonts: tuple[str, ...] | None
) -> Report:
    record = word_map_record(wm, output, fonts)
    rows: list[list[Any]] = [
        [w, float(x), float(y), g, "word"]
        for w, (x, y), g in zip(wm.words, wm.coords, wm.groups, strict=True)
    ]
    for q in wm.analogies:
        a, b, c, _ = q.words
        rows.append(
            [f"{a} - {b} + {c}", float(q.predicted[0]), float(q.predicted[1]), None, "predicted"]
        )
    return Report(
        [record], ["word", "x", "y", "group", "kind"], rows, title="2-D coordinates", single=True
    )


def _mark_built(report: Report, store: VectorStore) -> None:
    """Points whose words were built from fastText n-grams get ``"oov": true``, and a note."""
    built = set(store.built_words)
    if built:
        note_built(store)
        for point in report.records[0]["points"]:
            if point["word"] in built:
                point["oov"] = True


def write_coords(report: Report, path: Path) -> None:
    """Write a coordinates report as JSON (``.json``) or TSV, atomically."""
    from embtool.plotting import write_text_atomic

    text = io.StringIO()
    emit(report, Format.json if path.suffix.lower() == ".json" else Format.tsv, text)
    write_text_atomic(path, text.getvalue())


def note_fonts(choice: Any) -> None:
    if choice.missing:
        shown = "".join(choice.missing[:10]) + ("..." if len(choice.missing) > 10 else "")
        note(
            f"no available font has glyphs for {len(choice.missing)} character(s) ({shown}); "
            "they are drawn as boxes. Pass --font PATH (or set EMBTOOL_FONT) to a font with them"
        )


def finish(
    fig: Any,
    out: Path | None,
    dpi: int,
    report: Report,
    coords: Path | None,
    fmt: Format | None,
    what: str,
) -> None:
    """Write the image and the coordinates, say where, print the coordinates if asked."""
    from embtool.plotting import save_figure

    if fig is not None and out is not None:
        save_figure(fig, out, dpi=dpi)
        err.print(f"wrote {out} ({what})", markup=False)
    if coords is not None:
        write_coords(report, coords)
        err.print(f"wrote {coords} (coordinates)", markup=False)
    if fmt is not None:
        emit(report, fmt)


# -- embtool plot words --------------------------------------------------------------------------

WORDS_HELP = """Plot words in 2-D with PCA (default) or t-SNE, labelled, optionally grouped.

Words come from the arguments, stdin ('-' or a pipe), --words-file, --top N, --group, --neighbors
and --analogy (any mix). The image type follows the --out extension (.png, .svg, .pdf); the path
written is printed on stderr. --coords FILE or --format json gives the 2-D coordinates.

--analogy A B C D draws the parallelogram of A - B + C = D, read as in 'embtool analogy A B C':
arrows B->A and C->D, and the point A - B + C.

Example: [bold]embtool plot king queen man woman --analogy king man woman queen -o royal.png[/bold]

--aligned-with B draws each word twice, in these vectors (rotated into B's space, see 'embtool
align') and in B, with an arrow from one to the other:
[bold]embtool plot --vectors bible --aligned-with wiki lord spirit light -o moved.png[/bold]
"""


@plot_app.command(DEFAULT_COMMAND, cls=PlotWordsCommand, help=reflow(WORDS_HELP))
@vector_options
def plot_words_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help="Words to plot. '-' or a pipe reads them from stdin (whitespace-separated).",
            show_default=False,
        ),
    ] = None,
    out: OutOpt = None,
    words_file: WordsFileOpt = None,
    top: Annotated[
        int | None,
        typer.Option("--top", min=1, help="Plot the N most frequent words (the first N rows)."),
    ] = None,
    method: Annotated[
        ProjectionMethod,
        typer.Option(
            "--method",
            "-m",
            help="pca: principal components (axes show their share of variance); tsne: t-SNE "
            "(non-linear; distances between far clusters mean little).",
            case_sensitive=False,
        ),
    ] = ProjectionMethod.pca,
    fit_on: Annotated[
        str | None,
        typer.Option(
            "--fit-on",
            help="top:N - fit the projection on the N most frequent words and place the chosen "
            "words in it, so the axes mean the same from one picture to the next.",
        ),
    ] = None,
    perplexity: Annotated[
        float,
        typer.Option(
            "--perplexity",
            help="t-SNE perplexity; lowered (with a note) when there are too few words.",
        ),
    ] = projection.DEFAULT_PERPLEXITY,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (t-SNE, randomized PCA).")] = 0,
    group: Annotated[
        list[str] | None,
        typer.Option(
            "--group",
            "-g",
            help='A coloured group: NAME=word1,word2,... or a file: JSON {"name": \\[words]} '
            "or TSV word<TAB>group. Repeatable.",
        ),
    ] = None,
    neighbors: Annotated[
        list[str] | None,
        typer.Option(
            "--neighbors",
            "-n",
            help="Plot WORD with its K nearest neighbours (-k), as one coloured group. Repeatable.",
        ),
    ] = None,
    k: Annotated[
        int, typer.Option("-k", "--top-k", min=1, help="Neighbours per --neighbors word.")
    ] = 10,
    analogy: Annotated[
        list[str] | None,
        typer.Option(
            "--analogy",
            "-a",
            metavar="A B C D",
            help="Draw the parallelogram of A - B + C = D (e.g. king man woman queen): arrows "
            "B->A and C->D, and the point A - B + C. Repeatable.",
        ),
    ] = None,
    normalize: Annotated[
        bool,
        typer.Option("--normalize", help="Unit-normalise the vectors before projecting them."),
    ] = False,
    dpi: DpiOpt = 150,
    size: SizeOpt = "8x6",
    title: TitleOpt = None,
    font: FontOpt = None,
    max_labels: MaxLabelsOpt = 200,
    coords: CoordsOpt = None,
    skip_unknown: PlotSkipUnknownOpt = False,
    exact_case: ExactCaseOpt = False,
    aligned_with: Annotated[
        str | None,
        typer.Option(
            "--aligned-with",
            metavar="B",
            help="Draw each word in these vectors and in store B with an arrow between (the "
            "vectors rotated into B's space first, unless aligned to B already).",
            show_default=False,
        ),
    ] = None,
    fmt: PlotFormatOpt = None,
    *,
    source: VectorSource,
) -> None:
    size_in = parse_size(size)
    quads = parse_analogies(list(analogy or []))
    groups = read_groups(list(group or []))
    fit_n = projection.parse_fit_on(fit_on) if fit_on is not None else None
    check_outputs(out, coords, fmt, size_in, dpi)
    other_sources = bool(words_file or top or groups or neighbors or quads)
    given = list(words or [])
    if given == ["-"] or (not given and not other_sources and wants_stdin(given)):
        given = words_in(read_stdin())
        if not given:
            raise UsageError("no words to plot on stdin")
    if words_file is not None:
        given += read_words_file(words_file)

    store = source.open(given)
    if top:
        given += store.words[:top]
    if aligned_with is not None:
        fig, report = shift_plot(
            store, aligned_with, given, plot=out is not None, title=title, size=size_in, dpi=dpi,
            font=font,
        )  # fmt: skip
        finish(fig, out, dpi, report, coords, fmt, f"{len(given)} words in two spaces")
        return
    if fit_n is not None and len(given) == 1 and not other_sources:
        # one dot on fitted axes shows nothing: what the user wants is the word in its context
        note(
            f"plotting {given[0]!r} with its {k} nearest neighbours (as --neighbors; -k sets how many)"
        )
        neighbors, given = given, []
    if neighbors:
        for word, members in projection.expand_neighbors(
            store, neighbors, k, fold_case=not exact_case
        ).items():
            groups.setdefault(word, []).extend(members)
    wm = projection.map_words(
        store,
        given,
        groups=groups,
        analogies=quads,
        method=method,
        fit_on=fit_n,
        perplexity=perplexity,
        seed=seed,
        normalize=normalize,
        fold_case=not exact_case,
        skip_unknown=skip_unknown,
    )
    note_folded(wm.folded)
    if wm.skipped:
        warn(
            f"left out {len(wm.skipped)} word(s) not in the vectors: "
            + ", ".join(repr(w) for w in wm.skipped[:20])
        )
    for text in wm.notes:
        note(text)
    if len(wm.words) > max_labels:
        note(f"labelling the first {max_labels} of {len(wm.words)} points (--max-labels)")

    fig = choice = None
    if out is not None:
        from embtool.plotting import plot_word_map, select_font

        texts = [*wm.words[:max_labels], *(q.label for q in wm.analogies)]
        texts += [g for g in wm.groups if g] + ([title] if title else [])
        choice = select_font(texts, font)
        note_fonts(choice)
        fig = plot_word_map(
            wm, title=title, size=size_in, dpi=dpi, font=choice, max_labels=max_labels
        )
    report = coords_report(wm, out, choice.families if choice else None)
    _mark_built(report, store)
    finish(fig, out, dpi, report, coords, fmt, f"{len(wm.words)} words, {METHOD_NAMES[method]}")


# -- embtool plot bias ---------------------------------------------------------------------------
def bias_report(bm: projection.BiasMap, output: Path | None, fonts: tuple[str, ...] | None
                ) -> Report:  # fmt: skip
    d = bm.direction
    if bm.y_direction is not None:
        y_axis: dict[str, Any] = {
            "kind": "direction",
            "pairs": [list(p) for p in bm.y_direction.pairs],
        }
    else:
        y_axis = {"kind": "pca", "explained_variance_ratio": bm.y_explained_variance_ratio}
    record = {
        "method": "bias",
        "direction": {
            "method": d.method,
            "pairs": [list(p) for p in d.pairs],
            "explained_variance_ratio": list(d.explained_variance_ratio),
        },
        "y_axis": y_axis,
        "output": str(output) if output is not None else None,
        "fonts": list(fonts) if fonts else None,
        "points": [{"word": w, **_xy(*xy)} for w, xy in zip(bm.words, bm.coords, strict=True)],
    }
    rows: list[list[Any]] = [
        [w, float(x), float(y)] for w, (x, y) in zip(bm.words, bm.coords, strict=True)
    ]
    return Report([record], ["word", "x", "y"], rows, title="Bias plot coordinates", single=True)


BIAS_HELP = """Plot words on a bias direction (x) against a second axis (y).

x is each word's cosine with the bias direction, which comes from definitional pairs (default:
Bolukbasi et al.'s 10 pairs, PCA) or a saved --direction FILE, exactly as in 'embtool bias'.
Positive x is the side of the first word of each pair (she). y is, by default, the first principal
component of what is left of the words' unit vectors once the direction is removed; --y-pair A:B
uses the cosine with the A - B direction instead.

Without words, the bundled professions are plotted (Bolukbasi et al.'s 320, or the Chinese list
for Chinese vectors); --top K keeps the K words at each end. With more words than --max-labels, the most biased ones get labels.

Example: [bold]embtool plot bias --top 15 -o professions.png[/bold]
"""


@plot_app.command("bias", help=reflow(BIAS_HELP))
@vector_options
def plot_bias_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help="Words to plot; '-' reads them from stdin. Default: the bundled professions.",
            show_default=False,
        ),
    ] = None,
    out: OutOpt = None,
    professions: Annotated[
        bool,
        typer.Option(
            "--professions",
            help="Plot the bundled professions (the default without words): the 320 of Bolukbasi et "
            "al. (2016), or the Chinese list for Chinese vectors.",
        ),
    ] = False,
    words_file: WordsFileOpt = None,
    top: Annotated[
        int | None,
        typer.Option(
            "-k",
            "--top-k",
            "--top",
            min=1,
            help="Keep only the K words at each end of the axis.",
        ),
    ] = None,
    pair: PairOpt = None,
    pairs_file: PairsFileOpt = None,
    method: MethodOpt = DirectionMethod.pca,
    direction: DirectionFileOpt = None,
    y_pair: Annotated[
        str | None,
        typer.Option(
            "--y-pair",
            help="Second axis: cosine with the A - B direction of this pair (e.g. rich:poor) "
            "instead of the PCA of the rest.",
        ),
    ] = None,
    dpi: DpiOpt = 150,
    size: SizeOpt = "8x6",
    title: TitleOpt = None,
    font: FontOpt = None,
    max_labels: MaxLabelsOpt = 200,
    coords: CoordsOpt = None,
    skip_unknown: PlotSkipUnknownOpt = False,
    exact_case: ExactCaseOpt = False,
    fmt: PlotFormatOpt = None,
    *,
    source: VectorSource,
) -> None:
    size_in = parse_size(size)
    second = split_pair(y_pair, "--y-pair") if y_pair is not None else None
    check_outputs(out, coords, fmt, size_in, dpi)
    given = list(words or [])
    if given == ["-"]:  # only on request: without words, the professions are plotted
        given = words_in(read_stdin())
        if not given:
            raise UsageError("no words to plot on stdin")
    if words_file is not None:
        given += read_words_file(words_file)
    use_professions = professions or not given
    store = source.open(given + [w for p in parse_pairs(pair, pairs_file) or [] for w in p])
    if use_professions:
        given += bias.professions(store_language(store))
    d = note_direction(
        bias.choose_direction(
            store, parse_pairs(pair, pairs_file), method, direction, fold_case=not exact_case
        )
    )
    y_dir = None
    if second is not None:
        y_dir = bias.bias_direction(store, [second], method="pair", fold_case=not exact_case)
    bm = projection.bias_map(store, given, d, y_direction=y_dir, fold_case=not exact_case,
                             skip_unknown=skip_unknown or use_professions)  # fmt: skip
    note_folded(bm.folded)
    if bm.missing:
        what = "professions and words" if use_professions else "words"
        warn(f"{len(bm.missing)} {what} not in the vectors, left out"
             + (f": {', '.join(repr(w) for w in bm.missing[:10])}" if len(bm.missing) <= 10 else ""))  # fmt: skip
    if top is not None and 2 * top < len(bm.words):
        order = np.argsort(-bm.coords[:, 0], kind="stable")
        keep = np.sort(np.concatenate([order[:top], order[-top:]]))
        bm = replace(bm, words=tuple(bm.words[i] for i in keep), coords=bm.coords[keep])
    if len(bm.words) > max_labels:
        note(f"labelling the {max_labels} of {len(bm.words)} words farthest from 0 (--max-labels)")

    fig = choice = None
    if out is not None:
        from embtool.plotting import bias_axes, plot_bias, select_font

        axes = bias_axes(d, y_dir, bm.y_explained_variance_ratio)
        texts = [*bm.words, *axes.texts] + ([title] if title else [])
        choice = select_font(texts, font)
        note_fonts(choice)
        fig = plot_bias(
            list(bm.words), bm.coords, xlabel=axes.xlabel, ylabel=axes.ylabel, title=title,
            size=size_in, dpi=dpi, font=choice, max_labels=max_labels,
            left_label=axes.left_label, right_label=axes.right_label,
        )  # fmt: skip
    report = bias_report(bm, out, choice.families if choice else None)
    finish(fig, out, dpi, report, coords, fmt, f"{len(bm.words)} words on the bias direction")
