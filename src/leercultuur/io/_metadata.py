"""Variable metadata of a harmonised table: labels, categories, years, weights, recodes."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from leercultuur.errors import DataError


@dataclass(frozen=True)
class Category:
    code: float | str
    nl: str
    en: str


@dataclass(frozen=True)
class VariableMeta:
    """One harmonised variable: what it is and where each year's values came from."""

    name: str
    type: str
    label_nl: str
    label_en: str
    ordered: bool = False
    categories: tuple[Category, ...] = ()
    years: tuple[int, ...] = ()  # years whose files had the variable
    sources: dict[int, str] = field(default_factory=dict)  # year -> raw variable
    halves: dict[int, int] = field(default_factory=dict)  # year -> split half asked (if one)
    weights: dict[int, str] = field(default_factory=dict)  # year -> weight column to use
    missing: dict[str, int] = field(default_factory=dict)  # kind -> values recoded to missing
    derived_from: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Metadata:
    """Metadata of every harmonised variable, plus the design roles (weight, stratum, ...)."""

    codebook: str
    design: dict[str, str]
    variables: dict[str, VariableMeta]

    def __getitem__(self, name: str) -> VariableMeta:
        if name not in self.variables:
            close = difflib.get_close_matches(name, list(self.variables), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise DataError(f"unknown harmonised variable {name!r}{hint}")
        return self.variables[name]

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def weight_for(self, item: str, year: int) -> str:
        """The weight column that applies to ``item`` in ``year`` (half weight if half-only)."""
        meta = self[item]
        if year not in meta.weights:
            years = ", ".join(map(str, meta.years)) or "no year"
            raise DataError(f"{item!r} was not measured in {year}; it was in: {years}")
        return meta.weights[year]

    def to_dict(self) -> dict[str, Any]:
        return {
            "codebook": self.codebook,
            "design": dict(self.design),
            "variables": {k: v.to_dict() for k, v in self.variables.items()},
        }

    def frame(self) -> pd.DataFrame:
        """One row per variable and year: source, half, weight column."""
        rows = [
            {
                "variable": m.name,
                "year": y,
                "source": m.sources.get(y, m.derived_from),
                "half": m.halves.get(y),
                "weight": m.weights.get(y),
            }
            for m in self.variables.values()
            for y in m.years
        ]
        return pd.DataFrame(rows, columns=["variable", "year", "source", "half", "weight"])
