"""Migration 0010 keeps every advisor with where they come from and how close as not known yet,
reassesses every member every three months unless they change it, and looks at every member on
the next tick (which keeps their reassessment's schedule)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.core.test_migration_of_last_spoke import _utc
from tests.core.test_migration_of_late_promises import NOW, _seed
from tests.core.test_migration_to_the_outbox import engine_at, stamp, upgrade


def test_advisors_keep_everything_and_are_not_known_yet_and_members_are_looked_at_soon(
    database_url, request, tmp_path
):
    engine = engine_at("0009", database_url, request, tmp_path)
    _seed(engine)
    with engine.begin() as connection:
        later = stamp(engine, NOW + timedelta(days=20))
        connection.execute(text("UPDATE member SET look_at = :later"), {"later": later})

    upgrade(engine, "0010")

    with engine.connect() as connection:
        advisor = connection.execute(
            text("SELECT name, origin, closeness, cadence_days FROM advisor")
        ).one()
        member = connection.execute(text("SELECT reassess_months, look_at FROM member")).one()
        promises = connection.execute(text("SELECT count(*) FROM promise")).scalar_one()
    engine.dispose()
    assert tuple(advisor) == ("Grace", None, None, 30)
    assert member[0] == 3
    assert _utc(member[1]) <= datetime.now(UTC)
    assert promises == 6
