"""Co-occurrence counting: exact values, a brute-force cross-check, chunking, spilling, the file."""

import json
import zipfile
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import embtool.training.cooccurrence as cm
from embtool.cli.errors import phrase_error
from embtool.errors import CooccurrenceError, CorpusError, InvalidOptionError, OutputError
from embtool.training.cooccurrence import (
    CooccurrenceSettings,
    build_vocabulary,
    check_compatible,
    count_cooccurrences,
    count_corpus,
    load_cooccurrence,
    read_cooccurrence_meta,
    save_cooccurrence,
)

CLASSROOM = [
    ["i", "love", "machine", "learning"],
    ["i", "love", "deep", "learning"],
    ["machine", "learning", "is", "fun"],
    ["deep", "learning", "is", "fun"],
]

# The Stanford reference (vocab_count -min-count 1 | cooccur -window-size 2) on the 4 sentences.
REFERENCE_CLASSROOM = [
    ("learning", "deep", 2.0), ("learning", "fun", 1.0), ("learning", "is", 2.0),
    ("learning", "love", 1.0), ("learning", "machine", 2.0), ("deep", "learning", 2.0),
    ("deep", "i", 0.5), ("deep", "is", 0.5), ("deep", "love", 1.0), ("fun", "learning", 1.0),
    ("fun", "is", 2.0), ("i", "deep", 0.5), ("i", "love", 2.0), ("i", "machine", 0.5),
    ("is", "learning", 2.0), ("is", "deep", 0.5), ("is", "fun", 2.0), ("is", "machine", 0.5),
    ("love", "learning", 1.0), ("love", "deep", 1.0), ("love", "i", 2.0),
    ("love", "machine", 1.0), ("machine", "learning", 2.0), ("machine", "i", 0.5),
    ("machine", "is", 0.5), ("machine", "love", 1.0),
]  # fmt: skip


def brute_force(lines, index, window, symmetric=True, weighting=True):
    """The definition, one pair at a time: OOV dropped first, no pair across lines."""
    counts = defaultdict(float)
    for line in lines:
        ids = [index[w] for w in line if w in index]
        for k, right in enumerate(ids):
            for d in range(1, window + 1):
                if k - d < 0:
                    break
                left = ids[k - d]
                value = 1.0 / d if weighting else 1.0
                counts[(left, right)] += value
                if symmetric:
                    counts[(right, left)] += value
    return counts


def as_dict(cooc):
    m = cooc.to_scipy().tocoo()
    return {(int(r), int(c)): float(v) for r, c, v in zip(m.row, m.col, m.data, strict=True)}


def assert_same(cooc, expected):
    got = as_dict(cooc)
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-6), key


# -- vocabulary ----------------------------------------------------------------------------------
def test_vocabulary_sorted_by_count_then_word():
    vocab = build_vocabulary(CLASSROOM, min_count=1)
    assert vocab.words == ("learning", "deep", "fun", "i", "is", "love", "machine")
    assert vocab.counts.tolist() == [4, 2, 2, 2, 2, 2, 2]
    assert vocab.total_tokens == 16
    assert vocab.index["fun"] == 2


def test_vocabulary_min_count_and_max_vocab():
    counts = {"b": 3, "a": 3, "c": 5, "d": 1, "e": 2}
    assert build_vocabulary(counts, min_count=2).words == ("c", "a", "b", "e")
    assert build_vocabulary(counts, min_count=1, max_vocab=2).words == ("c", "a")
    assert build_vocabulary(counts, min_count=3, max_vocab=10).words == ("c", "a", "b")


def test_vocabulary_errors():
    with pytest.raises(CorpusError, match="empty"):
        build_vocabulary([[], []], min_count=1)
    with pytest.raises(
        CorpusError, match=r"no word occurs at least 5 times.*most frequent word occurs 4"
    ):
        build_vocabulary(CLASSROOM, min_count=5)
    with pytest.raises(InvalidOptionError, match=r"^min_count must be at least 1, got 0$") as exc:
        build_vocabulary(CLASSROOM, min_count=0)
    assert (exc.value.option, exc.value.need, exc.value.value) == (
        "min_count",
        "must be at least 1",
        0,
    )


def test_ids_map_unknown_words_to_minus_one():
    vocab = build_vocabulary(CLASSROOM, min_count=1)
    assert vocab.ids(["fun", "zzz", "learning"]).tolist() == [2, -1, 0]


