"""Who meets whom as learning partners before the next check-in. Pure: the members being paired
now (those not away), the past groups and a seed in; the groups out.

The rule: no pair meets twice in a round unless no pairing can avoid it, and a round lasts until
every pair of the people being paired now has met (a trio counts as its three pairs). The
history is the past groups, oldest first. Read from the start, each time every pair of today's
members has met, a new round starts and the pairs met so far are forgotten. A pair with someone
not being paired now (away, or gone) does not count; someone who joined later has met nobody,
so no round ends before they have met everyone. When no pairing avoids the pairs met this round,
the one with the fewest such repeats is taken; the search tries the pairs that met longest ago
first. Some repeats cannot be avoided: with five, what is left after a trio and a pair holds no
trio, so the second check-in repeats one pair. And one check-in's choice can leave pairs that no
later pairing can all take: the search looks one check-in ahead to avoid that (in the tests,
enough for up to eight people; with ten or twelve, a few rounds in two hundred still repeat a
pair early).

An odd number makes exactly one trio, its three pairs new when there is a choice. Nobody is left
out: a single member is returned as `alone`, for the caller to say so.

The same members, history and seed always give the same answer (a check-in's id as the seed lets
two processes agree); the seed shuffles the members before the search, so the groups do not
follow the order of names. The search goes depth first, the person with the fewest new partners
left (but some) first, and stops at a pairing with no repeat, or after `STEPS` steps with the
best one found, so forty members stay fast.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

Pair = frozenset[str]
Group = tuple[str, ...]
STEPS = 3_000  # search steps before the best pairing found so far is taken


@dataclass(frozen=True)
class Pairing:
    """The groups (each two or three user ids, sorted, the groups sorted too), or the one member
    `alone`; `repeats` counts the pairs in `groups` that already met this round."""

    groups: tuple[Group, ...]
    alone: tuple[str, ...]
    repeats: int


def pairs_of(group: Iterable[str]) -> set[Pair]:
    """The pairs a group makes: one for two people, three for a trio."""
    return {frozenset(two) for two in combinations(sorted(set(group)), 2)}


def met_this_round(members: Iterable[str], history: Sequence[Iterable[str]]) -> set[Pair]:
    """The pairs of `members` that met since the last time every pair of them had met."""
    everyone = pairs_of(members)
    met: set[Pair] = set()
    for group in history:
        met |= pairs_of(group) & everyone
        if everyone and met == everyone:
            met = set()
    return met


def last_met(members: Iterable[str], history: Sequence[Iterable[str]]) -> dict[Pair, int]:
    """For each pair of `members` that ever met, the place in `history` it last met at."""
    everyone = pairs_of(members)
    return {two: at for at, group in enumerate(history) for two in pairs_of(group) & everyone}


def pair(members: Iterable[str], history: Sequence[Iterable[str]], *, seed: int) -> Pairing:
    """The learning partners until the next check-in: everyone in one group of two (or one trio,
    when they are odd), repeating as few pairs of this round as can be."""
    people = sorted(set(members))
    if len(people) < 2:
        return Pairing(groups=(), alone=tuple(people), repeats=0)
    random.Random(seed).shuffle(people)
    met = met_this_round(people, history)
    search = _Search(people, met, _unmet(people, met), last_met(people, history), [0], ahead=True)
    search.run(people, [], 0)
    groups = tuple(sorted(tuple(sorted(group)) for group in search.best))
    return Pairing(groups=groups, alone=(), repeats=search.best_score // 2)


def _unmet(people: list[str], met: set[Pair]) -> dict[str, set[str]]:
    """Whom each person has not met this round."""
    return {p: {q for q in people if q != p and frozenset((p, q)) not in met} for p in people}


class _Search:
    """A bounded depth-first search for the groups with the fewest pairs already met. With
    `ahead`, of two pairings with no repeat it takes one after which the same people could meet
    again without a repeat, so a round is less often left with pairs that can no longer all
    meet. A score is twice the repeats, plus one for such a dead end; `steps` is shared with the
    search ahead."""

    def __init__(
        self,
        people: list[str],
        met: set[Pair],
        fresh: dict[str, set[str]],
        last: dict[Pair, int],
        steps: list[int],
        *,
        ahead: bool,
    ):
        self.people = people
        self.rank = {person: at for at, person in enumerate(people)}  # the seed's order
        self.met = met
        self.fresh = fresh  # whom each has not met this round
        self.last = last
        self.steps = steps
        self.ahead = ahead
        self.best: list[Group] = []
        self.best_score = 2 * len(people) + 9  # more than any pairing can score

    def done(self) -> bool:
        return self.best_score == 0 or self.steps[0] >= STEPS

    def repeats(self, group: Group) -> int:
        return sum(frozenset(two) in self.met for two in combinations(group, 2))

    def run(self, left: list[str], chosen: list[Group], cost: int) -> None:
        if not left:
            self.finish(chosen, cost)
            return
        self.steps[0] += 1
        here = set(left)
        new = {p: len(self.fresh[p] & here) for p in left}
        if 2 * (cost + (sum(n == 0 for n in new.values()) + 1) // 2) >= self.best_score:
            return  # each person with no new partner left brings at least half a repeat
        person = min(left, key=lambda p: (new[p] == 0, new[p], self.rank[p]))
        spare = (self.best_score - 1) // 2 - cost  # the most repeats a better pairing can add
        for group in self.options(person, [q for q in left if q != person], spare):
            chosen.append(group)
            self.run([q for q in left if q not in group], chosen, cost + self.repeats(group))
            chosen.pop()
            if self.done():
                return

    def finish(self, chosen: list[Group], cost: int) -> None:
        if 2 * cost >= self.best_score:
            return
        score = 2 * cost + (self.ahead and cost == 0 and self.dead_end(chosen))
        if score < self.best_score:
            self.best, self.best_score = list(chosen), score

    def dead_end(self, chosen: list[Group]) -> bool:
        """After `chosen`, the same people could not meet again without a repeat this round."""
        met = self.met.union(*(pairs_of(group) for group in chosen))
        if len(met) == len(self.people) * (len(self.people) - 1) // 2:
            return False  # everyone has met: a new round
        fresh = {p: self.fresh[p].difference(*(g for g in chosen if p in g)) for p in self.people}
        following = _Search(self.people, met, fresh, self.last, self.steps, ahead=False)
        following.best_score = 1  # only a pairing with no repeat is looked for
        following.run(self.people, [], 0)
        return following.best_score > 0

    def options(self, person: str, others: list[str], spare: int) -> list[Group]:
        """`person` with one other or, while the trio is still to make, two, repeating at most
        `spare` pairs: the fewest repeats first, then trios, then the pairs that met longest ago,
        then the seed's order."""
        near = others if spare > 0 else [q for q in others if q in self.fresh[person]]
        groups: list[Group] = []
        if len(others) != 2:
            groups += [(person, q) for q in near]
        if len(others) % 2 == 0:
            groups += [(person, q, r) for q, r in combinations(near, 2)]
        return sorted((g for g in groups if self.repeats(g) <= spare), key=self.preference)

    def preference(self, group: Group) -> tuple:
        latest = max(self.last.get(frozenset(two), -1) for two in combinations(group, 2))
        return (self.repeats(group), -len(group), latest, [self.rank[p] for p in group])
