"""The CJK web font of the page: the shipped WenQuanYi Micro Hei, made acceptable to browsers.

Browsers run web fonts through a sanitiser (OTS in Chromium) that rejects the shipped ``.ttc`` (its
FontForge ``FFTM`` table is misaligned). fontTools (a matplotlib dependency) copies the collection's
first face into a plain TrueType file without that table, in memory, once per process (about half a
second); nothing is written to disk.
"""

from __future__ import annotations

import functools
import io

from embtool.resources import data_path

FONT_FILE = ("fonts", "wqy-microhei.ttc")


def font_available() -> bool:
    """Whether the shipped CJK font is there to serve."""
    return data_path(*FONT_FILE).is_file()


@functools.lru_cache(maxsize=1)
def web_font() -> bytes:
    """WenQuanYi Micro Hei (the proportional face) as TrueType bytes a browser accepts."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(data_path(*FONT_FILE)), lazy=True)
    face = collection.fonts[0]
    if "FFTM" in face:
        del face["FFTM"]
    out = io.BytesIO()
    face.save(out, reorderTables=True)
    return out.getvalue()
