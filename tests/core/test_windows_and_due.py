"""When nudges may reach a member (their window, in their zone) and when each subject is next
due one: pure functions, checked across time zones, weekends and daylight-saving changes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from core import due, windows
from core.models import Advisor, Member, NudgeKind, Promise

NEW_YORK = ZoneInfo("America/New_York")


def member(**fields) -> Member:
    return Member(team_id="T", user_id="U", tz=fields.pop("tz", "America/New_York"), **fields)


def test_the_default_window_is_weekdays_nine_to_five_in_the_members_own_zone():
    alice = member()
    friday_9am = datetime(2026, 11, 27, 14, tzinfo=UTC)  # 09:00 in New York
    assert windows.is_open(alice, friday_9am)
    assert not windows.is_open(alice, friday_9am - timedelta(minutes=1))
    assert not windows.is_open(alice, friday_9am + timedelta(hours=8))  # 17:00
    assert not windows.is_open(alice, friday_9am + timedelta(days=1))  # Saturday
    assert windows.describe(alice) == "weekdays 09:00 to 17:00"


def test_the_window_follows_the_clock_on_the_wall_across_a_daylight_saving_change():
    alice = member()
    # New York leaves daylight saving on Sunday, November 1 2026.
    friday = datetime(2026, 10, 30, 13, tzinfo=UTC)  # 09:00 EDT
    monday = datetime(2026, 11, 2, 14, tzinfo=UTC)  # 09:00 EST
    assert windows.next_opening(alice, friday - timedelta(hours=1)) == friday
    assert windows.next_opening(alice, friday + timedelta(hours=9)) == monday
    assert not windows.is_open(alice, monday - timedelta(minutes=30))


def test_a_pause_holds_everything_until_the_day_after_it():
    alice = member(paused_until=date(2026, 11, 30))
    assert not windows.is_open(alice, datetime(2026, 11, 30, 15, tzinfo=UTC))
    assert windows.next_opening(alice, datetime(2026, 11, 27, 15, tzinfo=UTC)) == datetime(
        2026, 12, 1, 14, tzinfo=UTC
    )


def test_one_delivery_a_day_by_default_and_as_many_as_due_when_the_member_says_so():
    now = datetime(2026, 11, 27, 15, tzinfo=UTC)
    assert not windows.may_deliver(member(last_delivery_on=date(2026, 11, 27)), now)
    assert windows.may_deliver(member(last_delivery_on=date(2026, 11, 27), one_a_day=False), now)
    assert not windows.may_deliver(member(unreachable="account_inactive"), now)


def advisor(due_at: datetime, cadence: int = 30) -> Advisor:
    return Advisor(
        team_id="T", owner_id="U", name="Grace", cadence_days=cadence, next_touch_due_at=due_at
    )


def test_an_advisor_is_nudged_when_due_and_once_more_half_a_cadence_later():
    grace = advisor(datetime(2026, 11, 20, 17, tzinfo=UTC))
    candidates = due.touch_candidates(grace, NEW_YORK)
    assert [c.kind for c in candidates] == [NudgeKind.TOUCH, NudgeKind.TOUCH_OVERDUE]
    assert due.applicable(candidates, date(2026, 11, 19)) is None
    assert due.applicable(candidates, date(2026, 11, 20)).kind == NudgeKind.TOUCH
    assert due.upcoming(candidates, date(2026, 11, 20)) == datetime(2026, 12, 5, 17, tzinfo=UTC)
    assert due.applicable(candidates, date(2026, 12, 5)).kind == NudgeKind.TOUCH_OVERDUE
    assert due.upcoming(candidates, date(2026, 12, 5)) is None


def test_after_downtime_only_the_latest_missed_nudge_of_a_cycle_is_sent():
    grace = advisor(datetime(2026, 10, 1, 12, tzinfo=UTC))
    chosen = due.applicable(due.touch_candidates(grace, NEW_YORK), date(2026, 11, 23))
    assert chosen.kind == NudgeKind.TOUCH_OVERDUE


def promise(firmness: str, due_on: date, created: datetime, **fields) -> Promise:
    return Promise(
        team_id="T",
        owner_id="U",
        advisor_id=1,
        what="Send the deck",
        firmness=firmness,
        due_on=due_on,
        original_due_on=due_on,
        due_at=datetime.combine(due_on + timedelta(days=1), datetime.min.time(), tzinfo=NEW_YORK),
        created_at=created,
        updated_at=created,
        **fields,
    )


def test_a_firm_promise_is_nudged_three_days_before_and_an_i_will_try_one_day_before():
    made = datetime(2026, 11, 2, 15, tzinfo=UTC)
    firm = promise("promise", date(2026, 11, 20), made)
    soft = promise("try", date(2026, 11, 20), made)
    assert due.promise_nudge_at(firm, NEW_YORK, made) == datetime(2026, 11, 17, tzinfo=NEW_YORK)
    assert due.promise_nudge_at(soft, NEW_YORK, made) == datetime(2026, 11, 19, tzinfo=NEW_YORK)
    after_soon = datetime(2026, 11, 17, 15, tzinfo=UTC)
    assert due.promise_nudge_at(firm, NEW_YORK, after_soon) == datetime(
        2026, 11, 20, tzinfo=NEW_YORK
    )


def test_a_promise_far_out_with_no_update_for_ten_days_is_nudged_as_stalled():
    made = datetime(2026, 11, 2, 15, tzinfo=UTC)
    far = promise("promise", date(2026, 12, 31), made)
    candidates = due.promise_candidates(far, NEW_YORK)
    assert candidates[0].kind == NudgeKind.PROMISE_STALLED
    assert candidates[0].day == date(2026, 11, 12)
    updated = promise("promise", date(2026, 12, 31), made, last_update_at=made + timedelta(days=5))
    assert due.promise_candidates(updated, NEW_YORK)[0].day == date(2026, 11, 17)
    near = promise("promise", date(2026, 11, 20), made)
    assert NudgeKind.PROMISE_STALLED not in [c.kind for c in due.promise_candidates(near, NEW_YORK)]
