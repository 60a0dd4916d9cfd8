"""The fake Slack answers like Slack's reference examples (../shared/slack-reference), over HTTP."""

import json

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes import BOT_TOKEN, BOT_USER_ID
from tests.payloads import ALICE
from tests.reference import reference_file

HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}
MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Enlist an advisor"},
    "blocks": HOME["blocks"],
}
CALLS = {
    "auth.test": {},
    "users.info": {"user": ALICE},
    "conversations.open": {"users": ALICE},
    "chat.postMessage": {"channel": "D0ALICE", "text": "hello"},
    "chat.postEphemeral": {"channel": "C0GENERAL", "user": ALICE, "text": "hello"},
    "chat.update": {"channel": "D0ALICE", "ts": "1.2", "text": "hello again"},
    "views.open": {"trigger_id": "1.2.3", "view": MODAL},
    "views.push": {"trigger_id": "1.2.3", "view": MODAL},
    "views.update": {"view_id": "V1", "view": MODAL},
    "views.publish": {"user_id": ALICE, "view": HOME},
}


def success_example(method: str) -> dict:
    path = reference_file("slack-api-ref-methods", f"{method}.json")
    examples = json.loads(path.read_text())["examples"]
    return examples["success"]["example"]


@pytest.mark.parametrize("method", CALLS)
def test_the_fake_answers_with_the_fields_of_slacks_success_example(fake_slack, method):
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)

    answer = client.api_call(method, json=CALLS[method]).data

    expected = set(success_example(method)) - {"warning", "response_metadata", "message"}
    assert expected <= set(answer)
    if isinstance(success_example(method).get("user"), dict):
        assert {"id", "tz", "tz_offset", "real_name"} <= set(answer["user"])


def test_the_fake_refuses_a_view_that_breaks_block_kit_limits(fake_slack):
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    too_long = {**MODAL, "title": {"type": "plain_text", "text": "x" * 40}}

    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.views_open(trigger_id="1.2.3", view=too_long)


def test_the_fake_refuses_a_wrong_token_like_slack(fake_slack):
    client = WebClient(token="xoxb-someone-else", base_url=fake_slack.api_url)

    with pytest.raises(SlackApiError, match="invalid_auth"):
        client.auth_test()


# -- channels a test makes known (peer-coaching circles)

BOB, CAROL = "U0BOB", "U0CAROL"
CIRCLE = "C0CIRCLE"


@pytest.fixture
def client(fake_slack):
    fake_slack.add_user(BOB)
    fake_slack.add_user(CAROL)
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


def refusal(call) -> str:
    with pytest.raises(SlackApiError) as refused:
        call()
    return refused.value.response["error"]


def info_example() -> dict:
    spec = json.loads(reference_file("slack-api-specs", "slack_web_openapi_v2.json").read_text())
    success = spec["paths"]["/conversations.info"]["get"]["responses"]["200"]
    return success["examples"]["application/json"]["channel"]


def test_a_known_channel_is_described_with_the_fields_of_slacks_conversations_info(
    fake_slack, client
):
    fake_slack.add_channel(CIRCLE, name="circle-one", members=[ALICE], bot_in=True)

    channel = client.conversations_info(channel=CIRCLE)["channel"]

    assert set(info_example()) - {"last_read", "locale"} <= set(channel)
    assert channel["id"] == CIRCLE and channel["name"] == "circle-one"
    assert (channel["is_channel"], channel["is_private"], channel["is_archived"]) == (
        True,
        False,
        False,
    )
    assert channel["is_member"] is True


def test_a_channel_counts_its_members_and_the_bot_only_when_asked_like_slack(fake_slack, client):
    fake_slack.add_channel(CIRCLE, members=[ALICE, BOB], bot_in=True)

    assert "num_members" not in client.conversations_info(channel=CIRCLE)["channel"]
    counted = client.conversations_info(channel=CIRCLE, include_num_members=True)["channel"]
    assert counted["num_members"] == 3


def test_a_public_channel_the_bot_is_not_in_is_described_as_not_a_member(fake_slack, client):
    fake_slack.add_channel(CIRCLE, members=[ALICE])

    assert client.conversations_info(channel=CIRCLE)["channel"]["is_member"] is False


def test_a_private_channel_is_not_found_until_the_bot_is_in_it(fake_slack, client):
    fake_slack.add_channel(CIRCLE, private=True, members=[ALICE])

    assert refusal(lambda: client.conversations_info(channel=CIRCLE)) == "channel_not_found"
    fake_slack.join_channel(CIRCLE, BOT_USER_ID)
    channel = client.conversations_info(channel=CIRCLE)["channel"]
    assert (channel["is_private"], channel["is_channel"], channel["is_group"]) == (
        True,
        True,
        False,
    )


