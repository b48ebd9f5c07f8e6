"""Benchmark parsing, exact toy scores, and question-for-question parity with gensim's evaluators."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from embtool import VectorStore
from embtool.errors import BenchmarkError
from embtool.evaluation import (
    AnalogyOOV,
    CaseMode,
    SimilarityOOV,
    evaluate_analogies,
    evaluate_similarity,
    evaluate_store,
    load_benchmark,
    load_benchmarks,
    read_analogy,
    read_similarity,
    registry,
    suite,
)
from embtool.similarity import AnalogyMethod
from tests.helpers import require_shared


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- parsing -------------------------------------------------------------------------------------
def test_google_format_sections_and_groups(tmp_path):
    path = write(
        tmp_path,
        "q.txt",
        ": capital\nAthens Greece Oslo Norway\n\nOslo Norway Athens Greece\n"
        ": gram1-plural\ncat cats dog dogs\n",
    )
    bench = read_analogy(path)
    assert bench.name == "q"
    assert [s.name for s in bench.sections] == ["capital", "gram1-plural"]
    assert [s.group for s in bench.sections] == ["semantic", "syntactic"]
    q = bench.sections[0].questions[1]
    assert (q.a, q.b, q.c, q.answers, q.line) == ("Oslo", ("Norway",), "Athens", ("Greece",), 4)
    assert len(bench) == 3


def test_google_format_without_sections_uses_file_name(tmp_path):
    bench = read_analogy(write(tmp_path, "mine.txt", "a b c d\n# comment\ne f g h\n"))
    assert [(s.name, len(s.questions), s.group) for s in bench.sections] == [("mine", 2, None)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (": s\na b c\n", "line 2: expected 4 words"),
        (": s\na b c d\n:\n", "line 3: section line ':' has no name"),
        ("\n# only a comment\n", "no analogy questions"),
        (": s\n: t\n", "no analogy questions"),
    ],
)
def test_malformed_analogy_file_names_the_line(tmp_path, text, message):
    path = write(tmp_path, "bad.txt", text)
    with pytest.raises(BenchmarkError, match=message) as exc:
        read_analogy(path)
    assert str(path) in str(exc.value)


def test_bats_relation_every_ordered_pair_with_alternatives(tmp_path):
    path = write(
        tmp_path, "E01 [country - capital].txt", "paris\tfrance\nlondon\tengland/uk\nrome\titaly"
    )
    bench = read_analogy(path)
    (section,) = bench.sections
    assert section.name == "E01 [country - capital]"
    assert len(section.questions) == 3 * 2
    q = section.questions[2]  # second line as the example, first as the question
    assert (q.a, q.b, q.c, q.answers) == ("london", ("england", "uk"), "paris", ("france",))


def test_bats_directory_groups_by_folder(tmp_path):
    (tmp_path / "bats" / "1_inflectional_morphology").mkdir(parents=True)
    (tmp_path / "bats" / "3_encyclopedic_semantics").mkdir(parents=True)
    write(
        tmp_path / "bats" / "1_inflectional_morphology",
        "I01 [noun - plural].txt",
        "cat\tcats\ndog\tdogs\n",
    )
    write(tmp_path / "bats" / "3_encyclopedic_semantics", "E01 x.txt", "a\tb\nc\td\ne\tf/g\n")
    bench = read_analogy(tmp_path / "bats")
    assert bench.name == "bats"
    assert [(s.name, s.group, len(s.questions)) for s in bench.sections] == [
        ("I01 [noun - plural]", "inflectional morphology", 2),
        ("E01 x", "encyclopedic semantics", 6),
    ]


def test_bats_malformed_line(tmp_path):
    path = write(tmp_path, "rel.txt", "cat\tcats\ndog dogs extra\n")
    with pytest.raises(BenchmarkError, match=r"rel.txt line 2: expected 'word<TAB>answer1"):
        read_analogy(path)


def test_similarity_file_tabs_spaces_comments_header(tmp_path):
    path = write(
        tmp_path,
        "pairs.txt",
        "# my set\nword1 word2 score\ntiger\tcat\t7.35\r\nsolar system\tsun\t6\n\ncup  mug 9.1\n",
    )
    bench = read_similarity(path)
    assert [(p.word1, p.word2, p.score, p.line) for p in bench.pairs] == [
        ("tiger", "cat", 7.35, 3),
        ("solar system", "sun", 6.0, 4),
        ("cup", "mug", 9.1, 6),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a b 1\nc d\n", r"line 2: expected 'word1 word2 score' \(3 fields"),
        ("a b 1\nc d high\n", "line 2: score 'high' is not a number"),
        ("w1 w2 sim\nc d nan\n", "line 2: score 'nan' is not a number"),
        ("# nothing\n", "no word pairs"),
    ],
)
def test_malformed_similarity_file_names_the_line(tmp_path, text, message):
    with pytest.raises(BenchmarkError, match=message):
        read_similarity(write(tmp_path, "bad.txt", text))


def test_unreadable_benchmark_file(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"a b 1\ncaf\xe9 cup 2\n")
    with pytest.raises(BenchmarkError, match="line 2: not UTF-8"):
        read_similarity(path)


# -- the bundled registry ----------------------------------------------------------------------
@pytest.mark.parametrize("info", registry(), ids=lambda i: i.name)
def test_every_bundled_benchmark_loads_with_its_size(info):
    bench = load_benchmark(info.name, info.kind)
    assert len(bench) == info.items
    assert bench.name == info.name


def test_bundled_google_and_bats_structure():
    google = load_benchmark("google", "analogy")
    assert len(google.sections) == 14
    groups = {
        g: sum(len(google.sections[i].questions) for i in idx) for g, idx in google.groups.items()
    }
    assert groups == {"semantic": 8869, "syntactic": 10675}
    bats = load_benchmark("BATS", "analogy")  # names are case-insensitive
    assert len(bats.sections) == 40 and all(len(s.questions) == 50 * 49 for s in bats.sections)
    assert list(bats.groups) == [
        "inflectional morphology",
        "derivational morphology",
        "encyclopedic semantics",
        "lexicographic semantics",
    ]
    e01 = next(s for s in bats.sections if s.name.startswith("E01"))
    # the file lists the capital first; we keep its direction: capital : country
    assert (e01.questions[0].a, e01.questions[0].b) == ("abuja", ("nigeria",))
    london = next(q for q in e01.questions if q.c == "london")
    assert london.answers == ("england", "uk", "britain")


def test_unknown_benchmark_lists_the_available_ones():
    with pytest.raises(BenchmarkError) as exc:
        load_benchmark("simlex-9999", "similarity")
    msg = str(exc.value)
    assert "unknown similarity benchmark 'simlex-9999' (did you mean 'simlex999'?)" in msg
    assert "ws353, ws353-sim, ws353-rel, simlex999, men, rw" in msg


def test_load_benchmarks_defaults_to_the_suite_and_expands_all():
    analogy, similarity = load_benchmarks()
    assert [b.name for b in analogy] == suite("analogy") == ["google", "msr"]
    assert [b.name for b in similarity] == suite("similarity")
    analogy, similarity = load_benchmarks(analogy=["msr", "all"])  # all: both languages' sets
    assert [b.name for b in analogy] == [
        "msr",
        "google",
        "bats",
        "ca8-semantic",
        "ca8-morphological",
    ]
    assert similarity == []


# -- exact scores on the toy store -------------------------------------------------------------
TOY_QUESTIONS = (
    ": royals\n"
    "man king woman queen\n"  # king - man + woman = queen: right
    "man king woman princess\n"  # answered queen: wrong
    "man king woman unicorn\n"  # unknown answer: out of vocabulary
    ": gram-fruit\n"
    "Man King Woman Queen\n"  # right after case folding; unknown with exact case
)


def test_toy_accuracy_sections_groups_total(toy_store, tmp_path):
    bench = read_analogy(write(tmp_path, "toy.txt", TOY_QUESTIONS))
    result = evaluate_analogies(toy_store, bench, details=True)
    rows = [
        (s.name, s.level, s.questions, s.answered, s.correct, s.accuracy) for s in result.scores
    ]
    assert rows == [
        ("royals", "section", 3, 2, 1, 0.5),
        ("gram-fruit", "section", 1, 1, 1, 1.0),
        ("semantic", "group", 3, 2, 1, 0.5),
        ("syntactic", "group", 1, 1, 1, 1.0),
        ("total", "total", 4, 3, 2, 2 / 3),
    ]
    assert result.scores[0].oov_words == ("unicorn",)
    assert result.coverage == 0.75
    assert result.restrict == 12  # the default 30,000 capped at the vocabulary
    assert [o.predicted for o in result.details] == ["queen", "queen", None, "queen"]
    assert [o.oov for o in result.details] == [False, False, True, False]


def test_toy_count_wrong_and_exact_case(toy_store, tmp_path):
    bench = read_analogy(write(tmp_path, "toy.txt", TOY_QUESTIONS))
    counted = evaluate_analogies(toy_store, bench, oov=AnalogyOOV.count_wrong)
    assert counted.score == 2 / 4
    exact = evaluate_analogies(toy_store, bench, case=CaseMode.exact)
    assert exact.scores[1].answered == 0 and exact.scores[1].accuracy is None
    assert exact.scores[1].oov_words == ("Man", "King", "Woman", "Queen")
    assert exact.score == 0.5


def test_toy_restrict_limits_question_words_and_candidates(toy_store, tmp_path):
    bench = read_analogy(write(tmp_path, "toy.txt", "man king woman queen\n"))
    # vocabulary order: the man woman king queen prince ...
    assert evaluate_analogies(toy_store, bench, restrict=4).total.answered == 0
    five = evaluate_analogies(toy_store, bench, restrict=5, details=True)
    assert five.details[0].predicted == "queen" and five.score == 1.0


def test_toy_cosmul(toy_store, tmp_path):
    bench = read_analogy(
        write(tmp_path, "toy.txt", "man king woman queen\nman king woman princess\n")
    )
    result = evaluate_analogies(toy_store, bench, method="mul", details=True)
    assert [o.predicted for o in result.details] == ["queen", "queen"]
    assert result.epsilon == 0.001 and result.method is AnalogyMethod.mul


def test_store_covering_nothing_reports_coverage_zero(toy_store, tmp_path):
    bench = read_analogy(write(tmp_path, "x.txt", "foo bar baz qux\n"))
    result = evaluate_analogies(toy_store, bench)
    assert (result.score, result.coverage, result.oov_words) == (
        None,
        0.0,
        ("foo", "bar", "baz", "qux"),
    )
    assert evaluate_analogies(toy_store, bench, oov="count-wrong").score == 0.0


# -- parity with gensim on crafted vectors ----------------------------------------------------
def _structured(seed: int = 7):
    """A store where two relations hold up to noise, with case variants, duplicates and far words.

    Case variants of question words sit close to them, so they crowd the top 5 and exercise
    gensim's skipping; exact duplicates make ties whose order cannot change the outcome.
    """
    rng = np.random.default_rng(seed)
    dim, n = 16, 10
    rel_city, rel_plural = rng.normal(size=dim), rng.normal(size=dim)
    lands, things = rng.normal(size=(n, dim)), rng.normal(size=(n, dim))
    cities = lands + rel_city + rng.normal(scale=0.7, size=(n, dim))
    plurals = things + rel_plural + rng.normal(scale=0.7, size=(n, dim))
    words, vecs = [], []

    def add(word, vec):
        words.append(word)
        vecs.append(np.asarray(vec, dtype=np.float32))

    for i in range(n):
        add(f"Land{i}" if i % 3 == 0 else f"land{i}", lands[i])
        add(f"city{i}", cities[i])
        add(f"thing{i}", things[i])
        add(f"thing{i}s", plurals[i])
    for i in range(0, n, 3):  # lower-case variants after the capitalised forms
        add(f"land{i}", lands[i] + rng.normal(scale=0.05, size=dim))
    for i in range(0, n, 2):  # upper-case variants of answers
        add(f"CITY{i}", cities[i] + rng.normal(scale=0.05, size=dim))
    add("City1", cities[1])  # exact tie with city1: same key when folded
    add("aa", rel_plural)
    add("bb", rel_plural + 1e-3)
    ccc = rng.normal(size=dim)
    add("ccc", ccc)
    for v in ("CCC", "Ccc", "cCc", "ccC", "CCc", "cc_c"):  # the last is not a case variant
        add(v, ccc + rng.normal(scale=0.01 if v != "cc_c" else 0.3, size=dim))
    for i in range(40):
        add(f"filler{i}", rng.normal(size=dim))
    for i in range(3):  # only known beyond a restrict cut
        add(f"farland{i}", lands[i] + rng.normal(scale=0.1, size=dim))
    return words, np.stack(vecs)


def _structured_questions() -> str:
    lines = [": capital-like"]
    for i in range(10):
        for j in range(10):
            if i != j:
                a = f"Land{i}" if i % 2 else f"land{i}"
                lines.append(f"{a} City{i} land{j} city{j}")
    lines.append(": gram-plural")
    lines += [
        f"thing{i} thing{i}s thing{j} thing{j}s" for i in range(10) for j in range(10) if i != j
    ]
    lines.append(": odd-ones")
    lines += [
        "aa bb ccc thing0",  # b - a ~ 0: the 5 best are all case variants of ccc
        "aa bb ccc ccc",  # ... and gensim then checks the last of them against the answer
        "farland0 city0 land1 city1",
        "land0 city0 farland1 city1",
        "land0 city0 land1 nowhere",
        "Thing1 THING1S thing2 Thing2S",
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def structured():
    gensim = pytest.importorskip("gensim")
    words, matrix = _structured()
    kv = gensim.models.KeyedVectors(matrix.shape[1])
    kv.add_vectors(words, matrix)
    return VectorStore(words, matrix, name="structured"), kv


def _gensim_sections(kv, path, restrict, case_insensitive, dummy4unknown=False):
    score, sections = kv.evaluate_word_analogies(
        str(path),
        restrict_vocab=restrict,
        case_insensitive=case_insensitive,
        dummy4unknown=dummy4unknown,
    )
    return score, [(s["section"], s["correct"], s["incorrect"]) for s in sections]


def _our_sections(result, fold: bool, count_wrong: bool = False):
    norm = str.upper if fold else str
    out = {s.name: ([], []) for s in result.scores if s.level == "section"}
    for o in result.details:
        if o.oov and not count_wrong:
            continue
        q = o.question
        quad = (norm(q.a), norm(q.b[0]), norm(q.c), norm(q.answers[0]))
        out[o.section][0 if o.correct else 1].append(quad)
    sections = [(name, c, i) for name, (c, i) in out.items()]
    total = (
        "Total accuracy",
        [x for _, c, _ in sections for x in c],
        [x for _, _, i in sections for x in i],
    )
    return [*sections, total]


@pytest.mark.parametrize("restrict", [None, 60, 85])
@pytest.mark.parametrize("fold", [True, False])
def test_add_matches_gensim_question_for_question(structured, tmp_path, restrict, fold):
    store, kv = structured
    path = write(tmp_path, "structured.txt", _structured_questions())
    bench = read_analogy(path)
    n = restrict or len(store)
    result = evaluate_analogies(
        store, bench, restrict=restrict or 0, case="fold" if fold else "exact", details=True
    )
    g_score, g_sections = _gensim_sections(kv, path, n, fold)
    assert _our_sections(result, fold) == g_sections
    assert result.score == pytest.approx(g_score)
    correct = sum(len(c) for _, c, _ in g_sections[:-1])
    assert 0 < correct < result.total.answered  # a real mix of right and wrong answers


@pytest.mark.parametrize("fold", [True, False])
def test_count_wrong_is_gensims_dummy4unknown(structured, tmp_path, fold):
    store, kv = structured
    path = write(tmp_path, "structured.txt", _structured_questions())
    result = evaluate_analogies(
        store,
        read_analogy(path),
        restrict=60,
        case="fold" if fold else "exact",
        oov="count-wrong",
        details=True,
    )
    g_score, g_sections = _gensim_sections(kv, path, 60, fold, dummy4unknown=True)
    assert _our_sections(result, fold, count_wrong=True) == g_sections
    assert result.score == pytest.approx(g_score)


def test_gensim_quirk_last_candidate_when_all_are_question_variants(structured, tmp_path):
    store, _ = structured
    bench = read_analogy(write(tmp_path, "q.txt", "aa bb ccc thing0\naa bb ccc ccc\n"))
    folded = evaluate_analogies(store, bench, restrict=0, details=True)
    # all five candidates fold to CCC; the prediction is the last of them, right only for 'ccc'
    assert [o.predicted.upper() for o in folded.details] == ["CCC", "CCC"]
    assert [o.correct for o in folded.details] == [False, True]
    exact = evaluate_analogies(store, bench, restrict=0, case="exact", details=True)
    assert exact.details[1].predicted in {"CCC", "Ccc", "cCc", "ccC", "CCc"}
    assert not exact.details[1].correct


def test_chunking_and_progress_do_not_change_answers(structured, tmp_path):
    store, _ = structured
    bench = read_analogy(write(tmp_path, "structured.txt", _structured_questions()))
    calls = []
    whole = evaluate_analogies(store, bench, restrict=0, details=True)
    chunked = evaluate_analogies(
        store,
        bench,
        restrict=0,
        details=True,
        chunk_size=7,
        threads=1,
        progress=lambda e: calls.append((e.done, e.total)),
    )
    assert [o.predicted for o in chunked.details] == [o.predicted for o in whole.details]
    parallel = evaluate_analogies(store, bench, restrict=0, details=True, chunk_size=5, threads=3)
    assert [o.predicted for o in parallel.details] == [o.predicted for o in whole.details]
    answered, questions = whole.total.answered, whole.total.questions
    assert answered < questions
    assert len(calls) == -(-answered // 7) and calls[-1] == (questions, questions)
    assert calls[0] == (questions * 7 // answered, questions)


def _brute_cosmul(matrix, rows, restrict, eps):
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = unit[:restrict].astype(np.float64)
    out = []
    for a, b, c in rows:  # question a : b :: c : ?
        cos = (1 + unit @ unit[[a, b, c]].T) / 2
        score = cos[:, 1] * cos[:, 2] / (cos[:, 0] + eps)
        score[[a, b, c]] = -np.inf
        out.append(int(np.argmax(score)))
    return out


@pytest.mark.parametrize("eps", [0.001, 1e-6])
def test_cosmul_is_levy_goldberg(structured, tmp_path, eps):
    store, _ = structured
    text = "\n".join(
        f"thing{i} thing{i}s thing{j} thing{j}s" for i in range(10) for j in range(10) if i != j
    )
    bench = read_analogy(write(tmp_path, "plural.txt", text + "\n"))
    result = evaluate_analogies(
        store, bench, method="mul", restrict=0, case="exact", epsilon=eps, details=True
    )
    rows = [
        [store.index[o.question.a], store.index[o.question.b[0]], store.index[o.question.c]]
        for o in result.details
    ]
    expected = [
        store.words[r] for r in _brute_cosmul(np.asarray(store.vectors), rows, len(store), eps)
    ]
    assert [o.predicted for o in result.details] == expected


def test_bats_style_alternatives_and_several_answers(toy_store, tmp_path):
    path = write(tmp_path, "rel.txt", "man\tunicorn/king\nwoman\tqueen/princess\nthe\tnothing\n")
    result = evaluate_analogies(toy_store, read_analogy(path), details=True)
    by_pair = {(o.question.a, o.question.c): o for o in result.details}
    # man : king (the first known alternative) :: woman : queen or princess
    assert by_pair[("man", "woman")].predicted == "queen" and by_pair[("man", "woman")].correct
    assert by_pair[("woman", "the")].oov  # 'nothing' is unknown
    assert result.scores[-1].oov_words == ("nothing",)


# -- real vectors: gensim Word2Vec on a public-domain corpus ------------------------------------
@pytest.fixture(scope="module")
def inaugural_w2v():
    gensim = pytest.importorskip("gensim")
    corpus = require_shared("corpora", "nltk_inaugural.txt.gz")
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        sentences = [line.split() for line in f]
    model = gensim.models.Word2Vec(
        sentences, vector_size=32, window=5, min_count=3, workers=1, seed=1, epochs=10
    )
    kv = model.wv
    return VectorStore(list(kv.index_to_key), kv.vectors.copy(), name="inaugural"), kv


@pytest.mark.parametrize("restrict", [2000, None])
def test_google_on_trained_vectors_matches_gensim(inaugural_w2v, restrict):
    store, kv = inaugural_w2v
    bench = load_benchmark("google", "analogy")
    result = evaluate_analogies(store, bench, restrict=restrict or 0, details=True)
    g_score, g_sections = _gensim_sections(kv, bench.source, restrict or len(kv), True)
    assert _our_sections(result, True) == g_sections
    assert result.score == pytest.approx(g_score)


@pytest.mark.parametrize("name", ["ws353", "simlex999", "men"])
@pytest.mark.parametrize(("fold", "dummy"), [(True, False), (False, True)])
def test_similarity_matches_gensim_on_trained_vectors(inaugural_w2v, name, fold, dummy):
    store, kv = inaugural_w2v
    bench = load_benchmark(name, "similarity")
    pearson, spearman, oov_ratio = kv.evaluate_word_pairs(
        bench.source, restrict_vocab=len(kv), case_insensitive=fold, dummy4unknown=dummy
    )
    result = evaluate_similarity(
        store, bench, case="fold" if fold else "exact", oov="zero" if dummy else "skip"
    )
    assert result.spearman == pytest.approx(spearman[0], abs=1e-12)
    assert result.pearson == pytest.approx(pearson[0], abs=1e-6)  # gensim sums in float32
    assert 100 * (result.pairs - result.used) / result.pairs == pytest.approx(oov_ratio)


# -- similarity on hand-built vectors ----------------------------------------------------------
def _unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def test_similarity_hand_computed_with_oov_policies(toy_store, tmp_path):
    path = write(
        tmp_path,
        "pairs.txt",
        "king\tqueen\t3\nKing\tprince\t9\napple\torange\t7\ncar\tunicorn\t1\n",
    )
    bench = read_similarity(path)
    vec = {w: np.asarray(toy_store[w], dtype=np.float64) for w in toy_store.words}
    cos = {
        ("king", "queen"): _unit(vec["king"]) @ _unit(vec["queen"]),
        ("king", "prince"): _unit(vec["king"]) @ _unit(vec["prince"]),
        ("apple", "orange"): _unit(vec["apple"]) @ _unit(vec["orange"]),
    }
    assert cos[("apple", "orange")] > cos[("king", "prince")] > cos[("king", "queen")]
    skip = evaluate_similarity(toy_store, bench)
    assert (skip.pairs, skip.used, skip.scored, skip.oov_words) == (4, 3, 3, ("unicorn",))
    assert skip.spearman == pytest.approx(0.5)  # ranks gold (1, 3, 2) vs model (1, 2, 3)
    zero = evaluate_similarity(toy_store, bench, oov=SimilarityOOV.zero)
    # the unknown pair scores 0, lowest of all, and has the lowest gold score: ranks agree there
    assert zero.scored == 4 and zero.spearman == pytest.approx(1 - 6 * 2 / (4 * 15))
    mean = evaluate_similarity(toy_store, bench, oov="mean")
    mean_vec = np.asarray(toy_store.vectors, dtype=np.float64).mean(axis=0)
    car_mean = _unit(vec["car"]) @ _unit(mean_vec)
    from scipy.stats import spearmanr

    expected = spearmanr(
        [3, 9, 7, 1],
        [cos[("king", "queen")], cos[("king", "prince")], cos[("apple", "orange")], car_mean],
    )[0]
    assert mean.spearman == pytest.approx(expected)
    exact = evaluate_similarity(toy_store, bench, case="exact")
    assert exact.used == 2 and exact.oov_words == ("King", "unicorn")


def test_similarity_with_no_known_pair_reports_coverage_zero(toy_store, tmp_path):
    bench = read_similarity(write(tmp_path, "p.txt", "foo bar 1\nbaz qux 2\n"))
    result = evaluate_similarity(toy_store, bench)
    assert (result.spearman, result.pearson, result.coverage) == (None, None, 0.0)


# -- the one-call entry point ------------------------------------------------------------------
def test_evaluate_store_entry_point(toy_store, tmp_path):
    path = write(tmp_path, "toy.txt", TOY_QUESTIONS)
    pairs = write(tmp_path, "pairs.txt", "king queen 3\nking prince 9\napple orange 7\n")
    seen = []
    run = evaluate_store(
        toy_store,
        analogy=[str(path), "msr"],
        similarity=[pairs],
        progress=lambda e: seen.append((e.stage, e.done, e.total)),
    )
    assert [r.benchmark for r in run] == ["toy", "msr", "pairs"]
    assert [r.kind for r in run] == ["analogy", "analogy", "similarity"]
    scores = run.scores()
    assert scores["toy"] == pytest.approx(2 / 3) and scores["msr"] is None
    assert scores["pairs"] == pytest.approx(0.5)
    assert seen[-1] == ("evaluate", 4 + 8000, 4 + 8000)
    only_similarity = evaluate_store(toy_store, similarity=["ws353"])
    assert [r.benchmark for r in only_similarity] == ["ws353"]
