"""Text people type: the one form it is stored in, and how it is shown back, exactly once.

**Stored form.** The database holds what the person typed, as Unicode, never HTML entities.
Text typed into a modal (plain_text_input) arrives that way and is stored as it came. Text
Slack formats (a slash command's text, a message event's text) arrives with `&`, `<` and `>`
escaped and with Slack's tokens for what the person picked: `<@U123|maya>` (a member),
`<#C123|general>` (a channel), `<https://…>` or `<https://…|label>` (a link), `<!here>`,
`<!channel>`, `<!everyone>`, `<!subteam^S123|@team>` (special mentions). `from_slack` turns it
into the stored form once, where it enters (the `/advisor` router, a reply in a nudge's thread):
entities become the characters typed, and tokens are kept as tokens, their insides unescaped
too (`<https://x?a=1&b=2|R&D>`). So `R&amp;D` from a slash command and `R&D` from a modal are
stored alike. A token typed by hand in a modal (`<https://x|docs>`) reads the same way; any
other `<` is an ordinary character.

**Shown in mrkdwn** (`escape`, the only way user text enters mrkdwn, including the top-level
`text` of messages, which Slack parses as mrkdwn and shows in notifications):
- ordinary text: `&`, `<`, `>` escaped once; `* _ ~ \\`` are left as typed (Slack formats them as
  it would the person's own message);
- a link stays a clickable link with its label: `<https://x|docs>`;
- a member shows as `@maya` (their label; `@U123` when Slack gave none), as text: it never pings;
- a channel stays Slack's channel link `<#C123>` (Slack shows `#general`; channels never ping);
- a special mention or user group shows as text (`@channel`, `@here`, `@everyone`, the group's
  label): it never pings;
- direction controls (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C) are dropped, so
  nothing typed can reorder what a reader sees.

**Shown in plain_text** (`readable`: buttons, options, titles, confirm dialogs): the same
reading with no markup at all (a link shows its label, or its address).
"""

import re

BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
TOKEN = re.compile(r"<([^<>\n]+)>")
ENTITY = re.compile(r"&(amp|lt|gt);")
ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
USER = re.compile(r"@([UW][A-Z0-9]+)(?:\|(.*))?", re.DOTALL)
CHANNEL = re.compile(r"#([CG][A-Z0-9]+)(?:\|(.*))?", re.DOTALL)
SPECIAL = re.compile(r"!([a-z]+)(?:\^([^|]*))?(?:\|(.*))?", re.DOTALL)
LINK = re.compile(r"((?:https?|ftp|slack)://[^\s|]+|(?:mailto|tel):[^\s|]+)(?:\|(.*))?", re.DOTALL)
MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")  # a Slack member id, nothing else
TOKEN_LIKE = re.compile(r"<((?:@[UW][A-Z0-9]|![a-z]|#[CG][A-Z0-9])[^<>]*)>")
SPECIAL_NAMES = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def _unescape(slack: str) -> str:
    return ENTITY.sub(lambda m: ENTITIES[m.group(1)], slack)


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def from_slack(slack: str) -> str:
    """Text as Slack formats it (slash commands, message events) in the stored form."""
    return TOKEN.sub(lambda m: f"<{_inside(m.group(1))}>", _unescape_outside(slack))


def _inside(token: str) -> str:
    """A token's insides unescaped; a `<` or `>` in a label (rare) becomes a single angle
    quotation mark so the token still reads as one."""
    return _unescape(token).replace("<", "\u2039").replace(">", "\u203a")


def _unescape_outside(slack: str) -> str:
    parts, last = [], 0
    for token in TOKEN.finditer(slack):
        parts += [_unescape(slack[last : token.start()]), token.group(0)]
        last = token.end()
    return "".join([*parts, _unescape(slack[last:])])


def _special(kind: str, label: str | None) -> str:
    if label:
        return label if label.startswith("@") or kind == "date" else f"@{label}"
    return SPECIAL_NAMES.get(kind, "@group" if kind == "subteam" else f"@{kind}")


def _parts(stored: str):
    """The stored text as ('text', s) | ('user', shown) | ('channel', id, label) |
    ('special', shown) | ('link', url, label) pieces; direction controls dropped."""
    stored, last = BIDI.sub("", stored), 0
    for token in TOKEN.finditer(stored):
        inside = token.group(1)
        piece = None
        if user := USER.fullmatch(inside):
            piece = ("user", "@" + (user.group(2) or user.group(1)).lstrip("@"))
        elif channel := CHANNEL.fullmatch(inside):
            piece = ("channel", channel.group(1), channel.group(2))
        elif special := SPECIAL.fullmatch(inside):
            piece = ("special", _special(special.group(1), special.group(3)))
        elif link := LINK.fullmatch(inside):
            piece = ("link", link.group(1), link.group(2))
        if piece is None:
            continue
        if token.start() > last:
            yield ("text", stored[last : token.start()])
        yield piece
        last = token.end()
    if last < len(stored):
        yield ("text", stored[last:])


def escape(stored: str) -> str:
    """Stored text as mrkdwn: shown as typed, once, with links kept and nothing that pings."""
    out = []
    for piece in _parts(stored):
        kind = piece[0]
        if kind == "link":
            url, label = _entities(piece[1]), piece[2]
            out.append(f"<{url}|{_entities(label)}>" if label else f"<{url}>")
        elif kind == "channel":
            out.append(f"<#{piece[1]}>")
        else:
            out.append(_entities(piece[1]))
    return "".join(out)


def readable(stored: str) -> str:
    """Stored text as a plain_text object shows it: no markup, no pings, no direction tricks."""
    out = []
    for piece in _parts(stored):
        if piece[0] == "link":
            out.append(piece[2] or piece[1])
        elif piece[0] == "channel":
            out.append("#" + (piece[2] or piece[1]).lstrip("#"))
        else:
            out.append(piece[1])
    return TOKEN_LIKE.sub("\u2039\\1\u203a", "".join(out))  # `<<@U1>>`: no token left over


def clip(text: str, limit: int) -> str:
    """Text (typed or not) shortened to `limit` characters with "…", never in the middle of a
    Slack token (a half link or mention would show as markup, or as junk)."""
    if len(text) <= limit:
        return text
    end = limit - 1
    for token in TOKEN.finditer(text):
        if token.start() < end < token.end():
            end = token.start()
    return text[:end] + "…"


def cut(text: str, limit: int) -> str:
    """Escaped mrkdwn shortened to `limit` characters without leaving half an entity or a
    half link (which Slack would show as markup)."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    head = re.sub(r"&[a-z]*$", "", head)
    opened = head.rfind("<")
    if opened > head.rfind(">"):
        head = head[:opened]
    return head + "…"
