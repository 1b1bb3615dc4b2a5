"""Database engine, short units of work, and migrations (SQLite in WAL mode, or PostgreSQL).

Every web request that touches the database opens one or more *short* units of work inside its
(plain ``def``) endpoint and never keeps a connection beyond them::

    with database.read() as db:      # SELECTs only; SQLite: a deferred BEGIN, never the write lock
        scan = scans.scan_by_public_id(db, public_id)
    clean = validate(...)             # CPU work and password hashing: outside any transaction
    with database.write() as db:     # SQLite: BEGIN IMMEDIATE; commits at the end of the block
        store(db, ...)

A unit of work that cannot start because the database is busy (SQLite's lock wait, the pool
exhausted, a PostgreSQL lock timeout) raises :class:`~leercultuur.quickscan.errors.ServiceBusy`,
which the app answers with 503 and ``Retry-After``: the request is refused, nothing is half
stored, and the client may simply send it again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from leercultuur.quickscan.errors import ServiceBusy

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE_OPTION = "quickscan_write"
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014", "53300"})


def make_engine(url: str, *, pool_size: int = 20, busy_timeout_s: float = 5.0) -> Engine:
    """An engine whose pool holds ``pool_size`` connections (no overflow).

    ``busy_timeout_s`` bounds every wait: for a pool connection, for SQLite's write lock, for a
    PostgreSQL row lock; then the unit of work fails with 503 (see :func:`is_transient`).
    SQLite: WAL (readers never wait for the writer), foreign keys, synchronous=NORMAL; a
    transaction starts with a plain (deferred) BEGIN, and with BEGIN IMMEDIATE only on a
    connection of the write engine (:meth:`Database.write`), so two concurrent writers
    queue for the lock at the start instead of failing halfway through.
    """
    pool: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": 0,
        "pool_timeout": busy_timeout_s,
    }
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        memory = ":memory:" in url or url.rstrip("/") in {"sqlite:", "sqlite://"}
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_s, "check_same_thread": False},
            **({} if memory else pool),
        )
        busy_ms = int(busy_timeout_s * 1000)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={busy_ms}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            if conn.get_execution_options().get(WRITE_OPTION):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    # No pool_pre_ping: it cost a round trip on every checkout. A connection the server has
    # dropped fails its first statement instead; SQLAlchemy then invalidates the pool, and
    # is_transient() turns that failure into a 503 the client may simply retry.
    engine = create_engine(url, pool_pre_ping=False, pool_recycle=1800, **pool)
    if url.startswith("postgresql"):

        @event.listens_for(engine, "connect")
        def _on_pg_connect(dbapi_conn: Any, _record: Any) -> None:
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET lock_timeout = {int(busy_timeout_s * 1000)}")
                cur.execute("SET idle_in_transaction_session_timeout = 60000")
            dbapi_conn.commit()

    return engine


def private_sqlite_file(url: str) -> None:
    """Create the SQLite file readable by its owner only (0600), or tighten an existing one.

    SQLite gives the -wal and -shm files the mode of the database file, so they follow.
    """
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_transient(exc: BaseException) -> bool:
    """A failure that says 'busy, try again' rather than 'wrong': lock waits, pool exhausted."""
    if isinstance(exc, sa_exc.TimeoutError):  # QueuePool limit reached
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True  # the server dropped the connection (restart): the pool starts afresh
    if isinstance(exc, sa_exc.OperationalError | sa_exc.DBAPIError):
        orig = getattr(exc, "orig", None)
        text = str(orig or exc).lower()
        if "database is locked" in text or "database table is locked" in text:
            return True
        if "database is busy" in text or "too many clients" in text:
            return True
        sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        return sqlstate in TRANSIENT_SQLSTATES
    return False


def _refuse_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    if session.info.get("read_only") and (session.new or session.dirty or session.deleted):
        raise RuntimeError("a read unit of work cannot change data; use Database.write()")


class Database:
    """The app's database: short read and write units of work (see the module docstring)."""

    def __init__(
        self, engine: Engine, *, retry_after: int = 2, busy_timeout_s: float = 5.0
    ) -> None:
        self.engine = engine
        self.retry_after = retry_after
        self.busy_timeout_s = busy_timeout_s
        # SQLite has one writer at a time. Writers of this process queue on a lock (woken at
        # once when it is free) rather than on SQLite's busy handler, which polls with sleeps
        # of up to 100 ms and so turns a queue of short writes into seconds of waiting.
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else None
        self._write_engine = engine.execution_options(**{WRITE_OPTION: True})
        self.reads = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        event.listen(self.reads, "before_flush", _refuse_flush)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work; on SQLite it never takes the write lock."""
        session = self.reads(info={"read_only": True})
        try:
            yield session
        except Exception as exc:
            if is_transient(exc):
                raise ServiceBusy(retry_after=self.retry_after) from exc
            raise
        finally:
            session.close()  # ends the transaction; objects stay usable (detached, not expired)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that changes data; commits when the block ends without an exception.

        Keep the block short: no password hashing, no rendering, no waiting on anything else.
        """
        lock = self._write_lock
        if lock is not None and not lock.acquire(timeout=self.busy_timeout_s):
            raise ServiceBusy(retry_after=self.retry_after)
        try:
            session = self.sessions()
            try:
                yield session
                session.commit()
            except Exception as exc:
                session.rollback()
                if is_transient(exc):
                    raise ServiceBusy(retry_after=self.retry_after) from exc
                raise
            finally:
                session.close()
        finally:
            if lock is not None:
                lock.release()

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up (Alembic), on the engine's own connections."""
    cfg = _alembic_config()
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    cfg = _alembic_config()
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
