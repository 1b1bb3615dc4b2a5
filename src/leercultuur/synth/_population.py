"""Population margins, strata, sample sizes and the public figures the generator is tuned to.

Sources: ../shared/spec/published-figures.md and monitor.md. Numbers marked *assumption* have no
public source; they are plausible values chosen here.
"""

from __future__ import annotations

import numpy as np

YEARS = tuple(range(2012, 2023))

# Sample sizes: ~25,000 (2012-13), ~40,000 (2014-17), ~60,000 (2018-22); 2022: 61,075 usable,
# halves 30,501 / 30,574 (CBS NEA 2022 method report). 511,075 in all.
SAMPLE_SIZE = {
    2012: 25_000, 2013: 25_000, 2014: 40_000, 2015: 40_000, 2016: 40_000, 2017: 40_000,
    2018: 60_000, 2019: 60_000, 2020: 60_000, 2021: 60_000, 2022: 61_075,
}  # fmt: skip
HALF_SIZES = (30_501, 30_574)
MIN_PER_STRATUM = 230

# Employees 15-74 (millions; CBS order of magnitude, a dip in 2013-14 and growth after).
POPULATION = {
    2012: 7.15, 2013: 7.08, 2014: 7.05, 2015: 7.12, 2016: 7.22, 2017: 7.36,
    2018: 7.55, 2019: 7.72, 2020: 7.74, 2021: 7.86, 2022: 8.12,
}  # fmt: skip

# SBI sections: share of employees (CBS order of magnitude) and number of SBI-40 classes.
SECTIONS = {
    "A": (1.5, 1), "B": (0.2, 1), "C": (10.5, 5), "D": (0.4, 1), "E": (0.5, 1), "F": (4.6, 2),
    "G": (16.0, 4), "H": (5.0, 3), "I": (6.0, 2), "J": (3.6, 2), "K": (3.0, 2), "L": (0.8, 1),
    "M": (6.0, 3), "N": (9.0, 2), "O": (6.5, 2), "P": (7.0, 3), "Q": (15.5, 3), "R": (1.7, 1),
    "S": (1.7, 1),
}  # fmt: skip
# Sector profile (assumption): skill level (education, variation, autonomy), flex work
# (temporary, agency, on-call), female share, large-firm tilt.
PROFILE = {
    "A": (-0.6, 0.6, 0.35, -0.8), "B": (0.3, 0.1, 0.15, 0.8), "C": (-0.1, 0.2, 0.22, 0.6),
    "D": (0.6, 0.0, 0.25, 0.9), "E": (-0.3, 0.2, 0.18, 0.3), "F": (-0.4, 0.2, 0.10, -0.4),
    "G": (-0.5, 0.7, 0.50, -0.1), "H": (-0.4, 0.4, 0.22, 0.4), "I": (-0.9, 1.3, 0.55, -0.9),
    "J": (0.8, 0.1, 0.30, 0.3), "K": (0.7, 0.0, 0.42, 0.9), "L": (0.2, 0.2, 0.50, -0.3),
    "M": (0.9, 0.1, 0.45, -0.3), "N": (-0.6, 1.4, 0.45, 0.2), "O": (0.6, -0.3, 0.50, 1.0),
    "P": (1.0, 0.1, 0.65, 0.6), "Q": (0.2, 0.3, 0.80, 0.5), "R": (-0.1, 0.9, 0.52, -0.4),
    "S": (0.0, 0.5, 0.60, -0.7),
}  # fmt: skip
AGE_CLASSES = ((15, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74))


def strata() -> tuple[np.ndarray, np.ndarray]:
    """The 40 strata: section letter of each and its share of the employee population."""
    letters: list[str] = []
    shares: list[float] = []
    for letter, (share, k) in SECTIONS.items():
        split = np.linspace(1.4, 0.6, k) if k > 1 else np.ones(1)
        split = split / split.sum()
        letters += [letter] * k
        shares += list(share * split)
    s = np.asarray(shares)
    return np.asarray(letters), s / s.sum()


def _lerp(a: float, b: float, year: int) -> float:
    return a + (b - a) * (year - YEARS[0]) / (YEARS[-1] - YEARS[0])


def margins(year: int) -> dict[str, np.ndarray]:
    """Population shares per margin in a year (sum to 1 each), growing realistically.

    sex x age (male rows first, 6 age classes), contract (raw codes 1-5), education (low,
    middle, high), section (``SECTIONS`` order, with a slow shift to care and services).
    """
    age = np.array(
        [_lerp(a, b, year) for a, b in [(16, 15.5), (21, 21.5), (23, 19.5), (24, 21.5),
                                        (14, 19.0), (2, 3.0)]]
    )  # fmt: skip
    age = age / age.sum()
    male = _lerp(0.53, 0.515, year)
    sexage = np.r_[male * age, (1 - male) * age]
    # permanent 74% -> 70% (2019) -> 72% (2022); flex grew until 2019 (CBS pattern)
    perm = 0.74 - 0.04 * min(year - 2012, 7) / 7 + (0.02 * (year - 2019) / 3 if year > 2019 else 0)
    rest = 1 - perm
    contract = np.array([perm, 0.40 * rest, 0.25 * rest, 0.13 * rest, 0.22 * rest])
    edu = np.array([_lerp(0.25, 0.195, year), _lerp(0.42, 0.40, year), 0.0])
    edu[2] = 1 - edu[:2].sum()
    sec = np.array([v[0] for v in SECTIONS.values()])
    shift = np.array([1.0 + (0.12 * (year - 2012) / 10 if k in "QMJ" else 0) for k in SECTIONS])
    sec = sec * shift
    return {"sexage": sexage, "contract": contract, "edu": edu, "section": sec / sec.sum()}


# ------------------------------------------------------------------ figures to land near
COURSE = dict(zip(YEARS, [54, 52, 52, 51, 51, 51, 51, 51, 49, 49, 52], strict=True))
# Supervisor support, headline category "ja, in grote mate" (assumption: the article does not
# say which category rose): flat to 2016, then rising steadily, +6 pp 2012-2022.
SUPPORT_HIGH = dict(
    zip(YEARS, [27.0, 27.2, 26.9, 27.1, 27.2, 28.1, 29.0, 29.9, 30.9, 31.9, 33.0], strict=True)
)
SUPPORT_NO = dict(zip(YEARS, np.linspace(34.0, 30.0, len(YEARS)).round(1).tolist(), strict=True))
# High autonomy (mean of 5 items, nee=1 soms=2 regelmatig=3, >= 2.5): ~59%, stable.
AUTONOMY_HIGH = dict(
    zip(YEARS, [59.2, 58.8, 59.1, 58.9, 59.0, 59.3, 58.9, 59.1, 59.4, 58.8, 59.2], strict=True)
)
# High variation (mean of 3 items on 1-4 >= 3.0; cut-off: assumption): ~61%, stable.
VARIATION_HIGH = dict(
    zip(YEARS, [61.1, 60.8, 61.2, 60.9, 61.0, 61.3, 60.9, 61.1, 60.7, 61.0, 61.2], strict=True)
)
VARIATION_CUTOFF = 3.0
AUTONOMY_CUTOFF = 2.5
# Informal learning (2020, 2022): ~40% "veel", > 90% at least something (7% "weinig").
INFORMAL_VEEL = {2020: {"tasks": 40.0, "people": 39.5}, 2022: {"tasks": 40.5, "people": 40.0}}
INFORMAL_WEINIG = {2020: {"tasks": 6.5, "people": 7.5}, 2022: {"tasks": 6.8, "people": 7.2}}
