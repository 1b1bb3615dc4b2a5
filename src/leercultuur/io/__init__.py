"""NEA microdata in: codebook-driven reading, validation and harmonisation.

Public API::

    from leercultuur.io import load_codebook, read_harmonised, validate
    h = read_harmonised(["nea_2012.sav", "nea_2022.sav"])   # default: synthetic-NEA codebook
    h.data                      # harmonised DataFrame (docs/data-model.md)
    h.metadata.weight_for("sup_support", 2022)   # -> "weight_half"
    validate(paths).format()    # every problem of every file at once

Readers: SPSS ``.sav``/``.zsav`` (value labels, user-missing codes), Stata ``.dta``, CSV (also
``.csv.gz``), Parquet; a folder stands for the data files in it. Codebook
format: ``docs/codebook.md``; tools to draft one from a file and diff two editions:
:func:`draft_codebook`, :func:`diff_files`.
"""

from leercultuur.io._api import Harmonised, read_harmonised, validate
from leercultuur.io._codebook import Codebook, load_codebook, parse_codebook, variable_template
from leercultuur.io._csv import write_csv
from leercultuur.io._diff import FileDiff, diff_files
from leercultuur.io._draft import draft_codebook
from leercultuur.io._metadata import Category, Metadata, VariableMeta
from leercultuur.io._readers import expand_paths
from leercultuur.io._report import Issue, Recode, ValidationError, ValidationReport

__all__ = [
    "Category",
    "Codebook",
    "FileDiff",
    "Harmonised",
    "Issue",
    "Metadata",
    "Recode",
    "ValidationError",
    "ValidationReport",
    "VariableMeta",
    "diff_files",
    "draft_codebook",
    "expand_paths",
    "load_codebook",
    "parse_codebook",
    "read_harmonised",
    "validate",
    "variable_template",
    "write_csv",
]
