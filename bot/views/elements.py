"""Block Kit input elements shared by the modals, and reading their submitted values."""

import json

from bot.views.text import option, plain


def input_block(
    block_id: str, label: str, element: dict, *, optional: bool = True, hint: str = ""
) -> dict:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "optional": optional,
        "element": {**element, "action_id": block_id},
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def text_input(
    limit: int, initial: str = "", *, multiline: bool = False, placeholder: str = ""
) -> dict:
    element = {"type": "plain_text_input", "max_length": limit, "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def choice(kind: str, labels: dict, initial: list[str]) -> dict:
    options = [option(text, value) for value, text in labels.items()]
    element = {"type": kind, "options": options}
    chosen = [o for o in options if o["value"] in initial]
    if chosen and kind == "checkboxes":
        element["initial_options"] = chosen
    elif chosen:
        element["initial_option"] = chosen[0]
    return element


def submitted(values: dict, block_id: str) -> dict:
    """The state Slack sent for one input block (its action id is its block id)."""
    return values.get(block_id, {}).get(block_id) or {}


def metadata(view: dict, key: str):
    """One value from a view's private metadata (JSON); None when absent or unreadable. It came
    back from the client, so callers check it like any other input."""
    try:
        return json.loads(view.get("private_metadata") or "{}").get(key)
    except (ValueError, AttributeError):
        return None


MAX_OPTIONS = 100  # Slack's limit for a static select


def advisor_select(board: list, advisor_id: int | None) -> dict:
    """A menu of the board's advisors (most urgent first), one of them chosen if given."""
    options = [option(a.name, str(a.id)) for a in board[:MAX_OPTIONS]]
    pick = {
        "type": "static_select",
        "options": options,
        "placeholder": plain("Choose an advisor", 150),
    }
    chosen = [o for o in options if o["value"] == str(advisor_id)]
    if chosen:
        pick["initial_option"] = chosen[0]
    return pick


def pages_block(action_id: str, value: str, left: int, start_over: str | None = None) -> dict:
    """A "Show more" button (`value`: where the next page starts), and back to the top. Both
    do the same (show the page their value says) under their own action ids ("<id>" and
    "<id>_top"), as Slack wants the ids in a block unique."""
    buttons = []
    if left:
        more = {"type": "button", "text": plain(f"Show more ({left} left)"), "style": "primary"}
        buttons.append({**more, "action_id": action_id, "value": value})
    if start_over is not None:
        top = {"type": "button", "text": plain("Back to the top"), "action_id": f"{action_id}_top"}
        buttons.append({**top, "value": start_over})
    return {"type": "actions", "block_id": "pages", "elements": buttons}
