"""2-D coordinates of word vectors: PCA and t-SNE, with the explained variance. No drawing here.

:func:`project` maps a matrix to two dimensions; :func:`map_words` gathers what one picture shows
(words, groups, analogy parallelograms) from a store and projects it. ``embtool.plotting`` draws the
result. scikit-learn is imported inside the functions that use it.
"""

from __future__ import annotations

import contextlib
import re
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TextIO

import numpy as np

from embtool.corpus import ProgressCallback, ProgressEvent
from embtool.errors import PlotError, UnknownWordsError
from embtool.vectors.store import VectorStore

DEFAULT_PERPLEXITY = 30.0
EXACT_TSNE_MAX = 1000  # points; above this, Barnes-Hut t-SNE
TSNE_ITERATIONS = 1000  # scikit-learn's default number of iterations: the progress total


class ProjectionMethod(str, Enum):
    """How vectors are mapped to the plane."""

    pca = "pca"
    tsne = "tsne"


@dataclass(frozen=True)
class Projection:
    """2-D coordinates of the rows of a matrix, and how they were computed.

    ``coords`` is (n, 2) float64. ``explained_variance_ratio`` holds, for PCA, the share of the
    fitted vectors' variance along each axis. ``fit_size`` is how many vectors the projection was
    fitted on. ``perplexity`` is the t-SNE perplexity actually used (clamped for few points).
    """

    coords: np.ndarray
    method: ProjectionMethod
    explained_variance_ratio: tuple[float, float] | None
    fit_size: int
    perplexity: float | None = None
    notes: tuple[str, ...] = ()


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


def clamp_perplexity(perplexity: float, n_points: int) -> float:
    """The t-SNE perplexity for ``n_points``: as asked, or (n - 1) / 3 (at least 1) when the asked
    value is too large (t-SNE needs perplexity < n, and works best with n > 3 * perplexity)."""
    if perplexity < n_points and 3 * perplexity < n_points:
        return float(perplexity)
    return float(max(1.0, min(perplexity, (n_points - 1) / 3)))


def project(
    vectors: np.ndarray,
    method: ProjectionMethod | str = ProjectionMethod.pca,
    *,
    fit: np.ndarray | None = None,
    perplexity: float = DEFAULT_PERPLEXITY,
    seed: int = 0,
    normalize: bool = False,
    progress: ProgressCallback | None = None,
) -> Projection:
    """Map the rows of ``vectors`` (n x dim) to 2-D.

    PCA (scikit-learn) is fitted on ``fit`` when given (e.g. the most frequent words, so the axes
    mean the same from one picture to the next), else on ``vectors`` themselves, and ``vectors``
    are transformed. t-SNE has no transform for new points, so it embeds ``fit`` and ``vectors``
    together and returns the rows of ``vectors``. ``normalize`` unit-normalises every row first.
    ``progress`` receives t-SNE's iterations (stage ``"t-SNE"``, unit ``"iterations"``).

    Raises: PlotError when there are too few vectors or dimensions.
    """
    method = ProjectionMethod(method)
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2:
        raise PlotError(f"expected a 2-D matrix of vectors, got {x.ndim}-D")
    f = None if fit is None else np.asarray(fit, dtype=np.float64)
    if normalize:
        x = _unit_rows(x)
        f = None if f is None else _unit_rows(f)
    if x.shape[1] < 2:
        raise PlotError(
            f"the vectors have {x.shape[1]} dimension; a 2-D projection needs at least 2"
        )
    if not np.isfinite(x).all() or (f is not None and not np.isfinite(f).all()):
        raise PlotError("the vectors contain NaN or infinite values; cannot project them")
    if method is ProjectionMethod.pca:
        return _pca(x, f, seed)
    return _tsne(x, f, perplexity, seed, progress)


class _TsneTap:
    """Stands in for ``sys.stdout`` while one thread runs a verbose t-SNE: that thread's lines
    (scikit-learn prints ``[t-SNE] Iteration 50: ...``) become progress events, everything else
    goes to the real stdout untouched. scikit-learn offers no callback; its log is the only
    progress it reports."""

    _ITERATION = re.compile(r"\[t-SNE\] Iteration (\d+)")

    def __init__(self, real: TextIO, progress: ProgressCallback, total: int) -> None:
        self.real = real
        self.progress = progress
        self.total = total
        self.owner = threading.get_ident()
        self._line = ""

    def write(self, text: str) -> int:
        if threading.get_ident() != self.owner:
            return self.real.write(text)
        self._line += text
        while "\n" in self._line:
            line, self._line = self._line.split("\n", 1)
            m = self._ITERATION.match(line)
            if m:
                self.progress(ProgressEvent("t-SNE", int(m.group(1)), self.total, "iterations"))
        return len(text)

    def flush(self) -> None:
        self.real.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@contextlib.contextmanager
