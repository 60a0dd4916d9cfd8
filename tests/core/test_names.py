"""Who a typed line names, on the board or among alumni: the person, a question, or nobody.

Each row is a board ("(alumni)" marks someone eased aside), a line as typed after `/advisor log`
or `/advisor promise`, and what must come of it:
- ("Sam Lee", "lunch"): recorded for that person at once, with the rest as the note;
- ("ask", {"Sam Lee": "lunch", ...}): the bot asks which one, each button with its own note;
- ("guess", "Priya Sharma", "note"): only a near spelling (or initials): the bot asks first;
- NOBODY: nobody on the board or among alumni.
"""

import pytest

from core import board
from core.board import Details, Person
from core.members import remember_member
from core.names import Sureness, normalize, read_leading, sureness
from core.who import read_who
from tests.core.test_board import ALICE, PARIS, TEAM

NOBODY = None
SAMS = ["Sam Lee (alumni)", "Sam Patel"]

TABLE = [
    # the case: an alumnus named in full is that alumnus, never the active Sam
    (SAMS, "Sam Lee lunch", ("Sam Lee", "lunch")),
    (SAMS, "Sam Lee send slides", ("Sam Lee", "send slides")),
    (SAMS, "sam lee", ("Sam Lee", "")),
    # shared first names: equally sure on an active and an alumnus, so the bot asks
    (SAMS, "Sam lunch", ("ask", {"Sam Lee": "lunch", "Sam Patel": "lunch"})),
    (SAMS, "sam", ("ask", {"Sam Lee": "", "Sam Patel": ""})),
    (
        ["Sam Lee", "Sam Patel", "Sam Ng"],
        "Sam coffee",
        ("ask", {"Sam Lee": "coffee", "Sam Patel": "coffee", "Sam Ng": "coffee"}),
    ),
    # more of one name typed than the shared part: asked, each with their own note
    (SAMS, "Sam Pat lunch", ("ask", {"Sam Patel": "lunch", "Sam Lee": "Pat lunch"})),
    # last names, initials, punctuation, case
    (SAMS, "Patel lunch", ("Sam Patel", "lunch")),
    (SAMS, "Lee lunch", ("Sam Lee", "lunch")),
    (SAMS, "S. Patel lunch", ("Sam Patel", "lunch")),
    (SAMS, "S.Patel lunch", ("Sam Patel", "lunch")),
    (SAMS, "s lee: lunch", ("Sam Lee", "lunch")),
    (SAMS, "SAM PATEL, lunch", ("Sam Patel", "lunch")),
    (SAMS, "S lunch", ("ask", {"Sam Lee": "lunch", "Sam Patel": "lunch"})),
    # a surer match on an alumnus beats a looser one on the board, and the reverse
    (["Sam Lee (alumni)", "Samantha Park"], "Sam lunch", ("Sam Lee", "lunch")),
    (["Sam Lee", "Samantha Park (alumni)"], "Sam lunch", ("Sam Lee", "lunch")),
    (["Samantha Park (alumni)"], "Sam lunch", ("Samantha Park", "lunch")),
    (["Priya Shah (alumni)", "Pria Das"], "Priya lunch", ("Priya Shah", "lunch")),
    (["Priya Shah (alumni)", "Pria Das"], "Pria lunch", ("Pria Das", "lunch")),
    # near spellings are caught, on the leading words only, and asked about
    (
        ["Priya Sharma", "Grace Hopper"],
        "Pria told her about the offsite",
        ("guess", "Priya Sharma", "told her about the offsite"),
    ),
    (["Priya Sharma (alumni)"], "Pria hi", ("guess", "Priya Sharma", "hi")),
    (["Grace Hopper"], "Grase Hoper intro", ("guess", "Grace Hopper", "intro")),
    (["Grace Hopper"], "Garce intro", ("guess", "Grace Hopper", "intro")),
    (["Mark Otto"], "Mary lunch", ("guess", "Mark Otto", "lunch")),
    (["Ada Lovelace"], "a coffee with her", ("guess", "Ada Lovelace", "coffee with her")),
    # ... and a loose match never beats a sure one
    (["Ada", "Ada Lynch"], "Ada lunch today", ("Ada", "lunch today")),
    (["Ada Lynch"], "Ada lunch today", ("Ada Lynch", "lunch today")),
    (["Grace Hopper", "Grace Hooper"], "Grace Hopper hi", ("Grace Hopper", "hi")),
    # a name that is also a word in the note does not mislead
    (["Will Chen", "Mark Otto"], "Mark will send notes", ("Mark Otto", "will send notes")),
    (["Will Chen", "Mark Otto"], "Will mark the date", ("Will Chen", "mark the date")),
    (["Mark Williams"], "Mark will send notes", ("Mark Williams", "will send notes")),
    (
        ["Mark Otto", "Mark Williams"],
        "Mark will send notes",
        ("ask", {"Mark Williams": "send notes", "Mark Otto": "will send notes"}),
    ),
    (["Sam", "Sam Altman"], "Sam a quick coffee", ("Sam", "a quick coffee")),
    (["Sam", "Sam Altman"], "Sam Altman lunch", ("Sam Altman", "lunch")),
    (["April Jones", "Grace Hopper"], "Grace april plans", ("Grace Hopper", "april plans")),
    # accents and apostrophes, either way round
    (["José García"], "jose garcia coffee", ("José García", "coffee")),
    (["Jose Garcia"], "José García coffee", ("Jose Garcia", "coffee")),
    (
        ["José García", "Jose Ruiz"],
        "Jose coffee",
        ("ask", {"José García": "coffee", "Jose Ruiz": "coffee"}),
    ),
    (["Zoë Ångström", "Zoe Baker"], "zoe angstrom lunch", ("Zoë Ångström", "lunch")),
    (["Conan O'Brien"], "obrien hi", ("Conan O'Brien", "hi")),
    (["Conan O'Brien"], "O\u2019Brien hi", ("Conan O'Brien", "hi")),
    (["Jean-Luc Picard"], "Jean-Luc said hi", ("Jean-Luc Picard", "said hi")),
    (["Jean-Luc Picard"], "jeanluc picard said hi", ("Jean-Luc Picard", "said hi")),
    (
        ["Maria de la Cruz Fernández"],
        "Maria de la Cruz Fernandez asked",
        ("Maria de la Cruz Fernández", "asked"),
    ),
    # nobody
    (["Grace Hopper"], "Margaret lunch", NOBODY),
    (["Tom Hill"], "Bob said hi", NOBODY),
    ([], "Sam lunch", NOBODY),
    (SAMS, "— lunch", NOBODY),
]


