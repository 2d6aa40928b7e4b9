"""The reply text of a triage answer (SPEC 17): one paragraph a support engineer can send
to the customer as it is.

It says whether the version is covered, its status and the date of its next change, the
priority granted and when the answer is due, and the upgrade advice; it carries no reason
codes and nothing meant for the desk alone (``platform_unchecked``, ``unknown_release``,
suggestions for a mistyped platform).
"""

from __future__ import annotations

from datetime import datetime

from lifecycle.errors import LifecycleError
from lifecycle.severity import Severity
from lifecycle.status import Status, SupportLevel
from lifecycle.verdict import Verdict
from lifecycle.versions import parse_version

__all__ = ["CUSTOMER_REASONS", "compose_reply"]

# The reasons whose sentence goes to the customer as it is, in the verdict's order.
CUSTOMER_REASONS = frozenset(
    {
        "unknown_cycle",
        "prerelease",
        "planned",
        "current",
        "security_only",
        "eol",
        "eosl",
        "extended_support",
        "unknown_platform",
        "platform_not_supported",
        "platform_vendor_eol",
        "no_subscription",
        "not_technical_contact",
        "non_production",
        "basic_subscription",
        "severity_downgraded",
    }
)

_LEVEL_WORDS = {
    SupportLevel.FULL: "full support",
    SupportLevel.SECURITY_FIXES_ONLY: "security fixes only",
    SupportLevel.EXTENDED: "extended support",
}
_SUGGESTION = "; did you mean "


def compose_reply(
    verdict: Verdict,
    *,
    product_name: str | None,
    platform_name: str | None,
    response_due_at: datetime | None,
    response_target: str | None,
) -> str:
    """The reply for ``verdict`` (judged with the ticket's severity).

    ``platform_name`` is the customer's platform in words (``Ubuntu 22.04``) when one was
    checked; ``response_due_at`` and ``response_target`` (``4 business hours``) are the
    triage's, None when no priority is granted.

    >>> from datetime import date
    >>> from lifecycle.cycles import Release, derive
    >>> from lifecycle.policy import Policy
    >>> from lifecycle.verdict import Query, judge
    >>> from platforms.matrix import PlatformRegistry, SupportMatrix
    >>> cycles = derive([Release.of("1.0.0", date(2025, 1, 10)),
    ...                  Release.of("2.0.0", date(2026, 3, 2))], Policy())
    >>> v = judge(Query("acme", "1.0.0", date(2026, 11, 22), severity="high"), cycles,
    ...           PlatformRegistry.of([]), SupportMatrix({}), "AcmeDB")
    >>> print(compose_reply(v, product_name="AcmeDB", platform_name=None,
    ...     response_due_at=None, response_target=None))  # doctest: +NORMALIZE_WHITESPACE
    AcmeDB 1.0.0 is covered by support (security fixes only). AcmeDB major release 1
    receives security fixes only; no end-of-life date is set. The ticket is worked at
    High priority. We recommend upgrading to 2.0.0, the latest release.
    """
    subject = f"{product_name} {verdict.version}" if product_name else f"Version {verdict.version}"
    sentences: list[str] = []
    if verdict.covered:
        level = _LEVEL_WORDS.get(verdict.support_level)
        sentences.append(f"{subject} is covered by support" + (f" ({level})." if level else "."))
    else:
        sentences.append(f"{subject} is not covered by support.")

    for reason in verdict.reasons:
        if reason.code not in CUSTOMER_REASONS:
            continue
        text = reason.message
        if reason.code == "unknown_platform" and _SUGGESTION in text:
            # A suggestion is for the desk, which mistyped it, not for the customer.
            text = text.split(_SUGGESTION, 1)[0] + "."
        sentences.append(text)
    if verdict.platform is not None and verdict.platform_supported and platform_name:
        sentences.append(f"{platform_name} is a supported platform for it.")

    sentences.append(_priority(verdict.severity_granted, response_due_at, response_target))
    advice = _advice(verdict, platform_name)
    if advice:
        sentences.append(advice)
    return " ".join(sentences)


def _priority(granted: Severity | None, due: datetime | None, target: str | None) -> str:
    if granted is None:
        return "No priority can be granted for this ticket, so no response time applies."
    text = f"The ticket is worked at {granted.capitalize()} priority"
    if due is None:
        return text + "."
    when = due.strftime("%A %Y-%m-%d at %H:%M")
    zone = due.tzname()
    if zone:
        when += f" {zone}"
    within = f" ({target})" if target else ""
    return f"{text}; a first response is due by {when}{within}."


def _advice(verdict: Verdict, platform_name: str | None) -> str | None:
    """What to move to: the newest release, and whether it keeps to the customer's platform."""
    latest = verdict.upgrade_to
    # A pre-release's own sentence names the release to move to already (SPEC 17).
    said = verdict.status is Status.PRERELEASE and _is_prerelease(verdict.version)
    if verdict.platform is None or not platform_name:
        if latest is None or said:
            return None
        return f"We recommend upgrading to {latest}, the latest release."
    on_platform = verdict.upgrade_on_platform
    if on_platform is not None and not _newer(on_platform, verdict.version):
        on_platform = None  # already there, or past it: nothing to move to on this platform
    if latest is None:
        return None
    if on_platform == latest:
        if said:
            return f"{latest} supports {platform_name}."
        return f"We recommend upgrading to {latest}, which supports {platform_name}."
    if on_platform is not None:
        return (
            f"On {platform_name}, we recommend upgrading to {on_platform}; the latest release, "
            f"{latest}, does not support {platform_name}."
        )
    return (
        f"Upgrading to the latest release, {latest}, also needs a platform it supports; "
        f"{platform_name} is not one."
    )


def _newer(target: str, version: str) -> bool:
    try:
        return parse_version(target) > parse_version(version)
    except LifecycleError:
        return False


def _is_prerelease(version: str) -> bool:
    try:
        return parse_version(version).is_prerelease
    except LifecycleError:
        return False