def _tsne_progress(progress: ProgressCallback | None, total: int) -> Iterator[int]:
    """Yield the t-SNE verbosity to use: 2 with ``progress`` (its log tapped), else 0."""
    if progress is None:
        yield 0
        return
    real = sys.stdout
    tap = _TsneTap(real, progress, total)
    sys.stdout = tap  # type: ignore[assignment]
    try:
        progress(ProgressEvent("t-SNE", 0, total, "iterations"))
        yield 2
    finally:
        if sys.stdout is tap:
            sys.stdout = real
    progress(ProgressEvent("t-SNE", total, total, "iterations", final=True))


def _pca(x: np.ndarray, fit: np.ndarray | None, seed: int) -> Projection:
    from sklearn.decomposition import PCA

    base = x if fit is None else fit
    if len(base) < 2:
        what = "word" if fit is None else "word to fit on"
        raise PlotError(f"PCA needs at least 2 words, got {len(base)} {what}; add more words")
    pca = PCA(n_components=2, random_state=seed)
    pca.fit(base)
    coords = pca.transform(x)
    ratio = np.nan_to_num(pca.explained_variance_ratio_, nan=0.0)
    return Projection(
        coords=np.ascontiguousarray(coords, dtype=np.float64),
        method=ProjectionMethod.pca,
        explained_variance_ratio=(float(ratio[0]), float(ratio[1])),
        fit_size=len(base),
    )


def _tsne(
    x: np.ndarray,
    fit: np.ndarray | None,
    perplexity: float,
    seed: int,
    progress: ProgressCallback | None = None,
) -> Projection:
    from sklearn.manifold import TSNE

    if perplexity <= 0:
        raise PlotError(f"t-SNE perplexity must be positive, got {perplexity}")
    if fit is None:
        data, rows = x, np.arange(len(x))
    else:
        # A row of x already in fit (a chosen word among the top N) is the same point: embed it
        # once, or it would sit at distance 0 from its twin and skew both neighbourhoods.
        index = {r.tobytes(): i for i, r in reversed(list(enumerate(fit)))}
        extra: list[int] = []
        rows = np.empty(len(x), dtype=np.intp)
        for i, r in enumerate(x):
            key = r.tobytes()
            if key not in index:
                index[key] = len(fit) + len(extra)
                extra.append(i)
            rows[i] = index[key]
        data = np.vstack([fit, x[extra]]) if extra else fit
    n = len(data)
    if n < 3:
        raise PlotError(f"t-SNE needs at least 3 points, got {n}; add words or use `method=pca`")
    used = clamp_perplexity(perplexity, n)
    notes = []
    if used != perplexity:
        notes.append(f"t-SNE perplexity {perplexity:g} is too large for {n} points; using {used:g}")
    # Barnes-Hut is slow and erratic on a handful of points (tens of seconds for 6 points at low
    # perplexity); the exact gradient is fast up to a thousand or so.
    with _tsne_progress(progress, TSNE_ITERATIONS) as verbose:
        tsne = TSNE(
            n_components=2,
            perplexity=used,
            random_state=seed,
            init="pca",
            learning_rate="auto",
            method="exact" if n <= EXACT_TSNE_MAX else "barnes_hut",
            verbose=verbose,
        )
        emb = tsne.fit_transform(data)
    coords = emb[rows]
    return Projection(
        coords=np.ascontiguousarray(coords, dtype=np.float64),
        method=ProjectionMethod.tsne,
        explained_variance_ratio=None,
        fit_size=n,
        perplexity=used,
        notes=tuple(notes),
    )


# -- what one picture shows ----------------------------------------------------------------------
@dataclass(frozen=True)
class AnalogyQuad:
    """One analogy A - B + C = D and where A - B + C lands in the picture."""

    words: tuple[str, str, str, str]
    predicted: np.ndarray  # (2,) coordinates of vec(A) - vec(B) + vec(C)

    @property
    def label(self) -> str:
        a, b, c, _ = self.words
        return f"{a} − {b} + {c}"


