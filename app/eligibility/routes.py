"""Eligibility (SPEC 5 and 6): one verdict by GET, many by a batch POST.

These are the hot paths: the views parse their input by hand (app.eligibility.service) and
return JSON text in a ``Response``, which flask-smorest passes through untouched. The
marshmallow schemas below only document the endpoints in the OpenAPI document; running
them per request would cost twenty times the verdict itself.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from app import clock
from app.eligibility import batch
from app.eligibility import query as queries
from app.eligibility import service as service
from app.eligibility.schemas import (
    JSON,
    BatchResultsSchema,
    BatchSchema,
    EligibilityQuerySchema,
    VerdictSchema,
)
from app.openapi import Blueprint

blp = Blueprint(
    "eligibility",
    __name__,
    url_prefix="/api/v1",
    description="Is a version covered, on this platform, and at which priority (SPEC 5).",
)


# --- views ------------------------------------------------------------------------------


@blp.route("/eligibility")
class Eligibility(MethodView):
    @blp.doc(parameters=[{"in": "query", "schema": EligibilityQuerySchema}])
    @blp.response(200, VerdictSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self) -> Any:
        """The eligibility verdict of one query.

        404 for an unknown product; 422 for invalid fields (``errors`` names each), with
        the code ``invalid_version`` for a version that does not parse.
        """
        text = service.decide_json(queries.query_values(request.args), clock.today())
        return Response(text, mimetype=JSON)

    @blp.doc(
        requestBody={"required": True, "content": {JSON: {"schema": BatchSchema}}},
    )
    @blp.response(200, BatchResultsSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self) -> Any:
        """Many verdicts at once: at most 10,000 queries, answered in order.

        A query that is invalid gets ``{"error": <problem>}`` in its place (with the
        status, code and field errors the GET would answer); the others are still
        answered. An envelope other than ``{"queries": [object, ...]}`` is a 422, more
        than 10,000 queries a 413.
        """
        body = request.get_json()
        return Response(batch.answer_batch(body, clock.today()), mimetype=JSON)
