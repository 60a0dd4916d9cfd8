"""A member's whole record as plain values (`/advisor export`), and their advisors as a CSV.

Every query is scoped to one member (team_id, user_id); nothing of another member is read,
save the names of the circles the member is in. Text is exported exactly as the member typed it
(never escaped for Slack). The JSON is what `/advisor import` reads back to rebuild a board:
export, forget, import gives back the same board.

The JSON (`export_member`, written by `export_json`), version 1::

    {
      "format": "advisor-bot export",        # FORMAT: how an importer knows the file
      "version": 1,                           # VERSION: a change an importer must know of bumps it
      "exported_at": "2025-03-04T09:30:00+00:00",
      "workspace": "T123",                    # the Slack workspace (team id)
      "member": "U123",                       # the member (Slack user id)
      "settings": {
        "time_zone": "Europe/Paris",          # as Slack last said; days are counted there
        "nudge_days": [0, 1, 2, 3, 4],        # weekdays nudges may come, 0 is Monday
        "nudge_start": "09:00", "nudge_end": "17:00",   # the nudge window, in time_zone
        "paused_until": null | "2025-04-01",
        "digest": true,                       # one message, not one per item
        "one_a_day": true, "monday_preview": false,
        "reassess_months": 3,                 # 3, 6, 12; 0: never
        "since": "2024-...+00:00"             # first used the bot
      },
      "goals": [                              # know thyself, in each list's order
        {"ref": "g1", "kind": "two_years" | "five_years" | "strength" | "gap" | "balance",
         "text": "...", "position": 0, "created_at": "..."}
      ],
      "advisors": [                           # the board, then alumni; by name
        {"ref": "a1",                         # local to this file: other records point here
         "name": "...", "slack_user": "U456" | null,
         "contact": "their email or a link" | null, "time_zone": "..." | null,
         "relationship": "senior" | "peer" | "junior" | "family_friend" | "other",
         "inside_outside": "inside" | "outside",
         "support": ["coaching", ...],        # core.models.Support values
         "gains": "...",                      # what they gain from the member
         "notes": "...",                      # why this advisor
         "origin": "employer" | ... | null,   # core.models.Origin; null: not said
         "closeness": 1..4 | null,            # 1 acquaintance .. 4 very close; null: not said
         "cadence_days": 30,                  # be in touch every N days
         "status": "active" | "alumni",       # alumni: eased aside
         "last_contact": "..." | null,        # the last touchpoint (or when they last spoke)
         "last_spoke_at": "..." | null,       # what the member said as they enlisted them
         "next_touch_due_at": "..." | null, "snoozed_until": "..." | null,
         "created_at": "...", "updated_at": "...",
         "goals": ["g1", ...],                # the goals this advisor helps with (refs)
         "touchpoints": [                     # oldest first
           {"at": "...", "how": "call" | "coffee" | "message" | "meeting" | "other",
            "exchanged": ["knowledge", ...], "given_by": "me" | "them" | "both",
            "note": "...", "message_link": "..." | null, "created_at": "..."}
         ],
         "promises": [                        # oldest first
           {"ref": "p1", "what": "...", "firmness": "promise" | "try",
            "status": "open" | "done" | "dropped",
            "due_on": "2025-03-10", "original_due_on": "2025-03-07",
            "due_at": "...",                  # when due_on is over where the member is
            "renegotiations": 0, "last_update_at": ... | null, "closed_at": ... | null,
            "created_at": "...", "updated_at": "...",
            "history": [                      # every change, oldest first
              {"at": "...", "change": "made" | "update" | "renegotiated" | "done" | "dropped",
               "text": "...", "old_due_on": ... | null, "old_due_at": ... | null,
               "new_due_on": ... | null, "sent_to_advisor": false, "told_them": null | bool}
            ]}
         ]}
      ],
      "reassessments": [                      # walks through the board, oldest first
        {"occurrence": "...", "state": "open" | "done", "advisors": ["a1", null, ...],
         "position": 0, "finished_at": ... | null, "created_at": "...",
         "answers": [{"advisor": "a1" | null, "answer": "keep" | "cadence" | "ease_aside",
                      "cadence_days": null | 60, "at": "..."}]}
      ],
      "nudges": [                             # reminders the bot decided, and what was done
        {"kind": "touch" | ..., "advisor": "a1" | null, "promise": "p1" | null,
         "cycle": "...", "outcome": ... | null, "outcome_text": "...", "at": "..."}
      ],
      "circles": [                            # circles they are in, set up or facilitate
        {"ref": "c1", "name": "...", "channel": "C123", "state": "active" | ...,
         "role": "owner" | "facilitator" | "member",
         "membership": {"joined_at": ..., "left_at": ... | null, "reminders": true,
                        "time_zone": "..."} | null}
      ],
      "challenges": [                         # their own, as typed, oldest first
        {"circle": "c1", "check_in": "...",   # the check-in's occurrence
         "anonymous": false, "text": "...", "tried": "...", "help_wanted": "...",
         "state": "shared" | "withdrawn", "outcome": ... | null, "outcome_at": ... | null,
         "created_at": "...", "updated_at": "..."}
      ],
      "away": [{"circle": "c1", "check_in": "...", "at": "..."}],
      "learning_partners": [{"circle": "c1", "check_in": "...", "with": ["U789"],
                             "met": null | bool}]
    }

Timestamps are ISO 8601 in UTC with their offset; days are ISO dates. A null `advisor` ref is
an advisor the member has since removed. A `ref` is unique within its list of one file only.

The CSV (`advisors_csv`): a header line, then one line per advisor on the board (alumni are
in the JSON only), in the JSON's order, with exactly these columns:
`name, slack_user, email, relationship, inside_outside, cadence_days, last_contact`, where
`email` is the contact the member typed (an email or a link), relationship and inside_outside
take the values above (as `/advisor add` offers them), cadence_days a whole number of days and
last_contact an ISO date in the member's time zone (empty when not known). The file
(`csv_file`) is UTF-8 with a byte-order mark, so Excel reads names as typed, and a cell that
would start a formula (= + - @, a tab or a carriage return, after any quotes) has one quote put
in front so a spreadsheet shows it and never runs it (OWASP's advice on CSV injection):
`typed_cell` takes that quote off again, and `/advisor import` reads the file back as typed.

Both files of one export are named alike, after the member's own day when they asked
(`advisor-board-2026-12-01.json` and `.csv`), numbered from the second export of a day
(`advisor-board-2026-12-01-2`): a lost upload is looked for by its title and file name.
"""

