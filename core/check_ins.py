"""A circle's check-ins, from the schedule's occurrence to the follow-up, all through the outbox
(each decision keyed once, so two processes never post anything twice):

    occurrence  -> the check-in is posted in the channel (or, after downtime past its window,
                   skipped and the owner told); challenges wanting more help are carried over
    posted      -> one reminder each, halfway, to members who neither shared nor are away
                   (inside their own window); the summary waits for the close; learning
                   partners from last time are asked "did you meet?"
    shared      -> the challenge is its own message, peers answer in its thread; replies are
                   counted from message events, and a reply from someone on the author's board
                   is a touchpoint with them (they gave)
    closes      -> the summary in the check-in's thread (challenges, reply counts, thanks), the
                   check-in marked closed in place, learning partners paired and introduced,
                   one follow-up per challenge before the next check-in

Nobody who did not share is ever named in the channel."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from core import circles, outbox, pairing, windows
from core.clock import StoppedClock
from core.db import insert_new
from core.errors import Invalid, NotYours
from core.members import known_zone
from core.models import (
    Advisor,
    AdvisorStatus,
    Challenge,
    ChallengeReply,
    ChallengeState,
    CheckIn,
    CheckInAway,
    CheckInState,
    Circle,
    CircleState,
    GivenBy,
    Medium,
    Member,
    Outbox,
    Outcome,
    Pairing,
)
from core.outbox import Skip, Target, Wait
from core.touchpoints import log_touchpoint
from core.typed import check_typed

# Outbox purposes (bot/delivery/circles.py renders each)
POST = "circle_checkin"  # the check-in, in the channel
MISSED = "circle_missed"  # to the owner: a check-in was skipped because the bot was down
CHALLENGE = "circle_challenge"  # a challenge, as its own message in the channel
REPLACE = "circle_replace"  # a challenge edited or withdrawn, or the check-in closed, in place
REMINDER = "circle_remind"  # the one DM halfway through
SUMMARY = "circle_summary"  # in the check-in's thread, at the close
FOLLOW_UP = "circle_follow_up"  # "How did it go with ...?"
PARTNERS = "circle_partners"  # the group DM introducing learning partners
MET = "circle_met"  # "did you meet?", at the next check-in

FOLLOW_UP_AFTER = timedelta(days=14)
BEFORE_NEXT = timedelta(days=1)  # a follow-up comes at least this long before the next check-in
MAX_TEXT = 3000
DEFAULT_WINDOW = (9 * 60, 17 * 60, frozenset(range(5)))  # someone who keeps no board: 9-5 weekdays


@dataclass(frozen=True)
class Shared:
    """A challenge as the channel sees it (the author only when not anonymous)."""

    id: int
    author_id: str | None
    text: str
    tried: str
    help_wanted: str
    withdrawn: bool
    replies: int = 0
    channel_id: str | None = None
    ts: str | None = None
    carried: bool = False  # brought back from an earlier check-in for more help


@dataclass(frozen=True)
class CheckInView:
    """What a check-in message shows."""

    check_in: CheckIn
    circle: Circle
    carried: list[Shared] = field(default_factory=list)
    shared: int = 0  # challenges shared so far (closed: in all)


@dataclass(frozen=True)
class Summary:
    check_in: CheckIn
    circle: Circle
    challenges: list[Shared]
    thanks: list[str]  # who replied to someone else's challenge


# --- the occurrence


def occurrence(session: Session, *, schedule, occurrence: datetime, now: datetime) -> list[int]:
    """The schedule's hook: the check-in for this occurrence, posted once; skipped with word to
    the owner when the bot was down for all of its window."""
    circle = circles.get(session, team_id=schedule.team_id, circle_id=_int(schedule.key))
    if circle is None or circle.state != CircleState.ACTIVE:
        return []
    closes_at = occurrence + timedelta(hours=circle.open_hours)
    missed = now >= closes_at
    values = {
        "circle_id": circle.id,
        "team_id": circle.team_id,
        "occurrence": occurrence,
        "closes_at": closes_at,
        "state": CheckInState.MISSED if missed else CheckInState.OPEN,
        "created_at": now,
    }
    check_in_id = insert_new(session, CheckIn, values, unique=["circle_id", "occurrence"])
    if check_in_id is None:
        return []
    if missed:
        return _tell_missed(session, circle, check_in_id, now=now)
    _carry_over(session, circle, check_in_id, now=now)
    posted = outbox.enqueue(
        session,
        team_id=circle.team_id,
        purpose=POST,
        key=str(check_in_id),
        target=Target.conversation(circle.channel_id),
        payload={"check_in": check_in_id},
        now=now,
    )
    return [posted] if posted else []


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _carry_over(session: Session, circle: Circle, check_in_id: int, *, now: datetime) -> None:
    """Challenges whose authors want more help come back at this check-in (once)."""
    session.execute(
        update(Challenge)
        .where(
            Challenge.circle_id == circle.id,
            Challenge.outcome == Outcome.MORE_HELP,
            col(Challenge.carried_to).is_(None),
            Challenge.state == ChallengeState.SHARED,
        )
        .values(carried_to=check_in_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def circle_of_check_in(session: Session, check_in_id: int) -> Circle:
    return session.get(Circle, session.get(CheckIn, check_in_id).circle_id)


def check_in_of(session: Session, row: Outbox) -> CheckIn | None:
    found = session.get(CheckIn, _int((row.payload or {}).get("check_in")) or -1)
    return found if found is not None and found.team_id == row.team_id else None


def view(session: Session, check_in: CheckIn) -> CheckInView:
    circle = session.get(Circle, check_in.circle_id)
    carried = select(Challenge).where(Challenge.carried_to == check_in.id).order_by(Challenge.id)
    shared = select(func.count()).where(
        Challenge.check_in_id == check_in.id, Challenge.state == ChallengeState.SHARED
    )
    return CheckInView(
        check_in=check_in,
        circle=circle,
        carried=[as_shared(c) for c in session.exec(carried)],
        shared=session.execute(shared).scalar_one(),
    )


def as_shared(challenge: Challenge, replies: int = 0, check_in: CheckIn | None = None) -> Shared:
    """A challenge as others see it; `carried` when it was brought back to `check_in`."""
    return Shared(
        carried=check_in is not None and challenge.carried_to == check_in.id,
        id=challenge.id,
        author_id=None if challenge.anonymous else challenge.author_id,
        text=challenge.text,
        tried=challenge.tried,
        help_wanted=challenge.help_wanted,
        withdrawn=challenge.state == ChallengeState.WITHDRAWN,
        replies=replies,
        channel_id=challenge.channel_id,
        ts=challenge.ts,
    )


def check_in_posted(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    """The check-in is in the channel: reminders wait for halfway, the summary for the close,
    and last time's learning partners are asked whether they met."""
    check_in = check_in_of(session, row)
    if check_in is None:
        return []
    check_in.channel_id, check_in.ts = row.channel_id, row.ts
    session.add(check_in)
    circle = session.get(Circle, check_in.circle_id)
    made = [
        _enqueue(
            session,
            circle,
            SUMMARY,
            str(check_in.id),
            Target.conversation(row.channel_id, row.ts),
            {"check_in": check_in.id},
            now=now,
            not_before=check_in.closes_at,
        )
    ]
    if circle.reminders:
        opened = max(check_in.occurrence, now)  # posted late (downtime): halfway from then
        halfway = opened + (check_in.closes_at - opened) / 2
        for user_id in circles.member_ids(session, circle_id=circle.id):
            made.append(
                _enqueue(
                    session,
                    circle,
                    REMINDER,
                    f"{check_in.id}:{user_id}",
                    Target.dm(user_id),
                    {"check_in": check_in.id, "user": user_id},
                    now=now,
                    not_before=halfway,
                    owner_id=user_id,
                )
            )
    made += _ask_whether_met(session, circle, check_in, now=now)
    return [m for m in made if m]


