"""What several listeners share: a transaction per request, the member's day, the Home refresh,
telling the member something went nowhere, and sending a progress update on."""

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import event_dedup
from bot.views.board import Entry, build_home
from bot.views.elements import metadata
from bot.views.notices import build_notice
from bot.views.nudges import build_nudge_message
from bot.views.review import build_home_review
from bot.views.text import said
from core import board, first_use, forwarding, nudges, outbox, promises, windows
from core.db import row_id
from core.errors import Invalid, NotOnBoard, NotYours
from core.members import is_member, member_zone, remember_member
from core.models import AdvisorStatus, OutboxState
from core.nudge_contents import contents
from core.outbox import Target
from core.reviewing import review_of
from core.touchpoints import latest_touchpoints

log = logging.getLogger(__name__)


REPLAYED = (
    "Already done: this very request reached me twice, and I acted on it once. See my Home tab."
)


class Replayed(Exception):
    """A copy of a request whose write was made already (Slack accepts a signed request for
    five minutes): nothing more is written, and the person is told it was done."""


def once(session: Session, context: BoltContext, purpose: str) -> None:
    """Claim this request's `purpose` write in the write's own transaction; Replayed when a
    copy of the same signed bytes claimed it first. A new command typed or a button pressed
    again is a new request (Slack gives it a new trigger_id or action_ts): that is not a copy.
    Keys are kept a day (bot.event_dedup.forget_old, by the tick)."""
    key = context.get("request_key")
    if key and not event_dedup.claim(session, key=f"r:{key}:{purpose}", now=context["clock"].now()):
        raise Replayed(REPLAYED)


@contextmanager
def transaction(context: BoltContext) -> Iterator[Session]:
    """One session for this request; committed when the block ends, rolled back on an error."""
    with context["sessions"]() as session, session.begin():
        yield session


def refresh_member(client: WebClient, context: BoltContext) -> None:
    """Note the member and their time zone as Slack has it now; on their first use, send
    them the welcome."""
    profile = client.users_info(user=context.user_id)["user"]
    with transaction(context) as session:
        new = not is_member(session, team_id=context.team_id, user_id=context.user_id)
        member = remember_member(
            session,
            team_id=context.team_id,
            user_id=context.user_id,
            tz=profile.get("tz") or "UTC",
            clock=context["clock"],
        )
        now = context["clock"].now()
        welcome = first_use.welcome(session, member=member, now=now) if new else None
    if welcome is not None:
        send_now(context, [welcome])


def greet_newcomer(client: WebClient, context: BoltContext) -> None:
    """After a command from someone the bot has not met (help, list…): remember them, and
    welcome them."""
    with transaction(context) as session:
        known = is_member(session, team_id=context.team_id, user_id=context.user_id)
    if not known:
        refresh_member(client, context)


def refresh_around(client: WebClient, context: BoltContext, show: Callable[[], None]) -> None:
    """Run `show` (which opens a modal on a trigger that expires in 3 s) as soon as possible:
    a member already known is refreshed after it, a new one before (their date depends on it)."""
    with transaction(context) as session:
        known = is_member(session, team_id=context.team_id, user_id=context.user_id)
    if not known:
        refresh_member(client, context)
    show()
    if known:
        refresh_member(client, context)


EMPTY_BOARD = "Your board is empty: `/advisor add` enlists your first advisor."


def open_with_board(
    client: WebClient,
    context: BoltContext,
    trigger_id: str,
    build: Callable[[list, date], dict],
    title: str,
) -> dict:
    """Open a modal made from the member's board (`build(board, today)`), or a note that the
    board is empty; returns what Slack answered (the view's id, for a later update)."""
    opened: dict = {}

    def show() -> None:
        with transaction(context) as session:
            active = board.advisors(session, team_id=context.team_id, owner_id=context.user_id)
        view = build(active, today(context)) if active else build_notice(title, EMPTY_BOARD)
        opened.update(client.views_open(trigger_id=trigger_id, view=view).data)

    refresh_around(client, context, show)
    return opened


