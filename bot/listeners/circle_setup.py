"""Setting up a circle: `/advisor circle` (the channel's circle as a card, or the setup modal
where there is none), the modal's submission (the bot joins a public channel by itself; a
private one it is not in is refused), the split past twelve people, the owner's and
facilitator's buttons on the card, `/advisor circles`, and joining a circle."""

import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.ids import (
    CIRCLE_ARCHIVE,
    CIRCLE_EDIT,
    CIRCLE_JOIN,
    CIRCLE_PAUSE,
    CIRCLE_RESUME,
    CIRCLE_SETUP_VIEW,
    CIRCLE_SKIP,
    CIRCLE_SPLIT,
)
from bot.listeners.common import REPLAYED, Replayed, once, transaction
from bot.recurrence import next_after
from bot.slack_client import before_ack
from bot.views.circle_setup import (
    ARCHIVED_CHANNEL,
    GOOD_SIZE,
    IN_CHANNELS,
    INVITE_FIRST,
    MEMBERS,
    MEMBERS_KEPT,
    Card,
    Form,
    LastCheckIn,
    Listed,
    block_for,
    build_archived,
    build_circle_card,
    build_circles_list,
    build_setup_modal,
    draft_of,
    form_of,
    joined_text,
    new_draft,
    read_setup_form,
    saved_text,
    settings_of,
    split,
    when_line,
)
from bot.views.circles import open_now_line
from bot.views.notices import build_notice
from bot.views.text import said
from core import check_ins, circles
from core.circles import MAX_MEMBERS, NotAllowed
from core.db import row_id
from core.errors import Invalid
from core.members import known_zone, member_zone
from core.models import Circle, CircleState

log = logging.getLogger(__name__)

PAGE_SIZE = 200  # conversations.members per page (Slack advises at most 200)
LOOKUP_SECONDS = 1.5  # before the setup modal opens (its trigger lasts 3 s): then unfiltered
SUBMIT_LOOKUP_SECONDS = 10.0
WORKERS = 8  # users.info asked at once
MAX_LOOKUPS = 150  # a channel with more people than this is not prefilled
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,40}", re.ASCII)

ONE_PER_CHANNEL = "This channel has a circle already: one per channel."
GONE = "That circle is archived or gone, so nothing changed."
CANT_CHECK = "I couldn't check this with Slack just now: try again in a minute."
INVITE_FIRST_FORM = (
    "I can't see this channel: it's private and I'm not in it. Invite me first with "
    "/invite @advisor-bot, then save again. Nothing was saved."
)
COULD_NOT_JOIN = (
    "I couldn't join this channel: invite me with /invite @advisor-bot, then save again."
)
JOIN_CHANNEL_FIRST = (
    "A circle is the people of its channel, and you're not in that one: join it first (or ask "
    "to be added), then press Join again."
)
CANT_RESUME = (
    "I can't post in this circle's channel yet: it is archived, or private and I'm not in it. "
    "Invite me with /invite @advisor-bot (or unarchive the channel), then press Resume again. "
    "The circle stays paused."
)
TOO_MANY_TO_PREFILL = (
    "This channel has more people than a circle holds, so only you are filled in: add the "
    "people who will be in it."
)
NOT_LISTED = (
    "I couldn't list this channel's people just now, so only you are filled in: add the others."
)


def _error_code(error: SlackApiError) -> str:
    return str((getattr(error, "response", None) or {}).get("error", ""))


# --- who is a person: users.info, several at a time, each asked once per request


def is_person(profile: dict | None) -> bool:
    """Someone who can take part: not a bot, not deactivated, not Slackbot."""
    return bool(
        profile
        and not profile.get("is_bot")
        and not profile.get("deleted")
        and profile.get("id") != "USLACKBOT"
    )