def _enqueue(
    session, circle, purpose, key, target, payload, *, now, not_before=None, owner_id=None
):
    return outbox.enqueue(
        session,
        team_id=circle.team_id,
        purpose=purpose,
        key=key,
        target=target,
        payload=payload,
        now=now,
        not_before=not_before,
        owner_id=owner_id,
    )


def open_now(session: Session, *, circle_id: int) -> CheckIn | None:
    """The circle's check-in open now (posted, its summary not yet), if any."""
    query = select(CheckIn).where(
        CheckIn.circle_id == circle_id,
        CheckIn.state == CheckInState.OPEN,
        col(CheckIn.ts).is_not(None),
    )
    return session.exec(query.order_by(col(CheckIn.occurrence).desc())).first()


def last_closed(session: Session, *, circle_id: int) -> CheckIn | None:
    """The circle's latest check-in whose summary is posted."""
    query = (
        select(CheckIn)
        .where(CheckIn.circle_id == circle_id, CheckIn.state == CheckInState.CLOSED)
        .order_by(col(CheckIn.occurrence).desc())
    )
    return session.exec(query).first()


def missed_view(session: Session, row: Outbox) -> tuple[Circle, CheckIn] | None:
    check_in = check_in_of(session, row)
    return (session.get(Circle, check_in.circle_id), check_in) if check_in else None


