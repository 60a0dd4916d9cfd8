"""The export, in core: a member's whole record as plain values, their text exactly as typed,
with refs that rebuild the links (an advisor's goals, touchpoints and promises, a reassessment's
advisors, a challenge's circle); nothing of another member or workspace; JSON that reads back
the same; the board's advisors as a CSV with fixed columns, safe to open in a spreadsheet and read
back by `/advisor import` as typed; both files named alike after the member's day."""

import csv
import io
import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from core import board, imports
from core.board import Details, Person
from core.clock import StoppedClock
from core.export import (
    CSV_COLUMNS,
    CSV_FILE,
    FORMAT,
    JSON_FILE,
    VERSION,
    advisors_csv,
    csv_file,
    export_json,
    export_member,
    send_export,
    spreadsheet_cell,
    typed_cell,
)
from core.forget import forget_member
from core.import_reading import decoded, read_csv
from core.members import remember_member
from core.models import Member, Outbox
from tests.core.member_rows import (
    MINE,
    NOW,
    OTHER_TEAM,
    OUTSIDER,
    TEAM,
    THEIRS,
    TYPED,
    seed_everything,
)


def exported(session, user=MINE, team=TEAM) -> dict:
    seed_everything(session)
    return export_member(session, team_id=team, user_id=user, now=NOW)


def test_the_export_says_what_it_is_and_whose(session):
    record = exported(session)

    assert record["format"] == FORMAT == "advisor-bot export"
    assert record["version"] == VERSION == 1
    assert record["exported_at"] == "2026-11-23T09:00:00+00:00"
    assert (record["workspace"], record["member"]) == (TEAM, MINE)


def test_the_settings_are_the_members_own(session):
    settings = exported(session)["settings"]

    assert settings == {
        "time_zone": "Europe/Paris",
        "nudge_days": [0, 2, 4, 6],
        "nudge_start": "08:30",
        "nudge_end": "18:00",
        "paused_until": "2026-12-24",
        "digest": False,
        "one_a_day": True,
        "monday_preview": True,
        "reassess_months": 6,
        "since": "2026-08-25T09:00:00+00:00",
    }


def test_every_field_of_an_advisor_is_there_as_typed(session):
    grace, sam = exported(session)["advisors"]

    assert {k: v for k, v in grace.items() if k not in ("touchpoints", "promises")} == {
        "ref": "a1",
        "name": TYPED["name"],
        "slack_user": OUTSIDER,
        "contact": "grace@example.com",
        "time_zone": "America/New_York",
        "relationship": "senior",
        "inside_outside": "outside",
        "support": ["sponsorship", "coaching"],
        "gains": TYPED["gains"],
        "notes": TYPED["notes"],
        "origin": "former_employer",
        "closeness": 4,
        "cadence_days": 45,
        "status": "active",
        "last_contact": "2026-11-13T09:00:00+00:00",
        "last_spoke_at": "2026-10-14T09:00:00+00:00",
        "next_touch_due_at": "2026-12-28T09:00:00+00:00",
        "snoozed_until": None,
        "created_at": "2026-10-14T09:00:00+00:00",
        "updated_at": "2026-11-13T09:00:00+00:00",
        "goals": ["g2"],
    }
    assert (sam["ref"], sam["name"], sam["status"], sam["goals"]) == ("a2", "Sam Lee", "alumni", [])


def test_touchpoints_and_promises_with_their_history_hang_off_their_advisor(session):
    grace, sam = exported(session)["advisors"]

    assert grace["touchpoints"] == [
        {
            "at": "2026-11-13T09:00:00+00:00",
            "how": "coffee",
            "exchanged": ["advice", "introduction"],
            "given_by": "them",
            "note": TYPED["touch"],
            "message_link": "https://example.slack.com/archives/C1/p1",
            "created_at": "2026-11-13T09:00:00+00:00",
        }
    ]
    [promise] = grace["promises"]
    assert promise["ref"] == "p1"
    assert promise["what"] == TYPED["promise"]
    assert (promise["due_on"], promise["original_due_on"]) == ("2026-12-03", "2026-12-01")
    assert promise["renegotiations"] == 1
    assert [e["change"] for e in promise["history"]] == ["made", "renegotiated", "update"]
    assert promise["history"][1]["old_due_on"] == "2026-12-01"
    assert promise["history"][2]["text"] == TYPED["update"]
    assert promise["history"][2]["sent_to_advisor"] is True
    assert sam["touchpoints"] == [] and sam["promises"] == []


def test_goals_reassessments_and_nudges_point_at_advisors_by_ref(session):
    record = exported(session)

    assert [(g["ref"], g["kind"], g["text"]) for g in record["goals"]] == [
        ("g1", "strength", "Listening"),
        ("g2", "two_years", TYPED["goal"]),
    ]
    [walk] = record["reassessments"]
    assert walk["advisors"] == ["a1", "a2"] and walk["state"] == "done"
    assert [(a["advisor"], a["answer"]) for a in walk["answers"]] == [("a2", "ease_aside")]
    [nudge] = record["nudges"]
    assert (nudge["kind"], nudge["advisor"], nudge["promise"]) == ("touch", "a1", None)
    assert (nudge["outcome"], nudge["outcome_text"]) == ("snoozed", "a week")


