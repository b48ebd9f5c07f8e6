"""Bounds on every explorer request, so one request cannot exhaust the machine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The largest request the explorer answers; anything bigger gets a 4xx JSON error.

    ``max_map_points`` bounds a PCA map (the page draws 100,000 points smoothly); t-SNE is far
    slower (minutes for 10,000 points on two cores), hence its own, lower bound.
    """

    max_k: int = 200
    max_words: int = 100  # words in one neighbors / similarity request
    max_word_chars: int = 100
    max_query_bytes: int = 8192  # URL query string
    max_body_bytes: int = 1_000_000  # JSON request body
    max_map_points: int = 100_000
    max_tsne_points: int = 5_000
    max_completions: int = 50
    max_jobs: int = 8  # t-SNE jobs remembered (finished ones are dropped oldest first)
