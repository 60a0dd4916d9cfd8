"""Ack first, work after: no ack ever waits behind the database or a slow Slack call.

Bolt runs with `process_before_response=True`, so the ack is made in the thread that answers
Slack's HTTP request and never queues behind other work; every listener is registered through
`Deferring`, whose ack function acks at once and hands the listener itself to the work pool.

- Commands, block actions, shortcuts and events are acked empty at once (or, for a listener
  with an `at_once` function, with what it returns: the usage card of `/advisor help`). What
  a listener gives its `ack` (the answer to a slash command) reaches the person through the
  request's response URL instead, as the same ephemeral message, once the work is done.
- A view submission's answer (`response_action: errors` or `update`) has to be in the ack, so
  its ack waits for the listener up to VIEW_BUDGET_SECONDS (the database's own timeouts bound
  the work behind it). Should the listener not have answered by then, the modal shows that the
  work is still going, and is updated with the real outcome (or its field errors, said in
  words) when the listener answers.
- A listener that fails before it answered tells the person nothing was saved (in place);
  one that fails after answering only logs: the person was already told the real outcome.
"""

import inspect
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor

from slack_bolt import App, Args
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import OperationalError

from bot.views.notices import build_notice
from core.db import one_line

log = logging.getLogger(__name__)
VIEW_BUDGET_SECONDS = 2.0
SORRY = (
    "Something went wrong on my side and nothing was saved. "
    "Please try again in a minute; if it keeps happening, tell whoever runs advisor-bot."
)
TOO_SLOW_TO_OPEN = (
    "Slack took too long to open the form (it allows 3 seconds), so nothing was opened or "
    "saved. Please run the same thing again."
)
STILL_WORKING = (
    "Still saving: the database is slow right now. This window shows the outcome as soon as "
    "it is known, so there is no need to submit again."
)
_REGISTRARS = ("action", "command", "event", "message", "message_shortcut", "shortcut", "view")


class Deferring:
    """Stands in for the App while listeners register: each listener is wrapped to ack at once
    (a view: within the budget) and run on `executor`."""

    def __init__(self, app: App, executor: Executor, *, budget: float = VIEW_BUDGET_SECONDS):
        self._app = app
        self._executor = executor
        self._budget = budget

    def __getattr__(self, name: str):
        register = getattr(self._app, name)
        if name not in _REGISTRARS:
            return register

        def registering(*matchers, **options):
            decorate = register(*matchers, **options)
            return lambda listener: decorate(self._wrap(listener, is_view=name == "view"))

        return registering

    def _wrap(self, listener: Callable, *, is_view: bool) -> Callable[[Args], None]:
        names = list(inspect.signature(listener).parameters)
        # A listener may say what to ack with when that needs nothing slow (a usage card).
        at_once_of: Callable[[Args], dict | None] | None = getattr(listener, "at_once", None)

        def run(args: Args, answer: "_Answer") -> None:
            late = _copy_with_ack(args, answer)
            try:
                listener(**{n: late if n == "args" else getattr(late, n) for n in names})
            except Exception as error:
                answer.failed(error)

        def ack_now(args: Args) -> None:
            if is_view:
                answer = _ViewAnswer(args)
                self._executor.submit(run, args, answer)
                answer.ack_within(self._budget)
                return
            at_once = at_once_of(args) if at_once_of else None
            args.ack(**(at_once or {}))
            self._executor.submit(run, args, _Answer(args, answered=at_once is not None))

        ack_now.__name__ = getattr(listener, "__name__", "listener")
        return ack_now


def _copy_with_ack(args: Args, ack: Callable) -> Args:
    """The listener's arguments, its `ack` being `ack`."""
    copied = object.__new__(Args)
    copied.__dict__.update(args.__dict__)
    copied.ack = ack
    return copied


