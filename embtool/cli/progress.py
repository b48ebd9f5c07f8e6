"""The one renderer of library progress events: a Rich bar on stderr when it is a terminal,
lines with ``--verbose`` otherwise, never anything on stdout."""

import time
from typing import Any

from rich.console import RenderableType
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from embtool.cli.output import err, note
from embtool.progress import ProgressCallback, ProgressEvent


class _Amount(ProgressColumn):
    """How much is done, in the event's unit: MB for bytes, N/M for questions, else percent."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes = DownloadColumn()
        self.percent = TaskProgressColumn()

    def render(self, task: Any) -> RenderableType:
        unit = task.fields.get("unit")
        if unit == "bytes":
            return self.bytes.render(task)
        if unit == "questions":
            total = "?" if task.total is None else f"{int(task.total):,}"
            return Text(f"{int(task.completed):,}/{total} questions", style="progress.download")
        return self.percent.render(task)


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


_STAGES = {
    "read": "reading corpus",
    "count": "counting co-occurrences",
    "merge": "merging counts",
    "download": "downloading",
    "evaluate": "evaluating",
    "debias": "debiasing",
    "analogies": "finding analogies",
}


class ProgressView:
    """Draws :class:`~embtool.progress.ProgressEvent` s: pass the view as ``progress=``.

    One bar per stage (or per ``label``): ``label`` names the work in place of the stage
    (``reading vectors.bin``); :meth:`labelled` gives a callback whose events get a bar of their
    own (one per store evaluated). ``transient`` bars vanish when the work ends (reading,
    downloading); training bars stay. Off a terminal nothing is drawn; with ``verbose`` the ends
    of reading, counting and every epoch are noted as lines.
    """

    def __init__(
        self, *, verbose: bool = False, label: str | None = None, transient: bool = False
    ) -> None:
        self.live = err.is_terminal
        self.verbose = verbose
        self.label = label
        self.transient = transient
        self.bar: Progress | None = None
        self.tasks: dict[str, Any] = {}
        self.started = time.perf_counter()

    def __enter__(self) -> "ProgressView":
        if self.live:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                _Amount(),
                _Rate(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=err,
                transient=self.transient,
            )
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def __call__(self, event: ProgressEvent) -> None:
        self.show(event, self.label)

    def labelled(self, label: str) -> ProgressCallback:
        """A callback drawing its events on a bar of their own, named ``label``."""
        return lambda event: self.show(event, label)

    def show(self, event: ProgressEvent, label: str | None = None) -> None:
        """Draw ``event`` (on the bar named ``label`` when given), or note it when verbose."""
        if self.bar is not None:
            self._draw(event, label)
        elif self.verbose:
            self._log(event)

    def _draw(self, event: ProgressEvent, label: str | None) -> None:
        assert self.bar is not None
        if label is not None:
            desc = label
        elif event.stage == "train":
            desc = f"epoch {event.epoch}/{event.epochs}"
        else:
            desc = _STAGES.get(event.stage, event.stage)
        if "cost" in event.info:
            desc += f" cost {event.info['cost']:.5f}"
        key = label or event.stage
        task = self.tasks.get(key)
        if task is None:
            task = self.bar.add_task(desc, total=event.total, unit=event.unit)
            self.tasks[key] = task
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
