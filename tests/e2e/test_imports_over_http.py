"""`/advisor import` end to end, over HTTP against the fake Slack, on both databases: a CSV
pasted with problems, fixed and saved; a CSV uploaded in the DM, previewed there and imported
on a click, with the report through the outbox; a re-import adds nobody twice; a click carrying
another member's import does nothing for them; what Slack will not hand over or a spreadsheet
is answered with what to do; the JSON of `/advisor export`, after `/advisor forget me`, gives
back the same board; 10,000 rows are acknowledged at once, then previewed and imported with a
report."""

import copy
import json
import re
import time

import pytest
from sqlmodel import Session, select

from bot.ids import (
    FORGET_ME,
    IMPORT_CANCEL,
    IMPORT_CONFIRM,
    IMPORT_EDIT,
    IMPORT_PASTE_VIEW,
    IMPORT_PREVIEW_VIEW,
)
from core import imports
from core.export import export_member
from core.import_reading import HEADER
from core.models import BoardImport, Goal, ImportState
from tests.e2e.helpers import BOB, GRACE, advisors, enlist, home_text, latest_view, submit
from tests.e2e.nudging import text_of
from tests.fakes import Reply
from tests.payloads import (
    ALICE,
    TEAM_ID,
    block_action,
    file_shared,
    message_click,
    modal_click,
    only_named,
    view_submission,
)

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")
DM = "D0ALICE"
CSV = (
    f"{HEADER}\n"
    f"Grace Hopper,<@{GRACE}>,,senior,inside,14,2026-10-01\n"
    "Ada Lovelace,,ada@example.com,Mentor,outside,monthly,\n"
    "Sam Lee,,,peer,outside,,2026-11-02\n"
)
WITH_PROBLEMS = (
    f"{HEADER}\n"
    "Ada Lovelace,,ada@example.com,wizard,outside,30,03/04/2026\n"
    "Sam Lee,,,peer,outside,,2026-11-02\n"
    "Sam Lee,,,peer,,,\n"
)


def say(bot, fake_slack, text: str, user: str = ALICE):
    answer = bot.slack.command(text, response_url=fake_slack.response_url(), user=user)
    bot.settle()
    return answer


def open_paste(bot, fake_slack, user: str = ALICE) -> dict:
    say(bot, fake_slack, "import", user=user)
    return latest_view(fake_slack, "views.open")


def paste(bot, fake_slack, modal: dict, text: str, user: str = ALICE) -> dict:
    """Submit the paste form: the preview, in the answer or (when the text names Slack
    members, looked up after the answer) in the update that follows "Checking…"."""
    answered = submit(bot, modal, {"csv": text}, user=user).json()["view"]
    bot.settle()
    if answered.get("private_metadata"):
        return answered
    assert "Checking the" in json.dumps(answered)
    return latest_view(fake_slack, "views.update")


def dm_messages(fake_slack, channel: str = DM) -> list[dict]:
    """Top-level messages in the DM but the welcome."""
    return [
        m
        for m in fake_slack.posted(channel)
        if not m.get("text", "").startswith("Welcome to advisor-bot")
    ]


def preview_in_dm(fake_slack, channel: str = DM) -> dict:
    """The preview as it was posted (a copy: the fake updates the message it keeps)."""
    found = [m for m in dm_messages(fake_slack, channel) if "to add" in m.get("text", "")]
    return copy.deepcopy(found[-1])


def buttons(message: dict) -> dict[str, str]:
    """Action id -> value of every button in a message."""
    return {
        element["action_id"]: element.get("value", "")
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    }


def upload(bot, fake_slack, name: str, content: bytes, user: str = ALICE, **options) -> dict:
    file = fake_slack.share_file(user, name, content, **options)
    answer = bot.slack.event(file_shared(file, user=user))
    assert answer.status == 200
    bot.settle()
    return file


def click(bot, fake_slack, action: str, message: dict, user: str = ALICE, value=None):
    value = buttons(message)[action] if value is None else value
    channel = "D" + user[1:]
    body = message_click(
        action,
        value,
        message=message,
        channel=channel,
        response_url=fake_slack.response_url(f"click-{user}"),
        user=user,
    )
    assert bot.slack.interact(body).status == 200
    bot.settle()


def names(engine, owner: str = ALICE) -> list[str]:
    return sorted(a.name for a in advisors(engine, owner))


def imports_of(engine, owner: str = ALICE) -> list[BoardImport]:
    with Session(engine) as session:
        query = select(BoardImport).where(BoardImport.owner_id == owner)
        return list(session.exec(query.order_by(BoardImport.id)))


# --- the paste modal


def test_the_command_opens_a_form_showing_the_header_it_expects_and_its_limit(bot, fake_slack):
    modal = open_paste(bot, fake_slack)

    shown = json.dumps(modal, ensure_ascii=False)
    assert modal["callback_id"] == IMPORT_PASTE_VIEW
    assert HEADER in shown
    [field] = [b for b in modal["blocks"] if b["type"] == "input"]
    assert field["element"]["multiline"] and field["element"]["max_length"] == 3000
    assert "3,000 characters" in field["hint"]["text"]
    assert "upload the CSV file in your DM with me" in field["hint"]["text"]


