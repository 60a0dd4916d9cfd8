"""The board's reassessment in core: its schedule follows the member's setting, window and board
(kept when the tick plans them, whatever their window says); an occurrence walks the active
advisors in the board's order, once; each advisor is answered once, and only by their member;
easing aside keeps the advisor among alumni; "is anyone missing?" names the board's top gap."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.recurrence import next_after
from core import board, nudge_plan, reassess, schedules
from core.board import Details, Person
from core.errors import Invalid, NotOnBoard, NotYours
from core.members import remember_member
from core.models import (
    Advisor,
    AdvisorGoal,
    AdvisorStatus,
    Goal,
    Member,
    Outbox,
    Reassessment,
    ReassessmentAnswer,
    Support,
)
from core.nudge_settings import NudgeChoices, save_settings
from core.reassess import CADENCE, EASE_ASIDE, KEEP, Skip, Wait

TEAM, ALICE, BOB = "T0TEST", "U0ALICE", "U0BOB"
PARIS = ZoneInfo("Europe/Paris")
# The fake clock starts Monday, November 23, 2026, 10:00 in Paris: the 4th Monday of the month.
FIRST = datetime(2027, 2, 22, 8, tzinfo=UTC)  # the 4th Monday of February, 09:00 in Paris


def member(session, clock, user=ALICE, **settings) -> Member:
    found = remember_member(session, team_id=TEAM, user_id=user, tz="Europe/Paris", clock=clock)
    found.last_seen_at = None
    for name, value in settings.items():
        setattr(found, name, value)
    session.add(found)
    session.commit()
    return found


def enlist(session, clock, name, owner=ALICE, cadence=30, spoke=date(2026, 11, 20), **details):
    advisor = board.enlist(
        session,
        team_id=TEAM,
        owner_id=owner,
        person=Person(name=name),
        details=Details(cadence_days=cadence, **details),
        last_spoke_on=spoke,
        zone=PARIS,
        clock=clock,
    )
    session.commit()
    return advisor


def keep(session, clock, user=ALICE):
    found = session.exec(select(Member).where(Member.user_id == user)).one()
    schedule = reassess.keep_schedule(session, member=found, now=clock.now(), next_after=next_after)
    session.commit()
    return schedule


def change(session, clock, user=ALICE, **settings):
    member(session, clock, user, **settings)
    return keep(session, clock, user)


def occur(session, clock, at: datetime, user=ALICE) -> list[int]:
    """What the tick does when the schedule's time comes (it moves on, then its hook runs)."""
    schedule = schedules.get(session, team_id=TEAM, purpose=reassess.PURPOSE, key=user)
    if schedule.next_at == at:
        schedules.advance(session, schedule=schedule, occurrence=at, next_after=next_after)
    made = reassess.occurrence(session, schedule=schedule, occurrence=at, now=clock.now())
    session.commit()
    return made


def the_reassessment(session, user=ALICE) -> Reassessment:
    query = select(Reassessment).where(Reassessment.owner_id == user)
    return session.exec(query.order_by(Reassessment.id)).all()[-1]


def answer(session, clock, reassessment, advisor, choice=KEEP, days=None, owner=ALICE) -> bool:
    done = reassess.answer(
        session,
        team_id=TEAM,
        owner_id=owner,
        reassessment_id=reassessment.id,
        advisor_id=advisor.id,
        choice=choice,
        cadence_days=days,
        clock=clock,
    )
    session.commit()
    return done


def step(session, reassessment):
    session.expire_all()
    found = session.get(Reassessment, reassessment.id)
    return reassess.step(session, found, now=datetime(2027, 2, 22, 9, tzinfo=UTC))


@pytest.fixture
def walk(session, clock):
    """Alice with three advisors, and the reassessment her schedule brought in February."""
    member(session, clock)
    advisors = [
        enlist(session, clock, "Grace Hopper", cadence=14),
        enlist(session, clock, "Ada Lovelace", cadence=30),
        enlist(session, clock, "Linus Pauling", cadence=60),
    ]
    keep(session, clock)
    clock.advance(days=91)
    occur(session, clock, FIRST)
    return the_reassessment(session), advisors


