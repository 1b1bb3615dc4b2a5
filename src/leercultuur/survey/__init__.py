"""Design-based survey estimation (generic: knows nothing of learning culture).

Public API::

    from leercultuur.survey import Design
    d = Design(df, weights="w", strata="stratum", psu="psu", fpc="fpc", lonely_psu="adjust")
    d.mean(["x", "y"], by=["year", "sex"], na_rm=True)
    d.proportion("item", by="year", ci="logit")
    d.total("x"); d.ratio("x", "y"); d.subset(mask).mean("x")

Estimates agree with R's ``survey`` package (4.1) to about 1e-8; see ``tests/golden``.
"""

from leercultuur.survey._design import LONELY_PSU_OPTIONS, Design, LonelyPSU
from leercultuur.survey._estimate import CI_METHODS, CIMethod, MissingBy, prop_ci

__all__ = [
    "CI_METHODS",
    "LONELY_PSU_OPTIONS",
    "CIMethod",
    "Design",
    "LonelyPSU",
    "MissingBy",
    "prop_ci",
]

# Part 2: design-based tests, comparisons, regression, trends and effect sizes.
from leercultuur.survey._effects import (
    KIND_OPTIONS,
    Kind,
    cohens_d,
    cohens_h,
    compare_independent,
    p_adjust_bh,
)
from leercultuur.survey._inference import (
    CHISQ_METHODS,
    ChisqMethod,
    ChisqResult,
    TTestResult,
    chisq,
    chisq_within,
    group_vs_rest,
    ttest,
    year_on_year,
)
from leercultuur.survey._regression import (
    FAMILY_OPTIONS,
    Family,
    RegressionResult,
    WaldResult,
    regress,
    wald_groups,
    wald_test,
)
from leercultuur.survey._trend import trend, trend_difference

__all__ += [
    "CHISQ_METHODS",
    "FAMILY_OPTIONS",
    "KIND_OPTIONS",
    "ChisqMethod",
    "ChisqResult",
    "Family",
    "Kind",
    "RegressionResult",
    "TTestResult",
    "WaldResult",
    "chisq",
    "chisq_within",
    "cohens_d",
    "cohens_h",
    "compare_independent",
    "group_vs_rest",
    "p_adjust_bh",
    "regress",
    "trend",
    "trend_difference",
    "ttest",
    "wald_groups",
    "wald_test",
    "year_on_year",
]
