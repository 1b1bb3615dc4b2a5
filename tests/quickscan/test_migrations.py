"""Alembic: from an empty database to head and back down, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from leercultuur.quickscan import db as dbmod
from leercultuur.quickscan.models import Base

TABLES = {
    "access_code",
    "answer",
    "app_user",
    "benchmark_edition",
    "one_time_token",
    "open_submission",
    "organisation",
    "response",
    "scan",
    "scan_team",
    "throttle",
    "user_session",
}


def test_upgrade_from_empty_to_head_and_back_down(db_url: str) -> None:
    engine = dbmod.make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) == set()
        assert dbmod.current_revision(engine) is None
        dbmod.upgrade(engine)
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
        assert dbmod.current_revision(engine) == "0005"
        with engine.connect() as conn:  # the migration creates exactly what the models declare
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        dbmod.upgrade(engine)  # idempotent: the app migrates on every start
        dbmod.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        assert dbmod.current_revision(engine) is None
        dbmod.upgrade(engine, "0001")  # step by step: 0001, then 0002 on an existing table
        assert dbmod.current_revision(engine) == "0001"
        dbmod.upgrade(engine, "0002")
        assert dbmod.current_revision(engine) == "0002"
        cols = {c["name"] for c in inspect(engine).get_columns("app_user")}
        assert {"failed_logins", "locked_until"} <= cols
        dbmod.upgrade(engine, "0003")  # 0003 on an existing scan table
        assert dbmod.current_revision(engine) == "0003"
        dbmod.upgrade(engine)  # 0005: the throttle counters
        assert "throttle" in inspect(engine).get_table_names()
        dbmod.downgrade(engine, "0003")
        assert "throttle" not in inspect(engine).get_table_names()
        cols = {c["name"] for c in inspect(engine).get_columns("scan")}
        assert {"kind", "closed_at", "benchmark_edition_id"} <= cols
        assert "benchmark_edition" in inspect(engine).get_table_names()
        dbmod.downgrade(engine, "0002")
        cols = {c["name"] for c in inspect(engine).get_columns("scan")}
        assert "kind" not in cols and "closed_at" not in cols
        dbmod.downgrade(engine, "0001")
        cols = {c["name"] for c in inspect(engine).get_columns("app_user")}
        assert "failed_logins" not in cols
    finally:
        engine.dispose()
