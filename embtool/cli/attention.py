"""embtool attention: self-attention weights over a sentence's word vectors, and the bag-of-words
next-word guess that comes before it."""

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from embtool import attention as att
from embtool import similarity
from embtool.cli.app import app
from embtool.cli.options import FormatOpt, SentenceTokenizerOpt, TopK, sentence_tokenizer
from embtool.cli.output import Format, Report, emit
from embtool.cli.vectors import VectorSource, vector_options
from embtool.corpus import Tokenizer, make_tokenizer
from embtool.errors import UsageError
from embtool.language import store_language
from embtool.vectors.store import VectorStore

attention_app = typer.Typer(
    help="Self-attention over word vectors: weights (rows sum to 1), contextual neighbours, "
    'heatmaps.\n\nExample: [bold]embtool attention weights "apple iphone screen" -k 3[/bold]',
    no_args_is_help=True,
)
app.add_typer(attention_app, name="attention")

SentenceArg = Annotated[str, typer.Argument(help="The sentence (tokenised with --tokenizer).")]


def _rows(
    store: VectorStore, text: str, tokenizer: Tokenizer | None
) -> tuple[list[str], np.ndarray]:
    chosen = sentence_tokenizer(tokenizer, store_language(store))
    tokens = make_tokenizer(chosen)(text)
    if not tokens:
        raise UsageError("the sentence is empty")
    res = store.resolve(tokens)
    return [r.word for r in res], np.array([r.row for r in res], dtype=np.int64)


@attention_app.command("weights")
@vector_options
def weights_command(
    sentence: SentenceArg,
    score: Annotated[
        att.Score, typer.Option("--score", help="cos: softmax of cosines; dot: scaled dot-product.")
    ] = att.Score.cos,
    projection: Annotated[
        att.Projection,
        typer.Option(
            "--projection", help="dot: W_Q, W_K, W_V identity or seeded random orthogonal."
        ),
    ] = att.Projection.identity,
    temperature: Annotated[float, typer.Option("--temperature", help="Divide scores by T.")] = 1.0,
    positions: Annotated[
        str, typer.Option("--positions", help="none or sinusoidal (added to each vector).")
    ] = "none",
    heads: Annotated[
        int, typer.Option("--heads", help="dot: split the dimensions into H heads.")
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random projections.")] = 0,
    k: Annotated[
        int, typer.Option("-k", "--top-k", min=0, help="Nearest words of each contextual vector.")
    ] = 0,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Heatmap .png/.svg/.pdf, one panel per head.")
    ] = None,
    tokenizer: SentenceTokenizerOpt = None,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Print the n x n attention weights of the sentence's words (row i: how word i attends).

    Example: [bold]embtool attention weights "dog bites man" --score dot --positions sinusoidal[/bold]
    """
    if positions not in ("none", "sinusoidal"):
        raise UsageError(f"--positions must be none or sinusoidal, got {positions!r}")
    if out is not None:
        from embtool.plotting import check_writable, image_format

        image_format(out)
        check_writable(out)
    store = source.open([sentence])
    words, rows = _rows(store, sentence, tokenizer)
    result = att.attend(
        words,
        store.rows(rows),
        score=score,
        projection=projection,
        temperature=temperature,
        positions=positions == "sinusoidal",
        heads=heads,
        seed=seed,
    )
    near: list[list[tuple[str, float]]] = [[] for _ in words]
    if k:
        q = result.outputs / np.linalg.norm(result.outputs, axis=1, keepdims=True)
        best_rows, best_scores = similarity.top_k(store, q, k, exclude=[[r] for r in rows])
        near = [
            [(store.words[r], float(s)) for r, s in zip(br, bs) if r >= 0]
            for br, bs in zip(best_rows, best_scores)
        ]
    records = [
        {
            "head": h,
            "word": w,
            "weights": {v: float(x) for v, x in zip(words, result.weights[h, i])},
            "neighbors": [{"word": a, "score": s} for a, s in near[i]] if h == 0 else [],
        }
        for h in range(len(result.weights))
        for i, w in enumerate(words)
    ]
    columns = ["head", "word", *words] + (["neighbors"] if k else [])
    table = [
        [h, w, *map(float, result.weights[h, i])] + ([" ".join(a for a, _ in near[i])] if k else [])
        for h in range(len(result.weights))
        for i, w in enumerate(words)
    ]
    if out is not None:
        _heatmap(result, out)
    emit(Report(records, columns, table, title=f"attention ({score.value})"), fmt)


def _heatmap(result: att.Attention, out: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from embtool.plotting import save_figure, select_font

    font = select_font(result.words)
    h = len(result.weights)
    n = len(result.words)
    side = max(3.0, 0.45 * n + 1.5)
    fig = Figure(figsize=(side * h, side), dpi=120)
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(1, h))
    for i, ax in enumerate(axes):
        im = ax.imshow(result.weights[i], vmin=0, vmax=1, cmap="viridis")
        im.set_gid(f"head-{i}")
        ax.set_xticks(range(n), result.words, rotation=90, fontfamily=list(font.families))
        ax.set_yticks(range(n), result.words, fontfamily=list(font.families))
        ax.set_title(f"head {i + 1}" if h > 1 else "attention")
    fig.tight_layout()
    save_figure(fig, out)


@attention_app.command("predict")
@vector_options
def predict_command(
    sentence: SentenceArg,
    k: TopK = 5,
    tokenizer: SentenceTokenizerOpt = None,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Bag-of-words next-word guess: the words nearest the mean of the prefix's unit vectors.

    Example: [bold]embtool attention predict "the united"[/bold]
    """
    store = source.open([sentence])
    words, rows = _rows(store, sentence, tokenizer)
    mean = store.unit(rows).mean(axis=0)
    mean /= np.linalg.norm(mean) or 1.0
    best_rows, best_scores = similarity.top_k(store, mean[None], k, exclude=[list(rows)])
    nb = [(store.words[r], float(s)) for r, s in zip(best_rows[0], best_scores[0]) if r >= 0]
    records = [{"prefix": words, "next": [{"word": w, "score": s} for w, s in nb]}]
    emit(
        Report(
            records,
            ["rank", "word", "score"],
            [[i, w, s] for i, (w, s) in enumerate(nb, 1)],
            title="next word (mean of prefix)",
            single=True,
        ),
        fmt,
    )
