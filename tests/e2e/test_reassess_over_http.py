"""The board's reassessment end to end: the real tick posts one DM at the start of the member's
window three months after their first advisor; its buttons, clicked over HTTP, walk the board
one advisor at a time in that one message (keep, how often, ease aside to alumni), then ask who
is missing (enlisting opens the modal) and finish; it can be left and resumed, with one
reminder a week on only while unfinished; two processes post it once; crafted clicks change
nothing."""

import copy
import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.ids import ADD_ADVISOR_VIEW, REASSESS_CADENCE, REASSESS_DONE, REASSESS_ENLIST
from bot.views.reassess import EASE_ACTION, KEEP_ACTION
from core import reassess, schedules
from core.models import (
    Advisor,
    AdvisorStatus,
    OutboxState,
    Reassessment,
    ReassessmentAnswer,
    Schedule,
)
from tests.e2e.helpers import BOB, GRACE, home_text, latest_view, submit
from tests.e2e.nudging import text_of
from tests.payloads import ALICE, message_click

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")
DM = "D" + ALICE[1:]
FIRST = datetime(2027, 2, 22, 8, tzinfo=UTC)  # 4th Monday of February, 09:00 in Paris
NEXT = datetime(2027, 5, 24, 7, tzinfo=UTC)  # three months on (summer time)


@pytest.fixture
def board(nudging):
    """Alice (in Paris, weekdays 9 to 5) with three advisors enlisted on Monday, November 23,
    planned by the tick once (which keeps her reassessment's schedule)."""
    nudging.member()
    spoke = date(2026, 11, 20)
    advisors = [
        nudging.advisor("Grace Hopper", last_spoke_on=spoke, cadence=14, slack_user_id=GRACE),
        nudging.advisor("Ada Lovelace", last_spoke_on=spoke, cadence=30, support=("coaching",)),
        nudging.advisor("Linus Pauling", last_spoke_on=spoke, cadence=60),
    ]
    nudging.tick()
    return advisors


def reassessments(nudging, owner=ALICE) -> list[Reassessment]:
    with Session(nudging.engine) as session:
        query = select(Reassessment).where(Reassessment.owner_id == owner)
        return list(session.exec(query.order_by(Reassessment.id)))


def answers(nudging) -> list[tuple[int, str, int | None]]:
    with Session(nudging.engine) as session:
        rows = session.exec(select(ReassessmentAnswer).order_by(ReassessmentAnswer.id))
        return [(a.advisor_id, a.answer, a.cadence_days) for a in rows]


def advisor(nudging, advisor_id) -> Advisor:
    with Session(nudging.engine) as session:
        return session.get(Advisor, advisor_id)


def the_message(nudging) -> dict:
    """The reassessment's DM as it stands now in Slack."""
    rows = nudging.deliveries(reassess.PURPOSE)
    [row] = [r for r in rows if r.state == OutboxState.SENT and r.owner_id == ALICE]
    return next(m for m in nudging.slack.messages[DM] if m["ts"] == row.ts)


def posted(nudging, purpose: str) -> list[dict]:
    """The DMs posted for rows of this purpose."""
    rows = nudging.deliveries(purpose)
    ts = {r.ts for r in rows if r.state == OutboxState.SENT and r.owner_id == ALICE}
    return [m for m in nudging.dms() if m["ts"] in ts]


def elements(message: dict) -> dict[str, dict]:
    return {
        e["action_id"]: e
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for e in block["elements"]
    }


def click(bot, fake_slack, message, action_id, value=None, *, selected=None, user=ALICE):
    """Press a button (or choose in a menu) of `message`, with its own value unless given."""
    if value is None and selected is None:
        value = elements(message)[action_id]["value"]
    answer = bot.slack.interact(
        message_click(
            action_id,
            value or "",
            message=message,
            channel=DM,
            response_url=fake_slack.response_url(f"click-{action_id}"),
            user=user,
            selected=selected,
        )
    )
    assert answer.status == 200
    bot.settle()


