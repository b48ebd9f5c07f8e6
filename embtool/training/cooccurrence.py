"""Word-word co-occurrence counts with the same definition as the GloVe reference ``cooccur``.

Definition (Pennington, Socher & Manning 2014; the Stanford ``vocab_count`` + ``cooccur`` tools):

- the vocabulary is every word seen at least ``min_count`` times, at most ``max_vocab`` of them,
  sorted by count (descending), ties broken by the word itself (code-point order);
- out-of-vocabulary tokens are dropped *before* windowing, so distances count in-vocabulary words;
- a window never crosses a line boundary (one sentence, paragraph or document per line);
- a pair at distance ``d`` (1 <= d <= window) adds ``1/d`` (or 1 without distance weighting);
- symmetric (default): X[a, b] and X[b, a] both receive each pair (a word next to itself adds 2/d
  to X[a, a], as in the reference); asymmetric: X[left, right] only, left context of ``right``.

Counting is vectorised: each chunk of token ids becomes int64 keys (pair + distance), sorted with
NumPy and reduced with integer arithmetic (exact for windows up to 20), then merged as CSR matrices.
Memory is bounded by ``memory_gb``: chunk size follows the budget and partial results spill to
temporary files, merged at the end one block of rows at a time.

A symmetric matrix is stored as its upper triangle (diagonal included, with its full value);
:meth:`Cooccurrence.to_scipy` rebuilds the whole matrix, :meth:`Cooccurrence.triples` every
nonzero (i, j, x) of it, which is what GloVe trains on.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import itertools
import json
import math
import shutil
import tempfile
import weakref
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embtool.atomic import atomic_file, scratch_dir, scratch_prefix
from embtool.errors import (
    CooccurrenceError,
    CorpusError,
    InvalidOptionError,
    OutputError,
    OutputExistsError,
)

COOC_FORMAT = "embtool-cooccurrence"
COOC_FORMAT_VERSION = 1
MAX_EXACT_WINDOW = 20  # lcm(1..20) * pairs fits int64: sums of 1/d stay exact integers
_GB = 1024**3
_SENTINEL = np.iinfo(np.int64).max
_LINES_PER_GROUP = 2048
# Bytes of working memory per token of a chunk, per unit of window: int64 key + int64 weight
# + bool flag + share of int64 group starts, plus headroom for NumPy temporaries.
_CHUNK_BYTES_PER_PAIR = 34
_STORED_BYTES = 12  # int32 column + float64 value per stored nonzero while counting
MIN_MEMORY_GB = 0.05
# Chunks of ~256k tokens keep the sort and reduction in cache; measured fastest on 2M tokens.
_MAX_CHUNK = 1 << 18

ProgressFn = Callable[[str, int, "int | None"], None]


# -- vocabulary ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Vocabulary:
    """Words in row order (count descending, ties by word) with their corpus counts."""

    words: tuple[str, ...]
    counts: np.ndarray
    min_count: int = 1
    max_vocab: int | None = None
    total_tokens: int = 0
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._index:
            self._index.update((w, i) for i, w in enumerate(self.words))

    def __len__(self) -> int:
        return len(self.words)

    @property
    def index(self) -> dict[str, int]:
        """word -> row."""
        return self._index

    def ids(self, tokens: Iterable[str], count: int = -1) -> np.ndarray:
        """Row ids of ``tokens`` as int32, -1 for words not in the vocabulary (no Python loop)."""
        return np.fromiter(
            map(self._index.get, tokens, itertools.repeat(-1)), dtype=np.int32, count=count
        )


def count_words(sentences: Iterable[Sequence[str]]) -> tuple[Counter[str], int, int]:
    """Count the tokens of ``sentences`` (token lists). Returns (counts, tokens, lines)."""
    counts: Counter[str] = Counter()
    tokens = 0
    lines = 0
    for sentence in sentences:
        counts.update(sentence)
        tokens += len(sentence)
        lines += 1
    return counts, tokens, lines


def build_vocabulary(
    counts: Mapping[str, int] | Iterable[Sequence[str]],
    *,
    min_count: int = 5,
    max_vocab: int | None = None,
) -> Vocabulary:
    """The GloVe vocabulary: words with at least ``min_count`` occurrences, at most ``max_vocab``.

    Sorted by count (descending), ties broken by the word (code-point order), so the result is
    deterministic. (The reference ``vocab_count`` compares ties as signed bytes, which puts
    non-ASCII words first, and picks tied words at a ``max_vocab`` cut pseudo-randomly.)

    Raises: CorpusError when the corpus is empty or no word reaches ``min_count``.
    """
    if min_count < 1:
        raise InvalidOptionError("min_count", "must be at least 1", min_count)
    if max_vocab is not None and max_vocab < 1:
        raise InvalidOptionError("max_vocab", "must be at least 1", max_vocab)
    if not isinstance(counts, Mapping):
        counts = count_words(counts)[0]
    total = int(sum(counts.values()))
    if total == 0:
        raise CorpusError("the corpus is empty: no tokens found")
    kept = sorted(
        ((w, c) for w, c in counts.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0])
    )
    if max_vocab is not None:
        kept = kept[:max_vocab]
    if not kept:
        best = max(counts.values())
        raise CorpusError(
            f"no word occurs at least {min_count} times (`min_count={min_count}`; the most "
            f"frequent word occurs {best} times): lower `min_count` or use a bigger corpus"
        )
    words = tuple(w for w, _ in kept)
    return Vocabulary(
        words,
        np.fromiter((c for _, c in kept), dtype=np.int64, count=len(kept)),
        min_count=min_count,
        max_vocab=max_vocab,
        total_tokens=total,
    )


# -- settings and result -------------------------------------------------------------------------
@dataclass(frozen=True)
class CooccurrenceSettings:
    """How pairs are counted (everything that changes the numbers, apart from the corpus)."""

    window: int = 10
    symmetric: bool = True
    distance_weighting: bool = True

    def __post_init__(self) -> None:
        if self.window < 1:
            raise InvalidOptionError("window", "must be at least 1", self.window)

    def to_dict(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "symmetric": self.symmetric,
            "distance_weighting": self.distance_weighting,
        }


class Cooccurrence:
    """A counted co-occurrence matrix: CSR arrays of the stored part, the vocabulary and settings.

    For a symmetric count the stored part is the upper triangle (diagonal included); otherwise the
    whole matrix. Rows and columns are vocabulary ids. ``data`` is float32.
    """

    def __init__(
        self,
        vocab: Vocabulary,
        settings: CooccurrenceSettings,
        indptr: np.ndarray,
        indices: np.ndarray,
        data: np.ndarray,
        *,
        meta: dict[str, Any] | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> None:
        self.vocab = vocab
        self.settings = settings
        self.indptr = indptr
        self.indices = indices
        self.data = data
        self.meta: dict[str, Any] = dict(meta or {})
        self._diagonal: int | None = None
        self._finalizer = weakref.finalize(self, cleanup) if cleanup else None

    def close(self) -> None:
        """Release temporary files backing the arrays (a spilled count keeps them until then)."""
        self.indptr = self.indices = self.data = np.zeros(0)  # drop memory maps before deleting
        if self._finalizer is not None:
            self._finalizer()

    def __enter__(self) -> Cooccurrence:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def stored_nnz(self) -> int:
        return int(self.indptr[-1])

    @property
    def nnz(self) -> int:
        """Nonzeros of the whole matrix (both triangles of a symmetric one)."""
        if not self.settings.symmetric:
            return self.stored_nnz
        return 2 * self.stored_nnz - self.diagonal_nnz

    @property
    def diagonal_nnz(self) -> int:
        """Stored nonzeros on the diagonal (counted in blocks of rows, memory bounded)."""
        if self._diagonal is None:
            indptr = np.asarray(self.indptr)
            found = 0
            r0 = 0
            while r0 < self.vocab_size:
                r1 = int(np.searchsorted(indptr, indptr[r0] + (1 << 22), side="right")) - 1
                r1 = min(max(r1, r0 + 1), self.vocab_size)
                a, b = int(indptr[r0]), int(indptr[r1])
                rows = np.repeat(np.arange(r0, r1, dtype=np.int32), np.diff(indptr[r0 : r1 + 1]))
                found += int(np.count_nonzero(rows == np.asarray(self.indices[a:b])))
                r0 = r1
            self._diagonal = found
        return self._diagonal

    def rows(self) -> np.ndarray:
        """Row id of every stored nonzero (int32)."""
        counts = np.diff(self.indptr)
        return np.repeat(np.arange(self.vocab_size, dtype=np.int32), counts)

    def to_scipy(self, format: str = "csr"):
        """The whole matrix as a scipy sparse matrix (float32), both triangles when symmetric."""
        import scipy.sparse as sp

        v = self.vocab_size
        stored = sp.csr_matrix(
            (np.asarray(self.data), np.asarray(self.indices), np.asarray(self.indptr)), shape=(v, v)
        )
        if self.settings.symmetric:
            full = (stored + sp.triu(stored, k=1, format="csr").T).tocsr()
            full.sort_indices()
        else:
            full = stored
        return full.asformat(format)

    def triples(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every nonzero of the whole matrix as (row int32, col int32, value float32)."""
        rows = self.rows()
        cols = np.asarray(self.indices, dtype=np.int32)
        vals = np.asarray(self.data, dtype=np.float32)
        if not self.settings.symmetric:
            return rows, cols, vals
        off = rows != cols
        return (
            np.concatenate([rows, cols[off]]),
            np.concatenate([cols, rows[off]]),
            np.concatenate([vals, vals[off]]),
        )

    def top(self, k: int) -> list[tuple[str, str, float]]:
        """The ``k`` largest stored entries as (word, context, value), largest first."""
        data = np.asarray(self.data)
        k = min(k, data.size)
        if k <= 0:
            return []
        kth = np.partition(data, data.size - k)[data.size - k]
        part = np.flatnonzero(data >= kth)  # ties at the cut included, so the choice is stable
        rows = np.searchsorted(np.asarray(self.indptr), part, side="right") - 1
        cols = np.asarray(self.indices)[part]
        vals = data[part]
        order = np.lexsort((cols, rows, -vals))[:k]
        words = self.vocab.words
        return [(words[rows[t]], words[cols[t]], float(vals[t])) for t in order]


