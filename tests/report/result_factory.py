"""Monitor results with known content, for the report tests and the report benchmark.

The report works from result objects only, so these build a ``MonitorResult`` directly (the
schema of docs/outputs.md) from chosen yearly levels, group offsets and sample sizes. The tests
use a small one (``small_result``) with three facts built in:

* a known rise: supervisor support (``support_any``) rises 0.6 percentage points a year;
* a known lagging group: the low-educated are 18 points behind on non-formal learning;
* a suppressed cell: employees aged 65-74 have fewer than 200 respondents in every year (and
  would "lag" by 25 points if they were published).

``full_result`` has the monitor's full shape (default spec: 20 indicators, 11 years, ~40 groups)
for the benchmark. Comparisons and trends are computed here with simple textbook formulas
(independent normal estimates, weighted least squares on the yearly estimates): they only need
to be internally consistent, not to equal the monitor's design-based numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from leercultuur.monitor import (
    ASSOCIATION_COLUMNS,
    COMPARISON_COLUMNS,
    ESTIMATE_COLUMNS,
    TREND_COLUMNS,
    MonitorResult,
    MonitorSpec,
    load_spec,
)

YEARS = list(range(2012, 2023))
N_ALL = {y: 25_000 if y < 2014 else 40_000 if y < 2018 else 60_000 for y in YEARS}
ARTICLE_NONFORMAL = [54.0, 52.0, 52.0, 51.0, 51.0, 51.0, 51.0, 51.0, 49.0, 49.0, 52.0]
INFORMAL_YEARS = [2020, 2022]
DEFF = 1.5
SD_MEAN = 0.5  # within-group SD of the scale means

# Share of respondents per group (within a breakdown the shares need not sum to 1 exactly).
GROUP_SHARES: dict[str, dict[str, float]] = {
    "education": {"low": 0.2, "middle": 0.4, "high": 0.4},
    "age_class": {
        "15-24": 0.15, "25-34": 0.22, "35-44": 0.21, "45-54": 0.22, "55-64": 0.197, "65-74": 0.003,
    },
    "company_size": {"1-9": 0.12, "10-49": 0.22, "50-99": 0.12, "100-249": 0.14, "250+": 0.40},
    "contract": {"permanent": 0.72, "temporary": 0.17, "agency": 0.04, "on_call": 0.07},
    "sector": {s: 1 / 19 for s in "ABCDEFGHIJKLMNOPQRS"},
    "sex": {"male": 0.52, "female": 0.48},
}  # fmt: skip


@dataclass
class Plan:
    """What to build: yearly levels of all employees, group offsets, measured years."""

    spec: MonitorSpec
    levels: dict[str, list[float]]  # indicator -> estimate per measured year
    years: dict[str, list[int]]
    offsets: dict[tuple[str, str, str], float] = field(default_factory=dict)
    shares: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: GROUP_SHARES)
    seed: int = 7
    offset_sd: float = 3.0  # SD of the random persistent group offsets (percentage points)
    gaps: tuple[str, ...] = ()


def small_spec() -> MonitorSpec:
    spec = load_spec().model_dump()
    keep = ["nonformal", "informal_tasks_much", "support_any", "autonomy_scale"]
    spec["indicators"] = [i for i in spec["indicators"] if i["id"] in keep]
    spec["breakdowns"] = [b for b in spec["breakdowns"] if b["id"] in ("education", "age_class")]
    spec["associations"] = {
        "outcomes": ["nonformal"],
        "predictors": ["autonomy_scale", "support_any"],
        "controls": ["education"],
    }
    return MonitorSpec.model_validate(spec)


def small_result() -> MonitorResult:
    spec = small_spec()
    plan = Plan(
        spec=spec,
        levels={
            "nonformal": ARTICLE_NONFORMAL,
            "informal_tasks_much": [40.0, 40.6],
            "support_any": [50.0 + 0.6 * k for k in range(11)],
            "autonomy_scale": [2.40 + 0.002 * ((k * 7) % 3 - 1) for k in range(11)],
        },
        years={
            "nonformal": YEARS,
            "informal_tasks_much": INFORMAL_YEARS,
            "support_any": YEARS,
            "autonomy_scale": YEARS,
        },
        offsets={
            ("nonformal", "education", "low"): -18.0,
            ("nonformal", "education", "middle"): 0.0,
            ("nonformal", "education", "high"): 8.0,
            ("nonformal", "age_class", "65-74"): -25.0,
        },
        shares={k: GROUP_SHARES[k] for k in ("education", "age_class")},
        seed=3,
        offset_sd=1.5,
        gaps=("organisational resources for learning (time, budget): not in the NEA",),
    )
    return build_result(plan, random_offsets=True)


def full_result(seed: int = 11) -> MonitorResult:
    spec = load_spec()
    rng = np.random.default_rng(seed)
    levels: dict[str, list[float]] = {}
    years: dict[str, list[int]] = {}
    for ind in spec.indicators:
        informal = ind.items[0].startswith("learn_")
        yrs = INFORMAL_YEARS if informal else YEARS
        start = rng.uniform(30, 70) if ind.is_percentage else rng.uniform(2.0, 3.0)
        step = rng.normal(0, 0.3) if ind.is_percentage else rng.normal(0, 0.005)
        noise = 0.8 if ind.is_percentage else 0.01
        levels[ind.id] = [start + step * k + rng.normal(0, noise) for k in range(len(yrs))]
        years[ind.id] = yrs
    plan = Plan(spec=spec, levels=levels, years=years, seed=seed)
    return build_result(plan, random_offsets=True)


def build_result(plan: Plan, *, random_offsets: bool) -> MonitorResult:
    spec, rng = plan.spec, np.random.default_rng(plan.seed)
    persistent = {
        (i.id, b.id, g): rng.normal(0, plan.offset_sd if i.is_percentage else 0.05)
        for i in spec.indicators
        for b in spec.breakdowns
        for g in plan.shares[b.id]
    }
    rows = []
    for ind in spec.indicators:
        pct = ind.is_percentage
        for k, year in enumerate(plan.years[ind.id]):
            level = plan.levels[ind.id][k]
            rows.append(_estimate(ind.id, year, "all", "all", level, N_ALL[year], pct))
            for b in spec.breakdowns:
                for g, share in plan.shares[b.id].items():
                    off = plan.offsets.get((ind.id, b.id, g))
                    if off is None and random_offsets:
                        off = persistent[(ind.id, b.id, g)] + rng.normal(0, 0.4 if pct else 0.01)
                    n = round(N_ALL[year] * share)
                    rows.append(_estimate(ind.id, year, b.id, g, level + (off or 0.0), n, pct))
    est = pd.DataFrame(rows)
    est["suppressed"] = est["n"] < spec.publication_threshold
    est = est[ESTIMATE_COLUMNS]
    comp = _comparisons(est, spec)
    trends = _trends(est, spec)
    assoc = _associations(spec, plan)
    manifest = {
        "software": "leercultuur 0.1.0 (test fixture)",
        "created": "2026-11-28T00:00:00+00:00",
        "inputs": [{"file": f"nea_{y}.sav", "sha256": "0" * 64, "rows": N_ALL[y]} for y in YEARS],
    }
    return MonitorResult(
        spec=spec,
        estimates=est,
        comparisons=comp,
        trends=trends,
        associations=assoc,
        manifest=manifest,
        gaps=plan.gaps,
    )


def _estimate(ind: str, year: int, bd: str, g: str, v: float, n: int, pct: bool) -> dict:
    if pct:
        v = float(np.clip(v, 1.0, 99.0))
        se = 100 * np.sqrt(v / 100 * (1 - v / 100) / n * DEFF)
    else:
        se = SD_MEAN * np.sqrt(DEFF / n)
    return {
        "indicator": ind, "year": year, "breakdown": bd, "group": g,
        "unit": "%" if pct else "mean", "estimate": v, "se": se,
        "ci_low": v - 1.96 * se, "ci_high": v + 1.96 * se, "n": n, "n_eff": n / DEFF,
        "deff": DEFF, "df": max(n - 40, 1), "suppressed": False,
    }  # fmt: skip


def _effect(a: np.ndarray, b: np.ndarray, pct: np.ndarray, wa: np.ndarray, wb: np.ndarray):
    pbar = (a * wa + b * wb) / (wa + wb) / 100
    d = np.where(pct, (a - b) / 100 / np.sqrt(pbar * (1 - pbar)), (a - b) / SD_MEAN)
    pa, pb = np.clip(a / 100, 0, 1), np.clip(b / 100, 0, 1)
    h = np.where(pct, 2 * np.arcsin(np.sqrt(pa)) - 2 * np.arcsin(np.sqrt(pb)), np.nan)
    return d, h


def _finish_tests(t: pd.DataFrame, spec: MonitorSpec) -> pd.DataFrame:
    t["statistic"] = t["difference"] / t["se"]
    t["p_value"] = 2 * stats.norm.sf(np.abs(t["statistic"]))
    t["p_adjusted"] = t["p_value"]
    t["significant"] = t["p_adjusted"] < spec.alpha
    big = np.abs(t["d"]) >= spec.effect_size_threshold
    t["marker"] = np.where(t["significant"], np.where(big, "**", "*"), "")
    t["method"] = "design"
    return t


def _comparisons(est: pd.DataFrame, spec: MonitorSpec) -> pd.DataFrame:
    key = ["indicator", "breakdown", "group"]
    est = est.sort_values([*key, "year"])
    prev = est.groupby(key).shift(1)
    yoy = est[prev["year"].notna()].copy()
    p = prev.loc[yoy.index]
    yoy["comparison"] = "year_on_year"
    yoy["year_from"] = p["year"].astype(int)
    yoy["estimate_a"], yoy["estimate_b"] = yoy["estimate"], p["estimate"]
    yoy["se"] = np.hypot(yoy["se"], p["se"])
    yoy["suppressed"] = yoy["suppressed"] | p["suppressed"].astype(bool)
    n_b = p["n"].to_numpy(float)
    # group vs rest, same year: rest = n-weighted mean of the other groups
    grp = est[est["breakdown"] != "all"].copy()
    grp["_wn"] = grp["estimate"] * grp["n"]
    tot = grp.groupby(["indicator", "breakdown", "year"])[["_wn", "n"]].transform("sum")
    rest_n = tot["n"] - grp["n"]
    gvr = grp.copy()
    gvr["comparison"] = "group_vs_rest"
    gvr["year_from"] = pd.NA
    gvr["estimate_a"] = grp["estimate"]
    gvr["estimate_b"] = (tot["_wn"] - grp["_wn"]) / rest_n
    pct = grp["unit"] == "%"
    pb = gvr["estimate_b"] / 100
    se_rest = np.where(
        pct, 100 * np.sqrt(pb * (1 - pb) * DEFF / rest_n), SD_MEAN * np.sqrt(DEFF / rest_n)
    )
    gvr["se"] = np.hypot(grp["se"], se_rest)
    parts = []
    for t, nb in ((yoy, n_b), (gvr, rest_n.to_numpy(float))):
        t = t.copy()
        t["difference"] = t["estimate_a"] - t["estimate_b"]
        t["d"], t["h"] = _effect(
            t["estimate_a"].to_numpy(), t["estimate_b"].to_numpy(), (t["unit"] == "%").to_numpy(),
            t["n"].to_numpy(float), nb,
        )  # fmt: skip
        t["df"] = 1000
        parts.append(_finish_tests(t, spec))
    out = pd.concat(parts, ignore_index=True)
    out["year_from"] = out["year_from"].astype("Int64")
    return out[COMPARISON_COLUMNS]


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sw = np.sqrt(w)[:, None]
    xtx_inv = np.linalg.inv((x * sw).T @ (x * sw))
    beta = xtx_inv @ (x * sw).T @ (y * sw[:, 0])
    return beta, np.sqrt(np.diag(xtx_inv))


def _trends(est: pd.DataFrame, spec: MonitorSpec) -> pd.DataFrame:
    rows = []
    k = spec.trend.break_year
    slopes: dict[tuple[str, str, str], tuple[float, float]] = {}
    for (ind, bd, g), t in est.groupby(["indicator", "breakdown", "group"], sort=False):
        t = t.sort_values("year")
        yrs = t["year"].to_numpy(float)
        y, se = t["estimate"].to_numpy(), t["se"].to_numpy()
        pct = t["unit"].iloc[0] == "%"
        first, last = t.iloc[0], t.iloc[-1]
        d = _effect(
            np.array([last["estimate"]]), np.array([first["estimate"]]), np.array([pct]),
            np.array([float(last["n"])]), np.array([float(first["n"])]),
        )[0][0]  # fmt: skip
        row = {
            "indicator": ind, "breakdown": bd, "group": g, "first_year": int(yrs[0]),
            "last_year": int(yrs[-1]), "n_years": len(yrs), "change": y[-1] - y[0], "d": d,
            "method": "design",
        }  # fmt: skip
        nan = {c: np.nan for c in ("slope", "se", "statistic", "df", "p_value", "slope_change",
                                   "slope_change_se", "slope_change_p")}  # fmt: skip
        row.update(nan)
        row.update(significant=False, marker="", break_year=pd.NA)
        if len(yrs) >= spec.trend.min_years:
            x = np.column_stack([np.ones_like(yrs), yrs - yrs[0]])
            b, s = _wls(x, y, 1 / se**2)
            p = 2 * stats.norm.sf(abs(b[1] / s[1]))
            sig = p < spec.alpha
            big = abs(d) >= spec.effect_size_threshold
            row.update(slope=b[1], se=s[1], statistic=b[1] / s[1], df=1000, p_value=p)
            row.update(significant=sig, marker=("**" if big else "*") if sig else "")
            slopes[(ind, bd, g)] = (b[1], s[1])
            if k is not None and yrs[0] < k < yrs[-1] and (yrs >= k).sum() >= 2:
                xh = np.column_stack([x, np.clip(yrs - k, 0, None)])
                bh, sh = _wls(xh, y, 1 / se**2)
                row.update(break_year=k, slope_change=bh[2], slope_change_se=sh[2])
                row["slope_change_p"] = 2 * stats.norm.sf(abs(bh[2] / sh[2]))
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in ("diff_vs_rest", "diff_vs_rest_se", "diff_vs_rest_p"):
        out[c] = np.nan
    # group slope minus the all-employees slope stands in for "minus the rest"
    for i, r in out.iterrows():
        key = (r["indicator"], r["breakdown"], r["group"])
        if r["breakdown"] != "all" and key in slopes:
            b_all, s_all = slopes[(r["indicator"], "all", "all")]
            b_g, s_g = slopes[key]
            dv, ds = b_g - b_all, float(np.hypot(s_g, s_all))
            out.loc[i, ["diff_vs_rest", "diff_vs_rest_se"]] = [dv, ds]
            out.loc[i, "diff_vs_rest_p"] = 2 * stats.norm.sf(abs(dv / ds))
    out["break_year"] = out["break_year"].astype("Int64")
    return out[TREND_COLUMNS]


def _associations(spec: MonitorSpec, plan: Plan) -> pd.DataFrame:
    a = spec.associations
    rows = []
    for outcome in a.outcomes:
        for year in plan.years.get(outcome, []):
            terms = ["(Intercept)", *a.predictors]
            for j, term in enumerate(terms):
                est = 20.0 if j == 0 else 4.0 + 2.0 * j + 0.1 * (year - 2012)
                se = 1.5 if j == 0 else 0.8
                t = est / se
                rows.append({
                    "outcome": outcome, "year": year, "term": term, "estimate": est, "se": se,
                    "statistic": t, "df": 1000, "p_value": 2 * stats.norm.sf(abs(t)),
                    "n": N_ALL[year],
                })  # fmt: skip
    return pd.DataFrame(rows, columns=ASSOCIATION_COLUMNS)