import csv
import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core import outbox
from core.members import known_zone, member_zone
from core.models import (
    Advisor,
    AdvisorGoal,
    AdvisorStatus,
    Challenge,
    CheckIn,
    CheckInAway,
    Circle,
    CircleMember,
    Goal,
    Member,
    Nudge,
    NudgeKind,
    Outbox,
    Pairing,
    Promise,
    PromiseEvent,
    Reassessment,
    ReassessmentAnswer,
    Touchpoint,
)

JSON_FILE = "export_json"  # the outbox purposes: the JSON file in the member's DM,
CSV_FILE = "export_csv"  # the CSV of advisors there,
NOT_UPLOADED = "export_failed"  # and, should Slack refuse them, a line saying so

FORMAT = "advisor-bot export"
VERSION = 1
CSV_COLUMNS = (
    "name",
    "slack_user",
    "email",
    "relationship",
    "inside_outside",
    "cadence_days",
    "last_contact",
)
PROMISE_NUDGES = frozenset(
    {
        NudgeKind.PROMISE_SOON,
        NudgeKind.PROMISE_DUE,
        NudgeKind.PROMISE_STALLED,
        NudgeKind.PROMISE_LATE,
        NudgeKind.PROMISE_LATE_AGAIN,
    }
)
ADVISOR_NUDGES = frozenset({NudgeKind.TOUCH, NudgeKind.TOUCH_OVERDUE})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a formula
GUARD = "'"


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _settings(member: Member | None) -> dict:
    if member is None:  # never used the bot itself (a circle member only): the defaults
        member = Member(team_id="", user_id="")
    return {
        "time_zone": member.tz,
        "nudge_days": [int(day) for day in member.nudge_days],
        "nudge_start": _clock(member.nudge_start),
        "nudge_end": _clock(member.nudge_end),
        "paused_until": _when(member.paused_until),
        "digest": member.digest,
        "one_a_day": member.one_a_day,
        "monday_preview": member.monday_preview,
        "reassess_months": member.reassess_months,
        "since": _when(member.created_at),
    }


