"""`/advisor forget me` in Block Kit: what would be deleted (counts in the product's words) with a
red "Delete everything" button behind Slack's confirm dialog, and what was deleted. Pure."""

from bot.ids import COMMAND, FORGET_CANCEL, FORGET_ME
from bot.views.text import mrkdwn, plain

# What a table's rows are to the member, in the order they are listed: (one, many), in the
# product's words. Only what the member knows is counted.
WORDS = {
    "member": ("your settings (nudge days and hours, time zone)", None),
    "advisor": ("advisor (on your board or among alumni)", "advisors (on your board or alumni)"),
    "touchpoint": ("touchpoint", "touchpoints"),
    "promise": ("promise, with its history", "promises, with their history"),
    "goal": ("goal", "goals"),
    "reassessment": ("reassessment of your board", "reassessments of your board"),
    "nudge": ("nudge, with what you did with it", "nudges, with what you did with them"),
    "circlemember": ("circle membership", "circle memberships"),
    "challenge": ("challenge you shared in a circle", "challenges you shared in circles"),
    "challengereply": ("reply in a challenge's thread", "replies in challenges' threads"),
    "checkinaway": ("check-in you said you'd miss", "check-ins you said you'd miss"),
    "pairing": ("learning-partner pairing", "learning-partner pairings"),
    "boardimport": ("import you started", "imports you started"),
}
# Parts of what is listed above (said with it, never counted apart): an advisor's goals, a
# promise's history, a reassessment's answers.
PARTS = frozenset({"advisorgoal", "promiseevent", "reassessmentanswer"})
# The bot's own bookkeeping about the member (when to look at their nudges again, messages it
# was to send them, their DM's id, when their preview is due): one line, never counted.
OWN_NOTES = "and my own notes about you (what I was to send you, and when)"
CIRCLES = (
    "Circles you set up stay with their team, without you: each goes to its facilitator, or to "
    "whoever has been in it longest (one nobody else is in is archived)."
)
SLACK_KEEPS = (
    "What is already in Slack stays there: our DM's messages and files (the exports and lists I "
    "sent you, the CSVs you uploaded) and circle threads. You can delete your own messages and "
    "files in Slack (each one's ⋯ menu); a workspace admin can delete mine. The posts of your "
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
    told = {*WORDS, *PARTS, "circle"}  # circles: said by CIRCLES
    if any(n for table, n in counts.items() if table not in told):
        lines.append(f"• {OWN_NOTES}" if lines else f"• {OWN_NOTES.removeprefix('and ')}")
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
            SLACK_KEEPS,
            "If you use me again, I start from an empty board.",
        )
    return _message(text)


def build_forget_cancelled() -> dict:
    return _message("Nothing was deleted.")


def _message(text: str) -> dict:
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}
