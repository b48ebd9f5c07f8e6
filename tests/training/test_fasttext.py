"""fastText training: gensim parity (vectors and n-grams), OOV vectors after save/open, limits."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool.cli import app
from embtool.corpus import Corpus
from embtool.errors import InvalidOptionError, UnknownWordsError
from embtool.training import Architecture, FastTextConfig, Method, make_config, train
from embtool.training.fasttext import memory_estimate, train_fasttext
from embtool.vectors import load_vectors, save_vectors
from embtool.vectors.subwords import ngram_hashes, ngrams_bytes, vocabulary_buckets
from tests.test_training import synthetic_lines

runner = CliRunner()
OOV = ["w1x", "w12w3", "xw5", "w599", "w7s"]


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("corpus") / "tok.txt"
    p.write_text("\n".join(synthetic_lines()) + "\n")
    return p


def small(**kw) -> FastTextConfig:
    base = dict(dim=8, window=3, min_count=2, epochs=2, seed=7, workers=1, bucket=5000)
    base.update(kw)
    return FastTextConfig(**base)


def gensim_fasttext(corpus_file: Path, sg: int) -> object:
    """gensim's FastText called directly with the settings of ``small()``."""
    from gensim.models import FastText

    return FastText(
        corpus_file=str(corpus_file),
        vector_size=8,
        window=3,
        min_count=2,
        epochs=2,
        seed=7,
        workers=1,
        sg=sg,
        bucket=5000,
    )


@pytest.fixture(scope="module")
def trained(corpus_file):
    """Our store and gensim's own model on the same file and settings (skip-gram)."""
    store = train(small(), Corpus([corpus_file], tokenizer="whitespace"))
    ref = gensim_fasttext(corpus_file, sg=1)
    return store, ref


@pytest.mark.parametrize("arch,sg", [(Architecture.skipgram, 1), (Architecture.cbow, 0)])
def test_identical_to_gensim_fasttext_corpus_file(corpus_file, arch, sg):
    store = train(small(architecture=arch), Corpus([corpus_file], tokenizer="whitespace"))
    ref = gensim_fasttext(corpus_file, sg=sg)
    assert store.words == ref.wv.index_to_key
    np.testing.assert_array_equal(np.asarray(store.vectors), ref.wv.vectors)
    np.testing.assert_array_equal(np.asarray(store.subwords.ngrams), ref.wv.vectors_ngrams)
    assert (store.subwords.min_n, store.subwords.max_n, store.subwords.bucket) == (3, 6, 5000)
    hp = store.meta["training"]["hyperparameters"]
    assert (hp["architecture"], hp["min_n"], hp["max_n"], hp["bucket"]) == (arch.value, 3, 6, 5000)


def test_oov_vectors_equal_gensim_in_memory_and_after_reopening(trained, tmp_path):
    store, ref = trained
    for word in OOV:
        assert word not in store
        np.testing.assert_allclose(store.oov_vector(word), ref.wv[word], rtol=0, atol=1e-6)
    save_vectors(store, tmp_path / "ft")
    assert sorted(p.name for p in (tmp_path / "ft").iterdir()) == [
        "meta.json",
        "ngrams.npy",
        "ngrams_used.npy",
        "vectors.npy",
        "vocab.txt",
    ]
    again = load_vectors(tmp_path / "ft")
    assert isinstance(again.subwords.ngrams, np.memmap)
    assert again.meta["subwords"]["hash"] == "fasttext-fnv1a32-signed-char"
    for word in OOV:
        np.testing.assert_allclose(again.oov_vector(word), ref.wv[word], rtol=0, atol=1e-6)
    (res,) = again.resolve(["w1x"])
    assert res.oov and res.word == "w1x" and res.row == len(again)
    np.testing.assert_allclose(again.rows([res.row])[0], ref.wv["w1x"], atol=1e-6)


def test_word_with_no_used_ngram_stays_unknown(trained):
    store, _ = trained
    # the used-bucket mask is exactly the buckets of the vocabulary's n-grams
    sub = store.subwords
    np.testing.assert_array_equal(
        sub.used, vocabulary_buckets(store.words, sub.min_n, sub.max_n, sub.bucket)
    )
    # "W7": none of "<W7", "W7>", "<W7>" hashes to a bucket a vocabulary word uses
    assert not sub.known(sub.hashes("W7")).any()
    assert store.oov_vector("W7") is None
    with pytest.raises(UnknownWordsError, match="1 word not in vectors"):
        store.resolve(["W7"], fold_case=False)
    with pytest.raises(UnknownWordsError):  # subwords off: an unseen word is unknown
        store.resolve(["w1x"], subwords=False)