def cadence_option(message: dict, days: int) -> str:
    options = elements(message)[REASSESS_CADENCE]["options"]
    return next(o["value"] for o in options if o["value"].startswith(f"{days}:"))


def told(fake_slack) -> list[str]:
    return [c.args.get("text", "") for c in fake_slack.calls_to("response_url")]


def walk_through(bot, fake_slack, nudging):
    """Keep Grace, Ada every 3 months, ease Linus aside."""
    click(bot, fake_slack, the_message(nudging), KEEP_ACTION)
    message = the_message(nudging)
    click(bot, fake_slack, message, REASSESS_CADENCE, selected=cadence_option(message, 90))
    click(bot, fake_slack, the_message(nudging), EASE_ACTION)


def test_the_dm_comes_at_the_start_of_the_window_three_months_after_the_first_advisor(
    bot, fake_slack, nudging, board
):
    with Session(nudging.engine) as session:
        schedule = schedules.get(session, team_id="T0TEST", purpose=reassess.PURPOSE, key=ALICE)
    assert schedule.next_at == FIRST

    nudging.at(FIRST - timedelta(minutes=1))
    assert reassessments(nudging) == []
    nudging.at(FIRST)

    [shown] = posted(nudging, reassess.PURPOSE)
    said = text_of(shown)
    assert "Reassessing your board* · 1 of 3" in said
    assert "*Grace Hopper*, peer, inside your company" in said
    assert "you planned to stay in touch every 2 weeks" in said
    assert "Still helping with your goals?" in said
    assert set(elements(shown)) == {KEEP_ACTION, REASSESS_CADENCE, EASE_ACTION}
    [reassessment] = reassessments(nudging)
    assert (reassessment.channel_id, reassessment.ts) == (DM, shown["ts"])


def test_keep_cadence_and_ease_aside_walk_the_board_in_one_message(bot, fake_slack, nudging, board):
    grace, ada, linus = board
    nudging.at(FIRST)

    click(bot, fake_slack, the_message(nudging), KEEP_ACTION)
    second = the_message(nudging)
    assert "2 of 3" in text_of(second) and "*Ada Lovelace*" in text_of(second)
    assert "Gives you coaching." in text_of(second)
    assert "So far: Kept Grace Hopper." in json.dumps(second["blocks"])

    click(bot, fake_slack, second, REASSESS_CADENCE, selected=cadence_option(second, 90))
    third = the_message(nudging)
    assert "3 of 3" in text_of(third) and "*Linus Pauling*" in text_of(third)
    assert elements(third)[EASE_ACTION]["confirm"]["title"]["text"] == "Ease aside?"

    click(bot, fake_slack, third, EASE_ACTION)
    last = the_message(nudging)
    assert "Is anyone missing?" in text_of(last)
    assert "Board of 2: the research suggests about 5. Who could you enlist for sponsorship?" in (
        text_of(last)
    )
    assert set(elements(last)) == {REASSESS_ENLIST, REASSESS_DONE}

    assert answers(nudging) == [
        (grace.id, "keep", None),
        (ada.id, "cadence", 90),
        (linus.id, "ease_aside", None),
    ]
    assert advisor(nudging, ada.id).cadence_days == 90
    eased = advisor(nudging, linus.id)
    assert eased is not None and eased.status == AdvisorStatus.ALUMNI  # alumni, never deleted
    assert "Linus Pauling" in home_text(fake_slack)  # among the alumni on Home
    assert len(posted(nudging, reassess.PURPOSE)) == 1  # one message, updated in place
    assert len(fake_slack.calls_to("chat.update")) == 3


