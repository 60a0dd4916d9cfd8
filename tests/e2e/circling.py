"""A circle for tests: set up in core (the setup modal has its own tests), then driven like its
members would over HTTP (clicks, the share modal, replies in threads), with the real tick and
sender against the fake Slack, on the test's database and fake clock."""

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from bot.ids import AWAY, CHALLENGE_MENU, SHARE_CHALLENGE
from bot.recurrence import next_after
from core import circles
from core.circles import Settings
from core.models import Challenge, CheckIn, Circle, Outbox
from core.schedules import Rule
from tests.e2e.helpers import latest_view, submit
from tests.fakes import TEAM_ID
from tests.payloads import message_click

CHANNEL = "C0CIRCLE"


def weekly(weekday: int = 1, *, at: str = "10:00", tz: str = "Europe/Paris", every: int = 1):
    hours, minutes = map(int, at.split(":"))
    return Rule.weekly(
        {weekday}, minute=hours * 60 + minutes, tz=tz, starts_on=date(2026, 11, 23), every=every
    )


def make_circle(
    engine,
    clock,
    members: list[str],
    *,
    channel: str = CHANNEL,
    owner: str | None = None,
    rule: Rule | None = None,
    tzs: dict[str, str] | None = None,
    **settings,
) -> Circle:
    """A circle in `channel`, set up now (the owner is the first member unless said)."""
    with Session(engine, expire_on_commit=False) as session:
        circle = circles.create(
            session,
            team_id=TEAM_ID,
            channel_id=channel,
            owner_id=owner or members[0],
            settings=Settings(
                name=settings.pop("name", "Product leads"),
                members=tuple(members),
                rule=rule or weekly(),
                **settings,
            ),
            next_after=next_after,
            now=clock.now(),
        )
        for member in circles.members(session, circle_id=circle.id):
            member.tz = (tzs or {}).get(member.user_id, "Europe/Paris")
            session.add(member)
        session.commit()
        return circle


@dataclass
class Circling:
    """What the channel and the members see, and their clicks."""

    bot: object
    slack: object
    engine: object
    channel: str = CHANNEL

    def top(self) -> list[dict]:
        """The channel's top-level messages, oldest first."""
        return self.slack.posted(self.channel)

    def check_ins(self) -> list[dict]:
        return [m for m in self.top() if _has_action(m, SHARE_CHALLENGE) or _closed(m)]

    def challenges(self) -> list[dict]:
        return [m for m in self.top() if _has_action(m, CHALLENGE_MENU) or "withdrawn" in m["text"]]

    def thread(self, ts: str) -> list[dict]:
        return [m for m in self.slack.messages.get(self.channel, []) if m.get("thread_ts") == ts]

    def click(self, message: dict, action_id: str, value: str, *, user: str, channel=None):
        url = self.slack.response_url(f"click-{user}-{action_id}")
        before = len(self.slack.calls_to("response_url"))
        self.bot.slack.interact(
            message_click(
                action_id,
                value,
                message=message,
                channel=channel or self.channel,
                response_url=url,
                user=user,
            )
        )
        self.bot.settle()
        return [c.args for c in self.slack.calls_to("response_url")[before:]]

    def choose(self, message: dict, choice: str, *, user: str):
        url = self.slack.response_url(f"menu-{user}")
        before = len(self.slack.calls_to("response_url"))
        self.bot.slack.interact(
            message_click(
                CHALLENGE_MENU,
                message=message,
                channel=self.channel,
                response_url=url,
                user=user,
                selected=choice,
            )
        )
        self.bot.settle()
        return [c.args for c in self.slack.calls_to("response_url")[before:]]

    def share(self, check_in: dict, user: str, text: str, **answers):
        """Press "Share a challenge" on the check-in and submit the modal."""
        before = len(self.slack.calls_to("views.open"))
        said = self.click(check_in, SHARE_CHALLENGE, _value(check_in, SHARE_CHALLENGE), user=user)
        if len(self.slack.calls_to("views.open")) == before:
            return said
        modal = latest_view(self.slack, "views.open")
        answer = submit(self.bot, modal, {"challenge": text, **answers}, user=user)
        self.bot.settle()
        return answer

    def away(self, check_in: dict, user: str):
        return self.click(check_in, AWAY, _value(check_in, AWAY), user=user)

    def reply(self, parent_ts: str, user: str, text: str = "Have you tried pairing on it?"):
        ts = self.slack._next_ts()
        event = {
            "type": "message",
            "channel": self.channel,
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": parent_ts,
            "event_ts": ts,
        }
        self.slack.messages.setdefault(self.channel, []).append(dict(event))
        self.bot.slack.event(event)
        self.bot.settle()
        return ts

    # -- the database
    def rows(self, table):
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.exec(select(table).order_by(table.id)))

    def check_in_rows(self) -> list[CheckIn]:
        return self.rows(CheckIn)

    def challenge_rows(self) -> list[Challenge]:
        return self.rows(Challenge)

    def outbox(self, purpose: str) -> list[Outbox]:
        with Session(self.engine, expire_on_commit=False) as session:
            query = select(Outbox).where(Outbox.purpose == purpose).order_by(Outbox.id)
            return list(session.exec(query))


def _actions(message: dict) -> list[dict]:
    found = []
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            found.append(element)
        if block.get("accessory"):
            found.append(block["accessory"])
    return found


def _has_action(message: dict, action_id: str) -> bool:
    return any(a.get("action_id") == action_id for a in _actions(message))


def _value(message: dict, action_id: str) -> str:
    return next(a["value"] for a in _actions(message) if a.get("action_id") == action_id)


def _closed(message: dict) -> bool:
    return "closed" in json.dumps(message.get("blocks", [])).lower() and not _has_action(
        message, CHALLENGE_MENU
    )


def menu_value(message: dict, choice: str) -> str:
    """The value of a choice ("edit", "withdraw", "enlist") in a challenge's menu."""
    for action in _actions(message):
        for option in action.get("options", []):
            if option["value"].startswith(choice + ":"):
                return option["value"]
    raise AssertionError(f"no {choice} in the challenge's menu")


def buttons(message: dict) -> dict[str, str]:
    """A message's buttons: action id -> value."""
    return {a["action_id"]: a.get("value", "") for a in _actions(message) if a["type"] == "button"}


def button_values(message: dict) -> list[str]:
    return [a.get("value", "") for a in _actions(message) if a["type"] == "button"]
