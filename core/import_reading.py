"""Reading what `/advisor import` was given: a CSV of advisors (pasted in the modal or uploaded
in the DM) or the JSON file `/advisor export` writes (core/export.py documents it). Pure: text
in, plain values out. Every row is checked before anything is saved, and each problem is said
the way the member can act on it: where (row 5, advisor 3), what is wrong, what to write
instead. Nothing here reads the board: core/imports.py finds who is on it already.

A CSV's first line names its columns. Only `name` is required; the others are those of
`/advisor add` (and of the CSV `/advisor export` writes): `slack_user` (<@U…> or U…) or
`email` (any contact: an email or a link), `relationship` (senior, peer, junior, family or
other, and their usual synonyms), `inside_outside`, `cadence_days` (a number of days, or
"weekly", "every 2 months"…) and `last_contact` (a date with its year). Column names are read
forgivingly (case, spaces, punctuation, common synonyms); columns no one reads are named in the
preview. A date that can be read two ways is a problem of its row, unless the same column
shows which way the file writes them (a 13 in one place): then the preview says so.
"""

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from core import cadence, dates
from core.board import CLOSENESS, LIMITS
from core.export import FORMAT, VERSION, typed_cell
from core.models import (
    AdvisorStatus,
    Exchange,
    Firmness,
    GivenBy,
    GoalKind,
    Medium,
    Origin,
    PromiseChange,
    PromiseStatus,
    RelationshipKind,
    Support,
)
from core.names import has_letters, normalize
from core.typed import CONTROL

MAX_ROWS = 20_000  # rows (or advisors) in one import: a board is a handful, an address book more
CSV, JSON = "csv", "json"

# The columns, by field, with the names they may go by (compared once normalised: case,
# accents and punctuation aside, so "Inside/Outside" is "inside outside").
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "advisor", "advisor name", "person", "display name", "who"),
    "slack_user": (
        "slack user",
        "slack",
        "slack id",
        "slack user id",
        "slack member",
        "slack member id",
        "member id",
        "user id",
        "slack handle",
        "handle",
    ),
    "email": ("email", "e mail", "email address", "mail", "contact", "contact info"),
    "relationship": ("relationship", "relation", "seniority", "type", "kind", "role", "level"),
    "inside_outside": (
        "inside outside",
        "inside or outside",
        "inside",
        "inside org",
        "internal external",
        "internal",
        "organisation",
        "organization",
        "org",
        "where",
    ),
    "cadence": (
        "cadence",
        "cadence days",
        "cadence in days",
        "frequency",
        "how often",
        "every",
        "rhythm",
        "interval",
        "be in touch every",
        "be in touch every days",
    ),
    "last_contact": (
        "last contact",
        "last contacted",
        "last contact date",
        "last spoke",
        "last spoke on",
        "last spoken",
        "last touch",
        "last touchpoint",
        "last met",
        "last talked",
        "last seen",
    ),
}
HEADER = "name,slack_user,email,relationship,inside_outside,cadence_days,last_contact"
EXAMPLE = "Grace Hopper,<@U012AB3CD>,,senior,inside,30,2026-10-01"
EXPECTED = (
    "The first line must name the columns, like this:\n"
    f"{HEADER}\n"
    "Only name is required; give slack_user (<@U…> or their member ID U…) or email for each "
    "advisor where you can."
)
ISO_EXAMPLE = "2026-10-01"