def test_a_pasted_csv_with_problems_is_fixed_then_saved_and_nothing_is_saved_before(
    bot, fake_slack, engine
):
    modal = open_paste(bot, fake_slack)

    answer = submit(bot, modal, {"csv": WITH_PROBLEMS})

    preview = answer.json()["view"]
    shown = text_of({"blocks": preview["blocks"]})
    assert preview["callback_id"] == IMPORT_PREVIEW_VIEW
    assert "*1 advisor to add.*" in shown
    assert "*Row 2* (Ada Lovelace): The relationship “wizard” is not one I know" in shown
    assert "write it as 2026-03-04 or 2026-04-03" in shown
    assert "Row 4 Sam Lee (repeats row 3)" in shown
    assert preview["submit"]["text"] == "Import 1 advisor"
    assert names(engine) == []

    edit = modal_click(IMPORT_EDIT, buttons(preview)[IMPORT_EDIT], view=preview)
    bot.slack.interact(edit)
    bot.settle()
    form = latest_view(fake_slack, "views.update")
    [field] = [b for b in form["blocks"] if b["type"] == "input"]
    assert field["element"]["initial_value"] == WITH_PROBLEMS
    fixed = WITH_PROBLEMS.replace("wizard", "senior").replace("03/04/2026", "2026-04-03")
    preview = submit(bot, form, {"csv": fixed}).json()["view"]
    assert "*2 advisors to add.*" in text_of({"blocks": preview["blocks"]})
    assert names(engine) == []

    done = submit(bot, preview).json()["view"]

    assert done["title"]["text"] == "Imported"
    assert "Imported 2 advisors; 1 row skipped: 1 repeating an earlier row." in json.dumps(done)
    assert names(engine) == ["Ada Lovelace", "Sam Lee"]
    bot.settle()
    assert "Ada Lovelace" in home_text(fake_slack)
    assert [i.state for i in imports_of(engine)] == [ImportState.CANCELLED, ImportState.DONE]


def test_a_paste_without_a_header_gets_one_error_at_the_field_naming_the_columns(
    bot, fake_slack, engine
):
    modal = open_paste(bot, fake_slack)

    answer = submit(bot, modal, {"csv": "Grace Hopper,U0GRACE,senior\n"}).json()

    assert answer["response_action"] == "errors"
    assert "I found no name column" in answer["errors"]["csv"]
    assert HEADER in answer["errors"]["csv"]
    assert imports_of(engine) == [] and names(engine) == []


def test_the_preview_saved_twice_adds_nobody_twice(bot, fake_slack, engine):
    preview = paste(bot, fake_slack, open_paste(bot, fake_slack), CSV)

    first = submit(bot, preview).json()["view"]
    second = submit(bot, preview).json()["view"]

    assert first["title"]["text"] == "Imported"
    assert "saved already: nothing was added twice" in json.dumps(second)
    assert names(engine) == ["Ada Lovelace", "Grace Hopper", "Sam Lee"]


def test_a_saved_advisor_is_on_the_board_as_the_add_form_would_have_put_them(
    bot, fake_slack, engine
):
    preview = paste(bot, fake_slack, open_paste(bot, fake_slack), CSV)

    submit(bot, preview)

    by_name = {a.name: a for a in advisors(engine)}
    grace, ada = by_name["Grace Hopper"], by_name["Ada Lovelace"]
    assert (grace.slack_user_id, grace.relationship, grace.cadence_days) == (GRACE, "senior", 14)
    assert grace.inside_org and not ada.inside_org
    assert (ada.contact, ada.relationship, ada.cadence_days) == ("ada@example.com", "senior", 30)


# --- a file uploaded in the DM


def test_an_uploaded_csv_is_previewed_in_the_dm_and_imported_on_a_click(bot, fake_slack, engine):
    upload(bot, fake_slack, "advisors.csv", CSV.encode())

    preview = preview_in_dm(fake_slack)
    shown = text_of(preview)
    assert "*advisors.csv*: 3 rows read." in shown and "*3 advisors to add.*" in shown
    assert "Grace Hopper" in shown and "every 2 weeks" in shown
    assert set(buttons(preview)) == {IMPORT_CONFIRM, IMPORT_CANCEL}
    assert names(engine) == []

    click(bot, fake_slack, IMPORT_CONFIRM, preview)

    assert names(engine) == ["Ada Lovelace", "Grace Hopper", "Sam Lee"]
    report = dm_messages(fake_slack)[-1]
    assert report["text"].startswith("Imported 3 advisors from *advisors.csv*.")
    shown = next(m for m in fake_slack.posted(DM) if m["ts"] == preview["ts"])
    assert buttons(shown) == {} and "see my report below" in shown["text"]
    assert "Grace Hopper" in home_text(fake_slack)


def test_a_file_named_only_by_its_id_is_described_by_files_info(bot, fake_slack, engine):
    file = fake_slack.share_file(ALICE, "advisors.csv", CSV.encode())

    bot.slack.event(file_shared(only_named(file)))
    bot.settle()

    [asked] = fake_slack.calls_to("files.info")
    assert asked.args["file"] == file["id"]
    [download] = fake_slack.calls_to("download")
    assert download.headers["authorization"] == f"Bearer {fake_slack.token}"
    assert "*3 advisors to add.*" in text_of(preview_in_dm(fake_slack))


