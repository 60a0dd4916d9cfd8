"""The usage card: what the bot does and every /advisor subcommand."""

from dataclasses import dataclass

from bot.ids import COMMAND
from bot.views.text import escape


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    does: str


SUBCOMMANDS = (
    Subcommand("add", "add [@someone]", "enlist an advisor on your board"),
    Subcommand("list", "list", "see your board (add `alumni` for advisors eased aside)"),
    Subcommand("log", "log @someone|name [note]", "record a touchpoint (alone: a form)"),
    Subcommand("promise", "promise @someone <what> by <when>", "record a promise you made"),
    Subcommand("promises", "promises", "see your open promises"),
    Subcommand("goals", "goals", "write where you want to be, your strengths and gaps to fill"),
    Subcommand("review", "review", "see the shape of your network, what it lacks, next steps"),
    Subcommand("settings", "settings", "choose the days and hours nudges reach you, or pause them"),
    Subcommand("circle", "circle", "in a team channel: its peer-coaching circle, or set one up"),
    Subcommand("circles", "circles", "see the circles you are in"),
    Subcommand("export", "export", "your whole record (JSON) and advisors (CSV), in your DM"),
    Subcommand("import", "import", "add advisors from a CSV (or an export), checked first"),
    Subcommand("forget", "forget me", "delete everything I keep about you (you confirm first)"),
    Subcommand("help", "help", "show this card"),
)

INTRO = (
    "I help you keep up your *personal board of advisors*: the five or so people you enlisted "
    "to help you grow. When a relationship goes quiet I send you a *stay in touch* nudge, and "
    "before a promise falls due a *show your work* nudge, in this DM, on your days and hours "
    "(`/advisor settings`). Reply in a nudge's thread and I record what you write. "
    "Your board is on my *Home* tab, and *Log as touchpoint* in any message's menu records a "
    "conversation."
)
REACH = "You can also mention me in a channel or send me a direct message."


def _command_lines(available: frozenset[str]) -> str:
    lines = []
    for sub in SUBCOMMANDS:
        soon = "" if sub.name in available else " _(coming soon)_"
        lines.append(f"`{COMMAND} {escape(sub.usage)}`: {sub.does}{soon}")
    return "*Commands*\n" + "\n".join(lines)


def _card_blocks(available: frozenset[str]) -> list[dict]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": INTRO}},
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": _command_lines(available)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": REACH}]},
    ]


def _escape(typed: str) -> str:
    """Text the user typed, safe inside inline code in mrkdwn (a backtick would end it)."""
    return escape(typed).replace("`", "'")


def _answer_to(asked: str, available: frozenset[str]) -> str:
    if any(sub.name == asked for sub in SUBCOMMANDS) and asked not in available:
        return f"`{COMMAND} {asked}` is coming soon. Here is what I can do now."
    shown = _escape(asked if len(asked) <= 40 else asked[:39] + "…")
    return f"I don't know `{COMMAND} {shown}`. Here is what I can do."


def build_help_message(available: frozenset[str], *, asked: str | None = None) -> dict:
    """The usage card as a message; `asked` is a subcommand the user typed that is not built."""
    blocks = _card_blocks(available)
    text = "Here is what I can do with your board of advisors."
    if asked is not None:
        text = _answer_to(asked, available)
        blocks.insert(0, {"type": "section", "text": {"type": "mrkdwn", "text": text}})
    return {"text": text, "blocks": blocks}
