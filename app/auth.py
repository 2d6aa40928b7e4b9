"""Bearer tokens with roles: ``admin`` may do everything; ``support`` triages and reads."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from flask import g, request
from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app import clock, db
from app.db import Base, UtcDateTime
from app.errors import Conflict, Forbidden, NotFound, Unauthorized

if TYPE_CHECKING:
    from app.openapi import Blueprint

F = TypeVar("F", bound=Callable[..., Any])

TOKEN_PREFIX = "lct_"
BEARER_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


class Role(StrEnum):
    ADMIN = "admin"
    SUPPORT = "support"


class ApiToken(Base):
    """A bearer token; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.now()
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(role: Role, name: str | None = None) -> tuple[str, ApiToken]:
    """Make a token; the secret is returned once and only its hash is stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    name = name or f"{role.value}-{secrets.token_hex(4)}"
    exists = f"A token named {name!r} exists already."
    with db.unit_of_work(conflict=exists) as session:
        if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
            raise Conflict(exists)
        row = ApiToken(name=name, role=role.value, token_hash=hash_token(secret))
        session.add(row)
    return secret, row


def revoke_token(name: str) -> ApiToken:
    with db.unit_of_work() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.name == name))
        if row is None:
            raise NotFound(f"No token is named {name!r}.")
        if row.revoked_at is None:
            row.revoked_at = clock.now()
    return row


def authenticate() -> ApiToken | None:
    """The token of this request, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    digest = hash_token(secret.strip())
    with db.reading() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or row.revoked_at is not None:
        return None
    # The look-up is by hash already; compare once more in constant time anyway.
    return row if hmac.compare_digest(row.token_hash, digest) else None


def requires(*roles: Role) -> Callable[[F], F]:
    """Refuse the call with 401 without a valid token and 403 with too weak a role."""
    allowed = {Role.ADMIN.value, *(r.value for r in roles)}

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = authenticate()
            if token is None:
                raise Unauthorized("This call needs a valid bearer token.")
            if token.role not in allowed:
                raise Forbidden(
                    f"A {token.role} token may not do this; it needs the role "
                    + " or ".join(sorted(allowed))
                    + "."
                )
            g.token = token
            return func(*args, **kwargs)

        wrapper._required_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def protected(blp: Blueprint, *roles: Role) -> Callable[[F], F]:
    """``requires`` plus its OpenAPI documentation (security scheme, 401 and 403)."""

    def decorator(func: F) -> F:
        wrapped = requires(*roles)(func)
        wrapped = blp.alt_response(401, response="UNAUTHORIZED")(wrapped)
        wrapped = blp.alt_response(403, response="FORBIDDEN")(wrapped)
        return blp.doc(security=BEARER_SECURITY)(wrapped)

    return decorator
