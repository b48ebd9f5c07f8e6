"""embtool shell: a REPL over vectors kept open, so each answer after the first load is instant.

Query lines are the query commands themselves (``neighbors 北京 -k 5``, ``sim cat dog``, ``odd
breakfast lunch dinner car``, ``sentence ...``, ``attention ...``), run in this process through the
same Typer app while :class:`~embtool.cli.vectors.StoreCache` keeps their stores open: answers,
JSON records, flags and error lines are the commands' own by construction, with no second copy
of any renderer. Word arithmetic (``king - man + woman``) is answered as ``embtool analogy`` when
it is an analogy, else by :func:`embtool.expressions.solve`.

Interactive on a terminal (readline: history in ``$EMBTOOL_HOME/shell_history``, Tab completes
vocabulary words); when stdin is not a terminal it reads one command a line, prints only results
on stdout, and exits with the status of the first line that failed (1 error, 2 usage), 0 if none.
"""

from __future__ import annotations

import cmd
import contextlib
import io
import shlex
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import typer

from embtool import expressions
from embtool.cli.app import app, register
from embtool.cli.errors import ExitStatus, report_error
from embtool.cli.output import Format, Report, emit, err, note
from embtool.cli.vectors import StoreCache, VectorSource, keep_stores_open, vector_options
from embtool.completion import PrefixIndex
from embtool.errors import EmbtoolError, UsageError
from embtool.resources import embtool_home
from embtool.vectors import ReadOptions
from embtool.vectors.names import DEFAULT_NAME, DEFAULT_ZH_NAME, resolve_vectors
from embtool.vectors.store import VectorStore

# shell word -> the embtool command it runs
COMMANDS = {
    "neighbors": "neighbors",
    "neighbours": "neighbors",
    "analogy": "analogy",
    "similarity": "similarity",
    "sim": "similarity",
    "odd-one-out": "odd-one-out",
    "odd": "odd-one-out",
    "sentence": "sentence",
    "attention": "attention",
}
META = (":vectors", ":format", ":help", ":quit")
QUIT = {":quit", ":q", ":exit", "quit", "exit"}
HELP = {":help", ":h", ":?", "help", "?"}
FORMATS = ("table", "tsv", "json", "jsonl", "auto")
HISTORY_FILE = "shell_history"
HISTORY_LENGTH = 1000

HELP_TEXT = """\
Queries (each answered from the vectors kept open):
  king - man + woman         word arithmetic; a - b + c is embtool analogy (query words excluded)
  国王 - 男人 + 女人          Chinese words use the shipped Chinese vectors unless :vectors is set
  king                       a lone word: its nearest neighbours
  neighbors 北京 -k 5         the K nearest words            (embtool neighbors)
  analogy king man woman     A - B + C                      (embtool analogy)
  sim cat dog                cosine similarity              (embtool similarity)
  odd breakfast lunch dinner car   the odd one out          (embtool odd-one-out)
  sentence similarity "dog bites man" "man bites dog"       (embtool sentence ...)
  attention weights "apple iphone screen" -k 3              (embtool attention ...)
Every command takes its usual options (-k, --method, ...); COMMAND -h shows them.
Shell commands:
  :vectors [NAME]            show, or switch to, vectors: default, default-zh, a downloaded set, a path
  :format [table|tsv|json|jsonl|auto]   output format of every answer (auto: table on a terminal)
  :help [COMMAND]            this text, or a command's help
  :quit                      leave (also Ctrl-D)
Tab completes commands and vocabulary words; history is kept in $EMBTOOL_HOME/shell_history."""


class _NoStdin(io.StringIO):
    """Stands in for stdin while a command runs, so no command can swallow the shell's input."""

    def isatty(self) -> bool:
        return True


def history_path() -> Path:
    """Where the shell keeps its history across sessions: ``$EMBTOOL_HOME/shell_history``."""
    return embtool_home() / HISTORY_FILE


def read_flags(options: ReadOptions) -> list[str]:
    """``options`` as the command-line flags every query command accepts."""
    flags: list[str] = []
    if options.format is not None:
        flags += ["--vectors-format", options.format.value]
    if options.limit is not None:
        flags += ["--limit", str(options.limit)]
    if options.encoding != "utf-8":
        flags += ["--encoding", options.encoding]
    if options.unicode_errors != "strict":
        flags += ["--unicode-errors", options.unicode_errors]
    if options.allow_pickle:
        flags.append("--allow-pickle")
    return flags


def arithmetic_report(result: expressions.ArithmeticResult) -> Report:
    expr = result.expression
    record = {
        "expression": str(expr),
        "positive": expr.positive,
        "negative": expr.negative,
        "words": list(result.words),
        "answers": [{"word": n.word, "score": n.score} for n in result.answers],
    }
    rows = [[str(expr), rank, n.word, n.score] for rank, n in enumerate(result.answers, 1)]
    return Report([record], ["expression", "rank", "word", "score"], rows, title=str(expr))