@dataclass(frozen=True)
class WordMap:
    """Words placed in the plane, with their groups and analogy parallelograms."""

    words: tuple[str, ...]
    coords: np.ndarray  # (n, 2), one row per word
    groups: tuple[str | None, ...]
    analogies: tuple[AnalogyQuad, ...]
    projection: Projection
    folded: tuple[tuple[str, str], ...] = ()  # (query, word) pairs matched by lower case
    skipped: tuple[str, ...] = ()  # unknown words left out (skip_unknown)
    notes: tuple[str, ...] = field(default=())

    def xy(self, word: str) -> np.ndarray:
        """Coordinates of ``word`` (one of :attr:`words`)."""
        return self.coords[self.words.index(word)]


def parse_fit_on(spec: str) -> int:
    """``top:N`` -> N.  Raises: PlotError for anything else."""
    head, sep, tail = spec.partition(":")
    if head.strip().lower() == "top" and sep and tail.strip().isdigit() and int(tail) >= 2:
        return int(tail)
    raise PlotError(
        f"`fit_on` {spec!r}: expected top:N with N >= 2 (fit on the N most frequent words)"
    )


def expand_neighbors(
    store: VectorStore, words: Sequence[str], k: int, *, fold_case: bool = True
) -> dict[str, list[str]]:
    """``{word: [word, its k nearest neighbours...]}`` for each word.  Raises: UnknownWordsError."""
    from embtool.similarity import neighbors

    batch = neighbors(store, list(words), k, fold_case=fold_case)
    return {r.word: [r.word, *(n.word for n in r.neighbors)] for r in batch.results}


def map_words(
    store: VectorStore,
    words: Sequence[str] = (),
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    analogies: Sequence[Sequence[str]] = (),
    method: ProjectionMethod | str = ProjectionMethod.pca,
    fit_on: int | None = None,
    perplexity: float = DEFAULT_PERPLEXITY,
    seed: int = 0,
    normalize: bool = False,
    fold_case: bool = True,
    skip_unknown: bool = False,
    progress: ProgressCallback | None = None,
) -> WordMap:
    """Project ``words``, the words of ``groups`` and of ``analogies`` (A B C D: A - B + C = D).

    Words keep their first position; a word listed in a group takes that group's name. With
    ``fit_on=N`` the projection is fitted on the N first (most frequent) words of the store. The
    predicted point of each analogy is the projection of vec(A) - vec(B) + vec(C) (of the unit
    vectors with ``normalize``); for PCA it is exactly P(A) - P(B) + P(C). ``progress`` receives
    t-SNE's iterations.

    Raises: UnknownWordsError (every unknown word at once, unless ``skip_unknown``), PlotError.
    """
    groups = dict(groups or {})
    for n, quad in enumerate(analogies, 1):
        if len(quad) != 4:
            raise PlotError(f"analogy {n} needs 4 words A B C D (A - B + C = D), got {len(quad)}")
    queries: list[str] = list(words)
    for members in groups.values():
        queries.extend(members)
    for quad in analogies:
        queries.extend(quad)
    queries = list(dict.fromkeys(queries))
    if not queries:
        raise PlotError("no words to plot")

    matched: dict[str, tuple[str, int]] = {}
    missing: list[str] = []
    index = store.index if len(queries) > 64 else None  # one dict beats 100k resolve() calls
    for q in queries:
        row = index.get(q) if index is not None else None
        if row is not None:  # an exact match, as resolve() would find first
            matched[q] = (q, row)
            continue
        try:
            (res,) = store.resolve([q], fold_case=fold_case)
        except UnknownWordsError:
            missing.append(q)
            continue
        matched[q] = (res.word, res.row)
    if missing and not skip_unknown:
        raise store.unknown(missing)
    gone = set(missing)

    order: dict[str, int] = {}  # matched word -> row, in first-seen order
    for q in queries:
        if q in matched:
            word, row = matched[q]
            order.setdefault(word, row)
    if not order:
        raise PlotError("none of the words to plot are in the vectors")
    group_of: dict[str, str] = {}
    for name, members in groups.items():
        for q in members:
            if q in matched:
                group_of.setdefault(matched[q][0], name)
    quads = [
        tuple(matched[q][0] for q in quad) for quad in analogies if not gone.intersection(quad)
    ]

    plot_words = list(order)
    rows = np.array(list(order.values()), dtype=np.int64)
    vecs = store.rows(rows).astype(np.float64)
    if normalize:
        vecs = _unit_rows(vecs)
    index = {w: i for i, w in enumerate(plot_words)}
    predicted = np.array(
        [vecs[index[a]] - vecs[index[b]] + vecs[index[c]] for a, b, c, _ in quads],
        dtype=np.float64,
    ).reshape(len(quads), store.dim)

    fit = None
    notes: list[str] = []
    if fit_on is not None:
        if fit_on < 2:
            raise PlotError(f"`fit_on` top:{fit_on}: fit on at least 2 words")
        if fit_on > len(store):
            notes.append(f"the vectors hold only {len(store)} words; fitting on all of them")
        fit = np.asarray(store.head(fit_on).vectors, dtype=np.float64)
        if normalize:
            fit = _unit_rows(fit)
    method = ProjectionMethod(method)
    if method is ProjectionMethod.pca:
        if fit is None and len(plot_words) < 2:
            raise PlotError(
                f"PCA needs at least 2 words, got 1 ({plot_words[0]!r}); add words, or place it "
                "among the most frequent words with `fit_on=top:N`"
            )
        proj = project(
            np.vstack([vecs, predicted]), method, fit=vecs if fit is None else fit, seed=seed
        )
    else:
        proj = project(
            np.vstack([vecs, predicted]),
            method,
            fit=fit,
            perplexity=perplexity,
            seed=seed,
            progress=progress,
        )
    coords = proj.coords[: len(plot_words)]
    pred_xy = proj.coords[len(plot_words) :]
    folded = tuple((q, matched[q][0]) for q in queries if q in matched and matched[q][0] != q)
    return WordMap(
        words=tuple(plot_words),
        coords=coords,
        groups=tuple(group_of.get(w) for w in plot_words),
        analogies=tuple(
            AnalogyQuad(words=q, predicted=pred_xy[i])  # type: ignore[arg-type]
            for i, q in enumerate(quads)
        ),
        projection=proj,
        folded=folded,
        skipped=tuple(missing),
        notes=tuple(notes) + proj.notes,
    )


