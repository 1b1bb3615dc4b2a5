"""Vectorised recoding of one raw column (one year's rows) to its harmonised values.

No per-row Python: raw codes are looked up with one hash pass (``Index.get_indexer``), user-missing
codes are counted with ``np.bincount``, ranges are numpy comparisons. Every value that becomes
missing is counted under its kind; the offending values themselves come back (as masks) so the
caller can report them with example rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

SYSTEM_MISSING = "system_missing"


@dataclass
class Recoded:
    """Result of one column: values (float) or category indexes (int, -1 = missing)."""

    values: np.ndarray
    counts: dict[str, int] = field(default_factory=dict)
    problems: dict[str, np.ndarray] = field(default_factory=dict)  # check -> bad-row mask

    def add(self, kind: str, n: int) -> None:
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + int(n)


def is_blank(x: pd.Series) -> np.ndarray:
    """System-missing: NaN/None, or an empty string in a text column."""
    na = x.isna().to_numpy()
    if x.dtype.kind in "fiub":
        return na
    text = x.astype("string").str.strip()
    return na | (text == "").fillna(True).to_numpy(dtype=bool)


def text_array(x: pd.Series) -> np.ndarray:
    """Stripped strings as an object array, None where missing (whole numbers without '.0',
    so that numeric raw codes match category names such as '1')."""
    if x.dtype.kind in "fiub":
        vals = x.to_numpy(dtype=np.float64, na_value=np.nan)
        whole = ~np.isnan(vals) & (vals == np.round(vals))
        text = pd.Series(vals).astype(str).to_numpy(dtype=object)
        text[whole] = pd.Series(vals[whole].astype(np.int64)).astype(str).to_numpy(dtype=object)
        text[np.isnan(vals)] = None
        return text
    arr = np.array(x.astype("string").str.strip().astype(object), dtype=object)
    arr[pd.isna(arr)] = None
    return arr


def as_float(x: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Float values of a numeric column; text that is not a number -> NaN and a bad-row mask."""
    if x.dtype.kind in "fiub":
        return x.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(x), bool)
    num = pd.to_numeric(x.astype("string").str.strip().str.replace(",", "."), errors="coerce")
    out = num.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isnan(out) & ~is_blank(x)
    return out, bad


def declared_mask(values: np.ndarray, ranges: list[tuple[Any, Any]]) -> np.ndarray:
    """Rows whose value lies in one of the file's declared user-missing ranges."""
    out = np.zeros(len(values), bool)
    for lo, hi in ranges:
        try:
            out |= (values >= float(lo)) & (values <= float(hi))
        except (TypeError, ValueError):
            out |= values.astype(str) == str(lo)
    return out


def _hash_index(keys: list[Any], vals: np.ndarray) -> np.ndarray:
    return pd.Index(keys).get_indexer(vals).astype(np.int64)


def index_of(keys: list[Any], vals: np.ndarray) -> np.ndarray:
    """Position of each value in ``keys`` (-1: not there), as ``Index.get_indexer``. Whole-number
    codes in a small span (answer codes) use a lookup table instead of a hash: about 5x faster."""
    if vals.dtype.kind != "f" or not all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in keys
    ):
        return _hash_index(keys, vals)
    k = np.asarray(keys, dtype=np.float64)
    if len(k) == 0 or not np.all(k == np.round(k)):
        return _hash_index(keys, vals)
    lo, span = k.min(), k.max() - k.min()
    if span > 4096:
        return _hash_index(keys, vals)
    lut = np.full(int(span) + 2, -1, np.int64)  # the last entry: not a key
    lut[(k - lo).astype(np.int64)] = np.arange(len(k))
    pos = vals - lo
    ok = (pos >= 0) & (pos <= span) & (pos == np.floor(pos))  # NaN: False
    return lut[np.where(ok, pos, span + 1).astype(np.int64)]