def _goals(session: Session, team_id: str, user_id: str) -> tuple[list[dict], dict[int, str]]:
    query = (
        select(Goal)
        .where(Goal.team_id == team_id, Goal.owner_id == user_id)
        .order_by(Goal.kind, Goal.position, Goal.id)
    )
    records, refs = [], {}
    for number, goal in enumerate(session.exec(query), start=1):
        refs[goal.id] = f"g{number}"
        records.append(
            {
                "ref": refs[goal.id],
                "kind": goal.kind,
                "text": goal.text,
                "position": goal.position,
                "created_at": _when(goal.created_at),
            }
        )
    return records, refs


def _touchpoint(touch: Touchpoint) -> dict:
    return {
        "at": _when(touch.at),
        "how": touch.how,
        "exchanged": list(touch.exchanged or []),
        "given_by": touch.given_by,
        "note": touch.note,
        "message_link": touch.message_link,
        "created_at": _when(touch.created_at),
    }


def _event(event: PromiseEvent) -> dict:
    return {
        "at": _when(event.at),
        "change": event.change,
        "text": event.text,
        "old_due_on": _when(event.old_due_on),
        "old_due_at": _when(event.old_due_at),
        "new_due_on": _when(event.new_due_on),
        "sent_to_advisor": event.sent_to_advisor,
        "told_them": event.told_them,
    }


def _promise(promise: Promise, ref: str, history: list[dict]) -> dict:
    return {
        "ref": ref,
        "what": promise.what,
        "firmness": promise.firmness,
        "status": promise.status,
        "due_on": _when(promise.due_on),
        "original_due_on": _when(promise.original_due_on),
        "due_at": _when(promise.due_at),
        "renegotiations": promise.renegotiations,
        "last_update_at": _when(promise.last_update_at),
        "closed_at": _when(promise.closed_at),
        "created_at": _when(promise.created_at),
        "updated_at": _when(promise.updated_at),
        "history": history,
    }


def _advisor(advisor: Advisor, ref: str) -> dict:
    return {
        "ref": ref,
        "name": advisor.name,
        "slack_user": advisor.slack_user_id,
        "contact": advisor.contact,
        "time_zone": advisor.tz,
        "relationship": advisor.relationship,
        "inside_outside": "inside" if advisor.inside_org else "outside",
        "support": list(advisor.support or []),
        "gains": advisor.gains,
        "notes": advisor.notes,
        "origin": advisor.origin,
        "closeness": advisor.closeness,
        "cadence_days": advisor.cadence_days,
        "status": advisor.status,
        "last_contact": _when(advisor.last_touch_at),
        "last_spoke_at": _when(advisor.last_spoke_at),
        "next_touch_due_at": _when(advisor.next_touch_due_at),
        "snoozed_until": _when(advisor.snoozed_until),
        "created_at": _when(advisor.created_at),
        "updated_at": _when(advisor.updated_at),
    }


