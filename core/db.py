"""The database: engine from a URL, migrations at start-up, sessions for listeners and ticks."""

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 5
# Postgres: a statement waits at most this long for a lock, and runs at most this long, so a
# table held by someone else fails a request's work in seconds (the person is told nothing was
# saved, in place) instead of holding a worker for as long as the lock lasts.
LOCK_TIMEOUT_MS = 5_000
STATEMENT_TIMEOUT_MS = 15_000
# SQLite: how long a writer waits for another's lock before "database is locked".
BUSY_TIMEOUT_SECONDS = 30
# Any stable number: the advisory lock that lets only one process migrate Postgres at a time.
_MIGRATION_LOCK = 4_174_312


MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns (Postgres: 32 bits)


def row_id(value: object) -> int:
    """An id that came from outside (a button's value, a view's metadata) as an int the
    database can hold; 0, which matches no row, for anything else ('²', '-1', 10**30, 'x')."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdecimal()) or len(text) > 10:
        return 0
    number = int(text)
    return number if number <= MAX_ROW_ID else 0


def one_line(error: BaseException) -> str:
    """An error as one line an operator can act on: the driver's own message when there is one
    (SQLAlchemy's wrapper adds its SQL and a link), else the first non-empty message along its
    causes (a pool error can be empty: `InvalidatePoolError: ()`)."""
    seen: BaseException | None = error
    while seen is not None:
        inner = getattr(seen, "orig", None) or seen
        said = str(inner).strip().splitlines()
        if said and said[0] not in ("()", "None"):
            return f"{type(inner).__name__}: {said[0]}"
        seen = seen.__cause__ or seen.__context__
    return type(error).__name__


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # An in-memory database lives in one connection: share it (tests use this).
        in_memory = parsed.database in (None, "", ":memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
            poolclass=StaticPool if in_memory else None,
        )
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    # A host that drops packets must fail in seconds, not hang start-up or /healthz.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=10,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": (
                f"-c lock_timeout={LOCK_TIMEOUT_MS} -c statement_timeout={STATEMENT_TIMEOUT_MS}"
            ),
        },
    )


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; safe to run from several processes at once."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # A migration may rewrite big tables and wait for another process's: no time limit.
            connection.execute(text("SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0"))
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def database_answers(engine: Engine) -> bool:
    """True when the database accepts a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False


def session_factory(engine: Engine) -> Callable[[], Session]:
    """Each listener and tick opens its own short session from this factory."""

    def open_session() -> Session:
        return Session(engine, expire_on_commit=False)

    return open_session


def insert_new(session: Session, table, values: dict, *, unique: list[str]) -> int | None:
    """Insert a row unless one with the same `unique` columns exists (or is being inserted by
    another transaction, which this one then waits for): its id, or None when it was there.
    One statement, so two processes racing for the same key never both win, nor raise."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=unique)
    if not hasattr(table, "id"):
        session.execute(statement)
        return None
    return session.execute(statement.returning(table.id)).scalar()


def reader(session: Session) -> Connection:
    """The session's connection for a read of one statement: in autocommit when the session has
    not begun a transaction (no BEGIN and ROLLBACK: two round trips fewer, which is most of a
    due query's time), else the transaction's own."""
    if session.in_transaction():
        return session.connection()
    return session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
