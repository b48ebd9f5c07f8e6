"""Formats: lossless round trips, sniffing, --limit, forced formats, and parity with gensim."""

import bz2
import gzip
import lzma
import os
import stat
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embtool import VectorStore, load_vectors, save_vectors
from embtool.cli.errors import phrase_error
from embtool.errors import InvalidOptionError, OutputError, VectorFileError
from embtool.vectors import ReadOptions, ReadReport, VectorFormat, sniff_format
from tests.helpers import FIXTURES, TOY_PATH

FILE_FORMATS = [
    VectorFormat.word2vec,
    VectorFormat.word2vec_binary,
    VectorFormat.glove,
    VectorFormat.fasttext,
]
COMPRESSIONS = {"": None, ".gz": gzip, ".bz2": bz2, ".xz": lzma}
# What sniffing reports for a file written in each format (fastText .vec is word2vec text).
SNIFFED = {
    VectorFormat.word2vec: VectorFormat.word2vec,
    VectorFormat.fasttext: VectorFormat.word2vec,
    VectorFormat.word2vec_binary: VectorFormat.word2vec_binary,
    VectorFormat.glove: VectorFormat.glove,
}

# Words as real files hold them: no whitespace or control characters (the formats' separators).
word_chars = st.characters(blacklist_categories=("Z", "C"), blacklist_characters="\ufeff")
words_st = st.lists(
    st.text(word_chars, min_size=1, max_size=8), min_size=1, max_size=12, unique=True
)


@st.composite
def stores(draw: st.DrawFn, *, with_counts: bool = False, dtype: type = np.float32) -> VectorStore:
    words = draw(words_st)
    dim = draw(st.integers(2, 6))
    width = 16 if dtype is np.float16 else 32
    values = draw(
        st.lists(
            st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, width=width),
            min_size=len(words) * dim,
            max_size=len(words) * dim,
        )
    )
    matrix = np.array(values, dtype=dtype).reshape(len(words), dim)
    counts = draw(st.lists(st.integers(0, 10**12), min_size=len(words), max_size=len(words)))
    return VectorStore(words, matrix, counts=counts if with_counts else None)


def assert_same(loaded: VectorStore, expected: VectorStore) -> None:
    assert loaded.words == expected.words
    assert loaded.vectors.shape == expected.vectors.shape
    np.testing.assert_array_equal(np.asarray(loaded.vectors), np.asarray(expected.vectors))


ROUND_TRIP = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("suffix", list(COMPRESSIONS))
@pytest.mark.parametrize("fmt", FILE_FORMATS, ids=lambda f: f.value)
@ROUND_TRIP
@given(store=stores())
def test_file_formats_round_trip_losslessly(fmt: VectorFormat, suffix: str, store: VectorStore):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"vectors{suffix}"
        save_vectors(store, path, fmt)
        module = COMPRESSIONS[suffix]
        if module is not None:  # really compressed, not just named so
            with module.open(path, "rb") as f:
                f.read(1)
        first = np.abs(np.asarray(store.vectors[0], dtype=np.float64))
        realistic = bool(np.mean((first == 0) | ((first >= 1e-6) & (first <= 1e6))) >= 0.5)
        if fmt is not VectorFormat.word2vec_binary or realistic:
            assert sniff_format(path) is SNIFFED[fmt]
            assert_same(load_vectors(path), store)
        # Sniffing binary judges the first vector's values; odd ones may need the format named.
        assert_same(load_vectors(path, ReadOptions(format=fmt)), store)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@ROUND_TRIP
@given(data=st.data())
def test_store_round_trips_losslessly_with_counts(dtype: type, data: st.DataObject):
    store = data.draw(stores(with_counts=True, dtype=dtype))
    store.meta["history"] = [{"action": "test"}]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        save_vectors(store, path, VectorFormat.store, dtype=np.dtype(dtype).name)
        loaded = load_vectors(path)
        assert loaded.dtype == np.dtype(dtype)
        assert_same(loaded, store)
        np.testing.assert_array_equal(loaded.counts, store.counts)
        assert loaded.meta["history"] == [{"action": "test"}]
        assert loaded.meta["shape"] == [len(store), store.dim]


