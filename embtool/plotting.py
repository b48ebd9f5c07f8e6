"""Draw word maps as matplotlib Figures (Agg canvas, never pyplot state), and write them atomically.

- :func:`select_font` picks the fonts for the labels: matplotlib's default first, then, when some
  characters (Chinese, say) are missing from it, a fallback that has them: the font given by the
  user, else an installed CJK font found through matplotlib's font manager, else the WenQuanYi Micro
  Hei font shipped in ``data/fonts/``. matplotlib (>= 3.6) draws each glyph from the first font of
  the family list that has it.
- :func:`repel_labels` moves labels apart (a few hundred rounds of pairwise box separation in pixel
  space), so ~200 labels stay readable.
- :func:`plot_word_map` and :func:`plot_bias` build the Figures; :func:`save_figure` writes PNG, SVG
  or PDF by extension through a temporary sibling file renamed into place.

matplotlib is imported inside the functions that use it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embtool.errors import OutputError, PlotError
from embtool.resources import data_path

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from embtool.alignment import ShiftMap
    from embtool.projection import WordMap

BUNDLED_FONT = ("fonts", "wqy-microhei.ttc")
DEFAULT_SIZE = (8.0, 6.0)
DEFAULT_DPI = 150
LABEL_FONTSIZE = 9.0
MAX_LABELS = 200

# Family names of common CJK fonts (checked first, before the bundled one).
_CJK_NAME_HINTS = re.compile(
    r"cjk|han sans|han serif|wenquanyi|wqy|droid sans fallback|hei|song|ming|kai|fang|yahei|simsun"
    r"|pingfang|hiragino|gothic|mincho|unifont|ar pl|ukai|uming|noto sans (sc|tc|jp|kr)|nanum"
    r"|malgun|batang|gulim|meiryo|ipa|takao|baekmuk"
)


# -- fonts --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FontChoice:
    """Fonts for the labels: ``families`` is the matplotlib family list (fallbacks after the first).

    ``source`` says where the extra font came from: ``none`` (the default font covers every
    label), ``option`` (``--font``/``EMBTOOL_FONT``), ``installed`` (found by the font manager) or
    ``bundled``.
    ``missing`` holds the characters no chosen font has (drawn as boxes).
    """

    families: tuple[str, ...]
    paths: tuple[str, ...]
    source: str
    missing: str = ""

    @property
    def fallback(self) -> str | None:
        """The family added after the default font, if any."""
        return self.families[-1] if len(self.families) > 1 else None

    def covers(self, text: str) -> bool:
        """True when some chosen font has a glyph for every visible character of ``text``."""
        need = _needed_chars(text)
        return all(any(ord(c) in charmap(p) for p in self.paths) for c in need)


def _needed_chars(text: str) -> set[str]:
    return {c for c in text if not c.isspace() and unicodedata.category(c)[0] != "C"}


@functools.lru_cache(maxsize=256)
def charmap(path: str) -> frozenset[int]:
    """Code points the font file at ``path`` (its first face, for a collection) has glyphs for."""
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path).get_charmap())


def _register(path: str | Path) -> tuple[str, str]:
    """Add a font file to matplotlib's font manager; return (family name, path).

    Raises: PlotError when the file is missing or not a font.
    """
    from matplotlib import font_manager

    p = Path(path).expanduser()
    if not p.is_file():
        raise PlotError(f"font {p}: no such file (pass a .ttf, .otf or .ttc file as `font`)")
    try:
        from matplotlib.ft2font import FT2Font

        name = FT2Font(str(p)).family_name
        font_manager.fontManager.addfont(str(p))
    except (OSError, RuntimeError, ValueError) as exc:
        raise PlotError(f"font {p}: cannot read it as a font ({exc})") from None
    return name, str(p)


def _default_font() -> tuple[str, str]:
    """matplotlib's default sans-serif font: (family name, path)."""
    from matplotlib import font_manager

    path = str(font_manager.findfont(font_manager.FontProperties(family=["sans-serif"])))
    return font_manager.get_font(path).family_name, path


