"""Asking who a typed name means, and offering to bring back an alumnus: pure Block Kit."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.ids import BRING_BACK, WHO_PROMISE
from bot.views.notices import build_notice
from bot.views.text import escape, mrkdwn, plain
from core.db import row_id
from core.models import Advisor, AdvisorStatus

VALUE_LIMIT = 2000  # Slack's limit for a button's value
MAX_PEOPLE = 5
NONE_OF_THEM = "None of them? Nothing was saved: `/advisor add` enlists someone new."


@dataclass(frozen=True)
class Person:
    """Someone a question offers: their advisor id, name, and whether they are among alumni."""

    advisor_id: int
    name: str
    alumni: bool


@dataclass(frozen=True)
class Choice:
    """A button pressed: the advisor, what the original command would record, when it was asked.
    It came back from the client: the listener scopes the advisor to the member who clicked."""

    advisor_id: int
    asked_at: datetime
    fields: dict


def person_of(advisor: Advisor) -> Person:
    return Person(advisor.id, advisor.name, advisor.status != AdvisorStatus.ACTIVE)


def choice_value(advisor_id: int, asked_at: datetime, **fields) -> str:
    """A button's value: the advisor, the moment asked and what to record (the note, a promise)."""
    carried = {"advisor": advisor_id, "asked": asked_at.isoformat(), **fields}
    return json.dumps(carried, ensure_ascii=False, separators=(",", ":"))


def read_choice(action: dict) -> Choice | None:
    """The choice a button carries; None when the value is not one of ours."""
    try:
        carried = json.loads(action.get("value") or "")
        advisor_id, asked = carried.pop("advisor"), carried.pop("asked")
        asked_at = datetime.fromisoformat(asked)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if type(advisor_id) is not int or not row_id(advisor_id) or asked_at.tzinfo is None:
        return None
    if not all(isinstance(value, str | bool) for value in carried.values()):
        return None
    return Choice(advisor_id, asked_at.astimezone(UTC), carried)


def fits(values: list[str]) -> bool:
    """All the values fit in buttons (a very long note cannot travel in one)."""
    return all(len(value) <= VALUE_LIMIT for value in values)


def _label(person: Person) -> str:
    return f"{person.name} (alumni)" if person.alumni else person.name


def _named(person: Person) -> str:
    return f"*{escape(person.name)}*" + (" (among your alumni)" if person.alumni else "")


def build_which_one(
    typed: str, people: list[Person], values: list[str], *, action: str, recordings: list[str]
) -> dict:
    """Several people (or only a near spelling of one) fit what was typed: one button each,
    which records what the command would have. `recordings` say what that is for each, in
    mrkdwn (once when it is the same for all)."""
    shown = list(zip(people, values, recordings, strict=True))[:MAX_PEOPLE]
    if len(shown) == 1:
        question = f"I don't see “{escape(typed)}” on your board. Did you mean {_named(people[0])}?"
    else:
        names = ", ".join(_named(person) for person, _, _ in shown[:-1])
        last = _named(shown[-1][0])
        if len(people) > len(shown):  # the rest would need more buttons than fit: more typing
            last += f" (or {len(people) - len(shown)} more: type more of the name)"
        question = f"“{escape(typed)}” could be {names} or {last}. Which one?"
    if len({recording for _, _, recording in shown}) == 1:
        recording = shown[0][2]
    else:
        recording = "\n".join(f"• {_named(person)}: {said}" for person, _, said in shown)
    buttons = [
        {
            "type": "button",
            "text": plain(_label(person)),
            "action_id": f"{action}_{n}",
            "value": value,
        }
        for n, (person, value, _) in enumerate(shown)
    ]
    return {
        "text": question,
        "blocks": [
            {"type": "section", "text": mrkdwn(f"{question}\n{recording}")},
            {"type": "actions", "block_id": "which_one", "elements": buttons},
            {"type": "context", "elements": [mrkdwn(NONE_OF_THEM)]},
        ],
    }


def _bring_back_button(advisor_id: int) -> dict:
    return {
        "type": "button",
        "text": plain("Bring back"),
        "action_id": BRING_BACK,
        "value": str(advisor_id),
        "style": "primary",
    }


def build_logged_for_alumnus(name: str, advisor_id: int) -> dict:
    """A touchpoint recorded with someone among alumni: said so, and a button to bring them back."""
    text = (
        f"Logged a touchpoint with *{escape(name)}*, who is among your alumni: it is in their "
        "history, and no *stay in touch* nudges come for alumni. Back in touch for good? "
        "Bring them back to your board."
    )
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": mrkdwn(text)},
            {
                "type": "actions",
                "block_id": "bring_back",
                "elements": [_bring_back_button(advisor_id)],
            },
        ],
    }


def build_bring_back_first(name: str, value: str, recording: str) -> dict:
    """A promise to someone among alumni: nothing saved yet; one button brings them back and
    records it."""
    text = (
        f"*{escape(name)}* is among your alumni, and promises are kept with your board: "
        f"nothing was saved yet. Bring them back and record it?\n{recording}"
    )
    button = {
        "type": "button",
        "text": plain("Bring back and record"),
        "action_id": f"{WHO_PROMISE}_0",
        "value": value,
        "style": "primary",
    }
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": mrkdwn(text)},
            {"type": "actions", "block_id": "bring_back", "elements": [button]},
        ],
    }


def _among_alumni_text(name: str) -> str:
    return (
        f"*{escape(name)}* is already among your alumni. Bring them back to your board? "
        "Their history comes with them, and the rhythm restarts today."
    )


def build_among_alumni(name: str, advisor_id: int) -> dict:
    """`/advisor add` of someone already among alumni: a message with a Bring back button."""
    text = _among_alumni_text(name)
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": mrkdwn(text)},
            {
                "type": "actions",
                "block_id": "bring_back",
                "elements": [_bring_back_button(advisor_id)],
            },
        ],
    }


def build_among_alumni_modal(name: str, advisor_id: int) -> dict:
    """The add form sent for someone already among alumni: the form gives way to the offer."""
    view = build_notice("Already among alumni", _among_alumni_text(name))
    view["blocks"].append(
        {"type": "actions", "block_id": "bring_back", "elements": [_bring_back_button(advisor_id)]}
    )
    return view
