"""The evaluate command's contract: every format, side-by-side stores, OOV policies, bad input."""

import csv
import io
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool import VectorStore
from embtool.cli import app
from embtool.vectors import save_vectors
from tests.helpers import TOY_PATH, run_embtool

runner = CliRunner()
TOY = str(TOY_PATH)
QUESTIONS = ": royals\nman king woman queen\nman king woman princess\nman king woman unicorn\n"
PAIRS = "king\tqueen\t3\nking\tprince\t9\napple\torange\t7\ncar\tunicorn\t1\n"


def invoke(*args, input=None):
    return runner.invoke(app, ["evaluate", *args], input=input)


@pytest.fixture
def files(tmp_path):
    q = tmp_path / "royals.txt"
    q.write_text(QUESTIONS)
    p = tmp_path / "pairs.txt"
    p.write_text(PAIRS)
    return str(q), str(p)


def tsv(text):
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def test_json_carries_every_number_and_setting(files):
    q, p = files
    result = invoke(TOY, "-a", q, "-s", p, "-f", "json", "--restrict", "10")
    assert result.exit_code == 0, result.stderr
    analogy, similarity = json.loads(result.stdout)
    assert analogy["store"] == "toy.txt" and analogy["vectors"] == TOY
    assert {
        k: analogy[k] for k in ("benchmark", "kind", "method", "epsilon", "restrict", "case")
    } == {
        "benchmark": "royals",
        "kind": "analogy",
        "method": "add",
        "epsilon": None,
        "restrict": 10,
        "case": "fold",
    }
    assert (analogy["oov"], analogy["questions"], analogy["answered"], analogy["correct"]) == (
        "skip",
        3,
        2,
        1,
    )
    assert analogy["accuracy"] == 0.5 and analogy["coverage"] == pytest.approx(2 / 3)
    assert analogy["oov_words"] == ["unicorn"]
    assert [s["name"] for s in analogy["sections"]] == ["royals"]
    assert similarity["kind"] == "similarity" and similarity["oov"] == "skip"
    assert (similarity["pairs"], similarity["used"], similarity["scored"]) == (4, 3, 3)
    assert similarity["spearman"] == pytest.approx(0.5)
    assert similarity["oov_words"] == ["unicorn"]
    assert set(similarity) >= {"pearson", "pearson_p", "spearman_p", "coverage", "restrict", "case"}


def test_oov_policies_are_applied_and_reported(files):
    q, p = files
    result = invoke(TOY, "-a", q, "-s", p, "-f", "jsonl", "--oov", "count-wrong", "--oov", "zero")
    assert result.exit_code == 0, result.stderr
    analogy, similarity = (json.loads(line) for line in result.stdout.splitlines())
    assert analogy["oov"] == "count-wrong" and analogy["accuracy"] == pytest.approx(1 / 3)
    assert similarity["oov"] == "zero" and similarity["scored"] == 4
    assert similarity["spearman"] == pytest.approx(0.8)


def test_two_similarity_policies_are_a_usage_error(files):
    result = invoke(TOY, "-s", files[1], "--oov", "mean", "--oov", "zero")
    assert result.exit_code == 2
    assert "error: --oov mean and --oov zero" in result.stderr


def test_side_by_side_tsv(files, tmp_path):
    q, p = files
    # here 'the' lies exactly along king - man + woman: both questions go wrong
    words = ["man", "king", "woman", "princess", "queen", "the"]
    vecs = [[0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1], [1, 0, 0.9], [0.7071, -0.2929, 1]]
    other = save_vectors(VectorStore(words, np.array(vecs, dtype=np.float32)), tmp_path / "other")
    result = invoke(TOY, str(other), "-a", q, "-s", p, "-f", "tsv")
    assert result.exit_code == 0, result.stderr
    rows = tsv(result.stdout)
    assert list(rows[0]) == [
        "benchmark",
        "section",
        "metric",
        "toy.txt",
        "toy.txt coverage",
        "other",
        "other coverage",
    ]
    by_key = {(r["benchmark"], r["metric"]): r for r in rows}
    total = by_key[("royals", "accuracy")]
    assert total["section"] == "total"  # one section: only the total row
    assert float(total["toy.txt"]) == 0.5 and float(total["other"]) == 0.0
    spearman = by_key[("pairs", "spearman")]
    assert float(spearman["toy.txt coverage"]) == 0.75
    assert float(spearman["other coverage"]) == 0.25 and spearman["other"] == ""  # one pair only
    assert by_key[("pairs", "pearson")]["toy.txt"] != ""