def installed_fonts(only_cjk: bool = True) -> list[tuple[str, str]]:
    """(family, path) of the fonts matplotlib's font manager knows, CJK-looking names first."""
    from matplotlib import font_manager

    bundled = str(bundled_font_path())
    seen: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        fname = str(entry.fname)
        if fname == bundled or getattr(entry, "index", 0) != 0 or fname in seen.values():
            continue
        seen.setdefault(entry.name, fname)
    hinted = [(n, p) for n, p in seen.items() if _CJK_NAME_HINTS.search(n.lower())]
    if only_cjk:
        return hinted
    return hinted + [(n, p) for n, p in seen.items() if (n, p) not in hinted]


def bundled_font_path() -> Path:
    """The CJK font shipped with embtool (WenQuanYi Micro Hei)."""
    return data_path(*BUNDLED_FONT)


def select_font(texts: Iterable[str], font: str | Path | None = None) -> FontChoice:
    """Fonts that can draw every character of ``texts``.

    The given ``font`` (a file path) comes first when given; then matplotlib's default font; then,
    only if characters are still missing, the first installed CJK font that has them, else the
    bundled WenQuanYi Micro Hei, else any installed font that has them.

    Raises: PlotError when ``font`` is not a readable font file.
    """
    need = set().union(*(_needed_chars(t) for t in texts)) if texts else set()
    families: list[str] = []
    paths: list[str] = []
    source = "none"
    if font is not None:
        name, path = _register(font)
        families.append(name)
        paths.append(path)
        source = "option"
    name, path = _default_font()
    if name not in families:
        families.append(name)
        paths.append(path)

    def missing_now() -> set[str]:
        return {c for c in need if not any(ord(c) in charmap(p) for p in paths)}

    missing = missing_now()
    if missing:
        candidates: list[tuple[str, str, str]] = [
            (n, p, "installed") for n, p in installed_fonts(only_cjk=True)
        ]
        bundled = bundled_font_path()
        if bundled.is_file():
            candidates.append(("", str(bundled), "bundled"))
        for n, p, src in candidates:
            try:
                covered = {c for c in missing if ord(c) in charmap(p)}
            except (OSError, RuntimeError):
                continue
            if covered == missing or (covered and src == "bundled"):
                name, p = _register(p) if src == "bundled" else (n, p)
                if name not in families:
                    families.append(name)
                    paths.append(p)
                    source = src if source == "none" else source
                missing = missing_now()
                break
    if missing:
        for n, p in installed_fonts(only_cjk=False):
            if n in families:
                continue
            try:
                covered = {c for c in missing if ord(c) in charmap(p)}
            except (OSError, RuntimeError):
                continue
            if covered:
                families.append(n)
                paths.append(p)
                source = "installed" if source == "none" else source
                missing = missing_now()
                if not missing:
                    break
    return FontChoice(tuple(families), tuple(paths), source, "".join(sorted(missing)))


