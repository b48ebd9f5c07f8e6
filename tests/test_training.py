"""Word2Vec training: gensim parity, determinism, metadata, vocabulary limits, resume, errors."""

import dataclasses
import threading
from pathlib import Path

import numpy as np
import pytest

from embtool.cli.errors import phrase_error
from embtool.corpus import Corpus, PreparedCorpus, ProgressEvent
from embtool.errors import CorpusError, TrainingError, UsageError
from embtool.training import CONFIGS, TRAINERS, Method, Word2VecConfig, train
from embtool.vectors import save_vectors
from embtool.vectors.io import load_vectors


def synthetic_lines(n: int = 400, seed: int = 0) -> list[str]:
    """Sentences over a small vocabulary with a Zipf-like skew, deterministic."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(60)]
    p = 1 / np.arange(1, 61)
    p /= p.sum()
    return [" ".join(rng.choice(vocab, size=int(rng.integers(3, 15)), p=p)) for _ in range(n)]


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("corpus") / "tok.txt"
    p.write_text("\n".join(synthetic_lines()) + "\n")
    return p


def small(method=Method.skipgram, **kw) -> Word2VecConfig:
    base = dict(dim=8, window=3, min_count=2, epochs=2, seed=7, workers=1)
    base.update(kw)
    return Word2VecConfig(method, **base)


def test_dispatch_table_covers_methods():
    assert set(TRAINERS) == set(Method) == set(CONFIGS)
    assert CONFIGS[Method.cbow] is Word2VecConfig


@pytest.mark.parametrize("method,sg", [(Method.skipgram, 1), (Method.cbow, 0)])
def test_identical_to_gensim_corpus_file(corpus_file, method, sg):
    from gensim.models import Word2Vec

    store = train(small(method), Corpus([corpus_file], tokenizer="whitespace"))
    ref = Word2Vec(
        corpus_file=str(corpus_file),
        vector_size=8,
        window=3,
        min_count=2,
        epochs=2,
        seed=7,
        workers=1,
        sg=sg,
    )
    assert store.words == ref.wv.index_to_key
    assert store.counts.tolist() == [ref.wv.get_vecattr(w, "count") for w in store.words]
    np.testing.assert_array_equal(np.asarray(store.vectors), ref.wv.vectors)


def test_words_sorted_by_count_with_metadata(corpus_file, tmp_path):
    events: list[ProgressEvent] = []
    store = train(small(), Corpus([corpus_file], tokenizer="whitespace"), events.append)
    assert np.all(np.diff(store.counts) <= 0)
    t = store.meta["training"]
    assert t["method"] == "skipgram"
    assert t["hyperparameters"] == {
        "method": "skipgram",
        "dim": 8,
        "window": 3,
        "min_count": 2,
        "max_vocab": None,
        "epochs": 2,
        "seed": 7,
        "workers": 1,
        "deterministic": False,
        "negative": 5,
        "hs": False,
        "ns_exponent": 0.75,
        "sample": 0.001,
        "alpha": 0.025,
        "min_alpha": 0.0001,
        "cbow_mean": True,
    }
    assert t["corpus"]["files"][0]["path"] == str(corpus_file)
    assert len(t["corpus"]["files"][0]["sha256"]) == 64
    assert (
        t["corpus_tokens"]
        == t["corpus"]["tokens"]
        == sum(len(line.split()) for line in synthetic_lines())
    )
    assert t["vocabulary_size"] == len(store)
    assert set(t["versions"]) == {"embtool", "gensim", "numpy", "python"}
    assert t["words_per_second"] > 0 and t["wall_seconds"] >= t["train_seconds"] > 0
    assert store.meta["history"][-1]["action"] == "train"
    train_events = [e for e in events if e.stage == "train"]
    assert train_events[-1].final and train_events[-1].epoch == 2
    assert train_events[-1].done == train_events[-1].total == 2 * t["corpus_tokens"]
    assert [e.epoch for e in train_events if e.done in (t["corpus_tokens"],)] == [1]
    # the store round-trips through the native format
    saved = load_vectors(save_vectors(store, tmp_path / "out"))
    assert saved.words == store.words and saved.meta["training"]["method"] == "skipgram"


def test_two_deterministic_runs_are_identical(corpus_file):
    a = train(small(deterministic=True, workers=2), Corpus([corpus_file]))
    b = train(small(deterministic=True, workers=2), Corpus([corpus_file]))
    assert a.meta["training"]["hyperparameters"]["workers"] == 1
    assert np.asarray(a.vectors).tobytes() == np.asarray(b.vectors).tobytes()


def test_max_vocab_keeps_most_frequent(corpus_file):
    full = train(small(min_count=1), Corpus([corpus_file]))
    capped = train(small(min_count=1, max_vocab=20), Corpus([corpus_file]))
    assert len(capped) <= 20
    assert capped.words == full.words[: len(capped)]


def test_min_count_nobody_reaches(corpus_file):
    with pytest.raises(TrainingError) as exc:
        train(small(min_count=10**6), Corpus([corpus_file], tokenizer="whitespace"))
    msg = str(exc.value)  # Python wording names the parameter; the command line, the flag
    assert msg.startswith("no word occurs at least 1000000 times (`min_count=1000000`); ")
    assert "the most frequent, 'w0'," in msg and "lower `min_count`" in msg
    line = phrase_error(exc.value)
    assert line.startswith("no word occurs at least 1000000 times (--min-count 1000000); ")
    assert "the most frequent, 'w0'," in line and "lower --min-count" in line


def test_temp_file_removed_after_failure(corpus_file, tmp_path):
    tmp = tmp_path / "t"
    tmp.mkdir()
    with pytest.raises(TrainingError):
        train(small(min_count=10**6), Corpus([corpus_file]), tmp_dir=tmp)
    assert list(tmp.iterdir()) == []
    train(small(), Corpus([corpus_file]), tmp_dir=tmp)
    assert list(tmp.iterdir()) == []


def test_interrupt_during_training_removes_temp_file(corpus_file, tmp_path):
    tmp = tmp_path / "t"
    tmp.mkdir()

    def interrupt_after_first_epoch(event: ProgressEvent) -> None:
        # Ctrl-C reaches the main thread, which runs the epoch callbacks
        main = threading.current_thread() is threading.main_thread()
        if main and event.stage == "train" and event.epoch == 1 and event.done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(small(epochs=3), Corpus([corpus_file]), interrupt_after_first_epoch, tmp_dir=tmp)
    assert list(tmp.iterdir()) == []


def test_prepared_corpus_reused(corpus_file):
    with PreparedCorpus.from_file(corpus_file) as prepared:
        a = train(small(), prepared)
        b = train(small(), prepared)
    assert a.words == b.words


def test_save_model_and_resume(corpus_file, tmp_path):
    model = tmp_path / "w2v.model"
    first = train(small(), Corpus([corpus_file]), save_model=model)
    assert model.is_file() and first.meta["training"]["model_saved"] == str(model)
    more = tmp_path / "more.txt"
    more.write_text("newword w1 w2\nnewword w3 w1\n" * 5)
    resumed = train(small(dim=99, epochs=1), Corpus([corpus_file, more]), resume=model)
    assert resumed.dim == 8  # the model's own shape wins
    assert "newword" in resumed
    assert resumed.meta["training"]["resumed_from"] == str(model)
    assert not np.allclose(resumed.vector("w0"), first.vector("w0"))


def test_resume_rejects_non_model(corpus_file, tmp_path):
    bogus = tmp_path / "x.model"
    bogus.write_text("not a pickle")
    with pytest.raises(TrainingError, match="not a gensim Word2Vec model"):
        train(small(), Corpus([corpus_file]), resume=bogus)


@pytest.mark.parametrize(
    "kw,msg,line",
    [
        (dict(dim=0), "dim must be at least 1", "--dim must be at least 1"),
        (
            dict(negative=0),
            "`negative=0` turns negative sampling off: pass `hs=True`",
            "--negative 0 turns negative sampling off: pass --hs",
        ),
        (
            dict(min_alpha=0.5),
            "min_alpha must be between 0 and `alpha`",
            "--min-alpha must be between 0 and --alpha",
        ),
        (dict(epochs=0), "epochs must be at least 1", "--epochs must be at least 1"),
    ],
)
def test_config_validation(kw, msg, line):
    with pytest.raises(UsageError) as exc:
        small(**kw)
    assert str(exc.value).startswith(msg)
    assert phrase_error(exc.value).startswith(line)


def test_hs_without_negative_trains(corpus_file):
    store = train(small(negative=0, hs=True), Corpus([corpus_file]))
    assert store.meta["training"]["hyperparameters"]["hs"] is True
    assert np.isfinite(np.asarray(store.vectors)).all()


def test_config_is_frozen():
    cfg = small()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.dim = 3  # type: ignore[misc]


def test_empty_corpus_raises_before_training(tmp_path):
    p = tmp_path / "e.txt"
    p.write_text("!!!\n")
    with pytest.raises(CorpusError, match="corpus is empty"):
        train(small(), Corpus([p]))


def test_make_config_defaults_and_foreign_options():
    from embtool.training import make_config

    cfg = make_config("skipgram", dim=None, window=7, negative=None)
    assert cfg == Word2VecConfig(Method.skipgram, window=7, workers=cfg.workers)
    assert (cfg.dim, cfg.negative, cfg.sample) == (100, 5, 1e-3)
    with pytest.raises(UsageError, match=r"^`x_max` does not apply to `method=cbow`$") as exc:
        make_config("cbow", x_max=100)
    assert phrase_error(exc.value) == "--x-max does not apply to --method cbow"


def test_make_config_given_beats_saved_beats_default():
    from embtool.training import GloveConfig, make_config

    saved = {"window": 4, "min_count": 3, "symmetric": False, "max_vocab": None, "tokenizer": "x"}
    cfg = make_config("glove", saved=saved, window=None, min_count=7, workers=1)
    assert isinstance(cfg, GloveConfig)
    assert (cfg.window, cfg.min_count, cfg.symmetric, cfg.max_vocab) == (4, 7, False, None)
    assert (cfg.epochs, cfg.x_max) == (25, 100.0)  # neither given nor saved: the dataclass's
    assert make_config("glove", saved={}, workers=1).window == 10


def test_train_help_reads_defaults_from_the_configs():
    from typer.testing import CliRunner

    from embtool.cli import app
    from embtool.training import FastTextConfig, GloveConfig

    result = CliRunner().invoke(app, ["train", "--help"], env={"COLUMNS": "3000"})
    shown = " ".join(result.stdout.split())
    assert f"[default: {GloveConfig.x_max}]" in shown
    assert f"[default: {FastTextConfig.bucket:,}]" in shown
    assert f"longest character n-gram [default: {FastTextConfig.max_n}]" in shown
