"""Figures are read through their artists (not pixels); fonts, label placement and file output."""

import os
import warnings

import numpy as np
import pytest

from embtool import VectorStore, load_vectors
from embtool.cli.errors import phrase_error
from embtool.errors import OutputError, PlotError
from embtool.plotting import (
    MAX_CANVAS_PIXELS,
    FontChoice,
    bundled_font_path,
    charmap,
    check_canvas,
    image_format,
    overlapping_pairs,
    plot_bias,
    plot_word_map,
    repel_labels,
    save_figure,
    select_font,
)
from embtool.projection import map_words
from tests.helpers import FIXTURES

ZH_PATH = FIXTURES / "zh_toy.txt"
ZH_WORDS = ["北京", "上海", "东京", "巴黎", "伦敦", "中国", "日本"]


@pytest.fixture(scope="module")
def zh_store() -> VectorStore:
    return load_vectors(ZH_PATH)


def by_gid(ax, gid, kind="collections"):
    return [a for a in getattr(ax, kind) if a.get_gid() == gid]


def label_texts(ax, gid="label"):
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def test_scatter_offsets_and_labels_are_the_computed_ones(toy_store):
    words = ["king", "queen", "man", "woman", "apple", "orange"]
    wm = map_words(toy_store, words, analogies=[["king", "man", "woman", "queen"]])
    fig = plot_word_map(wm, title="royal")
    (ax,) = fig.axes
    (scatter,) = by_gid(ax, "words")
    np.testing.assert_allclose(scatter.get_offsets(), wm.coords)
    assert label_texts(ax) == list(wm.words)
    # Each label is anchored at its own point.
    anchors = [t.xy for t in ax.texts if t.get_gid() == "label"]
    np.testing.assert_allclose(anchors, wm.coords)
    (pred,) = by_gid(ax, "predicted")
    np.testing.assert_allclose(pred.get_offsets(), [wm.analogies[0].predicted])
    assert label_texts(ax, "predicted-label") == ["king − man + woman"]
    arrows = by_gid(ax, "analogy-arrow", "patches")
    assert len(arrows) == 2
    # The arrows run man -> king and woman -> queen (in data coordinates).
    tails_heads = [tuple(map(tuple, a._posA_posB)) for a in arrows]
    assert tails_heads == [
        (tuple(wm.xy("man")), tuple(wm.xy("king"))),
        (tuple(wm.xy("woman")), tuple(wm.xy("queen"))),
    ]
    assert ax.get_title() == "royal"
    assert ax.get_xlabel().startswith("PC1 (") and "% of variance" in ax.get_xlabel()
    r1, r2 = wm.projection.explained_variance_ratio
    assert f"{r1:.1%}" in ax.get_xlabel() and f"{r2:.1%}" in ax.get_ylabel()


def test_groups_get_colours_and_a_legend(toy_store):
    wm = map_words(
        toy_store, ["car"], groups={"fruit": ["apple", "orange"], "royal": ["king", "queen"]}
    )
    fig = plot_word_map(wm)
    ax = fig.axes[0]
    (scatter,) = by_gid(ax, "words")
    colors = scatter.get_facecolors()
    # car ungrouped; apple/orange share a colour; king/queen share another.
    assert np.allclose(colors[1], colors[2]) and np.allclose(colors[3], colors[4])
    assert not np.allclose(colors[1], colors[3]) and not np.allclose(colors[0], colors[1])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["fruit", "royal"]


def test_max_labels_limits_the_labels(toy_store):
    wm = map_words(toy_store, toy_store.words)
    fig = plot_word_map(wm, max_labels=5)
    assert label_texts(fig.axes[0]) == toy_store.words[:5]
    np.testing.assert_allclose(by_gid(fig.axes[0], "words")[0].get_offsets(), wm.coords)


def test_tsne_axes_are_named(toy_store):
    wm = map_words(toy_store, toy_store.words[:6], method="tsne", seed=0)
    ax = plot_word_map(wm).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("t-SNE 1", "t-SNE 2")


