"""The review of a member's network as Block Kit: its size, the support it covers and misses,
its range and strength, its type, goals no advisor helps with, the promise record, who gives and
who receives, and three next steps. Also the short Review section of the Home tab. Pure
builders; typed text (names, goals) is escaped once, here."""

from bot.ids import ADD_ADVISOR, OPEN_GOALS, OPEN_REVIEW
from bot.views.text import escape, mrkdwn, plain, shorten
from core.models import Origin
from core.review import (
    CAREER,
    FUNCTION_WORDS,
    ORIGIN_WORDS,
    PSYCHOSOCIAL,
    THRESHOLDS,
    NetworkType,
    Review,
)

MAX_NAMES = 8  # names listed in one line before "and N more"
TITLE = ":compass: *Your network, reviewed*"


def _section(text: str) -> dict:
    return {"type": "section", "text": mrkdwn(shorten(text, 3000))}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(shorten(text, 3000))]}


def _names(names) -> str:
    shown = [escape(n) for n in names[:MAX_NAMES]]
    more = len(names) - len(shown)
    if more:
        return f"{', '.join(shown)} and {more} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _button(text: str, action: str, value: str = "", style: str | None = None) -> dict:
    button = {"type": "button", "text": plain(text, 75), "action_id": action}
    if value:
        button["value"] = value
    return {**button, "style": style} if style else button


def _size(review: Review) -> str:
    size = review.size
    n = size.active
    board = "no advisors yet" if n == 0 else f"{n} advisor{'s' if n != 1 else ''}"
    alumni = f" (and {size.alumni} among your alumni)" if size.alumni else ""
    return f"*Size:* {board}{alumni}, against the {size.about} or so the research suggests."


def _coverage(review: Review) -> str:
    coverage = review.coverage
    lines = ["*Support*"]
    for label, functions in (("Career", CAREER), ("Personal", PSYCHOSOCIAL)):
        given = [FUNCTION_WORDS[f] for f in functions if coverage.givers.get(f)]
        missing = [FUNCTION_WORDS[f] for f in functions if not coverage.givers.get(f)]
        said = f"{label}: " + (", ".join(given) if given else "none yet")
        if missing:
            said += f". _No one gives {', '.join(missing)}._"
        lines.append(said)
    return "\n".join(lines)


def _range(review: Review) -> str:
    spread = review.range
    origins = ", ".join(
        f"{ORIGIN_WORDS.get(Origin(o), o)} ({count})" for o, count in spread.origins.items()
    )
    known = f"{spread.distinct} social system{'s' if spread.distinct != 1 else ''}"
    line = f"*Range:* {known}" + (f": {origins}" if origins else "")
    if spread.unknown:
        line += f"; not known yet for {_names(spread.unknown)}"
    ranks = [
        (spread.seniors, "senior", "seniors"),
        (spread.peers, "peer", "peers"),
        (spread.juniors, "junior", "juniors"),
        (spread.others, "family or other", "family or other"),
    ]
    mix = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in ranks if n)
    line += f".\n{spread.inside} inside your organisation, {spread.outside} outside"
    return line + (f"; {mix}." if mix else ".")


def _strength(review: Review) -> str:
    strength = review.strength
    parts = []
    if strength.closeness is not None:
        parts.append(f"closeness {strength.closeness:.1f} of 4")
    if strength.on_cadence is not None:
        parts.append(f"{round(strength.on_cadence * 100)}% in touch on cadence")
    if strength.gave is not None:
        parts.append(
            f"you gave in {strength.gave_in} of your {strength.recent_touchpoints} touchpoints "
            "this past year"
        )
    line = "*Strength:* " + ("; ".join(parts) if parts else "not known yet")
    if strength.overdue:
        line += f".\nOverdue: {_names(strength.overdue)}"
    if strength.closeness_unknown:
        line += f".\nHow close you are is not known yet for {_names(strength.closeness_unknown)}"
    return line + "."


def _shape(review: Review) -> str:
    shape = review.shape
    if shape.type == NetworkType.UNKNOWN:  # its sentence says what to fill in
        return f"*Type:* {escape(shape.sentence)}"
    return f"*Type: {shape.type.value}.* {escape(shape.sentence)}"


def _goals(review: Review) -> str | None:
    if not review.unlinked_goals:
        return None
    goals = [f"“{escape(shorten(g.text, 80))}”" for g in review.unlinked_goals[:MAX_NAMES]]
    more = len(review.unlinked_goals) - len(goals)
    listed = ", ".join(goals) + (f" and {more} more" if more else "")
    return f"*Goals no advisor helps with:* {listed}."


