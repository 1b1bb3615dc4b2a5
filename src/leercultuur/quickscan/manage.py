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
