"""Designs of the monitor: one per weight plan, over the stacked years.

Each year of the NEA is its own sample, so the stacked years always get strata nested in years:
the design's stratum is the pair (year, stratum), whatever type the codebook gives the stratum
column (an integer class code 1..40 repeated every year must not pool 2012's class 5 with
2022's). PSUs, when the spec names a PSU column, are nested in (year, stratum) likewise (R's
``nest=TRUE``). Items asked of one split half use that half's weight. The lonely-PSU rule comes
from the spec. Everything the monitor cannot honour is an error naming the setting.

The classic tests (``--classic``) use the spec's ``classic_weight`` normalised to mean 1 within
each year (the article's SPSS practice); it is carried on each design as ``CLASSIC_WEIGHT``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from leercultuur.errors import DataError, SpecError, format_rows
from leercultuur.monitor._indicators import IndicatorFrame, plan_weights, weight_plans
from leercultuur.monitor._spec import MonitorSpec
from leercultuur.survey import Design

ALL = "all"  # breakdown id and group of the whole population
STRATUM = "__stratum"  # (year, stratum) codes
PSU = "__psu"  # (year, stratum, psu) codes
CLASSIC_WEIGHT = "__classic_w"  # classic_weight normalised to mean 1 per year

Progress = Callable[[str], None]


def _missing_rows(data: pd.DataFrame, col: str, setting: str) -> None:
    bad = data[col].isna().to_numpy()
    if bad.any():
        rows = np.flatnonzero(bad)
        raise DataError(
            f"{setting}: column {col!r} has no value in {rows.size} rows ({format_rows(rows)}); "
            "every respondent needs one for the design"
        )


def check_design_columns(data: pd.DataFrame, spec: MonitorSpec, *, method: str) -> None:
    """Every design column the spec names exists and is complete, else an error naming it."""
    d = spec.design
    named = {"design.year": d.year, "design.strata": d.strata, "design.psu": d.psu}
    if method == "classic":
        named["design.classic_weight"] = d.classic_weight
    absent = [f"{k}: {v!r}" for k, v in named.items() if v is not None and v not in data.columns]
    if absent:
        raise DataError(
            "the data has no column for " + "; ".join(absent) + ". Give the column in the "
            "codebook under that name, or set the spec's design block to the name your codebook "
            "uses (leercultuur spec default shows the default spec)"
        )
    for k, v in named.items():
        if v is not None:
            _missing_rows(data, v, k)
    if method == "classic":
        _check_positive(data, d.classic_weight, "design.classic_weight")


def _check_positive(data: pd.DataFrame, col: str, setting: str) -> None:
    try:
        w = data[col].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise DataError(f"{setting}: column {col!r} is not numeric") from None
    bad = ~(w > 0)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise DataError(
            f"{setting}: weight column {col!r} is not positive in {rows.size} rows "
            f"({format_rows(rows)}); weights must be > 0"
        )


def _codes(data: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Integer codes of the combinations of ``cols`` (year x stratum, year x stratum x psu)."""
    keys = [pd.factorize(data[c], sort=True)[0] for c in cols]
    combined = np.zeros(len(data), np.int64)
    for k in keys:
        combined = combined * (int(k.max(initial=0)) + 1) + k
    return pd.factorize(combined, sort=True)[0]


def design_frame(data: pd.DataFrame, spec: MonitorSpec, *, method: str) -> pd.DataFrame:
    """The columns every design of the monitor carries: year, nested strata and PSUs, the
    breakdown and control columns, and the normalised classic weight (classic mode)."""
    d = spec.design
    check_design_columns(data, spec, method=method)
    used = [d.year, *(b.column for b in spec.breakdowns), *spec.associations.controls]
    keep = list(dict.fromkeys(c for c in used if c in data.columns))
    df = data[keep].copy()
    if d.strata is not None:
        df[STRATUM] = _codes(data, [d.year, d.strata])
    if d.psu is not None:
        df[PSU] = _codes(data, [d.year, *([d.strata] if d.strata else []), d.psu])
    if method == "classic":
        df[CLASSIC_WEIGHT] = normalised_per_year(
            data[d.classic_weight].to_numpy(dtype=np.float64), data[d.year].to_numpy()
        )
    return df


