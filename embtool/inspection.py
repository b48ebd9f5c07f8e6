"""What a vector file or store holds: format, size, bad bytes, duplicates, case, norms, origin.

:func:`inspect_vectors` reads leniently (duplicates and undecodable bytes are recorded, not
fatal), so it can describe exactly the files the strict readers refuse.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embtool.vectors.files import Progress, ReadReport
from embtool.vectors.formats import VectorFormat
from embtool.vectors.io import load_vectors
from embtool.vectors.options import ReadOptions
from embtool.vectors.store import VectorStore

MAX_LISTED = 20  # problems listed one by one; the totals are always exact


@dataclass(frozen=True)
class CaseProfile:
    """How words are cased: ``lower`` (paris), ``title`` (Paris), ``upper`` (USA), ``mixed``
    (iPhone), ``uncased`` (no cased letters: 1984, 北京, ...); ``with_twin`` words have a twin
    in another case (Paris and paris both present), ``twin_groups`` the number of such families."""

    lower: int
    title: int
    upper: int
    mixed: int
    uncased: int
    with_twin: int
    twin_groups: int
    examples: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class NormSummary:
    """L2 norms of the vectors (zero vectors can never be anyone's neighbour)."""

    min: float
    mean: float
    median: float
    max: float
    zero: int


@dataclass(frozen=True)
class VectorInfo:
    """Everything ``embtool info`` reports about one vector file or store."""

    path: str
    format: str
    format_label: str
    compression: str | None
    file_bytes: int
    words: int
    dim: int
    dtype: str
    header: list[int] | None
    limit: int | None
    counts_known: bool
    undecodable_total: int
    undecodable: list[dict[str, int]]
    duplicates_total: int
    duplicates: list[dict[str, Any]]
    case: CaseProfile
    norms: NormSummary
    history: list[dict[str, Any]]
    training: dict[str, Any] | None
    meta: dict[str, Any]
    # fastText n-gram hashing parameters when vectors for unseen words can be built, else None
    subwords: dict[str, Any] | None = None

    @property
    def oov_vectors(self) -> bool:
        """Whether vectors for words outside the vocabulary can be built (fastText subwords)."""
        return self.subwords is not None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "oov_vectors": self.oov_vectors}


def word_case(word: str) -> str:
    """``lower``, ``title``, ``upper``, ``mixed`` or ``uncased`` (no cased letters)."""
    if word.islower():
        return "lower"
    if word.isupper() and sum(c.isupper() for c in word) > 1:
        return "upper"  # USA, U.S.
    if word.istitle():
        return "title"  # Paris, New-York, A
    if word.isupper():
        return "upper"
    if word.lower() == word.upper():
        return "uncased"
    return "mixed"


def case_profile(words: list[str], examples: int = 5) -> CaseProfile:
    """Count cases and the words that have a twin differing only in case."""
    kinds = Counter(word_case(w) for w in words)
    families = Counter(w.lower() for w in words)
    twins = {k: n for k, n in families.items() if n > 1}
    listed: dict[str, list[str]] = {}
    if twins:
        for w in words:
            key = w.lower()
            if (key in twins and len(listed) < examples) or key in listed:
                listed.setdefault(key, []).append(w)
    return CaseProfile(
        lower=kinds["lower"],
        title=kinds["title"],
        upper=kinds["upper"],
        mixed=kinds["mixed"],
        uncased=kinds["uncased"],
        with_twin=sum(twins.values()),
        twin_groups=len(twins),
        examples=list(listed.values()),
    )


def norm_summary(store: VectorStore) -> NormSummary:
    norms = store.norms
    if len(norms) == 0:
        return NormSummary(0.0, 0.0, 0.0, 0.0, 0)
    return NormSummary(
        min=float(norms.min()),
        mean=float(norms.mean(dtype=np.float64)),
        median=float(np.median(norms)),
        max=float(norms.max()),
        zero=int(np.count_nonzero(norms == 0)),
    )


def _size_of(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return path.stat().st_size


def inspect_vectors(
    path: str | Path,
    options: ReadOptions | None = None,
    *,
    progress: Progress | None = None,
) -> VectorInfo:
    """Describe the vectors at ``path``, reading leniently.

    Raises: VectorFileError for what even a lenient read cannot get past (a malformed line, a
    truncated file, a missing file).
    """
    p = Path(path)
    report = ReadReport()
    store = load_vectors(p, options, report=report, progress=progress)
    fmt = VectorFormat(store.meta.get("source_format") or report.format or "store")
    meta = dict(store.meta)
    history = [
        h
        for h in meta.get("history", [])
        if not (h.get("action") == "load" and h.get("path") == str(p))
    ]
    header: list[int] | None = list(report.header) if report.header else None
    if fmt is VectorFormat.store and isinstance(meta.get("shape"), list):
        header = [int(x) for x in meta["shape"]]
    drop = ("history", "training", "source_format", "subwords")
    extra = {k: v for k, v in meta.items() if k not in drop}
    return VectorInfo(
        path=str(p),
        format=fmt.value,
        format_label=fmt.label,
        compression=report.compression,
        file_bytes=_size_of(p),
        words=len(store),
        dim=store.dim,
        dtype=str(store.dtype),
        header=header,
        limit=(options or ReadOptions()).limit,
        counts_known=store.has_counts,
        undecodable_total=len(report.undecodable),
        undecodable=[{"line": ln, "offset": off} for ln, off in report.undecodable[:MAX_LISTED]],
        duplicates_total=len(report.duplicates),
        duplicates=[{"line": ln, "word": w} for ln, w in report.duplicates[:MAX_LISTED]],
        case=case_profile(store.words),
        norms=norm_summary(store),
        history=history,
        training=meta.get("training"),
        meta=extra,
        subwords=store.subwords.describe() if store.subwords is not None else None,
    )