@ROUND_TRIP
@given(store=stores(with_counts=True))
def test_projector_round_trips_losslessly(store: VectorStore):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "projector"
        save_vectors(store, path, VectorFormat.projector)
        assert sorted(p.name for p in path.iterdir()) == ["metadata.tsv", "vectors.tsv"]
        assert sniff_format(path) is VectorFormat.projector
        loaded = load_vectors(path)
        assert_same(loaded, store)
        np.testing.assert_array_equal(loaded.counts, store.counts)


def test_float16_store_halves_the_matrix(tmp_path: Path, toy_store: VectorStore):
    path = save_vectors(toy_store, tmp_path / "half", "store", dtype="float16")
    loaded = load_vectors(path)
    assert loaded.dtype == np.float16
    assert (path / "vectors.npy").stat().st_size < 128 + 12 * 4 * 2 + 1
    np.testing.assert_array_equal(
        np.asarray(loaded.vectors), np.asarray(toy_store.vectors).astype(np.float16)
    )


# -- sniffing and forced formats --------------------------------------------------------------
@pytest.mark.parametrize("fmt", FILE_FORMATS, ids=lambda f: f.value)
@pytest.mark.parametrize("name", ["vectors.bin", "vectors.txt", "vectors.vec.gz", "vectors"])
def test_format_is_sniffed_from_content_not_name(
    tmp_path: Path, toy_store: VectorStore, fmt: VectorFormat, name: str
):
    written = tmp_path / "real.gz"
    save_vectors(toy_store, written, fmt)
    misleading = tmp_path / name
    misleading.write_bytes(written.read_bytes())  # gzip'd content whatever the name says
    assert sniff_format(misleading) is SNIFFED[fmt]
    assert_same(load_vectors(misleading), toy_store)


def test_sniffing_does_not_mistake_text_for_binary_when_the_next_line_is_short(tmp_path: Path):
    # The first record's payload must be judged alone, not together with the following line.
    path = tmp_path / "v.txt"
    path.write_text("2 3\na 1 2 3\nb 4 5 6\n")
    assert sniff_format(path) is VectorFormat.word2vec
    assert load_vectors(path).words == ["a", "b"]


def test_bare_npy_and_pickles_are_recognised(tmp_path: Path):
    np.save(tmp_path / "m.npy", np.zeros((2, 2), dtype=np.float32))
    with pytest.raises(VectorFileError, match=r"bare \.npy array"):
        sniff_format(tmp_path / "m.npy")


def test_forced_glove_reads_a_headerless_file(tmp_path: Path):
    path = tmp_path / "odd.dat"
    path.write_text("frog 1 2\ntoad 3 4\n")
    store = load_vectors(path, ReadOptions(format="glove"))
    assert store.words == ["frog", "toad"]
    np.testing.assert_array_equal(np.asarray(store.vectors), [[1, 2], [3, 4]])
    assert store.meta["source_format"] == "glove"


def test_forced_word2vec_on_a_headerless_file_says_what_is_missing(tmp_path: Path):
    path = tmp_path / "glove.txt"
    path.write_text("frog 1 2\ntoad 3 4\n")
    with pytest.raises(VectorFileError) as info:
        load_vectors(path, ReadOptions(format=VectorFormat.word2vec))
    assert str(info.value) == f"{path} line 1: expected a word2vec header 'COUNT DIM'"


def test_forced_fasttext_reads_vec_with_trailing_spaces(tmp_path: Path):
    # fastText's .vec files end every line with a space.
    path = tmp_path / "wiki.vec"
    path.write_text("2 3\nfrog 0.1 0.2 0.3 \ntoad 0.4 0.5 0.6 \n")
    store = load_vectors(path, ReadOptions(format="fasttext"))
    assert store.words == ["frog", "toad"]
    np.testing.assert_array_equal(
        np.asarray(store.vectors), np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], dtype=np.float32)
    )


