"""Installs through OAuth for tests: the bot's settings for it, a browser that keeps cookies,
and the whole "Add to Slack" round trip against the fake Slack."""

import re
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.fernet import Fernet

from bot.__main__ import make_installs
from bot.config import Config, load_config
from bot.oauth import BOT_SCOPES
from tests.conftest import running_bot
from tests.fakes import SIGNING_SECRET

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "client-secret-of-the-tests"
STATE_SECRET = "state-secret-of-the-tests-0123456789"
KEY = Fernet.generate_key().decode()


def oauth_config(fake_slack, *, retention_days: int = 30, key: str = KEY) -> Config:
    return load_config(
        {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_STATE_SECRET": STATE_SECRET,
            "ADVISOR_ENCRYPTION_KEY": key,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "ADVISOR_RETENTION_DAYS": str(retention_days),
        }
    )


@dataclass
class Page:
    status: int
    html: str
    headers: dict


@dataclass
class Browser:
    """A person's browser: GETs pages and keeps the cookies they set."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, path: str) -> Page:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(
            self.base_url + path, headers={"Cookie": cookie} if cookie else {}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                page = Page(answer.status, answer.read().decode(), dict(answer.headers))
                set_cookies = answer.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as error:
            page = Page(error.code, error.read().decode(), dict(error.headers))
            set_cookies = error.headers.get_all("Set-Cookie") or []
        for raw in set_cookies:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return page


def authorize_url(page: Page) -> str:
    """The "Add to Slack" button's link on the install page."""
    found = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]*)"', page.html)
    assert found, page.html
    return unescape(found.group(1))


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


def install(
    bot,
    fake_slack,
    team_id: str,
    *,
    team_name: str = "",
    installer: str = "U0INSTALLER",
    browser: Browser | None = None,
) -> Page:
    """A person opens the install page, approves in Slack, and lands on the bot's redirect."""
    browser = browser or Browser(bot.url)
    url = authorize_url(browser.get("/slack/install"))
    code = fake_slack.authorize(
        team_id, team_name=team_name or f"Team {team_id}", installer=installer, scopes=BOT_SCOPES
    )
    return browser.get("/slack/oauth_redirect?" + urlencode({"code": code, "state": state_of(url)}))


@dataclass
class InstalledBot:
    bot: object
    installs: object
    flow: object
    config: Config


@contextmanager
def running_installed_bot(engine, fake_slack, clock, *, retention_days: int = 30, key: str = KEY):
    """The real app over HTTP, installed through OAuth (no bot token of its own)."""
    config = oauth_config(fake_slack, retention_days=retention_days, key=key)
    installs, flow = make_installs(config, engine, clock)
    with running_bot(engine, fake_slack, clock, installs=installs, flow=flow) as bot:
        yield InstalledBot(bot, installs, flow, config)
