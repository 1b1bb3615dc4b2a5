"""Synthetic NEA generator: yearly raw files in the layout of docs/data-model.md.

Public API::

    from leercultuur.synth import write_synth, generate_year, GENERATOR_VERSION
    write_synth("data/synth", years=range(2012, 2023), fmt="sav", seed=DEFAULT_SEED)

Seeded and reproducible: the same seed and ``GENERATOR_VERSION`` give the same files. Any change
that moves the figures must bump ``GENERATOR_VERSION`` (tests/synth pins headline numbers).
See docs/synthetic-nea.md.
"""

from leercultuur.synth._generate import generate_year
from leercultuur.synth._write import (
    DEFAULT_SEED,
    FORMATS,
    GENERATOR_VERSION,
    FileFormat,
    parse_years,
    write_synth,
    write_year,
)

__all__ = [
    "DEFAULT_SEED",
    "FORMATS",
    "GENERATOR_VERSION",
    "FileFormat",
    "generate_year",
    "parse_years",
    "write_synth",
    "write_year",
]
