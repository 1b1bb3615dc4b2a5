"""The monitor spec: which indicators, breakdowns, thresholds and tests the monitor reports.

A YAML file validated with pydantic; the default ships with the package
(``specs/default.yaml``). The codebook (``leercultuur.io``) only maps data; everything the monitor
computes from it lives here. Documented in ``docs/monitor-spec.md``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from leercultuur.errors import SpecError

IndicatorKind = Literal["share", "mean", "share_scale"]
# libyaml's C loader when PyYAML was built with it (10x faster than the pure-Python one)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


class Indicator(_Strict):
    """One indicator: a share of answers, a scale mean, or a share above a scale cut-off."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    domain: str
    kind: IndicatorKind
    items: tuple[str, ...] = Field(min_length=1)
    success: tuple[float, ...] = ()
    scale: tuple[float, float] | None = None
    cutoff: float | None = None
    headline: bool = False
    label: Label
    # the people the indicator counts, as the subject of a sentence in the report's findings
    # ("Het aandeel werknemers dat ..."); without it the report writes one from the label
    subject: Label | None = None

    @model_validator(mode="after")
    def _check(self) -> Indicator:
        if self.kind == "share":
            if len(self.items) != 1:
                raise ValueError(f"indicator {self.id!r}: kind 'share' takes exactly one item")
            if not self.success:
                raise ValueError(f"indicator {self.id!r}: kind 'share' needs 'success' codes")
        if self.kind == "share_scale" and self.cutoff is None:
            raise ValueError(f"indicator {self.id!r}: kind 'share_scale' needs a 'cutoff'")
        return self

    @property
    def is_percentage(self) -> bool:
        return self.kind in ("share", "share_scale")


class CombinedGroup(_Strict):
    """A group that joins categories of its breakdown (e.g. 55-64 and 65-74 as "55+").

    ``id`` is the group as the output tables write it; ``of`` the categories it joins, as the
    tables write them (the codebook's codes). Compared, like every group, with all other
    respondents of the breakdown (those outside the combined group)."""

    id: str = Field(min_length=1, max_length=40)
    of: tuple[str, ...] = Field(min_length=2)
    label: Label

    @model_validator(mode="before")
    @classmethod
    def _codes_as_text(cls, raw: object) -> object:
        # YAML reads `of: [1, 2]` as numbers; the tables write groups as text
        if isinstance(raw, dict) and isinstance(raw.get("of"), list):
            raw = {**raw, "of": [str(v) for v in raw["of"]]}
        return raw

    @model_validator(mode="after")
    def _check(self) -> CombinedGroup:
        dup = sorted({g for g in self.of if self.of.count(g) > 1})
        if dup:
            raise ValueError(f"combined group {self.id!r}: 'of' names {', '.join(dup)} twice")
        return self


