"""The native store: memory-mapped opening, lazy counts, word index, atomic writes, corruption."""

import json
from pathlib import Path

import numpy as np
import pytest

from embtool import VectorStore, load_vectors
from embtool.errors import OutputError, UnknownWordsError, VectorFileError
from embtool.vectors import ReadOptions, save_vectors


def test_store_opens_memory_mapped_and_read_only(toy_store_dir: Path):
    store = load_vectors(toy_store_dir)
    base = store.vectors
    while base.base is not None and not isinstance(base, np.memmap):
        base = base.base
    assert isinstance(base, np.memmap)
    assert not store.vectors.flags.writeable
    assert store.path == toy_store_dir
    assert store.name == "toy-store"


def test_counts_are_parsed_only_when_used(toy_store_dir: Path):
    store = load_vectors(toy_store_dir)
    assert store.has_counts
    assert store._counts is None  # not parsed by opening
    assert store.count("man") == 999
    assert store.counts.tolist() == list(range(1000, 988, -1))
    head = load_vectors(toy_store_dir).head(3)
    assert head.has_counts
    assert head.counts.tolist() == [1000, 999, 998]


def test_limit_on_a_store_keeps_counts_aligned(toy_store_dir: Path):
    store = load_vectors(toy_store_dir, ReadOptions(limit=4))
    assert store.words == ["the", "man", "woman", "king"]
    assert store.vectors.shape == (4, 4)
    assert store.counts.tolist() == [1000, 999, 998, 997]


def test_vocab_with_partial_counts_and_crlf(tmp_path: Path):
    store = VectorStore(["a", "b", "c"], np.eye(3, dtype=np.float32))
    path = save_vectors(store, tmp_path / "s")
    (path / "vocab.txt").write_bytes(b"a\t5\r\nb\r\nc\t7\r\n")
    loaded = load_vectors(path)
    assert loaded.words == ["a", "b", "c"]
    assert loaded.counts.tolist() == [5, 0, 7]


def test_bad_count_is_reported_with_its_line(tmp_path: Path):
    path = save_vectors(VectorStore(["a", "b"], np.eye(2, dtype=np.float32)), tmp_path / "s")
    (path / "vocab.txt").write_text("a\t5\nb\tmany\n")
    store = load_vectors(path)
    with pytest.raises(VectorFileError) as info:
        _ = store.counts
    assert str(info.value) == f"{path / 'vocab.txt'} line 2: count is not an integer: 'many'"


def test_words_may_contain_spaces_in_a_store(tmp_path: Path):
    store = VectorStore(["new york", "los angeles"], np.eye(2, dtype=np.float32), counts=[3, 2])
    loaded = load_vectors(save_vectors(store, tmp_path / "s"))
    assert loaded.words == ["new york", "los angeles"]
    assert loaded.row("los angeles") == 1


def test_index_first_occurrence_wins():
    store = VectorStore(["a", "b", "a"], np.eye(3, dtype=np.float32))
    assert store.index == {"a": 0, "b": 1}
    assert store.row("a") == 0


def test_resolve_names_every_missing_word(toy_store: VectorStore):
    with pytest.raises(UnknownWordsError) as info:
        toy_store.resolve(["kingg", "France", "zzz"])
    assert info.value.words == ["kingg", "zzz"]
    assert info.value.suggestions["kingg"] == ["king"]


def test_norms_and_unit_vectors_by_hand():
    store = VectorStore(["a", "b", "z"], np.array([[3, 4], [0, 2], [0, 0]], dtype=np.float32))
    np.testing.assert_array_equal(store.norms, [5, 2, 0])
    np.testing.assert_allclose(store.unit_vectors, [[0.6, 0.8], [0, 1], [0, 0]])


def test_save_refuses_to_overwrite_and_replaces_with_overwrite(tmp_path: Path, toy_store):
    path = save_vectors(toy_store, tmp_path / "s")
    with pytest.raises(OutputError, match="already exists"):
        save_vectors(toy_store, path)
    save_vectors(toy_store.head(2), path, overwrite=True)
    assert load_vectors(path).words == ["the", "man"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_float16_overflow_is_refused(tmp_path: Path):
    store = VectorStore(["big"], np.array([[1e6, 0]], dtype=np.float32))
    with pytest.raises(OutputError, match="overflow float16"):
        save_vectors(store, tmp_path / "s", dtype="float16")
    assert list(tmp_path.iterdir()) == []


def test_meta_describes_the_file_not_the_copy_it_came_from(tmp_path: Path, toy_store_dir: Path):
    store = load_vectors(toy_store_dir)
    old = json.loads((toy_store_dir / "meta.json").read_text())
    path = save_vectors(store.head(3), tmp_path / "copy", dtype="float16")
    meta = json.loads((path / "meta.json").read_text())
    assert meta["shape"] == [3, 4]
    assert meta["dtype"] == "float16"
    assert meta["history"] == old["history"]
    assert meta["written"] >= old["written"]


def test_store_missing_a_part(tmp_path: Path, toy_store_dir: Path):
    (toy_store_dir / "vocab.txt").unlink()
    with pytest.raises(VectorFileError) as info:
        load_vectors(toy_store_dir)
    assert str(info.value) == (
        f"{toy_store_dir / 'vocab.txt'}: missing: a store needs vocab.txt beside vectors.npy"
    )


def test_store_with_a_non_float_matrix(tmp_path: Path, toy_store_dir: Path):
    np.save(toy_store_dir / "vectors.npy", np.zeros((12, 4), dtype=np.int32))
    with pytest.raises(VectorFileError, match="expected a 2-D C-order float matrix"):
        load_vectors(toy_store_dir)


def test_store_with_invalid_meta_json(toy_store_dir: Path):
    (toy_store_dir / "meta.json").write_text("{not json")
    with pytest.raises(VectorFileError, match=r"meta\.json: not valid JSON"):
        load_vectors(toy_store_dir)


def test_opening_a_large_store_does_not_read_the_matrix(tmp_path: Path):
    # 50,000 x 300 float32 = 60 MB on disk; opening maps it instead of reading it.
    import tracemalloc

    n, dim = 50_000, 300
    words = [f"w{i}" for i in range(n)]
    path = tmp_path / "big"
    path.mkdir()
    np.lib.format.open_memmap(path / "vectors.npy", mode="w+", dtype=np.float32, shape=(n, dim))
    (path / "vocab.txt").write_text("".join(f"{w}\t{n - i}\n" for i, w in enumerate(words)))
    tracemalloc.start()
    try:
        store = load_vectors(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(store) == n
    assert peak < 20_000_000  # words and lines only, far below the 60 MB matrix
