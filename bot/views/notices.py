"""Small modals that tell the member what happened."""

from bot.ids import NOTICE_VIEW
from bot.views.text import mrkdwn, plain


def build_notice(title: str, text: str) -> dict:
    return {
        "type": "modal",
        "callback_id": NOTICE_VIEW,
        "title": plain(title, 24),
        "close": plain("Done", 24),
        "blocks": [{"type": "section", "text": mrkdwn(text)}],
    }