# --- the schedule


def test_the_first_reassessment_comes_three_months_after_the_first_advisor_at_the_window_start(
    session, clock
):
    member(session, clock)
    enlist(session, clock, "Grace Hopper")

    schedule = keep(session, clock)

    assert schedule.next_at == FIRST
    assert (schedule.every, schedule.nth, schedule.weekday, schedule.minute) == (3, 4, 0, 540)
    assert next_after(schedules.rule_of(schedule), FIRST) == datetime(2027, 5, 24, 7, tzinfo=UTC)


def test_a_board_begun_late_in_a_month_is_reassessed_on_the_last_such_weekday():
    alice = Member(team_id=TEAM, user_id=ALICE, tz="Europe/Paris", nudge_days="1234")

    rule = reassess.rule_for(alice, date(2026, 11, 30))

    assert (rule.starts_on, rule.nth, rule.weekday) == (date(2027, 2, 1), schedules.LAST, 1)
    assert next_after(rule, datetime(2026, 12, 1, tzinfo=UTC)) == datetime(
        2027, 2, 23, 8, tzinfo=UTC
    )


def test_every_six_or_twelve_months_counts_from_the_first_advisor_too(session, clock):
    member(session, clock)
    enlist(session, clock, "Grace Hopper")
    keep(session, clock)

    assert change(session, clock, reassess_months=6).next_at == datetime(2027, 5, 24, 7, tzinfo=UTC)
    assert change(session, clock, reassess_months=12).next_at == datetime(
        2027, 11, 22, 8, tzinfo=UTC
    )
    assert change(session, clock, reassess_months=3).next_at == FIRST


def test_turned_off_there_is_no_schedule_and_turned_on_again_it_comes_back(session, clock):
    member(session, clock)
    enlist(session, clock, "Grace Hopper")
    keep(session, clock)

    assert change(session, clock, reassess_months=0) is None
    assert schedules.get(session, team_id=TEAM, purpose=reassess.PURPOSE, key=ALICE) is None
    assert change(session, clock, reassess_months=3).next_at == FIRST


def test_a_new_window_or_time_zone_moves_the_reassessment_with_it(session, clock):
    member(session, clock)
    enlist(session, clock, "Grace Hopper")
    keep(session, clock)

    moved = change(session, clock, nudge_days="234", nudge_start=8 * 60 + 30)
    assert moved.next_at == datetime(2027, 2, 24, 7, 30, tzinfo=UTC)  # 4th Wednesday, 08:30
    assert change(session, clock, tz="America/New_York").next_at == datetime(
        2027, 2, 24, 13, 30, tzinfo=UTC
    )


def test_without_an_advisor_on_the_board_there_is_no_schedule(session, clock):
    member(session, clock)
    assert keep(session, clock) is None

    grace = enlist(session, clock, "Grace Hopper")
    assert keep(session, clock).next_at == FIRST
    board.ease_aside(session, team_id=TEAM, owner_id=ALICE, advisor_id=grace.id, clock=clock)
    session.commit()
    assert keep(session, clock) is None


def test_a_member_from_before_reassessments_gets_the_schedule_when_planned_even_after_hours(
    session, clock
):
    member(session, clock)
    enlist(session, clock, "Grace Hopper")
    saturday = datetime(2026, 11, 28, 22, tzinfo=UTC)
    assert schedules.get(session, team_id=TEAM, purpose=reassess.PURPOSE, key=ALICE) is None

    planned = nudge_plan.plan(
        session, team_id=TEAM, owner_id=ALICE, now=saturday, next_after=next_after
    )

    assert planned.why_not.startswith("outside their window")
    found = schedules.get(session, team_id=TEAM, purpose=reassess.PURPOSE, key=ALICE)
    assert found.next_at == FIRST


# --- the occurrence


