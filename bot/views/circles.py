"""Peer-coaching circles in Block Kit: the check-in in its channel (open, then closed in place),
each challenge as its own message, the share modal, the summary in the check-in's thread, and
the DMs around them (the reminder, the follow-up, learning partners, word to the owner). Pure:
plain rows in, message payloads (`text` for the notification, and `blocks`) out.

Quiet by design: a check-in shows how many challenges were shared, never who did not share, and
an anonymous challenge never shows its author. Names and challenges people typed go through
`escape` once, where they enter mrkdwn; a challenge too long for one section goes on in the next,
so it is always shown whole. Times are Slack's date token: each reader sees their own time."""

import json
from datetime import UTC, datetime

from bot.ids import (
    AWAY,
    CHALLENGE_EDIT,
    CHALLENGE_ENLIST,
    CHALLENGE_MENU,
    CHALLENGE_WITHDRAW,
    CIRCLE_JOIN,
    CIRCLE_REMINDERS_OFF,
    CIRCLE_REMINDERS_ON,
    CIRCLE_SHARE_VIEW,
    FOLLOW_UP_OUTCOME,
    PARTNERS_MET,
    SHARE_CHALLENGE,
)
from bot.views.circle_setup import archive_button
from bot.views.elements import choice, input_block, submitted, text_input
from bot.views.text import escape, mrkdwn, option, plain, shorten
from bot.views.typed import BIDI, TOKEN
from core.check_ins import MAX_TEXT, CheckInView, Shared, Summary
from core.models import Challenge, CheckIn, Circle, Outcome

PROMPT = "What challenge are you facing right now?"
CHUNK = 2900  # escaped typed text in one section (Slack's 3,000), leaving room for a heading
MAX_BLOCKS = 50
WHAT_NEXT = (
    "Those who shared will hear from me before the next check-in: how did it go? Replies in "
    "the threads still help."
)
MAX_THANKED = 60  # mentions in the summary's thanks (a section holds 3,000 characters)
PART_SECTIONS = 12  # a challenge's three parts at most: 3 x 12 sections and 3 more blocks
LINE = 150  # a challenge shortened to one line
WITHDRAWN = "This challenge was withdrawn by the person who shared it."
NONE_SHARED = "No challenges this time. See you at the next check-in."
ANONYMOUS = "anonymous"  # the share modal's checkbox value
OUTCOMES = [
    (Outcome.SOLVED, "Solved"),
    (Outcome.WORKING, "Still working on it"),
    (Outcome.MORE_HELP, "I'd like more help"),
]
ANSWERED = {
    Outcome.SOLVED: (":white_check_mark:", "*Solved.* Well done, and thank you for saying."),
    Outcome.WORKING: (
        ":hourglass_flowing_sand:",
        "*Still working on it.* Your peers' replies stay in its thread.",
    ),
    Outcome.MORE_HELP: (
        ":raised_hand:",
        "*You'd like more help.* It will be listed at the next check-in of the *{name}* circle.",
    ),
}


# --- small pieces


def slack_date(at: datetime) -> str:
    """Slack's date token: each reader sees the day and time where they are; the fallback
    (older clients, some notifications) is in UTC."""
    utc = at.astimezone(UTC)
    fallback = f"{utc:%a, %b} {utc.day}, {utc.year} at {utc:%H:%M} UTC"
    return f"<!date^{int(utc.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def thread_link(channel_id: str | None, ts: str | None) -> str | None:
    """The address of a message (and its thread), once it is posted."""
    if not channel_id or not ts:
        return None
    return f"https://slack.com/archives/{channel_id}/p{ts.replace('.', '')}"


def _section(text: str, accessory: dict | None = None) -> dict:
    block = {"type": "section", "text": mrkdwn(text)}
    return {**block, "accessory": accessory} if accessory else block


def _context(text: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(text)]}


