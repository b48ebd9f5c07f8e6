"""embtool sentence: sentence vectors (mean, weighted, SIF), their similarity, neighbours and files."""

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from embtool import sentences as sent
from embtool.cli.app import app
from embtool.cli.inputs import stdin_lines, wants_stdin
from embtool.cli.options import (
    FormatOpt,
    SentenceOptions,
    SkipUnknownOpt,
    TopK,
    sentence_options,
    sentence_tokenizer,
)
from embtool.cli.output import Format, Report, emit, warn
from embtool.cli.vectors import VectorSource, note_built, vector_options
from embtool.corpus import make_tokenizer
from embtool.errors import UsageError
from embtool.language import store_language
from embtool.vectors.store import VectorStore

sentence_app = typer.Typer(
    help="Sentence vectors from word vectors: mean, a/(a+p(w)) weighted mean, SIF.\n\n"
    'Example: [bold]embtool sentence similarity "a man plays guitar" "a person plays music"[/bold]',
    no_args_is_help=True,
)
app.add_typer(sentence_app, name="sentence")

ExplainOpt = Annotated[bool, typer.Option("--explain", help="Show each word's weight instead.")]


def _texts(args: list[str] | None) -> list[str]:
    if wants_stdin(args):
        lines = stdin_lines()
        if not lines:
            raise UsageError("no sentences on stdin")
        return lines
    return list(args or [])


def _vectors(
    store: VectorStore, texts: list[str], how: SentenceOptions, skip_unknown: bool
) -> sent.SentenceVectors:
    freqs = sent.read_frequencies(how.frequencies) if how.frequencies else None
    sv = sent.sentence_vectors(
        store,
        texts,
        make_tokenizer(sentence_tokenizer(how.tokenizer, store_language(store))),
        method=how.method,
        a=how.a,
        components=how.components,
        frequencies=freqs,
        skip_unknown=skip_unknown,
    )
    note_built(store)
    for s in sv.skipped:
        warn(f"skipped {s.text!r}: no word in the vectors")
    for s in sv.sentences:
        if s.unknown:
            warn(
                f"{len(s.unknown)} unknown token(s) dropped from {s.text!r}: {' '.join(s.unknown)}"
            )
    return sv


def explain_report(sv: sent.SentenceVectors) -> Report:
    records = [
        {
            "sentence": s.text,
            "words": [{"word": t.word, "weight": t.weight} for t in s.known],
            "unknown": list(s.unknown),
            **({"oov": True, "oov_words": list(s.built)} if s.built else {}),
        }
        for s in sv.sentences
    ]
    rows = [[s.text, t.word, t.weight] for s in sv.sentences for t in s.known]
    return Report(records, ["sentence", "word", "weight"], rows, title="Word weights")


@sentence_app.command("similarity")
@vector_options
@sentence_options
def similarity_command(
    sentences: Annotated[
        list[str] | None, typer.Argument(help="Two sentences, or pairs S1<TAB>S2 on stdin.")
    ] = None,
    explain: ExplainOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
    sentence: SentenceOptions,
) -> None:
    """Cosine similarity of the sentence vectors of S1 and S2 (SIF's component: of all given).

    Example: [bold]embtool sentence similarity "dog bites man" "man bites dog"[/bold] (1.0 with mean)
    """
    if wants_stdin(sentences):
        pairs = []
        for n, line in enumerate(stdin_lines(), 1):
            parts = line.split("\t")
            if len(parts) != 2:
                raise UsageError(f"stdin line {n}: expected S1<TAB>S2, got {len(parts)} field(s)")
            pairs.append(parts)
        if not pairs:
            raise UsageError("no sentence pairs on stdin")
    else:
        if len(sentences or []) != 2:
            raise UsageError(f"sentence similarity needs 2 sentences, got {len(sentences or [])}")
        pairs = [list(sentences or [])]
    texts = [p[0] for p in pairs] + [p[1] for p in pairs]
    store = source.open(texts)
    sv = _vectors(store, texts, sentence, False)
    if explain:
        emit(explain_report(sv), fmt)
        return
    n = len(pairs)
    sims = sent.cosine_rows(sv.vectors[:n], sv.vectors[n:])
    records = [
        {"s1": p[0], "s2": p[1], "method": sentence.method.value, "similarity": float(x)}
        for p, x in zip(pairs, sims)
    ]
    rows = [[p[0], p[1], float(x)] for p, x in zip(pairs, sims)]
    emit(
        Report(
            records, ["s1", "s2", "similarity"], rows, title=f"cosine ({sentence.method.value})"
        ),
        fmt,
    )


