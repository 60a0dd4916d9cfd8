"""The whole of distribution in one story, over HTTP against the fake Slack, on both databases:
two workspaces install the bot from its link and use it, each served with its own token;
a member exports their record, imports a CSV with problems and then again, forgets
themselves and imports their export back; the other workspace uninstalls, stops at once,
and its data goes after the grace period while the first is untouched."""

import pytest
from sqlmodel import Session

from bot.ids import FORGET_ME, IMPORT_CONFIRM
from bot.scheduler import Ticker
from core.db import session_factory
from tests.e2e.helpers import GRACE, advisors, enlist
from tests.e2e.installing import CLIENT_ID, CLIENT_SECRET, install, running_installed_bot
from tests.e2e.nudging import add_due_member, text_of
from tests.e2e.test_imports_over_http import (
    WITH_PROBLEMS,
    board_as_shown,
    click,
    names,
    preview_in_dm,
    say,
    upload,
)
from tests.e2e.test_installs_over_http import bearer, rows_of, tokens_used
from tests.payloads import ALICE, JSON, TEAM_ID, block_action

BETA, BEN = "T0BETA", "U0BEN"

pytestmark = pytest.mark.usefixtures("workspace")


@pytest.fixture
def installed(engine, fake_slack, clock):
    fake_slack.oauth_app(CLIENT_ID, CLIENT_SECRET)
    with running_installed_bot(engine, fake_slack, clock) as running:
        assert install(running.bot, fake_slack, TEAM_ID, installer=ALICE).status == 200
        assert install(running.bot, fake_slack, BETA, team_name="Beta").status == 200
        yield running


def tick(installed, engine, clock) -> None:
    Ticker(session_factory(engine), clock, installed.bot.sender, installs=installed.installs)()


def test_two_workspaces_install_export_import_forget_and_one_uninstalls(
    installed, fake_slack, engine, clock
):
    bot = installed.bot
    ours, beta = fake_slack.tokens_of(TEAM_ID)[-1], fake_slack.tokens_of(BETA)[-1]
    fake_slack.add_user(BEN, team_id=BETA, tz="UTC")
    with Session(engine) as session:
        add_due_member(session, BEN, now=clock.now(), team_id=BETA)
        add_due_member(session, "U0CARL", now=clock.now(), team_id=TEAM_ID)
        session.commit()
    fake_slack.add_user("U0CARL", tz="UTC")

    # both are used, each nudged with its own token
    enlist(bot, fake_slack, {"member": GRACE, "cadence": "14", "gains": "my notes & *code*"})
    say(bot, fake_slack, f"promise <@{GRACE}> send the R&D deck by tomorrow")
    tick(installed, engine, clock)
    assert fake_slack.posted("D0CARL", team_id=TEAM_ID) and fake_slack.posted(team_id=BETA)
    assert tokens_used(fake_slack, "chat.postMessage") == {bearer(ours), bearer(beta)}
    assert tokens_used(fake_slack, "views.open") == {bearer(ours)}

    # export: two files in the member's DM, uploaded with their workspace's token
    before = board_as_shown(bot, fake_slack, engine)
    say(bot, fake_slack, "export")
    tick(installed, engine, clock)
    exported = {u["filename"].rsplit(".", 1)[1]: u for u in fake_slack.uploads(team_id=TEAM_ID)}
    assert set(exported) == {"json", "csv"}
    assert tokens_used(fake_slack, "files.completeUploadExternal") == {bearer(ours)}

    # import with problems, then the same file again: nobody twice
    upload(bot, fake_slack, "more.csv", WITH_PROBLEMS.encode())
    tick(installed, engine, clock)
    preview = preview_in_dm(fake_slack)
    assert "wizard" in text_of(preview) and "03/04/2026" in text_of(preview)
    click(bot, fake_slack, IMPORT_CONFIRM, preview)
    tick(installed, engine, clock)
    assert names(engine) == ["Grace Hopper", "Sam Lee"]
    upload(bot, fake_slack, "more.csv", WITH_PROBLEMS.encode())
    tick(installed, engine, clock)
    assert "already on your board" in text_of(preview_in_dm(fake_slack))
    assert names(engine) == ["Grace Hopper", "Sam Lee"]

    # forget me, then the export brought back: the same board as before the import
    say(bot, fake_slack, "forget me")
    bot.slack.interact(block_action(FORGET_ME, "me", response_url=fake_slack.response_url("f")))
    bot.settle()
    assert advisors(engine) == []
    upload(bot, fake_slack, exported["json"]["filename"], exported["json"]["content"])
    tick(installed, engine, clock)
    click(bot, fake_slack, IMPORT_CONFIRM, preview_in_dm(fake_slack))
    tick(installed, engine, clock)
    assert board_as_shown(bot, fake_slack, engine) == before

    # the other workspace uninstalls: it stops at once, and its data goes 30 days later
    ours_before = rows_of(engine, TEAM_ID)
    posted_in_beta = len(fake_slack.posted(team_id=BETA))
    for body in fake_slack.uninstall(BETA):
        assert bot.slack.post(body, content_type=JSON).status == 200
    bot.settle()
    with Session(engine) as session:
        add_due_member(session, "U0BEA", now=clock.now(), team_id=BETA)
        session.commit()
    tick(installed, engine, clock)
    assert len(fake_slack.posted(team_id=BETA)) == posted_in_beta
    clock.advance(days=30, minutes=1)
    tick(installed, engine, clock)
    assert rows_of(engine, BETA) == {}
    after = rows_of(engine, TEAM_ID)
    assert after["advisor"] == ours_before["advisor"] and after["member"] == ours_before["member"]
