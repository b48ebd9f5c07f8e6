"""Benchmark files: the bundled registry and the parsers for analogy and word-similarity sets.

Analogy files come in two shapes: the Google ``questions-words`` format (``: section`` lines, then
``a b c d`` questions) and the BATS format (one relation per file, ``word<TAB>answer1/answer2``, every
ordered pair of lines making a question). Similarity files are ``word1 word2 score`` lines.
Parsing never guesses silently: a malformed line raises :class:`BenchmarkError` naming the line.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from embtool.errors import BenchmarkError
from embtool.resources import data_path

# -- benchmark contents --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnalogyQuestion:
    """``a : b :: c : ?`` — the answer is any word in ``answers``.

    ``b`` holds the accepted forms of the second word (BATS lists several); the first one found in
    the vectors is used. In the Google format each tuple has one word.
    """

    a: str
    b: tuple[str, ...]
    c: str
    answers: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class AnalogySection:
    """A named group of questions (a Google section, a BATS relation); ``group`` aggregates sections."""

    name: str
    questions: tuple[AnalogyQuestion, ...]
    group: str | None = None


@dataclass(frozen=True)
class AnalogyBenchmark:
    name: str
    source: str
    sections: tuple[AnalogySection, ...]

    def __len__(self) -> int:
        return sum(len(s.questions) for s in self.sections)

    @property
    def groups(self) -> dict[str, list[int]]:
        """Group name -> indices of its sections, in order of first appearance."""
        out: dict[str, list[int]] = {}
        for i, s in enumerate(self.sections):
            if s.group is not None:
                out.setdefault(s.group, []).append(i)
        return out


@dataclass(frozen=True, slots=True)
class WordPair:
    word1: str
    word2: str
    score: float
    line: int


@dataclass(frozen=True)
class SimilarityBenchmark:
    name: str
    source: str
    pairs: tuple[WordPair, ...]

    def __len__(self) -> int:
        return len(self.pairs)


Benchmark = AnalogyBenchmark | SimilarityBenchmark

# -- the bundled registry ------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkInfo:
    """A bundled benchmark: where its file lives under ``data/eval`` and what it measures."""

    name: str
    kind: str  # "analogy" | "similarity"
    path: str
    items: int
    description: str
    citation: str
    in_suite: bool = True
    aliases: tuple[str, ...] = field(default_factory=tuple)
    language: str = "en"

    @property
    def file(self) -> Path:
        return data_path("eval", *self.path.split("/"))


_A, _S = "analogy", "similarity"
REGISTRY: tuple[BenchmarkInfo, ...] = (
    BenchmarkInfo(
        "google",
        _A,
        "analogy/google-questions-words.txt",
        19544,
        "Google analogies: 5 semantic + 9 syntactic sections",
        "Mikolov et al. 2013",
        aliases=("questions-words", "google-analogy"),
    ),
    BenchmarkInfo(
        "msr",
        _A,
        "analogy/msr-syntax.txt",
        8000,
        "MSR syntactic analogies (adjectives, nouns, verbs)",
        "Mikolov, Yih & Zweig 2013",
        aliases=("msr-syntax",),
    ),
    BenchmarkInfo(
        "bats",
        _A,
        "analogy/bats_3.0",
        98000,
        "BATS 3.0: 40 relations x 50 pairs, several accepted answers",
        "Gladkova, Drozd & Matsuoka 2016",
        in_suite=False,
        aliases=("bats3", "bats-3.0"),
    ),
    BenchmarkInfo(
        "ws353",
        _S,
        "similarity/EN-WS-353-ALL.txt",
        353,
        "WordSim-353, all pairs",
        "Finkelstein et al. 2002",
        aliases=("wordsim353", "ws353-all"),
    ),
    BenchmarkInfo(
        "ws353-sim",
        _S,
        "similarity/EN-WS-353-SIM.txt",
        203,
        "WordSim-353 similarity subset",
        "Agirre et al. 2009",
    ),
    BenchmarkInfo(
        "ws353-rel",
        _S,
        "similarity/EN-WS-353-REL.txt",
        252,
        "WordSim-353 relatedness subset",
        "Agirre et al. 2009",
    ),
    BenchmarkInfo(
        "simlex999",
        _S,
        "similarity/EN-SIMLEX-999.txt",
        999,
        "SimLex-999 (similarity, not relatedness)",
        "Hill, Reichart & Korhonen 2015",
        aliases=("simlex",),
    ),
    BenchmarkInfo(
        "men",
        _S,
        "similarity/EN-MEN-TR-3k.txt",
        3000,
        "MEN, 3,000 pairs (0-50)",
        "Bruni, Tran & Baroni 2014",
        aliases=("men3k",),
    ),
    BenchmarkInfo(
        "rw",
        _S,
        "similarity/EN-RW-STANFORD.txt",
        2034,
        "Stanford Rare Words",
        "Luong, Socher & Manning 2013",
        aliases=("rare-words",),
    ),
    BenchmarkInfo(
        "mturk287",
        _S,
        "similarity/EN-MTurk-287.txt",
        287,
        "MTurk-287",
        "Radinsky et al. 2011",
        aliases=("mturk-287",),
    ),
    BenchmarkInfo(
        "mturk771",
        _S,
        "similarity/EN-MTurk-771.txt",
        771,
        "MTurk-771",
        "Halawi et al. 2012",
        aliases=("mturk-771",),
    ),
    BenchmarkInfo(
        "simverb3500",
        _S,
        "similarity/EN-SimVerb-3500.txt",
        3500,
        "SimVerb-3500 (verbs)",
        "Gerz et al. 2016",
        aliases=("simverb",),
    ),
    BenchmarkInfo(
        "rg65",
        _S,
        "similarity/EN-RG-65.txt",
        65,
        "Rubenstein & Goodenough 65",
        "Rubenstein & Goodenough 1965",
        aliases=("rg-65",),
    ),
    BenchmarkInfo(
        "mc30",
        _S,
        "similarity/EN-MC-30.txt",
        30,
        "Miller & Charles 30",
        "Miller & Charles 1991",
        aliases=("mc-30",),
    ),
    BenchmarkInfo(
        "yp130",
        _S,
        "similarity/EN-YP-130.txt",
        130,
        "Yang & Powers verbs",
        "Yang & Powers 2006",
        in_suite=False,
        aliases=("yp-130",),
    ),
    BenchmarkInfo(
        "verb143",
        _S,
        "similarity/EN-VERB-143.txt",
        144,
        "Baker et al. verbs",
        "Baker, Reichart & Korhonen 2014",
        in_suite=False,
        aliases=("verb-143",),
    ),
    BenchmarkInfo(
        "ca8-semantic",
        _A,
        "zh/CA8/semantic.txt",
        7636,
        "CA8 Chinese semantic analogies (geography, history, nature, people)",
        "Li et al. 2018 (Chinese-Word-Vectors)",
        aliases=("ca8-sem",),
        language="zh",
    ),
    BenchmarkInfo(
        "ca8-morphological",
        _A,
        "zh/CA8/morphological.txt",
        10177,
        "CA8 Chinese morphological analogies (reduplication A/AB, prefix, suffix)",
        "Li et al. 2018 (Chinese-Word-Vectors)",
        aliases=("ca8-morph",),
        language="zh",
    ),
    BenchmarkInfo(
        "ws240",
        _S,
        "zh/wordsim_CWE/240.txt",
        240,
        "Chinese wordsim-240 (relatedness)",
        "Wang et al. 2011; copy from Chen et al. 2015 (CWE)",
        aliases=("wordsim-240",),
        language="zh",
    ),
    BenchmarkInfo(
        "ws297",
        _S,
        "zh/wordsim_CWE/297.txt",
        297,
        "Chinese wordsim-297 (SemEval-2012 task 4)",
        "Jin & Wu 2012; copy from Chen et al. 2015 (CWE)",
        aliases=("wordsim-297", "ws296"),
        language="zh",
    ),
    BenchmarkInfo(
        "cos960",
        _S,
        "zh/COS960/COS960_all.txt",
        960,
        "COS960 Chinese similarity, 960 pairs (nouns, verbs, adjectives)",
        "Huang et al. 2019",
        language="zh",
    ),
    *(
        BenchmarkInfo(
            f"cos960-{pos}",
            _S,
            f"zh/COS960/COS960_{pos}.txt",
            n,
            f"COS960, the {pos} pairs",
            "Huang et al. 2019",
            in_suite=False,
            language="zh",
        )
        for pos, n in (("noun", 480), ("verb", 240), ("adj", 240))
    ),
)


def registry(kind: str | None = None) -> list[BenchmarkInfo]:
    """The bundled benchmarks, optionally only one kind ("analogy" or "similarity")."""
    return [b for b in REGISTRY if kind is None or b.kind == kind]


def suite(kind: str, language: str = "en") -> list[str]:
    """Names of the benchmarks run when none is named, for vectors in ``language``."""
    language = language if language == "zh" else "en"
    return [b.name for b in registry(kind) if b.in_suite and b.language == language]


def _lookup(name: str, kind: str) -> BenchmarkInfo | None:
    key = name.lower()
    for b in registry(kind):
        if key == b.name or key in b.aliases:
            return b
    return None


def _unknown(spec: str, kind: str) -> BenchmarkError:
    names = [b.name for b in registry(kind)]
    close = difflib.get_close_matches(spec.lower(), names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return BenchmarkError(
        f"unknown {kind} benchmark {spec!r}{hint}: no such file, and the bundled ones are "
        + ", ".join(names)
        + " (or 'all')"
    )


def expand_specs(specs: Sequence[str], kind: str) -> list[str]:
    """Turn ``all`` into every bundled benchmark of ``kind``; keep the order, drop repeats."""
    out: list[str] = []
    for spec in specs:
        for s in [b.name for b in registry(kind)] if spec.lower() == "all" else [spec]:
            if s not in out:
                out.append(s)
    return out


def load_benchmark(spec: str | Path, kind: str) -> Benchmark:
    """Load a bundled benchmark by name, or a benchmark file (or BATS directory) by path.

    An existing path wins over a bundled name. Raises: BenchmarkError.
    """
    if kind not in (_A, _S):
        raise ValueError(f"kind must be 'analogy' or 'similarity', not {kind!r}")
    path = Path(spec).expanduser()
    if path.exists():
        name = path.stem if path.is_file() else path.name
        return read_analogy(path, name=name) if kind == _A else read_similarity(path, name=name)
    info = _lookup(str(spec), kind)
    if info is None:
        raise _unknown(str(spec), kind)
    if not info.file.exists():
        raise BenchmarkError(
            f"bundled benchmark {info.name!r} is missing from this installation ({info.file}); "
            "reinstall embtool or pass the file's path"
        )
    if kind == _A:
        return read_analogy(info.file, name=info.name)
    return read_similarity(info.file, name=info.name)


# -- parsing -------------------------------------------------------------------------------------


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BenchmarkError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BenchmarkError(f"{path} line {line}: not UTF-8 text") from None
    return text.splitlines()


def _is_comment(line: str) -> bool:
    return not line or line.startswith("#")


def read_analogy(path: str | Path, *, name: str | None = None) -> AnalogyBenchmark:
    """Read a Google-format file, a BATS relation file or a BATS directory.

    Raises: BenchmarkError naming the file and line of the first malformed entry.
    """
    path = Path(path)
    name = name or (path.stem if path.is_file() else path.name)
    if path.is_dir():
        return _read_bats_dir(path, name)
    lines = _read_lines(path)
    first = next((ln.strip() for ln in lines if not _is_comment(ln.strip())), None)
    if first is None:
        raise BenchmarkError(f"{path}: no analogy questions in the file")
    if not first.startswith(":") and len(first.split()) == 2:
        section = _bats_section(path, lines, group=None)
        return AnalogyBenchmark(name, str(path), (section,))
    return _read_google(path, lines, name)


def _read_google(path: Path, lines: list[str], name: str) -> AnalogyBenchmark:
    raw: list[tuple[str, list[AnalogyQuestion]]] = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if _is_comment(line):
            continue
        if line.startswith(":"):
            title = line[1:].strip()
            if not title:
                raise BenchmarkError(f"{path} line {n}: section line ':' has no name")
            raw.append((title, []))
            continue
        words = line.split()
        if len(words) != 4:
            raise BenchmarkError(
                f"{path} line {n}: expected 4 words 'a b c d' (a is to b as c is to d) or a "
                f"': section' line, got {len(words)}: {line!r}"
            )
        if not raw:
            raw.append((path.stem, []))
        a, b, c, d = words
        raw[-1][1].append(AnalogyQuestion(a, (b,), c, (d,), n))
    if not any(qs for _, qs in raw):
        raise BenchmarkError(f"{path}: no analogy questions in the file")
    grams = [title.startswith("gram") for title, _ in raw]
    grouped = any(grams) and not all(grams)  # word2vec's semantic/syntactic split
    sections = tuple(
        AnalogySection(title, tuple(qs), ("syntactic" if g else "semantic") if grouped else None)
        for (title, qs), g in zip(raw, grams)
    )
    return AnalogyBenchmark(name, str(path), sections)


def _bats_pairs(path: Path, lines: list[str]) -> list[tuple[str, tuple[str, ...], int]]:
    pairs = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if _is_comment(line):
            continue
        fields = line.split()
        if len(fields) != 2:
            raise BenchmarkError(
                f"{path} line {n}: expected 'word<TAB>answer1/answer2/...', got {len(fields)} "
                f"fields: {line!r}"
            )
        answers = tuple(a for a in fields[1].split("/") if a)
        if not answers:
            raise BenchmarkError(f"{path} line {n}: no answer after {fields[0]!r}")
        pairs.append((fields[0], answers, n))
    return pairs


def _bats_section(path: Path, lines: list[str], group: str | None) -> AnalogySection:
    """Every ordered pair of distinct lines (a, a'), (c, c') asks a : a' :: c : ? with answers c'."""
    pairs = _bats_pairs(path, lines)
    if len(pairs) < 2:
        raise BenchmarkError(
            f"{path}: a BATS relation needs at least 2 word pairs, got {len(pairs)}"
        )
    questions = tuple(
        AnalogyQuestion(a, a_answers, c, c_answers, line)
        for i, (a, a_answers, _) in enumerate(pairs)
        for j, (c, c_answers, line) in enumerate(pairs)
        if i != j
    )
    return AnalogySection(path.stem, questions, group)


def _group_name(folder: str) -> str:
    """``1_inflectional_morphology`` -> ``inflectional morphology``."""
    head, _, rest = folder.partition("_")
    return (rest if head.isdigit() and rest else folder).replace("_", " ")


def _read_bats_dir(path: Path, name: str) -> AnalogyBenchmark:
    files = sorted(p for p in path.rglob("*.txt") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise BenchmarkError(f"{path}: no BATS relation files (*.txt) in the directory")
    sections = []
    for f in files:
        group = _group_name(f.parent.name) if f.parent != path else None
        sections.append(_bats_section(f, _read_lines(f), group))
    return AnalogyBenchmark(name, str(path), tuple(sections))


def _score(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def read_similarity(path: str | Path, *, name: str | None = None) -> SimilarityBenchmark:
    """Read ``word1 word2 score`` lines (tab- or space-separated; ``#`` comments; an optional header).

    Lines with more numbers after the score (COS960: the mean, then each rater's score) use the
    first one.

    Raises: BenchmarkError naming the file and line of the first malformed entry.
    """
    path = Path(path)
    if path.is_dir():
        raise BenchmarkError(f"{path}: is a directory; a similarity benchmark is one file")
    pairs: list[WordPair] = []
    seen_data = False
    for n, line in enumerate(_read_lines(path), 1):
        line = line.strip()
        if _is_comment(line):
            continue
        fields = [f.strip() for f in line.split("\t")] if "\t" in line else line.split()
        if len(fields) > 3 and all(_score(f) is not None for f in fields[2:]):
            fields = fields[:3]  # COS960's 'w1 w2 mean r1 .. r15': the mean is the gold score
        if len(fields) != 3 or not all(fields):
            raise BenchmarkError(
                f"{path} line {n}: expected 'word1 word2 score' (3 fields, tab- or "
                f"space-separated), got {len([f for f in fields if f])}: {line!r}"
            )
        score = _score(fields[2])
        if score is None:
            if not seen_data:  # a header line such as 'word1 word2 similarity'
                seen_data = True
                continue
            raise BenchmarkError(f"{path} line {n}: score {fields[2]!r} is not a number")
        seen_data = True
        pairs.append(WordPair(fields[0], fields[1], score, n))
    if not pairs:
        raise BenchmarkError(f"{path}: no word pairs in the file")
    return SimilarityBenchmark(name or path.stem, str(path), tuple(pairs))
