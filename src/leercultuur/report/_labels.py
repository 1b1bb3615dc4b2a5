"""Readable names of groups, breakdowns and the people in a group, from the result itself.

A group's label comes, in this order, from the spec's combined groups ("55 jaar en ouder"), the
codebook's category labels recorded in the manifest (``labels.categories[column][group]``), the
report's own table of the default codebook's codes, and only then the code itself. The people of
a group ("Laagopgeleide werknemers", "Uitzendkrachten") are the subject of the findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._i18n import Lang

MISSING = "(missing)"  # the monitor's group of respondents without a value

# People of a group: (nl, en), per (breakdown, group); {label} is the group's label.
_PEOPLE: dict[tuple[str, str], tuple[str, str]] = {
    ("education", "low"): ("laagopgeleide werknemers", "low-educated employees"),
    ("education", "middle"): (
        "middelbaar opgeleide werknemers", "employees with a middle education"
    ),
    ("education", "high"): ("hoogopgeleide werknemers", "highly educated employees"),
    ("contract", "permanent"): (
        "werknemers met een vast contract", "employees on a permanent contract"
    ),
    ("contract", "temporary"): (
        "werknemers met een tijdelijk contract", "employees on a temporary contract"
    ),
    ("contract", "agency"): ("uitzendkrachten", "agency workers"),
    ("contract", "on_call"): ("oproep- en invalkrachten", "on-call workers"),
    ("contract", "flex"): (
        "flexkrachten (oproep- en uitzendkrachten)", "flexible workers (on-call and agency)"
    ),
    ("sex", "male"): ("mannen", "men"),
    ("sex", "female"): ("vrouwen", "women"),
}  # fmt: skip
_PEOPLE_OF: dict[str, tuple[str, str]] = {
    "age_class": ("werknemers van {label}", "employees aged {label}"),
    "company_size": (
        "werknemers in bedrijven met {label} werkzame personen",
        "employees in companies with {label} persons employed",
    ),
    "sector": ("werknemers in de sector {label}", "employees in the sector {label}"),
    "education": ("werknemers met opleidingsniveau {label}", "employees with education {label}"),
    "contract": ("werknemers met contract {label}", "employees with contract {label}"),
}
_AGE_EN_OLDER = {"55+": "55 and older"}


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """``Opleiding gevolgd`` -> ``opleiding gevolgd``; abbreviations (``NEA``) stay."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


@dataclass
class Labels:
    """Names in one edition, for one result."""

    result: MonitorResult
    lang: Lang
    _cats: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        labels: Any = self.result.manifest.get("labels") or {}
        cats = labels.get("categories") if isinstance(labels, dict) else None
        self._cats = cats if isinstance(cats, dict) else {}

    def _column(self, breakdown: str) -> str | None:
        for b in self.result.spec.breakdowns:
            if b.id == breakdown:
                return b.column
        return None

    def breakdown(self, breakdown: str) -> str:
        for b in self.result.spec.breakdowns:
            if b.id == breakdown:
                return b.label.get(self.lang)
        return i18n.t("group", self.lang) if breakdown == "all" else breakdown

    def combined(self, breakdown: str, group: str) -> str | None:
        for b in self.result.spec.breakdowns:
            if b.id == breakdown:
                for c in b.combine:
                    if c.id == group:
                        return c.label.get(self.lang)
        return None

    def group(self, breakdown: str, group: str) -> str:
        """The group as a table row shows it (capitalised)."""
        if group == MISSING:
            return "Onbekend" if self.lang == "nl" else "Unknown"
        if breakdown == "all":
            return i18n.group_label("all", "all", self.lang)
        combined = self.combined(breakdown, group)
        if combined:
            return cap(combined)
        col = self._column(breakdown)
        entry = self._cats.get(col or "", {}).get(group)
        if isinstance(entry, dict) and entry.get(self.lang):
            text = str(entry[self.lang])
            if breakdown == "company_size" and text[:1].isdigit():
                text += " werkzame personen" if self.lang == "nl" else " persons employed"
            return cap(text)
        return cap(i18n.group_label(breakdown, group, self.lang))

    def people(self, breakdown: str, group: str) -> str:
        """The people of a group as the subject of a sentence, lower case
        (``werknemers van 55 jaar en ouder``); capitalise with :func:`cap`."""
        k = self.lang == "en"
        if breakdown == "all":
            return "all employees" if k else "alle werknemers"
        if (breakdown, group) in _PEOPLE:
            return _PEOPLE[breakdown, group][k]
        label = self.combined(breakdown, group) or self.group(breakdown, group)
        if breakdown == "company_size":
            label = group if group[:1].isdigit() else lower_first(label)
        elif breakdown == "age_class" and k and group in _AGE_EN_OLDER:
            label = _AGE_EN_OLDER[group]
        elif breakdown != "sector":
            label = lower_first(label)
        if breakdown in _PEOPLE_OF:
            return _PEOPLE_OF[breakdown][k].format(label=label)
        what = self.breakdown(breakdown).lower()
        return (
            f"employees in the group {what}: {label}"
            if k
            else f"werknemers in de groep {what}: {label}"
        )

    def indicator(self, ind: str) -> str:
        try:
            return self.result.spec.indicator(ind).label.get(self.lang)
        except KeyError:
            return ind

    def subject(self, ind: str) -> str:
        """The indicator as the subject of a sentence (``Het aandeel werknemers dat ...``)."""
        try:
            spec_ind = self.result.spec.indicator(ind)
        except KeyError:
            return ind
        if spec_ind.subject is not None:
            return spec_ind.subject.get(self.lang)
        label = lower_first(spec_ind.label.get(self.lang))
        if spec_ind.kind == "mean":
            return (
                f"The mean of '{label}'" if self.lang == "en" else f"Het gemiddelde van '{label}'"
            )
        return (
            f"The share of employees for whom '{label}' holds"
            if self.lang == "en"
            else f"Het aandeel werknemers voor wie '{label}' geldt"
        )