class Session:
    """The shell's state (vectors, output format, open stores) and how one line is answered."""

    def __init__(self, source: VectorSource, cache: StoreCache | None = None) -> None:
        self.vectors = source.vectors or None
        self.options = source.options
        self.fmt = Format.auto
        self.cache = cache or StoreCache()
        self.group: Any = typer.main.get_command(app)
        self._prefix: tuple[VectorStore, PrefixIndex] | None = None

    # -- stores -------------------------------------------------------------------------------

    def source(self) -> VectorSource:
        return VectorSource(self.vectors, self.options)

    def open(self, words: Sequence[str] | None = None) -> VectorStore:
        """The store a query of ``words`` uses (loaded once).  Raises: VectorFileError."""
        return self.source().open(words)

    # -- one line -----------------------------------------------------------------------------

    def run(self, line: str) -> int | None:
        """Answer one line; its exit status (0 ok, 1 error, 2 usage), or None to leave."""
        line = line.strip()
        if not line or line.startswith("#"):
            return ExitStatus.OK
        try:
            tokens = shlex.split(line)
        except ValueError as exc:  # an unclosed quote
            return report_error(UsageError(f"cannot split the line: {exc}"))
        head = tokens[0]
        try:
            if head in QUIT:
                return None
            if head in HELP:
                return self.help(tokens[1:])
            if head.startswith(":"):
                return self.meta(head, tokens[1:])
            if head in COMMANDS:
                return self.dispatch([COMMANDS[head], *tokens[1:]])
            words, opts = _split_options(tokens)
            if expressions.is_expression(words):
                return self.arithmetic(expressions.parse_expression(words), opts)
            if len(words) == 1:
                return self.dispatch(["neighbors", *tokens])
            raise UsageError(
                f"unknown command {head!r}; try king - man + woman, neighbors WORD, or :help"
            )
        except EmbtoolError as exc:
            return report_error(exc)

    def help(self, args: list[str]) -> int:
        if args and args[0] in COMMANDS:
            return self.dispatch([COMMANDS[args[0]], *args[1:], "--help"])
        if args:
            raise UsageError(f"no help for {args[0]!r}; commands: {', '.join(sorted(COMMANDS))}")
        sys.stdout.write(HELP_TEXT + "\n")
        sys.stdout.flush()
        return ExitStatus.OK

    def meta(self, head: str, args: list[str]) -> int:
        if head == ":format":
            if not args:
                sys.stdout.write(f"{self.fmt.value}\n")
                return ExitStatus.OK
            if len(args) != 1 or args[0].lower() not in FORMATS:
                raise UsageError(
                    f":format takes one of {', '.join(FORMATS)}; got {' '.join(args)!r}"
                )
            self.fmt = Format(args[0].lower())
            return ExitStatus.OK
        if head == ":vectors":
            if not args:
                shown = self.vectors or "(default: default, or default-zh for Chinese words)"
                sys.stdout.write(f"{shown}\n")
                return ExitStatus.OK
            if len(args) != 1:
                raise UsageError(f":vectors takes one name or path; got {' '.join(args)!r}")
            return self.switch(args[0])
        raise UsageError(f"unknown shell command {head!r}; shell commands: {', '.join(META)}")

    def switch(self, name: str) -> int:
        """Use the vectors ``name`` from now on (read afresh); the previous ones stay on error."""
        path = resolve_vectors(name)
        given = name if name in (DEFAULT_NAME, DEFAULT_ZH_NAME) else str(path.resolve())
        options = ReadOptions(
            limit=self.options.limit,
            encoding=self.options.encoding,
            unicode_errors=self.options.unicode_errors,
            allow_pickle=self.options.allow_pickle,
        )
        store = self.cache.get(path, options, reload=True)
        self.vectors, self.options = given, options
        note(f"vectors: {store.name} ({len(store):,} words x {store.dim} dims)")
        return ExitStatus.OK

    def dispatch(self, args: list[str]) -> int:
        """Run an embtool query command in this process with the shell's vectors and format."""
        command: Any = self.group
        path: list[str] = []
        rest = list(args)
        while _subcommands(command) and rest and rest[0] in _subcommands(command):
            path.append(rest[0])
            command = _subcommands(command)[rest.pop(0)]
        if not _subcommands(command) and "--help" not in rest and "-h" not in rest:
            if not _has_positional(command, rest):
                ctx = command.make_context(" ".join(path), [], resilient_parsing=True)
                err.print(ctx.get_usage(), markup=False, highlight=False)
                return report_error(UsageError(f"{' '.join(path)}: nothing to look up"))
            extra = [] if self.fmt is Format.auto else ["--format", self.fmt.value]
            if self.vectors is not None:
                extra += ["--vectors", self.vectors]
            rest = extra + read_flags(self.options) + rest
        stdin, sys.stdin = sys.stdin, _NoStdin()
        try:
            rv = self.group.main([*path, *rest], prog_name="embtool", standalone_mode=False)
        except typer.Abort:
            return ExitStatus.INTERRUPTED
        except Exception as exc:
            if not _is_click_error(exc):
                raise
            _show_usage_error(exc)
            return int(getattr(exc, "exit_code", ExitStatus.USAGE))
        finally:
            sys.stdin = stdin
        return rv if isinstance(rv, int) else ExitStatus.OK

    def arithmetic(self, expr: expressions.Expression, opts: list[str]) -> int:
        """``king - man + woman``: ``embtool analogy`` when it is one, else vector arithmetic."""
        abc = expr.as_analogy()
        if abc is not None:
            return self.dispatch(["analogy", *abc, *opts])
        k = _top_k(opts)
        words = [w for _, w in expr.terms]
        store = self.open(words)
        emit(arithmetic_report(expressions.solve(store, expr, k)), self.fmt)
        return ExitStatus.OK

    # -- completion ---------------------------------------------------------------------------

    def completions(self, prefix: str, limit: int | None = 200) -> list[str]:
        """Vocabulary words starting with ``prefix``, from the vectors a query of it would use."""
        try:
            store = self.open([prefix] if prefix else None)
        except EmbtoolError:
            return []
        if self._prefix is None or self._prefix[0] is not store:
            self._prefix = (store, PrefixIndex(store.words))
        return self._prefix[1].complete(prefix, limit)

    def command_completions(self, prefix: str) -> list[str]:
        names = sorted({*COMMANDS, *META})
        return [n for n in names if n.startswith(prefix)]

    def argument_completions(self, tokens: Sequence[str], prefix: str) -> list[str]:
        """What can follow ``tokens``: a subcommand of sentence/attention, a format, a vectors
        name, or a vocabulary word."""
        head = tokens[0] if tokens else ""
        if head == ":format":
            return [f for f in FORMATS if f.startswith(prefix)]
        if head == ":vectors":
            return [n for n in (DEFAULT_NAME, DEFAULT_ZH_NAME) if n.startswith(prefix)]
        if head in HELP:
            return [c for c in sorted(COMMANDS) if c.startswith(prefix)]
        subs = _subcommands(_subcommands(self.group).get(COMMANDS.get(head, "")))
        if subs and len(tokens) == 1:
            return [c for c in sorted(subs) if c.startswith(prefix)]
        return self.completions(prefix)


