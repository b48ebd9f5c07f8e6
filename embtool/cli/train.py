"""embtool train: turn text into a vector store (Word2Vec CBOW or skip-gram, or GloVe)."""

import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from embtool import training
from embtool.atomic import check_destination
from embtool.cli.app import app
from embtool.cli.options import (
    CorpusConvertOpt,
    CorpusEncodingOpt,
    CorpusErrorsOpt,
    Dtype,
    Errors,
    ForceOpt,
    FormatOpt,
    LowerOpt,
    TokenizerOpt,
    default_corpus,
)
from embtool.cli.output import Format, Report, emit, note, warn
from embtool.cli.progress import ProgressView
from embtool.corpus import Corpus, Tokenizer, mostly_single_characters
from embtool.errors import OutputExistsError, TrainingError, UsageError
from embtool.training import GloveConfig, Method, OutputVectors, TrainConfig
from embtool.vectors import save_vectors


def _command_line() -> str:
    args = sys.argv[1:]
    if args and args[0] == "train":
        return shlex.join(["embtool", *args])
    return ""


def _check_out(path: Path, force: bool, what: str) -> None:
    """Before any training: OUT must be new (or --force) and its directory writable."""
    if path.exists() and not force:
        raise OutputExistsError(path, what or None)
    check_destination(path, overwrite=True)


def train_report(store: Any, out: Path) -> Report:
    t = store.meta["training"]
    record = {
        "out": str(out),
        "method": t["method"],
        "vocabulary_size": len(store),
        "dim": store.dim,
        "corpus_tokens": t["corpus_tokens"],
        "epochs": t["hyperparameters"]["epochs"],
        "train_seconds": t.get("train_seconds"),
        "wall_seconds": t["wall_seconds"],
        "words_per_second": t.get("words_per_second"),
    }
    return Report([record], list(record), [list(record.values())], title="trained", single=True)