@sentence_app.command("neighbors")
@vector_options
@sentence_options
def neighbors_command(
    sentences: Annotated[
        list[str] | None, typer.Argument(help="Query sentences (or stdin).")
    ] = None,
    corpus: Annotated[
        Path, typer.Option("--corpus", help="File of candidate sentences, one a line.")
    ] = Path("-"),
    k: TopK = 5,
    skip_unknown: SkipUnknownOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
    sentence: SentenceOptions,
) -> None:
    """The K sentences of --corpus nearest to each query sentence (one batch of matrix products).

    Example: [bold]embtool sentence neighbors "the stock market fell" --corpus news.txt -k 3[/bold]
    """
    if str(corpus) == "-":
        raise UsageError("sentence neighbors needs --corpus FILE (one sentence a line)")
    try:
        cands = [line.strip() for line in corpus.read_text(encoding="utf-8-sig").splitlines()]
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{corpus}: cannot read as UTF-8 text ({exc})") from None
    cands = [c for c in cands if c]
    if not cands:
        raise UsageError(f"{corpus}: no sentences")
    queries = _texts(sentences)
    store = source.open(queries + cands)
    sv = _vectors(store, queries + cands, sentence, skip_unknown)
    pos = np.array(sv.positions)
    is_query = pos < len(queries)
    unit = sv.vectors / np.maximum(np.linalg.norm(sv.vectors, axis=1, keepdims=True), 1e-300)
    q, c = unit[is_query], unit[~is_query]
    texts_c = [sv.sentences[i].text for i in np.flatnonzero(~is_query)]
    scores = q @ c.T
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    records, rows = [], []
    for j, i in enumerate(np.flatnonzero(is_query)):
        text = sv.sentences[i].text
        nb = [{"sentence": texts_c[o], "score": float(scores[j, o])} for o in order[j]]
        records.append({"query": text, "neighbors": nb})
        rows += [[text, r, n["sentence"], n["score"]] for r, n in enumerate(nb, 1)]
    emit(
        Report(records, ["query", "rank", "sentence", "score"], rows, title="Nearest sentences"),
        fmt,
    )


@sentence_app.command("vectors")
@vector_options
@sentence_options
def vectors_command(
    file: Annotated[Path, typer.Argument(help="Sentences, one a line ('-' for stdin).")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output vectors (any format embtool writes).")
    ],
    skip_unknown: SkipUnknownOpt = False,
    explain: ExplainOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")] = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
    sentence: SentenceOptions,
) -> None:
    """Write one vector per sentence (its key: the sentence, spaces as '_'), e.g. to plot or query.

    Example: [bold]embtool sentence vectors sents.txt --out sents.vec --method sif[/bold]
    """
    from embtool.vectors import guess_output_format, save_vectors

    if str(file) == "-":
        texts = _texts(["-"])
    else:
        try:
            texts = [t.strip() for t in file.read_text(encoding="utf-8-sig").splitlines()]
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{file}: cannot read as UTF-8 text ({exc})") from None
        texts = [t for t in texts if t]
        if not texts:
            raise UsageError(f"{file}: no sentences")
    out_format, _ = guess_output_format(out)
    store = source.open(texts)
    sv = _vectors(store, texts, sentence, skip_unknown)
    keys = list(dict.fromkeys("_".join(s.text.split()) for s in sv.sentences))
    if len(keys) != len(sv.sentences):
        raise UsageError(f"{file}: repeated sentences; each sentence must be unique")
    result = VectorStore(
        keys,
        sv.vectors.astype(np.float32),
        meta={
            "sentence_vectors": {
                "method": sentence.method.value,
                "a": sentence.a,
                "source": store.name,
            }
        },
    )
    save_vectors(result, out, out_format, overwrite=force)
    if explain:
        emit(explain_report(sv), fmt)