@contextlib.contextmanager
def quiet_glyph_warnings() -> Iterator[None]:
    """Silence matplotlib's per-glyph 'Glyph ... missing from font(s)' warnings (the caller reports
    missing characters once, from :attr:`FontChoice.missing`)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        warnings.filterwarnings("ignore", message=r".*missing from (current )?font")
        yield


# -- label placement ----------------------------------------------------------------------------
def _overlap_area(
    centres: np.ndarray, half: np.ndarray, others: np.ndarray, others_half: np.ndarray, pad: float
) -> np.ndarray:
    """Summed overlap area of each candidate box (centres, half sizes) with every ``others`` box."""
    if len(others) == 0:
        return np.zeros(len(centres))
    over = (half[:, None, :] + others_half[None, :, :] + pad) - np.abs(
        centres[:, None, :] - others[None, :, :]
    )
    return np.clip(over, 0, None).prod(axis=2).sum(axis=1)


def _greedy_offsets(
    pts: np.ndarray,
    wh: np.ndarray,
    obs: np.ndarray,
    radius: float,
    pad: float,
    bounds: tuple[float, float, float, float] | None,
    rings: int = 12,
) -> np.ndarray:
    """Place labels one by one, points in crowded places first, each at the candidate spot (8
    directions x ``rings`` distances) that overlaps the labels placed so far least (markers count
    less), preferring spots close to the point and, among equals, to its right."""
    n = len(pts)
    gap = radius + pad
    # Right, left, above, below, then the diagonals: the order of preference among equal spots.
    dirs = np.array([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, 1], [1, -1], [-1, -1]], float)
    dirs /= np.hypot(dirs[:, 0], dirs[:, 1])[:, None]
    off = np.zeros((n, 2))
    placed_c = np.empty((n, 2))
    placed_h = np.empty((n, 2))
    obs_half = np.full((len(obs), 2), radius)
    crowd = np.zeros(n)
    scale = float(np.median(wh[:, 0])) if n else 1.0
    for start in range(0, n, 256):  # count near points without an n x n x 2 block for big n
        block = pts[start : start + 256]
        crowd[start : start + len(block)] = (
            np.hypot(*(block[:, None, :] - pts[None, :, :]).transpose(2, 0, 1)) < scale
        ).sum(axis=1)
    order = np.argsort(-crowd, kind="stable")
    preference = np.tile(np.arange(8), rings)
    ring_of = np.repeat(np.arange(rings), 8)
    for k, i in enumerate(order):
        h = wh[i] / 2
        extra = np.arange(rings) * wh[i, 1]
        with np.errstate(divide="ignore"):
            tx = (h[0] + gap + extra)[:, None] / np.abs(dirs[None, :, 0])
            ty = (h[1] + gap + extra)[:, None] / np.abs(dirs[None, :, 1])
        t = np.minimum(tx, ty).reshape(-1)
        cand = np.tile(dirs, (rings, 1)) * t[:, None]
        centres = pts[i] + cand
        half = np.broadcast_to(h, cand.shape)
        cost = 4.0 * _overlap_area(centres, half, placed_c[:k], placed_h[:k], pad)
        cost += 0.5 * _overlap_area(centres, half, obs, obs_half, 0.0)
        cost += (0.1 * ring_of + 0.01 * preference) * wh[i, 1] ** 2
        if bounds is not None:
            x0, y0, x1, y1 = bounds
            out_x = np.clip(x0 - (centres[:, 0] - h[0]), 0, None) + np.clip(
                centres[:, 0] + h[0] - x1, 0, None
            )
            out_y = np.clip(y0 - (centres[:, 1] - h[1]), 0, None) + np.clip(
                centres[:, 1] + h[1] - y1, 0, None
            )
            cost += 8.0 * (out_x * wh[i, 1] + out_y * wh[i, 0])
        best = int(np.argmin(cost))
        off[i] = cand[best]
        placed_c[k] = centres[best]
        placed_h[k] = h
    return off


def repel_labels(
    points: np.ndarray,
    sizes: np.ndarray,
    *,
    obstacles: np.ndarray | None = None,
    radius: float = 4.0,
    pad: float = 2.0,
    bounds: tuple[float, float, float, float] | None = None,
    iterations: int = 300,
    spring: float = 0.01,
    greedy: bool = True,
) -> np.ndarray:
    """Offsets (pixels) of label centres from their points so that label boxes do not overlap.

    ``points`` (n, 2) are the labelled points and ``sizes`` (n, 2) the label boxes (width,
    height), in display pixels. Labels are first placed greedily, each at the least crowded of 96
    spots around its point (8 directions x 12 distances, crowded points first; markers,
    ``obstacles`` (default ``points``) as squares of half-side ``radius``, count as light
    obstacles); then rounds of simple repulsion push every still-overlapping pair of boxes apart
    along the axis of least overlap, keeping boxes inside ``bounds`` (x0, y0, x1, y1), until
    nothing overlaps. Deterministic.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    wh = np.asarray(sizes, dtype=np.float64).reshape(-1, 2)
    n = len(pts)
    if n == 0:
        return np.zeros((0, 2))
    obs = pts if obstacles is None else np.asarray(obstacles, dtype=np.float64).reshape(-1, 2)
    if greedy:
        start = _greedy_offsets(pts, wh, obs, radius, pad, bounds)
    else:
        start = np.column_stack([wh[:, 0] / 2 + radius + pad, np.zeros(n)])
    off = start.copy()
    half = wh / 2
    # A fixed, index-based direction for boxes whose centres coincide exactly.
    angle = np.arange(n) * 2.399963229728653  # golden angle
    tie = np.column_stack([np.cos(angle), np.sin(angle)])
    iu, ju = np.triu_indices(n, k=1)
    for _ in range(iterations):
        moved = False
        centre = pts + off
        if n > 1:
            d = centre[ju] - centre[iu]
            over = half[iu] + half[ju] + pad - np.abs(d)
            hit = (over[:, 0] > 0) & (over[:, 1] > 0)
            if hit.any():
                moved = True
                i, j, d, over = iu[hit], ju[hit], d[hit], over[hit]
                axis_x = over[:, 0] < over[:, 1]
                sign = np.sign(d)
                zero = sign == 0
                if zero.any():
                    tsign = np.sign(tie[j] - tie[i])
                    tsign[tsign == 0] = 1
                    sign = np.where(zero, tsign, sign)
                push = np.zeros_like(d)
                push[axis_x, 0] = (over[axis_x, 0] + 0.5) * sign[axis_x, 0] / 2
                push[~axis_x, 1] = (over[~axis_x, 1] + 0.5) * sign[~axis_x, 1] / 2
                delta = np.zeros_like(off)
                np.add.at(delta, i, -push)
                np.add.at(delta, j, push)
                count = np.bincount(np.concatenate([i, j]), minlength=n)[:, None]
                off += delta / np.maximum(1, np.sqrt(count))
                centre = pts + off
        if not moved:
            break
        off -= spring * (off - start)
        if bounds is not None:
            x0, y0, x1, y1 = bounds
            centre = pts + off
            lo = np.column_stack([x0 + half[:, 0], y0 + half[:, 1]])
            hi = np.column_stack([x1 - half[:, 0], y1 - half[:, 1]])
            off = np.clip(centre, lo, np.maximum(lo, hi)) - pts
    return off


