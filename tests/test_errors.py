"""Errors carry facts, the CLI adds the flags (#15 item 4).

A Python user reads ``min_count must be at least 1``, with ``.option`` and ``.need`` to act on;
the command line reads ``error: --min-count must be at least 1``. No library module names a
``--flag``: only ``embtool/cli`` knows the command line.
"""

import ast
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import embtool
from embtool import load_vectors
from embtool.cli import app
from embtool.cli.errors import ExitStatus, exit_status, flag_for, phrase_error, phrase_flags
from embtool.errors import (
    BiasError,
    Category,
    EmbtoolError,
    InvalidOptionError,
    OutputExistsError,
    UsageError,
    VectorFileError,
)
from embtool.training import GloveConfig, Method, Word2VecConfig
from embtool.vectors import convert_vectors

from .helpers import TOY_PATH

runner = CliRunner()
LIBRARY = Path(embtool.__file__).parent
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


# -- Python users read parameter names -----------------------------------------------------------
def test_glove_config_names_the_parameter_not_the_flag():
    with pytest.raises(InvalidOptionError) as exc:
        GloveConfig(min_count=0)
    assert str(exc.value) == "min_count must be at least 1"
    assert (exc.value.option, exc.value.need) == ("min_count", "must be at least 1")
    assert isinstance(exc.value, UsageError) and exc.value.category is Category.USAGE


def test_word2vec_config_names_the_parameter_not_the_flag():
    with pytest.raises(InvalidOptionError) as exc:
        Word2VecConfig(Method.skipgram, dim=0)
    assert str(exc.value) == "dim must be at least 1"
    assert (exc.value.option, exc.value.need) == ("dim", "must be at least 1")
    assert exc.value.options == ("dim",)


def test_a_need_naming_another_setting_lists_both():
    with pytest.raises(InvalidOptionError) as exc:
        Word2VecConfig(Method.cbow, alpha=0.01, min_alpha=0.5)
    assert str(exc.value) == "min_alpha must be between 0 and `alpha`"
    assert exc.value.options == ("min_alpha", "alpha")
    assert phrase_error(exc.value) == "--min-alpha must be between 0 and --alpha"


def test_a_rejected_value_is_kept_and_shown():
    with pytest.raises(InvalidOptionError) as exc:
        load_vectors(TOY_PATH, embtool.ReadOptions(limit=0))
    assert (exc.value.option, exc.value.value) == ("limit", 0)
    assert str(exc.value) == "limit must be at least 1, got 0"


