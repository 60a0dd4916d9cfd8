"""Migration 0008 gives open promises whose date has just passed a next nudge time, so their
late nudges come: both when late for a few days, only the week-late one when later, none when
later still or closed; their member is looked at on the next tick."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from tests.core.test_migration_of_last_spoke import _utc
from tests.core.test_migration_to_the_outbox import engine_at, stamp, upgrade

NOW = datetime.now(UTC).replace(microsecond=0)  # the migration reads the real clock
PROMISES = {  # name: (status, due_at, nudge_at before)
    "due today": ("open", NOW + timedelta(hours=5), None),
    "two days late": ("open", NOW - timedelta(days=2), None),
    "six days late": ("open", NOW - timedelta(days=6), None),
    "a month late": ("open", NOW - timedelta(days=30), None),
    "kept late": ("done", NOW - timedelta(days=2), None),
    "still ahead": ("open", NOW + timedelta(days=9), NOW + timedelta(days=6)),
}


def _seed(engine) -> None:
    def at(moment: datetime | None):
        return moment and stamp(engine, moment)

    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO member (team_id, user_id, tz, created_at, nudge_days, nudge_start,"
                " nudge_end, digest, one_a_day, monday_preview) VALUES ('T', 'U1', 'UTC', :now,"
                " '01234', 540, 1020, true, true, false)"
            ),
            {"now": at(NOW)},
        )
        connection.execute(
            text(
                "INSERT INTO advisor (id, team_id, owner_id, name, relationship, inside_org,"
                " support, gains, notes, cadence_days, status, created_at, updated_at) VALUES"
                " (1, 'T', 'U1', 'Grace', 'peer', true, '[]', '', '', 30, 'active', :now, :now)"
            ),
            {"now": at(NOW)},
        )
        for what, (status, due_at, nudge_at) in PROMISES.items():
            day = date.fromordinal(due_at.toordinal())
            connection.execute(
                text(
                    "INSERT INTO promise (team_id, owner_id, advisor_id, what, firmness, status,"
                    " due_on, original_due_on, due_at, renegotiations, nudge_at, created_at,"
                    " updated_at) VALUES ('T', 'U1', 1, :what, 'promise', :status, :day, :day,"
                    " :due_at, 0, :nudge_at, :now, :now)"
                ),
                {
                    "what": what,
                    "status": status,
                    "day": day,
                    "due_at": at(due_at),
                    "nudge_at": at(nudge_at),
                    "now": at(NOW - timedelta(days=40)),
                },
            )


def test_open_promises_just_late_get_their_late_nudges_and_no_two_a_day_apart(
    database_url, request, tmp_path
):
    engine = engine_at("0007", database_url, request, tmp_path)
    _seed(engine)

    upgrade(engine, "0008")

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT what, due_at, nudge_at FROM promise"))
        nudge_at = {what: (_utc(due), _utc(at)) for what, due, at in rows}
        [look_at] = connection.execute(text("SELECT look_at FROM member")).one()
    engine.dispose()
    due = {what: spec[1] for what, spec in PROMISES.items()}
    assert {what: at for what, (_, at) in nudge_at.items()} == {
        "due today": due["due today"],
        "two days late": due["two days late"],
        "six days late": due["six days late"] + timedelta(days=7),
        "a month late": None,
        "kept late": None,
        "still ahead": NOW + timedelta(days=6),
    }
    assert _utc(look_at) <= datetime.now(UTC)