def overlapping_pairs(centres: np.ndarray, sizes: np.ndarray, pad: float = 0.0) -> int:
    """How many pairs of boxes (centre, width/height) overlap."""
    c = np.asarray(centres, dtype=np.float64)
    half = np.asarray(sizes, dtype=np.float64) / 2
    iu, ju = np.triu_indices(len(c), k=1)
    over = half[iu] + half[ju] + pad - np.abs(c[ju] - c[iu])
    return int(((over[:, 0] > 0) & (over[:, 1] > 0)).sum())


# -- figures ------------------------------------------------------------------------------------
GROUP_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
UNGROUPED_COLOR = "#4d4d4d"
ANALOGY_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


# Labels are laid out on an Agg canvas of the full size whatever the output type, so this bounds
# memory (4 bytes a pixel: 600 MB) and time for PNG, SVG and PDF alike; Agg's own limit is 2**16 a side.
MAX_CANVAS_PIXELS = 150_000_000


def check_canvas(size: tuple[float, float], dpi: float) -> None:
    """Refuse, before any drawing, a figure too big to render.  Raises: PlotError."""
    w, h = size
    if not (0 < w <= 100 and 0 < h <= 100):
        raise PlotError(f"figure size {w:g}x{h:g} inches is out of range (0-100)")
    if not 10 <= dpi <= 2400:
        raise PlotError(f"dpi {dpi:g} is out of range (10-2400)")
    px_w, px_h = round(w * dpi), round(h * dpi)
    if px_w * px_h > MAX_CANVAS_PIXELS or max(px_w, px_h) >= 2**16:
        raise PlotError(
            f"`size={w:g}x{h:g}` at `dpi={dpi:g}` is {px_w:,} x {px_h:,} pixels "
            f"({px_w * px_h / 1e6:,.0f} megapixels), more than the {MAX_CANVAS_PIXELS // 10**6} "
            "that can be drawn safely; lower `dpi` or `size`"
        )


