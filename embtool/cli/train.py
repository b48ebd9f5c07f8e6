"""embtool train: turn text into a vector store (Word2Vec CBOW or skip-gram)."""

import shlex
import signal
import sys
import time
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from embtool import training
from embtool.cli.app import app
from embtool.cli.options import ForceOpt, FormatOpt
from embtool.cli.output import Format, Report, emit, err, note, warn
from embtool.corpus import Corpus, ProgressEvent, Tokenizer
from embtool.errors import OutputError
from embtool.resources import data_path
from embtool.training import Method, Word2VecConfig


class Dtype(str, Enum):
    float32 = "float32"
    float16 = "float16"


class Errors(str, Enum):
    strict = "strict"
    replace = "replace"
    ignore = "ignore"


def default_corpus() -> Path:
    """The small sample corpus shipped in data/corpora/."""
    return data_path("corpora")


class _Rate(ProgressColumn):
    """words/s while training, MB/s while reading (Rich's own estimate over recent updates)."""

    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text("", style="progress.data.speed")
        if task.fields.get("unit") == "bytes":
            return Text(f"{speed / 1e6:.1f} MB/s", style="progress.data.speed")
        return Text(f"{speed:,.0f} words/s", style="progress.data.speed")


class ProgressView:
    """Draws library progress events: a Rich bar on a terminal, else nothing (or lines, verbose)."""

    def __init__(self, *, verbose: bool = False) -> None:
        self.live = err.is_terminal
        self.verbose = verbose
        self.bar: Progress | None = None
        self.tasks: dict[str, Any] = {}
        self.started = time.perf_counter()

    def __enter__(self) -> "ProgressView":
        if self.live:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                _Rate(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=err,
                transient=False,
            )
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def __call__(self, event: ProgressEvent) -> None:
        if self.bar is not None:
            self._draw(event)
        elif self.verbose:
            self._log(event)

    def _draw(self, event: ProgressEvent) -> None:
        assert self.bar is not None
        desc = "reading corpus" if event.stage == "read" else f"epoch {event.epoch}/{event.epochs}"
        task = self.tasks.get(event.stage)
        if task is None:
            task = self.bar.add_task(desc, total=event.total, unit=event.unit)
            self.tasks[event.stage] = task
        self.bar.update(task, completed=event.done, total=event.total, description=desc)

    def _log(self, event: ProgressEvent) -> None:
        now = time.perf_counter() - self.started
        if event.stage == "read" and event.final:
            note(f"read {event.done / 1e6:,.1f} MB of text ({now:.1f} s)")
        elif event.stage == "train" and event.info.get("epoch_end"):
            note(f"epoch {event.epoch}/{event.epochs} done ({now:.1f} s)")


