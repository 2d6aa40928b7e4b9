"""The eligibility verdict of SPEC 5: is a version covered, and at which severities.

:func:`judge` is pure and cheap (no scan of a product's releases), so a batch of
10,000 queries against one product's derived cycles stays fast. A query about a
customer (SPEC 12) also carries what the customer's records decide: the subscription,
the customer's extended support of the product, and whether a ticket's sender is a
technical contact at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from packaging.version import Version

from lifecycle.cycles import Cycle, CycleDates, ProductCycles, Release
from lifecycle.errors import LifecycleError
from lifecycle.severity import ALL_SEVERITIES, Severity, parse_severity
from lifecycle.spelling import did_you_mean, fold_slug, suggestion
from lifecycle.status import Status, SupportLevel, is_covered, support_level
from lifecycle.versions import parse_version
from platforms.matrix import PlatformCheck, PlatformRegistry, SupportMatrix, version_match_key

__all__ = [
    "Environment",
    "ExtendedCover",
    "InvalidQuery",
    "Judge",
    "Query",
    "Reason",
    "Subscription",
    "Verdict",
    "extended_support_end",
    "judge",
    "parse_environment",
]

MAX_PLATFORM_LENGTH = 200


class Environment(StrEnum):
    PRODUCTION = "production"
    NON_PRODUCTION = "non_production"


# SPEC 17: "non-production" too, as people (and ``check``'s own output) write it.
ENVIRONMENT_NAMES: dict[str, Environment] = {
    "production": Environment.PRODUCTION,
    "non_production": Environment.NON_PRODUCTION,
    "non-production": Environment.NON_PRODUCTION,
}


def parse_environment(text: str) -> Environment | None:
    """The environment named ``text`` in any case, or None.

    >>> parse_environment("Non-Production"), parse_environment("staging")
    (<Environment.NON_PRODUCTION: 'non_production'>, None)
    """
    return ENVIRONMENT_NAMES.get(text.strip().casefold())


class Subscription(StrEnum):
    PRODUCTION = "production"
    BASIC = "basic"
    NONE = "none"


class InvalidQuery(LifecycleError, ValueError):
    """An eligibility query whose fields do not fit together; ``field`` names the culprit."""

    code = "invalid_query"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason of a verdict: a stable code and a sentence for a reply to a customer.

    ``did_you_mean`` (SPEC 17) lists the known names closest to an unknown one, for
    ``unknown_platform``; None for every other reason.
    """

    code: str
    message: str
    did_you_mean: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"code": self.code, "message": self.message}
        if self.did_you_mean is not None:
            data["did_you_mean"] = list(self.did_you_mean)
        return data


@dataclass(frozen=True, slots=True)
class ExtendedCover:
    """A customer's extended support of one product's cycles (SPEC 12): by cycle key, the
    first day it no longer covers (``until``). Two entries for one cycle: the later wins.

    It is a value (hashable, compared by its entries), so a query holding one is still a
    cache key, and the queries of a batch that differ only in their version share it.

    >>> cover = ExtendedCover.of({"1": date(2028, 3, 1), "0": date(2027, 1, 1)})
    >>> cover.until("1"), cover.until("2")
    (datetime.date(2028, 3, 1), None)
    >>> cover.entries
    (('0', datetime.date(2027, 1, 1)), ('1', datetime.date(2028, 3, 1)))
    """

    entries: tuple[tuple[str, date], ...] = ()
    _until: dict[str, date] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.entries, str | bytes) or not isinstance(self.entries, Iterable):
            raise InvalidQuery("extended_support", "extended support is (cycle, until) pairs")
        until: dict[str, date] = {}
        for entry in self.entries:
            if not isinstance(entry, tuple) or len(entry) != 2:
                raise InvalidQuery(
                    "extended_support", f"extended support is (cycle, until) pairs, not {entry!r}"
                )
            cycle, day = entry
            if not isinstance(cycle, str) or not cycle:
                raise InvalidQuery("extended_support", f"a cycle key must be text, not {cycle!r}")
            if not isinstance(day, date) or isinstance(day, datetime):
                raise InvalidQuery(
                    "extended_support", f"until must be a date (YYYY-MM-DD), not {day!r}"
                )
            known = until.get(cycle)
            if known is None or day > known:
                until[cycle] = day
        object.__setattr__(self, "entries", tuple(sorted(until.items())))
        self._until.update(until)

    @classmethod
    def of(cls, until: Mapping[str, date] | Iterable[tuple[str, date]]) -> ExtendedCover:
        """From ``{cycle: until}`` or ``(cycle, until)`` pairs."""
        pairs = until.items() if isinstance(until, Mapping) else until
        return cls(tuple(pairs))

    def until(self, cycle: str) -> date | None:
        """The first day the customer's extended support no longer covers ``cycle``."""
        return self._until.get(cycle)

    def __bool__(self) -> bool:
        return bool(self.entries)


