"""The history modal and the pages of long lists, as Block Kit data: valid, within Slack's
limits (100 blocks, 3000 characters a text), every item reachable a page at a time."""

import json
from datetime import timedelta

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.ids import DELETE_TOUCHPOINT, HISTORY, HISTORY_NEWEST, HISTORY_OLDER, LIST_MORE
from bot.views.board import LIST_PAGE, Entry, build_board_message, build_home
from bot.views.history import build_history_modal
from bot.views.promises import PROMISES_PAGE, build_promises_message
from core.history import Cursor, Page
from core.history import Entry as Line
from core.models import PromiseEvent, Touchpoint
from core.promises import Keeping
from tests.bot.test_board_views import NOW, PARIS, an_advisor
from tests.bot.test_promise_views import a_promise


def a_touchpoint(n: int, *, days_ago: float = 1, **fields) -> Touchpoint:
    values = {
        "id": n,
        "team_id": "T0TEST",
        "owner_id": "U0ALICE",
        "advisor_id": 1,
        "at": NOW - timedelta(days=days_ago),
        "created_at": NOW,
    } | fields
    return Touchpoint(**values)


def a_change(n: int, change: str, *, days_ago: float = 0, **fields) -> PromiseEvent:
    return PromiseEvent(
        id=n, promise_id=1, at=NOW - timedelta(days=days_ago), change=change, **fields
    )


