"""A fast path for the data of SPSS ``.sav`` files: numpy instead of a Python object per value.

pyreadstat turns every cell into a Python object before it lands in a numpy array (about
0.25 microseconds a cell: 3 s of CPU for the 12.8 million cells of the synthetic NEA). A system
file stores its cases as 8-byte slots: uncompressed, the data is one ``np.frombuffer`` and a
column is a strided copy. Byte-compressed files (SPSS's default "compressed" save, and R
haven's ``write_sav`` default) store the slots behind 8-byte command blocks (one code per slot:
1-251 a small integer ``code - bias``, 253 "the next raw 8 bytes", 254 eight spaces, 255
system-missing, 0 padding, 252 end of data); :func:`_decompress` expands them with vectorised
numpy and one short Python walk over the command blocks that are followed by raw data. The
dictionary (variable records) is parsed here only to find each variable's slot; names, labels
and missing ranges still come from pyreadstat's metadata, and the layout must agree with it.
No library reads these files without the per-cell objects (pyreadstat, pandas.read_spss and
savReaderWriter all go through them), hence this module.

:func:`read_sav_data` returns ``None`` whenever the file is anything else (zlib ``.zsav``,
very long strings, date or time formats, a layout that does not match pyreadstat's metadata, a
short or damaged data section); the caller then reads the file with pyreadstat as before. The
result equals pyreadstat's ``read_sav(path, usecols=..., user_missing=True)``: numeric columns
as float64 with the system-missing value as NaN and the user-missing codes kept, string columns
decoded and right-trimmed (tests/io compare the two, for both storage forms).
"""

from __future__ import annotations

import codecs
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_HEADER = 176
# SPSS formats that pyreadstat turns into dates, datetimes or times (left to pyreadstat)
_DATE_FORMATS = {"DATE", "ADATE", "EDATE", "JDATE", "SDATE", "DATETIME", "YMDHMS", "TIME", "DTIME"}
_FORMAT_BASE = re.compile(r"^([A-Z]+)")
# SPSS character codes (integer info record) that Python knows under another name
_CODEPAGES = {2: "ascii", 3: "cp1252", 65001: "utf-8", 20127: "ascii", 28591: "latin-1"}


class _Layout:
    """Where each variable lives in a case: one entry per variable (continuations skipped)."""

    def __init__(self) -> None:
        self.slots: list[int] = []  # first 8-byte slot of the variable
        self.widths: list[int] = []  # 0 numeric, else string width in bytes
        self.case_slots = 0
        self.sysmis = -np.finfo(np.float64).max
        # HIGHEST and LOWEST (record 7, subtype 4): ReadStat reads both as system-missing too
        self.highest = np.finfo(np.float64).max
        self.lowest = float(np.nextafter(-np.finfo(np.float64).max, 0))
        self.encoding: str | None = None
        self.codepage: int | None = None
        self.very_long = False
        self.data_offset = 0


def _parse_dictionary(buf: memoryview, endian: str) -> _Layout | None:
    i32 = struct.Struct(endian + "i")
    lay = _Layout()
    pos = _HEADER
    slot = 0
    n = len(buf)

    def int_at(p: int) -> int:
        return int(i32.unpack_from(buf, p)[0])

    while pos + 4 <= n:
        rec = int_at(pos)
        if rec == 2:  # variable record
            vtype, has_label, n_missing = (int_at(pos + 4 * k) for k in (1, 2, 3))
            pos += 32
            if has_label:
                length = int_at(pos)
                pos += 4 + (length + 3) // 4 * 4
            pos += 8 * abs(n_missing)
            if vtype >= 0:
                lay.slots.append(slot)
                lay.widths.append(vtype)
            slot += 1
        elif rec == 3:  # value labels
            count = int_at(pos + 4)
            pos += 8
            for _ in range(count):
                length = buf[pos + 8]
                pos += 8 + (length + 1 + 7) // 8 * 8
        elif rec == 4:  # the variables of the value labels before
            pos += 8 + 4 * int_at(pos + 4)
        elif rec == 6:  # documents
            pos += 8 + 80 * int_at(pos + 4)
        elif rec == 7:  # extension record
            subtype, size, count = int_at(pos + 4), int_at(pos + 8), int_at(pos + 12)
            body = pos + 16
            if subtype == 3 and size == 4 and count >= 8:
                lay.codepage = int_at(body + 28)
            elif subtype == 4 and size == 8 and count >= 1:
                lay.sysmis = struct.unpack_from(endian + "d", buf, body)[0]
                if count >= 3:
                    lay.highest, lay.lowest = struct.unpack_from(endian + "2d", buf, body + 8)
            elif subtype == 14:
                lay.very_long = True
            elif subtype == 20:
                lay.encoding = bytes(buf[body : body + size * count]).decode("ascii", "replace")
            pos = body + size * count
        elif rec == 999:
            lay.case_slots = slot
            lay.data_offset = pos + 8
            return lay
        else:
            return None
    return None


def _codec(lay: _Layout) -> str | None:
    name = (
        lay.encoding
        or _CODEPAGES.get(lay.codepage or 0)
        or (f"cp{lay.codepage}" if lay.codepage else None)
    )
    if name is None:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _strings(raw: np.ndarray, first: int, width: int, codec: str) -> pd.Series:
    """One string column: its bytes per case, right-trimmed of spaces, decoded."""
    nslots = (width + 7) // 8
    cells = np.ascontiguousarray(raw[:, first : first + nslots]).view(f"S{nslots * 8}")[:, 0]
    cells = cells.astype(f"S{width}")  # the padding after the declared width is not data
    trimmed = np.char.rstrip(cells, b" ")
    uniq, inverse = np.unique(trimmed, return_inverse=True)
    decoded = np.array([u.decode(codec) for u in uniq.tolist()], dtype=object)
    return pd.Series(decoded[inverse.ravel()])


