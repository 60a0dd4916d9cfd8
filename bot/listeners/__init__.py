"""Bolt listeners, one module per area; each has register(app) and thin handle_* functions."""

from slack_bolt import App

from bot.listeners import (
    board,
    commands,
    first_use,
    history,
    home,
    lifecycle,
    messages,
    nudge_settings,
    nudges,
    promises,
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
        messages,
        home,
        lifecycle,
        unknown,  # last: what no other listener takes
    ):
        area.register(app)
