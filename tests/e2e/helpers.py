"""Driving the board like a member would, over HTTP: shared by the end-to-end tests."""

import json

from slack_sdk.models.views import View
from sqlmodel import Session, select

from core.models import Advisor, Touchpoint
from tests.payloads import ALICE, view_submission

GRACE, BOB, DEPLOYBOT, GONE = "U0GRACE", "U0BOB", "U0DEPLOYBOT", "U0GONE"


def latest_view(fake_slack, method: str) -> dict:
    return fake_slack.calls_to(method)[-1].args["view"]


def submit(bot, view: dict, answers: dict | None = None, **options):
    """Press a modal's submit button; a view sent back in the answer must be valid Block Kit."""
    answer = bot.slack.interact(view_submission(view, answers, **options))
    sent = answer.json().get("view") if answer.body.startswith("{") else None
    if sent is not None:
        assert View(**sent).to_dict() == sent
    return answer


def open_add_modal(bot, fake_slack, text: str = "add", user: str = ALICE) -> dict:
    assert bot.slack.command(text, response_url=fake_slack.response_url(), user=user).status == 200
    bot.settle()
    return latest_view(fake_slack, "views.open")


def enlist(bot, fake_slack, answers: dict, user: str = ALICE):
    modal = open_add_modal(bot, fake_slack, user=user)
    return submit(bot, modal, {"relationship": "peer", **answers}, user=user)


def advisors(engine, owner: str = ALICE) -> list[Advisor]:
    with Session(engine) as session:
        return list(session.exec(select(Advisor).where(Advisor.owner_id == owner)))


def home_text(fake_slack, user: str = ALICE) -> str:
    homes = [c.args for c in fake_slack.calls_to("views.publish") if c.args["user_id"] == user]
    return json.dumps(homes[-1]["view"], ensure_ascii=False) if homes else ""


def snapshot(engine) -> list:
    with Session(engine) as session:
        rows = session.exec(select(Advisor)).all() + session.exec(select(Touchpoint)).all()
        return [row.model_dump() for row in rows]


def opened_for_advisors(fake_slack, *members: str) -> list:
    """The DMs the bot opened, but with the members themselves (each gets a welcome)."""
    members = members or (ALICE,)
    return [c for c in fake_slack.calls_to("conversations.open") if c.args["users"] not in members]


def posted_but_welcome(fake_slack, channel: str) -> list:
    """chat.postMessage calls to `channel`, but the welcome a member gets on first use."""
    return [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args["channel"] == channel and not c.args["text"].startswith("Welcome to advisor-bot")
    ]
