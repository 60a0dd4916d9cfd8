"""Small modals that tell the member what happened."""

from bot.ids import NOTICE_VIEW
from bot.views.text import mrkdwn, plain


def build_notice(title: str, text: str, quote: str = "") -> dict:
    """A modal that only tells; `quote` (text to copy) gets a section of its own."""
    blocks = [{"type": "section", "text": mrkdwn(text)}]
    for start in range(0, len(quote), 3000):  # long text to copy: whole, over a few sections
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": quote[start : start + 3000]}}
        )
    return {
        "type": "modal",
        "callback_id": NOTICE_VIEW,
        "title": plain(title, 24),
        "close": plain("Done", 24),
        "blocks": blocks,
    }
