"""Fixtures for the end-to-end tests: a workspace of people, a board, views checked as sent."""

import pytest
from slack_sdk.models.views import View

from core.models import Advisor
from tests.e2e.helpers import BOB, DEPLOYBOT, GONE, GRACE, advisors, enlist
from tests.e2e.nudging import Nudging


@pytest.fixture
def workspace(fake_slack):
    fake_slack.add_user(GRACE, tz="America/New_York", real_name="Grace Hopper")
    fake_slack.add_user(BOB, tz="Asia/Tokyo", real_name="Bob Ross")
    fake_slack.add_user(DEPLOYBOT, real_name="Deploy Bot", is_bot=True)
    fake_slack.add_user(GONE, real_name="Gone Person", deleted=True)
    return fake_slack


@pytest.fixture
def views_round_trip(fake_slack):
    """After each test: every view the bot sent Slack round-trips through slack_sdk.models."""
    yield
    for method in ("views.open", "views.publish", "views.update", "views.push"):
        for call in fake_slack.calls_to(method):
            view = call.args["view"]
            assert View(**view).to_dict() == view


@pytest.fixture
def grace(bot, fake_slack, engine) -> Advisor:
    enlist(bot, fake_slack, {"member": GRACE, "cadence": "14"})
    bot.settle()
    [advisor] = advisors(engine)
    return advisor


@pytest.fixture
def bobs_advisor(bot, fake_slack, engine) -> Advisor:
    enlist(bot, fake_slack, {"member": GRACE}, user=BOB)
    bot.settle()
    [advisor] = advisors(engine, owner=BOB)
    return advisor


@pytest.fixture
def nudging(engine, fake_slack, clock) -> Nudging:
    """The scheduler's tick and sender, on this test's database, clock and fake Slack."""
    return Nudging(engine, fake_slack, clock)
