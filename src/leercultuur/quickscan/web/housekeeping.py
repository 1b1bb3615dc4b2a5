"""Automatic deletion of expired scans while the app runs (retention, docs/quickscan.md).

Every ``QUICKSCAN_PURGE_INTERVAL_HOURS`` (default 24; 0 switches it off, e.g. when cron runs
``leercultuur quickscan purge`` instead) the app deletes the closed scans whose retention period
(``QUICKSCAN_RETENTION_DAYS``) has passed, with all their responses and codes. The deletion runs
in a worker thread in one short write unit of work, never on the event loop. With several
worker processes each runs it; a second run finds nothing left to delete.
"""

from __future__ import annotations

import asyncio
import functools
import logging

from anyio import to_thread

from leercultuur.quickscan.db import Database
from leercultuur.quickscan.retention import purge_expired

log = logging.getLogger("leercultuur.quickscan.housekeeping")


def purge_once(database: Database, *, retention_days: int) -> list[int]:
    """Delete the expired scans now; returns their ids."""
    with database.write() as db:
        return purge_expired(db, retention_days=retention_days)


async def purge_periodically(database: Database, *, retention_days: int, interval_s: float) -> None:
    """Run :func:`purge_once` at start and then every ``interval_s`` seconds, until cancelled."""
    run = functools.partial(purge_once, database, retention_days=retention_days)
    while True:
        try:
            deleted = await to_thread.run_sync(run)
            if deleted:
                log.info("deleted %d scan(s) past their retention period", len(deleted))
        except Exception:  # a busy or unreachable database must not stop the app: try next time
            log.exception("deleting expired scans failed; it is tried again at the next interval")
        await asyncio.sleep(interval_s)
