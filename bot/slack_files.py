"""Fetching a file a member shared in the bot's DM (an import): its details from files.info when
the event does not carry them, then its bytes from its `url_private` with the bot token as a
bearer token, as Slack asks (the files:read scope). The token only ever goes to Slack's own
hosts (those of the Web API the client talks to), a redirect is never followed (Slack answers
one, to a sign-in page, when it will not hand a file over), and no more than `limit` bytes are
read. What goes wrong is a NotFetched whose message can be shown to the member."""

import ipaddress
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

TIMEOUT_SECONDS = 30
REFUSALS = {
    "missing_scope": (
        "this workspace has not let me read files yet (files:read): ask whoever installed "
        "advisor-bot to reinstall it, or paste the CSV with `/advisor import`"
    ),
    "file_not_found": "the file is gone from Slack: upload it again",
    "file_deleted": "the file was deleted from Slack: upload it again",
}


class NotFetched(Exception):
    """The file could not be fetched; the message says why, to the member."""


def details(client: WebClient, shared: dict) -> dict:
    """The file as Slack describes it: as the event carried it, or from files.info when the
    event only names it (`file_access: check_file_info`, no download address)."""
    url = shared.get("url_private_download") or shared.get("url_private")
    if url and shared.get("file_access", "visible") == "visible":
        return shared
    try:
        return client.files_info(file=str(shared.get("id") or ""))["file"]
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        raise NotFetched(
            REFUSALS.get(code, f"Slack would not describe the file ({code})")
        ) from None


def _labels(host: str) -> str:
    """The domain a host belongs to (its last two labels), or the address itself."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        return ".".join(host.split(".")[-2:])


def is_slacks(url: str, api_url: str) -> bool:
    """Whether `url` is on the same scheme and domain as the Web API (files.slack.com for
    slack.com): the only place the bot token may be sent."""
    wanted, got = urlsplit(api_url), urlsplit(url)
    host, api_host = (got.hostname or "").lower(), (wanted.hostname or "").lower()
    if not host or got.scheme != wanted.scheme or got.username or got.password:
        return False
    domain = _labels(api_host)
    return host in (api_host, domain) or host.endswith("." + domain)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise NotFetched("Slack would not hand the file over to me: upload it again")


def fetch(client: WebClient, file: dict, *, limit: int) -> bytes:
    """The file's bytes (at most `limit` of them)."""
    size = file.get("size")
    if isinstance(size, int) and size > limit:
        raise NotFetched(
            f"the file is {size / 1e6:.1f} MB; I read files up to {limit / 1e6:.0f} MB"
        )
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    if not is_slacks(url, client.base_url):
        raise NotFetched("Slack gave no address I can fetch the file from: upload it again")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            if response.headers.get_content_type() == "text/html":
                raise NotFetched("Slack sent a web page instead of the file: upload it again")
            data = response.read(limit + 1)
    except urllib.error.HTTPError as error:
        raise NotFetched(f"Slack answered {error.code} for the file: upload it again") from None
    except (urllib.error.URLError, OSError) as error:
        raise NotFetched(
            f"Slack could not be reached for the file ({error}): upload it again in a minute"
        ) from None
    if len(data) > limit:
        raise NotFetched(f"the file is over {limit / 1e6:.0f} MB, the most I read")
    return data
