"""Aligning two vector spaces with orthogonal Procrustes, and comparing or translating across them.

Two trainings (other seeds, other corpora, other languages) live in different coordinate systems.
:func:`align` finds the orthogonal W minimising ||X W - Y|| over anchor words (scipy's
``orthogonal_procrustes``), after the HistWords recipe (Hamilton et al. 2016): rows unit-normalised
and anchor means removed first, either step optional. :func:`apply_alignment` rotates every source
row into the target's space; :func:`word_shifts` and :func:`neighbour_overlap` say which words moved;
:func:`translate` retrieves target words by nearest neighbour or CSLS (Conneau et al. 2018).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from embtool.errors import AlignmentError
from embtool.similarity import Neighbor
from embtool.vectors.store import VectorStore

TRANSFORM_FILE = "transform.npy"
OFFSET_FILE = "offset.npy"
ANCHORS_FILE = "anchors.tsv"
_BLOCK = 2048  # query rows per similarity block (2048 x 50k float32 = 400 MB at most)


class Retrieval(str, Enum):
    """How a translation is retrieved: plain nearest neighbour, or CSLS (hubness-corrected)."""

    nn = "nn"
    csls = "csls"


@dataclass(frozen=True)
class AnchorSpec:
    """Which words anchor the alignment: the shared vocabulary (optionally its top N), or pairs."""

    mode: str  # "common" or "pairs"
    top: int | None = None
    file: str | None = None


@dataclass(frozen=True, eq=False)
class Alignment:
    """The fitted map: aligned = prep(x) @ transform + offset, where prep unit-normalises if asked."""

    transform: np.ndarray  # dim x dim, orthogonal, float64
    offset: np.ndarray  # dim, float64: target anchor mean - source anchor mean @ transform
    anchors: tuple[tuple[str, str], ...]
    spec: AnchorSpec
    normalize: bool
    center: bool
    residual: float  # Frobenius norm of prep(X) W + offset - prep(Y) over the anchors
    cosine_before: float  # mean anchor cosine of the raw vectors
    cosine_after: float  # mean anchor cosine after the map
    source: str
    target: str

    @property
    def rms(self) -> float:
        """Root-mean-square anchor error (the residual per anchor)."""
        return self.residual / math.sqrt(max(1, len(self.anchors)))

    def record(self) -> dict[str, Any]:
        """The JSON-safe summary written to meta.json and printed by ``embtool align``."""
        return {
            "source": self.source,
            "target": self.target,
            "method": "orthogonal-procrustes",
            "normalize": self.normalize,
            "center": self.center,
            "anchors": len(self.anchors),
            "anchor_mode": self.spec.mode,
            "anchor_top": self.spec.top,
            "anchor_file": self.spec.file,
            "cosine_before": self.cosine_before,
            "cosine_after": self.cosine_after,
            "residual": self.residual,
            "rms": self.rms,
            "dim": int(self.transform.shape[0]),
        }


@dataclass(frozen=True)
class WordShift:
    """One shared word: cosine between its vector in A and in B, and its counts in each."""

    word: str
    cosine: float
    count_a: int | None
    count_b: int | None
    jaccard: float | None = None  # overlap of its top-k neighbours in A and in B, when computed


@dataclass(frozen=True)
class Comparison:
    """Every shared word's shift, plus the medians and means that say how far two spaces differ."""

    shifts: tuple[WordShift, ...]  # in A's row order
    neighbours: int  # k of the Jaccard overlap
    min_count: int

    @property
    def mean_cosine(self) -> float:
        return float(np.mean([s.cosine for s in self.shifts])) if self.shifts else float("nan")

    @property
    def median_cosine(self) -> float:
        return float(np.median([s.cosine for s in self.shifts])) if self.shifts else float("nan")

    @property
    def mean_jaccard(self) -> float:
        vals = [s.jaccard for s in self.shifts if s.jaccard is not None]
        return float(np.mean(vals)) if vals else float("nan")

    def ranked(self, by: str = "cosine") -> list[WordShift]:
        """Most changed first (lowest cosine or Jaccard; ties by A's row order)."""
        if by == "jaccard":
            return sorted(self.shifts, key=lambda s: (s.jaccard is None, s.jaccard or 0.0))
        return sorted(self.shifts, key=lambda s: s.cosine)