def _decompress(
    whole: bytes, offset: int, bias: float, endian: str, sysmis: float
) -> np.ndarray | None:
    """The 8-byte slots of a byte-compressed data section, in file byte order (None if damaged).

    A command block is followed by one raw unit per code 253 in it, then the next command
    block, so which units are command blocks is a chain: ``next(u) = u + 1 + (253s in u)``.
    The chain from unit 0 is found by pointer doubling (``log2`` rounds of array gathers, not
    a Python step per block); everything else is array arithmetic.
    """
    units = np.frombuffer(
        whole, dtype=np.uint8, offset=offset, count=(len(whole) - offset) // 8 * 8
    )
    units = units.reshape(-1, 8)
    n = len(units)
    if n == 0:
        return None
    n253 = (units == 253).sum(axis=1)
    after = np.arange(1, n + 1, dtype=np.int64) + n253  # the unit after u's raw units
    jump = np.append(np.minimum(after, n), n)  # n: past the end, and stays there
    chain = np.zeros(1, dtype=np.int64)  # the chain's units at steps 0 .. 2**k - 1
    while chain[-1] < n:
        chain = np.concatenate([chain, jump[chain]])  # steps 2**k .. 2**(k+1) - 1
        jump = jump[jump]  # 2**(k+1) steps at once
    cmd = chain[chain < n]
    if after[cmd[-1]] > n:  # the last block promises raw units the file does not have
        return None
    codes = units[cmd].ravel()
    # every code's 8 bytes from a table (1-251: code - bias; 254: spaces; 255: system-missing),
    # then the raw units of the 253 codes: the k-th 253 of a block takes the k-th unit after it
    f8 = np.dtype(endian + "f8")
    table = np.zeros(256, dtype=np.uint64)
    table[1:252] = (np.arange(1, 252, dtype=np.float64) - bias).astype(f8).view(np.uint64)
    table[254] = np.frombuffer(b"        ", dtype=np.uint64)[0]
    table[255] = np.array([sysmis], dtype=f8).view(np.uint64)[0]
    out = table[codes]
    at = np.flatnonzero(codes == 253)
    before = np.cumsum(n253[cmd]) - n253[cmd]  # 253 codes in the blocks before each block
    block = at // 8
    raw_at = cmd[block] + 1 + (np.arange(len(at)) - before[block])
    out[at] = np.frombuffer(whole, dtype=np.uint64, offset=offset, count=n)[raw_at]
    end = np.flatnonzero(codes == 252)
    stop = int(end[0]) if len(end) else len(codes)
    keep = codes[:stop] != 0  # 0 is padding
    return out[:stop][keep]


def read_sav_data(
    path: Path, columns: list[str], meta_columns: tuple[str, ...], formats: dict[str, str]
) -> pd.DataFrame | None:
    """The ``columns`` of a plain or byte-compressed .sav as pyreadstat gives them, or None
    (not this case).

    ``meta_columns`` are the file's variable names in order and ``formats`` their SPSS formats,
    both from pyreadstat's metadata.
    """
    whole = path.read_bytes()
    if len(whole) < _HEADER or whole[:4] != b"$FL2":
        return None
    endian = "<" if struct.unpack_from("<i", whole, 64)[0] in (2, 3) else ">"
    compression, _, ncases = struct.unpack_from(endian + "iii", whole, 72)
    (bias,) = struct.unpack_from(endian + "d", whole, 84)
    if compression not in (0, 1):  # 2 is zlib (.zsav)
        return None
    try:
        lay = _parse_dictionary(memoryview(whole), endian)
    except (struct.error, IndexError, ValueError):
        lay = None
    if lay is None or lay.very_long or len(lay.slots) != len(meta_columns):
        return None
    for c in columns:
        m = _FORMAT_BASE.match(formats.get(c, "") or "")
        if m and m.group(1) in _DATE_FORMATS:
            return None
    if lay.case_slots == 0:
        return None
    if compression == 1:
        try:
            slots = _decompress(whole, lay.data_offset, bias, endian, lay.sysmis)
        except (IndexError, ValueError):  # damaged data: pyreadstat gives the error
            slots = None
        if slots is None:
            return None
    else:
        whole_units = (len(whole) - lay.data_offset) // 8
        slots = np.frombuffer(whole, dtype=np.uint64, offset=lay.data_offset, count=whole_units)
    avail = len(slots) // lay.case_slots
    if ncases < 0:
        ncases = avail
    if avail < ncases:
        return None
    raw = slots[: ncases * lay.case_slots].reshape(ncases, lay.case_slots)
    index = {name: k for k, name in enumerate(meta_columns)}
    codec: str | None = None
    out: dict[str, Any] = {}
    for c in [c for c in meta_columns if c in set(columns)]:
        k = index[c]
        first, width = lay.slots[k], lay.widths[k]
        if width == 0:
            col = raw[:, first].view(endian + "f8").astype(np.float64)
            col[(col == lay.sysmis) | (col == lay.highest) | (col == lay.lowest)] = np.nan
            out[c] = col
        else:
            codec = codec or _codec(lay)
            if codec is None:
                return None
            try:
                out[c] = _strings(raw, first, width, codec)
            except UnicodeDecodeError:
                return None
    return pd.DataFrame(out)
