"""A new member's first day and weeks with advisor-bot, played against the fake Slack over real
HTTP, printed as a transcript a person can read: what the member does, what the bot answers.

    .venv/bin/python -m tests.e2e.walkthrough

It starts the app exactly as the end-to-end tests do (`running_bot`, FakeSlack, FakeClock, the
scheduler's tick through `Nudging`) on a fresh SQLite file in a temporary directory. Everything
the bot sends (answers, modals, DMs, Home) is checked as it goes; anything wrong is printed on a
line starting with "PROBLEM:" (a ping token, visible markup, an error text, an empty answer, an
error logged, or an issue-10 promise the transcript shows broken). Exit status 1 when there is any.
"""

import json
import logging
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session, select

from core.db import make_engine, migrate
from core.models import Advisor, Promise, Touchpoint
from tests.conftest import running_bot
from tests.e2e.helpers import BOB, GRACE
from tests.e2e.nudging import Nudging
from tests.fakes import FakeClock, FakeSlack
from tests.payloads import (
    ALICE,
    app_home_opened,
    app_mention,
    block_action,
    direct_message,
    message_click,
    message_shortcut,
    modal_click,
    view_submission,
)

MAYA = "U0MAYA"
ROOT = Path(__file__).resolve().parents[2]
EVIL = "Evil <!channel> <@U0BOB>"
SORRY_WORDS = ("Something went wrong", "Traceback", "Exception:", "Internal Server Error")
PING = re.compile(r"<!(?:channel|here|everyone)\b|<!subteam\^|<@U0BOB\b")
DOUBLE_ESCAPE = re.compile(r"&amp;(?:amp|lt|gt);")
VISIBLE_ENTITY = re.compile(r"&(?:amp|lt|gt);")
VISIBLE_TOKEN = re.compile(r"<(?:https?://|mailto:|@[UW][A-Z0-9]+|#[CG][A-Z0-9]+)[^<>]*>")
SHOWN_TOKEN = re.compile(r"<([^<>\n]+)>")
NOT_SHOWN = ("auth.test", "users.info", "conversations.open", "conversations.history")


# --- reading what the bot sent, as a person sees it


def shown(mrkdwn: str, people: dict[str, str]) -> str:
    """mrkdwn as Slack shows it: tokens as names and labels, entities as characters."""

    def token(match: re.Match) -> str:
        inside = match.group(1)
        head, _, label = inside.partition("|")
        if head.startswith("@"):
            return "@" + (label or people.get(head[1:], head[1:]))
        if head.startswith("#"):
            return "#" + (label or head[1:])
        if head.startswith("!"):
            return "@" + (label or head[1:].split("^")[0])
        return f"{label} ({head})" if label else head

    text = SHOWN_TOKEN.sub(token, mrkdwn)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: dict | None, people: dict[str, str]) -> str:
    if not obj:
        return ""
    if obj.get("type") == "plain_text":
        return obj.get("text", "")
    return shown(obj.get("text", ""), people)


def _labels(elements: list[dict], people: dict[str, str]) -> list[str]:
    found = []
    for element in elements:
        if element.get("type") == "button":
            found.append(f"[{_text(element['text'], people)}]")
        elif element.get("type") == "overflow":
            found.append("[⋯ " + " | ".join(_text(o["text"], people) for o in element["options"]))
            found[-1] += "]"
    return found


def lines_of(blocks: list[dict], people: dict[str, str]) -> list[str]:
    """Every line a person reads in `blocks`, buttons as [Label]."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("header", "section") and block.get("text"):
            lines += _text(block["text"], people).splitlines()
        for item in block.get("fields") or []:
            lines += _text(item, people).splitlines()
        if kind == "context":
            lines += [_text(e, people) for e in block["elements"] if e.get("text")]
        if kind == "actions":
            lines.append(" ".join(_labels(block["elements"], people)))
        if block.get("accessory"):
            labels = _labels([block["accessory"]], people)
            if labels and lines:
                lines[-1] += " " + labels[0]
        if kind == "input":
            lines.append(f"({_text(block['label'], people)})")
    return [line for line in lines if line.strip()]


def plain_texts(value) -> Iterator[str]:
    """Every plain_text object's text anywhere in a payload."""
    if isinstance(value, dict):
        if value.get("type") == "plain_text" and isinstance(value.get("text"), str):
            yield value["text"]
        for inner in value.values():
            yield from plain_texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from plain_texts(inner)


def as_data(value):
    """A Web API argument as data: form-encoded calls carry blocks and views as JSON text."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def call_args(args: dict) -> dict:
    """A call's arguments with the JSON text in them (blocks, view) read; nothing deeper."""
    return {k: as_data(v) for k, v in args.items()}


