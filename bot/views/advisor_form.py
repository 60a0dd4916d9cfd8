"""The modal that enlists an advisor or edits one, and reading what the member typed into it."""

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from bot.ids import ADD_ADVISOR_VIEW, EDIT_ADVISOR_VIEW
from bot.views.elements import choice, input_block, metadata, submitted, text_input
from bot.views.text import option, plain
from core.db import row_id
from core.errors import Invalid
from core.models import Advisor, Goal, GoalKind, Origin, RelationshipKind, Support

RELATIONSHIPS = {
    RelationshipKind.SENIOR: "Senior to me (sponsor, boss, executive)",
    RelationshipKind.PEER: "A peer",
    RelationshipKind.JUNIOR: "Junior to me",
    RelationshipKind.FAMILY_FRIEND: "Family or friend",
    RelationshipKind.OTHER: "Other",
}
SUPPORT = {
    Support.SPONSORSHIP: "Career: sponsorship (speaks for me)",
    Support.COACHING: "Career: coaching",
    Support.EXPOSURE: "Career: exposure and visibility",
    Support.PROTECTION: "Career: protection (shields me)",
    Support.STRETCH: "Career: stretch assignments",
    Support.INTRODUCTIONS: "Career: introductions",
    Support.ROLE_MODEL: "Personal: role model",
    Support.ACCEPTANCE: "Personal: acceptance and confirmation",
    Support.COUNSEL: "Personal: counsel and emotional support",
    Support.FRIENDSHIP: "Personal: friendship",
}
ORIGINS = {
    Origin.EMPLOYER: "My current employer",
    Origin.FORMER_EMPLOYER: "A former employer",
    Origin.SCHOOL: "School or university",
    Origin.ASSOCIATION: "A professional association",
    Origin.COMMUNITY: "Community",
    Origin.FAMILY: "Family",
    Origin.ONLINE: "Online",
}
CLOSENESS = {1: "Acquaintance", 2: "Friendly", 3: "Close", 4: "Very close"}
GOAL_KINDS = {
    GoalKind.TWO_YEARS: "In two years",
    GoalKind.FIVE_YEARS: "In five years",
    GoalKind.GAP: "Gap",
}
MAX_CHECKBOXES = 10  # Slack's most for checkboxes; more goals than this: a multi-select
ORIGIN_HINT = "Advisors from different places (work, school, associations...) widen your range."
CADENCE_HINT = (
    "Leave empty for the usual rhythm: monthly for senior and junior advisors, every 3 weeks "
    "for peers, every 2 months for family and friends, every 45 days otherwise."
)


@dataclass(frozen=True)
class AdvisorForm:
    """What the member submitted, as plain values."""

    member: str | None
    name: str
    contact: str
    relationship: str
    inside_org: bool
    support: tuple[str, ...]
    gains: str
    cadence_days: int | None
    last_spoke_on: date | None
    notes: str
    origin: str | None = None  # None: not known
    closeness: int | None = None  # None: not said
    goal_ids: tuple[int, ...] | None = None  # None: the form had no goals to choose from


def _person_blocks(
    advisor: Advisor | None, prefill_member: str | None, prefill_name: str
) -> list[dict]:
    member = {"type": "users_select", "placeholder": plain("Pick a Slack member", 150)}
    initial_member = advisor.slack_user_id if advisor else prefill_member
    if initial_member:
        member["initial_user"] = initial_member
    outside = advisor is not None and advisor.slack_user_id is None
    name = advisor.name if outside else prefill_name
    return [
        input_block("member", "A Slack member", member),
        input_block(
            "name",
            "Or someone outside Slack: their name",
            text_input(150, name[:150], placeholder="e.g. Grace Hopper"),
        ),
        input_block(
            "contact",
            "Their email or a link (outside Slack)",
            text_input(300, (advisor.contact or "") if advisor else ""),
        ),
    ]


def _origin_blocks(shown: Advisor | None) -> list[dict]:
    """Where the member knows them from and how close they are; empty until said (an advisor
    enlisted before these existed shows them as not known)."""
    origin = choice("static_select", ORIGINS, [shown.origin] if shown and shown.origin else [])
    origin["placeholder"] = plain("Not known yet", 150)
    closeness = {str(step): label for step, label in CLOSENESS.items()}
    close = [str(shown.closeness)] if shown and shown.closeness else []
    return [
        input_block("origin", "Where you know them from", origin, hint=ORIGIN_HINT),
        input_block("closeness", "How close are you", choice("radio_buttons", closeness, close)),
    ]


def _goals_block(goals: Sequence[Goal], linked: Collection[int]) -> list[dict]:
    """The member's goals to link (none: no block); checkboxes, or a multi-select past ten."""
    if not goals:
        return []
    options = [option(f"{GOAL_KINDS.get(g.kind, 'Goal')}: {g.text}", str(g.id)) for g in goals]
    if len(options) <= MAX_CHECKBOXES:
        element = {"type": "checkboxes", "options": options}
    else:
        element = {"type": "multi_static_select", "options": options}
        element["placeholder"] = plain("Choose the goals they help with", 150)
    chosen = [o for o in options if int(o["value"]) in set(linked)]
    if chosen:
        element["initial_options"] = chosen
    return [input_block("goals", "Goals they help with", element)]


