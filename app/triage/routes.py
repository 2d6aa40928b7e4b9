"""Triage (SPEC 9): a ticket in, its eligibility verdict, severity and response due time out.

The body is read by the service (``app.triage.service.triage``), which parses the
eligibility fields with the same parser as the GET and the batch; the schemas here
document the endpoint in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, request
from flask.views import MethodView

from app.auth import Role, protected
from app.eligibility.schemas import JSON
from app.eligibility.service import encode
from app.openapi import Blueprint
from app.triage import history, service
from app.triage.schemas import HistoryQuerySchema, HistorySchema, TriageRequestSchema, TriageSchema

blp = Blueprint(
    "triage",
    __name__,
    url_prefix="/api/v1",
    description="Ticket triage: priority and response targets (SPEC 9). Role support or admin.",
)


@blp.route("/triage")
class Triage(MethodView):
    @protected(blp, Role.SUPPORT)
    @blp.doc(requestBody={"required": True, "content": {JSON: {"schema": TriageRequestSchema}}})
    @blp.response(200, TriageSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self) -> Any:
        """Triage a ticket: its eligibility, granted severity and response due time.

        The requested severity is the ``severity`` field, else ``[Emergency]``,
        ``[Urgent]`` or ``[High]`` in the subject, else ``low`` for an email and
        ``normal`` otherwise; it is granted as SPEC 5 rule 7 allows. The response is
        due after the support plan's target for the granted severity, counted in the
        business calendar (null when nothing is granted).

        404 for an unknown product; 422 for invalid fields (``errors`` names each: a
        ``submitted_at`` without a UTC offset, an unknown channel, unknown fields), with
        the code ``invalid_version`` for a version that does not parse.
        """
        answer = service.triage(request.get_json(), actor=g.token.name)
        return Response(encode(answer), mimetype=JSON)


@blp.route("/triage/history")
class TriageHistory(MethodView):
    @protected(blp, Role.SUPPORT)
    @blp.doc(parameters=[{"in": "query", "schema": HistoryQuerySchema}])
    @blp.response(200, HistorySchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self) -> Any:
        """The triage answers given with a ticket, newest first (SPEC 17).

        Each record holds the request as it came, the answer as it went, the name of the
        token that asked and when. ``ticket`` keeps one ticket's records, ``since`` those
        from a date (its start, UTC) or a timestamp on, ``limit`` caps them (1 to 1,000,
        default 100). Any other parameter is a 422.
        """
        return Response(
            encode(history.list_history(request.args.to_dict(flat=False))), mimetype=JSON
        )