def test_no_pyplot_and_an_agg_canvas(toy_store, tmp_path):
    import subprocess
    import sys

    from tests.helpers import REPO_ROOT, TOY_PATH

    code = (
        "import sys\n"
        "from embtool import load_vectors\n"
        "from embtool.projection import map_words\n"
        "from embtool.plotting import plot_word_map, save_figure\n"
        f"s = load_vectors({str(TOY_PATH)!r})\n"
        "fig = plot_word_map(map_words(s, ['king', 'queen', 'man']))\n"
        f"save_figure(fig, {str(tmp_path / 'p.png')!r})\n"
        "print(type(fig.canvas).__name__, 'matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    ).stdout
    assert out.split() == ["FigureCanvasAgg", "False"]


# -- fonts --------------------------------------------------------------------------------------
def test_chinese_labels_get_a_cjk_fallback_that_covers_them(zh_store):
    choice = select_font(ZH_WORDS)
    assert choice.fallback is not None
    assert choice.missing == ""
    assert choice.covers("".join(ZH_WORDS))
    # The fallback font file itself has every character of every label.
    fallback_cmap = charmap(choice.paths[-1])
    assert all(ord(c) in fallback_cmap for w in ZH_WORDS for c in w)
    # The default font comes first (Latin text keeps its usual look), the CJK font after it.
    default_cmap = charmap(choice.paths[0])
    assert ord("a") in default_cmap and ord("北") not in default_cmap


def test_chinese_labels_are_drawn_with_the_fallback_font(zh_store, tmp_path):
    from matplotlib.font_manager import fontManager

    wm = map_words(zh_store, ZH_WORDS)
    fig = plot_word_map(wm, title="中文标签")
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_gid() == "label"]
    assert [t.get_text() for t in labels] == ZH_WORDS
    for text in labels:
        files = [str(f) for f in fontManager._find_fonts_by_props(text.get_fontproperties())]
        assert len(files) >= 2
        # Some font matplotlib will use for this text has each of its characters.
        assert all(any(ord(c) in charmap(f) for f in files) for c in text.get_text())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Glyph ... missing" warning may escape
        out = save_figure(fig, tmp_path / "zh.png")
    assert out.stat().st_size > 1000


def test_latin_labels_need_no_fallback():
    choice = select_font(["king", "queen", "café"])
    assert choice.source == "none"
    assert choice.fallback is None
    assert choice.missing == ""


def test_bundled_font_is_shipped_with_its_licence():
    path = bundled_font_path()
    assert path.is_file() and path.stat().st_size > 1_000_000
    assert (path.parent / "wqy-microhei.COPYRIGHT").is_file()
    assert ord("北") in charmap(str(path))


def test_explicit_font_comes_first(tmp_path):
    choice = select_font(["北京"], font=bundled_font_path())
    assert choice.source == "option"
    assert choice.families[0] == "WenQuanYi Micro Hei"
    assert choice.missing == ""


@pytest.mark.parametrize("content", [None, b"not a font at all"])
def test_bad_font_file_is_a_plot_error(tmp_path, content):
    path = tmp_path / "font.ttf"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PlotError, match=r"font .*font\.ttf"):
        select_font(["北京"], font=path)


def test_installed_cjk_font_is_preferred_over_the_bundled_one(monkeypatch):
    from matplotlib import font_manager

    fake = font_manager.FontEntry(fname="/fake/NotoSansCJK.ttc", name="Noto Sans CJK SC")
    monkeypatch.setattr(
        font_manager.fontManager, "ttflist", [*font_manager.fontManager.ttflist, fake]
    )
    real = charmap.__wrapped__

    def fake_charmap(path):
        if path == "/fake/NotoSansCJK.ttc":
            return frozenset(map(ord, "北京上海"))
        return real(path)

    monkeypatch.setattr("embtool.plotting.charmap", fake_charmap)
    choice = select_font(["北京"])
    assert (choice.source, choice.families[-1]) == ("installed", "Noto Sans CJK SC")
    # A font without the characters is passed over for the bundled one.
    choice = select_font(["东京"])
    assert (choice.source, choice.families[-1]) == ("bundled", "WenQuanYi Micro Hei")