class _Answer:
    """The `ack` a deferred listener calls: what it says goes to the response URL."""

    def __init__(self, args: Args, *, answered: bool = False):
        self._args = args
        self.answered = answered

    def __call__(self, text: str = "", blocks=None, response_type=None, **rest) -> None:
        if self.answered or not (text or blocks):
            return  # an empty ack tells the person nothing: a modal or a message comes after
        self.answered = True
        if not self._args.body.get("response_url"):
            return
        self._args.respond(
            text=text, blocks=blocks, response_type=response_type or "ephemeral", **rest
        )

    def failed(self, error: Exception) -> None:
        _log_failure(self._args.body.get("type") or "slash command", error)
        if self.answered:
            return  # the person was told the real outcome already
        self.answered = True
        expired = isinstance(error, SlackApiError) and _error_code(error) == "expired_trigger_id"
        if self._args.body.get("response_url"):
            try:
                self._args.respond(
                    response_type="ephemeral",
                    replace_original=False,
                    text=TOO_SLOW_TO_OPEN if expired else SORRY,
                )
            except Exception:  # Slack unreachable too: the log above is all that can be done
                log.warning("Could not tell the person that nothing was saved", exc_info=True)


def _log_failure(kind: str, error: Exception) -> None:
    """A listener's failure in the log: one line when the database did not answer in time or
    at all (a lock, a timeout, an outage: expected on a bad day, and many requests meet it at
    once); a traceback for anything else, which is a bug."""
    if isinstance(error, OperationalError):
        log.warning("A %s listener found the database unavailable: %s", kind, one_line(error))
        return
    log.error("A %s listener failed", kind, exc_info=error)


class _ViewAnswer:
    """A view submission's answer: in the ack when the listener gives it within the budget,
    else shown by updating the modal when it comes."""

    def __init__(self, args: Args):
        self._args = args
        self._lock = threading.Lock()
        self._given = threading.Event()
        self._answer: dict | None = None
        self._late = False

    def __call__(self, **answer) -> None:
        with self._lock:
            if self._answer is not None:
                return
            self._answer, late = answer, self._late
        self._given.set()
        if late:
            self._show_late(answer)

    def failed(self, error: Exception) -> None:
        _log_failure("view_submission", error)
        self(response_action="update", view=build_notice("Nothing was saved", SORRY))

    def ack_within(self, budget: float) -> None:
        self._given.wait(budget)
        with self._lock:
            answer = self._answer
            self._late = answer is None
        if answer is not None:
            self._args.ack(**answer)
        else:
            self._args.ack(
                response_action="update", view=build_notice("Still saving", STILL_WORKING)
            )

    def _show_late(self, answer: dict) -> None:
        view_id = (self._args.body.get("view") or {}).get("id")
        title = ((self._args.body.get("view") or {}).get("title") or {}).get("text") or "Done"
        if answer.get("response_action") in ("update", "push") and answer.get("view"):
            view = answer["view"]
        elif answer.get("response_action") == "errors":
            problems = " ".join(str(text) for text in (answer.get("errors") or {}).values())
            view = build_notice(
                "Nothing was saved", f"{problems} Nothing was saved: open it again."
            )
        else:
            view = build_notice(title[:24], "Done: saved.")
        try:
            self._args.client.views_update(view_id=view_id, view=view)
        except SlackApiError as error:  # the modal was closed meanwhile: say it in a DM instead
            log.warning("Could not update a slow modal %s: %s", view_id, error)
            text = _words_of(view)
            self._args.client.chat_postMessage(channel=self._args.context.user_id, text=text)


def _error_code(error: SlackApiError) -> str:
    response = getattr(error, "response", None)
    return str(response.get("error", "")) if response is not None else ""


def _words_of(view: dict) -> str:
    """The text of a notice's blocks, for a DM when its modal is gone."""
    texts = [
        (block.get("text") or {}).get("text", "")
        for block in view.get("blocks") or []
        if block.get("type") == "section"
    ]
    return "\n".join(t for t in texts if t) or "Done."
