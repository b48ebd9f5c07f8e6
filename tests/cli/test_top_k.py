"""`-k` means one thing everywhere: how many ranked results each query prints, spelled -k/--top-k."""

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from embtool.cli import app
from tests.cli.test_flag_metavars import _command_paths

runner = CliRunner()


def _command(path: list[str]) -> Any:
    cmd: Any = typer.main.get_command(app)
    ctx = typer.Context(cmd)
    for name in path:
        cmd = cmd.get_command(ctx, name)
    return cmd


def test_every_k_is_top_k_and_no_other_flag_is_k():
    with_k = []
    for path in _command_paths():
        for param in _command(path).params:
            opts = list(getattr(param, "opts", []))
            if "-k" in opts:
                with_k.append(" ".join(path))
                assert "--top-k" in opts, (path, opts)
            else:
                assert "--top-k" not in opts, (path, opts)
    assert {"neighbors", "analogy", "cooccur", "bias project", "plot bias"} <= set(with_k)


@pytest.mark.parametrize("flag", ["-k", "--top-k", "--top"])
def test_cooccur_keeps_its_top_spelling(tmp_path, flag):
    text = tmp_path / "classroom.txt"
    text.write_text("i love deep learning\ndeep learning is fun\nmachine learning is fun\n")
    args = ["cooccur", str(text), "-w", "2", "--min-count", "1", "-f", "tsv", flag, "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 1 + 2  # header + the 2 largest counts
