"""What a customer's records decide (SPEC 12): subscription terms, extended support,
deployments, and the eligibility query they make for a customer or a deployment.

>>> from datetime import date
>>> terms = Subscriptions.of([
...     SubscriptionTerm("basic", date(2026, 1, 1), date(2027, 1, 1)),
...     SubscriptionTerm("production", date(2026, 6, 1), date(2026, 12, 1)),
... ])
>>> [terms.on(date(2026, d, 15)).value for d in (5, 6, 11, 12)]
['basic', 'production', 'production', 'basic']
>>> terms.next_change(date(2026, 6, 2)), terms.next_change(date(2027, 1, 2))
(datetime.date(2026, 12, 1), None)
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from lifecycle.errors import LifecycleError
from lifecycle.severity import Severity
from lifecycle.verdict import Environment, ExtendedCover, Query, Subscription
from lifecycle.versions import parse_version

__all__ = [
    "Deployment",
    "Entitlements",
    "ExtendedSupport",
    "InvalidCustomerRecord",
    "SubscriptionChange",
    "SubscriptionTerm",
    "Subscriptions",
    "email_key",
    "unknown_sender",
]

#: SPEC 6's slug: customers, deployments, products and packages are named by one.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_MAX_TEXT = 200
# The order of the kinds of a subscription, best first (SPEC 12: production beats basic).
_RANK = {Subscription.PRODUCTION: 2, Subscription.BASIC: 1, Subscription.NONE: 0}


class InvalidCustomerRecord(LifecycleError, ValueError):
    """A subscription term, extended support or deployment whose fields do not fit;
    ``field`` names the culprit."""

    code = "invalid_customer_record"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _check_date(name: str, value: object) -> None:
    # A datetime is a date too, but comparing it with dates raises TypeError.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidCustomerRecord(name, f"{name} must be a date (YYYY-MM-DD), not {value!r}")


def _check_slug(name: str, value: object) -> None:
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        raise InvalidCustomerRecord(
            name,
            f"{name} must be a slug (lower-case letters, digits and '-', at most 64, "
            f"starting with a letter or digit), not {value!r}",
        )


# --- subscriptions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionTerm:
    """One subscription a customer bought: ``kind`` from ``starts_on`` up to, not
    including, ``ends_on`` (the first day no longer covered, like every date here).

    >>> SubscriptionTerm("production", date(2026, 1, 1), date(2026, 1, 1))
    Traceback (most recent call last):
    ...
    lifecycle.customers.InvalidCustomerRecord: ends_on (2026-01-01) must be after starts_on \
(2026-01-01): it is the first day no longer covered
    """

    kind: Subscription
    starts_on: date
    ends_on: date

    def __post_init__(self) -> None:
        kind = self.kind
        if isinstance(kind, str) and not isinstance(kind, Subscription):
            kind = {s.value: s for s in Subscription}.get(kind.strip().casefold(), kind)
        if kind not in (Subscription.PRODUCTION, Subscription.BASIC):
            raise InvalidCustomerRecord(
                "kind", f"kind must be production or basic, not {self.kind!r}"
            )
        object.__setattr__(self, "kind", kind)
        _check_date("starts_on", self.starts_on)
        _check_date("ends_on", self.ends_on)
        if not self.starts_on < self.ends_on:
            raise InvalidCustomerRecord(
                "ends_on",
                f"ends_on ({self.ends_on}) must be after starts_on ({self.starts_on}): "
                "it is the first day no longer covered",
            )

    def covers(self, day: date) -> bool:
        return self.starts_on <= day < self.ends_on


class SubscriptionChange(StrEnum):
    """Which way a customer's subscription changes on a day."""

    #: To a lesser kind: production to basic or none, basic to none.
    ENDS = "subscription_ends"
    #: To a better kind: none to basic or production, basic to production.
    STARTS = "subscription_starts"