RELATIONSHIP_WORDS: dict[str, RelationshipKind] = {
    **dict.fromkeys(
        ("senior", "senior to me", "sponsor", "boss", "manager", "executive", "exec", "mentor"),
        RelationshipKind.SENIOR,
    ),
    **dict.fromkeys(("leader", "superior", "up"), RelationshipKind.SENIOR),
    **dict.fromkeys(
        ("peer", "a peer", "colleague", "coworker", "co worker", "equal", "same level"),
        RelationshipKind.PEER,
    ),
    **dict.fromkeys(
        ("junior", "junior to me", "mentee", "report", "direct report", "protege", "down"),
        RelationshipKind.JUNIOR,
    ),
    **dict.fromkeys(
        ("family", "friend", "family or friend", "family friend", "family and friend"),
        RelationshipKind.FAMILY_FRIEND,
    ),
    **dict.fromkeys(("friends", "family and friends"), RelationshipKind.FAMILY_FRIEND),
    "other": RelationshipKind.OTHER,
}
RELATIONSHIPS_SAID = "senior, peer, junior, family or other"
INSIDE_WORDS = {
    **dict.fromkeys(("inside", "in", "internal", "inside my organisation"), True),
    **dict.fromkeys(("inside my organization", "inside org", "same company"), True),
    **dict.fromkeys(("outside", "out", "external", "outside my organisation"), False),
    **dict.fromkeys(("outside my organization", "outside org", "other company"), False),
}
YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False}
YES_NO |= {"false": False, "0": False}
_UNITS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "quarter": 90, "year": 365}
_UNITS |= {"d": 1, "w": 7, "wk": 7, "mo": 30, "mon": 30, "y": 365, "yr": 365}
_CADENCE_WORDS = {
    "daily": 1,
    "weekly": 7,
    "biweekly": 14,
    "fortnightly": 14,
    "monthly": 30,
    "quarterly": 90,
    "twice a year": 182,
    "half yearly": 182,
    "semiannually": 182,
    "yearly": 365,
    "annually": 365,
    "annual": 365,
}
_CADENCE = re.compile(r"(?:every|each|once (?:a|every))?\s*(\d+)?\s*([a-z]+?)s?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,20})(?:\|[^<>]*)?>")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_FAR_PAST = datetime(1900, 1, 1, 12)  # "now" for a second reading: what depends on today moves
SHOWN_VALUE = 40  # characters of a typed value quoted back in a problem


class Unreadable(ValueError):
    """The whole import cannot be read (no header, not UTF-8, not an export…): one clear
    sentence saying what to do instead. Nothing is kept of it."""


@dataclass(frozen=True)
class Problem:
    """A row that cannot be added as it is: where it is, whose it is, what to fix."""

    row: int  # CSV: as a spreadsheet numbers it (the header is row 1); JSON: the advisor's number
    where: str  # "Row 5", "Advisor 3", "Goal 2"
    name: str  # as typed ("" when there is none)
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Repeat:
    """A row naming someone an earlier row of the same file names: added once."""

    row: int
    where: str
    name: str
    first: str  # where the first one is: "row 3"


@dataclass
class Reading:
    """What an import holds, checked row by row: `rows` to add (plain values, file order),
    `problems`, `repeats`, and for a JSON export its `goals`; `notes` tell the preview what
    was assumed or left out, so nothing is decided silently."""

    kind: str
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    repeats: list[Repeat] = field(default_factory=list)
    goals: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    total: int = 0  # rows (advisors) read, blank lines aside


def read_import(
    text: str, *, filename: str | None, owner_id: str, team_id: str, zone: ZoneInfo, now: datetime
) -> Reading:
    """What `text` (a CSV, or an export's JSON) holds for this member at `now`; Unreadable when
    it cannot be read at all."""
    looks_json = (filename or "").lower().endswith(".json") or text.lstrip()[:1] == "{"
    if looks_json:
        return read_export(text, owner_id=owner_id, team_id=team_id)
    return read_csv(text, owner_id=owner_id, zone=zone, now=now)