@dataclass(frozen=True)
class Translation:
    query: str
    candidates: tuple[Neighbor, ...]


@dataclass(frozen=True)
class TranslationScore:
    """Precision@k of a test dictionary; a query counts as right if any gold target is in its top k."""

    pairs: int
    queries: int  # distinct source words
    covered: int  # with the source and at least one gold target in the vectors
    precision: dict[int, float]  # k -> share of covered queries right within k
    method: Retrieval
    oov_words: tuple[str, ...]

    @property
    def coverage(self) -> float:
        return self.covered / self.queries if self.queries else 0.0


# -- anchors ----------------------------------------------------------------------------------
def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """Read ``source<TAB>target`` lines (blank lines and ``#`` comments skipped; spaces also split).

    Raises: AlignmentError for a missing file or a line without exactly two fields.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise AlignmentError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise AlignmentError(f"{path}: not UTF-8 text ({exc.reason})") from None
    pairs = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        fields = [f.strip() for f in fields]
        if len(fields) != 2 or not all(fields):
            raise AlignmentError(
                f"{path} line {n}: expected 'source<TAB>target', got {len(fields)} field(s)"
            )
        pairs.append((fields[0], fields[1]))
    if not pairs:
        raise AlignmentError(f"{path}: no word pairs")
    return pairs


def _frequency_ranks(store: VectorStore) -> np.ndarray:
    """Rank of every row by corpus count (0 = most frequent); row order when counts are unknown."""
    if store.counts is None:
        return np.arange(len(store))
    order = np.argsort(-store.counts, kind="stable")
    ranks = np.empty(len(store), dtype=np.int64)
    ranks[order] = np.arange(len(store))
    return ranks


def common_anchors(source: VectorStore, target: VectorStore, top: int | None = None) -> list[str]:
    """The words in both stores; with ``top``, the N most frequent (by their rarer rank of the two)."""
    shared = [w for w in source.words if w in target.index]
    if top is None or top >= len(shared):
        return shared
    rs, rt = _frequency_ranks(source), _frequency_ranks(target)
    worst = np.array([max(rs[source.index[w]], rt[target.index[w]]) for w in shared])
    keep = np.sort(np.argsort(worst, kind="stable")[:top])
    return [shared[i] for i in keep]


def _quote(words: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(repr(w) for w in words[:limit])
    return shown + (f" and {len(words) - limit} more" if len(words) > limit else "")


def check_pairs(
    source: VectorStore, target: VectorStore, pairs: Sequence[tuple[str, str]], where: str
) -> None:
    """Raise one AlignmentError naming every pair word missing from its store."""
    miss_s = list(dict.fromkeys(s for s, _ in pairs if s not in source.index))
    miss_t = list(dict.fromkeys(t for _, t in pairs if t not in target.index))
    if miss_s or miss_t:
        bad = sum(1 for s, t in pairs if s not in source.index or t not in target.index)
        parts = []
        if miss_s:
            parts.append(f"{len(miss_s)} not in {source.name}: {_quote(miss_s)}")
        if miss_t:
            parts.append(f"{len(miss_t)} not in {target.name}: {_quote(miss_t)}")
        raise AlignmentError(
            f"{where}: {bad} of {len(pairs)} pairs name unknown words; " + "; ".join(parts)
        )


# -- the fit ----------------------------------------------------------------------------------
def _prep(x: np.ndarray, normalize: bool) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if not normalize:
        return x
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(n == 0, 1, n)


def _mean_row_cosine(x: np.ndarray, y: np.ndarray) -> float:
    num = np.einsum("ij,ij->i", x, y)
    den = np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)
    return float(np.mean(num / np.where(den == 0, 1, den))) if len(x) else float("nan")


def check_dimensions(source: VectorStore, target: VectorStore) -> None:
    """Raise AlignmentError unless both stores have the same number of dimensions."""
    if source.dim != target.dim:
        raise AlignmentError(
            f"{source.name} has {source.dim} dimensions and {target.name} has {target.dim}: "
            "an orthogonal rotation needs equal dimensions (train both with the same dimension)"
        )


def align(
    source: VectorStore,
    target: VectorStore,
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    pairs_file: str | None = None,
    top: int | None = None,
    normalize: bool = True,
    center: bool = True,
) -> Alignment:
    """Fit the orthogonal map from ``source`` into ``target`` on anchor words.

    Anchors: ``pairs`` (e.g. a bilingual dictionary) when given, else the shared vocabulary, its
    ``top`` most frequent words when ``top`` is set.

    Raises: AlignmentError for different dimensions, unknown pair words, or fewer anchors than dims.
    """
    from scipy.linalg import orthogonal_procrustes

    check_dimensions(source, target)
    if pairs is not None:
        where = pairs_file or "anchor pairs"
        check_pairs(source, target, pairs, where)
        anchors = [(s, t) for s, t in pairs]
        spec = AnchorSpec("pairs", file=pairs_file)
    else:
        anchors = [(w, w) for w in common_anchors(source, target, top)]
        spec = AnchorSpec("common", top=top)
    distinct = len({s for s, _ in anchors})
    if distinct < source.dim:
        what = "shared words" if pairs is None else "distinct source words in the anchor pairs"
        raise AlignmentError(
            f"only {distinct} {what} for {source.dim} dimensions: the rotation would be "
            f"underdetermined (need at least {source.dim} anchors)"
        )
    rs = np.array([source.index[s] for s, _ in anchors], dtype=np.int64)
    rt = np.array([target.index[t] for _, t in anchors], dtype=np.int64)
    raw_x = np.asarray(source.rows(rs), dtype=np.float64)
    raw_y = np.asarray(target.rows(rt), dtype=np.float64)
    x, y = _prep(raw_x, normalize), _prep(raw_y, normalize)
    mu_x = x.mean(axis=0) if center else np.zeros(source.dim)
    mu_y = y.mean(axis=0) if center else np.zeros(source.dim)
    w, _ = orthogonal_procrustes(x - mu_x, y - mu_y)
    offset = mu_y - mu_x @ w
    mapped = x @ w + offset
    return Alignment(
        transform=w,
        offset=offset,
        anchors=tuple(anchors),
        spec=spec,
        normalize=normalize,
        center=center,
        residual=float(np.linalg.norm(mapped - y)),
        cosine_before=_mean_row_cosine(raw_x, raw_y),
        cosine_after=_mean_row_cosine(mapped, raw_y),
        source=source.name,
        target=target.name,
    )


def apply_alignment(source: VectorStore, alignment: Alignment) -> VectorStore:
    """``source`` mapped into the target's space: a new float32 store with the same words and counts."""
    out = np.empty((len(source), source.dim), dtype=np.float32)
    for start, block in source.blocks():
        mapped = _prep(block, alignment.normalize) @ alignment.transform + alignment.offset
        out[start : start + len(block)] = mapped
    meta = {k: v for k, v in source.meta.items() if k != "alignment"}
    meta["alignment"] = {
        **alignment.record(),
        "transform_file": TRANSFORM_FILE,
        "offset_file": OFFSET_FILE,
        "anchors_file": ANCHORS_FILE,
    }
    return VectorStore(
        source.words,
        out,
        counts=source.counts,
        meta=meta,
        name=f"{source.name}->{alignment.target}",
    )


