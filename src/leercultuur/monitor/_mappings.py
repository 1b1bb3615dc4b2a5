"""What the monitor needs from the codebook, and what it records of it.

* :func:`missing_mappings`: every harmonised name the spec uses (design columns, indicator
  items, breakdown columns) that the data lacks, each with the codebook line to add;
* :func:`codebook_record`: the codebook as the manifest records it (path, SHA-256, content);
* :func:`labels_of`: the codebook's labels (variables and categories, Dutch and English) that
  the report and the exports show instead of codes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pandas as pd

from leercultuur.io import Codebook, Metadata, variable_template
from leercultuur.monitor._spec import MonitorSpec


@dataclass(frozen=True)
class Missing:
    """A harmonised variable the spec uses and the data lacks."""

    role: str  # "design.year", "indicator 'nonformal'", "breakdown 'sex'"
    name: str

    def message(self, *, full: bool = True) -> str:
        """What is missing and the codebook line to add (``full``: with labels and categories
        as the default codebook has them; else the short form)."""
        line, note = variable_template(self.name), ""
        if not full:
            head = line.split(", label:")[0]
            rest = "derive: ..." if "derive:" in line else "source: YOUR_COLUMN, ..."
            line, note = f"{head}, {rest}}}", " (labels and categories as in the default codebook)"
        what = "not computed" if "indicator" in self.role else "not reported"
        if self.role.startswith("design"):
            what = "the design needs it"
        return (
            f"{self.role}: {self.name!r} is not in the data ({what}); add `{line}` to the "
            f"codebook{note}"
        )


def missing_mappings(data: pd.DataFrame, spec: MonitorSpec, *, method: str) -> list[Missing]:
    """Every name the spec needs that is not a column of the data, in spec order, once."""
    d = spec.design
    needs: list[tuple[str, str]] = [("design.year", d.year)]
    if d.strata:
        needs.append(("design.strata", d.strata))
    if d.psu:
        needs.append(("design.psu", d.psu))
    if method == "classic":
        needs.append(("design.classic_weight (--classic)", d.classic_weight))
    needs += [(f"indicator {i.id!r}", c) for i in spec.indicators for c in i.items]
    needs += [(f"breakdown {b.id!r}", b.column) for b in spec.breakdowns]
    out: dict[str, Missing] = {}
    for role, name in needs:
        if name in data.columns:
            continue
        if name in out:
            if role not in out[name].role:
                out[name] = Missing(f"{out[name].role}, {role}", name)
        else:
            out[name] = Missing(role, name)
    return list(out.values())


def codebook_record(codebook: Codebook) -> dict[str, Any]:
    """Path, SHA-256 and full text of the codebook the data was read with."""
    text = codebook.text
    return {
        "name": codebook.name,
        "path": codebook.path,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "content": text,
    }


def labels_of(metadata: Metadata, spec: MonitorSpec) -> dict[str, Any]:
    """Labels of the variables the monitor reports: ``variables`` {name: {nl, en}} and
    ``categories`` {column: {group value as in the tables: {nl, en}}}."""
    used = [*(b.column for b in spec.breakdowns), *(c for i in spec.indicators for c in i.items)]
    variables: dict[str, dict[str, str]] = {}
    categories: dict[str, dict[str, dict[str, str]]] = {}
    for name in dict.fromkeys(used):
        if name not in metadata:
            continue
        meta = metadata[name]
        variables[name] = {"nl": meta.label_nl, "en": meta.label_en}
        if meta.categories:
            categories[name] = {
                _group_text(c.code): {"nl": c.nl, "en": c.en} for c in meta.categories
            }
    return {"variables": variables, "categories": categories}


def _group_text(code: float | str) -> str:
    """A category code as the tables write the group (score 1.0 as '1.0', names as they are)."""
    return str(code)
