"""Alembic environment of the Quickscan; run through leercultuur.quickscan.db.upgrade()."""

from __future__ import annotations

from alembic import context

from leercultuur.quickscan.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the app always passes its own connection
    raise RuntimeError("run migrations with `leercultuur quickscan migrate`")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
