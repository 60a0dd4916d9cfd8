"""All tables of advisor-bot. Every row belongs to a workspace (team_id) and an owner."""

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite as on Postgres."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _timestamp(*, nullable: bool = False):
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))


class RelationshipKind(StrEnum):
    SENIOR = "senior"
    PEER = "peer"
    JUNIOR = "junior"
    FAMILY_FRIEND = "family_friend"
    OTHER = "other"


class AdvisorStatus(StrEnum):
    ACTIVE = "active"
    ALUMNI = "alumni"


class Support(StrEnum):
    """What an advisor gives (Kram, 1985): career support first (with introductions, which
    practitioners add), then psychosocial support."""

    SPONSORSHIP = "sponsorship"
    COACHING = "coaching"
    EXPOSURE = "exposure"
    PROTECTION = "protection"
    STRETCH = "stretch"  # challenging assignments
    INTRODUCTIONS = "introductions"
    ROLE_MODEL = "role_model"
    ACCEPTANCE = "acceptance"  # acceptance and confirmation
    COUNSEL = "counsel"
    FRIENDSHIP = "friendship"


class Origin(StrEnum):
    """Where the member knows an advisor from: the social system they come from. Range, in
    the research, is how many distinct ones a board spans."""

    EMPLOYER = "employer"  # the member's current employer
    FORMER_EMPLOYER = "former_employer"
    SCHOOL = "school"
    ASSOCIATION = "association"  # a professional association
    COMMUNITY = "community"
    FAMILY = "family"
    ONLINE = "online"


class GoalKind(StrEnum):
    """Know thyself: where the member wants to be, what they build on, what they lack."""

    TWO_YEARS = "two_years"
    FIVE_YEARS = "five_years"
    STRENGTH = "strength"
    GAP = "gap"
    BALANCE = "balance"


class Medium(StrEnum):
    """How a touchpoint happened (a call, coffee...); not a Slack channel."""

    CALL = "call"
    COFFEE = "coffee"
    MESSAGE = "message"
    MEETING = "meeting"
    OTHER = "other"


class Exchange(StrEnum):
    """What a touchpoint exchanged: the value drivers of a professional relationship."""

    KNOWLEDGE = "knowledge"
    ADVICE = "advice"
    INTRODUCTION = "introduction"
    SUPPORT = "support"


class Firmness(StrEnum):
    """How the member said it: heard differently, nudged differently."""

    PROMISE = "promise"  # "I promise"
    TRY = "try"  # "I'll try"


class PromiseStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class PromiseChange(StrEnum):
    """One line of a promise's history."""

    MADE = "made"
    UPDATE = "update"  # a progress update ("show your work")
    RENEGOTIATED = "renegotiated"
    DONE = "done"
    DROPPED = "dropped"


class GivenBy(StrEnum):
    ME = "me"
    THEM = "them"
    BOTH = "both"


