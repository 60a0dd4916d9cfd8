"""Reading an import, in core (no database): a CSV's header forgiving about case, spaces and
synonyms, one clear error when there is no header to read; each value of a row read the way
`/advisor add` takes it, each problem said with what to write instead; dates never read wrong
silently; repeats within the file set aside; the CSV and the JSON `/advisor export` writes read
back as they were written."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.export import advisors_csv, export_json, export_member
from core.import_reading import EXPECTED, MAX_ROWS, Unreadable, decoded, read_csv, read_export
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
    assert any("added as “other”" in note for note in reading.notes)
    assert any("starts from today" in note for note in reading.notes)


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
    ],
)
def test_relationships_are_the_boards_words_or_their_usual_synonyms(typed, kind):
    assert one_row("name,relationship", f'Grace,"{typed}"')["relationship"] == kind


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
        ("name,cadence", "Grace,0", "write a number of days from 1 to 365"),
        ("name,cadence", "Grace,400", "write a number of days from 1 to 365"),
        ("name,cadence", "Grace,bimonthly", "write a number of days from 1 to 365"),
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
    ],
)
def test_a_last_contact_that_can_mean_only_one_day_is_that_day(typed, day):
    assert one_row("name,last_contact", f'Grace,"{typed}"')["last_spoke_on"] == day


@pytest.mark.parametrize(
    "typed, says",
    [
        ("03/04/2026", "can be read more than one way: write it as 2026-03-04 or 2026-04-03."),
        ("3.4.26", "can be read more than one way: write it as 2026-03-04 or 2026-04-03."),
        ("October 2026", "can be read more than one way: write the day as YYYY-MM-DD"),
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
    assert any(order in note and "row 3" in note for note in reading.notes)


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

    reading = read_export(export_json(export), owner_id=MINE, team_id=TEAM)

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

    reading = read_export(export_json(export), owner_id=MINE, team_id="T0ELSEWHERE")

    assert reading.rows[0]["slack_user_id"] is None
    assert any("another Slack workspace" in note for note in reading.notes)


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
        read_export(text, owner_id=MINE, team_id=TEAM)

    assert says in str(caught.value)


def test_a_broken_record_of_an_export_is_a_problem_of_that_advisor_alone(session):
    seed_everything(session)
    export = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    export["advisors"][0]["touchpoints"][0]["how"] = "zoom"
    export["advisors"][0]["cadence_days"] = 0

    reading = read_export(json.dumps(export), owner_id=MINE, team_id=TEAM)

    [problem] = reading.problems
    assert problem.where == "Advisor 1"
    assert problem.problems == (
        "“cadence_days” should be a whole number from 1 to 365.",
        "touchpoint 1: “how” should be one of call, coffee, message, meeting, other.",
    )
    assert [row["name"] for row in reading.rows] == ["Sam Lee"]
