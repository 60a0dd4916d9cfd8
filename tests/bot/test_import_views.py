"""`/advisor import` as Block Kit data: the paste form shows the header and Slack's limit; a
preview within Slack's limits however many rows have problems and however long what was typed
(at most 50 blocks in a message, 100 in a modal, 3,000 characters a section), the rest summed
up; typed text shown as typed and never pinging anyone; the report's words; every problem in
the CSV file; the bot token only ever sent to Slack's own host."""

import codecs
import json
from datetime import UTC, date, datetime

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.ids import IMPORT_CANCEL, IMPORT_CONFIRM, IMPORT_EDIT
from bot.slack_files import is_slacks
from bot.views.imports import (
    build_checking_modal,
    build_not_saved_notice,
    build_paste_modal,
    build_preview_message,
    build_preview_modal,
    problems_csv,
    report_text,
)
from core.import_reading import HEADER
from core.imports import SAVE_FAILED
from core.models import BoardImport, ImportState

TODAY = date(2026, 11, 23)
PINGS = "<!channel> <@U0BOSS> <!subteam^S1|@team>"
LONG = "Ada " + "x" * 160


def an_import(rows: int = 3, problems: int = 0, skipped: int = 0, **fields) -> BoardImport:
    values = {
        "id": 7,
        "team_id": "T0TEST",
        "owner_id": "U0ALICE",
        "source": "file",
        "source_key": "F1",
        "filename": "advisors.csv",
        "kind": "csv",
        "state": ImportState.READY,
        "total": rows + problems + skipped,
        "rows": [
            {
                "row": n + 2,
                "name": f"Person {n}",
                "slack_user_id": None,
                "contact": None,
                "relationship": "family_friend" if n % 2 else "senior",
                "inside_org": bool(n % 2),
                "cadence_days": 14 if n % 2 else None,
                "last_spoke_on": "2026-10-01" if n % 2 else None,
            }
            for n in range(rows)
        ],
        "problems": [
            {
                "row": 1000 + n,
                "where": f"Row {1000 + n}",
                "name": f"{LONG} {PINGS}",
                "problems": [f"the relationship “{PINGS}” is not one I know." * 3] * 4,
            }
            for n in range(problems)
        ],
        "skipped": [
            {"row": 5000 + n, "where": f"Row {5000 + n}", "name": PINGS, "why": "repeats row 2"}
            for n in range(skipped)
        ],
        "notes": [f"Columns I don't use are left out: “{PINGS}”."],
        "created_at": datetime(2026, 11, 23, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 23, tzinfo=UTC),
    }
    return BoardImport(**(values | fields))


def texts(blocks: list[dict]) -> list[str]:
    found = []
    for block in blocks:
        if block.get("text"):
            found.append(block["text"]["text"])
        found += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return found


def valid_message(message: dict) -> None:
    for block in message["blocks"]:
        Block.parse(block).validate_json()
    assert len(message["blocks"]) <= 50
    assert all(len(text) <= 3000 for text in texts(message["blocks"]))


def test_the_paste_form_shows_the_header_and_says_slacks_limit_and_the_way_past_it():
    modal = build_paste_modal()

    View(**modal).validate_json()
    assert HEADER in modal["blocks"][0]["text"]["text"]
    [field] = [b for b in modal["blocks"] if b["type"] == "input"]
    assert field["element"]["max_length"] == 3000 and field["element"]["multiline"]
    assert "3,000 characters" in field["hint"]["text"]
    assert "upload the CSV file in your DM" in field["hint"]["text"]


def test_the_paste_form_given_back_holds_the_text_as_pasted():
    text = f"{HEADER}\n{PINGS},,,,,,\n"

    [field] = [b for b in build_paste_modal(text)["blocks"] if b["type"] == "input"]

    assert field["element"]["initial_value"] == text


@pytest.mark.parametrize("problems", [0, 1, 15, 16, 200, 10_000])
def test_a_preview_in_the_dm_stays_within_slacks_limits_however_many_problems(problems):
    message = build_preview_message(an_import(rows=50, problems=problems, skipped=300), TODAY)

    valid_message(message)
    shown = "\n".join(texts(message["blocks"]))
    if problems > 15:
        more = problems - 15
        assert f"and {more:,} more row{'s' if more > 1 else ''} with problems" in shown
        assert "every one is in the file I'm sending with this" in shown
    assert shown.count("• *Row ") == min(problems, 15)
    assert "_and 40 more_" in shown  # advisors to add, past the first ten
    assert "_and 290 more_" in shown  # rows set aside, past the first ten


