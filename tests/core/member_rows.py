"""Rows in every table, for the tests of export and forgetting: a workspace where two members
(MINE, the one forgotten, and THEIRS) each have a row of every kind a member can have, linked
the ways the product links them (THEIRS has MINE as an advisor, each is in the other's circle,
learning partners across), and a second workspace with the very same shapes and user ids.

Every row made is recorded with whose it is (`Seeded.rows`), so a test can tell which rows a
forget should have taken and which it must leave."""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import JSON, String, inspect
from sqlmodel import Session, SQLModel

from core.circles import CHECK_IN
from core.models import (
    Advisor,
    AdvisorGoal,
    AdvisorStatus,
    BoardImport,
    Challenge,
    ChallengeReply,
    CheckIn,
    CheckInAway,
    Circle,
    CircleMember,
    DmChannel,
    Goal,
    Member,
    Nudge,
    Outbox,
    OutboxState,
    Pairing,
    Promise,
    PromiseEvent,
    Reassessment,
    ReassessmentAnswer,
    Schedule,
    SeenEvent,
    Touchpoint,
    Wakeup,
    Workspace,
    slack_bots,
    slack_installations,
    slack_oauth_states,
)

TEAM, OTHER_TEAM = "T0FORGET", "T0ELSEWHERE"
MINE, THEIRS, OUTSIDER = "U0MINE", "U0THEIRS", "U0OUTSIDER"  # none is a prefix of another
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
TYPED = {  # text as a person types it: markup, quotes, accents, emoji, a mention-like string
    "name": "Grace “Amazing” Hopper <@U0NOBODY> & co",
    "gains": "my notes on *pricing* & `code`, 🙂",
    "notes": 'Met at <https://example.com|a talk>; she said: "ask me anything"',
    "touch": "Coffee at Café Ürsprung — talked about <!channel> & stuff",
    "promise": "Send the deck & the “numbers”",
    "update": "Halfway there: 2/3 done <b>",
    "goal": "Lead a product area (2 teams) & ship 🚀",
    "challenge": "How do I say no to my boss? <@U0NOBODY>",
}


@dataclass
class Seeded:
    """Every row made, by whose it is: a member's id (in a team), "cross" for rows of THEIRS
    that are to or about MINE, "team" for rows of nobody."""

    rows: dict[tuple[str, str], set[tuple[str, tuple]]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)  # named rows, for the tests

    def add(self, session: Session, row, team: str, whose: str, name: str | None = None):
        session.add(row)
        session.flush()
        key = inspect(row).identity
        self.rows.setdefault((team, whose), set()).add((row.__tablename__, tuple(key)))
        if name is not None:
            self.ids[f"{team}:{name}"] = key[0]
        return row

    def add_core(self, session: Session, table, team: str, whose: str, **values) -> None:
        made = session.execute(table.insert().values(**values))
        key = tuple(made.inserted_primary_key)
        self.rows.setdefault((team, whose), set()).add((table.name, key))

    def of(self, team: str, whose: str) -> set[tuple[str, tuple]]:
        return self.rows.get((team, whose), set())


def _outbox(who: str, team: str, purpose: str, key: str, **fields) -> Outbox:
    values = {
        "team_id": team,
        "purpose": purpose,
        "key": key,
        "owner_id": who,
        "target_user": who,
        "state": OutboxState.SENT,
        "not_before": NOW,
        "created_at": NOW,
        "payload": {},
    }
    return Outbox(**(values | fields))


