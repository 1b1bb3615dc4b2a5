"""The questionnaire: NEA wording and scales as in the monitor spec, and answer validation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leercultuur.quickscan.errors import InvalidInput
from leercultuur.quickscan.items import all_items, questionnaire
from leercultuur.quickscan.models import Scan, ScanTeam
from leercultuur.quickscan.responses import validate_answers

# Copied from /work/shared/spec/monitor.md (Dutch as asked in the NEA).
NEA_WORDING = {
    "course_2y": "Heeft u in de afgelopen 2 jaar een opleiding of cursus gevolgd voor uw werk?",
    "learn_tasks": "Leert u veel of weinig van de taken die u uitvoert voor uw werk?",
    "learn_people": "Leert u veel of weinig van mensen op uw werk, zoals collega's, "
    "leidinggevenden en klanten?",
    "var_varied": "Is uw werk gevarieerd?",
    "var_learn_new": "Vereist uw baan dat u nieuwe dingen leert?",
    "var_creative": "Vereist uw baan creativiteit?",
    "aut_how": "Kunt u zelf beslissen hoe u uw werk uitvoert?",
    "aut_order": "Bepaalt u zelf de volgorde van uw werkzaamheden?",
    "aut_pace": "Kunt u zelf uw werktempo regelen?",
    "aut_solutions": "Moet u in uw werk zelf oplossingen bedenken om bepaalde dingen te doen?",
    "aut_leave": "Kunt u verlof opnemen wanneer u dat wilt?",
    "sup_development": "Stimuleert uw leidinggevende de ontwikkeling van uw kennis en "
    "vaardigheden?",
}
NEA_SCALES = {
    "course_2y": ["ja", "nee"],
    "learn_tasks": ["veel", "niet veel en niet weinig", "weinig"],
    "var_varied": ["nooit", "soms", "vaak", "altijd"],
    "aut_how": ["ja, regelmatig", "ja, soms", "nee"],
    "sup_development": ["nee", "ja, in beperkte mate", "ja, in grote mate"],
}


def _scan(teams: list[str]) -> Scan:
    scan = Scan(id=1, closes_on=date(2099, 1, 1), open_link=True)
    scan.teams = [ScanTeam(position=i, name=t) for i, t in enumerate(teams, 1)]
    return scan


def test_monitor_items_have_the_nea_wording_and_scales() -> None:
    items = {i.id: i for i in all_items()}
    assert {k: items[k].nl for k in NEA_WORDING} == NEA_WORDING
    assert {k: [o.nl for o in items[k].options] for k in NEA_SCALES} == NEA_SCALES
    assert [o.score for o in items["var_creative"].options] == [1, 2, 3, 4]
    assert [o.score for o in items["aut_leave"].options] == [3, 2, 1]  # CBS scoring
    assert all(item.en and all(o.en for o in item.options) for item in items.values())
    required = [i.id for i in all_items() if i.required]
    assert required == list(NEA_WORDING)
    assert [i.id for i in all_items() if not i.required] == ["age_class", "education", "contract"]


def test_team_question_only_with_teams() -> None:
    assert [b.items[-1].id for b in questionnaire(["A", "B"])][-1] == "team"
    assert "team" not in {i.id for i in all_items()}
    assert [o.label("en") for o in all_items(["A", "B"])[-1].options] == ["A", "B"]


def _valid_answers() -> st.SearchStrategy[dict[str, Any]]:
    items = all_items(["Team 1", "Team 2", "Team 3"])
    fields = {
        i.id: (st.sampled_from(i.codes) if i.required else st.none() | st.sampled_from(i.codes))
        for i in items
    }
    return st.fixed_dictionaries(fields)


@settings(deadline=None)
@given(_valid_answers())
def test_every_valid_combination_is_accepted_as_given(answers: dict[str, Any]) -> None:
    clean = validate_answers(_scan(["Team 1", "Team 2", "Team 3"]), answers)
    assert clean == {k: v for k, v in answers.items() if v is not None}


@settings(deadline=None)
@given(
    _valid_answers(),
    st.sampled_from([i.id for i in all_items() if i.required]),
    st.integers().filter(lambda v: not 1 <= v <= 4),
)
def test_any_out_of_range_code_is_refused_naming_the_question(
    answers: dict[str, Any], item: str, value: int
) -> None:
    with pytest.raises(InvalidInput, match=f"question '{item}': {value} is not one of"):
        validate_answers(_scan(["Team 1", "Team 2", "Team 3"]), {**answers, item: value})


def test_string_codes_from_html_forms_are_read_as_numbers() -> None:
    answers = {i.id: str(i.codes[0]) for i in all_items() if i.required}
    assert set(validate_answers(_scan([]), answers).values()) == {1}
    with pytest.raises(InvalidInput, match=r"question 'course_2y': '1.5' is not one of"):
        validate_answers(_scan([]), {**answers, "course_2y": "1.5"})
