"""The review of a member's board: its size against the five or so the research suggests, the
support it covers and misses, its range and strength, the network type those two make, the goals
no advisor helps with, the promise record, the give and take with each advisor, and the three
next steps most worth taking.

Pure: plain facts and `now` in, a `Review` out; nothing is read or sent here. Only active
advisors make the board (alumni are left out of every count but the promise record). Text with
names or goals in it is plain: the bot escapes it when shown. What is not known (where an
advisor comes from, how close they are) is counted as unknown, never guessed."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

from core.cadence import Standing, standing
from core.models import (
    Advisor,
    AdvisorStatus,
    GivenBy,
    Goal,
    GoalKind,
    Origin,
    RelationshipKind,
    Support,
    Touchpoint,
)
from core.promises import Keeping


@dataclass(frozen=True)
class Thresholds:
    """Every cut-off the review uses, in one place. They are heuristics chosen for the product,
    not findings: Higgins & Kram (2001) describe a developmental network by its range (how many
    social systems the advisors come from) and its strength (closeness, reciprocity, how often
    the two are in touch) and name four types from the two; Kram (1985) names the career and
    psychosocial functions; "about five" advisors is the practitioners' rule of thumb. The
    research gives no numeric cut-offs.

    A part is judged only when what is not known yet could not change the verdict: an advisor
    with no origin might come from a new social system, one with no closeness might be anywhere
    from 1 to 4."""

    about: int = 5  # the board size the research and practitioners suggest
    small_below: int = 4  # fewer active advisors than this: a small board
    large_above: int = 8  # more than this: more than one keeps up with well
    high_range: int = 3  # distinct known social systems for high range
    close: Fraction = Fraction(3)  # strong ties: mean closeness at least "Close" (scale 1-4)
    on_cadence: Fraction = Fraction(1, 2)  # strong ties: MORE than this share not overdue
    gave: Fraction = Fraction(1, 3)  # strong ties: the member gave in at least this share
    recent: timedelta = timedelta(days=365)  # touchpoints this recent count for reciprocity
    lately: int = 3  # "only received lately": the last this many touchpoints all from them
    fewest_for_type: int = 2  # fewer active advisors than this: no network type yet


THRESHOLDS = Thresholds()

CAREER = (
    Support.SPONSORSHIP,
    Support.COACHING,
    Support.EXPOSURE,
    Support.PROTECTION,
    Support.STRETCH,
)
PSYCHOSOCIAL = (Support.ROLE_MODEL, Support.ACCEPTANCE, Support.COUNSEL, Support.FRIENDSHIP)
# Introductions count as career support (practitioners add them) but no board must have them.

FUNCTION_WORDS = {
    Support.SPONSORSHIP: "sponsorship",
    Support.COACHING: "coaching",
    Support.EXPOSURE: "exposure and visibility",
    Support.PROTECTION: "protection",
    Support.STRETCH: "challenging assignments",
    Support.INTRODUCTIONS: "introductions",
    Support.ROLE_MODEL: "role modelling",
    Support.ACCEPTANCE: "acceptance and confirmation",
    Support.COUNSEL: "counselling",
    Support.FRIENDSHIP: "friendship",
}
MISSING = {
    Support.SPONSORSHIP: "No one gives you sponsorship: who senior has seen your work and could "
    "speak for you where decisions are made?",
    Support.COACHING: "No one coaches you: who could watch you work and tell you what to do "
    "differently?",
    Support.EXPOSURE: "No one gives you exposure: who could put your work in front of the people "
    "who should see it?",
    Support.PROTECTION: "No one protects you: who senior could warn you of a risk, or shield you "
    "while you learn?",
    Support.STRETCH: "No one gives you challenging assignments: who could hand you work just "
    "beyond what you've done?",
    Support.ROLE_MODEL: "No one is a role model for you: whose way of working would you like to "
    "learn from up close?",
    Support.ACCEPTANCE: "No one gives you acceptance and confirmation: who backs you as you are "
    "and tells you when you're on the right track?",
    Support.COUNSEL: "No one counsels you: who could you talk to honestly when things get hard?",
    Support.FRIENDSHIP: "No one on your board is a friend: who do you simply enjoy catching up "
    "with? That counts too.",
}
ORIGIN_WORDS = {
    Origin.EMPLOYER: "your company",
    Origin.FORMER_EMPLOYER: "a former employer",
    Origin.SCHOOL: "school",
    Origin.ASSOCIATION: "a professional association",
    Origin.COMMUNITY: "your community",
    Origin.FAMILY: "family",
    Origin.ONLINE: "online",
}
WIDENING = (  # where to look first for someone who adds range
    Origin.ASSOCIATION,
    Origin.FORMER_EMPLOYER,
    Origin.COMMUNITY,
    Origin.SCHOOL,
    Origin.ONLINE,
    Origin.FAMILY,
    Origin.EMPLOYER,
)
# Which unlinked goal the suggestion names first: what the member lacks, then where they head.
GOAL_ORDER = (GoalKind.GAP, GoalKind.TWO_YEARS, GoalKind.FIVE_YEARS)  # the ones advisors help with


# --- what goes in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AdvisorFacts:
    """What the review needs of one advisor (alumni may be passed: they are left out)."""

    id: int
    name: str
    status: str = AdvisorStatus.ACTIVE
    relationship: str = RelationshipKind.PEER
    inside_org: bool = True
    support: tuple[str, ...] = ()
    origin: str | None = None  # an Origin; None: not known yet
    closeness: int | None = None  # 1 (acquaintance) to 4 (very close); None: not said
    cadence_days: int = 30
    last_touch_at: datetime | None = None
    next_touch_due_at: datetime | None = None
    gains: str = ""  # what they gain from the member
    goal_ids: frozenset[int] = frozenset()  # the member's goals they help with

    @classmethod
    def of(cls, advisor: Advisor, goal_ids: Iterable[int] = ()) -> "AdvisorFacts":
        assert advisor.id is not None
        return cls(
            id=advisor.id,
            name=advisor.name,
            status=advisor.status,
            relationship=advisor.relationship,
            inside_org=advisor.inside_org,
            support=tuple(advisor.support),
            origin=advisor.origin,
            closeness=advisor.closeness,
            cadence_days=advisor.cadence_days,
            last_touch_at=advisor.last_touch_at,
            next_touch_due_at=advisor.next_touch_due_at,
            gains=advisor.gains,
            goal_ids=frozenset(goal_ids),
        )


@dataclass(frozen=True)
class Touch:
    """One touchpoint: with whom, when, and who gave (me, them or both)."""

    advisor_id: int
    at: datetime
    given_by: str = GivenBy.BOTH

    @classmethod
    def of(cls, touchpoint: Touchpoint) -> "Touch":
        return cls(touchpoint.advisor_id, touchpoint.at, touchpoint.given_by)


@dataclass(frozen=True)
class GoalFacts:
    id: int
    kind: str  # a GoalKind
    text: str

    @classmethod
    def of(cls, goal: Goal) -> "GoalFacts":
        assert goal.id is not None
        return cls(goal.id, goal.kind, goal.text)


# --- what comes out -------------------------------------------------------------------------


class Fit(StrEnum):
    EMPTY = "empty"
    SMALL = "small"
    ABOUT_RIGHT = "about right"
    LARGE = "large"


class NetworkType(StrEnum):
    """Higgins & Kram (2001): range (low/high) by strength (weak/strong)."""

    RECEPTIVE = "receptive"  # low range, weak ties
    TRADITIONAL = "traditional"  # low range, strong ties
    OPPORTUNISTIC = "opportunistic"  # high range, weak ties
    ENTREPRENEURIAL = "entrepreneurial"  # high range, strong ties
    UNKNOWN = "not enough known yet"


TENDS_TO = {
    NetworkType.RECEPTIVE: "A few loose ties from one or two places: help comes when you ask, "
    "but it brings little that is new, and few people would act for you.",
    NetworkType.TRADITIONAL: "Close ties from one or two places, like a classic mentor: it "
    "tends to support commitment and advancement where you are now.",
    NetworkType.OPPORTUNISTIC: "Loose ties from many places: it tends to bring news of "
    "openings and fresh views, but few people who would act for you.",
    NetworkType.ENTREPRENEURIAL: "Close ties from many places: it tends to support moving "
    "between organisations or fields and learning something new.",
}


class Gap(StrEnum):
    """What a suggestion is about (the reassessment offers the top one)."""

    EMPTY = "empty"
    SMALL = "small"
    NO_GOALS = "no_goals"
    UNLINKED_GOAL = "unlinked_goal"
    NO_OUTSIDE = "no_outside"
    NO_INSIDE = "no_inside"
    CAREER = "career"
    OVERDUE = "overdue"
    ONLY_RECEIVED = "only_received"
    PSYCHOSOCIAL = "psychosocial"
    ONLY_PEERS = "only_peers"
    ONLY_SENIORS = "only_seniors"
    LOW_RANGE = "low_range"
    LOW_RECIPROCITY = "low_reciprocity"
    UNKNOWN_ORIGIN = "unknown_origin"
    UNKNOWN_CLOSENESS = "unknown_closeness"
    LARGE = "large"
    NOTHING = "nothing"  # nothing obvious is missing
    GIVE_FIRST = "give_first"  # a habit: offer before asking
    SHOW_WORK = "show_work"  # a habit: a short update on what was promised


@dataclass(frozen=True)
class Size:
    active: int
    alumni: int
    fit: Fit
    about: int = THRESHOLDS.about


@dataclass(frozen=True)
class Coverage:
    """Who gives each kind of support (every Support, names in board order; empty: no one),
    and the career and psychosocial functions no advisor gives (introductions never missing)."""

    givers: Mapping[str, tuple[str, ...]]
    missing_career: tuple[str, ...]
    missing_psychosocial: tuple[str, ...]


@dataclass(frozen=True)
class Range:
    origins: Mapping[str, int]  # known origins only: Origin -> active advisors, most first
    distinct: int  # distinct known social systems
    unknown: tuple[str, ...]  # names of advisors with no "where you know them from"
    inside: int
    outside: int
    seniors: int
    peers: int
    juniors: int
    others: int  # family friends and others
    high: bool | None  # None: the unknown origins could decide it


@dataclass(frozen=True)
class Strength:
    closeness: float | None  # the mean of those known; None: none known
    closeness_unknown: tuple[str, ...]  # names of advisors with no closeness
    on_cadence: float | None  # share of active advisors not overdue; None: empty board
    overdue: tuple[str, ...]  # names, most overdue first
    gave: float | None  # share of recent touchpoints where the member gave; None: none
    gave_in: int  # recent touchpoints where the member gave (me or both)
    recent_touchpoints: int
    # Each part of strength against THRESHOLDS (None: not known), and all three together.
    close: bool | None
    in_touch: bool | None
    reciprocal: bool | None
    strong: bool | None  # None: what is not known could decide it


@dataclass(frozen=True)
class Shape:
    type: NetworkType
    sentence: str  # what the type tends to support, or what the review needs to name it
    needs: tuple[str, ...] = ()  # what to fill in (only for UNKNOWN)


@dataclass(frozen=True)
class Balance:
    """Give and take with one advisor: touchpoints the member gave in (me or both), received
    in (them or both), promises kept to them on time (counted as given)."""

    advisor_id: int
    name: str
    gave: int
    received: int
    kept: int
    balance: int  # gave + kept - received: above 0, the member gives more
    only_received_lately: bool  # the last `lately` touchpoints were all given by them
    gains: str  # what they gain from the member: what to offer


@dataclass(frozen=True)
class Suggestion:
    gap: Gap
    text: str


@dataclass(frozen=True)
class Review:
    size: Size
    coverage: Coverage
    range: Range
    strength: Strength
    shape: Shape
    unlinked_goals: tuple[GoalFacts, ...]  # goals no active advisor helps with, as given
    promises: Keeping  # the whole record, alumni included
    balances: tuple[Balance, ...]  # active advisors, in board order
    mostly_give: tuple[str, ...]  # advisors who give the member more than they get, most first
    mostly_receive: tuple[str, ...]  # advisors the member gives more to, most first
    needs: str | None  # an empty board or one advisor: what the review needs
    suggestions: tuple[Suggestion, ...] = field(default=())  # three at most, most useful first


# --- the review -----------------------------------------------------------------------------


def review_board(
    advisors: Sequence[AdvisorFacts],
    *,
    touches: Sequence[Touch],
    keeping: Mapping[int, Keeping],
    goals: Sequence[GoalFacts],
    now: datetime,
    zone: ZoneInfo,
) -> Review:
    """The review of a board. `keeping` is each advisor's promise record (as
    `core.promises.keeping_by_advisor` gives it); `zone` is the member's, where "overdue"
    is decided as on the board."""
    board = [a for a in advisors if a.status == AdvisorStatus.ACTIVE]
    by_advisor: dict[int, list[Touch]] = {}
    for touch in touches:  # once, not once per advisor
        by_advisor.setdefault(touch.advisor_id, []).append(touch)
    balances = tuple(
        balance_of(a, by_advisor.get(a.id, ()), keeping.get(a.id, Keeping()).kept_on_time)
        for a in board
    )
    spread, strength = range_of(board), strength_of(board, touches, now=now, zone=zone)
    done = Review(
        size=size_of(board, alumni=len(advisors) - len(board)),
        coverage=coverage_of(board),
        range=spread,
        strength=strength,
        shape=shape_of(len(board), spread, strength),
        unlinked_goals=unlinked(goals, board),
        promises=record(keeping.values()),
        balances=balances,
        mostly_give=tuple(b.name for b in sorted(balances, key=_by) if b.balance < 0),
        mostly_receive=tuple(
            b.name for b in sorted(balances, key=_by, reverse=True) if b.balance > 0
        ),
        needs=needs_of(len(board)),
    )
    return replace(done, suggestions=suggest(done, goals))


def _by(balance: Balance) -> int:
    return balance.balance


def size_of(board: Sequence[AdvisorFacts], *, alumni: int) -> Size:
    n = len(board)
    if n == 0:
        fit = Fit.EMPTY
    elif n < THRESHOLDS.small_below:
        fit = Fit.SMALL
    elif n > THRESHOLDS.large_above:
        fit = Fit.LARGE
    else:
        fit = Fit.ABOUT_RIGHT
    return Size(active=n, alumni=alumni, fit=fit)


def needs_of(n: int) -> str | None:
    if n == 0:
        return (
            f"Your board is empty: enlist the people who can help with your next step, about "
            f"{THRESHOLDS.about} of them, and this review will show its shape."
        )
    if n == 1:
        return (
            f"One advisor so far: enlist a few more (the research suggests about "
            f"{THRESHOLDS.about}) and this review will show your board's shape."
        )
    return None


def coverage_of(board: Sequence[AdvisorFacts]) -> Coverage:
    givers = {s.value: tuple(a.name for a in board if s in a.support) for s in Support}
    return Coverage(
        givers=givers,
        missing_career=tuple(s.value for s in CAREER if not givers[s]),
        missing_psychosocial=tuple(s.value for s in PSYCHOSOCIAL if not givers[s]),
    )


def range_of(board: Sequence[AdvisorFacts]) -> Range:
    counts: dict[str, int] = {}
    for a in board:
        if a.origin is not None:
            counts[a.origin] = counts.get(a.origin, 0) + 1
    origins = dict(sorted(counts.items(), key=lambda kv: -kv[1]))
    unknown = tuple(a.name for a in board if a.origin is None)
    kinds = [a.relationship for a in board]
    return Range(
        origins=origins,
        distinct=len(origins),
        unknown=unknown,
        inside=sum(a.inside_org for a in board),
        outside=sum(not a.inside_org for a in board),
        seniors=kinds.count(RelationshipKind.SENIOR),
        peers=kinds.count(RelationshipKind.PEER),
        juniors=kinds.count(RelationshipKind.JUNIOR),
        others=sum(k not in _RANKS for k in kinds),
        high=_at_least(len(origins), len(unknown), THRESHOLDS.high_range),
    )


_RANKS = (RelationshipKind.SENIOR, RelationshipKind.PEER, RelationshipKind.JUNIOR)


def _at_least(known: int, unknown: int, needed: int) -> bool | None:
    """Whether `known` reaches `needed`, when each unknown might add one: None if it might."""
    if known >= needed:
        return True
    return False if known + unknown < needed else None


def strength_of(
    board: Sequence[AdvisorFacts], touches: Sequence[Touch], *, now: datetime, zone: ZoneInfo
) -> Strength:
    known = [a.closeness for a in board if a.closeness is not None]
    overdue = sorted(
        (a for a in board if _overdue(a, now, zone)), key=lambda a: a.next_touch_due_at
    )
    ids = {a.id for a in board}
    recent = [t for t in touches if t.advisor_id in ids and now - t.at <= THRESHOLDS.recent]
    gave, n = sum(_member_gave(t) for t in recent), len(board)
    close = _close_enough(known, n - len(known))
    in_touch = Fraction(n - len(overdue), n) > THRESHOLDS.on_cadence if n else None
    reciprocal = Fraction(gave, len(recent)) >= THRESHOLDS.gave if recent else None
    return Strength(
        closeness=sum(known) / len(known) if known else None,
        closeness_unknown=tuple(a.name for a in board if a.closeness is None),
        on_cadence=(len(board) - len(overdue)) / len(board) if board else None,
        overdue=tuple(a.name for a in overdue),
        gave=gave / len(recent) if recent else None,
        gave_in=gave,
        recent_touchpoints=len(recent),
        close=close,
        in_touch=in_touch,
        reciprocal=reciprocal,
        strong=_all((close, in_touch, reciprocal)) if board else None,
    )


def _overdue(advisor: AdvisorFacts, now: datetime, zone: ZoneInfo) -> bool:
    due = advisor.next_touch_due_at
    return due is not None and standing(due, advisor.cadence_days, now, zone) == Standing.OVERDUE


def _member_gave(touch: Touch) -> bool:
    return touch.given_by in (GivenBy.ME, GivenBy.BOTH)


def _close_enough(known: list[int], unknown: int) -> bool | None:
    """Mean closeness at least `close`, when each unknown might be anywhere from 1 to 4."""
    n = len(known) + unknown
    if n == 0:
        return None
    if Fraction(sum(known) + unknown, n) >= THRESHOLDS.close:
        return True
    return False if Fraction(sum(known) + 4 * unknown, n) < THRESHOLDS.close else None


def _all(parts: Iterable[bool | None]) -> bool | None:
    """True when every part is; False when any is not; None when only unknowns stand between."""
    parts = list(parts)
    if False in parts:
        return False
    return None if None in parts else True


def shape_of(n: int, spread: Range, strength: Strength) -> Shape:
    if n < THRESHOLDS.fewest_for_type:
        return _unknown((f"enlist at least {THRESHOLDS.fewest_for_type} advisors",))
    if spread.high is not None and strength.strong is not None:
        kind = {
            (False, False): NetworkType.RECEPTIVE,
            (False, True): NetworkType.TRADITIONAL,
            (True, False): NetworkType.OPPORTUNISTIC,
            (True, True): NetworkType.ENTREPRENEURIAL,
        }[(spread.high, strength.strong)]
        return Shape(kind, TENDS_TO[kind])
    needs = []
    if spread.high is None:
        needs.append(f"fill in where you know {_advisors(len(spread.unknown))} from")
    if strength.strong is None:
        if strength.close is None:
            needs.append(
                f"fill in how close you are to {_advisors(len(strength.closeness_unknown))}"
            )
        if strength.reciprocal is None:
            needs.append("log your touchpoints, saying who gave what")
    return _unknown(tuple(needs))


def _unknown(needs: tuple[str, ...]) -> Shape:
    sentence = "Not enough is known yet to name your network's type: " + "; ".join(needs) + "."
    return Shape(NetworkType.UNKNOWN, sentence, needs)


def _advisors(n: int) -> str:
    return "1 advisor" if n == 1 else f"{n} advisors"


def unlinked(goals: Sequence[GoalFacts], board: Sequence[AdvisorFacts]) -> tuple[GoalFacts, ...]:
    """Goals an advisor could help with (where the member heads, what they lack) that none
    does; strengths and the balance they want are theirs, not an advisor's to cover."""
    linked = {goal_id for a in board for goal_id in a.goal_ids}
    return tuple(g for g in goals if g.kind in GOAL_ORDER and g.id not in linked)


