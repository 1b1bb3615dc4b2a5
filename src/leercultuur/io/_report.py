"""The validation report: every problem of every file at once, plus every recode to missing.

Problems are *structural* (the table cannot be trusted: unreadable file, required variable
absent, duplicate ids, missing or negative weights, a year without a weight, text in a numeric
item, file labels that contradict the codebook's code mapping) or *warnings* (values recoded to
missing: unknown answer codes, out-of-range values, answers from the wrong split half). The
default fails on structural problems only; ``strict`` fails on any problem.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import pandas as pd

from leercultuur.errors import DataError

Severity = Literal["structural", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem: which check, where (file, raw variable, year), what and how often."""

    severity: Severity
    check: str
    file: str
    message: str
    variable: str | None = None
    year: int | None = None
    values: tuple[Any, ...] = ()
    count: int = 0
    rows: tuple[int, ...] = ()  # 0-based data rows of the first examples

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["values"] = [v if isinstance(v, int | float | str) else str(v) for v in self.values]
        out["rows"] = list(self.rows)
        return out


@dataclass(frozen=True)
class Recode:
    """How many values of one variable in one file and year became missing, and why."""

    file: str
    year: int
    variable: str
    source: str
    kind: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FileSummary:
    file: str
    format: str
    years: tuple[int, ...]
    rows: int
    columns_read: int
    columns_in_file: int

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["years"] = list(self.years)
        return out


class ValidationError(DataError):
    """Raised by :meth:`ValidationReport.raise_if_failed`; ``.report`` holds the full report."""

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class ValidationReport:
    files: tuple[FileSummary, ...]
    issues: tuple[Issue, ...]
    recodes: tuple[Recode, ...]

    @property
    def structural(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "structural")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        """No structural problem (warnings allowed)."""
        return not self.structural

    def failed(self, *, strict: bool = False) -> bool:
        return bool(self.issues) if strict else bool(self.structural)

    def raise_if_failed(self, *, strict: bool = False) -> None:
        """Raise :class:`ValidationError` listing the failing problems (all of them)."""
        if not self.failed(strict=strict):
            return
        failing = self.issues if strict else self.structural
        n_s, n_w = len(self.structural), len(self.warnings)
        head = (
            f"validation failed{' (strict)' if strict else ''}: "
            f"{n_s} structural problem{'s' * (n_s != 1)}, {n_w} warning{'s' * (n_w != 1)}"
        )
        body = "\n".join(f"  - {i.severity}: {i}" for i in failing)
        raise ValidationError(f"{head}\n{body}", self)

    def issue_frame(self) -> pd.DataFrame:
        """Tidy table of the problems (one row per problem)."""
        cols = ["severity", "check", "file", "variable", "year", "count", "values", "rows"]
        cols.append("message")
        return pd.DataFrame([i.to_dict() for i in self.issues], columns=cols)

    def recode_frame(self) -> pd.DataFrame:
        """Tidy table of every recode to missing: file, year, variable, source, kind, count."""
        cols = ["file", "year", "variable", "source", "kind", "count"]
        return pd.DataFrame([r.to_dict() for r in self.recodes], columns=cols)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": [f.to_dict() for f in self.files],
            "issues": [i.to_dict() for i in self.issues],
            "recodes": [r.to_dict() for r in self.recodes],
        }

    def format(self) -> str:
        """Plain-text report: files, problems, and the recode-to-missing summary."""
        lines = ["Files:"]
        for f in self.files:
            years = ", ".join(map(str, f.years)) or "-"
            lines.append(
                f"  {f.file} ({f.format}): {f.rows} rows, years {years}, "
                f"{f.columns_read} of {f.columns_in_file} columns read"
            )
        for title, group in (("Structural problems", self.structural), ("Warnings", self.warnings)):
            lines.append(f"{title}: {len(group) or 'none'}")
            lines.extend(f"  - {i}" for i in group)
        lines.append("Recoded to missing (variable: kind count, summed over files and years):")
        frame = self.recode_frame()
        if frame.empty:
            lines.append("  none")
        else:
            sums = frame.groupby(["variable", "kind"], sort=False)["count"].sum()
            for var, part in sums.groupby(level=0, sort=False):
                kinds = ", ".join(f"{k} {int(n)}" for k, n in part.droplevel(0).items())
                lines.append(f"  {var}: {kinds}")
        verdict = "OK" if self.ok else "FAILED"
        lines.append(
            f"Result: {verdict} ({len(self.structural)} structural, {len(self.warnings)} warnings)"
        )
        return "\n".join(lines)
