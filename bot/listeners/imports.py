"""`/advisor import`: advisors from a CSV pasted in a modal, or from a CSV (or the JSON file of
`/advisor export`) uploaded in the bot's DM.

- The command opens the paste modal. Its submit reads and checks the text (against the board
  too) and answers with the preview in the same modal: what would be added, each row's
  problems; "Edit the CSV" goes back to the text, and the preview's submit saves it. A text
  naming Slack members is answered at once with "Checking…", and the preview replaces it once
  Slack said who they are (users.info, never before the ack).
- An upload in the DM is acked at once like every event; fetching the file from Slack, reading
  and checking it happen after, then its preview comes to the DM through the outbox, with
  "Import N advisors" and "Cancel". The click is acked at once too; the preview then says it is
  being imported, the rows are saved a chunk per transaction, and the report comes through the
  outbox. Whatever goes wrong while a file is read ends its import as failed, and the member is
  told in the DM what happened and what to do.
- Slack members a file or a paste names are looked up with users.info through the request's
  client (at most MAX_CHECKED of them, within CHECK_SECONDS; a long Retry-After stops the
  lookups): bots, people deactivated and IDs of no one here are problems of their rows, as
  `/advisor add` refuses them; a person's time zone is kept. The preview says how many were not
  looked up.

core/imports.py keeps the import, scoped to the member: a button carrying another member's
import id finds nothing of theirs."""

import logging
import time
import uuid
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import slack_files
from bot.deferred import SORRY
from bot.ids import (
    IMPORT_CANCEL,
    IMPORT_CONFIRM,
    IMPORT_EDIT,
    IMPORT_PASTE_VIEW,
    IMPORT_PREVIEW_VIEW,
)
from bot.listeners.common import (
    greet_newcomer,
    publish_home,
    refresh_around,
    send_now,
    tell,
    today,
    transaction,
)
from bot.views.elements import metadata, submitted
from bot.views.imports import (
    build_checking_modal,
    build_not_saved_notice,
    build_paste_modal,
    build_preview_message,
    build_preview_modal,
    build_saved_notice,
)
from bot.views.notices import build_notice
from bot.views.text import said
from core import imports
from core.db import row_id
from core.errors import NotYours
from core.import_reading import (
    BOT,
    GONE,
    PERSON,
    UNKNOWN,
    Reading,
    SlackMember,
    Unreadable,
    decoded,
    read_import,
    slack_ids,
    with_members,
)
from core.members import member_zone
from core.models import ImportState
from core.typed import CONTROL

log = logging.getLogger(__name__)
MAX_BYTES = 10_000_000  # an export of a long history is a few MB; 10,000 CSV rows about one
MAX_FILES = 5  # files of one message read as imports
READABLE = {"csv", "tsv", "txt", "text", "json", "javascript"}  # extensions and Slack filetypes
SPREADSHEETS = {"xlsx", "xls", "ods", "numbers", "gsheet", "spreadsheet"}
SPREADSHEET = (
    "it is a spreadsheet, and I read CSV. In your spreadsheet, choose File, then Download or "
    "Save as, then “CSV UTF-8”, and upload that file here."
)
EMPTY_PASTE = "Paste your CSV here, its header line first."
NOT_READ = (
    "something went wrong on my side while reading it, not because of anything in it. Upload "
    "it again in a few minutes; if it happens again, paste it with `/advisor import`, or tell "
    "whoever runs advisor-bot."
)
MAX_CHECKED = 50  # Slack members of one import looked up with users.info (Tier 4: 100+ a minute)
CHECK_SECONDS = 60.0  # and for no longer than this


def _process(context: BoltContext) -> str:
    """Who saves an import (its claim): this request, told apart from any other."""
    return f"{context.user_id}:{uuid.uuid4().hex[:12]}"


def _zone(context: BoltContext) -> ZoneInfo:
    with transaction(context) as session:
        return member_zone(session, team_id=context.team_id, user_id=context.user_id)


