"""Codebook tools: draft a codebook from a file's labels; diff two editions of a file."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from leercultuur.io._codebook import parse_codebook
from leercultuur.io._readers import RawFile, open_raw
from leercultuur.io._recode import norm_label

_ROLE_PATTERNS = {
    "year": r"^(jaar|year|survey_?year)$",
    "id": r"^(respnr|resp_?id|id|respondent.*)$",
    "stratum": r"strat",
    "weight": r"^(weging|weight|gewicht|wgt)$",
}
_MISSING_KINDS = [
    ("weet niet", "dont_know"),
    ("don t know", "dont_know"),
    ("niet van toepassing", "not_applicable"),
    ("wil niet", "refused"),
    ("weiger", "refused"),
    ("refus", "refused"),
]


def _kind(label: str) -> str:
    text = norm_label(label)
    return next((kind for pat, kind in _MISSING_KINDS if pat in text), "user_missing")


def _num(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _declared_codes(raw: RawFile, var: str) -> set[Any]:
    out: set[Any] = set()
    for lo, hi in raw.declared_missing.get(var, []):
        if isinstance(lo, int | float) and isinstance(hi, int | float) and hi - lo <= 20:
            out.update(float(c) for c in range(int(lo), int(hi) + 1))
        else:
            out.add(lo)
    return out


def _year_of(path: Path, year: int | None) -> Any:
    if year is not None:
        return year
    found = set(re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", path.stem))
    return int(found.pop()) if len(found) == 1 else "all"


def draft_codebook(path: str | Path, *, year: int | None = None) -> str:
    """A starting codebook (YAML text) from a file's variables, labels and user-missing codes.

    Every labelled variable becomes a ``score`` item with its value labels as categories (English
    labels are copies to translate), declared user-missing codes become the global ``missing``
    codes, and design roles are guessed from common names (JAAR, RESPNR, STRATUM, WEGING).
    The draft is checked to load; edit names, types and labels before use.
    """
    raw = open_raw(path)
    if raw.format in ("csv", "parquet"):
        sample = raw.read(list(raw.columns)).head(1000)
        text_cols = {c for c in raw.columns if sample[c].dtype.kind not in "fiub"}
    else:
        text_cols = set()
    years = _year_of(raw.path, year)
    names = {c: re.sub(r"\W+", "_", c.strip().lower()).strip("_") or "var" for c in raw.columns}
    roles: dict[str, str] = {}
    for role, pat in _ROLE_PATTERNS.items():
        hit: str | None = next(
            (c for c in raw.columns if re.search(pat, c, re.I) and c not in roles.values()), None
        )
        if hit:
            roles[role] = hit
    missing_votes: Counter[tuple[Any, str]] = Counter()
    variables: dict[str, Any] = {}
    for col in raw.columns:
        label = raw.column_labels.get(col) or col
        entry: dict[str, Any] = {"label": {"nl": label, "en": label}, "source": col}
        if years != "all":
            entry["years"] = f"{years}-"
        labels = raw.value_labels.get(col, {})
        declared = _declared_codes(raw, col)
        col_role = next((r for r, c in roles.items() if c == col), None)
        if col_role == "year":
            entry = {"type": "year", **entry}
            entry.pop("years", None)
        elif col_role in ("id", "stratum"):
            entry = {"type": "id", **entry}
        elif labels and col_role is None:
            cats = {k: v for k, v in labels.items() if k not in declared}
            for k in declared:
                if k in labels:
                    missing_votes[(_num(k), labels[k])] += 1
            if cats and all(isinstance(k, int | float) for k in cats):
                entry = {"type": "score", **entry}
                entry["categories"] = {_num(k): {"nl": v, "en": v} for k, v in cats.items()}
            else:
                entry = {"type": "category", **entry}
                entry["categories"] = {str(k): {"nl": v, "en": v} for k, v in cats.items()}
        elif col in text_cols or col in raw.text_columns:
            entry = {"type": "text", **entry}
        else:
            entry = {"type": "float", **entry}
        variables[names[col]] = entry
    missing: dict[Any, dict[str, str]] = {}
    for (code, label), _ in missing_votes.most_common():
        missing.setdefault(code, {"kind": _kind(label), "nl": label, "en": label})
    design = {r: names[c] for r, c in roles.items()}
    doc = {
        "codebook": f"draft-{raw.path.stem}",
        "description": f"Drafted from {raw.path.name}; check types, names and English labels.",
        "missing": missing,
        "design": design,
        "variables": variables,
    }
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    header = (
        f"# Draft codebook written by `leercultuur codebook draft {raw.path.name}`.\n"
        "# Review: harmonised names, types (score/category/integer/float/text), English labels,\n"
        "# missing-value kinds and design roles. Format: docs/codebook.md\n"
    )
    if {"year", "id", "weight"} <= set(design):
        parse_codebook(doc, where=f"draft of {raw.path}")
    else:
        lacking = ", ".join(sorted({"year", "id", "weight"} - set(design)))
        header += f"# TODO: no variable recognised for design role(s): {lacking}\n"
    return header + text


@dataclass(frozen=True)
class CodeChange:
    code: Any
    old: str | None
    new: str | None


@dataclass(frozen=True)
class FileDiff:
    """Variables added, dropped, renamed and recoded between two editions of a file."""

    old: str
    new: str
    added: tuple[str, ...]
    dropped: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...]
    recoded: tuple[tuple[str, tuple[CodeChange, ...]], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "added": list(self.added),
            "dropped": list(self.dropped),
            "renamed": [{"old": a, "new": b} for a, b in self.renamed],
            "recoded": [
                {"variable": v, "changes": [c.__dict__ for c in ch]} for v, ch in self.recoded
            ],
        }

    def format(self) -> str:
        lines = [f"{self.old} -> {self.new}"]
        lines.append(f"renamed: {len(self.renamed) or 'none'}")
        lines += [f"  {a} -> {b}" for a, b in self.renamed]
        for title, names in (("added", self.added), ("dropped", self.dropped)):
            lines.append(f"{title}: {len(names) or 'none'}")
            lines += [f"  {n}" for n in names]
        lines.append(f"recoded: {len(self.recoded) or 'none'}")
        for var, changes in self.recoded:
            parts = [f"{_num(c.code)}: {c.old!r} -> {c.new!r}" for c in changes]
            lines.append(f"  {var}: " + "; ".join(parts))
        return "\n".join(lines)


def _changes(old: dict[Any, str], new: dict[Any, str]) -> tuple[CodeChange, ...]:
    out = []
    for code in sorted(set(old) | set(new), key=str):
        a, b = old.get(code), new.get(code)
        if a is None or b is None or norm_label(a) != norm_label(b):
            out.append(CodeChange(_num(code), a, b))
    return tuple(out)


def diff_files(old: str | Path, new: str | Path) -> FileDiff:
    """Compare two editions: a dropped and an added variable with the same variable label (or
    the same value labels) count as renamed; changed value labels of a code count as recoded."""
    a, b = open_raw(old), open_raw(new)
    dropped = [c for c in a.columns if c not in b.columns]
    added = [c for c in b.columns if c not in a.columns]

    def signature(raw: RawFile, col: str) -> tuple[str, ...]:
        lab = norm_label(raw.column_labels.get(col, ""))
        vals = tuple(sorted(norm_label(v) for v in raw.value_labels.get(col, {}).values()))
        return (lab, *vals) if lab or vals else ()

    renamed: list[tuple[str, str]] = []
    for d in dropped:
        sig = signature(a, d)
        hits = [c for c in added if sig and signature(b, c) == sig]
        if not hits:  # same variable label only
            lab = norm_label(a.column_labels.get(d, ""))
            hits = [c for c in added if lab and norm_label(b.column_labels.get(c, "")) == lab]
        if not hits:  # same value labels only
            vals = sorted(map(norm_label, a.value_labels.get(d, {}).values()))
            hits = [
                c
                for c in added
                if vals and sorted(map(norm_label, b.value_labels.get(c, {}).values())) == vals
            ]
        if len(hits) == 1 and hits[0] not in {n for _, n in renamed}:
            renamed.append((d, hits[0]))
    pairs = [(c, c) for c in a.columns if c in b.columns] + renamed
    recoded = []
    for oc, nc in pairs:
        ch = _changes(a.value_labels.get(oc, {}), b.value_labels.get(nc, {}))
        if ch:
            recoded.append((nc if oc == nc else f"{oc} -> {nc}", ch))
    gone = {o for o, _ in renamed}
    new_names = {n for _, n in renamed}
    return FileDiff(
        old=str(a.path),
        new=str(b.path),
        added=tuple(c for c in added if c not in new_names),
        dropped=tuple(c for c in dropped if c not in gone),
        renamed=tuple(renamed),
        recoded=tuple(recoded),
    )
