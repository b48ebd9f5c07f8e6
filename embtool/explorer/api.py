"""What the explorer's JSON API answers, without any web framework: validate, query, build records.

Every answer is a record of :mod:`embtool.records`, the shape ``embtool neighbors|analogy|similarity
--format json`` and ``embtool plot --format json`` print, so the page and the command line agree.
Bad input raises :class:`ApiError` (a 4xx status and a JSON body); library errors become one through
:func:`error_payload` (an unknown word: 404 with the CLI's message and its suggestions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from embtool import projection, similarity
from embtool.completion import FrequentPrefixIndex
from embtool.corpus import ProgressCallback
from embtool.errors import EmbtoolError, UnknownWordsError, VectorFileError
from embtool.explorer.limits import Limits
from embtool.language import store_language
from embtool.projection import ProjectionMethod
from embtool.records import analogy_records, neighbor_records, similarity_records, word_map_record
from embtool.similarity import AnalogyMethod
from embtool.vectors.store import VectorStore


class ApiError(Exception):
    """A request the API refuses: ``status`` (4xx) and a JSON body ``{"error", "kind", ...}``."""

    def __init__(self, status: int, message: str, kind: str = "bad_request", **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.payload: dict[str, Any] = {"error": message, "kind": kind, **extra}


def error_payload(exc: EmbtoolError) -> tuple[int, dict[str, Any]]:
    """The HTTP status and JSON body for a library error (its message is the CLI's)."""
    if isinstance(exc, UnknownWordsError):
        return 404, {
            "error": str(exc),
            "kind": "unknown_words",
            "words": exc.words,
            "suggestions": exc.suggestions,
        }
    if isinstance(exc, VectorFileError):
        return 500, {"error": str(exc), "kind": "vectors"}
    return 400, {"error": str(exc), "kind": "bad_request"}


# -- reading parameters -------------------------------------------------------------------------
def _int(data: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = data.get(name, default)
    if value is None or value == "":
        return default
    try:
        number = int(value)
        if (isinstance(value, float) and number != value) or isinstance(value, bool):
            raise ValueError
    except (TypeError, ValueError):
        raise ApiError(400, f"{name} must be a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise ApiError(400, f"{name} must be between {low:,} and {high:,}, got {number:,}")
    return number


def _float(data: Mapping[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = data.get(name, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"{name} must be a number, got {value!r}") from None
    if not low <= number <= high:
        raise ApiError(400, f"{name} must be between {low:g} and {high:g}, got {number:g}")
    return number


def _bool(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "0", "false", "no", ""):
        return value.lower() in ("1", "true", "yes")
    raise ApiError(400, f"{name} must be true or false, got {value!r}")


def _choice(data: Mapping[str, Any], name: str, enum: Any, default: Any) -> Any:
    value = data.get(name) or default.value
    try:
        return enum(str(value).lower())
    except ValueError:
        names = ", ".join(m.value for m in enum)
        raise ApiError(400, f"{name} must be one of {names}, got {value!r}") from None


@dataclass(frozen=True)
class MapRequest:
    """A 2-D map to draw, as ``embtool plot WORDS --top N --neighbors W -k K --group ...``."""

    words: tuple[str, ...] = ()
    top: int | None = None
    neighbors: tuple[str, ...] = ()
    k: int = 10
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    method: ProjectionMethod = ProjectionMethod.pca
    perplexity: float = projection.DEFAULT_PERPLEXITY
    seed: int = 0
    fit_on: int | None = None
    normalize: bool = False

    def size(self) -> int:
        """An upper bound on the number of points (before duplicates are merged)."""
        grouped = sum(len(m) for _, m in self.groups)
        return len(self.words) + (self.top or 0) + len(self.neighbors) * (self.k + 1) + grouped


def in_float32(store: VectorStore) -> VectorStore:
    """``store`` itself, or for a float16 store a float32 copy in memory: every query would
    otherwise convert the whole matrix again (a server keeps the store for hours; the shipped
    50k x 300 vectors answer neighbours ~5x faster, for 60 MB)."""
    if store.dtype != np.float16:
        return store
    copy = VectorStore(
        store.words,
        np.asarray(store.vectors, dtype=np.float32),
        meta=store.meta,
        path=store.path,
        name=store.name,
    )
    if store.has_counts:
        copy.set_counts_loader(lambda: store.counts)  # type: ignore[arg-type, return-value]
    copy.limit = store.limit
    return copy


class Explorer:
    """The API over one open store: each method validates its input and returns JSON-ready data.

    Methods may run in several threads at once: they only read the store (whose lazy caches are
    filled idempotently).
    """

    def __init__(self, store: VectorStore, limits: Limits | None = None) -> None:
        self.store = in_float32(store)
        self.limits = limits or Limits()
        self._prefix = FrequentPrefixIndex(store.words)
        self.language = store_language(store)

    def warm_up(self) -> None:
        """Pay the one-off costs before the first request: scikit-learn's import (a second or
        two, for the first map) and the norms of every row (for the first neighbours)."""
        import sklearn.decomposition  # noqa: F401

        self.store.norms  # noqa: B018

    # -- validation ------------------------------------------------------------------------------
    def word(self, value: Any, name: str = "word") -> str:
        """One query word: a non-empty string of at most ``max_word_chars`` characters."""
        if not isinstance(value, str) or not value.strip():
            raise ApiError(400, f"{name} must be a non-empty word")
        text = value.strip()
        if len(text) > self.limits.max_word_chars:
            raise ApiError(
                400, f"{name} is {len(text)} characters long; at most {self.limits.max_word_chars}"
            )
        return text

    def words(self, values: Any, name: str = "words", most: int | None = None) -> list[str]:
        """A list of query words (at most ``most``, default ``max_words``)."""
        most = self.limits.max_words if most is None else most
        if isinstance(values, str):
            values = values.split()
        if not isinstance(values, Sequence):
            raise ApiError(400, f"{name} must be a list of words")
        if len(values) > most:
            raise ApiError(400, f"{name}: {len(values):,} words; at most {most:,} in one request")
        return [self.word(v, name) for v in values]

    # -- queries ----------------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """What the page needs first: the store, its size, the limits."""
        return {
            "name": self.store.name,
            "words": len(self.store),
            "dim": self.store.dim,
            "language": self.language,
            "limits": {
                "k": self.limits.max_k,
                "words": self.limits.max_words,
                "map_points": min(self.limits.max_map_points, len(self.store)),
                "tsne_points": self.limits.max_tsne_points,
            },
        }

    def complete(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """``{"prefix", "completions": [...]}``, most frequent first; an unknown prefix also gets
        the spelling suggestions the CLI would give."""
        prefix = data.get("prefix", "")
        if not isinstance(prefix, str) or len(prefix) > self.limits.max_word_chars:
            raise ApiError(400, f"prefix must be at most {self.limits.max_word_chars} characters")
        n = _int(data, "limit", 10, 1, self.limits.max_completions)
        found = self._prefix.complete(prefix.strip(), n)
        suggestions: list[str] = []
        if prefix.strip() and not found:
            suggestions = self.store.close_matches([prefix.strip()]).get(prefix.strip(), [])
        return {"prefix": prefix, "completions": found, "suggestions": suggestions}

    def neighbors(self, data: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``embtool neighbors WORD... -k K --format json``."""
        words = self.words(data.get("word") or data.get("words") or [], "word")
        if not words:
            raise ApiError(400, "word: give at least one word")
        k = _int(data, "k", 10, 1, self.limits.max_k)
        batch = similarity.neighbors(self.store, words, k)
        return neighbor_records(batch)

    def analogy(self, data: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``embtool analogy A B C -k K --method M --format json`` (A - B + C)."""
        a, b, c = (self.word(data.get(n), n) for n in ("a", "b", "c"))
        k = _int(data, "k", 5, 1, self.limits.max_k)
        method = _choice(data, "method", AnalogyMethod, AnalogyMethod.add)
        batch = similarity.analogies(self.store, [(a, b, c)], k, method=method)
        return analogy_records(batch)

    def similarity(self, data: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``embtool similarity W1 W2 --format json``."""
        pair = (self.word(data.get("word1"), "word1"), self.word(data.get("word2"), "word2"))
        return similarity_records(similarity.similarities(self.store, [pair]))

    # -- maps -------------------------------------------------------------------------------------
    def map_request(self, data: Mapping[str, Any]) -> MapRequest:
        """Validate a map request (see :class:`MapRequest`) against the limits."""
        method = _choice(data, "method", ProjectionMethod, ProjectionMethod.pca)
        most = (
            self.limits.max_tsne_points
            if method is ProjectionMethod.tsne
            else self.limits.max_map_points
        )
        groups_in = data.get("groups") or {}
        if not isinstance(groups_in, Mapping):
            raise ApiError(400, 'groups must be an object {"name": ["word", ...]}')
        groups = tuple(
            (self.word(name, "group name"), tuple(self.words(members, f"group {name!r}", most)))
            for name, members in groups_in.items()
        )
        top = data.get("top")
        fit_on = data.get("fit_on")
        request = MapRequest(
            words=tuple(self.words(data.get("words") or [], "words", most)),
            top=None if top in (None, "", 0) else _int(data, "top", 0, 1, most),
            neighbors=tuple(self.words(data.get("neighbors") or [], "neighbors")),
            k=_int(data, "k", 10, 1, self.limits.max_k),
            groups=groups,
            method=method,
            perplexity=_float(data, "perplexity", projection.DEFAULT_PERPLEXITY, 1, 100),
            seed=_int(data, "seed", 0, 0, 2**31 - 1),
            fit_on=None
            if fit_on in (None, "", 0)
            else _int(data, "fit_on", 0, 2, min(len(self.store), self.limits.max_map_points)),
            normalize=_bool(data, "normalize"),
        )
        if request.size() == 0:
            raise ApiError(400, "nothing to map: give words, top, neighbors or groups")
        if request.size() > most:
            what = "t-SNE" if method is ProjectionMethod.tsne else "a map"
            raise ApiError(
                400, f"{what} of up to {request.size():,} points; at most {most:,} in one request"
            )
        return request

    def word_map(
        self, request: MapRequest, progress: ProgressCallback | None = None
    ) -> dict[str, Any]:
        """``embtool plot WORDS --top N --neighbors W -k K --group ... --format json``, plus the
        notes the command would print on stderr (case folding, lowered perplexity)."""
        store = self.store
        given = list(request.words)
        if request.top:
            given += store.words[: request.top]
        groups: dict[str, list[str]] = {name: list(m) for name, m in request.groups}
        if request.neighbors:
            expanded = projection.expand_neighbors(store, request.neighbors, request.k)
            for word, members in expanded.items():
                groups.setdefault(word, []).extend(members)
        wm = projection.map_words(
            store,
            given,
            groups=groups,
            method=request.method,
            fit_on=request.fit_on,
            perplexity=request.perplexity,
            seed=request.seed,
            normalize=request.normalize,
            progress=progress,
        )
        notes = [f"{q!r} is not in the vectors; using {w!r}" for q, w in wm.folded]
        return {**word_map_record(wm), "notes": [*notes, *wm.notes]}


__all__ = ["ApiError", "Explorer", "MapRequest", "error_payload"]