def _advisors(
    session: Session, team_id: str, user_id: str, goal_refs: dict[int, str]
) -> tuple[list[dict], dict[int, str], dict[int, str]]:
    """The member's advisors (the board first, then alumni) with what hangs off each; the refs
    given to advisors and to promises, by row id."""
    board_first = (Advisor.status != AdvisorStatus.ACTIVE, Advisor.name, Advisor.id)
    rows = list(
        session.exec(
            select(Advisor)
            .where(Advisor.team_id == team_id, Advisor.owner_id == user_id)
            .order_by(*board_first)
        )
    )
    ids = [a.id for a in rows]
    refs = {a.id: f"a{number}" for number, a in enumerate(rows, start=1)}
    links: dict[int, list[str]] = {}
    touches: dict[int, list[dict]] = {}
    promises: dict[int, list[Promise]] = {}
    history: dict[int, list[dict]] = {}
    if ids:
        linked = select(AdvisorGoal).where(col(AdvisorGoal.advisor_id).in_(ids))
        for link in session.exec(linked):
            if link.goal_id in goal_refs:
                links.setdefault(link.advisor_id, []).append(goal_refs[link.goal_id])
        for touch in session.exec(
            select(Touchpoint)
            .where(Touchpoint.team_id == team_id, Touchpoint.owner_id == user_id)
            .where(col(Touchpoint.advisor_id).in_(ids))
            .order_by(Touchpoint.at, Touchpoint.id)
        ):
            touches.setdefault(touch.advisor_id, []).append(_touchpoint(touch))
        for promise in session.exec(
            select(Promise)
            .where(Promise.team_id == team_id, Promise.owner_id == user_id)
            .where(col(Promise.advisor_id).in_(ids))
            .order_by(Promise.created_at, Promise.id)
        ):
            promises.setdefault(promise.advisor_id, []).append(promise)
    promise_ids = [p.id for listed in promises.values() for p in listed]
    if promise_ids:
        for event in session.exec(
            select(PromiseEvent)
            .where(col(PromiseEvent.promise_id).in_(promise_ids))
            .order_by(PromiseEvent.at, PromiseEvent.id)
        ):
            history.setdefault(event.promise_id, []).append(_event(event))
    promise_refs: dict[int, str] = {}
    records = []
    for advisor in rows:
        record = _advisor(advisor, refs[advisor.id])
        record["goals"] = sorted(links.get(advisor.id, []), key=lambda ref: int(ref[1:]))
        record["touchpoints"] = touches.get(advisor.id, [])
        record["promises"] = []
        for promise in promises.get(advisor.id, []):
            promise_refs[promise.id] = f"p{len(promise_refs) + 1}"
            made = _promise(promise, promise_refs[promise.id], history.get(promise.id, []))
            record["promises"].append(made)
        records.append(record)
    return records, refs, promise_refs


def _reassessments(session: Session, team_id: str, user_id: str, refs: dict[int, str]) -> list:
    rows = list(
        session.exec(
            select(Reassessment)
            .where(Reassessment.team_id == team_id, Reassessment.owner_id == user_id)
            .order_by(Reassessment.occurrence, Reassessment.id)
        )
    )
    answers: dict[int, list[dict]] = {}
    if rows:
        query = (
            select(ReassessmentAnswer)
            .where(col(ReassessmentAnswer.reassessment_id).in_([r.id for r in rows]))
            .order_by(ReassessmentAnswer.at, ReassessmentAnswer.id)
        )
        for answer in session.exec(query):
            answers.setdefault(answer.reassessment_id, []).append(
                {
                    "advisor": refs.get(answer.advisor_id),
                    "answer": answer.answer,
                    "cadence_days": answer.cadence_days,
                    "at": _when(answer.at),
                }
            )
    return [
        {
            "occurrence": _when(r.occurrence),
            "state": r.state,
            "advisors": [refs.get(advisor_id) for advisor_id in r.advisor_ids or []],
            "position": r.position,
            "finished_at": _when(r.finished_at),
            "created_at": _when(r.created_at),
            "answers": answers.get(r.id, []),
        }
        for r in rows
    ]


def _nudges(
    session: Session, team_id: str, user_id: str, refs: dict[int, str], promise_refs: dict
) -> list[dict]:
    query = (
        select(Nudge)
        .where(Nudge.team_id == team_id, Nudge.owner_id == user_id)
        .order_by(Nudge.created_at, Nudge.id)
    )
    return [
        {
            "kind": nudge.kind,
            "advisor": refs.get(nudge.subject_id) if nudge.kind in ADVISOR_NUDGES else None,
            "promise": promise_refs.get(nudge.subject_id) if nudge.kind in PROMISE_NUDGES else None,
            "cycle": nudge.cycle,
            "outcome": nudge.outcome,
            "outcome_text": nudge.outcome_text,
            "at": _when(nudge.created_at),
        }
        for nudge in session.exec(query)
    ]


def _circles(session: Session, team_id: str, user_id: str) -> tuple[list[dict], dict[int, str]]:
    """The circles the member is in (or was), set up or facilitates, with their membership."""
    memberships = {
        m.circle_id: m
        for m in session.exec(
            select(CircleMember).where(
                CircleMember.team_id == team_id, CircleMember.user_id == user_id
            )
        )
    }
    query = select(Circle).where(Circle.team_id == team_id)
    query = query.where(
        col(Circle.id).in_(list(memberships))
        | (Circle.owner_id == user_id)
        | (Circle.facilitator_id == user_id)
    )
    records, refs = [], {}
    for number, circle in enumerate(session.exec(query.order_by(Circle.id)), start=1):
        refs[circle.id] = f"c{number}"
        if circle.owner_id == user_id:
            role = "owner"
        elif circle.facilitator_id == user_id:
            role = "facilitator"
        else:
            role = "member"
        mine = memberships.get(circle.id)
        records.append(
            {
                "ref": refs[circle.id],
                "name": circle.name,
                "channel": circle.channel_id,
                "state": circle.state,
                "role": role,
                "membership": None
                if mine is None
                else {
                    "joined_at": _when(mine.joined_at),
                    "left_at": _when(mine.left_at),
                    "reminders": mine.reminders,
                    "time_zone": mine.tz,
                },
            }
        )
    return records, refs


