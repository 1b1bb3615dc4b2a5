"""The national benchmark in the app: editions of the monitor's benchmark export.

``leercultuur quickscan load-benchmark FILE`` reads the file the monitor exports
(``leercultuur benchmark export``), checks it against the committed JSON Schema (the single
definition, ``leercultuur/monitor/schemas/benchmark-v1.schema.json``) and then against the rules
a schema cannot express (intervals around their estimate, suppressed cells without figures), and
stores it as a new edition. An invalid file changes nothing: the current edition stays. Every
edition is kept; the latest loaded is current; a closed scan keeps the edition it was closed with.

The app ships with the synthetic demo benchmark (``data/benchmark-demo.json``, made by the
monitor from the synthetic NEA); it is installed as the first edition when none is loaded, and
everything that uses it is labelled "synthetische demonstratiegegevens / synthetic demo data".

The comparison group of an organisation: its sector x size class where the monitor publishes
it, else its size class, else its sector, else all employees, with the reason in words.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from leercultuur.monitor._export import BenchmarkFile, Cell, IndicatorBenchmark
from leercultuur.quickscan.errors import InvalidInput
from leercultuur.quickscan.jsonschema_check import errors as schema_errors
from leercultuur.quickscan.models import BenchmarkEdition

DEMO_FILE = "data/benchmark-demo.json"
DEMO_LABEL_NL = "synthetische demonstratiegegevens"
DEMO_LABEL_EN = "synthetic demo data"
MAX_BYTES = 5 * 1024 * 1024
GroupKind = Literal["sector_size", "size", "sector", "all"]


class BenchmarkInvalid(InvalidInput):
    """A benchmark file that cannot be loaded (names the file, the field and the value)."""


def committed_schema() -> dict[str, Any]:
    """The committed JSON Schema of the benchmark file (the monitor's, shipped in the package)."""
    text = resources.files("leercultuur.monitor").joinpath("schemas/benchmark-v1.schema.json")
    return json.loads(text.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_benchmark(text: str, *, where: str) -> BenchmarkFile:
    """Validate a benchmark file's text: JSON, the schema, then the figures' own rules."""
    try:
        raw = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise BenchmarkInvalid(f"{where}: not valid JSON ({exc})") from None
    problems = schema_errors(raw, committed_schema())
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise BenchmarkInvalid(
            f"{where}: does not match the benchmark schema v1: " + "; ".join(problems[:10]) + more
        )
    try:
        bench = BenchmarkFile.model_validate(raw)
    except ValidationError as exc:  # the schema and the model agree (tested); kept as a guard
        raise BenchmarkInvalid(f"{where}: {exc.errors()[0]['msg']}") from None
    problems = _figure_problems(bench)
    if problems:
        raise BenchmarkInvalid(f"{where}: " + "; ".join(problems[:10]))
    return bench


def _figure_problems(bench: BenchmarkFile) -> list[str]:
    out: list[str] = []
    if not bench.indicators:
        out.append("indicators: the file has no indicators")
    seen: set[str] = set()
    for k, ind in enumerate(bench.indicators):
        if ind.id in seen:
            out.append(f"indicators[{k}].id: {ind.id!r} appears twice")
        seen.add(ind.id)
        cells = [("national", ind.national)]
        cells += [(f"company_size.{g}", c) for g, c in ind.company_size.items()]
        cells += [(f"sector.{g}", c) for g, c in ind.sector.items()]
        for name, cell in cells:
            problem = _cell_problem(cell)
            if problem:
                out.append(f"indicators[{k}] ({ind.id}).{name}: {problem}")
        if ind.national.suppressed:
            out.append(f"indicators[{k}] ({ind.id}).national: the national figure is suppressed")
    return out


def _cell_problem(cell: Cell) -> str | None:
    figures = (cell.estimate, cell.se, cell.ci_low, cell.ci_high)
    if cell.n < 0:
        return f"n is {cell.n}, a count cannot be negative"
    if cell.suppressed:
        if any(f is not None for f in figures):
            return "a suppressed cell carries figures; it must carry none"
        return None
    if any(f is None for f in figures):
        return "a published cell needs estimate, se, ci_low and ci_high"
    est, se, lo, hi = (float(f) for f in figures)  # type: ignore[arg-type]
    if not all(math.isfinite(v) for v in (est, se, lo, hi)):
        return "figures must be finite numbers"
    if se < 0:
        return f"se is {se}, it cannot be negative"
    if not lo <= est <= hi:
        return f"the interval [{lo}, {hi}] does not contain the estimate {est}"
    return None


def read_benchmark_file(path: str | Path) -> tuple[BenchmarkFile, str]:
    """A validated benchmark file and its text; :class:`BenchmarkInvalid` names what is wrong."""
    p = Path(path)
    if not p.is_file():
        raise BenchmarkInvalid(f"benchmark file {str(p)!r} does not exist or is not a file")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise BenchmarkInvalid(
            f"benchmark file {str(p)!r} has {size} bytes; at most {MAX_BYTES} are accepted"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BenchmarkInvalid(f"benchmark file {str(p)!r} is not UTF-8 text") from None
    return parse_benchmark(text, where=str(p)), text


def store_edition(
    db: Session, bench: BenchmarkFile, text: str, *, is_demo: bool = False,
    now: _dt.datetime | None = None,
) -> BenchmarkEdition:  # fmt: skip
    """Store a validated file as the current edition (a file loaded before becomes current
    again). Flushes only; the caller's unit of work commits."""
    now = now or _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    edition = db.scalar(select(BenchmarkEdition).where(BenchmarkEdition.sha256 == digest))
    if edition is None:
        edition = BenchmarkEdition(
            data=bench.provenance.data,
            is_demo=is_demo,
            source=bench.provenance.source[:500],
            year=max(ind.year for ind in bench.indicators),
            years=",".join(str(y) for y in bench.provenance.years),
            sha256=digest,
            content=text,
        )
        db.add(edition)
    edition.loaded_at = now
    db.flush()
    return edition


def load_benchmark(db: Session, path: str | Path) -> BenchmarkEdition:
    """Validate and store a benchmark file as the current edition; an invalid file raises
    :class:`BenchmarkInvalid` before anything is stored (the current edition stays)."""
    bench, text = read_benchmark_file(path)
    return store_edition(db, bench, text)


def demo_text() -> str:
    return resources.files("leercultuur.quickscan").joinpath(DEMO_FILE).read_text("utf-8")


def current_edition(db: Session) -> BenchmarkEdition:
    """The latest loaded edition; the shipped demo edition is installed when there is none (a
    write, flushed only: the first call needs a unit of work that commits)."""
    edition = db.scalar(
        select(BenchmarkEdition).order_by(
            BenchmarkEdition.loaded_at.desc(), BenchmarkEdition.id.desc()
        )
    )
    if edition is not None:
        return edition
    text = demo_text()
    return store_edition(db, parse_benchmark(text, where=DEMO_FILE), text, is_demo=True)


def list_editions(db: Session) -> list[BenchmarkEdition]:
    """Every edition, the current one first."""
    return list(
        db.scalars(
            select(BenchmarkEdition).order_by(
                BenchmarkEdition.loaded_at.desc(), BenchmarkEdition.id.desc()
            )
        )
    )


@dataclass(frozen=True)
class BenchmarkInfo:
    """Which benchmark a report uses, with the label every page, PDF and CSV must show."""

    edition_id: int | None
    data: Literal["synthetic", "real"]
    is_demo: bool
    source: str
    year: int
    years: tuple[int, ...]
    label_nl: str
    label_en: str


@dataclass(frozen=True)
class LoadedBenchmark:
    info: BenchmarkInfo
    file: BenchmarkFile

    def indicator(self, indicator_id: str) -> IndicatorBenchmark | None:
        for ind in self.file.indicators:
            if ind.id == indicator_id:
                return ind
        return None


def benchmark_info(bench: BenchmarkFile, *, edition_id: int | None, is_demo: bool) -> BenchmarkInfo:
    year = max(ind.year for ind in bench.indicators)
    if bench.provenance.data == "synthetic":
        nl, en = DEMO_LABEL_NL, DEMO_LABEL_EN
    else:
        src = bench.provenance.source
        nl = f"landelijke cijfers van de monitor Leercultuur ({year}; bron: {src})"
        en = f"national figures of the Learning Culture Monitor ({year}; source: {src})"
    return BenchmarkInfo(
        edition_id=edition_id,
        data=bench.provenance.data,
        is_demo=is_demo,
        source=bench.provenance.source,
        year=year,
        years=tuple(bench.provenance.years),
        label_nl=nl,
        label_en=en,
    )


def loaded(edition: BenchmarkEdition) -> LoadedBenchmark:
    """The parsed benchmark of a stored edition (stored editions were validated on loading)."""
    bench = BenchmarkFile.model_validate_json(edition.content)
    return LoadedBenchmark(
        benchmark_info(bench, edition_id=edition.id, is_demo=edition.is_demo), bench
    )


def from_file(bench: BenchmarkFile, *, is_demo: bool = False) -> LoadedBenchmark:
    """A benchmark not stored in a database (tests, previews)."""
    return LoadedBenchmark(benchmark_info(bench, edition_id=None, is_demo=is_demo), bench)


# ------------------------------------------------------------------ comparison group
@dataclass(frozen=True)
class ComparisonGroup:
    kind: GroupKind
    sector: str | None
    size_class: str | None
    label_nl: str
    label_en: str
    reason_nl: str
    reason_en: str


def _size_nl(size: str) -> str:
    return "250 of meer" if size == "250+" else size


def _size_en(size: str) -> str:
    return "250 or more" if size == "250+" else size


def comparison_cell(
    ind: IndicatorBenchmark, *, sector: str, size_class: str, threshold: int
) -> tuple[Cell, ComparisonGroup]:
    """The benchmark cell to compare with, and why that one.

    Order: sector x size class (the v1 export publishes none), size class, sector, everyone."""
    sz_nl, sz_en = _size_nl(size_class), _size_en(size_class)
    size_cell = ind.company_size.get(size_class)
    sector_cell = ind.sector.get(sector)
    no_cross_nl = "De monitor publiceert geen cijfers per sector en grootteklasse samen"
    no_cross_en = "The monitor publishes no figures for sector and size class combined"
    size_gone_nl = (
        f"de grootteklasse {sz_nl} werknemers heeft te weinig respondenten in de landelijke "
        f"steekproef (minder dan {threshold})"
        if size_cell is not None else f"de grootteklasse {sz_nl} werknemers wordt niet gepubliceerd"
    )  # fmt: skip
    size_gone_en = (
        f"the size class {sz_en} employees has too few respondents in the national sample "
        f"(fewer than {threshold})"
        if size_cell is not None else f"the size class {sz_en} employees is not published"
    )  # fmt: skip
    if size_cell is not None and not size_cell.suppressed:
        return size_cell, ComparisonGroup(
            kind="size", sector=None, size_class=size_class,
            label_nl=f"werkenden in bedrijven met {sz_nl} werknemers",
            label_en=f"employees of firms with {sz_en} employees",
            reason_nl=f"{no_cross_nl}; de grootteklasse van uw organisatie wel.",
            reason_en=f"{no_cross_en}; it does for your organisation's size class.",
        )  # fmt: skip
    if sector_cell is not None and not sector_cell.suppressed:
        return sector_cell, ComparisonGroup(
            kind="sector", sector=sector, size_class=None,
            label_nl=f"werkenden in sector {sector}", label_en=f"employees in sector {sector}",
            reason_nl=f"{no_cross_nl}, en {size_gone_nl}; daarom uw sector.",
            reason_en=f"{no_cross_en}, and {size_gone_en}; hence your sector.",
        )  # fmt: skip
    return ind.national, ComparisonGroup(
        kind="all", sector=None, size_class=None,
        label_nl="alle werkenden in Nederland", label_en="all employees in the Netherlands",
        reason_nl=f"{no_cross_nl}, {size_gone_nl}, en uw sector heeft te weinig respondenten "
        "of wordt niet gepubliceerd; daarom alle werkenden.",
        reason_en=f"{no_cross_en}, {size_gone_en}, and your sector has too few respondents or "
        "is not published; hence all employees.",
    )  # fmt: skip