def today(context: BoltContext) -> date:
    """The member's date, in the time zone last heard from Slack (UTC before that)."""
    with transaction(context) as session:
        zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
    return context["clock"].now().astimezone(zone).date()


def advisor_id_from(action: dict) -> int:
    """The advisor a button or menu choice acts on; ids that are not numbers match nobody."""
    value = str(action.get("value") or "")
    return row_id(value)


def entries(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    status: str = AdvisorStatus.ACTIVE,
    now: datetime | None = None,
) -> list[Entry]:
    """The member's advisors (or alumni), most urgent first, each with their newest touchpoint;
    with `now`, also their open promises and how the member keeps their word with them."""
    who = {"team_id": team_id, "owner_id": owner_id}
    rows = board.advisors(session, **who, status=status)
    ids = [a.id for a in rows]
    latest = latest_touchpoints(session, **who, advisor_ids=ids)
    if now is None:
        return [Entry(advisor, latest.get(advisor.id)) for advisor in rows]
    open_ones: dict[int, list] = {}
    for promise in promises.open_promises(session, **who, advisor_ids=ids):
        open_ones.setdefault(promise.advisor_id, []).append(promise)
    counts = promises.keeping_by_advisor(session, **who, now=now)
    return [
        Entry(a, latest.get(a.id), tuple(open_ones.get(a.id, ())), counts.get(a.id)) for a in rows
    ]


def home_view(session: Session, *, team_id: str, user_id: str, now: datetime) -> dict:
    """The member's Home tab as it should look at `now`: a few indexed queries and a builder."""
    alumni = board.advisors(session, team_id=team_id, owner_id=user_id, status=AdvisorStatus.ALUMNI)
    zone = member_zone(session, team_id=team_id, user_id=user_id)
    rows = entries(session, team_id=team_id, owner_id=user_id, now=now)
    upcoming = first_use.next_nudge(session, team_id=team_id, user_id=user_id, now=now)
    review = build_home_review(review_of(session, team_id=team_id, owner_id=user_id, now=now))
    names = [a.name for a in alumni]
    return build_home(rows, names, now=now, zone=zone, upcoming=upcoming, review=review)


def publish_home(client: WebClient, context: BoltContext) -> None:
    """Show the member's board, as it is now, on their Home tab."""
    with transaction(context) as session:
        view = home_view(
            session, team_id=context.team_id, user_id=context.user_id, now=context["clock"].now()
        )
    client.views_publish(user_id=context.user_id, view=view)


def tell(body: dict, client: WebClient, context: BoltContext, title: str, text: str) -> None:
    """An answer only this member sees: in the conversation they acted in, else in a small modal."""
    if body.get("response_url"):
        context.respond(response_type="ephemeral", replace_original=False, text=text)
    elif body.get("trigger_id"):
        client.views_open(trigger_id=body["trigger_id"], view=build_notice(title, text))
    else:
        client.chat_postMessage(channel=context.user_id, text=text)


# --- where the bot may write: only where it posted to this member, never where a payload says


def member_dm(client: WebClient, context: BoltContext) -> str:
    """The bot's DM with this member, as stored when it was opened (asked of Slack, and kept,
    the first time)."""
    who = {"team_id": context.team_id, "user_id": context.user_id}
    with transaction(context) as session:
        known = outbox.dm_channel(session, **who)
    if known:
        return known
    channel = client.conversations_open(users=context.user_id)["channel"]["id"]
    with transaction(context) as session:
        outbox.remember_dm(session, **who, channel_id=channel)
    return channel


def own_place(client: WebClient, context: BoltContext, channel, thread_ts) -> Target:
    """Where to answer a member who acted in `channel` (in the thread `thread_ts`), whatever
    ids a payload carries: always their own DM with the bot, and in that thread only if it is
    one of their nudge messages there, as stored."""
    dm = member_dm(client, context)
    if channel != dm or not isinstance(thread_ts, str):
        return Target.conversation(dm)
    with transaction(context) as session:
        found = nudges.find_message(
            session, team_id=context.team_id, owner_id=context.user_id, channel=dm, ts=thread_ts
        )
    return Target.conversation(dm, found.ts if found else None)


