"""Promises: `/advisor promise`, `/advisor promises`, and done, update, renegotiate and drop."""

import logging
import re
from datetime import date

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ids import (
    DROP_PROMISE_VIEW,
    MAKE_PROMISE_VIEW,
    PROMISE_BUTTON,
    PROMISE_DONE,
    PROMISE_DROP,
    PROMISE_MENU,
    PROMISE_RENEGOTIATE,
    PROMISE_UPDATE,
    PROMISES_MORE,
    RENEGOTIATE_VIEW,
    UPDATE_PROMISE_VIEW,
    WHO_PROMISE,
)
from bot.listeners.board import mentioned_user
from bot.listeners.common import (
    Replayed,
    after_nudge,
    once,
    open_with_board,
    publish_home,
    send_now,
    tell,
    transaction,
)
from bot.views.dates import build_which_day
from bot.views.elements import submitted
from bot.views.notices import build_notice
from bot.views.promises import (
    FIRMNESS,
    build_drop_modal,
    build_promise_modal,
    build_promises_message,
    build_renegotiate_modal,
    build_update_modal,
    build_update_undelivered,
    promise_id_of,
    quoted,
    read_new_date,
)
from bot.views.text import day, escape, long_day, said
from bot.views.who import (
    Choice,
    build_bring_back_first,
    build_which_one,
    choice_value,
    fits,
    person_of,
    read_choice,
)
from core import board, forwarding, outbox, promises
from core.dates import read_day, split_when
from core.db import row_id
from core.errors import Invalid, NotOnBoard, NotYours, Unsure
from core.members import member_zone
from core.models import Advisor, AdvisorStatus, Firmness, Promise
from core.names import Reading, Sureness
from core.who import hold, promised_since, read_who

log = logging.getLogger(__name__)
USAGE = (
    "Usage: `/advisor promise @someone <what> by <when>`, "
    "e.g. `/advisor promise @grace send the deck by friday`."
)
TRYING = re.compile(r"^(i['\u2019]?ll try to|i will try to|try to|try:)\s+", re.IGNORECASE)


def _recorded(promise: Promise, advisor: Advisor) -> str:
    return (
        f"Recorded: you promised *{escape(advisor.name)}* “{escape(promise.what)}”, due "
        f"*{long_day(promise.due_on)}* ({FIRMNESS[promise.firmness]}). Not the day you meant? "
        "Renegotiate it from my Home tab or `/advisor promises`."
    )


# --- /advisor promise @someone <what> by <when>   (alone: a form)


def _read_line(session, context: BoltContext, line: str) -> tuple[Advisor, str, str, str]:
    """(advisor, what, firmness, when) from the one-line form; Invalid with usage otherwise."""
    head, when = split_when(line)
    if not when.strip():
        raise Invalid(f"Say when, with “by”. {USAGE}")
    readings = _who(session, context, head)
    advisor = readings[0].item
    if len(readings) > 1 or readings[0].guess or advisor.status != AdvisorStatus.ACTIVE:
        raise AskWho(head, readings, when)
    what, firmness = _what(readings[0].rest)
    return advisor, what, firmness, when


def _what(rest: str) -> tuple[str, str]:
    """What was promised, and how firmly ("I'll try to ..." is a softer promise)."""
    firmness = Firmness.TRY if TRYING.match(rest.strip()) else Firmness.PROMISE
    return TRYING.sub("", rest.strip()), firmness


class AskWho(Exception):
    """The line names several people, only a near spelling of one, or an alumnus: ask first.
    Not an Invalid: nothing is wrong with the line, and the answer carries buttons."""

    def __init__(self, head: str, readings: list[Reading], when: str):
        super().__init__(head)
        self.typed = " ".join(head.split()[: min(r.words for r in readings)])
        self.when, self.guess = when, readings[0].guess
        # plain values: the session (and its rows) is gone by the time the question is built
        self.people = [person_of(r.item) for r in readings]
        self.rests = [r.rest for r in readings]


