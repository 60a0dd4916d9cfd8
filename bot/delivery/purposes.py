"""What a purpose is to the sender, and the purposes there are. A purpose is one module per
side: core decides (when to enqueue, what a post or a refusal means), bot/delivery/<purpose>.py
renders. Adding one is a module here and a line in PURPOSES, never an edit of the sender."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from core.models import Outbox


@dataclass(frozen=True)
class Upload:
    """A file shared in the row's conversation instead of a post (slack_sdk's files_upload_v2:
    an upload URL, the bytes, then files.completeUploadExternal with the channel's id). A lost
    answer is looked for in the conversation's history as a file with this title and filename:
    make them tell this row's upload from the others of the last few minutes (a date, an id)."""

    filename: str
    content: bytes | Callable[[], bytes]  # or how to make them: made when sent, not prepared
    title: str
    alt_text: str | None = None  # what a screen reader says of a picture (1,000 characters)
    comment: str | None = None  # the message shown with the file (initial_comment)

    def bytes(self) -> bytes:
        """The file's bytes (made now when `content` says how: outside any transaction)."""
        return self.content() if callable(self.content) else self.content


@dataclass(frozen=True)
class Ready:
    """Post this now: chat.postMessage's text, blocks... (the sender adds where and metadata).
    With `replace`, the message at that ts in the row's channel is updated in place instead
    (chat.update: doing it twice changes nothing, so it is never looked up first). With
    `upload`, the file is shared instead and `message` is not posted; should Slack refuse it,
    the purpose's `failed` runs as for a refused post (and may send the text on its own)."""

    message: dict
    replace: str | None = None
    upload: Upload | None = None


@dataclass(frozen=True)
class Later:
    """Not now (the member's window is closed; a circle's check-in is not open): from `at`."""

    at: datetime
    why: str


@dataclass(frozen=True)
class Nothing:
    """Nothing left to say (everything in it was dealt with; its subject is gone)."""

    why: str


@dataclass(frozen=True)
class Gone:
    """The target cannot receive it, as already known (Slack refused the member's DM before)."""

    error: str


Prepared = Ready | Later | Nothing | Gone


def _nothing_follows(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    return []


def _nothing_to_do(
    session: Session, *, row: Outbox, error: str, gone: bool, now: datetime
) -> list[int]:
    return []


@dataclass(frozen=True)
class Purpose:
    """How the sender treats a row of this purpose.

    - `prepare(session, row=, now=)`: what to post now, or why not (read in the transaction that
      takes the row); an exception is a failed attempt, logged with the row's id.
    - `posted(session, row=, now=)`: what the post means (runs in the transaction that records
      the row as sent, so it happens once); returns rows it enqueued, to send at once.
    - `failed(session, row=, error=, gone=, now=)`: the row failed for good; `gone` when Slack
      says the target cannot receive (a DM that cannot be opened, an archived channel), else it
      ran out of attempts or Slack rejected the message. Returns rows it enqueued.
    - `scheduled(session, schedule=, occurrence=, now=)`, for a purpose that runs on schedules
      (core/schedules.py) of its name: what an occurrence puts in the outbox (keyed by the
      occurrence, so it is done once). The tick claims each occurrence when its time comes.
    """

    name: str
    prepare: Callable[..., Prepared]
    posted: Callable[..., list[int]] = _nothing_follows
    failed: Callable[..., list[int]] = _nothing_to_do
    scheduled: Callable[..., list[int]] | None = None


def _unknown(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    return Nothing("no purpose renders it")


NO_PURPOSE = Purpose("", _unknown)  # a row that could not be read, or of a purpose not known


def registry() -> dict[str, Purpose]:
    """Every purpose, by name (imported here so that the sender need not know them)."""
    from bot.delivery import circles, first_use, nudges, reassess, review, updates

    every = (*nudges.PURPOSES, *updates.PURPOSES, *first_use.PURPOSES, *circles.PURPOSES)
    every += (*reassess.PURPOSES, *review.PURPOSES)
    from bot.delivery import export, forget, imports

    every += (*export.PURPOSES, *forget.PURPOSES, *imports.PURPOSES)
    return {purpose.name: purpose for purpose in every}
