"""Options shared by many commands, as ``Annotated`` types so every command spells them the same."""

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from embtool import sentences as sent
from embtool.bias.direction import DirectionMethod
from embtool.cli.output import Format, note
from embtool.corpus import Corpus, Tokenizer, query_tokenizer
from embtool.resources import data_path
from embtool.vectors.store import Dtype as Dtype  # the library's enum, re-exported for --dtype

FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Output: table (default on a terminal), tsv (default when piped), json, jsonl.",
        case_sensitive=False,
    ),
]
TopK = Annotated[int, typer.Option("-k", "--top-k", min=1, help="Number of results per query.")]
SkipUnknownOpt = Annotated[
    bool,
    typer.Option(
        "--skip-unknown",
        help="In batch mode, report queries with unknown words on stderr and carry on.",
    ),
]
ExactCaseOpt = Annotated[
    bool,
    typer.Option(
        "--exact-case",
        help="Do not fall back to the lower-case form of a word missing from the vectors.",
    ),
]
RestrictOpt = Annotated[
    int | None,
    typer.Option(
        "--restrict", min=1, help="Only consider the N most frequent words (the first N rows)."
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the output if it exists.")]


class Errors(str, Enum):
    """What to do with bytes that do not decode."""

    strict = "strict"
    replace = "replace"  # type: ignore[assignment]  # a member named like str.replace
    ignore = "ignore"


# Corpus-reading options shared by `embtool train` and `embtool cooccur`.
TokenizerOpt = Annotated[
    Tokenizer,
    typer.Option(
        "--tokenizer",
        "-t",
        case_sensitive=False,
        help="regex: Unicode words with inner apostrophes (Han characters one by one); "
        "whitespace: already-tokenized text, used as is; jieba: Chinese word segmentation "
        "(pip install 'embtool[chinese]'); char: one token per Han character, Latin/digit "
        "runs whole.",
    ),
]
# Query sentences (`embtool sentence`, `embtool attention`): the default follows the vectors.
SentenceTokenizerOpt = Annotated[
    Tokenizer | None,
    typer.Option(
        "--tokenizer",
        case_sensitive=False,
        help="How sentences are split into words (as in train). Default: jieba for Chinese "
        "vectors (char when jieba is not installed), regex otherwise.",
        show_default=False,
    ),
]


def sentence_tokenizer(given: Tokenizer | None, language: str) -> Tokenizer:
    """``given``, or the default for vectors in ``language`` (a note when jieba is missing)."""
    if given is not None:
        return given
    chosen, fallback = query_tokenizer(language)
    if fallback:
        note(
            "jieba is not installed: Chinese sentences are split into single characters "
            "(pip install 'embtool[chinese]' for word segmentation)"
        )
    return chosen


LowerOpt = Annotated[
    bool | None,
    typer.Option(
        "--lower/--keep-case",
        help="Lower-case tokens. Default: lower-case, except with --tokenizer whitespace.",
        show_default=False,
    ),
]
CorpusEncodingOpt = Annotated[str, typer.Option("--encoding", help="Text encoding of the corpus.")]


class ScriptConversion(str, Enum):
    """OpenCC conversions offered by --convert."""

    t2s = "t2s"
    s2t = "s2t"


CorpusConvertOpt = Annotated[
    ScriptConversion | None,
    typer.Option(
        "--convert",
        help="Convert Chinese script while reading: t2s (Traditional to Simplified) or s2t, "
        "through OpenCC (pip install 'embtool[chinese]').",
        show_default=False,
    ),
]
CorpusErrorsOpt = Annotated[
    Errors,
    typer.Option(
        "--errors",
        help="Undecodable bytes: strict (stop with an error naming the "
        "file and byte offset), replace (with U+FFFD) or ignore.",
    ),
]


def default_corpus() -> Path:
    """The small sample corpus shipped in data/corpora/."""
    return data_path("corpora")


def open_corpus(
    paths: list[str],
    *,
    tokenizer: Tokenizer,
    lower: bool | None,
    encoding: str,
    errors: Errors,
    convert: ScriptConversion | None,
    announce_skipped: bool = True,
) -> Corpus:
    """The :class:`~embtool.corpus.Corpus` the corpus options describe (train, cooccur); with
    ``announce_skipped``, a note names the non-text files a directory held."""
    text = Corpus(
        paths,
        tokenizer=tokenizer,
        lower=lower,
        encoding=encoding,
        errors=errors.value,
        convert=convert.value if convert else None,
    )
    if announce_skipped and text.skipped:
        note(f"skipped {len(text.skipped)} non-text file(s), e.g. {text.skipped[0]}")
    return text


# Bias-direction options shared by `embtool bias ...` and `embtool plot bias`.
PairOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--pair",
        "-p",
        help="A definitional pair as A:B (repeat for several), e.g. --pair she:he --pair woman:man. "
        "Default: Bolukbasi et al.'s 10 pairs (woman:man, girl:boy, she:he, ...).",
        show_default=False,
    ),
]
PairsFileOpt = Annotated[
    Path | None,
    typer.Option("--pairs-file", help="Definitional pairs from a file: one 'A B' pair per line."),
]
MethodOpt = Annotated[
    DirectionMethod,
    typer.Option(
        "--method",
        help="pca: first principal component of the centred pairs (Bolukbasi et al. 2016); "
        "pair: the normalised difference of one pair's unit vectors.",
    ),
]
DirectionFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--direction",
        help="Use a direction saved with 'embtool bias direction --out FILE' instead of pairs.",
    ),
]
LineNumbersOpt = Annotated[
    bool,
    typer.Option(
        "--line-numbers",
        help="Start each result with the stdin line number of its query (to match skipped lines).",
    ),
]


