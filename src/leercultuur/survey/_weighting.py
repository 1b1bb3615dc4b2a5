"""Survey weighting: raking, calibration, trimming, proportional/expansion weights, split halves.

Semantics follow R ``survey`` 4.1 (``calibrate``, ``grake``, ``trimWeights``), which the golden
tests in ``tests/golden/weighting`` use:

* ``calibrate(design, population, calfun=...)`` solves for g-weights with R's ``grake`` Newton
  iteration (generalised inverse, step halving, convergence when every
  ``|population - reached| / (1 + |population|) < epsilon``), plus one safeguard R lacks: a
  Newton step that increases the misfit is halved (same solution, no divergence). ``calfun``
  is ``"linear"`` (GREG; with ``bounds`` truncated linear), ``"raking"`` (exponential) or
  ``"logit"`` (needs finite bounds). As in R, when every population/sample ratio exceeds 20
  the base weights are scaled by the mean ratio first and ``bounds`` apply to g relative to
  the scaled weights.
* ``rake(design, margins)`` is iterative proportional fitting over categorical margins with
  tight convergence; it reaches the same weights as ``calibrate(calfun="raking")``. (R's own
  ``rake()`` stops after 10 sweeps and epsilon = 1 weighted count; its weights are not converged.)
* The calibrated ``Design`` keeps the base design and replaces the influence scores by their
  residuals from the regression on the calibration model matrix before the variance, exactly as
  R's ``svyrecvar`` does for a ``greg_calibration``:
  ``z' = resid(QR(X * sqrt(w0)), z / (g sqrt(w0))) * g sqrt(w0)``. This holds for ``rake`` too
  (R's ``rake`` approximates the same residuals by 10 sweeps of centring).
* ``trim_weights`` is R's ``trimWeights``: weights outside [lower, upper] are set to the bound and
  the trimmed amount is spread equally over the untrimmed units; the calibration (residuals) of
  the design is kept, as in R.

``population`` (and ``margins``) is a mapping: ``{"sex": {"m": 4_100_000, "f": 3_900_000},
("sex", "age"): {("m", "15-24"): ..., ...}, "income": 2.1e11, "(Intercept)": 8e6}``. A column
name or a tuple of names with a mapping (or a pandas Series) of category -> total is a categorical
margin (a cross-classification for a tuple); a column name with a number is the population total
of a numeric variable; ``"(Intercept)"`` is the population size (implied by any categorical
margin). Impossible margins are refused before any iteration: a sample category that a margin does
not list, a margin category with a positive total that no respondent has, a zero or negative
population, margins whose totals disagree (relative tolerance ``TOTAL_RTOL``).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from leercultuur.errors import DesignError, format_rows
from leercultuur.survey._errors import EngineError, MarginError, OptionValueError, check_choice

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

CalFun = Literal["linear", "raking", "logit"]
CALFUNS: tuple[str, ...] = get_args(CalFun)
Population = Mapping[Hashable, Any]
TOTAL_RTOL = 1e-6  # margins' grand totals must agree to this relative tolerance
_INTERCEPT = "(Intercept)"
_RESCALE_THRESHOLD = 20.0  # R grake's SOMETHRESHOLD


class CalibrationError(DesignError):
    """Calibration or raking did not reach the population totals."""


@dataclass(frozen=True)
class CalibrationInfo:
    """Convergence diagnostics of one calibration (serialisable with ``to_dict``)."""

    method: str  # "calibrate" or "rake"
    calfun: str
    converged: bool
    iterations: int
    max_misfit: float  # max |population - reached| / (1 + |population|)
    worst_term: str
    epsilon: float
    n_constraints: int
    n_rows: int
    g_min: float
    g_max: float
    weight_sum: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class Calibration:
    """Calibration residuals for the variance (the ``Design.calibration`` hook).

    ``q`` is an orthonormal basis of the weighted model matrix ``X sqrt(w0)``; ``scale`` is
    ``g sqrt(w0)`` (zero for zero-weight rows). A design calibrated twice keeps the earlier
    calibration in ``previous`` and applies it first, as R applies its ``postStrata`` in order.
    """

    q: np.ndarray
    scale: np.ndarray
    terms: tuple[str, ...]
    info: CalibrationInfo
    previous: Calibration | None = None

    def residuals(self, z: np.ndarray) -> np.ndarray:
        if self.previous is not None:
            z = self.previous.residuals(z)
        pos = self.scale > 0
        u = np.zeros_like(z, dtype=np.float64)
        u[pos] = z[pos] / self.scale[pos, None]
        r = u - self.q @ (self.q.T @ u)
        return r * self.scale[:, None]

    def to_dict(self) -> dict[str, Any]:
        out = self.info.to_dict()
        out["terms"] = list(self.terms)
        out["previous"] = None if self.previous is None else self.previous.to_dict()
        return out


# --------------------------------------------------------------------------- model matrix
@dataclass(frozen=True)
class _Model:
    mm: np.ndarray  # n x p model matrix
    target: np.ndarray  # p population totals
    terms: tuple[str, ...]  # "sex=f", "income", "(Intercept)"
    margin_index: tuple[tuple[np.ndarray, np.ndarray], ...]  # categorical: (row codes, totals)


def _margin_name(key: Hashable) -> str:
    return " x ".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def _as_total(key: Hashable, cat: Any, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise MarginError(
            f"margin {_margin_name(key)!r}: total of {cat!r} is not a number ({value!r})"
        ) from None
    if not np.isfinite(v) or v < 0:
        raise MarginError(
            f"margin {_margin_name(key)!r}: total of {cat!r} must be finite and >= 0, not {v!r}"
        )
    return v


def _categorical(design: Design, key: Hashable, spec: Any) -> tuple[np.ndarray, np.ndarray, list]:
    """Row codes into the margin's categories, the totals and the category labels."""
    from leercultuur.survey._design import _require_columns

    cols = list(key) if isinstance(key, tuple) else [key]
    name = _margin_name(key)
    _require_columns(design.data, [str(c) for c in cols], f"margin {name!r}")
    items = list(spec.items())
    if not items:
        raise MarginError(f"margin {name!r} lists no categories")
    cats = [k for k, _ in items]
    totals = np.array([_as_total(key, k, v) for k, v in items])
    frame = design.data[cols]
    miss = np.flatnonzero(frame.isna().any(axis=1).to_numpy())
    if miss.size:
        raise MarginError(
            f"margin {name!r}: {miss.size} rows have no value of {name!r} ({format_rows(miss)}); "
            "every row must fall in one category of each margin"
        )
    if len(cols) == 1:
        idx = pd.Index(cats).get_indexer(frame.iloc[:, 0])
    else:
        bad_key = next((k for k in cats if not (isinstance(k, tuple) and len(k) == len(cols))), 0)
        if bad_key != 0:
            raise MarginError(
                f"margin {name!r}: category {bad_key!r} is not a tuple of {len(cols)} values"
            )
        idx = pd.MultiIndex.from_tuples(cats).get_indexer(pd.MultiIndex.from_frame(frame))
    unknown = np.flatnonzero(idx < 0)
    if unknown.size:
        val = tuple(frame.iloc[unknown[0]]) if len(cols) > 1 else frame.iloc[unknown[0], 0]
        raise MarginError(
            f"margin {name!r}: the sample has value {val!r} ({unknown.size} rows, "
            f"{format_rows(unknown)}) that the population margin does not list "
            f"(it lists {', '.join(repr(c) for c in cats[:8])}{' ...' if len(cats) > 8 else ''})"
        )
    counts = np.bincount(idx, minlength=len(cats))
    absent = np.flatnonzero((counts == 0) & (totals > 0))
    if absent.size:
        lst = ", ".join(f"{cats[i]!r} (population {totals[i]:g})" for i in absent[:5])
        raise MarginError(
            f"margin {name!r}: category {lst} is absent from the sample; no weighting can reach "
            "a positive total without respondents (merge it with a neighbouring category)"
        )
    zero = np.flatnonzero((counts > 0) & (totals == 0))
    if zero.size:
        c = zero[0]
        raise MarginError(
            f"margin {name!r}: category {cats[c]!r} has population total 0 but "
            f"{counts[c]} respondents ({format_rows(np.flatnonzero(idx == c))}); "
            "remove those rows explicitly or fix the margin"
        )
    if totals.sum() <= 0:
        raise MarginError(f"margin {name!r}: zero population (all totals are 0)")
    return idx.astype(np.int64), totals, cats


