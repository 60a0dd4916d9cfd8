"""Migration 0007 keeps the last contact given on enlisting where it can still be read: an
advisor's last contact when no touchpoint of theirs is that recent; unknown otherwise."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.core.test_migration_to_the_outbox import engine_at, stamp, upgrade

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_an_advisor_keeps_their_enlisting_contact_where_no_touchpoint_came_after_it(
    database_url, request, tmp_path
):
    engine = engine_at("0006", database_url, request, tmp_path)
    spoke, touched = NOW - timedelta(days=9), NOW - timedelta(days=2)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO member (team_id, user_id, tz, created_at, nudge_days, nudge_start,"
                " nudge_end, digest, one_a_day, monday_preview) VALUES ('T', 'U1', 'UTC', :now,"
                " '01234', 540, 1020, true, true, false)"
            ),
            {"now": stamp(engine, NOW)},
        )
        for advisor_id, name, last in (
            (1, "Quiet", spoke),
            (2, "Logged", touched),
            (3, "New", None),
        ):
            connection.execute(
                text(
                    "INSERT INTO advisor (id, team_id, owner_id, name, relationship, inside_org,"
                    " support, gains, notes, cadence_days, status, last_touch_at, created_at,"
                    " updated_at) VALUES (:id, 'T', 'U1', :name, 'peer', true, '[]', '', '', 30,"
                    " 'active', :last, :now, :now)"
                ),
                {
                    "id": advisor_id,
                    "name": name,
                    "last": last and stamp(engine, last),
                    "now": stamp(engine, NOW),
                },
            )
        for advisor_id, at in ((1, spoke - timedelta(days=5)), (2, touched)):  # Quiet's is older
            connection.execute(
                text(
                    "INSERT INTO touchpoint (team_id, owner_id, advisor_id, at, how, exchanged,"
                    " given_by, note, created_at) VALUES ('T', 'U1', :a, :at, 'other', '[]',"
                    " 'both', '', :now)"
                ),
                {"a": advisor_id, "at": stamp(engine, at), "now": stamp(engine, NOW)},
            )

    upgrade(engine, "0007")

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, last_spoke_at FROM advisor ORDER BY id"))
        kept = {name: _utc(at) for name, at in rows}
    engine.dispose()
    assert kept == {"Quiet": spoke, "Logged": None, "New": None}


def _utc(value) -> datetime | None:
    """A timestamp as a raw SELECT returns it (SQLite: naive text in UTC), aware."""
    if value is None:
        return None
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at