@dataclass(frozen=True, slots=True)
class Query:
    """The inputs of SPEC 5. Enum fields also accept their string values (and severity aliases).

    Product and platform slugs are folded to lower case (SPEC 17: ``ApertureDB`` is
    ``aperturedb``). The last four fields are SPEC 12's, filled in from a customer's
    records (never from a caller's own say-so): ``extended_support`` the customer's
    extended support of this product; ``technical_contact`` False when a ticket's sender
    is no technical contact (nothing is then known of a customer: neither ``customer``
    nor ``extended_support`` may be given, and the subscription counts as none);
    ``customer`` and ``deployment`` label the verdict with the slug and deployment name
    asked about.
    """

    product: str
    version: str
    as_of: date
    platform: str | None = None
    platform_version: str | None = None
    environment: Environment = Environment.PRODUCTION
    subscription: Subscription = Subscription.PRODUCTION
    severity: Severity | None = None
    extended_support: ExtendedCover | None = None
    technical_contact: bool = True
    customer: str | None = None
    deployment: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.product, str) or not self.product:
            raise InvalidQuery("product", "product must be a non-empty string")
        object.__setattr__(self, "product", fold_slug(self.product))
        if not isinstance(self.version, str) or not self.version.strip():
            raise InvalidQuery("version", "version must be a non-empty string")
        # A datetime is a date too, but comparing it with dates raises TypeError.
        if not isinstance(self.as_of, date) or isinstance(self.as_of, datetime):
            raise InvalidQuery("as_of", "as_of must be a date (YYYY-MM-DD)")
        self._check_platform()
        if self.platform is not None:
            object.__setattr__(self, "platform", fold_slug(self.platform.strip()))
        environment = self.environment
        if isinstance(environment, str) and not isinstance(environment, Environment):
            environment = parse_environment(environment) or environment
        object.__setattr__(self, "environment", _coerce(Environment, "environment", environment))
        object.__setattr__(
            self, "subscription", _coerce(Subscription, "subscription", self.subscription)
        )
        if self.severity is not None and not isinstance(self.severity, Severity):
            try:
                object.__setattr__(self, "severity", parse_severity(self.severity))
            except LifecycleError as error:
                raise InvalidQuery("severity", str(error)) from None
        self._check_customer()

    @classmethod
    def validated(
        cls,
        product: str,
        version: str,
        as_of: date,
        platform: str | None,
        platform_version: str | None,
        environment: Environment,
        subscription: Subscription,
        severity: Severity | None,
        extended_support: ExtendedCover | None = None,
        technical_contact: bool = True,
        customer: str | None = None,
        deployment: str | None = None,
    ) -> Query:
        """A query from fields the caller has already checked as strictly as the
        constructor would (the service's ``parse_query``, which reports every bad field
        at once); the checks are not run a second time."""
        query = object.__new__(cls)
        put = object.__setattr__
        put(query, "product", product)
        put(query, "version", version)
        put(query, "as_of", as_of)
        put(query, "platform", platform)
        put(query, "platform_version", platform_version)
        put(query, "environment", environment)
        put(query, "subscription", subscription)
        put(query, "severity", severity)
        put(query, "extended_support", extended_support)
        put(query, "technical_contact", technical_contact)
        put(query, "customer", customer)
        put(query, "deployment", deployment)
        return query

    def _check_platform(self) -> None:
        for name, value in (
            ("platform", self.platform),
            ("platform_version", self.platform_version),
        ):
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                raise InvalidQuery(name, f"{name} must be a non-empty string")
            if len(value) > MAX_PLATFORM_LENGTH:
                raise InvalidQuery(name, f"{name} is longer than {MAX_PLATFORM_LENGTH} characters")
        if self.platform is None and self.platform_version is not None:
            raise InvalidQuery("platform", "platform is required when platform_version is given")
        if self.platform is not None and self.platform_version is None:
            raise InvalidQuery("platform_version", "platform_version is required with platform")

    def _check_customer(self) -> None:
        if self.extended_support is not None and not isinstance(
            self.extended_support, ExtendedCover
        ):
            raise InvalidQuery("extended_support", "extended_support must be an ExtendedCover")
        if not isinstance(self.technical_contact, bool):
            raise InvalidQuery("technical_contact", "technical_contact must be true or false")
        for name, value in (("customer", self.customer), ("deployment", self.deployment)):
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                raise InvalidQuery(name, f"{name} must be a non-empty string")
            if len(value) > MAX_PLATFORM_LENGTH:
                raise InvalidQuery(name, f"{name} is longer than {MAX_PLATFORM_LENGTH} characters")
        if self.deployment is not None and self.customer is None:
            raise InvalidQuery("customer", "a deployment belongs to a customer: give customer too")
        if not self.technical_contact:
            for name in ("customer", "extended_support"):
                if getattr(self, name) is not None:
                    raise InvalidQuery(
                        name,
                        f"a sender who is no technical contact has no {name.replace('_', ' ')}",
                    )


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer of SPEC 5, shaped for SPEC 6 by :meth:`to_dict`."""

    product: str
    version: str
    release_known: bool
    cycle: str | None
    status: Status
    support_level: SupportLevel
    covered: bool
    as_of: date
    dates: CycleDates | None
    platform: PlatformCheck | None
    platform_supported: bool | None
    environment: Environment
    subscription: Subscription
    allowed_severities: tuple[Severity, ...]
    severity_requested: Severity | None
    severity_granted: Severity | None
    upgrade_to: str | None
    reasons: tuple[Reason, ...]
    customer: str | None = None
    deployment: str | None = None
    # SPEC 17: shown only when a platform was given (``platform`` is not None).
    upgrade_on_platform: str | None = None

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of the SPEC 6 example, built directly (this runs per batch item)."""
        # ``_value_`` is the member's plain str; ``.value`` is a property, several times slower.
        check = self.platform
        platform: dict[str, object] | None = None
        if check is not None:
            vendor_eol = check.vendor_eol
            platform = {
                "platform": check.platform,
                "version": check.version,
                "supported": self.platform_supported,
                "vendor_eol": vendor_eol.isoformat() if vendor_eol is not None else None,
            }
        requested = self.severity_requested
        granted = self.severity_granted
        data: dict[str, object] = {
            "product": self.product,
            "version": self.version,
            "release_known": self.release_known,
            "cycle": self.cycle,
            "status": self.status._value_,
            "support_level": self.support_level._value_,
            "covered": self.covered,
            "as_of": self.as_of.isoformat(),
            "dates": self.dates.to_dict() if self.dates is not None else None,
            "platform": platform,
            "environment": self.environment._value_,
            "subscription": self.subscription._value_,
            "allowed_severities": [s._value_ for s in self.allowed_severities],
            "severity": {
                "requested": requested._value_ if requested is not None else None,
                "granted": granted._value_ if granted is not None else None,
            },
            "upgrade_to": self.upgrade_to,
        }
        if check is not None:
            data["upgrade_on_platform"] = self.upgrade_on_platform
        data["reasons"] = [
            {"code": r.code, "message": r.message} if r.did_you_mean is None else r.to_dict()
            for r in self.reasons
        ]
        if self.customer is None:
            return data
        # Who was asked about reads best next to what (SPEC 12); the product and the
        # version stay first, where a batch splices verdicts (see Judge.outcome_key).
        labelled: dict[str, object] = {
            "product": data.pop("product"),
            "version": data.pop("version"),
            "customer": self.customer,
        }
        if self.deployment is not None:
            labelled["deployment"] = self.deployment
        labelled.update(data)
        return labelled


