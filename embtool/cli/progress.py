"""Progress bars on stderr, shown only when stderr is a terminal (or when asked); never stdout."""

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from embtool.cli.output import err, note
from embtool.corpus import ProgressEvent

ByteProgress = Callable[[int, "int | None"], None]


@contextlib.contextmanager
def byte_progress(description: str, *, force: bool = False) -> Iterator[ByteProgress | None]:
    """Yield a ``(done_bytes, total_bytes)`` callback driving a bar, or None off a terminal."""
    if not (force or err.is_terminal):
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task(description, total=None)

    def update(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


class _Rate(ProgressColumn):
    """words/s while training (GloVe: pairs/s), MB/s while reading (Rich's recent estimate)."""

    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text("", style="progress.data.speed")
        unit = task.fields.get("unit")
        if unit == "bytes":
            return Text(f"{speed / 1e6:.1f} MB/s", style="progress.data.speed")
        return Text(f"{speed:,.0f} {unit or 'words'}/s", style="progress.data.speed")


_STAGES = {"read": "reading corpus", "count": "counting co-occurrences", "merge": "merging counts"}


class ProgressView:
    """Draws library progress events: a Rich bar on a terminal, else nothing (or lines, verbose)."""

    def __init__(self, *, verbose: bool = False) -> None:
        self.live = err.is_terminal
        self.verbose = verbose
        self.bar: Progress | None = None
        self.tasks: dict[str, Any] = {}
        self.started = time.perf_counter()

    def __enter__(self) -> "ProgressView":
        if self.live:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                _Rate(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=err,
                transient=False,
            )
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def __call__(self, event: ProgressEvent) -> None:
        if self.bar is not None:
            self._draw(event)
        elif self.verbose:
            self._log(event)

    def _draw(self, event: ProgressEvent) -> None:
        assert self.bar is not None
        desc = _STAGES.get(event.stage) or f"epoch {event.epoch}/{event.epochs}"
        if "cost" in event.info:
            desc += f" cost {event.info['cost']:.5f}"
        task = self.tasks.get(event.stage)
        if task is None:
            task = self.bar.add_task(desc, total=event.total, unit=event.unit)
            self.tasks[event.stage] = task
        self.bar.update(task, completed=event.done, total=event.total, description=desc)

    def _log(self, event: ProgressEvent) -> None:
        now = time.perf_counter() - self.started
        if event.stage == "read" and event.final:
            note(f"read {event.done / 1e6:,.1f} MB of text ({now:.1f} s)")
        elif event.stage == "count" and event.final:
            note(f"counted co-occurrences in {event.done:,.0f} tokens ({now:.1f} s)")
        elif event.stage == "train" and event.info.get("epoch_end"):
            cost = f", cost {event.info['cost']:.6f}" if "cost" in event.info else ""
            note(f"epoch {event.epoch}/{event.epochs} done{cost} ({now:.1f} s)")
