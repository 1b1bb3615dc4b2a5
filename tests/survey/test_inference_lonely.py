"""Lonely PSUs (strata 2016-1 and 2019-3 keep one PSU) in group_vs_rest, trend and chisq.

Golden: tests/golden/part2/golden_part2_lonely.R with options(survey.lonely.psu = rule) and the
same R calls as golden_part2.R; for chisq ``svychisq(~cat + grp, des)`` (F), whose ndf and ddf
are stored in the ``se`` and ``d_se`` columns of values_lonely.csv; for year_on_year (share of
"hi" by group) the ``d_se`` column holds h_se. "average" takes the dense year-on-year pass,
"adjust"/"remove" the two-slot pass.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leercultuur.errors import DesignError
from leercultuur.survey import Design, chisq, group_vs_rest, trend, year_on_year

GOLD = Path(__file__).resolve().parents[1] / "golden" / "part2"
REF = pd.read_csv(GOLD / "values_lonely.csv")


def lonely_data() -> pd.DataFrame:
    df = pd.read_csv(GOLD / "data" / "synth_years.csv")
    drop = df["stratum"].isin(["2016-1", "2019-3"]) & ~df["psu"].str.endswith("-1")
    df = df[~drop].reset_index(drop=True)
    assert len(df) == 6673
    return df


def test_lonely_fail_names_the_strata() -> None:
    with pytest.raises(
        DesignError, match="2 strata of 'stratum' have only one PSU: '2016-1', '2019-3'"
    ):
        Design(lonely_data(), weights="w", strata="stratum", psu="psu")


@pytest.mark.parametrize("rule", ["adjust", "average", "remove"])
def test_lonely_rules_match_r(rule: str) -> None:
    d = Design(lonely_data(), weights="w", strata="stratum", psu="psu", lonely_psu=rule)  # type: ignore[arg-type]
    ref = REF[REF["rule"] == rule]
    g = ref[ref["what"] == "gvr"]
    out = group_vs_rest(d, "y", by="grp", within="year")
    assert list(out["year"].astype(str) + " " + out["grp"]) == list(g["key"])
    for c in ("difference", "se", "d_se", "df"):
        np.testing.assert_allclose(out[c], g[c], rtol=1e-8, err_msg=c)
    yy = ref[ref["what"] == "yoy"]
    out = year_on_year(d, "cat", year="year", by="grp", kind="proportion", category="hi")
    assert list(out["grp"] + " " + out["year_from"].astype(str)) == list(yy["key"])
    for c, rc in (("difference", "difference"), ("se", "se"), ("h_se", "d_se"), ("df", "df")):
        np.testing.assert_allclose(out[c], yy[rc], rtol=1e-8, err_msg=c)
    t = ref[ref["what"] == "trend"].iloc[0]
    tr = trend(d, "y", year="year")
    np.testing.assert_allclose(tr["slope"].iloc[0], t["difference"], rtol=1e-8)
    np.testing.assert_allclose(tr["se"].iloc[0], t["se"], rtol=1e-8)
    assert tr["df"].iloc[0] == t["df"]
    c = ref[ref["what"] == "chisqF"].iloc[0]
    ch = chisq(d, "cat", "grp")
    np.testing.assert_allclose(ch.statistic, c["difference"], rtol=1e-8)
    np.testing.assert_allclose(ch.ndf, c["se"], rtol=1e-8)
    np.testing.assert_allclose(ch.ddf, c["d_se"], rtol=1e-8)