# -- counting ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Plan:
    chunk_tokens: int
    spill_bytes: int
    merge_bytes: int


def plan_memory(memory_gb: float, vocab_size: int, window: int) -> _Plan:
    """Split a memory budget between chunk work, kept partial results and the final merge.

    Raises: CooccurrenceError when the budget cannot hold even a small chunk and the per-row index.
    """
    budget = memory_gb * _GB
    fixed = (
        vocab_size * 200 + 64 * 1024**2
    )  # vocabulary dict + words, index arrays, interpreter slack
    min_chunk = 20_000
    need = fixed + min_chunk * window * _CHUNK_BYTES_PER_PAIR * 2 + vocab_size * 8 * 8
    if budget < need or memory_gb < MIN_MEMORY_GB:
        need_gb = max(need / _GB, MIN_MEMORY_GB)
        raise CooccurrenceError(
            f"`memory_gb={memory_gb:g}` GB is too small to count a {vocab_size:,}-word vocabulary "
            f"with window {window}: at least {math.ceil(need_gb * 100) / 100:.2f} GB is needed"
        )
    free = budget - fixed
    chunk_share = 0.30 * free
    chunk_tokens = int(
        max(min_chunk, min(chunk_share / (window * _CHUNK_BYTES_PER_PAIR), _MAX_CHUNK))
    )
    return _Plan(
        chunk_tokens=chunk_tokens, spill_bytes=int(0.30 * free), merge_bytes=int(0.25 * free)
    )