def test_store_covering_nothing_carries_on(files, tmp_path):
    q, _ = files
    nothing = tmp_path / "nothing.txt"
    nothing.write_text("foo bar baz qux\n")
    result = invoke(TOY, "-a", str(nothing), "-a", q, "-f", "json")
    assert result.exit_code == 0, result.stderr
    first, second = json.loads(result.stdout)
    assert (first["coverage"], first["accuracy"]) == (0.0, None)
    assert second["accuracy"] == 0.5
    assert "no nothing question has all its words in the vectors (coverage 0)" in result.stderr


def test_unknown_benchmark_lists_the_available_ones():
    result = invoke(TOY, "--similarity", "simlex-9999")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown similarity benchmark 'simlex-9999'")
    assert "ws353, ws353-sim, ws353-rel, simlex999" in result.stderr
    assert result.stdout == ""


def test_malformed_benchmark_file_names_its_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("a b 1\nc d\n")
    result = invoke(TOY, "-s", str(bad))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {bad} line 2: expected 'word1 word2 score' (3 fields, tab- or space-separated), "
        "got 2: 'c d'"
    )
    assert "Traceback" not in result.output


def test_bad_store_path_fails_before_any_work(files):
    result = invoke(TOY, "no/such/vectors.txt", "-a", files[0])
    assert result.exit_code == 1
    assert "error: no/such/vectors.txt: no such file" in result.stderr
    assert result.stdout == ""


def test_method_mul_and_exact_case(files):
    result = invoke(TOY, "-a", files[0], "-m", "mul", "--case", "exact", "-f", "json")
    assert result.exit_code == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert (record["method"], record["epsilon"], record["case"]) == ("mul", 0.001, "exact")
    assert record["accuracy"] == 0.5


