"""Corpus streaming and tokenizers: exact tokens, every input kind, every bad input."""

import bz2
import gzip
import hashlib
import io
import lzma
import os
import sys
from pathlib import Path

import pytest

from embtool.cli.errors import phrase_error
from embtool.corpus import (
    Corpus,
    PreparedCorpus,
    ProgressEvent,
    Tokenizer,
    make_tokenizer,
    prepare_corpus,
    tokenize,
)
from embtool.errors import CorpusError
from tests.helpers import require_shared

ZH_NOVELS = ("zh", "corpora", "zh_novels_4classics.txt.gz")

TEXT = "The cat sat.\nThe dog's bone!\n\n   \nA cat, a dog.\n"
TOKENS = [["the", "cat", "sat"], ["the", "dog's", "bone"], ["a", "cat", "a", "dog"]]


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    return p


# -- tokenizers ---------------------------------------------------------------------------------
def test_regex_words_apostrophes_case_and_punctuation():
    tok = make_tokenizer(Tokenizer.regex)
    assert tok("Don't STOP! It's 2024, rock'n'roll... snake_case 'quoted' x-ray") == [
        "don't",
        "stop",
        "it's",
        "2024",
        "rock'n'roll",
        "snake",
        "case",
        "quoted",
        "x",
        "ray",
    ]


def test_regex_keep_case_and_curly_apostrophe():
    tok = make_tokenizer("regex", lower=False)
    assert tok("Paris isn\u2019t London") == ["Paris", "isn't", "London"]


def test_regex_keeps_combining_marks_inside_words():
    tok = make_tokenizer("regex")
    # Devanagari vowel signs and a decomposed é (e + U+0301) are marks, not word breaks.
    assert tok("हिन्दी cafe\u0301 naïve Ölçü") == ["हिन्दी", "cafe\u0301", "naïve", "ölçü"]


def test_regex_and_char_split_han_one_character_each():
    line = "我爱北京Python3编程, don't 東京です"
    expected = ["我", "爱", "北", "京", "python3", "编", "程", "don't", "東", "京", "で", "す"]
    assert make_tokenizer("char")(line) == expected
    assert make_tokenizer("regex")(line) == expected


def test_whitespace_is_verbatim_unless_lower():
    assert make_tokenizer("whitespace")("The  cat,\tsat ") == ["The", "cat,", "sat"]
    assert make_tokenizer("whitespace", lower=True)("The CAT") == ["the", "cat"]


def test_tokenize_whole_text():
    assert tokenize("A b\nc D", "regex") == ["a", "b", "c", "d"]


def test_jieba_mixed_chinese_english():
    pytest.importorskip("jieba")
    tokens = make_tokenizer("jieba")("我爱北京天安门, I don't like NLP2024!")
    assert tokens == ["我", "爱", "北京", "天安门", "i", "don't", "like", "nlp2024"]


def test_missing_jieba_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "jieba", None)  # makes `import jieba` fail
    with pytest.raises(CorpusError) as exc:
        make_tokenizer("jieba")
    assert "pip install 'embtool[chinese]'" in str(exc.value)
    assert "`tokenizer=char`" in str(exc.value)
    assert "or use --tokenizer char" in phrase_error(exc.value)


