"""embtool: word-embedding experiments from the command line and from Python.

>>> from embtool import load_vectors
>>> store = load_vectors("vectors/cbow")            # doctest: +SKIP
>>> analogy(store, "king", "man", "woman")[0].word   # doctest: +SKIP
"""

from embtool.errors import EmbtoolError
from embtool.vectors.io import load_vectors, save_vectors
from embtool.vectors.options import ReadOptions
from embtool.vectors.store import VectorStore

__version__ = "0.1.0"

__all__ = [
    "EmbtoolError",
    "ReadOptions",
    "VectorStore",
    "__version__",
    "load_vectors",
    "save_vectors",
]
