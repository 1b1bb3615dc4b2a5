"""Management operations behind ``leercultuur quickscan migrate|create-admin``."""

from __future__ import annotations

from leercultuur.quickscan import db as dbmod
from leercultuur.quickscan.accounts import Accounts
from leercultuur.quickscan.settings import Settings


def migrate(settings: Settings, *, revision: str = "head", down: bool = False) -> str | None:
    """Upgrade (or downgrade) the database; returns the revision it is at afterwards."""
    engine = dbmod.make_engine(settings.resolved_database_url())
    try:
        if down:
            dbmod.downgrade(engine, revision)
        else:
            dbmod.upgrade(engine, revision)
        return dbmod.current_revision(engine)
    finally:
        engine.dispose()


def create_admin(settings: Settings, *, username: str, password: str) -> int:
    """Create a platform admin (migrating first); returns the new user's id."""
    engine = dbmod.make_engine(settings.resolved_database_url())
    try:
        dbmod.upgrade(engine)
        with dbmod.session_factory(engine)() as db:
            user = Accounts.from_settings(settings).create_user(
                db, username=username, password=password, role="admin", organisation_id=None
            )
            db.commit()
            return user.id
    finally:
        engine.dispose()


def load_benchmark(settings: Settings, path: str) -> tuple[int, str, int, bool]:
    """Validate and store a benchmark file (migrating first); returns (edition id, data kind,
    latest year, whether it is synthetic). An invalid file raises and stores nothing."""
    from leercultuur.quickscan.benchmark import load_benchmark as _load

    engine = dbmod.make_engine(settings.resolved_database_url())
    try:
        dbmod.upgrade(engine)
        with dbmod.session_factory(engine)() as db:
            edition = _load(db, path)
            db.commit()
            return edition.id, edition.source, edition.year, edition.data == "synthetic"
    finally:
        engine.dispose()


def purge(settings: Settings, *, retention_days: int | None = None) -> list[int]:
    """Delete the scans whose retention period has passed; returns their ids."""
    from leercultuur.quickscan.retention import purge_expired

    engine = dbmod.make_engine(settings.resolved_database_url())
    try:
        dbmod.upgrade(engine)
        with dbmod.session_factory(engine)() as db:
            deleted = purge_expired(db, retention_days=retention_days or settings.retention_days)
            db.commit()
            return deleted
    finally:
        engine.dispose()
