"""`/advisor forget me` in Block Kit: what would be deleted (counts in the product's words) with a
red "Delete everything" button behind Slack's confirm dialog, and what was deleted. Pure."""

from bot.ids import COMMAND, FORGET_CANCEL, FORGET_ME
from bot.views.text import mrkdwn, plain

# What a table's rows are to the member, in the order they are listed: (one, many).
WORDS = {
    "member": ("your settings (nudge days and hours, time zone)", None),
    "advisor": ("advisor (on your board or among alumni)", "advisors (on your board or alumni)"),
    "touchpoint": ("touchpoint", "touchpoints"),
    "promise": ("promise", "promises"),
    "promiseevent": ("line of a promise's history", "lines of promises' history"),
    "goal": ("goal", "goals"),
    "advisorgoal": ("link of an advisor to a goal", "links of advisors to goals"),
    "reassessment": ("reassessment of your board", "reassessments of your board"),
    "reassessmentanswer": ("answer in a reassessment", "answers in reassessments"),
    "nudge": ("nudge, with what you did with it", "nudges, with what you did with them"),
    "outbox": ("message I sent you or was to send", "messages I sent you or was to send"),
    "circlemember": ("circle membership", "circle memberships"),
    "challenge": ("challenge you shared in a circle", "challenges you shared in circles"),
    "challengereply": ("reply in a challenge's thread", "replies in challenges' threads"),
    "checkinaway": ("check-in you said you'd miss", "check-ins you said you'd miss"),
    "pairing": ("learning-partner pairing", "learning-partner pairings"),
    "schedule": ("schedule (Monday preview, reassessment)", "schedules (preview, reassessment)"),
    "wakeup": ("note to look at your nudges again", "notes to look at your nudges again"),
    "dmchannel": ("the id of our DM", None),
    "boardimport": ("import you were checking", "imports you were checking"),
}
CIRCLES = (
    "Circles you set up stay with their team, without you: each goes to its facilitator, or to "
    "whoever has been in it longest (one nobody else is in is archived)."
)
SLACK_KEEPS = (
    "Messages already in Slack stay there (our DM, circle threads); the posts of your "
    "challenges in circle channels will say they were removed."
)
USAGE = (
    f"To delete everything I keep about you, type `{COMMAND} forget me`: I'll show you what "
    "that is and ask you to confirm. Nothing was deleted."
)
NOTHING_KEPT = "I keep nothing about you in this workspace: there is nothing to delete."


def _lines(counts: dict[str, int]) -> list[str]:
    lines = []
    for table, (one, many) in WORDS.items():
        count = counts.get(table, 0)
        if count:
            lines.append(f"• {one}" if many is None else f"• {count} {one if count == 1 else many}")
    others = sum(n for t, n in counts.items() if t not in WORDS and t != "circle")
    if others:
        lines.append(f"• {others} other record{'s' if others != 1 else ''}")
    return lines


def _text(head: str, counts: dict[str, int], *after: str) -> str:
    parts = [head, "\n".join(_lines(counts))]
    if counts.get("circle"):
        parts.append(CIRCLES)
    return "\n\n".join(p for p in (*parts, *after) if p)[:3000]


def build_forget_confirmation(counts: dict[str, int]) -> dict:
    """What `forget me` would delete, and the buttons that do it or not (empty: nothing kept)."""
    if not counts:
        return _message(NOTHING_KEPT)
    text = _text(
        "*Delete everything I keep about you?* This deletes, for good:",
        counts,
        SLACK_KEEPS,
        f"Want a copy first? `{COMMAND} export` sends it to your DM.",
    )
    delete = {
        "type": "button",
        "text": plain("Delete everything", 75),
        "action_id": FORGET_ME,
        "value": "me",
        "style": "danger",
        "confirm": {
            "title": plain("Delete everything?", 100),
            "text": plain(
                "Your board, its history, your goals and your part in circles will be deleted "
                "for good. This cannot be undone.",
                300,
            ),
            "confirm": plain("Delete everything", 30),
            "deny": plain("Keep it", 30),
            "style": "danger",
        },
    }
    cancel = {"type": "button", "text": plain("Cancel", 75), "action_id": FORGET_CANCEL}
    return {
        "text": "Delete everything I keep about you?",
        "blocks": [
            {"type": "section", "text": mrkdwn(text)},
            {"type": "actions", "elements": [delete, cancel]},
        ],
    }


def build_forgotten(counts: dict[str, int]) -> dict:
    """What `forget me` deleted (nothing: it was done before)."""
    if not counts:
        text = "There was nothing left to delete: everything I kept about you is gone already."
    else:
        text = _text(
            "*Done: I deleted everything I kept about you.*",
            counts,
            "If you use me again, I start from an empty board.",
        )
    return _message(text)


def build_forget_cancelled() -> dict:
    return _message("Nothing was deleted.")


def _message(text: str) -> dict:
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}