def _promises(review: Review) -> str:
    p = review.promises
    total = p.kept_on_time + p.renegotiated_in_time + p.late + p.dropped
    if not total and not p.open:
        return "*Promises:* none recorded yet."
    return (
        f"*Promises:* {p.kept_on_time} kept on time, {p.renegotiated_in_time} renegotiated in "
        f"time, {p.late} late, {p.dropped} dropped, {p.open} open."
    )


def _give_and_take(review: Review) -> str | None:
    lines = []
    if review.mostly_give:
        lines.append(f"Give you more than they get: {_names(review.mostly_give)}.")
    if review.mostly_receive:
        lines.append(f"You give more to: {_names(review.mostly_receive)}.")
    if not lines:
        return None
    return "*Give and take*\n" + "\n".join(lines)


def _suggestions(review: Review) -> str | None:
    if not review.suggestions:
        return None
    steps = [f"{n}. {escape(s.text)}" for n, s in enumerate(review.suggestions, start=1)]
    return "*Next steps*\n" + "\n".join(steps)


def build_review(review: Review) -> dict:
    """The whole review, as a message (the DM, or the answer to `/advisor review`)."""
    if review.needs:
        said = f"{TITLE}\n{escape(review.needs)}"
        blocks = [_section(said)]
        if review.suggestions:
            blocks.append(_section(_suggestions(review)))
        blocks.append({"type": "actions", "elements": [_enlist(), _goals_button()]})
        return {"text": f"Your network, reviewed: {review.needs}", "blocks": blocks}
    parts = [
        _size(review),
        _shape(review),
        _coverage(review),
        _range(review),
        _strength(review),
        _goals(review),
        _promises(review),
        _give_and_take(review),
        _suggestions(review),
    ]
    blocks = [_section(TITLE)]
    blocks += [_section(p) for p in parts if p]
    blocks.append(
        _context(
            "Range, strength and the type are heuristics, not findings: the research (Higgins "
            "& Kram 2001) gives no cut-offs. Fill in where you know each advisor from and how "
            "close you are (Edit on the Home tab) to sharpen it."
        )
    )
    blocks.append({"type": "actions", "elements": [_enlist(), _goals_button()]})
    kind = review.shape.type.value
    return {
        "text": f"Your network, reviewed: {review.size.active} advisors, {kind}.",
        "blocks": blocks,
    }


def _enlist() -> dict:
    return _button("Enlist an advisor", ADD_ADVISOR)


def _goals_button() -> dict:
    return _button("My goals", OPEN_GOALS)


def build_home_review(review: Review) -> list[dict]:
    """The Review section of the Home tab: the shape in one line, the top next step, and a
    button for the whole review (with its picture) in the DM."""
    blocks: list[dict] = [{"type": "header", "text": plain("Review", 150)}]
    if review.needs:
        line = escape(review.needs)
    else:
        line = (
            f"{review.size.active} advisors (about {THRESHOLDS.about} is the research's rule "
            f"of thumb) · {_home_type(review)}"
        )
    blocks.append(_section(line))
    if review.suggestions:
        blocks.append(_context(f"Next step: {escape(review.suggestions[0].text)}"))
    buttons = [_button("Review my network", OPEN_REVIEW), _goals_button()]
    blocks.append({"type": "actions", "elements": buttons})
    return blocks


PICTURE_MISSING = "The picture of your network could not be uploaded this time."


def build_picture_missing() -> dict:
    """After the review went as text: its picture could not follow."""
    return {"text": PICTURE_MISSING, "blocks": [_context(PICTURE_MISSING)]}


HOME_TYPE = {
    NetworkType.RECEPTIVE: "a *receptive* network (a few loose ties from one or two places)",
    NetworkType.TRADITIONAL: "a *traditional* network (close ties from one or two places)",
    NetworkType.OPPORTUNISTIC: "an *opportunistic* network (loose ties from many places)",
    NetworkType.ENTREPRENEURIAL: "an *entrepreneurial* network (close ties from many places)",
}


def _home_type(review: Review) -> str:
    return HOME_TYPE.get(review.shape.type, "its type is not known yet")


def build_upload_failed(review: Review) -> dict:
    """The review as text, when its picture could not be uploaded."""
    message = build_review(review)
    note = _context(PICTURE_MISSING)
    return {"text": message["text"], "blocks": [*message["blocks"], note]}