# -- the command line reads flags ----------------------------------------------------------------
def test_command_line_reads_the_flag(tmp_path: Path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the king and the queen\n")
    out = tmp_path / "never"
    result = runner.invoke(app, ["train", str(corpus), "--min-count", "0", "-o", str(out)])
    assert result.exit_code == ExitStatus.USAGE == 2
    assert result.stderr == "error: --min-count must be at least 1\n"
    assert result.stdout == "" and not out.exists()


def test_glove_memory_flag_differs_from_the_parameter(tmp_path: Path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the king and the queen\n")
    result = runner.invoke(
        app, ["train", str(corpus), "--method", "glove", "--memory", "0", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert result.stderr == "error: --memory must be greater than 0\n"
    assert flag_for("memory_gb") == "--memory" and flag_for("min_count") == "--min-count"


def test_phrase_flags_rewrites_only_backticked_names():
    text = "`negative=0` turns negative sampling off: pass `hs=True`; lower `min_count`"
    assert (
        phrase_flags(text)
        == "--negative 0 turns negative sampling off: pass --hs; lower --min-count"
    )
    assert phrase_flags("`vectors='default-zh'`") == "--vectors default-zh"
    assert phrase_flags("`base`", {"base": "--base-url"}) == "--base-url"
    assert (
        phrase_flags("min_count and --x stay as they are") == "min_count and --x stay as they are"
    )


# -- an existing output ----------------------------------------------------------------------------
def test_convert_without_force_raises_output_exists_with_the_path(tmp_path: Path):
    out = tmp_path / "toy.txt"
    out.write_text("already here\n")
    with pytest.raises(OutputExistsError) as exc:
        convert_vectors(TOY_PATH, out, "word2vec")
    assert exc.value.path == str(out)
    assert str(exc.value) == f"{out} already exists"
    assert "--" not in str(exc.value)
    assert out.read_text() == "already here\n"
    result = runner.invoke(app, ["convert", str(TOY_PATH), str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: {out} already exists (pass --force to replace it)"
    )
    assert out.read_text() == "already here\n"


# -- exit statuses come from one place -----------------------------------------------------------
def test_exit_status_is_chosen_from_the_category():
    assert exit_status(EmbtoolError("x")) is ExitStatus.ERROR
    assert exit_status(BiasError("x")) is ExitStatus.ERROR
    assert exit_status(VectorFileError("f", "bad")) is ExitStatus.ERROR
    assert exit_status(UsageError("x")) is ExitStatus.USAGE
    assert exit_status(InvalidOptionError("dim", "must be at least 1")) is ExitStatus.USAGE
    assert not hasattr(EmbtoolError("x"), "exit_code")  # no second source of exit codes


def test_the_readme_exit_codes_hold():
    readme = (LIBRARY.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Exit codes") :].split("\n## ")[0]
    assert "| 1 | error:" in table and "| 2 | usage error:" in table
    assert (ExitStatus.ERROR, ExitStatus.USAGE, ExitStatus.INTERRUPTED) == (1, 2, 130)


# -- no library module names a flag --------------------------------------------------------------
def _library_modules() -> list[Path]:
    return sorted(p for p in LIBRARY.rglob("*.py") if "cli" not in p.relative_to(LIBRARY).parts)


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _strings(node: ast.AST, skip: set[int]) -> list[ast.Constant]:
    return [
        n
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
    ]


def _is_error_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None) or ""
    return name.endswith("Error")


# (module relative to embtool/, literal) pairs allowed to hold a --flag outside docstrings; each
# entry needs a comment saying why (e.g. an argument passed to an external program). None so far.
ALLOWED: set[tuple[str, str]] = set()


def test_no_library_error_names_a_flag():
    found = []
    for path in _library_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) or _is_error_call(node):
                for s in _strings(node, docs):
                    if FLAG.search(s.value):
                        found.append(f"{path.relative_to(LIBRARY)}:{s.lineno}: {s.value!r}")
    assert not found, (
        "library errors name --flags (name the parameter in backticks):\n" + "\n".join(found)
    )


def test_no_library_string_names_a_flag():
    # Hints built by helpers (encoding hints, "use the Chinese vectors") reach errors too.
    found = []
    for path in _library_modules():
        rel = str(path.relative_to(LIBRARY))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for s in _strings(tree, _docstrings(tree)):
            if FLAG.search(s.value) and (rel, s.value) not in ALLOWED:
                found.append(f"{rel}:{s.lineno}: {s.value!r}")
    assert not found, "library strings name --flags:\n" + "\n".join(found)


def test_the_checks_see_a_flag_in_a_raise(tmp_path: Path):
    # The scanners above must be able to fail: run them on a module that breaks the rule.
    tree = ast.parse(
        'def f(n):\n    raise UsageError(f"--min-count must be at least 1, not {n}")\n'
    )
    raises = [n for n in ast.walk(tree) if isinstance(n, ast.Raise)]
    assert [s.value for s in _strings(raises[0], _docstrings(tree)) if FLAG.search(s.value)] == [
        "--min-count must be at least 1, not "
    ]
    assert _library_modules() and all("cli" not in p.parts[-2:-1] for p in _library_modules())


def test_no_module_keeps_a_second_exit_code_source():
    # Exit statuses come from Category via cli/errors.py; an ``exit_code`` on an error class (say,
    # from a branch written before this rule) would be silently ignored, so none may exist.
    found = []
    for path in sorted(LIBRARY.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [getattr(t, "id", getattr(t, "attr", "")) for t in targets]
            elif isinstance(node, ast.Attribute) and node.attr == "exit_code":
                names = ["exit_code"]
            if "exit_code" in names:
                found.append(f"{path.relative_to(LIBRARY)}:{node.lineno}")
    assert not found, "exit_code outside Category/ExitStatus: " + ", ".join(found)


def _app_flags() -> set[str]:
    import typer.main

    flags: set[str] = set()
    todo = [typer.main.get_command(app)]
    while todo:
        command = todo.pop()
        flags.update(o for p in command.params for o in p.opts if o.startswith("--"))
        todo.extend(getattr(command, "commands", {}).values())
    return flags


def test_every_parameter_a_library_message_names_has_a_flag():
    # A backticked name becomes a flag on the command line: it must be one the CLI has (through
    # FLAG_NAMES or a command's own mapping when the spelling differs), not a made-up one.
    from embtool.cli.download import _FLAGS as DOWNLOAD_FLAGS

    mention = re.compile(r"`([a-z][a-z0-9_]*)[=`]")
    known = _app_flags()
    names = set()
    for path in _library_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for s in _strings(tree, _docstrings(tree)):
            names.update(m.group(1) for m in mention.finditer(s.value))
    assert {"min_count", "allow_pickle", "memory_gb", "skip_unknown"} <= names
    missing = sorted(
        f"{name} -> {flag_for(name, DOWNLOAD_FLAGS)}"
        for name in names
        if not all(f in known for f in flag_for(name, DOWNLOAD_FLAGS).split(" ")[0].split("/"))
    )
    assert not missing, missing
