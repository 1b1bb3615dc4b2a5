"""The methods text of the report (HTML section and Excel sheet), in Dutch and English.

Each entry is (heading, paragraphs). Placeholders in braces are filled from the monitor spec.
"""

from __future__ import annotations

from leercultuur.monitor import MonitorResult, MonitorSpec
from leercultuur.report import _i18n as i18n
from leercultuur.report._i18n import Lang

_NL: list[tuple[str, list[str]]] = [
    (
        "Gegevens",
        [
            "{synthetic}De cijfers komen uit de Nationale Enquête Arbeidsomstandigheden (NEA) "
            "van TNO en CBS: "
            "werknemers van 15 tot en met 74 jaar, een gestratificeerde steekproef naar "
            "bedrijfstak, jaarlijks veldwerk in het vierde kwartaal. De gewichten zijn "
            "gekalibreerd op de werknemerspopulatie. Sinds 2022 krijgt elke helft van de "
            "steekproef een deel van de vragen; die vragen gebruiken het gewicht van hun helft.",
        ],
    ),
    (
        "Schattingen en onzekerheid",
        [
            "Percentages en gemiddelden zijn gewogen. De standaardfout houdt rekening met de "
            "steekproefopzet (strata en gewichten; linearisatie zoals het R-pakket survey). "
            "Een groep wordt geschat als deelpopulatie binnen de volledige steekproefopzet, "
            "niet als losse steekproef. Het 95%-betrouwbaarheidsinterval van een percentage is "
            "berekend met de {ci_method}-methode (R svyciprop).",
        ],
    ),
    (
        "Toetsen: volgens de steekproefopzet tegenover klassiek",
        [
            "Het artikel toetste zoals gebruikelijk in SPSS: een Pearson chi-kwadraattoets en "
            "ANOVA op gewogen gegevens, alsof de gewogen aantallen een enkelvoudige aselecte "
            "steekproef waren. Zo'n toets negeert de stratificatie en de variatie in gewichten "
            "(het design-effect) en is daardoor vaak te optimistisch: verschillen lijken eerder "
            "significant dan ze zijn.",
            "Dit rapport toetst volgens de steekproefopzet: het verschil tussen twee jaren met de "
            "standaardfouten van beide onafhankelijke jaarsteekproeven; een groep tegenover de "
            "rest met het gelineariseerde verschil binnen hetzelfde jaar (inclusief de "
            "covariantie); de trend B met een regressie op jaar die de steekproefopzet "
            "meeneemt, over de gestapelde jaren (strata = jaar x stratum); een trendbreuk "
            "met een extra knikterm "
            "(jaar - {break_year})+. "
            "Voor vragen met meer dan twee antwoorden is de Rao-Scott-correctie de "
            "tegenhanger van de chi-kwadraattoets die de steekproefopzet meeneemt. "
            "Met de optie 'klassiek' "
            "reproduceert de monitor de toetsen van het artikel ter vergelijking.",
        ],
    ),
    (
        "Markeringen en effectgrootte",
        [
            "Zoals in het artikel: * betekent p < {alpha} en Cohen's d < {d}; ** betekent "
            "p < {alpha} en Cohen's d \u2265 {d} (een relatief groot effect). Voor percentages is "
            "d = (p1 - p2) / \u221a(p(1 - p)) met p het gewogen aandeel van beide samen; voor "
            "gemiddelden het verschil gedeeld door de gepoolde standaarddeviatie. Bij duizenden "
            "respondenten is bijna elk verschil significant; de effectgrootte zegt of het ertoe "
            "doet.{multiple}",
        ],
    ),
    (
        "Publicatieregel",
        [
            "Cellen met minder dan {threshold} respondenten worden niet gepubliceerd "
            "(weergegeven als x), volgens de CBS-praktijk voor de NEA. Ze blijven in de "
            "berekening van de totalen; trends en toetsen waarin zo'n cel meedoet worden ook "
            "niet getoond.",
        ],
    ),
]

