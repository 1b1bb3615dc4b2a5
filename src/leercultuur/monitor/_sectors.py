"""The SBI sections (CBS Standaard Bedrijfsindeling 2008, top level) by letter, named in Dutch
and English: the sector breakdown's labels in the report and the sector choice in the Quickscan's
scan form, one definition for both."""

from __future__ import annotations

SBI_SECTIONS: dict[str, tuple[str, str]] = {
    "A": ("Landbouw, bosbouw en visserij", "Agriculture, forestry and fishing"),
    "B": ("Delfstoffenwinning", "Mining and quarrying"),
    "C": ("Industrie", "Manufacturing"),
    "D": ("Energievoorziening", "Energy supply"),
    "E": ("Waterbedrijven en afvalbeheer", "Water supply and waste management"),
    "F": ("Bouwnijverheid", "Construction"),
    "G": ("Handel", "Wholesale and retail trade"),
    "H": ("Vervoer en opslag", "Transportation and storage"),
    "I": ("Horeca", "Accommodation and food services"),
    "J": ("Informatie en communicatie", "Information and communication"),
    "K": ("Financiële dienstverlening", "Financial services"),
    "L": ("Verhuur en handel van onroerend goed", "Real estate"),
    "M": ("Specialistische zakelijke diensten", "Professional and technical services"),
    "N": ("Verhuur en overige zakelijke diensten", "Administrative and support services"),
    "O": ("Openbaar bestuur", "Public administration"),
    "P": ("Onderwijs", "Education"),
    "Q": ("Gezondheids- en welzijnszorg", "Health and social work"),
    "R": ("Cultuur, sport en recreatie", "Arts, entertainment and recreation"),
    "S": ("Overige dienstverlening", "Other services"),
}
