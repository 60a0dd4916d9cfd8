"""The fake Slack answers like Slack's reference examples (../shared/slack-reference), over HTTP."""

import json

import pytest
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import FileInstallationStore
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

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


# -- installs through OAuth, token rotation, uninstall (distribution)

CLIENT_ID, CLIENT_SECRET = "1111.2222", "s3cret"
ACME, GLOBEX = "T0ACME", "T0GLOBEX"


@pytest.fixture
def slack_app(fake_slack):
    fake_slack.oauth_app(CLIENT_ID, CLIENT_SECRET)
    return WebClient(base_url=fake_slack.api_url)  # no token: what Bolt's OAuth flow holds


def exchange(client: WebClient, code: str, **extra) -> dict:
    """What Bolt's OAuth flow does with the code (slack_sdk: the credentials as Basic auth)."""
    return client.oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code, **extra
    ).data


def installed(fake_slack, client: WebClient, team_id: str, **authorize) -> dict:
    return exchange(client, fake_slack.authorize(team_id, **authorize))


def oauth_example() -> dict:
    spec = json.loads(reference_file("slack-api-specs", "slack_web_openapi_v2.json").read_text())
    success = spec["paths"]["/oauth.v2.access"]["get"]["responses"]["200"]
    return success["examples"]["application/json"]


def as_bot(fake_slack, token: str) -> WebClient:
    return WebClient(token=token, base_url=fake_slack.api_url)


def test_an_install_answers_with_the_fields_of_slacks_oauth_v2_access_example(
    fake_slack, slack_app
):
    answer = installed(fake_slack, slack_app, ACME, team_name="Acme", installer="U0ANNA")

    assert set(oauth_example()) <= set(answer)
    assert answer["ok"] is True and answer["token_type"] == "bot"
    assert answer["access_token"].startswith("xoxb-")
    assert answer["team"] == {"id": ACME, "name": "Acme"} and answer["enterprise"] is None
    assert answer["authed_user"] == {"id": "U0ANNA"} and answer["is_enterprise_install"] is False
    assert answer["scope"] == "chat:write,commands,im:write"
    assert "refresh_token" not in answer and "expires_in" not in answer, "rotation is off"
    call = fake_slack.calls_to("oauth.v2.access")[-1]
    assert call.headers["authorization"].startswith("Basic "), "slack_sdk sends Basic auth"


def test_a_code_is_good_once(fake_slack, slack_app):
    code = fake_slack.authorize(ACME)
    exchange(slack_app, code)

    assert refusal(lambda: exchange(slack_app, code)) == "invalid_code"
    assert refusal(lambda: exchange(slack_app, "made-up")) == "invalid_code"


def test_a_code_runs_out_after_ten_minutes_on_the_fakes_clock(fake_slack, slack_app, clock):
    late, in_time = fake_slack.authorize(ACME), fake_slack.authorize(GLOBEX)
    clock.advance(minutes=9)
    exchange(slack_app, in_time)
    clock.advance(minutes=2)

    assert refusal(lambda: exchange(slack_app, late)) == "invalid_code"


def test_the_apps_credentials_are_checked_as_basic_auth_or_as_form_fields(fake_slack, slack_app):
    code = fake_slack.authorize(ACME)
    wrong_secret = {"client_id": CLIENT_ID, "client_secret": "guess", "code": code}
    wrong_id = {"client_id": "9.9", "client_secret": CLIENT_SECRET, "code": code}

    assert refusal(lambda: slack_app.oauth_v2_access(**wrong_secret)) == "bad_client_secret"
    assert refusal(lambda: slack_app.oauth_v2_access(**wrong_id)) == "invalid_client_id"
    as_fields = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code}
    answer = slack_app.api_call("oauth.v2.access", data=as_fields)
    assert answer["team"]["id"] == ACME, "a refused exchange did not use the code up"


def test_a_redirect_uri_given_at_the_start_must_be_named_again(fake_slack, slack_app):
    uri = "https://advisor.example/slack/oauth_redirect"
    code = fake_slack.authorize(ACME, redirect_uri=uri)

    assert refusal(lambda: exchange(slack_app, code, redirect_uri="https://evil.example")) == (
        "bad_redirect_uri"
    )
    assert exchange(slack_app, fake_slack.authorize(ACME, redirect_uri=uri), redirect_uri=uri)


