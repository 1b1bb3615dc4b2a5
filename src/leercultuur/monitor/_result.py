"""The monitor's result: frozen, serialisable, in tidy long tables (schema in docs/outputs.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from leercultuur.errors import DataError
from leercultuur.io import write_csv
from leercultuur.monitor._spec import MonitorSpec

# Column order of each table; documented in docs/outputs.md.
ESTIMATE_COLUMNS = [
    "indicator", "year", "breakdown", "group", "unit", "estimate", "se", "ci_low", "ci_high",
    "n", "n_eff", "deff", "df", "suppressed",
]  # fmt: skip
COMPARISON_COLUMNS = [
    "indicator", "comparison", "breakdown", "group", "year", "year_from", "estimate_a",
    "estimate_b", "difference", "se", "statistic", "df", "p_value", "p_adjusted", "d", "h",
    "significant", "marker", "method", "suppressed",
]  # fmt: skip
TREND_COLUMNS = [
    "indicator", "breakdown", "group", "first_year", "last_year", "n_years", "slope", "se",
    "statistic", "df", "p_value", "change", "d", "significant", "marker", "break_year",
    "slope_change", "slope_change_se", "slope_change_p", "diff_vs_rest", "diff_vs_rest_se",
    "diff_vs_rest_p", "method",
]  # fmt: skip
ASSOCIATION_COLUMNS = [
    "outcome", "year", "term", "estimate", "se", "statistic", "df", "p_value", "n",
]  # fmt: skip

TABLES = ("estimates", "comparisons", "trends", "associations")
MISSING_GROUP = "(missing)"  # the group of respondents with no value for a breakdown


def labels_table(labels: dict[str, Any]) -> pd.DataFrame:
    """The codebook's labels as a tidy table: one row per variable (``code`` empty) and per
    category of a reported variable (``code`` as the tables write the group)."""
    rows = [(v, "", lab["nl"], lab["en"]) for v, lab in labels.get("variables", {}).items()]
    rows += [
        (v, code, lab["nl"], lab["en"])
        for v, cats in labels.get("categories", {}).items()
        for code, lab in cats.items()
    ]
    return pd.DataFrame(rows, columns=["variable", "code", "label_nl", "label_en"])


@dataclass(frozen=True)
class MonitorResult:
    """Everything the monitor computed, plus what it could not compute and why."""

    spec: MonitorSpec
    estimates: pd.DataFrame
    comparisons: pd.DataFrame
    trends: pd.DataFrame
    associations: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    gaps: tuple[str, ...] = ()

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise ValueError(f"table={name!r} is not allowed; choose one of: {', '.join(TABLES)}")
        return getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec.model_dump(mode="json"),
            **{t: json.loads(self.table(t).to_json(orient="records")) for t in TABLES},
            "manifest": self.manifest,
            "gaps": list(self.gaps),
        }

    def save(self, out: str | Path) -> Path:
        """Write every table as Parquet and CSV, the spec and the manifest, into ``out``."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            df = self.table(t)
            df.to_parquet(out / f"{t}.parquet", index=False)
            write_csv(df, out / f"{t}.csv")  # the bytes of df.to_csv(index=False), faster
        (out / "spec.json").write_text(
            json.dumps(self.spec.model_dump(mode="json"), indent=2, ensure_ascii=False)
        )
        manifest = dict(self.manifest)
        manifest["gaps"] = list(self.gaps)
        labels_table(manifest.get("labels") or {}).to_csv(out / "labels.csv", index=False)
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        return out

    @classmethod
    def load(cls, path: str | Path) -> MonitorResult:
        """Read a result directory written by :meth:`save`."""
        p = Path(path)
        missing = [f"{t}.parquet" for t in TABLES if not (p / f"{t}.parquet").exists()]
        missing += [f for f in ("spec.json", "manifest.json") if not (p / f).exists()]
        if missing:
            raise DataError(
                f"{str(p)!r} is not a monitor result directory (missing {', '.join(missing)}); "
                "run `leercultuur monitor ... --out DIR` first"
            )
        spec = MonitorSpec.model_validate(json.loads((p / "spec.json").read_text()))
        manifest = json.loads((p / "manifest.json").read_text())
        gaps = tuple(manifest.pop("gaps", []))
        tables = {t: pd.read_parquet(p / f"{t}.parquet") for t in TABLES}
        return cls(spec=spec, manifest=manifest, gaps=gaps, **tables)
