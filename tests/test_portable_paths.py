"""No tracked file names a machine-specific absolute path; builds record portable provenance.

The tree is read on other machines (and shipped: data/*/meta.json), so code, docs, tests and data
refer to the repository, ``../shared`` or a placeholder such as ``WORK``, never to the directory
layout of the machine they were written on.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from benchmarks._paths import masked, shared_data
from benchmarks.build_zh_vectors import _public_args
from tests.helpers import REPO_ROOT

# An absolute path starting at one of these top-level directories, not the tail of a relative one
# (BATS has "doghouse/home/den": a preceding word character, dot, slash or dash rules it out).
ABSOLUTE = re.compile(r"(?<![\w.~/\-])/(?:work|root|home|Users)/[^\s\"'`)]*")


def tracked_text_files(root: Path) -> list[Path]:
    """The files git tracks under ``root``, binaries (a NUL byte, or not UTF-8) left out."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    files = []
    for name in listed.decode("utf-8").split("\0"):
        path = root / name
        if not name or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        files.append(path)
    return files


def machine_paths(root: Path) -> list[str]:
    """``file:line: path`` for every machine-specific absolute path in the tracked text files."""
    found = []
    for path in tracked_text_files(root):
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            for m in ABSOLUTE.finditer(line):
                found.append(f"{path.relative_to(root)}:{n}: {m.group(0)}")
    return found


def test_tracked_files_name_no_machine_specific_path() -> None:
    assert machine_paths(REPO_ROOT) == []


def test_the_scan_finds_such_paths_and_names_file_and_line(tmp_path: Path) -> None:
    # a scratch repository: the scan must catch what the real tree had (meta.json, benchmarks)
    work, home = "/" + "work", "/" + "home"
    (tmp_path / "meta.json").write_text(
        '{\n  "paths": [\n    "' + work + '/cache/mix-100M.txt"\n  ]\n}\n', encoding="utf-8"
    )
    (tmp_path / "bench.py").write_text(
        f'CACHE = Path("{home}/me/cache")\n# doghouse/home/den is a relative tail\n',
        encoding="utf-8",
    )
    (tmp_path / "vectors.npy").write_bytes(b"\x93NUMPY\0\0" + (work + "/x").encode())
    (tmp_path / "untracked.txt").write_text(work + "/y\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "meta.json", "bench.py", "vectors.npy"], cwd=tmp_path, check=True)
    assert machine_paths(tmp_path) == [
        f"bench.py:1: {home}/me/cache",
        f"meta.json:3: {work}/cache/mix-100M.txt",
    ]


def test_build_records_mask_the_work_directory_and_the_shared_data(tmp_path: Path) -> None:
    work = tmp_path / "zh-build"
    shared = shared_data().parent
    record = {
        "training": {
            "command": f"embtool train {work}/seg.txt --seed 1 --out {work}/model",
            "corpus": {"paths": [f"{work}/seg.txt"], "files": [{"path": f"{work}/seg.txt"}]},
        },
        "history": [{"action": "convert", "source": f"{work}/model", "limit": 80000}],
        "build": {"source": {"path": f"{shared}/data/zh/corpora/zhwiki-extract.txt.xz"}},
        "language": "zh",
        "other": f"{work}x/not-the-work-dir",
    }
    assert masked(record, work) == {
        "training": {
            "command": "embtool train WORK/seg.txt --seed 1 --out WORK/model",
            "corpus": {"paths": ["WORK/seg.txt"], "files": [{"path": "WORK/seg.txt"}]},
        },
        "history": [{"action": "convert", "source": "WORK/model", "limit": 80000}],
        "build": {"source": {"path": "../shared/data/zh/corpora/zhwiki-extract.txt.xz"}},
        "language": "zh",
        "other": f"{work}x/not-the-work-dir",
    }


def test_the_recorded_build_command_hides_the_work_directory_however_given() -> None:
    argv = ["--work", "rel/zh", "--epochs", "3", "--work=other"]
    assert _public_args(argv) == ["--work", "WORK", "--epochs", "3", "--work=WORK"]