# -- --limit ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fmt", [*FILE_FORMATS, VectorFormat.store, VectorFormat.projector], ids=lambda f: f.value
)
@pytest.mark.parametrize("limit", [1, 5, 12, 50])
def test_limit_keeps_the_first_n_words(
    tmp_path: Path, toy_store: VectorStore, fmt: VectorFormat, limit: int
):
    path = save_vectors(
        toy_store,
        tmp_path / "v.gz"
        if fmt not in (VectorFormat.store, VectorFormat.projector)
        else tmp_path / "v",
        fmt,
    )
    loaded = load_vectors(path, ReadOptions(limit=limit))
    n = min(limit, len(toy_store))
    assert loaded.words == toy_store.words[:n]
    np.testing.assert_array_equal(np.asarray(loaded.vectors), np.asarray(toy_store.vectors)[:n])


def test_limit_stops_before_a_damaged_tail(tmp_path: Path):
    # Reading stops after N words: a broken line further down is never seen.
    path = tmp_path / "v.txt"
    path.write_text("3 2\nfrog 1 2\ntoad 3 4\nnewt broken\n")
    assert load_vectors(path, ReadOptions(limit=2)).words == ["frog", "toad"]
    with pytest.raises(VectorFileError, match="line 4"):
        load_vectors(path)


def test_limit_below_one_is_refused(tmp_path: Path):
    with pytest.raises(InvalidOptionError, match=r"^limit must be at least 1, got 0$"):
        load_vectors(TOY_PATH, ReadOptions(limit=0))


# -- leniency for `info` ------------------------------------------------------------------------
def test_report_records_duplicates_and_undecodable_bytes_instead_of_failing(tmp_path: Path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"3 2\nfrog 1 2\ncaf\xe9 3 4\nfrog 5 6\n")
    report = ReadReport()
    store = load_vectors(path, report=report)
    assert store.words == ["frog", "caf\ufffd"]
    assert report.duplicates == [(4, "frog")]
    assert report.undecodable == [(3, len(b"3 2\nfrog 1 2\ncaf"))]
    assert report.header == (3, 2)
    assert report.format == "word2vec"


def test_unicode_errors_replace_and_ignore(tmp_path: Path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"1 2\ncaf\xe9 3 4\n")
    assert load_vectors(path, ReadOptions(unicode_errors="replace")).words == ["caf\ufffd"]
    assert load_vectors(path, ReadOptions(unicode_errors="ignore")).words == ["caf"]
    assert load_vectors(path, ReadOptions(encoding="latin-1")).words == ["café"]
    with pytest.raises(VectorFileError, match="unknown encoding 'klingon'"):
        load_vectors(path, ReadOptions(encoding="klingon"))


ZH_TEXT = "2 3\n北京 0.1 0.2 0.3\n上海 0.4 0.5 0.6\n"


@pytest.mark.parametrize("text", [ZH_TEXT, ZH_TEXT.split("\n", 1)[1]], ids=["word2vec", "glove"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_a_utf8_byte_order_mark_is_ignored(tmp_path: Path, text: str, suffix: str):
    # Windows Notepad saves "UTF-8" with a BOM; the file must read as without it.
    path = tmp_path / f"v.txt{suffix}"
    data = b"\xef\xbb\xbf" + text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if suffix else data)
    store = load_vectors(path)
    assert store.words == ["北京", "上海"]
    np.testing.assert_array_equal(
        np.asarray(store.vectors), np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], dtype=np.float32)
    )


def test_gbk_bytes_get_a_chinese_encoding_hint(tmp_path: Path):
    path = tmp_path / "v.txt"
    path.write_bytes(ZH_TEXT.encode("gbk"))
    with pytest.raises(VectorFileError) as exc:
        load_vectors(path)
    where = (
        f"{path} line 2: cannot decode bytes as utf-8 at byte offset 4 (b'\\xb1\\xb1\\xbe\\xa9'); "
    )
    assert str(exc.value) == where + (
        "pass `encoding=gb18030` (the bytes read as Chinese GBK) or `unicode_errors=replace|ignore`"
    )
    assert phrase_error(exc.value) == where + (
        "pass --encoding gb18030 (the bytes read as Chinese GBK) or --unicode-errors replace|ignore"
    )
    assert load_vectors(path, ReadOptions(encoding="gb18030")).words == ["北京", "上海"]
    # latin-1 letters can pair up as GBK bytes too ('ül' is one), but they stand alone
    path.write_bytes("1 2\nMüller 1 2\n".encode("latin-1"))
    with pytest.raises(VectorFileError, match=r"pass `encoding` \(e.g. latin-1\)") as exc:
        load_vectors(path)
    assert "pass --encoding (e.g. latin-1) or --unicode-errors" in phrase_error(exc.value)