_EN: list[tuple[str, list[str]]] = [
    (
        "Data",
        [
            "{synthetic}The figures come from the Netherlands Working Conditions Survey (NEA) "
            "of TNO and "
            "CBS: employees aged 15 to 74, a sample stratified by industry, yearly fieldwork in "
            "the fourth quarter. Weights are calibrated to the employee population. Since 2022 "
            "each half of the sample answers part of the questions; those questions use the "
            "weight of their half.",
        ],
    ),
    (
        "Estimates and uncertainty",
        [
            "Percentages and means are weighted. Standard errors account for the sampling design "
            "(strata and weights; linearisation as in the R package survey). A group is "
            "estimated as a domain of the full design, not as a separate sample. The 95% "
            "confidence interval of a percentage uses the {ci_method} method (R svyciprop).",
        ],
    ),
    (
        "Tests: design-based versus classic",
        [
            "The article tested as is usual in SPSS: a Pearson chi-square test and ANOVA on "
            "weighted data, as if the weighted counts were a simple random sample. Such a test "
            "ignores stratification and the variation of the weights (the design effect) and is "
            "therefore often too optimistic: differences look significant sooner than they are.",
            "This report tests design-based: the difference between two years with the standard "
            "errors of both independent yearly samples; a group against the rest with the "
            "linearised difference within the same year (including the covariance); trend B by a "
            "design-based regression on year over the stacked years (strata = year x stratum); a "
            "trend break with an extra hinge term (year - {break_year})+. For questions with more "
            "than two answers the Rao-Scott correction is the design-based counterpart of the "
            "chi-square test. With the 'classic' option the monitor reproduces the article's tests "
            "for comparison.",
        ],
    ),
    (
        "Markers and effect size",
        [
            "As in the article: * means p < {alpha} and Cohen's d < {d}; ** means p < {alpha} and "
            "Cohen's d \u2265 {d} (a relatively large effect). For percentages d = (p1 - p2) / "
            "\u221a(p(1 - p)) with p the weighted share of both together; for means the "
            "difference divided by the pooled standard deviation. With thousands of respondents "
            "almost every difference is significant; the effect size says whether it "
            "matters.{multiple}",
        ],
    ),
    (
        "Publication rule",
        [
            "Cells with fewer than {threshold} respondents are not published (shown as x), "
            "following CBS practice for the NEA. They stay in the totals; trends and tests that "
            "involve such a cell are not shown either.",
        ],
    ),
]

REFERENCES = [
    "Lumley, T. (2004). Analysis of complex survey samples. Journal of Statistical Software 9(8).",
    "Lumley, T. (2024). survey: analysis of complex survey samples. R package version 4.1.",
    "Rao, J.N.K. & Scott, A.J. (1984). On chi-squared tests for multiway contingency tables with "
    "cell proportions estimated from survey data. Annals of Statistics 12(1), 46-60.",
    "Korn, E.L. & Graubard, B.I. (1999). Analysis of Health Surveys. Wiley.",
    "Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences (2nd ed.). Erlbaum.",
    "Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57(1).",
    "Mars, G.M.J., van den Heuvel, S.G., Knops, J.C.M. et al. (2023). Nationale Enquête "
    "Arbeidsomstandigheden (NEA) 2022 - Onderzoeksbeschrijving. TNO/CBS.",
]


def methods_text(
    spec: MonitorSpec, lang: Lang, *, result: MonitorResult | None = None
) -> list[tuple[str, list[str]]]:
    """The methods section with the spec's settings filled in (and, given the result, whether
    the data are synthetic)."""
    bh = spec.multiple_testing == "bh"
    multiple = {
        (
            "nl",
            True,
        ): " De p-waarden zijn gecorrigeerd voor meervoudig toetsen (Benjamini-Hochberg).",
        ("en", True): " The p-values are adjusted for multiple testing (Benjamini-Hochberg).",
    }.get((lang, bh), "")
    values = {
        "alpha": i18n.num(spec.alpha, 2, lang),
        "d": i18n.num(spec.effect_size_threshold, 2, lang),
        "threshold": str(spec.publication_threshold),
        "ci_method": spec.ci_method,
        "break_year": str(spec.trend.break_year or "k"),
        "multiple": multiple,
        "synthetic": "" if result is None else (synthetic_note(result, lang) + " ").lstrip(),
    }
    src = _EN if lang == "en" else _NL
    return [(h, [p.format(**values) for p in ps]) for h, ps in src]


_PROV_KEYS: dict[str, tuple[str, str]] = {
    "software": ("Software", "Software"),
    "created": ("Gemaakt", "Created"),
    "started": ("Berekening gestart", "Computation started"),
    "finished": ("Berekening klaar", "Computation finished"),
    "method": ("Toetsen", "Tests"),
    "rows": ("Respondenten (alle jaren)", "Respondents (all years)"),
    "codebook": ("Codeboek", "Codebook"),
    "input": ("Invoerbestand", "Input file"),
}
_FILE_KEYS: dict[str, tuple[str, str]] = {
    "path": ("bestand", "file"),
    "sha256": ("SHA-256", "SHA-256"),
}
_METHODS: dict[str, tuple[str, str]] = {
    "design": ("volgens de steekproefopzet (strata en weging)", "design-based (strata, weights)"),
    "classic": ("klassiek, zoals het artikel", "classic, as in the article"),
}


