"""Errors core raises; their messages are fit to show the person who caused them."""


class Invalid(ValueError):
    """Input the person can fix. `field` names the form field it belongs to, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class Unsure(Invalid):
    """Input a careful reader would ask about ("by January", "Sunday, Feb 10" when the 10th is a
    Monday): `question` to show, and the 2 to 4 `choices` (days, none of them past) it offers."""

    def __init__(self, question: str, choices: list, *, field: str | None = None):
        super().__init__(question, field=field)
        self.question = question
        self.choices = choices


class NotOnBoard(LookupError):
    """An advisor that is not on this member's board: unknown, removed, or someone else's."""

    def __init__(self):
        super().__init__("That advisor is not on your board (any more), so nothing changed.")


class NotYours(LookupError):
    """A promise (or a nudge, an update) that is not this member's: unknown, or someone else's."""

    def __init__(self, what: str = "promise"):
        super().__init__(f"That {what} is not one of yours (any more), so nothing changed.")


class AmongAlumni(Invalid):
    """Someone enlisted again who is already among the member's alumni: the advisor (id, name)
    to bring back instead."""

    def __init__(self, name: str, *, field: str, advisor_id: int):
        super().__init__(f"{name} is already among alumni.", field=field)
        self.name, self.advisor_id = name, advisor_id
