"""embtool train: turn text into a vector store (Word2Vec CBOW or skip-gram, GloVe, fastText)."""

import dataclasses
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
from embtool.training import (
    Architecture,
    FastTextConfig,
    GloveConfig,
    Method,
    OutputVectors,
    Word2VecConfig,
)
from embtool.vectors import save_vectors


def _default(name: str, cls: type = Word2VecConfig) -> Any:
    """The library's default of a config field, so help texts never repeat a number."""
    field = {f.name: f for f in dataclasses.fields(cls)}[name]
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    value = field.default
    return value.value if hasattr(value, "value") else value


def _num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


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
            "counts, then weighted least squares with AdaGrad, in NumPy); fasttext: fastText "
            "(skip-gram or CBOW with character n-gram subwords, so unseen words get vectors; "
            "architecture by --fasttext-arch).",
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
    dim: Annotated[
        int | None,
        typer.Option(
            "--dim",
            "-d",
            min=1,
            help=f"Vector dimensions [default: {_default('dim')}].",
            show_default=False,
        ),
    ] = None,
    window: Annotated[
        int | None,
        typer.Option(
            "--window",
            "-w",
            min=1,
            help=f"Context words on each side [default: {_default('window')}; "
            f"glove: {_default('window', GloveConfig)}].",
            show_default=False,
        ),
    ] = None,
    min_count: Annotated[
        int | None,
        typer.Option(
            "--min-count",
            # no min=: the config checks the range, in the one-line wording of every setting
            help=f"Ignore words rarer than this (at least 1) [default: {_default('min_count')}].",
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
            f"[default: {_default('epochs')}; glove: {_default('epochs', GloveConfig)}].",
            show_default=False,
        ),
    ] = None,
    negative: Annotated[
        int | None,
        typer.Option(
            "--negative",
            min=0,
            show_default=False,
            help="Word2Vec: negative samples per word (0 = off; then --hs) "
            f"[default: {_default('negative')}].",
        ),
    ] = None,
    hs: Annotated[bool, typer.Option("--hs", help="Word2Vec: hierarchical softmax.")] = False,
    ns_exponent: Annotated[
        float | None,
        typer.Option(
            "--ns-exponent",
            show_default=False,
            help="Word2Vec: exponent shaping the negative-sampling distribution "
            f"[default: {_default('ns_exponent')}].",
        ),
    ] = None,
    sample: Annotated[
        float | None,
        typer.Option(
            "--sample",
            min=0.0,
            show_default=False,
            help="Word2Vec: down-sample words more frequent than this share of the corpus "
            f"(0 = off) [default: {_default('sample')}].",
        ),
    ] = None,
    alpha: Annotated[
        float | None,
        typer.Option(
            "--alpha",
            help=f"Word2Vec: initial learning rate [default: {_default('alpha')}]. GloVe: "
            "exponent of the weighting f(x) = min(1, (x/x_max)^alpha) "
            f"[default: {_default('alpha', GloveConfig)}].",
            show_default=False,
        ),
    ] = None,
    min_alpha: Annotated[
        float | None,
        typer.Option(
            "--min-alpha",
            help=f"Word2Vec: final learning rate [default: {_default('min_alpha')}].",
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
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", min=0, help=f"Random seed [default: {_default('seed')}].", show_default=False
        ),
    ] = None,
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
        float | None,
        typer.Option(
            "--x-max",
            min=0.0,
            help="GloVe: counts above this get full weight "
            f"[default: {_default('x_max', GloveConfig)}].",
            show_default=False,
            rich_help_panel="GloVe",
        ),
    ] = None,
    learning_rate: Annotated[
        float | None,
        typer.Option(
            "--learning-rate",
            help="GloVe: AdaGrad's initial learning rate "
            f"[default: {_default('learning_rate', GloveConfig)}].",
            show_default=False,
            rich_help_panel="GloVe",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            help="GloVe: co-occurrence nonzeros per AdaGrad update (summed per word) "
            f"[default: {_default('batch_size', GloveConfig)}].",
            show_default=False,
            rich_help_panel="GloVe",
        ),
    ] = None,
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
        OutputVectors | None,
        typer.Option(
            "--output-vectors",
            help="GloVe: w+c (word + context vectors, as the paper recommends), w (word vectors), "
            f"or concat ([w, c], 2 x --dim) [default: {_default('output_vectors', GloveConfig)}].",
            show_default=False,
            rich_help_panel="GloVe",
        ),
    ] = None,
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
        float | None,
        typer.Option(
            "--memory",
            help="GloVe: memory budget for counting, in GB (partial counts spill to --tmp-dir) "
            f"[default: {_default('memory_gb', GloveConfig)}].",
            show_default=False,
            rich_help_panel="GloVe",
        ),
    ] = None,
    min_n: Annotated[
        int | None,
        typer.Option(
            "--min-n",
            help="fastText: shortest character n-gram "
            f"[default: {_default('min_n', FastTextConfig)}].",
            show_default=False,
            rich_help_panel="fastText",
        ),
    ] = None,
    max_n: Annotated[
        int | None,
        typer.Option(
            "--max-n",
            help="fastText: longest character n-gram "
            f"[default: {_default('max_n', FastTextConfig)}].",
            show_default=False,
            rich_help_panel="fastText",
        ),
    ] = None,
    bucket: Annotated[
        int | None,
        typer.Option(
            "--bucket",
            help="fastText: hash buckets for n-grams; the n-gram matrix takes bucket x dim x 4 "
            "bytes, and about twice that while training "
            f"[default: {_num(_default('bucket', FastTextConfig))}].",
            show_default=False,
            rich_help_panel="fastText",
        ),
    ] = None,
    fasttext_arch: Annotated[
        Architecture | None,
        typer.Option(
            "--fasttext-arch",
            help="fastText: skipgram (predict the context from each word, as Facebook's fasttext "
            "skipgram and the paper) or cbow "
            f"[default: {_default('architecture', FastTextConfig)}].",
            show_default=False,
            case_sensitive=False,
            rich_help_panel="fastText",
        ),
    ] = None,
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

    fastText: [bold]embtool train corpus.txt --method fasttext --min-n 3 --max-n 6[/bold]
    trains skip-gram (--fasttext-arch cbow for CBOW) with character n-gram subwords; the store
    keeps the n-gram matrix, so queries on words never seen get vectors. The memory the n-gram
    matrix takes is printed first, and training is refused when it will not fit.

    The text is tokenized once into a temporary file that gensim's fast corpus_file mode reads
    (an already-tokenized plain file with --tokenizer whitespace is read in place); the temporary
    file is removed on success, failure and Ctrl-C, and the store is written only when training
    has finished. Prints a summary of what was trained; a progress bar goes to stderr.
    """
    paths = corpus or []
    glove = method is Method.glove
    fasttext = method is Method.fasttext
    reuse = glove and cooccurrence is not None and cooccurrence.exists()
    if not glove and (cooccurrence is not None or asymmetric):
        raise UsageError("--cooccurrence and --asymmetric are GloVe options (--method glove)")
    if method not in (Method.cbow, Method.skipgram) and (
        save_model is not None or resume is not None
    ):
        raise UsageError(
            f"--save-model and --resume are Word2Vec options, not for --method {method.value}"
        )
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
    if deterministic and workers not in (None, 1):
        warn("--deterministic trains with one worker; ignoring --workers")
    # Options left at None take the saved count's settings (GloVe reuse), else the method's
    # own defaults (the config dataclass's); options of another method are refused there.
    saved = training.cooccurrence_settings(cooccurrence) if reuse and cooccurrence else None
    config = training.make_config(
        method,
        saved=saved,
        dim=dim,
        window=window,
        min_count=min_count,
        max_vocab=max_vocab,
        epochs=epochs,
        seed=seed,
        workers=1 if deterministic else (workers or training.default_workers()),
        deterministic=deterministic,
        negative=negative,
        hs=hs or None,
        ns_exponent=ns_exponent,
        sample=sample,
        alpha=alpha,
        min_alpha=min_alpha,
        x_max=x_max,
        learning_rate=learning_rate,
        batch_size=batch_size,
        grad_clip=grad_clip,
        output_vectors=output_vectors,
        symmetric=False if asymmetric else None,
        memory_gb=memory,
        min_n=min_n,
        max_n=max_n,
        bucket=bucket,
        architecture=fasttext_arch,
    )
    _check_out(out, force, "")
    if save_model is not None and resume is None:
        _check_out(save_model, force, "with --save-model")
    if resume is not None:
        if not resume.is_file():  # fail before reading a large corpus
            raise TrainingError(f"{resume}: no such model file (--resume)")
        note("resuming: dimensions, window and objective come from the saved model")
    if fasttext:
        assert isinstance(config, FastTextConfig)
        _fasttext_memory(config)
    text = (
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
    if reuse:
        assert isinstance(config, GloveConfig) and cooccurrence is not None
        # the corpus, if given, is only checked against what the count was made from, not read
        training.check_cooccurrence(config, cooccurrence, corpus=text)
        note(f"reusing the co-occurrence counts in {cooccurrence}")
        with ProgressView(verbose=verbose) as view:
            store = training.train_from_cooccurrence(config, cooccurrence, view, corpus=text)
        _finish(store, out, dtype, force, fmt)
        return
    assert text is not None
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


def _fasttext_memory(config: FastTextConfig) -> None:
    """Say what the n-gram matrix will take, and refuse before reading the corpus when even that
    cannot fit (the trainer checks again once the vocabulary is known)."""
    from embtool.training.fasttext import (
        available_memory,
        check_memory,
        format_bytes,
        memory_estimate,
    )

    estimate = memory_estimate(config, 0, available_memory())
    note(
        f"fastText n-gram matrix: {config.bucket:,} buckets x {config.dim} dims x 4 bytes = "
        f"{format_bytes(estimate.ngrams)}; training needs about {format_bytes(estimate.total)} "
        "plus the word vectors (measured), at most "
        f"{format_bytes(estimate.upper)} (twice the matrix, gensim#1824)"
    )
    check_memory(estimate)


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
