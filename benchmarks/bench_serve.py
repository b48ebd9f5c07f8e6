"""The web explorer (issue 14): page load with a 100,000-point map in headless Chromium, redraw time,
and API neighbour latency, each against an anchor measured in the same run.

- page load: from navigation to the map drawn (``body[data-map=ready]``), 100,000 points, PCA.
  Cold = the server computes the projection; warm = it answers from its cache. Anchor: the same
  page fetching the same map JSON and parsing it (``fetch`` + ``JSON.parse``), i.e. the data's
  own cost, without projecting or drawing.
- redraw: the page's own draw time of all 100,000 points while panning (60 fps = 16.7 ms).
- neighbours: ``GET /api/neighbors?word=W&k=10`` over a kept-alive HTTP connection, median of
  many words, against the library call ``similarity.neighbors`` in-process on the same store (the
  floor) and against ``embtool neighbors W`` as a new process (what each query costs without a
  server).

Run from the repository root (needs chromium and the test extra):
``nice python -m benchmarks.bench_serve [--big]`` (``--big`` adds the 400k x 300 store).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from benchmarks.common import CACHE, synthetic_store
from embtool import load_vectors, similarity
from embtool.explorer.api import in_float32
from embtool.resources import default_vectors_path
from tests.explorer.browser import CHROMIUM_ARGS, find_chromium, serve
from tests.explorer.browser import synthetic_store as clustered_store


def page_load(url: str, n: int, repeat: int = 3) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    out: dict[str, list[float]] = {"cold": [], "warm": [], "anchor": [], "draw": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        for attempt in range(repeat + 1):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            t0 = time.perf_counter()
            page.goto(f"{url}?n={n}")
            page.wait_for_selector("body[data-map='ready']", timeout=300_000)
            elapsed = time.perf_counter() - t0
            out["cold" if attempt == 0 else "warm"].append(elapsed)
            if attempt:
                # anchor: the same JSON fetched and parsed by the same page
                out["anchor"].append(
                    page.evaluate(
                        """async (n) => {
                          const t0 = performance.now();
                          const r = await fetch('/api/projection', {method: 'POST',
                            headers: {'content-type': 'application/json'},
                            body: JSON.stringify({top: n, method: 'pca'})});
                          const data = JSON.parse(await r.text());
                          if (data.points.length !== n) throw new Error('short map');
                          return (performance.now() - t0) / 1000;
                        }""",
                        n,
                    )
                )
                box = page.locator("#canvas").bounding_box()
                assert box is not None
                page.mouse.move(box["x"] + 400, box["y"] + 400)
                page.mouse.down()
                for step in range(20):
                    page.mouse.move(box["x"] + 400 + 5 * step, box["y"] + 400 + 3 * step)
                    page.wait_for_timeout(20)
                    out["draw"].append(float(page.get_attribute("body", "data-draw-ms") or "nan"))
                page.mouse.up()
            page.close()
        browser.close()
    return {
        "cold": out["cold"][0],
        "warm": min(out["warm"]),
        "anchor": min(out["anchor"]),
        "draw_median_ms": statistics.median(out["draw"]),
        "draw_max_ms": max(out["draw"]),
    }


def api_latency(url: str, words: list[str]) -> float:
    """Median seconds per neighbours request over one kept-alive connection."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    times = []
    for i, word in enumerate(words):
        t0 = time.perf_counter()
        conn.request("GET", f"/api/neighbors?word={quote(word)}&k=10")
        body = conn.getresponse().read()
        if i:  # the first request pays for lazy caches (norms)
            times.append(time.perf_counter() - t0)
        assert json.loads(body)[0]["neighbors"], body[:200]
    conn.close()
    return statistics.median(times)


def library_latency(store_path: Path, words: list[str]) -> float:
    store = in_float32(load_vectors(store_path))  # what the server queries
    similarity.neighbors(store, words[:1], 10)
    times = []
    for word in words[1:]:
        t0 = time.perf_counter()
        similarity.neighbors(store, [word], 10)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def process_latency(store_path: Path, words: list[str]) -> float:
    times = []
    for word in words:
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "embtool", "neighbors", word, "--vectors", str(store_path)],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def line(name: str, ours: float, anchor: float, anchor_name: str, unit: str = "s") -> None:
    print(
        f"{name:<44} {ours:9.4f} {unit}   {anchor_name:<34} {anchor:9.4f} {unit}   "
        f"ours/anchor {ours / anchor:8.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", action="store_true", help="also the 400k x 300 store")
    parser.add_argument("--points", type=int, default=100_000)
    args = parser.parse_args()
    if find_chromium() is None:
        sys.exit("chromium is not installed (apt-get install -y chromium)")

    clustered = clustered_store(CACHE / "explorer-100k-x32")
    with serve("--vectors", str(clustered)) as url:
        load = page_load(url, args.points)
    print(f"page load, {args.points:,} points (PCA), headless Chromium, 1280x800:")
    line("  cold (server projects)", load["cold"], load["anchor"], "anchor: fetch + JSON.parse")
    line("  warm (projection cached)", load["warm"], load["anchor"], "anchor: fetch + JSON.parse")
    print(
        f"  redraw of all points while panning: median {load['draw_median_ms']:.1f} ms, "
        f"max {load['draw_max_ms']:.1f} ms (60 fps = 16.7 ms)"
    )

    stores = [("shipped 50k x 300", default_vectors_path())]
    if args.big:
        stores.append(("synthetic 400k x 300", synthetic_store(400_000, 300)))
    print("GET /api/neighbors?k=10, median:")
    for name, path in stores:
        vocab = load_vectors(path).words
        words = [vocab[i] for i in range(5, 5000, 97)]  # 52 words, frequent to rarer
        with serve("--vectors", str(path)) as url:
            http_s = api_latency(url, words)
        lib_s = library_latency(path, words)
        proc_s = process_latency(path, words[:5])
        line(f"  {name}: HTTP", http_s, lib_s, "anchor: library call in-process")
        line(f"  {name}: HTTP", http_s, proc_s, "anchor: `embtool neighbors` process")


if __name__ == "__main__":
    main()