def _who(session, context: BoltContext, head: str) -> list[Reading]:
    """Who the start of `head` names (a mention, or a name on the board or among alumni); each
    reading's rest is the promise. Invalid when it is the member or nobody they have."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    member = mentioned_user(head)
    if member and head.startswith("<@"):
        if member == context.user_id:
            raise Invalid(f"That's you: a promise is something you do for an advisor. {USAGE}")
        advisor = board.find_member(session, **who, slack_user_id=member)
        rest = head.split(">", 1)[1]
        readings = [Reading(advisor, rest, Sureness.EXACT, 1)] if advisor else []
    else:
        readings = read_who(session, **who, text=head)
    if not readings:
        raise Invalid(f"Who to? They must be on your board. {USAGE}")
    return readings


def handle_promise_command(args: Args) -> None:
    context, command = args.context, args.command
    rest = (command.get("text") or "").strip().split(maxsplit=1)[1:]
    if not rest:
        args.ack()
        open_promise_modal(args.client, context, command["trigger_id"])
        return
    try:
        with transaction(context) as session:
            advisor, what, firmness, when = _read_line(session, context, rest[0])
            person = person_of(advisor)  # kept for a question after the session is closed
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
            due_on = read_day(when, zone=zone, now=context["clock"].now())
            once(session, context, "promise")
            made = promises.make_promise(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                advisor_id=advisor.id,
                what=what,
                due_on=due_on,
                firmness=firmness,
                zone=zone,
                clock=context["clock"],
            )
            answer = _recorded(made, advisor)
    except AskWho as asking:
        args.ack(response_type="ephemeral", **_ask_who(context, asking))
        return
    except Unsure as unsure:
        asking = _ask_day(context, person, what, firmness, unsure, zone)
        args.ack(response_type="ephemeral", **asking)
        return
    except Invalid as problem:
        args.ack(response_type="ephemeral", text=f"{said(problem)} Nothing was saved.")
        return
    except Replayed as replayed:
        args.ack(response_type="ephemeral", text=str(replayed))
        return
    args.ack(response_type="ephemeral", text=answer)
    publish_home(args.client, context)


def _ask_day(context: BoltContext, person, what: str, firmness: str, unsure, zone) -> dict:
    """Which day? One button per day, recording the promise on it (see handle_who_promise)."""
    now = context["clock"].now()
    values = [
        choice_value(
            person.advisor_id, now, what=what, firmness=firmness, due=d.isoformat(), back=False
        )
        for d in unsure.choices
    ]
    if not fits(values):
        return {"text": f"{said(unsure)} Nothing was saved: type it again with the day."}
    recording = f"The promise to *{escape(person.name)}*: “{escape(what)}” ({FIRMNESS[firmness]})."
    today = now.astimezone(zone).date()
    return build_which_day(
        said(unsure), unsure.choices, values, action=WHO_PROMISE, today=today, recording=recording
    )


def _ask_who(context: BoltContext, asking: AskWho) -> dict:
    """Which one (or: bring back this alumnus?) with a button each that records the promise;
    the day is read now, so a bad one is said before anyone is picked."""
    promised = [_what(rest) for rest in asking.rests]
    try:
        if not all(what for what, _ in promised):
            raise Invalid(f"Say what you promised. {USAGE}")
        with transaction(context) as session:
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
        due_on = read_day(asking.when, zone=zone, now=context["clock"].now())
    except Invalid as problem:
        return {"text": f"{said(problem)} Nothing was saved."}
    asked_at, due = context["clock"].now(), due_on.isoformat()
    people = asking.people
    values = [
        choice_value(p.advisor_id, asked_at, what=w, firmness=f, due=due, back=p.alumni)
        for p, (w, f) in zip(people, promised, strict=True)
    ]
    if not fits(values):
        names = ", ".join(f"*{escape(p.name)}*" for p in people)
        return {"text": f"Which one did you mean: {names}? {escape(USAGE)}"}  # its <what>
    recordings = [
        f"The promise: “{escape(w)}”, due *{long_day(due_on)}* ({FIRMNESS[f]})."
        for w, f in promised
    ]
    if len(people) == 1 and people[0].alumni and not asking.guess:
        return build_bring_back_first(people[0].name, values[0], recordings[0])
    if any(p.alumni for p in people):
        recordings = [f"{r} Picking someone among alumni brings them back." for r in recordings]
    return build_which_one(asking.typed, people, values, action=WHO_PROMISE, recordings=recordings)


def handle_who_promise(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    """A person picked in "which one?" (or "bring back and record"): the promise is recorded
    once, and the question gives way to the answer."""
    ack()
    choice = read_choice(action)
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            answer = _record_choice(session, context, choice, who)
    except (NotOnBoard, Invalid) as problem:
        answer = f"{said(problem)} Nothing was saved."
    if body.get("response_url"):  # the question, an ephemeral message, gives way to it
        context.respond(replace_original=True, response_type="ephemeral", text=answer)
    publish_home(client, context)


def _record_choice(session, context: BoltContext, choice: Choice | None, who: dict) -> str:
    fields = choice.fields if choice else {}
    try:
        due_on = date.fromisoformat(str(fields.get("due")))
    except ValueError:
        raise NotOnBoard() from None  # not a value we made: nothing is touched
    what = str(fields.get("what", ""))
    advisor = hold(session, **who, advisor_id=choice.advisor_id)
    if promised_since(session, **who, what=what, since=choice.asked_at):
        return f"Already recorded: “{escape(what)}”, as you answered a moment ago."
    brought = advisor.status != AdvisorStatus.ACTIVE and fields.get("back") is True
    if brought:
        board.bring_back(session, **who, advisor_id=advisor.id, clock=context["clock"])
    made = promises.make_promise(
        session,
        **who,
        advisor_id=advisor.id,
        what=what,
        due_on=due_on,
        firmness=str(fields.get("firmness", "")),
        zone=member_zone(session, team_id=context.team_id, user_id=context.user_id),
        clock=context["clock"],
    )
    back = " They are back on your board: the rhythm restarts today." if brought else ""
    return _recorded(made, advisor) + back


def open_promise_modal(client: WebClient, context: BoltContext, trigger_id: str) -> None:
    def build(active: list, today: date) -> dict:
        return build_promise_modal(board=active, today=today)

    open_with_board(client, context, trigger_id, build, "Record a promise")


def handle_make_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    values = view["state"]["values"]
    picked = (submitted(values, "advisor").get("selected_option") or {}).get("value", "")
    firmness = (submitted(values, "firmness").get("selected_option") or {}).get("value", "")
    try:
        with transaction(context) as session:
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
            due_on = read_new_date(values, zone=zone, now=context["clock"].now())
            once(session, context, "promise")
            made = promises.make_promise(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                advisor_id=row_id(picked),
                what=submitted(values, "what").get("value") or "",
                due_on=due_on,
                firmness=firmness,
                zone=zone,
                clock=context["clock"],
            )
            advisor = board.get_advisor(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                advisor_id=made.advisor_id,
            )
            answer = _recorded(made, advisor)
    except Invalid as problem:
        ack(response_action="errors", errors={problem.field or "what": str(problem)})
        return
    except NotOnBoard as problem:
        ack(response_action="errors", errors={"advisor": str(problem)})
        return
    except Replayed as replayed:
        ack(response_action="update", view=build_notice("Promise recorded", str(replayed)))
        return
    ack(response_action="update", view=build_notice("Promise recorded", answer))
    publish_home(client, context)


# --- /advisor promises


def _promises_page(context: BoltContext, offset: int) -> dict:
    """A page of the member's open promises as a message, from `offset`."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    with transaction(context) as session:
        open_ones = promises.open_promises(session, **who)
        names = {a.id: a for a in board.advisors(session, **who)}
        names |= {a.id: a for a in board.advisors(session, **who, status="alumni")}
        zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
        items = [(p, names[p.advisor_id]) for p in open_ones]
        overall = promises.keeping(session, **who, now=context["clock"].now())
    now = context["clock"].now()
    return build_promises_message(items, now=now, zone=zone, overall=overall, offset=offset)


