"""The privacy notice shown before the first question (page and API)."""

from __future__ import annotations

from leercultuur.quickscan.items import Language


def privacy_notice(lang: Language, min_group_size: int) -> list[str]:
    """Paragraphs: what is stored, who sees what, from which group size."""
    if lang == "nl":
        return [
            "Deze vragenlijst is anoniem. We slaan alleen uw antwoorden op: geen naam, geen "
            "e-mailadres, geen IP-adres, geen browsergegevens en geen tijdstip van invullen.",
            "Uw persoonlijke code wordt los van uw antwoorden bewaard en kan er niet aan worden "
            "gekoppeld. Een code kan één keer worden gebruikt.",
            "Niemand, ook uw werkgever niet, kan uw individuele antwoorden zien. Uw organisatie "
            "ziet tijdens de looptijd alleen hoeveel mensen hebben meegedaan.",
            f"Uitkomsten worden alleen getoond voor groepen van ten minste {min_group_size} "
            "personen, zodat niemand herkenbaar is.",
            "De achtergrondvragen (leeftijd, opleiding, contract, team) zijn niet verplicht.",
        ]
    return [
        "This questionnaire is anonymous. Only your answers are stored: no name, no e-mail "
        "address, no IP address, no browser details and no time of answering.",
        "Your personal code is stored apart from your answers and cannot be linked to them. A "
        "code can be used once.",
        "Nobody, including your employer, can see your individual answers. While the scan runs, "
        "your organisation only sees how many people have taken part.",
        f"Results are shown only for groups of at least {min_group_size} people, so that nobody "
        "can be recognised.",
        "The background questions (age, education, contract, team) are optional.",
    ]
