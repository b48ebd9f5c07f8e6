"""Progress bars on stderr, shown only when stderr is a terminal (or when asked); never stdout."""

import contextlib
from collections.abc import Callable, Iterator

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from embtool.cli.output import err

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
