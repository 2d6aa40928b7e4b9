"""The JSON text of verdicts that differ only in their version, spliced: a speed trick.

A batch answers many versions of one product under one context; when two of them have
the same :meth:`~lifecycle.verdict.Judge.outcome_key`, their verdicts are equal but for
the version, so the text after the version is encoded once and reused. The plain path,
``encode(judge(query).to_dict())``, is what the tests hold every spliced answer equal to.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from app.eligibility.service import encode, problem_for
from lifecycle.errors import LifecycleError
from lifecycle.verdict import Judge, Query, Verdict

# One string as ``encode`` writes it (the same function).
_string: Callable[[str], str] = json.encoder.encode_basestring_ascii


class VerdictText:
    """What the queries of a batch that differ only in their version share: their other
    fields validated, their product's judge, and the ends of verdicts already encoded."""

    __slots__ = ("head", "judge", "query", "tails")

    def __init__(self, query: Query, judge: Judge) -> None:
        self.query = query
        self.judge = judge
        self.head = _head(query.product)
        # By Judge.outcome_key: what follows the version in the JSON text of a verdict.
        self.tails: dict[tuple[str, str | None], str] = {}

    def answer(self, version: str) -> str:
        """The JSON text of the verdict (or of its error) for ``version``, stripped."""
        judge = self.judge
        base = self.query
        outcome = judge.outcome_key(version, base.as_of)
        if outcome is not None:
            tail = self.tails.get(outcome)
            if tail is not None:
                return f"{self.head}{_string(version)}, {tail}"
        query = Query.validated(
            base.product,
            version,
            base.as_of,
            base.platform,
            base.platform_version,
            base.environment,
            base.subscription,
            base.severity,
        )
        try:
            verdict = judge(query)
        except LifecycleError as error:
            return encode({"error": problem_for(error)})
        tail = _tail(verdict)
        if outcome is not None:
            self.tails[outcome] = tail
        return f"{self.head}{_string(version)}, {tail}"


def _head(product: str) -> str:
    """The JSON text of a verdict up to its version: ``to_dict`` puts these two first."""
    return '{"product": ' + _string(product) + ', "version": '


def _tail(verdict: Verdict) -> str:
    """The JSON text of ``verdict`` after its version: ``"release_known": ...}``."""
    whole = encode(verdict.to_dict())
    return whole[len(_head(verdict.product)) + len(_string(verdict.version)) + 2 :]
