# TEMPORARY STAND-IN (not committed): qs-results provides the real module.
from __future__ import annotations

from datetime import date, timedelta


def delete_scan(db, scan):
    db.delete(scan)
    db.commit()


def expires_on(scan, *, retention_days: int) -> date:
    return scan.closes_on + timedelta(days=retention_days)
