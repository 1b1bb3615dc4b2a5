"""From Quickscan answers to the monitor's harmonised variables (names and scores).

The Quickscan stores an answer as its position in the NEA's order (1 = first answer shown); the
monitor's indicator definitions (``leercultuur.monitor``, ``specs/default.yaml``) read the
harmonised variables of the codebook (``leercultuur/io/codebooks/synthetic_nea.yaml``), e.g.
``course`` 1 = ja, 0 = nee and ``learn_tasks`` 3 = veel. This table maps one onto the other; a
test checks every mapped answer against the codebook's category label, so the two cannot drift
apart silently. The indicators themselves are never copied: they are the monitor's.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# quickscan item id -> (harmonised variable, {quickscan answer code: harmonised score})
_YES_NO = {1: 1, 2: 0}
_LEARN = {1: 3, 2: 2, 3: 1}  # veel, niet veel en niet weinig, weinig
_FREQ = {1: 1, 2: 2, 3: 3, 4: 4}  # nooit .. altijd
_AUT = {1: 3, 2: 2, 3: 1}  # ja regelmatig, ja soms, nee
_SUPPORT = {1: 1, 2: 2, 3: 3}  # nee, ja in beperkte mate, ja in grote mate

TO_MONITOR: Mapping[str, tuple[str, Mapping[int, int]]] = MappingProxyType(
    {
        "course_2y": ("course", _YES_NO),
        "learn_tasks": ("learn_tasks", _LEARN),
        "learn_people": ("learn_people", _LEARN),
        "var_varied": ("var_varied", _FREQ),
        "var_learn_new": ("var_new", _FREQ),
        "var_creative": ("var_creative", _FREQ),
        "aut_how": ("aut_how", _AUT),
        "aut_order": ("aut_order", _AUT),
        "aut_pace": ("aut_pace", _AUT),
        "aut_solutions": ("aut_solutions", _AUT),
        "aut_leave": ("aut_leave", _AUT),
        "sup_development": ("sup_support", _SUPPORT),
    }
)

BACKGROUND = ("team", "age_class", "education", "contract")


def harmonised_row(answers: Mapping[str, int]) -> dict[str, float]:
    """One response's monitor items as harmonised scores (missing answers are left out)."""
    out: dict[str, float] = {}
    for item, (name, scores) in TO_MONITOR.items():
        code = answers.get(item)
        if code is not None and code in scores:
            out[name] = float(scores[code])
    return out