# -- exact counts --------------------------------------------------------------------------------
def test_classroom_example_matches_the_reference_tool():
    vocab = build_vocabulary(CLASSROOM, min_count=1)
    cooc = count_cooccurrences(CLASSROOM, vocab, CooccurrenceSettings(window=2))
    idx = vocab.index
    expected = {(idx[a], idx[b]): v for a, b, v in REFERENCE_CLASSROOM}
    assert_same(cooc, expected)
    assert cooc.nnz == 26
    # stored as the upper triangle: 13 pairs, no diagonal
    assert cooc.stored_nnz == 13
    rows, cols, vals = cooc.triples()
    assert len(vals) == 26
    assert {
        (int(r), int(c)): float(v) for r, c, v in zip(rows, cols, vals, strict=True)
    } == expected


def test_hand_counted_distances_and_line_boundaries():
    # "a b c" then "c a": window 2 -> a-b 1, b-c 1, a-c 1/2 (first line); c-a 1 (second line);
    # the line break keeps the first line's c away from the second line's c.
    lines = [["a", "b", "c"], ["c", "a"]]
    vocab = build_vocabulary(lines, min_count=1)
    i = vocab.index
    cooc = count_cooccurrences(lines, vocab, CooccurrenceSettings(window=2))
    got = as_dict(cooc)
    assert got[(i["a"], i["b"])] == 1.0
    assert got[(i["a"], i["c"])] == 1.5
    assert got[(i["c"], i["a"])] == 1.5
    assert (i["c"], i["c"]) not in got
    asym = as_dict(count_cooccurrences(lines, vocab, CooccurrenceSettings(2, symmetric=False)))
    # left context only: X[left, right]
    assert asym == {(i["a"], i["b"]): 1.0, (i["b"], i["c"]): 1.0, (i["a"], i["c"]): 0.5,
                    (i["c"], i["a"]): 1.0}  # fmt: skip


def test_word_next_to_itself_counts_twice_on_the_diagonal():
    lines = [["x", "x", "y", "x"]]
    vocab = build_vocabulary(lines, min_count=1)
    x, y = vocab.index["x"], vocab.index["y"]
    got = as_dict(count_cooccurrences(lines, vocab, CooccurrenceSettings(window=3)))
    # x-x pairs at distances 1 (pos 0-1), 3 (pos 0-3), 2 (pos 1-3): each adds 1/d twice
    assert got[(x, x)] == pytest.approx(2 * (1 + 1 / 3 + 1 / 2))
    assert got[(x, y)] == pytest.approx(1 / 2 + 1 + 1)


def test_out_of_vocabulary_tokens_are_dropped_before_windowing():
    lines = [["a", "rare", "rare2", "b"], ["a", "b"]]
    vocab = build_vocabulary(lines, min_count=2)
    assert vocab.words == ("a", "b")
    got = as_dict(count_cooccurrences(lines, vocab, CooccurrenceSettings(window=1)))
    assert got == {(0, 1): 2.0, (1, 0): 2.0}


def test_no_distance_weighting_counts_pairs():
    lines = [["a", "b", "a"]]
    vocab = build_vocabulary(lines, min_count=1)
    settings = CooccurrenceSettings(window=2, distance_weighting=False)
    got = as_dict(count_cooccurrences(lines, vocab, settings))
    assert got == {(0, 0): 2.0, (0, 1): 2.0, (1, 0): 2.0}


def small_chunks(monkeypatch, chunk_tokens, spill_bytes=1 << 40, merge_bytes=1 << 40):
    plan = cm._Plan(chunk_tokens, spill_bytes, merge_bytes)
    monkeypatch.setattr(cm, "plan_memory", lambda *a: plan)


lines_strategy = st.lists(
    st.lists(st.sampled_from("abcdefgh"), min_size=0, max_size=25), min_size=1, max_size=12
)