def test_an_occurrence_walks_the_active_advisors_in_the_boards_order_once(session, clock):
    member(session, clock)
    alumnus = enlist(session, clock, "Old Friend", cadence=7)
    board.ease_aside(session, team_id=TEAM, owner_id=ALICE, advisor_id=alumnus.id, clock=clock)
    linus = enlist(session, clock, "Linus Pauling", cadence=60)
    grace = enlist(session, clock, "Grace Hopper", cadence=14)
    ada = enlist(session, clock, "Ada Lovelace", cadence=30)
    keep(session, clock)
    clock.advance(days=91)

    assert len(occur(session, clock, FIRST)) == 1

    reassessment = the_reassessment(session)
    assert reassessment.advisor_ids == [grace.id, ada.id, linus.id]  # most urgent first
    assert (reassessment.state, reassessment.position, reassessment.occurrence) == (
        "open",
        0,
        FIRST,
    )
    assert occur(session, clock, FIRST) == []  # another process, the same occurrence
    [row] = session.exec(select(Outbox).where(Outbox.purpose == reassess.PURPOSE)).all()
    assert (row.target_user, row.owner_id, row.key) == (ALICE, ALICE, str(reassessment.id))


def test_no_reassessment_comes_for_a_member_who_turned_it_off_or_whose_board_emptied(
    session, clock
):
    member(session, clock)
    grace = enlist(session, clock, "Grace Hopper")
    keep(session, clock)
    member(session, clock, reassess_months=0)
    assert occur(session, clock, FIRST) == []

    member(session, clock, reassess_months=3)
    board.ease_aside(session, team_id=TEAM, owner_id=ALICE, advisor_id=grace.id, clock=clock)
    session.commit()
    assert occur(session, clock, FIRST) == []
    assert session.exec(select(Reassessment)).all() == []


def test_a_rule_changed_on_the_day_does_not_bring_a_second_one_that_month(session, clock, walk):
    assert occur(session, clock, FIRST + timedelta(hours=2)) == []
    assert len(occur(session, clock, datetime(2027, 5, 24, 7, tzinfo=UTC))) == 1


# --- answering


def test_the_walk_asks_about_each_advisor_in_turn_then_who_is_missing(session, clock, walk):
    reassessment, (grace, ada, linus) = walk

    first = step(session, reassessment)
    assert (first.advisor.id, first.number, first.total, first.left) == (grace.id, 1, 3, 3)
    assert answer(session, clock, reassessment, grace) is True
    second = step(session, reassessment)
    assert (second.advisor.id, second.number, second.left) == (ada.id, 2, 2)
    answer(session, clock, reassessment, ada, CADENCE, 90)
    answer(session, clock, reassessment, linus, EASE_ASIDE)

    last = step(session, reassessment)
    assert last.advisor is None and last.gap.startswith("Board of 2: the research suggests")
    assert last.tally == reassess.Tally(
        kept=("Grace Hopper",), cadence=(("Ada Lovelace", 90),), eased=("Linus Pauling",)
    )
    assert session.get(Reassessment, reassessment.id).position == 3


def test_a_double_click_is_recorded_once(session, clock, walk):
    reassessment, (grace, *_) = walk

    assert answer(session, clock, reassessment, grace, CADENCE, 7) is True
    assert answer(session, clock, reassessment, grace, EASE_ASIDE) is False

    answers = session.exec(select(ReassessmentAnswer)).all()
    assert [(a.advisor_id, a.answer, a.cadence_days) for a in answers] == [(grace.id, CADENCE, 7)]
    session.refresh(grace)
    assert (grace.status, grace.cadence_days) == (AdvisorStatus.ACTIVE, 7)


def test_a_new_cadence_moves_the_next_stay_in_touch_by_the_difference(session, clock, walk):
    reassessment, (_, ada, _) = walk
    due = ada.next_touch_due_at

    answer(session, clock, reassessment, ada, CADENCE, 60)

    session.refresh(ada)
    assert (ada.cadence_days, ada.next_touch_due_at) == (60, due + timedelta(days=30))


def test_easing_aside_keeps_the_advisor_among_alumni_with_their_history(session, clock, walk):
    reassessment, (_, _, linus) = walk

    answer(session, clock, reassessment, linus, EASE_ASIDE)

    session.refresh(linus)
    assert (linus.status, linus.next_touch_due_at) == (AdvisorStatus.ALUMNI, None)
    assert session.get(Advisor, linus.id) is not None