# -- bias axes -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BiasMap:
    """Words placed by a bias direction (x) and a second axis (y).

    x is the cosine of each word with the direction (``embtool.bias.project``). y is the cosine with
    ``y_direction`` when one is given, else the first principal component of the words' unit
    vectors with their component along the direction removed ("PCA of the rest");
    ``y_explained_variance_ratio`` is that component's share of the remaining variance.
    """

    words: tuple[str, ...]
    coords: np.ndarray  # (n, 2)
    direction: Any  # embtool.bias.BiasDirection
    y_direction: Any | None
    y_explained_variance_ratio: float | None
    missing: tuple[str, ...] = ()
    folded: tuple[tuple[str, str], ...] = ()


def bias_map(
    store: VectorStore,
    words: Sequence[str],
    direction: Any,
    *,
    y_direction: Any | None = None,
    fold_case: bool = True,
    skip_unknown: bool = False,
) -> BiasMap:
    """Coordinates of ``words`` on a bias direction (x) and a second axis (y); see :class:`BiasMap`.

    Raises: UnknownWordsError (unless ``skip_unknown``), BiasError (dimension mismatch), PlotError
    (no word left, or a single word with the PCA axis).
    """
    from embtool.bias import project as bias_project
    from embtool.bias.wordsets import lookup

    found = lookup(store, words, fold_case=fold_case)
    if found.missing and not skip_unknown:
        raise store.unknown(found.missing)
    if not found.words:
        raise PlotError(
            f"none of the {len(found.requested)} words is in the vectors ({store.name})"
        )
    plotted = list(found.words)
    # project() ranks its answer; the plot keeps the words' order
    along = dict(bias_project(store, plotted, direction, fold_case=False))
    x = np.array([along[w] for w in plotted])
    ratio = None
    if y_direction is not None:
        across = dict(bias_project(store, plotted, y_direction, fold_case=False))
        y = np.array([across[w] for w in plotted])
    else:
        if len(plotted) < 2:
            raise PlotError(
                f"the PCA axis needs at least 2 words, got 1 ({plotted[0]!r}); add words or give "
                "a second direction"
            )
        unit = _unit_rows(store.rows(np.array(found.rows, dtype=np.int64)).astype(np.float64))
        g = np.asarray(direction.vector, dtype=np.float64)
        rest = unit - np.outer(unit @ g, g)
        proj = project(rest, ProjectionMethod.pca)
        y = proj.coords[:, 0]
        ratio = proj.explained_variance_ratio[0] if proj.explained_variance_ratio else None
    return BiasMap(
        words=tuple(plotted),
        coords=np.column_stack([x, y]).astype(np.float64),
        direction=direction,
        y_direction=y_direction,
        y_explained_variance_ratio=ratio,
        missing=tuple(found.missing),
        folded=tuple(found.folded),
    )
