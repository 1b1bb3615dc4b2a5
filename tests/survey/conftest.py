"""Fixtures for the survey tests (helpers live in golden_part1.py)."""

from .golden_part1 import apiclus1, apistrat  # noqa: F401  (pytest fixtures)