def test_anyone_missing_opens_the_enlist_modal_and_done_ends_it(bot, fake_slack, nudging, board):
    nudging.at(FIRST)
    walk_through(bot, fake_slack, nudging)

    click(bot, fake_slack, the_message(nudging), REASSESS_ENLIST)
    modal = latest_view(fake_slack, "views.open")
    assert modal["callback_id"] == ADD_ADVISOR_VIEW
    submit(bot, modal, {"name": "Margaret Hamilton", "relationship": "senior"})
    bot.settle()
    with Session(nudging.engine) as session:
        enlisted = session.exec(select(Advisor).where(Advisor.name == "Margaret Hamilton")).one()
    assert enlisted.status == AdvisorStatus.ACTIVE

    click(bot, fake_slack, the_message(nudging), REASSESS_DONE)
    done = the_message(nudging)
    said = text_of(done)
    assert "*Board reassessed* on Mon, Feb 22." in said
    assert "Kept Grace Hopper. New rhythm for Ada Lovelace (every 3 months)." in said
    assert "Eased aside Linus Pauling: among your alumni, with their history." in said
    assert "The next reassessment comes Mon, May 24." in said
    assert elements(done) == {}
    [reassessment] = reassessments(nudging)
    assert (reassessment.state, reassessment.finished_at) == ("done", FIRST)


def test_it_can_be_left_and_resumed_with_one_reminder_a_week_later(bot, fake_slack, nudging, board):
    grace, ada, linus = board
    nudging.at(FIRST)
    click(bot, fake_slack, the_message(nudging), KEEP_ACTION)

    nudging.at(FIRST + timedelta(days=7) - timedelta(minutes=1))
    assert posted(nudging, reassess.REMIND) == []
    nudging.at(FIRST + timedelta(days=7))
    [reminder] = posted(nudging, reassess.REMIND)
    assert "from Mon, Feb 22 is waiting: 2 advisors to go, starting with *Ada Lovelace*" in (
        text_of(reminder)
    )

    nudging.at(FIRST + timedelta(days=10))  # days later, the old buttons still work
    message = the_message(nudging)
    click(bot, fake_slack, message, REASSESS_CADENCE, selected=cadence_option(message, 7))
    click(bot, fake_slack, the_message(nudging), KEEP_ACTION)
    assert [a[0] for a in answers(nudging)] == [grace.id, ada.id, linus.id]

    nudging.every_hour_until(FIRST + timedelta(days=30))
    assert len(posted(nudging, reassess.REMIND)) == 1  # at most one


def test_no_reminder_once_every_advisor_is_answered_or_it_is_done(bot, fake_slack, nudging, board):
    nudging.at(FIRST)
    walk_through(bot, fake_slack, nudging)

    nudging.at(FIRST + timedelta(days=8))

    assert posted(nudging, reassess.REMIND) == []
    [row] = nudging.deliveries(reassess.REMIND)
    assert row.state == OutboxState.SKIPPED


def test_outside_the_window_the_dm_waits_for_it_to_open(bot, fake_slack, nudging, board):
    nudging.member(nudge_days="2")  # Wednesdays only: the schedule moves to the 4th Wednesday
    nudging.tick()
    nudging.member(nudge_days="2", paused_until=date(2027, 2, 24))  # and that day is paused

    nudging.at(datetime(2027, 2, 24, 8, tzinfo=UTC))
    assert posted(nudging, reassess.PURPOSE) == []
    nudging.at(datetime(2027, 3, 3, 8, tzinfo=UTC))  # the next Wednesday

    assert len(posted(nudging, reassess.PURPOSE)) == 1


