"""`/advisor export` end to end, over HTTP against the fake Slack: answered at once, then two
files in the member's DM (the JSON of their whole record, the CSV of their board), holding what
was typed exactly as typed, named alike after the member's day; the CSV opens in a spreadsheet
as typed (a byte-order mark, formula-like cells quoted) and, imported after forget me, gives back
the same names and contacts; someone the bot never met is remembered in their Slack time zone
and welcomed before the files; a replayed request uploads nothing more; a workspace that refuses
files gets one line in the DM saying why; one member's export holds nothing of another's."""

import csv
import io
import json

import pytest

from bot.ids import FORGET_ME, IMPORT_CONFIRM
from bot.views.export import ON_ITS_WAY
from core.export import CSV_COLUMNS, FORMAT
from tests.e2e.helpers import BOB, GRACE, advisors, enlist
from tests.e2e.nudging import text_of
from tests.fakes import sign
from tests.payloads import (
    ALICE,
    FORM,
    block_action,
    file_shared,
    message_click,
    slash_command,
)

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")

NAME = "Ada “Countess” Lovelace <!channel> R&D 🚀"  # typed into the add form: arrives raw
GAINS = "my notes on *pricing* & <b>code</b>"
NOTE = "coffee at Café Ürsprung & a walk"


def say(bot, fake_slack, text: str, user: str = ALICE):
    answer = bot.slack.command(text, response_url=fake_slack.response_url(), user=user)
    bot.settle()
    return answer


def alices_board(bot, fake_slack):
    enlist(bot, fake_slack, {"member": GRACE, "cadence": "14", "gains": GAINS, "inside": "outside"})
    enlist(
        bot,
        fake_slack,
        {"name": NAME, "contact": "ada@example.com", "relationship": "senior", "cadence": "60"},
    )
    bot.settle()
    say(bot, fake_slack, f"log <@{GRACE}> {NOTE}")
    say(bot, fake_slack, f"promise <@{GRACE}> send the R&D deck by tomorrow")


def files(fake_slack, channel: str = "D0ALICE") -> tuple[dict, list[list[str]]]:
    shared = [u for u in fake_slack.uploads() if u["channel"] == channel]
    [json_file] = [u for u in shared if u["filename"].endswith(".json")]
    [csv_file] = [u for u in shared if u["filename"].endswith(".csv")]
    assert len(shared) == 2
    record = json.loads(json_file["content"].decode("utf-8"))
    assert csv_file["content"].startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(csv_file["content"].decode("utf-8-sig"))))
    return record, rows


def test_the_export_is_answered_at_once_and_arrives_as_two_files_in_the_dm(bot, fake_slack):
    alices_board(bot, fake_slack)

    answer = say(bot, fake_slack, "export")

    assert answer.json()["text"] == ON_ITS_WAY
    record, rows = files(fake_slack)
    assert (record["format"], record["member"]) == (FORMAT, ALICE)
    assert rows[0] == list(CSV_COLUMNS) and len(rows) == 3
    titles = sorted(u["title"] for u in fake_slack.uploads())
    assert titles == [
        "Your advisor-bot export (CSV), Mon, Nov 23",
        "Your advisor-bot export (JSON), Mon, Nov 23",
    ]
    assert all(u["initial_comment"] for u in fake_slack.uploads())


def test_both_files_are_named_alike_after_the_members_day_and_a_second_export_is_numbered(
    bot, fake_slack, clock, nudging
):
    alices_board(bot, fake_slack)
    clock.advance(hours=14, minutes=30)  # 23:30 in UTC, 00:30 on the 24th in Paris

    say(bot, fake_slack, "export")
    clock.advance(minutes=2)
    say(bot, fake_slack, "export")
    nudging.tick()  # what Slack's pace for uploads held back

    named = [(u["filename"], u["title"]) for u in fake_slack.uploads()]
    assert sorted(named) == [
        ("advisor-board-2026-11-24-2.csv", "Your advisor-bot export (CSV), Tue, Nov 24"),
        ("advisor-board-2026-11-24-2.json", "Your advisor-bot export (JSON), Tue, Nov 24"),
        ("advisor-board-2026-11-24.csv", "Your advisor-bot export (CSV), Tue, Nov 24"),
        ("advisor-board-2026-11-24.json", "Your advisor-bot export (JSON), Tue, Nov 24"),
    ]


