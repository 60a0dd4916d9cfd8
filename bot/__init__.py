"""The Slack edge of advisor-bot: listeners, Block Kit builders, the scheduler and start-up."""