def _build_model(design: Design, population: Population, *, numeric_ok: bool) -> _Model:
    if not isinstance(population, Mapping) or not population:
        raise MarginError("population margins must be a non-empty mapping (see calibrate())")
    n = len(design.data)
    cols: list[np.ndarray] = []
    target: list[float] = []
    terms: list[str] = []
    index: list[tuple[np.ndarray, np.ndarray]] = []
    grand: list[tuple[str, float]] = []
    for key, spec in population.items():
        if isinstance(spec, pd.Series | Mapping):
            idx, totals, cats = _categorical(design, key, spec)
            dummies = np.zeros((n, len(cats)))
            dummies[np.arange(n), idx] = 1.0
            keep = totals > 0  # zero categories have no rows (checked): drop as R does
            cols.append(dummies[:, keep])
            target.extend(totals[keep])
            terms.extend(f"{_margin_name(key)}={c}" for c, k in zip(cats, keep, strict=True) if k)
            index.append((idx, totals))
            grand.append((repr(_margin_name(key)), float(totals.sum())))
            continue
        if not numeric_ok:
            raise MarginError(
                f"rake: margin {_margin_name(key)!r} is a single number; rake takes categorical "
                "margins only (use calibrate() for numeric totals)"
            )
        tot = _as_total(key, "total", spec) if key == _INTERCEPT else float(spec)
        if key == _INTERCEPT:
            if tot <= 0:
                raise MarginError("zero population: '(Intercept)' (population size) must be > 0")
            cols.append(np.ones((n, 1)))
            grand.append(("'(Intercept)'", tot))
        else:
            x = _numeric_column(design, str(key))
            cols.append(x[:, None])
        target.append(tot)
        terms.append(str(key))
    if len(grand) > 1:
        ref = grand[0][1]
        off = [(m, t) for m, t in grand if abs(t - ref) > TOTAL_RTOL * max(abs(ref), 1.0)]
        if off:
            desc = ", ".join(f"{m} sums to {t:,.6g}" for m, t in grand)
            raise MarginError(f"population margins disagree on the population size: {desc}")
    return _Model(np.hstack(cols), np.asarray(target), tuple(terms), tuple(index))


