"""`/advisor import` in Block Kit, pure builders: the modal a CSV is pasted in (with the header
it expects), the preview of what would be added with each row's problems (in that modal, and in
the DM for an uploaded file, with its buttons), what the DM's preview says once it was answered,
the answer once saved, the report, and every problem as a CSV file when the preview can't list
them all. What people typed (names, values quoted in problems) is escaped once, here."""

import csv
import io
import json
from datetime import date

from bot.ids import (
    IMPORT_CANCEL,
    IMPORT_CONFIRM,
    IMPORT_EDIT,
    IMPORT_PASTE_VIEW,
    IMPORT_PREVIEW_VIEW,
)
from bot.views.elements import input_block, text_input
from bot.views.text import day, escape, mrkdwn, plain
from bot.views.typed import cut
from core.cadence import describe_days
from core.export import spreadsheet_cell
from core.import_reading import EXAMPLE, HEADER, JSON
from core.imports import SAVE_FAILED, SHOWN_PROBLEMS
from core.models import AdvisorStatus, BoardImport, ImportState

PASTE_LIMIT = 3000  # Slack's most for a plain_text_input
SHOWN_ADDED = 10  # advisors a preview names before "and N more"
SHOWN_ASIDE = 10
SECTION = 3000  # characters in a section's text
ROW_LINE = 700  # characters one row's problems may take in a preview
RELATIONSHIP = {"family_friend": "family or friend"}
INTRO = (
    "Paste a CSV of your advisors, one per line, with this header first:\n"
    f"```{HEADER}\n{EXAMPLE.replace('<@U012AB3CD>', 'U012AB3CD')}\n"
    "Sam Lee,,sam@example.com,peer,outside,,2026-09-15```"
)
COLUMNS_SAID = (
    "Only *name* is required. *slack_user*: a Slack member's ID (U…, from their profile: ⋮ then "
    "Copy member ID) or @-mention; *email*: for someone outside Slack. *relationship*: senior, "
    "peer, junior, family or other. *inside_outside*: inside or outside your organisation. "
    "*cadence_days*: be in touch every N days, or every 2 weeks, twice a month, monthly… "
    "(empty: the usual rhythm). *last_contact*: when you last spoke, as YYYY-MM-DD (empty: "
    "today)."
)
PASTE_HINT = (
    "A form holds 3,000 characters (about 40 advisors). For more, upload the CSV file in your "
    "DM with me (the Messages tab), or the JSON file /advisor export gave you."
)
NOTHING_SAVED_YET = "Nothing is saved until you have seen what would be added and said so."


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number:,} {one if number == 1 else many or one + 's'}"