def seed_member(session: Session, seeded: Seeded, *, team: str, who: str, advisor_user: str):
    """A member with a row in every table a member's data can be in; their advisor `advisor_user`
    is a Slack member. Their own circle has them in it, with no one else yet."""
    s = seeded

    def add(row, name=None):
        return s.add(session, row, team, who, name and f"{who}:{name}")

    add(
        Member(
            team_id=team,
            user_id=who,
            tz="Europe/Paris",
            created_at=NOW - timedelta(days=90),
            nudge_days="0246",
            nudge_start=8 * 60 + 30,
            nudge_end=18 * 60,
            paused_until=date(2026, 12, 24),
            digest=False,
            monday_preview=True,
            reassess_months=6,
        )
    )
    owner = {"team_id": team, "owner_id": who}
    grace = add(
        Advisor(
            **owner,
            slack_user_id=advisor_user,
            tz="America/New_York",
            name=TYPED["name"],
            contact="grace@example.com",
            relationship="senior",
            inside_org=False,
            support=["sponsorship", "coaching"],
            gains=TYPED["gains"],
            notes=TYPED["notes"],
            origin="former_employer",
            closeness=4,
            cadence_days=45,
            last_touch_at=NOW - timedelta(days=10),
            last_spoke_at=NOW - timedelta(days=40),
            next_touch_due_at=NOW + timedelta(days=35),
            created_at=NOW - timedelta(days=40),
            updated_at=NOW - timedelta(days=10),
        ),
        "grace",
    )
    sam = add(
        Advisor(
            **owner,
            name="Sam Lee",
            status=AdvisorStatus.ALUMNI,
            created_at=NOW - timedelta(days=80),
            updated_at=NOW - timedelta(days=20),
        ),
        "sam",
    )
    add(
        Touchpoint(
            **owner,
            advisor_id=grace.id,
            at=NOW - timedelta(days=10),
            how="coffee",
            exchanged=["advice", "introduction"],
            given_by="them",
            note=TYPED["touch"],
            message_link="https://example.slack.com/archives/C1/p1",
            created_at=NOW - timedelta(days=10),
        )
    )
    promise = add(
        Promise(
            **owner,
            advisor_id=grace.id,
            what=TYPED["promise"],
            due_on=date(2026, 12, 3),
            original_due_on=date(2026, 12, 1),
            due_at=datetime(2026, 12, 3, 23, tzinfo=UTC),
            renegotiations=1,
            last_update_at=NOW - timedelta(days=2),
            created_at=NOW - timedelta(days=5),
            updated_at=NOW - timedelta(days=2),
        ),
        "promise",
    )
    for change, text, days in (("made", "", 5), ("renegotiated", "", 3), ("update", "x", 2)):
        add(
            PromiseEvent(
                promise_id=promise.id,
                at=NOW - timedelta(days=days),
                change=change,
                text=TYPED["update"] if text else "",
                old_due_on=date(2026, 12, 1) if change == "renegotiated" else None,
                new_due_on=date(2026, 12, 3) if change == "renegotiated" else None,
                sent_to_advisor=change == "update",
            )
        )
    goal = add(Goal(**owner, kind="two_years", text=TYPED["goal"], created_at=NOW), "goal")
    add(Goal(**owner, kind="strength", text="Listening", created_at=NOW))
    add(AdvisorGoal(advisor_id=grace.id, goal_id=goal.id))
    walk = add(
        Reassessment(
            **owner,
            occurrence=NOW - timedelta(days=30),
            advisor_ids=[grace.id, sam.id],
            position=2,
            state="done",
            channel_id=f"D{who}",
            ts="1700000000.000100",
            finished_at=NOW - timedelta(days=29),
            created_at=NOW - timedelta(days=30),
        )
    )
    add(
        ReassessmentAnswer(
            reassessment_id=walk.id,
            advisor_id=sam.id,
            answer="ease_aside",
            at=NOW - timedelta(days=29),
        )
    )
    message = add(
        _outbox(
            who,
            team,
            "nudge",
            f"{who}:touch:{grace.id}:2026-11-13",
            channel_id=f"D{who}",
            ts="1700000000.000200",
        )
    )
    add(
        Nudge(
            **owner,
            kind="touch",
            subject_id=grace.id,
            cycle="2026-11-13",
            outbox_id=message.id,
            outcome="snoozed",
            outcome_text="a week",
            created_at=NOW - timedelta(days=3),
        )
    )
    add(_outbox(who, team, "welcome", who))
    add(DmChannel(team_id=team, user_id=who, channel_id=f"D{who}"))
    add(Wakeup(**owner, at=NOW))
    add(  # an import they were checking, a row of which names them
        BoardImport(
            **owner,
            source="file",
            source_key=f"F{who}",
            filename="advisors.csv",
            state="ready",
            rows=[{"row": 2, "name": "Pat", "slack_user_id": None}],
            problems=[{"row": 3, "where": "Row 3", "name": who, "problems": ["that's you"]}],
            created_at=NOW,
            updated_at=NOW,
        )
    )
    for purpose in ("preview", "reassess"):
        add(
            Schedule(
                team_id=team,
                purpose=purpose,
                key=who,
                owner_id=who,
                freq="weekly",
                weekdays="0",
                tz="Europe/Paris",
                starts_on=date(2026, 1, 5),
                next_at=NOW + timedelta(days=7),
                created_at=NOW,
                updated_at=NOW,
            )
        )
    circle = add(
        Circle(
            team_id=team,
            channel_id=f"C{who}",
            name=f"Circle of {who}",
            owner_id=who,
            created_at=NOW,
            updated_at=NOW,
        ),
        "circle",
    )
    add(
        Schedule(
            team_id=team,
            purpose=CHECK_IN,
            key=str(circle.id),
            owner_id=who,
            freq="monthly",
            month_day=1,
            tz="Europe/Paris",
            starts_on=date(2026, 1, 1),
            next_at=NOW + timedelta(days=8),
            created_at=NOW,
            updated_at=NOW,
        ),
        "circle schedule",
    )
    add(
        CircleMember(
            circle_id=circle.id,
            team_id=team,
            user_id=who,
            reminders=False,
            joined_at=NOW - timedelta(days=60),
        )
    )
    check_in = add(
        CheckIn(
            circle_id=circle.id,
            team_id=team,
            occurrence=NOW - timedelta(days=1),
            closes_at=NOW + timedelta(days=1),
            channel_id=f"C{who}",
            ts="1700000000.000300",
            created_at=NOW,
        ),
        "check in",
    )
    challenge = add(
        Challenge(
            team_id=team,
            circle_id=circle.id,
            check_in_id=check_in.id,
            author_id=who,
            text=TYPED["challenge"],
            tried="Asked twice",
            help_wanted="Words to use",
            channel_id=f"C{who}",
            ts="1700000000.000400",
            created_at=NOW,
            updated_at=NOW,
        ),
        "challenge",
    )
    add(ChallengeReply(challenge_id=challenge.id, team_id=team, user_id=who, ts="17.1", at=NOW))
    add(CheckInAway(check_in_id=check_in.id, team_id=team, user_id=who, at=NOW))
    add(
        _outbox(
            who,
            team,
            "circle_remind",
            f"{check_in.id}:{who}",
            payload={"check_in": check_in.id, "user": who},
        )
    )
    # Another circle they set up, with nobody else in it: it ends with them.
    lonely = add(
        Circle(
            team_id=team,
            channel_id=f"C{who}LONE",
            name="Just me",
            owner_id=who,
            created_at=NOW,
            updated_at=NOW,
        ),
        "lonely circle",
    )
    add(CircleMember(circle_id=lonely.id, team_id=team, user_id=who, joined_at=NOW))


