"""One progress vocabulary for every long job: the library sends events, the CLI draws them.

Reading a corpus or a vector file, counting co-occurrences, training, downloading, evaluating
and debiasing all report through the same :data:`ProgressCallback`, called with a
:class:`ProgressEvent`. The library never draws anything; ``embtool.cli.progress`` renders the
events as a bar on a terminal (or as lines with ``--verbose``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProgressEvent:
    """How far one stage of a job has come.

    ``stage`` names the work (``"read"``, ``"count"``, ``"merge"``, ``"vocab"``, ``"train"``,
    ``"download"``, ``"convert"``, ``"evaluate"``, ``"analogy"``, ``"debias"``,
    ``"analogies"``); ``done`` and ``total`` are in ``unit`` (``"bytes"``, ``"words"``,
    ``"tokens"``, ``"rows"``, ``"pairs"``, ``"questions"``); ``total`` is None when unknown
    (stdin, a server that sends no length). ``epoch`` counts from 1 while training. ``final``
    marks the last event of the stage; ``info`` carries stage extras (GloVe's ``cost``,
    ``epoch_end``).
    """

    stage: str
    done: float
    total: float | None
    unit: str
    epoch: int | None = None
    epochs: int | None = None
    final: bool = False
    info: dict[str, Any] = field(default_factory=dict)


ProgressCallback = Callable[[ProgressEvent], None]
"""What every progress parameter in the library takes."""


class Throttle:
    """Forwards events to ``progress`` at most every ``interval`` seconds, and always the final one.

    For loops that could report thousands of times a second (bytes read, tokens counted).
    """

    def __init__(self, progress: ProgressCallback, interval: float = 0.2) -> None:
        self.progress = progress
        self.interval = interval
        self.last = -math.inf  # the first event always passes

    def __call__(self, event: ProgressEvent) -> None:
        now = time.perf_counter()
        if event.final or now - self.last >= self.interval:
            self.last = now
            self.progress(event)
