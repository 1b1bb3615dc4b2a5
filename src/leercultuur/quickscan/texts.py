"""The report's sentences in Dutch and English (verdicts, changes, method, reasons, labels)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from leercultuur.monitor import Indicator
from leercultuur.quickscan.items import BACKGROUND_ITEMS, team_item

if TYPE_CHECKING:
    from leercultuur.quickscan.benchmark import BenchmarkInfo

DIMENSION_LABELS: dict[str, tuple[str, str]] = {
    "nonformal": ("Formeel leren: opleiding en cursus", "Formal learning: courses and training"),
    "informal": ("Informeel leren in het werk", "Informal learning at work"),
    "variation": ("Afwisseling in het werk", "Variety in the work"),
    "autonomy": ("Zelf beslissen (autonomie)", "Deciding for yourself (autonomy)"),
    "supervisor": ("Steun van de leidinggevende", "Support from the supervisor"),
}

SUPPRESSION_REASONS: dict[str, tuple[str, str]] = {
    "too_small": (
        "Niet getoond: minder dan {k} antwoorden in deze groep.",
        "Not shown: fewer than {k} answers in this group.",
    ),
    "rest_too_small": (
        "Niet getoond: de rest van de organisatie telt minder dan {k} antwoorden, dus de groep "
        "zou de antwoorden van die paar mensen verraden.",
        "Not shown: the rest of the organisation has fewer than {k} answers, so this group would "
        "give away the answers of those few people.",
    ),
    "differencing": (
        "Niet getoond: samen met andere getoonde uitkomsten zou deze groep de antwoorden van "
        "minder dan {k} mensen te herleiden maken.",
        "Not shown: together with other results shown, this group would let someone work out "
        "the answers of fewer than {k} people.",
    ),
}

_VARIABLE_LABELS = {
    "team": ("Team", "Team"),
    "age_class": ("Leeftijd", "Age"),
    "education": ("Opleidingsniveau", "Education level"),
    "contract": ("Type contract", "Contract type"),
}


def group_labels(var: str, code: int, teams: Sequence[str]) -> tuple[str, str, str, str]:
    """(variable nl, variable en, category nl, category en) of a background answer."""
    items = {it.id: it for it in BACKGROUND_ITEMS}
    if teams:
        items["team"] = team_item(teams)
    vnl, ven = _VARIABLE_LABELS[var]
    item = items.get(var)
    for opt in item.options if item is not None else ():
        if opt.code == code:
            return vnl, ven, opt.nl, opt.en
    return vnl, ven, f"antwoord {code}", f"answer {code}"


def _num(x: float, unit: str, lang: str, *, sign: bool = False) -> str:
    text = f"{x:+.1f}" if sign else f"{x:.1f}"
    if unit != "%":
        text = f"{x:+.2f}" if sign else f"{x:.2f}"
    return text.replace(".", ",") if lang == "nl" else text


def _points(unit: str, lang: str) -> str:
    if unit == "%":
        return "procentpunt" if lang == "nl" else "percentage points"
    return "punt op de schaal" if lang == "nl" else "points on the scale"


def verdict_sentence(
    verdict: str, diff: Any, ind: Indicator, cmp: Any, *, level: float
) -> tuple[str, str]:
    unit = "%" if ind.is_percentage else "mean"
    pct = round(level * 100)
    if verdict == "no_benchmark":
        return (
            "Geen landelijk vergelijkingscijfer voor deze indicator.",
            "No national figure to compare with for this indicator.",
        )
    if diff is None:
        return ("Te weinig antwoorden om iets te zeggen.", "Too few answers to say.")
    out = []
    for lang in ("nl", "en"):
        lo, hi = _num(diff.ci_low, unit, lang, sign=True), _num(diff.ci_high, unit, lang, sign=True)
        pts = _points(unit, lang)
        grp = cmp.group.label_nl if lang == "nl" else cmp.group.label_en
        if lang == "nl":
            s = {
                "higher": f"Duidelijk hoger dan bij {grp}: het verschil ligt met {pct}% zekerheid "
                f"tussen {lo} en {hi} {pts}, dus boven nul.",
                "lower": f"Duidelijk lager dan bij {grp}: het verschil ligt met {pct}% zekerheid "
                f"tussen {lo} en {hi} {pts}, dus onder nul.",
                "comparable": f"Vergelijkbaar met {grp}: het verschil ligt met {pct}% zekerheid "
                f"tussen {lo} en {hi} {pts}, dus dichtbij nul.",
                "too_few": f"Te weinig antwoorden om het te zeggen: het verschil met {grp} ligt "
                f"ergens tussen {lo} en {hi} {pts}. Met meer antwoorden wordt dat preciezer.",
            }[verdict]
        else:
            s = {
                "higher": f"Clearly higher than among {grp}: with {pct}% confidence the "
                f"difference lies between {lo} and {hi} {pts}, above zero.",
                "lower": f"Clearly lower than among {grp}: with {pct}% confidence the difference "
                f"lies between {lo} and {hi} {pts}, below zero.",
                "comparable": f"Comparable with {grp}: with {pct}% confidence the difference "
                f"lies between {lo} and {hi} {pts}, close to zero.",
                "too_few": f"Too few answers to say: the difference with {grp} lies somewhere "
                f"between {lo} and {hi} {pts}. More answers would narrow this down.",
            }[verdict]
        out.append(s)
    return out[0], out[1]


def single_view_sentence(org: Any, ind: Indicator, cmp: Any) -> tuple[str, str]:
    unit = "%" if ind.is_percentage else "mean"
    if org is None or cmp is None:
        return (
            "Het beeld van één persoon; geen vergelijkingscijfer.",
            "One person's view; no figure to compare with.",
        )
    if ind.is_percentage:
        yes = org.estimate >= 50
        you_nl = "geldt voor uw organisatie" if yes else "geldt niet voor uw organisatie"
        you_en = "applies to your organisation" if yes else "does not apply to your organisation"
        return (
            f"Het beeld van één persoon: dit {you_nl}. Bij {cmp.group.label_nl} geldt het voor "
            f"{_num(cmp.estimate, unit, 'nl')}% ({_num(cmp.ci_low, unit, 'nl')}-"
            f"{_num(cmp.ci_high, unit, 'nl')}%).",
            f"One person's view: this {you_en}. Among {cmp.group.label_en} it applies to "
            f"{_num(cmp.estimate, unit, 'en')}% ({_num(cmp.ci_low, unit, 'en')}-"
            f"{_num(cmp.ci_high, unit, 'en')}%).",
        )
    return (
        f"Het beeld van één persoon: {_num(org.estimate, unit, 'nl')}; bij {cmp.group.label_nl} "
        f"gemiddeld {_num(cmp.estimate, unit, 'nl')}.",
        f"One person's view: {_num(org.estimate, unit, 'en')}; among {cmp.group.label_en} "
        f"{_num(cmp.estimate, unit, 'en')} on average.",
    )


def change_sentence(
    verdict: str, diff: Any, ind: Indicator, before: date, *, level: float
) -> tuple[str, str]:
    unit = "%" if ind.is_percentage else "mean"
    pct = round(level * 100)
    d = before.isoformat()
    res = []
    for lang in ("nl", "en"):
        lo, hi = _num(diff.ci_low, unit, lang, sign=True), _num(diff.ci_high, unit, lang, sign=True)
        est = _num(diff.estimate, unit, lang, sign=True)
        pts = _points(unit, lang)
        if lang == "nl":
            what = {"up": "Duidelijk gestegen", "down": "Duidelijk gedaald",
                    "no_clear_change": "Geen duidelijke verandering"}[verdict]  # fmt: skip
            res.append(
                f"{what} sinds de scan van {d}: {est} {pts} ({pct}%-interval {lo} tot {hi})."
            )
        else:
            what = {"up": "Clearly up", "down": "Clearly down",
                    "no_clear_change": "No clear change"}[verdict]  # fmt: skip
            res.append(f"{what} since the scan of {d}: {est} {pts} ({pct}% interval {lo} to {hi}).")
    return res[0], res[1]


def dimension_sentence(verdict: str, lead: Sequence[Any]) -> tuple[str, str]:
    if verdict == "mixed":
        return (
            "De cijfers van dit onderwerp wijzen verschillende kanten op; zie elk cijfer.",
            "The figures of this topic point different ways; see each figure.",
        )
    return lead[0].verdict_nl, lead[0].verdict_en


def method(data: Any, *, n: int, level: float, single: bool) -> tuple[str, str]:
    pct = round(level * 100)
    if single:
        return (
            "Deze zelfscan geeft het beeld van één persoon (de eigenaar of leidinggevende) en is "
            "daarom geen steekproef: er is geen marge. De vergelijking is met werkenden in "
            "bedrijven met 1-9 werknemers uit de landelijke monitor.",
            "This self-scan gives one person's view (the owner or manager) and is therefore not a "
            "sample: there is no margin. It is compared with employees of firms with 1-9 "
            "employees in the national monitor.",
        )
    N = max(data.headcount, n)
    return (
        f"{n} van de {N} medewerkers vulden de scan in. Elk cijfer heeft een {pct}%-interval: "
        f"de marge waarbinnen het cijfer van de hele organisatie waarschijnlijk ligt. Omdat een "
        f"groot deel van de organisatie antwoordde, is de marge met de eindige-populatiecorrectie "
        f"(factor 1 - {n}/{N}) smaller dan bij een kleine steekproef. Het verschil met het "
        f"landelijke cijfer heeft een interval dat de onzekerheid van beide cijfers meeneemt; "
        f"alleen als dat interval helemaal boven of onder nul ligt, noemen we het verschil "
        f"duidelijk. Percentages hebben een logit-interval, schaalgemiddelden een normaal "
        f"interval (zoals de landelijke monitor). Gaf iedereen hetzelfde antwoord (0% of 100%), "
        f"dan geldt het exacte binomiale interval (Clopper-Pearson).",
        f"{n} of the {N} employees answered the scan. Every figure has a {pct}% interval: the "
        f"range in which the figure for the whole organisation probably lies. Because a large "
        f"part of the organisation answered, the finite population correction (factor "
        f"1 - {n}/{N}) makes the margin narrower than for a small sample. The difference with the "
        f"national figure has an interval that takes the uncertainty of both figures into "
        f"account; only when that interval lies entirely above or below zero do we call the "
        f"difference clear. Percentages have a logit interval, scale means a normal interval (as "
        f"in the national monitor). Where everyone gave the same answer (0% or 100%), the exact "
        f"binomial (Clopper-Pearson) interval applies.",
    )


def notes(data: Any, *, n: int, bench: BenchmarkInfo) -> tuple[tuple[str, ...], tuple[str, ...]]:
    nl: list[str] = []
    en: list[str] = []
    if bench.data == "synthetic":
        nl.append(
            "Let op: de landelijke cijfers zijn synthetische demonstratiegegevens, geen echte "
            "cijfers."
        )
        en.append("Note: the national figures are synthetic demo data, not real figures.")
    if data.kind == "employer" and n > 1:
        nl.append(f"Deze zelfscan heeft {n} antwoorden; getoond is hun gemiddelde.")
        en.append(f"This self-scan has {n} answers; their average is shown.")
    if n > data.headcount:
        nl.append(
            f"Er zijn meer antwoorden ({n}) dan het opgegeven aantal medewerkers "
            f"({data.headcount}); als aantal medewerkers is {n} gebruikt."
        )
        en.append(
            f"There are more answers ({n}) than the stated number of employees "
            f"({data.headcount}); {n} was used as the number of employees."
        )
    return tuple(nl), tuple(en)
