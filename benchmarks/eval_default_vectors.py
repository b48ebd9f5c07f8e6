"""Quality of the shipped default vectors, measured with gensim's reference evaluation.

Run by hand from the repository root:
    python -m benchmarks.eval_default_vectors [STORE_OR_W2V_FILE ...]

Default: the shipped store (data/default-vectors) plus, when present, the full embtool-trained
store and the plain-gensim baseline it is compared with (``embtool-sg300`` and
``baseline/sg300.bin`` in the benchmark cache, ``$EMBTOOL_BENCH_CACHE`` or ../cache). For each: Google analogy
accuracy over the 30,000 most frequent words (gensim ``evaluate_word_analogies(restrict_vocab=30000,
case_insensitive=True)``), WordSim-353 and SimLex-999 Spearman (``evaluate_word_pairs``), and the
classroom examples: the top answer of four analogies (3CosAdd, as ``embtool analogy``) and whether
``father``'s and ``car``'s 10 nearest neighbours hold the expected words.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from benchmarks._paths import REPO, cache, shared

ANALOGIES = [
    (("king", "man", "woman"), "queen"),
    (("france", "paris", "rome"), "italy"),
    (("larger", "large", "small"), "smaller"),
    (("german", "germany", "spain"), "spanish"),
]
NEIGHBOURS = [("father", {"mother"}), ("car", {"vehicle", "truck"})]
DEFAULTS = [
    REPO / "data" / "default-vectors",
    cache("embtool-sg300"),
    cache("baseline", "sg300.bin"),
]


def keyed_vectors(path: Path):
    from gensim.models import KeyedVectors

    if path.is_dir():
        from embtool import load_vectors

        store = load_vectors(path)
        kv = KeyedVectors(store.dim)
        kv.add_vectors(store.words, np.asarray(store.vectors, dtype=np.float32))
        return kv, store
    kv = KeyedVectors.load_word2vec_format(str(path), binary=path.suffix == ".bin")
    from embtool import VectorStore

    return kv, VectorStore(list(kv.index_to_key), kv.vectors, name=path.name)


def evaluate(path: Path) -> dict:
    from embtool import similarity

    kv, store = keyed_vectors(path)
    google, _ = kv.evaluate_word_analogies(
        str(shared("eval", "analogy", "google-questions-words.txt")),
        restrict_vocab=30000,
        case_insensitive=True,
    )
    ws = kv.evaluate_word_pairs(str(shared("eval", "similarity", "wordsim353.tsv")))
    sl = kv.evaluate_word_pairs(str(shared("eval", "similarity", "simlex999.txt")))
    batch = similarity.analogies(store, [list(q) for q, _ in ANALOGIES], 1)
    tops = [r.answers[0].word for r in batch.results]
    neigh = {}
    for word, want in NEIGHBOURS:
        found = [w for w, _ in kv.most_similar(word, topn=10)]
        neigh[word] = (sorted(want & set(found)), found)
    return {
        "words": len(kv),
        "dim": kv.vector_size,
        "google": google,
        "ws353": ws[1][0],
        "ws353_oov": ws[2],
        "simlex": sl[1][0],
        "simlex_oov": sl[2],
        "analogies": tops,
        "neighbours": neigh,
    }


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [p for p in DEFAULTS if p.exists()]
    for path in paths:
        r = evaluate(path)
        print(f"{path}: {r['words']:,} words x {r['dim']}")
        print(
            f"  Google analogies (top 30,000): {r['google']:.4f}   "
            f"WordSim-353: {r['ws353']:.4f} (OOV {r['ws353_oov']:.1f}%)   "
            f"SimLex-999: {r['simlex']:.4f} (OOV {r['simlex_oov']:.1f}%)"
        )
        for (query, want), got in zip(ANALOGIES, r["analogies"]):
            mark = "ok " if got == want else "MISS"
            print(f"  {mark} {' '.join(query)} -> {got} (want {want})")
        for word, (hits, found) in r["neighbours"].items():
            mark = "ok " if hits else "MISS"
            print(f"  {mark} neighbours of {word}: {', '.join(found)}")


if __name__ == "__main__":
    main()
