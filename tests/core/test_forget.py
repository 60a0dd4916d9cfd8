"""Forgetting, in core: every table of the models' metadata is either forgotten or said to hold
nobody's data; after `forget_member` no row of the workspace holds the member's id in any text
column (save a short allowlist of other people's data), exactly the member's rows are gone and
everyone else's are all there; circles stay, handed over; doing it twice changes nothing.
`forget_workspace` empties one workspace in every table, a chunk at a time, and leaves the
other alone."""

import pytest
from sqlmodel import SQLModel, select

from core.forget import (
    DELETED,
    FORGETTING,
    NO_WORKSPACE,
    NOT_PERSONAL,
    REMOVED_POST,
    VIA_PARENT,
    forget_member,
    forget_workspace,
    what_forget_deletes,
)
from core.models import Circle, Outbox, Pairing, Schedule
from tests.core.member_rows import (
    MINE,
    NOW,
    OTHER_TEAM,
    OUTSIDER,
    TEAM,
    THEIRS,
    every_row,
    keys,
    seed_everything,
    still_holding,
)

TABLES = {table.name for table in SQLModel.metadata.sorted_tables}


def test_every_table_is_forgotten_or_said_to_hold_nobodys_data():
    assert not FORGETTING & set(NOT_PERSONAL)
    assert FORGETTING | set(NOT_PERSONAL) == TABLES, "a new table: forget it, or say why not"
    assert all(len(why) > 20 for why in NOT_PERSONAL.values())


def test_the_seed_has_a_row_in_every_table(session):
    seed_everything(session)

    empty = [name for name, rows in every_row(session).items() if not rows]

    assert empty == [], "seed a row of the new table in tests/core/member_rows.py"


def test_after_forgetting_no_row_of_the_workspace_holds_the_members_id(session):
    seed_everything(session)
    assert still_holding(session, MINE, TEAM)  # the walk finds them before

    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    session.commit()

    assert still_holding(session, MINE, TEAM) == []


def test_exactly_the_members_rows_go_and_everyone_elses_stay(session):
    seeded = seed_everything(session)
    before = keys(session)

    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    session.commit()

    after = keys(session)
    changed = {  # the team's, kept without their id
        ("circle", (seeded.ids[f"{TEAM}:{MINE}:circle"],)),
        ("checkin", (seeded.ids[f"{TEAM}:{MINE}:check in"],)),
        ("circle", (seeded.ids[f"{TEAM}:{MINE}:lonely circle"],)),
        ("schedule", (seeded.ids[f"{TEAM}:{MINE}:circle schedule"],)),
    }
    expected_gone = (seeded.of(TEAM, MINE) | seeded.of(TEAM, "cross")) - changed
    assert before - after == expected_gone
    for whose in (THEIRS, "team"):
        assert seeded.of(TEAM, whose) <= after
    for whose in (MINE, THEIRS, "team", "cross"):
        assert seeded.of(OTHER_TEAM, whose) <= after  # the same people in another workspace
    assert seeded.of("", "") <= after
    [blanked] = session.exec(select(Outbox).where(Outbox.purpose == REMOVED_POST)).all()
    assert {(n, k) for n, k in after - before} == {("outbox", (blanked.id,))}
    assert (blanked.team_id, blanked.channel_id, blanked.owner_id) == (TEAM, f"C{MINE}", None)
    assert blanked.payload == {"ts": "1700000000.000400"}


def test_a_circle_they_set_up_stays_with_its_next_person_and_one_left_empty_is_archived(session):
    seeded = seed_everything(session)

    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    session.commit()

    ids = seeded.ids
    theirs_now = session.get(Circle, ids[f"{TEAM}:{MINE}:circle"])
    assert (theirs_now.owner_id, theirs_now.state) == (THEIRS, "active")
    schedule = session.get(Schedule, ids[f"{TEAM}:{MINE}:circle schedule"])
    assert schedule.owner_id == THEIRS and schedule.next_at is not None
    lonely = session.get(Circle, ids[f"{TEAM}:{MINE}:lonely circle"])
    assert (lonely.owner_id, lonely.state) == ("", "archived")
    facilitated = session.get(Circle, ids[f"{TEAM}:{THEIRS}:circle"])
    assert (facilitated.owner_id, facilitated.facilitator_id) == (THEIRS, None)
    assert session.get(Pairing, ids[f"{TEAM}:trio"]).members == f"{OUTSIDER},{THEIRS}"