def provenance(result: MonitorResult, lang: Lang = "nl") -> list[tuple[str, str]]:
    """(name, value) lines from the result's manifest: software, dates, method, inputs; names
    in the edition's language (file names and checksums stay as they are)."""
    m = result.manifest
    en = lang == "en"
    out = []
    for k in ("software", "created", "started", "finished", "method", "rows", "codebook"):
        v = m.get(k)
        if k == "codebook" and isinstance(v, dict):  # its full text stays in manifest.json
            v = {_FILE_KEYS["path"][en]: v.get("path"), "SHA-256": v.get("sha256")}
        if k == "method" and isinstance(v, str):
            v = _METHODS.get(v, (v, v))[en]
        if k == "rows" and isinstance(v, int):
            v = i18n.num(v, 0, lang)
        if isinstance(v, dict):
            v = ", ".join(f"{a} {b}" for a, b in v.items())
        if v not in (None, "", {}):
            out.append((_PROV_KEYS[k][en], str(v)))
    inputs = m.get("inputs")
    if isinstance(inputs, list):
        for item in inputs:
            if isinstance(item, dict):
                text = ", ".join(f"{_FILE_KEYS.get(k, (k, k))[en]} {v}" for k, v in item.items())
                out.append((_PROV_KEYS["input"][en], text))
    return out


def is_synthetic(result: MonitorResult) -> bool:
    prov = result.manifest.get("provenance") or {}
    return isinstance(prov, dict) and str(prov.get("data", "")).lower() == "synthetic"


def synthetic_note(result: MonitorResult, lang: Lang) -> str:
    """The warning every page, sheet and chart of a report on synthetic data carries."""
    if not is_synthetic(result):
        return ""
    return (
        "Synthetic data: these figures are made up for demonstration and are not NEA figures."
        if lang == "en"
        else "Synthetische gegevens: deze cijfers zijn verzonnen voor een demonstratie en zijn "
        "geen NEA-cijfers."
    )


def source_line(result: MonitorResult, lang: Lang) -> str:
    """``Bron: ...`` only as the manifest records it; never a claim the result cannot back."""
    prov = result.manifest.get("provenance") or {}
    word = i18n.t("source", lang)
    if is_synthetic(result):
        gen = str(prov.get("source", "")) if isinstance(prov, dict) else ""
        what = "synthetic data" if lang == "en" else "synthetische gegevens"
        return f"{word}: {what}" + (f" ({gen})" if gen else "")
    if isinstance(prov, dict) and prov.get("source"):
        return f"{word}: {prov['source']}"
    return ""


# What the NEA does not measure (monitor.md: name them as gaps, do not invent).
_NEA_GAPS: tuple[tuple[str, str], ...] = (
    (
        "Middelen voor leren in de organisatie (tijd, budget en de aanpak van de organisatie).",
        "Organisational resources for learning (time, budget and the organisation's approach).",
    ),
    (
        "Externe oriëntatie: contacten met klanten, leveranciers en samenwerkingspartners.",
        "External orientation: contacts with customers, suppliers and partners.",
    ),
    (
        "Steun van collega's, zoals feedback geven en met elkaar meedenken.",
        "Support from colleagues, such as giving feedback and thinking along.",
    ),
)


def known_gaps(result: MonitorResult, lang: Lang) -> list[str]:
    """The parts of a learning culture the NEA does not measure, and how many notes the
    computation left (their technical text stays in the result's manifest)."""
    out = [g[lang == "en"] for g in _NEA_GAPS]
    n = len(result.gaps)
    if n:
        out.append(
            f"The computation recorded {n} technical note(s) (indicators or groups it could not "
            "compute); they are listed in the result folder's manifest.json under 'gaps'."
            if lang == "en"
            else f"De berekening legde {n} technische melding(en) vast (indicatoren of groepen die "
            "niet konden worden berekend); ze staan in manifest.json van de resultaatmap, onder "
            "'gaps'."
        )
    return out


def report_date(result: MonitorResult) -> str:
    """The date the result was computed (YYYY-MM-DD), or '' when the manifest does not say."""
    m = result.manifest
    for k in ("created", "finished", "started"):
        if m.get(k):
            return str(m[k])[:10]
    return ""