# Sentence-vector options shared by `embtool sentence similarity|neighbors|vectors`.
_SENTENCE_OPTIONS: dict[str, tuple[Any, Any]] = {
    "method": (
        Annotated[
            sent.SentenceMethod,
            typer.Option(
                "--method",
                "-m",
                help="mean: plain average; weighted: a/(a+p(w)) weights; sif: weighted, then the "
                "first principal component(s) of the batch removed (Arora et al. 2017).",
            ),
        ],
        sent.SentenceMethod.mean,
    ),
    "a": (Annotated[float, typer.Option("--a", help="SIF's a in a/(a + p(w)).")], sent.DEFAULT_A),
    "components": (
        Annotated[
            int, typer.Option("--components", min=1, help="SIF: principal components removed.")
        ],
        1,
    ),
    "frequencies": (
        Annotated[
            Path | None,
            typer.Option(
                "--frequencies",
                help="word<TAB>count file for p(w) (default: the store's own counts).",
            ),
        ],
        None,
    ),
    "tokenizer": (SentenceTokenizerOpt, None),
}


@dataclass(frozen=True)
class SentenceOptions:
    """How sentence vectors are made, as the sentence options gave it."""

    method: sent.SentenceMethod
    a: float
    components: int
    frequencies: Path | None
    tokenizer: Tokenizer | None  # None: the default for the vectors' language (sentence_tokenizer)


def sentence_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command --method, --a, --components, --frequencies and --tokenizer (placed before
    its ``fmt``); it receives them as ``sentence: SentenceOptions``."""
    sig = inspect.signature(func, eval_str=True)
    kept = [p for name, p in sig.parameters.items() if name != "sentence"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, (kind, default) in _SENTENCE_OPTIONS.items()
    ]
    at = next((i for i, p in enumerate(kept) if p.name == "fmt"), len(kept))
    params = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY) if i >= at else p for i, p in enumerate(kept)
    ]
    new_sig = sig.replace(parameters=params[:at] + added + params[at:])

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        chosen = {name: kwargs.pop(name) for name in _SENTENCE_OPTIONS}
        return func(sentence=SentenceOptions(**chosen), **kwargs)

    wrapper.__signature__ = new_sig  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in new_sig.parameters.values()}
    return wrapper