def _member(profile: dict, user_id: str) -> SlackMember:
    if profile.get("deleted"):
        return SlackMember(GONE)
    if profile.get("is_bot") or user_id == "USLACKBOT":
        return SlackMember(BOT)
    tz = profile.get("tz")
    return SlackMember(PERSON, tz if isinstance(tz, str) else None)


def check_members(client: WebClient, reading: Reading, *, clock=time.monotonic) -> None:
    """Who the Slack members the rows name are, as Slack says (after the ack: a lookup each).
    A bot, someone deactivated or an ID no one here has becomes a problem of its row; members
    past MAX_CHECKED or CHECK_SECONDS, or when Slack would not answer (a long Retry-After, a
    missing scope, an outage), are left as typed and the preview says so."""
    wanted = slack_ids(reading)
    found: dict[str, SlackMember] = {}
    started = clock()
    for user_id in wanted[:MAX_CHECKED]:
        if clock() - started > CHECK_SECONDS:
            break
        try:
            found[user_id] = _member(client.users_info(user=user_id)["user"], user_id)
        except SlackApiError as error:
            if error.response.get("error") != "user_not_found":
                log.warning("Could not look up Slack members of an import: %s", error)
                break  # rate-limited for long, a scope missing, Slack down: the rest as typed
            found[user_id] = SlackMember(UNKNOWN)
        except (SlackClientError, OSError) as error:
            log.warning("Could not look up Slack members of an import: %s", error)
            break
    with_members(reading, found, unchecked=len(wanted) - len(found))


def _control_character(text: str) -> str | None:
    """Where a pasted text has a character that can't be saved, said as a field error."""
    found = CONTROL.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    return (
        f"Line {line:,} has a control character (U+{ord(found.group()):04X}) that can't be "
        "saved: type it again without it."
    )


# --- the paste modal


def handle_import_command(args: Args) -> None:
    args.ack()
    client, context = args.client, args.context

    def show() -> None:
        client.views_open(trigger_id=args.command["trigger_id"], view=build_paste_modal())

    refresh_around(client, context, show)


def handle_paste(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    """Read and check what was pasted; the preview replaces the form (nothing is saved)."""
    greet_newcomer(client, context)  # a form kept open across a forget: their row may be gone
    text = submitted(view["state"]["values"], "csv").get("value") or ""
    if not text.strip():
        ack(response_action="errors", errors={"csv": EMPTY_PASTE})
        return
    control = _control_character(text)
    if control:
        ack(response_action="errors", errors={"csv": control})
        return
    now, zone = context["clock"].now(), _zone(context)
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        reading = read_import(text, filename=None, **who, zone=zone, now=now)
    except Unreadable as problem:
        ack(response_action="errors", errors={"csv": str(problem)})
        return
    checking = len(slack_ids(reading))
    if not checking:
        ack(response_action="update", view=_pasted(context, reading, text, now=now, zone=zone))
        return
    ack(response_action="update", view=build_checking_modal(checking))  # the preview after
    try:
        check_members(client, reading)
        preview = _pasted(context, reading, text, now=now, zone=zone)
    except Exception:  # answered already: the form says it, never "Checking…" for ever
        log.exception("Checking a pasted import failed")
        preview = build_notice("Nothing was saved", SORRY)
    try:
        client.views_update(view_id=view.get("id"), view=preview)
    except SlackApiError as error:  # closed meanwhile: nothing is saved unless confirmed
        log.warning("Could not show the preview of a pasted import: %s", error)


def _pasted(context: BoltContext, reading: Reading, text: str, *, now, zone: ZoneInfo) -> dict:
    """The pasted import kept (once, however often the submission is replayed) and its
    preview."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    key = f"paste:{context.get('request_key') or uuid.uuid4().hex}"
    with transaction(context) as session:
        import_id = imports.begin(
            session, **who, source=imports.PASTE, source_key=key, filename=None, now=now
        )
        if import_id is not None:
            imports.checked(
                session, **who, import_id=import_id, reading=reading, now=now, text=text
            )
        found = imports.find_by_source(session, **who, source_key=key)  # or a replay's
        return build_preview_modal(found, now.astimezone(zone).date())


def handle_edit(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    """Back from the preview to the text, to fix it; the preview's import is dropped."""
    ack()
    import_id = row_id(action.get("value"))
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            found = imports.get(session, **who, import_id=import_id)
            imports.cancel(session, **who, import_id=import_id, now=context["clock"].now())
    except NotYours:
        return  # not theirs: their modal stays as it is
    shown = body.get("view") or {}
    client.views_update(
        view_id=shown.get("id"), hash=shown.get("hash"), view=build_paste_modal(found.text)
    )


def handle_preview_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext):
    """Save what the preview showed (a pasted CSV is small: all of it, before answering)."""
    import_id = row_id(metadata(view, "import"))
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    saved = imports.save(
        context["sessions"],
        **who,
        import_id=import_id,
        process=_process(context),
        clock=context["clock"],
        report=False,
    )
    with transaction(context) as session:
        try:
            found = imports.get(session, **who, import_id=import_id)
        except NotYours:
            found = None
        state = found.state if found else ""
        summary = imports.summary(found) if found else {}
    if saved is not None and (saved.retrying or saved.state == ImportState.FAILED):
        ack(response_action="update", view=build_not_saved_notice(state, saved.summary))
        publish_home(client, context)
        return
    if saved is None or saved.state != ImportState.DONE:
        ack(response_action="update", view=build_not_saved_notice(state))
        return
    ack(response_action="update", view=build_saved_notice(summary))
    publish_home(client, context)