def test_the_same_file_delivered_twice_is_read_once(bot, fake_slack, engine):
    file = fake_slack.share_file(ALICE, "advisors.csv", CSV.encode())
    event = file_shared(file)

    bot.slack.event(event)
    bot.slack.event(event)  # Slack's retry carries a new event id of its own
    bot.settle()

    assert len(fake_slack.calls_to("download")) == 1
    assert len([m for m in dm_messages(fake_slack) if "to add" in m["text"]]) == 1


def test_a_re_import_adds_nobody_twice(bot, fake_slack, engine):
    upload(bot, fake_slack, "advisors.csv", CSV.encode())
    click(bot, fake_slack, IMPORT_CONFIRM, preview_in_dm(fake_slack))

    upload(bot, fake_slack, "advisors (1).csv", CSV.encode())

    again = preview_in_dm(fake_slack)
    shown = text_of(again)
    assert "*Nothing to add* from it." in shown
    assert "3 are already on your board or alumni list: nobody is added twice." in shown
    assert buttons(again) == {}
    assert names(engine) == ["Ada Lovelace", "Grace Hopper", "Sam Lee"]


def test_a_second_click_and_a_replay_add_nobody_twice(bot, fake_slack, engine):
    upload(bot, fake_slack, "advisors.csv", CSV.encode())
    preview = preview_in_dm(fake_slack)
    body = message_click(
        IMPORT_CONFIRM,
        buttons(preview)[IMPORT_CONFIRM],
        message=preview,
        channel=DM,
        response_url=fake_slack.response_url("click"),
    )

    bot.slack.interact(body)
    bot.slack.interact(body)
    bot.settle()
    click(bot, fake_slack, IMPORT_CONFIRM, preview)

    assert names(engine) == ["Ada Lovelace", "Grace Hopper", "Sam Lee"]
    assert len([m for m in dm_messages(fake_slack) if m["text"].startswith("Imported 3")]) == 1


def test_a_click_carrying_another_members_import_does_nothing_for_them(bot, fake_slack, engine):
    upload(bot, fake_slack, "advisors.csv", CSV.encode())
    preview = preview_in_dm(fake_slack)
    alices = buttons(preview)[IMPORT_CONFIRM]
    updates_before = len(fake_slack.calls_to("chat.update"))

    for action in (IMPORT_CONFIRM, IMPORT_CANCEL):
        url = fake_slack.response_url(f"bob-{action}")
        bot.slack.interact(block_action(action, alices, user=BOB, response_url=url))
        bot.settle()
        said = fake_slack.calls_to("response_url")[-1].args["text"]
        assert said == "That import is not one of yours (any more), so nothing changed."
    for crafted in ("0", "-1", "99999999999", "x"):
        url = fake_slack.response_url("alice-crafted")
        bot.slack.interact(block_action(IMPORT_CONFIRM, crafted, response_url=url))
        bot.settle()

    assert names(engine) == [] and names(engine, BOB) == []
    assert [i.state for i in imports_of(engine)] == [ImportState.READY]
    assert len(fake_slack.calls_to("chat.update")) == updates_before
    click(bot, fake_slack, IMPORT_CONFIRM, preview)
    assert names(engine) == ["Ada Lovelace", "Grace Hopper", "Sam Lee"]


def test_a_preview_form_carrying_another_members_import_saves_nothing(bot, fake_slack, engine):
    alices = paste(bot, fake_slack, open_paste(bot, fake_slack), CSV)
    bobs = submit(bot, open_paste(bot, fake_slack, user=BOB), {"csv": "name\nPat\n"}, user=BOB)
    crafted = {**bobs.json()["view"], "private_metadata": alices["private_metadata"]}

    answer = submit(bot, crafted, user=BOB).json()["view"]

    assert "not waiting any more, so nothing was saved" in json.dumps(answer)
    assert names(engine) == [] and names(engine, BOB) == []
    assert [i.state for i in imports_of(engine)] == [ImportState.READY]
    assert [i.state for i in imports_of(engine, BOB)] == [ImportState.READY]


def test_cancel_imports_nothing_and_says_so(bot, fake_slack, engine):
    upload(bot, fake_slack, "advisors.csv", CSV.encode())
    preview = preview_in_dm(fake_slack)

    click(bot, fake_slack, IMPORT_CANCEL, preview)
    click(bot, fake_slack, IMPORT_CONFIRM, preview)  # an old button, clicked after

    shown = next(m for m in fake_slack.posted(DM) if m["ts"] == preview["ts"])
    assert shown["text"] == "Cancelled: nothing from *advisors.csv* was imported."
    assert names(engine) == []


def test_an_upload_with_problems_lists_them_and_skips_them_on_import(bot, fake_slack, engine):
    upload(bot, fake_slack, "advisors.csv", WITH_PROBLEMS.encode())
    preview = preview_in_dm(fake_slack)
    shown = text_of(preview)
    assert "1 row has problems: it is skipped if you import now" in shown
    assert "*Row 2* (Ada Lovelace)" in shown

    click(bot, fake_slack, IMPORT_CONFIRM, preview)

    assert names(engine) == ["Sam Lee"]
    report = dm_messages(fake_slack)[-1]["text"]
    assert report.startswith(
        "Imported 1 advisor from *advisors.csv*; 2 rows skipped: 1 with problems (row 2), "
        "1 repeating an earlier row."
    )