class _Counter:
    """Turns chunks of token ids into sorted CSR partial counts, spilling to disk over budget."""

    def __init__(
        self, vocab_size: int, settings: CooccurrenceSettings, plan: _Plan, tmp_dir: Path
    ) -> None:
        self.v = vocab_size
        self.settings = settings
        self.plan = plan
        self.tmp_dir = tmp_dir
        w = settings.window
        self.shift = max(1, (w - 1).bit_length()) if settings.distance_weighting else 0
        if self.v * self.v > (_SENTINEL >> self.shift):
            raise CooccurrenceError(
                f"a {self.v:,}-word vocabulary is too large to count with window {w}"
            )
        self.exact = (not settings.distance_weighting) or w <= MAX_EXACT_WINDOW
        if settings.distance_weighting:
            self.scale = math.lcm(*range(1, w + 1)) if self.exact else 1
            dists = np.arange(1, (1 << self.shift) + 1)
            self.weight_int = np.where(dists <= w, self.scale // dists, 0).astype(np.int64)
            self.weight_float = np.where(dists <= w, 1.0 / dists, 0.0)
        else:
            self.scale = 1
        self.stack: list[tuple[int, Any]] = []  # (level, csr) binary-counter merge stack
        self.stack_bytes = 0
        self.runs: list[Path] = []
        self.pairs = 0

    # chunk -> keys -> reduced CSR
    def add_chunk(self, ids: np.ndarray, pos: np.ndarray, start: int) -> None:
        """Count the pairs whose right-hand token is at index >= ``start`` of ``ids``.

        ``pos[k]`` is the in-vocabulary position of token k in its line, so the pair (k - d, k) lies
        within one line exactly when ``pos[k] >= d``.
        """
        n = ids.size
        w = self.settings.window
        v = self.v
        s = self.shift
        total = sum(max(0, n - max(d, start)) for d in range(1, w + 1))
        if total == 0:
            return
        keys = np.empty(total, dtype=np.int64)
        ids64 = ids.astype(np.int64)
        a_buf = np.empty(n, dtype=np.int64)
        b_buf = np.empty(n, dtype=np.int64)
        at = 0
        for d in range(1, w + 1):
            lo_k = max(d, start)
            m = n - lo_k
            if m <= 0:
                continue
            left = ids64[lo_k - d : n - d]
            right = ids64[lo_k:n]
            a, b = a_buf[:m], b_buf[:m]
            if self.settings.symmetric:
                np.minimum(left, right, out=a)
                np.maximum(left, right, out=b)
            else:
                a[:] = left
                b[:] = right
            out = keys[at : at + m]
            np.multiply(a, v << s, out=out)
            if s:
                np.left_shift(b, s, out=b)
            out += b
            if s:
                out += d - 1
            out[pos[lo_k:n] < d] = _SENTINEL
            at += m
        keys.sort()
        valid = int(np.searchsorted(keys, _SENTINEL))
        keys = keys[:valid]
        self.pairs += valid
        if valid:
            self._push(self._reduce(keys))

    def _reduce(self, keys: np.ndarray):
        import scipy.sparse as sp

        s = self.shift
        pair = keys >> s if s else keys
        flag = np.empty(pair.size, dtype=bool)
        flag[0] = True
        np.not_equal(pair[1:], pair[:-1], out=flag[1:])
        starts = np.flatnonzero(flag)
        uniq = pair[starts]
        del pair, flag
        if not self.settings.distance_weighting:
            ends = np.append(starts[1:], keys.size)
            values = (ends - starts).astype(np.float64)
        elif self.exact:
            weights = self.weight_int[keys & ((1 << s) - 1)]
            np.cumsum(weights, out=weights)
            ends = np.append(starts[1:], keys.size) - 1
            sums = weights[ends]
            sums[1:] -= weights[starts[1:] - 1]
            values = sums / float(self.scale)
            del weights
        else:
            values = np.add.reduceat(self.weight_float[keys & ((1 << s) - 1)], starts)
        # Keys are sorted, so row boundaries come from a binary search (no int64 division).
        row_base = np.arange(self.v + 1, dtype=np.int64) * self.v
        indptr = np.searchsorted(uniq, row_base)
        uniq -= np.repeat(row_base[:-1], np.diff(indptr))
        cols = uniq.astype(np.int32)
        if self.settings.symmetric:
            # store the diagonal with its full value: X[a, a] receives every pair twice
            diag = np.repeat(np.arange(self.v, dtype=np.int32), np.diff(indptr)) == cols
            values[diag] *= 2.0
        return sp.csr_matrix((values, cols, indptr), shape=(self.v, self.v))

    @staticmethod
    def _bytes(m) -> int:
        return m.data.nbytes + m.indices.nbytes + m.indptr.nbytes

    def _push(self, m) -> None:
        level = 0
        self.stack_bytes += self._bytes(m)
        while self.stack and self.stack[-1][0] == level:
            _, top = self.stack.pop()
            self.stack_bytes -= self._bytes(top) + self._bytes(m)
            m = _add(top, m)
            self.stack_bytes += self._bytes(m)
            level += 1
        self.stack.append((level, m))
        if self.stack_bytes > self.plan.spill_bytes:
            self._spill()

    def _spill(self) -> None:
        for _, m in self.stack:
            path = self.tmp_dir / f"run{len(self.runs):04d}"
            path.mkdir()
            np.save(path / "indptr.npy", m.indptr.astype(np.int64, copy=False))
            m.indices.astype(np.int32, copy=False).tofile(path / "indices.bin")
            m.data.astype(np.float64, copy=False).tofile(path / "data.bin")
            self.runs.append(path)
        self.stack.clear()
        self.stack_bytes = 0

    def finish(
        self, progress: ProgressFn | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """Merge everything: (indptr, indices, data float32, spilled)."""
        if not self.runs:
            if not self.stack:
                return (
                    np.zeros(self.v + 1, np.int64),
                    np.zeros(0, np.int32),
                    np.zeros(0, np.float32),
                    False,
                )
            ms = sorted((m for _, m in self.stack), key=lambda m: m.nnz)
            self.stack.clear()
            total = ms.pop(0)
            while ms:
                total = _add(total, ms.pop(0))
            return (
                total.indptr.astype(np.int64, copy=False),
                total.indices.astype(np.int32, copy=False),
                total.data.astype(np.float32),
                False,
            )
        self._spill()
        indptr, indices_path, data_path = self._merge_runs(progress)
        n = int(indptr[-1])
        indices = (
            np.memmap(indices_path, dtype=np.int32, mode="r", shape=(n,))
            if n
            else np.zeros(0, np.int32)
        )
        data = (
            np.memmap(data_path, dtype=np.float32, mode="r", shape=(n,))
            if n
            else np.zeros(0, np.float32)
        )
        return indptr, indices, data, True

    def _merge_runs(self, progress: ProgressFn | None) -> tuple[np.ndarray, Path, Path]:
        import scipy.sparse as sp

        # Slices are read with plain file reads, not memory maps: mapped pages would stay resident
        # (and count against the process) long after their block was merged.
        runs = [(np.load(p / "indptr.npy"), p / "indices.bin", p / "data.bin") for p in self.runs]
        per_row = np.zeros(self.v, dtype=np.int64)
        for indptr, _, _ in runs:
            per_row += np.diff(indptr)
        cum = np.concatenate([[0], np.cumsum(per_row)])
        # Each block of rows holds at most merge_bytes of input (x3 for the pairwise sums).
        per_block = max(1, self.plan.merge_bytes // (3 * _STORED_BYTES))
        out_indptr = np.zeros(self.v + 1, dtype=np.int64)
        indices_path = self.tmp_dir / "merged_indices.bin"
        data_path = self.tmp_dir / "merged_data.bin"
        done = 0
        with open(indices_path, "wb") as fi, open(data_path, "wb") as fd:
            r0 = 0
            while r0 < self.v:
                r1 = int(np.searchsorted(cum, cum[r0] + per_block, side="right")) - 1
                r1 = min(max(r1, r0 + 1), self.v)
                parts = []
                for indptr, indices, data in runs:
                    a, b = int(indptr[r0]), int(indptr[r1])
                    if b > a:
                        parts.append(
                            sp.csr_matrix(
                                (
                                    np.fromfile(data, np.float64, b - a, offset=8 * a),
                                    np.fromfile(indices, np.int32, b - a, offset=4 * a),
                                    indptr[r0 : r1 + 1] - a,
                                ),
                                shape=(r1 - r0, self.v),
                            )
                        )
                if parts:
                    parts.sort(key=lambda m: m.nnz)
                    block = parts.pop(0)
                    while parts:
                        block = _add(block, parts.pop(0))
                    fi.write(block.indices.astype(np.int32, copy=False).tobytes())
                    fd.write(block.data.astype(np.float32).tobytes())
                    out_indptr[r0 + 1 : r1 + 1] = done + block.indptr[1:]
                    done += block.nnz
                else:
                    out_indptr[r0 + 1 : r1 + 1] = done
                if progress is not None:
                    progress("merge", r1, self.v)
                r0 = r1
        return out_indptr, indices_path, data_path


def _add(a, b):
    """Sum two canonical CSR matrices (scipy merges sorted rows in C, no sorting needed)."""
    out = a + b
    if not out.has_sorted_indices:
        out.sort_indices()
    return out


class _Batcher:
    """Collects token ids of whole lines into chunks of about ``chunk_tokens`` in-vocabulary ids."""

    def __init__(self, counter: _Counter, chunk_tokens: int, window: int) -> None:
        self.counter = counter
        self.cap = chunk_tokens
        self.window = window
        self.ids: list[np.ndarray] = []
        self.pos: list[np.ndarray] = []
        self.size = 0
        self.carry_ids = np.zeros(0, np.int32)
        self.carry_pos = np.zeros(0, np.int32)

    def add_group(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        """Add lines given as concatenated ids (-1 = out of vocabulary) and their token counts."""
        keep = ids >= 0
        kept = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
        ends = np.cumsum(lengths)
        new_len = kept[ends] - kept[ends - lengths]
        ids = ids[keep]
        if ids.size == 0:
            return
        line_start = np.repeat(np.cumsum(new_len) - new_len, new_len)
        pos = (np.arange(ids.size, dtype=np.int64) - line_start).astype(np.int32)
        self.ids.append(ids)
        self.pos.append(pos)
        self.size += ids.size
        if self.size >= self.cap:
            self.flush()

    def flush(self) -> None:
        if not self.ids:
            return
        ids = np.concatenate([self.carry_ids, *self.ids])
        pos = np.concatenate([self.carry_pos, *self.pos])
        start = self.carry_ids.size
        self.ids.clear()
        self.pos.clear()
        self.size = 0
        step = self.cap
        # A chunk bigger than the budget (one huge line) is cut; the last `window` ids of each piece
        # go along as context for the next one.
        while ids.size - start > 0:
            end = min(ids.size, start + step)
            self.counter.add_chunk(ids[:end], pos[:end], start)
            keep_from = max(0, end - self.window)
            ids, pos = ids[keep_from:], pos[keep_from:]
            start = end - keep_from
        self.carry_ids, self.carry_pos = ids.copy(), pos.copy()


def count_cooccurrences(
    sentences: Iterable[Sequence[str]],
    vocab: Vocabulary,
    settings: CooccurrenceSettings | None = None,
    *,
    memory_gb: float = 4.0,
    tmp_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    total_tokens: int | None = None,
    meta: dict[str, Any] | None = None,
) -> Cooccurrence:
    """Count co-occurrences of ``vocab`` words in ``sentences`` (token lists, one per line).

    ``progress(phase, done, total)`` is called with phase ``"count"`` (tokens read) and ``"merge"``
    (rows merged, only when partial results were spilled to ``tmp_dir``).

    Raises: CooccurrenceError for a budget too small to make progress; CorpusError when no
    in-vocabulary token is found.
    """
    settings = settings or CooccurrenceSettings()
    plan = plan_memory(memory_gb, len(vocab), settings.window)
    where = scratch_dir(tmp_dir)
    work = Path(
        tempfile.mkdtemp(prefix=scratch_prefix("embtool-cooc", where), suffix=".tmp", dir=where)
    )
    cleanup = _Remover(work)
    try:
        counter = _Counter(len(vocab), settings, plan, work)
        batcher = _Batcher(counter, plan.chunk_tokens, settings.window)
        tokens = lines = 0
        for group in _groups(sentences, _LINES_PER_GROUP):
            n = sum(map(len, group))
            lengths = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
            ids = vocab.ids(itertools.chain.from_iterable(group), n)
            batcher.add_group(ids, lengths)
            tokens += n
            lines += len(group)
            if progress is not None:
                progress("count", tokens, total_tokens)
        batcher.flush()
        if counter.pairs == 0 and tokens == 0:
            raise CorpusError("the corpus is empty: no tokens found")
        indptr, indices, data, spilled = counter.finish(progress)
        info = {
            "tokens": tokens,
            "lines": lines,
            "pairs": counter.pairs,
            "spilled_runs": len(counter.runs),
            "chunk_tokens": plan.chunk_tokens,
            "memory_gb": memory_gb,
            **(meta or {}),
        }
        if not spilled:
            cleanup()
            return Cooccurrence(vocab, settings, indptr, indices, data, meta=info)
        for run in counter.runs:
            shutil.rmtree(run, ignore_errors=True)
        return Cooccurrence(vocab, settings, indptr, indices, data, meta=info, cleanup=cleanup)
    except BaseException:
        cleanup()
        raise


class _Remover:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _groups(sentences: Iterable[Sequence[str]], size: int) -> Iterator[list[Sequence[str]]]:
    it = iter(sentences)
    while True:
        group = list(itertools.islice(it, size))
        if not group:
            return
        yield group


def count_corpus(
    sentences: Iterable[Sequence[str]],
    *,
    min_count: int = 5,
    max_vocab: int | None = None,
    settings: CooccurrenceSettings | None = None,
    memory_gb: float = 4.0,
    tmp_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    meta: dict[str, Any] | None = None,
) -> Cooccurrence:
    """Two passes over a re-iterable corpus: the vocabulary, then the co-occurrence counts.

    Raises: CorpusError, CooccurrenceError.
    """
    counts, tokens, _ = count_words(sentences)
    if progress is not None:
        progress("vocab", tokens, tokens)
    vocab = build_vocabulary(counts, min_count=min_count, max_vocab=max_vocab)
    del counts
    return count_cooccurrences(
        sentences,
        vocab,
        settings,
        memory_gb=memory_gb,
        tmp_dir=tmp_dir,
        progress=progress,
        total_tokens=tokens,
        meta=meta,
    )


# -- file format ---------------------------------------------------------------------------------
def save_cooccurrence(cooc: Cooccurrence, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``cooc`` to one ``.npz`` file (uncompressed zip; ``numpy.load`` reads it), atomically.

    Members: ``meta.json``, ``vocab.txt`` (word TAB count), ``indptr.npy`` (int64),
    ``indices.npy`` (int32), ``data.npy`` (float32): the CSR arrays of the stored part.

    Raises: CooccurrenceError when the path cannot be written.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(path)
    if path.is_dir():
        raise OutputError(f"{path} is a directory")
    try:
        with (
            atomic_file(path) as tmp,
            zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf,
        ):
            zf.writestr(
                "meta.json", json.dumps(cooccurrence_meta(cooc), indent=2, ensure_ascii=False)
            )
            vocab_text = "".join(
                f"{w}\t{c}\n"
                for w, c in zip(cooc.vocab.words, cooc.vocab.counts.tolist(), strict=True)
            )
            zf.writestr("vocab.txt", vocab_text.encode("utf-8"))
            for name, arr in (
                ("indptr", cooc.indptr),
                ("indices", cooc.indices),
                ("data", cooc.data),
            ):
                _write_npy_member(zf, f"{name}.npy", arr)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def _write_npy_member(
    zf: zipfile.ZipFile, name: str, arr: np.ndarray, block: int = 1 << 22
) -> None:
    with zf.open(name, "w", force_zip64=True) as f:
        np.lib.format.write_array_header_1_0(
            f,
            {
                "descr": np.lib.format.dtype_to_descr(arr.dtype),
                "fortran_order": False,
                "shape": (int(arr.shape[0]),),
            },
        )
        if isinstance(arr, np.memmap) and arr.filename is not None and arr.offset == 0:
            # copy a spilled result by file reads, so its pages are not kept mapped
            with open(arr.filename, "rb") as src:
                shutil.copyfileobj(src, f, 1 << 24)
            return
        for start in range(0, arr.shape[0], block):
            f.write(np.ascontiguousarray(arr[start : start + block]).tobytes())


def cooccurrence_meta(cooc: Cooccurrence) -> dict[str, Any]:
    """The ``meta.json`` of a co-occurrence file."""
    from embtool import __version__

    return {
        "format": COOC_FORMAT,
        "format_version": COOC_FORMAT_VERSION,
        "stored": "upper" if cooc.settings.symmetric else "full",
        **cooc.settings.to_dict(),
        "min_count": cooc.vocab.min_count,
        "max_vocab": cooc.vocab.max_vocab,
        "vocab_size": cooc.vocab_size,
        "corpus_tokens": cooc.vocab.total_tokens,
        "stored_nnz": cooc.stored_nnz,
        "nnz": cooc.nnz,
        "dtype": "float32",
        "embtool_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        **{
            k: v
            for k, v in cooc.meta.items()
            if k not in ("memory_gb", "chunk_tokens", "spilled_runs")
        },
    }


def read_cooccurrence_meta(path: str | Path) -> dict[str, Any]:
    """Only the ``meta.json`` of a co-occurrence file (cheap).  Raises: CooccurrenceError."""
    path = Path(path)
    with _open_zip(path) as zf:
        return _read_meta(zf, path)


def load_cooccurrence(path: str | Path) -> Cooccurrence:
    """Read a co-occurrence file written by :func:`save_cooccurrence`, checking its consistency.

    Raises: CooccurrenceError naming the file and what is wrong with it.
    """
    path = Path(path)
    with _open_zip(path) as zf:
        meta = _read_meta(zf, path)
        try:
            vocab_lines = zf.read("vocab.txt").decode("utf-8").split("\n")
            indptr = _read_npy(zf, "indptr.npy", path)
            indices = _read_npy(zf, "indices.npy", path)
            data = _read_npy(zf, "data.npy", path)
        except KeyError as exc:
            raise CooccurrenceError(
                f"{path}: not a complete co-occurrence file (missing {exc})"
            ) from None
        except (zipfile.BadZipFile, OSError, EOFError, UnicodeDecodeError) as exc:
            raise CooccurrenceError(f"{path}: corrupt co-occurrence file ({exc})") from None
    if vocab_lines and vocab_lines[-1] == "":
        vocab_lines.pop()
    words: list[str] = []
    counts: list[int] = []
    for n, line in enumerate(vocab_lines, 1):
        word, sep, count = line.rpartition("\t")
        if not sep or not count.isdigit():
            raise CooccurrenceError(f"{path}: corrupt vocab.txt line {n}")
        words.append(word)
        counts.append(int(count))
    v = len(words)
    problem = None
    if v != meta.get("vocab_size"):
        problem = f"vocab.txt has {v} words but meta.json says {meta.get('vocab_size')}"
    elif indptr.dtype != np.int64 or indptr.ndim != 1 or indptr.size != v + 1:
        problem = "indptr does not match the vocabulary"
    elif indices.dtype != np.int32 or data.dtype != np.float32 or indices.size != data.size:
        problem = "indices and data do not match"
    elif indptr[0] != 0 or indptr[-1] != indices.size or np.any(np.diff(indptr) < 0):
        problem = "indptr is inconsistent"
    elif indices.size and (indices.min() < 0 or indices.max() >= v):
        problem = "a column index is outside the vocabulary"
    elif data.size and not (np.all(np.isfinite(data)) and data.min() > 0):
        problem = "a count is zero, negative or not finite"
    if problem:
        raise CooccurrenceError(f"{path}: corrupt co-occurrence file: {problem}")
    settings = CooccurrenceSettings(
        window=int(meta["window"]),
        symmetric=bool(meta["symmetric"]),
        distance_weighting=bool(meta.get("distance_weighting", True)),
    )
    vocab = Vocabulary(
        tuple(words),
        np.asarray(counts, dtype=np.int64),
        min_count=int(meta.get("min_count", 1)),
        max_vocab=meta.get("max_vocab"),
        total_tokens=int(meta.get("corpus_tokens", 0)),
    )
    keep = {
        k: v for k, v in meta.items() if k in ("tokens", "lines", "pairs", "corpus", "tokenizer")
    }
    return Cooccurrence(vocab, settings, indptr, indices, data, meta=keep)


@contextlib.contextmanager
def _open_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    if not path.exists():
        raise CooccurrenceError(f"{path}: no such co-occurrence file")
    if path.is_dir():
        raise CooccurrenceError(f"{path}: is a directory, not a co-occurrence file")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CooccurrenceError(
            f"{path}: not an embtool co-occurrence file ({exc}); count it again (embtool cooccur)"
        ) from None
    with zf:
        yield zf


def _read_meta(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(zf.read("meta.json").decode("utf-8"))
    except KeyError:
        raise CooccurrenceError(
            f"{path}: not an embtool co-occurrence file (no meta.json)"
        ) from None
    except (ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CooccurrenceError(f"{path}: corrupt co-occurrence file (meta.json: {exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != COOC_FORMAT:
        raise CooccurrenceError(f"{path}: not an embtool co-occurrence file")
    if meta.get("format_version") != COOC_FORMAT_VERSION:
        raise CooccurrenceError(
            f"{path}: co-occurrence format version {meta.get('format_version')} is not supported "
            f"(this embtool reads version {COOC_FORMAT_VERSION}); count it again"
        )
    missing = [k for k in ("window", "symmetric", "vocab_size") if k not in meta]
    if missing:
        raise CooccurrenceError(
            f"{path}: corrupt co-occurrence file (meta.json lacks {missing[0]})"
        )
    return meta


def _read_npy(zf: zipfile.ZipFile, name: str, path: Path) -> np.ndarray:
    with zf.open(name) as f:
        try:
            return np.lib.format.read_array(io.BufferedReader(f), allow_pickle=False)  # type: ignore[type-var]
        except (ValueError, OSError, EOFError) as exc:
            raise CooccurrenceError(f"{path}: corrupt co-occurrence file ({name}: {exc})") from None


def check_compatible(
    meta: Mapping[str, Any], requested: Mapping[str, Any], path: str | Path
) -> None:
    """Raise CooccurrenceError when a saved count was made with other settings than ``requested``.

    ``requested`` maps setting names (window, symmetric, distance_weighting, min_count, max_vocab,
    and optionally tokenizer / corpus descriptions) to the values asked for now.
    """
    diffs = []
    for key, want in requested.items():
        if want is None and key not in ("max_vocab",):
            continue
        have = meta.get(key)
        if have != want:
            diffs.append((key, have, want))
    if diffs:
        parts = ", ".join(
            f"{k.replace('_', '-')} {_show(h)} (requested {_show(w)})" for k, h, w in diffs
        )
        raise CooccurrenceError(
            f"{path} was counted with {parts}: use matching options, another `cooccurrence` path, "
            "or delete the file to count again"
        )


def _show(value: Any) -> str:
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 60 else text[:57] + "..."
    if value is None:
        return "none"
    return str(value)
