"""Text people type is shown as typed, exactly once, by every builder that shows it: never
escaped twice, never a ping (@channel, @here, @everyone, a user group, another member), never a
`<` Slack would read as markup, never a direction override, always valid Block Kit.

A typed string is built from pieces whose reading is known (bot/views/typed.py documents it):
`&`, `<`, `>`, mrkdwn's `* _ ~ \\``, Slack's tokens (special mentions, a member, a channel, links),
direction controls, emoji and letters. What a reader sees is checked by rendering the mrkdwn the
way Slack does (`as_slack_shows`)."""

import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.listeners.commands import AVAILABLE
from bot.views.board import Entry, build_board_message, build_home
from bot.views.dates import build_which_day
from bot.views.first_use import build_sample
from bot.views.help import build_help_message
from bot.views.history import build_history_modal
from bot.views.notices import build_notice
from bot.views.nudges import (
    build_forward_offer,
    build_nudge_message,
    build_recorded_under,
    build_which_one,
)
from bot.views.promises import (
    build_drop_modal,
    build_promises_message,
    build_renegotiate_modal,
    build_update_for_advisor,
    build_update_modal,
    build_update_undelivered,
)
from bot.views.text import escape, plain, said
from bot.views.typed import from_slack, readable
from bot.views.who import (
    Person,
    build_among_alumni,
    build_among_alumni_modal,
    build_logged_for_alumnus,
)
from bot.views.who import build_which_one as build_which_person
from core import due
from core.errors import Invalid
from core.first_use import NextNudge
from core.history import Entry as HistoryEntry
from core.history import Page
from core.models import Nudge, NudgeKind, Touchpoint
from core.nudge_contents import Shown, WeekAhead
from core.promises import Keeping
from tests.bot.test_board_views import an_advisor
from tests.bot.test_promise_views import a_promise
from tests.payloads import as_slack_sends

