"""The explorer's JSON API without a browser: the CLI's records, its errors, limits and files."""

import io
import json
import time

import pytest

pytest.importorskip("starlette", reason="the serve extra (starlette) is not installed")

from starlette.testclient import TestClient
from typer.testing import CliRunner

from embtool.cli import app as cli_app
from embtool.completion import FrequentPrefixIndex
from embtool.explorer.app import create_app
from embtool.explorer.limits import Limits
from tests.helpers import TOY_PATH

TOY = str(TOY_PATH)
ZH = str(TOY_PATH.parent / "zh_toy.txt")
runner = CliRunner()


def cli_json(*args: str):
    result = runner.invoke(cli_app, list(args))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def cli_error(*args: str) -> str:
    result = runner.invoke(cli_app, list(args))
    assert result.exit_code == 1
    return result.stderr.strip().removeprefix("error: ")


@pytest.fixture(scope="module")
def client(toy_store):
    app = create_app(toy_store, limits=Limits(max_k=50, max_words=5, max_tsne_points=20))
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c


def test_neighbors_are_the_cli_records(client):
    r = client.get("/api/neighbors", params={"word": "king", "k": 3})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == cli_json("neighbors", "king", "-k", "3", "--vectors", TOY, "-f", "json")
    assert [n["word"] for n in r.json()[0]["neighbors"]] == ["prince", "the", "man"]


def test_neighbors_of_several_words_and_by_post(client):
    got = client.post("/api/neighbors", json={"words": ["queen", "apple"], "k": 2}).json()
    cli = cli_json("neighbors", "queen", "apple", "-k", "2", "--vectors", TOY, "-f", "json")
    assert got == cli
    assert got[1]["neighbors"][0]["word"] == "orange"


def test_analogy_king_man_woman_is_queen_as_in_the_cli(client):
    r = client.get("/api/analogy", params={"a": "king", "b": "man", "c": "woman", "k": 2})
    assert r.status_code == 200
    assert r.json()[0]["answers"][0]["word"] == "queen"
    cli = cli_json("analogy", "king", "man", "woman", "-k", "2", "--vectors", TOY, "-f", "json")
    assert r.json() == cli
    mul = client.get(
        "/api/analogy", params={"a": "king", "b": "man", "c": "woman", "method": "mul"}
    )
    cli_mul = cli_json(
        "analogy", "king", "man", "woman", "-m", "mul", "--vectors", TOY, "-f", "json"
    )
    assert mul.json() == cli_mul


def test_similarity_and_case_folding_as_in_the_cli(client):
    r = client.get("/api/similarity", params={"word1": "King", "word2": "queen"})
    assert r.json() == cli_json("similarity", "King", "queen", "--vectors", TOY, "-f", "json")
    assert r.json()[0]["words"] == ["king", "queen"]


def test_unknown_word_is_a_404_with_the_cli_message_and_suggestions(client):
    r = client.get("/api/neighbors", params={"word": "kingg"})
    assert r.status_code == 404
    body = r.json()
    assert body["kind"] == "unknown_words"
    assert body["words"] == ["kingg"]
    assert body["suggestions"] == {"kingg": ["king"]}
    assert body["error"] == cli_error("neighbors", "kingg", "--vectors", TOY)
    r = client.get("/api/analogy", params={"a": "kingg", "b": "man", "c": "womn"})
    assert r.status_code == 404
    assert r.json()["words"] == ["kingg", "womn"]
    assert r.json()["error"] == cli_error("analogy", "kingg", "man", "womn", "--vectors", TOY)


def test_completion_is_prefix_case_insensitive_most_frequent_first(client):
    r = client.get("/api/complete", params={"prefix": "PRI"})
    assert r.json() == {"prefix": "PRI", "completions": ["prince", "princess"], "suggestions": []}
    r = client.get("/api/complete", params={"prefix": "quuen"})
    assert r.json()["completions"] == []
    assert r.json()["suggestions"] == ["queen"]


