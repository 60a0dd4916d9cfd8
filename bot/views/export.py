"""What the export says around its files: the answer to `/advisor export`, each file's title and
comment, and the line sent instead when Slack will not take files. Pure builders."""

from datetime import date

ON_ITS_WAY = (
    "Your export is on its way to your DM with me: your whole record as a JSON file, and your "
    "board's advisors as a CSV you can open in a spreadsheet."
)
JSON_COMMENT = (
    "Your whole record: your settings, advisors and alumni with their touchpoints and promises "
    "(with every change), goals, reassessments, circles and the challenges you shared, as you "
    "typed them. `/advisor import` reads this file back."
)
CSV_COMMENT = (
    "Your board's advisors, one a line (name, Slack user, email, relationship, inside or "
    "outside, cadence in days, last contact). Alumni are in the JSON file."
)
WHY = {
    "missing_scope": (
        "this workspace has not given me permission to share files (files:write): ask whoever "
        "installed advisor-bot to reinstall it"
    ),
    "not_allowed_token_type": (
        "this workspace has not given me permission to share files (files:write): ask whoever "
        "installed advisor-bot to reinstall it"
    ),
    "file_uploads_disabled": "file uploads are turned off in this workspace: ask an admin",
}


def file_title(day: date, kind: str) -> str:
    """A file's title in the DM: the member's day they asked for it, and which file it is."""
    return f"Your advisor-bot export ({kind}), {day:%a, %b} {day.day}"


def build_not_uploaded(error: str) -> dict:
    """To the member: Slack refused the export's files, why in words, and what to do."""
    why = WHY.get(error, f"Slack refused the upload ({error})")
    text = (
        f"I couldn't send your export: {why}. Nothing of yours was changed; once that is "
        "sorted, `/advisor export` sends it again."
    )
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
