"""Nudge settings in Block Kit: the modal (days, hours, a pause, how nudges come, how often the
board is reassessed), reading it back into plain values, and the words that say what was saved."""

from datetime import date, datetime, time

from bot.ids import SEND_SAMPLE, SETTINGS_VIEW
from bot.views.elements import choice, input_block, submitted
from bot.views.text import escape, long_day, mrkdwn, plain
from core import windows
from core.errors import Invalid
from core.models import Member
from core.nudge_settings import NudgeChoices

DAYS = {str(n): name for n, name in enumerate(windows.WEEKDAYS)}
DIGEST, EACH = "digest", "each"
DELIVERY = {DIGEST: "All due items in one message", EACH: "One message per item"}
RESUME = {"resume": "Resume nudges now (end the pause)"}
ONCE = {"once": "Nudges at most once a day"}
PREVIEW = {"preview": "A preview of the week ahead"}
REASSESS = {"3": "Every 3 months", "6": "Every 6 months", "12": "Every 12 months", "0": "Never"}
REASSESS_HINT = (
    "A direct message walks you through your board, one advisor at a time: keep them, change "
    "how often you stay in touch, or ease them aside."
)
PAUSE_HINT = (
    "No nudges up to and including this day; they start again the day after, in your hours. "
    "Leave it empty for no pause."
)
ONCE_HINT = (
    "One delivery a day at most, at the start of your hours, with everything due that day. "
    "Untick it to also hear about what comes up later in the day."
)


def _clock(moment: time) -> str:
    return f"{moment:%H:%M}"


def _timepicker(initial: time) -> dict:
    return {"type": "timepicker", "initial_time": _clock(initial)}


def build_settings_modal(choices: NudgeChoices, *, zone_name: str, today: date) -> dict:
    """The member's nudge settings, prefilled; `today` is their date (a pause already over is
    not shown). A pause in place can be ended with "Resume now"."""
    pause = choices.paused_until if choices.paused_until and choices.paused_until >= today else None
    picker = {"type": "datepicker", "placeholder": plain("No pause", 150)}
    if pause:
        picker["initial_date"] = pause.isoformat()
    where = (
        f"Nudges reach you by direct message on your days, between your hours, in your time "
        f"zone from Slack: *{escape(zone_name)}*."
    )
    sample = {
        "type": "button",
        "text": plain("Send me a sample nudge"),
        "action_id": SEND_SAMPLE,
    }
    blocks = [
        {"type": "section", "text": mrkdwn(where), "accessory": sample},
        input_block(
            "days",
            "Days",
            choice("checkboxes", DAYS, [str(d) for d in sorted(choices.days)]),
            optional=False,
        ),
        input_block("start", "From", _timepicker(choices.start), optional=False),
        input_block(
            "end",
            "Until",
            _timepicker(choices.end),
            optional=False,
            hint="At least an hour after the start.",
        ),
        input_block("pause", "Pause nudges until", picker, hint=PAUSE_HINT),
    ]
    if pause:
        blocks.append(
            input_block(
                "resume",
                f"Paused until {long_day(pause)}",
                choice("checkboxes", RESUME, []),
            )
        )
    blocks += [
        input_block(
            "delivery",
            "Several items due at once",
            choice("radio_buttons", DELIVERY, [DIGEST if choices.digest else EACH]),
            optional=False,
        ),
        input_block(
            "once",
            "How often",
            choice("checkboxes", ONCE, ["once"] if choices.one_a_day else []),
            hint=ONCE_HINT,
        ),
        input_block(
            "preview",
            "On Mondays",
            choice("checkboxes", PREVIEW, ["preview"] if choices.monday_preview else []),
        ),
        input_block(
            "reassess",
            "Reassess my board",
            choice("static_select", REASSESS, [str(choices.reassess_months)]),
            optional=False,
            hint=REASSESS_HINT,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": SETTINGS_VIEW,
        "title": plain("Nudge settings", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def _ticked(values: dict, block_id: str) -> list[str]:
    return [o.get("value") for o in submitted(values, block_id).get("selected_options") or []]


def _read_time(values: dict, block_id: str) -> time:
    raw = submitted(values, block_id).get("selected_time")
    try:
        return time.fromisoformat(raw)
    except (TypeError, ValueError):
        raise Invalid("Pick a time.", field=block_id) from None


def _read_pause(values: dict) -> date | None:
    if "resume" in _ticked(values, "resume"):
        return None
    raw = submitted(values, "pause").get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Invalid("Pick a date.", field="pause") from None


def read_settings_form(values: dict) -> NudgeChoices:
    """The submitted state as plain values; Invalid when a value cannot even be read."""
    delivery = (submitted(values, "delivery").get("selected_option") or {}).get("value")
    return NudgeChoices(
        days=frozenset(int(d) for d in _ticked(values, "days") if d in DAYS),
        start=_read_time(values, "start"),
        end=_read_time(values, "end"),
        paused_until=_read_pause(values),
        digest=delivery != EACH,
        one_a_day="once" in _ticked(values, "once"),
        monday_preview="preview" in _ticked(values, "preview"),
        reassess_months=_read_reassess(values),
    )


def _read_reassess(values: dict) -> int:
    """Every 3 months when the form has no such field (a modal opened before it existed)."""
    raw = (submitted(values, "reassess").get("selected_option") or {}).get("value")
    if raw is None:
        return NudgeChoices.reassess_months
    if raw not in REASSESS:
        raise Invalid("Every 3, 6 or 12 months, or never.", field="reassess")
    return int(raw)


def settings_saved(member: Member, now: datetime) -> str:
    """'Nudges reach you weekdays 09:00 to 17:00 (Europe/Paris), all in one message, at most
    once a day. Paused until Monday, December 7, 2026: they start again Tuesday, December 8 at
    09:00.'"""
    how = "all in one message" if member.digest else "one message per item"
    often = "at most once a day" if member.one_a_day else "whenever something falls due"
    zone = windows.zone_of(member)
    lines = [f"Nudges reach you {windows.describe(member)} ({escape(zone.key)}), {how}, {often}."]
    if member.monday_preview:
        lines.append("On Mondays you also get a preview of the week ahead.")
    if member.reassess_months == 0:
        lines.append("Your board is not reassessed: turn it back on here any time.")
    elif member.reassess_months != NudgeChoices.reassess_months:
        lines.append(f"Your board is reassessed every {member.reassess_months} months.")
    if member.paused_until is not None:
        paused = f"Paused until {long_day(member.paused_until)}"
        opening = windows.next_opening(member, now)
        if opening is not None:
            local = opening.astimezone(zone)
            paused += f": they start again {local:%A, %B} {local.day} at {local:%H:%M}"
        lines.append(paused + ".")
    return " ".join(lines)
