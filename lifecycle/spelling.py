"""What support engineers type (SPEC 17): slugs in any case, and the known names closest
to one that is not known, so that a typo is answered with a suggestion, never a guess.

>>> fold_slug("ApertureDB"), fold_slug(" ubuntu"), fold_slug("\\u212aeystone")
('aperturedb', ' ubuntu', '\\u212aeystone')
>>> did_you_mean("aperturdb", ["aperturedb", "keystone", "nebula"])
('aperturedb',)
>>> did_you_mean("Ubunt", ["ubuntu", "rhel"]), did_you_mean("zzz", ["ubuntu"])
(('ubuntu',), ())
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["SUGGESTIONS", "SUGGESTION_CUTOFF", "did_you_mean", "fold_slug", "suggestion"]

# SPEC 17: up to three close names, by difflib's ratio of at least 0.6.
SUGGESTIONS = 3
SUGGESTION_CUTOFF = 0.6


def fold_slug(text: str) -> str:
    """``text`` in the case slugs are recorded in, so that ``ApertureDB`` is ``aperturedb``.

    Slugs are ASCII, so only ASCII text is folded: ``str.lower`` would also turn some
    other letters into ASCII ones (the Kelvin sign into ``k``), which would make text that
    is no slug name one.
    """
    return text.lower() if text.isascii() else text


def did_you_mean(given: str, known: Iterable[str]) -> tuple[str, ...]:
    """Up to three of ``known`` closest to ``given`` (compared in lower case), best first."""
    candidates = {name.casefold(): name for name in known}
    found = difflib.get_close_matches(
        given.strip().casefold(), list(candidates), n=SUGGESTIONS, cutoff=SUGGESTION_CUTOFF
    )
    return tuple(candidates[name] for name in found)


def suggestion(names: Iterable[str]) -> str:
    """``"; did you mean a, b or c?"`` to end a sentence with, or nothing when none is close.

    >>> suggestion(["ubuntu"]), suggestion(["a", "b", "c"]), suggestion([])
    ('; did you mean ubuntu?', '; did you mean a, b or c?', '')
    """
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return f"; did you mean {names[0]}?"
    return f"; did you mean {', '.join(names[:-1])} or {names[-1]}?"