class People:
    """Slack's profiles, asked concurrently and kept for the request (None: no such user)."""

    def __init__(self, client: WebClient):
        self._client = client
        self._known: dict[str, dict | None] = {}

    def look_up(self, user_ids, *, timeout: float) -> dict[str, dict | None]:
        """The profiles Slack gave within `timeout`; those it did not are left out."""
        wanted = list(dict.fromkeys(u for u in user_ids if u))
        missing = [u for u in wanted if u not in self._known]
        if missing:
            pool = ThreadPoolExecutor(
                max_workers=min(WORKERS, len(missing)), thread_name_prefix="users-info"
            )
            asked = {pool.submit(self._ask, u): u for u in missing}
            done, _ = wait(asked, timeout=max(timeout, 0.0))
            pool.shutdown(wait=False, cancel_futures=True)
            for future in done:
                if future.exception() is None:
                    self._known[asked[future]] = future.result()
                else:
                    log.warning("users.info failed: %s", future.exception())
        return {u: self._known[u] for u in wanted if u in self._known}

    def _ask(self, user_id: str) -> dict | None:
        try:
            return self._client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            if _error_code(error) in ("user_not_found", "user_not_visible"):
                return None
            raise


def _name(user_id: str, profile: dict | None) -> str:
    if not profile:
        return f"someone Slack doesn't know ({user_id})"
    shown = profile.get("profile") or {}
    return profile.get("real_name") or shown.get("real_name") or profile.get("name") or user_id


def _refusal(user_ids: list[str], profiles: dict) -> str:
    said_of = []
    for user_id in user_ids:
        profile = profiles.get(user_id)
        if profile and profile.get("deleted"):
            said_of.append(f"{_name(user_id, profile)}'s account is deactivated")
        elif profile:
            said_of.append(f"{_name(user_id, profile)} is a bot")
        else:
            said_of.append(f"I can't find {_name(user_id, profile)}")
    listed = said_of[0] if len(said_of) == 1 else f"{', '.join(said_of[:-1])} and {said_of[-1]}"
    return f"{listed}: a circle is for people who can take part. Take them out and save again."


# --- /advisor circle


def handle_circle_command(args: Args) -> None:
    context, command = args.context, args.command
    channel_id = str(command.get("channel_id") or "")
    with transaction(context) as session:
        circle = circles.in_channel(session, team_id=context.team_id, channel_id=channel_id)
        card = circle and _card(session, circle, context.user_id)
    if card:
        args.ack(response_type="ephemeral", **build_circle_card(card))
        return
    refusal, info = _where(args.client, command)
    if refusal:
        args.ack(response_type="ephemeral", text=refusal)
        return
    args.ack()
    _open_setup(args.client, context, command["trigger_id"], info)


def _where(client: WebClient, command: dict) -> tuple[str | None, dict]:
    """Why a circle cannot be set up where the command was typed, or the channel Slack
    describes."""
    channel_id = str(command.get("channel_id") or "")
    name = str(command.get("channel_name") or "")
    if name == "directmessage" or name.startswith("mpdm-") or not CHANNEL_ID.fullmatch(channel_id):
        return IN_CHANNELS, {}  # a DM or a group DM: not asked about (no im:read, mpim:read)
    try:
        info = before_ack(client).conversations_info(channel=channel_id)["channel"]
    except SlackApiError as error:
        if _error_code(error) == "channel_not_found":
            return INVITE_FIRST, {}
        log.warning("conversations.info failed for %s: %s", channel_id, _error_code(error))
        return CANT_CHECK, {}
    if info.get("is_im") or info.get("is_mpim"):
        return IN_CHANNELS, {}
    if info.get("is_archived"):
        return ARCHIVED_CHANNEL, {}
    return None, info


def _channel_people(client: WebClient, channel_id: str, deadline: float) -> list[str] | None:
    """The channel's members, every page; None when Slack would not say, or not in time. Stops
    once there are more than a circle could be prefilled with."""
    found: list[str] = []
    cursor = ""
    while time.monotonic() < deadline:
        try:
            page = client.conversations_members(channel=channel_id, limit=PAGE_SIZE, cursor=cursor)
        except SlackApiError as error:
            log.warning("conversations.members failed for %s: %s", channel_id, _error_code(error))
            return None
        found += [u for u in page.get("members") or [] if isinstance(u, str)]
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor or len(found) > MAX_LOOKUPS:
            return found
    return None


MAX_MEMBER_PAGES = 50  # 10,000 people: a channel larger than this is asked no further