def _check_ins(session: Session, team_id: str, ids: set[int]) -> dict[int, tuple[int, str]]:
    """Each of these check-ins' circle and occurrence, by id."""
    if not ids:
        return {}
    query = select(CheckIn.id, CheckIn.circle_id, CheckIn.occurrence).where(
        CheckIn.team_id == team_id, col(CheckIn.id).in_(ids)
    )
    return {row.id: (row.circle_id, _when(row.occurrence)) for row in session.execute(query)}


def _circle_records(
    session: Session, team_id: str, user_id: str, circle_refs: dict[int, str]
) -> dict[str, list[dict]]:
    challenges = list(
        session.exec(
            select(Challenge)
            .where(Challenge.team_id == team_id, Challenge.author_id == user_id)
            .order_by(Challenge.created_at, Challenge.id)
        )
    )
    away = list(
        session.exec(
            select(CheckInAway)
            .where(CheckInAway.team_id == team_id, CheckInAway.user_id == user_id)
            .order_by(CheckInAway.at, CheckInAway.id)
        )
    )
    pairings = [
        p
        for p in session.exec(
            select(Pairing)
            .where(Pairing.team_id == team_id, col(Pairing.members).contains(user_id))
            .order_by(Pairing.id)
        )
        if user_id in p.members.split(",")
    ]
    check_ins = {c.check_in_id for c in challenges} | {a.check_in_id for a in away}
    check_ins |= {p.check_in_id for p in pairings}
    found = _check_ins(session, team_id, check_ins)
    when = {check_in: occurrence for check_in, (_, occurrence) in found.items()}
    circle_of = {check_in: circle for check_in, (circle, _) in found.items()}
    return {
        "challenges": [
            {
                "circle": circle_refs.get(c.circle_id),
                "check_in": when.get(c.check_in_id),
                "anonymous": c.anonymous,
                "text": c.text,
                "tried": c.tried,
                "help_wanted": c.help_wanted,
                "state": c.state,
                "outcome": c.outcome,
                "outcome_at": _when(c.outcome_at),
                "created_at": _when(c.created_at),
                "updated_at": _when(c.updated_at),
            }
            for c in challenges
        ],
        "away": [
            {
                "circle": circle_refs.get(circle_of.get(a.check_in_id)),
                "check_in": when.get(a.check_in_id),
                "at": _when(a.at),
            }
            for a in away
        ],
        "learning_partners": [
            {
                "circle": circle_refs.get(p.circle_id),
                "check_in": when.get(p.check_in_id),
                "with": [other for other in p.members.split(",") if other != user_id],
                "met": p.met,
            }
            for p in pairings
        ],
    }


def export_member(session: Session, *, team_id: str, user_id: str, now: datetime) -> dict:
    """The member's whole record at `now`, as JSON-able plain values (the module's docstring
    gives its shape)."""
    member = session.exec(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    ).first()
    goals, goal_refs = _goals(session, team_id, user_id)
    advisors, refs, promise_refs = _advisors(session, team_id, user_id, goal_refs)
    circles, circle_refs = _circles(session, team_id, user_id)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _when(now),
        "workspace": team_id,
        "member": user_id,
        "settings": _settings(member),
        "goals": goals,
        "advisors": advisors,
        "reassessments": _reassessments(session, team_id, user_id, refs),
        "nudges": _nudges(session, team_id, user_id, refs, promise_refs),
        "circles": circles,
        **_circle_records(session, team_id, user_id, circle_refs),
    }


def export_json(export: dict) -> str:
    """The export as the JSON file's text (UTF-8, names as typed, not \\u-escaped)."""
    return json.dumps(export, ensure_ascii=False, indent=2) + "\n"


