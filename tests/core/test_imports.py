"""Imports in core, on the database: what was read is kept until the member confirms, rows
already on their board set aside; saving enlists advisors the way `/advisor add` does, a chunk
per transaction, and never adds anyone twice (a second confirmation, a stale saver, a crash
half-way and a resume, a re-import); everything is scoped to the member; an export of a board,
forgotten and imported, is the same board again."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from core import board, imports
from core.board import Details, Person
from core.clock import StoppedClock
from core.errors import Invalid, NotYours
from core.export import export_member
from core.forget import forget_member
from core.import_reading import read_csv, read_export
from core.members import remember_member
from core.models import (
    Advisor,
    AdvisorStatus,
    BoardImport,
    ImportState,
    Outbox,
    Touchpoint,
    Wakeup,
)
from tests.core.member_rows import MINE, TEAM, seed_everything

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
ALICE, BOB = "U0ALICE", "U0BOB"
ALICES = {"team_id": TEAM, "owner_id": ALICE}
HEADER = "name,slack_user,email,relationship,inside_outside,cadence_days,last_contact\n"


@pytest.fixture
def members(session):
    for user in (ALICE, BOB):
        remember_member(session, team_id=TEAM, user_id=user, tz="Europe/Paris", clock=clock_at())
    session.commit()


@contextmanager
def fresh(session: Session):
    """A transaction of its own (what the test read before is committed first)."""
    session.commit()
    with session.begin():
        yield


def clock_at(moment: datetime = NOW) -> StoppedClock:
    return StoppedClock(moment)


def sessions_of(session: Session):
    """A session factory on the test's database (each save opens its own transactions)."""
    engine = session.get_bind()
    return lambda: Session(engine, expire_on_commit=False)


def pending(session, text: str, *, owner=ALICE, key="k1", source=imports.FILE, now=NOW) -> int:
    """An import read and checked, waiting to be confirmed."""
    import_id = imports.begin(
        session,
        team_id=TEAM,
        owner_id=owner,
        source=source,
        source_key=key,
        filename="advisors.csv",
        now=now,
    )
    reading = read_csv(text, owner_id=owner, zone=PARIS, now=now)
    imports.checked(
        session, team_id=TEAM, owner_id=owner, import_id=import_id, reading=reading, now=now
    )
    session.commit()
    return import_id


def save(session, import_id: int, *, owner=ALICE, now=NOW, process="p1", report=True):
    return imports.save(
        sessions_of(session),
        team_id=TEAM,
        owner_id=owner,
        import_id=import_id,
        process=process,
        clock=clock_at(now),
        report=report,
    )


def board_of(session, owner=ALICE) -> list[Advisor]:
    session.expire_all()
    query = select(Advisor).where(Advisor.team_id == TEAM, Advisor.owner_id == owner)
    return list(session.exec(query.order_by(Advisor.id)))


def stored(session, import_id: int) -> BoardImport:
    session.expire_all()
    return session.get(BoardImport, import_id)


def enlist(session, name: str, slack_user: str | None = None, **person) -> Advisor:
    advisor = board.enlist(
        session,
        **ALICES,
        person=Person(name=name, slack_user_id=slack_user, **person),
        details=Details(),
        last_spoke_on=date(2026, 11, 1),
        zone=PARIS,
        clock=clock_at(),
    )
    session.commit()
    return advisor


def test_nothing_is_saved_before_the_member_confirms(session, members):
    import_id = pending(session, HEADER + "Grace Hopper,U0GRACE,,senior,inside,14,2026-11-01\n")

    assert board_of(session) == []
    assert stored(session, import_id).state == ImportState.READY


def test_a_saved_row_is_enlisted_as_the_add_form_would(session, members):
    import_id = pending(session, HEADER + "Grace Hopper,U0GRACE,,senior,outside,14,2026-11-01\n")

    saved = save(session, import_id)

    [grace] = board_of(session)
    added = board.enlist(
        session,
        team_id=TEAM,
        owner_id=BOB,
        person=Person(name="Grace Hopper", slack_user_id="U0GRACE"),
        details=Details(relationship="senior", inside_org=False, cadence_days=14),
        last_spoke_on=date(2026, 11, 1),
        zone=PARIS,
        clock=clock_at(),
    )
    fields = (
        "name",
        "slack_user_id",
        "relationship",
        "inside_org",
        "cadence_days",
        "status",
        "last_touch_at",
        "last_spoke_at",
        "next_touch_due_at",
        "nudge_at",
    )
    assert {f: getattr(grace, f) for f in fields} == {f: getattr(added, f) for f in fields}
    assert (saved.state, saved.added) == (ImportState.DONE, 1)
    assert session.exec(select(Wakeup).where(Wakeup.owner_id == ALICE)).first() is not None


