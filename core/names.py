"""Forgiving name matching: accents, case, punctuation and first names don't get in the way."""

import difflib
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in letters).split())


def _prefixes_words(query: list[str], name: list[str]) -> bool:
    """Each query word starts a different word of the name, in order ('g hop' ~ 'grace hopper')."""
    position = 0
    for word in query:
        while position < len(name) and not name[position].startswith(word):
            position += 1
        if position == len(name):
            return False
        position += 1
    return True


def _exact(wanted: str, named: Sequence[tuple[str, T]]) -> list[T]:
    return [item for name, item in named if normalize(name) == wanted]


def _by_words(wanted: str, named: Sequence[tuple[str, T]]) -> list[T]:
    words = wanted.split()
    return [item for name, item in named if _prefixes_words(words, normalize(name).split())]


def _close(wanted: str, named: Sequence[tuple[str, T]]) -> list[T]:
    names = [normalize(name) for name, _ in named]
    close = set(difflib.get_close_matches(wanted, names, n=5, cutoff=0.75))
    return [item for (_, item), key in zip(named, names, strict=True) if key in close]


# From surest to loosest: the same name, the start of its words, a near spelling.
TIERS = (_exact, _by_words, _close)


def match(query: str, named: Sequence[tuple[str, T]]) -> list[T]:
    """Everything in `named` (name, item) that `query` could mean, best guesses only."""
    wanted = normalize(query)
    for tier in TIERS if wanted else ():
        found = tier(wanted, named)
        if found:
            return found
    return []


def match_leading(
    text: str, named: Sequence[tuple[str, T]], *, max_words: int = 4
) -> tuple[list[T], str]:
    """Who the first words of `text` name, and the words after them. A surer kind of match on
    fewer words beats a looser one on more ('Sam a quick coffee' is Sam, not Sam Altman)."""
    words = text.split()
    for tier in TIERS:
        for size in range(min(max_words, len(words)), 0, -1):
            wanted = normalize(" ".join(words[:size]))
            found = tier(wanted, named) if wanted else []
            if found:
                return found, " ".join(words[size:])
    return [], text.strip()


def has_letters(name: str) -> bool:
    """A name someone could type back: at least one letter or digit."""
    return bool(normalize(name))