def test_prefix_index_matches_a_scan():
    words = ["b", "Apple", "apply", "ápple", "app", "APP", "banana", "北京", "北", "apple"]
    index = FrequentPrefixIndex(words)
    for prefix in ["a", "ap", "APP", "appl", "b", "北", "z", "á"]:
        scan = [w for w in words if w.lower().startswith(prefix.lower())]
        assert index.complete(prefix, 3) == scan[:3], prefix
        assert index.complete(prefix, 100) == scan, prefix


@pytest.mark.parametrize(
    ("plot_args", "body"),
    [
        (["--top", "8"], {"top": 8}),
        (
            ["king", "queen", "apple", "orange", "car"],
            {"words": ["king", "queen", "apple", "orange", "car"]},
        ),
        (
            ["--neighbors", "king", "-k", "3", "apple"],
            {"neighbors": ["king"], "k": 3, "words": ["apple"]},
        ),
        (
            [
                "--group",
                "royal=king,queen,prince",
                "--group",
                "fruit=apple,orange",
                "car",
                "--normalize",
            ],
            {
                "groups": {"royal": ["king", "queen", "prince"], "fruit": ["apple", "orange"]},
                "words": ["car"],
                "normalize": True,
            },
        ),
        (
            ["king", "queen", "man", "--fit-on", "top:10"],
            {"words": ["king", "queen", "man"], "fit_on": 10},
        ),
    ],
)
def test_pca_map_equals_plot_format_json(client, plot_args, body):
    cli = cli_json("plot", *plot_args, "--vectors", TOY, "--format", "json")
    r = client.post("/api/projection", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got.pop("notes") == []
    assert got == cli
    assert len(got["points"]) >= 3


def test_map_by_get_with_groups_coloured(client):
    r = client.get("/api/projection", params={"top": 5})
    assert r.json()["points"][0]["word"] == "the"
    body = {"neighbors": ["queen"], "k": 2}
    points = client.post("/api/projection", json=body).json()["points"]
    assert [(p["word"], p["group"]) for p in points] == [
        ("queen", "queen"),
        ("princess", "queen"),
        ("the", "queen"),
    ]


def wait_for(client, job: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job}")
        data = status.json()
        if data["state"] in ("done", "failed"):
            return data
        time.sleep(0.1)
    raise AssertionError(f"t-SNE job {job} did not finish in {timeout} s")


def test_tsne_runs_as_a_job_with_progress_and_equals_plot(client):
    words = ["king", "queen", "prince", "princess", "man", "woman", "apple", "orange", "car"]
    cli = cli_json("plot", *words, "--method", "tsne", "--vectors", TOY, "--format", "json")
    r = client.post("/api/projection", json={"words": words, "method": "tsne"})
    assert r.status_code == 202
    first = r.json()
    assert first["state"] in ("queued", "running", "done")
    again = client.post("/api/projection", json={"words": words, "method": "tsne"}).json()
    assert again["job"] == first["job"]  # the same request joins the same job
    data = wait_for(client, first["job"])
    assert data["state"] == "done", data
    assert (data["stage"], data["done"], data["total"], data["unit"]) == (
        "t-SNE",
        1000,
        1000,
        "iterations",
    )
    result = data["result"]
    notes = result.pop("notes")
    assert notes == ["t-SNE perplexity 30 is too large for 9 points; using 2.66667"]
    assert result == cli


def test_tsne_progress_counts_iterations(toy_store):
    from embtool import projection

    events = []
    projection.map_words(toy_store, toy_store.words, method="tsne", progress=events.append)
    done = [e.done for e in events]
    assert done[0] == 0 and done[-1] == 1000 and events[-1].final
    assert 50 in done and done == sorted(done)  # scikit-learn logs every 50 iterations


def test_unknown_job_is_404(client):
    r = client.get("/api/jobs/nope")
    assert r.status_code == 404
    assert r.json()["kind"] == "no_job"


def test_tsne_with_an_unknown_word_fails_the_job_with_suggestions(client):
    r = client.post("/api/projection", json={"words": ["king", "quen", "man"], "method": "tsne"})
    data = wait_for(client, r.json()["job"])
    assert data["state"] == "failed"
    assert data["error"]["suggestions"] == {"quen": ["queen"]}
    assert client.get(f"/api/jobs/{data['job']}").status_code == 404  # the error's own status


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "needle"),
    [
        (
            "get",
            "/api/neighbors",
            {"params": {"word": "king", "k": 51}},
            400,
            "k must be between 1 and 50",
        ),
        (
            "get",
            "/api/neighbors",
            {"params": {"word": "king", "k": "ten"}},
            400,
            "k must be a whole number",
        ),
        ("get", "/api/neighbors", {"params": {"word": "king", "k": 0}}, 400, "k must be between"),
        ("get", "/api/neighbors", {"params": {}}, 400, "word: give at least one word"),
        ("get", "/api/neighbors", {"params": {"word": "x" * 101}}, 400, "at most 100"),
        (
            "post",
            "/api/neighbors",
            {"json": {"words": ["king"] * 6}},
            400,
            "at most 5 in one request",
        ),
        (
            "post",
            "/api/neighbors",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            400,
            "not valid JSON",
        ),
        ("post", "/api/neighbors", {"json": ["king"]}, 400, "must be a JSON object"),
        (
            "get",
            "/api/analogy",
            {"params": {"a": "king", "b": "man"}},
            400,
            "c must be a non-empty word",
        ),
        (
            "get",
            "/api/analogy",
            {"params": {"a": "king", "b": "man", "c": "woman", "method": "div"}},
            400,
            "method must be one of add, mul",
        ),
        ("post", "/api/projection", {"json": {}}, 400, "nothing to map"),
        (
            "post",
            "/api/projection",
            {"json": {"top": 100_001}},
            400,
            "top must be between 1 and 100,000",
        ),
        (
            "post",
            "/api/projection",
            {"json": {"top": 12, "method": "tsne", "words": ["king"] * 9}},
            400,
            "t-SNE of up to 21 points; at most 20",
        ),
        (
            "post",
            "/api/projection",
            {"json": {"words": ["king"], "method": "umap"}},
            400,
            "method must be one of pca, tsne",
        ),
        (
            "post",
            "/api/projection",
            {"json": {"words": ["king"]}},
            400,
            "PCA needs at least 2 words",
        ),
        (
            "post",
            "/api/projection",
            {"json": {"groups": ["king"]}},
            400,
            "groups must be an object",
        ),
        (
            "post",
            "/api/projection",
            {"json": {"words": ["king", "queen"], "perplexity": 0}},
            400,
            "perplexity must be between 1 and 100",
        ),
        (
            "get",
            "/api/neighbors",
            {"params": {"word": "k" * 9000}},
            414,
            "query string longer than 8,192 bytes",
        ),
        (
            "post",
            "/api/neighbors",
            {"content": b"[" + b" " * 1_000_001 + b"]"},
            413,
            "request body over 1,000,000 bytes",
        ),
        ("delete", "/api/neighbors", {}, 405, "method not allowed"),
        ("get", "/api/nothing", {}, 404, "no such API route"),
    ],
)
def test_bad_requests_get_clear_4xx_json(client, method, path, kwargs, status, needle):
    r = client.request(method.upper(), path, **kwargs)
    assert r.status_code == status, r.text
    assert needle in r.json()["error"], r.json()