def texts(view: dict) -> list[str]:
    """Every mrkdwn or plain text in the blocks."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(view["blocks"])
    return found


def valid(view: dict) -> bool:
    View(**view).validate_json()
    return View(**view).to_dict() == view and len(view["blocks"]) <= 100


def elements(view: dict, action_id: str) -> list[dict]:
    found = [b.get("accessory") for b in view["blocks"]] + [
        e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    return [e for e in found if e and e.get("action_id") == action_id]


# --- the history modal


def test_a_history_shows_touchpoints_with_delete_and_promises_with_their_changes():
    grace = an_advisor(1, name="Grace & <Co>", last_spoke_at=NOW - timedelta(days=40))
    coffee = a_touchpoint(7, how="coffee", exchanged=["advice"], given_by="me", note="Reorg\ntalk")
    deck = a_promise(1, what="Send the deck", created_at=NOW - timedelta(days=3))
    changes = (
        a_change(1, "made", days_ago=3),
        a_change(2, "update", days_ago=2, text="Draft done", sent_to_advisor=True),
        a_change(3, "renegotiated", days_ago=1, old_due_on=deck.due_on, new_due_on=deck.due_on),
    )
    shown = Page(
        grace,
        (Line(coffee.at, touchpoint=coffee), Line(deck.created_at, promise=deck, changes=changes)),
        older=None,
        first=True,
    )

    modal = build_history_modal(shown, now=NOW, zone=PARIS)

    assert valid(modal)
    text = "\n".join(texts(modal))
    assert "*Grace &amp; &lt;Co&gt;*" in text
    assert "Touchpoint · coffee or a meal · advice · you gave\n>Reorg\n>talk" in text
    assert "Promised “Send the deck” (I promise) · *open*, due Fri, Nov 27" in text
    assert "update (sent to them): “Draft done”" in text and "date moved from" in text
    assert "That's everything since you added Grace &amp; &lt;Co&gt; on Mon, Nov 23" in text
    [delete] = elements(modal, DELETE_TOUCHPOINT)
    assert delete["value"] == "7" and delete["confirm"]["style"] == "danger"
    assert json.loads(modal["private_metadata"]) == {"advisor": 1, "from": ""}
    assert not elements(modal, HISTORY_OLDER) and not elements(modal, HISTORY_NEWEST)


def test_a_middle_page_offers_older_and_newest_and_remembers_where_it_starts():
    grace = an_advisor(1)
    lines = tuple(
        Line(t.at, touchpoint=t) for t in (a_touchpoint(n, days_ago=n) for n in range(20))
    )
    started = Cursor(NOW, "t", 99)
    shown = Page(grace, lines, older=lines[-1].cursor, first=False)

    modal = build_history_modal(shown, now=NOW, zone=PARIS, started_at=started, note="Deleted.")

    assert valid(modal)
    [older] = elements(modal, HISTORY_OLDER)
    assert older["value"] == f"1:{lines[-1].cursor.dump()}"
    assert elements(modal, HISTORY_NEWEST)[0]["value"] == "1"
    assert json.loads(modal["private_metadata"])["from"] == started.dump()
    assert "Deleted." in texts(modal) and "That's everything" not in " ".join(texts(modal))


def test_an_advisor_with_no_history_yet_says_how_to_start_one():
    modal = build_history_modal(Page(an_advisor(1), (), None, True), now=NOW, zone=PARIS)

    assert valid(modal)
    assert any("No touchpoints or promises with Advisor 1 yet" in t for t in texts(modal))


def test_an_alumnus_history_says_so_and_has_no_due_date():
    alumnus = an_advisor(1, status="alumni", next_touch_due_at=None)

    modal = build_history_modal(Page(alumnus, (), None, True), now=NOW, zone=PARIS)

    assert "among your alumni" in texts(modal)[0] and "stay in touch" not in texts(modal)[0]


def test_a_full_page_of_the_longest_entries_stays_within_slacks_limits():
    grace = an_advisor(1, name="N" * 150)
    long_note = "&<>*" * 750  # 3000 characters, each escaped to several
    updates = tuple(a_change(n, "update", days_ago=n / 100, text="&" * 3000) for n in range(200))
    lines = []
    for n in range(10):
        touchpoint = a_touchpoint(n, note=long_note, message_link="https://x.slack.com/p1")
        lines.append(Line(touchpoint.at, touchpoint=touchpoint))
        promise = a_promise(n, what="&" * 500)
        lines.append(Line(promise.created_at, promise=promise, changes=updates))
    shown = Page(grace, tuple(lines), older=lines[-1].cursor, first=False)

    modal = build_history_modal(shown, now=NOW, zone=PARIS, note="x" * 500)

    assert valid(modal)
    assert all(len(t) <= 3000 for t in texts(modal))
    promise_text = next(t for t in texts(modal) if "Promised" in t)
    assert "earlier changes_" in promise_text  # the newest are kept, the rest counted


# --- History from the board


def test_every_advisor_on_home_has_history_as_a_button_or_in_its_menu():
    few = build_home([Entry(an_advisor(n)) for n in range(3)], [], now=NOW, zone=PARIS)
    many = build_home([Entry(an_advisor(n)) for n in range(60)], [], now=NOW, zone=PARIS)

    assert [b["value"] for b in elements(few, HISTORY)] == ["0", "1", "2"]
    menus = [b["accessory"] for b in many["blocks"] if b.get("accessory", {}).get("options")]
    assert menus and all(f"{HISTORY}:" in json.dumps(m) for m in menus)
    assert all(len(m["options"]) <= 5 for m in menus)


# --- pages of /advisor list and /advisor promises


def pages_of(build, total: int) -> list[dict]:
    """Every page, following "Show more" from the first."""
    offset, pages = 0, []
    while True:
        page = build(offset)
        pages.append(page)
        more = [e for b in page["blocks"] if b.get("block_id") == "pages" for e in b["elements"]]
        nexts = [e for e in more if e["text"]["text"].startswith("Show more")]
        if not nexts:
            return pages
        offset = int(nexts[0]["value"].rpartition(":")[2])
        assert len(pages) <= total


@pytest.mark.parametrize("alumni", [False, True])
@pytest.mark.parametrize("count", [1, LIST_PAGE, LIST_PAGE + 1, 64])
def test_following_show_more_lists_every_advisor_once_within_50_blocks(alumni, count):
    status = {"status": "alumni", "next_touch_due_at": None} if alumni else {}
    rows = [Entry(an_advisor(n, name=f"Person {n}", **status)) for n in range(count)]

    def build(offset):
        return build_board_message(rows, now=NOW, zone=PARIS, alumni=alumni, offset=offset)

    pages = pages_of(build, count)

    listed = [e["value"] for p in pages for e in elements(p, HISTORY)]
    assert listed == [str(n) for n in range(count)]
    assert len(pages) == -(-count // LIST_PAGE)
    for page in pages:
        assert len(page["blocks"]) <= 50
        for block in page["blocks"]:
            assert Block.parse(block).to_dict() == block
    if count > LIST_PAGE:
        assert elements(pages[0], LIST_MORE)[0]["value"] == f"{'alumni' if alumni else 'active'}:20"
        assert "Back to the top" in json.dumps(pages[-1])


def test_a_page_asked_for_past_the_end_shows_the_last_one():
    rows = [Entry(an_advisor(n)) for n in range(25)]

    page = build_board_message(rows, now=NOW, zone=PARIS, alumni=False, offset=500)

    assert [e["value"] for e in elements(page, HISTORY)] == [str(n) for n in range(20, 25)]


@pytest.mark.parametrize("count", [0, 3, PROMISES_PAGE, 30, 95])
def test_following_show_more_lists_every_open_promise_once(count):
    items = [(a_promise(n, what=f"Promise {n}"), an_advisor(1)) for n in range(count)]

    def build(offset):
        return build_promises_message(items, now=NOW, zone=PARIS, overall=Keeping(), offset=offset)

    pages = pages_of(build, count)

    shown = [t for p in pages for t in texts(p) if t.startswith("To ")]
    assert shown == [
        f"To *Advisor 1*: “Promise {n}” · due Fri, Nov 27 · I promise" for n in range(count)
    ]
    for page in pages:
        assert len(page["blocks"]) <= 50
        assert "more." not in json.dumps(page)
