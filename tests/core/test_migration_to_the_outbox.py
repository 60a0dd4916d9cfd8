"""Migration 0006 keeps what was in flight: deliveries become outbox rows with their own ids (a
claimed one is looked up in Slack before it is posted again), nudges keep their message, and
members are looked at again from their earliest due nudge."""

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from core.db import MIGRATIONS, make_engine, migrate
from core.models import Outbox
from core.outbox import Target, enqueue

NOW = datetime.now(UTC).replace(microsecond=0)


def upgrade(engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def engine_at(revision: str, database_url: str, request, tmp_path):
    """An engine on an empty database migrated up to `revision`: a fresh SQLite file, or the
    test Postgres database wiped (and rebuilt to head after the test)."""
    if database_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / f'from-{revision}.db'}")
    else:
        engine = make_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        request.addfinalizer(lambda: _rebuild(database_url))
    upgrade(engine, revision)
    return engine


def stamp(engine, moment: datetime):
    """A timestamp as a raw statement stores it on this database."""
    return moment.replace(tzinfo=None) if engine.dialect.name == "sqlite" else moment


def test_deliveries_in_flight_become_outbox_rows_that_are_looked_up_before_posting(
    database_url, request, tmp_path
):
    engine = engine_at("0005", database_url, request, tmp_path)
    soon, later, lease = (
        NOW + timedelta(hours=2),
        NOW + timedelta(days=9),
        NOW + timedelta(minutes=3),
    )
    rows = {
        "INSERT INTO member (team_id, user_id, tz, created_at, nudge_days, nudge_start, nudge_end,"
        " digest, one_a_day, monday_preview) VALUES ('T', :u, 'UTC', :now, '01234', 540, 1020,"
        " true, true, false)": [{"u": u, "now": stamp(engine, NOW)} for u in ("U1", "U2", "U3")],
        "INSERT INTO advisor (team_id, owner_id, name, relationship, inside_org, support, gains,"
        " notes, cadence_days, status, nudge_at, created_at, updated_at) VALUES ('T', :u, 'Grace',"
        " 'peer', true, '[]', '', '', 30, 'active', :at, :now, :now)": [
            {"u": "U1", "at": stamp(engine, soon), "now": stamp(engine, NOW)},
            {"u": "U2", "at": stamp(engine, later), "now": stamp(engine, NOW)},
        ],
        "INSERT INTO delivery (id, team_id, owner_id, state, claimed_by, lease_until, attempts,"
        " channel, ts, sent_at, created_at) VALUES (:id, 'T', 'U1', :state, 'old', :lease, 1,"
        " 'D1', :ts, :sent, :now)": [
            {
                "id": 7,
                "state": "sent",
                "lease": stamp(engine, NOW),
                "ts": "1.7",
                "sent": stamp(engine, NOW),
                "now": stamp(engine, NOW),
            },
            {
                "id": 8,
                "state": "claimed",
                "lease": stamp(engine, lease),
                "ts": None,
                "sent": None,
                "now": stamp(engine, NOW),
            },
        ],
        "INSERT INTO nudge (team_id, owner_id, kind, subject_id, cycle, delivery_id, outcome_text,"
        " created_at) VALUES ('T', 'U1', 'touch', 1, :cycle, :d, '', :now)": [
            {"cycle": "c7", "d": 7, "now": stamp(engine, NOW)},
            {"cycle": "c8", "d": 8, "now": stamp(engine, NOW)},
        ],
    }
    with engine.begin() as connection:
        for statement, values in rows.items():
            connection.execute(text(statement), values)

    upgrade(engine, "0006")  # later revisions may look at every member again (0010 does)

    with engine.begin() as connection:
        moved = connection.execute(
            text(
                "SELECT id, purpose, target_user, channel_id, state, ts, may_be_posted "
                "FROM outbox ORDER BY id"
            )
        ).all()
        nudges = connection.execute(text("SELECT cycle, outbox_id FROM nudge ORDER BY cycle")).all()
        looks = dict(connection.execute(text("SELECT user_id, look_at FROM member")).all())
    assert [tuple(r) for r in moved] == [
        (7, "nudge", "U1", "D1", "sent", "1.7", False),
        (8, "nudge", "U1", "D1", "pending", None, True),
    ]
    assert [tuple(r) for r in nudges] == [("c7", 7), ("c8", 8)]
    assert looks["U1"] is not None, "due within a day: looked at at once"
    assert str(looks["U2"])[:10] == str(later.date()), "from their earliest due nudge"
    assert looks["U3"] is None, "nothing due"
    migrate(engine)
    from sqlmodel import Session

    with Session(engine) as session:
        made = enqueue(
            session, team_id="T", purpose="nudge", key="new", target=Target.dm("U1"), now=NOW
        )
        session.commit()
        assert made > 8 and session.get(Outbox, 8).next_try_at == lease
    engine.dispose()


def _rebuild(database_url: str) -> None:
    """Leave the shared Postgres database as the other tests expect it: at the newest schema."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    engine.dispose()
