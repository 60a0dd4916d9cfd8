"""Nudge settings in core: the defaults, what can be chosen, pauses, and only the member's row."""

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from sqlmodel import select

from core.errors import Invalid
from core.members import remember_member
from core.models import Member
from core.nudge_settings import NudgeChoices, choices_of, current_choices, save_settings
from tests.core.test_board import ALICE, BOB, TEAM

TODAY = date(2026, 11, 23)  # the fake clock's Monday, in Paris too
CHOSEN = NudgeChoices(
    days=frozenset({0, 2}),
    start=time(8, 30),
    end=time(12),
    paused_until=date(2026, 12, 7),
    digest=False,
    one_a_day=False,
    monday_preview=True,
)


def save(session, clock, choices, *, user=ALICE, zone="Europe/Paris") -> Member:
    return save_settings(
        session, team_id=TEAM, user_id=user, choices=choices, zone_name=zone, clock=clock
    )


def row(session, user=ALICE) -> Member | None:
    query = select(Member).where(Member.team_id == TEAM, Member.user_id == user)
    return session.exec(query).first()


@pytest.fixture
def members(session, clock):
    for user in (ALICE, BOB):
        remember_member(session, team_id=TEAM, user_id=user, tz="Europe/Paris", clock=clock)
    session.commit()


def test_a_new_member_gets_weekdays_nine_to_five_all_in_one_message_at_most_once_a_day():
    defaults = NudgeChoices()

    assert choices_of(None) == defaults == choices_of(Member(team_id=TEAM, user_id=ALICE))
    assert (defaults.days, defaults.start, defaults.end) == ({0, 1, 2, 3, 4}, time(9), time(17))
    assert (defaults.paused_until, defaults.digest, defaults.one_a_day) == (None, True, True)
    assert defaults.monday_preview is False


def test_saving_creates_the_members_row_in_their_zone_with_what_they_chose(session, clock):
    member = save(session, clock, CHOSEN)

    assert (member.tz, member.nudge_days, member.nudge_start, member.nudge_end) == (
        "Europe/Paris",
        "02",
        8 * 60 + 30,
        12 * 60,
    )
    assert (member.paused_until, member.digest, member.one_a_day, member.monday_preview) == (
        date(2026, 12, 7),
        False,
        False,
        True,
    )
    assert current_choices(session, team_id=TEAM, user_id=ALICE) == CHOSEN


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"days": frozenset()}, "days", "Choose at least one day"),
        ({"days": frozenset({1, 7})}, "days", "Choose days of the week"),
        ({"start": time(17), "end": time(9)}, "end", "End after the start"),
        ({"start": time(9), "end": time(9)}, "end", "End after the start"),
        ({"start": time(9), "end": time(9, 45)}, "end", "at least an hour"),
        ({"paused_until": date(2026, 11, 22)}, "pause", "already past"),
        ({"paused_until": date(2027, 11, 24)}, "pause", "a year at most"),
        ({"monday_preview": True, "days": frozenset({1, 2})}, "preview", "add Monday"),
    ],
)
def test_a_choice_that_cannot_work_is_refused_at_its_field_and_nothing_changes(
    session, clock, members, changes, field, says
):
    with pytest.raises(Invalid) as caught:
        save(session, clock, replace(NudgeChoices(), **changes))

    assert caught.value.field == field and says in str(caught.value)
    assert current_choices(session, team_id=TEAM, user_id=ALICE) == NudgeChoices()


def test_a_refused_first_save_creates_no_row(session, clock):
    with pytest.raises(Invalid):
        save(session, clock, replace(NudgeChoices(), days=frozenset()))

    assert row(session) is None


def test_an_hour_is_enough_and_a_window_may_run_to_the_last_minute_of_the_day(session, clock):
    save(session, clock, replace(NudgeChoices(), start=time(9), end=time(10)))
    member = save(session, clock, replace(NudgeChoices(), start=time(22), end=time(23, 59)))

    assert (member.nudge_start, member.nudge_end) == (22 * 60, 23 * 60 + 59)


def test_a_pause_is_checked_against_the_members_own_date(session, clock):
    clock.advance(hours=14, minutes=30)  # 23:30 UTC: already Tuesday in Paris, still Monday in NY
    monday = replace(NudgeChoices(), paused_until=TODAY)

    with pytest.raises(Invalid):
        save(session, clock, monday, zone="Europe/Paris")
    member = save(session, clock, monday, zone="America/New_York")

    assert member.paused_until == TODAY and member.tz == "America/New_York"


def test_pausing_until_today_works_and_clearing_the_pause_resumes_nudges(session, clock, members):
    paused = save(session, clock, replace(NudgeChoices(), paused_until=TODAY))
    assert paused.paused_until == TODAY

    resumed = save(session, clock, NudgeChoices())

    assert resumed.paused_until is None
    assert row(session).paused_until is None


def test_saving_follows_the_zone_slack_gives_and_makes_a_refused_member_reachable_again(
    session, clock, members
):
    row(session).unreachable = "account_inactive"

    member = save(session, clock, NudgeChoices(), zone="Asia/Tokyo")
    unknown = save(session, clock, NudgeChoices(), user=BOB, zone="Mars/Olympus_Mons")

    assert (member.tz, member.unreachable, unknown.tz) == ("Asia/Tokyo", None, "UTC")


def test_only_the_members_own_row_changes(session, clock, members):
    before = row(session, BOB).model_dump()

    save(session, clock, CHOSEN, user=ALICE)

    session.expire_all()
    assert row(session, BOB).model_dump() == before
    assert current_choices(session, team_id=TEAM, user_id=BOB) == NudgeChoices()
    assert current_choices(session, team_id="T0OTHER", user_id=ALICE) == NudgeChoices()
    assert len(session.exec(select(Member)).all()) == 2


def test_saving_leaves_the_engines_bookkeeping_alone(session, clock, members):
    row(session).last_delivery_on = TODAY
    session.commit()

    save(session, clock, CHOSEN)

    assert row(session).last_delivery_on == TODAY
    assert row(session).created_at == datetime(2026, 11, 23, 9, tzinfo=UTC)
