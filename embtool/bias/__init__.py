"""Measuring and removing social bias in word vectors.

- :mod:`embtool.bias.direction`: bias directions (PCA of definitional pairs), projections,
  DirectBias, indirect bias (Bolukbasi et al. 2016).
- :mod:`embtool.bias.weat`: the Word Embedding Association Test (Caliskan et al. 2017).
- :mod:`embtool.bias.measures`: RIPA, ECT, RND.
- :mod:`embtool.bias.analogies`: she : he stereotype analogies.
- :mod:`embtool.bias.debias`: hard debiasing (neutralize + equalize).
- :mod:`embtool.bias.wordsets`: the bundled word lists.
"""

from embtool.bias.analogies import StereotypeAnalogies, StereotypePair, stereotype_analogies
from embtool.bias.debias import (
    DebiasComparison,
    DebiasInfo,
    benchmark_rows,
    compare_debiased,
    hard_debias,
)
from embtool.bias.direction import (
    BiasDirection,
    DirectBiasResult,
    DirectionChoice,
    DirectionMethod,
    IndirectBiasResult,
    bias_direction,
    choose_direction,
    direct_bias,
    direction_from_vector,
    indirect_bias,
    load_direction,
    project,
    save_direction,
)
from embtool.bias.measures import MeasureResult, ect, ripa, rnd
from embtool.bias.weat import (
    Balance,
    WeatResult,
    WeatTest,
    WordSet,
    bundled_weat_tests,
    get_weat_test,
    holm,
    load_weat_tests,
    weat,
    weat_many,
    weat_test_from_files,
)
from embtool.bias.wordsets import (
    bolukbasi_professions,
    definitional_pairs,
    equalize_pairs,
    gender_specific_words,
    neutral_professions,
    professions,
)

__all__ = [
    "Balance",
    "BiasDirection",
    "DebiasComparison",
    "DebiasInfo",
    "DirectBiasResult",
    "DirectionChoice",
    "DirectionMethod",
    "IndirectBiasResult",
    "MeasureResult",
    "StereotypeAnalogies",
    "StereotypePair",
    "WeatResult",
    "WeatTest",
    "WordSet",
    "benchmark_rows",
    "bias_direction",
    "bolukbasi_professions",
    "bundled_weat_tests",
    "choose_direction",
    "compare_debiased",
    "definitional_pairs",
    "direct_bias",
    "direction_from_vector",
    "ect",
    "equalize_pairs",
    "gender_specific_words",
    "get_weat_test",
    "hard_debias",
    "holm",
    "indirect_bias",
    "load_direction",
    "load_weat_tests",
    "neutral_professions",
    "professions",
    "project",
    "ripa",
    "rnd",
    "save_direction",
    "stereotype_analogies",
    "weat",
    "weat_many",
    "weat_test_from_files",
]