def test_info_names_the_store_and_its_limits(client):
    info = client.get("/api/info").json()
    assert info == {
        "name": "toy.txt",
        "words": 12,
        "dim": 4,
        "language": "en",
        "limits": {"k": 50, "words": 5, "map_points": 12, "tsne_points": 20},
    }


def test_chinese_store_answers_in_chinese():
    from embtool.vectors import load_vectors

    with TestClient(create_app(load_vectors(ZH)), base_url="http://127.0.0.1") as c:
        assert c.get("/api/info").json()["language"] == "zh"
        got = c.get("/api/neighbors", params={"word": "北京", "k": 2}).json()
        assert got == cli_json("neighbors", "北京", "-k", "2", "--vectors", ZH, "-f", "json")
        r = c.get("/api/neighbors", params={"word": "北平"})
        assert r.status_code == 404 and "北平" in r.json()["error"]


# -- files and hosts -------------------------------------------------------------------------------
def test_page_and_its_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/static/explorer.js"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    js = client.get("/static/explorer.js")
    assert js.headers["content-type"].startswith("text/javascript") and "class WordMap" in js.text
    assert client.get("/static/explorer.css").status_code == 200
    font = client.get("/static/fonts/wqy-microhei.ttf")
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf"
    assert font.content[:4] == b"\x00\x01\x00\x00"  # TrueType, not the .ttc collection