@pytest.mark.parametrize(
    ("choice", "days", "error"),
    [
        ("keep", None, None),
        ("cadence", 5, Invalid),
        ("cadence", None, Invalid),
        ("drop", None, Invalid),
    ],
)
def test_only_the_choices_offered_are_taken(session, clock, walk, choice, days, error):
    reassessment, (grace, *_) = walk
    if error is None:
        assert answer(session, clock, reassessment, grace, choice, days)
        return
    with pytest.raises(error):
        answer(session, clock, reassessment, grace, choice, days)
    assert session.exec(select(ReassessmentAnswer)).all() == []


def test_another_members_reassessment_or_advisor_changes_nothing(session, clock, walk):
    reassessment, (grace, *_) = walk
    member(session, clock, BOB)
    bobs = enlist(session, clock, "Someone Else", owner=BOB)

    with pytest.raises(NotYours):
        answer(session, clock, reassessment, grace, EASE_ASIDE, owner=BOB)
    with pytest.raises(NotOnBoard):
        answer(session, clock, reassessment, bobs, EASE_ASIDE)
    with pytest.raises(NotYours):
        reassess.finish(
            session, team_id=TEAM, owner_id=BOB, reassessment_id=reassessment.id, now=clock.now()
        )
    session.rollback()

    session.refresh(grace)
    assert grace.status == AdvisorStatus.ACTIVE
    assert session.exec(select(ReassessmentAnswer)).all() == []
    assert session.get(Reassessment, reassessment.id).state == "open"


def test_done_ends_it_once_and_takes_no_more_answers(session, clock, walk):
    reassessment, (grace, *_) = walk
    who = {"team_id": TEAM, "owner_id": ALICE, "reassessment_id": reassessment.id}

    assert reassess.finish(session, **who, now=clock.now()) is True
    assert reassess.finish(session, **who, now=clock.now()) is False
    session.commit()

    with pytest.raises(Invalid):
        answer(session, clock, reassessment, grace)
    shown = step(session, reassessment)
    assert shown.done and shown.next_at == datetime(2027, 5, 24, 7, tzinfo=UTC)


def test_an_advisor_eased_aside_elsewhere_meanwhile_is_passed_over(session, clock, walk):
    reassessment, (grace, ada, _) = walk
    board.ease_aside(session, team_id=TEAM, owner_id=ALICE, advisor_id=grace.id, clock=clock)
    session.commit()

    assert step(session, reassessment).advisor.id == ada.id
    with pytest.raises(Invalid):
        answer(session, clock, reassessment, grace)


# --- sending and the reminder


def row_of(session, purpose):
    return session.exec(select(Outbox).where(Outbox.purpose == purpose)).one()


def test_the_dm_waits_for_the_members_window(session, clock, walk):
    row = row_of(session, reassess.PURPOSE)
    saturday = datetime(2027, 2, 27, 12, tzinfo=UTC)

    assert reassess.to_post(session, row=row, now=saturday) == Wait(
        datetime(2027, 3, 1, 8, tzinfo=UTC), "outside the member's window"
    )
    assert reassess.to_post(session, row=row, now=FIRST).advisor is not None


def test_the_reminder_comes_a_week_after_the_post_only_while_advisors_are_left(
    session, clock, walk
):
    reassessment, advisors = walk
    row = row_of(session, reassess.PURPOSE)
    row.channel_id, row.ts = "D0ALICE", "1.000001"
    [made] = reassess.posted(session, row=row, now=FIRST)
    session.commit()
    reminder = session.get(Outbox, made)
    assert (reminder.purpose, reminder.not_before) == (reassess.REMIND, FIRST + timedelta(days=7))

    week_on = FIRST + timedelta(days=7, hours=1)
    assert reassess.reminder(session, row=reminder, now=week_on).left == 3
    for advisor in advisors:
        answer(session, clock, reassessment, advisor)
    assert reassess.reminder(session, row=reminder, now=week_on) == Skip(
        "every advisor is answered"
    )


