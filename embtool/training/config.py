"""Training configurations: frozen dataclasses holding every hyper-parameter and the seed.

:class:`TrainConfig` holds what every method shares (vocabulary, window, size, epochs, seed,
threads); each method adds its own fields in a subclass (:class:`Word2VecConfig`,
:class:`GloveConfig`). ``as_dict()`` is
what a store's ``meta.json`` records.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from enum import Enum
from typing import Any

from embtool.errors import InvalidOptionError, UsageError


class Method(str, Enum):
    """Training methods ``embtool train --method`` offers."""

    cbow = "cbow"
    skipgram = "skipgram"
    glove = "glove"
    fasttext = "fasttext"

    @property
    def label(self) -> str:
        return {
            "cbow": "Word2Vec CBOW",
            "skipgram": "Word2Vec skip-gram",
            "glove": "GloVe",
            "fasttext": "fastText",
        }.get(self.value, self.value)


def default_workers() -> int:
    """Worker threads by default: the CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class TrainConfig:
    """Options every training method shares.

    ``max_vocab`` keeps at most that many of the most frequent words (None: no cap).
    ``deterministic`` forces one worker so that two runs give byte-identical vectors.
    """

    method: Method
    dim: int = 100
    window: int = 5
    min_count: int = 5
    max_vocab: int | None = None
    epochs: int = 5
    seed: int = 1
    workers: int = dataclasses.field(default_factory=default_workers)
    deterministic: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", Method(self.method))
        if self.deterministic and self.workers != 1:
            object.__setattr__(self, "workers", 1)
        self.validate()

    def validate(self) -> None:
        """Raises: InvalidOptionError naming the first setting out of range."""
        checks = [
            ("dim", self.dim >= 1, "at least 1"),
            ("window", self.window >= 1, "at least 1"),
            ("min_count", self.min_count >= 1, "at least 1"),
            ("max_vocab", self.max_vocab is None or self.max_vocab >= 1, "at least 1"),
            ("epochs", self.epochs >= 1, "at least 1"),
            ("workers", self.workers >= 1, "at least 1"),
            ("seed", 0 <= self.seed < 2**32, "between 0 and 2**32 - 1"),
        ]
        for name, ok, need in checks:
            if not ok:
                raise InvalidOptionError(name, f"must be {need}")

    def as_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready (the method by name)."""
        out = dataclasses.asdict(self)
        out["method"] = self.method.value
        return out


@dataclass(frozen=True)
class Word2VecConfig(TrainConfig):
    """Word2Vec (CBOW or skip-gram) through gensim; defaults are gensim's.

    ``negative`` noise words per positive (0 turns negative sampling off, then ``hs`` is needed);
    ``hs`` hierarchical softmax; ``ns_exponent`` shapes the noise distribution; ``sample`` is the
    down-sampling threshold for frequent words; ``alpha`` decays linearly to ``min_alpha``.
    """

    negative: int = 5
    hs: bool = False
    ns_exponent: float = 0.75
    sample: float = 1e-3
    alpha: float = 0.025
    min_alpha: float = 0.0001
    cbow_mean: bool = True

    @classmethod
    def methods(cls) -> tuple[Method, ...]:
        """The methods this config trains."""
        return (Method.cbow, Method.skipgram)

    def validate(self) -> None:
        super().validate()
        if self.method not in self.methods():
            raise UsageError(f"Word2Vec trains cbow or skipgram, not {self.method.value}")
        if self.negative < 0:
            raise InvalidOptionError("negative", "must be 0 (off) or more")
        if self.negative == 0 and not self.hs:
            raise UsageError(
                "`negative=0` turns negative sampling off: pass `hs=True` to use "
                "hierarchical softmax instead"
            )
        if self.sample < 0:
            raise InvalidOptionError("sample", "must be 0 (off) or more")
        if not self.alpha > 0:
            raise InvalidOptionError("alpha", "must be greater than 0")
        if not 0 <= self.min_alpha <= self.alpha:
            raise InvalidOptionError("min_alpha", "must be between 0 and `alpha`")


class Architecture(str, Enum):
    """How fastText predicts: the context from a word (skip-gram) or a word from its context."""

    skipgram = "skipgram"
    cbow = "cbow"


FASTTEXT_MAX_BUCKET = 1 << 30  # a bucket count beyond this is surely a typo


@dataclass(frozen=True)
class FastTextConfig(Word2VecConfig):
    """fastText (Bojanowski et al. 2017) through gensim: Word2Vec plus character n-gram subwords.

    Every word is ``<word>``'s n-grams of ``min_n`` to ``max_n`` characters, hashed into ``bucket``
    shared vectors; a word's vector is the mean of its own vector and its n-grams', so unseen words get one from their n-grams. ``architecture`` is
    skip-gram by default (Facebook's ``fasttext skipgram``, the paper's setting) or CBOW; the other
    defaults are gensim's.
    """

    method: Method = Method.fasttext
    architecture: Architecture = Architecture.skipgram
    min_n: int = 3
    max_n: int = 6
    bucket: int = 2_000_000

    @classmethod
    def methods(cls) -> tuple[Method, ...]:
        return (Method.fasttext,)

    def __post_init__(self) -> None:
        object.__setattr__(self, "architecture", Architecture(self.architecture))
        super().__post_init__()

    def validate(self) -> None:
        super().validate()
        if self.min_n < 1:
            raise InvalidOptionError("min_n", "must be at least 1", self.min_n)
        if self.min_n > self.max_n:
            raise InvalidOptionError("min_n", f"must be at most `max_n` ({self.max_n})", self.min_n)
        if not 1 <= self.bucket <= FASTTEXT_MAX_BUCKET:
            raise InvalidOptionError(
                "bucket", f"must be between 1 and {FASTTEXT_MAX_BUCKET:,}", self.bucket
            )

    @property
    def skipgram(self) -> bool:
        return self.architecture is Architecture.skipgram

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["architecture"] = self.architecture.value
        return out


class OutputVectors(str, Enum):
    """Which trained GloVe parameters become the word vectors."""

    w_plus_c = "w+c"
    w = "w"
    concat = "concat"


GLOVE_MAX_BATCH = (1 << 24) - 1


@dataclass(frozen=True)
class GloveConfig(TrainConfig):
    """GloVe (Pennington, Socher & Manning 2014) in NumPy; defaults are the reference tools'.

    Counting: ``window`` words on each side (``symmetric``; else left context only), pairs weighted
    1/distance (``distance_weighting``), ``memory_gb`` the counting memory budget. Training:
    f(x) = min(1, (x / ``x_max``)^``alpha``), AdaGrad with ``learning_rate``, ``batch_size``
    nonzeros per update, optional ``grad_clip`` (per element of a batch's summed gradient), and
    ``output_vectors`` w+c (W + C, as the paper recommends), w, or concat ([W, C]: 2 x dim).
    GloVe uses at most two threads (the word and the context side of each batch); its results do
    not depend on ``workers``.
    """

    method: Method = Method.glove
    window: int = 10
    epochs: int = 25
    x_max: float = 100.0
    alpha: float = 0.75
    learning_rate: float = 0.05
    batch_size: int = 16384
    grad_clip: float | None = None
    output_vectors: OutputVectors = OutputVectors.w_plus_c
    symmetric: bool = True
    distance_weighting: bool = True
    memory_gb: float = 4.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "output_vectors", OutputVectors(self.output_vectors))
        super().__post_init__()

    def validate(self) -> None:
        super().validate()
        if self.method is not Method.glove:
            raise UsageError(f"GloveConfig trains glove, not {self.method.value}")
        checks = [
            ("x_max", self.x_max > 0, "greater than 0"),
            ("alpha", self.alpha > 0, "greater than 0"),
            ("learning_rate", self.learning_rate > 0, "greater than 0"),
            ("batch_size", 1 <= self.batch_size <= GLOVE_MAX_BATCH, f"1 to {GLOVE_MAX_BATCH}"),
            ("grad_clip", self.grad_clip is None or self.grad_clip > 0, "greater than 0"),
            ("memory_gb", self.memory_gb > 0, "greater than 0"),
        ]
        for name, ok, need in checks:
            if not ok:
                raise InvalidOptionError(name, f"must be {need}")

    @property
    def threads(self) -> int:
        """Threads GloVe really uses: 1 or 2."""
        return 2 if self.workers >= 2 and not self.deterministic else 1

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["output_vectors"] = self.output_vectors.value
        return out