def test_a_second_exports_lost_upload_is_not_taken_for_the_first_ones_files(
    bot, fake_slack, clock, nudging
):
    alices_board(bot, fake_slack)
    say(bot, fake_slack, "export")
    shares = fake_slack._files_completeUploadExternal

    def lost(args):  # the answer never comes back, and nothing was shared
        raise ConnectionResetError("the answer never came")

    fake_slack._files_completeUploadExternal = lost
    clock.advance(minutes=2)
    say(bot, fake_slack, "export")
    fake_slack._files_completeUploadExternal = shares
    clock.advance(minutes=5)
    nudging.tick()

    assert fake_slack.calls_to("conversations.history"), "looked for, not found"
    assert sorted(u["filename"] for u in fake_slack.uploads()) == [
        "advisor-board-2026-11-23-2.csv",
        "advisor-board-2026-11-23-2.json",
        "advisor-board-2026-11-23.csv",
        "advisor-board-2026-11-23.json",
    ]


def test_someone_never_met_is_remembered_in_their_slack_zone_and_welcomed_before_the_files(
    bot, fake_slack, clock
):
    clock.advance(hours=16)  # 01:00 on the 24th in Tokyo, where Bob is

    assert say(bot, fake_slack, "export", user=BOB).json()["text"] == ON_ITS_WAY

    record, rows = files(fake_slack, channel="D0BOB")
    assert record["settings"]["time_zone"] == "Asia/Tokyo"
    assert rows == [list(CSV_COLUMNS)]
    dm = fake_slack.posted("D0BOB")
    assert [bool(m.get("upload")) for m in dm] == [False, True, True]
    assert text_of(dm[0]).startswith("Welcome to advisor-bot")
    assert [m["files"][0]["name"] for m in dm[1:]] == [
        "advisor-board-2026-11-24.json",
        "advisor-board-2026-11-24.csv",
    ]
    say(bot, fake_slack, "list", user=BOB)
    assert len([m for m in fake_slack.posted("D0BOB") if not m.get("upload")]) == 1  # once


AWKWARD = {  # name: contact, typed into the add form
    "Zoë “Z” O'Brien 🚀": "+33 6 12 34 56 78",
    '=HYPERLINK("http://evil.example","click")': "@home",
    "-Minus Person": "=1+2",
}


def test_the_csv_opens_safely_in_a_spreadsheet_and_imports_back_as_typed(
    bot, fake_slack, engine, nudging
):
    for name, contact in AWKWARD.items():
        enlist(bot, fake_slack, {"name": name, "contact": contact, "cadence": "30"})
    bot.settle()
    say(bot, fake_slack, "export")
    [exported] = [u for u in fake_slack.uploads() if u["filename"].endswith(".csv")]
    _, rows = files(fake_slack)
    cells = {row[0]: row[2] for row in rows[1:]}
    assert cells == {
        "Zoë “Z” O'Brien 🚀": "'+33 6 12 34 56 78",
        '\'=HYPERLINK("http://evil.example","click")': "'@home",
        "'-Minus Person": "'=1+2",
    }
    say(bot, fake_slack, "forget me")
    bot.slack.interact(block_action(FORGET_ME, "me", response_url=fake_slack.response_url("f")))
    bot.settle()
    assert advisors(engine) == []

    shared = fake_slack.share_file(ALICE, exported["filename"], exported["content"])
    bot.slack.event(file_shared(shared))
    bot.settle()
    nudging.tick()
    [preview] = [m for m in fake_slack.posted("D0ALICE") if "3 advisors to add" in text_of(m)]
    bot.slack.interact(
        message_click(
            IMPORT_CONFIRM,
            next(
                e["value"]
                for b in preview["blocks"]
                if b["type"] == "actions"
                for e in b["elements"]
                if e["action_id"] == IMPORT_CONFIRM
            ),
            message=preview,
            channel="D0ALICE",
            response_url=fake_slack.response_url("import"),
        )
    )
    bot.settle()
    nudging.tick()

    assert {a.name: a.contact for a in advisors(engine)} == AWKWARD