# --- sharing and being away


def open_check_in(session: Session, *, team_id: str, check_in_id: int | None, now: datetime):
    """The check-in, if it is still open; Invalid (fit to show) otherwise."""
    check_in = session.get(CheckIn, check_in_id) if check_in_id else None
    if check_in is None or check_in.team_id != team_id:
        raise Invalid("That check-in is not one I know.")
    if check_in.state != CheckInState.OPEN or now >= check_in.closes_at:
        raise Invalid("This check-in is closed: bring your challenge to the next one.")
    circle = session.get(Circle, check_in.circle_id)
    if circle.state != CircleState.ACTIVE:
        raise Invalid(
            "This circle is paused or archived, so its check-in takes no more answers. "
            "Nothing was saved."
        )
    return check_in


def _checked_text(text: str, tried: str, help_wanted: str) -> tuple[str, str, str]:
    values = {"challenge": text.strip(), "tried": tried.strip(), "help": help_wanted.strip()}
    for name, value in values.items():
        check_typed(name, value)
        if len(value) > MAX_TEXT:
            raise Invalid(f"Keep it to {MAX_TEXT} characters.", field=name)
    if not values["challenge"]:
        raise Invalid("Say what the challenge is: a sentence is enough.", field="challenge")
    return values["challenge"], values["tried"], values["help"]


def share(
    session: Session,
    *,
    team_id: str,
    check_in_id: int | None,
    author_id: str,
    text: str,
    tried: str = "",
    help_wanted: str = "",
    anonymous: bool = False,
    now: datetime,
) -> tuple[Challenge, list[int]]:
    """A member brings a challenge to an open check-in: posted as its own message."""
    text, tried, help_wanted = _checked_text(text, tried, help_wanted)
    check_in = open_check_in(session, team_id=team_id, check_in_id=check_in_id, now=now)
    circle = session.get(Circle, check_in.circle_id)
    if not circles.is_member(session, circle_id=circle.id, user_id=author_id):
        raise NotInCircle(circle)
    challenge = Challenge(
        team_id=team_id,
        circle_id=circle.id,
        check_in_id=check_in.id,
        author_id=author_id,
        anonymous=anonymous and circle.anonymous,
        text=text,
        tried=tried,
        help_wanted=help_wanted,
        created_at=now,
        updated_at=now,
    )
    session.add(challenge)
    session.flush()
    _not_away(session, check_in.id, author_id)
    made = _enqueue(
        session,
        circle,
        CHALLENGE,
        str(challenge.id),
        Target.conversation(circle.channel_id),
        {"challenge": challenge.id},
        now=now,
    )
    counted = _recount(session, circle, check_in, f"{challenge.id}:{challenge.version}", now=now)
    return challenge, [m for m in (made, counted) if m]


