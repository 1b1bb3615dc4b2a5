"""An organisation's Quickscan report: its figures next to the national monitor, with intervals.

Per indicator of the monitor (its own definitions, ``leercultuur.monitor``), on the survey engine
(``leercultuur.survey.Design``): the scan's respondents are a sample without replacement from
the organisation's headcount N, so the design is R's ``svydesign(id = ~1, fpc = ~N)`` (weights
N / n); percentages get R ``svyciprop``'s logit interval, scale means the normal one, both with
the finite population correction (1 - n/N). The benchmark is an independent estimate with its
own standard error; the difference gets se = sqrt(se_org^2 + se_bench^2) and a normal 95%
interval, and the verdict follows from that interval (see :func:`verdict_of`). Only closed scans
with at least the minimum number of responses get a report (``lifecycle.report_status``);
breakdowns by team and background answer only where ``anonymity`` allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from leercultuur.monitor import Indicator, MonitorSpec, indicator_values, load_spec
from leercultuur.quickscan import texts
from leercultuur.quickscan.anonymity import CandidateGroup, disclosure_plan
from leercultuur.quickscan.benchmark import BenchmarkInfo, ComparisonGroup, LoadedBenchmark
from leercultuur.quickscan.benchmark import comparison_cell as _comparison_cell
from leercultuur.quickscan.harmonise import BACKGROUND
from leercultuur.survey import Design

Verdict = Literal[
    "higher", "comparable", "lower", "too_few", "mixed", "single_view", "no_benchmark"
]
ChangeVerdict = Literal["up", "no_clear_change", "down"]
Dimension = Literal["nonformal", "informal", "variation", "autonomy", "supervisor"]
ScanKind = Literal["employees", "employer"]
DIMENSIONS: tuple[Dimension, ...] = ("nonformal", "informal", "variation", "autonomy", "supervisor")
LEVEL = 0.95
# ASSUMPTION (documented in docs/quickscan.md): "comparable" needs the whole interval of the
# difference within +-10 percentage points, or +-10% of a scale's range.
COMPARABLE_PCT = 10.0
COMPARABLE_SCALE_SHARE = 0.10


@dataclass(frozen=True)
class Interval:
    estimate: float
    se: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Figure:
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    # True when every answer was the same (a share of 0% or 100%) in a sample, not a census: the
    # design-based SE is 0, so the interval is the exact binomial one (Clopper-Pearson on n)
    exact: bool = False


@dataclass(frozen=True)
class BenchmarkFigure:
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    group: ComparisonGroup


@dataclass(frozen=True)
class Change:
    previous_scan_id: int
    previous_closed_on: date
    previous: Figure
    difference: Interval
    verdict: ChangeVerdict
    text_nl: str
    text_en: str


@dataclass(frozen=True)
class IndicatorResult:
    id: str
    dimension: Dimension
    label_nl: str
    label_en: str
    unit: Literal["%", "mean"]
    headline: bool
    organisation: Figure | None
    benchmark: BenchmarkFigure | None
    difference: Interval | None
    verdict: Verdict
    verdict_nl: str
    verdict_en: str
    change: Change | None = None


@dataclass(frozen=True)
class DimensionResult:
    id: Dimension
    label_nl: str
    label_en: str
    indicator_ids: tuple[str, ...]
    verdict: Verdict
    verdict_nl: str
    verdict_en: str


@dataclass(frozen=True)
class GroupResult:
    variable: str
    code: int
    variable_label_nl: str
    variable_label_en: str
    label_nl: str
    label_en: str
    shown: bool
    n: int | None
    reason: Literal["too_small", "rest_too_small", "differencing"] | None
    reason_nl: str | None
    reason_en: str | None
    indicators: tuple[IndicatorResult, ...]


@dataclass(frozen=True)
class ScanData:
    """What a report is computed from: the scan's facts and one row per response (harmonised
    monitor items as scores; background answers as Quickscan codes, NaN when not answered)."""

    scan_id: int
    name: str
    kind: ScanKind
    sector: str
    size_class: str
    headcount: int
    minimum: int
    closed_on: date
    teams: tuple[str, ...]
    responses: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class ScanReport:
    scan_id: int
    scan_name: str
    kind: ScanKind
    sector: str
    size_class: str
    headcount: int
    responses: int
    response_rate: float
    minimum: int
    closed_on: date
    level: float
    benchmark: BenchmarkInfo
    comparison: ComparisonGroup
    indicators: tuple[IndicatorResult, ...]
    dimensions: tuple[DimensionResult, ...]
    groups: tuple[GroupResult, ...]
    previous_scan_id: int | None
    method_nl: str
    method_en: str
    notes_nl: tuple[str, ...]
    notes_en: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-compatible values (dates as ISO text)."""
        return _jsonable(asdict(self))  # type: ignore[no-any-return]

    def csv_rows(self, lang: Literal["nl", "en"] = "nl") -> list[dict[str, object]]:
        """The aggregated figures the report shows, one row per figure; never a row per person."""
        from leercultuur.quickscan.export import csv_rows

        return csv_rows(self, lang)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


