"""Self-attention over word vectors, as the course teaches it step by step.

``cos``: p = softmax_rows(cos(E_i, E_j) / T), outputs Σ_j p_ij E_j (the diagonal dominates);
``dot``: scaled dot-product softmax(Q Kᵀ / (√d_k T)) V with Q = E W_Q, K = E W_K, V = E W_V,
identity or seeded random orthogonal projections, optional sinusoidal positions, H heads.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from embtool.errors import EmbtoolError, InvalidOptionError, quote_words


class AttentionError(EmbtoolError):
    """Attention cannot be computed as asked (one word, heads not dividing the dimension)."""


class Score(str, Enum):
    cos = "cos"
    dot = "dot"


class Projection(str, Enum):
    identity = "identity"
    random = "random"


@dataclass(frozen=True)
class Attention:
    """``weights``: heads x n x n (rows sum to 1); ``outputs``: n x dim contextual vectors."""

    words: tuple[str, ...]
    weights: np.ndarray
    outputs: np.ndarray


def softmax_rows(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum for stability."""
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def sinusoidal_positions(n: int, dim: int) -> np.ndarray:
    """Vaswani et al. (2017): PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...)."""
    pos = np.arange(n)[:, None]
    i = np.arange(0, dim, 2)[None, :]
    angle = pos / np.power(10000.0, i / dim)
    pe = np.zeros((n, dim))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : dim // 2])
    return pe


def projections(dim: int, kind: Projection, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W_Q, W_K, W_V: identities, or random orthogonal matrices (QR of a seeded Gaussian)."""
    if Projection(kind) is Projection.identity:
        eye = np.eye(dim)
        return eye, eye, eye
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(3):
        q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
        out.append(q * np.sign(np.diag(r)))
    return out[0], out[1], out[2]


def attend(
    words: list[str],
    vectors: np.ndarray,
    *,
    score: Score = Score.cos,
    projection: Projection = Projection.identity,
    temperature: float = 1.0,
    positions: bool = False,
    heads: int = 1,
    seed: int = 0,
) -> Attention:
    """Attention weights and contextual vectors of one sentence's word vectors (n x dim).

    Raises: AttentionError for fewer than 2 words, heads not dividing dim, temperature <= 0.
    """
    e = np.asarray(vectors, dtype=np.float64)
    n, dim = e.shape
    if n < 2:
        raise AttentionError(f"attention needs at least 2 words, got {n}: {quote_words(words)}")
    if heads < 1 or dim % heads:
        raise AttentionError(f"`heads={heads}` does not divide the vector dimension {dim}")
    if not temperature > 0:
        raise InvalidOptionError("temperature", "must be positive", temperature)
    if positions:
        e = e + sinusoidal_positions(n, dim)
    if Score(score) is Score.cos:
        unit = e / np.where((nr := np.linalg.norm(e, axis=1, keepdims=True)) == 0, 1, nr)
        w = softmax_rows(unit @ unit.T / temperature)[None]
        return Attention(tuple(words), w, w[0] @ e)
    wq, wk, wv = projections(dim, projection, seed)
    q, k, v = e @ wq, e @ wk, e @ wv
    dk = dim // heads
    weights, outs = [], []
    for h in range(heads):
        sl = slice(h * dk, (h + 1) * dk)
        w = softmax_rows(q[:, sl] @ k[:, sl].T / (np.sqrt(dk) * temperature))
        weights.append(w)
        outs.append(w @ v[:, sl])
    return Attention(tuple(words), np.stack(weights), np.concatenate(outs, axis=1))