_NORMAL_AND_LOW = (Severity.NORMAL, Severity.LOW)
# Statuses whose reason sentence can name the very version (or the release's own date).
_VERSION_WORDED = (Status.PLANNED, Status.PRERELEASE)
# The statuses a customer's extended support covers (SPEC 12).
_PAST_END_OF_LIFE = (Status.EOL, Status.EOSL)


def judge(
    query: Query,
    cycles: ProductCycles,
    registry: PlatformRegistry,
    matrix: SupportMatrix,
    product_name: str | None = None,
) -> Verdict:
    """Apply SPEC 5 rules 2 to 8 to ``query``; the product is known (rule 1 is the caller's).

    Raises :class:`~lifecycle.errors.InvalidVersion` for a version that does not parse.

    Reasons come in rule order. Two choices the SPEC leaves open:

    - An unknown cycle gives ``unknown_cycle`` alone, not also ``unknown_release``:
      rule 3 (which carries that warning) only applies to a known cycle.
    - ``non_production`` and ``basic_subscription`` are given whenever they hold and
      some severity is allowed at all, even if the status (``eol``) already limits the
      ticket to normal and low: each is a cap of its own, and the customer who
      upgrades still meets it. When nothing is allowed they would be noise, so they
      are left out.

    And for a customer (SPEC 12):

    - Extended support changes the support level and the coverage of rule 3, so its
      reason ``extended_support`` follows the status's own (the status stays ``eol`` or
      ``eosl``: that is the release's, for everyone). The other rules still apply: an
      unsupported platform or no current subscription leaves it uncovered.
    - A sender who is no technical contact takes rule 5's place: reason
      ``not_technical_contact`` (instead of ``no_subscription``), not covered, no
      severity allowed; the verdict's subscription is ``none``.
    """
    return Judge(cycles, registry, matrix, product_name)(query)