def cross_links(session: Session, seeded: Seeded, *, team: str) -> None:
    """THEIRS and MINE know each other: THEIRS has MINE as an advisor (and sends an update on to
    them), each is in the other's circle, MINE facilitates THEIRS' circle, they were learning
    partners (as a pair in MINE's circle, as a trio with OUTSIDER in THEIRS'), and each replied
    in the other's challenge thread."""
    s, ids = seeded, seeded.ids

    def add(row, whose):
        return s.add(session, row, team, whose)

    mine_circle, theirs_circle = ids[f"{team}:{MINE}:circle"], ids[f"{team}:{THEIRS}:circle"]
    theirs_check_in = ids[f"{team}:{THEIRS}:check in"]
    mine_check_in = ids[f"{team}:{MINE}:check in"]
    session.get(Circle, theirs_circle).facilitator_id = MINE
    add(
        CircleMember(circle_id=theirs_circle, team_id=team, user_id=MINE, joined_at=NOW),
        MINE,
    )
    add(
        CircleMember(circle_id=mine_circle, team_id=team, user_id=THEIRS, joined_at=NOW),
        THEIRS,
    )
    add(
        CircleMember(circle_id=theirs_circle, team_id=team, user_id=OUTSIDER, joined_at=NOW),
        THEIRS,
    )
    add(
        CheckInAway(check_in_id=theirs_check_in, team_id=team, user_id=MINE, at=NOW),
        MINE,
    )
    pair = Pairing(
        circle_id=mine_circle,
        check_in_id=mine_check_in,
        team_id=team,
        members=",".join(sorted([MINE, THEIRS])),
        created_at=NOW,
    )
    add(pair, "cross")
    trio = Pairing(
        circle_id=theirs_circle,
        check_in_id=theirs_check_in,
        team_id=team,
        members=",".join(sorted([MINE, OUTSIDER, THEIRS])),
        created_at=NOW,
    )
    s.ids[f"{team}:trio"] = add(trio, THEIRS).id
    add(
        _outbox(
            None,
            team,
            "circle_met",
            str(pair.id),
            target_user=None,
            payload={"pairing": pair.id, "group": sorted([MINE, THEIRS])},
        ),
        "cross",
    )
    theirs_challenge = ids[f"{team}:{THEIRS}:challenge"]
    mine_challenge = ids[f"{team}:{MINE}:challenge"]
    add(
        ChallengeReply(
            challenge_id=theirs_challenge, team_id=team, user_id=MINE, ts="18.1", at=NOW
        ),
        MINE,
    )
    add(
        ChallengeReply(
            challenge_id=mine_challenge, team_id=team, user_id=THEIRS, ts="18.2", at=NOW
        ),
        "cross",
    )
    update = ids[f"{team}:{THEIRS}:promise"]
    add(
        _outbox(
            THEIRS,
            team,
            "update",
            str(update),
            target_user=MINE,
            payload={"event": update, "reply_in": {}},
        ),
        "cross",
    )