def test_a_private_channel_from_before_2021_is_a_group_not_a_channel(fake_slack, client):
    fake_slack.add_channel("G0OLDCIRCLE", private=True, bot_in=True)

    channel = client.conversations_info(channel="G0OLDCIRCLE")["channel"]

    assert (channel["is_private"], channel["is_channel"], channel["is_group"]) == (
        True,
        False,
        True,
    )


def test_an_unknown_a_deleted_and_another_workspaces_channel_are_not_found(fake_slack, client):
    fake_slack.add_channel(CIRCLE, bot_in=True)
    fake_slack.delete_channel(CIRCLE)
    fake_slack.add_channel("C0ELSEWHERE", bot_in=True, team_id="T0OTHER")

    for channel in ("C0NOSUCH", CIRCLE, "C0ELSEWHERE"):
        assert refusal(lambda c=channel: client.conversations_info(channel=c)) == (
            "channel_not_found"
        )


def test_members_come_in_pages_of_a_hundred_until_the_cursor_is_empty(fake_slack, client):
    people = [f"U{n:04d}" for n in range(230)]
    fake_slack.add_channel(CIRCLE, members=people, bot_in=True)

    pages, cursor = [], None
    while cursor != "":
        answer = client.conversations_members(channel=CIRCLE, cursor=cursor)
        pages.append(answer["members"])
        cursor = answer["response_metadata"]["next_cursor"]

    assert [len(page) for page in pages] == [100, 100, 31]
    assert [member for page in pages for member in page] == [*people, BOT_USER_ID]


def test_members_take_a_limit_and_a_cursor_slack_gave(fake_slack, client):
    fake_slack.add_channel(CIRCLE, members=[ALICE, BOB, CAROL])

    first = client.conversations_members(channel=CIRCLE, limit=2)
    cursor = first["response_metadata"]["next_cursor"]
    last = client.conversations_members(channel=CIRCLE, limit=2, cursor=cursor)

    assert (first["members"], last["members"]) == ([ALICE, BOB], [CAROL])
    assert last["response_metadata"]["next_cursor"] == ""
    bad = refusal(lambda: client.conversations_members(channel=CIRCLE, cursor="not-ours"))
    assert bad == "invalid_cursor"


def test_members_include_bots_and_deactivated_people_the_test_put_in(fake_slack, client):
    fake_slack.add_user("U0HELPER", is_bot=True)
    fake_slack.add_user("U0GONE", deleted=True)
    fake_slack.add_channel(CIRCLE, members=[ALICE, "U0HELPER", "U0GONE"])

    assert client.conversations_members(channel=CIRCLE)["members"] == [
        ALICE,
        "U0HELPER",
        "U0GONE",
    ]
    gone = client.users_info(user="U0GONE")["user"]
    assert (gone["deleted"], client.users_info(user="U0HELPER")["user"]["is_bot"]) == (True, True)


def test_members_of_a_private_channel_without_the_bot_are_not_found_but_archived_ones_answer(
    fake_slack, client
):
    fake_slack.add_channel(CIRCLE, private=True, members=[ALICE])
    fake_slack.add_channel("C0OLD", members=[ALICE], archived=True)

    assert refusal(lambda: client.conversations_members(channel=CIRCLE)) == "channel_not_found"
    assert client.conversations_members(channel="C0OLD")["members"] == [ALICE]


def test_members_change_as_people_join_and_leave(fake_slack, client):
    fake_slack.add_channel(CIRCLE, members=[ALICE, BOB], bot_in=True)

    fake_slack.leave(CIRCLE, BOB)
    fake_slack.join_channel(CIRCLE, CAROL)
    fake_slack.remove_bot(CIRCLE)

    assert client.conversations_members(channel=CIRCLE)["members"] == [ALICE, CAROL]


def test_the_bot_joins_a_public_channel_and_is_then_a_member(fake_slack, client):
    fake_slack.add_channel(CIRCLE, members=[ALICE])

    joined = client.conversations_join(channel=CIRCLE)

    assert joined["channel"]["id"] == CIRCLE and joined["channel"]["is_member"] is True
    assert BOT_USER_ID in client.conversations_members(channel=CIRCLE)["members"]
    assert client.conversations_join(channel=CIRCLE)["warning"] == "already_in_channel"


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ({"private": True, "bot_in": True}, "method_not_supported_for_channel_type"),
        ({"archived": True}, "is_archived"),
        (None, "channel_not_found"),
    ],
)
def test_the_bot_cannot_join_a_private_an_archived_or_an_unknown_channel(
    fake_slack, client, channel, error
):
    if channel is not None:
        fake_slack.add_channel(CIRCLE, **channel)

    assert refusal(lambda: client.conversations_join(channel=CIRCLE)) == error


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ({"bot_in": True, "deleted": True}, "channel_not_found"),
        ({"bot_in": True, "archived": True}, "is_archived"),
        ({"bot_in": False}, "not_in_channel"),
        ({"bot_in": False, "private": True}, "channel_not_found"),
        ({"bot_in": True, "removed": True}, "not_in_channel"),
    ],
)
def test_a_post_in_a_known_channel_the_bot_cannot_use_is_refused_like_slack(
    fake_slack, client, channel, error
):
    deleted, removed = channel.pop("deleted", False), channel.pop("removed", False)
    fake_slack.add_channel(CIRCLE, members=[ALICE], **channel)
    if deleted:
        fake_slack.delete_channel(CIRCLE)
    if removed:
        fake_slack.remove_bot(CIRCLE)

    assert refusal(lambda: client.chat_postMessage(channel=CIRCLE, text="Check-in")) == error
    ephemeral = refusal(lambda: client.chat_postEphemeral(channel=CIRCLE, user=ALICE, text="Hi"))
    assert ephemeral == error
    assert fake_slack.posted(CIRCLE) == []