# --- a file uploaded in the DM


def _extension(file: dict) -> str:
    name = str(file.get("name") or file.get("title") or "")
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _kind(file: dict) -> str | None:
    """ "read" for a file an import reads, "spreadsheet" for one it explains how to save as
    CSV, None for anything else (a picture, a PDF: not for the bot)."""
    found = {_extension(file), str(file.get("filetype") or "").lower()}
    if found & READABLE:
        return "read"
    if found & SPREADSHEETS:
        return "spreadsheet"
    return None


def is_file_for_import(event: dict) -> bool:
    """A person shared a file in the bot's DM that may be an import (or that Slack describes
    only through files.info)."""
    files = event.get("files") or []
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") == "file_share"
        and event.get("bot_id") is None
        and bool(event.get("user"))
        and isinstance(files, list)
        and any(
            isinstance(f, dict) and (_kind(f) or f.get("file_access") == "check_file_info")
            for f in files
        )
    )


def handle_file_shared(event: dict, client: WebClient, context: BoltContext) -> None:
    greet_newcomer(client, context)  # their member row first: an import is theirs
    for shared in [f for f in event.get("files") or [] if isinstance(f, dict)][:MAX_FILES]:
        import_file(client, context, shared)


def import_file(client: WebClient, context: BoltContext, shared: dict) -> None:
    """Fetch, read and check one shared file, then its preview to the DM (or why it could
    not be read). A file is read once, however often Slack delivers its event."""
    file_id = str(shared.get("id") or "")
    if not file_id:
        return
    try:
        file, missing = slack_files.details(client, shared), None
    except slack_files.NotFetched as problem:
        file, missing = shared, problem
    kind = _kind(file)
    if missing is None and kind is None:
        return  # a picture, a PDF…: not an import
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    name = CONTROL.sub("", str(file.get("name") or file.get("title") or ""))[:255] or None
    now = context["clock"].now()
    with transaction(context) as session:
        import_id = imports.begin(
            session, **who, source=imports.FILE, source_key=file_id, filename=name, now=now
        )
    if import_id is None:
        return  # read already
    try:
        made = _read_file(client, context, file, import_id, missing=missing, kind=kind, now=now)
    except (slack_files.NotFetched, Unreadable) as problem:
        made = _not_read(context, import_id, str(problem), now=now)
    except Exception:  # a bug, or the database: said to the member, never silence
        log.exception("Reading import %s (file %s) failed", import_id, file_id)
        made = _not_read(context, import_id, NOT_READ, now=now)
    send_now(context, made)


