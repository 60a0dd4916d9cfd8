"""Setting up circles end to end, over HTTP against the fake Slack: `/advisor circle` in a public
channel (the bot joins by itself; the channel's people, paged, without bots and deactivated
accounts), in a private channel the bot is not in (told to invite it, nothing saved), in a DM;
the note and split past twelve people; one circle per channel; the card for its owner, a member
and someone not in it; pause, resume, skip, archive and edit, and the same buttons crafted by
someone else; `/advisor circles`; joining."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, parse_qsl, urlencode

import pytest
from slack_sdk.models.views import View
from sqlmodel import Session, select

from bot.ids import (
    CIRCLE_ARCHIVE,
    CIRCLE_EDIT,
    CIRCLE_JOIN,
    CIRCLE_PAUSE,
    CIRCLE_RESUME,
    CIRCLE_SKIP,
    CIRCLE_SPLIT,
)
from bot.listeners import circle_setup
from core import circles
from core.models import (
    Challenge,
    ChallengeReply,
    CheckIn,
    CheckInState,
    Circle,
    CircleMember,
    CircleState,
)
from tests.bot.test_circle_setup_views import answered
from tests.e2e.helpers import BOB, DEPLOYBOT, GONE, GRACE, latest_view
from tests.fakes import BOT_USER_ID
from tests.payloads import (
    ALICE,
    FORM,
    block_action,
    modal_click,
    slash_command,
    view_submission,
)

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")
TEAM, CAROL, DAVE, ERIN = "C0TEAM", "U0CAROL", "U0DAVE", "U0ERIN"
# the 2nd Tuesday of December 2026 at 10:00 in New York (EST, UTC-5)
DECEMBER_8 = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
MONTHLY = {"tz": "America/New_York", "freq": "monthly", "nth": "2", "weekday": "1"}
MONTHLY |= {"time": "10:00"}
LATELY = datetime(2026, 11, 10, 16, tzinfo=UTC)


@pytest.fixture
def team(fake_slack):
    """A public channel the bot is not in: four people, a bot and a deactivated account."""
    fake_slack.add_user(CAROL, tz="Europe/London", real_name="Carol Danvers")
    fake_slack.add_user(DAVE, tz="Europe/Berlin", real_name="Dave Brubeck")
    fake_slack.add_user(ERIN, tz="America/Chicago", real_name="Erin Brockovich")
    people = [GRACE, DEPLOYBOT, BOB, GONE, ALICE, CAROL]
    return fake_slack.add_channel(TEAM, name="team", members=people)


def command_in(bot, fake_slack, text: str, *, channel=TEAM, name="team", user=ALICE):
    """`/advisor <text>` typed in `channel`: the answer the person sees (or the empty ack)."""
    body = dict(parse_qsl(slash_command(text, user=user, response_url=fake_slack.response_url())))
    body.update(channel_id=channel, channel_name=name)
    answer = bot.slack.post(urlencode(body), content_type=FORM)
    bot.settle()
    return answer


def open_setup(bot, fake_slack, **where) -> dict:
    opened = len(fake_slack.calls_to("views.open"))
    answer = command_in(bot, fake_slack, "circle", **where)
    assert answer.status == 200
    assert len(fake_slack.calls_to("views.open")) == opened + 1, answer.body
    return latest_view(fake_slack, "views.open")


def submit(bot, view: dict, answers: dict | None = None, user: str = ALICE):
    """Press Save; the state carries the people chosen (multi_users_select) too."""
    form = parse_qs(view_submission(view, answers, user=user))
    payload = json.loads(form["payload"][0])
    payload["view"]["state"] = answered(view, answers)["state"]
    answer = bot.slack.interact(urlencode({"payload": json.dumps(payload)}))
    bot.settle()
    sent = answer.json().get("view") if answer.body.startswith("{") else None
    if sent is not None:
        assert View(**sent).to_dict() == sent
    return answer


def click(bot, fake_slack, action: str, value, user: str = ALICE) -> dict:
    """A button on the card; what the bot answered through the response URL."""
    said = len(fake_slack.calls_to("response_url"))
    url = fake_slack.response_url("card")
    assert (
        bot.slack.interact(block_action(action, str(value), user=user, response_url=url)).status
        == 200
    )
    bot.settle()
    answers = fake_slack.calls_to("response_url")[said:]
    assert len(answers) == 1
    return answers[0].args


def the_circle(engine, channel=TEAM) -> Circle | None:
    with Session(engine) as session:
        return session.exec(select(Circle).where(Circle.channel_id == channel)).first()


def zones(engine, circle_id: int) -> dict[str, str]:
    with Session(engine) as session:
        rows = circles.members(session, circle_id=circle_id)
        return {row.user_id: row.tz for row in rows}


def next_at(engine, circle_id: int):
    with Session(engine) as session:
        found = circles.schedule_of(session, session.get(Circle, circle_id))
        return found.next_at.astimezone(UTC) if found.next_at else None


def initial_members(view: dict) -> list[str]:
    for block in view["blocks"]:
        if block.get("block_id", "").startswith("members"):
            return block["element"].get("initial_users", [])
    raise AssertionError("no members field")


def set_up(bot, fake_slack, answers: dict | None = None, user: str = ALICE) -> dict:
    view = open_setup(bot, fake_slack, user=user)
    answer = submit(bot, view, {**MONTHLY, **(answers or {})}, user=user)
    assert answer.body == "", answer.body
    return view


def texts(message: dict) -> str:
    return json.dumps(message.get("blocks") or message.get("text"), ensure_ascii=False)


def buttons(message: dict) -> list[str]:
    blocks = message.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


# --- setting up


def test_in_a_public_channel_the_people_are_paged_the_bot_joins_and_the_schedule_is_local(
    bot, fake_slack, engine, team, monkeypatch
):
    monkeypatch.setattr(circle_setup, "PAGE_SIZE", 2)
    view = open_setup(bot, fake_slack)

    assert len(fake_slack.calls_to("conversations.members")) == 3  # six people, two a page
    assert initial_members(view) == [ALICE, GRACE, BOB, CAROL]  # no bot, no deactivated account
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["name"]["element"]["initial_value"] == "#team circle"
    assert blocks["tz"]["element"]["initial_value"] == "Europe/Paris"  # the creator's
    assert the_circle(engine) is None and not team.bot_in

    answer = submit(bot, view, MONTHLY)

    assert answer.body == ""  # the modal closes
    assert team.bot_in
    [joined] = fake_slack.calls_to("conversations.join")
    assert joined.args["channel"] == TEAM
    circle = the_circle(engine)
    assert (circle.name, circle.owner_id, circle.open_hours, circle.reminders) == (
        "#team circle",
        ALICE,
        48,
        True,
    )
    assert zones(engine, circle.id) == {
        ALICE: "Europe/Paris",
        BOB: "Asia/Tokyo",
        CAROL: "Europe/London",
        GRACE: "America/New_York",
    }
    assert next_at(engine, circle.id) == DECEMBER_8  # 10:00 in New York, not in Paris
    [told] = fake_slack.calls_to("chat.postEphemeral")
    assert (told.args["channel"], told.args["user"]) == (TEAM, ALICE)
    assert (
        "The first check-in: Tuesday, December 8, 2026 at 10:00 America/New_York"
        in (told.args["text"])
    )
    assert "<!date^1796742000^" in told.args["text"]  # and in each reader's own time


def test_the_bot_already_in_the_channel_does_not_join_again(bot, fake_slack, engine, team):
    fake_slack.join_channel(TEAM, BOT_USER_ID)

    set_up(bot, fake_slack)

    assert fake_slack.calls_to("conversations.join") == []
    assert initial_members(latest_view(fake_slack, "views.open")) == [ALICE, GRACE, BOB, CAROL]
    assert the_circle(engine) is not None


def test_a_private_channel_without_the_bot_is_told_to_invite_it_and_nothing_is_saved(
    bot, fake_slack, engine, team
):
    fake_slack.add_channel("C0SECRET", name="secret", private=True, members=[ALICE, BOB])

    answer = command_in(bot, fake_slack, "circle", channel="C0SECRET", name="secret")

    assert answer.json()["text"].startswith("I can't see this channel")
    assert (
        "Invite me first: `/invite @advisor-bot`, then `/advisor circle` again."
        in (answer.json()["text"])
    )
    assert answer.json()["response_type"] == "ephemeral"
    assert fake_slack.calls_to("views.open") == []
    assert fake_slack.calls_to("conversations.join") == []
    assert the_circle(engine, "C0SECRET") is None


def test_a_private_channel_the_bot_left_before_saving_is_refused_at_the_form(
    bot, fake_slack, engine, team
):
    fake_slack.add_channel("C0SECRET", name="secret", private=True, members=[ALICE, BOB, CAROL])
    fake_slack.join_channel("C0SECRET", BOT_USER_ID)
    view = open_setup(bot, fake_slack, channel="C0SECRET", name="secret")
    assert initial_members(view) == [ALICE, BOB, CAROL]
    fake_slack.remove_bot("C0SECRET")

    answer = submit(bot, view, MONTHLY)

    assert answer.json()["response_action"] == "errors"
    assert "Invite me first with /invite @advisor-bot" in answer.json()["errors"]["name"]
    assert fake_slack.calls_to("conversations.join") == []
    assert the_circle(engine, "C0SECRET") is None


def test_a_private_channel_with_the_bot_in_it_is_set_up_like_any_other(
    bot, fake_slack, engine, team
):
    fake_slack.add_channel("C0SECRET", name="secret", private=True, members=[ALICE, BOB])
    fake_slack.join_channel("C0SECRET", BOT_USER_ID)

    submit(bot, open_setup(bot, fake_slack, channel="C0SECRET", name="secret"), MONTHLY)

    assert the_circle(engine, "C0SECRET").name == "#secret circle"
    assert fake_slack.calls_to("conversations.join") == []


@pytest.mark.parametrize(
    ("channel", "name"), [("D0ALICE", "directmessage"), ("C0MPDM", "mpdm-alice--bob-1")]
)
def test_a_dm_or_group_dm_is_told_circles_run_in_channels(bot, fake_slack, engine, channel, name):
    answer = command_in(bot, fake_slack, "circle", channel=channel, name=name)

    assert answer.json()["text"].startswith("Circles run in channels")
    assert fake_slack.calls_to("views.open") == []
    assert fake_slack.calls_to("conversations.info") == []


def test_an_archived_channel_is_refused(bot, fake_slack, engine, team):
    fake_slack.archive(TEAM)

    answer = command_in(bot, fake_slack, "circle")

    assert answer.json()["text"].startswith("This channel is archived")
    assert fake_slack.calls_to("views.open") == []


def test_bots_and_deactivated_people_chosen_are_refused_at_the_field_by_name(
    bot, fake_slack, engine, team
):
    view = open_setup(bot, fake_slack)

    answer = submit(bot, view, {**MONTHLY, "members": [ALICE, BOB, DEPLOYBOT, GONE]})

    assert answer.json()["response_action"] == "errors"
    assert answer.json()["errors"] == {
        "members": "Deploy Bot is a bot and Gone Person's account is deactivated: a circle is "
        "for people who can take part. Take them out and save again."
    }
    assert the_circle(engine) is None
    assert fake_slack.calls_to("conversations.join") == []


def test_bad_settings_are_answered_at_their_field_and_nothing_is_saved(
    bot, fake_slack, engine, team
):
    view = open_setup(bot, fake_slack)

    for answers, field in [
        ({"name": "  "}, "name"),
        ({"members": [ALICE]}, "members"),
        ({"tz": "Nowhere/Town"}, "tz"),
        ({"freq": "weekly", "every": "1", "open_for": "168"}, "open_for"),
    ]:
        answer = submit(bot, view, {**MONTHLY, **answers})
        assert list(answer.json()["errors"]) == [field], answers

    assert the_circle(engine) is None
    assert fake_slack.calls_to("conversations.join") == []


def test_when_slack_is_slow_to_say_who_is_a_bot_the_form_opens_with_everyone_and_filters_later(
    bot, fake_slack, engine, team, monkeypatch
):
    monkeypatch.setattr(circle_setup, "LOOKUP_SECONDS", 0.05)
    fake_slack.delays["users.info"] = 0.3

    view = open_setup(bot, fake_slack)
    assert initial_members(view) == [ALICE, GRACE, DEPLOYBOT, BOB, GONE, CAROL]
    answer = submit(bot, view, MONTHLY)

    assert answer.body == ""
    assert set(zones(engine, the_circle(engine).id)) == {ALICE, GRACE, BOB, CAROL}


# --- more than twelve


@pytest.fixture
def crowd(fake_slack, team) -> list[str]:
    """Fifteen people in the channel, Alice among them."""
    others = [f"U0P{n:02}" for n in range(14)]
    for user in others:
        fake_slack.add_user(user, tz="Europe/Madrid", real_name=f"Person {user[-2:]}")
    fake_slack.add_channel(TEAM, name="team", members=[ALICE, *others, DEPLOYBOT])
    return [ALICE, *others]


def test_past_twelve_people_a_gentle_note_comes_first_and_saving_again_keeps_everyone(
    bot, fake_slack, engine, crowd
):
    view = open_setup(bot, fake_slack)
    assert initial_members(view) == crowd

    noted = submit(bot, view, MONTHLY).json()

    assert noted["response_action"] == "update"
    assert "Circles work best with 10 to 12 people" in texts(noted["view"])
    assert CIRCLE_SPLIT in buttons(noted["view"])
    assert the_circle(engine) is None
    assert initial_members(noted["view"]) == crowd  # the same form, as it was

    assert submit(bot, noted["view"], MONTHLY).body == ""
    assert len(zones(engine, the_circle(engine).id)) == 15


def test_keeping_the_first_twelve_lists_the_rest_and_saves_twelve(bot, fake_slack, engine, crowd):
    noted = submit(bot, open_setup(bot, fake_slack), MONTHLY).json()["view"]

    bot.slack.interact(modal_click(CIRCLE_SPLIT, "split", view={**noted, "id": "V0SETUP"}))
    bot.settle()

    [update] = fake_slack.calls_to("views.update")
    assert update.args["view_id"] == "V0SETUP"
    shown = update.args["view"]
    assert initial_members(shown) == crowd[:12]
    rest = ", ".join(f"<@{u}>" for u in crowd[12:])
    assert f"*Not in this circle now:* {rest}. They could start a circle of their own" in (
        texts(shown)
    )
    assert CIRCLE_SPLIT not in buttons(shown)
    assert submit(bot, shown, MONTHLY).body == ""
    assert list(zones(engine, the_circle(engine).id)) == crowd[:12]


# --- one per channel, and the card


def test_one_circle_per_channel_even_with_two_forms_open(bot, fake_slack, engine, team):
    first = open_setup(bot, fake_slack)
    second = open_setup(bot, fake_slack, user=GRACE)

    assert submit(bot, first, MONTHLY).body == ""
    answer = submit(bot, second, MONTHLY, user=GRACE)

    assert answer.json()["errors"] == {
        "name": "This channel has a circle already: one per channel."
    }
    with Session(engine) as session:
        assert len(session.exec(select(Circle)).all()) == 1
    assert the_circle(engine).owner_id == ALICE


def test_two_setups_racing_past_the_check_meet_the_unique_index_and_one_is_told(
    bot, fake_slack, engine, team, monkeypatch
):
    first = open_setup(bot, fake_slack)
    second = open_setup(bot, fake_slack, user=GRACE)
    submit(bot, first, MONTHLY)
    monkeypatch.setattr(circles, "in_channel", lambda session, **where: None)  # both passed it

    answer = submit(bot, second, MONTHLY, user=GRACE)

    assert answer.json()["errors"] == {
        "name": "This channel has a circle already: one per channel."
    }
    with Session(engine) as session:
        assert len(session.exec(select(Circle)).all()) == 1


def test_the_channels_circle_shows_its_card_to_its_owner_with_the_controls(
    bot, fake_slack, engine, team
):
    set_up(bot, fake_slack)

    card = command_in(bot, fake_slack, "circle").json()

    assert card["response_type"] == "ephemeral"
    assert len(fake_slack.calls_to("views.open")) == 1  # no second form
    shown = texts(card)
    assert "*#team circle*, the circle of <#C0TEAM>" in shown
    assert f"<@{ALICE}>, <@{BOB}>, <@{CAROL}>, <@{GRACE}>" in shown
    assert "Monthly on the 2nd Tuesday at 10:00 America/New_York" in shown
    assert "Tuesday, December 8, 2026 at 10:00 America/New_York (your time: <!date^" in shown
    assert "none has closed yet" in shown
    assert buttons(card) == [CIRCLE_EDIT, CIRCLE_PAUSE, CIRCLE_SKIP, CIRCLE_ARCHIVE]


def test_a_member_sees_the_card_without_controls_and_someone_else_a_way_in(
    bot, fake_slack, engine, team
):
    set_up(bot, fake_slack)

    member = command_in(bot, fake_slack, "circle", user=GRACE).json()
    outsider = command_in(bot, fake_slack, "circle", user=ERIN).json()

    assert buttons(member) == []
    assert "*#team circle*" in texts(member)
    assert buttons(outsider) == [CIRCLE_JOIN]


def test_the_card_sums_up_the_last_closed_check_in(bot, fake_slack, engine, team):
    set_up(bot, fake_slack)
    circle = the_circle(engine)
    with Session(engine) as session:
        held = CheckIn(
            circle_id=circle.id,
            team_id=circle.team_id,
            occurrence=datetime(2026, 11, 10, 15, tzinfo=UTC),
            closes_at=datetime(2026, 11, 12, 15, tzinfo=UTC),
            state=CheckInState.CLOSED,
            created_at=LATELY,
        )
        session.add(held)
        session.flush()
        for n, author in enumerate([BOB, CAROL]):
            challenge = Challenge(
                team_id=circle.team_id,
                circle_id=circle.id,
                check_in_id=held.id,
                author_id=author,
                text=f"Challenge {n}",
                created_at=LATELY,
                updated_at=LATELY,
            )
            session.add(challenge)
            session.flush()
            for m in range(n + 2):
                session.add(
                    ChallengeReply(
                        challenge_id=challenge.id,
                        team_id=circle.team_id,
                        user_id=GRACE,
                        ts=f"{m}",
                        at=LATELY,
                    )
                )
        session.commit()

    card = command_in(bot, fake_slack, "circle", user=GRACE).json()

    assert "*Last check-in,* Tuesday, November 10, 2026: 2 challenges shared, 5 replies." in (
        texts(card)
    )


# --- the owner's controls


def test_a_check_in_skipped_before_a_pause_stays_skipped_after_resuming(
    bot, fake_slack, engine, team
):
    set_up(bot, fake_slack)
    circle_id = the_circle(engine).id
    january_12 = datetime(2027, 1, 12, 15, tzinfo=UTC)  # the one after December 8

    click(bot, fake_slack, CIRCLE_SKIP, circle_id)
    click(bot, fake_slack, CIRCLE_PAUSE, circle_id)
    click(bot, fake_slack, CIRCLE_RESUME, circle_id)

    assert next_at(engine, circle_id) == january_12


def test_pause_resume_skip_and_archive_each_replace_the_card(bot, fake_slack, engine, team):
    set_up(bot, fake_slack)
    circle_id = the_circle(engine).id

    paused = click(bot, fake_slack, CIRCLE_PAUSE, circle_id)
    assert paused["replace_original"] is True
    assert the_circle(engine).state == CircleState.PAUSED
    assert "Next check-in" not in texts(paused)  # its occurrences pass by while paused
    assert buttons(paused) == [CIRCLE_EDIT, CIRCLE_RESUME, CIRCLE_ARCHIVE]
    assert "Paused: no check-ins until it is resumed." in texts(paused)

    resumed = click(bot, fake_slack, CIRCLE_RESUME, circle_id)
    assert the_circle(engine).state == CircleState.ACTIVE
    assert next_at(engine, circle_id) == DECEMBER_8
    assert buttons(resumed) == [CIRCLE_EDIT, CIRCLE_PAUSE, CIRCLE_SKIP, CIRCLE_ARCHIVE]

    skipped = click(bot, fake_slack, CIRCLE_SKIP, circle_id)
    january_12 = datetime(2027, 1, 12, 15, tzinfo=UTC)  # the 2nd Tuesday of January
    assert next_at(engine, circle_id) == january_12
    assert "The next check-in is skipped. The one after: Tuesday, January 12, 2027" in (
        texts(skipped)
    )

    archived = click(bot, fake_slack, CIRCLE_ARCHIVE, circle_id)
    assert the_circle(engine).state == CircleState.ARCHIVED
    assert "is archived: no more check-ins" in archived["text"]
    assert buttons(archived) == []
    assert open_setup(bot, fake_slack)["callback_id"] == "circle_setup"  # a new one may start


def test_a_control_crafted_by_someone_else_changes_nothing_and_says_so(
    bot, fake_slack, engine, team
):
    set_up(bot, fake_slack)
    circle_id = the_circle(engine).id
    before = next_at(engine, circle_id)

    for action in (CIRCLE_PAUSE, CIRCLE_SKIP, CIRCLE_ARCHIVE, CIRCLE_EDIT):
        answer = click(bot, fake_slack, action, circle_id, user=BOB)
        assert answer["replace_original"] is False
        assert answer["text"] == (
            "Only the person who set up this circle, or its facilitator, can change it. "
            "Nothing changed."
        )

    assert the_circle(engine).state == CircleState.ACTIVE
    assert next_at(engine, circle_id) == before
    assert len(fake_slack.calls_to("views.open")) == 1  # the setup form only


def test_a_control_for_a_circle_that_is_not_there_says_so(bot, fake_slack, engine, team):
    answer = click(bot, fake_slack, CIRCLE_PAUSE, "424242")

    assert answer["text"] == "That circle is archived or gone, so nothing changed."


def test_the_facilitator_may_use_the_controls_too(bot, fake_slack, engine, team):
    set_up(bot, fake_slack, {"facilitator": GRACE})

    card = command_in(bot, fake_slack, "circle", user=GRACE).json()
    assert buttons(card) == [CIRCLE_EDIT, CIRCLE_PAUSE, CIRCLE_SKIP, CIRCLE_ARCHIVE]
    click(bot, fake_slack, CIRCLE_PAUSE, the_circle(engine).id, user=GRACE)

    assert the_circle(engine).state == CircleState.PAUSED


def test_edit_opens_the_form_as_saved_and_saving_changes_the_people_and_schedule(
    bot, fake_slack, engine, team
):
    set_up(bot, fake_slack)
    circle_id = the_circle(engine).id

    bot.slack.interact(
        block_action(CIRCLE_EDIT, str(circle_id), response_url=fake_slack.response_url("card"))
    )
    bot.settle()
    edit = latest_view(fake_slack, "views.open")
    assert edit["title"]["text"] == "Edit the circle"
    assert sorted(initial_members(edit)) == sorted([ALICE, BOB, CAROL, GRACE])
    blocks = {b.get("block_id"): b for b in edit["blocks"]}
    assert blocks["tz"]["element"]["initial_value"] == "America/New_York"
    assert blocks["nth"]["element"]["initial_option"]["value"] == "2"

    changes = {"freq": "weekly", "every": "2", "weekday": "3", "time": "09:30"}
    answer = submit(bot, edit, {"members": [ALICE, BOB, DAVE], "name": "Leads", **changes})

    assert answer.body == ""
    circle = the_circle(engine)
    assert circle.name == "Leads"
    assert zones(engine, circle_id) == {
        ALICE: "Europe/Paris",
        BOB: "Asia/Tokyo",
        DAVE: "Europe/Berlin",
    }
    assert next_at(engine, circle_id) == datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
    told = fake_slack.calls_to("chat.postEphemeral")[-1].args["text"]
    assert "*Leads* is saved in <#C0TEAM>. Every 2 weeks on Thursday at 09:30" in told


# --- /advisor circles, and joining


def test_circles_lists_the_circles_i_am_in_from_anywhere(bot, fake_slack, engine, team):
    fake_slack.add_channel("C0DESIGN", name="design", members=[ALICE, CAROL], bot_in=True)
    set_up(bot, fake_slack)
    submit(bot, open_setup(bot, fake_slack, channel="C0DESIGN", name="design"), MONTHLY)
    click(bot, fake_slack, CIRCLE_PAUSE, the_circle(engine, "C0DESIGN").id)

    mine = command_in(bot, fake_slack, "circles", channel="D0ALICE", name="directmessage").json()
    bobs = command_in(bot, fake_slack, "circles", user=BOB).json()
    erins = command_in(bot, fake_slack, "circles", user=ERIN).json()

    shown = texts(mine)
    assert "*#design circle* in <#C0DESIGN>: paused" in shown
    assert "*#team circle* in <#C0TEAM>: next check-in Tuesday, December 8, 2026 at 10:00" in shown
    assert shown.index("#design") < shown.index("#team")
    assert "*#design" not in texts(bobs) and "*#team circle*" in texts(bobs)
    assert erins["text"].startswith("You're not in any circle")


def test_someone_not_in_the_circle_joins_it_from_the_card(bot, fake_slack, engine, team):
    set_up(bot, fake_slack)
    circle_id = the_circle(engine).id

    refused = click(bot, fake_slack, CIRCLE_JOIN, circle_id, user=ERIN)
    assert "you're not in that one: join it first" in refused["text"]
    assert ERIN not in zones(engine, circle_id)
    fake_slack.join_channel(TEAM, ERIN)
    joined = click(bot, fake_slack, CIRCLE_JOIN, circle_id, user=ERIN)
    again = click(bot, fake_slack, CIRCLE_JOIN, circle_id, user=ERIN)

    assert zones(engine, circle_id)[ERIN] == "America/Chicago"
    assert joined["replace_original"] is True
    assert joined["text"].startswith("You're in *#team circle* (<#C0TEAM>). The next check-in:")
    assert buttons(joined) == []
    assert again["text"].startswith("You're already in *#team circle*")
    with Session(engine) as session:
        rows = session.exec(select(CircleMember).where(CircleMember.user_id == ERIN)).all()
        assert len(rows) == 1


def test_the_same_click_or_form_reaching_the_bot_twice_acts_once(bot, fake_slack, engine, team):
    view = open_setup(bot, fake_slack)
    form = parse_qs(view_submission(view, MONTHLY))
    payload = json.loads(form["payload"][0])
    payload["view"]["state"] = answered(view, MONTHLY)["state"]
    saving = urlencode({"payload": json.dumps(payload)})
    bot.slack.interact(saving)
    bot.settle()
    circle_id = the_circle(engine).id
    skipping = block_action(
        CIRCLE_SKIP, str(circle_id), response_url=fake_slack.response_url("card")
    )

    again = bot.slack.interact(saving)
    bot.slack.interact(skipping)
    bot.settle()
    bot.slack.interact(skipping)
    bot.settle()

    assert "Already done" in texts(again.json()["view"])
    with Session(engine) as session:
        assert len(session.exec(select(Circle)).all()) == 1
    assert next_at(engine, circle_id) == datetime(2027, 1, 12, 15, tzinfo=UTC)  # skipped once
    assert fake_slack.calls_to("response_url")[-1].args["text"].startswith("Already done")


def test_a_channel_too_big_for_a_circle_fills_in_only_the_person_setting_it_up(
    bot, fake_slack, engine
):
    crowd = [ALICE, *(f"U0M{n:03}" for n in range(160))]
    fake_slack.add_channel(TEAM, name="everyone", members=crowd)

    view = open_setup(bot, fake_slack)

    assert initial_members(view) == [ALICE]
    assert "more people than a circle holds, so only you are filled in" in texts(view)
    assert len(fake_slack.calls_to("users.info")) <= 2  # Alice, not 160 lookups


def test_a_channel_slack_will_not_list_fills_in_only_the_person_setting_it_up(
    bot, fake_slack, engine, team
):
    fake_slack.fail("conversations.members", "internal_error")

    view = open_setup(bot, fake_slack)

    assert initial_members(view) == [ALICE]
    assert "couldn't list this channel's people just now" in texts(view)


def test_a_circle_paused_because_the_bot_was_removed_resumes_only_once_it_can_post_again(
    bot, fake_slack, engine, team
):
    set_up(bot, fake_slack)
    circle_id = the_circle(engine).id
    private = fake_slack.channels[TEAM]
    private.private = True  # made private meanwhile, and the bot removed
    fake_slack.remove_bot(TEAM)
    bot.slack.event({"type": "channel_left", "channel": TEAM, "actor_id": BOB})
    bot.settle()
    assert the_circle(engine).state == CircleState.PAUSED

    refused = click(bot, fake_slack, CIRCLE_RESUME, circle_id)

    assert "The circle stays paused" in refused["text"]
    assert the_circle(engine).state == CircleState.PAUSED
    private.private = False  # public again: the bot joins by itself
    click(bot, fake_slack, CIRCLE_RESUME, circle_id)
    assert the_circle(engine).state == CircleState.ACTIVE
    assert fake_slack.calls_to("conversations.join")[-1].args["channel"] == TEAM