def test_utf16_file_says_so(tmp_path: Path):
    path = tmp_path / "v.txt"
    path.write_bytes(ZH_TEXT.encode("utf-16"))
    with pytest.raises(VectorFileError) as exc:
        load_vectors(path)
    assert str(exc.value) == (
        f"{path}: the file is UTF-16 text; save it as UTF-8 "
        "(e.g. iconv -f utf-16 -t utf-8 IN > OUT) and read that"
    )


def test_tab_separated_lines_get_a_hint(tmp_path: Path):
    path = tmp_path / "v.tsv"
    path.write_text("2\t3\nfrog\t0.1\t0.2\t0.3\ntoad\t0.4\t0.5\t0.6\n", encoding="utf-8")
    with pytest.raises(VectorFileError) as exc:
        load_vectors(path)
    assert str(exc.value) == (
        f"{path} line 2: expected 4 fields (word + 3 numbers), got 1; the fields are separated "
        "by tabs, but vector files use single spaces (try: tr '\\t' ' ' < IN > OUT)"
    )


# -- absurd headers -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["absurd_header.txt", "absurd_header.bin"])
def test_absurd_header_fails_without_allocating(name: str):
    tracemalloc.start()
    try:
        with pytest.raises(VectorFileError, match="1,000,000,000,000 words"):
            load_vectors(FIXTURES / "bad" / name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


@pytest.mark.parametrize("binary", [False, True])
def test_absurd_header_in_a_compressed_file_fails_without_allocating(tmp_path: Path, binary: bool):
    body = (b"frog " + np.ones(3, "<f4").tobytes()) if binary else b"frog 1 2 3\n"
    path = tmp_path / "v.gz"
    path.write_bytes(gzip.compress(b"1000000000000 3\n" + body))
    tracemalloc.start()
    try:
        with pytest.raises(VectorFileError, match="1,000,000,000,000 words"):
            load_vectors(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


def test_absurd_dimension_is_refused(tmp_path: Path):
    path = tmp_path / "v.bin.gz"
    path.write_bytes(gzip.compress(b"2 5000000000\nfrog " + b"\0" * 12))
    with pytest.raises(VectorFileError, match="5,000,000,000 dims"):
        load_vectors(path)


# -- writers ------------------------------------------------------------------------------------
def test_writers_refuse_to_overwrite_without_force(tmp_path: Path, toy_store: VectorStore):
    path = save_vectors(toy_store, tmp_path / "v.txt", "word2vec")
    with pytest.raises(OutputError, match="already exists"):
        save_vectors(toy_store, path, "word2vec")
    save_vectors(toy_store.head(3), path, "word2vec", overwrite=True)
    assert load_vectors(path).words == toy_store.words[:3]


def test_word_with_a_space_cannot_be_written_as_text(tmp_path: Path):
    store = VectorStore(["new york"], np.ones((1, 2), dtype=np.float32))
    with pytest.raises(OutputError, match="'new york'"):
        save_vectors(store, tmp_path / "v.txt", "word2vec")
    assert not (tmp_path / "v.txt").exists()
    assert list(tmp_path.iterdir()) == []
    # a store keeps it
    assert load_vectors(save_vectors(store, tmp_path / "s", "store")).words == ["new york"]


def test_interrupted_write_leaves_nothing(tmp_path: Path, toy_store: VectorStore, monkeypatch):
    def explode(*args, **kwargs):
        yield 0, np.asarray(toy_store.vectors)[:2]
        raise KeyboardInterrupt

    monkeypatch.setattr(VectorStore, "blocks", explode)
    for fmt, name in [("store", "s"), ("word2vec", "v.txt"), ("projector", "p")]:
        with pytest.raises(KeyboardInterrupt):
            save_vectors(toy_store, tmp_path / name, fmt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("store", "s"), ("word2vec", "v.txt"), ("word2vec-binary", "v.bin.gz"), ("projector", "p")],
)
def test_written_files_get_the_usual_permissions(
    tmp_path: Path, toy_store: VectorStore, fmt: str, name: str
):
    # Temporary files and directories are created 0600/0700; the renamed result must not keep
    # that, or a store written for a class or a web server is unreadable to everyone else.
    old = os.umask(0o022)
    try:
        path = save_vectors(toy_store, tmp_path / name, fmt)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644)
    for child in path.iterdir() if path.is_dir() else []:
        assert stat.S_IMODE(child.stat().st_mode) == 0o644, child.name


