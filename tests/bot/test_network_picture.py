"""The picture of a board: a PNG of sensible size whatever the board (empty, one advisor,
thirty, long and non-Latin names), advisors on rings by closeness and in sectors by where they
come from, labels that overlap nothing, words for screen readers, and no pyplot anywhere."""

import re
import struct
import warnings
from math import atan2, degrees, hypot
from pathlib import Path

import pytest

from bot.views.network_picture import (
    ALT_LIMIT,
    CENTRE,
    HEIGHT,
    RADII,
    SUPPORT_KINDS,
    WIDTH,
    PictureAdvisor,
    alt_text,
    drawable,
    layout,
    render_network,
    short_name,
    support_kind,
    text_size,
)
from core.models import Origin, RelationshipKind, Support

BOT = Path(__file__).resolve().parents[2] / "bot"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

FIRST = ["Grace", "Ada", "Alan", "Katherine", "Margaret", "Linus", "Barbara", "Donald", "Edsger"]
LAST = ["Hopper", "Lovelace", "Turing", "Johnson", "Hamilton", "Torvalds", "Liskov", "Knuth"]
CLOSENESS = [4, 3, 2, 1, None]
ORIGINS = [*Origin, None]
SUPPORTS = [(), (Support.COACHING,), (Support.FRIENDSHIP,), (Support.SPONSORSHIP, Support.COUNSEL)]


def board(size: int) -> list[PictureAdvisor]:
    """A board of `size` advisors, every closeness, origin, support and seniority among them,
    with a few long and non-Latin names."""
    odd = [
        "Maximilian Alexander von Habsburg-Lothringen",
        "Владимир Набоков",
        "Σωκράτης Παπαδόπουλος",
    ]
    names = odd + [f"{FIRST[n % 9]} {LAST[n % 8]} {n}" for n in range(size)]
    return [
        PictureAdvisor(
            names[n],
            closeness=CLOSENESS[n % 5],
            origin=ORIGINS[n % 8],
            support=SUPPORTS[n % 4],
            relationship=list(RelationshipKind)[n % 5],
        )
        for n in range(size)
    ]


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, the first after the signature."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (kind, length) == (b"IHDR", 13)
    return struct.unpack(">II", png[16:24])


def assert_sensible_png(png: bytes) -> None:
    width, height = png_size(png)
    assert 600 <= width <= 1600 and 600 <= height <= 1600
    assert len(png) < 400_000
    assert png.endswith(b"IEND\xaeB`\x82")