def normalised_per_year(w: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Weights scaled to mean 1 within each year (sum = that year's number of rows)."""
    codes, _ = pd.factorize(years)
    return w * (np.bincount(codes) / np.bincount(codes, weights=w))[codes]


def plan_designs(
    data: pd.DataFrame, frame: IndicatorFrame, spec: MonitorSpec, *, method: str = "design"
) -> list[tuple[Design, list[str]]]:
    """One design per weight plan, over the columns the monitor uses plus the indicators.

    Only the design, breakdown and control columns are carried (not the whole harmonised
    table), so no design copies data it never reads."""
    base = design_frame(data, spec, method=method)
    designs = []
    for k, (plan, ids) in enumerate(sorted(weight_plans(frame).items())):
        wcol = f"__w{k}"
        _check_plan_columns(data, plan, ids)
        w = plan_weights(data, spec.design.year, plan)
        _check_plan_weights(data, spec.design.year, plan, w, ids)
        df = pd.concat([base, frame.values.add_prefix("ind__")], axis=1)
        df[wcol] = w
        d = Design(
            df,
            weights=wcol,
            strata=STRATUM if spec.design.strata is not None else None,
            psu=PSU if spec.design.psu is not None else None,
            lonely_psu=spec.design.lonely_psu,
        )
        designs.append((d, ids))
    return designs


def describe_design(
    data: pd.DataFrame, spec: MonitorSpec, frame: IndicatorFrame, *, method: str
) -> dict[str, Any]:
    """What the manifest and the method section say about the design that was used."""
    d = spec.design
    years = data[d.year].to_numpy()
    per_year: dict[str, dict[str, int]] = {}
    for y in np.unique(years):
        sel = years == y
        entry = {"rows": int(sel.sum())}
        if d.strata is not None:
            entry["strata"] = int(pd.unique(data.loc[sel, d.strata]).size)
        if d.psu is not None:
            entry["psus"] = int(
                data.loc[sel, [*([d.strata] if d.strata else []), d.psu]].drop_duplicates().shape[0]
            )
        per_year[str(int(y))] = entry
    weights = sorted({c for per in frame.weights.values() for c in per.values()})
    out: dict[str, Any] = {
        "year": d.year,
        "strata": d.strata,
        "strata_nested_in_years": d.strata is not None,
        "psu": d.psu,
        "psu_nested_in_strata": d.psu is not None,
        "lonely_psu": d.lonely_psu,
        "weights": weights,
        "weights_per_indicator": {k: {str(y): c for y, c in v.items()}
                                  for k, v in frame.weights.items()},
        "classic_weight": d.classic_weight if method == "classic" else None,
        "classic_weight_normalised": "mean 1 within each year" if method == "classic" else None,
        "per_year": per_year,
    }  # fmt: skip
    out["summary"] = {"nl": _summary(out, "nl"), "en": _summary(out, "en")}
    return out


_PHRASES = {
    "en": {
        "intro": "Each of the {n} survey years is an independent sample",
        "strata": "strata ({span} per year, column '{strata}') are nested in years",
        "no_strata": "there are no strata",
        "psu": "sampling units (column '{psu}') are nested in strata",
        "element": "each respondent is a sampling unit",
        "weights": "weights: {w}",
        "classic": " The classic tests use the weight '{cw}', scaled to mean 1 within each year.",
        "adjust": "a stratum with one sampling unit contributes its deviation from the overall "
        "mean (R survey: 'adjust')",
        "average": "a stratum with one sampling unit gets the average variance of the other "
        "strata (R survey: 'average')",
        "remove": "a stratum with one sampling unit adds no variance (R survey: 'remove')",
        "certainty": "a stratum with one sampling unit counts as sampled with certainty "
        "(R survey: 'certainty')",
        "fail": "strata with one sampling unit are not allowed",
    },
    "nl": {
        "intro": "Elk van de {n} enquêtejaren is een onafhankelijke steekproef",
        "strata": "de strata ({span} per jaar, kolom '{strata}') liggen binnen de jaren",
        "no_strata": "er zijn geen strata",
        "psu": "de steekproefeenheden (kolom '{psu}') liggen binnen de strata",
        "element": "elke respondent is een steekproefeenheid",
        "weights": "gewichten: {w}",
        "classic": " De klassieke toetsen gebruiken het gewicht '{cw}', per jaar herschaald naar "
        "gemiddelde 1.",
        "adjust": "een stratum met één steekproefeenheid draagt bij met zijn afwijking van het "
        "totale gemiddelde (R survey: 'adjust')",
        "average": "een stratum met één steekproefeenheid krijgt de gemiddelde variantie van de "
        "andere strata (R survey: 'average')",
        "remove": "een stratum met één steekproefeenheid draagt niets bij aan de variantie "
        "(R survey: 'remove')",
        "certainty": "een stratum met één steekproefeenheid geldt als met zekerheid getrokken "
        "(R survey: 'certainty')",
        "fail": "strata met één steekproefeenheid zijn niet toegestaan",
    },
}


def _summary(info: dict[str, Any], lang: str) -> str:
    """One sentence for the method section, from the design description."""
    ph = _PHRASES[lang]
    strata = [v.get("strata", 0) for v in info["per_year"].values()]
    lo, hi = min(strata, default=0), max(strata, default=0)
    values = {"n": len(info["per_year"]), "span": f"{lo}" if lo == hi else f"{lo}-{hi}",
              "strata": info["strata"], "psu": info["psu"], "w": ", ".join(info["weights"]),
              "cw": info["classic_weight"]}  # fmt: skip
    parts = [
        ph["intro"],
        ph["strata"] if info["strata"] else ph["no_strata"],
        ph["psu"] if info["psu"] else ph["element"],
        ph["weights"],
        ph[info["lonely_psu"]],
    ]
    text = "; ".join(parts).format(**values) + "."
    return text + (ph["classic"].format(**values) if info["classic_weight"] else "")


def group_order(col: pd.Series) -> dict[object, int]:
    """Report order of a breakdown's groups: category order, else sorted values; missing last."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = list(col.cat.categories)
    else:
        cats = sorted(pd.unique(col.dropna()).tolist())
    order: dict[object, int] = {c: k for k, c in enumerate(cats)}
    order[None] = len(cats)
    return order


def _check_plan_columns(
    data: pd.DataFrame, plan: tuple[tuple[int, str], ...], ids: list[str]
) -> None:
    """A weight column named by the codebook must be in the data."""
    absent = sorted({c for _, c in plan if c not in data.columns})
    if absent:
        raise SpecError(
            f"weight column(s) {', '.join(map(repr, absent))} (the codebook's design.weight or "
            f"design.weight_half, used by {', '.join(ids)}) are not in the data; name the "
            "weight variables in the codebook's design block"
        )


def _check_plan_weights(
    data: pd.DataFrame, year: str, plan: tuple[tuple[int, str], ...], w: np.ndarray,
    ids: list[str],
) -> None:  # fmt: skip
    """A year whose weight is missing or not positive: name the weight column, year and rows."""
    cols = dict(plan)
    years = data[year].to_numpy()
    for bad, what in ((np.isnan(w), "missing"), (~np.isnan(w) & ~(w > 0), "not positive")):
        if not bad.any():
            continue
        parts = []
        for y in np.unique(years[bad]):
            rows = np.flatnonzero(bad & (years == y))
            col = cols.get(int(y), plan[0][1])
            parts.append(f"{col!r} in {int(y)}: {rows.size} rows ({format_rows(rows)})")
        raise DataError(
            f"{what} weights for " + "; ".join(parts) + f" (used by {', '.join(ids)}); every "
            "respondent needs a positive weight: check the codebook's weight variable (design."
            "weight) for that year"
        )
