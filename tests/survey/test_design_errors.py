"""Bad designs and bad calls get clear errors naming column, values and first rows."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from leercultuur.errors import DesignError, LeercultuurError
from leercultuur.survey import Design


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "w": [1.0, 2.0, 1.5, 3.0, 2.5, 1.0, 2.0, 1.0],
            "h": ["a", "a", "a", "b", "b", "c", "c", "c"],
            "psu": [1, 1, 2, 3, 4, 5, 5, 6],
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "txt": ["x", "y", "x", "y", "x", "y", "x", "y"],
            "g": ["m", "f", None, "m", "f", None, None, "m"],
        }
    )


def raises(msg: str):  # exact message, as the user sees it
    return pytest.raises(DesignError, match=f"^{re.escape(msg)}$")


def test_errors_are_leercultuur_errors() -> None:
    assert issubclass(DesignError, LeercultuurError)


@pytest.mark.parametrize(
    ("values", "msg"),
    [
        (
            [1.0, -2.0, 1.0, 1.0, -0.5, 1.0, 1.0, 1.0],
            "weights column 'w' has 2 negative values, e.g. -2.0 (rows 2, 5)",
        ),
        (
            [1.0, np.nan, 1.0, 1.0, 1.0, 1.0, 1.0, np.nan],
            "weights column 'w' has 2 missing values (rows 2, 8)",
        ),
        (
            [1.0, np.inf, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            "weights column 'w' has 1 infinite values (row 2)",
        ),
        (
            ["1", "2", "x", "1", "1", "1", "1", "1"],
            "weights column 'w' is not numeric (dtype object) (e.g. 'x' in row 3)",
        ),
        ([0.0] * 8, "weights column 'w' is zero in every row"),
    ],
)
def test_bad_weights(df: pd.DataFrame, values: list[object], msg: str) -> None:
    df["w"] = pd.Series(values, dtype=object if isinstance(values[0], str) else float)
    with raises(msg):
        Design(df, weights="w")


def test_zero_weights_are_allowed(df: pd.DataFrame) -> None:
    df.loc[0, "w"] = 0.0
    out = Design(df, weights="w").mean("y")
    assert out["estimate"].iloc[0] == pytest.approx((df.w * df.y).sum() / df.w.sum(), rel=1e-14)
    assert out["n"].iloc[0] == 8  # zero-weight rows are in the sample, as in R


def test_unknown_columns_with_hint(df: pd.DataFrame) -> None:
    with raises("Design: unknown column 'wt' (did you mean 'w'?), 'stratum'"):
        Design(df, weights="wt", strata="stratum")
    d = Design(df, weights="w")
    with raises("by: unknown column 'gg' (did you mean 'g'?)"):
        d.mean("y", by="gg")
    with raises("mean: unknown column 'yy' (did you mean 'y'?)"):
        d.mean(["y", "yy"])
    with raises("proportion: unknown column 'text' (did you mean 'txt'?)"):
        d.proportion("text")


def test_single_psu_strata_fail_lists_them(df: pd.DataFrame) -> None:
    df.loc[df.h == "b", "psu"] = 3
    df.loc[df.h == "c", "psu"] = 5
    with raises(
        "2 strata of 'h' have only one PSU: 'b', 'c' (rows 4, 5, 6, 7, 8). "
        "Choose lonely_psu= one of 'remove', 'certainty', 'adjust', 'average'"
    ):
        Design(df, weights="w", strata="h", psu="psu")
    with raises(
        "the design has a single PSU and no strata: no variance. "
        "Choose lonely_psu= one of 'remove', 'certainty', 'adjust', 'average'"
    ):
        Design(df.assign(one=1), weights="w", psu="one")
    with raises(
        "2 strata of 'hn' have only one PSU: 7, 9 (rows 4, 5, 6, 7, 8). "
        "Choose lonely_psu= one of 'remove', 'certainty', 'adjust', 'average'"
    ):
        Design(df.assign(hn=[2, 2, 2, 7, 7, 9, 9, 9]), weights="w", strata="hn", psu="psu")
    with raises(
        "1 stratum of 'h' has only one PSU: 'b' (rows 4, 5). "
        "Choose lonely_psu= one of 'remove', 'certainty', 'adjust', 'average'"
    ):
        Design(df.assign(psu=[1, 1, 2, 3, 3, 5, 5, 6]), weights="w", strata="h", psu="psu")
    # the other options accept the design
    Design(df, weights="w", strata="h", psu="psu", lonely_psu="adjust")


def test_psus_not_nested(df: pd.DataFrame) -> None:
    df.loc[3, "psu"] = 1  # PSU 1 in strata a and b
    with raises(
        "psu 'psu' value 1 occurs in more than one stratum ('h' 'a', 'b'; rows 1, 2, 4): "
        "PSUs are not nested in strata; pass nest=True if PSU ids are reused across strata"
    ):
        Design(df, weights="w", strata="h", psu="psu")
    assert Design(df, weights="w", strata="h", psu="psu", nest=True).n_psu_total == 6


def test_missing_design_columns(df: pd.DataFrame) -> None:
    df.loc[[2, 6], "h"] = None
    with raises("strata column 'h' has 2 missing values (rows 3, 7)"):
        Design(df, weights="w", strata="h")
    df["p2"] = df["psu"].astype(float)
    df.loc[4, "p2"] = np.nan
    with raises("psu column 'p2' has 1 missing values (row 5)"):
        Design(df, weights="w", psu="p2")


def test_non_numeric_variable_for_a_mean(df: pd.DataFrame) -> None:
    d = Design(df, weights="w")
    with raises(
        "mean: variable 'txt' is not numeric (dtype str); e.g. value 'x' in rows 1, 2, 3, 4, "
        "5 (and 3 more). Convert it to numbers, or use proportion() for a categorical variable"
    ):
        d.mean("txt")
    d2 = Design(df.assign(num_txt=df.y.astype(str)), weights="w")
    with raises(
        "total: variable 'num_txt' is not numeric (dtype str); e.g. value '1.0' in row 1. "
        "Convert it to numbers, or use proportion() for a categorical variable"
    ):
        d2.total("num_txt")
    d3 = Design(df.assign(inf=df.y.where(df.y != 3.0, np.inf)), weights="w")
    with raises("ratio: variable 'inf' has 1 infinite values (row 3)"):
        d3.ratio("inf", "y")


def test_missing_values_in_by(df: pd.DataFrame) -> None:
    d = Design(df, weights="w")
    with raises(
        "by column 'g' has 3 missing values (rows 3, 6, 7); "
        "pass missing_by='group' to report them as their own group, "
        "or missing_by='omit' to leave those rows out"
    ) as err:
        d.mean("y", by="g")
    assert err.value.column == "g" and err.value.rows == (2, 5, 6)
    with pytest.warns(UserWarning, match="by: 3 rows have a missing value in 'g'"):
        omitted = d.mean("y", by="g", missing_by="omit")
    pd.testing.assert_frame_equal(omitted, out_subset := d.subset(df.g.notna()).mean("y", by="g"))
    assert len(out_subset) == 2
    out = d.mean("y", by="g", missing_by="group")
    assert out["g"].iloc[:2].tolist() == ["f", "m"]
    assert pd.isna(out["g"].iloc[2])  # missing last, as its own group
    assert out["n"].tolist() == [2, 3, 3]
    recoded = d.subset(df.g.isna()).mean("y")  # the group equals the subset of missing rows
    np.testing.assert_allclose(
        out[["estimate", "se"]].iloc[2], recoded[["estimate", "se"]].iloc[0], rtol=1e-12
    )
    # rows outside a subset do not count as missing
    assert len(d.subset(df.g.notna()).mean("y", by="g")) == 2


def test_missing_values_with_na_rm_false_warn_and_give_nan(df: pd.DataFrame) -> None:
    df.loc[[1, 4], "y"] = np.nan
    d = Design(df, weights="w")
    with pytest.warns(UserWarning, match=re.escape("missing values with na_rm=False ('y': 2)")):
        out = d.mean("y", by="h")
    assert out["estimate"].isna().tolist() == [True, True, False]
    assert out["se"].isna().tolist() == [True, True, False]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert d.mean("y", by="h", na_rm=True)["n"].tolist() == [2, 1, 3]


@pytest.mark.parametrize(
    ("call", "msg"),
    [
        (
            lambda d: d.proportion("txt", ci="wilson"),
            "ci='wilson' is not allowed; choose one of: 'logit', 'mean', 'asin', 'xlogit', 'beta'",
        ),
        (
            lambda d: d.mean("y", by="g", missing_by="drop"),
            "missing_by='drop' is not allowed; choose one of: 'error', 'group', 'omit'",
        ),
    ],
)
def test_invalid_options_list_allowed_values(df: pd.DataFrame, call, msg: str) -> None:
    d = Design(df, weights="w")
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        call(d)


def test_invalid_lonely_psu(df: pd.DataFrame) -> None:
    msg = (
        "lonely_psu='skip' is not allowed; choose one of: "
        "'fail', 'remove', 'certainty', 'adjust', 'average'"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(msg)}$"):
        Design(df, weights="w", lonely_psu="skip")  # type: ignore[arg-type]


def test_bad_calls(df: pd.DataFrame) -> None:
    d = Design(df, weights="w")
    with raises("mean: give at least one variable"):
        d.mean([])
    with raises("level=95 must be between 0 and 1 (e.g. 0.95)"):
        d.mean("y", level=95)
    with raises("subset: mask has length (3,), the data has 8 rows"):
        d.subset([True, False, True])
    with raises("subset: mask has missing values; use True/False only"):
        d.subset(pd.Series([True, None] * 4, dtype=object))
    with raises("Design: the data has no rows"):
        Design(df.iloc[:0], weights="w")


def test_fpc_errors(df: pd.DataFrame) -> None:
    df["N"] = [10, 10, 11, 5, 5, 9, 9, 9]
    with raises(
        "fpc column 'N' varies within stratum 'a'; it must be constant within each stratum"
    ):
        Design(df, weights="w", strata="h", psu="psu", fpc="N")
    df["N"] = [10, 10, 10, 1, 1, 9, 9, 9]
    with raises(
        "fpc column 'N' implies more than 100% sampling in stratum 'b': "
        "population 1, sampled PSUs 2"
    ):
        Design(df, weights="w", strata="h", psu="psu", fpc="N")


def test_empty_domain_has_no_estimate(df: pd.DataFrame) -> None:
    """A domain without rows (all values missing): NaN estimate and SE, n = 0.

    R's svyby(..., svymean, na.rm = TRUE) reports 0 +- 0 for such a domain; we refuse to invent
    a number. A total of no rows is 0 with SE 0 (as R).
    """
    df["z"] = np.where(df.h == "b", np.nan, df.y)
    d = Design(df, weights="w", strata="h", psu="psu")
    m = d.mean("z", by="h", na_rm=True)
    assert m["n"].tolist() == [3, 0, 3]
    assert np.isnan(m.loc[1, ["estimate", "se", "ci_low", "ci_high"]].astype(float)).all()
    t = d.total("z", by="h", na_rm=True)
    assert t.loc[1, ["estimate", "se"]].tolist() == [0.0, 0.0]
    r = d.ratio("z", "y", by="h", na_rm=True)
    assert np.isnan(r.loc[1, ["estimate", "se"]].astype(float)).all()


def test_every_engine_error_is_a_design_error_subclass() -> None:
    """Every ``raise`` in survey/ raises a DesignError subclass (the CLI and the web app catch
    one class; each carries ``column``, ``value`` and ``rows`` besides its message)."""
    import ast
    from pathlib import Path

    from leercultuur import survey
    from leercultuur.survey import _errors, _weighting

    raised: set[str] = set()
    for path in Path(survey.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(exc, ast.Name):
                    raised.add(exc.id)
    # (a re-raise of a caught error; AttributeError: the Python protocol of a frozen object)
    raised -= {"exc", "AttributeError"}
    known = {**vars(_errors), **vars(_weighting)}
    for name in sorted(raised):
        cls = known.get(name)
        assert isinstance(cls, type) and issubclass(cls, DesignError), name
        assert issubclass(cls, _errors.EngineError) or name == "CalibrationError", name


def test_errors_name_column_value_rows(df: pd.DataFrame) -> None:
    from leercultuur.survey._errors import ColumnError, MissingValueError

    with pytest.raises(ColumnError) as err:
        Design(df.assign(w=-df.w), weights="w")
    assert (err.value.column, err.value.value) == ("w", -1.0) and err.value.rows[0] == 0
    with pytest.raises(MissingValueError) as err2:
        Design(df.assign(h=df.h.where(df.index != 4)), weights="w", strata="h")
    assert (err2.value.column, err2.value.rows) == ("h", (4,))
