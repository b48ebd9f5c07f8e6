"""Writing outputs atomically: a temporary sibling renamed into place on success.

An interrupted or failed write (Ctrl-C, a full disk, a bad value found half way) never leaves half a
file or half a store where the user asked for output; the temporary sibling is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from embtool.errors import OutputError, OutputExistsError

_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def is_disk_full(exc: BaseException) -> bool:
    """True for an OSError meaning the disk (or the user's quota) is full."""
    return isinstance(exc, OSError) and exc.errno in _FULL


def disk_full_error(path: str | Path) -> OutputError:
    """The one message for a full disk, naming what was being written."""
    return OutputError(f"no space left on device writing {path}")


def temp_prefix(name: str) -> str:
    """Prefix of embtool's temporaries for ``name``: the writer's pid is in it, so a later write
    to the same place can tell a dead writer's leftovers from a live one's work."""
    return f".{name}.{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but belongs to someone else
    return True


def sweep_stale(parent: Path, name: str) -> list[Path]:
    """Remove temporaries of ``name`` in ``parent`` left by writers that no longer run (kill -9).

    Only embtool's own pattern ``.NAME.PID-XXXX.tmp`` / ``.old`` is touched, and only when that
    pid is not a live process. Returns what was removed.
    """
    pattern = re.compile(re.escape(f".{name}.") + r"(\d+)-[^/]*\.(tmp|old)$")
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            m = pattern.match(entry.name)
            if m is None or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
                continue
            p = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    p.unlink()
            removed.append(p)
    return removed


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _usual_mode(path: Path, *, directory: bool = False) -> None:
    """Give a temporary file (created 0600) or directory (0700) the mode a new one gets."""
    with contextlib.suppress(OSError):
        os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path``; on success rename it into place, else remove it."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{path}: directory {parent} does not exist")
    sweep_stale(parent, path.name)
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _usual_mode(tmp_path)
        os.replace(tmp_path, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if is_disk_full(exc):
            raise disk_full_error(path) from None
        raise


def check_destination(path: str | Path, *, overwrite: bool = False) -> None:
    """Fail now, before long work, if a later atomic write of ``path`` could not succeed.

    Probes the nearest existing ancestor with a temporary directory (catches read-only file
    systems and permissions, for root too). Raises: OutputError naming the path.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(path)
    base = path.parent if str(path.parent) else Path(".")
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise OutputError(f"{path}: cannot write there, {base} is not a directory")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=temp_prefix(path.name), suffix=".probe", dir=base))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {base} ({exc.strerror or exc})") from None


@contextlib.contextmanager
def atomic_dir(path: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling directory; on success it replaces ``path`` in one rename.

    Raises: OutputError when ``path`` exists and ``overwrite`` is false, or cannot be written.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.exists() and not overwrite:
        raise OutputExistsError(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} exists and is not a directory")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        sweep_stale(parent, path.name)
        tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(path.name), suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        yield tmp
        _usual_mode(tmp, directory=True)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=temp_prefix(path.name), suffix=".old", dir=parent))
            os.replace(path, old / "x")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if is_disk_full(exc):
            raise disk_full_error(path) from None
        raise
