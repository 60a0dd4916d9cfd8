"""Reading an import, in core (no database): a CSV's header forgiving about case, spaces and
synonyms, one clear error when there is no header to read; each value of a row read the way
`/advisor add` takes it, each problem said with what to write instead; dates never read wrong
silently; repeats within the file set aside; the CSV and the JSON `/advisor export` writes read
back as they were written."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core import cadence
from core.export import advisors_csv, export_json, export_member
from core.import_reading import (
    BOT,
    EXPECTED,
    GONE,
    MAX_ROWS,
    PERSON,
    UNKNOWN,
    SlackMember,
    Unreadable,
    decoded,
    notes_for,
    read_csv,
    read_export,
    read_import,
    with_members,
)
from tests.core.member_rows import MINE, TEAM, TYPED, seed_everything

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
ALICE = "U0ALICE"


def read(text: str, zone=PARIS):
    return read_csv(text, owner_id=ALICE, zone=zone, now=NOW)


def one_row(header: str, line: str, zone=PARIS) -> dict:
    [row] = read(f"{header}\n{line}\n", zone).rows
    return row


def problems_of(header: str, line: str, zone=PARIS) -> list[str]:
    [problem] = read(f"{header}\n{line}\n", zone).problems
    return list(problem.problems)


@pytest.mark.parametrize(
    "header",
    [
        "name,slack_user,email,relationship,inside_outside,cadence_days,last_contact",
        "Name,Slack User,E-mail,Relationship,Inside/Outside,Cadence (days),Last Contact",
        " NAME , slack id , Email Address , seniority , inside or outside , frequency , last spoke",
        "Full name;Member ID;Contact;Role;Internal/External;How often;Last contacted",
        "advisor\tslack\tmail\ttype\twhere\tcadence\tlast met",
    ],
)
def test_a_header_is_read_whatever_its_case_spaces_separator_or_synonyms(header):
    separator = ";" if ";" in header else "\t" if "\t" in header else ","
    line = separator.join(["Grace Hopper", "U0GRACE", "", "senior", "outside", "14", "2026-10-01"])

    assert one_row(header, line) == {
        "row": 2,
        "name": "Grace Hopper",
        "slack_user_id": "U0GRACE",
        "contact": None,
        "relationship": "senior",
        "inside_org": False,
        "cadence_days": 14,
        "last_spoke_on": "2026-10-01",
    }


@pytest.mark.parametrize(
    "text, says",
    [
        ("Grace Hopper,U0GRACE,senior\n", "I found no name column"),
        ("email,relationship\ngrace@example.com,peer\n", "I found no name column"),
        ("name,full name\nGrace,Grace Hopper\n", "Two columns mean the same thing"),
        ("", "There is nothing to import yet"),
        ("\n\n  \n", "There is nothing to import yet"),
    ],
)
def test_a_missing_or_wrong_header_is_one_clear_error_naming_the_expected_columns(text, says):
    with pytest.raises(Unreadable) as caught:
        read(text)

    assert says in str(caught.value)
    assert EXPECTED in str(caught.value)


def test_only_a_name_is_needed_and_the_rest_takes_what_the_add_form_would():
    reading = read("name\nGrace Hopper\n")

    assert reading.rows == [
        {
            "row": 2,
            "name": "Grace Hopper",
            "slack_user_id": None,
            "contact": None,
            "relationship": "other",
            "inside_org": True,
            "cadence_days": None,
            "last_spoke_on": None,
        }
    ]
    assert notes_for(reading, reading.rows) == [
        "1 row names no relationship: added as “other” (change it with Edit on my Home tab).",
        "1 row has no last contact: the rhythm starts from today.",
    ]


def test_notes_agree_with_their_counts_and_say_nothing_of_rows_not_added():
    reading = read("name,relationship\nGrace,\nSam,\nPat,peer\n")

    assert notes_for(reading, reading.rows) == [
        "2 rows name no relationship: added as “other” (change it with Edit on my Home tab).",
        "3 rows have no last contact: the rhythm starts from today.",
    ]
    assert notes_for(reading, []) == []  # nothing to add (all on the board already)


@pytest.mark.parametrize(
    "typed, kind",
    [
        ("senior", "senior"),
        ("Senior to me (sponsor, boss, executive)", "senior"),
        ("Sponsor", "senior"),
        ("mentor", "senior"),
        ("PEER", "peer"),
        ("co-worker", "peer"),
        ("junior", "junior"),
        ("Mentee", "junior"),
        ("direct report", "junior"),
        ("Family or friend", "family_friend"),
        ("family_friend", "family_friend"),
        ("friend", "family_friend"),
        ("other", "other"),
        ("Manager (former)", "senior"),
        ("my manager", "senior"),
        ("Skip-level", "senior"),
        ("VP", "senior"),
        ("Director", "senior"),
        ("former colleague", "peer"),
        ("Teammate", "peer"),
        ("intern", "junior"),
        ("an old friend", "family_friend"),
        ("Spouse", "family_friend"),
    ],
)
def test_relationships_are_the_boards_words_or_their_usual_synonyms(typed, kind):
    assert one_row("name,relationship", f'Grace,"{typed}"')["relationship"] == kind


@pytest.mark.parametrize(
    "typed",
    [
        "up and coming",  # was "up": senior
        "Other team lead",  # was "other"
        "senior peer",
        "manager's manager's peer",
        "lead",  # a lead, a coach: a peer as often as a senior
        "coach",
        "partner",  # a spouse, or a firm's senior partner
        "bossy",
    ],
)
def test_a_relationship_is_never_guessed_from_one_word_and_the_words_understood_are_listed(typed):
    [problem] = problems_of("name,relationship", f'Grace,"{typed}"')

    assert problem.startswith(f"the relationship “{typed}” is not one I know: write senior, peer")
    assert "I understand senior (or sponsor, boss, manager" in problem
    assert "junior (or mentee, direct report, intern)" in problem


@pytest.mark.parametrize(
    "header, typed, inside",
    [
        ("inside_outside", "inside", True),
        ("inside_outside", "Outside", False),
        ("inside_outside", "external", False),
        ("inside_outside", "Inside my organisation", True),
        ("inside", "yes", True),
        ("inside", "no", False),
        ("internal", "FALSE", False),
    ],
)
def test_inside_or_outside_is_read_in_words_or_as_yes_and_no_under_an_inside_column(
    header, typed, inside
):
    assert one_row(f"name,{header}", f"Grace,{typed}")["inside_org"] is inside


@pytest.mark.parametrize(
    "typed, days",
    [
        ("30", 30),
        ("45 days", 45),
        ("weekly", 7),
        ("every week", 7),
        ("every 2 weeks", 14),
        ("fortnightly", 14),
        ("monthly", 30),
        ("every 3 months", 90),
        ("quarterly", 90),
        ("yearly", 365),
        ("1", 1),
        ("365", 365),
        ("", None),
        ("every 90 days", 90),
        ("every 2 days", 2),
        ("every other week", 14),
        ("every two weeks", 14),
        ("Every Other Month", 60),
        ("twice a month", 15),
        ("semi-monthly", 15),
        ("once every 3 months", 90),
        ("3 times a year", 122),
        ("twice a week", 4),
        ("30d", 30),
    ],
)
def test_a_cadence_is_days_as_the_add_form_takes_them_or_a_rhythm_in_words(typed, days):
    assert one_row("name,cadence_days", f"Grace,{typed}")["cadence_days"] == days


@pytest.mark.parametrize(
    "typed, slack_user, contact",
    [
        ("<@U0GRACE>", "U0GRACE", None),
        ("<@U0GRACE|grace>", "U0GRACE", None),
        ("U0GRACE", "U0GRACE", None),
        ("W0ENTERPRISE", "W0ENTERPRISE", None),
        ("grace@example.com", None, "grace@example.com"),
    ],
)
def test_a_slack_user_is_a_mention_or_a_member_id_and_an_email_there_is_their_contact(
    typed, slack_user, contact
):
    row = one_row("name,slack_user", f"Grace,{typed}")

    assert (row["slack_user_id"], row["contact"]) == (slack_user, contact)


@pytest.mark.parametrize(
    "header, line, says",
    [
        ("name,slack_user", ",U0GRACE", "it has no name: write the advisor's name."),
        ("name", "!!!", "has no letters"),
        ("name", "G" * 151, "the name has 151 characters: keep it under 150."),
        ("name", "Grace\x07", "control character (U+0007)"),
        ("name,slack_user", "Grace,@grace", "“@grace” is a Slack handle"),
        ("name,slack_user", "Grace,grace hopper", "is not a Slack member ID: write it like"),
        ("name,slack_user", f"Me,{ALICE}", "that's you: you can't be your own advisor"),
        ("name,relationship", "Grace,wizard", "write senior, peer, junior, family or other."),
        ("name,inside_outside", "Grace,sideways", "write inside (your organisation) or outside"),
        ("name,inside_outside", "Grace,yes", "write inside (your organisation) or outside"),
        ("name,cadence", "Grace,0", "“0” is not a rhythm: write from every day (1) to once a"),
        ("name,cadence", "Grace,400", "is longer than a year (400 days): the longest rhythm is"),
        ("name,cadence", "Grace,every 2 years", "is longer than a year (730 days)"),
        ("name,cadence", "Grace,bimonthly", "means every 2 months to some and twice a month"),
        ("name,cadence", "Grace,bi-weekly", "means every 2 weeks to some and twice a week"),
        ("name,cadence", "Grace,soon", "write a number of days (30), every 2 weeks, every other"),
        ("name,cadence", "Grace,every other", "is not a rhythm I can read"),
        ("name,email", f"Grace,{'x' * 301}", "the email has 301 characters: keep it under 300."),
        ("name", "Grace,extra,cells", "a value with a comma in it needs quotes around it."),
    ],
)
def test_each_problem_of_a_row_says_what_to_write_instead(header, line, says):
    assert any(says in problem for problem in problems_of(header, line))


def test_every_problem_of_a_row_is_said_at_once_with_its_row_as_a_spreadsheet_numbers_it():
    text = "name,relationship,cadence,last_contact\n\nGrace,senior,30,2026-10-01\n,boss,0,soon\n"

    [problem] = read(text).problems

    assert (problem.row, problem.where, problem.name) == (4, "Row 4", "")
    assert len(problem.problems) == 3  # the name, the cadence, the date; "boss" is senior
    assert [row["row"] for row in read(text).rows] == [3]


@pytest.mark.parametrize(
    "typed, day",
    [
        ("2026-10-01", "2026-10-01"),
        ("2026-10-01T23:30:00+00:00", "2026-10-02"),  # an export's moment: the day in Paris
        ("Oct 1, 2026", "2026-10-01"),
        ("1 October 2026", "2026-10-01"),
        ("Thursday, October 1, 2026", "2026-10-01"),
        ("2026/10/01", "2026-10-01"),
        ("13/10/2026", "2026-10-13"),  # only one way to read it
        ("10/13/2026", "2026-10-13"),
        ("5/5/2026", "2026-05-05"),
        ("03-Mar-26", "2026-03-03"),  # Excel's dd-mmm-yy: the year is there
        ("3 March 26", "2026-03-03"),
        ("Mar 3, 26", "2026-03-03"),
        ("31-Dec-99", "1999-12-31"),  # two digits: the latest such year, not after this one
        ("13.10.26", "2026-10-13"),
    ],
)
def test_a_last_contact_that_can_mean_only_one_day_is_that_day(typed, day):
    assert one_row("name,last_contact", f'Grace,"{typed}"')["last_spoke_on"] == day


@pytest.mark.parametrize(
    "typed, says",
    [
        ("03/04/2026", "can be read more than one way: write it as 2026-03-04 or 2026-04-03."),
        ("3.4.26", "can be read more than one way: write it as 2026-03-04 or 2026-04-03."),
        ("October 2026", "“October 2026” has a month but no day: write the day itself as"),
        ("March 2026", "has a month but no day"),
        ("Mar-26", "has a month but no day"),  # Excel's mmm-yy
        ("2026-03", "has a month but no day"),
        ("03/2026", "has a month but no day"),
        ("Friday, October 1, 2026", "can be read more than one way"),  # the 1st is a Thursday
        ("yesterday", "depends on today's date or has no year"),
        ("Oct 1", "depends on today's date or has no year"),
        ("last friday", "depends on today's date or has no year"),
        ("2026-02-30", "I couldn't read the last contact “2026-02-30” as a date"),
        ("soon-ish", "I couldn't read the last contact"),
        ("2026-12-01", "is in the future: write when you last spoke."),
        ("1899-12-31", "is more than 100 years ago: check the year."),
    ],
)
def test_a_last_contact_is_never_read_wrong_silently(typed, says):
    assert any(says in p for p in problems_of("name,last_contact", f'Grace,"{typed}"'))


def test_an_ambiguous_date_is_a_problem_even_where_the_members_region_has_an_order():
    # Paris writes 3/4 as the 3rd of April, New York as March 4: in a file, neither is assumed.
    for zone in ("Europe/Paris", "America/New_York", "UTC"):
        problems = problems_of("name,last_contact", "Grace,03/04/2026", ZoneInfo(zone))
        assert "2026-03-04 or 2026-04-03" in problems[0]


@pytest.mark.parametrize(
    "settling, order, read_as",
    [("25/03/2026", "day first", "2026-04-03"), ("03/25/2026", "month first", "2026-03-04")],
)
def test_the_files_own_column_can_settle_how_it_writes_dates_and_the_preview_says_so(
    settling, order, read_as
):
    reading = read(f"name,last_contact\nGrace,03/04/2026\nSam,{settling}\n")

    assert reading.rows[0]["last_spoke_on"] == read_as
    notes = notes_for(reading, reading.rows)
    assert any(order in note and "row 3" in note for note in notes)
    assert not any(order in note for note in notes_for(reading, reading.rows[1:]))  # Sam's alone


def test_a_file_writing_dates_both_ways_settles_nothing():
    reading = read("name,last_contact\nA,25/03/2026\nB,03/25/2026\nC,03/04/2026\n")

    assert [p.where for p in reading.problems] == ["Row 4"]


@pytest.mark.parametrize(
    "lines, repeated, first",
    [
        (["Grace,U0GRACE,", "Grace H.,U0GRACE,"], 3, "row 2"),
        (["Sam,,sam@example.com", "Samuel,,SAM@example.com"], 3, "row 2"),
        (["Sam Lee,,", "sam  lee,,"], 3, "row 2"),
        (["Grace,U0GRACE,", "Grace,,"], 3, "row 2"),
    ],
)
def test_a_person_named_twice_in_a_file_is_added_once(lines, repeated, first):
    reading = read("name,slack_user,email\n" + "\n".join(lines) + "\n")

    assert len(reading.rows) == 1
    [repeat] = reading.repeats
    assert (repeat.row, repeat.first) == (repeated, first)


def test_two_slack_members_with_the_same_name_are_two_people():
    reading = read("name,slack_user\nAlex Kim,U0ALEX1\nAlex Kim,U0ALEX2\n")

    assert [row["slack_user_id"] for row in reading.rows] == ["U0ALEX1", "U0ALEX2"]


def test_columns_no_one_reads_are_named_in_the_notes():
    reading = read("name,Phone,Company\nGrace,555,Navy\n")

    assert "Columns I don't use are left out: “Phone”, “Company”." in reading.notes


def test_text_is_kept_exactly_as_typed():
    reading = read(f'name,email\n"{TYPED["name"]}",<https://example.com|site> & co\n')

    assert reading.rows[0]["name"] == TYPED["name"]
    assert reading.rows[0]["contact"] == "<https://example.com|site> & co"


def test_a_file_that_is_not_utf8_is_refused_with_how_to_save_it():
    with pytest.raises(Unreadable, match="save it as “CSV UTF-8”"):
        decoded("name\nJosé\n".encode("cp1252"))
    assert decoded("\ufeffname\nJosé\n".encode()) == "name\nJosé\n"


def test_more_rows_than_an_import_takes_is_one_clear_error():
    with pytest.raises(Unreadable, match="more than 20,000 rows"):
        read("name\n" + "".join(f"Person {n}\n" for n in range(MAX_ROWS + 1)))


def test_the_csv_of_an_export_reads_back_as_it_was_written(session):
    seed_everything(session)
    export = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)

    reading = read_csv(advisors_csv(export), owner_id=MINE, zone=PARIS, now=NOW)

    assert reading.problems == [] and reading.notes == []
    [grace] = reading.rows  # the alumnus is in the JSON only
    assert grace == {
        "row": 2,
        "name": TYPED["name"],
        "slack_user_id": "U0OUTSIDER",
        "contact": "grace@example.com",
        "relationship": "senior",
        "inside_org": False,
        "cadence_days": 45,
        "last_spoke_on": "2026-11-13",
    }


def test_the_json_of_an_export_reads_back_every_advisor_with_what_hangs_off_them(session):
    seed_everything(session)
    export = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)

    reading = read_export(export_json(export), owner_id=MINE, team_id=TEAM, now=NOW)

    assert reading.problems == []
    assert [g["ref"] for g in reading.goals] == ["g1", "g2"]
    grace, sam = reading.rows
    assert (grace["name"], grace["slack_user_id"], grace["goals"]) == (
        TYPED["name"],
        "U0OUTSIDER",
        ["g2"],
    )
    assert grace["touchpoints"][0]["note"] == TYPED["touch"]
    assert [c["change"] for c in grace["promises"][0]["history"]] == [
        "made",
        "renegotiated",
        "update",
    ]
    assert (sam["name"], sam["status"]) == ("Sam Lee", "alumni")


def test_an_export_from_another_workspace_brings_its_slack_members_as_people_outside_slack(
    session,
):
    seed_everything(session)
    export = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)

    reading = read_export(export_json(export), owner_id=MINE, team_id="T0ELSEWHERE", now=NOW)

    assert reading.rows[0]["slack_user_id"] is None
    notes = notes_for(reading, reading.rows)
    assert (
        "This export is from another Slack workspace: 1 advisor who was a Slack member there "
        in (" ".join(notes))
    )


@pytest.mark.parametrize(
    "text, says",
    [
        ("{not json", "This isn't JSON I can read (line 1"),
        ('{"advisors": []}', "is not an advisor-bot export"),
        ('{"format": "advisor-bot export", "version": 9}', "of a version I don't read"),
        ('{"format": "advisor-bot export", "version": 1, "advisors": {}}', "are not lists"),
    ],
)
def test_json_that_is_not_an_export_is_one_clear_error(text, says):
    with pytest.raises(Unreadable) as caught:
        read_export(text, owner_id=MINE, team_id=TEAM, now=NOW)

    assert says in str(caught.value)


def test_a_broken_record_of_an_export_is_a_problem_of_that_advisor_alone(session):
    seed_everything(session)
    export = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    export["advisors"][0]["touchpoints"][0]["how"] = "zoom"
    export["advisors"][0]["cadence_days"] = 0

    reading = read_export(json.dumps(export), owner_id=MINE, team_id=TEAM, now=NOW)

    [problem] = reading.problems
    assert problem.where == "Advisor 1"
    assert problem.problems == (
        "“cadence_days” should be a whole number from 1 to 365.",
        "touchpoint 1: “how” should be one of call, coffee, message, meeting, other.",
    )
    assert [row["name"] for row in reading.rows] == ["Sam Lee"]


@pytest.mark.parametrize("breaking", ["\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c"])
def test_a_line_or_paragraph_separator_inside_a_cell_never_splits_its_row(breaking):
    reading = read(f"name,email\nGrace{breaking}Hopper,grace@example.com\nSam Lee,\n")

    assert reading.total == 2
    assert [(row["row"], row["name"]) for row in reading.rows] == [
        (2, "Grace Hopper"),  # in a name, it is a space
        (3, "Sam Lee"),
    ]


@pytest.mark.parametrize("control", ["\x0b", "\x0c", "\x85", "\x1c"])
def test_a_control_character_in_a_cell_is_a_problem_of_its_row_alone(control):
    reading = read(f"name,email\nGrace,grace{control}@example.com\nSam Lee,\n")

    [problem] = reading.problems
    assert problem.where == "Row 2"
    assert f"the email has a control character (U+{ord(control):04X})" in problem.problems[0]
    assert [row["name"] for row in reading.rows] == ["Sam Lee"]


@pytest.mark.parametrize(
    "text",
    [
        "sep=;\nname;relationship;cadence\nGrace, Hopper;senior;30\n",
        "SEP=;\r\nname;relationship;cadence\r\nGrace, Hopper;senior;30\r\n",
        "\ufeffsep=|\nname|relationship|cadence\nGrace, Hopper|senior|30\n",
    ],
)
def test_an_excel_sep_line_names_the_separator_and_is_no_row(text):
    [row] = read(text).rows

    assert (row["row"], row["name"], row["relationship"], row["cadence_days"]) == (
        2,
        "Grace, Hopper",
        "senior",
        30,
    )


LATER = "2026-11-01T09:00:00+00:00"


def an_export(workspace: str = TEAM, **changes) -> dict:
    """An export with one goal and one advisor (a touchpoint, a promise and its history), as
    /advisor export writes it; `changes` replaces fields of the advisor."""
    advisor = {
        "ref": "a1",
        "name": "Grace Hopper",
        "slack_user": "U0GRACE",
        "contact": None,
        "time_zone": "America/New_York",
        "relationship": "senior",
        "inside_outside": "outside",
        "support": ["coaching"],
        "gains": "",
        "notes": "",
        "origin": None,
        "closeness": 3,
        "cadence_days": 30,
        "status": "active",
        "last_contact": LATER,
        "last_spoke_at": LATER,
        "next_touch_due_at": "2026-12-01T09:00:00+00:00",
        "snoozed_until": None,
        "created_at": LATER,
        "updated_at": LATER,
        "goals": ["g1"],
        "touchpoints": [
            {
                "at": LATER,
                "how": "coffee",
                "exchanged": ["knowledge"],
                "given_by": "both",
                "note": "",
                "message_link": None,
                "created_at": LATER,
            }
        ],
        "promises": [
            {
                "ref": "p1",
                "what": "Send the deck",
                "firmness": "promise",
                "status": "open",
                "due_on": "2026-12-10",
                "original_due_on": "2026-12-10",
                "due_at": "2026-12-10T23:00:00+00:00",
                "renegotiations": 0,
                "last_update_at": None,
                "closed_at": None,
                "created_at": LATER,
                "updated_at": LATER,
                "history": [
                    {
                        "at": LATER,
                        "change": "made",
                        "text": "",
                        "old_due_on": None,
                        "old_due_at": None,
                        "new_due_on": "2026-12-10",
                        "sent_to_advisor": False,
                        "told_them": None,
                    }
                ],
            }
        ],
    }
    goal = {"ref": "g1", "kind": "gap", "text": "Budgets", "position": 0, "created_at": LATER}
    return {
        "format": "advisor-bot export",
        "version": 1,
        "workspace": workspace,
        "member": MINE,
        "goals": [goal],
        "advisors": [_changed(advisor, changes)],
    }


def _changed(record: dict, changes: dict) -> dict:
    """`record` with `changes`: "promises.0.history.0.change" reaches into its lists."""
    record = json.loads(json.dumps(record))
    for path, value in changes.items():
        *inside, last = path.split(".")
        where = record
        for step in inside:
            where = where[int(step)] if step.isdigit() else where[step]
        where[last] = value
    return record


def read_json(export: dict):
    return read_export(json.dumps(export), owner_id=MINE, team_id=TEAM, now=NOW)


def test_the_export_the_type_checks_start_from_reads_with_no_problem():
    reading = read_json(an_export())

    assert reading.problems == [] and len(reading.rows) == 1


WRONG_TYPES = [None, ["senior"], {"a": 1}, 3, 2.5, True, ""]
WRONG_NUMBERS = [None, ["1"], {"a": 1}, "30", 2.5, True, -1]
WRONG_FLAGS = [None, ["1"], {"a": 1}, "true", 1, 0]


REQUIRED = [
    ("relationship", "“relationship” should be one of senior, peer, junior, family_friend"),
    ("status", "“status” should be one of active, alumni."),
    ("inside_outside", "“inside_outside” should be one of inside, outside."),
    ("name", "“name” should be"),
    ("touchpoints.0.how", "touchpoint 1: “how” should be one of call, coffee"),
    ("touchpoints.0.given_by", "touchpoint 1: “given_by” should be one of me, them, both."),
    ("promises.0.firmness", "promise 1: “firmness” should be one of promise, try."),
    ("promises.0.status", "promise 1: “status” should be one of open, done, dropped."),
    ("promises.0.history.0.change", "promise 1: change 1: “change” should be one of made"),
    ("promises.0.due_on", "promise 1: “due_on” should be a day from 1926-01-01 to"),
    ("promises.0.due_at", "promise 1: “due_at” should be a moment with its offset"),
    ("created_at", "“created_at” should be a moment with its offset"),
    ("touchpoints.0.at", "touchpoint 1: “at” should be a moment with its offset"),
]
REQUIRED_NUMBERS = [
    ("cadence_days", "“cadence_days” should be a whole number from 1 to 365."),
    ("promises.0.renegotiations", "promise 1: “renegotiations” should be a whole number"),
]
OPTIONAL = [  # null is fine: any other type is not
    ("origin", "“origin” should be one of"),
    ("support", "“support” should be a list of sponsorship, coaching"),
    ("touchpoints.0.exchanged", "touchpoint 1: “exchanged” should be a list of knowledge"),
    ("contact", "“contact” should be text of at most 300 characters"),
    ("gains", "“gains” should be text of at most 3,000 characters"),
    ("goals", "“goals” should be a list of goal refs."),
    ("time_zone", "“time_zone” should be a time zone's name"),
    ("slack_user", "“slack_user” should be a Slack member ID (U…) or null."),
    ("last_contact", "“last_contact” should be a moment with its offset"),
    ("snoozed_until", "“snoozed_until” should be a moment with its offset"),
    ("promises.0.history.0.old_due_on", "change 1: “old_due_on” should be a day from"),
]
OPTIONAL_WRONG = [[["x"]], {"a": 1}, 3, 2.5, True]


@pytest.mark.parametrize(
    "field, says, wrong",
    [(f, s, w) for f, s in REQUIRED for w in WRONG_TYPES]
    + [(f, s, w) for f, s in REQUIRED_NUMBERS for w in WRONG_NUMBERS]
    + [
        ("promises.0.history.0.sent_to_advisor", "“sent_to_advisor” should be true or false.", w)
        for w in WRONG_FLAGS
    ]
    + [(f, s, w) for f, s in OPTIONAL for w in OPTIONAL_WRONG]
    + [
        ("closeness", "“closeness” should be a whole number from 1 to 4.", w)
        for w in [["1"], {"a": 1}, "3", 2.5, True, 5]
    ]
    + [
        ("promises.0.history.0.told_them", "“told_them” should be true or false.", w)
        for w in WRONG_FLAGS[1:]
    ]
    + [
        (key, f"“{key}” should be a list.", w)
        for key in ("touchpoints", "promises")
        for w in [{"a": 1}, 3, "x", True]
    ],
    ids=repr,
)
def test_a_field_of_the_wrong_type_is_a_problem_of_its_advisor_never_an_error(field, says, wrong):
    if field == "name" and wrong == "":
        says = "“name” should be some text."
    reading = read_json(an_export(**{field: wrong}))

    [problem] = reading.problems
    assert problem.where == "Advisor 1" and reading.rows == []
    assert any(says in said for said in problem.problems), problem.problems


@pytest.mark.parametrize("kind", WRONG_TYPES, ids=repr)
def test_a_goal_of_the_wrong_kind_is_a_problem_of_that_goal(kind):
    export = an_export()
    export["goals"][0]["kind"] = kind

    reading = read_json(export)

    [problem] = reading.problems
    assert problem.where == "Goal 1"
    assert problem.problems == (
        "“kind” should be one of two_years, five_years, strength, gap, balance.",
    )
    assert reading.rows[0]["goals"] == []  # the advisor stays, without the goal


@pytest.mark.parametrize(
    "field, value, says",
    [
        (
            "last_contact",
            "9999-12-31T23:59:59+00:00",
            "“last_contact” should be a moment from 1926 up to now.",
        ),
        (
            "last_contact",
            "0001-01-01T00:00:00+14:00",
            "“last_contact” should be a moment from 1926",
        ),
        (
            "last_contact",
            "1899-12-31T12:00:00+00:00",
            "“last_contact” should be a moment from 1926",
        ),
        ("last_contact", "2026-11-24T09:00:00+00:00", "“last_contact” should be a moment from"),
        ("last_spoke_at", "9999-12-31T23:59:59-12:00", "“last_spoke_at” should be a moment from"),
        ("created_at", "2126-01-01T00:00:00+00:00", "“created_at” should be a moment from 1926"),
        ("next_touch_due_at", "9999-12-31T00:00:00+00:00", "should be a moment from 1926 to 2036."),
        ("snoozed_until", "2037-01-02T00:00:00+00:00", "“snoozed_until” should be a moment from"),
        ("touchpoints.0.at", "2030-01-01T00:00:00+00:00", "touchpoint 1: “at” should be a moment"),
        (
            "promises.0.due_on",
            "9999-12-31",
            "“due_on” should be a day from 1926-01-01 to 2036-12-31",
        ),
        ("promises.0.original_due_on", "0001-01-01", "“original_due_on” should be a day from"),
        ("promises.0.due_at", "9999-12-31T23:59:59+00:00", "“due_at” should be a moment from"),
        ("promises.0.closed_at", "9999-12-31T23:59:59+00:00", "“closed_at” should be a moment"),
        ("promises.0.history.0.new_due_on", "9999-12-31", "“new_due_on” should be a day from"),
        (
            "promises.0.history.0.old_due_at",
            "0001-01-01T00:00:00+14:00",
            "“old_due_at” should be a moment from",
        ),
    ],
)
def test_dates_out_of_what_the_board_takes_are_problems_of_their_advisor(field, value, says):
    reading = read_json(an_export(**{field: value}))

    [problem] = reading.problems
    assert any(says in said for said in problem.problems), problem.problems


def test_dates_at_the_edges_of_what_the_board_takes_are_read():
    reading = read_json(
        an_export(
            last_contact=NOW.isoformat(),
            created_at="1926-01-01T00:00:00+00:00",
            next_touch_due_at="2036-12-31T12:00:00+00:00",
            **{"promises.0.due_on": "2036-12-31", "promises.0.due_at": "2037-01-01T00:00:00+01:00"},
        )
    )

    assert reading.problems == []


def test_json_no_export_writes_is_one_clear_error_whatever_it_holds():
    huge = '{"format": "advisor-bot export", "version": 1, "n": 1' + "0" * 5000 + "}"

    with pytest.raises(Unreadable, match="not an advisor-bot export"):
        read_export(huge, owner_id=MINE, team_id=TEAM, now=NOW)


def test_names_with_control_characters_are_quoted_back_without_them():
    csv_problem = read("name\nGr\x00ace\n").problems[0]
    json_problem = read_json(an_export(name="Gr\x00ace")).problems[0]

    assert csv_problem.name == json_problem.name == "Grace"
    assert "control character (U+0000)" in csv_problem.problems[0]


def members_of(text: str, found: dict, unchecked: int = 0):
    reading = read_import(text, filename=None, owner_id=ALICE, team_id=TEAM, zone=PARIS, now=NOW)
    with_members(reading, found, unchecked=unchecked)
    return reading


@pytest.mark.parametrize(
    "member, says",
    [
        (SlackMember(BOT), "U0X is a bot: an advisor is a person you can talk to."),
        (SlackMember(GONE), "U0X is no longer in this workspace: leave slack_user empty to add"),
        (SlackMember(UNKNOWN), "U0X is not a member of this workspace: check the member ID"),
    ],
)
def test_a_slack_member_slack_says_is_a_bot_gone_or_no_one_is_a_problem_of_its_row(member, says):
    reading = members_of("name,slack_user\nDeploy,U0X\nSam,\n", {"U0X": member})

    [problem] = reading.problems
    assert (problem.where, problem.name) == ("Row 2", "Deploy")
    assert problem.problems[0].startswith(says)
    assert [row["name"] for row in reading.rows] == ["Sam"]


def test_a_person_keeps_the_name_typed_and_takes_their_time_zone_from_slack():
    reading = members_of(
        "name,slack_user\nDr Grace H.,<@U0GRACE>\n", {"U0GRACE": SlackMember(PERSON, "Asia/Tokyo")}
    )

    [row] = reading.rows
    assert (row["name"], row["slack_user_id"], row["tz"]) == (
        "Dr Grace H.",
        "U0GRACE",
        "Asia/Tokyo",
    )
    assert reading.notes == []


@pytest.mark.parametrize("state", [GONE, UNKNOWN])
def test_an_exports_advisor_who_left_slack_is_restored_as_someone_outside_slack(state):
    reading = read_json(an_export())

    with_members(reading, {"U0GRACE": SlackMember(state)}, unchecked=0)

    [row] = reading.rows
    assert (row["slack_user_id"], row["tz"], row["name"]) == (None, None, "Grace Hopper")
    assert len(row["touchpoints"]) == 1 and reading.problems == []
    assert notes_for(reading, reading.rows)[0] == (
        "1 advisor is no longer a member of this Slack workspace: restored as someone outside "
        "Slack (by name), with their history."
    )


def test_an_exports_bot_is_a_problem_told_to_set_it_to_null():
    reading = read_json(an_export())

    with_members(reading, {"U0GRACE": SlackMember(BOT)}, unchecked=0)

    [problem] = reading.problems
    assert problem.problems == ("U0GRACE is a bot: an advisor is a person you can talk to.",)


def test_slack_members_not_looked_up_are_said_in_a_note():
    lines = "".join(f"Person {n},U0P{n:04d}\n" for n in range(1200))
    found = {f"U0P{n:04d}": SlackMember(PERSON) for n in range(50)}

    reading = members_of("name,slack_user\n" + lines, found, unchecked=1150)

    assert len(reading.rows) == 1200
    assert reading.notes == [
        "I checked 50 Slack members with Slack; 1,150 others were not checked (Slack didn't "
        "answer for them, or there were too many to look up): a bot or someone who left would "
        "be added as they are."
    ]


def test_every_rhythm_the_preview_says_in_words_reads_back_as_the_same_days():
    for days in range(cadence.MIN_DAYS, cadence.MAX_DAYS + 1):
        assert cadence.read_days(cadence.describe_days(days)) == days
