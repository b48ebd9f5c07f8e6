"""Spelling suggestions and case fallback: computed only when shown, case variants first, fast."""

import difflib
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool import VectorStore, save_vectors
from embtool.cli import app
from embtool.errors import UnknownWordsError
from embtool.similarity import analogies, neighbors
from embtool.suggest import SuggestionIndex

CASED = [
    "Paris",
    "parish",
    "pars",
    "London",
    "france",
    "France",
    "FRANCE",
    "berlin",
    "rome",
    "Nice",
    "NICE",
]


@pytest.fixture
def cased_store() -> VectorStore:
    rng = np.random.default_rng(3)
    return VectorStore(CASED, rng.standard_normal((len(CASED), 8)).astype(np.float32))


def test_case_variant_suggested_first(cased_store):
    with pytest.raises(UnknownWordsError) as info:
        cased_store.resolve(["paris"], fold_case=False)
    assert info.value.suggestions["paris"] == ["Paris", "parish", "pars"]


def test_unique_case_variant_is_used_both_ways(cased_store):
    up, down = cased_store.resolve(["paris", "BERLIN"])
    assert (up.word, up.folded) == ("Paris", True)
    assert down.word == "berlin"


def test_ambiguous_case_variants_are_not_guessed(cased_store):
    with pytest.raises(UnknownWordsError) as info:
        cased_store.resolve(["nice"])  # Nice and NICE: no unique match
    assert info.value.suggestions["nice"][:2] == ["Nice", "NICE"]


def test_close_spellings_match_difflib_on_a_small_vocabulary(toy_store):
    index = SuggestionIndex(toy_store.words)
    for typo in ("kingg", "quen", "womann", "prnce", "apples"):
        pool = [w for w in toy_store.words if abs(len(w) - len(typo)) <= 2]
        assert index.close_spellings(typo) == difflib.get_close_matches(typo, pool, 3, 0.75)


def test_skip_unknown_never_computes_suggestions(toy_store, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("suggestions computed for a skipped query")

    monkeypatch.setattr(VectorStore, "close_matches", boom)
    batch = analogies(
        toy_store, [["king", "man", "woman"], ["kingg", "man", "woman"]], skip_unknown=True
    )
    assert [s.missing for s in batch.skipped] == [("kingg",)]
    assert len(neighbors(toy_store, ["king", "qeen"], skip_unknown=True).skipped) == 1


def test_cli_case_fallback_note_and_exact_case(tmp_path, cased_store):
    path = str(save_vectors(cased_store, tmp_path / "cased"))
    runner = CliRunner()
    ok = runner.invoke(app, ["similarity", "paris", "London", "--vectors", path, "-f", "tsv"])
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout.splitlines()[1].split("\t")[:2] == ["paris", "London"]
    assert "'paris' is not in the vectors; using 'Paris'" in ok.stderr
    exact = runner.invoke(app, ["similarity", "paris", "London", "--vectors", path, "--exact-case"])
    assert exact.exit_code == 1
    assert "'paris' (did you mean 'Paris' or 'parish' or 'pars'?)" in exact.stderr


def test_suggestions_ignore_case_in_spelling(cased_store):
    assert SuggestionIndex(cased_store.words).close_spellings("Londn") == ["London"]


def test_batch_unknown_word_error_names_skip_unknown_and_summary(toy_store_dir):
    runner = CliRunner()
    args = ["analogy", "--vectors", str(toy_store_dir), "-f", "tsv", "-"]
    stdin = "king man woman\nkingg man woman\n"
    failed = runner.invoke(app, args, input=stdin)
    assert failed.exit_code == 1
    assert failed.stdout == ""
    assert "'kingg' (did you mean 'king'?)" in failed.stderr
    assert "--skip-unknown" in failed.stderr
    skipped = runner.invoke(app, [*args, "--skip-unknown"], input=stdin)
    assert skipped.exit_code == 0, skipped.stderr
    assert skipped.stdout.splitlines()[1].split("\t")[4] == "queen"
    assert "1 of 2 queries answered, 1 skipped (unknown words)" in skipped.stderr
    single = runner.invoke(
        app, ["analogy", "kingg", "man", "woman", "--vectors", str(toy_store_dir)]
    )
    assert single.exit_code == 1 and "--skip-unknown" not in single.stderr


def test_line_numbers_column_matches_stdin_lines(toy_store_dir):
    runner = CliRunner()
    stdin = "# header comment\nking man woman\n\nkingg man woman\nqueen woman man\n"
    args = ["analogy", "--vectors", str(toy_store_dir), "-k", "1", "--skip-unknown"]
    tsv = runner.invoke(app, [*args, "--line-numbers", "-f", "tsv", "-"], input=stdin)
    assert tsv.exit_code == 0, tsv.stderr
    rows = [line.split("\t") for line in tsv.stdout.splitlines()]
    assert rows[0][:2] == ["line", "a"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("2", "king"), ("5", "queen")]
    js = runner.invoke(app, [*args, "--line-numbers", "-f", "json", "-"], input=stdin)
    assert [r["line"] for r in json.loads(js.stdout)] == [2, 5]
    plain = runner.invoke(app, [*args, "-f", "tsv", "-"], input=stdin)
    assert plain.stdout.splitlines()[0].split("\t")[0] == "a"


def test_neighbors_line_numbers(toy_store_dir):
    # words from stdin, several on a line: each result carries the line its word came from
    runner = CliRunner()
    args = ["neighbors", "--vectors", str(toy_store_dir), "-k", "2", "--skip-unknown"]
    stdin = "# words\nking\n\nkingg queen man\n"
    tsv = runner.invoke(app, [*args, "--line-numbers", "-f", "tsv", "-"], input=stdin)
    assert tsv.exit_code == 0, tsv.stderr
    rows = [line.split("\t") for line in tsv.stdout.splitlines()]
    assert rows[0] == ["line", "query", "rank", "word", "score"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("2", "king", "1"),
        ("2", "king", "2"),
        ("4", "queen", "1"),
        ("4", "queen", "2"),
        ("4", "man", "1"),
        ("4", "man", "2"),
    ]
    js = runner.invoke(app, [*args, "--line-numbers", "-f", "json", "-"], input=stdin)
    records = json.loads(js.stdout)
    assert [(r["line"], r["query"], len(r["neighbors"])) for r in records] == [
        (2, "king", 2),
        (4, "queen", 2),
        (4, "man", 2),
    ]


def test_similarity_line_numbers(toy_store_dir):
    runner = CliRunner()
    args = ["similarity", "--vectors", str(toy_store_dir), "--skip-unknown", "--line-numbers"]
    out = runner.invoke(app, [*args, "-f", "tsv", "-"], input="kingg queen\nking queen\n")
    assert out.exit_code == 0, out.stderr
    assert out.stdout.splitlines()[1].split("\t")[:3] == ["2", "king", "queen"]