def seed_team(session: Session, seeded: Seeded, *, team: str) -> None:
    """One workspace: its own rows, both members, their links."""
    seeded.add(session, Workspace(team_id=team, updated_at=NOW, installed_at=NOW), team, "team")
    installed = {"client_id": "1.2", "app_id": "A0ADVISOR", "team_id": team, "installed_at": NOW}
    seeded.add_core(
        session,
        slack_installations,
        team,
        "team",
        **installed,
        user_id=MINE,  # MINE installed the app: the install is the team's, not theirs
        bot_token="ciphertext",
        bot_user_id="U0BOT",
        is_enterprise_install=False,
    )
    seeded.add_core(
        session,
        slack_bots,
        team,
        "team",
        **installed,
        bot_token="ciphertext",
        bot_user_id="U0BOT",
        is_enterprise_install=False,
    )
    seed_member(session, seeded, team=team, who=MINE, advisor_user=OUTSIDER)
    seed_member(session, seeded, team=team, who=THEIRS, advisor_user=MINE)
    cross_links(session, seeded, team=team)


def seed_everything(session: Session) -> Seeded:
    seeded = Seeded()
    seen = SeenEvent(event_id="r:0123456789abcdef01234567:forget", seen_at=NOW)
    seeded.add(session, seen, "", "")
    seeded.add_core(
        session, slack_oauth_states, "", "", state="abc", expire_at=NOW + timedelta(minutes=10)
    )
    seed_team(session, seeded, team=TEAM)
    seed_team(session, seeded, team=OTHER_TEAM)
    session.commit()
    return seeded


def every_row(session: Session) -> dict[str, list[dict]]:
    """Every row of every table, as plain dicts, by table name."""
    return {
        table.name: [dict(row._mapping) for row in session.execute(table.select())]
        for table in SQLModel.metadata.sorted_tables
    }


def key_of(table, row: dict) -> tuple:
    return tuple(row[column.name] for column in table.primary_key.columns)


def keys(session: Session) -> set[tuple[str, tuple]]:
    """Every row's (table, primary key)."""
    return {
        (table.name, key_of(table, dict(row._mapping)))
        for table in SQLModel.metadata.sorted_tables
        for row in session.execute(table.select())
    }


# (table, column) where the forgotten member's id may stay, because it is someone else's data.
ALLOWED = {
    # Another member's advisor who is this Slack user: that member's board, not the forgotten
    # member's record (their name and cadence were typed by the other member).
    ("advisor", "slack_user_id"),
    # Who installed the app: the workspace's install (NOT_PERSONAL), removed on uninstall.
    ("slack_installations", "user_id"),
}


def holds(value, user_id: str) -> bool:
    if value is None:
        return False
    text = value if isinstance(value, str) else json.dumps(value)
    return user_id in text


def still_holding(session, user_id: str, team: str) -> list[tuple[str, str, dict]]:
    """Every (table, column, row) of `team` (or of no team) whose text holds `user_id`."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        texts = [c for c in table.columns if isinstance(c.type, String | JSON)]
        for row in session.execute(table.select()):
            row = dict(row._mapping)
            if "team_id" in table.c and row["team_id"] != team:
                continue
            for column in texts:
                if (table.name, column.name) not in ALLOWED and holds(row[column.name], user_id):
                    found.append((table.name, column.name, row))
    return found