# -- parity with gensim -------------------------------------------------------------------------
def gensim_kv(words: list[str], vectors: np.ndarray):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(words, vectors)
    return kv


def assert_matches_gensim(ours: VectorStore, kv) -> None:
    assert ours.words == list(kv.index_to_key)
    np.testing.assert_array_equal(np.asarray(ours.vectors), kv.vectors)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(store=stores())
def test_gensim_written_files_load_as_gensim_loads_them(
    binary: bool, suffix: str, store: VectorStore
):
    from gensim.models import KeyedVectors

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"gensim{suffix}"
        gensim_kv(store.words, np.asarray(store.vectors)).save_word2vec_format(
            str(path), binary=binary
        )
        ours = load_vectors(path)
        assert ours.meta["source_format"] == ("word2vec-binary" if binary else "word2vec")
        assert_matches_gensim(ours, KeyedVectors.load_word2vec_format(str(path), binary=binary))
        assert_same(ours, store)


# Stanford GloVe writes "%lf" (6 decimals); other tools write many more digits, some of which
# sit near float32 rounding boundaries. Values are parsed exactly as gensim parses them.
glove_value = st.one_of(
    st.floats(-10, 10, allow_nan=False).map(lambda v: f"{v:.6f}"),
    st.floats(-10, 10, allow_nan=False).map(repr),
    st.decimals(-10, 10, places=20, allow_nan=False, allow_infinity=False).map(str),
    st.integers(-(10**30), 10**30).map(lambda i: f"{i}e-30"),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=words_st, data=st.data())