def recode_coded(
    x: pd.Series,
    *,
    keys: list[Any],
    targets: np.ndarray,
    missing: dict[Any, str],
    declared: list[tuple[Any, Any]],
    other_half: np.ndarray | None,
    numeric: bool,
) -> Recoded:
    """Map raw answer codes ``keys[i] -> targets[i]`` (a category index); others -> -1.

    ``missing`` maps raw codes to a kind of missing. ``other_half`` marks the rows of the split
    half that was not asked the item: their blanks count as ``other_half`` and their answers are
    set missing as ``wrong_half`` before anything else is counted.
    """
    blank = is_blank(x)
    if numeric:
        vals, bad_text = as_float(x)
    else:
        vals = text_array(x)
        bad_text = np.zeros(len(x), bool)
    extra = [k for k in missing if k not in set(keys)]
    every = list(keys) + extra
    lookup = index_of(every, vals) if numeric else _hash_index(every, vals)
    lut = np.concatenate([targets.astype(np.int64), np.full(len(extra) + 1, -1, np.int64)])
    out = lut[lookup]  # lookup == -1 picks the last entry, -1
    res = Recoded(out)
    skip = blank | bad_text
    if other_half is not None:
        wrong = other_half & ~blank
        res.add("other_half", int((other_half & blank).sum()))
        res.add(SYSTEM_MISSING, int((blank & ~other_half).sum()))
        if wrong.any():
            res.problems["wrong_half"] = wrong
            res.add("wrong_half", int(wrong.sum()))
            skip = skip | wrong
            out[wrong] = -1
    else:
        res.add(SYSTEM_MISSING, int(blank.sum()))
    if bad_text.any():
        res.problems["text_in_numeric"] = bad_text
        res.add("invalid_text", int(bad_text.sum()))
    live = ~skip
    if extra:
        pos = lookup[live]
        counts = np.bincount(pos[pos >= len(keys)] - len(keys), minlength=len(extra))
        for code, n in zip(extra, counts, strict=True):
            res.add(missing[code], int(n))
    unknown = live & (lookup == -1)
    if declared and numeric and unknown.any():
        dec = unknown & declared_mask(vals, declared)
        res.add("declared_missing", int(dec.sum()))
        unknown &= ~dec
    if unknown.any():
        res.problems["unknown_code"] = unknown
        res.add("unknown_code", int(unknown.sum()))
    return res


def recode_numeric(
    x: pd.Series,
    *,
    integer: bool,
    value_range: tuple[float, float] | None,
    missing: dict[Any, str],
    declared: list[tuple[Any, Any]],
) -> Recoded:
    """Numbers: missing codes, declared user-missing, range and integrality checks."""
    vals, bad_text = as_float(x)
    vals = vals.copy()
    res = Recoded(vals)
    res.add(SYSTEM_MISSING, int((np.isnan(vals) & ~bad_text).sum()))
    if bad_text.any():
        res.problems["text_in_numeric"] = bad_text
        res.add("invalid_text", int(bad_text.sum()))
    for code, kind in missing.items():
        hit = vals == float(code)
        res.add(kind, int(hit.sum()))
        vals[hit] = np.nan
    if declared:
        dec = declared_mask(vals, declared)
        res.add("declared_missing", int(dec.sum()))
        vals[dec] = np.nan
    if integer:
        frac = ~np.isnan(vals) & (vals != np.round(vals))
        if frac.any():
            res.problems["not_integer"] = frac
            res.add("not_integer", int(frac.sum()))
            vals[frac] = np.nan
    if value_range is not None:
        lo, hi = value_range
        out = ~np.isnan(vals) & ((vals < lo) | (vals > hi))
        if out.any():
            res.problems["out_of_range"] = out
            res.add("out_of_range", int(out.sum()))
            vals[out] = np.nan
    return res


def id_strings(x: pd.Series, year: int) -> tuple[np.ndarray, np.ndarray]:
    """``"<year>-<raw>"`` ids (integral numbers without '.0'); and the blank-row mask."""
    blank = is_blank(x)
    if x.dtype.kind in "fiub":
        vals = x.to_numpy(dtype=np.float64, na_value=np.nan)
        whole = np.isnan(vals) | (vals == np.round(vals))
        if whole.all():
            text = pd.Series(np.where(blank, 0, vals).astype(np.int64)).astype(str)
        else:
            text = pd.Series(vals).astype(str)
    else:
        text = x.astype("string").str.strip().astype(object)
    out = (f"{year}-" + text.astype(str)).to_numpy(dtype=object)
    out[blank] = None
    return out, blank


def bin_codes(values: np.ndarray, breaks: list[float]) -> np.ndarray:
    """Class index of each value for classes [b_i, b_i+1); -1 outside or missing."""
    idx = np.searchsorted(np.asarray(breaks, float), values, side="right") - 1
    bad = np.isnan(values) | (idx < 0) | (idx >= len(breaks) - 1)
    return np.where(bad, -1, idx).astype(np.int64)


def norm_label(text: Any) -> str:
    """Labels compare case- and punctuation-insensitively: 'Ja, soms' == 'ja soms'."""
    return re.sub(r"[\W_]+", " ", str(text).lower()).strip()
