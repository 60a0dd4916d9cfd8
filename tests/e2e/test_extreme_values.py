"""Extreme values are refused at the field with a plain line, through the modal and the slash
command alike, and nothing is saved: a control character (a NUL byte, which Postgres cannot
store, or any other C0/C1 control but tab and line breaks) in anything typed, and a date before
the earliest a member can mean (100 years back) or beyond the latest (pause: a year; due: 10
years)."""

import json
import logging
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from core import board, promises
from core.clock import StoppedClock
from core.dates import PAST_YEARS, earliest
from core.errors import Invalid
from core.models import Advisor, Member, Promise, PromiseEvent, Touchpoint
from tests.e2e.helpers import latest_view, open_add_modal, submit
from tests.fakes import TEAM_ID
from tests.payloads import ALICE, direct_message

pytestmark = pytest.mark.usefixtures("workspace")

NUL, BELL, DEL, C1 = "\x00", "\x07", "\x7f", "\x85"
CONTROLS = [NUL, BELL, DEL, C1]
CONTROL_LINE = "has a control character"


def everything(engine) -> list:
    with Session(engine) as session:
        tables = (Advisor, Touchpoint, Promise, PromiseEvent)
        return [row.model_dump() for table in tables for row in session.exec(select(table))]


def command(bot, fake_slack, text: str):
    answer = bot.slack.command(text, response_url=fake_slack.response_url())
    bot.settle()
    return answer


def opened(bot, fake_slack, text: str) -> dict:
    command(bot, fake_slack, text)
    return latest_view(fake_slack, "views.open")


def refused_at(answer, field: str) -> str:
    body = answer.json()
    assert body["response_action"] == "errors", body
    assert list(body["errors"]) == [field]
    return body["errors"][field]


def errors_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("control", CONTROLS, ids=["NUL", "BEL", "DEL", "NEL"])
@pytest.mark.parametrize("field", ["name", "contact", "gains", "notes"])
def test_a_control_character_in_the_add_form_is_refused_at_its_field(
    bot, fake_slack, engine, caplog, field, control
):
    modal = open_add_modal(bot, fake_slack)
    answers = {"relationship": "peer", "name": "Grace Hopper", field: f"Gr{control}ace"}

    with caplog.at_level(logging.ERROR):
        line = refused_at(submit(bot, modal, answers), field)

    assert CONTROL_LINE in line and f"U+{ord(control):04X}" in line
    assert everything(engine) == [] and errors_logged(caplog) == []


def test_tabs_and_line_breaks_are_ordinary_text(bot, fake_slack, engine):
    modal = open_add_modal(bot, fake_slack)
    answers = {"relationship": "peer", "name": "Grace Hopper", "notes": "one\ttwo\r\nthree"}

    assert submit(bot, modal, answers).status == 200

    [grace] = everything(engine)
    assert grace["notes"] == "one\ttwo\r\nthree"


def test_a_control_character_in_a_touchpoint_note_is_refused_in_the_modal_and_the_command(
    bot, fake_slack, engine, grace, caplog
):
    before = everything(engine)
    modal = opened(bot, fake_slack, "log")

    with caplog.at_level(logging.ERROR):
        line = refused_at(
            submit(bot, modal, {"advisor": str(grace.id), "note": f"a{NUL}b"}), "note"
        )
        said = command(bot, fake_slack, f"log <@U0GRACE> coffee{NUL}").json()["text"]

    assert CONTROL_LINE in line and CONTROL_LINE in said and "Nothing was saved" in said
    assert everything(engine) == before and errors_logged(caplog) == []


def test_a_control_character_in_a_promise_is_refused_in_the_modal_and_the_command(
    bot, fake_slack, engine, grace, caplog
):
    before = everything(engine)
    modal = opened(bot, fake_slack, "promise")
    answers = {"advisor": str(grace.id), "what": f"send{NUL} deck", "due": "2026-12-01"}

    with caplog.at_level(logging.ERROR):
        line = refused_at(submit(bot, modal, answers), "what")
        said = command(bot, fake_slack, f"promise <@U0GRACE> send{NUL} deck by tomorrow")

    assert CONTROL_LINE in line and CONTROL_LINE in said.json()["text"]
    assert everything(engine) == before and errors_logged(caplog) == []


@pytest.mark.parametrize(
    "typed",
    [
        f"add Gr{NUL}ace",
        f"log Gr{NUL}ace coffee",
        f"promise Gr{NUL}ace send the deck by tomorrow",
        f"list{NUL}",
        f"promises Gr{BELL}ace",
        f"settings{C1}",
    ],
)
def test_a_control_character_anywhere_in_a_command_is_refused_before_anything_reads_it(
    bot, fake_slack, engine, grace, caplog, typed
):
    before, opened_before = everything(engine), len(fake_slack.calls_to("views.open"))

    with caplog.at_level(logging.ERROR):
        said = command(bot, fake_slack, typed).json()["text"]

    assert CONTROL_LINE in said and "Nothing was saved" in said
    assert len(fake_slack.calls_to("views.open")) == opened_before
    assert everything(engine) == before and errors_logged(caplog) == []