def test_a_post_goes_out_once_the_bot_joined_and_unknown_channels_take_posts_as_before(
    fake_slack, client
):
    fake_slack.add_channel(CIRCLE, members=[ALICE])
    client.conversations_join(channel=CIRCLE)

    client.chat_postMessage(channel=CIRCLE, text="Check-in")
    client.chat_postMessage(channel="C0NEVERMADE", text="Hello")

    assert [m["text"] for m in fake_slack.posted(CIRCLE)] == ["Check-in"]
    assert [m["text"] for m in fake_slack.posted("C0NEVERMADE")] == ["Hello"]


def test_an_update_in_a_channel_archived_since_is_refused_as_inactive(fake_slack, client):
    fake_slack.add_channel(CIRCLE, bot_in=True)
    ts = client.chat_postMessage(channel=CIRCLE, text="Check-in")["ts"]

    fake_slack.archive(CIRCLE)

    assert refusal(lambda: client.chat_update(channel=CIRCLE, ts=ts, text="Closed")) == (
        "is_inactive"
    )


def test_an_ephemeral_message_to_someone_outside_the_channel_is_refused(fake_slack, client):
    fake_slack.add_channel(CIRCLE, members=[ALICE], bot_in=True)

    client.chat_postEphemeral(channel=CIRCLE, user=ALICE, text="Only you see this")
    outside = refusal(lambda: client.chat_postEphemeral(channel=CIRCLE, user=BOB, text="Hi"))
    assert outside == "user_not_in_channel"


def test_the_history_of_a_channel_the_bot_was_removed_from_is_not_readable(fake_slack, client):
    fake_slack.add_channel(CIRCLE, bot_in=True)
    ts = client.chat_postMessage(channel=CIRCLE, text="Check-in")["ts"]

    fake_slack.remove_bot(CIRCLE)

    assert refusal(lambda: client.conversations_history(channel=CIRCLE)) == "not_in_channel"
    assert refusal(lambda: client.conversations_replies(channel=CIRCLE, ts=ts)) == (
        "not_in_channel"
    )


def test_a_group_dm_is_one_conversation_for_the_same_people_in_any_order(fake_slack, client):
    one = client.conversations_open(users=f"{ALICE},{BOB},{CAROL}")["channel"]["id"]
    same = client.conversations_open(users=[CAROL, ALICE, BOB])["channel"]["id"]
    other = client.conversations_open(users=f"{ALICE},{BOB}")["channel"]["id"]

    assert one == same and one.startswith("G") and other != one
    assert client.conversations_members(channel=one)["members"] == [ALICE, BOB, CAROL, BOT_USER_ID]
    assert client.conversations_info(channel=one)["channel"]["is_mpim"] is True
    assert client.conversations_open(users=ALICE)["channel"]["id"] == "D0ALICE"


def test_a_group_dm_with_someone_slack_does_not_know_is_refused(fake_slack, client):
    opened = refusal(lambda: client.conversations_open(users=f"{ALICE},U0NOBODY"))
    assert opened == "user_not_found"


def test_the_thread_holds_the_replies_oldest_first_and_posted_only_the_top_level(
    fake_slack, client
):
    fake_slack.add_channel(CIRCLE, bot_in=True)
    parent = client.chat_postMessage(channel=CIRCLE, text="This week's challenge")["ts"]
    other = client.chat_postMessage(channel=CIRCLE, text="Check-in")["ts"]
    client.chat_postMessage(channel=CIRCLE, thread_ts=parent, text="First reply")
    client.chat_postMessage(channel=CIRCLE, thread_ts=other, text="Elsewhere")
    client.chat_postMessage(channel=CIRCLE, thread_ts=parent, text="Second reply")

    assert [m["text"] for m in fake_slack.thread(CIRCLE, parent)] == [
        "First reply",
        "Second reply",
    ]
    assert [m["text"] for m in fake_slack.posted(CIRCLE)] == ["This week's challenge", "Check-in"]