def test_each_workspace_has_its_own_token_and_bot_and_its_posts_land_there_only(
    fake_slack, slack_app
):
    acme = installed(fake_slack, slack_app, ACME, team_name="Acme")
    globex = installed(fake_slack, slack_app, GLOBEX, team_name="Globex")
    fake_slack.add_user("U0ANNA", team_id=ACME)
    fake_slack.add_user("U0GREG", team_id=GLOBEX)
    at_acme, at_globex = (
        as_bot(fake_slack, acme["access_token"]),
        as_bot(fake_slack, globex["access_token"]),
    )

    assert acme["access_token"] != globex["access_token"]
    assert acme["bot_user_id"] != globex["bot_user_id"]
    assert acme["bot_user_id"] == fake_slack.bot_user(ACME)
    whoami = at_globex.auth_test()
    assert (whoami["team_id"], whoami["user_id"], whoami["team"]) == (
        GLOBEX,
        globex["bot_user_id"],
        "Globex",
    )
    assert whoami.headers["x-oauth-scopes"] == "chat:write,commands,im:write"
    dm = at_acme.conversations_open(users="U0ANNA")["channel"]["id"]
    at_acme.chat_postMessage(channel=dm, text="For Anna")
    at_globex.chat_postMessage(channel="C0GLOBEX", text="For Globex")

    assert [m["text"] for m in fake_slack.posted(team_id=ACME)] == ["For Anna"]
    assert [m["text"] for m in fake_slack.posted(team_id=GLOBEX)] == ["For Globex"]
    assert fake_slack.posted(dm)[0]["user"] == acme["bot_user_id"]
    assert refusal(lambda: at_globex.conversations_open(users="U0ANNA")) == "user_not_found"
    assert refusal(lambda: at_globex.users_info(user="U0ANNA")) == "user_not_found"


def test_an_upload_is_listed_under_its_workspace(fake_slack, slack_app):
    acme = installed(fake_slack, slack_app, ACME)
    fake_slack.add_user("U0ANNA", team_id=ACME)
    at_acme = as_bot(fake_slack, acme["access_token"])

    at_acme.files_upload_v2(channel="D0ANNA", content=b"a,b\n", filename="advisors.csv", title="x")

    assert [u["filename"] for u in fake_slack.uploads(team_id=ACME)] == ["advisors.csv"]
    assert fake_slack.uploads(team_id=GLOBEX) == []


def test_every_install_gets_a_new_token_and_the_one_before_keeps_working(fake_slack, slack_app):
    first = installed(fake_slack, slack_app, ACME)["access_token"]
    second = installed(fake_slack, slack_app, ACME, scopes=("chat:write", "files:write"))

    assert second["access_token"] != first and second["bot_user_id"] == fake_slack.bot_user(ACME)
    assert as_bot(fake_slack, first).auth_test()["team_id"] == ACME
    assert fake_slack.tokens_of(ACME) == [first, second["access_token"]]


def test_a_user_token_comes_for_the_installer_when_user_scopes_are_asked(fake_slack, slack_app):
    answer = installed(fake_slack, slack_app, ACME, installer="U0ANNA", user_scopes=["search:read"])

    user = answer["authed_user"]
    assert (user["id"], user["scope"], user["token_type"]) == ("U0ANNA", "search:read", "user")
    assert user["access_token"].startswith("xoxp-")
    assert as_bot(fake_slack, user["access_token"]).auth_test()["team_id"] == ACME


# -- token rotation


@pytest.fixture
def rotating(fake_slack):
    fake_slack.oauth_app(CLIENT_ID, CLIENT_SECRET, rotation=True, expires_in=3600)
    return WebClient(base_url=fake_slack.api_url)


def refresh(client: WebClient, refresh_token: str) -> dict:
    """What slack_sdk's TokenRotator sends."""
    return client.oauth_v2_access(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=refresh_token,
    ).data


def test_with_rotation_an_install_gets_an_expiring_token_and_a_refresh_token(fake_slack, rotating):
    answer = installed(fake_slack, rotating, ACME)

    assert answer["access_token"].startswith("xoxe.xoxb-")
    assert answer["refresh_token"].startswith("xoxe-1-") and answer["expires_in"] == 3600


def test_an_expired_token_is_refused_by_every_method_on_the_fakes_clock(
    fake_slack, rotating, clock
):
    token = installed(fake_slack, rotating, ACME)["access_token"]
    fake_slack.add_user("U0ANNA", team_id=ACME)
    bot = as_bot(fake_slack, token)
    clock.advance(seconds=3599)
    bot.chat_postMessage(channel="D0ANNA", text="Still in time")

    clock.advance(seconds=1)

    assert refusal(bot.auth_test) == "token_expired"
    assert refusal(lambda: bot.chat_postMessage(channel="D0ANNA", text="Late")) == "token_expired"
    assert refusal(lambda: bot.users_info(user="U0ANNA")) == "token_expired"
    assert [m["text"] for m in fake_slack.posted("D0ANNA")] == ["Still in time"]