@app.command("train")
def train_command(
    corpus: Annotated[
        list[str] | None,
        typer.Argument(
            help="Text files, directories (searched recursively for text files) or '-' for stdin; "
            ".gz/.bz2/.xz are read transparently. One sentence, paragraph or document per line. "
            "Default: the small sample corpus shipped with embtool.",
            show_default=False,
        ),
    ] = None,
    method: Annotated[
        Method,
        typer.Option(
            "--method",
            "-m",
            help="cbow: Word2Vec CBOW; skipgram: Word2Vec skip-gram; glove: GloVe (co-occurrence "
            "counts, then weighted least squares with AdaGrad, in NumPy).",
            case_sensitive=False,
        ),
    ] = Method.cbow,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Store directory to write. Default: ./vectors/METHOD.",
            show_default=False,
        ),
    ] = None,
    force: ForceOpt = False,
    tokenizer: TokenizerOpt = Tokenizer.regex,
    lower: LowerOpt = None,
    encoding: CorpusEncodingOpt = "utf-8",
    errors: CorpusErrorsOpt = Errors.strict,
    convert: CorpusConvertOpt = None,
    dim: Annotated[int, typer.Option("--dim", "-d", min=1, help="Vector dimensions.")] = 100,
    window: Annotated[
        int | None,
        typer.Option(
            "--window",
            "-w",
            min=1,
            help="Context words on each side [default: 5; glove: 10].",
            show_default=False,
        ),
    ] = None,
    min_count: Annotated[
        int | None,
        typer.Option(
            "--min-count",
            # no min=: the config checks the range, in the one-line wording of every setting
            help="Ignore words rarer than this (at least 1) [default: 5].",
            show_default=False,
        ),
    ] = None,
    max_vocab: Annotated[
        int | None,
        typer.Option(
            "--max-vocab",
            min=1,
            help="Keep at most this many of the most frequent words.",
            show_default=False,
        ),
    ] = None,
    epochs: Annotated[
        int | None,
        typer.Option(
            "--epochs",
            "-e",
            min=1,
            help="Passes over the corpus (glove: over the co-occurrence nonzeros) "
            "[default: 5; glove: 25].",
            show_default=False,
        ),
    ] = None,
    negative: Annotated[
        int | None,
        typer.Option(
            "--negative",
            min=0,
            show_default=False,
            help="Word2Vec: negative samples per word (0 = off; then --hs) [default: 5].",
        ),
    ] = None,
    hs: Annotated[bool, typer.Option("--hs", help="Word2Vec: hierarchical softmax.")] = False,
    ns_exponent: Annotated[
        float | None,
        typer.Option(
            "--ns-exponent",
            show_default=False,
            help="Word2Vec: exponent shaping the negative-sampling distribution [default: 0.75].",
        ),
    ] = None,
    sample: Annotated[
        float | None,
        typer.Option(
            "--sample",
            min=0.0,
            show_default=False,
            help="Word2Vec: down-sample words more frequent than this share of the corpus "
            "(0 = off) [default: 0.001].",
        ),
    ] = None,
    alpha: Annotated[
        float | None,
        typer.Option(
            "--alpha",
            help="Word2Vec: initial learning rate [default: 0.025]. GloVe: exponent of the "
            "weighting f(x) = min(1, (x/x_max)^alpha) [default: 0.75].",
            show_default=False,
        ),
    ] = None,
    min_alpha: Annotated[
        float | None,
        typer.Option(
            "--min-alpha",
            help="Word2Vec: final learning rate [default: 0.0001].",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-j",
            min=1,
            help="Worker threads. Default: all CPU cores.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 1,
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic",
            help="One worker thread, so two runs give byte-identical vectors (slower).",
        ),
    ] = False,
    save_model: Annotated[
        Path | None,
        typer.Option(
            "--save-model",
            help="Also keep gensim's full model here (a pickle), so "
            "training can continue with --resume.",
            show_default=False,
        ),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(
            "--resume",
            help="Continue training a model saved with --save-model (its "
            "dimensions and objective are kept; loading unpickles it, so only resume "
            "models you made).",
            show_default=False,
        ),
    ] = None,
    x_max: Annotated[
        float,
        typer.Option(
            "--x-max",
            min=0.0,
            help="GloVe: counts above this get full weight.",
            rich_help_panel="GloVe",
        ),
    ] = 100.0,
    learning_rate: Annotated[
        float,
        typer.Option(
            "--learning-rate",
            help="GloVe: AdaGrad's initial learning rate.",
            rich_help_panel="GloVe",
        ),
    ] = 0.05,
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size",
            min=1,
            help="GloVe: co-occurrence nonzeros per AdaGrad update (summed per word).",
            rich_help_panel="GloVe",
        ),
    ] = 16384,
    grad_clip: Annotated[
        float | None,
        typer.Option(
            "--grad-clip",
            help="GloVe: clip each element of a batch's gradient to +-this (default: off).",
            show_default=False,
            rich_help_panel="GloVe",
        ),
    ] = None,
    output_vectors: Annotated[
        OutputVectors,
        typer.Option(
            "--output-vectors",
            help="GloVe: w+c (word + context vectors, as the paper recommends), w (word vectors), "
            "or concat ([w, c], 2 x --dim).",
            rich_help_panel="GloVe",
        ),
    ] = OutputVectors.w_plus_c,
    asymmetric: Annotated[
        bool,
        typer.Option(
            "--asymmetric",
            help="GloVe: count left context only (default: both sides).",
            rich_help_panel="GloVe",
        ),
    ] = False,
    cooccurrence: Annotated[
        Path | None,
        typer.Option(
            "--cooccurrence",
            help="GloVe: a co-occurrence file (embtool cooccur) to reuse when it exists (then no "
            "corpus is needed), else where to save the count, so a sweep over dims or epochs "
            "counts once.",
            show_default=False,
            rich_help_panel="GloVe",
        ),
    ] = None,
    memory: Annotated[
        float,
        typer.Option(
            "--memory",
            help="GloVe: memory budget for counting, in GB (partial counts spill to --tmp-dir).",
            rich_help_panel="GloVe",
        ),
    ] = 4.0,
    dtype: Annotated[Dtype, typer.Option("--dtype", help="Stored vector type.")] = Dtype.float32,
    tmp_dir: Annotated[
        Path | None,
        typer.Option(
            "--tmp-dir",
            help="Where the tokenized copy of the corpus goes while "
            "training. Default: the system temporary directory.",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Report progress on stderr even when it is not a terminal."
        ),
    ] = False,
    fmt: FormatOpt = Format.auto,
) -> None:
    """Train word vectors on text and write them as an embtool store.

    Example: [bold]embtool train corpus.txt --method skipgram --dim 100 --out vectors/sg[/bold]

    GloVe: [bold]embtool train corpus.txt --method glove --dim 50 --cooccurrence cooc.npz[/bold]
    counts co-occurrences (or reuses cooc.npz), then trains; the cost of each epoch is shown and
    recorded in meta.json.

    The text is tokenized once into a temporary file that gensim's fast corpus_file mode reads
    (an already-tokenized plain file with --tokenizer whitespace is read in place); the temporary
    file is removed on success, failure and Ctrl-C, and the store is written only when training
    has finished. Prints a summary of what was trained; a progress bar goes to stderr.
    """
    paths = corpus or []
    glove = method is Method.glove
    reuse = glove and cooccurrence is not None and cooccurrence.exists()
    if not glove and (cooccurrence is not None or asymmetric):
        raise UsageError("--cooccurrence and --asymmetric are GloVe options (--method glove)")
    if glove and (save_model is not None or resume is not None):
        raise UsageError("--save-model and --resume are Word2Vec options, not for --method glove")
    w2v_only = {
        "--negative": negative,
        "--hs": hs or None,
        "--ns-exponent": ns_exponent,
        "--sample": sample,
        "--min-alpha": min_alpha,
    }
    if glove and any(v is not None for v in w2v_only.values()):
        names = ", ".join(k for k, v in w2v_only.items() if v is not None)
        raise UsageError(f"{names} does not apply to --method glove (Word2Vec options)")
    if not paths and not reuse:
        paths = [str(default_corpus())]
        note(f"no corpus given: training on the shipped sample corpus {paths[0]}")
    out = out or Path("vectors") / method.value
    _check_out(out, force, "")
    if save_model is not None and resume is None:
        _check_out(save_model, force, "with --save-model")
    if deterministic and workers not in (None, 1):
        warn("--deterministic trains with one worker; ignoring --workers")
    if resume is not None:
        if not resume.is_file():  # fail before reading a large corpus
            raise TrainingError(f"{resume}: no such model file (--resume)")
        note("resuming: dimensions, window and objective come from the saved model")

    n_workers = 1 if deterministic else (workers or training.default_workers())
    config: TrainConfig
    if glove:
        saved = _saved_counts(cooccurrence) if reuse and cooccurrence is not None else {}
        config = GloveConfig(
            dim=dim,
            window=window or saved.get("window") or 10,
            min_count=min_count or saved.get("min_count") or 5,
            max_vocab=max_vocab if max_vocab is not None else saved.get("max_vocab"),
            epochs=epochs or 25,
            seed=seed,
            workers=n_workers,
            deterministic=deterministic,
            x_max=x_max,
            alpha=0.75 if alpha is None else alpha,
            learning_rate=learning_rate,
            batch_size=batch_size,
            grad_clip=grad_clip,
            output_vectors=output_vectors,
            symmetric=saved.get("symmetric", True) and not asymmetric,
            memory_gb=memory,
        )
    else:
        # Options left at None take the method's own default (the config dataclass's).
        config = training.make_config(
            method,
            dim=dim,
            window=window,
            min_count=min_count,
            max_vocab=max_vocab,
            epochs=epochs,
            seed=seed,
            workers=n_workers,
            deterministic=deterministic,
            negative=negative,
            hs=hs or None,
            ns_exponent=ns_exponent,
            sample=sample,
            alpha=alpha,
            min_alpha=min_alpha,
        )
    if reuse:
        assert isinstance(config, GloveConfig) and cooccurrence is not None
        # the corpus, if given, is only checked against what the count was made from, not read
        given = (
            Corpus(
                paths,
                tokenizer=tokenizer,
                lower=lower,
                encoding=encoding,
                errors=errors.value,
                convert=convert.value if convert else None,
            )
            if paths
            else None
        )
        from embtool.training.glove import check_saved_counts, corpus_source

        source = corpus_source(given.describe()) if given is not None else None
        check_saved_counts(config, cooccurrence, source)
        note(f"reusing the co-occurrence counts in {cooccurrence}")
        with ProgressView(verbose=verbose) as view:
            store = training.train_from_cooccurrence(config, cooccurrence, view, corpus=given)
        _finish(store, out, dtype, force, fmt)
        return
    text = Corpus(
        paths,
        tokenizer=tokenizer,
        lower=lower,
        encoding=encoding,
        errors=errors.value,
        convert=convert.value if convert else None,
    )
    if text.skipped:
        note(f"skipped {len(text.skipped)} non-text file(s), e.g. {text.skipped[0]}")
    options: dict[str, Any] = {}
    if save_model is not None:
        options["save_model"] = save_model
    if resume is not None:
        options["resume"] = resume
    if cooccurrence is not None:
        options["cooccurrence"] = cooccurrence
    with ProgressView(verbose=verbose) as view:
        store = training.train(config, text, view, tmp_dir=tmp_dir, **options)
    _finish(store, out, dtype, force, fmt)


