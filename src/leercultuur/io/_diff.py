"""``codebook diff``: variables added, dropped, renamed and recoded between two editions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leercultuur.io._readers import RawFile, open_raw
from leercultuur.io._recode import norm_label


def _num(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


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
