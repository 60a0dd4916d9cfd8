"""A nudge engine for tests: the real Ticker and Sender against the fake Slack over HTTP,
on the test's database and fake clock; sleeps are recorded, never slept."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.delivery.pacing import Pacing
from bot.delivery.sender import OneWorkspace, Sender
from bot.scheduler import Ticker
from core import board, promises
from core.board import Details, Person
from core.db import session_factory
from core.members import remember_member
from core.models import Advisor, Member, Nudge, Outbox
from tests.fakes import BOT_TOKEN, TEAM_ID
from tests.payloads import ALICE

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Nudging:
    engine: object
    slack: object
    clock: object
    sleeps: list[float] = field(default_factory=list)
    process: str = "test-process"

    def sender(self, process: str | None = None, *, per_second: float = 1000) -> Sender:
        return Sender(
            OneWorkspace(BOT_TOKEN, self.slack.api_url),
            session_factory(self.engine),
            self.clock,
            process=process or self.process,
            pacing=Pacing(per_second),
            sleep=self.sleeps.append,
        )

    def ticker(self, process: str | None = None, *, per_second: float = 1000) -> Ticker:
        sender = self.sender(process, per_second=per_second)
        return Ticker(session_factory(self.engine), self.clock, sender)

    def tick(self) -> None:
        self.ticker()()

    def at(self, when: datetime) -> None:
        """Move the clock to `when` (never back) and tick."""
        assert when >= self.clock.now()
        self.clock.advance(seconds=(when - self.clock.now()).total_seconds())
        self.tick()

    def every_hour_until(self, when: datetime) -> None:
        while self.clock.now() + timedelta(hours=1) <= when:
            self.clock.advance(hours=1)
            self.tick()

    # -- the member's world
    def member(self, user: str = ALICE, tz: str = "Europe/Paris", **settings) -> Member:
        with Session(self.engine, expire_on_commit=False) as session:
            member = remember_member(
                session, team_id=TEAM_ID, user_id=user, tz=tz, clock=self.clock
            )
            member.last_seen_at = None  # set up long ago, not using the bot right now
            for name, value in settings.items():
                setattr(member, name, value)
            session.add(member)
            session.commit()
            return member

    def advisor(self, name: str, *, last_spoke_on: date, cadence: int = 30, owner=ALICE, **more):
        with Session(self.engine, expire_on_commit=False) as session:
            zone = ZoneInfo(session.exec(select(Member.tz).where(Member.user_id == owner)).one())
            advisor = board.enlist(
                session,
                team_id=TEAM_ID,
                owner_id=owner,
                person=Person(name=name, slack_user_id=more.pop("slack_user_id", None)),
                details=Details(cadence_days=cadence, **more),
                last_spoke_on=last_spoke_on,
                zone=zone,
                clock=self.clock,
            )
            session.commit()
            return advisor

    def promise(self, advisor, what: str, due_on: date, firmness="promise", owner=ALICE):
        with Session(self.engine, expire_on_commit=False) as session:
            zone = ZoneInfo(session.exec(select(Member.tz).where(Member.user_id == owner)).one())
            made = promises.make_promise(
                session,
                team_id=TEAM_ID,
                owner_id=owner,
                advisor_id=advisor.id,
                what=what,
                due_on=due_on,
                firmness=firmness,
                zone=zone,
                clock=self.clock,
            )
            session.commit()
            return made

    # -- what happened
    def dms(self, user: str = ALICE) -> list[dict]:
        """What the bot posted in the member's DM, but its welcome on their first use."""
        return [m for m in self.slack.posted("D" + user[1:]) if not is_welcome(m)]

    def nudges(self, user: str = ALICE) -> list[Nudge]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.exec(select(Nudge).where(Nudge.owner_id == user)))

    def deliveries(self, purpose: str = "nudge") -> list[Outbox]:
        """The outbox rows of a purpose (messages of nudges by default), oldest first."""
        with Session(self.engine, expire_on_commit=False) as session:
            query = select(Outbox).where(Outbox.purpose == purpose).order_by(Outbox.id)
            return list(session.exec(query))


def is_welcome(message: dict) -> bool:
    return message.get("text", "").startswith("Welcome to advisor-bot")


def text_of(message: dict) -> str:
    """Everything a person reads in a message: its blocks' texts."""
    parts = [message.get("text", "")]
    for block in message.get("blocks", []):
        if block.get("text"):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("type") == "mrkdwn":
                parts.append(element["text"])
    return "\n".join(parts)


def add_due_member(
    session, user: str, *, now: datetime, advisors: int = 1, digest=True, team_id: str = TEAM_ID
) -> None:
    """A member whose window is always open, with `advisors` due a stay-in-touch nudge since a
    day before `now`: bulk rows for the multi-process tests and the throughput benchmark."""
    session.add(
        Member(
            team_id=team_id,
            user_id=user,
            tz="UTC",
            nudge_days="0123456",
            nudge_start=0,
            nudge_end=1440,
            digest=digest,
            created_at=now,
            look_at=now - timedelta(days=1),  # what the tick set when it last planned them
        )
    )
    session.flush()
    due = now - timedelta(days=1)
    for n in range(advisors):
        session.add(
            Advisor(
                team_id=team_id,
                owner_id=user,
                name=f"Advisor {n}",
                cadence_days=30,
                last_touch_at=due - timedelta(days=30),
                next_touch_due_at=due,
                nudge_at=due,
                created_at=now,
                updated_at=now,
            )
        )