@pytest.fixture
def member(session, clock):
    remember_member(session, team_id=TEAM, user_id=ALICE, tz="Europe/Paris", clock=clock)


def _board(session, clock, names: list[str]) -> None:
    for label in names:
        name = label.removesuffix(" (alumni)")
        advisor = board.enlist(
            session,
            team_id=TEAM,
            owner_id=ALICE,
            person=Person(name=name),
            details=Details(),
            last_spoke_on=clock.now().astimezone(PARIS).date(),
            zone=PARIS,
            clock=clock,
        )
        if label != name:
            board.ease_aside(
                session, team_id=TEAM, owner_id=ALICE, advisor_id=advisor.id, clock=clock
            )


def _outcome(readings):
    if not readings:
        return NOBODY
    if len(readings) > 1:
        return ("ask", {r.item.name: r.rest for r in readings})
    [only] = readings
    return ("guess", only.item.name, only.rest) if only.guess else (only.item.name, only.rest)


@pytest.mark.parametrize(("names", "typed", "expected"), TABLE)
def test_a_typed_name_means_that_person_or_the_bot_asks(
    session, clock, member, names, typed, expected
):
    _board(session, clock, names)

    readings = read_who(session, team_id=TEAM, owner_id=ALICE, text=typed)

    assert _outcome(readings) == expected
    if expected and expected[0] == "ask" and len(set(expected[1].values())) > 1:
        # the one of whom more was typed comes first
        assert [r.item.name for r in readings] == list(expected[1])


def test_alumni_of_another_member_are_never_read(session, clock, member):
    remember_member(session, team_id=TEAM, user_id="U0BOB", tz="UTC", clock=clock)
    board.enlist(
        session,
        team_id=TEAM,
        owner_id="U0BOB",
        person=Person(name="Sam Lee"),
        details=Details(),
        last_spoke_on=clock.now().date(),
        zone=PARIS,
        clock=clock,
    )
    _board(session, clock, ["Sam Patel"])

    readings = read_who(session, team_id=TEAM, owner_id=ALICE, text="Sam Lee lunch")

    assert _outcome(readings) == ("Sam Patel", "Lee lunch")


@pytest.mark.parametrize(
    ("typed", "name", "expected"),
    [
        ("Sam Lee", "Sam Lee", Sureness.EXACT),
        ("samlee", "Sam Lee", Sureness.EXACT),
        ("Sam", "Sam Lee", Sureness.WORDS),
        ("Lee", "Sam Lee", Sureness.WORDS),
        ("Lee Sam", "Sam Lee", None),  # the order of the words counts
        ("S. Lee", "Sam Lee", Sureness.PREFIX),
        ("Sa", "Sam Lee", Sureness.INITIALS),
        ("Sma", "Sam Lee", Sureness.CLOSE),  # two letters swapped
        ("Sma Lee", "Sam Lee", Sureness.CLOSE),
        ("Sam Lee Jr", "Sam Lee", None),
        ("Tom", "Tim Hill", None),  # three letters: a change is another name
        ("Jon", "John Hill", Sureness.CLOSE),  # ... a letter missing is a near spelling
        ("Christpher", "Christopher Lee", Sureness.CLOSE),
        ("Kristopher", "Christopher Lee", Sureness.CLOSE),  # long words allow two edits
        ("Kristofer", "Christopher Lee", None),
        ("", "Sam Lee", None),
        ("!!", "Sam Lee", None),
    ],
)
def test_how_surely_typed_words_mean_a_name(typed, name, expected):
    assert sureness(typed, name) == expected


def test_names_lose_accents_case_apostrophes_and_punctuation():
    assert normalize("  José  O\u2019Brien-SMITH, Jr. ") == "jose obrien smith jr"
    assert normalize("Zoë Ångström") == "zoe angstrom"


def test_the_leading_words_are_read_however_long_the_names():
    named = [("Maria de la Cruz Fernández", 1), ("Maria Lopez", 2)]

    [reading] = read_leading("maria de la cruz fernandez intro", named)
    assert (reading.item, reading.rest, reading.sureness) == (1, "intro", Sureness.EXACT)
    assert read_leading("maria", named)[0].sureness == Sureness.WORDS
