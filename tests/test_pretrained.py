"""embtool download against a local gensim-data mirror on 127.0.0.1 (never the internet)."""

import functools
import gzip
import hashlib
import http.server
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool import load_vectors
from embtool.cli import app
from embtool.errors import DownloadError
from embtool.pretrained import download_vectors, fetch_catalogue, parse_catalogue
from tests.helpers import TOY_PATH, run_embtool

runner = CliRunner()
NAME = "tiny-word2vec-4"
MULTI = "tiny-multipart-4"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the mirror directory; ``/short/...`` promises more bytes than it sends."""

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        if "/broken-" in self.path:
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"\x1f\x8b partial")
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A gensim-data-shaped mirror: list.json + NAME/NAME.gz (+ a 3-part set) over HTTP."""
    root = tmp_path_factory.mktemp("mirror")
    payload = gzip.compress(TOY_PATH.read_bytes())
    (root / NAME).mkdir()
    (root / NAME / f"{NAME}.gz").write_bytes(payload)
    (root / MULTI).mkdir()
    cuts = [0, 40, 90, len(payload)]
    parts = [payload[a:b] for a, b in itertools.pairwise(cuts)]
    for i, part in enumerate(parts):
        (root / MULTI / f"{MULTI}.gz_0{i}").write_bytes(part)
    (root / "bad-checksum").mkdir()
    (root / "bad-checksum" / "bad-checksum.gz").write_bytes(payload)
    (root / "not-vectors").mkdir()
    (root / "not-vectors" / "not-vectors.gz").write_bytes(gzip.compress(b"hello\n"))
    entry = {
        "num_records": 12,
        "file_size": len(payload),
        "parameters": {"dimension": 4},
        "license": "CC0",
        "description": "toy vectors",
        "base_dataset": "hand-made",
        "file_name": f"{NAME}.gz",
        "parts": 1,
        "checksum": md5(payload),
    }
    catalogue = {
        "corpora": {"text8": {"checksum": "0" * 32, "file_name": "text8.gz", "parts": 1}},
        "models": {
            NAME: entry,
            MULTI: {
                **entry,
                "file_name": f"{MULTI}.gz",
                "parts": 3,
                "checksum": None,
                **{f"checksum-{i}": md5(p) for i, p in enumerate(parts)},
            },
            "bad-checksum": {**entry, "checksum": "0" * 32},
            "broken-download": {**entry},
            "not-vectors": {**entry, "checksum": md5(gzip.compress(b"hello\n"))},
            "__testing_word2vec-matrix-synopsis": {**entry, "parameters": "dimensions = 50"},
        },
    }
    (root / "list.json").write_text(json.dumps(catalogue))
    handler = functools.partial(Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("EMBTOOL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EMBTOOL_DOWNLOAD_URL", raising=False)
    monkeypatch.delenv("EMBTOOL_CATALOGUE_URL", raising=False)
    return tmp_path / "home"


def leftovers(home: Path) -> list[str]:
    root = home / "vectors"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_catalogue_is_parsed_like_gensim_data(mirror, home):
    url, _ = mirror
    sets = fetch_catalogue(url)
    assert "text8" not in sets  # corpora are not vector sets
    tiny = sets[NAME]
    assert (tiny.dim, tiny.words, tiny.parts, tiny.license) == (4, 12, 1, "CC0")
    assert tiny.urls(url) == [f"{url}/{NAME}/{NAME}.gz"]
    assert sets[MULTI].urls(url) == [f"{url}/{MULTI}/{MULTI}.gz_0{i}" for i in range(3)]
    assert sets["__testing_word2vec-matrix-synopsis"].dim == 50  # old "dimensions = 50" form


def test_catalogue_parts_may_be_strings():
    sets = parse_catalogue({"models": {"x": {"parts": "2", "checksum-0": "a", "checksum-1": "b"}}})
    assert sets["x"].parts == 2
    assert sets["x"].checksums == ("a", "b")


def test_download_converts_once_and_opens_by_name(mirror, home, tmp_path):
    url, _ = mirror
    result = runner.invoke(app, ["download", NAME, "--base-url", url, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    store_path = home / "vectors" / NAME
    assert record == {
        "name": NAME,
        "path": str(store_path),
        "words": 12,
        "dim": 4,
        "downloaded": True,
    }
    assert leftovers(home) == [NAME]  # the store only, no temporary download
    store = load_vectors(store_path)
    toy = load_vectors(TOY_PATH)
    assert store.words == toy.words
    np.testing.assert_array_equal(np.asarray(store.vectors), np.asarray(toy.vectors))
    meta = json.loads((store_path / "meta.json").read_text())
    assert meta["history"][0]["action"] == "download"
    assert meta["history"][0]["source_format"] == "word2vec"
    served = (mirror[1] / NAME / f"{NAME}.gz").read_bytes()
    assert meta["pretrained"]["md5"] == [md5(served)]
    assert meta["pretrained"]["license"] == "CC0"
    # --vectors NAME now opens it
    query = runner.invoke(
        app, ["analogy", "king", "man", "woman", "-k", "1", "--vectors", NAME, "--format", "json"]
    )
    assert query.exit_code == 0, query.stderr
    assert json.loads(query.stdout)[0]["answers"][0]["word"] == "queen"
    # a second call does not fetch again
    again = runner.invoke(
        app, ["download", NAME, "--base-url", "http://127.0.0.1:9", "--format", "json"]
    )
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["downloaded"] is False


def test_multipart_download_is_reassembled(mirror, home):
    url, _ = mirror
    result = download_vectors(MULTI, base=url)
    assert result.words == 12
    assert load_vectors(result.path).words == load_vectors(TOY_PATH).words


def test_base_url_from_environment_and_progress(mirror, home, monkeypatch):
    url, root = mirror
    monkeypatch.setenv("EMBTOOL_DOWNLOAD_URL", url)
    seen = []
    download_vectors(NAME, progress=seen.append)
    size = (root / NAME / f"{NAME}.gz").stat().st_size
    fetched = [(e.done, e.total) for e in seen if e.stage == "download"]
    assert fetched[-1] == (size, size) and {e.unit for e in seen[:-1]} == {"bytes"}
    assert seen[-1].stage == "convert"  # then the download becomes a native store


@pytest.mark.parametrize(
    "name, message",
    [
        ("bad-checksum", "checksum mismatch"),
        ("broken-download", "download interrupted"),
        ("not-vectors", "downloaded file is not readable vectors"),
    ],
)
def test_failed_download_leaves_no_store(mirror, home, name: str, message: str):
    url, _ = mirror
    with pytest.raises(DownloadError, match=message):
        download_vectors(name, base=url)
    assert leftovers(home) == []


def test_unknown_name_suggests(mirror, home):
    url, _ = mirror
    result = runner.invoke(app, ["download", "tiny-word2vec-5", "--base-url", url])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: no vector set named 'tiny-word2vec-5' in the catalogue (did you mean "
        "'tiny-word2vec-4'?)"
    ]


def test_list_shows_vector_sets_only(mirror, home):
    url, _ = mirror
    result = runner.invoke(app, ["download", "--list", "--base-url", url, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    names = [r["name"] for r in json.loads(result.stdout)]
    assert names == [NAME, MULTI, "bad-checksum", "broken-download", "not-vectors"]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_fails_fast_with_one_line(home):
    url = f"http://127.0.0.1:{closed_port()}"
    start = time.monotonic()
    result = runner.invoke(app, ["download", NAME, "--base-url", url])
    assert time.monotonic() - start < 5
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: cannot reach {url}/list.json (")
    assert line.endswith("are you offline? Set EMBTOOL_DOWNLOAD_URL or --base-url to use a mirror")
    assert leftovers(home) == []


def test_silent_server_times_out(home):
    with socket.socket() as s:  # accepts connections, never answers
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
        start = time.monotonic()
        with pytest.raises(DownloadError, match=r"no answer within 0\.5 s|timed out"):
            download_vectors(NAME, base=url, timeout=0.5)
        assert time.monotonic() - start < 5


def test_download_in_a_real_process(mirror, tmp_path):
    url, _ = mirror
    env = {"EMBTOOL_HOME": str(tmp_path / "h"), "EMBTOOL_DOWNLOAD_URL": url}
    proc = run_embtool("download", NAME, "--format", "json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["words"] == 12
    info = run_embtool("info", NAME, "--format", "json", env=env)
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["history"][0]["name"] == NAME


def test_download_help_has_an_example():
    result = runner.invoke(app, ["download", "--help"])
    assert "Example: embtool download glove-wiki-gigaword-50" in " ".join(result.stdout.split())


def test_list_offline_shows_known_names_with_a_note(home):
    url = f"http://127.0.0.1:{closed_port()}"
    result = runner.invoke(app, ["download", "--list", "--base-url", url, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    names = [r["name"] for r in records]
    assert "glove-wiki-gigaword-50" in names and "word2vec-google-news-300" in names
    assert len(names) == 12
    glove50 = records[names.index("glove-wiki-gigaword-50")]
    assert (glove50["dim"], glove50["words"], glove50["downloaded"]) == (50, 400_000, False)
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"note: cannot reach {url}/list.json (")
    assert line.endswith(
        "listing the 12 names embtool knows without the catalogue (sizes and descriptions need the network)"
    )
