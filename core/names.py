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


def match(query: str, named: Sequence[tuple[str, T]]) -> list[T]:
    """Everything in `named` (name, item) that `query` could mean, best guesses only."""
    wanted = normalize(query)
    if not wanted:
        return []
    exact = [item for name, item in named if normalize(name) == wanted]
    if exact:
        return exact
    words = wanted.split()
    by_words = [item for name, item in named if _prefixes_words(words, normalize(name).split())]
    if by_words:
        return by_words
    names = [normalize(name) for name, _ in named]
    close = set(difflib.get_close_matches(wanted, names, n=5, cutoff=0.75))
    return [item for (name, item), key in zip(named, names, strict=True) if key in close]
