"""The privacy notice (GDPR / AVG), shown before the first question and on /privacy.

It says who is responsible, why the answers are asked, what is kept and for how long, who sees
what, and what the respondent's rights are, in Dutch and English.
"""

from __future__ import annotations

from dataclasses import dataclass

from leercultuur.quickscan.items import Language

DEFAULT_RETENTION_DAYS = 365


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: tuple[str, ...]


def privacy_sections(
    lang: Language,
    min_group_size: int | None,
    *,
    organisation: str | None = None,
    retention_days: int = DEFAULT_RETENTION_DAYS,
) -> tuple[Section, ...]:
    """The notice in sections; ``organisation`` is the employer's name when known.

    ``min_group_size`` None: the general notice (each scan sets its own minimum, at least 5).
    """
    if lang == "nl":
        size = (
            f"ten minste {min_group_size} personen"
            if min_group_size is not None
            else "ten minste het minimum dat voor de vragenlijst is ingesteld (nooit minder dan 5 "
            "personen)"
        )
        who = f"{organisation} (uw werkgever)" if organisation else "De organisatie die u uitnodigt"
        return (
            Section(
                "Wie is verantwoordelijk",
                (
                    f"{who} heeft deze vragenlijst uitgezet en is verwerkingsverantwoordelijke "
                    "volgens de Algemene verordening gegevensbescherming (AVG). De beheerder van "
                    "het Quickscan-platform verwerkt de antwoorden in opdracht van uw werkgever "
                    "(verwerker, met een verwerkersovereenkomst) en gebruikt ze nergens anders "
                    "voor.",
                ),
            ),
            Section(
                "Waarvoor",
                (
                    "Uw organisatie wil weten hoe het staat met leren in het werk, vergeleken met "
                    "de landelijke cijfers van de monitor Leercultuur, en wat zij kan verbeteren. "
                    "De grondslag is het gerechtvaardigd belang van uw werkgever om leren in het "
                    "werk te verbeteren (AVG artikel 6, lid 1, onder f). Meedoen is vrijwillig en "
                    "heeft geen gevolgen voor u, ook niet als u niet meedoet of halverwege stopt.",
                ),
            ),
            Section(
                "Wat we bewaren",
                (
                    "Deze vragenlijst is anoniem. We bewaren alleen uw antwoorden: geen naam, "
                    "geen e-mailadres, geen IP-adres, geen browsergegevens en geen tijdstip van "
                    "invullen.",
                    "Uw persoonlijke code wordt los van uw antwoorden bewaard, alleen als "
                    "versleutelde vingerafdruk, en kan niet aan uw antwoorden worden gekoppeld. "
                    "Een code kan één keer worden gebruikt.",
                    "De achtergrondvragen (leeftijd, opleiding, contract, team) zijn niet "
                    "verplicht. Samen kunnen zulke antwoorden in een kleine organisatie naar één "
                    "persoon wijzen; daarom gelden de regels hieronder ook voor groepen.",
                ),
            ),
            Section(
                "Wie ziet wat",
                (
                    "Niemand, ook uw werkgever niet, kan uw individuele antwoorden zien. Zolang "
                    "de vragenlijst loopt, ziet uw organisatie alleen hoeveel mensen hebben "
                    "meegedaan.",
                    f"Na de sluiting ziet HR van uw organisatie uitkomsten voor groepen van "
                    f"{size}, en alleen als geen combinatie van getoonde "
                    "uitkomsten iets verraadt over een kleinere groep. Te kleine teams of "
                    "groepen worden niet getoond.",
                    "De beheerder van het platform kan technisch bij de database, maar bekijkt en "
                    "gebruikt de antwoorden niet.",
                ),
            ),
            Section(
                "Hoe lang",
                (
                    f"De vragenlijst, alle antwoorden en alle codes worden {retention_days} dagen "
                    "na de sluiting automatisch en volledig verwijderd, of eerder als uw "
                    "organisatie de vragenlijst verwijdert.",
                ),
            ),
            Section(
                "Uw rechten",
                (
                    "U hebt volgens de AVG recht op inzage, correctie, verwijdering, beperking "
                    "en bezwaar. Omdat niemand kan zien welke antwoorden van u zijn, kunnen we "
                    "uw antwoorden na het versturen niet meer opzoeken, tonen, wijzigen of "
                    "los verwijderen (AVG artikel 11). Dat is de prijs van anonimiteit: twijfelt "
                    "u, verstuur de vragenlijst dan niet.",
                    "Vragen over deze vragenlijst stelt u aan de afdeling HR of de functionaris "
                    "gegevensbescherming van uw werkgever. U kunt ook een klacht indienen bij de "
                    "Autoriteit Persoonsgegevens.",
                ),
            ),
        )
    who = f"{organisation} (your employer)" if organisation else "The organisation that invites you"
    size = (
        f"at least {min_group_size} people"
        if min_group_size is not None
        else "at least the minimum set for the questionnaire (never fewer than 5 people)"
    )
    return (
        Section(
            "Who is responsible",
            (
                f"{who} has set up this questionnaire and is the controller under the General "
                "Data Protection Regulation (GDPR). The operator of the Quickscan platform "
                "processes the answers on your employer's behalf (processor, under a data "
                "processing agreement) and uses them for nothing else.",
            ),
        ),
        Section(
            "What for",
            (
                "Your organisation wants to know how learning at work is going, compared with "
                "the national figures of the learning-culture monitor, and what it can improve. "
                "The legal basis is your employer's legitimate interest in improving learning at "
                "work (GDPR Article 6(1)(f)). Taking part is voluntary and has no consequences for "
                "you, also if you do not take part or stop halfway.",
            ),
        ),
        Section(
            "What is kept",
            (
                "This questionnaire is anonymous. Only your answers are kept: no name, no e-mail "
                "address, no IP address, no browser details and no time of answering.",
                "Your personal code is stored apart from your answers, only as an encrypted "
                "fingerprint, and cannot be linked to them. A code can be used once.",
                "The background questions (age, education, contract, team) are optional. "
                "Together, such answers could point to one person in a small organisation; that "
                "is why the rules below also apply to groups.",
            ),
        ),
        Section(
            "Who sees what",
            (
                "Nobody, including your employer, can see your individual answers. While the "
                "questionnaire is open, your organisation only sees how many people have taken "
                "part.",
                f"After it closes, HR of your organisation sees results for groups of {size}, "
                "and only if no combination of the results shown gives "
                "anything away about a smaller group. Teams or groups that are too small are not "
                "shown.",
                "The platform operator can technically reach the database, but does not look at "
                "or use the answers.",
            ),
        ),
        Section(
            "How long",
            (
                f"The questionnaire, all answers and all codes are deleted automatically and "
                f"completely {retention_days} days after it closes, or earlier if your "
                "organisation deletes it.",
            ),
        ),
        Section(
            "Your rights",
            (
                "Under the GDPR you have the right of access, correction, erasure, restriction "
                "and objection. Because nobody can tell which answers are yours, your answers "
                "cannot be looked up, shown, changed or deleted one by one once you have sent "
                "them (GDPR Article 11). That is the price of anonymity: if in doubt, do not send "
                "the questionnaire.",
                "Please ask questions about this questionnaire to your employer's HR department "
                "or data protection officer. You can also complain to the Dutch Data Protection "
                "Authority (Autoriteit Persoonsgegevens).",
            ),
        ),
    )


def privacy_notice(
    lang: Language,
    min_group_size: int,
    *,
    organisation: str | None = None,
    retention_days: int = DEFAULT_RETENTION_DAYS,
) -> list[str]:
    """The notice as plain paragraphs (the API; the pages show the sections with headings)."""
    sections = privacy_sections(
        lang, min_group_size, organisation=organisation, retention_days=retention_days
    )
    return [
        f"{s.title}: {p}" if i == 0 else p for s in sections for i, p in enumerate(s.paragraphs)
    ]
