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
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
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

# How people write how an advisor relates to them, as whole phrases (no word is guessed from
# a longer phrase: "up and coming" is not "up", "other team lead" is not "other"). Senior: a
# sponsor, boss or executive (the add form's words), their managers and mentors; junior: whom
# the member manages or coaches; family or friend, as the add form says. "Lead", "coach" and
# "partner" are left out: a lead or a coach may be a peer, a partner a spouse or a firm's senior.
_SENIOR = (
    "senior",
    "senior to me",
    "senior to me sponsor boss executive",  # the add form's label
    "sponsor",
    "boss",
    "manager",
    "line manager",
    "skip level",
    "skip level manager",
    "director",
    "vp",
    "vice president",
    "executive",
    "exec",
    "leader",
    "senior leader",
    "supervisor",
    "superior",
    "mentor",
)
_PEER = (
    "peer",
    "a peer",
    "colleague",
    "coworker",
    "co worker",
    "teammate",
    "team mate",
    "classmate",
    "equal",
    "same level",
    "learning partner",
    "peer coach",
)
_JUNIOR = (
    "junior",
    "junior to me",
    "mentee",
    "report",
    "direct report",
    "protege",
    "intern",
    "apprentice",
    "trainee",
    "reverse mentor",  # someone junior with expertise the member lacks
)
_FAMILY_FRIEND = (
    "family",
    "friend",
    "friends",
    "family or friend",
    "family friend",
    "family and friend",
    "family and friends",
    "relative",
    "spouse",
    "husband",
    "wife",
    "parent",
    "sibling",
)
RELATIONSHIP_WORDS: dict[str, RelationshipKind] = {
    **dict.fromkeys(_SENIOR, RelationshipKind.SENIOR),
    **dict.fromkeys(_PEER, RelationshipKind.PEER),
    **dict.fromkeys(_JUNIOR, RelationshipKind.JUNIOR),
    **dict.fromkeys(_FAMILY_FRIEND, RelationshipKind.FAMILY_FRIEND),
    "other": RelationshipKind.OTHER,
}
# Words around those phrases that change nothing: "my manager", "a former colleague",
# "Manager (former)", "ex-boss", "old friend".
_ASIDE_WORDS = {"my", "a", "an", "the", "former", "ex", "previous", "current", "old", "close"}
RELATIONSHIPS_SAID = "senior, peer, junior, family or other"
RELATIONSHIPS_UNDERSTOOD = (
    "senior (or sponsor, boss, manager, director, VP, executive, mentor), peer (or colleague, "
    "teammate), junior (or mentee, direct report, intern), family or friend, and other"
)
INSIDE_WORDS = {
    **dict.fromkeys(("inside", "in", "internal", "inside my organisation"), True),
    **dict.fromkeys(("inside my organization", "inside org", "same company"), True),
    **dict.fromkeys(("outside", "out", "external", "outside my organisation"), False),
    **dict.fromkeys(("outside my organization", "outside org", "other company"), False),
}
YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False}
YES_NO |= {"false": False, "0": False}
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
    notes: list[str] = field(default_factory=list)  # about the file as a whole
    total: int = 0  # rows (advisors) read, blank lines aside
    # How rows were read, by row number: said in the preview about the rows it adds only
    # (`notes_for`), so a preview adding nobody says nothing about how they would be added.
    defaulted: dict[int, tuple[str, ...]] = field(default_factory=dict)  # fields left empty
    by_order: set[int] = field(default_factory=set)  # a date the file's own column settled
    order_note: str = ""
    elsewhere: set[int] = field(default_factory=set)  # Slack members of another workspace
    left: set[int] = field(default_factory=set)  # an export's Slack members no longer here
    no_contact: set[int] = field(default_factory=set)  # an export's advisor never contacted


def read_import(
    text: str, *, filename: str | None, owner_id: str, team_id: str, zone: ZoneInfo, now: datetime
) -> Reading:
    """What `text` (a CSV, or an export's JSON) holds for this member at `now`; Unreadable when
    it cannot be read at all."""
    looks_json = (filename or "").lower().endswith(".json") or text.lstrip()[:1] == "{"
    if looks_json:
        return read_export(text, owner_id=owner_id, team_id=team_id, now=now)
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


