"""CA8-style evaluation: 3CosAdd and 3CosMul per section, gensim's coverage (a, b, c, d known) and
Chinese-Word-Vectors' (a, b, c known; an unknown d is wrong), against a hand-written reference;
and a bad file in a multi-benchmark run."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool.cli import app
from embtool.evaluation import AnalogyOOV, evaluate_analogies, read_analogy

runner = CliRunner()

# a b c d: b - a + c = d.  "family": 2 fully known, 1 with an unknown answer, 1 with an unknown b;
# the last two "misc" questions: 3CosAdd answers king and queen, 3CosMul prince and princess.
QUESTIONS = """: family
man woman king queen
man woman prince princess
man woman king 女王
man 男人 king queen
: misc
king queen prince princess
apple orange car paris
queen king the nothing
the man princess king
the woman prince queen
"""


def reference(store, text, method, eps=0.01):
    """Chinese-Word-Vectors' ana_eval_dense.py, rewritten: unit rows, cosines shifted to [0, 1],
    add = b - a + c, mul = b * c / (a + eps), a, b, c excluded; seen = a, b, c known."""
    words = list(store.words)
    wi = {w: i for i, w in enumerate(words)}
    m = np.asarray(store.vectors, dtype=np.float64)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    out, section = {}, None
    for line in text.splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
            out[section] = [0, 0, 0]  # total, seen, correct
            continue
        a, b, c, d = line.split()
        out[section][0] += 1
        if not all(w in wi for w in (a, b, c)):
            continue
        out[section][1] += 1
        sa, sb, sc = ((m @ m[wi[w]] + 1) / 2 for w in (a, b, c))
        score = sb - sa + sc if method == "add" else sb * sc / (sa + eps)
        score[[wi[a], wi[b], wi[c]]] = -np.inf
        out[section][2] += words[int(np.argmax(score))] == d
    return out


@pytest.fixture
def bench(tmp_path):
    path = tmp_path / "ca8-toy.txt"
    path.write_text(QUESTIONS, encoding="utf-8")
    return path


@pytest.mark.parametrize("method", ["add", "mul"])
def test_seen_abc_matches_the_reference_per_section(toy_store, bench, method):
    ref = reference(toy_store, QUESTIONS, method)
    r = evaluate_analogies(
        toy_store,
        read_analogy(bench),
        method=method,
        restrict=0,
        oov=AnalogyOOV.seen_abc,
        epsilon=0.01,
    )
    by_name = {s.name: s for s in r.scores}
    for name, (total, seen, correct) in ref.items():
        s = by_name[name]
        assert (s.questions, s.answered, s.correct) == (total, seen, correct)
        assert s.accuracy == pytest.approx(correct / seen)
    assert r.total.correct == sum(v[2] for v in ref.values())


def test_hand_counts(toy_store, bench):
    """By hand: king - man + woman = queen exactly in the toy store; so is the prince question."""
    bm = read_analogy(bench)
    skip = evaluate_analogies(toy_store, bm, restrict=0)
    abc = evaluate_analogies(toy_store, bm, restrict=0, oov="seen-abc")
    fam_skip, fam_abc = skip.scores[0], abc.scores[0]
    assert (fam_skip.questions, fam_skip.answered, fam_skip.correct) == (4, 2, 2)
    assert fam_skip.accuracy == 1.0  # both answerable questions right
    assert (fam_abc.answered, fam_abc.correct) == (3, 2)  # 女王 unknown: seen, and wrong
    assert fam_abc.accuracy == pytest.approx(2 / 3)
    assert "女王" in fam_abc.oov_words and "男人" in fam_abc.oov_words
    # misc: 'nothing' is not in the vectors: seen under seen-abc only
    misc_skip, misc_abc = skip.scores[1], abc.scores[1]
    assert (misc_skip.answered, misc_abc.answered) == (4, 5)
    mul = evaluate_analogies(toy_store, bm, restrict=0, method="mul", epsilon=0.01)
    assert (skip.scores[1].correct, mul.scores[1].correct) == (3, 1)  # add gets both; mul neither


def test_cli_both_methods_per_section(toy_store, bench, tmp_path):
    from embtool.vectors import save_vectors

    store = save_vectors(toy_store, tmp_path / "toy")
    args = ["evaluate", str(store), "-a", str(bench), "-m", "add", "-m", "mul"]
    args += ["--oov", "seen-abc", "--restrict", "0", "--epsilon", "0.01"]
    result = runner.invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["method"] for r in records] == ["add", "mul"]
    for rec in records:
        ref = reference(toy_store, QUESTIONS, rec["method"])
        assert rec["oov"] == "seen-abc"
        for sec in rec["sections"]:
            total, seen, correct = ref[sec["name"]]
            assert (sec["questions"], sec["answered"], sec["correct"]) == (total, seen, correct)
    table = runner.invoke(app, [*args, "-f", "tsv"])
    metrics = {line.split("\t")[2] for line in table.stdout.splitlines()[1:]}
    assert metrics == {"accuracy (add)", "accuracy (mul)"}
    assert "method add+mul" not in table.stdout  # the title is not data


def test_bad_file_in_a_multi_benchmark_run(toy_store, bench, tmp_path):
    """The bad file is named with its line, the good ones still run, and the exit code says so."""
    from embtool.vectors import save_vectors

    store = save_vectors(toy_store, tmp_path / "toy")
    bad = tmp_path / "bad-sim.txt"
    bad.write_text("king queen 9\nman woman\n", encoding="utf-8")
    good = tmp_path / "good-sim.txt"
    good.write_text("king queen 9\nman car 1\napple orange 7\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["evaluate", str(store), "-a", str(bench), "-s", str(bad), "-s", str(good), "-f", "json"],
    )
    assert result.exit_code == 1
    assert f"error: {bad} line 2: expected 'word1 word2 score'" in result.stderr
    assert f"1 benchmark(s) not run: {bad}" in result.stderr
    ran = [r["benchmark"] for r in json.loads(result.stdout)]
    assert ran == ["ca8-toy", "good-sim"]


def test_only_bad_files_is_an_error_without_output(toy_store, tmp_path):
    from embtool.vectors import save_vectors

    store = save_vectors(toy_store, tmp_path / "toy")
    bad = tmp_path / "bad.txt"
    bad.write_text(": s\nman woman king\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(store), "-a", str(bad), "-f", "json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{bad} line 2" in result.stderr
