"""The raw file layout of the synthetic NEA (docs/data-model.md): names, labels, codes per edition.

Imitates the real NEA files: short Dutch variable names, numeric codes with value labels,
user-missing codes 8 ("weet niet") and 9 ("wil niet zeggen") on every item, and a few changes
between editions (``CURSUS2J`` became ``OPLCURS`` in 2018; the variation items were reversed in
2018; split halves from 2022).
"""

from __future__ import annotations

MISSING_LABELS = {8: "weet niet", 9: "wil niet zeggen"}
USER_MISSING = [8, 9]
FIRST_SPLIT_YEAR = 2022
RENAME_YEAR = 2018  # CURSUS2J -> OPLCURS, variation scale reversed
INFORMAL_YEARS = (2020, 2022)

VAR_ITEMS = ("VARIATIE", "NIEUWLEREN", "CREATIEF")
AUT_ITEMS = ("AUT_HOE", "AUT_VOLGORDE", "AUT_TEMPO", "AUT_OPLOSS", "AUT_VERLOF")
INFORMAL_ITEMS = ("LEERT_TAKEN", "LEERT_MENSEN")

VARIATION_OLD = {1: "nooit", 2: "soms", 3: "vaak", 4: "altijd"}
VARIATION_NEW = {1: "altijd", 2: "vaak", 3: "soms", 4: "nooit"}
AUTONOMY = {1: "ja, regelmatig", 2: "ja, soms", 3: "nee"}
SUPPORT = {1: "nee", 2: "ja, in beperkte mate", 3: "ja, in grote mate"}
INFORMAL = {1: "veel", 2: "niet veel en niet weinig", 3: "weinig"}
YESNO = {1: "ja", 2: "nee"}

BACKGROUND_LABELS: dict[str, dict[int, str]] = {
    "GESLACHT": {1: "man", 2: "vrouw"},
    "OPLNIV": {
        1: "basisonderwijs",
        2: "vmbo / mbo-1 / havo-vwo onderbouw",
        3: "havo-vwo bovenbouw",
        4: "mbo 2-4",
        5: "hbo",
        6: "wo",
    },
    "BEDRGR": {1: "1-9", 2: "10-49", 3: "50-99", 4: "100-249", 5: "250-499", 6: "500 of meer"},
    "CONTRACT": {
        1: "vast",
        2: "tijdelijk met uitzicht op vast",
        3: "tijdelijk zonder uitzicht op vast",
        4: "uitzendkracht",
        5: "oproep-/invalkracht",
    },
    "HELFT": {1: "helft 1", 2: "helft 2"},
}

COLUMN_LABELS = {
    "RESPNR": "Respondentnummer",
    "JAAR": "Onderzoeksjaar",
    "STRATUM": "Steekproefstratum (SBI-40)",
    "WEGING": "Ophoogfactor (werknemerspopulatie)",
    "WEGING_P": "Proportionele weegfactor (gemiddelde 1)",
    "HELFT": "Splithelft",
    "WEGING_H": "Ophoogfactor eigen splithelft",
    "GESLACHT": "Geslacht",
    "LEEFTIJD": "Leeftijd in jaren",
    "OPLNIV": "Hoogst behaalde opleiding",
    "BEDRGR": "Aantal werkzame personen in het bedrijf",
    "CONTRACT": "Soort arbeidscontract",
    "SBI": "Bedrijfstak (SBI-sectie)",
    "CURSUS2J": "Heeft u in de afgelopen 2 jaar een opleiding of cursus gevolgd voor uw werk?",
    "OPLCURS": "Heeft u in de afgelopen 2 jaar een opleiding of cursus gevolgd voor uw werk?",
    "VARIATIE": "Is uw werk gevarieerd?",
    "NIEUWLEREN": "Vereist uw baan dat u nieuwe dingen leert?",
    "CREATIEF": "Vereist uw baan creativiteit?",
    "AUT_HOE": "Kunt u zelf beslissen hoe u uw werk uitvoert?",
    "AUT_VOLGORDE": "Bepaalt u zelf de volgorde van uw werkzaamheden?",
    "AUT_TEMPO": "Kunt u zelf uw werktempo regelen?",
    "AUT_OPLOSS": "Moet u in uw werk zelf oplossingen bedenken om bepaalde dingen te doen?",
    "AUT_VERLOF": "Kunt u verlof opnemen wanneer u dat wilt?",
    "LG_STIMULEERT": "Stimuleert uw leidinggevende de ontwikkeling van uw kennis en vaardigheden?",
    "LEERT_TAKEN": "Leert u veel of weinig van de taken die u uitvoert voor uw werk?",
    "LEERT_MENSEN": (
        "Leert u veel of weinig van mensen op uw werk, zoals collega's, leidinggevenden en klanten?"
    ),
}


def course_variable(year: int) -> str:
    """The raw name of the course item in a year's file."""
    return "CURSUS2J" if year < RENAME_YEAR else "OPLCURS"


def variation_reversed(year: int) -> bool:
    """From 2018 the variation items are coded 1 altijd .. 4 nooit."""
    return year >= RENAME_YEAR


def columns(year: int) -> list[str]:
    """The raw variables of a year's file, in file order."""
    cols = ["RESPNR", "JAAR", "STRATUM", "WEGING", "WEGING_P"]
    if year >= FIRST_SPLIT_YEAR:
        cols += ["HELFT", "WEGING_H"]
    cols += ["GESLACHT", "LEEFTIJD", "OPLNIV", "BEDRGR", "CONTRACT", "SBI", course_variable(year)]
    cols += [*VAR_ITEMS, *AUT_ITEMS, "LG_STIMULEERT"]
    if year in INFORMAL_YEARS:
        cols += list(INFORMAL_ITEMS)
    return cols


def value_labels(year: int) -> dict[str, dict[int, str]]:
    """Value labels of every coded variable of a year's file (items include 8/9)."""
    out: dict[str, dict[int, str]] = {
        k: v for k, v in BACKGROUND_LABELS.items() if k != "HELFT" or year >= FIRST_SPLIT_YEAR
    }
    out["BEDRGR"] = {**out["BEDRGR"], 8: MISSING_LABELS[8]}
    items: dict[str, dict[int, str]] = {course_variable(year): YESNO}
    var = VARIATION_NEW if variation_reversed(year) else VARIATION_OLD
    items.update({v: var for v in VAR_ITEMS})
    items.update({v: AUTONOMY for v in AUT_ITEMS})
    items["LG_STIMULEERT"] = SUPPORT
    if year in INFORMAL_YEARS:
        items.update({v: INFORMAL for v in INFORMAL_ITEMS})
    out.update({k: {**v, **MISSING_LABELS} for k, v in items.items()})
    return out


def user_missing(year: int) -> dict[str, list[int]]:
    """Declared SPSS user-missing values per variable."""
    return {k: list(USER_MISSING) for k in value_labels(year) if k not in BACKGROUND_LABELS} | {
        "BEDRGR": [8]
    }
