"""Writing outputs atomically: a temporary sibling renamed into place on success.

An interrupted or failed write (Ctrl-C, a full disk, a bad value found half way) never leaves half a
file or half a store where the user asked for output; the temporary sibling is removed.

Replacing an existing store (a directory) cannot be one plain rename. On Linux the new and the old
directory are swapped atomically (``renameat2(RENAME_EXCHANGE)``), so OUT always names a complete
store. Elsewhere the old store is parked as ``.OUT.PID-XXXX.old`` and the new one moved in; a writer
killed between the two leaves OUT missing and its old store parked, and the next write to OUT or any
open of OUT puts the parked store back (:func:`restore_parked`). Swaps into one directory are
serialised by a lock on that directory, so concurrent replacements of one OUT each land whole.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _stale_pattern(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(f".{name}.") + r"(\d+)-[^/]*\.(tmp|old)$")


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
    pid is not a live process. A parked store whose ``name`` is missing is first put back
    (:func:`restore_parked`), never removed. Returns what was removed.
    """
    restore_parked(parent / name)
    pattern = _stale_pattern(name)
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


def _parked_store(candidate: Path) -> Path | None:
    """The store a parked ``.old`` directory holds, or None when it holds nothing to restore.

    Older versions parked the store one level down (``.OUT.PID-XXXX.old/x``).
    """
    try:
        inside = sorted(os.listdir(candidate))
    except OSError:
        return None
    if inside == ["x"] and (candidate / "x").is_dir():
        return candidate / "x"
    return candidate if inside else None


def restore_parked(path: str | Path) -> Path | None:
    """Put back a store that a killed replacement parked, when ``path`` itself is missing.

    A writer that died between parking the old store and moving the new one in leaves
    ``.NAME.PID-XXXX.old`` (its pid no longer running) and no ``NAME``: the parked store is
    renamed back, the newest if there are several. Live writers' parked stores are not touched.
    Returns the restored path, or None when there was nothing to restore.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if os.path.lexists(path) or not parent.is_dir():
        return None
    pattern = _stale_pattern(path.name)
    with _dir_lock(parent):
        if os.path.lexists(path):
            return None
        found = []
        with contextlib.suppress(OSError):
            for entry in os.scandir(parent):
                m = pattern.match(entry.name)
                if m is None or m.group(2) != "old" or not entry.is_dir(follow_symlinks=False):
                    continue
                if int(m.group(1)) != os.getpid() and _alive(int(m.group(1))):
                    continue
                store = _parked_store(Path(entry.path))
                if store is not None:
                    found.append((entry.stat(follow_symlinks=False).st_ctime, store))
        for _, store in sorted(found, key=lambda f: f[0], reverse=True):
            try:
                os.rename(store, path)
            except OSError:
                continue
            if store.name == "x":
                with contextlib.suppress(OSError):
                    store.parent.rmdir()
            return path
    return None


@contextlib.contextmanager
def _dir_lock(parent: Path) -> Iterator[None]:
    """Hold an exclusive lock on the directory ``parent`` (flock; nothing where unsupported)."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield
        return
    try:
        fd = os.open(parent, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2: Any = None  # looked up once: the libc function, or False when there is none


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` atomically (Linux renameat2 RENAME_EXCHANGE).

    Returns False where the system or the file system cannot (the caller falls back);
    raises OSError for a real failure (permissions, a full disk).
    """
    global _renameat2
    if not sys.platform.startswith("linux") or _renameat2 is False:
        return False
    if _renameat2 is None:
        try:
            found = ctypes.CDLL(None, use_errno=True).renameat2
        except (AttributeError, OSError):
            _renameat2 = False
            return False
        found.argtypes = [
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_uint,
        ]
        found.restype = ctypes.c_int
        _renameat2 = found
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _replace_dir(tmp: Path, path: Path, parent: Path, overwrite: bool) -> None:
    """Move the finished directory ``tmp`` to ``path``, replacing an existing one crash-safely.

    Called under the directory lock: ``path`` may have appeared since the write began (another
    writer), so ``overwrite`` is checked again here.
    """
    if os.path.lexists(path) and not overwrite:
        raise OutputExistsError(path)
    if not os.path.lexists(path):
        os.rename(tmp, path)
        return
    if _exchange(tmp, path):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old store
        return
    old = Path(tempfile.mkdtemp(prefix=temp_prefix(path.name), suffix=".old", dir=parent))
    os.replace(path, old)  # onto the empty directory; from here a crash leaves OUT parked
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.replace(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)


def scratch_dir(tmp_dir: str | Path | None) -> Path:
    """Where scratch files go: ``tmp_dir``, else the system's temporary directory."""
    return Path(tmp_dir) if tmp_dir is not None else Path(tempfile.gettempdir())


def scratch_prefix(kind: str, where: Path) -> str:
    """The name prefix for a scratch file or directory of ``kind`` (``embtool-corpus``) in ``where``,
    after sweeping what killed writers left there: the same pid-tagged naming as outputs'
    temporaries (``.KIND.PID-XXXX.tmp``), so a run killed with -9 is cleaned up by the next."""
    sweep_stale(where, kind)
    return temp_prefix(kind)


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
    restore_parked(path)
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
        with _dir_lock(parent):
            _replace_dir(tmp, path, parent, overwrite)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if is_disk_full(exc):
            raise disk_full_error(path) from None
        raise
