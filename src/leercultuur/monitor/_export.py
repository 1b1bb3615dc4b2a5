"""Benchmark export for the Quickscan: national figures of the latest year, versioned JSON.

The JSON Schema (``schemas/benchmark-v1.schema.json``) is generated from the pydantic models
below, so the file and its schema cannot disagree; a test checks the committed schema is current.
For each indicator's latest measured year: the national estimate and, per company size class and
per sector, the group's estimate. A suppressed cell (n below the publication threshold) carries
no figure and names its fallback: for a sector, its size class is not related, so the fallback is
the national figure; for a size class, the national figure.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from leercultuur import __version__
from leercultuur.errors import DataError
from leercultuur.monitor._result import MISSING_GROUP, MonitorResult

SCHEMA_VERSION = 1


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cell(_M):
    estimate: float | None = Field(description="weighted estimate; null when suppressed")
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int = Field(description="unweighted respondents")
    suppressed: bool
    fallback: Literal["national"] | None = Field(
        default=None, description="which figure to show instead when suppressed"
    )


class IndicatorBenchmark(_M):
    id: str
    label_nl: str
    label_en: str
    unit: Literal["%", "mean"]
    year: int = Field(description="latest year in which the indicator was measured")
    national: Cell
    company_size: dict[str, Cell] = Field(description="per company size class")
    sector: dict[str, Cell] = Field(description="per sector (SBI section)")


class Provenance(_M):
    data: Literal["synthetic", "real"]
    source: str
    years: list[int]
    software_version: str
    created: str


class BenchmarkFile(_M):
    schema_version: Literal[1] = 1
    provenance: Provenance
    publication_threshold: int
    indicators: list[IndicatorBenchmark]


def _cell(row: pd.Series) -> Cell:
    sup = bool(row["suppressed"])

    def val(name: str) -> float | None:
        return None if sup else float(row[name])

    return Cell(
        estimate=val("estimate"),
        se=val("se"),
        ci_low=val("ci_low"),
        ci_high=val("ci_high"),
        n=int(row["n"]),
        suppressed=sup,
        fallback="national" if sup else None,
    )


def build_benchmark(
    result: MonitorResult, *, data: Literal["synthetic", "real"], source: str
) -> BenchmarkFile:
    est = result.estimates
    if est.empty:
        raise DataError("the monitor result has no estimates to export")
    inds = []
    for ind in result.spec.indicators:
        e = est[est["indicator"] == ind.id]
        if e.empty:
            continue
        year = int(e["year"].max())
        e = e[e["year"] == year]
        nat = e[e["breakdown"] == "all"]
        if nat.empty:
            continue
        known = e["group"] != MISSING_GROUP  # respondents without a size/sector: no benchmark
        groups = {
            b: {str(r["group"]): _cell(r) for _, r in e[(e["breakdown"] == b) & known].iterrows()}
            for b in ("company_size", "sector")
        }
        inds.append(
            IndicatorBenchmark(
                id=ind.id,
                label_nl=ind.label.nl,
                label_en=ind.label.en,
                unit="%" if ind.is_percentage else "mean",
                year=year,
                national=_cell(nat.iloc[0]),
                company_size=groups["company_size"],
                sector=groups["sector"],
            )
        )
    return BenchmarkFile(
        provenance=Provenance(
            data=data,
            source=source,
            years=sorted(int(y) for y in est["year"].unique()),
            software_version=__version__,
            created=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        ),
        publication_threshold=result.spec.publication_threshold,
        indicators=inds,
    )


def export_benchmark(
    result: MonitorResult, out: str | Path, *, data: Literal["synthetic", "real"], source: str
) -> Path:
    bench = build_benchmark(result, data=data, source=source)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(bench.model_dump(mode="json"), indent=2, ensure_ascii=False))
    return out


def benchmark_schema() -> dict[str, object]:
    schema = BenchmarkFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "leercultuur-benchmark-v1.schema.json"
    return schema