def test_more_problems_than_a_message_holds_are_summed_up_and_sent_as_a_file(
    bot, fake_slack, engine
):
    lines = "".join(f"Person {n},,,wizard,,,\n" for n in range(52))
    upload(bot, fake_slack, "big.csv", (f"{HEADER}\nGrace Hopper,,,,,,\n" + lines).encode())

    preview = preview_in_dm(fake_slack)
    shown = text_of(preview)
    assert "_and 37 more rows with problems: every one is in the file I'm sending with this._" in (
        shown
    )
    assert len(preview["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in preview["blocks"] if b.get("text"))
    [listed] = [u for u in fake_slack.uploads() if u["channel"] == DM]
    rows = listed["content"].decode("utf-8-sig").splitlines()
    assert rows[0] == "row,name,problem" and len(rows) == 53
    assert rows[1].startswith('Row 3,Person 0,"The relationship “wizard” is not one I know')


def test_a_spreadsheet_is_answered_with_how_to_save_it_as_csv(bot, fake_slack, engine):
    upload(bot, fake_slack, "advisors.xlsx", b"PK\x03\x04 not a csv")

    [said] = dm_messages(fake_slack)
    assert "I couldn't import *advisors.xlsx*: it is a spreadsheet" in said["text"]
    assert "“CSV UTF-8”" in said["text"]
    assert fake_slack.calls_to("download") == []


def test_a_file_slack_will_not_hand_over_is_answered_and_nothing_is_saved(bot, fake_slack, engine):
    fake_slack.script("download", Reply(302, "", {"Location": f"{fake_slack.base}/signin"}))

    upload(bot, fake_slack, "advisors.csv", CSV.encode())

    [said] = dm_messages(fake_slack)
    assert "Slack would not hand the file over to me: upload it again" in said["text"]
    assert names(engine) == [] and [i.state for i in imports_of(engine)] == [ImportState.FAILED]


def test_a_file_that_is_not_utf8_or_has_no_header_gets_one_clear_answer(bot, fake_slack, engine):
    upload(bot, fake_slack, "latin.csv", "name\nJosé\n".encode("cp1252"))
    upload(bot, fake_slack, "nohead.csv", b"Grace Hopper,U0GRACE,senior\n")

    first, second = dm_messages(fake_slack)
    assert "save it as “CSV UTF-8”" in first["text"]
    assert "I found no name column" in second["text"] and "name,slack_user" in second["text"]


def test_pictures_and_other_files_in_the_dm_are_not_imports(bot, fake_slack, engine):
    upload(bot, fake_slack, "photo.png", b"\x89PNG....")

    assert dm_messages(fake_slack) == [] and imports_of(engine) == []


def test_the_bot_token_is_sent_to_slacks_own_host_only(bot, fake_slack, engine):
    file = fake_slack.share_file(ALICE, "advisors.csv", CSV.encode())
    file["url_private_download"] = "http://attacker.example/files-pri/x/advisors.csv"
    file["url_private"] = file["url_private_download"]

    bot.slack.event(file_shared(file))
    bot.settle()

    assert fake_slack.calls_to("download") == []
    [said] = dm_messages(fake_slack)
    assert "Slack gave no address I can fetch the file from" in said["text"]


def test_an_import_a_stopped_process_left_half_saved_is_finished_by_the_tick_once(
    bot, fake_slack, engine, clock, nudging, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK", 2)
    upload(bot, fake_slack, "advisors.csv", CSV.encode())
    preview = preview_in_dm(fake_slack)
    [pending] = imports_of(engine)
    who = {"team_id": TEAM_ID, "owner_id": ALICE, "import_id": pending.id}
    with Session(engine, expire_on_commit=False) as session, session.begin():
        imports.claim(session, **who, process="stopped", now=clock.now())
        work = imports.saving(session, **who)
    with Session(engine) as session, session.begin():  # one chunk saved, then the process died
        imports.save_chunk(session, work, start=0, process="stopped", now=clock.now(), report=True)
    assert len(names(engine)) == 2

    nudging.tick()  # its lease still holds: nobody else touches it
    assert len(names(engine)) == 2
    clock.advance(minutes=6)
    nudging.tick()
    nudging.tick()

    assert names(engine) == ["Ada Lovelace", "Grace Hopper", "Sam Lee"]
    reports = [m for m in dm_messages(fake_slack) if m["text"].startswith("Imported 3 advisors")]
    assert len(reports) == 1
    shown = next(m for m in fake_slack.posted(DM) if m["ts"] == preview["ts"])
    assert shown["text"] == "Imported *advisors.csv*: see my report below."  # not "Importing…"
    click(bot, fake_slack, IMPORT_CONFIRM, preview)
    assert len(names(engine)) == 3


def test_an_import_no_one_confirmed_is_discarded_a_day_later(
    bot, fake_slack, engine, clock, nudging
):
    upload(bot, fake_slack, "advisors.csv", CSV.encode())
    preview = preview_in_dm(fake_slack)

    clock.advance(hours=23)
    nudging.tick()
    assert len(imports_of(engine)) == 1
    clock.advance(hours=1, minutes=1)
    nudging.tick()

    assert imports_of(engine) == []
    click(bot, fake_slack, IMPORT_CONFIRM, preview)
    said = fake_slack.calls_to("response_url")[-1].args["text"]
    assert said == "That import is not one of yours (any more), so nothing changed."
    assert names(engine) == []


def test_a_replayed_paste_shows_the_same_preview_and_reads_it_once(bot, fake_slack, engine):
    modal = open_paste(bot, fake_slack)
    body = view_submission(modal, {"csv": CSV})

    first = bot.slack.interact(body).json()["view"]
    bot.settle()
    again = bot.slack.interact(body).json()["view"]
    bot.settle()

    assert first == again and "Checking the 1 Slack member it names" in json.dumps(first)
    shown, shown_again = [c.args["view"] for c in fake_slack.calls_to("views.update")]
    assert shown == shown_again and "*3 advisors to add.*" in json.dumps(shown)
    assert len(imports_of(engine)) == 1


# --- export, forget, import


def board_as_shown(bot, fake_slack, engine) -> dict:
    """What the member sees of their board: `/advisor list` (ids out of its buttons) and the
    board's read model (core/export's advisors and goals)."""
    listed = say(bot, fake_slack, "list").json()
    for block in listed.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            element.pop("value", None)
            for option in element.get("options", []):
                option["value"] = re.sub(r"\d+", "#", option["value"])
    with Session(engine) as session:
        record = export_member(session, team_id=TEAM_ID, user_id=ALICE, now=bot_now(fake_slack))
    return {"list": listed, "advisors": record["advisors"], "goals": record["goals"]}


def bot_now(fake_slack):
    return fake_slack.clock.now()


def test_an_export_forgotten_then_imported_gives_back_the_same_board(
    bot, fake_slack, engine, nudging
):
    enlist(bot, fake_slack, {"member": GRACE, "cadence": "14", "gains": "my notes & *code*"})
    enlist(bot, fake_slack, {"name": "Ada “Countess” Lovelace", "contact": "ada@example.com"})
    bot.settle()
    say(bot, fake_slack, f"log <@{GRACE}> coffee at Café Ürsprung")
    say(bot, fake_slack, f"promise <@{GRACE}> send the R&D deck by tomorrow")
    modal = say(bot, fake_slack, "goals") and latest_view(fake_slack, "views.open")
    submit(bot, modal, {"two_years": "Lead a team\nSpeak at a conference", "gap": "Budgets"})
    before = board_as_shown(bot, fake_slack, engine)
    say(bot, fake_slack, "export")
    [exported] = [u for u in fake_slack.uploads() if u["filename"].endswith(".json")]
    say(bot, fake_slack, "forget me")
    url = fake_slack.response_url("forget")
    bot.slack.interact(block_action(FORGET_ME, "me", response_url=url))
    bot.settle()
    assert advisors(engine) == []

    upload(bot, fake_slack, exported["filename"], exported["content"])
    nudging.tick()  # the DM just had the export and a welcome: the tick sends what waits
    preview = preview_in_dm(fake_slack)
    assert "*2 advisors to add.*" in text_of(preview)
    click(bot, fake_slack, IMPORT_CONFIRM, preview)
    nudging.tick()

    after = board_as_shown(bot, fake_slack, engine)
    assert after == before
    with Session(engine) as session:
        assert len(session.exec(select(Goal).where(Goal.owner_id == ALICE)).all()) == 3


# --- 10,000 rows


def test_ten_thousand_rows_are_acknowledged_at_once_then_previewed_and_imported_with_a_report(
    bot, fake_slack, engine
):
    rows = [f"Person {n:05d},,person{n}@example.com,peer,inside,30,2026-10-01" for n in range(9980)]
    rows += [f"Broken {n},,,wizard,,," for n in range(20)]
    content = (HEADER + "\n" + "\n".join(rows) + "\n").encode()
    file = fake_slack.share_file(ALICE, "address-book.csv", content)

    started = time.monotonic()
    answer = bot.slack.event(file_shared(file))
    acked_in = time.monotonic() - started

    assert answer.status == 200 and acked_in < 2.5  # Slack waits 3 s
    bot.listeners.settle(timeout=300)
    preview = preview_in_dm(fake_slack)
    assert "*9,980 advisors to add.*" in text_of(preview)
    assert "20 rows have problems" in text_of(preview)
    assert len(preview["blocks"]) <= 50

    body = message_click(
        IMPORT_CONFIRM,
        buttons(preview)[IMPORT_CONFIRM],
        message=preview,
        channel=DM,
        response_url=fake_slack.response_url("big"),
    )
    started = time.monotonic()
    assert bot.slack.interact(body).status == 200
    assert time.monotonic() - started < 2.5  # Slack waits 3 s
    bot.listeners.settle(timeout=300)

    report = dm_messages(fake_slack)[-1]["text"]
    assert report.startswith(
        "Imported 9,980 advisors from *address-book.csv*; 20 rows skipped: 20 with problems "
        "(row 9982, row 9983"
    )
    assert len(advisors(engine)) == 9980


# --- what a tester found: every way an import could be stuck, crash, or be silent


def an_advisor(name: str, **fields) -> dict:
    """An advisor of an export as /advisor export writes one (a person outside Slack, on the
    board, enlisted a week ago), with `fields` changed."""
    week_ago = "2026-11-16T09:00:00+00:00"
    return {
        "ref": f"a-{name}",
        "name": name,
        "slack_user": None,
        "contact": None,
        "time_zone": None,
        "relationship": "peer",
        "inside_outside": "inside",
        "support": [],
        "gains": "",
        "notes": "",
        "origin": None,
        "closeness": None,
        "cadence_days": 30,
        "status": "active",
        "last_contact": week_ago,
        "last_spoke_at": week_ago,
        "next_touch_due_at": "2026-12-16T09:00:00+00:00",
        "snoozed_until": None,
        "created_at": week_ago,
        "updated_at": week_ago,
        "goals": [],
        "touchpoints": [],
        "promises": [],
    } | fields


def an_export(*advisors: dict) -> bytes:
    record = {
        "format": "advisor-bot export",
        "version": 1,
        "workspace": TEAM_ID,
        "member": ALICE,
        "goals": [],
        "advisors": list(advisors),
    }
    return json.dumps(record, ensure_ascii=False).encode()


WRONG_TYPES = an_export(
    an_advisor("Ada", relationship=["senior"]),
    an_advisor("Bob", status={"active": True}),
    an_advisor("Cy", support="coaching", origin=3),
    an_advisor("Di", touchpoints=[{"at": 5, "how": ["call"], "exchanged": {}, "given_by": 1}]),
    an_advisor("Sam Lee"),
)


def test_an_export_with_values_of_the_wrong_type_is_previewed_with_each_advisors_problems(
    bot, fake_slack, engine
):
    upload(bot, fake_slack, "board.json", WRONG_TYPES)

    shown = text_of(preview_in_dm(fake_slack))
    assert "*board.json*: 5 advisors read." in shown and "*1 advisor to add.*" in shown
    assert "4 records have problems" in shown
    assert "*Advisor 1* (Ada): “relationship” should be one of senior, peer, junior" in shown
    assert "*Advisor 2* (Bob): “status” should be one of active, alumni." in shown
    assert "“support” should be a list of sponsorship" in shown and "“origin” should be" in shown
    assert "Touchpoint 1: “at” should be a moment with its offset" in shown
    click(bot, fake_slack, IMPORT_CONFIRM, preview_in_dm(fake_slack))
    assert names(engine) == ["Sam Lee"]
    assert [i.state for i in imports_of(engine)] == [ImportState.DONE]


def test_a_pasted_export_with_values_of_the_wrong_type_is_previewed_not_refused(
    bot, fake_slack, engine
):
    preview = paste(bot, fake_slack, open_paste(bot, fake_slack), WRONG_TYPES.decode())

    shown = text_of({"blocks": preview["blocks"]})
    assert "*Advisor 1* (Ada): “relationship” should be one of" in shown
    assert preview["submit"]["text"] == "Import 1 advisor"


def test_whatever_fails_while_a_file_is_read_ends_its_import_and_the_member_is_told(
    bot, fake_slack, engine, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in reading")

    monkeypatch.setattr("bot.listeners.imports.read_import", broken)

    upload(bot, fake_slack, "advisors.csv", CSV.encode())

    [said] = dm_messages(fake_slack)
    assert said["text"].startswith(
        "I couldn't import *advisors.csv*: something went wrong on my side while reading it, "
        "not because of anything in it. Upload it again in a few minutes"
    )
    assert [(i.state, i.problem[:20]) for i in imports_of(engine)] == [
        (ImportState.FAILED, "something went wrong")
    ]
    assert "a bug in reading" in caplog.text  # the operator's traceback, not the member's


def test_a_file_a_stopped_process_never_finished_reading_is_ended_by_the_tick_and_said(
    bot, fake_slack, engine, clock, nudging
):
    nudging.member()
    with Session(engine) as session:
        imports.begin(
            session,
            team_id=TEAM_ID,
            owner_id=ALICE,
            source=imports.FILE,
            source_key="F0STOPPED",
            filename="advisors.csv",
            now=clock.now(),
        )
        session.commit()

    nudging.tick()
    assert dm_messages(fake_slack) == []
    clock.advance(minutes=11)
    nudging.tick()

    [said] = dm_messages(fake_slack)
    assert said["text"].startswith("I couldn't import *advisors.csv*: I couldn't finish reading")
    assert [i.state for i in imports_of(engine)] == [ImportState.FAILED]


def test_dates_beyond_what_the_board_takes_are_problems_and_the_rest_is_imported(
    bot, fake_slack, engine, nudging, caplog
):
    promise = {
        "ref": "p1",
        "what": "Send the deck",
        "firmness": "promise",
        "status": "open",
        "due_on": "9999-12-31",
        "original_due_on": "9999-12-31",
        "due_at": "9999-12-31T23:00:00+00:00",
        "renegotiations": 0,
        "last_update_at": None,
        "closed_at": None,
        "created_at": "2026-11-16T09:00:00+00:00",
        "updated_at": "2026-11-16T09:00:00+00:00",
        "history": [],
    }
    upload(
        bot,
        fake_slack,
        "board.json",
        an_export(
            an_advisor("Ada", last_contact="9999-12-31T23:59:59+00:00"),
            an_advisor("Bob", last_contact="0001-01-01T00:00:00+14:00"),
            an_advisor("Cy", promises=[promise]),
            an_advisor("Di", next_touch_due_at="9999-12-31T00:00:00+00:00"),
            an_advisor("Sam Lee"),
        ),
    )
    shown = text_of(preview_in_dm(fake_slack))
    assert "*Advisor 1* (Ada): “last_contact” should be a moment from 1926 up to now." in shown
    assert "*Advisor 2* (Bob): “last_contact” should be a moment from 1926 up to now." in shown
    assert "“due_on” should be a day from 1926-01-01 to 2036-12-31" in shown
    assert "*Advisor 4* (Di): “next_touch_due_at” should be a moment from 1926 to 2036." in shown

    click(bot, fake_slack, IMPORT_CONFIRM, preview_in_dm(fake_slack))
    nudging.tick()

    assert names(engine) == ["Sam Lee"]
    assert [i.state for i in imports_of(engine)] == [ImportState.DONE]
    assert "ERROR" not in [r.levelname for r in caplog.records]


def test_a_board_restored_from_a_crafted_export_shows_on_home_and_in_the_list_and_is_nudged(
    bot, fake_slack, engine, clock, nudging, caplog
):
    touch = {
        "at": "2026-11-20T09:00:00+00:00",
        "how": "coffee",
        "exchanged": [],
        "given_by": "both",
        "note": "",
        "message_link": None,
        "created_at": "2026-11-20T09:00:00+00:00",
    }
    promise = {
        "ref": "p1",
        "what": "Send the deck",
        "firmness": "promise",
        "status": "open",
        "due_on": "2036-12-31",
        "original_due_on": "2036-12-31",
        "due_at": "2036-12-31T23:00:00+00:00",
        "renegotiations": 0,
        "last_update_at": None,
        "closed_at": None,
        "created_at": "2026-11-16T09:00:00+00:00",
        "updated_at": "2026-11-16T09:00:00+00:00",
        "history": [],
    }
    crafted = an_export(
        an_advisor("Never Met", last_contact=None, last_spoke_at=None, next_touch_due_at=None),
        an_advisor("Far Due", next_touch_due_at="2036-12-31T12:00:00+00:00"),
        an_advisor("Touched", last_contact=None, touchpoints=[touch]),
        an_advisor("Promised", promises=[promise], cadence_days=1),
        an_advisor(
            "Old Friend",
            status="alumni",
            next_touch_due_at="2026-11-30T09:00:00+00:00",
            snoozed_until="2026-11-30T09:00:00+00:00",
        ),
    )
    upload(bot, fake_slack, "board.json", crafted)
    preview = preview_in_dm(fake_slack)
    assert "1 advisor has no last contact: the rhythm starts from today." in text_of(preview)

    click(bot, fake_slack, IMPORT_CONFIRM, preview)
    home = home_text(fake_slack)
    listed = json.dumps(say(bot, fake_slack, "list").json(), ensure_ascii=False)
    nudging.tick()
    clock.advance(days=2)
    nudging.tick()

    for name in ("Never Met", "Far Due", "Touched", "Promised"):
        assert name in home and name in listed
    by_name = {a.name: a for a in advisors(engine)}
    assert by_name["Far Due"].next_touch_due_at.year == 2026
    assert by_name["Old Friend"].next_touch_due_at is None
    assert "ERROR" not in [r.levelname for r in caplog.records]
    nudged = [m["text"] for m in dm_messages(fake_slack) if "Promised" in m.get("text", "")]
    assert nudged  # a day's rhythm: the tick planned Alice and nudged her about Promised


SLACK_MEMBERS = (
    f"{HEADER}\n"
    "Deploy,U0DEPLOYBOT,,,,,\n"
    "Gone Person,U0GONE,,,,,\n"
    "Nobody,U0NOBODY99,,,,,\n"
    "Enterprise,W0NOBODY99,,,,,\n"
    f"Dr Grace H.,<@{GRACE}>,,senior,,,\n"
    "Sam Lee,,sam@example.com,peer,,,\n"
)


def test_slack_members_are_checked_with_slack_after_the_upload_is_acknowledged(
    bot, fake_slack, engine
):
    upload(bot, fake_slack, "advisors.csv", SLACK_MEMBERS.encode())

    preview = preview_in_dm(fake_slack)
    shown = text_of(preview)
    assert "*2 advisors to add.*" in shown
    assert "*Row 2* (Deploy): U0DEPLOYBOT is a bot: an advisor is a person you can talk to." in (
        shown
    )
    assert "*Row 3* (Gone Person): U0GONE is no longer in this workspace" in shown
    assert "*Row 4* (Nobody): U0NOBODY99 is not a member of this workspace" in shown
    assert "*Row 5* (Enterprise): W0NOBODY99 is not a member of this workspace" in shown
    looked_up = {c.args["user"] for c in fake_slack.calls_to("users.info")}
    assert {"U0DEPLOYBOT", "U0GONE", "U0NOBODY99", "W0NOBODY99", GRACE} <= looked_up

    click(bot, fake_slack, IMPORT_CONFIRM, preview)

    grace = next(a for a in advisors(engine) if a.slack_user_id == GRACE)
    assert (grace.name, grace.tz) == ("Dr Grace H.", "America/New_York")  # as typed; Slack's zone
    assert names(engine) == ["Dr Grace H.", "Sam Lee"]


def test_a_pasted_csv_naming_slack_members_answers_at_once_then_shows_them_checked(
    bot, fake_slack, engine
):
    modal = open_paste(bot, fake_slack)

    answered = submit(bot, modal, {"csv": SLACK_MEMBERS}).json()["view"]
    bot.settle()

    assert "Checking the 5 Slack members it names with Slack" in json.dumps(answered)
    preview = latest_view(fake_slack, "views.update")
    shown = text_of({"blocks": preview["blocks"]})
    assert "U0DEPLOYBOT is a bot" in shown and "*2 advisors to add.*" in shown
    done = submit(bot, preview).json()["view"]
    assert done["title"]["text"] == "Imported"
    assert names(engine) == ["Dr Grace H.", "Sam Lee"]


def test_past_a_bounded_number_of_slack_members_the_rest_are_said_not_checked(
    bot, fake_slack, engine, monkeypatch
):
    monkeypatch.setattr("bot.listeners.imports.MAX_CHECKED", 2)
    before = len(fake_slack.calls_to("users.info"))

    upload(bot, fake_slack, "advisors.csv", SLACK_MEMBERS.encode())

    shown = text_of(preview_in_dm(fake_slack))
    assert "I checked 2 Slack members with Slack; 3 others were not checked" in shown
    asked = [c.args["user"] for c in fake_slack.calls_to("users.info")[before:]]
    assert asked.count("U0DEPLOYBOT") == 1 and "U0NOBODY99" not in asked


def test_slack_rate_limiting_the_lookups_leaves_the_members_unchecked_and_said(
    bot, fake_slack, engine
):
    say(bot, fake_slack, "help")  # Alice is known: the next users.info is the import's
    fake_slack.rate_limit("users.info", retry_after=120, times=3)

    upload(bot, fake_slack, "advisors.csv", SLACK_MEMBERS.encode())

    shown = text_of(preview_in_dm(fake_slack))
    assert "I couldn't check the 5 Slack members it names with Slack just now" in shown
    assert "*6 advisors to add.*" in shown


def test_a_file_name_in_the_previews_notification_pings_nobody(bot, fake_slack, engine):
    upload(bot, fake_slack, "<!here> <@U0BOB> <!channel>.csv", CSV.encode())

    preview = preview_in_dm(fake_slack)
    assert "<!here>" not in preview["text"] and "<@U0BOB>" not in preview["text"]
    assert "<!channel>" not in preview["text"]
    assert preview["text"].startswith("@here @U0BOB @channel.csv: 3 advisors to add.")


def test_a_pasted_text_with_a_control_character_is_refused_at_the_field(bot, fake_slack, engine):
    modal = open_paste(bot, fake_slack)

    answer = submit(bot, modal, {"csv": "name\nGrace\nGr\x00ace\n"}).json()

    assert answer["response_action"] == "errors"
    assert answer["errors"]["csv"] == (
        "Line 3 has a control character (U+0000) that can't be saved: type it again without it."
    )
    assert imports_of(engine) == []


def test_a_save_that_keeps_failing_ends_with_a_report_and_is_not_retried_for_ever(
    bot, fake_slack, engine, clock, nudging, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in saving")

    monkeypatch.setattr(imports, "_enlist", broken)
    upload(bot, fake_slack, "advisors.csv", CSV.encode())
    preview = preview_in_dm(fake_slack)

    click(bot, fake_slack, IMPORT_CONFIRM, preview)
    shown = next(m for m in fake_slack.posted(DM) if m["ts"] == preview["ts"])
    assert shown["text"].startswith("Importing 3 advisors from *advisors.csv*…")
    for _ in range(imports.MAX_ATTEMPTS):
        clock.advance(minutes=2)
        nudging.tick()

    report = dm_messages(fake_slack)[-1]["text"]
    assert report.startswith(
        "Imported 0 advisors from *advisors.csv*. Then saving stopped: 3 advisors were not "
        "saved, as something went wrong on my side."
    )
    shown = next(m for m in fake_slack.posted(DM) if m["ts"] == preview["ts"])
    assert shown["text"] == "Importing *advisors.csv* stopped part way: see my report below."
    [found] = imports_of(engine)
    assert (found.state, found.attempts) == (ImportState.FAILED, imports.MAX_ATTEMPTS)
    posted = len(fake_slack.posted(DM))
    clock.advance(minutes=10)
    nudging.tick()
    assert len(fake_slack.posted(DM)) == posted and names(engine) == []


def test_a_paste_whose_check_fails_after_the_answer_says_so_in_the_form(
    bot, fake_slack, engine, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug after the answer")

    monkeypatch.setattr("bot.listeners.imports._pasted", broken)
    modal = open_paste(bot, fake_slack)

    answered = submit(bot, modal, {"csv": SLACK_MEMBERS}).json()["view"]
    bot.settle()

    assert "Checking the 5 Slack members" in json.dumps(answered)
    shown = json.dumps(latest_view(fake_slack, "views.update"))
    assert "Nothing was saved" in shown and "Something went wrong on my side" in shown
    assert imports_of(engine) == []
