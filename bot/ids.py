"""Every command name, callback id, block id and action id the bot uses, in one place."""

COMMAND = "/advisor"
HOME_CALLBACK = "home"
LOG_AS_TOUCHPOINT = "log_as_touchpoint"

# Modals (view callback ids). Their input blocks' ids are the names of the fields core reports
# errors on (core.errors.Invalid.field): member, name, contact, relationship, inside, support,
# gains, cadence, last_spoke, notes; advisor, date, how, exchanged, given_by, note.
ADD_ADVISOR_VIEW = "advisor_add"
EDIT_ADVISOR_VIEW = "advisor_edit"
LOG_TOUCHPOINT_VIEW = "touchpoint_log"
NOTICE_VIEW = "notice"

# Buttons and menus (action ids); their value is an advisor id where they act on one
ADD_ADVISOR = "add_advisor"
LOG_TOUCHPOINT = "log_touchpoint"
EDIT_ADVISOR = "edit_advisor"
EASE_ASIDE = "ease_aside"
BRING_BACK = "bring_back"
REMOVE_ADVISOR = "remove_advisor"
ADVISOR_MENU = "advisor_menu"  # the compact layout's overflow: values "<action id>:<advisor id>"

# Promises
MAKE_PROMISE_VIEW = "promise_make"
UPDATE_PROMISE_VIEW = "promise_update"
RENEGOTIATE_VIEW = "promise_renegotiate"
DROP_PROMISE_VIEW = "promise_drop"
PROMISE_MENU = "promise_menu"  # values "<choice>:<promise id>", choices below
PROMISE_DONE, PROMISE_UPDATE, PROMISE_RENEGOTIATE, PROMISE_DROP = "done", "update", "move", "drop"
PROMISE_BUTTON = (
    "promise_button_{}"  # a button per choice when there is room: value is the promise id
)

# Nudge settings. The modal's input blocks are the fields core.nudge_settings reports errors on:
# days, start, end, pause, preview (also resume, delivery, once, which cannot be wrong).
SETTINGS_VIEW = "nudge_settings"
OPEN_SETTINGS = "open_settings"  # the Home tab's "Nudge settings" button

# Nudges (buttons in a nudge DM); their value is "<nudge id>" or "<nudge id>:<choice>"
NUDGE_LOG = "nudge_log"  # opens the touchpoint modal for the nudge's advisor
NUDGE_SNOOZE = "nudge_snooze"  # a menu: "<nudge id>:<days>"
NUDGE_EASE = "nudge_ease_aside"
NUDGE_UPDATE = "nudge_update"  # opens the progress-update modal
NUDGE_DONE = "nudge_done"
NUDGE_MOVE = "nudge_renegotiate"  # opens the renegotiate modal
NUDGE_PICK = "nudge_pick"  # "which one is this about?": "<nudge id>"
NUDGE_FORWARD = "nudge_forward"  # send a progress update typed in a thread on to the advisor

# An advisor's history (a modal) and the pages of long lists
HISTORY = "advisor_history"  # on Home, `/advisor list`: opens the history; value: advisor id
HISTORY_VIEW = "advisor_history_view"  # metadata: {"advisor": id, "from": cursor of the page}
HISTORY_OLDER = "history_older"  # value "<advisor id>:<cursor>"
HISTORY_NEWEST = "history_newest"  # value: advisor id
DELETE_TOUCHPOINT = "delete_touchpoint"  # value: touchpoint id (a confirm dialog first)
LIST_MORE = "list_more"  # `/advisor list` pages: value "<active|alumni>:<offset>"
PROMISES_MORE = "promises_more"  # `/advisor promises` pages: value "<offset>"

# "Which one did you mean?" after `/advisor log` or `/advisor promise` named several people (or
# only a near spelling): one button per person, action ids "<id>_<n>", values from bot.views.who
WHO_LOG = "who_log"
WHO_PROMISE = "who_promise"