def build_paste_modal(text: str = "", *, problem: str = "") -> dict:
    """The modal a CSV is pasted in; `text` what was pasted before (to fix it)."""
    blocks = [
        {"type": "section", "text": mrkdwn(INTRO)},
        {"type": "context", "elements": [mrkdwn(COLUMNS_SAID)]},
        input_block(
            "csv",
            "Your advisors, as CSV",
            text_input(PASTE_LIMIT, text[:PASTE_LIMIT], multiline=True, placeholder=HEADER),
            optional=False,
            hint=PASTE_HINT,
        ),
        {"type": "context", "elements": [mrkdwn(NOTHING_SAVED_YET)]},
    ]
    if problem:
        blocks.insert(0, {"type": "section", "text": mrkdwn(escape(problem))})
    return {
        "type": "modal",
        "callback_id": IMPORT_PASTE_VIEW,
        "title": plain("Import advisors", 24),
        "submit": plain("Check", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def _source(found: BoardImport) -> str:
    return f"*{escape(found.filename)}*" if found.filename else "What you pasted"


def _unit(kind: str) -> str:
    """What an import's entries are called: a CSV's rows, an export's records (its advisors
    and goals)."""
    return "record" if kind == JSON else "row"


def _summary(found: BoardImport, *, in_dm: bool) -> str:
    adding = len(found.rows)
    rows = "advisor" if found.kind == JSON else "row"
    lines = [f"{_source(found)}: {_count(found.total, rows)} read."]
    lines.append(
        f"*{_count(adding, 'advisor')} to add.*" if adding else "*Nothing to add* from it."
    )
    if found.problems:
        one = len(found.problems) == 1
        fix = "upload the file again" if in_dm else "check again (Edit the CSV, below)"
        lines.append(
            f"{_count(len(found.problems), _unit(found.kind))} {'has' if one else 'have'} "
            "problems: "
            f"{'it is' if one else 'they are'} skipped if you import now, or fix "
            f"{'it' if one else 'them'} and {fix}."
        )
    aside = [s for s in found.skipped if not s["why"].startswith("repeats")]
    repeats = len(found.skipped) - len(aside)
    if aside or repeats:
        said = []
        if aside:
            said.append(f"{_count(len(aside), 'is', 'are')} already on your board or alumni list")
        if repeats:
            said.append(f"{_count(repeats, 'repeats', 'repeat')} an earlier one")
        lines.append(" and ".join(said) + ": nobody is added twice.")
    return "\n".join(lines)


def _rhythm(row: dict) -> str:
    days = row.get("cadence_days")
    return describe_days(days) if days else "the usual rhythm"


def _added_line(row: dict, kind: str, today: date) -> str:
    parts = [f"*{escape(row['name'])}*"]
    parts.append(RELATIONSHIP.get(row["relationship"], row["relationship"]))
    parts.append("inside" if row["inside_org"] else "outside")
    if kind == JSON and row.get("status") == AdvisorStatus.ALUMNI:
        parts.append("among alumni")
    else:
        parts.append(_rhythm(row))
    if kind == JSON:
        parts.append(_count(len(row["touchpoints"]), "touchpoint"))
        parts.append(_count(len(row["promises"]), "promise"))
    elif row.get("last_spoke_on"):
        parts.append(f"last contact {day(date.fromisoformat(row['last_spoke_on']), today)}")
    else:
        parts.append("last contact today")
    return "• " + " · ".join(parts)


def _lines_in_sections(title: str, lines: list[str], tail: str = "") -> list[dict]:
    """`lines` under a bold title, over as few sections as Slack's 3,000 characters allow."""
    blocks, current = [], f"*{title}*"
    for line in [*lines, *([tail] if tail else [])]:
        if len(current) + 1 + len(line) > SECTION:
            blocks.append({"type": "section", "text": mrkdwn(current)})
            current = line
        else:
            current += "\n" + line
    blocks.append({"type": "section", "text": mrkdwn(current)})
    return blocks


def _problem_line(problem: dict) -> str:
    who = f" ({escape(problem['name'])})" if problem.get("name") else ""
    said = " ".join(escape(_sentence(p)) for p in problem["problems"])
    return cut(f"• *{escape(problem['where'])}*{who}: {said}", ROW_LINE)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _aside_line(entry: dict) -> str:
    as_who = entry.get("as")
    named = f", as {escape(as_who)}" if as_who and as_who != entry["name"] else ""
    return f"• {escape(entry['where'])} {escape(entry['name'])} ({entry['why']}{named})"


def _preview_blocks(found: BoardImport, today: date, *, in_dm: bool) -> list[dict]:
    blocks = [{"type": "section", "text": mrkdwn(_summary(found, in_dm=in_dm))}]
    if found.rows:
        lines = [_added_line(r, found.kind, today) for r in found.rows[:SHOWN_ADDED]]
        more = len(found.rows) - SHOWN_ADDED
        blocks += _lines_in_sections("To add", lines, f"_and {more:,} more_" if more > 0 else "")
    if found.problems:
        lines = [_problem_line(p) for p in found.problems[:SHOWN_PROBLEMS]]
        more = len(found.problems) - SHOWN_PROBLEMS
        tail = ""
        if more > 0:
            where = (
                "every one is in the file I'm sending with this"
                if in_dm
                else "fix these, then check again to see the rest"
            )
            tail = f"_and {_count(more, 'more ' + _unit(found.kind))} with problems: {where}._"
        title = "Records with problems" if found.kind == JSON else "Rows with problems"
        blocks += _lines_in_sections(title, lines, tail)
    if found.skipped:
        lines = [_aside_line(s) for s in found.skipped[:SHOWN_ASIDE]]
        more = len(found.skipped) - SHOWN_ASIDE
        blocks += _lines_in_sections(
            "Not added again", lines, f"_and {more:,} more_" if more > 0 else ""
        )
    if found.notes:
        notes = [mrkdwn(escape(note)) for note in found.notes[:10]]
        blocks.append({"type": "context", "elements": notes})
    return blocks


def build_preview_modal(found: BoardImport, today: date) -> dict:
    """What a pasted CSV would add, with each row's problems; its submit button saves it."""
    blocks = _preview_blocks(found, today, in_dm=False)
    blocks.append(
        {
            "type": "actions",
            "block_id": "edit",
            "elements": [
                {
                    "type": "button",
                    "text": plain("Edit the CSV"),
                    "action_id": IMPORT_EDIT,
                    "value": str(found.id),
                }
            ],
        }
    )
    view = {
        "type": "modal",
        "callback_id": IMPORT_PREVIEW_VIEW,
        "private_metadata": json.dumps({"import": found.id}),
        "title": plain("Check the import", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }
    if found.rows:
        view["submit"] = plain(f"Import {_count(len(found.rows), 'advisor')}", 24)
    return view


def _failed_text(found: BoardImport) -> str:
    if found.problem == SAVE_FAILED:  # saving stopped part way: the report says what was saved
        return f"Importing {_source(found)} stopped part way: see my report below."
    problem = found.problem or ""
    then = "" if "upload" in problem.lower() else " Fix it and upload it here again."
    return f"I couldn't import {_source(found)}: {escape(problem)}\nNothing was saved.{then}"


def build_checking_modal(members: int) -> dict:
    """The paste form's answer while the Slack members it names are looked up."""
    text = (
        f"Checking the {_count(members, 'Slack member')} it names with Slack… What would be "
        "added shows here in a moment. Nothing is saved yet."
    )
    return {
        "type": "modal",
        "callback_id": IMPORT_PREVIEW_VIEW,
        "title": plain("Check the import", 24),
        "close": plain("Cancel", 24),
        "blocks": [{"type": "section", "text": mrkdwn(text)}],
    }


def build_preview_message(found: BoardImport, today: date) -> dict:
    """The DM's message about an uploaded file, as its import stands: the preview with its
    buttons while it waits, else what became of it (no buttons)."""
    if found.state == ImportState.FAILED:
        text = _failed_text(found)
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}
    adding = len(found.rows)
    if found.state == ImportState.READY:
        blocks = _preview_blocks(found, today, in_dm=True)
        if adding:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": "import",
                    "elements": [
                        {
                            "type": "button",
                            "text": plain(f"Import {_count(adding, 'advisor')}"),
                            "style": "primary",
                            "action_id": IMPORT_CONFIRM,
                            "value": str(found.id),
                        },
                        {
                            "type": "button",
                            "text": plain("Cancel"),
                            "action_id": IMPORT_CANCEL,
                            "value": str(found.id),
                        },
                    ],
                }
            )
        problems = ""
        if found.problems:
            problems = f", {_count(len(found.problems), _unit(found.kind))} with problems"
        source = escape(found.filename) if found.filename else "Your file"
        text = f"{source}: {_count(adding, 'advisor')} to add{problems}. Nothing is saved yet."
        return {"text": text, "blocks": blocks}
    text = {
        ImportState.APPLYING: (
            f"Importing {_count(adding, 'advisor')} from {_source(found)}… I'll write here "
            "once they are all on your board."
        ),
        ImportState.DONE: f"Imported {_source(found)}: see my report below.",
        ImportState.CANCELLED: f"Cancelled: nothing from {_source(found)} was imported.",
    }.get(found.state, f"Reading {_source(found)}…")
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def _rows_named(rows: list[str], total: int) -> str:
    named = ", ".join(escape(r).lower() if r.startswith("Row") else escape(r) for r in rows)
    more = total - len(rows)
    return f"{named} and {more:,} more" if more > 0 else named