@settings(max_examples=60, deadline=None)
@given(
    lines=lines_strategy,
    window=st.integers(1, 12),
    symmetric=st.booleans(),
    weighting=st.booleans(),
    min_count=st.integers(1, 3),
    chunk=st.sampled_from([None, 1, 2, 5, 17]),
)
def test_matches_brute_force(lines, window, symmetric, weighting, min_count, chunk):
    if sum(map(len, lines)) == 0:
        return
    counts = defaultdict(int)
    for line in lines:
        for w in line:
            counts[w] += 1
    if max(counts.values()) < min_count:
        return
    vocab = build_vocabulary(dict(counts), min_count=min_count)
    settings_ = CooccurrenceSettings(window, symmetric, weighting)
    original = cm.plan_memory
    try:
        if chunk is not None:
            # tiny chunks: lines cut across chunks, the carried context must keep counts exact;
            # tiny spill budget: every partial count goes to disk and is merged back by rows
            cm.plan_memory = lambda *a: cm._Plan(chunk, 1 if chunk % 2 else 1 << 40, 64)
        cooc = count_cooccurrences(lines, vocab, settings_)
    finally:
        cm.plan_memory = original
    expected = brute_force(lines, vocab.index, window, symmetric, weighting)
    with cooc:
        assert_same(cooc, expected)


def test_window_above_exact_limit_uses_float_sums():
    rng = np.random.default_rng(0)
    lines = [list(rng.choice(list("abcde"), size=40)) for _ in range(5)]
    vocab = build_vocabulary(lines, min_count=1)
    cooc = count_cooccurrences(lines, vocab, CooccurrenceSettings(window=30))
    assert_same(cooc, brute_force(lines, vocab.index, 30))


def test_long_line_cut_into_chunks_with_spill(monkeypatch, tmp_path):
    rng = np.random.default_rng(1)
    words = [f"w{k}" for k in range(30)]
    lines = [list(rng.choice(words, size=3000)), list(rng.choice(words, size=7))]
    vocab = build_vocabulary(lines, min_count=1)
    small_chunks(monkeypatch, 500, spill_bytes=1, merge_bytes=2000)
    cooc = count_cooccurrences(lines, vocab, CooccurrenceSettings(window=10), tmp_dir=tmp_path)
    assert cooc.meta["spilled_runs"] > 3
    expected = brute_force(lines, vocab.index, 10)
    assert_same(cooc, expected)
    assert cooc.diagonal_nnz == sum(1 for r, c in expected if r == c)
    saved = tmp_path.parent / f"{tmp_path.name}-spilled.npz"
    save_cooccurrence(cooc, saved)  # copied from the spilled files
    assert any(tmp_path.iterdir())  # the merged arrays live in a temporary directory until closed
    cooc.close()
    assert not any(tmp_path.iterdir())
    assert_same(load_cooccurrence(saved), expected)