def test_what_was_typed_is_in_the_json_exactly_as_typed(bot, fake_slack):
    alices_board(bot, fake_slack)

    say(bot, fake_slack, "export")

    record, _ = files(fake_slack)
    by_name = {a["name"]: a for a in record["advisors"]}
    ada, grace = by_name[NAME], by_name["Grace Hopper"]
    assert (ada["contact"], ada["relationship"], ada["cadence_days"]) == (
        "ada@example.com",
        "senior",
        60,
    )
    assert (grace["slack_user"], grace["gains"], grace["inside_outside"]) == (
        GRACE,
        GAINS,
        "outside",
    )
    [touch] = grace["touchpoints"]
    assert touch["note"] == NOTE
    [promise] = grace["promises"]
    assert promise["what"] == "send the R&D deck"
    assert [e["change"] for e in promise["history"]] == ["made"]


def test_the_csv_lists_the_board_in_its_fixed_columns(bot, fake_slack):
    alices_board(bot, fake_slack)

    say(bot, fake_slack, "export")

    _, rows = files(fake_slack)
    assert rows[0] == list(CSV_COLUMNS)
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name[NAME][1:6] == ["", "ada@example.com", "senior", "inside", "60"]
    assert by_name["Grace Hopper"][1:6] == [GRACE, "", "peer", "outside", "14"]
    assert by_name["Grace Hopper"][6] == "2026-11-23"  # logged today, in Paris


def test_a_replayed_export_request_uploads_nothing_more(bot, fake_slack):
    alices_board(bot, fake_slack)
    body = slash_command("export", response_url=fake_slack.response_url())
    headers = sign(body)

    first = bot.slack.post(body, content_type=FORM, headers=headers)
    bot.settle()
    again = bot.slack.post(body, content_type=FORM, headers=headers)
    bot.settle()

    assert first.json()["text"] == ON_ITS_WAY
    assert again.json()["text"].startswith("Already done")
    assert len(fake_slack.uploads()) == 2


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ("missing_scope", "permission to share files (files:write)"),
        ("file_uploads_disabled", "file uploads are turned off in this workspace"),
    ],
)
def test_a_workspace_that_refuses_files_gets_one_line_saying_why(bot, fake_slack, error, said):
    alices_board(bot, fake_slack)
    fake_slack.fail("files.getUploadURLExternal", error, times=2)

    say(bot, fake_slack, "export")

    assert fake_slack.uploads() == []
    told = [m for m in fake_slack.posted("D0ALICE") if "export" in text_of(m)]
    assert len(told) == 1
    assert said in text_of(told[0]) and "`/advisor export` sends it again" in text_of(told[0])


def test_one_members_export_holds_nothing_of_anothers(bot, fake_slack):
    alices_board(bot, fake_slack)
    enlist(bot, fake_slack, {"name": "Someone Else"}, user=BOB)
    bot.settle()

    say(bot, fake_slack, "export", user=BOB)

    record, rows = files(fake_slack, channel="D0BOB")
    assert record["member"] == BOB
    assert [a["name"] for a in record["advisors"]] == ["Someone Else"]
    assert [row[0] for row in rows[1:]] == ["Someone Else"]
    everything = json.dumps(record, ensure_ascii=False)
    assert "Grace" not in everything and NAME not in everything and ALICE not in everything
