"""Every command name, callback id and action id the bot uses, in one place."""

COMMAND = "/advisor"
HOME_CALLBACK = "home"
LOG_AS_TOUCHPOINT = "log_as_touchpoint"
