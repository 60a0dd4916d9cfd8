"""Bolt listeners, one module per area; each has register(app) and thin handle_* functions."""

from slack_bolt import App

from bot.listeners import commands, home, lifecycle, messages, shortcuts


def register_all(app: App) -> None:
    for area in (commands, messages, home, lifecycle, shortcuts):
        area.register(app)