def test_an_empty_cadence_is_the_usual_rhythm_and_an_empty_date_today(session, members):
    import_id = pending(session, "name,relationship\nGrace,senior\nPat,peer\n")

    save(session, import_id)

    grace, pat = board_of(session)
    assert (grace.cadence_days, pat.cadence_days) == (30, 21)
    assert grace.last_touch_at == NOW and grace.next_touch_due_at == NOW + timedelta(days=30)


@pytest.mark.parametrize(
    "on_board, line, why",
    [
        (("Grace Hopper", "U0GRACE"), "Dr Grace,U0GRACE,,,,,", "already on your board"),
        (("Sam Lee", None), "sam lee,,,,,,", "already on your board"),
        (("Sam Lee", None, "sam@example.com"), "Samuel,,SAM@example.com,,,,", "already on"),
        (("Grace Hopper", "U0GRACE"), "Grace Hopper,,,,,,", "already on your board"),
    ],
)
def test_rows_naming_someone_on_the_board_are_set_aside(session, members, on_board, line, why):
    name, slack_user, *contact = on_board
    enlist(session, name, slack_user, contact=contact[0] if contact else None)

    found = stored(session, pending(session, HEADER + line + "\nNew Person,,,,,,\n"))

    assert [row["name"] for row in found.rows] == ["New Person"]
    [aside] = found.skipped
    assert aside["row"] == 2 and aside["why"].startswith(why) and aside["as"] == name


def test_alumni_are_set_aside_too(session, members):
    sam = enlist(session, "Sam Lee")
    board.ease_aside(session, **ALICES, advisor_id=sam.id, clock=clock_at())
    session.commit()

    found = stored(session, pending(session, "name\nSam Lee\n"))

    assert found.rows == [] and found.skipped[0]["why"] == "already among your alumni"


def test_a_second_confirmation_adds_nothing(session, members):
    import_id = pending(session, "name\nGrace\nSam\n")

    first, second = save(session, import_id), save(session, import_id)

    assert first.added == 2 and second is None
    assert len(board_of(session)) == 2


def test_a_re_import_of_the_same_file_adds_nothing(session, members):
    text = HEADER + "Grace,U0GRACE,,senior,,,\nSam,,sam@example.com,peer,,,\nPat Doe,,,,,,\n"
    save(session, pending(session, text, key="first"))

    again = pending(session, text, key="second")

    assert stored(session, again).rows == []
    assert len(stored(session, again).skipped) == 3
    assert len(board_of(session)) == 3


