"""Design-based regression (R ``svyglm``) and the Wald F test of terms (R ``regTermTest``).

``wald_groups`` is the ANOVA-like case (all group means equal) for every year in one pass.

``regress(design, y, x, family=...)`` reproduces ``svyglm(y ~ x1 + x2 + ..., design, family)``
of R survey 4.1:

* Fitting is R's ``glm.fit`` step for step (start ``mustart = (w y + 0.5) / (w + 1)`` for the
  binomial, IRLS, stop when ``|dev - dev_old| / (|dev| + 0.1) < 1e-8``, at most 25 iterations),
  with the prior weights scaled to mean 1 over the design's rows (``rescale=TRUE``). Copying the
  iteration matters at 1e-8: R's reported coefficients and its working weights (one iteration
  behind, as ``glm.fit`` returns them) are those of its last step, not the exact optimum.
* The variance is ``svy.varcoef``: scores ``x_i w_i r_i`` (working residual times working weight)
  times ``(X'WX)^-1``, through the same linearised variance as every estimator here.
* ``df`` = ``degf`` of the rows used + 1 - number of coefficients (``model$df.residual``); t and
  p on it, as ``summary.svyglm`` (also for the binomial family).
* Rows with a missing ``y`` or ``x`` leave the fit with ``na_rm=True`` (R's ``na.omit``; the
  design keeps its PSU counts) and are counted in ``n_dropped``; with ``na_rm=False`` they are an
  error naming the rows.
* Categorical regressors (non-numeric or pandas categorical) get treatment contrasts with the
  first level (sorted, or the categorical's order) as reference, named as R names them
  (``stypeH``). Booleans count as 0/1 numbers.
* A rank-deficient model matrix is an error naming the aliased terms (R would give NA
  coefficients); fitted probabilities of 0 or 1 (separation) are an error, where R only warns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd
from scipy import linalg, special

from leercultuur.errors import format_rows
from leercultuur.survey._domains import MissingBy, _numeric_matrix, group_codes
from leercultuur.survey._effects import Kind
from leercultuur.survey._errors import EngineError, OptionValueError, check_choice
from leercultuur.survey._pairs import design_cov, domain_cov, response
from leercultuur.survey._rules import p_from_f, p_from_t, row_degf

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

Family = Literal["gaussian", "binomial"]
FAMILY_OPTIONS: tuple[str, ...] = get_args(Family)
_EPS = 10 * np.finfo(float).eps  # R binomial()$validmu / glm.fit warning threshold


@dataclass(frozen=True)
class RegressionResult:
    """A fitted design-based regression. ``table``: one row per coefficient."""

    table: pd.DataFrame  # term, estimate, se, t, p_value
    vcov: np.ndarray
    df: int  # residual df (R model$df.residual): t and F tests use it
    design_df: int  # degf of the rows used
    family: str
    response: str
    terms: tuple[str, ...]  # coefficient names
    variables: tuple[str, ...]  # the x variable of each coefficient ("(Intercept)" for it)
    n: int  # rows used
    n_dropped: int  # rows of the design left out for missing values
    iterations: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "response": self.response,
            "df": self.df,
            "design_df": self.design_df,
            "n": self.n,
            "n_dropped": self.n_dropped,
            "iterations": self.iterations,
            "coefficients": self.table.to_dict(orient="records"),
            "vcov": self.vcov.tolist(),
        }


@dataclass(frozen=True)
class WaldResult:
    """Wald F test that a set of coefficients is zero (R ``regTermTest``, method "Wald")."""

    terms: tuple[str, ...]
    coefficients: tuple[str, ...]
    statistic: float  # F = b' V^-1 b / ndf
    ndf: int
    ddf: int
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "terms": list(self.terms),
            "coefficients": list(self.coefficients),
            "statistic": self.statistic,
            "ndf": self.ndf,
            "ddf": self.ddf,
            "p_value": self.p_value,
        }


def _model_matrix(
    design: Design, x: Sequence[str], used: np.ndarray
) -> tuple[np.ndarray, list[str], list[str]]:
    cols: list[np.ndarray] = [np.ones(len(design.data))]
    names, owners = ["(Intercept)"], ["(Intercept)"]
    for c in x:
        s = design.data[c]
        numeric = pd.api.types.is_numeric_dtype(s) and not isinstance(s.dtype, pd.CategoricalDtype)
        if numeric or pd.api.types.is_bool_dtype(s):
            cols.append(_numeric_matrix(design, [c], "regress")[:, 0])
            names.append(c)
            owners.append(c)
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            present = set(s[used].dropna().unique().tolist())
            levels = [v for v in s.cat.categories if v in present]
        else:
            levels = sorted(s[used].dropna().unique().tolist())
        if len(levels) < 2:
            raise EngineError(
                f"regress: regressor {c!r} has {len(levels)} level(s) in the rows used "
                f"({levels!r}); a categorical regressor needs at least two"
            )
        for lev in levels[1:]:
            cols.append((s == lev).to_numpy(dtype=np.float64, na_value=np.nan))
            names.append(f"{c}{lev}")
            owners.append(c)
    X = np.column_stack(cols)
    return X, names, owners


def _aliased(Xw: np.ndarray, names: list[str]) -> list[str]:
    """Columns that are linear combinations of earlier ones (R's pivoting keeps the earlier).

    One Householder QR of the column-normalised matrix: column j adds nothing to the span of the
    earlier columns exactly when |R_jj| is (near) zero; R's ``qr`` uses the tolerance 1e-7."""
    norm = np.linalg.norm(Xw, axis=0)
    Xn = Xw / np.where(norm > 0, norm, 1.0)
    r = linalg.qr(Xn, mode="r")[0]
    diag = np.abs(np.diag(r[: Xn.shape[1]]))
    return [names[j] for j in range(Xn.shape[1]) if norm[j] == 0 or diag[j] < 1e-7]


def _binomial_dev(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y > 0, y * np.log(y / mu), 0.0)
        b = np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
    return float(np.sum(2 * w * (a + b)))


_DBL_EPS = np.finfo(float).eps


def _linkinv(eta: np.ndarray) -> np.ndarray:
    """R's C logit_linkinv: clamped at |eta| > 30."""
    e = np.exp(np.clip(eta, -30, 30))
    e = np.where(eta < -30, _DBL_EPS, np.where(eta > 30, 1 / _DBL_EPS, e))
    return e / (1 + e)


def _mu_eta(eta: np.ndarray) -> np.ndarray:
    """R's C logit_mu_eta: DBL_EPSILON beyond |eta| > 30."""
    e = np.exp(np.clip(eta, -30, 30))
    return np.where(np.abs(eta) > 30, _DBL_EPS, e / (1 + e) ** 2)


def _irls(
    X: np.ndarray, y: np.ndarray, pw: np.ndarray, family: Family
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """R's glm.fit for the binomial family: coefficients, fitted mu, working residuals, working
    weights, iterations. (The gaussian fit is one QR, in :func:`regress`.)"""
    mu = (pw * y + 0.5) / (pw + 1)
    eta = special.logit(mu)
    dev_old = _binomial_dev(y, mu, pw)
    good = pw > 0
    coef = np.zeros(X.shape[1])
    wt = np.zeros_like(pw)
    it = 0
    for it in range(1, 26):  # noqa: B007 - the count is returned
        mu_eta = _mu_eta(eta)
        z = eta + (y - mu) / mu_eta
        ww = np.sqrt(pw * mu_eta**2 / (mu * (1 - mu)))
        coef, *_ = np.linalg.lstsq(X[good] * ww[good, None], z[good] * ww[good], rcond=None)
        wt = np.where(good, ww * ww, 0.0)
        eta = X @ coef
        mu = _linkinv(eta)
        dev = _binomial_dev(y, mu, pw)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-8:
            break
        dev_old = dev
    else:
        raise EngineError(
            "regress: the binomial fit did not converge in 25 iterations (R glm.fit's limit); "
            "this usually means (quasi-)separation"
        )
    resid = (y - mu) / _mu_eta(eta)
    return coef, mu, resid, wt, it


def regress(
    design: Design,
    y: str,
    x: str | Sequence[str],
    *,
    family: Family = "gaussian",
    na_rm: bool = False,
) -> RegressionResult:
    """Design-based linear or logistic regression of ``y`` on ``x``, as R ``svyglm``."""
    check_choice("family", family, FAMILY_OPTIONS)
    xs = [x] if isinstance(x, str) else list(x)
    if not xs:
        raise OptionValueError("regress: give at least one regressor in x")
    if y in xs:
        raise OptionValueError(f"regress: {y!r} is both the response and a regressor")
    from leercultuur.survey._design import _require_columns

    _require_columns(design.data, [y, *xs], "regress")
    yv = _numeric_matrix(design, [y], "regress")[:, 0]
    inside = design.in_domain
    miss = np.isnan(yv) | design.data[xs].isna().any(axis=1).to_numpy()
    bad = np.flatnonzero(miss & inside)
    if bad.size and not na_rm:
        raise EngineError(
            f"regress: {bad.size} rows have a missing value in {[y, *xs]} ({format_rows(bad)}); "
            "pass na_rm=True to leave them out of the fit (R's na.omit)"
        )
    used = inside & ~miss
    X, names, owners = _model_matrix(design, xs, used)
    Xu, yu = X[used], yv[used]
    pw = design.w / design.w[inside].mean()  # svyglm rescale=TRUE: mean 1 over the design rows
    pwu = pw[used]
    if family == "binomial":
        outside = (yu < 0) | (yu > 1)
        if outside.any():
            rows = np.flatnonzero(used)[outside]
            raise EngineError(
                f"regress: family='binomial' needs {y!r} between 0 and 1; e.g. "
                f"{yu[outside][0]!r} in {format_rows(rows)}"
            )
        if np.unique(yu[pwu > 0]).size < 2:
            raise EngineError(f"regress: {y!r} takes one value only in the rows used")
    Xw = Xu * np.sqrt(pwu)[:, None]
    if family == "gaussian":
        # One QR of sqrt(W) X serves the aliasing check, the least-squares fit (as R's
        # glm.fit: Q'y and a triangular solve) and (X'WX)^-1 below.
        q_mat, r_gauss = linalg.qr(Xw, mode="economic")
        norm = np.linalg.norm(Xw, axis=0)
        alias = [
            names[j]
            for j in range(Xw.shape[1])
            if norm[j] == 0 or abs(r_gauss[j, j]) < 1e-7 * norm[j]
        ]
    else:
        alias = _aliased(Xw, names)
    if alias:
        raise EngineError(
            f"regress: the model matrix is singular; {', '.join(map(repr, alias))} "
            "is a linear combination of earlier terms (R would report NA). Drop or merge it"
        )
    if family == "gaussian":
        # with an intercept, fit y - c (c the weighted mean) and add c back to the intercept:
        # data far from zero (an offset of 1e9) keeps its digits; one step of iterative
        # refinement then makes the residuals orthogonal to X to the last digit
        c = float(pwu @ yu / pwu.sum()) if "(Intercept)" in names and pwu.sum() > 0 else 0.0
        yc = yu - c
        sw_ = np.sqrt(pwu)
        coef = linalg.solve_triangular(r_gauss, q_mat.T @ (yc * sw_))
        resid = yc - Xu @ coef
        step = linalg.solve_triangular(r_gauss, q_mat.T @ (resid * sw_))
        coef += step
        resid -= Xu @ step
        if c:
            coef[names.index("(Intercept)")] += c
        mu = yu - resid
        wt, iters = pwu.copy(), 2
    else:
        coef, mu, resid, wt, iters = _irls(Xu, yu, pwu, family)
    if family == "binomial":
        edge = (pwu > 0) & ((mu < _EPS) | (mu > 1 - _EPS))
        if edge.any():
            rows = np.flatnonzero(used)[edge]
            raise EngineError(
                f"regress: fitted probabilities of 0 or 1 for {int(edge.sum())} rows "
                f"({format_rows(rows)}): (quasi-)perfect separation, the coefficients do not "
                "exist. Drop or merge the regressor that predicts the outcome exactly"
            )
    # (X'WX)^-1 from the QR of sqrt(W) X, as R's chol2inv(qr): better conditioned than inv()
    if family == "gaussian":
        r_mat = r_gauss
    else:
        r_mat = linalg.qr(Xu * np.sqrt(wt)[:, None], mode="r")[0][: Xu.shape[1]]
    r_inv = linalg.solve_triangular(r_mat, np.eye(r_mat.shape[0]))
    ainv = r_inv @ r_inv.T
    Z = np.zeros((len(design.data), len(coef)))
    Z[used] = (Xu * (resid * wt)[:, None]) @ ainv
    V = design_cov(design, Z, used)
    design_df = int(row_degf(design, np.where(used, 0, -1), 1)[0])
    df = design_df + 1 - len(coef)
    se = np.sqrt(np.maximum(np.diag(V), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef / se
    table = pd.DataFrame(
        {
            "term": names,
            "estimate": coef,
            "se": se,
            "t": t,
            "p_value": p_from_t(t, np.full(len(coef), df)),
        }
    )
    return RegressionResult(
        table=table,
        vcov=V,
        df=df,
        design_df=design_df,
        family=family,
        response=y,
        terms=tuple(names),
        variables=tuple(owners),
        n=int(used.sum()),
        n_dropped=int(bad.size),
        iterations=iters,
    )


def wald_test(result: RegressionResult, terms: str | Sequence[str]) -> WaldResult:
    """Wald F test that every coefficient of ``terms`` is zero, as R ``regTermTest(m, terms)``.

    A term is a regressor name (all its coefficients, e.g. every dummy of a categorical) or an
    exact coefficient name. F = b' V^-1 b / q on (q, ``result.df``) df.
    """
    names = [terms] if isinstance(terms, str) else list(terms)
    if not names:
        raise OptionValueError("wald_test: give at least one term")
    idx: list[int] = []
    for t in names:
        hit = [i for i, v in enumerate(result.variables) if v == t and t != "(Intercept)"]
        if not hit and t in result.terms:
            hit = [result.terms.index(t)]
        if not hit:
            known = sorted({v for v in result.variables if v != "(Intercept)"})
            raise OptionValueError(
                f"wald_test: term {t!r} is not in the model; its terms: "
                f"{', '.join(map(repr, known))}"
            )
        idx.extend(i for i in hit if i not in idx)
    beta = result.table["estimate"].to_numpy()[idx]
    V = result.vcov[np.ix_(idx, idx)]
    try:
        chisq = float(beta @ np.linalg.solve(V, beta))
    except np.linalg.LinAlgError as exc:
        raise EngineError(
            f"wald_test: the covariance of {names} is singular; the test is not defined"
        ) from exc
    q = len(idx)
    F = chisq / q
    p = float(p_from_f(F, q, result.df))
    return WaldResult(
        terms=tuple(names),
        coefficients=tuple(result.terms[i] for i in idx),
        statistic=F,
        ndf=q,
        ddf=result.df,
        p_value=p,
    )


def wald_groups(
    design: Design,
    var: str,
    *,
    by: str,
    within: str | Sequence[str] | None = None,
    kind: Kind = "mean",
    category: Any = None,
    na_rm: bool = True,
    missing_by: MissingBy = "error",
) -> pd.DataFrame:
    """ANOVA-like design-based test that all groups of ``by`` have the same mean (or share),
    for every value of ``within`` (e.g. year) in one pass.

    Equals R ``regTermTest(svyglm(var ~ by, subset(des, within == v & !is.na(var))), ~by)``:
    the model is saturated in ``by``, so its coefficients are differences of domain means and
    their covariance comes from the domain scores of all groups at once. Columns: the ``within``
    columns, ``statistic`` (Wald F), ``ndf`` (groups present - 1), ``ddf`` (the model's
    residual df: degf + 1 - groups), ``p_value``, ``n_groups``, ``n``.
    """
    wcols = [within] if isinstance(within, str) else list(within or [])
    if by in wcols:
        raise OptionValueError(f"wald_groups: {by!r} cannot be both by= and within=")
    outer, wlab = group_codes(design, wcols, "wald_groups within", missing_by)
    gcode, glab = group_codes(design, [by], "wald_groups by", missing_by)
    scope = (outer >= 0) & (gcode >= 0)
    y = response(
        design, var, kind=kind, category=category, na_rm=na_rm, role="wald_groups", scope=scope
    )
    valid = scope & ~np.isnan(y)
    n_out, G = len(wlab), len(glab)
    o = np.where(valid, outer, 0)
    g = np.where(valid, gcode, 0)
    w = np.where(valid, design.w, 0.0)
    y0 = np.where(valid, y, 0.0)
    key = o * G + g
    W = np.bincount(key, weights=w, minlength=n_out * G).reshape(n_out, G)
    n_og = np.bincount(key, weights=valid, minlength=n_out * G).reshape(n_out, G)
    with np.errstate(divide="ignore", invalid="ignore"):
        M = np.bincount(key, weights=w * y0, minlength=n_out * G).reshape(n_out, G) / W
        z = w * (y0 - np.nan_to_num(M)[o, g]) / W[o, g]
    Z = np.zeros((len(y), G))
    Z[np.flatnonzero(valid), g[valid]] = z[valid]
    V = domain_cov(design, Z, np.where(valid, outer, -1), n_out)
    degf = row_degf(design, np.where(valid, outer, -1), n_out)
    present = n_og > 0
    stat = np.full(n_out, np.nan)
    ndf = present.sum(axis=1) - 1
    ddf = degf + 1 - present.sum(axis=1)
    for k in range(n_out):  # tiny (groups x groups) algebra per within value, no pass over rows
        idx = np.flatnonzero(present[k])
        if idx.size < 2:
            continue
        diff = M[k, idx[1:]] - M[k, idx[0]]
        L = np.hstack([-np.ones((idx.size - 1, 1)), np.eye(idx.size - 1)])
        Vd = L @ V[k][np.ix_(idx, idx)] @ L.T
        try:
            stat[k] = float(diff @ np.linalg.solve(Vd, diff)) / (idx.size - 1)
        except np.linalg.LinAlgError:
            stat[k] = np.nan
    with np.errstate(invalid="ignore"):
        p = p_from_f(stat, ndf, ddf)
    out = wlab.reset_index(drop=True) if wcols else pd.DataFrame(index=range(1))
    out["statistic"] = stat
    out["ndf"] = ndf
    out["ddf"] = ddf
    out["p_value"] = p
    out["n_groups"] = present.sum(axis=1)
    out["n"] = n_og.sum(axis=1).astype(np.int64)
    return out