def _day(moment: str | None, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(moment).astimezone(zone).date().isoformat() if moment else ""


def _guarded(value: str) -> bool:
    """Whether a spreadsheet would read `value`, once any quotes in front of it are put
    aside, as a formula."""
    return value.lstrip(GUARD)[:1] in FORMULA_STARTS


def spreadsheet_cell(value: str) -> str:
    """`value` as a CSV cell a spreadsheet shows and never runs: a quote in front of one that
    would start a formula (`=HYPERLINK(...)`, `+33 6 12 34 56 78`, `@home`)."""
    return GUARD + value if _guarded(value) else value


def typed_cell(value: str) -> str:
    """A cell of a CSV as it was typed: the quote `spreadsheet_cell` put in front taken off
    (exactly one, and only in front of what it guards); any other cell as it is."""
    return value[1:] if value[:1] == GUARD and _guarded(value[1:]) else value


def advisors_csv(export: dict) -> str:
    """The board's advisors of an export as CSV text (CSV_COLUMNS; the module's docstring),
    each cell safe to open in a spreadsheet (`spreadsheet_cell`)."""
    zone = ZoneInfo(known_zone((export.get("settings") or {}).get("time_zone")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for advisor in export.get("advisors", []):
        if advisor.get("status") != AdvisorStatus.ACTIVE:
            continue
        cells = [
            advisor["name"],
            advisor.get("slack_user") or "",
            advisor.get("contact") or "",
            advisor["relationship"],
            advisor["inside_outside"],
            str(advisor["cadence_days"]),
            _day(advisor.get("last_contact"), zone),
        ]
        writer.writerow([spreadsheet_cell(cell) for cell in cells])
    return out.getvalue()


def json_file(export: dict) -> bytes:
    """The JSON file's bytes (UTF-8)."""
    return export_json(export).encode("utf-8")


def csv_file(export: dict) -> bytes:
    """The CSV file's bytes: UTF-8 with a byte-order mark, which Excel needs to read UTF-8
    (without it, “Zoë” opens as “ZoÃ«”); `/advisor import` reads it either way."""
    return advisors_csv(export).encode("utf-8-sig")


FILE_NAME = "advisor-board"


def file_name(session: Session, *, team_id: str, owner_id: str, day: date) -> str:
    """The name (without its extension) both files of an export asked on the member's `day`
    go by: the day, and from the day's second export on, its number."""
    name = f"{FILE_NAME}-{day.isoformat()}"
    asked = session.exec(
        select(Outbox.payload).where(
            Outbox.team_id == team_id, Outbox.owner_id == owner_id, Outbox.purpose == JSON_FILE
        )
    )
    earlier = sum(1 for payload in asked if (payload or {}).get("day") == day.isoformat())
    return name if not earlier else f"{name}-{earlier + 1}"


def send_export(session: Session, *, team_id: str, owner_id: str, now: datetime) -> list[int]:
    """The member's export to their DM through the outbox, as two files (the JSON and the CSV
    of advisors) named alike after the member's day, drawn when sent: each asking is its own
    decision (keyed by the moment)."""
    day = now.astimezone(member_zone(session, team_id=team_id, user_id=owner_id)).date()
    key = f"{owner_id}:{now.isoformat()}"
    name = file_name(session, team_id=team_id, owner_id=owner_id, day=day)
    made = []
    for purpose in (JSON_FILE, CSV_FILE):
        row = outbox.enqueue(
            session,
            team_id=team_id,
            purpose=purpose,
            key=key,
            target=outbox.Target.dm(owner_id),
            owner_id=owner_id,
            payload={"asked_at": now.isoformat(), "day": day.isoformat(), "name": name},
            now=now,
        )
        if row:
            made.append(row)
    return made


def not_uploaded(
    session: Session, *, team_id: str, owner_id: str, key: str, error: str, now: datetime
) -> int | None:
    """The export's files could not be uploaded: one line to the member saying so (once for
    both files of one asking: they share `key`)."""
    return outbox.enqueue(
        session,
        team_id=team_id,
        purpose=NOT_UPLOADED,
        key=key,
        target=outbox.Target.dm(owner_id),
        owner_id=owner_id,
        payload={"error": error},
        now=now,
    )