def test_two_processes_ticking_at_once_post_it_once(bot, fake_slack, nudging, board, clock):
    tickers = [nudging.ticker("process-a"), nudging.ticker("process-b")]
    clock.advance(seconds=(FIRST - clock.now()).total_seconds())
    start = threading.Barrier(2)

    def tick(ticker):
        start.wait()
        ticker()

    threads = [threading.Thread(target=tick, args=(t,)) for t in tickers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for ticker in tickers:  # whatever one left to the other (a lock, a lease) is done now
        ticker()

    assert len(reassessments(nudging)) == 1
    assert len(posted(nudging, reassess.PURPOSE)) == 1


def test_a_double_click_is_recorded_once(bot, fake_slack, nudging, board):
    grace, *_ = board
    nudging.at(FIRST)
    first = copy.deepcopy(the_message(nudging))  # as Slack showed it before the first click

    click(bot, fake_slack, first, KEEP_ACTION)
    click(bot, fake_slack, first, EASE_ACTION)

    assert answers(nudging) == [(grace.id, "keep", None)]
    assert advisor(nudging, grace.id).status == AdvisorStatus.ACTIVE
    assert "*Ada Lovelace*" in text_of(the_message(nudging))


def test_crafted_clicks_change_nothing(bot, fake_slack, nudging, board):
    grace, ada, _ = board
    nudging.member(BOB)
    bobs = nudging.advisor("Bob's Mentor", last_spoke_on=date(2026, 11, 20), owner=BOB)
    nudging.at(FIRST)
    message = the_message(nudging)
    [reassessment] = reassessments(nudging)
    r = reassessment.id
    updates = len(fake_slack.calls_to("chat.update"))

    click(bot, fake_slack, message, EASE_ACTION, user=BOB)  # Alice's, clicked by Bob
    click(bot, fake_slack, message, REASSESS_DONE, str(r), user=BOB)
    click(bot, fake_slack, message, EASE_ACTION, f"ease_aside:{r}:{bobs.id}")  # not in hers
    click(bot, fake_slack, message, KEEP_ACTION, f"keep:{r}:{ada.id}:extra")
    for garbage in (
        "",
        "keep",
        "keep:x:y",
        f"keep:{r}",
        "keep:99999999999:1",
        f"drop:{r}:{grace.id}",
    ):
        click(bot, fake_slack, message, KEEP_ACTION, garbage)
    click(bot, fake_slack, message, REASSESS_CADENCE, selected=f"5:{r}:{grace.id}")
    click(bot, fake_slack, message, REASSESS_CADENCE, selected=f"-7:{r}:{grace.id}")
    click(bot, fake_slack, message, REASSESS_DONE, "not-a-number")

    assert answers(nudging) == []
    assert advisor(nudging, grace.id).status == AdvisorStatus.ACTIVE
    assert advisor(nudging, bobs.id).status == AdvisorStatus.ACTIVE
    assert reassessments(nudging)[0].state == "open"
    assert all("nothing changed" in said.lower() for said in told(fake_slack))
    moved = fake_slack.calls_to("chat.update")[updates:]
    assert {(c.args["channel"], c.args["ts"]) for c in moved} <= {(DM, message["ts"])}


def test_a_click_from_another_message_updates_only_the_reassessment_message(
    bot, fake_slack, nudging, board
):
    grace, *_ = board
    nudging.at(FIRST)
    message = the_message(nudging)
    other = next(m for m in fake_slack.messages[DM] if m["ts"] != message["ts"])  # a nudge
    crafted = {**other, "blocks": message["blocks"]}

    click(bot, fake_slack, crafted, KEEP_ACTION, elements(message)[KEEP_ACTION]["value"])

    assert answers(nudging) == [(grace.id, "keep", None)]
    [update] = fake_slack.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (DM, message["ts"])


def test_the_setting_turns_it_off_or_spaces_it_out(bot, fake_slack, nudging, board, engine):
    bot.slack.command("settings", response_url=fake_slack.response_url(), user=ALICE)
    bot.settle()
    modal = latest_view(fake_slack, "views.open")
    reassess_block = next(b for b in modal["blocks"] if b.get("block_id") == "reassess")
    assert reassess_block["element"]["initial_option"]["value"] == "3"

    submit(bot, modal, {"reassess": "0"})
    bot.settle()
    nudging.tick()
    with Session(engine) as session:
        assert session.exec(select(Schedule).where(Schedule.purpose == "reassess")).all() == []

    answer = submit(bot, modal, {"reassess": "6"})
    bot.settle()
    assert "reassessed every 6 months" in json.dumps(answer.json())
    nudging.tick()
    with Session(engine) as session:
        schedule = session.exec(select(Schedule).where(Schedule.purpose == "reassess")).one()
    assert schedule.next_at == NEXT

    nudging.at(FIRST)
    assert reassessments(nudging) == []