_PlatformOutcome = tuple[PlatformCheck, bool, tuple[Reason, ...]]


class Judge:
    """:func:`judge` for one product, for many queries (a batch).

    What does not depend on the version asked about is worked out once per judge and
    kept: each cycle's status on an as-of date, the upgrade target on that date, a
    cycle's status sentence, and the platform check (with its reasons) per cycle,
    platform and date. Every input is immutable, so nothing kept can go stale; a
    judge is meant to live as long as one batch, which bounds what it keeps.
    """

    __slots__ = (
        "_extended_reasons",
        "_platform_targets",
        "_platforms",
        "_status_reasons",
        "_statuses",
        "_targets",
        "cycles",
        "matrix",
        "registry",
        "words",
    )

    def __init__(
        self,
        cycles: ProductCycles,
        registry: PlatformRegistry,
        matrix: SupportMatrix,
        product_name: str | None = None,
    ) -> None:
        self.cycles = cycles
        self.registry = registry
        self.matrix = matrix
        self.words = _Words("release" if cycles.named else cycles.policy.cycle, product_name)
        self._statuses: dict[tuple[str, date], Status] = {}
        self._targets: dict[date, Release | None] = {}
        self._status_reasons: dict[tuple[str, Status], Reason] = {}
        self._platforms: dict[tuple[str, str, str, date], _PlatformOutcome] = {}
        self._extended_reasons: dict[tuple[str, date], Reason] = {}
        self._platform_targets: dict[tuple[str, str, date], str | None] = {}

    def __call__(self, query: Query) -> Verdict:
        """The verdict of :func:`judge`."""
        as_of = query.as_of
        parsed, release, cycle = self._locate(query.version)
        words = self.words
        reasons: list[Reason] = []

        release_known = release is not None
        # SPEC 17: a message names the version as the caller wrote it, never normalised.
        shown = query.version.strip()
        cycle_key = cycle.key if cycle is not None else self.cycles.cycle_key(parsed)
        upgrade_to = self._upgrade_to(parsed, as_of)

        # Rules 2 and 3: the status of the version.
        if cycle is None:
            status = Status.UNKNOWN
            reasons.append(Reason("unknown_cycle", words.unknown_cycle(cycle_key, shown)))
        else:
            cycle_status = self._cycle_status(cycle, as_of)
            if release is not None:
                status = release.status(cycle_status, as_of)
            elif parsed.is_prerelease:
                status = Status.PRERELEASE
            else:
                status = cycle_status
            if status in _VERSION_WORDED:
                text = words.status(status, cycle, release, parsed, shown, upgrade_to)
                reasons.append(Reason(status._value_, text))
            else:
                reasons.append(self._status_reason(cycle, status))
            if release is None:
                text = words.unknown_release(cycle.key, shown, parsed.is_prerelease)
                reasons.append(Reason("unknown_release", text))
        level = support_level(status)
        covered = is_covered(status)

        # SPEC 12: the customer's extended support covers its cycle past end of life.
        extended = query.extended_support
        if (
            extended is not None
            and cycle is not None
            and status in _PAST_END_OF_LIFE
            and query.technical_contact
        ):
            ends = extended_support_end(cycle.dates, extended.until(cycle.key))
            if ends is not None and as_of < ends:
                level = SupportLevel.EXTENDED
                covered = True
                reasons.append(self._extended_reason(cycle, ends))

        # Rule 4: the platform.
        check: PlatformCheck | None = None
        platform_supported: bool | None = None
        platform_refused = False
        upgrade_on_platform: str | None = None
        if query.platform is None or query.platform_version is None:
            reasons.append(Reason("platform_unchecked", words.platform_unchecked()))
        else:
            check, platform_supported, refusals = self._platform(
                cycle_key, query.platform, query.platform_version, as_of
            )
            if not platform_supported:
                platform_refused = True
                reasons.extend(refusals)
            upgrade_on_platform = self._upgrade_on_platform(
                query.platform, query.platform_version, as_of
            )
        covered = covered and not platform_refused

        # Rule 5: the subscription; SPEC 12: a sender no customer names has none.
        subscription = query.subscription
        if not query.technical_contact:
            subscription = Subscription.NONE
            covered = False
            reasons.append(Reason("not_technical_contact", words.not_technical_contact()))
        elif subscription is Subscription.NONE:
            covered = False
            reasons.append(Reason("no_subscription", words.no_subscription()))

        # Rule 6: the severities a ticket may have.
        allowed: tuple[Severity, ...]
        if subscription is Subscription.NONE or platform_refused or level is SupportLevel.NONE:
            allowed = ()
        else:
            limited = level is SupportLevel.DEFECT_EVALUATION_ONLY
            if query.environment is Environment.NON_PRODUCTION:
                limited = True
                reasons.append(Reason("non_production", words.non_production()))
            if subscription is Subscription.BASIC:
                limited = True
                reasons.append(Reason("basic_subscription", words.basic_subscription()))
            allowed = _NORMAL_AND_LOW if limited else ALL_SEVERITIES

        # Rule 7: the severity granted.
        requested = query.severity
        granted: Severity | None = None
        if requested is not None:
            if not allowed:
                reasons.append(
                    Reason("severity_unavailable", words.severity_unavailable(requested))
                )
            elif requested.rank < allowed[0].rank:
                granted = allowed[0]
                reasons.append(
                    Reason("severity_downgraded", words.severity_downgraded(requested, granted))
                )
            else:
                granted = requested

        return Verdict(
            product=query.product,
            version=query.version,
            release_known=release_known,
            cycle=cycle.key if cycle is not None else None,
            status=status,
            support_level=level,
            covered=covered,
            as_of=as_of,
            dates=cycle.dates if cycle is not None else None,
            platform=check,
            platform_supported=platform_supported,
            environment=query.environment,
            subscription=subscription,
            allowed_severities=allowed,
            severity_requested=requested,
            severity_granted=granted,
            upgrade_to=upgrade_to,
            reasons=tuple(reasons),
            customer=query.customer,
            deployment=query.deployment,
            upgrade_on_platform=upgrade_on_platform,
        )

    def outcome_key(self, version: str, as_of: date) -> tuple[str, str | None] | None:
        """A key shared by versions whose verdicts differ in nothing but ``version``.

        Two queries that differ only in their version, both with this non-None key, get
        verdicts equal in every field but ``version``: so a batch can judge and encode
        one of them and reuse the rest of the answer for the others. That holds for
        recorded GA releases out by ``as_of`` (the reasons then name the cycle, never
        the version); the key is their cycle and upgrade target. Any other version
        (unknown, pre-release, planned, not parsing) gets None: judge it in full.

        "Differ only in their version" includes SPEC 12's fields: the two queries share
        the subscription, extended support, ``technical_contact`` and labels (extended
        support is per cycle, and its reason names the cycle, so the key still holds).
        """
        found = self.cycles.recorded_ga(version)
        if found is None:
            try:
                _, release, cycle = self._parse(version)
            except LifecycleError:
                return None
            if release is None or cycle is None or release.is_prerelease:
                return None
        else:
            release, cycle = found
        if release.released_on > as_of or self._cycle_status(cycle, as_of) in _VERSION_WORDED:
            return None
        return cycle.key, self._upgrade_to(release.parsed, as_of)

    def locate(self, version: str) -> tuple[Version, Release | None, Cycle | None]:
        """The version parsed, its recorded release and its cycle (None where unknown).

        Raises :class:`~lifecycle.errors.InvalidVersion` for a version that does not parse.
        """
        return self._locate(version)

    def _locate(self, version: str) -> tuple[Version, Release | None, Cycle | None]:
        found = self.cycles.recorded_ga(version)
        if found is not None:
            # The release was recorded as this very text: parsed, it is release.parsed.
            release, cycle = found
            return release.parsed, release, cycle
        return self._parse(version)

    def _parse(self, version: str) -> tuple[Version, Release | None, Cycle | None]:
        parsed = parse_version(version)
        cycles = self.cycles
        return parsed, cycles.release(parsed), cycles.cycle_of(parsed)

    def _cycle_status(self, cycle: Cycle, as_of: date) -> Status:
        key = (cycle.key, as_of)
        status = self._statuses.get(key)
        if status is None:
            status = self._statuses[key] = cycle.status(as_of)
        return status

    def _status_reason(self, cycle: Cycle, status: Status) -> Reason:
        """The status sentence of a cycle, for a status that does not word the version."""
        key = (cycle.key, status)
        reason = self._status_reasons.get(key)
        if reason is None:
            text = self.words.status(status, cycle, None, _NO_VERSION, "", None)
            reason = self._status_reasons[key] = Reason(status._value_, text)
        return reason

    def _extended_reason(self, cycle: Cycle, ends: date) -> Reason:
        key = (cycle.key, ends)
        reason = self._extended_reasons.get(key)
        if reason is None:
            by_vendor = ends == cycle.dates.extended_end_on
            text = self.words.extended_support(cycle.key, ends, by_vendor)
            reason = self._extended_reasons[key] = Reason("extended_support", text)
        return reason

    def _upgrade_to(self, parsed: Version, as_of: date) -> str | None:
        """Rule 8: the latest release of the newest current cycle, when newer than ``parsed``."""
        try:
            target = self._targets[as_of]
        except KeyError:
            newest = self.cycles.newest_current(as_of)
            target = self._targets[as_of] = newest.latest(as_of) if newest is not None else None
        if target is not None and parsed < target.parsed:
            return target.version
        return None

    def _upgrade_on_platform(self, platform: str, version: str, as_of: date) -> str | None:
        """SPEC 17: the latest GA release, by ``as_of``, of the newest current cycle whose
        matrix lists the platform version, while its vendor still supports it."""
        key = (platform, version, as_of)
        try:
            return self._platform_targets[key]
        except KeyError:
            pass
        target: str | None = None
        found = self.registry.find(platform, version)
        if found is not None and found[1].vendor_supported(as_of):
            recorded = found[1].version
            for cycle in self.cycles.newest_first:
                if self._cycle_status(cycle, as_of) is not Status.CURRENT:
                    continue
                if not self.matrix.lists(cycle.key, platform, recorded):
                    continue
                latest = cycle.latest(as_of)
                if latest is not None:
                    target = latest.version
                    break
        self._platform_targets[key] = target
        return target

    def _platform(
        self, cycle_key: str, platform: str, version: str, as_of: date
    ) -> _PlatformOutcome:
        key = (cycle_key, platform, version, as_of)
        outcome = self._platforms.get(key)
        if outcome is None:
            check = self.matrix.check(self.registry, cycle_key, platform, version)
            supported = check.covered(as_of)
            refusals: list[Reason] = []
            if not supported:
                _platform_reasons(
                    refusals, self.words, check, self.registry, self.matrix, cycle_key, as_of
                )
            outcome = self._platforms[key] = (check, supported, tuple(refusals))
        return outcome


