"""The synthetic NEA, read from its .sav files and estimated with the engine, lands near the
public figures (../shared/spec/published-figures.md, monitor.md). Estimates, not generator
parameters: Design(weights=WEGING or WEGING_H, strata=STRATUM).mean(indicator x 100, na_rm).

Once leercultuur.io's default codebook lands, the same checks run through it (the mapping in
_raw.py is a small private stand-in).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _synth_map import by_pct, harmonise, pct  # type: ignore[import-not-found]

YEARS = list(range(2012, 2023))
COURSE = [54, 52, 52, 51, 51, 51, 51, 51, 49, 49, 52]


@pytest.fixture(scope="module")
def h(raw: dict[int, pd.DataFrame]) -> dict[int, pd.DataFrame]:
    return {y: harmonise(raw[y], y) for y in YEARS}


def test_course_participation_per_year_and_trend(h: dict[int, pd.DataFrame]) -> None:
    est = np.array([pct(h[y], "course") for y in YEARS])
    assert np.abs(est - COURSE).max() < 1.0, est.round(2)
    slope = np.polyfit(YEARS, est, 1)[0]
    assert -0.4 < slope < -0.2  # published B = -0.3 (OLS on the published series: -0.28)


def test_education_gap_2022(h: dict[int, pd.DataFrame]) -> None:
    edu = by_pct(h[2022], "course", "education")
    assert edu["low"] == pytest.approx(37, abs=1.5)
    assert edu["high"] == pytest.approx(60, abs=1.5)
    assert edu["low"] < edu["middle"] < edu["high"]


def test_stimulating_factors_levels_and_stability(h: dict[int, pd.DataFrame]) -> None:
    aut = np.array([pct(h[y], "aut_high") for y in YEARS])
    var = np.array([pct(h[y], "var_high") for y in YEARS])
    assert np.abs(aut - 59).max() < 1.0, aut.round(2)  # CBS: mean of 5 items >= 2.5
    assert np.abs(var - 61).max() < 1.0, var.round(2)  # assumption: mean of 3 items >= 3.0
    assert abs(np.polyfit(YEARS, aut, 1)[0]) < 0.1 and abs(np.polyfit(YEARS, var, 1)[0]) < 0.1


def test_supervisor_support_rises_since_2016(h: dict[int, pd.DataFrame]) -> None:
    sup = np.array([pct(h[y], "sup_high") for y in YEARS])  # % "ja, in grote mate"
    assert 5.0 < sup[-1] - sup[0] < 7.0, sup.round(2)
    since = sup[YEARS.index(2016) :]
    assert (np.diff(since) > 0.3).all(), since.round(2)
    assert np.ptp(sup[: YEARS.index(2016) + 1]) < 1.0  # flat before


def test_informal_learning_2020_2022(h: dict[int, pd.DataFrame], raw: dict) -> None:
    for y in (2020, 2022):
        for what in ("tasks", "people"):
            assert pct(h[y], f"{what}_veel") == pytest.approx(40, abs=1.5)
            assert pct(h[y], f"{what}_some") > 90
    assert all("LEERT_TAKEN" not in raw[y] for y in YEARS if y not in (2020, 2022))


def test_subgroup_directions_of_the_article(h: dict[int, pd.DataFrame]) -> None:
    y = h[2022]
    for var in ("course", "tasks_veel", "people_veel"):
        age = by_pct(y, var, "age55")
        edu = by_pct(y, var, "education")
        assert age["55+"] < age["<55"] and edu["low"] < edu["high"], var
    c = by_pct(y, "course", "contract")
    assert c["permanent"] > c["temporary"] > c["agency"] > c["on_call"]
    s = by_pct(y, "course", "size")
    assert s["1-9"] < s["10-49"] < s["250+"]
    tasks = by_pct(y, "tasks_veel", "contract")
    assert tasks["on_call"] == min(tasks.values())
    people = by_pct(y, "people_veel", "size")
    assert people["1-9"] == min(people.values())
    # agency workers: largest rises in variation and support in 2022
    for var in ("var_high", "sup_high"):
        before, after = by_pct(h[2021], var, "contract"), by_pct(y, var, "contract")
        rise = {k: after[k] - before[k] for k in after}
        assert max(rise, key=lambda k: rise[k]) == "agency", (var, rise)
    # 55+: support rose less over ten years, variation fell slightly
    s12, s22 = by_pct(h[2012], "sup_high", "age55"), by_pct(y, "sup_high", "age55")
    assert s22["55+"] - s12["55+"] < s22["<55"] - s12["<55"]
    v12, v22 = by_pct(h[2012], "var_high", "age55"), by_pct(y, "var_high", "age55")
    assert -5 < v22["55+"] - v12["55+"] < 0


def test_learning_is_higher_where_stimulating_factors_are_higher(
    h: dict[int, pd.DataFrame], raw: dict[int, pd.DataFrame]
) -> None:
    y = h[2022].assign(sector=raw[2022]["SBI"].to_numpy())
    course = pd.Series(by_pct(y, "course", "sector"))
    var = pd.Series(by_pct(y, "var_high", "sector"))
    aut = pd.Series(by_pct(y, "aut_high", "sector"))
    assert course.corr(var) > 0.5 and course.corr(aut) > 0.3
