"""Bring a database to the newest schema with the migrations shipped in this package."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("exportdesk.review") / "migrations"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# Key of the PostgreSQL advisory lock that serialises schema upgrades (any fixed number;
# this one spells "exportdk" in ASCII).
MIGRATION_LOCK = 0x6578706F7274646B


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision``; a database already there is left alone.

    On PostgreSQL, workers and app instances that start together take turns: a
    transaction-scoped advisory lock is held for the whole upgrade, so the second one
    finds the schema at head instead of creating it a second time (which failed with a
    UniqueViolation on alembic_version).
    """
    config = _config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to ``revision`` ("base" empties the schema); for rollbacks and tests."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