# ------------------------------------------------------------------------- indicators
def dimension_of(ind: Indicator) -> Dimension:
    """The Quickscan dimension of a monitor indicator (the monitor's 'participation' domain is
    split into non-formal and informal learning)."""
    if ind.domain == "participation":
        return "nonformal" if ind.items == ("course",) else "informal"
    if ind.domain == "support":
        return "supervisor"
    if ind.domain in ("variation", "autonomy"):
        return ind.domain  # type: ignore[return-value]
    raise ValueError(f"indicator {ind.id!r}: domain {ind.domain!r} has no Quickscan dimension")


def quickscan_indicators(spec: MonitorSpec, columns: Sequence[str]) -> list[Indicator]:
    """The monitor's indicators whose items the Quickscan asks (headline first per dimension)."""
    inds = [i for i in spec.indicators if all(c in columns for c in i.items)]
    order = {d: k for k, d in enumerate(DIMENSIONS)}
    return sorted(inds, key=lambda i: (order[dimension_of(i)], not i.headline))


def comparable_margin(ind: Indicator) -> float:
    if ind.is_percentage:
        return COMPARABLE_PCT
    lo, hi = ind.scale if ind.scale is not None else (0.0, 1.0)
    return COMPARABLE_SCALE_SHARE * (hi - lo)


def verdict_of(diff: Interval | None, margin: float, *, enough: bool) -> Verdict:
    """Clearly higher/lower when the difference's interval excludes zero; comparable when it lies
    within +-margin; otherwise (or with too few answers) too few answers to say."""
    if not enough:
        return "too_few"
    if diff is None:
        return "no_benchmark"
    if diff.ci_low > 0:
        return "higher"
    if diff.ci_high < 0:
        return "lower"
    if -margin <= diff.ci_low and diff.ci_high <= margin:
        return "comparable"
    return "too_few"


def difference(
    org: Figure | Interval, other: Figure | BenchmarkFigure, *, level: float
) -> Interval:
    """org - other for independent estimates: se = sqrt(se1^2 + se2^2), normal interval.

    When either side has an exact (Clopper-Pearson) interval, the difference's interval is the
    conservative [lo1 - hi2, hi1 - lo2] (its se the half-width / z)."""
    q = float(stats.norm.ppf(1 - (1 - level) / 2))
    est = org.estimate - other.estimate
    if getattr(org, "exact", False) or getattr(other, "exact", False):
        lo, hi = org.ci_low - other.ci_high, org.ci_high - other.ci_low
        return Interval(est, (hi - lo) / (2 * q), lo, hi)
    se = float(np.hypot(org.se, other.se))
    return Interval(est, se, est - q * se, est + q * se)


def _design(data: ScanData) -> Design:
    df = data.responses.copy()
    n = len(df)
    population = max(data.headcount, n)
    df["__w"] = population / n
    df["__N"] = float(population)
    return Design(df, weights="__w", fpc="__N")


def exact_interval(successes: int, n: int, *, level: float) -> tuple[float, float]:
    """Clopper-Pearson interval of a binomial share (R: ``binom.test(x, n)$conf.int``)."""
    a = 1 - level
    lo = 0.0 if successes == 0 else float(stats.beta.ppf(a / 2, successes, n - successes + 1))
    hi = 1.0 if successes == n else float(stats.beta.ppf(1 - a / 2, successes + 1, n - successes))
    return lo, hi


def _figures(
    design: Design, ind: Indicator, col: str, *, level: float, census: bool = False
) -> Figure | None:
    """The indicator's estimate with its interval in the domain of the design (None: no rows).

    A share of 0% or 100% in a sample gets the exact interval (see :class:`Figure`)."""
    fig = _design_figures(design, ind, col, level=level)
    if fig is None or census:
        return fig
    return _exact_if_degenerate(fig, ind, level=level)