class Breakdown(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    column: str
    label: Label
    combine: tuple[CombinedGroup, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Breakdown:
        ids = [c.id for c in self.combine]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(
                f"breakdown {self.id!r}: combined group id(s) {', '.join(dup)} used twice"
            )
        clash = sorted({c.id for c in self.combine if c.id in c.of})
        if clash:
            raise ValueError(
                f"breakdown {self.id!r}: combined group {', '.join(clash)} has the id of one of "
                "the categories it joins; give it its own id (e.g. '55+')"
            )
        return self


class TrendSpec(_Strict):
    break_year: int | None = 2020
    min_years: int = Field(default=3, ge=2)


LonelyRule = Literal["adjust", "average", "remove", "certainty", "fail"]


class DesignSpec(_Strict):
    """The design columns of the harmonised table and the rules the monitor applies.

    Strata are always nested in years (each year is its own sample, whatever the stratum
    column's type); PSUs are nested in (year, stratum). ``lonely_psu`` is R's
    ``options(survey.lonely.psu=...)`` for strata with one PSU. ``classic_weight`` is the
    weight of the ``--classic`` tests, normalised to mean 1 within each year."""

    year: str = "year"
    strata: str | None = "stratum"
    psu: str | None = None
    lonely_psu: LonelyRule = "adjust"
    classic_weight: str = "weight_prop"


class Associations(_Strict):
    outcomes: tuple[str, ...] = ()
    predictors: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()


class MonitorSpec(_Strict):
    version: Literal[1] = 1
    extends: Literal["default"] | None = None
    publication_threshold: int = Field(default=200, ge=0)
    alpha: float = Field(default=0.05, gt=0, lt=1)
    effect_size_threshold: float = Field(default=0.20, ge=0)
    multiple_testing: Literal["none", "bh"] = "none"
    ci_method: Literal["logit", "mean", "asin", "xlogit", "beta"] = "logit"
    trend: TrendSpec = TrendSpec()
    design: DesignSpec = DesignSpec()
    breakdowns: tuple[Breakdown, ...] = ()
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    associations: Associations = Associations()
    # groups the report always writes a finding about ("breakdown:group", e.g. "age_class:55+")
    risk_groups: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check_refs(self) -> MonitorSpec:
        ids = [i.id for i in self.indicators]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate indicator ids: {', '.join(dup)}")
        bids = [b.id for b in self.breakdowns]
        dupb = sorted({b for b in bids if bids.count(b) > 1})
        if dupb:
            raise ValueError(f"duplicate breakdown ids: {', '.join(dupb)}")
        # a risk group of a breakdown the spec drops is simply not reported
        bad = [r for r in self.risk_groups if ":" not in r or not all(r.split(":", 1))]
        if bad:
            raise ValueError(
                f"risk_groups: {', '.join(map(repr, bad))} is not written as 'breakdown:group' "
                "(e.g. 'age_class:55+')"
            )
        known = set(ids)
        for role, names in (
            ("outcomes", self.associations.outcomes),
            ("predictors", self.associations.predictors),
        ):
            unknown = [n for n in names if n not in known]
            if unknown:
                raise ValueError(f"associations.{role}: unknown indicator {', '.join(unknown)}")
        return self

    def indicator(self, id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == id:
                return ind
        raise KeyError(id)

    def breakdown(self, id: str) -> Breakdown:
        for b in self.breakdowns:
            if b.id == id:
                return b
        raise KeyError(id)


def default_spec_text() -> str:
    """The YAML text of the default spec shipped with the package."""
    return resources.files("leercultuur.monitor").joinpath("specs/default.yaml").read_text()


def _merge_by_id(base: list[object], changes: list[object], where: str) -> list[object]:
    """Entries with an ``id`` of the base are updated key by key; new ids are appended."""
    out = [dict(b) if isinstance(b, dict) else b for b in base]
    index = {b.get("id"): k for k, b in enumerate(out) if isinstance(b, dict)}
    for item in changes:
        if not isinstance(item, dict) or "id" not in item:
            raise SpecError(f"{where}: every entry needs an 'id' (to say which one it changes)")
        k = index.get(item["id"])
        if k is None:
            index[item["id"]] = len(out)
            out.append(dict(item))
        else:
            out[k] = _merge(out[k], item, where)  # type: ignore[arg-type]
    return out


def _merge(base: dict[str, object], changes: dict[str, object], where: str) -> dict[str, object]:
    """``changes`` over ``base``: mappings merge key by key, lists of entries with ids merge by
    id (``drop_<list>: [ids]`` removes entries), anything else is replaced."""
    out = dict(base)
    for key, value in changes.items():
        if key.startswith("drop_") and key[5:] in _BY_ID:
            listed = [e for e in _as_list(out.get(key[5:])) if isinstance(e, dict)]
            drop = _as_list(value)
            unknown = [v for v in drop if v not in {e.get("id") for e in listed}]
            if unknown:
                raise SpecError(f"{where}: {key}: no entry with id {', '.join(map(str, unknown))}")
            out[key[5:]] = [e for e in listed if e.get("id") not in drop]
            continue
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = _merge(old, value, f"{where}: {key}")
        elif isinstance(old, list) and isinstance(value, list) and key in _BY_ID:
            out[key] = _merge_by_id(old, value, f"{where}: {key}")
        else:
            out[key] = value
    return out


_BY_ID = ("indicators", "breakdowns")


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def load_spec(path: str | Path | None = None) -> MonitorSpec:
    """Read and validate a monitor spec (default: the one shipped with the package).

    A spec with ``extends: default`` changes only what it names: mappings merge key by key,
    ``indicators`` and ``breakdowns`` merge by ``id`` (``drop_indicators: [id, ...]`` and
    ``drop_breakdowns`` remove entries), other values replace the default's."""
    if path is None:
        text, where = default_spec_text(), "default monitor spec"
    else:
        p = Path(path)
        if not p.exists():
            raise SpecError(f"monitor spec {str(p)!r} does not exist")
        text = p.read_text(encoding="utf-8")
        where = str(p)
    raw = _parse(text, where)
    if raw.get("extends") is not None:
        if raw["extends"] != "default":
            raise SpecError(
                f"{where}: extends: {raw['extends']!r} is not allowed; the only allowed value is "
                "'default' (or leave 'extends' out for a complete spec)"
            )
        raw = _merge(_parse(default_spec_text(), "default monitor spec"), raw, where)
    try:
        return MonitorSpec.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise SpecError(f"{where}: {problems}") from None


def _parse(text: str, where: str) -> dict[str, object]:
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise SpecError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: expected a mapping at the top level")
    return raw
