"""Text a member typed, as core accepts it: anything but control characters. A NUL byte cannot
be stored by Postgres at all, and the other C0 and C1 controls (and DEL) cannot be typed in
Slack and mean nothing when shown, so a field holding one is refused with a plain line rather
than silently changed. Tab, line feed and carriage return are ordinary text."""

import re

from core.errors import Invalid

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_typed(field: str, value: str | None) -> None:
    """Invalid at `field` when `value` holds a control character."""
    found = CONTROL.search(value or "")
    if found:
        raise Invalid(
            f"That has a control character (U+{ord(found.group()):04X}) that can't be saved: "
            "type it again without it.",
            field=field,
        )