def test_rows_are_saved_a_chunk_per_transaction_and_a_crash_half_way_resumes_without_doubles(
    session, members, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK", 2)
    import_id = pending(session, "name\n" + "".join(f"Person {n}\n" for n in range(5)))
    work = _claimed(session, import_id, "crashing")
    with fresh(session):  # the first chunk is saved, then the process dies
        imports.save_chunk(session, work, start=0, process="crashing", now=NOW, report=True)

    assert len(board_of(session)) == 2 and stored(session, import_id).applied == 2
    assert save(session, import_id, now=NOW + timedelta(minutes=1)) is None  # its lease holds
    later = NOW + imports.LEASE + timedelta(seconds=1)
    with fresh(session):
        assert imports.stalled(session, now=later) == [(TEAM, ALICE, import_id)]

    resumed = save(session, import_id, now=later, process="resuming")

    assert resumed.state == ImportState.DONE and resumed.added == 5
    assert sorted(a.name for a in board_of(session)) == [f"Person {n}" for n in range(5)]


def _claimed(session, import_id: int, process: str, now=NOW) -> imports.Saving:
    with fresh(session):
        assert imports.claim(session, **ALICES, import_id=import_id, process=process, now=now) == 0
        work = imports.saving(session, **ALICES, import_id=import_id)
    return work


def test_a_saver_whose_import_was_taken_over_saves_nothing_more(session, members, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 2)
    import_id = pending(session, "name\n" + "".join(f"Person {n}\n" for n in range(4)))
    slow = _claimed(session, import_id, "slow")
    later = NOW + imports.LEASE + timedelta(seconds=1)
    taken_over = save(session, import_id, now=later, process="fast")

    with fresh(session):
        chunk = imports.save_chunk(session, slow, start=0, process="slow", now=later, report=True)

    assert chunk.lost and taken_over.added == 4
    assert len(board_of(session)) == 4


def test_someone_added_meanwhile_is_not_added_again(session, members):
    import_id = pending(session, HEADER + "Grace,U0GRACE,,,,,\nSam,,,,,,\n")
    enlist(session, "Grace Hopper", "U0GRACE")  # /advisor add, between preview and confirm

    saved = save(session, import_id)

    assert saved.added == 1 and stored(session, import_id).already == 1
    assert sorted(a.name for a in board_of(session)) == ["Grace Hopper", "Sam"]


def test_the_report_says_what_was_added_and_why_other_rows_were_not(session, members):
    enlist(session, "Grace Hopper", "U0GRACE")
    text = HEADER + "Grace,U0GRACE,,,,,\nSam,,,boss,,,\nPat,,,wizard,,,\nSam,,,,,,\nLee,,,,,,\n"
    import_id = pending(session, text)

    saved = save(session, import_id)

    report = session.get(Outbox, saved.report)
    assert (report.purpose, report.owner_id, report.target_user) == (imports.REPORT, ALICE, ALICE)
    assert report.payload == {
        "import": import_id,
        "added": 2,
        "problems": 1,
        "problem_rows": ["Row 4"],
        "already": 1,
        "repeats": 1,
        "kind": "csv",
        "filename": "advisors.csv",
    }


def test_a_pasted_import_posts_no_preview_and_no_report(session, members):
    import_id = pending(session, "name\nGrace\n", source=imports.PASTE)

    saved = save(session, import_id, report=False)

    assert saved.report is None
    assert session.exec(select(Outbox).where(Outbox.owner_id == ALICE)).all() == []


def test_an_uploaded_import_enqueues_its_preview_and_the_full_list_when_it_is_long(
    session, members
):
    lines = "".join(f"Person {n},,,wizard,,,\n" for n in range(imports.SHOWN_PROBLEMS + 1))
    import_id = pending(session, HEADER + lines)

    rows = session.exec(select(Outbox).where(Outbox.owner_id == ALICE)).all()

    assert sorted(row.purpose for row in rows) == sorted([imports.PROBLEMS, imports.PREVIEW])
    assert {row.key for row in rows} == {f"{ALICE}:{import_id}"}


@pytest.mark.parametrize(
    "act",
    [
        lambda s, i: imports.get(s, team_id=TEAM, owner_id=BOB, import_id=i),
        lambda s, i: imports.get(s, team_id="T0OTHER", owner_id=ALICE, import_id=i),
    ],
)
def test_another_members_import_is_not_theirs_to_see(session, members, act):
    import_id = pending(session, "name\nGrace\n")

    with pytest.raises(NotYours):
        act(session, import_id)


def test_another_members_import_is_not_theirs_to_save_or_cancel(session, members):
    import_id = pending(session, "name\nGrace\n")

    assert save(session, import_id, owner=BOB) is None
    with fresh(session):
        assert not imports.cancel(session, team_id=TEAM, owner_id=BOB, import_id=import_id, now=NOW)

    assert board_of(session) == [] and board_of(session, BOB) == []
    assert stored(session, import_id).state == ImportState.READY


def test_a_cancelled_import_cannot_be_saved(session, members):
    import_id = pending(session, "name\nGrace\n")
    with fresh(session):
        assert imports.cancel(session, **ALICES, import_id=import_id, now=NOW)

    assert save(session, import_id) is None and board_of(session) == []


def test_the_same_file_is_read_once(session, members):
    first = imports.begin(
        session, **ALICES, source=imports.FILE, source_key="F1", filename="a.csv", now=NOW
    )
    again = imports.begin(
        session, **ALICES, source=imports.FILE, source_key="F1", filename="a.csv", now=NOW
    )

    assert first is not None and again is None


def test_imports_are_discarded_a_day_after_they_were_read_unless_half_saved(session, members):
    old = pending(session, "name\nGrace\n", key="old")
    half = pending(session, "name\nSam\n", key="half")
    new = pending(session, "name\nPat\n", key="new", now=NOW + timedelta(hours=20))
    with fresh(session):
        imports.claim(session, **ALICES, import_id=half, process="p", now=NOW)

    with fresh(session):
        gone = imports.discard_old(session, now=NOW + imports.KEPT + timedelta(minutes=1))

    assert gone == 1
    assert stored(session, old) is None
    assert stored(session, half) is not None and stored(session, new) is not None


def test_an_export_forgotten_then_imported_is_the_same_board(session):
    seed_everything(session)
    session.commit()
    before = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    remember_member(session, team_id=TEAM, user_id=MINE, tz="Europe/Paris", clock=clock_at())
    session.commit()
    assert export_member(session, team_id=TEAM, user_id=MINE, now=NOW)["advisors"] == []

    restored = _import_export(session, before)

    after = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    assert restored.added == 2
    assert after["advisors"] == before["advisors"]
    assert after["goals"] == before["goals"]


def _import_export(session, export: dict, key: str = "export.json") -> imports.Saved:
    from core.export import export_json

    import_id = imports.begin(
        session,
        team_id=TEAM,
        owner_id=MINE,
        source=imports.FILE,
        source_key=key,
        filename=key,
        now=NOW,
    )
    reading = read_export(export_json(export), owner_id=MINE, team_id=TEAM, now=NOW)
    imports.checked(
        session, team_id=TEAM, owner_id=MINE, import_id=import_id, reading=reading, now=NOW
    )
    session.commit()
    return imports.save(
        sessions_of(session),
        team_id=TEAM,
        owner_id=MINE,
        import_id=import_id,
        process="p",
        clock=clock_at(),
        report=True,
    )


def test_an_export_imported_onto_the_board_it_came_from_adds_nothing(session):
    seed_everything(session)
    session.commit()
    export = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)

    again = _import_export(session, export)

    assert again.added == 0
    assert export_member(session, team_id=TEAM, user_id=MINE, now=NOW)["goals"] == export["goals"]


