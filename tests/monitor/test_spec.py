"""The monitor spec: the shipped default is valid; mistakes get clear messages."""

from pathlib import Path

import pytest

from leercultuur.errors import SpecError
from leercultuur.monitor import load_spec


def test_default_spec_has_the_articles_indicators_and_breakdowns() -> None:
    spec = load_spec()
    ids = [i.id for i in spec.indicators]
    for needed in (
        "nonformal",
        "informal_tasks_much",
        "informal_people_some",
        "variation_high",
        "autonomy_high",
        "support_any",
    ):
        assert needed in ids
    assert [b.id for b in spec.breakdowns] == [
        "education",
        "age_class",
        "company_size",
        "contract",
        "sector",
        "sex",
    ]
    assert spec.publication_threshold == 200
    assert spec.effect_size_threshold == 0.20
    assert spec.indicator("autonomy_high").cutoff == 2.5


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "spec.yaml"
    p.write_text(text)
    return p


def test_unknown_kind_is_named(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """
indicators:
  - {id: x, domain: d, kind: median, items: [a], label: {nl: a, en: a}}
""",
    )
    with pytest.raises(
        SpecError, match=r"indicators\.0\.kind: Input should be 'share', 'mean' or 'share_scale'"
    ):
        load_spec(p)


def test_share_needs_success_codes(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """
indicators:
  - {id: x, domain: d, kind: share, items: [a], label: {nl: a, en: a}}
""",
    )
    with pytest.raises(SpecError, match="indicator 'x': kind 'share' needs 'success' codes"):
        load_spec(p)


def test_association_must_name_known_indicators(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """
indicators:
  - {id: x, domain: d, kind: share, items: [a], success: [1], label: {nl: a, en: a}}
associations: {outcomes: [x], predictors: [nope]}
""",
    )
    with pytest.raises(SpecError, match=r"associations\.predictors: unknown indicator nope"):
        load_spec(p)


def test_typo_in_a_key_is_rejected(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """
publication_treshold: 100
indicators:
  - {id: x, domain: d, kind: share, items: [a], success: [1], label: {nl: a, en: a}}
""",
    )
    with pytest.raises(SpecError, match="publication_treshold: Extra inputs are not permitted"):
        load_spec(p)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="does not exist"):
        load_spec(tmp_path / "nope.yaml")