def test_no_reminder_once_done(session, clock, walk):
    reassessment, _ = walk
    row = row_of(session, reassess.PURPOSE)
    row.channel_id, row.ts = "D0ALICE", "1.000001"
    [made] = reassess.posted(session, row=row, now=FIRST)
    reassess.finish(
        session, team_id=TEAM, owner_id=ALICE, reassessment_id=reassessment.id, now=FIRST
    )
    session.commit()

    decided = reassess.reminder(session, row=session.get(Outbox, made), now=FIRST)
    assert decided == Skip("the member finished it")


# --- is anyone missing?


def test_the_question_names_the_reviews_first_suggestion(session, clock):
    member(session, clock)
    enlist(session, clock, "Grace Hopper", support=(Support.COACHING,))
    enlist(session, clock, "Ada Lovelace", support=(Support.COACHING,))

    gap = reassess.top_gap(session, team_id=TEAM, owner_id=ALICE, now=clock.now())
    assert gap == "Board of 2: the research suggests about 5. Who could you enlist for sponsorship?"


def test_a_goal_no_advisor_helps_with_is_named_on_a_board_of_a_good_size(session, clock):
    member(session, clock)
    advisors = [enlist(session, clock, f"Advisor {n}") for n in range(5)]
    for position, text in enumerate(["Lead a team", "Speak at a conference"]):
        session.add(
            Goal(
                team_id=TEAM,
                owner_id=ALICE,
                kind="two_years",
                text=text,
                position=position,
                created_at=clock.now(),
            )
        )
    session.flush()
    first = session.exec(select(Goal).where(Goal.text == "Lead a team")).one()
    session.add(AdvisorGoal(advisor_id=advisors[0].id, goal_id=first.id))
    session.commit()

    gap = reassess.top_gap(session, team_id=TEAM, owner_id=ALICE, now=clock.now())
    assert gap.startswith("Nobody helps with your goal “Speak at a conference”")


def test_nothing_is_named_when_nothing_obvious_is_missing(session, clock):
    member(session, clock)
    origins = ("employer", "former_employer", "association", "community", "school")
    goal = Goal(team_id=TEAM, owner_id=ALICE, kind="two_years", text="Lead", created_at=clock.now())
    session.add(goal)
    session.commit()
    for n, origin in enumerate(origins):
        advisor = enlist(
            session,
            clock,
            f"Advisor {n}",
            relationship="senior" if n % 2 else "peer",
            inside_org=origin == "employer",
            support=tuple(Support),
            origin=origin,
            closeness=4,
        )
        session.add(AdvisorGoal(advisor_id=advisor.id, goal_id=goal.id))
    session.commit()

    assert reassess.top_gap(session, team_id=TEAM, owner_id=ALICE, now=clock.now()) is None


def test_the_settings_take_every_3_6_or_12_months_or_never(session, clock):
    member(session, clock)
    for months in (6, 0):
        saved = save_settings(
            session,
            team_id=TEAM,
            user_id=ALICE,
            choices=NudgeChoices(reassess_months=months),
            zone_name="Europe/Paris",
            clock=clock,
        )
        assert saved.reassess_months == months
    with pytest.raises(Invalid) as caught:
        save_settings(
            session,
            team_id=TEAM,
            user_id=ALICE,
            choices=NudgeChoices(reassess_months=5),
            zone_name="Europe/Paris",
            clock=clock,
        )
    assert caught.value.field == "reassess"


def test_the_question_names_only_a_gap_enlisting_someone_would_close(session, clock):
    member(session, clock)
    origins = ("employer", "former_employer", "association", "community", "school")
    for n, origin in enumerate(origins):  # a full board, every function, but no goals written
        enlist(
            session,
            clock,
            f"Advisor {n}",
            relationship="senior" if n % 2 else "peer",
            inside_org=origin == "employer",
            support=tuple(Support),
            origin=origin,
            closeness=4,
        )
    session.commit()

    assert reassess.top_gap(session, team_id=TEAM, owner_id=ALICE, now=clock.now()) is None