def _read_file(
    client: WebClient, context: BoltContext, file: dict, import_id: int, *, missing, kind, now
) -> list[int]:
    """Fetch, read and check the file; its import ready to confirm, and its preview queued."""
    if missing is not None:
        raise missing
    if kind == "spreadsheet":
        raise Unreadable(SPREADSHEET)
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    name = str(file.get("name") or file.get("title") or "")
    text = decoded(slack_files.fetch(client, file, limit=MAX_BYTES))
    reading = read_import(text, filename=name, **who, zone=_zone(context), now=now)
    check_members(client, reading)
    with transaction(context) as session:
        return imports.checked(session, **who, import_id=import_id, reading=reading, now=now)


def _not_read(context: BoltContext, import_id: int, problem: str, *, now) -> list[int]:
    """The import ends as failed, and the member is told why in the DM. Should the database
    not answer even for that, the tick tells them once it does (core/imports.give_up)."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            return imports.unreadable(session, **who, import_id=import_id, problem=problem, now=now)
    except Exception:
        log.exception("Could not record that import %s could not be read", import_id)
        return []


def refresh_preview(client: WebClient, context: BoltContext, import_id: int) -> None:
    """Show the DM's preview of this import as it stands now (no buttons once answered), at
    the channel and ts the outbox recorded when it was posted."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    day = today(context)
    with transaction(context) as session:
        message = imports.preview_message(session, **who, import_id=import_id)
        found = imports.get(session, **who, import_id=import_id)
        shown = build_preview_message(found, day)
    if message is None or not message.channel_id or not message.ts:
        return
    try:
        client.chat_update(channel=message.channel_id, ts=message.ts, **shown)
    except SlackApiError as error:  # what was done is saved; only the old buttons remain
        log.warning("Could not update the preview of import %s: %s", import_id, error)


def _mine(body: dict, client: WebClient, context: BoltContext, import_id: int) -> bool:
    try:
        with transaction(context) as session:
            imports.get(
                session, team_id=context.team_id, owner_id=context.user_id, import_id=import_id
            )
        return True
    except NotYours as problem:
        tell(body, client, context, "Import", said(problem))
        return False


def handle_confirm(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    """Save an uploaded import (acked at once: 10,000 rows take seconds); the preview says it
    is under way, and the report comes to the DM once every row is saved."""
    ack()
    import_id = row_id(action.get("value"))
    if not _mine(body, client, context, import_id):
        return
    saved = imports.save(
        context["sessions"],
        team_id=context.team_id,
        owner_id=context.user_id,
        import_id=import_id,
        process=_process(context),
        clock=context["clock"],
        report=True,
        claimed=lambda: refresh_preview(client, context, import_id),
    )
    refresh_preview(client, context, import_id)
    if saved is not None and saved.made:
        send_now(context, saved.made)
    if saved is not None and saved.added:
        publish_home(client, context)


def handle_cancel(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    ack()
    import_id = row_id(action.get("value"))
    if not _mine(body, client, context, import_id):
        return
    with transaction(context) as session:
        imports.cancel(
            session,
            team_id=context.team_id,
            owner_id=context.user_id,
            import_id=import_id,
            now=context["clock"].now(),
        )
    refresh_preview(client, context, import_id)


def register(app: App) -> None:
    app.view(IMPORT_PASTE_VIEW)(handle_paste)
    app.view(IMPORT_PREVIEW_VIEW)(handle_preview_submission)
    app.action(IMPORT_EDIT)(handle_edit)
    app.action(IMPORT_CONFIRM)(handle_confirm)
    app.action(IMPORT_CANCEL)(handle_cancel)
    app.event("message", matchers=[is_file_for_import])(handle_file_shared)
