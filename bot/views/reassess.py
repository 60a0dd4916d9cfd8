"""The reassessment DM in Block Kit, from core/reassess.py's Step: one advisor at a time (why
they are on the board, "Still helping with your goals?", keep / how often / ease aside), then
"is anyone missing?", then what was decided; and the reminder a week later."""

from datetime import datetime

from bot.ids import REASSESS, REASSESS_CADENCE, REASSESS_DONE, REASSESS_ENLIST
from bot.views.board import KIND
from bot.views.circles import thread_link
from bot.views.text import day, escape, mrkdwn, option, plain, shorten
from core.cadence import describe_days
from core.models import Support
from core.reassess import CADENCES, EASE_ASIDE, KEEP, Step, Tally

KEEP_ACTION, EASE_ACTION = f"{REASSESS}_{KEEP}", f"{REASSESS}_{EASE_ASIDE}"  # one block: unique
LABELS = ("Weekly", "Every 2 weeks", "Monthly", "Every 2 months", "Quarterly")
CADENCE_LABELS = dict(zip(CADENCES, LABELS, strict=True))
GIVES = {
    Support.SPONSORSHIP: "sponsorship",
    Support.COACHING: "coaching",
    Support.EXPOSURE: "exposure and visibility",
    Support.PROTECTION: "protection",
    Support.STRETCH: "stretch assignments",
    Support.INTRODUCTIONS: "introductions",
    Support.ROLE_MODEL: "a role model",
    Support.ACCEPTANCE: "acceptance and confirmation",
    Support.COUNSEL: "counsel",
    Support.FRIENDSHIP: "friendship",
}
HEAD = ":mag: *Reassessing your board*"
COME_BACK = "No rush: this message keeps your place, and its buttons work whenever you come back."
NAMES_SHOWN = 15  # names in one line of the tally; past that, "and N more"


def value(choice: str | int, reassessment_id: int, advisor_id: int) -> str:
    """A button's or menu option's value: "<keep|ease_aside|days>:<reassessment>:<advisor>"."""
    return f"{choice}:{reassessment_id}:{advisor_id}"


def build_reassessment(step: Step, now: datetime) -> dict:
    """The message as it stands: asking about one advisor, asking who is missing, or done."""
    if step.done:
        return _finished(step, now)
    if step.advisor is not None:
        return _asking(step, now)
    return _missing(step)


def _why_on_board(step: Step, now: datetime) -> str:
    advisor, zone = step.advisor, step.zone
    where = "inside" if advisor.inside_org else "outside"
    lines = [
        f"*{escape(advisor.name)}*, {KIND.get(advisor.relationship, 'other')}, {where} your company"
    ]
    if advisor.support:
        lines.append("Gives you " + ", ".join(GIVES.get(s, s) for s in advisor.support) + ".")
    if step.goals:
        helps = "; ".join(f"“{escape(shorten(goal, 100))}”" for goal in step.goals)
        lines.append(f"Helps with {helps}.")
    if advisor.last_touch_at is None:
        last = "No touchpoint yet"
    else:
        when = day(advisor.last_touch_at.astimezone(zone), now.astimezone(zone))
        last = f"Last touchpoint {when}"
    lines.append(f"{last}; you planned to stay in touch {describe_days(advisor.cadence_days)}.")
    return "\n".join(lines)


def _asking(step: Step, now: datetime) -> dict:
    r, advisor = step.reassessment.id, step.advisor
    keep = {
        "type": "button",
        "text": plain("Keep"),
        "action_id": KEEP_ACTION,
        "value": value(KEEP, r, advisor.id),
        "style": "primary",
    }
    how_often = {
        "type": "static_select",
        "action_id": REASSESS_CADENCE,
        "placeholder": plain("Change how often"),
        "options": [
            option(label, value(days, r, advisor.id)) for days, label in CADENCE_LABELS.items()
        ],
    }
    ease = {
        "type": "button",
        "text": plain("Ease aside"),
        "action_id": EASE_ACTION,
        "value": value(EASE_ASIDE, r, advisor.id),
        "confirm": {
            "title": plain("Ease aside?"),
            "text": mrkdwn(
                f"{escape(advisor.name)} moves to your alumni: kept with their history, no more "
                "stay-in-touch nudges. You can bring them back from my Home tab."
            ),
            "confirm": plain("Ease aside"),
            "deny": plain("Keep"),
        },
    }
    answers = [keep, how_often, ease]  # a block per advisor: a menu choice is not carried over
    blocks = [
        {"type": "section", "text": mrkdwn(f"{HEAD} · {step.number} of {step.total}")},
        {"type": "section", "text": mrkdwn(_why_on_board(step, now))},
        {"type": "section", "text": mrkdwn("*Still helping with your goals?*")},
        {"type": "actions", "block_id": f"reassess_{r}_{advisor.id}", "elements": answers},
        {"type": "context", "elements": [mrkdwn(_so_far(step.tally) or COME_BACK)]},
    ]
    text = (
        f"Reassessing your board ({step.number} of {step.total}): is {escape(advisor.name)} still "
        "helping with your goals?"
    )
    return {"text": text, "blocks": blocks}


