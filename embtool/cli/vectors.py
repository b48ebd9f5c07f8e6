"""The vector-loading options every command shares, and opening the store they name.

``@vector_options`` adds ``--vectors``, ``--vectors-format``, ``--limit``, ``--encoding``,
``--unicode-errors`` and ``--allow-pickle`` to a command and hands it one ``source: VectorSource``.
"""

import contextlib
import functools
import inspect
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from embtool.cli.output import Report, note
from embtool.resources import default_zh_vectors_path
from embtool.vectors import ReadOptions, VectorFormat, load_vectors
from embtool.vectors.names import resolve_vectors
from embtool.vectors.store import VectorStore


class UnicodeErrors(str, Enum):
    strict = "strict"
    replace = "replace"  # type: ignore[assignment]  # a member named like str.replace
    ignore = "ignore"


@dataclass(frozen=True)
class VectorSource:
    """Where the vectors come from and how to read them."""

    vectors: str | None = None
    options: ReadOptions = field(default_factory=ReadOptions)

    def resolve_path(self, words: Sequence[str] | None = None) -> Path:
        """The path to open: --vectors (a path or a downloaded name), EMBTOOL_VECTORS, or the
        default (the Chinese default when the query ``words`` are mostly Chinese).

        Raises: VectorFileError when nothing usable is found.
        """
        path = resolve_vectors(self.vectors, words=words)
        chinese = words and path == default_zh_vectors_path() and self.vectors in (None, "")
        if chinese and (_kept is None or not _kept.holds(path, self.options)):
            note("Chinese query: using the shipped Chinese vectors (--vectors default-zh)")
        return path

    def open(self, words: Sequence[str] | None = None) -> VectorStore:
        """Load the vectors (``words``: the query, to pick the Chinese default), showing the
        reader's notes (e.g. an extra GloVe ``<unk>`` row) on stderr; inside
        :func:`keep_stores_open`, a store already loaded is reused.  Raises: VectorFileError."""
        path = self.resolve_path(words)
        if _kept is not None:
            return _kept.get(path, self.options)
        store = load_vectors(path, self.options)
        show_notes(store.meta)
        return store


