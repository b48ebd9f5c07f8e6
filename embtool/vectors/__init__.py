"""Vectors on disk and in memory: the store, the file formats, and loading/saving by name or path."""

from embtool.vectors.files import ReadReport
from embtool.vectors.formats import VectorFormat, guess_output_format, sniff_format
from embtool.vectors.io import convert_vectors, load_vectors, save_vectors
from embtool.vectors.options import ReadOptions
from embtool.vectors.store import Dtype, Resolved, VectorStore

__all__ = [
    "Dtype",
    "ReadOptions",
    "ReadReport",
    "Resolved",
    "VectorFormat",
    "VectorStore",
    "convert_vectors",
    "guess_output_format",
    "load_vectors",
    "save_vectors",
    "sniff_format",
]