def test_stanford_glove_text_loads_as_gensim_no_header(words: list[str], data: st.DataObject):
    from gensim.models import KeyedVectors

    dim = data.draw(st.integers(2, 5))
    lines = [
        " ".join([w, *data.draw(st.lists(glove_value, min_size=dim, max_size=dim))]) for w in words
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "glove.6B.test.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        ours = load_vectors(path)
        assert ours.meta["source_format"] == "glove"
        kv = KeyedVectors.load_word2vec_format(str(path), binary=False, no_header=True)
        assert_matches_gensim(ours, kv)


def test_gensim_limit_agrees(tmp_path: Path, toy_store: VectorStore):
    from gensim.models import KeyedVectors

    path = tmp_path / "v.bin"
    gensim_kv(toy_store.words, np.asarray(toy_store.vectors)).save_word2vec_format(
        str(path), binary=True
    )
    kv = KeyedVectors.load_word2vec_format(str(path), binary=True, limit=5)
    assert_matches_gensim(load_vectors(path, ReadOptions(limit=5)), kv)


@pytest.fixture(scope="module")
def gensim_pickles(tmp_path_factory) -> dict[str, Path]:
    from gensim.models import Word2Vec

    tmp = tmp_path_factory.mktemp("pickles")
    sentences = [["king", "queen", "man", "woman"], ["frog", "toad", "newt"]] * 20
    model = Word2Vec(sentences, vector_size=8, min_count=1, seed=1, workers=1, epochs=2)
    model.save(str(tmp / "w2v.model"))
    model.wv.save(str(tmp / "w2v.kv"))
    return {"model": tmp / "w2v.model", "kv": tmp / "w2v.kv", "wv": model.wv}  # type: ignore[dict-item]


@pytest.mark.parametrize("kind", ["model", "kv"])
def test_gensim_pickles_need_allow_pickle(gensim_pickles: dict, kind: str):
    path = gensim_pickles[kind]
    assert sniff_format(path) is VectorFormat.gensim
    with pytest.raises(VectorFileError, match=r"pickle.*`allow_pickle=True`") as exc:
        load_vectors(path)
    assert "Pass --allow-pickle only if you trust it" in phrase_error(exc.value)
    store = load_vectors(path, ReadOptions(allow_pickle=True))
    wv = gensim_pickles["wv"]
    assert store.words == list(wv.index_to_key)
    np.testing.assert_array_equal(np.asarray(store.vectors), wv.vectors)
    assert store.counts.tolist() == [wv.get_vecattr(w, "count") for w in wv.index_to_key]


@pytest.mark.parametrize(
    "body, problem",
    [
        (b"2 3\nfrog 1 x 3\ntoad 1 2 3\n", "line 2: not a number: 'x'"),
        (b"2 3\nfrog 1 2\ntoad 1 2 3\n", "line 2: expected 4 fields (word + 3 numbers), got 3"),
    ],
)
def test_a_broken_first_record_is_still_read_as_text(tmp_path: Path, body: bytes, problem: str):
    path = tmp_path / "v.txt"
    path.write_bytes(body)
    assert sniff_format(path) is VectorFormat.word2vec
    with pytest.raises(VectorFileError) as info:
        load_vectors(path)
    assert str(info.value) == f"{path} {problem}"


def test_binary_with_tiny_first_values_is_still_binary(tmp_path: Path):
    store = VectorStore(["tiny", "big"], np.array([[1e-10, -1e-12], [0.5, 2]], dtype=np.float32))
    path = save_vectors(store, tmp_path / "v.txt", "word2vec-binary")
    assert sniff_format(path) is VectorFormat.word2vec_binary
    assert_same(load_vectors(path), store)


def test_a_first_word_starting_bzh_is_text_not_bz2(tmp_path: Path):
    # the shared opener (also the corpus reader's) needs bz2's block-size digit after "BZh"
    path = tmp_path / "bzh.txt"
    path.write_text("BZhx 1 0\nother 0 1\n")
    assert load_vectors(path).words == ["BZhx", "other"]
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("BZh is not compressed\n")
    from embtool.corpus import Corpus

    assert list(Corpus([corpus])) == [["bzh", "is", "not", "compressed"]]


@pytest.mark.parametrize("suffix", [".bin", ".bin.gz"])
def test_binary_records_split_across_read_chunks_match_gensim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
):
    from gensim.models import KeyedVectors

    import embtool.vectors.word2vec as w2v

    monkeypatch.setattr(w2v, "_BINARY_CHUNK", 1)  # the smallest chunk: ~20 KB, many boundaries
    monkeypatch.setattr(w2v, "_CHUNK_ROWS", 7)  # a compressed file's matrix grows many times
    rng = np.random.default_rng(3)
    words = [f"w{i}" + "x" * (i % 13) for i in range(3000)]
    kv = KeyedVectors(vector_size=50)
    kv.add_vectors(words, rng.standard_normal((3000, 50)).astype(np.float32))
    path = tmp_path / f"v{suffix}"
    kv.save_word2vec_format(str(path), binary=True)
    store = load_vectors(path)
    assert store.words == words
    assert np.array_equal(np.asarray(store.vectors), kv.vectors)


