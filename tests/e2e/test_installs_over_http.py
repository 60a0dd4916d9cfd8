"""Installing in any workspace through OAuth, over HTTP against the fake Slack: two workspaces
each served with their own token, uninstall (sends stop at once, data gone after the grace
period), reinstall within it, revoked and rotating tokens, and bad redirects storing nothing."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
import sqlmodel
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from bot.__main__ import _installed_here, make_installs
from bot.installs import TokenCipher
from bot.scheduler import Ticker
from bot.slack_client import make_web_client
from core import workspaces
from core.db import session_factory
from core.models import Outbox, Workspace, slack_bots, slack_installations
from tests.e2e.installing import (
    CLIENT_ID,
    CLIENT_SECRET,
    KEY,
    Browser,
    authorize_url,
    install,
    oauth_config,
    running_installed_bot,
    state_of,
)
from tests.e2e.nudging import add_due_member
from tests.fakes import BOT_TOKEN
from tests.payloads import JSON

ACME, BETA = "T0ACME", "T0BETA"
ANA, BEN = "U0ANA", "U0BEN"  # a member in each


@pytest.fixture
def installed(engine, fake_slack, clock):
    fake_slack.oauth_app(CLIENT_ID, CLIENT_SECRET)
    with running_installed_bot(engine, fake_slack, clock) as running:
        yield running


@pytest.fixture
def rotating(engine, fake_slack, clock):
    fake_slack.oauth_app(CLIENT_ID, CLIENT_SECRET, rotation=True, expires_in=12 * 3600)
    with running_installed_bot(engine, fake_slack, clock) as running:
        yield running


def both_installed(installed, fake_slack, engine, clock) -> None:
    for team, name, member in ((ACME, "Acme", ANA), (BETA, "Beta", BEN)):
        assert install(installed.bot, fake_slack, team, team_name=name).status == 200
        fake_slack.add_user(member, team_id=team, tz="UTC")
        with Session(engine) as session:
            add_due_member(session, member, now=clock.now(), team_id=team)
            session.commit()


def tick(installed, engine, clock) -> None:
    Ticker(session_factory(engine), clock, installed.bot.sender, installs=installed.installs)()


def tokens_used(fake_slack, method: str) -> set[str]:
    return {
        call.headers.get("authorization", call.headers.get("Authorization", ""))
        for call in fake_slack.calls_to(method)
    }


def bearer(token: str) -> str:
    return f"Bearer {token}"


def current_token(fake_slack, team: str) -> str:
    return fake_slack.tokens_of(team)[-1]


def rows_of(engine, team: str) -> dict[str, int]:
    """How many rows each table holds for the workspace (tables with a team_id column)."""
    counts = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if "team_id" in table.c:
                found = connection.execute(
                    select(func.count()).select_from(table).where(table.c.team_id == team)
                ).scalar_one()
                if found:
                    counts[table.name] = found
    return counts


def post_event(installed, body: str):
    return installed.bot.slack.post(body, content_type=JSON)


def test_the_install_page_says_what_the_bot_stores_and_links_to_slack(installed):
    page = Browser(installed.bot.url).get("/slack/install")
    assert page.status == 200
    assert "What it stores" in page.html and "30 days" in page.html
    url = authorize_url(page)
    assert f"client_id={CLIENT_ID}" in url and "files:write" in url
    assert "slack-app-oauth-state" in page.headers["Set-Cookie"]
    assert page.headers["Cache-Control"] == "no-store"
    posted = installed.bot.slack.post("", content_type="text/plain", path="/slack/install")
    assert posted.status == 405


def test_an_install_stores_the_workspace_token_encrypted(installed, fake_slack, engine):
    page = install(installed.bot, fake_slack, ACME, team_name="Acme & Co <Ltd>")
    assert page.status == 200 and "Advisor Bot is installed" in page.html
    assert "Acme &amp; Co &lt;Ltd&gt;" in page.html  # the name as typed, never as markup
    token = current_token(fake_slack, ACME)
    with engine.connect() as connection:
        stored = connection.execute(select(slack_bots.c.bot_token)).scalars().all()
        installed_rows = connection.execute(select(slack_installations.c.bot_token)).all()
    assert len(stored) == 1 and len(installed_rows) == 1
    for sealed in (stored[0], installed_rows[0][0]):
        assert token not in sealed and not sealed.startswith("xox")
        assert TokenCipher((KEY,)).decrypt(sealed) == token
    with Session(engine) as session:
        assert session.get(Workspace, ACME).installed_at is not None


def test_two_workspaces_are_each_served_with_their_own_token(installed, fake_slack, engine, clock):
    both_installed(installed, fake_slack, engine, clock)
    tick(installed, engine, clock)
    acme, beta = current_token(fake_slack, ACME), current_token(fake_slack, BETA)
    assert fake_slack.posted(team_id=ACME) and fake_slack.posted(team_id=BETA)
    assert tokens_used(fake_slack, "chat.postMessage") == {bearer(acme), bearer(beta)}

    for team, member in ((ACME, ANA), (BETA, BEN)):
        answer = installed.bot.slack.command(
            "add", response_url=fake_slack.response_url(), user=member, team=team
        )
        assert answer.status == 200
    installed.bot.settle()
    assert tokens_used(fake_slack, "views.open") == {bearer(acme), bearer(beta)}


def test_an_uninstall_stops_its_sends_at_once_and_its_data_goes_after_the_grace_period(
    installed, fake_slack, engine, clock
):
    both_installed(installed, fake_slack, engine, clock)
    for body in fake_slack.uninstall(ACME):
        assert post_event(installed, body).status == 200
    installed.bot.settle()
    with engine.connect() as connection:
        teams = connection.execute(select(slack_bots.c.team_id)).scalars().all()
    assert teams == [BETA]  # Acme's tokens are deleted

    tick(installed, engine, clock)
    assert not fake_slack.posted(team_id=ACME)  # nothing went out
    assert "outbox" not in rows_of(engine, ACME)  # nor was anything planned
    assert fake_slack.posted(team_id=BETA)

    clock.advance(days=29, hours=23)
    tick(installed, engine, clock)
    assert rows_of(engine, ACME)["advisor"] == 1  # kept through the grace period
    beta_before = rows_of(engine, BETA)

    clock.advance(hours=2)
    tick(installed, engine, clock)
    assert rows_of(engine, ACME) == {}
    assert rows_of(engine, BETA) == beta_before


def test_a_reinstall_within_the_grace_period_resumes_everything(
    installed, fake_slack, engine, clock
):
    both_installed(installed, fake_slack, engine, clock)
    for body in fake_slack.uninstall(ACME):
        post_event(installed, body)
    installed.bot.settle()
    clock.advance(days=10)
    tick(installed, engine, clock)
    assert not fake_slack.posted(team_id=ACME)

    assert install(installed.bot, fake_slack, ACME, team_name="Acme").status == 200
    tick(installed, engine, clock)
    assert fake_slack.posted(team_id=ACME)
    assert tokens_used(fake_slack, "chat.postMessage") >= {bearer(current_token(fake_slack, ACME))}

    clock.advance(days=30)
    tick(installed, engine, clock)
    assert rows_of(engine, ACME)["member"] == 1  # nothing was deleted


def test_tokens_revoked_stops_nothing_until_slack_confirms_the_bot_token_is_gone(
    installed, fake_slack, engine, clock
):
    both_installed(installed, fake_slack, engine, clock)
    tokens_revoked, _ = fake_slack.uninstall(ACME)  # the event, without revoking yet:
    fake_slack.restore(current_token(fake_slack, ACME))
    fake_slack.installs[ACME].uninstalled = False
    post_event(installed, tokens_revoked)
    installed.bot.settle()
    assert installed.installs.bot(ACME) is not None  # auth.test said the token works
    tick(installed, engine, clock)
    assert fake_slack.posted(team_id=ACME)

    fake_slack.revoke(current_token(fake_slack, ACME))
    post_event(installed, json.dumps({**json.loads(tokens_revoked), "event_id": "Ev0AGAIN"}))
    installed.bot.settle()
    assert installed.installs.bot(ACME) is None
    with Session(engine) as session:
        assert session.get(Workspace, ACME).uninstalled_at is not None
        assert session.get(Workspace, BETA).uninstalled_at is None


def test_a_token_revoked_without_an_event_stops_that_workspace_when_the_sender_meets_it(
    installed, fake_slack, engine, clock
):
    both_installed(installed, fake_slack, engine, clock)
    fake_slack.revoke(current_token(fake_slack, ACME))
    tick(installed, engine, clock)
    assert installed.installs.bot(ACME) is None
    assert fake_slack.posted(team_id=BETA)
    with Session(engine) as session:
        acme = session.get(Workspace, ACME)
        assert acme.uninstalled_at is not None and acme.delete_after is not None
        left = session.exec(sqlmodel.select(Outbox).where(Outbox.team_id == ACME)).all()
        assert left and all(row.sent_at is None for row in left)


def test_rotating_tokens_are_refreshed_by_the_tick_before_they_expire(
    rotating, fake_slack, engine, clock
):
    both_installed(rotating, fake_slack, engine, clock)
    first = current_token(fake_slack, ACME)
    clock.advance(hours=9)
    tick(rotating, engine, clock)
    assert not fake_slack.refreshes(ACME)  # 3 hours left: not yet
    clock.advance(hours=1, minutes=30)
    tick(rotating, engine, clock)  # nothing due to be sent: refreshed all the same
    assert len(fake_slack.refreshes(ACME)) == 1 and len(fake_slack.refreshes(BETA)) == 1
    assert current_token(fake_slack, ACME) != first

    with Session(engine) as session:  # a nudge due after the first token expired
        add_due_member(session, "U0ANA2", now=clock.now(), team_id=ACME)
        session.commit()
    fake_slack.add_user("U0ANA2", team_id=ACME, tz="UTC")
    clock.advance(hours=3)
    tick(rotating, engine, clock)
    assert fake_slack.posted("D0ANA2", team_id=ACME)


def test_bad_redirects_show_a_clear_page_and_store_nothing(installed, fake_slack, engine):
    browser = Browser(installed.bot.url)
    url = authorize_url(browser.get("/slack/install"))
    code = fake_slack.authorize(ACME, team_name="Acme")

    forged = browser.get("/slack/oauth_redirect?" + urlencode({"code": code, "state": "x.y"}))
    assert forged.status == 400 and "Nothing was stored" in forged.html
    nonce = state_of(url).split(".")[0]  # a state of the right shape, not signed by the bot
    cheat = Browser(installed.bot.url, cookies={"slack-app-oauth-state": f"{nonce}.{'0' * 32}"})
    signed_wrong = cheat.get(
        "/slack/oauth_redirect?" + urlencode({"code": code, "state": f"{nonce}.{'0' * 32}"})
    )
    assert signed_wrong.status == 400 and "expired or was already used" in signed_wrong.html

    other_browser = Browser(installed.bot.url)
    stolen = other_browser.get(
        "/slack/oauth_redirect?" + urlencode({"code": code, "state": state_of(url)})
    )
    assert stolen.status == 400 and "could not be matched to your browser" in stolen.html

    denied = browser.get("/slack/oauth_redirect?error=access_denied&state=" + state_of(url))
    assert "chose not to allow it" in denied.html

    done = browser.get("/slack/oauth_redirect?" + urlencode({"code": code, "state": state_of(url)}))
    assert done.status == 200
    replayed = browser.get(
        "/slack/oauth_redirect?" + urlencode({"code": code, "state": state_of(url)})
    )
    assert replayed.status == 400 and "Nothing was stored" in replayed.html
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(slack_bots)).scalar_one() == 1


def test_slack_refusing_the_code_stores_nothing(installed, fake_slack, engine):
    browser = Browser(installed.bot.url)
    url = authorize_url(browser.get("/slack/install"))
    page = browser.get(
        "/slack/oauth_redirect?" + urlencode({"code": "made-up", "state": state_of(url)})
    )
    assert page.status == 400 and "did not accept this install" in page.html
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(slack_bots)).scalar_one() == 0


def test_a_request_from_a_workspace_that_never_installed_is_refused(installed, fake_slack):
    answer = installed.bot.slack.command(
        "list", response_url=fake_slack.response_url(), user="U0NOBODY", team="T0NEVER"
    )
    assert answer.status == 200
    [said] = [call.args["text"] for call in fake_slack.calls_to("response_url")]
    assert "reinstall this app" in said
    assert not fake_slack.calls_to("views.open")


def test_with_one_token_an_uninstall_stops_sends_and_deletes_its_data_after_the_grace_period(
    bot, fake_slack, engine, clock, nudging
):
    team = fake_slack.team_id
    with Session(engine) as session:
        add_due_member(session, "U0CARL", now=clock.now(), team_id=team)
        session.commit()
    body = fake_slack.uninstall(team)[1]
    assert bot.slack.post(body, content_type=JSON).status == 200
    bot.settle()
    with Session(engine) as session:
        workspace = session.get(Workspace, team)
        assert workspace.delete_after - workspace.uninstalled_at == timedelta(days=30)
    nudging.tick()
    assert not fake_slack.calls_to("chat.postMessage")
    clock.advance(days=30, minutes=1)
    nudging.tick()
    assert rows_of(engine, team) == {}


def test_a_new_key_put_first_still_reads_tokens_stored_with_the_old_one(
    installed, fake_slack, engine, clock, caplog
):
    install(installed.bot, fake_slack, ACME, team_name="Acme")
    token = current_token(fake_slack, ACME)
    new_key = Fernet.generate_key().decode()
    rotated, _ = make_installs(oauth_config(fake_slack, key=f"{new_key},{KEY}"), engine, clock)
    assert rotated.bot(ACME).bot_token == token

    wrong, _ = make_installs(oauth_config(fake_slack, key=new_key), engine, clock)
    assert wrong.bot(ACME) is None and wrong(ACME) is None
    assert "does not decrypt with ADVISOR_ENCRYPTION_KEY" in caplog.text
    assert installed.installs.bot(ACME).bot_token == token  # nothing was deleted


def test_two_processes_refresh_a_rotating_token_once_and_both_use_the_new_one(
    rotating, fake_slack, engine, clock
):
    install(rotating.bot, fake_slack, ACME, team_name="Acme")
    other, _ = make_installs(rotating.config, engine, clock)
    clock.advance(hours=11)
    with ThreadPoolExecutor(2) as pool:
        done = list(
            pool.map(lambda installs: installs.refresh_expiring(), [rotating.installs, other])
        )
    assert sum(done) >= 1
    if engine.dialect.name == "postgresql":  # an advisory lock between processes
        assert len(fake_slack.refreshes(ACME)) == 1
    fresh = current_token(fake_slack, ACME)
    assert rotating.installs.bot(ACME).bot_token == other.bot(ACME).bot_token == fresh
    with Session(engine) as session:
        assert session.get(Workspace, ACME).uninstalled_at is None
    rotating.installs(ACME).auth_test()  # works


def test_with_one_token_a_restart_with_a_working_token_resumes_an_uninstalled_workspace(
    fake_slack, engine, clock
):
    team = fake_slack.team_id
    with Session(engine) as session, session.begin():
        workspaces.uninstalled(session, team_id=team, now=clock.now(), keep_for=timedelta(days=30))
    started = SimpleNamespace(client=make_web_client(BOT_TOKEN, fake_slack.api_url))

    _installed_here(started, session_factory(engine), clock)

    with Session(engine) as session:
        workspace = session.get(Workspace, team)
        assert workspace.uninstalled_at is None and workspace.delete_after is None


def test_a_workspace_of_an_enterprise_grid_is_found_and_removed_by_its_team(
    installed, fake_slack, engine, clock
):
    both_installed(installed, fake_slack, engine, clock)
    with engine.begin() as connection:  # as Bolt stores a workspace inside a Grid
        for table in (slack_bots, slack_installations):
            connection.execute(
                table.update().where(table.c.team_id == ACME).values(enterprise_id="E0GRID")
            )
    assert installed.installs(ACME) is not None
    for body in fake_slack.uninstall(ACME):
        post_event(installed, body)
    installed.bot.settle()
    with engine.connect() as connection:
        assert connection.execute(select(slack_bots.c.team_id)).scalars().all() == [BETA]


def test_a_late_uninstall_event_after_a_reinstall_changes_nothing(
    installed, fake_slack, engine, clock
):
    both_installed(installed, fake_slack, engine, clock)
    tokens_revoked, app_uninstalled = fake_slack.uninstall(ACME)
    post_event(installed, tokens_revoked)
    installed.bot.settle()
    clock.advance(hours=1)
    install(installed.bot, fake_slack, ACME, team_name="Acme")

    post_event(installed, app_uninstalled)  # Slack's retry of the old event, an hour late
    installed.bot.settle()

    assert installed.installs.bot(ACME).bot_token == current_token(fake_slack, ACME)
    with Session(engine) as session:
        assert session.get(Workspace, ACME).uninstalled_at is None


def test_an_install_that_cannot_be_saved_says_so_and_keeps_no_token(
    installed, fake_slack, engine, monkeypatch
):
    def broken(*_, **__):
        raise OperationalError("UPDATE workspace", {}, Exception("database is locked"))

    monkeypatch.setattr(workspaces, "installed", broken)
    page = install(installed.bot, fake_slack, ACME, team_name="Acme")

    assert page.status == 400 and "could not be saved" in page.html
    with engine.connect() as connection:
        for table in (slack_bots, slack_installations):
            assert connection.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_a_reinstall_while_its_data_is_being_deleted_stops_the_deletion(
    installed, fake_slack, engine, clock, monkeypatch
):
    both_installed(installed, fake_slack, engine, clock)
    for body in fake_slack.uninstall(ACME):
        post_event(installed, body)
    installed.bot.settle()
    clock.advance(days=31)
    asked = []
    really = workspaces.to_delete_now

    def reinstalled_after_the_first_chunk(session, **whose):
        asked.append(whose)
        if len(asked) == 2:  # between two chunks, someone installs the app again
            install(installed.bot, fake_slack, ACME, team_name="Acme")
        return really(session, **whose)

    monkeypatch.setattr(workspaces, "to_delete_now", reinstalled_after_the_first_chunk)
    tick(installed, engine, clock)

    with Session(engine) as session:
        workspace = session.get(Workspace, ACME)
        assert workspace is not None and workspace.uninstalled_at is None
    assert installed.installs.bot(ACME) is not None


@pytest.mark.parametrize("state", ["", ".", "é.é", "x" * 5000, "a.b.c", "%00", "a.\u00e9" * 3])
def test_a_state_of_any_shape_ends_on_the_page_that_says_nothing_was_stored(
    installed, fake_slack, engine, state
):
    cookie = {"slack-app-oauth-state": state.encode("utf-8").hex()}  # a cookie is ASCII
    for browser in (Browser(installed.bot.url, cookies=cookie), Browser(installed.bot.url)):
        page = browser.get("/slack/oauth_redirect?" + urlencode({"code": "c", "state": state}))
        assert page.status == 400 and "Nothing was stored" in page.html
    signed = installed.flow.settings.state_store
    assert signed.consume(state) is False
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(slack_bots)).scalar_one() == 0
