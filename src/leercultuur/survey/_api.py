"""The public dialect of the engine, in one place (docs/survey-engine.md).

Every estimator, test, trend and weighting step is a function whose first argument is the
design: ``mean(design, "y", by="year")``, ``group_vs_rest(design, "y", by="sex")``. The same
function objects are attached to :class:`Design` here, so ``design.mean("y", by="year")`` is the
same call with the same signature and docstring (``help(Design.mean)`` shows it); there is no
second definition that could drift. Type checkers learn the methods from the ``TYPE_CHECKING``
imports in the class body of ``Design``; a test checks both lists are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leercultuur.survey._design import Design
from leercultuur.survey._estimate import mean, proportion, ratio, total
from leercultuur.survey._inference import chisq, chisq_within, group_vs_rest, ttest, year_on_year
from leercultuur.survey._regression import regress, wald_groups
from leercultuur.survey._trend import trend, trend_difference
from leercultuur.survey._weighting import calibrate, rake

#: The functions that take the design first, attached to ``Design`` as methods.
DESIGN_FUNCTIONS: tuple[Callable[..., Any], ...] = (
    mean,
    total,
    ratio,
    proportion,
    group_vs_rest,
    year_on_year,
    ttest,
    chisq,
    chisq_within,
    trend,
    trend_difference,
    regress,
    wald_groups,
    calibrate,
    rake,
)

for _f in DESIGN_FUNCTIONS:
    setattr(Design, _f.__name__, _f)
