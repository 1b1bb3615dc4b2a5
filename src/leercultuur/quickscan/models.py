"""Database tables of the Quickscan (SQLAlchemy 2 declarative).

Privacy by construction: a response has a random id, its scan and its answers, nothing else (no
time, IP address, user agent, code or account). Codes live in their own table as keyed hashes and
carry no link to the response they were used for.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organisation(Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(Base):
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'hr')", name="role"),
        CheckConstraint("role = 'admin' OR organisation_id IS NOT NULL", name="hr_has_org"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    organisation: Mapped[Organisation | None] = relationship()


class UserSession(Base):
    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    user: Mapped[User] = relationship()


class OneTimeToken(Base):
    """An invitation (creates an HR account) or a password reset; used once, then spent."""

    __tablename__ = "one_time_token"
    __table_args__ = (CheckConstraint("kind IN ('invite', 'reset')", name="kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class BenchmarkEdition(Base):
    """A loaded edition of the monitor's benchmark export (kept; the latest loaded is current)."""

    __tablename__ = "benchmark_edition"
    __table_args__ = (CheckConstraint("data IN ('synthetic', 'real')", name="data"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    data: Mapped[str] = mapped_column(String(10))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(500))
    year: Mapped[int] = mapped_column(Integer)
    years: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[str] = mapped_column(Text)


class Scan(Base):
    __tablename__ = "scan"
    __table_args__ = (
        CheckConstraint("min_group_size >= 5", name="min_group_size"),
        CheckConstraint("headcount >= 1", name="headcount"),
        CheckConstraint("open_count >= 0 AND open_count <= headcount", name="open_count"),
        CheckConstraint("kind IN ('employees', 'employer')", name="kind"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(1))
    size_class: Mapped[str] = mapped_column(String(10))
    headcount: Mapped[int] = mapped_column(Integer)
    languages: Mapped[str] = mapped_column(String(20))
    closes_on: Mapped[date] = mapped_column(Date)
    min_group_size: Mapped[int] = mapped_column(Integer, default=10)
    open_link: Mapped[bool] = mapped_column(Boolean, default=False)
    open_count: Mapped[int] = mapped_column(Integer, default=0)
    # 'employer': the employer self-scan of a firm of 1-9 employees (one person's view)
    kind: Mapped[str] = mapped_column(String(10), default="employees", server_default="employees")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    benchmark_edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("benchmark_edition.id", ondelete="SET NULL")
    )
    teams: Mapped[list[ScanTeam]] = relationship(
        order_by="ScanTeam.position", cascade="all, delete-orphan"
    )

    @property
    def language_list(self) -> list[str]:
        return self.languages.split(",")

    @property
    def team_names(self) -> list[str]:
        return [t.name for t in self.teams]


class ScanTeam(Base):
    __tablename__ = "scan_team"
    __table_args__ = (
        UniqueConstraint("scan_id", "position", name="uq_scan_team_position"),
        UniqueConstraint("scan_id", "name", name="uq_scan_team_name"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))


class AccessCode(Base):
    """A single-use code, stored only as a keyed hash. No link to the response it produced."""

    __tablename__ = "access_code"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    submission_hash: Mapped[str | None] = mapped_column(String(64))


class OpenSubmission(Base):
    """Idempotency keys of submissions through the open link (keyed hashes, no response link)."""

    __tablename__ = "open_submission"
    __table_args__ = (UniqueConstraint("scan_id", "submission_hash", name="uq_open_submission"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id", ondelete="CASCADE"))
    submission_hash: Mapped[str] = mapped_column(String(64))


class Response(Base):
    __tablename__ = "response"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id", ondelete="CASCADE"), index=True)


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (CheckConstraint("value >= 1", name="value"),)
    response_id: Mapped[str] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)


class ThrottleCounter(Base):
    """A fixed-window attempt counter (rate limits, lockouts); the key is a keyed hash."""

    __tablename__ = "throttle"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=False), index=True)
    hits: Mapped[int] = mapped_column(Integer)
