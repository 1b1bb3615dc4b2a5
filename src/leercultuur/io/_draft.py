"""``codebook draft``: a starting codebook from one or more files (or a folder), all years.

The draft maps the files' variables onto the harmonised names of the default codebook and spec
(``course``, ``education``, ``stratum``, ...) where their names or labels tell, with the default's
type, labels and categories, and the raw codes mapped onto those categories by their value labels.
Every such guess carries a ``# TODO`` comment a person must check (and then delete); a raw code
whose label matches no category is written as ``'?'`` so the codebook does not load until it is
mapped. Variables it cannot place keep their own (lower-case) names. Names the default spec needs
and no file has are listed at the end.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from leercultuur.io._codebook import Codebook, load_codebook, parse_codebook
from leercultuur.io._readers import RawFile, expand_paths, open_raw
from leercultuur.io._recode import norm_label

# harmonised name -> (raw-name pattern, variable-label pattern); first match wins, in this order
KNOWN: dict[str, tuple[str, str | None]] = {
    "year": (r"^(jaar|year|survey_?year|enquete_?jaar|jr)$", None),
    "resp_id": (r"^(respnr|resp_?id|id|respondent(_?id|_?nr)?|volgnr)$", None),
    "stratum": (r"strat", None),
    "psu": (r"^(psu|cluster|cluster_?id)$", None),
    "weight_prop": (r"^(weging_?p|gewicht_?p|weight_?prop|wgt_?p)$", r"proportione"),
    "weight_half": (r"^(weging_?h|gewicht_?h|weight_?half|wgt_?h)$", None),
    "weight": (r"^(weging|weight|gewicht|wgt|ophoog\w*)$", None),
    "half": (r"^(helft|half|split_?helft)$", None),
    "sex": (r"^(geslacht|sex|gender|gesl)$", r"^(geslacht|sex|gender)$"),
    "age": (r"^(leeftijd|age|lft|leeft)$", r"^(leeftijd|age)( in jaren)?$"),
    "course": (r"^(cursus\w*|oplcurs\w*|course\w*)$", r"\bcursus\b|\bcourse\b"),
    "education": (r"^(opl\w*niv\w*|opleiding|opleidingsniveau|education|educ)$",
                  r"opleidingsniveau|education level"),
    "company_size": (r"^(bedr\w*gr\w*|bedrijfsgrootte|company_?size)$",
                     r"bedrijfsgrootte|company size"),
    "contract": (r"^(contract\w*)$", r"contract"),
    "sector": (r"^(sbi\w*|sector)$", r"^(sector|sbi)"),
    "learn_tasks": (r"^leer\w*_?taken$", r"leer\w* .*van (de )?taken|learns? .*from tasks"),
    "learn_people": (r"^leer\w*_?(mensen|collega\w*)$",
                     r"leer\w* .*van (mensen|collega)|learns? .*from people"),
    "var_varied": (r"^(variatie|gevarieerd|afwisseling)$", r"gevarieerd|afwisselend|varied"),
    "var_new": (r"^(nieuw_?leren|nieuwe_?dingen)$", r"nieuwe dingen|new things"),
    "var_creative": (r"^(creatief|creativiteit)$", r"creativiteit|creativity"),
    "aut_how": (r"^aut\w*_?hoe$", r"zelf beslissen hoe|decide how"),
    "aut_order": (r"^aut\w*_?volgorde$", r"volgorde|order of"),
    "aut_pace": (r"^aut\w*_?tempo$", r"werktempo|work pace"),
    "aut_solutions": (r"^aut\w*_?oploss\w*$", r"oplossingen|solutions"),
    "aut_leave": (r"^aut\w*_?verlof$", r"verlof|take leave"),
    "sup_support": (r"^(lg_?stimuleert|leidinggevende\w*)$",
                    r"leidinggevende|supervisor"),
}  # fmt: skip
DESIGN_ROLES = {"year": "year", "resp_id": "id", "stratum": "stratum", "psu": "psu",
                "weight": "weight", "weight_prop": "weight_prop", "half": "half",
                "weight_half": "weight_half"}  # fmt: skip
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


@dataclass
class _Column:
    """One raw column over all files: where it is, its labels, the years of its files."""

    name: str
    files: list[int] = field(default_factory=list)
    label: str = ""
    value_labels: dict[Any, str] = field(default_factory=dict)  # over all files
    by_file: dict[int, dict[Any, str]] = field(default_factory=dict)  # file -> its value labels
    declared: set[Any] = field(default_factory=set)
    text: bool = False


def _declared_codes(raw: RawFile, var: str) -> set[Any]:
    out: set[Any] = set()
    for lo, hi in raw.declared_missing.get(var, []):
        if isinstance(lo, int | float) and isinstance(hi, int | float) and hi - lo <= 20:
            out.update(float(c) for c in range(int(lo), int(hi) + 1))
        else:
            out.add(lo)
    return out


def _file_years(raw: RawFile, year_col: str | None, year: int | None) -> set[int] | None:
    """The years a file holds: its year column's values, else --year, else the file name."""
    if year_col is not None and year_col in raw.columns:
        vals = raw.read([year_col])[year_col].to_numpy(dtype=np.float64, na_value=np.nan)
        return {int(v) for v in np.unique(vals[~np.isnan(vals)])}
    if year is not None:
        return {year}
    found = set(re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", raw.path.stem))
    return {int(found.pop())} if len(found) == 1 else None


def _years_text(years: set[int]) -> str:
    """``2016-2018, 2020`` from a set of years (consecutive runs as ranges)."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _recognise(columns: dict[str, _Column]) -> dict[str, list[str]]:
    """harmonised name -> raw columns (names first, then variable labels). Columns of disjoint
    files that match the same name join it (a variable renamed between editions)."""
    taken: dict[str, list[str]] = {}
    used: set[str] = set()
    for by_label in (False, True):
        for target, (name_pat, label_pat) in KNOWN.items():
            if target in taken and by_label:
                continue
            for col in columns.values():
                if col.name in used:
                    continue
                if by_label:
                    hit = label_pat is not None and bool(
                        re.search(label_pat, norm_label(col.label))
                    )
                else:
                    hit = re.search(name_pat, col.name.lower()) is not None
                files = {f for c in taken.get(target, []) for f in columns[c].files}
                if hit and not files & set(col.files):
                    taken.setdefault(target, []).append(col.name)
                    used.add(col.name)
    return taken


def _map_codes(
    labels: dict[Any, str], declared: set[Any], default: Codebook, target: str
) -> tuple[dict[Any, Any], list[str]]:
    """Raw code -> default category by matching value labels (Dutch or English); '?' if none."""
    var = default.variables[target]
    assert var.categories is not None
    by_label: dict[str, Any] = {}
    for key, cat in var.categories.items():
        for text in (cat.nl, cat.en, str(key)):
            by_label.setdefault(norm_label(text), key)
    codes: dict[Any, Any] = {}
    notes: list[str] = []
    for code, lab in labels.items():
        if code in declared:
            continue
        key = by_label.get(norm_label(lab))
        codes[_num(code)] = "?" if key is None else key
        if key is None:
            notes.append(f"{_num(code)} {lab!r}")
    return codes, notes


Segment = tuple[str, list[int], dict[Any, str]]  # raw column, its files, their value labels


def _segments(columns: list[_Column]) -> list[Segment]:
    """The (column, files) runs whose value labels are the same (codes may change per edition)."""
    out: list[Segment] = []
    for col in columns:
        groups: dict[tuple[Any, ...], list[int]] = {}
        for f in col.files:
            labels = col.by_file.get(f, {})
            groups.setdefault(tuple(sorted(labels.items(), key=str)), []).append(f)
        out += [(col.name, files, dict(sig)) for sig, files in groups.items()]
    return out


def _default_entry(
    cols: list[_Column], default: Codebook, target: str, file_years: list[set[int] | None],
    n_files: int,
) -> tuple[dict[str, Any], str]:  # fmt: skip
    """The entry of a recognised variable (one source per run of files with the same column
    and value labels) and its TODO comment."""
    first = cols[0]
    raw = " / ".join(repr(c.name) for c in cols)
    what = f"{raw} ({first.label or 'no label'}) taken as {target!r}"
    var = default.variables.get(target)
    if var is None:  # a design role the default codebook has no variable for (psu)
        label = first.label or first.name
        return {"type": "id", "label": {"nl": label, "en": label}, "source": first.name}, what
    entry: dict[str, Any] = {"type": var.type, "label": var.label.model_dump()}
    if target == "stratum":
        entry["type"] = "id" if first.text else "integer"
        what += "; the monitor nests strata in years whatever their type"
    segments = _segments(cols) if var.categories else [(c.name, c.files, {}) for c in cols]
    declared = set().union(*(c.declared for c in cols))
    sources, unmapped_all, mapped = [], [], False
    for name, files, labels in segments:
        src: dict[str, Any] = {"variable": name}
        years = [file_years[f] for f in files]
        if len(segments) > 1 or len(files) < n_files:
            if any(y is None for y in years):
                what += f"; TODO: give the years of {name!r}"
            else:
                src["years"] = _years_text(set().union(*years))  # type: ignore[arg-type]
        if var.categories:
            codes, unmapped = _map_codes(labels, declared, default, target)
            if codes:
                src["codes"] = codes
                mapped |= len(unmapped) < len(codes)
            unmapped_all += [f"{name} {u}" if len(segments) > 1 else u for u in unmapped]
        sources.append(src)
    if var.categories:
        entry["categories"] = {k: v.model_dump() for k, v in var.categories.items()}
        if mapped:
            what += "; codes mapped by their value labels"
        if not any("codes" in s for s in sources):
            what += "; the file has no value labels: add `codes:` (raw code: category)"
        if unmapped_all:
            what += f"; map the codes marked '?' (raw labels: {', '.join(unmapped_all)})"
        if len(sources) > 1:
            what += "; renamed or recoded between editions: one source per edition"
    if len(sources) == 1:
        one = sources[0]
        if "codes" in one:
            entry["codes"] = one.pop("codes")
        entry["source"] = one["variable"]
        if "years" in one:
            entry["years"] = one["years"]
    else:
        entry["sources"] = sources
    return entry, what


def _plain_entry(col: _Column) -> dict[str, Any]:
    """A variable the draft cannot place: its own name, a type from its labels."""
    entry: dict[str, Any] = {"label": {"nl": col.label or col.name, "en": col.label or col.name}}
    cats = {k: v for k, v in col.value_labels.items() if k not in col.declared}
    if cats and all(isinstance(k, int | float) for k in cats):
        entry = {"type": "score", **entry,
                 "categories": {_num(k): {"nl": v, "en": v} for k, v in cats.items()}}  # fmt: skip
    elif cats:
        entry = {"type": "category", **entry,
                 "categories": {str(k): {"nl": v, "en": v} for k, v in cats.items()}}  # fmt: skip
    elif col.text:
        entry = {"type": "text", **entry}
    else:
        entry = {"type": "float", **entry}
    return entry


def _dump(name: str, entry: dict[str, Any]) -> str:
    text = yaml.safe_dump(
        {name: entry}, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return "".join("  " + line + "\n" for line in text.splitlines())


def draft_codebook(paths: str | Path | list[str | Path], *, year: int | None = None) -> str:
    """A starting codebook (YAML text) from one or more files or a folder (all their years).

    Variables recognised by name or label get the default codebook's names, types, labels and
    categories, with raw codes mapped by value labels; each carries a ``# TODO`` comment to
    check. The result loads as a codebook unless a code could not be mapped (``'?'``).
    """
    files = expand_paths([paths] if isinstance(paths, str | Path) else list(paths))
    raws = [open_raw(p) for p in files]
    columns: dict[str, _Column] = {}
    for k, raw in enumerate(raws):
        sample = (
            raw.read(list(raw.columns)).head(1000) if raw.format in ("csv", "parquet") else None
        )
        for c in raw.columns:
            col = columns.setdefault(c, _Column(c))
            col.files.append(k)
            col.label = col.label or raw.column_labels.get(c, "")
            col.value_labels.update(raw.value_labels.get(c, {}))
            col.by_file[k] = dict(raw.value_labels.get(c, {}))
            col.declared |= _declared_codes(raw, c)
            col.text |= c in raw.text_columns or (
                sample is not None and sample[c].dtype.kind not in "fiub"
            )
    hits = _recognise(columns)
    year_col = hits["year"][0] if "year" in hits else None
    file_years = [_file_years(raw, year_col, year) for raw in raws]
    default = load_codebook()
    by_raw = {raw: target for target, raws_ in hits.items() for raw in raws_}
    blocks: list[str] = []
    names: dict[str, str] = {}
    missing_votes: Counter[tuple[Any, str]] = Counter()
    for col in columns.values():
        target = by_raw.get(col.name)
        for k in col.declared:
            if k in col.value_labels:
                missing_votes[(_num(k), col.value_labels[k])] += 1
        if target is not None:
            if col.name != hits[target][0]:
                continue  # a later edition's column of the same variable: one of its sources
            cols = [columns[c] for c in hits[target]]
            entry, todo = _default_entry(cols, default, target, file_years, len(raws))
            if target == "year":
                entry.pop("years", None)
            name = target
        else:
            entry = _plain_entry(col)
            name = re.sub(r"\W+", "_", col.name.strip().lower()).strip("_") or "var"
            if name in default.variables or name in names.values():
                name = f"raw_{name}"
            todo = (f"{col.name!r} not recognised: kept as {name!r}, type {entry['type']!r}; "
                    "translate the English labels")  # fmt: skip
            entry["source"] = col.name
            years = [file_years[k] for k in col.files]
            if len(col.files) < len(raws) and all(y is not None for y in years):
                entry["years"] = _years_text(set().union(*years))  # type: ignore[arg-type]
        names[col.name] = name
        blocks.append((f"  # TODO check: {todo}\n" if todo else "") + _dump(name, entry))
    # derived variables of the default whose base was found (age_class from age)
    for dname, dvar in default.variables.items():
        if dvar.derive is not None and dvar.derive.from_ in hits and dname not in names.values():
            cats = {k: v.model_dump() for k, v in (dvar.categories or {}).items()}
            entry = {"type": dvar.type, "label": dvar.label.model_dump(),
                     "derive": {"from": dvar.derive.from_, "breaks": dvar.derive.breaks},
                     "categories": cats}  # fmt: skip
            blocks.append(f"  # TODO check: {dname!r} derived from {dvar.derive.from_!r} as in "
                          "the default codebook\n" + _dump(dname, entry))  # fmt: skip
            names[f"<derived {dname}>"] = dname
    design = {role: target for target, role in DESIGN_ROLES.items() if target in hits}
    missing: dict[Any, dict[str, str]] = {}
    for (code, label), _ in missing_votes.most_common():
        missing.setdefault(code, {"kind": _kind(label), "nl": label, "en": label})
    return _document(files, design, missing, blocks, set(names.values()), default)


def _document(
    files: list[Path], design: dict[str, str], missing: dict[Any, dict[str, str]],
    blocks: list[str], present: set[str], default: Codebook,
) -> str:  # fmt: skip
    shown = " ".join(p.name for p in files[:3]) + (" ..." if len(files) > 3 else "")
    head = {
        "codebook": f"draft-{files[0].stem}",
        "description": f"Drafted from {shown}; check every TODO.",
        "missing": missing,
        "design": design,
    }
    text = (
        f"# Draft codebook written by `leercultuur codebook draft {shown}`.\n"
        "# Each '# TODO check:' line is a guess: check it against the questionnaire, then delete\n"
        "# the line. Codes written as '?' must be mapped before the codebook loads.\n"
        "# Format: docs/codebook.md\n"
    )
    lacking = sorted({"year", "id", "weight"} - set(design))
    if lacking:
        text += f"# TODO: no variable recognised for design role(s): {', '.join(lacking)}\n"
    text += yaml.safe_dump(head, sort_keys=False, allow_unicode=True, width=100)
    text += "variables:\n" + "".join(blocks)
    needed = [n for n in _spec_names() if n not in present]
    if needed:
        text += (
            "# TODO: the default monitor spec also uses these variables, found in no file (the\n"
            "# monitor reports them as gaps; add them if your files have them under other names):\n"
        )
        text += "".join(f"#   {n}: {default.variables[n].label.en}\n" for n in needed
                        if n in default.variables)  # fmt: skip
    if "'?'" not in text and not lacking:
        parse_codebook(yaml.safe_load(text), where="draft", text=text)  # the draft loads
    return text


def _spec_names() -> list[str]:
    """Harmonised names the default codebook defines for the default monitor spec (design
    columns the spec needs, items, breakdown columns), in codebook order."""
    optional = {"resp_id", "psu", "weight", "weight_prop", "half", "weight_half"}
    return [n for n in load_codebook().variables if n not in optional]