def decoded(data: bytes) -> str:
    """A file's bytes as text: UTF-8 (with or without its byte-order mark), else Unreadable."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable(
            "This file isn't UTF-8 text, so I can't read its names safely. In your "
            "spreadsheet, save it as “CSV UTF-8” and upload it again."
        ) from None


def _quoted(value: str) -> str:
    value = " ".join(value.split())
    return f"“{value if len(value) <= SHOWN_VALUE else value[: SHOWN_VALUE - 1] + '…'}”"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


# --- CSV


def _header_name(cell: str) -> str:
    return normalize(cell.replace("_", " "))


_BY_NAME = {_header_name(name): key for key, names in COLUMNS.items() for name in names}
_BY_NAME |= {_header_name(key): key for key in COLUMNS}
_BY_NAME[_header_name("cadence_days")] = "cadence"


def _layout(header: list[str]) -> tuple[dict[str, int], list[str], bool]:
    """Which column holds each field, the columns nobody reads, and whether an inside column
    is a yes/no one ("inside": yes)."""
    found: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(header):
        key = _BY_NAME.get(_header_name(cell))
        if key is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        if key in found:
            raise Unreadable(
                f"Two columns mean the same thing: “{header[found[key]].strip()}” and "
                f"“{cell.strip()}”. Keep one of them. {EXPECTED}"
            )
        found[key] = index
    if "name" not in found:
        shown = ", ".join(_quoted(cell) for cell in header[:8] if cell.strip()) or "nothing"
        raise Unreadable(f"I found no name column (the first line has {shown}). {EXPECTED}")
    yes_no = "inside_outside" in found and _header_name(header[found["inside_outside"]]) in (
        "inside",
        "internal",
        "inside org",
    )
    return found, ignored, yes_no


def _dialect(first_line: str) -> str:
    """The separator: a comma, unless the header line has none and semicolons or tabs (as some
    spreadsheets write CSV)."""
    if "," in first_line:
        return ","
    if ";" in first_line:
        return ";"
    return "\t" if "\t" in first_line else ","


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, cells) for each record, header first; blank ones
    left out."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.reader(text.splitlines(keepends=True), delimiter=_dialect(first), strict=False)
    records = []
    try:
        for number, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                records.append((number, cells))
            if len(records) > MAX_ROWS + 1:
                raise Unreadable(
                    f"That is more than {MAX_ROWS:,} rows: split it into smaller files and "
                    "import them one after the other (a row already on your board is never "
                    "added twice)."
                )
    except csv.Error as error:
        raise Unreadable(
            f"I couldn't read this as CSV ({error}): check for a stray quote, or save it "
            "again from your spreadsheet as CSV."
        ) from None
    return records


def read_csv(text: str, *, owner_id: str, zone: ZoneInfo, now: datetime) -> Reading:
    """The advisors of a CSV with a header line."""
    records = _records(text)
    if not records:
        raise Unreadable(f"There is nothing to import yet. {EXPECTED}")
    (_, header), body = records[0], records[1:]
    layout, ignored, yes_no = _layout(header)
    reading = Reading(CSV, total=len(body))
    order, order_note = _date_order(body, layout.get("last_contact"))
    today = now.astimezone(zone).date()
    seen: dict[tuple[str, str], int] = {}
    defaults = {"relationship": 0, "last_contact": 0}
    for number, cells in body:
        cell = partial(_cell, cells, layout)
        row, problems = _csv_row(cell, owner_id=owner_id, yes_no=yes_no, today=today)
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            problems.append(
                f"it has more cells than the header ({len(cells)} for {len(header)}): a value "
                "with a comma in it needs quotes around it."
            )
        spoke, problem = _last_contact(cell("last_contact"), zone=zone, now=now, order=order)
        if problem:
            problems.append(problem)
        row["last_spoke_on"] = spoke.isoformat() if spoke else None
        row["row"] = number
        if problems:
            reading.problems.append(Problem(number, f"Row {number}", row["name"], tuple(problems)))
            continue
        first = _first_seen(seen, row, number)
        if first is not None:
            reading.repeats.append(Repeat(number, f"Row {number}", row["name"], f"row {first}"))
            continue
        defaults["relationship"] += not cell("relationship")
        defaults["last_contact"] += not cell("last_contact")
        reading.rows.append(row)
    reading.notes += _csv_notes(ignored, defaults, order_note)
    return reading


def _cell(cells: list[str], layout: dict[str, int], key: str) -> str:
    """A row's cell as typed: the quote an export puts in front of a formula-like cell
    (`=…`, `+33…`, `@…`) taken off (core/export.py's spreadsheet_cell)."""
    index = layout.get(key)
    if index is None or index >= len(cells):
        return ""
    return typed_cell(cells[index].strip()).strip()


def _csv_notes(ignored: list[str], defaults: dict[str, int], order_note: str | None) -> list[str]:
    notes = []
    if ignored:
        names = ", ".join(_quoted(name) for name in ignored[:6])
        more = f" and {len(ignored) - 6} more" if len(ignored) > 6 else ""
        notes.append(f"Columns I don't use are left out: {names}{more}.")
    if defaults["relationship"]:
        notes.append(
            f"{_plural(defaults['relationship'], 'row')} name no relationship: added as "
            "“other” (change it with Edit on my Home tab)."
        )
    if defaults["last_contact"]:
        notes.append(
            f"{_plural(defaults['last_contact'], 'row')} have no last contact: the rhythm "
            "starts from today."
        )
    if order_note:
        notes.append(order_note)
    return notes


def _first_seen(seen: dict[tuple[str, str], int], row: dict, number: int) -> int | None:
    """The row an earlier row of the file named the same person in (same Slack member, same
    email, or, for someone outside Slack, the same name); None the first time."""
    keys = []
    if row.get("slack_user_id"):
        keys.append(("slack", row["slack_user_id"]))
    if row.get("contact"):
        keys.append(("contact", row["contact"].casefold()))
    if not row.get("slack_user_id"):
        keys.append(("name", normalize(row["name"])))
    for key in keys:
        if key in seen:
            return seen[key]
    for key in keys:
        seen[key] = number
    if row.get("slack_user_id"):  # a later row with only this name is someone else, or the same
        seen.setdefault(("name", normalize(row["name"])), number)
    return None


def _csv_row(cell, *, owner_id: str, yes_no: bool, today: date) -> tuple[dict, list[str]]:
    """One CSV row as the plain values enlisting needs, and what is wrong with it."""
    problems: list[str] = []
    name = " ".join(cell("name").split())
    problems += _name_problems(name)
    slack_user, contact = None, cell("email") or None
    typed_user = cell("slack_user")
    if typed_user:
        slack_user, problem = _slack_user(typed_user, owner_id)
        if problem:
            problems.append(problem)
        elif slack_user is None and contact is None:  # an email in the Slack column
            contact = typed_user
    if contact is not None:
        problems += _text_problems("email", contact, LIMITS["contact"])
    relationship, problem = _relationship(cell("relationship"))
    if problem:
        problems.append(problem)
    inside, problem = _inside(cell("inside_outside"), yes_no)
    if problem:
        problems.append(problem)
    days, problem = _cadence(cell("cadence"))
    if problem:
        problems.append(problem)
    row = {
        "name": name,
        "slack_user_id": slack_user,
        "contact": contact,
        "relationship": relationship,
        "inside_org": inside,
        "cadence_days": days,
    }
    return row, problems


def _name_problems(name: str) -> list[str]:
    if not name:
        return ["it has no name: write the advisor's name."]
    if not has_letters(name):
        return [f"the name {_quoted(name)} has no letters: write the advisor's name."]
    return _text_problems("name", name, LIMITS["name"])


def _text_problems(what: str, value: str, limit: int) -> list[str]:
    problems = []
    found = CONTROL.search(value)
    if found:
        problems.append(
            f"the {what} has a control character (U+{ord(found.group()):04X}) that can't be "
            "saved: type it again without it."
        )
    if len(value) > limit:
        problems.append(f"the {what} has {len(value):,} characters: keep it under {limit:,}.")
    return problems


def _slack_user(typed: str, owner_id: str) -> tuple[str | None, str | None]:
    """(member id, None), (None, None) for an email, or (None, the problem)."""
    mention = _MENTION.fullmatch(typed)
    user = mention.group(1) if mention else typed if _MEMBER_ID.fullmatch(typed) else None
    if user is None and _EMAIL.fullmatch(typed):
        return None, None
    if user is None and typed.startswith("@"):
        return None, (
            f"{_quoted(typed)} is a Slack handle, which can change and which I can't look up: "
            "write their member ID (in their Slack profile: ⋮ then “Copy member ID”), like "
            "U012AB3CD, or their email in the email column."
        )
    if user is None:
        return None, (
            f"{_quoted(typed)} is not a Slack member ID: write it like U012AB3CD or "
            "<@U012AB3CD>, or leave it empty for someone outside Slack."
        )
    if user == owner_id:
        return None, "that's you: you can't be your own advisor. Leave this row out."
    return user, None


def _relationship(typed: str) -> tuple[str, str | None]:
    if not typed:
        return RelationshipKind.OTHER, None
    said = normalize(typed)
    kind = RELATIONSHIP_WORDS.get(said) or RELATIONSHIP_WORDS.get(said.split(" ")[0])
    if kind is None:
        return "", (
            f"the relationship {_quoted(typed)} is not one I know: write {RELATIONSHIPS_SAID}."
        )
    return kind.value, None


def _inside(typed: str, yes_no: bool) -> tuple[bool, str | None]:
    if not typed:
        return True, None
    said = normalize(typed)
    if said in INSIDE_WORDS:
        return INSIDE_WORDS[said], None
    if yes_no and said in YES_NO:
        return YES_NO[said], None
    return True, (
        f"inside or outside: {_quoted(typed)} is neither: write inside (your organisation) "
        "or outside."
    )


def _cadence(typed: str) -> tuple[int | None, str | None]:
    """Days between touchpoints, as `/advisor add` takes them (1 to 365), or a rhythm in
    words ("weekly", "every 2 months"); None: the usual rhythm for the relationship."""
    if not typed:
        return None, None
    said = normalize(typed).removesuffix(" days").removesuffix(" day")
    days = None
    if said.isdecimal():
        days = int(said)
    elif said in _CADENCE_WORDS:
        days = _CADENCE_WORDS[said]
    else:
        found = _CADENCE.fullmatch(said)
        if found and found.group(2) in _UNITS:
            days = int(found.group(1) or 1) * _UNITS[found.group(2)]
    if days is None or not cadence.MIN_DAYS <= days <= cadence.MAX_DAYS:
        return None, (
            f"the cadence {_quoted(typed)} is not one I can use: write a number of days from "
            f"{cadence.MIN_DAYS} to {cadence.MAX_DAYS} (or weekly, monthly, every 2 months…), "
            "or leave it empty for the usual rhythm."
        )
    return days, None


def _date_order(body: list[tuple[int, list[str]]], column: int | None) -> tuple[str, str | None]:
    """How the file writes numeric dates (3/4/2026), if its own last_contact column shows it:
    "dmy" when some date has a day over 12 first, "mdy" when second; "" when it can't tell (or
    shows both), and the note that says what was concluded from which row."""
    if column is None:
        return "", None
    day_first = month_first = None
    for number, cells in body:
        found = _NUMERIC_DATE.fullmatch(cells[column].strip()) if column < len(cells) else None
        if not found:
            continue
        first, second = int(found.group(1)), int(found.group(3))
        if first > 12 >= second and day_first is None:
            day_first = (number, cells[column].strip())
        if second > 12 >= first and month_first is None:
            month_first = (number, cells[column].strip())
    if day_first and not month_first:
        number, shown = day_first
        return "dmy", (
            f"Dates like 03/04/2026 are read day first (3 April), as row {number} "
            f"({_quoted(shown)}) shows this file writes them."
        )
    if month_first and not day_first:
        number, shown = month_first
        return "mdy", (
            f"Dates like 03/04/2026 are read month first (March 4), as row {number} "
            f"({_quoted(shown)}) shows this file writes them."
        )
    return "", None


def _two_ways(typed: str) -> str:
    found = _NUMERIC_DATE.fullmatch(typed)
    if not found:
        return ""
    first, second, year = int(found.group(1)), int(found.group(3)), _full_year(found.group(4))
    ways = []
    for month, day in ((first, second), (second, first)):
        try:
            ways.append(date(year, month, day).isoformat())
        except ValueError:
            continue
    return " or ".join(ways)


def _full_year(typed: str) -> int:
    year = int(typed)
    return year if len(typed) == 4 else 2000 + year if year <= 69 else 1900 + year


def _numeric_date(found: re.Match, order: str) -> date | str | None:
    """A d/m/y or m/d/y date: the day, "two ways" when it could be either and the file does
    not say which, None when it is no day at all."""
    first, second, year = int(found.group(1)), int(found.group(3)), _full_year(found.group(4))
    if first > 12:
        month_day = (second, first)
    elif second > 12 or first == second:
        month_day = (first, second)
    elif order == "dmy":
        month_day = (second, first)
    elif order == "mdy":
        month_day = (first, second)
    else:
        return "two ways"
    try:
        return date(year, *month_day)
    except ValueError:
        return None


def _reading_of(typed: str, zone: ZoneInfo, now: datetime, order: str) -> date | str | None:
    """The day `typed` means for sure: a date, "two ways", "no year", or None."""
    if _ISO_DATE.fullmatch(typed):
        try:
            return date.fromisoformat(typed)
        except ValueError:
            return None
    try:  # a moment, as an export writes last contacts: its day where the member is
        moment = datetime.fromisoformat(typed)
        if "T" in typed or " " in typed.strip():
            return moment.astimezone(zone).date() if moment.tzinfo else moment.date()
    except ValueError:
        pass
    found = _NUMERIC_DATE.fullmatch(typed)
    if found:
        return _numeric_date(found, order)
    here = dates.reading(typed, zone=zone, now=now)
    long_ago = dates.reading(typed, zone=zone, now=_FAR_PAST.replace(tzinfo=zone))
    if isinstance(long_ago, dates.Ask) or isinstance(here, dates.Ask):
        return "two ways"
    if here is None:
        return None
    return here if here == long_ago else "no year"


def _last_contact(
    typed: str, *, zone: ZoneInfo, now: datetime, order: str
) -> tuple[date | None, str | None]:
    """When the member last spoke with the advisor (None: not said, today then), or what is
    wrong with the date typed."""
    if not typed:
        return None, None
    try:
        day = _reading_of(typed, zone, now, order)
    except (OverflowError, ValueError):
        day = None
    shown = _quoted(typed)
    if day == "two ways":
        ways = _two_ways(typed)
        instead = f"write it as {ways}" if ways else f"write the day as YYYY-MM-DD ({ISO_EXAMPLE})"
        return None, f"the last contact {shown} can be read more than one way: {instead}."
    if day == "no year":
        return None, (
            f"the last contact {shown} depends on today's date or has no year: write the "
            f"day itself as YYYY-MM-DD ({ISO_EXAMPLE})."
        )
    if day is None:
        return None, (
            f"I couldn't read the last contact {shown} as a date: write it as YYYY-MM-DD "
            f"({ISO_EXAMPLE})."
        )
    today = now.astimezone(zone).date()
    if day > today:
        return None, f"the last contact {shown} is in the future: write when you last spoke."
    if day < dates.earliest(today):
        return None, (
            f"the last contact {shown} is more than {dates.PAST_YEARS} years ago: check the year."
        )
    return day, None


# --- JSON: the export of /advisor export


def _json_of(text: str) -> dict:
    try:
        found = json.loads(text)
    except RecursionError:  # lists in lists in lists…: not an export
        raise Unreadable(f"This JSON is not an advisor-bot export. {_EXPORT_INSTEAD}") from None
    except json.JSONDecodeError as error:
        raise Unreadable(
            f"This isn't JSON I can read (line {error.lineno}: {error.msg}). Upload the file "
            "`/advisor export` gave you as it is, or a CSV."
        ) from None
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        raise Unreadable(
            f"This JSON is not an advisor-bot export (its “format” should be “{FORMAT}”). "
            "Upload the file `/advisor export` gave you, or a CSV of advisors."
        )
    version = found.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        raise Unreadable(
            f"This export is of a version I don't read ({version!r}; I read up to {VERSION}). "
            "Export it again from this advisor-bot, or import a CSV."
        )
    if not isinstance(found.get("advisors", []), list) or not isinstance(
        found.get("goals", []), list
    ):
        raise Unreadable("This export's advisors or goals are not lists: export it again.")
    if len(found.get("advisors", [])) > MAX_ROWS:
        raise Unreadable(f"That is more than {MAX_ROWS:,} advisors: I import at most that many.")
    return found


_EXPORT_INSTEAD = "Upload the file `/advisor export` gave you, or a CSV of advisors."


def read_export(text: str, *, owner_id: str, team_id: str) -> Reading:
    """The board of an `/advisor export` file: its goals, and its advisors with their
    touchpoints, promises and history. From another workspace, Slack members come as people
    outside Slack (their ids mean nobody here)."""
    export = _json_of(text)
    reading = Reading(JSON)
    same_workspace = export.get("workspace") == team_id
    goals, refs = _export_goals(export.get("goals", []), reading)
    reading.goals = goals
    seen: dict[tuple[str, str], int] = {}
    advisors = export.get("advisors", [])
    reading.total = len(advisors)
    dropped_ids = 0
    for number, record in enumerate(advisors, start=1):
        checker = _Checker(f"Advisor {number}")
        row = checker.advisor(record, refs) if isinstance(record, dict) else None
        name = record.get("name") if isinstance(record, dict) else None
        name = name if isinstance(name, str) else ""
        if row is None or checker.problems:
            problems = tuple(checker.problems) or ("it is not an advisor record.",)
            reading.problems.append(Problem(number, f"Advisor {number}", name, problems))
            continue
        if row["slack_user_id"] and not same_workspace:
            row["slack_user_id"], row["tz"] = None, None
            dropped_ids += 1
        if row["slack_user_id"] == owner_id:
            mine = ("that's you: you can't be your own advisor.",)
            reading.problems.append(Problem(number, f"Advisor {number}", name, mine))
            continue
        row["row"] = number
        first = _first_seen(seen, row, number)
        if first is not None:
            reading.repeats.append(Repeat(number, f"Advisor {number}", name, f"advisor {first}"))
            continue
        reading.rows.append(row)
    if dropped_ids:
        reading.notes.append(
            f"This export is from another Slack workspace: {_plural(dropped_ids, 'advisor')} "
            "who were Slack members there are added as people outside Slack (by name)."
        )
    reading.notes.append(
        "Settings, reassessments, past nudges and circles in the export are not imported: "
        "only your board (advisors, touchpoints, promises and goals)."
    )
    return reading


def _export_goals(records: list, reading: Reading) -> tuple[list[dict], set[str]]:
    goals, refs = [], set()
    for number, record in enumerate(records, start=1):
        checker = _Checker(f"Goal {number}")
        goal = checker.goal(record) if isinstance(record, dict) else None
        if goal is None or checker.problems:
            text = record.get("text") if isinstance(record, dict) else ""
            problems = tuple(checker.problems) or ("it is not a goal record.",)
            shown = text if isinstance(text, str) else ""
            reading.problems.append(Problem(number, f"Goal {number}", shown, problems))
            continue
        if goal["ref"] in refs:
            reading.problems.append(
                Problem(number, f"Goal {number}", goal["text"], ("its ref repeats another's.",))
            )
            continue
        refs.add(goal["ref"])
        goals.append(goal)
    return goals, refs


class _Checker:
    """Reads records of an export, collecting what is wrong with them (each said once with
    where it is: "touchpoint 3: …")."""

    def __init__(self, where: str):
        self.where = where
        self.problems: list[str] = []
        self._in = ""

    def _bad(self, key: str, wanted: str) -> None:
        self.problems.append(f"{self._in}“{key}” should be {wanted}.")

    def text(self, record: dict, key: str, limit: int, *, empty_ok: bool = True) -> str:
        value = record.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > limit or CONTROL.search(value):
            self._bad(key, f"text of at most {limit:,} characters")
            return ""
        if not empty_ok and not value.strip():
            self._bad(key, "some text")
        return value

    def maybe_text(self, record: dict, key: str, limit: int) -> str | None:
        return self.text(record, key, limit) or None

    def one_of(self, record: dict, key: str, allowed, *, optional: bool = False) -> str | None:
        value = record.get(key)
        if optional and value is None:
            return None
        if value not in set(allowed):
            self._bad(key, "one of " + ", ".join(str(a) for a in allowed))
            return None
        return value

    def many_of(self, record: dict, key: str, allowed) -> list[str]:
        value = record.get(key) or []
        if not isinstance(value, list) or not set(value) <= set(allowed):
            self._bad(key, "a list of " + ", ".join(str(a) for a in allowed))
            return []
        return list(value)

    def number(self, record: dict, key: str, allowed: range, *, optional=False) -> int | None:
        value = record.get(key)
        if optional and value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value not in allowed:
            self._bad(key, f"a whole number from {allowed.start} to {allowed.stop - 1}")
            return None
        return value

    def flag(self, record: dict, key: str, *, optional: bool = False) -> bool | None:
        value = record.get(key)
        if optional and value is None:
            return None
        if not isinstance(value, bool):
            self._bad(key, "true or false")
            return None
        return value

    def moment(self, record: dict, key: str, *, optional: bool = True) -> str | None:
        value = record.get(key)
        if optional and value is None:
            return None
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self._bad(key, "a moment with its offset, like 2026-10-01T09:30:00+00:00")
            return None
        return moment.isoformat()

    def day(self, record: dict, key: str, *, optional: bool = True) -> str | None:
        value = record.get(key)
        if optional and value is None:
            return None
        try:
            return date.fromisoformat(value).isoformat() if isinstance(value, str) else None
        except ValueError:
            pass
        self._bad(key, f"a day like {ISO_EXAMPLE}")
        return None

    def goal(self, record: dict) -> dict | None:
        ref = record.get("ref")
        if not isinstance(ref, str) or not ref:
            self._bad("ref", "text")
        text = " ".join(self.text(record, "text", 300, empty_ok=False).split())
        return {
            "ref": ref,
            "kind": self.one_of(record, "kind", list(GoalKind)),
            "text": text,
            "position": self.number(record, "position", range(0, 1000)),
            "created_at": self.moment(record, "created_at"),
        }

    def advisor(self, record: dict, goal_refs: set[str]) -> dict:
        name = " ".join(self.text(record, "name", LIMITS["name"], empty_ok=False).split())
        if name and not has_letters(name):
            self._bad("name", "a name with letters")
        slack_user = record.get("slack_user")
        if slack_user is not None and not (
            isinstance(slack_user, str) and _MEMBER_ID.fullmatch(slack_user)
        ):
            self._bad("slack_user", "a Slack member ID (U…) or null")
            slack_user = None
        tz = record.get("time_zone")
        row = {
            "name": name,
            "slack_user_id": slack_user,
            "contact": self.maybe_text(record, "contact", LIMITS["contact"]),
            "tz": tz if isinstance(tz, str) and _known_zone(tz) else None,
            "relationship": self.one_of(record, "relationship", list(RelationshipKind)),
            "inside_org": self.one_of(record, "inside_outside", ("inside", "outside")) == "inside",
            "support": self.many_of(record, "support", list(Support)),
            "gains": self.text(record, "gains", LIMITS["gains"]),
            "notes": self.text(record, "notes", LIMITS["notes"]),
            "origin": self.one_of(record, "origin", list(Origin), optional=True),
            "closeness": self.number(record, "closeness", CLOSENESS, optional=True),
            "cadence_days": self.number(
                record, "cadence_days", range(cadence.MIN_DAYS, cadence.MAX_DAYS + 1)
            ),
            "status": self.one_of(record, "status", list(AdvisorStatus)),
        }
        for key in ("last_contact", "last_spoke_at", "next_touch_due_at", "snoozed_until"):
            row[key] = self.moment(record, key)
        row["created_at"] = self.moment(record, "created_at", optional=False)
        row["updated_at"] = self.moment(record, "updated_at", optional=False)
        goals = record.get("goals") or []
        if not isinstance(goals, list) or not all(isinstance(g, str) for g in goals):
            self._bad("goals", "a list of goal refs")
            goals = []
        row["goals"] = [g for g in dict.fromkeys(goals) if g in goal_refs]
        row["touchpoints"] = self._each(record, "touchpoints", "touchpoint", self._touchpoint)
        row["promises"] = self._each(record, "promises", "promise", self._promise)
        return row

    def _each(self, record: dict, key: str, one: str, read) -> list[dict]:
        listed = record.get(key) or []
        if not isinstance(listed, list):
            self._bad(key, "a list")
            return []
        found, outer = [], self._in
        for number, item in enumerate(listed, start=1):
            self._in = f"{outer}{one} {number}: "
            if isinstance(item, dict):
                found.append(read(item))
            else:
                self.problems.append(f"{self._in}it is not a {one} record.")
        self._in = outer
        return found

    def _touchpoint(self, record: dict) -> dict:
        return {
            "at": self.moment(record, "at", optional=False),
            "how": self.one_of(record, "how", list(Medium)),
            "exchanged": self.many_of(record, "exchanged", list(Exchange)),
            "given_by": self.one_of(record, "given_by", list(GivenBy)),
            "note": self.text(record, "note", 3000),
            "message_link": self.maybe_text(record, "message_link", 500),
            "created_at": self.moment(record, "created_at", optional=False),
        }

    def _promise(self, record: dict) -> dict:
        what = " ".join(self.text(record, "what", 500, empty_ok=False).split())
        return {
            "what": what,
            "firmness": self.one_of(record, "firmness", list(Firmness)),
            "status": self.one_of(record, "status", list(PromiseStatus)),
            "due_on": self.day(record, "due_on", optional=False),
            "original_due_on": self.day(record, "original_due_on", optional=False),
            "due_at": self.moment(record, "due_at", optional=False),
            "renegotiations": self.number(record, "renegotiations", range(0, 10_000)),
            "last_update_at": self.moment(record, "last_update_at"),
            "closed_at": self.moment(record, "closed_at"),
            "created_at": self.moment(record, "created_at", optional=False),
            "updated_at": self.moment(record, "updated_at", optional=False),
            "history": self._each(record, "history", "change", self._change),
        }

    def _change(self, record: dict) -> dict:
        return {
            "at": self.moment(record, "at", optional=False),
            "change": self.one_of(record, "change", list(PromiseChange)),
            "text": self.text(record, "text", 3000),
            "old_due_on": self.day(record, "old_due_on"),
            "old_due_at": self.moment(record, "old_due_at"),
            "new_due_on": self.day(record, "new_due_on"),
            "sent_to_advisor": bool(self.flag(record, "sent_to_advisor")),
            "told_them": self.flag(record, "told_them", optional=True),
        }


def _known_zone(tz: str) -> bool:
    try:
        ZoneInfo(tz)
        return len(tz) <= 64
    except (ValueError, KeyError, OSError):
        return False


def as_moment(value: str | None) -> datetime | None:
    """A moment kept as ISO text (by `read_export`) back as an aware datetime."""
    return datetime.fromisoformat(value) if value else None


def as_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
