"""Every estimate, SE, CI, deff, n, n_eff and df against R ``survey`` 4.1.1.

The numbers come from ``tests/golden/part1/golden.json``, written by
``tests/golden/part1/make_golden.R`` (R 4.2.2, survey 4.1.1) from the committed data in
``tests/golden/part1/data``. Each golden row carries ``r_call``: the exact R call its estimate,
se and CI come from (e.g. ``svyby(~api00, ~sch.wide, des, svymean, na.rm = FALSE,
vartype = c("se", "ci"), deff = "replace")``, CI from ``confint()`` of that object, or
``svyciprop(~I(sch.wide == "Yes"), des, method = "beta")``; for ``method = "logit"`` the R
script's ``svyciprop_tight``, i.e. survey's own svyciprop with its svyglm converged to
epsilon 1e-15, since glm's default 1e-8 leaves R's own point estimate ~1e-8 off the weighted
mean). Proportion deffs come from
``svymean(~as.numeric(I(var == cat)), des, deff = "replace")`` (svyby'd the same way); ``n`` and
``n_eff`` are counted over the rows R uses; ``df`` is ``degf()`` of the domain's subset design.
Assertion messages name the case id and the R call.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from leercultuur.survey import Design

from .golden_part1 import golden_cases, golden_data

RTOL = 1e-8
ATOL = 1e-12  # absolute floor where R's value is 0 (an absent category's SE)
# R gives no with-replacement deff for svyratio (written as null) and none for empty domains.
STATS = ["estimate", "se", "ci_low", "ci_high", "deff", "n", "n_eff", "df"]

CASES = golden_cases()


def _norm(v: Any) -> Any:
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v)
    return str(v)


def run_case(case: dict[str, Any]) -> pd.DataFrame:
    """Our engine on the golden case's data, design and call."""
    df = golden_data(case["data"])
    design = Design(df, **case["design"])
    call = case["call"]
    if call["subset"]:
        design = design.subset(df[call["subset"]["column"]] == call["subset"]["value"])
    kw: dict[str, Any] = {"by": call["by"], "na_rm": call["na_rm"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # na_rm=False with missing values warns (tested apart)
        if call["fn"] == "mean":
            return design.mean(call["vars"], **kw)
        if call["fn"] == "total":
            return design.total(call["vars"], **kw)
        if call["fn"] == "ratio":
            return design.ratio(call["vars"], call["denominator"], **kw)
        return design.proportion(call["vars"][0], ci=call["ci"], **kw)


def _key(row: dict[str, Any], by: list[str]) -> tuple[Any, ...]:
    return (
        *(_norm(row[b]) for b in by),
        row["variable"],
        None if row.get("category") is None else _norm(row["category"]),
    )


def close(ours: float, theirs: float | None) -> bool:
    if theirs is None:
        return math.isnan(ours)
    return math.isclose(ours, theirs, rel_tol=RTOL, abs_tol=ATOL)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r_survey(case: dict[str, Any]) -> None:
    out = run_case(case)
    by = case["call"]["by"] or []
    ours = {}
    for rec in out.to_dict("records"):
        if "category" not in rec:
            rec["category"] = None
        ours[_key(rec, by)] = rec
    theirs = {_key({**(r["by"] or {}), **r}, by): r for r in case["rows"]}
    # Same domains (R's svyby drops empty ones; so do we) and same variables/categories.
    assert sorted(ours, key=str) == sorted(theirs, key=str), case["id"]
    problems = []
    for key, r in theirs.items():
        o = ours[key]
        for stat in STATS:
            if stat == "deff" and case["call"]["fn"] == "ratio":
                continue  # R 4.1 has no deff="replace" for svyratio
            if not close(float(o[stat]), r[stat]):
                problems.append(f"{key} {stat}: ours {o[stat]!r}, R {r[stat]!r}  [{r['r_call']}]")
    assert not problems, f"{case['id']}: " + "\n".join(problems)


def test_golden_covers_every_option() -> None:
    """The golden set exercises each ci method, each lonely_psu option, by, subset and na_rm."""
    cis = {c["call"]["ci"] for c in CASES if c["call"]["fn"] == "proportion"}
    assert cis == {"logit", "mean", "asin", "xlogit", "beta"}
    d = [c["design"] for c in CASES]
    lonely = {(x.get("lonely_psu"), x.get("adjust_domain_lonely")) for x in d}
    assert {(o, False) for o in ("remove", "certainty", "adjust", "average")} <= lonely
    assert {("adjust", True), ("average", True)} <= lonely
    assert {c["call"]["fn"] for c in CASES} == {"mean", "total", "ratio", "proportion"}
    assert {c["call"]["na_rm"] for c in CASES} == {True, False}
    assert any(c["call"]["subset"] for c in CASES)
    assert sum(len(c["rows"]) for c in CASES) == 408


ELEMENT = [c for c in CASES if "_el_" in c["id"] or c["id"].startswith("elonely")]


@pytest.mark.parametrize("case", ELEMENT, ids=[c["id"] for c in ELEMENT])
def test_element_cases_take_the_cell_route(case: dict[str, Any], monkeypatch) -> None:
    """The element-design cases above are served by the cell sums of ``survey/_element.py``
    (so R checks that route directly, not only through its equality with the two-pass route);
    ``na_rm=False`` with missing values in a domain hands the table to the two-pass route."""
    from leercultuur.survey import _element

    inner = _element.element_means
    taken: list[bool] = []

    def spy(*args: Any, **kw: Any) -> Any:
        out = inner(*args, **kw)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(_element, "element_means", spy)
    run_case(case)
    assert taken and all(taken), case["id"]
