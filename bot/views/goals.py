"""The goals modal (`/advisor goals`): where the member wants to be, what they build on and
lack, the balance they want, one goal per line; reading it back, and what saving it says."""

from bot.ids import GOALS_VIEW
from bot.views.elements import input_block, submitted, text_input
from bot.views.text import mrkdwn, plain
from core.models import Goal, GoalKind

FIELDS = {
    GoalKind.TWO_YEARS: "Where I want to be in two years",
    GoalKind.FIVE_YEARS: "Where I want to be in five years",
    GoalKind.STRENGTH: "My strengths",
    GoalKind.GAP: "Gaps to fill",
    GoalKind.BALANCE: "The balance I want",
}
INTRO = (
    "Know thyself: who you enlist follows from where you want to go. Write a few short lines "
    "in any field; you can link advisors to the ones they help with."
)
HINT = "One per line"
FIELD_LIMIT = 3000  # Slack's most for a text input: ten lines of 300 characters fit


def build_goals_modal(goals: dict[str, list[Goal]]) -> dict:
    """The member's goals (by kind, as core.goals.goals_by_kind reads them) in a form."""
    blocks = [{"type": "section", "block_id": "intro", "text": mrkdwn(INTRO)}]
    for kind, label in FIELDS.items():
        written = "\n".join(goal.text for goal in goals.get(kind, []))
        field = text_input(FIELD_LIMIT, written[:FIELD_LIMIT], multiline=True)
        blocks.append(input_block(kind, label, field, hint=HINT))
    return {
        "type": "modal",
        "callback_id": GOALS_VIEW,
        "title": plain("Your goals", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def read_goals_form(values: dict) -> dict[str, str]:
    """Each field's text as typed (core splits it into goals)."""
    return {kind: submitted(values, kind).get("value") or "" for kind in FIELDS}


def goals_saved(goals: list[Goal]) -> str:
    """What saving said: how many goals, and where advisors are linked to them."""
    if not goals:
        return "No goals saved. `/advisor goals` opens this form again when you want to write some."
    count = "1 goal" if len(goals) == 1 else f"{len(goals)} goals"
    return (
        f"Saved: {count}. To link advisors to the goals they help with (where you want to be, "
        "gaps to fill), open an advisor's *Edit* form on my Home tab."
    )