def _covering(fig: Figure | None, members: int) -> Figure | None:
    """A figure is shown only when it covers every member of its group: the anonymity plan
    reasons about whole groups, and a figure of part of a group (someone skipped an item) would
    be the total of another, unchecked set. (The monitor's items are required in the Quickscan,
    so this does not happen with its own questionnaire.)"""
    return fig if fig is not None and fig.n == members else None


def _figures_by(
    design: Design, inds: Sequence[Indicator], var: str, *, level: float
) -> dict[tuple[str, int], Figure]:
    """Every indicator's figures in every group of ``var`` in one engine call per indicator
    (the same as a subset per group: each group is a domain of the whole design)."""
    out: dict[tuple[str, int], Figure] = {}
    for ind in inds:
        col = f"ind__{ind.id}"
        scale = 100.0 if ind.is_percentage else 1.0
        if ind.is_percentage:
            t = design.proportion(col, by=var, na_rm=True, ci="logit", level=level,
                                  missing_by="group")  # fmt: skip
        else:
            t = design.mean(col, by=var, na_rm=True, level=level, missing_by="group")
        t = t[t[var].notna()]
        for code, rows in t.groupby(var, sort=False):
            if ind.is_percentage:
                hit = rows[rows["category"] == 1.0]
                row = hit.iloc[0] if len(hit) else rows.iloc[0]
                est = float(row["estimate"]) if len(hit) else 0.0
                lo, hi = (float(row["ci_low"]), float(row["ci_high"])) if len(hit) else (0.0, 0.0)
            else:
                row = rows.iloc[0]
                est, lo, hi = float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"])
            nrow = int(row["n"])
            if nrow == 0 or not np.isfinite(est):
                continue
            fig = Figure(est * scale, float(row["se"]) * scale, lo * scale, hi * scale, nrow)
            out[(ind.id, int(code))] = _exact_if_degenerate(fig, ind, level=level)
    return out


def _exact_if_degenerate(fig: Figure, ind: Indicator, *, level: float) -> Figure:
    if not ind.is_percentage:
        return fig
    all_yes, all_no = fig.estimate > 100.0 - 1e-9, fig.estimate < 1e-9
    if not (all_yes or all_no):
        return fig
    lo, hi = exact_interval(fig.n if all_yes else 0, fig.n, level=level)
    return Figure(fig.estimate, fig.se, 100.0 * lo, 100.0 * hi, fig.n, exact=True)


def _design_figures(design: Design, ind: Indicator, col: str, *, level: float) -> Figure | None:
    scale = 100.0 if ind.is_percentage else 1.0
    values = design.data[col].to_numpy(dtype=np.float64)
    if not np.any(~np.isnan(values) & design.in_domain):
        return None
    if ind.is_percentage:
        t = design.proportion(col, na_rm=True, ci="logit", level=level)
        t = t[t["category"] == 1.0]
        if t.empty:  # nobody scored 1: the share is 0
            t = design.proportion(col, na_rm=True, ci="logit", level=level)
            row = t.iloc[0]
            return Figure(0.0, float(row["se"]) * scale, 0.0, 0.0, int(row["n"]))
    else:
        t = design.mean(col, na_rm=True, level=level)
    row = t.iloc[0]
    return Figure(
        float(row["estimate"]) * scale,
        float(row["se"]) * scale,
        float(row["ci_low"]) * scale,
        float(row["ci_high"]) * scale,
        int(row["n"]),
    )


def _indicator_frame(data: ScanData, inds: Sequence[Indicator]) -> pd.DataFrame:
    out = data.responses.copy()
    for ind in inds:
        out[f"ind__{ind.id}"] = indicator_values(data.responses, ind)
    return out


