"""How to read a vector file: one frozen set of options shared by load, inspect and convert."""

from __future__ import annotations

from dataclasses import dataclass

from embtool.vectors.formats import VectorFormat


@dataclass(frozen=True)
class ReadOptions:
    """Reading options: the format (sniffed when None), the first ``limit`` words only, the text
    ``encoding`` and what to do with undecodable bytes, and whether gensim pickles may be opened."""

    format: VectorFormat | None = None
    limit: int | None = None
    encoding: str = "utf-8"
    unicode_errors: str = "strict"
    allow_pickle: bool = False

    def __post_init__(self) -> None:
        if self.format is not None and not isinstance(self.format, VectorFormat):
            object.__setattr__(self, "format", VectorFormat(self.format))
