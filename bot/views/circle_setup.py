"""Circles in Block Kit: the setup modal (also the owner's edit), reading it back into plain
values, the note and split offer past twelve people, a circle's card (`/advisor circle` where
one runs), the list of the circles a person is in (`/advisor circles`), and the words for a
schedule. Times are shown in the circle's own zone, and beside it as Slack's date token, which
every viewer's client shows in their own time."""

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
from bot.views.elements import choice, input_block, text_input
from bot.views.text import escape, long_day, mrkdwn, plain
from core.circles import DEFAULT_OPEN_HOURS, GOOD_SIZE, MAX_MEMBERS, MAX_NAME, Settings
from core.errors import Invalid
from core.models import Circle, CircleState
from core.schedules import LAST, MONTHLY, WEEKLY, Rule

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NTH = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", LAST: "last"}
OPEN_FOR = {4: "4 hours", 12: "12 hours", 24: "1 day", 48: "2 days", 72: "3 days"}
OPEN_FOR |= {120: "5 days", 168: "1 week", 240: "10 days"}
EVERY_WEEKS = range(1, 9)
ANONYMOUS, PARTNERS, REMINDERS = "anonymous", "partners", "reminders"
OPTIONS = {
    ANONYMOUS: "Challenges may be shared anonymously",
    PARTNERS: "Learning partners: pair members for a one-to-one between check-ins",
    REMINDERS: "Member reminders: one DM halfway through to those who haven't answered",
}
MEMBERS, MEMBERS_KEPT = "members", "members_kept"  # the second once split: Slack keeps the
# input of a block whose id stays the same, so showing twelve people needs a new block id
FREQ = {
    MONTHLY: "Monthly, on a weekday of the month (the 2nd Tuesday, the last Friday…)",
    WEEKLY: "Every few weeks, on a day of the week",
}
# core's fields that have no block of their own in this form, and the block that shows them
FIELD_BLOCKS = {"day": "nth", "days": "weekday"}

GOOD_SIZE_NOTE = (
    "*Circles work best with 10 to 12 people.* Peer-coaching groups are kept that small so "
    "that everyone's challenge gets its turn and everyone speaks at each check-in; bigger "
    "groups tend to become an audience. This one would have {count}. You can keep the first "
    f"{GOOD_SIZE} here and suggest the others start a circle of their own in another channel, "
    "or save as it is to keep everyone."
)
THE_REST = (
    "*Not in this circle now:* {people}. They could start a circle of their own in another "
    "channel: `/advisor circle` there."
)
IN_CHANNELS = (
    "Circles run in channels: run `/advisor circle` in the team channel where its check-ins "
    "should happen."
)
INVITE_FIRST = (
    "I can't see this channel: it's private and I'm not in it. Invite me first: "
    "`/invite @advisor-bot`, then `/advisor circle` again. Nothing was saved."
)
ARCHIVED_CHANNEL = "This channel is archived, so a circle can't run here. Nothing was saved."
NO_CIRCLES = (
    "You're not in any circle. `/advisor circle` in a team channel shows its circle, or "
    "sets one up."
)


@dataclass(frozen=True)
class Draft:
    """What the setup form holds, as plain values, before core checks it."""

    name: str
    members: tuple[str, ...]
    tz: str
    freq: str = MONTHLY
    nth: int = 1
    weekday: int = 1  # Tuesday
    every: int = 2  # weeks, when every few weeks
    minute: int = 10 * 60
    open_hours: int = DEFAULT_OPEN_HOURS
    facilitator: str | None = None
    anonymous: bool = False
    partners: bool = False
    reminders: bool = True


@dataclass(frozen=True)
class Form:
    """Where the setup modal stands: the channel, the circle when editing, whether the note
    past twelve people was shown, and the people kept out by a split."""

    channel_id: str
    circle_id: int | None = None
    noted: bool = False
    unfiltered: bool = False  # its members were prefilled before Slack said who are bots
    rest: tuple[str, ...] = ()
    members_block: str = MEMBERS
    note: str = ""  # a line above the fields (a channel too big to prefill)


def new_draft(channel_name: str, members, tz: str) -> Draft:
    return Draft(name=f"#{channel_name} circle"[:MAX_NAME], members=tuple(members), tz=tz)


