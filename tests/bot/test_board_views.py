"""The board's Block Kit as data: valid, within Slack's limits, saying what the member needs."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.views.advisor_form import advisor_id_of, build_advisor_modal, read_advisor_form
from bot.views.board import Entry, build_board_message, build_home
from bot.views.touchpoint_form import build_touchpoint_modal, read_touchpoint_form
from core.errors import Invalid
from core.models import Advisor, Promise, Touchpoint
from tests.payloads import state_of

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def an_advisor(n: int, *, due_in_days: float = 10, **fields) -> Advisor:
    values = {
        "id": n,
        "team_id": "T0TEST",
        "owner_id": "U0ALICE",
        "name": f"Advisor {n}",
        "relationship": "peer",
        "cadence_days": 30,
        "last_touch_at": NOW - timedelta(days=20),
        "next_touch_due_at": NOW + timedelta(days=due_in_days),
        "created_at": NOW,
        "updated_at": NOW,
    } | fields
    return Advisor(**values)


def round_trips(view: dict) -> bool:
    return View(**view).to_dict() == view


def test_an_empty_board_explains_itself_and_offers_the_first_advisor():
    home = build_home([], [], now=NOW, zone=PARIS)

    text = json.dumps(home)
    assert "personal board of advisors" in text and "Add your first advisor" in text
    assert round_trips(home)


def test_each_advisor_shows_standing_last_touchpoint_rhythm_local_time_and_buttons():
    grace = an_advisor(
        1, name="Grace", slack_user_id="U0GRACE", tz="America/New_York", due_in_days=-2
    )
    ada = an_advisor(2, name="Ada <Lovelace>", due_in_days=3)
    note = Touchpoint(
        advisor_id=2, at=ada.last_touch_at, how="coffee", note="Talked about the reorg"
    )

    home = build_home([Entry(grace), Entry(ada, note)], ["Old Friend"], now=NOW, zone=PARIS)

    text = json.dumps(home)
    assert ":red_circle: *overdue*" in text and ":large_yellow_circle: *due soon*" in text
    assert "9:00 AM their time" in text  # 14:00 UTC in New York
    assert '(coffee or a meal: \\"Talked about the reorg\\")' in text
    assert "*Ada &lt;Lovelace&gt;*" in text and "every month" in text
    assert "Alumni: Old Friend" in text
    buttons = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {b["value"] for b in buttons} == {"1", "2"}
    assert round_trips(home)


@pytest.mark.parametrize("count", [47, 50, 96, 150])
def test_a_big_board_stays_within_slacks_100_blocks(count):
    entries = [Entry(an_advisor(n, name=f"Advisor {n:03d} " + "x" * 140)) for n in range(count)]

    home = build_home(entries, [f"Alum {n}" for n in range(30)], now=NOW, zone=PARIS)

    assert len(home["blocks"]) <= 100
    assert round_trips(home)
    shown = sum("Advisor " in json.dumps(b) for b in home["blocks"] if b["type"] == "section")
    assert shown == min(count, 95)
    if count > 95:
        assert f"And {count - 95} more" in json.dumps(home)


def test_the_enlist_modal_is_valid_and_the_edit_modal_carries_the_advisor():
    add = build_advisor_modal(today=date(2026, 11, 23), prefill_member="U0GRACE")
    edit = build_advisor_modal(
        today=date(2026, 11, 23),
        advisor=an_advisor(7, support=["coaching"], gains="x" * 3000, notes="n", contact="a@b.c"),
    )

    assert round_trips(add) and round_trips(edit)
    assert add["blocks"][0]["element"]["initial_user"] == "U0GRACE"
    assert advisor_id_of(edit) == 7
    assert advisor_id_of({"private_metadata": "not json"}) is None


def test_the_enlist_modal_reads_back_what_the_member_chose():
    modal = build_advisor_modal(today=date(2026, 11, 23))
    answers = {
        "name": "Ada",
        "relationship": "peer",
        "support": ["coaching", "friendship"],
        "cadence": "14",
        "inside": "outside",
    }

    form = read_advisor_form(state_of(modal, answers)["values"])

    assert (form.name, form.support, form.cadence_days, form.inside_org) == (
        "Ada",
        ("coaching", "friendship"),
        14,
        False,
    )
    assert form.last_spoke_on == date(2026, 11, 23) and form.relationship == "peer"


def test_a_cadence_that_is_not_a_whole_number_is_refused_at_its_field():
    modal = build_advisor_modal(today=date(2026, 11, 23))

    with pytest.raises(Invalid) as caught:
        read_advisor_form(state_of(modal, {"cadence": "2.5"})["values"])

    assert caught.value.field == "cadence"


def test_the_touchpoint_modal_preselects_keeps_the_link_and_shortens_a_long_message():
    board = [an_advisor(n) for n in range(3)]

    modal = build_touchpoint_modal(
        board=board,
        today=date(2026, 11, 23),
        advisor_id=2,
        note="y" * 5000,
        message_link="https://x.slack.com/p1",
    )

    assert round_trips(modal)
    assert modal["blocks"][0]["element"]["initial_option"]["value"] == "2"
    assert len(modal["blocks"][5]["element"]["initial_value"]) == 3000
    form = read_touchpoint_form(state_of(modal, {"how": "call"})["values"])
    assert (form.advisor_id, form.how, form.given_by) == (2, "call", "both")


def test_the_alumni_list_offers_bring_back_history_and_remove_for_each():
    alumni = [Entry(an_advisor(n, next_touch_due_at=None, status="alumni")) for n in range(3)]

    message = build_board_message(alumni, now=NOW, zone=PARIS, alumni=True)

    for block in message["blocks"]:
        assert Block.parse(block).to_dict() == block
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [[e["text"]["text"] for e in a["elements"]] for a in actions] == [
        ["Bring back", "History", "Remove"]
    ] * 3
    assert [a["elements"][0]["value"] for a in actions] == ["0", "1", "2"]


@pytest.mark.parametrize("alumni", [False, True])
def test_a_long_list_stays_within_the_50_blocks_of_a_message(alumni):
    rows = [Entry(an_advisor(n)) for n in range(64)]

    message = build_board_message(rows, now=NOW, zone=PARIS, alumni=alumni)

    assert len(message["blocks"]) <= 50
    assert "Show more (44 left)" in json.dumps(message)


def test_an_overdue_advisor_says_when_it_was_due():
    line = json.dumps(build_home([Entry(an_advisor(1, due_in_days=-3))], [], now=NOW, zone=PARIS))

    assert "*overdue* (was due Fri, Nov 20)" in line


def test_an_advisor_due_today_reads_due_today_not_overdue():
    due_this_morning = an_advisor(1, due_in_days=-0.2)  # 09:12 in Paris, it is 15:00 there

    line = json.dumps(build_home([Entry(due_this_morning)], [], now=NOW, zone=PARIS))

    assert "*due today*" in line and "overdue" not in line and "was due" not in line
    assert "1 due today" in line


def test_a_late_promise_shows_on_the_advisors_line_instead_of_on_track():
    advisor = an_advisor(1, due_in_days=20)
    late = Promise(
        id=7, team_id="T0TEST", owner_id="U0ALICE", advisor_id=1, what="Send the deck",
        due_on=date(2026, 11, 18), due_at=datetime(2026, 11, 18, 23, tzinfo=UTC),
        created_at=NOW - timedelta(days=10),
    )  # fmt: skip

    line = build_home([Entry(advisor, promises=(late,))], [], now=NOW, zone=PARIS)["blocks"][3]

    text = line["text"]["text"]
    assert ":hourglass: *late promise*: “Send the deck”, due Wed, Nov 18" in text
    assert "on track" not in text


@pytest.mark.parametrize(
    ("due", "shown"),
    [
        (date(2026, 12, 3), "due Thu, Dec 3"),
        (date(2027, 1, 8), "due Fri, Jan 8, 2027"),
        (date(2025, 12, 30), "due Tue, Dec 30, 2025"),
    ],
)
def test_a_date_outside_the_current_year_shows_its_year(due, shown):
    promise = Promise(
        id=7, team_id="T0TEST", owner_id="U0ALICE", advisor_id=1, what="Send the deck",
        due_on=due, due_at=datetime.combine(due, datetime.min.time(), tzinfo=UTC),
        created_at=NOW,
    )  # fmt: skip

    home = build_home([Entry(an_advisor(1), promises=(promise,))], [], now=NOW, zone=PARIS)

    assert shown in json.dumps(home, ensure_ascii=False)
