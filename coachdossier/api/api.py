"""The JSON API: OpenAPI 3 at /api/openapi.json, docs at /api/docs. Routers are thin and
call the same actions as the pages."""

import math
from collections import defaultdict
from importlib import import_module

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, Throttled
from ninja.errors import ValidationError as SchemaValidationError
from pydantic import BaseModel

from .auth import session_auth, token_auth
from .pagination import PAGE_SIZE
from .throttling import ANONYMOUS_RATE, TOKEN_RATE, USER_RATE, anonymous_throttle, user_throttle


class ApiError(Schema):
    """Every refusal: `detail` says what went wrong in a sentence."""

    detail: str


class InvalidInput(Schema):
    """422, whatever found the input wrong (the schema, or the action behind the operation):
    `errors` names each field with its messages; `__all__` holds what is about no one field.
    A field of a nested object or list is named by its path (`answers.0.value`)."""

    detail: str
    errors: dict[str, list[str]]


INVALID = "The input is not valid."
# The answers any operation may give besides its own, with the handlers below. Operations
# that declare one keep theirs.
ERROR_ANSWERS = {
    400: "The request body cannot be read (not JSON, not multipart/form-data).",
    401: "No valid session or token.",
    403: "Not allowed: the role may not do this, or this client is visible but not for this.",
    404: "Not found, or not yours (GC-2.3: the same answer, so nobody learns what exists).",
    422: "The input is not valid; nothing was saved.",
    429: "Too many calls (per user, or per address without valid authentication): wait the seconds in "
         "Retry-After; nothing was done.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before calling again.",
                               "schema": {"type": "integer"}}}
# Answers the web server gives before the application sees the request (gunicorn refuses a
# request line over 4 KB, nginx one over 8 KB), as its own small HTML page.
SERVER_ANSWERS = {
    414: "The request line (path and query) is too long: refused by the web server; nothing was read.",
}


class CoachdossierAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The generated document, with ERROR_ANSWERS and SERVER_ANSWERS declared on every operation, so a client
        (and schemathesis' status_code_conformance) knows every status it can get."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ApiError, InvalidInput):
            schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_ANSWERS.items():
                    if status not in responses and str(status) not in responses:
                        name = "InvalidInput" if status == 422 else "ApiError"
                        body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
                        responses[status] = {"description": description, "content": body}
                        if status == 429:
                            responses[status]["headers"] = RETRY_AFTER
                for status, description in SERVER_ANSWERS.items():
                    responses.setdefault(status, {"description": description,
                                                  "content": {"text/html": {"schema": {"type": "string"}}}})
        return schema

    def validation_error_from_error_contexts(self, error_contexts):
        """ninja's errors, each also naming its field as the action's errors do (`title`, not
        `["body", "payload", "title"]`): the schema parameter's own name means nothing to a caller."""
        exc = super().validation_error_from_error_contexts(error_contexts)
        schema_params = {name for context in error_contexts for name, field in context.model.model_fields.items()
                         if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)}
        for error in exc.errors:
            path = list(error["loc"][1:])  # without the source: body, query, path, form, file, header
            if path and path[0] in schema_params:
                path = path[1:]
            error["field"] = ".".join(str(part) for part in path) or "__all__"
        return exc


api = CoachdossierAPI(
    title="coachdossier API",
    version="1",
    description="Client dossiers, privacy and complaints. Authenticate with your session or a "
    "personal access token (`Authorization: Bearer cd_…`). Every call on client data is "
    "written to the client's access log.\n\n"
    "**Errors**: `{\"detail\": \"…\"}`; bad input is a 422 with the fields named: "
    "`{\"detail\": \"The input is not valid.\", \"errors\": {\"title\": [\"…\"]}}` (`InvalidInput`). "
    f"**Lists** that grow without end come a page at a time: `?page=` from 1, {PAGE_SIZE} to a page, "
    "answered as `{count, page, results}`. So do the points of a trend: `GET …/clients/{id}/trends` lists "
    "the series (each quantity or questionnaire, with `count`, its number of points) and "
    "`GET …/clients/{id}/trends/{key}` pages one series' points, newest first. "
    f"**Rate limits** (calls/period): {USER_RATE} per user, {TOKEN_RATE} for the token operations, "
    f"{ANONYMOUS_RATE} failed authentications per address; past them a 429 with `Retry-After` in "
    "seconds, and nothing was done.",
    auth=[token_auth, session_auth],
    throttle=[user_throttle],  # api/throttling.py
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    """401, until an address has had too many of them: then 429 (api/throttling.py)."""
    if not anonymous_throttle.allow_request(request):
        return too_many_calls(request, Throttled(wait=anonymous_throttle.wait()))
    return api.create_response(request, {"detail": "Authentication required: a valid session or token."},
                               status=401)


@api.exception_handler(Throttled)
def too_many_calls(request, exc):
    """The throttle refused the call before the operation ran: nothing was done."""
    response = api.create_response(request, {"detail": "Too many calls: wait the seconds in Retry-After."},
                                   status=429)
    response["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


def invalid(request, exc):
    """Every 422 (InvalidInput), whether ninja found that the input did not fit the schema
    (ninja's ValidationError) or an action refused it (Django's, let through by the router);
    nothing was saved."""
    errors: dict[str, list[str]]
    if isinstance(exc, SchemaValidationError):
        errors = defaultdict(list)
        for error in exc.errors:
            field = error.get("field") or ".".join(str(part) for part in error["loc"][1:])
            errors[field or "__all__"].append(error["msg"])
    else:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": INVALID, "errors": dict(errors)}, status=422)


api.add_exception_handler(ValidationError, invalid)
api.add_exception_handler(SchemaValidationError, invalid)


@api.exception_handler(MultiPartParserError)
def unreadable_body(request, exc):
    """A multipart body Django cannot parse (no boundary, cut off) is the client's error, not ours."""
    return api.create_response(request, {"detail": "The request body is not valid multipart/form-data."},
                               status=400)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": "You may not do this."}, status=403)


# Each app with an API has `api.py` exposing `router`; they are mounted under their name.
for name in ("accounts", "clients", "portal", "reports", "complaints", "questionnaires", "measurements",
             "privacy"):
    try:
        module = import_module(f"coachdossier.{name}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"coachdossier.{name}.api":
            raise
        continue
    api.add_router(f"/{name}/", module.router)


@csrf_exempt  # changes nothing; a POST with a session cookie gets the same 404, not the CSRF page
def unknown_path(request):
    """An /api/ path no route matches (e.g. `/api/clients/null`, which fails the uuid converter)
    answers like every API 404: JSON, not Django's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)
