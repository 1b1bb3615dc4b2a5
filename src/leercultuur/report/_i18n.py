"""Words and number formats of the Dutch and English editions.

Numbers in text use the edition's decimal separator (Dutch: comma) and a real minus sign.
Group codes of the harmonised table (``low``, ``on_call``, SBI letters, ...) get readable labels
here; unknown codes are shown as they are.
"""

from __future__ import annotations

import math
from typing import Literal

from leercultuur.errors import check_choice
from leercultuur.monitor import SBI_SECTIONS

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
MINUS = "\u2212"
SUPPRESSED = "x"  # CBS sign for "not published" (secret)


def check_lang(lang: str) -> Lang:
    check_choice("lang", lang, LANGS)
    return "en" if lang == "en" else "nl"


def num(x: float | None, decimals: int, lang: Lang, *, sign: bool = False) -> str:
    """``54,3`` (nl) or ``54.3`` (en); ``sign`` adds ``+`` to positive values."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    r = round(float(x), decimals)
    text = f"{abs(r):,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\u2009").replace(".", ",")  # thin space groups thousands
    prefix = MINUS if r < 0 else ("+" if sign and r > 0 else "")
    return prefix + text


def pvalue(p: float, lang: Lang) -> str:
    """p as the article prints it: ``p < 0,001`` or ``p = 0,034``."""
    if p < 0.001:
        return "p < " + num(0.001, 3, lang)
    return "p = " + num(p, 3, lang)


def value(x: float | None, unit: str, lang: Lang) -> str:
    """An estimate: ``54,3%`` for percentages, ``2,41`` for scale means."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return num(x, 1, lang) + "%" if unit == "%" else num(x, 2, lang)


def diff(x: float, unit: str, lang: Lang) -> str:
    """A difference: ``+3,0 %-punt`` / ``+3.0 pp`` or ``+0,05`` for means."""
    if unit == "%":
        return num(x, 1, lang, sign=True) + (" %-punt" if lang == "nl" else " pp")
    return num(x, 2, lang, sign=True)


def slope(x: float, unit: str, lang: Lang) -> str:
    """A change per year: two decimals in percentage points, three for scale means."""
    if unit == "%":
        return num(x, 2, lang, sign=True) + (" %-punt" if lang == "nl" else " pp")
    return num(x, 3, lang, sign=True)


GROUP_LABELS: dict[str, tuple[str, str]] = {
    "all": ("Alle werknemers", "All employees"),
    "low": ("Laag", "Low"),
    "middle": ("Middelbaar", "Middle"),
    "high": ("Hoog", "High"),
    "permanent": ("Vast", "Permanent"),
    "temporary": ("Tijdelijk", "Temporary"),
    "agency": ("Uitzendkracht", "Agency worker"),
    "on_call": ("Oproep-/invalkracht", "On-call worker"),
    "male": ("Man", "Male"),
    "female": ("Vrouw", "Female"),
    "None": ("Onbekend", "Unknown"),
    "nan": ("Onbekend", "Unknown"),
    "<NA>": ("Onbekend", "Unknown"),
}
SECTORS = SBI_SECTIONS  # one definition, in the monitor (the Quickscan's form uses it too)


def group_label(breakdown: str, group: str, lang: Lang) -> str:
    k = 1 if lang == "en" else 0
    if breakdown == "sector" and group in SECTORS:
        return f"{group} {SECTORS[group][k]}"
    if breakdown == "age_class" and group[:1].isdigit():
        return f"{group} {'years' if lang == 'en' else 'jaar'}"
    if breakdown == "company_size" and group[:1].isdigit():
        return f"{group} {'employees' if lang == 'en' else 'werknemers'}"
    return GROUP_LABELS[group][k] if group in GROUP_LABELS else group


DOMAINS: dict[str, tuple[str, str]] = {
    "participation": ("Deelname aan leven lang ontwikkelen", "Participation in lifelong learning"),
    "variation": ("Variatie in het werk", "Variation in work"),
    "autonomy": ("Autonomie", "Autonomy"),
    "support": ("Steun van de leidinggevende", "Supervisor support"),
}


def domain_label(domain: str, lang: Lang) -> str:
    return DOMAINS[domain][lang == "en"] if domain in DOMAINS else domain


_TEXT: dict[str, tuple[str, str]] = {
    "title": ("Monitor Leercultuur", "Learning Culture Monitor"),
    "subtitle": (
        "Leercultuur in Nederland: deelname aan leren en stimulerende factoren, "
        "werknemers, Nationale Enquête Arbeidsomstandigheden (NEA)",
        "Learning culture in the Netherlands: participation in learning and stimulating "
        "factors, employees, Netherlands Working Conditions Survey (NEA)",
    ),
    "findings": ("Belangrijkste bevindingen", "Key findings"),
    "contents": ("Inhoud", "Contents"),
    "indicators": ("Indicatoren door de tijd", "Indicators over time"),
    "subgroups": ("Verschillen tussen groepen", "Differences between groups"),
    "associations": ("Samenhang met stimulerende factoren", "Association with stimulating factors"),
    "methods": ("Methode", "Methods"),
    "group": ("Groep", "Group"),
    "breakdown": ("Indeling", "Breakdown"),
    "trend_b": ("Trend B per jaar", "Trend B per year"),
    "change": ("Verschil", "Change"),
    "all_groups": ("Uitsplitsing naar groepen", "Breakdown by group"),
    "source": ("Bron", "Source"),
    "term": ("Term", "Term"),
    "intercept": ("Constante", "Intercept"),
    "outcome": ("Uitkomst", "Outcome"),
    "chart_trend": ("Ontwikkeling van", "Trend of"),
    "ci_band": ("95%-betrouwbaarheidsinterval", "95% confidence interval"),
    "estimate": ("Schatting", "Estimate"),
    "year": ("Jaar", "Year"),
    "per_unit": ("%-punt per eenheid", "pp per unit"),
    "gaps": ("Niet gemeten in de NEA", "Not measured in the NEA"),
    "provenance": ("Herkomst", "Provenance"),
    "generated": ("Gemaakt met", "Made with"),
    "table_of": ("Tabel", "Table"),
}


def t(key: str, lang: Lang) -> str:
    """The edition's word for ``key``."""
    return _TEXT[key][lang == "en"]