def report_text(summary: dict) -> str:
    """What an import added, and why the other rows were not: from core.imports.summary."""
    added = summary["added"]
    source = f" from *{escape(summary['filename'])}*" if summary.get("filename") else ""
    unit = _unit(summary.get("kind", ""))
    said = f"Imported {_count(added, 'advisor')}{source}"
    reasons = []
    if summary["problems"]:
        rows = _rows_named(summary["problem_rows"], summary["problems"])
        reasons.append(f"{summary['problems']:,} with problems ({rows})")
    if summary["already"]:
        reasons.append(f"{summary['already']:,} already on your board or alumni list")
    if summary["repeats"]:
        reasons.append(f"{summary['repeats']:,} repeating an earlier {unit}")
    skipped = summary["problems"] + summary["already"] + summary["repeats"]
    if skipped:
        said += f"; {_count(skipped, unit)} skipped: " + ", ".join(reasons)
    said += "."
    if summary.get("failed"):
        said += " " + _stopped(summary)
    if added:
        said += " They're on my Home tab; each gets a stay-in-touch nudge when its rhythm comes."
    return said


def _stopped(summary: dict) -> str:
    """What a failed save's report adds: what was not saved, that nothing is half-saved, and
    what to do."""
    left = summary.get("not_saved", 0)
    return (
        f"Then saving stopped: {_count(left, 'advisor was', 'advisors were')} not saved, as "
        "something went wrong on my side. Each advisor is saved whole (with their touchpoints "
        "and promises) or not at all. To add the rest, import the same file again in a while: "
        "nobody already on your board is added twice."
    )


