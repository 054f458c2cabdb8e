"""What the application log says about a refused request."""

import logging
import re
from http import HTTPStatus

# A UUID as it appears in a path (public ids: clients, entries, complaints, tokens).
UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE)


class OneLineRefusals(logging.Filter):
    """On `django.request`: a 4xx answer is one line, `Forbidden: GET /clients/<uuid:client_id>/`,
    naming the route rather than the path, with no traceback.

    Django logs every 4xx answer at WARNING, and a PermissionDenied with its whole traceback: a
    practice's log filled with stack traces of ordinary refusals, each naming the client's id in
    its path. The refusal itself is already in the access log with who, when and which client
    (LAW-NEN7513), and the proxy's request log has the path; this line only says that it happened
    and where. Django logs `request.path`, never the query string; a path no route matched (a 404)
    keeps its shape with every UUID replaced. Server errors (5xx) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status, request = getattr(record, "status_code", None), getattr(record, "request", None)
        if not isinstance(status, int) or not 400 <= status < 500 or request is None:
            return True
        match = getattr(request, "resolver_match", None)
        where = f"/{match.route}" if match is not None and match.route else UUID.sub("<id>", request.path)
        record.msg, record.args = "%s: %s %s", (HTTPStatus(status).phrase, request.method, where)
        record.exc_info, record.exc_text = None, None
        return True