def save_aligned(
    aligned: VectorStore, alignment: Alignment, path: str | Path, *, overwrite: bool = False
) -> Path:
    """Write the aligned store plus transform.npy, offset.npy and anchors.tsv, all in one rename.

    Raises: OutputError.
    """
    from embtool.atomic import atomic_dir
    from embtool.vectors.io import save_vectors

    path = Path(path)
    with atomic_dir(path, overwrite=overwrite) as tmp:
        save_vectors(aligned, tmp, overwrite=True)
        np.save(tmp / TRANSFORM_FILE, alignment.transform, allow_pickle=False)
        np.save(tmp / OFFSET_FILE, alignment.offset, allow_pickle=False)
        with open(tmp / ANCHORS_FILE, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(f"{s}\t{t}\n" for s, t in alignment.anchors)
    return path


def recorded_alignment(store: VectorStore) -> dict[str, Any] | None:
    """The alignment recorded in a store's meta.json, or None for a store never aligned."""
    rec = store.meta.get("alignment")
    return rec if isinstance(rec, dict) else None


def load_transform(store_path: str | Path) -> np.ndarray:
    """The dim x dim rotation an aligned store was made with.  Raises: AlignmentError."""
    path = Path(store_path) / TRANSFORM_FILE
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise AlignmentError(f"{path}: cannot read the transform ({exc})") from None


# -- comparing --------------------------------------------------------------------------------
def _unit32(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(n == 0, 1, n)


def shared_words(a: VectorStore, b: VectorStore, *, min_count: int = 1) -> list[str]:
    """Words in both stores (A's row order) whose count is at least ``min_count`` in each.

    Raises: AlignmentError when ``min_count`` > 1 and a store has no counts.
    """
    words = [w for w in a.words if w in b.index]
    if min_count <= 1:
        return words
    for s in (a, b):
        if s.counts is None:
            raise AlignmentError(f"{s.name} has no word counts, so a minimum count cannot apply")
    ca, cb = a.counts, b.counts
    return [w for w in words if ca[a.index[w]] >= min_count and cb[b.index[w]] >= min_count]  # type: ignore[index]


def _count(store: VectorStore, word: str) -> int | None:
    return None if store.counts is None else int(store.counts[store.index[word]])


def word_shifts(a: VectorStore, b: VectorStore, words: Sequence[str]) -> list[WordShift]:
    """Cosine between each word's vector in ``a`` and in ``b`` (two aligned spaces), in input order.

    Raises: AlignmentError for different dimensions; UnknownWordsError for a word missing in either.
    """
    check_dimensions(a, b)
    for s in (a, b):
        missing = [w for w in words if w not in s.index]
        if missing:
            raise s.unknown(missing)
    ua = _unit32(a.rows(np.array([a.index[w] for w in words], dtype=np.int64)))
    ub = _unit32(b.rows(np.array([b.index[w] for w in words], dtype=np.int64)))
    cos = np.einsum("ij,ij->i", ua, ub) if len(words) else np.zeros(0)
    return [
        WordShift(w, float(c), _count(a, w), _count(b, w)) for w, c in zip(words, cos, strict=True)
    ]


def _top_k_within(unit: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Row ids of the ``k`` nearest rows of ``unit`` to each query row (itself excluded), best first."""
    k = min(k, len(unit) - 1)
    out = np.empty((len(queries), max(k, 0)), dtype=np.int64)
    if k <= 0:
        return out
    for start in range(0, len(queries), _BLOCK):
        q = queries[start : start + _BLOCK]
        scores = unit[q] @ unit.T
        scores[np.arange(len(q)), q] = -np.inf
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
        out[start : start + len(q)] = np.take_along_axis(part, order, axis=1)
    return out


def neighbour_overlap(
    a: VectorStore, b: VectorStore, words: Sequence[str], *, k: int = 10, among: Sequence[str]
) -> list[float]:
    """Jaccard overlap of each word's ``k`` nearest neighbours in ``a`` and in ``b``.

    Neighbours are sought among the words ``among`` (present in both), so no alignment is needed:
    the measure is the same whether or not ``a`` was rotated.
    """
    pos = {w: i for i, w in enumerate(among)}
    ua = _unit32(a.rows(np.array([a.index[w] for w in among], dtype=np.int64)))
    ub = _unit32(b.rows(np.array([b.index[w] for w in among], dtype=np.int64)))
    q = np.array([pos[w] for w in words], dtype=np.int64)
    na, nb = _top_k_within(ua, q, k), _top_k_within(ub, q, k)
    out = []
    for ra, rb in zip(na, nb, strict=True):
        sa, sb = set(ra.tolist()), set(rb.tolist())
        union = sa | sb
        out.append(len(sa & sb) / len(union) if union else float("nan"))
    return out


def compare(
    a: VectorStore, b: VectorStore, *, min_count: int = 1, neighbours: int = 10
) -> Comparison:
    """Cosine shift and top-``neighbours`` Jaccard overlap of every word shared by two aligned stores
    (each with at least ``min_count`` occurrences in both).

    Raises: AlignmentError for different dimensions, or a minimum count without counts.
    """
    words = shared_words(a, b, min_count=min_count)
    shifts = word_shifts(a, b, words)
    jac = neighbour_overlap(a, b, words, k=neighbours, among=words) if words else []
    return Comparison(
        tuple(
            WordShift(s.word, s.cosine, s.count_a, s.count_b, j)
            for s, j in zip(shifts, jac, strict=True)
        ),
        neighbours,
        min_count,
    )


# -- translation ------------------------------------------------------------------------------
def _mean_top_k(queries: np.ndarray, space: np.ndarray, k: int) -> np.ndarray:
    """Mean cosine of each (unit) query row to its ``k`` nearest rows of the (unit) ``space``."""
    k = max(1, min(k, len(space)))
    out = np.empty(len(queries), dtype=np.float64)
    for start in range(0, len(queries), _BLOCK):
        s = queries[start : start + _BLOCK] @ space.T
        out[start : start + len(s)] = np.partition(s, len(space) - k, axis=1)[:, -k:].mean(axis=1)
    return out


def csls_scores(
    queries: np.ndarray, source: np.ndarray, target: np.ndarray, k: int = 10
) -> np.ndarray:
    """CSLS(x, y) = 2 cos(x, y) - r_T(x) - r_S(y) for unit query rows against every target row.

    r_T(x) is the mean cosine of x to its k nearest target rows, r_S(y) that of y to its k nearest
    source rows (Conneau et al. 2018); it penalises hubs that are near everything.
    """
    r_t = _mean_top_k(queries, target, k)
    r_s = _mean_top_k(target, source, k)
    return 2 * (queries @ target.T) - r_t[:, None] - r_s[None, :]


def _retrieve(
    source: VectorStore,
    target: VectorStore,
    rows: np.ndarray,
    k: int,
    method: Retrieval,
    csls_k: int,
    restrict: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    n_t = len(target) if restrict is None else min(restrict, len(target))
    n_s = len(source) if restrict is None else min(restrict, len(source))
    tgt = _unit32(np.asarray(target.vectors[:n_t]))
    q = _unit32(source.rows(rows))
    k = min(k, n_t)
    if method is Retrieval.csls:
        src = _unit32(np.asarray(source.vectors[:n_s]))
        r_s = _mean_top_k(tgt, src, csls_k)
    best_rows = np.empty((len(rows), k), dtype=np.int64)
    best_scores = np.empty((len(rows), k), dtype=np.float64)
    for start in range(0, len(rows), _BLOCK):
        qb = q[start : start + _BLOCK]
        scores = (qb @ tgt.T).astype(np.float64)
        if method is Retrieval.csls:
            scores = 2 * scores - _mean_top_k(qb, tgt, csls_k)[:, None] - r_s[None, :]
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        part_scores = np.take_along_axis(scores, part, axis=1)
        order = np.lexsort((part, -part_scores), axis=1)
        best_rows[start : start + len(qb)] = np.take_along_axis(part, order, axis=1)
        best_scores[start : start + len(qb)] = np.take_along_axis(part_scores, order, axis=1)
    return best_rows, best_scores


def translate(
    source: VectorStore,
    target: VectorStore,
    words: Sequence[str],
    *,
    k: int = 5,
    method: Retrieval = Retrieval.nn,
    csls_k: int = 10,
    restrict: int | None = None,
) -> list[Translation]:
    """The ``k`` best target words for each source word (``source`` already aligned to ``target``).

    ``restrict`` limits both vocabularies to their first N rows (candidates and CSLS neighbourhoods).

    Raises: AlignmentError for different dimensions; UnknownWordsError for unknown source words.
    """
    check_dimensions(source, target)
    missing = [w for w in words if w not in source.index]
    if missing:
        raise source.unknown(missing)
    rows = np.array([source.index[w] for w in words], dtype=np.int64)
    best, scores = _retrieve(source, target, rows, k, method, csls_k, restrict)
    return [
        Translation(
            w, tuple(Neighbor(target.words[r], float(s)) for r, s in zip(br, bs, strict=True))
        )
        for w, br, bs in zip(words, best, scores, strict=True)
    ]


def translation_precision(
    source: VectorStore,
    target: VectorStore,
    pairs: Iterable[tuple[str, str]],
    *,
    ks: Sequence[int] = (1, 5),
    method: Retrieval = Retrieval.nn,
    csls_k: int = 10,
    restrict: int | None = None,
) -> TranslationScore:
    """Precision@k of a test dictionary (``source<TAB>target`` pairs, several targets allowed).

    Queries whose source word, or all of whose gold targets, are missing are left out and named.
    """
    check_dimensions(source, target)
    pairs = list(pairs)
    gold: dict[str, set[str]] = {}
    for s, t in pairs:
        gold.setdefault(s, set()).add(t)
    oov = []
    covered = []
    for s, targets in gold.items():
        if s in source.index and any(t in target.index for t in targets):
            covered.append(s)
        else:
            oov.append(s)
    kmax = max(ks)
    precision = {k: 0.0 for k in ks}
    if covered:
        rows = np.array([source.index[w] for w in covered], dtype=np.int64)
        best, _ = _retrieve(source, target, rows, kmax, method, csls_k, restrict)
        gold_rows = [{target.index[t] for t in gold[w] if t in target.index} for w in covered]
        for k in ks:
            hits = sum(1 for br, g in zip(best, gold_rows, strict=True) if g & set(br[:k].tolist()))
            precision[k] = hits / len(covered)
    return TranslationScore(
        pairs=len(pairs),
        queries=len(gold),
        covered=len(covered),
        precision=precision,
        method=method,
        oov_words=tuple(oov),
    )


# -- plotting coordinates ---------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ShiftMap:
    """2-D positions of words in two aligned spaces, from one PCA fitted on both sets of points."""

    words: tuple[str, ...]
    xy_a: np.ndarray  # n x 2
    xy_b: np.ndarray  # n x 2
    cosines: tuple[float, ...]
    explained_variance_ratio: tuple[float, float]
    names: tuple[str, str]


def shift_map(a: VectorStore, b: VectorStore, words: Sequence[str]) -> ShiftMap:
    """Project each word's unit vector in ``a`` and in ``b`` (aligned spaces) onto the first two
    principal components of all 2n points, so the arrow a -> b shows how far it moved.

    Raises: AlignmentError for different dimensions or fewer than two words; UnknownWordsError.
    """
    shifts = word_shifts(a, b, words)
    if len(words) < 2:
        raise AlignmentError("a shift plot needs at least two words")
    pa = _unit32(a.rows(np.array([a.index[w] for w in words], dtype=np.int64)))
    pb = _unit32(b.rows(np.array([b.index[w] for w in words], dtype=np.int64)))
    both = np.vstack([pa, pb]).astype(np.float64)
    centred = both - both.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    xy = centred @ vt[:2].T
    total = float(np.sum(s**2)) or 1.0
    ratio = (float(s[0] ** 2 / total), float(s[1] ** 2 / total) if len(s) > 1 else 0.0)
    n = len(words)
    return ShiftMap(
        tuple(words), xy[:n], xy[n:], tuple(x.cosine for x in shifts), ratio, (a.name, b.name)
    )