def build_report(summary: dict) -> dict:
    text = report_text(summary)
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def build_saved_notice(summary: dict) -> dict:
    """The paste modal, once its import was saved."""
    return {
        "type": "modal",
        "callback_id": IMPORT_PREVIEW_VIEW,
        "title": plain("Imported", 24),
        "close": plain("Done", 24),
        "blocks": [{"type": "section", "text": mrkdwn(report_text(summary))}],
    }


def build_not_saved_notice(state: str, summary: dict | None = None) -> dict:
    """The preview's submit pressed when its import is not waiting any more, or when saving it
    failed (`summary`: tried again in a minute, or what was saved once it gave up)."""
    text = {
        ImportState.DONE: "This import was saved already: nothing was added twice.",
        ImportState.APPLYING: "This import is being saved right now: nothing was added twice.",
    }.get(state, "This import is not waiting any more, so nothing was saved. Paste it again.")
    if summary:
        text = report_text(summary)
    elif summary is not None:
        text = (
            "Something went wrong on my side while saving this import. I'll try again in a "
            "minute, and write to you in our DM once it's done; nobody is added twice."
        )
    return {
        "type": "modal",
        "callback_id": IMPORT_PREVIEW_VIEW,
        "title": plain("Import", 24),
        "close": plain("Done", 24),
        "blocks": [{"type": "section", "text": mrkdwn(text)}],
    }


def problems_csv(problems: list[dict]) -> bytes:
    """Every problem of every row, one a line (where, name, problem), for a spreadsheet: as
    the export's CSV is written (a byte-order mark; no cell a spreadsheet would run)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["row", "name", "problem"])
    for problem in problems:
        for said in problem["problems"]:
            cells = [problem["where"], problem.get("name", ""), _sentence(said)]
            writer.writerow([spreadsheet_cell(str(cell)) for cell in cells])
    return out.getvalue().encode("utf-8-sig")