def record(counts: Iterable[Keeping]) -> Keeping:
    counts = list(counts)
    return Keeping(*(sum(getattr(c, f) for c in counts) for f in Keeping.__dataclass_fields__))


def balance_of(advisor: AdvisorFacts, touches: Iterable[Touch], kept: int = 0) -> Balance:
    """Give and take with one advisor, from all their touchpoints (in any order) and the
    promises kept to them on time; also used for the stay-in-touch nudge."""
    theirs = sorted(
        (t for t in touches if t.advisor_id == advisor.id), key=lambda t: t.at, reverse=True
    )
    gave = sum(_member_gave(t) for t in theirs)
    received = sum(t.given_by in (GivenBy.THEM, GivenBy.BOTH) for t in theirs)
    lately = theirs[: THRESHOLDS.lately]
    return Balance(
        advisor_id=advisor.id,
        name=advisor.name,
        gave=gave,
        received=received,
        kept=kept,
        balance=gave + kept - received,
        only_received_lately=len(lately) == THRESHOLDS.lately
        and all(t.given_by == GivenBy.THEM for t in lately),
        gains=advisor.gains,
    )


# --- suggestions ----------------------------------------------------------------------------


def suggest(review: Review, goals: Sequence[GoalFacts]) -> tuple[Suggestion, ...]:
    """The first three rules that apply, in RULES' order (most useful first); with nothing
    missing on a board, one line saying so."""
    found = []
    for gap, rule in RULES:
        text = rule(review, goals)
        if text is not None:
            found.append(Suggestion(gap, text))
    if not found and review.size.active:
        found.append(Suggestion(Gap.NOTHING, _nothing()))
    if review.size.active:  # a board always gets three steps: the habits fill the rest
        found += [
            Suggestion(gap, text) for gap, text in HABITS if gap not in {f.gap for f in found}
        ]
    return tuple(found[:3])


