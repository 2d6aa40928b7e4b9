"""The API's OpenAPI side (flask-smorest): the ``Api`` that documents every error as
problem+json, and a typed ``Blueprint`` whose decorators keep the views' signatures."""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any, TypeVar

import flask_smorest
from flask_smorest.utils import prepare_response

from app.bodies import StrictParser
from app.errors import PROBLEM_MIMETYPE
from app.schemas import ProblemSchema

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C")


class LifecycleApi(flask_smorest.Api):  # type: ignore[misc]
    """flask-smorest's Api, with errors documented as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default: dict[str, Any] = {
            "description": "Default error response",
            "schema": self.ERROR_SCHEMA,
        }
        prepare_response(default, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)

    def _register_error_handlers(self) -> None:
        # One error handler for the whole app lives in app.errors.
        pass


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """flask-smorest's Blueprint, its decorators typed: each returns what it was given;
    bodies are read by the app's one strict JSON parser (:mod:`app.bodies`)."""

    ARGUMENTS_PARSER = StrictParser()

    def route(self, rule: str, **options: Any) -> Callable[[C], C]:
        found: Callable[[C], C] = super().route(rule, **options)
        return found

    def arguments(self, schema: Any, **options: Any) -> Callable[[F], F]:
        found: Callable[[F], F] = super().arguments(schema, **options)
        return found

    def response(self, status_code: int, schema: Any = None, **options: Any) -> Callable[[F], F]:
        found: Callable[[F], F] = super().response(status_code, schema, **options)
        return found

    def alt_response(self, status_code: int, **options: Any) -> Callable[[F], F]:
        found: Callable[[F], F] = super().alt_response(status_code, **options)
        return found

    def doc(self, **options: Any) -> Callable[[F], F]:
        found: Callable[[F], F] = super().doc(**options)
        return found
