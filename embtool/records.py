"""The JSON records of query results: one shape for ``--format json`` and for the web explorer's API.

The CLI's reports and ``embtool.explorer`` build their records here, so a neighbour list, an analogy
answer or a 2-D map reads the same from ``embtool neighbors --format json`` and from ``/api/``.
Plain dicts of str / float / list, ready for ``json.dumps``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from embtool.projection import WordMap
from embtool.similarity import Batch


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as None (JSON null), through dicts, lists and tuples."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def neighbor_records(batch: Batch) -> list[dict[str, Any]]:
    """``[{"query", "word", "neighbors": [{"word", "score"}]}]``, one per answered query."""
    return [
        {
            "query": r.query,
            "word": r.word,
            "neighbors": [{"word": n.word, "score": n.score} for n in r.neighbors],
        }
        for r in batch.results
    ]


def analogy_records(batch: Batch) -> list[dict[str, Any]]:
    """``[{"query": [a, b, c], "words": [...], "method", "answers": [{"word", "score"}]}]``."""
    return [
        {
            "query": list(r.query),
            "words": list(r.words),
            "method": r.method.value,
            "answers": [{"word": n.word, "score": n.score} for n in r.answers],
        }
        for r in batch.results
    ]


def similarity_records(batch: Batch) -> list[dict[str, Any]]:
    """``[{"word1", "word2", "words": [w1, w2], "similarity"}]`` (``words``: as matched)."""
    return [
        {
            "word1": r.query[0],
            "word2": r.query[1],
            "words": list(r.words),
            "similarity": r.similarity,
        }
        for r in batch.results
    ]


def _xy(x: float, y: float) -> dict[str, float]:
    return {"x": float(x), "y": float(y)}


def word_map_record(
    wm: WordMap, output: Path | None = None, fonts: Sequence[str] | None = None
) -> dict[str, Any]:
    """The coordinates of a word map (``embtool plot --format json``): method, explained variance,
    fit size, perplexity, the image written and its fonts (None when none), and every point
    ``{"word", "x", "y", "group"}`` and analogy ``{"words", "predicted": {"x", "y"}}``."""
    proj = wm.projection
    evr = list(proj.explained_variance_ratio) if proj.explained_variance_ratio else None
    return {
        "method": proj.method.value,
        "explained_variance_ratio": evr,
        "fit_size": proj.fit_size,
        "perplexity": proj.perplexity,
        "output": str(output) if output is not None else None,
        "fonts": list(fonts) if fonts else None,
        "points": [
            {"word": w, "x": x, "y": y, "group": g}
            for w, (x, y), g in zip(wm.words, wm.coords.tolist(), wm.groups, strict=True)
        ],
        "analogies": [
            {"words": list(q.words), "predicted": _xy(*q.predicted)} for q in wm.analogies
        ],
    }