def test_circles_and_their_own_challenges_are_there(session):
    record = exported(session)

    circles = {c["name"]: c for c in record["circles"]}
    assert {name: c["role"] for name, c in circles.items()} == {
        f"Circle of {MINE}": "owner",
        "Just me": "owner",
        f"Circle of {THEIRS}": "facilitator",
    }
    own = circles[f"Circle of {MINE}"]
    assert own["channel"] == f"C{MINE}"
    assert own["membership"]["reminders"] is False
    [challenge] = record["challenges"]
    assert challenge["circle"] == own["ref"]
    assert (challenge["text"], challenge["tried"]) == (TYPED["challenge"], "Asked twice")
    assert challenge["check_in"] == "2026-11-22T09:00:00+00:00"
    assert len(record["away"]) == 2
    partners = sorted(p["with"] for p in record["learning_partners"])
    assert partners == [[OUTSIDER, THEIRS], [THEIRS]]


def test_nothing_of_another_member_or_workspace_is_exported(session):
    record = exported(session)
    text = export_json(record)

    assert len(record["advisors"]) == 2
    assert all(a["slack_user"] != MINE for a in record["advisors"])  # THEIRS' advisor is MINE
    assert f"{THEIRS}:" not in text
    elsewhere = export_member(session, team_id=OTHER_TEAM, user_id=MINE, now=NOW)
    assert elsewhere["workspace"] == OTHER_TEAM and len(elsewhere["advisors"]) == 2
    assert export_member(session, team_id=TEAM, user_id="U0NOBODY", now=NOW)["advisors"] == []


def test_the_json_reads_back_the_same_with_text_unescaped(session):
    record = exported(session)
    text = export_json(record)

    assert json.loads(text) == record
    assert TYPED["name"] in text and "Café Ürsprung" in text and "🚀" in text


def test_the_csv_has_the_boards_advisors_in_fixed_columns(session):
    rows = list(csv.reader(io.StringIO(advisors_csv(exported(session)))))

    assert (
        rows[0]
        == list(CSV_COLUMNS)
        == [
            "name",
            "slack_user",
            "email",
            "relationship",
            "inside_outside",
            "cadence_days",
            "last_contact",
        ]
    )
    assert rows[1:] == [
        [TYPED["name"], OUTSIDER, "grace@example.com", "senior", "outside", "45", "2026-11-13"]
    ]


def test_the_csvs_last_contact_is_the_members_day(session):
    record = exported(session)
    record["advisors"][0]["last_contact"] = "2026-11-12T23:30:00+00:00"  # the 13th in Paris

    [_, grace] = list(csv.reader(io.StringIO(advisors_csv(record))))

    assert grace[-1] == "2026-11-13"


def test_someone_with_nothing_gets_an_empty_record_and_a_header(session):
    session.add(Member(team_id=TEAM, user_id="U0NEW", created_at=NOW))
    session.commit()

    record = export_member(session, team_id=TEAM, user_id="U0NEW", now=NOW)

    empty = ("goals", "advisors", "reassessments", "nudges", "circles", "challenges", "away")
    assert all(record[key] == [] for key in empty)
    assert record["settings"]["nudge_days"] == [0, 1, 2, 3, 4]
    assert advisors_csv(record) == ",".join(CSV_COLUMNS) + "\n"


# --- the CSV in a spreadsheet

AWKWARD = {  # name: contact, as typed into /advisor add
    "Zoë “Z” O'Brien 🚀": "+33 6 12 34 56 78",
    '=HYPERLINK("http://evil.example","click")': "@home",
    "-Minus Person": "=1+2",
    "@Ada": "'=quoted-by-hand@example.com",
    "Sam Lee": "sam@example.com",
}


