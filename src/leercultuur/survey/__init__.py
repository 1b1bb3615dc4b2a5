"""Design-based survey estimation (generic: knows nothing of learning culture).

Public API::

    from leercultuur.survey import Design
    d = Design(df, weights="w", strata="stratum", psu="psu", fpc="fpc", lonely_psu="adjust")
    d.mean(["x", "y"], by=["year", "sex"], na_rm=True)
    d.proportion("item", by="year", ci="logit")
    d.total("x"); d.ratio("x", "y"); d.subset(mask).mean("x")

Estimates agree with R's ``survey`` package (4.1) to about 1e-8; see ``tests/golden``.
"""

from leercultuur.survey._api import DESIGN_FUNCTIONS  # (importing it attaches the methods)
from leercultuur.survey._cells import (
    CellStats,
    DomainMeans,
    DomainSlopes,
    RowStats,
    cell_layouts,
    cell_stats,
    cell_stats_many,
    covariance_disjoint,
    domain_df,
    domain_means,
    domain_slopes,
    row_stats,
    slope_covariance_disjoint,
)
from leercultuur.survey._design import LONELY_PSU_OPTIONS, Design, LonelyPSU
from leercultuur.survey._domains import MissingBy
from leercultuur.survey._effects import (
    KIND_OPTIONS,
    Kind,
    cohens_d,
    cohens_h,
    compare_independent,
    p_adjust_bh,
)
from leercultuur.survey._estimate import (
    CI_METHODS,
    CIMethod,
    mean,
    prop_ci,
    proportion,
    ratio,
    total,
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
from leercultuur.survey._rules import (
    p_from_chisq,
    p_from_f,
    p_from_t,
    p_from_z,
    t_quantile,
    z_quantile,
)
from leercultuur.survey._trend import trend, trend_difference
from leercultuur.survey._weighting import (
    CALFUNS,
    CalFun,
    Calibration,
    CalibrationError,
    CalibrationInfo,
    calibrate,
    combine_halves,
    expansion_weights,
    proportional_weights,
    rake,
    trim_weights,
)

__all__ = [
    "CALFUNS",
    "CHISQ_METHODS",
    "CI_METHODS",
    "DESIGN_FUNCTIONS",
    "FAMILY_OPTIONS",
    "KIND_OPTIONS",
    "LONELY_PSU_OPTIONS",
    "CIMethod",
    "CalFun",
    "Calibration",
    "CalibrationError",
    "CalibrationInfo",
    "CellStats",
    "ChisqMethod",
    "ChisqResult",
    "Design",
    "DomainMeans",
    "DomainSlopes",
    "Family",
    "Kind",
    "LonelyPSU",
    "MissingBy",
    "RegressionResult",
    "RowStats",
    "TTestResult",
    "WaldResult",
    "calibrate",
    "cell_layouts",
    "cell_stats",
    "cell_stats_many",
    "chisq",
    "chisq_within",
    "cohens_d",
    "cohens_h",
    "combine_halves",
    "compare_independent",
    "covariance_disjoint",
    "domain_df",
    "domain_means",
    "domain_slopes",
    "expansion_weights",
    "group_vs_rest",
    "mean",
    "p_adjust_bh",
    "p_from_chisq",
    "p_from_f",
    "p_from_t",
    "p_from_z",
    "prop_ci",
    "proportion",
    "proportional_weights",
    "rake",
    "ratio",
    "regress",
    "row_stats",
    "slope_covariance_disjoint",
    "t_quantile",
    "total",
    "trend",
    "trend_difference",
    "trim_weights",
    "ttest",
    "wald_groups",
    "wald_test",
    "year_on_year",
    "z_quantile",
]
