"""Bolt listeners, one module per area; each has register(app) and thin handle_* functions."""

from slack_bolt import App

from bot.listeners import (
    board,
    circle_setup,
    circles,
    commands,
    first_use,
    forget,
    goals,
    history,
    home,
    imports,
    lifecycle,
    messages,
    nudge_settings,
    nudges,
    promises,
    reassess,
    review,
    touchpoints,
    unknown,
)


def register_all(app: App) -> None:
    for area in (
        commands,
        board,
        touchpoints,
        promises,
        history,
        first_use,
        nudges,
        nudge_settings,
        reassess,
        review,
        goals,
        forget,
        circles,  # before messages: messages in channels are theirs
        imports,  # before messages: a file shared in the DM may be an import
        messages,
        home,
        lifecycle,
        circle_setup,
        unknown,  # last: what no other listener takes
    ):
        area.register(app)
