"""The one progress renderer: every stage's events drawn as bars on a terminal, lines with -v."""

import io

import pytest
from rich.console import Console

import embtool.cli.output as output
import embtool.cli.progress as progress
from embtool.cli.progress import ProgressView
from embtool.progress import ProgressEvent, Throttle


@pytest.fixture
def stderr(monkeypatch):
    """Point the CLI's stderr console at a buffer; ``terminal`` says whether it is a TTY."""

    def make(terminal: bool) -> io.StringIO:
        buf = io.StringIO()
        console = Console(file=buf, force_terminal=terminal, width=160, highlight=False)
        monkeypatch.setattr(progress, "err", console)
        monkeypatch.setattr(output, "err", console)
        return buf

    return make


def test_bars_for_every_unit_on_a_terminal(stderr):
    buf = stderr(True)
    with ProgressView(label="reading vectors.bin") as view:
        view(ProgressEvent("read", 2_000_000, 4_000_000, "bytes"))
    with ProgressView() as view:
        view(ProgressEvent("train", 50, 100, "words", epoch=1, epochs=3))
        view(ProgressEvent("train", 10, 40, "pairs", epoch=2, epochs=3, info={"cost": 0.25}))
        view.labelled("toy")(ProgressEvent("evaluate", 3, 8, "questions"))
        view.labelled("other")(ProgressEvent("evaluate", 5, 8, "questions"))
    text = buf.getvalue()
    assert "reading vectors.bin" in text and "2.0/4.0 MB" in text
    assert "epoch 2/3 cost 0.25000" in text
    assert "3/8 questions" in text and "5/8 questions" in text  # one bar per store


def test_silent_off_a_terminal_and_lines_when_verbose(stderr):
    buf = stderr(False)
    events = [
        ProgressEvent("read", 3_500_000, 3_500_000, "bytes", final=True),
        ProgressEvent("count", 1234, 1234, "tokens", final=True),
        ProgressEvent(
            "train", 9, 9, "pairs", epoch=1, epochs=1, info={"cost": 0.5, "epoch_end": True}
        ),
    ]
    with ProgressView() as view:
        for e in events:
            view(e)
    assert buf.getvalue() == ""
    with ProgressView(verbose=True) as view:
        for e in events:
            view(e)
    lines = buf.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("note: read 3.5 MB of text (")
    assert lines[1].startswith("note: counted co-occurrences in 1,234 tokens (")
    assert lines[2].startswith("note: epoch 1/1 done, cost 0.500000 (")


def test_throttle_drops_bursts_but_never_the_final_event():
    seen = []
    throttle = Throttle(seen.append, interval=3600)
    for i in range(100):
        throttle(ProgressEvent("count", i, 100, "tokens"))
    throttle(ProgressEvent("count", 100, 100, "tokens", final=True))
    assert [e.done for e in seen] == [0, 100]