# Stands for the version in a status sentence that does not word it (see _VERSION_WORDED).
_NO_VERSION = Version("0")


def extended_support_end(dates: CycleDates, until: date | None) -> date | None:
    """The first day a customer's extended support ``until`` no longer covers a cycle:
    ``until``, or the vendor's ``extended_end_on`` when that comes first (SPEC 12, 14);
    None without extended support.

    >>> extended_support_end(CycleDates(extended_end_on=date(2028, 1, 1)), date(2028, 3, 1))
    datetime.date(2028, 1, 1)
    >>> extended_support_end(CycleDates(), date(2028, 3, 1))
    datetime.date(2028, 3, 1)
    """
    if until is None:
        return None
    vendor = dates.extended_end_on
    return until if vendor is None or until < vendor else vendor


def _platform_reasons(
    reasons: list[Reason],
    words: _Words,
    check: PlatformCheck,
    registry: PlatformRegistry,
    matrix: SupportMatrix,
    cycle_key: str,
    as_of: date,
) -> None:
    """Every platform reason that holds: a listed platform can be past its vendor's EOL too.

    SPEC 17: an unknown platform (or version) comes with the known names closest to it,
    and the platforms a cycle is said to support leave out those whose vendor ended them.
    """
    if not check.known:
        known = registry.platforms.get(check.platform)
        if known is None:
            close = did_you_mean(check.platform, registry.platforms)
            name = None
        else:
            close = did_you_mean(check.version, (n for v in known.versions for n in v.names))
            name = known.name
        text = words.unknown_platform(check, name)
        if close:  # the sentence ends with its suggestion
            text = text.removesuffix(".") + suggestion(close)
        reasons.append(Reason("unknown_platform", text, close))
        return
    display = _platform_display(registry, check.platform, check.version, check.given)
    if not check.listed:
        row = matrix.row(cycle_key)
        listed = []
        for slug, v in row:
            found = registry.find(slug, v)
            if found is None or found[1].vendor_supported(as_of):
                listed.append(_platform_display(registry, slug, v))
        text = words.platform_not_supported(display, cycle_key, listed, bool(row))
        reasons.append(Reason("platform_not_supported", text))
    if not check.vendor_supported(as_of) and check.vendor_eol is not None:
        reasons.append(
            Reason("platform_vendor_eol", words.platform_vendor_eol(display, check.vendor_eol))
        )