def _new_figure(size: tuple[float, float], dpi: float, right: float = 0.97) -> tuple[Figure, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    check_canvas(size, dpi)
    w, h = size
    fig = Figure(figsize=(w, h), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.1, right=right, bottom=0.1, top=0.92)
    return fig, ax


def _set_limits(ax: Any, xy: np.ndarray, margin: float = 0.08) -> None:
    lo = xy.min(axis=0)
    hi = xy.max(axis=0)
    span = hi - lo
    scale = np.maximum(np.abs(hi), np.abs(lo))
    span = np.where(span > 1e-12 * np.maximum(1, scale), span, np.maximum(1.0, scale))
    pad = span * margin
    ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
    ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
    ax.set_autoscale_on(False)


def _label_points(
    fig: Figure,
    ax: Any,
    xy: np.ndarray,
    labels: Sequence[str],
    font: FontChoice,
    *,
    obstacles: np.ndarray,
    gids: Sequence[str] | None = None,
    fontsize: float = LABEL_FONTSIZE,
    repel: bool = True,
    styles: Sequence[dict[str, Any]] | None = None,
) -> list[Any]:
    """Annotate each point with its label (gid ``label`` unless ``gids`` say otherwise), all placed
    together by :func:`repel_labels`."""
    from matplotlib.font_manager import FontProperties

    if len(labels) == 0:
        return []
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas
    prop = FontProperties(family=list(font.families), size=fontsize)
    with quiet_glyph_warnings():
        sizes = np.array(
            [
                renderer.get_text_width_height_descent(
                    t, prop.copy() if not styles else _styled(prop, styles[k]), ismath=False
                )[:2]
                for k, t in enumerate(labels)
            ]
        )
    px = ax.transData.transform(xy)
    obs_px = ax.transData.transform(obstacles)
    bbox = ax.bbox
    radius = 4.0 * fig.dpi / 72
    if repel:
        off = repel_labels(
            px,
            sizes,
            obstacles=obs_px,
            radius=radius,
            pad=1.5 * fig.dpi / 72,
            bounds=(bbox.x0, bbox.y0, bbox.x1, bbox.y1),
        )
    else:
        off = np.column_stack([sizes[:, 0] / 2 + radius, np.zeros(len(labels))])
    to_points = 72.0 / fig.dpi
    out = []
    for k, (text, (x, y), (ox, oy), (w, h)) in enumerate(zip(labels, xy, off, sizes, strict=True)):
        far = abs(ox) > w / 2 + 2.5 * radius or abs(oy) > h / 2 + 2.5 * radius
        arrow = dict(arrowstyle="-", lw=0.4, color="0.6", shrinkA=0, shrinkB=2) if far else None
        style = {"fontsize": fontsize, **(styles[k] if styles else {})}
        ann = ax.annotate(
            text,
            xy=(x, y),
            xytext=(ox * to_points, oy * to_points),
            textcoords="offset points",
            ha="center",
            va="center",
            fontfamily=list(font.families),
            arrowprops=arrow,
            zorder=4,
            parse_math=False,
            **style,
        )
        ann.set_gid(gids[k] if gids else "label")
        out.append(ann)
    return out


def _styled(prop: Any, style: dict[str, Any]) -> Any:
    """``prop`` with the font keywords of an annotate style applied (for measuring)."""
    p = prop.copy()
    if "fontstyle" in style:
        p.set_style(style["fontstyle"])
    if "fontsize" in style:
        p.set_size(style["fontsize"])
    return p


def _text_font(font: FontChoice) -> dict[str, Any]:
    # Words are text, never mathtext: '$' tokens are common, and '$$' does not parse.
    return {"fontfamily": list(font.families), "parse_math": False}


def plot_word_map(
    wm: WordMap,
    *,
    title: str | None = None,
    size: tuple[float, float] = DEFAULT_SIZE,
    dpi: float = DEFAULT_DPI,
    font: FontChoice | None = None,
    max_labels: int = MAX_LABELS,
    repel: bool = True,
) -> Figure:
    """Scatter the words of ``wm`` with their labels, group colours and analogy parallelograms.

    Artists carry gids for tests and SVG: ``words`` (the scatter, one offset per word in order),
    ``label`` (word labels, in word order), ``predicted`` (the A - B + C points) and
    ``predicted-label``, ``analogy-arrow`` and ``analogy-side`` (the parallelogram).
    Raises: PlotError.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    texts = [*wm.words, *(q.label for q in wm.analogies), *(g for g in wm.groups if g)]
    if title:
        texts.append(title)
    font = font or select_font(texts)
    group_names = list(dict.fromkeys(g for g in wm.groups if g is not None))
    fig, ax = _new_figure(size, dpi, right=0.78 if group_names else 0.97)
    colors = {g: GROUP_COLORS[i % len(GROUP_COLORS)] for i, g in enumerate(group_names)}
    point_colors = [colors.get(g, UNGROUPED_COLOR) if g else UNGROUPED_COLOR for g in wm.groups]
    if not group_names:
        point_colors = [GROUP_COLORS[0]] * len(wm.words)
    xy = wm.coords
    scatter = ax.scatter(xy[:, 0], xy[:, 1], c=point_colors, s=22, zorder=3, linewidths=0)
    scatter.set_gid("words")

    pred = np.array([q.predicted for q in wm.analogies]).reshape(-1, 2)
    if len(pred):
        pred_sc = ax.scatter(
            pred[:, 0], pred[:, 1], marker="x", s=40, c="black", zorder=3, linewidths=1.2
        )
        pred_sc.set_gid("predicted")
    _set_limits(ax, np.vstack([xy, pred]))

    for n, quad in enumerate(wm.analogies):
        color = ANALOGY_COLORS[n % len(ANALOGY_COLORS)]
        a, b, c, d = (wm.xy(w) for w in quad.words)
        for tail, head in ((b, a), (c, d)):
            arrow = FancyArrowPatch(
                tuple(tail),
                tuple(head),
                arrowstyle="-|>",
                mutation_scale=12,
                color=color,
                lw=1.4,
                shrinkA=4,
                shrinkB=4,
                zorder=2,
            )
            arrow.set_gid("analogy-arrow")
            ax.add_patch(arrow)
        for p, q in ((b, c), (a, d), (c, quad.predicted)):
            (side,) = ax.plot([p[0], q[0]], [p[1], q[1]], ls=":", lw=0.9, color=color, zorder=1)
            side.set_gid("analogy-side")

    labelled = list(range(min(len(wm.words), max(0, max_labels))))
    obstacles = np.vstack([xy, pred])
    word_style = {"color": "black"}
    pred_style = {"fontstyle": "italic", "color": "0.3", "fontsize": LABEL_FONTSIZE - 1}
    _label_points(
        fig,
        ax,
        np.vstack([xy[labelled], pred]),
        [wm.words[i] for i in labelled] + [q.label for q in wm.analogies],
        font,
        obstacles=obstacles,
        repel=repel,
        gids=["label"] * len(labelled) + ["predicted-label"] * len(pred),
        styles=[word_style] * len(labelled) + [pred_style] * len(pred),
    )

    proj = wm.projection
    if proj.method.value == "pca" and proj.explained_variance_ratio is not None:
        r1, r2 = proj.explained_variance_ratio
        of = f" of top {proj.fit_size}" if proj.fit_size != len(wm.words) else ""
        ax.set_xlabel(f"PC1 ({r1:.1%} of variance{of})", parse_math=False)
        ax.set_ylabel(f"PC2 ({r2:.1%} of variance{of})", parse_math=False)
    else:
        ax.set_xlabel("t-SNE 1")
        ax.set_ylabel("t-SNE 2")
    if title:
        ax.set_title(title, **_text_font(font))
    if group_names:
        handles = [Line2D([], [], marker="o", ls="", color=colors[g], label=g) for g in group_names]
        from matplotlib.font_manager import FontProperties

        legend = ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            frameon=False,
            prop=FontProperties(family=list(font.families), size=LABEL_FONTSIZE),
        )
        for text in legend.get_texts():
            text.set_parse_math(False)
    return fig


def plot_bias(
    words: Sequence[str],
    coords: np.ndarray,
    *,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    size: tuple[float, float] = DEFAULT_SIZE,
    dpi: float = DEFAULT_DPI,
    font: FontChoice | None = None,
    max_labels: int = MAX_LABELS,
    repel: bool = True,
    left_label: str | None = None,
    right_label: str | None = None,
) -> Figure:
    """Words on a bias axis (x) against a second axis (y), with a zero line at x = 0.

    Points are coloured by the sign of x; with more than ``max_labels`` words, the ones farthest
    from zero are labelled. ``left_label``/``right_label`` name the poles above the axes. gids:
    ``words`` (scatter), ``label``, ``zero-line``, ``pole-label``.
    """
    xy = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    texts = [*words, xlabel, ylabel, *(t for t in (title, left_label, right_label) if t)]
    font = font or select_font(texts)
    fig, ax = _new_figure(size, dpi)
    colors = np.where(xy[:, 0] < 0, "#d62728", "#1f77b4")
    scatter = ax.scatter(xy[:, 0], xy[:, 1], c=list(colors), s=22, zorder=3, linewidths=0)
    scatter.set_gid("words")
    lim = np.vstack([xy, [[0.0, xy[:, 1].mean() if len(xy) else 0.0]]])
    _set_limits(ax, lim)
    line = ax.axvline(0.0, color="0.6", lw=0.8, zorder=1)
    line.set_gid("zero-line")
    # With more words than labels, label the most biased ones (largest |x|).
    labelled = sorted(np.argsort(-np.abs(xy[:, 0]), kind="stable")[: max(0, max_labels)])
    _label_points(
        fig, ax, xy[labelled], [words[i] for i in labelled], font, obstacles=xy, repel=repel
    )
    ax.set_xlabel(xlabel, **_text_font(font))
    ax.set_ylabel(ylabel, **_text_font(font))
    for text, x, ha in ((left_label, 0.0, "left"), (right_label, 1.0, "right")):
        if text:
            t = ax.text(
                x,
                1.01,
                text,
                transform=ax.transAxes,
                ha=ha,
                va="bottom",
                fontsize=LABEL_FONTSIZE,
                **_text_font(font),
            )
            t.set_gid("pole-label")
    if title:
        ax.set_title(title, pad=14, **_text_font(font))
    return fig


# -- output -------------------------------------------------------------------------------------
class ImageFormat(str, Enum):
    png = "png"
    svg = "svg"
    pdf = "pdf"


def image_format(path: str | Path) -> ImageFormat:
    """The image format named by ``path``'s extension.  Raises: PlotError for other extensions."""
    suffix = Path(path).suffix.lower().lstrip(".")
    try:
        return ImageFormat(suffix)
    except ValueError:
        shown = f"'.{suffix}'" if suffix else "no extension"
        raise PlotError(
            f"{path}: unknown image type ({shown}); end the file name in .png, .svg or .pdf"
        ) from None


def check_writable(path: str | Path) -> Path:
    """Fail early, before any work, when ``path`` cannot be written.  Raises: OutputError."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise OutputError(f"{p} is a directory; give a file name")
    if not parent.is_dir():
        raise OutputError(f"{p}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{p}: directory {parent} is not writable")
    return p


def save_figure(fig: Figure, path: str | Path, *, dpi: float | None = None) -> Path:
    """Write ``fig`` as PNG, SVG or PDF (by extension), atomically: a temporary sibling file is
    renamed into place, so a failure never leaves a partial image.

    Raises: PlotError (unknown extension), OutputError (cannot write).
    """
    from embtool.atomic import atomic_file

    fmt = image_format(path)
    p = check_writable(path)
    metadatas: dict[ImageFormat, dict[str, Any]] = {
        ImageFormat.png: {"Software": "embtool"},
        ImageFormat.svg: {"Creator": "embtool", "Date": None},
        ImageFormat.pdf: {"Creator": "embtool", "CreationDate": None},
    }
    metadata = metadatas[fmt]
    try:
        with atomic_file(p) as tmp, quiet_glyph_warnings():
            fig.savefig(tmp, format=fmt.value, dpi=dpi or fig.dpi, metadata=metadata)
    except OSError as exc:
        raise OutputError(f"{p}: cannot write ({exc.strerror or exc})") from None
    return p


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary sibling.  Raises: OutputError."""
    from embtool.atomic import atomic_file

    p = check_writable(path)
    try:
        with atomic_file(p) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{p}: cannot write ({exc.strerror or exc})") from None
    return p


def plot_shifts(
    sm: ShiftMap,
    *,
    title: str | None = None,
    size: tuple[float, float] = DEFAULT_SIZE,
    dpi: float = DEFAULT_DPI,
    font: FontChoice | None = None,
) -> Figure:
    """Each word in space A and in space B with an arrow A -> B (labels at the B end).

    Artists carry gids: ``shift-a`` and ``shift-b`` (the scatters, one offset per word in order),
    ``shift-arrow`` (one per word) and ``label``.  Raises: PlotError.
    """
    from matplotlib.patches import FancyArrowPatch

    font = font or select_font([*sm.words, *sm.names, *([title] if title else [])])
    fig, ax = _new_figure(size, dpi)
    sa = ax.scatter(sm.xy_a[:, 0], sm.xy_a[:, 1], s=18, c="0.6", zorder=3, label=sm.names[0])
    sa.set_gid("shift-a")
    sb = ax.scatter(
        sm.xy_b[:, 0], sm.xy_b[:, 1], s=22, c=GROUP_COLORS[0], zorder=3, label=sm.names[1]
    )
    sb.set_gid("shift-b")
    _set_limits(ax, np.vstack([sm.xy_a, sm.xy_b]))
    for tail, head in zip(sm.xy_a, sm.xy_b, strict=True):
        arrow = FancyArrowPatch(
            tuple(tail), tuple(head), arrowstyle="-|>", mutation_scale=10, color="0.4", lw=1.0,
            shrinkA=3, shrinkB=3, zorder=2,
        )  # fmt: skip
        arrow.set_gid("shift-arrow")
        ax.add_patch(arrow)
    _label_points(fig, ax, sm.xy_b, list(sm.words), font, obstacles=np.vstack([sm.xy_a, sm.xy_b]))
    r1, r2 = sm.explained_variance_ratio
    ax.set_xlabel(f"PC1 ({r1:.1%} of variance)", parse_math=False)
    ax.set_ylabel(f"PC2 ({r2:.1%} of variance)", parse_math=False)
    legend = ax.legend(loc="best", frameon=False)
    for text in legend.get_texts():
        text.set_parse_math(False)
    if title:
        ax.set_title(title, **_text_font(font))
    return fig
