"""The review of a board, as tables: boards built to hit each network type and each gap, from a
healthy board of five that needs nothing; the empty board and a board of one; unknown origins
and closeness; alumni left out; give and take; and each threshold at its boundary."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.models import Advisor, Goal, GoalKind, Touchpoint
from core.promises import Keeping
from core.review import (
    CAREER,
    TENDS_TO,
    THRESHOLDS,
    AdvisorFacts,
    Fit,
    Gap,
    GoalFacts,
    NetworkType,
    Review,
    Thresholds,
    Touch,
    balance_of,
    range_of,
    review_board,
    strength_of,
)

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)  # Monday 10:00 in New York
ON_TRACK = NOW + timedelta(days=10)
LEAD = GoalFacts(1, GoalKind.TWO_YEARS, "Lead a product team")


def adv(id: int, name: str, **fields) -> AdvisorFacts:
    fields.setdefault("next_touch_due_at", ON_TRACK)
    return AdvisorFacts(id=id, name=name, **fields)


def touches(advisor_id: int, *given: str) -> list[Touch]:
    """Touchpoints with one advisor, newest first, a week apart from yesterday back."""
    return [Touch(advisor_id, NOW - timedelta(days=1 + 7 * i), by) for i, by in enumerate(given)]


HEALTHY = [
    adv(1, "Ada", relationship="senior", origin="employer", closeness=4, goal_ids=frozenset({1}),
        support=("sponsorship", "protection", "exposure"), gains="a view of how engineers plan"),
    adv(2, "Ben", relationship="peer", origin="employer", closeness=3,
        support=("coaching", "friendship", "acceptance")),
    adv(3, "Chen", relationship="peer", inside_org=False, origin="association", closeness=3,
        support=("stretch", "counsel")),
    adv(4, "Dee", relationship="junior", inside_org=False, origin="former_employer", closeness=3,
        support=("role_model", "introductions")),
    adv(5, "Eve", relationship="senior", inside_org=False, origin="school", closeness=4,
        support=("coaching", "counsel")),
]  # fmt: skip
MUTUAL = [t for a in HEALTHY for t in touches(a.id, "both", "both", "both")]


def run(
    board: list[AdvisorFacts],
    *,
    touched: list[Touch] | None = None,
    keeping: dict[int, Keeping] | None = None,
    goals: tuple[GoalFacts, ...] = (LEAD,),
) -> Review:
    return review_board(
        board,
        touches=MUTUAL if touched is None else touched,
        keeping=keeping or {},
        goals=goals,
        now=NOW,
        zone=NEW_YORK,
    )


def changed(board: list[AdvisorFacts], name: str | None = None, **fields) -> list[AdvisorFacts]:
    """The board with one advisor (or, without a name, everyone) changed."""
    return [replace(a, **fields) if name in (None, a.name) else a for a in board]


def gaps(review: Review) -> list[Gap]:
    return [s.gap for s in review.suggestions]


# --- the network type ------------------------------------------------------------------------


def board_of(origins, closeness, *, overdue=0, given="both") -> tuple[list, list]:
    board = [
        adv(i, f"P{i}", origin=o, closeness=c, next_touch_due_at=NOW - timedelta(days=5))
        if i < overdue
        else adv(i, f"P{i}", origin=o, closeness=c)
        for i, (o, c) in enumerate(zip(origins, closeness, strict=True))
    ]
    return board, [t for a in board for t in touches(a.id, given)]


LOW, HIGH = ("employer", "employer", "school"), ("employer", "association", "online")
TYPES = [
    ("loose ties from two places are receptive", LOW, (1, 2, 2), {}, NetworkType.RECEPTIVE),
    ("close ties from two places are traditional", LOW, (3, 4, 3), {}, NetworkType.TRADITIONAL),
    ("loose ties from three places are opportunistic", HIGH, (2, 2, 1), {},
     NetworkType.OPPORTUNISTIC),
    ("close ties from three places are entrepreneurial", HIGH, (4, 3, 3), {},
     NetworkType.ENTREPRENEURIAL),
    ("close ties mostly overdue are weak", HIGH, (4, 4, 4), {"overdue": 2},
     NetworkType.OPPORTUNISTIC),
    ("close ties where the member only receives are weak", LOW, (4, 4, 4), {"given": "them"},
     NetworkType.RECEPTIVE),
    ("an unknown origin that could make the range high leaves the type open",
     ("employer", "school", None), (4, 4, 4), {}, NetworkType.UNKNOWN),
]  # fmt: skip


@pytest.mark.parametrize(
    ("origins", "closeness", "extra", "expected"),
    [case[1:] for case in TYPES],
    ids=[case[0] for case in TYPES],
)
def test_range_and_strength_make_the_network_type(origins, closeness, extra, expected):
    board, touched = board_of(origins, closeness, **extra)
    shape = run(board, touched=touched).shape
    assert shape.type == expected
    if expected != NetworkType.UNKNOWN:
        assert shape.sentence == TENDS_TO[expected]
        assert shape.needs == ()


def test_each_network_type_says_what_it_tends_to_support_in_its_own_sentence():
    assert set(TENDS_TO) == set(NetworkType) - {NetworkType.UNKNOWN}
    assert len(set(TENDS_TO.values())) == 4
    assert "moving between organisations" in TENDS_TO[NetworkType.ENTREPRENEURIAL]
    assert "advancement where you are now" in TENDS_TO[NetworkType.TRADITIONAL]


def test_the_healthy_board_is_entrepreneurial_and_needs_nothing():
    review = run(HEALTHY)
    assert review.shape.type == NetworkType.ENTREPRENEURIAL
    assert review.size.fit == Fit.ABOUT_RIGHT
    assert review.needs is None
    assert gaps(review) == [Gap.NOTHING, Gap.GIVE_FIRST, Gap.SHOW_WORK]  # always three


def test_when_too_little_is_known_the_type_says_what_to_fill_in():
    board = changed(changed(HEALTHY, origin="employer"), "Ada", origin=None, closeness=None)
    board = changed(board, "Ben", origin=None)
    shape = run(board, touched=[]).shape
    assert shape.type == NetworkType.UNKNOWN
    assert shape.needs == (
        "fill in where you know 2 advisors from",
        "fill in how close you are to 1 advisor",
        "log your touchpoints, saying who gave what",
    )
    assert shape.sentence.startswith("Not enough is known yet to name your network's type: ")


def test_an_unknown_that_cannot_change_the_verdict_is_not_asked_for():
    board = changed(HEALTHY, "Ada", origin=None)  # four places known already: high range
    board = changed(board, "Ada", closeness=None)
    board = changed(board, closeness=4)
    board = changed(board, "Ada", closeness=None)  # 16 + at least 1 over 5 is above 3: close
    review = run(board)
    assert review.range.high is True
    assert review.strength.close is True
    assert review.shape.type == NetworkType.ENTREPRENEURIAL


# --- each gap, and its suggestion --------------------------------------------------------------


def overdue(board, *names):
    for days, name in zip((10, 5, 3), names, strict=False):
        board = changed(board, name, next_touch_due_at=NOW - timedelta(days=days))
    return board


GAPS = [
    ("an empty board", [], {}, Gap.EMPTY, "Your board is empty: who has helped you"),
    ("a board of two", HEALTHY[:2], {}, Gap.SMALL,
     "Board of 2: the research suggests about 5. Who could you enlist for challenging"),
    ("no goals", HEALTHY, {"goals": ()}, Gap.NO_GOALS, "No goals written down yet"),
    ("a goal nobody helps with", HEALTHY,
     {"goals": (LEAD, GoalFacts(2, GoalKind.GAP, "Public speaking"))}, Gap.UNLINKED_GOAL,
     "Nobody helps with your goal “Public speaking”: who has been there"),
    ("nobody outside", changed(HEALTHY, inside_org=True), {}, Gap.NO_OUTSIDE,
     "No one outside your company: who from your old team or a professional association"),
    ("nobody inside", changed(HEALTHY, inside_org=False), {}, Gap.NO_INSIDE,
     "No one inside your company"),
    ("no sponsor", changed(HEALTHY, "Ada", support=("protection", "exposure")), {}, Gap.CAREER,
     "No one gives you sponsorship: who senior has seen your work"),
    ("three of five overdue", overdue(HEALTHY, "Ada", "Ben", "Chen"), {}, Gap.OVERDUE,
     "3 of 5 advisors are overdue: start with Ada and send a line today."),
    ("only receiving from one advisor", HEALTHY,
     {"touched": [t for t in MUTUAL if t.advisor_id != 3] + touches(3, "them", "them", "them")},
     Gap.ONLY_RECEIVED, "You've only received from Chen lately: offer something back"),
    ("no friend", changed(HEALTHY, "Ben", support=("coaching", "acceptance")), {},
     Gap.PSYCHOSOCIAL, "No one on your board is a friend"),
    ("only peers", changed(HEALTHY, relationship="peer"), {}, Gap.ONLY_PEERS,
     "Only peers: a senior could sponsor you"),
    ("only seniors", changed(HEALTHY, relationship="senior"), {}, Gap.ONLY_SENIORS,
     "Only seniors: a peer"),
    ("two places", changed(changed(HEALTHY, origin="school"), "Ada", origin="employer"), {},
     Gap.LOW_RANGE, "Your advisors come from only school and your company: someone from a "
     "professional association would widen your range."),
    ("giving in a quarter of the touchpoints", HEALTHY,
     {"touched": [t for a in HEALTHY for t in touches(a.id, "me", "them", "them", "them")]},
     Gap.LOW_RECIPROCITY, "You gave in 5 of your 20 touchpoints this past year"),
    ("an advisor with no origin", changed(HEALTHY, "Ada", origin=None), {}, Gap.UNKNOWN_ORIGIN,
     "Ada has no 'where you know them from': fill it in to see your range."),
    ("an advisor with no closeness", changed(HEALTHY, "Ada", closeness=None), {},
     Gap.UNKNOWN_CLOSENESS, "Ada has no 'how close are you': fill it in to see how strong"),
    ("a board of nine", HEALTHY + [replace(a, id=a.id + 10) for a in HEALTHY[:4]], {}, Gap.LARGE,
     "Board of 9: more than you can keep up with well"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("board", "extra", "gap", "text"),
    [case[1:] for case in GAPS],
    ids=[case[0] for case in GAPS],
)
def test_each_gap_comes_first_among_the_suggestions_with_a_concrete_step(board, extra, gap, text):
    first = run(board, **extra).suggestions[0]
    assert first.gap == gap
    assert first.text.startswith(text)


def test_every_gap_has_a_board_that_hits_it():
    habits = {Gap.NOTHING, Gap.GIVE_FIRST, Gap.SHOW_WORK}  # not gaps: they fill the list
    assert {case[3] for case in GAPS} | habits == set(Gap)


def test_a_board_with_one_gap_still_gets_three_steps_the_habits_after_it():
    review = run(changed(HEALTHY, "Ada", support=("coaching",)))
    assert gaps(review) == [Gap.CAREER, Gap.GIVE_FIRST, Gap.SHOW_WORK]


def test_three_suggestions_at_most_most_useful_first():
    review = run([adv(1, "Ada")], goals=())
    assert gaps(review) == [Gap.SMALL, Gap.NO_GOALS, Gap.NO_OUTSIDE]


def test_several_missing_functions_are_named_in_one_suggestion():
    board = changed(HEALTHY, "Ada", support=("exposure",))
    assert run(board).suggestions[0].text.endswith("(Also missing: protection.)")


def said(review: Review, gap: Gap) -> str:
    return next(s.text for s in review.suggestions if s.gap == gap)


def test_the_overdue_suggestion_reads_right_for_one_for_all_and_for_a_board_of_one():
    one = run(overdue([HEALTHY[0], HEALTHY[2]], "Ada"))
    assert said(one, Gap.OVERDUE) == (
        "1 of 2 advisors is overdue: start with Ada and send a line today."
    )
    everyone = run(changed(HEALTHY, next_touch_due_at=NOW - timedelta(days=5)))
    assert said(everyone, Gap.OVERDUE).startswith("All 5 advisors are overdue: pick the one")
    ada = replace(HEALTHY[0], inside_org=False, support=tuple(CAREER))
    alone = run(overdue([ada], "Ada"))
    assert said(alone, Gap.OVERDUE) == "Ada is overdue: send them a line today."


def test_only_receiving_suggests_what_they_gain_from_the_member():
    touched = [t for t in MUTUAL if t.advisor_id != 1] + touches(1, "them", "them", "them")
    first = run(HEALTHY, touched=touched).suggestions[0]
    assert first.text == (
        "You've only received from Ada lately: offer what they gain from you: a view of how "
        "engineers plan."
    )


def test_a_long_goal_is_cut_in_its_suggestion_and_the_other_unlinked_goals_are_counted():
    goals = (
        GoalFacts(2, GoalKind.FIVE_YEARS, "Writing"),
        GoalFacts(3, GoalKind.GAP, "x" * 300),
    )
    review = run(HEALTHY, goals=(LEAD, *goals, GoalFacts(4, GoalKind.STRENGTH, "Listening")))
    assert review.unlinked_goals == goals  # a strength is the member's own, not a gap
    text = review.suggestions[0].text
    assert "“" + "x" * 119 + "…”" in text  # what they lack before where they head
    assert text.endswith("(1 more goal has no advisor.)")


def test_two_advisors_with_no_origin_are_counted_in_the_suggestion():
    board = changed(HEALTHY, "Ada", origin=None)
    board = changed(board, "Ben", origin=None)
    assert run(board).suggestions[0].text.startswith("2 advisors have no 'where you know them")


# --- the empty board and a board of one ------------------------------------------------------


def test_an_empty_board_says_what_it_needs_and_divides_nothing_by_zero():
    review = run([], touched=[], goals=())
    assert review.size.fit == Fit.EMPTY and review.size.active == 0
    assert review.needs.startswith("Your board is empty: enlist")
    assert review.strength.closeness is None
    assert review.strength.on_cadence is None
    assert review.strength.gave is None
    assert review.strength.strong is None
    assert review.shape.type == NetworkType.UNKNOWN
    assert review.shape.needs == ("enlist at least 2 advisors",)
    assert len(review.coverage.missing_career) == 5
    assert len(review.coverage.missing_psychosocial) == 4
    assert gaps(review) == [Gap.EMPTY, Gap.NO_GOALS]


def test_an_empty_board_with_goals_asks_who_could_help_with_one():
    assert gaps(run([], touched=[])) == [Gap.EMPTY, Gap.UNLINKED_GOAL]


def test_one_advisor_is_reviewed_but_the_type_waits_for_more():
    review = run(HEALTHY[:1])
    assert review.needs.startswith("One advisor so far: enlist a few more")
    assert review.strength.closeness == 4
    assert review.strength.on_cadence == 1
    assert review.shape.type == NetworkType.UNKNOWN
    assert review.suggestions[0].text.startswith("Board of 1:")


# --- unknowns, alumni, coverage, range -----------------------------------------------------------


def test_unknown_origins_are_counted_as_unknown_never_guessed():
    board = changed(changed(HEALTHY, "Ada", origin=None), "Chen", origin=None)
    spread = run(board).range
    assert spread.origins == {"employer": 1, "former_employer": 1, "school": 1}
    assert spread.distinct == 3
    assert spread.unknown == ("Ada", "Chen")


def test_alumni_are_left_out_of_everything_but_the_promise_record():
    zed = adv(9, "Zed", status="alumni", inside_org=False, origin="online", closeness=4,
              support=("sponsorship", "friendship"), goal_ids=frozenset({2}))  # fmt: skip
    board = [*changed(HEALTHY, inside_org=True, origin="employer"), zed]
    board = changed(board, "Ada", support=("protection",))
    goal = GoalFacts(2, GoalKind.FIVE_YEARS, "Run my own studio")
    review = run(
        board,
        touched=[*MUTUAL, *touches(9, "them", "them", "them")],
        keeping={9: Keeping(kept_on_time=2)},
        goals=(LEAD, goal),
    )
    assert (review.size.active, review.size.alumni) == (5, 1)
    assert review.coverage.givers["sponsorship"] == ()
    assert review.range.outside == 0 and review.range.origins == {"employer": 5}
    assert review.unlinked_goals == (goal,)
    assert [b.name for b in review.balances] == ["Ada", "Ben", "Chen", "Dee", "Eve"]
    assert review.strength.recent_touchpoints == 15
    assert review.promises.kept_on_time == 2
    assert Gap.NO_OUTSIDE in gaps(review)


def test_coverage_names_who_gives_each_support_and_introductions_are_never_missing():
    board = changed(HEALTHY, "Dee", support=("role_model",))
    coverage = run(board).coverage
    assert coverage.givers["coaching"] == ("Ben", "Eve")
    assert coverage.givers["introductions"] == ()
    assert coverage.missing_career == () and coverage.missing_psychosocial == ()


def test_range_counts_inside_and_outside_and_seniority_apart_from_origins():
    board = [*HEALTHY, adv(6, "Fay", relationship="family_friend", origin="family")]
    spread = range_of(board)
    assert (spread.inside, spread.outside) == (3, 3)
    assert (spread.seniors, spread.peers, spread.juniors, spread.others) == (2, 2, 1, 1)
    assert spread.distinct == 5


def test_the_promise_record_adds_up_every_advisor():
    keeping = {
        1: Keeping(kept_on_time=2, late=1),
        2: Keeping(renegotiated_in_time=1, dropped=1, open=1),
    }
    assert run(HEALTHY, keeping=keeping).promises == Keeping(
        kept_on_time=2, renegotiated_in_time=1, late=1, dropped=1, open=1
    )


# --- give and take ---------------------------------------------------------------------------


def test_the_balance_counts_what_the_member_gave_less_what_they_received_plus_promises_kept():
    balance = balance_of(HEALTHY[0], touches(1, "me", "them", "both", "me"), kept=2)
    assert (balance.gave, balance.received, balance.kept, balance.balance) == (3, 2, 2, 3)
    assert not balance.only_received_lately
    assert balance.gains == "a view of how engineers plan"


GIVEN = [
    ("three from them, newest first", ("them", "them", "them", "me"), True),
    ("only two touchpoints, both from them", ("them", "them"), False),
    ("the newest from the member", ("me", "them", "them", "them"), False),
    ("one of the last three given by both", ("them", "both", "them"), False),
]


@pytest.mark.parametrize(("given", "flagged"), [c[1:] for c in GIVEN], ids=[c[0] for c in GIVEN])
def test_only_received_lately_means_the_last_three_touchpoints_came_from_them(given, flagged):
    ada = HEALTHY[0]
    assert balance_of(ada, touches(1, *given)).only_received_lately is flagged
    oldest_first = list(reversed(touches(1, *given)))
    assert balance_of(ada, oldest_first).only_received_lately is flagged


def test_the_review_lists_who_mostly_gives_and_who_mostly_receives():
    touched = [
        *touches(1, "me", "me", "me"),
        *touches(2, "them", "me", "them"),
        *touches(3, "both"),
        *touches(4, "me"),
        *touches(5, "them", "both"),
    ]
    review = run(HEALTHY, touched=touched, keeping={5: Keeping(kept_on_time=1)})
    assert review.mostly_receive == ("Ada", "Dee")  # they receive from the member
    assert review.mostly_give == ("Ben",)  # Eve's one kept promise evens it out
    assert [b.balance for b in review.balances] == [3, -1, 0, 1, 0]


# --- thresholds at their boundaries ------------------------------------------------------------


def test_the_thresholds_say_they_are_heuristics_and_cite_their_sources():
    doc = Thresholds.__doc__
    assert "Higgins & Kram (2001)" in doc and "Kram (1985)" in doc
    assert "no numeric cut-offs" in doc and "heuristics" in doc


@pytest.mark.parametrize(
    ("origins", "high"),
    [
        (("employer", "school"), False),
        (("employer", "school", "online"), True),
        (("employer", "employer", "school", "school"), False),
        (("employer", "school", None), None),
        (("employer", "school", "online", None, None), True),
        (("employer", None), False),
    ],
)
def test_high_range_takes_three_known_places_and_unknowns_are_never_guessed(origins, high):
    board = [adv(i, f"P{i}", origin=o) for i, o in enumerate(origins)]
    assert THRESHOLDS.high_range == 3
    assert range_of(board).high is high


def strength(board, touched=()):
    return strength_of(board, list(touched), now=NOW, zone=NEW_YORK)


@pytest.mark.parametrize(
    ("closeness", "close"),
    [
        ((3, 3, 3), True),
        ((4, 2), True),  # exactly "Close" on average
        ((3, 3, 2), False),
        ((3, 3, None), None),  # 7/3 to 10/3: could go either way
        ((4, 4, 4, None), True),  # at least 13/4
        ((1, 1, None), False),  # at most 6/3
    ],
)
def test_ties_are_close_from_a_mean_of_three(closeness, close):
    board = [adv(i, f"P{i}", closeness=c) for i, c in enumerate(closeness)]
    assert strength(board).close is close


@pytest.mark.parametrize(
    ("late", "of", "in_touch"), [(2, 4, False), (1, 4, True), (1, 2, False), (0, 1, True)]
)
def test_ties_are_in_touch_when_more_than_half_are_not_overdue(late, of, in_touch):
    board = overdue([adv(i, name) for i, name in enumerate(("Ada", "Ben", "Chen", "Dee")[:of])],
                    *("Ada", "Ben", "Chen")[:late])  # fmt: skip
    assert strength(board).in_touch is in_touch


@pytest.mark.parametrize(
    ("given", "reciprocal"),
    [
        (("me", "them", "them"), True),  # exactly a third
        (("both", "them", "them", "them"), False),
        ((), None),
    ],
)
def test_ties_are_reciprocal_when_the_member_gave_in_a_third_of_recent_touchpoints(
    given, reciprocal
):
    assert strength(HEALTHY[:1], touches(1, *given)).reciprocal is reciprocal


def test_only_touchpoints_of_the_past_year_count_for_reciprocity():
    year = [Touch(1, NOW - THRESHOLDS.recent, "me"), Touch(1, NOW - timedelta(days=366), "me")]
    s = strength(HEALTHY[:1], [*year, *touches(1, "them", "them", "them")])
    assert (s.recent_touchpoints, s.gave_in) == (4, 1)
    assert s.reciprocal is False


def test_an_advisor_due_earlier_today_is_not_overdue_yet_as_on_the_board():
    due_today = adv(1, "Ada", next_touch_due_at=datetime(2026, 11, 23, 6, tzinfo=UTC))  # 1am NY
    due_yesterday = adv(2, "Ben", next_touch_due_at=datetime(2026, 11, 23, 4, tzinfo=UTC))
    never = adv(3, "Chen", next_touch_due_at=None)
    assert strength([due_today, due_yesterday, never]).overdue == ("Ben",)


@pytest.mark.parametrize(
    ("n", "fit"),
    [(0, Fit.EMPTY), (3, Fit.SMALL), (4, Fit.ABOUT_RIGHT), (8, Fit.ABOUT_RIGHT), (9, Fit.LARGE)],
)
def test_the_size_is_measured_against_about_five(n, fit):
    review = run([adv(i, f"P{i}") for i in range(n)])
    assert review.size.fit == fit and review.size.about == 5


# --- from the tables' rows -------------------------------------------------------------------


def test_facts_come_from_the_tables_rows():
    row = Advisor(id=7, team_id="T", owner_id="U", name="Grace", origin="school", closeness=3,
                  support=["coaching"], inside_org=False, gains="fresh eyes")  # fmt: skip
    facts = AdvisorFacts.of(row, goal_ids=[1, 2])
    assert (facts.id, facts.name, facts.origin, facts.closeness) == (7, "Grace", "school", 3)
    assert facts.support == ("coaching",) and facts.goal_ids == {1, 2}
    assert not facts.inside_org and facts.gains == "fresh eyes" and facts.status == "active"
    point = Touchpoint(team_id="T", owner_id="U", advisor_id=7, at=NOW, given_by="me")
    assert Touch.of(point) == Touch(7, NOW, "me")
    goal = Goal(id=3, team_id="T", owner_id="U", kind=GoalKind.GAP, text="Negotiation")
    assert GoalFacts.of(goal) == GoalFacts(3, "gap", "Negotiation")
