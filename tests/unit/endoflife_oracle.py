"""endoflife.date's own answers for one product definition, written from its generator, not
from this service's core: the oracle the real-lifecycle tests compare the core with.

- :func:`v0` is ``_plugins/generate-api-v0.rb`` of the endoflife-date/endoflife.date
  repository: each release of the definition's front matter, as written, with
  ``releaseCycle`` renamed ``cycle``; ``lts`` made ``false`` where absent; ``eoas`` renamed
  ``support`` (a date as it is, a boolean negated), and left out where ``eoas`` is; with an
  ``eoesColumn``, ``eoes`` renamed ``extendedSupport`` the same way (``false`` where absent).
  v0 is static: it lists every cycle, released or not, in the definition's order.
- :func:`is_eol` and :func:`is_eoas` are ``explode_date_or_boolean_field`` of
  ``_plugins/product-data-enricher.rb``: a date is over once today is after it (it is a last
  day), a boolean is as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

__all__ = ["V0_FIELDS", "is_eoas", "is_eol", "v0"]

# The fields of SPEC 11's v0 shape.
V0_FIELDS = ("cycle", "releaseDate", "support", "eol", "latest", "latestReleaseDate", "lts")


def v0(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``api/{product}.json`` as endoflife.date generates it from ``definition``."""
    answer = []
    for release in definition["releases"]:
        data = dict(release)
        name = data.pop("releaseCycle")
        # Ruby's ``release['lts'] || false``: only nil and false are false there.
        data["lts"] = data["lts"] if data.get("lts") is not None else False
        if "eoas" in data:
            eoas = data.pop("eoas")
            data["support"] = eoas if isinstance(eoas, str) else not eoas
        if "eoesColumn" in definition:
            if "eoes" in data:
                eoes = data.pop("eoes")
                data["extendedSupport"] = eoes if isinstance(eoes, str) else not eoes
            else:
                data["extendedSupport"] = False
        answer.append({"cycle": name, **data})
    return answer


def is_eol(release: Mapping[str, Any], today: date) -> bool:
    return _is_over(release["eol"], today)


def is_eoas(release: Mapping[str, Any], today: date) -> bool | None:
    """None where the definition gives no ``eoas`` (the product has no such phase)."""
    return _is_over(release["eoas"], today) if "eoas" in release else None


def _is_over(value: str | bool, today: date) -> bool:
    if isinstance(value, str):
        return today > date.fromisoformat(value)
    return value
