"""The anonymity rule: no combination of shown results reveals the total of a small set.

Brute force over every set of 1 to minimum-1 respondents (organisations of up to 16 people):
its indicator vector must not lie in the span of the shown groups' membership vectors and the
whole organisation's vector (rank test with numpy, independent of the module's exact search).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from leercultuur.quickscan.anonymity import (
    CandidateGroup,
    disclosure_plan,
    revealed_small_set,
)


def _groups_from_answers(answers: dict[str, list[int | None]]) -> list[CandidateGroup]:
    """One candidate group per (variable, answer code); people without an answer are in none."""
    out = []
    for var, values in answers.items():
        for code in sorted({v for v in values if v is not None}):
            members = frozenset(p for p, v in enumerate(values) if v == code)
            out.append(CandidateGroup((var, code), members))
    return out


def _matrix(vectors: list[frozenset[int]], n: int) -> np.ndarray:
    return np.array([[1.0 if p in v else 0.0 for p in range(n)] for v in vectors])


def _small_sets_in_span(shown: list[frozenset[int]], n: int, minimum: int) -> list[tuple[int, ...]]:
    """Brute force: every non-empty set smaller than the minimum whose vector is in the span."""
    basis = _matrix([frozenset(range(n)), *shown], n)
    rank = np.linalg.matrix_rank(basis)
    bad = []
    for size in range(1, minimum):
        for s in combinations(range(n), size):
            x = np.zeros((1, n))
            x[0, list(s)] = 1.0
            if np.linalg.matrix_rank(np.vstack([basis, x])) == rank:
                bad.append(s)
    return bad


@st.composite
def organisations(draw: st.DrawFn) -> tuple[int, int, dict[str, list[int | None]]]:
    minimum = draw(st.integers(2, 5))
    n = draw(st.integers(minimum, 16))
    answers: dict[str, list[int | None]] = {}
    n_teams = draw(st.integers(0, 4))
    if n_teams:
        answers["team"] = draw(
            st.lists(st.one_of(st.none(), st.integers(1, n_teams)), min_size=n, max_size=n)
        )
    for var, k in (("age_class", 4), ("education", 3), ("contract", 2)):
        if draw(st.booleans()):
            answers[var] = draw(
                st.lists(st.one_of(st.none(), st.integers(1, k)), min_size=n, max_size=n)
            )
    return minimum, n, answers


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_no_small_set_is_revealed_by_the_shown_groups(
    org: tuple[int, int, dict[str, list[int | None]]],
) -> None:
    minimum, n, answers = org
    groups = _groups_from_answers(answers)
    plan = disclosure_plan(groups, n, minimum=minimum)
    shown = [g.members for g in groups if g.key in plan.shown]
    assert _small_sets_in_span(shown, n, minimum) == []
    for d in plan.decisions:  # primary rule, and every suppressed group has a reason
        if d.shown:
            assert d.size >= minimum and n - d.size >= minimum
        else:
            assert d.reason in ("too_small", "rest_too_small", "differencing")
    # the module's own search agrees with brute force on the unsuppressed configuration
    every = [g.members for g in groups]
    found = revealed_small_set(every, n, minimum=minimum)
    brute = _small_sets_in_span(every, n, minimum)
    assert (found is None) == (brute == [])
    if found is not None:
        assert tuple(sorted(found)) in brute


def test_a_team_of_ten_and_the_same_team_plus_one_as_an_age_group_is_refused() -> None:
    n, minimum = 30, 5
    team = frozenset(range(10))
    age = frozenset(range(11))
    groups = [CandidateGroup(("team", 1), team, 1), CandidateGroup(("age_class", 2), age)]
    assert revealed_small_set([team, age], n, minimum=minimum) == frozenset({10})
    plan = disclosure_plan(groups, n, minimum=minimum)
    assert len(plan.shown) == 1
    assert plan.shown == (("team", 1),)  # the team is kept, the age group suppressed
    assert plan.decision(("age_class", 2)).reason == "differencing"


def test_differencing_across_three_groups_not_only_pairs() -> None:
    """A = {0..5}, B = {6..11}, C = A + B + {12}: C - A - B reveals person 12."""
    n, minimum = 24, 5
    a, b = frozenset(range(6)), frozenset(range(6, 12))
    c = frozenset(range(13))
    for pair in ((a, b), (a, c), (b, c)):  # no pair reveals a small set on its own
        assert revealed_small_set(list(pair), n, minimum=minimum) is None
    assert revealed_small_set([a, b, c], n, minimum=minimum) == frozenset({12})
    plan = disclosure_plan(
        [CandidateGroup(("team", 1), a), CandidateGroup(("team", 2), b),
         CandidateGroup(("age_class", 1), c)],
        n, minimum=minimum,
    )  # fmt: skip
    assert len(plan.shown) == 2


def test_the_rest_of_the_organisation_counts_as_shown() -> None:
    """Two age groups of 10 shown in an organisation of 23: the 3 without an age answer are the
    organisation minus both groups, so one group is suppressed."""
    n, minimum = 23, 5
    a, b = frozenset(range(10)), frozenset(range(10, 20))
    plan = disclosure_plan(
        [CandidateGroup(("age_class", 1), a), CandidateGroup(("age_class", 2), b)], n,
        minimum=minimum,
    )  # fmt: skip
    assert len(plan.shown) == 1
    shown = [a if plan.shown == (("age_class", 1),) else b]
    assert _small_sets_in_span(shown, 23, minimum) == []
    assert _small_sets_in_span([a, b], 23, minimum) != []  # both together would reveal the 3


def test_primary_suppression_reasons() -> None:
    n, minimum = 20, 5
    plan = disclosure_plan(
        [CandidateGroup(("team", 1), frozenset(range(3))),
         CandidateGroup(("team", 2), frozenset(range(3, 19)))],
        n, minimum=minimum,
    )  # fmt: skip
    assert plan.decision(("team", 1)).reason == "too_small"
    assert plan.decision(("team", 2)).reason == "rest_too_small"
    assert plan.shown == ()


def test_refuses_a_population_below_the_minimum() -> None:
    with pytest.raises(ValueError, match="below the minimum"):
        disclosure_plan([], 4, minimum=5)


def test_a_realistic_organisation_is_decided_quickly() -> None:
    """200 respondents, 8 teams and three background questions: decided, and safe on a sample
    of small sets (brute force over all is out of reach at this size)."""
    import time

    rng = np.random.default_rng(7)
    n, minimum = 200, 10
    answers: dict[str, list[int | None]] = {
        "team": [int(v) for v in rng.integers(1, 9, n)],
        "age_class": [None if rng.random() < 0.05 else int(v) for v in rng.integers(1, 7, n)],
        "education": [int(v) for v in rng.integers(1, 4, n)],
        "contract": [int(v) for v in rng.choice([1, 1, 1, 2, 3, 4], n)],
    }
    groups = _groups_from_answers(answers)
    t0 = time.perf_counter()
    plan = disclosure_plan(groups, n, minimum=minimum)
    assert time.perf_counter() - t0 < 20
    shown = [g.members for g in groups if g.key in plan.shown]
    assert len(shown) >= 5
    assert revealed_small_set(shown, n, minimum=minimum) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
@example(  # HiGHS's presolve called this "infeasible": the team of one person went unnoticed
    (
        2,
        13,
        {
            "team": [None, None, None, 3, None, None, None, None, None, 1, 3, None, 3],
            "contract": [None, 1, None, None, 1, None, 2, 1, None, 2, 1, None, 2],
        },
    )
)
def test_the_mixed_integer_route_is_safe_too(
    org: tuple[int, int, dict[str, list[int | None]]],
) -> None:
    """With no budget for the exact search every check goes to HiGHS: still safe, and it finds
    a small set exactly when brute force does."""
    from leercultuur.quickscan import anonymity

    minimum, n, answers = org
    groups = _groups_from_answers(answers)
    old = anonymity.SEARCH_BUDGET
    anonymity.SEARCH_BUDGET = 0
    try:
        plan = disclosure_plan(groups, n, minimum=minimum)
        found = revealed_small_set([g.members for g in groups], n, minimum=minimum)
    finally:
        anonymity.SEARCH_BUDGET = old
    shown = [g.members for g in groups if g.key in plan.shown]
    assert _small_sets_in_span(shown, n, minimum) == []
    assert (found is None) == (_small_sets_in_span([g.members for g in groups], n, minimum) == [])