def test_a_restored_advisor_is_nudged_on_the_rhythm_it_had(session):
    seed_everything(session)
    session.commit()
    export = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    remember_member(session, team_id=TEAM, user_id=MINE, tz="Europe/Paris", clock=clock_at())
    session.commit()

    _import_export(session, export)

    grace, sam = sorted(board_of(session, MINE), key=lambda a: a.status)
    assert grace.status == AdvisorStatus.ACTIVE
    assert grace.nudge_at == grace.next_touch_due_at == NOW + timedelta(days=35)
    assert sam.nudge_at is None


def test_a_preview_adding_nobody_says_nothing_about_how_its_rows_would_be_added(session, members):
    save(session, pending(session, "name,relationship\nGrace,\nSam,\n", key="first"))

    again = stored(session, pending(session, "name,relationship,Phone\nGrace,,1\nSam,,2\n"))

    assert again.rows == [] and len(again.skipped) == 2
    assert again.notes == ["Columns I don't use are left out: “Phone”."]


def test_a_pasted_text_holding_a_nul_is_refused_before_anything_is_stored(session, members):
    import_id = imports.begin(
        session, **ALICES, source=imports.PASTE, source_key="p", filename=None, now=NOW
    )
    reading = read_csv("name\nGrace\n", owner_id=ALICE, zone=PARIS, now=NOW)

    with pytest.raises(Invalid, match="control character"):
        imports.checked(
            session, **ALICES, import_id=import_id, reading=reading, now=NOW, text="name\x00\n"
        )


def _failing_on(monkeypatch, name: str):
    """Saving the row named `name` fails as a bug would (not the database being away)."""
    enlist_rows = imports._enlist

    def failing(session, work, chunk, board, now):
        if any(row["name"] == name for row in chunk):
            raise RuntimeError("a bug")
        return enlist_rows(session, work, chunk, board, now)

    monkeypatch.setattr(imports, "_enlist", failing)


