#!/usr/bin/env bash
# Rebuild the README's alignment demo: King James Bible vs a 2015 English Wikipedia sample, plus the
# seed-to-seed noise floor (the Bible trained twice with different seeds, aligned).
# Usage (from the repository root): scripts/align_demo.sh [WORKDIR]   (default: ./align-demo)
# Trained stores land in WORKDIR; do not commit them. About 2-3 minutes on one core.
set -euo pipefail
work=${1:-align-demo}
corpora=${CORPORA:-../shared/data/corpora}  # override when the checkout is not beside shared/
mkdir -p "$work"
train() {  # corpus seed out
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
# Two corpora: the Bible rotated into Wikipedia's space, anchors = the 5000 most frequent shared words.
embtool align "$work/kjv-s1" "$work/wiki-s1" --anchors common --top 5000 --out "$work/kjv-on-wiki" \
  --force --format tsv
embtool compare "$work/kjv-on-wiki" "$work/wiki-s1" --min-count 50 -k 15 --format tsv
embtool compare "$work/kjv-on-wiki" "$work/wiki-s1" -k 8 --format tsv lord spirit church king light