@pytest.mark.parametrize("problems", [0, 16, 10_000])
def test_a_preview_in_the_modal_stays_within_slacks_limits_and_offers_to_edit(problems):
    modal = build_preview_modal(an_import(rows=50, problems=problems, skipped=300), TODAY)

    View(**modal).validate_json()
    assert len(modal["blocks"]) <= 100
    assert modal["submit"]["text"] == "Import 50 advisors"
    assert modal["blocks"][-1]["elements"][0]["action_id"] == IMPORT_EDIT
    if problems:
        assert "fix these, then check again to see the rest" in "\n".join(texts(modal["blocks"]))


def test_a_preview_with_nothing_to_add_offers_no_import():
    modal = build_preview_modal(an_import(rows=0, skipped=3), TODAY)
    message = build_preview_message(an_import(rows=0, skipped=3), TODAY)

    assert "submit" not in modal
    assert not [b for b in message["blocks"] if b["type"] == "actions"]
    assert "*Nothing to add* from it." in message["blocks"][0]["text"]["text"]


def test_the_dms_preview_carries_the_imports_id_on_its_two_buttons():
    message = build_preview_message(an_import(rows=3), TODAY)

    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        (IMPORT_CONFIRM, "7"),
        (IMPORT_CANCEL, "7"),
    ]
    assert actions["elements"][0]["text"]["text"] == "Import 3 advisors"


def test_what_was_typed_is_shown_as_typed_and_pings_nobody():
    message = build_preview_message(an_import(rows=2, problems=2, skipped=2), TODAY)

    shown = "\n".join(texts(message["blocks"])) + message["text"]
    assert "<!channel>" not in shown and "<@U0BOSS>" not in shown and "<!subteam" not in shown
    assert "@channel @U0BOSS @team" in shown


def test_each_advisor_to_add_is_shown_as_the_board_would_read_them():
    shown = "\n".join(texts(build_preview_message(an_import(rows=2), TODAY)["blocks"]))

    assert "• *Person 0* · senior · outside · the usual rhythm · last contact today" in shown
    assert (
        "• *Person 1* · family or friend · inside · every 2 weeks · last contact Thu, Oct 1"
        in shown
    )


@pytest.mark.parametrize(
    "state, says",
    [
        (ImportState.APPLYING, "Importing 3 advisors from *advisors.csv*… I'll write here"),
        (ImportState.DONE, "Imported *advisors.csv*: see my report below."),
        (ImportState.CANCELLED, "Cancelled: nothing from *advisors.csv* was imported."),
    ],
)
def test_once_answered_the_dms_preview_says_what_became_of_it_without_buttons(state, says):
    message = build_preview_message(an_import(state=state), TODAY)

    assert message["text"].startswith(says)
    assert not [b for b in message["blocks"] if b["type"] == "actions"]


def test_a_file_that_could_not_be_read_says_why_and_that_nothing_was_saved():
    message = build_preview_message(
        an_import(state=ImportState.FAILED, problem=f"I found no name column. {PINGS}"), TODAY
    )

    valid_message(message)
    assert message["text"].startswith("I couldn't import *advisors.csv*: I found no name column.")
    assert "Nothing was saved." in message["text"] and "<!channel>" not in message["text"]


@pytest.mark.parametrize(
    "summary, said",
    [
        (
            {"added": 3, "problems": 0, "problem_rows": [], "already": 0, "repeats": 0},
            "Imported 3 advisors. They're on my Home tab",
        ),
        (
            {"added": 1, "problems": 1, "problem_rows": ["Row 5"], "already": 1, "repeats": 0},
            "Imported 1 advisor; 2 rows skipped: 1 with problems (row 5), 1 already on your "
            "board or alumni list.",
        ),
        (
            {
                "added": 9980,
                "problems": 20,
                "problem_rows": [f"Row {n}" for n in range(2, 12)],
                "already": 0,
                "repeats": 0,
                "filename": "book.csv",
            },
            "Imported 9,980 advisors from *book.csv*; 20 rows skipped: 20 with problems (row 2, "
            "row 3, row 4, row 5, row 6, row 7, row 8, row 9, row 10, row 11 and 10 more).",
        ),
        (
            {"added": 0, "problems": 0, "problem_rows": [], "already": 3, "repeats": 0},
            "Imported 0 advisors; 3 rows skipped: 3 already on your board or alumni list.",
        ),
    ],
)
def test_the_report_says_how_many_were_imported_and_why_the_others_were_not(summary, said):
    text = report_text(summary)

    assert text.startswith(said)
    assert ("Home tab" in text) == (summary["added"] > 0)


def test_every_problem_is_a_line_of_the_csv_file():
    found = an_import(problems=2)

    lines = problems_csv(found.problems).decode("utf-8-sig").splitlines()

    assert problems_csv(found.problems).startswith(codecs.BOM_UTF8)  # Excel reads it as UTF-8
    assert lines[0] == "row,name,problem"
    assert len(lines) == 1 + 2 * 4
    assert lines[1].startswith(f"Row 1000,{LONG} {PINGS},The relationship “{PINGS}” is not")