Rule = Callable[[Review, Sequence[GoalFacts]], str | None]


def _empty(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    if r.size.fit != Fit.EMPTY:
        return None
    return (
        "Your board is empty: who has helped you take a step before? Enlist them with /advisor add."
    )


def _small(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    if r.size.fit != Fit.SMALL:
        return None
    missing = r.coverage.missing_career + r.coverage.missing_psychosocial
    want = (
        f"for {FUNCTION_WORDS[Support(missing[0])]}" if missing else "who sees things differently"
    )
    return (
        f"Board of {r.size.active}: the research suggests about {THRESHOLDS.about}. "
        f"Who could you enlist {want}?"
    )


def _no_goals(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    if goals:
        return None
    return (
        "No goals written down yet: where do you want to be in two years? Write it with "
        "/advisor goals, then link the advisors who help."
    )


def _unlinked_goal(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    if not r.unlinked_goals:
        return None
    rank = {kind: i for i, kind in enumerate(GOAL_ORDER)}
    first = min(r.unlinked_goals, key=lambda g: rank.get(g.kind, len(rank)))
    text = (
        f"Nobody helps with your goal “{_brief(first.text)}”: who has been there, or could "
        "open a door to it?"
    )
    more = len(r.unlinked_goals) - 1
    if more:
        text += f" ({more} more {'goal has' if more == 1 else 'goals have'} no advisor.)"
    return text


def _no_outside(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    if not r.size.active or r.range.outside:
        return None
    return (
        "No one outside your company: who from your old team or a professional association "
        "could you enlist?"
    )


def _no_inside(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    if r.size.active < THRESHOLDS.fewest_for_type or r.range.inside:
        return None
    return (
        "No one inside your company: who there could speak for you, or tell you how things "
        "really work?"
    )


def _missing(missing: tuple[str, ...]) -> str | None:
    if not missing:
        return None
    text = MISSING[Support(missing[0])]
    if len(missing) > 1:
        text += " (Also missing: " + ", ".join(FUNCTION_WORDS[Support(s)] for s in missing[1:])
        text += ".)"
    return text


def _career(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    return _missing(r.coverage.missing_career) if r.size.active else None


def _psychosocial(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    return _missing(r.coverage.missing_psychosocial) if r.size.active else None


def _overdue_rule(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    late, n = r.strength.overdue, r.size.active
    if r.strength.in_touch is not False:
        return None
    if n == 1:
        return f"{late[0]} is overdue: send them a line today."
    if len(late) == n:
        return f"All {n} advisors are overdue: pick the one you miss most and send a line today."
    verb = "is" if len(late) == 1 else "are"
    return (
        f"{len(late)} of {n} advisors {verb} overdue: start with {late[0]} and send a line today."
    )


def _only_received(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    flagged = [b for b in r.balances if b.only_received_lately]
    if not flagged:
        return None
    first = min(flagged, key=_by)
    if first.gains.strip():
        offer = f"offer what they gain from you: {_brief(first.gains)}"
    else:
        offer = "offer something back (an introduction, an article, a hand with their work)"
    return f"You've only received from {first.name} lately: {offer}."


def _only(kind: str, text: str) -> Rule:
    def rule(r: Review, goals: Sequence[GoalFacts]) -> str | None:
        n = r.size.active
        same = r.range.peers if kind == RelationshipKind.PEER else r.range.seniors
        return text if n >= THRESHOLDS.fewest_for_type and same == n else None

    return rule


def _low_range(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    """Low range with someone outside already (else "no one outside" says it) and some
    origins known (else "fill in where you know them from" does)."""
    if r.range.high is not False or not r.range.outside or not r.range.origins:
        return None
    where = " and ".join(ORIGIN_WORDS[Origin(o)] for o in r.range.origins)
    untapped = next(o for o in WIDENING if o not in r.range.origins)
    return (
        f"Your advisors come from only {where}: someone from {ORIGIN_WORDS[untapped]} would "
        "widen your range."
    )


def _low_reciprocity(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    s = r.strength
    if s.reciprocal is not False or any(b.only_received_lately for b in r.balances):
        return None  # known and enough, or said already with a name
    return (
        f"You gave in {s.gave_in} of your {s.recent_touchpoints} touchpoints this past year: "
        "ask each advisor what would help them, and offer it."
    )


def _unknown_origin(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    return _unfilled(r.range.unknown, "where you know them from", "your range")


def _unknown_closeness(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    return _unfilled(r.strength.closeness_unknown, "how close are you", "how strong your ties are")


def _unfilled(names: tuple[str, ...], what: str, to_see: str) -> str | None:
    if not names:
        return None
    who = f"{names[0]} has" if len(names) == 1 else f"{len(names)} advisors have"
    return f"{who} no '{what}': fill it in to see {to_see}."


def _large(r: Review, goals: Sequence[GoalFacts]) -> str | None:
    if r.size.fit != Fit.LARGE:
        return None
    return (
        f"Board of {r.size.active}: more than you can keep up with well. Who could you ease "
        "aside to alumni?"
    )


# When fewer than three gaps show, the habits that keep any board alive fill the list.
HABITS = (
    (
        Gap.GIVE_FIRST,
        "Offer before you ask: send one advisor something they value from you this week (an "
        "article, an introduction, your notes on what you're learning).",
    ),
    (
        Gap.SHOW_WORK,
        "Show your work: tell one advisor where something you discussed stands, even unfinished. "
        "A two-line update builds trust almost as much as delivering.",
    ),
)


def _nothing() -> str:
    return (
        "Nothing obvious is missing: keep in touch on your cadence, and offer each advisor "
        "something before you ask."
    )


def _brief(text: str, limit: int = 120) -> str:
    """The first line of typed text, cut to `limit` characters."""
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


RULES: list[tuple[Gap, Rule]] = [  # most useful first
    (Gap.EMPTY, _empty),
    (Gap.SMALL, _small),
    (Gap.NO_GOALS, _no_goals),
    (Gap.UNLINKED_GOAL, _unlinked_goal),
    (Gap.NO_OUTSIDE, _no_outside),
    (Gap.NO_INSIDE, _no_inside),
    (Gap.CAREER, _career),
    (Gap.OVERDUE, _overdue_rule),
    (Gap.ONLY_RECEIVED, _only_received),
    (Gap.PSYCHOSOCIAL, _psychosocial),
    (
        Gap.ONLY_PEERS,
        _only(
            RelationshipKind.PEER,
            "Only peers: a senior could sponsor you, and a junior could show you what you no "
            "longer see.",
        ),
    ),
    (
        Gap.ONLY_SENIORS,
        _only(
            RelationshipKind.SENIOR,
            "Only seniors: a peer going through the same things could be your sounding board.",
        ),
    ),
    (Gap.LOW_RANGE, _low_range),
    (Gap.LOW_RECIPROCITY, _low_reciprocity),
    (Gap.UNKNOWN_ORIGIN, _unknown_origin),
    (Gap.UNKNOWN_CLOSENESS, _unknown_closeness),
    (Gap.LARGE, _large),
]