def shown(value: str, limit: int = 200) -> str:
    """Typed text as a problem or a note may quote it: without control characters (which
    can't be stored or shown), and not too long."""
    value = CONTROL.sub("", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _quoted(value: str) -> str:
    value = " ".join(CONTROL.sub("", value).split())
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
                f"Two columns mean the same thing: {_quoted(header[found[key]])} and "
                f"{_quoted(cell)}. Keep one of them. {EXPECTED}"
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


_SEPARATOR_LINE = re.compile(r"sep=(.)", re.IGNORECASE)  # Excel's first line: "sep=;"


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
    left out. Records end at a line break (CR, LF or both) outside quotes, as the csv module
    reads them: a line or paragraph separator, a form feed or a vertical tab is part of its
    cell. A first line "sep=;" (as Excel writes) names the separator and is no row."""
    text = text.lstrip("\ufeff")
    first, _, rest = text.partition("\n")
    named = _SEPARATOR_LINE.fullmatch(first.strip())
    if named:
        text, first = rest, rest.split("\n", 1)[0]
    delimiter = named.group(1) if named else _dialect(first)
    if delimiter in ('"', "\r"):
        raise Unreadable(f"The first line “sep=” names no separator I can use. {EXPECTED}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
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
    today = now.astimezone(zone).date()
    order, reading.order_note = _date_order(body, layout.get("last_contact"), today)
    seen: dict[tuple[str, str], int] = {}
    for number, cells in body:
        cell = partial(_cell, cells, layout)
        row, problems = _csv_row(cell, owner_id=owner_id, yes_no=yes_no, today=today)
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            problems.append(
                f"it has more cells than the header ({len(cells):,} for {len(header):,}): a value "
                "with a comma in it needs quotes around it."
            )
        typed = cell("last_contact")
        spoke, problem = _last_contact(typed, zone=zone, now=now, order=order)
        if problem:
            problems.append(problem)
        row["last_spoke_on"] = spoke.isoformat() if spoke else None
        row["row"] = number
        if problems:
            where = f"Row {number}"
            reading.problems.append(Problem(number, where, shown(row["name"]), tuple(problems)))
            continue
        first = _first_seen(seen, row, number)
        if first is not None:
            reading.repeats.append(Repeat(number, f"Row {number}", row["name"], f"row {first}"))
            continue
        empty = tuple(key for key in ("relationship", "last_contact") if not cell(key))
        if empty:
            reading.defaulted[number] = empty
        if order and _ambiguous(typed):
            reading.by_order.add(number)
        reading.rows.append(row)
    if ignored:
        names = ", ".join(_quoted(name) for name in ignored[:6])
        more = f" and {len(ignored) - 6:,} more" if len(ignored) > 6 else ""
        reading.notes.append(f"Columns I don't use are left out: {names}{more}.")
    return reading


def _cell(cells: list[str], layout: dict[str, int], key: str) -> str:
    """A row's cell as typed: the quote an export puts in front of a formula-like cell
    (`=…`, `+33…`, `@…`) taken off (core/export.py's spreadsheet_cell)."""
    index = layout.get(key)
    if index is None or index >= len(cells):
        return ""
    return typed_cell(cells[index].strip()).strip()


def notes_for(reading: Reading, rows: list[dict]) -> list[str]:
    """What the preview says about the file, and about how `rows` (those it would add: not
    on the board already) were read; nothing about rows it doesn't add."""
    notes = list(reading.notes)
    numbers = [row["row"] for row in rows]
    no_relationship = sum("relationship" in reading.defaulted.get(n, ()) for n in numbers)
    no_contact = sum("last_contact" in reading.defaulted.get(n, ()) for n in numbers)
    no_contact += sum(n in reading.no_contact for n in numbers)
    if no_relationship:
        notes.append(
            f"{_plural(no_relationship, 'row names', 'rows name')} no relationship: added as "
            "“other” (change it with Edit on my Home tab)."
        )
    if no_contact:
        one = "advisor has" if reading.kind == JSON else "row has"
        many = "advisors have" if reading.kind == JSON else "rows have"
        notes.append(
            f"{_plural(no_contact, one, many)} no last contact: the rhythm starts from today."
        )
    if reading.order_note and any(n in reading.by_order for n in numbers):
        notes.append(reading.order_note)
    elsewhere = sum(n in reading.elsewhere for n in numbers)
    if elsewhere:
        who = (
            "1 advisor who was a Slack member there is added as someone"
            if elsewhere == 1
            else f"{elsewhere:,} advisors who were Slack members there are added as people"
        )
        notes.append(f"This export is from another Slack workspace: {who} outside Slack (by name).")
    left = sum(n in reading.left for n in numbers)
    if left:
        who = (
            "1 advisor is no longer a member of this Slack workspace: restored as someone"
            if left == 1
            else f"{left:,} advisors are no longer members of this Slack workspace: restored as "
            "people"
        )
        notes.append(f"{who} outside Slack (by name), with their history.")
    if reading.kind == JSON and rows:
        notes.append(
            "Settings, reassessments, past nudges and circles in the export are not imported: "
            "only your board (advisors, touchpoints, promises and goals)."
        )
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


def relationship_of(typed: str) -> RelationshipKind | None:
    """The relationship a whole phrase names ("Direct report", "my manager", "Manager
    (former)"), or None: never a guess from one word of a longer phrase."""
    said = normalize(typed)
    words = said.split(" ")
    while words and words[0] in _ASIDE_WORDS:
        words = words[1:]
    while words and words[-1] in _ASIDE_WORDS:
        words = words[:-1]
    return RELATIONSHIP_WORDS.get(said) or RELATIONSHIP_WORDS.get(" ".join(words))


def _relationship(typed: str) -> tuple[str, str | None]:
    if not typed:
        return RelationshipKind.OTHER, None
    kind = relationship_of(typed)
    if kind is None:
        return "", (
            f"the relationship {_quoted(typed)} is not one I know: write "
            f"{RELATIONSHIPS_SAID}. I understand {RELATIONSHIPS_UNDERSTOOD}."
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
    words (core.cadence reads them); None: the usual rhythm for the relationship."""
    if not typed:
        return None, None
    try:
        return cadence.read_days(typed), None
    except cadence.NotACadence as problem:
        return None, (
            f"the cadence {_quoted(typed)} {problem}, or leave it empty for the usual rhythm."
        )


def _date_order(
    body: list[tuple[int, list[str]]], column: int | None, today: date
) -> tuple[str, str]:
    """How the file writes numeric dates (3/4/2026), if its own last_contact column shows it:
    "dmy" when some date has a day over 12 first, "mdy" when second; "" when it can't tell (or
    shows both), and the note that says what was concluded from which row."""
    if column is None:
        return "", ""
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
        number, typed = day_first
        return "dmy", (
            f"Dates like 03/04/2026 are read day first (3 April), as row {number} "
            f"({_quoted(typed)}) shows this file writes them."
        )
    if month_first and not day_first:
        number, typed = month_first
        return "mdy", (
            f"Dates like 03/04/2026 are read month first (March 4), as row {number} "
            f"({_quoted(typed)}) shows this file writes them."
        )
    return "", ""


def _ambiguous(typed: str) -> bool:
    """A numeric date whose day and month could be either way round (03/04/2026)."""
    found = _NUMERIC_DATE.fullmatch(typed)
    if not found:
        return False
    first, second = int(found.group(1)), int(found.group(3))
    return first != second and first <= 12 and second <= 12


def _two_ways(typed: str, today: date) -> str:
    found = _NUMERIC_DATE.fullmatch(typed)
    if not found:
        return ""
    first, second = int(found.group(1)), int(found.group(3))
    year = _full_year(found.group(4), today)
    ways = []
    for month, day in ((first, second), (second, first)):
        try:
            ways.append(date(year, month, day).isoformat())
        except ValueError:
            continue
    return " or ".join(ways)


def _full_year(typed: str, today: date) -> int:
    """A year written with four digits, or two: then the latest year ending so that is not
    after this one (a last contact is in the past: '26 is 2026, '99 is 1999)."""
    year = int(typed)
    if len(typed) == 4:
        return year
    return today.year - (today.year - year) % 100


def _numeric_date(found: re.Match, order: str, today: date) -> date | str | None:
    """A d/m/y or m/d/y date: the day, "two ways" when it could be either and the file does
    not say which, None when it is no day at all."""
    first, second = int(found.group(1)), int(found.group(3))
    year = _full_year(found.group(4), today)
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


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_SEP = r"[\s./,-]+"
# A spreadsheet's dates with a month's name and a two-digit year: 03-Mar-26, Mar 3, 26
_DAY_MONTH_YY = re.compile(rf"(\d{{1,2}}){_SEP}([a-z]+){_SEP}(\d{{2}})", re.IGNORECASE)
_MONTH_DAY_YY = re.compile(
    rf"([a-z]+){_SEP}(\d{{1,2}})(?:st|nd|rd|th)?{_SEP}(\d{{2}})", re.IGNORECASE
)
# A month without its day: March 2026, Mar-26 (Excel's mmm-yy), 2026-03, 03/2026
_MONTH_ONLY = (
    re.compile(rf"([a-z]+){_SEP}\d{{4}}", re.IGNORECASE),
    re.compile(r"([a-z]+)\.?-\d{2}", re.IGNORECASE),
    re.compile(r"\d{4}[-/.](0?[1-9]|1[0-2])()"),
    re.compile(r"(0?[1-9]|1[0-2])[-/.]\d{4}()"),
)


def _named_month(typed: str, today: date) -> date | str | None:
    """A date with its month's name and a two-digit year (the day, or None when it is none);
    "no day" for a month and year without a day; "" when `typed` is written otherwise."""
    for pattern in _MONTH_ONLY:
        found = pattern.fullmatch(typed)
        if found and (found.group(1).isdigit() or found.group(1).lower() in _MONTHS):
            return "no day"
    found = _DAY_MONTH_YY.fullmatch(typed)
    day, month, year = found.groups() if found else (None, None, None)
    if not found:
        found = _MONTH_DAY_YY.fullmatch(typed)
        month, day, year = found.groups() if found else (None, None, None)
    if not found or month.lower() not in _MONTHS:
        return ""
    try:
        return date(_full_year(year, today), _MONTHS[month.lower()], int(day))
    except ValueError:
        return None


def _reading_of(typed: str, zone: ZoneInfo, now: datetime, order: str) -> date | str | None:
    """The day `typed` means for sure: a date, "two ways", "no year", "no day", or None."""
    today = now.astimezone(zone).date()
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
        return _numeric_date(found, order, today)
    named = _named_month(typed, today)
    if named != "":
        return named
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
    said = _quoted(typed)
    today = now.astimezone(zone).date()
    write = f"write the day itself as YYYY-MM-DD ({ISO_EXAMPLE})"
    if day == "two ways":
        ways = _two_ways(typed, today)
        instead = f"write it as {ways}" if ways else write
        return None, f"the last contact {said} can be read more than one way: {instead}."
    if day == "no day":
        return None, f"the last contact {said} has a month but no day: {write}."
    if day == "no year":
        return None, f"the last contact {said} depends on today's date or has no year: {write}."
    if day is None:
        return None, (
            f"I couldn't read the last contact {said} as a date: write it as YYYY-MM-DD "
            f"({ISO_EXAMPLE})."
        )
    if day > today:
        return None, f"the last contact {said} is in the future: write when you last spoke."
    if day < dates.earliest(today):
        return None, (
            f"the last contact {said} is more than {dates.PAST_YEARS} years ago: check the year."
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
    except ValueError:  # a number of thousands of digits, say: no export writes one
        raise Unreadable(f"This JSON is not an advisor-bot export. {_EXPORT_INSTEAD}") from None
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        raise Unreadable(
            f"This JSON is not an advisor-bot export (its “format” should be “{FORMAT}”). "
            "Upload the file `/advisor export` gave you, or a CSV of advisors."
        )
    version = found.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        raise Unreadable(
            f"This export is of a version I don't read ({shown(repr(version), 40)}; I read up "
            f"to {VERSION}). Export it again from this advisor-bot, or import a CSV."
        )
    if not isinstance(found.get("advisors", []), list) or not isinstance(
        found.get("goals", []), list
    ):
        raise Unreadable("This export's advisors or goals are not lists: export it again.")
    if len(found.get("advisors", [])) > MAX_ROWS:
        raise Unreadable(f"That is more than {MAX_ROWS:,} advisors: I import at most that many.")
    return found


_EXPORT_INSTEAD = "Upload the file `/advisor export` gave you, or a CSV of advisors."


def read_export(text: str, *, owner_id: str, team_id: str, now: datetime) -> Reading:
    """The board of an `/advisor export` file: its goals, and its advisors with their
    touchpoints, promises and history, every field checked as `/advisor add`, `/advisor log`
    and `/advisor promise` would (its type, its words, its length, its dates: a contact not in
    the future nor more than a hundred years back, a due date within the years a promise may
    be made for). From another workspace, Slack members come as people outside Slack (their
    ids mean nobody here)."""
    export = _json_of(text)
    reading = Reading(JSON)
    same_workspace = export.get("workspace") == team_id
    goals, refs = _export_goals(export.get("goals", []), reading, now)
    reading.goals = goals
    seen: dict[tuple[str, str], int] = {}
    advisors = export.get("advisors", [])
    reading.total = len(advisors)
    for number, record in enumerate(advisors, start=1):
        checker = _Checker(f"Advisor {number}", now)
        row = checker.advisor(record, refs) if isinstance(record, dict) else None
        name = record.get("name") if isinstance(record, dict) else None
        name = shown(name) if isinstance(name, str) else ""
        if row is None or checker.problems:
            problems = tuple(checker.problems) or ("it is not an advisor record.",)
            reading.problems.append(Problem(number, f"Advisor {number}", name, problems))
            continue
        if row["slack_user_id"] and not same_workspace:
            row["slack_user_id"], row["tz"] = None, None
            reading.elsewhere.add(number)
        if row["slack_user_id"] == owner_id:
            mine = ("that's you: you can't be your own advisor.",)
            reading.problems.append(Problem(number, f"Advisor {number}", name, mine))
            continue
        row["row"] = number
        first = _first_seen(seen, row, number)
        if first is not None:
            reading.repeats.append(Repeat(number, f"Advisor {number}", name, f"advisor {first}"))
            continue
        if row["status"] == AdvisorStatus.ACTIVE and not (
            row["last_contact"] or row["last_spoke_at"] or row["touchpoints"]
        ):
            reading.no_contact.add(number)
        reading.rows.append(row)
    return reading


def _export_goals(records: list, reading: Reading, now: datetime) -> tuple[list[dict], set[str]]:
    goals, refs = [], set()
    for number, record in enumerate(records, start=1):
        checker = _Checker(f"Goal {number}", now)
        goal = checker.goal(record) if isinstance(record, dict) else None
        if goal is None or checker.problems:
            text = record.get("text") if isinstance(record, dict) else ""
            problems = tuple(checker.problems) or ("it is not a goal record.",)
            said = shown(text) if isinstance(text, str) else ""
            reading.problems.append(Problem(number, f"Goal {number}", said, problems))
            continue
        if goal["ref"] in refs:
            reading.problems.append(
                Problem(number, f"Goal {number}", goal["text"], ("its ref repeats another's.",))
            )
            continue
        refs.add(goal["ref"])
        goals.append(goal)
    return goals, refs


CLOCK_SKEW = timedelta(minutes=5)  # a moment this far after now is now on another machine
MOMENT_EXAMPLE = "2026-10-01T09:30:00+00:00"


class _Checker:
    """Reads records of an export, collecting what is wrong with them (each said once with
    where it is: "touchpoint 3: …"). Every field is checked for its type before anything else
    is asked of it: a list where words should be is a problem of its record, never an error."""

    def __init__(self, where: str, now: datetime):
        self.where = where
        self.problems: list[str] = []
        self._in = ""
        self.now = now
        today = now.astimezone(UTC).date()
        self.first_day, self.last_day = dates.earliest(today), dates.horizon(today)

    def _bad(self, key: str, wanted: str) -> None:
        self.problems.append(f"{self._in}“{key}” should be {wanted}.")

    def text(self, record: dict, key: str, limit: int, *, empty_ok: bool = True) -> str:
        value = record.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > limit or CONTROL.search(value):
            self._bad(key, f"text of at most {limit:,} characters, without control characters")
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
        if not isinstance(value, str) or value not in {str(a) for a in allowed}:
            self._bad(key, "one of " + ", ".join(str(a) for a in allowed))
            return None
        return value

    def many_of(self, record: dict, key: str, allowed) -> list[str]:
        value = record.get(key)
        if value is None:
            return []
        words = {str(a) for a in allowed}
        if not isinstance(value, list) or not all(isinstance(v, str) and v in words for v in value):
            self._bad(key, "a list of " + ", ".join(str(a) for a in allowed))
            return []
        return list(dict.fromkeys(value))

    def number(self, record: dict, key: str, allowed: range, *, optional=False) -> int | None:
        value = record.get(key)
        if optional and value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value not in allowed:
            self._bad(key, f"a whole number from {allowed.start:,} to {allowed.stop - 1:,}")
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

    def moment(
        self, record: dict, key: str, *, optional: bool = True, ahead: bool = False
    ) -> str | None:
        """A moment with its offset: one that happened (`ahead` False: from PAST_YEARS back
        up to now) or one a due date is (from then up to the horizon's last day)."""
        value = record.get(key)
        if optional and value is None:
            return None
        until = f"to {self.last_day.year}" if ahead else "up to now"
        span = f"a moment from {self.first_day.year} {until}"
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self._bad(key, f"a moment with its offset, like {MOMENT_EXAMPLE}")
            return None
        try:
            utc = moment.astimezone(UTC)
        except OverflowError:  # year 1 at +14:00, 9999-12-31 at -12:00: beyond the calendar
            utc = None
        if utc is None or not self.first_day <= utc.date():
            self._bad(key, span)
            return None
        if (ahead and utc.date() > self.last_day + timedelta(days=1)) or (
            not ahead and utc > self.now + CLOCK_SKEW
        ):
            self._bad(key, span)
            return None
        return moment.isoformat()

    def day(self, record: dict, key: str, *, optional: bool = True) -> str | None:
        value = record.get(key)
        if optional and value is None:
            return None
        try:
            day = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            day = None
        if day is None or not self.first_day <= day <= self.last_day:
            self._bad(key, f"a day from {self.first_day} to {self.last_day}, like {ISO_EXAMPLE}")
            return None
        return day.isoformat()

    def goal(self, record: dict) -> dict | None:
        ref = record.get("ref")
        if not isinstance(ref, str) or not ref or len(ref) > 100:
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
        if tz is not None and not isinstance(tz, str):
            self._bad("time_zone", "a time zone's name, like Europe/Paris, or null")
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
        for key in ("last_contact", "last_spoke_at"):
            row[key] = self.moment(record, key)
        for key in ("next_touch_due_at", "snoozed_until"):
            row[key] = self.moment(record, key, ahead=True)
        row["created_at"] = self.moment(record, "created_at", optional=False)
        row["updated_at"] = self.moment(record, "updated_at", optional=False)
        goals = record.get("goals")
        if goals is None:
            goals = []
        if not isinstance(goals, list) or not all(isinstance(g, str) for g in goals):
            self._bad("goals", "a list of goal refs")
            goals = []
        row["goals"] = [g for g in dict.fromkeys(goals) if g in goal_refs]
        row["touchpoints"] = self._each(record, "touchpoints", "touchpoint", self._touchpoint)
        row["promises"] = self._each(record, "promises", "promise", self._promise)
        return row

    def _each(self, record: dict, key: str, one: str, read) -> list[dict]:
        listed = record.get(key)
        if listed is None:
            return []
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
            "due_at": self.moment(record, "due_at", optional=False, ahead=True),
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
            "old_due_at": self.moment(record, "old_due_at", ahead=True),
            "new_due_on": self.day(record, "new_due_on"),
            "sent_to_advisor": bool(self.flag(record, "sent_to_advisor")),
            "told_them": self.flag(record, "told_them", optional=True),
        }


# --- Slack members named: checked with Slack after reading (bot/listeners/imports.py)

PERSON, BOT, GONE, UNKNOWN = "person", "bot", "deleted", "unknown"


@dataclass(frozen=True)
class SlackMember:
    """What Slack says of a member ID a row names: a person (with their time zone), a bot,
    someone deactivated, or no one in this workspace."""

    state: str
    tz: str | None = None


def slack_ids(reading: Reading) -> list[str]:
    """The Slack members the rows to add name, each once, in the file's order."""
    return list(dict.fromkeys(row["slack_user_id"] for row in reading.rows if row["slack_user_id"]))


def _refused(member: SlackMember, user_id: str, kind: str) -> str | None:
    """Why a row naming this member can't be added, as `/advisor add` would refuse them."""
    leave = "set its “slack_user” to null" if kind == JSON else "leave slack_user empty"
    if member.state == BOT:
        return f"{user_id} is a bot: an advisor is a person you can talk to."
    if member.state == GONE:
        return (
            f"{user_id} is no longer in this workspace: {leave} to add them as someone "
            "outside Slack (with their email, if you have it)."
        )
    if member.state == UNKNOWN:
        return (
            f"{user_id} is not a member of this workspace: check the member ID (in their "
            f"Slack profile: ⋮ then “Copy member ID”), or {leave} for someone outside Slack."
        )
    return None


def with_members(reading: Reading, found: dict[str, SlackMember], *, unchecked: int) -> None:
    """The rows as Slack says their members are: a bot, someone deactivated or an ID no one in
    the workspace has is a problem of its row (as `/advisor add` refuses them); a person's
    time zone is kept as `/advisor add` keeps it; the typed name stays. An export's advisor
    who has left is restored as someone outside Slack, with their history (the board keeps an
    advisor who leaves Slack). `unchecked` members (past how many are looked up, or when Slack
    didn't answer) are said in a note."""
    kept = []
    for row in reading.rows:
        member = found.get(row["slack_user_id"] or "")
        if reading.kind == JSON and member is not None and member.state in (GONE, UNKNOWN):
            row["slack_user_id"], row["tz"] = None, None
            reading.left.add(row["row"])
            member = None
        refused = _refused(member, row["slack_user_id"], reading.kind) if member else None
        if refused is None:
            if member is not None and member.tz and _known_zone(member.tz):
                row["tz"] = member.tz
            kept.append(row)
            continue
        where = f"Advisor {row['row']}" if reading.kind == JSON else f"Row {row['row']}"
        reading.problems.append(Problem(row["row"], where, shown(row["name"]), (refused,)))
    reading.rows = kept
    reading.problems.sort(key=lambda p: (not p.where.startswith("Goal"), p.row))
    if unchecked and not found:
        reading.notes.append(
            f"I couldn't check the {_plural(unchecked, 'Slack member')} it names with Slack just "
            "now: a bot or someone who left would be added as they are (import it again later "
            "to have them checked)."
        )
    elif unchecked:
        reading.notes.append(
            f"I checked {_plural(len(found), 'Slack member')} with Slack; "
            f"{_plural(unchecked, 'other was', 'others were')} not checked (Slack didn't answer "
            "for them, or there were too many to look up): a bot or someone who left would be "
            "added as they are."
        )


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