def test_missing_glyphs_are_reported_once_not_warned(monkeypatch, tmp_path, toy_store):
    monkeypatch.setattr("embtool.plotting.bundled_font_path", lambda: tmp_path / "none.ttc")
    monkeypatch.setattr("embtool.plotting.installed_fonts", lambda only_cjk=True: [])
    choice = select_font(["北京", "king"])
    assert choice.missing == "京北"
    assert not choice.covers("北京")
    store = VectorStore(["北京", "king"], np.eye(2, 3, dtype=np.float32))
    fig = plot_word_map(map_words(store, ["北京", "king"]), font=choice)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        save_figure(fig, tmp_path / "boxes.png")


# -- label placement ----------------------------------------------------------------------------
def test_repel_separates_200_crowded_labels():
    rng = np.random.default_rng(1)
    pts = rng.normal(size=(200, 2)) * [130, 100] + [540, 400]
    sizes = np.column_stack([rng.integers(40, 75, 200), np.full(200, 13.0)])
    naive = pts + np.column_stack([sizes[:, 0] / 2 + 6, np.zeros(200)])
    assert overlapping_pairs(naive, sizes) > 300
    off = repel_labels(pts, sizes, radius=4, pad=2, bounds=(120, 80, 1160, 820))
    centres = pts + off
    assert overlapping_pairs(centres, sizes) == 0
    # Labels stay inside the axes.
    assert (centres - sizes / 2 >= [120 - 1e-9, 80 - 1e-9]).all()
    assert (centres + sizes / 2 <= [1160 + 1e-9, 820 + 1e-9]).all()


def test_repel_leaves_lonely_labels_right_of_their_point():
    pts = np.array([[100.0, 100.0], [500.0, 500.0]])
    sizes = np.array([[40.0, 10.0], [60.0, 10.0]])
    off = repel_labels(pts, sizes, radius=4, pad=2)
    np.testing.assert_allclose(off, [[20 + 6, 0], [30 + 6, 0]])


def test_repel_splits_labels_of_coincident_points():
    pts = np.zeros((5, 2))
    sizes = np.tile([50.0, 12.0], (5, 1))
    off = repel_labels(pts, sizes, radius=4, pad=2)
    assert overlapping_pairs(off, sizes) == 0
    # No label sits on the (shared) marker.
    assert (np.abs(off) - sizes / 2 >= 4 - 1e-9).any(axis=1).all()