def replaceable(context: BoltContext, place: Target, channel, ts) -> str | None:
    """The ts of a message of the bot's that a click in it may replace (a question, an offer):
    only one in the member's own DM (`place`), and never a message stored in the outbox (a
    nudge is shown from its row). None when the payload names anything else."""
    if channel != place.channel or not isinstance(ts, str) or not ts:
        return None
    with transaction(context) as session:
        stored = outbox.stored_message(
            session, team_id=context.team_id, owner_id=context.user_id, channel=channel, ts=ts
        )
    return None if stored else ts


# --- nudges: a modal opened from a nudge carries its id; acting on it updates the nudge's DM


def with_nudge(view: dict, nudge_id: int) -> dict:
    """`view` remembering the nudge it was opened from."""
    meta = json.loads(view.get("private_metadata") or "{}")
    return {**view, "private_metadata": json.dumps({**meta, "nudge": nudge_id})}


def after_nudge(
    client: WebClient, context: BoltContext, view: dict, outcome: str, text="", *, ends=False
) -> None:
    """When a modal opened from a nudge did its work: note what was done, update the DM.
    With `ends`, only if that work ended the nudge's cycle (a touchpoint logged for another
    advisor, or dated before the last one, leaves the nudge as it was)."""
    nudge_id = metadata(view, "nudge")
    if not isinstance(nudge_id, int):
        return
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            if ends and nudges.get_shown(session, **who, nudge_id=nudge_id).live:
                return
            nudge = nudges.record_outcome(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                nudge_id=nudge_id,
                outcome=outcome,
                text=text,
            )
    except NotYours:  # a crafted id: the work itself was the member's own, the DM isn't
        return
    refresh_nudge_message(client, context, nudge.outbox_id)


def refresh_nudge_message(client: WebClient, context: BoltContext, message_id: int) -> None:
    """Show a message of nudges as it stands now (what was done instead of the buttons), at the
    channel and ts the outbox recorded when it was posted."""
    with transaction(context) as session:
        message = nudges.get_message(
            session, team_id=context.team_id, owner_id=context.user_id, message_id=message_id
        )
        now = context["clock"].now()
        shown = contents(session, message=message, now=now)
    if message.channel_id and message.ts and shown is not None:
        zone = windows.zone_of(shown.member)
        blocks = build_nudge_message(shown.items, shown.ahead, now=now, zone=zone)
        try:
            client.chat_update(channel=message.channel_id, ts=message.ts, **blocks)
        except SlackApiError as error:  # what was done is saved; only the old buttons remain
            log.warning("Could not update nudge message %s: %s", message.id, error)


def send_now(context: BoltContext, row_ids: list[int]) -> dict[int, str]:
    """Hand a request's own outbox rows to the sender at once (the tick sends them otherwise);
    each row's state after."""
    sender = context.get("sender")
    return sender.send_now(row_ids) if sender is not None else {}


def deliver_update(
    context: BoltContext, event_id: int, reply_in: Target | None = None
) -> tuple[str, bool]:
    """Send a saved progress update on to its advisor, now if Slack lets it go at once (else
    the tick sends it): what to tell the member, and whether it is sent now. Should it fail for
    good, the member is told in `reply_in` (by the outbox), so nothing is said here."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            row_id = forwarding.send_on(
                session, **who, event_id=event_id, now=context["clock"].now(), reply_in=reply_in
            )
    except (NotYours, NotOnBoard) as problem:
        return f"{said(problem)} Nothing was sent.", False
    except Invalid as problem:
        return said(problem), False
    state = send_now(context, [row_id]).get(row_id)
    if state == OutboxState.SENT:
        return "Sent. It counts as a touchpoint too.", True
    if state in outbox.ENDED_BADLY:
        return "", False
    slow = (
        "Slack is slow right now: I'll send it shortly. It counts as a touchpoint once it's there."
    )
    return slow, False
