"""Character n-gram subwords (fastText): hashing n-grams to buckets and vectors for unseen words.

A fastText model keeps, beside one vector per word, a matrix of ``bucket`` n-gram vectors; the
n-grams of ``<word>`` (``min_n`` to ``max_n`` characters) are hashed into it with Facebook's 32-bit
FNV-1a over the UTF-8 bytes, each byte sign-extended as a C ``char`` (gensim's ``ft_hash_bytes``).
A word outside the vocabulary gets the mean of its n-gram rows, exactly as gensim's
``FastTextKeyedVectors.get_vector`` and Facebook's ``getWordVector`` compute it. Pure NumPy: the
query path never imports gensim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# The identity of the hash recorded in meta.json: a store hashed otherwise cannot be queried here.
HASH_NAME = "fasttext-fnv1a32-signed-char"
_FNV_OFFSET = np.uint32(2166136261)
_FNV_PRIME = np.uint32(16777619)


def ngrams_bytes(word: str, min_n: int, max_n: int) -> list[bytes]:
    """The character n-grams of ``<word>`` as UTF-8 bytes, in gensim's ``compute_ngrams_bytes``
    order (by start character, then length); repeated n-grams are kept, as fastText keeps them.
    A single-character n-gram of the ``<`` or ``>`` marker alone is left out."""
    data = f"<{word}>".encode()
    size = len(data)
    out: list[bytes] = []
    for i in range(size):
        if data[i] & 0xC0 == 0x80:  # a UTF-8 continuation byte does not start a character
            continue
        j, n = i, 1
        while j < size and n <= max_n:
            j += 1
            while j < size and data[j] & 0xC0 == 0x80:
                j += 1
            if n >= min_n and not (n == 1 and (i == 0 or j == size)):
                out.append(data[i:j])
            n += 1
    return out


def hash_bytes(items: Sequence[bytes]) -> np.ndarray:
    """fastText's hash of each byte string (uint32), vectorised over the batch in NumPy."""
    if not items:
        return np.zeros(0, dtype=np.uint32)
    lengths = np.fromiter((len(b) for b in items), dtype=np.int64, count=len(items))
    width = int(lengths.max())
    padded = np.zeros((len(items), width), dtype=np.uint8)
    flat = np.frombuffer(b"".join(items), dtype=np.uint8)
    mask = np.arange(width)[None, :] < lengths[:, None]
    padded[mask] = flat
    # sign-extend each byte as a signed char, then reinterpret as uint32 (fastText's quirk)
    signed = padded.view(np.int8).astype(np.int32).view(np.uint32)
    h = np.full(len(items), _FNV_OFFSET, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for col in range(width):
            live = mask[:, col]
            h = np.where(live, (h ^ signed[:, col]) * _FNV_PRIME, h)
    return h


def ngram_hashes(word: str, min_n: int, max_n: int, bucket: int) -> np.ndarray:
    """The bucket of each n-gram of ``word`` (gensim's ``ft_ngram_hashes``), as int64."""
    return (hash_bytes(ngrams_bytes(word, min_n, max_n)) % np.uint32(bucket)).astype(np.int64)


@dataclass
class Subwords:
    """The n-gram matrix of a fastText model and how n-grams are hashed into it.

    ``ngrams`` is (bucket x dim), possibly a read-only memory map; ``used`` is a bit mask (NumPy
    ``packbits`` order) of the buckets that some vocabulary word's n-grams hash to: the others were
    never trained, so a word none of whose n-grams are in use has no vector worth building.
    """

    ngrams: np.ndarray
    min_n: int
    max_n: int
    used: np.ndarray | None = None
    hash: str = HASH_NAME

    @property
    def bucket(self) -> int:
        return int(self.ngrams.shape[0])

    @property
    def dim(self) -> int:
        return int(self.ngrams.shape[1])

    def hashes(self, word: str) -> np.ndarray:
        """Bucket rows of ``word``'s n-grams (repeats kept)."""
        return ngram_hashes(word, self.min_n, self.max_n, self.bucket)

    def known(self, hashes: np.ndarray) -> np.ndarray:
        """Which of ``hashes`` fall in a bucket some vocabulary word uses."""
        if self.used is None:
            return np.ones(len(hashes), dtype=bool)
        bits = self.used[hashes >> 3] >> (7 - (hashes & 7)).astype(np.uint8)
        return (bits & 1).astype(bool)

    def vector(self, word: str) -> np.ndarray | None:
        """The vector fastText builds for ``word`` from its n-grams (float32), or None when none of
        its n-grams falls in a bucket the vocabulary uses."""
        hashes = self.hashes(word)
        if len(hashes) == 0 or not self.known(hashes).any():
            return None
        rows = np.asarray(self.ngrams[hashes], dtype=np.float32)
        return rows.sum(axis=0, dtype=np.float32) / np.float32(len(hashes))

    def describe(self) -> dict[str, Any]:
        """The hashing parameters, as meta.json records them."""
        return {
            "min_n": self.min_n,
            "max_n": self.max_n,
            "bucket": self.bucket,
            "dim": self.dim,
            "hash": self.hash,
        }


def used_buckets(buckets_per_word: Sequence[np.ndarray], bucket: int) -> np.ndarray:
    """The packed bit mask of every bucket that appears in ``buckets_per_word``."""
    mask = np.zeros(bucket, dtype=bool)
    if len(buckets_per_word):
        mask[np.concatenate([np.asarray(b, dtype=np.int64) for b in buckets_per_word])] = True
    return np.packbits(mask)


def vocabulary_buckets(words: Sequence[str], min_n: int, max_n: int, bucket: int) -> np.ndarray:
    """The packed bit mask of the buckets the n-grams of ``words`` hash to."""
    grams = [g for w in words for g in ngrams_bytes(w, min_n, max_n)]
    mask = np.zeros(bucket, dtype=bool)
    mask[(hash_bytes(grams) % np.uint32(bucket)).astype(np.int64)] = True
    return np.packbits(mask)