def test_a_reply_with_a_control_character_in_a_nudges_thread_is_answered_there(
    bot, fake_slack, engine, nudging, caplog
):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20))
    nudging.tick()
    [message] = nudging.dms()

    with caplog.at_level(logging.ERROR):
        bot.slack.event(direct_message(f"Called{NUL} her", thread_ts=message["ts"]))
        bot.settle()

    [answer] = [m for m in fake_slack.messages["D0ALICE"] if m.get("thread_ts") == message["ts"]]
    assert CONTROL_LINE in answer["text"] and "Nothing was recorded" in answer["text"]
    with Session(engine) as session:
        assert session.exec(select(Touchpoint)).all() == []
    assert errors_logged(caplog) == []


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01"])
def test_a_last_spoke_date_absurdly_long_ago_is_refused_at_the_field(bot, fake_slack, engine, day):
    modal = open_add_modal(bot, fake_slack)

    line = refused_at(
        submit(bot, modal, {"relationship": "peer", "name": "Grace", "last_spoke": day}),
        "last_spoke",
    )

    assert f"more than {PAST_YEARS} years ago" in line
    assert everything(engine) == []


def test_a_last_spoke_date_long_ago_but_within_reach_is_kept(bot, fake_slack, engine, clock):
    first = earliest(clock.now().date()).isoformat()
    modal = open_add_modal(bot, fake_slack)

    submit(bot, modal, {"relationship": "peer", "name": "Grace", "last_spoke": first})

    [grace] = everything(engine)
    assert grace["last_spoke_at"].date().isoformat() == first


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01"])
def test_a_touchpoint_dated_absurdly_long_ago_is_refused_at_the_field(
    bot, fake_slack, engine, grace, day
):
    before = everything(engine)
    modal = opened(bot, fake_slack, "log")

    line = refused_at(submit(bot, modal, {"advisor": str(grace.id), "date": day}), "date")

    assert f"more than {PAST_YEARS} years ago" in line
    assert everything(engine) == before


@pytest.mark.parametrize(("day", "says"), [("0001-01-01", "past"), ("9999-12-31", "a year")])
def test_a_pause_at_either_end_of_the_calendar_is_refused_at_the_field(
    bot, fake_slack, engine, day, says
):
    modal = opened(bot, fake_slack, "settings")
    with Session(engine) as session:
        before = session.exec(select(Member)).one().model_dump()

    line = refused_at(submit(bot, modal, {"pause": day}), "pause")

    assert says in line
    with Session(engine) as session:
        assert session.exec(select(Member)).one().model_dump() == before


def test_updates_and_renegotiations_refuse_control_characters_and_far_dates(engine, clock, nudging):
    """The update and renegotiate modals' text and date go through these core checks."""
    nudging.member(tz="UTC")
    zone, who = ZoneInfo("UTC"), {"team_id": TEAM_ID, "owner_id": ALICE}
    with Session(engine) as session:
        grace = board.enlist(
            session,
            **who,
            person=board.Person(name="Grace"),
            details=board.Details(),
            last_spoke_on=clock.now().date(),
            zone=zone,
            clock=clock,
        )
        made = promises.make_promise(
            session,
            **who,
            advisor_id=grace.id,
            what="Send the deck",
            due_on=date(2026, 12, 1),
            firmness="promise",
            zone=zone,
            clock=clock,
        )
        session.commit()
        cases = [
            (
                "update",
                lambda: promises.post_update(
                    session, **who, promise_id=made.id, text=f"a{NUL}", clock=clock
                ),
            ),
            (
                "note",
                lambda: promises.renegotiate(
                    session,
                    **who,
                    promise_id=made.id,
                    new_due_on=date(2026, 12, 8),
                    note=f"b{NUL}",
                    zone=zone,
                    clock=StoppedClock(clock.now()),
                ),
            ),
            *[
                (
                    "due",
                    lambda day=day: promises.renegotiate(
                        session,
                        **who,
                        promise_id=made.id,
                        new_due_on=day,
                        note="",
                        zone=zone,
                        clock=clock,
                    ),
                )
                for day in (date(1, 1, 1), date(9999, 12, 31))
            ],
        ]
        for field, call in cases:
            with pytest.raises(Invalid) as refused:
                call()
            assert refused.value.field == field, json.dumps([field, str(refused.value)])
