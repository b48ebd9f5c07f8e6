"""Pretrained vector sets from the gensim-data catalogue, fetched once and kept as native stores.

The catalogue is gensim-data's ``list.json``: ``{"corpora": {...}, "models": {NAME: {...}}}``, each
model with ``file_name``, ``parts``, an md5 ``checksum`` (or ``checksum-0``, ``checksum-1``, ...
for a file split in parts), ``num_records``, ``file_size``, ``parameters`` and licence details.
Files live at ``BASE/NAME/NAME.gz`` (parts: ``BASE/NAME/NAME.gz_00``, ``_01``, ... concatenated).
A download goes to a temporary file, is checked against its md5, converted once into a native store
under ``embtool_home()/vectors/NAME`` (written atomically), and the temporary file is removed, so an
interrupted or corrupt download never leaves a store behind.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import difflib
import hashlib
import http.client
import json
import os
import re
import socket
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embtool.errors import DownloadError, EmbtoolError, UnknownVectorSetError
from embtool.resources import downloaded_store_path, embtool_home
from embtool.vectors import VectorFormat, load_vectors, save_vectors

DEFAULT_BASE_URL = "https://github.com/RaRe-Technologies/gensim-data/releases/download"
DEFAULT_CATALOGUE_URL = (
    "https://raw.githubusercontent.com/RaRe-Technologies/gensim-data/master/list.json"
)
DEFAULT_TIMEOUT = 10.0
_CHUNK = 1 << 20

Progress = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class PretrainedSet:
    """One vector set of the catalogue."""

    name: str
    description: str
    dim: int | None
    words: int | None
    file_size: int | None
    parts: int
    checksums: tuple[str, ...]
    license: str | None
    base_dataset: str | None
    raw: dict[str, Any]

    def urls(self, base_url: str) -> list[str]:
        base = base_url.rstrip("/")
        if self.parts == 1:
            return [f"{base}/{self.name}/{self.name}.gz"]
        return [f"{base}/{self.name}/{self.name}.gz_0{i}" for i in range(self.parts)]


def base_url(override: str | None = None) -> str:
    """Where files are fetched from: ``override``, ``EMBTOOL_DOWNLOAD_URL`` or gensim-data."""
    return (override or os.environ.get("EMBTOOL_DOWNLOAD_URL") or DEFAULT_BASE_URL).rstrip("/")


def catalogue_url(base: str) -> str:
    """``list.json`` sits beside the files on a mirror; gensim-data keeps it in the repository."""
    env = os.environ.get("EMBTOOL_CATALOGUE_URL")
    if env:
        return env
    if base.rstrip("/") == DEFAULT_BASE_URL:
        return DEFAULT_CATALOGUE_URL
    return f"{base.rstrip('/')}/list.json"


def _dimension(entry: dict[str, Any]) -> int | None:
    params = entry.get("parameters")
    if isinstance(params, dict):
        for key in ("dimension", "dimensions", "dim"):
            if isinstance(params.get(key), int):
                return params[key]
    if isinstance(params, str):  # older catalogues: "dimension = 50"
        m = re.search(r"(\d+)", params)
        if m:
            return int(m.group(1))
    return None


def _int_or_none(value: Any) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


def parse_catalogue(data: Any) -> dict[str, PretrainedSet]:
    """The vector sets (``models``) of a gensim-data ``list.json``.  Raises: DownloadError."""
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise DownloadError("the catalogue is not a gensim-data list.json (no 'models')")
    sets: dict[str, PretrainedSet] = {}
    for name, entry in data["models"].items():
        if not isinstance(entry, dict):
            continue
        parts = _int_or_none(entry.get("parts")) or 1
        if parts == 1:
            checksums: tuple[str, ...] = (str(entry.get("checksum", "")),)
        else:
            checksums = tuple(str(entry.get(f"checksum-{i}", "")) for i in range(parts))
        sets[name] = PretrainedSet(
            name=name,
            description=str(entry.get("description", "")),
            dim=_dimension(entry),
            words=_int_or_none(entry.get("num_records")),
            file_size=_int_or_none(entry.get("file_size")),
            parts=parts,
            checksums=checksums,
            license=entry.get("license"),
            base_dataset=entry.get("base_dataset"),
            raw=entry,
        )
    return sets


#: The vector sets of gensim-data's list.json (name, dimensions, words), for ``--list`` when offline.
KNOWN_SETS: tuple[tuple[str, int, int], ...] = (
    ("conceptnet-numberbatch-17-06-300", 300, 1_917_247),
    ("fasttext-wiki-news-subwords-300", 300, 999_999),
    ("glove-twitter-25", 25, 1_193_514),
    ("glove-twitter-50", 50, 1_193_514),
    ("glove-twitter-100", 100, 1_193_514),
    ("glove-twitter-200", 200, 1_193_514),
    ("glove-wiki-gigaword-50", 50, 400_000),
    ("glove-wiki-gigaword-100", 100, 400_000),
    ("glove-wiki-gigaword-200", 200, 400_000),
    ("glove-wiki-gigaword-300", 300, 400_000),
    ("word2vec-google-news-300", 300, 3_000_000),
    ("word2vec-ruscorpora-300", 300, 184_973),
)


def subwords_note(name: str) -> str | None:
    """What a set's name promises but its file lacks: the catalogue's fastText set is a .vec-style
    word2vec file, its n-grams dropped upstream (gensim-data#34), so unseen words stay unknown."""
    if "subword" in name and name.startswith("fasttext"):
        return (
            f"{name} has no subwords: the catalogue file holds word vectors only (its n-grams were "
            "dropped upstream), so it cannot build vectors for unseen words; for that, convert "
            "Facebook's .bin model (it keeps them) or train fastText on your own text"
        )
    return None


def known_catalogue() -> dict[str, PretrainedSet]:
    """The catalogue's vector sets as this version of embtool knows them (no sizes, no checksums)."""
    return {
        name: PretrainedSet(name, "", dim, words, None, 1, ("",), None, None, {})
        for name, dim, words in KNOWN_SETS
    }


def _open_url(url: str, timeout: float):  # type: ignore[no-untyped-def]
    request = urllib.request.Request(url, headers={"User-Agent": "embtool"})
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            reason = f"no answer within {timeout:g} s"
        raise DownloadError(
            f"cannot reach {url} ({reason}); are you offline? Set EMBTOOL_DOWNLOAD_URL or "
            "`base` to use a mirror"
        ) from None


def fetch_catalogue(
    base: str | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, PretrainedSet]:
    """Download and parse the catalogue.  Raises: DownloadError (offline, bad JSON)."""
    url = catalogue_url(base_url(base))
    try:
        with _open_url(url, timeout) as response:
            body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise DownloadError(f"{url}: download failed ({exc})") from None
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DownloadError(f"{url}: not valid JSON ({exc})") from None
    return parse_catalogue(data)


def _fetch_to(
    url: str,
    out,
    expected_md5: str,
    timeout: float,  # type: ignore[no-untyped-def]
    progress: Progress | None,
    done_before: int,
    total: int | None,
) -> int:
    """Stream ``url`` into the open file ``out``; return the bytes written.

    Raises: DownloadError.
    """
    md5 = hashlib.md5()
    written = 0
    with _open_url(url, timeout) as response:
        length = _int_or_none(response.headers.get("Content-Length"))
        while True:
            try:
                chunk = response.read(_CHUNK)
            except (OSError, ValueError, http.client.HTTPException) as exc:
                raise DownloadError(f"{url}: download interrupted ({exc}); try again") from None
            if not chunk:
                break
            out.write(chunk)
            md5.update(chunk)
            written += len(chunk)
            if progress is not None:
                progress(done_before + written, total)
    if length is not None and written != length:
        raise DownloadError(
            f"{url}: download interrupted after {written:,} of {length:,} bytes; try again"
        )
    digest = md5.hexdigest()
    if expected_md5 and digest != expected_md5.lower():
        raise DownloadError(
            f"{url}: checksum mismatch (md5 {digest}, catalogue says {expected_md5}); the "
            "download is corrupt, try again"
        )
    return written


def _close_names(name: str, names: list[str]) -> list[str]:
    return difflib.get_close_matches(name, names, n=3, cutoff=0.6)


@dataclass(frozen=True)
class DownloadResult:
    name: str
    path: Path
    words: int
    dim: int
    downloaded: bool  # False when the store was already there


def download_vectors(
    name: str,
    *,
    base: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    force: bool = False,
    progress: Progress | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> DownloadResult:
    """Fetch vector set ``name``, verify it and keep it as a native store; return where it is.

    Nothing is fetched when the store already exists (unless ``force``).
    Raises: DownloadError (offline, unknown name, checksum mismatch), VectorFileError.
    """
    dest = downloaded_store_path(name)
    if "/" in name or name in ("", ".", ".."):
        raise UnknownVectorSetError(name, f"{name!r} is not a vector set name")
    if dest.exists() and not force:
        store = load_vectors(dest)
        return DownloadResult(name, dest, len(store), store.dim, downloaded=False)
    root = base_url(base)
    catalogue = fetch_catalogue(root, timeout=timeout)
    entry = catalogue.get(name)
    if entry is None:
        raise UnknownVectorSetError(
            name,
            f"no vector set named {name!r} in the catalogue",
            _close_names(name, sorted(catalogue)),
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".gz.part", dir=dest.parent)
    tmp = Path(tmp_name)
    urls = entry.urls(root)
    try:
        with os.fdopen(fd, "wb") as out:
            done = 0
            for url, checksum in zip(urls, entry.checksums, strict=True):
                done += _fetch_to(url, out, checksum, timeout, progress, done, entry.file_size)
        if on_stage is not None:
            on_stage("converting")
        try:
            store = load_vectors(tmp)
        except EmbtoolError as exc:
            raise DownloadError(
                f"{name}: downloaded file is not readable vectors ({exc})"
            ) from None
        store.meta.pop("source_format", None)
        fmt = store.meta.get("history", [{}])[-1].get("format")
        now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        store.meta["history"] = [
            {"action": "download", "name": name, "urls": urls, "source_format": fmt, "when": now}
        ]
        store.meta["pretrained"] = {
            "name": name,
            "catalogue": catalogue_url(root),
            "md5": list(entry.checksums),
            "description": entry.description,
            "license": entry.license,
            "base_dataset": entry.base_dataset,
            "catalogue_entry": entry.raw,
        }
        save_vectors(store, dest, VectorFormat.store, overwrite=force)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return DownloadResult(name, dest, len(store), store.dim, downloaded=True)


def downloaded_names() -> list[str]:
    """Names of the vector sets already converted into ``embtool_home()/vectors``."""
    root = embtool_home() / "vectors"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
