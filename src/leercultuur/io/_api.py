"""The public entry points: read_harmonised, validate and the Harmonised result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from leercultuur.io._codebook import Codebook, load_codebook
from leercultuur.io._harmonise import harmonise
from leercultuur.io._metadata import Metadata
from leercultuur.io._readers import expand_paths
from leercultuur.io._report import ValidationReport

PathLike = str | Path


@dataclass(frozen=True)
class Harmonised:
    """The harmonised table (``data``), its validation ``report`` and variable ``metadata``."""

    data: pd.DataFrame
    report: ValidationReport
    metadata: Metadata

    def to_dict(self) -> dict[str, Any]:
        """Everything except the table itself (which is tidy already: one row a respondent)."""
        return {
            "rows": len(self.data),
            "columns": list(self.data.columns),
            "report": self.report.to_dict(),
            "metadata": self.metadata.to_dict(),
        }


def _paths(paths: PathLike | Sequence[PathLike]) -> list[Path]:
    """The files to read; a folder stands for the data files in it."""
    return expand_paths([paths] if isinstance(paths, str | Path) else list(paths))


def _codebook(codebook: Codebook | PathLike | None) -> Codebook:
    return codebook if isinstance(codebook, Codebook) else load_codebook(codebook)


def read_harmonised(
    paths: PathLike | Sequence[PathLike],
    *,
    codebook: Codebook | PathLike | None = None,
    strict: bool = False,
) -> Harmonised:
    """Read yearly raw files through the codebook into one harmonised table.

    Validates while reading; raises :class:`ValidationError` (listing every failing problem)
    when there is a structural problem, or with ``strict=True`` any problem at all. Values
    recoded to missing are counted in ``report.recodes`` and ``metadata[var].missing``.
    """
    data, report, metadata = harmonise(_paths(paths), _codebook(codebook))
    report.raise_if_failed(strict=strict)
    return Harmonised(data=data, report=report, metadata=metadata)


def validate(
    paths: PathLike | Sequence[PathLike], *, codebook: Codebook | PathLike | None = None
) -> ValidationReport:
    """Check files against the codebook and return the report of every problem (never raises
    for bad data; call ``.raise_if_failed(strict=...)`` to turn it into an error)."""
    _, report, _ = harmonise(_paths(paths), _codebook(codebook))
    return report
