"""Settings of the Quickscan app, read from the environment (pydantic-settings).

Zero configuration works in development: a SQLite file in the data directory and a fixed,
publicly known development secret. Any other environment refuses to start with that secret.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from leercultuur.errors import LeercultuurError

DEV_SECRET = "insecure-development-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32


class SettingsError(LeercultuurError, ValueError):
    """Settings that would make the app insecure or cannot work."""


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "leercultuur" / "quickscan"


class Settings(BaseSettings):
    """Environment variables start with ``QUICKSCAN_``; the database URL is ``DATABASE_URL``."""

    model_config = SettingsConfigDict(env_prefix="QUICKSCAN_", extra="forbid", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "database_url")
    )
    data_dir: Path = Field(default_factory=_default_data_dir)
    base_url: str | None = None
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    session_hours: int = Field(default=8, ge=1, le=24 * 14)
    token_days: int = Field(default=7, ge=1, le=60)
    # Rate limits and lockouts (docs/operations.md). Windows are login_lock_minutes long.
    login_max_failures: int = Field(default=5, ge=1)  # per (account, client address)
    login_lock_minutes: int = Field(default=15, ge=1)
    login_address_max: int = Field(default=30, ge=1)  # per client address, all accounts
    login_account_max: int = Field(default=20, ge=1)  # per account, then the slow-down
    login_slowdown_seconds: int = Field(default=10, ge=1)  # one attempt per this, per account
    token_address_max: int = Field(default=20, ge=1)  # bad invitation/reset links per address
    code_address_max: int = Field(default=30, ge=1)  # wrong codes per address
    open_link_address_max: int = Field(default=50, ge=1)  # open-link answers per address+scan
    trusted_proxies: str = "127.0.0.1"  # whose X-Forwarded-For/-Proto is believed
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)  # request line + headers: else 431
    max_codes_per_batch: int = Field(default=5000, ge=1)
    max_letters_per_page: int = Field(default=50, ge=1)  # larger batches: a CSV download
    # argon2id at the OWASP Password Storage Cheat Sheet's minimum (19 MiB, 2 iterations, 1
    # lane; docs/operations.md). Hashes made with other parameters still verify and are
    # replaced at the next successful login.
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_kib: int = Field(default=19 * 1024, ge=8)
    argon2_parallelism: int = Field(default=1, ge=1, le=16)
    # At most this share of one core per process goes to password hashing (a CPU budget,
    # refilled continuously, with one second of burst); past it logins get 429 + Retry-After.
    argon2_cpu_share: float = Field(default=0.25, gt=0, le=4)
    run_migrations: bool = True
    access_log: bool = False  # JSON lines on standard error (serve turns it on)
    # Idle keep-alive connections stay open this long; longer than a proxy's upstream keep-alive
    # (nginx: 60 s), so the proxy never sends a request on a connection the app just closed.
    keep_alive_s: int = Field(default=75, ge=1, le=3600)
    shutdown_timeout_s: int = Field(default=10, ge=1, le=600)  # then open connections are cut
    # Concurrency (docs/quickscan.md, "Concurrency"): requests admitted at once per lane; the
    # rest wait, unless the queue in front of them would take more than queue_max_wait_s to
    # serve (then 503 + Retry-After at once, the hash lane 429); queue_timeout_s is the
    # backstop for a request that waits longer after all.
    # Thread pool and connection pool are sized from these (db + hash + 4 each).
    db_concurrency: int = Field(default=16, ge=1, le=200)
    hash_concurrency: int = Field(default=1, ge=1, le=32)  # argon2 at once: leave CPU free
    hash_queue: int = Field(default=2, ge=0)  # logins waiting beyond this: 429 + Retry-After
    queue_max_wait_s: float = Field(default=1.0, gt=0, le=60)
    queue_timeout_s: float = Field(default=3.0, gt=0, le=120)
    max_queue: int = Field(default=1000, ge=0)
    retry_after_s: int = Field(default=2, ge=1, le=600)
    # SQLite lock wait and PostgreSQL lock/pool wait before a unit of work gives up (then 503).
    db_busy_timeout_s: float = Field(default=5.0, gt=0, le=60)
    # days a closed scan (with all its responses and codes) is kept before it is deleted
    retention_days: int = Field(default=365, ge=1, le=3650)
    # hours between automatic deletions of expired scans while the app runs (0: off, use cron)
    purge_interval_hours: float = Field(default=24.0, ge=0, le=24 * 31)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.environment != "development":
            if secret == DEV_SECRET:
                raise SettingsError(
                    f"QUICKSCAN_SECRET_KEY is the public development default, which is refused in "
                    f"environment {self.environment!r}; set a random secret of at least "
                    f"{MIN_SECRET_LENGTH} characters"
                )
            if len(secret) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    f"QUICKSCAN_SECRET_KEY has {len(secret)} characters; at least "
                    f"{MIN_SECRET_LENGTH} are needed in environment {self.environment!r}"
                )
        if self.environment == "production" and not self.base_url:
            raise SettingsError(
                "QUICKSCAN_BASE_URL is needed in production (for example "
                "https://quickscan.example.nl): links in invitations and code letters are built "
                "from it, never from the Host header a client sends"
            )
        if self.base_url and not self.base_url.startswith(("https://", "http://")):
            raise SettingsError(
                f"QUICKSCAN_BASE_URL must start with https:// (or http://); got {self.base_url!r}"
            )
        return self

    @property
    def secret(self) -> bytes:
        return self.secret_key.get_secret_value().encode()

    @property
    def worker_threads(self) -> int:
        """Threads for plain-``def`` routes; also the size of the connection pool."""
        return self.db_concurrency + self.hash_concurrency + 4

    @property
    def uses_dev_secret(self) -> bool:
        return self.secret_key.get_secret_value() == DEV_SECRET

    def resolved_database_url(self) -> str:
        """DATABASE_URL if set, else a SQLite file in the data directory (created if needed)."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'quickscan.sqlite3'}"