def test_web_font_is_the_shipped_face_without_the_table_browsers_reject():
    from fontTools.ttLib import TTFont

    from embtool.explorer.fonts import web_font

    face = TTFont(io.BytesIO(web_font()))
    assert face["name"].getDebugName(1) == "WenQuanYi Micro Hei"
    assert "FFTM" not in face
    assert ord("北") in face.getBestCmap() and ord("京") in face.getBestCmap()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2fapp.py",
        "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
        "/static/fonts/../../app.py",
        "/static/fonts/..%2f..%2fapi.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/app.py",
        "/static/__init__.py",
        "/static/fonts/wqy-microhei.COPYRIGHT",
        "/static/fonts/wqy-microhei.ttc",
        "/static/",
        "/app.py",
        "/etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/../static/../app.py",
    ],
)
def test_nothing_else_on_disk_is_reachable(client, path):
    r = client.get(path)
    assert r.status_code == 404, path
    assert "import" not in r.text and "root:" not in r.text


def test_only_local_host_names_are_accepted(client):
    assert client.get("/api/info", headers={"host": "localhost:8000"}).status_code == 200
    evil = client.get("/api/info", headers={"host": "attacker.example:8000"})
    assert evil.status_code == 400


def test_any_host_when_bound_elsewhere_on_purpose(toy_store):
    with TestClient(create_app(toy_store, allowed_hosts=None), base_url="http://10.1.2.3") as c:
        assert c.get("/api/info").status_code == 200


def test_job_queue_forgets_the_oldest_finished_jobs():
    from embtool.explorer.api import error_payload
    from embtool.explorer.jobs import JobQueue

    queue = JobQueue(error_payload, max_jobs=2)
    jobs = []
    for n in range(4):
        job = queue.submit(("map", n), lambda progress, n=n: {"n": n})
        deadline = time.monotonic() + 30
        while job.state not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.01)
        jobs.append(job)
    assert [j.result for j in jobs] == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]
    assert queue.get(jobs[0].id) is None and queue.get(jobs[1].id) is None
    assert queue.get(jobs[3].id) is jobs[3]
    assert queue.submit(("map", 3), lambda progress: {"n": -1}) is jobs[3]  # reused, not rerun
    queue.shutdown()


def test_float16_store_answers_as_the_cli_on_the_shipped_vectors():
    from embtool.resources import default_vectors_path
    from embtool.vectors import load_vectors

    store = load_vectors(default_vectors_path())
    assert store.dtype.name == "float16"  # the explorer queries a float32 copy of it
    with TestClient(create_app(store), base_url="http://127.0.0.1") as c:
        got = c.get("/api/analogy", params={"a": "king", "b": "man", "c": "woman", "k": 5}).json()
        near = c.get("/api/neighbors", params={"word": "frog", "k": 5}).json()
    cli = cli_json("analogy", "king", "man", "woman", "-k", "5", "-f", "json")
    cli_near = cli_json("neighbors", "frog", "-k", "5", "-f", "json")
    for ours, theirs, key in [(got, cli, "answers"), (near, cli_near, "neighbors")]:
        assert [a["word"] for a in ours[0][key]] == [a["word"] for a in theirs[0][key]]
        assert [a["score"] for a in ours[0][key]] == pytest.approx(
            [a["score"] for a in theirs[0][key]], abs=1e-12
        )
    assert got[0]["answers"][0]["word"] == "queen"
