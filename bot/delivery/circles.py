"""Peer-coaching circles' messages: the check-in in its channel, each challenge as its own
message, edits in place, the reminder halfway, the summary in the thread, follow-ups, learning
partners, and word to the owner. core/check_ins.py and core/circles.py decide what is put in the
outbox and when; this renders each row as things stand when its turn comes. A post the channel
refuses (the bot removed, the channel archived or gone) pauses the circle and tells its owner."""

from datetime import datetime

from sqlmodel import Session

from bot.delivery.purposes import Later, Nothing, Prepared, Purpose, Ready
from bot.views.circles import (
    build_challenge,
    build_check_in,
    build_check_in_closed,
    build_follow_up,
    build_met_question,
    build_missed,
    build_partners,
    build_paused,
    build_reminder,
    build_summary,
)
from core import check_ins, circles
from core.check_ins import Skip, Wait
from core.models import Circle, CircleState, Outbox

CHANNEL_FAULTS = {
    "not_in_channel",
    "is_archived",
    "channel_not_found",
    "restricted_action",
    "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel",
    "restricted_action_non_threadable_channel",
    "posting_to_channel_denied",
    "ekm_access_denied",
}


def _channel_refused(
    session: Session, *, row: Outbox, error: str, gone: bool, now: datetime
) -> list[int]:
    """The channel will not take the circle's posts (whether Slack says it is gone or only
    refuses the message): the circle pauses, its owner is told."""
    if error not in CHANNEL_FAULTS or not row.channel_id:
        return []
    return circles.pause_for_fault(
        session, team_id=row.team_id, channel_id=row.channel_id, fault=error, now=now
    )


def _summary_refused(
    session: Session, *, row: Outbox, error: str, gone: bool, now: datetime
) -> list[int]:
    """The summary could not be posted: the circle pauses (if the channel is at fault) and the
    check-in closes all the same."""
    paused = _channel_refused(session, row=row, error=error, gone=gone, now=now)
    return paused + check_ins.summary_refused(session, row=row, now=now)


def _live(circle: Circle | None) -> bool:
    return circle is not None and circle.state == CircleState.ACTIVE


def prepare_check_in(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    check_in = check_ins.check_in_of(session, row)
    if check_in is None:
        return Nothing("the check-in is gone")
    view = check_ins.view(session, check_in)
    if not _live(view.circle):
        return Nothing("the circle is paused or archived")
    if now >= check_in.closes_at:
        check_ins.missed_late(session, check_in=check_in, now=now)  # the owner is told
        return Nothing("its window passed before it could be posted")
    return Ready(build_check_in(view))


def prepare_challenge(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    challenge = check_ins.challenge_of(session, row)
    if challenge is None:
        return Nothing("the challenge is gone")
    if challenge.state != "shared":
        return Nothing("withdrawn before it was posted")
    circle = session.get(Circle, challenge.circle_id)
    return Ready(build_challenge(check_ins.as_shared(challenge), circle))


def prepare_replace(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    """A challenge edited or withdrawn (its latest version), or a check-in as it stands: its
    count of challenges shared, or closed."""
    challenge = check_ins.challenge_of(session, row)
    if challenge is not None:
        if challenge.ts is None:
            return Nothing("not posted yet: it goes out as it is now")
        if challenge.version != row.payload.get("version"):
            return Nothing("changed again since: the later change replaces it")
        circle = session.get(Circle, challenge.circle_id)
        return Ready(build_challenge(check_ins.as_shared(challenge), circle), replace=challenge.ts)
    check_in = check_ins.check_in_of(session, row)
    if check_in is None or check_in.ts is None:
        return Nothing("the message is gone")
    view = check_ins.view(session, check_in)
    shown = build_check_in(view) if check_in.state == "open" else build_check_in_closed(view)
    return Ready(shown, replace=check_in.ts)


def _not_now(decided) -> Prepared | None:
    """Core's Skip or Wait, as the sender hears it (None: it goes now)."""
    if isinstance(decided, Skip):
        return Nothing(decided.why)
    if isinstance(decided, Wait):
        return Later(decided.at, decided.why)
    return None


def prepare_reminder(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    decided = check_ins.reminder(session, row=row, now=now)
    return _not_now(decided) or Ready(build_reminder(decided.circle, decided.check_in))


def prepare_summary(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    check_in = check_ins.check_in_of(session, row)
    if check_in is None:
        return Nothing("the check-in is gone")
    if now < check_in.closes_at:
        return Later(check_in.closes_at, "the check-in is still open")
    return Ready(build_summary(check_ins.summary(session, check_in)))


def prepare_follow_up(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    decided = check_ins.follow_up(session, row=row, now=now)
    return _not_now(decided) or Ready(
        build_follow_up(decided, session.get(Circle, decided.circle_id))
    )


def prepare_partners(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    found = check_ins.pairing_of(session, row)
    if found is None:
        return Nothing("the pairing is gone")
    pairing, circle = found
    coming = circles.next_check_in(session, circle)
    return Ready(build_partners(circle, pairing.members.split(","), coming))


def prepare_met(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    found = check_ins.pairing_of(session, row)
    if found is None or found[0].met is not None:
        return Nothing("the pairing is gone, or they answered already")
    pairing, circle = found
    return Ready(build_met_question(circle, pairing.members.split(","), pairing_id=pairing.id))


def prepare_missed(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    found = check_ins.missed_view(session, row)
    if found is None:
        return Nothing("the check-in is gone")
    return Ready(build_missed(*found))


def prepare_paused(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    circle = circles.get(session, team_id=row.team_id, circle_id=row.payload.get("circle"))
    if circle is None or circle.state != CircleState.PAUSED:
        return Nothing("the circle was resumed or archived since")
    why = row.payload.get("why") or circle.paused_why or ""
    return Ready(build_paused(circle, why, str(row.payload.get("fault") or "")))


def occurrence(session: Session, *, schedule, occurrence: datetime, now: datetime) -> list[int]:
    return check_ins.occurrence(session, schedule=schedule, occurrence=occurrence, now=now)


def _check_in_posted(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    return check_ins.check_in_posted(session, row=row, now=now)


def _challenge_posted(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    return check_ins.challenge_posted(session, row=row, now=now)


def _summary_posted(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    return check_ins.summary_posted(session, row=row, now=now)


def _in_channel(name: str, prepare, **hooks) -> Purpose:
    return Purpose(name, prepare, failed=_channel_refused, **hooks)


PURPOSES = (
    Purpose(circles.CHECK_IN, prepare_check_in, scheduled=occurrence),  # schedules only
    _in_channel(check_ins.POST, prepare_check_in, posted=_check_in_posted),
    _in_channel(check_ins.CHALLENGE, prepare_challenge, posted=_challenge_posted),
    _in_channel(check_ins.REPLACE, prepare_replace),
    Purpose(check_ins.SUMMARY, prepare_summary, posted=_summary_posted, failed=_summary_refused),
    Purpose(check_ins.REMINDER, prepare_reminder),
    Purpose(check_ins.FOLLOW_UP, prepare_follow_up),
    Purpose(check_ins.PARTNERS, prepare_partners),
    Purpose(check_ins.MET, prepare_met),
    Purpose(check_ins.MISSED, prepare_missed),
    Purpose(circles.PAUSED, prepare_paused),
)