def _saved_counts(path: Path) -> dict[str, Any]:
    """The settings a saved co-occurrence file was counted with (defaults for unset options)."""
    from embtool.training.cooccurrence import read_cooccurrence_meta

    return read_cooccurrence_meta(path)


def training_summary(t: dict[str, Any], words: int, dim: int, out: Path) -> str:
    """One line for stderr; each time names its clock (wall = whole run, training = the passes)."""
    what = "words" if t["method"] != "glove" else "words (GloVe)"
    clocks = f"{t['wall_seconds']:.1f} s wall"
    train_s, rate = t.get("train_seconds"), t.get("words_per_second")
    if train_s is not None:
        clocks += f", {train_s:.1f} s training" + (f" at {rate:,.0f} words/s" if rate else "")
    return f"trained {words:,} {what} x {dim} dims on {t['corpus_tokens']:,} tokens in {clocks} -> {out}"


def _finish(store: Any, out: Path, dtype: Dtype, force: bool, fmt: Format) -> None:
    command = _command_line()
    if command:
        store.meta["training"]["command"] = command
    save_vectors(store, out, dtype=dtype.value, overwrite=force)
    t = store.meta["training"]
    note(training_summary(t, len(store), store.dim, out))
    if t.get("corpus", {}).get("tokenizer") == "regex" and mostly_single_characters(store.words):
        note(
            "most words are single Chinese characters: for words, segment the text with "
            "--tokenizer jieba (pip install 'embtool[chinese]'), or pass --tokenizer char to "
            "make characters the explicit choice"
        )
    if t["method"] == "glove" and t.get("epoch_costs"):
        note(
            f"GloVe cost per nonzero: {t['epoch_costs'][0]:.6f} (epoch 1) -> "
            f"{t['epoch_costs'][-1]:.6f} (epoch {len(t['epoch_costs'])})"
        )
    emit(train_report(store, out), fmt)
