"""The CLI's shape: command modules are leaves, and emit() writes to any stream."""

import ast
import io
import json
from pathlib import Path

import embtool.cli
from embtool.cli.output import Format, Report, emit

CLI_DIR = Path(embtool.cli.__file__).parent
SHARED = {
    "__init__",
    "app",
    "options",
    "inputs",
    "output",
    "errors",
    "progress",
    "vectors",
    "helptext",
    "spaces",
}


def _cli_imports(path: Path) -> set[str]:
    """Names of embtool.cli modules that ``path`` imports, at any depth in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "embtool.cli":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("embtool.cli."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("embtool.cli."):
                    found.add(alias.name.split(".")[2])
    return found


def test_command_modules_import_no_other_command() -> None:
    commands = [p for p in sorted(CLI_DIR.glob("*.py")) if p.stem not in SHARED]
    assert len(commands) >= 13  # every command module is checked, not an empty glob
    offenders = {p.stem: sorted(_cli_imports(p) - SHARED) for p in commands}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_shared_modules_import_no_command() -> None:
    shared = [CLI_DIR / f"{name}.py" for name in sorted(SHARED - {"__init__"})]
    offenders = {p.stem: sorted(_cli_imports(p) - SHARED) for p in shared}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_rule_sees_a_command_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from embtool.cli.train import x\nfrom embtool.cli import plot\n")
    assert _cli_imports(bad) == {"train", "plot"}


def test_emit_writes_to_the_given_stream_only(capsys) -> None:
    report = Report([{"word": "a", "x": 0.5}], ["word", "x"], [["a", 0.5]], single=True)
    json_out, tsv_out = io.StringIO(), io.StringIO()
    emit(report, Format.json, json_out)
    emit(report, Format.tsv, tsv_out)
    assert json.loads(json_out.getvalue()) == {"word": "a", "x": 0.5}
    assert tsv_out.getvalue() == "word\tx\na\t0.5\n"
    assert capsys.readouterr().out == ""
