"""The review end to end, over HTTP against the fake Slack: `/advisor review` answers with the
review as text at once and uploads the picture of the network to the DM through the outbox
(files_upload_v2: a valid PNG of sensible size); an empty board says what it needs; an upload
that fails still delivers the text; Home's Review section and its button; a member's review
reads their board only; the give-and-take line in a stay-in-touch nudge."""

import logging
import struct
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.ids import OPEN_REVIEW
from core import goals, reviewing
from core.models import GivenBy, Goal, Touchpoint
from tests.e2e.helpers import BOB, home_text
from tests.e2e.nudging import text_of
from tests.payloads import ALICE, block_action

PNG = b"\x89PNG\r\n\x1a\n"


def seven_advisors(nudging):
    """A sample board: seven advisors from four places, of every closeness, two goals."""
    nudging.member(ALICE)
    board = [
        ("Grace Hopper", "senior", False, ("sponsorship", "coaching"), "former_employer", 4),
        ("Priya Sharma", "peer", True, ("counsel", "friendship"), "employer", 3),
        ("Sam Lee", "peer", True, ("exposure",), "employer", 2),
        ("Maya Chen", "senior", True, ("stretch", "role_model"), "employer", 3),
        ("Omar Haddad", "junior", True, ("friendship",), "employer", 1),
        ("Lena Fischer", "peer", False, ("introductions",), "association", 2),
        ("Tom Okafor", "family_friend", False, ("acceptance", "counsel"), "family", 4),
    ]
    made = []
    for name, relationship, inside, support, origin, closeness in board:
        made.append(
            nudging.advisor(
                name,
                last_spoke_on=date(2026, 11, 1),
                relationship=relationship,
                inside_org=inside,
                support=support,
                origin=origin,
                closeness=closeness,
                gains="how product teams think about pricing",
            )
        )
    with Session(nudging.engine) as session:
        goals.save_goals(
            session,
            team_id="T0TEST",
            owner_id=ALICE,
            written={"two_years": "Lead a product area\nSpeak at a conference", "gap": "Finance"},
            clock=nudging.clock,
        )
        session.commit()
    return made


def png_size(content: bytes) -> tuple[int, int]:
    assert content.startswith(PNG)
    return struct.unpack(">II", content[16:24])


def review_command(bot, fake_slack, user=ALICE):
    answer = bot.slack.command("review", response_url=fake_slack.response_url(), user=user)
    bot.settle()
    return answer


def test_the_review_answers_at_once_and_uploads_the_picture_to_the_dm(
    bot, nudging, fake_slack, clock
):
    seven_advisors(nudging)

    answer = review_command(bot, fake_slack)

    said = text_of(answer.json())
    assert "*Size:* 7 advisors" in said
    assert "Next steps" in said
    assert "Goals no advisor helps with" in said  # none linked yet
    [upload] = fake_slack.uploads()
    assert upload["channel"] == "D0ALICE"
    width, height = png_size(upload["content"])
    assert 600 <= width <= 1600 and 600 <= height <= 1600
    assert 10_000 < len(upload["content"]) < 400_000
    assert "Grace Hopper" in upload["alt_txt"]
    assert upload["title"] == "Your network on Mon, Nov 23"


def test_an_empty_board_is_told_what_the_review_needs_and_no_picture_is_made(
    bot, nudging, fake_slack
):
    nudging.member(ALICE)

    answer = review_command(bot, fake_slack)

    said = text_of(answer.json())
    assert "Enlist" in said or "enlist" in said
    assert "nan" not in said and "%" not in said
    assert fake_slack.uploads() == []


def test_one_advisor_is_reviewed_without_dividing_by_zero(bot, nudging, fake_slack):
    nudging.member(ALICE)
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 11, 1))

    answer = review_command(bot, fake_slack)

    assert answer.status == 200
    assert "Your network, reviewed" in answer.json()["text"]