# -- memory: rows go straight into the final matrix ----------------------------------------------
_PEAK = """
import resource, sys
from embtool import load_vectors
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
store = load_vectors(sys.argv[1])
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024, store.vectors.nbytes)
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "fmt, suffix",
    [
        (VectorFormat.word2vec, ".txt"),  # header: allocated once
        (VectorFormat.glove, ".txt"),  # no header: grows in place
        (VectorFormat.word2vec, ".txt.gz"),  # header not vouched for by the size: grows
        (VectorFormat.word2vec_binary, ".bin"),
    ],
)
def test_readers_keep_no_second_copy_of_the_matrix(tmp_path: Path, fmt, suffix):
    import subprocess
    import sys

    n, dim = 100_000, 200
    matrix = np.random.default_rng(0).standard_normal((n, dim), dtype=np.float32)
    path = save_vectors(
        VectorStore([f"w{i}" for i in range(n)], matrix), tmp_path / f"v{suffix}", fmt
    )
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, check=True
    )
    grown, nbytes = map(int, out.stdout.split())
    assert nbytes == matrix.nbytes
    # the matrix (80 MB), the words and one block being parsed; a second copy would double it
    assert grown < 1.25 * nbytes, grown / nbytes


def test_duplicate_word_names_its_first_line_past_blank_lines(tmp_path: Path):
    path = tmp_path / "v.txt"
    path.write_text("a 1 2\n\nb 3 4\n\nc 5 6\nb 7 8\n")
    with pytest.raises(
        VectorFileError, match=r"line 6: duplicate word 'b' \(first seen on line 3\)"
    ):
        load_vectors(path)
    binary = tmp_path / "v.bin"
    rows = [(w, np.array([i, i], "<f4")) for i, w in enumerate("abcb")]
    binary.write_bytes(
        b"4 2\n" + b"".join(w.encode() + b" " + v.tobytes() + b"\n" for w, v in rows)
    )
    with pytest.raises(
        VectorFileError, match=r"line 4: duplicate word 'b' \(first seen on line 2\)"
    ):
        load_vectors(binary)


def _binary_records(tmp_path: Path, words: list[bytes], seps: list[bytes], dim: int = 3):
    """A word2vec binary file written by hand: ``seps[i]`` (newlines or nothing) before record i.
    Returns the path, the vectors and each word's byte offset (an independent oracle)."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((len(words), dim)).astype("<f4")
    data = bytearray(f"{len(words)} {dim}\n".encode())
    offsets = []
    for word, sep, vec in zip(words, seps, vectors, strict=True):
        data += sep
        offsets.append(len(data))
        data += word + b" " + vec.tobytes()
    path = tmp_path / "v.bin"
    path.write_bytes(bytes(data))
    return path, vectors, offsets


@pytest.mark.parametrize("chunk_rows", [8192, 5])
def test_binary_block_path_and_record_path_agree_on_odd_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_rows: int
):
    """Blocks of records are decoded, deduplicated and copied at once; a duplicate, a word that
    does not decode or odd newlines make the reader go record by record. Both must give what a
    record-by-record reading of the file gives: the same words, rows, report and errors."""
    import embtool.vectors.word2vec as w2v

    monkeypatch.setattr(w2v, "_BINARY_CHUNK", 1)  # ~20 KB chunks: records cut at many boundaries
    monkeypatch.setattr(w2v, "_CHUNK_ROWS", chunk_rows)
    rng = np.random.default_rng(1)
    n = 6000
    words = [f"w{i}{'é' * (i % 3)}{'x' * (i % 11)}".encode() for i in range(n)]
    seps = [[b"\n", b"", b"\r\n", b"\n\n"][int(k)] for k in rng.integers(0, 4, n)]
    seps[0] = b""
    words[4000] = words[1234]  # a duplicate
    words[2500] = b"caf\xe9"  # latin-1, not UTF-8
    path, vectors, offsets = _binary_records(tmp_path, words, seps)

    report = ReadReport()
    store = load_vectors(path, ReadOptions(unicode_errors="replace"), report=report)
    keep = [i for i in range(n) if i != 4000]
    assert store.words == [words[i].decode("utf-8", "replace") for i in keep]
    assert np.array_equal(np.asarray(store.vectors), vectors[keep])
    assert report.duplicates == [(4001, words[1234].decode())]
    assert report.undecodable == [(2501, offsets[2500] + 3)]

    with pytest.raises(VectorFileError, match=f"byte offset {offsets[2500] + 3} "):
        load_vectors(path)
    words[2500] = b"cafe"
    path, _, _ = _binary_records(tmp_path, words, seps)
    with pytest.raises(
        VectorFileError, match=r"duplicate word 'w1234.*' \(first seen on line 1235\)"
    ):
        load_vectors(path)
    words[4000] = b"fresh"
    path, vectors, _ = _binary_records(tmp_path, words, seps)
    store = load_vectors(path)
    assert store.words == [w.decode() for w in words]
    assert np.array_equal(np.asarray(store.vectors), vectors)
    assert np.array_equal(
        np.asarray(load_vectors(path, ReadOptions(limit=4321)).vectors), vectors[:4321]
    )
