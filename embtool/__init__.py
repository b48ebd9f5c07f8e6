"""embtool: word-embedding experiments from the command line and from Python.

>>> from embtool import analogies, load_vectors
>>> store = load_vectors("vectors/cbow")                                # doctest: +SKIP
>>> analogies(store, [["king", "man", "woman"]]).results[0].answers[0]  # doctest: +SKIP
Neighbor(word='queen', score=0.78...)
>>> store.most_similar(positive=["king", "woman"], negative=["man"], topn=1)  # doctest: +SKIP
[('queen', 0.78...)]

(``embtool.similarity`` stays the module; ``store.similarity(a, b)`` is the two-word cosine.)
"""

from embtool.errors import EmbtoolError
from embtool.similarity import (
    analogies,
    most_similar,
    neighbors,
    odd_one_out,
    similarities,
)
from embtool.vectors.io import load_vectors, save_vectors
from embtool.vectors.options import ReadOptions
from embtool.vectors.store import VectorStore

__version__ = "0.1.0"

__all__ = [
    "EmbtoolError",
    "ReadOptions",
    "VectorStore",
    "__version__",
    "analogies",
    "load_vectors",
    "most_similar",
    "neighbors",
    "odd_one_out",
    "save_vectors",
    "similarities",
]
