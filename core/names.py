"""Who a typed name means: forgiving about accents, case, punctuation, first or last names,
initials and near spellings, but never taking a loose match over a sure one."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from itertools import combinations
from typing import Generic, TypeVar

T = TypeVar("T")
APOSTROPHES = "'\u2019\u02bc`"
_WORD = re.compile(r"\S+")


def normalize(text: str) -> str:
    """'José O'Brien-Smith' -> 'jose obrien smith': no accents, case, apostrophes or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(
        c for c in decomposed if not unicodedata.combining(c) and c not in APOSTROPHES
    )
    return " ".join("".join(c if c.isalnum() else " " for c in letters).split())


class Sureness(IntEnum):
    """How surely typed words mean a name, surest first."""

    EXACT = 0  # the whole name ('Sam Lee', 'sam-lee', 'Jose' for 'José')
    WORDS = 1  # whole words of it: a first or a last name ('Sam', 'Patel')
    PREFIX = 2  # the start of its words, at least one of three letters or more ('S. Patel')
    INITIALS = 3  # only one or two letters of each word ('S', 'Al'): a guess
    CLOSE = 4  # a near spelling ('Pria' for Priya, 'Grase Hoper'): a guess


@dataclass(frozen=True)
class Reading(Generic[T]):
    """One way to read a line: `item` is named by its first `words`; `rest` is what follows."""

    item: T
    rest: str
    sureness: Sureness
    words: int

    @property
    def guess(self) -> bool:
        """Only a guess: worth asking about before anything is recorded."""
        return self.sureness >= Sureness.INITIALS


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, change, swap two neighbours) that turn `a` into `b`."""
    before, row = None, list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (x != y))
            if before is not None and i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row[-1]


def _word_kind(typed: str, word: str) -> int | None:
    """0: the same word; 1: its start; 2: a near spelling of it; None: not this word."""
    if typed == word:
        return 0
    if word.startswith(typed):
        return 1
    if len(typed) >= 4 and _distance(typed, word) <= (1 if len(word) <= 6 else 2):
        return 2
    if len(typed) == 3 and len(word) in (3, 4) and _distance(typed, word) == 1:
        # three letters: one missing ('Jon' for John) or two swapped ('Sma'), but Tom is not Tim
        return 2 if len(word) == 4 or sorted(typed) == sorted(word) else None
    return None


def _best_kinds(typed: list[str], name: list[str]) -> list[int] | None:
    """How each typed word matches its word of the name, in order, loosest match smallest."""
    best = None
    for places in combinations(range(len(name)), len(typed)):
        kinds = [_word_kind(t, name[p]) for t, p in zip(typed, places, strict=True)]
        if None not in kinds and (best is None or max(kinds) < max(best)):
            best = kinds
    return best


def sureness(typed: str, name: str) -> Sureness | None:
    """How surely `typed` (all of it) means `name`; None when it does not."""
    words, parts = normalize(typed).split(), normalize(name).split()
    if not words or not parts:
        return None
    if "".join(words) == "".join(parts):
        return Sureness.EXACT
    kinds = _best_kinds(words, parts)
    if kinds is None:
        return None
    if max(kinds) == 0:
        return Sureness.WORDS
    if max(kinds) == 2:
        return Sureness.CLOSE
    return Sureness.PREFIX if max(len(word) for word in words) >= 3 else Sureness.INITIALS


def read_leading(text: str, named: Sequence[tuple[str, T]]) -> list[Reading[T]]:
    """Who the first words of `text` may name, each with the words after them. Only the surest
    readings are kept, and of those the ones naming with the most words: a surer match on fewer
    words beats a looser one on more ('Sam a quick coffee' is Sam, not Sam Altman), and several
    readings left mean several people could be meant."""
    spans = [found.span() for found in _WORD.finditer(text)]
    longest = max((len(normalize(name).split()) for name, _ in named), default=0)
    readings: list[Reading[T]] = []
    for size in range(1, min(len(spans), longest + 1) + 1):
        typed, rest = text[: spans[size - 1][1]], text[spans[size - 1][1] :].strip()
        for name, item in named:
            how = sureness(typed, name)
            if how is not None:
                readings.append(Reading(item, rest, how, size))
    if not readings:
        return []
    surest = min(r.sureness for r in readings)
    most = max(r.words for r in readings if r.sureness == surest)
    best = [r for r in readings if (r.sureness, r.words) == (surest, most)]
    if len(best) == 1:
        return best
    fullest = [_fullest(r, readings) for r in best]  # to ask: each with their longest sure name
    return sorted(fullest, key=lambda r: -r.words)


def _fullest(best: Reading[T], readings: list[Reading[T]]) -> Reading[T]:
    """The reading of the same person on the most words that is still not a guess ('zoe ang'
    for Zoë Ångström, where 'zoe' alone could also be Zoe Baker); `best` when there is none."""
    sure = [r for r in readings if r.item is best.item and not r.guess and r.words > best.words]
    return max(sure, key=lambda r: (r.words, -r.sureness), default=best)


def has_letters(name: str) -> bool:
    """A name someone could type back: at least one letter or digit."""
    return bool(normalize(name))