@pytest.mark.parametrize(
    "url, api, sent",
    [
        ("https://files.slack.com/files-pri/T1-F1/a.csv", "https://slack.com/api/", True),
        ("https://slack.com/files-pri/T1-F1/a.csv", "https://slack.com/api/", True),
        ("https://files.slack-gov.com/files-pri/T1-F1/a.csv", "https://slack-gov.com/api/", True),
        ("http://127.0.0.1:4000/files-pri/T1-F1/a.csv", "http://127.0.0.1:4000/api/", True),
        ("http://files.slack.com/files-pri/T1-F1/a.csv", "https://slack.com/api/", False),
        ("https://slack.com.evil.example/a.csv", "https://slack.com/api/", False),
        ("https://evilslack.com/a.csv", "https://slack.com/api/", False),
        ("https://user:pw@files.slack.com/a.csv", "https://slack.com/api/", False),
        ("http://127.0.0.2:4000/files-pri/a.csv", "http://127.0.0.1:4000/api/", False),
        ("file:///etc/passwd", "https://slack.com/api/", False),
        ("", "https://slack.com/api/", False),
    ],
)
def test_the_bot_token_goes_only_to_slacks_own_hosts(url, api, sent):
    assert is_slacks(url, api) is sent


def test_the_dms_preview_notification_shows_the_files_name_pinging_nobody():
    message = build_preview_message(an_import(rows=2, filename=f"{PINGS} <!here>.csv"), TODAY)

    assert "<!here>" not in message["text"] and "<!channel>" not in message["text"]
    assert "<@U0BOSS>" not in message["text"]
    assert message["text"].startswith("@channel @U0BOSS @team @here.csv: 2 advisors to add.")


def test_an_exports_preview_counts_records_not_rows():
    found = an_import(rows=0, problems=3, kind="json", filename="advisor-board.json")

    message = build_preview_message(found, TODAY)

    shown = "\n".join(texts(message["blocks"]))
    assert message["text"] == (
        "advisor-board.json: 0 advisors to add, 3 records with problems. Nothing is saved yet."
    )
    assert "3 records have problems" in shown and " row" not in message["text"]


def test_a_report_of_an_export_counts_records_and_says_earlier_ones():
    text = report_text(
        {"added": 1, "problems": 0, "problem_rows": [], "already": 0, "repeats": 2, "kind": "json"}
    )

    assert text.startswith("Imported 1 advisor; 2 records skipped: 2 repeating an earlier record.")


def test_a_save_that_stopped_says_what_was_saved_what_was_not_and_what_to_do():
    summary = {
        "failed": True,
        "not_saved": 1_234,
        "added": 2_000,
        "problems": 0,
        "problem_rows": [],
        "already": 0,
        "repeats": 0,
        "filename": "book.csv",
    }

    text = report_text(summary)
    shown = build_preview_message(an_import(state=ImportState.FAILED, problem=SAVE_FAILED), TODAY)[
        "text"
    ]

    assert text.startswith(
        "Imported 2,000 advisors from *book.csv*. Then saving stopped: 1,234 advisors were not "
        "saved, as something went wrong on my side. Each advisor is saved whole (with their "
        "touchpoints and promises) or not at all. To add the rest, import the same file again"
    )
    assert shown == "Importing *advisors.csv* stopped part way: see my report below."
    assert "Nothing was saved" not in shown


def test_the_paste_forms_answer_while_slack_members_are_checked_is_a_valid_modal():
    modal = build_checking_modal(1_200)

    View(**modal).validate_json()
    assert "Checking the 1,200 Slack members it names with Slack" in json.dumps(modal)
    assert "submit" not in modal


@pytest.mark.parametrize(
    "summary, says",
    [
        ({}, "I'll try again in a minute, and write to you in our DM once it's done"),
        (
            {"failed": True, "not_saved": 1, "added": 0, "problems": 0, "problem_rows": []}
            | {"already": 0, "repeats": 0},
            "Imported 0 advisors. Then saving stopped: 1 advisor was not saved",
        ),
    ],
)
def test_a_pasted_import_whose_save_failed_says_so_in_the_form(summary, says):
    modal = build_not_saved_notice(ImportState.APPLYING, summary)

    View(**modal).validate_json()
    assert says in json.dumps(modal, ensure_ascii=False)


def test_a_name_that_would_start_a_formula_is_shown_in_the_problems_file_never_run():
    problems = [{"where": "Row 2", "name": '=HYPERLINK("http://x","y")', "problems": ["bad"]}]

    [_, line] = problems_csv(problems).decode("utf-8-sig").splitlines()

    assert line.startswith("Row 2,\"'=HYPERLINK(")