@pytest.mark.parametrize(
    ("typed", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-Minus", "'-Minus"),
        ("@home", "'@home"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("'=typed with a quote", "''=typed with a quote"),
        ("Zoë “Z” O'Brien", "Zoë “Z” O'Brien"),
        ("'Quoted' Quinn", "'Quoted' Quinn"),
        ("a=b", "a=b"),
        ("'", "'"),
        ("", ""),
    ],
)
def test_a_cell_that_would_start_a_formula_gets_one_quote_and_reads_back_as_typed(typed, cell):
    assert spreadsheet_cell(typed) == cell
    assert typed_cell(cell) == typed


def test_only_the_guards_quote_is_taken_off_a_cell_read_back():
    assert typed_cell("'Quoted' Quinn") == "'Quoted' Quinn"
    assert typed_cell("'a") == "'a"
    assert typed_cell("''=x") == "'=x"


def test_the_csv_file_has_a_byte_order_mark_and_no_cell_a_spreadsheet_would_run(session):
    record = exported(session)
    grace = record["advisors"][0]
    grace["name"], grace["contact"] = '=HYPERLINK("http://evil.example","click")', "@home"

    data = csv_file(record)

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[1][:3] == ['\'=HYPERLINK("http://evil.example","click")', OUTSIDER, "'@home"]
    for row in rows[1:]:
        assert all(c[:1] not in ("=", "+", "-", "@", "\t", "\r") for c in row)


def _clock() -> StoppedClock:
    return StoppedClock(NOW)


def _awkward_board(session) -> None:
    remember_member(session, team_id=TEAM, user_id=MINE, tz="Europe/Paris", clock=_clock())
    for name, contact in AWKWARD.items():
        board.enlist(
            session,
            team_id=TEAM,
            owner_id=MINE,
            person=Person(name=name, contact=contact),
            details=Details(cadence_days=30),
            last_spoke_on=date(2026, 11, 2),
            zone=ZoneInfo("Europe/Paris"),
            clock=_clock(),
        )
    session.commit()


def _import_csv(session, data: bytes) -> imports.Saved:
    import_id = imports.begin(
        session,
        team_id=TEAM,
        owner_id=MINE,
        source=imports.FILE,
        source_key="F1",
        filename="advisor-board-2026-11-23.csv",
        now=NOW,
    )
    reading = read_csv(decoded(data), owner_id=MINE, zone=ZoneInfo("Europe/Paris"), now=NOW)
    assert reading.problems == [] and reading.repeats == []
    imports.checked(
        session, team_id=TEAM, owner_id=MINE, import_id=import_id, reading=reading, now=NOW
    )
    session.commit()
    engine = session.get_bind()
    return imports.save(
        lambda: Session(engine, expire_on_commit=False),
        team_id=TEAM,
        owner_id=MINE,
        import_id=import_id,
        process="p",
        clock=_clock(),
        report=False,
    )


def _people(record: dict) -> dict:
    return {
        a["name"]: (a["contact"], a["cadence_days"], a["last_contact"][:10])
        for a in record["advisors"]
    }


def test_the_csv_exported_forgotten_and_imported_gives_back_the_same_names_and_contacts(session):
    _awkward_board(session)
    before = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    data = csv_file(before)
    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    remember_member(session, team_id=TEAM, user_id=MINE, tz="Europe/Paris", clock=_clock())
    session.commit()

    saved = _import_csv(session, data)

    after = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    assert saved.added == len(AWKWARD)
    assert {n: c for n, (c, *_) in _people(after).items()} == AWKWARD
    assert _people(after) == _people(before)
    assert csv_file(after) == data


# --- the files' names


def _exports(session) -> list[Outbox]:
    session.expire_all()
    query = select(Outbox).where(Outbox.owner_id == MINE, Outbox.team_id == TEAM)
    return list(session.exec(query.where(Outbox.purpose.in_([JSON_FILE, CSV_FILE]))))


def test_both_files_of_an_export_are_named_alike_after_the_members_own_day(session):
    remember_member(session, team_id=TEAM, user_id=MINE, tz="Asia/Tokyo", clock=_clock())
    late = NOW + timedelta(hours=16)  # 01:00 on the 24th in Tokyo, the 23rd in UTC

    made = send_export(session, team_id=TEAM, owner_id=MINE, now=late)

    rows = _exports(session)
    assert sorted(r.id for r in rows) == sorted(made) and len(made) == 2
    assert {r.payload["name"] for r in rows} == {"advisor-board-2026-11-24"}
    assert {r.payload["day"] for r in rows} == {"2026-11-24"}


def test_a_second_export_the_same_day_is_numbered_and_a_replay_adds_none(session):
    remember_member(session, team_id=TEAM, user_id=MINE, tz="Europe/Paris", clock=_clock())
    send_export(session, team_id=TEAM, owner_id=MINE, now=NOW)
    send_export(session, team_id=TEAM, owner_id=MINE, now=NOW + timedelta(minutes=1))

    again = send_export(session, team_id=TEAM, owner_id=MINE, now=NOW + timedelta(minutes=1))
    send_export(session, team_id=TEAM, owner_id=MINE, now=NOW + timedelta(days=1))

    assert again == []
    names = sorted((r.payload["name"], r.purpose) for r in _exports(session))
    assert names == [
        ("advisor-board-2026-11-23", CSV_FILE),
        ("advisor-board-2026-11-23", JSON_FILE),
        ("advisor-board-2026-11-23-2", CSV_FILE),
        ("advisor-board-2026-11-23-2", JSON_FILE),
        ("advisor-board-2026-11-24", CSV_FILE),
        ("advisor-board-2026-11-24", JSON_FILE),
    ]