class StoreCache:
    """Stores kept open between the commands of one process (the shell), so each answer after
    the first skips loading. Keyed by resolved path and read options; the ``size`` most recently
    used are kept. ``last`` is the store the latest command used (for completion)."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._stores: OrderedDict[tuple[Path, ReadOptions], VectorStore] = OrderedDict()
        self.last: VectorStore | None = None

    @staticmethod
    def _key(path: Path, options: ReadOptions) -> tuple[Path, ReadOptions]:
        return (path.resolve(), options)

    def holds(self, path: Path, options: ReadOptions) -> bool:
        return self._key(path, options) in self._stores

    def get(self, path: Path, options: ReadOptions, *, reload: bool = False) -> VectorStore:
        """The store at ``path``, loaded (and its reader's notes shown) only the first time, or
        again with ``reload``.  Raises: VectorFileError."""
        key = self._key(path, options)
        store = None if reload else self._stores.get(key)
        if store is None:
            store = load_vectors(path, options)
            show_notes(store.meta)
            store.norms  # noqa: B018 - once now, or every full-vocabulary query pays a norms pass
        self._stores[key] = store
        self._stores.move_to_end(key)
        while len(self._stores) > self.size:
            self._stores.popitem(last=False)
        self.last = store
        return store


_kept: StoreCache | None = None


@contextlib.contextmanager
def keep_stores_open(cache: StoreCache) -> Iterator[StoreCache]:
    """Within this block every :meth:`VectorSource.open` goes through ``cache``."""
    global _kept
    previous, _kept = _kept, cache
    try:
        yield cache
    finally:
        _kept = previous


def show_notes(meta: dict[str, Any]) -> None:
    """Print what a reader noted about the file (``meta["notes"]``) to stderr, one line each."""
    for text in meta.get("notes") or []:
        note(str(text))


_VECTOR_PARAMS = [
    inspect.Parameter(
        "vectors",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None,
            typer.Option(
                "--vectors",
                envvar="EMBTOOL_VECTORS",
                show_envvar=True,
                help="Vectors to use: a store directory, a word2vec/GloVe/fastText file (.gz/.bz2/.xz "
                "fine), the name of a set fetched with 'embtool download', or 'default' for the "
                "shipped vectors (also used when nothing is given).",
                rich_help_panel="Vectors",
            ),
        ],
    ),
    inspect.Parameter(
        "vectors_format",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            VectorFormat | None,
            typer.Option(
                "--vectors-format",
                help="Read the vectors as this format instead of sniffing it from the content.",
                rich_help_panel="Vectors",
            ),
        ],
    ),
    inspect.Parameter(
        "limit",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            int | None,
            typer.Option(
                "--limit",
                min=1,
                help="Load only the first N words (the most frequent, in most files).",
                rich_help_panel="Vectors",
            ),
        ],
    ),
    inspect.Parameter(
        "encoding",
        inspect.Parameter.KEYWORD_ONLY,
        default="utf-8",
        annotation=Annotated[
            str,
            typer.Option(
                "--encoding", help="Text encoding of the vector file.", rich_help_panel="Vectors"
            ),
        ],
    ),
    inspect.Parameter(
        "unicode_errors",
        inspect.Parameter.KEYWORD_ONLY,
        default=UnicodeErrors.strict,
        annotation=Annotated[
            UnicodeErrors,
            typer.Option(
                "--unicode-errors",
                help="What to do with bytes that do not decode: fail (strict), replace, ignore.",
                rich_help_panel="Vectors",
            ),
        ],
    ),
    inspect.Parameter(
        "allow_pickle",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool,
            typer.Option(
                "--allow-pickle",
                help="Allow loading gensim .model/.kv pickles. Unpickling runs code from the file: "
                "only for files you trust.",
                rich_help_panel="Vectors",
            ),
        ],
    ),
]


def _with_source(
    func: Callable[..., Any],
    params: list[inspect.Parameter],
    vectors_of: Callable[[dict[str, Any], dict[str, Any]], str | None],
) -> Callable[..., Any]:
    """Append ``params`` to ``func``'s signature and hand it one ``source: VectorSource``."""
    sig = inspect.signature(func, eval_str=True)
    kept = [p for name, p in sig.parameters.items() if name != "source"]
    new_sig = sig.replace(parameters=kept + params)
    names = [p.name for p in params]

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        opts = {name: kwargs.pop(name) for name in names}
        source = VectorSource(
            vectors=vectors_of(opts, kwargs),
            options=ReadOptions(
                format=opts["vectors_format"],
                limit=opts["limit"],
                encoding=opts["encoding"],
                unicode_errors=UnicodeErrors(opts["unicode_errors"]).value,
                allow_pickle=opts["allow_pickle"],
            ),
        )
        return func(source=source, **kwargs)

    wrapper.__signature__ = new_sig  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in new_sig.parameters.values()}
    del wrapper.__wrapped__
    return wrapper


def vector_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the shared vector options; it receives them as ``source: VectorSource``."""
    return _with_source(func, _VECTOR_PARAMS, lambda opts, _: opts["vectors"])


def input_options(path_param: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The same reading options for a command whose input is the positional ``path_param``
    (convert, info): ``--vectors-format``, ``--limit``, ``--encoding``, ... but no ``--vectors``."""
    params = [p for p in _VECTOR_PARAMS if p.name != "vectors"]
    return lambda func: _with_source(func, params, lambda _, kwargs: str(kwargs[path_param]))


# -- words built from fastText subwords ---------------------------------------------------------
_QUERY_KEYS = ("query", "word", "words", "word1", "word2", "a", "b", "c")


def note_built(store: VectorStore) -> None:
    """Tell the user which query words were not in the vocabulary and got vectors from n-grams."""
    for word in store.built_words:
        note(
            f"{word!r} is not in the vectors; its vector is built from its character n-grams "
            "(fastText subwords)"
        )


def mark_oov(report: Report, store: VectorStore) -> Report:
    """Add ``"oov": true`` and ``"oov_words"`` to each JSON record whose query used a word built
    from n-grams (records without one keep their shape), and say so on stderr once per word."""
    built = set(store.built_words)
    if not built:
        return report
    note_built(store)
    for record in report.records:
        found: list[str] = []
        for key in _QUERY_KEYS:
            value = record.get(key)
            for w in value if isinstance(value, list) else [value]:
                if isinstance(w, str) and w in built and w not in found:
                    found.append(w)
        if found:
            record["oov"] = True
            record["oov_words"] = found
    return report
