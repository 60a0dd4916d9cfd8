"""The scheduler wakes one tick at a time, every ADVISOR_TICK_SECONDS, and missed ticks merge."""

import logging
from datetime import timedelta

from bot.delivery.pacing import Pacing
from bot.delivery.sender import OneWorkspace, Sender
from bot.scheduler import TICK_JOB, Ticker, start_scheduler
from core.db import session_factory
from tests.fakes import BOT_TOKEN


def test_the_tick_runs_every_configured_interval_never_overlapping_and_merging_missed_ones():
    scheduler = start_scheduler(lambda: None, seconds=45)
    try:
        job = scheduler.get_job(TICK_JOB)
        assert job.trigger.interval == timedelta(seconds=45)
        assert job.max_instances == 1
        assert job.coalesce is True
    finally:
        scheduler.shutdown(wait=False)


def test_a_tick_notes_the_time_from_the_clock_it_is_given(engine, fake_slack, clock, caplog):
    sessions = session_factory(engine)
    clients = OneWorkspace(BOT_TOKEN, fake_slack.api_url)
    sender = Sender(clients, sessions, clock, process="p", pacing=Pacing(10))
    with caplog.at_level(logging.DEBUG, logger="bot.scheduler"):
        Ticker(sessions, clock, sender)()

    assert "tick at 2026-11-23T09:00:00+00:00" in caplog.text
