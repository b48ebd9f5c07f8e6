"""Measuring and removing social bias in word vectors.

- :mod:`embtool.bias.direction`: bias directions (PCA of definitional pairs), projections,
  DirectBias, indirect bias (Bolukbasi et al. 2016).
- :mod:`embtool.bias.wordsets`: the bundled word lists.
"""

from embtool.bias.direction import (
    BiasDirection,
    DirectBiasResult,
    DirectionMethod,
    IndirectBiasResult,
    bias_direction,
    direct_bias,
    direction_from_vector,
    indirect_bias,
    load_direction,
    project,
    save_direction,
)
from embtool.bias.wordsets import (
    bolukbasi_professions,
    definitional_pairs,
    equalize_pairs,
    gender_specific_words,
    neutral_professions,
)

__all__ = [
    "BiasDirection",
    "DirectBiasResult",
    "DirectionMethod",
    "IndirectBiasResult",
    "bias_direction",
    "bolukbasi_professions",
    "definitional_pairs",
    "direct_bias",
    "direction_from_vector",
    "equalize_pairs",
    "gender_specific_words",
    "indirect_bias",
    "load_direction",
    "neutral_professions",
    "project",
    "save_direction",
]