def _platform_display(registry: PlatformRegistry, slug: str, version: str, given: str = "") -> str:
    """``Ubuntu 22.04``; ``Ubuntu 22.04 (jammy)`` when the caller named it otherwise."""
    platform = registry.platforms.get(slug)
    shown = f"{platform.name if platform is not None else slug} {version}"
    if given and version_match_key(given) != version_match_key(version):
        shown += f" ({given})"
    return shown


_E = TypeVar("_E", bound=StrEnum)


def _coerce(kind: type[_E], name: str, value: object) -> _E:
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            pass
    choices = ", ".join(m.value for m in kind)
    raise InvalidQuery(name, f"{name} must be one of {choices}, not {value!r}")


class _Words:
    """The sentences of the reasons, for one product and policy; deterministic by design."""

    __slots__ = ("kind", "noun", "product")

    def __init__(self, cycle_kind: str, product_name: str | None) -> None:
        # "release" for cycles a vendor names itself (SPEC 14: "3.12" need not be a minor).
        self.kind = cycle_kind if cycle_kind in ("major", "release") else "minor"
        self.noun = "release" if self.kind == "release" else f"{self.kind} release"
        self.product = product_name

    def cycle(self, key: str) -> str:
        """'Major release 1' or 'AcmeDB major release 1', to start a sentence."""
        if self.product:
            return f"{self.product} {self.noun} {key}"
        return f"{self.noun.capitalize()} {key}"

    def version(self, shown: str) -> str:
        return f"{self.product} {shown}" if self.product else f"Version {shown}"

    def status(
        self,
        status: Status,
        cycle: Cycle,
        release: Release | None,
        parsed: Version,
        shown: str,
        upgrade_to: str | None,
    ) -> str:
        subject = self.cycle(cycle.key)
        dates = cycle.dates
        if status is Status.CURRENT:
            if dates.security_only_from is None:
                if dates.eol_on is not None:  # full support decided to last until then
                    return (
                        f"{subject} is current and fully supported; "
                        f"it reaches end of life on {dates.eol_on}."
                    )
                return f"{subject} is current and fully supported; no end of full support is set."
            if dates.security_only_from == dates.eol_on:
                return (
                    f"{subject} is current and fully supported; "
                    f"it reaches end of life on {dates.security_only_from}."
                )
            return (
                f"{subject} is current and fully supported; "
                f"it receives security fixes only from {dates.security_only_from}."
            )
        if status is Status.SECURITY_ONLY:
            if dates.eol_on is None:
                return f"{subject} receives security fixes only; no end-of-life date is set."
            return (
                f"{subject} receives security fixes only; it reaches end of life on {dates.eol_on}."
            )
        if status is Status.EOL:
            # A vendor may say a phase began without saying when (SPEC 14): no date then.
            reached = (
                f"reached end of life on {dates.eol_on}"
                if dates.eol_on is not None
                else "has reached end of life (on a date not known)"
            )
            if dates.eosl_on is None:
                return (
                    f"{subject} {reached}; no end of service life is set, and meanwhile, for a "
                    "customer with a current subscription, the vendor will evaluate fixing a "
                    "reported defect in a release that has not reached end of life."
                )
            return (
                f"{subject} {reached} and reaches end of service "
                f"life on {dates.eosl_on}; until then, for a customer with a current "
                "subscription, the vendor will evaluate fixing a reported defect in a release "
                "that has not reached end of life."
            )
        if status is Status.EOSL:
            if dates.eosl_on is None:
                return (
                    f"{subject} has reached its end of service life (on a date not known) "
                    "and is not supported in any way."
                )
            return (
                f"{subject} has not been supported in any way since {dates.eosl_on}, "
                "its end of service life."
            )
        if status is Status.PLANNED:
            # A recorded release has its own date; an unrecorded one waits for its cycle.
            day = dates.released_on
            if release is not None:
                subject, day = self.version(shown), release.released_on
            if day is None:  # a vendor's planned cycle with no release date yet
                return f"{subject} is planned, with no release date set; it is not supported yet."
            return f"{subject} is planned for release on {day}; it is not supported before then."
        # PRERELEASE: the version is one, or its cycle has nothing else.
        if parsed.is_prerelease:
            # SPEC 17: whose pre-release it is, and the GA release to move to.
            advice = (
                f" The generally available release to move to is {upgrade_to}."
                if upgrade_to is not None
                else " No generally available release newer than it is out yet."
            )
            return (
                f"{self.version(shown)} is a pre-release of {self.noun} {cycle.key}; "
                f"pre-releases are not supported.{advice}"
            )
        return f"{subject} has pre-releases only; pre-releases are not supported."

    def unknown_release(self, key: str, shown: str, prerelease: bool) -> str:
        if prerelease:  # judged as a pre-release, whatever its cycle's status
            return f"{self.version(shown)} is not a recorded release of {self.noun} {key}."
        return (
            f"{self.version(shown)} is not a recorded release; "
            f"it is judged by the status of {self.noun} {key}."
        )

    def unknown_cycle(self, key: str, shown: str) -> str:
        return (
            f"{self.cycle(key)} has no recorded release, so {shown} cannot be judged "
            "and is not covered."
        )

    def platform_unchecked(self) -> str:
        return "No platform was given, so platform support was not checked."

    def unknown_platform(self, check: PlatformCheck, name: str | None) -> str:
        if name is None:
            return f"Platform {check.platform} is not known, so {check.version} is not supported."
        return f"{name} {check.version} is not a known version of {name}, so it is not supported."

    def platform_not_supported(
        self, display: str, key: str, listed: list[str], any_listed: bool
    ) -> str:
        if listed:
            supported = f"the supported platforms are {', '.join(listed)}"
        elif any_listed:  # each one listed has reached its vendor's end of life
            supported = "no platform listed for it is still supported by its vendor"
        else:
            supported = "no platform is listed for it"
        return f"{display} is not a supported platform for {self.noun} {key}; {supported}."

    def platform_vendor_eol(self, display: str, vendor_eol: date) -> str:
        return (
            f"{display} reached its vendor's end of life on {vendor_eol}; a platform "
            "version its own vendor no longer supports is not supported."
        )

    def no_subscription(self) -> str:
        return "There is no current subscription, so no support is provided."

    def extended_support(self, key: str, ends: date, by_vendor: bool) -> str:
        # ``ends`` is the first day no longer covered, as every date of a reason.
        if by_vendor:
            return (
                f"{self.cycle(key)} is covered by extended support until {ends}, when the "
                "vendor's extended support for it ends."
            )
        return (
            f"{self.cycle(key)} is covered by extended support until {ends}, "
            "when that support ends."
        )

    def not_technical_contact(self) -> str:
        return (
            "The sender is not a technical contact of any customer; only a customer's named "
            "technical contacts may open tickets, so no support is provided."
        )

    def non_production(self) -> str:
        return "Urgent and High priority are not available for non-production software."

    def basic_subscription(self) -> str:
        return "A basic (non-production) subscription allows Normal and Low priority only."

    def severity_unavailable(self, requested: Severity) -> str:
        return (
            f"No priority is available for this ticket, "
            f"so {requested.capitalize()} cannot be granted."
        )

    def severity_downgraded(self, requested: Severity, granted: Severity) -> str:
        return (
            f"The requested priority {requested.capitalize()} is not available; "
            f"the ticket is worked as {granted.capitalize()}."
        )