def test_vectors_option_and_standard_suite():
    result = invoke("--vectors", TOY, "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    names = [json.loads(line)["benchmark"] for line in result.stdout.splitlines()]
    assert names == [
        "google",
        "msr",
        "ws353",
        "ws353-sim",
        "ws353-rel",
        "simlex999",
        "men",
        "rw",
        "mturk287",
        "mturk771",
        "simverb3500",
        "rg65",
        "mc30",
    ]


def test_list_bundled_benchmarks():
    result = invoke("--list", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {d["name"]: d["items"] for d in data}["bats"] == 98000
    assert {d["name"]: d["suite"] for d in data}["google"] is True


def test_help_has_an_example():
    result = runner.invoke(app, ["evaluate", "--help"])
    assert result.exit_code == 0
    assert "Example: embtool evaluate" in result.stdout


def test_subprocess_table_and_tsv(files):
    q, p = files
    proc = run_embtool("evaluate", TOY, "-a", q, "-s", p, "--format", "tsv")
    assert proc.returncode == 0, proc.stderr
    rows = tsv(proc.stdout)
    assert [(r["benchmark"], r["section"], r["metric"]) for r in rows] == [
        ("royals", "total", "accuracy"),
        ("pairs", "", "spearman"),
        ("pairs", "", "pearson"),
    ]
    assert float(rows[0]["toy.txt"]) == 0.5
    table = run_embtool("evaluate", TOY, "-a", q, "--format", "table")
    assert table.returncode == 0, table.stderr
    assert "royals" in table.stdout and "0.5000" in table.stdout
    assert "method add, restrict 30000, case fold" in table.stdout


def test_correlation_on_too_few_pairs_is_flagged_with_coverage(files, tmp_path):
    # 3 of 4 pairs scored: Spearman is reported but flagged, and stderr names the coverage.
    result = invoke(TOY, "-s", files[1], "-f", "json")
    assert result.exit_code == 0, result.stderr
    (similarity,) = json.loads(result.stdout)
    assert similarity["reliable"] is False and similarity["scored"] == 3
    assert similarity["spearman"] == pytest.approx(0.5)
    assert (
        "warning: toy.txt: pairs Spearman/Pearson from only 3 pairs (coverage 3/4): fewer than "
        "10, too few to rely on (flagged reliable=false in json)"
    ) in " ".join(result.stderr.split())
    many = tmp_path / "many.txt"  # 10 scorable pairs: no flag
    words = ["king", "queen", "prince", "apple", "orange", "car"]
    lines = [f"{a}\t{b}\t{i}" for i, (a, b) in enumerate(
        [(a, b) for k, a in enumerate(words) for b in words[k + 1 :]][:10])]  # fmt: skip
    many.write_text("\n".join(lines) + "\n")
    ok = invoke(TOY, "-s", str(many), "-f", "json")
    assert ok.exit_code == 0, ok.stderr
    (r,) = json.loads(ok.stdout)
    assert r["scored"] == 10 and r["reliable"] is True
    assert "too few" not in ok.stderr


SECTIONED = (
    ": capital-common-countries\nman king woman queen\nman king woman unicorn\n"
    ": gram3-comparative-adjectives\nman king woman princess\n"
)


def _two_stores(tmp_path):
    words = ["man", "king", "woman", "princess", "queen", "the", "prince", "apple", "orange"]
    rng = np.random.default_rng(1)
    vecs = rng.standard_normal((len(words), 5)).astype(np.float32)
    other = tmp_path / "skipgram-window5-dim300-epochs5-seed1"  # a long store name
    save_vectors(VectorStore(words, vecs), other)
    q = tmp_path / "sections.txt"
    q.write_text(SECTIONED)
    p = tmp_path / "pairs.txt"
    p.write_text(PAIRS)
    return str(other), str(q), str(p)


def test_narrow_terminal_shows_totals_with_every_name_whole(tmp_path):
    other, q, p = _two_stores(tmp_path)
    args = ["evaluate", TOY, other, "-a", q, "-s", p, "-f", "table"]
    narrow = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.stderr
    lines = narrow.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in narrow.stdout  # no cell or header cut
    text = narrow.stdout
    assert "skipgram-window5-dim300-epochs5-seed1" in text and "toy.txt" in text
    body = [line for line in lines if line.startswith("│")]
    assert [line.split("│")[1].strip() for line in body] == ["sections", "pairs"]
    assert "0.5000 (67%)" in body[0]  # toy: 1 of the 2 answered right, 2 of 3 answered
    assert "totals only: -f tsv or a wider terminal shows every section" in narrow.stderr
    wide = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert wide.exit_code == 0 and "totals only" not in wide.stderr
    for name in ("capital-common-countries", "gram3-comparative-adjectives", "total"):
        assert name in wide.stdout  # sections are rows of the full table


def test_show_oov_writes_one_word_a_line(tmp_path):
    other, q, p = _two_stores(tmp_path)
    out = tmp_path / "oov.tsv"
    result = invoke(TOY, other, "-a", q, "-s", p, "-f", "tsv", "--show-oov", str(out))
    assert result.exit_code == 0, result.stderr
    assert "oov" not in result.stdout.splitlines()[0]  # the score table has no OOV cells
    rows = tsv(out.read_text())
    assert [tuple(r.values()) for r in rows] == [
        ("toy.txt", "sections", "capital-common-countries", "unicorn"),
        ("toy.txt", "pairs", "", "unicorn"),
        (
            "skipgram-window5-dim300-epochs5-seed1",
            "sections",
            "capital-common-countries",
            "unicorn",
        ),
        ("skipgram-window5-dim300-epochs5-seed1", "pairs", "", "car"),
        ("skipgram-window5-dim300-epochs5-seed1", "pairs", "", "unicorn"),
    ]
    assert "5 unknown words written to" in result.stderr
    listed = invoke(TOY, "-a", q, "--show-oov", "-", "-f", "json")
    assert json.loads(listed.stdout) == [
        {
            "store": "toy.txt",
            "benchmark": "sections",
            "section": "capital-common-countries",
            "word": "unicorn",
        }
    ]