# ------------------------------------------------------------------------- the report
def build_scan_report(
    data: ScanData,
    bench: LoadedBenchmark,
    *,
    previous: ScanData | None = None,
    spec: MonitorSpec | None = None,
    level: float = LEVEL,
) -> ScanReport:
    """The report of a closed scan (the caller checks closing and the minimum; this function
    refuses fewer responses than the minimum for a scan of employees)."""
    spec = spec or load_spec()
    n = len(data.responses)
    single = data.kind == "employer"
    if single and n < 1:
        raise ValueError("an employer self-scan needs its one response")
    if not single and n < data.minimum:
        raise ValueError(f"{n} responses is below the scan's minimum of {data.minimum}")
    inds = quickscan_indicators(spec, list(data.responses.columns))
    frame = _indicator_frame(data, inds)
    design = None if single else _design(ScanData(**{**_fields(data), "responses": frame}))
    threshold = bench.file.publication_threshold
    prev_design = prev_frame = None
    if previous is not None:
        prev_frame = _indicator_frame(previous, inds)
        prev_design = _design(ScanData(**{**_fields(previous), "responses": prev_frame}))
    results: list[IndicatorResult] = []
    groups_used: list[ComparisonGroup] = []
    for ind in inds:
        col = f"ind__{ind.id}"
        cmp = _bench_figure(bench, ind, data, threshold)
        if cmp is not None:
            groups_used.append(cmp.group)
        if single:
            results.append(_single_view(ind, frame[col].to_numpy(dtype=float), cmp))
            continue
        assert design is not None
        org = _covering(_figures(design, ind, col, level=level, census=n >= data.headcount), n)
        res = _compare(ind, org, cmp, enough=org is not None and org.n >= data.minimum,
                       level=level)  # fmt: skip
        if prev_design is not None and previous is not None and org is not None:
            before = _figures(prev_design, ind, col, level=level,
                              census=len(previous.responses) >= previous.headcount)  # fmt: skip
            if before is not None:
                res = _with_change(res, org, before, previous, ind, level=level)
        results.append(res)
    comparison = _main_group(groups_used, data)
    groups = () if single else _groups(data, frame, design, inds, bench, level=level)
    nl, en = texts.method(data, n=n, level=level, single=single)
    notes_nl, notes_en = texts.notes(data, n=n, bench=bench.info)
    return ScanReport(
        scan_id=data.scan_id,
        scan_name=data.name,
        kind=data.kind,
        sector=data.sector,
        size_class=data.size_class,
        headcount=data.headcount,
        responses=n,
        response_rate=min(1.0, n / data.headcount),
        minimum=data.minimum,
        closed_on=data.closed_on,
        level=level,
        benchmark=bench.info,
        comparison=comparison,
        indicators=tuple(results),
        dimensions=_dimensions(results, single=single),
        groups=groups,
        previous_scan_id=None if previous is None else previous.scan_id,
        method_nl=nl,
        method_en=en,
        notes_nl=notes_nl,
        notes_en=notes_en,
    )


def _fields(data: ScanData) -> dict[str, Any]:
    return {k: getattr(data, k) for k in data.__dataclass_fields__}


def _bench_figure(
    bench: LoadedBenchmark, ind: Indicator, data: ScanData, threshold: int
) -> BenchmarkFigure | None:
    b = bench.indicator(ind.id)
    if b is None:
        return None
    cell, group = _comparison_cell(
        b, sector=data.sector, size_class=data.size_class, threshold=threshold
    )
    assert cell.estimate is not None and cell.se is not None
    assert cell.ci_low is not None and cell.ci_high is not None
    return BenchmarkFigure(cell.estimate, cell.se, cell.ci_low, cell.ci_high, cell.n, group)


def _compare(
    ind: Indicator, org: Figure | None, cmp: BenchmarkFigure | None, *, enough: bool, level: float
) -> IndicatorResult:
    diff = None if org is None or cmp is None else difference(org, cmp, level=level)
    verdict = verdict_of(diff, comparable_margin(ind), enough=enough)
    nl, en = texts.verdict_sentence(verdict, diff, ind, cmp, level=level)
    return _result(ind, org, cmp, diff, verdict, nl, en)


def _result(
    ind: Indicator,
    org: Figure | None,
    cmp: BenchmarkFigure | None,
    diff: Interval | None,
    verdict: Verdict,
    nl: str,
    en: str,
) -> IndicatorResult:
    """One indicator's row: the indicator's own fields plus the figures and the verdict."""
    return IndicatorResult(
        id=ind.id,
        dimension=dimension_of(ind),
        label_nl=ind.label.nl,
        label_en=ind.label.en,
        unit="%" if ind.is_percentage else "mean",
        headline=ind.headline,
        organisation=org,
        benchmark=cmp,
        difference=diff,
        verdict=verdict,
        verdict_nl=nl,
        verdict_en=en,
    )