def problems_in(payload) -> list[str]:
    """What is wrong in something the bot sent, raw: a ping token, text escaped twice, an
    error's words, markup in plain text (shown as is by Slack)."""
    raw = json.dumps(payload, ensure_ascii=False)
    found = [f"ping token {token!r}" for token in PING.findall(raw)]
    found += [f"text escaped twice ({m})" for m in DOUBLE_ESCAPE.findall(raw)]
    found += [f"error text {words!r}" for words in SORRY_WORDS if words in raw]
    found += [
        f"markup visible in plain text {text!r}"
        for text in plain_texts(payload)
        if VISIBLE_ENTITY.search(text) or VISIBLE_TOKEN.search(text)
    ]
    return found


def problems_shown(lines: list[str]) -> list[str]:
    """What is wrong in lines as a person reads them: an entity or a Slack token left raw."""
    return [
        f"markup visible ({line!r})"
        for line in lines
        if VISIBLE_ENTITY.search(line) or VISIBLE_TOKEN.search(line)
    ]


def button_in(blocks: list[dict], label: str) -> dict:
    """The first button whose label contains `label` (the elements of actions, accessories)."""
    for block in blocks:
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if block.get("accessory"):
            candidates.append(block["accessory"])
        for element in candidates:
            if element.get("type") == "button" and label in element["text"]["text"]:
                return element
    raise LookupError(f"no button {label!r}")


# --- the walk