def _recount(session: Session, circle: Circle, check_in: CheckIn, why: str, *, now) -> int | None:
    """The check-in message shows how many challenges are shared (never by whom): updated in
    place after each share or withdrawal, rendered as things stand when it goes."""
    if check_in.ts is None:
        return None
    return _enqueue(
        session,
        circle,
        REPLACE,
        f"check_in:{check_in.id}:after:{why}",
        Target.conversation(check_in.channel_id),
        {"check_in": check_in.id},
        now=now,
    )


class NotInCircle(LookupError):
    """Someone who is not in the circle pressed one of its buttons."""

    def __init__(self, circle: Circle):
        super().__init__(f"You are not in the circle “{circle.name}” yet.")
        self.circle = circle


def own_challenge(session: Session, *, team_id: str, challenge_id, author_id: str) -> Challenge:
    """The author's own challenge (NotYours for anyone else's, whatever the id says)."""
    challenge = session.get(Challenge, _int(challenge_id) or -1)
    if challenge is None or challenge.team_id != team_id or challenge.author_id != author_id:
        raise NotYours("challenge")
    return challenge


def edit(
    session: Session,
    *,
    team_id: str,
    challenge_id,
    author_id: str,
    text: str,
    tried: str = "",
    help_wanted: str = "",
    now: datetime,
) -> list[int]:
    """The author changes their challenge: its message is updated in place."""
    text, tried, help_wanted = _checked_text(text, tried, help_wanted)
    challenge = own_challenge(
        session, team_id=team_id, challenge_id=challenge_id, author_id=author_id
    )
    if challenge.state == ChallengeState.WITHDRAWN:
        raise Invalid("This challenge was withdrawn, so it can't be changed.")
    challenge.text, challenge.tried, challenge.help_wanted = text, tried, help_wanted
    return _replace_challenge(session, challenge, now=now)


def withdraw(
    session: Session, *, team_id: str, challenge_id, author_id: str, now: datetime
) -> list[int]:
    """The author takes their challenge back: its message says so (its text is gone)."""
    challenge = own_challenge(
        session, team_id=team_id, challenge_id=challenge_id, author_id=author_id
    )
    if challenge.state == ChallengeState.WITHDRAWN:
        return []
    challenge.state = ChallengeState.WITHDRAWN
    made = _replace_challenge(session, challenge, now=now)
    check_in = session.get(CheckIn, challenge.check_in_id)
    if check_in.state == CheckInState.OPEN:
        circle = session.get(Circle, challenge.circle_id)
        why = f"{challenge.id}:{challenge.version}"
        made += [m for m in [_recount(session, circle, check_in, why, now=now)] if m]
    return made


def _replace_challenge(session: Session, challenge: Challenge, *, now: datetime) -> list[int]:
    challenge.version += 1
    challenge.updated_at = now
    session.add(challenge)
    session.flush()
    if challenge.ts is None:  # not posted yet: it goes out as it is now
        return []
    circle = session.get(Circle, challenge.circle_id)
    made = _enqueue(
        session,
        circle,
        REPLACE,
        f"challenge:{challenge.id}:{challenge.version}",
        Target.conversation(challenge.channel_id),
        {"challenge": challenge.id, "version": challenge.version},
        now=now,
    )
    return [made] if made else []


def challenge_of(session: Session, row: Outbox) -> Challenge | None:
    found = session.get(Challenge, _int((row.payload or {}).get("challenge")) or -1)
    return found if found is not None and found.team_id == row.team_id else None