def _single_view(
    ind: Indicator, values: np.ndarray, cmp: BenchmarkFigure | None
) -> IndicatorResult:
    scale = 100.0 if ind.is_percentage else 1.0
    v = values[~np.isnan(values)]
    # one response is expected; should a self-scan hold more, their mean is shown (noted)
    m = float(v.mean()) * scale if v.size else 0.0
    org = None if v.size == 0 else Figure(m, 0.0, m, m, int(v.size))
    nl, en = texts.single_view_sentence(org, ind, cmp)
    return _result(ind, org, cmp, None, "single_view", nl, en)


def _with_change(
    res: IndicatorResult, org: Figure, before: Figure, previous: ScanData, ind: Indicator,
    *, level: float,
) -> IndicatorResult:  # fmt: skip
    diff = difference(org, before, level=level)
    verdict: ChangeVerdict = (
        "up" if diff.ci_low > 0 else "down" if diff.ci_high < 0 else "no_clear_change"
    )
    nl, en = texts.change_sentence(verdict, diff, ind, previous.closed_on, level=level)
    change = Change(previous.scan_id, previous.closed_on, before, diff, verdict, nl, en)
    return IndicatorResult(**{**asdict_shallow(res), "change": change})


def asdict_shallow(obj: Any) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in obj.__dataclass_fields__}


def _main_group(groups: list[ComparisonGroup], data: ScanData) -> ComparisonGroup:
    if not groups:
        raise ValueError("the benchmark has none of the Quickscan's indicators")
    counts: dict[ComparisonGroup, int] = {}
    for g in groups:
        counts[g] = counts.get(g, 0) + 1
    return max(counts, key=lambda g: counts[g])


def _dimensions(results: list[IndicatorResult], *, single: bool) -> tuple[DimensionResult, ...]:
    out = []
    for dim in DIMENSIONS:
        mine = [r for r in results if r.dimension == dim]
        if not mine:
            continue
        lead = [r for r in mine if r.headline] or mine[:1]
        verdicts = {r.verdict for r in lead}
        verdict: Verdict = verdicts.pop() if len(verdicts) == 1 else "mixed"
        nl, en = texts.DIMENSION_LABELS[dim]
        vnl, ven = texts.dimension_sentence(verdict, lead)
        out.append(DimensionResult(dim, nl, en, tuple(r.id for r in mine), verdict, vnl, ven))
    return tuple(out)


def _groups(
    data: ScanData, frame: pd.DataFrame, design: Design | None, inds: Sequence[Indicator],
    bench: LoadedBenchmark, *, level: float,
) -> tuple[GroupResult, ...]:  # fmt: skip
    """Breakdowns by team and background answer, as far as the anonymity rule allows."""
    assert design is not None
    n = len(frame)
    candidates: list[CandidateGroup] = []
    labels: dict[tuple[str, int], tuple[str, str, str, str]] = {}
    for var in BACKGROUND:
        if var not in frame.columns:
            continue
        codes = frame[var].to_numpy(dtype=np.float64)
        for code in sorted({int(c) for c in codes[~np.isnan(codes)]}):
            members = frozenset(int(i) for i in np.flatnonzero(codes == code))
            key = (var, code)
            candidates.append(CandidateGroup(key, members, 1 if var == "team" else 0))
            labels[key] = texts.group_labels(var, code, data.teams)
    if not candidates:
        return ()
    plan = disclosure_plan(candidates, n, minimum=data.minimum)
    threshold = bench.file.publication_threshold
    shown_vars = sorted({key[0] for key in plan.shown})
    by_var = {var: _figures_by(design, inds, var, level=level) for var in shown_vars}
    out = []
    for cand in candidates:
        d = plan.decision(cand.key)
        vnl, ven, lnl, len_ = labels[cand.key]
        if not d.shown:
            assert d.reason is not None
            rnl, ren = texts.SUPPRESSION_REASONS[d.reason]
            out.append(GroupResult(cand.key[0], cand.key[1], vnl, ven, lnl, len_, False, None,
                                   d.reason, rnl.format(k=data.minimum),
                                   ren.format(k=data.minimum), ()))  # fmt: skip
            continue
        rows = []
        for ind in inds:
            org = _covering(by_var[cand.key[0]].get((ind.id, cand.key[1])), len(cand.members))
            cmp = _bench_figure(bench, ind, data, threshold)
            rows.append(_compare(ind, org, cmp, enough=org is not None and org.n >= data.minimum,
                                 level=level))  # fmt: skip
        out.append(GroupResult(cand.key[0], cand.key[1], vnl, ven, lnl, len_, True,
                               len(cand.members), None, None, None, tuple(rows)))  # fmt: skip
    return tuple(out)