def _numeric_column(design: Design, col: str) -> np.ndarray:
    from leercultuur.survey._design import _require_columns

    _require_columns(design.data, [col], "calibration total")
    s = design.data[col]
    if not pd.api.types.is_numeric_dtype(s):
        raise MarginError(
            f"calibration total {col!r}: the column is not numeric (dtype {s.dtype}); give a "
            "mapping of category -> total for a categorical margin"
        )
    x = s.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(x))
    if bad.size:
        raise MarginError(
            f"calibration total {col!r}: {bad.size} missing values ({format_rows(bad)})"
        )
    return x


# --------------------------------------------------------------------------- calibration functions
def _calfun(calfun: str, u: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """R's ``calfun$Fm1`` (g - 1 as a function of x'eta) and ``calfun$dF``."""
    inside = (u < hi - 1) & (u > lo - 1)
    with np.errstate(over="ignore", invalid="ignore"):
        if calfun == "linear":
            return np.clip(u + 1, lo, hi) - 1, inside.astype(np.float64)
        if calfun == "raking":
            e = np.exp(u)
            return np.clip(e, lo, hi) - 1, np.where(inside, e, 0.0)
        a = (hi - lo) / ((hi - 1) * (1 - lo))
        e = np.exp(a * u)
        den = hi - 1 + (1 - lo) * e
        num = lo * (hi - 1) + hi * (1 - lo) * e
        return num / den - 1, hi * (1 - lo) * e * a / den - num * ((1 - lo) * e * a) / den**2


def _ginv(m: np.ndarray) -> np.ndarray:
    """MASS::ginv with tol = 256 * machine epsilon (relative to the largest singular value)."""
    u, s, vt = np.linalg.svd(m)
    keep = s > max(256 * np.finfo(float).eps * s[0], 0.0) if s.size else s > 0
    return (vt[keep].T / s[keep]) @ u[:, keep].T


def _grake(
    mm: np.ndarray,
    ww: np.ndarray,
    target: np.ndarray,
    calfun: str,
    lo: float,
    hi: float,
    epsilon: float,
    maxit: int,
) -> tuple[np.ndarray, int, np.ndarray]:
    """R ``grake``: g-weights, iterations used and the final misfit."""
    sample_total = mm.T @ ww
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = target / sample_total
    scale = None
    if np.min(scales) > _RESCALE_THRESHOLD:
        scale = float(np.mean(scales))
        ww = ww * scale
        sample_total = sample_total * scale
        if np.isfinite([lo, hi]).any():
            warnings.warn(
                f"calibrate: bounds are interpreted after rescaling the weights by {scale:.3g} "
                "(as R's grake)",
                stacklevel=4,
            )

    def at(eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        fm1, deriv = _calfun(calfun, mm @ eta, lo, hi)
        return 1 + fm1, deriv, target - sample_total - mm.T @ (ww * fm1)

    eta = np.zeros(mm.shape[1])
    g, deriv, misfit = at(eta)
    it = 1
    while True:
        tmat = (mm * (ww * deriv)[:, None]).T @ mm
        deta = _ginv(tmat) @ misfit
        eta = eta + deta
        g, deriv, new_misfit = at(eta)
        while it < maxit and not (np.isfinite(g).all() and np.isfinite(deriv).all()):
            it += 1
            deta = deta / 2
            eta = eta - deta
            g, deriv, new_misfit = at(eta)
        # Safeguard R lacks: a step that makes the misfit worse is halved (same solution; stops
        # raking from diverging when the population is far from the sample's weighted counts).
        for _ in range(60):
            if calfun == "linear" or np.abs(new_misfit).sum() <= np.abs(misfit).sum():
                break
            deta = deta / 2
            eta = eta - deta
            g, deriv, new_misfit = at(eta)
        misfit = new_misfit
        if np.all(np.abs(misfit) / (1 + np.abs(target)) < epsilon):
            break
        it += 1
        if it > maxit:
            break
    if scale is not None:
        g = g * scale
    return g, it, misfit


# --------------------------------------------------------------------------- public API
def _check_full(design: Design, what: str) -> None:
    if design.domain is not None:
        raise EngineError(f"{what}: weight the full design, then take subsets (this is a subset)")


def _bounds(bounds: tuple[float, float] | None, calfun: str) -> tuple[float, float]:
    lo, hi = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
    if not lo < hi:
        raise OptionValueError(f"bounds=({lo}, {hi}): lower must be below upper")
    if calfun == "logit" and not (np.isfinite(lo) and np.isfinite(hi) and lo < 1 < hi):
        raise OptionValueError("calfun='logit' needs finite bounds with lower < 1 < upper")
    return lo, hi


def _finish(
    design: Design,
    model: _Model,
    g: np.ndarray,
    misfit: np.ndarray,
    run: tuple[str, str, int, float, bool],  # method, calfun, iterations, epsilon, force
) -> Design:
    method, calfun, iterations, epsilon, force = run
    from scipy.linalg import qr

    from leercultuur.survey._design import _replace

    w0 = design.w
    rel = np.abs(misfit) / (1 + np.abs(model.target))
    worst = int(np.argmax(rel))
    converged = bool(np.all(rel < epsilon))
    new_w = w0 * g
    info = CalibrationInfo(
        method=method,
        calfun=calfun,
        converged=converged,
        iterations=int(iterations),
        max_misfit=float(rel[worst]),
        worst_term=model.terms[worst],
        epsilon=float(epsilon),
        n_constraints=len(model.terms),
        n_rows=len(w0),
        g_min=float(np.min(g[w0 > 0])),
        g_max=float(np.max(g[w0 > 0])),
        weight_sum=float(new_w.sum()),
    )
    if not converged:
        msg = (
            f"{method}: did not converge in {iterations} iterations (calfun={calfun!r}); "
            f"worst margin {model.terms[worst]!r}: population {model.target[worst]:,.6g}, "
            f"reached {model.target[worst] - misfit[worst]:,.6g} (relative misfit "
            f"{rel[worst]:.3g} > epsilon {epsilon:g}). Check that the margins are consistent "
            "with each other, widen the bounds or raise maxit"
        )
        if not force:
            raise CalibrationError(msg)
        warnings.warn(msg + " (force=True: returning the unconverged weights)", stacklevel=3)
    if np.any(new_w < 0):
        warnings.warn(
            f"{method}: {int((new_w < 0).sum())} calibrated weights are negative "
            "(linear calibration without bounds); consider bounds or calfun='raking'",
            stacklevel=3,
        )
    whalf = np.sqrt(w0)
    a = model.mm * whalf[:, None]
    qmat, rmat, _perm = qr(a, mode="economic", pivoting=True)
    diag = np.abs(np.diag(rmat))
    rank = int(np.sum(diag > 1e-7 * diag[0])) if diag.size else 0
    cal = Calibration(
        q=np.ascontiguousarray(qmat[:, :rank]),
        scale=g * whalf,
        terms=model.terms,
        info=info,
        previous=design.calibration,
    )
    return _replace(design, w=new_w, calibration=cal)


def calibrate(
    design: Design,
    population: Population,
    *,
    calfun: CalFun = "linear",
    bounds: tuple[float, float] | None = None,
    epsilon: float = 1e-12,
    maxit: int = 200,
    force: bool = False,
) -> Design:
    """Calibrate the design's weights to population totals (R ``calibrate``); a new ``Design``.

    ``population`` maps margins to totals (see the module docs). ``bounds=(lower, upper)`` limit
    the g-weights (new / old weight). Not converging raises ``CalibrationError`` naming the worst
    margin, unless ``force=True`` (then a warning). Diagnostics: ``design.calibration.info``.
    """
    check_choice("calfun", calfun, CALFUNS)
    _check_full(design, "calibrate")
    lo, hi = _bounds(bounds, calfun)
    model = _build_model(design, population, numeric_ok=True)
    g, it, misfit = _grake(model.mm, design.w, model.target, calfun, lo, hi, epsilon, maxit)
    return _finish(design, model, g, misfit, ("calibrate", calfun, it, epsilon, force))


def rake(
    design: Design,
    margins: Population,
    *,
    epsilon: float = 1e-12,
    maxit: int = 1000,
    bounds: tuple[float, float] | None = None,
    force: bool = False,
) -> Design:
    """Rake the weights to categorical margins by iterative proportional fitting.

    Each sweep scales the weights to every margin in turn; it stops when every margin cell is
    within ``epsilon`` (relative, as ``calibrate``) or after ``maxit`` sweeps. With ``bounds`` on
    the g-weights it solves bounded raking with ``calibrate(calfun="raking", bounds=...)``.
    """
    _check_full(design, "rake")
    if bounds is not None:
        return calibrate(
            design, margins, calfun="raking", bounds=bounds, epsilon=epsilon, maxit=maxit,
            force=force,
        )  # fmt: skip
    model = _build_model(design, margins, numeric_ok=False)
    w = design.w.copy()
    it = 0
    rel = np.inf
    while it < maxit:
        it += 1
        for idx, totals in model.margin_index:
            reached = np.bincount(idx, weights=w, minlength=totals.size)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(reached > 0, totals / reached, 0.0)
            w = w * factor[idx]
        rel = max(
            float(np.max(np.abs(t - np.bincount(i, weights=w, minlength=t.size)) / (1 + t)))
            for i, t in model.margin_index
        )
        if rel < epsilon:
            break
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(design.w > 0, w / design.w, 1.0)
    misfit = model.target - model.mm.T @ (design.w * g)
    return _finish(design, model, g, misfit, ("rake", "raking", it, epsilon, force))


def trim_weights(
    design: Design, *, lower: float = -np.inf, upper: float = np.inf, strict: bool = False
) -> Design:
    """R ``trimWeights``: clip the weights to [lower, upper], spread the trimmed amount equally
    over the untrimmed units (the total is kept); ``strict=True`` repeats until no weight is
    outside. The design's calibration residuals are kept, as in R."""
    from leercultuur.survey._design import _replace

    if not lower < upper:
        raise OptionValueError(f"trim_weights: lower={lower} must be below upper={upper}")
    w = design.w.copy()
    for _ in range(1000):
        outside = (w < lower) | (w > upper)
        if not outside.any():
            break
        if outside.all():
            raise EngineError(
                f"trim_weights: every weight is outside [{lower:g}, {upper:g}]; "
                "nothing is left to carry the trimmed weight"
            )
        new = np.clip(w, lower, upper)
        new[~outside] += (w - new).sum() / int((~outside).sum())
        w = new
        if not strict:
            break
    return _replace(design, w=w)


# --------------------------------------------------------------------------- weight vectors
def _group_codes(n: int, by: Any) -> tuple[np.ndarray, np.ndarray]:
    if by is None:
        return np.zeros(n, np.int64), np.array([0])
    codes, uniques = pd.factorize(pd.Series(np.asarray(by)), sort=True)
    if (codes < 0).any():
        bad = np.flatnonzero(codes < 0)
        raise MarginError(f"group variable has {bad.size} missing values ({format_rows(bad)})")
    return codes.astype(np.int64), np.asarray(uniques)


def _as_weights(weights: Any) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        raise MarginError(
            f"weights: {bad.size} missing, infinite or negative values ({format_rows(bad)})"
        )
    return w


def proportional_weights(weights: Any, *, by: Any = None) -> np.ndarray:
    """Weights scaled to mean 1 (within each group of ``by``, e.g. per year), as the NEA's
    proportional weight: w * n_g / sum_g(w)."""
    w = _as_weights(weights)
    g, _ = _group_codes(len(w), by)
    sums = np.bincount(g, weights=w)
    counts = np.bincount(g)
    if np.any(sums <= 0):
        raise MarginError("proportional_weights: a group has weights summing to 0")
    return w * (counts / sums)[g]


def expansion_weights(weights: Any, total: Any, *, by: Any = None) -> np.ndarray:
    """Weights scaled to sum to the population ``total`` (a number, or a mapping group -> total
    when ``by`` is given): w * N_g / sum_g(w)."""
    w = _as_weights(weights)
    g, groups = _group_codes(len(w), by)
    if by is None:
        tot = np.array([float(total)])
    else:
        if not isinstance(total, Mapping):
            raise MarginError("expansion_weights: with by=, give total as a mapping group -> total")
        missing = [x for x in groups if x not in total]
        if missing:
            raise MarginError(f"expansion_weights: no population total for group {missing[0]!r}")
        tot = np.array([float(total[x]) for x in groups])
    if np.any(tot <= 0) or not np.isfinite(tot).all():
        raise MarginError("expansion_weights: zero population (a total is not positive)")
    sums = np.bincount(g, weights=w)
    if np.any(sums <= 0):
        raise MarginError("expansion_weights: a group has weights summing to 0")
    return w * (tot / sums)[g]


def combine_halves(weights: Any, half: Any) -> np.ndarray:
    """Combine split parts that were each weighted to the whole population, in proportion to
    response: w_i * n_h / n. Each part's weights must sum to the same population total (relative
    tolerance ``TOTAL_RTOL``); the combined weights sum to it once."""
    w = _as_weights(weights)
    h, labels = _group_codes(len(w), half)
    sums = np.bincount(h, weights=w)
    counts = np.bincount(h)
    if np.any(sums <= 0):
        raise MarginError("combine_halves: a half has weights summing to 0 (zero population)")
    if np.max(np.abs(sums - sums[0])) > TOTAL_RTOL * sums[0]:
        desc = ", ".join(
            f"half {lab!r}: {s:,.6g}" for lab, s in zip(labels.tolist(), sums, strict=True)
        )
        raise MarginError(
            f"combine_halves: the halves are weighted to different populations ({desc}); "
            "weight each half to the same population totals first"
        )
    return w * (counts / len(w))[h]
