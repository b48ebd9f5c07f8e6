"""The explorer in a real browser: Debian's chromium, headless, driven by Playwright.

Each test starts ``embtool serve`` as a process and uses the page as a person would: type in the
search box, pick a completion, read the neighbour list, submit an analogy, click a point of a
100,000-point map. Screenshots go to the test's tmp directory. Skipped without chromium or
Playwright unless EMBTOOL_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

import json
import os
import urllib.request

import pytest

from tests.explorer.browser import (
    CHROMIUM_ARGS,
    REQUIRE_BROWSER_ENV,
    browser_missing,
    find_chromium,
    serve,
    synthetic_store,
)

_why = browser_missing()
if _why is not None:
    if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
        pytest.fail(f"{_why}; {REQUIRE_BROWSER_ENV}=1 requires the browser tests", pytrace=False)
    pytest.skip(f"browser tests skipped: {_why}", allow_module_level=True)
pytest.importorskip("starlette", reason="the serve extra (starlette) is not installed")

from playwright.sync_api import Page, sync_playwright  # noqa: E402


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def browser():
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that records console errors (a CSP violation or a script error shows there)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


@pytest.fixture(scope="module")
def english():
    with serve() as url:  # the shipped default vectors
        yield url


def open_page(page: Page, url: str, timeout: float = 60_000) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-map='ready']", timeout=timeout)


def test_search_with_completion_shows_the_neighbour_list(page, english, tmp_path):
    open_page(page, english)
    page.locator("#search").press_sequentially("kin", delay=30)
    page.wait_for_selector("#completions li")
    completions = page.locator("#completions li").all_inner_texts()
    assert completions[0] == "king"  # most frequent first
    assert all(w.lower().startswith("kin") for w in completions)
    page.locator("#completions li", has_text="king").first.click()
    page.wait_for_selector("#neighbors li")
    shown = page.locator("#neighbors li .word").all_inner_texts()
    scores = page.locator("#neighbors li .score").all_inner_texts()
    expected = get_json(english + "api/neighbors?word=king&k=10")[0]["neighbors"]
    assert shown == [n["word"] for n in expected]
    assert scores == [f"{n['score']:.4f}" for n in expected]
    assert shown[0] == "queen"
    # the selected word and its neighbours are marked on the map
    assert page.evaluate("explorer.map.words[explorer.map.selected]") == "king"
    page.screenshot(path=str(tmp_path / "search.png"))
    assert page.errors == []


def test_unknown_word_shows_the_suggestion_and_it_works(page, english):
    open_page(page, english)
    page.fill("#search", "queeen")
    page.press("#search", "Enter")
    message = page.locator("#message")
    message.locator("button.suggestion").first.wait_for()
    assert "1 word not in vectors (default-vectors): 'queeen' (did you mean" in message.inner_text()
    message.locator("button.suggestion", has_text="queen").first.click()
    page.wait_for_selector("#neighbors li")
    assert page.input_value("#search") == "queen"


def test_analogy_king_man_woman_is_queen(page, english):
    open_page(page, english)
    page.fill("#a", "king")
    page.fill("#b", "man")
    page.fill("#c", "woman")
    page.click("#analogy-form button")
    page.wait_for_selector("#answers li")
    answers = page.locator("#answers li .word").all_inner_texts()
    assert answers[0] == "queen"
    expected = get_json(english + "api/analogy?a=king&b=man&c=woman&k=5")[0]["answers"]
    assert answers == [a["word"] for a in expected]
    assert page.errors == []


def test_a_word_neighbourhood_map_with_tsne_progress(page, english):
    open_page(page, english)
    page.select_option("#map-source", "neighborhood")
    page.fill("#map-word", "paris")
    page.fill("#map-n", "15")
    page.select_option("#map-method", "tsne")
    page.click("#map-form button")
    page.wait_for_selector("body[data-map='ready']", timeout=120_000)
    assert page.evaluate("explorer.map.n") == 16
    assert page.evaluate("explorer.map.groups") == ["paris"]
    assert "16 words, TSNE" in page.inner_text("#map-status")
    expected = get_json(english + "api/neighbors?word=paris&k=15")[0]["neighbors"]
    assert sorted(page.evaluate("explorer.map.words")) == sorted(
        ["paris", *(n["word"] for n in expected)]
    )


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    store = synthetic_store(tmp_path_factory.mktemp("big") / "synthetic-100k")
    with serve("--vectors", str(store)) as url:
        yield url


def test_a_100k_point_map_loads_and_a_click_shows_that_points_neighbours(page, big, tmp_path):
    open_page(page, big + "?n=100000", timeout=120_000)
    assert page.evaluate("explorer.map.n") == 100_000
    assert page.get_attribute("body", "data-points") == "100000"
    # no DOM node per point: the map is one canvas
    assert page.evaluate("document.querySelectorAll('#map *').length") < 10
    box = page.locator("#canvas").bounding_box()
    assert box is not None
    # aim at the 500th word; points overlap at this density, so the page's own hit test says
    # which word is nearest to that pixel, and that word's neighbours must be listed
    x, y = page.evaluate("explorer.map.position(explorer.map.words[500])")
    assert 0 <= x <= box["width"] and 0 <= y <= box["height"]
    word = page.evaluate(f"explorer.map.words[explorer.map.nearest({x}, {y}, 10)]")
    assert word
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector("#neighbors li")
    assert page.input_value("#search") == word
    shown = page.locator("#neighbors li .word").all_inner_texts()
    expected = get_json(big + f"api/neighbors?word={word}&k=10")[0]["neighbors"]
    assert shown == [n["word"] for n in expected]
    # panning redraws every point (the page keeps the draw time in data-draw-ms)
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 360, box["y"] + 340, steps=5)
    page.mouse.up()
    assert float(page.get_attribute("body", "data-draw-ms") or "nan") > 0
    page.screenshot(path=str(tmp_path / "map-100k.png"))
    assert page.errors == []


def test_chinese_labels_use_a_cjk_font(page, tmp_path):
    with serve("--vectors", "default-zh") as url:
        open_page(page, url + "?n=300&word=北京")
        page.wait_for_selector("#neighbors li")
        assert page.locator("#neighbors li .word").first.inner_text() == "天津"
        assert page.get_attribute("#a", "placeholder") == "国王"
        # the shipped WenQuanYi face was fetched and parsed (or an installed CJK font is used)
        faces = page.evaluate(
            "document.fonts.load('12px EmbtoolCJK', '北京').then(f => f.map(x => x.status))"
        )
        assert faces == ["loaded"]
        # a CJK glyph is drawn, not a missing-glyph box: 北 and 京 differ in width-independent ink
        ink = page.evaluate(
            """() => {
              const c = document.createElement('canvas'); c.width = 40; c.height = 20;
              const g = c.getContext('2d'); const out = [];
              for (const ch of ['北', '京']) {
                g.clearRect(0, 0, 40, 20); g.font = '16px EmbtoolCJK'; g.fillText(ch, 2, 16);
                out.push(Array.from(g.getImageData(0, 0, 40, 20).data).join(','));
              }
              return out[0] !== out[1];
            }"""
        )
        assert ink
        page.screenshot(path=str(tmp_path / "chinese.png"))
        assert page.errors == []