def draft_of(circle: Circle, members: list[str], rule: Rule | None) -> Draft:
    """A circle as its edit form shows it."""
    draft = Draft(
        name=circle.name,
        members=tuple(members),
        tz=rule.tz if rule else "UTC",
        open_hours=circle.open_hours,
        facilitator=circle.facilitator_id,
        anonymous=circle.anonymous,
        partners=circle.partners,
        reminders=circle.reminders,
    )
    if rule is None:
        return draft
    draft = replace(draft, minute=rule.minute)
    if rule.freq == WEEKLY:
        day = min(rule.weekdays) if rule.weekdays else 1
        return replace(draft, freq=WEEKLY, weekday=day, every=rule.every)
    if rule.nth is not None and rule.weekday is not None:
        return replace(draft, nth=rule.nth, weekday=rule.weekday)
    return draft


def settings_of(draft: Draft, *, starts_on: date) -> Settings:
    """The form's values as core's settings (every few weeks counted from `starts_on`)."""
    if draft.freq == WEEKLY:
        rule = Rule.weekly(
            {draft.weekday},
            minute=draft.minute,
            tz=draft.tz,
            starts_on=starts_on,
            every=draft.every,
        )
    else:
        rule = Rule.monthly(
            minute=draft.minute,
            tz=draft.tz,
            starts_on=starts_on,
            nth=draft.nth,
            weekday=draft.weekday,
        )
    return Settings(
        name=draft.name,
        members=draft.members,
        rule=rule,
        open_hours=draft.open_hours,
        facilitator_id=draft.facilitator,
        anonymous=draft.anonymous,
        partners=draft.partners,
        reminders=draft.reminders,
    )


def split(draft: Draft) -> tuple[Draft, tuple[str, ...]]:
    """The first twelve people kept, and the others."""
    return replace(draft, members=draft.members[:GOOD_SIZE]), draft.members[GOOD_SIZE:]


# --- the modal


def _select(labels: dict, initial, placeholder: str) -> dict:
    element = choice("static_select", {str(k): v for k, v in labels.items()}, [str(initial)])
    return {**element, "placeholder": plain(placeholder, 150)}


def _open_for(hours: int) -> dict:
    labels = dict(OPEN_FOR)
    if hours not in labels:
        labels[hours] = f"{hours} hours"
    return _select(dict(sorted(labels.items())), hours, "How long")


def _every(weeks: int) -> dict:
    labels = {n: "Every week" if n == 1 else f"Every {n} weeks" for n in EVERY_WEEKS}
    return _select(labels, weeks, "How often")


def _people(ids) -> str:
    return ", ".join(f"<@{user_id}>" for user_id in ids)