def _split_options(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    """(words, options): options start at the first token like ``-k`` (a lone ``-`` is minus)."""
    for i, t in enumerate(tokens):
        if t.startswith("-") and len(t) > 1 and i > 0:
            return list(tokens[:i]), list(tokens[i:])
    return list(tokens), []


def _top_k(opts: Sequence[str]) -> int:
    """``-k N`` / ``--top-k N`` (default 5), the one option word arithmetic takes.
    Raises: UsageError."""
    k = 5
    it = iter(opts)
    for opt in it:
        name, _, value = opt.partition("=")
        if name not in ("-k", "--top-k"):
            raise UsageError(f"word arithmetic takes only -k N; got {opt!r}")
        value = value or next(it, "")
        if not value.isdigit() or int(value) < 1:
            raise UsageError(f"-k needs a whole number of at least 1; got {value!r}")
        k = int(value)
    return k


def _subcommands(command: Any) -> dict[str, Any]:
    """A command group's subcommands by name; empty for a command."""
    return getattr(command, "commands", None) or {}


def _is_click_error(exc: BaseException) -> bool:
    """A command-line parsing error (click's, or the click Typer vendors): it knows its message
    and exit code."""
    return hasattr(exc, "format_message") and hasattr(exc, "exit_code")


def _arguments(command: Any) -> list[Any]:
    return [p for p in command.params if getattr(p, "param_type_name", "") == "argument"]


def _has_positional(command: Any, args: list[str]) -> bool:
    """True when ``args`` give the command's positional argument something other than '-'
    (stdin is the shell's own input, never a command's)."""
    if not _arguments(command):
        return True
    try:
        ctx = command.make_context("embtool", list(args))
    except Exception as exc:
        if _is_click_error(exc):
            return True  # let the real run report it
        raise
    for p in _arguments(command):
        value = ctx.params.get(p.name or "")
        values = value if isinstance(value, (list, tuple)) else [value]
        if not [v for v in values if v not in (None, "", "-")]:
            return False
    return True


def _show_usage_error(exc: Exception) -> None:
    """The usage error exactly as a command prints it (Typer's rich panel)."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        return  # the group has printed its help already
    from typer import rich_utils

    rich_utils.rich_format_error(exc)  # type: ignore[arg-type]  # click's, or the vendored one


class _Loop(cmd.Cmd):
    """The interactive loop: readline prompt, history and Tab completion around a Session."""

    prompt = "embtool> "
    identchars = cmd.Cmd.identchars + ":-"

    def __init__(self, session: Session, history: Path | None) -> None:
        super().__init__()
        self.session = session
        self.history = history
        self.warned = False
        self.ready = False
        self.matches: list[str] = []

    def preloop(self) -> None:
        if self.ready:  # cmdloop starts again after a Ctrl-C at the prompt
            return
        self.ready = True
        try:
            import readline
        except ImportError:
            return
        readline.set_completer_delims(" \t\n\"'")
        if self.history is not None and self.history.exists():
            with contextlib.suppress(OSError):  # an unreadable history only starts afresh
                readline.read_history_file(self.history)
        readline.set_history_length(HISTORY_LENGTH)

    def save_history(self) -> None:
        if self.history is None:
            return
        try:
            import readline

            self.history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(self.history)
        except (ImportError, OSError) as exc:
            if not self.warned:
                self.warned = True
                note(f"history not saved to {self.history}: {exc}")

    def onecmd(self, line: str) -> bool:
        if line == "EOF":  # Ctrl-D
            sys.stdout.write("\n")
            return True
        status = self.session.run(line)
        if line.strip():
            self.save_history()
        return status is None

    def emptyline(self) -> bool:
        return False  # cmd's default repeats the last command

    def completenames(self, text: str, *ignored: Any) -> list[str]:
        return self.session.command_completions(text) + self.session.completions(text)

    def completedefault(self, text: str, line: str, begidx: int, endidx: int) -> list[str]:
        try:
            tokens = shlex.split(line[:begidx])
        except ValueError:
            tokens = line[:begidx].split()
        return self.session.argument_completions(tokens, text)

    def complete(self, text: str, state: int) -> str | None:  # type: ignore[override]
        # cmd picks complete_<command> by the first word; every line completes the same way here
        if state == 0:
            import readline

            line = readline.get_line_buffer()
            begidx = readline.get_begidx()
            if line[:begidx].strip():
                self.matches = self.completedefault(text, line, begidx, 0)
            else:
                self.matches = self.completenames(text)
        try:
            return self.matches[state]
        except IndexError:
            return None


def interactive(session: Session, history: Path | None) -> int:
    """The REPL on a terminal; returns 0 when the user leaves."""
    store = session.cache.last
    if store is not None:
        note(f"vectors: {store.name} ({len(store):,} words x {store.dim} dims)")
    note(":help for help, Tab completes words, Ctrl-D or :quit to leave")
    loop = _Loop(session, history)
    while True:
        try:
            loop.cmdloop()
            return ExitStatus.OK
        except KeyboardInterrupt:  # Ctrl-C at the prompt drops the line, as Python's REPL does
            sys.stdout.write("\n")


def piped(session: Session, lines: Iterable[str]) -> int:
    """Answer each line; the status of the first line that failed, or 0. Ctrl-C, SIGTERM or a
    closed stdout stops at once with that status."""
    first_failure: int = ExitStatus.OK
    for line in lines:
        status = session.run(line)
        if status is None:
            break
        if status >= ExitStatus.INTERRUPTED:  # Ctrl-C, a signal, or the reader closed the pipe
            return status
        if status and not first_failure:
            first_failure = status
    return first_failure


def _stdin_lines() -> Iterator[str]:
    """Stdin one line at a time (answers stream out as commands come in).
    Raises: UsageError for bytes that do not decode."""
    n = 0
    try:
        for n, line in enumerate(sys.stdin, 1):
            yield line.removeprefix("\ufeff") if n == 1 else line
    except UnicodeDecodeError:
        raise UsageError(
            f"stdin line {n + 1} is not {sys.stdin.encoding or 'utf-8'} text"
        ) from None


@register(app, "shell")
@vector_options
def shell_command(*, source: VectorSource) -> None:
    """An interactive shell over vectors kept open: word arithmetic and every query command.

    Example: [bold]embtool shell[/bold], then type king - man + woman, neighbors 北京 -k 5,
    sim cat dog, odd breakfast lunch dinner car, :vectors default-zh, :format json, :help.
    Reads one command a line when stdin is not a terminal (echo 'king - man + woman' | embtool
    shell), printing only results; exits 1 or 2 (the first failed line's status) if any failed.
    """
    with keep_stores_open(StoreCache()) as cache:
        session = Session(source, cache)
        session.open()  # load now: a bad --vectors fails at once, the first answer is fast
        if sys.stdin is not None and sys.stdin.isatty():
            status = interactive(session, history_path())
        else:
            status = piped(session, _stdin_lines())
    if status:
        raise typer.Exit(status)
