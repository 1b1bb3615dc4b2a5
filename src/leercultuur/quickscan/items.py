"""The Quickscan's questions: the monitor's NEA items with their Dutch wording and answer scales.

QUICKSCAN COPY. The monitor package will later offer the same item list (one source of truth for
the monitor and the Quickscan). Until then the Quickscan owns this copy; keep the Dutch wording and
the answer codes identical to ``/work/shared/spec/monitor.md`` so that an organisation's answers
compare like with like with the national figures.

Answer codes are stored as small integers: the position of the answer in the order the NEA asks
it (1 = first answer shown). ``score`` is the value used for scales (variation: nooit = 1 ..
altijd = 4; autonomy: nee = 1, ja soms = 2, ja regelmatig = 3, as CBS scores it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")


@dataclass(frozen=True)
class Option:
    code: int
    key: str
    nl: str
    en: str
    score: int | None = None

    def label(self, lang: Language) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class Item:
    id: str
    block: str
    nl: str
    en: str
    options: tuple[Option, ...]
    required: bool = True

    def text(self, lang: Language) -> str:
        return self.nl if lang == "nl" else self.en

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.options)

    def to_dict(self, lang: Language) -> dict[str, object]:
        return {
            "id": self.id,
            "block": self.block,
            "text": self.text(lang),
            "required": self.required,
            "options": [{"code": o.code, "label": o.label(lang)} for o in self.options],
        }


@dataclass(frozen=True)
class Block:
    id: str
    nl: str
    en: str
    items: tuple[Item, ...] = field(default=())

    def title(self, lang: Language) -> str:
        return self.nl if lang == "nl" else self.en


def _opts(*rows: tuple[str, str, str] | tuple[str, str, str, int]) -> tuple[Option, ...]:
    out = []
    for i, row in enumerate(rows, start=1):
        score = row[3] if len(row) == 4 else None  # type: ignore[misc]
        out.append(Option(code=i, key=row[0], nl=row[1], en=row[2], score=score))
    return tuple(out)


YES_NO = _opts(("yes", "ja", "yes"), ("no", "nee", "no"))
LEARN_AMOUNT = _opts(
    ("much", "veel", "a lot"),
    ("neither", "niet veel en niet weinig", "neither a lot nor a little"),
    ("little", "weinig", "a little"),
)
FREQUENCY = _opts(
    ("never", "nooit", "never", 1),
    ("sometimes", "soms", "sometimes", 2),
    ("often", "vaak", "often", 3),
    ("always", "altijd", "always", 4),
)
AUTONOMY = _opts(
    ("regularly", "ja, regelmatig", "yes, regularly", 3),
    ("sometimes", "ja, soms", "yes, sometimes", 2),
    ("no", "nee", "no", 1),
)
SUPPORT = _opts(
    ("no", "nee", "no"),
    ("limited", "ja, in beperkte mate", "yes, to a limited extent"),
    ("large", "ja, in grote mate", "yes, to a large extent"),
)
AGE_CLASS = _opts(
    ("15-24", "15 tot en met 24 jaar", "15 to 24 years"),
    ("25-34", "25 tot en met 34 jaar", "25 to 34 years"),
    ("35-44", "35 tot en met 44 jaar", "35 to 44 years"),
    ("45-54", "45 tot en met 54 jaar", "45 to 54 years"),
    ("55-64", "55 tot en met 64 jaar", "55 to 64 years"),
    ("65-74", "65 jaar of ouder", "65 years or older"),
)
EDUCATION = _opts(
    (
        "low",
        "basisonderwijs, vmbo, mbo-1 of de eerste 3 jaar van havo/vwo",
        "primary school, pre-vocational (vmbo), mbo level 1 or the first 3 years of havo/vwo",
    ),
    (
        "middle",
        "havo/vwo (bovenbouw) of mbo-2, -3 of -4",
        "upper secondary (havo/vwo) or vocational mbo level 2, 3 or 4",
    ),
    ("high", "hbo of wo", "higher professional education (hbo) or university (wo)"),
)
CONTRACT = _opts(
    ("permanent", "vast contract", "permanent contract"),
    ("temporary", "tijdelijk contract", "temporary contract"),
    ("agency", "uitzendkracht", "agency worker"),
    ("on_call", "oproep- of invalkracht", "on-call or stand-in worker"),
)

MONITOR_BLOCKS: tuple[Block, ...] = (
    Block(
        "nonformal",
        "Opleiding en cursus",
        "Courses and training",
        (
            Item(
                "course_2y",
                "nonformal",
                "Heeft u in de afgelopen 2 jaar een opleiding of cursus gevolgd voor uw werk?",
                "In the past 2 years, have you taken a course or training for your work?",
                YES_NO,
            ),
        ),
    ),
    Block(
        "informal",
        "Leren in het werk",
        "Learning at work",
        (
            Item(
                "learn_tasks",
                "informal",
                "Leert u veel of weinig van de taken die u uitvoert voor uw werk?",
                "Do you learn a lot or a little from the tasks you carry out for your work?",
                LEARN_AMOUNT,
            ),
            Item(
                "learn_people",
                "informal",
                "Leert u veel of weinig van mensen op uw werk, zoals collega's, leidinggevenden "
                "en klanten?",
                "Do you learn a lot or a little from people at work, such as colleagues, "
                "supervisors and customers?",
                LEARN_AMOUNT,
            ),
        ),
    ),
    Block(
        "variation",
        "Afwisseling in het werk",
        "Variety in your work",
        (
            Item(
                "var_varied",
                "variation",
                "Is uw werk gevarieerd?",
                "Is your work varied?",
                FREQUENCY,
            ),
            Item(
                "var_learn_new",
                "variation",
                "Vereist uw baan dat u nieuwe dingen leert?",
                "Does your job require you to learn new things?",
                FREQUENCY,
            ),
            Item(
                "var_creative",
                "variation",
                "Vereist uw baan creativiteit?",
                "Does your job require creativity?",
                FREQUENCY,
            ),
        ),
    ),
    Block(
        "autonomy",
        "Zelf beslissen",
        "Deciding for yourself",
        (
            Item(
                "aut_how",
                "autonomy",
                "Kunt u zelf beslissen hoe u uw werk uitvoert?",
                "Can you decide for yourself how you carry out your work?",
                AUTONOMY,
            ),
            Item(
                "aut_order",
                "autonomy",
                "Bepaalt u zelf de volgorde van uw werkzaamheden?",
                "Do you decide the order of your work activities yourself?",
                AUTONOMY,
            ),
            Item(
                "aut_pace",
                "autonomy",
                "Kunt u zelf uw werktempo regelen?",
                "Can you set your own pace of work?",
                AUTONOMY,
            ),
            Item(
                "aut_solutions",
                "autonomy",
                "Moet u in uw werk zelf oplossingen bedenken om bepaalde dingen te doen?",
                "In your work, do you have to come up with solutions yourself to get certain "
                "things done?",
                AUTONOMY,
            ),
            Item(
                "aut_leave",
                "autonomy",
                "Kunt u verlof opnemen wanneer u dat wilt?",
                "Can you take leave whenever you want to?",
                AUTONOMY,
            ),
        ),
    ),
    Block(
        "supervisor",
        "Uw leidinggevende",
        "Your supervisor",
        (
            Item(
                "sup_development",
                "supervisor",
                "Stimuleert uw leidinggevende de ontwikkeling van uw kennis en vaardigheden?",
                "Does your supervisor encourage the development of your knowledge and skills?",
                SUPPORT,
            ),
        ),
    ),
)

BACKGROUND_ITEMS: tuple[Item, ...] = (
    Item(
        "age_class",
        "background",
        "Wat is uw leeftijd?",
        "How old are you?",
        AGE_CLASS,
        required=False,
    ),
    Item(
        "education",
        "background",
        "Wat is uw hoogst voltooide opleiding?",
        "What is the highest level of education you have completed?",
        EDUCATION,
        required=False,
    ),
    Item(
        "contract",
        "background",
        "Wat voor arbeidscontract heeft u?",
        "What kind of employment contract do you have?",
        CONTRACT,
        required=False,
    ),
)

TEAM_ITEM_ID = "team"


def team_item(teams: Sequence[str]) -> Item:
    """The background question 'which team', with the scan's own team names as answers."""
    opts = tuple(Option(code=i, key=f"team{i}", nl=t, en=t) for i, t in enumerate(teams, 1))
    return Item(
        TEAM_ITEM_ID,
        "background",
        "In welk team werkt u?",
        "Which team do you work in?",
        opts,
        required=False,
    )


def questionnaire(teams: Sequence[str] = ()) -> tuple[Block, ...]:
    """All blocks of one scan's questionnaire, in order: monitor items, then background."""
    background = BACKGROUND_ITEMS + ((team_item(teams),) if teams else ())
    return (*MONITOR_BLOCKS, Block("background", "Over uzelf", "About you", background))


def all_items(teams: Sequence[str] = ()) -> tuple[Item, ...]:
    return tuple(item for block in questionnaire(teams) for item in block.items)