def build_setup_modal(draft: Draft, form: Form) -> dict:
    """The setup form, filled with `draft`; with the gentle note and the split offer when it
    has more than twelve people and the note is due (`form.noted`), and the people a split
    left out (`form.rest`)."""
    where = f"<#{form.channel_id}>"
    intro = (
        f"A circle is a peer-coaching group in {where}. At each check-in every member names a "
        "challenge they face right now, and peers reply in its thread with strategies."
    )
    blocks: list[dict] = [{"type": "section", "text": mrkdwn(intro)}]
    if form.note:
        blocks.append({"type": "context", "elements": [mrkdwn(form.note)]})
    if form.noted and len(draft.members) > GOOD_SIZE:
        note = GOOD_SIZE_NOTE.format(count=len(draft.members))
        keep = {
            "type": "button",
            "text": plain(f"Keep the first {GOOD_SIZE} here"),
            "action_id": CIRCLE_SPLIT,
            "value": "split",
        }
        blocks += [
            {"type": "section", "text": mrkdwn(note)},
            {"type": "actions", "block_id": "split", "elements": [keep]},
        ]
    if form.rest:
        blocks.append(
            {"type": "section", "text": mrkdwn(THE_REST.format(people=_people(form.rest)))}
        )
    members = {
        "type": "multi_users_select",
        "placeholder": plain("Choose people", 150),
        "max_selected_items": MAX_MEMBERS,
    }
    if draft.members:
        members["initial_users"] = list(draft.members)
    facilitator = {"type": "users_select", "placeholder": plain("Nobody", 150)}
    if draft.facilitator:
        facilitator["initial_user"] = draft.facilitator
    ticked = [k for k, on in ((ANONYMOUS, draft.anonymous), (PARTNERS, draft.partners)) if on]
    ticked += [REMINDERS] if draft.reminders else []
    weekday = _select(dict(enumerate(WEEKDAYS)), draft.weekday, "A day")
    blocks += [
        input_block("name", "Name", text_input(MAX_NAME, draft.name), optional=False),
        input_block(
            form.members_block,
            "Members",
            members,
            optional=False,
            hint="Circles work best with 10 to 12 people.",
        ),
        input_block(
            "freq", "Check-ins", choice("radio_buttons", FREQ, [draft.freq]), optional=False
        ),
        input_block("weekday", "Day", weekday, optional=False),
        input_block(
            "nth",
            "Monthly only: which one in the month",
            _select(NTH, draft.nth, "Which one"),
            optional=False,
            hint="For monthly check-ins: the 1st Tuesday, the last Friday…",
        ),
        input_block(
            "every",
            "Every few weeks only: how often",
            _every(draft.every),
            optional=False,
            hint="For check-ins every few weeks.",
        ),
        input_block(
            "time",
            "Time",
            {
                "type": "timepicker",
                "initial_time": f"{draft.minute // 60:02}:{draft.minute % 60:02}",
            },
            optional=False,
        ),
        input_block(
            "tz",
            "Time zone",
            text_input(64, draft.tz),
            optional=False,
            hint="The circle's own time zone, such as Europe/Paris or America/New_York.",
        ),
        input_block(
            "open_for",
            "A check-in stays open for",
            _open_for(draft.open_hours),
            optional=False,
        ),
        input_block(
            "facilitator",
            "Facilitator",
            facilitator,
            hint="Someone who may change the circle, besides you. Optional.",
        ),
        input_block("options", "Options", choice("checkboxes", OPTIONS, ticked)),
    ]
    meta = {"channel": form.channel_id, "circle": form.circle_id, "noted": form.noted}
    if form.unfiltered:
        meta["unfiltered"] = True
    return {
        "type": "modal",
        "callback_id": CIRCLE_SETUP_VIEW,
        "title": plain("Edit the circle" if form.circle_id else "Set up a circle", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def block_for(view: dict, field: str | None) -> str:
    """The block of `view` that shows errors about core's `field` (the name when unknown)."""
    wanted = FIELD_BLOCKS.get(field or "", field or "name")
    ids = [b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"]
    if wanted == MEMBERS:
        wanted = next((i for i in ids if str(i).startswith(MEMBERS)), MEMBERS)
    return wanted if wanted in ids else "name"


def form_of(view: dict) -> Form:
    """Where a submitted (or clicked) setup modal stands: its metadata came back from the
    client, so it is read like any other input."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    channel = meta.get("channel")
    circle = meta.get("circle")
    ids = [b.get("block_id") for b in view.get("blocks") or []]
    return Form(
        channel_id=channel if isinstance(channel, str) else "",
        circle_id=circle if isinstance(circle, int) and not isinstance(circle, bool) else None,
        noted=meta.get("noted") is True,
        unfiltered=meta.get("unfiltered") is True,
        members_block=MEMBERS_KEPT if MEMBERS_KEPT in ids else MEMBERS,
    )


# --- reading the form back: the state Slack sent, or a field's initial value where it sent
# none (a click in the modal may come without the state of untouched fields)

STATE_KEYS = {
    "plain_text_input": ("value", "initial_value"),
    "multi_users_select": ("selected_users", "initial_users"),
    "users_select": ("selected_user", "initial_user"),
    "static_select": ("selected_option", "initial_option"),
    "radio_buttons": ("selected_option", "initial_option"),
    "checkboxes": ("selected_options", "initial_options"),
    "timepicker": ("selected_time", "initial_time"),
}


def current_values(view: dict) -> dict:
    """Each input block's value: as submitted, else as the modal was built."""
    state = ((view.get("state") or {}).get("values")) or {}
    found = {}
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            continue
        block_id, element = block.get("block_id"), block.get("element") or {}
        key, initial = STATE_KEYS.get(element.get("type"), ("value", "initial_value"))
        sent = (state.get(block_id) or {}).get(element.get("action_id"))
        found[block_id] = (sent or {}).get(key) if isinstance(sent, dict) else element.get(initial)
    return found


def _picked(value) -> str | None:
    return value.get("value") if isinstance(value, dict) else None


def _number(value, allowed, field: str, problem: str) -> int:
    picked = _picked(value)
    try:
        number = int(picked)
    except (TypeError, ValueError):
        raise Invalid(problem, field=field) from None
    if number not in allowed:
        raise Invalid(problem, field=field)
    return number


def _minute(value) -> int:
    try:
        moment = time.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid("Pick a time.", field="time") from None
    return moment.hour * 60 + moment.minute


def _zone(value) -> str:
    typed = (value or "").strip() if isinstance(value, str) else ""
    try:
        ZoneInfo(typed)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            "That isn't a time zone I know: write it like Europe/Paris or America/New_York.",
            field="tz",
        ) from None
    return typed


def _people_in(value) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(u for u in value if isinstance(u, str) and u))


def read_setup_form(view: dict, *, strict: bool = True) -> Draft:
    """The modal's values as a draft; Invalid at the first field whose value cannot even be
    read (not `strict`: such a field keeps its default)."""
    values = current_values(view)
    defaults = Draft(name="", members=(), tz="UTC")

    def read(reader, default, *args):
        try:
            return reader(*args)
        except Invalid:
            if strict:
                raise
            return default

    members = values.get(MEMBERS_KEPT, values.get(MEMBERS))
    ticked = {_picked(o) for o in values.get("options") or [] if isinstance(o, dict)}
    freq = _picked(values.get("freq"))
    facilitator, name = values.get("facilitator"), values.get("name")
    return Draft(
        name=name if isinstance(name, str) else "",
        members=_people_in(members),
        tz=read(_zone, defaults.tz, values.get("tz")),
        freq=freq if freq in FREQ else MONTHLY,
        nth=read(_number, defaults.nth, values.get("nth"), NTH, "nth", "Pick which one."),
        weekday=read(_number, defaults.weekday, values.get("weekday"), range(7), "weekday", PICK),
        every=read(_number, defaults.every, values.get("every"), EVERY_WEEKS, "every", EVERY),
        minute=read(_minute, defaults.minute, values.get("time")),
        open_hours=read(
            _number, defaults.open_hours, values.get("open_for"), OPEN_RANGE, "open_for", HOW_LONG
        ),
        facilitator=facilitator if isinstance(facilitator, str) and facilitator else None,
        anonymous=ANONYMOUS in ticked,
        partners=PARTNERS in ticked,
        reminders=REMINDERS in ticked,
    )


PICK, EVERY, HOW_LONG = "Pick a day.", "Every 1 to 8 weeks.", "Pick how long."
OPEN_RANGE = range(1, 14 * 24 + 1)


# --- words for a schedule and a moment


def _ordinal(n: int) -> str:
    if n == LAST:
        return "last"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def describe_rule(rule: Rule) -> str:
    """'Monthly on the 2nd Tuesday at 10:00 Europe/Paris', 'Every 2 weeks on Thursday at 09:30
    America/New_York'."""
    at = f"at {rule.minute // 60:02}:{rule.minute % 60:02} {rule.tz}"
    if rule.freq == WEEKLY:
        often = "Every week" if rule.every == 1 else f"Every {rule.every} weeks"
        days = _and([WEEKDAYS[d] for d in sorted(rule.weekdays)]) if rule.weekdays else "no day"
        return f"{often} on {days} {at}"
    often = "Monthly" if rule.every == 1 else f"Every {rule.every} months"
    if rule.nth is not None and rule.weekday is not None:
        return f"{often} on the {_ordinal(rule.nth)} {WEEKDAYS[rule.weekday]} {at}"
    day = "last day" if rule.month_day == LAST else _ordinal(rule.month_day or 1)
    return f"{often} on the {day} {at}"


def in_zone(when: datetime, tz: str) -> str:
    """'Tuesday, December 8, 2026 at 10:00 Europe/Paris'."""
    local = when.astimezone(ZoneInfo(tz))
    return f"{long_day(local)} at {local:%H:%M} {tz}"


def own_time(when: datetime) -> str:
    """Slack's date token: each viewer reads the moment in their own time zone."""
    fallback = in_zone(when, "UTC")
    stamp = int(when.astimezone(UTC).timestamp())
    return f"<!date^{stamp}^{{date_long_pretty}} at {{time}}|{fallback}>"


def when_line(when: datetime, tz: str) -> str:
    return f"{in_zone(when, tz)} (your time: {own_time(when)})"


def open_words(hours: int) -> str:
    if hours % 168 == 0:
        weeks = hours // 168
        return "1 week" if weeks == 1 else f"{weeks} weeks"
    if hours % 24 == 0:
        days = hours // 24
        return "1 day" if days == 1 else f"{days} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


# --- a circle's card


@dataclass(frozen=True)
class LastCheckIn:
    on: datetime
    challenges: int
    replies: int


@dataclass(frozen=True)
class Card:
    """What `/advisor circle` shows about the channel's circle."""

    circle: Circle
    members: list[str]
    rule: Rule | None
    next_at: datetime | None
    last: LastCheckIn | None = None
    viewer_manages: bool = False
    viewer_is_member: bool = False
    notes: list[str] = field(default_factory=list)  # above it: what a click just did


def _button(text: str, action_id: str, circle_id: int, style: str | None = None) -> dict:
    button = {
        "type": "button",
        "text": plain(text),
        "action_id": action_id,
        "value": str(circle_id),
    }
    if style:
        button["style"] = style
    return button


def archive_button(circle: Circle) -> dict:
    button = _button("Archive", CIRCLE_ARCHIVE, circle.id, "danger")
    button["confirm"] = {
        "title": plain("Archive this circle?", 100),
        "text": plain(
            f"{circle.name} ends: no more check-ins. Its past check-ins and challenges are "
            "kept, and a new circle can start in this channel later.",
            300,
        ),
        "confirm": plain("Archive", 30),
        "deny": plain("Keep it", 30),
        "style": "danger",
    }
    return button


def _state_line(card: Card) -> str:
    circle = card.circle
    if circle.state == CircleState.PAUSED:
        why = f": {escape(circle.paused_why)}" if circle.paused_why else ""
        how = (
            "Resume starts check-ins again from the next one."
            if card.viewer_manages
            else "No check-ins until its owner or facilitator resumes it."
        )
        return f"*Paused*{why}. {how}"
    if card.next_at is None or card.rule is None:
        return "*Next check-in:* none scheduled."
    return f"*Next check-in:* {when_line(card.next_at, card.rule.tz)}"


def _last_line(last: LastCheckIn | None, tz: str) -> str:
    if last is None:
        return "*Last check-in:* none has closed yet."
    local = last.on.astimezone(ZoneInfo(tz))
    challenges = "1 challenge" if last.challenges == 1 else f"{last.challenges} challenges"
    replies = "1 reply" if last.replies == 1 else f"{last.replies} replies"
    return f"*Last check-in,* {long_day(local)}: {challenges} shared, {replies}."


def _options_line(circle: Circle) -> str:
    said = [f"A check-in stays open for {open_words(circle.open_hours)}"]
    said.append("challenges may be anonymous" if circle.anonymous else "challenges carry names")
    said.append("learning partners on" if circle.partners else "no learning partners")
    said.append("member reminders on" if circle.reminders else "no member reminders")
    if circle.facilitator_id:
        said.append(f"facilitated by <@{circle.facilitator_id}>")
    return "; ".join(said) + "."


def build_circle_card(card: Card) -> dict:
    """The channel's circle as an ephemeral message: its people, schedule, next check-in (in
    the circle's time and the viewer's), state and last check-in; its owner's and facilitator's
    controls, or a way in for someone not in it."""
    circle = card.circle
    tz = card.rule.tz if card.rule else "UTC"
    head = f"*{escape(circle.name)}*, the circle of <#{circle.channel_id}>"
    count = len(card.members)
    people = f"*{count} {'person' if count == 1 else 'people'}:* {_people(card.members)}"
    schedule = describe_rule(card.rule) if card.rule else "No schedule"
    lines = [head, people, f"*Check-ins:* {schedule}.", _state_line(card)]
    blocks = [{"type": "section", "text": mrkdwn(note)} for note in card.notes if note]
    blocks += [
        {"type": "section", "text": mrkdwn("\n".join(lines))},
        {"type": "section", "text": mrkdwn(_last_line(card.last, tz))},
        {"type": "context", "elements": [mrkdwn(_options_line(circle))]},
    ]
    buttons = []
    if card.viewer_manages:
        buttons.append(_button("Edit", CIRCLE_EDIT, circle.id))
        if circle.state == CircleState.ACTIVE:
            buttons.append(_button("Pause", CIRCLE_PAUSE, circle.id))
            if card.next_at is not None:
                buttons.append(_button("Skip the next check-in", CIRCLE_SKIP, circle.id))
        else:
            buttons.append(_button("Resume", CIRCLE_RESUME, circle.id, "primary"))
        buttons.append(archive_button(circle))
    if not card.viewer_is_member:
        buttons.insert(0, _button("Join this circle", CIRCLE_JOIN, circle.id, "primary"))
    if buttons:
        blocks.append({"type": "actions", "block_id": "circle", "elements": buttons})
    text = next((n for n in card.notes if n), f"{escape(circle.name)}: {schedule}.")
    return {"text": text, "blocks": blocks}


def build_archived(circle: Circle) -> dict:
    text = (
        f"*{escape(circle.name)}* is archived: no more check-ins. Its past check-ins and "
        "challenges are kept, and `/advisor circle` here can start a new circle."
    )
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


# --- confirmations


def saved_text(circle: Circle, rule: Rule, next_at: datetime | None, *, created: bool) -> str:
    done = "is set up" if created else "is saved"
    first = "The first check-in" if created else "The next check-in"
    coming = f"{first}: {when_line(next_at, rule.tz)}." if next_at else "No check-in is coming."
    return (
        f"*{escape(circle.name)}* {done} in <#{circle.channel_id}>. {describe_rule(rule)}. "
        f"{coming} `/advisor circle` here shows it."
    )


def joined_text(circle: Circle, next_at: datetime | None, tz: str, *, new: bool) -> str:
    head = "You're in" if new else "You're already in"
    coming = f" The next check-in: {when_line(next_at, tz)}." if next_at else ""
    return f"{head} *{escape(circle.name)}* (<#{circle.channel_id}>).{coming}"


# --- the circles a person is in


@dataclass(frozen=True)
class Listed:
    circle: Circle
    next_at: datetime | None
    tz: str


LISTED_PER_SECTION = 5  # a line can be ~550 characters once a name's `&`s are escaped
MAX_LIST_SECTIONS = 45  # and Slack's 50 blocks


def build_circles_list(rows: list[Listed]) -> dict:
    """`/advisor circles`: each circle, its channel, and its next check-in or that it is paused."""
    if not rows:
        return {"text": NO_CIRCLES, "blocks": [{"type": "section", "text": mrkdwn(NO_CIRCLES)}]}
    lines = []
    for row in rows:
        circle = row.circle
        if circle.state == CircleState.PAUSED:
            why = f" ({escape(circle.paused_why)})" if circle.paused_why else ""
            coming = f"paused{why}"
        elif row.next_at is not None:
            coming = f"next check-in {when_line(row.next_at, row.tz)}"
        else:
            coming = "no check-in scheduled"
        lines.append(f"• *{escape(circle.name)}* in <#{circle.channel_id}>: {coming}")
    head = "*Your circles*" if len(rows) > 1 else "*Your circle*"
    blocks = [{"type": "section", "text": mrkdwn(head)}]
    shown = lines[: LISTED_PER_SECTION * (MAX_LIST_SECTIONS)]
    for start in range(0, len(shown), LISTED_PER_SECTION):  # a section holds 3,000 characters
        part = "\n".join(shown[start : start + LISTED_PER_SECTION])
        blocks.append({"type": "section", "text": mrkdwn(part)})
    if len(lines) > len(shown):
        more = f"…and {len(lines) - len(shown)} more."
        blocks.append({"type": "context", "elements": [mrkdwn(more)]})
    return {
        "text": f"You're in {len(rows)} circle{'s' if len(rows) > 1 else ''}.",
        "blocks": blocks,
    }