# The first ten minutes: the welcome DM's and the settings modal's "Send me a sample nudge", and
# a sample nudge's look-alike buttons ("<id>_<n>"), which only explain themselves
SEND_SAMPLE = "send_sample"
SAMPLE_ACTION = "sample_nudge"

# Peer-coaching circles. The setup modal's input blocks are the fields core.circles reports
# errors on: name, members, freq, every, day, nth, weekday, days, time, tz, open_for,
# facilitator, options; the share modal's: challenge, tried, help, anonymous.
CIRCLE_SETUP_VIEW = "circle_setup"  # metadata: {"channel": id, "circle": id or None, ...}
CIRCLE_SHARE_VIEW = "circle_share"  # metadata: {"check_in": id} or {"challenge": id} (an edit)
CIRCLE_EDIT = "circle_edit"  # the owner's card: value circle id (opens the setup modal)
CIRCLE_PAUSE = "circle_pause"  # value circle id
CIRCLE_RESUME = "circle_resume"  # value circle id
CIRCLE_SKIP = "circle_skip"  # value circle id
CIRCLE_ARCHIVE = "circle_archive"  # value circle id (a confirm dialog first)
CIRCLE_JOIN = "circle_join"  # value circle id: a non-member asks to join
CIRCLE_SPLIT = "circle_split"  # in the setup modal, more than 12 people: keep the first 12
SHARE_CHALLENGE = "circle_share"  # on a check-in: value check-in id
AWAY = "circle_away"  # on a check-in: value check-in id
CHALLENGE_MENU = "challenge_menu"  # on a challenge: values "<edit|withdraw|enlist>:<challenge id>"
CHALLENGE_EDIT, CHALLENGE_WITHDRAW, CHALLENGE_ENLIST = "edit", "withdraw", "enlist"
# On a follow-up DM, buttons "circle_outcome_<outcome>", value "<outcome>:<challenge id>"; on
# "did you meet?", "circle_met_<yes|no>", value "<yes|no>:<pairing id>" (Slack wants a block's
# action ids unique; the listeners match the prefix)
FOLLOW_UP_OUTCOME = "circle_outcome"
PARTNERS_MET = "circle_met"
CIRCLE_REMINDERS_OFF = "circle_reminders_off"  # on a reminder DM: value circle id
CIRCLE_REMINDERS_ON = "circle_reminders_on"  # after turning them off: value circle id

# Know thyself and reassess. The goals modal's input blocks: two_years, five_years, strength,
# gap, balance (one goal per line); the advisor modals gain origin, closeness, goals.
GOALS_VIEW = "goals"
OPEN_GOALS = "open_goals"  # the Home tab's and the review's "Goals" button
OPEN_REVIEW = "open_review"  # the Home tab's "Review my network": the review in the DM
REASSESS = "reassess"  # on the reassessment DM: value "<keep|ease_aside>:<reassessment>:<advisor>"
REASSESS_CADENCE = "reassess_cadence"  # a menu: "<days>:<reassessment id>:<advisor id>"
REASSESS_ENLIST = "reassess_enlist"  # "is anyone missing?": opens the enlist modal
REASSESS_DONE = "reassess_done"  # value: reassessment id

# Data rights: `/advisor forget me`'s confirmation (the button acts on whoever clicks it, never on
# an id in its value)
FORGET_ME = "forget_me"  # "Delete everything" (behind Slack's confirm dialog)
FORGET_CANCEL = "forget_cancel"

# `/advisor import`: the paste modal (its input block: csv) and its preview (metadata
# {"import": id}, with "Edit the CSV"); an uploaded file's preview in the DM, whose buttons'
# value is the import's id (checked against the clicking member: another's finds nothing)
IMPORT_PASTE_VIEW = "import_paste"
IMPORT_PREVIEW_VIEW = "import_preview"
IMPORT_EDIT = "import_edit"  # in the preview modal: back to the pasted text, to fix it
IMPORT_CONFIRM = "import_confirm"  # "Import N advisors"
IMPORT_CANCEL = "import_cancel"