def _in_channel(client: WebClient, channel_id: str, user_id: str) -> bool:
    """Whether the person is in the channel now (asked of Slack, every page until found);
    Invalid when Slack cannot say."""
    cursor = ""
    for _ in range(MAX_MEMBER_PAGES):
        try:
            page = client.conversations_members(channel=channel_id, limit=PAGE_SIZE, cursor=cursor)
        except SlackApiError as error:
            log.warning("conversations.members failed for %s: %s", channel_id, _error_code(error))
            raise Invalid(CANT_CHECK) from None
        if user_id in (page.get("members") or []):
            return True
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            return False
    return False


def _open_setup(client: WebClient, context: BoltContext, trigger_id: str, info: dict) -> None:
    """The setup modal, opened at once: the channel's people without bots and deactivated
    accounts if Slack says who they are in time, else all of them (filtered at submission)."""
    deadline = time.monotonic() + LOOKUP_SECONDS
    fast, me = before_ack(client), context.user_id
    listed = _channel_people(fast, info["id"], deadline)
    candidates = [u for u in dict.fromkeys(listed or []) if u != context.bot_user_id]
    note = "" if listed is not None else NOT_LISTED
    if len(candidates) > MAX_LOOKUPS:
        note = TOO_MANY_TO_PREFILL
    if note:  # only the person setting it up is filled in
        candidates = [me]
    elif me in candidates:  # the person setting it up comes first
        candidates = [me, *(u for u in candidates if u != me)]
    profiles = People(fast).look_up([me, *candidates], timeout=deadline - time.monotonic())
    unfiltered = any(u not in profiles for u in candidates)
    members = candidates if unfiltered else [u for u in candidates if is_person(profiles[u])]
    if len(members) > MAX_MEMBERS:
        members, note = [me], TOO_MANY_TO_PREFILL
    tz = (profiles.get(me) or {}).get("tz")
    if not tz:
        with transaction(context) as session:
            tz = member_zone(session, team_id=context.team_id, user_id=me).key
    draft = new_draft(info.get("name") or "team", members, known_zone(tz))
    form = Form(channel_id=info["id"], unfiltered=unfiltered, note=note)
    client.views_open(trigger_id=trigger_id, view=build_setup_modal(draft, form))


# --- the card


def _card(session: Session, circle: Circle, viewer: str, notes: tuple[str, ...] = ()) -> Card:
    members = circles.member_ids(session, circle_id=circle.id)
    closed = check_ins.last_closed(session, circle_id=circle.id)
    last = None
    if closed is not None:
        summary = check_ins.summary(session, closed)
        replies = sum(c.replies for c in summary.challenges)
        last = LastCheckIn(
            on=closed.occurrence, challenges=len(summary.challenges), replies=replies
        )
    now_open = check_ins.open_now(session, circle_id=circle.id)
    if now_open is not None:
        notes = (*notes, open_now_line(now_open))
    return Card(
        circle=circle,
        members=members,
        rule=circles.rule_of(session, circle),
        next_at=circles.next_check_in(session, circle),
        last=last,
        viewer_manages=circles.may_manage(circle, viewer),
        viewer_is_member=viewer in members,
        notes=list(notes),
    )


def _answer(body: dict, context: BoltContext, message: dict) -> None:
    """Answer a click in place of the ephemeral message it came from (a click anywhere else
    gets a new ephemeral answer: the bot never replaces a channel's message from here)."""
    if not body.get("response_url") or context.respond is None:
        return
    in_place = (body.get("container") or {}).get("is_ephemeral") is True
    context.respond(response_type="ephemeral", replace_original=in_place, **message)


def _tell(body: dict, context: BoltContext, text: str) -> None:
    if body.get("response_url") and context.respond is not None:
        context.respond(response_type="ephemeral", replace_original=False, text=text)


# --- the owner's and facilitator's buttons


def _pause(session, circle, by, now) -> str:
    circles.pause(session, circle=circle, by=by, now=now)
    return "Paused: no check-ins until it is resumed."