def test_plotted_labels_do_not_overlap(toy_store):
    rng = np.random.default_rng(3)
    words = [f"w{i:03d}" for i in range(150)]
    store = VectorStore(words, rng.normal(size=(150, 20)).astype(np.float32))
    fig = plot_word_map(map_words(store, words))
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "label"]
    for t in labels:
        t.update_positions(renderer)
    # Text's own extent, without the leader line an Annotation adds to it.
    boxes = [Text.get_window_extent(t, renderer) for t in labels]
    assert len(boxes) == 150
    centres = np.array([[(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2] for b in boxes])
    sizes = np.array([[b.width, b.height] for b in boxes])
    # The rendered extent is a little taller than the measured one (descent), so allow 2 px.
    assert overlapping_pairs(centres, sizes - 2) == 0


# -- bias figure --------------------------------------------------------------------------------
def test_plot_bias_artists():
    words = ["nurse", "engineer", "teacher"]
    xy = np.array([[-0.3, 0.1], [0.25, -0.2], [-0.1, 0.0]])
    fig = plot_bias(
        words,
        xy,
        xlabel="she ← → he",
        ylabel="PC1 of the rest",
        left_label="she",
        right_label="he",
        title="gender",
    )
    ax = fig.axes[0]
    np.testing.assert_allclose(by_gid(ax, "words")[0].get_offsets(), xy)
    assert label_texts(ax) == words
    assert [t.get_text() for t in ax.texts if t.get_gid() == "pole-label"] == ["she", "he"]
    assert by_gid(ax, "zero-line", "lines")[0].get_xdata()[0] == 0


# -- files --------------------------------------------------------------------------------------
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_save_writes_each_format_atomically(toy_store, tmp_path, ext):
    fig = plot_word_map(map_words(toy_store, ["king", "queen", "man", "woman"]))
    out = save_figure(fig, tmp_path / f"plot.{ext.upper() if ext == 'pdf' else ext}")
    data = out.read_bytes()
    assert data.startswith(MAGIC[ext]) and len(data) > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary left
    mode = out.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_unknown_extension_and_unwritable_paths(toy_store, tmp_path):
    fig = plot_word_map(map_words(toy_store, ["king", "queen"]))
    with pytest.raises(PlotError, match=r"unknown image type \('\.jpg'\)"):
        save_figure(fig, tmp_path / "plot.jpg")
    with pytest.raises(PlotError, match="no extension"):
        image_format(tmp_path / "plot")
    with pytest.raises(OutputError, match="does not exist"):
        save_figure(fig, tmp_path / "missing" / "plot.png")
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(OutputError, match="is a directory"):
        save_figure(fig, tmp_path / "dir.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.png"]


def test_failed_render_leaves_no_file(toy_store, tmp_path, monkeypatch):
    fig = plot_word_map(map_words(toy_store, ["king", "queen"]))
    (tmp_path / "old.png").write_bytes(b"old")

    def boom(*args, **kwargs):
        raise MemoryError("render failed")

    monkeypatch.setattr(fig, "savefig", boom)
    with pytest.raises(MemoryError):
        save_figure(fig, tmp_path / "old.png")
    with pytest.raises(MemoryError):
        save_figure(fig, tmp_path / "new.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.png"]
    assert (tmp_path / "old.png").read_bytes() == b"old"


def test_tiny_store_plots(tmp_path):
    rng = np.random.default_rng(0)
    store = VectorStore(["cat", "sat", "mat"], rng.normal(size=(3, 5)).astype(np.float32))
    fig = plot_word_map(map_words(store, ["cat", "sat"]))
    assert label_texts(fig.axes[0]) == ["cat", "sat"]
    assert save_figure(fig, tmp_path / "tiny.svg").stat().st_size > 1000


def test_font_choice_is_a_plain_value():
    choice = FontChoice(("DejaVu Sans",), ("/x.ttf",), "none")
    assert choice.fallback is None


def test_a_canvas_too_big_to_render_is_refused_before_drawing(toy_store):
    # 100x100 inches at 2400 dpi would be 240,000 pixels a side: Agg dies with a MemoryError
    # (or takes minutes and 14 GB at 60x60 and 1000 dpi). Refuse it up front, in one line.
    assert MAX_CANVAS_PIXELS == 150_000_000
    check_canvas((40, 30), 300)  # a 108-megapixel poster is fine
    with pytest.raises(PlotError) as exc:
        check_canvas((8, 6), 2400)
    assert str(exc.value) == (
        "`size=8x6` at `dpi=2400` is 19,200 x 14,400 pixels (276 megapixels), more than the "
        "150 that can be drawn safely; lower `dpi` or `size`"
    )
    assert phrase_error(exc.value) == (
        "--size 8x6 at --dpi 2400 is 19,200 x 14,400 pixels (276 megapixels), more than the "
        "150 that can be drawn safely; lower --dpi or --size"
    )
    wm = map_words(toy_store, ["king", "queen", "man"])
    with pytest.raises(PlotError, match="240,000 x 240,000 pixels"):
        plot_word_map(wm, size=(100, 100), dpi=2400)


def test_dollar_signs_in_words_and_titles_are_plain_text(tmp_path):
    # '$' tokens are common ('$', 'us$'); two of them would otherwise start matplotlib mathtext,
    # which fails to parse '$$' (a traceback) and typesets '$1$' as math.
    words = ["$", "$$", "$1$", "$\\frac$", "a_b^c"]
    rng = np.random.default_rng(0)
    store = VectorStore(words, rng.standard_normal((5, 3)).astype(np.float32))
    wm = map_words(store, words, groups={"$x$": ["$", "$$"]}, analogies=[words[:4]])
    fig = plot_word_map(wm, title="$$ and $1$")
    save_figure(fig, tmp_path / "d.png")
    (ax,) = fig.axes
    assert label_texts(ax) == words
    texts = [*ax.texts, ax.title, *ax.get_legend().get_texts()]
    assert not [t.get_text() for t in texts if t.get_parse_math()]
    bias_fig = plot_bias(words, rng.standard_normal((5, 2)), xlabel="$a$–$b$", ylabel="$$")
    save_figure(bias_fig, tmp_path / "b.png")
    (bax,) = bias_fig.axes
    assert not [
        t.get_text() for t in [*bax.texts, bax.xaxis.label, bax.yaxis.label] if t.get_parse_math()
    ]
