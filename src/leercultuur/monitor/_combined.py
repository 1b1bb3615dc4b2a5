"""Combined groups of a breakdown (the spec's ``combine:``), computed like any other group.

A combined group (e.g. "55+" = 55-64 + 65-74) is the union of categories of its breakdown. The
monitor derives, per combined group, a two-valued column (the group / everybody else with a
value for the breakdown; missing stays missing) and runs it through the same tables as every
breakdown: the union's domain estimate, year on year, group vs rest (the rest being the other
categories together) and trends. Afterwards the rows are filed under their own breakdown, and the
helper "rest" rows are dropped. Multiple-testing adjustment (``multiple_testing: bh``) treats a
combined group as its own family.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leercultuur.monitor._result import MISSING_GROUP
from leercultuur.monitor._spec import Breakdown, MonitorSpec

REST = "__rest__"  # the helper group of everybody outside a combined group (never reported)


@dataclass(frozen=True)
class Combined:
    """The derived columns and helper breakdowns, and which breakdown each one files under."""

    data: pd.DataFrame
    spec: MonitorSpec  # the spec with the helper breakdowns appended
    parent: dict[str, str]  # helper breakdown id -> breakdown id
    gaps: tuple[str, ...]


def add_combined(data: pd.DataFrame, spec: MonitorSpec) -> Combined:
    """Derive one column and one helper breakdown per combined group whose column is in the data.

    Categories a combined group names that the data does not have are a gap (so a spec typo is
    reported); a combined group none of whose categories occur is left out."""
    extra: dict[str, pd.Series] = {}
    helpers: list[Breakdown] = []
    parent: dict[str, str] = {}
    gaps: list[str] = []
    for b in spec.breakdowns:
        if not b.combine or b.column not in data.columns:
            continue
        codes, text = _text_codes(data[b.column])
        have = set(text[np.bincount(codes[codes >= 0], minlength=text.size) > 0].tolist())
        for k, c in enumerate(b.combine):
            absent = [g for g in c.of if g not in have]
            if absent:
                gaps.append(
                    f"breakdown {b.id!r}: combined group {c.id!r} names "
                    f"{', '.join(map(repr, absent))}, not a category of column {b.column!r} "
                    f"(its categories: {', '.join(sorted(have)) or 'none'})"
                )
            if len(absent) == len(c.of):
                continue
            # codes of the derived column: 0 the combined group, 1 the rest, -1 missing
            inside = np.isin(text, list(c.of))
            derived = np.where(codes < 0, -1, np.where(inside[codes], 0, 1)).astype(np.int8)
            name = f"__combined__{b.id}__{k}"
            extra[name] = pd.Series(
                pd.Categorical.from_codes(derived, categories=[c.id, REST]), index=data.index
            )
            hid = f"{b.id}__combined_{k}"
            helpers.append(Breakdown(id=hid, column=name, label=b.label))
            parent[hid] = b.id
    if not helpers:
        return Combined(data, spec, {}, tuple(gaps))
    data = pd.concat([data, pd.DataFrame(extra, index=data.index)], axis=1)
    spec = spec.model_copy(update={"breakdowns": (*spec.breakdowns, *helpers)})
    return Combined(data, spec, parent, tuple(gaps))


def _text_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a column (-1: missing) and the text of each code's value, as ``astype("string")``
    writes it: from the categories of a categorical (no per-row text), else factorised."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy()
        cats = col.cat.categories
    else:
        codes, cats = pd.factorize(col, use_na_sentinel=True)
    text = np.asarray(pd.Series(cats, dtype=object).astype("string").to_numpy(dtype=object))
    return codes, text.astype(str) if text.size else np.zeros(0, dtype=str)


def file_combined(
    table: pd.DataFrame, parent: dict[str, str], spec: MonitorSpec, *, sort: bool = False
) -> pd.DataFrame:
    """Rows of the helper breakdowns under their breakdown, helper rest and missing rows
    dropped. ``sort`` (the estimates) puts them right after their breakdown's own groups, in the
    monitor's order (indicator, breakdown); otherwise row order is unchanged."""
    if not parent or table.empty:
        return table
    helper = table["breakdown"].isin(list(parent))
    drop = helper & table["group"].astype(str).isin([REST, MISSING_GROUP])
    out = table.loc[~drop].copy()
    out["breakdown"] = out["breakdown"].replace(parent)
    if not sort:
        return out.reset_index(drop=True)
    iorder = {i.id: k for k, i in enumerate(spec.indicators)}
    border = {"all": -1, **{b.id: k for k, b in enumerate(spec.breakdowns)}}
    key = pd.DataFrame(
        {
            "i": out["indicator"].map(iorder).fillna(len(iorder)),
            "b": out["breakdown"].map(border).fillna(len(border)),
            "h": helper.loc[out.index].astype(int),
        },
        index=out.index,
    )
    order = key.sort_values(["i", "b", "h"], kind="stable").index
    return out.loc[order].reset_index(drop=True)


def with_combined_labels(labels: dict[str, object], spec: MonitorSpec) -> dict[str, object]:
    """The manifest's labels with each combined group's label added under its breakdown's
    column (``categories[column][id]``), so every group of the tables has a label there."""
    if not labels:
        return labels
    cats = labels.get("categories")
    if not isinstance(cats, dict):
        return labels
    cats = {k: dict(v) if isinstance(v, dict) else v for k, v in cats.items()}
    for b in spec.breakdowns:
        if b.combine and isinstance(cats.get(b.column), dict):
            for c in b.combine:
                cats[b.column][c.id] = {"nl": c.label.nl, "en": c.label.en}
    return {**labels, "categories": cats}