def test_a_refresh_gives_a_new_token_and_refresh_token_and_uses_the_old_refresh_token_up(
    fake_slack, rotating, clock
):
    first = installed(fake_slack, rotating, ACME)
    clock.advance(minutes=50)

    renewed = refresh(rotating, first["refresh_token"])

    assert renewed["token_type"] == "bot" and renewed["team"]["id"] == ACME
    assert renewed["bot_user_id"] == first["bot_user_id"] and renewed["expires_in"] == 3600
    assert renewed["access_token"] != first["access_token"]
    assert renewed["refresh_token"] != first["refresh_token"]
    assert refusal(lambda: refresh(rotating, first["refresh_token"])) == "invalid_refresh_token"
    assert refusal(lambda: refresh(rotating, "xoxe-1-made-up")) == "invalid_refresh_token"
    assert as_bot(fake_slack, first["access_token"]).auth_test()["ok"], "works until it expires"
    clock.advance(minutes=10)
    assert refusal(as_bot(fake_slack, first["access_token"]).auth_test) == "token_expired"
    assert as_bot(fake_slack, renewed["access_token"]).auth_test()["team_id"] == ACME, (
        "the new token lives an hour from its refresh"
    )
    assert len(fake_slack.refreshes()) == 3 and len(fake_slack.refreshes(ACME)) == 2


def test_refreshes_are_counted_per_workspace(fake_slack, rotating):
    acme, globex = installed(fake_slack, rotating, ACME), installed(fake_slack, rotating, GLOBEX)
    again = refresh(rotating, acme["refresh_token"])
    refresh(rotating, again["refresh_token"])
    refresh(rotating, globex["refresh_token"])

    assert (len(fake_slack.refreshes(ACME)), len(fake_slack.refreshes(GLOBEX))) == (2, 1)


def test_a_refresh_token_is_refused_without_the_apps_credentials(fake_slack, rotating):
    token = installed(fake_slack, rotating, ACME)["refresh_token"]
    wrong = {"client_id": CLIENT_ID, "client_secret": "guess", "grant_type": "refresh_token"}

    assert refusal(lambda: rotating.oauth_v2_access(**wrong, refresh_token=token)) == (
        "bad_client_secret"
    )
    assert refresh(rotating, token)["ok"], "the refused attempt did not use it up"


# -- uninstall


def test_an_uninstall_refuses_every_token_of_that_workspace_only(fake_slack, rotating):
    acme = installed(fake_slack, rotating, ACME, installer="U0ANNA", user_scopes=["search:read"])
    globex = installed(fake_slack, rotating, GLOBEX)

    fake_slack.uninstall(ACME)

    assert refusal(as_bot(fake_slack, acme["access_token"]).auth_test) == "token_revoked"
    user_token = acme["authed_user"]["access_token"]
    assert refusal(as_bot(fake_slack, user_token).auth_test) == "token_revoked"
    assert refusal(lambda: refresh(rotating, acme["refresh_token"])) == "invalid_refresh_token"
    assert as_bot(fake_slack, globex["access_token"]).auth_test()["team_id"] == GLOBEX
    assert refresh(rotating, globex["refresh_token"])["ok"]


def test_an_uninstall_gives_the_events_slack_sends_shaped_like_slacks(fake_slack, slack_app):
    acme = installed(fake_slack, slack_app, ACME, installer="U0ANNA", user_scopes=["search:read"])

    revoked, uninstalled = (json.loads(body) for body in fake_slack.uninstall(ACME))

    for body, name in ((revoked, "tokens_revoked"), (uninstalled, "app_uninstalled")):
        example = json.loads(
            reference_file("bolt-python", f"event_callback.{name}.json").read_text()
        )
        assert set(example) - {"enterprise_id"} <= set(body)
        assert (body["type"], body["team_id"], body["event"]["type"]) == (
            "event_callback",
            ACME,
            name,
        )
    assert revoked["event"]["tokens"] == {"oauth": ["U0ANNA"], "bot": [acme["bot_user_id"]]}
    assert revoked["event_id"] != uninstalled["event_id"]


def test_after_a_reinstall_the_tokens_from_before_the_uninstall_are_unknown(fake_slack, slack_app):
    old = installed(fake_slack, slack_app, ACME)["access_token"]
    fake_slack.uninstall(ACME)

    new = installed(fake_slack, slack_app, ACME)["access_token"]

    assert refusal(as_bot(fake_slack, old).auth_test) == "invalid_auth"
    assert as_bot(fake_slack, new).auth_test()["team_id"] == ACME


def test_bolts_installation_and_slack_sdks_token_rotator_work_against_the_fake(
    fake_slack, rotating, tmp_path
):
    settings = OAuthSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=["chat:write"],
        installation_store=FileInstallationStore(base_dir=str(tmp_path)),
        state_store=FileOAuthStateStore(expiration_seconds=600, base_dir=str(tmp_path)),
    )
    flow = OAuthFlow(client=rotating, settings=settings)

    installation = flow.run_installation(fake_slack.authorize(ACME, installer="U0ANNA"))

    assert (installation.team_id, installation.user_id) == (ACME, "U0ANNA")
    assert installation.bot_user_id == fake_slack.bot_user(ACME)
    assert installation.bot_id.startswith("B"), "from auth.test with the new token"
    rotator = TokenRotator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, client=rotating)
    rotated = rotator.perform_token_rotation(
        installation=installation, minutes_before_expiration=120
    )
    assert rotated.bot_token != installation.bot_token and len(fake_slack.refreshes(ACME)) == 1
    assert as_bot(fake_slack, rotated.bot_token).auth_test()["team_id"] == ACME
