"""A small private mapping of the raw synthetic NEA to analysis variables (for tests only; the
real mapping is the codebook of leercultuur.io)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leercultuur.survey import Design


def _valid(s: pd.Series) -> pd.Series:
    s = pd.to_numeric(s, errors="coerce").astype(float)
    return s.where(~s.isin([8, 9]))


def harmonise(raw: pd.DataFrame, year: int) -> pd.DataFrame:
    out = pd.DataFrame({"year": year, "stratum": raw["STRATUM"].to_numpy()})
    out["weight"] = raw["WEGING"].to_numpy()
    out["weight_half"] = raw["WEGING_H"].to_numpy() if "WEGING_H" in raw else out["weight"]
    course = _valid(raw["CURSUS2J" if year < 2018 else "OPLCURS"])
    out["course"] = (2 - course).to_numpy() * 100  # ja=1 -> 100, nee=2 -> 0
    age = raw["LEEFTIJD"].to_numpy()
    out["age55"] = np.where(age >= 55, "55+", "<55")
    edu = raw["OPLNIV"].to_numpy()
    out["education"] = np.select([edu <= 2, edu <= 4], ["low", "middle"], "high")
    out["contract"] = pd.Series(raw["CONTRACT"].to_numpy()).map(
        {1: "permanent", 2: "temporary", 3: "temporary", 4: "agency", 5: "on_call"}
    )
    out["size"] = pd.Series(raw["BEDRGR"].to_numpy()).map(
        {1: "1-9", 2: "10-49", 3: "50-99", 4: "100-249", 5: "250+", 6: "250+", 8: "unknown"}
    )
    var = pd.concat([_valid(raw[c]) for c in ("VARIATIE", "NIEUWLEREN", "CREATIEF")], axis=1)
    if year >= 2018:
        var = 5 - var
    out["var_high"] = np.where(var.notna().all(axis=1), (var.mean(axis=1) >= 3.0) * 100.0, np.nan)
    aut_cols = ("AUT_HOE", "AUT_VOLGORDE", "AUT_TEMPO", "AUT_OPLOSS", "AUT_VERLOF")
    aut = 4 - pd.concat([_valid(raw[c]) for c in aut_cols], axis=1)
    out["aut_high"] = np.where(aut.notna().all(axis=1), (aut.mean(axis=1) >= 2.5) * 100.0, np.nan)
    sup = _valid(raw["LG_STIMULEERT"]).to_numpy()
    out["sup_high"] = np.where(np.isnan(sup), np.nan, (sup == 3) * 100.0)
    for c, name in (("LEERT_TAKEN", "tasks"), ("LEERT_MENSEN", "people")):
        v = _valid(raw[c]).to_numpy() if c in raw else np.full(len(raw), np.nan)
        out[f"{name}_veel"] = np.where(np.isnan(v), np.nan, (v == 1) * 100.0)
        out[f"{name}_some"] = np.where(np.isnan(v), np.nan, (v != 3) * 100.0)
    return out


HALF_ITEMS_2022 = {"sup_high", "tasks_veel", "tasks_some", "people_veel", "people_some"}


def estimate(h: pd.DataFrame, var: str, by: str | None = None) -> pd.DataFrame:
    """Weighted % with the engine: Design(weights, strata); half-specific weight in 2022."""
    year = int(h["year"].iloc[0])
    wcol = "weight_half" if (year >= 2022 and var in HALF_ITEMS_2022) else "weight"
    d = Design(h, weights=wcol, strata="stratum")
    return d.mean(var, by=by, na_rm=True)


def pct(h: pd.DataFrame, var: str) -> float:
    return float(estimate(h, var)["estimate"].iloc[0])


def by_pct(h: pd.DataFrame, var: str, by: str) -> dict[str, float]:
    r = estimate(h, var, by)
    return dict(zip(r[by], r["estimate"], strict=True))
