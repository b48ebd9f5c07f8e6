#!/usr/bin/env bash
# Rebuild the README's alignment demo: King James Bible vs a 2015 English Wikipedia sample, plus the
# seed-to-seed noise floor (the Bible trained twice with different seeds, aligned).
# Usage (from the repository root): scripts/align_demo.sh [WORKDIR]   (default: ./align-demo)
# Trained stores land in WORKDIR; do not commit them. About 2-3 minutes on one core (--workers 1).
set -euo pipefail
work=${1:-align-demo}
corpora=${CORPORA:-../shared/data/corpora}  # override when the checkout is not beside shared/
mkdir -p "$work"
train() {  # corpus seed out (kept when already trained: delete WORKDIR to retrain)
  [ -d "$work/$3" ] && return
  embtool train "$1" --tokenizer whitespace --method skipgram --dim 100 --window 5 --min-count 10 \
    --epochs 5 --workers 1 --seed "$2" --out "$work/$3" --force --format tsv >/dev/null
}
train "$corpora/debian_bible_kjv.txt.gz" 1 kjv-s1
train "$corpora/debian_bible_kjv.txt.gz" 2 kjv-s2
train "$corpora/enwiki2015_sample.txt.gz" 1 wiki-s1
train "$corpora/enwiki2015_sample.txt.gz" 2 wiki-s2

# Noise floor: the same corpus, two seeds.
embtool align "$work/wiki-s2" "$work/wiki-s1" --out "$work/wiki-s2-on-s1" --force --format tsv
embtool compare "$work/wiki-s2-on-s1" "$work/wiki-s1" --min-count 50 -k 10 --format tsv
embtool align "$work/kjv-s2" "$work/kjv-s1" --out "$work/kjv-s2-on-s1" --force --format tsv
embtool compare "$work/kjv-s2-on-s1" "$work/kjv-s1" --min-count 50 -k 10 --format tsv
# Two corpora: the Bible rotated into Wikipedia's space, anchors = every shared word.
embtool align "$work/kjv-s1" "$work/wiki-s1" --out "$work/kjv-on-wiki" --force --format tsv
embtool compare "$work/kjv-on-wiki" "$work/wiki-s1" --min-count 50 -k 20 --format tsv
embtool compare "$work/kjv-on-wiki" "$work/wiki-s1" -k 6 --format tsv court company light spirit
embtool plot --vectors "$work/kjv-on-wiki" --aligned-with "$work/wiki-s1" \
  lord spirit church king light god heaven --out "$work/moved.png"

# How many cross-corpus cosines fall below the same word's seed-to-seed cosine (in both corpora)?
python - "$work" <<'PY'
import sys

import numpy as np

from embtool import alignment, load_vectors

w = sys.argv[1]
cross = alignment.compare(load_vectors(f"{w}/kjv-on-wiki"), load_vectors(f"{w}/wiki-s1"), min_count=50)
words = [s.word for s in cross.shifts]
seeds = [
    alignment.word_shifts(load_vectors(f"{w}/{a}"), load_vectors(f"{w}/{b}"), words)
    for a, b in (("kjv-s2-on-s1", "kjv-s1"), ("wiki-s2-on-s1", "wiki-s1"))
]
for name, shifts in zip(("kjv", "wiki"), seeds):
    c = np.array([s.cosine for s in shifts])
    print(f"{name} seed-to-seed on these {len(c)} words: median {np.median(c):.3f}, "
          f"1st percentile {np.percentile(c, 1):.3f}, min {c.min():.3f}")
floor = np.minimum(*[np.array([s.cosine for s in shifts]) for shifts in seeds])
cross_c = np.array([s.cosine for s in cross.shifts])
print(f"kjv vs wiki: median {np.median(cross_c):.3f}, max {cross_c.max():.3f}; "
      f"{int((cross_c < floor).sum())} of {len(cross_c)} words below their seed-to-seed cosine")
PY
