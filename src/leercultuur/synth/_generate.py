"""One year of the synthetic NEA: background, design weights raked to the population, items.

aut_lat latent structure links background -> stimulating factors -> learning:

* job quality ``job`` = sector skill + education + company size - flex contracts + noise;
* supervisor support, variation and autonomy latents load on ``job`` with their own subgroup
  trends (agency workers gain variation and support, most in 2022; 55+ gain less support and
  lose a little variation);
* course participation (logit) depends on ``job``, support, education, age, contract and
  size; informal learning on ``job``, variation, age, contract (on-call less from tasks) and
  size (1-9 less from people).

Each year's level is tuned to the public figures (``_population``): the shift of each latent is
solved by bisection so that the *weighted* share in the generated sample equals the target
(the same uniforms and noise throughout, so a shift moves only the level). Estimating from the
files therefore lands on the figures up to item non-response and rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from leercultuur.survey import Design, combine_halves, proportional_weights, rake
from leercultuur.synth import _layout as L
from leercultuur.synth import _population as P

ITEM_MISSING = (0.008, 0.004)  # share coded 8 (weet niet) and 9 (wil niet zeggen) per item


def _categorical(rng: np.random.Generator, prob: np.ndarray) -> np.ndarray:
    """One draw per row from row-wise probabilities (n x K), vectorised."""
    cum = np.cumsum(prob / prob.sum(axis=1, keepdims=True), axis=1)
    return (rng.random(len(prob))[:, None] > cum).sum(axis=1)


def _allocate(n: int, size: np.ndarray) -> np.ndarray:
    """At least ``MIN_PER_STRATUM`` per stratum, the rest in proportion to sqrt(N_h)."""
    root = np.sqrt(size)
    extra = (n - P.MIN_PER_STRATUM * len(size)) * root / root.sum()
    base = np.floor(extra).astype(int)
    left = n - P.MIN_PER_STRATUM * len(size) - base.sum()
    base[np.argsort(-(extra - base))[:left]] += 1
    return base + P.MIN_PER_STRATUM


def _solve(share: Callable[[float], float], target: float, lo: float = -8, hi: float = 8) -> float:
    """Shift with share(shift) = target for an increasing step function (bisection)."""
    for _ in range(45):
        mid = (lo + hi) / 2
        if share(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _cuts(
    lat: np.ndarray, w: np.ndarray, ok: np.ndarray, top_pct: float, bottom_pct: float
) -> tuple[float, float]:
    """Cut points with a weighted top_pct % above the first and bottom_pct % at or below the
    second (rows ``ok``)."""

    def above(c: float) -> float:
        return -_wshare(lat > c, w, ok)

    def below(c: float) -> float:
        return _wshare(lat <= c, w, ok)

    return _solve(above, -top_pct / 100), _solve(below, bottom_pct / 100)


def _wshare(hit: np.ndarray, w: np.ndarray, ok: np.ndarray) -> float:
    return float((w * (hit & ok)).sum() / (w * ok).sum())


def _background(rng: np.random.Generator, year: int) -> pd.DataFrame:
    letters, class_share = P.strata()
    sec_names = list(P.SECTIONS)
    sec_pop = P.margins(year)["section"]
    within = class_share / pd.Series(class_share).groupby(letters).transform("sum").to_numpy()
    size_h = sec_pop[[sec_names.index(x) for x in letters]] * within * P.POPULATION[year] * 1e6
    n_h = _allocate(P.SAMPLE_SIZE[year], size_h)
    stratum = np.repeat(np.arange(1, len(n_h) + 1), n_h)
    n = stratum.size
    prof = np.array([P.PROFILE[x] for x in letters])[stratum - 1]
    skill, flex, female, large = prof.T
    m = P.margins(year)
    # The sample over-represents older, female, higher educated and permanent employees
    # (non-response); raking to the margins corrects it.
    sex = 1 + (rng.random(n) < female + 0.03)
    age_pop = m["sexage"][:6] + m["sexage"][6:]
    tilt = np.log(age_pop * np.array([0.65, 0.85, 1.0, 1.1, 1.25, 1.0]))
    young = np.array([0.7, 0.3, 0.0, -0.1, -0.3, -0.3])
    age_cls = _categorical(rng, np.exp(tilt[None, :] + (flex - skill)[:, None] * young * 0.5))
    lo_age = np.array([a for a, _ in P.AGE_CLASSES])[age_cls]
    age = lo_age + np.floor(rng.random(n) * 10).astype(int)
    age_eff = np.array([-0.4, 0.25, 0.25, 0.0, -0.2, -0.3])[age_cls]
    e = skill + 0.35 + age_eff + rng.logistic(size=n) * 0.9
    edu = np.digitize(e, [-0.85, 0.75])  # 0 low, 1 middle, 2 high
    sub = rng.random(n)
    oplniv = np.select(
        [edu == 0, edu == 1], [np.where(sub < 0.15, 1, 2), np.where(sub < 0.2, 3, 4)],
        np.where(sub < 0.65, 5, 6),
    )  # fmt: skip
    c = m["contract"]
    young_flex = np.where(age_cls == 0, 2.2, np.where(age_cls == 1, 1.3, 0.8))
    flexw = np.exp(flex)[:, None] * young_flex[:, None] * 0.8
    cprob = np.c_[np.full(n, c[0]), c[1] * flexw[:, 0], c[2] * flexw[:, 0], c[3] * flexw[:, 0],
                  c[4] * flexw[:, 0]]  # fmt: skip
    contract = 1 + _categorical(rng, cprob)
    size_base = np.log([0.17, 0.22, 0.11, 0.13, 0.10, 0.27])
    size_tilt = np.array([-0.8, -0.4, 0.0, 0.2, 0.4, 0.8])
    bedrgr = 1 + _categorical(rng, np.exp(size_base[None, :] + large[:, None] * size_tilt))
    return pd.DataFrame(
        {
            "STRATUM": stratum,
            "SBI": letters[stratum - 1],
            "GESLACHT": sex,
            "LEEFTIJD": age,
            "OPLNIV": oplniv,
            "BEDRGR": bedrgr,
            "CONTRACT": contract,
            "w0": (size_h / n_h)[stratum - 1],
            "_age_cls": age_cls,
            "_edu": edu,
            "_skill": skill,
        }
    )


def _rake(df: pd.DataFrame, year: int) -> np.ndarray:
    m = P.margins(year)
    tot = P.POPULATION[year] * 1e6
    sexage = {
        (s, a): tot * m["sexage"][(s - 1) * 6 + a] for s in (1, 2) for a in range(6)
    }  # fmt: skip
    margins: dict[Hashable, Any] = {
        ("GESLACHT", "_age_cls"): sexage,
        "CONTRACT": {k + 1: tot * v for k, v in enumerate(m["contract"])},
        "_edu": {k: tot * v for k, v in enumerate(m["edu"])},
        "SBI": {k: tot * v for k, v in zip(P.SECTIONS, m["section"], strict=True)},
    }
    d = rake(Design(df, weights="w0", strata="STRATUM"), margins, epsilon=1e-10, maxit=500)
    return d.w


def _item_missing(rng: np.random.Generator, codes: np.ndarray, skip: np.ndarray) -> np.ndarray:
    u = rng.random(codes.shape) * skip.reshape(-1, *([1] * (codes.ndim - 1)))
    out = codes.astype(np.float64)
    out[u < ITEM_MISSING[0]] = 8
    out[(u >= ITEM_MISSING[0]) & (u < sum(ITEM_MISSING))] = 9
    return out


def generate_year(year: int, seed: int) -> pd.DataFrame:
    """The raw file of one year (columns of ``_layout.columns(year)``)."""
    rng = np.random.default_rng([seed, year])
    df = _background(rng, year)
    n = len(df)
    split = year >= L.FIRST_SPLIT_YEAR
    if split:
        half = np.r_[np.ones(P.HALF_SIZES[0], int), np.full(n - P.HALF_SIZES[0], 2)]
        half = rng.permutation(half)
        wh = np.empty(n)
        for h in (1, 2):
            wh[half == h] = _rake(df[half == h].reset_index(drop=True), year)
        w = combine_halves(wh, half)
    else:
        half = np.zeros(n, int)
        w = _rake(df, year)
        wh = w
    age_cls, edu, contract = df["_age_cls"].to_numpy(), df["_edu"].to_numpy(), df["CONTRACT"]
    contract = contract.to_numpy()
    size = df["BEDRGR"].to_numpy()
    old = age_cls >= 4
    agency, oncall = contract == 4, contract == 5
    t = year - 2012
    job = (
        0.5 * df["_skill"].to_numpy() + 0.45 * (edu == 2) - 0.45 * (edu == 0) + 0.1 * (size >= 4)
        - 0.3 * agency - 0.35 * oncall - 0.1 * (contract >= 2) + rng.normal(0, 0.8, n)
    )  # fmt: skip
    skip = np.where(rng.random(n) < 0.03, 0.15, 1.0)  # a few respondents skip many items
    out: dict[str, np.ndarray] = {}

    # Supervisor support (2022: half 2 only): thresholds hit the yearly targets.
    gain = np.where(old, 0.4, 1.0) + 0.6 * agency
    sup_lat = 0.5 * job + 0.06 * max(0, year - 2016) * gain + 0.12 * agency * (year == 2022)
    sup_lat = sup_lat + rng.normal(0, 1, n)
    asked_s = half == 2 if split else np.ones(n, bool)
    ws = wh if split else w
    c_hi, c_no = _cuts(sup_lat, ws, asked_s, P.SUPPORT_HIGH[year], P.SUPPORT_NO[year])
    sup = np.where(sup_lat > c_hi, 3, np.where(sup_lat > c_no, 2, 1))
    out["LG_STIMULEERT"] = np.where(asked_s, _item_missing(rng, sup, skip), np.nan)

    # Variation: 3 items on 1-4; the shift hits the share with mean >= cut-off.
    var_lat = (
        0.6 * job + 0.4 * df["_skill"].to_numpy() + agency * (0.04 * t + 0.15 * (year == 2022))
    )
    var_lat = var_lat - 0.012 * t * old + rng.normal(0, 0.7, n)
    vnoise = var_lat[:, None] + np.array([0.2, -0.1, -0.2]) + rng.normal(0, 0.6, (n, 3))
    vitems = _scaled_items(vnoise, [-1.4, -0.3, 0.9], P.VARIATION_HIGH[year], P.VARIATION_CUTOFF, w)
    vcodes = 5 - vitems if L.variation_reversed(year) else vitems
    vcodes = _item_missing(rng, vcodes, skip)
    out.update({v: vcodes[:, k] for k, v in enumerate(L.VAR_ITEMS)})

    # Autonomy: 5 items nee=1 soms=2 regelmatig=3 (raw codes reversed: 1 regelmatig .. 3 nee)
    aut_lat = 0.5 * job + 0.15 * (size == 1) - 0.2 * agency + rng.normal(0, 0.7, n)
    anoise = aut_lat[:, None] + np.array([0.3, 0.2, 0.0, 0.1, -0.3]) + rng.normal(0, 0.6, (n, 5))
    aitems = _scaled_items(anoise, [-0.9, 0.2], P.AUTONOMY_HIGH[year], P.AUTONOMY_CUTOFF, w)
    acodes = _item_missing(rng, 4 - aitems, skip)
    out.update({v: acodes[:, k] for k, v in enumerate(L.AUT_ITEMS)})

    # Course participation (logit); the intercept hits the year's published share.
    eta = (
        0.45 * job + 0.25 * (sup_lat - sup_lat.mean()) + np.array([-0.2, 0.0, 0.05])[edu]
        + np.array([0.05, 0.15, 0.1, 0.0, -0.35, -0.8])[age_cls]
        + np.array([0.0, -0.1, -0.2, -0.55, -0.75])[contract - 1]
        + np.array([-0.45, -0.15, 0.0, 0.05, 0.1, 0.15])[size - 1]
    )  # fmt: skip
    u = rng.random(n)
    course_raw = _item_missing(rng, np.ones(n), skip)  # 8/9 where missing, else 1
    ok = course_raw == 1
    a = _solve(lambda a: _wshare(u < expit(eta + a), w, ok), P.COURSE[year] / 100)
    out[L.course_variable(year)] = np.where(ok, np.where(u < expit(eta + a), 1, 2), course_raw)

    if year in L.INFORMAL_YEARS:
        asked_i = half == 1 if split else np.ones(n, bool)
        wi = wh if split else w
        base = 0.5 * job + 0.2 * (var_lat - var_lat.mean()) - 0.35 * old - 0.2 * (edu == 0)
        for key, var, extra in (
            ("tasks", "LEERT_TAKEN", -0.45 * oncall),
            ("people", "LEERT_MENSEN", -0.4 * (size == 1)),
        ):
            lat = base + extra + rng.normal(0, 1, n)
            c_v, c_w = _cuts(
                lat, wi, asked_i, P.INFORMAL_VEEL[year][key], P.INFORMAL_WEINIG[year][key]
            )
            codes = np.where(lat > c_v, 1, np.where(lat > c_w, 2, 3))
            out[var] = np.where(asked_i, _item_missing(rng, codes, skip), np.nan)

    bedrgr = np.where(rng.random(n) < 0.01, 8, size)
    raw = pd.DataFrame(
        {
            "RESPNR": rng.permutation(n) + 100_001,
            "JAAR": np.full(n, year),
            "STRATUM": df["STRATUM"].to_numpy(),
            "WEGING": w,
            "WEGING_P": proportional_weights(w),
            "GESLACHT": df["GESLACHT"].to_numpy(),
            "LEEFTIJD": df["LEEFTIJD"].to_numpy(),
            "OPLNIV": df["OPLNIV"].to_numpy(),
            "BEDRGR": bedrgr,
            "CONTRACT": contract,
            "SBI": df["SBI"].to_numpy(),
            **out,
        }
    )
    if split:
        raw["HELFT"] = half
        raw["WEGING_H"] = wh
    return raw[L.columns(year)]


def _scaled_items(
    latent: np.ndarray, cuts: list[float], target_pct: float, cutoff: float, w: np.ndarray
) -> np.ndarray:
    """Items scored 1..K from latent item values; the common shift hits the share of rows
    whose item mean is >= ``cutoff`` (weighted, all rows: item non-response comes after)."""
    cut = np.asarray(cuts)
    ok = np.ones(len(latent), bool)

    def share(s: float) -> float:
        items = 1 + np.searchsorted(cut, latent + s)
        return _wshare(items.mean(axis=1) >= cutoff - 1e-9, w, ok)

    shift = _solve(share, target_pct / 100)
    return 1 + np.searchsorted(cut, latent + shift)
