"""The codebook: a declarative YAML mapping of raw survey files (any edition) to one table.

A codebook names, per harmonised variable, the raw source variable of each year, how raw answer
codes map to harmonised categories or scores (with Dutch and English labels), which codes mean
"missing" and of which kind, which split half answered an item in which year, and the cut points
of derived variables. It only maps data; what the monitor computes lives in the monitor spec.

The YAML is validated with pydantic (unknown keys are refused with the closest known key as a
hint) and then checked for internal consistency (references between variables, overlapping
years, codes that map to unknown categories). See ``docs/codebook.md``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from leercultuur.errors import SpecError

VarType = Literal["year", "id", "text", "integer", "float", "category", "score"]
DesignRole = Literal["year", "id", "stratum", "weight", "weight_prop", "half", "weight_half", "psu"]
NUMERIC_TYPES = ("integer", "float")
CODED_TYPES = ("category", "score")
DEFAULT_CODEBOOK = "synthetic_nea.yaml"


# --------------------------------------------------------------------------- year sets
@dataclass(frozen=True)
class YearSet:
    """A set of survey years: ranges ``(first, last)`` with ``last=None`` for open-ended."""

    ranges: tuple[tuple[int, int | None], ...]

    @classmethod
    def parse(cls, spec: Any) -> YearSet:
        """Parse ``"all"``, ``2020``, ``"2012-2017"``, ``"2018-"``, ``"2020, 2022"`` or a list."""
        if isinstance(spec, YearSet):
            return spec
        items: list[Any] = list(spec) if isinstance(spec, list | tuple) else [spec]
        ranges: list[tuple[int, int | None]] = []
        for item in items:
            parts = [item] if isinstance(item, int) else str(item).split(",")
            for part in parts:
                text = str(part).strip()
                if text == "all":
                    ranges.append((0, None))
                    continue
                m = re.fullmatch(r"(\d{4})\s*(-\s*(\d{4})?)?", text)
                if not m:
                    raise ValueError(
                        f"years {text!r} not understood; use e.g. 2020, '2012-2017', "
                        "'2018-' (open-ended), '2020, 2022' or 'all'"
                    )
                first = int(m.group(1))
                last = None if m.group(2) and not m.group(3) else int(m.group(3) or first)
                if last is not None and last < first:
                    raise ValueError(f"years {text!r}: the range ends before it starts")
                ranges.append((first, last))
        return cls(tuple(ranges))

    def __contains__(self, year: object) -> bool:
        if not isinstance(year, int | np.integer):
            return False
        return any(lo <= year and (hi is None or year <= hi) for lo, hi in self.ranges)

    def overlaps(self, other: YearSet) -> bool:
        big = 10_000
        for lo, hi in self.ranges:
            for lo2, hi2 in other.ranges:
                if max(lo, lo2) <= min(big if hi is None else hi, big if hi2 is None else hi2):
                    return True
        return False

    def __str__(self) -> str:
        out = []
        for lo, hi in self.ranges:
            if lo == 0 and hi is None:
                out.append("all")
            elif hi is None:
                out.append(f"{lo}-")
            else:
                out.append(str(lo) if lo == hi else f"{lo}-{hi}")
        return ", ".join(out)


# --------------------------------------------------------------------------- YAML models
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Labels(_Model):
    nl: str
    en: str


class MissingCode(_Model):
    """A raw code recoded to missing, with its kind (counted separately in the report)."""

    kind: str
    nl: str = ""
    en: str = ""


def _code_key(value: Any) -> float | str:
    """Raw codes compare as floats when numeric (SPSS stores doubles), else as strings."""
    if isinstance(value, bool):
        raise ValueError(f"code {value!r} is a boolean; quote it or use a number")
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    try:
        return float(text)
    except ValueError:
        return text


def _years(value: Any) -> YearSet:
    return YearSet.parse(value)


class Source(_Model):
    """Where a harmonised variable comes from in some years."""

    years: Any = "all"
    variable: str
    codes: dict[Any, Any] | None = None
    half: Literal[1, 2] | None = None

    @field_validator("years")
    @classmethod
    def _parse_years(cls, v: Any) -> YearSet:
        return _years(v)


class Derive(_Model):
    """A variable derived from another harmonised variable by cut points [b_i, b_i+1)."""

    from_: str = Field(alias="from")
    breaks: list[float]

    @field_validator("breaks")
    @classmethod
    def _increasing(cls, v: list[float]) -> list[float]:
        if len(v) < 2 or any(b >= a for a, b in zip(v[1:], v[:-1], strict=True)):
            raise ValueError("breaks must be at least two strictly increasing numbers")
        return v


class Variable(_Model):
    type: VarType
    label: Labels
    ordered: bool = False
    categories: dict[Any, Labels] | None = None
    codes: dict[Any, Any] | None = None
    missing: dict[Any, MissingCode] | None = None
    range: tuple[float, float] | None = None
    required: bool = True
    # shorthand for one source: `source: RAWNAME` with optional years/half
    source: str | None = None
    years: Any = None
    half: Literal[1, 2] | None = None
    sources: list[Source] = Field(default_factory=list)
    derive: Derive | None = None

    @model_validator(mode="after")
    def _normalise(self) -> Variable:
        if self.source is not None:
            if self.sources:
                raise ValueError("give either 'source' (one source) or 'sources', not both")
            one = Source(years=self.years or "all", variable=self.source, half=self.half)
            object.__setattr__(self, "sources", [one])
        elif self.years is not None or self.half is not None:
            raise ValueError("'years' and 'half' at variable level need 'source'")
        if self.derive is not None and self.sources:
            raise ValueError("a derived variable has no sources")
        if self.derive is None and not self.sources:
            raise ValueError("needs 'source', 'sources' or 'derive'")
        if self.type in CODED_TYPES and not self.categories:
            raise ValueError(f"type {self.type!r} needs 'categories'")
        if self.derive is not None:
            if self.type != "category" or not self.categories:
                raise ValueError("a derived variable must be of type 'category' with categories")
            if len(self.categories) != len(self.derive.breaks) - 1:
                raise ValueError(
                    f"derive: {len(self.derive.breaks)} breaks make "
                    f"{len(self.derive.breaks) - 1} classes, but there are "
                    f"{len(self.categories)} categories"
                )
        return self


class Design(_Model):
    """Which harmonised variables play the design roles (weights, strata, ids, split half)."""

    year: str
    id: str
    stratum: str | None = None
    psu: str | None = None
    weight: str
    weight_prop: str | None = None
    half: str | None = None
    weight_half: str | None = None


class CodebookModel(_Model):
    codebook: str
    description: str = ""
    missing: dict[Any, MissingCode] = Field(default_factory=dict)
    design: Design
    variables: dict[str, Variable]


_KNOWN_KEYS = sorted(
    {
        name
        for model in (CodebookModel, Design, Variable, Source, Derive, Labels, MissingCode)
        for name, field in model.model_fields.items()
        for name in (field.alias or name,)
    }
)


# --------------------------------------------------------------------------- runtime view
@dataclass(frozen=True)
class Codebook:
    """A validated codebook. Build it with :func:`load_codebook`."""

    name: str
    description: str
    path: str
    model: CodebookModel
    text: str = ""  # the YAML as read (recorded in the monitor's manifest)

    @property
    def variables(self) -> dict[str, Variable]:
        return self.model.variables

    @property
    def design(self) -> Design:
        return self.model.design

    def source_for(self, name: str, year: int) -> Source | None:
        """The source of harmonised variable ``name`` in ``year`` (None: not measured then)."""
        for src in self.variables[name].sources:
            if year in src.years:
                return src
        return None

    def raw_variables(self) -> list[str]:
        """Every raw variable the codebook reads, in codebook order (no duplicates)."""
        seen: dict[str, None] = {}
        for var in self.variables.values():
            for src in var.sources:
                seen.setdefault(src.variable, None)
        return list(seen)

    def missing_codes(self, name: str) -> dict[float | str, str]:
        """Raw code -> missing kind for a variable (coded items inherit the global codes)."""
        var = self.variables[name]
        table = var.missing
        if table is None:
            table = self.model.missing if var.type in CODED_TYPES else {}
        return {_code_key(k): v.kind for k, v in table.items()}

    def code_map(self, name: str, source: Source) -> dict[float | str, float | str] | None:
        """Raw code -> harmonised value (score number or category name); None = identity."""
        var = self.variables[name]
        codes = source.codes if source.codes is not None else var.codes
        if codes is None:
            return None
        out: dict[float | str, float | str] = {}
        for raw, target in codes.items():
            out[_code_key(raw)] = float(target) if var.type == "score" else str(target)
        return out

    def category_keys(self, name: str) -> list[float | str]:
        """Harmonised category values in codebook order (floats for scores, names otherwise)."""
        var = self.variables[name]
        assert var.categories is not None
        if var.type == "score":
            return [float(k) for k in var.categories]
        return [str(k) for k in var.categories]

    def to_dict(self) -> dict[str, Any]:
        return self.model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _pydantic_message(exc: ValidationError, where: str) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        if err["type"] == "extra_forbidden":
            key = str(err["loc"][-1])
            lines.append(f"{loc}: unknown key {key!r}{_suggest(key, _KNOWN_KEYS)}")
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{loc or '(top level)'}: {msg}")
    return f"codebook {where} is invalid:\n  " + "\n  ".join(lines)


def _target(value: Any, vtype: str) -> str:
    """A harmonised value as text for comparisons (scores as floats: 1 == 1.0)."""
    if vtype == "score":
        try:
            return str(float(value))
        except (TypeError, ValueError):
            return f"not a number: {value!r}"
    return str(value)


def _check_consistency(model: CodebookModel, where: str) -> None:
    problems: list[str] = []
    names = list(model.variables)
    for role, ref in model.design.model_dump().items():
        if ref is not None and ref not in model.variables:
            problems.append(f"design.{role}: unknown variable {ref!r}{_suggest(ref, names)}")
    year_var = model.variables.get(model.design.year)
    if year_var is not None and year_var.type != "year":
        problems.append(f"design.year: variable {model.design.year!r} must have type 'year'")
    for name, var in model.variables.items():
        if var.derive is not None:
            base = var.derive.from_
            if base not in model.variables:
                hint = _suggest(base, names)
                problems.append(f"variables.{name}.derive.from: unknown variable {base!r}{hint}")
            elif model.variables[base].type not in NUMERIC_TYPES:
                problems.append(f"variables.{name}.derive.from: {base!r} is not numeric")
        for i, src in enumerate(var.sources):
            for other in var.sources[i + 1 :]:
                if src.years.overlaps(other.years):
                    problems.append(
                        f"variables.{name}.sources: years {src.years} and {other.years} overlap"
                    )
            codes = src.codes if src.codes is not None else var.codes
            if codes and var.categories is not None:
                keys = {_target(k, var.type) for k in var.categories}
                for raw, target in codes.items():
                    try:
                        _code_key(raw)
                    except ValueError as exc:
                        problems.append(f"variables.{name}.codes: {exc}")
                    if _target(target, var.type) not in keys:
                        problems.append(
                            f"variables.{name}: code {raw!r} maps to {target!r}, which is not "
                            f"one of its categories ({', '.join(map(str, var.categories))})"
                        )
            if src.half is not None and model.design.half is None:
                problems.append(f"variables.{name}: half-only source but no design.half")
        if var.type == "score" and var.categories:
            for k in var.categories:
                try:
                    float(k)
                except (TypeError, ValueError):
                    problems.append(f"variables.{name}: score category {k!r} is not a number")
    if problems:
        unique = list(dict.fromkeys(problems))  # variable-level codes are checked per source
        raise SpecError(f"codebook {where} is inconsistent:\n  " + "\n  ".join(unique))


def parse_codebook(data: Any, *, where: str = "<dict>", text: str | None = None) -> Codebook:
    """Validate a codebook given as a mapping (the parsed YAML; ``text`` the YAML itself)."""
    if not isinstance(data, dict):
        raise SpecError(f"codebook {where}: expected a mapping at the top level")
    try:
        model = CodebookModel.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_pydantic_message(exc, where)) from None
    _check_consistency(model, where)
    if text is None:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return Codebook(
        name=model.codebook, description=model.description, path=where, model=model, text=text
    )


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and validate a codebook YAML; without a path, the shipped synthetic-NEA codebook."""
    if path is None:
        ref = resources.files("leercultuur.io").joinpath("codebooks", DEFAULT_CODEBOOK)
        text, where = ref.read_text(encoding="utf-8"), f"(default) {DEFAULT_CODEBOOK}"
    else:
        p = Path(path)
        if not p.is_file():
            raise SpecError(f"codebook file does not exist: {p}")
        text, where = p.read_text(encoding="utf-8"), str(p)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"codebook {where} is not valid YAML: {exc}") from None
    return parse_codebook(data, where=where, text=text)


def variable_template(name: str) -> str:
    """The codebook line that gives harmonised variable ``name`` as the default codebook
    defines it (type, labels, categories), with placeholders for your file's column and codes."""
    default = load_codebook()
    var = default.variables.get(name)
    if var is None:
        return f"{name}: {{type: float, label: {{nl: ..., en: ...}}, source: YOUR_COLUMN}}"
    entry: dict[str, Any] = {"type": var.type, "label": var.label.model_dump()}
    if var.derive is not None:
        entry["derive"] = {"from": var.derive.from_, "breaks": var.derive.breaks}
    else:
        entry["source"] = "YOUR_COLUMN"
    if var.categories:
        entry["categories"] = {k: v.model_dump() for k, v in var.categories.items()}
        if var.derive is None:
            entry["codes"] = "{YOUR_CODE: CATEGORY, ...}"
    flow = yaml.safe_dump({name: entry}, default_flow_style=True, sort_keys=False, width=10**6,
                          allow_unicode=True).strip()  # fmt: skip
    return (
        flow.removeprefix("{")
        .removesuffix("}")
        .replace("'{YOUR_CODE: CATEGORY, ...}'", "{YOUR_CODE: CATEGORY, ...}")
    )
