"""Options shared by many commands, as ``Annotated`` types so every command spells them the same."""

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from embtool.bias.direction import DirectionMethod
from embtool.cli.output import Format, note
from embtool.corpus import Tokenizer, query_tokenizer
from embtool.resources import data_path

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


class Dtype(str, Enum):
    """How a store keeps its vectors on disk."""

    float32 = "float32"
    float16 = "float16"


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