def _resume(session, circle, by, now) -> str:
    circles.resume(session, circle=circle, by=by, next_after=next_after, now=now)
    return "Resumed: check-ins start again from the next one."


def _skip(session, circle, by, now) -> str:
    after = circles.skip_next(session, circle=circle, by=by, next_after=next_after)
    rule = circles.rule_of(session, circle)
    coming = f" The one after: {when_line(after, rule.tz)}." if after and rule else ""
    return f"The next check-in is skipped.{coming}"


def _archive(session, circle, by, now) -> str:
    circles.archive(session, circle=circle, by=by, now=now)
    return ""


CONTROLS = {
    CIRCLE_PAUSE: _pause,
    CIRCLE_RESUME: _resume,
    CIRCLE_SKIP: _skip,
    CIRCLE_ARCHIVE: _archive,
}


def _ready_to_resume(client: WebClient, context: BoltContext, circle_id: int | None) -> None:
    """Before a circle resumes, the bot is back in its channel (it joins a public one by
    itself); Invalid, saying what to do, when it cannot post there."""
    with transaction(context) as session:
        circle = circles.get(session, team_id=context.team_id, circle_id=circle_id)
        channel_id = circle.channel_id if circle else None
    if channel_id is not None:
        try:
            _bot_in_channel(client, channel_id)
        except Invalid:
            raise Invalid(CANT_RESUME) from None