class Member(SQLModel, table=True):
    """A Slack user of the bot in one workspace; their time zone decides when nudges reach them."""

    __table_args__ = (
        UniqueConstraint("team_id", "user_id", name="uq_member_team_user"),
        Index("ix_member_look_at", "look_at", "team_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    tz: str = Field(default="UTC", max_length=64)
    created_at: datetime = _timestamp()
    # The nudge window, in the member's own time zone: which weekdays (0 is Monday), from when to
    # when (minutes after midnight), paused until a day, one message or one per item, at most
    # one delivery a day, a Monday preview of the week ahead.
    nudge_days: str = Field(default="01234", max_length=7)
    nudge_start: int = 9 * 60
    nudge_end: int = 17 * 60
    paused_until: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    digest: bool = True
    one_a_day: bool = True
    monday_preview: bool = False
    last_delivery_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    # When the tick next looks at the member: the first moment a nudge of theirs may be due and
    # their window open (None: nothing to look at). Only the tick writes it; anything else that
    # changes the member's board adds a Wakeup instead.
    look_at: datetime | None = _timestamp(nullable=True)
    last_seen_at: datetime | None = _timestamp(nullable=True)  # last used the bot
    # Why Slack refused the member's nudges for good (user_not_found...); cleared when they
    # use the bot again.
    unreachable: str | None = Field(default=None, max_length=40)
    reassess_months: int = 3  # the reassessment of the board comes this often; 0: never


class Advisor(SQLModel, table=True):
    """A person on a member's board, or among its alumni, with the cadence the member wants."""

    __table_args__ = (
        ForeignKeyConstraint(
            ["team_id", "owner_id"],
            ["member.team_id", "member.user_id"],
            name="fk_advisor_owner",
            ondelete="CASCADE",
        ),
        Index("ix_advisor_board", "team_id", "owner_id", "status", "next_touch_due_at"),
        Index("ix_advisor_due", "status", "next_touch_due_at"),
        Index("ix_advisor_owner_nudge", "team_id", "owner_id", "nudge_at"),
        Index(
            "uq_advisor_slack_member",
            "team_id",
            "owner_id",
            "slack_user_id",
            unique=True,
            sqlite_where=text("slack_user_id IS NOT NULL"),
            postgresql_where=text("slack_user_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_id: str = Field(max_length=32)
    slack_user_id: str | None = Field(default=None, max_length=32)
    tz: str | None = Field(default=None, max_length=64)
    name: str = Field(max_length=150)
    contact: str | None = Field(default=None, max_length=300)
    relationship: str = Field(default=RelationshipKind.PEER, max_length=20)
    inside_org: bool = True
    support: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    gains: str = Field(default="", max_length=3000)
    notes: str = Field(default="", max_length=3000)
    origin: str | None = Field(default=None, max_length=20)  # Origin; None: not known yet
    closeness: int | None = None  # 1 (acquaintance) to 4 (very close); None: not said
    cadence_days: int = 30
    status: str = Field(default=AdvisorStatus.ACTIVE, max_length=10)
    last_touch_at: datetime | None = _timestamp(nullable=True)
    # When the member said they last spoke, as they enlisted the advisor: where the rhythm
    # starts again should every touchpoint after it be deleted (None: not known, from before
    # it was kept).
    last_spoke_at: datetime | None = _timestamp(nullable=True)
    next_touch_due_at: datetime | None = _timestamp(nullable=True)
    snoozed_until: datetime | None = _timestamp(nullable=True)
    nudge_at: datetime | None = _timestamp(nullable=True)  # the next "stay in touch" decision
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Touchpoint(SQLModel, table=True):
    """A recorded contact with an advisor: when, how, what was exchanged and who gave it."""

    __table_args__ = (
        ForeignKeyConstraint(
            ["advisor_id"], ["advisor.id"], name="fk_touchpoint_advisor", ondelete="CASCADE"
        ),
        Index("ix_touchpoint_advisor_at", "advisor_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_id: str = Field(max_length=32)
    advisor_id: int
    at: datetime = _timestamp()
    how: str = Field(default=Medium.OTHER, max_length=20)
    exchanged: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    given_by: str = Field(default=GivenBy.BOTH, max_length=10)
    note: str = Field(default="", max_length=3000)
    message_link: str | None = Field(default=None, max_length=500)
    created_at: datetime = _timestamp()


class Promise(SQLModel, table=True):
    """Something the member said they would do for an advisor, by a day, firmly or not."""

    __table_args__ = (
        ForeignKeyConstraint(
            ["advisor_id"], ["advisor.id"], name="fk_promise_advisor", ondelete="CASCADE"
        ),
        Index("ix_promise_owner", "team_id", "owner_id", "status", "due_at"),
        Index("ix_promise_due", "status", "due_at"),
        Index("ix_promise_owner_nudge", "team_id", "owner_id", "nudge_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_id: str = Field(max_length=32)
    advisor_id: int
    what: str = Field(max_length=500)
    firmness: str = Field(default=Firmness.PROMISE, max_length=10)
    status: str = Field(default=PromiseStatus.OPEN, max_length=10)
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    original_due_on: date = Field(sa_column=Column(Date, nullable=False))
    due_at: datetime = _timestamp()  # when due_on is over where the member is
    renegotiations: int = 0
    last_update_at: datetime | None = _timestamp(nullable=True)
    closed_at: datetime | None = _timestamp(nullable=True)
    nudge_at: datetime | None = _timestamp(nullable=True)  # the next "show your work" decision
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class PromiseEvent(SQLModel, table=True):
    """A change to a promise, kept for good: made, progress update, renegotiated, done, dropped."""

    __table_args__ = (
        ForeignKeyConstraint(
            ["promise_id"], ["promise.id"], name="fk_promise_event_promise", ondelete="CASCADE"
        ),
        Index("ix_promise_event_promise", "promise_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    promise_id: int
    at: datetime = _timestamp()
    change: str = Field(max_length=20)
    text: str = Field(default="", max_length=3000)
    old_due_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    old_due_at: datetime | None = _timestamp(nullable=True)  # when the old date was over
    new_due_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    sent_to_advisor: bool = False
    told_them: bool | None = None


class NudgeKind(StrEnum):
    TOUCH = "touch"  # stay in touch: the cadence has passed
    TOUCH_OVERDUE = "touch_overdue"  # still quiet half a cadence later: the one escalation
    PROMISE_SOON = "promise_soon"  # a few days before the due date
    PROMISE_DUE = "promise_due"  # on the due date
    PROMISE_STALLED = "promise_stalled"  # far out, and no progress update for 10 days
    PROMISE_LATE = "promise_late"  # past its date and still open: in the next window
    PROMISE_LATE_AGAIN = "promise_late_again"  # still open a week later: the last one
    PREVIEW = "preview"  # Monday: the week ahead


class Nudge(SQLModel, table=True):
    """One nudge ever decided: claimed once for good by its unique key, whatever process or
    retry decides it again; what the member did with it is kept."""

    __table_args__ = (
        UniqueConstraint(
            "team_id", "owner_id", "kind", "subject_id", "cycle", name="uq_nudge_decision"
        ),
        ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name="fk_nudge_outbox", ondelete="CASCADE"
        ),
        Index("ix_nudge_outbox", "outbox_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_id: str = Field(max_length=32)
    kind: str = Field(max_length=20)
    subject_id: int  # an advisor's, a promise's or (a preview) its schedule's id
    cycle: str = Field(max_length=40)  # which due cycle of the subject this nudge is for
    outbox_id: int  # the message that carries it
    outcome: str | None = Field(default=None, max_length=20)  # what the member did with it
    outcome_text: str = Field(default="", max_length=300)
    created_at: datetime = _timestamp()


class OutboxState(StrEnum):
    PENDING = "pending"  # waiting for its next try (next_try_at)
    SENDING = "sending"  # a process holds its lease (next_try_at is when the lease runs out)
    SENT = "sent"
    SKIPPED = "skipped"  # nothing in it was left to say when its turn came
    REFUSED = "refused"  # Slack says the target cannot receive (they left, an archived channel)
    FAILED = "failed"  # out of attempts, or a message Slack rejects: last_error says why


class Outbox(SQLModel, table=True):
    """A message the bot posts on its own (a nudge, an update sent on, a notice...): one row per
    decision, unique on (workspace, purpose, key), sent exactly once by whichever process takes
    it; where it went and why it did not are kept."""

    __table_args__ = (
        UniqueConstraint("team_id", "purpose", "key", name="uq_outbox_decision"),
        Index("ix_outbox_next_try", "next_try_at"),
        Index("ix_outbox_message", "team_id", "owner_id", "channel_id", "ts"),
        Index("ix_outbox_owner_sent", "team_id", "owner_id", "sent_at"),
        Index("ix_outbox_state", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    purpose: str = Field(max_length=20)  # which module renders it (bot/delivery/)
    key: str = Field(max_length=200)  # the decision, unique within its purpose
    owner_id: str | None = Field(default=None, max_length=32)  # the member whose record it is
    # The target: a DM with target_user, or a conversation (channel_id), or a thread in it.
    target_user: str | None = Field(default=None, max_length=32)
    channel_id: str | None = Field(default=None, max_length=32)  # a DM's, once opened
    thread_ts: str | None = Field(default=None, max_length=32)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default=OutboxState.PENDING, max_length=10)
    not_before: datetime = _timestamp()
    next_try_at: datetime | None = _timestamp(nullable=True)  # None once sent, skipped, failed
    claimed_by: str | None = Field(default=None, max_length=40)  # the last process to take it
    attempts: int = 0  # failed attempts: Slack errors, render errors
    # A post went out (at post_tried_at) whose answer never came: before posting again, look
    # for it in Slack around that moment.
    may_be_posted: bool = False
    post_tried_at: datetime | None = _timestamp(nullable=True)
    last_error: str | None = Field(default=None, max_length=200)
    ts: str | None = Field(default=None, max_length=32)  # the message, once posted
    sent_at: datetime | None = _timestamp(nullable=True)
    ended_at: datetime | None = _timestamp(nullable=True)  # sent, skipped or failed
    created_at: datetime = _timestamp()


class Workspace(SQLModel, table=True):
    """A Slack workspace's sending state: Slack asked to wait (a long Retry-After), its token
    was refused (nothing is sent until a check with Slack says it works again), or the app was
    uninstalled (nothing is sent, and its data goes at `delete_after` unless it is reinstalled)."""

    team_id: str = Field(primary_key=True, max_length=32)
    hold_until: datetime | None = _timestamp(nullable=True)
    token_error: str | None = Field(default=None, max_length=40)
    check_at: datetime | None = _timestamp(nullable=True)  # when to ask Slack again
    checks: int = 0  # failed checks in a row, for the back-off
    updated_at: datetime = _timestamp()
    installed_at: datetime | None = _timestamp(nullable=True)  # the latest OAuth install
    uninstalled_at: datetime | None = _timestamp(nullable=True)  # set: nothing is sent
    delete_after: datetime | None = _timestamp(nullable=True)  # its data goes then


class DmChannel(SQLModel, table=True):
    """The id of the bot's DM with a person, as conversations.open gave it, so it is opened once."""

    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    channel_id: str = Field(max_length=32)


class Wakeup(SQLModel, table=True):
    """Something of a member's changed: the tick plans them on its next run. Only ever inserted
    by requests (never updated), so a request never waits on a lock the tick holds."""

    __table_args__ = (Index("ix_wakeup_owner", "team_id", "owner_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_id: str = Field(max_length=32)
    at: datetime = _timestamp()


class Schedule(SQLModel, table=True):
    """A recurring rule in a time zone (weekly on some days, every N weeks, monthly on a day or
    the Nth weekday, quarterly) with its next occurrence stored, so due ones are found by index."""

    __table_args__ = (
        UniqueConstraint("team_id", "purpose", "key", name="uq_schedule_key"),
        Index("ix_schedule_next", "next_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    purpose: str = Field(max_length=20)  # what an occurrence is for: "preview", "circle"...
    key: str = Field(max_length=100)  # whose or which, unique within the purpose
    owner_id: str | None = Field(default=None, max_length=32)
    freq: str = Field(max_length=10)  # "weekly" or "monthly"
    every: int = 1  # every N weeks, or N months (3: quarterly)
    weekdays: str = Field(default="", max_length=7)  # weekly: "03" is Monday and Thursday
    month_day: int | None = None  # monthly: the day (1-28), or -1 for the last day
    nth: int | None = None  # monthly: the Nth (1-4, -1 last) `weekday`
    weekday: int | None = None
    minute: int = 9 * 60  # the time of day, in minutes after midnight, where `tz` is
    tz: str = Field(default="UTC", max_length=64)
    starts_on: date = Field(sa_column=Column(Date, nullable=False))  # counts the N from here
    next_at: datetime | None = _timestamp(nullable=True)  # the next occurrence not yet claimed
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class SeenEvent(SQLModel, table=True):
    """An Events API delivery already handled: Slack retries it, the bot acts once."""

    event_id: str = Field(primary_key=True, max_length=40)
    seen_at: datetime = _timestamp()


class CircleState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # no check-ins until its owner or facilitator resumes it
    ARCHIVED = "archived"  # ended for good; its history is kept


class Circle(SQLModel, table=True):
    """A peer-coaching circle in one channel: who runs it and how its check-ins go. When they
    fall is its Schedule (purpose "circle", key the circle's id). One live circle per channel."""

    __table_args__ = (
        Index(
            "uq_circle_channel",
            "team_id",
            "channel_id",
            unique=True,
            sqlite_where=text("state != 'archived'"),
            postgresql_where=text("state != 'archived'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    name: str = Field(max_length=80)
    owner_id: str = Field(max_length=32)  # who set it up
    facilitator_id: str | None = Field(default=None, max_length=32)
    open_hours: int = 48  # how long a check-in stays open
    anonymous: bool = False  # challenges may be shared without a name
    partners: bool = False  # learning partners paired at each check-in
    reminders: bool = True  # one DM halfway through to members who have not answered
    state: str = Field(default=CircleState.ACTIVE, max_length=10)
    paused_why: str | None = Field(default=None, max_length=200)
    pauses: int = 0  # times it was paused by a fault (keys the one DM to its owner)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class CircleMember(SQLModel, table=True):
    """A person in a circle (left_at set once they leave it or its channel)."""

    __table_args__ = (
        UniqueConstraint("circle_id", "user_id", name="uq_circle_member"),
        ForeignKeyConstraint(
            ["circle_id"], ["circle.id"], name="fk_circle_member_circle", ondelete="CASCADE"
        ),
        Index("ix_circle_member_user", "team_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    tz: str = Field(default="UTC", max_length=64)  # from Slack: their window, if not a member
    reminders: bool = True  # the member's own choice: circle reminders by DM
    joined_at: datetime = _timestamp()
    left_at: datetime | None = _timestamp(nullable=True)


class CheckInState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # its summary is posted in its thread
    MISSED = "missed"  # the bot was down for all of its window: skipped, the owner told


class CheckIn(SQLModel, table=True):
    """One occurrence of a circle's check-in: posted once in its channel, open until closes_at."""

    __table_args__ = (
        UniqueConstraint("circle_id", "occurrence", name="uq_check_in_occurrence"),
        ForeignKeyConstraint(
            ["circle_id"], ["circle.id"], name="fk_check_in_circle", ondelete="CASCADE"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int
    team_id: str = Field(max_length=32)
    occurrence: datetime = _timestamp()  # when the schedule said it falls
    closes_at: datetime = _timestamp()
    state: str = Field(default=CheckInState.OPEN, max_length=10)
    channel_id: str | None = Field(default=None, max_length=32)  # once posted
    ts: str | None = Field(default=None, max_length=32)
    closed_at: datetime | None = _timestamp(nullable=True)
    created_at: datetime = _timestamp()


class CheckInAway(SQLModel, table=True):
    """A member said they are away for one check-in: no reminder, no learning partner."""

    __table_args__ = (
        UniqueConstraint("check_in_id", "user_id", name="uq_check_in_away"),
        ForeignKeyConstraint(
            ["check_in_id"], ["checkin.id"], name="fk_away_check_in", ondelete="CASCADE"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    check_in_id: int
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    at: datetime = _timestamp()


class ChallengeState(StrEnum):
    SHARED = "shared"
    WITHDRAWN = "withdrawn"


class Outcome(StrEnum):
    """How it went, as its author answered the follow-up."""

    SOLVED = "solved"
    WORKING = "working"  # still working on it
    MORE_HELP = "more_help"  # brought back at the next check-in


class Challenge(SQLModel, table=True):
    """A challenge a member brought to a check-in, posted as its own message in the channel so
    peers answer in its thread; anonymous ones never show their author (kept for edit, withdraw
    and the follow-up)."""

    __table_args__ = (
        ForeignKeyConstraint(
            ["check_in_id"], ["checkin.id"], name="fk_challenge_check_in", ondelete="CASCADE"
        ),
        Index("ix_challenge_check_in", "check_in_id", "author_id"),
        Index("ix_challenge_message", "team_id", "channel_id", "ts"),
        Index("ix_challenge_author", "team_id", "author_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    circle_id: int
    check_in_id: int
    author_id: str = Field(max_length=32)
    anonymous: bool = False
    text: str = Field(max_length=3000)
    tried: str = Field(default="", max_length=3000)
    help_wanted: str = Field(default="", max_length=3000)
    state: str = Field(default=ChallengeState.SHARED, max_length=10)
    version: int = 1  # each edit or withdrawal updates its message once (the outbox key)
    channel_id: str | None = Field(default=None, max_length=32)  # its message, once posted
    ts: str | None = Field(default=None, max_length=32)
    outcome: str | None = Field(default=None, max_length=10)
    outcome_at: datetime | None = _timestamp(nullable=True)
    carried_to: int | None = None  # the check-in it was brought back at ("want more help")
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class ChallengeReply(SQLModel, table=True):
    """A reply in a challenge's thread, from the message events (no history reads)."""

    __table_args__ = (
        UniqueConstraint("challenge_id", "ts", name="uq_challenge_reply"),
        ForeignKeyConstraint(
            ["challenge_id"], ["challenge.id"], name="fk_reply_challenge", ondelete="CASCADE"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    ts: str = Field(max_length=32)
    at: datetime = _timestamp()


class Pairing(SQLModel, table=True):
    """Learning partners for one check-in: two (or, with an odd count, three) members to meet
    one-to-one before the next; the history that keeps pairs from repeating."""

    __table_args__ = (
        UniqueConstraint("check_in_id", "members", name="uq_pairing"),
        ForeignKeyConstraint(
            ["check_in_id"], ["checkin.id"], name="fk_pairing_check_in", ondelete="CASCADE"
        ),
        Index("ix_pairing_circle", "circle_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int
    check_in_id: int
    team_id: str = Field(max_length=32)
    members: str = Field(max_length=120)  # user ids, sorted, comma-separated
    met: bool | None = None  # what they answered to "did you meet?"
    created_at: datetime = _timestamp()


class Goal(SQLModel, table=True):
    """One line of what the member wants (in two years, in five), builds on, lacks, balances."""

    __table_args__ = (
        ForeignKeyConstraint(
            ["team_id", "owner_id"],
            ["member.team_id", "member.user_id"],
            name="fk_goal_owner",
            ondelete="CASCADE",
        ),
        Index("ix_goal_owner", "team_id", "owner_id", "kind", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_id: str = Field(max_length=32)
    kind: str = Field(max_length=12)  # GoalKind
    text: str = Field(max_length=300)
    position: int = 0
    created_at: datetime = _timestamp()


class AdvisorGoal(SQLModel, table=True):
    """An advisor helps with one of the member's goals."""

    __table_args__ = (
        ForeignKeyConstraint(
            ["advisor_id"], ["advisor.id"], name="fk_advisor_goal_advisor", ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["goal_id"], ["goal.id"], name="fk_advisor_goal_goal", ondelete="CASCADE"
        ),
        Index("ix_advisor_goal_goal", "goal_id"),
    )

    advisor_id: int = Field(primary_key=True)
    goal_id: int = Field(primary_key=True)


class Reassessment(SQLModel, table=True):
    """A walk through the member's board, one advisor at a time, in one DM updated in place:
    still helping? keep, change the cadence, or ease aside; then who is missing."""

    __table_args__ = (
        UniqueConstraint("team_id", "owner_id", "occurrence", name="uq_reassessment"),
        ForeignKeyConstraint(
            ["team_id", "owner_id"],
            ["member.team_id", "member.user_id"],
            name="fk_reassessment_owner",
            ondelete="CASCADE",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_id: str = Field(max_length=32)
    occurrence: datetime = _timestamp()  # when its schedule said it falls
    advisor_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0  # the advisor being asked about (len(advisor_ids): who is missing?)
    state: str = Field(default="open", max_length=10)  # open, done
    channel_id: str | None = Field(default=None, max_length=32)  # its message, once posted
    ts: str | None = Field(default=None, max_length=32)
    finished_at: datetime | None = _timestamp(nullable=True)
    created_at: datetime = _timestamp()


class ReassessmentAnswer(SQLModel, table=True):
    """What the member decided about one advisor in a reassessment (kept for good)."""

    __table_args__ = (
        UniqueConstraint("reassessment_id", "advisor_id", name="uq_reassessment_answer"),
        ForeignKeyConstraint(
            ["reassessment_id"],
            ["reassessment.id"],
            name="fk_answer_reassessment",
            ondelete="CASCADE",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reassessment_id: int
    advisor_id: int
    answer: str = Field(max_length=12)  # keep, cadence, ease_aside
    cadence_days: int | None = None
    at: datetime = _timestamp()


class ImportState(StrEnum):
    READING = "reading"  # a file is being fetched from Slack and read
    READY = "ready"  # read and shown: waiting for the member to confirm
    APPLYING = "applying"  # being saved, a chunk of rows per transaction
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"  # it could not be read at all: `problem` says why


class BoardImport(SQLModel, table=True):
    """Advisors the member asked to import (a CSV pasted or uploaded, an export's JSON): what
    was read, each row's problems, the rows set aside, and how far saving got. Nothing is
    saved before the member confirms; then each chunk of rows moves `applied` in its own
    transaction, so a retry never adds a row twice. Discarded a day after it was read."""

    __table_args__ = (
        UniqueConstraint("team_id", "owner_id", "source_key", name="uq_import_source"),
        ForeignKeyConstraint(
            ["team_id", "owner_id"],
            ["member.team_id", "member.user_id"],
            name="fk_import_owner",
            ondelete="CASCADE",
        ),
        Index("ix_import_state", "state", "lease_until"),
        Index("ix_import_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_id: str = Field(max_length=32)
    source: str = Field(max_length=10)  # "paste" (the modal) or "file" (uploaded in the DM)
    source_key: str = Field(max_length=100)  # the Slack file's id, or the paste's request: once
    filename: str | None = Field(default=None, max_length=255)
    kind: str = Field(default="csv", max_length=10)  # csv, json (an export)
    state: str = Field(default=ImportState.READING, max_length=10)
    problem: str | None = Field(default=None, max_length=1000)  # why it could not be read
    text: str = Field(default="", max_length=3000)  # what was pasted, to edit it again
    rows: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    goals: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    problems: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    skipped: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    total: int = 0  # rows (advisors) read
    applied: int = 0  # of `rows`, how many are saved (each chunk moves it as it saves them)
    added: int = 0  # advisors added
    already: int = 0  # rows found on the board by the time they were saved: not added
    # The export's goal refs and the ids of the goals they became, once restored
    goal_ids: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    claimed_by: str | None = Field(default=None, max_length=40)  # who is saving it
    lease_until: datetime | None = _timestamp(nullable=True)  # anyone's to resume after this
    attempts: int = 0  # saves that failed (not for the database being away): FAILED at a few
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    finished_at: datetime | None = _timestamp(nullable=True)


# slack_sdk's installation and OAuth state stores (slack_sdk.oauth ...sqlalchemy), declared here
# so that migrations create them and the tests see every table; their columns are slack_sdk's.
# Tokens are stored encrypted (bot/install.py), so the token columns are Text, not String(200).
def _bot_columns(*, enterprise_url: bool = False) -> list:
    """The columns slack_sdk's installations and bots tables share (a bot token is in each)."""
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
        *([Column("enterprise_url", String(200))] if enterprise_url else []),
        Column("team_id", String(32)),
        Column("team_name", String(200)),
        Column("bot_token", Text),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", Text),
        Column("bot_token_expires_at", DateTime),
    ]


slack_installations = Table(
    "slack_installations",
    SQLModel.metadata,
    *_bot_columns(enterprise_url=True),
    Column("user_id", String(32), nullable=False),
    Column("user_token", Text),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", Text),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", Text),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)
slack_bots = Table(
    "slack_bots",
    SQLModel.metadata,
    *_bot_columns(),
    Column("is_enterprise_install", Boolean, nullable=False),
    Column("installed_at", DateTime, nullable=False),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)
slack_oauth_states = Table(
    "slack_oauth_states",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
    Index("slack_oauth_states_state", "state", unique=True),
)
