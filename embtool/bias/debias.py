"""Hard debiasing (Bolukbasi et al. 2016): neutralize, then equalize, as debiaswe's ``debias()``.

1. All vectors are unit-normalised (debiaswe works on unit vectors).
2. The direction g is the PCA direction of the definitional pairs.
3. Neutralize: every word *not* in the gender-specific list loses its component along g and is
   re-normalised, so its projection on g is 0.
4. Equalize: for each equalize pair (a, b), in lower, Title and UPPER case where present, with
   mu = (a + b) / 2 and nu = mu - (mu . g) g, both words become nu +- sqrt(1 - |nu|^2) g: unit
   vectors symmetric about the neutral subspace, keeping their original order along g.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from embtool.bias.direction import BiasDirection, bias_direction
from embtool.bias.wordsets import equalize_pairs, gender_specific_words, neutral_professions
from embtool.errors import BiasError
from embtool.language import store_language
from embtool.progress import ProgressCallback, ProgressEvent
from embtool.vectors.store import VectorStore

_BLOCK = 65536


@dataclass(frozen=True)
class DebiasInfo:
    direction: BiasDirection
    neutralized: int  # words projected off the direction
    kept_specific: int  # gender-specific words left as they were (normalised)
    equalized: tuple[tuple[str, str], ...]  # pairs actually equalized (case variants included)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": "hard (neutralize + equalize), Bolukbasi et al. 2016",
            "direction": {
                "method": self.direction.method,
                "pairs": [list(p) for p in self.direction.pairs],
                "explained_variance_ratio": list(self.direction.explained_variance_ratio),
            },
            "neutralized": self.neutralized,
            "gender_specific_kept": self.kept_specific,
            "equalized": [list(p) for p in self.equalized],
        }


def _normalize_rows(v: np.ndarray) -> None:
    norms = np.sqrt(np.einsum("ij,ij->i", v, v))
    norms[norms == 0] = 1.0
    v /= norms[:, None]


def _case_variants(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for a, b in pairs:
        for f in (str.lower, str.title, str.upper):
            seen.setdefault((f(a), f(b)), None)
    return list(seen)


def hard_debias(
    store: VectorStore,
    *,
    definitional: Sequence[tuple[str, str]] | None = None,
    equalize: Sequence[tuple[str, str]] | None = None,
    gender_specific: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[VectorStore, DebiasInfo]:
    """A new, hard-debiased store (float32, unit rows) and what was done.

    Defaults: Bolukbasi's definitional pairs, the 52 equalize pairs and the 1,441-word
    gender-specific list. The new store's meta records the operation under ``meta["debias"]`` and
    in ``meta["history"]``. ``progress`` receives ``ProgressEvent("debias", rows done, rows,
    "words")`` per block of rows. Raises: BiasError.
    """
    direction = bias_direction(store, definitional, method="pca")
    g = direction.vector
    specific = set(
        gender_specific_words(True, store_language(store))
        if gender_specific is None
        else gender_specific
    )
    keep_mask = np.fromiter((w in specific for w in store.words), dtype=bool, count=len(store))
    g32 = g.astype(np.float32)
    out = np.empty((len(store), store.dim), dtype=np.float32)
    for start, block in store.blocks(size=_BLOCK):
        stop = start + len(block)
        v = out[start:stop]
        v[...] = block  # a copy: the source store is never modified
        _normalize_rows(v)
        # float32 is enough: the projection left on a neutral word is ~1e-7, far below 1e-6
        p = v @ g32
        p[keep_mask[start:stop]] = 0.0
        v -= p[:, None] * g32[None, :]
        _normalize_rows(v)
        if progress is not None:
            progress(ProgressEvent("debias", stop, len(store), "words", final=stop == len(store)))
    index = store.index
    equalized: list[tuple[str, str]] = []
    pairs = (
        equalize_pairs(store_language(store)) if equalize is None else [(a, b) for a, b in equalize]
    )
    for a, b in _case_variants(pairs):
        ia, ib = index.get(a), index.get(b)
        if ia is None or ib is None or ia == ib:
            continue
        va, vb = out[ia].astype(np.float64), out[ib].astype(np.float64)
        mu = (va + vb) / 2
        nu = mu - (mu @ g) * g
        z = np.sqrt(max(0.0, 1.0 - float(nu @ nu)))
        if (va - vb) @ g < 0:
            z = -z
        out[ia] = nu + z * g
        out[ib] = nu - z * g
        equalized.append((a, b))
    if not np.all(np.isfinite(out)):
        raise BiasError("debiasing produced non-finite values (are there NaNs in the vectors?)")
    info = DebiasInfo(direction, int((~keep_mask).sum()), int(keep_mask.sum()), tuple(equalized))
    meta = {k: v for k, v in store.meta.items() if k != "history"}
    history = list(store.meta.get("history", []))
    record = {
        "action": "debias",
        "method": "hard",
        "source": str(store.path) if store.path is not None else store.name,
        "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    meta["history"] = [*history, record]
    meta["debias"] = {
        **info.to_json(),
        "source": record["source"],
        "lists": "bundled Bolukbasi et al. 2016 (debiaswe)"
        if definitional is None and equalize is None and gender_specific is None
        else "custom",
    }
    new = VectorStore(
        store.words, out, counts=store.counts, meta=meta, name=f"{store.name}-debiased"
    )
    return new, info


GENDER_WEAT_TESTS = ("career-family", "math-arts", "science-arts")


@dataclass(frozen=True)
class DebiasComparison:
    """Before/after rows (measure, before, after), the WEAT tests that could not run, and notes
    on what was not measured (e.g. no WEAT word sets in the store's language)."""

    rows: list[dict[str, Any]]
    direct_bias_words: int
    direct_bias_requested: int
    left_out: list[tuple[str, str]]
    notes: tuple[str, ...] = ()


def compare_debiased(
    before: VectorStore, after: VectorStore, info: DebiasInfo, *, seed: int = 0
) -> DebiasComparison:
    """Before and after: DirectBias on the removed direction, ECT of the definitional pairs' two
    sides over the professions, and WEAT d and p on the gender tests. The word lists are those of
    the store's language; the WEAT sets are English only, so Chinese stores get a note instead."""
    from embtool.bias.direction import direct_bias
    from embtool.bias.measures import ect
    from embtool.bias.weat import get_weat_test, weat
    from embtool.bias.wordsets import definitional_pairs

    g = info.direction
    language = store_language(before)
    rows: list[dict[str, Any]] = []
    db = [direct_bias(s, g) for s in (before, after)]
    rows.append(
        {"measure": "DirectBias_1 (professions)", "before": db[0].value, "after": db[1].value}
    )
    pairs = definitional_pairs(language)
    left_out: list[tuple[str, str]] = []
    e: list[float | None] = []
    for when, s in (("before", before), ("after", after)):
        try:
            e.append(
                ect(
                    s, [a for a, _ in pairs], [b for _, b in pairs], neutral_professions(language)
                ).value
            )
        except BiasError as exc:  # e.g. undefined once every profession is neutral
            e.append(None)
            left_out.append(("ECT", f"{when}: {exc}"))
    rows.append({"measure": "ECT (professions)", "before": e[0], "after": e[1]})
    if language != "en":
        note = (
            f"WEAT: no gender test word sets in this store's language ({language}) are bundled "
            "(the Caliskan et al. sets are English); DirectBias and ECT use its own lists"
        )
        return DebiasComparison(rows, len(db[0].words), db[0].requested, left_out, (note,))
    for name in GENDER_WEAT_TESTS:
        test = get_weat_test(name)
        try:
            r = [weat(s, test, seed=seed) for s in (before, after)]
        except BiasError as exc:
            left_out.append((name, str(exc)))
            continue
        rows.append(
            {"measure": f"WEAT {name} d", "before": r[0].effect_size, "after": r[1].effect_size}
        )
        rows.append({"measure": f"WEAT {name} p", "before": r[0].p_value, "after": r[1].p_value})
    return DebiasComparison(rows, len(db[0].words), db[0].requested, left_out)


def benchmark_rows(
    before: VectorStore,
    after: VectorStore,
    analogy: list[str] | None,
    similarity: list[str] | None,
) -> list[dict[str, Any]]:
    """Before/after benchmark scores (what debiasing costs): analogy accuracy, similarity rho."""
    from embtool.evaluation import AnalogyResult, evaluate_store

    runs = [evaluate_store(s, analogy, similarity) for s in (before, after)]
    rows = []
    for b, a in zip(runs[0].results, runs[1].results, strict=True):
        what = "accuracy" if isinstance(b, AnalogyResult) else "spearman"
        rows.append({"measure": f"{b.benchmark} {what}", "before": b.score, "after": a.score})
    return rows