class ErrorsLogged(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Surface:
    """Something on screen with buttons: an ephemeral answer, a DM, a modal or the Home tab."""

    kind: str  # "ephemeral", "dm", "modal", "home"
    data: dict
    user: str = ALICE


@dataclass
class Walk:
    bot: object
    slack: FakeSlack
    clock: FakeClock
    engine: object
    nudging: Nudging
    out: Callable[[str], None] = print
    problems: list[str] = field(default_factory=list)
    seen: int = 0
    errors: ErrorsLogged = field(default_factory=ErrorsLogged)
    homes: dict[str, dict] = field(default_factory=dict)
    last_dm: dict[str, dict] = field(default_factory=dict)
    last_modal: dict | None = None
    replies: list[dict] = field(default_factory=list)

    # -- printing and flagging
    def say(self, line: str = "") -> None:
        self.out(line)

    def scene(self, title: str) -> None:
        self.say()
        self.say(f"== {title} ({self.local_now():%a %b %d, %H:%M} Paris) ==")

    def problem(self, what: str) -> None:
        self.problems.append(what)
        self.say(f"PROBLEM: {what}")

    def expect(self, condition: bool, claim: str) -> bool:
        """An issue-10 promise the transcript should show kept."""
        if condition:
            self.say(f"    ok: {claim}")
        else:
            self.problem(f"expected: {claim}")
        return condition

    def people(self) -> dict[str, str]:
        return {uid: user["real_name"] for uid, user in self.slack.users.items()}

    def local_now(self) -> datetime:
        return self.clock.now().astimezone(self.nudging_zone)

    @property
    def nudging_zone(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Paris")

    def show(self, prefix: str, lines: list[str], limit: int = 14) -> None:
        for line in lines[:limit]:
            self.say(f"    {prefix}{line[:200]}")
        if len(lines) > limit:
            self.say(f"    {prefix}(… {len(lines) - limit} more lines)")

    def check(self, where: str, payload) -> None:
        for found in problems_in(payload):
            self.problem(f"{found} in {where}")

    def check_shown(self, where: str, lines: list[str]) -> None:
        for found in problems_shown(lines):
            self.problem(f"{found} in {where}")

    # -- what happened since the last step
    def catch_up(self, quiet_home: bool = True) -> None:
        """Print and check every call the bot made to Slack since the last step."""
        self.bot.settle()
        calls = self.slack.calls[self.seen :]
        self.seen += len(calls)
        people = self.people()
        for call in calls:
            if call.method in NOT_SHOWN:
                continue
            args = call_args(call.args)
            self.check(call.method, args)
            if call.method == "chat.postMessage" and args.get("channel") != "D0ALICE":
                to = people.get("U" + str(args.get("channel"))[1:], args.get("channel"))
                self.say(f"  <- [a DM to {to}: {shown(args.get('text', ''), people)[:90]}]")
            elif call.method == "chat.postEphemeral":
                lines = lines_of(args.get("blocks") or [], people) or [shown(args["text"], people)]
                self.say(f"  <- [in {args['channel']}, only you can see it]")
                self.show("", lines, limit=4)
            elif call.method == "chat.postMessage":
                lines = lines_of(args.get("blocks") or [], people) or [shown(args["text"], people)]
                where = "in the thread" if args.get("thread_ts") else "DM to Alice"
                self.say(f"  <- [{where}]")
                self.say(f"    (notification: {shown(args.get('text', ''), people)[:120]})")
                self.show("", lines, limit=22)
                self.check_shown(call.method, lines)
                self.last_dm[args["channel"]] = self._posted_message(args)
            elif call.method == "chat.update":
                lines = lines_of(args.get("blocks") or [], people)
                self.say("  <- [DM message updated]")
                self.show("", lines, limit=8)
            elif call.method in ("views.open", "views.push", "views.update"):
                view = args["view"]
                self.last_modal = {**view, "id": args.get("view_id") or "V0MODAL"}
                lines = lines_of(view["blocks"], people)
                verb = {"views.open": "modal", "views.push": "modal on top"}.get(
                    call.method, "modal now"
                )
                self.say(f"  <- [{verb}: {_text(view['title'], people)}]")
                self.show("", lines)
                self.check_shown(call.method, lines)
            elif call.method == "views.publish":
                self.homes[args["user_id"]] = args["view"]
                if not quiet_home:
                    self.home_lines(args["user_id"])
            elif call.method == "response_url":
                self.replies.append(args)
                lines = lines_of(args.get("blocks") or [], people) or [
                    shown(args.get("text", ""), people)
                ]
                self.say("  <- [answer, only you can see it]")
                self.show("", lines)
                self.check_shown("response_url", lines)
                if not "".join(lines).strip():
                    self.problem("an empty answer at the response_url")
        for record in self.errors.records:
            error = record.exc_info[1] if record.exc_info else None
            cause = f" ({type(error).__name__}: {str(error)[:300]})" if error else ""
            self.problem(f"the bot logged an error: {record.getMessage()}{cause}")
        self.errors.records.clear()

    def _posted_message(self, args: dict) -> dict:
        for message in reversed(self.slack.posted(args["channel"])):
            if message.get("text") == args.get("text"):
                return message
        return {}

    def home_lines(self, user: str = ALICE) -> list[str]:
        view = self.homes.get(user)
        if view is None:
            self.problem("no Home tab was published")
            return []
        lines = lines_of(view["blocks"], self.people())
        self.say("  <- [Home tab]")
        self.show("", lines, limit=40)
        self.check_shown("Home", lines)
        return lines

    # -- what the member does
    def command(self, text: str, user: str = ALICE, *, expect_answer: bool = True) -> Surface:
        who = "" if user == ALICE else f"({self.people()[user].split()[0]}) "
        self.say(f"> {who}/advisor {text}")
        opened = len(self.slack.calls_to("views.open"))
        answer = self.bot.slack.command(text, response_url=self.slack.response_url(), user=user)
        body = answer.json() if answer.body else {}
        if answer.status != 200:
            self.problem(f"/advisor {text} answered HTTP {answer.status}")
        self.check("the command's answer", body)
        lines = lines_of(body.get("blocks") or [], self.people()) or (
            [shown(body["text"], self.people())] if body.get("text") else []
        )
        if lines:
            self.say("  <- [answer, only you can see it]")
            self.show("", lines)
            self.check_shown("the command's answer", lines)
        self.catch_up()
        if expect_answer and not lines and len(self.slack.calls_to("views.open")) == opened:
            self.problem(f"/advisor {text}: no answer and no modal")
        return Surface("ephemeral", body, user)

    def event(self, what: str, event: dict) -> None:
        self.say(f"> {what}")
        answer = self.bot.slack.event(event)
        if answer.status != 200:
            self.problem(f"{what}: answered HTTP {answer.status}")
        self.catch_up()

    def open_home(self, user: str = ALICE) -> list[str]:
        self.say("> opens the bot's Home tab" + ("" if user == ALICE else f" ({user})"))
        self.bot.slack.event(app_home_opened(user=user))
        self.catch_up()
        return self.home_lines(user)

    def home(self, user: str = ALICE) -> Surface:
        return Surface("home", self.homes.get(user) or {"blocks": []}, user)

    def modal(self) -> Surface:
        return Surface("modal", self.last_modal or {"blocks": []})

    def dm(self, user: str = ALICE) -> Surface:
        return Surface("dm", self.last_dm.get("D" + user[1:], {}), user)

    def press(self, surface: Surface, label: str, *, near: str | None = None) -> dict:
        """Press the button labelled `label` (in the block group about `near`, on Home)."""
        blocks = surface.data.get("blocks") or []
        if near is not None:
            blocks = self._around(blocks, near)
        try:
            button = button_in(blocks, label)
        except LookupError:
            self.problem(f"no [{label}] button" + (f" near {near!r}" if near else ""))
            return {}
        where = {"home": "on Home", "modal": "in the modal", "dm": "in the DM"}.get(
            surface.kind, "in the answer"
        )
        self.say(f"> presses [{button['text']['text']}] {where}" + (f" ({near})" if near else ""))
        value = button.get("value", "")
        if surface.kind == "home":
            payload = block_action(button["action_id"], value, user=surface.user)
        elif surface.kind == "modal":
            payload = modal_click(button["action_id"], value, view=surface.data, user=surface.user)
        elif surface.kind == "dm":
            payload = message_click(
                button["action_id"],
                value,
                message=surface.data,
                channel="D" + surface.user[1:],
                response_url=self.slack.response_url("dm"),
                user=surface.user,
            )
        else:
            payload = block_action(
                button["action_id"],
                value,
                user=surface.user,
                response_url=self.slack.response_url("answer"),
            )
        answer = self.bot.slack.interact(payload)
        if answer.status != 200:
            self.problem(f"pressing [{label}] answered HTTP {answer.status}")
        self.catch_up()
        return button

    def _around(self, blocks: list[dict], near: str) -> list[dict]:
        """The blocks from the section mentioning `near` (as shown) to the next section."""
        people = self.people()
        for n, block in enumerate(blocks):
            if block.get("type") == "section" and near in "".join(lines_of([block], people)):
                end = n + 1
                while end < len(blocks) and blocks[end].get("type") == "actions":
                    end += 1
                return blocks[n:end]
        return []

    def submit(self, answers: dict, *, user: str = ALICE, what: str = "") -> dict:
        view = self.last_modal
        if view is None:
            self.problem("no modal to submit")
            return {}
        shown_answers = ", ".join(f"{k}={v}" for k, v in answers.items())
        self.say(f"> fills in the modal{what} ({shown_answers}) and presses Submit")
        answer = self.bot.slack.interact(view_submission(view, answers, user=user))
        body = answer.json() if answer.body.startswith("{") else {}
        if answer.status != 200:
            self.problem(f"submitting answered HTTP {answer.status}")
        self.check("the submission's answer", body)
        if body.get("response_action") == "errors":
            self.say("  <- [the modal says, at the field]")
            self.show("", [f"{k}: {v}" for k, v in body["errors"].items()])
        elif body.get("view"):
            lines = lines_of(body["view"]["blocks"], self.people())
            self.say(f"  <- [modal now: {_text(body['view']['title'], self.people())}]")
            self.show("", lines)
            self.check_shown("the submission's answer", lines)
        self.catch_up()
        return body

    def tick_at(self, when: datetime) -> None:
        self.say(
            f"~ the clock moves to {when.astimezone(self.nudging_zone):%a %b %d %H:%M}"
            " Paris; the scheduler ticks"
        )
        self.nudging.at(when)
        self.catch_up()

    # -- the database, to check what was recorded
    def rows(self, model, owner: str = ALICE) -> list:
        with Session(self.engine) as session:
            return list(session.exec(select(model).where(model.owner_id == owner)))

    def advisor(self, name: str, owner: str = ALICE) -> Advisor:
        return next(a for a in self.rows(Advisor, owner) if a.name == name)

    def touchpoints_of(self, name: str) -> list[Touchpoint]:
        advisor = self.advisor(name)
        with Session(self.engine) as session:
            query = select(Touchpoint).where(Touchpoint.advisor_id == advisor.id)
            return list(session.exec(query))

    def newest_promise(self, owner: str = ALICE) -> Promise | None:
        found = self.rows(Promise, owner)
        return max(found, key=lambda p: p.id) if found else None


# --- the story

NOVEMBER_23 = date(2026, 11, 23)  # FakeClock's start: Monday, 09:00 UTC (10:00 in Paris)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Europe/Paris"))


def all_text(walk: Walk, surface: Surface) -> str:
    data = surface.data
    lines = lines_of(data.get("blocks") or [], walk.people())
    return "\n".join([*lines, shown(data.get("text", ""), walk.people())])


def first_use(walk: Walk) -> None:
    walk.scene("Day 1: Alice has just installed the app and types the command she was told about")
    help_card = walk.command("help")
    card = all_text(walk, help_card)
    walk.expect("<what> by <when>" in card, "the help card shows `<what> by <when>` as typed")
    welcomes = [m for m in walk.slack.posted("D0ALICE") if m["text"].startswith("Welcome")]
    walk.expect(len(welcomes) == 1, "a welcome DM on first use (what the board is, what's next)")
    walk.command("help")
    welcomes = [m for m in walk.slack.posted("D0ALICE") if m["text"].startswith("Welcome")]
    walk.expect(len(welcomes) == 1, "the welcome comes once, not on every command")
    lines = walk.open_home()
    walk.expect(
        any("personal board of advisors" in line for line in lines),
        "an empty Home explains the board and offers the first advisor",
    )
    ephemerals = len(walk.slack.calls_to("chat.postEphemeral"))
    walk.event("mentions @advisor-bot in #general", app_mention("<@U0ADVISORBOT> hi"))
    walk.expect(
        len(walk.slack.calls_to("chat.postEphemeral")) == ephemerals + 1,
        "a mention shows the usage card (README)",
    )
    posts = len(walk.slack.posted("D0ALICE"))
    walk.event("writes “hello?” to the bot in a DM", direct_message("hello?"))
    walk.expect(
        len(walk.slack.posted("D0ALICE")) == posts + 1,
        "a direct message shows the usage card (README)",
    )


def enlisting(walk: Walk) -> None:
    walk.scene("Alice enlists her first advisors")
    walk.command("add <@U0GRACE>")
    walk.submit({"relationship": "senior", "cadence": "14", "last_spoke": "2026-11-09"})
    walk.command("add <@U0MAYA>")
    walk.submit({"relationship": "peer", "cadence": "30", "last_spoke": "2026-11-02"})
    walk.command("add Priya Sharma")
    walk.submit({"relationship": "peer", "inside": "outside", "cadence": "30"})
    for name in ("Sam Lee", "Sam Patel"):
        walk.command(f"add {name}")
        walk.submit({"relationship": "peer", "inside": "outside", "cadence": "60"})
    walk.say("  (Alice eases Sam Lee aside from Home: he becomes one of her alumni)")
    walk.press(walk.home(), "Ease aside", near="Sam Lee")

    walk.scene("Adding yourself, and someone already among alumni")
    me = walk.command("add <@U0ALICE>")
    walk.expect("your own advisor" in all_text(walk, me), "adding yourself is refused at once")
    again = walk.command("add Sam Lee")
    walk.expect(
        "[Bring back]" in all_text(walk, again) or "Bring back" in json.dumps(again.data),
        "someone already among alumni: the answer offers Bring back",
    )

    walk.scene("An outside advisor whose name tries to ping everyone (typed into the form)")
    walk.command("add")
    walk.submit(
        {
            "name": EVIL,
            "relationship": "other",
            "inside": "outside",
            "cadence": "30",
            "last_spoke": "2026-09-01",
        }
    )


def listing(walk: Walk) -> None:
    walk.scene("The board as a list")
    board = walk.command("list")
    text = all_text(walk, board)
    walk.expect("[History]" in text, "`/advisor list` has a History button per advisor")
    walk.command("list alumni")
    usage = walk.command("list foo")
    walk.expect("list alumni" in all_text(walk, usage), "`list foo` shows the usage")


def logging_touchpoints(walk: Walk) -> None:
    walk.scene("Logging touchpoints: by mention, by name, a typo, two Sams")
    walk.command(
        "log <@U0MAYA> coffee about the reorg; she shared "
        "<https://example.com/deck|the deck> and says hi to <@U0GRACE>"
    )
    walk.clock.advance(minutes=1)
    walk.command("log Priya told her about the offsite")
    walk.expect(len(walk.touchpoints_of("Priya Sharma")) == 1, "`log Priya …` lands on Priya")
    walk.clock.advance(minutes=1)
    typo = walk.command("log Pria told her about the offsite, again")
    walk.expect(
        "Priya" in all_text(walk, typo) and len(walk.touchpoints_of("Priya Sharma")) == 1,
        "a near spelling (Pria) is asked about before anything is recorded",
    )
    walk.press(typo, "Priya")
    walk.expect(len(walk.touchpoints_of("Priya Sharma")) == 2, "the button records it for Priya")
    sams = walk.command("log Sam lunch")
    walk.expect("Which one" in all_text(walk, sams), "“Sam” alone: the bot asks which one")
    lee = walk.command("log Sam Lee lunch")
    said = all_text(walk, lee)
    walk.expect(
        "Sam Lee" in said
        and "Sam Patel" not in said
        and len(walk.touchpoints_of("Sam Lee")) == 1
        and not walk.touchpoints_of("Sam Patel"),
        "`log Sam Lee lunch` lands on Sam Lee (alumni), never on Sam Patel",
    )
    walk.expect("Bring back" in said, "…and offers to bring him back")
    me = walk.command("log <@U0ALICE> note to self")
    walk.expect("That's you" in all_text(walk, me), "logging yourself is refused at once")
    walk.command("log Nobody Known coffee")
    walk.say("> uses the “Log as touchpoint” shortcut on a message Maya wrote")
    walk.bot.slack.interact(
        message_shortcut(response_url=walk.slack.response_url(), author=MAYA, text="Thanks!")
    )
    walk.catch_up()
    before = len(walk.touchpoints_of("Maya Chen"))
    walk.submit({"note": "she thanked me for the intro"})
    walk.expect(
        len(walk.touchpoints_of("Maya Chen")) == before + 1,
        "the shortcut logs a touchpoint with the message's author (README)",
    )


def promising(walk: Walk) -> None:
    walk.scene("Promises in one line")
    expected = {
        "send the deck by friday": date(2026, 11, 27),
        "send slides in 2 weeks": date(2026, 12, 7),
        "check in on the plan 3 years from today": date(2029, 11, 23),
        "review her talk monday morning": date(2026, 11, 30),
        "intro to Ana friday after next": date(2026, 12, 4),
        "share the numbers by EOM": date(2026, 11, 30),
        "send a card by christmas": date(2026, 12, 25),
        "send the paper by fri.": date(2026, 11, 27),
    }
    who = ["<@U0GRACE>", "Priya", "Priya", "<@U0GRACE>", "Priya", "<@U0GRACE>", "Priya", "Priya"]
    for (line, due), person in zip(expected.items(), who, strict=True):
        before = walk.newest_promise()
        answer = walk.command(f"promise {person} {line}")
        made = walk.newest_promise()
        asked = f"{due:%a, %b} {due.day}"
        if "Did you mean" in all_text(walk, answer) and asked in all_text(walk, answer):
            walk.press(answer, asked)  # a weekday said on that day: the bot asks which
            made = walk.newest_promise()
        if made is None or (before is not None and made.id == before.id):
            walk.problem(f"“{line}” recorded nothing: {all_text(walk, answer)[:160]}")
            continue
        walk.expect(made.due_on == due, f"“{line}” is due {due:%a, %b %d, %Y} (got {made.due_on})")

    walk.scene("R&D, once")
    rnd = walk.command("promise <@U0MAYA> send R&D summary by tomorrow")
    walk.expect("“send R&D summary”" in all_text(walk, rnd), "R&D shows as R&D, escaped once")

    walk.scene("Dates the bot must ask about, not guess")
    january = walk.command("promise <@U0GRACE> send the plan by January")
    walk.expect(
        "Which day in January 2027?" in all_text(walk, january),
        "a month alone (by January) offers a short choice",
    )
    walk.press(january, "Jan 15")
    walk.expect(walk.newest_promise().due_on == date(2027, 1, 15), "the choice records Jan 15")
    contradiction = walk.command("promise <@U0GRACE> send the deck by Sunday, Feb 10")
    walk.expect(
        "is a Wednesday" in all_text(walk, contradiction),
        "“Sunday, Feb 10” (a Wednesday) is asked about, not guessed",
    )
    walk.press(contradiction, "Wed, Feb 10")
    alumnus = walk.command("promise Sam Lee send slides by friday")
    walk.expect(
        "Sam Patel" not in all_text(walk, alumnus)
        and "Bring back and record" in all_text(walk, alumnus),
        "a promise to Sam Lee (alumni) offers Bring back and record, not Sam Patel",
    )

    walk.scene("Open promises")
    listed = walk.command("promises")
    walk.expect(
        "Jan 15, 2027" in all_text(walk, listed) and "Nov 23, 2029" in all_text(walk, listed),
        "dates outside this year show their year",
    )


def settings_and_sample(walk: Walk) -> None:
    walk.scene("Nudge settings and a sample nudge")
    walk.command("settings")
    settings = walk.modal()
    dms = len(walk.slack.posted("D0ALICE"))
    walk.press(settings, "Send me a sample nudge")
    sample = walk.slack.posted("D0ALICE")[dms:]
    walk.expect(
        len(sample) == 1 and "sample" in json.dumps(sample).lower(),
        "“Send me a sample nudge” sends one at once, marked as a sample",
    )
    walk.last_modal = settings.data
    walk.submit({"preview": ["preview"]}, what=" (ticks the Monday preview)")


def history(walk: Walk) -> None:
    walk.scene("Home, and a touchpoint logged by mistake")
    lines = walk.open_home()
    grace = next((line for line in lines if line.startswith("@Grace")), "")
    walk.expect(
        "due today" in grace and "overdue" not in grace,
        "Grace, due today, reads “due today”, not overdue",
    )
    walk.expect(any("Next nudge:" in line for line in lines), "Home shows the next nudge")
    walk.command("log Grace quick chat (oops, that was Maya)")
    after = walk.advisor("Grace Hopper").next_touch_due_at
    walk.press(walk.home(), "History", near="Grace Hopper")
    walk.say("  (she presses Delete on the touchpoint; Slack asks to confirm; she confirms)")
    walk.press(walk.modal(), "Delete")
    lines = walk.open_home()
    grace = next((line for line in lines if line.startswith("@Grace")), "")
    back = walk.advisor("Grace Hopper").next_touch_due_at
    walk.expect(
        back is not None and after is not None and back < after and "due today" in grace,
        "after the delete, Grace's due date follows back (due today again)",
    )


def nudge_days(walk: Walk) -> None:
    walk.scene("Alice goes back to work; the scheduler does its job")
    dms = len(walk.slack.posted("D0ALICE"))
    walk.tick_at(walk.clock.now().replace(minute=20))
    first = [m for m in walk.slack.posted("D0ALICE")[dms:]]
    text = json.dumps(first, ensure_ascii=False)
    walk.expect(bool(first), "a first nudge comes once the quiet minutes are over")
    walk.expect("Still quiet" not in text, "a first-ever nudge never says “Still quiet”")

    walk.scene("Tuesday: the R&D summary is due")
    walk.tick_at(paris(date(2026, 11, 24), 9, 5).astimezone(UTC))

    walk.scene("Wednesday: the R&D summary is late")
    dms = len(walk.slack.posted("D0ALICE"))
    walk.tick_at(paris(date(2026, 11, 25), 9, 5).astimezone(UTC))
    late = json.dumps(walk.slack.posted("D0ALICE")[dms:], ensure_ascii=False)
    walk.expect("It was due Tue, Nov 24" in late, "a late promise gets a “show your work” nudge")
    nudge = walk.slack.posted("D0ALICE")[-1]
    replies = len(walk.slack.messages.get("D0ALICE", []))
    walk.event(
        "replies in the nudge's thread: “draft done, numbers by Friday”",
        direct_message("draft done, numbers by Friday", thread_ts=nudge["ts"]),
    )
    walk.expect(
        len(walk.slack.messages.get("D0ALICE", [])) > replies,
        "a reply in a nudge's thread is answered there (README)",
    )
    lines = walk.open_home()
    maya = next((line for line in lines if line.startswith("@Maya")), "")
    walk.expect("late promise" in maya, "Maya's line on Home shows the late promise")

    walk.scene("Monday: the preview of the week ahead")
    dms = len(walk.slack.posted("D0ALICE"))
    walk.tick_at(paris(date(2026, 11, 30), 9, 5).astimezone(UTC))
    walk.tick_at(paris(date(2026, 11, 30), 12, 0).astimezone(UTC))
    posted = walk.slack.posted("D0ALICE")[dms:]
    preview = [m for m in posted if "Your week ahead" in json.dumps(m.get("blocks"))]
    if walk.expect(bool(preview), "a Monday preview arrives"):
        shown_lines = lines_of(preview[0].get("blocks") or [], walk.people())
        ahead = _section_after(shown_lines, "week ahead")
        past = [line for line in ahead if re.search(r"Nov (2[0-9])\b", line)]
        walk.expect(not past, "the preview's week ahead lists nothing already past")

    walk.scene("A week after the first late nudge: one more, then no more")
    counts = []
    for day in (date(2026, 12, 2), date(2026, 12, 9), date(2026, 12, 16)):
        dms = len(walk.slack.posted("D0ALICE"))
        walk.tick_at(paris(day, 9, 5).astimezone(UTC))
        said = json.dumps(walk.slack.posted("D0ALICE")[dms:], ensure_ascii=False)
        counts.append("It was due Tue, Nov 24" in said)
    walk.expect(
        counts == [True, False, False],
        f"the late nudge comes once more a week later, then stops (seen: {counts})",
    )


def _section_after(lines: list[str], word: str) -> list[str]:
    """The lines under the heading that mentions `word`, up to a line about overdue items."""
    taken, inside = [], False
    for line in lines:
        low = line.lower()
        if "overdue" in low or "late" in low:
            inside = False
        elif word in low:
            inside = True
            continue
        if inside:
            taken.append(line)
    return taken


def long_lists(walk: Walk) -> None:
    walk.scene("Bob, with 25 advisors and 25 promises (set up directly in the database)")
    walk.nudging.member(BOB, tz="Asia/Tokyo")
    made = [
        walk.nudging.advisor(f"Person {n:02}", last_spoke_on=NOVEMBER_23, owner=BOB)
        for n in range(1, 26)
    ]
    for n, advisor in enumerate(made):
        walk.nudging.promise(advisor, f"Promise {n + 1:02}", date(2026, 12, 1 + n), owner=BOB)
    listed = walk.command("list", user=BOB)
    walk.expect("[Show more" in all_text(walk, listed), "`/advisor list` pages with Show more")
    walk.press(listed, "Show more")
    walk.expect(
        "Person 25" in json.dumps(walk.replies[-1] if walk.replies else {}),
        "Show more brings the rest of the list",
    )
    promised = walk.command("promises", user=BOB)
    walk.expect("[Show more" in all_text(walk, promised), "`/advisor promises` pages too")
    walk.press(promised, "Show more")
    walk.expect(
        "Promise 25" in json.dumps(walk.replies[-1] if walk.replies else {}),
        "Show more brings the rest of the promises",
    )


# What the phrases mean, said on Monday, November 23, 2026 (several days where people differ)
READ_AS = {
    "friday": [date(2026, 11, 27)],
    "fri.": [date(2026, 11, 27)],
    "next tuesday": [date(2026, 11, 24), date(2026, 12, 1)],
    "friday next week": [date(2026, 12, 4)],
    "friday after next": [date(2026, 12, 4)],
    "in 2 weeks": [date(2026, 12, 7)],
    "within 3 days": [date(2026, 11, 26)],
    "a fortnight": [date(2026, 12, 7)],
    "2 fridays from now": [date(2026, 12, 4)],
    "dec 3": [date(2026, 12, 3)],
    "march first": [date(2027, 3, 1)],
    "the third": [date(2026, 12, 3)],
    "2026-12-03": [date(2026, 12, 3)],
    "end of this week": [date(2026, 11, 27), date(2026, 11, 29)],
    "eom": [date(2026, 11, 30)],
    "end of april": [date(2027, 4, 30)],
    "beginning of next week": [date(2026, 11, 30)],
    "eoy": [date(2026, 12, 31)],
    "this weekend": [date(2026, 11, 28), date(2026, 11, 29)],
    "christmas": [date(2026, 12, 25)],
    "new year's eve": [date(2026, 12, 31)],
    "first tuesday of october": [date(2027, 10, 5)],
    "thursday 9am": [date(2026, 11, 26)],
    "tuesday of next week": [date(2026, 12, 1)],
    "the eom": [date(2026, 11, 30)],
    "at the end of april": [date(2027, 4, 30)],
    "end of the year": [date(2026, 12, 31)],
    "halloween": [date(2027, 10, 31)],
    "last friday of the month": [date(2026, 11, 27)],
    "in a couple of days": [date(2026, 11, 25)],
    "by in 2 weeks": [date(2026, 12, 7)],
}
# The other examples, tried the same way
BRIEF_PHRASES = (
    "Thursday 9am",
    "tuesday of next week",
    "the EOM",
    "at the end of April",
    "end of the year",
    "halloween",
    "last friday of the month",
    "in a couple of days",
)


def readme_claims(walk: Walk) -> None:
    walk.scene("The README's claims, tried as Bob")
    readme = (ROOT / "README.md").read_text()
    start = readme.index("It reads")
    phrases = re.findall(r"“([^”]+)”|\"([^\"]+)\"", readme[start : readme.index("numeric", start)])
    phrases = [" ".join((a or b).split()) for a, b in phrases]
    walk.say(f"  (the README says the one-line promise reads: {', '.join(phrases)})")
    advisor = "Person 01"
    for phrase in [*phrases, *BRIEF_PHRASES]:
        before = walk.newest_promise(BOB)
        by = "" if phrase.split()[0].lower() in ("in", "within", "a", "2") else "by "
        answer = bot_line(walk, f"promise {advisor} check {by}{phrase}", BOB)
        made = walk.newest_promise(BOB)
        if made is not None and made.id != before.id:
            walk.say(f"    “{phrase}” → {made.due_on:%a, %b %d, %Y}")
            meant = READ_AS.get(phrase.lower())
            if meant and made.due_on not in meant:
                walk.problem(f"“{phrase}” was read as {made.due_on}, meant {meant[0]}")
        elif "?" in answer:
            walk.say(f"    “{phrase}” → asked: {answer[:100]}")
        else:
            walk.problem(f"the README says “{phrase}” is read; the bot answered: {answer[:140]}")
    for script in ("scripts/run", "scripts/test"):
        path = ROOT / script
        walk.expect(path.exists() and path.stat().st_mode & 0o111, f"{script} exists, executable")
    ci = ROOT / ".ci" / "run"
    walk.expect(ci.exists() and "scripts/test" in ci.read_text(), ".ci/run calls scripts/test")


def bot_line(walk: Walk, text: str, user: str) -> str:
    """A command's answer as one line, without printing it (for long tables of phrases)."""
    answer = walk.bot.slack.command(text, response_url=walk.slack.response_url(), user=user)
    body = answer.json() if answer.body else {}
    walk.check("the command's answer", body)
    walk.bot.settle()
    walk.seen = len(walk.slack.calls)
    return shown(body.get("text", ""), walk.people()).replace("\n", " ")


def no_ping_anywhere(walk: Walk) -> None:
    walk.scene("Everything the bot sent, checked once more for pings")
    raw = json.dumps([call_args(c.args) for c in walk.slack.calls], ensure_ascii=False)
    walk.expect(not PING.search(raw), f"no ping token in any of {len(walk.slack.calls)} calls")
    walk.expect("Evil" in raw, "the advisor named to ping everyone was shown (as text)")


SCENES = (
    first_use,
    enlisting,
    listing,
    logging_touchpoints,
    promising,
    long_lists,
    readme_claims,
    settings_and_sample,
    history,
    nudge_days,
    no_ping_anywhere,
)


@contextmanager
def started(directory: Path, out: Callable[[str], None]) -> Iterator[Walk]:
    engine = make_engine(f"sqlite:///{directory / 'walkthrough.db'}")
    migrate(engine)
    clock = FakeClock()
    slack = FakeSlack(clock=clock).start()
    slack.add_user(ALICE, tz="Europe/Paris", real_name="Alice Martin")
    slack.add_user(GRACE, tz="America/New_York", real_name="Grace Hopper")
    slack.add_user(MAYA, tz="Europe/London", real_name="Maya Chen")
    slack.add_user(BOB, tz="Asia/Tokyo", real_name="Bob Ross")
    errors = ErrorsLogged()
    logging.getLogger().addHandler(errors)
    try:
        with running_bot(engine, slack, clock) as bot:
            walk = Walk(bot, slack, clock, engine, Nudging(engine, slack, clock), out=out)
            walk.errors = errors
            yield walk
    finally:
        logging.getLogger().removeHandler(errors)
        slack.stop()
        engine.dispose()


def walk_through(out: Callable[[str], None] = print) -> list[str]:
    """Play every scene; the problems seen (also printed as they came)."""
    with tempfile.TemporaryDirectory() as directory, started(Path(directory), out) as walk:
        for scene in SCENES:
            scene(walk)
        walk.say()
        walk.say(f"== {len(walk.problems)} problem(s) ==")
        for problem in walk.problems:
            walk.say(f"PROBLEM: {problem}")
        return walk.problems


if __name__ == "__main__":
    sys.exit(1 if walk_through() else 0)