def _details_blocks(
    advisor: Advisor | None, prefill: Advisor | None = None, goals: Sequence[dict] = ()
) -> list[dict]:
    """The advisor's details as stored; for a new one, as `prefill` suggests (a peer from a
    circle: a peer, inside, counsel), else the member chooses; `goals` after the support."""
    shown = advisor or prefill
    relationship = shown.relationship if shown else None
    inside = "inside" if shown is None or shown.inside_org else "outside"
    cadence = {"type": "number_input", "is_decimal_allowed": False, "min_value": "1"}
    cadence["max_value"] = "365"
    if advisor:
        cadence["initial_value"] = str(advisor.cadence_days)
    where = {"inside": "Inside my organisation", "outside": "Outside my organisation"}
    return [
        input_block(
            "relationship",
            "They are",
            choice("static_select", RELATIONSHIPS, [relationship] if relationship else []),
            optional=False,
        ),
        input_block("inside", "Where", choice("radio_buttons", where, [inside]), optional=False),
        *_origin_blocks(shown),
        input_block(
            "support",
            "What they help me with",
            choice("checkboxes", SUPPORT, shown.support if shown else []),
        ),
        *goals,
        input_block(
            "gains",
            "What they gain from me",
            text_input(3000, advisor.gains if advisor else "", multiline=True),
            hint="Mutuality keeps the relationship alive: new skills, insight, a chance to coach.",
        ),
        input_block("cadence", "Be in touch every … days", cadence, hint=CADENCE_HINT),
    ]


def build_advisor_modal(
    *,
    today: date,
    advisor: Advisor | None = None,
    prefill_member: str | None = None,
    prefill_name: str = "",
    prefill: Advisor | None = None,
    goals: Sequence[Goal] = (),
    linked: Collection[int] = (),
) -> dict:
    """Enlist a new advisor (advisor=None) or edit `advisor`; `today` is the member's date.
    A new advisor's details may be suggested by `prefill` (not saved). `goals` are the
    member's goals advisors can be linked to, `linked` the ids of those this one helps with."""
    blocks = _person_blocks(advisor, prefill_member, prefill_name)
    blocks += _details_blocks(advisor, prefill, _goals_block(goals, linked))
    if advisor is None:
        spoke = {"type": "datepicker", "initial_date": today.isoformat()}
        blocks.append(input_block("last_spoke", "When did you last speak?", spoke, optional=False))
    blocks.append(
        input_block(
            "notes", "Notes", text_input(3000, advisor.notes if advisor else "", multiline=True)
        )
    )
    view = {
        "type": "modal",
        "callback_id": EDIT_ADVISOR_VIEW if advisor else ADD_ADVISOR_VIEW,
        "title": plain("Edit advisor" if advisor else "Enlist an advisor", 24),
        "submit": plain("Save" if advisor else "Enlist", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }
    if advisor:
        view["private_metadata"] = json.dumps({"advisor_id": advisor.id})
    return view


def _cadence(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid("Type a whole number of days, from 1 to 365.", field="cadence") from None


def _spoke_on(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Invalid("Pick a date.", field="last_spoke") from None


def _closeness(raw: str | None) -> int | None:
    return None if raw in (None, "") else row_id(raw)  # not a number: 0, which core refuses


def _goal_ids(values: dict) -> tuple[int, ...] | None:
    if "goals" not in values:
        return None
    chosen = submitted(values, "goals").get("selected_options") or []
    return tuple(row_id(o.get("value")) for o in chosen if isinstance(o, dict))


def read_advisor_form(values: dict) -> AdvisorForm:
    """The submitted state as plain values; Invalid when a value cannot even be read."""
    selected = submitted(values, "relationship").get("selected_option") or {}
    inside = (submitted(values, "inside").get("selected_option") or {}).get("value", "inside")
    support = submitted(values, "support").get("selected_options") or []
    origin = (submitted(values, "origin").get("selected_option") or {}).get("value")
    closeness = (submitted(values, "closeness").get("selected_option") or {}).get("value")
    return AdvisorForm(
        member=submitted(values, "member").get("selected_user"),
        name=submitted(values, "name").get("value") or "",
        contact=submitted(values, "contact").get("value") or "",
        relationship=selected.get("value", ""),
        inside_org=inside == "inside",
        support=tuple(o["value"] for o in support),
        gains=submitted(values, "gains").get("value") or "",
        cadence_days=_cadence(submitted(values, "cadence").get("value")),
        last_spoke_on=_spoke_on(submitted(values, "last_spoke").get("selected_date")),
        notes=submitted(values, "notes").get("value") or "",
        origin=origin or None,
        closeness=_closeness(closeness),
        goal_ids=_goal_ids(values),
    )


def advisor_id_of(view: dict) -> int | None:
    """The advisor an edit modal is about (never trusted alone: core checks the owner)."""
    advisor_id = metadata(view, "advisor_id")
    return advisor_id if isinstance(advisor_id, int) else None