def challenge_posted(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    """The challenge's message is in the channel: its thread is where peers answer."""
    challenge = challenge_of(session, row)
    if challenge is not None:
        challenge.channel_id, challenge.ts = row.channel_id, row.ts
        session.add(challenge)
    return []


def away(session: Session, *, team_id: str, check_in_id, user_id: str, now: datetime) -> bool:
    """The member is away this time: no reminder, no learning partner. False if said before."""
    check_in = open_check_in(session, team_id=team_id, check_in_id=_int(check_in_id), now=now)
    circle = session.get(Circle, check_in.circle_id)
    if not circles.is_member(session, circle_id=circle.id, user_id=user_id):
        raise NotInCircle(circle)
    if has_shared(session, check_in_id=check_in.id, user_id=user_id):
        raise Invalid(SHARED_NOT_AWAY)
    values = {"check_in_id": check_in.id, "team_id": team_id, "user_id": user_id, "at": now}
    return insert_new(session, CheckInAway, values, unique=["check_in_id", "user_id"]) is not None


def _not_away(session: Session, check_in_id: int, user_id: str) -> None:
    """Sharing after saying away: they are here after all."""
    for row in session.exec(
        select(CheckInAway).where(
            CheckInAway.check_in_id == check_in_id, CheckInAway.user_id == user_id
        )
    ):
        session.delete(row)


SHARED_NOT_AWAY = (
    "You've shared a challenge this time, so you're in (and you'll get a learning partner if "
    "the circle has them). To take it back, use Withdraw in its ⋯ menu."
)


def has_shared(session: Session, *, check_in_id: int, user_id: str) -> bool:
    shared = select(Challenge.id).where(
        Challenge.check_in_id == check_in_id,
        Challenge.author_id == user_id,
        Challenge.state == ChallengeState.SHARED,
    )
    return session.exec(shared).first() is not None


def answered(session: Session, *, check_in_id: int, user_id: str) -> bool:
    """Shared a challenge or said they are away."""
    away_ = select(CheckInAway.id).where(
        CheckInAway.check_in_id == check_in_id, CheckInAway.user_id == user_id
    )
    return (
        has_shared(session, check_in_id=check_in_id, user_id=user_id)
        or session.exec(away_).first() is not None
    )


# --- the reminder


@dataclass(frozen=True)
class Remind:
    check_in: CheckIn
    circle: Circle


def reminder(session: Session, *, row: Outbox, now: datetime) -> Remind | Wait | Skip:
    """Whether the halfway reminder goes to this member now: only while the check-in is open,
    only if they neither shared nor said they are away, only with reminders on (the circle's
    and their own), and only inside their own window."""
    check_in = check_in_of(session, row)
    user_id = (row.payload or {}).get("user") or row.target_user
    if check_in is None or check_in.state != CheckInState.OPEN or now >= check_in.closes_at:
        return Skip("the check-in is closed")
    circle = session.get(Circle, check_in.circle_id)
    member = circles.membership(session, circle_id=circle.id, user_id=user_id)
    if circle.state != CircleState.ACTIVE or not circle.reminders:
        return Skip("the circle sends no reminders now")
    if member is None or not member.reminders:
        return Skip("not in the circle, or turned circle reminders off")
    if answered(session, check_in_id=check_in.id, user_id=user_id):
        return Skip("shared a challenge or said they are away")
    opening = window_opening(session, team_id=row.team_id, user_id=user_id, tz=member.tz, now=now)
    if opening is None or opening >= check_in.closes_at:
        return Skip("their window does not open before the check-in closes")
    if opening > now:
        return Wait(opening, "outside their window")
    return Remind(check_in, circle)


def window_opening(
    session: Session, *, team_id: str, user_id: str, tz: str, now: datetime
) -> datetime | None:
    """When this person's nudge window is next open (their own, if they keep a board; else
    weekdays 9 to 5 where Slack says they are)."""
    member = session.exec(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    ).first()
    if member is None:
        start, end, days = DEFAULT_WINDOW
        member = Member(
            team_id=team_id,
            user_id=user_id,
            tz=known_zone(tz),
            nudge_start=start,
            nudge_end=end,
            nudge_days="".join(map(str, sorted(days))),
        )
    return windows.next_opening(member, now)


# --- replies in challenges' threads


def reply(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    thread_ts: str,
    user_id: str,
    ts: str,
    now: datetime,
) -> bool:
    """A message in a thread: if it answers a challenge, it is counted (once), and if its writer
    is on the author's board, it is a touchpoint with them (they gave), once per challenge."""
    challenge = session.exec(
        select(Challenge).where(
            Challenge.team_id == team_id,
            Challenge.channel_id == channel_id,
            Challenge.ts == thread_ts,
        )
    ).first()
    if challenge is None or user_id == challenge.author_id:
        return False
    values = {
        "challenge_id": challenge.id,
        "team_id": team_id,
        "user_id": user_id,
        "ts": ts,
        "at": now,
    }
    if insert_new(session, ChallengeReply, values, unique=["challenge_id", "ts"]) is None:
        return False
    earlier = select(func.count()).where(
        ChallengeReply.challenge_id == challenge.id, ChallengeReply.user_id == user_id
    )
    if session.execute(earlier).scalar_one() == 1:
        _touchpoint(session, challenge, user_id, now=now)
    return True


def _touchpoint(session: Session, challenge: Challenge, user_id: str, *, now: datetime) -> None:
    advisor = session.exec(
        select(Advisor).where(
            Advisor.team_id == challenge.team_id,
            Advisor.owner_id == challenge.author_id,
            Advisor.slack_user_id == user_id,
            Advisor.status == AdvisorStatus.ACTIVE,
        )
    ).first()
    if advisor is None:
        return
    log_touchpoint(
        session,
        team_id=challenge.team_id,
        owner_id=challenge.author_id,
        advisor_id=advisor.id,
        clock=StoppedClock(now),
        how=Medium.MESSAGE,
        given_by=GivenBy.THEM,
        note=f"Replied to your circle challenge: {challenge.text[:200]}",
    )


def helper_to_enlist(session: Session, challenge: Challenge) -> str | None:
    """The first to reply in the challenge's thread who is not on its author's board yet."""
    on_board = select(Advisor.slack_user_id).where(
        Advisor.team_id == challenge.team_id,
        Advisor.owner_id == challenge.author_id,
        col(Advisor.slack_user_id).is_not(None),
    )
    query = (
        select(ChallengeReply.user_id)
        .where(
            ChallengeReply.challenge_id == challenge.id,
            col(ChallengeReply.user_id).not_in(on_board),
        )
        .order_by(ChallengeReply.id)
    )
    return session.exec(query).first()


def reply_deleted(session: Session, *, team_id: str, channel_id: str, ts: str) -> bool:
    """A reply was deleted: it no longer counts."""
    found = session.exec(
        select(ChallengeReply)
        .join(Challenge, col(Challenge.id) == ChallengeReply.challenge_id)
        .where(
            ChallengeReply.team_id == team_id,
            ChallengeReply.ts == ts,
            Challenge.channel_id == channel_id,
        )
    ).first()
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True


# --- the close: summary, closed in place, partners, follow-ups


def summary(session: Session, check_in: CheckIn) -> Summary:
    """The check-in's challenges (those shared at it, and those brought back to it for more
    help) with the replies they drew during it, and who replied."""
    circle = session.get(Circle, check_in.circle_id)
    query = (
        select(Challenge)
        .where(
            or_(Challenge.check_in_id == check_in.id, Challenge.carried_to == check_in.id),
            Challenge.state == ChallengeState.SHARED,
        )
        .order_by(Challenge.id)
    )
    found = list(session.exec(query))
    since = check_in.occurrence
    counts = _reply_counts(session, [c.id for c in found], since=since)
    thanks = select(ChallengeReply.user_id, func.min(ChallengeReply.id)).where(
        col(ChallengeReply.challenge_id).in_([c.id for c in found]), ChallengeReply.at >= since
    )
    thanked = session.execute(
        thanks.group_by(ChallengeReply.user_id).order_by(func.min(ChallengeReply.id))
    )
    return Summary(
        check_in=check_in,
        circle=circle,
        challenges=[as_shared(c, counts.get(c.id, 0), check_in=check_in) for c in found],
        thanks=[row[0] for row in thanked],
    )


def _reply_counts(session: Session, challenge_ids: list[int], *, since) -> dict[int, int]:
    if not challenge_ids:
        return {}
    query = (
        select(ChallengeReply.challenge_id, func.count())
        .where(col(ChallengeReply.challenge_id).in_(challenge_ids), ChallengeReply.at >= since)
        .group_by(ChallengeReply.challenge_id)
    )
    return dict(session.execute(query).all())


def summary_posted(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    """The summary is in the thread: the check-in is closed (its message says so, in place),
    learning partners are paired, and each challenge gets its follow-up."""
    return _close(session, check_in_of(session, row), now=now, in_place=True)


def summary_refused(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    """The channel refused the summary (the bot removed, the channel archived): the check-in
    closes all the same, so its partners and follow-ups, which go by DM, still come."""
    return _close(session, check_in_of(session, row), now=now, in_place=False)


def _close(session: Session, check_in: CheckIn | None, *, now: datetime, in_place: bool):
    if check_in is None or check_in.state != CheckInState.OPEN:
        return []
    check_in.state, check_in.closed_at = CheckInState.CLOSED, now
    session.add(check_in)
    circle = session.get(Circle, check_in.circle_id)
    made = []
    if in_place:
        made.append(
            _enqueue(
                session,
                circle,
                REPLACE,
                f"check_in:{check_in.id}",
                Target.conversation(check_in.channel_id),
                {"check_in": check_in.id},
                now=now,
            )
        )
    if circle.partners and circle.state != CircleState.ARCHIVED:
        made += _pair(session, circle, check_in, now=now)
    made += _follow_ups(session, circle, check_in, now=now)
    return [m for m in made if m]


def missed_late(session: Session, *, check_in: CheckIn, now: datetime) -> list[int]:
    """A check-in whose post was held back (Slack asked to wait, the workspace's token was
    refused) until its window passed: skipped, and its owner told."""
    if check_in.state != CheckInState.OPEN or check_in.ts is not None:
        return []
    check_in.state = CheckInState.MISSED
    session.add(check_in)
    return _tell_missed(session, session.get(Circle, check_in.circle_id), check_in.id, now=now)


def _tell_missed(session: Session, circle: Circle, check_in_id: int, *, now) -> list[int]:
    """One DM to the circle's owner: this check-in was skipped, and why (none when the circle
    has no owner left: its last person asked to be forgotten, core/forget.py)."""
    if not circle.owner_id:
        return []
    told = _enqueue(
        session,
        circle,
        MISSED,
        str(check_in_id),
        Target.dm(circle.owner_id),
        {"check_in": check_in_id},
        now=now,
        owner_id=circle.owner_id,
    )
    return [told] if told else []


def _follow_ups(session: Session, circle: Circle, check_in: CheckIn, *, now: datetime) -> list[int]:
    """Fourteen days on, or a day before the next check-in if that is sooner (never before the
    close): one DM per challenge shared."""
    at = check_in.occurrence + FOLLOW_UP_AFTER
    coming = circles.next_check_in(session, circle)
    if coming is not None:
        at = min(at, coming - BEFORE_NEXT)
    at = max(at, now)
    query = select(Challenge).where(
        Challenge.check_in_id == check_in.id, Challenge.state == ChallengeState.SHARED
    )
    return [
        _enqueue(
            session,
            circle,
            FOLLOW_UP,
            str(challenge.id),
            Target.dm(challenge.author_id),
            {"challenge": challenge.id},
            now=now,
            not_before=at,
            owner_id=challenge.author_id,
        )
        for challenge in session.exec(query)
    ]


def follow_up(session: Session, *, row: Outbox, now: datetime) -> Challenge | Wait | Skip:
    """Whether the follow-up goes now: not once an outcome is given, nor for a withdrawn
    challenge; inside the author's window."""
    challenge = challenge_of(session, row)
    if challenge is None or challenge.state != ChallengeState.SHARED:
        return Skip("the challenge is gone or withdrawn")
    if challenge.outcome is not None:
        return Skip("its author said how it went already")
    member = circles.membership(session, circle_id=challenge.circle_id, user_id=challenge.author_id)
    tz = member.tz if member else "UTC"
    opening = window_opening(
        session, team_id=row.team_id, user_id=challenge.author_id, tz=tz, now=now
    )
    if opening is None:
        return Skip("no window to send it in")
    if opening > now:
        return Wait(opening, "outside their window")
    return challenge


def set_outcome(
    session: Session, *, team_id: str, challenge_id, author_id: str, outcome: str, now: datetime
) -> Challenge:
    """How it went: solved, still working, or want more help (brought back at the next
    check-in). The first answer stands; a second click changes nothing."""
    if outcome not in set(Outcome):
        raise Invalid("Solved, still working on it, or want more help.")
    challenge = own_challenge(
        session, team_id=team_id, challenge_id=challenge_id, author_id=author_id
    )
    if challenge.outcome is None:
        challenge.outcome, challenge.outcome_at, challenge.updated_at = outcome, now, now
        session.add(challenge)
        session.flush()
    return challenge


# --- learning partners


def _pair(session: Session, circle: Circle, check_in: CheckIn, *, now: datetime) -> list[int]:
    """Members not away this time, paired with no repeat until every pair has met; one group DM
    each (someone alone is told so, never left out silently)."""
    away_ = set(
        session.exec(select(CheckInAway.user_id).where(CheckInAway.check_in_id == check_in.id))
    )
    people = [u for u in circles.member_ids(session, circle_id=circle.id) if u not in away_]
    if not people:
        return []
    history = [
        row.split(",")
        for row in session.exec(
            select(Pairing.members).where(Pairing.circle_id == circle.id).order_by(Pairing.id)
        )
    ]
    found = pairing.pair(people, history, seed=check_in.id)
    made = []
    for group in [*found.groups, *((u,) for u in found.alone)]:
        values = {
            "circle_id": circle.id,
            "check_in_id": check_in.id,
            "team_id": circle.team_id,
            "members": ",".join(sorted(group)),
            "created_at": now,
        }
        pairing_id = insert_new(session, Pairing, values, unique=["check_in_id", "members"])
        if pairing_id is None:
            continue
        target = Target.dm(group[0]) if len(group) == 1 else Target.group_dm(group)
        made.append(
            _enqueue(
                session, circle, PARTNERS, str(pairing_id), target, {"pairing": pairing_id}, now=now
            )
        )
    return made


def _ask_whether_met(session: Session, circle: Circle, check_in: CheckIn, *, now) -> list[int]:
    """Last check-in's partners (pairs and trios, not someone alone) are asked "did you meet?"."""
    previous = session.exec(
        select(CheckIn.id)
        .where(
            CheckIn.circle_id == circle.id,
            CheckIn.id != check_in.id,
            CheckIn.state == CheckInState.CLOSED,
        )
        .order_by(col(CheckIn.occurrence).desc())
    ).first()
    if previous is None:
        return []
    query = select(Pairing).where(Pairing.check_in_id == previous, col(Pairing.met).is_(None))
    return [
        _enqueue(
            session,
            circle,
            MET,
            str(found.id),
            Target.group_dm(found.members.split(",")),
            {"pairing": found.id},
            now=now,
        )
        for found in session.exec(query)
        if "," in found.members
    ]


def pairing_of(session: Session, row: Outbox) -> tuple[Pairing, Circle] | None:
    found = session.get(Pairing, _int((row.payload or {}).get("pairing")) or -1)
    if found is None or found.team_id != row.team_id:
        return None
    return found, session.get(Circle, found.circle_id)


def partners_met(session: Session, *, team_id: str, pairing_id, user_id: str, met: bool) -> Pairing:
    """One of the partners says whether they met (any of them may answer; the last answer
    stands)."""
    found = session.get(Pairing, _int(pairing_id) or -1)
    if found is None or found.team_id != team_id or user_id not in found.members.split(","):
        raise NotYours("pairing")
    found.met = met
    session.add(found)
    session.flush()
    return found