@dataclass(frozen=True, slots=True)
class Subscriptions:
    """A customer's subscription terms, and the subscription they give on any day: the
    best kind among the terms covering it (``production`` beats ``basic``), else
    ``none`` (SPEC 12). Terms may overlap, follow each other or leave gaps.

    Worked out once into the days on which the answer changes, so that :meth:`on`
    and :meth:`next_change` are one bisection each.
    """

    terms: tuple[SubscriptionTerm, ...] = ()
    # The days the answer changes, ascending, and the answer from each of them on.
    _days: tuple[date, ...] = field(default=(), init=False, repr=False, compare=False)
    _kinds: tuple[Subscription, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        terms = tuple(self.terms)
        if not all(isinstance(t, SubscriptionTerm) for t in terms):
            raise InvalidCustomerRecord("subscriptions", "subscriptions must be SubscriptionTerms")
        object.__setattr__(self, "terms", terms)
        # Sweep the days a term starts or ends, counting the terms of each kind in force.
        deltas: dict[date, list[int]] = {}
        for term in terms:
            index = 0 if term.kind is Subscription.PRODUCTION else 1
            deltas.setdefault(term.starts_on, [0, 0])[index] += 1
            deltas.setdefault(term.ends_on, [0, 0])[index] -= 1
        days: list[date] = []
        kinds: list[Subscription] = []
        production = basic = 0
        current = Subscription.NONE
        for day in sorted(deltas):
            production += deltas[day][0]
            basic += deltas[day][1]
            kind = (
                Subscription.PRODUCTION
                if production
                else Subscription.BASIC
                if basic
                else Subscription.NONE
            )
            if kind is not current:
                days.append(day)
                kinds.append(kind)
                current = kind
        object.__setattr__(self, "_days", tuple(days))
        object.__setattr__(self, "_kinds", tuple(kinds))

    @classmethod
    def of(cls, terms: Iterable[SubscriptionTerm]) -> Subscriptions:
        return cls(tuple(terms))

    def on(self, day: date) -> Subscription:
        """The customer's subscription on ``day``."""
        index = bisect.bisect_right(self._days, day) - 1
        return self._kinds[index] if index >= 0 else Subscription.NONE

    def next_change(self, day: date) -> date | None:
        """The first day on or after ``day`` whose subscription differs from the day
        before's; None when it never changes again."""
        index = bisect.bisect_left(self._days, day)
        return self._days[index] if index < len(self._days) else None

    def changes(self, start: date, end: date) -> Iterator[tuple[date, Subscription, Subscription]]:
        """Each change from ``start`` to ``end`` (both included): its day, the
        subscription of the day before and that of the day."""
        days, kinds = self._days, self._kinds
        index = bisect.bisect_left(days, start)
        while index < len(days) and days[index] <= end:
            before = kinds[index - 1] if index > 0 else Subscription.NONE
            yield days[index], before, kinds[index]
            index += 1

    @staticmethod
    def change_kind(before: Subscription, after: Subscription) -> SubscriptionChange:
        """Whether going from ``before`` to ``after`` is an end or a start."""
        if _RANK[after] < _RANK[before]:
            return SubscriptionChange.ENDS
        return SubscriptionChange.STARTS


# --- extended support --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExtendedSupport:
    """Support a customer bought for one cycle past its end of life, up to, not
    including, ``until`` (SPEC 12). ``cycle`` is the key as the product's policy writes
    it (``Policy.normalize_cycle_key``), so that it finds the cycle of a version."""

    product: str
    cycle: str
    until: date

    def __post_init__(self) -> None:
        _check_slug("product", self.product)
        if not isinstance(self.cycle, str) or not self.cycle.strip():
            raise InvalidCustomerRecord("cycle", f"cycle must be a cycle key, not {self.cycle!r}")
        _check_date("until", self.until)


# --- deployments --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deployment:
    """Where a customer runs a product (SPEC 12): its name (unique within the customer),
    the product and version, the platform (both or neither) and the environment.

    The version must parse (:class:`~lifecycle.errors.InvalidVersion`, SPEC's
    ``invalid_version``); it is kept as written.
    """

    name: str
    product: str
    version: str
    environment: Environment
    platform: str | None = None
    platform_version: str | None = None

    def __post_init__(self) -> None:
        _check_slug("name", self.name)
        _check_slug("product", self.product)
        if not isinstance(self.version, str) or not self.version.strip():
            raise InvalidCustomerRecord("version", "version must be a non-empty string")
        parse_version(self.version)
        environment = self.environment
        if not isinstance(environment, Environment):
            found = {e.value: e for e in Environment}.get(
                environment.strip().casefold() if isinstance(environment, str) else ""
            )
            if found is None:
                raise InvalidCustomerRecord(
                    "environment",
                    f"environment must be production or non_production, not {environment!r}",
                )
            object.__setattr__(self, "environment", found)
        for name in ("platform", "platform_version"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT
            ):
                raise InvalidCustomerRecord(
                    name, f"{name} must be a non-empty string of at most {_MAX_TEXT} characters"
                )
        if (self.platform is None) != (self.platform_version is None):
            missing = "platform_version" if self.platform_version is None else "platform"
            raise InvalidCustomerRecord(
                missing, "platform and platform_version are given both or neither"
            )


# --- a customer's entitlements ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entitlements:
    """Everything a customer's records decide about eligibility and triage: the
    subscriptions, the extended support, and the support package (None: the plan
    file's default package, SPEC 12.1).

    Build one per customer and keep it while its records do not change: the
    subscription's changes and each product's :class:`ExtendedCover` are worked out
    once.

    >>> acme = Entitlements.of("acme", [SubscriptionTerm("production", date(2026, 1, 1),
    ...     date(2027, 1, 1))], [ExtendedSupport("aperturedb", "1", date(2028, 3, 1))])
    >>> query = acme.ask(Query("aperturedb", "1.4.2", date(2027, 6, 1)))
    >>> query.subscription.value, query.extended_support.until("1"), query.customer
    ('none', datetime.date(2028, 3, 1), 'acme')
    """

    customer: str
    subscriptions: Subscriptions = Subscriptions()
    extended_support: tuple[ExtendedSupport, ...] = ()
    package: str | None = None
    _covers: dict[str, ExtendedCover | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        _check_slug("customer", self.customer)
        if not isinstance(self.subscriptions, Subscriptions):
            raise InvalidCustomerRecord("subscriptions", "subscriptions must be Subscriptions")
        extended = tuple(self.extended_support)
        if not all(isinstance(e, ExtendedSupport) for e in extended):
            raise InvalidCustomerRecord(
                "extended_support", "extended_support must be ExtendedSupport entries"
            )
        object.__setattr__(self, "extended_support", extended)
        if self.package is not None:
            _check_slug("package", self.package)
        by_product: dict[str, list[tuple[str, date]]] = {}
        for entry in extended:
            by_product.setdefault(entry.product, []).append((entry.cycle, entry.until))
        self._covers.update({p: ExtendedCover(tuple(pairs)) for p, pairs in by_product.items()})

    @classmethod
    def of(
        cls,
        customer: str,
        terms: Iterable[SubscriptionTerm] = (),
        extended_support: Iterable[ExtendedSupport] = (),
        package: str | None = None,
    ) -> Entitlements:
        return cls(customer, Subscriptions.of(terms), tuple(extended_support), package)

    def subscription(self, day: date) -> Subscription:
        """The customer's subscription on ``day``."""
        return self.subscriptions.on(day)

    def cover(self, product: str) -> ExtendedCover | None:
        """The customer's extended support of ``product``; None when it has none."""
        return self._covers.get(product)

    def ask(self, query: Query, deployment: str | None = None) -> Query:
        """``query`` as this customer asks it (``customer=``, SPEC 12): the subscription
        is the customer's on the query's date, its extended support applies, and the
        verdict is labelled with the customer (and ``deployment``, when given).

        The query's own subscription is replaced: the caller refuses one given with
        ``customer`` (the record decides).
        """
        return replace(
            query,
            subscription=self.subscriptions.on(query.as_of),
            extended_support=self._covers.get(query.product),
            technical_contact=True,
            customer=self.customer,
            deployment=deployment,
        )

    def deployment_query(
        self, deployment: Deployment, as_of: date, severity: Severity | None = None
    ) -> Query:
        """The query for ``deployment`` on ``as_of`` (``deployment=``, SPEC 12): product,
        version, platform and environment are the deployment's, the rest the customer's."""
        return Query.validated(
            deployment.product,
            deployment.version,
            as_of,
            deployment.platform,
            deployment.platform_version,
            deployment.environment,
            self.subscriptions.on(as_of),
            severity,
            self._covers.get(deployment.product),
            True,
            self.customer,
            deployment.name,
        )


def unknown_sender(query: Query) -> Query:
    """``query`` from a ticket whose sender is no technical contact (SPEC 12): judged as
    a version, but not covered, reason ``not_technical_contact``, no severity granted.

    >>> q = unknown_sender(Query("aperturedb", "2.5.1", date(2026, 11, 22)))
    >>> q.technical_contact, q.subscription.value
    (False, 'none')
    """
    return replace(
        query,
        subscription=Subscription.NONE,
        extended_support=None,
        technical_contact=False,
        customer=None,
        deployment=None,
    )


def email_key(email: str) -> str:
    """The form under which two contact emails are one (SPEC 12: case-insensitively).

    >>> email_key("  Ops@Example.COM ") == email_key("ops@example.com")
    True
    """
    if not isinstance(email, str):
        raise InvalidCustomerRecord("email", f"email must be text, not {email!r}")
    return email.strip().casefold()