def overlaps(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


# --- the PNG


@pytest.mark.parametrize("size", [0, 1, 7, 30])
def test_the_picture_is_a_png_of_sensible_size_for_any_board(size):
    png = render_network("Alice Martin", board(size))

    assert_sensible_png(png)
    assert png_size(png) == (WIDTH, HEIGHT)


def test_long_and_non_latin_names_are_drawn_without_a_missing_glyph():
    advisors = [
        PictureAdvisor("Maximilian Alexander von Habsburg-Lothringen", 4),
        PictureAdvisor("Владимир Набоков", 3, Origin.SCHOOL),
        PictureAdvisor("Σωκράτης Παπαδόπουλος", 2, Origin.FAMILY),
        PictureAdvisor("José Ñúñez-Çelik", 1, Origin.ONLINE),
        PictureAdvisor("שרה כהן", None, Origin.COMMUNITY),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_network("Zoë Ångström", advisors)

    assert_sensible_png(png)
    assert [str(w.message) for w in caught] == []
    names = {label.text for label in layout("Zoë Ångström", advisors, text_size).labels}
    assert {"Maximilian H.", "Владимир Набоков", "Σωκράτης Π."} <= names
    assert {"José Ñúñez-Çelik", "שרה כהן"} <= names


def test_a_name_no_installed_font_can_draw_is_labelled_by_its_place_not_with_empty_boxes():
    advisors = [PictureAdvisor("Grace Hopper", 4), PictureAdvisor("\U0001d518\U0001f600", 3)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_network("Alice", advisors)

    assert_sensible_png(png)
    assert [str(w.message) for w in caught] == []
    assert drawable("\U0001d518\U0001f600") is None
    names = {label.text for label in layout("Alice", advisors, text_size).labels}
    assert "Advisor 2" in names


# --- where things go


def test_an_empty_board_shows_the_member_and_says_where_advisors_will_appear():
    drawn = layout("Alice Martin", [], text_size)

    assert drawn.dots == [] and drawn.spokes == []
    assert drawn.title == "Alice Martin's board has no advisors yet"
    assert any("Advisors you enlist appear here" in label.text for label in drawn.labels)


def test_one_advisor_is_one_dot_with_its_name_beside_it_and_its_sector_named():
    drawn = layout("Alice", [PictureAdvisor("Grace Hopper", 3, Origin.EMPLOYER)], text_size)

    [dot] = drawn.dots
    texts = [label.text for label in drawn.labels]
    assert "Grace Hopper" in texts and "Current employer · 1" in texts
    assert drawn.title == "Alice's board: 1 advisor"
    assert hypot(dot.x - CENTRE[0], dot.y - CENTRE[1]) == pytest.approx(RADII[3])


def test_advisors_sit_on_rings_by_closeness_very_close_innermost_and_not_said_outermost():
    advisors = [PictureAdvisor(f"P{c}", c, Origin.SCHOOL) for c in (None, 1, 2, 3, 4)]
    drawn = layout("Alice", advisors, text_size)

    by_name = {
        adv.name: dot for adv, dot in zip(sorted_as_drawn(drawn, advisors), drawn.dots, strict=True)
    }
    distance = {n: hypot(d.x - CENTRE[0], d.y - CENTRE[1]) for n, d in by_name.items()}
    assert distance["P4"] < distance["P3"] < distance["P2"] < distance["P1"] < distance["PNone"]


def sorted_as_drawn(drawn, advisors):
    """The advisors in the order their dots are drawn (sector by sector)."""
    from bot.views.network_picture import sectors

    return [advisor for _, members in sectors(advisors) for advisor in members]


def test_advisors_are_grouped_by_where_they_come_from_with_not_said_its_own_sector_last():
    advisors = [
        PictureAdvisor("A", 2, Origin.FAMILY),
        PictureAdvisor("B", 2, None),
        PictureAdvisor("C", 2, Origin.EMPLOYER),
        PictureAdvisor("D", 2, "guessed"),  # not an Origin: counted as not said
        PictureAdvisor("E", 2, Origin.FAMILY),
    ]
    drawn = layout("Alice", advisors, text_size)

    order = [a.name for a in sorted_as_drawn(drawn, advisors)]
    assert order == ["C", "A", "E", "B", "D"]
    sectors_named = [lb.text for lb in drawn.labels if "·" in lb.text]
    assert sectors_named == ["Current employer · 1", "Family · 2", "Where from: not said · 2"]
    assert len(drawn.spokes) == 3
    clockwise = [(90 - degrees(atan2(d.y - CENTRE[1], d.x - CENTRE[0]))) % 360 for d in drawn.dots]
    assert clockwise == sorted(clockwise), "clockwise from the top, sector after sector"


@pytest.mark.parametrize(
    ("support", "kind"),
    [
        ((), "none"),
        ((Support.SPONSORSHIP, Support.STRETCH), "career"),
        ((Support.PROTECTION,), "career"),
        ((Support.INTRODUCTIONS,), "career"),
        ((Support.ACCEPTANCE, Support.ROLE_MODEL), "personal"),
        ((Support.COACHING, Support.FRIENDSHIP), "both"),
        (("retired_value",), "none"),
    ],
)
def test_an_advisor_is_coloured_by_the_support_they_give(support, kind):
    assert support_kind(support) == kind
    [dot] = layout("Alice", [PictureAdvisor("Grace", 4, support=support)], text_size).dots
    assert dot.colour == SUPPORT_KINDS[kind][0]


def test_thirty_advisors_names_overlap_no_other_name_no_dot_and_stay_on_the_canvas():
    drawn = layout("Alice Martin", board(30), text_size)

    boxes = [label.box for label in drawn.labels]
    for i, box in enumerate(boxes):
        assert box[0] >= 0 and box[2] <= WIDTH and box[3] <= HEIGHT, drawn.labels[i].text
        for other in boxes[i + 1 :]:
            assert not overlaps(box, other), (drawn.labels[i].text, other)
        for dot in drawn.dots:
            assert not overlaps(box, (dot.x - 7, dot.y - 7, dot.x + 7, dot.y + 7))
    names = [label.text for label in drawn.labels if label.size == 8.0]
    assert len(names) == 30 and all(len(name) <= 18 for name in names)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Grace Hopper", "Grace Hopper"),
        ("  Grace   Hopper ", "Grace Hopper"),
        ("Maximilian Alexander von Habsburg-Lothringen", "Maximilian H."),
        ("Bartholomew-Maximilian Featherstonehaugh", "Bartholomew-Maxim…"),
        ("Wolfeschlegelsteinhausenbergerdorff", "Wolfeschlegelstei…"),
    ],
)
def test_long_names_are_shortened_to_fit_beside_their_dot(name, shown):
    assert short_name(name) == shown


# --- words for screen readers


def test_the_alt_text_says_who_is_where_and_what_they_give_in_one_paragraph():
    advisors = [
        PictureAdvisor("Grace Hopper", 4, Origin.EMPLOYER, (Support.SPONSORSHIP,)),
        PictureAdvisor("Ada Lovelace", 2, None, (Support.FRIENDSHIP,)),
        PictureAdvisor("Alan Turing", None, Origin.SCHOOL, ()),
    ]

    text = alt_text("Alice Martin", advisors)

    assert text.startswith("A picture of Alice Martin's board: Alice Martin at the centre")
    assert "Very close: Grace Hopper." in text and "Closeness not said: Alan Turing." in text
    assert "current employer 1, school 1, not said for 1" in text
    assert "career support from Grace Hopper; personal support from Ada Lovelace" in text
    assert "\n" not in text


def test_the_alt_text_of_an_empty_board_says_so():
    assert (
        alt_text("Alice", [])
        == "A picture of Alice's board: no advisors yet, only Alice at the centre."
    )


def test_a_picture_drawn_for_the_member_themself_says_your_board():
    advisors = [PictureAdvisor("Grace Hopper", 4)]

    assert layout("You", advisors, text_size).title == "Your board: 1 advisor"
    assert layout("You", [], text_size).title == "Your board has no advisors yet"
    assert alt_text("You", advisors).startswith("A picture of your board: you at the centre")
    assert (
        alt_text("You", []) == "A picture of your board: no advisors yet, only you at the centre."
    )


def test_the_alt_text_of_a_big_board_stays_within_slacks_limit_and_keeps_the_counts():
    advisors = [
        PictureAdvisor(f"Someone With A Rather Long Name Number {n}", n % 4 + 1) for n in range(30)
    ]

    text = alt_text("Alice", advisors)

    assert len(text) <= ALT_LIMIT
    assert "30 advisors" in text and "Where they come from: not said for 30." in text


# --- no global state


def test_nothing_in_the_bot_uses_pyplot():
    found = [
        f"{path.relative_to(BOT.parent)}:{n}"
        for path in BOT.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.match(r"\s*(import|from)\s.*\b(pyplot|pylab)\b", line)
    ]
    assert found == []
