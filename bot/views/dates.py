"""Asking which day was meant ("by January", "Sunday, Feb 10" when the 10th is a Monday): pure
Block Kit. Each button records what the one-line command would have, on its day."""

from datetime import date

from bot.views.text import day, mrkdwn, plain

NOT_LISTED = "Another day? Nothing was saved: type the command again with the day you mean."


def build_which_day(
    question: str, days: list[date], values: list[str], *, action: str, today: date, recording: str
) -> dict:
    """The question, then one button per day (its value says what to record), and what will be
    recorded (mrkdwn)."""
    buttons = [
        {
            "type": "button",
            "text": plain(day(when, today)),
            "action_id": f"{action}_{n}",
            "value": value,
        }
        for n, (when, value) in enumerate(zip(days, values, strict=True))
    ]
    return {
        "text": question,
        "blocks": [
            {"type": "section", "text": mrkdwn(f"{question}\n{recording}")},
            {"type": "actions", "block_id": "which_day", "elements": buttons},
            {"type": "context", "elements": [mrkdwn(NOT_LISTED)]},
        ],
    }


def unsure_in_a_form(question: str) -> str:
    """The field error a form shows: the question with the days written out."""
    return f"{question} Type the one you mean."