def _missing(step: Step) -> dict:
    r = str(step.reassessment.id)
    ask = "That's everyone on your board. *Is anyone missing?*"
    if step.gap:
        ask += f"\n{escape(step.gap)}"
    buttons = [
        {
            "type": "button",
            "text": plain("Enlist someone"),
            "action_id": REASSESS_ENLIST,
            "value": r,
            "style": "primary",
        },
        {"type": "button", "text": plain("Done"), "action_id": REASSESS_DONE, "value": r},
    ]
    blocks = [
        {"type": "section", "text": mrkdwn(f"{HEAD} · is anyone missing?")},
        {"type": "section", "text": mrkdwn(ask)},
        {"type": "actions", "block_id": "reassess_missing", "elements": buttons},
    ]
    so_far = _so_far(step.tally)
    if so_far:
        blocks.append({"type": "context", "elements": [mrkdwn(so_far)]})
    return {"text": "Reassessing your board: is anyone missing?", "blocks": blocks}


def _finished(step: Step, now: datetime) -> dict:
    zone, today = step.zone, now.astimezone(step.zone)
    finished = step.reassessment.finished_at or now
    lines = [f":white_check_mark: *Board reassessed* on {day(finished.astimezone(zone), today)}."]
    decided = _decided(step.tally)
    lines.append(decided or "You kept your board as it is.")
    if step.next_at is not None:
        lines.append(f"The next reassessment comes {day(step.next_at.astimezone(zone), today)}.")
    else:
        lines.append("No other reassessment is planned: `/advisor settings` turns them on.")
    return {
        "text": "Board reassessed.",
        "blocks": [{"type": "section", "text": mrkdwn("\n".join(lines))}],
    }


def _names(names) -> str:
    shown = [escape(name) for name in names[:NAMES_SHOWN]]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _decided(tally: Tally) -> str:
    parts = []
    if tally.kept:
        parts.append(f"Kept {_names(tally.kept)}.")
    if tally.cadence:
        changed = [f"{name} ({describe_days(days)})" for name, days in tally.cadence]
        parts.append(f"New rhythm for {_names(changed)}.")
    if tally.eased:
        parts.append(f"Eased aside {_names(tally.eased)}: among your alumni, with their history.")
    return " ".join(parts)


def _so_far(tally: Tally) -> str:
    decided = _decided(tally)
    return f"So far: {decided}" if decided else ""


def build_reminder(step: Step, now: datetime) -> dict:
    """A week on, some advisors still to answer about: where to pick it up."""
    zone = step.zone
    started = day(step.reassessment.occurrence.astimezone(zone), now.astimezone(zone))
    left = "1 advisor" if step.left == 1 else f"{step.left} advisors"
    text = (
        f":hourglass_flowing_sand: Your board's reassessment from {started} is waiting: {left} "
        f"to go, starting with *{escape(step.advisor.name)}*. {_where(step.reassessment)}: "
        "it keeps your place and its buttons still work."
    )
    return {
        "text": f"Your board's reassessment is waiting: {left} to go.",
        "blocks": [{"type": "section", "text": mrkdwn(text)}],
    }


def _where(reassessment) -> str:
    """A link to the reassessment's message (Slack opens it in the DM), when it is known."""
    link = thread_link(reassessment.channel_id, reassessment.ts)
    return f"<{link}|Pick it up in that message>" if link else "Pick it up in that message, above"