def test_a_save_failing_is_tried_again_by_the_tick_then_fails_with_a_report_of_what_was_saved(
    session, members, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK", 2)
    _failing_on(monkeypatch, "Person 2")
    import_id = pending(session, "name\n" + "".join(f"Person {n}\n" for n in range(5)))

    first = save(session, import_id)

    assert (first.state, first.retrying, first.added) == (ImportState.APPLYING, True, 2)
    found = stored(session, import_id)
    assert (found.state, found.attempts, found.applied, found.claimed_by) == (
        ImportState.APPLYING,
        1,
        2,
        None,
    )
    assert [a.name for a in board_of(session)] == ["Person 0", "Person 1"]
    with fresh(session):
        assert imports.stalled(session, now=NOW) == []  # not before RETRY_AFTER
    later = NOW + imports.RETRY_AFTER + timedelta(seconds=1)
    with fresh(session):
        assert imports.stalled(session, now=later) == [(TEAM, ALICE, import_id)]

    second = save(session, import_id, now=later)
    third = save(session, import_id, now=later + imports.RETRY_AFTER * 2)

    assert second.retrying and third.state == ImportState.FAILED and not third.retrying
    assert save(session, import_id, now=later + imports.RETRY_AFTER * 4) is None  # never again
    found = stored(session, import_id)
    assert (found.state, found.attempts, found.problem) == (
        ImportState.FAILED,
        imports.MAX_ATTEMPTS,
        imports.SAVE_FAILED,
    )
    report = session.get(Outbox, third.report)
    assert report.purpose == imports.REPORT
    assert report.payload | {"import": 0} == {
        "import": 0,
        "failed": True,
        "not_saved": 3,
        "added": 2,
        "problems": 0,
        "problem_rows": [],
        "already": 0,
        "repeats": 0,
        "kind": "csv",
        "filename": "advisors.csv",
    }
    assert [a.name for a in board_of(session)] == ["Person 0", "Person 1"]


def test_a_save_failing_while_the_database_is_away_is_not_counted(session, members, monkeypatch):
    def away(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(imports, "_enlist", away)
    import_id = pending(session, "name\nGrace\n")

    with pytest.raises(OperationalError):
        save(session, import_id)

    found = stored(session, import_id)
    assert (found.state, found.attempts, found.claimed_by) == (ImportState.APPLYING, 0, "p1")


def test_an_export_whose_save_fails_half_way_through_an_advisor_leaves_no_half_advisor(
    session, monkeypatch
):
    seed_everything(session)
    session.commit()
    export = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    remember_member(session, team_id=TEAM, user_id=MINE, tz="Europe/Paris", clock=clock_at())
    session.commit()

    def failing(record, work, promise_id, now=None):
        raise ValueError("a promise that can't be saved")

    monkeypatch.setattr(imports, "_promise_values", failing)  # after the advisors' inserts
    monkeypatch.setattr(imports, "MAX_ATTEMPTS", 1)

    saved = _import_export(session, export)

    assert saved.state == ImportState.FAILED and saved.added == 0
    assert board_of(session, MINE) == []
    touchpoints = select(Touchpoint).where(Touchpoint.team_id == TEAM, Touchpoint.owner_id == MINE)
    assert session.exec(touchpoints).all() == []
    assert session.get(Outbox, saved.report).payload["not_saved"] == 2


def test_a_file_whose_reading_never_finished_ends_as_failed_and_the_member_is_told(
    session, members
):
    import_id = imports.begin(
        session, **ALICES, source=imports.FILE, source_key="F9", filename="a.csv", now=NOW
    )
    session.commit()
    with fresh(session):
        assert imports.give_up(session, now=NOW + imports.READING_FOR) == []

    with fresh(session):
        made = imports.give_up(session, now=NOW + imports.READING_FOR + timedelta(seconds=1))

    found = stored(session, import_id)
    assert (found.state, found.problem) == (ImportState.FAILED, imports.NOT_READ)
    [preview] = [session.get(Outbox, row) for row in made]
    assert (preview.purpose, preview.target_user) == (imports.PREVIEW, ALICE)
    reading = read_csv("name\nGrace\n", owner_id=ALICE, zone=PARIS, now=NOW)
    with fresh(session):  # the reader, stopped for long, comes back: too late
        assert (
            imports.checked(session, **ALICES, import_id=import_id, reading=reading, now=NOW) == []
        )
    assert stored(session, import_id).state == ImportState.FAILED


def test_an_import_still_being_saved_a_day_after_it_was_read_ends_with_a_report(session, members):
    import_id = pending(session, "name\nGrace\nSam\n")
    _claimed(session, import_id, "stopped")
    later = NOW + imports.KEPT + timedelta(minutes=1)

    with fresh(session):
        made = imports.give_up(session, now=later)
        imports.discard_old(session, now=later)

    [report] = [session.get(Outbox, row) for row in made]
    assert report.purpose == imports.REPORT
    assert (report.payload["failed"], report.payload["not_saved"]) == (True, 2)
    assert stored(session, import_id) is None  # discarded: its report says it all


def _restored(session, **changes) -> list[Advisor]:
    """Grace and Sam of an export (Sam among alumni), `changes` made to Grace's record,
    imported after forget me."""
    seed_everything(session)
    session.commit()
    export = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    remember_member(session, team_id=TEAM, user_id=MINE, tz="Europe/Paris", clock=clock_at())
    session.commit()
    grace = next(a for a in export["advisors"] if a["status"] == "active")
    grace.update(changes)
    assert _import_export(session, export).state == ImportState.DONE
    return sorted(board_of(session, MINE), key=lambda a: a.status)


def test_an_active_advisor_restored_without_a_last_contact_has_one_and_a_due_date(session):
    grace, _ = _restored(session, last_contact=None)

    latest = max(
        t.at for t in session.exec(select(Touchpoint).where(Touchpoint.advisor_id == grace.id))
    )
    assert grace.last_touch_at == latest
    assert grace.next_touch_due_at is not None and grace.nudge_at == grace.next_touch_due_at


def test_an_active_advisor_never_contacted_starts_from_today(session):
    grace, _ = _restored(
        session, last_contact=None, last_spoke_at=None, touchpoints=[], next_touch_due_at=None
    )

    assert grace.last_touch_at == NOW
    assert grace.next_touch_due_at == NOW + timedelta(days=grace.cadence_days)


@pytest.mark.parametrize(
    "due, kept",
    [
        ("2036-12-31T12:00:00+00:00", False),  # read, but no rhythm of the board sets it
        ("2026-12-01T09:00:00+00:00", True),  # a snooze or a new rhythm may have
        ("2020-01-01T09:00:00+00:00", True),  # long overdue
    ],
)
def test_a_due_date_is_the_exports_only_when_the_board_could_have_set_it(session, due, kept):
    grace, _ = _restored(session, next_touch_due_at=due)

    recomputed = grace.last_touch_at + timedelta(days=grace.cadence_days)
    assert grace.next_touch_due_at == (datetime.fromisoformat(due) if kept else recomputed)
    assert grace.nudge_at == grace.next_touch_due_at


@pytest.mark.parametrize(
    "snoozed_until, kept",
    [("2026-11-30T09:00:00+00:00", True), ("2026-11-29T09:00:00+00:00", False)],
)
def test_a_snooze_restored_is_the_due_date_it_set_or_nothing(session, snoozed_until, kept):
    due = "2026-11-30T09:00:00+00:00"
    grace, _ = _restored(session, next_touch_due_at=due, snoozed_until=snoozed_until)

    assert grace.next_touch_due_at == datetime.fromisoformat(due)
    assert grace.snoozed_until == (grace.next_touch_due_at if kept else None)


def test_alumni_restored_are_out_of_the_rhythm_whatever_the_export_says(session):
    seed_everything(session)
    session.commit()
    export = export_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    remember_member(session, team_id=TEAM, user_id=MINE, tz="Europe/Paris", clock=clock_at())
    session.commit()
    sam = next(a for a in export["advisors"] if a["status"] == "alumni")
    sam.update(next_touch_due_at="2026-12-01T09:00:00+00:00", snoozed_until=NOW.isoformat())

    _import_export(session, export)

    [sam_now] = [a for a in board_of(session, MINE) if a.status == AdvisorStatus.ALUMNI]
    assert (sam_now.next_touch_due_at, sam_now.snoozed_until, sam_now.nudge_at) == (None,) * 3