def test_chinese_novel_lines(tmp_path):
    with gzip.open(require_shared(*ZH_NOVELS), "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(6)]
    p = tmp_path / "zh.txt"
    p.write_text("".join(lines), encoding="utf-8")
    chars = list(Corpus([p], tokenizer="char"))
    # 滚滚长江东逝水，浪花淘尽英雄。: punctuation dropped, one token per character.
    assert chars[2][:9] == ["滚", "滚", "长", "江", "东", "逝", "水", "浪", "花"]
    assert all(len(t) == 1 for sent in chars for t in sent)


def test_chinese_novel_lines_jieba(tmp_path):
    pytest.importorskip("jieba")
    with gzip.open(require_shared(*ZH_NOVELS), "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(6)]
    p = tmp_path / "zh.txt"
    p.write_text("".join(lines), encoding="utf-8")
    words = list(Corpus([p], tokenizer="jieba"))
    assert words[2] == [
        "滚滚",
        "长江",
        "东",
        "逝水",
        "浪花",
        "淘尽",
        "英雄",
        "是非成败",
        "转头",
        "空",
    ]


# -- sources ------------------------------------------------------------------------------------
def test_iterates_lines_and_skips_empty(text_file):
    corpus = Corpus([text_file])
    assert list(corpus) == TOKENS
    assert list(corpus) == TOKENS  # restartable


@pytest.mark.parametrize(
    "opener,suffix", [(gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")]
)
def test_compressed_files_by_magic(tmp_path, opener, suffix):
    p = tmp_path / "corpus.data"  # the name does not say it is compressed
    with opener(p, "wb") as f:
        f.write(TEXT.encode())
    assert list(Corpus([p])) == TOKENS


def test_directory_recursive_sorted_text_only(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("alpha\n")
    (tmp_path / "b" / "c.txt").write_text("gamma\n")
    with gzip.open(tmp_path / "b" / "d.gz", "wb") as f:
        f.write(b"delta\n")
    (tmp_path / "b" / "image.bin").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / ".hidden").write_text("hidden\n")
    corpus = Corpus([tmp_path])
    assert list(corpus) == [["alpha"], ["gamma"], ["delta"]]
    assert corpus.skipped == [str(tmp_path / "b" / "image.bin")]


def test_compressed_binary_in_a_directory_is_skipped_as_plain_binary_is(tmp_path):
    (tmp_path / "a.txt").write_text("alpha beta\n")
    blob = bytes(range(256)) * 64  # NUL bytes and every other: not text
    (tmp_path / "model.bin").write_bytes(blob)
    with gzip.open(tmp_path / "model.bin.gz", "wb") as f:
        f.write(blob)
    with bz2.open(tmp_path / "weights.bz2", "wb") as f:
        f.write(blob)
    with gzip.open(tmp_path / "z.txt.gz", "wb") as f:
        f.write(b"gamma\n")
    corpus = Corpus([tmp_path])
    assert list(corpus) == [["alpha", "beta"], ["gamma"]]
    assert corpus.skipped == [
        str(tmp_path / n) for n in ("model.bin", "model.bin.gz", "weights.bz2")
    ]


def test_stdin_once(monkeypatch, text_file):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TEXT.encode())))
    corpus = Corpus(["-", text_file])
    assert list(corpus) == TOKENS + TOKENS
    with pytest.raises(CorpusError, match="stdin can be read only once"):
        list(corpus)


def test_missing_path(tmp_path):
    with pytest.raises(CorpusError) as exc:
        Corpus([tmp_path / "nope.txt"])
    assert str(exc.value) == f"{tmp_path / 'nope.txt'}: no such file or directory"


def test_directory_without_text(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"\x00\x01\x02")
    with pytest.raises(CorpusError, match="directory has no text files"):
        Corpus([tmp_path])


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(text_file):
    text_file.chmod(0)
    try:
        with pytest.raises(CorpusError, match="cannot read"):
            Corpus([text_file])
    finally:
        text_file.chmod(0o644)


def test_undecodable_bytes_name_file_offset_and_line(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"good line\nsecond caf\xe9 line\n")
    with pytest.raises(CorpusError) as exc:
        list(Corpus([p]))
    msg = str(exc.value)
    assert msg.startswith(f"{p}: cannot decode as utf-8 at byte offset 20 (line 2")
    assert "pass `encoding` (e.g. latin-1) or `errors=replace|ignore`" in msg
    assert "pass --encoding (e.g. latin-1) or --errors replace|ignore" in phrase_error(exc.value)
    with pytest.raises(CorpusError, match="byte offset 20"):
        Corpus([p]).prepare()
    assert list(Corpus([p], encoding="latin-1")) == [["good", "line"], ["second", "café", "line"]]
    assert list(Corpus([p], errors="replace")) == [["good", "line"], ["second", "caf", "line"]]
    assert list(Corpus([p], errors="ignore")) == [["good", "line"], ["second", "caf", "line"]]


def test_undecodable_in_place_candidate(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"good line\nsecond caf\xe9 line\n")
    with pytest.raises(CorpusError, match=r"byte offset 20 \(line 2"):
        Corpus([p], tokenizer="whitespace").prepare()
    with Corpus([p], tokenizer="whitespace", errors="replace").prepare() as prepared:
        assert prepared.temporary  # cleaned copy, since gensim would see the raw bytes
        assert list(prepared) == [["good", "line"], ["second", "caf\ufffd", "line"]]


def test_unknown_encoding(text_file):
    with pytest.raises(CorpusError, match="unknown encoding 'klingon'"):
        Corpus([text_file], encoding="klingon")


def test_corrupt_gzip(tmp_path):
    p = tmp_path / "broken.gz"
    p.write_bytes(gzip.compress(TEXT.encode() * 100)[:60])
    with pytest.raises(CorpusError, match="corrupt or truncated compressed data"):
        list(Corpus([p]))


def test_empty_corpus(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_text("\n  \n...!\n")
    with pytest.raises(CorpusError) as exc:
        Corpus([p]).prepare(tmp_dir=tmp_path)
    assert str(exc.value) == f"corpus is empty: no tokens in {p} (tokenizer regex)"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["empty.txt"]  # no temp file left


# -- prepare ------------------------------------------------------------------------------------
def test_prepare_writes_tokenized_file_and_counts(tmp_path, text_file):
    events: list[ProgressEvent] = []
    with Corpus([text_file]).prepare(tmp_dir=tmp_path, progress=events.append) as prepared:
        assert prepared.temporary and prepared.path.parent == tmp_path
        assert prepared.path.read_text() == "the cat sat\nthe dog's bone\na cat a dog\n"
        assert list(prepared.counts.items()) == [
            ("the", 2),
            ("cat", 2),
            ("sat", 1),
            ("dog's", 1),
            ("bone", 1),
            ("a", 2),
            ("dog", 1),
        ]
        assert (prepared.n_tokens, prepared.n_lines, prepared.n_sentences) == (10, 3, 3)
        assert prepared.most_common(2) == [("the", 2), ("cat", 2)]
        assert list(prepared) == TOKENS
        info = prepared.describe()
        assert info["files"][0]["sha256"] == hashlib.sha256(text_file.read_bytes()).hexdigest()
        assert info["files"][0]["bytes"] == len(TEXT.encode())
        assert info["tokenizer"] == "regex" and info["lowercase"] is True
        path = prepared.path
    assert not path.exists()
    assert events[-1].final and events[-1].stage == "read"
    assert events[-1].done == events[-1].total == len(TEXT.encode())


def test_prepare_hashes_compressed_bytes(tmp_path):
    p = tmp_path / "c.txt.gz"
    p.write_bytes(gzip.compress(TEXT.encode()))
    with Corpus([p]).prepare(tmp_dir=tmp_path) as prepared:
        info = prepared.sources[0]
        assert info.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
        assert info.compression == "gzip" and info.tokens == 10


def test_prepare_deletes_temp_file_on_error(tmp_path, text_file):
    out = tmp_path / "tmp"
    out.mkdir()
    with pytest.raises(KeyboardInterrupt), Corpus([text_file]).prepare(tmp_dir=out):
        raise KeyboardInterrupt
    assert list(out.iterdir()) == []


def test_prepare_interrupted_while_reading_leaves_nothing(tmp_path, text_file):
    out = tmp_path / "tmp"
    out.mkdir()

    def boom(event: ProgressEvent) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Corpus([text_file]).prepare(tmp_dir=out, progress=boom)
    assert list(out.iterdir()) == []


def test_whitespace_plain_file_used_in_place(tmp_path):
    p = tmp_path / "tok.txt"
    p.write_text("the Cat sat\n\nthe dog\n")
    with Corpus([p], tokenizer="whitespace").prepare(tmp_dir=tmp_path) as prepared:
        assert not prepared.temporary and prepared.path == p
        assert prepared.counts == {"the": 2, "Cat": 1, "sat": 1, "dog": 1}
        assert prepared.describe()["tokenized_in_place"] is True
    assert p.exists()
    with Corpus([p], tokenizer="whitespace", lower=True).prepare(tmp_dir=tmp_path) as prepared:
        assert prepared.temporary and prepared.counts["cat"] == 1


def test_unicode_space_forces_a_copy(tmp_path):
    # U+3000 splits for Python but not for gensim's C++ reader: the copy makes them agree.
    p = tmp_path / "tok.txt"
    p.write_text("a\u3000b c\n", encoding="utf-8")
    with Corpus([p], tokenizer="whitespace").prepare(tmp_dir=tmp_path) as prepared:
        assert prepared.temporary
        assert prepared.path.read_text() == "a b c\n"


def test_counts_match_gensim_scan(tmp_path):
    gensim = pytest.importorskip("gensim")
    p = tmp_path / "tok.txt"
    words = ["a", "b", "c", "d", "e", "f", "g", "h"]
    lines = [" ".join(words[(i * 7 + j * 3) % 8] for j in range(1 + i % 11)) for i in range(300)]
    p.write_text("\n".join(lines) + "\n")
    model = gensim.models.Word2Vec(min_count=1)
    model.build_vocab(corpus_file=str(p))
    with prepare_corpus([p], tokenizer="whitespace") as prepared:
        assert prepared.n_sentences == model.corpus_count
        assert prepared.n_tokens == model.corpus_total_words
        assert prepared.counts == {
            w: model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key
        }


def test_long_lines_count_as_gensim_chunks(tmp_path):
    p = tmp_path / "long.txt"
    p.write_text(" ".join(["w"] * 25_000) + "\nshort line\n")
    with prepare_corpus([p], tokenizer="whitespace") as prepared:
        assert prepared.n_lines == 2
        assert prepared.n_sentences == 25 + 1  # 25,000 tokens are written as 25 pieces


def test_from_file_reads_tokenized_text(tmp_path):
    p = tmp_path / "tok.txt"
    p.write_text("x y\ny z\n")
    with PreparedCorpus.from_file(p) as prepared:
        assert list(prepared) == [["x", "y"], ["y", "z"]]
        assert prepared.counts == {"x": 1, "y": 2, "z": 1}


def test_a_line_longer_than_a_block_is_read_in_pieces(tmp_path, monkeypatch):
    # a huge line without newline is cut at spaces (tokens whole), not held in memory at once
    import embtool.corpus as corpus_mod

    monkeypatch.setattr(corpus_mod, "_BLOCK_BYTES", 1000)
    words = [f"wörd{i}" for i in range(3000)]
    p = tmp_path / "one-line.txt"
    p.write_text(" ".join(words), encoding="utf-8")
    blocks = [b for _, _, b in corpus_mod._Source(str(p)).blocks()]
    assert max(map(len, blocks)) < 2000
    assert [t for line in Corpus([p], tokenizer="whitespace") for t in line] == words