def _button(text: str, action: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": plain(text), "action_id": action, "value": value}
    return {**button, "style": style} if style else button


def _actions(*buttons: dict, block_id: str | None = None) -> dict:
    block = {"type": "actions", "elements": list(buttons)}
    return {**block, "block_id": block_id} if block_id else block


def _message(text: str, blocks: list[dict]) -> dict:
    return {"text": text, "blocks": blocks[:MAX_BLOCKS]}


def _count(n: int, one: str, many: str, none: str | None = None) -> str:
    if n == 0 and none is not None:
        return none
    return f"{n} {one if n == 1 else many}"


def _challenges(n: int) -> str:
    return _count(n, "challenge", "challenges", "no challenges")


def _mentions(user_ids: list[str]) -> str:
    """'<@A>', '<@A> and <@B>', '<@A>, <@B> and <@C>'."""
    shown = [f"<@{u}>" for u in user_ids]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _one_line(typed: str, limit: int = LINE) -> str:
    """Typed text on one line, shortened (never inside a Slack token), as mrkdwn (direction
    marks go first, so none is left standing for a word at either end)."""
    return escape(shorten(" ".join(BIDI.sub("", typed).split()), limit))


def _name(circle: Circle) -> str:
    return escape(circle.name)


def _chunks(typed: str, budget: int = CHUNK) -> list[str]:
    """Typed text as mrkdwn in pieces of at most `budget` characters, split after a line break
    or a space where one is near and never inside a Slack token, so the pieces read as the
    whole: "".join(_chunks(t)) == escape(t)."""
    pieces, rest = [], typed
    while len(escape(rest)) > budget:
        end = _split_at(rest, budget)
        pieces.append(escape(rest[:end]))
        rest = rest[end:]
    return [*pieces, escape(rest)]


def _split_at(typed: str, budget: int) -> int:
    low, high = 1, len(typed)  # the longest start whose mrkdwn fits
    while low < high:
        middle = (low + high + 1) // 2
        if len(escape(typed[:middle])) <= budget:
            low = middle
        else:
            high = middle - 1
    tokens = [(t.start(), t.end()) for t in TOKEN.finditer(typed)]
    end = low
    for start, stop in tokens:
        if start < end < stop:
            end = start or stop  # a token longer than a section is left whole (and cut)
    for space in ("\n", " "):
        at = typed.rfind(space, 0, end) + 1
        if at > end // 2 and not any(start < at < stop for start, stop in tokens):
            return at
    return end


def _typed_sections(typed: str, heading: str = "") -> list[dict]:
    """Typed text over as many sections as it takes (at most PART_SECTIONS), under a heading."""
    chunks = _chunks(typed)[:PART_SECTIONS]
    if heading:
        chunks[0] = f"{heading}\n{chunks[0]}"
    return [_section(chunk) for chunk in chunks]


def _packed(heading: str, lines: list[str], most: int) -> list[dict]:
    """Lines (each well under a section) packed into at most `most` sections under a heading;
    what does not fit is counted ("…and 3 more")."""
    texts, current = [], heading
    for n, line in enumerate(lines):
        if current and len(current) + 1 + len(line) > CHUNK:
            if len(texts) + 1 >= most:
                current += f"\n…and {len(lines) - n} more"
                break
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [_section(text) for text in [*texts, current]]


# --- the check-in in its channel


def _head(circle: Circle) -> dict:
    return _section(f":busts_in_silhouette: *{_name(circle)}* check-in\n*{PROMPT}*")


def _carried_line(challenge: Shared) -> str:
    line = f"• “{_one_line(challenge.text)}”"
    if challenge.author_id:
        line += f" from <@{challenge.author_id}>"
    link = thread_link(challenge.channel_id, challenge.ts)
    return f"{line} · <{link}|see its thread>" if link else line


def _carried(view: CheckInView) -> list[dict]:
    lines = [_carried_line(c) for c in view.carried if not c.withdrawn]
    if not lines:
        return []
    heading = ":repeat: *Back for more help*"
    return [{"type": "divider"}, *_packed(heading, lines, MAX_BLOCKS - 6)]


def _so_far(shared: int) -> str:
    if shared == 0:
        return "No challenges shared yet"
    return f"{_count(shared, 'challenge', 'challenges')} shared so far"


def _away_means(circle: Circle) -> str:
    spared = []
    if circle.reminders:
        spared.append("no reminder")
    if circle.partners:
        spared.append("no learning partner this time")
    away = f" Away? Say so: {' and '.join(spared)}." if spared else ""
    return f"Your challenge gets its own message here, for peers to answer in its thread.{away}"


def open_now_line(check_in: CheckIn) -> str:
    """For the circle's card while a check-in is open."""
    link = thread_link(check_in.channel_id, check_in.ts)
    see = f" (<{link}|see it>)" if link else ""
    return (
        f"*Open now* until {slack_date(check_in.closes_at)}: share a challenge or say you're "
        f"away on the check-in message{see}."
    )


def away_noted(circle: Circle, *, new: bool) -> str:
    """The answer to "I'm away this time": what it spares them, as this circle is set up."""
    if not new:
        return "You said you're away this time already. You can still share a challenge."
    spared = [
        w
        for on, w in ((circle.reminders, "no reminder"), (circle.partners, "no learning partner"))
        if on
    ]
    spares = f": {' and '.join(spared)} this time" if spared else ""
    return f"Noted: you're away this time{spares}. You can still share a challenge while it's open."


def shared_here(circle: Circle, link: str | None) -> dict:
    """After sharing: where the challenge is, for the person who shared it."""
    where = f"<{link}|your challenge>" if link else "your challenge"
    said = f"Shared in <#{circle.channel_id}>: {where}. Peers reply in its thread."
    return _message(said, [_section(f":white_check_mark: {said}")])


def build_check_in(view: CheckInView) -> dict:
    """The check-in as the channel sees it while open: its prompt, when it closes, how many
    challenges were shared (never who), challenges back for more help, and the two buttons."""
    circle, check_in = view.circle, view.check_in
    closes = slack_date(check_in.closes_at)
    value = str(check_in.id)
    buttons = _actions(
        _button("Share a challenge", SHARE_CHALLENGE, value, "primary"),
        _button("I'm away this time", AWAY, value),
    )
    blocks = [
        _head(circle),
        _context(f"Open until {closes} · {_so_far(view.shared)}"),
        *_carried(view),
        buttons,
        _context(_away_means(circle)),
    ]
    text = f"{_name(circle)} check-in is open: {PROMPT.lower()}"
    return _message(text, blocks)


def build_check_in_closed(view: CheckInView) -> dict:
    """The check-in once closed, in place: how many were shared; the summary is in its thread."""
    circle = view.circle
    shared = _challenges(view.shared)
    blocks = [
        _head(circle),
        _context(f":lock: *Closed* · {shared} shared · the summary is in the thread"),
        *_carried(view),
    ]
    text = f"The {_name(circle)} check-in is closed: {shared} shared. The summary is in the thread."
    return _message(text, blocks)


# --- a challenge, as its own message


def _menu(challenge_id: int) -> dict:
    return {
        "type": "overflow",
        "action_id": CHALLENGE_MENU,
        "options": [
            option("Edit", f"{CHALLENGE_EDIT}:{challenge_id}"),
            option("Withdraw", f"{CHALLENGE_WITHDRAW}:{challenge_id}"),
            option("Add someone who helped to my board", f"{CHALLENGE_ENLIST}:{challenge_id}"),
        ],
    }


def _who_brings(challenge: Shared) -> str:
    if challenge.author_id:
        return f"<@{challenge.author_id}> brings a challenge"
    return "A member brings a challenge (shared anonymously)"


def build_challenge(challenge: Shared, circle: Circle) -> dict:
    """A challenge in the channel, for peers to answer in its thread; its menu (everyone sees
    it; only its author may edit or withdraw). Withdrawn: none of its text is left."""
    if challenge.withdrawn:
        return _message(WITHDRAWN, [_section(f":leaves: {WITHDRAWN}")])
    who = _who_brings(challenge)
    blocks = [_section(f":speech_balloon: {who}", _menu(challenge.id))]
    blocks += _typed_sections(challenge.text)
    if challenge.tried.strip():
        blocks += _typed_sections(challenge.tried, "*What I've tried*")
    if challenge.help_wanted.strip():
        blocks += _typed_sections(challenge.help_wanted, "*Help I'd like*")
    blocks.append(
        _context(f"{_name(circle)} check-in · Reply in this thread with a strategy or a question")
    )
    return _message(f"{who}: “{_one_line(challenge.text)}”", blocks)


def build_share_modal(
    *,
    check_in_id: int | None,
    circle_name: str,
    anonymous_allowed: bool,
    existing: Shared | None = None,
    challenge_id: int | None = None,
) -> dict:
    """Sharing a challenge (or editing one: `challenge_id`, prefilled from `existing`)."""
    if challenge_id is None and existing is not None:
        challenge_id = existing.id
    editing = challenge_id is not None
    name = escape(circle_name)

    def typed(field: str) -> str:
        return getattr(existing, field)[:MAX_TEXT] if existing else ""

    intro = (
        f"Your challenge in the *{name}* check-in. The change shows in its message."
        if editing
        else f"For the *{name}* check-in. It gets its own message in the channel, and peers "
        "reply in its thread with strategies or questions."
    )
    blocks = [
        _section(intro),
        input_block(
            "challenge",
            PROMPT,
            text_input(
                MAX_TEXT,
                typed("text"),
                multiline=True,
                placeholder="A sentence or two is enough",
            ),
            optional=False,
        ),
        input_block(
            "tried", "What I've tried", text_input(MAX_TEXT, typed("tried"), multiline=True)
        ),
        input_block(
            "help",
            "Help I'd like",
            text_input(
                MAX_TEXT,
                typed("help_wanted"),
                multiline=True,
                placeholder="e.g. how others handled it, or who to talk to",
            ),
        ),
    ]
    if anonymous_allowed and not editing:
        checkbox = choice("checkboxes", {ANONYMOUS: "Share without my name"}, [])
        hint = "Your name is not shown with it. You can still edit or withdraw it."
        blocks.append(input_block("anonymous", "Anonymous", checkbox, hint=hint))
    meta = {"challenge": challenge_id} if editing else {"check_in": check_in_id}
    return {
        "type": "modal",
        "callback_id": CIRCLE_SHARE_VIEW,
        "title": plain("Edit your challenge" if editing else "Share a challenge", 24),
        "submit": plain("Save" if editing else "Share it", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def read_share_form(values: dict) -> dict:
    """The share modal's answers as typed (core checks them)."""
    chosen = submitted(values, "anonymous").get("selected_options") or []
    return {
        "text": submitted(values, "challenge").get("value") or "",
        "tried": submitted(values, "tried").get("value") or "",
        "help_wanted": submitted(values, "help").get("value") or "",
        "anonymous": any(o.get("value") == ANONYMOUS for o in chosen),
    }


# --- the close


def _replies(challenge: Shared) -> str:
    replies = _count(challenge.replies, "reply", "replies")
    if challenge.replies == 0:
        replies = "no replies yet — it's not too late"
    link = thread_link(challenge.channel_id, challenge.ts)
    return f"<{link}|{replies}>" if link else replies


def _summary_line(challenge: Shared) -> str:
    who = f"<@{challenge.author_id}>" if challenge.author_id else "Shared anonymously"
    back = " (back for more help)" if challenge.carried else ""
    return f"• {who}{back}: “{_one_line(challenge.text)}” · {_replies(challenge)}"


def build_summary(summary: Summary) -> dict:
    """In the check-in's thread at the close: each challenge with its reply count, and thanks
    to those who replied. Never who did not share."""
    shown = [c for c in summary.challenges if not c.withdrawn]
    heading = f":memo: *Summary of the {_name(summary.circle)} check-in*"
    if not shown:
        text = f"Summary of the {_name(summary.circle)} check-in: {NONE_SHARED}"
        return _message(text, [_section(f"{heading}\n{NONE_SHARED}")])
    blocks = _packed(heading, [_summary_line(c) for c in shown], MAX_BLOCKS - 1)
    if summary.thanks:
        named = summary.thanks[:MAX_THANKED]
        more = len(summary.thanks) - len(named)
        people = f"{', '.join(f'<@{u}>' for u in named)} and {more} more" if more > 0 else None
        blocks.append(_section(f"Thanks to {people or _mentions(named)} for replying."))
    blocks.append(_context(WHAT_NEXT))
    text = f"Summary of the {_name(summary.circle)} check-in: {_challenges(len(shown))} shared."
    return _message(text, blocks)


# --- DMs around a check-in


def build_reminder(circle: Circle, check_in: CheckIn) -> dict:
    """The one reminder halfway, to a member who neither shared nor said they are away."""
    said = (
        f"The {_name(circle)} check-in in <#{circle.channel_id}> is open until "
        f"{slack_date(check_in.closes_at)}: bring a challenge, or say you're away this time."
    )
    value = str(check_in.id)
    buttons = _actions(
        _button("Share a challenge", SHARE_CHALLENGE, value, "primary"),
        _button("I'm away this time", AWAY, value),
        _button("Turn off circle reminders", CIRCLE_REMINDERS_OFF, str(circle.id)),
    )
    note = "This is the only reminder for this check-in."
    link = thread_link(check_in.channel_id, check_in.ts)
    if link:
        note += f" <{link}|See the check-in>"
    text = (
        f"Reminder: the {_name(circle)} check-in in <#{circle.channel_id}> is open. Bring a "
        "challenge, or say you're away."
    )
    return _message(text, [_section(said), buttons, _context(note)])


def _outcome_buttons(challenge_id: int) -> list[dict]:
    """Side by side: each its own action id (Slack wants them unique in a block), all starting
    with FOLLOW_UP_OUTCOME; the value says which outcome and which challenge."""
    return [
        _actions(
            *(
                _button(
                    label,
                    f"{FOLLOW_UP_OUTCOME}_{outcome}",
                    f"{outcome}:{challenge_id}",
                    "primary" if outcome == Outcome.SOLVED else None,
                )
                for outcome, label in OUTCOMES
            ),
            block_id="outcome",
        )
    ]


def _how_did_it_go(challenge: Challenge) -> str:
    return f"How did it go with “{_one_line(challenge.text)}”?"


def build_follow_up(challenge: Challenge, circle: Circle) -> dict:
    """The one follow-up DM to a challenge's author."""
    asked = f"{_how_did_it_go(challenge)} (from the {_name(circle)} check-in)"
    blocks = [
        _section(asked),
        *_outcome_buttons(challenge.id),
        _context("“I'd like more help” brings it back at the next check-in, for more ideas."),
    ]
    return _message(asked, blocks)


def build_follow_up_answered(challenge: Challenge, circle: Circle) -> dict:
    """The follow-up once answered, in place: what they chose."""
    mark, chosen = ANSWERED.get(challenge.outcome, (":ok_hand:", "Thank you for answering."))
    chosen = chosen.format(name=_name(circle))
    asked = _how_did_it_go(challenge)
    return _message(f"{asked} {chosen}", [_section(asked), _section(f"{mark} {chosen}")])


def build_partners(circle: Circle, members: list[str], next_check_in: datetime | None) -> dict:
    """The group DM introducing learning partners; someone alone is told there was nobody to
    pair them with this time."""
    before = (
        f"before the next check-in ({slack_date(next_check_in)})"
        if next_check_in
        else ("before the next check-in")
    )
    if len(members) < 2:
        said = (
            f"Everyone else in *{_name(circle)}* is away this time, so there was "
            "nobody to pair you with as a learning partner. You'll be paired again at the next "
            "check-in."
        )
        return _message(said, [_section(f":seedling: {said}")])
    meet = "meet one-to-one" if len(members) == 2 else "meet, the three of you,"
    said = (
        f"{_mentions(members)}: you're learning partners in *{_name(circle)}*. "
        f"Find half an hour to {meet} {before}: how your challenges are going, and what each "
        "of you is trying next."
    )
    blocks = [
        _section(f":handshake: {said}"),
        _context("At the next check-in I'll ask whether you met."),
    ]
    text = f"You're learning partners in {_name(circle)}: meet before the next check-in."
    return _message(text, blocks)


def build_met_question(circle: Circle, members: list[str], pairing_id: int) -> dict:
    """At the next check-in, to learning partners: did you meet?"""
    asked = (
        f"{_mentions(members)}: you were learning partners after the last *{_name(circle)}* "
        "check-in. Did you meet?"
    )
    text = f"Learning partners in {_name(circle)}: did you meet?"
    answers = [
        _actions(
            _button("Yes, we met", f"{PARTNERS_MET}_yes", f"yes:{pairing_id}", "primary"),
            _button("Not this time", f"{PARTNERS_MET}_no", f"no:{pairing_id}"),
            block_id="met",
        )
    ]
    anyone = "Either of you" if len(members) == 2 else "Any of you"
    return _message(text, [_section(asked), *answers, _context(f"{anyone} can answer.")])


def build_met_answered(met: bool) -> dict:
    said = (
        ":tada: Glad you met. Thank you for saying."
        if met
        else "Thank you for saying. There are new learning partners at each check-in."
    )
    return _message(said, [_section(said)])


# --- word to the owner, and answers to one person


def build_missed(circle: Circle, check_in: CheckIn) -> dict:
    """To the owner: a check-in skipped because it could not be posted in its window (the bot
    was offline, or Slack kept it waiting, for all of it)."""
    said = (
        f"The *{_name(circle)}* check-in in <#{circle.channel_id}> due "
        f"{slack_date(check_in.occurrence)} was skipped: I couldn't post it at any time it would "
        f"have been open (until {slack_date(check_in.closes_at)}), because I was offline or "
        "Slack kept me waiting. The next one comes as planned; there is nothing for you to do."
    )
    return _message(said, [_section(f":warning: {said}")])


GONE_FAULTS = {"channel_deleted", "group_deleted"}
ARCHIVED_FAULTS = {"channel_archive", "group_archive", "is_archived"}
REMOVED_FAULTS = {"channel_left", "group_left", "not_in_channel"}


def build_paused(circle: Circle, why: str, fault: str = "") -> dict:
    """To the owner: the circle paused by a fault (Slack's word for it: `fault`), what to do
    about it, and a button to archive it instead."""
    channel = f"<#{circle.channel_id}>"
    said = (
        f"Your circle *{_name(circle)}* in {channel} is paused because {escape(why)}. No "
        "check-ins go out until it is resumed."
    )
    resume = f"type `/advisor circle` in {channel} and press *Resume*"
    if fault in GONE_FAULTS:
        how = "The channel is gone, so this circle can't go on there: archive it (its history "
        how += "is kept), and start a new one in another channel if you like."
    elif fault in ARCHIVED_FAULTS:
        how = f"To resume it: unarchive the channel, then {resume}."
    elif fault == "channel_not_found":  # deleted, or private and the bot removed from it
        how = (
            f"If the channel still exists, invite me back (`/invite @advisor-bot`), then {resume}. "
            "If it was deleted, archive the circle."
        )
    elif fault in REMOVED_FAULTS:
        how = f"To resume it: invite me back (`/invite @advisor-bot`), then {resume}."
    else:
        how = f"To resume it: let me post in the channel again (ask its admins), then {resume}."
    blocks = [
        _section(f":pause_button: {said}"),
        _section(how),
        _actions(archive_button(circle)),
    ]
    return _message(f"Your circle {_name(circle)} is paused: {escape(why)}.", blocks)


def build_not_in_circle(circle: Circle) -> dict:
    """For someone outside the circle who pressed one of its buttons (ephemeral)."""
    said = f"You're not in *{_name(circle)}* yet."
    blocks = [
        _section(f"{said} Join it to bring challenges to its check-ins and help your peers."),
        _actions(_button("Join the circle", CIRCLE_JOIN, str(circle.id), "primary")),
    ]
    return _message(f"You're not in {_name(circle)} yet.", blocks)


def build_reminders_off(circle: Circle) -> dict:
    """Circle reminders turned off: what that means, and a button to turn them back on."""
    channel = f"<#{circle.channel_id}>"
    said = (
        f"Circle reminders are off for *{_name(circle)}*: no more reminder DMs about "
        f"its check-ins. You'll still see each check-in in {channel}."
    )
    back_on = _button("Turn circle reminders back on", CIRCLE_REMINDERS_ON, str(circle.id))
    return _message(said, [_section(said), _actions(back_on)])


def build_reminders_on(circle: Circle) -> dict:
    """Circle reminders turned back on."""
    said = (
        f"Circle reminders are on again for *{_name(circle)}*: one DM halfway "
        "through a check-in, only if you haven't shared or said you're away."
    )
    off = _button("Turn off circle reminders", CIRCLE_REMINDERS_OFF, str(circle.id))
    return _message(said, [_section(said), _actions(off)])