def handle_control(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    """Pause, resume, skip the next check-in, archive: only by the circle's owner or
    facilitator (checked again here, whoever the card was shown to); the card is then shown
    again in place of the old one. A circle resumes only once the bot can post in its channel."""
    ack()
    control = CONTROLS[action["action_id"]]
    try:
        if control is _resume:
            _ready_to_resume(client, context, row_id(action.get("value")))
        with transaction(context) as session:
            once(session, context, f"c_{control.__name__}")  # keys hold 40 characters
            circle = circles.get(
                session, team_id=context.team_id, circle_id=row_id(action.get("value"))
            )
            if circle is None:
                raise Invalid(GONE)
            done = control(session, circle, context.user_id, context["clock"].now())
            archived = circle.state == CircleState.ARCHIVED
            message = (
                build_archived(circle)
                if archived
                else build_circle_card(_card(session, circle, context.user_id, (done,)))
            )
    except NotAllowed as problem:
        _tell(body, context, f"{said(problem)} Nothing changed.")
        return
    except (Invalid, Replayed) as problem:
        _tell(body, context, said(problem))
        return
    _answer(body, context, message)


def handle_edit(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    """The setup modal, prefilled, for the circle's owner or facilitator (opened at once)."""
    ack()
    with transaction(context) as session:
        circle = circles.get(
            session, team_id=context.team_id, circle_id=row_id(action.get("value"))
        )
        if circle is None or circle.state == CircleState.ARCHIVED:
            _tell(body, context, GONE)
            return
        if not circles.may_manage(circle, context.user_id):
            _tell(body, context, f"{NotAllowed()} Nothing changed.")
            return
        members = circles.member_ids(session, circle_id=circle.id)
        draft = draft_of(circle, members, circles.rule_of(session, circle))
    form = Form(channel_id=circle.channel_id, circle_id=circle.id)
    client.views_open(trigger_id=body["trigger_id"], view=build_setup_modal(draft, form))


# --- the modal's submission


def _prefilled(view: dict) -> set[str]:
    for block in view.get("blocks") or []:
        if block.get("block_id") in (MEMBERS, MEMBERS_KEPT):
            return set((block.get("element") or {}).get("initial_users") or [])
    return set()


def _only_people(people: People, draft, view: dict, form: Form):
    """The draft without bots and deactivated accounts, and each member's time zone. Those
    the form was prefilled with before Slack said who they are are left out quietly; anyone
    else who is not a person is refused by name."""
    asked = [*draft.members, *([draft.facilitator] if draft.facilitator else [])]
    profiles = people.look_up(asked, timeout=SUBMIT_LOOKUP_SECONDS)
    if any(u not in profiles for u in asked):
        raise Invalid(CANT_CHECK, field="members")
    quietly = _prefilled(view) if form.unfiltered else set()
    members = tuple(u for u in draft.members if is_person(profiles[u]) or u not in quietly)
    refused = [u for u in members if not is_person(profiles[u])]
    if refused:
        raise Invalid(_refusal(refused, profiles), field="members")
    if draft.facilitator and not is_person(profiles[draft.facilitator]):
        raise Invalid(_refusal([draft.facilitator], profiles), field="facilitator")
    zones = {u: known_zone(profiles[u].get("tz")) for u in members}
    return replace(draft, members=members), zones


def _bot_in_channel(client: WebClient, channel_id: str) -> None:
    """The bot is in the channel: it joins a public one by itself; Invalid for a private
    channel it is not in (it cannot even see it), an archived one, or a conversation that is
    not a channel."""
    try:
        info = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as error:
        if _error_code(error) == "channel_not_found":
            raise Invalid(INVITE_FIRST_FORM, field="name") from None
        raise Invalid(CANT_CHECK, field="name") from None
    if info.get("is_im") or info.get("is_mpim"):
        raise Invalid(IN_CHANNELS, field="name")
    if info.get("is_archived"):
        raise Invalid(ARCHIVED_CHANNEL, field="name")
    if info.get("is_member"):
        return
    if info.get("is_private"):
        raise Invalid(INVITE_FIRST_FORM, field="name")
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        log.warning("conversations.join failed for %s: %s", channel_id, _error_code(error))
        raise Invalid(COULD_NOT_JOIN, field="name") from None


def _editing(context: BoltContext, form: Form) -> Circle | None:
    """The circle an edit form is for (None for a new one); NotAllowed for anyone but its
    owner or facilitator."""
    if form.circle_id is None:
        if not CHANNEL_ID.fullmatch(form.channel_id):
            raise Invalid(IN_CHANNELS, field="name")
        return None
    with transaction(context) as session:
        circle = circles.get(session, team_id=context.team_id, circle_id=row_id(form.circle_id))
    if circle is None or circle.state == CircleState.ARCHIVED:
        raise Invalid(GONE, field="name")
    if not circles.may_manage(circle, context.user_id):
        raise NotAllowed()
    return circle


def _starts_on(context: BoltContext, circle: Circle | None, tz: str):
    if circle is not None:
        with transaction(context) as session:
            rule = circles.rule_of(session, circle)
        if rule is not None:
            return rule.starts_on
    return context["clock"].now().astimezone(ZoneInfo(known_zone(tz))).date()


def _save(context: BoltContext, form: Form, circle: Circle | None, settings, zones) -> str:
    """The circle created (or changed) with its people's time zones; what to tell its owner."""
    now = context["clock"].now()
    try:
        with transaction(context) as session:
            once(session, context, "circle_setup")
            if circle is None:
                saved = circles.create(
                    session,
                    team_id=context.team_id,
                    channel_id=form.channel_id,
                    owner_id=context.user_id,
                    settings=settings,
                    next_after=next_after,
                    now=now,
                )
            else:
                saved = circles.get(session, team_id=context.team_id, circle_id=circle.id)
                circles.update(
                    session,
                    circle=saved,
                    by=context.user_id,
                    settings=settings,
                    next_after=next_after,
                    now=now,
                )
            for row in circles.members(session, circle_id=saved.id):
                row.tz = zones.get(row.user_id, row.tz)
                session.add(row)
            coming = circles.next_check_in(session, saved)
            return saved_text(saved, settings.rule, coming, created=circle is None)
    except IntegrityError:  # another setup in this channel saved first
        raise Invalid(ONE_PER_CHANNEL, field="name") from None


def handle_setup_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext):
    form = form_of(view)
    try:
        draft = read_setup_form(view)
        circle = _editing(context, form)
        starts_on = _starts_on(context, circle, draft.tz)
        circles.check(settings_of(draft, starts_on=starts_on))
        people, submitted = People(client), draft
        draft, zones = _only_people(people, draft, view, form)
        if len(draft.members) > GOOD_SIZE and not form.noted:
            noted = build_setup_modal(submitted, replace(form, noted=True))
            ack(response_action="update", view=noted)
            return
        if circle is None:
            _bot_in_channel(client, form.channel_id)
        done = _save(context, form, circle, settings_of(draft, starts_on=starts_on), zones)
    except Invalid as problem:
        ack(response_action="errors", errors={block_for(view, problem.field): str(problem)})
        return
    except NotAllowed as problem:
        ack(response_action="update", view=build_notice("Nothing was saved", said(problem)))
        return
    except Replayed:
        ack(response_action="update", view=build_notice("Circle", REPLAYED))
        return
    ack()
    _confirm(client, context, form.channel_id, done)


def _confirm(client: WebClient, context: BoltContext, channel_id: str, text: str) -> None:
    """Only the person who saved sees it, in the channel (in their DM if Slack won't)."""
    try:
        client.chat_postEphemeral(channel=channel_id, user=context.user_id, text=text)
    except SlackApiError as error:
        log.info("Confirmation in the channel refused (%s): sent by DM", _error_code(error))
        client.chat_postMessage(channel=context.user_id, text=text)


def handle_split(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """Keep the first twelve people here and list the others, suggesting a circle of their
    own in another channel (bots and deactivated accounts left out first)."""
    ack()
    view = body.get("view") or {}
    if not view.get("id"):
        return
    form = form_of(view)
    draft = read_setup_form(view, strict=False)
    profiles = People(client).look_up(draft.members, timeout=SUBMIT_LOOKUP_SECONDS)
    people = tuple(u for u in draft.members if u not in profiles or is_person(profiles[u]))
    kept, rest = split(replace(draft, members=people))
    shown = replace(form, noted=True, unfiltered=False, rest=rest, members_block=MEMBERS_KEPT)
    client.views_update(
        view_id=view["id"], hash=view.get("hash"), view=build_setup_modal(kept, shown)
    )


# --- /advisor circles, and joining


def handle_circles_command(args: Args) -> None:
    context = args.context
    with transaction(context) as session:
        rows = []
        for circle in circles.of_member(session, team_id=context.team_id, user_id=context.user_id):
            rule = circles.rule_of(session, circle)
            coming = circles.next_check_in(session, circle)
            rows.append(Listed(circle, coming, rule.tz if rule else "UTC"))
    args.ack(response_type="ephemeral", **build_circles_list(rows))


def handle_join(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    """Someone not in a circle joins it; the circle's card answers, saying so."""
    ack()
    profile = People(client).look_up([context.user_id], timeout=SUBMIT_LOOKUP_SECONDS)
    tz = known_zone((profile.get(context.user_id) or {}).get("tz"))
    try:
        with transaction(context) as session:
            circle = circles.get(
                session, team_id=context.team_id, circle_id=row_id(action.get("value"))
            )
            channel_id = circle.channel_id if circle else None
        if channel_id and not _in_channel(client, channel_id, context.user_id):
            raise Invalid(JOIN_CHANNEL_FIRST.format(channel=channel_id))
        with transaction(context) as session:
            once(session, context, "circle_join")
            circle = circles.get(
                session, team_id=context.team_id, circle_id=row_id(action.get("value"))
            )
            if circle is None:
                raise Invalid(GONE)
            new = circles.join(
                session, circle=circle, user_id=context.user_id, now=context["clock"].now()
            )
            row = circles.membership(session, circle_id=circle.id, user_id=context.user_id)
            row.tz = tz
            session.add(row)
            rule = circles.rule_of(session, circle)
            coming = circles.next_check_in(session, circle)
            joined = joined_text(circle, coming, rule.tz if rule else "UTC", new=new)
            message = build_circle_card(_card(session, circle, context.user_id, (joined,)))
    except (Invalid, Replayed) as problem:
        _tell(body, context, said(problem))
        return
    _answer(body, context, message)


def register(app: App) -> None:
    app.view(CIRCLE_SETUP_VIEW)(handle_setup_submission)
    app.action(CIRCLE_SPLIT)(handle_split)
    app.action(CIRCLE_EDIT)(handle_edit)
    for control in CONTROLS:
        app.action(control)(handle_control)
    app.action(CIRCLE_JOIN)(handle_join)