def test_a_circle_with_a_facilitator_goes_to_its_facilitator(session):
    seeded = seed_everything(session)
    mine = session.get(Circle, seeded.ids[f"{TEAM}:{MINE}:circle"])
    mine.facilitator_id = OUTSIDER
    session.commit()

    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    session.commit()

    assert (mine.owner_id, mine.facilitator_id) == (OUTSIDER, OUTSIDER)


def test_the_counts_said_before_are_the_counts_deleted(session):
    seed_everything(session)

    said = what_forget_deletes(session, team_id=TEAM, user_id=MINE)
    done = forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)

    assert said == done
    assert done == {
        "member": 1,
        "advisor": 2,
        "touchpoint": 1,
        "promise": 1,
        "promiseevent": 3,
        "goal": 2,
        "advisorgoal": 1,
        "reassessment": 1,
        "reassessmentanswer": 1,
        "nudge": 1,
        "outbox": 5,  # nudge, welcome, reminder; an update to them, a group DM with them
        "schedule": 2,
        "dmchannel": 1,
        "boardimport": 1,
        "wakeup": 1,
        "circlemember": 3,
        "checkinaway": 2,
        "challenge": 1,
        "challengereply": 3,  # theirs twice, and the other's reply in their thread
        "pairing": 2,
        "circle": 3,
    }


def test_forgetting_again_or_someone_unknown_deletes_nothing(session):
    seed_everything(session)
    forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    session.commit()
    before = keys(session)

    again = forget_member(session, team_id=TEAM, user_id=MINE, now=NOW)
    nobody = forget_member(session, team_id=TEAM, user_id="U0NOBODY", now=NOW)
    session.commit()

    assert again == {} and nobody == {}
    assert keys(session) == before


def test_a_member_with_nothing_but_a_row_is_forgotten(session):
    from core.models import Member

    session.add(Member(team_id=TEAM, user_id=MINE, created_at=NOW))
    session.commit()

    assert forget_member(session, team_id=TEAM, user_id=MINE, now=NOW) == {"member": 1}


# --- a whole workspace


def test_every_table_has_a_team_or_is_said_to_be_reached_through_its_parent_or_have_none():
    for table in SQLModel.metadata.sorted_tables:
        assert ("team_id" in table.c) + (table.name in VIA_PARENT) + (
            table.name in NO_WORKSPACE
        ) == 1, table.name
    for model, column, parent in VIA_PARENT.values():
        [key] = model.__table__.c[column].foreign_keys
        assert key.column.table is parent.__table__
        assert "team_id" in parent.__table__.c
    assert all(len(why) > 20 for why in NO_WORKSPACE.values())
    assert set(DELETED) <= TABLES


@pytest.mark.parametrize("chunk", [2, 500])
def test_forgetting_a_workspace_empties_it_and_leaves_the_other_whole(session, chunk):
    seeded = seed_everything(session)
    others = set().union(*(seeded.of(OTHER_TEAM, w) for w in (MINE, THEIRS, "team", "cross")))
    before = every_row(session)

    done = forget_workspace(session, team_id=TEAM, chunk=chunk)

    assert keys(session) == others | seeded.of("", "")
    mine = set().union(*(seeded.of(TEAM, w) for w in (MINE, THEIRS, "team", "cross")))
    assert sum(done.values()) == len(mine)
    after = every_row(session)
    for name, rows in after.items():  # the other workspace's rows are as they were
        assert all(row in before[name] for row in rows), name
    assert forget_workspace(session, team_id=TEAM) == {}


def test_a_workspace_deletion_cut_short_keeps_the_row_that_says_it_is_to_go(session, monkeypatch):
    from core import forget
    from core.models import Workspace

    seed_everything(session)
    real = forget._table_rows

    def crash_at_circles(session, table, where, chunk, still=None):  # circles: last but one
        if table.name == "circle":
            raise RuntimeError("the process stopped")
        return real(session, table, where, chunk, still)

    monkeypatch.setattr(forget, "_table_rows", crash_at_circles)
    with pytest.raises(RuntimeError):
        forget_workspace(session, team_id=TEAM)
    session.rollback()
    assert session.get(Workspace, TEAM) is not None
    monkeypatch.setattr(forget, "_table_rows", real)

    forget_workspace(session, team_id=TEAM)

    assert session.get(Workspace, TEAM) is None
    assert session.exec(select(Circle).where(Circle.team_id == TEAM)).all() == []


def test_tables_kept_by_the_caller_are_left_alone(session):
    seeded = seed_everything(session)

    done = forget_workspace(session, team_id=TEAM, keep=frozenset({"slack_bots"}))

    assert "slack_bots" not in done
    assert {k for k in seeded.of(TEAM, "team") if k[0] == "slack_bots"} <= keys(session)
