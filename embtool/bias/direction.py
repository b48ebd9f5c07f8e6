"""Bias directions (Bolukbasi et al. 2016), projections onto them, DirectBias and indirect bias.

A direction is the first principal component of the centred definitional pairs, exactly as
debiaswe's ``doPCA``: each word is unit-normalised, each pair's centre is subtracted from both
members, and PCA runs on those 2n difference vectors. It is oriented so that the *first* word of
each pair lies on the positive side (the bundled pairs are (female, male): positive = "she" side).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from embtool.bias.wordsets import definitional_pairs, lookup, neutral_professions, unit64
from embtool.errors import BiasError, OutputExistsError, UsageError, quote_words
from embtool.language import store_language
from embtool.vectors.store import VectorStore

DEFAULT_PAIR = ("she", "he")
DEFAULT_PAIR_ZH = ("她", "他")
MAX_COMPONENTS = 10
# PC1 "dominates" when it explains at least this many times the variance of PC2 (Bolukbasi et al.
# report one large eigenvalue and a flat tail; with PC1 < 2 x PC2 one direction is not the story).
DOMINANCE_RATIO = 2.0


class DirectionMethod(str, Enum):
    """How a bias direction is built from definitional pairs."""

    pca = "pca"
    pair = "pair"


@dataclass(frozen=True, eq=False)
class BiasDirection:
    """A unit bias direction and how it was made."""

    vector: np.ndarray  # unit vector, float64, shape (dim,)
    pairs: tuple[tuple[str, str], ...]  # definitional pairs actually used
    explained_variance_ratio: tuple[float, ...]  # PCA ratios (empty when from a single pair)
    method: str  # "pca" or "pair"

    @property
    def dim(self) -> int:
        return int(self.vector.shape[0])

    @property
    def dominant(self) -> bool:
        """True unless PCA's first component explains less than 2x the second's variance."""
        r = self.explained_variance_ratio
        return len(r) < 2 or r[0] >= DOMINANCE_RATIO * r[1]

    def to_json(self) -> dict:
        return {
            "method": self.method,
            "pairs": [list(p) for p in self.pairs],
            "explained_variance_ratio": list(self.explained_variance_ratio),
            "dim": self.dim,
            "vector": self.vector.tolist(),
        }


def _make(vector: np.ndarray, pairs, ratios, method: str) -> BiasDirection:
    v = np.array(vector, dtype=np.float64)
    v.flags.writeable = False
    return BiasDirection(
        v, tuple((str(a), str(b)) for a, b in pairs), tuple(float(r) for r in ratios), method
    )


def _resolve_pairs(
    store: VectorStore, pairs: Sequence[Sequence[str]], fold_case: bool
) -> tuple[list[tuple[str, str]], list[tuple[int, int]], list[str]]:
    """Usable pairs (matched words), their rows, and the words not in the vectors."""
    used: list[tuple[str, str]] = []
    rows: list[tuple[int, int]] = []
    missing: list[str] = []
    for pair in pairs:
        if len(pair) != 2:
            raise BiasError(
                f"a definitional pair needs 2 words, got {len(pair):,}: {quote_words(pair)}"
            )
        a, b = pair
        found = lookup(store, [a, b], fold_case=fold_case)
        if a == b or (not found.missing and len(found.rows) < 2):
            raise BiasError(f"cannot make a direction from identical words: {a!r} and {b!r}")
        if found.missing:
            missing.extend(found.missing)
            continue
        used.append((found.words[0], found.words[1]))
        rows.append((found.rows[0], found.rows[1]))
    return used, rows, missing


def bias_direction(
    store: VectorStore,
    pairs: Sequence[Sequence[str]] | None = None,
    *,
    method: DirectionMethod | str = "pca",
    fold_case: bool = True,
) -> BiasDirection:
    """The bias direction from definitional ``pairs`` (default: Bolukbasi's 10 she/he-style pairs).

    ``method="pca"``: first principal component of the centred pairs (debiaswe ``doPCA``); pairs
    with a word missing from the vectors are dropped (compare ``.pairs`` with what you asked for).
    ``method="pair"``: the normalised difference of the unit vectors of one pair (default she - he).
    Raises: BiasError (identical words, no usable pair), UnknownWordsError (``pair`` method).
    """
    method = DirectionMethod(method)
    if method is DirectionMethod.pair:
        pair_list = [DEFAULT_PAIR] if pairs is None else [tuple(p) for p in pairs]
        if len(pair_list) != 1:
            raise BiasError(f"the 'pair' method takes exactly one pair, got {len(pair_list)}")
        used, rows, missing = _resolve_pairs(store, pair_list, fold_case)
        if missing:
            raise store.unknown(missing)
        diff = np.diff(unit64(store, rows[0])[::-1], axis=0)[0]  # unit(a) - unit(b)
        norm = float(np.linalg.norm(diff))
        if norm < 1e-12:
            raise BiasError(
                f"cannot make a direction from {used[0][0]!r} and {used[0][1]!r}: "
                "their vectors point the same way"
            )
        return _make(diff / norm, used, (), method.value)

    pair_list = (
        definitional_pairs(store_language(store)) if pairs is None else [tuple(p) for p in pairs]
    )
    if not pair_list:
        raise BiasError("no definitional pairs given")
    used, rows, missing = _resolve_pairs(store, pair_list, fold_case)
    if not used:
        raise BiasError(
            f"none of the {len(pair_list)} definitional pairs is in the vectors ({store.name}); "
            f"missing: {', '.join(repr(w) for w in missing)}"
        )
    a = unit64(store, [r[0] for r in rows])
    b = unit64(store, [r[1] for r in rows])
    half = (a - b) / 2.0  # a - centre; b - centre = -half
    matrix = np.concatenate([half, -half])
    matrix = matrix - matrix.mean(axis=0)  # zero already; kept so this is PCA by definition
    _, s, vt = np.linalg.svd(matrix, full_matrices=False)
    total = float(np.sum(s**2))
    if total < 1e-24:
        raise BiasError("cannot make a direction: every definitional pair has identical vectors")
    k = min(MAX_COMPONENTS, len(used), len(s))  # rank <= number of pairs
    ratios = (s[:k] ** 2) / total
    v = vt[0]
    if float(np.sum((a - b) @ v)) < 0:
        v = -v
    return _make(v / np.linalg.norm(v), used, ratios, method.value)


def direction_from_vector(
    vector: Sequence[float] | np.ndarray,
    pairs: Sequence[Sequence[str]] = (),
    explained_variance_ratio: Sequence[float] = (),
    method: str = "pca",
) -> BiasDirection:
    """A direction from a given vector (normalised).  Raises: BiasError for a zero vector."""
    v = np.asarray(vector, dtype=np.float64).ravel()
    norm = float(np.linalg.norm(v)) if v.size else 0.0
    if norm == 0 or not np.isfinite(norm):
        raise BiasError("a bias direction must be a non-zero finite vector")
    return _make(v / norm, [tuple(p) for p in pairs], explained_variance_ratio, method)


def save_direction(direction: BiasDirection, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``direction`` as JSON (atomically).  Raises: OutputError."""
    from embtool.atomic import atomic_file

    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(path)
    with atomic_file(path) as tmp:
        tmp.write_text(json.dumps(direction.to_json(), indent=1) + "\n", encoding="utf-8")
    return path


def load_direction(path: str | Path) -> BiasDirection:
    """Read a direction written by :func:`save_direction`.  Raises: BiasError."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return direction_from_vector(
            data["vector"],
            data.get("pairs", ()),
            data.get("explained_variance_ratio", ()),
            data.get("method", "pca"),
        )
    except FileNotFoundError:
        raise BiasError(f"{path}: no such direction file") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BiasError(
            f"{path}: not a direction file written by 'embtool bias direction' ({exc})"
        ) from None


def _check_dim(store: VectorStore, direction: BiasDirection) -> None:
    if direction.dim != store.dim:
        raise BiasError(
            f"the direction has {direction.dim} dimensions but the vectors "
            f"({store.name}) have {store.dim}"
        )


def project(
    store: VectorStore,
    words: Sequence[str],
    direction: BiasDirection,
    *,
    fold_case: bool = True,
    skip_unknown: bool = False,
) -> list[tuple[str, float]]:
    """Cosine of each word with the direction, sorted from the direction's positive (first-word)
    side, as ``embtool bias project`` prints them (ties keep the order given; matched word forms).

    Raises: UnknownWordsError naming every unknown word (unless ``skip_unknown``), BiasError.
    """
    _check_dim(store, direction)
    found = lookup(store, words, fold_case=fold_case)
    if found.missing and not skip_unknown:
        raise store.unknown(found.missing)
    if not found.rows:
        return []
    cos = unit64(store, found.rows) @ direction.vector
    return sorted(
        ((w, float(c)) for w, c in zip(found.words, cos, strict=True)), key=lambda t: -t[1]
    )


@dataclass(frozen=True)
class DirectBiasResult:
    """DirectBias_c = mean over neutral words w of |cos(w, g)|^c (Bolukbasi et al. 2016, eq. 3)."""

    value: float
    c: float
    words: tuple[str, ...]
    missing: tuple[str, ...]
    requested: int

    @property
    def coverage(self) -> float:
        return len(self.words) / self.requested if self.requested else 0.0


def direct_bias(
    store: VectorStore,
    direction: BiasDirection,
    words: Sequence[str] | None = None,
    *,
    c: float = 1.0,
    fold_case: bool = True,
) -> DirectBiasResult:
    """DirectBias_c over ``words`` (default: the bundled gender-neutral professions).

    Unknown words are dropped and reported. Raises: BiasError when no word is left or c < 0.
    """
    if c < 0:
        raise BiasError(f"DirectBias strictness c must be >= 0, got {c}")
    _check_dim(store, direction)
    requested = list(
        dict.fromkeys(neutral_professions(store_language(store)) if words is None else words)
    )
    if not requested:
        raise BiasError("no neutral words given for DirectBias")
    found = lookup(store, requested, fold_case=fold_case)
    if not found.rows:
        raise BiasError(
            f"none of the {len(requested)} neutral words is in the vectors ({store.name})"
        )
    cos = np.abs(unit64(store, found.rows) @ direction.vector)
    value = float(np.mean(cos**c))
    return DirectBiasResult(value, float(c), found.words, found.missing, len(requested))


@dataclass(frozen=True)
class IndirectBiasResult:
    """beta(w, v) = (w.v - w_perp.v_perp / (|w_perp| |v_perp|)) / w.v on unit vectors."""

    word1: str
    word2: str
    beta: float
    similarity: float  # w.v
    similarity_without_direction: float  # cosine of the components orthogonal to g
    projection1: float  # w.g
    projection2: float  # v.g


def indirect_bias(
    store: VectorStore, word1: str, word2: str, direction: BiasDirection, *, fold_case: bool = True
) -> IndirectBiasResult:
    """Share of the similarity of two words due to the direction (Bolukbasi et al. 2016, §5).

    Raises: UnknownWordsError, BiasError (orthogonal words, or a word lying along the direction).
    """
    _check_dim(store, direction)
    resolved = store.resolve([word1, word2], fold_case=fold_case)
    w, v = unit64(store, [r.row for r in resolved])
    g = direction.vector
    wg, vg = float(w @ g), float(v @ g)
    wp, vp = w - wg * g, v - vg * g
    nw, nv = float(np.linalg.norm(wp)), float(np.linalg.norm(vp))
    if nw < 1e-12 or nv < 1e-12:
        lying = resolved[0].word if nw < 1e-12 else resolved[1].word
        raise BiasError(f"indirect bias is undefined: {lying!r} lies along the bias direction")
    sim = float(w @ v)
    if abs(sim) < 1e-12:
        raise BiasError(
            f"indirect bias is undefined: {resolved[0].word!r} and "
            f"{resolved[1].word!r} are orthogonal (w.v = 0)"
        )
    perp = float(wp @ vp) / (nw * nv)
    return IndirectBiasResult(
        resolved[0].word, resolved[1].word, (sim - perp) / sim, sim, perp, wg, vg
    )


@dataclass(frozen=True)
class DirectionChoice:
    """A direction picked from pairs or a file, and what went into it (for the caller to report)."""

    direction: BiasDirection
    source: Path | None
    asked: list[tuple[str, str]]
    dropped: list[tuple[str, str]]
    bundled: bool = False  # built from the default pairs, not pairs the caller gave


def choose_direction(
    store: VectorStore,
    pairs: list[tuple[str, str]] | None,
    method: DirectionMethod,
    direction_file: Path | None,
    *,
    fold_case: bool = True,
) -> DirectionChoice:
    """A saved direction, or one built from ``pairs`` (default: Bolukbasi's, or she:he for 'pair'; the store's language picks the Chinese lists and 她:他).

    Raises: UsageError when both a file and pairs are given; BiasError.
    """
    if direction_file is not None:
        if pairs:
            raise UsageError("give either `direction_file` or `pairs`, not both")
        d = load_direction(direction_file)
        return DirectionChoice(d, Path(direction_file), list(d.pairs), [])
    language = store_language(store)
    default_pair = DEFAULT_PAIR_ZH if language == "zh" else DEFAULT_PAIR
    requested = pairs or (None if method is DirectionMethod.pca else [default_pair])
    d = bias_direction(store, requested, method=method, fold_case=fold_case)
    asked = requested or definitional_pairs(language)
    used = set(d.pairs)
    dropped = [(a, b) for a, b in asked if not {(a, b), (a.lower(), b.lower())} & used]
    return DirectionChoice(d, None, list(asked), dropped, bundled=not pairs)