def test_hashing_matches_gensim_for_unicode_words():
    from gensim.models.fasttext import ft_ngram_hashes
    from gensim.models.fasttext_inner import compute_ngrams_bytes

    for word in ["king", "a", "北京大学城", "naïve", "aaaa", "😀x", "Ünïcødé"]:
        for lo, hi in [(3, 6), (1, 2), (1, 1), (2, 5)]:
            assert ngrams_bytes(word, lo, hi) == compute_ngrams_bytes(word, lo, hi)
            assert ngram_hashes(word, lo, hi, 2_000_000).tolist() == ft_ngram_hashes(
                word, lo, hi, 2_000_000
            )


def test_config_limits_name_the_option():
    with pytest.raises(InvalidOptionError) as exc:
        FastTextConfig(min_n=5, max_n=3)
    assert exc.value.option == "min_n"
    with pytest.raises(InvalidOptionError) as exc:
        FastTextConfig(bucket=0)
    assert exc.value.option == "bucket"
    cfg = make_config("fasttext", min_n=2, dim=None)
    assert (cfg.method, cfg.min_n, cfg.max_n, cfg.bucket, cfg.dim) == (
        Method.fasttext,
        2,
        6,
        2_000_000,
        100,
    )


def test_memory_estimate_counts_the_ngram_matrix():
    est = memory_estimate(FastTextConfig(bucket=2_000_000, dim=100), 0, available=None)
    assert est.ngrams == 2_000_000 * 100 * 4
    assert est.upper == 2 * est.ngrams  # gensim#1824's bound
    assert est.total == 1.25 * est.ngrams + 150_000_000  # measured: gensim 4.4 peaks at 1.17x
    assert est.fits
    assert not memory_estimate(FastTextConfig(bucket=2_000_000, dim=100), 0, 10**9).fits


def test_refuses_a_model_that_will_not_fit(corpus_file):
    prepared = Corpus([corpus_file], tokenizer="whitespace")
    with prepared.prepare() as p, pytest.raises(InvalidOptionError, match="too large"):
        train_fasttext(small(), p, available=1000)


def test_cli_trains_fasttext_store_and_refuses_bad_options(corpus_file, tmp_path):
    out = tmp_path / "ft"
    args = ["train", str(corpus_file), "--tokenizer", "whitespace", "--method", "fasttext"]
    small_args = ["--dim", "8", "--min-count", "2", "--bucket", "5000", "--epochs", "1"]
    result = runner.invoke(app, [*args, *small_args, "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert (
        "n-gram matrix: 5,000 buckets x 8 dims x 4 bytes = 160 kB; training needs about"
        in result.stderr
    )
    assert (out / "ngrams.npy").is_file()
    assert load_vectors(out).subwords.bucket == 5000
    bad = {
        ("--min-n", "5", "--max-n", "3"): "error: --min-n must be at most --max-n (3), got 5",
        ("--bucket", "0"): "error: --bucket must be between 1 and 1,073,741,824, got 0",
        ("--bucket", "1000000000", "--dim", "300"): "error: --bucket is too large for this machine",
    }
    for extra, message in bad.items():
        target = tmp_path / "never"
        r = runner.invoke(app, [*args, *extra, "--out", str(target)])
        assert r.exit_code == 2, r.stderr
        assert r.stderr.strip().splitlines()[-1].startswith(message), r.stderr
        assert "Traceback" not in r.stderr
        assert not target.exists()


def test_chinese_compound_never_seen_gets_gensims_vector(tmp_path):
    """Character n-grams (1-2 characters) over jieba-style words: 北京大学城 is built from
    北京, 大学, 城 ... exactly as gensim builds it."""
    from gensim.models import FastText

    rng = np.random.default_rng(5)
    words = ["北京", "大学", "北京大学", "大学城", "城市", "上海", "学生", "老师", "图书馆", "校园"]
    lines = [" ".join(rng.choice(words, size=8)) for _ in range(300)]
    corpus = tmp_path / "zh.txt"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = small(min_n=1, max_n=2, min_count=1)
    store = train(cfg, Corpus([corpus], tokenizer="whitespace"))
    ref = FastText(
        corpus_file=str(corpus),
        vector_size=8,
        window=3,
        min_count=1,
        epochs=2,
        seed=7,
        workers=1,
        sg=1,
        bucket=5000,
        min_n=1,
        max_n=2,
    )
    assert "北京大学城" not in store
    grams = {g.decode() for g in ngrams_bytes("北京大学城", 1, 2)}
    assert {"北京", "大学", "城", "城>", "<北"} <= grams
    np.testing.assert_allclose(store.oov_vector("北京大学城"), ref.wv["北京大学城"], atol=1e-6)
