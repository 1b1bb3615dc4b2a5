"""Edition builders shared by the io tests (imported as io_editions).

Small hand-made raw NEA files (SPSS with value labels and user-missing 8/9) for io tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

NAN = np.nan


def edition_2017() -> pd.DataFrame:
    """Three respondents of the 2017 edition (CURSUS2J; variation 1 nooit .. 4 altijd)."""
    return pd.DataFrame(
        {
            "RESPNR": [1.0, 2.0, 3.0],
            "JAAR": 2017.0,
            "STRATUM": [5.0, 5.0, 7.0],
            "WEGING": [100.5, 200.0, 300.0],
            "WEGING_P": [0.5, 1.0, 1.5],
            "GESLACHT": [1.0, 2.0, 2.0],
            "LEEFTIJD": [15.0, 34.0, 74.0],
            "OPLNIV": [1.0, 4.0, 6.0],
            "BEDRGR": [1.0, 5.0, 6.0],
            "CONTRACT": [1.0, 3.0, 5.0],
            "SBI": ["A", "Q", ""],
            "CURSUS2J": [1.0, 2.0, 8.0],
            "VARIATIE": [1.0, 4.0, 9.0],
            "NIEUWLEREN": [2.0, 3.0, NAN],
            "CREATIEF": [3.0, 3.0, 3.0],
            "AUT_HOE": [1.0, 2.0, 3.0],
            "AUT_VOLGORDE": [3.0, 3.0, 3.0],
            "AUT_TEMPO": [2.0, 2.0, 2.0],
            "AUT_OPLOSS": [1.0, 1.0, 1.0],
            "AUT_VERLOF": [8.0, 1.0, 2.0],
            "LG_STIMULEERT": [1.0, 2.0, 3.0],
        }
    )


def edition_2018() -> pd.DataFrame:
    """Two respondents of 2018: OPLCURS replaces CURSUS2J, variation codes reversed."""
    return pd.DataFrame(
        {
            "RESPNR": [1.0, 12.0],
            "JAAR": 2018.0,
            "STRATUM": [5.0, 40.0],
            "WEGING": [150.0, 250.0],
            "WEGING_P": [0.75, 1.25],
            "GESLACHT": [2.0, 1.0],
            "LEEFTIJD": [25.0, 64.0],
            "OPLNIV": [2.0, 5.0],
            "BEDRGR": [3.0, 4.0],
            "CONTRACT": [2.0, 4.0],
            "SBI": ["C", "S"],
            "OPLCURS": [2.0, 1.0],
            "VARIATIE": [1.0, 4.0],
            "NIEUWLEREN": [2.0, 3.0],
            "CREATIEF": [9.0, 1.0],
            "AUT_HOE": [3.0, 1.0],
            "AUT_VOLGORDE": [1.0, 2.0],
            "AUT_TEMPO": [1.0, 3.0],
            "AUT_OPLOSS": [2.0, 2.0],
            "AUT_VERLOF": [3.0, 3.0],
            "LG_STIMULEERT": [3.0, 8.0],
        }
    )


def edition_2022() -> pd.DataFrame:
    """Four respondents of the split design: LG_STIMULEERT half 2, informal learning half 1."""
    return pd.DataFrame(
        {
            "RESPNR": [7.0, 8.0, 9.0, 10.0],
            "JAAR": 2022.0,
            "STRATUM": [1.0, 1.0, 2.0, 2.0],
            "WEGING": [100.0, 100.0, 100.0, 100.0],
            "WEGING_P": [1.0, 1.0, 1.0, 1.0],
            "HELFT": [1.0, 2.0, 1.0, 2.0],
            "WEGING_H": [210.0, 190.0, 210.0, 190.0],
            "GESLACHT": [1.0, 1.0, 2.0, 2.0],
            "LEEFTIJD": [45.0, 54.0, 55.0, 65.0],
            "OPLNIV": [3.0, 3.0, 2.0, 6.0],
            "BEDRGR": [2.0, 2.0, 1.0, 6.0],
            "CONTRACT": [1.0, 1.0, 1.0, 5.0],
            "SBI": ["P", "P", "Q", "K"],
            "OPLCURS": [1.0, 1.0, 2.0, 2.0],
            "VARIATIE": [2.0, 2.0, 2.0, 2.0],
            "NIEUWLEREN": [3.0, 3.0, 3.0, 3.0],
            "CREATIEF": [4.0, 4.0, 4.0, 4.0],
            "AUT_HOE": [1.0, 1.0, 1.0, 1.0],
            "AUT_VOLGORDE": [1.0, 1.0, 1.0, 1.0],
            "AUT_TEMPO": [1.0, 1.0, 1.0, 1.0],
            "AUT_OPLOSS": [1.0, 1.0, 1.0, 1.0],
            "AUT_VERLOF": [1.0, 1.0, 1.0, 1.0],
            "LG_STIMULEERT": [NAN, 3.0, NAN, 2.0],
            "LEERT_TAKEN": [1.0, NAN, 3.0, NAN],
            "LEERT_MENSEN": [2.0, NAN, 9.0, NAN],
        }
    )


EDITIONS = {2017: edition_2017, 2018: edition_2018, 2022: edition_2022}