@pytest.mark.parametrize("step", ["files.getUploadURLExternal", "files.completeUploadExternal"])
def test_an_upload_that_fails_still_delivers_the_review_as_text_and_logs_why(
    bot, nudging, fake_slack, caplog, step
):
    seven_advisors(nudging)
    fake_slack.fail(step, "file_uploads_disabled")

    with caplog.at_level(logging.WARNING):
        review_command(bot, fake_slack)

    [text] = [m for m in fake_slack.posted("D0ALICE") if "reviewed" in m["text"]]
    assert "could not be uploaded" in text_of(text)
    assert any("could not be uploaded" in r.getMessage() for r in caplog.records)


def test_home_shows_the_review_and_its_button_sends_text_and_picture_to_the_dm(
    bot, nudging, fake_slack
):
    seven_advisors(nudging)
    bot.slack.event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    bot.settle()

    home = home_text(fake_slack)
    assert '"Review"' in home and OPEN_REVIEW in home
    bot.slack.interact(block_action(OPEN_REVIEW))
    bot.settle()

    assert any("reviewed" in m["text"] for m in fake_slack.posted("D0ALICE"))
    assert len(fake_slack.uploads()) == 1


def test_a_review_reads_the_members_own_board_only(bot, nudging, fake_slack):
    seven_advisors(nudging)
    nudging.member(BOB)
    nudging.advisor("Someone Else", last_spoke_on=date(2026, 11, 1), owner=BOB)

    answer = review_command(bot, fake_slack, user=BOB)

    said = text_of(answer.json())
    assert "Grace Hopper" not in said and "One advisor so far" in said
    with Session(nudging.engine) as session:
        assert session.exec(select(Goal).where(Goal.owner_id == BOB)).all() == []


def test_a_stay_in_touch_nudge_suggests_giving_back_after_only_receiving(
    nudging, fake_slack, clock
):
    nudging.member(ALICE, nudge_days="0123456", nudge_start=0, nudge_end=24 * 60)
    grace = nudging.advisor(
        "Grace Hopper", last_spoke_on=date(2026, 9, 1), cadence=30, gains="my notes on pricing"
    )
    with Session(nudging.engine) as session:
        for days in (80, 70, 60):  # the last three touchpoints: she gave each time
            session.add(
                Touchpoint(
                    team_id="T0TEST",
                    owner_id=ALICE,
                    advisor_id=grace.id,
                    at=clock.now() - timedelta(days=days),
                    given_by=GivenBy.THEM,
                    created_at=clock.now(),
                )
            )
        session.commit()

    nudging.every_hour_until(datetime(2026, 11, 24, 12, tzinfo=UTC))

    [nudge] = nudging.dms()
    assert (
        "They've given the last few times: offer something back. What they gain from you: "
        "“my notes on pricing”."
    ) in text_of(nudge)


def test_the_review_rows_are_keyed_by_the_moment_asked_so_a_second_asking_is_its_own(
    bot, nudging, fake_slack, clock
):
    seven_advisors(nudging)
    review_command(bot, fake_slack)
    clock.advance(minutes=1)
    review_command(bot, fake_slack)

    assert len(fake_slack.uploads()) == 2
    with Session(nudging.engine) as session:
        assert (
            reviewing.review_of(
                session, team_id="T0TEST", owner_id=ALICE, now=clock.now()
            ).size.active
            == 7
        )


def test_a_workspace_without_files_write_gets_the_review_as_text_at_once(
    bot, nudging, fake_slack, caplog
):
    seven_advisors(nudging)
    fake_slack.fail("files.getUploadURLExternal", "missing_scope")

    review_command(bot, fake_slack)

    [text] = [m for m in fake_slack.posted("D0ALICE") if "reviewed" in m["text"]]
    assert "could not be uploaded" in text_of(text)
    assert any("files:write" in r.getMessage() for r in caplog.records)


def test_from_home_a_failed_picture_adds_a_line_not_the_review_twice(bot, nudging, fake_slack):
    seven_advisors(nudging)
    fake_slack.fail("files.completeUploadExternal", "file_uploads_disabled")

    bot.slack.interact(block_action(OPEN_REVIEW))
    bot.settle()

    said = [m["text"] for m in fake_slack.posted("D0ALICE")]
    assert len([t for t in said if "reviewed" in t]) == 1
    assert "The picture of your network could not be uploaded this time." in said
