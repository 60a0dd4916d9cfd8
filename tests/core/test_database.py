"""The database: migrations match the models, rows persist, SQLite is tuned, keys are enforced."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, SQLModel, select

from core.db import database_answers, make_engine, migrate, row_id
from core.models import Advisor, Member


def a_member(clock, user_id: str = "U0ALICE", team_id: str = "T0TEST") -> Member:
    return Member(team_id=team_id, user_id=user_id, tz="Europe/Paris", created_at=clock.now())


def an_advisor(clock, **fields) -> Advisor:
    values = {"team_id": "T0TEST", "owner_id": "U0ALICE", "name": "Grace Hopper"} | fields
    return Advisor(**values, created_at=clock.now(), updated_at=clock.now())


def test_the_migrations_build_exactly_the_schema_the_models_describe(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migrating_an_up_to_date_database_again_changes_nothing(engine):
    migrate(engine)
    migrate(engine)

    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            ("0013",)
        ]


def test_a_member_and_their_board_survive_a_restart(database_url, clock):
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add(a_member(clock))
        session.flush()
        session.add(an_advisor(clock, support=["coaching", "introductions"], cadence_days=14))
        session.commit()
    engine.dispose()

    restarted = make_engine(database_url)
    migrate(restarted)
    with Session(restarted) as session:
        advisor = session.exec(select(Advisor)).one()
        assert advisor.name == "Grace Hopper"
        assert advisor.support == ["coaching", "introductions"]
        assert advisor.cadence_days == 14
        assert session.exec(select(Member)).one().tz == "Europe/Paris"
    restarted.dispose()


def test_timestamps_come_back_in_utc_whatever_zone_they_were_written_in(session, clock):
    tokyo = timezone(timedelta(hours=9))
    session.add(a_member(clock))
    session.flush()
    session.add(an_advisor(clock, last_touch_at=datetime(2026, 11, 23, 18, 30, tzinfo=tokyo)))
    session.commit()
    session.expire_all()

    advisor = session.exec(select(Advisor)).one()
    assert advisor.last_touch_at == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert advisor.last_touch_at.tzinfo == UTC


def test_a_timestamp_without_a_time_zone_is_refused(session, clock):
    session.add(a_member(clock))
    session.flush()
    session.add(an_advisor(clock, last_touch_at=datetime(2026, 11, 23, 9, 30)))

    with pytest.raises(StatementError, match="timezone-aware"):
        session.commit()


def test_an_advisor_cannot_belong_to_a_member_who_does_not_exist(session, clock):
    session.add(an_advisor(clock, owner_id="U0NOBODY"))

    with pytest.raises(IntegrityError):
        session.commit()


def test_a_member_appears_once_per_workspace(session, clock):
    session.add(a_member(clock))
    session.commit()
    session.add(a_member(clock))

    with pytest.raises(IntegrityError):
        session.commit()


def test_removing_a_member_removes_their_advisors_and_no_one_elses(session, clock):
    session.add_all([a_member(clock), a_member(clock, user_id="U0BOB")])
    session.commit()
    session.add_all([an_advisor(clock), an_advisor(clock, owner_id="U0BOB", name="Ada")])
    session.commit()

    session.delete(session.exec(select(Member).where(Member.user_id == "U0ALICE")).one())
    session.commit()

    assert [a.name for a in session.exec(select(Advisor)).all()] == ["Ada"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'advisor.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_a_database_that_does_not_answer_is_reported_as_such():
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2")

    assert database_answers(engine) is False


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("42", 42),
        (42, 42),
        ("2147483647", 2147483647),
        ("2147483648", 0),
        (10**30, 0),
        ("9" * 23, 0),
        ("²", 0),
        ("٣", 0),
        ("-1", 0),
        ("4.0", 0),
        ("", 0),
        (None, 0),
        (True, 0),
        ("0x10", 0),
    ],
)
def test_an_id_from_outside_is_one_the_database_can_hold_or_none(value, read):
    assert row_id(value) == read