PROMISES_USAGE = (
    "`/advisor promises` lists your open promises; it takes nothing after it. To record one: "
    "`/advisor promise @someone <what> by <when>`."
)


def handle_promises_command(args: Args) -> None:
    if len((args.command.get("text") or "").split()) > 1:  # `promises foo`: not a listing
        args.ack(response_type="ephemeral", text=escape(PROMISES_USAGE))
        return
    args.ack(response_type="ephemeral", **_promises_page(args.context, 0))


def handle_promises_more(ack: Ack, body: dict, action: dict, context: BoltContext) -> None:
    """Show more: the next page in place of the message, read again for whoever clicked (a
    click without a message to replace, never where the bot puts it, does nothing)."""
    ack()
    if not body.get("response_url"):
        return
    raw = str(action.get("value") or "")
    page = _promises_page(context, row_id(raw))
    context.respond(response_type="ephemeral", replace_original=True, **page)


# --- The menu on each promise: done at once; the others open a small form


def handle_promise_menu(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    ack()
    chosen, _, raw_id = (action.get("selected_option") or {}).get("value", "").partition(":")
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            promise = promises.open_promise(session, **who, promise_id=row_id(raw_id))
            advisor = board.get_advisor(session, **who, advisor_id=promise.advisor_id)
            if chosen == PROMISE_DONE:
                promises.mark_done(session, **who, promise_id=promise.id, clock=context["clock"])
    except (NotYours, NotOnBoard) as problem:
        tell(body, client, context, "Nothing changed", str(problem))
        return
    except Invalid as problem:
        tell(body, client, context, "Nothing changed", f"{said(problem)} Nothing changed.")
        return
    forms = {
        PROMISE_UPDATE: lambda: build_update_modal(promise, advisor),
        PROMISE_RENEGOTIATE: lambda: build_renegotiate_modal(promise),
        PROMISE_DROP: lambda: build_drop_modal(promise, advisor),
    }
    if chosen in forms:
        client.views_open(trigger_id=body["trigger_id"], view=forms[chosen]())
        return
    if chosen == PROMISE_DONE:
        tell(
            body,
            client,
            context,
            "Promise kept",
            f"Marked done: “{escape(promise.what)}” ({FIRMNESS[promise.firmness]}) for "
            f"{escape(advisor.name)}. Promise kept.",
        )
        publish_home(client, context)


# --- Post an update: sent to the advisor by DM when they are on Slack, else ready to copy


def handle_update_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    """Saved first, then delivered: an update is never lost, and counts as sent (and as a
    touchpoint) only once the advisor has it."""
    values = view["state"]["values"]
    wants_send = bool(submitted(values, "send").get("selected_options"))
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            once(session, context, "update")
            update = promises.post_update(
                session,
                **who,
                promise_id=promise_id_of(view),
                text=submitted(values, "update").get("value") or "",
                clock=context["clock"],
            )
            promise = promises.get_promise(session, **who, promise_id=update.promise_id)
            advisor = board.get_advisor(session, **who, advisor_id=promise.advisor_id)
            sending = wants_send and advisor.slack_user_id
            if sending:
                row_id = forwarding.send_on(
                    session, **who, event_id=update.id, now=context["clock"].now()
                )
    except (NotYours, NotOnBoard) as problem:
        ack(response_action="update", view=build_notice("Nothing changed", str(problem)))
        return
    except Invalid as problem:
        answer_invalid(ack, problem, fields={"update"})
        return
    except Replayed as replayed:
        ack(response_action="update", view=build_notice("Update posted", str(replayed)))
        return
    if not sending:
        copy = f"Saved. Here it is to send {escape(advisor.name)} yourself:"
        ack(response_action="update", view=build_notice("Update posted", copy, quoted(update.text)))
        after_nudge(client, context, view, "updated", update.text[:120])
        publish_home(client, context)
        return
    on_its_way = f"Saved, and on its way to {escape(advisor.name)} as a message from me."
    ack(response_action="update", view=build_notice("Update posted", on_its_way))
    after_nudge(client, context, view, "updated", update.text[:120])
    if send_now(context, [row_id]).get(row_id) in outbox.ENDED_BADLY:  # word back went by DM
        with transaction(context) as session:
            error = forwarding.why_not_sent(session, **who, row_id=row_id)
        undelivered = build_update_undelivered(advisor.name, error, update.text)["text"]
        _update_modal(client, view, build_notice("Update not delivered", undelivered))
    publish_home(client, context)


def _update_modal(client: WebClient, view: dict, replacement: dict) -> None:
    """Show what happened after all in the modal, if the member still has it open."""
    try:
        client.views_update(view_id=view.get("id"), view=replacement)
    except SlackApiError as error:  # closed meanwhile: the DM says it too
        log.info("Could not update the update modal: %s", error.response.get("error"))


def answer_invalid(ack: Ack, problem: Invalid, *, fields: set[str]) -> None:
    """At the field when the form has it; otherwise (a promise closed meanwhile) as a notice."""
    if problem.field in fields:
        ack(response_action="errors", errors={problem.field: str(problem)})
    else:
        ack(
            response_action="update",
            view=build_notice("Nothing changed", f"{said(problem)} Nothing changed."),
        )


# --- Renegotiate and drop


def handle_renegotiate_submission(
    ack: Ack, view: dict, client: WebClient, context: BoltContext
) -> None:
    values = view["state"]["values"]
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
            new_due_on = read_new_date(values, zone=zone, now=context["clock"].now())
            once(session, context, "renegotiate")
            moved = promises.renegotiate(
                session,
                **who,
                promise_id=promise_id_of(view),
                new_due_on=new_due_on,
                zone=zone,
                clock=context["clock"],
                note=submitted(values, "note").get("value") or "",
            )
            due = long_day(moved.due_on)
            answer = f"“{escape(moved.what)}” is now due *{due}*. Let them know the new date."
    except Invalid as problem:
        answer_invalid(ack, problem, fields={"due", "when", "note"})
        return
    except NotYours as problem:
        ack(response_action="update", view=build_notice("Nothing changed", str(problem)))
        return
    except Replayed as replayed:
        ack(response_action="update", view=build_notice("Date moved", str(replayed)))
        return
    ack(response_action="update", view=build_notice("Date moved", answer))
    today = context["clock"].now().astimezone(zone)
    after_nudge(client, context, view, "renegotiated", f"now due {day(moved.due_on, today)}")
    publish_home(client, context)


def handle_drop_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    told = (submitted(view["state"]["values"], "told").get("selected_option") or {}).get("value")
    if told not in ("yes", "no"):
        ack(response_action="errors", errors={"told": "Say whether you told them."})
        return
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            dropped = promises.drop(
                session,
                **who,
                promise_id=promise_id_of(view),
                told_them=told == "yes",
                clock=context["clock"],
            )
            advisor = board.get_advisor(session, **who, advisor_id=dropped.advisor_id)
    except (NotYours, NotOnBoard, Invalid) as problem:
        ack(response_action="update", view=build_notice("Nothing changed", said(problem)))
        return
    answer = f"Dropped “{escape(dropped.what)}”; it stays in your history."
    if told == "no":
        answer += f" A short note to {escape(advisor.name)} saying it's off keeps their trust."
    ack(response_action="update", view=build_notice("Promise dropped", answer))
    publish_home(client, context)


def _button(choice: str):
    """A promise's button acts like the same choice in its menu."""

    def handle(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext) -> None:
        chosen = {"selected_option": {"value": f"{choice}:{action.get('value', '')}"}}
        handle_promise_menu(ack, body, chosen, client, context)

    return handle


def register(app: App) -> None:
    app.view(MAKE_PROMISE_VIEW)(handle_make_submission)
    app.action(PROMISE_MENU)(handle_promise_menu)
    for choice in (PROMISE_DONE, PROMISE_UPDATE, PROMISE_RENEGOTIATE, PROMISE_DROP):
        app.action(PROMISE_BUTTON.format(choice))(_button(choice))
    app.view(UPDATE_PROMISE_VIEW)(handle_update_submission)
    app.view(RENEGOTIATE_VIEW)(handle_renegotiate_submission)
    app.view(DROP_PROMISE_VIEW)(handle_drop_submission)
    app.action(re.compile(f"^{WHO_PROMISE}_\\d+$"))(handle_who_promise)
    app.action(re.compile(rf"^{PROMISES_MORE}(_top)?$"))(handle_promises_more)