def test_interrupt_leaves_no_temporary_files(monkeypatch, tmp_path):
    def lines():
        for _ in range(50):
            yield ["a", "b", "c", "d"]
        raise KeyboardInterrupt

    vocab = build_vocabulary({"a": 1, "b": 1, "c": 1, "d": 1}, min_count=1)
    small_chunks(monkeypatch, 10, spill_bytes=1)
    with pytest.raises(KeyboardInterrupt):
        count_cooccurrences(lines(), vocab, tmp_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_memory_budget_too_small_says_what_is_needed():
    vocab = build_vocabulary(CLASSROOM, min_count=1)
    with pytest.raises(
        CooccurrenceError, match=r"`memory_gb=0.001` GB is too small .* at least 0\.\d\d GB"
    ) as exc:
        count_cooccurrences(CLASSROOM, vocab, memory_gb=0.001)
    assert phrase_error(exc.value).startswith("--memory 0.001 GB is too small")


def test_count_corpus_two_passes_and_top_pairs():
    cooc = count_corpus(CLASSROOM, min_count=1, settings=CooccurrenceSettings(window=2))
    assert cooc.meta["tokens"] == 16 and cooc.meta["lines"] == 4
    # largest first, ties in row then column order; a symmetric count lists each pair once
    assert cooc.top(6) == [
        ("learning", "deep", 2.0), ("learning", "is", 2.0), ("learning", "machine", 2.0),
        ("fun", "is", 2.0), ("i", "love", 2.0), ("learning", "fun", 1.0),
    ]  # fmt: skip


def test_to_scipy_formats():
    cooc = count_corpus(CLASSROOM, min_count=1, settings=CooccurrenceSettings(window=2))
    full = cooc.to_scipy("coo")
    assert full.format == "coo" and full.nnz == 26
    dense = cooc.to_scipy().toarray()
    assert np.array_equal(dense, dense.T)


# -- the file ------------------------------------------------------------------------------------
@pytest.fixture
def classroom_file(tmp_path):
    cooc = count_corpus(CLASSROOM, min_count=1, settings=CooccurrenceSettings(window=2),
                        meta={"corpus": ["toy.txt"]})  # fmt: skip
    path = tmp_path / "cooc.npz"
    save_cooccurrence(cooc, path)
    return cooc, path


def test_save_load_roundtrip(classroom_file):
    cooc, path = classroom_file
    back = load_cooccurrence(path)
    assert back.vocab.words == cooc.vocab.words
    assert back.vocab.counts.tolist() == cooc.vocab.counts.tolist()
    assert back.settings == cooc.settings
    assert (back.to_scipy() != cooc.to_scipy()).nnz == 0
    meta = read_cooccurrence_meta(path)
    assert meta["window"] == 2 and meta["symmetric"] is True and meta["min_count"] == 1
    assert meta["nnz"] == 26 and meta["stored_nnz"] == 13 and meta["corpus"] == ["toy.txt"]
    assert path.stat().st_mode & 0o777 == 0o666 & ~_current_umask()
    # it is a plain npz: numpy reads the arrays without pickles
    with np.load(path, allow_pickle=False) as npz:
        assert npz["indptr"].tolist() == cooc.indptr.tolist()


def test_save_refuses_to_overwrite(classroom_file):
    cooc, path = classroom_file
    with pytest.raises(OutputError, match="already exists"):
        save_cooccurrence(cooc, path)
    save_cooccurrence(cooc, path, overwrite=True)


def _current_umask():
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def rewrite(path, replace):
    """Copy the zip with some members replaced (name -> bytes, or None to drop)."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    for name, data in replace.items():
        if data is None:
            members.pop(name)
        else:
            members[name] = data
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate", "not an embtool co-occurrence file"),
        ("garbage", "not an embtool co-occurrence file"),
        ("no-data", "missing"),
        ("meta-json", "corrupt co-occurrence file \\(meta.json"),
        ("version", "format version 99 is not supported"),
        ("vocab", "vocab.txt has 6 words but meta.json says 7"),
        ("index", "column index is outside the vocabulary"),
        ("negative", "count is zero, negative or not finite"),
        ("npy", "corrupt co-occurrence file \\(data.npy"),
    ],
)
def test_corrupt_files_give_one_clear_error(classroom_file, damage, message):
    cooc, path = classroom_file
    import io

    def npy(arr):
        buf = io.BytesIO()
        np.save(buf, arr)
        return buf.getvalue()

    meta = json.loads(zipfile.ZipFile(path).read("meta.json"))
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "garbage":
        path.write_bytes(b"\x00" * 1000)
    elif damage == "no-data":
        rewrite(path, {"data.npy": None})
    elif damage == "meta-json":
        rewrite(path, {"meta.json": b"{not json"})
    elif damage == "version":
        rewrite(path, {"meta.json": json.dumps({**meta, "format_version": 99}).encode()})
    elif damage == "vocab":
        vocab = zipfile.ZipFile(path).read("vocab.txt").decode().splitlines()
        rewrite(path, {"vocab.txt": ("\n".join(vocab[:6]) + "\n").encode()})
    elif damage == "index":
        bad = cooc.indices.copy()
        bad[0] = 99
        rewrite(path, {"indices.npy": npy(bad)})
    elif damage == "negative":
        bad = cooc.data.copy()
        bad[3] = -1
        rewrite(path, {"data.npy": npy(bad)})
    elif damage == "npy":
        rewrite(path, {"data.npy": b"\x93NUMPY garbage"})
    with pytest.raises(CooccurrenceError, match=message) as info:
        load_cooccurrence(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(CooccurrenceError, match="no such co-occurrence file"):
        load_cooccurrence(tmp_path / "nope.npz")


def test_check_compatible_names_every_difference(classroom_file):
    _, path = classroom_file
    meta = read_cooccurrence_meta(path)
    check_compatible(
        meta, {"window": 2, "symmetric": True, "min_count": 1, "max_vocab": None}, path
    )
    with pytest.raises(CooccurrenceError) as info:
        check_compatible(meta, {"window": 10, "min_count": 5, "symmetric": True}, path)
    text = str(info.value)
    assert "was counted with window 2 (requested 10), min-count 1 (requested 5)" in text
    assert "delete the file" in text