NOW = datetime(2026, 11, 23, 14, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
MEMBER = "U0ALICE"  # the member: the one mention the bot makes on its own (an update's sender)

# (typed, what a reader sees once it is shown in mrkdwn as Slack renders it)
PIECES = [
    ("<!channel>", "@channel"),
    ("<!here>", "@here"),
    ("<!everyone>", "@everyone"),
    ("<!subteam^S123|@team>", "@team"),
    ("<@U123>", "@U123"),
    ("<@U123|maya>", "@maya"),
    ("<#C123|general>", "#C123"),  # Slack shows the channel's own name for <#C123>
    ("<https://x.io/a?b=1&c=2|the deck>", "the deck"),
    ("<https://x.io>", "https://x.io"),
    ("\u202e", ""),
    ("\u2066", ""),
    ("\u200f", ""),
    ("😀", "😀"),
    ("👩🏽‍💻", "👩🏽‍💻"),
    ("R&D", "R&D"),
]
ORDINARY = st.text(alphabet="abcXYZ &<>*_~`", min_size=1, max_size=4)
PIECE = st.one_of(st.sampled_from(PIECES), ORDINARY.map(lambda s: (s, s)))
TYPED = (
    st.lists(PIECE, min_size=1, max_size=6)
    .map(lambda parts: ("".join(t for t, _ in parts), "".join(s for _, s in parts)))
    .filter(lambda pair: pair[0].strip() and pair[1].strip())
)

LINK = re.compile(r"<((?:https?|mailto):[^|<>]+)(?:\|([^<>]*))?>")
CHANNEL = re.compile(r"<#(C[A-Z0-9]+)>")
OWN_MENTION = f"<@{MEMBER}>"
DATA = ("value", "private_metadata")
# a special mention, a user group or a member (other than the member's own, which the bot adds)
PING = re.compile(rf"<(![a-z][^<>]*|@(?!{MEMBER}>)[UW][A-Z0-9]+(\|[^<>]*)?)>")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def as_slack_shows(mrkdwn: str) -> str:
    """What Slack shows for mrkdwn: links as their label, channels as #id here, entities once."""
    shown = LINK.sub(lambda m: m.group(2) or m.group(1), mrkdwn)
    shown = CHANNEL.sub(lambda m: "#" + m.group(1), shown)
    shown = shown.replace(OWN_MENTION, "@alice")
    return shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def texts(payload, mrkdwn_only=False):
    """Every text a payload shows: (kind, text) for text objects and a message's `text`."""
    if isinstance(payload, dict):
        if payload.get("type") in ("mrkdwn", "plain_text") and isinstance(payload.get("text"), str):
            if not mrkdwn_only or payload["type"] == "mrkdwn":
                yield payload["type"], payload["text"]
            return
        for key, value in payload.items():
            if key == "text" and isinstance(value, str):
                yield "mrkdwn", value  # a message's own text: Slack parses it as mrkdwn
            elif key != "value":  # a button's value is data, never shown
                yield from texts(value, mrkdwn_only)
    elif isinstance(payload, list):
        for item in payload:
            yield from texts(item, mrkdwn_only)


def without_data(payload):
    """The payload without what is never shown (a button's value, a view's metadata)."""
    if isinstance(payload, dict):
        return {k: without_data(v) for k, v in payload.items() if k not in DATA}
    return [without_data(v) for v in payload] if isinstance(payload, list) else payload


def assert_safe(payload: dict, *, view: bool = False) -> str:
    """No ping, no markup Slack would read, no direction override, valid Block Kit; returns
    every shown text as Slack shows it, joined."""
    everything = json.dumps(without_data(payload), ensure_ascii=False)
    assert not PING.search(everything), everything
    assert not BIDI.search(everything), everything
    shown = []
    for kind, text in texts(payload):
        if kind == "mrkdwn":
            bare = CHANNEL.sub("", LINK.sub("", text.replace(OWN_MENTION, "")))
            assert "<" not in bare, text  # anything else Slack would parse as markup
            shown.append(as_slack_shows(text))
        else:
            shown.append(text)
    joined = "\n".join(shown)
    for entity in ("&amp;", "&lt;", "&gt;"):
        assert entity not in joined, joined  # typed text never has ';': this is escaped twice
    if view:
        assert View(**payload).to_dict() == payload
    else:
        for block in payload.get("blocks", []):
            assert Block.parse(block).to_dict() == block
            Block.parse(block).validate_json()
    return joined


def entry(typed: str, **advisor) -> Entry:
    touch = Touchpoint(
        id=1,
        team_id="T0TEST",
        owner_id=MEMBER,
        advisor_id=1,
        at=NOW - timedelta(days=20),
        note=typed,
    )
    return Entry(
        an_advisor(1, name=typed, **advisor),
        latest=touch,
        promises=(a_promise(1, what=typed),),
        keeping=Keeping(open=1, kept_on_time=1),
    )


def shown(kind: str, typed: str, **nudge) -> Shown:
    advisor = an_advisor(1, name=typed, notes=typed, gains=typed)
    promise = a_promise(1, what=typed) if kind.startswith("promise") else None
    subject = promise or advisor
    cycle = due.stamp(advisor.next_touch_due_at) if promise is None else "c"
    values = {"id": 7, "team_id": "T0TEST", "owner_id": MEMBER, "kind": kind}
    values |= {"subject_id": subject.id, "cycle": cycle, "outbox_id": 1} | nudge
    touch = Touchpoint(team_id="T0TEST", owner_id=MEMBER, advisor_id=1, at=NOW, note=typed)
    return Shown(Nudge(**values), advisor, promise, last_touch=touch)


SETTINGS = settings(  # the same examples on every run: CI is never red by chance
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(TYPED)
def test_the_board_on_home_shows_names_notes_and_promises_as_typed(pair):
    typed, seen = pair
    home = build_home([entry(typed)], [typed], now=NOW, zone=PARIS)

    text = assert_safe(home, view=True)
    assert f"*{seen}*" in text  # the advisor's name
    assert f"“{seen}”" in text  # the promise
    assert seen in text.split("Alumni: ", 1)[1]


@SETTINGS
@given(TYPED)
def test_the_list_and_the_alumni_list_show_text_as_typed(pair):
    typed, seen = pair
    for alumni in (False, True):
        message = build_board_message([entry(typed)], now=NOW, zone=PARIS, alumni=alumni)

        assert f"*{seen}*" in assert_safe(message)


@SETTINGS
@given(TYPED)
def test_the_promises_list_shows_what_was_promised_and_to_whom_as_typed(pair):
    typed, seen = pair
    items = [(a_promise(1, what=typed), an_advisor(1, name=typed))]
    message = build_promises_message(items, now=NOW, zone=PARIS, overall=Keeping())

    text = assert_safe(message)
    assert f"To *{seen}*" in text and f"“{seen}”" in text


@SETTINGS
@given(TYPED)
def test_nudges_and_their_notification_show_text_as_typed_and_never_ping(pair):
    typed, seen = pair
    items = [shown(NudgeKind.TOUCH, typed), shown(NudgeKind.PROMISE_DUE, typed)]
    ahead = WeekAhead([an_advisor(1, name=typed)], [(a_promise(1, what=typed), an_advisor(1))])
    message = build_nudge_message(items, ahead, now=NOW, zone=PARIS)

    text = assert_safe(message)
    assert f"Stay in touch with *{seen}*" in text
    assert f"“{seen}” for *{seen}*" in text
    if len(typed) <= 120:  # a longer note is shortened in the opener (whole tokens only)
        assert f"Last time: “{seen}”" in text
    assert seen in as_slack_shows(message["text"])  # the notification names them


@SETTINGS
@given(TYPED)
def test_a_nudge_dealt_with_shows_what_was_recorded_as_typed(pair):
    typed, seen = pair
    done = shown(NudgeKind.PROMISE_DUE, typed, outcome="updated", outcome_text=typed)

    text = assert_safe(build_nudge_message([done], WeekAhead([], []), now=NOW, zone=PARIS))
    assert f"Progress update saved: {seen}" in text
    assert_safe(build_recorded_under(done))
    assert_safe(build_which_one([done, shown(NudgeKind.TOUCH, typed)], typed))


@SETTINGS
@given(TYPED, TYPED)
def test_a_forwarded_update_reads_as_typed_for_the_advisor(what, update):
    promise = a_promise(1, what=what[0])

    text = assert_safe(build_update_for_advisor(promise, MEMBER, update[0]))
    assert f"“{what[1]}”" in text
    assert "\n".join(f">{line}" for line in update[1].splitlines()) in text
    assert_safe(build_update_undelivered(what[0], "user_not_found", update[0]))


@SETTINGS
@given(TYPED)
def test_confirmations_and_modals_show_names_and_promises_as_typed(pair):
    typed, seen = pair
    advisor, promise = an_advisor(1, name=typed, slack_user_id="U0GRACE"), a_promise(1, what=typed)

    assert f"*“{seen}”* for {seen}" in assert_safe(build_update_modal(promise, advisor), view=True)
    assert_safe(build_renegotiate_modal(promise), view=True)
    assert_safe(build_drop_modal(promise, advisor), view=True)
    assert f"Send it on to {seen}?" in assert_safe(build_forward_offer(typed, 1))
    problem = Invalid(f"{typed} isn't on Slack: send it to them yourself.")
    assert f"{seen} isn't on Slack" in assert_safe(
        build_notice("Nothing changed", said(problem)), view=True
    )


@SETTINGS
@given(TYPED)
def test_the_help_card_names_back_what_was_asked_safely(pair):
    typed, _ = pair
    assert_safe(build_help_message(AVAILABLE, asked=typed.split()[0].lower()))


@SETTINGS
@given(TYPED)
def test_slack_escaped_text_is_stored_as_typed_and_shown_once(pair):
    typed, seen = pair

    stored = from_slack(as_slack_sends(typed))

    assert stored == typed.replace("<@U123>", "<@U123|u123>")  # Slack labels a member
    assert as_slack_shows(escape(typed)) == seen
    assert not BIDI.search(readable(stored)) and "<!" not in plain(stored, 3000)["text"]


@SETTINGS
@given(TYPED)
def test_the_history_shows_touchpoints_and_promises_as_typed(pair):
    typed, seen = pair
    advisor = an_advisor(1, name=typed)
    touch = Touchpoint(id=3, team_id="T0TEST", owner_id=MEMBER, advisor_id=1, at=NOW, note=typed)
    promise = a_promise(1, what=typed)
    entries = (
        HistoryEntry(NOW, touchpoint=touch),
        HistoryEntry(NOW - timedelta(days=1), promise=promise),
    )

    modal = build_history_modal(Page(advisor, entries, None, True), now=NOW, zone=PARIS)

    text = assert_safe(modal, view=True)
    assert seen in text


@SETTINGS
@given(TYPED, TYPED)
def test_which_one_and_which_day_questions_show_names_and_notes_as_typed(name, note):
    people = [Person(1, name[0], False), Person(2, name[0] + " B", True)]
    recording = f"a touchpoint: “{escape(note[0])}”"

    asked = build_which_person(
        name[0], people, ["1", "2"], action="who_log", recordings=[recording, recording]
    )
    day_asked = build_which_day(
        "Which day?", [NOW.date()], ["1"], action="who_promise", today=NOW.date(),
        recording=recording,
    )  # fmt: skip

    assert note[1] in assert_safe(asked) and name[1] in assert_safe(asked)
    assert note[1] in assert_safe(day_asked)
    assert_safe(build_logged_for_alumnus(name[0], 1))
    assert_safe(build_among_alumni(name[0], 1))
    assert_safe(build_among_alumni_modal(name[0], 1), view=True)


@SETTINGS
@given(TYPED)
def test_the_sample_nudge_and_the_next_nudge_line_show_names_as_typed(pair):
    typed, seen = pair
    advisor = an_advisor(1, name=typed, notes=typed)

    sample = build_sample(advisor, None, now=NOW, zone=PARIS)
    upcoming = NextNudge(at=NOW + timedelta(days=1), about=f"your promise to {typed}")
    home = build_home([entry(typed)], [], now=NOW, zone=PARIS, upcoming=upcoming)

    assert seen in assert_safe(sample)
    assert f"about your promise to {seen}" in assert_safe(home, view=True)