@contextmanager
def _terminate_as_interrupt():
    """SIGTERM behaves like Ctrl-C, so temporary files and partial output are cleaned up."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _command_line() -> str:
    args = sys.argv[1:]
    if args and args[0] == "train":
        return shlex.join(["embtool", *args])
    return ""


def _check_out(path: Path, force: bool, what: str) -> None:
    if path.exists() and not force:
        raise OutputError(f"{path} already exists (pass --force to replace it{what})")


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
            help="cbow: Word2Vec CBOW; skipgram: Word2Vec skip-gram.",
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
    tokenizer: Annotated[
        Tokenizer,
        typer.Option(
            "--tokenizer",
            "-t",
            case_sensitive=False,
            help="regex: Unicode words with inner apostrophes (Han characters one by one); "
            "whitespace: already-tokenized text, used as is; jieba: Chinese word segmentation "
            "(pip install 'embtool[chinese]'); char: one token per Han character, Latin/digit "
            "runs whole.",
        ),
    ] = Tokenizer.regex,
    lower: Annotated[
        bool | None,
        typer.Option(
            "--lower/--keep-case",
            help="Lower-case tokens. Default: lower-case, except with --tokenizer whitespace.",
            show_default=False,
        ),
    ] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of the corpus.")
    ] = "utf-8",
    errors: Annotated[
        Errors,
        typer.Option(
            "--errors",
            help="Undecodable bytes: strict (stop with an error naming the "
            "file and byte offset), replace (with U+FFFD) or ignore.",
        ),
    ] = Errors.strict,
    dim: Annotated[int, typer.Option("--dim", "-d", min=1, help="Vector dimensions.")] = 100,
    window: Annotated[
        int, typer.Option("--window", "-w", min=1, help="Context words on each side.")
    ] = 5,
    min_count: Annotated[
        int, typer.Option("--min-count", min=1, help="Ignore words rarer than this.")
    ] = 5,
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
        int, typer.Option("--epochs", "-e", min=1, help="Passes over the corpus.")
    ] = 5,
    negative: Annotated[
        int,
        typer.Option("--negative", min=0, help="Negative samples per word (0 = off; then --hs)."),
    ] = 5,
    hs: Annotated[bool, typer.Option("--hs", help="Use hierarchical softmax.")] = False,
    ns_exponent: Annotated[
        float,
        typer.Option("--ns-exponent", help="Exponent shaping the negative-sampling distribution."),
    ] = 0.75,
    sample: Annotated[
        float,
        typer.Option(
            "--sample", min=0.0, help="Down-sample words more frequent than this share (0 = off)."
        ),
    ] = 1e-3,
    alpha: Annotated[
        float | None,
        typer.Option(
            "--alpha", help="Word2Vec: initial learning rate [default: 0.025].", show_default=False
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

    The text is tokenized once into a temporary file that gensim's fast corpus_file mode reads
    (an already-tokenized plain file with --tokenizer whitespace is read in place); the temporary
    file is removed on success, failure and Ctrl-C, and the store is written only when training
    has finished. Prints a summary of what was trained; a progress bar goes to stderr.
    """
    paths = corpus or []
    if not paths:
        paths = [str(default_corpus())]
        note(f"no corpus given: training on the shipped sample corpus {paths[0]}")
    out = out or Path("vectors") / method.value
    _check_out(out, force, "")
    if save_model is not None and resume is None:
        _check_out(save_model, force, " with --save-model")
    if deterministic and workers not in (None, 1):
        warn("--deterministic trains with one worker; ignoring --workers")
    if resume is not None:
        note("resuming: dimensions, window and objective come from the saved model")

    extra = {k: v for k, v in (("alpha", alpha), ("min_alpha", min_alpha)) if v is not None}
    config = Word2VecConfig(
        method,
        dim=dim,
        window=window,
        min_count=min_count,
        max_vocab=max_vocab,
        epochs=epochs,
        seed=seed,
        workers=1 if deterministic else (workers or training.default_workers()),
        deterministic=deterministic,
        negative=negative,
        hs=hs,
        ns_exponent=ns_exponent,
        sample=sample,
        **extra,
    )
    text = Corpus(paths, tokenizer=tokenizer, lower=lower, encoding=encoding, errors=errors.value)
    if text.skipped:
        note(f"skipped {len(text.skipped)} non-text file(s), e.g. {text.skipped[0]}")
    options: dict[str, Any] = {}
    if save_model is not None:
        options["save_model"] = save_model
    if resume is not None:
        options["resume"] = resume
    with _terminate_as_interrupt(), ProgressView(verbose=verbose) as view:
        store = training.train(config, text, view, tmp_dir=tmp_dir, **options)
    command = _command_line()
    if command:
        store.meta["training"]["command"] = command
    store.save(out, dtype=dtype.value, overwrite=force)
    t = store.meta["training"]
    rate = t.get("words_per_second")
    note(
        f"trained {len(store):,} words x {store.dim} dims on {t['corpus_tokens']:,} tokens in "
        f"{t['wall_seconds']:.1f} s" + (f" ({rate:,.0f} words/s)" if rate else "") + f" -> {out}"
    )
    emit(train_report(store, out), fmt)
